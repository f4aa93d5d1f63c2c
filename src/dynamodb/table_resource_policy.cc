// TableStore's resource-based policies: PutResourcePolicy, GetResourcePolicy and
// DeleteResourcePolicy on a table or one of its streams. Stored and answered as AWS does (the
// policy is not enforced). Each change is one write job; its `done` runs on the storage
// completion thread.
//
// AWS's texts (PolicyNotFoundException) as moto gives them; AWS's documentation gives the
// rules: the same document put again keeps its RevisionId, an ExpectedRevisionId that does
// not match (or "NO_POLICY" while one exists) is PolicyNotFoundException, DeleteResourcePolicy
// without a policy succeeds with no RevisionId unless an ExpectedRevisionId was given.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "dynamodb/item_key.h"
#include "dynamodb/table_sql.h"
#include "dynamodb/table_store_impl.h"
#include "streamstack/common/ids.h"
#include "streamstack/dynamodb/table_arn.h"

namespace streamstack::dynamodb {
namespace {

// AWS: "The maximum size supported for a resource-based policy document is 20 KB. DynamoDB
// counts whitespaces when calculating the size of a policy against this limit."
constexpr size_t kMaxPolicyBytes = 20 * 1024;
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
// name, whatever its status. A missing table is named as the table operations name it, not
// by its ARN as the tagging operations do (recorded, ack-api-quirks DDB-TABLE-446).
template <typename Impl>
Result<PolicyTarget> FindPolicyTarget(const Impl& impl, const std::string& arn) {
  STREAMSTACK_ASSIGN_OR_RETURN(
      ResourceArnTarget target,
      ResolveResourceArn(impl.scope, arn, ResourceArnUse::kResourcePolicy));
  auto def = impl.FindDefinition(target.table_name);
  if (!def) return TableResourceNotFound(target.table_name);
  if (target.is_stream && (def->latest_stream_arn.empty() || def->latest_stream_arn != arn)) {
    return StreamNotFound(arn, def->name);
  }
  return PolicyTarget{arn, def->name, def->table_id};
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

// The document itself, as AWS's policy validator answers it (recorded answers, ack-api-quirks
// DDB-TABLE-457 and the catalogue DDB-TABLE-442): at most 20 KB ("Maximum policy size of
// 20480 bytes exceeded"), JSON, an object, a non-empty Statement, each statement with an
// Effect and a Resource, Sids unique. Assumed, not recorded: a scalar other than null is "not
// a policy" like null, and a missing Statement is "Missing required field Statement" (IAM's
// and S3's words for it).
Status ValidatePolicyDocument(const std::string& policy) {
  if (policy.size() > kMaxPolicyBytes) {
    return InvalidParameters("Maximum policy size of " + std::to_string(kMaxPolicyBytes) +
                             " bytes exceeded");
  }
  auto invalid = [](const std::string& why) {
    return InvalidParameters("Invalid policy document: " + why);
  };
  auto parsed = nlohmann::json::parse(policy, nullptr, false);
  if (parsed.is_discarded() || parsed.is_array()) {
    return invalid("This policy contains invalid Json");
  }
  if (!parsed.is_object()) return invalid("This text appears not to be a policy");
  if (parsed.empty()) return invalid("Syntax error at position (1,3)");  // AWS's answer to {}
  auto statements = parsed.find("Statement");
  if (statements == parsed.end()) return invalid("Missing required field Statement");
  const nlohmann::json list =
      statements->is_array() ? *statements : nlohmann::json::array({*statements});
  if (list.empty()) return invalid("Could not parse the policy: Statement is empty!");
  std::set<std::string> sids;
  for (const auto& statement : list) {
    if (!statement.is_object() || !statement.contains("Effect")) {
      return invalid("Missing required field Effect");
    }
    if (!statement.contains("Resource")) return invalid("Missing required field Resource");
    auto sid = statement.find("Sid");
    if (sid != statement.end() && sid->is_string() &&
        !sids.insert(sid->get<std::string>()).second) {
      return invalid("The Statement Ids in the policy are not unique");
    }
  }
  return Status::Ok();
}

Status TableStore::Impl::AttachPolicyOfNewTable(storage::WriteContext& ctx,
                                                const TableDefinition& def,
                                                const std::string& policy) {
  return UpsertPolicy(ctx.db(), PolicyTarget{def.arn, def.name, def.table_id}, policy,
                      NextRevisionId(clock.NowMillis(), std::nullopt));
}

namespace {

// A policy change as its write job decides it, from the stored policy (nullopt: none) and the
// time: it writes what it changes and gives the RevisionId to answer ("" for none).
using PolicyChange = std::function<Result<std::string>(
    storage::Database&, const PolicyTarget&, const std::optional<TableStore::ResourcePolicy>&,
    int64_t now_ms)>;

// Put and Delete alike: one write job that finds the table still there, loads its policy,
// checks ExpectedRevisionId and makes the change; `done` hears the RevisionId on the storage
// completion thread. A template over TableStore's private Impl, as FindPolicyTarget.
template <typename Impl>
void WritePolicyChange(Impl& impl, PolicyTarget target, std::optional<std::string> expected,
                       bool putting, PolicyChange change, TableStore::RevisionDone done) {
  auto revision = std::make_shared<std::string>();
  impl.store.Write(
      [&impl, target = std::move(target), expected = std::move(expected), putting,
       change = std::move(change), revision](storage::WriteContext& ctx) -> Status {
        if (!impl.live.contains(target.table_id)) return TableResourceNotFound(target.table_name);
        STREAMSTACK_ASSIGN_OR_RETURN(auto current, LoadPolicy(ctx.db(), target.arn));
        STREAMSTACK_RETURN_IF_ERROR(CheckExpectedRevision(target, current, expected, putting));
        STREAMSTACK_ASSIGN_OR_RETURN(*revision,
                                     change(ctx.db(), target, current, impl.clock.NowMillis()));
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
  Status valid = ValidatePolicyDocument(policy);
  if (!valid.ok()) return done(valid);
  WritePolicyChange(
      *impl_, std::move(found).value(), std::move(expected_revision_id), /*putting=*/true,
      [policy = std::move(policy)](storage::Database& db, const PolicyTarget& target,
                                   const std::optional<ResourcePolicy>& current,
                                   int64_t now_ms) -> Result<std::string> {
        if (current && current->policy == policy) return current->revision_id;  // idempotent
        STREAMSTACK_RETURN_IF_ERROR(CheckPolicyCooldown(target, current, now_ms));
        std::string revision = NextRevisionId(now_ms, current);
        STREAMSTACK_RETURN_IF_ERROR(UpsertPolicy(db, target, policy, revision));
        return revision;
      },
      std::move(done));
}

void TableStore::DeleteResourcePolicy(std::string resource_arn,
                                      std::optional<std::string> expected_revision_id,
                                      RevisionDone done) {
  auto found = FindPolicyTarget(*impl_, resource_arn);
  if (!found.ok()) return done(found.status());
  WritePolicyChange(
      *impl_, std::move(found).value(), std::move(expected_revision_id), /*putting=*/false,
      [](storage::Database& db, const PolicyTarget& target,
         const std::optional<ResourcePolicy>& current, int64_t now_ms) -> Result<std::string> {
        if (!current) return std::string();  // idempotent: nothing to delete, no RevisionId
        STREAMSTACK_RETURN_IF_ERROR(CheckPolicyCooldown(target, current, now_ms));
        auto& del = db.Prepare(sql::kDeleteResourcePolicy);
        del.Bind(1, target.arn);
        STREAMSTACK_RETURN_IF_ERROR(del.Run());
        return current->revision_id;
      },
      std::move(done));
}

Result<TableStore::ResourcePolicy> TableStore::GetResourcePolicy(
    const std::string& resource_arn) const {
  STREAMSTACK_ASSIGN_OR_RETURN(PolicyTarget target, FindPolicyTarget(*impl_, resource_arn));
  STREAMSTACK_ASSIGN_OR_RETURN(auto policy, impl_->store.Read([&](storage::Database& db) {
    return LoadPolicy(db, target.arn);
  }));
  if (!policy) return PolicyNotFound(target.arn);
  return *policy;
}

}  // namespace streamstack::dynamodb
