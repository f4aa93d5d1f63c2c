// logs: CloudWatch Logs' data, stored in SQLite through storage::Store: log groups (retention,
// tags), log streams (first/last event times, stored bytes) and their events, ordered by
// (timestamp, id) as CloudWatch orders them. Knows the model's rules that need the data
// (what exists, what is expired); the wire adapter (logs_api.h) checks the request itself.
// Writes commit before their `done` (nothing acknowledged is lost); reads are synchronous on
// a reader connection. Every public method may be called from any thread; `done` runs on
// the storage writer thread and must not block.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/function_log.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/logs/filter_pattern.h"
#include "streamstack/storage/store.h"

namespace streamstack::logs {

struct LogGroup {
  std::string name;
  int64_t creation_ms = 0;
  std::optional<int> retention_days;  // none: kept until DeleteLogGroup
  std::map<std::string, std::string> tags;
  std::string log_group_class = "STANDARD";
  std::string kms_key_id;
  bool deletion_protection = false;
  int64_t stored_bytes = 0;
};

struct LogStream {
  std::string name;
  int64_t creation_ms = 0;
  std::optional<int64_t> first_event_ms;
  std::optional<int64_t> last_event_ms;
  std::optional<int64_t> last_ingestion_ms;
  int64_t stored_bytes = 0;
};

// Where an event sits in CloudWatch's order: by timestamp, then by arrival.
struct EventPosition {
  int64_t timestamp_ms = 0;
  int64_t id = 0;
  auto operator<=>(const EventPosition&) const = default;
};

struct StoredEvent {
  EventPosition position;
  int64_t ingestion_ms = 0;
  std::string log_stream;  // filled by FilterLogEvents
  std::string message;
};

// One page of events in ascending order.
struct EventPage {
  std::vector<StoredEvent> events;
  // GetLogEvents: no event was left unread in the direction read (the page is the last).
  // FilterLogEvents: the search reached the end of the range.
  bool complete = true;
};

struct GetEventsRequest {
  std::string log_group;
  std::string log_stream;
  std::optional<int64_t> start_ms;  // inclusive
  std::optional<int64_t> end_ms;    // exclusive
  int limit = 10000;
  // Forward: the events after `after` (or from the first). Backward: the last `limit`
  // events before `before` (or before the end), still returned in ascending order.
  bool forward = false;
  std::optional<EventPosition> after;
  std::optional<EventPosition> before;
};

struct FilterEventsRequest {
  std::string log_group;
  std::vector<std::string> log_streams;  // empty: every stream (or the prefix's)
  std::string log_stream_prefix;
  std::optional<int64_t> start_ms;  // inclusive
  std::optional<int64_t> end_ms;    // exclusive
  int limit = 10000;
  std::optional<EventPosition> after;      // continue after this event (nextToken)
  const FilterPattern* pattern = nullptr;  // null: every event
};

template <typename T>
using Done = std::function<void(Result<T>)>;
using StatusDone = std::function<void(Status)>;

struct LogStoreOptions {
  // Events over this many stored bytes in all (message bytes) are deleted oldest first by
  // EnforceLimits, so a chatty function cannot fill the disk. 0: no cap.
  int64_t max_stored_bytes = 1LL << 30;
  // Function logs queued but not yet written above this are dropped (and counted) instead
  // of growing memory without bound while SQLite catches up.
  int64_t max_pending_function_log_bytes = 64LL << 20;
};

class LogStore final : public FunctionLogSink {
 public:
  // `store` and `clock` must outlive this object.
  LogStore(storage::Store& store, Clock& clock, AccountScope scope, LogStoreOptions options = {});

  // Creates the schema (store.Migrate("logs", ...)).
  [[nodiscard]] Status Open();

  // ResourceAlreadyExists "The specified log group already exists".
  void CreateLogGroup(LogGroup group, StatusDone done);
  // ResourceNotFound "The specified log group does not exist."; deletes its streams and events.
  void DeleteLogGroup(const std::string& name, StatusDone done);
  [[nodiscard]] Result<LogGroup> GetLogGroup(const std::string& name) const;
  // By name; those whose name starts with `prefix`.
  [[nodiscard]] Result<std::vector<LogGroup>> ListLogGroups(const std::string& prefix) const;
  void PutRetentionPolicy(const std::string& name, std::optional<int> days, StatusDone done);
  void TagLogGroup(const std::string& name, std::map<std::string, std::string> tags,
                   StatusDone done);
  void UntagLogGroup(const std::string& name, std::vector<std::string> keys, StatusDone done);

  // ResourceNotFound for a missing group; ResourceAlreadyExists "The specified log stream
  // already exists".
  void CreateLogStream(const std::string& group, const std::string& stream, StatusDone done);
  // ResourceNotFound "The specified log stream does not exist." (or the group's message).
  void DeleteLogStream(const std::string& group, const std::string& stream, StatusDone done);
  // Every stream of the group, by name.
  [[nodiscard]] Result<std::vector<LogStream>> ListLogStreams(const std::string& group) const;

  // Stores events (already validated, in chronological order) in an existing stream.
  void PutLogEvents(const std::string& group, const std::string& stream,
                    std::vector<LogEvent> events, StatusDone done);

  // FunctionLogSink: the same, creating the group and the stream when missing; queued
  // without waiting (dropped past max_pending_function_log_bytes, see DroppedFunctionLogBytes).
  void Append(const std::string& log_group, const std::string& log_stream,
              std::vector<LogEvent> events) override;

  // ResourceNotFound for a missing group or stream.
  [[nodiscard]] Result<EventPage> GetLogEvents(const GetEventsRequest& request) const;
  // ResourceNotFound for a missing group. Reads at most `limit` matching events, and at
  // most 1 MB of them (AWS's page size).
  [[nodiscard]] Result<EventPage> FilterLogEvents(const FilterEventsRequest& request) const;

  // Deletes events older than their group's retention (on the Clock) and, past
  // max_stored_bytes, the oldest events. Returns how many were deleted.
  [[nodiscard]] Result<int64_t> EnforceLimits();

  [[nodiscard]] int64_t DroppedFunctionLogBytes() const { return dropped_bytes_.load(); }
  // Message bytes of every stored event.
  [[nodiscard]] Result<int64_t> TotalStoredBytes() const;

  // AWS's page limit in bytes: each event counts its message plus 26 bytes.
  static constexpr int64_t kEventOverheadBytes = 26;
  static constexpr int64_t kMaxPageBytes = 1048576;

 private:
  // Runs one bounded delete as its own write job and waits; returns the rows it deleted.
  Result<int64_t> RunCleanupJob(const std::function<Result<int64_t>(storage::Database&)>& job);

  storage::Store& store_;
  Clock& clock_;
  const AccountScope scope_;
  const LogStoreOptions options_;
  std::atomic<int64_t> pending_bytes_{0};
  std::atomic<int64_t> dropped_bytes_{0};
};

}  // namespace streamstack::logs
