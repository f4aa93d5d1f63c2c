#include "streamstack/lambda/invoke.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "lambda/timer_queue.h"
#include "streamstack/common/function_log.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

// The invocation's log as AWS writes it (see InvokeOutput::log).
std::string InvocationLog(const InvokeOutcome& o, const FunctionTarget& f,
                          const std::string& request_id) {
  return o.init_log + StartLine(request_id, f.version) + o.log + EndLine(request_id) +
         ReportLine(request_id, {o.duration, f.memory_size_mb, o.max_memory_used_mb,
                                 o.init_duration});
}

// The function's own answer of a RequestResponse call, as Invoke returns it.
Result<InvokeOutput> ToInvokeOutput(InvokeOutcome outcome, size_t max_response,
                                    const FunctionTarget& function,
                                    const std::string& request_id) {
  InvokeOutput out;
  out.executed_version = function.version;
  if (outcome.kind != InvokeOutcome::Kind::kServiceError) {
    out.log = InvocationLog(outcome, function, request_id);
  }
  switch (outcome.kind) {
    case InvokeOutcome::Kind::kServiceError:
      return std::move(outcome.service_error);
    case InvokeOutcome::Kind::kFunctionError:
      out.function_error = std::move(outcome.function_error);
      out.payload = std::move(outcome.payload);
      return out;
    case InvokeOutcome::Kind::kSuccess:
      break;
  }
  if (outcome.payload.size() > max_response) {
    out.function_error = "Unhandled";
    out.payload = ErrorDocument("Function.ResponseSizeTooLarge",
                                "Response payload size exceeded maximum allowed payload size (" +
                                    std::to_string(max_response) + " bytes).");
    return out;
  }
  out.payload = std::move(outcome.payload);
  return out;
}

Invocation MakeInvocation(FunctionTarget function, std::string payload, std::string request_id,
                          bool asynchronous, std::string client_context = "") {
  Invocation inv;
  inv.client_context = std::move(client_context);
  inv.function = std::move(function);
  inv.payload = payload.empty() ? std::string("{}") : std::move(payload);
  inv.request_id = std::move(request_id);
  inv.asynchronous = asynchronous;
  return inv;
}

}  // namespace

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
                           std::string payload, const std::string& request_id, Callback done,
                           std::string client_context) {
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
  if (type == InvocationType::kEvent) {
    if (shared_->pending.load() >= options_.max_pending_events) {
      return done(Status(AwsError::kTooManyRequests, "Rate Exceeded."));
    }
    auto event = std::make_shared<Event>();
    event->function_name = function_name;  // as named: a retry resolves its alias again
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

  size_t max_response = options_.max_sync_payload;
  FunctionTarget function = target.value();
  invoker_.Invoke(MakeInvocation(std::move(target).value(), std::move(payload), request_id,
                                 /*asynchronous=*/false, std::move(client_context)),
                  [max_response, function = std::move(function), request_id,
                   done = std::move(done)](InvokeOutcome outcome) {
                    done(ToInvokeOutput(std::move(outcome), max_response, function, request_id));
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
  shared->attempts.fetch_add(1);
  Invocation invocation = MakeInvocation(std::move(target).value(), event->payload,
                                         event->request_id, /*asynchronous=*/true);
  invoker_.Invoke(std::move(invocation), [this, shared, event, give_up](InvokeOutcome outcome) {
    if (shared->Stopped()) return give_up(*event, "stopping");
    if (outcome.ok()) {
      shared->succeeded.fetch_add(1);
      shared->pending.fetch_sub(1);
      return;
    }
    std::chrono::milliseconds delay{0};
    if (outcome.kind == InvokeOutcome::Kind::kFunctionError) {
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
