#include "streamstack/protocol/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "streamstack/common/ids.h"

namespace streamstack::protocol {

nlohmann::json PreEncodedJson(std::string_view json_text) {
  return nlohmann::json::binary(
      nlohmann::json::binary_t::container_type(json_text.begin(), json_text.end()));
}

struct Router::OperationStats {
  Counter* requests = nullptr;
  Counter* errors = nullptr;
  Histogram* latency = nullptr;
};

struct Router::JsonService {
  std::string name;
  ServiceWire wire;
  std::map<std::string, std::pair<JsonOperation, OperationStats*>, std::less<>> ops;
};

struct Router::QueryService {
  std::string name;
  ServiceWire wire;
  std::map<std::string, std::pair<QueryOperation, OperationStats*>, std::less<>> ops;
};

struct Router::RestRoute {
  std::string service;
  ServiceWire wire;
  std::string method;
  std::vector<std::string> segments;  // "{Name}" / "{Name+}" are placeholders
  std::string operation;
  RestOperation op;
  OperationStats* stats = nullptr;
};

// What an operation's reply needs after Handle() has returned: the request (its context
// points into it), where to answer, and what to count.
struct Router::HttpEndpoint {
  std::function<bool(const HttpRequest&)> claims;
  RestRoute route;  // service, wire, operation, op and stats; no method or segments
};

struct Router::Pending {
  HttpRequest request;
  RequestContext context;
  Responder respond;
  ServiceWire wire;
  OperationStats* stats = nullptr;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  void Finish(HttpResponse response, bool failed) {
    if (stats != nullptr) {
      stats->requests->Add();
      if (failed) stats->errors->Add();
      stats->latency->Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    if (!response.headers.Has("x-amzn-RequestId")) {
      response.headers.Set("x-amzn-RequestId", context.request_id);
    }
    respond(std::move(response));
  }
  void Fail(const Status& status) {
    SPDLOG_DEBUG("{} {}.{} -> {}: {}", context.request_id, context.service, context.operation,
                 ErrorCode(status.code(), wire.protocol), status.message());
    Finish(MakeErrorResponse(status, wire, context.request_id), true);
  }
};

namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/json or application/x-amz-json-1.0, with or without parameters: what DynamoDB
// reads as a JSON request ("application/jsonx" and x-amz-json-1.1 are not).
bool IsJsonContentType(const HttpRequest& request) {
  std::string_view type = request.headers.Get("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type == "application/json" || type == "application/x-amz-json-1.0";
}

bool IsFormEncoded(const HttpRequest& request) {
  return request.headers.Get("Content-Type").starts_with("application/x-www-form-urlencoded");
}

std::string_view FindParam(const Params& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace

std::string UrlDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Params ParseFormEncoded(std::string_view text) {
  Params out;
  size_t i = 0;
  while (i <= text.size()) {
    size_t amp = text.find('&', i);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view pair = text.substr(i, amp - i);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(UrlDecode(pair, true), "");
      } else {
        out.emplace_back(UrlDecode(pair.substr(0, eq), true), UrlDecode(pair.substr(eq + 1), true));
      }
    }
    i = amp + 1;
  }
  return out;
}

CredentialScope ParseCredentialScope(const HttpRequest& request) {
  std::string credential;
  std::string_view auth = request.headers.Get("Authorization");
  size_t pos = auth.find("Credential=");
  if (pos != std::string_view::npos) {
    std::string_view rest = auth.substr(pos + 11);
    credential = std::string(rest.substr(0, rest.find_first_of(", ")));
  } else {
    for (auto& [k, v] : ParseFormEncoded(request.query())) {
      if (k == "X-Amz-Credential") credential = v;
    }
  }
  // AKID/date/region/service/aws4_request
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= credential.size(); ++i) {
    if (i == credential.size() || credential[i] == '/') {
      parts.emplace_back(credential.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 5 || parts[4] != "aws4_request") return {};
  return {parts[2], parts[3]};
}

Router::Router(MetricsRegistry* metrics, std::string default_region)
    : metrics_(metrics), default_region_(std::move(default_region)) {}

Router::~Router() = default;

Router::OperationStats* Router::StatsFor(const std::string& service, const std::string& operation) {
  auto& slot = stats_[service + "/" + operation];
  if (!slot) {
    slot = std::make_unique<OperationStats>();
    MetricLabels labels = {{"service", service}, {"operation", operation}};
    slot->requests = metrics_->GetCounter("streamstack_requests_total", labels,
                                          "Requests answered, by service and operation.");
    slot->errors = metrics_->GetCounter("streamstack_request_errors_total", labels,
                                        "Requests answered with an AWS error.");
    slot->latency = metrics_->GetHistogram("streamstack_request_duration_seconds", labels,
                                           "Time from request read to response ready.");
  }
  return slot.get();
}

void Router::AddJsonService(const std::string& service, const std::string& target_prefix,
                            ServiceWire wire,
                            std::vector<std::pair<std::string, JsonOperation>> operations) {
  auto s = std::make_unique<JsonService>();
  s->name = service;
  s->wire = std::move(wire);
  for (auto& [name, op] : operations) s->ops[name] = {std::move(op), StatsFor(service, name)};
  json_services_[target_prefix] = std::move(s);
  if (std::find(service_names_.begin(), service_names_.end(), service) == service_names_.end()) {
    service_names_.push_back(service);
  }
}

void Router::AddQueryService(const std::string& service, ServiceWire wire,
                             std::vector<std::pair<std::string, QueryOperation>> operations) {
  auto s = std::make_unique<QueryService>();
  s->name = service;
  s->wire = std::move(wire);
  for (auto& [name, op] : operations) s->ops[name] = {std::move(op), StatsFor(service, name)};
  query_services_.push_back(std::move(s));
  if (std::find(service_names_.begin(), service_names_.end(), service) == service_names_.end()) {
    service_names_.push_back(service);
  }
}

void Router::AddRestRoute(const std::string& service, const ServiceWire& wire,
                          const std::string& method, const std::string& pattern,
                          const std::string& operation, RestOperation op) {
  auto r = std::make_unique<RestRoute>();
  r->service = service;
  r->wire = wire;
  r->method = method;
  r->segments = SplitPath(pattern);
  r->operation = operation;
  r->op = std::move(op);
  r->stats = StatsFor(service, operation);
  rest_routes_.push_back(std::move(r));
  if (std::find(service_names_.begin(), service_names_.end(), service) == service_names_.end()) {
    service_names_.push_back(service);
  }
}

void Router::AddHttpEndpoint(const std::string& service, const ServiceWire& wire,
                             const std::string& operation,
                             std::function<bool(const HttpRequest&)> claims, RestOperation op) {
  auto e = std::make_unique<HttpEndpoint>();
  e->claims = std::move(claims);
  e->route.service = service;
  e->route.wire = wire;
  e->route.operation = operation;
  e->route.op = std::move(op);
  e->route.stats = StatsFor(service, operation);
  endpoints_.push_back(std::move(e));
}

void Router::AddGet(const std::string& path,
                    std::function<HttpResponse(const HttpRequest&)> handler) {
  gets_[path] = std::move(handler);
}

std::vector<ServiceHealth> Router::Services() const {
  std::vector<ServiceHealth> out;
  for (const auto& name : service_names_) out.push_back({name, "running"});
  return out;
}

void Router::RespondError(HttpRequest&& request, Responder respond, const Status& status,
                          const ServiceWire& wire, OperationStats* stats) {
  auto p = std::make_shared<Pending>();
  p->request = std::move(request);
  p->context.request_id = NewUuidV4();
  p->respond = std::move(respond);
  p->wire = wire;
  p->stats = stats;
  p->Fail(status);
}

void Router::Handle(HttpRequest&& request, Responder respond) {
  for (const auto& endpoint : endpoints_) {
    if (endpoint->claims(request)) {
      RunRest(std::move(request), std::move(respond), endpoint->route, {});
      return;
    }
  }
  if (request.method == "GET" || request.method == "HEAD") {
    auto it = gets_.find(request.path());
    if (it != gets_.end()) {
      respond(it->second(request));
      return;
    }
  }

  std::string_view target = request.headers.Get("X-Amz-Target");
  if (!target.empty()) {
    DispatchJson(std::move(request), std::move(respond), target);
    return;
  }

  // REST routes are matched by their literal path first: curl and urllib label any POST body
  // form-encoded, and `curl -d '{}' .../2015-03-31/functions/f/invocations` must still reach
  // Lambda. No REST route serves the query protocol's paths ("/", "/<account>/<queue>").
  // DispatchRest leaves the request untouched when nothing matches.
  if (DispatchRest(std::move(request), respond)) return;

  if (request.method == "POST" && IsFormEncoded(request)) {
    Params params = ParseFormEncoded(request.body);
    DispatchQuery(std::move(request), std::move(respond), std::move(params));
    return;
  }
  if (request.method == "GET" && request.query().find("Action=") != std::string_view::npos) {
    Params params = ParseFormEncoded(request.query());
    DispatchQuery(std::move(request), std::move(respond), std::move(params));
    return;
  }

  // Nothing matched. A JSON POST to "/" without X-Amz-Target is a JSON 1.0 call that named
  // no operation: DynamoDB answers UnknownOperationException with no message. Any other
  // method, path or body is DynamoDB's 404 (dynalite's recorded answers).
  if (request.method == "POST" && request.path() == "/" && IsJsonContentType(request)) {
    RespondError(std::move(request), std::move(respond), Status(AwsError::kUnknownOperation, ""),
                 ServiceWire{}, StatsFor("unknown", "unknown"));
    return;
  }
  OperationStats* stats = StatsFor("unknown", "unknown");
  stats->requests->Add();
  stats->errors->Add();
  HttpResponse resp;
  resp.status = 404;
  resp.body = "<UnknownOperationException/>\n";
  resp.headers.Set("x-amzn-RequestId", NewUuidV4());
  respond(std::move(resp));
}

void Router::DispatchJson(HttpRequest&& request, Responder respond, std::string_view target) {
  size_t dot = target.find('.');
  std::string_view prefix = target.substr(0, dot);
  std::string_view op_name = dot == std::string_view::npos ? "" : target.substr(dot + 1);
  auto svc = json_services_.find(prefix);
  if (svc == json_services_.end()) {
    RespondError(std::move(request), std::move(respond), Status(AwsError::kUnknownOperation, ""),
                 ServiceWire{}, StatsFor("unknown", "unknown"));
    return;
  }
  JsonService& service = *svc->second;
  auto op = service.ops.find(op_name);
  if (op == service.ops.end()) {
    RespondError(std::move(request), std::move(respond), Status(AwsError::kUnknownOperation, ""),
                 service.wire, StatsFor(service.name, "unknown"));
    return;
  }

  auto p = std::make_shared<Pending>();
  p->request = std::move(request);
  p->respond = std::move(respond);
  p->wire = service.wire;
  p->stats = op->second.second;
  p->context.request_id = NewUuidV4();
  p->context.service = service.name;
  p->context.operation = op->first;
  p->context.http = &p->request;
  CredentialScope scope = ParseCredentialScope(p->request);
  p->context.region = scope.region.empty() ? default_region_ : scope.region;

  nlohmann::json input;
  if (p->request.body.empty()) {
    input = nlohmann::json::object();
  } else {
    input = nlohmann::json::parse(p->request.body, nullptr, /*allow_exceptions=*/false);
  }
  if (input.is_discarded() || !input.is_object()) {
    // AWS answers a body that is not JSON with the bare __type (dynalite's recorded answer).
    p->Fail(Status(AwsError::kSerialization,
                   input.is_discarded() ? ""
                                        : "Unexpected JSON type for the request body; expected "
                                          "a structure."));
    return;
  }

  op->second.first(p->context, std::move(input), [p](Result<nlohmann::json> result) {
    if (!result.ok()) {
      p->Fail(result.status());
      return;
    }
    HttpResponse resp;
    resp.headers.Set("Content-Type", p->wire.json_content_type);
    const nlohmann::json& output = result.value();
    if (output.is_binary()) {  // PreEncodedJson
      resp.body.assign(output.get_binary().begin(), output.get_binary().end());
    } else {
      resp.body = output.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    p->Finish(std::move(resp), false);
  });
}

void Router::DispatchQuery(HttpRequest&& request, Responder respond, Params params) {
  std::string action(FindParam(params, "Action"));
  CredentialScope scope = ParseCredentialScope(request);
  QueryService* chosen = nullptr;
  for (auto& s : query_services_) {
    if (!scope.service.empty() && s->name == scope.service) chosen = s.get();
  }
  if (chosen == nullptr) {
    for (auto& s : query_services_) {
      if (s->ops.count(action) != 0) {
        chosen = s.get();
        break;
      }
    }
  }
  ServiceWire wire = chosen ? chosen->wire : ServiceWire{WireProtocol::kQuery, "", "", false};
  if (chosen == nullptr || chosen->ops.count(action) == 0) {
    std::string msg = action.empty() ? "Missing required parameter: Action"
                                     : "The action " + action + " is not valid for this endpoint.";
    RespondError(std::move(request), std::move(respond), Status(AwsError::kInvalidAction, msg),
                 wire, StatsFor(chosen ? chosen->name : "unknown", "unknown"));
    return;
  }
  auto& [op, stats] = chosen->ops.find(action)->second;

  auto p = std::make_shared<Pending>();
  p->request = std::move(request);
  p->respond = std::move(respond);
  p->wire = wire;
  p->stats = stats;
  p->context.request_id = NewUuidV4();
  p->context.service = chosen->name;
  p->context.operation = action;
  p->context.http = &p->request;
  p->context.region = scope.region.empty() ? default_region_ : scope.region;

  op(p->context, std::move(params), [p](Result<std::string> result) {
    if (!result.ok()) {
      p->Fail(result.status());
      return;
    }
    const std::string& action_name = p->context.operation;
    std::string ns = p->wire.xml_namespace.empty()
                         ? std::string()
                         : " xmlns=\"" + XmlEscape(p->wire.xml_namespace) + "\"";
    std::string body = "<?xml version=\"1.0\"?><" + action_name + "Response" + ns + ">";
    // A reply is the inner XML of <ActionResult>, or that element itself: services that write
    // their results from the model send "<ActionResult/>" for an empty result (AWS does, and
    // botocore fails without it) and nothing for actions that have no result.
    const std::string& reply = result.value();
    const std::string result_tag = "<" + action_name + "Result";
    if (reply.starts_with(result_tag + ">") || reply.starts_with(result_tag + "/>")) {
      body += reply;
    } else if (!reply.empty()) {
      body += result_tag + ">" + reply + "</" + action_name + "Result>";
    }
    body += "<ResponseMetadata><RequestId>" + p->context.request_id +
            "</RequestId></ResponseMetadata></" + action_name + "Response>";
    HttpResponse resp;
    resp.headers.Set("Content-Type", "text/xml");
    resp.body = std::move(body);
    p->Finish(std::move(resp), false);
  });
}

bool Router::DispatchRest(HttpRequest&& request, Responder& respond) {
  std::vector<std::string> segments = SplitPath(request.path());
  for (auto& route : rest_routes_) {
    if (route->method != request.method) continue;
    std::map<std::string, std::string> params;
    bool match = true;
    size_t i = 0;
    for (; i < route->segments.size(); ++i) {
      const std::string& want = route->segments[i];
      bool placeholder = want.size() > 2 && want.front() == '{' && want.back() == '}';
      if (placeholder && want[want.size() - 2] == '+') {  // greedy: the rest of the path
        if (i >= segments.size()) {
          match = false;
          break;
        }
        std::string rest;
        for (size_t j = i; j < segments.size(); ++j) rest += (j > i ? "/" : "") + segments[j];
        params[want.substr(1, want.size() - 3)] = UrlDecode(rest, false);
        i = segments.size();
        break;
      }
      if (i >= segments.size()) {
        match = false;
        break;
      }
      if (placeholder) {
        params[want.substr(1, want.size() - 2)] = UrlDecode(segments[i], false);
      } else if (want != segments[i]) {
        match = false;
        break;
      }
    }
    if (!match || i != segments.size()) continue;
    RunRest(std::move(request), std::move(respond), *route, std::move(params));
    return true;
  }
  return false;
}

void Router::RunRest(HttpRequest&& request, Responder respond, const RestRoute& route,
                     std::map<std::string, std::string> path_params) {
  auto p = std::make_shared<Pending>();
  p->request = std::move(request);
  p->respond = std::move(respond);
  p->wire = route.wire;
  p->stats = route.stats;
  p->context.request_id = NewUuidV4();
  p->context.service = route.service;
  p->context.operation = route.operation;
  p->context.path_params = std::move(path_params);
  p->context.query_params = ParseFormEncoded(p->request.query());
  p->context.http = &p->request;
  CredentialScope scope = ParseCredentialScope(p->request);
  p->context.region = scope.region.empty() ? default_region_ : scope.region;
  route.op(p->context, [p](Result<HttpResponse> result) {
    if (!result.ok()) {
      p->Fail(result.status());
      return;
    }
    bool failed = result.value().status >= 400;
    p->Finish(std::move(result).value(), failed);
  });
}

}  // namespace streamstack::protocol
