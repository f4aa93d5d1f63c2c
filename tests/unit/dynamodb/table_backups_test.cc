// Backups and point-in-time recovery: a backup is one instant of its table, restores copy
// items and indexes into a new table, a point-in-time restore undoes exactly the changes after
// its instant, history is pruned with the window and survives a restart. Time moves on the
// fixed OffsetClock, never by sleeping.
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <set>

#include "streamstack/common/ids.h"
#include "streamstack/dynamodb/table_store.h"
#include "test_env.h"

namespace streamstack::dynamodb {
namespace {

using test_env::N;
using test_env::ParseItem;
using test_env::S;
using test_env::TablesEnv;

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;

// pk -> the item's "v" attribute (its N text, or "" when it has none), from a whole-table scan.
std::map<std::string, std::string> Contents(TablesEnv& env, const std::string& table) {
  ScanRequest scan;
  scan.table_name = table;
  std::map<std::string, std::string> out;
  for (const Item& item : env.ScanAll(scan)) {
    auto pk = item.find("pk");
    auto v = item.find("v");
    out[pk->second.ToJson()["S"].get<std::string>()] =
        v == item.end() ? "" : v->second.ToJson()["N"].get<std::string>();
  }
  return out;
}

// A table keyed on pk (S) with a GSI on g (S) and an LSI needing a sort key: pk + sk (S).
CreateTableRequest IndexedTable(const std::string& name) {
  CreateTableRequest r;
  r.table_name = name;
  r.attribute_definitions = {{"pk", "S"}, {"sk", "S"}, {"g", "S"}, {"l", "S"}};
  r.key_schema = {{"pk", "HASH"}, {"sk", "RANGE"}};
  r.billing_mode = "PAY_PER_REQUEST";
  SecondaryIndex gsi;
  gsi.name = "by-g";
  gsi.key_schema = {{"g", "HASH"}};
  gsi.projection = {{"ProjectionType", "ALL"}};
  SecondaryIndex lsi;
  lsi.name = "by-l";
  lsi.key_schema = {{"pk", "HASH"}, {"l", "RANGE"}};
  lsi.projection = {{"ProjectionType", "KEYS_ONLY"}};
  r.global_secondary_indexes = std::vector<SecondaryIndex>{gsi};
  r.local_secondary_indexes = std::vector<SecondaryIndex>{lsi};
  r.stream_specification = StreamSpecification{true, "NEW_IMAGE"};
  return r;
}

int64_t Now(TablesEnv& env) { return env.clock().NowMillis(); }

TEST(TableBackupsTest, BackupIsOneInstantAndRestoreCopiesItsItems) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("src", "S", "", /*stream=*/true).ok());
  ASSERT_TRUE(env.tables().UpdateTimeToLive("src", {"ttl", true}).ok());
  ASSERT_TRUE(env.tables().TagResource(env.tables().FindTable("src")->arn, {{"k", "v"}}).ok());
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"a"},"v":{"N":"1"}})").ok());
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"b"},"v":{"N":"2"}})").ok());
  auto backup = env.tables().CreateBackup("src", "first");
  ASSERT_TRUE(backup.ok()) << backup.status().message();
  EXPECT_EQ(backup->item_count, 2);
  EXPECT_GT(backup->size_bytes, 0);
  EXPECT_EQ(backup->created_ms, Now(env));
  // arn:...:table/src/backup/<14-digit ms>-<8 hex>, as AWS forms it.
  const std::string prefix = env.tables().FindTable("src")->arn + "/backup/0";
  ASSERT_EQ(backup->backup_arn.rfind(prefix, 0), 0u) << backup->backup_arn;
  EXPECT_EQ(backup->backup_arn.substr(prefix.size() - 1, 14),
            "0" + std::to_string(backup->created_ms));
  EXPECT_EQ(backup->backup_arn.size(), prefix.size() - 1 + 14 + 1 + 8);

  // Later writes are not in it.
  env.clock().Advance(Millis(5000));
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"a"},"v":{"N":"10"}})").ok());
  ASSERT_TRUE(env.Delete("src", ParseItem(R"({"pk":{"S":"b"}})")).ok());
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"c"},"v":{"N":"3"}})").ok());

  auto described = env.tables().DescribeBackup(backup->backup_arn);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->backup_name, "first");
  EXPECT_TRUE(described->source->stream_enabled);
  EXPECT_TRUE(described->source->ttl_enabled);

  RestoreTableFromBackupRequest restore;
  restore.target_table_name = "restored";
  restore.backup_arn = backup->backup_arn;
  auto d = env.tables().RestoreTableFromBackup(restore);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->status, TableStatus::kCreating);
  EXPECT_EQ(d->definition->restore_source_backup_arn, backup->backup_arn);
  EXPECT_EQ(d->definition->restore_source_table_arn, env.tables().FindTable("src")->arn);
  EXPECT_EQ(d->definition->restore_ms, backup->created_ms);
  EXPECT_EQ(Contents(env, "restored"),
            (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
  auto restored = env.tables().DescribeTable("restored");
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->item_count, 2);
  EXPECT_EQ(restored->size_bytes, backup->size_bytes);
  // AWS: streams, TTL and tags are not carried over.
  EXPECT_FALSE(restored->definition->stream_enabled);
  EXPECT_TRUE(restored->definition->latest_stream_arn.empty());
  EXPECT_FALSE(restored->definition->ttl_enabled);
  EXPECT_TRUE(env.tables().ListTagsOfResource(restored->definition->arn)->empty());
  EXPECT_NE(restored->definition->table_uuid, env.tables().FindTable("src")->table_uuid);

  // The target must be new.
  auto again = env.tables().RestoreTableFromBackup(restore);
  EXPECT_EQ(again.status().code(), AwsError::kTableAlreadyExists);
  EXPECT_EQ(again.status().message(), "Table already exists: restored");
}

TEST(TableBackupsTest, RestoreBuildsIndexesAndHonoursOverrides) {
  TablesEnv env;
  ASSERT_TRUE(env.tables().CreateTable(IndexedTable("src")).ok());
  ASSERT_TRUE(
      env.Put("src", R"({"pk":{"S":"a"},"sk":{"S":"1"},"g":{"S":"x"},"l":{"S":"q"}})").ok());
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"b"},"sk":{"S":"1"},"g":{"S":"x"}})").ok());
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"c"},"sk":{"S":"1"}})").ok());
  auto backup = env.tables().CreateBackup("src", "idx");
  ASSERT_TRUE(backup.ok());

  RestoreTableFromBackupRequest restore;
  restore.target_table_name = "all-indexes";
  restore.backup_arn = backup->backup_arn;
  ASSERT_TRUE(env.tables().RestoreTableFromBackup(restore).ok());
  QueryRequest q;
  q.table_name = "all-indexes";
  q.index_name = "by-g";
  q.expressions.key_condition_expression = "g = :g";
  q.expressions.values = std::map<std::string, AttributeValue>{{":g", S("x")}};
  EXPECT_EQ(env.QueryAll(q).size(), 2u);
  auto described = env.tables().DescribeTable("all-indexes");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->index_stats["by-g"].item_count, 2);
  EXPECT_EQ(described->index_stats["by-l"].item_count, 1);
  EXPECT_FALSE(described->definition->stream_enabled);

  // Overrides: no GSI, provisioned billing.
  restore.target_table_name = "no-gsi";
  restore.overrides.global_secondary_indexes = std::vector<SecondaryIndex>{};
  restore.overrides.billing_mode = "PROVISIONED";
  restore.overrides.provisioned_throughput = ProvisionedThroughput{7, 8};
  auto d = env.tables().RestoreTableFromBackup(restore);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->definition->global_secondary_indexes.empty());
  EXPECT_EQ(d->definition->local_secondary_indexes.size(), 1u);
  EXPECT_EQ(d->definition->billing_mode, "PROVISIONED");
  EXPECT_EQ(d->definition->throughput.read_capacity_units, 7);
  // The GSI's attribute is no longer defined; the LSI's still is.
  std::set<std::string> defined;
  for (const auto& a : d->definition->attribute_definitions) defined.insert(a.name);
  EXPECT_EQ(defined, (std::set<std::string>{"pk", "sk", "l"}));
  EXPECT_EQ(Contents(env, "no-gsi").size(), 3u);
}

TEST(TableBackupsTest, ListDescribeAndDeleteBackups) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("one", "S").ok());
  ASSERT_TRUE(env.Create("two", "S").ok());
  std::vector<Backup> made;
  for (const char* table : {"one", "two", "one", "two", "one"}) {
    auto b = env.tables().CreateBackup(table, std::string("b-") + table);
    ASSERT_TRUE(b.ok());
    made.push_back(*b);
    env.clock().Advance(Millis(1000));
  }
  auto all = env.tables().ListBackups({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->backups.size(), 5u);
  EXPECT_FALSE(all->last_evaluated_backup_arn);
  for (size_t i = 0; i < made.size(); ++i)
    EXPECT_EQ(all->backups[i].backup_arn, made[i].backup_arn);

  ListBackupsRequest of_one;
  of_one.table_name = "one";
  EXPECT_EQ(env.tables().ListBackups(of_one)->backups.size(), 3u);
  ListBackupsRequest in_range;
  in_range.lower_ms = made[1].created_ms;  // inclusive
  in_range.upper_ms = made[3].created_ms;  // exclusive
  auto ranged = env.tables().ListBackups(in_range);
  ASSERT_EQ(ranged->backups.size(), 2u);
  EXPECT_EQ(ranged->backups[0].backup_arn, made[1].backup_arn);
  ListBackupsRequest system;
  system.backup_type = "SYSTEM";
  EXPECT_TRUE(env.tables().ListBackups(system)->backups.empty());
  ListBackupsRequest user;
  user.backup_type = "USER";
  EXPECT_EQ(env.tables().ListBackups(user)->backups.size(), 5u);

  // Pages of two.
  ListBackupsRequest page;
  page.limit = 2;
  std::vector<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    auto r = env.tables().ListBackups(page);
    ASSERT_TRUE(r.ok());
    for (const auto& b : r->backups) seen.push_back(b.backup_arn);
    if (!r->last_evaluated_backup_arn) break;
    page.exclusive_start_backup_arn = r->last_evaluated_backup_arn;
  }
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen.back(), made.back().backup_arn);

  // A deleted table keeps its backups.
  ASSERT_TRUE(env.tables().DeleteTable("two").ok());
  EXPECT_EQ(env.tables().ListBackups({})->backups.size(), 5u);
  EXPECT_TRUE(env.tables().DescribeBackup(made[1].backup_arn).ok());

  auto deleted = env.tables().DeleteBackup(made[1].backup_arn);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(deleted->source->name, "two");
  auto gone = env.tables().DescribeBackup(made[1].backup_arn);
  EXPECT_EQ(gone.status().code(), AwsError::kBackupNotFound);
  EXPECT_EQ(gone.status().message(), "Backup not found: " + made[1].backup_arn);
  EXPECT_EQ(env.tables().DeleteBackup(made[1].backup_arn).status().code(),
            AwsError::kBackupNotFound);
  EXPECT_EQ(env.tables().ListBackups({})->backups.size(), 4u);

  auto missing = env.tables().CreateBackup("nope", "x");
  EXPECT_EQ(missing.status().code(), AwsError::kTableNotFound);
  EXPECT_EQ(missing.status().message(), "Table not found: nope");
}

TEST(TableBackupsTest, PointInTimeRestoreIsExactAtEveryInstant) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("src", "S").ok());
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"before"},"v":{"N":"0"}})").ok());
  auto off = env.tables().DescribeContinuousBackups("src");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->pitr_enabled);
  const int64_t enabled = Now(env);
  auto on = env.tables().UpdateContinuousBackups("src", {true, std::nullopt});
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->pitr_enabled);
  EXPECT_EQ(on->recovery_period_in_days, 35);
  // The window starts at the next whole second after enabling.
  const int64_t t0 = (enabled / 1000 + 1) * 1000;
  EXPECT_EQ(on->earliest_restorable_ms, t0);
  EXPECT_EQ(on->latest_restorable_ms, t0);  // 5 minutes ago is before it: clamped

  // A timeline of one key (two writes 500 ms apart), a delete and a new key.
  env.clock().Advance(Millis(t0 + 1000 - Now(env)));
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"k"},"v":{"N":"1"}})").ok());  // t0+1000
  env.clock().Advance(Millis(500));
  ASSERT_TRUE(env.Update("src", ParseItem(R"({"pk":{"S":"k"}})"), "SET v = :v", {{":v", N("2")}})
                  .ok());  // t0+1500
  env.clock().Advance(Millis(1500));
  ASSERT_TRUE(env.Delete("src", ParseItem(R"({"pk":{"S":"before"}})")).ok());  // t0+3000
  env.clock().Advance(Millis(1000));
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"new"}})").ok());  // t0+4000
  env.clock().Advance(Millis(10 * kMinute));

  using Rows = std::map<std::string, std::string>;
  const struct {
    int64_t at;
    Rows expected;
  } cases[] = {
      {t0, {{"before", "0"}}},
      {t0 + 999, {{"before", "0"}}},
      {t0 + 1000, {{"before", "0"}, {"k", "1"}}},
      {t0 + 1200, {{"before", "0"}, {"k", "1"}}},  // between two writes of the same key
      {t0 + 1500, {{"before", "0"}, {"k", "2"}}},
      {t0 + 2999, {{"before", "0"}, {"k", "2"}}},
      {t0 + 3000, {{"k", "2"}}},
      {t0 + 4000, {{"k", "2"}, {"new", ""}}},
  };
  int n = 0;
  for (const auto& c : cases) {
    RestoreTableToPointInTimeRequest r;
    r.source_table_name = "src";
    r.target_table_name = "at-" + std::to_string(n++);
    r.restore_ms = c.at;
    auto d = env.tables().RestoreTableToPointInTime(r);
    ASSERT_TRUE(d.ok()) << d.status().message();
    EXPECT_EQ(d->definition->restore_ms, c.at);
    EXPECT_TRUE(d->definition->restore_source_backup_arn.empty());
    EXPECT_EQ(Contents(env, r.target_table_name), c.expected) << "at t0+" << c.at - t0;
    EXPECT_EQ(env.tables().DescribeTable(r.target_table_name)->item_count,
              static_cast<int64_t>(c.expected.size()));
    // A restored table does not inherit point-in-time recovery.
    EXPECT_FALSE(env.tables().DescribeContinuousBackups(r.target_table_name)->pitr_enabled);
  }
  // The source is untouched.
  EXPECT_EQ(Contents(env, "src"), (Rows{{"k", "2"}, {"new", ""}}));

  // UseLatestRestorableTime: 5 minutes ago, in whole seconds.
  RestoreTableToPointInTimeRequest latest;
  latest.source_table_arn = env.tables().FindTable("src")->arn;
  latest.target_table_name = "latest";
  latest.use_latest_restorable_time = true;
  auto d = env.tables().RestoreTableToPointInTime(latest);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->definition->restore_ms, (Now(env) - 5 * kMinute) / 1000 * 1000);
  EXPECT_EQ(Contents(env, "latest"), (Rows{{"k", "2"}, {"new", ""}}));
}

TEST(TableBackupsTest, PointInTimeRestoreErrors) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("src", "S").ok());
  RestoreTableToPointInTimeRequest r;
  r.source_table_name = "src";
  r.target_table_name = "dst";
  r.use_latest_restorable_time = true;
  EXPECT_EQ(env.tables().RestoreTableToPointInTime(r).status().code(),
            AwsError::kPointInTimeRecoveryUnavailable);
  r.source_table_name = "nope";
  auto missing = env.tables().RestoreTableToPointInTime(r);
  EXPECT_EQ(missing.status().code(), AwsError::kTableNotFound);
  EXPECT_EQ(missing.status().message(), "Table not found: nope");
  EXPECT_EQ(env.tables().DescribeContinuousBackups("nope").status().code(),
            AwsError::kTableNotFound);
  EXPECT_EQ(env.tables().UpdateContinuousBackups("nope", {true, 3}).status().code(),
            AwsError::kTableNotFound);

  ASSERT_TRUE(env.tables().UpdateContinuousBackups("src", {true, 1}).ok());
  env.clock().Advance(Millis(kDay));
  auto window = env.tables().DescribeContinuousBackups("src");
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->recovery_period_in_days, 1);
  EXPECT_EQ(window->latest_restorable_ms, (Now(env) - 5 * kMinute) / 1000 * 1000);
  r.source_table_name = "src";
  r.use_latest_restorable_time = false;
  for (int64_t at : {window->earliest_restorable_ms - 1, window->latest_restorable_ms + 1}) {
    r.restore_ms = at;
    auto invalid = env.tables().RestoreTableToPointInTime(r);
    EXPECT_EQ(invalid.status().code(), AwsError::kInvalidRestoreTime) << at;
  }
  r.restore_ms = window->earliest_restorable_ms;
  EXPECT_TRUE(env.tables().RestoreTableToPointInTime(r).ok());
  r.restore_ms = window->latest_restorable_ms;
  auto exists = env.tables().RestoreTableToPointInTime(r);
  EXPECT_EQ(exists.status().code(), AwsError::kTableAlreadyExists);
}

TEST(TableBackupsTest, HistoryIsPrunedWithTheWindowAndDroppedWhenDisabled) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("src", "S").ok());
  ASSERT_TRUE(env.tables().UpdateContinuousBackups("src", {true, 1}).ok());
  env.clock().Advance(Millis(2000));
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"a"},"v":{"N":"1"}})").ok());
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"a"},"v":{"N":"2"}})").ok());
  auto pruned = env.tables().PruneRecoveryHistory();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0);  // inside the window
  env.clock().Advance(Millis(kDay + kMinute));
  ASSERT_TRUE(env.Put("src", R"({"pk":{"S":"b"}})").ok());
  pruned = env.tables().PruneRecoveryHistory();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 2);  // the two writes of a are out of it; b's is not
  auto window = env.tables().DescribeContinuousBackups("src");
  EXPECT_EQ(window->earliest_restorable_ms, (Now(env) - kDay + 999) / 1000 * 1000);
  // A restore to the window's start still undoes b only.
  RestoreTableToPointInTimeRequest r;
  r.source_table_name = "src";
  r.target_table_name = "start";
  r.restore_ms = window->earliest_restorable_ms;
  ASSERT_TRUE(env.tables().RestoreTableToPointInTime(r).ok());
  EXPECT_EQ(Contents(env, "start"), (std::map<std::string, std::string>{{"a", "2"}}));

  // Disabling drops the history; enabling again starts a new window.
  auto off = env.tables().UpdateContinuousBackups("src", {false, std::nullopt});
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->pitr_enabled);
  env.clock().Advance(Millis(1000));
  auto on = env.tables().UpdateContinuousBackups("src", {true, std::nullopt});
  ASSERT_TRUE(on.ok());
  EXPECT_GT(on->earliest_restorable_ms, window->earliest_restorable_ms + kDay - 10 * kMinute);
  env.clock().Advance(Millis(1000));
  ASSERT_TRUE(env.Delete("src", ParseItem(R"({"pk":{"S":"b"}})")).ok());
  env.clock().Advance(Millis(10 * kMinute));
  r.target_table_name = "after-reenable";
  r.restore_ms = on->earliest_restorable_ms;
  ASSERT_TRUE(env.tables().RestoreTableToPointInTime(r).ok());
  EXPECT_EQ(Contents(env, "after-reenable"),
            (std::map<std::string, std::string>{{"a", "2"}, {"b", ""}}));
  EXPECT_EQ(env.tables().PruneRecoveryHistory().value(), 0);
}

TEST(TableBackupsTest, BackupsAndHistorySurviveARestart) {
  test_env::FileTables files("backups");
  OffsetClock& clock = files.clock();
  std::string backup_arn;
  int64_t between = 0;
  auto open = [&](auto&& body) {
    files.Open([&](TableStore& tables, storage::Store&) { body(tables); });
  };
  auto put = [](TableStore& tables, const std::string& json) {
    PutItemRequest r;
    r.table_name = "src";
    r.item = ParseItem(json);
    std::promise<Status> done;
    tables.PutItem(std::move(r), [&](Result<WriteOutcome> out) { done.set_value(out.status()); });
    ASSERT_TRUE(done.get_future().get().ok());
  };
  open([&](TableStore& tables) {
    CreateTableRequest c;
    c.table_name = "src";
    c.attribute_definitions = {{"pk", "S"}};
    c.key_schema = {{"pk", "HASH"}};
    c.billing_mode = "PAY_PER_REQUEST";
    ASSERT_TRUE(tables.CreateTable(c).ok());
    ASSERT_TRUE(tables.UpdateContinuousBackups("src", {true, 7}).ok());
    clock.Advance(Millis(2000));
    put(tables, R"({"pk":{"S":"a"},"v":{"N":"1"}})");
    auto backup = tables.CreateBackup("src", "kept");
    ASSERT_TRUE(backup.ok());
    backup_arn = backup->backup_arn;
    clock.Advance(Millis(1000));
    between = clock.NowMillis();
    clock.Advance(Millis(1000));
    put(tables, R"({"pk":{"S":"a"},"v":{"N":"2"}})");
  });
  clock.Advance(Millis(10 * kMinute));
  open([&](TableStore& tables) {
    auto pitr = tables.DescribeContinuousBackups("src");
    ASSERT_TRUE(pitr.ok());
    EXPECT_TRUE(pitr->pitr_enabled);
    EXPECT_EQ(pitr->recovery_period_in_days, 7);
    auto backup = tables.DescribeBackup(backup_arn);
    ASSERT_TRUE(backup.ok());
    EXPECT_EQ(backup->item_count, 1);
    RestoreTableFromBackupRequest from_backup;
    from_backup.target_table_name = "from-backup";
    from_backup.backup_arn = backup_arn;
    ASSERT_TRUE(tables.RestoreTableFromBackup(from_backup).ok());
    RestoreTableToPointInTimeRequest to_time;
    to_time.source_table_name = "src";
    to_time.target_table_name = "to-time";
    to_time.restore_ms = between;
    ASSERT_TRUE(tables.RestoreTableToPointInTime(to_time).ok());
    for (const char* table : {"from-backup", "to-time"}) {
      GetItemRequest get;
      get.table_name = table;
      get.key = ParseItem(R"({"pk":{"S":"a"}})");
      auto item = tables.GetItem(get);
      ASSERT_TRUE(item.ok() && item->has_value()) << table;
      EXPECT_EQ((**item)["v"].ToJson()["N"], "1") << table;
    }
  });
}

TEST(TableBackupsTest, DeletingARecoverableTableLeavesASystemBackupFor35Days) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("plain", "S").ok());
  ASSERT_TRUE(env.Create("kept", "S").ok());
  ASSERT_TRUE(env.Put("kept", R"({"pk":{"S":"a"},"v":{"N":"1"}})").ok());
  ASSERT_TRUE(env.tables().UpdateContinuousBackups("kept", {true, std::nullopt}).ok());
  ASSERT_TRUE(env.Put("kept", R"({"pk":{"S":"b"},"v":{"N":"2"}})").ok());
  ASSERT_TRUE(env.tables().DeleteTable("plain").ok());  // no recovery: no backup
  const int64_t deleted_at = Now(env);
  ASSERT_TRUE(env.tables().DeleteTable("kept").ok());

  // ListBackups shows USER backups unless asked for SYSTEM or ALL.
  EXPECT_TRUE(env.tables().ListBackups({})->backups.empty());
  ListBackupsRequest system;
  system.backup_type = "SYSTEM";
  auto listed = env.tables().ListBackups(system);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->backups.size(), 1u);
  const Backup& b = listed->backups[0];
  EXPECT_EQ(b.backup_name, "kept$DeletedTableBackup");
  EXPECT_EQ(b.backup_type, BackupType::kSystem);
  EXPECT_EQ(b.item_count, 2);
  EXPECT_EQ(b.created_ms, deleted_at);
  EXPECT_EQ(b.expiry_ms, deleted_at + 35 * kDay);
  ListBackupsRequest all;
  all.backup_type = "ALL";
  EXPECT_EQ(env.tables().ListBackups(all)->backups.size(), 1u);

  // It restores the table as it was, and DeleteBackup refuses it.
  RestoreTableFromBackupRequest restore;
  restore.target_table_name = "kept";
  restore.backup_arn = b.backup_arn;
  ASSERT_TRUE(env.tables().RestoreTableFromBackup(restore).ok());
  EXPECT_EQ(Contents(env, "kept"), (std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}}));
  auto refused = env.tables().DeleteBackup(b.backup_arn);
  EXPECT_EQ(refused.status().code(), AwsError::kValidation);
  EXPECT_EQ(refused.status().message(),
            "Invalid Request: User is not allowed to delete the system backup with arn " +
                b.backup_arn + ". It will automatically expire on " +
                FormatIso8601Millis(deleted_at + 35 * kDay));

  // It goes by itself at its expiry, not before.
  env.clock().Advance(Millis(35 * kDay - 1));
  EXPECT_EQ(env.tables().DeleteExpiredBackups().value(), 0);
  env.clock().Advance(Millis(1));
  EXPECT_EQ(env.tables().DeleteExpiredBackups().value(), 1);
  EXPECT_EQ(env.tables().DescribeBackup(b.backup_arn).status().code(), AwsError::kBackupNotFound);
}

}  // namespace
}  // namespace streamstack::dynamodb
