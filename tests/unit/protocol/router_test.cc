#include "streamstack/protocol/router.h"

#include <gtest/gtest.h>

#include <optional>

namespace streamstack::protocol {
namespace {

const ServiceWire kDynamoWire{WireProtocol::kJson10, "com.amazonaws.dynamodb.v20120810", "", false};
const ServiceWire kLambdaWire{WireProtocol::kRestJson, "", "", false};
const ServiceWire kSnsWire{WireProtocol::kQuery, "", "http://sns.amazonaws.com/doc/2010-03-31/",
                           false};

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.AddJsonService(
        "dynamodb", "DynamoDB_20120810", kDynamoWire,
        {{"ListTables",
          [this](const RequestContext& ctx, nlohmann::json&& in, JsonReply reply) {
            last_region_ = ctx.region;
            reply(nlohmann::json{{"TableNames", nlohmann::json::array()}, {"echo", in}});
          }},
         {"DescribeTable", [](const RequestContext&, nlohmann::json&&, JsonReply reply) {
            reply(Status(AwsError::kResourceNotFound, "Requested resource not found"));
          }}});
    router_.AddRestRoute("lambda", kLambdaWire, "GET", "/2015-03-31/functions/{FunctionName}",
                         "GetFunction", [](const RequestContext& ctx, RestReply reply) {
                           if (ctx.path_params.at("FunctionName") == "missing") {
                             reply(Status(AwsError::kResourceNotFound, "Function not found"));
                             return;
                           }
                           HttpResponse r;
                           r.body = ctx.path_params.at("FunctionName");
                           reply(std::move(r));
                         });
    router_.AddQueryService(
        "sns", kSnsWire,
        {{"ListTopics", [](const RequestContext&, Params&& params, QueryReply reply) {
            std::string token;
            for (auto& [k, v] : params) {
              if (k == "NextToken") token = v;
            }
            reply("<Topics/><Token>" + XmlEscape(token) + "</Token>");
          }}});
    router_.AddGet("/health", [](const HttpRequest&) {
      HttpResponse r;
      r.body = "ok";
      return r;
    });
  }

  HttpResponse Send(HttpRequest req) {
    std::optional<HttpResponse> out;
    router_.Handle(std::move(req), [&](HttpResponse r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(HttpResponse{});
  }

  static HttpRequest JsonCall(std::string target, std::string body) {
    HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers.Set("Content-Type", "application/x-amz-json-1.0");
    if (!target.empty()) req.headers.Set("X-Amz-Target", std::move(target));
    req.body = std::move(body);
    return req;
  }

  MetricsRegistry metrics_;
  Router router_{&metrics_, "us-east-1"};
  std::string last_region_;
};

TEST_F(RouterTest, JsonDispatchAndRegionFromCredentialScope) {
  HttpRequest req = JsonCall("DynamoDB_20120810.ListTables", R"({"Limit": 3})");
  req.headers.Set("Authorization",
                  "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/dynamodb/aws4_request, "
                  "SignedHeaders=host, Signature=abc");
  HttpResponse r = Send(std::move(req));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_FALSE(r.headers.Get("x-amzn-RequestId").empty());
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["echo"]["Limit"], 3);
  EXPECT_EQ(last_region_, "eu-west-1");

  Send(JsonCall("DynamoDB_20120810.ListTables", ""));
  EXPECT_EQ(last_region_, "us-east-1");
}

TEST_F(RouterTest, ErrorsAreAwsShaped) {
  struct Case {
    std::string target, body;
    unsigned status;
    std::string type;
    const char* message_member;  // nullptr: AWS sends the __type alone (dynalite's recordings)
  };
  std::vector<Case> cases = {
      {"DynamoDB_20120810.DescribeTable", "{}", 400,
       "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message"},
      {"DynamoDB_20120810.ListTables", "{not json", 400,
       "com.amazon.coral.service#SerializationException", nullptr},
      {"DynamoDB_20120810.ListTables", "[1,2]", 400,
       "com.amazon.coral.service#SerializationException", "Message"},
      {"DynamoDB_20120810.NoSuchOperation", "{}", 400,
       "com.amazon.coral.service#UnknownOperationException", nullptr},
      {"Nope_2012.ListTables", "{}", 400, "com.amazon.coral.service#UnknownOperationException",
       nullptr},
      {"", "{}", 400, "com.amazon.coral.service#UnknownOperationException", nullptr},
  };
  for (const Case& c : cases) {
    HttpResponse r = Send(JsonCall(c.target, c.body));
    EXPECT_EQ(r.status, c.status) << c.target << " " << c.body;
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_EQ(body["__type"], c.type) << c.target << " " << c.body;
    if (c.message_member != nullptr) {
      EXPECT_TRUE(body.contains(c.message_member)) << r.body;
    } else {
      EXPECT_EQ(body.size(), 1u) << r.body;
    }
  }
  std::string metrics = metrics_.RenderPrometheus();
  EXPECT_NE(metrics.find("streamstack_request_errors_total{service=\"dynamodb\","
                         "operation=\"DescribeTable\"} 1"),
            std::string::npos)
      << metrics;
}

TEST_F(RouterTest, RestRoutesAndErrors) {
  HttpRequest req;
  req.method = "GET";
  req.target = "/2015-03-31/functions/my%2Dfn?Qualifier=1";
  HttpResponse r = Send(std::move(req));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "my-fn");

  HttpRequest missing;
  missing.method = "GET";
  missing.target = "/2015-03-31/functions/missing";
  r = Send(std::move(missing));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.headers.Get("x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(nlohmann::json::parse(r.body)["Message"], "Function not found");

  HttpRequest unknown;
  unknown.method = "GET";
  unknown.target = "/nowhere";
  r = Send(std::move(unknown));
  // What DynamoDB's endpoint answers a path it does not serve (dynalite's recordings).
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, "<UnknownOperationException/>\n");
}

TEST_F(RouterTest, QueryProtocol) {
  HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  req.body = "Action=ListTopics&Version=2010-03-31&NextToken=a%26b+c";
  HttpResponse r = Send(std::move(req));
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("<ListTopicsResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                        "<ListTopicsResult><Topics/><Token>a&amp;b c</Token></ListTopicsResult>"),
            std::string::npos)
      << r.body;

  HttpRequest bad;
  bad.method = "POST";
  bad.target = "/";
  bad.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  bad.body = "Action=Explode";
  r = Send(std::move(bad));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("<Code>InvalidAction</Code>"), std::string::npos) << r.body;
}

TEST_F(RouterTest, PlainGet) {
  HttpRequest req;
  req.method = "GET";
  req.target = "/health";
  EXPECT_EQ(Send(std::move(req)).body, "ok");
}

// curl -d and urllib label any POST body form-encoded; a REST path still reaches its route,
// and a form-encoded POST elsewhere is still the query protocol.
TEST_F(RouterTest, FormEncodedPostToARestPathReachesTheRoute) {
  router_.AddRestRoute("lambda", kLambdaWire, "POST",
                       "/2015-03-31/functions/{FunctionName}/invocations", "Invoke",
                       [](const RequestContext& ctx, RestReply reply) {
                         HttpResponse r;
                         r.body = "invoked " + ctx.path_params.at("FunctionName");
                         reply(std::move(r));
                       });
  HttpRequest invoke;
  invoke.method = "POST";
  invoke.target = "/2015-03-31/functions/f/invocations";
  invoke.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  invoke.body = "{}";
  HttpResponse out = Send(std::move(invoke));
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "invoked f");

  HttpRequest query;
  query.method = "POST";
  query.target = "/";
  query.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  query.body = "Action=ListTopics&NextToken=t";
  out = Send(std::move(query));
  EXPECT_EQ(out.status, 200);
  EXPECT_NE(out.body.find("<Token>t</Token>"), std::string::npos);
}

TEST(ProtocolHelpersTest, FormDecoding) {
  Params p = ParseFormEncoded("a=1&b=x%20y+z&c&=e&d=%zz");
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[1].second, "x y z");
  EXPECT_EQ(p[2].first, "c");
  EXPECT_EQ(p[4].second, "%zz");
}

TEST(ProtocolHelpersTest, ErrorTable) {
  EXPECT_EQ(ErrorHttpStatus(AwsError::kResourceNotFound, WireProtocol::kJson10), 400u);
  EXPECT_EQ(ErrorHttpStatus(AwsError::kResourceNotFound, WireProtocol::kRestJson), 404u);
  EXPECT_EQ(ErrorHttpStatus(AwsError::kResourceConflict, WireProtocol::kRestJson), 409u);
  EXPECT_EQ(ErrorCode(AwsError::kQueueDoesNotExist, WireProtocol::kQuery),
            "AWS.SimpleQueueService.NonExistentQueue");
  HttpResponse r =
      MakeErrorResponse(Status(AwsError::kQueueDoesNotExist, "gone"),
                        ServiceWire{WireProtocol::kJson10, "com.amazonaws.sqs", "", true}, "rid");
  EXPECT_EQ(r.headers.Get("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(nlohmann::json::parse(r.body)["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
  HttpResponse big = RequestEntityTooLargeResponse(100);
  EXPECT_EQ(big.status, 413u);
  EXPECT_TRUE(big.close);
}

}  // namespace
}  // namespace streamstack::protocol
