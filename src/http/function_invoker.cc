#include "streamstack/http/function_invoker.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <utility>

#include "streamstack/common/ids.h"

namespace streamstack::http {
namespace {

std::string TargetDescription(const FunctionTarget& f) {
  return "Function " + f.function_name + "'s invoke target " + f.invoke_url;
}

// The error document of a function error answered with an HTTP error status: the target's
// own error document when it sent one, else one that says what happened.
std::string HttpErrorDocument(const HttpCallResult& r) {
  nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  if (r.Header("x-amz-function-error") != nullptr ||
      (body.is_object() && body.contains("errorMessage"))) {
    return r.body;
  }
  std::string excerpt = r.body.substr(0, 256);
  return ErrorDocument("Runtime.HttpError", "The function's invoke target answered HTTP " +
                                                std::to_string(r.status) +
                                                (excerpt.empty() ? "" : ": " + excerpt));
}

}  // namespace

InvokeOutcome ClassifyHttpAnswer(const FunctionTarget& f, const std::string& request_id,
                                 const HttpCallResult& r, int64_t now_ms) {
  switch (r.outcome) {
    case HttpCallResult::Outcome::kConnectFailed:
      // The function is not running: AWS's closest answer is ResourceNotReadyException
      // (502, "the function is not ready to be invoked"), which SDKs retry.
      return InvokeOutcome::ServiceError(
          Status(AwsError::kResourceNotReady,
                 TargetDescription(f) + " is not reachable (" + r.error +
                     "): start the function's HTTP server or point STREAMSTACK_INVOKE_URL at it"));
    case HttpCallResult::Outcome::kInvalidUrl:
      return InvokeOutcome::ServiceError(
          Status(AwsError::kInvalidParameterValue,
                 TargetDescription(f) + " is not a usable http:// URL (" + r.error +
                     "): fix the STREAMSTACK_INVOKE_URL environment variable or the config "
                     "file's invoke_url"));
    case HttpCallResult::Outcome::kTimeout:
      return InvokeOutcome::FunctionError(
          TimeoutErrorDocument(now_ms, request_id, f.timeout_seconds));
    case HttpCallResult::Outcome::kBadResponse:
      return InvokeOutcome::FunctionError(
          ErrorDocument("Runtime.InvalidResponse",
                        TargetDescription(f) + " sent an unreadable response: " + r.error));
    case HttpCallResult::Outcome::kResponse:
      break;
  }
  if (r.status == 429) {
    return InvokeOutcome::ServiceError(
        Status(AwsError::kTooManyRequests, "Rate Exceeded.")
            .WithDetails({{"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"}}));
  }
  // AWS: gateway errors never reached the function.
  if (r.status == 502 || r.status == 503 || r.status == 504) {
    return InvokeOutcome::ServiceError(
        Status(AwsError::kServiceException,
               TargetDescription(f) + " answered HTTP " + std::to_string(r.status)));
  }
  if (const std::string* type = r.Header("x-amz-function-error")) {
    return InvokeOutcome::FunctionError(HttpErrorDocument(r), type->empty() ? "Unhandled" : *type);
  }
  if (r.status < 200 || r.status >= 300) {
    return InvokeOutcome::FunctionError(HttpErrorDocument(r));
  }
  return InvokeOutcome::Success(r.body);
}

void HttpFunctionInvoker::Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) {
  const FunctionTarget& f = invocation.function;
  if (f.invoke_url.empty()) {
    return done(InvokeOutcome::ServiceError(Status(
        AwsError::kInvalidParameterValue, "Function " + f.function_name + " has no invoke URL")));
  }
  HttpCall call;
  call.url = f.invoke_url;
  call.body = invocation.payload.empty() ? std::string("{}") : std::move(invocation.payload);
  call.timeout = std::chrono::milliseconds(int64_t{f.timeout_seconds} * 1000);
  call.headers.emplace_back("X-Amz-Invocation-Type",
                            invocation.asynchronous ? "Event" : "RequestResponse");
  if (!invocation.client_context.empty()) {
    call.headers.emplace_back("X-Amz-Client-Context", Base64Encode(invocation.client_context));
  }
  http_.Invoke(std::move(call), [function = f, request_id = std::move(invocation.request_id),
                                 clock = &clock_, done = std::move(done)](HttpCallResult r) {
    InvokeOutcome outcome = ClassifyHttpAnswer(function, request_id, r, clock->NowMillis());
    outcome.duration = r.elapsed;
    done(std::move(outcome));
  });
}

}  // namespace streamstack::http
