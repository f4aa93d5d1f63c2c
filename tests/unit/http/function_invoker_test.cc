#include "streamstack/http/function_invoker.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace streamstack::http {
namespace {

using Wire = HttpCallResult::Outcome;
using Kind = InvokeOutcome::Kind;

HttpCallResult Answer(unsigned status, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpCallResult r;
  r.outcome = Wire::kResponse;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

HttpCallResult Failure(Wire outcome) {
  HttpCallResult r;
  r.outcome = outcome;
  r.error = "boom";
  return r;
}

FunctionTarget Function() {
  FunctionTarget f;
  f.function_name = "fn";
  f.invoke_url = "http://127.0.0.1:9/invoke";
  f.timeout_seconds = 3;
  return f;
}

constexpr int64_t kNow = 1573690429717;  // 2019-11-14T00:13:49.717Z

// DESIGN.md "invoke outcomes": the one place an HTTP answer becomes an outcome.
TEST(ClassifyHttpAnswerTest, TheInvokeContract) {
  struct Case {
    const char* what;
    HttpCallResult answer;
    Kind kind;
    AwsError service_error;      // kServiceError only
    std::string function_error;  // kFunctionError only
  } cases[] = {
      {"200", Answer(200, "{}"), Kind::kSuccess, AwsError::kOk, ""},
      {"202", Answer(202, "anything"), Kind::kSuccess, AwsError::kOk, ""},
      {"X-Amz-Function-Error", Answer(200, "{}", {{"x-amz-function-error", "Unhandled"}}),
       Kind::kFunctionError, AwsError::kOk, "Unhandled"},
      {"handled", Answer(200, "{}", {{"x-amz-function-error", "Handled"}}), Kind::kFunctionError,
       AwsError::kOk, "Handled"},
      {"empty header", Answer(200, "{}", {{"x-amz-function-error", ""}}), Kind::kFunctionError,
       AwsError::kOk, "Unhandled"},
      {"400", Answer(400), Kind::kFunctionError, AwsError::kOk, "Unhandled"},
      {"404", Answer(404), Kind::kFunctionError, AwsError::kOk, "Unhandled"},
      {"500", Answer(500, "internal"), Kind::kFunctionError, AwsError::kOk, "Unhandled"},
      {"timeout", Failure(Wire::kTimeout), Kind::kFunctionError, AwsError::kOk, "Unhandled"},
      {"unreadable", Failure(Wire::kBadResponse), Kind::kFunctionError, AwsError::kOk, "Unhandled"},
      {"429", Answer(429), Kind::kServiceError, AwsError::kTooManyRequests, ""},
      {"502", Answer(502), Kind::kServiceError, AwsError::kServiceException, ""},
      {"503", Answer(503), Kind::kServiceError, AwsError::kServiceException, ""},
      {"504", Answer(504), Kind::kServiceError, AwsError::kServiceException, ""},
      {"refused", Failure(Wire::kConnectFailed), Kind::kServiceError, AwsError::kResourceNotReady,
       ""},
      {"bad url", Failure(Wire::kInvalidUrl), Kind::kServiceError, AwsError::kInvalidParameterValue,
       ""},
  };
  for (const auto& c : cases) {
    InvokeOutcome o = ClassifyHttpAnswer(Function(), "req-1", c.answer, kNow);
    EXPECT_EQ(o.kind, c.kind) << c.what;
    EXPECT_EQ(o.service_error.code(), c.service_error) << c.what;
    EXPECT_EQ(o.function_error, c.function_error) << c.what;
  }
}

TEST(ClassifyHttpAnswerTest, PayloadsAndMessages) {
  EXPECT_EQ(ClassifyHttpAnswer(Function(), "r", Answer(200, "[1,2]"), kNow).payload, "[1,2]");
  EXPECT_EQ(ClassifyHttpAnswer(Function(), "req-1", Failure(Wire::kTimeout), kNow).payload,
            "{\"errorMessage\":\"2019-11-14T00:13:49.717Z req-1 Task timed out after 3.00 "
            "seconds\"}");
  // A target's own error document passes through; a bare HTTP error gets one.
  EXPECT_EQ(
      ClassifyHttpAnswer(Function(), "r", Answer(500, R"({"errorMessage":"x"})"), kNow).payload,
      R"({"errorMessage":"x"})");
  EXPECT_EQ(ClassifyHttpAnswer(Function(), "r", Answer(500, "oops"), kNow).payload,
            R"({"errorMessage":"The function's invoke target answered HTTP 500: oops",)"
            R"("errorType":"Runtime.HttpError"})");
  InvokeOutcome throttled = ClassifyHttpAnswer(Function(), "r", Answer(429), kNow);
  EXPECT_EQ(throttled.service_error.message(), "Rate Exceeded.");
  EXPECT_EQ(throttled.service_error.details()["Reason"],
            "ReservedFunctionConcurrentInvocationLimitExceeded");
  InvokeOutcome refused = ClassifyHttpAnswer(Function(), "r", Failure(Wire::kConnectFailed), kNow);
  EXPECT_EQ(refused.service_error.message(),
            "Function fn's invoke target http://127.0.0.1:9/invoke is not reachable (boom): start "
            "the function's HTTP server or point STREAMSTACK_INVOKE_URL at it");
}

}  // namespace
}  // namespace streamstack::http
