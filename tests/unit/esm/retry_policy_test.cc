#include "esm/retry_policy.h"

#include <gtest/gtest.h>

#include <deque>
#include <ostream>
#include <string>
#include <vector>

#include "esm/fake_record_source.h"

namespace streamstack::esm {

// Outside the unnamed namespace: gtest finds a type's PrintTo by argument-dependent lookup,
// which looks in Step's own namespace only.
void PrintTo(const Step& s, std::ostream* os) {
  *os << "{kind " << static_cast<int>(s.kind) << ", count " << s.count << ", condition "
      << FailureConditionName(s.condition) << ", delay "
      << (s.delay_ms ? std::to_string(*s.delay_ms) : "none") << ", refill " << s.refill
      << ", function_errors " << s.function_errors << ", service_errors " << s.service_errors
      << "}";
}

namespace {

constexpr int64_t kBase = 100;
constexpr int64_t kMax = 3000;

RetryRules Rules(int maximum_retry_attempts, bool bisect) {
  RetryRules r;
  r.maximum_retry_attempts = maximum_retry_attempts;
  r.bisect_batch_on_function_error = bisect;
  r.maximum_record_age_ms = 60'000;
  r.backoff_base_ms = kBase;
  r.backoff_max_ms = kMax;
  return r;
}

Classification Answer(Verdict verdict, size_t first_failed = 0) {
  Classification c;
  c.verdict = verdict;
  c.first_failed = first_failed;
  return c;
}

Step Done(size_t n, int function_errors = 0, int service_errors = 0) {
  return {StepKind::kDone, n,     FailureCondition::kRetryAttemptsExhausted,
          std::nullopt,    false, function_errors,
          service_errors};
}
Step Retry(int64_t delay, int function_errors, int service_errors, bool refill = false) {
  return {StepKind::kRetry,
          0,
          FailureCondition::kRetryAttemptsExhausted,
          delay,
          refill,
          function_errors,
          service_errors};
}
Step Bisect(size_t first_half, int function_errors) {
  return {
      StepKind::kBisect, first_half, FailureCondition::kRetryAttemptsExhausted, std::nullopt, false,
      function_errors,   0};
}
Step RetryFrom(size_t first_failed, std::optional<int64_t> delay, bool refill) {
  return {StepKind::kRetryFrom,
          first_failed,
          FailureCondition::kRetryAttemptsExhausted,
          delay,
          refill,
          0,
          0};
}
Step Discard(size_t n, FailureCondition condition, int function_errors = 0) {
  return {StepKind::kDiscard, n, condition, std::nullopt, false, function_errors, 0};
}
Step DropWindow(int function_errors) {
  return {StepKind::kDropWindow, 0, FailureCondition::kRetryAttemptsExhausted, std::nullopt, false,
          function_errors,       0};
}

constexpr auto kExhausted = FailureCondition::kRetryAttemptsExhausted;
constexpr auto kTooOld = FailureCondition::kRecordAgeExceeded;

TEST(RetryPolicyTest, NextStep) {
  struct Case {
    const char* rule;  // the AWS rule the case checks
    BatchAttempts batch;
    Classification answer;
    RetryRules rules;
    Step want;
  } cases[] = {
      {"a successful invoke completes the batch: checkpoint past every record",
       {4, 0, 0, false},
       Answer(Verdict::kSuccess),
       Rules(-1, false),
       Done(4)},
      {"success after earlier failures still completes the batch",
       {4, 2, 1, false},
       Answer(Verdict::kSuccess),
       Rules(3, true),
       Done(4, 2, 1)},
      {"a window's final invoke (no records) that succeeds is done",
       {0, 0, 0, true},
       Answer(Verdict::kSuccess),
       Rules(-1, false),
       Done(0)},

      // MaximumRetryAttempts
      {"a function error is retried and counts toward MaximumRetryAttempts (-1: forever)",
       {4, 0, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(-1, false),
       Retry(100, 1, 0)},
      {"-1 never exhausts, however many attempts",
       {4, 10'000, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(-1, false),
       Retry(kMax, 10'001, 0)},
      {"retries back off exponentially by counted attempt",
       {4, 2, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(5, false),
       Retry(400, 3, 0)},
      {"a function error resets the consecutive service-error count",
       {4, 1, 3, false},
       Answer(Verdict::kFunctionError),
       Rules(5, false),
       Retry(200, 2, 0)},
      {"MaximumRetryAttempts N: the (N+1)th failed invoke discards the batch",
       {4, 2, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(2, false),
       Discard(4, kExhausted, 3)},
      {"MaximumRetryAttempts 0: the first failure discards the batch",
       {3, 0, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(0, false),
       Discard(3, kExhausted, 1)},
      {"retries exhausted on a window's final invoke: no records to describe, the state goes",
       {0, 1, 0, true},
       Answer(Verdict::kFunctionError),
       Rules(1, false),
       DropWindow(2)},
      {"a window's final invoke is never bisected (no records)",
       {0, 0, 0, true},
       Answer(Verdict::kFunctionError),
       Rules(-1, true),
       Retry(100, 1, 0)},

      // BisectBatchOnFunctionError
      {"bisect: a failed batch splits in two, (n+1)/2 first; splitting is no retry",
       {5, 0, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(0, true),
       Bisect(3, 0)},
      {"bisect: halves inherit the attempts counted so far",
       {4, 2, 1, false},
       Answer(Verdict::kFunctionError),
       Rules(3, true),
       Bisect(2, 2)},
      {"bisect: a single record cannot split; its failure counts",
       {1, 0, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(3, true),
       Retry(100, 1, 0)},
      {"bisect: a single record's retries run out like any batch's",
       {1, 3, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(3, true),
       Discard(1, kExhausted, 4)},
      {"bisect off: the whole batch is retried",
       {4, 0, 0, false},
       Answer(Verdict::kFunctionError),
       Rules(3, false),
       Retry(100, 1, 0)},

      // Service errors (throttled, unreachable, function not resolvable)
      {"a service error is retried and does not count toward MaximumRetryAttempts",
       {4, 0, 0, false},
       Answer(Verdict::kServiceError),
       Rules(0, false),
       Retry(100, 0, 1)},
      {"service errors back off by consecutive service errors",
       {4, 2, 3, false},
       Answer(Verdict::kServiceError),
       Rules(2, false),
       Retry(800, 2, 4)},
      {"service errors never bisect",
       {4, 0, 0, false},
       Answer(Verdict::kServiceError),
       Rules(0, true),
       Retry(100, 0, 1)},
      {"service-error back-off is capped",
       {4, 0, 40, false},
       Answer(Verdict::kServiceError),
       Rules(-1, false),
       Retry(kMax, 0, 41)},

      // ReportBatchItemFailures
      {"partial failure: the checkpoint moves to the first failed record; the rest is retried "
       "from there, refilled, with attempts from zero",
       {5, 2, 0, false},
       Answer(Verdict::kPartialFailure, 3),
       Rules(3, false),
       RetryFrom(3, 100, true)},
      {"partial failure with bisect: split at the failed record, the rest goes on at once",
       {5, 2, 0, false},
       Answer(Verdict::kPartialFailure, 3),
       Rules(3, true),
       RetryFrom(3, std::nullopt, false)},
      {"partial failure at the first record: the same batch again, counted, refilled",
       {5, 0, 2, false},
       Answer(Verdict::kPartialFailure, 0),
       Rules(3, false),
       Retry(100, 1, 0, true)},
      {"partial failure at the first record with bisect: retried as is, counted, no split",
       {5, 1, 0, false},
       Answer(Verdict::kPartialFailure, 0),
       Rules(3, true),
       Retry(200, 2, 0, false)},
      {"partial failure at the first record with retries exhausted: discarded",
       {5, 3, 0, false},
       Answer(Verdict::kPartialFailure, 0),
       Rules(3, false),
       Discard(5, kExhausted, 4)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NextStep(c.batch, c.answer, c.rules), c.want) << c.rule;
  }
}

TEST(RetryPolicyTest, BackoffDelay) {
  struct Case {
    int attempt;
    int64_t want;
  } cases[] = {{0, 100}, {1, 100}, {2, 200}, {3, 400}, {5, 1600}, {6, 3000}, {1000, 3000}};
  for (const Case& c : cases) {
    EXPECT_EQ(BackoffDelayMs(c.attempt, kBase, kMax), c.want) << c.attempt;
  }
  EXPECT_EQ(BackoffDelayMs(1, 5000, 3000), 3000);  // a base over the cap waits the cap
}

// AWS: records older than MaximumRecordAgeInSeconds are not sent; they are discarded and
// described to the destination. Only the leading, oldest records of a batch can be too old.
TEST(RetryPolicyTest, RecordAge) {
  constexpr int64_t kNow = 1'000'000;
  auto records = [](std::vector<int64_t> ages_ms) {
    std::vector<Record> out;
    int64_t sequence = 1;
    for (int64_t age : ages_ms) out.push_back({sequence++, kNow - age, kNow, "{}"});
    return out;
  };
  const Step invoke{};
  struct Case {
    const char* rule;
    std::vector<int64_t> ages_ms;
    bool window_final;
    Step want;
  } cases[] = {
      {"records within the age limit are invoked", {60'000, 30'000, 0}, false, invoke},
      {"exactly at the limit is not too old", {60'000}, false, invoke},
      {"the leading records over the limit are discarded",
       {90'000, 60'001, 10, 0},
       false,
       Discard(2, kTooOld)},
      {"only the leading run: an old record after a young one waits for its own turn",
       {90'000, 10, 90'000},
       false,
       Discard(1, kTooOld)},
      {"a batch entirely over the limit is discarded whole",
       {90'000, 80'000},
       false,
       Discard(2, kTooOld)},
      {"a window's final invoke carries no records: nothing to age", {}, true, invoke},
  };
  for (const Case& c : cases) {
    std::vector<Record> batch = records(c.ages_ms);
    EXPECT_EQ(StepBeforeInvoke(batch, c.window_final, kNow, Rules(-1, false)), c.want) << c.rule;
  }
  // MaximumRecordAgeInSeconds -1 is resolved by the engine to the stream's 24 h retention.
  RetryRules retention = Rules(-1, false);
  retention.maximum_record_age_ms = int64_t{24} * 3600 * 1000;
  std::vector<Record> day_old = records({int64_t{24} * 3600 * 1000 + 1, 5});
  EXPECT_EQ(StepBeforeInvoke(day_old, false, kNow, retention), Discard(1, kTooOld));
}

// The rules a lane follows over a run of invokes of a function that always fails: drives
// NextStep as the engine does (halves go to the front, a retry keeps the batch) and records
// which batch sizes were invoked and which were discarded.
struct LaneRun {
  std::vector<size_t> invoked;
  std::vector<size_t> discarded;
};
LaneRun AlwaysFailing(size_t records, const RetryRules& rules, Verdict verdict) {
  LaneRun run;
  std::deque<BatchAttempts> lane{{records, 0, 0, false}};
  while (!lane.empty() && run.invoked.size() < 1000) {
    BatchAttempts& batch = lane.front();
    run.invoked.push_back(batch.records);
    Step step = NextStep(batch, Answer(verdict), rules);
    switch (step.kind) {
      case StepKind::kBisect: {
        BatchAttempts second{batch.records - step.count, step.function_errors, 0, false};
        batch = {step.count, step.function_errors, step.service_errors, false};
        lane.insert(lane.begin() + 1, second);
        break;
      }
      case StepKind::kRetry:
        batch.function_errors = step.function_errors;
        batch.service_errors = step.service_errors;
        break;
      case StepKind::kDiscard:
        run.discarded.push_back(step.count);
        lane.pop_front();
        break;
      default:
        ADD_FAILURE() << "unexpected step " << static_cast<int>(step.kind);
        lane.pop_front();
    }
  }
  return run;
}

TEST(RetryPolicyTest, BisectUntilSingleRecordsThenRetriesRunOut) {
  // AWS: BisectBatchOnFunctionError splits a failing batch until single records remain;
  // splits do not count, so each single record then gets MaximumRetryAttempts retries.
  LaneRun run = AlwaysFailing(5, Rules(1, true), Verdict::kFunctionError);
  EXPECT_EQ(run.invoked, (std::vector<size_t>{5, 3, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1}));
  EXPECT_EQ(run.discarded, (std::vector<size_t>{1, 1, 1, 1, 1}));
}

TEST(RetryPolicyTest, WithoutBisectTheWholeBatchIsRetriedThenDiscarded) {
  // AWS: MaximumRetryAttempts 2: the first invoke and two retries, then the on-failure step.
  LaneRun run = AlwaysFailing(5, Rules(2, false), Verdict::kFunctionError);
  EXPECT_EQ(run.invoked, (std::vector<size_t>{5, 5, 5}));
  EXPECT_EQ(run.discarded, (std::vector<size_t>{5}));
}

TEST(RetryPolicyTest, ServiceErrorsNeverExhaustRetries) {
  // AWS: throttles and an unreachable function are retried until the records expire (the
  // record-age check before each invoke), never discarded as retries exhausted.
  LaneRun run = AlwaysFailing(5, Rules(0, true), Verdict::kServiceError);
  EXPECT_EQ(run.invoked.size(), 1000u);
  EXPECT_TRUE(run.discarded.empty());
}

// The partial-failure rules from the function's answer on: response.cc parses
// batchItemFailures, NextStep decides.
TEST(RetryPolicyTest, ReportBatchItemFailuresAnswers) {
  auto seq = [](int64_t s) { return testing::FakeRecordSource::Format(s); };
  auto failures = [](const std::string& items) {
    return R"({"batchItemFailures":[)" + items + "]}";
  };
  auto item = [&](const std::string& id) { return R"({"itemIdentifier":")" + id + R"("})"; };
  const std::vector<int64_t> sequences = {10, 11, 12, 13};
  const BatchAttempts batch{4, 0, 0, false};
  struct Case {
    const char* rule;
    std::string body;
    bool bisect;
    Step want;
  } cases[] = {
      {"an empty list is a complete success", failures(""), false, Done(4)},
      {"a null list is a complete success", R"({"batchItemFailures":null})", false, Done(4)},
      {"an empty response is a complete success", "", false, Done(4)},
      {"a null response is a complete success", "null", false, Done(4)},
      {"an empty itemIdentifier fails the whole batch: a counted retry", failures(item("")), false,
       Retry(100, 1, 0)},
      {"a null itemIdentifier fails the whole batch", failures(R"({"itemIdentifier":null})"), false,
       Retry(100, 1, 0)},
      {"an itemIdentifier under a bad key name fails the whole batch",
       failures(R"({"itemId":")" + seq(11) + R"("})"), false, Retry(100, 1, 0)},
      {"an invalid itemIdentifier fails the whole batch, which bisect splits",
       failures(item("not-a-number")), true, Bisect(2, 0)},
      {"an itemIdentifier not in the batch fails the whole batch", failures(item(seq(99))), false,
       Retry(100, 1, 0)},
      {"the lowest reported record is where the checkpoint stops",
       failures(item(seq(13)) + "," + item(seq(11))), false, RetryFrom(1, 100, true)},
      {"with bisect too, only the records from the reported one are retried, at once",
       failures(item(seq(12))), true, RetryFrom(2, std::nullopt, false)},
      {"the first record reported: the batch is retried whole, and it counts",
       failures(item(seq(10))), false, Retry(100, 1, 0, true)},
  };
  for (const Case& c : cases) {
    Classification answer = ClassifyResponse(
        InvokeOutcome::Success(c.body), {true, false, testing::FakeRecordSource::Parse}, sequences);
    EXPECT_EQ(NextStep(batch, answer, Rules(3, c.bisect)), c.want) << c.rule;
  }
}

// Tumbling windows from the function's answer on: an answer without "state" fails the batch
// (AWS: "If the response does not contain a state property, Lambda considers this a failed
// invocation"), and a window's final invoke follows the same retry rules with no records.
TEST(RetryPolicyTest, TumblingWindowAnswers) {
  const std::vector<int64_t> sequences = {10, 11, 12};
  const std::vector<int64_t> none;
  struct Case {
    const char* rule;
    BatchAttempts batch;
    InvokeOutcome outcome;
    int maximum_retry_attempts;
    Step want;
  } cases[] = {
      {"a window invoke answered with state is done",
       {3, 0, 0, false},
       InvokeOutcome::Success(R"({"state":{"n":3}})"),
       2,
       Done(3)},
      {"a window invoke answered without state is a counted failure",
       {3, 0, 0, false},
       InvokeOutcome::Success("{}"),
       2,
       Retry(100, 1, 0)},
      {"the final invoke answered with state is done (its state is dropped)",
       {0, 0, 0, true},
       InvokeOutcome::Success(R"({"state":{}})"),
       2,
       Done(0)},
      {"the final invoke answered without state is retried, counted",
       {0, 1, 0, true},
       InvokeOutcome::Success("null"),
       2,
       Retry(200, 2, 0)},
      {"the final invoke out of retries: the window's state goes, nothing is described",
       {0, 2, 0, true},
       InvokeOutcome::Success(""),
       2,
       DropWindow(3)},
      {"a throttled final invoke is retried without counting",
       {0, 2, 1, true},
       InvokeOutcome::ServiceError(Status(AwsError::kTooManyRequests, "throttled")),
       2,
       Retry(200, 2, 2)},
  };
  for (const Case& c : cases) {
    Classification answer =
        ClassifyResponse(c.outcome, {false, true, testing::FakeRecordSource::Parse},
                         c.batch.window_final ? none : sequences);
    EXPECT_EQ(NextStep(c.batch, answer, Rules(c.maximum_retry_attempts, false)), c.want) << c.rule;
  }
}

}  // namespace
}  // namespace streamstack::esm
