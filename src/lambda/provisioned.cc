// Functions: provisioned concurrency configs, stored and answered as AWS does (recorded in
// LocalStack's TestLambdaProvisionedConcurrency). StreamStack starts sandboxes on demand, so a
// config is READY at once and changes nothing at invoke time.
#include <algorithm>

#include "lambda/function_record.h"
#include "lambda/validation.h"
#include "streamstack/lambda/function.h"

namespace streamstack::lambda {
namespace {

constexpr const char* kSelectAll =
    "SELECT name, qualifier, requested, last_modified_ms FROM lambda_provisioned_concurrency";
constexpr const char* kUpsert =
    "INSERT INTO lambda_provisioned_concurrency (name, qualifier, requested, last_modified_ms) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (name, qualifier) DO UPDATE SET "
    "requested = excluded.requested, last_modified_ms = excluded.last_modified_ms";
constexpr const char* kDelete =
    "DELETE FROM lambda_provisioned_concurrency WHERE name = ? AND qualifier = ?";

}  // namespace

Status Functions::LoadProvisionedConcurrency() {
  return store_.Read([&](storage::Database& db) -> Status {
    std::unique_lock lock(mu_);
    auto& st = db.Prepare(kSelectAll);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
      if (!row) break;
      ProvisionedConcurrency p;
      p.function_name = std::string(st.ColumnText(0));
      p.qualifier = std::string(st.ColumnText(1));
      p.requested = st.ColumnInt64(2);
      p.last_modified_ms = st.ColumnInt64(3);
      provisioned_[p.function_name][p.qualifier] = p;
    }
    return Status::Ok();
  });
}

Result<std::string> Functions::ProvisionedQualifier(const std::string& function_name,
                                                    const char* latest_message) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  const std::string& q = name.qualifier;
  if (q.empty() || q == "$LATEST") {
    return Status(AwsError::kInvalidParameterValue, latest_message);
  }
  // AWS names the missing alias or version even when the function is missing too.
  if (IsNumeric(q)) {
    if (!FindVersion(name.name, q)) return NotFound(name.name, q);
  } else if (!Find(name.name) || !GetAlias(name.name, q).ok()) {
    return Status(AwsError::kResourceNotFound,
                  "Cannot find alias arn: " + ArnOf(name.name) + ":" + q);
  }
  return q;
}

void Functions::PutProvisionedConcurrency(const std::string& function_name, int64_t requested,
                                          Callback<ProvisionedConcurrency> done) {
  Violations v;
  v.Range(requested, "provisionedConcurrentExecutions", 1, INT32_MAX);
  if (Status s = v.ToStatus(); !s.ok()) return done(s);
  auto qualifier = ProvisionedQualifier(
      function_name, "Provisioned Concurrency Configs cannot be applied to unpublished function "
                     "versions.");
  if (!qualifier.ok()) return done(qualifier.status());
  auto name = ParseFunctionName(function_name, NameShape::kNamespaced);
  ProvisionedConcurrency p{name->name, *qualifier, requested, clock_.NowMillis()};
  // An alias and the version it names cannot both be provisioned.
  {
    std::shared_lock lock(mu_);
    auto existing = provisioned_.find(p.function_name);
    auto aliases = aliases_.find(p.function_name);
    if (existing != provisioned_.end() && aliases != aliases_.end()) {
      for (const auto& [q, config] : existing->second) {
        if (q == p.qualifier) continue;
        auto alias = aliases->second.find(q);
        if (IsNumeric(p.qualifier) && alias != aliases->second.end() &&
            alias->second->function_version == p.qualifier) {
          return done(Status(AwsError::kResourceConflict,
                             "Version is pointed by a Provisioned Concurrency alias"));
        }
        auto mine = aliases->second.find(p.qualifier);
        if (!IsNumeric(p.qualifier) && mine != aliases->second.end() &&
            mine->second->function_version == q) {
          return done(Status(AwsError::kResourceConflict,
                             "Alias can't be used for Provisioned Concurrency configuration on an "
                             "already Provisioned version"));
        }
      }
    }
  }
  store_.Write(
      [this, p](storage::WriteContext& ctx) -> Status {
        auto& st = ctx.db().Prepare(kUpsert);
        st.Bind(1, p.function_name);
        st.Bind(2, p.qualifier);
        st.Bind(3, p.requested);
        st.Bind(4, p.last_modified_ms);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        ctx.OnCommit([this, p] {
          std::unique_lock lock(mu_);
          provisioned_[p.function_name][p.qualifier] = p;
        });
        return Status::Ok();
      },
      [p, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(p);
      });
}

Result<ProvisionedConcurrency> Functions::GetProvisionedConcurrency(
    const std::string& function_name) const {
  auto qualifier = ProvisionedQualifier(
      function_name, "The function resource provided must be an alias or a published version.");
  if (!qualifier.ok()) return qualifier.status();
  auto name = ParseFunctionName(function_name, NameShape::kNamespaced);
  std::shared_lock lock(mu_);
  auto fn = provisioned_.find(name->name);
  if (fn != provisioned_.end()) {
    auto it = fn->second.find(*qualifier);
    if (it != fn->second.end()) return it->second;
  }
  return Status(AwsError::kProvisionedConcurrencyConfigNotFound,
                "No Provisioned Concurrency Config found for this function");
}

void Functions::DeleteProvisionedConcurrency(const std::string& function_name,
                                             Callback<bool> done) {
  auto qualifier = ProvisionedQualifier(
      function_name, "The function resource provided must be an alias or a published version.");
  if (!qualifier.ok()) return done(qualifier.status());
  auto name = ParseFunctionName(function_name, NameShape::kNamespaced);
  std::string plain = name->name;
  std::string q = *qualifier;
  store_.Write(
      [this, plain, q](storage::WriteContext& ctx) -> Status {
        auto& st = ctx.db().Prepare(kDelete);
        st.Bind(1, plain);
        st.Bind(2, q);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        ctx.OnCommit([this, plain, q] {
          std::unique_lock lock(mu_);
          auto it = provisioned_.find(plain);
          if (it != provisioned_.end()) it->second.erase(q);
        });
        return Status::Ok();  // AWS: deleting a config that is not there succeeds
      },
      [done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(true);
      });
}

Result<std::vector<ProvisionedConcurrency>> Functions::ListProvisionedConcurrency(
    const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  if (!Find(name.name)) return NotFound(name.name);
  std::vector<ProvisionedConcurrency> out;
  std::shared_lock lock(mu_);
  auto fn = provisioned_.find(name.name);
  if (fn != provisioned_.end()) {
    for (const auto& [q, p] : fn->second) out.push_back(p);
  }
  return out;
}

}  // namespace streamstack::lambda
