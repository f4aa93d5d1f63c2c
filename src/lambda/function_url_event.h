// lambda: what a function URL hands its function and how it turns the answer into the HTTP
// response: AWS's payload format 2.0 (the request event) and its response rules. Pure
// functions of plain values, so they are unit-tested without a server. Private to lambda;
// any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "streamstack/lambda/function.h"
#include "streamstack/protocol/message.h"

namespace streamstack::lambda {

// Where a function URL request arrived.
struct FunctionUrlRequest {
  std::string url_id;
  std::string domain_name;  // the Host the client used (requestContext.domainName)
  std::string raw_path;     // the path as sent, below the URL's root: "/", "/a/b%2Fc"
  std::string raw_query;    // after '?', as sent
  std::string request_id;
  std::string account_id;  // requestContext.accountId: "anonymous" for AuthType NONE
  std::string source_ip;
  int64_t now_ms = 0;
};

// The event (payload format version 2.0) as JSON text: headers lowercased with repeated
// ones joined by ",", the Cookie header moved to `cookies`, queryStringParameters decoded
// (repeats joined by ","; absent without a query), body base64-encoded unless it is text
// (text/*, JSON, XML, JavaScript, form-free UTF-8) and absent when empty.
std::string FunctionUrlEvent(const protocol::HttpRequest& request, const FunctionUrlRequest& info);

// The HTTP response for the function's answer. An object with `statusCode` is a response
// (headers, cookies, body, isBase64Encoded); anything else is the body of a 200 with
// Content-Type application/json: a JSON string as its text, other JSON re-encoded compactly.
protocol::HttpResponse FunctionUrlResponse(std::string_view payload);

// The 502 AWS answers when the function failed (a function error or no answer at all).
protocol::HttpResponse FunctionUrlFailure();

// The 403 AWS answers for a URL id that names no function URL.
protocol::HttpResponse FunctionUrlNotFound();

// CORS: the headers AWS adds to a response (or answers a preflight with) for the request's
// Origin under `cors`; nothing when the origin is not allowed.
void AddCorsHeaders(const FunctionUrlCors& cors, const protocol::HttpRequest& request,
                    bool preflight, protocol::HttpResponse& response);

}  // namespace streamstack::lambda
