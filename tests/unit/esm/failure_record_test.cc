#include "esm/failure_record.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace streamstack::esm {
namespace {

using nlohmann::json;

FailureResponse Answered(std::optional<std::string> function_error) {
  FailureResponse r;
  r.status_code = 200;
  r.function_error = std::move(function_error);
  return r;
}

FailureRecord SeedExample() {
  // The seeds' "Example Invocation Record".
  FailureRecord f;
  f.request_id = "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81";
  f.function_arn = "arn:aws:lambda:us-east-2:123456789012:function:myfunction";
  f.condition = FailureCondition::kRetryAttemptsExhausted;
  f.invokes = 1;
  f.response = Answered("Unhandled");
  f.timestamp_ms = 1573690429717;  // 2019-11-14T00:13:49.717Z
  // The source's section, written last (app/dynamodb_record_source.cc builds this one).
  f.batch_info.name = "DDBStreamBatchInfo";
  f.batch_info.value = nlohmann::ordered_json{
      {"shardId", "shardId-00000001573689847184-864758bb"},
      {"startSequenceNumber", "800000000003126276362"},
      {"endSequenceNumber", "800000000003126276362"},
      {"approximateArrivalOfFirstRecord", "2019-11-14T00:13:19Z"},
      {"approximateArrivalOfLastRecord", "2019-11-14T00:13:19Z"},
      {"batchSize", 1},
      {"streamArn",
       "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388"}};
  return f;
}

TEST(FailureRecordTest, MatchesTheSeedExample) {
  json expected = json::parse(R"({
    "requestContext": {
        "requestId": "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
        "functionArn": "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 1
    },
    "responseContext": {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled"
    },
    "version": "1.0",
    "timestamp": "2019-11-14T00:13:49.717Z",
    "DDBStreamBatchInfo": {
        "shardId": "shardId-00000001573689847184-864758bb",
        "startSequenceNumber": "800000000003126276362",
        "endSequenceNumber": "800000000003126276362",
        "approximateArrivalOfFirstRecord": "2019-11-14T00:13:19Z",
        "approximateArrivalOfLastRecord": "2019-11-14T00:13:19Z",
        "batchSize": 1,
        "streamArn": "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388"
    }
  })");
  std::string text = BuildFailureRecord(SeedExample());
  EXPECT_EQ(json::parse(text), expected);
  // AWS's member order.
  EXPECT_LT(text.find("requestContext"), text.find("responseContext"));
  EXPECT_LT(text.find("responseContext"), text.find("\"version\""));
  EXPECT_LT(text.find("\"timestamp\""), text.find("DDBStreamBatchInfo"));
}

// requestContext.approximateInvokeCount and responseContext by condition and last answer.
TEST(FailureRecordTest, CountAndResponseContextAsAwsWritesThem) {
  struct Case {
    const char* name;
    FailureCondition condition;
    int invokes;
    std::optional<FailureResponse> response;
    json request_count;
    json response_context;  // null: no responseContext member
  } cases[] = {
      // LocalStack's AWS recording test_dynamodb_report_batch_item_failures: the function
      // answered, reporting the record failed.
      {"reported failed", FailureCondition::kRetryAttemptsExhausted, 4, Answered(std::nullopt), 4,
       json::parse(R"({"statusCode":200,"executedVersion":"$LATEST","functionError":null})")},
      // test_dynamodb_report_batch_item_failure_scenarios[unhandled_exception_in_function].
      {"function error", FailureCondition::kRetryAttemptsExhausted, 4, Answered("Unhandled"), 4,
       json::parse(
           R"({"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"})")},
      // test_kinesis_maximum_record_age_exceeded[expire-while-retrying]: no responseContext.
      {"age after invokes", FailureCondition::kRecordAgeExceeded, 8, Answered("Unhandled"), 8,
       nullptr},
      // ...[expire-before-ingestion]: never invoked, and still a count of 1.
      {"age before an invoke", FailureCondition::kRecordAgeExceeded, 0, std::nullopt, 1, nullptr},
  };
  for (const Case& c : cases) {
    FailureRecord f = SeedExample();
    f.condition = c.condition;
    f.invokes = c.invokes;
    f.response = c.response;
    json j = json::parse(BuildFailureRecord(f));
    EXPECT_EQ(j["requestContext"]["approximateInvokeCount"], c.request_count) << c.name;
    EXPECT_EQ(j["requestContext"]["condition"], FailureConditionName(c.condition)) << c.name;
    if (c.response_context.is_null()) {
      EXPECT_FALSE(j.contains("responseContext")) << c.name;
    } else {
      EXPECT_EQ(j["responseContext"], c.response_context) << c.name;
    }
  }
}

TEST(FailureRecordTest, FunctionErrorIsPresentAndNullWithoutOne) {
  FailureRecord f = SeedExample();
  f.response = Answered(std::nullopt);
  std::string text = BuildFailureRecord(f);
  EXPECT_NE(text.find(R"("functionError":null)"), std::string::npos) << text;
}

TEST(FailureRecordTest, ExecutedVersionIsTheVersionThatRan) {
  FailureRecord f = SeedExample();
  f.response->executed_version = "3";
  json j = json::parse(BuildFailureRecord(f));
  EXPECT_EQ(j["responseContext"]["executedVersion"], "3");
}

}  // namespace
}  // namespace streamstack::esm
