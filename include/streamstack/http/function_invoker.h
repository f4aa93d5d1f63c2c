// http::HttpFunctionInvoker: the Invoker for functions behind HTTP, i.e. an endpoint that
// speaks the Lambda Invoke contract at the function's invoke URL (a Lambda container image
// with the Runtime Interface Emulator, `sam local start-lambda`, any small web handler).
// It POSTs the event through an HttpCaller and decides, once, what the answer means
// (DESIGN.md "invoke outcomes"): 2xx without X-Amz-Function-Error is a success; that header,
// another 4xx/5xx, an unreadable answer or the function's Timeout is a function error;
// connection refused, an unusable URL, 429 and 502-504 are service errors (the function
// did not run).
// Thread safety: Invoke() may be called from any thread; `done` runs on an HttpCaller thread.
#pragma once

#include <cstdint>
#include <functional>

#include "streamstack/common/clock.h"
#include "streamstack/common/http_call.h"
#include "streamstack/common/invoker.h"

namespace streamstack::http {

class HttpFunctionInvoker final : public Invoker {
 public:
  // Both references must outlive the invoker and every call it started.
  HttpFunctionInvoker(HttpCaller& http, const Clock& clock) : http_(http), clock_(clock) {}

  // Invocations whose function has no invoke_url are a service error.
  void Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) override;

 private:
  HttpCaller& http_;
  const Clock& clock_;
};

// What the answer `result` of the function `function` means (the rules above). `now_ms`
// and `request_id` word the timeout document. Pure; exposed for unit tests.
InvokeOutcome ClassifyHttpAnswer(const FunctionTarget& function, const std::string& request_id,
                                 const HttpCallResult& result, int64_t now_ms);

}  // namespace streamstack::http
