// Functions: provisioned concurrency configs, stored and answered as AWS does (recorded in
// LocalStack's TestLambdaProvisionedConcurrency). StreamStack starts sandboxes on demand, so a
// config is READY at once and changes nothing at invoke time.
#include <algorithm>

#include "lambda/function_record.h"
#include "lambda/qualified_settings.h"
#include "streamstack/common/violations.h"
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

constexpr const char* kUnpublished =
    "Provisioned Concurrency Configs cannot be applied to unpublished function versions.";
constexpr const char* kNotAliasOrVersion =
    "The function resource provided must be an alias or a published version.";

// An alias or a published version only; `unpublished` is the operation's answer for a name
// without one or with $LATEST. AWS names the missing alias or version even when the function
// is missing too.
QualifierRules ProvisionedRules(const char* unpublished) {
  Status refused(AwsError::kInvalidParameterValue, unpublished);
  return QualifierRules{
      .unqualified_refused = refused, .latest_refused = refused, .function_first = false};
}

}  // namespace

Status Functions::LoadProvisionedConcurrency()
    NO_THREAD_SAFETY_ANALYSIS {  // the qualified_settings helper takes mu_ itself
  return LoadQualified(store_, kSelectAll, mu_, provisioned_,
                       [](storage::Statement& st) -> std::optional<ProvisionedConcurrency> {
                         return ProvisionedConcurrency{std::string(st.ColumnText(0)),
                                                       std::string(st.ColumnText(1)),
                                                       st.ColumnInt64(2), st.ColumnInt64(3)};
                       });
}

void Functions::PutProvisionedConcurrency(const std::string& function_name, int64_t requested,
                                          Callback<ProvisionedConcurrency> done) {
  auto target = ResolveQualifier(function_name, ProvisionedRules(kUnpublished));
  if (!target.ok()) return done(target.status());
  ProvisionedConcurrency p{target->name, target->qualifier, requested, clock_.NowMillis()};
  // An alias and the version it names cannot both be provisioned.
  {
    ReaderLock lock(mu_);
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
          WriterLock lock(mu_);
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
  STREAMSTACK_ASSIGN_OR_RETURN(
      auto target, ResolveQualifier(function_name, ProvisionedRules(kNotAliasOrVersion)));
  ReaderLock lock(mu_);
  if (auto p = FindQualified(provisioned_, target.name, target.qualifier)) return *p;
  return Status(AwsError::kProvisionedConcurrencyConfigNotFound,
                "No Provisioned Concurrency Config found for this function");
}

void Functions::DeleteProvisionedConcurrency(const std::string& function_name,
                                             Callback<bool> done)
    NO_THREAD_SAFETY_ANALYSIS {  // the qualified_settings helper takes mu_ itself
  auto target = ResolveQualifier(function_name, ProvisionedRules(kNotAliasOrVersion));
  if (!target.ok()) return done(target.status());
  // AWS: deleting a config that is not there succeeds.
  DeleteQualifiedSetting(store_, kDelete, mu_, provisioned_, std::move(*target), std::move(done));
}

Result<std::vector<ProvisionedConcurrency>> Functions::ListProvisionedConcurrency(
    const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  if (!Find(name.name)) return NotFound(name.name);
  ReaderLock lock(mu_);
  return ListQualified(provisioned_, name.name);
}

}  // namespace streamstack::lambda
