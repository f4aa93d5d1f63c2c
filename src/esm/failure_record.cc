#include "esm/failure_record.h"

#include <nlohmann/json.hpp>

#include "streamstack/common/ids.h"

namespace streamstack::esm {

const char* FailureConditionName(FailureCondition condition) {
  switch (condition) {
    case FailureCondition::kRetryAttemptsExhausted:
      return "RetryAttemptsExhausted";
    case FailureCondition::kRecordAgeExceeded:
      return "RecordAgeExceeded";
  }
  return "RetryAttemptsExhausted";
}

std::string BuildFailureRecord(const FailureRecord& f) {
  using nlohmann::ordered_json;
  ordered_json doc;
  doc["requestContext"] = ordered_json{{"requestId", f.request_id},
                                       {"functionArn", f.function_arn},
                                       {"condition", FailureConditionName(f.condition)},
                                       {"approximateInvokeCount", f.approximate_invoke_count}};
  if (f.approximate_invoke_count > 0) {
    ordered_json response{{"statusCode", f.status_code}, {"executedVersion", "$LATEST"}};
    if (!f.function_error.empty()) response["functionError"] = f.function_error;
    doc["responseContext"] = std::move(response);
  }
  doc["version"] = "1.0";
  doc["timestamp"] = FormatIso8601Millis(f.timestamp_ms);
  doc["DDBStreamBatchInfo"] =
      ordered_json{{"shardId", f.shard_id},
                   {"startSequenceNumber", f.start_sequence_number},
                   {"endSequenceNumber", f.end_sequence_number},
                   {"approximateArrivalOfFirstRecord", FormatIso8601Seconds(f.first_arrival_ms)},
                   {"approximateArrivalOfLastRecord", FormatIso8601Seconds(f.last_arrival_ms)},
                   {"batchSize", f.batch_size},
                   {"streamArn", f.stream_arn}};
  return doc.dump();
}

}  // namespace streamstack::esm
