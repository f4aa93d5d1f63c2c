// lambda: the REST-JSON helpers the API adapters share: members of the body and the query
// string, answers, and decode failures as AWS words them. Private to the lambda module;
// called on HTTP threads.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/protocol/input_model.h"
#include "streamstack/protocol/router.h"

namespace streamstack::lambda {

using nlohmann::json;
using protocol::HttpResponse;
using protocol::RequestContext;
using protocol::RestReply;

// Decoding ------------------------------------------------------------------------------

// Thrown inside decoding only; caught at the decode step by Guard (STYLE.md).
struct DecodeError {
  Status status;
};

Status BadContent(const std::string& what);
// Throws the DecodeError for a member of the wrong JSON type.
[[noreturn]] void WrongType(const std::string& member);
// The body as a JSON object ({} when empty); DecodeError otherwise.
json ParseBody(const RequestContext& ctx);

// Lambda's request validator (lambda_input_model.cc's shapes), built on first use; immutable,
// any thread may use it.
const protocol::InputModel& LambdaRequests();

// The request of `operation` as one object, read and validated through the model: the body's
// members, and those the model places in the URI, the query string or a header, under their
// member names. A DecodeError with AWS's answer when the body is no JSON object, a member has
// the wrong JSON type, or a constraint of the model fails (all of them in one
// ValidationException). Read members with protocol::StringMember / IntMember / ... .
json ReadRequest(const RequestContext& ctx, std::string_view operation);
// The same for an operation whose body is its payload, not JSON input (Invoke): only the
// members the model places in the URI, the query string or a header.
json ReadLocatedMembers(const RequestContext& ctx, std::string_view operation);

// Optional members of a JSON object; a member of another type is a DecodeError.
std::optional<std::string> OptString(const json& j, const char* key);
std::optional<int64_t> OptInt(const json& j, const char* key);
std::optional<bool> OptBool(const json& j, const char* key);
std::optional<std::vector<std::string>> OptStringList(const json& j, const char* key);
std::optional<std::map<std::string, std::string>> OptStringMap(const json& j, const char* key);
std::optional<std::map<std::string, double>> OptNumberMap(const json& j, const char* key);
const json* OptObject(const json& j, const char* key);

std::string Query(const RequestContext& ctx, const std::string& name);
std::string PathParam(const RequestContext& ctx, const char* name);

// The function name of the path with ?Qualifier= folded in. AWS refuses a Qualifier that
// differs from the one the name already carries, and one its model's pattern refuses.
Result<std::string> QualifiedName(const RequestContext& ctx);

// A page of `items` after `marker` (a base64 index), at most max_items; the next marker.
template <typename T>
Result<std::pair<std::vector<T>, std::string>> Page(std::vector<T> items, const std::string& marker,
                                                    int max_items) {
  size_t start = 0;
  if (!marker.empty()) {
    std::string decoded;
    char* end = nullptr;
    if (Base64Decode(marker, &decoded)) start = std::strtoull(decoded.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || decoded.empty()) {
      return Status(AwsError::kInvalidParameterValue, "Invalid marker: " + marker);
    }
  }
  std::vector<T> page;
  for (size_t i = start; i < items.size() && page.size() < static_cast<size_t>(max_items); ++i) {
    page.push_back(std::move(items[i]));
  }
  size_t next = start + page.size();
  return std::make_pair(std::move(page),
                        next < items.size() ? Base64Encode(std::to_string(next)) : std::string());
}

// Encoding ------------------------------------------------------------------------------

HttpResponse JsonResponse(unsigned status, const json& body);
HttpResponse EmptyResponse(unsigned status);
// AWS answers payloads over the limit with RequestEntityTooLargeException on the wire (the
// model's RequestTooLargeException is never sent).
Result<HttpResponse> ErrorResult(Status status);

// Runs `fn`, turning a DecodeError into the reply.
template <typename F>
void Guard(const RestReply& reply, F&& fn) {
  try {
    fn();
  } catch (const DecodeError& e) {
    reply(ErrorResult(e.status));
  } catch (const json::exception& e) {
    reply(ErrorResult(BadContent(e.what())));
  }
}

// A callback that answers with `encode(value)` or the error.
template <typename T, typename Encode>
std::function<void(Result<T>)> Answer(RestReply reply, Encode encode) {
  return [reply = std::move(reply), encode = std::move(encode)](Result<T> r) {
    if (!r.ok()) return reply(ErrorResult(r.status()));
    reply(encode(r.value()));
  };
}

}  // namespace streamstack::lambda
