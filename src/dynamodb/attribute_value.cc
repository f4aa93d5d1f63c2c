#include "streamstack/dynamodb/attribute_value.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

#include "streamstack/common/ids.h"

namespace streamstack::dynamodb {
namespace {

constexpr char kInvalidPrefix[] = "One or more parameter values were invalid: ";

Status SerializationError(std::string message) {
  return Status(AwsError::kSerialization, std::move(message));
}

std::string JsonKindName(const nlohmann::json& j) {
  if (j.is_string()) return "STRING_VALUE";
  if (j.is_number()) return "NUMBER_VALUE";
  if (j.is_boolean()) return "BOOLEAN_VALUE";
  if (j.is_array()) return "START_ARRAY";
  if (j.is_object()) return "START_OBJECT";
  return "VALUE_NULL";
}

Status WrongJson(const nlohmann::json& j, const char* expected) {
  return SerializationError(JsonKindName(j) + " can not be converted to " + expected);
}

// A null member of a set: AWS's reader takes it, its validation refuses it. The string set's
// text is recorded (ExtendDB's tests, captured from DynamoDB; "An string set" is AWS's); the
// number and binary sets' are assumed, by the same pattern, as only their error type is
// recorded.
Status NullSetMember(AttributeType set) {
  const char* text =
      set == AttributeType::kSS   ? "An string set may not have a null string as a member"
      : set == AttributeType::kNS ? "An number set may not have a null number as a member"
                                  : "A binary set may not have a null binary as a member";
  return ValidationError(std::string(kInvalidPrefix) + text);
}

// AWS's rendering of a set with a repeated member, or "" when there is none. kCurrent: the
// members read so far in byte order, then the repeat, then the rest as sent, each quoted;
// kOlder: every member as sent, unquoted, ", " between them.
std::string DuplicateListing(const std::vector<std::string>& shown_as,
                             const std::vector<std::string>& raw, const char* separator,
                             ValueWording wording) {
  std::map<std::string, std::string> seen;  // raw bytes -> shown form, byte order
  for (size_t i = 0; i < raw.size(); ++i) {
    if (seen.emplace(raw[i], shown_as[i]).second) continue;
    std::vector<std::string> listing;
    if (wording == ValueWording::kOlder) {
      listing = shown_as;
      separator = ", ";
    } else {
      for (const auto& [bytes, shown] : seen) listing.push_back("\"" + shown + "\"");
      for (size_t k = i; k < raw.size(); ++k) listing.push_back("\"" + shown_as[k] + "\"");
    }
    std::string out = "[";
    for (size_t k = 0; k < listing.size(); ++k) {
      if (k) out += separator;
      out += listing[k];
    }
    return out + "]";
  }
  return "";
}

int TypeRank(AttributeType t) { return static_cast<int>(t); }

}  // namespace

const char* AttributeTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kS:
      return "S";
    case AttributeType::kN:
      return "N";
    case AttributeType::kB:
      return "B";
    case AttributeType::kSS:
      return "SS";
    case AttributeType::kNS:
      return "NS";
    case AttributeType::kBS:
      return "BS";
    case AttributeType::kM:
      return "M";
    case AttributeType::kL:
      return "L";
    case AttributeType::kNull:
      return "NULL";
    case AttributeType::kBool:
      return "BOOL";
  }
  return "?";
}

AttributeValue AttributeValue::String(std::string s) {
  AttributeValue v(AttributeType::kS);
  v.bytes_ = std::move(s);
  return v;
}
AttributeValue AttributeValue::Num(Number n) {
  AttributeValue v(AttributeType::kN);
  v.number_ = std::move(n);
  return v;
}
AttributeValue AttributeValue::Binary(std::string raw_bytes) {
  AttributeValue v(AttributeType::kB);
  v.bytes_ = std::move(raw_bytes);
  return v;
}
AttributeValue AttributeValue::StringSet(std::vector<std::string> values) {
  AttributeValue v(AttributeType::kSS);
  v.strings_ = std::move(values);
  return v;
}
AttributeValue AttributeValue::NumberSet(std::vector<Number> values) {
  AttributeValue v(AttributeType::kNS);
  v.numbers_ = std::move(values);
  return v;
}
AttributeValue AttributeValue::BinarySet(std::vector<std::string> raw_values) {
  AttributeValue v(AttributeType::kBS);
  v.strings_ = std::move(raw_values);
  return v;
}
AttributeValue AttributeValue::Map(Item entries) {
  AttributeValue v(AttributeType::kM);
  v.map_ = std::move(entries);
  return v;
}
AttributeValue AttributeValue::List(std::vector<AttributeValue> elements) {
  AttributeValue v(AttributeType::kL);
  v.list_ = std::move(elements);
  return v;
}
AttributeValue AttributeValue::Null() { return AttributeValue(AttributeType::kNull); }
AttributeValue AttributeValue::Bool(bool b) {
  AttributeValue v(AttributeType::kBool);
  v.bool_ = b;
  return v;
}

bool IsReaderFault(const Status& fault) {
  if (fault.code() != AwsError::kValidation) return false;
  const std::string& text = fault.message();
  return text.find(kNestingExceeded) != std::string::npos ||
         text.find("Supplied AttributeValue ") != std::string::npos;
}

Result<AttributeValue> AttributeValue::FromJson(const nlohmann::json& json, ValueWording wording) {
  auto parse_number = wording == ValueWording::kOlder ? &Number::ParseBigDecimal : &Number::Parse;
  return FromJsonAtDepth(json, 1, {parse_number, kMaxRequestDepth, wording});
}

Result<AttributeValue> AttributeValue::FromPartiqlParameterJson(const nlohmann::json& json) {
  return FromJsonAtDepth(json, 1,
                         {&Number::ParseBigDecimal, kMaxNestingDepth, ValueWording::kCurrent});
}

Result<AttributeValue> AttributeValue::FromJsonAtDepth(const nlohmann::json& json, int depth,
                                                       const JsonReading& reading) {
  if (!json.is_object()) return WrongJson(json, "AttributeValue");
  static const std::array<std::pair<const char*, AttributeType>, 10> kMembers = {{
      {"S", AttributeType::kS},
      {"N", AttributeType::kN},
      {"B", AttributeType::kB},
      {"SS", AttributeType::kSS},
      {"NS", AttributeType::kNS},
      {"BS", AttributeType::kBS},
      {"M", AttributeType::kM},
      {"L", AttributeType::kL},
      {"NULL", AttributeType::kNull},
      {"BOOL", AttributeType::kBool},
  }};
  const nlohmann::json* member = nullptr;
  AttributeType type = AttributeType::kNull;
  int count = 0;
  for (const auto& [name, t] : kMembers) {
    auto it = json.find(name);
    if (it == json.end() || it->is_null()) continue;
    ++count;
    member = &*it;
    type = t;
  }
  if (count == 0) {
    return ValidationError(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (count > 1) {
    // AWS checks each member's value before it counts the members (dynalite test/putItem.js,
    // query.js, scan.js "empty/invalid numbers": {"S": "a", "N": "b"} is a number error).
    for (const auto& [name, t] : kMembers) {
      auto it = json.find(name);
      if (it == json.end() || it->is_null()) continue;
      auto alone = FromJsonAtDepth(nlohmann::json{{name, *it}}, depth, reading);
      if (!alone.ok()) return alone.status();
    }
    return ValidationError(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes");
  }
  if (depth > reading.max_depth) return ValidationError(kNestingExceeded);
  const nlohmann::json& j = *member;
  switch (type) {
    case AttributeType::kS:
      if (!j.is_string()) return WrongJson(j, "String");
      return String(j.get<std::string>());
    case AttributeType::kN: {
      if (!j.is_string()) return WrongJson(j, "String");
      auto n = reading.parse_number(j.get<std::string>());
      if (!n.ok()) return n.status();
      return Num(std::move(n).value());
    }
    case AttributeType::kB: {
      if (!j.is_string()) return WrongJson(j, "Blob");
      auto raw = Base64Decode(j.get<std::string>());
      if (!raw.ok()) return raw.status();
      return Binary(std::move(raw).value());
    }
    case AttributeType::kSS:
    case AttributeType::kBS: {
      if (!j.is_array()) return WrongJson(j, "List");
      bool binary = type == AttributeType::kBS;
      if (j.empty()) {
        return ValidationError(
            std::string(kInvalidPrefix) +
            (binary ? "Binary sets should not be empty" : "An string set  may not be empty"));
      }
      std::vector<std::string> values;
      for (const auto& e : j) {
        if (e.is_null()) return NullSetMember(type);
        if (!e.is_string()) return WrongJson(e, binary ? "Blob" : "String");
        if (binary) {
          auto raw = Base64Decode(e.get<std::string>());
          if (!raw.ok()) return raw.status();
          values.push_back(std::move(raw).value());
        } else {
          values.push_back(e.get<std::string>());
        }
      }
      std::vector<std::string> shown;
      for (const auto& v : values) shown.push_back(binary ? Base64Encode(v) : v);
      std::string listing = DuplicateListing(shown, values, binary ? "," : ", ", reading.wording);
      if (!listing.empty()) {
        // AWS: the BS variant names the type, with no space before "of".
        return ValidationError(
            std::string(kInvalidPrefix) + "Input collection " + listing +
            (binary ? "of type BS contains duplicates." : " contains duplicates."));
      }
      return binary ? BinarySet(std::move(values)) : StringSet(std::move(values));
    }
    case AttributeType::kNS: {
      if (!j.is_array()) return WrongJson(j, "List");
      if (j.empty()) {
        return ValidationError(std::string(kInvalidPrefix) + "An number set  may not be empty");
      }
      std::vector<Number> values;
      for (const auto& e : j) {
        if (e.is_null()) return NullSetMember(type);
        if (!e.is_string()) return WrongJson(e, "String");
        auto n = reading.parse_number(e.get<std::string>());
        if (!n.ok()) return n.status();
        values.push_back(std::move(n).value());
      }
      std::vector<Number> sorted = values;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        // AWS names no members for a number set.
        if (reading.wording == ValueWording::kOlder) {
          return ValidationError("Input collection contains duplicates");
        }
        return ValidationError(std::string(kInvalidPrefix) +
                               "Input collection contains duplicates.");
      }
      return NumberSet(std::move(values));
    }
    case AttributeType::kM: {
      if (!j.is_object()) return WrongJson(j, "Map");
      Item entries;
      for (auto it = j.begin(); it != j.end(); ++it) {
        auto v = FromJsonAtDepth(it.value(), depth + 1, reading);
        if (!v.ok()) return v.status();
        entries.emplace(it.key(), std::move(v).value());
      }
      return Map(std::move(entries));
    }
    case AttributeType::kL: {
      if (!j.is_array()) return WrongJson(j, "List");
      std::vector<AttributeValue> elements;
      for (const auto& e : j) {
        auto v = FromJsonAtDepth(e, depth + 1, reading);
        if (!v.ok()) return v.status();
        elements.push_back(std::move(v).value());
      }
      return List(std::move(elements));
    }
    case AttributeType::kNull:
      if (!j.is_boolean()) return WrongJson(j, "Boolean");
      if (!j.get<bool>()) {
        return ValidationError(std::string(kInvalidPrefix) +
                               "Null attribute value types must have the value of true");
      }
      return Null();
    case AttributeType::kBool:
      if (!j.is_boolean()) return WrongJson(j, "Boolean");
      return Bool(j.get<bool>());
  }
  return ValidationError(
      "Supplied AttributeValue is empty, must contain exactly one of the "
      "supported datatypes");
}

nlohmann::json AttributeValue::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  const char* name = AttributeTypeName(type_);
  switch (type_) {
    case AttributeType::kS:
      out[name] = bytes_;
      break;
    case AttributeType::kN:
      out[name] = number_.ToString();
      break;
    case AttributeType::kB:
      out[name] = Base64Encode(bytes_);
      break;
    case AttributeType::kSS:
      out[name] = strings_;
      break;
    case AttributeType::kBS: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& s : strings_) arr.push_back(Base64Encode(s));
      out[name] = std::move(arr);
      break;
    }
    case AttributeType::kNS: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& n : numbers_) arr.push_back(n.ToString());
      out[name] = std::move(arr);
      break;
    }
    case AttributeType::kM:
      out[name] = ItemToJson(map_);
      break;
    case AttributeType::kL: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& e : list_) arr.push_back(e.ToJson());
      out[name] = std::move(arr);
      break;
    }
    case AttributeType::kNull:
      out[name] = true;
      break;
    case AttributeType::kBool:
      out[name] = bool_;
      break;
  }
  return out;
}

bool AttributeValue::SetContains(const AttributeValue& element) const {
  if (type_ == AttributeType::kNS) {
    if (element.type_ != AttributeType::kN) return false;
    return std::find(numbers_.begin(), numbers_.end(), element.number_) != numbers_.end();
  }
  if ((type_ == AttributeType::kSS && element.type_ == AttributeType::kS) ||
      (type_ == AttributeType::kBS && element.type_ == AttributeType::kB)) {
    return std::find(strings_.begin(), strings_.end(), element.bytes_) != strings_.end();
  }
  return false;
}

int AttributeValue::Depth() const {
  int inner = 0;
  if (type_ == AttributeType::kM) {
    for (const auto& [k, v] : map_) inner = std::max(inner, v.Depth());
  } else if (type_ == AttributeType::kL) {
    for (const auto& v : list_) inner = std::max(inner, v.Depth());
  }
  return 1 + inner;
}

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case AttributeType::kS:
    case AttributeType::kB:
      return a.bytes_ == b.bytes_;
    case AttributeType::kN:
      return a.number_ == b.number_;
    case AttributeType::kSS:
    case AttributeType::kBS:
      return std::set<std::string>(a.strings_.begin(), a.strings_.end()) ==
             std::set<std::string>(b.strings_.begin(), b.strings_.end());
    case AttributeType::kNS: {
      std::vector<Number> x = a.numbers_, y = b.numbers_;
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      return x == y;
    }
    case AttributeType::kM:
      return a.map_ == b.map_;
    case AttributeType::kL:
      return a.list_ == b.list_;
    case AttributeType::kNull:
      return true;
    case AttributeType::kBool:
      return a.bool_ == b.bool_;
  }
  return false;
}

Status CheckItemNesting(const Item& item) {
  for (const auto& [name, value] : item) {
    if (value.Depth() > AttributeValue::kMaxNestingDepth) return ValidationError(kNestingExceeded);
  }
  return Status::Ok();
}

Status CheckItemToWrite(const Item& item) {
  if (item.count("") > 0) return ValidationError(kEmptyAttributeName);
  return CheckItemNesting(item);
}

Result<Item> ItemFromJson(const nlohmann::json& json, ValueWording wording) {
  if (!json.is_object()) return WrongJson(json, "Map");
  Item item;
  for (auto it = json.begin(); it != json.end(); ++it) {
    auto v = AttributeValue::FromJson(it.value(), wording);
    if (!v.ok()) return v.status();
    item.emplace(it.key(), std::move(v).value());
  }
  return item;
}

nlohmann::json ItemToJson(const Item& item) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : item) out[name] = value.ToJson();
  return out;
}

namespace {
size_t NumberSize(const Number& n) { return n.SizeBytes(); }
}  // namespace

size_t AttributeValueSizeBytes(const AttributeValue& value) {
  switch (value.type()) {
    case AttributeType::kS:
    case AttributeType::kB:
      return value.s().size();
    case AttributeType::kN:
      return NumberSize(value.n());
    case AttributeType::kSS:
    case AttributeType::kBS: {
      size_t total = 0;
      for (const auto& s : value.ss()) total += s.size();
      return total;
    }
    case AttributeType::kNS: {
      size_t total = 0;
      for (const auto& n : value.ns()) total += NumberSize(n);
      return total;
    }
    case AttributeType::kM: {
      size_t total = 3;
      for (const auto& [k, v] : value.m()) total += k.size() + AttributeValueSizeBytes(v) + 1;
      return total;
    }
    case AttributeType::kL: {
      size_t total = 3;
      for (const auto& v : value.l()) total += AttributeValueSizeBytes(v) + 1;
      return total;
    }
    case AttributeType::kNull:
    case AttributeType::kBool:
      return 1;
  }
  return 0;
}

size_t AttributeSizeBytes(const std::string& name, const AttributeValue& value) {
  return name.size() + AttributeValueSizeBytes(value);
}

size_t ItemSizeBytes(const Item& item) {
  size_t total = 0;
  for (const auto& [name, value] : item) total += AttributeSizeBytes(name, value);
  return total;
}

int CompareKeyValues(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() != b.type()) return TypeRank(a.type()) < TypeRank(b.type()) ? -1 : 1;
  if (a.type() == AttributeType::kN) return a.n().Compare(b.n());
  if (a.type() == AttributeType::kS || a.type() == AttributeType::kB) {
    // std::string::compare uses char_traits<char>, which compares as unsigned char.
    int c = a.s().compare(b.s());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return 0;
}

// The codec's Base64 is common's (OpenSSL); these wrappers add DynamoDB's error texts.
std::string Base64Encode(std::string_view raw) { return streamstack::Base64Encode(raw); }

Result<std::string> Base64Decode(std::string_view text) {
  // The wire decoder fails before validation, so these are SerializationExceptions.
  if (text.size() % 4 != 0) {
    return SerializationError(
        "Base64 encoded length is expected a multiple of 4 bytes but found: " +
        std::to_string(text.size()));
  }
  std::string out;
  if (streamstack::Base64Decode(text, &out)) return out;
  // Name the first character that cannot stand where it is: outside the alphabet, or
  // padding anywhere but the end.
  size_t bad = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool in_alphabet = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    const bool padding = c == '=' && text.find_first_not_of('=', i) == std::string_view::npos &&
                         i + 2 >= text.size();
    if (!in_alphabet && !padding) {
      bad = i;
      break;
    }
  }
  return SerializationError("Invalid Base64 character: '" + std::string(1, text[bad]) + "'");
}

}  // namespace streamstack::dynamodb
