// AttributeValue and Item: DynamoDB's data model, its DynamoDB-JSON codec with AWS's
// validation messages, AWS's item-size rules and key ordering. No storage or HTTP here.
// Values only; an AttributeValue is safe to share between threads once built.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/number.h"

namespace streamstack::dynamodb {

enum class AttributeType { kS, kN, kB, kSS, kNS, kBS, kM, kL, kNull, kBool };

// "S", "N", ..., "NULL", "BOOL": the DynamoDB-JSON member name of a type.
const char* AttributeTypeName(AttributeType type);

// How a request's attribute values are read and their faults worded. DynamoDB reads them in
// one of two layers, chosen by the operation (a DynamoDB conformance suite's valueLayers
// captures in eu-west-2, us-east-1, eu-west-1 and us-west-2, 2026-10-09):
//   kCurrent  PutItem, UpdateItem, DeleteItem, GetItem, BatchGetItem, Query. A number's
//             exponent is range-checked whole ("1e2147483647" overflows, "" is "...: "); a
//             repeated set member is listed quoted, in byte order up to the repeat.
//   kOlder    BatchWriteItem, TransactWriteItems, TransactGetItems, Scan. A number is read as
//             java.math.BigDecimal first (Number::ParseBigDecimal: "1e2147483647" wraps to an
//             underflow, "" has no colon); a repeated set member is listed as sent, unquoted,
//             and a number set's repeat is "Input collection contains duplicates", bare.
enum class ValueWording { kCurrent, kOlder };

class AttributeValue;
using Item = std::map<std::string, AttributeValue>;  // attribute name -> value

class AttributeValue {
 public:
  // How deep a stored item's attribute may be nested: a scalar is level 1, each M/L adds one.
  // Each write surface checks it (CheckItemNesting); a condition's value is not held to it.
  static constexpr int kMaxNestingDepth = 32;
  // How deep any value of a request may be nested: deeper ones are refused as they are read,
  // with no "1 validation error detected" envelope, and an ExpressionAttributeValue names its
  // key. AWS reads 61 wraps (62 levels) and refuses 63 wraps so (a DynamoDB conformance
  // suite's captures in us-east-1 and eu-west-2, 2026-10-09); 63 levels is assumed.
  static constexpr int kMaxRequestDepth = 63;

  AttributeValue() : type_(AttributeType::kNull) {}  // NULL

  static AttributeValue String(std::string s);
  static AttributeValue Num(Number n);
  static AttributeValue Binary(std::string raw_bytes);
  static AttributeValue StringSet(std::vector<std::string> values);
  static AttributeValue NumberSet(std::vector<Number> values);
  static AttributeValue BinarySet(std::vector<std::string> raw_values);
  static AttributeValue Map(Item entries);
  static AttributeValue List(std::vector<AttributeValue> elements);
  static AttributeValue Null();
  static AttributeValue Bool(bool b);

  // Decodes one DynamoDB-JSON AttributeValue ({"S": "x"}, {"M": {...}}, ...), with every
  // check DynamoDB makes and its message (ValidationException), or a SerializationException
  // for JSON of the wrong shape.
  static Result<AttributeValue> FromJson(const nlohmann::json& json,
                                         ValueWording wording = ValueWording::kCurrent);
  // The same for a PartiQL statement's parameter, whose numbers (N, NS members, at any depth)
  // AWS reads as java.math.BigDecimal first (Number::ParseBigDecimal), and which is held to
  // kMaxNestingDepth as it is read: a parameter nested 41 levels is refused ahead of a bad
  // number in it or in a later parameter (a DynamoDB conformance suite, captured from
  // DynamoDB, with 41 and 101 levels; the limit itself, 32, is assumed from items').
  static Result<AttributeValue> FromPartiqlParameterJson(const nlohmann::json& json);
  // DynamoDB-JSON; numbers normalised, sets in stored order, B/BS base64.
  nlohmann::json ToJson() const;

  AttributeType type() const { return type_; }
  bool IsSet() const {
    return type_ == AttributeType::kSS || type_ == AttributeType::kNS ||
           type_ == AttributeType::kBS;
  }

  // Accessors; each is valid only for the matching type(s).
  const std::string& s() const { return bytes_; }                  // S
  const std::string& b() const { return bytes_; }                  // B (raw bytes)
  const Number& n() const { return number_; }                      // N
  bool boolean() const { return bool_; }                           // BOOL
  const std::vector<std::string>& ss() const { return strings_; }  // SS
  const std::vector<std::string>& bs() const { return strings_; }  // BS (raw bytes)
  const std::vector<Number>& ns() const { return numbers_; }       // NS
  const Item& m() const { return map_; }                           // M
  Item& mutable_m() { return map_; }
  const std::vector<AttributeValue>& l() const { return list_; }  // L
  std::vector<AttributeValue>& mutable_l() { return list_; }

  // Number of elements of a set, for the set types.
  size_t SetSize() const { return type_ == AttributeType::kNS ? numbers_.size() : strings_.size(); }
  // Set membership of a scalar of the set's element type.
  bool SetContains(const AttributeValue& element) const;
  // Nesting depth (1 for scalars and sets).
  int Depth() const;

  // Structural equality; sets compare as sets, numbers numerically.
  friend bool operator==(const AttributeValue& a, const AttributeValue& b);

 private:
  explicit AttributeValue(AttributeType type) : type_(type) {}
  struct JsonReading {
    Result<Number> (*parse_number)(std::string_view);
    int max_depth;
    ValueWording wording;
  };
  static Result<AttributeValue> FromJsonAtDepth(const nlohmann::json& json, int depth,
                                                const JsonReading& reading);

  AttributeType type_;
  bool bool_ = false;
  std::string bytes_;                 // S, B
  Number number_;                     // N
  std::vector<std::string> strings_;  // SS, BS
  std::vector<Number> numbers_;       // NS
  std::vector<AttributeValue> list_;  // L
  Item map_;                          // M
};

// AWS's text for a value nested past its limit.
inline constexpr char kNestingExceeded[] =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
    "beyond supported limit";

// Whether `fault` is one AWS's request reader answers before either validation layer
// (ValueWording) runs, in the same words on every operation: a value nested past
// AttributeValue::kMaxRequestDepth, an AttributeValue naming no data type or several (recorded
// bare on PutItem, where the layer's own faults are enveloped: dynoxide's captures from
// DynamoDB in eu-west-2).
bool IsReaderFault(const Status& fault);

// ValidationException kNestingExceeded when an attribute of `item` is nested deeper than
// AttributeValue::kMaxNestingDepth.
Status CheckItemNesting(const Item& item);

inline constexpr char kEmptyAttributeName[] = "Empty attribute name";

// What an item to be written may hold: no attribute named "" (kEmptyAttributeName, a
// DynamoDB conformance suite's TransactWriteItems captures, ten regions; assumed alike for
// PutItem and BatchWriteItem), then CheckItemNesting. A map inside it may have an empty key.
Status CheckItemToWrite(const Item& item);

// Whole items: {"name": {"S": "x"}, ...}.
Result<Item> ItemFromJson(const nlohmann::json& json,
                          ValueWording wording = ValueWording::kCurrent);
nlohmann::json ItemToJson(const Item& item);

// AWS's item size rules ("DynamoDB item sizes and formats"): the value's size alone, then
// name + value, then the sum over an item.
size_t AttributeValueSizeBytes(const AttributeValue& value);
size_t AttributeSizeBytes(const std::string& name, const AttributeValue& value);
size_t ItemSizeBytes(const Item& item);

// Order of key attribute values of the same type: S and B by unsigned bytes, N numerically.
// Values of different or non-key types order by type only.
int CompareKeyValues(const AttributeValue& a, const AttributeValue& b);

// Base64 (standard alphabet, padded) used by the codec; exposed for other modules' keys.
std::string Base64Encode(std::string_view raw);
Result<std::string> Base64Decode(std::string_view text);

}  // namespace streamstack::dynamodb
