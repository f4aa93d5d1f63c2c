#include "streamstack/lambda/invoke.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "lambda/timer_queue.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

// How an answer of the invoke target counts (DESIGN.md "invoke outcomes").
enum class Verdict { kSuccess, kFunctionError, kServiceError };

Verdict Classify(const InvokeResult& r) {
  switch (r.outcome) {
    case InvokeResult::Outcome::kResponse:
      if (r.status == 429 || r.status == 502 || r.status == 503 || r.status == 504) {
        return Verdict::kServiceError;
      }
      if (r.Header("x-amz-function-error") != nullptr || r.status >= 400) {
        return Verdict::kFunctionError;
      }
      return Verdict::kSuccess;
    case InvokeResult::Outcome::kTimeout:
    case InvokeResult::Outcome::kBadResponse:
      return Verdict::kFunctionError;
    case InvokeResult::Outcome::kConnectFailed:
    case InvokeResult::Outcome::kInvalidUrl:
      return Verdict::kServiceError;
  }
  return Verdict::kServiceError;
}

std::string ErrorPayload(const std::string& type, const std::string& message) {
  return json{{"errorMessage", message}, {"errorType", type}}.dump();
}

// The payload of a function error answered with an HTTP error status: the target's own
// error document when it sent one, else one that says what happened.
std::string HttpErrorPayload(const InvokeResult& r) {
  json body = json::parse(r.body, nullptr, false);
  if (r.Header("x-amz-function-error") != nullptr ||
      (body.is_object() && body.contains("errorMessage"))) {
    return r.body;
  }
  std::string excerpt = r.body.substr(0, 256);
  return ErrorPayload("Runtime.HttpError", "The function's invoke target answered HTTP " +
                                               std::to_string(r.status) +
                                               (excerpt.empty() ? "" : ": " + excerpt));
}

InvokeRequest MakeRequest(const InvokeTarget& target, std::string payload) {
  InvokeRequest req;
  req.url = target.url;
  req.body = payload.empty() ? std::string("{}") : std::move(payload);
  req.timeout = std::chrono::milliseconds(int64_t{target.timeout_seconds} * 1000);
  return req;
}

std::string TargetDescription(const InvokeTarget& t) {
  return "Function " + t.function_name + "'s invoke target " + t.url;
}

}  // namespace

std::string TimeoutErrorPayload(int64_t now_ms, const std::string& request_id,
                                int timeout_seconds) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.2f", static_cast<double>(timeout_seconds));
  return json{{"errorMessage", FormatIso8601Millis(now_ms) + " " + request_id +
                                   " Task timed out after " + seconds + " seconds"}}
      .dump();
}

struct InvokeService::Event {
  std::string function_name;
  std::string payload;
  std::string request_id;
  int function_errors = 0;  // attempts that ended in a function error
  int service_errors = 0;   // consecutive attempts that never reached the function
  int64_t accepted_ms = 0;
};

struct InvokeService::Shared {
  TimerQueue timers;
  std::mutex mu;
  bool stopped = false;  // guarded by mu
  std::atomic<size_t> pending{0};
  std::atomic<uint64_t> accepted{0}, attempts{0}, succeeded{0}, failed{0};

  bool Stopped() {
    std::lock_guard<std::mutex> lock(mu);
    return stopped;
  }
};

InvokeService::InvokeService(Functions& functions, Invoker& invoker, Clock& clock,
                             InvokeServiceOptions options)
    : functions_(functions),
      invoker_(invoker),
      clock_(clock),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>()) {}

InvokeService::~InvokeService() { Stop(); }

void InvokeService::Stop() {
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->stopped = true;
  }
  shared_->timers.Stop();
}

InvokeService::Stats InvokeService::GetStats() const {
  return Stats{shared_->accepted.load(), shared_->attempts.load(), shared_->succeeded.load(),
               shared_->failed.load()};
}

void InvokeService::Invoke(const std::string& function_name, InvocationType type,
                           std::string payload, const std::string& request_id, Callback done) {
  // AWS checks the size at its front door, before anything else.
  if (type == InvocationType::kEvent) {
    if (payload.size() > options_.max_async_payload) {
      return done(Status(AwsError::kRequestTooLarge,
                         std::to_string(payload.size()) +
                             " byte payload is too large for the Event invocation type (limit " +
                             std::to_string(options_.max_async_payload) + " bytes)"));
    }
  } else if (payload.size() > options_.max_sync_payload) {
    return done(Status(AwsError::kRequestTooLarge, "Request must be smaller than " +
                                                       std::to_string(options_.max_sync_payload) +
                                                       " bytes for the InvokeFunction operation"));
  }
  auto target = functions_.ResolveInvokeTarget(function_name);
  if (!target.ok()) return done(target.status());
  if (!payload.empty() && !json::accept(payload)) {
    std::string token =
        payload.substr(0, std::min<size_t>(payload.find_first_of(" \t\r\n,:{}[]"), 40));
    return done(Status(AwsError::kInvalidRequestContent,
                       "Could not parse request body into json: Could not parse payload into "
                       "json: Unrecognized token '" +
                           token +
                           "': was expecting (JSON String, Number, Array, Object or token "
                           "'null', 'true' or 'false')"));
  }
  if (type == InvocationType::kDryRun) {
    InvokeOutput out;
    out.status_code = 204;
    return done(std::move(out));
  }
  if (target->url.empty()) {
    return done(Status(AwsError::kInvalidParameterValue,
                       Functions::NoTargetMessage(target->function_name)));
  }

  if (type == InvocationType::kEvent) {
    if (shared_->pending.load() >= options_.max_pending_events) {
      return done(Status(AwsError::kTooManyRequests, "Rate Exceeded."));
    }
    auto event = std::make_shared<Event>();
    event->function_name = target->function_name;
    event->payload = std::move(payload);
    event->request_id = request_id;
    event->accepted_ms = clock_.NowMillis();
    shared_->pending.fetch_add(1);
    shared_->accepted.fetch_add(1);
    Deliver(std::move(event));
    InvokeOutput out;
    out.status_code = 202;
    return done(std::move(out));
  }

  InvokeTarget t = std::move(target).value();
  InvokeRequest req = MakeRequest(t, std::move(payload));
  Clock* clock = &clock_;
  size_t max_response = options_.max_sync_payload;
  invoker_.Invoke(std::move(req), [t, clock, request_id, max_response,
                                   done = std::move(done)](InvokeResult r) {
    InvokeOutput out;
    switch (r.outcome) {
      case InvokeResult::Outcome::kConnectFailed:
        // The function is not running: AWS's closest answer is ResourceNotReadyException
        // (502, "the function is not ready to be invoked"), which SDKs retry.
        return done(Status(AwsError::kResourceNotReady,
                           TargetDescription(t) + " is not reachable (" + r.error +
                               "): start the function's HTTP server or point "
                               "STREAMSTACK_INVOKE_URL at it"));
      case InvokeResult::Outcome::kInvalidUrl:
        return done(Status(AwsError::kInvalidParameterValue,
                           TargetDescription(t) + " is not a usable http:// URL (" + r.error +
                               "): fix the STREAMSTACK_INVOKE_URL environment variable or the "
                               "config file's invoke_url"));
      case InvokeResult::Outcome::kTimeout:
        out.function_error = "Unhandled";
        out.payload = TimeoutErrorPayload(clock->NowMillis(), request_id, t.timeout_seconds);
        return done(std::move(out));
      case InvokeResult::Outcome::kBadResponse:
        out.function_error = "Unhandled";
        out.payload =
            ErrorPayload("Runtime.InvalidResponse",
                         TargetDescription(t) + " sent an unreadable response: " + r.error);
        return done(std::move(out));
      case InvokeResult::Outcome::kResponse:
        break;
    }
    if (r.status == 429) {
      return done(
          Status(AwsError::kTooManyRequests, "Rate Exceeded.")
              .WithDetails({{"Reason", "ReservedFunctionConcurrentInvocationLimitExceeded"}}));
    }
    if (r.status == 502 || r.status == 503 || r.status == 504) {
      return done(Status(AwsError::kServiceException,
                         TargetDescription(t) + " answered HTTP " + std::to_string(r.status)));
    }
    if (r.Header("x-amz-function-error") != nullptr || r.status >= 400) {
      out.function_error = "Unhandled";
      out.payload = HttpErrorPayload(r);
      return done(std::move(out));
    }
    if (r.body.size() > max_response) {
      out.function_error = "Unhandled";
      out.payload = ErrorPayload("Function.ResponseSizeTooLarge",
                                 "Response payload size exceeded maximum allowed payload size (" +
                                     std::to_string(max_response) + " bytes).");
      return done(std::move(out));
    }
    out.payload = std::move(r.body);
    done(std::move(out));
  });
}

void InvokeService::Deliver(std::shared_ptr<Event> event) {
  std::shared_ptr<Shared> shared = shared_;
  auto give_up = [shared](const Event& e, const std::string& why) {
    spdlog::warn("lambda: dropping asynchronous invocation {} of {}: {}", e.request_id,
                 e.function_name, why);
    shared->failed.fetch_add(1);
    shared->pending.fetch_sub(1);
  };
  if (shared->Stopped()) return give_up(*event, "stopping");
  auto target = functions_.ResolveInvokeTarget(event->function_name);
  if (!target.ok()) return give_up(*event, target.status().message());
  if (target->url.empty()) return give_up(*event, Functions::NoTargetMessage(event->function_name));
  shared->attempts.fetch_add(1);
  InvokeRequest req = MakeRequest(*target, event->payload);
  req.headers.emplace_back("X-Amz-Invocation-Type", "Event");
  invoker_.Invoke(std::move(req), [this, shared, event, give_up](InvokeResult r) {
    if (shared->Stopped()) return give_up(*event, "stopping");
    Verdict verdict = Classify(r);
    if (verdict == Verdict::kSuccess) {
      shared->succeeded.fetch_add(1);
      shared->pending.fetch_sub(1);
      return;
    }
    std::chrono::milliseconds delay{0};
    if (verdict == Verdict::kFunctionError) {
      // AWS: two retries after function errors, then the event is discarded.
      event->service_errors = 0;
      if (event->function_errors >= static_cast<int>(options_.async_retry_delays.size())) {
        return give_up(*event, "function error after " +
                                   std::to_string(event->function_errors + 1) + " attempts");
      }
      delay = options_.async_retry_delays[event->function_errors];
      ++event->function_errors;
    } else {
      // AWS: throttles and system errors are retried until the event's maximum age; they do
      // not count toward the two retries.
      if (clock_.NowMillis() - event->accepted_ms > options_.max_event_age.count()) {
        return give_up(*event, "older than the maximum event age");
      }
      int64_t ms = 1000LL << std::min(event->service_errors, 16);
      delay = std::min(std::chrono::milliseconds(ms), options_.service_error_backoff_cap);
      ++event->service_errors;
    }
    shared->timers.Schedule(delay, [this, shared, event, give_up] {
      if (shared->Stopped()) return give_up(*event, "stopping");
      Deliver(event);
    });
  });
}

}  // namespace streamstack::lambda
