// The query protocol's result element (SQS's older protocol, SNS's only one), written from the
// service's botocore model instead of by hand per operation: member order, locationName,
// flattened lists and maps, and the "member" / "entry" / "key" / "value" wrappers are what the
// model says, so every operation of a modelled service answers the XML that AWS sends and
// botocore's QueryParser reads. Knows no service; it lives in sqs because sns depends on sqs.
// Immutable after construction: any thread may call.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "streamstack/common/status.h"

namespace streamstack::sqs {

class QueryResultWriter {
 public:
  // `model_json` is the output-shape subset of a botocore service-2.json, in botocore's own
  // format: "operations" (each with its "output": {"shape", "resultWrapper"}, or none) and the
  // "shapes" they reach (structure, list, map and scalar types; "locationName" and "flattened" on
  // shapes and member references). kInternalFailure when it is not such a model or names a shape
  // it does not define; a writer that exists can never fail to look a shape up.
  static Result<QueryResultWriter> FromModel(std::string_view model_json);

  // What goes inside <OperationResponse> before <ResponseMetadata>, for `output` in the JSON shape
  // botocore parses the result to ({"Messages": [...]}):
  //   "<OperationResult>...</OperationResult>" for an operation with a result wrapper;
  //   "<OperationResult/>" when none of the result's members is present (AWS sends the empty
  //     element, and botocore fails with KeyError without it);
  //   "" for an operation without output, or one the model does not know.
  // Members the model does not name, nulls, and values whose JSON type does not fit their shape
  // are left out: the model is the contract, and bad data must not make bad XML.
  std::string Write(std::string_view operation, const nlohmann::json& output) const;

  // Whether the model knows `operation` (with or without output).
  bool Knows(std::string_view operation) const;

 private:
  explicit QueryResultWriter(nlohmann::ordered_json model) : model_(std::move(model)) {}

  void WriteStructure(const nlohmann::ordered_json& shape, const nlohmann::json& value,
                      std::string& out) const;
  void WriteMember(const nlohmann::ordered_json& ref, const std::string& element,
                   const nlohmann::json& value, std::string& out) const;
  void WriteList(const nlohmann::ordered_json& ref, const nlohmann::ordered_json& shape,
                 const std::string& element, const nlohmann::json& items, std::string& out) const;
  void WriteMap(const nlohmann::ordered_json& ref, const nlohmann::ordered_json& shape,
                const std::string& element, const nlohmann::json& entries, std::string& out) const;
  const nlohmann::ordered_json& Shape(const nlohmann::ordered_json& ref) const;

  // ordered: a structure's members are written in the model's order, as AWS does.
  nlohmann::ordered_json model_;
};

}  // namespace streamstack::sqs
