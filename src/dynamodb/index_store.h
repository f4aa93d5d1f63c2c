// Secondary index entries in SQLite: written by the item's own write job (so an index never
// disagrees with its table after a commit), backfilled when UpdateTable adds a GSI, dropped
// with the index, counted for DescribeTable. Private to the dynamodb module. Functions that
// write run on the storage writer thread inside a write job; readers use any reader connection.
#pragma once

#include <cstdint>
#include <vector>

#include "dynamodb/capacity.h"
#include "dynamodb/item_key.h"
#include "dynamodb/secondary_index.h"
#include "streamstack/storage/database.h"

namespace streamstack::dynamodb {

// Brings every index of `table` from `old_item` to `new_item` (either may be null: an insert
// or a delete) for the item at `key`: deletes the old entry when the index key changed or the
// item left the index, writes the new entry when it changed, adjusts ItemCount/IndexSizeBytes.
// `writes` (optional) receives each index whose entry changed, with the entry sizes its
// write capacity is charged on (capacity.h).
Status UpdateIndexEntries(storage::Database& db, const TableDefinition& table,
                          const EncodedKey& key, const Item* old_item, const Item* new_item,
                          std::vector<IndexEntryWrite>* writes = nullptr);

// Registers a new index of table `table_id`; returns its index_id.
Result<int64_t> CreateIndexStorage(storage::Database& db, int64_t table_id,
                                   const std::string& index_name);
// Writes the entries of every existing item of the table into `index` (UpdateTable's Create
// backfill): items without the index key, or with another type or an empty value, are skipped
// as AWS skips them.
Status BackfillIndex(storage::Database& db, const TableDefinition& table, const IndexSchema& index);
// Deletes the index's entries and counters.
Status DropIndexStorage(storage::Database& db, int64_t index_id);
Result<IndexStats> LoadIndexStats(storage::Database& db, int64_t index_id);

}  // namespace streamstack::dynamodb
