// dynamodb (private): TableStore's shared state, used by its three parts: the control plane
// (table_control.cc), the item reads and writes (table_items.cc) and time to live
// (table_time_to_live.cc). Threads: see each member.
#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>

#include "dynamodb/capacity.h"
#include "dynamodb/item_write.h"
#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/dynamodb/table_store.h"
#include "streamstack/storage/store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::dynamodb {

// Responses are encoded by the `done` of a write: it runs on the store's completion thread,
// so the writer thread only writes.
inline constexpr storage::Store::DoneOn kDoneOffWriter = storage::Store::DoneOn::kCompletionThread;

struct TableStore::Impl {
  // Constant after construction.
  storage::Store& store;
  streams::StreamStore& streams;
  const Clock& clock;
  const AccountScope scope;

  // Published table definitions by name. Written only on the writer thread, after commit
  // (and by Open); read from any thread. Guarded by mu.
  mutable std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<const TableDefinition>> tables;

  // The definition as the writer thread sees it: updated inside control-plane jobs, so an
  // item write queued before an UpdateTable but run after it (even in the same group commit)
  // maintains the indexes and TTL the table has now. Writer thread only (and Open).
  std::map<int64_t, std::shared_ptr<const TableDefinition>> live;

  Impl(storage::Store& s, streams::StreamStore& st, const Clock& c, AccountScope sc)
      : store(s), streams(st), clock(c), scope(std::move(sc)) {}

  std::shared_ptr<const TableDefinition> Find(const std::string& name) const {
    std::shared_lock lock(mu);
    auto it = tables.find(name);
    return it == tables.end() ? nullptr : it->second;
  }
  void Publish(std::shared_ptr<const TableDefinition> def) {
    std::unique_lock lock(mu);
    tables[def->name] = std::move(def);
  }
  void Unpublish(const std::string& name) {
    std::unique_lock lock(mu);
    tables.erase(name);
  }

  // Writer thread: makes `def` the definition item writes see from now on, and the one
  // readers see once the job's group committed.
  void Replace(storage::WriteContext& ctx, std::shared_ptr<const TableDefinition> def) {
    live[def->table_id] = def;
    ctx.OnCommit([this, def = std::move(def)] { Publish(def); });
  }

  // The description of `def` with its item and index counters as `db` sees them (a reader
  // connection, or the writer's inside a job).
  static Result<TableDescription> Describe(storage::Database& db,
                                           std::shared_ptr<const TableDefinition> def,
                                           TableStatus status);
  // The same through a reader connection.
  Result<TableDescription> Describe(std::shared_ptr<const TableDefinition> def,
                                    TableStatus status) const {
    return store.Read([&](storage::Database& db) { return Describe(db, std::move(def), status); });
  }

  // --- The item write path (writer thread, inside a write job) ----------------------------

  // WriteItemChange on the table as the writer thread holds it now (ResourceNotFound when it
  // was deleted since the request was accepted).
  Status ApplyChange(storage::WriteContext& ctx, const TableDefinition& requested,
                     const EncodedKey& key, const StoredItem* old_item, const Item* new_item,
                     bool ttl_expiry = false, ItemWriteSizes* sizes = nullptr) {
    auto live_it = live.find(requested.table_id);
    if (live_it == live.end()) {
      if (old_item == nullptr && new_item == nullptr) return Status::Ok();
      if (old_item != nullptr && new_item != nullptr && old_item->item == *new_item) {
        return Status::Ok();
      }
      return NotFound();
    }
    return WriteItemChange(ctx, streams, *live_it->second, key, old_item, new_item, ttl_expiry,
                           sizes);
  }

  // Queues one checked PutItem, UpdateItem or DeleteItem (table_items.cc).
  void QueueConditionalWrite(ConditionalWrite write, WriteDone done);

  // The one conditional-write path of PutItem, UpdateItem and DeleteItem: the stored item,
  // the condition, the new image, then item + indexes + TTL expiry + stream record. Returns
  // what ReturnValues selects and the capacity the write consumed. (A failed condition
  // consumes capacity on AWS too, but ConditionalCheckFailedException carries no
  // ConsumedCapacity, so nothing is computed for it.)
  Result<WriteOutcome> RunConditionalWrite(storage::WriteContext& ctx, ConditionalWrite& write) {
    STREAMSTACK_ASSIGN_OR_RETURN(std::optional<StoredItem> old,
                                 LoadItem(ctx.db(), *write.table, write.key));
    WritePlan plan;
    STREAMSTACK_RETURN_IF_ERROR(PlanConditionalWrite(write, old ? &old->item : nullptr, &plan));
    ItemWriteSizes sizes;
    sizes.after_size = plan.new_size;
    STREAMSTACK_RETURN_IF_ERROR(ApplyChange(ctx, *write.table, write.key, old ? &*old : nullptr,
                                            plan.new_image, /*ttl_expiry=*/false, &sizes));
    WriteOutcome out;
    out.consumed = ChargeItemWrite(write.table->name, sizes, WriteMode::kStandard);
    if (write.return_values == ReturnValues::kNone) return out;
    std::optional<Item> old_item;
    if (old) old_item = std::move(old->item);
    out.attributes = ReturnedAttributes(write.return_values, std::move(old_item), plan);
    return out;
  }
};

}  // namespace streamstack::dynamodb
