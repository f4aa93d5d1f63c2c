// Functions: resource-based policies (AddPermission, RemovePermission, GetPolicy). Stored and
// answered as AWS words them; StreamStack does not enforce them (every caller may invoke).
// Answers follow AWS's recordings kept by LocalStack (TestLambdaPermissions).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "lambda/function_record.h"
#include "lambda/policy_record.h"
#include "lambda/qualified_settings.h"
#include "streamstack/lambda/function.h"

namespace streamstack::lambda {
namespace {

// Statements and policies keep AWS's member order (Sid, Effect, Principal, Action, ...).
using ordered_json = nlohmann::ordered_json;

constexpr const char* kSelectPolicy =
    "SELECT record FROM lambda_policies WHERE name = ? AND qualifier = ?";
constexpr const char* kUpsertPolicy =
    "INSERT INTO lambda_policies (name, qualifier, record) VALUES (?, ?, ?) "
    "ON CONFLICT (name, qualifier) DO UPDATE SET record = excluded.record";
constexpr const char* kGetApi = "GetPolicy";  // named in AWS's PreconditionFailed message
constexpr const char* kDeletePolicy =
    "DELETE FROM lambda_policies WHERE name = ? AND qualifier = ?";

Status NoSuchResource() {
  return Status(AwsError::kResourceNotFound, "The resource you requested does not exist.");
}

bool IsAccountId(std::string_view s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The statement's Principal as AWS writes it: "*", an account's root, an IAM ARN, or a
// service. Anything else AWS refuses.
Result<ordered_json> PrincipalOf(const std::string& principal) {
  if (principal == "*") return ordered_json("*");
  if (IsAccountId(principal)) {
    return ordered_json{{"AWS", "arn:aws:iam::" + principal + ":root"}};
  }
  if (principal.starts_with("arn:")) return ordered_json{{"AWS", principal}};
  if (principal.ends_with(".amazonaws.com") || principal.ends_with(".amazon.com")) {
    return ordered_json{{"Service", principal}};
  }
  return Status(AwsError::kInvalidParameterValue,
                "The provided principal was invalid. Please check the principal and try again.");
}

ordered_json Statement(const PermissionInput& in, ordered_json principal,
                       const std::string& resource) {
  ordered_json s = {{"Sid", in.statement_id},
                    {"Effect", "Allow"},
                    {"Principal", std::move(principal)},
                    {"Action", in.action},
                    {"Resource", resource}};
  ordered_json equals = ordered_json::object();
  if (!in.source_account.empty()) equals["AWS:SourceAccount"] = in.source_account;
  if (!in.function_url_auth_type.empty()) {
    equals["lambda:FunctionUrlAuthType"] = in.function_url_auth_type;
  }
  if (!in.principal_org_id.empty()) equals["aws:PrincipalOrgID"] = in.principal_org_id;
  if (!in.event_source_token.empty()) equals["lambda:EventSourceToken"] = in.event_source_token;
  ordered_json condition = ordered_json::object();
  if (!equals.empty()) condition["StringEquals"] = std::move(equals);
  if (!in.source_arn.empty()) condition["ArnLike"] = {{"AWS:SourceArn", in.source_arn}};
  if (!condition.empty()) s["Condition"] = std::move(condition);
  return s;
}

// The stored policy of a function or qualifier; empty when there is none.
Result<PolicyRecord> LoadPolicy(storage::Database& db, const std::string& name,
                                const std::string& qualifier) {
  auto& st = db.Prepare(kSelectPolicy);
  st.Bind(1, name);
  st.Bind(2, qualifier);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
  if (!row) return PolicyRecord(kGetApi);
  PolicyRecord record = PolicyRecord::Parse(st.ColumnText(0), kGetApi);
  st.Reset();
  return record;
}

// Saves `record` under a new RevisionId, or deletes the policy when it has no statements.
Status SavePolicy(storage::Database& db, const std::string& name, const std::string& qualifier,
                  PolicyRecord& record) {
  if (record.empty()) {
    auto& del = db.Prepare(kDeletePolicy);
    del.Bind(1, name);
    del.Bind(2, qualifier);
    return del.Run();
  }
  auto& st = db.Prepare(kUpsertPolicy);
  st.Bind(1, name);
  st.Bind(2, qualifier);
  st.Bind(3, record.Encode());
  return st.Run();
}

}  // namespace

void Functions::AddPermission(const std::string& function_name, PermissionInput input,
                              Callback<std::string> done) {
  auto name = ParseFunctionName(function_name, NameShape::kNamespaced);
  if (!name.ok()) return done(name.status());
  auto target = ResolveQualifier(
      *name, QualifierRules{.latest_refused = Status(
                                AwsError::kInvalidParameterValue,
                                "We currently do not support adding policies for $LATEST.")});
  if (!target.ok()) return done(target.status());
  auto principal = PrincipalOf(input.principal);
  if (!principal.ok()) return done(principal.status());
  const std::string& q = target->qualifier;
  std::string resource = ArnOf(target->name) + (q.empty() ? "" : ":" + q);
  auto statement = std::make_shared<ordered_json>(Statement(input, *principal, resource));
  store_.Write(
      [plain = target->name, q, statement, expected = input.revision_id,
       sid = input.statement_id](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto policy, LoadPolicy(ctx.db(), plain, q));
        STREAMSTACK_RETURN_IF_ERROR(policy.Add(*statement, expected));
        return SavePolicy(ctx.db(), plain, q, policy);
      },
      [statement, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(statement->dump());
      });
}

void Functions::RemovePermission(const std::string& function_name, const std::string& statement_id,
                                 std::optional<std::string> revision_id, Callback<bool> done) {
  auto name = ParseFunctionName(function_name, NameShape::kNamespaced);
  if (!name.ok()) return done(name.status());
  auto target = ResolveQualifier(
      *name,
      QualifierRules{.function_missing = Status(AwsError::kResourceNotFound,
                                                "No policy found for: " + ArnOf(name->name))});
  if (!target.ok()) return done(target.status());
  store_.Write(
      [plain = target->name, q = target->qualifier, statement_id,
       revision_id](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto policy, LoadPolicy(ctx.db(), plain, q));
        if (policy.empty()) {
          return Status(AwsError::kResourceNotFound,
                        "No policy is associated with the given resource.");
        }
        STREAMSTACK_RETURN_IF_ERROR(policy.Remove(statement_id, revision_id));
        return SavePolicy(ctx.db(), plain, q, policy);
      },
      [done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(true);
      });
}

Result<FunctionPolicy> Functions::GetPolicy(const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  // AWS names neither the function nor the version it could not find here; it names the alias.
  STREAMSTACK_ASSIGN_OR_RETURN(
      auto target, ResolveQualifier(name, QualifierRules{.function_missing = NoSuchResource(),
                                                         .version_missing = NoSuchResource()}));
  STREAMSTACK_ASSIGN_OR_RETURN(auto policy, store_.Read([&](storage::Database& db) {
    return LoadPolicy(db, target.name, target.qualifier);
  }));
  if (policy.empty()) return NoSuchResource();
  return FunctionPolicy{policy.Document(), policy.revision_id()};
}

}  // namespace streamstack::lambda
