#include "streamstack/lambda/invoke.h"

#include <gtest/gtest.h>

#include <thread>

#include "test_util.h"

namespace streamstack::lambda {
namespace {

using test_util::FunctionError;
using test_util::NewFunction;
using test_util::ServiceError;
using test_util::Success;
using test_util::Wait;

class InvokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test_util::MemoryStore();
    functions_ = std::make_unique<Functions>(*store_, clock_, AccountScope{});
    ASSERT_TRUE(functions_->Open().ok());
    ASSERT_TRUE(Wait<Function>([&](auto cb) {
                  functions_->Create(NewFunction("fn", "http://127.0.0.1:9/invoke"), cb);
                }).ok());
    InvokeServiceOptions options;
    options.async_retry_delays = {std::chrono::milliseconds(1), std::chrono::milliseconds(1)};
    options.service_error_backoff_cap = std::chrono::milliseconds(1);
    options.max_event_age = std::chrono::milliseconds(50);
    invoke_ = std::make_unique<InvokeService>(*functions_, invoker_, clock_, options);
  }
  Result<InvokeOutput> Call(const std::string& fn, InvocationType type, std::string payload) {
    return Wait<InvokeOutput>(
        [&](auto cb) { invoke_->Invoke(fn, type, std::move(payload), "req-1", cb); });
  }
  // Waits (bounded) until `n` events were decided (succeeded or failed).
  void AwaitEvents(uint64_t n) {
    for (int i = 0; i < 2000; ++i) {
      auto s = invoke_->GetStats();
      if (s.events_succeeded + s.events_failed >= n) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    FAIL() << "events not delivered";
  }

  OffsetClock clock_{SystemTime(std::chrono::milliseconds(1573690429717))};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Functions> functions_;
  test_util::FakeInvoker invoker_;
  std::unique_ptr<InvokeService> invoke_;
};

TEST_F(InvokeTest, RequestResponseRunsTheFunctionAsConfigured) {
  invoker_.Answer({Success("{\"ok\":true}")});
  auto r = Call("fn", InvocationType::kRequestResponse, "{\"x\":1}");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->status_code, 200u);
  EXPECT_EQ(r->payload, "{\"ok\":true}");
  EXPECT_TRUE(r->function_error.empty());
  ASSERT_EQ(invoker_.invocations().size(), 1u);
  const Invocation first = invoker_.invocations()[0];
  EXPECT_EQ(first.function.function_name, "fn");
  EXPECT_EQ(first.function.invoke_url, "http://127.0.0.1:9/invoke");
  EXPECT_EQ(first.function.timeout_seconds, 3);
  EXPECT_EQ(first.function.runtime, "python3.12");
  EXPECT_EQ(first.function.handler, "index.handler");
  EXPECT_EQ(first.payload, "{\"x\":1}");
  EXPECT_EQ(first.request_id, "req-1");
  EXPECT_FALSE(first.asynchronous);
  // An empty payload reaches the function as {}.
  ASSERT_TRUE(Call("fn", InvocationType::kRequestResponse, "").ok());
  EXPECT_EQ(invoker_.invocations()[1].payload, "{}");
}

TEST_F(InvokeTest, OutcomesMapToAwsAnswers) {
  struct Case {
    const char* what;
    InvokeOutcome outcome;
    AwsError error;  // kOk: a 200 answer
    std::string function_error;
  } cases[] = {
      {"success", Success("1"), AwsError::kOk, ""},
      {"function error", FunctionError(), AwsError::kOk, "Unhandled"},
      {"throttled", ServiceError(AwsError::kTooManyRequests), AwsError::kTooManyRequests, ""},
      {"unreachable", ServiceError(AwsError::kResourceNotReady), AwsError::kResourceNotReady, ""},
      {"gateway", ServiceError(AwsError::kServiceException), AwsError::kServiceException, ""},
  };
  for (const auto& c : cases) {
    invoker_.Answer({c.outcome});
    auto r = Call("fn", InvocationType::kRequestResponse, "{}");
    if (c.error == AwsError::kOk) {
      ASSERT_TRUE(r.ok()) << c.what << ": " << r.status().message();
      EXPECT_EQ(r->function_error, c.function_error) << c.what;
      EXPECT_EQ(r->payload, c.outcome.payload) << c.what;
    } else {
      ASSERT_FALSE(r.ok()) << c.what;
      EXPECT_EQ(r.status().code(), c.error) << c.what;
      EXPECT_EQ(r.status().message(), "scripted") << c.what;
    }
  }
}

TEST_F(InvokeTest, AnAnswerOverSixMegabytesIsAFunctionError) {
  invoker_.Answer({Success(std::string(6291457, '1'))});
  auto r = Call("fn", InvocationType::kRequestResponse, "{}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->function_error, "Unhandled");
  EXPECT_EQ(r->payload,
            "{\"errorMessage\":\"Response payload size exceeded maximum allowed payload size "
            "(6291456 bytes).\",\"errorType\":\"Function.ResponseSizeTooLarge\"}");
}

TEST_F(InvokeTest, TimeoutDocumentIsAwsShaped) {
  EXPECT_EQ(TimeoutErrorDocument(1573690429717, "req-1", 3),
            "{\"errorMessage\":\"2019-11-14T00:13:49.717Z req-1 Task timed out after 3.00 "
            "seconds\"}");
}

TEST_F(InvokeTest, RejectionsBeforeAnyCall) {
  auto missing = Call("nope", InvocationType::kRequestResponse, "{}");
  EXPECT_EQ(missing.status().code(), AwsError::kResourceNotFound);
  auto big = Call("fn", InvocationType::kRequestResponse, std::string(6291457, ' '));
  EXPECT_EQ(big.status().code(), AwsError::kRequestTooLarge);
  EXPECT_EQ(big.status().message(),
            "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  auto big_event = Call("fn", InvocationType::kEvent, std::string(1048577, ' '));
  EXPECT_EQ(big_event.status().message(),
            "1048577 byte payload is too large for the Event invocation type (limit 1048576 "
            "bytes)");
  auto not_json = Call("fn", InvocationType::kRequestResponse, "hello");
  EXPECT_EQ(not_json.status().code(), AwsError::kInvalidRequestContent);
  auto dry = Call("fn", InvocationType::kDryRun, "{}");
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->status_code, 204u);
  EXPECT_TRUE(invoker_.invocations().empty());
}

TEST_F(InvokeTest, EventRetriesTwiceOnFunctionErrors) {
  invoker_.Answer({FunctionError()});
  auto r = Call("fn", InvocationType::kEvent, "{\"e\":1}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status_code, 202u);
  AwaitEvents(1);
  ASSERT_EQ(invoker_.invocations().size(), 3u) << "the first attempt and AWS's two retries";
  for (const auto& invocation : invoker_.invocations()) {
    EXPECT_TRUE(invocation.asynchronous);
    EXPECT_EQ(invocation.payload, "{\"e\":1}");
    EXPECT_EQ(invocation.request_id, "req-1") << "a retry keeps the event's request id";
  }
  EXPECT_EQ(invoke_->GetStats().events_failed, 1u);
}

TEST_F(InvokeTest, EventSucceedsOnRetry) {
  invoker_.Answer({FunctionError(), Success("")});
  ASSERT_TRUE(Call("fn", InvocationType::kEvent, "{}").ok());
  AwaitEvents(1);
  EXPECT_EQ(invoker_.invocations().size(), 2u);
  EXPECT_EQ(invoke_->GetStats().events_succeeded, 1u);
}

TEST_F(InvokeTest, EventServiceErrorsDoNotCountAsRetries) {
  invoker_.Answer(
      {ServiceError(AwsError::kResourceNotReady), ServiceError(AwsError::kResourceNotReady),
       ServiceError(AwsError::kTooManyRequests), FunctionError(), FunctionError(), Success("")});
  ASSERT_TRUE(Call("fn", InvocationType::kEvent, "{}").ok());
  AwaitEvents(1);
  EXPECT_EQ(invoker_.invocations().size(), 6u);
  EXPECT_EQ(invoke_->GetStats().events_succeeded, 1u);
}

TEST_F(InvokeTest, EventGivesUpAfterMaximumAge) {
  invoker_.Answer({ServiceError(AwsError::kResourceNotReady)});
  ASSERT_TRUE(Call("fn", InvocationType::kEvent, "{}").ok());
  clock_.Advance(std::chrono::milliseconds(100));
  AwaitEvents(1);
  EXPECT_EQ(invoke_->GetStats().events_failed, 1u);
}

}  // namespace
}  // namespace streamstack::lambda
