#include "esm/response.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "streamstack/streams/stream_store.h"

namespace streamstack::esm {
namespace {

using Outcome = InvokeResult::Outcome;

InvokeResult Response(unsigned status, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  InvokeResult r;
  r.outcome = Outcome::kResponse;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

InvokeResult Failure(Outcome outcome) {
  InvokeResult r;
  r.outcome = outcome;
  r.error = "boom";
  return r;
}

std::string Seq(int64_t s) { return streams::StreamStore::FormatSequenceNumber(s); }

const std::vector<int64_t> kBatch = {10, 11, 12, 13};
const ResponseRules kPlain{false, false};
const ResponseRules kReport{true, false};
const ResponseRules kWindow{false, true};

TEST(ClassifyResponseTest, InvokeOutcomesAsDesignSaysThem) {
  struct Case {
    InvokeResult result;
    Verdict verdict;
  } cases[] = {
      {Response(200, "{}"), Verdict::kSuccess},
      {Response(202, "anything"), Verdict::kSuccess},
      {Response(200, "{}", {{"x-amz-function-error", "Unhandled"}}), Verdict::kFunctionError},
      {Response(400), Verdict::kFunctionError},
      {Response(404), Verdict::kFunctionError},
      {Response(500, "internal"), Verdict::kFunctionError},
      {Response(429), Verdict::kServiceError},
      {Response(502), Verdict::kServiceError},
      {Response(503), Verdict::kServiceError},
      {Response(504), Verdict::kServiceError},
      {Failure(Outcome::kTimeout), Verdict::kFunctionError},
      {Failure(Outcome::kBadResponse), Verdict::kFunctionError},
      {Failure(Outcome::kConnectFailed), Verdict::kServiceError},
      {Failure(Outcome::kInvalidUrl), Verdict::kServiceError},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ClassifyResponse(c.result, kPlain, kBatch).verdict, c.verdict)
        << static_cast<int>(c.result.outcome) << " " << c.result.status;
  }
}

TEST(ClassifyResponseTest, FunctionErrorDetailsForTheFailureRecord) {
  auto c =
      ClassifyResponse(Response(200, "{}", {{"x-amz-function-error", "Handled"}}), kPlain, kBatch);
  EXPECT_EQ(c.status_code, 200u);
  EXPECT_EQ(c.function_error, "Handled");
  c = ClassifyResponse(Response(500), kPlain, kBatch);
  EXPECT_EQ(c.status_code, 500u);
  EXPECT_EQ(c.function_error, "Unhandled");
  c = ClassifyResponse(Failure(Outcome::kTimeout), kPlain, kBatch);
  EXPECT_EQ(c.status_code, 200u);
  EXPECT_EQ(c.function_error, "Unhandled");
  c = ClassifyResponse(Response(200), kPlain, kBatch);
  EXPECT_TRUE(c.function_error.empty());
}

TEST(ClassifyResponseTest, ReportBatchItemFailuresSuccessForms) {
  // AWS: an empty or null list, an empty or null response is a complete success.
  for (const char* body : {"", "  ", "null", "{}", "[]", R"({"batchItemFailures":[]})",
                           R"({"batchItemFailures":null})", R"("ok")", "42"}) {
    EXPECT_EQ(ClassifyResponse(Response(200, body), kReport, kBatch).verdict, Verdict::kSuccess)
        << body;
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
    EXPECT_EQ(ClassifyResponse(Response(200, body), kReport, kBatch).verdict,
              Verdict::kFunctionError)
        << body;
  }
}

TEST(ClassifyResponseTest, ReportBatchItemFailuresLowestSequenceWins) {
  std::string body = R"({"batchItemFailures":[{"itemIdentifier":")" + Seq(13) +
                     R"("},{"itemIdentifier":")" + Seq(11) + R"("}]})";
  auto c = ClassifyResponse(Response(200, body), kReport, kBatch);
  EXPECT_EQ(c.verdict, Verdict::kPartialFailure);
  EXPECT_EQ(c.first_failed, 1u);
  body = R"({"batchItemFailures":[{"itemIdentifier":")" + Seq(10) + R"("}]})";
  c = ClassifyResponse(Response(200, body), kReport, kBatch);
  EXPECT_EQ(c.verdict, Verdict::kPartialFailure);
  EXPECT_EQ(c.first_failed, 0u);
}

TEST(ClassifyResponseTest, ReportedFailuresIgnoredWithoutTheResponseType) {
  std::string body = R"({"batchItemFailures":[{"itemIdentifier":""}]})";
  EXPECT_EQ(ClassifyResponse(Response(200, body), kPlain, kBatch).verdict, Verdict::kSuccess);
}

TEST(ClassifyResponseTest, FunctionErrorWinsOverReportedFailures) {
  std::string body = R"({"batchItemFailures":[{"itemIdentifier":")" + Seq(12) + R"("}]})";
  EXPECT_EQ(ClassifyResponse(Response(200, body, {{"x-amz-function-error", "Unhandled"}}), kReport,
                             kBatch)
                .verdict,
            Verdict::kFunctionError);
}

TEST(ClassifyResponseTest, TumblingWindowNeedsState) {
  auto c = ClassifyResponse(Response(200, R"({"state":{"1":282}})"), kWindow, kBatch);
  EXPECT_EQ(c.verdict, Verdict::kSuccess);
  EXPECT_EQ(c.state, R"({"1":282})");
  for (const char* body : {"", "{}", "null", R"({"batchItemFailures":[]})", "[1]"}) {
    EXPECT_EQ(ClassifyResponse(Response(200, body), kWindow, kBatch).verdict,
              Verdict::kFunctionError)
        << body;
  }
  // With ReportBatchItemFailures too: state and failures in one response.
  std::string body =
      R"({"state":{"n":1},"batchItemFailures":[{"itemIdentifier":")" + Seq(12) + R"("}]})";
  c = ClassifyResponse(Response(200, body), {true, true}, kBatch);
  EXPECT_EQ(c.verdict, Verdict::kPartialFailure);
  EXPECT_EQ(c.first_failed, 2u);
  EXPECT_EQ(c.state, R"({"n":1})");
}

}  // namespace
}  // namespace streamstack::esm
