// A JSON protocol service's request shapes (a subset of its botocore model, generated into the
// service's api file) and the one validator that walks a request against them as AWS's Coral
// front end does: first the JSON types (a wrong type is a SerializationException, answered
// before anything else), then every model constraint of every member, all reported together in
// one ValidationException ("3 validation errors detected: ..."; common/violations.h words
// them). Knows nothing of any one service. Immutable after Parse; any thread may validate.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"

namespace streamstack::protocol {

class InputModel {
 public:
  // `model_json`: {"operations": {Op: InputShape}, "shapes": {Name: {type, members: [[member,
  // shape], ...], required, min, max, pattern, enum, member, key, value, orName, opaque}},
  // "serializationMessages": {DynamoDB's wording: the service's}} (the last optional: where a
  // service words a SerializationException otherwise).
  // `java_package`: the package AWS's messages name the service's classes in
  // ("com.amazonaws.dynamodb.v20120810"). Aborts on a model that does not parse (it is
  // generated and checked in; a unit test parses it).
  InputModel(std::string_view model_json, std::string java_package);
  ~InputModel();
  InputModel(const InputModel&) = delete;
  InputModel& operator=(const InputModel&) = delete;

  bool HasOperation(std::string_view operation) const;

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

  struct Shape;

 private:
  std::string java_package_;
  std::map<std::string, std::string> serialization_messages_;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, const Shape*, std::less<>> operations_;
};

// Reading a request Validate accepted: each member it still holds has its shape's JSON type
// (null and unknown members are gone, integers are whole), so these only tell absent from
// present. The service's code names the members it reads; nothing here checks again.
std::optional<std::string> StringMember(const nlohmann::json& request, std::string_view member);
// An integer member, held to int's range (AWS reads Integer members as Java ints).
std::optional<int> IntMember(const nlohmann::json& request, std::string_view member);
// A structure member (an object), or nullptr.
const nlohmann::json* StructureMember(const nlohmann::json& request, std::string_view member);

}  // namespace streamstack::protocol
