// Time to live, the pure part: which epoch second an item expires at, and which expiry times
// the sweeper may act on now. Private to the dynamodb module; pure functions.
#pragma once

#include <cstdint>
#include <optional>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/attribute_value.h"
#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

// AWS ignores TTL values more than five years in the past (a timestamp in milliseconds or a
// mistake, rather than an expiry).
inline constexpr int64_t kIgnoredExpiryAgeSeconds = 5LL * 365 * 24 * 3600;

// The item's expiry (epoch seconds, rounded down) while TTL is enabled on the table, or
// nullopt: TTL disabled, attribute absent or not a number (AWS skips such items), or too far
// in the future to ever matter.
std::optional<int64_t> ExpiryOf(const TableDefinition& table, const Item& item);

// The expiry times an item may be deleted at, at `now_ms`: [from, before).
struct ExpiredRange {
  int64_t from = 0;    // inclusive: the five-year limit
  int64_t before = 0;  // exclusive: an expiry of t seconds has passed once now > t
};
ExpiredRange ExpiredRangeAt(int64_t now_ms);

// UpdateTimeToLive's AttributeName: 1-255 characters (constraint errors).
Status ValidateTimeToLiveSpecification(const TimeToLiveSpecification& spec);
// UpdateTimeToLive against the table's current setting at `now_ms`. AWS: switching the
// attribute takes a disable first; repeating a setting is an error ("TimeToLive is already
// enabled", ...); and a change within an hour of the last one is refused (kTimeToLiveCooldown).
Status CheckTimeToLiveChange(const TableDefinition& current, const TimeToLiveSpecification& spec,
                             int64_t now_ms);

// UpdateTimeToLive reference: "It can take up to one hour for the change to fully process. Any
// additional UpdateTimeToLive calls for the same table during this one hour duration result in
// a ValidationException."
inline constexpr int64_t kTimeToLiveCooldownMs = 3600 * 1000;

}  // namespace streamstack::dynamodb
