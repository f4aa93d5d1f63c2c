// dynamodb (private): the schema and every SQL statement of the module, as named constants
// (Chromium sql/ style: explicit columns, ORDER BY on multi-row selects, ? placeholders).
#pragma once

#include "streamstack/storage/migration.h"

namespace streamstack::dynamodb::sql {

// Items are clustered on (table_id, pk, sk) WITHOUT ROWID, with pk and sk encoded so that
// memcmp order is DynamoDB's key order (item_key.h): a Query is a seek plus a range walk, at
// the same cost in a 10^6-item table as in a 10^3-item one.
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
};

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
inline constexpr char kDeleteTableResourcePolicies[] =
    "DELETE FROM dynamodb_resource_policies WHERE table_id = ?";

// --- Items ----------------------------------------------------------------------------------
inline constexpr char kSelectItem[] =
    "SELECT item, size FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?";
inline constexpr char kUpsertItem[] =
    "INSERT INTO dynamodb_items (table_id, pk, sk, item, size, ttl_expiry) "
    "VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (table_id, pk, sk) DO UPDATE SET item = excluded.item, size = excluded.size, "
    "ttl_expiry = excluded.ttl_expiry";
inline constexpr char kDeleteItem[] =
    "DELETE FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?";

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
