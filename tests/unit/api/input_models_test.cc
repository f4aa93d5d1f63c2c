// The generated models (tools/gen_input_model.py): they parse, know their service's operations,
// and carry the facts the generator adds to botocore's shapes.
#include <gtest/gtest.h>

#include "api/dynamodb_input_model.h"
#include "api/streams_input_model.h"
#include "streamstack/protocol/input_model.h"

namespace streamstack::api {
namespace {

using nlohmann::json;
using protocol::InputModel;

constexpr char kPackage[] = "com.amazonaws.dynamodb.v20120810";
constexpr char kArn[] =
    "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000";

std::string Answer(const InputModel& model, const char* operation, json request) {
  Status st = model.Validate(operation, request);
  return st.ok() ? "ok" : st.message();
}

TEST(GeneratedInputModels, DynamoDbParsesWithItsOperations) {
  InputModel model(DynamoDbInputModel(), kPackage);
  for (const char* op : {"PutItem", "Query", "CreateTable", "TransactWriteItems", "UpdateTable"}) {
    EXPECT_TRUE(model.HasOperation(op)) << op;
  }
  EXPECT_FALSE(model.HasOperation("GetRecords"));
}

TEST(GeneratedInputModels, StreamsHasItsFourOperations) {
  InputModel model(StreamsInputModel(), kPackage);
  for (const char* op : {"ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"}) {
    EXPECT_TRUE(model.HasOperation(op)) << op;
  }
  EXPECT_FALSE(model.HasOperation("PutItem"));
}

TEST(GeneratedInputModels, StreamsConstraintsFromBotocore) {
  InputModel model(StreamsInputModel(), kPackage);
  EXPECT_EQ(Answer(model, "GetShardIterator",
                   {{"StreamArn", "s"},
                    {"ShardId", std::string(66, 'x')},
                    {"ShardIteratorType", "NEWEST"},
                    {"SequenceNumber", std::string(20, '1')}}),
            // Coral's report order (protocol::InputModel's ReportOrder).
            "4 validation errors detected: Value '" + std::string(20, '1') +
                "' at 'sequenceNumber' failed to satisfy constraint: Member must have length "
                "greater than or equal to 21; Value 's' at 'streamArn' failed to satisfy "
                "constraint: Member must have length greater than or equal to 37; Value '" +
                std::string(66, 'x') +
                "' at 'shardId' failed to satisfy constraint: Member must have length less than "
                "or equal to 65; Value 'NEWEST' at 'shardIteratorType' failed to satisfy "
                "constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, "
                "AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]");
  EXPECT_EQ(Answer(model, "GetRecords", {{"ShardIterator", ""}}),
            "1 validation error detected: Value '' at 'shardIterator' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1");
  EXPECT_EQ(
      Answer(model, "DescribeStream", {{"StreamArn", kArn}, {"ShardFilter", {{"Type", "PARENT"}}}}),
      "1 validation error detected: Value 'PARENT' at 'shardFilter.type' failed to "
      "satisfy constraint: Member must satisfy enum value set: [CHILD_SHARDS]");
  EXPECT_EQ(Answer(model, "ListStreams", {{"TableName", "a!"}}),
            "2 validation errors detected: Value 'a!' at 'tableName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
            "Value 'a!' at 'tableName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 3");
}

// The generator's facts: two Limits held to 100, GetRecords' left to the store (its 1000 is
// a LimitExceededException there), and one SerializationException in this server's words.
TEST(GeneratedInputModels, StreamsFactsTheGeneratorAdds) {
  InputModel model(StreamsInputModel(), kPackage);
  EXPECT_EQ(Answer(model, "ListStreams", {{"Limit", 101}}),
            "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 100");
  EXPECT_EQ(Answer(model, "DescribeStream", {{"StreamArn", kArn}, {"Limit", 101}}),
            "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 100");
  EXPECT_EQ(Answer(model, "ListStreams", {{"Limit", 100}}), "ok");
  EXPECT_EQ(Answer(model, "GetRecords", {{"ShardIterator", "i"}, {"Limit", 1001}}), "ok");
  EXPECT_EQ(Answer(model, "GetRecords", {{"ShardIterator", "i"}, {"Limit", 0}}),
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1");
  json request = {{"Limit", "ten"}};
  Status st = model.CheckTypes("GetRecords", request);
  EXPECT_EQ(st.code(), AwsError::kSerialization);
  EXPECT_EQ(st.message(), "STRING_VALUE can not be converted to an Integer");
}

}  // namespace
}  // namespace streamstack::api
