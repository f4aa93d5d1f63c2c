#include "dynamodb/table_transition.h"

namespace streamstack::dynamodb {
namespace {

// Every refusal below is StillInUse's "Attempt to change a resource which is still in use:
// <detail>" (ack-api-quirks DDB-TABLE-444's catalogue of recorded texts, unless a comment says
// otherwise).

int Rank(TableStatus status) {
  switch (status) {
    case TableStatus::kCreating:
      return 3;
    case TableStatus::kDeleting:
      return 2;
    case TableStatus::kUpdating:
      return 1;
    case TableStatus::kActive:
      return 0;
  }
  return 0;
}

// DeleteTable while an UpdateTable is under way.
Status RefuseDelete(const std::string& name, const TableChanges& under_way) {
  if (under_way.stream) {
    // Recorded whole (DDB-TABLE-119).
    return StillInUse("Cannot delete table while stream is being enabled/disabled.");
  }
  if (under_way.index_create || under_way.index_delete || under_way.index_update) {
    return StillInUse("Cannot delete table while indexes are being created, updated, or deleted.");
  }
  // Recorded during a billing mode switch (DDB-TABLE-369) and an encryption change (-120).
  return StillInUse("Table: " + name + " is in the process of being updated.");
}

// An UpdateTable while the stream is being enabled or disabled (DDB-TABLE-119, -444). The
// table class text is cut in the record after "Table:", and the OnDemandThroughput one after
// "is i": both are completed as their recorded families are.
Status RefuseDuringStreamChange(const std::string& name, const TableTransition& under_way,
                                const TableChanges& next) {
  const std::string stream = " Table: " + name + " Stream: " + under_way.stream_label +
                             " Operation: " + (under_way.stream_enabling ? "ENABLE" : "DISABLE");
  if (next.table_class) {
    return StillInUse("Can't update table class when stream status is being updated." + stream);
  }
  if (next.Iops())
    return StillInUse("Can't change table IOPS when stream status is being updated." + stream);
  if (next.on_demand_throughput) {
    return StillInUse(
        "OnDemandThroughput cannot be updated while stream status update is in progress");
  }
  if (next.index_create || next.index_delete) {  // recorded, DDB-TABLE-175
    return StillInUse("Can't create or delete an index when stream status is being updated.");
  }
  // Another stream toggle; an index Update is answered the same (assumed: its own text in the
  // family "Can't <X> when stream status is being updated" is not recorded).
  return StillInUse("A stream status change is currently in progress." + stream);
}

// An UpdateTable while the billing mode or the capacity is changing (DDB-TABLE-369, -444).
Status RefuseDuringIopsChange(const std::string& name, const TableChanges& next) {
  if (next.Iops()) return StillInUse("Table IOPS are currently being updated. Table: " + name);
  if (next.on_demand_throughput) {
    return StillInUse(
        "OnDemandThroughput cannot be updated while BillingMode update is in progress");
  }
  if (next.stream) {
    return StillInUse("Can't enable or disable stream while table IOPS are being updated. Table: " +
                      name);
  }
  if (next.index_create || next.index_delete) {  // recorded, DDB-TABLE-175
    return StillInUse("Can't create or delete indexes while table IOPS are being updated. Table: " +
                      name);
  }
  return ResourceInUse(name, TableStatus::kUpdating);
}

// An UpdateTable while the table class is changing (DDB-TABLE-444).
Status RefuseDuringTableClassChange(const std::string& name, const TableTransition& under_way,
                                    const TableChanges& next) {
  if (next.table_class) {
    return StillInUse("Can't update table class when a table class update is in progress. Table: " +
                      name + " TableClassUpdateInProgress: " + under_way.table_class);
  }
  if (next.on_demand_throughput) {  // recorded whole, DDB-TABLE-286
    return StillInUse(
        "OnDemandThroughput cannot be updated while TableClass update is in progress. "
        "TableClassUpdateInProgress: " +
        under_way.table_class);
  }
  if (next.index_create || next.index_delete) {  // recorded, DDB-TABLE-175
    return StillInUse("Can't create or delete an index when a table class update is in progress.");
  }
  // Recorded (DDB-TABLE-444's tc-ops probe) up to "TableClassUpdat"; the rest as the class
  // text's.
  if (next.stream) {
    return StillInUse(
        "Can't change stream status when a table class update is in progress. "
        "Table: " +
        name + " TableClassUpdateInProgress: " + under_way.table_class);
  }
  return ResourceInUse(name, TableStatus::kUpdating);
}

// An UpdateTable while an index is being created or deleted (DDB-TABLE-444 and -458; -159 for
// a second index). Assumed, not recorded: the IOPS text's suffix on the deletion's, and the
// creation's OnDemandThroughput text for the deletion.
Status RefuseDuringIndexChange(const std::string& name, const TableTransition& under_way,
                               const TableTransition& next) {
  const bool creating = under_way.changes.index_create;
  const std::string indexes = "[" + under_way.index_name + "]";
  const TableChanges& changes = next.changes;
  if (changes.Iops()) {
    return StillInUse(std::string("Can't change table IOPS when an index is being ") +
                      (creating ? "created." : "deleted.") + " Table: " + name +
                      " Indexes: " + indexes);
  }
  if (changes.stream && creating) {
    return StillInUse("Can't change stream status when an index is being created");
  }
  if (changes.on_demand_throughput) {
    return StillInUse(std::string("OnDemandThroughput cannot be updated while index ") +
                      (creating ? "creation" : "deletion") +
                      " is in progress for indexes: " + indexes);
  }
  const bool same_index = next.index_name == under_way.index_name;
  if (!creating && same_index && (changes.index_update || changes.index_delete)) {
    return StillInUse("Index is being deleted. Table: " + name + " Index: " + under_way.index_name);
  }
  // While an index is allocated, its own update is refused and another index's admitted
  // (recorded, DDB-TABLE-163).
  if (creating && changes.index_update && !changes.index_create && !changes.index_delete) {
    if (!same_index) return Status::Ok();
    return StillInUse("Index is being created but is not backfilling yet. Table: " + name +
                      " Index: " + under_way.index_name);
  }
  if (changes.index_create || changes.index_delete) {
    // The index being created, deleted before its backfill began.
    if (creating && changes.index_delete && same_index) {
      return StillInUse(
          "Index creation is in resource allocation phase. Retry deletion during backfilling "
          "phase or when the index is active. Table: " +
          name + " Index: " + under_way.index_name);
    }
    return Status(AwsError::kLimitExceeded,
                  "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                  "simultaneously per table");
  }
  return ResourceInUse(name, TableStatus::kUpdating);
}

}  // namespace

Status StillInUse(const std::string& detail) {
  return Status(AwsError::kResourceInUse,
                "Attempt to change a resource which is still in use: " + detail);
}

void ValuesBeforeChange::MergeLater(const ValuesBeforeChange& later) {
  if (!sse_kms_master_key_arn) sse_kms_master_key_arn = later.sse_kms_master_key_arn;
  if (!capacity) capacity = later.capacity;
  index_capacity.insert(later.index_capacity.begin(), later.index_capacity.end());
  index_warm_throughput.insert(later.index_warm_throughput.begin(),
                               later.index_warm_throughput.end());
  if (!table_class) table_class = later.table_class;
  if (!warm_throughput) warm_throughput = later.warm_throughput;
}

TableTransition MergeTransitions(const std::vector<const TableTransition*>& under_way) {
  TableTransition merged;
  for (const TableTransition* t : under_way) {
    if (Rank(t->status) > Rank(merged.status)) merged.status = t->status;
    const TableChanges& c = t->changes;
    TableChanges& m = merged.changes;
    if (c.stream && !m.stream) {  // what AWS's refusals name: the first of each
      merged.stream_label = t->stream_label;
      merged.stream_enabling = t->stream_enabling;
    }
    if (merged.table_class.empty()) merged.table_class = t->table_class;
    if (merged.index_name.empty()) merged.index_name = t->index_name;
    m.stream |= c.stream;
    m.billing_mode |= c.billing_mode;
    m.provisioned_throughput |= c.provisioned_throughput;
    m.on_demand_throughput |= c.on_demand_throughput;
    m.deletion_protection |= c.deletion_protection;
    m.table_class |= c.table_class;
    m.encryption |= c.encryption;
    m.warm_throughput |= c.warm_throughput;
    m.index_create |= c.index_create;
    m.index_delete |= c.index_delete;
    m.index_update |= c.index_update;
    if (!merged.creating_index) merged.creating_index = t->creating_index;
    if (!merged.deleting_index) merged.deleting_index = t->deleting_index;
    merged.before_change.MergeLater(t->before_change);
    if (!merged.deleted) merged.deleted = t->deleted;
    if (!merged.deleted_policies) merged.deleted_policies = t->deleted_policies;
    if (merged.billing_mode_before.empty()) merged.billing_mode_before = t->billing_mode_before;
    if (t->restoring && !merged.restoring) {
      merged.restoring = true;
      merged.restore_backup_arn = t->restore_backup_arn;
      merged.restore_source_table_arn = t->restore_source_table_arn;
    }
  }
  return merged;
}

// "Table is being created: <name>" (terraform-aws-dynamodb-table issue 51, dynalite's tests,
// DDB-TABLE-444), "Table is being deleted: <name>" (DDB-TABLE-444) and "Table is being updated:
// <name>" (dynamic-dynamodb issue 36; the answer here to an UpdateTable meanwhile whose
// precise text is not recorded).
Status ResourceInUse(const std::string& name, TableStatus status) {
  // An encryption change or warm throughput increase leaves the table ACTIVE (recorded answer
  // to a DeleteTable meanwhile, DDB-TABLE-120).
  if (status == TableStatus::kActive) {
    return StillInUse("Table: " + name + " is in the process of being updated.");
  }
  const char* what = status == TableStatus::kCreating   ? "created"
                     : status == TableStatus::kDeleting ? "deleted"
                                                        : "updated";
  return StillInUse(std::string("Table is being ") + what + ": " + name);
}

Status RefuseCreate(const std::string& name, const TableTransition& under_way) {
  // A restore's target is "being used" (recorded, DDB-TABLE-444).
  if (under_way.restoring) return StillInUse("Table is being used: " + name);
  return ResourceInUse(name, under_way.status);
}

Status CheckIndexNotBeingDeleted(const std::string& name, const TableTransition& under_way,
                                 const UpdateTableRequest& request) {
  if (!under_way.deleting_index || !request.global_secondary_index_updates) return Status::Ok();
  const std::string& deleting = under_way.deleting_index->name;
  // Also a Create of its name again (recorded, ack-api-quirks DDB-TABLE-163), which would
  // otherwise be one index too many under way.
  for (const GlobalSecondaryIndexUpdate& u : *request.global_secondary_index_updates) {
    if (u.index.name == deleting) {
      return StillInUse("Index is being deleted. Table: " + name + " Index: " + deleting);
    }
  }
  return Status::Ok();
}

Status AdmitAlongside(const std::string& name, const TableTransition& under_way,
                      const TableTransition& proposed) {
  if (under_way.status == TableStatus::kCreating || under_way.status == TableStatus::kDeleting ||
      proposed.status == TableStatus::kCreating) {
    return ResourceInUse(name, under_way.status);
  }
  if (proposed.status == TableStatus::kDeleting) return RefuseDelete(name, under_way.changes);
  const TableChanges& now = under_way.changes;
  const TableChanges& next = proposed.changes;
  if (now.encryption && next.encryption) {
    return StillInUse("Server-Side Encryption is still being updated");
  }
  // A warm throughput change while an index is allocated is an HTTP 500 on AWS, a state
  // conflict answered as a server error (recorded, DDB-TABLE-458).
  if (now.index_create && next.warm_throughput) {
    return Status(AwsError::kInternalFailure,
                  "Table is under system maintenance, please try again later");
  }
  if (next.OnlyAlongsideChanges()) return Status::Ok();
  if (now.stream) return RefuseDuringStreamChange(name, under_way, next);
  if (now.Iops()) return RefuseDuringIopsChange(name, next);
  if (now.table_class) return RefuseDuringTableClassChange(name, under_way, next);
  if (now.index_create || now.index_delete) {
    return RefuseDuringIndexChange(name, under_way, proposed);
  }
  // Under way: a change that leaves the table ACTIVE (deletion protection, on-demand
  // throughput, encryption, warm throughput); AWS starts others meanwhile (assumed from the
  // table staying ACTIVE; only DeleteTable's refusal is recorded).
  if (!now.index_update) return Status::Ok();
  if (next.index_update && proposed.index_name == under_way.index_name) {
    return StillInUse("Index is being updated. Table: " + name + " Index: " + under_way.index_name);
  }
  return ResourceInUse(name, TableStatus::kUpdating);
}

}  // namespace streamstack::dynamodb
