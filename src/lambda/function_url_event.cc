// Payload format 2.0 and the response rules, as AWS documents them for function URLs
// ("Invoking Lambda function URLs": request and response payloads) and as AWS answered
// LocalStack's TestLambdaURL recordings (a dict re-encoded compactly, a string as its text,
// 502 "Internal Server Error" on a function error, 403 {"Message":null} for an unknown URL).
#include "lambda/function_url_event.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <vector>

#include "streamstack/common/ids.h"
#include "streamstack/protocol/router.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// requestContext.time: "12/Mar/2020:19:03:58 +0000".
std::string RequestTime(int64_t now_ms) {
  std::time_t secs = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

bool IsValidUtf8(const std::string& text) {
  try {
    (void)json(text).dump(-1, ' ', false, json::error_handler_t::strict);
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

// AWS hands text bodies over as they are and everything else base64-encoded (a multipart
// form arrives encoded in LocalStack's recording test_lambda_url_form_payload).
bool IsTextBody(std::string_view content_type, const std::string& body) {
  std::string type = Lower(content_type);
  bool text_type =
      type.find("text") != std::string::npos || type.find("json") != std::string::npos ||
      type.find("xml") != std::string::npos || type.find("javascript") != std::string::npos;
  return text_type && IsValidUtf8(body);
}

// Splits "a=1; b=2" into its cookies.
std::vector<std::string> SplitCookies(std::string_view header) {
  std::vector<std::string> out;
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view part = header.substr(0, end);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return out;
}

std::string HeaderValue(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

std::string FunctionUrlEvent(const protocol::HttpRequest& request, const FunctionUrlRequest& info) {
  json headers = json::object();
  json cookies = json::array();
  for (const auto& [name, value] : request.headers.fields()) {
    std::string key = Lower(name);
    if (key == "cookie") {
      for (auto& c : SplitCookies(value)) cookies.push_back(std::move(c));
      continue;
    }
    if (key == "connection") continue;
    auto it = headers.find(key);
    if (it == headers.end()) {
      headers[key] = value;
    } else {
      *it = it->get<std::string>() + "," + value;
    }
  }
  // What AWS's front end adds (no TLS here, so no x-amzn-tls-* headers).
  headers["x-forwarded-for"] = info.source_ip;
  headers["x-forwarded-proto"] = "http";
  if (!headers.contains("x-amzn-trace-id")) {
    headers["x-amzn-trace-id"] = "Root=1-" + RandomHex(4) + "-" + RandomHex(12);
  }

  json event = {{"version", "2.0"},
                {"routeKey", "$default"},
                {"rawPath", info.raw_path},
                {"rawQueryString", info.raw_query}};
  if (!cookies.empty()) event["cookies"] = std::move(cookies);
  event["headers"] = std::move(headers);
  if (!info.raw_query.empty()) {
    json params = json::object();
    for (const auto& [key, value] : protocol::ParseFormEncoded(info.raw_query)) {
      auto it = params.find(key);
      if (it == params.end()) {
        params[key] = value;
      } else {
        *it = it->get<std::string>() + "," + value;
      }
    }
    event["queryStringParameters"] = std::move(params);
  }
  event["requestContext"] = {{"accountId", info.account_id},
                             {"apiId", info.url_id},
                             {"domainName", info.domain_name},
                             {"domainPrefix", info.url_id},
                             {"http",
                              {{"method", request.method},
                               {"path", info.raw_path},
                               {"protocol", "HTTP/1.1"},
                               {"sourceIp", info.source_ip},
                               {"userAgent", std::string(request.headers.Get("User-Agent"))}}},
                             {"requestId", info.request_id},
                             {"routeKey", "$default"},
                             {"stage", "$default"},
                             {"time", RequestTime(info.now_ms)},
                             {"timeEpoch", info.now_ms}};
  bool encoded = false;
  if (!request.body.empty()) {
    encoded = !IsTextBody(request.headers.Get("Content-Type"), request.body);
    event["body"] = encoded ? Base64Encode(request.body) : request.body;
  }
  event["isBase64Encoded"] = encoded;
  return event.dump();
}

protocol::HttpResponse FunctionUrlResponse(std::string_view payload) {
  protocol::HttpResponse resp;
  resp.status = 200;
  json answer = json::parse(payload, nullptr, false);
  const bool structured = answer.is_object() && answer.contains("statusCode");
  if (!structured) {
    resp.headers.Set("Content-Type", "application/json");
    if (answer.is_discarded()) {
      resp.body = std::string(payload);  // not JSON: a custom runtime's raw answer
    } else if (answer.is_string()) {
      resp.body = answer.get<std::string>();
    } else {
      resp.body = answer.dump();
    }
    return resp;
  }
  const json& code = answer["statusCode"];
  if (code.is_number_integer()) {
    resp.status = code.get<unsigned>();
  } else if (code.is_string()) {
    try {
      resp.status = static_cast<unsigned>(std::stoul(code.get<std::string>()));
    } catch (const std::exception&) {
      return FunctionUrlFailure();
    }
  } else {
    return FunctionUrlFailure();
  }
  if (resp.status < 100 || resp.status > 599) return FunctionUrlFailure();
  bool has_type = false;
  if (auto h = answer.find("headers"); h != answer.end() && h->is_object()) {
    for (const auto& [name, value] : h->items()) {
      if (Lower(name) == "content-type") has_type = true;
      resp.headers.Add(name, HeaderValue(value));
    }
  }
  if (!has_type) resp.headers.Set("Content-Type", "application/json");
  if (auto c = answer.find("cookies"); c != answer.end() && c->is_array()) {
    for (const auto& cookie : *c) resp.headers.Add("Set-Cookie", HeaderValue(cookie));
  }
  if (auto b = answer.find("body"); b != answer.end() && !b->is_null()) {
    std::string body = b->is_string() ? b->get<std::string>() : b->dump();
    auto flag = answer.find("isBase64Encoded");
    bool base64 = flag != answer.end() && flag->is_boolean() && flag->get<bool>();
    if (base64 && !Base64Decode(body, &resp.body)) return FunctionUrlFailure();
    if (!base64) resp.body = std::move(body);
  }
  return resp;
}

protocol::HttpResponse FunctionUrlFailure() {
  protocol::HttpResponse resp;
  resp.status = 502;
  resp.headers.Set("Content-Type", "application/json");
  resp.body = "Internal Server Error";
  return resp;
}

protocol::HttpResponse FunctionUrlNotFound() {
  protocol::HttpResponse resp;
  resp.status = 403;
  resp.headers.Set("Content-Type", "application/json");
  resp.headers.Set("x-amzn-ErrorType", "AccessDeniedException");
  resp.body = R"({"Message":null})";
  return resp;
}

void AddCorsHeaders(const FunctionUrlCors& cors, const protocol::HttpRequest& request,
                    bool preflight, protocol::HttpResponse& response) {
  std::string_view origin = request.headers.Get("Origin");
  if (origin.empty() || !cors.allow_origins) return;
  const auto& origins = *cors.allow_origins;
  bool any = std::find(origins.begin(), origins.end(), "*") != origins.end();
  if (!any && std::find(origins.begin(), origins.end(), origin) == origins.end()) return;
  auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
  };
  response.headers.Set("Access-Control-Allow-Origin", any ? "*" : std::string(origin));
  if (cors.allow_credentials.value_or(false)) {
    response.headers.Set("Access-Control-Allow-Credentials", "true");
  }
  if (cors.expose_headers && !cors.expose_headers->empty()) {
    response.headers.Set("Access-Control-Expose-Headers", join(*cors.expose_headers));
  }
  if (!preflight) return;
  if (cors.allow_methods && !cors.allow_methods->empty()) {
    response.headers.Set("Access-Control-Allow-Methods", join(*cors.allow_methods));
  }
  if (cors.allow_headers && !cors.allow_headers->empty()) {
    response.headers.Set("Access-Control-Allow-Headers", join(*cors.allow_headers));
  }
  if (cors.max_age) response.headers.Set("Access-Control-Max-Age", std::to_string(*cors.max_age));
}

}  // namespace streamstack::lambda
