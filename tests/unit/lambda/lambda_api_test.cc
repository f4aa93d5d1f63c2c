// The REST-JSON adapter driven in-process through the real router (no sockets).
#include "streamstack/lambda/lambda_api.h"

#include <gtest/gtest.h>

#include <set>

#include "lambda/validation.h"
#include "test_util.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;
using protocol::HttpRequest;
using protocol::HttpResponse;

constexpr const char* kStream =
    "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2019-06-10T19:26:16.525";

class LambdaApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = test_util::MemoryStore();
    functions_ = std::make_unique<Functions>(*store_, clock_, AccountScope{});
    ASSERT_TRUE(functions_->Open().ok());
    invoke_ = std::make_unique<InvokeService>(*functions_, invoker_, clock_);
    mappings_ = std::make_unique<EventSourceMappings>(*store_, clock_, *functions_, catalog_);
    ASSERT_TRUE(mappings_->Open().ok());
    layers_ = std::make_unique<Layers>(*store_, clock_, AccountScope{});
    ASSERT_TRUE(layers_->Open().ok());
    functions_->SetLayers(layers_.get());
    router_ = std::make_unique<protocol::Router>(&metrics_, "us-east-1");
    RegisterLambdaApi(*router_,
                      LambdaServices{*functions_, *invoke_, *mappings_, *layers_, clock_});
  }

  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.headers.Set("Content-Type", "application/json");
    for (auto& [k, v] : headers) req.headers.Set(k, v);
    std::promise<HttpResponse> p;
    auto f = p.get_future();
    router_->Handle(std::move(req), [&p](HttpResponse r) { p.set_value(std::move(r)); });
    return f.get();
  }
  void CreateFunction(const std::string& name, const std::string& url) {
    json body = {{"FunctionName", name},
                 {"Runtime", "python3.12"},
                 {"Role", "arn:aws:iam::000000000000:role/r"},
                 {"Handler", "index.handler"},
                 {"Code", {{"ZipFile", Base64Encode(test_util::EmptyZip())}}},
                 {"Environment", {{"Variables", {{"STREAMSTACK_INVOKE_URL", url}}}}}};
    ASSERT_EQ(Send("POST", "/2015-03-31/functions", body.dump()).status, 201u);
  }

  OffsetClock clock_{SystemTime(std::chrono::milliseconds(1573690429717))};
  MetricsRegistry metrics_;
  test_util::SetCatalog catalog_;
  test_util::FakeInvoker invoker_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Functions> functions_;
  std::unique_ptr<InvokeService> invoke_;
  std::unique_ptr<EventSourceMappings> mappings_;
  std::unique_ptr<Layers> layers_;
  std::unique_ptr<protocol::Router> router_;
};

std::set<std::string> Keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

TEST_F(LambdaApiTest, FunctionConfigurationShape) {
  CreateFunction("f", "http://127.0.0.1:9/");
  HttpResponse resp = Send("GET", "/2015-03-31/functions/f/configuration", "");
  ASSERT_EQ(resp.status, 200u);
  json j = json::parse(resp.body);
  EXPECT_EQ(j["LastModified"], "2019-11-14T00:13:49.717+0000");
  EXPECT_EQ(j["Version"], "$LATEST");
  EXPECT_EQ(j["State"], "Active");
  EXPECT_EQ(j["TracingConfig"], json({{"Mode", "PassThrough"}}));
  EXPECT_EQ(j["EphemeralStorage"], json({{"Size", 512}}));
  EXPECT_EQ(j["Architectures"], json::array({"x86_64"}));

  HttpResponse missing = Send("GET", "/2015-03-31/functions/nope", "");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.headers.Get("x-amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(Send("DELETE", "/2015-03-31/functions/f", "").status, 204u);
}

TEST_F(LambdaApiTest, InvokeHeadersAndLimits) {
  CreateFunction("f", "http://127.0.0.1:9/");
  invoker_.Answer({test_util::FunctionError("{\"a\":1}")});
  HttpResponse resp = Send("POST", "/2015-03-31/functions/f/invocations", "{}");
  EXPECT_EQ(resp.status, 200u);
  EXPECT_EQ(resp.headers.Get("X-Amz-Function-Error"), "Unhandled");
  EXPECT_EQ(resp.headers.Get("X-Amz-Executed-Version"), "$LATEST");
  EXPECT_EQ(resp.body, "{\"a\":1}");
  EXPECT_EQ(Send("POST", "/2015-03-31/functions/f/invocations", "{}",
                 {{"X-Amz-Invocation-Type", "DryRun"}})
                .status,
            204u);
  HttpResponse big = Send("POST", "/2015-03-31/functions/f/invocations", std::string(6291457, ' '));
  EXPECT_EQ(big.status, 413u);
  EXPECT_EQ(big.headers.Get("x-amzn-ErrorType"), "RequestEntityTooLargeException");
}

TEST_F(LambdaApiTest, MappingMembersAreExactlyAwss) {
  CreateFunction("f", "http://127.0.0.1:9/");
  json body = {{"FunctionName", "f"}, {"EventSourceArn", kStream}, {"StartingPosition", "LATEST"}};
  HttpResponse resp = Send("POST", "/2015-03-31/event-source-mappings", body.dump());
  ASSERT_EQ(resp.status, 202u) << resp.body;
  json j = json::parse(resp.body);
  EXPECT_EQ(Keys(j), (std::set<std::string>{
                         "BatchSize", "BisectBatchOnFunctionError", "DestinationConfig",
                         "EventSourceArn", "EventSourceMappingArn", "FunctionArn",
                         "FunctionResponseTypes", "LastModified", "LastProcessingResult",
                         "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds",
                         "MaximumRetryAttempts", "ParallelizationFactor", "StartingPosition",
                         "State", "StateTransitionReason", "TumblingWindowInSeconds", "UUID"}));
  EXPECT_EQ(j["DestinationConfig"], json({{"OnFailure", json::object()}}));
  EXPECT_DOUBLE_EQ(j["LastModified"].get<double>(), 1573690429.717);
  std::string uuid = j["UUID"];
  EXPECT_EQ(Send("GET", "/2015-03-31/event-source-mappings/" + uuid, "").status, 200u);
  EXPECT_EQ(Send("PUT", "/2015-03-31/event-source-mappings/" + uuid, "{\"BatchSize\": 5}").status,
            202u);
  HttpResponse list =
      Send("GET", "/2015-03-31/event-source-mappings?FunctionName=f&MaxItems=1", "");
  ASSERT_EQ(list.status, 200u);
  EXPECT_EQ(json::parse(list.body)["EventSourceMappings"].size(), 1u);
  EXPECT_EQ(Send("GET", "/2015-03-31/event-source-mappings?MaxItems=0", "").status, 400u);
  EXPECT_EQ(Send("DELETE", "/2015-03-31/event-source-mappings/" + uuid, "").status, 202u);
  HttpResponse wrong = Send("POST", "/2015-03-31/event-source-mappings", "{\"BatchSize\": \"x\"}");
  EXPECT_EQ(wrong.status, 400u);
  EXPECT_EQ(wrong.headers.Get("x-amzn-ErrorType"), "InvalidRequestContentException");
}

// Layer requests are read through Lambda's input model: the body, the URI and the query
// string, with the answers AWS recorded (LocalStack's TestLambdaLayer::test_layer_exceptions
// and test_layer_policy_exceptions) where one exists.
TEST_F(LambdaApiTest, LayerRequestsAreReadThroughTheModel) {
  auto error = [](const HttpResponse& resp) {
    json body = json::parse(resp.body);
    return std::string(resp.headers.Get("x-amzn-ErrorType")) + ": " +
           body.value("message", body.value("Message", std::string()));
  };
  const std::string versions = "/2018-10-31/layers/my-layer/versions";
  std::string runtimes;
  for (const auto& r : KnownRuntimes()) runtimes += (runtimes.empty() ? "" : ", ") + r;
  json bad_lists = {{"Content", {{"ZipFile", Base64Encode(test_util::EmptyZip())}}},
                    {"CompatibleRuntimes", {"invalidruntime"}},
                    {"CompatibleArchitectures", {"invalidarch", "x86_64"}}};
  const std::string runtimes_clause =
      "Value '[invalidruntime]' at 'compatibleRuntimes' failed to satisfy constraint: Member "
      "must satisfy enum value set: [" +
      runtimes + "]";
  EXPECT_EQ(error(Send("POST", versions, bad_lists.dump())),
            "ValidationException: 2 validation errors detected: " + runtimes_clause +
                "; Value '[invalidarch, x86_64]' at 'compatibleArchitectures' failed to satisfy "
                "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
                "[x86_64, arm64], Member must not be null]");
  EXPECT_EQ(error(Send("POST", versions, "{\"Description\": \"d\"}")),
            "ValidationException: 1 validation error detected: Value null at 'content' failed to "
            "satisfy constraint: Member must not be null");
  EXPECT_EQ(error(Send("POST", versions, "{\"Content\": {\"ZipFile\": 5}}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'ZipFile'");
  EXPECT_EQ(error(Send("POST", "/2018-10-31/layers/bad%20name/versions",
                       "{\"Content\": {\"ZipFile\": \"\"}}")),
            "ValidationException: 1 validation error detected: Value 'bad name' at 'layerName' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+");
  json good = {{"Content", {{"ZipFile", Base64Encode(test_util::EmptyZip())}}}};
  ASSERT_EQ(Send("POST", versions, good.dump()).status, 201u);

  EXPECT_EQ(error(Send("GET", "/2018-10-31/layers?CompatibleArchitecture=archdoesnotexist", "")),
            "ValidationException: 1 validation error detected: Value 'archdoesnotexist' at "
            "'compatibleArchitecture' failed to satisfy constraint: Member must satisfy enum "
            "value set: [x86_64, arm64]");
  EXPECT_EQ(error(Send("GET", "/2018-10-31/layers?find=LayerVersion&Arn=nope", "")),
            "ValidationException: 1 validation error detected: Value 'nope' at 'arn' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+");
  EXPECT_EQ(error(Send("GET", versions + "/0", "")),
            "InvalidParameterValueException: Layer Version Cannot be less than 1");
  EXPECT_EQ(Send("GET", versions + "/1", "").status, 200u);
  EXPECT_EQ(Send("GET", versions + "?CompatibleRuntime=python3.12", "").status, 200u);

  json permission = {{"StatementId", "s1"}, {"Action", "*"}, {"Principal", "*"}};
  EXPECT_EQ(error(Send("POST", versions + "/1/policy", permission.dump())),
            "ValidationException: 1 validation error detected: Value '*' at 'action' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "lambda:GetLayerVersion");
  EXPECT_EQ(error(Send("POST", versions + "/1/policy", "{}")),
            "ValidationException: 3 validation errors detected: Value null at 'statementId' "
            "failed to satisfy constraint: Member must not be null; Value null at 'action' failed "
            "to satisfy constraint: Member must not be null; Value null at 'principal' failed to "
            "satisfy constraint: Member must not be null");
  permission["Action"] = "lambda:GetLayerVersion";
  EXPECT_EQ(Send("POST", versions + "/1/policy?RevisionId=", permission.dump()).status, 201u);
  EXPECT_EQ(error(Send("DELETE", versions + "/1/policy/s1?RevisionId=wrong", "")),
            "PreconditionFailedException: The Revision Id provided does not match the latest "
            "Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id");
  EXPECT_EQ(Send("DELETE", versions + "/1/policy/s1", "").status, 204u);
}

// Function URL requests are read through the model too: FunctionName and Qualifier with the
// body in one pass, the Cors lists' faulty items reported at the list as Lambda reports them.
TEST_F(LambdaApiTest, FunctionUrlRequestsAreReadThroughTheModel) {
  auto error = [](const HttpResponse& resp) {
    json body = json::parse(resp.body);
    return std::string(resp.headers.Get("x-amzn-ErrorType")) + ": " +
           body.value("message", body.value("Message", std::string()));
  };
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string url = "/2021-10-31/functions/f/url";
  EXPECT_EQ(error(Send("POST", url + "?Qualifier=1", "{\"AuthType\": \"SOME\"}")),
            "ValidationException: 2 validation errors detected: Value '1' at 'qualifier' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "((?!^\\d+$)^[0-9a-zA-Z-_]+$); Value 'SOME' at 'authType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [NONE, AWS_IAM]");
  EXPECT_EQ(error(Send("POST", url, "{\"AuthType\": 5}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'AuthType'");
  json cors = {{"AuthType", "NONE"}, {"Cors", {{"AllowMethods", {"GET", "TOOLONG"}}}}};
  EXPECT_EQ(error(Send("POST", url, cors.dump())),
            "ValidationException: 1 validation error detected: Value '[GET, TOOLONG]' at "
            "'cors.allowMethods' failed to satisfy constraint: Member must satisfy constraint: "
            "[Member must have length less than or equal to 6, Member must have length greater "
            "than or equal to 0, Member must satisfy regular expression pattern: .*, Member must "
            "not be null]");
  cors["Cors"]["AllowMethods"] = {"GET"};
  EXPECT_EQ(Send("POST", url, cors.dump()).status, 201u);
  EXPECT_EQ(error(Send("GET", url + "s?MaxItems=abc", "")),
            "ValidationException: 1 validation error detected: Value 'abc' at 'maxItems' failed "
            "to satisfy constraint: Member must be an integer");
  EXPECT_EQ(error(Send("GET", url + "s?MaxItems=51", "")),
            "ValidationException: 1 validation error detected: Value '51' at 'maxItems' failed "
            "to satisfy constraint: Member must have value less than or equal to 50");
  HttpResponse listed = Send("GET", url + "s?MaxItems=1", "");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["FunctionUrlConfigs"].size(), 1u);
}

// Function permissions: the body, the Qualifier and the path's StatementId through the model.
TEST_F(LambdaApiTest, PermissionRequestsAreReadThroughTheModel) {
  auto error = [](const HttpResponse& resp) {
    json body = json::parse(resp.body);
    return std::string(resp.headers.Get("x-amzn-ErrorType")) + ": " +
           body.value("message", body.value("Message", std::string()));
  };
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string policy = "/2015-03-31/functions/f/policy";
  EXPECT_EQ(error(Send("POST", policy + "?Qualifier=a%20b", "{}")),
            "ValidationException: 4 validation errors detected: Value null at 'statementId' "
            "failed to satisfy constraint: Member must not be null; Value null at 'action' failed "
            "to satisfy constraint: Member must not be null; Value null at 'principal' failed to "
            "satisfy constraint: Member must not be null; Value 'a b' at 'qualifier' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+");
  json statement = {{"StatementId", "s1"},
                    {"Action", "lambda:InvokeFunction"},
                    {"Principal", "s3.amazonaws.com"},
                    {"SourceAccount", "123"}};
  EXPECT_EQ(error(Send("POST", policy, statement.dump())),
            "ValidationException: 1 validation error detected: Value '123' at 'sourceAccount' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "\\d{12}");
  statement["SourceAccount"] = "123456789012";
  EXPECT_EQ(Send("POST", policy, statement.dump()).status, 201u);
  EXPECT_EQ(error(Send("DELETE", policy + "/s%201", "")),
            "ValidationException: 1 validation error detected: Value 's 1' at 'statementId' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "([a-zA-Z0-9-_.]+)");
  EXPECT_EQ(Send("DELETE", policy + "/s1", "").status, 204u);
  EXPECT_EQ(error(Send("GET", policy, "")),
            "ResourceNotFoundException: The resource you requested does not exist.");
}

// Versions and the alias listing: MaxItems, FunctionVersion and the body through the model.
TEST_F(LambdaApiTest, VersionRequestsAreReadThroughTheModel) {
  auto error = [](const HttpResponse& resp) {
    json body = json::parse(resp.body);
    return std::string(resp.headers.Get("x-amzn-ErrorType")) + ": " +
           body.value("message", body.value("Message", std::string()));
  };
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string versions = "/2015-03-31/functions/f/versions";
  EXPECT_EQ(error(Send("POST", versions, json({{"Description", std::string(257, 'd')}}).dump())),
            "ValidationException: 1 validation error detected: Value '" + std::string(257, 'd') +
                "' at 'description' failed to satisfy constraint: Member must have length less "
                "than or equal to 256");
  EXPECT_EQ(error(Send("POST", versions, "{\"CodeSha256\": 1}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'CodeSha256'");
  EXPECT_EQ(Send("POST", versions, "{\"Description\": \"v1\"}").status, 201u);
  EXPECT_EQ(error(Send("GET", versions + "?MaxItems=x", "")),
            "ValidationException: 1 validation error detected: Value 'x' at 'maxItems' failed to "
            "satisfy constraint: Member must be an integer");
  EXPECT_EQ(error(Send("GET", versions + "?MaxItems=10001", "")),
            "ValidationException: 1 validation error detected: Value '10001' at 'maxItems' "
            "failed to satisfy constraint: Member must have value less than or equal to 10000");
  HttpResponse page = Send("GET", versions + "?MaxItems=1", "");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(json::parse(page.body)["Versions"].size(), 1u);
  EXPECT_EQ(error(Send("GET", "/2015-03-31/functions/f/aliases?FunctionVersion=v2", "")),
            "ValidationException: 1 validation error detected: Value 'v2' at 'functionVersion' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "(\\$LATEST(\\.PUBLISHED)?|[0-9]+)");
  EXPECT_EQ(Send("GET", "/2015-03-31/functions/f/aliases?FunctionVersion=1", "").status, 200u);
}

// Event invoke configs: ranges, destinations and MaxItems through the model.
TEST_F(LambdaApiTest, EventInvokeConfigRequestsAreReadThroughTheModel) {
  auto error = [](const HttpResponse& resp) {
    json body = json::parse(resp.body);
    return std::string(resp.headers.Get("x-amzn-ErrorType")) + ": " +
           body.value("message", body.value("Message", std::string()));
  };
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string config = "/2019-09-25/functions/f/event-invoke-config";
  json bad = {{"MaximumRetryAttempts", 3},
              {"MaximumEventAgeInSeconds", 59},
              {"DestinationConfig", {{"OnFailure", {{"Destination", "nowhere"}}}}}};
  EXPECT_EQ(
      error(Send("PUT", config, bad.dump())),
      "ValidationException: 3 validation errors detected: Value '3' at 'maximumRetryAttempts' "
      "failed to satisfy constraint: Member must have value less than or equal to 2; Value '59' "
      "at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value "
      "greater than or equal to 60; Value 'nowhere' at 'destinationConfig.onFailure.destination' "
      "failed to satisfy constraint: Member must satisfy regular expression pattern: "
      "$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]"
      "{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)");
  EXPECT_EQ(error(Send("POST", config, "{\"MaximumRetryAttempts\": 1.5}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'MaximumRetryAttempts'");
  HttpResponse put = Send("PUT", config, "{\"MaximumRetryAttempts\": 1}");
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(json::parse(put.body)["MaximumRetryAttempts"], 1);
  EXPECT_EQ(error(Send("GET", config + "/list?MaxItems=51", "")),
            "ValidationException: 1 validation error detected: Value '51' at 'maxItems' failed "
            "to satisfy constraint: Member must have value less than or equal to 50");
  EXPECT_EQ(Send("GET", config + "/list?MaxItems=50", "").status, 200u);
  EXPECT_EQ(Send("DELETE", config, "").status, 204u);
}

}  // namespace
}  // namespace streamstack::lambda
