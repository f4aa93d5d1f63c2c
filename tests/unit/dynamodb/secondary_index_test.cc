// Secondary indexes: declarations, projections, entries maintained with the item, queries.
#include "dynamodb/secondary_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <future>
#include <set>
#include <tuple>

#include "dynamodb/item_key.h"
#include "test_env.h"

namespace streamstack::dynamodb {
namespace {

using test_env::N;
using test_env::ParseItem;
using test_env::ReadAll;
using test_env::S;
using test_env::TablesEnv;

SecondaryIndex Index(const std::string& name, const std::string& hash, const std::string& range,
                     nlohmann::json projection) {
  SecondaryIndex index;
  index.name = name;
  index.key_schema.push_back({hash, "HASH"});
  if (!range.empty()) index.key_schema.push_back({range, "RANGE"});
  index.projection = std::move(projection);
  return index;
}

// Table "orders": pk (S) + sk (N); GSI "by_status" (status S, placed N, INCLUDE total);
// GSI "by_customer" (customer S, KEYS_ONLY); LSI "by_placed" (pk, placed N, KEYS_ONLY).
Status CreateOrders(TablesEnv& env) {
  CreateTableRequest r;
  r.table_name = "orders";
  r.attribute_definitions = {
      {"pk", "S"}, {"sk", "N"}, {"status", "S"}, {"placed", "N"}, {"customer", "S"}};
  r.key_schema = {{"pk", "HASH"}, {"sk", "RANGE"}};
  r.billing_mode = "PAY_PER_REQUEST";
  r.global_secondary_indexes = std::vector<SecondaryIndex>{
      Index("by_status", "status", "placed",
            {{"ProjectionType", "INCLUDE"}, {"NonKeyAttributes", {"total"}}}),
      Index("by_customer", "customer", "", {{"ProjectionType", "KEYS_ONLY"}})};
  r.local_secondary_indexes = std::vector<SecondaryIndex>{
      Index("by_placed", "pk", "placed", {{"ProjectionType", "KEYS_ONLY"}})};
  r.stream_specification = StreamSpecification{true, "NEW_AND_OLD_IMAGES"};
  return env.tables().CreateTable(r).status();
}

QueryRequest IndexQuery(const std::string& index, const std::string& condition,
                        std::map<std::string, AttributeValue> values) {
  QueryRequest r;
  r.table_name = "orders";
  r.index_name = index;
  r.expressions.key_condition_expression = condition;
  r.expressions.values = std::move(values);
  return r;
}

IndexStats StatsOf(TablesEnv& env, const std::string& index) {
  auto d = env.tables().DescribeTable("orders");
  EXPECT_TRUE(d.ok());
  return d.ok() ? d->index_stats[index] : IndexStats{};
}

TEST(SecondaryIndexTest, ProjectionDeclarations) {
  struct Case {
    nlohmann::json projection;
    std::string error;  // empty: valid
  };
  const Case cases[] = {
      {{{"ProjectionType", "ALL"}}, ""},
      {{{"ProjectionType", "KEYS_ONLY"}}, ""},
      {{{"ProjectionType", "INCLUDE"}, {"NonKeyAttributes", {"a", "b"}}}, ""},
      {nlohmann::json::object(),
       "One or more parameter values were invalid: Unknown ProjectionType: null"},
      {{{"ProjectionType", "nonsense"}},
       "1 validation error detected: Value 'nonsense' at 'p.projectionType' failed to satisfy "
       "constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"},
      {{{"ProjectionType", "INCLUDE"}},
       "One or more parameter values were invalid: ProjectionType is INCLUDE, but "
       "NonKeyAttributes is not specified"},
      {{{"ProjectionType", "ALL"}, {"NonKeyAttributes", {"a"}}},
       "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes "
       "is specified"},
      {{{"ProjectionType", "INCLUDE"}, {"NonKeyAttributes", {"a", "a"}}},
       "One or more parameter values were invalid: Duplicate element in NonKeyAttributes: a"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseIndexProjection(c.projection, "p");
    if (c.error.empty()) {
      EXPECT_TRUE(parsed.ok()) << c.projection.dump();
    } else {
      ASSERT_FALSE(parsed.ok()) << c.projection.dump();
      EXPECT_EQ(parsed.status().message(), c.error);
    }
  }
}

TEST(SecondaryIndexTest, CreateTableChecksIndexes) {
  TablesEnv env;
  struct Case {
    std::function<void(CreateTableRequest&)> change;
    std::string error;
  };
  auto base = [] {
    CreateTableRequest r;
    r.table_name = "tbl";
    r.attribute_definitions = {{"pk", "S"}, {"sk", "S"}, {"x", "S"}};
    r.key_schema = {{"pk", "HASH"}, {"sk", "RANGE"}};
    r.billing_mode = "PAY_PER_REQUEST";
    return r;
  };
  const Case cases[] = {
      {[](CreateTableRequest& r) {
         r.global_secondary_indexes = {Index("ab", "x", "", {{"ProjectionType", "ALL"}})};
       },
       "1 validation error detected: Value 'ab' at 'globalSecondaryIndexes.1.member.indexName' "
       "failed to satisfy constraint: Member must have length greater than or equal to 3"},
      {[](CreateTableRequest& r) {
         r.local_secondary_indexes = {Index("lsi", "x", "sk", {{"ProjectionType", "ALL"}})};
       },
       "One or more parameter values were invalid: Index KeySchema does not have the same "
       "leading hash key as table KeySchema for index: lsi. index hash key: x, table hash key: "
       "pk"},
      {[](CreateTableRequest& r) {
         r.global_secondary_indexes = {Index("gsi", "x", "", {{"ProjectionType", "ALL"}})};
         r.local_secondary_indexes = {Index("gsi", "pk", "x", {{"ProjectionType", "ALL"}})};
       },
       "One or more parameter values were invalid: Duplicate index name: gsi"},
      {[](CreateTableRequest& r) {
         r.billing_mode = "PROVISIONED";
         r.provisioned_throughput = ProvisionedThroughput{1, 1};
         r.global_secondary_indexes = {Index("gsi", "x", "", {{"ProjectionType", "ALL"}})};
       },
       "One or more parameter values were invalid: ProvisionedThroughput is not specified for "
       "index: gsi"},
      {[](CreateTableRequest& r) {
         r.global_secondary_indexes = {Index("gsi", "y", "", {{"ProjectionType", "ALL"}})};
       },
       "One or more parameter values were invalid: Some index key attributes are not defined in "
       "AttributeDefinitions. Keys: [y], AttributeDefinitions: [pk, sk, x]"},
  };
  for (const Case& c : cases) {
    CreateTableRequest r = base();
    c.change(r);
    auto created = env.tables().CreateTable(r);
    ASSERT_FALSE(created.ok()) << c.error;
    EXPECT_EQ(created.status().message(), c.error);
  }
}

TEST(SecondaryIndexTest, EntriesFollowTheItemSparselyWithTheirProjection) {
  TablesEnv env;
  ASSERT_TRUE(CreateOrders(env).ok());
  ASSERT_TRUE(env.Put("orders", R"({"pk":{"S":"c1"},"sk":{"N":"1"},"status":{"S":"open"},
      "placed":{"N":"100"},"total":{"N":"9.5"},"note":{"S":"hidden"},"customer":{"S":"ann"}})")
                  .ok());
  ASSERT_TRUE(env.Put("orders", R"({"pk":{"S":"c1"},"sk":{"N":"2"},"status":{"S":"open"},
      "placed":{"N":"50"},"total":{"N":"1"}})")
                  .ok());
  // No status: in no status entry, but in the LSI (placed) and nothing else.
  ASSERT_TRUE(env.Put("orders", R"({"pk":{"S":"c2"},"sk":{"N":"1"},"placed":{"N":"70"}})").ok());

  auto open = env.QueryAll([] {
    auto r = IndexQuery("by_status", "#s = :s", {{":s", S("open")}});
    r.expressions.names = std::map<std::string, std::string>{{"#s", "status"}};
    return r;
  }());
  ASSERT_EQ(open.size(), 2u);
  // Ordered by the index sort key (placed), projected to keys + total.
  EXPECT_EQ(open[0], ParseItem(R"({"pk":{"S":"c1"},"sk":{"N":"2"},"status":{"S":"open"},
      "placed":{"N":"50"},"total":{"N":"1"}})"));
  EXPECT_EQ(open[1].count("note"), 0u);
  EXPECT_EQ(open[1].count("customer"), 0u);
  EXPECT_EQ(StatsOf(env, "by_status").item_count, 2);
  EXPECT_EQ(StatsOf(env, "by_customer").item_count, 1);
  EXPECT_EQ(StatsOf(env, "by_placed").item_count, 3);
  EXPECT_GT(StatsOf(env, "by_status").size_bytes, 0);

  // Changing the index key moves the entry; removing it takes the item out.
  EXPECT_EQ(env.Update("orders", ParseItem(R"({"pk":{"S":"c1"},"sk":{"N":"2"}})"),
                       "SET #s = :closed", {{":closed", S("closed")}})
                .code(),
            AwsError::kValidation);  // #s undefined: names were not given
  UpdateItemRequest u;
  u.table_name = "orders";
  u.key = ParseItem(R"({"pk":{"S":"c1"},"sk":{"N":"2"}})");
  u.expressions.update_expression = "SET #s = :closed";
  u.expressions.names = std::map<std::string, std::string>{{"#s", "status"}};
  u.expressions.values = std::map<std::string, AttributeValue>{{":closed", S("closed")}};
  std::promise<Status> updated;
  env.tables().UpdateItem(std::move(u),
                          [&](Result<WriteOutcome> r) { updated.set_value(r.status()); });
  ASSERT_TRUE(updated.get_future().get().ok());
  auto by = [&](const char* status) {
    auto r = IndexQuery("by_status", "#s = :s", {{":s", S(status)}});
    r.expressions.names = std::map<std::string, std::string>{{"#s", "status"}};
    return env.QueryAll(r).size();
  };
  EXPECT_EQ(by("open"), 1u);
  EXPECT_EQ(by("closed"), 1u);
  ASSERT_TRUE(
      env.Update("orders", ParseItem(R"({"pk":{"S":"c1"},"sk":{"N":"1"}})"), "REMOVE placed").ok());
  EXPECT_EQ(by("open"), 0u);
  EXPECT_EQ(StatsOf(env, "by_placed").item_count, 2);
  ASSERT_TRUE(env.Delete("orders", ParseItem(R"({"pk":{"S":"c1"},"sk":{"N":"2"}})")).ok());
  EXPECT_EQ(by("closed"), 0u);
  EXPECT_EQ(StatsOf(env, "by_status").item_count, 0);
  EXPECT_EQ(StatsOf(env, "by_status").size_bytes, 0);
}

TEST(SecondaryIndexTest, WritesRejectWrongIndexKeyTypes) {
  TablesEnv env;
  ASSERT_TRUE(CreateOrders(env).ok());
  Status wrong = env.Put("orders", R"({"pk":{"S":"a"},"sk":{"N":"1"},"status":{"N":"3"}})");
  EXPECT_EQ(wrong.message(),
            "One or more parameter values were invalid: Type mismatch for Index Key status "
            "Expected: S Actual: N IndexName: by_status");
  Status empty = env.Put("orders", R"({"pk":{"S":"a"},"sk":{"N":"1"},"customer":{"S":""}})");
  EXPECT_EQ(empty.message(),
            "One or more parameter values are not valid. A value specified for a secondary index "
            "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
            "string value. IndexName: by_customer, IndexKey: customer");
  ScanRequest scan;
  scan.table_name = "orders";
  EXPECT_EQ(env.ScanAll(scan).size(), 0u);
}

TEST(SecondaryIndexTest, QueryRulesOnIndexes) {
  TablesEnv env;
  ASSERT_TRUE(CreateOrders(env).ok());
  ASSERT_TRUE(env.Put("orders", R"({"pk":{"S":"c1"},"sk":{"N":"1"},"customer":{"S":"ann"},
      "placed":{"N":"5"},"note":{"S":"n"}})")
                  .ok());
  struct Case {
    std::function<void(QueryRequest&)> change;
    std::string error;
  };
  const Case cases[] = {
      {[](QueryRequest& r) { r.consistent_read = true; },
       "Consistent reads are not supported on global secondary indexes"},
      {[](QueryRequest& r) { r.select = Select::kAllAttributes; },
       "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
       "for global secondary index by_customer because its projection type is not ALL"},
      {[](QueryRequest& r) { r.expressions.projection_expression = "note, pk"; },
       "One or more parameter values were invalid: Global secondary index by_customer does not "
       "project note"},
      {[](QueryRequest& r) { r.expressions.key_condition_expression = "pk = :c"; },
       "Query condition missed key schema element: customer"},
  };
  for (const Case& c : cases) {
    auto r = IndexQuery("by_customer", "customer = :c", {{":c", S("ann")}});
    c.change(r);
    auto page = env.tables().Query(r);
    ASSERT_FALSE(page.ok()) << c.error;
    EXPECT_EQ(page.status().message(), c.error);
  }
  // KEYS_ONLY: the index key and the table key.
  auto keys = env.QueryAll(IndexQuery("by_customer", "customer = :c", {{":c", S("ann")}}));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], ParseItem(R"({"pk":{"S":"c1"},"sk":{"N":"1"},"customer":{"S":"ann"}})"));
  // An LSI fetches what it does not project from the table, as AWS does.
  auto lsi = IndexQuery("by_placed", "pk = :p AND placed > :z", {{":p", S("c1")}, {":z", N("0")}});
  lsi.select = Select::kAllAttributes;
  auto full = env.QueryAll(lsi);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].at("note"), S("n"));
  lsi.select.reset();
  auto projected = env.QueryAll(lsi);
  ASSERT_EQ(projected.size(), 1u);
  EXPECT_EQ(projected[0].count("note"), 0u);
  // Paging over an index with equal index keys keeps every item exactly once.
  for (int i = 2; i < 12; ++i) {
    ASSERT_TRUE(env.Put("orders", Item{{"pk", S("c" + std::to_string(i % 3))},
                                       {"sk", N(std::to_string(i))},
                                       {"customer", S("bob")}})
                    .ok());
  }
  auto paged = IndexQuery("by_customer", "customer = :c", {{":c", S("bob")}});
  paged.limit = 3;
  EXPECT_EQ(env.QueryAll(paged).size(), 10u);
  paged.scan_index_forward = false;
  EXPECT_EQ(env.QueryAll(paged).size(), 10u);
  ScanRequest scan;
  scan.table_name = "orders";
  scan.index_name = "by_customer";
  scan.limit = 4;
  EXPECT_EQ(env.ScanAll(scan).size(), 11u);
}

TEST(SecondaryIndexTest, UpdateTableCreatesBackfillsAndDeletesGlobalIndexes) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("tbl", "S").ok());
  for (int i = 0; i < 700; ++i) {
    Item item{{"pk", S("k" + std::to_string(i))}};
    if (i % 2 == 0) item["color"] = S(i % 4 == 0 ? "red" : "blue");
    if (i == 1) item["color"] = N("7");  // the wrong type: skipped by the backfill
    ASSERT_TRUE(env.Put("tbl", item).ok());
  }
  UpdateTableRequest u;
  u.table_name = "tbl";
  u.attribute_definitions = std::vector<AttributeDefinition>{{"color", "S"}};
  u.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{
      {GlobalSecondaryIndexUpdate::Action::kCreate,
       Index("by_color", "color", "", {{"ProjectionType", "ALL"}})}};
  auto updated = env.tables().UpdateTable(u);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(updated->creating_index, "by_color");
  ASSERT_TRUE(test_env::WaitForBackfill(env.tables(), "tbl", "by_color"));
  auto d = env.tables().DescribeTable("tbl");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->index_stats["by_color"].item_count, 350);
  EXPECT_EQ(d->definition->attribute_definitions.size(), 2u);
  QueryRequest q;
  q.table_name = "tbl";
  q.index_name = "by_color";
  q.expressions.key_condition_expression = "color = :c";
  q.expressions.values = std::map<std::string, AttributeValue>{{":c", S("red")}};
  EXPECT_EQ(env.QueryAll(q).size(), 175u);
  // New writes are indexed too.
  ASSERT_TRUE(env.Put("tbl", R"({"pk":{"S":"new"},"color":{"S":"red"}})").ok());
  EXPECT_EQ(env.QueryAll(q).size(), 176u);

  auto again = env.tables().UpdateTable(u);
  EXPECT_EQ(again.status().message(), "Attempting to create an index which already exists");

  UpdateTableRequest del;
  del.table_name = "tbl";
  del.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{
      {GlobalSecondaryIndexUpdate::Action::kDelete, Index("by_color", "color", "", {})}};
  auto deleted = env.tables().UpdateTable(del);
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  ASSERT_TRUE(deleted->deleting_index);
  EXPECT_EQ(env.tables().Query(q).status().message(),
            "The table does not have the specified index: by_color");
  auto gone = env.tables().UpdateTable(del);
  EXPECT_EQ(gone.status().code(), AwsError::kResourceNotFound);
}

// --- Background backfill ---------------------------------------------------------------------
// In file mode: reads go on while a WriterHold holds the writer (in memory they share its
// connection).

Status PutSync(TableStore& tables, Item item) {
  PutItemRequest r;
  r.table_name = "tbl";
  r.item = std::move(item);
  std::promise<Status> done;
  tables.PutItem(std::move(r), [&](Result<WriteOutcome> out) { done.set_value(out.status()); });
  return done.get_future().get();
}

// Table "tbl" (pk S) with `count` items k0..: every third without a color, the rest red or blue.
void FillColors(TableStore& tables, int count) {
  CreateTableRequest r;
  r.table_name = "tbl";
  r.attribute_definitions = {{"pk", "S"}};
  r.key_schema = {{"pk", "HASH"}};
  r.billing_mode = "PAY_PER_REQUEST";
  ASSERT_TRUE(tables.CreateTable(r).ok());
  for (int i = 0; i < count; ++i) {
    Item item{{"pk", S("k" + std::to_string(i))}};
    if (i % 3 != 0) item["color"] = S(i % 2 == 0 ? "red" : "blue");
    ASSERT_TRUE(PutSync(tables, item).ok());
  }
}

UpdateTableRequest CreateColorIndex(const std::string& name = "by_color") {
  UpdateTableRequest u;
  u.table_name = "tbl";
  u.attribute_definitions = std::vector<AttributeDefinition>{{"color", "S"}};
  u.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{
      {GlobalSecondaryIndexUpdate::Action::kCreate,
       Index(name, "color", "", {{"ProjectionType", "ALL"}})}};
  return u;
}

QueryRequest ColorQuery(const std::string& index, const std::string& color) {
  QueryRequest q;
  q.table_name = "tbl";
  q.index_name = index;
  q.expressions.key_condition_expression = "color = :c";
  q.expressions.values = std::map<std::string, AttributeValue>{{":c", S(color)}};
  return q;
}

// The index as the table's items say it must be: per color the keys, and the counters.
void ExpectIndexMatchesTable(TableStore& tables, const std::string& index) {
  ScanRequest scan;
  scan.table_name = "tbl";
  std::map<std::string, std::set<std::string>> expected;
  int64_t count = 0;
  int64_t size = 0;
  for (const Item& item : ReadAll(scan, [&](const ScanRequest& r) { return tables.Scan(r); })) {
    auto color = item.find("color");
    if (color == item.end()) continue;
    expected[color->second.s()].insert(item.at("pk").s());
    count += 1;
    size += static_cast<int64_t>(ItemSizeBytes(item));
  }
  for (const char* c : {"red", "blue", "green"}) {
    std::set<std::string> got;
    for (const Item& item :
         ReadAll(ColorQuery(index, c), [&](const QueryRequest& r) { return tables.Query(r); })) {
      got.insert(item.at("pk").s());
    }
    EXPECT_EQ(got, expected[c]) << c;
  }
  auto d = tables.DescribeTable("tbl");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->index_stats[index].item_count, count);
  EXPECT_EQ(d->index_stats[index].size_bytes, size);
}

// Starts an item write without waiting for it; the future gets its Status.
std::future<Status> StartWrite(TableStore& tables, int i) {
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> f = done->get_future();
  auto report = [done](Result<WriteOutcome> out) { done->set_value(out.status()); };
  const std::string pk = "k" + std::to_string(i);
  switch (i % 4) {
    case 0: {  // a new item, or one replaced, of another color
      PutItemRequest r;
      r.table_name = "tbl";
      r.item = Item{{"pk", S(pk)}, {"color", S("green")}, {"n", N(std::to_string(i))}};
      tables.PutItem(std::move(r), report);
      break;
    }
    case 1: {  // the color changed (or given to an item without one)
      UpdateItemRequest r;
      r.table_name = "tbl";
      r.key = Item{{"pk", S(pk)}};
      r.expressions.update_expression = "SET color = :c";
      r.expressions.values = std::map<std::string, AttributeValue>{{":c", S("red")}};
      tables.UpdateItem(std::move(r), report);
      break;
    }
    case 2: {  // the item gone
      DeleteItemRequest r;
      r.table_name = "tbl";
      r.key = Item{{"pk", S(pk)}};
      tables.DeleteItem(std::move(r), report);
      break;
    }
    default: {  // the item leaves the index
      UpdateItemRequest r;
      r.table_name = "tbl";
      r.key = Item{{"pk", S(pk)}};
      r.expressions.update_expression = "REMOVE color SET touched = :t";
      r.expressions.values = std::map<std::string, AttributeValue>{{":t", N("1")}};
      tables.UpdateItem(std::move(r), report);
      break;
    }
  }
  return f;
}

TEST(SecondaryIndexBackfillTest, RunsBesideWritesAndRefusesWhatAwsRefuses) {
  test_env::FileTables files("backfill-writes");
  files.Open([](TableStore& tables, storage::Store& store) {
    FillColors(tables, 2000);  // four chunks: the first inside UpdateTable, three in background
    auto updated = tables.UpdateTable(CreateColorIndex());
    ASSERT_TRUE(updated.ok()) << updated.status().message();
    test_env::WriterHold hold(store);
    // Held after at most one background chunk: the index is still backfilling.
    ASSERT_TRUE(test_env::Backfilling(tables, "tbl", "by_color"));
    auto d = tables.DescribeTable("tbl");
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->status, TableStatus::kActive);  // ack-api-quirks DDB-TABLE-148
    EXPECT_EQ(tables.Query(ColorQuery("by_color", "red")).status().message(),
              "Cannot read from backfilling global secondary index: by_color");
    auto second = tables.UpdateTable(CreateColorIndex("by_color_too"));
    EXPECT_EQ(second.status().code(), AwsError::kLimitExceeded);
    EXPECT_EQ(second.status().message(),
              "Subscriber limit exceeded: Only 1 online index can be created or deleted "
              "simultaneously per table");
    auto deleted = tables.DeleteTable("tbl");
    EXPECT_EQ(deleted.status().code(), AwsError::kResourceInUse);
    EXPECT_EQ(deleted.status().message(),
              "Attempt to change a resource which is still in use: Cannot delete table while "
              "indexes are being created, updated, or deleted.");

    // Writes on both sides of the backfill's position, and an UpdateTable planned against
    // the position as it is now (it must not take the backfill back when it runs).
    std::vector<std::future<Status>> writes;
    for (int i = 0; i < 2400; i += 3) writes.push_back(StartWrite(tables, i));
    UpdateTableRequest stream;
    stream.table_name = "tbl";
    stream.stream_specification = StreamSpecification{true, "KEYS_ONLY"};
    std::promise<Status> stream_done;
    tables.UpdateTable(stream,
                       [&](Result<TableDescription> r) { stream_done.set_value(r.status()); });
    for (int i = 1; i < 2400; i += 3) writes.push_back(StartWrite(tables, i));
    hold.Release();
    for (auto& w : writes) ASSERT_TRUE(w.get().ok());
    ASSERT_TRUE(stream_done.get_future().get().ok());
    ASSERT_TRUE(test_env::WaitForBackfill(tables, "tbl", "by_color"));
    ExpectIndexMatchesTable(tables, "by_color");
    // Complete: readable, and the table can be deleted.
    EXPECT_TRUE(tables.Query(ColorQuery("by_color", "red")).ok());
    EXPECT_TRUE(tables.DeleteTable("tbl").ok());
  });
}

TEST(SecondaryIndexBackfillTest, TheBackfillingIndexCanBeDeletedAndCreatedAgain) {
  test_env::FileTables files("backfill-delete");
  files.Open([](TableStore& tables, storage::Store& store) {
    FillColors(tables, 2000);
    ASSERT_TRUE(tables.UpdateTable(CreateColorIndex()).ok());
    UpdateTableRequest del;
    del.table_name = "tbl";
    del.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{
        {GlobalSecondaryIndexUpdate::Action::kDelete, Index("by_color", "color", "", {})}};
    std::promise<Status> deleted;
    {
      test_env::WriterHold hold(store);
      ASSERT_TRUE(test_env::Backfilling(tables, "tbl", "by_color"));
      // Admitted while it backfills (API_GlobalSecondaryIndexDescription); runs after the hold.
      tables.UpdateTable(del, [&](Result<TableDescription> r) { deleted.set_value(r.status()); });
    }
    ASSERT_TRUE(deleted.get_future().get().ok());
    EXPECT_FALSE(test_env::Backfilling(tables, "tbl", "by_color"));
    // The same name again: a new index whose counters only its own backfill and writes move.
    ASSERT_TRUE(tables.UpdateTable(CreateColorIndex()).ok());
    ASSERT_TRUE(test_env::WaitForBackfill(tables, "tbl", "by_color"));
    ExpectIndexMatchesTable(tables, "by_color");
  });
}

TEST(SecondaryIndexBackfillTest, GoesOnAfterARestart) {
  test_env::FileTables files("backfill-restart");
  files.Open([](TableStore& tables, storage::Store& store) {
    FillColors(tables, 3000);  // six chunks
    ASSERT_TRUE(tables.UpdateTable(CreateColorIndex()).ok());
    test_env::WriterHold hold(store);
    EXPECT_TRUE(test_env::Backfilling(tables, "tbl", "by_color"));
    // The stop comes right after the release: a chunk or two more at most.
  });
  files.Open([](TableStore& tables, storage::Store&) {
    ASSERT_TRUE(test_env::WaitForBackfill(tables, "tbl", "by_color"));
    ExpectIndexMatchesTable(tables, "by_color");
  });
}

// --- Multi-attribute keys (GSI.html#GSI.MultiAttributeKeys) ---------------------------------

// Table "matches": id (S); GSI "by_bracket" partitioned by tournament (S) and region (S), sorted
// by round (N) then bracket (S).
Status CreateMatches(TablesEnv& env) {
  CreateTableRequest r;
  r.table_name = "matches";
  r.attribute_definitions = {
      {"id", "S"}, {"tournament", "S"}, {"region", "S"}, {"round", "N"}, {"bracket", "S"}};
  r.key_schema = {{"id", "HASH"}};
  r.billing_mode = "PAY_PER_REQUEST";
  SecondaryIndex index;
  index.name = "by_bracket";
  index.key_schema = {
      {"tournament", "HASH"}, {"region", "HASH"}, {"round", "RANGE"}, {"bracket", "RANGE"}};
  index.projection = {{"ProjectionType", "ALL"}};
  r.global_secondary_indexes = std::vector<SecondaryIndex>{index};
  return env.tables().CreateTable(r).status();
}

struct Match {
  std::string id;
  int round;
  std::string bracket;
};

// 24 matches of tournament "w24" in region "eu" (rounds 1..4, brackets a, ab, b, b\0-free),
// plus the same in "us", in an order unlike the index's.
std::vector<Match> PutMatches(TablesEnv& env) {
  std::vector<Match> eu;
  const char* brackets[] = {"b", "ab", "a", "lower", "upper", "a\xc3\xa9"};
  for (int i = 0; i < 24; ++i) {
    Match m{"m" + std::to_string(100 - i), 4 - i % 4, brackets[i % 6]};
    for (const char* region : {"eu", "us"}) {
      Item item{{"id", S(m.id + region)},
                {"tournament", S("w24")},
                {"region", S(region)},
                {"round", N(std::to_string(m.round))},
                {"bracket", S(m.bracket)}};
      EXPECT_TRUE(env.Put("matches", item).ok());
    }
    m.id += "eu";
    eu.push_back(m);
  }
  // Index order: round, then bracket, then the table key as stored (its partition hash first:
  // DynamoDB promises no order among equal index keys).
  std::sort(eu.begin(), eu.end(), [](const Match& a, const Match& b) {
    const std::string ka = EncodePartitionKey(S(a.id)), kb = EncodePartitionKey(S(b.id));
    return std::tie(a.round, a.bracket, ka) < std::tie(b.round, b.bracket, kb);
  });
  return eu;
}

QueryRequest MatchQuery(const std::string& sort_condition,
                        std::map<std::string, AttributeValue> values = {}) {
  QueryRequest r;
  r.table_name = "matches";
  r.index_name = "by_bracket";
  r.expressions.key_condition_expression =
      "tournament = :t AND #region = :r" + (sort_condition.empty() ? "" : " AND " + sort_condition);
  r.expressions.names = std::map<std::string, std::string>{{"#region", "region"}};
  values[":t"] = S("w24");
  values[":r"] = S("eu");
  r.expressions.values = std::move(values);
  return r;
}

std::vector<std::string> Ids(const std::vector<Item>& items) {
  std::vector<std::string> ids;
  for (const Item& item : items) ids.push_back(item.at("id").s());
  return ids;
}

TEST(SecondaryIndexTest, MultiAttributeQueriesFollowTheSortAttributesLeftToRight) {
  TablesEnv env;
  ASSERT_TRUE(CreateMatches(env).ok());
  const std::vector<Match> eu = PutMatches(env);
  struct Case {
    std::string condition;
    std::map<std::string, AttributeValue> values;
    std::function<bool(const Match&)> wanted;
  };
  const Case cases[] = {
      {"", {}, [](const Match&) { return true; }},
      {"#round = :n", {{":n", N("2")}}, [](const Match& m) { return m.round == 2; }},
      {"#round > :n", {{":n", N("2")}}, [](const Match& m) { return m.round > 2; }},
      {"#round <= :n", {{":n", N("2")}}, [](const Match& m) { return m.round <= 2; }},
      {"#round < :n", {{":n", N("2")}}, [](const Match& m) { return m.round < 2; }},
      {"#round >= :n", {{":n", N("3")}}, [](const Match& m) { return m.round >= 3; }},
      {"#round BETWEEN :lo AND :hi",
       {{":lo", N("2")}, {":hi", N("3")}},
       [](const Match& m) { return m.round >= 2 && m.round <= 3; }},
      {"#round = :n AND bracket = :b",
       {{":n", N("3")}, {":b", S("a")}},
       [](const Match& m) { return m.round == 3 && m.bracket == "a"; }},
      {"#round = :n AND begins_with(bracket, :b)",
       {{":n", N("1")}, {":b", S("a")}},
       [](const Match& m) { return m.round == 1 && m.bracket.starts_with("a"); }},
      {"#round = :n AND bracket > :b",
       {{":n", N("4")}, {":b", S("ab")}},
       [](const Match& m) { return m.round == 4 && m.bracket > "ab"; }},
      {"#round = :n AND bracket < :b",
       {{":n", N("4")}, {":b", S("b")}},
       [](const Match& m) { return m.round == 4 && m.bracket < "b"; }},
      {"#round = :n AND bracket BETWEEN :lo AND :hi",
       {{":n", N("2")}, {":lo", S("a")}, {":hi", S("lower")}},
       [](const Match& m) { return m.round == 2 && m.bracket >= "a" && m.bracket <= "lower"; }},
  };
  for (const Case& c : cases) {
    std::vector<std::string> expected;
    for (const Match& m : eu) {
      if (c.wanted(m)) expected.push_back(m.id);
    }
    QueryRequest r = MatchQuery(c.condition, c.values);
    r.expressions.names->emplace("#round", "round");
    if (c.condition.find("#round") == std::string::npos) r.expressions.names->erase("#round");
    EXPECT_EQ(Ids(env.QueryAll(r)), expected) << c.condition;
    // Paged by two, backwards: the same items, in reverse, each once.
    r.limit = 2;
    r.scan_index_forward = false;
    std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(Ids(env.QueryAll(r)), expected) << c.condition << " backwards";
  }
  // Another partition is another combination of all the partition attributes.
  QueryRequest us = MatchQuery("");
  (*us.expressions.values)[":r"] = S("us");
  EXPECT_EQ(env.QueryAll(us).size(), 24u);
}

TEST(SecondaryIndexTest, MultiAttributeIndexesAreSparseAndTyped) {
  TablesEnv env;
  ASSERT_TRUE(CreateMatches(env).ok());
  // moto's AWS-verified test_items_missing_range_key_excluded: an item missing any key
  // attribute is not in the index.
  const char* items[] = {
      R"({"id":{"S":"full"},"tournament":{"S":"w"},"region":{"S":"eu"},"round":{"N":"1"},"bracket":{"S":"a"}})",
      R"({"id":{"S":"no-region"},"tournament":{"S":"w"},"round":{"N":"1"},"bracket":{"S":"a"}})",
      R"({"id":{"S":"no-bracket"},"tournament":{"S":"w"},"region":{"S":"eu"},"round":{"N":"1"}})",
      R"({"id":{"S":"no-round"},"tournament":{"S":"w"},"region":{"S":"eu"},"bracket":{"S":"a"}})",
  };
  for (const char* item : items) ASSERT_TRUE(env.Put("matches", item).ok()) << item;
  auto d = env.tables().DescribeTable("matches");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->index_stats["by_bracket"].item_count, 1);
  QueryRequest q = MatchQuery("");
  (*q.expressions.values)[":t"] = S("w");
  EXPECT_EQ(Ids(env.QueryAll(q)), std::vector<std::string>{"full"});
  // Completing the key puts the item in; removing any attribute takes it out.
  UpdateItemRequest u;
  u.table_name = "matches";
  u.key = ParseItem(R"({"id":{"S":"no-region"}})");
  u.expressions.update_expression = "SET #r = :r";
  u.expressions.names = std::map<std::string, std::string>{{"#r", "region"}};
  u.expressions.values = std::map<std::string, AttributeValue>{{":r", S("eu")}};
  std::promise<Status> updated;
  env.tables().UpdateItem(std::move(u),
                          [&](Result<WriteOutcome> r) { updated.set_value(r.status()); });
  ASSERT_TRUE(updated.get_future().get().ok());
  EXPECT_EQ(env.QueryAll(q).size(), 2u);
  ASSERT_TRUE(env.Update("matches", ParseItem(R"({"id":{"S":"full"}})"), "REMOVE bracket").ok());
  EXPECT_EQ(Ids(env.QueryAll(q)), std::vector<std::string>{"no-region"});

  // Each key attribute is typed and limited as a single one is.
  struct Case {
    const char* item;
    std::string message;
  };
  const Case faults[] = {
      {R"({"id":{"S":"x"},"region":{"N":"1"}})",
       "One or more parameter values were invalid: Type mismatch for Index Key region Expected: "
       "S Actual: N IndexName: by_bracket"},
      {R"({"id":{"S":"x"},"round":{"S":"1"}})",
       "One or more parameter values were invalid: Type mismatch for Index Key round Expected: N "
       "Actual: S IndexName: by_bracket"},
      {R"({"id":{"S":"x"},"bracket":{"S":""}})",
       "One or more parameter values are not valid. A value specified for a secondary index key "
       "is not supported. The AttributeValue for a key attribute cannot contain an empty string "
       "value. IndexName: by_bracket, IndexKey: bracket"},
  };
  for (const Case& c : faults) EXPECT_EQ(env.Put("matches", c.item).message(), c.message) << c.item;
  Item long_region{{"id", S("x")}, {"region", S(std::string(2049, 'r'))}};
  EXPECT_EQ(env.Put("matches", long_region).message(),
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
            "size limit of2048 bytes");
  Item long_bracket{{"id", S("x")}, {"bracket", S(std::string(1025, 'b'))}};
  EXPECT_EQ(env.Put("matches", long_bracket).message(),
            "One or more parameter values were invalid: Aggregated size of all range keys has "
            "exceeded the size limit of 1024 bytes");
  Item at_limits{{"id", S("x")},
                 {"tournament", S(std::string(2048, 't'))},
                 {"region", S(std::string(2048, 'r'))},
                 {"round", N("1")},
                 {"bracket", S(std::string(1024, 'b'))}};
  EXPECT_TRUE(env.Put("matches", at_limits).ok());
}

TEST(SecondaryIndexTest, MultiAttributeStartKeys) {
  TablesEnv env;
  ASSERT_TRUE(CreateMatches(env).ok());
  PutMatches(env);
  QueryRequest r = MatchQuery("");
  r.limit = 5;
  auto page = env.tables().Query(r);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_TRUE(page->last_evaluated_key);
  // moto's AWS-verified test_pagination_with_composite_key: every key attribute is in it.
  std::set<std::string> names;
  for (const auto& [name, value] : *page->last_evaluated_key) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"id", "tournament", "region", "round", "bracket"}));

  struct Case {
    std::function<void(Item&)> change;
    std::string sort_condition;
    std::string message;
  };
  const Case cases[] = {
      {[](Item& k) { k.erase("bracket"); }, "", "The provided starting key is invalid"},
      {[](Item& k) { k["round"] = S("1"); }, "",
       "The provided key element does not match the schema"},
      {[](Item& k) { k["region"] = S("us"); }, "",
       "The provided starting key is outside query boundaries based on provided conditions"},
      {[](Item&) {}, "#round = :n",
       "The provided starting key does not match the range key predicate"},
      {[](Item& k) { k["round"] = N("3"); }, "#round = :n AND bracket = :b",
       "The provided starting key does not match the range key predicate"},
  };
  for (const Case& c : cases) {
    Item esk = *page->last_evaluated_key;
    c.change(esk);
    QueryRequest q = MatchQuery(c.sort_condition, {{":n", N("3")}, {":b", S("zz")}});
    if (!c.sort_condition.empty()) q.expressions.names->emplace("#round", "round");
    if (c.sort_condition.find(":b") == std::string::npos) q.expressions.values->erase(":b");
    if (c.sort_condition.empty()) q.expressions.values->erase(":n");
    q.exclusive_start_key = esk;
    auto failed = env.tables().Query(q);
    ASSERT_FALSE(failed.ok()) << c.message;
    EXPECT_EQ(failed.status().message(), c.message);
  }
  // A Scan of the index pages by the same key.
  ScanRequest scan;
  scan.table_name = "matches";
  scan.index_name = "by_bracket";
  scan.limit = 7;
  EXPECT_EQ(env.ScanAll(scan).size(), 48u);
}

// Batches, transactions and the TTL sweep keep a multi-attribute index as puts and deletes do.
TEST(SecondaryIndexTest, MultiAttributeIndexesFollowEveryWritePath) {
  TablesEnv env;
  ASSERT_TRUE(CreateMatches(env).ok());
  auto match = [](const std::string& id, const std::string& bracket) {
    return Item{{"id", S(id)},
                {"tournament", S("w")},
                {"region", S("eu")},
                {"round", N("1")},
                {"bracket", S(bracket)}};
  };
  QueryRequest q = MatchQuery("");
  (*q.expressions.values)[":t"] = S("w");
  auto indexed = [&] { return Ids(env.QueryAll(q)); };

  BatchWriteRequest batch;
  batch.entries.push_back({"matches", true, match("b1", "y")});
  batch.entries.push_back({"matches", true, match("b2", "x")});
  std::promise<Status> batched;
  env.tables().BatchWriteItem(batch,
                              [&](Result<MultiWriteOutcome> r) { batched.set_value(r.status()); });
  ASSERT_TRUE(batched.get_future().get().ok());
  EXPECT_EQ(indexed(), (std::vector<std::string>{"b2", "b1"}));  // by bracket

  // A wrongly typed second partition attribute fails the whole batch, as a put does.
  BatchWriteRequest wrong;
  Item bad = match("b3", "z");
  bad["region"] = N("1");
  wrong.entries.push_back({"matches", true, bad});
  std::promise<Status> refused;
  env.tables().BatchWriteItem(wrong,
                              [&](Result<MultiWriteOutcome> r) { refused.set_value(r.status()); });
  EXPECT_EQ(refused.get_future().get().message(),
            "One or more parameter values were invalid: Type mismatch for Index Key region "
            "Expected: S Actual: N IndexName: by_bracket");

  TransactWriteRequest tx;
  TransactWriteRequest::Action put;
  put.kind = TransactWriteRequest::Action::Kind::kPut;
  put.table_name = "matches";
  put.item = match("t1", "a");
  tx.actions.push_back(put);
  TransactWriteRequest::Action del;
  del.kind = TransactWriteRequest::Action::Kind::kDelete;
  del.table_name = "matches";
  del.item = Item{{"id", S("b1")}};
  tx.actions.push_back(del);
  std::promise<Status> transacted;
  env.tables().TransactWriteItems(
      tx, [&](Result<MultiWriteOutcome> r) { transacted.set_value(r.status()); });
  ASSERT_TRUE(transacted.get_future().get().ok());
  EXPECT_EQ(indexed(), (std::vector<std::string>{"t1", "b2"}));

  // An expired item swept by TTL leaves the index with its item.
  ASSERT_TRUE(env.tables().UpdateTimeToLive("matches", {"ttl", true}).ok());
  Item expiring = match("old", "m");
  expiring["ttl"] = N("1718000000");  // before the test clock's now, within five years
  ASSERT_TRUE(env.Put("matches", expiring).ok());
  EXPECT_EQ(indexed(), (std::vector<std::string>{"t1", "old", "b2"}));
  auto swept = env.tables().SweepExpiredItems(10);
  ASSERT_TRUE(swept.ok()) << swept.status().message();
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(indexed(), (std::vector<std::string>{"t1", "b2"}));
  auto d = env.tables().DescribeTable("matches");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->index_stats["by_bracket"].item_count, 2);
}

TEST(SecondaryIndexTest, UpdateTableBackfillsAMultiAttributeIndex) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("tbl", "S").ok());
  for (int i = 0; i < 600; ++i) {
    Item item{{"pk", S("k" + std::to_string(i))}, {"a", S(i % 2 ? "odd" : "even")}};
    if (i % 3 != 0) item["b"] = N(std::to_string(i % 10));
    ASSERT_TRUE(env.Put("tbl", item).ok());
  }
  UpdateTableRequest u;
  u.table_name = "tbl";
  u.attribute_definitions = std::vector<AttributeDefinition>{{"a", "S"}, {"b", "N"}};
  SecondaryIndex index;
  index.name = "by_ab";
  index.key_schema = {{"a", "HASH"}, {"b", "HASH"}};
  index.projection = {{"ProjectionType", "KEYS_ONLY"}};
  u.global_secondary_index_updates =
      std::vector<GlobalSecondaryIndexUpdate>{{GlobalSecondaryIndexUpdate::Action::kCreate, index}};
  auto updated = env.tables().UpdateTable(u);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  ASSERT_TRUE(test_env::WaitForBackfill(env.tables(), "tbl", "by_ab"));
  auto d = env.tables().DescribeTable("tbl");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->index_stats["by_ab"].item_count, 400);  // those with b
  QueryRequest q;
  q.table_name = "tbl";
  q.index_name = "by_ab";
  q.expressions.key_condition_expression = "a = :a AND b = :b";
  q.expressions.values = std::map<std::string, AttributeValue>{{":a", S("odd")}, {":b", N("7")}};
  auto got = env.QueryAll(q);
  EXPECT_EQ(got.size(), 40u);  // i % 10 == 7 (so odd), less those where i % 3 == 0 (no b)
  for (const Item& item : got) EXPECT_EQ(item.at("b"), N("7"));
}

}  // namespace
}  // namespace streamstack::dynamodb
