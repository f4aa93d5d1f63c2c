// logs: CloudWatch Logs filter patterns (FilterLogEvents' filterPattern, and what metric and
// subscription filters would use), parsed once and matched against many log events.
// Syntax, as AWS documents it ("Filter pattern syntax for metric filters, subscription
// filters, filter log events, and Live Tail"):
//   "" (or " ", AWS's form)    every event
//   ERROR                      events containing the term (case-sensitive substring)
//   ERROR Exception            every term (AND)
//   ?ERROR ?WARN               any of the '?' terms (OR)
//   ERROR -Exception           the terms, and none of the '-' terms (mixed with '?':
//                              all plain terms, one '?' term at least, no '-' term)
//   "Failed to process"        a quoted phrase: the exact text
//   %regex%                    a regular expression (AWS's restricted syntax)
//   { $.x = 1 }                a JSON pattern over events that are JSON objects: selectors
//                              ($.a.b, $.a[0], $.a[*], $.*), = != on strings (with * wildcards
//                              or a %regex%) and numbers, < <= > >= on numbers, IS TRUE/FALSE/
//                              NULL, NOT EXISTS, && || and parentheses
//   [ip, user, ..., code=4*]   a space-delimited pattern: fields by position, with
//                              comparisons like the JSON ones and '...' for any fields
// A FilterPattern is an immutable value (copies share the parsed pattern): Matches() may be
// called from any thread at once. Depends on nothing but common/ (Status) and nlohmann::json.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "streamstack/common/status.h"

namespace streamstack::logs {

class FilterPattern {
 public:
  // A pattern AWS would refuse: kInvalidParameterException with AWS's message where it is on
  // record ("Invalid character(s) in term ':'", "If a filter pattern starts with '{' it must
  // end with '}'"), "Invalid filter pattern" otherwise. An empty or all-blank pattern, or a
  // quoted blank, matches every event.
  [[nodiscard]] static Result<FilterPattern> Parse(std::string_view pattern);

  // True when the event's message matches. Terms and space-delimited fields are matched
  // without allocating; a %regex% runs std::regex, and a JSON pattern parses events that start
  // with '{' (about 1.4 us for a 110-byte event).
  [[nodiscard]] bool Matches(std::string_view message) const;

  // True for the blank patterns above (callers skip matching altogether).
  [[nodiscard]] bool MatchesEverything() const;

  FilterPattern(const FilterPattern&) = default;
  FilterPattern& operator=(const FilterPattern&) = default;
  FilterPattern(FilterPattern&&) noexcept = default;
  FilterPattern& operator=(FilterPattern&&) noexcept = default;
  ~FilterPattern();

  struct Node;  // the parsed pattern (private to filter_pattern.cc)

 private:
  explicit FilterPattern(std::shared_ptr<const Node> root);
  std::shared_ptr<const Node> root_;  // null: matches everything
};

}  // namespace streamstack::logs
