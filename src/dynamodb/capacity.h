// dynamodb (private): what a request consumes, by AWS's documented rules ("DynamoDB read and
// write operations", developerguide/read-write-operations.html; "Global secondary indexes",
// GSI.html#GSI.ThroughputConsiderations; "Local secondary indexes", LSI.html). Pure functions
// of sizes in bytes (attribute_value.h's ItemSizeBytes): the store measures, these charge, the
// api encodes. Values only; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

// A read unit covers 4 KB of an item, a write unit 1 KB.
inline constexpr int64_t kReadUnitBytes = 4 * 1024;
inline constexpr int64_t kWriteUnitBytes = 1024;

// How a read is served: eventually consistent reads cost half a strongly consistent one,
// transactional reads (TransactGetItems, ExecuteTransaction) twice.
enum class ReadConsistency { kEventual, kStrong, kTransactional };
// Standard writes, or transactional ones (TransactWriteItems, ExecuteTransaction), which
// DynamoDB performs twice (prepare and commit) and charges double.
enum class WriteMode { kStandard, kTransactional };

ReadConsistency ReadConsistencyOf(bool consistent_read);

// Reading `bytes` (one item, or a whole Query/Scan page): the size rounded up to 4 KB, at
// least one unit even when nothing was found, then scaled by the consistency.
double ReadUnits(int64_t bytes, ReadConsistency consistency);
// Writing `bytes`: the size rounded up to 1 KB, at least one unit (a delete of an item that
// does not exist still costs one).
double WriteUnits(int64_t bytes, WriteMode mode = WriteMode::kStandard);

// One index's entry before and after a table write; a size is absent when the item is not in
// the index (sparse index, or no item).
struct IndexEntryWrite {
  std::string index_name;
  bool global = true;
  std::optional<int64_t> before_size;
  std::optional<int64_t> after_size;
  bool key_changed = false;  // both present, under different index keys
};

// What one item write measured: the stored item's size before and after (absent: no item),
// and every index whose entry changed.
struct ItemWriteSizes {
  std::optional<int64_t> before_size;
  std::optional<int64_t> after_size;
  std::vector<IndexEntryWrite> index_writes;
};

// The size a table write is charged for: the larger of the item before and after
// (UpdateItem, and PutItem over an existing item), the item deleted (DeleteItem), 0 when
// there was none and will be none.
int64_t ChargedWriteBytes(const ItemWriteSizes& sizes);

// An index's share of a table write (GSI.html "Write activity"): a new entry is one put, a
// removed one a delete, a changed index key a delete plus a put, an entry that changed in
// place one write (sized as the larger of before and after, like the table's own update;
// AWS does not document that size). Never doubled by a transaction.
double IndexWriteUnits(const IndexEntryWrite& write);

// The ConsumedCapacity of one item write on `table_name`: the table's units (doubled in a
// transaction) and each changed index's.
ConsumedCapacity ChargeItemWrite(const std::string& table_name, const ItemWriteSizes& sizes,
                                 WriteMode mode);

// A transaction's ConditionCheck writes nothing and is still charged as a transactional
// write of the item it read (`item_size`, absent: no item, one unit).
ConsumedCapacity ChargeConditionCheck(const std::string& table_name,
                                      std::optional<int64_t> item_size);

}  // namespace streamstack::dynamodb
