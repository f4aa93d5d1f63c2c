// Schema version 6 of the dynamodb module: partition keys are stored hash-prefixed
// (EncodePartitionKey, item_key.h) so that a Scan walks partitions in DynamoDB's order. Runs
// once, inside the migration's transaction, before any table is loaded: every stored partition
// key is rewritten (items, their point-in-time history, the copies in backups), and every
// index's entries are rebuilt from the rewritten items.
#include <string>
#include <vector>

#include "dynamodb/index_store.h"
#include "dynamodb/item_key.h"
#include "dynamodb/secondary_index.h"
#include "dynamodb/table_codec.h"
#include "dynamodb/table_sql.h"

namespace streamstack::dynamodb {
namespace {

// A partition key as versions 1-5 stored it (EncodeKeyValue), back to its value.
Result<AttributeValue> UnhashedPartitionValue(std::string_view stored, AttributeType type) {
  if (type == AttributeType::kS) return AttributeValue::String(std::string(stored));
  if (type == AttributeType::kB) return AttributeValue::Binary(std::string(stored));
  auto number = Number::FromSortKey(stored);
  if (!number) return Status(AwsError::kInternalFailure, "corrupt stored number key");
  return AttributeValue::Num(*number);
}

Result<std::string> HashedPartitionKey(std::string_view stored, AttributeType type) {
  STREAMSTACK_ASSIGN_OR_RETURN(AttributeValue value, UnhashedPartitionValue(stored, type));
  return EncodePartitionKey(value);
}

// The distinct values of a one-column select of `owner`'s keys.
Result<std::vector<std::string>> SelectKeys(storage::Database& db, const char* select,
                                            int64_t owner) {
  std::vector<std::string> keys;
  auto& stmt = db.Prepare(select);
  stmt.Bind(1, owner);
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) break;
    keys.emplace_back(stmt.ColumnBlob(0).bytes());
  }
  return keys;
}

// Rewrites every partition key of one owner (a table's items, a backup's copy): the keys are
// read first, then renamed one partition at a time.
Status RenamePartitions(storage::Database& db, const char* select, const char* rename,
                        int64_t owner, AttributeType type) {
  STREAMSTACK_ASSIGN_OR_RETURN(std::vector<std::string> keys, SelectKeys(db, select, owner));
  for (const std::string& old_key : keys) {
    STREAMSTACK_ASSIGN_OR_RETURN(std::string new_key, HashedPartitionKey(old_key, type));
    auto& stmt = db.Prepare(rename);
    stmt.Bind(1, storage::Blob(new_key));
    stmt.Bind(2, owner);
    stmt.Bind(3, storage::Blob(old_key));
    STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

Status RenameHistoryKeys(storage::Database& db, const TableDefinition& table) {
  struct Row {
    int64_t history_id;
    std::string pk;
  };
  std::vector<Row> rows;
  auto& select = db.Prepare(sql::kSelectHistoryKeys);
  select.Bind(1, table.table_id);
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) break;
    rows.push_back({select.ColumnInt64(0), std::string(select.ColumnBlob(1).bytes())});
  }
  for (const Row& row : rows) {
    STREAMSTACK_ASSIGN_OR_RETURN(std::string pk, HashedPartitionKey(row.pk, table.hash_key.type));
    auto& rename = db.Prepare(sql::kRenameHistoryKey);
    rename.Bind(1, storage::Blob(pk));
    rename.Bind(2, row.history_id);
    STREAMSTACK_RETURN_IF_ERROR(rename.Run());
  }
  return Status::Ok();
}

// An index's entries carry two partition keys (its own and the table's): rebuilt from the
// table's rewritten items, counters included, as UpdateTable's backfill builds a new index.
Status RebuildIndex(storage::Database& db, const TableDefinition& table, const IndexSchema& index) {
  auto& clear = db.Prepare(sql::kDeleteIndexItems);
  clear.Bind(1, index.index_id);
  STREAMSTACK_RETURN_IF_ERROR(clear.Run());
  auto& reset = db.Prepare(sql::kResetIndexStats);
  reset.Bind(1, index.index_id);
  STREAMSTACK_RETURN_IF_ERROR(reset.Run());
  return BackfillIndex(db, table, index);
}

Result<std::vector<std::pair<int64_t, TableDefinition>>> LoadDefinitions(storage::Database& db,
                                                                         const char* select) {
  std::vector<std::pair<int64_t, TableDefinition>> out;
  auto& stmt = db.Prepare(select);
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) break;
    STREAMSTACK_ASSIGN_OR_RETURN(TableDefinition def, DecodeTableDefinition(stmt.ColumnText(1)));
    def.table_id = stmt.ColumnInt64(0);
    out.emplace_back(def.table_id, std::move(def));
  }
  return out;
}

}  // namespace

Status StorePartitionKeysHashed(storage::Database& db) {
  STREAMSTACK_ASSIGN_OR_RETURN(auto tables, LoadDefinitions(db, sql::kSelectTables));
  for (const auto& [table_id, table] : tables) {
    STREAMSTACK_RETURN_IF_ERROR(RenamePartitions(db, sql::kSelectPartitionsOfTable,
                                                 sql::kRenamePartitionOfTable, table_id,
                                                 table.hash_key.type));
    STREAMSTACK_RETURN_IF_ERROR(RenameHistoryKeys(db, table));
    for (const IndexSchema& index : IndexSchemasOf(table)) {
      STREAMSTACK_RETURN_IF_ERROR(RebuildIndex(db, table, index));
    }
  }
  // A backup's definition is its table's as it was (table_id there is the backup's id).
  STREAMSTACK_ASSIGN_OR_RETURN(auto backups, LoadDefinitions(db, sql::kSelectBackupDefinitions));
  for (const auto& [backup_id, table] : backups) {
    STREAMSTACK_RETURN_IF_ERROR(RenamePartitions(db, sql::kSelectPartitionsOfBackup,
                                                 sql::kRenamePartitionOfBackup, backup_id,
                                                 table.hash_key.type));
  }
  return Status::Ok();
}

}  // namespace streamstack::dynamodb
