// Figures, not assertions: run on purpose with
//   unit_streams --gtest_also_run_disabled_tests --gtest_filter='*DISABLED_*'
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "streamstack/streams/stream_store.h"
#include "test_env.h"

namespace streamstack::streams {
namespace {

using test_env::Change;
using test_env::KeySchema;
using test_env::StreamsEnv;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

StreamInfo CreateWithRecords(StreamsEnv& env, const std::string& table, int64_t count) {
  StreamInfo info;
  EXPECT_TRUE(env.store()
                  .WriteSync([&](storage::WriteContext& ctx) -> Status {
                    auto r = env.streams().CreateStream(
                        ctx, table, StreamViewType::kNewAndOldImages, KeySchema());
                    if (!r.ok()) return r.status();
                    info = *r;
                    return Status::Ok();
                  })
                  .ok());
  const ChangeRecord change = Change(EventName::kModify, "item-0001");
  const auto start = Clock::now();
  for (int64_t done = 0; done < count;) {
    const int64_t batch = std::min<int64_t>(10000, count - done);
    EXPECT_TRUE(env.store()
                    .WriteSync([&](storage::WriteContext& ctx) -> Status {
                      for (int64_t i = 0; i < batch; ++i) {
                        STREAMSTACK_RETURN_IF_ERROR(
                            env.streams().Append(ctx, info.stream_id, change));
                      }
                      return Status::Ok();
                    })
                    .ok());
    done += batch;
  }
  std::printf("  appended %lld records to %s in %.2f s (%.0f appends/s)\n",
              static_cast<long long>(count), table.c_str(), Seconds(Clock::now() - start),
              static_cast<double>(count) / Seconds(Clock::now() - start));
  return info;
}

TEST(StreamStoreBench, DISABLED_GetRecordsDrains100kRecords) {
  StreamsEnv env(/*in_memory=*/false);
  StreamInfo s = CreateWithRecords(env, "drain", 100000);
  const std::string shard = env.streams().ListShards(s.stream_arn)->at(0).shard_id;
  for (int round = 0; round < 3; ++round) {
    auto it = env.streams().GetShardIterator(
        {s.stream_arn, shard, StreamStore::ShardIteratorType::kTrimHorizon, {}});
    ASSERT_TRUE(it.ok());
    std::string iterator = *it;
    size_t total = 0, bytes = 0;
    const auto start = Clock::now();
    for (;;) {
      auto got = env.streams().GetRecords({iterator, {}});
      ASSERT_TRUE(got.ok());
      if (got->records.empty()) break;
      total += got->records.size();
      for (const auto& r : got->records) bytes += r.size();
      iterator = *got->next_shard_iterator;
    }
    const double secs = Seconds(Clock::now() - start);
    EXPECT_EQ(total, 100000u);
    std::printf("  GetRecords drain: %zu records (%.1f MB) in %.3f s = %.0f records/s\n", total,
                static_cast<double>(bytes) / 1e6, secs, static_cast<double>(total) / secs);
  }
}

struct TailFigures {
  double read_records_p50_us, get_records_p50_us;
};

TailFigures MeasureTail(StreamsEnv& env, const StreamInfo& s) {
  auto shards = env.streams().ListShards(s.stream_arn);
  const std::string shard = shards->at(0).shard_id;
  const int64_t last = shards->at(0).watermark->last_sequence.load();
  constexpr int kRuns = 3000;
  std::vector<double> read_us, get_us;
  for (int i = 0; i < kRuns; ++i) {
    const int64_t after = last - 10 - (i % 50);
    auto t0 = Clock::now();
    auto records = env.streams().ReadRecords(s.stream_arn, shard, after, 10);
    auto t1 = Clock::now();
    EXPECT_TRUE(records.ok() && records->size() == 10u);
    read_us.push_back(Seconds(t1 - t0) * 1e6);
  }
  auto it = env.streams().GetShardIterator({s.stream_arn, shard,
                                            StreamStore::ShardIteratorType::kAfterSequenceNumber,
                                            StreamStore::FormatSequenceNumber(last - 10)});
  EXPECT_TRUE(it.ok());
  for (int i = 0; i < kRuns; ++i) {
    auto t0 = Clock::now();
    auto got = env.streams().GetRecords({*it, {}});
    auto t1 = Clock::now();
    EXPECT_TRUE(got.ok() && got->records.size() == 10u);
    get_us.push_back(Seconds(t1 - t0) * 1e6);
  }
  auto p50 = [](std::vector<double>& v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  return {p50(read_us), p50(get_us)};
}

TEST(StreamStoreBench, DISABLED_TailLatencyDoesNotDependOnShardLength) {
  StreamsEnv env(/*in_memory=*/false);
  StreamInfo small = CreateWithRecords(env, "small", 1000);
  StreamInfo large = CreateWithRecords(env, "large", 1000000);
  for (int round = 0; round < 2; ++round) {
    TailFigures fs = MeasureTail(env, small);
    TailFigures fl = MeasureTail(env, large);
    std::printf(
        "  tail p50, 10 records: ReadRecords %.1f us (1k shard) vs %.1f us (1M shard); "
        "GetRecords %.1f us vs %.1f us\n",
        fs.read_records_p50_us, fl.read_records_p50_us, fs.get_records_p50_us,
        fl.get_records_p50_us);
  }
}

}  // namespace
}  // namespace streamstack::streams
