#include "esm/failure_record.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace streamstack::esm {
namespace {

using nlohmann::json;

FailureRecord SeedExample() {
  // The seeds' "Example Invocation Record".
  FailureRecord f;
  f.request_id = "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81";
  f.function_arn = "arn:aws:lambda:us-east-2:123456789012:function:myfunction";
  f.condition = FailureCondition::kRetryAttemptsExhausted;
  f.approximate_invoke_count = 1;
  f.status_code = 200;
  f.function_error = "Unhandled";
  f.timestamp_ms = 1573690429717;  // 2019-11-14T00:13:49.717Z
  f.shard_id = "shardId-00000001573689847184-864758bb";
  f.start_sequence_number = "800000000003126276362";
  f.end_sequence_number = "800000000003126276362";
  f.first_arrival_ms = 1573690399000;  // 2019-11-14T00:13:19Z
  f.last_arrival_ms = 1573690399400;
  f.batch_size = 1;
  f.stream_arn =
      "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388";
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

TEST(FailureRecordTest, RecordAgeExceededWithoutAnInvocation) {
  FailureRecord f = SeedExample();
  f.condition = FailureCondition::kRecordAgeExceeded;
  f.approximate_invoke_count = 0;
  json j = json::parse(BuildFailureRecord(f));
  EXPECT_EQ(j["requestContext"]["condition"], "RecordAgeExceeded");
  EXPECT_EQ(j["requestContext"]["approximateInvokeCount"], 0);
  EXPECT_FALSE(j.contains("responseContext"));
}

TEST(FailureRecordTest, NoFunctionErrorMemberWithoutOne) {
  FailureRecord f = SeedExample();
  f.function_error.clear();
  f.approximate_invoke_count = 3;
  json j = json::parse(BuildFailureRecord(f));
  EXPECT_EQ(j["responseContext"], json({{"statusCode", 200}, {"executedVersion", "$LATEST"}}));
  EXPECT_EQ(j["requestContext"]["approximateInvokeCount"], 3);
}

}  // namespace
}  // namespace streamstack::esm
