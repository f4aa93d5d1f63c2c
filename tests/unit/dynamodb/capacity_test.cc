// Capacity rules: the pure charges of capacity.h, then what the store's writes and reads
// report. Each case names its source: AWS's developer guide (read-write-operations.html,
// GSI.html, LSI.html) or an answer recorded against DynamoDB (dynalite test/*.js; the
// dynamodb-conformance suite's characterisations, github.com/paritysuite/dynamodb-conformance).
#include "dynamodb/capacity.h"

#include <gtest/gtest.h>

#include <future>
#include <string>

#include "test_env.h"

namespace streamstack::dynamodb {
namespace {

using test_env::ParseItem;
using test_env::S;
using test_env::TablesEnv;

struct ReadCase {
  int64_t bytes;
  ReadConsistency consistency;
  double units;
  const char* source;
};

TEST(CapacityTest, ReadUnits) {
  const ReadCase cases[] = {
      {3500, ReadConsistency::kStrong, 1, "guide: a 3,500-byte item costs as a 4 KB one"},
      {4096, ReadConsistency::kStrong, 1, "dynalite getItem.js: a 4096-byte item, 1 unit"},
      {4097, ReadConsistency::kStrong, 2, "dynalite getItem.js: 4097 bytes, 2 units"},
      {4096, ReadConsistency::kEventual, 0.5, "guide: eventually consistent is half"},
      {4097, ReadConsistency::kEventual, 1, "dynalite getItem.js: 4097 bytes eventually, 1"},
      {8 * 1024, ReadConsistency::kTransactional, 4, "guide: an 8 KB transactional read, 4"},
      {10 * 1024, ReadConsistency::kStrong, 3, "guide: a 10 KB item rounds up to 12 KB"},
      {0, ReadConsistency::kEventual, 0.5, "dynalite getItem.js: a missing item, 0.5"},
      {0, ReadConsistency::kStrong, 1, "dynalite getItem.js: a missing item consistently, 1"},
      {0, ReadConsistency::kTransactional, 2, "conformance #27: TransactGetItems miss, 2"},
      {40 * 1024 + 820, ReadConsistency::kStrong, 11, "guide: a 40.8 KB Query page, 44 KB"},
  };
  for (const ReadCase& c : cases) {
    EXPECT_EQ(ReadUnits(c.bytes, c.consistency), c.units) << c.source;
  }
}

struct WriteCase {
  int64_t bytes;
  WriteMode mode;
  double units;
  const char* source;
};

TEST(CapacityTest, WriteUnits) {
  const WriteCase cases[] = {
      {1024, WriteMode::kStandard, 1, "dynalite putItem.js: a 1024-byte item, 1 unit"},
      {1025, WriteMode::kStandard, 2, "dynalite putItem.js: 1025 bytes, 2 units"},
      {1638, WriteMode::kStandard, 2, "guide: a 1.6 KB item rounds up to 2 KB"},
      {0, WriteMode::kStandard, 1, "dynalite deleteItem.js: deleting a missing item, 1"},
      {500, WriteMode::kTransactional, 2, "conformance #67: a sub-1 KB transactional write, 2"},
      {1536, WriteMode::kTransactional, 4, "conformance #74: a ~1.5 KB transactional put, 4"},
      {3 * 1024, WriteMode::kTransactional, 6, "dynoxide #188 (vs AWS): a 3 KB delete, 6"},
  };
  for (const WriteCase& c : cases) {
    EXPECT_EQ(WriteUnits(c.bytes, c.mode), c.units) << c.source;
  }
}

TEST(CapacityTest, ChargedWriteBytesIsTheLargerImage) {
  // Guide: UpdateItem (and PutItem over an item) is charged on the larger of before and
  // after; dynalite putItem.js: putting {a} over a 1025-byte item still costs 2.
  EXPECT_EQ(ChargedWriteBytes({1025, 3, {}}), 1025);
  EXPECT_EQ(ChargedWriteBytes({1024, 1025, {}}), 1025);
  EXPECT_EQ(ChargedWriteBytes({std::nullopt, 700, {}}), 700);
  EXPECT_EQ(ChargedWriteBytes({900, std::nullopt, {}}), 900);  // DeleteItem: the item deleted
  EXPECT_EQ(ChargedWriteBytes({std::nullopt, std::nullopt, {}}), 0);
}

struct IndexCase {
  IndexEntryWrite write;
  double units;
  const char* source;
};

TEST(CapacityTest, IndexWriteUnits) {
  // GSI.html "Write activity": one write to put a new entry or delete an old one, two when
  // the index key changed, one when only projected attributes changed. The size of an
  // in-place update's entry is not documented: charged like the table's, the larger image.
  const IndexCase cases[] = {
      {{"i", true, std::nullopt, 10, false}, 1, "an item enters the index: one put"},
      {{"i", true, 10, std::nullopt, false}, 1, "an item leaves the index: one delete"},
      {{"i", true, 10, 20, true}, 2, "the index key changed: delete plus put"},
      {{"i", true, 2000, 10, true}, 3, "delete of a 2 KB entry (2) plus put (1)"},
      {{"i", true, 10, 20, false}, 1, "a projected attribute changed: one write"},
      {{"i", true, 1000, 1100, false}, 2, "an in-place update: the larger entry, 1100 bytes"},
      {{"i", true, std::nullopt, std::nullopt, false}, 0, "not in the index: nothing"},
  };
  for (const IndexCase& c : cases) EXPECT_EQ(IndexWriteUnits(c.write), c.units) << c.source;
}

TEST(CapacityTest, ItemWriteChargesTableAndIndexesApart) {
  ItemWriteSizes sizes{100, 1500, {{"g", true, 50, 60, true}, {"l", false, std::nullopt, 40}}};
  ConsumedCapacity standard = ChargeItemWrite("t", sizes, WriteMode::kStandard);
  EXPECT_EQ(standard.table_name, "t");
  EXPECT_EQ(standard.table.write, 2);
  EXPECT_EQ(standard.global_secondary_indexes.at("g").write, 2);
  EXPECT_EQ(standard.local_secondary_indexes.at("l").write, 1);
  EXPECT_EQ(standard.Total().write, 5);
  EXPECT_EQ(standard.Total().read, 0);
  // dynoxide #188, checked against DynamoDB: the transactional 2x applies to the table's
  // share alone; an index costs in a transaction what it costs outside one.
  ConsumedCapacity transactional = ChargeItemWrite("t", sizes, WriteMode::kTransactional);
  EXPECT_EQ(transactional.table.write, 4);
  EXPECT_EQ(transactional.global_secondary_indexes.at("g").write, 2);
  EXPECT_EQ(transactional.Total().write, 7);
  // Conformance #67: a ConditionCheck is 2 write units on the item it read.
  EXPECT_EQ(ChargeConditionCheck("t", 300).table.write, 2);
  EXPECT_EQ(ChargeConditionCheck("t", std::nullopt).table.write, 2);
  EXPECT_EQ(ChargeConditionCheck("t", 2048).table.write, 4);
}

TEST(CapacityTest, PerTableSumsInFirstAppearanceOrder) {
  std::vector<ConsumedCapacity> list;
  ConsumedCapacity b{"b", {0, 1}, {}, {}};
  ConsumedCapacity a{"a", {0, 2}, {{"g", {0, 1}}}, {}};
  AddPerTable(&list, b);
  AddPerTable(&list, a);
  AddPerTable(&list, b);
  AddPerTable(&list, a);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].table_name, "b");
  EXPECT_EQ(list[0].table.write, 2);
  EXPECT_EQ(list[1].table.write, 4);
  EXPECT_EQ(list[1].global_secondary_indexes.at("g").write, 2);
  EXPECT_EQ(list[1].Total().write, 6);
}

// --- What the store reports ---------------------------------------------------------------

// An item of exactly `bytes` bytes: key "pk" = "k" (2 + 1 bytes) plus "b" padding.
Item ItemOfSize(const std::string& key, int64_t bytes) {
  const int64_t pad = bytes - static_cast<int64_t>(2 + key.size()) - 1;
  return Item{{"pk", S(key)}, {"b", S(std::string(static_cast<size_t>(pad), 'b'))}};
}

Result<WriteOutcome> PutWithOutcome(TablesEnv& env, const std::string& table, Item item) {
  PutItemRequest r;
  r.table_name = table;
  r.item = std::move(item);
  std::promise<Result<WriteOutcome>> done;
  env.tables().PutItem(std::move(r), [&](Result<WriteOutcome> out) { done.set_value(out); });
  return done.get_future().get();
}

Result<WriteOutcome> DeleteWithOutcome(TablesEnv& env, const std::string& table, Item key) {
  DeleteItemRequest r;
  r.table_name = table;
  r.key = std::move(key);
  std::promise<Result<WriteOutcome>> done;
  env.tables().DeleteItem(std::move(r), [&](Result<WriteOutcome> out) { done.set_value(out); });
  return done.get_future().get();
}

TEST(CapacityTest, PutAndDeleteFollowDynalitesRecordedAnswers) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("cap", "S").ok());
  ASSERT_EQ(ItemSizeBytes(ItemOfSize("k", 1025)), 1025u);
  // dynalite putItem.js "should return ConsumedCapacity for larger item": 1025 bytes cost 2;
  // the same again 2; {a} over it still 2 (the larger image); {a} over {a} 1.
  for (double expected : {2.0, 2.0}) {
    auto put = PutWithOutcome(env, "cap", ItemOfSize("k", 1025));
    ASSERT_TRUE(put.ok());
    EXPECT_EQ(put->consumed.table_name, "cap");
    EXPECT_EQ(put->consumed.table.write, expected);
  }
  for (double expected : {2.0, 1.0}) {
    auto put = PutWithOutcome(env, "cap", Item{{"pk", S("k")}});
    ASSERT_TRUE(put.ok());
    EXPECT_EQ(put->consumed.table.write, expected);
  }
  // dynalite deleteItem.js: a delete of an item that does not exist costs 1.
  auto del = DeleteWithOutcome(env, "cap", Item{{"pk", S("none")}});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->consumed.table.write, 1);
}

TEST(CapacityTest, GetItemChargesTheStoredItemEvenWhenProjected) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("cap", "S").ok());
  ASSERT_TRUE(env.Put("cap", ItemOfSize("k", 4097)).ok());
  GetItemRequest get{"cap", Item{{"pk", S("k")}}, {}, false};
  get.expressions.projection_expression = "pk";
  ConsumedCapacity consumed;
  ASSERT_TRUE(env.tables().GetItem(get, &consumed).ok());
  EXPECT_EQ(consumed.table.read, 1);  // 4097 bytes: 2 units, halved
  get.consistent_read = true;
  ASSERT_TRUE(env.tables().GetItem(get, &consumed).ok());
  EXPECT_EQ(consumed.table.read, 2);
  get.key = Item{{"pk", S("missing")}};
  ASSERT_TRUE(env.tables().GetItem(get, &consumed).ok());
  EXPECT_EQ(consumed.table.read, 1);
}

// Table "idx": pk (S); GSI "by_g" on g, KEYS_ONLY.
Status CreateIndexed(TablesEnv& env) {
  CreateTableRequest r;
  r.table_name = "idx";
  r.attribute_definitions = {{"pk", "S"}, {"g", "S"}};
  r.key_schema = {{"pk", "HASH"}};
  r.billing_mode = "PAY_PER_REQUEST";
  SecondaryIndex by_g;
  by_g.name = "by_g";
  by_g.key_schema.push_back({"g", "HASH"});
  by_g.projection = {{"ProjectionType", "KEYS_ONLY"}};
  r.global_secondary_indexes = std::vector<SecondaryIndex>{by_g};
  return env.tables().CreateTable(r).status();
}

TEST(CapacityTest, IndexWritesAndReadsAreChargedToTheIndex) {
  TablesEnv env;
  ASSERT_TRUE(CreateIndexed(env).ok());
  // GSI.html: an item that defines the index key is one write to the index; one without it
  // costs the index nothing.
  auto put = PutWithOutcome(env, "idx", Item{{"pk", S("a")}, {"g", S("one")}});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->consumed.table.write, 1);
  ASSERT_EQ(put->consumed.global_secondary_indexes.count("by_g"), 1u);
  EXPECT_EQ(put->consumed.global_secondary_indexes.at("by_g").write, 1);
  EXPECT_EQ(put->consumed.Total().write, 2);
  put = PutWithOutcome(env, "idx", Item{{"pk", S("b")}});
  ASSERT_TRUE(put.ok());
  EXPECT_TRUE(put->consumed.global_secondary_indexes.empty());
  // The same item again changes no entry: the table is charged, the index is not.
  put = PutWithOutcome(env, "idx", Item{{"pk", S("a")}, {"g", S("one")}});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->consumed.table.write, 1);
  EXPECT_TRUE(put->consumed.global_secondary_indexes.empty());
  // A key change in the index: a delete plus a put.
  put = PutWithOutcome(env, "idx", Item{{"pk", S("a")}, {"g", S("two")}});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->consumed.global_secondary_indexes.at("by_g").write, 2);
  // dynalite query.js: a query on an index charges the index; the table's share is 0.
  QueryRequest q;
  q.table_name = "idx";
  q.index_name = "by_g";
  q.expressions.key_condition_expression = "g = :g";
  q.expressions.values = std::map<std::string, AttributeValue>{{":g", S("two")}};
  auto page = env.tables().Query(q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->count, 1);
  EXPECT_EQ(page->consumed.table.read, 0);
  EXPECT_EQ(page->consumed.global_secondary_indexes.at("by_g").read, 0.5);
  // A transaction doubles the table's share alone (dynoxide #188, checked against AWS).
  TransactWriteRequest tx;
  TransactWriteRequest::Action action;
  action.kind = TransactWriteRequest::Action::Kind::kPut;
  action.table_name = "idx";
  action.item = Item{{"pk", S("c")}, {"g", S("three")}};
  tx.actions.push_back(action);
  std::promise<Result<MultiWriteOutcome>> done;
  env.tables().TransactWriteItems(tx, [&](Result<MultiWriteOutcome> r) { done.set_value(r); });
  auto outcome = done.get_future().get();
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  ASSERT_EQ(outcome->consumed.size(), 1u);
  EXPECT_EQ(outcome->consumed[0].table.write, 2);
  EXPECT_EQ(outcome->consumed[0].global_secondary_indexes.at("by_g").write, 1);
}

}  // namespace
}  // namespace streamstack::dynamodb
