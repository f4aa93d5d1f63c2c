// dynamodb (private): a table's control-plane writes under way (CREATING, UPDATING, DELETING,
// or an ACTIVE table's encryption or warm throughput change), and which new change AWS admits
// alongside one, with AWS's ResourceInUseException texts for those it refuses. Values; the
// TableStore keeps them under its mutex (table_store_impl.h). No SQL, no state.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

// What a control-plane write changes. UpdateTable makes one change at a time
// (CheckOneChangePerUpdate), apart from BillingMode with its capacity or with the stream.
struct TableChanges {
  bool stream = false;  // StreamSpecification enables or disables the stream
  bool billing_mode = false;
  bool provisioned_throughput = false;
  bool on_demand_throughput = false;
  bool deletion_protection = false;
  bool table_class = false;
  bool encryption = false;
  bool warm_throughput = false;
  bool index_create = false;
  bool index_delete = false;
  bool index_update = false;  // a GSI's own capacity

  // "Table IOPS", as AWS's texts call a change of billing mode or capacity.
  bool Iops() const { return billing_mode || provisioned_throughput; }
  // Changes that leave the table ACTIVE and that AWS starts while another change keeps the
  // table UPDATING (recorded: deletion protection, encryption and warm throughput during a
  // stream toggle, deletion protection and warm throughput during a billing mode switch;
  // ack-api-quirks DDB-TABLE-119, -369).
  bool OnlyAlongsideChanges() const {
    return (deletion_protection || encryption || warm_throughput) && !stream && !Iops() &&
           !on_demand_throughput && !table_class && !index_create && !index_delete && !index_update;
  }
};

// One control-plane write on its way, from its arrival until its write is done and then for
// --table-status-delay-ms.
struct TableTransition {
  static constexpr int64_t kUntilDone = INT64_MAX;  // the write has not completed yet

  uint64_t id = 0;  // the TableStore's, to end or abandon this one among several
  TableStatus status = TableStatus::kActive;
  int64_t until_ms = kUntilDone;
  TableChanges changes;
  // A stream toggle: the stream's label (an enabled one's once its write is done) and
  // whether it is enabled or disabled, as AWS's refusals name them.
  std::string stream_label;
  bool stream_enabling = false;
  std::string table_class;  // the class a TableClass change switches to
  // The index an index Create or Delete names, else the first an index Update names.
  std::string index_name;
  std::string billing_mode_before;  // a BillingMode change's: the mode it switches from
  // CREATING: the target of a restore, and what it restores: a backup's ARN, else (a
  // point-in-time restore) the source table's.
  bool restoring = false;
  std::string restore_backup_arn;
  std::string restore_source_table_arn;
  // UPDATING, once the write is done: the index the update creates (IndexStatus CREATING)
  // and the one it deletes (still described, DELETING).
  std::optional<std::string> creating_index;
  std::optional<SecondaryIndex> deleting_index;
  // Once the write is done: what DescribeTable shows of the values before it until the delay
  // is over (an encryption change, a warm throughput increase, capacity, class, indexes).
  ValuesBeforeChange before_change;
  // DELETING, once the write is done: what DescribeTable answers until the delay is over
  // (the table itself is gone from storage at once).
  std::shared_ptr<const TableDescription> deleted;
  // ... and the resource policies it and its streams had, by ARN, which GetResourcePolicy
  // answers until then (recorded, ack-api-quirks DDB-TABLE-236).
  using Policies = std::map<std::string, TableStore::ResourcePolicy>;
  std::shared_ptr<const Policies> deleted_policies;

  // A restore under way into this table: its target CREATING.
  bool RestoreUnderWay() const { return restoring && status == TableStatus::kCreating; }
  // Over once its write is done and the delay has passed.
  bool OverAt(int64_t now_ms) const { return until_ms != kUntilDone && until_ms <= now_ms; }
  // Whether it is seen once its write is done: not a change of deletion protection or
  // on-demand throughput alone, which AWS applies at once (the table is never described
  // UPDATING for them; ack-api-quirks DDB-TABLE-117, -178).
  bool Lingers() const {
    return status != TableStatus::kActive || changes.encryption || changes.warm_throughput ||
           before_change.ShowsIndexOrSettingUpdating();
  }
};

// A CreateTable's: the new table CREATING.
inline TableTransition Creating() {
  TableTransition t;
  t.status = TableStatus::kCreating;
  return t;
}
// A restore's: the target CREATING, from the backup `backup_arn` (empty for a point-in-time
// restore of the table `source_table_arn`).
inline TableTransition Restoring(std::string backup_arn, std::string source_table_arn) {
  TableTransition t = Creating();
  t.restoring = true;
  t.restore_backup_arn = std::move(backup_arn);
  t.restore_source_table_arn = std::move(source_table_arn);
  return t;
}

// The table as seen through every transition under way on it: CREATING, DELETING or
// UPDATING if any is (in that order), else ACTIVE, with each one's details and changes.
TableTransition MergeTransitions(const std::vector<const TableTransition*>& under_way);

// ResourceInUseException "Attempt to change a resource which is still in use: <detail>".
Status StillInUse(const std::string& detail);

// ResourceInUseException for a change to table `name` while it is in a transition of
// `status`, when no more precise text applies.
Status ResourceInUse(const std::string& name, TableStatus status);

// CreateTable of a name that is in `under_way` (merged): being created, restored or deleted.
Status RefuseCreate(const std::string& name, const TableTransition& under_way);

// An index Update, Delete or Create naming the index a change under way (`under_way`,
// merged) has deleted: AWS still describes it (DELETING) and answers so (DDB-TABLE-444, -163),
// where the table's definition no longer has it.
Status CheckIndexNotBeingDeleted(const std::string& name, const TableTransition& under_way,
                                 const UpdateTableRequest& request);

// Whether `proposed` (an UpdateTable or DeleteTable) may start on table `name` while
// `under_way` is under way: Ok, or AWS's refusal in its words.
Status AdmitAlongside(const std::string& name, const TableTransition& under_way,
                      const TableTransition& proposed);

}  // namespace streamstack::dynamodb
