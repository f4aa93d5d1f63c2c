// Payload format 2.0 and the response rules of function URLs, table-driven. Sources: AWS's
// "Invoking Lambda function URLs" (request and response payloads) and the answers AWS gave
// LocalStack's TestLambdaURL recordings, named per case.
#include "lambda/function_url_event.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace streamstack::lambda {
namespace {

using nlohmann::json;

protocol::HttpRequest Request(std::string method, std::string target, std::string body = "") {
  protocol::HttpRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  return r;
}

FunctionUrlRequest Info(std::string raw_path, std::string raw_query = "") {
  FunctionUrlRequest info;
  info.url_id = "abc";
  info.domain_name = "localhost:4566";
  info.raw_path = std::move(raw_path);
  info.raw_query = std::move(raw_query);
  info.request_id = "req-1";
  info.account_id = "anonymous";
  info.source_ip = "127.0.0.1";
  info.now_ms = 1583348638390;  // AWS's example: 04/Mar/2020:19:03:58 +0000
  return info;
}

TEST(FunctionUrlEvent, HasAwsExampleShape) {
  auto req = Request("POST", "/lambda-url/abc/my/path?parameter1=value1&parameter1=value2&p2=v",
                     "Hello from client!");
  req.headers.Add("Content-Type", "text/plain");
  req.headers.Add("Header2", "value1");
  req.headers.Add("header2", "value2");
  req.headers.Add("Cookie", "cookie1; cookie2");
  req.headers.Add("User-Agent", "agent");
  json e = json::parse(
      FunctionUrlEvent(req, Info("/my/path", "parameter1=value1&parameter1=value2&p2=v")));
  EXPECT_EQ(e["version"], "2.0");
  EXPECT_EQ(e["routeKey"], "$default");
  EXPECT_EQ(e["rawPath"], "/my/path");
  EXPECT_EQ(e["rawQueryString"], "parameter1=value1&parameter1=value2&p2=v");
  EXPECT_EQ(e["cookies"], json::array({"cookie1", "cookie2"}));
  EXPECT_EQ(e["headers"]["header2"], "value1,value2");
  EXPECT_FALSE(e["headers"].contains("cookie"));
  EXPECT_EQ(e["queryStringParameters"], (json{{"parameter1", "value1,value2"}, {"p2", "v"}}));
  EXPECT_EQ(e["body"], "Hello from client!");
  EXPECT_EQ(e["isBase64Encoded"], false);
  const json& ctx = e["requestContext"];
  EXPECT_EQ(ctx["accountId"], "anonymous");
  EXPECT_EQ(ctx["apiId"], "abc");
  EXPECT_EQ(ctx["domainPrefix"], "abc");
  EXPECT_EQ(ctx["domainName"], "localhost:4566");
  EXPECT_EQ(ctx["http"]["method"], "POST");
  EXPECT_EQ(ctx["http"]["path"], "/my/path");
  EXPECT_EQ(ctx["http"]["userAgent"], "agent");
  EXPECT_EQ(ctx["http"]["sourceIp"], "127.0.0.1");
  EXPECT_EQ(ctx["requestId"], "req-1");
  EXPECT_EQ(ctx["time"], "04/Mar/2020:19:03:58 +0000");
  EXPECT_EQ(ctx["timeEpoch"], 1583348638390);
}

TEST(FunctionUrlEvent, LeavesOutWhatTheRequestLacks) {
  json e = json::parse(FunctionUrlEvent(Request("GET", "/lambda-url/abc/"), Info("/")));
  EXPECT_FALSE(e.contains("body"));
  EXPECT_FALSE(e.contains("cookies"));
  EXPECT_FALSE(e.contains("queryStringParameters"));
  EXPECT_EQ(e["rawQueryString"], "");
  EXPECT_EQ(e["isBase64Encoded"], false);
}

TEST(FunctionUrlEvent, EncodesBodiesThatAreNotText) {
  struct Case {
    const char* content_type;
    std::string body;
    bool encoded;
  };
  const Case cases[] = {
      {"application/json", R"({"a":1})", false},
      {"text/html; charset=utf-8", "<p>hi</p>", false},
      {"application/xml", "<a/>", false},
      {"application/javascript", "x()", false},
      {"multipart/form-data; boundary=x", "--x--", true},  // test_lambda_url_form_payload
      {"application/octet-stream", "abc", true},
      {"text/plain", std::string("\xff\xfe", 2), true},  // not UTF-8
      {"", "abc", true},
  };
  for (const auto& c : cases) {
    auto req = Request("POST", "/", c.body);
    if (*c.content_type) req.headers.Add("Content-Type", c.content_type);
    json e = json::parse(FunctionUrlEvent(req, Info("/")));
    EXPECT_EQ(e["isBase64Encoded"], c.encoded) << c.content_type;
  }
}

TEST(FunctionUrlResponse, ReturnValuesWithoutStatusCodeAreTheBody) {
  // TestLambdaURL::test_lambda_url_invocation[*]
  struct Case {
    const char* payload;
    const char* body;
  };
  const Case cases[] = {
      {R"({"hello": "world"})", R"({"hello":"world"})"},
      {R"(["hello", 3, true])", R"(["hello",3,true])"},
      {R"("hello")", "hello"},
      {"3", "3"},
      {"3.1", "3.1"},
      {"true", "true"},
      {R"({"body": "not a response without statusCode"})",
       R"({"body":"not a response without statusCode"})"},
  };
  for (const auto& c : cases) {
    auto resp = FunctionUrlResponse(c.payload);
    EXPECT_EQ(resp.status, 200u) << c.payload;
    EXPECT_EQ(resp.body, c.body) << c.payload;
    EXPECT_EQ(resp.headers.Get("Content-Type"), "application/json") << c.payload;
  }
}

TEST(FunctionUrlResponse, StructuredResponses) {
  auto resp = FunctionUrlResponse(
      R"({"statusCode": 201, "headers": {"My-Custom-Header": "Custom Value"}, "body": "x"})");
  EXPECT_EQ(resp.status, 201u);
  EXPECT_EQ(resp.headers.Get("my-custom-header"), "Custom Value");
  EXPECT_EQ(resp.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(resp.body, "x");

  resp = FunctionUrlResponse(R"({"statusCode": "418", "body": "i'm a teapot"})");
  EXPECT_EQ(resp.status, 418u);
  EXPECT_EQ(resp.body, "i'm a teapot");

  resp = FunctionUrlResponse(
      R"({"statusCode": 200, "body": "AAFiaW5hcnk=", "isBase64Encoded": true,
          "headers": {"content-type": "application/octet-stream"}, "cookies": ["a=1", "b=2"]})");
  EXPECT_EQ(resp.body, std::string("\x00\x01"
                                   "binary",
                                   8));
  EXPECT_EQ(resp.headers.Get("Content-Type"), "application/octet-stream");
  int cookies = 0;
  for (const auto& [name, value] : resp.headers.fields()) cookies += name == "Set-Cookie";
  EXPECT_EQ(cookies, 2);

  resp = FunctionUrlResponse(R"({"statusCode": 204})");
  EXPECT_EQ(resp.status, 204u);
  EXPECT_EQ(resp.body, "");
}

TEST(FunctionUrlResponse, UnusableStatusCodesAreFailures) {
  for (const char* payload : {R"({"statusCode": "teapot"})", R"({"statusCode": 42})",
                              R"({"statusCode": null})", R"({"statusCode": 200,
                              "body": "%%%", "isBase64Encoded": true})"}) {
    auto resp = FunctionUrlResponse(payload);
    EXPECT_EQ(resp.status, 502u) << payload;
    EXPECT_EQ(resp.body, "Internal Server Error") << payload;
  }
}

TEST(FunctionUrlCors, AllowsOnlyListedOrigins) {
  FunctionUrlCors cors;
  cors.allow_origins = std::vector<std::string>{"https://a.example"};
  cors.allow_methods = std::vector<std::string>{"GET", "POST"};
  cors.max_age = 10;
  auto req = Request("OPTIONS", "/");
  req.headers.Add("Origin", "https://a.example");
  protocol::HttpResponse resp;
  AddCorsHeaders(cors, req, /*preflight=*/true, resp);
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Origin"), "https://a.example");
  EXPECT_EQ(resp.headers.Get("Access-Control-Allow-Methods"), "GET,POST");
  EXPECT_EQ(resp.headers.Get("Access-Control-Max-Age"), "10");

  auto other = Request("GET", "/");
  other.headers.Add("Origin", "https://b.example");
  protocol::HttpResponse none;
  AddCorsHeaders(cors, other, /*preflight=*/false, none);
  EXPECT_FALSE(none.headers.Has("Access-Control-Allow-Origin"));

  cors.allow_origins = std::vector<std::string>{"*"};
  protocol::HttpResponse any;
  AddCorsHeaders(cors, other, /*preflight=*/false, any);
  EXPECT_EQ(any.headers.Get("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(any.headers.Has("Access-Control-Allow-Methods"));  // preflight only
}

}  // namespace
}  // namespace streamstack::lambda
