#include "esm/batch.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "streamstack/esm/record_source.h"

namespace streamstack::esm {
namespace {

using nlohmann::json;

Record Rec(int64_t seq, size_t bytes, int64_t created_ms = 0) {
  Record r;
  r.sequence = seq;
  r.created_ms = created_ms;
  r.json = std::string(bytes, 'x');
  return r;
}

TEST(TakeCountTest, StopsAtBatchSize) {
  std::deque<Record> q;
  for (int i = 0; i < 10; ++i) q.push_back(Rec(i + 1, 10));
  EXPECT_EQ(TakeCount(q, 4, kMaxPayloadBytes, kRecordsEventOverhead), 4u);
  EXPECT_EQ(TakeCount(q, 100, kMaxPayloadBytes, kRecordsEventOverhead), 10u);
  EXPECT_EQ(TakeCount(q, 0, kMaxPayloadBytes, kRecordsEventOverhead), 0u);
  EXPECT_EQ(TakeCount({}, 10, kMaxPayloadBytes, kRecordsEventOverhead), 0u);
}

TEST(TakeCountTest, StopsBeforeThePayloadWouldPassTheCap) {
  // Three records of 100 bytes: overhead 14 + 100 + 1 + 100 = 215 fits in 215, not 214.
  std::deque<Record> q = {Rec(1, 100), Rec(2, 100), Rec(3, 100)};
  EXPECT_EQ(TakeCount(q, 10, 215, kRecordsEventOverhead), 2u);
  EXPECT_EQ(TakeCount(q, 10, 214, kRecordsEventOverhead), 1u);
  // A single record larger than the cap still goes alone.
  EXPECT_EQ(TakeCount(q, 10, 50, kRecordsEventOverhead), 1u);
}

TEST(TakeCountTest, SixMegabyteCapExactly) {
  // 1000 records of 7000 bytes = 7 MB: the batch holds as many as fit in 6,291,456 bytes.
  std::deque<Record> q;
  for (int i = 0; i < 1000; ++i) q.push_back(Rec(i + 1, 7000));
  size_t n = TakeCount(q, 1000, kMaxPayloadBytes, kRecordsEventOverhead);
  std::vector<Record> batch(q.begin(), q.begin() + static_cast<long>(n));
  EXPECT_LE(BuildRecordsEvent(batch).size(), kMaxPayloadBytes);
  batch.push_back(q[n]);
  EXPECT_GT(BuildRecordsEvent(batch).size(), kMaxPayloadBytes);
  EXPECT_EQ(n, 898u);
}

TEST(BuildRecordsEventTest, WrapsRecordsInAnArray) {
  std::vector<Record> records = {Rec(1, 0), Rec(2, 0)};
  records[0].json = R"({"a":1})";
  records[1].json = R"({"b":2})";
  std::string event = BuildRecordsEvent(records);
  EXPECT_EQ(event, R"({"Records":[{"a":1},{"b":2}]})");
  EXPECT_EQ(BuildRecordsEvent({}), R"({"Records":[]})");
  EXPECT_EQ(BuildRecordsEvent({}).size(), kRecordsEventOverhead);
}

TEST(BuildWindowEventTest, CarriesEveryTumblingWindowMember) {
  std::vector<Record> records = {Rec(1, 0)};
  records[0].json = R"({"eventID":"1"})";
  WindowEventFields f;
  f.window_start_ms = 1596128400000;  // 2020-07-30T17:00:00Z
  f.window_end_ms = 1596128700000;
  f.state_json = R"({"1":"state1"})";
  f.shard_id = "shardId-00000000000000000001-abcdef01";
  f.quoted_arn = R"("stream-ARN")";
  f.is_final = false;
  std::string text = BuildWindowEvent(records, f);
  json j = json::parse(text);
  EXPECT_EQ(j["Records"].size(), 1u);
  EXPECT_EQ(j["window"],
            json({{"start", "2020-07-30T17:00:00Z"}, {"end", "2020-07-30T17:05:00Z"}}));
  EXPECT_EQ(j["state"], json({{"1", "state1"}}));
  EXPECT_EQ(j["shardId"], "shardId-00000000000000000001-abcdef01");
  EXPECT_EQ(j["eventSourceARN"], "stream-ARN");
  EXPECT_EQ(j["isFinalInvokeForWindow"], false);
  EXPECT_EQ(j["isWindowTerminatedEarly"], false);
  EXPECT_LE(text.size() - records[0].json.size(), WindowEventOverhead(f));

  f.is_final = true;
  f.terminated_early = true;
  f.state_json = "";
  j = json::parse(BuildWindowEvent({}, f));
  EXPECT_TRUE(j["Records"].empty());
  EXPECT_EQ(j["state"], json::object());
  EXPECT_EQ(j["isFinalInvokeForWindow"], true);
  EXPECT_EQ(j["isWindowTerminatedEarly"], true);
}

TEST(WindowStartTest, AlignsOnTheEpochAndTheRecordSecond) {
  EXPECT_EQ(WindowStart(1596128400000, 300000), 1596128400000);
  EXPECT_EQ(WindowStart(1596128699999, 300000), 1596128400000);
  EXPECT_EQ(WindowStart(1596128700000, 300000), 1596128700000);
  EXPECT_EQ(WindowStart(61500, 60000), 60000);
  EXPECT_EQ(WindowStart(59999, 60000), 0);
}

TEST(BisectTest, SplitsInTwoUntilOne) {
  EXPECT_EQ(BisectPoint(2), 1u);
  EXPECT_EQ(BisectPoint(3), 2u);
  EXPECT_EQ(BisectPoint(10), 5u);
  EXPECT_EQ(BisectPoint(11), 6u);
  // A poison record in a batch of 100 ends up alone after ceil(log2(100)) = 7 splits.
  size_t lo = 0, hi = 100, poison = 73, splits = 0;
  while (hi - lo > 1) {
    size_t mid = lo + BisectPoint(hi - lo);
    if (poison < mid) {
      hi = mid;
    } else {
      lo = mid;
    }
    ++splits;
  }
  EXPECT_EQ(lo, poison);
  EXPECT_LE(splits, 7u);
}

TEST(LaneOfTest, SameKeySameLaneAndKeysSpread) {
  std::set<size_t> lanes;
  for (int key = 0; key < 100; ++key) {
    const uint64_t hash = LaneKeyHash("k" + std::to_string(key));
    size_t lane = LaneOf(hash, 4);
    EXPECT_LT(lane, 4u);
    EXPECT_EQ(LaneOf(LaneKeyHash("k" + std::to_string(key)), 4), lane) << key;
    lanes.insert(lane);
  }
  EXPECT_EQ(lanes.size(), 4u);
  EXPECT_EQ(LaneOf(LaneKeyHash("k1"), 1), 0u);
}

TEST(LaneKeyHashTest, IsFnv1aSoLanesSurviveRestartsAndBuilds) {
  EXPECT_EQ(LaneKeyHash(""), 14695981039346656037ull);
  EXPECT_EQ(LaneKeyHash("a"), 0xaf63dc4c8601ec8cull);
}

}  // namespace
}  // namespace streamstack::esm
