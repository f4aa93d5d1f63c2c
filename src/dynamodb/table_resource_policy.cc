// TableStore's resource-based policies: PutResourcePolicy, GetResourcePolicy and
// DeleteResourcePolicy on a table or one of its streams. Stored and answered as AWS does (the
// policy is not enforced). Each change is one write job; its `done` runs on the storage
// completion thread.
//
// AWS's texts (PolicyNotFoundException) as moto gives them; AWS's documentation gives the
// rules: the same document put again keeps its RevisionId, an ExpectedRevisionId that does
// not match (or "NO_POLICY" while one exists) is PolicyNotFoundException, DeleteResourcePolicy
// without a policy succeeds with no RevisionId unless an ExpectedRevisionId was given. The
// document's own checks and the form it is kept in: resource_policy_document.h.
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dynamodb/item_key.h"
#include "dynamodb/resource_policy_document.h"
#include "dynamodb/table_sql.h"
#include "dynamodb/table_store_impl.h"
#include "streamstack/common/ids.h"
#include "streamstack/dynamodb/table_arn.h"

namespace streamstack::dynamodb {
namespace {

constexpr char kNoPolicy[] = "NO_POLICY";

Status PolicyNotFound(const std::string& detail) {
  return Status(AwsError::kPolicyNotFound,
                "Resource-based policy not found for the provided ResourceArn: " + detail);
}

// The table (and its id) a ResourceArn names: the table itself, or one of its streams (the
// latest one: an older stream's ARN is not found).
struct PolicyTarget {
  std::string arn;
  std::string table_name;
  int64_t table_id = 0;
  // The table is DELETING: AWS still answers its policy and refuses a change of it (recorded,
  // ack-api-quirks DDB-TABLE-236), from the policies it had (null until its write is done,
  // when storage still has them).
  bool being_deleted = false;
  std::shared_ptr<const TableTransition::Policies> deleted_policies;
};

// The label of a stream's ARN ("arn:...:table/<t>/stream/<label>"); nullopt for a table's.
std::optional<std::string> StreamLabel(const std::string& arn) {
  const size_t at = arn.find("/stream/");
  if (at == std::string::npos) return std::nullopt;
  return arn.substr(at + 8);
}

// A stream ARN whose label is not the table's stream (recorded, ack-api-quirks DDB-TABLE-446:
// "Requested resource not found: Stream: <label> not found for Table: <table>").
Status StreamNotFound(const std::string& arn, const std::string& table_name) {
  return Status(AwsError::kResourceNotFound,
                "Requested resource not found: Stream: " + StreamLabel(arn).value_or(arn) +
                    " not found for Table: " + table_name);
}

// A template over TableStore's private Impl (only its members are named): the table by
// name, whatever its status, also one DELETING whose write is done (as its description
// keeps it). A missing table is named as the table operations name it, not by its ARN as the
// tagging operations do (recorded, ack-api-quirks DDB-TABLE-446).
template <typename Impl>
Result<PolicyTarget> FindPolicyTarget(const Impl& impl, const std::string& arn) {
  STREAMSTACK_ASSIGN_OR_RETURN(
      ResourceArnTarget target,
      ResolveResourceArn(impl.scope, arn, ResourceArnUse::kResourcePolicy));
  const std::optional<TableTransition> under_way = impl.TransitionOf(target.table_name);
  const bool deleting = under_way && under_way->status == TableStatus::kDeleting;
  std::shared_ptr<const TableDefinition> def = deleting && under_way->deleted
                                                   ? under_way->deleted->definition
                                                   : impl.FindDefinition(target.table_name);
  // A restore's target is not there yet (recorded, ack-api-quirks DDB-TABLE-217).
  if (!def || (under_way && under_way->RestoreUnderWay())) {
    return TableResourceNotFound(target.table_name);
  }
  if (target.is_stream && (def->latest_stream_arn.empty() || def->latest_stream_arn != arn)) {
    return StreamNotFound(arn, def->name);
  }
  return PolicyTarget{arn, def->name, def->table_id, deleting,
                      deleting ? under_way->deleted_policies : nullptr};
}

// A change of the policy of a table being deleted (recorded for a Put of another document and
// for a Delete, ack-api-quirks DDB-TABLE-236, -374; AWS also takes the same document put again
// in the first 1.6 s, and answers ResourceNotFoundException in the last second or so).
Status TableBeingDeleted(const PolicyTarget& target) {
  return ResourceInUse(target.table_name, TableStatus::kDeleting);
}

Result<std::optional<TableStore::ResourcePolicy>> LoadPolicy(storage::Database& db,
                                                             const std::string& arn) {
  auto& stmt = db.Prepare(sql::kSelectResourcePolicy);
  stmt.Bind(1, arn);
  STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
  std::optional<TableStore::ResourcePolicy> policy;
  if (found) {
    policy = TableStore::ResourcePolicy{std::string(stmt.ColumnText(0)),
                                        std::string(stmt.ColumnText(1))};
  }
  stmt.Reset();
  return policy;
}

Status RevisionMismatch(const PolicyTarget& target, const std::string& expected,
                        const TableStore::ResourcePolicy& current) {
  return PolicyNotFound("Requested update for policy with revision id " + expected +
                        ", but the policy associated to target table " + target.table_name +
                        " has revision id " + current.revision_id + ".");
}

// AWS's refusal of a conditional change whose ExpectedRevisionId does not hold: "NO_POLICY"
// (a put only) while a policy exists, no policy, or another RevisionId.
Status CheckExpectedRevision(const PolicyTarget& target,
                             const std::optional<TableStore::ResourcePolicy>& current,
                             const std::optional<std::string>& expected, bool putting) {
  if (!expected) return Status::Ok();
  if (putting && *expected == kNoPolicy) {
    if (!current) return Status::Ok();
    return PolicyNotFound("Requested policy update expecting none to be present for table " +
                          target.table_name + ", but a policy exists with revision id " +
                          current->revision_id + ".");
  }
  if (!current) return PolicyNotFound(target.arn);
  if (current->revision_id != *expected) return RevisionMismatch(target, *expected, *current);
  return Status::Ok();
}

// A RevisionId: the time of the change in milliseconds, greater than the one it replaces.
// The time a RevisionId of ours carries; nullopt for another (cannot happen).
std::optional<int64_t> RevisionMillis(const std::string& revision_id) {
  try {
    return std::stoll(revision_id);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string NextRevisionId(int64_t now_ms, const std::optional<TableStore::ResourcePolicy>& old) {
  int64_t id = now_ms;
  if (old) {
    if (auto previous = RevisionMillis(old->revision_id)) id = std::max(id, *previous + 1);
  }
  return std::to_string(id);
}

// A policy is not changed again (a Put of another document, a Delete) within 15 seconds of
// its last change, its RevisionId's time: ThrottlingException "Resource-based policy for table
// <t> modified within the previous 15000 milliseconds. Please try again after <RevisionId +
// 15000 ms>." (recorded, ack-api-quirks DDB-TABLE-445 and the resource-policy probes,
// 2026-10-09; a stream's policy names "stream <label>", whose full text is not recorded).
// AWS also answers ResourceInUseException for the first second or two ("Table <t> is pending
// previous resource-based policy update"); this server does not, as that window is the time
// its change takes to apply there.
Status CheckPolicyCooldown(const PolicyTarget& target,
                           const std::optional<TableStore::ResourcePolicy>& current,
                           int64_t now_ms) {
  constexpr int64_t kCooldownMs = 15000;
  const std::optional<int64_t> changed_ms =
      current ? RevisionMillis(current->revision_id) : std::nullopt;
  if (!changed_ms || now_ms >= *changed_ms + kCooldownMs) return Status::Ok();
  const auto stream = StreamLabel(target.arn);
  const std::string subject = stream ? "stream " + *stream : "table " + target.table_name;
  return Status(AwsError::kThrottling,
                "Resource-based policy for " + subject + " modified within the previous " +
                    std::to_string(kCooldownMs) + " milliseconds. Please try again after " +
                    FormatIso8601Millis(*changed_ms + kCooldownMs) + ".");
}

Status UpsertPolicy(storage::Database& db, const PolicyTarget& target, const std::string& policy,
                    const std::string& revision) {
  auto& upsert = db.Prepare(sql::kUpsertResourcePolicy);
  upsert.Bind(1, target.arn);
  upsert.Bind(2, target.table_id);
  upsert.Bind(3, policy);
  upsert.Bind(4, revision);
  return upsert.Run();
}

}  // namespace

Result<TableTransition::Policies> TableStore::Impl::LoadPoliciesOfTable(storage::Database& db,
                                                                        int64_t table_id) {
  auto& stmt = db.Prepare(sql::kSelectTableResourcePolicies);
  stmt.Bind(1, table_id);
  TableTransition::Policies policies;
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    policies.emplace(
        std::string(stmt.ColumnText(0)),
        ResourcePolicy{std::string(stmt.ColumnText(1)), std::string(stmt.ColumnText(2))});
  }
  stmt.Reset();
  return policies;
}

Status TableStore::Impl::AttachPolicyOfNewTable(storage::WriteContext& ctx,
                                                const TableDefinition& def,
                                                const std::string& policy) {
  return UpsertPolicy(ctx.db(), PolicyTarget{def.arn, def.name, def.table_id, false, nullptr},
                      policy, NextRevisionId(clock.NowMillis(), std::nullopt));
}

namespace {

// A change refused while the one before it is pending (--table-status-delay-ms; recorded,
// ack-api-quirks' policy revision findings and the catalogue DDB-TABLE-444).
Status PendingPolicyUpdate(const PolicyTarget& target) {
  if (auto label = StreamLabel(target.arn)) {
    return StillInUse("Stream is pending previous resource-based policy update: " + *label);
  }
  return StillInUse("Table is pending previous resource-based policy update: " + target.table_name);
}

// What a policy change did: the RevisionId to answer ("" for none), and whether it changed
// the policy (an equivalent put, or a delete without a policy, changes nothing).
struct PolicyOutcome {
  std::string revision_id;
  bool changed = false;
};

// A policy change as its write job decides it, from the stored policy (nullopt: none), the
// time and whether a change before it is pending (`pending`: the refusal, or Ok): it writes
// what it changes.
using PolicyChange = std::function<Result<PolicyOutcome>(
    storage::Database&, const PolicyTarget&, const std::optional<TableStore::ResourcePolicy>&,
    int64_t now_ms, const Status& pending)>;

// Put and Delete alike: one write job that finds the table still there, loads its policy,
// checks ExpectedRevisionId (before a pending change, as AWS: recorded) and makes the change,
// which a reader sees only once it is no longer pending; `done` hears the RevisionId on the
// storage completion thread. A template over TableStore's private Impl, as FindPolicyTarget.
template <typename Impl>
void WritePolicyChange(Impl& impl, PolicyTarget target, std::optional<std::string> expected,
                       bool putting, PolicyChange change, TableStore::RevisionDone done) {
  auto revision = std::make_shared<std::string>();
  impl.store.Write(
      [&impl, target = std::move(target), expected = std::move(expected), putting,
       change = std::move(change), revision](storage::WriteContext& ctx) -> Status {
        if (!impl.live.contains(target.table_id)) {
          // Deleted since the request was judged: refused as while DELETING, if it still is.
          auto under_way = impl.TransitionOf(target.table_name);
          return under_way && under_way->status == TableStatus::kDeleting
                     ? TableBeingDeleted(target)
                     : TableResourceNotFound(target.table_name);
        }
        STREAMSTACK_ASSIGN_OR_RETURN(auto current, LoadPolicy(ctx.db(), target.arn));
        STREAMSTACK_RETURN_IF_ERROR(CheckExpectedRevision(target, current, expected, putting));
        const Status pending = impl.PolicyPending(target.table_id, target.arn)
                                   ? PendingPolicyUpdate(target)
                                   : Status::Ok();
        STREAMSTACK_ASSIGN_OR_RETURN(
            PolicyOutcome outcome,
            change(ctx.db(), target, current, impl.clock.NowMillis(), pending));
        if (outcome.changed) impl.HoldPolicy(target.table_id, target.arn, std::move(current));
        *revision = std::move(outcome.revision_id);
        return Status::Ok();
      },
      [revision, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(std::move(*revision));
      },
      kDoneOffWriter);
}

}  // namespace

void TableStore::PutResourcePolicy(std::string resource_arn, std::string policy,
                                   std::optional<std::string> expected_revision_id,
                                   RevisionDone done) {
  auto found = FindPolicyTarget(*impl_, resource_arn);
  if (!found.ok()) return done(found.status());
  if (found->being_deleted) return done(TableBeingDeleted(*found));
  const PolicyResource resource =
      StreamLabel(found->arn) ? PolicyResource::kStream : PolicyResource::kTable;
  auto kept = CheckPolicyDocument(policy, resource);
  if (!kept.ok()) return done(kept.status());
  WritePolicyChange(
      *impl_, std::move(found).value(), std::move(expected_revision_id), /*putting=*/true,
      [policy = std::move(kept).value()](storage::Database& db, const PolicyTarget& target,
                                         const std::optional<ResourcePolicy>& current,
                                         int64_t now_ms,
                                         const Status& pending) -> Result<PolicyOutcome> {
        // Idempotent on the kept form: whitespace, key order, a one-element list or an
        // account id for its root ARN change nothing (recorded, DDB-TABLE-207).
        if (current && KeptPolicyDocument(current->policy) == policy) {
          return PolicyOutcome{current->revision_id, false};
        }
        STREAMSTACK_RETURN_IF_ERROR(pending);
        STREAMSTACK_RETURN_IF_ERROR(CheckPolicyCooldown(target, current, now_ms));
        std::string revision = NextRevisionId(now_ms, current);
        STREAMSTACK_RETURN_IF_ERROR(UpsertPolicy(db, target, policy, revision));
        return PolicyOutcome{revision, true};
      },
      std::move(done));
}

void TableStore::DeleteResourcePolicy(std::string resource_arn,
                                      std::optional<std::string> expected_revision_id,
                                      RevisionDone done) {
  auto found = FindPolicyTarget(*impl_, resource_arn);
  if (!found.ok()) return done(found.status());
  if (found->being_deleted) return done(TableBeingDeleted(*found));
  WritePolicyChange(
      *impl_, std::move(found).value(), std::move(expected_revision_id), /*putting=*/false,
      [](storage::Database& db, const PolicyTarget& target,
         const std::optional<ResourcePolicy>& current, int64_t now_ms,
         const Status& pending) -> Result<PolicyOutcome> {
        if (!current) return PolicyOutcome{};  // idempotent: nothing to delete, no RevisionId
        STREAMSTACK_RETURN_IF_ERROR(pending);
        STREAMSTACK_RETURN_IF_ERROR(CheckPolicyCooldown(target, current, now_ms));
        auto& del = db.Prepare(sql::kDeleteResourcePolicy);
        del.Bind(1, target.arn);
        STREAMSTACK_RETURN_IF_ERROR(del.Run());
        return PolicyOutcome{current->revision_id, true};
      },
      std::move(done));
}

std::optional<std::optional<TableStore::ResourcePolicy>> TableStore::Impl::PolicyPending(
    int64_t table_id, const std::string& arn) const {
  ReaderLock lock(mu);
  return policies_pending.Before({table_id, arn}, clock.NowMillis());
}

void TableStore::Impl::HoldPolicy(int64_t table_id, const std::string& arn,
                                  std::optional<ResourcePolicy> before) {
  if (status_delay_ms == 0) return;
  const int64_t now_ms = clock.NowMillis();
  WriterLock lock(mu);
  policies_pending.Hold({table_id, arn}, std::move(before), now_ms + status_delay_ms, now_ms);
}

Result<TableStore::ResourcePolicy> TableStore::GetResourcePolicy(
    const std::string& resource_arn) const {
  STREAMSTACK_ASSIGN_OR_RETURN(PolicyTarget target, FindPolicyTarget(*impl_, resource_arn));
  // A pending change is not readable yet: the policy before it (recorded).
  std::optional<ResourcePolicy> policy;
  if (target.deleted_policies) {  // DELETING, gone from storage: as it was
    auto it = target.deleted_policies->find(target.arn);
    if (it != target.deleted_policies->end()) policy = it->second;
  } else if (auto before = impl_->PolicyPending(target.table_id, target.arn)) {
    policy = std::move(*before);
  } else {
    STREAMSTACK_ASSIGN_OR_RETURN(policy, impl_->store.Read([&](storage::Database& db) {
      return LoadPolicy(db, target.arn);
    }));
  }
  if (!policy) return PolicyNotFound(target.arn);
  return ResourcePolicy{PolicyDocumentAsRead(policy->policy), policy->revision_id};
}

}  // namespace streamstack::dynamodb
