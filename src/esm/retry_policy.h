// esm (private): AWS's retry, bisect, record-age and partial-failure rules for a stream
// mapping's batch, as pure decisions: given what the lane knows of its front batch, what the
// batch's last invocation meant (response.h's Classification) and the mapping's settings, the
// next step as a value. The engine's lanes carry the step out (timers, checkpoints, the
// on-failure destination). No I/O, no state; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "esm/batch.h"
#include "esm/failure_record.h"
#include "esm/response.h"

namespace streamstack::esm {

// The mapping's settings the rules read.
struct RetryRules {
  int maximum_retry_attempts = -1;  // -1: until the records expire
  // MaximumRecordAgeInSeconds in ms, -1 already resolved to the stream's retention.
  int64_t maximum_record_age_ms = int64_t{24} * 3600 * 1000;
  bool bisect_batch_on_function_error = false;
  // Retries back off exponentially from base to max (EngineOptions).
  int64_t backoff_base_ms = 100;
  int64_t backoff_max_ms = 3000;
};

// What the rules need of the batch at the front of a lane.
struct BatchAttempts {
  size_t records = 0;       // 0: the final invoke of a tumbling window
  int function_errors = 0;  // counted attempts so far (MaximumRetryAttempts)
  int service_errors = 0;   // consecutive uncounted ones (back-off only)
  bool window_final = false;
};

enum class StepKind {
  kInvoke,      // before an invoke: nothing to drop; invoke the batch
  kDone,        // every record of the batch is done: checkpoint past them, go on
  kRetry,       // invoke the same records again after `delay_ms`
  kBisect,      // split after `count` records; both halves go on at once, attempts inherited
  kRetryFrom,   // records before `count` are done; the rest is a new batch, attempts from zero
  kDiscard,     // the first `count` records are described to the on-failure destination (if
                // any) and count as done; the rest of the batch (if any) stays
  kDropWindow,  // a tumbling window's final invoke failed for good: its state goes
};

struct Step {
  StepKind kind = StepKind::kInvoke;
  // kDone: the batch's size; kBisect: the first half's size; kRetryFrom: the first failed
  // record; kDiscard: how many records from the front are discarded.
  size_t count = 0;
  FailureCondition condition = FailureCondition::kRetryAttemptsExhausted;  // kDiscard
  // kRetry, kRetryFrom: how long to wait before the invoke; nullopt: go on at once.
  std::optional<int64_t> delay_ms;
  // kRetry, kRetryFrom: top the retried batch up to BatchSize with the records after it first.
  bool refill = false;
  // The (first) batch's attempt counters after this step.
  int function_errors = 0;
  int service_errors = 0;

  bool operator==(const Step&) const = default;
};

// The back-off before retry number `attempt` (1, 2, ...): base, doubled each time, at most max.
int64_t BackoffDelayMs(int attempt, int64_t base_ms, int64_t max_ms);

// Before invoking a batch: kDiscard (kRecordAgeExceeded) of its leading records older than
// the age limit at `now_ms`, or kInvoke. A window's final invoke (no records) is kInvoke.
Step StepBeforeInvoke(std::span<const Record> records, bool window_final, int64_t now_ms,
                      const RetryRules& rules);

// After an invocation of the batch (or an attempt that could not reach the function, as
// kServiceError): what the answer means for it.
Step NextStep(const BatchAttempts& batch, const Classification& answer, const RetryRules& rules);

}  // namespace streamstack::esm
