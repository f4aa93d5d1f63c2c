#include "dynamodb/index_store.h"

#include <string>
#include <vector>

#include "dynamodb/table_sql.h"

namespace streamstack::dynamodb {
namespace {

constexpr int64_t kBackfillChunk = 512;

Status AdjustStats(storage::Database& db, int64_t index_id, int64_t count_delta,
                   int64_t size_delta) {
  if (count_delta == 0 && size_delta == 0) return Status::Ok();
  auto& stmt = db.Prepare(sql::kAdjustIndexStats);
  stmt.Bind(1, count_delta);
  stmt.Bind(2, size_delta);
  stmt.Bind(3, index_id);
  return stmt.Run();
}

Status DeleteEntry(storage::Database& db, int64_t index_id, const IndexEntry& entry,
                   const EncodedKey& key) {
  auto& stmt = db.Prepare(sql::kDeleteIndexItem);
  stmt.Bind(1, index_id);
  stmt.Bind(2, storage::Blob(entry.pk));
  stmt.Bind(3, storage::Blob(entry.sk));
  stmt.Bind(4, storage::Blob(key.pk));
  stmt.Bind(5, storage::Blob(key.sk));
  return stmt.Run();
}

Status WriteEntry(storage::Database& db, int64_t index_id, const IndexEntry& entry,
                  const std::string& table_pk, const std::string& table_sk) {
  auto& stmt = db.Prepare(sql::kUpsertIndexItem);
  stmt.Bind(1, index_id);
  stmt.Bind(2, storage::Blob(entry.pk));
  stmt.Bind(3, storage::Blob(entry.sk));
  stmt.Bind(4, storage::Blob(table_pk));
  stmt.Bind(5, storage::Blob(table_sk));
  stmt.Bind(6, ItemToJson(entry.item).dump());
  stmt.Bind(7, entry.size);
  return stmt.Run();
}

Status UpdateOneIndex(storage::Database& db, const IndexSchema& index, const EncodedKey& key,
                      const Item* old_item, const Item* new_item,
                      std::vector<IndexEntryWrite>* writes) {
  std::optional<IndexEntry> before = old_item ? IndexEntryOf(index, *old_item) : std::nullopt;
  std::optional<IndexEntry> after = new_item ? IndexEntryOf(index, *new_item) : std::nullopt;
  if (!before && !after) return Status::Ok();
  // Beyond the backfill's position the index has no entry yet; the backfill writes the item
  // as it is when it gets there.
  if (index.LeftToBackfill(key.pk, key.sk)) return Status::Ok();
  const bool same_key = before && after && before->pk == after->pk && before->sk == after->sk;
  // A write that leaves the projected attributes alone leaves the entry alone (and costs the
  // index nothing).
  if (same_key && before->item == after->item) return Status::Ok();
  if (writes != nullptr) {
    IndexEntryWrite w{index.name, index.global, std::nullopt, std::nullopt, false};
    if (before) w.before_size = before->size;
    if (after) w.after_size = after->size;
    w.key_changed = before && after && !same_key;
    writes->push_back(std::move(w));
  }
  int64_t count_delta = 0;
  int64_t size_delta = 0;
  if (before) {
    if (!same_key) {
      STREAMSTACK_RETURN_IF_ERROR(DeleteEntry(db, index.index_id, *before, key));
      count_delta -= 1;
    }
    size_delta -= before->size;
  }
  if (after) {
    STREAMSTACK_RETURN_IF_ERROR(WriteEntry(db, index.index_id, *after, key.pk, key.sk));
    if (!same_key) count_delta += 1;
    size_delta += after->size;
  }
  return AdjustStats(db, index.index_id, count_delta, size_delta);
}

struct StoredRow {
  std::string pk;
  std::string sk;
  std::string item;
};

}  // namespace

Status UpdateIndexEntries(storage::Database& db, const TableDefinition& table,
                          const EncodedKey& key, const Item* old_item, const Item* new_item,
                          std::vector<IndexEntryWrite>* writes) {
  if (table.global_secondary_indexes.empty() && table.local_secondary_indexes.empty()) {
    return Status::Ok();
  }
  for (const IndexSchema& index : IndexSchemasOf(table)) {
    STREAMSTACK_RETURN_IF_ERROR(UpdateOneIndex(db, index, key, old_item, new_item, writes));
  }
  return Status::Ok();
}

Result<int64_t> CreateIndexStorage(storage::Database& db, int64_t table_id,
                                   const std::string& index_name) {
  auto& stmt = db.Prepare(sql::kInsertIndex);
  stmt.Bind(1, table_id);
  stmt.Bind(2, index_name);
  STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
  return db.LastInsertRowId();
}

Result<bool> BackfillIndexChunk(storage::Database& db, const TableDefinition& table,
                                const IndexSchema& index, BackfillPosition* position) {
  // The rows first, then their entries: the entries are written between two reads of the
  // same statement.
  std::vector<StoredRow> rows;
  auto& select = db.Prepare(sql::kSelectItemsAfter);
  select.Bind(1, table.table_id);
  select.Bind(2, storage::Blob(position->after_pk));
  select.Bind(3, storage::Blob(position->after_sk));
  select.Bind(4, kBackfillChunk);
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) break;
    rows.push_back({std::string(select.ColumnBlob(0).bytes()),
                    std::string(select.ColumnBlob(1).bytes()), std::string(select.ColumnText(2))});
  }
  int64_t count = 0;
  int64_t size = 0;
  for (const StoredRow& row : rows) {
    auto item = ItemFromJson(nlohmann::json::parse(row.item, nullptr, false));
    if (!item.ok()) return Status(AwsError::kInternalFailure, "corrupt stored item");
    auto entry = IndexEntryOf(index, *item);
    if (!entry) continue;
    STREAMSTACK_RETURN_IF_ERROR(WriteEntry(db, index.index_id, *entry, row.pk, row.sk));
    count += 1;
    size += entry->size;
  }
  STREAMSTACK_RETURN_IF_ERROR(AdjustStats(db, index.index_id, count, size));
  if (!rows.empty()) *position = {rows.back().pk, rows.back().sk};
  return static_cast<int64_t>(rows.size()) < kBackfillChunk;
}

Status BackfillIndex(storage::Database& db, const TableDefinition& table,
                     const IndexSchema& index) {
  BackfillPosition position;
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(bool complete, BackfillIndexChunk(db, table, index, &position));
    if (complete) return Status::Ok();
  }
}

Status DropIndexStorage(storage::Database& db, int64_t index_id) {
  auto& items = db.Prepare(sql::kDeleteIndexItems);
  items.Bind(1, index_id);
  STREAMSTACK_RETURN_IF_ERROR(items.Run());
  auto& index = db.Prepare(sql::kDeleteIndex);
  index.Bind(1, index_id);
  return index.Run();
}

Result<IndexStats> LoadIndexStats(storage::Database& db, int64_t index_id) {
  auto& stmt = db.Prepare(sql::kSelectIndexStats);
  stmt.Bind(1, index_id);
  auto row = stmt.Step();
  if (!row.ok()) return row.status();
  IndexStats stats;
  if (*row) {
    stats.item_count = stmt.ColumnInt64(0);
    stats.size_bytes = stmt.ColumnInt64(1);
    stmt.Reset();
  }
  return stats;
}

}  // namespace streamstack::dynamodb
