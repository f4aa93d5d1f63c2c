#include "streamstack/protocol/input_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdint>

namespace streamstack::protocol {
namespace {

using nlohmann::json;

// A small model in the generated form: every shape kind the validator distinguishes.
constexpr const char* kModel = R"json({
  "operations": {"Put": "PutInput"},
  "shapes": {
    "PutInput": {"type": "structure", "required": ["Name", "Items"], "members": [
        ["Name", "Name"], ["Items", "ItemList"], ["Mode", "Mode"], ["Limit", "Limit"],
        ["Flag", "Bool"], ["Tags", "TagMap"], ["Data", "Blob"], ["Inner", "Inner"],
        ["Groups", "GroupMap"], ["Target", "ItemArn"]]},
    "Name": {"type": "string", "min": 3, "max": 8, "pattern": "[a-z]+"},
    "Arn": {"type": "string", "min": 1, "max": 20, "orName": "Name"},
    "ItemArn": {"type": "string", "min": 1, "max": 20, "orName": "Name", "emptyIsOwn": true},
    "ItemList": {"type": "list", "member": "Inner", "min": 1, "max": 2},
    "Inner": {"type": "structure", "required": ["Key"], "members": [["Key", "Mode"]]},
    "Mode": {"type": "string", "enum": ["A", "B"]},
    "Limit": {"type": "integer", "min": 1, "max": 10},
    "Bool": {"type": "boolean"},
    "TagMap": {"type": "map", "key": "Arn", "value": "Mode"},
    "GroupMap": {"type": "map", "key": "Mode", "value": "Group"},
    "Group": {"type": "list", "member": "Mode", "min": 1, "max": 2},
    "Blob": {"type": "blob"}
  }})json";

class InputModelTest : public ::testing::Test {
 protected:
  InputModel model_{kModel, "com.example"};

  std::string TypeError(json request) {
    Status st = model_.CheckTypes("Put", request);
    EXPECT_EQ(st.code(), AwsError::kSerialization) << request.dump();
    return st.message();
  }
  std::string Violation(json request) {
    Status st = model_.Validate("Put", request);
    EXPECT_EQ(st.code(), AwsError::kValidation) << request.dump();
    return st.message();
  }
};

// AWS's wording per expected type and JSON token (dynalite's recorded answers).
TEST_F(InputModelTest, WrongTypesAreSerializationErrors) {
  struct Case {
    json request;
    const char* message;
  };
  const Case cases[] = {
      {{{"Name", true}}, "TRUE_VALUE cannot be converted to String"},
      {{{"Name", false}}, "FALSE_VALUE cannot be converted to String"},
      {{{"Name", 23}}, "NUMBER_VALUE cannot be converted to String"},
      {{{"Name", 34.5}}, "DECIMAL_VALUE cannot be converted to String"},
      {{{"Name", json::array()}}, "Unrecognized collection type class java.lang.String"},
      {{{"Name", json::object()}}, "Start of structure or map found where not expected"},
      {{{"Limit", "23"}}, "STRING_VALUE cannot be converted to Integer"},
      {{{"Limit", true}}, "TRUE_VALUE cannot be converted to Integer"},
      {{{"Flag", 23}}, "NUMBER_VALUE cannot be converted to Boolean"},
      {{{"Flag", "maybe"}}, "Unexpected token received from parser"},
      {{{"Flag", json::array()}}, "Unrecognized collection type class java.lang.Boolean"},
      {{{"Items", "x"}}, "Unexpected field type"},
      {{{"Items", json::object()}}, "Start of structure or map found where not expected"},
      {{{"Items", {1}}}, "Unexpected value type in payload"},
      {{{"Items", {json::array()}}}, "Unrecognized collection type class com.example.Inner"},
      {{{"Inner", 1}}, "Unexpected field type"},
      {{{"Tags", true}}, "Unexpected field type"},
      {{{"Tags", json::array()}},
       "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>"},
      {{{"Groups", {{"A", "x"}}}},
       "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to "
       "class java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and "
       "java.lang.Class are in module java.base of loader 'bootstrap')"},
      {{{"Data", true}}, "only base-64-encoded strings are convertible to bytes"},
      {{{"Data", "23456"}}, "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
      {{{"Data", "=+/="}}, "Invalid last non-pad Base64 character dectected"},
      {{{"Data", "+/+="}}, "Invalid last non-pad Base64 character dectected"},
  };
  for (const auto& c : cases) EXPECT_EQ(TypeError(c.request), c.message) << c.request.dump();
}

TEST_F(InputModelTest, TypesComeBeforeConstraints) {
  // A missing required member and a wrong type: the type is answered.
  EXPECT_EQ(TypeError({{"Limit", "x"}}), "STRING_VALUE cannot be converted to Integer");
}

TEST_F(InputModelTest, NormalisesAsAwsReads) {
  json request = {{"Name", "abc"},   {"Items", {{{"Key", "A"}}}}, {"Flag", "yes"}, {"Limit", 2.7},
                  {"Unknown", true}, {"Mode", nullptr},           {"Data", "YQ=="}};
  ASSERT_TRUE(model_.Validate("Put", request).ok());
  EXPECT_EQ(request["Flag"], true);
  EXPECT_EQ(request["Limit"], 2);
  EXPECT_FALSE(request.contains("Unknown"));
  EXPECT_FALSE(request.contains("Mode"));
}

// Every violation in one answer, members in Coral's report order (input_model.cc ReportOrder:
// a HashMap's order of the member names; "mode" hashes to an earlier bucket than "name").
TEST_F(InputModelTest, EveryViolationTogetherInReportOrder) {
  EXPECT_EQ(Violation(json::object()),
            "2 validation errors detected: Value null at 'name' failed to satisfy constraint: "
            "Member must not be null; Value null at 'items' failed to satisfy constraint: Member "
            "must not be null");
  // A string's pattern before its length (GetItem's recorded answer for TableName '').
  EXPECT_EQ(Violation({{"Name", ""}, {"Items", {{{"Key", "A"}}}}, {"Mode", "C"}, {"Limit", 0}}),
            "4 validation errors detected: Value 'C' at 'mode' failed to satisfy constraint: "
            "Member must satisfy enum value set: [A, B]; Value '' at 'name' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-z]+; Value '' at "
            "'name' failed to satisfy constraint: Member must have length greater than or equal "
            "to 3; Value '0' at 'limit' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1");
}

TEST_F(InputModelTest, ListPositionsAndStructureRendering) {
  EXPECT_EQ(
      Violation({{"Name", "abc"}, {"Items", {json::object(), {{"Key", "X"}}, json::object()}}}),
      "4 validation errors detected: Value '[Inner(key=null), Inner(key=X), "
      "Inner(key=null)]' at 'items' failed to satisfy constraint: Member must have length "
      "less than or equal to 2; Value null at 'items.1.member.key' failed to satisfy "
      "constraint: Member must not be null; Value 'X' at 'items.2.member.key' failed to "
      "satisfy constraint: Member must satisfy enum value set: [A, B]; Value null at "
      "'items.3.member.key' failed to satisfy constraint: Member must not be null");
}

// "emptyIsOwn": an empty value is held to the shape's own constraints, any other name to the
// name's (DynamoDB's TableArn of an item operation).
TEST_F(InputModelTest, AnEmptyNameHeldToItsOwnShape) {
  const json base = {{"Name", "abc"}, {"Items", {{{"Key", "A"}}}}};
  auto with = [&](const char* member, const char* value) {
    json request = base;
    request[member] = value;
    return request;
  };
  EXPECT_EQ(Violation(with("Target", "")),
            "1 validation error detected: Value '' at 'target' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  EXPECT_EQ(Violation(with("Target", "ab")),
            "1 validation error detected: Value 'ab' at 'target' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3");
  json arn = with("Target", "arn:x");
  EXPECT_TRUE(model_.Validate("Put", arn).ok());
  // Without it, an empty value is a name like any other.
  EXPECT_EQ(Violation(with("Name", "")),
            "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-z]+; Value '' at 'name' failed "
            "to satisfy constraint: Member must have length greater than or equal to 3");
}

TEST_F(InputModelTest, MapKeysAndValuesOnceWithEveryConstraint) {
  // A key that is not an ARN is held to the name's constraints; an ARN to its own.
  EXPECT_EQ(Violation({{"Name", "abc"}, {"Items", {{{"Key", "A"}}}}, {"Tags", {{"a;", "A"}}}}),
            "1 validation error detected: Value '{a;=A}' at 'tags' failed to satisfy "
            "constraint: Map keys must satisfy constraint: [Member must have length less than or "
            "equal to 8, Member must have length greater than or equal to 3, Member must satisfy "
            "regular expression pattern: [a-z]+]");
  json arn_key = {{"Name", "abc"}, {"Items", {{{"Key", "A"}}}}, {"Tags", {{"arn:x", "A"}}}};
  EXPECT_TRUE(model_.Validate("Put", arn_key).ok());
  EXPECT_EQ(
      Violation({{"Name", "abc"}, {"Items", {{{"Key", "A"}}}}, {"Groups", {{"A", json::array()}}}}),
      "1 validation error detected: Value '{A=[]}' at 'groups' failed to satisfy "
      "constraint: Map value must satisfy constraint: [Member must have length less than "
      "or equal to 2, Member must have length greater than or equal to 1]");
}

TEST_F(InputModelTest, AtMostTenClauses) {
  // Twelve broken list elements: AWS stops at ten clauses (dynalite's recorded CreateTable).
  json items = json::array();
  for (int i = 0; i < 12; ++i) items.push_back(json::object());
  std::string message = Violation({{"Name", "abc"}, {"Items", items}});
  EXPECT_TRUE(message.starts_with("10 validation errors detected: ")) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), ';'), 9) << message;
}

TEST_F(InputModelTest, UnknownOperationIsNotChecked) {
  json request = {{"Name", true}};
  EXPECT_TRUE(model_.Validate("Other", request).ok());
  EXPECT_FALSE(model_.HasOperation("Other"));
  EXPECT_TRUE(model_.HasOperation("Put"));
}

// A service that words a SerializationException otherwise says so in its model; every other
// message stays DynamoDB's.
TEST(InputModelWording, ServiceRewordsOneSerializationMessage) {
  InputModel model(R"json({
    "operations": {"Get": "GetInput"},
    "serializationMessages": {"STRING_VALUE cannot be converted to Integer":
                              "STRING_VALUE can not be converted to an Integer"},
    "shapes": {
      "GetInput": {"type": "structure", "members": [["Limit", "Limit"], ["Name", "Name"]]},
      "Limit": {"type": "integer", "min": 1},
      "Name": {"type": "string"}}})json",
                   "com.example");
  json reworded = {{"Limit", "ten"}};
  EXPECT_EQ(model.CheckTypes("Get", reworded).message(),
            "STRING_VALUE can not be converted to an Integer");
  json kept = {{"Limit", true}};
  EXPECT_EQ(model.CheckTypes("Get", kept).message(), "TRUE_VALUE cannot be converted to Integer");
  json name = {{"Name", 1}};
  EXPECT_EQ(model.CheckTypes("Get", name).message(), "NUMBER_VALUE cannot be converted to String");
}

// An operation's own checks ("requestChecks"), each against the aggregated report the same
// request gets from an operation without them.
class RequestChecksTest : public ::testing::Test {
 protected:
  static constexpr const char* kChecked = R"json({
    "operations": {"Bounds": "In", "Enums": "In", "Plain": "In", "Json": "In", "Batch": "BatchIn"},
    "requestChecks": {
      "Bounds": {"boundsFirst": true,
                 "enums": {"Mode": {"set": "[B, A, C]", "enveloped": false}}},
      "Enums": {"enumsFirst": true},
      "Json": {"valuesAsJson": true}},
    "shapes": {
      "In": {"type": "structure", "required": ["Name"], "members": [
          ["Name", "Arn"], ["Mode", "Mode"], ["Limit", "Limit"], ["Groups", "GroupMap"],
          ["Other", "Mode"]]},
      "Arn": {"type": "string", "min": 1, "max": 20, "orName": "Name"},
      "Name": {"type": "string", "min": 3, "max": 8, "pattern": "[a-z]+"},
      "Mode": {"type": "string", "enum": ["A", "B"]},
      "Limit": {"type": "integer", "min": 1},
      "GroupMap": {"type": "map", "key": "Name", "value": "Group"},
      "Group": {"type": "structure", "members": [["Keys", "Keys"], ["Flag", "Bool"]]},
      "Keys": {"type": "list", "member": "Mode", "min": 1, "max": 2},
      "Bool": {"type": "boolean"},
      "BatchIn": {"type": "structure", "members": [["Items", "ItemMap"]]},
      "ItemMap": {"type": "map", "key": "Name", "value": "Mode",
                  "emptyFault": "The items parameter is required"}}})json";
  InputModel model_{kChecked, "com.example"};

  std::string Answer(const char* operation, json request) {
    Status st = model_.Validate(operation, request);
    EXPECT_EQ(st.code(), AwsError::kValidation) << operation << " " << request.dump();
    return st.message();
  }
};

TEST_F(RequestChecksTest, BoundsFirstAnswersTheFirstBoundAloneWithoutTheValue) {
  const json request = {{"Name", ""}, {"Other", "X"}, {"Limit", 0}};
  EXPECT_EQ(Answer("Plain", request),
            "4 validation errors detected: Value 'X' at 'other' failed to satisfy constraint: "
            "Member must satisfy enum value set: [A, B]; Value '' at 'name' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-z]+; Value '' at "
            "'name' failed to satisfy constraint: Member must have length greater than or equal "
            "to 3; Value '0' at 'limit' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1");
  // The Arn's own 1..20 holds an empty name to 1; the model order puts it first.
  EXPECT_EQ(Answer("Bounds", request),
            "1 validation error detected: Value at 'Name' failed to satisfy constraint: Member "
            "must have length greater than or equal to 1");
  EXPECT_EQ(Answer("Bounds", {{"Name", "abc"}, {"Limit", 0}, {"Other", "X"}}),
            "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member "
            "must have value greater than or equal to 1");
  // Nested: a map value's member, under the request's own names.
  EXPECT_EQ(Answer("Bounds", {{"Name", "abc"}, {"Groups", {{"abc", {{"Keys", json::array()}}}}}}),
            "1 validation error detected: Value at 'Groups.abc.member.Keys' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1");
  // A name within the Arn's bounds but not TableName's is the report's.
  EXPECT_EQ(Answer("Bounds", {{"Name", "ab"}}),
            "1 validation error detected: Value 'ab' at 'name' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3");
}

TEST_F(RequestChecksTest, OwnEnumInItsWordsAndModelOrder) {
  EXPECT_EQ(Answer("Bounds", {{"Name", "abc"}, {"Mode", "X"}, {"Limit", 0}}),
            "Failed to satisfy constraint: Member must satisfy enum value set: [B, A, C]");
  // Another enum stays with the report.
  EXPECT_EQ(Answer("Bounds", {{"Name", "abc"}, {"Other", "X"}}),
            "1 validation error detected: Value 'X' at 'other' failed to satisfy constraint: "
            "Member must satisfy enum value set: [A, B]");
}

TEST_F(RequestChecksTest, AMissingRequiredMemberKeepsTheReport) {
  EXPECT_EQ(Answer("Bounds", {{"Mode", "X"}, {"Limit", 0}}),
            Answer("Plain", {{"Mode", "X"}, {"Limit", 0}}));
  EXPECT_NE(Answer("Bounds", {{"Mode", "X"}, {"Limit", 0}}).find("Value null at 'name'"),
            std::string::npos);
  EXPECT_EQ(Answer("Enums", {{"Mode", "X"}, {"Groups", {{"a!", json::object()}}}}),
            Answer("Plain", {{"Mode", "X"}, {"Groups", {{"a!", json::object()}}}}));
}

TEST_F(RequestChecksTest, EnumsFirstAloneAheadOfOtherFaults) {
  const json request = {{"Name", "abc"}, {"Other", "X"}, {"Groups", {{"a!", json::object()}}}};
  EXPECT_EQ(Answer("Enums", request),
            "1 validation error detected: Value 'X' at 'other' failed to satisfy constraint: "
            "Member must satisfy enum value set: [A, B]");
  EXPECT_NE(Answer("Plain", request), Answer("Enums", request));
}

TEST_F(RequestChecksTest, ValuesAsJsonInModelOrder) {
  const json request = {{"Name", "abc"}, {"Groups", {{"a!", {{"Flag", true}, {"Keys", {"A"}}}}}}};
  const std::string clause =
      " at 'groups' failed to satisfy constraint: Map keys must satisfy constraint: [Member "
      "must have length less than or equal to 8, Member must have length greater than or equal "
      "to 3, Member must satisfy regular expression pattern: [a-z]+]";
  EXPECT_EQ(
      Answer("Json", request),
      "1 validation error detected: Value '{\"a!\":{\"Keys\":[\"A\"],\"Flag\":true}}'" + clause);
  EXPECT_EQ(Answer("Plain", request),
            "1 validation error detected: Value '{a!=Group(keys=[A], flag=true)}'" + clause);
}

TEST_F(RequestChecksTest, EmptyFaultOnlyWhenNothingElseIsWrong) {
  EXPECT_EQ(Answer("Batch", {{"Items", json::object()}}), "The items parameter is required");
  json fine = {{"Items", {{"abc", "A"}}}};
  EXPECT_TRUE(model_.Validate("Batch", fine).ok());
  EXPECT_EQ(Answer("Batch", {{"Items", {{"abc", "X"}}}}),
            "1 validation error detected: Value 'X' at 'items.abc.member' failed to satisfy "
            "constraint: Member must satisfy enum value set: [A, B]");
}

// A fuzzer's 70,000-character value: a repeated-class pattern is matched in a loop (std::regex
// would recurse once a character and overflow the stack), still with its verdict.
TEST(InputModelPatterns, LongValuesAreCheckedWithoutRecursion) {
  InputModel model(R"json({
    "operations": {"Get": "GetInput"},
    "shapes": {
      "GetInput": {"type": "structure", "members": [["Name", "Name"], ["Token", "Token"],
                                                    ["Hex", "Hex"]]},
      "Name": {"type": "string", "min": 3, "max": 255, "pattern": "[a-zA-Z0-9_.-]+"},
      "Token": {"type": "string", "pattern": "^[^\\$]*$"},
      "Hex": {"type": "string", "pattern": "([0-9a-f]{2})+"}}})json",
                   "com.example");
  const std::string good(70000, 'a');
  json request = {{"Name", good}, {"Token", good}, {"Hex", good}};
  EXPECT_EQ(model.Validate("Get", request).message(),
            "1 validation error detected: Value '" + good +
                "' at 'name' failed to satisfy constraint: Member must have length less than or "
                "equal to 255");
  std::string bad = good + "!";
  json broken = {{"Token", bad + "$"}, {"Name", bad}};
  std::string message = model.Validate("Get", broken).message();
  EXPECT_NE(message.find("at 'name' failed to satisfy constraint: Member must satisfy regular "
                         "expression pattern: [a-zA-Z0-9_.-]+"),
            std::string::npos);
  EXPECT_NE(message.find("at 'token' failed to satisfy constraint: Member must satisfy regular "
                         "expression pattern: ^[^\\$]*$"),
            std::string::npos);
  json empty = {{"Token", ""}, {"Hex", "0f"}};
  EXPECT_TRUE(model.Validate("Get", empty).ok());
  json odd = {{"Hex", "0"}};
  EXPECT_EQ(model.Validate("Get", odd).message(),
            "1 validation error detected: Value '0' at 'hex' failed to satisfy constraint: Member "
            "must satisfy regular expression pattern: ([0-9a-f]{2})+");
}

TEST_F(InputModelTest, MembersOfAValidatedRequest) {
  json request = {{"Name", "abc"},
                  {"Items", {{{"Key", "A"}}}},
                  {"Limit", 9.9},
                  {"Inner", {{"Key", "B"}}},
                  {"Mode", nullptr}};
  ASSERT_TRUE(model_.Validate("Put", request).ok());
  EXPECT_EQ(StringMember(request, "Name"), "abc");
  EXPECT_EQ(StringMember(request, "Mode"), std::nullopt);  // null reads as absent
  EXPECT_EQ(IntMember(request, "Limit"), 9);
  EXPECT_EQ(IntMember(request, "Flag"), std::nullopt);
  ASSERT_NE(StructureMember(request, "Inner"), nullptr);
  EXPECT_EQ(StringMember(*StructureMember(request, "Inner"), "Key"), "B");
  EXPECT_EQ(StructureMember(request, "Name"), nullptr);
  // Integer members are Java ints: a larger number is held to int's range.
  EXPECT_EQ(IntMember(json{{"Limit", 1LL << 40}}, "Limit"), INT_MAX);
  EXPECT_EQ(IntMember(json{{"Limit", -(1LL << 40)}}, "Limit"), INT_MIN);
  EXPECT_EQ(IntMember(json{{"Limit", UINT64_MAX}}, "Limit"), INT_MAX);
}

// Lambda's front end: a REST request whose members travel in the URI, the query string, a
// header or the body, read strictly, with Lambda's clause order and list wording.
constexpr const char* kLambdaModel = R"json({
  "frontEnd": "lambda",
  "operations": {"Publish": "PublishInput"},
  "shapes": {
    "PublishInput": {"type": "structure", "required": ["Name", "Content"], "members": [
        ["Name", "Name", "uri", "LayerName"], ["Limit", "Limit", "querystring", "MaxItems"],
        ["Mode", "Mode", "header", "X-Mode"], ["Content", "Content"], ["Size", "Limit"],
        ["Flag", "Bool"], ["Archs", "Archs"], ["Runtimes", "Runtimes"],
        ["Keys", "Keys", "querystring", "key"], ["Weights", "Weights"], ["Env", "Env"]]},
    "Name": {"type": "string", "min": 1, "max": 8, "pattern": "[a-z]+"},
    "Limit": {"type": "integer", "min": 1, "max": 50},
    "Mode": {"type": "string", "enum": ["A", "B"]},
    "Content": {"type": "structure", "members": [["Zip", "Blob"]]},
    "Blob": {"type": "blob"},
    "Bool": {"type": "boolean"},
    "Archs": {"type": "list", "member": "Arch", "max": 2},
    "Arch": {"type": "string", "enum": ["x86_64", "arm64"]},
    "Runtimes": {"type": "list", "member": "Runtime", "enumAtList": true},
    "Runtime": {"type": "string", "enum": ["python3.12", "nodejs20.x"]},
    "Keys": {"type": "list", "member": "Text"},
    "Text": {"type": "string"},
    "Weights": {"type": "map", "key": "Version", "value": "Weight"},
    "Version": {"type": "string", "min": 1, "max": 1024, "pattern": "[0-9]+"},
    "Weight": {"type": "double", "min": 0.0, "max": 1.0},
    "Env": {"type": "map", "key": "EnvName", "value": "Text", "keyFaultQuotesKey": true},
    "EnvName": {"type": "string", "pattern": "[a-zA-Z]([a-zA-Z0-9_])+"}
  }})json";

class LambdaInputModelTest : public ::testing::Test {
 protected:
  LambdaInputModelTest() {
    http_.headers.Set("X-Mode", "B");
    ctx_.http = &http_;
    ctx_.path_params["LayerName"] = "abc";
  }

  Status Validate(json body) { return model_.ValidateRest("Publish", ctx_, body); }
  std::string Violation(json body) {
    Status st = Validate(std::move(body));
    EXPECT_EQ(st.code(), AwsError::kValidation);
    return st.message();
  }

  InputModel model_{kLambdaModel, "com.amazonaws.lambda"};
  HttpRequest http_;
  RequestContext ctx_;
  const json content_ = json::object();
};

TEST_F(LambdaInputModelTest, LocatedMembersAreReadWhereTheModelPutsThem) {
  ctx_.query_params = {{"MaxItems", "5"}, {"MaxItems", "7"}};
  json body = {{"Content", json::object()}, {"Name", "ignored"}, {"Other", 1}};
  ASSERT_TRUE(model_.ValidateRest("Publish", ctx_, body).ok());
  EXPECT_EQ(StringMember(body, "Name"), "abc");  // the URI's, not the body's
  EXPECT_EQ(IntMember(body, "Limit"), 5);        // the first, as a number
  EXPECT_EQ(StringMember(body, "Mode"), "B");
  EXPECT_FALSE(body.contains("Other"));
  // Empty text is absent.
  ctx_.path_params["LayerName"] = "";
  ctx_.query_params = {{"MaxItems", ""}};
  EXPECT_EQ(Violation({{"Content", content_}}),
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
            "Member must not be null");
}

TEST_F(LambdaInputModelTest, LocatedMembersAreHeldToTheirShapes) {
  ctx_.path_params["LayerName"] = "ABCDEFGHIJ";  // too long and off-pattern: the length only
  ctx_.query_params = {{"MaxItems", "x"}};
  http_.headers.Set("X-Mode", "C");
  EXPECT_EQ(Violation(json::object()),
            "4 validation errors detected: "
            "Value 'ABCDEFGHIJ' at 'name' failed to satisfy constraint: Member must have length "
            "less than or equal to 8; "
            "Value 'x' at 'limit' failed to satisfy constraint: Member must be an integer; "
            "Value 'C' at 'mode' failed to satisfy constraint: Member must satisfy enum value "
            "set: [A, B]; "
            "Value null at 'content' failed to satisfy constraint: Member must not be null");
  ctx_.path_params["LayerName"] = "AB";
  ctx_.query_params = {{"MaxItems", "0"}};
  http_.headers.Set("X-Mode", "A");
  EXPECT_EQ(Violation({{"Content", content_}}),
            "2 validation errors detected: "
            "Value 'AB' at 'name' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [a-z]+; "
            "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
            "than or equal to 1");
}

TEST_F(LambdaInputModelTest, WrongTypesAreInvalidRequestContent) {
  struct Case {
    json body;
    const char* member;
  };
  const Case cases[] = {
      {{{"Flag", "true"}}, "Flag"},          // no words for booleans
      {{{"Size", 1.5}}, "Size"},             // no decimals for integers
      {{{"Size", "3"}}, "Size"},             // no text for numbers
      {{{"Content", {{"Zip", 5}}}}, "Zip"},  // the innermost member
      {{{"Content", "x"}}, "Content"},
      {{{"Archs", {"x86_64", 1}}}, "Archs"},  // an element: its list
      {{{"Archs", {nullptr}}}, "Archs"},
      {{{"Archs", "x86_64"}}, "Archs"},
  };
  for (const auto& c : cases) {
    Status st = Validate(c.body);
    EXPECT_EQ(st.code(), AwsError::kInvalidRequestContent) << c.body.dump();
    EXPECT_EQ(st.message(),
              std::string("Could not parse request body into json: Cannot deserialize value of "
                          "member '") +
                  c.member + "'")
        << c.body.dump();
  }
  // A wrong type is answered before any constraint.
  ctx_.path_params["LayerName"] = "";
  EXPECT_EQ(Validate({{"Flag", 1}}).code(), AwsError::kInvalidRequestContent);
  // Nulls read as absent.
  EXPECT_TRUE(Validate({{"Content", content_}, {"Flag", nullptr}}).code() == AwsError::kValidation);
}

TEST_F(LambdaInputModelTest, ListElementsAreReportedAtTheList) {
  EXPECT_EQ(Violation({{"Content", content_}, {"Archs", {"x86_64", "X86", "Y"}}}),
            "2 validation errors detected: "
            "Value '[x86_64, X86, Y]' at 'archs' failed to satisfy constraint: Member must have "
            "length less than or equal to 2; "
            "Value '[x86_64, X86, Y]' at 'archs' failed to satisfy constraint: Member must "
            "satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member "
            "must not be null]");
  EXPECT_EQ(Violation({{"Content", content_}, {"Runtimes", {"cobol", "fortran"}}}),
            "1 validation error detected: Value '[cobol, fortran]' at 'runtimes' failed to "
            "satisfy constraint: Member must satisfy enum value set: [python3.12, nodejs20.x]");
  EXPECT_TRUE(
      Validate({{"Content", content_}, {"Archs", {"arm64"}}, {"Runtimes", {"python3.12"}}}).ok());
}

// A list in the query string is the parameter repeated (UntagResource's tagKeys).
TEST_F(LambdaInputModelTest, QueryStringListsAreEveryValue) {
  ctx_.query_params = {{"key", "a"}, {"MaxItems", "5"}, {"key", "b"}};
  json body = {{"Content", content_}};
  ASSERT_TRUE(model_.ValidateRest("Publish", ctx_, body).ok());
  EXPECT_EQ(body["Keys"], json({"a", "b"}));
  ctx_.query_params.clear();
  body = {{"Content", content_}, {"Keys", {"body's"}}};
  ASSERT_TRUE(model_.ValidateRest("Publish", ctx_, body).ok());
  EXPECT_FALSE(body.contains("Keys"));  // read only where the model puts it
}

// A map's values held to a range are reported once, at the map, printed as Java prints them
// (LocalStack's recorded alias answer: "Value '{2=2.0}' at 'routingConfig.
// additionalVersionWeights' ... Map value must satisfy constraint: [...]").
TEST_F(LambdaInputModelTest, MapValueRangesAndKeyFaults) {
  EXPECT_EQ(Violation({{"Content", content_}, {"Weights", {{"2", 2}, {"3", 0.25}}}}),
            "1 validation error detected: Value '{2=2.0, 3=0.25}' at 'weights' failed to "
            "satisfy constraint: Map value must satisfy constraint: [Member must have value less "
            "than or equal to 1.0, Member must have value greater than or equal to 0.0, Member "
            "must not be null]");
  EXPECT_EQ(Violation({{"Content", content_}, {"Weights", {{"x", 0.5}}}}),
            "1 validation error detected: Value '{x=0.5}' at 'weights' failed to satisfy "
            "constraint: Map keys must satisfy constraint: [Member must have length less than or "
            "equal to 1024, Member must have length greater than or equal to 1, Member must "
            "satisfy regular expression pattern: [0-9]+]");
  EXPECT_TRUE(Validate({{"Content", content_}, {"Weights", {{"2", 0.5}, {"3", 1}}}}).ok());
  // "keyFaultQuotesKey": the bad key alone.
  EXPECT_EQ(Violation({{"Content", content_}, {"Env", {{"A", "1"}, {"GOOD", "2"}}}}),
            "1 validation error detected: Value 'A' at 'env' failed to satisfy constraint: Map "
            "keys must satisfy constraint: [Member must satisfy regular expression pattern: "
            "[a-zA-Z]([a-zA-Z0-9_])+]");
}

// Coral's strict reader (CloudWatch Logs): nothing converted, the JSON token and the type named;
// Coral's constraint rules otherwise.
constexpr const char* kStrictModel = R"json({
  "frontEnd": "coralStrict",
  "operations": {"Put": "PutInput"},
  "shapes": {
    "PutInput": {"type": "structure", "required": ["Events"],
                 "requiredUnless": {"Name": "Id"},
                 "members": [["Name", "Name"], ["Id", "Name"], ["Events", "Events"],
                             ["Days", "Days"], ["Flag", "Bool"], ["Tags", "Tags"],
                             ["Ratio", "Ratio"]]},
    "Name": {"type": "string", "min": 1, "max": 8, "pattern": "[a-z]+"},
    "Events": {"type": "list", "member": "Event"},
    "Event": {"type": "structure", "members": [["At", "At"], ["Count", "Count"]]},
    "At": {"type": "long", "min": 0},
    "Count": {"type": "integer"},
    "Days": {"type": "integer", "enum": ["1", "3"]},
    "Bool": {"type": "boolean"},
    "Tags": {"type": "map", "key": "Key", "value": "Name"},
    "Key": {"type": "string", "max": 3, "pattern": "^([\\p{L}]+)$"},
    "Ratio": {"type": "double"}
  }})json";

TEST(CoralStrictInputModel, WrongTypesNameTheTokenAndTheType) {
  InputModel model(kStrictModel, "com.example");
  struct Case {
    json request;
    const char* message;
  };
  const Case cases[] = {
      {{{"Name", true}}, "TRUE_VALUE can not be converted to String"},
      {{{"Name", false}}, "FALSE_VALUE can not be converted to String"},
      {{{"Name", 2.5}}, "NUMBER_VALUE can not be converted to String"},
      {{{"Name", {1}}}, "START_ARRAY can not be converted to String"},
      {{{"Name", {{"a", 1}}}}, "START_OBJECT can not be converted to String"},
      {{{"Flag", "true"}}, "STRING_VALUE can not be converted to Boolean"},
      {{{"Days", 1.5}}, "NUMBER_VALUE can not be converted to Long"},
      {{{"Days", "1"}}, "STRING_VALUE can not be converted to Long"},
      {{{"Events", "x"}}, "STRING_VALUE can not be converted to List"},
      {{{"Events", {"x"}}}, "STRING_VALUE can not be converted to Event"},
      {{{"Events", json::array({nullptr})}}, "VALUE_NULL can not be converted to Event"},
      {{{"Events", {{{"At", true}}}}}, "TRUE_VALUE can not be converted to Long"},
      {{{"Tags", json::array()}}, "START_ARRAY can not be converted to Map"},
      {{{"Tags", {{"a", nullptr}}}}, "VALUE_NULL can not be converted to String"},
      {{{"Ratio", "1"}}, "STRING_VALUE can not be converted to Double"},
  };
  for (const auto& c : cases) {
    json request = c.request;
    Status st = model.CheckTypes("Put", request);
    EXPECT_EQ(st.code(), AwsError::kSerialization) << c.request.dump();
    EXPECT_EQ(st.message(), c.message) << c.request.dump();
  }
  // Any whole number is a Long's; nulls and unknown members read as absent; decimals are
  // doubles.
  json fine = {{"Days", 1LL << 40}, {"Name", nullptr}, {"Other", {1}}, {"Ratio", 1}};
  EXPECT_TRUE(model.CheckTypes("Put", fine).ok());
  EXPECT_EQ(fine, json({{"Days", 1LL << 40}, {"Ratio", 1}}));
  json huge = {{"Events", {{{"At", UINT64_MAX}}}}};
  EXPECT_TRUE(model.CheckTypes("Put", huge).ok());
  EXPECT_EQ(LongMember(huge["Events"][0], "At"), INT64_MAX);
}

TEST(CoralStrictInputModel, RequiredUnlessNumberEnumsAndUnicodePatterns) {
  InputModel model(kStrictModel, "com.example");
  auto answer = [&](json request) {
    Status st = model.Validate("Put", request);
    return st.ok() ? std::string("ok") : st.message();
  };
  // "requiredUnless": Name is required while Id is absent.
  EXPECT_EQ(answer({{"Events", json::array()}}),
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
            "Member must not be null");
  EXPECT_EQ(answer({{"Events", json::array()}, {"Id", "a"}}), "ok");
  EXPECT_EQ(answer({{"Events", json::array()}, {"Id", nullptr}}),
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
            "Member must not be null");
  // An enum on a number; its range and the other clauses stay in model order.
  EXPECT_EQ(answer({{"Name", "A"}, {"Events", {{{"At", -1}}}}, {"Days", 2}}),
            "3 validation errors detected: Value 'A' at 'name' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-z]+; Value '-1' at "
            "'events.1.member.at' failed to satisfy constraint: Member must have value greater "
            "than or equal to 0; Value '2' at 'days' failed to satisfy constraint: Member must "
            "satisfy enum value set: [1, 3]");
  EXPECT_EQ(answer({{"Name", "a"}, {"Events", json::array()}, {"Days", 3}}), "ok");
  // A \p{...} class is printed, never checked: std::regex would take it for letters.
  EXPECT_EQ(answer({{"Name", "a"}, {"Events", json::array()}, {"Tags", {{"env", "a"}}}}), "ok");
  EXPECT_EQ(answer({{"Name", "a"}, {"Events", json::array()}, {"Tags", {{"long", "a"}}}}),
            "1 validation error detected: Value '{long=a}' at 'tags' failed to satisfy "
            "constraint: Map keys must satisfy constraint: [Member must have length less than or "
            "equal to 3, Member must satisfy regular expression pattern: ^([\\p{L}]+)$]");
}

TEST(CoralStrictInputModel, MembersOfAValidatedRequest) {
  json request = {{"Flag", true}, {"At", -5}};
  EXPECT_EQ(BoolMember(request, "Flag"), true);
  EXPECT_EQ(BoolMember(request, "At"), std::nullopt);
  EXPECT_EQ(LongMember(request, "At"), -5);
  EXPECT_EQ(LongMember(request, "Flag"), std::nullopt);
  EXPECT_EQ(LongMember(json{{"At", 1LL << 40}}, "At"), 1LL << 40);
}

}  // namespace
}  // namespace streamstack::protocol
