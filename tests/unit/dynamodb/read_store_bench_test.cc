// Figures, not assertions: run on purpose (tests/bench/dynamodb_query_bench.py does) with
//   unit_dynamodb --gtest_also_run_disabled_tests --gtest_filter='*DISABLED_*'
// In-process Query latency (one partition of 10,000 items, pages of 100) as the table grows
// from 10^4 to 10^6 items, and Scan throughput, on a file-backed store (WAL, as users run it).
// STREAMSTACK_BENCH_MAX_ITEMS caps the largest table (default 1000000).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "streamstack/dynamodb/table_store.h"
#include "streamstack/storage/store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::dynamodb {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kHotItems = 10000;
constexpr int kFillerPartitionSize = 100;
constexpr int kPage = 100;
constexpr int kQueries = 2000;

double Micros(SteadyClock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

std::string Padded(int64_t n, int width) {
  std::string s = std::to_string(n);
  return std::string(static_cast<size_t>(std::max<int>(0, width - static_cast<int>(s.size()))),
                     '0') +
         s;
}

Item MakeItem(const std::string& pk, int64_t i) {
  return Item{{"pk", AttributeValue::String(pk)},
              {"sk", AttributeValue::String("item#" + Padded(i, 7))},
              {"n", AttributeValue::Num(Number::FromInt(i))},
              {"payload", AttributeValue::String(std::string(48, 'x'))}};
}

class Loader {
 public:
  explicit Loader(TableStore& tables) : tables_(tables) {}

  // Writes `items` with BatchWriteItem (25 per job), keeping many jobs in flight so the
  // writer's group commit batches them, as concurrent clients would.
  void Write(std::vector<Item> items) {
    BatchWriteRequest batch;
    for (auto& item : items) {
      batch.entries.push_back({"bench", true, std::move(item)});
      if (batch.entries.size() == 25) Submit(std::move(batch)), batch = {};
    }
    if (!batch.entries.empty()) Submit(std::move(batch));
  }

  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_ == 0; });
    EXPECT_EQ(failures_.load(), 0);
  }

 private:
  void Submit(BatchWriteRequest batch) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return in_flight_ < 256; });
      ++in_flight_;
    }
    tables_.BatchWriteItem(std::move(batch), [this](Result<MultiWriteOutcome> r) {
      if (!r.ok()) ++failures_;
      std::lock_guard lock(mu_);
      --in_flight_;
      cv_.notify_all();
    });
  }

  TableStore& tables_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  std::atomic<int> failures_{0};
};

TEST(ReadStoreBench, DISABLED_QueryLatencyAsTheTableGrowsAndScanThroughput) {
  int64_t max_items = 1000000;
  if (const char* cap = std::getenv("STREAMSTACK_BENCH_MAX_ITEMS")) max_items = std::atoll(cap);
  auto dir = std::filesystem::temp_directory_path() /
             ("streamstack_ddb_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  storage::StoreOptions options;
  options.path = (dir / "bench.db").string();
  auto store = storage::Store::Open(options);
  ASSERT_TRUE(store.ok());
  OffsetClock clock;
  AccountScope scope{"us-east-1", "000000000000"};
  streams::StreamStore streams(**store, clock, scope);
  ASSERT_TRUE(streams.Open().ok());
  TableStore tables(**store, streams, clock, scope);
  ASSERT_TRUE(tables.Open().ok());
  CreateTableRequest create;
  create.table_name = "bench";
  create.attribute_definitions = {{"pk", "S"}, {"sk", "S"}};
  create.key_schema = {{"pk", "HASH"}, {"sk", "RANGE"}};
  create.billing_mode = "PAY_PER_REQUEST";
  ASSERT_TRUE(tables.CreateTable(create).ok());

  Loader loader(tables);
  {
    std::vector<Item> hot;
    for (int i = 0; i < kHotItems; ++i) hot.push_back(MakeItem("hot", i));
    loader.Write(std::move(hot));
    loader.Wait();
  }
  std::printf("in-process Query: partition of %d items, pages of %d, %d queries per size\n",
              kHotItems, kPage, kQueries);
  std::printf("%12s %10s %10s %10s %14s\n", "table items", "p50 us", "p90 us", "p99 us",
              "load items/s");
  int64_t total = kHotItems;
  int64_t next_filler = 0;
  std::mt19937 rng(7);
  for (int64_t size = 10000; size <= max_items; size *= 10) {
    const auto load_start = SteadyClock::now();
    const int64_t loaded_before = total;
    while (total < size) {
      std::vector<Item> filler;
      const std::string pk = "filler#" + Padded(next_filler++, 7);
      for (int i = 0; i < kFillerPartitionSize && total < size; ++i, ++total) {
        filler.push_back(MakeItem(pk, i));
      }
      loader.Write(std::move(filler));
    }
    loader.Wait();
    const double load_seconds =
        std::chrono::duration<double>(SteadyClock::now() - load_start).count();

    std::vector<double> micros;
    std::uniform_int_distribution<int> start(0, kHotItems - kPage);
    for (int q = 0; q < kQueries; ++q) {
      QueryRequest r;
      r.table_name = "bench";
      r.expressions.key_condition_expression = "pk = :p AND sk >= :s";
      r.expressions.values = std::map<std::string, AttributeValue>{
          {":p", AttributeValue::String("hot")},
          {":s", AttributeValue::String("item#" + Padded(start(rng), 7))}};
      r.limit = kPage;
      const auto t0 = SteadyClock::now();
      auto page = tables.Query(r);
      micros.push_back(Micros(SteadyClock::now() - t0));
      ASSERT_TRUE(page.ok());
      ASSERT_EQ(page->count, kPage);
    }
    std::sort(micros.begin(), micros.end());
    auto pct = [&](double p) { return micros[static_cast<size_t>(p * (micros.size() - 1))]; };
    std::printf(
        "%12lld %10.0f %10.0f %10.0f %14.0f\n", static_cast<long long>(size), pct(0.5), pct(0.9),
        pct(0.99),
        size > loaded_before ? static_cast<double>(size - loaded_before) / load_seconds : 0.0);
    std::fflush(stdout);
  }

  // Scan: every page (1 MB each) of the whole table.
  for (int round = 0; round < 3; ++round) {
    ScanRequest scan;
    scan.table_name = "bench";
    int64_t items = 0;
    const auto t0 = SteadyClock::now();
    while (true) {
      auto page = tables.Scan(scan);
      ASSERT_TRUE(page.ok());
      items += page->count;
      if (!page->last_evaluated_key) break;
      scan.exclusive_start_key = page->last_evaluated_key;
    }
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - t0).count();
    std::printf("in-process Scan round %d: %lld items in %.2f s = %.0f items/s\n", round,
                static_cast<long long>(items), seconds, static_cast<double>(items) / seconds);
  }
  Status closed = (*store)->Close();
  EXPECT_TRUE(closed.ok());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace streamstack::dynamodb
