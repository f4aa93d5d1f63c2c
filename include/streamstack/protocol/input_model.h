// A JSON service's request shapes (a subset of its botocore model, generated into the service's
// module) and the one validator that walks a request against them as AWS's front end does:
// first the JSON types (a wrong type is answered before anything else), then every model
// constraint of every member, all reported together in one ValidationException ("3 validation
// errors detected: ..."; common/violations.h words them). Three front ends exist and the model
// names its own: Coral (JSON 1.0/1.1: DynamoDB, Streams; a wrong type is a
// SerializationException), Coral's strict reader (JSON 1.1: CloudWatch Logs; a wrong type is a
// SerializationException worded otherwise) and Lambda's REST-JSON one (a wrong type is an
// InvalidRequestContentException; members may travel in the URI, the query string or a header).
// Knows nothing of any one service. Immutable after construction; any thread may validate.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/protocol/router.h"

namespace streamstack::protocol {

class InputModel {
 public:
  // `model_json`: {"operations": {Op: InputShape}, "shapes": {Name: {type, members: [[member,
  // shape(, location, locationName)], ...], required, requiredUnless, min, max, pattern, enum,
  // member, key, value, orName, emptyIsOwn, opaque, enumAtList, keyFaultQuotesKey, emptyFault}},
  // "serializationMessages":
  // {DynamoDB's wording: the service's}, "frontEnd": "coral" | "coralStrict" | "lambda",
  // "requestChecks": {Op: {...}}} (the last three optional: where a service words a
  // SerializationException otherwise; which front end's rules apply, Coral's by default; an
  // operation's own checks, below). A member's location is "uri", "querystring" or "header"
  // (botocore's), read from `locationName`; members without one are in the body. "requiredUnless"
  // ({member: other}) makes a member required when `other` is absent (a service that takes a log
  // group by name or by identifier); "enum" on a number shape lists its values as text. Patterns
  // with \u escapes or \p{...} classes are printed, not checked. Coral's strict reader
  // (CloudWatch Logs, as this server has always answered it) differs from Coral's in its types
  // alone: nothing is converted ("true" is no boolean, 1.5 no integer, a null element of a list
  // or map is a fault), and the fault is "<token> can not be converted to <Type>" (STRING_VALUE,
  // NUMBER_VALUE, TRUE_VALUE, FALSE_VALUE, START_ARRAY, START_OBJECT, VALUE_NULL; String, Long
  // for every whole number, Boolean, Double, List, Map or the structure's shape name), for the
  // first faulty member by name (as the parsed request holds its members).
  // Lambda's front end differs from Coral's in these, each pinned by a unit test:
  //  - types: strict (no "true" for a boolean, no 1.5 for an integer); a member of the wrong
  //    JSON type is InvalidRequestContentException "Could not parse request body into json:
  //    Cannot deserialize value of member '<Member>'" (the innermost member holding it);
  //  - a string's clauses: its length first, its pattern only when the length holds, then its
  //    enum;
  //  - a list's elements are reported once, at the list: "Member must satisfy constraint:
  //    [<the element shape's constraints>, Member must not be null]", or for a list shape with
  //    "enumAtList" "Member must satisfy enum value set: [...]".
  // A string shape with "orName" holds a value that is not an ARN to that shape's constraints;
  // with "emptyIsOwn" too, an empty value is held to its own (DynamoDB's TableArn: an empty
  // TableName of an item operation is "length greater than or equal to 1" alone).
  // A map shape with "emptyFault" answers an empty value with that text alone, bare, when the
  // request breaks no other constraint (such a shape has no minimum of its own).
  // "requestChecks" ({Op: {...}}) names what an operation checks before, or in place of, the
  // aggregated report, on a request that has every required member (DynamoDB's 2026
  // validation layer, which AWS has moved some operations and some checks to):
  //  - "boundsFirst": the first length or range a member breaks, in model order, by the
  //    member's own shape, alone: "1 validation error detected: Value at 'RequestItems.t.
  //    member.Keys' failed to satisfy constraint: ..." (the request's member names, no value);
  //  - "enums" ({Member: {"set": "[...]", "enveloped": bool}}): a top-level enum checked in
  //    the same pass, in model order, answered "Failed to satisfy constraint: Member must
  //    satisfy enum value set: <set>" (inside "1 validation error detected: " if enveloped);
  //  - "enumsFirst": the top-level enums' clauses, in the older words, alone before the rest;
  //  - "valuesAsJson": a structure, list or map a clause quotes is rendered as compact JSON
  //    (model order within a structure) instead of Java's toString.
  // A map shape with "keyFaultQuotesKey" quotes its first bad key as the value of a "Map keys
  // must satisfy constraint" clause ("Value 'A'"), where other maps quote the whole map.
  // `java_package`: the package AWS's messages name the service's classes in
  // ("com.amazonaws.dynamodb.v20120810"). Aborts on a model that does not parse (it is
  // generated and checked in; a unit test parses it).
  InputModel(std::string_view model_json, std::string java_package);
  ~InputModel();
  InputModel(const InputModel&) = delete;
  InputModel& operator=(const InputModel&) = delete;

  bool HasOperation(std::string_view operation) const;
  // Every operation of the model, by name.
  std::vector<std::string> Operations() const;

  // The types of `request` (a JSON object) against `operation`'s input: a SerializationException
  // with AWS's message ("TRUE_VALUE cannot be converted to String") for the first member of a
  // wrong JSON type, else Ok. Normalises `request` in place as AWS's parser reads it: null and
  // unknown members are dropped, "true"/"yes"/"1" become booleans, decimals become integers
  // where an integer belongs. Ok for an operation the model does not know.
  Status CheckTypes(std::string_view operation, nlohmann::json& request) const;

  // Every constraint of the model on a request CheckTypes accepted: required members, lengths
  // (strings, lists, maps), value ranges, enums, patterns, map keys and map values. At most ten
  // clauses, as AWS reports. Ok when there is none.
  Status CheckConstraints(std::string_view operation, const nlohmann::json& request) const;

  // Both, in AWS's order.
  Status Validate(std::string_view operation, nlohmann::json& request) const;

  // A REST request as one object: `body` (the parsed JSON body, an object) with each member
  // `operation`'s input reads from the URI, the query string or a header set under its member
  // name, replacing any body member of that name (AWS reads a located member only where the
  // model puts it). Empty text is absent. Text for an integer member becomes a number; text
  // that is not one stays text, which CheckConstraints reports as "Member must be an integer".
  // A list in the query string is every value of its parameter, in order.
  // Located members are not type checked (they are text by nature). Then Validate.
  Status ValidateRest(std::string_view operation, const RequestContext& ctx,
                      nlohmann::json& body) const;

  struct Shape;
  struct RequestChecks;
  // Whose rules apply (the model's "frontEnd"; see the constructor).
  enum class FrontEnd { kCoral, kCoralStrict, kLambda };

 private:
  void AddLocatedMembers(std::string_view operation, const RequestContext& ctx,
                         nlohmann::json& request) const;

  std::string java_package_;
  FrontEnd front_end_ = FrontEnd::kCoral;
  std::map<std::string, std::string> serialization_messages_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, const Shape*, std::less<>> operations_;
  std::map<std::string, std::unique_ptr<RequestChecks>, std::less<>> request_checks_;
};

// Reading a request Validate accepted: each member it still holds has its shape's JSON type
// (null and unknown members are gone, integers are whole), so these only tell absent from
// present. The service's code names the members it reads; nothing here checks again.
std::optional<std::string> StringMember(const nlohmann::json& request, std::string_view member);
// An integer member, held to int's range (AWS reads Integer members as Java ints).
std::optional<int> IntMember(const nlohmann::json& request, std::string_view member);
// A whole number held to int64's range (a Long member).
std::optional<int64_t> LongMember(const nlohmann::json& request, std::string_view member);
std::optional<bool> BoolMember(const nlohmann::json& request, std::string_view member);
// A structure member (an object), or nullptr.
const nlohmann::json* StructureMember(const nlohmann::json& request, std::string_view member);

// Adds to a JSON service's `operations` one for each operation of `model` it lacks, answering
// OperationNotServed(`service`, ...): AWS's UnknownOperationException naming the operation.
void AddOperationsNotServed(const InputModel& model, std::string_view service,
                            std::vector<std::pair<std::string, JsonOperation>>& operations);

}  // namespace streamstack::protocol
