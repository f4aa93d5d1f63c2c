#include "lambda/function_url_api.h"

#include <memory>

#include "lambda/function_url.h"
#include "lambda/function_url_event.h"
#include "lambda/rest_wire.h"

namespace streamstack::lambda {
namespace {

const protocol::ServiceWire kWire{protocol::WireProtocol::kRestJson, "", "", false};

// Where StreamStack serves function URLs by path: any client reaches them without DNS.
constexpr std::string_view kUrlPathPrefix = "/lambda-url/";
constexpr std::string_view kUrlHostLabel = ".lambda-url.";

// The Host the client used, to build URLs that lead back here.
std::string HostOf(const RequestContext& ctx) {
  std::string host(ctx.http->headers.Get("Host"));
  if (host.empty()) host = "127.0.0.1:" + std::to_string(ctx.http->local_port);
  return host;
}

std::string FunctionUrlOf(const RequestContext& ctx, const FunctionUrlConfig& c) {
  return "http://" + HostOf(ctx) + std::string(kUrlPathPrefix) + c.url_id + "/";
}

std::string FunctionArnOf(const Functions& functions, const FunctionUrlConfig& c) {
  std::string arn = functions.ArnOf(c.function_name);
  return c.qualifier.empty() ? arn : arn + ":" + c.qualifier;
}

// The answers differ by operation (LocalStack's TestLambdaUrl recordings): Create has no
// LastModifiedTime; Create and Update show InvokeMode only once it was set; Get and List
// always show it, BUFFERED by default.
enum class UrlAnswer { kCreate, kUpdate, kGet };

json FunctionUrlJson(const RequestContext& ctx, const Functions& functions,
                     const FunctionUrlConfig& c, UrlAnswer answer) {
  json j = {{"FunctionUrl", FunctionUrlOf(ctx, c)},
            {"FunctionArn", FunctionArnOf(functions, c)},
            {"AuthType", c.auth_type},
            {"CreationTime", FormatIso8601Millis(c.creation_ms)}};
  if (c.cors) j["Cors"] = FunctionUrlCorsJson(*c.cors);
  if (answer != UrlAnswer::kCreate) j["LastModifiedTime"] = FormatIso8601Millis(c.last_modified_ms);
  if (answer == UrlAnswer::kGet) {
    j["InvokeMode"] = c.invoke_mode.value_or("BUFFERED");
  } else if (c.invoke_mode) {
    j["InvokeMode"] = *c.invoke_mode;
  }
  return j;
}

// The settings of a Create/UpdateFunctionUrlConfig request ReadRequest accepted.
FunctionUrlInput UrlInput(const json& request) {
  FunctionUrlInput in;
  in.auth_type = protocol::StringMember(request, "AuthType");
  in.invoke_mode = protocol::StringMember(request, "InvokeMode");
  if (const json* cors = protocol::StructureMember(request, "Cors")) {
    in.cors = FunctionUrlCorsFromJson(*cors);
  }
  return in;
}

// Every request is read through the input model first (FunctionName, Qualifier, the body);
// then the name with its Qualifier folded in, whose function, version or alias the store
// resolves.
void CreateFunctionUrlConfig(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "CreateFunctionUrlConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    functions.CreateFunctionUrl(
        *name, UrlInput(request),
        Answer<FunctionUrlConfig>(reply, [&functions, ctx](const FunctionUrlConfig& c) {
          return JsonResponse(201, FunctionUrlJson(ctx, functions, c, UrlAnswer::kCreate));
        }));
  });
}

void UpdateFunctionUrlConfig(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "UpdateFunctionUrlConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    functions.UpdateFunctionUrl(
        *name, UrlInput(request),
        Answer<FunctionUrlConfig>(reply, [&functions, ctx](const FunctionUrlConfig& c) {
          return JsonResponse(200, FunctionUrlJson(ctx, functions, c, UrlAnswer::kUpdate));
        }));
  });
}

void GetFunctionUrlConfig(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "GetFunctionUrlConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    auto config = functions.GetFunctionUrl(*name);
    if (!config.ok()) return reply(ErrorResult(config.status()));
    reply(JsonResponse(200, FunctionUrlJson(ctx, functions, *config, UrlAnswer::kGet)));
  });
}

void DeleteFunctionUrlConfig(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "DeleteFunctionUrlConfig");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    functions.DeleteFunctionUrl(*name,
                                Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
  });
}

void ListFunctionUrlConfigs(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "ListFunctionUrlConfigs");
    auto configs = functions.ListFunctionUrls(request.value("FunctionName", std::string()));
    if (!configs.ok()) return reply(ErrorResult(configs.status()));
    auto page = Page(std::move(configs).value(), request.value("Marker", std::string()),
                     protocol::IntMember(request, "MaxItems").value_or(50));
    if (!page.ok()) return reply(ErrorResult(page.status()));
    json list = json::array();
    for (const auto& c : page->first) {
      list.push_back(FunctionUrlJson(ctx, functions, c, UrlAnswer::kGet));
    }
    json out = {{"FunctionUrlConfigs", std::move(list)}};
    if (!page->second.empty()) out["NextMarker"] = page->second;
    reply(JsonResponse(200, out));
  });
}

// Serving the URLs --------------------------------------------------------------------------

// The URL id and the path below the URL's root of a request to a function URL, or nothing.
struct UrlTarget {
  std::string url_id;
  std::string raw_path;
};

std::optional<UrlTarget> UrlTargetOf(const protocol::HttpRequest& request) {
  std::string_view path = request.path();
  if (path.starts_with(kUrlPathPrefix)) {
    std::string_view rest = path.substr(kUrlPathPrefix.size());
    size_t slash = rest.find('/');
    std::string_view id = rest.substr(0, slash);
    if (id.empty()) return std::nullopt;
    std::string below = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    return UrlTarget{std::string(id), below};
  }
  std::string_view host = request.headers.Get("Host");
  size_t label = host.find(kUrlHostLabel);
  if (label == std::string_view::npos || label == 0) return std::nullopt;
  std::string_view id = host.substr(0, label);
  if (id.find('.') != std::string_view::npos) return std::nullopt;
  return UrlTarget{std::string(id), std::string(path.empty() ? "/" : path)};
}

std::string SourceIp(const protocol::HttpRequest& request) {
  const std::string& remote = request.remote;
  size_t colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

// The SigV4 access key id of a signed request ("Credential=AKID/..."), or empty.
std::string AccessKeyOf(const protocol::HttpRequest& request) {
  std::string_view auth = request.headers.Get("Authorization");
  size_t at = auth.find("Credential=");
  if (at == std::string_view::npos) return "";
  std::string_view rest = auth.substr(at + 11);
  return std::string(rest.substr(0, rest.find('/')));
}

protocol::HttpResponse Forbidden() {
  protocol::HttpResponse resp = FunctionUrlNotFound();
  resp.body = json{{"Message",
                    "Forbidden. For troubleshooting Function URL authorization issues, see: "
                    "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}}
                  .dump();
  return resp;
}

// An invocation that did not reach a function answer.
protocol::HttpResponse ServiceFailure(const Status& status) {
  if (status.code() == AwsError::kTooManyRequests) {
    protocol::HttpResponse resp;
    resp.status = 429;
    resp.headers.Set("Content-Type", "application/json");
    resp.headers.Set("x-amzn-ErrorType", "TooManyRequestsException");
    resp.body = json{{"Message", "Rate Exceeded."}}.dump();
    return resp;
  }
  if (status.code() == AwsError::kRequestTooLarge) {
    protocol::HttpResponse resp;
    resp.status = 413;
    resp.headers.Set("Content-Type", "application/json");
    resp.headers.Set("x-amzn-ErrorType", "RequestEntityTooLargeException");
    resp.body = json{{"Message", status.message()}}.dump();
    return resp;
  }
  return FunctionUrlFailure();
}

void ServeFunctionUrl(Functions& functions, InvokeService& invoke, Clock& clock,
                      const RequestContext& ctx, RestReply reply) {
  const protocol::HttpRequest& request = *ctx.http;
  auto target = UrlTargetOf(request);
  auto config = target ? functions.FindFunctionUrl(target->url_id) : std::nullopt;
  if (!config) return reply(FunctionUrlNotFound());
  // AWS_IAM URLs take only signed requests. StreamStack accepts any signature, as it does
  // for every API call, and does not enforce resource policies.
  std::string access_key = AccessKeyOf(request);
  if (config->auth_type == "AWS_IAM" && access_key.empty()) return reply(Forbidden());
  const bool preflight = request.method == "OPTIONS" && config->cors &&
                         request.headers.Has("Origin") &&
                         request.headers.Has("Access-Control-Request-Method");
  if (preflight) {
    protocol::HttpResponse resp;
    AddCorsHeaders(*config->cors, request, /*preflight=*/true, resp);
    return reply(std::move(resp));
  }

  FunctionUrlRequest info;
  info.url_id = config->url_id;
  info.domain_name = std::string(request.headers.Get("Host"));
  info.raw_path = target->raw_path;
  info.raw_query = std::string(request.query());
  info.request_id = ctx.request_id;
  info.account_id = config->auth_type == "AWS_IAM" ? functions.scope().account_id : "anonymous";
  info.source_ip = SourceIp(request);
  info.now_ms = clock.NowMillis();
  std::string event = FunctionUrlEvent(request, info);
  if (config->auth_type == "AWS_IAM") {
    // The caller as AWS_IAM URLs describe it (requestContext.authorizer.iam).
    json parsed = json::parse(event);
    const std::string& account = functions.scope().account_id;
    parsed["requestContext"]["authorizer"] = {{"iam",
                                               {{"accessKey", access_key},
                                                {"accountId", account},
                                                {"callerId", access_key},
                                                {"cognitoIdentity", nullptr},
                                                {"principalOrgId", nullptr},
                                                {"userArn", "arn:aws:iam::" + account + ":root"},
                                                {"userId", account}}}};
    event = parsed.dump();
  }
  std::string name = config->function_name;
  if (!config->qualifier.empty()) name += ":" + config->qualifier;
  std::optional<FunctionUrlCors> cors = config->cors;
  // The request outlives the reply (the router keeps it until the answer).
  const protocol::HttpRequest* req = &request;
  invoke.Invoke(name, InvocationType::kRequestResponse, std::move(event), ctx.request_id,
                [reply = std::move(reply), cors, req](Result<InvokeOutput> r) {
                  protocol::HttpResponse resp;
                  if (!r.ok()) {
                    resp = ServiceFailure(r.status());
                  } else if (!r->function_error.empty()) {
                    resp = FunctionUrlFailure();
                  } else {
                    resp = FunctionUrlResponse(r->payload);
                  }
                  if (cors) AddCorsHeaders(*cors, *req, /*preflight=*/false, resp);
                  reply(std::move(resp));
                });
}

}  // namespace

void RegisterFunctionUrlRoutes(protocol::Router& router, Functions& functions,
                               InvokeService& invoke, Clock& clock) {
  using Handler = void (*)(Functions&, const RequestContext&, RestReply);
  auto add = [&](const char* method, const char* pattern, const char* op, Handler handler) {
    router.AddRestRoute("lambda", kWire, method, pattern, op,
                        [&functions, handler](const RequestContext& c, RestReply r) {
                          handler(functions, c, std::move(r));
                        });
  };
  const char* url = "/2021-10-31/functions/{FunctionName}/url";
  add("POST", url, "CreateFunctionUrlConfig", CreateFunctionUrlConfig);
  add("GET", url, "GetFunctionUrlConfig", GetFunctionUrlConfig);
  add("PUT", url, "UpdateFunctionUrlConfig", UpdateFunctionUrlConfig);
  add("DELETE", url, "DeleteFunctionUrlConfig", DeleteFunctionUrlConfig);
  add("GET", "/2021-10-31/functions/{FunctionName}/urls", "ListFunctionUrlConfigs",
      ListFunctionUrlConfigs);
  router.AddHttpEndpoint(
      "lambda", kWire, "InvokeFunctionUrl",
      [](const protocol::HttpRequest& r) { return UrlTargetOf(r).has_value(); },
      [&functions, &invoke, &clock](const RequestContext& c, RestReply r) {
        ServeFunctionUrl(functions, invoke, clock, c, std::move(r));
      });
}

}  // namespace streamstack::lambda
