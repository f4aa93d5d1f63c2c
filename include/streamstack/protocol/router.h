// Router: the front door every service plugs into. Dispatches a decoded HttpRequest to an
// operation by AWS wire protocol: JSON 1.0 on X-Amz-Target, REST-JSON on method + path,
// the query protocol on Action; encodes results and errors (errors.h) and counts every
// request in the metrics. Knows nothing of sockets or SQLite.
// Register everything before serving; after that Handle() may be called from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "streamstack/common/metrics.h"
#include "streamstack/common/status.h"
#include "streamstack/protocol/errors.h"
#include "streamstack/protocol/message.h"

namespace streamstack::protocol {

using Params = std::vector<std::pair<std::string, std::string>>;

// What an operation knows about its request besides the input. Valid until the operation
// answers (its reply callback is called).
struct RequestContext {
  std::string request_id;
  std::string region;     // SigV4 credential scope's region, else the default
  std::string service;    // "dynamodb", "dynamodbstreams", "lambda", "sqs", "sns"
  std::string operation;  // "PutItem", "Invoke", ...
  std::map<std::string, std::string> path_params;  // REST: {FunctionName} -> "my-fn"
  Params query_params;                             // REST: decoded query string
  const HttpRequest* http = nullptr;               // the raw request (headers, body)
};

// JSON 1.0: input is the parsed body (always an object); reply with the output object or
// an error. Replies may come from any thread, exactly once.
using JsonReply = std::function<void(Result<nlohmann::json>)>;
using JsonOperation = std::function<void(const RequestContext&, nlohmann::json&&, JsonReply)>;

// An output that already exists as JSON text (stored stream records) is replied as
// PreEncodedJson(text): the Router sends the text as the body without parsing and
// re-encoding it. The caller guarantees `json_text` is one valid JSON object.
nlohmann::json PreEncodedJson(std::string_view json_text);

// REST-JSON: the operation builds the whole response (status, headers, body) or an error.
using RestReply = std::function<void(Result<HttpResponse>)>;
using RestOperation = std::function<void(const RequestContext&, RestReply)>;

// Query protocol: input is the decoded form (or query string) parameters; reply with the
// inner XML of <ActionResult> (empty for actions without a result), or with the whole
// <ActionResult> element (a model-driven writer's "<ActionResult/>" for an empty result,
// which botocore requires), or an error.
using QueryReply = std::function<void(Result<std::string>)>;
using QueryOperation = std::function<void(const RequestContext&, Params&&, QueryReply)>;

// Service name, version and state for GET /health.
struct ServiceHealth {
  std::string name;
  std::string state = "running";
};

class Router {
 public:
  Router(MetricsRegistry* metrics, std::string default_region);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // A JSON 1.0 service: requests whose X-Amz-Target is "<target_prefix>.<operation>".
  void AddJsonService(const std::string& service, const std::string& target_prefix,
                      ServiceWire wire,
                      std::vector<std::pair<std::string, JsonOperation>> operations);
  // A query-protocol service. A request goes to the service its SigV4 scope names, else to
  // the one that knows its Action.
  void AddQueryService(const std::string& service, ServiceWire wire,
                       std::vector<std::pair<std::string, QueryOperation>> operations);
  // A REST-JSON route: `pattern` is a path with {Name} placeholders, e.g.
  // "/2015-03-31/functions/{FunctionName}/invocations". {Name+} matches the rest of the path.
  void AddRestRoute(const std::string& service, const ServiceWire& wire, const std::string& method,
                    const std::string& pattern, const std::string& operation, RestOperation op);
  // An HTTP endpoint outside every AWS protocol that claims requests by their host or path
  // (function URLs): checked before everything else, in the order added; `op` builds the whole
  // response (its errors are answered on `wire`).
  void AddHttpEndpoint(const std::string& service, const ServiceWire& wire,
                       const std::string& operation, std::function<bool(const HttpRequest&)> claims,
                       RestOperation op);
  // A plain GET endpoint outside every AWS protocol (/health, /metrics).
  void AddGet(const std::string& path, std::function<HttpResponse(const HttpRequest&)> handler);

  // The services GET /health lists.
  std::vector<ServiceHealth> Services() const;

  // The protocol::Handler the http server calls.
  void Handle(HttpRequest&& request, Responder respond);

 private:
  struct OperationStats;
  struct JsonService;
  struct QueryService;
  struct RestRoute;
  struct HttpEndpoint;
  struct Pending;

  OperationStats* StatsFor(const std::string& service, const std::string& operation);
  void DispatchJson(HttpRequest&& request, Responder respond, std::string_view target);
  void DispatchQuery(HttpRequest&& request, Responder respond, Params params);
  bool DispatchRest(HttpRequest&& request, Responder& respond);
  // Runs a REST-shaped operation (a route or an endpoint) and answers through `respond`.
  void RunRest(HttpRequest&& request, Responder respond, const RestRoute& route,
               std::map<std::string, std::string> path_params);
  void RespondError(HttpRequest&& request, Responder respond, const Status& status,
                    const ServiceWire& wire, OperationStats* stats);

  MetricsRegistry* metrics_;
  std::string default_region_;
  std::map<std::string, std::unique_ptr<JsonService>, std::less<>> json_services_;  // by prefix
  std::vector<std::unique_ptr<QueryService>> query_services_;
  std::vector<std::unique_ptr<RestRoute>> rest_routes_;
  std::vector<std::unique_ptr<HttpEndpoint>> endpoints_;
  std::map<std::string, std::function<HttpResponse(const HttpRequest&)>, std::less<>> gets_;
  std::map<std::string, std::unique_ptr<OperationStats>> stats_;  // "service/operation"
  std::vector<std::string> service_names_;
};

// Decodes application/x-www-form-urlencoded text (also query strings): '+' is a space.
Params ParseFormEncoded(std::string_view text);
std::string UrlDecode(std::string_view text, bool plus_is_space);
// The region and service of a SigV4 Authorization header or X-Amz-Credential parameter
// ("AKID/20240101/us-west-2/dynamodb/aws4_request"); empty when absent or malformed.
struct CredentialScope {
  std::string region;
  std::string service;
};
CredentialScope ParseCredentialScope(const HttpRequest& request);

}  // namespace streamstack::protocol
