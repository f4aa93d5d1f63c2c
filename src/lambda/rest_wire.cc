#include "lambda/rest_wire.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "lambda/lambda_input_model.h"
#include "streamstack/common/violations.h"
#include "streamstack/lambda/function.h"

namespace streamstack::lambda {

Status BadContent(const std::string& what) {
  return Status(AwsError::kInvalidRequestContent,
                "Could not parse request body into json: " + what);
}

json ParseBody(const RequestContext& ctx) {
  const std::string& body = ctx.http->body;
  if (body.empty()) return json::object();
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw DecodeError{BadContent("the body is not a JSON object")};
  }
  return j;
}

const protocol::InputModel& LambdaRequests() {
  static const protocol::InputModel model(LambdaInputModel(), "com.amazonaws.lambda");
  return model;
}

json ReadRequest(const RequestContext& ctx, std::string_view operation) {
  json request = ParseBody(ctx);
  Status status = LambdaRequests().ValidateRest(operation, ctx, request);
  if (!status.ok()) throw DecodeError{std::move(status)};
  return request;
}

json ReadLocatedMembers(const RequestContext& ctx, std::string_view operation) {
  json request = json::object();
  Status status = LambdaRequests().ValidateRest(operation, ctx, request);
  if (!status.ok()) throw DecodeError{std::move(status)};
  return request;
}

[[noreturn]] void WrongType(const std::string& member) {
  throw DecodeError{BadContent("Cannot deserialize value of member '" + member + "'")};
}

std::optional<std::string> OptString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) WrongType(key);
  return it->get<std::string>();
}
std::optional<int64_t> OptInt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) WrongType(key);
  return it->get<int64_t>();
}
std::optional<bool> OptBool(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) WrongType(key);
  return it->get<bool>();
}
std::optional<std::vector<std::string>> OptStringList(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_array()) WrongType(key);
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string()) WrongType(key);
    out.push_back(v.get<std::string>());
  }
  return out;
}
std::optional<std::map<std::string, std::string>> OptStringMap(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) WrongType(key);
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) WrongType(key);
    out[k] = v.get<std::string>();
  }
  return out;
}
std::optional<std::map<std::string, double>> OptNumberMap(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_object()) WrongType(key);
  std::map<std::string, double> out;
  for (const auto& [k, v] : it->items()) {
    if (!v.is_number()) WrongType(key);
    out[k] = v.get<double>();
  }
  return out;
}
const json* OptObject(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  if (!it->is_object()) WrongType(key);
  return &*it;
}

std::string Query(const RequestContext& ctx, const std::string& name) {
  for (const auto& [k, v] : ctx.query_params) {
    if (k == name) return v;
  }
  return "";
}
std::string PathParam(const RequestContext& ctx, const char* name) {
  auto it = ctx.path_params.find(name);
  return it == ctx.path_params.end() ? std::string() : it->second;
}

HttpResponse JsonResponse(unsigned status, const json& body) {
  HttpResponse resp;
  resp.status = status;
  resp.headers.Set("Content-Type", "application/json");
  resp.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return resp;
}

HttpResponse EmptyResponse(unsigned status) {
  HttpResponse resp;
  resp.status = status;
  return resp;
}

// AWS answers payloads over the limit with RequestEntityTooLargeException on the wire (the
// model's RequestTooLargeException is never sent); build that answer here.
Result<HttpResponse> ErrorResult(Status status) {
  if (status.code() == AwsError::kRequestTooLarge) {
    HttpResponse resp = JsonResponse(413, json{{"Type", "User"}, {"Message", status.message()}});
    resp.headers.Set("x-amzn-ErrorType", "RequestEntityTooLargeException");
    return resp;
  }
  return status;
}

Result<std::string> QualifiedName(const RequestContext& ctx) {
  std::string name = PathParam(ctx, "FunctionName");
  std::string qualifier = Query(ctx, "Qualifier");
  if (qualifier.empty()) return name;
  Violations v;
  v.Length(qualifier, "qualifier", 1, 128);
  const bool valid =
      qualifier == "$LATEST" || qualifier == "$LATEST.PUBLISHED" ||
      std::all_of(qualifier.begin(), qualifier.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '$';
      });
  if (qualifier.size() <= 128) {
    v.Pattern(qualifier, "qualifier", "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+", valid);
  }
  STREAMSTACK_RETURN_IF_ERROR(v.ToStatus());
  auto parsed = ParseFunctionName(name, NameShape::kNamespaced);
  if (!parsed.ok()) return name;  // the operation reports the name's own error
  if (parsed->qualifier.empty()) return name + ":" + qualifier;
  if (parsed->qualifier != qualifier) {
    return Status(AwsError::kInvalidParameterValue,
                  "The derived qualifier from the function name does not match the specified "
                  "qualifier.");
  }
  return name;
}

}  // namespace streamstack::lambda
