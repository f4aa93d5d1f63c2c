#include "esm/response.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "esm/fake_record_source.h"

namespace streamstack::esm {
namespace {

InvokeOutcome Success(std::string payload) { return InvokeOutcome::Success(std::move(payload)); }

// itemIdentifier is a position in the source's syntax.
using testing::FakeRecordSource;
std::string Seq(int64_t s) { return FakeRecordSource::Format(s); }

const std::vector<int64_t> kBatch = {10, 11, 12, 13};
const ResponseRules kPlain{false, false, FakeRecordSource::Parse};
const ResponseRules kReport{true, false, FakeRecordSource::Parse};
const ResponseRules kWindow{false, true, FakeRecordSource::Parse};

TEST(ClassifyResponseTest, TheTargetsOutcomeDecidesTheVerdict) {
  struct Case {
    InvokeOutcome outcome;
    Verdict verdict;
    unsigned status_code;  // the failure record's responseContext.statusCode
    std::string function_error;
  } cases[] = {
      {Success("{}"), Verdict::kSuccess, 200, ""},
      {Success(R"("anything")"), Verdict::kSuccess, 200, ""},
      {InvokeOutcome::FunctionError("{}"), Verdict::kFunctionError, 200, "Unhandled"},
      {InvokeOutcome::FunctionError("{}", "Handled"), Verdict::kFunctionError, 200, "Handled"},
      {InvokeOutcome::ServiceError(Status(AwsError::kTooManyRequests, "throttled")),
       Verdict::kServiceError, 0, ""},
      {InvokeOutcome::ServiceError(Status(AwsError::kResourceNotReady, "unreachable")),
       Verdict::kServiceError, 0, ""},
  };
  for (const auto& c : cases) {
    for (const ResponseRules& rules : {kPlain, kReport}) {
      Classification got = ClassifyResponse(c.outcome, rules, kBatch);
      EXPECT_EQ(got.verdict, c.verdict) << c.outcome.payload;
      EXPECT_EQ(got.status_code, c.status_code) << c.outcome.payload;
      EXPECT_EQ(got.function_error, c.function_error) << c.outcome.payload;
    }
  }
}

TEST(ClassifyResponseTest, ReportBatchItemFailuresSuccessForms) {
  // AWS: an empty or null list, an empty or null response is a complete success.
  for (const char* body : {"", "  ", "null", "{}", "[]", R"({"batchItemFailures":[]})",
                           R"({"batchItemFailures":null})", R"("ok")", "42"}) {
    EXPECT_EQ(ClassifyResponse(Success(body), kReport, kBatch).verdict, Verdict::kSuccess) << body;
  }
}

TEST(ClassifyResponseTest, ReportBatchItemFailuresCompleteFailureForms) {
  // AWS: an empty string, null, or badly keyed itemIdentifier fails the whole batch, as does
  // one that is not in the batch.
  for (std::string body : {
           std::string(R"({"batchItemFailures":[{"itemIdentifier":""}]})"),
           std::string(R"({"batchItemFailures":[{"itemIdentifier":null}]})"),
           std::string(R"({"batchItemFailures":[{"itemId":")") + Seq(11) + R"("}]})",
           std::string(R"({"batchItemFailures":[{"itemIdentifier":")") + Seq(99) + R"("}]})",
           std::string(R"({"batchItemFailures":[{"itemIdentifier":"not-a-number"}]})"),
           std::string(R"({"batchItemFailures":[{"itemIdentifier":11}]})"),
           std::string(R"({"batchItemFailures":["x"]})"),
           std::string(R"({"batchItemFailures":{"itemIdentifier":"x"}})"),
           std::string("not json"),
       }) {
    Classification c = ClassifyResponse(Success(body), kReport, kBatch);
    EXPECT_EQ(c.verdict, Verdict::kFunctionError) << body;
    // AWS: the function answered, so the failure record says functionError null
    // (LocalStack's recordings, test_dynamodb_report_batch_item_failure_scenarios).
    EXPECT_EQ(c.status_code, 200u) << body;
    EXPECT_EQ(c.function_error, "") << body;
  }
}

TEST(ClassifyResponseTest, ReportBatchItemFailuresLowestSequenceWins) {
  std::string body = R"({"batchItemFailures":[{"itemIdentifier":")" + Seq(13) +
                     R"("},{"itemIdentifier":")" + Seq(11) + R"("}]})";
  auto c = ClassifyResponse(Success(body), kReport, kBatch);
  EXPECT_EQ(c.verdict, Verdict::kPartialFailure);
  EXPECT_EQ(c.first_failed, 1u);
  body = R"({"batchItemFailures":[{"itemIdentifier":")" + Seq(10) + R"("}]})";
  c = ClassifyResponse(Success(body), kReport, kBatch);
  EXPECT_EQ(c.verdict, Verdict::kPartialFailure);
  EXPECT_EQ(c.first_failed, 0u);
}

TEST(ClassifyResponseTest, ReportedFailuresIgnoredWithoutTheResponseType) {
  std::string body = R"({"batchItemFailures":[{"itemIdentifier":""}]})";
  EXPECT_EQ(ClassifyResponse(Success(body), kPlain, kBatch).verdict, Verdict::kSuccess);
}

TEST(ClassifyResponseTest, FunctionErrorWinsOverReportedFailures) {
  std::string body = R"({"batchItemFailures":[{"itemIdentifier":")" + Seq(12) + R"("}]})";
  EXPECT_EQ(ClassifyResponse(InvokeOutcome::FunctionError(body), kReport, kBatch).verdict,
            Verdict::kFunctionError);
}

TEST(ClassifyResponseTest, TumblingWindowNeedsState) {
  auto c = ClassifyResponse(Success(R"({"state":{"1":282}})"), kWindow, kBatch);
  EXPECT_EQ(c.verdict, Verdict::kSuccess);
  EXPECT_EQ(c.state, R"({"1":282})");
  for (const char* body : {"", "{}", "null", R"({"batchItemFailures":[]})", "[1]"}) {
    Classification rejected = ClassifyResponse(Success(body), kWindow, kBatch);
    EXPECT_EQ(rejected.verdict, Verdict::kFunctionError) << body;
    EXPECT_EQ(rejected.function_error, "") << body;  // answered without a function error
  }
  // With ReportBatchItemFailures too: state and failures in one response.
  std::string body =
      R"({"state":{"n":1},"batchItemFailures":[{"itemIdentifier":")" + Seq(12) + R"("}]})";
  c = ClassifyResponse(Success(body), {true, true, FakeRecordSource::Parse}, kBatch);
  EXPECT_EQ(c.verdict, Verdict::kPartialFailure);
  EXPECT_EQ(c.first_failed, 2u);
  EXPECT_EQ(c.state, R"({"n":1})");
}

}  // namespace
}  // namespace streamstack::esm
