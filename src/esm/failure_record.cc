#include "esm/failure_record.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "streamstack/common/ids.h"

namespace streamstack::esm {
namespace {

using nlohmann::ordered_json;

// AWS writes a responseContext only for RetryAttemptsExhausted: a RecordAgeExceeded record
// has none even after invocations (LocalStack's AWS recordings,
// test_lambda_integration_kinesis.snapshot.json, test_kinesis_maximum_record_age_exceeded
// [expire-while-retrying], approximateInvokeCount 8 without responseContext).
bool HasResponseContext(const FailureRecord& f) {
  return f.condition == FailureCondition::kRetryAttemptsExhausted && f.response.has_value();
}

// AWS counts at least one: a batch discarded for its age before any invocation says 1
// (same recordings, [expire-before-ingestion] and
// test_kinesis_maximum_record_age_exceeded_discard_records).
int ApproximateInvokeCount(const FailureRecord& f) { return std::max(1, f.invokes); }

ordered_json ResponseContext(const FailureResponse& r) {
  // AWS: "functionError" is always there, null when the function answered without one
  // (test_dynamodb_report_batch_item_failures and ..._failure_scenarios in LocalStack's
  // test_lambda_integration_dynamodbstreams.snapshot.json).
  ordered_json error = r.function_error ? ordered_json(*r.function_error) : ordered_json(nullptr);
  return ordered_json{{"statusCode", r.status_code},
                      {"executedVersion", r.executed_version},
                      {"functionError", error}};
}

}  // namespace

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
  ordered_json doc;
  doc["requestContext"] = ordered_json{{"requestId", f.request_id},
                                       {"functionArn", f.function_arn},
                                       {"condition", FailureConditionName(f.condition)},
                                       {"approximateInvokeCount", ApproximateInvokeCount(f)}};
  if (HasResponseContext(f)) doc["responseContext"] = ResponseContext(*f.response);
  doc["version"] = "1.0";
  doc["timestamp"] = FormatIso8601Millis(f.timestamp_ms);
  doc[f.batch_info.name] = f.batch_info.value;
  return doc.dump();
}

}  // namespace streamstack::esm
