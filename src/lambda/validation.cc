#include "lambda/validation.h"

namespace streamstack::lambda {

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

const std::vector<std::string>& KnownRuntimes() {
  static const std::vector<std::string> kRuntimes = {
      "nodejs",     "nodejs4.3",       "nodejs6.10",     "nodejs8.10",    "nodejs10.x",
      "nodejs12.x", "nodejs14.x",      "nodejs16.x",     "java8",         "java8.al2",
      "java11",     "python2.7",       "python3.6",      "python3.7",     "python3.8",
      "python3.9",  "dotnetcore1.0",   "dotnetcore2.0",  "dotnetcore2.1", "dotnetcore3.1",
      "dotnet6",    "dotnet8",         "nodejs4.3-edge", "go1.x",         "ruby2.5",
      "ruby2.7",    "provided",        "provided.al2",   "nodejs18.x",    "python3.10",
      "java17",     "ruby3.2",         "ruby3.3",        "ruby3.4",       "python3.11",
      "nodejs20.x", "provided.al2023", "python3.12",     "java21",        "python3.13",
      "nodejs22.x", "nodejs24.x",      "python3.14",     "java25",        "dotnet10",
      "ruby4.0"};
  return kRuntimes;
}

}  // namespace streamstack::lambda
