#include "dynamodb/time_to_live.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "dynamodb/item_key.h"

namespace streamstack::dynamodb {

std::optional<int64_t> ExpiryOf(const TableDefinition& table, const Item& item) {
  if (!table.ttl_enabled || table.ttl_attribute.empty()) return std::nullopt;
  auto it = item.find(table.ttl_attribute);
  if (it == item.end() || it->second.type() != AttributeType::kN) return std::nullopt;
  const Number& n = it->second.n();
  // Beyond 10^15 seconds (some 30 million years) nothing will ever expire.
  if (!n.IsNegative() && n.AdjustedExponent() >= 15) return std::nullopt;
  if (n.IsNegative() && n.AdjustedExponent() >= 15) return INT64_MIN / 2;
  double seconds = std::strtod(n.ToString().c_str(), nullptr);
  return static_cast<int64_t>(std::floor(seconds));
}

ExpiredRange ExpiredRangeAt(int64_t now_ms) {
  // An expiry of t (whole seconds, rounded down from the attribute) has passed once
  // now_ms > t * 1000, that is t < ceil(now_ms / 1000).
  int64_t now_ceil = now_ms >= 0 ? (now_ms + 999) / 1000 : now_ms / 1000;
  return {now_ceil - kIgnoredExpiryAgeSeconds, now_ceil};
}

constexpr size_t kMaxTtlAttributeNameLength = 255;

Status ValidateTimeToLiveSpecification(const TimeToLiveSpecification& spec) {
  if (spec.attribute_name.empty()) {
    return ConstraintError("''", "timeToLiveSpecification.attributeName",
                           "Member must have length greater than or equal to 1");
  }
  if (spec.attribute_name.size() > kMaxTtlAttributeNameLength) {
    return ConstraintError("'" + spec.attribute_name + "'", "timeToLiveSpecification.attributeName",
                           "Member must have length less than or equal to 255");
  }
  return Status::Ok();
}

Status CheckTimeToLiveChange(const TableDefinition& current, const TimeToLiveSpecification& spec,
                             int64_t now_ms) {
  if (spec.enabled && current.ttl_enabled) {
    if (current.ttl_attribute != spec.attribute_name) {
      return ValidationError(
          "TimeToLive is active on a different AttributeName: current AttributeName is " +
          current.ttl_attribute);
    }
    return ValidationError("TimeToLive is already enabled");
  }
  if (!spec.enabled) {
    if (!current.ttl_enabled) return ValidationError("TimeToLive is already disabled");
    if (current.ttl_attribute != spec.attribute_name) {
      return ValidationError(
          "TimeToLive is active on a different AttributeName: current AttributeName is " +
          current.ttl_attribute);
    }
  }
  // The text is AWS's (the answer aws-cdk's TTL handler catches); a request that repeats the
  // setting gets the texts above first, whenever it comes.
  if (current.ttl_updated_ms != 0 && now_ms - current.ttl_updated_ms < kTimeToLiveCooldownMs) {
    return ValidationError("Time to live has been modified multiple times within a fixed interval");
  }
  return Status::Ok();
}

}  // namespace streamstack::dynamodb
