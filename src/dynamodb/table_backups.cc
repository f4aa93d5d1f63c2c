// TableStore's backups and point-in-time recovery: CreateBackup, DescribeBackup, ListBackups,
// DeleteBackup, RestoreTableFromBackup, UpdateContinuousBackups, DescribeContinuousBackups,
// RestoreTableToPointInTime and the pruning of the history. Every change is one write job on
// the writer thread, so a backup or a restore reads one instant of the source table.
#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <future>
#include <set>

#include "dynamodb/index_store.h"
#include "dynamodb/item_key.h"
#include "dynamodb/secondary_index.h"
#include "dynamodb/table_codec.h"
#include "dynamodb/table_sql.h"
#include "dynamodb/table_store_impl.h"
#include "dynamodb/table_validation.h"
#include "streamstack/common/ids.h"
#include "streamstack/dynamodb/table_arn.h"

namespace streamstack::dynamodb {
namespace {

constexpr int64_t kDayMs = 24 * 60 * 60 * 1000;
constexpr int64_t kSystemBackupRetentionDays = 35;
// AWS: "LatestRestorableDateTime is typically 5 minutes before the current time."
constexpr int64_t kLatestRestorableLagMs = 5 * 60 * 1000;

// AWS's texts: "Table not found: <name>" and "Backup not found: <arn>" are recorded answers
// (altimeter's tests of DescribeContinuousBackups; steampipe-plugin-aws issue 1913 for
// DescribeBackup), as is "Table already exists: <name>" (ack-api-quirks DDB-TABLE-100, -219).
Status TableNotFound(const std::string& name) {
  return Status(AwsError::kTableNotFound, "Table not found: " + name);
}
Status BackupNotFound(const std::string& arn) {
  return Status(AwsError::kBackupNotFound, "Backup not found: " + arn);
}
Status TableAlreadyExists(const std::string& name) {
  return Status(AwsError::kTableAlreadyExists, "Table already exists: " + name);
}
// A restore into the target of one under way (recorded, ack-api-quirks DDB-TABLE-219, -463:
// "Table: <t> is already being restored from backup: <arn>"; a point-in-time restore's
// "from table: <source table arn>" is assumed).
Status TableInUse(const std::string& name, const TableTransition& restore) {
  const std::string from = restore.restore_backup_arn.empty()
                               ? "table: " + restore.restore_source_table_arn
                               : "backup: " + restore.restore_backup_arn;
  return Status(AwsError::kTableInUse,
                "Table: " + name + " is already being restored from " + from);
}
// One backup feeds one restore at a time: another restore of it, or DeleteBackup, is refused
// until the restore is done (recorded texts, ack-api-quirks DDB-BACKUP-010; that <arn> is the
// backup's is assumed).
Status BackupInUse(const std::string& detail) { return Status(AwsError::kBackupInUse, detail); }
// "Point in time recovery is not enabled for table '<name>'" is recorded (ack-api-quirks
// DDB-TABLE-100, -272).
Status PointInTimeRecoveryUnavailable(const std::string& name) {
  return Status(AwsError::kPointInTimeRecoveryUnavailable,
                "Point in time recovery is not enabled for table '" + name + "'");
}
// AWS's prefix for the backup and restore request rules (ack-api-quirks DDB-TABLE-442).
Status InvalidRequest(const std::string& detail) {
  return ValidationError("Invalid Request: " + detail);
}

// CreateBackup and UpdateContinuousBackups on a table still CREATING (the status delay): AWS
// answers ContinuousBackupsUnavailableException until backups are enabled for it (recorded
// text, ack-api-quirks DDB-TABLE-116 and DDB-TABLE-442). A table being deleted is already
// TableNotFoundException.
Status CheckBackupsEnabled(const std::optional<TableTransition>& transition,
                           const std::string& name) {
  if (!transition || transition->status != TableStatus::kCreating) return Status::Ok();
  // A restore's target is not there yet (recorded, ack-api-quirks DDB-TABLE-217).
  if (transition->restoring) return TableNotFound(name);
  return Status(AwsError::kContinuousBackupsUnavailable,
                "Backups are being enabled for the table: " + name + ". Please retry later");
}

// A RestoreDateTime outside the window, each time in whole seconds (recorded, ack-api-quirks
// DDB-TABLE-100, up to "and LatestRestor"; the rest, the latest time quoted as the others,
// assumed).
Status InvalidRestoreTime(int64_t restore_ms, int64_t earliest_ms, int64_t latest_ms) {
  return Status(AwsError::kInvalidRestoreTime,
                "RestoreDateTime '" + FormatIso8601Seconds(restore_ms) +
                    "' must be within EarliestRestorableDateTime '" +
                    FormatIso8601Seconds(earliest_ms) + "' and LatestRestorableDateTime '" +
                    FormatIso8601Seconds(latest_ms) + "'");
}

int64_t FloorToSecond(int64_t ms) { return ms - ((ms % 1000) + 1000) % 1000; }
int64_t CeilToSecond(int64_t ms) { return -FloorToSecond(-ms); }

// AWS's backup ARN: the table's ARN, "/backup/", the creation time in epoch milliseconds as 14
// digits (leading zero), "-", 8 hex digits: ".../backup/01681997703770-aa93528e"; a SYSTEM
// backup's 8 digits are zeros (recorded, ack-api-quirks DDB-BACKUP-015).
std::string NewBackupArn(const std::string& table_arn, int64_t created_ms, BackupType type) {
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "%014" PRId64, created_ms);
  return table_arn + "/backup/" + stamp + "-" +
         (type == BackupType::kSystem ? std::string("00000000") : RandomHex(4));
}

// The creation time an ARN of ours carries (ListBackups' ExclusiveStartBackupArn).
std::optional<int64_t> BackupArnTime(const std::string& arn) {
  const size_t at = arn.rfind("/backup/");
  if (at == std::string::npos) return std::nullopt;
  const std::string stamp = arn.substr(at + 8, 14);
  if (stamp.size() != 14 || !std::all_of(stamp.begin(), stamp.end(),
                                         [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return std::nullopt;
  }
  return std::stoll(stamp);
}

// One row of kSelectBackup or kListBackups.
Result<Backup> ReadBackupRow(storage::Statement& stmt, int64_t* backup_id) {
  Backup b;
  if (backup_id != nullptr) *backup_id = stmt.ColumnInt64(0);
  b.backup_arn = std::string(stmt.ColumnText(1));
  b.backup_name = std::string(stmt.ColumnText(2));
  b.created_ms = stmt.ColumnInt64(3);
  b.item_count = stmt.ColumnInt64(4);
  b.size_bytes = stmt.ColumnInt64(5);
  STREAMSTACK_ASSIGN_OR_RETURN(TableDefinition def, DecodeTableDefinition(stmt.ColumnText(6)));
  b.source = std::make_shared<const TableDefinition>(std::move(def));
  if (stmt.ColumnText(7) == BackupTypeName(BackupType::kSystem)) {
    b.backup_type = BackupType::kSystem;
  }
  if (!stmt.ColumnIsNull(8)) b.expiry_ms = stmt.ColumnInt64(8);
  return b;
}

// The ListBackups BackupType filter as stored: USER by default, NULL (any) for ALL; nullopt
// for AWS_BACKUP, which no backup here is (AWS Backup's are made by another service).
std::optional<std::optional<std::string>> StoredTypeFilter(
    const std::optional<std::string>& backup_type) {
  if (!backup_type || *backup_type == "USER") return std::optional<std::string>("USER");
  if (*backup_type == "SYSTEM") return std::optional<std::string>("SYSTEM");
  if (*backup_type == "ALL") return std::optional<std::string>();
  return std::nullopt;
}

// DeleteBackup of a SYSTEM backup. The text is the one catalogued from AWS (ack-api-quirks
// DDB-TABLE-442: "Invalid Request: User is not allowed to delete the system backup with arn
// <ARN>. It will automatically expire on <TS>"); how AWS renders <TS> is not recorded, so
// this gives ISO 8601 in UTC.
Status SystemBackupNotDeletable(const Backup& backup) {
  return InvalidRequest("User is not allowed to delete the system backup with arn " +
                        backup.backup_arn + ". It will automatically expire on " +
                        FormatIso8601Millis(backup.expiry_ms.value_or(0)));
}

// The backup named `arn` (its row id in *backup_id), with its own ARN, or AWS's refusal of the
// ARN (ResolveBackupArn), or BackupNotFoundException naming `arn`.
Result<Backup> LoadBackup(storage::Database& db, const AccountScope& scope, const std::string& arn,
                          int64_t* backup_id) {
  STREAMSTACK_ASSIGN_OR_RETURN(std::string id, ResolveBackupArn(scope, arn));
  auto& stmt = db.Prepare(sql::kSelectBackup);
  stmt.Bind(1, id);
  STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return BackupNotFound(arn);
  auto backup = ReadBackupRow(stmt, backup_id);
  stmt.Reset();
  return backup;
}

// The recovery window of a table whose point-in-time recovery is enabled, in whole seconds
// (clients send RestoreDateTime in seconds): from when it was enabled, or the recovery period
// ago, to 5 minutes ago -- never before the window's start.
struct RecoveryWindow {
  int64_t earliest_ms = 0;
  int64_t latest_ms = 0;
};
// A backup's copied items, then its row. Runs inside the caller's write job.
Status DeleteBackupRows(storage::Database& db, int64_t backup_id) {
  for (const char* statement : {sql::kDeleteBackupItems, sql::kDeleteBackup}) {
    auto& stmt = db.Prepare(statement);
    stmt.Bind(1, backup_id);
    STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

RecoveryWindow WindowOf(const TableDefinition& def, int64_t now_ms) {
  RecoveryWindow w;
  w.earliest_ms =
      CeilToSecond(std::max(def.pitr_enabled_ms, now_ms - def.pitr_recovery_period_days * kDayMs));
  w.latest_ms = std::max(w.earliest_ms, FloorToSecond(now_ms - kLatestRestorableLagMs));
  return w;
}

ContinuousBackupsDescription DescribeRecovery(const TableDefinition& def, int64_t now_ms) {
  ContinuousBackupsDescription d;
  d.pitr_enabled = def.pitr_enabled;
  if (!def.pitr_enabled) return d;
  d.recovery_period_in_days = def.pitr_recovery_period_days;
  RecoveryWindow w = WindowOf(def, now_ms);
  d.earliest_restorable_ms = w.earliest_ms;
  d.latest_restorable_ms = w.latest_ms;
  return d;
}

// The attribute definitions a restored table keeps: those its keys and indexes use (an index
// left out by an override leaves its attributes out too, which CreateTable would refuse).
std::vector<AttributeDefinition> UsedDefinitions(const CreateTableRequest& req,
                                                 const std::vector<AttributeDefinition>& all) {
  std::set<std::string> used;
  for (const auto& k : req.key_schema) used.insert(k.name);
  for (const auto* indexes : {&req.global_secondary_indexes, &req.local_secondary_indexes}) {
    if (!*indexes) continue;
    for (const SecondaryIndex& index : **indexes) {
      for (const auto& k : index.key_schema) used.insert(k.name);
    }
  }
  std::vector<AttributeDefinition> out;
  for (const AttributeDefinition& a : all) {
    if (used.contains(a.name)) out.push_back(a);
  }
  return out;
}

// A restore's overrides checked as AWS checks them (recorded, ack-api-quirks DDB-TABLE-273 and
// -280; texts from their catalogue DDB-TABLE-442, all under "Invalid Request: "): capacity only
// for a provisioned result and required when the billing is overridden to PROVISIONED,
// on-demand limits only for an on-demand result and at least 1. `billing`: the result's.
Status CheckRestoreCapacity(const RestoreOverrides& o, const std::string& billing) {
  if (o.provisioned_throughput && billing == "PAY_PER_REQUEST") {
    return InvalidRequest(o.billing_mode
                              ? "Cannot override ProvisionedThroughput if BillingMode is "
                                "overridden to PAY_PER_REQUEST"
                              : "Cannot override ProvisionedThroughput unless BillingMode is "
                                "PROVISIONED");
  }
  if (o.billing_mode == "PROVISIONED" && !o.provisioned_throughput) {
    return InvalidRequest(
        "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED");
  }
  if (!o.on_demand_throughput) return Status::Ok();
  for (auto [value, member] :
       {std::pair{&o.on_demand_throughput->max_read_request_units, "MaxReadRequestUnits"},
        std::pair{&o.on_demand_throughput->max_write_request_units, "MaxWriteRequestUnits"}}) {
    if (!*value) continue;
    if (billing != "PAY_PER_REQUEST") {
      return InvalidRequest(std::string("Cannot override ") + member +
                            " for OnDemandThroughput unless BillingModeOverride is "
                            "PAY_PER_REQUEST");
    }
    if (**value < 1) {
      return InvalidRequest(std::string("Requested ") + member +
                            " for OnDemandThroughput is outside of valid range");
    }
  }
  return Status::Ok();
}

// The projection an index declares, for comparing two declarations: its type and its
// non-key attributes in any order.
std::pair<std::string, std::set<std::string>> ProjectionShape(const SecondaryIndex& index) {
  std::pair<std::string, std::set<std::string>> shape;
  shape.first = index.projection.value("ProjectionType", "");
  auto nka = index.projection.find("NonKeyAttributes");
  if (nka != index.projection.end() && nka->is_array()) {
    for (const auto& a : *nka) {
      if (a.is_string()) shape.second.insert(a.get<std::string>());
    }
  }
  return shape;
}

bool SameKeysAndProjection(const SecondaryIndex& a, const SecondaryIndex& b) {
  if (a.key_schema.size() != b.key_schema.size()) return false;
  for (size_t i = 0; i < a.key_schema.size(); ++i) {
    if (a.key_schema[i].name != b.key_schema[i].name ||
        a.key_schema[i].key_type != b.key_schema[i].key_type) {
      return false;
    }
  }
  return ProjectionShape(a) == ProjectionShape(b);
}

// An index override restores an index of the source, perhaps under another name: its keys and
// projection must be one of the source's (DDB-TABLE-280); a global one carries capacity exactly
// when the result is provisioned.
Status CheckIndexOverride(const SecondaryIndex& index, const std::vector<SecondaryIndex>& source,
                          bool global, const std::string& billing) {
  if (std::none_of(source.begin(), source.end(),
                   [&](const SecondaryIndex& s) { return SameKeysAndProjection(index, s); })) {
    return InvalidRequest("Index " + index.name +
                          " does not match a secondary index that existed in the source table "
                          "and cannot be created during the restore operation");
  }
  if (!global) return Status::Ok();
  if (billing == "PROVISIONED" && !index.throughput) {
    return InvalidRequest("Must specify provisioned throughput for index " + index.name);
  }
  if (billing == "PAY_PER_REQUEST" && index.throughput) {
    return InvalidRequest(
        "Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST "
        "for index " +
        index.name);
  }
  return Status::Ok();
}

// The table a restore creates from `source` (a backup's definition, or the live table's), as
// CreateTable would plan it, with the overrides applied. Streams, TTL, tags, point-in-time
// recovery and deletion protection are not carried over (AWS: "You must manually set up ...
// on the restored table"); billing, throughput, on-demand limits, indexes, SSE and the table
// class are (recorded, ack-api-quirks DDB-TABLE-215). A capacity override is the table's alone:
// the indexes keep their own unless an index override names theirs (DDB-TABLE-281).
Result<CreateTablePlan> PlanRestoredTable(const TableDefinition& source, const std::string& target,
                                          const RestoreOverrides& o, const AccountScope& scope,
                                          int64_t now_ms) {
  CreateTableRequest req;
  req.table_name = target;
  req.key_schema = source.key_schema;
  req.billing_mode = o.billing_mode.value_or(source.billing_mode);
  const std::string& billing = *req.billing_mode;
  if (billing == "PROVISIONED" || billing == "PAY_PER_REQUEST") {
    STREAMSTACK_RETURN_IF_ERROR(CheckRestoreCapacity(o, billing));
  }
  const bool provisioned = billing == "PROVISIONED";
  if (o.provisioned_throughput) {
    req.provisioned_throughput = o.provisioned_throughput;
  } else if (provisioned) {
    req.provisioned_throughput = source.throughput;
  }
  if (!provisioned) {
    const OnDemandThroughput limits = o.on_demand_throughput.value_or(source.on_demand_throughput);
    if (!limits.Empty()) req.on_demand_throughput = limits;
  }
  auto indexes = [&](const std::vector<SecondaryIndex>& from, bool global) {
    std::vector<SecondaryIndex> out = from;
    for (SecondaryIndex& index : out) {
      index.index_id = 0;
      index.backfill.reset();  // the restore's job builds every index whole
      if (!global) continue;
      if (!provisioned) {
        index.throughput.reset();
      } else {
        index.on_demand_throughput = {};
        // An index of an on-demand source has no capacity of its own to keep (a provisioned
        // source's may lack it only when restored to its own billing).
        if (!index.throughput) index.throughput = req.provisioned_throughput;
      }
    }
    return out;
  };
  auto overridden = [&](const std::vector<SecondaryIndex>& given,
                        const std::vector<SecondaryIndex>& from,
                        bool global) -> Result<std::vector<SecondaryIndex>> {
    for (const SecondaryIndex& index : given) {
      STREAMSTACK_RETURN_IF_ERROR(CheckIndexOverride(index, from, global, billing));
    }
    return given;
  };
  // An override is the whole list: an empty one restores no index of that kind (DDB-TABLE-279).
  if (o.global_secondary_indexes) {
    STREAMSTACK_ASSIGN_OR_RETURN(
        auto given, overridden(*o.global_secondary_indexes, source.global_secondary_indexes, true));
    if (!given.empty()) req.global_secondary_indexes = std::move(given);
  } else if (!source.global_secondary_indexes.empty()) {
    // A GSI of an on-demand source has no capacity to keep: a PROVISIONED override must name
    // each (ExtendDB's restore tests, captured from DynamoDB).
    if (o.billing_mode == "PROVISIONED") {
      for (const SecondaryIndex& index : source.global_secondary_indexes) {
        if (index.throughput) continue;
        return InvalidParameters("GlobalSecondaryIndexOverride must be specified for index: " +
                                 index.name + " when BillingModeOverride is PROVISIONED");
      }
    }
    req.global_secondary_indexes = indexes(source.global_secondary_indexes, true);
  }
  if (o.local_secondary_indexes) {
    STREAMSTACK_ASSIGN_OR_RETURN(
        auto given, overridden(*o.local_secondary_indexes, source.local_secondary_indexes, false));
    if (!given.empty()) req.local_secondary_indexes = std::move(given);
  } else if (!source.local_secondary_indexes.empty()) {
    req.local_secondary_indexes = indexes(source.local_secondary_indexes, false);
  }
  req.attribute_definitions = UsedDefinitions(req, source.attribute_definitions);
  if (o.sse_specification) {
    req.sse_specification = o.sse_specification;
  } else if (!source.sse_kms_master_key_arn.empty()) {
    req.sse_specification = SseSpecification{true, "KMS", source.sse_kms_master_key_arn};
  }
  // A restored table is STANDARD whatever its source's class (recorded, ack-api-quirks
  // DDB-TABLE-215: no TableClassSummary).
  return PlanCreateTable(req, scope, now_ms);
}

}  // namespace

// --- On-demand backups -------------------------------------------------------------------------

const char* BackupTypeName(BackupType type) {
  return type == BackupType::kSystem ? "SYSTEM" : "USER";
}

Status TableStore::Impl::InsertBackup(storage::WriteContext& ctx,
                                      std::shared_ptr<const TableDefinition> source,
                                      Backup& backup) {
  auto& stats = ctx.db().Prepare(sql::kSelectTableStats);
  stats.Bind(1, source->table_id);
  STREAMSTACK_ASSIGN_OR_RETURN(bool found, stats.Step());
  if (found) {
    backup.item_count = stats.ColumnInt64(0);
    backup.size_bytes = stats.ColumnInt64(1);
  }
  stats.Reset();
  backup.created_ms = clock.NowMillis();
  // AWS keeps a SYSTEM backup 35 days after its creation (BackupExpiryDateTime's reference).
  if (backup.backup_type == BackupType::kSystem) {
    backup.expiry_ms = backup.created_ms + kSystemBackupRetentionDays * kDayMs;
  }
  backup.backup_arn = NewBackupArn(source->arn, backup.created_ms, backup.backup_type);
  backup.source = source;
  auto& insert = ctx.db().Prepare(sql::kInsertBackup);
  insert.Bind(1, backup.backup_arn);
  insert.Bind(2, backup.backup_name);
  insert.Bind(3, source->name);
  insert.Bind(4, backup.created_ms);
  insert.Bind(5, backup.item_count);
  insert.Bind(6, backup.size_bytes);
  insert.Bind(7, EncodeTableDefinition(*source));
  insert.Bind(8, BackupTypeName(backup.backup_type));
  if (backup.expiry_ms) {
    insert.Bind(9, *backup.expiry_ms);
  } else {
    insert.Bind(9, nullptr);
  }
  STREAMSTACK_RETURN_IF_ERROR(insert.Run());
  auto& copy = ctx.db().Prepare(sql::kCopyItemsToBackup);
  copy.Bind(1, ctx.db().LastInsertRowId());
  copy.Bind(2, source->table_id);
  return copy.Run();
}

void TableStore::CreateBackup(std::string table_name, std::string backup_name, BackupDone done) {
  Impl& impl = *impl_;
  Status enabled = CheckBackupsEnabled(impl.TransitionOf(table_name), table_name);
  if (!enabled.ok()) return done(enabled);
  auto def = impl.Find(table_name);
  if (!def) return done(TableNotFound(table_name));
  auto backup = std::make_shared<Backup>();
  backup->backup_name = std::move(backup_name);
  impl.store.Write(
      [&impl, table_id = def->table_id, table_name, backup](storage::WriteContext& ctx) -> Status {
        // The table as the writer holds it now: the backup is this instant of its history.
        auto live = impl.live.find(table_id);
        if (live == impl.live.end()) return TableNotFound(table_name);
        return impl.InsertBackup(ctx, live->second, *backup);
      },
      [backup, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(std::move(*backup));
      },
      kDoneOffWriter);
}

Result<Backup> TableStore::CreateBackup(const std::string& table_name,
                                        const std::string& backup_name) {
  return Wait<Result<Backup>>(
      [&](BackupDone done) { CreateBackup(table_name, backup_name, std::move(done)); });
}

void TableStore::DeleteBackup(std::string backup_arn, BackupDone done) {
  Impl& impl = *impl_;
  auto backup = std::make_shared<Backup>();
  impl.store.Write(
      [&impl, arn = std::move(backup_arn), backup](storage::WriteContext& ctx) -> Status {
        int64_t backup_id = 0;
        STREAMSTACK_ASSIGN_OR_RETURN(*backup, LoadBackup(ctx.db(), impl.scope, arn, &backup_id));
        if (backup->backup_type == BackupType::kSystem) return SystemBackupNotDeletable(*backup);
        if (impl.RestoreFromBackup(backup->backup_arn)) {
          return BackupInUse("Backup is being used to restore table: " + arn);
        }
        STREAMSTACK_RETURN_IF_ERROR(DeleteBackupRows(ctx.db(), backup_id));
        backup->deleted = true;
        backup->backup_arn = arn;  // as named (DDB-BACKUP-012)
        return Status::Ok();
      },
      [backup, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(std::move(*backup));
      },
      kDoneOffWriter);
}

Result<Backup> TableStore::DeleteBackup(const std::string& backup_arn) {
  return Wait<Result<Backup>>([&](BackupDone done) { DeleteBackup(backup_arn, std::move(done)); });
}

Result<Backup> TableStore::DescribeBackup(const std::string& backup_arn) const {
  STREAMSTACK_ASSIGN_OR_RETURN(Backup backup, impl_->FindBackup(backup_arn));
  backup.backup_arn = backup_arn;  // as named (DDB-BACKUP-012)
  return backup;
}

Result<Backup> TableStore::Impl::FindBackup(const std::string& backup_arn) const {
  return store.Read(
      [&](storage::Database& db) { return LoadBackup(db, scope, backup_arn, nullptr); });
}

Result<ListBackupsResult> TableStore::ListBackups(const ListBackupsRequest& request) const {
  if (request.lower_ms && request.upper_ms && *request.lower_ms > *request.upper_ms) {
    // AWS's text (recorded, ack-api-quirks DDB-TABLE-442).
    return InvalidParameters("Time range lower bound must be less than or equal to upper bound");
  }
  ListBackupsResult out;
  const auto type_filter = StoredTypeFilter(request.backup_type);
  if (!type_filter) return out;
  int64_t after_ms = INT64_MIN;
  std::string after_arn;
  if (request.exclusive_start_backup_arn) {
    // An ARN of another region (recorded text, ack-api-quirks DDB-TABLE-442).
    const std::string& start = *request.exclusive_start_backup_arn;
    if (auto region = ArnRegion(start); region && *region != impl_->scope.region) {
      return InvalidRequest("The supplied ExclusiveStartBackupArn does not match the region");
    }
    if (auto t = BackupArnTime(start)) {
      after_ms = *t;
      after_arn = *request.exclusive_start_backup_arn;
    }
  }
  const int64_t limit = request.limit.value_or(-1);
  Status st = impl_->store.Read([&](storage::Database& db) -> Status {
    auto& stmt = db.Prepare(sql::kListBackups);
    stmt.Bind(1, after_ms);
    stmt.Bind(2, after_arn);
    stmt.Bind(3, request.lower_ms.value_or(INT64_MIN));
    stmt.Bind(4, request.upper_ms.value_or(INT64_MAX));
    if (request.table_name) {
      stmt.Bind(5, *request.table_name);
    } else {
      stmt.Bind(5, nullptr);
    }
    stmt.Bind(6, limit < 0 ? int64_t{-1} : limit + 1);  // one more: is there a next page?
    if (*type_filter) {
      stmt.Bind(7, **type_filter);
    } else {
      stmt.Bind(7, nullptr);
    }
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) break;
      STREAMSTACK_ASSIGN_OR_RETURN(Backup b, ReadBackupRow(stmt, nullptr));
      out.backups.push_back(std::move(b));
    }
    return Status::Ok();
  });
  STREAMSTACK_RETURN_IF_ERROR(st);
  if (limit >= 0 && static_cast<int64_t>(out.backups.size()) > limit) {
    out.backups.resize(static_cast<size_t>(limit));
    out.last_evaluated_backup_arn = out.backups.back().backup_arn;
  }
  return out;
}

// --- Restores ----------------------------------------------------------------------------------

Status TableStore::Impl::CheckRestoreTarget(const std::string& name) const {
  std::optional<TableTransition> under_way = TransitionOf(name);
  if (under_way && under_way->RestoreUnderWay()) {
    return TableInUse(name, *under_way);  // recorded, DDB-TABLE-219
  }
  // A name still DELETING is a table that exists, to a restore (recorded, ack-api-quirks
  // DDB-TABLE-100, -275).
  if (under_way && under_way->status == TableStatus::kDeleting) return TableAlreadyExists(name);
  if (FindDefinition(name)) return TableAlreadyExists(name);
  // A CreateTable's table, not published yet.
  if (under_way) return ResourceInUse(name, TableStatus::kCreating);
  return Status::Ok();
}

Status TableStore::Impl::CheckConcurrentRestores() const {
  constexpr int kMaxConcurrentRestores = 50;
  int restoring = 0;
  {
    ReaderLock lock(mu);
    for (const auto& [name, under_way] : transitions) {
      std::optional<TableTransition> t = LiveTransition(name);
      if (t && t->RestoreUnderWay()) ++restoring;
    }
  }
  if (restoring < kMaxConcurrentRestores) return Status::Ok();
  return Status(AwsError::kLimitExceeded, "Subscriber limit exceeded: Only " +
                                              std::to_string(kMaxConcurrentRestores) +
                                              " restore operations can be done simultaneously");
}

void TableStore::Impl::Restore(std::shared_ptr<TableDefinition> def, RestoreSource source,
                               DescriptionDone done) {
  Impl& impl = *this;
  auto transition = std::make_shared<uint64_t>(0);  // begun by the job
  store.Write(
      [&impl, def, source, transition](storage::WriteContext& ctx) -> Status {
        // Judged again as the writer holds the names now (a restore or CreateTable queued
        // just before).
        STREAMSTACK_RETURN_IF_ERROR(impl.CheckRestoreTarget(def->name));
        // The source as the writer holds it now (it may have gone since the request).
        int64_t backup_id = 0;
        if (!source.backup_arn.empty()) {
          STREAMSTACK_RETURN_IF_ERROR(
              LoadBackup(ctx.db(), impl.scope, source.backup_arn, &backup_id).status());
          // After the target's name: a second identical request is TableInUseException
          // (recorded, DDB-TABLE-463), another target's BackupInUseException (DDB-BACKUP-010).
          if (impl.RestoreFromBackup(source.backup_arn)) {
            return BackupInUse("Backup is being used to restore another table: " +
                               source.backup_arn);
          }
        } else {
          auto table = impl.live.find(source.table_id);
          if (table == impl.live.end()) return TableNotFound(source.table_name);
          if (!table->second->pitr_enabled) {
            return PointInTimeRecoveryUnavailable(source.table_name);
          }
        }
        STREAMSTACK_RETURN_IF_ERROR(impl.CheckConcurrentRestores());
        STREAMSTACK_RETURN_IF_ERROR(CheckAccountCapacity(
            impl.ReservedCapacity(), dynamodb::ReservedCapacity(*def), impl.scope.region));
        STREAMSTACK_ASSIGN_OR_RETURN(
            *transition, impl.BeginTransition(def->name, Restoring(source.backup_arn,
                                                                   def->restore_source_table_arn)));
        STREAMSTACK_RETURN_IF_ERROR(impl.InsertTable(ctx, *def, std::nullopt, {}));
        storage::Database& db = ctx.db();
        auto& copy =
            db.Prepare(backup_id != 0 ? sql::kCopyBackupItemsToTable : sql::kCopyItemsToTable);
        copy.Bind(1, def->table_id);
        copy.Bind(2, backup_id != 0 ? backup_id : source.table_id);
        STREAMSTACK_RETURN_IF_ERROR(copy.Run());
        if (backup_id == 0) {
          // Undo, newest first, every change after the restore's instant: each key ends as
          // it was before the oldest of its changes after that instant.
          auto& history = db.Prepare(sql::kSelectHistoryAfter);
          history.Bind(1, source.table_id);
          history.Bind(2, source.restore_ms);
          while (true) {
            STREAMSTACK_ASSIGN_OR_RETURN(bool found, history.Step());
            if (!found) break;
            const bool existed = !history.ColumnIsNull(2);
            auto& undo = db.Prepare(existed ? sql::kRestoreItem : sql::kDeleteItem);
            undo.Bind(1, def->table_id);
            undo.Bind(2, history.ColumnBlob(0));
            undo.Bind(3, history.ColumnBlob(1));
            if (existed) {
              undo.Bind(4, history.ColumnText(2));
              undo.Bind(5, history.ColumnInt64(3));
            }
            STREAMSTACK_RETURN_IF_ERROR(undo.Run());
          }
        }
        auto& recount = db.Prepare(sql::kRecountTableStats);
        recount.Bind(1, def->table_id);
        STREAMSTACK_RETURN_IF_ERROR(recount.Run());
        for (const IndexSchema& index : IndexSchemasOf(*def)) {
          STREAMSTACK_RETURN_IF_ERROR(BackfillIndex(db, *def, index));
        }
        impl.Replace(ctx, def);
        return Status::Ok();
      },
      [&impl, def, transition, done = std::move(done)](Status st) {
        if (!st.ok()) {
          if (*transition != 0) impl.AbandonTransition(def->name, *transition);
          return done(st);
        }
        impl.EndTransition(def->name, *transition, [](TableTransition&) {});
        TableDescription d;
        d.definition = def;
        d.status = TableStatus::kCreating;  // RestoreInProgress until ACTIVE
        done(std::move(d));
      },
      kDoneOffWriter);
}

void TableStore::RestoreTableFromBackup(RestoreTableFromBackupRequest request,
                                        DescriptionDone done) {
  Impl& impl = *impl_;
  auto backup = impl.FindBackup(request.backup_arn);  // its own ARN, however it is named
  if (!backup.ok()) return done(backup.status());
  Status target_free = impl.CheckRestoreTarget(request.target_table_name);
  if (!target_free.ok()) return done(target_free);
  const int64_t now = impl.clock.NowMillis();
  auto plan = PlanRestoredTable(*backup->source, request.target_table_name, request.overrides,
                                impl.scope, now);
  if (!plan.ok()) return done(plan.status());
  std::shared_ptr<TableDefinition> def = std::move(plan->definition);
  def->restore_source_backup_arn = backup->backup_arn;
  def->restore_source_table_arn = backup->source->arn;
  def->restore_ms = backup->created_ms;
  Impl::RestoreSource source;
  source.backup_arn = backup->backup_arn;
  impl.Restore(std::move(def), std::move(source), std::move(done));
}

Result<TableDescription> TableStore::RestoreTableFromBackup(
    const RestoreTableFromBackupRequest& request) {
  return Wait<Result<TableDescription>>([&](DescriptionDone done) {
    RestoreTableFromBackup(RestoreTableFromBackupRequest(request), std::move(done));
  });
}

void TableStore::RestoreTableToPointInTime(RestoreTableToPointInTimeRequest request,
                                           DescriptionDone done) {
  Impl& impl = *impl_;
  // AWS's texts for these request rules are recorded (ack-api-quirks DDB-TABLE-442; no
  // source at all, DDB-TABLE-272).
  if (!request.source_table_arn && !request.source_table_name) {
    return done(ValidationError(
        "The parameter 'TableName' is required but was not present in the request"));
  }
  if (request.source_table_arn && request.source_table_name) {
    return done(InvalidRequest("Must provide exactly one of: sourceTableArn, sourceTableName"));
  }
  if (request.use_latest_restorable_time == request.restore_ms.has_value()) {
    return done(InvalidRequest(
        "Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not "
        "both"));
  }
  std::string source_name;
  if (request.source_table_arn) {
    auto name = ResolveSourceTableArn(impl.scope, *request.source_table_arn);
    if (!name.ok()) return done(name.status());
    source_name = *name;
  } else if (request.source_table_name) {
    auto name = ResolveTableName(impl.scope, *request.source_table_name);
    if (!name.ok()) return done(name.status());
    source_name = *name;
  }
  auto def = impl.Find(source_name);
  if (!def) return done(TableNotFound(source_name));
  if (!def->pitr_enabled) return done(PointInTimeRecoveryUnavailable(source_name));
  // The time before the target's name (recorded, DDB-TABLE-100).
  const int64_t now = impl.clock.NowMillis();
  const RecoveryWindow window = WindowOf(*def, now);
  int64_t restore_ms = window.latest_ms;
  if (!request.use_latest_restorable_time) {
    restore_ms = *request.restore_ms;
    if (restore_ms < window.earliest_ms || restore_ms > window.latest_ms) {
      return done(InvalidRestoreTime(restore_ms, window.earliest_ms, window.latest_ms));
    }
  }
  Status target_free = impl.CheckRestoreTarget(request.target_table_name);
  if (!target_free.ok()) return done(target_free);
  auto plan =
      PlanRestoredTable(*def, request.target_table_name, request.overrides, impl.scope, now);
  if (!plan.ok()) return done(plan.status());
  std::shared_ptr<TableDefinition> target = std::move(plan->definition);
  target->restore_source_table_arn = def->arn;
  target->restore_ms = restore_ms;
  Impl::RestoreSource source;
  source.table_id = def->table_id;
  source.table_name = def->name;
  source.restore_ms = restore_ms;
  impl.Restore(std::move(target), std::move(source), std::move(done));
}

Result<TableDescription> TableStore::RestoreTableToPointInTime(
    const RestoreTableToPointInTimeRequest& request) {
  return Wait<Result<TableDescription>>([&](DescriptionDone done) {
    RestoreTableToPointInTime(RestoreTableToPointInTimeRequest(request), std::move(done));
  });
}

// --- Point-in-time recovery --------------------------------------------------------------------

void TableStore::UpdateContinuousBackups(std::string table_name,
                                         PointInTimeRecoverySpecification spec,
                                         ContinuousBackupsDone done) {
  if (!spec.enabled && spec.recovery_period_in_days) {
    // AWS's text (recorded, ack-api-quirks DDB-TABLE-442).
    return done(InvalidRequest(
        "Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."));
  }
  Impl& impl = *impl_;
  Status enabled = CheckBackupsEnabled(impl.TransitionOf(table_name), table_name);
  if (!enabled.ok()) return done(enabled);
  auto current = impl.Find(table_name);
  if (!current) return done(TableNotFound(table_name));
  auto answer = std::make_shared<ContinuousBackupsDescription>();
  impl.store.Write(
      [&impl, table_id = current->table_id, table_name, spec,
       answer](storage::WriteContext& ctx) -> Status {
        auto live = impl.live.find(table_id);
        if (live == impl.live.end()) return TableNotFound(table_name);
        auto def = std::make_shared<TableDefinition>(*live->second);
        const int64_t now = impl.clock.NowMillis();
        if (spec.enabled) {
          // Enabling an enabled table keeps its history and window; only the period changes.
          if (!def->pitr_enabled) def->pitr_enabled_ms = now;
          def->pitr_enabled = true;
          def->pitr_recovery_period_days = spec.recovery_period_in_days.value_or(35);
        } else {
          def->pitr_enabled = false;
          def->pitr_enabled_ms = 0;
          def->pitr_recovery_period_days = 35;
          auto& drop = ctx.db().Prepare(sql::kDeleteTableHistory);
          drop.Bind(1, table_id);
          STREAMSTACK_RETURN_IF_ERROR(drop.Run());
        }
        STREAMSTACK_RETURN_IF_ERROR(Impl::StoreDefinition(ctx.db(), *def));
        *answer = DescribeRecovery(*def, now);
        impl.Replace(ctx, std::move(def));
        return Status::Ok();
      },
      [answer, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(*answer);
      },
      kDoneOffWriter);
}

Result<ContinuousBackupsDescription> TableStore::UpdateContinuousBackups(
    const std::string& table_name, const PointInTimeRecoverySpecification& spec) {
  return Wait<Result<ContinuousBackupsDescription>>([&](ContinuousBackupsDone done) {
    UpdateContinuousBackups(table_name, spec, std::move(done));
  });
}

Result<ContinuousBackupsDescription> TableStore::DescribeContinuousBackups(
    const std::string& table_name) const {
  auto def = impl_->Find(table_name);
  if (!def) return TableNotFound(table_name);
  return DescribeRecovery(*def, impl_->clock.NowMillis());
}

Result<int64_t> TableStore::PruneRecoveryHistory() {
  Impl& impl = *impl_;
  int64_t pruned = 0;
  Status st = impl.store.WriteSync([&impl, &pruned](storage::WriteContext& ctx) -> Status {
    const int64_t now = impl.clock.NowMillis();
    for (const auto& [table_id, def] : impl.live) {
      if (!def->pitr_enabled) continue;
      // Entries at or after the window's start are what a restore to it undoes.
      auto& prune = ctx.db().Prepare(sql::kPruneHistory);
      prune.Bind(1, table_id);
      prune.Bind(2, now - def->pitr_recovery_period_days * kDayMs);
      STREAMSTACK_RETURN_IF_ERROR(prune.Run());
      pruned += ctx.db().Changes();
    }
    return Status::Ok();
  });
  STREAMSTACK_RETURN_IF_ERROR(st);
  return pruned;
}

Result<int64_t> TableStore::DeleteExpiredBackups() {
  Impl& impl = *impl_;
  int64_t deleted = 0;
  Status st = impl.store.WriteSync([&impl, &deleted](storage::WriteContext& ctx) -> Status {
    deleted = 0;
    std::vector<int64_t> expired;
    auto& select = ctx.db().Prepare(sql::kSelectExpiredBackups);
    select.Bind(1, impl.clock.NowMillis());
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(bool found, select.Step());
      if (!found) break;
      expired.push_back(select.ColumnInt64(0));
    }
    select.Reset();
    for (int64_t backup_id : expired) {
      STREAMSTACK_RETURN_IF_ERROR(DeleteBackupRows(ctx.db(), backup_id));
    }
    deleted = static_cast<int64_t>(expired.size());
    return Status::Ok();
  });
  STREAMSTACK_RETURN_IF_ERROR(st);
  return deleted;
}

}  // namespace streamstack::dynamodb
