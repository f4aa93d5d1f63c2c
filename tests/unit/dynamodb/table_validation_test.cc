// The control plane's checks and plans, without storage: CreateTable's definition, the
// changes UpdateTable plans against a table, and UpdateTimeToLive's rules (texts are AWS's;
// the e2e tests check the same answers over the wire).
#include "dynamodb/table_validation.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dynamodb/time_to_live.h"

namespace streamstack::dynamodb {
namespace {

const AccountScope kScope{"us-east-1", "000000000000"};
constexpr int64_t kNow = 1718047576525;

SseSpecification Sse(std::optional<bool> enabled, std::optional<std::string> type = std::nullopt,
                     std::optional<std::string> key = std::nullopt) {
  return SseSpecification{enabled, std::move(type), std::move(key)};
}

WarmThroughput Warm(std::optional<int64_t> read, std::optional<int64_t> write = std::nullopt) {
  return WarmThroughput{read, write};
}

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
      {"two hash keys", [](CreateTableRequest& r) { r.key_schema[1].key_type = "HASH"; },
       "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
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
       "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
       "both be specified when BillingMode is PROVISIONED"},
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
      // ack-api-quirks' ValidationException catalogue (DDB-TABLE-442).
      {"duplicate definition",
       [](CreateTableRequest& r) {
         r.attribute_definitions.push_back({"pk", "N"});
       },
       "Attribute Name is duplicated: pk"},
      {"unknown table class", [](CreateTableRequest& r) { r.table_class = "standard"; },
       "Invalid table-class parameter provided. Please try again with a valid table-class value: "
       "[STANDARD, STANDARD_INFREQUENT_ACCESS]."},
  };
  for (const Case& c : cases) {
    CreateTableRequest r = BaseCreate();
    c.change(r);
    auto plan = PlanCreateTable(r, kScope, kNow);
    ASSERT_FALSE(plan.ok()) << c.name;
    EXPECT_EQ(plan.status().message(), c.message) << c.name;
  }
}

// A GSI over the attributes a..h (S), keyed as `key_schema` says.
CreateTableRequest WithGlobalIndex(std::vector<KeySchemaElement> key_schema) {
  CreateTableRequest r = BaseCreate();
  for (const char* name : {"a", "b", "c", "d", "e", "f", "g", "h", "i"}) {
    r.attribute_definitions.push_back({name, "S"});
  }
  std::set<std::string> used;
  for (const auto& k : key_schema) used.insert(k.name);
  std::erase_if(r.attribute_definitions, [&](const AttributeDefinition& d) {
    return d.name != "pk" && d.name != "sk" && !used.contains(d.name);
  });
  SecondaryIndex index;
  index.name = "multi";
  index.key_schema = std::move(key_schema);
  index.projection = {{"ProjectionType", "ALL"}};
  r.global_secondary_indexes = std::vector<SecondaryIndex>{index};
  return r;
}

std::vector<KeySchemaElement> Keys(const std::string& hash, const std::string& range) {
  std::vector<KeySchemaElement> out;
  for (char c : hash) out.push_back({std::string(1, c), "HASH"});
  for (char c : range) out.push_back({std::string(1, c), "RANGE"});
  return out;
}

// GSI multi-attribute keys: up to four HASH then up to four RANGE attributes
// (GSI.html#GSI.MultiAttributeKeys); AWS's texts for the faults are recorded (ack-api-quirks
// DDB-TABLE-123, -124 and the catalogue DDB-TABLE-442); a table's and an LSI's keys keep two
// elements.
TEST(TableValidationTest, GlobalIndexesTakeMultiAttributeKeys) {
  struct Case {
    std::string name;
    std::vector<KeySchemaElement> key_schema;
    std::string message;  // empty: accepted
  };
  const Case cases[] = {
      {"two HASH", Keys("ab", ""), ""},
      {"HASH and two RANGE", Keys("a", "bc"), ""},
      {"four and four", Keys("abcd", "efgh"), ""},
      {"five HASH", Keys("abcde", ""),
       "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed "
       "number of HASH key attributes"},
      {"five RANGE", Keys("a", "bcdef"),
       "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed "
       "number of RANGE key attributes"},
      {"HASH after RANGE",
       {{"a", "HASH"}, {"b", "RANGE"}, {"c", "HASH"}},
       "One or more parameter values were invalid: All HASH key attributes must precede RANGE "
       "key attributes in the KeySchema"},
      {"RANGE first",
       {{"b", "RANGE"}, {"a", "HASH"}},
       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
      {"RANGE only",
       {{"b", "RANGE"}},
       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
      {"same attribute twice",
       {{"a", "HASH"}, {"a", "HASH"}},
       "The KeySchema contains multiple key attributes with the same name"},
      {"same attribute in both",
       {{"a", "HASH"}, {"b", "RANGE"}, {"a", "RANGE"}},
       "The KeySchema contains multiple key attributes with the same name"},
      {"single HASH and RANGE named alike",
       {{"a", "HASH"}, {"a", "RANGE"}},
       "Both the Hash Key and the Range Key element in the KeySchema have the same name"},
  };
  for (const Case& c : cases) {
    auto plan = PlanCreateTable(WithGlobalIndex(c.key_schema), kScope, kNow);
    if (c.message.empty()) {
      ASSERT_TRUE(plan.ok()) << c.name << ": " << plan.status().message();
      EXPECT_EQ(plan->definition->global_secondary_indexes[0].key_schema.size(),
                c.key_schema.size())
          << c.name;
    } else {
      ASSERT_FALSE(plan.ok()) << c.name;
      EXPECT_EQ(plan.status().message(), c.message) << c.name;
    }
  }
  // A key attribute without a definition, as for a single-attribute key.
  CreateTableRequest undefined = WithGlobalIndex(Keys("ab", "c"));
  std::erase_if(undefined.attribute_definitions,
                [](const AttributeDefinition& d) { return d.name == "c"; });
  EXPECT_EQ(PlanCreateTable(undefined, kScope, kNow).status().message(),
            "One or more parameter values were invalid: Some index key attributes are not defined "
            "in AttributeDefinitions. Keys: [c], AttributeDefinitions: [pk, sk, a, b]");
}

TEST(TableValidationTest, TablesAndLocalIndexesKeepTwoKeyElements) {
  CreateTableRequest table = BaseCreate();
  table.attribute_definitions.push_back({"x", "S"});
  table.key_schema.push_back({"x", "RANGE"});
  EXPECT_EQ(
      PlanCreateTable(table, kScope, kNow).status().message(),
      "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), "
      "KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=x, "
      "keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length "
      "less than or equal to 2");
  CreateTableRequest lsi = BaseCreate();
  lsi.attribute_definitions.push_back({"x", "S"});
  lsi.attribute_definitions.push_back({"y", "S"});
  SecondaryIndex index;
  index.name = "local";
  index.key_schema = {{"pk", "HASH"}, {"x", "RANGE"}, {"y", "RANGE"}};
  index.projection = {{"ProjectionType", "ALL"}};
  lsi.local_secondary_indexes = std::vector<SecondaryIndex>{index};
  EXPECT_EQ(
      PlanCreateTable(lsi, kScope, kNow).status().message(),
      "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), "
      "KeySchemaElement(attributeName=x, keyType=RANGE), KeySchemaElement(attributeName=y, "
      "keyType=RANGE)]' at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy "
      "constraint: Member must have length less than or equal to 2");
}

TEST(TableValidationTest, UpdateTableCreatesMultiAttributeGlobalIndexes) {
  auto created = PlanCreateTable(BaseCreate(), kScope, kNow);
  ASSERT_TRUE(created.ok());
  auto update = [&](std::vector<KeySchemaElement> key_schema) {
    UpdateTableRequest r;
    r.table_name = "orders";
    r.attribute_definitions = std::vector<AttributeDefinition>{
        {"a", "S"}, {"b", "N"}, {"c", "S"}, {"d", "S"}, {"e", "S"}};
    GlobalSecondaryIndexUpdate create;
    create.action = GlobalSecondaryIndexUpdate::Action::kCreate;
    create.index.name = "multi";
    create.index.key_schema = std::move(key_schema);
    create.index.projection = {{"ProjectionType", "ALL"}};
    r.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{create};
    return PlanUpdateTable(*created->definition, r, kScope, kNow + 1);
  };
  auto plan = update(Keys("ab", "c"));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_TRUE(plan->created_index);
  EXPECT_EQ(plan->created_index->key_schema.size(), 3u);
  EXPECT_EQ(plan->definition->attribute_definitions.size(), 5u);  // pk, sk, a, b, c
  EXPECT_EQ(update(Keys("abcde", "")).status().message(),
            "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed "
            "number of HASH key attributes");
  EXPECT_EQ(update({{"a", "HASH"}, {"b", "RANGE"}, {"c", "HASH"}}).status().message(),
            "One or more parameter values were invalid: All HASH key attributes must precede RANGE "
            "key attributes in the KeySchema");
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
  auto plan = PlanUpdateTable(current, r, kScope, kNow + 1);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(current.global_secondary_indexes.empty());  // the table's own is untouched
  ASSERT_EQ(plan->definition->global_secondary_indexes.size(), 1u);
  EXPECT_EQ(plan->created_index->name, "by-g");
  ASSERT_EQ(plan->definition->attribute_definitions.size(), 3u);  // pk, sk and the new g
  EXPECT_EQ(plan->status, TableStatus::kUpdating);

  UpdateTableRequest stream;
  stream.table_name = "orders";
  stream.stream_specification = StreamSpecification{true, "KEYS_ONLY"};
  plan = PlanUpdateTable(current, stream, kScope, kNow + 1);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->stream_change, UpdateTablePlan::StreamChange::kEnable);
  EXPECT_EQ(plan->stream_view_type, streams::StreamViewType::kKeysOnly);
  EXPECT_EQ(plan->status, TableStatus::kUpdating);
}

// UpdateTable makes one change per request; AWS's texts and their precedence as recorded
// against AWS (ack-api-quirks DDB-TABLE-382, -433, -174).
TEST(TableValidationTest, PlanUpdateTableMakesOneChangeAtATime) {
  auto created = PlanCreateTable(BaseCreate(), kScope, kNow);
  ASSERT_TRUE(created.ok());
  GlobalSecondaryIndexUpdate create;
  create.action = GlobalSecondaryIndexUpdate::Action::kCreate;
  create.index.name = "by-sk";
  create.index.key_schema = {{"sk", "HASH"}};
  create.index.projection = {{"ProjectionType", "ALL"}};
  using Edit = std::function<void(UpdateTableRequest&)>;
  const Edit sse = [](UpdateTableRequest& r) { r.sse_specification = Sse(true); };
  const Edit table_class = [](UpdateTableRequest& r) {
    r.table_class = "STANDARD_INFREQUENT_ACCESS";
  };
  const Edit protection = [](UpdateTableRequest& r) { r.deletion_protection_enabled = true; };
  const Edit warm = [](UpdateTableRequest& r) { r.warm_throughput = Warm(13000); };
  const Edit stream = [](UpdateTableRequest& r) {
    r.stream_specification = StreamSpecification{true, "KEYS_ONLY"};
  };
  const Edit iops = [](UpdateTableRequest& r) {
    r.billing_mode = "PROVISIONED";
    r.provisioned_throughput = ProvisionedThroughput{5, 5};
  };
  const Edit index = [&](UpdateTableRequest& r) {
    r.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{create};
  };
  const std::string only = " must be the only operation in the request";
  struct Case {
    std::vector<Edit> edits;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{protection, sse}, "Server-Side Encryption modification" + only},
      {{sse, stream}, "Server-Side Encryption modification" + only},
      {{protection, table_class}, "TableClass modification" + only},
      {{warm, protection}, "DeletionProtection modification" + only},
      {{protection, stream}, "DeletionProtection modification" + only},
      {{warm, stream}, "WarmThroughput" + only},
      {{warm, index},
       "Create global secondary index cannot be specified when updating "
       "WarmThroughput"},
      {{stream, iops}, "You cannot modify stream status while updating table IOPS"},
      {{index, iops}, "You cannot create or delete index while updating table IOPS"},
      {{index, stream}, "You cannot create or delete index while changing stream status"},
  };
  for (const Case& c : cases) {
    UpdateTableRequest r;
    r.table_name = "orders";
    for (const Edit& edit : c.edits) edit(r);
    auto plan = PlanUpdateTable(*created->definition, r, kScope, kNow);
    ASSERT_FALSE(plan.ok()) << c.message;
    EXPECT_EQ(plan.status().message(), "One or more parameter values were invalid: " + c.message);
  }
}

// Encryption changes leave the table ACTIVE and describe the key before them while they run;
// only a request that changes nothing is refused (recorded answers, ack-api-quirks
// DDB-TABLE-079, -082, -140; LocalStack's recorded DescribeTable after disabling).
TEST(TableValidationTest, PlanUpdateTableChangesEncryption) {
  auto created = PlanCreateTable(BaseCreate(), kScope, kNow);
  ASSERT_TRUE(created.ok());
  const TableDefinition& owned = *created->definition;
  const std::string managed = KmsMasterKeyArn(kScope, std::nullopt);
  auto update = [](SseSpecification sse) {
    UpdateTableRequest r;
    r.table_name = "orders";
    r.sse_specification = sse;
    return r;
  };
  for (SseSpecification same : {Sse(false), Sse(std::nullopt)}) {
    auto plan = PlanUpdateTable(owned, update(same), kScope, kNow);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.status().message(),
              "One or more parameter values were invalid: Table is already encrypted by default");
  }
  auto enable = PlanUpdateTable(owned, update(Sse(true)), kScope, kNow);
  ASSERT_TRUE(enable.ok()) << enable.status().message();
  EXPECT_EQ(enable->definition->sse_kms_master_key_arn, managed);
  EXPECT_EQ(enable->before_change.sse_kms_master_key_arn, "");
  EXPECT_EQ(enable->status, TableStatus::kActive);

  const TableDefinition& kms = *enable->definition;
  auto by_arn = PlanUpdateTable(kms, update(Sse(true, "KMS", managed)), kScope, kNow);
  ASSERT_FALSE(by_arn.ok());
  EXPECT_EQ(by_arn.status().message(),
            "One or more parameter values were invalid: Table is already encrypted with given "
            "KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key");
  auto by_alias =
      PlanUpdateTable(kms, update(Sse(true, "KMS", "alias/aws/dynamodb")), kScope, kNow);
  ASSERT_TRUE(by_alias.ok()) << by_alias.status().message();  // re-encrypts on AWS
  EXPECT_EQ(by_alias->definition->sse_kms_master_key_arn, managed);
  auto other = PlanUpdateTable(kms, update(Sse(std::nullopt, "KMS", "1234abcd")), kScope, kNow);
  ASSERT_TRUE(other.ok()) << other.status().message();
  EXPECT_EQ(other->definition->sse_kms_master_key_arn,
            "arn:aws:kms:us-east-1:000000000000:key/1234abcd");
  EXPECT_EQ(other->before_change.sse_kms_master_key_arn, managed);
  auto disable = PlanUpdateTable(kms, update(Sse(false)), kScope, kNow);
  ASSERT_TRUE(disable.ok()) << disable.status().message();
  EXPECT_EQ(disable->definition->sse_kms_master_key_arn, "");
  EXPECT_EQ(disable->before_change.sse_kms_master_key_arn, managed);
}

// Warm throughput only grows; a member left out keeps its value (recorded answers,
// ack-api-quirks DDB-TABLE-059, -155, -459).
TEST(TableValidationTest, PlanUpdateTableRaisesWarmThroughput) {
  auto created = PlanCreateTable(BaseCreate(), kScope, kNow);  // on demand: 12000 / 4000
  ASSERT_TRUE(created.ok());
  const TableDefinition& table = *created->definition;
  EXPECT_EQ(WarmThroughputOf(table), (WarmThroughputValues{12000, 4000}));
  auto update = [](WarmThroughput warm) {
    UpdateTableRequest r;
    r.table_name = "orders";
    r.warm_throughput = warm;
    return r;
  };
  auto raised = PlanUpdateTable(table, update(Warm(12001)), kScope, kNow);
  ASSERT_TRUE(raised.ok()) << raised.status().message();
  EXPECT_EQ(WarmThroughputOf(*raised->definition), (WarmThroughputValues{12001, 4000}));
  EXPECT_EQ(raised->before_change.warm_throughput, (WarmThroughputValues{12000, 4000}));
  EXPECT_EQ(raised->status, TableStatus::kActive);
  EXPECT_TRUE(PlanUpdateTable(table, update(Warm(12000, 4000)), kScope, kNow).ok());

  const std::string lower =
      " for WarmThroughput for table is lower than current WarmThroughput, decreasing "
      "WarmThroughput is not supported";
  auto read = PlanUpdateTable(table, update(Warm(100, 100)), kScope, kNow);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(),
            "One or more parameter values were invalid: Requested ReadUnitsPerSecond" + lower);
  auto write = PlanUpdateTable(table, update(Warm(std::nullopt, 3999)), kScope, kNow);
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.status().message(),
            "One or more parameter values were invalid: Requested WriteUnitsPerSecond" + lower);

  // While the increase to 12001 is in flight the values described (12000/4000) judge a request
  // (recorded, DDB-TABLE-049): they again, or a partial raise, are accepted, and the raise in
  // flight is kept; below them is refused (-179).
  const TableDefinition& in_flight = *raised->definition;
  const WarmThroughputValues described{12000, 4000};
  auto again = PlanUpdateTable(in_flight, update(Warm(12000, 4000)), kScope, kNow, described);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(WarmThroughputOf(*again->definition), (WarmThroughputValues{12001, 4000}));
  EXPECT_EQ(again->before_change.warm_throughput, described);
  auto partial =
      PlanUpdateTable(in_flight, update(Warm(std::nullopt, 4002)), kScope, kNow, described);
  ASSERT_TRUE(partial.ok()) << partial.status().message();
  EXPECT_EQ(WarmThroughputOf(*partial->definition), (WarmThroughputValues{12001, 4002}));
  EXPECT_FALSE(PlanUpdateTable(in_flight, update(Warm(11999)), kScope, kNow, described).ok());
  // Once it is done the raised values judge: 12000 is a decrease.
  EXPECT_FALSE(PlanUpdateTable(in_flight, update(Warm(12000, 4000)), kScope, kNow).ok());
}

// OnDemandThroughput (recorded answers, ack-api-quirks DDB-TABLE-051/-178/-182 and -024/-038):
// on-demand tables only, each limit at least 1, UpdateTable merging member by member with -1
// clearing one (echoed as -1 in its answer), the table ACTIVE throughout.
TEST(TableValidationTest, OnDemandThroughputAsAwsAnswersIt) {
  const std::string invalid = "One or more parameter values were invalid: ";
  auto create = [](std::optional<int64_t> read, std::optional<int64_t> write,
                   const char* billing = "PAY_PER_REQUEST") {
    CreateTableRequest r = BaseCreate();
    r.billing_mode = billing;
    if (std::string(billing) == "PROVISIONED") r.provisioned_throughput = {{5, 5}};
    r.on_demand_throughput = OnDemandThroughput{read, write};
    return PlanCreateTable(r, kScope, kNow);
  };
  auto made = create(1000, std::nullopt);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_EQ(made->definition->on_demand_throughput, (OnDemandThroughput{1000, std::nullopt}));
  EXPECT_TRUE(create(std::nullopt, std::nullopt).ok());  // {} is taken at create
  EXPECT_EQ(create(0, 5).status().message(),
            invalid +
                "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside "
                "of valid range");
  EXPECT_EQ(create(5, -1).status().message(),
            invalid +
                "Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside "
                "of valid range");
  // CreateTable's words (DDB-TABLE-038, -128), not UpdateTable's.
  EXPECT_EQ(create(std::nullopt, 5, "PROVISIONED").status().message(),
            invalid +
                "MaxWriteRequestUnits for OnDemandThroughput cannot be specified when table "
                "BillingMode is PROVISIONED.");

  const TableDefinition table = *create(1000, 500)->definition;
  auto update = [&](std::optional<int64_t> read, std::optional<int64_t> write) {
    UpdateTableRequest r;
    r.table_name = "orders";
    r.on_demand_throughput = OnDemandThroughput{read, write};
    return PlanUpdateTable(table, r, kScope, kNow);
  };
  auto merged = update(2000, std::nullopt);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(merged->definition->on_demand_throughput, (OnDemandThroughput{2000, 500}));
  EXPECT_EQ(merged->on_demand_answer, (OnDemandThroughput{2000, 500}));
  EXPECT_EQ(merged->status, TableStatus::kActive);
  auto cleared = update(std::nullopt, -1);
  ASSERT_TRUE(cleared.ok());
  EXPECT_EQ(cleared->definition->on_demand_throughput, (OnDemandThroughput{1000, std::nullopt}));
  EXPECT_EQ(cleared->on_demand_answer, (OnDemandThroughput{1000, -1}));
  auto both = update(-1, -1);
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->definition->on_demand_throughput.Empty());
  EXPECT_EQ(update(-2, std::nullopt).status().message(),
            invalid +
                "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside "
                "of valid range");
  EXPECT_EQ(update(std::nullopt, 0).status().message(),
            invalid +
                "Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside "
                "of valid range");

  UpdateTableRequest with_stream;
  with_stream.table_name = "orders";
  with_stream.on_demand_throughput = OnDemandThroughput{10, 10};
  with_stream.stream_specification = StreamSpecification{true, "NEW_IMAGE"};
  EXPECT_EQ(PlanUpdateTable(table, with_stream, kScope, kNow).status().message(),
            invalid +
                "OnDemandThroughput can only be combined with BillingMode in an UpdateTable "
                "request");
  // Switching a provisioned table to on demand may bring its limits along.
  const TableDefinition provisioned =
      *create(std::nullopt, std::nullopt, "PROVISIONED")->definition;
  UpdateTableRequest to_on_demand;
  to_on_demand.table_name = "orders";
  to_on_demand.billing_mode = "PAY_PER_REQUEST";
  to_on_demand.on_demand_throughput = OnDemandThroughput{10, std::nullopt};
  auto switched = PlanUpdateTable(provisioned, to_on_demand, kScope, kNow);
  ASSERT_TRUE(switched.ok()) << switched.status().message();
  EXPECT_EQ(switched->definition->on_demand_throughput, (OnDemandThroughput{10, std::nullopt}));
  UpdateTableRequest on_provisioned;
  on_provisioned.table_name = "orders";
  on_provisioned.on_demand_throughput = OnDemandThroughput{10, std::nullopt};
  EXPECT_EQ(PlanUpdateTable(provisioned, on_provisioned, kScope, kNow).status().message(),
            invalid +
                "MaxReadRequestUnits for OnDemandThroughput cannot be specified when the "
                "table BillingMode is PROVISIONED");
}

// CreateTable's SSESpecification: Enabled may be left out (SSEType KMS alone enables), and
// the members that contradict each other are refused (recorded answers, ack-api-quirks
// DDB-TABLE-044 and the ValidationException catalogue DDB-TABLE-442).
TEST(TableValidationTest, PlanCreateTableReadsSseSpecificationAsAwsDoes) {
  auto create = [](SseSpecification sse) {
    CreateTableRequest r = BaseCreate();
    r.sse_specification = sse;
    return PlanCreateTable(r, kScope, kNow);
  };
  const std::string managed = KmsMasterKeyArn(kScope, std::nullopt);
  EXPECT_EQ(create(Sse(std::nullopt))->definition->sse_kms_master_key_arn, "");
  EXPECT_EQ(create(Sse(false))->definition->sse_kms_master_key_arn, "");
  EXPECT_EQ(create(Sse(true))->definition->sse_kms_master_key_arn, managed);
  EXPECT_EQ(create(Sse(std::nullopt, "KMS"))->definition->sse_kms_master_key_arn, managed);
  struct Case {
    SseSpecification sse;
    std::string message;
  };
  const std::vector<Case> refused = {
      {Sse(false, "KMS"), "SSEType can not be specified if Enabled is false"},
      {Sse(false, std::nullopt, "k"), "KMSMasterKeyId can not be specified if Enabled is false"},
      {Sse(true, "AES256"), "SSEType AES256 is not supported"},
      {Sse(true, std::nullopt, "k"), "SSEType KMS is required if KMSMasterKeyId is specified"},
  };
  for (const Case& c : refused) {
    auto plan = create(c.sse);
    ASSERT_FALSE(plan.ok()) << c.message;
    EXPECT_EQ(plan.status().message(), "One or more parameter values were invalid: " + c.message);
  }
}

TEST(TableValidationTest, PlanUpdateTableRefusesAsAwsDoes) {
  auto created = PlanCreateTable(BaseCreate(), kScope, kNow);
  ASSERT_TRUE(created.ok());
  UpdateTableRequest nothing;
  nothing.table_name = "orders";
  auto plan = PlanUpdateTable(*created->definition, nothing, kScope, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message().rfind("At least one of ProvisionedThroughput", 0), 0u);

  UpdateTableRequest disable;
  disable.table_name = "orders";
  disable.stream_specification = StreamSpecification{false, std::nullopt};
  plan = PlanUpdateTable(*created->definition, disable, kScope, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(), "Table has no stream to disable: TableName: orders");

  // The view type is required to enable and refused to disable (AWS's texts as recorded,
  // ack-api-quirks DDB-TABLE-437 and -442).
  const std::string invalid = "One or more parameter values were invalid: ";
  UpdateTableRequest enable_untyped;
  enable_untyped.table_name = "orders";
  enable_untyped.stream_specification = StreamSpecification{true, std::nullopt};
  plan = PlanUpdateTable(*created->definition, enable_untyped, kScope, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            invalid + "If stream is being enabled then UpdateViewType is required");
  UpdateTableRequest disable_typed;
  disable_typed.table_name = "orders";
  disable_typed.stream_specification = StreamSpecification{false, "KEYS_ONLY"};
  plan = PlanUpdateTable(*created->definition, disable_typed, kScope, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            invalid + "If stream is being disabled, then UpdateViewType must not be specified");
  CreateTableRequest create_untyped = BaseCreate();
  create_untyped.stream_specification = StreamSpecification{true, std::nullopt};
  auto created_untyped = PlanCreateTable(create_untyped, kScope, kNow);
  ASSERT_FALSE(created_untyped.ok());
  EXPECT_EQ(created_untyped.status().message(),
            invalid + "Table is being created with a stream enabled, UpdateViewType is required");

  UpdateTableRequest drop;
  drop.table_name = "orders";
  GlobalSecondaryIndexUpdate del;
  del.action = GlobalSecondaryIndexUpdate::Action::kDelete;
  del.index.name = "nope";
  drop.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{del};
  plan = PlanUpdateTable(*created->definition, drop, kScope, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), AwsError::kResourceNotFound);
  EXPECT_EQ(plan.status().message(), "Requested resource not found: Index nope for table orders");
}

// Capacity asked for again is refused (AWS's text as recorded, ack-api-quirks DDB-TABLE-442).
TEST(TableValidationTest, PlanUpdateTableRefusesTheCapacityTheTableHas) {
  CreateTableRequest create = BaseCreate();
  create.billing_mode = "PROVISIONED";
  create.provisioned_throughput = ProvisionedThroughput{5, 7};
  auto created = PlanCreateTable(create, kScope, kNow);
  ASSERT_TRUE(created.ok()) << created.status().message();
  UpdateTableRequest same;
  same.table_name = "orders";
  same.provisioned_throughput = ProvisionedThroughput{5, 7};
  auto plan = PlanUpdateTable(*created->definition, same, kScope, kNow);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "The provisioned throughput for the table will not change. The requested value "
            "equals the current value. Current ReadCapacityUnits provisioned for the table: 5. "
            "Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the "
            "table: 7. Requested WriteCapacityUnits: 7. Refer to the Amazon DynamoDB Developer "
            "Guide for current limits and how to request higher limits.");
  same.provisioned_throughput = ProvisionedThroughput{5, 8};
  EXPECT_TRUE(PlanUpdateTable(*created->definition, same, kScope, kNow).ok());
}

// Capacity above AWS's ceiling, and billing checked before the key schema (dynalite's
// createTable.js and updateTable.js, recorded against DynamoDB).
TEST(TableValidationTest, CapacityOutOfBoundsAndBillingBeforeKeys) {
  constexpr int64_t kOver = 1'000'000'000'001;
  CreateTableRequest create = BaseCreate();
  create.billing_mode = "PROVISIONED";
  create.provisioned_throughput = ProvisionedThroughput{kOver, kOver};
  EXPECT_EQ(PlanCreateTable(create, kScope, kNow).status().message(),
            "Given value 1000000000001 for ReadCapacityUnits is out of bounds");
  create.provisioned_throughput = ProvisionedThroughput{1'000'000'000'000, kOver};
  EXPECT_EQ(PlanCreateTable(create, kScope, kNow).status().message(),
            "Given value 1000000000001 for WriteCapacityUnits is out of bounds");
  // Within bounds, the account's per-table maximum answers next (LimitExceededException);
  // 40000 itself is taken.
  create.provisioned_throughput = ProvisionedThroughput{1'000'000'000'000, 1'000'000'000'000};
  auto above = PlanCreateTable(create, kScope, kNow);
  EXPECT_EQ(above.status().code(), AwsError::kLimitExceeded);
  EXPECT_EQ(above.status().message(),
            "The requested ReadCapacityUnits, 1000000000000, is above the per table maximum for "
            "the account in " +
                kScope.region +
                ". Per table maximum: 40000. Refer to the Amazon DynamoDB Developer Guide for "
                "current limits and how to request higher limits.");
  create.provisioned_throughput = ProvisionedThroughput{40000, 40000};
  EXPECT_TRUE(PlanCreateTable(create, kScope, kNow).ok());

  CreateTableRequest broken = BaseCreate();
  broken.key_schema = {{"pk", "HASH"}, {"pk", "HASH"}};
  broken.provisioned_throughput = ProvisionedThroughput{1, 1};
  EXPECT_EQ(PlanCreateTable(broken, kScope, kNow).status().message(),
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
            "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");

  // UpdateTable's request checks come before the table is looked up.
  UpdateTableRequest update;
  update.table_name = "missing";
  EXPECT_EQ(CheckUpdateTableRequest(update).message().rfind("At least one of", 0), 0u);
  update.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{};
  EXPECT_EQ(CheckUpdateTableRequest(update).message().rfind("At least one of", 0), 0u);
  update.billing_mode = "PROVISIONED";
  EXPECT_EQ(CheckUpdateTableRequest(update).message(),
            "One or more parameter values were invalid: ProvisionedThroughput must be specified "
            "when BillingMode is PROVISIONED");
  update.provisioned_throughput = ProvisionedThroughput{5, kOver};
  EXPECT_EQ(CheckUpdateTableRequest(update).message(),
            "Given value 1000000000001 for WriteCapacityUnits is out of bounds");
  update.provisioned_throughput = ProvisionedThroughput{5, 5};
  GlobalSecondaryIndexUpdate first;
  first.action = GlobalSecondaryIndexUpdate::Action::kDelete;
  first.index.name = "abc";
  GlobalSecondaryIndexUpdate second = first;
  second.action = GlobalSecondaryIndexUpdate::Action::kUpdate;
  update.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{first, second};
  EXPECT_EQ(CheckUpdateTableRequest(update).message(),
            "One or more parameter values were invalid: Only one global secondary index update "
            "per index is allowed simultaneously. Index: abc");
  update.global_secondary_index_updates->pop_back();
  EXPECT_TRUE(CheckUpdateTableRequest(update).ok());
}

// A billing switch and the indexes' capacity, as AWS answers them (ack-api-quirks DDB-TABLE-152,
// -153, -164 and their catalogue DDB-TABLE-442; dynalite's updateTable.js).
TEST(TableValidationTest, BillingSwitchTakesTheIndexesAlong) {
  CreateTableRequest create = BaseCreate();
  create.attribute_definitions.push_back({"g", "S"});
  std::vector<SecondaryIndex> indexes;
  for (const char* name : {"index3", "index4"}) {
    SecondaryIndex index;
    index.name = name;
    index.key_schema = {{"g", "HASH"}};
    index.projection = {{"ProjectionType", "ALL"}};
    index.on_demand_throughput.max_read_request_units = 6000;
    indexes.push_back(std::move(index));
  }
  create.global_secondary_indexes = std::move(indexes);
  auto created = PlanCreateTable(create, kScope, kNow);
  ASSERT_TRUE(created.ok()) << created.status().message();
  const TableDefinition& on_demand = *created->definition;
  using Action = GlobalSecondaryIndexUpdate::Action;
  auto index_update = [](const std::string& name, std::optional<ProvisionedThroughput> t) {
    GlobalSecondaryIndexUpdate u;
    u.action = Action::kUpdate;
    u.index.name = name;
    u.index.throughput = t;
    return u;
  };
  UpdateTableRequest to_provisioned;
  to_provisioned.table_name = "orders";
  to_provisioned.billing_mode = "PROVISIONED";
  to_provisioned.provisioned_throughput = ProvisionedThroughput{50, 50};
  const std::string invalid = "One or more parameter values were invalid: ";
  EXPECT_EQ(PlanUpdateTable(on_demand, to_provisioned, kScope, kNow).status().message(),
            invalid + "ProvisionedThroughput must be specified for index: index3,index4");
  to_provisioned.global_secondary_index_updates =
      std::vector<GlobalSecondaryIndexUpdate>{index_update("index4", ProvisionedThroughput{2, 3})};
  EXPECT_EQ(PlanUpdateTable(on_demand, to_provisioned, kScope, kNow).status().message(),
            invalid + "ProvisionedThroughput must be specified for index: index3");
  to_provisioned.global_secondary_index_updates->push_back(
      index_update("index3", ProvisionedThroughput{4, 5}));
  auto switched = PlanUpdateTable(on_demand, to_provisioned, kScope, kNow);
  ASSERT_TRUE(switched.ok()) << switched.status().message();
  const TableDefinition& provisioned = *switched->definition;
  EXPECT_EQ(provisioned.global_secondary_indexes[0].throughput->read_capacity_units, 4);
  EXPECT_EQ(provisioned.global_secondary_indexes[1].throughput->write_capacity_units, 3);
  EXPECT_FALSE(provisioned.global_secondary_indexes[0].on_demand_throughput.max_read_request_units);

  // On a provisioned table: an index's capacity asked for again, one above the ceiling (even of
  // an index that does not exist), and a created index without capacity.
  UpdateTableRequest same;
  same.table_name = "orders";
  same.global_secondary_index_updates =
      std::vector<GlobalSecondaryIndexUpdate>{index_update("index3", ProvisionedThroughput{4, 5})};
  EXPECT_EQ(PlanUpdateTable(provisioned, same, kScope, kNow).status().message(),
            "The provisioned throughput for the index index3 will not change. The requested value "
            "equals the current value. Current ReadCapacityUnits provisioned for index index3: 4. "
            "Requested ReadCapacityUnits: 4. Current WriteCapacityUnits provisioned for index "
            "index3: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer "
            "Guide for current limits and how to request higher limits.");
  UpdateTableRequest blocked = same;
  (*blocked.global_secondary_index_updates)[0] =
      index_update("nope", ProvisionedThroughput{1'000'000'000'000, 1'000'000'000'001});
  EXPECT_EQ(PlanUpdateTable(provisioned, blocked, kScope, kNow).status().message(),
            "This operation cannot be performed with given input values. Please contact DynamoDB "
            "service team for more info: Action Blocked: IndexUpdate");
  GlobalSecondaryIndexUpdate add;
  add.action = Action::kCreate;
  add.index.name = "gsi-nopt";
  add.index.key_schema = {{"g", "HASH"}};
  add.index.projection = {{"ProjectionType", "ALL"}};
  UpdateTableRequest create_index;
  create_index.table_name = "orders";
  create_index.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{add};
  EXPECT_EQ(PlanUpdateTable(provisioned, create_index, kScope, kNow).status().message(),
            invalid +
                "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: "
                "gsi-nopt");
  (*create_index.global_secondary_index_updates)[0].index.throughput = ProvisionedThroughput{1, 1};
  EXPECT_TRUE(PlanUpdateTable(provisioned, create_index, kScope, kNow).ok());
  EXPECT_EQ(PlanUpdateTable(on_demand, create_index, kScope, kNow).status().message(),
            invalid +
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for "
                "index: gsi-nopt when BillingMode is PAY_PER_REQUEST");

  // Back to on-demand: the indexes report no capacity again; PAY_PER_REQUEST asked for again
  // is taken (AWS answers UPDATING and changes nothing).
  UpdateTableRequest to_on_demand;
  to_on_demand.table_name = "orders";
  to_on_demand.billing_mode = "PAY_PER_REQUEST";
  auto back = PlanUpdateTable(provisioned, to_on_demand, kScope, kNow);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_FALSE(back->definition->global_secondary_indexes[0].throughput);
  auto again = PlanUpdateTable(*back->definition, to_on_demand, kScope, kNow);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->status, TableStatus::kUpdating);
}

TEST(TableValidationTest, TimeToLiveRules) {
  TableDefinition table;
  EXPECT_EQ(ValidateTimeToLiveSpecification({"", true}).code(), AwsError::kValidation);
  EXPECT_TRUE(ValidateTimeToLiveSpecification({"exp", true}).ok());
  EXPECT_TRUE(CheckTimeToLiveChange(table, {"exp", true}, kNow).ok());
  EXPECT_EQ(CheckTimeToLiveChange(table, {"exp", false}, kNow).message(),
            "TimeToLive is already disabled");
  table.ttl_enabled = true;
  table.ttl_attribute = "exp";
  EXPECT_EQ(CheckTimeToLiveChange(table, {"exp", true}, kNow).message(),
            "TimeToLive is already enabled");
  EXPECT_EQ(CheckTimeToLiveChange(table, {"other", true}, kNow).message(),
            "TimeToLive is active on a different AttributeName: current AttributeName is exp");
  EXPECT_TRUE(CheckTimeToLiveChange(table, {"exp", false}, kNow).ok());
  // Within the hour after a change, another is refused; the repeated setting's text first.
  table.ttl_updated_ms = kNow - kTimeToLiveCooldownMs + 1;
  EXPECT_EQ(CheckTimeToLiveChange(table, {"exp", false}, kNow).message(),
            "Time to live has been modified multiple times within a fixed interval");
  EXPECT_EQ(CheckTimeToLiveChange(table, {"exp", true}, kNow).message(),
            "TimeToLive is already enabled");
  table.ttl_updated_ms = kNow - kTimeToLiveCooldownMs;
  EXPECT_TRUE(CheckTimeToLiveChange(table, {"exp", false}, kNow).ok());
}

}  // namespace
}  // namespace streamstack::dynamodb

namespace streamstack::dynamodb {
namespace {

// The account's 80000 units across its tables (recorded text, ack-api-quirks DDB-TABLE-171):
// a table reserves its capacity and its GSIs'; an on-demand table reserves none.
TEST(TableValidationTest, AccountCapacityAcrossTables) {
  TableDefinition table;
  table.billing_mode = "PROVISIONED";
  table.throughput = {30000, 10};
  SecondaryIndex index;
  index.throughput = ProvisionedThroughput{20000, 5};
  table.global_secondary_indexes = {index};
  EXPECT_EQ(ReservedCapacity(table).read_capacity_units, 50000);
  EXPECT_EQ(ReservedCapacity(table).write_capacity_units, 15);
  EXPECT_TRUE(CheckAccountCapacity({30000, 0}, ReservedCapacity(table), "eu-west-1").ok());
  Status over = CheckAccountCapacity({30001, 0}, ReservedCapacity(table), "eu-west-1");
  EXPECT_EQ(over.code(), AwsError::kLimitExceeded);
  EXPECT_EQ(over.message(),
            "This request would have caused the ReadCapacityUnits limit to be exceeded for the "
            "account in eu-west-1. Current ReadCapacityUnits reserved by the account: 30001. "
            "Limit: 80000. Requested: 50000. Refer to the Amazon DynamoDB Developer Guide for "
            "current limits and how to request higher limits.");
  table.billing_mode = "PAY_PER_REQUEST";
  EXPECT_EQ(ReservedCapacity(table).read_capacity_units, 0);
  EXPECT_TRUE(CheckAccountCapacity({80000, 80000}, ReservedCapacity(table), "eu-west-1").ok());
}

// An update requests what it adds: nothing for a decrease, each dimension on its own.
TEST(TableValidationTest, CapacityIncreaseOfAnUpdate) {
  TableDefinition before;
  before.billing_mode = "PROVISIONED";
  before.throughput = {100, 50};
  TableDefinition after = before;
  after.throughput = {300, 10};
  EXPECT_EQ(CapacityIncrease(before, after).read_capacity_units, 200);
  EXPECT_EQ(CapacityIncrease(before, after).write_capacity_units, 0);
  SecondaryIndex index;
  index.throughput = ProvisionedThroughput{5, 7};
  after.global_secondary_indexes = {index};
  EXPECT_EQ(CapacityIncrease(before, after).write_capacity_units, 0);
  after.throughput = {100, 50};
  EXPECT_EQ(CapacityIncrease(before, after).write_capacity_units, 7);
  after.billing_mode = "PAY_PER_REQUEST";  // on demand reserves nothing
  EXPECT_EQ(CapacityIncrease(before, after).read_capacity_units, 0);
  EXPECT_EQ(CapacityIncrease(after, before).read_capacity_units, 100);
}

}  // namespace
}  // namespace streamstack::dynamodb
