// Functions: function URL configs (Create/Get/Update/Delete/ListFunctionUrlConfigs), stored
// per function and alias and indexed by URL id for serving. Errors and messages follow AWS's
// recordings kept by LocalStack (TestLambdaUrl::test_url_config_exceptions and
// test_url_config_lifecycle).
#include "lambda/function_url.h"

#include <algorithm>
#include <cctype>

#include "lambda/function_record.h"
#include "lambda/qualified_settings.h"
#include "lambda/rest_wire.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/violations.h"

namespace streamstack::lambda {
namespace {

constexpr const char* kSelectAll =
    "SELECT name, qualifier, url_id, record FROM lambda_function_urls";
constexpr const char* kSelectOne =
    "SELECT 1 FROM lambda_function_urls WHERE name = ? AND qualifier = ?";
constexpr const char* kUpsert =
    "INSERT INTO lambda_function_urls (name, qualifier, url_id, record) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (name, qualifier) DO UPDATE SET record = excluded.record";
constexpr const char* kDelete = "DELETE FROM lambda_function_urls WHERE name = ? AND qualifier = ?";

constexpr const char* kFunctionMissing = "Function does not exist";
constexpr const char* kResourceMissing = "The resource you requested does not exist.";

// FunctionUrlQualifier: ((?!^\d+$)^[0-9a-zA-Z-_]+$) -- an alias name, never a version.
bool IsUrlQualifier(std::string_view q) {
  bool word = !q.empty() && std::all_of(q.begin(), q.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
  return word && !IsNumeric(q);
}

nlohmann::json ToRecord(const FunctionUrlConfig& c) {
  nlohmann::json j = {{"auth_type", c.auth_type},
                      {"creation_ms", c.creation_ms},
                      {"last_modified_ms", c.last_modified_ms}};
  if (c.invoke_mode) j["invoke_mode"] = *c.invoke_mode;
  if (c.cors) j["cors"] = FunctionUrlCorsJson(*c.cors);
  return j;
}

FunctionUrlConfig FromRecord(const nlohmann::json& j) {
  FunctionUrlConfig c;
  c.auth_type = j.value("auth_type", "NONE");
  c.creation_ms = j.value("creation_ms", int64_t{0});
  c.last_modified_ms = j.value("last_modified_ms", int64_t{0});
  if (j.contains("invoke_mode")) c.invoke_mode = j["invoke_mode"].get<std::string>();
  if (j.contains("cors")) {
    try {
      c.cors = FunctionUrlCorsFromJson(j["cors"]);
    } catch (const DecodeError&) {
      // A record this version did not write; the URL serves without CORS.
    }
  }
  return c;
}

}  // namespace

nlohmann::json FunctionUrlCorsJson(const FunctionUrlCors& cors) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (cors.allow_credentials) j["AllowCredentials"] = *cors.allow_credentials;
  if (cors.allow_headers) j["AllowHeaders"] = *cors.allow_headers;
  if (cors.allow_methods) j["AllowMethods"] = *cors.allow_methods;
  if (cors.allow_origins) j["AllowOrigins"] = *cors.allow_origins;
  if (cors.expose_headers) j["ExposeHeaders"] = *cors.expose_headers;
  if (cors.max_age) j["MaxAge"] = *cors.max_age;
  return nlohmann::json::parse(j.dump());
}

FunctionUrlCors FunctionUrlCorsFromJson(const nlohmann::json& j) {
  if (!j.is_object()) WrongType("Cors");
  FunctionUrlCors cors;
  cors.allow_credentials = OptBool(j, "AllowCredentials");
  cors.allow_headers = OptStringList(j, "AllowHeaders");
  cors.allow_methods = OptStringList(j, "AllowMethods");
  cors.allow_origins = OptStringList(j, "AllowOrigins");
  cors.expose_headers = OptStringList(j, "ExposeHeaders");
  cors.max_age = OptInt(j, "MaxAge");
  return cors;
}

Status Functions::LoadFunctionUrls()
    NO_THREAD_SAFETY_ANALYSIS {  // the qualified_settings helper takes mu_ itself
  STREAMSTACK_RETURN_IF_ERROR(
      LoadQualified(store_, kSelectAll, mu_, urls_,
                    [](storage::Statement& st) -> std::optional<FunctionUrlConfig> {
                      nlohmann::json j = nlohmann::json::parse(st.ColumnText(3), nullptr, false);
                      if (j.is_discarded()) return std::nullopt;
                      FunctionUrlConfig c = FromRecord(j);
                      c.function_name = std::string(st.ColumnText(0));
                      c.qualifier = std::string(st.ColumnText(1));
                      c.url_id = std::string(st.ColumnText(2));
                      return c;
                    }));
  WriterLock lock(mu_);
  for (const auto& [name, by_qualifier] : urls_) {
    for (const auto& [qualifier, c] : by_qualifier) url_ids_[c.url_id] = {name, qualifier};
  }
  return Status::Ok();
}

Result<FunctionName> Functions::FunctionUrlTarget(const std::string& function_name,
                                                  const char* missing) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name,
                               ParseFunctionName(function_name, NameShape::kFunctionName));
  if (!name.qualifier.empty()) {
    // AWS checks the qualifier's shape before it looks for the function.
    Violations v;
    v.Length(name.qualifier, "qualifier", 1, 128);
    if (name.qualifier.size() <= 128) {
      v.Pattern(name.qualifier, "qualifier", "((?!^\\d+$)^[0-9a-zA-Z-_]+$)",
                IsUrlQualifier(name.qualifier));
    }
    STREAMSTACK_RETURN_IF_ERROR(v.ToStatus());
  }
  // The shape leaves the function itself or an alias; AWS answers one message for either.
  Status not_found(AwsError::kResourceNotFound, missing);
  return ResolveQualifier(name, QualifierRules{.function_missing = not_found,
                                               .version_missing = not_found,
                                               .alias_missing = not_found});
}

void Functions::CreateFunctionUrl(const std::string& function_name, FunctionUrlInput input,
                                  Callback<FunctionUrlConfig> done) {
  auto target = FunctionUrlTarget(function_name, kFunctionMissing);
  if (!target.ok()) return done(target.status());
  FunctionUrlConfig c;
  c.function_name = target->name;
  c.qualifier = target->qualifier;
  c.url_id = RandomHex(16);
  c.auth_type = input.auth_type.value_or("NONE");
  c.invoke_mode = input.invoke_mode;
  c.cors = input.cors;
  c.creation_ms = c.last_modified_ms = clock_.NowMillis();
  WriteFunctionUrl(std::move(c), /*must_be_new=*/true, std::move(done));
}

void Functions::UpdateFunctionUrl(const std::string& function_name, FunctionUrlInput input,
                                  Callback<FunctionUrlConfig> done) {
  auto target = FunctionUrlTarget(function_name, kFunctionMissing);
  if (!target.ok()) return done(target.status());
  auto current = GetFunctionUrl(function_name);
  if (!current.ok()) return done(current.status());
  FunctionUrlConfig c = std::move(*current);
  if (input.auth_type) c.auth_type = *input.auth_type;
  if (input.invoke_mode) c.invoke_mode = input.invoke_mode;
  if (input.cors) c.cors = input.cors;
  c.last_modified_ms = clock_.NowMillis();
  WriteFunctionUrl(std::move(c), /*must_be_new=*/false, std::move(done));
}

void Functions::WriteFunctionUrl(FunctionUrlConfig config, bool must_be_new,
                                 Callback<FunctionUrlConfig> done) {
  auto c = std::make_shared<FunctionUrlConfig>(std::move(config));
  store_.Write(
      [this, c, must_be_new](storage::WriteContext& ctx) -> Status {
        auto& exists = ctx.db().Prepare(kSelectOne);
        exists.Bind(1, c->function_name);
        exists.Bind(2, c->qualifier);
        STREAMSTACK_ASSIGN_OR_RETURN(auto row, exists.Step());
        if (must_be_new && row) {
          std::string arn = ArnOf(c->function_name);
          if (!c->qualifier.empty()) arn += ":" + c->qualifier;
          return Status(AwsError::kResourceConflict,
                        "Failed to create function url config for [functionArn = " + arn +
                            "]. Error message:  FunctionUrlConfig exists for this Lambda function");
        }
        if (!must_be_new && !row) return Status(AwsError::kResourceNotFound, kResourceMissing);
        auto& st = ctx.db().Prepare(kUpsert);
        st.Bind(1, c->function_name);
        st.Bind(2, c->qualifier);
        st.Bind(3, c->url_id);
        st.Bind(4, ToRecord(*c).dump());
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        ctx.OnCommit([this, c] {
          WriterLock lock(mu_);
          url_ids_[c->url_id] = {c->function_name, c->qualifier};
          urls_[c->function_name][c->qualifier] = *c;
        });
        return Status::Ok();
      },
      [c, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(*c);
      });
}

Result<FunctionUrlConfig> Functions::GetFunctionUrl(const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto target, FunctionUrlTarget(function_name, kResourceMissing));
  ReaderLock lock(mu_);
  if (auto c = FindQualified(urls_, target.name, target.qualifier)) return *c;
  return Status(AwsError::kResourceNotFound, kResourceMissing);
}

void Functions::DeleteFunctionUrl(const std::string& function_name, Callback<bool> done) {
  auto current = GetFunctionUrl(function_name);
  if (!current.ok()) return done(current.status());
  auto c = std::make_shared<FunctionUrlConfig>(std::move(*current));
  store_.Write(
      [this, c](storage::WriteContext& ctx) -> Status {
        auto& st = ctx.db().Prepare(kDelete);
        st.Bind(1, c->function_name);
        st.Bind(2, c->qualifier);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        if (ctx.db().Changes() == 0) return Status(AwsError::kResourceNotFound, kResourceMissing);
        ctx.OnCommit([this, c] {
          WriterLock lock(mu_);
          url_ids_.erase(c->url_id);
          EraseQualified(urls_, c->function_name, c->qualifier);
        });
        return Status::Ok();
      },
      [done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(true);
      });
}

Result<std::vector<FunctionUrlConfig>> Functions::ListFunctionUrls(
    const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name,
                               ParseFunctionName(function_name, NameShape::kFunctionName));
  if (!Find(name.name)) return Status(AwsError::kResourceNotFound, kFunctionMissing);
  ReaderLock lock(mu_);
  return ListQualified(urls_, name.name);
}

std::optional<FunctionUrlConfig> Functions::FindFunctionUrl(std::string_view url_id) const {
  std::string id(url_id);
  // Host names are case-insensitive; ids are lowercase.
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  ReaderLock lock(mu_);
  auto it = url_ids_.find(id);
  if (it == url_ids_.end()) return std::nullopt;
  return FindQualified(urls_, it->second.first, it->second.second);
}

}  // namespace streamstack::lambda
