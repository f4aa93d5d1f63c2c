// Functions: published versions and aliases, and how a qualified name resolves to the
// configuration that runs.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <memory>

#include "lambda/function_record.h"
#include "streamstack/common/violations.h"
#include "streamstack/lambda/function.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

constexpr const char* kSelectAllVersions =
    "SELECT record FROM lambda_function_versions ORDER BY name, version";
constexpr const char* kSelectAllAliases = "SELECT record FROM lambda_aliases ORDER BY name, alias";
constexpr const char* kInsertVersion =
    "INSERT INTO lambda_function_versions (name, version, record, zip) "
    "SELECT ?1, ?2, ?3, (SELECT zip FROM lambda_function_code WHERE name = ?1)";
constexpr const char* kDeleteVersion =
    "DELETE FROM lambda_function_versions WHERE name = ? AND version = ?";
constexpr const char* kUpdateLatest = "UPDATE lambda_functions SET record = ? WHERE name = ?";
constexpr const char* kUpsertAlias =
    "INSERT INTO lambda_aliases (name, alias, record) VALUES (?, ?, ?) "
    "ON CONFLICT (name, alias) DO UPDATE SET record = excluded.record";
constexpr const char* kDeleteAlias = "DELETE FROM lambda_aliases WHERE name = ? AND alias = ?";
constexpr const char* kDeleteAliasUrl =
    "DELETE FROM lambda_function_urls WHERE name = ? AND qualifier = ?";

// A version number this store can hold (std::stoll reads it).
bool IsVersionNumber(std::string_view s) { return s.size() <= 18 && IsNumeric(s); }

json AliasToRecord(const Alias& a) {
  return json{{"name", a.name},
              {"function_name", a.function_name},
              {"function_version", a.function_version},
              {"description", a.description},
              {"revision_id", a.revision_id},
              {"weights", a.additional_version_weights}};
}

Alias AliasFromRecord(const json& j, const AccountScope& scope) {
  Alias a;
  a.name = j.value("name", "");
  a.function_name = j.value("function_name", "");
  a.arn = arn::Function(scope, a.function_name) + ":" + a.name;
  a.function_version = j.value("function_version", "$LATEST");
  a.description = j.value("description", "");
  a.revision_id = j.value("revision_id", "");
  a.additional_version_weights = j.value("weights", std::map<std::string, double>{});
  return a;
}

Status RevisionMismatch(const char* what) {
  return Status(AwsError::kPreconditionFailed,
                std::string("The Revision Id provided does not match the latest Revision Id. "
                            "Call the ") +
                    what + " API to retrieve the latest Revision Id");
}

}  // namespace

std::shared_ptr<const Function> Functions::FindVersion(const std::string& plain_name,
                                                       const std::string& version) const {
  if (!IsVersionNumber(version)) return nullptr;
  ReaderLock lock(mu_);
  auto fn = versions_.find(plain_name);
  if (fn == versions_.end()) return nullptr;
  auto it = fn->second.find(std::stoll(version));
  return it == fn->second.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const Function>> Functions::Resolve(const FunctionName& name,
                                                           bool route) const {
  auto latest = Find(name.name);
  if (!latest) return NotFound(name.name);
  const std::string& q = name.qualifier;
  if (q.empty() || q == "$LATEST") return latest;
  if (IsVersionNumber(q)) {
    auto version = FindVersion(name.name, q);
    if (!version) return NotFound(name.name, q);
    return version;
  }
  std::shared_ptr<const Alias> alias;
  {
    ReaderLock lock(mu_);
    auto fn = aliases_.find(name.name);
    if (fn != aliases_.end()) {
      auto it = fn->second.find(q);
      if (it != fn->second.end()) alias = it->second;
    }
  }
  if (!alias) return NotFound(name.name, q);
  std::string version = alias->function_version;
  if (route && !alias->additional_version_weights.empty()) {
    // Invocation k goes to the additional version when floor((k+1)w) > floor(kw): exactly
    // that share of invocations, spread evenly, and the same sequence every run.
    const auto& [extra, weight] = *alias->additional_version_weights.begin();
    uint64_t k = 0;
    {
      MutexLock lock(routing_mu_);
      k = routed_[alias->arn]++;
    }
    if (std::floor(static_cast<double>(k + 1) * weight) >
        std::floor(static_cast<double>(k) * weight)) {
      version = extra;
    }
  }
  if (version == "$LATEST") return latest;
  auto target = FindVersion(name.name, version);
  if (!target) return NotFound(name.name, version);
  return target;
}

Status Functions::LoadVersionsAndAliases() {
  return store_.Read([&](storage::Database& db) -> Status {
    WriterLock lock(mu_);
    auto& versions = db.Prepare(kSelectAllVersions);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, versions.Step());
      if (!row) break;
      json j = json::parse(versions.ColumnText(0), nullptr, false);
      if (j.is_discarded()) continue;
      auto fn = std::make_shared<const Function>(FunctionFromRecord(j, scope_));
      versions_[fn->name][std::stoll(fn->version)] = fn;
    }
    auto& aliases = db.Prepare(kSelectAllAliases);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, aliases.Step());
      if (!row) break;
      json j = json::parse(aliases.ColumnText(0), nullptr, false);
      if (j.is_discarded()) continue;
      auto a = std::make_shared<const Alias>(AliasFromRecord(j, scope_));
      aliases_[a->function_name][a->name] = a;
    }
    return Status::Ok();
  });
}

void Functions::PublishVersion(const std::string& function_name, PublishVersionInput input,
                               Callback<Function> done) {
  auto name = ParseFunctionName(function_name, NameShape::kFunctionName);
  if (!name.ok()) return done(name.status());
  auto result = std::make_shared<std::shared_ptr<const Function>>();
  std::string plain = name->name;
  store_.Write(
      [this, plain, input = std::move(input), result](storage::WriteContext& ctx) -> Status {
        bool found = false;
        STREAMSTACK_ASSIGN_OR_RETURN(auto row, ReadFunctionRow(ctx.db(), plain, scope_, &found));
        if (!found) return NotFound(plain);
        auto latest = std::make_shared<const Function>(std::move(row));
        if (input.code_sha256 && *input.code_sha256 != latest->code_sha256) {
          return Status(AwsError::kInvalidParameterValue,
                        "CodeSHA256 (" + *input.code_sha256 +
                            ") is different from current CodeSHA256 in $LATEST (" +
                            latest->code_sha256 +
                            "). Please try again with the CodeSHA256 in $LATEST.");
        }
        if (input.revision_id && *input.revision_id != latest->revision_id) {
          return RevisionMismatch("GetFunction/GetAlias");
        }
        // Nothing changed since the last version: AWS answers that version again.
        if (latest->last_version > 0 && latest->published_revision_id == latest->revision_id) {
          if (auto last = FindVersion(plain, std::to_string(latest->last_version))) {
            *result = last;
            return Status::Ok();
          }
        }
        auto version = std::make_shared<Function>(*latest);
        version->version = std::to_string(latest->last_version + 1);
        version->arn = ArnOf(plain) + ":" + version->version;
        if (input.description) version->description = *input.description;
        version->last_modified_ms = clock_.NowMillis();
        version->revision_id = NewUuidV4();
        version->last_version = 0;
        version->published_revision_id.clear();
        auto& insert = ctx.db().Prepare(kInsertVersion);
        insert.Bind(1, plain);
        insert.Bind(2, latest->last_version + 1);
        insert.Bind(3, FunctionToRecord(*version).dump());
        STREAMSTACK_RETURN_IF_ERROR(insert.Run());
        // Publishing is a change of $LATEST too (AWS gives it a new RevisionId); it remembers
        // that RevisionId, so publishing again without a change publishes nothing.
        auto updated = std::make_shared<Function>(*latest);
        updated->last_version = latest->last_version + 1;
        updated->revision_id = NewUuidV4();
        updated->published_revision_id = updated->revision_id;
        auto& update = ctx.db().Prepare(kUpdateLatest);
        update.Bind(1, FunctionToRecord(*updated).dump());
        update.Bind(2, plain);
        STREAMSTACK_RETURN_IF_ERROR(update.Run());
        std::shared_ptr<const Function> published = version;
        *result = published;
        ctx.OnCommit([this, plain, published, updated] {
          WriterLock lock(mu_);
          by_name_[plain] = updated;
          versions_[plain][std::stoll(published->version)] = published;
        });
        return Status::Ok();
      },
      [result, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(Function(**result));
      });
}

Result<std::vector<Function>> Functions::ListVersions(const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  auto latest = Find(name.name);
  if (!latest) return NotFound(name.name);
  std::vector<Function> out;
  out.push_back(*latest);
  out.back().arn += ":$LATEST";
  ReaderLock lock(mu_);
  auto it = versions_.find(name.name);
  if (it != versions_.end()) {
    for (const auto& [number, fn] : it->second) out.push_back(*fn);
  }
  return out;
}

void Functions::DeleteQualified(const FunctionName& name, Callback<bool> done) {
  if (name.qualifier == "$LATEST") {
    return done(Status(AwsError::kInvalidParameterValue,
                       "$LATEST version cannot be deleted without deleting the function."));
  }
  if (!IsVersionNumber(name.qualifier)) {
    // AWS: an alias is not a version; DeleteFunction takes versions only.
    return done(Status(AwsError::kInvalidParameterValue,
                       "Deletion of aliases is not currently supported."));
  }
  std::string plain = name.name;
  std::string version = name.qualifier;
  store_.Write(
      [this, plain, version](storage::WriteContext& ctx) -> Status {
        if (!Find(plain)) return NotFound(plain);
        if (!FindVersion(plain, version)) return Status::Ok();  // AWS: nothing to delete is fine
        std::vector<std::string> users;
        {
          ReaderLock lock(mu_);
          auto it = aliases_.find(plain);
          if (it != aliases_.end()) {
            for (const auto& [alias_name, alias] : it->second) {
              if (alias->function_version == version ||
                  alias->additional_version_weights.contains(version)) {
                users.push_back(alias_name);
              }
            }
          }
        }
        if (!users.empty()) {
          std::string list;
          for (const auto& u : users) list += (list.empty() ? "" : ", ") + u;
          return Status(AwsError::kResourceConflict,
                        "Unable to delete version because the following aliases reference it: [" +
                            list + "]");
        }
        auto& del = ctx.db().Prepare(kDeleteVersion);
        del.Bind(1, plain);
        del.Bind(2, std::stoll(version));
        STREAMSTACK_RETURN_IF_ERROR(del.Run());
        ctx.OnCommit([this, plain, version] {
          {
            WriterLock lock(mu_);
            auto it = versions_.find(plain);
            if (it != versions_.end()) it->second.erase(std::stoll(version));
          }
          if (on_change_) on_change_(plain);
        });
        return Status::Ok();
      },
      [done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(true);
      });
}

// Aliases ---------------------------------------------------------------------------------

Result<Alias> Functions::GetAlias(const std::string& function_name,
                                  const std::string& alias) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  if (!Find(name.name)) return NotFound(name.name);
  ReaderLock lock(mu_);
  auto fn = aliases_.find(name.name);
  if (fn != aliases_.end()) {
    auto it = fn->second.find(alias);
    if (it != fn->second.end()) return *it->second;
  }
  return Status(AwsError::kResourceNotFound,
                "Cannot find alias arn: " + ArnOf(name.name) + ":" + alias);
}

Result<std::vector<Alias>> Functions::ListAliases(const std::string& function_name,
                                                  const std::string& function_version) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  if (!Find(name.name)) return NotFound(name.name);
  std::vector<Alias> out;
  ReaderLock lock(mu_);
  auto fn = aliases_.find(name.name);
  if (fn == aliases_.end()) return out;
  for (const auto& [alias_name, alias] : fn->second) {
    if (function_version.empty() || alias->function_version == function_version ||
        alias->additional_version_weights.contains(function_version)) {
      out.push_back(*alias);
    }
  }
  return out;
}

void Functions::CreateAlias(const std::string& function_name, const std::string& alias,
                            AliasInput input, Callback<Alias> done) {
  auto name = ParseFunctionName(function_name, NameShape::kFunctionName);
  if (!name.ok()) return done(name.status());
  auto a = std::make_shared<Alias>();
  a->name = alias;
  a->function_name = name->name;
  a->arn = ArnOf(name->name) + ":" + alias;
  a->function_version = input.function_version.value_or("$LATEST");  // the model requires it
  a->description = input.description.value_or("");
  a->additional_version_weights =
      input.additional_version_weights.value_or(std::map<std::string, double>{});
  a->revision_id = NewUuidV4();
  WriteAlias(name->name, std::move(a), /*must_be_new=*/true, std::nullopt, std::move(done));
}

void Functions::UpdateAlias(const std::string& function_name, const std::string& alias,
                            AliasInput input, Callback<Alias> done) {
  auto name = ParseFunctionName(function_name, NameShape::kFunctionName);
  if (!name.ok()) return done(name.status());
  auto current = GetAlias(name->name, alias);
  if (!current.ok()) {
    if (!Find(name->name)) return done(current.status());
    return done(Status(AwsError::kResourceNotFound,  // UpdateAlias's own words (recorded)
                       "Alias not found: " + ArnOf(name->name) + ":" + alias));
  }
  auto a = std::make_shared<Alias>(std::move(current).value());
  if (input.function_version) a->function_version = *input.function_version;
  if (input.description) a->description = *input.description;
  if (input.additional_version_weights) {
    a->additional_version_weights = *input.additional_version_weights;
  }
  a->revision_id = NewUuidV4();
  WriteAlias(name->name, std::move(a), /*must_be_new=*/false, input.revision_id, std::move(done));
}

void Functions::WriteAlias(const std::string& function_name, std::shared_ptr<Alias> alias,
                           bool must_be_new, std::optional<std::string> expected_revision,
                           Callback<Alias> done) {
  store_.Write(
      [this, function_name, alias, must_be_new,
       expected_revision](storage::WriteContext& ctx) -> Status {
        if (!Find(function_name)) return NotFound(function_name);
        auto existing = GetAlias(function_name, alias->name);
        if (must_be_new && existing.ok()) {
          return Status(AwsError::kResourceConflict, "Alias already exists: " + alias->arn);
        }
        if (!must_be_new && !existing.ok()) {
          return Status(AwsError::kResourceNotFound, "Alias not found: " + alias->arn);
        }
        if (expected_revision && existing.ok() && *expected_revision != existing->revision_id) {
          return RevisionMismatch("GetFunction/GetAlias");
        }
        // The versions it names must exist; routing shares a second published version.
        if (alias->function_version != "$LATEST" &&
            !FindVersion(function_name, alias->function_version)) {
          return NotFound(function_name, alias->function_version);
        }
        if (alias->additional_version_weights.size() > 1) {
          return Status(AwsError::kInvalidParameterValue,
                        "Number of items in AdditionalVersionWeights cannot be greater than 1");
        }
        for (const auto& [version, weight] : alias->additional_version_weights) {
          if (alias->function_version == "$LATEST") {
            return Status(AwsError::kInvalidParameterValue,
                          "$LATEST is not supported for an alias pointing to more than 1 version");
          }
          if (version == alias->function_version) {
            return Status(AwsError::kInvalidParameterValue,
                          "Invalid function version " + version + ". Function version " + version +
                              " is already included in routing configuration.");
          }
          if (!FindVersion(function_name, version)) return NotFound(function_name, version);
        }
        auto& st = ctx.db().Prepare(kUpsertAlias);
        st.Bind(1, function_name);
        st.Bind(2, alias->name);
        st.Bind(3, AliasToRecord(*alias).dump());
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        std::shared_ptr<const Alias> cached = alias;
        ctx.OnCommit([this, function_name, cached] {
          WriterLock lock(mu_);
          aliases_[function_name][cached->name] = cached;
        });
        return Status::Ok();
      },
      [alias, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(Alias(*alias));
      });
}

void Functions::DeleteAlias(const std::string& function_name, const std::string& alias,
                            Callback<bool> done) {
  auto name = ParseFunctionName(function_name, NameShape::kFunctionName);
  if (!name.ok()) return done(name.status());
  std::string plain = name->name;
  store_.Write(
      [this, plain, alias](storage::WriteContext& ctx) -> Status {
        // The alias's function URL goes with it, as on AWS.
        for (const char* sql : {kDeleteAlias, kDeleteAliasUrl}) {
          auto& st = ctx.db().Prepare(sql);
          st.Bind(1, plain);
          st.Bind(2, alias);
          STREAMSTACK_RETURN_IF_ERROR(st.Run());
        }
        ctx.OnCommit([this, plain, alias] {
          WriterLock lock(mu_);
          auto it = aliases_.find(plain);
          if (it != aliases_.end()) it->second.erase(alias);
          auto urls = urls_.find(plain);
          if (urls == urls_.end()) return;
          auto url = urls->second.find(alias);
          if (url == urls->second.end()) return;
          url_ids_.erase(url->second.url_id);
          urls->second.erase(url);
        });
        return Status::Ok();  // AWS: deleting an alias that is not there succeeds
      },
      [done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(true);
      });
}

}  // namespace streamstack::lambda
