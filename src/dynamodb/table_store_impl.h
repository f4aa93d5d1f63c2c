// dynamodb (private): TableStore's shared state, used by its three parts: the control plane
// (table_control.cc), the item reads and writes (table_items.cc) and time to live
// (table_time_to_live.cc). Threads: see each member.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dynamodb/capacity.h"
#include "dynamodb/item_write.h"
#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/dynamodb/table_store.h"
#include "streamstack/storage/store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::dynamodb {

// Responses are encoded by the `done` of a write: it runs on the store's completion thread,
// so the writer thread only writes.
inline constexpr storage::Store::DoneOn kDoneOffWriter = storage::Store::DoneOn::kCompletionThread;

// A resource-based policy document as PutResourcePolicy and CreateTable take it: a JSON
// object of at most 20 KB (table_resource_policy.cc).
Status ValidatePolicyDocument(const std::string& policy);

// ResourceInUseException for a change to table `name` while it is in a transition of
// `status` (table_control.cc).
Status ResourceInUse(const std::string& name, TableStatus status);

// Runs an asynchronous TableStore method and waits for its answer (the synchronous forms).
template <typename R, typename Start>
R Wait(Start start) {
  std::promise<R> promise;
  std::future<R> answer = promise.get_future();
  start([&promise](R r) { promise.set_value(std::move(r)); });
  return answer.get();
}

// A table on its way through CREATING, UPDATING or DELETING. A control-plane write holds one
// from its arrival to its done (so a second UpdateTable or DeleteTable meanwhile is refused,
// as AWS refuses it while the table is UPDATING, instead of planning against a definition the
// first is about to replace); with --table-status-delay-ms the status then lasts that long,
// for programs that test their waiters.
struct TableTransition {
  static constexpr int64_t kUntilDone = INT64_MAX;  // the write has not completed yet

  TableStatus status = TableStatus::kActive;
  int64_t until_ms = kUntilDone;
  // UPDATING: the index the update creates (IndexStatus CREATING) and the one it deletes
  // (still described, DELETING).
  std::optional<std::string> creating_index;
  std::optional<SecondaryIndex> deleting_index;
  // UPDATING: the update enables or disables the stream.
  bool stream_changing = false;
  // An encryption change or warm throughput increase under way (described UPDATING).
  std::optional<std::string> sse_updating_from;
  std::optional<WarmThroughputValues> warm_updating_from;
  // DELETING, once the write is done: what DescribeTable answers until the delay is over
  // (the table itself is gone from storage at once).
  std::shared_ptr<const TableDescription> deleted;

  // Over once its write is done and the delay has passed.
  bool OverAt(int64_t now_ms) const { return until_ms != kUntilDone && until_ms <= now_ms; }
};

struct TableStore::Impl {
  // Constant after construction.
  storage::Store& store;
  streams::StreamStore& streams;
  const Clock& clock;
  const AccountScope scope;
  const int64_t status_delay_ms;  // --table-status-delay-ms; 0: ACTIVE as soon as written

  // Published table definitions by name. Written only on the writer thread, after commit
  // (and by Open); read from any thread.
  mutable SharedMutex mu;
  std::map<std::string, std::shared_ptr<const TableDefinition>> tables GUARDED_BY(mu);
  // Tables in transition, by name (an entry whose until_ms passed is over).
  std::map<std::string, TableTransition> transitions GUARDED_BY(mu);

  // The definition as the writer thread sees it: updated inside control-plane jobs, so an
  // item write queued before an UpdateTable but run after it (even in the same group commit)
  // maintains the indexes and TTL the table has now. Writer thread only (and Open).
  std::map<int64_t, std::shared_ptr<const TableDefinition>> live;

  Impl(storage::Store& s, streams::StreamStore& st, const Clock& c, AccountScope sc,
       int64_t delay_ms)
      : store(s), streams(st), clock(c), scope(std::move(sc)), status_delay_ms(delay_ms) {}

  // The table as item operations see it: none while it is CREATING or DELETING (AWS answers
  // ResourceNotFoundException then).
  std::shared_ptr<const TableDefinition> Find(const std::string& name) const {
    ReaderLock lock(mu);
    auto it = tables.find(name);
    if (it == tables.end()) return nullptr;
    if (!transitions.empty()) {
      const TableTransition* t = LiveTransition(name);
      if (t && (t->status == TableStatus::kCreating || t->status == TableStatus::kDeleting)) {
        return nullptr;
      }
    }
    return it->second;
  }
  // The table as the control plane sees it, whatever its status.
  std::shared_ptr<const TableDefinition> FindDefinition(const std::string& name) const {
    ReaderLock lock(mu);
    auto it = tables.find(name);
    return it == tables.end() ? nullptr : it->second;
  }

  // --- Transitions (table_control.cc); any thread --------------------------------------------

  // A copy of the table's transition if one is under way.
  std::optional<TableTransition> TransitionOf(const std::string& name) const;
  // Reads of an index UpdateTable is creating are refused while it is CREATING
  // (table_items.cc).
  Status CheckIndexReadable(const TableDefinition& table,
                            const std::optional<std::string>& index_name) const;
  // Starts a control-plane write's transition (until its done), or AWS's ResourceInUseException
  // while another is under way. `stream_changing`: an UpdateTable enabling or disabling the
  // stream, which a DeleteTable meanwhile names.
  Status BeginTransition(const std::string& name, TableStatus status, bool stream_changing = false);
  // The write is done: the status lasts status_delay_ms from now (none when 0). `update` fills
  // in what the write decided (its indexes, a deleted table's description).
  void EndTransition(const std::string& name, const std::function<void(TableTransition&)>& update);
  // The write failed: no transition.
  void AbandonTransition(const std::string& name);
  const TableTransition* LiveTransition(const std::string& name) const REQUIRES_SHARED(mu);
  void Publish(std::shared_ptr<const TableDefinition> def) {
    WriterLock lock(mu);
    tables[def->name] = std::move(def);
  }
  void Unpublish(const std::string& name) {
    WriterLock lock(mu);
    tables.erase(name);
  }

  // --- Background index backfill (table_control.cc) ---------------------------------------

  // Queues the next chunk of the backfill of GSI `index_id` of table `table_id` as a write
  // job of its own, so writes queued meanwhile run between chunks (AWS backfills without
  // holding the table); each chunk's done queues the next until the index is complete, or it
  // or its table is gone. Any thread.
  void ContinueBackfill(int64_t table_id, int64_t index_id);
  // Queues no more chunks and waits for the one in flight: a chunk's job and done use this
  // Impl, so none may outlive it (~TableStore).
  void StopBackfills();
  Mutex backfill_mu;
  std::condition_variable backfill_cv;
  bool backfills_stopping GUARDED_BY(backfill_mu) = false;
  int backfills_in_flight GUARDED_BY(backfill_mu) = 0;

  // Writer thread: makes `def` the definition item writes see from now on, and the one
  // readers see once the job's group committed.
  void Replace(storage::WriteContext& ctx, std::shared_ptr<const TableDefinition> def) {
    live[def->table_id] = def;
    ctx.OnCommit([this, def = std::move(def)] { Publish(def); });
  }

  // Writer thread, inside a job: stores a new table (its row, stream, tags and index storage;
  // sets def.table_id and the indexes' ids). The caller publishes it (Replace).
  Status InsertTable(storage::WriteContext& ctx, TableDefinition& def,
                     std::optional<streams::StreamViewType> view_type,
                     const std::vector<Tag>& tags);
  // Writer thread, inside CreateTable's job: attaches its ResourcePolicy to the new table
  // (table_resource_policy.cc).
  Status AttachPolicyOfNewTable(storage::WriteContext& ctx, const TableDefinition& def,
                                const std::string& policy);
  // Writer thread: stores `def` as the table's definition (the caller publishes it).
  static Status StoreDefinition(storage::Database& db, const TableDefinition& def);

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
    return WriteItemChange(ctx, streams, clock, *live_it->second, key, old_item, new_item,
                           ttl_expiry, sizes);
  }

  // --- Backups and restores (table_backups.cc) --------------------------------------------

  // Writer thread, inside a job: stores `backup` (its name and type set by the caller) of
  // `source` as the writer holds it now, with a copy of its items; sets the rest of `backup`.
  Status InsertBackup(storage::WriteContext& ctx, std::shared_ptr<const TableDefinition> source,
                      Backup& backup);

  // Where a restore's items come from: a backup's copy, or a live table's items with its
  // history after `restore_ms` undone.
  struct RestoreSource {
    std::string backup_arn;  // RestoreTableFromBackup
    int64_t table_id = 0;    // RestoreTableToPointInTime
    std::string table_name;
    int64_t restore_ms = 0;
  };
  // One write job: creates `def` (CREATING for status_delay_ms, as CreateTable) and fills it
  // from `source`, its indexes built from the items.
  void Restore(std::shared_ptr<TableDefinition> def, RestoreSource source, DescriptionDone done);

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
