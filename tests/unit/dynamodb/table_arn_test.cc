// Table ARNs where AWS takes a table: TableName members and the ResourceArn of tagging and
// resource policies. Expected answers and their sources are in
// tests/e2e/test_dynamodb_control_plane.py.
#include "streamstack/dynamodb/table_arn.h"

#include <gtest/gtest.h>

namespace streamstack::dynamodb {
namespace {

const AccountScope kScope{"us-east-1", "000000000000"};
constexpr char kArn[] = "arn:aws:dynamodb:us-east-1:000000000000:table/";

TEST(TableArnTest, TableNameResolves) {
  struct Case {
    std::string in;
    std::string name;
  };
  const Case cases[] = {
      {"orders", "orders"},  // a name stays a name (checked where it is used)
      {"x:y", "x:y"},        // not an ARN: the name rules answer for it
      {std::string(kArn) + "orders", "orders"},
      {std::string(kArn) + "a.b-c_d", "a.b-c_d"},
  };
  for (const auto& c : cases) {
    auto r = ResolveTableName(kScope, c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().message();
    EXPECT_EQ(*r, c.name);
  }
}

TEST(TableArnTest, TableNameErrors) {
  const std::string format_tail =
      "' at 'tableName' failed to satisfy constraint: Valid ARN format is "
      "'arn:<awsPartition>:<vendor>:<region>:<subscriber>:resourceType/resourceName', where "
      "Resource name must have length less than or equal to 255, Resource name must have "
      "length greater than or equal to 3, Resource name must satisfy regular expression "
      "pattern: [a-zA-Z0-9_.-]+";
  struct Case {
    std::string in;
    AwsError code;
    std::string message;
  };
  const std::string other_region = "arn:aws:dynamodb:eu-west-1:000000000000:table/orders";
  const std::string other_partition = "arn:aws-cn:dynamodb:us-east-1:000000000000:table/orders";
  const std::string stream_type = "arn:aws:dynamodb:us-east-1:000000000000:stream/orders";
  const std::string index = std::string(kArn) + "orders/index/by-date";
  const Case cases[] = {
      {other_region, AwsError::kValidation,
       "1 validation error detected: Invalid AWS region in '" + other_region + "'"},
      {other_partition, AwsError::kValidation,
       "1 validation error detected: Invalid AWS partition in '" + other_partition + "'"},
      {"arn:aws:dynamodb:us-east-1:111122223333:table/orders", AwsError::kAccessDenied,
       "Access is denied"},
      {stream_type, AwsError::kValidation,
       "1 validation error detected: Invalid resource type in '" + stream_type + "'"},
      {index, AwsError::kValidation, "1 validation error detected: Value '" + index + format_tail},
      {std::string(kArn) + "ab", AwsError::kValidation,
       "1 validation error detected: Value '" + std::string(kArn) + "ab" + format_tail},
      {"arn:aws:dynamodb", AwsError::kValidation,
       "1 validation error detected: Value 'arn:aws:dynamodb" + format_tail},
  };
  for (const auto& c : cases) {
    auto r = ResolveTableName(kScope, c.in);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.status().code(), c.code) << c.in;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

TEST(TableArnTest, ResourceArn) {
  auto table = ResolveResourceArn(kScope, std::string(kArn) + "orders", ResourceArnUse::kTagging);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->table_name, "orders");
  EXPECT_FALSE(table->is_stream);
  auto stream =
      ResolveResourceArn(kScope, std::string(kArn) + "orders/stream/2024-06-10T19:26:16.525",
                         ResourceArnUse::kTagging);
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->table_name, "orders");
  EXPECT_TRUE(stream->is_stream);

  const std::string index = std::string(kArn) + "orders/index/gsi";
  const std::string region = "arn:aws:dynamodb:eu-west-1:000000000000:table/orders";
  struct Case {
    std::string in;
    ResourceArnUse use;
    AwsError code;
    std::string message;
  };
  const Case cases[] = {
      {"orders", ResourceArnUse::kTagging, AwsError::kValidation,
       "One or more parameter values were invalid: ARNs must start with 'arn:': orders"},
      {"arn:aws:sqs:us-east-1:000000000000:q", ResourceArnUse::kTagging, AwsError::kValidation,
       "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: "
       "arn:aws:sqs:us-east-1:000000000000:q"},
      {"arn:aws:dynamodb:us-east-1:111122223333:table/orders", ResourceArnUse::kTagging,
       AwsError::kAccessDenied, "Access is denied"},
      {region, ResourceArnUse::kTagging, AwsError::kValidation,
       "Invalid TableArn: Invalid ResourceArn provided as input " + region},
      {region, ResourceArnUse::kResourcePolicy, AwsError::kValidation,
       "One or more parameter values were invalid: Invalid resource Arn: " + region},
      {index, ResourceArnUse::kTagging, AwsError::kValidation,
       "One or more parameter values were invalid: Invalid resource arn provided, only table or "
       "stream is accepted. Provided resource arn: " +
           index},
      {std::string(kArn) + "ab", ResourceArnUse::kTagging, AwsError::kValidation,
       "Invalid TableArn: Invalid ResourceArn provided as input " + std::string(kArn) + "ab"},
      {"arn:aws:dynamodb:x", ResourceArnUse::kTagging, AwsError::kValidation,
       "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:x"},
  };
  for (const auto& c : cases) {
    auto r = ResolveResourceArn(kScope, c.in, c.use);
    ASSERT_FALSE(r.ok()) << c.in;
    EXPECT_EQ(r.status().code(), c.code) << c.in;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

}  // namespace
}  // namespace streamstack::dynamodb
