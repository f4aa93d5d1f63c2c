#include "streamstack/lambda/function.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <future>

#include "lambda/function_record.h"
#include "lambda/rest_wire.h"
#include "lambda/schema.h"
#include "streamstack/common/violations.h"
#include "streamstack/lambda/layers.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

constexpr const char* kFunctionNamePattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
    "(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";
constexpr const char* kNamespacedPattern =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
    "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";

constexpr const char* kSelectRecord = "SELECT record FROM lambda_functions WHERE name = ?";
constexpr const char* kSelectAll = "SELECT record FROM lambda_functions ORDER BY name";
constexpr const char* kInsertRecord = "INSERT INTO lambda_functions (name, record) VALUES (?, ?)";
constexpr const char* kUpdateRecord = "UPDATE lambda_functions SET record = ? WHERE name = ?";
constexpr const char* kDeleteRecord = "DELETE FROM lambda_functions WHERE name = ?";
constexpr const char* kUpsertCode =
    "INSERT INTO lambda_function_code (name, zip) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET zip = excluded.zip";
constexpr const char* kDeleteCode = "DELETE FROM lambda_function_code WHERE name = ?";
constexpr const char* kSelectCode = "SELECT zip FROM lambda_function_code WHERE name = ?";
constexpr const char* kSelectVersionCode =
    "SELECT zip FROM lambda_function_versions WHERE name = ? AND version = ? AND zip IS NOT NULL";
constexpr const char* kDeleteVersions = "DELETE FROM lambda_function_versions WHERE name = ?";
constexpr const char* kDeleteAliases = "DELETE FROM lambda_aliases WHERE name = ?";
constexpr const char* kDeletePolicies = "DELETE FROM lambda_policies WHERE name = ?";
constexpr const char* kDeleteInvokeConfigs =
    "DELETE FROM lambda_event_invoke_configs WHERE name = ?";
constexpr const char* kDeleteProvisioned =
    "DELETE FROM lambda_provisioned_concurrency WHERE name = ?";
constexpr const char* kDeleteFunctionUrls = "DELETE FROM lambda_function_urls WHERE name = ?";

bool IsNameChar(char c, bool allow_dot) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
         (allow_dot && c == '.');
}
bool AllOf(std::string_view s, bool allow_dot) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [&](char c) { return IsNameChar(c, allow_dot); });
}
bool IsDigits(std::string_view s, size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
// [a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}
bool IsRegion(std::string_view s) {
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  if (s.size() < 6 || !lower(s[0]) || !lower(s[1]) || s[2] != '-') return false;
  if (!(s.back() >= '0' && s.back() <= '9') || s[s.size() - 2] != '-') return false;
  std::string_view middle = s.substr(3, s.size() - 5);  // "east" or "gov-west" or "iso-east"
  size_t dash = middle.find('-');
  std::string_view word = middle;
  if (dash != std::string_view::npos) {
    std::string_view prefix = middle.substr(0, dash);
    if (!(prefix == "gov" || prefix == "iso" ||
          (prefix.size() == 4 && prefix.starts_with("iso") && lower(prefix[3])))) {
      return false;
    }
    word = middle.substr(dash + 1);
  }
  return !word.empty() && std::all_of(word.begin(), word.end(), lower);
}
// aws[a-zA-Z-]* or empty
bool IsPartition(std::string_view s) {
  if (s.empty()) return true;
  if (!s.starts_with("aws")) return false;
  return std::all_of(s.begin() + 3, s.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '-';
  });
}
bool IsQualifier(std::string_view s, bool namespaced) {
  if (s == "$LATEST" || (namespaced && s == "$LATEST.PUBLISHED")) return true;
  return AllOf(s, false);
}

// AWS reserves these environment variable names (the runtime sets them).
constexpr std::array kReservedVariables = {"_HANDLER",
                                           "_X_AMZN_TRACE_ID",
                                           "AWS_DEFAULT_REGION",
                                           "AWS_REGION",
                                           "AWS_EXECUTION_ENV",
                                           "AWS_LAMBDA_FUNCTION_NAME",
                                           "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                           "AWS_LAMBDA_FUNCTION_VERSION",
                                           "AWS_LAMBDA_INITIALIZATION_TYPE",
                                           "AWS_LAMBDA_LOG_GROUP_NAME",
                                           "AWS_LAMBDA_LOG_STREAM_NAME",
                                           "AWS_ACCESS_KEY",
                                           "AWS_ACCESS_KEY_ID",
                                           "AWS_SECRET_ACCESS_KEY",
                                           "AWS_SESSION_TOKEN",
                                           "AWS_LAMBDA_RUNTIME_API",
                                           "LAMBDA_TASK_ROOT",
                                           "LAMBDA_RUNTIME_DIR"};

// What the model cannot say about the settings (the request reader checked its shapes):
// AWS's own checks of the environment (InvalidParameterValueException).
Status CheckEnvironment(const FunctionSettings& s) {
  if (s.environment) {
    std::string reserved;
    size_t size = 0;
    for (const auto& [k, val] : *s.environment) {
      size += k.size() + val.size();
      for (const char* r : kReservedVariables) {
        if (k == r) reserved += (reserved.empty() ? "" : ", ") + k;
      }
    }
    if (!reserved.empty()) {
      return Status(AwsError::kInvalidParameterValue,
                    "Lambda was unable to configure your environment variables because the "
                    "environment variables you have provided contains reserved keys that are "
                    "currently not supported for modification. Reserved keys used in this "
                    "request: " +
                        reserved);
    }
    if (size > 4096) {
      return Status(AwsError::kInvalidParameterValue,
                    "Lambda was unable to configure your environment variables because the "
                    "environment variables you have provided exceeded the 4KB limit. String "
                    "measured: " +
                        nlohmann::json(*s.environment).dump());
    }
  }
  return Status::Ok();
}

void ApplySettings(const FunctionSettings& s, Function& f) {
  if (s.runtime) f.runtime = *s.runtime;
  if (s.role) f.role = *s.role;
  if (s.handler) f.handler = *s.handler;
  if (s.description) f.description = *s.description;
  if (s.timeout_seconds) f.timeout_seconds = static_cast<int>(*s.timeout_seconds);
  if (s.memory_size_mb) f.memory_size_mb = static_cast<int>(*s.memory_size_mb);
  if (s.environment) {
    f.has_environment = true;
    f.environment = *s.environment;
  }
  if (s.tracing_mode) f.tracing_mode = *s.tracing_mode;
  if (s.ephemeral_storage_mb) f.ephemeral_storage_mb = static_cast<int>(*s.ephemeral_storage_mb);
}

// Checks and applies a code source. Zip bytes go to *zip_out.
Status ApplyCode(const FunctionCodeInput& code, const std::string& package_type, Function& f,
                 std::optional<std::string>* zip_out) {
  bool has_zip = code.zip_file.has_value();
  bool has_s3 = !code.location.s3_bucket.empty() || !code.location.s3_key.empty();
  bool has_image = !code.location.image_uri.empty();
  if (package_type == "Image") {
    if (!has_image) {
      return Status(AwsError::kInvalidParameterValue,
                    "Please provide ImageUri when creating or updating a function with "
                    "packageType Image.");
    }
    if (has_zip || has_s3) {
      return Status(AwsError::kInvalidParameterValue,
                    "Please don't provide ImageUri when updating a function with packageType "
                    "Zip.");
    }
    f.code = CodeLocation{};
    f.code.image_uri = code.location.image_uri;
    f.code_size = 0;
    f.code_sha256 = Base64Encode(Sha256(code.location.image_uri));
    return Status::Ok();
  }
  if (has_image) {
    return Status(AwsError::kInvalidParameterValue,
                  "Please don't provide ImageUri when updating a function with packageType Zip.");
  }
  if (has_zip == has_s3) {
    return Status(AwsError::kInvalidParameterValue,
                  has_zip ? "Please do not provide other FunctionCode parameters when providing "
                            "a ZipFile."
                          : "Please provide a source for function code.");
  }
  if (has_zip) {
    const std::string& zip = *code.zip_file;
    // A zip starts with a local file header (PK\3\4) or, when empty, the end record (PK\5\6).
    if (zip.size() < 4 || zip.compare(0, 2, "PK") != 0 ||
        !((zip[2] == 3 && zip[3] == 4) || (zip[2] == 5 && zip[3] == 6))) {
      return Status(AwsError::kInvalidParameterValue,
                    "Could not unzip uploaded file. Please check your file, then try to upload "
                    "again.");
    }
    f.code = CodeLocation{};
    f.code_size = static_cast<int64_t>(zip.size());
    f.code_sha256 = Base64Encode(Sha256(zip));
    *zip_out = zip;
    return Status::Ok();
  }
  if (code.location.s3_bucket.empty() || code.location.s3_key.empty()) {
    return Status(AwsError::kInvalidParameterValue,
                  "Please provide both S3Bucket and S3Key when providing code from Amazon S3.");
  }
  // S3 is not emulated: the location is stored and digested, not fetched.
  f.code = code.location;
  f.code_size = 0;
  f.code_sha256 =
      Base64Encode(Sha256("s3://" + code.location.s3_bucket + "/" + code.location.s3_key +
                          "?versionId=" + code.location.s3_object_version));
  return Status::Ok();
}

}  // namespace

Result<Function> ReadFunctionRow(storage::Database& db, const std::string& name,
                                 const AccountScope& scope, bool* found) {
  auto& stmt = db.Prepare(kSelectRecord);
  stmt.Bind(1, name);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
  *found = row;
  if (!row) return Function{};
  json j = json::parse(stmt.ColumnText(0), nullptr, false);
  stmt.Reset();
  if (j.is_discarded()) return Status(AwsError::kServiceException, "corrupt function record");
  return FunctionFromRecord(j, scope);
}

bool IsNumeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

json FunctionToRecord(const Function& f) {
  json j = {{"name", f.name},
            {"runtime", f.runtime},
            {"role", f.role},
            {"handler", f.handler},
            {"description", f.description},
            {"timeout", f.timeout_seconds},
            {"memory", f.memory_size_mb},
            {"has_environment", f.has_environment},
            {"environment", f.environment},
            {"package_type", f.package_type},
            {"architecture", f.architecture},
            {"ephemeral", f.ephemeral_storage_mb},
            {"tracing", f.tracing_mode},
            {"code_size", f.code_size},
            {"code_sha256", f.code_sha256},
            {"s3_bucket", f.code.s3_bucket},
            {"s3_key", f.code.s3_key},
            {"s3_version", f.code.s3_object_version},
            {"image_uri", f.code.image_uri},
            {"last_modified_ms", f.last_modified_ms},
            {"revision_id", f.revision_id},
            {"tags", f.tags},
            {"declared_invoke_url", f.declared_invoke_url},
            {"reserved_concurrency", f.reserved_concurrency},
            {"version", f.version},
            {"layers", f.layers},
            {"last_version", f.last_version},
            {"published_revision_id", f.published_revision_id}};
  return j;
}

Function FunctionFromRecord(const json& j, const AccountScope& scope) {
  Function f;
  f.name = j.value("name", "");
  f.version = j.value("version", "$LATEST");
  f.layers = j.value("layers", std::vector<std::pair<std::string, int64_t>>{});
  f.arn = arn::Function(scope, f.name);
  if (f.version != "$LATEST") f.arn += ":" + f.version;
  f.runtime = j.value("runtime", "");
  f.role = j.value("role", "");
  f.handler = j.value("handler", "");
  f.description = j.value("description", "");
  f.timeout_seconds = j.value("timeout", 3);
  f.memory_size_mb = j.value("memory", 128);
  f.has_environment = j.value("has_environment", false);
  f.environment = j.value("environment", std::map<std::string, std::string>{});
  f.package_type = j.value("package_type", "Zip");
  f.architecture = j.value("architecture", "x86_64");
  f.ephemeral_storage_mb = j.value("ephemeral", 512);
  f.tracing_mode = j.value("tracing", "PassThrough");
  f.code_size = j.value("code_size", int64_t{0});
  f.code_sha256 = j.value("code_sha256", "");
  f.code.s3_bucket = j.value("s3_bucket", "");
  f.code.s3_key = j.value("s3_key", "");
  f.code.s3_object_version = j.value("s3_version", "");
  f.code.image_uri = j.value("image_uri", "");
  f.last_modified_ms = j.value("last_modified_ms", int64_t{0});
  f.revision_id = j.value("revision_id", "");
  f.tags = j.value("tags", Tags{});
  f.reserved_concurrency = j.value("reserved_concurrency", -1);
  f.declared_invoke_url = j.value("declared_invoke_url", "");
  f.last_version = j.value("last_version", int64_t{0});
  f.published_revision_id = j.value("published_revision_id", "");
  return f;
}

Result<FunctionName> ParseFunctionName(std::string_view input, NameShape shape,
                                       std::string_view member) {
  const bool ns = shape == NameShape::kNamespaced;
  const size_t max_len = ns ? 256 : 140;
  Violations v;
  if (input.size() < 1 || input.size() > max_len) {
    v.Length(std::string(input), member, 1, max_len);
    return v.ToStatus();
  }
  auto bad = [&]() -> Status {
    v.Add(QuoteValue(input), member,
          std::string("Member must satisfy regular expression pattern: ") +
              (ns ? kNamespacedPattern : kFunctionNamePattern));
    return v.ToStatus();
  };
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t colon = input.find(':', start);
    parts.push_back(input.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  size_t i = 0;
  const size_t n = parts.size();
  if (n >= 3 && parts[0] == "arn") {
    if (!IsPartition(parts[1]) || parts[2] != "lambda") return bad();
    i = 3;
  }
  // Each optional prefix is only taken when a name still follows it.
  if (n - i >= 2 && IsRegion(parts[i])) ++i;
  if (n - i >= 2 && IsDigits(parts[i], 12)) ++i;
  if (n - i >= 2 && parts[i] == "function") ++i;
  if (i >= n || !AllOf(parts[i], ns)) return bad();
  FunctionName out;
  out.name = std::string(parts[i]);
  ++i;
  if (i < n) {
    if (!IsQualifier(parts[i], ns)) return bad();
    out.qualifier = std::string(parts[i]);
    ++i;
  }
  if (i != n) return bad();
  if (out.name.size() > 64) {
    v.Add(QuoteValue(input), member, "Member must have length less than or equal to 64");
    return v.ToStatus();
  }
  return out;
}

std::string Function::InvokeUrl() const {
  auto it = environment.find(kInvokeUrlVariable);
  if (it != environment.end() && !it->second.empty()) return it->second;
  return declared_invoke_url;
}

Functions::Functions(storage::Store& store, Clock& clock, AccountScope scope)
    : store_(store), clock_(clock), scope_(std::move(scope)) {}

Functions::~Functions() {
  // Queued write jobs update this object's cache after their COMMIT: let them finish first.
  (void)store_.WriteSync([](storage::WriteContext&) { return Status::Ok(); });
}

Status Functions::Open() {
  STREAMSTACK_RETURN_IF_ERROR(store_.Migrate("lambda", kLambdaMigrations));
  STREAMSTACK_ASSIGN_OR_RETURN(
      auto loaded, store_.Read([&](storage::Database& db) -> Result<std::vector<Function>> {
        std::vector<Function> out;
        auto& stmt = db.Prepare(kSelectAll);
        while (true) {
          STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
          if (!row) break;
          json j = json::parse(stmt.ColumnText(0), nullptr, false);
          if (!j.is_discarded()) out.push_back(FunctionFromRecord(j, scope_));
        }
        return out;
      }));
  {
    WriterLock lock(mu_);
    for (auto& f : loaded) {
      std::string name = f.name;
      by_name_[name] = std::make_shared<const Function>(std::move(f));
    }
  }
  STREAMSTACK_RETURN_IF_ERROR(LoadVersionsAndAliases());
  STREAMSTACK_RETURN_IF_ERROR(LoadEventInvokeConfigs());
  STREAMSTACK_RETURN_IF_ERROR(LoadFunctionUrls());
  return LoadProvisionedConcurrency();
}

std::string Functions::ArnOf(const std::string& plain_name) const {
  return arn::Function(scope_, plain_name);
}

Status Functions::NotFound(const std::string& name, const std::string& qualifier) const {
  std::string arn = ArnOf(name);
  if (!qualifier.empty()) arn += ":" + qualifier;
  return Status(AwsError::kResourceNotFound, "Function not found: " + arn);
}

std::shared_ptr<const Function> Functions::Find(const std::string& plain_name) const {
  ReaderLock lock(mu_);
  auto it = by_name_.find(plain_name);
  return it == by_name_.end() ? nullptr : it->second;
}

bool Functions::Exists(const std::string& plain_name) const { return Find(plain_name) != nullptr; }

void Functions::Commit(std::shared_ptr<Function> fn, std::optional<std::string> zip,
                       bool must_be_new, Callback<Function> done) {
  store_.Write(
      [this, fn, zip = std::move(zip), must_be_new](storage::WriteContext& ctx) -> Status {
        auto& db = ctx.db();
        bool found = false;
        STREAMSTACK_ASSIGN_OR_RETURN(auto existing, ReadFunctionRow(db, fn->name, scope_, &found));
        if (found && must_be_new) {
          return Status(AwsError::kResourceConflict, "Function already exist: " + fn->name);
        }
        std::string record = FunctionToRecord(*fn).dump();
        auto& stmt = db.Prepare(found ? kUpdateRecord : kInsertRecord);
        if (found) {
          stmt.Bind(1, record);
          stmt.Bind(2, fn->name);
        } else {
          stmt.Bind(1, fn->name);
          stmt.Bind(2, record);
        }
        STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
        if (zip) {
          auto& code = db.Prepare(kUpsertCode);
          code.Bind(1, fn->name);
          code.Bind(2, storage::Blob(std::string_view(*zip)));
          STREAMSTACK_RETURN_IF_ERROR(code.Run());
        }
        ctx.OnCommit([this, fn] {
          {
            WriterLock lock(mu_);
            by_name_[fn->name] = fn;
          }
          if (on_change_) on_change_(fn->name);
        });
        return Status::Ok();
      },
      [fn, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(Function(*fn));
      });
}

void Functions::Create(CreateFunctionInput input, Callback<Function> done) {
  auto name = ParseFunctionName(input.function_name, NameShape::kFunctionName);
  if (!name.ok()) return done(name.status());
  if (auto s = CheckEnvironment(input.settings); !s.ok()) return done(std::move(s));

  auto fn = std::make_shared<Function>();
  fn->name = name->name;
  fn->arn = ArnOf(fn->name);
  fn->package_type = input.package_type.value_or("Zip");
  ApplySettings(input.settings, *fn);
  if (input.settings.layers) {
    auto layers = ResolveLayers(*input.settings.layers);
    if (!layers.ok()) return done(layers.status());
    fn->layers = std::move(layers).value();
  }
  if (fn->package_type == "Zip" && (fn->runtime.empty() || fn->handler.empty())) {
    return done(Status(AwsError::kInvalidParameterValue,
                       "Runtime and Handler are mandatory parameters for functions created "
                       "with deployment packages."));
  }
  std::optional<std::string> zip;
  if (auto s = ApplyCode(input.code.value_or(FunctionCodeInput{}), fn->package_type, *fn, &zip);
      !s.ok()) {
    return done(std::move(s));
  }
  if (input.architectures) fn->architecture = input.architectures->front();
  fn->tags = std::move(input.tags);
  fn->declared_invoke_url = std::move(input.declared_invoke_url);
  fn->last_modified_ms = clock_.NowMillis();
  fn->revision_id = NewUuidV4();
  Commit(std::move(fn), std::move(zip), /*must_be_new=*/true, std::move(done));
}

Status Functions::Declare(const std::string& name, const std::string& runtime,
                          const std::string& handler, int timeout_seconds, int memory_size_mb,
                          const std::string& invoke_url) {
  STREAMSTACK_ASSIGN_OR_RETURN(auto parsed, ParseFunctionName(name, NameShape::kFunctionName));
  FunctionSettings s;
  s.runtime = runtime;
  s.handler = handler;
  s.timeout_seconds = timeout_seconds;
  s.memory_size_mb = memory_size_mb;
  // Held to what UpdateFunctionConfiguration's request would be, by the one request reader.
  json request = {{"FunctionName", name},
                  {"Runtime", runtime},
                  {"Handler", handler},
                  {"Timeout", timeout_seconds},
                  {"MemorySize", memory_size_mb}};
  STREAMSTACK_RETURN_IF_ERROR(LambdaRequests().Validate("UpdateFunctionConfiguration", request));
  auto fn = std::make_shared<Function>();
  if (auto existing = Find(parsed.name)) {
    // Unchanged since the last start: keep its RevisionId and LastModified.
    if (existing->runtime == runtime && existing->handler == handler &&
        existing->timeout_seconds == timeout_seconds &&
        existing->memory_size_mb == memory_size_mb && existing->declared_invoke_url == invoke_url) {
      return Status::Ok();
    }
    *fn = *existing;
  } else {
    fn->name = parsed.name;
    fn->arn = ArnOf(fn->name);
    fn->role = "arn:aws:iam::" + scope_.account_id + ":role/streamstack-declared-function";
    // An empty zip archive (just the end-of-central-directory record).
    std::string empty_zip("PK\x05\x06", 4);
    empty_zip.append(18, '\0');
    fn->code_size = static_cast<int64_t>(empty_zip.size());
    fn->code_sha256 = Base64Encode(Sha256(empty_zip));
  }
  ApplySettings(s, *fn);
  fn->declared_invoke_url = invoke_url;
  fn->last_modified_ms = clock_.NowMillis();
  fn->revision_id = NewUuidV4();
  std::promise<Status> promise;
  auto future = promise.get_future();
  Commit(fn, std::nullopt, false,
         [&promise](Result<Function> r) { promise.set_value(r.ok() ? Status::Ok() : r.status()); });
  return future.get();
}

void Functions::Mutate(const std::string& function_name, std::function<Status(Function&)> change,
                       std::optional<std::string> zip, Callback<Function> done, bool touch) {
  auto name = ParseFunctionName(function_name, NameShape::kFunctionName);
  if (!name.ok()) return done(name.status());
  if (!name->qualifier.empty() && name->qualifier != "$LATEST") {
    return done(NotFound(name->name, name->qualifier));
  }
  auto result = std::make_shared<Function>();
  std::string plain = name->name;
  store_.Write(
      [this, plain, change = std::move(change), zip = std::move(zip), result,
       touch](storage::WriteContext& ctx) -> Status {
        auto& db = ctx.db();
        bool found = false;
        STREAMSTACK_ASSIGN_OR_RETURN(auto current, ReadFunctionRow(db, plain, scope_, &found));
        if (!found) return NotFound(plain);
        Function f = std::move(current);
        std::optional<std::string> new_zip = zip;
        STREAMSTACK_RETURN_IF_ERROR(change(f));
        if (touch) {  // AWS: tagging changes neither LastModified nor RevisionId
          f.last_modified_ms = clock_.NowMillis();
          f.revision_id = NewUuidV4();
        }
        auto& stmt = db.Prepare(kUpdateRecord);
        stmt.Bind(1, FunctionToRecord(f).dump());
        stmt.Bind(2, plain);
        STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
        if (new_zip) {
          auto& code = db.Prepare(kUpsertCode);
          code.Bind(1, plain);
          code.Bind(2, storage::Blob(std::string_view(*new_zip)));
          STREAMSTACK_RETURN_IF_ERROR(code.Run());
        }
        *result = f;
        auto cached = std::make_shared<const Function>(std::move(f));
        ctx.OnCommit([this, cached, touch] {
          {
            WriterLock lock(mu_);
            by_name_[cached->name] = cached;
          }
          if (touch && on_change_) on_change_(cached->name);
        });
        return Status::Ok();
      },
      [result, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(Function(*result));
      });
}

void Functions::UpdateConfiguration(const std::string& function_name, FunctionSettings settings,
                                    Callback<Function> done) {
  if (auto s = CheckEnvironment(settings); !s.ok()) return done(std::move(s));
  std::optional<std::vector<std::pair<std::string, int64_t>>> layers;
  if (settings.layers) {
    auto resolved = ResolveLayers(*settings.layers);
    if (!resolved.ok()) return done(resolved.status());
    layers = std::move(resolved).value();
  }
  Mutate(
      function_name,
      [settings = std::move(settings), layers = std::move(layers)](Function& f) -> Status {
        ApplySettings(settings, f);
        if (layers) f.layers = *layers;
        if (f.package_type == "Image" && (settings.runtime || settings.handler)) {
          // AWS: image functions take neither; keep it lenient but consistent.
          f.runtime.clear();
          f.handler.clear();
        }
        return Status::Ok();
      },
      std::nullopt, std::move(done));
}

void Functions::UpdateCode(const std::string& function_name, UpdateFunctionCodeInput input,
                           Callback<Function> done) {
  // The zip is checked (and its digest taken) inside the change; its bytes are stored with it.
  std::optional<std::string> zip = input.code.zip_file;
  Mutate(
      function_name,
      [input = std::move(input)](Function& f) -> Status {
        std::optional<std::string> ignored;
        STREAMSTACK_RETURN_IF_ERROR(ApplyCode(input.code, f.package_type, f, &ignored));
        if (input.architectures) f.architecture = input.architectures->front();
        return Status::Ok();
      },
      std::move(zip), std::move(done));
}

void Functions::Delete(const std::string& function_name, Callback<bool> done) {
  auto name = ParseFunctionName(function_name, NameShape::kNamespaced);
  if (!name.ok()) return done(name.status());
  if (!name->qualifier.empty()) return DeleteQualified(*name, std::move(done));
  std::string plain = name->name;
  store_.Write(
      [this, plain](storage::WriteContext& ctx) -> Status {
        auto& stmt = ctx.db().Prepare(kDeleteRecord);
        stmt.Bind(1, plain);
        STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
        if (ctx.db().Changes() == 0) return NotFound(plain);
        // Its code, versions, aliases and policies go with it.
        for (const char* sql : {kDeleteCode, kDeleteVersions, kDeleteAliases, kDeletePolicies,
                                kDeleteInvokeConfigs, kDeleteProvisioned, kDeleteFunctionUrls}) {
          auto& gone = ctx.db().Prepare(sql);
          gone.Bind(1, plain);
          STREAMSTACK_RETURN_IF_ERROR(gone.Run());
        }
        ctx.OnCommit([this, plain] {
          {
            WriterLock lock(mu_);
            by_name_.erase(plain);
            versions_.erase(plain);
            aliases_.erase(plain);
            invoke_configs_.erase(plain);
            provisioned_.erase(plain);
            if (auto urls = urls_.find(plain); urls != urls_.end()) {
              for (const auto& [qualifier, url] : urls->second) url_ids_.erase(url.url_id);
              urls_.erase(urls);
            }
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

Result<Functions::Code> Functions::GetCode(const std::string& plain_name,
                                           const std::string& version) const {
  const bool latest = version == "$LATEST";
  if (latest ? !Exists(plain_name) : FindVersion(plain_name, version) == nullptr) {
    return NotFound(plain_name, latest ? "" : version);
  }
  STREAMSTACK_ASSIGN_OR_RETURN(
      auto zip, store_.Read([&](storage::Database& db) -> Result<std::optional<std::string>> {
        auto& stmt = db.Prepare(latest ? kSelectCode : kSelectVersionCode);
        stmt.Bind(1, plain_name);
        if (!latest) stmt.Bind(2, std::stoll(version));
        STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
        if (!row) return std::optional<std::string>();
        return std::optional<std::string>(std::string(stmt.ColumnBlob(0).bytes()));
      }));
  if (!zip.has_value()) {
    return Status(AwsError::kInvalidParameterValue,
                  "Function " + plain_name + " has no zip code StreamStack holds");
  }
  Code code;
  code.sha256 = Base64Encode(Sha256(*zip));
  code.zip = std::move(*zip);
  return code;
}

Result<Function> Functions::Get(const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  STREAMSTACK_ASSIGN_OR_RETURN(auto fn, Resolve(name, /*route=*/false));
  Function out(*fn);
  // Named with a qualifier, AWS answers with the ARN as named (an alias's ARN with its
  // version's configuration; "...:$LATEST" for $LATEST).
  if (!name.qualifier.empty()) out.arn = ArnOf(out.name) + ":" + name.qualifier;
  return out;
}

Result<FunctionTarget> Functions::ResolveInvokeTarget(const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  auto resolved = Resolve(name, /*route=*/true);
  if (!resolved.ok()) {
    // AWS's Invoke names the missing function with the $LATEST it would have run.
    if (name.qualifier.empty() && !Exists(name.name)) return NotFound(name.name, "$LATEST");
    return resolved.status();
  }
  const Function* fn = resolved->get();
  FunctionTarget t;
  t.function_name = fn->name;
  t.function_arn = ArnOf(fn->name);
  t.invoked_function_arn =
      name.qualifier.empty() ? t.function_arn : t.function_arn + ":" + name.qualifier;
  t.version = fn->version;
  t.invoke_url = fn->InvokeUrl();
  t.runtime = fn->runtime;
  t.handler = fn->handler;
  t.code_sha256 = fn->code_sha256;
  t.revision_id = fn->revision_id;
  t.timeout_seconds = fn->timeout_seconds;
  t.memory_size_mb = fn->memory_size_mb;
  t.environment = fn->environment;
  t.reserved_concurrency = fn->reserved_concurrency;
  for (const auto& [arn, size] : fn->layers) t.layers.push_back(arn);
  return t;
}

Result<FunctionPage> Functions::List(const std::string& marker, int max_items) const {
  max_items = std::max(max_items, 1);  // the request reader holds MaxItems to 1..10000
  std::string after;
  if (!marker.empty() && !Base64Decode(marker, &after)) {
    return Status(AwsError::kInvalidParameterValue, "Invalid marker: " + marker);
  }
  FunctionPage page;
  ReaderLock lock(mu_);
  auto it = marker.empty() ? by_name_.begin() : by_name_.upper_bound(after);
  for (; it != by_name_.end(); ++it) {
    if (static_cast<int>(page.functions.size()) == max_items) {
      page.next_marker = Base64Encode(page.functions.back().name);
      break;
    }
    page.functions.push_back(*it->second);
  }
  return page;
}

int Functions::ReservedConcurrencyTotal() const {
  ReaderLock lock(mu_);
  int total = 0;
  for (const auto& [name, fn] : by_name_) total += std::max(fn->reserved_concurrency, 0);
  return total;
}

Functions::Usage Functions::AccountUsage() const {
  ReaderLock lock(mu_);
  Usage usage;
  for (const auto& [name, fn] : by_name_) {
    ++usage.function_count;
    usage.total_code_size += fn->code_size;
  }
  for (const auto& [name, versions] : versions_) {
    for (const auto& [number, version] : versions) usage.total_code_size += version->code_size;
  }
  return usage;
}

void Functions::PutConcurrency(const std::string& function_name, std::optional<int> reserved,
                               Callback<Function> done) {
  Mutate(
      function_name,
      [this, reserved](Function& f) -> Status {
        if (reserved) {
          int others = ReservedConcurrencyTotal() - std::max(f.reserved_concurrency, 0);
          if (others + *reserved > kAccountConcurrency - kMinimumUnreservedConcurrency) {
            return Status(AwsError::kInvalidParameterValue,
                          "Specified ReservedConcurrentExecutions for function decreases "
                          "account's UnreservedConcurrentExecution below its minimum value of [" +
                              std::to_string(kMinimumUnreservedConcurrency) + "].");
          }
        }
        f.reserved_concurrency = reserved.value_or(-1);
        return Status::Ok();
      },
      std::nullopt, std::move(done), /*touch=*/false);
}

void Functions::TagResource(const std::string& arn, Tags tags, Callback<bool> done) {
  auto name = ParseFunctionName(arn, NameShape::kNamespaced, "resource");
  if (!name.ok()) return done(name.status());
  Mutate(
      name->name,
      [tags = std::move(tags)](Function& f) -> Status {
        for (const auto& [k, v] : tags) f.tags[k] = v;
        return Status::Ok();
      },
      std::nullopt,
      [done = std::move(done)](Result<Function> r) {
        if (!r.ok()) return done(r.status());
        done(true);
      },
      /*touch=*/false);
}

void Functions::UntagResource(const std::string& arn, std::vector<std::string> keys,
                              Callback<bool> done) {
  auto name = ParseFunctionName(arn, NameShape::kNamespaced, "resource");
  if (!name.ok()) return done(name.status());
  Mutate(
      name->name,
      [keys = std::move(keys)](Function& f) -> Status {
        for (const auto& k : keys) f.tags.erase(k);
        return Status::Ok();
      },
      std::nullopt,
      [done = std::move(done)](Result<Function> r) {
        if (!r.ok()) return done(r.status());
        done(true);
      },
      /*touch=*/false);
}

Result<Tags> Functions::ListTags(const std::string& arn) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto fn, Get(arn));
  return fn.tags;
}

Result<std::vector<std::pair<std::string, int64_t>>> Functions::ResolveLayers(
    const std::vector<std::string>& arns) const {
  // AWS's answers, as recorded in LocalStack's TestLambdaLayer::test_layer_function_exceptions.
  if (arns.size() > 5) {
    return Status(AwsError::kInvalidParameterValue, "Cannot reference more than 5 layers.");
  }
  std::vector<std::pair<std::string, int64_t>> out;
  std::map<std::string, std::string> seen;  // layer name -> the version ARN named first
  for (const auto& arn : arns) {
    auto parsed = Layers::ParseVersionArn(arn);
    if (!parsed) {
      std::string listing;
      for (const auto& a : arns) listing += (listing.empty() ? "" : ", ") + a;
      return ValidationError(
          "1 validation error detected: Value '[" + listing +
          "]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: "
          "[Member must have length less than or equal to 2048, Member must have length "
          "greater than or equal to 1, Member must satisfy regular expression pattern: "
          "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|"
          "(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]");
    }
    if (arn.find(":lambda:" + scope_.region + ":") == std::string::npos) {
      return Status(AwsError::kInvalidParameterValue,
                    "Layers are not in the same region as the function. Layers are expected to "
                    "be in region " +
                        scope_.region + ".");
    }
    if (auto it = seen.find(parsed->first); it != seen.end()) {
      return Status(AwsError::kInvalidParameterValue,
                    "Two different versions of the same layer are not allowed to be referenced "
                    "in the same function. " +
                        it->second + " and " + arn + " are versions of the same layer.");
    }
    seen.emplace(parsed->first, arn);
    auto version = layers_ == nullptr
                       ? Result<LayerVersion>(Status(AwsError::kResourceNotFound, "no layers"))
                       : layers_->GetByArn(arn);
    if (!version.ok()) {
      return Status(AwsError::kInvalidParameterValue, "Layer version " + arn + " does not exist.");
    }
    out.emplace_back(arn, version->code_size);
  }
  return out;
}

}  // namespace streamstack::lambda
