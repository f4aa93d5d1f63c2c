// esm (private): the document AWS sends to a stream mapping's on-failure destination when it
// discards a batch (the seeds' "Invocation Record"). Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "streamstack/esm/record_source.h"

namespace streamstack::esm {

enum class FailureCondition { kRetryAttemptsExhausted, kRecordAgeExceeded };
const char* FailureConditionName(FailureCondition condition);

// The batch's last invocation's answer.
struct FailureResponse {
  unsigned status_code = 200;
  std::string executed_version = "$LATEST";
  // The function error ("Unhandled"); nullopt when the function answered without one but the
  // answer failed the batch (batchItemFailures, valid or not).
  std::optional<std::string> function_error;
};

struct FailureRecord {
  std::string request_id;  // of the last invocation (a fresh one when never invoked)
  std::string function_arn;
  FailureCondition condition = FailureCondition::kRetryAttemptsExhausted;
  int invokes = 0;                          // invocations of the batch
  std::optional<FailureResponse> response;  // none when the batch was never invoked
  int64_t timestamp_ms = 0;
  // The source's section about the batch (DynamoDB: "DDBStreamBatchInfo"), written last.
  BatchInfo batch_info;
};

// {"requestContext":{...},"responseContext":{...},"version":"1.0","timestamp":...,
//  "<batch_info.name>":{...}} in AWS's member order, with AWS's rules for which members
// appear (see the .cc).
std::string BuildFailureRecord(const FailureRecord& record);

}  // namespace streamstack::esm
