// Resource-based policy documents as DynamoDB checks and keeps them. Sources:
// - AWS's documentation: the 20 KB limit counting whitespace (rbac-considerations), the
//   operations a table's and a stream's policy may name (rbac-iam-actions), Block Public
//   Access and the condition keys that make a public principal non-public (rbac-bpa-rbp);
// - recorded answers, ack-api-quirks DDB-TABLE-211 and -351 to -356 (2026-10-09) and -457:
//   the refusals' texts and the kept form (see CheckPolicyDocument's header).
// Assumed where nothing is recorded, and said so at each place: the order of the checks
// between statements, the texts for a missing Principal or Action, which principal values
// are malformed, wildcard actions, and the listing order of invalid action names.
#include "dynamodb/resource_policy_document.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <set>
#include <string_view>
#include <vector>

#include "dynamodb/item_key.h"

namespace streamstack::dynamodb {
namespace {

// Key order matters: the kept form keeps the order a document gives where IAM has none.
using Json = nlohmann::ordered_json;

// "The maximum size supported for a resource-based policy document is 20 KB. DynamoDB counts
// whitespaces when calculating the size of a policy against this limit."
constexpr size_t kMaxPolicyBytes = 20 * 1024;
// What a document without a Version reads back with: IAM's default policy language.
constexpr char kDefaultVersion[] = "2008-10-17";

Status InvalidDocument(const std::string& why) {
  return InvalidParameters("Invalid policy document: " + why);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// A string or each string of a list (a policy element's two forms); other values are left
// out, as they name nothing.
std::vector<std::string> Strings(const Json& value) {
  std::vector<std::string> out;
  if (value.is_string()) out.push_back(value.get<std::string>());
  if (value.is_array()) {
    for (const auto& v : value) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

// --- The kept form ---------------------------------------------------------------------------

// A one-element list as its element (Action, Resource, Condition values, principals).
Json Collapsed(const Json& value) {
  if (value.is_array() && value.size() == 1) return value.front();
  return value;
}

bool IsAccountId(const std::string& s) {
  return s.size() == 12 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// {"AWS": "<account id>"} is kept as the account's root ARN; a principal named twice (also as
// id and ARN) once, and a one-element list as its string. "*" is kept as it is.
Json KeptPrincipal(const Json& principal) {
  if (!principal.is_object()) return principal;
  Json out = Json::object();
  for (const auto& [type, value] : principal.items()) {
    Json list = Json::array();
    for (const auto& element : value.is_array() ? value : Json::array({value})) {
      Json kept = element;
      if (type == "AWS" && element.is_string() && IsAccountId(element.get<std::string>())) {
        kept = "arn:aws:iam::" + element.get<std::string>() + ":root";
      }
      if (std::find(list.begin(), list.end(), kept) == list.end()) list.push_back(kept);
    }
    out[type] = Collapsed(list);
  }
  return out;
}

// {"<operator>": {"<key>": [v]}} keeps each one-element value list as its value; operators
// and keys stay in the order given.
Json KeptCondition(const Json& condition) {
  if (!condition.is_object()) return condition;
  Json out = Json::object();
  for (const auto& [op, keys] : condition.items()) {
    if (!keys.is_object()) {
      out[op] = keys;
      continue;
    }
    Json kept = Json::object();
    for (const auto& [key, value] : keys.items()) kept[key] = Collapsed(value);
    out[op] = kept;
  }
  return out;
}

Json KeptEffect(const Json& effect) {
  if (!effect.is_string()) return effect;
  const std::string lower = Lower(effect.get<std::string>());
  if (lower == "allow") return "Allow";
  if (lower == "deny") return "Deny";
  return effect;
}

// A statement's elements in IAM's order, each Not- element in its positive's place; elements
// IAM does not know follow in the order given.
Json KeptStatement(const Json& statement) {
  if (!statement.is_object()) return statement;
  static const std::array<const char*, 9> kOrder = {"Sid",          "Effect",      "Principal",
                                                    "NotPrincipal", "Action",      "NotAction",
                                                    "Resource",     "NotResource", "Condition"};
  Json out = Json::object();
  for (const char* name : kOrder) {
    auto found = statement.find(name);
    if (found == statement.end()) continue;
    const std::string_view element(name);
    if (element == "Effect") {
      out[name] = KeptEffect(*found);
    } else if (element.ends_with("Principal")) {
      out[name] = KeptPrincipal(*found);
    } else if (element == "Condition") {
      out[name] = KeptCondition(*found);
    } else if (element == "Sid") {
      out[name] = *found;
    } else {
      out[name] = Collapsed(*found);
    }
  }
  for (const auto& element : statement.items()) {
    const std::string& key = element.key();
    if (std::find_if(kOrder.begin(), kOrder.end(), [&](const char* n) { return key == n; }) ==
        kOrder.end()) {
      out[key] = element.value();
    }
  }
  return out;
}

// A Statement object is kept as a one-element list.
Json StatementList(const Json& statements) {
  return statements.is_array() ? statements : Json::array({statements});
}

Json KeptDocument(const Json& document) {
  Json out = Json::object();
  for (const char* name : {"Version", "Id"}) {
    if (auto found = document.find(name); found != document.end()) out[name] = *found;
  }
  if (auto statements = document.find("Statement"); statements != document.end()) {
    Json kept = Json::array();
    for (const auto& statement : StatementList(*statements)) {
      kept.push_back(KeptStatement(statement));
    }
    out["Statement"] = kept;
  }
  for (const auto& [key, value] : document.items()) {
    if (key != "Version" && key != "Id" && key != "Statement") out[key] = value;
  }
  return out;
}

// --- The checks ------------------------------------------------------------------------------

// The operations a policy may name, as "dynamodb:<Operation>" in lower case (IAM compares
// action names without case: "dynamodb:getitem" is accepted and kept as sent, recorded
// DDB-TABLE-353). AWS's rbac-iam-actions page, the rows whose resource-based policy support
// is Yes; the actions of backups and imports are not among them (RestoreTableFromBackup
// refused, recorded by a user 2026-10-06), nor a stream's in a table's policy (DescribeStream
// and GetRecords refused, recorded DDB-TABLE-211). ConditionCheckItem, the action of a
// transaction's ConditionCheck on the table, is assumed accepted.
const std::set<std::string>& ActionsOf(PolicyResource resource) {
  static const std::set<std::string> kTable = [] {
    std::set<std::string> out;
    for (const char* op : {"DeleteItem",
                           "GetItem",
                           "PutItem",
                           "Query",
                           "Scan",
                           "UpdateItem",
                           "TransactGetItems",
                           "TransactWriteItems",
                           "BatchGetItem",
                           "BatchWriteItem",
                           "ConditionCheckItem",
                           "PartiQLSelect",
                           "PartiQLInsert",
                           "PartiQLUpdate",
                           "PartiQLDelete",
                           "DeleteTable",
                           "DescribeTable",
                           "UpdateTable",
                           "DescribeTableReplicaAutoScaling",
                           "UpdateTableReplicaAutoScaling",
                           "ListTagsOfResource",
                           "TagResource",
                           "UntagResource",
                           "CreateBackup",
                           "DescribeContinuousBackups",
                           "UpdateContinuousBackups",
                           "RestoreTableToPointInTime",
                           "DescribeContributorInsights",
                           "UpdateContributorInsights",
                           "ExportTableToPointInTime",
                           "DescribeKinesisStreamingDestination",
                           "EnableKinesisStreamingDestination",
                           "DisableKinesisStreamingDestination",
                           "UpdateKinesisStreamingDestination",
                           "GetResourcePolicy",
                           "PutResourcePolicy",
                           "DeleteResourcePolicy",
                           "DescribeTimeToLive",
                           "UpdateTimeToLive"}) {
      out.insert(Lower(std::string("dynamodb:") + op));
    }
    return out;
  }();
  static const std::set<std::string> kStream = {"dynamodb:describestream", "dynamodb:getrecords",
                                                "dynamodb:getsharditerator"};
  return resource == PolicyResource::kTable ? kTable : kStream;
}

// "*", one of the resource's operations, or a wildcard of DynamoDB's (assumed: accepted
// whatever it matches, as IAM accepts wildcards that match nothing).
bool IsValidAction(const std::string& action, PolicyResource resource) {
  if (action == "*") return true;
  const std::string lower = Lower(action);
  if (!lower.starts_with("dynamodb:")) return false;
  if (lower.find_first_of("*?") != std::string::npos) return true;
  return ActionsOf(resource).contains(lower);
}

// "The following action names are invalid: "dynamodb:GetRecords", "dynamodb:DescribeStream""
// (recorded). Listed once each, in the order the document names them (assumed: the recorded
// answer's order is not derivable from its request).
Status CheckActionNames(const Json& statements, PolicyResource resource) {
  std::vector<std::string> invalid;
  for (const auto& statement : statements) {
    for (const char* element : {"Action", "NotAction"}) {
      auto found = statement.find(element);
      if (found == statement.end()) continue;
      for (const auto& action : Strings(*found)) {
        if (!IsValidAction(action, resource) &&
            std::find(invalid.begin(), invalid.end(), action) == invalid.end()) {
          invalid.push_back(action);
        }
      }
    }
  }
  if (invalid.empty()) return Status::Ok();
  std::string names;
  for (const auto& action : invalid) names += (names.empty() ? "\"" : ", \"") + action + "\"";
  return InvalidDocument("The following action names are invalid: " + names);
}

// An AWS principal DynamoDB can resolve: "*", an account id, or an IAM or STS ARN of an
// account. Assumed: AWS refuses a principal it cannot resolve with the text it gives for an
// account that does not exist (recorded, DDB-TABLE-356), and this server, knowing no
// accounts, refuses only malformed ones.
bool IsResolvablePrincipal(const std::string& principal) {
  static const std::regex kArn(R"(arn:aws[a-z-]*:(iam|sts)::\d{12}:.+)");
  return principal == "*" || IsAccountId(principal) || std::regex_match(principal, kArn);
}

Status CheckPrincipals(const Json& statements) {
  for (const auto& statement : statements) {
    for (const char* element : {"Principal", "NotPrincipal"}) {
      auto found = statement.find(element);
      if (found == statement.end() || !found->is_object()) continue;
      auto aws = found->find("AWS");
      if (aws == found->end()) continue;
      for (const auto& principal : Strings(*aws)) {
        if (!IsResolvablePrincipal(principal)) {
          return InvalidParameters("Invalid principal in policy document.");
        }
      }
    }
  }
  return Status::Ok();
}

// Everyone: "*" or a principal list naming "*" (recorded: "*" and {"AWS": "*"}).
bool NamesEveryone(const Json& principal) {
  if (principal.is_string()) return principal.get<std::string>() == "*";
  if (!principal.is_object()) return false;
  for (const auto& [type, value] : principal.items()) {
    auto values = Strings(value);
    if (std::find(values.begin(), values.end(), "*") != values.end()) return true;
  }
  return false;
}

// AWS's Block Public Access: a condition on one of these keys, with values free of wildcards
// and policy variables (aws:PrincipalIsAWSService true), limits who the statement names.
// Assumed: any operator but Null limits.
bool LimitsPrincipal(const Json& condition) {
  static const std::set<std::string> kTrustedKeys = {"aws:principalaccount",
                                                     "aws:principalarn",
                                                     "aws:principalorgid",
                                                     "aws:principalorgpaths",
                                                     "aws:sourceaccount",
                                                     "aws:sourcearn",
                                                     "aws:sourcevpc",
                                                     "aws:sourcevpce",
                                                     "aws:userid",
                                                     "aws:principalservicename",
                                                     "aws:principalservicenameslist",
                                                     "aws:principalisawsservice",
                                                     "aws:ec2instancesourcevpc",
                                                     "aws:sourceorgid",
                                                     "aws:sourceorgpaths"};
  if (!condition.is_object()) return false;
  for (const auto& [op, keys] : condition.items()) {
    if (!keys.is_object() || Lower(op) == "null") continue;
    for (const auto& [key, value] : keys.items()) {
      const std::string lower = Lower(key);
      if (!kTrustedKeys.contains(lower)) continue;
      auto values = Strings(value);
      const bool concrete =
          !values.empty() && std::all_of(values.begin(), values.end(), [&](const auto& v) {
            if (lower == "aws:principalisawsservice") return Lower(v) == "true";
            return !v.empty() && v.find_first_of("*?") == std::string::npos &&
                   v.find("${") == std::string::npos;
          });
      if (concrete) return true;
    }
  }
  return false;
}

// An Allow to everyone (or to all but some, NotPrincipal) that no trusted condition limits.
Status CheckPublicAccess(const Json& statements) {
  for (const auto& statement : statements) {
    auto effect = statement.find("Effect");
    if (!effect->is_string() || Lower(effect->get<std::string>()) != "allow") continue;
    auto principal = statement.find("Principal");
    const bool everyone = statement.contains("NotPrincipal") ||
                          (principal != statement.end() && NamesEveryone(*principal));
    auto condition = statement.find("Condition");
    if (everyone && (condition == statement.end() || !LimitsPrincipal(*condition))) {
      return ValidationError(
          "Resource-based policy grants unbounded access in one or more elements. Please "
          "revise the policy to ensure least-privilege form of access");
    }
  }
  return Status::Ok();
}

// Each statement's required elements and unique Sids. Effect and Resource recorded
// ("Missing required field Effect" for {}, "... Resource" without one); Principal and Action
// assumed in the same words, a resource policy needing both. Checked statement by statement,
// Effect, Principal, Action, Resource in each (assumed order).
Status CheckStatements(const Json& statements) {
  std::set<std::string> sids;
  for (const auto& statement : statements) {
    if (!statement.is_object() || !statement.contains("Effect")) {
      return InvalidDocument("Missing required field Effect");
    }
    for (auto [positive, negative] :
         {std::pair{"Principal", "NotPrincipal"}, std::pair{"Action", "NotAction"},
          std::pair{"Resource", "NotResource"}}) {
      if (!statement.contains(positive) && !statement.contains(negative)) {
        return InvalidDocument(std::string("Missing required field ") + positive);
      }
    }
    auto sid = statement.find("Sid");
    if (sid != statement.end() && sid->is_string() &&
        !sids.insert(sid->get<std::string>()).second) {
      return InvalidDocument("The Statement Ids in the policy are not unique");
    }
  }
  return Status::Ok();
}

}  // namespace

// The recorded answers to degenerate documents (DDB-TABLE-457): "" and "[]" are invalid
// JSON, "{}" a syntax error at (1,3); assumed: a scalar other than null is "not a policy"
// like null, and a missing Statement is "Missing required field Statement" (IAM's and S3's
// words for it). Then the statements, the action names, the principals and Block Public
// Access, in that order (assumed: IAM's checks before DynamoDB's guardrail).
Result<std::string> CheckPolicyDocument(const std::string& policy, PolicyResource resource) {
  if (policy.size() > kMaxPolicyBytes) {
    return InvalidParameters("Maximum policy size of " + std::to_string(kMaxPolicyBytes) +
                             " bytes exceeded");
  }
  Json parsed = Json::parse(policy, nullptr, false);
  if (parsed.is_discarded() || parsed.is_array()) {
    return InvalidDocument("This policy contains invalid Json");
  }
  if (!parsed.is_object()) return InvalidDocument("This text appears not to be a policy");
  if (parsed.empty()) return InvalidDocument("Syntax error at position (1,3)");
  auto found = parsed.find("Statement");
  if (found == parsed.end()) return InvalidDocument("Missing required field Statement");
  const Json statements = StatementList(*found);
  if (statements.empty()) return InvalidDocument("Could not parse the policy: Statement is empty!");
  STREAMSTACK_RETURN_IF_ERROR(CheckStatements(statements));
  STREAMSTACK_RETURN_IF_ERROR(CheckActionNames(statements, resource));
  STREAMSTACK_RETURN_IF_ERROR(CheckPrincipals(statements));
  STREAMSTACK_RETURN_IF_ERROR(CheckPublicAccess(statements));
  return KeptDocument(parsed).dump();
}

std::string KeptPolicyDocument(const std::string& stored) {
  Json parsed = Json::parse(stored, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return stored;
  return KeptDocument(parsed).dump();
}

std::string PolicyDocumentAsRead(const std::string& stored) {
  Json parsed = Json::parse(stored, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return stored;
  Json kept = KeptDocument(parsed);
  if (kept.contains("Version")) return kept.dump();
  Json read = Json::object();
  read["Version"] = kDefaultVersion;
  for (const auto& [key, value] : kept.items()) read[key] = value;
  return read.dump();
}

}  // namespace streamstack::dynamodb
