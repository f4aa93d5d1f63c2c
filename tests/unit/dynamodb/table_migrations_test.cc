// Schema versions 6 (partition keys stored hash-prefixed) and 7 (backup types): a database
// written by version 5 reads the same after the migrations. The test writes through the current
// TableStore, turns the file back into version 5's layout (the hash prefixes cut off, the backup
// type columns dropped, the version set back), and opens it again.
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "test_env.h"

namespace streamstack::dynamodb {
namespace {

using test_env::ParseItem;
using test_env::TablesEnv;

// Version 5's layout: every stored partition key without its 8 hash bytes.
constexpr char kBackToVersion5[] =
    "UPDATE dynamodb_items SET pk = substr(pk, 9);"
    "UPDATE dynamodb_index_items SET pk = substr(pk, 9), table_pk = substr(table_pk, 9);"
    "UPDATE dynamodb_backup_items SET pk = substr(pk, 9);"
    "UPDATE dynamodb_item_history SET pk = substr(pk, 9);"
    "ALTER TABLE dynamodb_backups DROP COLUMN backup_type;"
    "ALTER TABLE dynamodb_backups DROP COLUMN expiry_ms;"
    "UPDATE schema_version SET version = 5 WHERE module = 'dynamodb';";

std::vector<std::string> Values(const ReadPage& page, const char* attr) {
  std::vector<std::string> out;
  for (const Item& item : page.items) out.push_back(item.at(attr).ToJson().dump());
  return out;
}

TEST(TableMigrationsTest, Version5DatabaseReadsTheSameAfterTheMigration) {
  test_env::FileTables files("migrate");
  auto scan = [](TableStore& tables, std::optional<std::string> index = std::nullopt) {
    ScanRequest r;
    r.table_name = "orders";
    r.index_name = std::move(index);
    auto page = tables.Scan(r);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? *page : ReadPage{};
  };
  auto query = [](TableStore& tables, const std::string& pk, const char* index) {
    QueryRequest r;
    r.table_name = "orders";
    if (index) r.index_name = index;
    r.expressions.key_condition_expression = index ? "g = :v" : "pk = :v";
    r.expressions.values = {{":v", index ? test_env::S(pk) : test_env::N(pk)}};
    auto page = tables.Query(r);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? *page : ReadPage{};
  };
  std::vector<std::string> scanned, by_index;
  std::string backup_arn;
  files.Open([&](TableStore& tables, storage::Store& store) {
    CreateTableRequest c;
    c.table_name = "orders";
    c.attribute_definitions = {{"pk", "N"}, {"sk", "S"}, {"g", "S"}};
    c.key_schema = {{"pk", "HASH"}, {"sk", "RANGE"}};
    c.billing_mode = "PAY_PER_REQUEST";
    SecondaryIndex gsi;
    gsi.name = "by-g";
    gsi.key_schema = {{"g", "HASH"}, {"sk", "RANGE"}};
    gsi.projection = {{"ProjectionType", "ALL"}};
    c.global_secondary_indexes = std::vector<SecondaryIndex>{gsi};
    ASSERT_TRUE(tables.CreateTable(c).ok());
    ASSERT_TRUE(tables.UpdateContinuousBackups("orders", {true, 7}).ok());
    for (int i = 0; i < 40; ++i) {
      PutItemRequest put;
      put.table_name = "orders";
      put.item =
          ParseItem(R"({"pk":{"N":")" + std::to_string(i % 13 - 6) + R"("},"sk":{"S":"s)" +
                    std::to_string(i) + R"("},"g":{"S":"g)" + std::to_string(i % 3) + R"("}})");
      std::promise<Status> done;
      tables.PutItem(std::move(put),
                     [&](Result<WriteOutcome> out) { done.set_value(out.status()); });
      ASSERT_TRUE(done.get_future().get().ok());
    }
    auto backup = tables.CreateBackup("orders", "before");
    ASSERT_TRUE(backup.ok());
    backup_arn = backup->backup_arn;
    scanned = Values(scan(tables), "sk");
    by_index = Values(scan(tables, "by-g"), "sk");
    ASSERT_EQ(scanned.size(), 40u);
    ASSERT_TRUE(
        store
            .WriteSync([](storage::WriteContext& ctx) { return ctx.db().Execute(kBackToVersion5); })
            .ok());
  });
  files.Open([&](TableStore& tables, storage::Store&) {
    EXPECT_EQ(Values(scan(tables), "sk"), scanned);  // hash order, as before
    EXPECT_EQ(Values(scan(tables, "by-g"), "sk"), by_index);
    EXPECT_EQ(query(tables, "-6", nullptr).items.size(), 4u);  // i % 13 == 0: 0, 13, 26, 39
    EXPECT_EQ(query(tables, "g1", "by-g").items.size(), 13u);
    GetItemRequest get;
    get.table_name = "orders";
    get.key = ParseItem(R"({"pk":{"N":"-5"},"sk":{"S":"s1"}})");
    auto item = tables.GetItem(get);
    ASSERT_TRUE(item.ok() && item->has_value());
    auto stats = tables.DescribeTable("orders");
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->index_stats.at("by-g").item_count, 40);
    // The version 5 backup is a USER backup, listed by default, and restores.
    auto listed = tables.ListBackups({});
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->backups.size(), 1u);
    EXPECT_EQ(listed->backups[0].backup_type, BackupType::kUser);
    EXPECT_FALSE(listed->backups[0].expiry_ms.has_value());
    RestoreTableFromBackupRequest restore;
    restore.target_table_name = "restored";
    restore.backup_arn = backup_arn;
    ASSERT_TRUE(tables.RestoreTableFromBackup(restore).ok());
    get.table_name = "restored";
    item = tables.GetItem(get);
    ASSERT_TRUE(item.ok() && item->has_value());
  });
}

}  // namespace
}  // namespace streamstack::dynamodb
