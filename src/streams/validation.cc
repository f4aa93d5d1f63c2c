#include "streams/validation.h"

namespace streamstack::streams {

void ConstraintErrors::Add(std::string_view member, std::string_view value,
                           std::string_view constraint) {
  errors_.push_back("Value '" + std::string(value) + "' at '" + std::string(member) +
                    "' failed to satisfy constraint: " + std::string(constraint));
}

void ConstraintErrors::AddNull(std::string_view member) {
  errors_.push_back("Value null at '" + std::string(member) +
                    "' failed to satisfy constraint: Member must not be null");
}

void ConstraintErrors::Length(std::string_view member, std::string_view value, size_t min,
                              size_t max) {
  if (value.size() < min) {
    Add(member, value, "Member must have length greater than or equal to " + std::to_string(min));
  } else if (value.size() > max) {
    Add(member, value, "Member must have length less than or equal to " + std::to_string(max));
  }
}

void ConstraintErrors::Range(std::string_view member, long long value, long long min,
                             long long max) {
  if (value < min) {
    Add(member, std::to_string(value),
        "Member must have value greater than or equal to " + std::to_string(min));
  } else if (value > max) {
    Add(member, std::to_string(value),
        "Member must have value less than or equal to " + std::to_string(max));
  }
}

Status ConstraintErrors::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::string message =
      std::to_string(errors_.size()) +
      (errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < errors_.size(); ++i) {
    if (i > 0) message += "; ";
    message += errors_[i];
  }
  return ValidationError(std::move(message));
}

}  // namespace streamstack::streams
