// The control plane's checks and plans, without storage: CreateTable's definition, the
// changes UpdateTable plans against a table, and UpdateTimeToLive's rules (texts are AWS's;
// the e2e tests check the same answers over the wire).
#include "dynamodb/table_validation.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "dynamodb/time_to_live.h"

namespace streamstack::dynamodb {
namespace {

const AccountScope kScope{"us-east-1", "000000000000"};
constexpr int64_t kNow = 1718047576525;

CreateTableRequest BaseCreate() {
  CreateTableRequest r;
  r.table_name = "orders";
  r.attribute_definitions = {{"pk", "S"}, {"sk", "N"}};
  r.key_schema = {{"pk", "HASH"}, {"sk", "RANGE"}};
  r.billing_mode = "PAY_PER_REQUEST";
  return r;
}

TEST(TableValidationTest, PlanCreateTableBuildsTheDefinition) {
  CreateTableRequest r = BaseCreate();
  r.stream_specification = StreamSpecification{true, "NEW_IMAGE"};
  auto plan = PlanCreateTable(r, kScope, kNow);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const TableDefinition& def = *plan->definition;
  EXPECT_EQ(def.name, "orders");
  EXPECT_EQ(def.arn, "arn:aws:dynamodb:us-east-1:000000000000:table/orders");
  EXPECT_EQ(def.created_ms, kNow);
  EXPECT_EQ(def.hash_key.name, "pk");
  EXPECT_EQ(def.hash_key.type, AttributeType::kS);
  ASSERT_TRUE(def.range_key.has_value());
  EXPECT_EQ(def.range_key->type, AttributeType::kN);
  EXPECT_EQ(def.billing_mode, "PAY_PER_REQUEST");
  EXPECT_EQ(def.table_id, 0);  // assigned by the write job
  EXPECT_EQ(plan->stream_view_type, streams::StreamViewType::kNewImage);
  EXPECT_FALSE(def.stream_enabled);  // the write job opens the stream
}

TEST(TableValidationTest, PlanCreateTableRefusesAsAwsDoes) {
  struct Case {
    std::string name;
    std::function<void(CreateTableRequest&)> change;
    std::string message;
  };
  const Case cases[] = {
      {"short name", [](CreateTableRequest& r) { r.table_name = "ab"; },
       "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
       "Member must have length greater than or equal to 3"},
      {"range first", [](CreateTableRequest& r) { std::swap(r.key_schema[0], r.key_schema[1]); },
       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
      {"undefined key", [](CreateTableRequest& r) { r.attribute_definitions.pop_back(); },
       "One or more parameter values were invalid: Some index key attributes are not defined in "
       "AttributeDefinitions. Keys: [sk], AttributeDefinitions: [pk]"},
      {"unused definition",
       [](CreateTableRequest& r) {
         r.attribute_definitions.push_back({"x", "S"});
       },
       "One or more parameter values were invalid: Number of attributes in KeySchema does not "
       "exactly match number of attributes defined in AttributeDefinitions"},
      {"provisioned without throughput", [](CreateTableRequest& r) { r.billing_mode.reset(); },
       "No provisioned throughput specified for the table"},
      {"on demand with throughput",
       [](CreateTableRequest& r) {
         r.provisioned_throughput = ProvisionedThroughput{1, 1};
       },
       "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
       "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
      {"disabled stream with a view",
       [](CreateTableRequest& r) {
         r.stream_specification = StreamSpecification{false, "NEW_IMAGE"};
       },
       "One or more parameter values were invalid: Table is being created with a stream "
       "disabled, UpdateViewType should not be specified"},
  };
  for (const Case& c : cases) {
    CreateTableRequest r = BaseCreate();
    c.change(r);
    auto plan = PlanCreateTable(r, kScope, kNow);
    ASSERT_FALSE(plan.ok()) << c.name;
    EXPECT_EQ(plan.status().message(), c.message) << c.name;
  }
}

TEST(TableValidationTest, PlanUpdateTableAppliesTheRequestToACopy) {
  auto created = PlanCreateTable(BaseCreate(), kScope, kNow);
  ASSERT_TRUE(created.ok());
  const TableDefinition& current = *created->definition;

  UpdateTableRequest r;
  r.table_name = "orders";
  r.attribute_definitions = std::vector<AttributeDefinition>{{"g", "S"}};
  GlobalSecondaryIndexUpdate create;
  create.action = GlobalSecondaryIndexUpdate::Action::kCreate;
  create.index.name = "by-g";
  create.index.key_schema = {{"g", "HASH"}};
  create.index.projection = {{"ProjectionType", "ALL"}};
  r.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{create};
  r.stream_specification = StreamSpecification{true, "KEYS_ONLY"};
  auto plan = PlanUpdateTable(current, r, kNow + 1);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(current.global_secondary_indexes.empty());  // the table's own is untouched
  ASSERT_EQ(plan->definition->global_secondary_indexes.size(), 1u);
  EXPECT_EQ(plan->created_index->name, "by-g");
  EXPECT_EQ(plan->stream_change, UpdateTablePlan::StreamChange::kEnable);
  EXPECT_EQ(plan->stream_view_type, streams::StreamViewType::kKeysOnly);
  ASSERT_EQ(plan->definition->attribute_definitions.size(), 3u);  // pk, sk and the new g
}

TEST(TableValidationTest, PlanUpdateTableRefusesAsAwsDoes) {
  auto created = PlanCreateTable(BaseCreate(), kScope, kNow);
  ASSERT_TRUE(created.ok());
  UpdateTableRequest nothing;
  nothing.table_name = "orders";
  auto plan = PlanUpdateTable(*created->definition, nothing, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message().rfind("At least one of ProvisionedThroughput", 0), 0u);

  UpdateTableRequest disable;
  disable.table_name = "orders";
  disable.stream_specification = StreamSpecification{false, std::nullopt};
  plan = PlanUpdateTable(*created->definition, disable, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(), "Table does not have a stream enabled: TableName: orders");

  UpdateTableRequest drop;
  drop.table_name = "orders";
  GlobalSecondaryIndexUpdate del;
  del.action = GlobalSecondaryIndexUpdate::Action::kDelete;
  del.index.name = "nope";
  drop.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{del};
  plan = PlanUpdateTable(*created->definition, drop, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), AwsError::kResourceNotFound);
  EXPECT_EQ(plan.status().message(), "Requested resource not found: Table: orders index: nope");
}

TEST(TableValidationTest, TimeToLiveRules) {
  TableDefinition table;
  EXPECT_EQ(ValidateTimeToLiveSpecification({"", true}).code(), AwsError::kValidation);
  EXPECT_TRUE(ValidateTimeToLiveSpecification({"exp", true}).ok());
  EXPECT_TRUE(CheckTimeToLiveChange(table, {"exp", true}).ok());
  EXPECT_EQ(CheckTimeToLiveChange(table, {"exp", false}).message(),
            "TimeToLive is already disabled");
  table.ttl_enabled = true;
  table.ttl_attribute = "exp";
  EXPECT_EQ(CheckTimeToLiveChange(table, {"exp", true}).message(), "TimeToLive is already enabled");
  EXPECT_EQ(CheckTimeToLiveChange(table, {"other", true}).message(),
            "TimeToLive is active on a different AttributeName: current AttributeName is exp");
  EXPECT_TRUE(CheckTimeToLiveChange(table, {"exp", false}).ok());
}

}  // namespace
}  // namespace streamstack::dynamodb
