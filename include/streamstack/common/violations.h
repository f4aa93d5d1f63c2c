// Constraint checks worded as AWS's request validation words them ("1 validation error
// detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value
// greater than or equal to 1"; several violations are joined with "; "). The one builder of
// these messages for every service (DynamoDB's input model, Streams, Lambda, CloudWatch
// Logs), so it lives in common where the core modules may use it. A value type; one thread
// at a time.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"

namespace streamstack {

class Violations {
 public:
  // A whole "Value ... at '<member>' failed to satisfy constraint: <constraint>" clause.
  void Add(std::string_view value_text, std::string_view member, std::string_view constraint);
  void Range(const std::optional<int64_t>& value, std::string_view member, int64_t min,
             int64_t max);
  void Enum(const std::optional<std::string>& value, std::string_view member,
            std::initializer_list<const char*> values);
  void Enum(const std::optional<std::string>& value, std::string_view member,
            const std::vector<std::string>& values);
  void Length(const std::optional<std::string>& value, std::string_view member, size_t min,
              size_t max);
  // `matches`: whether the value satisfies the model's `pattern` (the caller checks it).
  void Pattern(const std::optional<std::string>& value, std::string_view member,
               std::string_view pattern, bool matches);
  void NotNull(bool present, std::string_view member);

  bool empty() const { return clauses_.empty(); }
  size_t size() const { return clauses_.size(); }
  // ValidationException (or `code`) with the joined message. Ok when empty.
  Status ToStatus(AwsError code = AwsError::kValidation) const;

 private:
  std::vector<std::string> clauses_;
};

// A request's own fault as AWS's current validation layer reports it: a ValidationException's
// text inside "1 validation error detected: " (DynamoDB's PutItem, UpdateItem and DeleteItem; a
// DynamoDB conformance suite's captures, 2026-10-09). A Status of another type, or one already
// counted ("2 validation errors detected: ..."), comes back unchanged.
Status InValidationEnvelope(Status fault);

// "Value '<v>'" with AWS's quoting; "Value null" for nullopt.
std::string QuoteValue(std::string_view value);

}  // namespace streamstack
