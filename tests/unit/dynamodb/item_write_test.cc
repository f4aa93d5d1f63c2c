// The one conditional-write path of PutItem, UpdateItem and DeleteItem, its pure part:
// the condition against the stored item, the new image, and what ReturnValues selects.
// (table_items.cc runs it in a write job; the e2e tests drive it over the wire.)
#include "dynamodb/item_write.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "test_env.h"

namespace streamstack::dynamodb {
namespace {

using test_env::ParseItem;

std::shared_ptr<const TableDefinition> Table() {
  auto t = std::make_shared<TableDefinition>();
  t->name = "t";
  t->hash_key = {"pk", AttributeType::kS};
  t->key_schema = {{"pk", "HASH"}};
  return t;
}

// A write of `kind` on key pk="k" with the given expressions and values.
ConditionalWrite Write(WriteKind kind, const std::string& condition = "",
                       const std::string& update = "", const std::string& values = "{}",
                       ReturnValues rv = ReturnValues::kNone, bool return_old = false) {
  ConditionalWrite w;
  w.kind = kind;
  w.table = Table();
  w.key.key = ParseItem(R"({"pk": {"S": "k"}})");
  w.item = ParseItem(R"({"pk": {"S": "k"}, "v": {"N": "9"}})");
  ExpressionInput in;
  if (!condition.empty()) in.condition_expression = condition;
  if (!update.empty()) in.update_expression = update;
  Item value_item = ParseItem(values);
  if (!value_item.empty())
    in.values = std::map<std::string, AttributeValue>(value_item.begin(), value_item.end());
  auto parsed = ParseWriteExpressions(in);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  if (parsed.ok()) {
    Status keys = CheckWriteExpressionsAgainstTable(*parsed, *w.table);
    EXPECT_TRUE(keys.ok()) << keys.message();
  }
  if (parsed.ok()) w.expressions = std::move(parsed).value();
  w.return_values = rv;
  w.return_old_on_condition_failure = return_old;
  return w;
}

const Item kOld = ParseItem(R"({"pk": {"S": "k"}, "v": {"N": "1"}, "w": {"S": "x"}})");

TEST(ItemWriteTest, PutStoresTheRequestItemWithoutCopyingIt) {
  ConditionalWrite w = Write(WriteKind::kPut);
  WritePlan plan;
  ASSERT_TRUE(PlanConditionalWrite(w, &kOld, &plan).ok());
  EXPECT_EQ(plan.new_image, &w.item);
  EXPECT_FALSE(plan.updated.has_value());
}

TEST(ItemWriteTest, DeleteLeavesNoImage) {
  WritePlan plan;
  ASSERT_TRUE(PlanConditionalWrite(Write(WriteKind::kDelete), &kOld, &plan).ok());
  EXPECT_EQ(plan.new_image, nullptr);
}

TEST(ItemWriteTest, UpdateAppliesToTheOldItemOrCreatesFromTheKey) {
  ConditionalWrite w = Write(WriteKind::kUpdate, "", "SET v = :v", R"({":v": {"N": "5"}})");
  WritePlan on_old;
  ASSERT_TRUE(PlanConditionalWrite(w, &kOld, &on_old).ok());
  ASSERT_NE(on_old.new_image, nullptr);
  EXPECT_EQ(*on_old.new_image,
            ParseItem(R"({"pk": {"S": "k"}, "v": {"N": "5"}, "w": {"S": "x"}})"));
  EXPECT_EQ(on_old.new_image, &*on_old.updated);
  ASSERT_EQ(on_old.updated_paths.size(), 1u);

  WritePlan created;
  ASSERT_TRUE(PlanConditionalWrite(w, nullptr, &created).ok());
  EXPECT_EQ(*created.new_image, ParseItem(R"({"pk": {"S": "k"}, "v": {"N": "5"}})"));
}

TEST(ItemWriteTest, ConditionIsCheckedAgainstTheStoredItem) {
  struct Case {
    std::string condition;
    const Item* old;
    bool holds;
  };
  const Case cases[] = {
      {"attribute_not_exists(pk)", nullptr, true},  // a missing item is an empty one
      {"attribute_not_exists(pk)", &kOld, false},
      {"attribute_exists(pk)", nullptr, false},
      {"v = :one", &kOld, true},
      {"v = :one", nullptr, false},
  };
  for (WriteKind kind : {WriteKind::kPut, WriteKind::kUpdate, WriteKind::kDelete}) {
    for (const Case& c : cases) {
      const std::string values =
          c.condition.find(":one") != std::string::npos ? R"({":one": {"N": "1"}})" : "{}";
      ConditionalWrite w = Write(kind, c.condition, "", values);
      WritePlan plan;
      Status st = PlanConditionalWrite(w, c.old, &plan);
      EXPECT_EQ(st.ok(), c.holds) << c.condition;
      if (!c.holds) {
        EXPECT_EQ(st.code(), AwsError::kConditionalCheckFailed);
        EXPECT_EQ(st.message(), "The conditional request failed");
      }
    }
  }
}

TEST(ItemWriteTest, ConditionFailureCarriesTheOldItemWhenAsked) {
  ConditionalWrite w = Write(WriteKind::kDelete, "attribute_not_exists(pk)", "", "{}",
                             ReturnValues::kNone, /*return_old=*/true);
  WritePlan plan;
  Status st = PlanConditionalWrite(w, &kOld, &plan);
  ASSERT_EQ(st.code(), AwsError::kConditionalCheckFailed);
  EXPECT_EQ(st.details()["Item"], ItemToJson(kOld));

  w.return_old_on_condition_failure = false;
  WritePlan without;
  EXPECT_FALSE(PlanConditionalWrite(w, &kOld, &without).details().contains("Item"));
}

TEST(ItemWriteTest, UpdatedImageIsCheckedForSize) {
  ConditionalWrite w = Write(WriteKind::kUpdate, "", "SET big = :big",
                             R"({":big": {"S": ")" + std::string(400 * 1024, 'x') + R"("}})");
  WritePlan plan;
  Status st = PlanConditionalWrite(w, &kOld, &plan);
  EXPECT_EQ(st.code(), AwsError::kValidation);
  EXPECT_EQ(st.message(), "Item size to update has exceeded the maximum allowed size");
}

TEST(ItemWriteTest, ReturnedAttributesSelectWhatReturnValuesAsks) {
  const Item updated = ParseItem(R"({"pk": {"S": "k"}, "v": {"N": "5"}, "w": {"S": "x"}})");
  struct Case {
    ReturnValues rv;
    std::optional<Item> expected;
  };
  const Case cases[] = {
      {ReturnValues::kNone, std::nullopt},
      {ReturnValues::kAllOld, kOld},
      {ReturnValues::kAllNew, updated},
      {ReturnValues::kUpdatedOld, ParseItem(R"({"v": {"N": "1"}})")},
      {ReturnValues::kUpdatedNew, ParseItem(R"({"v": {"N": "5"}})")},
  };
  for (const Case& c : cases) {
    ConditionalWrite w = Write(WriteKind::kUpdate, "", "SET v = :v", R"({":v": {"N": "5"}})", c.rv);
    WritePlan plan;
    ASSERT_TRUE(PlanConditionalWrite(w, &kOld, &plan).ok());
    EXPECT_EQ(ReturnedAttributes(c.rv, kOld, plan), c.expected) << static_cast<int>(c.rv);
  }
  // A Put's ALL_OLD is the old item; a first Put has none.
  ConditionalWrite put = Write(WriteKind::kPut);
  WritePlan plan;
  ASSERT_TRUE(PlanConditionalWrite(put, nullptr, &plan).ok());
  EXPECT_EQ(ReturnedAttributes(ReturnValues::kAllOld, std::nullopt, plan), std::nullopt);
}

// A table with a sort key, a GSI on c (S) and an LSI on e (N), for the checks an update
// expression meets against the keys before the item is read (dynalite updateItem.js and
// db/index.js validateUpdates, recorded against DynamoDB).
TableDefinition IndexedTable() {
  TableDefinition t;
  t.name = "t";
  t.hash_key = {"pk", AttributeType::kS};
  t.range_key = KeyAttribute{"sk", AttributeType::kS};
  t.key_schema = {{"pk", "HASH"}, {"sk", "RANGE"}};
  t.attribute_definitions = {{"pk", "S"}, {"sk", "S"}, {"c", "S"}, {"e", "N"}};
  SecondaryIndex gsi;
  gsi.name = "by-c";
  gsi.key_schema = {{"c", "HASH"}};
  gsi.projection = {{"ProjectionType", "ALL"}};
  t.global_secondary_indexes.push_back(gsi);
  SecondaryIndex lsi;
  lsi.name = "by-e";
  lsi.key_schema = {{"pk", "HASH"}, {"e", "RANGE"}};
  lsi.projection = {{"ProjectionType", "ALL"}};
  t.local_secondary_indexes.push_back(lsi);
  return t;
}

// `expression` with the values it names of :n (N 1) and :s (S "x").
ExpressionInput UpdateInput(const std::string& expression) {
  ExpressionInput in;
  in.update_expression = expression;
  for (const auto& [name, value] : ParseItem(R"({":n": {"N": "1"}, ":s": {"S": "x"}})")) {
    if (expression.find(name) == std::string::npos) continue;
    if (!in.values) in.values.emplace();
    in.values->emplace(name, value);
  }
  return in;
}

TEST(ItemWriteTest, UpdateExpressionsMeetTheKeysInAwsOrder) {
  const std::string kCannotUpdate = "One or more parameter values were invalid: Cannot update ";
  const std::string kNotScalar =
      "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
      "allowed: ";
  const std::string kMismatch = "One or more parameter values were invalid: Type mismatch for ";
  const std::pair<const char*, std::string> cases[] = {
      {"SET pk = :s", kCannotUpdate + "attribute pk. This attribute is part of the key"},
      {"REMOVE sk", kCannotUpdate + "attribute sk. This attribute is part of the key"},
      // A path under a key, and the keys in schema order, whatever the expression's order.
      {"SET d[1] = :n ADD sk.b :n, pk.c :n",
       kCannotUpdate + "attribute pk. This attribute is part of the key"},
      {"SET c = :n, pk = :s", kCannotUpdate + "attribute pk. This attribute is part of the key"},
      // An index key given a type the expression alone fixes, checked before nested paths.
      {"ADD c :n", kMismatch + "Index Key c Expected: S Actual: N IndexName: by-c"},
      {"SET x = c[1], c = a + :n", kMismatch + "Index Key c Expected: S Actual: N IndexName: by-c"},
      {"SET c = list_append(a, b)",
       kMismatch + "Index Key c Expected: S Actual: L IndexName: by-c"},
      {"SET c = if_not_exists(c, :n)",
       kMismatch + "Index Key c Expected: S Actual: N IndexName: by-c"},
      {"SET e = :s", kMismatch + "Index Key e Expected: N Actual: S IndexName: by-e"},
      // A path anywhere in the expression, table keys before index keys.
      {"ADD c.b :n", kNotScalar + "IndexKey: c"},
      {"SET x = list_append(a, b), y = c[1]", kNotScalar + "IndexKey: c"},
      {"SET x = pk.a", kNotScalar + "Key: pk"},
      {"SET x = c.a, y = sk[0]", kNotScalar + "Key: sk"},
  };
  const TableDefinition table = IndexedTable();
  for (const auto& [expression, message] : cases) {
    auto parsed = ParseWriteExpressions(UpdateInput(expression));
    ASSERT_TRUE(parsed.ok()) << expression << ": " << parsed.status().message();
    Status keys = CheckWriteExpressionsAgainstTable(*parsed, table);
    ASSERT_FALSE(keys.ok()) << expression;
    EXPECT_EQ(keys.message(), message) << expression;
  }
  // A value of the declared type, or one the item decides, passes.
  for (const char* expression : {"SET c = :s, e = :n", "SET c = a", "SET c = if_not_exists(c, a)",
                                 "ADD e :n", "SET x.y = a REMOVE c"}) {
    auto parsed = ParseWriteExpressions(UpdateInput(expression));
    ASSERT_TRUE(parsed.ok()) << expression << ": " << parsed.status().message();
    Status keys = CheckWriteExpressionsAgainstTable(*parsed, table);
    EXPECT_TRUE(keys.ok()) << expression << ": " << keys.message();
  }
}

}  // namespace
}  // namespace streamstack::dynamodb
