#include "streamstack/sqs/query_xml.h"

#include <optional>
#include <set>

#include "streamstack/protocol/errors.h"

namespace streamstack::sqs {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// botocore's scalar shape types; each is written as its text.
const std::set<std::string, std::less<>> kScalarTypes = {
    "string", "integer", "long", "boolean", "blob", "timestamp", "double", "float",
};

Status BadModel(const std::string& what) {
  return {AwsError::kInternalFailure, "query result model: " + what};
}

// A member reference ({"shape", "locationName"?, "flattened"?}) that names a defined shape.
Status CheckRef(const ordered_json& ref, const ordered_json& shapes, const std::string& where) {
  if (!ref.is_object() || !ref.contains("shape") || !ref["shape"].is_string()) {
    return BadModel(where + " has no shape");
  }
  if (!shapes.contains(ref["shape"].get<std::string>())) {
    return BadModel(where + " names the undefined shape " + ref["shape"].get<std::string>());
  }
  if (ref.contains("locationName") && !ref["locationName"].is_string()) {
    return BadModel(where + " has a locationName that is not a string");
  }
  if (ref.contains("flattened") && !ref["flattened"].is_boolean()) {
    return BadModel(where + " has a flattened that is not a boolean");
  }
  return Status::Ok();
}

Status CheckShape(const std::string& name, const ordered_json& shape, const ordered_json& shapes) {
  if (!shape.is_object() || !shape.contains("type") || !shape["type"].is_string()) {
    return BadModel("shape " + name + " has no type");
  }
  if (shape.contains("flattened") && !shape["flattened"].is_boolean()) {
    return BadModel("shape " + name + " has a flattened that is not a boolean");
  }
  const std::string& type = shape["type"].get_ref<const std::string&>();
  if (type == "structure") {
    if (!shape.contains("members") || !shape["members"].is_object()) {
      return BadModel("structure " + name + " has no members");
    }
    for (const auto& [member, ref] : shape["members"].items()) {
      STREAMSTACK_RETURN_IF_ERROR(CheckRef(ref, shapes, name + "." + member));
    }
    return Status::Ok();
  }
  if (type == "list")
    return CheckRef(shape.value("member", ordered_json()), shapes, name + ".member");
  if (type == "map") {
    STREAMSTACK_RETURN_IF_ERROR(
        CheckRef(shape.value("key", ordered_json()), shapes, name + ".key"));
    return CheckRef(shape.value("value", ordered_json()), shapes, name + ".value");
  }
  if (kScalarTypes.count(type) == 0) return BadModel("shape " + name + " has the type " + type);
  return Status::Ok();
}

Status CheckOperation(const std::string& name, const ordered_json& op, const ordered_json& shapes) {
  if (!op.is_object()) return BadModel("operation " + name + " is not an object");
  if (!op.contains("output")) return Status::Ok();
  const ordered_json& output = op["output"];
  STREAMSTACK_RETURN_IF_ERROR(CheckRef(output, shapes, name + ".output"));
  // The query protocol always wraps a result: botocore looks the wrapper up by this name.
  if (!output.contains("resultWrapper") || !output["resultWrapper"].is_string()) {
    return BadModel("operation " + name + " has an output without a resultWrapper");
  }
  if (shapes[output["shape"].get<std::string>()].value("type", "") != "structure") {
    return BadModel("operation " + name + " has an output that is not a structure");
  }
  return Status::Ok();
}

// The text of a scalar; nothing for objects, arrays and nulls. Blobs arrive base64-encoded
// already (as in the JSON protocol), which is also how the query protocol writes them.
std::optional<std::string> ScalarText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number()) return value.dump();
  return std::nullopt;
}

std::string Element(const std::string& name, const std::string& inner) {
  // AWS writes an element without content as <Name/> (<ReceiveMessageResult/>, <Topics/>).
  if (inner.empty()) return "<" + name + "/>";
  return "<" + name + ">" + inner + "</" + name + ">";
}

bool Flattened(const ordered_json& ref, const ordered_json& shape) {
  return shape.value("flattened", false) || ref.value("flattened", false);
}

}  // namespace

Result<QueryResultWriter> QueryResultWriter::FromModel(std::string_view model_json) {
  ordered_json model = ordered_json::parse(model_json, nullptr, /*allow_exceptions=*/false);
  if (model.is_discarded() || !model.is_object()) return BadModel("not a JSON object");
  if (!model.contains("operations") || !model["operations"].is_object() ||
      !model.contains("shapes") || !model["shapes"].is_object()) {
    return BadModel("needs \"operations\" and \"shapes\" objects");
  }
  const ordered_json& shapes = model["shapes"];
  for (const auto& [name, shape] : shapes.items()) {
    STREAMSTACK_RETURN_IF_ERROR(CheckShape(name, shape, shapes));
  }
  for (const auto& [name, op] : model["operations"].items()) {
    STREAMSTACK_RETURN_IF_ERROR(CheckOperation(name, op, shapes));
  }
  return QueryResultWriter(std::move(model));
}

bool QueryResultWriter::Knows(std::string_view operation) const {
  return model_["operations"].contains(std::string(operation));
}

std::string QueryResultWriter::Write(std::string_view operation, const json& output) const {
  const ordered_json& ops = model_["operations"];
  auto op = ops.find(std::string(operation));
  if (op == ops.end() || !op->contains("output")) return "";
  const ordered_json& ref = (*op)["output"];
  std::string inner;
  WriteStructure(Shape(ref), output, inner);
  return Element(ref["resultWrapper"].get<std::string>(), inner);
}

const ordered_json& QueryResultWriter::Shape(const ordered_json& ref) const {
  // FromModel checked that every reference names a defined shape.
  return model_["shapes"][ref["shape"].get_ref<const std::string&>()];
}

void QueryResultWriter::WriteStructure(const ordered_json& shape, const json& value,
                                       std::string& out) const {
  if (!value.is_object()) return;
  for (const auto& [member, ref] : shape["members"].items()) {
    auto it = value.find(member);
    if (it == value.end() || it->is_null()) continue;
    WriteMember(ref, ref.value("locationName", member), *it, out);
  }
}

void QueryResultWriter::WriteMember(const ordered_json& ref, const std::string& element,
                                    const json& value, std::string& out) const {
  const ordered_json& shape = Shape(ref);
  const std::string& type = shape["type"].get_ref<const std::string&>();
  if (type == "structure") {
    if (!value.is_object()) return;
    std::string inner;
    WriteStructure(shape, value, inner);
    out += Element(element, inner);
  } else if (type == "list") {
    WriteList(ref, shape, element, value, out);
  } else if (type == "map") {
    WriteMap(ref, shape, element, value, out);
  } else if (auto text = ScalarText(value)) {
    out += "<" + element + ">" + protocol::XmlEscape(*text) + "</" + element + ">";
  }
}

// A list is <Element><member>a</member>...</Element>, or, flattened, the items themselves
// repeated under the item's locationName (<QueueUrl>a</QueueUrl><QueueUrl>b</QueueUrl>).
void QueryResultWriter::WriteList(const ordered_json& ref, const ordered_json& shape,
                                  const std::string& element, const json& items,
                                  std::string& out) const {
  if (!items.is_array()) return;
  const ordered_json& item_ref = shape["member"];
  if (Flattened(ref, shape)) {
    // botocore finds a flattened list under its item's locationName, else the member's name.
    std::string item_element = item_ref.value("locationName", element);
    for (const auto& item : items) WriteMember(item_ref, item_element, item, out);
    return;
  }
  std::string item_element = item_ref.value("locationName", "member");
  std::string inner;
  for (const auto& item : items) WriteMember(item_ref, item_element, item, inner);
  out += Element(element, inner);
}

// A map is <Element><entry><key>k</key><value>v</value></entry>...</Element>, or, flattened,
// one <Element><Name>k</Name><Value>v</Value></Element> per entry (names from the model).
void QueryResultWriter::WriteMap(const ordered_json& ref, const ordered_json& shape,
                                 const std::string& element, const json& entries,
                                 std::string& out) const {
  if (!entries.is_object()) return;
  const ordered_json& key_ref = shape["key"];
  const ordered_json& value_ref = shape["value"];
  std::string key_element = key_ref.value("locationName", "key");
  std::string value_element = value_ref.value("locationName", "value");
  bool flattened = Flattened(ref, shape);
  std::string inner;
  for (const auto& [key, value] : entries.items()) {
    std::string value_xml;
    WriteMember(value_ref, value_element, value, value_xml);
    // botocore's parser needs both halves of an entry; one without a value is left out.
    if (value_xml.empty()) continue;
    std::string entry =
        "<" + key_element + ">" + protocol::XmlEscape(key) + "</" + key_element + ">" + value_xml;
    if (flattened) {
      out += Element(element, entry);
    } else {
      inner += Element("entry", entry);
    }
  }
  if (!flattened) out += Element(element, inner);
}

}  // namespace streamstack::sqs
