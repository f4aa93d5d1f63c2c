// dynamodb (private): the item write path. PutItem, UpdateItem and DeleteItem are one
// conditional write: load the stored item, check the ConditionExpression against it, compute
// the new image, then write the item, its index entries, its TTL expiry and its stream
// record in the caller's write job. BatchWriteItem, TransactWriteItems and the TTL sweep
// share the loading and writing steps. Planning functions are pure (any thread); LoadItem and
// WriteItemChange run inside a storage write job (writer thread) or a read.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "dynamodb/capacity.h"
#include "dynamodb/item_key.h"
#include "streamstack/common/clock.h"
#include "streamstack/common/status.h"
#include "streamstack/dynamodb/expression.h"
#include "streamstack/dynamodb/table_store.h"
#include "streamstack/storage/store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::dynamodb {

inline constexpr size_t kMaxItemSizeBytes = 400 * 1024;
inline constexpr char kConditionFailed[] = "The conditional request failed";
// An update whose finished item would be over kMaxItemSizeBytes.
inline constexpr char kUpdateTooLarge[] =
    "Item size to update has exceeded the maximum allowed size";

// TransactionCanceledException with one reason per item ({"Code": ...} objects, in the
// request's order); its text lists the codes as AWS does.
Status TransactionCanceled(nlohmann::json reasons);

// The answer to an item request on a table that does not exist: AWS's verdict on the
// request's expressions first, which it reaches before it looks for the table.
Status MissingTable(const ExpressionInput& expressions);

// The item's size by AWS's rules (ItemSizeBytes), or ValidationException `message` when it
// is over 400 KB. The write path keeps the size, so an item is measured once per write.
Result<int64_t> MeasureItemSize(const Item& item, const char* message);

// The parsed expressions of one write request; parsed on the caller's thread so the writer
// thread only evaluates.
struct ParsedWriteExpressions {
  std::optional<ConditionExpression> condition;
  std::optional<UpdateExpression> update;
};
// The request's own verdict on them, which needs no table: syntax, placeholders, every name
// and value used (AWS answers these before it looks at the table).
Result<ParsedWriteExpressions> ParseWriteExpressions(const ExpressionInput& in);
// What the table's schema decides about them: an update of a key attribute, a wrongly typed
// index key, a path into a key attribute.
Status CheckWriteExpressionsAgainstTable(const ParsedWriteExpressions& parsed,
                                         const TableDefinition& table);
Result<std::optional<ProjectionExpression>> ParseProjection(const ExpressionInput& in);

// ConditionalCheckFailedException, carrying the old item when the request asked for it
// (ReturnValuesOnConditionCheckFailure ALL_OLD) and there is one.
Status ConditionFailed(const Item* old_item, bool return_old);

enum class WriteKind { kPut, kUpdate, kDelete };

// One PutItem, UpdateItem or DeleteItem, checked and parsed on the caller's thread.
struct ConditionalWrite {
  WriteKind kind = WriteKind::kPut;
  std::shared_ptr<const TableDefinition> table;  // as the request found it
  EncodedKey key;
  Item item;  // kPut: the item to store
  ParsedWriteExpressions expressions;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
  std::optional<int64_t> item_size;  // kPut: the item's size, as its size check measured it
  bool return_item_collection_metrics = false;
};

// What a conditional write does to the item it found. Filled in place (it may point into
// itself), so it is neither copied nor moved.
struct WritePlan {
  WritePlan() = default;
  WritePlan(const WritePlan&) = delete;
  WritePlan& operator=(const WritePlan&) = delete;

  // The item after the write: the request's item (kPut, not copied), `updated` (kUpdate) or
  // nullptr (kDelete).
  const Item* new_image = nullptr;
  std::optional<int64_t> new_size;  // new_image's size, measured by its size check
  std::optional<Item> updated;
  std::vector<DocumentPath> updated_paths;  // kUpdate: what UPDATED_OLD/UPDATED_NEW select
};

// The ConditionExpression checked against `old_item` (nullptr: none, evaluated as an empty
// item; ConditionalCheckFailedException when it does not hold), then the new image: Put's
// item; Update's expression applied to the old item or, when there is none, to the key (the
// result checked for size and index key types); Delete: none.
Status PlanConditionalWrite(const ConditionalWrite& write, const Item* old_item, WritePlan* plan);

// UpdateItem's (and TransactWriteItems' Update's) new image: `update` applied to `base`,
// checked for size and index key types. `updated_paths` (optional) receives the paths it set,
// `size` (optional) the image's size.
Result<Item> UpdatedImage(const std::optional<UpdateExpression>& update,
                          const TableDefinition& table, const Item& base,
                          std::vector<DocumentPath>* updated_paths, int64_t* size = nullptr);

// What ReturnValues selects once the write is done; takes the old item and the plan's
// updated image (nothing needs them after the write).
std::optional<Item> ReturnedAttributes(ReturnValues return_values, std::optional<Item> old_item,
                                       WritePlan& plan);

// --- Inside a write job (or a read) -----------------------------------------------------

// An item as stored, with the size its counters carry.
struct StoredItem {
  Item item;
  int64_t size = 0;
};
Result<Item> DecodeStoredItem(std::string_view text);
// The item at `key`, or nullopt.
Result<std::optional<StoredItem>> LoadItem(storage::Database& db, const TableDefinition& table,
                                           const EncodedKey& key);

// ItemCollectionMetrics of the collection `key` belongs to, in the caller's write job: the
// stored size of its partition's items (its local secondary index entries are not counted; AWS
// calls the figure an estimate), as the whole gigabytes around it ([0, 1] below 1 GB).
Result<ItemCollectionMetrics> MeasureItemCollection(storage::Database& db,
                                                    const TableDefinition& table,
                                                    const EncodedKey& key);

// Makes `new_item` (nullptr: delete) the item at `key` of `table` (the definition the writer
// thread holds now), adjusts the table's counters, writes the item's index entries and its
// TTL expiry, and appends the stream record, all in the caller's write job. A write that
// changes nothing writes nothing and produces no record. `sizes` (optional) receives what
// the write's capacity is charged on (capacity.h): the item before and after and each index
// entry that changed -- a write that changes nothing is still charged. A caller that already
// measured `new_item` (its size check did) sets sizes->after_size, and the item is not
// measured again. While the table's point-in-time recovery is enabled, the change's undo entry
// (the old item or its absence, at `clock`'s now) goes into the table's history too; otherwise
// that costs one branch.
Status WriteItemChange(storage::WriteContext& ctx, streams::StreamStore& streams,
                       const Clock& clock, const TableDefinition& table, const EncodedKey& key,
                       const StoredItem* old_item, const Item* new_item, bool ttl_expiry,
                       ItemWriteSizes* sizes = nullptr);

}  // namespace streamstack::dynamodb
