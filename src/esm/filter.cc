#include "streamstack/esm/filter.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <variant>

namespace streamstack::esm {
namespace filter_detail {

using nlohmann::json;

// A test on string values: prefix, suffix, the whole string, or a wildcard glob.
struct StringRule {
  enum class Kind { kPrefix, kSuffix, kWhole, kWildcard };
  Kind kind = Kind::kWhole;
  bool ignore_case = false;
  std::string text;                 // lower-cased when ignore_case (kPrefix/kSuffix/kWhole)
  std::vector<std::string> pieces;  // kWildcard: the literal text between the '*'s
};

// An exact value: string, number, true, false or null.
struct EqualsRule {
  json value;
};

// {"numeric": [...]}: an interval, either side optional ("=" is [x, x]).
struct NumericRule {
  std::optional<double> lower;
  bool lower_inclusive = false;
  std::optional<double> upper;
  bool upper_inclusive = false;
};

// {"exists": true|false}.
struct ExistsRule {
  bool present = true;
};

// {"anything-but": ...}: a present value that equals none of `values` and passes none of
// `strings`.
struct AnythingButRule {
  std::vector<json> values;
  std::vector<StringRule> strings;
};

// One element of a leaf array.
using ValueRule = std::variant<EqualsRule, StringRule, NumericRule, ExistsRule, AnythingButRule>;

struct ObjectRule;

// One key of a pattern object: a leaf (array of matchers, OR'ed) or a nested pattern.
struct FieldRule {
  std::string name;
  std::vector<ValueRule> leaf;         // when nested is null
  std::unique_ptr<ObjectRule> nested;  // the pattern of a sub-object of the event
};

// A pattern object: every field must match, and one of the "$or" alternatives if any.
struct ObjectRule {
  std::vector<FieldRule> fields;
  std::vector<ObjectRule> any_of;  // "$or"; empty when the object has none
};

}  // namespace filter_detail

namespace {

using filter_detail::AnythingButRule;
using filter_detail::EqualsRule;
using filter_detail::ExistsRule;
using filter_detail::FieldRule;
using filter_detail::NumericRule;
using filter_detail::ObjectRule;
using filter_detail::StringRule;
using filter_detail::ValueRule;
using nlohmann::json;

// AWS (EventBridge's content filtering, which Lambda shares): numeric matching is limited to
// values between -5.0e9 and +5.0e9 inclusive.
constexpr double kNumericLimit = 5.0e9;

Status InvalidPattern() {
  return Status(AwsError::kInvalidParameterValue, "Invalid filter pattern definition.");
}

// ---------------------------------------------------------------------------------------
// Shared string helpers.

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return LowerAscii(c); });
  return out;
}

// `a` equals `lower` (already lower-cased), ignoring ASCII case in `a`.
bool EqualsFolded(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != lower[i]) return false;
  }
  return true;
}

bool SameText(std::string_view a, std::string_view b, bool ignore_case) {
  return ignore_case ? EqualsFolded(a, b) : a == b;
}

// ---------------------------------------------------------------------------------------
// Parsing. Each Parse* returns nullopt for anything AWS rejects; Parse() turns that into the
// single error AWS answers with.

// AWS: in a wildcard, '\' escapes '*' or '\' only, and two consecutive '*' are rejected.
std::optional<std::vector<std::string>> ParseWildcard(std::string_view text) {
  std::vector<std::string> pieces(1);
  bool after_star = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '*') {
      if (after_star) return std::nullopt;
      pieces.emplace_back();
      after_star = true;
      continue;
    }
    after_star = false;
    if (c == '\\') {
      if (i + 1 == text.size() || (text[i + 1] != '*' && text[i + 1] != '\\')) return std::nullopt;
      c = text[++i];
    }
    pieces.back().push_back(c);
  }
  return pieces;
}

std::optional<StringRule> MakeStringRule(StringRule::Kind kind, const json& value,
                                         bool ignore_case) {
  if (!value.is_string()) return std::nullopt;
  StringRule rule;
  rule.kind = kind;
  rule.ignore_case = ignore_case;
  const auto& text = value.get_ref<const std::string&>();
  if (kind == StringRule::Kind::kWildcard) {
    auto pieces = ParseWildcard(text);
    if (!pieces) return std::nullopt;
    rule.pieces = std::move(*pieces);
  }
  rule.text = ignore_case ? LowerAscii(text) : text;
  return rule;
}

// "prefix"/"suffix" take a string, or {"equals-ignore-case": string} to ignore case.
std::optional<StringRule> ParseAffix(StringRule::Kind kind, const json& value) {
  if (value.is_object()) {
    if (value.size() != 1 || !value.contains("equals-ignore-case")) return std::nullopt;
    return MakeStringRule(kind, value["equals-ignore-case"], /*ignore_case=*/true);
  }
  return MakeStringRule(kind, value, /*ignore_case=*/false);
}

// The string operators that may appear on their own or inside "anything-but".
std::optional<StringRule> ParseStringOperator(const std::string& op, const json& value) {
  if (op == "prefix") return ParseAffix(StringRule::Kind::kPrefix, value);
  if (op == "suffix") return ParseAffix(StringRule::Kind::kSuffix, value);
  if (op == "equals-ignore-case") return MakeStringRule(StringRule::Kind::kWhole, value, true);
  if (op == "wildcard") return MakeStringRule(StringRule::Kind::kWildcard, value, false);
  return std::nullopt;
}

// Sets one side of a numeric interval from an operator and its operand.
bool SetNumericBound(const json& op, const json& operand, NumericRule& rule) {
  if (!op.is_string() || !operand.is_number()) return false;
  double v = operand.get<double>();
  if (!std::isfinite(v) || std::fabs(v) > kNumericLimit) return false;
  const auto& o = op.get_ref<const std::string&>();
  if (o == ">" || o == ">=") {
    if (rule.lower) return false;
    rule.lower = v;
    rule.lower_inclusive = o == ">=";
  } else if (o == "<" || o == "<=") {
    if (rule.upper) return false;
    rule.upper = v;
    rule.upper_inclusive = o == "<=";
  } else {
    return false;
  }
  return true;
}

// {"numeric": ["=", x]}, [op, x] or a lower and an upper bound [">", x, "<=", y].
std::optional<NumericRule> ParseNumeric(const json& value) {
  if (!value.is_array() || (value.size() != 2 && value.size() != 4)) return std::nullopt;
  NumericRule rule;
  if (value[0] == "=") {
    if (value.size() != 2 || !value[1].is_number()) return std::nullopt;
    double v = value[1].get<double>();
    if (std::fabs(v) > kNumericLimit) return std::nullopt;
    rule.lower = rule.upper = v;
    rule.lower_inclusive = rule.upper_inclusive = true;
    return rule;
  }
  for (size_t i = 0; i < value.size(); i += 2) {
    if (!SetNumericBound(value[i], value[i + 1], rule)) return std::nullopt;
  }
  // Two operators must make a range: one bound each side, bottom below top.
  if (value.size() == 4 && (!rule.lower || !rule.upper || *rule.lower >= *rule.upper)) {
    return std::nullopt;
  }
  return rule;
}

bool IsAnythingButValue(const json& v) { return v.is_string() || v.is_number(); }

// "anything-but" takes a string or number, a non-empty list of them, or one string operator
// ({"prefix": ..}, {"suffix": ..}, {"equals-ignore-case": ..}, {"wildcard": ..}) whose
// operand may also be a non-empty list of strings.
std::optional<AnythingButRule> ParseAnythingBut(const json& value) {
  AnythingButRule rule;
  if (IsAnythingButValue(value)) {
    rule.values.push_back(value);
    return rule;
  }
  if (value.is_array()) {
    if (value.empty()) return std::nullopt;
    for (const auto& v : value) {
      if (!IsAnythingButValue(v)) return std::nullopt;
      rule.values.push_back(v);
    }
    return rule;
  }
  if (!value.is_object() || value.size() != 1) return std::nullopt;
  const std::string& op = value.begin().key();
  const json& operand = value.begin().value();
  if (operand.is_array() && operand.empty()) return std::nullopt;
  for (const auto& item : operand.is_array() ? operand : json::array({operand})) {
    auto s = ParseStringOperator(op, item);
    if (!s) return std::nullopt;
    rule.strings.push_back(std::move(*s));
  }
  return rule;
}

// An object in a leaf array: exactly one operator.
std::optional<ValueRule> ParseOperator(const json& object) {
  if (object.size() != 1) return std::nullopt;
  const std::string& op = object.begin().key();
  const json& operand = object.begin().value();
  if (op == "numeric") {
    auto n = ParseNumeric(operand);
    return n ? std::optional<ValueRule>(*n) : std::nullopt;
  }
  if (op == "exists") {
    if (!operand.is_boolean()) return std::nullopt;
    return ValueRule(ExistsRule{operand.get<bool>()});
  }
  if (op == "anything-but") {
    auto a = ParseAnythingBut(operand);
    return a ? std::optional<ValueRule>(std::move(*a)) : std::nullopt;
  }
  auto s = ParseStringOperator(op, operand);
  return s ? std::optional<ValueRule>(std::move(*s)) : std::nullopt;
}

// A leaf: a non-empty array of scalars (exact matches) and operator objects.
std::optional<std::vector<ValueRule>> ParseLeaf(const json& array) {
  if (array.empty()) return std::nullopt;
  std::vector<ValueRule> rules;
  for (const auto& element : array) {
    if (element.is_array()) return std::nullopt;
    if (element.is_object()) {
      auto rule = ParseOperator(element);
      if (!rule) return std::nullopt;
      rules.push_back(std::move(*rule));
    } else {
      rules.push_back(EqualsRule{element});
    }
  }
  return rules;
}

std::optional<ObjectRule> ParseObject(const json& object);

// "$or": a non-empty array of patterns, each matched against the same event object.
bool ParseOr(const json& value, ObjectRule& rule) {
  if (!value.is_array() || value.empty()) return false;
  for (const auto& alternative : value) {
    auto parsed = ParseObject(alternative);
    if (!parsed) return false;
    rule.any_of.push_back(std::move(*parsed));
  }
  return true;
}

std::optional<FieldRule> ParseField(const std::string& name, const json& value) {
  FieldRule field;
  field.name = name;
  if (value.is_object()) {
    auto nested = ParseObject(value);
    if (!nested) return std::nullopt;
    field.nested = std::make_unique<ObjectRule>(std::move(*nested));
    return field;
  }
  // AWS: a leaf's value must be an array, never a bare scalar.
  if (!value.is_array()) return std::nullopt;
  auto leaf = ParseLeaf(value);
  if (!leaf) return std::nullopt;
  field.leaf = std::move(*leaf);
  return field;
}

// AWS rejects empty objects at any level ("{}" is not a pattern that matches everything).
std::optional<ObjectRule> ParseObject(const json& object) {
  if (!object.is_object() || object.empty()) return std::nullopt;
  ObjectRule rule;
  for (const auto& [name, value] : object.items()) {
    if (name == "$or" && value.is_array()) {
      if (!ParseOr(value, rule)) return std::nullopt;
      continue;
    }
    auto field = ParseField(name, value);
    if (!field) return std::nullopt;
    rule.fields.push_back(std::move(*field));
  }
  return rule;
}

// ---------------------------------------------------------------------------------------
// Matching.

// AWS (doc: "300, 300.0 and 3.0e2 are not considered equal"): numbers match exactly by their
// representation, so an integer never equals a float; integers compare without rounding.
bool SameNumber(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    return a.is_number_float() && b.is_number_float() && a.get<double>() == b.get<double>();
  }
  bool a_negative = !a.is_number_unsigned() && a.get<std::int64_t>() < 0;
  bool b_negative = !b.is_number_unsigned() && b.get<std::int64_t>() < 0;
  if (a_negative || b_negative) {
    return a_negative && b_negative && a.get<std::int64_t>() == b.get<std::int64_t>();
  }
  return a.get<std::uint64_t>() == b.get<std::uint64_t>();
}

// Exact equality of two scalars: same JSON type and same value ("5" never equals 5).
bool SameScalar(const json& rule, const json& value) {
  if (rule.is_number() || value.is_number()) {
    return rule.is_number() && value.is_number() && SameNumber(rule, value);
  }
  return rule == value;  // string, boolean, null: nlohmann compares type and value
}

// '*' matches any run of characters; the first piece anchors at the start, the last at the
// end, and the middle ones are found left to right (greedy is exact for '*'-only globs).
bool MatchWildcard(const std::vector<std::string>& pieces, std::string_view s) {
  if (pieces.size() == 1) return s == pieces[0];
  const std::string& first = pieces.front();
  const std::string& last = pieces.back();
  if (s.size() < first.size() + last.size()) return false;
  if (s.substr(0, first.size()) != first || s.substr(s.size() - last.size()) != last) {
    return false;
  }
  std::string_view middle = s.substr(first.size(), s.size() - first.size() - last.size());
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    size_t at = middle.find(pieces[i]);
    if (at == std::string_view::npos) return false;
    middle.remove_prefix(at + pieces[i].size());
  }
  return true;
}

bool MatchString(const StringRule& rule, const json& value) {
  if (!value.is_string()) return false;
  std::string_view s = value.get_ref<const std::string&>();
  std::string_view t = rule.text;
  switch (rule.kind) {
    case StringRule::Kind::kPrefix:
      return s.size() >= t.size() && SameText(s.substr(0, t.size()), t, rule.ignore_case);
    case StringRule::Kind::kSuffix:
      return s.size() >= t.size() && SameText(s.substr(s.size() - t.size()), t, rule.ignore_case);
    case StringRule::Kind::kWhole:
      return SameText(s, t, rule.ignore_case);
    case StringRule::Kind::kWildcard:
      return MatchWildcard(rule.pieces, s);
  }
  return false;
}

// AWS: numeric matching applies to JSON numbers only (a string "5" never matches) and only
// within the supported range.
bool MatchNumeric(const NumericRule& rule, const json& value) {
  if (!value.is_number()) return false;
  double v = value.get<double>();
  if (std::fabs(v) > kNumericLimit) return false;
  if (rule.lower && (rule.lower_inclusive ? v < *rule.lower : v <= *rule.lower)) return false;
  if (rule.upper && (rule.upper_inclusive ? v > *rule.upper : v >= *rule.upper)) return false;
  return true;
}

bool MatchAnythingBut(const AnythingButRule& rule, const json& value) {
  for (const auto& excluded : rule.values) {
    if (SameScalar(excluded, value)) return false;
  }
  for (const auto& excluded : rule.strings) {
    if (MatchString(excluded, value)) return false;
  }
  return true;
}

// One matcher against one scalar value of the event (exists is handled by the caller).
bool MatchScalar(const ValueRule& rule, const json& value) {
  if (const auto* e = std::get_if<EqualsRule>(&rule)) return SameScalar(e->value, value);
  if (const auto* s = std::get_if<StringRule>(&rule)) return MatchString(*s, value);
  if (const auto* n = std::get_if<NumericRule>(&rule)) return MatchNumeric(*n, value);
  if (const auto* a = std::get_if<AnythingButRule>(&rule)) return MatchAnythingBut(*a, value);
  return false;
}

// The leaf values at a path: the scalar itself, or the scalars of an array (nested arrays
// flattened). Objects hold no leaf value at this path, which is why AWS's "exists" does not
// see intermediate nodes.
void CollectScalars(const json& node, std::vector<const json*>& out) {
  if (node.is_array()) {
    for (const auto& element : node) CollectScalars(element, out);
  } else if (!node.is_object()) {
    out.push_back(&node);
  }
}

void CollectObjects(const json& node, std::vector<const json*>& out) {
  if (node.is_array()) {
    for (const auto& element : node) CollectObjects(element, out);
  } else if (node.is_object()) {
    out.push_back(&node);
  }
}

// A leaf matches when any matcher matches any of the field's values; `field` is null when
// the event has no such key.
bool MatchLeaf(const std::vector<ValueRule>& rules, const json* field) {
  std::vector<const json*> values;
  if (field != nullptr) CollectScalars(*field, values);
  for (const auto& rule : rules) {
    if (const auto* e = std::get_if<ExistsRule>(&rule)) {
      if (e->present != values.empty()) return true;
      continue;
    }
    for (const json* value : values) {
      if (MatchScalar(rule, *value)) return true;
    }
  }
  return false;
}

bool MatchObject(const ObjectRule& rule, const json* node);

// A nested pattern against the event's value at its key. An array of objects matches when
// one element matches the whole sub-pattern (fields of one element, never mixed across
// elements); anything that is not an object has no fields, so only absence rules can match.
bool MatchNested(const ObjectRule& rule, const json* field) {
  if (field != nullptr && field->is_array()) {
    std::vector<const json*> objects;
    CollectObjects(*field, objects);
    if (objects.empty()) return MatchObject(rule, nullptr);
    return std::any_of(objects.begin(), objects.end(),
                       [&](const json* o) { return MatchObject(rule, o); });
  }
  return MatchObject(rule, field != nullptr && field->is_object() ? field : nullptr);
}

const json* Child(const json* node, const std::string& name) {
  if (node == nullptr || !node->is_object()) return nullptr;
  auto it = node->find(name);
  return it == node->end() ? nullptr : &*it;
}

bool MatchObject(const ObjectRule& rule, const json* node) {
  for (const auto& field : rule.fields) {
    const json* child = Child(node, field.name);
    bool ok = field.nested ? MatchNested(*field.nested, child) : MatchLeaf(field.leaf, child);
    if (!ok) return false;
  }
  if (rule.any_of.empty()) return true;
  return std::any_of(rule.any_of.begin(), rule.any_of.end(),
                     [&](const ObjectRule& alternative) { return MatchObject(alternative, node); });
}

}  // namespace

FilterPattern::FilterPattern(std::string text,
                             std::shared_ptr<const filter_detail::ObjectRule> root)
    : text_(std::move(text)), root_(std::move(root)) {}

Result<FilterPattern> FilterPattern::Parse(std::string_view pattern_json) {
  json parsed = json::parse(pattern_json.begin(), pattern_json.end(), nullptr,
                            /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return InvalidPattern();
  auto root = ParseObject(parsed);
  if (!root) return InvalidPattern();
  return FilterPattern(std::string(pattern_json),
                       std::make_shared<const ObjectRule>(std::move(*root)));
}

bool FilterPattern::Matches(const nlohmann::json& event) const {
  return MatchNested(*root_, &event);
}

Result<FilterSet> FilterSet::Parse(const std::vector<std::string>& patterns) {
  FilterSet set;
  for (const auto& text : patterns) {
    auto pattern = FilterPattern::Parse(text);
    if (!pattern) return std::move(pattern).take_status();
    set.patterns_.push_back(std::move(pattern).value());
  }
  return set;
}

bool FilterSet::Matches(const nlohmann::json& event) const {
  if (patterns_.empty()) return true;
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [&](const FilterPattern& p) { return p.Matches(event); });
}

}  // namespace streamstack::esm
