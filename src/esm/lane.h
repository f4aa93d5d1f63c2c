// esm (private): one ParallelizationFactor lane of a shard: the state machine that turns the
// records read into it into batches (BatchSize, batching window, 6 MB, tumbling windows),
// invokes the function with one batch at a time, and carries out what the answer means:
// records done, retried after a back-off, bisected, retried from a reported record, or
// discarded (described to the on-failure destination by FailureSender). What an answer
// means is decided by the pure rules of response.h and retry_policy.h; the lane only acts.
// Runs on its mapping's strand only.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "esm/batch.h"
#include "esm/failure_record.h"
#include "esm/response.h"
#include "esm/retry_policy.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/status.h"

namespace streamstack::esm {

class MappingRuntime;
struct ShardWorker;

// One batch of a lane: formed from its queue, then retried, split or discarded as a unit.
struct Batch {
  std::vector<Record> records;  // empty: the final invoke of a tumbling window
  bool window_final = false;
  int function_errors = 0;  // counted attempts (MaximumRetryAttempts)
  int service_errors = 0;   // consecutive uncounted ones (back-off only)
  int invokes = 0;          // invocations of exactly these records
  std::string last_request_id;
  std::string last_version;  // the function version the last invocation ran
  unsigned last_status = 0;
  std::string last_function_error;

  BatchAttempts Attempts() const {
    return {records.size(), function_errors, service_errors, window_final};
  }

  std::vector<int64_t> Sequences() const {
    std::vector<int64_t> out;
    out.reserve(records.size());
    for (const Record& r : records) out.push_back(r.sequence);
    return out;
  }
};

// A tumbling window open on a lane.
struct Window {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string state = "{}";
  bool terminate_early = false;  // the state grew over 1 MB: the next invoke is final
};

enum class LaneState {
  kIdle,
  kWindow,    // gathering a batch (batching window) or waiting for a tumbling window's end
  kBackoff,   // waiting to retry
  kInvoking,  // an invoke is in flight
  kSending,   // a discarded batch is on its way to the on-failure destination
};

class Lane {
 public:
  // Lane `index` of `shard`; both must outlive it (the shard owns its lanes).
  Lane(MappingRuntime& mapping, ShardWorker& shard, size_t index);
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  // The lane of `shard` at `index` if the shard was not reset since `epoch` (a callback's
  // lane), else nullptr.
  static Lane* Find(ShardWorker& shard, size_t index, uint64_t epoch);

  // A record read from the shard, in order (the reader's read-ahead).
  void Enqueue(Record&& record) { queue_.push_back(std::move(record)); }

  // Goes on: forms the next batch and invokes it, unless an invoke, a back-off or a
  // description is in flight, a batching or tumbling window waits, or the mapping is
  // stopping (then it asks the mapping to quiesce).
  void Pump();

  // The Clock moved: a batching window or back-off looks at its deadline again.
  void OnClockAdvanced();
  void CancelTimer() { timer_.cancel(); }

  // An invoke or an on-failure description is in flight.
  bool Busy() const { return state_ == LaneState::kInvoking || state_ == LaneState::kSending; }
  // Nothing queued, no batch, nothing in flight or waiting.
  bool Idle() const { return queue_.empty() && batches_.empty() && state_ == LaneState::kIdle; }
  bool HasWindow() const { return window_.has_value(); }

 private:
  WindowEventFields WindowFields(bool is_final) const;
  void Invoke();
  void OnInvoked(InvokeOutcome outcome);
  // What an answer tells the mapping's LastProcessingResult, metrics, logs and tumbling
  // window, before the lane acts on it.
  void Report(const Batch& batch, const Classification& verdict, const Step& step);
  // Carries out the retry policy's step for the front batch (retry_policy.h says what each
  // step means); then the lane goes on, unless a back-off or a discard took it over.
  void CarryOut(const Step& step);
  void AcceptState(bool was_final, const std::string& state);
  // Tops a batch that keeps failing partway up with the records that follow it (AWS retries
  // "all records starting from that checkpoint").
  void Refill(Batch& batch);
  void Backoff(int64_t delay_ms);
  void ArmTimer(int64_t deadline_ms);
  void OnTimer(uint64_t token);
  // Discards the first `count` records of the front batch (all of them, or the ones over
  // the age limit); what remains of the batch stays at the front.
  void DiscardFront(size_t count, FailureCondition condition);
  // AWS: the batch is discarded and its description goes to the on-failure destination;
  // then processing continues. The records count as done only once the destination has
  // the description, so a crash in between delivers them again rather than losing them.
  void Discard(Batch gone, FailureCondition condition);
  void OnDescribed(const Batch& gone, const std::string& destination, const Status& status);

  MappingRuntime& mapping_;
  ShardWorker& shard_;
  const size_t index_;

  std::deque<Record> queue_;
  std::deque<Batch> batches_;  // front: the current one; bisect puts halves here
  LaneState state_ = LaneState::kIdle;
  boost::asio::steady_timer timer_;
  int64_t deadline_ms_ = 0;
  uint64_t timer_token_ = 0;
  std::optional<Window> window_;
};

}  // namespace streamstack::esm
