#include "streamstack/lambda/invoke.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "lambda/timer_queue.h"
#include "streamstack/common/function_log.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/thread_annotations.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

// The invocation's log as AWS writes it (see InvokeOutput::log).
std::string InvocationLog(const InvokeOutcome& o, const FunctionTarget& f,
                          const std::string& request_id) {
  return o.init_log + StartLine(request_id, f.version) + o.log + EndLine(request_id) +
         ReportLine(request_id,
                    {o.duration, f.memory_size_mb, o.max_memory_used_mb, o.init_duration});
}

// The function's own answer of a RequestResponse call, as Invoke returns it.
Result<InvokeOutput> ToInvokeOutput(InvokeOutcome outcome, size_t max_response,
                                    const FunctionTarget& function, const std::string& request_id) {
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
  std::string function_name;  // as named (an alias is resolved again at each attempt)
  std::string payload;
  std::string request_id;
  int function_errors = 0;  // attempts that ended in a function error
  int service_errors = 0;   // consecutive attempts that never reached the function
  int invokes = 0;          // attempts that reached the function
  int64_t accepted_ms = 0;
};

namespace {

// JSON text as a value of the record (AWS embeds the payloads as JSON; text that is not JSON
// stays a string).
json PayloadValue(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(text) : j;
}

// AWS's asynchronous invocation record (the Lambda developer guide, "Capturing records of
// asynchronous invocations").
std::string InvocationRecord(const std::string& request_id, const std::string& function_arn,
                             const char* condition, int invokes, const std::string& payload,
                             const InvokeOutcome* outcome, const std::string& executed_version,
                             int64_t now_ms) {
  json record = {{"version", "1.0"},
                 {"timestamp", FormatIso8601Millis(now_ms)},
                 {"requestContext",
                  {{"requestId", request_id},
                   {"functionArn", function_arn},
                   {"condition", condition},
                   {"approximateInvokeCount", invokes}}},
                 {"requestPayload", PayloadValue(payload)}};
  if (outcome != nullptr && outcome->kind != InvokeOutcome::Kind::kServiceError) {
    json response = {{"statusCode", 200}, {"executedVersion", executed_version}};
    if (outcome->kind == InvokeOutcome::Kind::kFunctionError) {
      response["functionError"] = outcome->function_error;
    }
    record["responseContext"] = std::move(response);
    record["responsePayload"] = PayloadValue(outcome->payload);
  }
  return record.dump();
}

}  // namespace

struct InvokeService::Shared {
  TimerQueue timers;
  Mutex mu;
  bool stopped GUARDED_BY(mu) = false;
  std::atomic<size_t> pending{0};
  std::atomic<uint64_t> accepted{0}, attempts{0}, succeeded{0}, failed{0};

  bool Stopped() {
    MutexLock lock(mu);
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
    MutexLock lock(shared_->mu);
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
  const auto config = functions_.EventInvokeConfigFor(event->function_name);
  const int64_t max_age_ms = config && config->maximum_event_age_seconds
                                 ? *config->maximum_event_age_seconds * 1000
                                 : options_.max_event_age.count();
  if (clock_.NowMillis() - event->accepted_ms > max_age_ms) {
    Conclude(*event, config, "EventAgeExceeded", nullptr, "");
    return give_up(*event, "older than the maximum event age");
  }
  const int max_retries = config && config->maximum_retry_attempts
                              ? static_cast<int>(*config->maximum_retry_attempts)
                              : 2;
  auto target = functions_.ResolveInvokeTarget(event->function_name);
  if (!target.ok()) return give_up(*event, target.status().message());
  shared->attempts.fetch_add(1);
  const std::string version = target->version;
  Invocation invocation = MakeInvocation(std::move(target).value(), event->payload,
                                         event->request_id, /*asynchronous=*/true);
  invoker_.Invoke(std::move(invocation), [this, shared, event, give_up, max_retries, version,
                                          config](InvokeOutcome outcome) {
    if (shared->Stopped()) return give_up(*event, "stopping");
    if (outcome.kind != InvokeOutcome::Kind::kServiceError) ++event->invokes;
    if (outcome.ok()) {
      shared->succeeded.fetch_add(1);
      shared->pending.fetch_sub(1);
      Conclude(*event, config, "Success", &outcome, version);
      return;
    }
    std::chrono::milliseconds delay{0};
    if (outcome.kind == InvokeOutcome::Kind::kFunctionError) {
      // AWS: MaximumRetryAttempts (two unless configured) after function errors, then the
      // event is discarded, its record sent to the OnFailure destination.
      event->service_errors = 0;
      if (event->function_errors >= max_retries) {
        Conclude(*event, config, "RetriesExhausted", &outcome, version);
        return give_up(*event, "function error after " +
                                   std::to_string(event->function_errors + 1) + " attempts");
      }
      const auto& delays = options_.async_retry_delays;
      delay = delays.empty() ? std::chrono::milliseconds(0)
                             : delays[std::min<size_t>(event->function_errors, delays.size() - 1)];
      ++event->function_errors;
    } else {
      // AWS: throttles and system errors are retried until the event's maximum age; they do
      // not count toward the two retries.
      // The next attempt checks the event's age first (Deliver).
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

void InvokeService::Conclude(const Event& event, const std::optional<EventInvokeConfig>& config,
                             const char* condition, const InvokeOutcome* outcome,
                             const std::string& executed_version) {
  if (destinations_ == nullptr || !config) return;
  const bool success = std::string_view(condition) == "Success";
  const std::string& destination = success ? config->on_success : config->on_failure;
  if (destination.empty()) return;
  const std::string function_arn =
      functions_.ArnOf(config->function_name) + ":" + config->qualifier;
  destinations_->Send(
      destination,
      InvocationRecord(event.request_id, function_arn, condition, event.invokes, event.payload,
                       outcome, executed_version, clock_.NowMillis()),
      [destination, request_id = event.request_id](Status st) {
        if (!st.ok()) {
          spdlog::warn("lambda: the record of {} did not reach {}: {}", request_id, destination,
                       st.message());
        }
      });
}

}  // namespace streamstack::lambda
