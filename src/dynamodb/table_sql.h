// dynamodb (private): the schema and every SQL statement of the module, as named constants
// (Chromium sql/ style: explicit columns, ORDER BY on multi-row selects, ? placeholders).
#pragma once

#include "streamstack/storage/migration.h"

namespace streamstack::dynamodb {
// Schema version 6's step in code (table_migrations.cc).
Status StorePartitionKeysHashed(storage::Database& db);
}  // namespace streamstack::dynamodb

namespace streamstack::dynamodb::sql {

// Items are clustered on (table_id, pk, sk) WITHOUT ROWID, with pk and sk encoded so that
// memcmp order is DynamoDB's key order (item_key.h): a Query is a seek plus a range walk, at
// the same cost in a 10^6-item table as in a 10^3-item one.
//
// Version 7: dynamodb_backups.backup_type, USER (CreateBackup) or SYSTEM (the backup AWS
// takes when a table with point-in-time recovery enabled is deleted), and expiry_ms, when a
// SYSTEM backup goes by itself (NULL for USER backups, which stay until DeleteBackup).
//
// Version 6: a stored partition key (pk of items, backup items and history, an index entry's
// pk and table_pk) begins with its partition hash (EncodePartitionKey), so partitions follow
// each other in DynamoDB's Scan order and a parallel scan's segment is one key range.
//
// Version 5: backups and point-in-time recovery.
// - dynamodb_backups: one row per on-demand backup (CreateBackup), with the source table's
//   definition as it was; kept when the table is deleted. dynamodb_backups_by_time orders
//   ListBackups.
// - dynamodb_backup_items: the backup's copy of the items, clustered as dynamodb_items is.
// - dynamodb_item_history: while a table's point-in-time recovery is enabled, one row per
//   item change, written in the change's own transaction: the item before it (NULL: there was
//   none) and when it committed. A restore to T undoes, newest first, every row after T;
//   rows older than the recovery window are pruned. By (table_id, changed_ms) for both.
//
// Version 4: dynamodb_resource_policies, the resource-based policy of a table or of one of its
// streams (PutResourcePolicy), by the ARN it is attached to; DeleteTable deletes the table's.
//
// Version 3: dynamodb_tags, a table's tags (TagResource), clustered on the table so that
// ListTagsOfResource reads one range and DeleteTable deletes it.
//
// Version 2: secondary indexes and TTL.
// - dynamodb_indexes: one row per secondary index (its counters for DescribeTable).
// - dynamodb_index_items: the index's entries (the projected item), clustered on the index
//   key then the table key, so an index Query seeks the same way a table Query does.
// - dynamodb_items.ttl_expiry: the item's TTL attribute in epoch seconds while TTL is enabled
//   (NULL otherwise), with a partial index so the sweeper seeks to the expired items.
inline constexpr storage::Migration kMigrations[] = {
    {1,
     "CREATE TABLE dynamodb_tables ("
     "  table_id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  definition TEXT NOT NULL,"
     "  item_count INTEGER NOT NULL DEFAULT 0,"
     "  size_bytes INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE dynamodb_items ("
     "  table_id INTEGER NOT NULL,"
     "  pk BLOB NOT NULL,"
     "  sk BLOB NOT NULL,"
     "  item TEXT NOT NULL,"
     "  size INTEGER NOT NULL,"
     "  PRIMARY KEY (table_id, pk, sk)) WITHOUT ROWID;"},
    {2,
     "CREATE TABLE dynamodb_indexes ("
     "  index_id INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  table_id INTEGER NOT NULL,"
     "  name TEXT NOT NULL,"
     "  item_count INTEGER NOT NULL DEFAULT 0,"
     "  size_bytes INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX dynamodb_indexes_by_table ON dynamodb_indexes (table_id);"
     "CREATE TABLE dynamodb_index_items ("
     "  index_id INTEGER NOT NULL,"
     "  pk BLOB NOT NULL,"
     "  sk BLOB NOT NULL,"
     "  table_pk BLOB NOT NULL,"
     "  table_sk BLOB NOT NULL,"
     "  item TEXT NOT NULL,"
     "  size INTEGER NOT NULL,"
     "  PRIMARY KEY (index_id, pk, sk, table_pk, table_sk)) WITHOUT ROWID;"
     "ALTER TABLE dynamodb_items ADD COLUMN ttl_expiry INTEGER;"
     "CREATE INDEX dynamodb_items_by_expiry ON dynamodb_items (ttl_expiry) "
     "  WHERE ttl_expiry IS NOT NULL;"},
    {3,
     "CREATE TABLE dynamodb_tags ("
     "  table_id INTEGER NOT NULL,"
     "  tag_key TEXT NOT NULL,"
     "  tag_value TEXT NOT NULL,"
     "  PRIMARY KEY (table_id, tag_key)) WITHOUT ROWID;"
     // Tags given to CreateTable lived in the definition until now; a key given twice there
     // keeps its last value, as TagResource does.
     "INSERT OR REPLACE INTO dynamodb_tags (table_id, tag_key, tag_value) "
     "  SELECT t.table_id, json_extract(j.value, '$.Key'), json_extract(j.value, '$.Value') "
     "  FROM dynamodb_tables t, json_each(t.definition, '$.tags') j "
     "  ORDER BY t.table_id, j.key;"},
    {4,
     "CREATE TABLE dynamodb_resource_policies ("
     "  resource_arn TEXT PRIMARY KEY,"
     "  table_id INTEGER NOT NULL,"
     "  policy TEXT NOT NULL,"
     "  revision_id TEXT NOT NULL) WITHOUT ROWID;"
     "CREATE INDEX dynamodb_resource_policies_by_table ON dynamodb_resource_policies (table_id);"},
    {5,
     "CREATE TABLE dynamodb_backups ("
     "  backup_id INTEGER PRIMARY KEY,"
     "  backup_arn TEXT NOT NULL UNIQUE,"
     "  backup_name TEXT NOT NULL,"
     "  table_name TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL,"
     "  item_count INTEGER NOT NULL,"
     "  size_bytes INTEGER NOT NULL,"
     "  definition TEXT NOT NULL);"
     "CREATE INDEX dynamodb_backups_by_time ON dynamodb_backups (created_ms, backup_arn);"
     "CREATE TABLE dynamodb_backup_items ("
     "  backup_id INTEGER NOT NULL,"
     "  pk BLOB NOT NULL,"
     "  sk BLOB NOT NULL,"
     "  item TEXT NOT NULL,"
     "  size INTEGER NOT NULL,"
     "  PRIMARY KEY (backup_id, pk, sk)) WITHOUT ROWID;"
     "CREATE TABLE dynamodb_item_history ("
     "  history_id INTEGER PRIMARY KEY,"
     "  table_id INTEGER NOT NULL,"
     "  changed_ms INTEGER NOT NULL,"
     "  pk BLOB NOT NULL,"
     "  sk BLOB NOT NULL,"
     "  item TEXT,"
     "  size INTEGER);"
     "CREATE INDEX dynamodb_item_history_by_time ON dynamodb_item_history (table_id, changed_ms);"},
    // Partition keys stored hash-prefixed (EncodePartitionKey): every stored one rewritten.
    {6, "", StorePartitionKeysHashed},
    {7,
     "ALTER TABLE dynamodb_backups ADD COLUMN backup_type TEXT NOT NULL DEFAULT 'USER';"
     "ALTER TABLE dynamodb_backups ADD COLUMN expiry_ms INTEGER;"},
};

// --- Schema version 6 (table_migrations.cc) ----------------------------------------------------
inline constexpr char kSelectPartitionsOfTable[] =
    "SELECT DISTINCT pk FROM dynamodb_items WHERE table_id = ? ORDER BY pk";
inline constexpr char kRenamePartitionOfTable[] =
    "UPDATE dynamodb_items SET pk = ?1 WHERE table_id = ?2 AND pk = ?3";
inline constexpr char kSelectHistoryKeys[] =
    "SELECT history_id, pk FROM dynamodb_item_history WHERE table_id = ? ORDER BY history_id";
inline constexpr char kRenameHistoryKey[] =
    "UPDATE dynamodb_item_history SET pk = ?1 WHERE history_id = ?2";
inline constexpr char kSelectBackupDefinitions[] =
    "SELECT backup_id, definition FROM dynamodb_backups ORDER BY backup_id";
inline constexpr char kSelectPartitionsOfBackup[] =
    "SELECT DISTINCT pk FROM dynamodb_backup_items WHERE backup_id = ? ORDER BY pk";
inline constexpr char kRenamePartitionOfBackup[] =
    "UPDATE dynamodb_backup_items SET pk = ?1 WHERE backup_id = ?2 AND pk = ?3";
inline constexpr char kResetIndexStats[] =
    "UPDATE dynamodb_indexes SET item_count = 0, size_bytes = 0 WHERE index_id = ?";

// --- Tables ---------------------------------------------------------------------------------
inline constexpr char kSelectTables[] =
    "SELECT table_id, definition FROM dynamodb_tables ORDER BY name";
inline constexpr char kInsertTable[] =
    "INSERT INTO dynamodb_tables (name, definition) VALUES (?, ?)";
inline constexpr char kUpdateTableDefinition[] =
    "UPDATE dynamodb_tables SET definition = ? WHERE table_id = ?";
inline constexpr char kDeleteTable[] = "DELETE FROM dynamodb_tables WHERE table_id = ?";
inline constexpr char kDeleteTableItems[] = "DELETE FROM dynamodb_items WHERE table_id = ?";
inline constexpr char kSelectTableStats[] =
    "SELECT item_count, size_bytes FROM dynamodb_tables WHERE table_id = ?";
inline constexpr char kAdjustTableStats[] =
    "UPDATE dynamodb_tables SET item_count = item_count + ?, size_bytes = size_bytes + ? "
    "WHERE table_id = ?";

// --- Tags -----------------------------------------------------------------------------------
// A table's tags in key order: one range of the primary key (at most 50 rows).
inline constexpr char kSelectTableTags[] =
    "SELECT tag_key, tag_value FROM dynamodb_tags WHERE table_id = ? ORDER BY tag_key";
inline constexpr char kUpsertTableTag[] =
    "INSERT INTO dynamodb_tags (table_id, tag_key, tag_value) VALUES (?, ?, ?) "
    "ON CONFLICT (table_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value";
inline constexpr char kDeleteTableTag[] =
    "DELETE FROM dynamodb_tags WHERE table_id = ? AND tag_key = ?";
inline constexpr char kDeleteTableTags[] = "DELETE FROM dynamodb_tags WHERE table_id = ?";

// --- Resource policies ------------------------------------------------------------------------
inline constexpr char kSelectResourcePolicy[] =
    "SELECT policy, revision_id FROM dynamodb_resource_policies WHERE resource_arn = ?";
inline constexpr char kUpsertResourcePolicy[] =
    "INSERT INTO dynamodb_resource_policies (resource_arn, table_id, policy, revision_id) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (resource_arn) DO UPDATE SET "
    "policy = excluded.policy, revision_id = excluded.revision_id";
inline constexpr char kDeleteResourcePolicy[] =
    "DELETE FROM dynamodb_resource_policies WHERE resource_arn = ?";
inline constexpr char kSelectTableResourcePolicies[] =
    "SELECT resource_arn, policy, revision_id FROM dynamodb_resource_policies WHERE table_id = ?";
inline constexpr char kDeleteTableResourcePolicies[] =
    "DELETE FROM dynamodb_resource_policies WHERE table_id = ?";

// --- Backups --------------------------------------------------------------------------------
inline constexpr char kInsertBackup[] =
    "INSERT INTO dynamodb_backups (backup_arn, backup_name, table_name, created_ms, item_count, "
    "size_bytes, definition, backup_type, expiry_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
// The backup whose ARN ends "/backup/?" (the first "/backup/": a table name has no '/'). A
// scan: AWS finds a backup by its id, whatever region or table its ARN names, and an account
// has few backups.
inline constexpr char kSelectBackup[] =
    "SELECT backup_id, backup_arn, backup_name, created_ms, item_count, size_bytes, definition, "
    "backup_type, expiry_ms FROM dynamodb_backups "
    "WHERE substr(backup_arn, instr(backup_arn, '/backup/') + 8) = ?";
// One page of ListBackups: after (?1, ?2) in (created_ms, backup_arn) order, created in
// [?3, ?4), of table ?5 (NULL: any), of type ?7 (NULL: any), at most ?6 rows; a seek into
// dynamodb_backups_by_time.
inline constexpr char kListBackups[] =
    "SELECT backup_id, backup_arn, backup_name, created_ms, item_count, size_bytes, definition, "
    "backup_type, expiry_ms FROM dynamodb_backups WHERE (created_ms, backup_arn) > (?1, ?2) "
    "AND created_ms >= ?3 AND created_ms < ?4 AND (?5 IS NULL OR table_name = ?5) "
    "AND (?7 IS NULL OR backup_type = ?7) ORDER BY created_ms ASC, backup_arn ASC LIMIT ?6";
// SYSTEM backups whose expiry is at or before ?; a scan (backups are few, the sweep is rare).
inline constexpr char kSelectExpiredBackups[] =
    "SELECT backup_id FROM dynamodb_backups WHERE expiry_ms <= ? ORDER BY backup_id";
inline constexpr char kDeleteBackup[] = "DELETE FROM dynamodb_backups WHERE backup_id = ?";
inline constexpr char kDeleteBackupItems[] =
    "DELETE FROM dynamodb_backup_items WHERE backup_id = ?";
// The table's items into backup ?1: one statement, a range walk of the table.
inline constexpr char kCopyItemsToBackup[] =
    "INSERT INTO dynamodb_backup_items (backup_id, pk, sk, item, size) "
    "SELECT ?1, pk, sk, item, size FROM dynamodb_items WHERE table_id = ?2 ORDER BY pk, sk";
// A restore's items into its new table ?1 (no TTL: a restored table has none enabled).
inline constexpr char kCopyBackupItemsToTable[] =
    "INSERT INTO dynamodb_items (table_id, pk, sk, item, size, ttl_expiry) "
    "SELECT ?1, pk, sk, item, size, NULL FROM dynamodb_backup_items WHERE backup_id = ?2 "
    "ORDER BY pk, sk";
inline constexpr char kCopyItemsToTable[] =
    "INSERT INTO dynamodb_items (table_id, pk, sk, item, size, ttl_expiry) "
    "SELECT ?1, pk, sk, item, size, NULL FROM dynamodb_items WHERE table_id = ?2 "
    "ORDER BY pk, sk";
// ItemCount and TableSizeBytes counted again after a restore wrote the items in bulk.
inline constexpr char kRecountTableStats[] =
    "UPDATE dynamodb_tables SET "
    "item_count = (SELECT count(*) FROM dynamodb_items WHERE table_id = ?1), "
    "size_bytes = (SELECT coalesce(sum(size), 0) FROM dynamodb_items WHERE table_id = ?1) "
    "WHERE table_id = ?1";

// --- Point-in-time recovery history ---------------------------------------------------------
inline constexpr char kInsertHistory[] =
    "INSERT INTO dynamodb_item_history (table_id, changed_ms, pk, sk, item, size) "
    "VALUES (?, ?, ?, ?, ?, ?)";
// The changes of table ?1 after ?2, newest first (the order a restore undoes them in).
inline constexpr char kSelectHistoryAfter[] =
    "SELECT pk, sk, item, size FROM dynamodb_item_history "
    "WHERE table_id = ? AND changed_ms > ? ORDER BY history_id DESC";
inline constexpr char kPruneHistory[] =
    "DELETE FROM dynamodb_item_history WHERE table_id = ? AND changed_ms < ?";
inline constexpr char kDeleteTableHistory[] =
    "DELETE FROM dynamodb_item_history WHERE table_id = ?";

// --- Items ----------------------------------------------------------------------------------
// ItemCollectionMetrics: the stored size of one partition's items.
inline constexpr char kSelectPartitionSize[] =
    "SELECT COALESCE(SUM(size), 0) FROM dynamodb_items WHERE table_id = ? AND pk = ?";

inline constexpr char kSelectItem[] =
    "SELECT item, size FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?";
inline constexpr char kUpsertItem[] =
    "INSERT INTO dynamodb_items (table_id, pk, sk, item, size, ttl_expiry) "
    "VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (table_id, pk, sk) DO UPDATE SET item = excluded.item, size = excluded.size, "
    "ttl_expiry = excluded.ttl_expiry";
inline constexpr char kDeleteItem[] =
    "DELETE FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?";
// A restore's undo of one change: the item as it was before (no TTL on a restored table).
inline constexpr char kRestoreItem[] =
    "INSERT INTO dynamodb_items (table_id, pk, sk, item, size, ttl_expiry) "
    "VALUES (?, ?, ?, ?, ?, NULL) "
    "ON CONFLICT (table_id, pk, sk) DO UPDATE SET item = excluded.item, size = excluded.size";

// Query of one partition: sk in [?4, ?5), at most ?6 rows.
inline constexpr char kQueryItemsForward[] =
    "SELECT pk, sk, item, size FROM dynamodb_items "
    "WHERE table_id = ? AND pk = ? AND sk >= ? AND sk < ? ORDER BY sk ASC LIMIT ?";
inline constexpr char kQueryItemsBackward[] =
    "SELECT pk, sk, item, size FROM dynamodb_items "
    "WHERE table_id = ? AND pk = ? AND sk >= ? AND sk < ? ORDER BY sk DESC LIMIT ?";
// Scan after (pk, sk) = (?2, ?3), at most ?4 rows.
inline constexpr char kScanItems[] =
    "SELECT pk, sk, item, size FROM dynamodb_items "
    "WHERE table_id = ? AND (pk, sk) > (?, ?) ORDER BY pk ASC, sk ASC LIMIT ?";
// Keys and items of a table in key order, a chunk at a time (index backfill, TTL enabling).
inline constexpr char kSelectItemsAfter[] =
    "SELECT pk, sk, item FROM dynamodb_items "
    "WHERE table_id = ? AND (pk, sk) > (?, ?) ORDER BY pk ASC, sk ASC LIMIT ?";

// --- Time to live ---------------------------------------------------------------------------
inline constexpr char kSetItemExpiry[] =
    "UPDATE dynamodb_items SET ttl_expiry = ? WHERE table_id = ? AND pk = ? AND sk = ?";
inline constexpr char kClearTableExpiry[] =
    "UPDATE dynamodb_items SET ttl_expiry = NULL "
    "WHERE table_id = ? AND ttl_expiry IS NOT NULL";
// Expired items: ttl_expiry in [?2, ?1), oldest first, at most ?3 (a seek into the partial
// index dynamodb_items_by_expiry).
inline constexpr char kSelectExpiredItems[] =
    "SELECT table_id, pk, sk FROM dynamodb_items "
    "WHERE ttl_expiry IS NOT NULL AND ttl_expiry < ?1 AND ttl_expiry >= ?2 "
    "ORDER BY ttl_expiry ASC LIMIT ?3";

// --- Secondary indexes ----------------------------------------------------------------------
inline constexpr char kInsertIndex[] =
    "INSERT INTO dynamodb_indexes (table_id, name) VALUES (?, ?)";
inline constexpr char kDeleteIndex[] = "DELETE FROM dynamodb_indexes WHERE index_id = ?";
inline constexpr char kDeleteIndexItems[] = "DELETE FROM dynamodb_index_items WHERE index_id = ?";
inline constexpr char kSelectIndexStats[] =
    "SELECT item_count, size_bytes FROM dynamodb_indexes WHERE index_id = ?";
inline constexpr char kAdjustIndexStats[] =
    "UPDATE dynamodb_indexes SET item_count = item_count + ?, size_bytes = size_bytes + ? "
    "WHERE index_id = ?";
inline constexpr char kUpsertIndexItem[] =
    "INSERT INTO dynamodb_index_items (index_id, pk, sk, table_pk, table_sk, item, size) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (index_id, pk, sk, table_pk, table_sk) DO UPDATE SET item = excluded.item, "
    "size = excluded.size";
inline constexpr char kDeleteIndexItem[] =
    "DELETE FROM dynamodb_index_items "
    "WHERE index_id = ? AND pk = ? AND sk = ? AND table_pk = ? AND table_sk = ?";
// Query of one index partition: (sk, table_pk, table_sk) in [(?3,?4,?5), (?6,?7,?8)).
inline constexpr char kQueryIndexForward[] =
    "SELECT pk, sk, table_pk, table_sk, item, size FROM dynamodb_index_items "
    "WHERE index_id = ? AND pk = ? AND (sk, table_pk, table_sk) >= (?, ?, ?) "
    "AND (sk, table_pk, table_sk) < (?, ?, ?) "
    "ORDER BY sk ASC, table_pk ASC, table_sk ASC LIMIT ?";
inline constexpr char kQueryIndexBackward[] =
    "SELECT pk, sk, table_pk, table_sk, item, size FROM dynamodb_index_items "
    "WHERE index_id = ? AND pk = ? AND (sk, table_pk, table_sk) >= (?, ?, ?) "
    "AND (sk, table_pk, table_sk) < (?, ?, ?) "
    "ORDER BY sk DESC, table_pk DESC, table_sk DESC LIMIT ?";
// Scan of an index after (?2, ?3, ?4, ?5).
inline constexpr char kScanIndex[] =
    "SELECT pk, sk, table_pk, table_sk, item, size FROM dynamodb_index_items "
    "WHERE index_id = ? AND (pk, sk, table_pk, table_sk) > (?, ?, ?, ?) "
    "ORDER BY pk ASC, sk ASC, table_pk ASC, table_sk ASC LIMIT ?";

}  // namespace streamstack::dynamodb::sql
