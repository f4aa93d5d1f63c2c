// lambda: the REST-JSON routes of layers (PublishLayerVersion, GetLayerVersion(ByArn),
// ListLayerVersions, ListLayers, DeleteLayerVersion, Add/RemoveLayerVersionPermission,
// GetLayerVersionPolicy). Every request is read and validated through Lambda's input model
// (ReadRequest); answers as AWS gives them (recorded in LocalStack's TestLambdaLayer).
#include "lambda/layers_api.h"

#include "lambda/rest_wire.h"

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

// Members of a request ReadRequest accepted (their JSON types are the model's).
std::string Text(const json& request, const char* member) {
  return request.value(member, std::string());
}
// The {VersionNumber} of the path (a long; the model holds it to being a whole number, and
// Layers answers one below 1).
int64_t VersionNumber(const json& request) { return request.value("VersionNumber", int64_t{0}); }
std::vector<std::string> TextList(const json& request, const char* member) {
  return request.value(member, std::vector<std::string>{});
}

struct LayerApi {
  Layers& layers;
  AccountScope scope;

  void Publish(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "PublishLayerVersion");
      PublishLayerInput in;
      in.description = protocol::StringMember(request, "Description");
      in.license_info = protocol::StringMember(request, "LicenseInfo");
      in.compatible_runtimes = TextList(request, "CompatibleRuntimes");
      in.compatible_architectures = TextList(request, "CompatibleArchitectures");
      const json& content = request.at("Content");  // required
      if (auto zip = protocol::StringMember(content, "ZipFile")) {
        std::string bytes;
        if (!Base64Decode(*zip, &bytes)) throw DecodeError{BadContent("ZipFile is not base64")};
        in.zip = std::move(bytes);
      }
      in.content_from_s3 = protocol::StringMember(content, "S3Bucket").has_value();
      layers.Publish(Text(request, "LayerName"), std::move(in),
                     Answer<LayerVersion>(reply, [this](const LayerVersion& v) {
                       return JsonResponse(201, LayerVersionJson(v, scope));
                     }));
    });
  }

  void Get(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "GetLayerVersion");
      auto v = layers.Get(Text(request, "LayerName"), VersionNumber(request));
      if (!v.ok()) return reply(ErrorResult(v.status()));
      reply(JsonResponse(200, LayerVersionJson(*v, scope)));
    });
  }

  void GetByArn(const RequestContext& ctx, RestReply reply) {
    if (Query(ctx, "find") != "LayerVersion") return ListLayers(ctx, std::move(reply));
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "GetLayerVersionByArn");
      auto v = layers.GetByArn(Text(request, "Arn"));
      if (!v.ok()) return reply(ErrorResult(v.status()));
      reply(JsonResponse(200, LayerVersionJson(*v, scope)));
    });
  }

  void ListVersions(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "ListLayerVersions");
      auto versions =
          layers.ListVersions(Text(request, "LayerName"), Text(request, "CompatibleRuntime"),
                              Text(request, "CompatibleArchitecture"));
      if (!versions.ok()) return reply(ErrorResult(versions.status()));
      json list = json::array();
      for (const auto& v : *versions) list.push_back(ListItemJson(v));
      reply(JsonResponse(200, json{{"LayerVersions", std::move(list)}}));
    });
  }

  void ListLayers(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "ListLayers");
      auto latest = layers.ListLatest(Text(request, "CompatibleRuntime"),
                                      Text(request, "CompatibleArchitecture"));
      if (!latest.ok()) return reply(ErrorResult(latest.status()));
      json list = json::array();
      for (const auto& v : *latest) {
        list.push_back({{"LayerName", v.layer_name},
                        {"LayerArn", v.layer_arn},
                        {"LatestMatchingVersion", ListItemJson(v)}});
      }
      reply(JsonResponse(200, json{{"Layers", std::move(list)}}));
    });
  }

  void AddPermission(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "AddLayerVersionPermission");
      LayerPermissionInput in;
      in.statement_id = Text(request, "StatementId");
      in.action = Text(request, "Action");
      in.principal = Text(request, "Principal");
      in.organization_id = Text(request, "OrganizationId");
      in.revision_id = protocol::StringMember(request, "RevisionId");
      layers.AddPermission(
          Text(request, "LayerName"), VersionNumber(request), std::move(in),
          Answer<LayerPolicyText>(reply, [](const LayerPolicyText& p) {
            return JsonResponse(201, json{{"Statement", p.text}, {"RevisionId", p.revision_id}});
          }));
    });
  }

  void RemovePermission(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "RemoveLayerVersionPermission");
      layers.RemovePermission(Text(request, "LayerName"), VersionNumber(request),
                              Text(request, "StatementId"),
                              protocol::StringMember(request, "RevisionId"),
                              Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
    });
  }

  void GetPolicy(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "GetLayerVersionPolicy");
      auto policy = layers.GetPolicy(Text(request, "LayerName"), VersionNumber(request));
      if (!policy.ok()) return reply(ErrorResult(policy.status()));
      reply(JsonResponse(200, json{{"Policy", policy->text}, {"RevisionId", policy->revision_id}}));
    });
  }

  void Delete(const RequestContext& ctx, RestReply reply) {
    Guard(reply, [&] {
      json request = ReadRequest(ctx, "DeleteLayerVersion");
      layers.Delete(Text(request, "LayerName"), VersionNumber(request),
                    Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
    });
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
