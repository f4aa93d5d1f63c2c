#include "streamstack/protocol/input_model.h"

#include <algorithm>
#include <bitset>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <regex>
#include <set>

#include "streamstack/common/ids.h"
#include "streamstack/common/text.h"
#include "streamstack/common/violations.h"
#include "streamstack/protocol/errors.h"

namespace streamstack::protocol {

using nlohmann::json;

struct InputModel::Shape {
  enum class Type {
    kStructure,
    kList,
    kMap,
    kString,
    kBoolean,
    kInteger,
    kLong,
    kDouble,
    kBlob,
    kTimestamp
  };
  std::string name;
  Type type = Type::kString;
  enum class Location { kBody, kUri, kQueryString, kHeader };
  std::vector<std::pair<std::string, const Shape*>> members;  // model order
  std::vector<size_t> report_order;  // the order its members' violations are reported in
  std::vector<bool> required;        // beside members
  // Beside members: the member whose presence excuses this one's absence (empty: none).
  std::vector<std::string> required_unless;
  // Beside members: where each travels and its name there (REST services; kBody otherwise).
  std::vector<std::pair<Location, std::string>> locations;
  std::optional<int64_t> min;
  std::optional<int64_t> max;
  std::string pattern;
  std::optional<std::regex> regex;  // unset: a pattern std::regex cannot hold; not checked
  // A pattern that is one character class repeated ("[a-zA-Z0-9_.-]+"): the bytes it takes,
  // matched in a loop. std::regex recurses once per character and a long value (70,000
  // characters from a fuzzer) overflows the thread's stack.
  std::optional<std::bitset<256>> repeated_class;
  bool class_takes_empty = false;  // "*" rather than "+"
  std::vector<std::string> enum_values;
  const Shape* member = nullptr;
  const Shape* key = nullptr;
  const Shape* value = nullptr;
  const Shape* or_name = nullptr;     // a value that is not an ARN is held to this shape
  bool empty_is_own = false;          // ... save an empty one, held to this shape's own
  bool opaque = false;                // rendered as Java's Object.toString
  bool enum_at_list = false;          // a list of enums whose fault names the enum (Lambda)
  bool key_fault_quotes_key = false;  // a map whose bad key is quoted alone, not the whole map
  std::string empty_fault;            // an empty map's own fault, answered when nothing else is

  bool HasLengthConstraint() const { return min.has_value() || max.has_value(); }
  // The shape whose constraints `text` is held to (TableArn: a name is held to TableName's).
  const Shape& For(const std::string& text) const {
    if (or_name == nullptr || text.starts_with("arn:") || (text.empty() && empty_is_own)) {
      return *this;
    }
    return *or_name;
  }
};

// An operation's "requestChecks" (input_model.h): what it checks before, or in place of, the
// aggregated report.
struct InputModel::RequestChecks {
  struct OwnEnum {
    std::string set;  // "[A, B]", as AWS lists it
    bool enveloped = true;
  };
  bool bounds_first = false;
  bool enums_first = false;
  bool values_as_json = false;
  std::map<std::string, OwnEnum, std::less<>> enums;  // by top-level member
};

namespace {

using Shape = InputModel::Shape;
using Type = Shape::Type;
using Location = Shape::Location;
using FrontEnd = InputModel::FrontEnd;

constexpr size_t kMaxClauses = 10;  // AWS lists at most ten violations
constexpr size_t kMaxRegexText = 2048;

// "[...]+" or "[...]*", optionally between ^ and $: the class's bytes (each tried against the
// class as std::regex reads it), so the value can be matched without recursion.
void CompileRepeatedClass(Shape& s) {
  static const std::regex kRepeatedClass(R"(\^?(\[(?:[^\]\\]|\\.)*\])([+*])\$?)");
  std::smatch m;
  if (!std::regex_match(s.pattern, m, kRepeatedClass)) return;
  std::regex one_byte(m[1].str(), std::regex::ECMAScript);
  std::bitset<256> bytes;
  for (int b = 0; b < 256; ++b) {
    bytes[static_cast<size_t>(b)] =
        std::regex_match(std::string(1, static_cast<char>(b)), one_byte);
  }
  s.repeated_class = bytes;
  s.class_takes_empty = m[2].str() == "*";
}

Type ParseType(const std::string& t) {
  static const std::map<std::string, Type> kTypes = {
      {"structure", Type::kStructure}, {"list", Type::kList},          {"map", Type::kMap},
      {"string", Type::kString},       {"boolean", Type::kBoolean},    {"integer", Type::kInteger},
      {"long", Type::kLong},           {"double", Type::kDouble},      {"float", Type::kDouble},
      {"blob", Type::kBlob},           {"timestamp", Type::kTimestamp}};
  auto it = kTypes.find(t);
  if (it == kTypes.end()) {
    std::fprintf(stderr, "input model: unknown shape type %s\n", t.c_str());
    std::abort();
  }
  return it->second;
}

Location ParseLocation(const std::string& where) {
  static const std::map<std::string, Location> kLocations = {
      {"uri", Location::kUri},
      {"querystring", Location::kQueryString},
      {"header", Location::kHeader}};
  auto it = kLocations.find(where);
  if (it == kLocations.end()) {
    std::fprintf(stderr, "input model: unknown member location %s\n", where.c_str());
    std::abort();
  }
  return it->second;
}

std::string LowerFirst(std::string name) {
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

std::string Join(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

// Java's Double.toString for the values AWS's messages print: the shortest text that reads
// back as the same double, with ".0" on a whole number ("2.0", "0.25").
std::string JavaDouble(double x) {
  char text[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, x);
    if (std::strtod(text, nullptr) == x) break;
  }
  std::string out = text;
  if (out.find_first_of(".eEn") == std::string::npos) out += ".0";
  return out;
}

// A bound of a shape as AWS prints it: a double's as Java prints a double.
std::string BoundText(const Shape& s, int64_t bound) {
  return s.type == Type::kDouble ? JavaDouble(static_cast<double>(bound)) : std::to_string(bound);
}

// The clause a length (of a string in UTF-16 units, of a list or map in entries) breaks, if
// any: the minimum's, else the maximum's (a model's minimum is never above its maximum).
std::optional<std::string> LengthClause(const Shape& s, size_t n) {
  if (s.min && n < static_cast<size_t>(*s.min)) {
    return "Member must have length greater than or equal to " + std::to_string(*s.min);
  }
  if (s.max && n > static_cast<size_t>(*s.max)) {
    return "Member must have length less than or equal to " + std::to_string(*s.max);
  }
  return std::nullopt;
}

// The clause a number breaks, if any, as LengthClause.
std::optional<std::string> RangeClause(const Shape& s, double x) {
  if (s.min && x < static_cast<double>(*s.min)) {
    return "Member must have value greater than or equal to " + BoundText(s, *s.min);
  }
  if (s.max && x > static_cast<double>(*s.max)) {
    return "Member must have value less than or equal to " + BoundText(s, *s.max);
  }
  return std::nullopt;
}

// The Java class AWS's messages name for a shape's values.
std::string JavaType(const Shape& s, const std::string& package) {
  switch (s.type) {
    case Type::kStructure:
      return package + "." + s.name;
    case Type::kList:
      return "java.util.List<" + JavaType(*s.member, package) + ">";
    case Type::kMap:
      return "java.util.Map<java.lang.String, " + JavaType(*s.value, package) + ">";
    case Type::kString:
      return "java.lang.String";
    case Type::kBoolean:
      return "java.lang.Boolean";
    case Type::kInteger:
      return "java.lang.Integer";
    case Type::kLong:
      return "java.lang.Long";
    case Type::kDouble:
      return "java.lang.Double";
    case Type::kBlob:
      return "java.nio.ByteBuffer";
    case Type::kTimestamp:
      return "java.util.Date";
  }
  return "java.lang.Object";
}

// The scalar class name in "<X> cannot be converted to <Name>".
const char* ScalarName(Type t) {
  switch (t) {
    case Type::kString:
      return "String";
    case Type::kBoolean:
      return "Boolean";
    case Type::kInteger:
      return "Integer";
    case Type::kLong:
      return "Long";
    case Type::kDouble:
      return "Double";
    default:
      return "Object";
  }
}

// How AWS's JSON parser names a token that cannot become the expected scalar.
std::string TokenName(const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE";
  if (v.is_number_float()) return "DECIMAL_VALUE";
  if (v.is_number()) return "NUMBER_VALUE";
  return "STRING_VALUE";
}

Status TypeError(std::string message) {
  return Status(AwsError::kSerialization, std::move(message));
}

// AWS reads a list or map nested directly in a list or map through a generic Java type, and
// a scalar there fails its cast with this message (dynalite's recorded answers).
constexpr const char* kParameterizedCast =
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class "
    "java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and "
    "java.lang.Class are in module java.base of loader 'bootstrap')";
constexpr const char* kStartOfStructure = "Start of structure or map found where not expected";

// AWS's base64 checks on a blob, with its wording (including its spelling of "detected"): it
// takes only canonical base64, what decodes must encode back to the same text.
Status CheckBase64(const std::string& s) {
  if (s.size() % 4 != 0) {
    return TypeError("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                     std::to_string(s.size()));
  }
  std::string bytes;
  if (!Base64Decode(s, &bytes) || Base64Encode(bytes) != s) {
    return TypeError("Invalid last non-pad Base64 character dectected");
  }
  return Status::Ok();
}

size_t Base64DecodedSize(const std::string& s) {
  size_t pad = 0;
  while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
  return s.size() / 4 * 3 - pad;
}

// The shape of a structure's member that travels in the body, or nullptr (unknown, or located
// in the URI, query string or a header: text put there by AddLocatedMembers, not JSON).
const Shape* BodyMember(const Shape& s, const std::string& name) {
  for (size_t i = 0; i < s.members.size(); ++i) {
    if (s.members[i].first == name && s.locations[i].first == Location::kBody) {
      return s.members[i].second;
    }
  }
  return nullptr;
}

bool IsLocated(const Shape& s, const std::string& name) {
  for (size_t i = 0; i < s.members.size(); ++i) {
    if (s.members[i].first == name) return s.locations[i].first != Location::kBody;
  }
  return false;
}

// The strict readers: each value must already have its shape's JSON type; nothing is
// converted. Lambda's REST-JSON reader (Jackson) names the innermost member holding the value;
// Coral's strict reader (kCoralStrict) names the JSON token and the type it could not become.
class StrictTypeChecker {
 public:
  explicit StrictTypeChecker(FrontEnd front_end) : front_end_(front_end) {}

  Status Check(const Shape& s, json& v, const std::string& member) const {
    if (!Fits(s, v)) {
      if (front_end_ == FrontEnd::kCoralStrict) {
        return TypeError(StrictTokenName(v) + " can not be converted to " + StrictTypeName(s));
      }
      return Status(AwsError::kInvalidRequestContent,
                    "Could not parse request body into json: Cannot deserialize value of member '" +
                        member + "'");
    }
    switch (s.type) {
      case Type::kStructure:
        return Structure(s, v);
      case Type::kList:
        for (auto& e : v) STREAMSTACK_RETURN_IF_ERROR(Check(*s.member, e, member));
        return Status::Ok();
      case Type::kMap:
        for (auto& [k, e] : v.items()) STREAMSTACK_RETURN_IF_ERROR(Check(*s.value, e, member));
        return Status::Ok();
      default:
        return Status::Ok();
    }
  }

 private:
  // The JSON token as the strict Coral reader names it (a decimal is a NUMBER_VALUE too).
  static std::string StrictTokenName(const json& v) {
    if (v.is_array()) return "START_ARRAY";
    if (v.is_object()) return "START_OBJECT";
    if (v.is_null()) return "VALUE_NULL";
    if (v.is_number()) return "NUMBER_VALUE";
    return TokenName(v);
  }

  // The type the strict Coral reader names: a structure by its shape's name, every whole
  // number a Long (it reads integers as Java longs).
  static std::string StrictTypeName(const Shape& s) {
    switch (s.type) {
      case Type::kStructure:
        return s.name;
      case Type::kList:
        return "List";
      case Type::kMap:
        return "Map";
      case Type::kInteger:
        return "Long";
      case Type::kBlob:
        return "ByteBuffer";
      case Type::kTimestamp:
        return "Date";
      default:
        return ScalarName(s.type);
    }
  }

  // A null element of a list or map is no value of its shape either.
  bool Fits(const Shape& s, const json& v) const {
    const bool coral = front_end_ == FrontEnd::kCoralStrict;
    switch (s.type) {
      case Type::kStructure:
      case Type::kMap:
        return v.is_object();
      case Type::kList:
        return v.is_array();
      case Type::kString:
      case Type::kBlob:
        return v.is_string();
      case Type::kBoolean:
        return v.is_boolean();
      // Coral's strict reader takes any whole number here (LongMember holds it to int64).
      case Type::kInteger:
        return v.is_number_integer() && (coral || FitsInt32(v));
      case Type::kLong:
        return v.is_number_integer() &&
               (coral || !(v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX));
      case Type::kDouble:
        return v.is_number();
      case Type::kTimestamp:
        return true;
    }
    return true;
  }

  // Jackson refuses a number past a Java int for an int member as it refuses a wrong type
  // ("Numeric value (...) out of range of int"), so Lambda answers it the same way.
  static bool FitsInt32(const json& v) {
    if (v.is_number_unsigned()) return v.get<uint64_t>() <= INT32_MAX;
    int64_t n = v.get<int64_t>();
    return n >= INT32_MIN && n <= INT32_MAX;
  }

  Status Structure(const Shape& s, json& v) const {
    std::vector<std::string> drop;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const Shape* member = BodyMember(s, it.key());
      if (member == nullptr || it->is_null()) {  // unknown members and nulls read as absent
        if (!IsLocated(s, it.key())) drop.push_back(it.key());
        continue;
      }
      STREAMSTACK_RETURN_IF_ERROR(Check(*member, *it, it.key()));
    }
    for (const auto& k : drop) v.erase(k);
    return Status::Ok();
  }

  FrontEnd front_end_;
};

// Where a value sits decides part of AWS's wording: a member of a structure (or the request)
// or an element of a list or map.
enum class Position { kField, kElement };

class TypeChecker {
 public:
  explicit TypeChecker(const std::string& package) : package_(package) {}

  Status Check(const Shape& s, json& v, Position pos) const {
    switch (s.type) {
      case Type::kStructure:
        return Structure(s, v, pos);
      case Type::kList:
        return List(s, v, pos);
      case Type::kMap:
        return Map(s, v, pos);
      case Type::kString:
        if (v.is_string()) return Status::Ok();
        return ScalarMismatch(s, v);
      case Type::kBoolean:
        return Boolean(s, v);
      case Type::kInteger:
      case Type::kLong:
      case Type::kDouble:
        return Number(s, v);
      case Type::kBlob:
        return Blob(v);
      case Type::kTimestamp:
        return Status::Ok();
    }
    return Status::Ok();
  }

 private:
  Status ScalarMismatch(const Shape& s, const json& v) const {
    if (v.is_array())
      return TypeError("Unrecognized collection type class " + JavaType(s, package_));
    if (v.is_object()) return TypeError(kStartOfStructure);
    return TypeError(TokenName(v) + " cannot be converted to " + ScalarName(s.type));
  }

  Status Structure(const Shape& s, json& v, Position pos) const {
    if (v.is_array())
      return TypeError("Unrecognized collection type class " + JavaType(s, package_));
    if (!v.is_object()) {
      return TypeError(pos == Position::kField ? "Unexpected field type"
                                               : "Unexpected value type in payload");
    }
    std::vector<std::string> drop;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const Shape* member = BodyMember(s, it.key());
      // AWS's parser ignores members its model does not know, and reads null as absent.
      if (member == nullptr || it->is_null()) {
        if (!IsLocated(s, it.key())) drop.push_back(it.key());
        continue;
      }
      STREAMSTACK_RETURN_IF_ERROR(Check(*member, *it, Position::kField));
    }
    for (const auto& k : drop) v.erase(k);
    return Status::Ok();
  }

  Status List(const Shape& s, json& v, Position pos) const {
    if (v.is_object()) return TypeError(kStartOfStructure);
    if (!v.is_array()) {
      return TypeError(pos == Position::kField ? "Unexpected field type" : kParameterizedCast);
    }
    for (auto& e : v) {
      if (e.is_null()) continue;
      STREAMSTACK_RETURN_IF_ERROR(Check(*s.member, e, Position::kElement));
    }
    return Status::Ok();
  }

  Status Map(const Shape& s, json& v, Position pos) const {
    if (v.is_array()) return TypeError("Unrecognized collection type " + JavaType(s, package_));
    if (!v.is_object()) {
      return TypeError(pos == Position::kField ? "Unexpected field type" : kParameterizedCast);
    }
    for (auto& [k, e] : v.items()) {
      if (e.is_null()) continue;
      STREAMSTACK_RETURN_IF_ERROR(Check(*s.value, e, Position::kElement));
    }
    return Status::Ok();
  }

  Status Boolean(const Shape& s, json& v) const {
    if (v.is_boolean()) return Status::Ok();
    if (v.is_string()) {
      // AWS's parser reads these words as booleans (dynalite's recorded answers).
      std::string word = v.get<std::string>();
      for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (word == "TRUE" || word == "YES" || word == "1") {
        v = true;
        return Status::Ok();
      }
      if (word == "FALSE" || word == "NO" || word == "0") {
        v = false;
        return Status::Ok();
      }
      return TypeError("Unexpected token received from parser");
    }
    return ScalarMismatch(s, v);
  }

  Status Number(const Shape& s, json& v) const {
    if (!v.is_number()) return ScalarMismatch(s, v);
    if (s.type != Type::kDouble && v.is_number_float()) {
      v = static_cast<int64_t>(std::floor(v.get<double>()));  // AWS truncates
    }
    return Status::Ok();
  }

  Status Blob(const json& v) const {
    if (v.is_array()) return TypeError("Unrecognized collection type class java.nio.ByteBuffer");
    if (v.is_object()) return TypeError(kStartOfStructure);
    if (!v.is_string()) return TypeError("only base-64-encoded strings are convertible to bytes");
    return CheckBase64(v.get<std::string>());
  }

  const std::string& package_;
};

// The order Coral reports a structure's members' violations in: the iteration order of a
// java.util.HashMap of the member names (lowerCamel) put in model order: by bucket (String's
// hashCode, spread as HashMap spreads it, masked by the table's capacity: 16, doubled while
// the members fill more than three quarters of it), then in model order within a bucket. It
// fits 9 of the 10 orders recorded from DynamoDB (a conformance suite's captures and
// ack-api-quirks' catalogue, 2026-10; the miss: TransactWriteItems lists
// returnConsumedCapacity before clientRequestToken). Other front ends report in model order.
int32_t JavaStringHash(const std::string& text) {
  uint32_t h = 0;
  for (unsigned char c : text) h = 31 * h + c;  // the member names are ASCII
  return static_cast<int32_t>(h);
}

std::vector<size_t> ReportOrder(const Shape& s, FrontEnd front_end) {
  std::vector<size_t> order(s.members.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (front_end != FrontEnd::kCoral) return order;
  size_t capacity = 16;
  while (s.members.size() > capacity * 3 / 4) capacity *= 2;
  auto bucket = [&](size_t i) {
    const auto h = static_cast<uint32_t>(JavaStringHash(LowerFirst(s.members[i].first)));
    return (h ^ (h >> 16)) & (capacity - 1);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return bucket(a) < bucket(b); });
  return order;
}

class ConstraintChecker {
 public:
  // `json_values`: a structure, list or map in a clause is rendered as JSON (DynamoDB's
  // BatchGetItem since 2026) rather than as Java's toString.
  ConstraintChecker(const std::string& package, FrontEnd front_end, Violations* out,
                    bool json_values = false)
      : package_(package), front_end_(front_end), out_(out), json_values_(json_values) {}

  bool Full() const { return out_->size() >= kMaxClauses; }
  // Whether a required member was absent (the walk reported "Member must not be null").
  bool MissingRequired() const { return missing_required_; }
  // The "emptyFault" of the first empty map that has one; answered only when nothing else is.
  const std::string& EmptyFault() const { return empty_fault_; }

  // The clauses of the top-level members that hold an enum, alone (enumsFirst).
  void Enums(const Shape& s, const json& v) {
    for (size_t n = 0; n < s.report_order.size() && !Full(); ++n) {
      const auto& [name, shape] = s.members[s.report_order[n]];
      auto it = v.find(name);
      if (it != v.end() && it->is_string() && !shape->enum_values.empty()) {
        String(*shape, it->get<std::string>(), LowerFirst(name));
      }
    }
  }

  void Structure(const Shape& s, const json& v, const std::string& path) {
    for (size_t n = 0; n < s.report_order.size() && !Full(); ++n) {
      const size_t i = s.report_order[n];
      const auto& [name, shape] = s.members[i];
      std::string child = Join(path, LowerFirst(name));
      auto it = v.find(name);
      if (it == v.end() || it->is_null()) {
        if (s.required[i] || !Excused(s.required_unless[i], v)) {
          out_->NotNull(false, child);
          missing_required_ = true;
        }
        continue;
      }
      Value(*shape, *it, child, true);
    }
  }

  // Whether `other` (a member that may stand in for an absent one) is present; true when the
  // absent member has none, as it is then not required at all.
  static bool Excused(const std::string& other, const json& v) {
    if (other.empty()) return true;
    auto it = v.find(other);
    return it != v.end() && !it->is_null();
  }

  // `own`: check the value's own constraints (a map value's were reported for the map).
  void Value(const Shape& s, const json& v, const std::string& path, bool own) {
    if (Full()) return;
    switch (s.type) {
      case Type::kStructure:
        if (v.is_object()) Structure(s, v, path);
        return;
      case Type::kString:
        if (own && v.is_string()) String(s.For(v.get<std::string>()), v.get<std::string>(), path);
        return;
      case Type::kInteger:
      case Type::kLong:
      case Type::kDouble:
        if (own && v.is_number()) Range(s, v, path);
        // Only a located member's text that is no whole number reaches here as a string
        // (AddLocatedMembers); worded as Lambda has answered MaxItems=abc.
        if (v.is_string() && s.type != Type::kDouble) {
          out_->Add(QuoteValue(v.get<std::string>()), path, "Member must be an integer");
        }
        return;
      case Type::kList:
        if (!v.is_array()) return;
        if (own) Length(s, v, v.size(), path);
        if (front_end_ == FrontEnd::kLambda && s.member->type == Type::kString) {
          return ListElements(s, v, path);
        }
        for (size_t i = 0; i < v.size() && !Full(); ++i) {
          if (!v[i].is_null())
            Value(*s.member, v[i], path + "." + std::to_string(i + 1) + ".member", true);
        }
        return;
      case Type::kMap:
        if (v.is_object()) Map(s, v, path, own);
        return;
      default:
        return;
    }
  }

  std::string Render(const Shape& s, const json& v) const {
    if (v.is_null()) return "null";
    const bool container =
        s.type == Type::kStructure || s.type == Type::kList || s.type == Type::kMap;
    if (json_values_ && container) return RenderJson(s, v);
    switch (s.type) {
      case Type::kStructure: {
        if (s.opaque) {
          // Java's Object.toString: the class and an identity hash AWS's process chose.
          char hash[16];
          std::snprintf(hash, sizeof hash, "%x",
                        static_cast<unsigned>(std::hash<std::string>{}(v.dump()) & 0x7fffffff));
          return package_ + "." + s.name + "@" + hash;
        }
        std::string out = s.name + "(";
        for (size_t i = 0; i < s.members.size(); ++i) {
          const auto& [name, shape] = s.members[i];
          auto it = v.find(name);
          out += (i ? ", " : "") + LowerFirst(name) + "=" +
                 (it == v.end() ? std::string("null") : Render(*shape, *it));
        }
        return out + ")";
      }
      case Type::kList: {
        std::string out = "[";
        for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + Render(*s.member, v[i]);
        return out + "]";
      }
      case Type::kMap: {
        std::string out = "{";
        bool first = true;
        for (const auto& [k, e] : v.items()) {
          out += (first ? "" : ", ") + k + "=" + Render(*s.value, e);
          first = false;
        }
        return out + "}";
      }
      case Type::kDouble:
        return v.is_number() ? JavaDouble(v.get<double>()) : v.dump();
      case Type::kBlob: {
        std::string n = std::to_string(v.is_string() ? Base64DecodedSize(v.get<std::string>()) : 0);
        return "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]";
      }
      default:
        return v.is_string() ? v.get<std::string>() : v.dump();
    }
  }

 private:
  // Compact JSON: a structure's members in model order, a map's entries in key order (the
  // parsed request keeps no other; AWS's order for several entries is not recorded), an
  // AttributeValue as parsed.
  static std::string RenderJson(const Shape& s, const json& v) {
    switch (s.type) {
      case Type::kStructure: {
        if (s.opaque || !v.is_object()) return v.dump();
        std::string out = "{";
        for (const auto& [name, shape] : s.members) {
          auto it = v.find(name);
          if (it == v.end() || it->is_null()) continue;
          out += (out.size() > 1 ? "," : "") + json(name).dump() + ":" + RenderJson(*shape, *it);
        }
        return out + "}";
      }
      case Type::kList: {
        if (!v.is_array()) return v.dump();
        std::string out = "[";
        for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + RenderJson(*s.member, v[i]);
        return out + "]";
      }
      case Type::kMap: {
        if (!v.is_object()) return v.dump();
        std::string out = "{";
        for (const auto& [k, e] : v.items())
          out += (out.size() > 1 ? "," : "") + json(k).dump() + ":" + RenderJson(*s.value, e);
        return out + "}";
      }
      default:
        return v.dump();
    }
  }

  static bool Matches(const Shape& s, const std::string& text) {
    if (s.repeated_class) {
      if (text.empty()) return s.class_takes_empty;
      return std::all_of(text.begin(), text.end(), [&](char c) {
        return s.repeated_class->test(static_cast<unsigned char>(c));
      });
    }
    // Other patterns are held only to values short enough for std::regex's recursion; a
    // longer one is past every length limit these patterns come with.
    return !s.regex || text.size() > kMaxRegexText || std::regex_match(text, *s.regex);
  }

  static std::string EnumClause(const Shape& s) {
    std::string set;
    for (const auto& e : s.enum_values) set += (set.empty() ? "" : ", ") + e;
    return "Member must satisfy enum value set: [" + set + "]";
  }

  // The clauses a string breaks, in AWS's order. Coral: pattern, then length, then enum.
  // Lambda: length, then the pattern only when the length holds, then enum.
  std::vector<std::string> StringClauses(const Shape& s, const std::string& text) const {
    std::vector<std::string> out;
    const bool lambda = front_end_ == FrontEnd::kLambda;
    bool pattern_broken = !s.pattern.empty() && !Matches(s, text);
    if (pattern_broken && !lambda) {
      out.push_back("Member must satisfy regular expression pattern: " + s.pattern);
    }
    if (auto length = LengthClause(s, Utf16Length(text))) out.push_back(std::move(*length));
    if (pattern_broken && lambda && out.empty()) {
      out.push_back("Member must satisfy regular expression pattern: " + s.pattern);
    }
    if (!s.enum_values.empty() &&
        std::find(s.enum_values.begin(), s.enum_values.end(), text) == s.enum_values.end()) {
      out.push_back(EnumClause(s));
    }
    return out;
  }

  // Lambda reports a list's faulty elements once, at the list, with every constraint of the
  // element shape (LocalStack's recorded AWS answers: "Value '[X86_64]' at 'architectures'
  // failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum
  // value set: [x86_64, arm64], Member must not be null]"), or for a list of runtimes the
  // enum alone ("Value '[invalidruntime]' at 'compatibleRuntimes' failed to satisfy
  // constraint: Member must satisfy enum value set: [...]").
  void ListElements(const Shape& s, const json& v, const std::string& path) {
    const Shape& element = *s.member;
    bool broken = std::any_of(v.begin(), v.end(), [&](const json& e) {
      return e.is_string() &&
             !StringClauses(element.For(e.get<std::string>()), e.get<std::string>()).empty();
    });
    if (!broken || Full()) return;
    if (s.enum_at_list) {
      out_->Add(QuoteValue(Render(s, v)), path, EnumClause(element));
      return;
    }
    std::vector<std::string> parts = ConstraintParts(element);
    if (!element.enum_values.empty()) parts.push_back(EnumClause(element));
    parts.push_back("Member must not be null");
    std::string list;
    for (const auto& p : parts) list += (list.empty() ? "" : ", ") + p;
    out_->Add(QuoteValue(Render(s, v)), path, "Member must satisfy constraint: [" + list + "]");
  }

  // A string shape's length and pattern constraints, as AWS lists them in "[...]"; a number
  // shape's range.
  static std::vector<std::string> ConstraintParts(const Shape& s) {
    std::vector<std::string> parts;
    if (IsNumber(s.type)) {
      if (s.max)
        parts.push_back("Member must have value less than or equal to " + BoundText(s, *s.max));
      if (s.min)
        parts.push_back("Member must have value greater than or equal to " + BoundText(s, *s.min));
      return parts;
    }
    if (s.max)
      parts.push_back("Member must have length less than or equal to " + std::to_string(*s.max));
    if (s.min)
      parts.push_back("Member must have length greater than or equal to " + std::to_string(*s.min));
    if (!s.pattern.empty())
      parts.push_back("Member must satisfy regular expression pattern: " + s.pattern);
    return parts;
  }

  // Every constraint of a shape, as "Map keys/value must satisfy constraint: [...]" lists them.
  static std::string AllConstraints(const Shape& s) {
    std::vector<std::string> parts = ConstraintParts(s);
    std::string out = "[";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
    return out + "]";
  }

  void String(const Shape& s, const std::string& text, const std::string& path) {
    for (const auto& clause : StringClauses(s, text)) {
      if (Full()) return;
      out_->Add(QuoteValue(text), path, clause);
    }
  }

  void Range(const Shape& s, const json& v, const std::string& path) {
    std::string text = Render(s, v);
    if (auto clause = RangeClause(s, v.get<double>())) out_->Add(QuoteValue(text), path, *clause);
    // A number may have an enum of its own (the model's values as text).
    if (!s.enum_values.empty() && !Full() &&
        std::find(s.enum_values.begin(), s.enum_values.end(), text) == s.enum_values.end()) {
      out_->Add(QuoteValue(text), path, EnumClause(s));
    }
  }

  void Length(const Shape& s, const json& v, size_t n, const std::string& path) {
    if (auto clause = LengthClause(s, n)) out_->Add(QuoteValue(Render(s, v)), path, *clause);
  }

  static bool IsNumber(Type t) {
    return t == Type::kInteger || t == Type::kLong || t == Type::kDouble;
  }

  bool ValueBreaks(const Shape& s, const json& e) const {
    if (IsNumber(s.type)) return e.is_number() && RangeClause(s, e.get<double>()).has_value();
    if (e.is_string())
      return !StringClauses(s.For(e.get<std::string>()), e.get<std::string>()).empty();
    if (!e.is_array() && !e.is_object()) return false;
    return LengthClause(s, e.size()).has_value();
  }

  void Map(const Shape& s, const json& v, const std::string& path, bool own) {
    if (own) Length(s, v, v.size(), path);
    if (own && v.empty() && !s.empty_fault.empty() && empty_fault_.empty()) {
      empty_fault_ = s.empty_fault;
    }
    // AWS reports a map's bad keys (and bad values) once, with every constraint of the key
    // (value) shape: "Map keys must satisfy constraint: [...]".
    for (const auto& [k, e] : v.items()) {
      const Shape& key = s.key->For(k);
      if (!StringClauses(key, k).empty()) {
        if (!Full()) {
          out_->Add(QuoteValue(s.key_fault_quotes_key ? k : Render(s, v)), path,
                    "Map keys must satisfy constraint: " + AllConstraints(key));
        }
        break;
      }
    }
    bool value_constrained = s.value->type != Type::kStructure && s.value->HasLengthConstraint();
    if (value_constrained) {
      for (const auto& [k, e] : v.items()) {
        if (ValueBreaks(*s.value, e)) {
          // Lambda lists a collection member's constraints with "Member must not be null", as
          // it does a list's (LocalStack's recorded alias answer: "Map value must satisfy
          // constraint: [Member must have value less than or equal to 1.0, Member must have
          // value greater than or equal to 0.0, Member must not be null]").
          std::string constraints = AllConstraints(*s.value);
          if (front_end_ == FrontEnd::kLambda) {
            constraints.insert(
                constraints.size() - 1,
                std::string(constraints.size() > 2 ? ", " : "") + "Member must not be null");
          }
          if (!Full()) {
            out_->Add(QuoteValue(Render(s, v)), path,
                      "Map value must satisfy constraint: " + constraints);
          }
          break;
        }
      }
    }
    for (const auto& [k, e] : v.items()) {
      if (Full()) return;
      if (!e.is_null()) Value(*s.value, e, path + "." + k + ".member", !value_constrained);
    }
  }

  const std::string& package_;
  FrontEnd front_end_;
  Violations* out_;
  bool json_values_;
  bool missing_required_ = false;
  std::string empty_fault_;
};

// DynamoDB's 2026 validation layer where an operation has moved to it ("boundsFirst"): the
// first length or range a member breaks, in model order and by the member's own shape (a
// TableArn's 1..1024, not TableName's 3..255), answered alone as "Value at '<Member>'" with
// the members named as the request names them and no value; and the operation's own enum
// checks ("enums"), in their own words. Other clauses (patterns, enums, map keys) stay with
// the aggregated walk.
class FirstBoundFault {
 public:
  explicit FirstBoundFault(const InputModel::RequestChecks& checks) : checks_(checks) {}

  std::optional<Status> Request(const Shape& s, const json& v) {
    for (const auto& [name, shape] : s.members) {
      auto it = v.find(name);
      if (it == v.end() || it->is_null()) continue;
      auto own = checks_.enums.find(name);
      if (own != checks_.enums.end() && it->is_string() &&
          std::find(shape->enum_values.begin(), shape->enum_values.end(), it->get<std::string>()) ==
              shape->enum_values.end()) {
        std::string text =
            "Failed to satisfy constraint: Member must satisfy enum value set: " + own->second.set;
        if (own->second.enveloped) text = "1 validation error detected: " + text;
        return Status(AwsError::kValidation, text);
      }
      if (auto fault = Value(*shape, *it, name)) return fault;
    }
    return std::nullopt;
  }

 private:
  // A broken bound alone, named by `path` without the value.
  static std::optional<Status> Bounds(std::optional<std::string> clause, const std::string& path) {
    if (!clause) return std::nullopt;
    Violations one;
    one.Add("Value", path, *clause);
    return one.ToStatus();
  }

  std::optional<Status> Value(const Shape& s, const json& v, const std::string& path) {
    switch (s.type) {
      case Type::kStructure:
        // An AttributeValue (opaque) holds no bounds; items are not walked again.
        if (s.opaque || !v.is_object()) return std::nullopt;
        for (const auto& [name, shape] : s.members) {
          auto it = v.find(name);
          if (it == v.end() || it->is_null()) continue;
          if (auto fault = Value(*shape, *it, path + "." + name)) return fault;
        }
        return std::nullopt;
      case Type::kString:
        return v.is_string() ? Bounds(LengthClause(s, Utf16Length(v.get<std::string>())), path)
                             : std::nullopt;
      case Type::kInteger:
      case Type::kLong:
      case Type::kDouble:
        return v.is_number() ? Bounds(RangeClause(s, v.get<double>()), path) : std::nullopt;
      case Type::kList:
        if (!v.is_array()) return std::nullopt;
        if (auto fault = Bounds(LengthClause(s, v.size()), path)) return fault;
        for (size_t i = 0; i < v.size(); ++i) {
          if (v[i].is_null()) continue;
          if (auto fault = Value(*s.member, v[i], path + "." + std::to_string(i + 1) + ".member"))
            return fault;
        }
        return std::nullopt;
      case Type::kMap:
        if (!v.is_object()) return std::nullopt;
        if (auto fault = Bounds(LengthClause(s, v.size()), path)) return fault;
        for (const auto& [k, e] : v.items()) {
          if (e.is_null()) continue;
          if (auto fault = Value(*s.value, e, path + "." + k + ".member")) return fault;
        }
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  const InputModel::RequestChecks& checks_;
};

}  // namespace

InputModel::InputModel(std::string_view model_json, std::string java_package)
    : java_package_(std::move(java_package)) {
  json model = json::parse(model_json);
  const json& shapes = model.at("shapes");
  for (const auto& [name, def] : shapes.items()) {
    auto s = std::make_unique<Shape>();
    s->name = name;
    s->type = ParseType(def.at("type").get<std::string>());
    shapes_[name] = std::move(s);
  }
  auto ref = [&](const std::string& name) -> const Shape* {
    auto it = shapes_.find(name);
    if (it == shapes_.end()) {
      std::fprintf(stderr, "input model: unknown shape %s\n", name.c_str());
      std::abort();
    }
    return it->second.get();
  };
  for (const auto& [name, def] : shapes.items()) {
    Shape& s = *shapes_[name];
    std::vector<std::string> required = def.value("required", std::vector<std::string>());
    for (const auto& m : def.value("members", json::array())) {
      std::string member = m.at(0).get<std::string>();
      s.members.emplace_back(member, ref(m.at(1).get<std::string>()));
      s.required.push_back(std::find(required.begin(), required.end(), member) != required.end());
      s.required_unless.push_back(def.value("requiredUnless", json::object()).value(member, ""));
      if (m.size() >= 4) {
        s.locations.emplace_back(ParseLocation(m.at(2).get<std::string>()),
                                 m.at(3).get<std::string>());
      } else {
        s.locations.emplace_back(Location::kBody, std::string());
      }
    }
    if (def.contains("min")) s.min = def["min"].get<int64_t>();
    if (def.contains("max")) s.max = def["max"].get<int64_t>();
    s.pattern = def.value("pattern", "");
    // Java patterns with \u escapes (UTF-16 ranges) or \p{...} classes (Unicode categories) are
    // left unchecked: std::regex reads bytes, and takes "[\p{L}]" as the letters p, {, L and }.
    if (!s.pattern.empty() && s.pattern.find("\\u") == std::string::npos &&
        s.pattern.find("\\p{") == std::string::npos) {
      try {
        s.regex.emplace(s.pattern, std::regex::ECMAScript | std::regex::optimize);
        CompileRepeatedClass(s);
      } catch (const std::regex_error&) {
        s.regex.reset();
      }
    }
    s.enum_values = def.value("enum", std::vector<std::string>());
    if (def.contains("member")) s.member = ref(def["member"]);
    if (def.contains("key")) s.key = ref(def["key"]);
    if (def.contains("value")) s.value = ref(def["value"]);
    if (def.contains("orName")) s.or_name = ref(def["orName"]);
    s.empty_is_own = def.value("emptyIsOwn", false);
    s.opaque = def.value("opaque", false);
    s.enum_at_list = def.value("enumAtList", false);
    s.key_fault_quotes_key = def.value("keyFaultQuotesKey", false);
    s.empty_fault = def.value("emptyFault", "");
  }
  for (const auto& [op, shape] : model.at("operations").items()) {
    operations_[op] = ref(shape.get<std::string>());
  }
  const json request_checks = model.value("requestChecks", json::object());
  for (const auto& [op, def] : request_checks.items()) {
    auto checks = std::make_unique<RequestChecks>();
    checks->bounds_first = def.value("boundsFirst", false);
    checks->enums_first = def.value("enumsFirst", false);
    checks->values_as_json = def.value("valuesAsJson", false);
    const json enums = def.value("enums", json::object());
    for (const auto& [member, own] : enums.items()) {
      checks->enums[member] = {own.at("set").get<std::string>(), own.value("enveloped", true)};
    }
    request_checks_[op] = std::move(checks);
  }
  serialization_messages_ =
      model.value("serializationMessages", decltype(serialization_messages_)());
  static const std::map<std::string, FrontEnd> kFrontEnds = {
      {"coral", FrontEnd::kCoral},
      {"coralStrict", FrontEnd::kCoralStrict},
      {"lambda", FrontEnd::kLambda}};
  std::string front_end = model.value("frontEnd", "coral");
  auto known = kFrontEnds.find(front_end);
  if (known == kFrontEnds.end()) {
    std::fprintf(stderr, "input model: unknown front end %s\n", front_end.c_str());
    std::abort();
  }
  front_end_ = known->second;
  for (auto& [name, shape] : shapes_) {
    shape->report_order = ReportOrder(*shape, front_end_);
  }
}

InputModel::~InputModel() = default;

bool InputModel::HasOperation(std::string_view operation) const {
  return operations_.find(operation) != operations_.end();
}

std::vector<std::string> InputModel::Operations() const {
  std::vector<std::string> names;
  for (const auto& [name, shape] : operations_) names.push_back(name);
  return names;
}

Status InputModel::CheckTypes(std::string_view operation, json& request) const {
  auto it = operations_.find(operation);
  if (it == operations_.end()) return Status::Ok();
  Status st = front_end_ == FrontEnd::kCoral
                  ? TypeChecker(java_package_).Check(*it->second, request, Position::kField)
                  : StrictTypeChecker(front_end_).Check(*it->second, request, std::string());
  if (st.ok()) return st;
  auto reworded = serialization_messages_.find(st.message());
  if (reworded == serialization_messages_.end()) return st;
  return Status(st.code(), reworded->second);
}

Status InputModel::CheckConstraints(std::string_view operation, const json& request) const {
  auto it = operations_.find(operation);
  if (it == operations_.end()) return Status::Ok();
  auto found = request_checks_.find(operation);
  const RequestChecks* checks = found == request_checks_.end() ? nullptr : found->second.get();
  Violations violations;
  ConstraintChecker walk(java_package_, front_end_, &violations,
                         checks != nullptr && checks->values_as_json);
  walk.Structure(*it->second, request, "");
  // The operation's own checks run only on a request that has every required member: one
  // without is answered by the aggregated walk alone (DynamoDB: UpdateItem without a Key lists
  // an empty TableName beside it in the older words).
  if (checks != nullptr && !walk.MissingRequired()) {
    if (checks->bounds_first) {
      if (auto fault = FirstBoundFault(*checks).Request(*it->second, request)) return *fault;
    }
    if (checks->enums_first) {
      Violations enums;
      ConstraintChecker(java_package_, front_end_, &enums).Enums(*it->second, request);
      if (!enums.empty()) return enums.ToStatus();
    }
  }
  if (violations.empty() && !walk.EmptyFault().empty()) {
    return Status(AwsError::kValidation, walk.EmptyFault());
  }
  return violations.ToStatus();
}

Status InputModel::Validate(std::string_view operation, json& request) const {
  STREAMSTACK_RETURN_IF_ERROR(CheckTypes(operation, request));
  return CheckConstraints(operation, request);
}

namespace {

// A located member's text as the request carries it; empty when absent (an empty value reads
// as absent, as every Lambda adapter has read its query string).
std::string LocatedText(Location where, const std::string& name, const RequestContext& ctx) {
  switch (where) {
    case Location::kUri: {
      auto it = ctx.path_params.find(name);
      return it == ctx.path_params.end() ? std::string() : it->second;
    }
    case Location::kQueryString:
      for (const auto& [k, v] : ctx.query_params) {
        if (k == name) return v;  // the first, as the adapters read it
      }
      return std::string();
    case Location::kHeader:
      return ctx.http == nullptr ? std::string() : std::string(ctx.http->headers.Get(name));
    case Location::kBody:
      break;
  }
  return std::string();
}

// Text as a member of `shape` holds it: a whole number for an integer member when it is one.
json LocatedValue(const Shape& shape, const std::string& text) {
  if (shape.type == Type::kInteger || shape.type == Type::kLong) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && end == text.data() + text.size()) return n;
  }
  return text;
}

}  // namespace

void InputModel::AddLocatedMembers(std::string_view operation, const RequestContext& ctx,
                                   json& request) const {
  auto it = operations_.find(operation);
  if (it == operations_.end()) return;
  const Shape& input = *it->second;
  for (size_t i = 0; i < input.members.size(); ++i) {
    const auto& [where, wire_name] = input.locations[i];
    if (where == Location::kBody) continue;
    const auto& [name, shape] = input.members[i];
    request.erase(name);
    if (shape->type == Type::kList && where == Location::kQueryString) {
      // A list travels as the parameter repeated (UntagResource's ?tagKeys=a&tagKeys=b).
      json values = json::array();
      for (const auto& [k, v] : ctx.query_params) {
        if (k == wire_name) values.push_back(v);
      }
      if (!values.empty()) request[name] = std::move(values);
      continue;
    }
    std::string text = LocatedText(where, wire_name, ctx);
    if (!text.empty()) request[name] = LocatedValue(*shape, text);
  }
}

Status InputModel::ValidateRest(std::string_view operation, const RequestContext& ctx,
                                json& body) const {
  AddLocatedMembers(operation, ctx, body);
  return Validate(operation, body);
}

std::optional<std::string> StringMember(const json& request, std::string_view member) {
  auto it = request.find(member);
  if (it == request.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> LongMember(const json& request, std::string_view member) {
  auto it = request.find(member);
  if (it == request.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_unsigned()) {
    return static_cast<int64_t>(std::min<uint64_t>(it->get<uint64_t>(), INT64_MAX));
  }
  return it->get<int64_t>();
}

std::optional<bool> BoolMember(const json& request, std::string_view member) {
  auto it = request.find(member);
  if (it == request.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::optional<int> IntMember(const json& request, std::string_view member) {
  auto it = request.find(member);
  if (it == request.end() || !it->is_number()) return std::nullopt;
  if (it->is_number_unsigned()) {
    return static_cast<int>(std::min<uint64_t>(it->get<uint64_t>(), INT_MAX));
  }
  return static_cast<int>(std::clamp<int64_t>(it->get<int64_t>(), INT_MIN, INT_MAX));
}

const json* StructureMember(const json& request, std::string_view member) {
  auto it = request.find(member);
  return it == request.end() || !it->is_object() ? nullptr : &*it;
}

void AddOperationsNotServed(const InputModel& model, std::string_view service,
                            std::vector<std::pair<std::string, JsonOperation>>& operations) {
  std::set<std::string, std::less<>> served;
  for (const auto& entry : operations) served.insert(entry.first);
  for (const std::string& name : model.Operations()) {
    if (served.contains(name)) continue;
    operations.emplace_back(name, [name, service = std::string(service)](
                                      const RequestContext&, nlohmann::json&&, JsonReply reply) {
      reply(OperationNotServed(service, name, AwsError::kUnknownOperation));
    });
  }
}

}  // namespace streamstack::protocol
