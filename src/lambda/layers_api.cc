// lambda: the REST-JSON routes of layers (PublishLayerVersion, GetLayerVersion(ByArn),
// ListLayerVersions, ListLayers, DeleteLayerVersion, Add/RemoveLayerVersionPermission,
// GetLayerVersionPolicy). Answers as AWS gives them (recorded in
// LocalStack's TestLambdaLayer).
#include "lambda/layers_api.h"

#include <charconv>

#include "lambda/rest_wire.h"
#include "lambda/validation.h"

namespace streamstack::lambda {
namespace {

const protocol::ServiceWire kWire{protocol::WireProtocol::kRestJson, "", "", false};

json ContentJson(const LayerVersion& v, const AccountScope& scope) {
  // Shaped like AWS's pre-signed S3 URL; StreamStack does not serve the archive back.
  return json{{"Location", "https://awslambda-" + scope.region + "-layers.s3." + scope.region +
                               ".amazonaws.com/snapshots/" + scope.account_id + "/" + v.layer_name +
                               "-" + std::to_string(v.version)},
              {"CodeSha256", v.code_sha256},
              {"CodeSize", v.code_size}};
}

// The members every layer version answer shares (LayerVersionsListItem).
json ListItemJson(const LayerVersion& v) {
  json j = {{"LayerVersionArn", v.layer_version_arn},
            {"Version", v.version},
            {"Description", v.description},
            {"CreatedDate", FormatLambdaTimestamp(v.created_ms)},
            {"CompatibleRuntimes", v.compatible_runtimes},
            {"CompatibleArchitectures", v.compatible_architectures}};
  if (!v.license_info.empty()) j["LicenseInfo"] = v.license_info;
  return j;
}

json LayerVersionJson(const LayerVersion& v, const AccountScope& scope) {
  json j = ListItemJson(v);
  j["Content"] = ContentJson(v, scope);
  j["LayerArn"] = v.layer_arn;
  return j;
}

// The {VersionNumber} of the path; anything but a number reads as 0 (below 1: AWS's error).
int64_t VersionNumber(const RequestContext& ctx) {
  std::string text = PathParam(ctx, "VersionNumber");
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end == text.data() + text.size() ? n : 0;
}

Status CheckFilters(const std::string& runtime, const std::string& architecture) {
  Violations v;
  if (!runtime.empty()) v.Enum(runtime, "compatibleRuntime", KnownRuntimes());
  if (!architecture.empty()) v.Enum(architecture, "compatibleArchitecture", {"x86_64", "arm64"});
  return v.ToStatus();
}

struct LayerApi {
  Layers& layers;
  AccountScope scope;

  void Publish(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json body = ParseBody(ctx);
      PublishLayerInput in;
      in.description = OptString(body, "Description");
      in.license_info = OptString(body, "LicenseInfo");
      in.compatible_runtimes =
          OptStringList(body, "CompatibleRuntimes").value_or(std::vector<std::string>{});
      in.compatible_architectures =
          OptStringList(body, "CompatibleArchitectures").value_or(std::vector<std::string>{});
      if (const json* content = OptObject(body, "Content")) {
        if (auto zip = OptString(*content, "ZipFile")) {
          std::string bytes;
          if (!Base64Decode(*zip, &bytes)) throw DecodeError{BadContent("ZipFile is not base64")};
          in.zip = std::move(bytes);
        }
        in.content_from_s3 = OptString(*content, "S3Bucket").has_value();
      } else {
        Violations v;
        v.NotNull(false, "content");
        return reply(v.ToStatus());
      }
      layers.Publish(PathParam(ctx, "LayerName"), std::move(in),
                     Answer<LayerVersion>(reply, [this](const LayerVersion& v) {
                       return JsonResponse(201, LayerVersionJson(v, scope));
                     }));
    });
  }

  void Get(const RequestContext& ctx, RestReply reply) {
    auto v = layers.Get(PathParam(ctx, "LayerName"), VersionNumber(ctx));
    if (!v.ok()) return reply(ErrorResult(v.status()));
    reply(JsonResponse(200, LayerVersionJson(*v, scope)));
  }

  void GetByArn(const RequestContext& ctx, RestReply reply) {
    if (Query(ctx, "find") != "LayerVersion") return ListLayers(ctx, std::move(reply));
    auto v = layers.GetByArn(Query(ctx, "Arn"));
    if (!v.ok()) return reply(ErrorResult(v.status()));
    reply(JsonResponse(200, LayerVersionJson(*v, scope)));
  }

  void ListVersions(const RequestContext& ctx, RestReply reply) {
    std::string runtime = Query(ctx, "CompatibleRuntime");
    std::string architecture = Query(ctx, "CompatibleArchitecture");
    if (Status s = CheckFilters(runtime, architecture); !s.ok()) return reply(s);
    auto versions = layers.ListVersions(PathParam(ctx, "LayerName"), runtime, architecture);
    if (!versions.ok()) return reply(ErrorResult(versions.status()));
    json list = json::array();
    for (const auto& v : *versions) list.push_back(ListItemJson(v));
    reply(JsonResponse(200, json{{"LayerVersions", std::move(list)}}));
  }

  void ListLayers(const RequestContext& ctx, RestReply reply) {
    std::string runtime = Query(ctx, "CompatibleRuntime");
    std::string architecture = Query(ctx, "CompatibleArchitecture");
    if (Status s = CheckFilters(runtime, architecture); !s.ok()) return reply(s);
    auto latest = layers.ListLatest(runtime, architecture);
    if (!latest.ok()) return reply(ErrorResult(latest.status()));
    json list = json::array();
    for (const auto& v : *latest) {
      list.push_back({{"LayerName", v.layer_name},
                      {"LayerArn", v.layer_arn},
                      {"LatestMatchingVersion", ListItemJson(v)}});
    }
    reply(JsonResponse(200, json{{"Layers", std::move(list)}}));
  }

  void AddPermission(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json body = ParseBody(ctx);
      LayerPermissionInput in;
      auto statement_id = OptString(body, "StatementId");
      auto action = OptString(body, "Action");
      auto principal = OptString(body, "Principal");
      Violations v;
      v.NotNull(statement_id.has_value(), "statementId");
      v.NotNull(action.has_value(), "action");
      v.NotNull(principal.has_value(), "principal");
      if (Status s = v.ToStatus(); !s.ok()) return reply(s);
      in.statement_id = *statement_id;
      in.action = *action;
      in.principal = *principal;
      in.organization_id = OptString(body, "OrganizationId").value_or("");
      std::string revision = Query(ctx, "RevisionId");
      if (!revision.empty()) in.revision_id = revision;
      layers.AddPermission(
          PathParam(ctx, "LayerName"), VersionNumber(ctx), std::move(in),
          Answer<LayerPolicyText>(reply, [](const LayerPolicyText& p) {
            return JsonResponse(201, json{{"Statement", p.text}, {"RevisionId", p.revision_id}});
          }));
    });
  }

  void RemovePermission(const RequestContext& ctx, RestReply reply) {
    std::string revision = Query(ctx, "RevisionId");
    layers.RemovePermission(PathParam(ctx, "LayerName"), VersionNumber(ctx),
                            PathParam(ctx, "StatementId"),
                            revision.empty() ? std::nullopt : std::optional(revision),
                            Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
  }

  void GetPolicy(const RequestContext& ctx, RestReply reply) {
    auto policy = layers.GetPolicy(PathParam(ctx, "LayerName"), VersionNumber(ctx));
    if (!policy.ok()) return reply(ErrorResult(policy.status()));
    reply(JsonResponse(200, json{{"Policy", policy->text}, {"RevisionId", policy->revision_id}}));
  }

  void Delete(const RequestContext& ctx, RestReply reply) {
    layers.Delete(PathParam(ctx, "LayerName"), VersionNumber(ctx),
                  Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
  }
};

}  // namespace

void RegisterLayerRoutes(protocol::Router& router, Layers& layers, const AccountScope& scope) {
  auto api = std::make_shared<LayerApi>(LayerApi{layers, scope});
  using Handler = void (LayerApi::*)(const RequestContext&, RestReply);
  auto add = [&](const char* method, const char* pattern, const char* op, Handler handler) {
    router.AddRestRoute("lambda", kWire, method, pattern, op,
                        [api, handler](const RequestContext& c, RestReply r) {
                          ((*api).*handler)(c, std::move(r));
                        });
  };
  add("POST", "/2018-10-31/layers/{LayerName}/versions", "PublishLayerVersion", &LayerApi::Publish);
  add("GET", "/2018-10-31/layers/{LayerName}/versions", "ListLayerVersions",
      &LayerApi::ListVersions);
  add("GET", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}", "GetLayerVersion",
      &LayerApi::Get);
  add("DELETE", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}", "DeleteLayerVersion",
      &LayerApi::Delete);
  const char* policy = "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy";
  add("POST", policy, "AddLayerVersionPermission", &LayerApi::AddPermission);
  add("GET", policy, "GetLayerVersionPolicy", &LayerApi::GetPolicy);
  add("DELETE", "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}/policy/{StatementId}",
      "RemoveLayerVersionPermission", &LayerApi::RemovePermission);
  // GET /2018-10-31/layers is ListLayers, or GetLayerVersionByArn with ?find=LayerVersion.
  add("GET", "/2018-10-31/layers", "ListLayers", &LayerApi::GetByArn);
}

}  // namespace streamstack::lambda
