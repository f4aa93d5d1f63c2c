#include "streamstack/common/violations.h"

namespace streamstack {

std::string QuoteValue(std::string_view value) { return "Value '" + std::string(value) + "'"; }

void Violations::Add(std::string_view value_text, std::string_view member,
                     std::string_view constraint) {
  clauses_.push_back(std::string(value_text) + " at '" + std::string(member) +
                     "' failed to satisfy constraint: " + std::string(constraint));
}

void Violations::Range(const std::optional<int64_t>& value, std::string_view member, int64_t min,
                       int64_t max) {
  if (!value) return;
  if (*value < min) {
    Add(QuoteValue(std::to_string(*value)), member,
        "Member must have value greater than or equal to " + std::to_string(min));
  } else if (*value > max) {
    Add(QuoteValue(std::to_string(*value)), member,
        "Member must have value less than or equal to " + std::to_string(max));
  }
}

void Violations::Enum(const std::optional<std::string>& value, std::string_view member,
                      std::initializer_list<const char*> values) {
  Enum(value, member, std::vector<std::string>(values.begin(), values.end()));
}

void Violations::Enum(const std::optional<std::string>& value, std::string_view member,
                      const std::vector<std::string>& values) {
  if (!value) return;
  std::string set;
  for (const auto& v : values) {
    if (v == *value) return;
    set += (set.empty() ? "" : ", ") + v;
  }
  Add(QuoteValue(*value), member, "Member must satisfy enum value set: [" + set + "]");
}

void Violations::Length(const std::optional<std::string>& value, std::string_view member,
                        size_t min, size_t max) {
  if (!value) return;
  if (value->size() < min) {
    Add(QuoteValue(*value), member,
        "Member must have length greater than or equal to " + std::to_string(min));
  } else if (value->size() > max) {
    Add(QuoteValue(*value), member,
        "Member must have length less than or equal to " + std::to_string(max));
  }
}

void Violations::Pattern(const std::optional<std::string>& value, std::string_view member,
                         std::string_view pattern, bool matches) {
  if (!value || matches) return;
  Add(QuoteValue(*value), member,
      "Member must satisfy regular expression pattern: " + std::string(pattern));
}

void Violations::NotNull(bool present, std::string_view member) {
  if (!present) Add("Value null", member, "Member must not be null");
}

Status Violations::ToStatus(AwsError code) const {
  if (clauses_.empty()) return Status::Ok();
  std::string msg =
      std::to_string(clauses_.size()) +
      (clauses_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < clauses_.size(); ++i) msg += (i ? "; " : "") + clauses_[i];
  return Status(code, msg);
}

Status InValidationEnvelope(Status fault) {
  if (fault.code() != AwsError::kValidation) return fault;
  const std::string& text = fault.message();
  const size_t digits = text.find_first_not_of("0123456789");
  if (digits > 0 && digits != std::string::npos) {
    const std::string_view rest = std::string_view(text).substr(digits);
    if (rest.starts_with(" validation error detected: ") ||
        rest.starts_with(" validation errors detected: ")) {
      return fault;
    }
  }
  return Status(AwsError::kValidation, "1 validation error detected: " + text)
      .WithDetails(fault.details());
}

}  // namespace streamstack
