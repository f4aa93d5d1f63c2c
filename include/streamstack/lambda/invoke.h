// lambda: the Invoke API. RequestResponse runs the function through the Invoker (its HTTP
// target or its own code; the target decides the typed outcome) and turns the outcome into
// AWS's answer; Event answers 202 at once and delivers in the background with AWS's two
// retries on function errors; DryRun only checks. No HTTP types here.
// Thread safety: Invoke() and Stop() may be called from any thread; callbacks run on the
// Invoker's threads (or the caller's, for answers decided without a call).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/destination.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/status.h"
#include "streamstack/lambda/function.h"

namespace streamstack::lambda {

class TimerQueue;

enum class InvocationType { kRequestResponse, kEvent, kDryRun };

struct InvokeOutput {
  unsigned status_code = 200;  // 200 RequestResponse, 202 Event, 204 DryRun
  std::string payload;         // the function's answer (or AWS's error payload)
  std::string function_error;  // "Unhandled" on a function error, else empty
  std::string executed_version = "$LATEST";
  // The invocation's log as AWS writes it: for a cold start what the code printed while
  // starting, then START, what the invocation printed, END and REPORT (duration, billed
  // duration, memory, Init Duration on cold starts). LogType Tail answers its last 4 KB.
  std::string log;
};

struct InvokeServiceOptions {
  // AWS: 6 MB for synchronous invocations, 1 MB (since October 2025; 256 KB before) for
  // asynchronous ones. Over: RequestEntityTooLargeException (413).
  size_t max_sync_payload = 6291456;
  size_t max_async_payload = 1048576;
  // AWS retries an asynchronous invocation twice after a function error, about one and then
  // two minutes later. We keep the count and shorten the waits (seconds, not minutes).
  std::vector<std::chrono::milliseconds> async_retry_delays{std::chrono::milliseconds(1000),
                                                            std::chrono::milliseconds(2000)};
  // Service errors (target unreachable, 429, 502-504) are retried with a doubling back-off up
  // to this cap until the event is older than max_event_age (AWS: 6 hours), without counting
  // toward the two retries -- as AWS does for throttles.
  std::chrono::milliseconds service_error_backoff_cap{std::chrono::seconds(30)};
  std::chrono::milliseconds max_event_age{std::chrono::hours(6)};
  // Events queued or in flight at once; over: TooManyRequestsException.
  size_t max_pending_events = 10000;
};

class InvokeService {
 public:
  using Callback = std::function<void(Result<InvokeOutput>)>;

  InvokeService(Functions& functions, Invoker& invoker, Clock& clock,
                InvokeServiceOptions options = {});
  ~InvokeService();  // Stop()s
  InvokeService(const InvokeService&) = delete;
  InvokeService& operator=(const InvokeService&) = delete;

  // `function_name` in any form the API accepts; `request_id` is the API request's id (it
  // appears in AWS's timeout message). Errors: ResourceNotFoundException (no function),
  // RequestTooLarge (payload over the limit), InvalidRequestContentException (payload not
  // JSON), TooManyRequestsException (too many pending events), and for RequestResponse the
  // service error the function's target reported (throttled, unreachable, ...).
  // `client_context` is the ClientContext JSON (already base64-decoded) or empty.
  void Invoke(const std::string& function_name, InvocationType type, std::string payload,
              const std::string& request_id, Callback done, std::string client_context = "");

  // Where asynchronous invocations' OnSuccess / OnFailure records go (SQS, SNS, a function).
  // Set once before serving; without it the records are not sent.
  void SetDestinations(Destination* destinations) { destinations_ = destinations; }

  // Drops pending Event retries; later retries and Event deliveries are not made. Idempotent.
  void Stop();

  struct Stats {
    uint64_t events_accepted = 0;
    uint64_t event_attempts = 0;
    uint64_t events_succeeded = 0;
    uint64_t events_failed = 0;  // gave up: retries exhausted or too old
  };
  Stats GetStats() const;

 private:
  struct Event;
  struct Shared;
  void Deliver(std::shared_ptr<Event> event);
  // The event is done: its record goes to the destination `config` names for `condition`.
  void Conclude(const Event& event, const std::optional<EventInvokeConfig>& config,
                const char* condition, const InvokeOutcome* outcome,
                const std::string& executed_version);

  Functions& functions_;
  Invoker& invoker_;
  Clock& clock_;
  const InvokeServiceOptions options_;
  std::shared_ptr<Shared> shared_;  // outlives callbacks still in the Invoker
  Destination* destinations_ = nullptr;
};

}  // namespace streamstack::lambda
