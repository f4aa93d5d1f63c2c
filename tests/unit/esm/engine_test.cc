// The delivery engine end to end in memory: a fake RecordSource, a scripted Invoker, fake
// checkpoints, destination and functions, and a fixed Clock that only the test moves. Each
// test waits (bounded) for the engine's asynchronous work; none sleeps.
#include "streamstack/esm/engine.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "esm/engine_fakes.h"
#include "esm/fake_record_source.h"
#include "streamstack/common/metrics.h"

namespace streamstack::esm {
namespace {

using nlohmann::json;
using testing::Call;
using testing::Events;
using testing::FakeCheckpoints;
using testing::FakeDestination;
using testing::FakeFunctions;
using testing::FakeInvoker;
using testing::FakeRecordSource;

constexpr const char* kSource = "arn:fake:source/orders";
constexpr const char* kShard = "shard-0";
constexpr const char* kUuid = "mapping-1";
constexpr const char* kFunction = "arn:aws:lambda:us-east-1:000000000000:function:f";
constexpr const char* kQueue = "arn:aws:sqs:us-east-1:000000000000:failures";
// 2024-06-10T19:26:00.000Z: on a tumbling window boundary of 30 s and 60 s.
constexpr int64_t kStartMs = 1718047560000;

InvokeOutcome Ok(std::string payload = "") { return InvokeOutcome::Success(std::move(payload)); }
InvokeOutcome Fails() { return InvokeOutcome::FunctionError(R"({"errorMessage":"boom"})"); }

bool Contains(const json& event, int n) {
  for (const auto& r : event["Records"]) {
    if (r["n"] == n) return true;
  }
  return false;
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() { source_.AddShard(kSource, kShard); }
  ~EngineTest() override {
    if (engine_) engine_->Stop();
  }

  static EngineOptions Options() {
    EngineOptions o;
    o.poll_interval = std::chrono::milliseconds(0);  // every append wakes the engine
    o.threads = 2;
    o.retry_backoff_base = std::chrono::milliseconds(0);  // retries at once, unless a test
    o.retry_backoff_max = std::chrono::milliseconds(0);   // wants to see the back-off
    o.stream_retry = std::chrono::milliseconds(5);
    o.destination_retry = std::chrono::milliseconds(1);
    return o;
  }

  void Start(EngineOptions options = Options()) {
    engine_ = std::make_unique<DeliveryEngine>(source_, invoker_, checkpoints_, destination_,
                                               functions_, clock_, metrics_, options);
    engine_->Start();
  }

  static MappingConfig Mapping() {
    MappingConfig c;
    c.uuid = kUuid;
    c.function_arn = kFunction;
    c.event_source_arn = kSource;
    c.batch_size = 10;
    return c;
  }

  // Appends record n (its item key `key`), created now or `age_ms` ago.
  int64_t Put(int n, const std::string& key = "k", int64_t age_ms = 0,
              const std::string& shard = kShard) {
    json record = {{"n", n}, {"key", key}};
    return source_.Append(kSource, shard, record.dump(), clock_.NowMillis() - age_ms, key);
  }
  void PutRange(int from, int to, const std::string& key = "k") {
    for (int n = from; n <= to; ++n) Put(n, key);
  }

  // Moves the Clock and tells the engine (its batching windows, back-offs, tumbling windows).
  void Advance(int64_t ms) {
    clock_.Advance(std::chrono::milliseconds(ms));
    engine_->ClockAdvanced();
  }

  bool WaitUntil(const std::function<bool()>& done) { return events_.WaitUntil(done); }
  // Lets the mapping's strand run what is already on its way to it (an answer, a wake-up)
  // before the test moves the Clock.
  void Settle() { engine_->TEST_Barrier(); }
  bool WaitForInvokes(size_t n) {
    return WaitUntil([&] { return invoker_.count() >= n; });
  }
  bool WaitForCheckpoint(int64_t position, const std::string& shard = kShard) {
    const std::string want = FakeRecordSource::Format(position);
    return WaitUntil([&] { return checkpoints_.Get(kUuid, shard) == want; });
  }
  std::vector<std::vector<int>> Batches() const {
    std::vector<std::vector<int>> out;
    for (const Call& c : invoker_.calls()) out.push_back(c.Ns());
    return out;
  }

  Events events_;
  OffsetClock clock_{SystemTime(std::chrono::milliseconds(kStartMs))};
  FakeRecordSource source_;
  FakeInvoker invoker_{events_, clock_};
  FakeCheckpoints checkpoints_{events_};
  FakeDestination destination_{events_};
  FakeFunctions functions_;
  MetricsRegistry metrics_;
  std::unique_ptr<DeliveryEngine> engine_;  // last: stopped and destroyed first
};

using Batch = std::vector<int>;

// --- batches and checkpoints ---------------------------------------------------------------

TEST_F(EngineTest, DeliversRecordsInOrderInBatchesAndCheckpointsInTheSourcesSyntax) {
  PutRange(1, 7);
  Start();
  MappingConfig m = Mapping();
  m.batch_size = 3;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(7));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2, 3}, {4, 5, 6}, {7}}));
  EXPECT_EQ(checkpoints_.LastResult(kUuid), "OK");
  const Call first = invoker_.calls()[0];
  EXPECT_EQ(first.function_arn, kFunction);
  EXPECT_FALSE(first.request_id.empty());
  // The records exactly as the source enveloped them.
  EXPECT_EQ(first.event, json::parse(R"({"Records":[{"n":1,"key":"k"},{"n":2,"key":"k"},)"
                                     R"({"n":3,"key":"k"}]})"));

  // Records written later are delivered on the wake-up of their write.
  PutRange(8, 9);
  ASSERT_TRUE(WaitForCheckpoint(9));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST_F(EngineTest, ResumesAfterTheStoredCheckpoint) {
  PutRange(1, 5);
  checkpoints_.Preload(kUuid, kShard, FakeRecordSource::Format(3));
  Start();
  engine_->Apply(Mapping());
  ASSERT_TRUE(WaitForCheckpoint(5));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{4, 5}}));

  // A restart reads on from where the last engine checkpointed.
  engine_->Stop();
  EXPECT_EQ(source_.listeners(), 0u);
  PutRange(6, 7);
  Start();
  engine_->Apply(Mapping());
  ASSERT_TRUE(WaitForCheckpoint(7));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{4, 5}, {6, 7}}));
}

TEST_F(EngineTest, FiltersDropRecordsAndCheckpointPastThem) {
  Put(1, "a");
  Put(2, "b");
  Put(3, "a");
  Put(4, "b");
  Start();
  MappingConfig m = Mapping();
  m.filter_patterns = {R"({"key":["a"]})"};
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(4));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1, 3}));
}

TEST_F(EngineTest, BatchingWindowWaitsOnTheClockForAFullerBatch) {
  Start();
  MappingConfig m = Mapping();
  m.maximum_batching_window_in_seconds = 5;
  engine_->Apply(m);
  PutRange(1, 2);
  Settle();  // read at the start
  Advance(3000);
  Put(3);
  Settle();
  Advance(2500);  // 5 s after the first record was read
  ASSERT_TRUE(WaitForCheckpoint(3));
  ASSERT_EQ(Batches(), (std::vector<Batch>{{1, 2, 3}}));
  EXPECT_GE(invoker_.calls()[0].at_ms, kStartMs + 5000);
}

// --- failures --------------------------------------------------------------------------------

TEST_F(EngineTest, FunctionErrorsAreRetriedUpToMaximumRetryAttemptsThenDescribed) {
  invoker_.SetScript([](const json&, int) { return Fails(); });
  PutRange(1, 2);
  Start();
  MappingConfig m = Mapping();
  m.maximum_retry_attempts = 2;
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(2));  // done once the destination has the description
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2}, {1, 2}, {1, 2}}));
  EXPECT_EQ(checkpoints_.LastResult(kUuid), "PROBLEM: Function call failed");
  auto sent = destination_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first, kQueue);
  const json& record = sent[0].second;
  EXPECT_EQ(record["requestContext"]["condition"], "RetryAttemptsExhausted");
  EXPECT_EQ(record["requestContext"]["approximateInvokeCount"], 3);
  EXPECT_EQ(record["requestContext"]["functionArn"], kFunction);
  EXPECT_EQ(record["requestContext"]["requestId"], invoker_.calls().back().request_id);
  EXPECT_EQ(record["responseContext"]["functionError"], "Unhandled");
  // The source wrote its own section, positions in its own syntax.
  EXPECT_EQ(record["FakeBatchInfo"], json({{"shardId", kShard},
                                           {"start", "pos-1"},
                                           {"end", "pos-2"},
                                           {"firstCreated", kStartMs},
                                           {"lastCreated", kStartMs},
                                           {"batchSize", 2},
                                           {"source", kSource}}));
}

TEST_F(EngineTest, RetriesBackOffOnTheClock) {
  invoker_.SetScript([](const json&, int n) { return n == 1 ? Fails() : Ok(); });
  Put(1);
  EngineOptions o = Options();
  o.retry_backoff_base = std::chrono::milliseconds(1000);
  o.retry_backoff_max = std::chrono::milliseconds(3000);
  Start(o);
  engine_->Apply(Mapping());
  ASSERT_TRUE(WaitForInvokes(1));
  Settle();  // the answer arrived: the back-off runs from now on the Clock
  Advance(400);
  Advance(700);
  ASSERT_TRUE(WaitForCheckpoint(1));
  auto calls = invoker_.calls();
  ASSERT_EQ(calls.size(), 2u);
  // Only the Clock moved time: the retry waited for the back-off's deadline on it.
  EXPECT_GE(calls[1].at_ms, calls[0].at_ms + 1000);
}

TEST_F(EngineTest, ServiceErrorsAreRetriedWithoutCounting) {
  invoker_.SetScript([](const json&, int n) {
    return n <= 3 ? InvokeOutcome::ServiceError(Status(AwsError::kTooManyRequests, "throttled"))
                  : Ok();
  });
  PutRange(1, 2);
  Start();
  MappingConfig m = Mapping();
  m.maximum_retry_attempts = 0;
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(2));
  EXPECT_EQ(invoker_.count(), 4u);
  EXPECT_EQ(destination_.count(), 0u);
  EXPECT_EQ(checkpoints_.LastResult(kUuid), "OK");
}

TEST_F(EngineTest, BisectIsolatesThePoisonRecord) {
  invoker_.SetScript([](const json& event, int) { return Contains(event, 3) ? Fails() : Ok(); });
  PutRange(1, 4);
  Start();
  MappingConfig m = Mapping();
  m.bisect_batch_on_function_error = true;
  m.maximum_retry_attempts = 1;
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(4));
  // AWS: halves are retried at once and splitting is no retry; the record alone is retried
  // MaximumRetryAttempts times, then discarded.
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2, 3, 4}, {1, 2}, {3, 4}, {3}, {3}, {4}}));
  auto sent = destination_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second["FakeBatchInfo"]["start"], "pos-3");
  EXPECT_EQ(sent[0].second["FakeBatchInfo"]["end"], "pos-3");
  EXPECT_EQ(sent[0].second["FakeBatchInfo"]["batchSize"], 1);
}

TEST_F(EngineTest, RecordsOverTheAgeLimitAreDiscardedBeforeTheInvoke) {
  Put(1, "k", /*age_ms=*/120000);
  Put(2, "k", /*age_ms=*/90000);
  Put(3);
  Start();
  MappingConfig m = Mapping();
  m.maximum_record_age_in_seconds = 60;
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(3));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{3}}));
  auto sent = destination_.sent();
  ASSERT_EQ(sent.size(), 1u);
  const json& record = sent[0].second;
  EXPECT_EQ(record["requestContext"]["condition"], "RecordAgeExceeded");
  EXPECT_EQ(record["requestContext"]["approximateInvokeCount"], 1);  // AWS counts at least 1
  EXPECT_FALSE(record.contains("responseContext"));
  EXPECT_EQ(record["FakeBatchInfo"]["start"], "pos-1");
  EXPECT_EQ(record["FakeBatchInfo"]["end"], "pos-2");
}

TEST_F(EngineTest, RecordsThatExpireWhileRetriedAreDiscarded) {
  invoker_.SetScript([](const json&, int) { return Fails(); });
  Put(1);
  EngineOptions o = Options();
  o.retry_backoff_base = std::chrono::milliseconds(10000);
  o.retry_backoff_max = std::chrono::milliseconds(10000);
  Start(o);
  MappingConfig m = Mapping();
  m.maximum_record_age_in_seconds = 60;  // retries: until the record expires
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForInvokes(1));
  Settle();
  Advance(10000);
  ASSERT_TRUE(WaitForInvokes(2));
  Settle();
  Advance(55000);  // 65 s old at the next attempt
  ASSERT_TRUE(WaitForCheckpoint(1));
  EXPECT_EQ(invoker_.count(), 2u);
  auto sent = destination_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second["requestContext"]["condition"], "RecordAgeExceeded");
  EXPECT_EQ(sent[0].second["requestContext"]["approximateInvokeCount"], 2);
}

TEST_F(EngineTest, WithoutADestinationDiscardedRecordsAreOnlyCheckpointedPast) {
  invoker_.SetScript([](const json& event, int) { return Contains(event, 1) ? Fails() : Ok(); });
  Put(1);
  Start();
  MappingConfig m = Mapping();
  m.maximum_retry_attempts = 0;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(1));
  Put(2);
  ASSERT_TRUE(WaitForCheckpoint(2));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1}, {2}}));
  EXPECT_EQ(destination_.count(), 0u);
}

TEST_F(EngineTest, ARefusedDescriptionIsHandedOverAgain) {
  invoker_.SetScript([](const json&, int) { return Fails(); });
  destination_.Refuse(2);
  Put(1);
  Start();
  MappingConfig m = Mapping();
  m.maximum_retry_attempts = 0;
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(1));
  auto sent = destination_.sent();
  ASSERT_EQ(sent.size(), 3u);  // two refusals, then accepted
  EXPECT_EQ(sent[0].second, sent[2].second);
  EXPECT_EQ(invoker_.count(), 1u);
}

TEST_F(EngineTest, ADescriptionRefusedThreeTimesIsGivenUpAndTheShardGoesOn) {
  invoker_.SetScript([](const json& event, int) { return Contains(event, 1) ? Fails() : Ok(); });
  destination_.Refuse(100);
  Put(1);
  Start();
  MappingConfig m = Mapping();
  m.maximum_retry_attempts = 0;
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(1));
  EXPECT_EQ(destination_.count(), 3u);
  Put(2);
  ASSERT_TRUE(WaitForCheckpoint(2));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1, 2}));
}

TEST_F(EngineTest, AFunctionThatCannotBeFoundIsRetriedWithoutCounting) {
  functions_.Fail(2);
  Put(1);
  Start();
  MappingConfig m = Mapping();
  m.maximum_retry_attempts = 0;
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(1));
  EXPECT_EQ(invoker_.count(), 1u);
  EXPECT_EQ(destination_.count(), 0u);
  EXPECT_EQ(checkpoints_.LastResult(kUuid), "OK");
}

// --- ReportBatchItemFailures -----------------------------------------------------------------

std::string Failures(std::initializer_list<std::string> ids) {
  json items = json::array();
  for (const auto& id : ids) items.push_back({{"itemIdentifier", id}});
  return json({{"batchItemFailures", items}}).dump();
}

TEST_F(EngineTest, PartialBatchFailureRetriesFromTheFirstReportedRecord) {
  invoker_.SetScript([](const json&, int n) {
    // The itemIdentifier is the record's position in the source's syntax.
    return n == 1 ? Ok(Failures({"pos-5", "pos-3"})) : Ok();
  });
  PutRange(1, 5);
  Start();
  MappingConfig m = Mapping();
  m.report_batch_item_failures = true;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(5));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2, 3, 4, 5}, {3, 4, 5}}));
}

TEST_F(EngineTest, PartialBatchAnswersAreIgnoredWithoutTheResponseType) {
  invoker_.SetScript([](const json&, int) { return Ok(Failures({"pos-2"})); });
  PutRange(1, 3);
  Start();
  engine_->Apply(Mapping());
  ASSERT_TRUE(WaitForCheckpoint(3));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2, 3}}));
}

TEST_F(EngineTest, AnItemIdentifierNotInTheBatchFailsTheWholeBatch) {
  invoker_.SetScript([](const json&, int n) {
    // A SequenceNumber of another source's syntax names no record of this batch.
    return n == 1 ? Ok(Failures({"100000000000000000002"})) : Ok();
  });
  PutRange(1, 3);
  Start();
  MappingConfig m = Mapping();
  m.report_batch_item_failures = true;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(3));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2, 3}, {1, 2, 3}}));
}

TEST_F(EngineTest, AFirstRecordReportedUntilRetriesRunOutIsDiscardedAlone) {
  invoker_.SetScript(
      [](const json& event, int) { return Contains(event, 2) ? Ok(Failures({"pos-2"})) : Ok(); });
  PutRange(1, 3);
  Start();
  MappingConfig m = Mapping();
  m.report_batch_item_failures = true;
  m.bisect_batch_on_function_error = true;  // no refill: the retried batch stays as it is
  m.maximum_retry_attempts = 1;
  m.on_failure_destination = kQueue;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(3));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2, 3}, {2, 3}, {2, 3}}));
  auto sent = destination_.sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].second["FakeBatchInfo"]["start"], "pos-2");
  EXPECT_EQ(sent[0].second["FakeBatchInfo"]["end"], "pos-3");
  EXPECT_EQ(sent[0].second["responseContext"]["functionError"], nullptr);
}

// --- tumbling windows ------------------------------------------------------------------------

TEST_F(EngineTest, TumblingWindowsCarryStateAndEndWithAFinalInvoke) {
  invoker_.SetScript([](const json& event, int) {
    int count = event["state"].value("count", 0) + static_cast<int>(event["Records"].size());
    return Ok(json({{"state", {{"count", count}}}}).dump());
  });
  Start();
  MappingConfig m = Mapping();
  m.tumbling_window_in_seconds = 30;
  engine_->Apply(m);
  PutRange(1, 2);
  ASSERT_TRUE(WaitForInvokes(1));
  Put(3);
  ASSERT_TRUE(WaitUntil([&] { return invoker_.InvokedNs().size() == 3; }));
  Advance(30000);  // the window ends
  ASSERT_TRUE(WaitUntil([&] {
    auto calls = invoker_.calls();
    return !calls.empty() && calls.back().event["isFinalInvokeForWindow"] == true;
  }));
  auto calls = invoker_.calls();
  const json& first = calls.front().event;
  EXPECT_EQ(first["window"],
            json({{"start", "2024-06-10T19:26:00Z"}, {"end", "2024-06-10T19:26:30Z"}}));
  EXPECT_EQ(first["state"], json::object());
  EXPECT_EQ(first["shardId"], kShard);
  EXPECT_EQ(first["eventSourceARN"], kSource);
  EXPECT_EQ(first["isFinalInvokeForWindow"], false);
  const json& last = calls.back().event;
  EXPECT_EQ(last["Records"], json::array());
  EXPECT_EQ(last["state"], json({{"count", 3}}));  // the state of the window's last answer
  EXPECT_EQ(last["window"], first["window"]);

  // The next record opens the next window with a fresh state.
  Put(4);
  ASSERT_TRUE(WaitForCheckpoint(4));
  calls = invoker_.calls();
  EXPECT_EQ(calls.back().event["window"]["start"], "2024-06-10T19:26:30Z");
  EXPECT_EQ(calls.back().event["state"], json::object());
}

TEST_F(EngineTest, ARecordOfTheNextWindowClosesTheOpenOne) {
  invoker_.SetScript([](const json&, int) { return Ok(R"({"state":{}})"); });
  Put(1);
  clock_.Advance(std::chrono::milliseconds(31000));
  Put(2);  // created in the next 30 s window
  Start();
  MappingConfig m = Mapping();
  m.tumbling_window_in_seconds = 30;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(2));
  auto calls = invoker_.calls();
  ASSERT_GE(calls.size(), 3u);
  EXPECT_EQ(calls[0].Ns(), (Batch{1}));
  EXPECT_EQ(calls[1].Ns(), Batch{});  // the first window's final invoke...
  EXPECT_EQ(calls[1].event["isFinalInvokeForWindow"], true);
  EXPECT_EQ(calls[2].Ns(), (Batch{2}));  // ...before the next window's records
}

TEST_F(EngineTest, ATumblingWindowAnswerWithoutStateIsAFailure) {
  invoker_.SetScript([](const json&, int n) { return n == 1 ? Ok("{}") : Ok(R"({"state":{}})"); });
  Put(1);
  Start();
  MappingConfig m = Mapping();
  m.tumbling_window_in_seconds = 30;
  engine_->Apply(m);
  ASSERT_TRUE(WaitForInvokes(2));
  EXPECT_EQ(Batches()[0], (Batch{1}));
  EXPECT_EQ(Batches()[1], (Batch{1}));
}

// --- shards ----------------------------------------------------------------------------------

TEST_F(EngineTest, AChildShardIsReadOnlyAfterItsParentIsDrained) {
  // The parent's records fail twice before they go through: if the child were read early,
  // its records would be invoked in between.
  invoker_.SetScript([](const json&, int n) { return n <= 2 ? Fails() : Ok(); });
  PutRange(1, 3);
  source_.AddShard(kSource, "shard-1", kShard);
  source_.CloseShard(kSource, kShard);
  Put(4, "k", 0, "shard-1");
  Put(5, "k", 0, "shard-1");
  Start();
  engine_->Apply(Mapping());
  ASSERT_TRUE(WaitForCheckpoint(5, "shard-1"));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2, 3}, {1, 2, 3}, {1, 2, 3}, {4, 5}}));
  EXPECT_EQ(checkpoints_.Get(kUuid, kShard), "pos-3");
}

TEST_F(EngineTest, AShardThatOpensLaterIsFoundByItsFirstWrite) {
  Start();
  engine_->Apply(Mapping());
  Put(1);
  ASSERT_TRUE(WaitForCheckpoint(1));
  source_.CloseShard(kSource, kShard);
  source_.AddShard(kSource, "shard-1", kShard);
  Put(2, "k", 0, "shard-1");
  ASSERT_TRUE(WaitForCheckpoint(2, "shard-1"));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1, 2}));
}

TEST_F(EngineTest, ASourceThatAppearsLaterIsListedAgain) {
  const std::string later = "arn:fake:source/later";
  Start();
  MappingConfig m = Mapping();
  m.event_source_arn = later;
  engine_->Apply(m);  // not found: looked for again every stream_retry
  source_.AddShard(later, kShard);
  source_.Append(later, kShard, R"({"n":1})", clock_.NowMillis());
  ASSERT_TRUE(WaitForCheckpoint(1));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1}));
}

TEST_F(EngineTest, TrimmedRecordsAreSkippedToTheOldestLeft) {
  PutRange(1, 2);
  checkpoints_.Preload(kUuid, kShard, FakeRecordSource::Format(1));
  source_.Trim(kSource, kShard, 2);  // 2 expired before delivery
  Put(3);
  Start();
  engine_->Apply(Mapping());
  ASSERT_TRUE(WaitForCheckpoint(3));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{3}));
}

// --- parallelization -------------------------------------------------------------------------

TEST_F(EngineTest, LanesRunKeysInParallelAndKeepTheOrderOfEachKey) {
  invoker_.Hold(true);
  const std::vector<std::string> keys = {"a", "b", "c", "d", "e", "f", "g", "h"};
  std::map<int, std::string> key_of;
  int n = 0;
  for (int round = 0; round < 5; ++round) {
    for (const auto& key : keys) {
      Put(++n, key);
      key_of[n] = key;
    }
  }
  Start();
  MappingConfig m = Mapping();
  m.batch_size = 2;
  m.parallelization_factor = 4;
  engine_->Apply(m);
  // Several lanes invoke at once.
  ASSERT_TRUE(WaitUntil([&] { return invoker_.held() >= 2; }));
  std::set<std::string> first_batches;
  for (const Call& c : invoker_.calls()) {
    for (int k : c.Ns()) first_batches.insert(key_of[k]);
  }
  EXPECT_GE(first_batches.size(), 2u);
  invoker_.Hold(false);
  invoker_.Release();
  ASSERT_TRUE(WaitForCheckpoint(n));
  // Every record once, and each key's records in order.
  std::vector<int> all = invoker_.InvokedNs();
  EXPECT_EQ(all.size(), static_cast<size_t>(n));
  std::map<std::string, int> last;
  for (int k : all) {
    EXPECT_GT(k, last[key_of[k]]) << "key " << key_of[k];
    last[key_of[k]] = k;
  }
  // No batch mixes lanes: a batch's keys all hash to one lane.
  for (const Call& c : invoker_.calls()) {
    std::set<size_t> lanes;
    for (int k : c.Ns()) lanes.insert(LaneKeyHash(key_of[k]) % 4);
    EXPECT_EQ(lanes.size(), 1u);
  }
}

// --- enable, disable, update, delete ---------------------------------------------------------

TEST_F(EngineTest, DisablingStopsAfterTheBatchInFlightAndEnablingResumes) {
  invoker_.Hold(true);
  PutRange(1, 2);
  Start();
  MappingConfig m = Mapping();
  m.batch_size = 1;
  engine_->Apply(m);
  ASSERT_TRUE(WaitUntil([&] { return invoker_.held() == 1; }));
  MappingConfig disabled = m;
  disabled.enabled = false;
  engine_->Apply(disabled);
  invoker_.Hold(false);
  invoker_.Release();  // the batch in flight completes and is checkpointed...
  ASSERT_TRUE(WaitForCheckpoint(1));
  Put(3);
  engine_->TEST_Barrier();
  engine_->TEST_Barrier();
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1}));  // ...and nothing more is invoked
  EXPECT_EQ(engine_->ActiveMappings(), 1u);

  engine_->Apply(m);
  ASSERT_TRUE(WaitForCheckpoint(3));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1, 2, 3}));
}

TEST_F(EngineTest, AMappingCreatedDisabledRunsNothing) {
  PutRange(1, 2);
  Start();
  MappingConfig m = Mapping();
  m.enabled = false;
  engine_->Apply(m);
  EXPECT_EQ(engine_->ActiveMappings(), 0u);
  engine_->TEST_Barrier();
  EXPECT_EQ(invoker_.count(), 0u);
}

TEST_F(EngineTest, AnUpdateAppliesToTheNextBatch) {
  invoker_.Hold(true);
  PutRange(1, 6);
  Start();
  MappingConfig m = Mapping();
  m.batch_size = 2;
  engine_->Apply(m);
  ASSERT_TRUE(WaitUntil([&] { return invoker_.held() == 1; }));
  m.batch_size = 4;
  engine_->Apply(m);
  engine_->TEST_Barrier();
  invoker_.Hold(false);
  invoker_.Release();
  ASSERT_TRUE(WaitForCheckpoint(6));
  EXPECT_EQ(Batches(), (std::vector<Batch>{{1, 2}, {3, 4, 5, 6}}));
}

TEST_F(EngineTest, ANewFilterReadsAgainFromTheCheckpoint) {
  invoker_.Hold(true);
  Put(1, "a");
  Put(2, "a");  // read ahead under the old filter, then read again and dropped
  Put(3, "b");
  Start();
  MappingConfig m = Mapping();
  m.batch_size = 1;
  engine_->Apply(m);
  ASSERT_TRUE(WaitUntil([&] { return invoker_.held() == 1; }));
  m.filter_patterns = {R"({"key":["b"]})"};
  engine_->Apply(m);  // a new layout: the lanes are rebuilt once the batch in flight is done
  invoker_.Hold(false);
  invoker_.Release();
  ASSERT_TRUE(WaitForCheckpoint(3));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1, 3}));
}

TEST_F(EngineTest, RemovingAMappingStopsItAndForgetsIt) {
  invoker_.Hold(true);
  PutRange(1, 2);
  Start();
  MappingConfig m = Mapping();
  m.batch_size = 1;
  engine_->Apply(m);
  ASSERT_TRUE(WaitUntil([&] { return invoker_.held() == 1; }));
  engine_->Remove(kUuid);
  invoker_.Hold(false);
  invoker_.Release();
  ASSERT_TRUE(WaitUntil([&] { return engine_->ActiveMappings() == 0; }));
  Put(3);
  engine_->TEST_Barrier();
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1}));
}

TEST_F(EngineTest, StopUnsubscribesFromTheSource) {
  Start();
  EXPECT_EQ(source_.listeners(), 1u);
  engine_->Stop();
  EXPECT_EQ(source_.listeners(), 0u);
}

// An answer that arrives after Stop (an invoker's thread finishing late) once stayed queued
// in the stopped engine's io_context, holding its mapping's runtime, which holds the engine:
// a reference cycle, so the engine was never freed (seen by LeakSanitizer).
TEST_F(EngineTest, AnAnswerAfterStopLeavesNothingThatKeepsTheEngineAlive) {
  invoker_.Hold(true);
  Put(1);
  Start();
  engine_->Apply(Mapping());
  ASSERT_TRUE(WaitUntil([&] { return invoker_.held() == 1; }));
  std::weak_ptr<const void> lifetime = engine_->TEST_Lifetime();
  engine_->Stop();
  invoker_.Release();
  engine_->Apply(Mapping());  // a mapping change after Stop is not taken either
  engine_.reset();
  EXPECT_TRUE(lifetime.expired());
}

// --- polling ---------------------------------------------------------------------------------

TEST_F(EngineTest, WithAPollIntervalTheTickFindsNewRecords) {
  EngineOptions o = Options();
  o.poll_interval = std::chrono::milliseconds(1);
  Start(o);
  engine_->Apply(Mapping());
  Put(1);
  ASSERT_TRUE(WaitForCheckpoint(1));
  Put(2);
  ASSERT_TRUE(WaitForCheckpoint(2));
  EXPECT_EQ(invoker_.InvokedNs(), (Batch{1, 2}));
}

}  // namespace
}  // namespace streamstack::esm
