#include "streamstack/lambda/layers.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <memory>

#include "lambda/policy_record.h"
#include "lambda/schema.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

constexpr const char* kNextVersion =
    "INSERT INTO lambda_layers (name, last_version) VALUES (?, 1) "
    "ON CONFLICT (name) DO UPDATE SET last_version = last_version + 1 RETURNING last_version";
constexpr const char* kInsertVersion =
    "INSERT INTO lambda_layer_versions (name, version, record, zip) VALUES (?, ?, ?, ?)";
constexpr const char* kSelectVersion =
    "SELECT record FROM lambda_layer_versions WHERE name = ? AND version = ?";
constexpr const char* kSelectVersions =
    "SELECT record FROM lambda_layer_versions WHERE name = ? ORDER BY version DESC";
constexpr const char* kSelectAll =
    "SELECT record FROM lambda_layer_versions ORDER BY name, version DESC";
constexpr const char* kSelectZip =
    "SELECT zip FROM lambda_layer_versions WHERE name = ? AND version = ?";
constexpr const char* kDeleteVersion =
    "DELETE FROM lambda_layer_versions WHERE name = ? AND version = ?";
constexpr const char* kDeletePolicy =
    "DELETE FROM lambda_layer_policies WHERE name = ? AND version = ?";
constexpr const char* kSelectPolicy =
    "SELECT record FROM lambda_layer_policies WHERE name = ? AND version = ?";
constexpr const char* kUpsertPolicy =
    "INSERT INTO lambda_layer_policies (name, version, record) VALUES (?, ?, ?) "
    "ON CONFLICT (name, version) DO UPDATE SET record = excluded.record";
constexpr const char* kSumCodeSize =
    "SELECT COALESCE(SUM(length(zip)), 0) FROM lambda_layer_versions";
constexpr const char* kGetLayerPolicyApi = "GetLayerPolicy";  // named in PreconditionFailed

Status NoSuchResource() {
  return Status(AwsError::kResourceNotFound, "The resource you requested does not exist.");
}

bool IsLayerName(std::string_view s) {
  return !s.empty() && s.size() <= 140 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

json ToRecord(const LayerVersion& v) {
  return json{{"name", v.layer_name},
              {"version", v.version},
              {"description", v.description},
              {"runtimes", v.compatible_runtimes},
              {"architectures", v.compatible_architectures},
              {"license", v.license_info},
              {"created_ms", v.created_ms},
              {"sha256", v.code_sha256},
              {"size", v.code_size}};
}

bool Suits(const LayerVersion& v, const std::string& runtime, const std::string& architecture) {
  auto has = [](const std::vector<std::string>& list, const std::string& x) {
    return x.empty() || std::find(list.begin(), list.end(), x) != list.end();
  };
  return has(v.compatible_runtimes, runtime) && has(v.compatible_architectures, architecture);
}

}  // namespace

Layers::Layers(storage::Store& store, Clock& clock, AccountScope scope)
    : store_(store), clock_(clock), scope_(std::move(scope)) {}

Status Layers::Open() { return store_.Migrate("lambda", kLambdaMigrations); }

std::string Layers::ArnOf(const std::string& layer_name) const {
  return "arn:aws:lambda:" + scope_.region + ":" + scope_.account_id + ":layer:" + layer_name;
}

std::optional<std::pair<std::string, int64_t>> Layers::ParseVersionArn(const std::string& arn) {
  constexpr std::string_view kMarker = ":layer:";
  size_t at = arn.find(kMarker);
  if (!arn.starts_with("arn:") || at == std::string::npos) return std::nullopt;
  std::string rest = arn.substr(at + kMarker.size());
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string number = rest.substr(colon + 1);
  if (number.empty() || number.size() > 18 ||
      !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::string name = rest.substr(0, colon);
  if (!IsLayerName(name)) return std::nullopt;
  return std::make_pair(name, std::stoll(number));
}

namespace {

LayerVersion FromRecord(const json& j, const Layers& layers) {
  LayerVersion v;
  v.layer_name = j.value("name", "");
  v.version = j.value("version", int64_t{0});
  v.layer_arn = layers.ArnOf(v.layer_name);
  v.layer_version_arn = v.layer_arn + ":" + std::to_string(v.version);
  v.description = j.value("description", "");
  v.compatible_runtimes = j.value("runtimes", std::vector<std::string>{});
  v.compatible_architectures = j.value("architectures", std::vector<std::string>{});
  v.license_info = j.value("license", "");
  v.created_ms = j.value("created_ms", int64_t{0});
  v.code_sha256 = j.value("sha256", "");
  v.code_size = j.value("size", int64_t{0});
  return v;
}

// The layer name of a LayerName member: a name or a layer ARN.
std::string PlainLayerName(const std::string& name) {
  size_t at = name.find(":layer:");
  return name.starts_with("arn:") && at != std::string::npos ? name.substr(at + 7) : name;
}

}  // namespace

void Layers::Publish(const std::string& layer_name, PublishLayerInput input,
                     Callback<LayerVersion> done) {
  const std::string name = PlainLayerName(layer_name);
  if (input.content_from_s3) {
    return done(Status(AwsError::kInvalidParameterValue,
                       "StreamStack holds no S3 service yet: publish the layer's zip as "
                       "Content.ZipFile"));
  }
  if (!input.zip) {
    return done(
        Status(AwsError::kInvalidParameterValue, "Please provide a source for layer content."));
  }
  auto version = std::make_shared<LayerVersion>();
  version->layer_name = name;
  version->layer_arn = ArnOf(name);
  version->description = input.description.value_or("");
  version->compatible_runtimes = std::move(input.compatible_runtimes);
  version->compatible_architectures = std::move(input.compatible_architectures);
  version->license_info = input.license_info.value_or("");
  version->created_ms = clock_.NowMillis();
  version->code_sha256 = Base64Encode(Sha256(*input.zip));
  version->code_size = static_cast<int64_t>(input.zip->size());
  auto zip = std::make_shared<std::string>(std::move(*input.zip));
  store_.Write(
      [version, zip](storage::WriteContext& ctx) -> Status {
        auto& next = ctx.db().Prepare(kNextVersion);
        next.Bind(1, version->layer_name);
        STREAMSTACK_RETURN_IF_ERROR(next.Step().status());
        version->version = next.ColumnInt64(0);
        next.Reset();
        version->layer_version_arn = version->layer_arn + ":" + std::to_string(version->version);
        auto& insert = ctx.db().Prepare(kInsertVersion);
        insert.Bind(1, version->layer_name);
        insert.Bind(2, version->version);
        insert.Bind(3, ToRecord(*version).dump());
        insert.Bind(4, storage::Blob(std::string_view(*zip)));
        return insert.Run();
      },
      [version, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(*version);
      });
}

Result<LayerVersion> Layers::Get(const std::string& layer_name, int64_t version) const {
  if (version < 1) {
    return Status(AwsError::kInvalidParameterValue, "Layer Version Cannot be less than 1");
  }
  const std::string name = PlainLayerName(layer_name);
  return store_.Read([&](storage::Database& db) -> Result<LayerVersion> {
    auto& st = db.Prepare(kSelectVersion);
    st.Bind(1, name);
    st.Bind(2, version);
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
    if (!row) return NoSuchResource();
    json j = json::parse(st.ColumnText(0), nullptr, false);
    st.Reset();
    return FromRecord(j, *this);
  });
}

Result<LayerVersion> Layers::GetByArn(const std::string& layer_version_arn) const {
  auto parsed = ParseVersionArn(layer_version_arn);
  if (!parsed) return NoSuchResource();  // names no version this store could hold
  return Get(parsed->first, parsed->second);
}

Result<std::vector<LayerVersion>> Layers::ListVersions(const std::string& layer_name,
                                                       const std::string& runtime,
                                                       const std::string& architecture) const {
  const std::string name = PlainLayerName(layer_name);
  return store_.Read([&](storage::Database& db) -> Result<std::vector<LayerVersion>> {
    std::vector<LayerVersion> out;
    auto& st = db.Prepare(kSelectVersions);
    st.Bind(1, name);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
      if (!row) break;
      LayerVersion v = FromRecord(json::parse(st.ColumnText(0), nullptr, false), *this);
      if (Suits(v, runtime, architecture)) out.push_back(std::move(v));
    }
    return out;
  });
}

Result<std::vector<LayerVersion>> Layers::ListLatest(const std::string& runtime,
                                                     const std::string& architecture) const {
  return store_.Read([&](storage::Database& db) -> Result<std::vector<LayerVersion>> {
    std::vector<LayerVersion> out;
    auto& st = db.Prepare(kSelectAll);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
      if (!row) break;
      LayerVersion v = FromRecord(json::parse(st.ColumnText(0), nullptr, false), *this);
      if (!out.empty() && out.back().layer_name == v.layer_name) continue;  // newest first
      if (Suits(v, runtime, architecture)) out.push_back(std::move(v));
    }
    return out;
  });
}

void Layers::Delete(const std::string& layer_name, int64_t version, Callback<bool> done) {
  if (version < 1) {
    return done(Status(AwsError::kInvalidParameterValue, "Layer Version Cannot be less than 1"));
  }
  const std::string name = PlainLayerName(layer_name);
  store_.Write(
      [name, version](storage::WriteContext& ctx) -> Status {
        // Its permissions go with it.
        for (const char* sql : {kDeleteVersion, kDeletePolicy}) {
          auto& st = ctx.db().Prepare(sql);
          st.Bind(1, name);
          st.Bind(2, version);
          STREAMSTACK_RETURN_IF_ERROR(st.Run());
        }
        return Status::Ok();
      },
      [done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(true);
      });
}

Result<Layers::Code> Layers::GetCode(const std::string& layer_version_arn) const {
  auto parsed = ParseVersionArn(layer_version_arn);
  if (!parsed) return NoSuchResource();
  return store_.Read([&](storage::Database& db) -> Result<Code> {
    auto& st = db.Prepare(kSelectZip);
    st.Bind(1, parsed->first);
    st.Bind(2, parsed->second);
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
    if (!row) return NoSuchResource();
    Code code;
    code.zip = std::string(st.ColumnBlob(0).bytes());
    st.Reset();
    code.sha256 = Base64Encode(Sha256(code.zip));
    return code;
  });
}

Result<int64_t> Layers::TotalCodeSize() const {
  return store_.Read([&](storage::Database& db) -> Result<int64_t> {
    auto& st = db.Prepare(kSumCodeSize);
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
    int64_t total = row ? st.ColumnInt64(0) : 0;
    st.Reset();
    return total;
  });
}

// Layer version permissions ------------------------------------------------------------------

namespace {

Result<PolicyRecord> LoadLayerPolicy(storage::Database& db, const std::string& name,
                                     int64_t version) {
  auto& st = db.Prepare(kSelectPolicy);
  st.Bind(1, name);
  st.Bind(2, version);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
  if (!row) return PolicyRecord(kGetLayerPolicyApi);
  PolicyRecord record = PolicyRecord::Parse(st.ColumnText(0), kGetLayerPolicyApi);
  st.Reset();
  return record;
}

Status SaveLayerPolicy(storage::Database& db, const std::string& name, int64_t version,
                       PolicyRecord& record) {
  auto& st = db.Prepare(record.empty() ? kDeletePolicy : kUpsertPolicy);
  st.Bind(1, name);
  st.Bind(2, version);
  if (!record.empty()) st.Bind(3, record.Encode());
  return st.Run();
}

}  // namespace

Result<std::string> Layers::ExistingVersionArn(storage::Database& db, const std::string& name,
                                               int64_t version) const {
  std::string arn = ArnOf(name) + ":" + std::to_string(version);
  auto& st = db.Prepare(kSelectVersion);
  st.Bind(1, name);
  st.Bind(2, version);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
  st.Reset();
  if (!row) return Status(AwsError::kResourceNotFound, "Layer version " + arn + " does not exist.");
  return arn;
}

void Layers::AddPermission(const std::string& layer_name, int64_t version,
                           LayerPermissionInput input, Callback<LayerPolicyText> done) {
  const std::string name = PlainLayerName(layer_name);
  auto out = std::make_shared<LayerPolicyText>();
  store_.Write(
      [this, name, version, input = std::move(input), out](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto arn, ExistingVersionArn(ctx.db(), name, version));
        // An account id is that account's root, as AWS writes it.
        nlohmann::ordered_json principal = input.principal.size() == 12
                                               ? "arn:aws:iam::" + input.principal + ":root"
                                               : input.principal;
        nlohmann::ordered_json statement = {{"Sid", input.statement_id},
                                            {"Effect", "Allow"},
                                            {"Principal", principal},
                                            {"Action", input.action},
                                            {"Resource", arn}};
        if (!input.organization_id.empty()) {
          statement["Condition"] = {
              {"StringEquals", {{"aws:PrincipalOrgID", input.organization_id}}}};
        }
        STREAMSTACK_ASSIGN_OR_RETURN(auto policy, LoadLayerPolicy(ctx.db(), name, version));
        STREAMSTACK_RETURN_IF_ERROR(policy.Add(statement, input.revision_id));
        STREAMSTACK_RETURN_IF_ERROR(SaveLayerPolicy(ctx.db(), name, version, policy));
        *out = LayerPolicyText{statement.dump(), policy.revision_id()};
        return Status::Ok();
      },
      [out, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(*out);
      });
}

void Layers::RemovePermission(const std::string& layer_name, int64_t version,
                              const std::string& statement_id,
                              std::optional<std::string> revision_id, Callback<bool> done) {
  const std::string name = PlainLayerName(layer_name);
  store_.Write(
      [this, name, version, statement_id, revision_id](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto arn, ExistingVersionArn(ctx.db(), name, version));
        STREAMSTACK_ASSIGN_OR_RETURN(auto policy, LoadLayerPolicy(ctx.db(), name, version));
        STREAMSTACK_RETURN_IF_ERROR(policy.Remove(statement_id, revision_id));
        return SaveLayerPolicy(ctx.db(), name, version, policy);
      },
      [done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(true);
      });
}

Result<LayerPolicyText> Layers::GetPolicy(const std::string& layer_name, int64_t version) const {
  const std::string name = PlainLayerName(layer_name);
  return store_.Read([&](storage::Database& db) -> Result<LayerPolicyText> {
    STREAMSTACK_ASSIGN_OR_RETURN(auto arn, ExistingVersionArn(db, name, version));
    STREAMSTACK_ASSIGN_OR_RETURN(auto policy, LoadLayerPolicy(db, name, version));
    if (policy.empty()) {
      return Status(AwsError::kResourceNotFound,
                    "No policy is associated with the given resource.");
    }
    return LayerPolicyText{policy.Document(), policy.revision_id()};
  });
}

}  // namespace streamstack::lambda
