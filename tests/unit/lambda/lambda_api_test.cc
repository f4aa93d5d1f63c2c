// The REST-JSON adapter driven in-process through the real router (no sockets).
#include "streamstack/lambda/lambda_api.h"

#include <gtest/gtest.h>

#include <set>

#include "lambda/lambda_input_model.h"
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
  // "<x-amzn-ErrorType>: <message>" of an error answer (Lambda words it "message", a model
  // fault "Message").
  static std::string ErrorOf(const HttpResponse& resp) {
    json body = json::parse(resp.body);
    return std::string(resp.headers.Get("x-amzn-ErrorType")) + ": " +
           body.value("message", body.value("Message", std::string()));
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
  const std::string versions = "/2018-10-31/layers/my-layer/versions";
  std::string runtimes;
  // The model's Runtime enum, in its order.
  const json model = json::parse(LambdaInputModel());
  for (const auto& r : model["shapes"]["Runtime"]["enum"]) {
    runtimes += (runtimes.empty() ? "" : ", ") + r.get<std::string>();
  }
  json bad_lists = {{"Content", {{"ZipFile", Base64Encode(test_util::EmptyZip())}}},
                    {"CompatibleRuntimes", {"invalidruntime"}},
                    {"CompatibleArchitectures", {"invalidarch", "x86_64"}}};
  const std::string runtimes_clause =
      "Value '[invalidruntime]' at 'compatibleRuntimes' failed to satisfy constraint: Member "
      "must satisfy enum value set: [" +
      runtimes + "]";
  EXPECT_EQ(ErrorOf(Send("POST", versions, bad_lists.dump())),
            "ValidationException: 2 validation errors detected: " + runtimes_clause +
                "; Value '[invalidarch, x86_64]' at 'compatibleArchitectures' failed to satisfy "
                "constraint: Member must satisfy constraint: [Member must satisfy enum value set: "
                "[x86_64, arm64], Member must not be null]");
  EXPECT_EQ(ErrorOf(Send("POST", versions, "{\"Description\": \"d\"}")),
            "ValidationException: 1 validation error detected: Value null at 'content' failed to "
            "satisfy constraint: Member must not be null");
  EXPECT_EQ(ErrorOf(Send("POST", versions, "{\"Content\": {\"ZipFile\": 5}}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'ZipFile'");
  EXPECT_EQ(ErrorOf(Send("POST", "/2018-10-31/layers/bad%20name/versions",
                         "{\"Content\": {\"ZipFile\": \"\"}}")),
            "ValidationException: 1 validation error detected: Value 'bad name' at 'layerName' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+");
  json good = {{"Content", {{"ZipFile", Base64Encode(test_util::EmptyZip())}}}};
  ASSERT_EQ(Send("POST", versions, good.dump()).status, 201u);

  EXPECT_EQ(ErrorOf(Send("GET", "/2018-10-31/layers?CompatibleArchitecture=archdoesnotexist", "")),
            "ValidationException: 1 validation error detected: Value 'archdoesnotexist' at "
            "'compatibleArchitecture' failed to satisfy constraint: Member must satisfy enum "
            "value set: [x86_64, arm64]");
  EXPECT_EQ(ErrorOf(Send("GET", "/2018-10-31/layers?find=LayerVersion&Arn=nope", "")),
            "ValidationException: 1 validation error detected: Value 'nope' at 'arn' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+");
  EXPECT_EQ(ErrorOf(Send("GET", versions + "/0", "")),
            "InvalidParameterValueException: Layer Version Cannot be less than 1");
  EXPECT_EQ(Send("GET", versions + "/1", "").status, 200u);
  EXPECT_EQ(Send("GET", versions + "?CompatibleRuntime=python3.12", "").status, 200u);

  json permission = {{"StatementId", "s1"}, {"Action", "*"}, {"Principal", "*"}};
  EXPECT_EQ(ErrorOf(Send("POST", versions + "/1/policy", permission.dump())),
            "ValidationException: 1 validation error detected: Value '*' at 'action' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "lambda:GetLayerVersion");
  EXPECT_EQ(ErrorOf(Send("POST", versions + "/1/policy", "{}")),
            "ValidationException: 3 validation errors detected: Value null at 'statementId' "
            "failed to satisfy constraint: Member must not be null; Value null at 'action' failed "
            "to satisfy constraint: Member must not be null; Value null at 'principal' failed to "
            "satisfy constraint: Member must not be null");
  permission["Action"] = "lambda:GetLayerVersion";
  EXPECT_EQ(Send("POST", versions + "/1/policy?RevisionId=", permission.dump()).status, 201u);
  EXPECT_EQ(ErrorOf(Send("DELETE", versions + "/1/policy/s1?RevisionId=wrong", "")),
            "PreconditionFailedException: The Revision Id provided does not match the latest "
            "Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id");
  EXPECT_EQ(Send("DELETE", versions + "/1/policy/s1", "").status, 204u);
}

// Function URL requests are read through the model too: FunctionName and Qualifier with the
// body in one pass, the Cors lists' faulty items reported at the list as Lambda reports them.
TEST_F(LambdaApiTest, FunctionUrlRequestsAreReadThroughTheModel) {
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string url = "/2021-10-31/functions/f/url";
  EXPECT_EQ(ErrorOf(Send("POST", url + "?Qualifier=1", "{\"AuthType\": \"SOME\"}")),
            "ValidationException: 2 validation errors detected: Value '1' at 'qualifier' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "((?!^\\d+$)^[0-9a-zA-Z-_]+$); Value 'SOME' at 'authType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [NONE, AWS_IAM]");
  EXPECT_EQ(ErrorOf(Send("POST", url, "{\"AuthType\": 5}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'AuthType'");
  json cors = {{"AuthType", "NONE"}, {"Cors", {{"AllowMethods", {"GET", "TOOLONG"}}}}};
  EXPECT_EQ(ErrorOf(Send("POST", url, cors.dump())),
            "ValidationException: 1 validation error detected: Value '[GET, TOOLONG]' at "
            "'cors.allowMethods' failed to satisfy constraint: Member must satisfy constraint: "
            "[Member must have length less than or equal to 6, Member must have length greater "
            "than or equal to 0, Member must satisfy regular expression pattern: .*, Member must "
            "not be null]");
  cors["Cors"]["AllowMethods"] = {"GET"};
  EXPECT_EQ(Send("POST", url, cors.dump()).status, 201u);
  EXPECT_EQ(ErrorOf(Send("GET", url + "s?MaxItems=abc", "")),
            "ValidationException: 1 validation error detected: Value 'abc' at 'maxItems' failed "
            "to satisfy constraint: Member must be an integer");
  EXPECT_EQ(ErrorOf(Send("GET", url + "s?MaxItems=51", "")),
            "ValidationException: 1 validation error detected: Value '51' at 'maxItems' failed "
            "to satisfy constraint: Member must have value less than or equal to 50");
  HttpResponse listed = Send("GET", url + "s?MaxItems=1", "");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["FunctionUrlConfigs"].size(), 1u);
}

// Function permissions: the body, the Qualifier and the path's StatementId through the model.
TEST_F(LambdaApiTest, PermissionRequestsAreReadThroughTheModel) {
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string policy = "/2015-03-31/functions/f/policy";
  EXPECT_EQ(ErrorOf(Send("POST", policy + "?Qualifier=a%20b", "{}")),
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
  EXPECT_EQ(ErrorOf(Send("POST", policy, statement.dump())),
            "ValidationException: 1 validation error detected: Value '123' at 'sourceAccount' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "\\d{12}");
  statement["SourceAccount"] = "123456789012";
  EXPECT_EQ(Send("POST", policy, statement.dump()).status, 201u);
  EXPECT_EQ(ErrorOf(Send("DELETE", policy + "/s%201", "")),
            "ValidationException: 1 validation error detected: Value 's 1' at 'statementId' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "([a-zA-Z0-9-_.]+)");
  EXPECT_EQ(Send("DELETE", policy + "/s1", "").status, 204u);
  EXPECT_EQ(ErrorOf(Send("GET", policy, "")),
            "ResourceNotFoundException: The resource you requested does not exist.");
}

// Versions and the alias listing: MaxItems, FunctionVersion and the body through the model.
TEST_F(LambdaApiTest, VersionRequestsAreReadThroughTheModel) {
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string versions = "/2015-03-31/functions/f/versions";
  EXPECT_EQ(ErrorOf(Send("POST", versions, json({{"Description", std::string(257, 'd')}}).dump())),
            "ValidationException: 1 validation error detected: Value '" + std::string(257, 'd') +
                "' at 'description' failed to satisfy constraint: Member must have length less "
                "than or equal to 256");
  EXPECT_EQ(ErrorOf(Send("POST", versions, "{\"CodeSha256\": 1}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'CodeSha256'");
  EXPECT_EQ(Send("POST", versions, "{\"Description\": \"v1\"}").status, 201u);
  EXPECT_EQ(ErrorOf(Send("GET", versions + "?MaxItems=x", "")),
            "ValidationException: 1 validation error detected: Value 'x' at 'maxItems' failed to "
            "satisfy constraint: Member must be an integer");
  EXPECT_EQ(ErrorOf(Send("GET", versions + "?MaxItems=10001", "")),
            "ValidationException: 1 validation error detected: Value '10001' at 'maxItems' "
            "failed to satisfy constraint: Member must have value less than or equal to 10000");
  HttpResponse page = Send("GET", versions + "?MaxItems=1", "");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(json::parse(page.body)["Versions"].size(), 1u);
  EXPECT_EQ(ErrorOf(Send("GET", "/2015-03-31/functions/f/aliases?FunctionVersion=v2", "")),
            "ValidationException: 1 validation error detected: Value 'v2' at 'functionVersion' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "(\\$LATEST(\\.PUBLISHED)?|[0-9]+)");
  EXPECT_EQ(Send("GET", "/2015-03-31/functions/f/aliases?FunctionVersion=1", "").status, 200u);
}

// Event invoke configs: ranges, destinations and MaxItems through the model.
TEST_F(LambdaApiTest, EventInvokeConfigRequestsAreReadThroughTheModel) {
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string config = "/2019-09-25/functions/f/event-invoke-config";
  json bad = {{"MaximumRetryAttempts", 3},
              {"MaximumEventAgeInSeconds", 59},
              {"DestinationConfig", {{"OnFailure", {{"Destination", "nowhere"}}}}}};
  EXPECT_EQ(
      ErrorOf(Send("PUT", config, bad.dump())),
      "ValidationException: 3 validation errors detected: Value '3' at 'maximumRetryAttempts' "
      "failed to satisfy constraint: Member must have value less than or equal to 2; Value '59' "
      "at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value "
      "greater than or equal to 60; Value 'nowhere' at 'destinationConfig.onFailure.destination' "
      "failed to satisfy constraint: Member must satisfy regular expression pattern: "
      "$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]"
      "{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)");
  EXPECT_EQ(ErrorOf(Send("POST", config, "{\"MaximumRetryAttempts\": 1.5}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'MaximumRetryAttempts'");
  HttpResponse put = Send("PUT", config, "{\"MaximumRetryAttempts\": 1}");
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(json::parse(put.body)["MaximumRetryAttempts"], 1);
  EXPECT_EQ(ErrorOf(Send("GET", config + "/list?MaxItems=51", "")),
            "ValidationException: 1 validation error detected: Value '51' at 'maxItems' failed "
            "to satisfy constraint: Member must have value less than or equal to 50");
  EXPECT_EQ(Send("GET", config + "/list?MaxItems=50", "").status, 200u);
  EXPECT_EQ(Send("DELETE", config, "").status, 204u);
}

// Function requests are read through the input model: the answers the core's unit tests pinned
// before the model checked them (function_test.cc's ranges and runtime), and the model's own.
TEST_F(LambdaApiTest, FunctionRequestsAreReadThroughTheModel) {
  int n = 0;
  auto create = [&](const json& changes) {
    json body = {{"FunctionName", "f" + std::to_string(n++)},
                 {"Runtime", "python3.12"},
                 {"Role", "arn:aws:iam::000000000000:role/r"},
                 {"Handler", "index.handler"},
                 {"Code", {{"ZipFile", Base64Encode(test_util::EmptyZip())}}}};
    for (const auto& [k, v] : changes.items()) body[k] = v;
    return Send("POST", "/2015-03-31/functions", body.dump());
  };
  struct Case {
    json changes;
    std::string error;  // empty: accepted
  } cases[] = {
      {{{"Timeout", 1}, {"MemorySize", 128}}, ""},
      {{{"Timeout", 900}, {"MemorySize", 10240}}, ""},
      {{{"Timeout", 0}},
       "ValidationException: 1 validation error detected: Value '0' at 'timeout' failed to "
       "satisfy constraint: Member must have value greater than or equal to 1"},
      {{{"Timeout", 901}},
       "ValidationException: 1 validation error detected: Value '901' at 'timeout' failed to "
       "satisfy constraint: Member must have value less than or equal to 900"},
      {{{"MemorySize", 127}},
       "ValidationException: 1 validation error detected: Value '127' at 'memorySize' failed to "
       "satisfy constraint: Member must have value greater than or equal to 128"},
      {{{"MemorySize", 10241}},
       "ValidationException: 1 validation error detected: Value '10241' at 'memorySize' failed "
       "to satisfy constraint: Member must have value less than or equal to 10240"},
      {{{"Timeout", 0}, {"MemorySize", 10241}},
       "ValidationException: 2 validation errors detected: Value '0' at 'timeout' failed to "
       "satisfy constraint: Member must have value greater than or equal to 1; Value '10241' at "
       "'memorySize' failed to satisfy constraint: Member must have value less than or equal to "
       "10240"},
      {{{"Environment", {{"Variables", {{"A", "1"}, {"GOOD", "2"}}}}}},
       "ValidationException: 1 validation error detected: Value 'A' at 'environment.variables' "
       "failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
       "regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"},
      {{{"Architectures", {"X86_64"}}},
       "ValidationException: 1 validation error detected: Value '[X86_64]' at 'architectures' "
       "failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum "
       "value set: [x86_64, arm64], Member must not be null]"},
      {{{"Architectures", {"x86_64", "arm64"}}},
       "ValidationException: 1 validation error detected: Value '[x86_64, arm64]' at "
       "'architectures' failed to satisfy constraint: Member must have length less than or equal "
       "to 1"},
      {{{"Handler", "index handler"}},
       "ValidationException: 1 validation error detected: Value 'index handler' at 'handler' "
       "failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+"},
      {{{"EphemeralStorage", {{"Size", 511}}}, {"TracingConfig", {{"Mode", "On"}}}},
       "ValidationException: 2 validation errors detected: Value 'On' at 'tracingConfig.mode' "
       "failed to satisfy constraint: Member must satisfy enum value set: [Active, PassThrough]; "
       "Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have "
       "value greater than or equal to 512"},
      {{{"Layers", {"arn:aws:lambda:us-east-1:000000000000:layer:l"}}},
       "ValidationException: 1 validation error detected: Value "
       "'[arn:aws:lambda:us-east-1:000000000000:layer:l]' at 'layers' failed to satisfy "
       "constraint: Member must satisfy constraint: [Member must have length less than or equal "
       "to 2048, Member must have length greater than or equal to 1, Member must satisfy regular "
       "expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:"
       "[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]"},
      {{{"PackageType", "Jar"}},
       "ValidationException: 1 validation error detected: Value 'Jar' at 'packageType' failed "
       "to satisfy constraint: Member must satisfy enum value set: [Zip, Image]"},
      {{{"Timeout", "3"}},
       "InvalidRequestContentException: Could not parse request body into json: Cannot "
       "deserialize value of member 'Timeout'"},
  };
  for (const auto& c : cases) {
    HttpResponse resp = create(c.changes);
    if (c.error.empty()) {
      EXPECT_EQ(resp.status, 201u) << c.changes.dump() << ": " << resp.body;
    } else {
      EXPECT_EQ(ErrorOf(resp), c.error) << c.changes.dump();
    }
  }
  EXPECT_TRUE(ErrorOf(create({{"Runtime", "cobol"}}))
                  .starts_with("ValidationException: 1 validation error detected: Value 'cobol' "
                               "at 'runtime' failed to satisfy constraint: Member must satisfy "
                               "enum value set: [nodejs, nodejs4.3,"));
  // Members the adapter read without checking are held to the model; the required ones are
  // reported together.
  EXPECT_EQ(ErrorOf(Send("POST", "/2015-03-31/functions", "{}")),
            "ValidationException: 3 validation errors detected: Value null at 'functionName' "
            "failed to satisfy constraint: Member must not be null; Value null at 'role' failed "
            "to satisfy constraint: Member must not be null; Value null at 'code' failed to "
            "satisfy constraint: Member must not be null");
  EXPECT_EQ(ErrorOf(create({{"Role", "my-role"}})),
            "ValidationException: 1 validation error detected: Value 'my-role' at 'role' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
  // UpdateFunctionConfiguration: the same settings, the same answers.
  EXPECT_EQ(ErrorOf(Send("PUT", "/2015-03-31/functions/f0/configuration", "{\"Timeout\": 901}")),
            "ValidationException: 1 validation error detected: Value '901' at 'timeout' failed to "
            "satisfy constraint: Member must have value less than or equal to 900");
  EXPECT_EQ(Send("PUT", "/2015-03-31/functions/f0/configuration", "{\"Timeout\": 30}").status,
            200u);
  EXPECT_EQ(ErrorOf(Send("PUT", "/2015-03-31/functions/f0/code",
                         json({{"ZipFile", Base64Encode(test_util::EmptyZip())},
                               {"Architectures", json::array()}})
                             .dump())),
            "ValidationException: 1 validation error detected: Value '[]' at 'architectures' "
            "failed to satisfy constraint: Member must have length greater than or equal to 1");
  // The name and Qualifier of the path, in one pass.
  EXPECT_EQ(ErrorOf(Send("GET", "/2015-03-31/functions/a%20b?Qualifier=c%20d", "")),
            "ValidationException: 2 validation errors detected: Value 'a b' at 'functionName' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
            "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))"
            "?; Value 'c d' at 'qualifier' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: \\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+");
  // ListFunctions: MaxItems as the core's List answered it before (function_test.cc).
  EXPECT_EQ(ErrorOf(Send("GET", "/2015-03-31/functions?MaxItems=0", "")),
            "ValidationException: 1 validation error detected: Value '0' at 'maxItems' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1");
  EXPECT_EQ(ErrorOf(Send("GET", "/2015-03-31/functions?FunctionVersion=SOME", "")),
            "ValidationException: 1 validation error detected: Value 'SOME' at 'functionVersion' "
            "failed to satisfy constraint: Member must satisfy enum value set: [ALL]");
  HttpResponse page = Send("GET", "/2015-03-31/functions?MaxItems=1", "");
  ASSERT_EQ(page.status, 200u) << page.body;
  EXPECT_EQ(json::parse(page.body)["Functions"].size(), 1u);
  // Concurrency.
  const std::string concurrency = "/2017-10-31/functions/f0/concurrency";
  EXPECT_EQ(ErrorOf(Send("PUT", concurrency, "{}")),
            "ValidationException: 1 validation error detected: Value null at "
            "'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(ErrorOf(Send("PUT", concurrency, "{\"ReservedConcurrentExecutions\": -1}")),
            "ValidationException: 1 validation error detected: Value '-1' at "
            "'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value "
            "greater than or equal to 0");
  // Past a Java int: Jackson's overflow, answered as every value its member cannot hold
  // (inferred from Jackson's behaviour; AWS's answer to this value is not recorded).
  EXPECT_EQ(ErrorOf(Send("PUT", concurrency, "{\"ReservedConcurrentExecutions\": 2147483648}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'ReservedConcurrentExecutions'");
  EXPECT_EQ(ErrorOf(Send("PUT", concurrency, "{\"ReservedConcurrentExecutions\": -2147483649}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'ReservedConcurrentExecutions'");
  EXPECT_EQ(Send("PUT", concurrency, "{\"ReservedConcurrentExecutions\": 5}").status, 200u);
  EXPECT_EQ(Send("GET", "/2019-09-30/functions/f0/concurrency", "").status, 200u);
  EXPECT_EQ(Send("DELETE", concurrency, "").status, 204u);
  EXPECT_EQ(Send("GET", "/2016-08-19/account-settings", "").status, 200u);
  EXPECT_EQ(Send("DELETE", "/2015-03-31/functions/f0", "").status, 204u);
}

// Mapping requests are read through the input model: the answers the core's unit tests pinned
// before the model checked them (event_source_mapping_test.cc's ranges, enums and lists).
TEST_F(LambdaApiTest, MappingRequestsAreReadThroughTheModel) {
  CreateFunction("f", "http://127.0.0.1:9/");
  int n = 0;
  auto create = [&](const json& changes) {
    // A stream of its own per mapping: one (function, stream) pair maps once.
    json body = {{"FunctionName", "f"},
                 {"EventSourceArn", std::string(kStream) + std::to_string(n++)},
                 {"StartingPosition", "LATEST"}};
    for (const auto& [k, v] : changes.items()) body[k] = v;
    return Send("POST", "/2015-03-31/event-source-mappings", body.dump());
  };
  auto range = [](const std::string& value, const std::string& member,
                  const std::string& constraint) {
    return "ValidationException: 1 validation error detected: Value '" + value + "' at '" + member +
           "' failed to satisfy constraint: Member must have value " + constraint;
  };
  struct Case {
    json changes;
    std::string error;  // empty: accepted
  };
  std::vector<Case> cases = {
      {{{"StartingPosition", "OLDEST"}},
       "ValidationException: 1 validation error detected: Value 'OLDEST' at 'startingPosition' "
       "failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, "
       "TRIM_HORIZON]"},
      {{{"FunctionResponseTypes", {"Nope"}}},
       "ValidationException: 1 validation error detected: Value '[Nope]' at "
       "'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: "
       "[Member must satisfy enum value set: [ReportBatchItemFailures], Member must not be null]"},
      {{{"FunctionResponseTypes", {"ReportBatchItemFailures", "ReportBatchItemFailures"}}},
       "ValidationException: 1 validation error detected: Value '[ReportBatchItemFailures, "
       "ReportBatchItemFailures]' at 'functionResponseTypes' failed to satisfy constraint: "
       "Member must have length less than or equal to 1"},
      {{{"BatchSize", 0}, {"ParallelizationFactor", 11}},
       "ValidationException: 2 validation errors detected: Value '0' at 'batchSize' failed to "
       "satisfy constraint: Member must have value greater than or equal to 1; Value '11' at "
       "'parallelizationFactor' failed to satisfy constraint: Member must have value less than "
       "or equal to 10"},
      {{{"FilterCriteria", {{"Filters", {{{"Pattern", std::string(4097, ' ')}}}}}}},
       "ValidationException: 1 validation error detected: Value '" + std::string(4097, ' ') +
           "' at 'filterCriteria.filters.1.member.pattern' failed to satisfy constraint: Member "
           "must have length less than or equal to 4096"},
      {{{"EventSourceArn", "stream"}},
       "ValidationException: 1 validation error detected: Value 'stream' at 'eventSourceArn' "
       "failed to satisfy constraint: Member must satisfy regular expression pattern: "
       "arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)"},
      {{{"FunctionName", "a b"}},
       "ValidationException: 1 validation error detected: Value 'a b' at 'functionName' failed "
       "to satisfy constraint: Member must satisfy regular expression pattern: "
       "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?"
       "(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?"},
      {{{"BatchSize", "5"}},
       "InvalidRequestContentException: Could not parse request body into json: Cannot "
       "deserialize value of member 'BatchSize'"},
      {{{"MaximumRecordAgeInSeconds", 60}}, ""},
      // A pattern written over several lines (a YAML block string) is taken (see
      // tools/gen_input_model.py: the model's ".*" would refuse only the line break).
      {{{"FilterCriteria", {{"Filters", {{{"Pattern", "{\n  \"eventName\": [\"INSERT\"]\n}"}}}}}}},
       ""},
  };
  struct Range {
    const char* member;
    const char* wire;
    int64_t min, max;
  } ranges[] = {
      {"BatchSize", "batchSize", 1, 10000},
      {"MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300},
      {"ParallelizationFactor", "parallelizationFactor", 1, 10},
      {"MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000},
      {"MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800},
      {"TumblingWindowInSeconds", "tumblingWindowInSeconds", 0, 900},
  };
  for (const auto& r : ranges) {
    if (std::string(r.member) != "MaximumRecordAgeInSeconds") {  // 0..59 is AWS's own answer
      cases.push_back({{{r.member, r.min}}, ""});
    }
    cases.push_back({{{r.member, r.max}}, ""});
    cases.push_back({{{r.member, r.min - 1}},
                     range(std::to_string(r.min - 1), r.wire,
                           "greater than or equal to " + std::to_string(r.min))});
    cases.push_back({{{r.member, r.max + 1}},
                     range(std::to_string(r.max + 1), r.wire,
                           "less than or equal to " + std::to_string(r.max))});
  }
  for (const auto& c : cases) {
    HttpResponse resp = create(c.changes);
    if (c.error.empty()) {
      EXPECT_EQ(resp.status, 202u) << c.changes.dump() << ": " << resp.body;
      continue;
    }
    EXPECT_EQ(ErrorOf(resp), c.error) << c.changes.dump();
    // Update reads the same settings through the model with the same answers.
    if (!c.changes.contains("StartingPosition") && !c.changes.contains("EventSourceArn")) {
      HttpResponse created = create(json::object());
      ASSERT_EQ(created.status, 202u) << created.body;
      std::string uuid = json::parse(created.body)["UUID"];
      EXPECT_EQ(ErrorOf(Send("PUT", "/2015-03-31/event-source-mappings/" + uuid, c.changes.dump())),
                c.error)
          << "update " << c.changes.dump();
    }
  }
  EXPECT_EQ(ErrorOf(Send("POST", "/2015-03-31/event-source-mappings", "{}")),
            "ValidationException: 1 validation error detected: Value null at 'functionName' "
            "failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(ErrorOf(Send("GET", "/2015-03-31/event-source-mappings?MaxItems=0", "")),
            "ValidationException: 1 validation error detected: Value '0' at 'maxItems' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1");
  EXPECT_EQ(
      ErrorOf(Send("GET", "/2015-03-31/event-source-mappings?EventSourceArn=x", "")),
      "ValidationException: 1 validation error detected: Value 'x' at 'eventSourceArn' "
      "failed to satisfy constraint: Member must satisfy regular expression pattern: "
      "arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)");
  EXPECT_EQ(Send("GET", "/2015-03-31/event-source-mappings?FunctionName=f&MaxItems=2", "").status,
            200u);
}

// Tags: the Resource of the path, the body and tagKeys through the model; the kind of resource
// after it.
TEST_F(LambdaApiTest, TagRequestsAreReadThroughTheModel) {
  CreateFunction("f", "http://127.0.0.1:9/");
  const std::string arn = functions_->ArnOf("f");
  const std::string tags = "/2017-03-31/tags/" + arn;
  const std::string pattern =
      "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
      "(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
      "code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
      "[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)";
  EXPECT_EQ(ErrorOf(Send("POST", "/2017-03-31/tags/arn:aws:something", "{}")),
            "ValidationException: 2 validation errors detected: Value 'arn:aws:something' at "
            "'resource' failed to satisfy constraint: Member must satisfy regular expression "
            "pattern: " +
                pattern +
                "; Value null at 'tags' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(ErrorOf(Send("POST", tags + ":1", "{\"Tags\": {\"a\": \"1\"}}")),
            "InvalidParameterValueException: Tags on function aliases and versions are not "
            "supported. Please specify a function ARN.");
  EXPECT_EQ(ErrorOf(Send("POST", tags, "{\"Tags\": {\"a\": 1}}")),
            "InvalidRequestContentException: Could not parse request body into json: Cannot "
            "deserialize value of member 'Tags'");
  EXPECT_EQ(Send("POST", tags, "{\"Tags\": {\"a\": \"1\", \"b\": \"2\", \"c\": \"3\"}}").status,
            204u);
  EXPECT_EQ(Send("DELETE", tags + "?tagKeys=a&tagKeys=b", "").status, 204u);
  HttpResponse listed = Send("GET", tags, "");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["Tags"], json({{"c", "3"}}));
  EXPECT_EQ(ErrorOf(Send("DELETE", tags, "")),
            "ValidationException: 1 validation error detected: Value null at 'tagKeys' failed to "
            "satisfy constraint: Member must not be null");
  // A kind the pattern takes and StreamStack does not tag: the pattern's answer, as before.
  const std::string layer = "arn:aws:lambda:us-east-1:000000000000:layer:l";
  EXPECT_EQ(ErrorOf(Send("GET", "/2017-03-31/tags/" + layer, "")),
            "ValidationException: 1 validation error detected: Value '" + layer +
                "' at 'resource' failed to satisfy constraint: Member must satisfy regular "
                "expression pattern: " +
                pattern);
}

// Aliases: names, FunctionVersion, Description and the routing weights through the model.
TEST_F(LambdaApiTest, AliasRequestsAreReadThroughTheModel) {
  CreateFunction("f", "http://127.0.0.1:9/");
  ASSERT_EQ(Send("POST", "/2015-03-31/functions/f/versions", "{}").status, 201u);
  const std::string aliases = "/2015-03-31/functions/f/aliases";
  EXPECT_EQ(ErrorOf(Send("POST", aliases, "{}")),
            "ValidationException: 2 validation errors detected: Value null at 'name' failed to "
            "satisfy constraint: Member must not be null; Value null at 'functionVersion' failed "
            "to satisfy constraint: Member must not be null");
  EXPECT_EQ(ErrorOf(Send("POST", aliases, "{\"Name\": \"2024\", \"FunctionVersion\": \"1\"}")),
            "ValidationException: 1 validation error detected: Value '2024' at 'name' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "(?!^[0-9]+$)([a-zA-Z0-9-_]+)");
  json weights = {{"Name", "live"},
                  {"FunctionVersion", "1"},
                  {"RoutingConfig", {{"AdditionalVersionWeights", {{"2", 2}}}}}};
  EXPECT_EQ(ErrorOf(Send("POST", aliases, weights.dump())),
            "ValidationException: 1 validation error detected: Value '{2=2.0}' at "
            "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value "
            "must satisfy constraint: [Member must have value less than or equal to 1.0, Member "
            "must have value greater than or equal to 0.0, Member must not be null]");
  weights["RoutingConfig"]["AdditionalVersionWeights"] = {{"x", 0.5}};
  EXPECT_EQ(ErrorOf(Send("POST", aliases, weights.dump())),
            "ValidationException: 1 validation error detected: Value '{x=0.5}' at "
            "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys "
            "must satisfy constraint: [Member must have length less than or equal to 1024, "
            "Member must have length greater than or equal to 1, Member must satisfy regular "
            "expression pattern: [0-9]+]");
  EXPECT_EQ(ErrorOf(Send("POST", aliases,
                         json({{"Name", "live"},
                               {"FunctionVersion", "v1"},
                               {"Description", std::string(257, 'd')}})
                             .dump())),
            "ValidationException: 2 validation errors detected: Value 'v1' at 'functionVersion' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: "
            "(\\$LATEST(\\.PUBLISHED)?|[0-9]+); Value '" +
                std::string(257, 'd') +
                "' at 'description' failed to satisfy constraint: Member must have length less "
                "than or equal to 256");
  EXPECT_EQ(Send("POST", aliases, "{\"Name\": \"live\", \"FunctionVersion\": \"1\"}").status, 201u);
  EXPECT_EQ(Send("PUT", aliases + "/live", "{\"Description\": \"d\"}").status, 200u);
  EXPECT_EQ(ErrorOf(Send("GET", aliases + "/a%20b", "")),
            "ValidationException: 1 validation error detected: Value 'a b' at 'name' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            "(?!^[0-9]+$)([a-zA-Z0-9-_]+)");
  EXPECT_EQ(Send("GET", aliases + "/live", "").status, 200u);
  EXPECT_EQ(Send("DELETE", aliases + "/live", "").status, 204u);
}

// Provisioned concurrency and Invoke's members outside the body through the model.
TEST_F(LambdaApiTest, ProvisionedAndInvokeRequestsAreReadThroughTheModel) {
  CreateFunction("f", "http://127.0.0.1:9/");
  ASSERT_EQ(Send("POST", "/2015-03-31/functions/f/versions", "{}").status, 201u);
  const std::string provisioned = "/2019-09-30/functions/f/provisioned-concurrency";
  EXPECT_EQ(ErrorOf(Send("PUT", provisioned + "?Qualifier=1", "{}")),
            "ValidationException: 1 validation error detected: Value null at "
            "'provisionedConcurrentExecutions' failed to satisfy constraint: Member must not be "
            "null");
  EXPECT_EQ(ErrorOf(Send("PUT", provisioned + "?Qualifier=1",
                         "{\"ProvisionedConcurrentExecutions\": 0}")),
            "ValidationException: 1 validation error detected: Value '0' at "
            "'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have "
            "value greater than or equal to 1");
  EXPECT_EQ(ErrorOf(Send("PUT", provisioned, "{\"ProvisionedConcurrentExecutions\": 1}")),
            "ValidationException: 1 validation error detected: Value null at 'qualifier' failed "
            "to satisfy constraint: Member must not be null");
  EXPECT_EQ(
      Send("PUT", provisioned + "?Qualifier=1", "{\"ProvisionedConcurrentExecutions\": 1}").status,
      202u);
  EXPECT_EQ(Send("GET", provisioned + "?Qualifier=1", "").status, 200u);
  EXPECT_EQ(ErrorOf(Send("GET", provisioned + "?List=ALL&MaxItems=51", "")),
            "ValidationException: 1 validation error detected: Value '51' at 'maxItems' failed "
            "to satisfy constraint: Member must have value less than or equal to 50");
  EXPECT_EQ(Send("GET", provisioned + "?List=ALL", "").status, 200u);
  EXPECT_EQ(Send("DELETE", provisioned + "?Qualifier=1", "").status, 204u);

  const std::string invoke = "/2015-03-31/functions/f/invocations";
  EXPECT_EQ(ErrorOf(Send("POST", invoke, "{}",
                         {{"X-Amz-Invocation-Type", "Later"}, {"X-Amz-Log-Type", "All"}})),
            "ValidationException: 2 validation errors detected: Value 'Later' at "
            "'invocationType' failed to satisfy constraint: Member must satisfy enum value set: "
            "[Event, RequestResponse, DryRun]; Value 'All' at 'logType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [None, Tail]");
  EXPECT_EQ(ErrorOf(Send("POST", invoke + "?Qualifier=a%20b", "not json")),
            "ValidationException: 1 validation error detected: Value 'a b' at 'qualifier' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+");
  EXPECT_EQ(Send("POST", invoke, "{}", {{"X-Amz-Invocation-Type", "DryRun"}}).status, 204u);
}

}  // namespace
}  // namespace streamstack::lambda
