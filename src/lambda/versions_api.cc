#include "lambda/versions_api.h"

#include "lambda/rest_wire.h"
#include "streamstack/common/violations.h"
#include "streamstack/lambda/lambda_api.h"

namespace streamstack::lambda {
namespace {

const protocol::ServiceWire kWire{protocol::WireProtocol::kRestJson, "", "", false};

json AliasJson(const Alias& a) {
  json j = {{"AliasArn", a.arn},
            {"Name", a.name},
            {"FunctionVersion", a.function_version},
            {"Description", a.description},
            {"RevisionId", a.revision_id}};
  // AWS leaves RoutingConfig out when it routes nowhere else.
  if (!a.additional_version_weights.empty()) {
    j["RoutingConfig"] = {{"AdditionalVersionWeights", a.additional_version_weights}};
  }
  return j;
}

AliasInput DecodeAlias(const json& body) {
  AliasInput in;
  in.function_version = OptString(body, "FunctionVersion");
  in.description = OptString(body, "Description");
  in.revision_id = OptString(body, "RevisionId");
  if (const json* routing = OptObject(body, "RoutingConfig")) {
    in.additional_version_weights = OptNumberMap(*routing, "AdditionalVersionWeights")
                                        .value_or(std::map<std::string, double>{});
  }
  return in;
}

// PublishVersion and the listings read every request through the input model.
void PublishVersion(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "PublishVersion");
    PublishVersionInput in;
    in.code_sha256 = protocol::StringMember(request, "CodeSha256");
    in.description = protocol::StringMember(request, "Description");
    in.revision_id = protocol::StringMember(request, "RevisionId");
    functions.PublishVersion(request.value("FunctionName", std::string()), std::move(in),
                             Answer<Function>(reply, [](const Function& v) {
                               return JsonResponse(201, FunctionConfigurationJson(v));
                             }));
  });
}

void ListVersionsByFunction(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "ListVersionsByFunction");
    auto versions = functions.ListVersions(request.value("FunctionName", std::string()));
    if (!versions.ok()) return reply(ErrorResult(versions.status()));
    auto page = Page(std::move(versions).value(), request.value("Marker", std::string()),
                     protocol::IntMember(request, "MaxItems").value_or(50));
    if (!page.ok()) return reply(page.status());
    json list = json::array();
    for (const auto& fn : page->first) {
      json entry = FunctionConfigurationJson(fn);
      entry.erase("State");  // AWS's list entries carry no state
      entry.erase("LastUpdateStatus");
      list.push_back(std::move(entry));
    }
    json out = {{"Versions", std::move(list)}};
    if (!page->second.empty()) out["NextMarker"] = page->second;
    reply(JsonResponse(200, out));
  });
}

// The alias operations read every request through the input model: the function and alias
// names (path or body), FunctionVersion, Description and the routing weights in one pass.
void CreateAlias(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "CreateAlias");
    functions.CreateAlias(
        request.at("FunctionName").get<std::string>(), request.at("Name").get<std::string>(),
        DecodeAlias(request),
        Answer<Alias>(reply, [](const Alias& a) { return JsonResponse(201, AliasJson(a)); }));
  });
}

void GetAlias(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "GetAlias");
    auto alias = functions.GetAlias(request.at("FunctionName").get<std::string>(),
                                    request.at("Name").get<std::string>());
    if (!alias.ok()) return reply(ErrorResult(alias.status()));
    reply(JsonResponse(200, AliasJson(*alias)));
  });
}

void UpdateAlias(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "UpdateAlias");
    functions.UpdateAlias(
        request.at("FunctionName").get<std::string>(), request.at("Name").get<std::string>(),
        DecodeAlias(request),
        Answer<Alias>(reply, [](const Alias& a) { return JsonResponse(200, AliasJson(a)); }));
  });
}

void DeleteAlias(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "DeleteAlias");
    functions.DeleteAlias(request.at("FunctionName").get<std::string>(),
                          request.at("Name").get<std::string>(),
                          Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
  });
}

void ListAliases(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "ListAliases");
    auto aliases = functions.ListAliases(request.value("FunctionName", std::string()),
                                         request.value("FunctionVersion", std::string()));
    if (!aliases.ok()) return reply(ErrorResult(aliases.status()));
    auto page = Page(std::move(aliases).value(), request.value("Marker", std::string()),
                     protocol::IntMember(request, "MaxItems").value_or(50));
    if (!page.ok()) return reply(page.status());
    json list = json::array();
    for (const auto& a : page->first) list.push_back(AliasJson(a));
    json out = {{"Aliases", std::move(list)}};
    if (!page->second.empty()) out["NextMarker"] = page->second;
    reply(JsonResponse(200, out));
  });
}

// Permissions -------------------------------------------------------------------------------

// The permission operations read every request through the input model (FunctionName,
// Qualifier and the body in one pass), then fold the Qualifier into the name.
void AddPermission(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "AddPermission");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    auto text = [&](const char* member) { return request.value(member, std::string()); };
    PermissionInput in;
    in.statement_id = text("StatementId");
    in.action = text("Action");
    in.principal = text("Principal");
    in.source_arn = text("SourceArn");
    in.source_account = text("SourceAccount");
    in.event_source_token = text("EventSourceToken");
    in.principal_org_id = text("PrincipalOrgID");
    in.function_url_auth_type = text("FunctionUrlAuthType");
    in.revision_id = protocol::StringMember(request, "RevisionId");
    functions.AddPermission(*name, std::move(in),
                            Answer<std::string>(reply, [](const std::string& statement) {
                              return JsonResponse(201, json{{"Statement", statement}});
                            }));
  });
}

void RemovePermission(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "RemovePermission");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    functions.RemovePermission(*name, request.value("StatementId", std::string()),
                               protocol::StringMember(request, "RevisionId"),
                               Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
  });
}

void GetPolicy(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "GetPolicy");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    auto policy = functions.GetPolicy(*name);
    if (!policy.ok()) return reply(ErrorResult(policy.status()));
    reply(
        JsonResponse(200, json{{"Policy", policy->document}, {"RevisionId", policy->revision_id}}));
  });
}

// Asynchronous invocation settings -----------------------------------------------------------

json EventInvokeConfigJson(const EventInvokeConfig& c, const Functions& functions) {
  json success = json::object();
  json failure = json::object();
  if (!c.on_success.empty()) success["Destination"] = c.on_success;
  if (!c.on_failure.empty()) failure["Destination"] = c.on_failure;
  json j = {{"LastModified", static_cast<double>(c.last_modified_ms) / 1000.0},
            {"FunctionArn", functions.ArnOf(c.function_name) + ":" + c.qualifier},
            {"DestinationConfig", {{"OnSuccess", success}, {"OnFailure", failure}}}};
  if (c.maximum_retry_attempts) j["MaximumRetryAttempts"] = *c.maximum_retry_attempts;
  if (c.maximum_event_age_seconds) j["MaximumEventAgeInSeconds"] = *c.maximum_event_age_seconds;
  return j;
}

// A destination ARN of a DestinationConfig's OnSuccess or OnFailure member, "" when none.
std::string DestinationOf(const json& request, const char* on) {
  const json* config = protocol::StructureMember(request, "DestinationConfig");
  const json* target = config == nullptr ? nullptr : protocol::StructureMember(*config, on);
  return target == nullptr ? std::string() : target->value("Destination", std::string());
}

std::optional<int64_t> OptionalInteger(const json& request, const char* member) {
  auto it = request.find(member);
  if (it == request.end()) return std::nullopt;
  return it->get<int64_t>();
}

// The event invoke config operations read every request through the input model (FunctionName,
// Qualifier and the body in one pass), then fold the Qualifier into the name.
void PutEventInvokeConfig(Functions& functions, const RequestContext& ctx, RestReply reply,
                          bool merge) {
  Guard(reply, [&] {
    json request = ReadRequest(
        ctx, merge ? "UpdateFunctionEventInvokeConfig" : "PutFunctionEventInvokeConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    EventInvokeConfig c;
    c.maximum_retry_attempts = OptionalInteger(request, "MaximumRetryAttempts");
    c.maximum_event_age_seconds = OptionalInteger(request, "MaximumEventAgeInSeconds");
    c.on_success = DestinationOf(request, "OnSuccess");
    c.on_failure = DestinationOf(request, "OnFailure");
    functions.PutEventInvokeConfig(
        *name, std::move(c), merge,
        Answer<EventInvokeConfig>(reply, [&functions](const EventInvokeConfig& saved) {
          return JsonResponse(200, EventInvokeConfigJson(saved, functions));
        }));
  });
}

void PutFunctionEventInvokeConfig(Functions& functions, const RequestContext& ctx,
                                  RestReply reply) {
  PutEventInvokeConfig(functions, ctx, std::move(reply), /*merge=*/false);
}

void UpdateFunctionEventInvokeConfig(Functions& functions, const RequestContext& ctx,
                                     RestReply reply) {
  PutEventInvokeConfig(functions, ctx, std::move(reply), /*merge=*/true);
}

void GetFunctionEventInvokeConfig(Functions& functions, const RequestContext& ctx,
                                  RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "GetFunctionEventInvokeConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    auto config = functions.GetEventInvokeConfig(*name);
    if (!config.ok()) return reply(ErrorResult(config.status()));
    reply(JsonResponse(200, EventInvokeConfigJson(*config, functions)));
  });
}

void DeleteFunctionEventInvokeConfig(Functions& functions, const RequestContext& ctx,
                                     RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "DeleteFunctionEventInvokeConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    functions.DeleteEventInvokeConfig(*name,
                                      Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
  });
}

void ListFunctionEventInvokeConfigs(Functions& functions, const RequestContext& ctx,
                                    RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "ListFunctionEventInvokeConfigs");
    auto configs = functions.ListEventInvokeConfigs(request.value("FunctionName", std::string()));
    if (!configs.ok()) return reply(ErrorResult(configs.status()));
    auto page = Page(std::move(configs).value(), request.value("Marker", std::string()),
                     protocol::IntMember(request, "MaxItems").value_or(50));
    if (!page.ok()) return reply(page.status());
    json list = json::array();
    for (const auto& c : page->first) list.push_back(EventInvokeConfigJson(c, functions));
    json out = {{"FunctionEventInvokeConfigs", std::move(list)}};
    if (!page->second.empty()) out["NextMarker"] = page->second;
    reply(JsonResponse(200, out));
  });
}

// Provisioned concurrency ---------------------------------------------------------------------

json ProvisionedJson(const ProvisionedConcurrency& p, bool ready) {
  // StreamStack needs no warm-up: a config is in progress when put, ready when read.
  int64_t allocated = ready ? p.requested : 0;
  return json{{"RequestedProvisionedConcurrentExecutions", p.requested},
              {"AvailableProvisionedConcurrentExecutions", allocated},
              {"AllocatedProvisionedConcurrentExecutions", allocated},
              {"Status", ready ? "READY" : "IN_PROGRESS"},
              {"LastModified", FormatLambdaTimestamp(p.last_modified_ms)}};
}

void PutProvisionedConcurrencyConfig(Functions& functions, const RequestContext& ctx,
                                     RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "PutProvisionedConcurrencyConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    functions.PutProvisionedConcurrency(
        *name, request.at("ProvisionedConcurrentExecutions").get<int64_t>(),  // required
        Answer<ProvisionedConcurrency>(reply, [](const ProvisionedConcurrency& p) {
          return JsonResponse(202, ProvisionedJson(p, /*ready=*/false));
        }));
  });
}

// One path answers GetProvisionedConcurrencyConfig and, with ?List=ALL,
// ListProvisionedConcurrencyConfigs; each reads its request through the input model.
void GetProvisionedConcurrencyConfig(Functions& functions, const RequestContext& ctx,
                                     RestReply reply) {
  Guard(reply, [&] {
    if (Query(ctx, "List") == "ALL") {
      json request = ReadRequest(ctx, "ListProvisionedConcurrencyConfigs");
      auto configs =
          functions.ListProvisionedConcurrency(request.at("FunctionName").get<std::string>());
      if (!configs.ok()) return reply(ErrorResult(configs.status()));
      json list = json::array();
      for (const auto& p : *configs) {
        json item = ProvisionedJson(p, /*ready=*/true);
        item["FunctionArn"] = functions.ArnOf(p.function_name) + ":" + p.qualifier;
        list.push_back(std::move(item));
      }
      return reply(JsonResponse(200, json{{"ProvisionedConcurrencyConfigs", std::move(list)}}));
    }
    ReadRequest(ctx, "GetProvisionedConcurrencyConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    auto config = functions.GetProvisionedConcurrency(*name);
    if (!config.ok()) return reply(ErrorResult(config.status()));
    reply(JsonResponse(200, ProvisionedJson(*config, /*ready=*/true)));
  });
}

void DeleteProvisionedConcurrencyConfig(Functions& functions, const RequestContext& ctx,
                                        RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "DeleteProvisionedConcurrencyConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    functions.DeleteProvisionedConcurrency(
        *name, Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
  });
}

}  // namespace

void RegisterVersionRoutes(protocol::Router& router, Functions& functions) {
  using Handler = void (*)(Functions&, const RequestContext&, RestReply);
  auto add = [&](const char* method, const char* pattern, const char* op, Handler handler) {
    router.AddRestRoute("lambda", kWire, method, pattern, op,
                        [&functions, handler](const RequestContext& c, RestReply r) {
                          handler(functions, c, std::move(r));
                        });
  };
  add("POST", "/2015-03-31/functions/{FunctionName}/versions", "PublishVersion", PublishVersion);
  add("GET", "/2015-03-31/functions/{FunctionName}/versions", "ListVersionsByFunction",
      ListVersionsByFunction);
  add("POST", "/2015-03-31/functions/{FunctionName}/aliases", "CreateAlias", CreateAlias);
  add("GET", "/2015-03-31/functions/{FunctionName}/aliases", "ListAliases", ListAliases);
  add("GET", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "GetAlias", GetAlias);
  add("PUT", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "UpdateAlias", UpdateAlias);
  add("DELETE", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "DeleteAlias", DeleteAlias);
  add("POST", "/2015-03-31/functions/{FunctionName}/policy", "AddPermission", AddPermission);
  add("GET", "/2015-03-31/functions/{FunctionName}/policy", "GetPolicy", GetPolicy);
  add("DELETE", "/2015-03-31/functions/{FunctionName}/policy/{StatementId}", "RemovePermission",
      RemovePermission);
  const char* config_path = "/2019-09-25/functions/{FunctionName}/event-invoke-config";
  add("PUT", config_path, "PutFunctionEventInvokeConfig", PutFunctionEventInvokeConfig);
  add("POST", config_path, "UpdateFunctionEventInvokeConfig", UpdateFunctionEventInvokeConfig);
  add("GET", config_path, "GetFunctionEventInvokeConfig", GetFunctionEventInvokeConfig);
  add("DELETE", config_path, "DeleteFunctionEventInvokeConfig", DeleteFunctionEventInvokeConfig);
  add("GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config/list",
      "ListFunctionEventInvokeConfigs", ListFunctionEventInvokeConfigs);
  const char* provisioned = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency";
  add("PUT", provisioned, "PutProvisionedConcurrencyConfig", PutProvisionedConcurrencyConfig);
  add("GET", provisioned, "GetProvisionedConcurrencyConfig", GetProvisionedConcurrencyConfig);
  add("DELETE", provisioned, "DeleteProvisionedConcurrencyConfig",
      DeleteProvisionedConcurrencyConfig);
}

}  // namespace streamstack::lambda
