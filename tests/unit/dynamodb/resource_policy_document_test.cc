#include "dynamodb/resource_policy_document.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace streamstack::dynamodb {
namespace {

using Json = nlohmann::ordered_json;

const char kTable[] = "arn:aws:dynamodb:us-east-1:000000000000:table/t";
const char kRoot[] = "arn:aws:iam::000000000000:root";
const char kInvalid[] = "One or more parameter values were invalid: ";

Json Statement() {
  return Json{{"Effect", "Allow"},
              {"Principal", {{"AWS", kRoot}}},
              {"Action", "dynamodb:GetItem"},
              {"Resource", kTable}};
}

std::string Document(const Json& statement) {
  return Json{{"Version", "2012-10-17"}, {"Statement", Json::array({statement})}}.dump();
}

Json With(Json statement, const std::string& element, const Json& value) {
  if (value.is_null()) {
    statement.erase(element);
  } else {
    statement[element] = value;
  }
  return statement;
}

// The kept form of each variant (recorded, ack-api-quirks DDB-TABLE-208, -351 to -355).
struct KeptCase {
  const char* name;
  std::string sent;
  std::string kept;
};

TEST(ResourcePolicyDocumentTest, KeepsAwsForm) {
  const std::string canonical = Document(Statement());
  const std::vector<KeptCase> cases = {
      {"already kept", canonical, canonical},
      {"whitespace", Json::parse(canonical).dump(2), canonical},
      {"keys out of order",
       R"({"Statement":[{"Resource":")" + std::string(kTable) +
           R"(","Action":"dynamodb:GetItem","Principal":{"AWS":")" + kRoot +
           R"("},"Effect":"Allow"}],"Version":"2012-10-17"})",
       canonical},
      {"one-element lists",
       Document(With(With(Statement(), "Action", {"dynamodb:GetItem"}), "Resource",
                     Json::array({kTable}))),
       canonical},
      {"account id", Document(With(Statement(), "Principal", {{"AWS", "000000000000"}})),
       canonical},
      {"principal twice",
       Document(With(Statement(), "Principal", {{"AWS", {"000000000000", kRoot}}})), canonical},
      {"lower-case effect", Document(With(Statement(), "Effect", "allow")), canonical},
      {"statement object", Json{{"Version", "2012-10-17"}, {"Statement", Statement()}}.dump(),
       canonical},
      {"lists kept as sent",
       Document(With(Statement(), "Action", {"dynamodb:Query", "dynamodb:Query"})),
       Document(With(Statement(), "Action", {"dynamodb:Query", "dynamodb:Query"}))},
      {"condition value",
       Document(With(Statement(), "Condition",
                     {{"StringEquals", {{"aws:PrincipalAccount", {"000000000000"}}}}})),
       Document(With(Statement(), "Condition",
                     {{"StringEquals", {{"aws:PrincipalAccount", "000000000000"}}}}))},
      {"no version", Json{{"Statement", Json::array({Statement()})}}.dump(),
       Json{{"Statement", Json::array({Statement()})}}.dump()},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto kept = CheckPolicyDocument(c.sent, PolicyResource::kTable);
    ASSERT_TRUE(kept.ok()) << kept.status().message();
    EXPECT_EQ(kept.value(), c.kept);
    EXPECT_EQ(KeptPolicyDocument(c.sent), c.kept);
    EXPECT_EQ(KeptPolicyDocument(c.kept), c.kept);  // a fixpoint
  }
}

TEST(ResourcePolicyDocumentTest, ReadsBackWithDefaultVersion) {
  const std::string versionless = Json{{"Statement", Json::array({Statement()})}}.dump();
  const std::string with_default =
      Json{{"Version", "2008-10-17"}, {"Statement", Json::array({Statement()})}}.dump();
  EXPECT_EQ(PolicyDocumentAsRead(versionless), with_default);
  EXPECT_EQ(PolicyDocumentAsRead(Document(Statement())), Document(Statement()));
}

struct RefusedCase {
  const char* name;
  std::string sent;
  PolicyResource resource;
  std::string message;
};

TEST(ResourcePolicyDocumentTest, RefusesAsAws) {
  const std::string unbounded =
      "Resource-based policy grants unbounded access in one or more elements. Please revise "
      "the policy to ensure least-privilege form of access";
  const std::string document = std::string(kInvalid) + "Invalid policy document: ";
  const Json limited = {{"StringEquals", {{"aws:SourceAccount", "000000000000"}}}};
  const std::vector<RefusedCase> cases = {
      {"stream actions on a table",
       Document(With(Statement(), "Action", {"dynamodb:GetRecords", "dynamodb:DescribeStream"})),
       PolicyResource::kTable,
       document +
           R"(The following action names are invalid: "dynamodb:GetRecords", "dynamodb:DescribeStream")"},
      {"table action on a stream", Document(Statement()), PolicyResource::kStream,
       document + R"(The following action names are invalid: "dynamodb:GetItem")"},
      {"NotAction names too",
       Document(With(With(Statement(), "Action", nullptr), "NotAction", "dynamodb:Bogus")),
       PolicyResource::kTable,
       document + R"(The following action names are invalid: "dynamodb:Bogus")"},
      {"everyone", Document(With(Statement(), "Principal", "*")), PolicyResource::kTable,
       unbounded},
      {"every AWS principal", Document(With(Statement(), "Principal", {{"AWS", {kRoot, "*"}}})),
       PolicyResource::kTable, unbounded},
      {"all but some",
       Document(With(With(Statement(), "Principal", nullptr), "NotPrincipal", {{"AWS", kRoot}})),
       PolicyResource::kTable, unbounded},
      {"a wildcard condition",
       Document(With(With(Statement(), "Principal", "*"), "Condition",
                     {{"StringLike", {{"aws:SourceAccount", "0000*"}}}})),
       PolicyResource::kTable, unbounded},
      {"a Null condition",
       Document(With(With(Statement(), "Principal", "*"), "Condition",
                     {{"Null", {{"aws:SourceAccount", "false"}}}})),
       PolicyResource::kTable, unbounded},
      {"an untrusted key",
       Document(With(With(Statement(), "Principal", "*"), "Condition",
                     {{"StringEquals", {{"aws:RequestedRegion", "us-east-1"}}}})),
       PolicyResource::kTable, unbounded},
      {"malformed principal", Document(With(Statement(), "Principal", {{"AWS", "bob"}})),
       PolicyResource::kTable, std::string(kInvalid) + "Invalid principal in policy document."},
      {"no principal", Document(With(Statement(), "Principal", nullptr)), PolicyResource::kTable,
       document + "Missing required field Principal"},
      {"no action", Document(With(Statement(), "Action", nullptr)), PolicyResource::kTable,
       document + "Missing required field Action"},
      {"no resource", Document(With(Statement(), "Resource", nullptr)), PolicyResource::kTable,
       document + "Missing required field Resource"},
      {"no effect", Document(Json::object()), PolicyResource::kTable,
       document + "Missing required field Effect"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto kept = CheckPolicyDocument(c.sent, c.resource);
    ASSERT_FALSE(kept.ok()) << kept.value();
    EXPECT_EQ(kept.status().code(), AwsError::kValidation);
    EXPECT_EQ(kept.status().message(), c.message);
  }
  // What is not refused: a Deny to everyone, everyone limited by a trusted key, wildcards and
  // any case of an action, a stream's actions on a stream.
  const std::vector<std::pair<std::string, PolicyResource>> accepted = {
      {Document(With(With(Statement(), "Principal", "*"), "Effect", "Deny")),
       PolicyResource::kTable},
      {Document(With(With(Statement(), "Principal", {{"AWS", "*"}}), "Condition", limited)),
       PolicyResource::kTable},
      {Document(With(With(Statement(), "Principal", "*"), "Condition",
                     {{"Bool", {{"aws:PrincipalIsAWSService", "true"}}}})),
       PolicyResource::kTable},
      {Document(
           With(Statement(), "Action", {"*", "dynamodb:*", "dynamodb:Get*", "DynamoDB:query"})),
       PolicyResource::kTable},
      {Document(
           With(Statement(), "Action",
                {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"})),
       PolicyResource::kStream},
      {Document(With(Statement(), "Principal",
                     {{"AWS", "arn:aws:sts::000000000000:assumed-role/r/s"},
                      {"Service", "lambda.amazonaws.com"}})),
       PolicyResource::kTable},
  };
  for (const auto& [sent, resource] : accepted) {
    auto kept = CheckPolicyDocument(sent, resource);
    EXPECT_TRUE(kept.ok()) << sent << ": " << kept.status().message();
  }
}

}  // namespace
}  // namespace streamstack::dynamodb
