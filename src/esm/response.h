// esm (private): what a function's answer to a batch means for the batch: the target's
// typed outcome plus AWS's ReportBatchItemFailures and tumbling-window rules on a
// successful answer's payload. Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "streamstack/common/invoker.h"

namespace streamstack::esm {

enum class Verdict {
  kSuccess,         // checkpoint after the batch
  kPartialFailure,  // ReportBatchItemFailures: records before first_failed succeeded
  kFunctionError,   // the whole batch failed: a function error, or an answer AWS rejects
                    // (invalid batchItemFailures, no tumbling-window state); counts as a
                    // retry attempt (and may bisect)
  kServiceError,    // never reached the function: retried without counting
};

// A record's position from batchItemFailures' itemIdentifier (the source's syntax,
// RecordSource::ParsePosition); nullopt for text that names no position.
using PositionParser = std::function<std::optional<int64_t>(std::string_view)>;

struct ResponseRules {
  bool report_batch_item_failures = false;
  bool tumbling_window = false;   // the response must carry "state"
  PositionParser parse_position;  // required with report_batch_item_failures
};

struct Classification {
  Verdict verdict = Verdict::kSuccess;
  size_t first_failed = 0;   // kPartialFailure: index of the lowest reported record
  std::string state = "{}";  // tumbling windows: the response's "state", serialised
  unsigned status_code = 0;  // for the on-failure record's responseContext (0: not run)
  // The outcome's function error ("Unhandled"); empty when the function answered without one,
  // also when that answer failed the batch.
  std::string function_error;
  std::string reason;  // why it failed, for logs
};

// `sequences`: the batch's records' positions, ascending (ReportBatchItemFailures names
// records by their position in the source's syntax: DynamoDB's SequenceNumber).
Classification ClassifyResponse(const InvokeOutcome& outcome, const ResponseRules& rules,
                                std::span<const int64_t> sequences);

}  // namespace streamstack::esm
