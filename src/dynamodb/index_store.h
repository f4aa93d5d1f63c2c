// Secondary index entries in SQLite: written by the item's own write job (so a complete index
// never disagrees with its table after a commit), backfilled a chunk per write job when
// UpdateTable adds a GSI (item writes keep it up to the backfill's position), dropped with the
// index, counted for DescribeTable. Private to the dynamodb module. Functions that
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
// Writes the entries of the next items of the table after `*position` (at most 512, in key
// order) into `index` and moves `*position` past them: one step of the background backfill
// of an index UpdateTable created. Items without the index key, or with another type or an
// empty value, are skipped as AWS skips them. Returns whether the table has no items left.
Result<bool> BackfillIndexChunk(storage::Database& db, const TableDefinition& table,
                                const IndexSchema& index, BackfillPosition* position);
// Every chunk at once (restores and migrations, which build the index inside one job).
Status BackfillIndex(storage::Database& db, const TableDefinition& table, const IndexSchema& index);
// Deletes the index's entries and counters.
Status DropIndexStorage(storage::Database& db, int64_t index_id);
Result<IndexStats> LoadIndexStats(storage::Database& db, int64_t index_id);

}  // namespace streamstack::dynamodb
