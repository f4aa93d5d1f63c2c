#include "esm/lane.h"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>

#include <algorithm>
#include <iterator>
#include <utility>

#include "esm/failure_sender.h"
#include "esm/mapping_runtime.h"
#include "esm/shard_reader.h"
#include "esm/shard_worker.h"
#include "streamstack/common/ids.h"

namespace streamstack::esm {
namespace {

constexpr const char* kProcessingOk = "OK";
constexpr const char* kFunctionCallFailed = "PROBLEM: Function call failed";

}  // namespace

Lane::Lane(MappingRuntime& mapping, ShardWorker& shard, size_t index)
    : mapping_(mapping), shard_(shard), index_(index), timer_(mapping.strand()) {}

Lane* Lane::Find(ShardWorker& shard, size_t index, uint64_t epoch) {
  if (shard.epoch != epoch || index >= shard.lanes.size()) return nullptr;
  return shard.lanes[index].get();
}

void Lane::Pump() {
  if (state_ == LaneState::kInvoking || state_ == LaneState::kSending ||
      state_ == LaneState::kBackoff) {
    return;
  }
  if (state_ == LaneState::kWindow) {
    state_ = LaneState::kIdle;
    ++timer_token_;
    timer_.cancel();
  }
  if (!mapping_.Accepting()) {
    mapping_.RequestQuiesce();
    return;
  }
  const MappingConfig& c = mapping_.config();
  const int64_t now = mapping_.Now();
  const int64_t tumbling_ms = int64_t{c.tumbling_window_in_seconds} * 1000;
  if (batches_.empty() && tumbling_ms > 0 && window_) {
    bool close = window_->terminate_early;
    if (!close && !queue_.empty()) {
      close = WindowStart(queue_.front().created_ms, tumbling_ms) != window_->start_ms;
    } else if (!close) {
      const bool shard_ended = shard_.ending && shard_.exhausted;
      if (shard_ended) {
        close = true;  // AWS: when the shard ends, the window is closed
      } else if (now >= window_->end_ms) {
        // Records of the window may still be unread: catch up first.
        if (shard_.watermark->load(std::memory_order_acquire) > shard_.position) {
          mapping_.reader().RequestPoll(shard_);
          return;
        }
        close = true;
      } else {
        state_ = LaneState::kWindow;
        ArmTimer(window_->end_ms);
        return;
      }
    }
    if (close) {
      Batch final_batch;
      final_batch.window_final = true;
      batches_.push_back(std::move(final_batch));
    }
  }
  if (batches_.empty()) {
    if (queue_.empty()) {
      mapping_.reader().CheckDrained(shard_);
      return;
    }
    size_t available = queue_.size();
    size_t overhead = kRecordsEventOverhead;
    if (tumbling_ms > 0) {
      int64_t start = WindowStart(queue_.front().created_ms, tumbling_ms);
      available = 0;
      for (const Record& r : queue_) {
        if (WindowStart(r.created_ms, tumbling_ms) != start) break;
        ++available;
      }
      overhead = WindowEventOverhead(WindowFields(false));
    }
    const size_t batch_size = static_cast<size_t>(c.batch_size);
    size_t n = TakeCount(queue_, std::min(available, batch_size), kMaxPayloadBytes, overhead);
    // Full: BatchSize reached, the payload cap or the window's end cut it.
    const bool full = n == batch_size || n < available;
    if (!full && c.maximum_batching_window_in_seconds > 0) {
      int64_t deadline =
          queue_.front().read_ms + int64_t{c.maximum_batching_window_in_seconds} * 1000;
      if (now < deadline) {
        state_ = LaneState::kWindow;
        ArmTimer(deadline);
        return;
      }
    }
    Batch batch;
    batch.records.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.records.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    if (tumbling_ms > 0 && !window_) {
      int64_t start = WindowStart(batch.records.front().created_ms, tumbling_ms);
      window_ = Window{start, start + tumbling_ms, "{}", false};
    }
    batches_.push_back(std::move(batch));
  }
  Batch& batch = batches_.front();
  const Step before = StepBeforeInvoke(batch.records, batch.window_final, mapping_.Now(),
                                       mapping_.settings().retry);
  if (before.kind == StepKind::kDiscard) {
    DiscardFront(before.count, before.condition);
    return;
  }
  Invoke();
}

void Lane::OnClockAdvanced() {
  if (state_ == LaneState::kWindow || state_ == LaneState::kBackoff) {
    timer_.cancel();  // its handler re-checks the deadline on the Clock
  }
}

WindowEventFields Lane::WindowFields(bool is_final) const {
  WindowEventFields f;
  if (window_) {
    f.window_start_ms = window_->start_ms;
    f.window_end_ms = window_->end_ms;
    f.state_json = window_->state;
    f.terminated_early = window_->terminate_early;
  }
  f.shard_id = shard_.shard_id;
  f.quoted_arn = mapping_.settings().quoted_source_arn;
  f.is_final = is_final;
  return f;
}

void Lane::Invoke() {
  Batch& batch = batches_.front();
  const MappingConfig& c = mapping_.config();
  auto target = mapping_.engine().functions.Resolve(c.function_arn);
  if (!target.ok()) {
    spdlog::warn("esm {}: {}: cannot invoke {}: {}", mapping_.uuid(), shard_.shard_id,
                 c.function_arn, target.status().message());
    mapping_.SetResult(kFunctionCallFailed);
    Classification unreachable;  // retried like a service error
    unreachable.verdict = Verdict::kServiceError;
    CarryOut(NextStep(batch.Attempts(), unreachable, mapping_.settings().retry));
    return;
  }
  Invocation invocation;
  invocation.function = std::move(target).value();
  if (c.tumbling_window_in_seconds > 0) {
    invocation.payload = BuildWindowEvent(batch.records, WindowFields(batch.window_final));
  } else {
    invocation.payload = BuildRecordsEvent(batch.records);
  }
  batch.last_request_id = NewUuidV4();
  batch.last_version = invocation.function.version;
  invocation.request_id = batch.last_request_id;
  ++batch.invokes;
  state_ = LaneState::kInvoking;
  mapping_.metrics().invocations->Add();
  mapping_.metrics().invoked->Add(batch.records.size());
  if (!batch.records.empty()) {
    spdlog::debug("esm {}: invoking {} with {} records of {} ({}..{}), attempt {}", mapping_.uuid(),
                  c.function_arn, batch.records.size(), shard_.shard_id,
                  batch.records.front().sequence, batch.records.back().sequence, batch.invokes);
  } else {
    spdlog::debug("esm {}: final invoke of {} for window {} of {}", mapping_.uuid(), c.function_arn,
                  FormatIso8601Seconds(window_ ? window_->start_ms : 0), shard_.shard_id);
  }
  mapping_.engine().invoker.Invoke(
      std::move(invocation), [self = mapping_.shared_from_this(), wp = shard_.shared_from_this(),
                              li = index_, epoch = shard_.epoch](InvokeOutcome outcome) {
        self->Post([wp, li, epoch, outcome = std::move(outcome)]() mutable {
          if (!wp) return;
          if (Lane* lane = Find(*wp, li, epoch)) lane->OnInvoked(std::move(outcome));
        });
      });
}

void Lane::OnInvoked(InvokeOutcome outcome) {
  state_ = LaneState::kIdle;
  Batch& batch = batches_.front();
  std::vector<int64_t> sequences = batch.Sequences();
  Classification verdict = ClassifyResponse(outcome, mapping_.settings().response, sequences);
  batch.last_status = verdict.status_code;
  batch.last_function_error = verdict.function_error;
  const Step step = NextStep(batch.Attempts(), verdict, mapping_.settings().retry);
  Report(batch, verdict, step);
  CarryOut(step);
}

void Lane::Report(const Batch& batch, const Classification& verdict, const Step& step) {
  const MappingConfig& c = mapping_.config();
  const std::string& uuid = mapping_.uuid();
  const bool tumbling = c.tumbling_window_in_seconds > 0;
  switch (verdict.verdict) {
    case Verdict::kSuccess:
      mapping_.SetResult(kProcessingOk);
      if (tumbling) AcceptState(batch.window_final, verdict.state);
      if (!batch.records.empty()) {
        mapping_.metrics().iterator_age->Set(mapping_.Now() - batch.records.back().created_ms);
      }
      return;
    case Verdict::kPartialFailure: {
      mapping_.SetResult(kFunctionCallFailed);
      if (tumbling) AcceptState(false, verdict.state);
      const size_t k = verdict.first_failed;
      mapping_.metrics().failed->Add(batch.records.size() - k);
      spdlog::info("esm {}: {}: {} reported {} failed records from {}", uuid, shard_.shard_id,
                   c.function_arn, batch.records.size() - k, batch.records[k].sequence);
      return;
    }
    case Verdict::kFunctionError:
      mapping_.SetResult(kFunctionCallFailed);
      mapping_.metrics().failed->Add(batch.records.size());
      if (step.kind == StepKind::kBisect) {
        spdlog::info("esm {}: {}: {} failed ({}); bisecting into {} + {} records", uuid,
                     shard_.shard_id, c.function_arn, verdict.reason, step.count,
                     batch.records.size() - step.count);
      } else if (step.kind == StepKind::kRetry) {
        spdlog::info("esm {}: {}: {} failed ({}); retry {}{}", uuid, shard_.shard_id,
                     c.function_arn, verdict.reason, step.function_errors,
                     c.maximum_retry_attempts >= 0
                         ? " of " + std::to_string(c.maximum_retry_attempts)
                         : std::string());
      } else {
        spdlog::warn("esm {}: {}: {} failed ({}); retries exhausted", uuid, shard_.shard_id,
                     c.function_arn, verdict.reason);
      }
      return;
    case Verdict::kServiceError:
      mapping_.SetResult(kFunctionCallFailed);
      spdlog::info("esm {}: {}: {} not reached ({}); retrying (not counted)", uuid, shard_.shard_id,
                   c.function_arn, verdict.reason);
      return;
  }
}

void Lane::CarryOut(const Step& step) {
  Batch& batch = batches_.front();
  switch (step.kind) {
    case StepKind::kInvoke:
      Invoke();
      return;
    case StepKind::kDone: {
      Batch done = std::move(batch);
      batches_.pop_front();
      mapping_.reader().OnRecordsDone(shard_, done.records);
      break;
    }
    case StepKind::kRetryFrom: {
      const size_t k = step.count;
      std::vector<Record> succeeded(std::make_move_iterator(batch.records.begin()),
                                    std::make_move_iterator(batch.records.begin() + k));
      Batch rest;
      rest.records.assign(std::make_move_iterator(batch.records.begin() + k),
                          std::make_move_iterator(batch.records.end()));
      batch = std::move(rest);
      mapping_.metrics().iterator_age->Set(mapping_.Now() - succeeded.back().created_ms);
      mapping_.reader().OnRecordsDone(shard_, succeeded);
      if (step.refill) Refill(batch);
      if (!step.delay_ms) break;
      Backoff(*step.delay_ms);
      return;
    }
    case StepKind::kRetry:
      batch.function_errors = step.function_errors;
      batch.service_errors = step.service_errors;
      if (step.refill) Refill(batch);
      Backoff(step.delay_ms.value_or(0));
      return;
    case StepKind::kBisect: {
      Batch second;
      second.function_errors = step.function_errors;
      second.records.assign(std::make_move_iterator(batch.records.begin() + step.count),
                            std::make_move_iterator(batch.records.end()));
      batch.records.resize(step.count);
      batch.invokes = 0;
      batch.function_errors = step.function_errors;
      batch.service_errors = step.service_errors;
      batches_.insert(batches_.begin() + 1, std::move(second));
      break;
    }
    case StepKind::kDiscard:
      DiscardFront(step.count, step.condition);
      return;
    case StepKind::kDropWindow:
      window_.reset();
      batches_.pop_front();
      break;
  }
  if (!mapping_.Accepting()) {
    mapping_.RequestQuiesce();
    return;
  }
  Pump();
}

void Lane::AcceptState(bool was_final, const std::string& state) {
  if (!window_) return;
  if (was_final) {
    window_.reset();  // AWS: after the final invoke the state is dropped
    return;
  }
  window_->state = state;
  if (state.size() > kMaxWindowStateBytes) window_->terminate_early = true;
}

void Lane::Refill(Batch& batch) {
  const MappingConfig& c = mapping_.config();
  const int64_t tumbling_ms = int64_t{c.tumbling_window_in_seconds} * 1000;
  size_t bytes = kRecordsEventOverhead;
  for (const Record& r : batch.records) bytes += r.json.size() + 1;
  if (tumbling_ms > 0) bytes += WindowEventOverhead(WindowFields(false));
  while (!queue_.empty() && batch.records.size() < static_cast<size_t>(c.batch_size)) {
    const Record& next = queue_.front();
    if (bytes + next.json.size() + 1 > kMaxPayloadBytes) break;
    if (tumbling_ms > 0 && window_ &&
        WindowStart(next.created_ms, tumbling_ms) != window_->start_ms) {
      break;
    }
    bytes += next.json.size() + 1;
    batch.records.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void Lane::Backoff(int64_t delay_ms) {
  if (!mapping_.Accepting()) {
    mapping_.RequestQuiesce();
    return;
  }
  state_ = LaneState::kBackoff;
  ArmTimer(mapping_.Now() + delay_ms);
}

void Lane::ArmTimer(int64_t deadline_ms) {
  deadline_ms_ = deadline_ms;
  const uint64_t token = ++timer_token_;
  timer_.expires_after(
      std::chrono::milliseconds(std::max<int64_t>(0, deadline_ms - mapping_.Now())));
  timer_.async_wait(boost::asio::bind_executor(
      mapping_.strand(),
      [self = mapping_.shared_from_this(), wp = shard_.shared_from_this(), li = index_,
       epoch = shard_.epoch, token](const boost::system::error_code&) {
        if (self->engine().stopped.load(std::memory_order_relaxed) || !wp) return;
        if (Lane* lane = Find(*wp, li, epoch)) lane->OnTimer(token);
      }));
}

void Lane::OnTimer(uint64_t token) {
  if (token != timer_token_) return;
  if (state_ != LaneState::kWindow && state_ != LaneState::kBackoff) return;
  if (mapping_.Now() < deadline_ms_) {
    ArmTimer(deadline_ms_);
    return;
  }
  state_ = LaneState::kIdle;
  Pump();
}

void Lane::DiscardFront(size_t count, FailureCondition condition) {
  Batch& batch = batches_.front();
  if (count >= batch.records.size()) {
    Batch gone = std::move(batch);
    batches_.pop_front();
    Discard(std::move(gone), condition);
    return;
  }
  Batch gone;
  gone.invokes = batch.invokes;
  gone.last_request_id = batch.last_request_id;
  gone.last_version = batch.last_version;
  gone.last_status = batch.last_status;
  gone.last_function_error = batch.last_function_error;
  gone.records.assign(std::make_move_iterator(batch.records.begin()),
                      std::make_move_iterator(batch.records.begin() + count));
  batch.records.erase(batch.records.begin(), batch.records.begin() + count);
  Discard(std::move(gone), condition);
}

void Lane::Discard(Batch gone, FailureCondition condition) {
  const MappingConfig& c = mapping_.config();
  mapping_.metrics().dropped->Add(gone.records.size());
  spdlog::warn(
      "esm {}: {}: discarding {} records ({}..{}): {}{}", mapping_.uuid(), shard_.shard_id,
      gone.records.size(), gone.records.front().sequence, gone.records.back().sequence,
      FailureConditionName(condition),
      c.on_failure_destination.empty() ? "" : "; described to " + c.on_failure_destination);
  if (c.on_failure_destination.empty()) {
    mapping_.reader().OnRecordsDone(shard_, gone.records);
    // Posted, not called: a long run of expired batches must not recurse.
    mapping_.Post([wp = shard_.shared_from_this(), li = index_, epoch = shard_.epoch] {
      if (Lane* lane = Find(*wp, li, epoch)) lane->Pump();
    });
    return;
  }
  std::string description = mapping_.sender().Describe(shard_.shard_id, gone, condition);
  state_ = LaneState::kSending;
  auto pending = std::make_shared<Batch>(std::move(gone));
  mapping_.sender().Send(c.on_failure_destination, std::move(description),
                         [wp = shard_.shared_from_this(), li = index_, epoch = shard_.epoch,
                          pending, destination = c.on_failure_destination](const Status& status) {
                           if (!wp) return;
                           if (Lane* lane = Find(*wp, li, epoch))
                             lane->OnDescribed(*pending, destination, status);
                         });
}

void Lane::OnDescribed(const Batch& gone, const std::string& destination, const Status& status) {
  if (status.ok()) {
    mapping_.metrics().on_failure->Add(gone.records.size());
  } else {
    spdlog::error(
        "esm {}: on-failure destination {} refused the description of records "
        "{}..{} of {}: {}; they are lost",
        mapping_.uuid(), destination, gone.records.front().sequence, gone.records.back().sequence,
        shard_.shard_id, status.message());
  }
  state_ = LaneState::kIdle;
  mapping_.reader().OnRecordsDone(shard_, gone.records);
  if (!mapping_.Accepting()) {
    mapping_.RequestQuiesce();
    return;
  }
  Pump();
}

}  // namespace streamstack::esm
