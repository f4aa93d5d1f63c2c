// esm (private): the document AWS sends to a stream mapping's on-failure destination when it
// discards a batch (the seeds' "Invocation Record"). Pure; any thread.
#pragma once

#include <cstdint>
#include <string>

namespace streamstack::esm {

enum class FailureCondition { kRetryAttemptsExhausted, kRecordAgeExceeded };
const char* FailureConditionName(FailureCondition condition);

struct FailureRecord {
  std::string request_id;  // of the last invocation (a fresh one when never invoked)
  std::string function_arn;
  FailureCondition condition = FailureCondition::kRetryAttemptsExhausted;
  int approximate_invoke_count = 0;
  // The last invocation's answer; responseContext is left out when there was none.
  unsigned status_code = 0;
  std::string function_error;  // left out when empty
  int64_t timestamp_ms = 0;
  std::string shard_id;
  std::string start_sequence_number;
  std::string end_sequence_number;
  int64_t first_arrival_ms = 0;
  int64_t last_arrival_ms = 0;
  int batch_size = 0;
  std::string stream_arn;
};

// {"requestContext":{...},"responseContext":{...},"version":"1.0","timestamp":...,
//  "DDBStreamBatchInfo":{...}} in AWS's member order.
std::string BuildFailureRecord(const FailureRecord& record);

}  // namespace streamstack::esm
