#include "dynamodb/item_write.h"

#include <cmath>

#include "dynamodb/index_store.h"
#include "dynamodb/item_key.h"
#include "dynamodb/read_store.h"
#include "dynamodb/secondary_index.h"
#include "dynamodb/table_sql.h"
#include "dynamodb/time_to_live.h"

namespace streamstack::dynamodb {

Result<int64_t> MeasureItemSize(const Item& item, const char* message) {
  const size_t size = ItemSizeBytes(item);
  if (size > kMaxItemSizeBytes) return ValidationError(message);
  return static_cast<int64_t>(size);
}

namespace {

// What an update may not do to the table's keys, checked before the item is read and in
// AWS's order (dynalite db/index.js validateUpdates, recorded against DynamoDB): write a table
// key attribute or a path under one ("Cannot update attribute", key by key in schema order);
// give an index key attribute, as a whole, a value whose type the expression alone fixes and
// that is not the declared one; name a path inside any key attribute, written or read.
Status CheckUpdateOfKeys(const UpdateExpression& update, const TableDefinition& table) {
  const std::vector<UpdateExpression::Target> targets = update.Targets();
  for (const std::string& key : table.KeyNames()) {
    for (const UpdateExpression::Target& target : targets) {
      if (target.path[0].name != key) continue;
      return InvalidParameters("Cannot update attribute " + key +
                               ". This attribute is part of the key");
    }
  }
  for (const IndexKeyAttribute& key : IndexKeyAttributesOf(table)) {
    for (const UpdateExpression::Target& target : targets) {
      if (target.path.size() != 1 || target.path[0].name != key.name) continue;
      if (target.static_type && *target.static_type != key.type) {
        return InvalidParameters("Type mismatch for Index Key " + std::string(key.name) +
                                 " Expected: " + AttributeTypeName(key.type) +
                                 " Actual: " + AttributeTypeName(*target.static_type) +
                                 " IndexName: " + std::string(key.index_name));
      }
      break;  // the first action on the attribute is the one AWS looks at
    }
  }
  return CheckKeyAttributesScalar(table, update.Paths());
}

}  // namespace

Result<ParsedWriteExpressions> ParseWriteExpressions(const ExpressionInput& in) {
  auto ctx = MakeExpressionContext(in);
  if (!ctx.ok()) return ctx.status();
  ParsedWriteExpressions out;
  if (in.update_expression) {
    auto update = UpdateExpression::Parse(*in.update_expression, *ctx);
    if (!update.ok()) return update.status();
    out.update.emplace(std::move(update).value());
  }
  if (in.condition_expression) {
    auto cond =
        ConditionExpression::Parse(*in.condition_expression, ExpressionKind::kCondition, *ctx);
    if (!cond.ok()) return cond.status();
    out.condition.emplace(std::move(cond).value());
  }
  STREAMSTACK_RETURN_IF_ERROR(ctx->CheckAllUsed());
  return out;
}

Status CheckWriteExpressionsAgainstTable(const ParsedWriteExpressions& parsed,
                                         const TableDefinition& table) {
  return parsed.update ? CheckUpdateOfKeys(*parsed.update, table) : Status::Ok();
}

Result<std::optional<ProjectionExpression>> ParseProjection(const ExpressionInput& in) {
  auto ctx = MakeExpressionContext(in);
  if (!ctx.ok()) return ctx.status();
  std::optional<ProjectionExpression> out;
  if (in.projection_expression) {
    auto p = ProjectionExpression::Parse(*in.projection_expression, *ctx);
    if (!p.ok()) return p.status();
    out.emplace(std::move(p).value());
  }
  STREAMSTACK_RETURN_IF_ERROR(ctx->CheckAllUsed());
  return out;
}

Status TransactionCanceled(nlohmann::json reasons) {
  std::string list;
  for (const nlohmann::json& reason : reasons) {
    list += (list.empty() ? "" : ", ") + reason.value("Code", std::string("None"));
  }
  Status s(AwsError::kTransactionCanceled,
           "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
               list + "]");
  s.WithDetails({{"CancellationReasons", std::move(reasons)}});
  return s;
}

Status MissingTable(const ExpressionInput& expressions) {
  STREAMSTACK_RETURN_IF_ERROR(CheckExpressionsWithoutTable(expressions));
  return NotFound();
}

Status ConditionFailed(const Item* old_item, bool return_old) {
  Status s(AwsError::kConditionalCheckFailed, kConditionFailed);
  if (return_old && old_item != nullptr) s.WithDetails({{"Item", ItemToJson(*old_item)}});
  return s;
}

// --- Planning --------------------------------------------------------------------------------

Result<Item> UpdatedImage(const std::optional<UpdateExpression>& update,
                          const TableDefinition& table, const Item& base,
                          std::vector<DocumentPath>* updated_paths, int64_t* size) {
  Item updated;
  if (update) {
    STREAMSTACK_ASSIGN_OR_RETURN(auto applied, update->Apply(base));
    updated = std::move(applied.item);
    if (updated_paths != nullptr) *updated_paths = std::move(applied.updated_paths);
  } else {
    updated = base;
  }
  // What the update would store is held to the stored depth (its text assumed: AWS's
  // recorded answers are for the values a request carries).
  STREAMSTACK_RETURN_IF_ERROR(CheckItemNesting(updated));
  STREAMSTACK_ASSIGN_OR_RETURN(int64_t measured, MeasureItemSize(updated, kUpdateTooLarge));
  if (size != nullptr) *size = measured;
  STREAMSTACK_RETURN_IF_ERROR(ValidateIndexKeys(table, updated, IndexKeyWrite::kUpdate));
  return updated;
}

Status PlanConditionalWrite(const ConditionalWrite& write, const Item* old_item, WritePlan* plan) {
  const ParsedWriteExpressions& expr = write.expressions;
  if (expr.condition) {
    static const Item kNone;
    if (!expr.condition->Evaluate(old_item != nullptr ? *old_item : kNone)) {
      return ConditionFailed(old_item, write.return_old_on_condition_failure);
    }
  }
  switch (write.kind) {
    case WriteKind::kPut:
      plan->new_image = &write.item;
      plan->new_size = write.item_size;
      break;
    case WriteKind::kUpdate: {
      // UpdateItem creates the item when it does not exist: its key plus the updates.
      const Item& base = old_item != nullptr ? *old_item : write.key.key;
      int64_t size = 0;
      STREAMSTACK_ASSIGN_OR_RETURN(plan->updated, UpdatedImage(expr.update, *write.table, base,
                                                               &plan->updated_paths, &size));
      plan->new_image = &*plan->updated;
      plan->new_size = size;
      break;
    }
    case WriteKind::kDelete:
      plan->new_image = nullptr;
      break;
  }
  return Status::Ok();
}

std::optional<Item> ReturnedAttributes(ReturnValues return_values, std::optional<Item> old_item,
                                       WritePlan& plan) {
  switch (return_values) {
    case ReturnValues::kNone:
      return std::nullopt;
    case ReturnValues::kAllOld:
      return old_item;  // moved out, not copied
    case ReturnValues::kAllNew:
      if (plan.updated) return std::move(plan.updated);
      if (plan.new_image == nullptr) return std::nullopt;
      return *plan.new_image;
    case ReturnValues::kUpdatedOld:
      if (!old_item) return std::nullopt;
      return ProjectPaths(*old_item, plan.updated_paths);
    case ReturnValues::kUpdatedNew:
      if (plan.new_image == nullptr) return std::nullopt;
      return ProjectPaths(*plan.new_image, plan.updated_paths);
  }
  return std::nullopt;
}

// --- Inside a write job ----------------------------------------------------------------------

Result<Item> DecodeStoredItem(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status(AwsError::kInternalFailure, "corrupt stored item");
  return ItemFromJson(j);
}

Result<ItemCollectionMetrics> MeasureItemCollection(storage::Database& db,
                                                    const TableDefinition& table,
                                                    const EncodedKey& key) {
  auto& stmt = db.Prepare(sql::kSelectPartitionSize);
  stmt.Bind(1, table.table_id);
  stmt.Bind(2, storage::Blob(key.pk));
  STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
  const int64_t bytes = found ? stmt.ColumnInt64(0) : 0;
  stmt.Reset();
  ItemCollectionMetrics metrics;
  const std::string& partition_key = table.key_schema.front().name;
  if (auto it = key.key.find(partition_key); it != key.key.end()) {
    metrics.key.emplace(partition_key, it->second);
  }
  constexpr double kGigabyte = 1024.0 * 1024.0 * 1024.0;
  metrics.size_low_gb = std::floor(static_cast<double>(bytes) / kGigabyte);
  metrics.size_high_gb = metrics.size_low_gb + 1;
  return metrics;
}

Result<std::optional<StoredItem>> LoadItem(storage::Database& db, const TableDefinition& table,
                                           const EncodedKey& key) {
  auto& stmt = db.Prepare(sql::kSelectItem);
  stmt.Bind(1, table.table_id);
  stmt.Bind(2, storage::Blob(key.pk));
  stmt.Bind(3, storage::Blob(key.sk));
  STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<StoredItem>();
  auto item = DecodeStoredItem(stmt.ColumnText(0));
  int64_t size = stmt.ColumnInt64(1);
  stmt.Reset();
  if (!item.ok()) return item.status();
  return std::optional<StoredItem>(StoredItem{std::move(item).value(), size});
}
namespace {

// The undo entry of one change of a table with point-in-time recovery enabled.
Status RecordHistory(storage::Database& db, const Clock& clock, const TableDefinition& t,
                     const EncodedKey& key, const StoredItem* old_item) {
  auto& stmt = db.Prepare(sql::kInsertHistory);
  stmt.Bind(1, t.table_id);
  stmt.Bind(2, clock.NowMillis());
  stmt.Bind(3, storage::Blob(key.pk));
  stmt.Bind(4, storage::Blob(key.sk));
  if (old_item != nullptr) {
    stmt.Bind(5, ItemToJson(old_item->item).dump());
    stmt.Bind(6, old_item->size);
  } else {
    stmt.Bind(5, nullptr);
    stmt.Bind(6, nullptr);
  }
  return stmt.Run();
}

}  // namespace

Status WriteItemChange(storage::WriteContext& ctx, streams::StreamStore& streams,
                       const Clock& clock, const TableDefinition& t, const EncodedKey& key,
                       const StoredItem* old_item, const Item* new_item, bool ttl_expiry,
                       ItemWriteSizes* sizes) {
  if (sizes != nullptr && old_item != nullptr) sizes->before_size = old_item->size;
  if (old_item == nullptr && new_item == nullptr) return Status::Ok();
  if (old_item != nullptr && new_item != nullptr && old_item->item == *new_item) {
    if (sizes != nullptr) sizes->after_size = old_item->size;  // the same item, not re-measured
    return Status::Ok();
  }
  storage::Database& db = ctx.db();
  int64_t count_delta = 0;
  int64_t size_delta = 0;
  int64_t new_size = 0;
  if (new_item != nullptr) {
    if (sizes != nullptr && sizes->after_size) {
      new_size = *sizes->after_size;  // measured by the caller's size check
    } else {
      new_size = static_cast<int64_t>(ItemSizeBytes(*new_item));
      if (sizes != nullptr) sizes->after_size = new_size;
    }
    auto& stmt = db.Prepare(sql::kUpsertItem);
    stmt.Bind(1, t.table_id);
    stmt.Bind(2, storage::Blob(key.pk));
    stmt.Bind(3, storage::Blob(key.sk));
    stmt.Bind(4, ItemToJson(*new_item).dump());
    stmt.Bind(5, new_size);
    if (auto expiry = ExpiryOf(t, *new_item)) {
      stmt.Bind(6, *expiry);
    } else {
      stmt.Bind(6, nullptr);
    }
    STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
    size_delta += new_size;
    if (old_item == nullptr) count_delta = 1;
  } else {
    auto& stmt = db.Prepare(sql::kDeleteItem);
    stmt.Bind(1, t.table_id);
    stmt.Bind(2, storage::Blob(key.pk));
    stmt.Bind(3, storage::Blob(key.sk));
    STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
    count_delta = -1;
  }
  if (old_item != nullptr) size_delta -= old_item->size;
  auto& stats = db.Prepare(sql::kAdjustTableStats);
  stats.Bind(1, count_delta);
  stats.Bind(2, size_delta);
  stats.Bind(3, t.table_id);
  STREAMSTACK_RETURN_IF_ERROR(stats.Run());
  STREAMSTACK_RETURN_IF_ERROR(
      UpdateIndexEntries(db, t, key, old_item != nullptr ? &old_item->item : nullptr, new_item,
                         sizes != nullptr ? &sizes->index_writes : nullptr));
  if (t.pitr_enabled) STREAMSTACK_RETURN_IF_ERROR(RecordHistory(db, clock, t, key, old_item));

  if (!t.stream_enabled || t.stream_id == 0) return Status::Ok();
  streams::ChangeRecord record;
  record.event_name = old_item == nullptr   ? streams::EventName::kInsert
                      : new_item != nullptr ? streams::EventName::kModify
                                            : streams::EventName::kRemove;
  record.keys = ItemToJson(key.key);
  record.keys_size_bytes = static_cast<int64_t>(ItemSizeBytes(key.key));
  if (new_item != nullptr) {
    record.new_image = ItemToJson(*new_item);
    record.new_image_size_bytes = new_size;
  }
  if (old_item != nullptr) {
    record.old_image = ItemToJson(old_item->item);
    record.old_image_size_bytes = old_item->size;
  }
  record.ttl_expiry = ttl_expiry;
  return streams.Append(ctx, t.stream_id, record);
}

}  // namespace streamstack::dynamodb
