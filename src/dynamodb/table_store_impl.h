// dynamodb (private): TableStore's shared state, used by its three parts: the control plane
// (table_control.cc), the item reads and writes (table_items.cc) and time to live
// (table_time_to_live.cc). Threads: see each member.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
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
#include "dynamodb/table_transition.h"
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

// Runs an asynchronous TableStore method and waits for its answer (the synchronous forms).
template <typename R, typename Start>
R Wait(Start start) {
  std::promise<R> promise;
  std::future<R> answer = promise.get_future();
  start([&promise](R r) { promise.set_value(std::move(r)); });
  return answer.get();
}

// Changes held until their time (TableStore::Impl's tags_updating and policies_pending): for
// each key, what readers see until then. Not thread-safe; its owner guards it.
template <typename Key, typename Value>
class HeldChanges {
 public:
  // What `key` shows while a change of it is held; nullopt when none is.
  std::optional<Value> Before(const Key& key, int64_t now_ms) const {
    auto held = held_.find(key);
    if (held == held_.end() || held->second.until_ms <= now_ms) return std::nullopt;
    return held->second.before;
  }
  // A change of `key` from `before`, held until `until_ms`; forgets the changes whose time
  // passed.
  void Hold(const Key& key, Value before, int64_t until_ms, int64_t now_ms) {
    std::erase_if(held_, [now_ms](const auto& held) { return held.second.until_ms <= now_ms; });
    held_[key] = Held{until_ms, std::move(before)};
  }
  // A later change of `key` that is seen at once.
  void Release(const Key& key) { held_.erase(key); }

 private:
  struct Held {
    int64_t until_ms = 0;
    Value before;
  };
  std::map<Key, Held> held_;
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
  // Control-plane writes under way, by table name: a change AWS admits alongside another
  // (AdmitAlongside) adds its own. An entry whose until_ms passed is over.
  std::map<std::string, std::vector<TableTransition>> transitions GUARDED_BY(mu);
  uint64_t last_transition_id GUARDED_BY(mu) = 0;

  // The definition as the writer thread sees it: updated inside control-plane jobs, so an
  // item write queued before an UpdateTable but run after it (even in the same group commit)
  // maintains the indexes and TTL the table has now. Writer thread only (and Open).
  std::map<int64_t, std::shared_ptr<const TableDefinition>> live;

  // TransactWriteItems' ClientRequestTokens of the last 10 minutes: the fingerprint of the
  // request each one completed, and the tokens in the order they completed, to forget them
  // when their window passes. Kept in memory, not in the database: writing a row per
  // transaction (boto3 sends a token on every call) cost about 1.6x a transaction's latency,
  // so a retry after a restart is a new transaction. Writer thread only (inside write jobs).
  struct TransactionToken {
    std::string fingerprint;
    int64_t completed_ms = 0;
  };
  std::map<std::string, TransactionToken> transaction_tokens;
  std::deque<std::pair<int64_t, std::string>> transaction_tokens_by_time;
  // The fingerprint of the transaction that used `token` within its window, or nullptr.
  const std::string* RecentTransactionToken(const std::string& token, int64_t now_ms) const;
  // Records a succeeded transaction's token; forgets the tokens whose window passed.
  void RememberTransactionToken(const std::string& token, const std::string& fingerprint,
                                int64_t now_ms);

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
      std::optional<TableTransition> t = LiveTransition(name);
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

  // The table as its transitions under way show it (MergeTransitions), if any is.
  std::optional<TableTransition> TransitionOf(const std::string& name) const;
  // Reads of an index UpdateTable is creating are refused while it is CREATING
  // (table_items.cc).
  Status CheckIndexReadable(const TableDefinition& table,
                            const std::optional<std::string>& index_name) const;
  // Starts a control-plane write's transition (`proposed`: its status, changes and the
  // details AWS's refusals name) and answers its id, or AWS's refusal when one under way does
  // not admit it (AdmitAlongside). The transition lasts until EndTransition or
  // AbandonTransition with that id.
  Result<uint64_t> BeginTransition(const std::string& name, TableTransition proposed);
  // The write is done: the status lasts status_delay_ms from now (none when 0, or when the
  // change does not linger). `update` fills in what the write decided (its indexes, a
  // deleted table's description, an enabled stream's label).
  void EndTransition(const std::string& name, uint64_t id,
                     const std::function<void(TableTransition&)>& update);
  // The write failed: no transition.
  void AbandonTransition(const std::string& name, uint64_t id);
  // The restore under way into `name` (its target CREATING), if one is: AWS answers most
  // operations on the target as if there were no table yet (recorded, ack-api-quirks
  // DDB-TABLE-217).
  std::optional<TableTransition> RestoreInto(const std::string& name) const;
  // The target of the restore under way from the backup `backup_arn`, if one is.
  std::optional<std::string> RestoreFromBackup(const std::string& backup_arn) const;
  // The backup `backup_arn` names, with its own ARN (table_backups.cc).
  Result<Backup> FindBackup(const std::string& backup_arn) const;
  // A restore's target name (table_backups.cc): TableInUseException while a restore into it is
  // under way, TableAlreadyExistsException while a table has it (also one still DELETING),
  // ResourceInUseException while a CreateTable of it is not yet published. Before a restore's
  // write and again inside it.
  Status CheckRestoreTarget(const std::string& name) const;
  // AWS's 50 restores under way at once in an account (the targets CREATING, for
  // --table-status-delay-ms): LimitExceededException "Subscriber limit exceeded: Only 50
  // restore operations can be done simultaneously" (documented; recorded, ack-api-quirks
  // DDB-TABLE-350, -443). Inside a restore's write job (table_backups.cc).
  Status CheckConcurrentRestores() const;
  // DeleteTable's refusals that depend on the table itself (deletion protection, an index
  // being created, a tag or policy change held), before and again inside its write job.
  Status CheckDeletable(const TableDefinition& def) const;
  // The merged live transitions of `name`, if any.
  std::optional<TableTransition> LiveTransition(const std::string& name) const REQUIRES_SHARED(mu);

  // --- Changes AWS applies a moment after it answers; any thread ------------------------------

  // With --table-status-delay-ms, a change of a table's tags or of a resource policy is held
  // for the delay, as AWS holds it (tags about 1.6 s, a policy 0.6 to 2 s; recorded,
  // ack-api-quirks DDB-TABLE-172 and the policy revision findings) until it is readable:
  // readers see what was before it, and another change of it, or DeleteTable, is refused.
  // Set inside the change's write job, so a change queued after it sees it.
  std::optional<std::vector<Tag>> TagsBeingUpdated(int64_t table_id) const;  // table_control.cc
  void HoldTags(int64_t table_id, std::vector<Tag> before);
  // The policy of `arn` (of table `table_id`) before a pending change: the outer nullopt when
  // none is pending, the inner when there was no policy (table_resource_policy.cc).
  std::optional<std::optional<ResourcePolicy>> PolicyPending(int64_t table_id,
                                                             const std::string& arn) const;
  void HoldPolicy(int64_t table_id, const std::string& arn, std::optional<ResourcePolicy> before);
  // With --table-status-delay-ms, an UpdateTable clearing one on-demand limit with -1 while the
  // other stays: DescribeTable shows its answer (the -1) for the delay, as AWS does for about
  // 1 s (recorded, ack-api-quirks DDB-TABLE-182; both cleared: absent at once). Set before
  // UpdateTable answers; a later UpdateTable of the table releases it (table_control.cc).
  std::optional<OnDemandThroughput> OnDemandBeingCleared(int64_t table_id) const;
  void ShowOnDemandAnswer(int64_t table_id, const std::optional<OnDemandThroughput>& answer,
                          const OnDemandThroughput& limits);
  HeldChanges<int64_t, OnDemandThroughput> on_demand_clearing GUARDED_BY(mu);  // by table id
  HeldChanges<int64_t, std::vector<Tag>> tags_updating GUARDED_BY(mu);         // by table id
  HeldChanges<std::pair<int64_t, std::string>, std::optional<ResourcePolicy>> policies_pending
      GUARDED_BY(mu);  // by table id and resource ARN

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

  // Writer thread: the provisioned capacity every table there is reserves (CreateTable's
  // account-wide check).
  ProvisionedThroughput ReservedCapacity() const;

  // Writer thread, inside a job: stores a new table (its row, stream, tags and index storage;
  // sets def.table_id and the indexes' ids). The caller publishes it (Replace).
  Status InsertTable(storage::WriteContext& ctx, TableDefinition& def,
                     std::optional<streams::StreamViewType> view_type,
                     const std::vector<Tag>& tags);
  // Writer thread, inside DeleteTable's job: the resource policies of table `table_id` and of
  // its streams, by ARN, before they are deleted with it (table_resource_policy.cc).
  static Result<TableTransition::Policies> LoadPoliciesOfTable(storage::Database& db,
                                                               int64_t table_id);
  // Writer thread, inside CreateTable's job: attaches its ResourcePolicy, in the form
  // CheckPolicyDocument keeps, to the new table (table_resource_policy.cc).
  Status AttachPolicyOfNewTable(storage::WriteContext& ctx, const TableDefinition& def,
                                const std::string& policy);
  // Writer thread: stores `def` as the table's definition (the caller publishes it).
  static Status StoreDefinition(storage::Database& db, const TableDefinition& def);

  // The description of `def` with its item and index counters as `db` sees them (a reader
  // connection, or the writer's inside a job).
  // `now_ms` decides which capacity decreases are today's.
  static Result<TableDescription> Describe(storage::Database& db,
                                           std::shared_ptr<const TableDefinition> def,
                                           TableStatus status, int64_t now_ms);
  // The same through a reader connection.
  Result<TableDescription> Describe(std::shared_ptr<const TableDefinition> def,
                                    TableStatus status) const {
    return store.Read([&](storage::Database& db) {
      return Describe(db, std::move(def), status, clock.NowMillis());
    });
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
    if (write.return_item_collection_metrics && !write.table->local_secondary_indexes.empty()) {
      STREAMSTACK_ASSIGN_OR_RETURN(out.item_collection_metrics,
                                   MeasureItemCollection(ctx.db(), *write.table, write.key));
    }
    if (write.return_values == ReturnValues::kNone) return out;
    std::optional<Item> old_item;
    if (old) old_item = std::move(old->item);
    out.attributes = ReturnedAttributes(write.return_values, std::move(old_item), plan);
    return out;
  }
};

}  // namespace streamstack::dynamodb
