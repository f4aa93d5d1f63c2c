// streams (private): request constraint errors worded as AWS's request validation words
// them ("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint:
// Member must have value greater than or equal to 1"). Values; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"

namespace streamstack::streams {

class ConstraintErrors {
 public:
  // `value` is quoted in the message; pass null_value for a missing member.
  void Add(std::string_view member, std::string_view value, std::string_view constraint);
  void AddNull(std::string_view member);
  void Length(std::string_view member, std::string_view value, size_t min, size_t max);
  void Range(std::string_view member, long long value, long long min, long long max);

  bool empty() const { return errors_.empty(); }
  // ValidationException "N validation error(s) detected: a; b".
  Status ToStatus() const;

 private:
  std::vector<std::string> errors_;
};

}  // namespace streamstack::streams
