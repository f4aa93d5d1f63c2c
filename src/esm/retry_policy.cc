#include "esm/retry_policy.h"

#include <algorithm>

namespace streamstack::esm {
namespace {

bool RetriesExhausted(int function_errors, const RetryRules& rules) {
  return rules.maximum_retry_attempts >= 0 && function_errors > rules.maximum_retry_attempts;
}

Step Retry(int function_errors, int service_errors, int attempt, bool refill,
           const RetryRules& rules) {
  Step s;
  s.kind = StepKind::kRetry;
  s.function_errors = function_errors;
  s.service_errors = service_errors;
  s.delay_ms = BackoffDelayMs(attempt, rules.backoff_base_ms, rules.backoff_max_ms);
  s.refill = refill;
  return s;
}

// A failure that counts toward MaximumRetryAttempts: retried after a back-off, or discarded
// once the attempts are used up.
Step CountedFailure(const BatchAttempts& batch, bool refill, const RetryRules& rules) {
  const int function_errors = batch.function_errors + 1;
  if (!RetriesExhausted(function_errors, rules)) {
    return Retry(function_errors, 0, function_errors, refill, rules);
  }
  Step s;
  s.function_errors = function_errors;
  if (batch.window_final) {
    // A window's final invoke carries no records: nothing to describe; the state goes.
    s.kind = StepKind::kDropWindow;
    return s;
  }
  s.kind = StepKind::kDiscard;
  s.count = batch.records;
  s.condition = FailureCondition::kRetryAttemptsExhausted;
  return s;
}

}  // namespace

int64_t BackoffDelayMs(int attempt, int64_t base_ms, int64_t max_ms) {
  int64_t delay = base_ms;
  for (int i = 1; i < attempt && delay < max_ms; ++i) delay *= 2;
  return std::min(delay, max_ms);
}

Step StepBeforeInvoke(std::span<const Record> records, bool window_final, int64_t now_ms,
                      const RetryRules& rules) {
  Step s;
  if (window_final) return s;
  // AWS: records older than MaximumRecordAgeInSeconds are not sent; they are discarded (and
  // described to the destination). Records are in stream order, so the old ones lead.
  size_t expired = 0;
  while (expired < records.size() &&
         now_ms - records[expired].created_ms > rules.maximum_record_age_ms) {
    ++expired;
  }
  if (expired == 0) return s;
  s.kind = StepKind::kDiscard;
  s.count = expired;
  s.condition = FailureCondition::kRecordAgeExceeded;
  return s;
}

Step NextStep(const BatchAttempts& batch, const Classification& answer, const RetryRules& rules) {
  Step s;
  switch (answer.verdict) {
    case Verdict::kSuccess:
      s.kind = StepKind::kDone;
      s.count = batch.records;
      s.function_errors = batch.function_errors;
      s.service_errors = batch.service_errors;
      return s;

    case Verdict::kPartialFailure: {
      const size_t k = answer.first_failed;
      if (k == 0) {
        // The batch's first record failed again: a retry of the same batch, and it counts.
        // Without bisect, AWS retries "all records starting from that checkpoint": the batch
        // is topped up with the records after it.
        return CountedFailure(batch, !rules.bisect_batch_on_function_error, rules);
      }
      // The records before the first reported one succeeded: the checkpoint moves past them,
      // and the records from the reported one on form a new batch whose retries count from
      // zero. AWS, as recorded in LocalStack's test_kinesis_report_batch_item_failures and
      // test_dynamodb_report_batch_item_failures (BatchSize 3, MaximumRetryAttempts 3, the
      // third record of the second batch always reported): that record was invoked five
      // times, once in its first batch and four times alone, and its record said
      // approximateInvokeCount 4.
      s.kind = StepKind::kRetryFrom;
      s.count = k;
      // AWS: with bisect on too, the batch splits at the reported record and only the rest
      // is retried; splitting is no failed attempt, so it goes on at once.
      if (!rules.bisect_batch_on_function_error) {
        s.refill = true;  // AWS retries "all records starting from that checkpoint"
        s.delay_ms = BackoffDelayMs(1, rules.backoff_base_ms, rules.backoff_max_ms);
      }
      return s;
    }

    case Verdict::kFunctionError:
      if (rules.bisect_batch_on_function_error && batch.records > 1) {
        // AWS: split in two and retry each half; splitting does not count as a retry.
        s.kind = StepKind::kBisect;
        s.count = BisectPoint(batch.records);
        s.function_errors = batch.function_errors;
        s.service_errors = 0;
        return s;
      }
      return CountedFailure(batch, /*refill=*/false, rules);

    case Verdict::kServiceError:
      // AWS: the function was not reached (throttled, unreachable): retried until the
      // records' age limit, and not counted toward MaximumRetryAttempts.
      return Retry(batch.function_errors, batch.service_errors + 1, batch.service_errors + 1,
                   /*refill=*/false, rules);
  }
  return s;
}

}  // namespace streamstack::esm
