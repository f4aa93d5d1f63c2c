// esm: Lambda event filtering (FilterCriteria). Parses a mapping's filter patterns once and
// tells the delivery engine which records to keep. Pure computation on JSON: no storage, no
// I/O. Parsed patterns and sets are immutable; Matches() may be called from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"

namespace streamstack::esm {

namespace filter_detail {
struct ObjectRule;  // the parsed tree; defined in src/esm/filter.cc
}  // namespace filter_detail

// One FilterCriteria.Filters[].Pattern, parsed once. The language is AWS's (the same as
// EventBridge event patterns): a pattern mirrors the event's shape, each leaf is an array of
// matchers that are OR'ed, the keys of one object are AND'ed, "$or" ORs whole sub-patterns.
// Copies share the immutable tree, so copying is cheap and sharing across threads is safe.
class FilterPattern {
 public:
  // Parses a pattern's JSON text. Every pattern AWS rejects (invalid JSON, not an object,
  // empty objects or arrays, unknown or malformed operators) gives
  // AwsError::kInvalidParameterValue with AWS's text "Invalid filter pattern definition.".
  static Result<FilterPattern> Parse(std::string_view pattern_json);

  // True when `event` (the record exactly as the function would receive it, e.g. a DynamoDB
  // stream record with eventName, dynamodb.Keys, dynamodb.NewImage...) matches.
  bool Matches(const nlohmann::json& event) const;

  // The pattern's text as given to Parse.
  const std::string& text() const { return text_; }

 private:
  FilterPattern(std::string text, std::shared_ptr<const filter_detail::ObjectRule> root);

  std::string text_;
  // shared_ptr (not unique_ptr) so that copies share one immutable tree.
  std::shared_ptr<const filter_detail::ObjectRule> root_;
};

// All filters of a mapping: a record is kept when ANY pattern matches; an empty set (a
// mapping without FilterCriteria) keeps every record. Immutable; safe to share.
class FilterSet {
 public:
  FilterSet() = default;  // empty: keeps all

  // Parses every pattern; the first invalid one's Status (see FilterPattern::Parse) is the
  // answer. The count limit (5 filters) is the API's check, not this one's.
  static Result<FilterSet> Parse(const std::vector<std::string>& patterns);

  bool Matches(const nlohmann::json& event) const;
  bool empty() const { return patterns_.empty(); }
  const std::vector<FilterPattern>& patterns() const { return patterns_; }

 private:
  std::vector<FilterPattern> patterns_;
};

}  // namespace streamstack::esm
