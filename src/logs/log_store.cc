#include "streamstack/logs/log_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "streamstack/common/json_text.h"
#include "streamstack/storage/migration.h"

namespace streamstack::logs {
namespace {

constexpr storage::Migration kMigrations[] = {
    {1,
     "CREATE TABLE logs_groups ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  creation_ms INTEGER NOT NULL,"
     "  retention_days INTEGER,"
     "  tags TEXT NOT NULL,"
     "  class TEXT NOT NULL,"
     "  kms_key_id TEXT NOT NULL,"
     "  deletion_protection INTEGER NOT NULL,"
     "  stored_bytes INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE logs_streams ("
     "  id INTEGER PRIMARY KEY,"
     "  group_id INTEGER NOT NULL,"
     "  name TEXT NOT NULL,"
     "  creation_ms INTEGER NOT NULL,"
     "  first_event_ms INTEGER,"
     "  last_event_ms INTEGER,"
     "  last_ingestion_ms INTEGER,"
     "  stored_bytes INTEGER NOT NULL DEFAULT 0,"
     "  UNIQUE (group_id, name));"
     // Events in CloudWatch's order, (timestamp, id), per stream (GetLogEvents) and per
     // group (FilterLogEvents).
     "CREATE TABLE logs_events ("
     "  id INTEGER PRIMARY KEY,"
     "  group_id INTEGER NOT NULL,"
     "  stream_id INTEGER NOT NULL,"
     "  timestamp_ms INTEGER NOT NULL,"
     "  ingestion_ms INTEGER NOT NULL,"
     "  message TEXT NOT NULL);"
     "CREATE INDEX logs_events_by_stream ON logs_events(stream_id, timestamp_ms, id);"
     "CREATE INDEX logs_events_by_group ON logs_events(group_id, timestamp_ms, id);"},
};

constexpr char kSelectGroup[] =
    "SELECT id, name, creation_ms, retention_days, tags, class, kms_key_id, deletion_protection, "
    "stored_bytes FROM logs_groups WHERE name = ?";
constexpr char kSelectGroups[] =
    "SELECT id, name, creation_ms, retention_days, tags, class, kms_key_id, deletion_protection, "
    "stored_bytes FROM logs_groups WHERE name >= ? ORDER BY name";
constexpr char kInsertGroup[] =
    "INSERT INTO logs_groups (name, creation_ms, retention_days, tags, class, kms_key_id, "
    "deletion_protection) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING";
constexpr char kDeleteGroupEvents[] = "DELETE FROM logs_events WHERE group_id = ?";
constexpr char kDeleteGroupStreams[] = "DELETE FROM logs_streams WHERE group_id = ?";
constexpr char kDeleteGroup[] = "DELETE FROM logs_groups WHERE id = ?";
constexpr char kSetRetention[] = "UPDATE logs_groups SET retention_days = ? WHERE id = ?";
constexpr char kSetTags[] = "UPDATE logs_groups SET tags = ? WHERE id = ?";
constexpr char kSelectStream[] =
    "SELECT id, name, creation_ms, first_event_ms, last_event_ms, last_ingestion_ms, "
    "stored_bytes FROM logs_streams WHERE group_id = ? AND name = ?";
constexpr char kSelectStreams[] =
    "SELECT id, name, creation_ms, first_event_ms, last_event_ms, last_ingestion_ms, "
    "stored_bytes FROM logs_streams WHERE group_id = ? ORDER BY name";
constexpr char kInsertStream[] =
    "INSERT INTO logs_streams (group_id, name, creation_ms) VALUES (?, ?, ?) "
    "ON CONFLICT (group_id, name) DO NOTHING";
constexpr char kDeleteStreamEvents[] = "DELETE FROM logs_events WHERE stream_id = ?";
constexpr char kDeleteStream[] = "DELETE FROM logs_streams WHERE id = ?";
constexpr char kInsertEvent[] =
    "INSERT INTO logs_events (group_id, stream_id, timestamp_ms, ingestion_ms, message) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr char kRecordStreamEvents[] =
    "UPDATE logs_streams SET "
    "  first_event_ms = min(coalesce(first_event_ms, ?1), ?1),"
    "  last_event_ms = max(coalesce(last_event_ms, ?2), ?2),"
    "  last_ingestion_ms = ?3, stored_bytes = stored_bytes + ?4 WHERE id = ?5";
constexpr char kAddGroupBytes[] =
    "UPDATE logs_groups SET stored_bytes = stored_bytes + ? WHERE id = ?";
constexpr char kAddStreamBytes[] =
    "UPDATE logs_streams SET stored_bytes = stored_bytes + ? WHERE id = ?";
constexpr char kForwardEvents[] =
    "SELECT id, timestamp_ms, ingestion_ms, message FROM logs_events "
    "WHERE stream_id = ?1 AND timestamp_ms >= ?2 AND timestamp_ms < ?3 "
    "AND (timestamp_ms, id) > (?4, ?5) ORDER BY timestamp_ms, id LIMIT ?6";
constexpr char kBackwardEvents[] =
    "SELECT id, timestamp_ms, ingestion_ms, message FROM logs_events "
    "WHERE stream_id = ?1 AND timestamp_ms >= ?2 AND timestamp_ms < ?3 "
    "AND (timestamp_ms, id) < (?4, ?5) ORDER BY timestamp_ms DESC, id DESC LIMIT ?6";
constexpr char kGroupEvents[] =
    "SELECT id, stream_id, timestamp_ms, ingestion_ms, message FROM logs_events "
    "WHERE group_id = ?1 AND timestamp_ms >= ?2 AND timestamp_ms < ?3 "
    "AND (timestamp_ms, id) > (?4, ?5) ORDER BY timestamp_ms, id";
constexpr char kGroupsWithRetention[] =
    "SELECT id, retention_days FROM logs_groups WHERE retention_days IS NOT NULL";
constexpr char kDeleteExpired[] =
    "DELETE FROM logs_events WHERE id IN (SELECT id FROM logs_events WHERE group_id = ? AND "
    "timestamp_ms < ? ORDER BY group_id, timestamp_ms LIMIT ?) "
    "RETURNING group_id, stream_id, length(CAST(message AS BLOB))";
constexpr char kOldestSizes[] =
    "SELECT id, length(CAST(message AS BLOB)) FROM logs_events ORDER BY id LIMIT ?";
constexpr char kDeleteThrough[] =
    "DELETE FROM logs_events WHERE id <= ? "
    "RETURNING group_id, stream_id, length(CAST(message AS BLOB))";
constexpr char kTotalBytes[] = "SELECT coalesce(sum(stored_bytes), 0) FROM logs_groups";

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
// Rows one cleanup job deletes at most, so other writers never wait long behind it.
constexpr int64_t kDeletesPerJob = 5000;

Status GroupMissing() {
  return {AwsError::kResourceNotFound, "The specified log group does not exist."};
}
Status StreamMissing() {
  return {AwsError::kResourceNotFound, "The specified log stream does not exist."};
}

std::optional<int64_t> OptionalInt(const storage::Statement& st, int column) {
  if (st.ColumnIsNull(column)) return std::nullopt;
  return st.ColumnInt64(column);
}

LogGroup GroupFromRow(const storage::Statement& st) {
  LogGroup g;
  g.name = std::string(st.ColumnText(1));
  g.creation_ms = st.ColumnInt64(2);
  if (!st.ColumnIsNull(3)) g.retention_days = st.ColumnInt(3);
  g.tags = StringMapFromJson(st.ColumnText(4));
  g.log_group_class = std::string(st.ColumnText(5));
  g.kms_key_id = std::string(st.ColumnText(6));
  g.deletion_protection = st.ColumnInt(7) != 0;
  g.stored_bytes = st.ColumnInt64(8);
  return g;
}

LogStream StreamFromRow(const storage::Statement& st) {
  LogStream s;
  s.name = std::string(st.ColumnText(1));
  s.creation_ms = st.ColumnInt64(2);
  s.first_event_ms = OptionalInt(st, 3);
  s.last_event_ms = OptionalInt(st, 4);
  s.last_ingestion_ms = OptionalInt(st, 5);
  s.stored_bytes = st.ColumnInt64(6);
  return s;
}

// The group's row id and contents; ResourceNotFound when it does not exist.
Result<std::pair<int64_t, LogGroup>> LoadGroup(storage::Database& db, const std::string& name) {
  auto& st = db.Prepare(kSelectGroup);
  st.Bind(1, name);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
  if (!row) return GroupMissing();
  std::pair<int64_t, LogGroup> out{st.ColumnInt64(0), GroupFromRow(st)};
  st.Reset();
  return out;
}

Result<int64_t> FindGroupId(storage::Database& db, const std::string& name) {
  STREAMSTACK_ASSIGN_OR_RETURN(auto group, LoadGroup(db, name));
  return group.first;
}

Result<int64_t> FindStreamId(storage::Database& db, int64_t group_id, const std::string& name) {
  auto& st = db.Prepare(kSelectStream);
  st.Bind(1, group_id);
  st.Bind(2, name);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
  if (!row) return StreamMissing();
  int64_t id = st.ColumnInt64(0);
  st.Reset();
  return id;
}

Status InsertGroup(storage::Database& db, const LogGroup& g) {
  auto& st = db.Prepare(kInsertGroup);
  st.Bind(1, g.name);
  st.Bind(2, g.creation_ms);
  if (g.retention_days) {
    st.Bind(3, *g.retention_days);
  } else {
    st.Bind(3, nullptr);
  }
  st.Bind(4, StringMapToJson(g.tags));
  st.Bind(5, g.log_group_class);
  st.Bind(6, g.kms_key_id);
  st.Bind(7, g.deletion_protection);
  return st.Run();
}

Status InsertStream(storage::Database& db, int64_t group_id, const std::string& name,
                    int64_t now_ms) {
  auto& st = db.Prepare(kInsertStream);
  st.Bind(1, group_id);
  st.Bind(2, name);
  st.Bind(3, now_ms);
  return st.Run();
}

Status RunWithId(storage::Database& db, const char* sql, int64_t id) {
  auto& st = db.Prepare(sql);
  st.Bind(1, id);
  return st.Run();
}

Status AddBytes(storage::Database& db, const char* sql, int64_t bytes, int64_t id) {
  auto& st = db.Prepare(sql);
  st.Bind(1, bytes);
  st.Bind(2, id);
  return st.Run();
}

// Appends events to a stream and keeps its and its group's figures.
Status InsertEvents(storage::Database& db, int64_t group_id, int64_t stream_id,
                    const std::vector<LogEvent>& events, int64_t now_ms) {
  if (events.empty()) return Status::Ok();
  auto& insert = db.Prepare(kInsertEvent);
  int64_t bytes = 0;
  int64_t first = kMax;
  int64_t last = kMin;
  for (const LogEvent& e : events) {
    insert.Bind(1, group_id);
    insert.Bind(2, stream_id);
    insert.Bind(3, e.timestamp_ms);
    insert.Bind(4, now_ms);
    insert.Bind(5, e.message);
    STREAMSTACK_RETURN_IF_ERROR(insert.Run());
    bytes += static_cast<int64_t>(e.message.size());
    first = std::min(first, e.timestamp_ms);
    last = std::max(last, e.timestamp_ms);
  }
  auto& stream = db.Prepare(kRecordStreamEvents);
  stream.Bind(1, first);
  stream.Bind(2, last);
  stream.Bind(3, now_ms);
  stream.Bind(4, bytes);
  stream.Bind(5, stream_id);
  STREAMSTACK_RETURN_IF_ERROR(stream.Run());
  return AddBytes(db, kAddGroupBytes, bytes, group_id);
}

// Runs a DELETE ... RETURNING group_id, stream_id, bytes and takes the deleted bytes off
// the streams' and groups' figures. Returns the rows deleted.
Result<int64_t> DeleteAndAccount(storage::Database& db, storage::Statement& del) {
  std::unordered_map<int64_t, int64_t> group_bytes;
  std::unordered_map<int64_t, int64_t> stream_bytes;
  int64_t rows = 0;
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, del.Step());
    if (!row) break;
    ++rows;
    group_bytes[del.ColumnInt64(0)] += del.ColumnInt64(2);
    stream_bytes[del.ColumnInt64(1)] += del.ColumnInt64(2);
  }
  for (auto& [id, bytes] : group_bytes) {
    STREAMSTACK_RETURN_IF_ERROR(AddBytes(db, kAddGroupBytes, -bytes, id));
  }
  for (auto& [id, bytes] : stream_bytes) {
    STREAMSTACK_RETURN_IF_ERROR(AddBytes(db, kAddStreamBytes, -bytes, id));
  }
  return rows;
}

// Reads events of one query into `page`, up to `limit` events and AWS's 1 MB; false in
// `page->complete` when rows were left.
Status ReadEvents(storage::Statement& st, int limit, EventPage* page) {
  int64_t page_bytes = 0;
  page->complete = true;
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
    if (!row) break;
    std::string_view message = st.ColumnText(3);
    int64_t size = static_cast<int64_t>(message.size()) + LogStore::kEventOverheadBytes;
    if (static_cast<int>(page->events.size()) >= limit ||
        (page_bytes + size > LogStore::kMaxPageBytes && !page->events.empty())) {
      page->complete = false;
      st.Reset();
      break;
    }
    page_bytes += size;
    StoredEvent e;
    e.position = {st.ColumnInt64(1), st.ColumnInt64(0)};
    e.ingestion_ms = st.ColumnInt64(2);
    e.message = std::string(message);
    page->events.push_back(std::move(e));
  }
  return Status::Ok();
}

}  // namespace

LogStore::LogStore(storage::Store& store, Clock& clock, AccountScope scope, LogStoreOptions options)
    : store_(store), clock_(clock), scope_(std::move(scope)), options_(options) {}

Status LogStore::Open() { return store_.Migrate("logs", kMigrations); }

void LogStore::CreateLogGroup(LogGroup group, StatusDone done) {
  group.creation_ms = clock_.NowMillis();
  group.stored_bytes = 0;
  store_.Write(
      [group = std::move(group)](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_RETURN_IF_ERROR(InsertGroup(ctx.db(), group));
        if (ctx.db().Changes() == 0) {
          return {AwsError::kResourceAlreadyExists, "The specified log group already exists"};
        }
        return Status::Ok();
      },
      std::move(done));
}

void LogStore::DeleteLogGroup(const std::string& name, StatusDone done) {
  store_.Write(
      [name](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto id, FindGroupId(ctx.db(), name));
        STREAMSTACK_RETURN_IF_ERROR(RunWithId(ctx.db(), kDeleteGroupEvents, id));
        STREAMSTACK_RETURN_IF_ERROR(RunWithId(ctx.db(), kDeleteGroupStreams, id));
        return RunWithId(ctx.db(), kDeleteGroup, id);
      },
      std::move(done));
}

Result<LogGroup> LogStore::GetLogGroup(const std::string& name) const {
  return store_.Read([&](storage::Database& db) -> Result<LogGroup> {
    STREAMSTACK_ASSIGN_OR_RETURN(auto group, LoadGroup(db, name));
    return std::move(group.second);
  });
}

Result<std::vector<LogGroup>> LogStore::ListLogGroups(const std::string& prefix) const {
  return store_.Read([&](storage::Database& db) -> Result<std::vector<LogGroup>> {
    std::vector<LogGroup> out;
    auto& st = db.Prepare(kSelectGroups);
    st.Bind(1, prefix);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
      if (!row) break;
      std::string_view name = st.ColumnText(1);
      if (!name.starts_with(prefix)) {
        st.Reset();
        break;  // sorted by name: no later name has the prefix
      }
      out.push_back(GroupFromRow(st));
    }
    return out;
  });
}

void LogStore::PutRetentionPolicy(const std::string& name, std::optional<int> days,
                                  StatusDone done) {
  store_.Write(
      [name, days](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto id, FindGroupId(ctx.db(), name));
        auto& st = ctx.db().Prepare(kSetRetention);
        if (days) {
          st.Bind(1, *days);
        } else {
          st.Bind(1, nullptr);
        }
        st.Bind(2, id);
        return st.Run();
      },
      std::move(done));
}

void LogStore::TagLogGroup(const std::string& name, std::map<std::string, std::string> tags,
                           StatusDone done) {
  store_.Write(
      [name, tags = std::move(tags)](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto group, LoadGroup(ctx.db(), name));
        auto merged = group.second.tags;
        for (const auto& [k, v] : tags) merged[k] = v;
        if (merged.size() > 50) {
          return {AwsError::kTooManyTags, "A resource can have no more than 50 tags."};
        }
        auto& st = ctx.db().Prepare(kSetTags);
        st.Bind(1, StringMapToJson(merged));
        st.Bind(2, group.first);
        return st.Run();
      },
      std::move(done));
}

void LogStore::UntagLogGroup(const std::string& name, std::vector<std::string> keys,
                             StatusDone done) {
  store_.Write(
      [name, keys = std::move(keys)](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto group, LoadGroup(ctx.db(), name));
        auto tags = group.second.tags;
        for (const auto& k : keys) tags.erase(k);
        auto& st = ctx.db().Prepare(kSetTags);
        st.Bind(1, StringMapToJson(tags));
        st.Bind(2, group.first);
        return st.Run();
      },
      std::move(done));
}

void LogStore::CreateLogStream(const std::string& group, const std::string& stream,
                               StatusDone done) {
  const int64_t now_ms = clock_.NowMillis();
  store_.Write(
      [group, stream, now_ms](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto id, FindGroupId(ctx.db(), group));
        STREAMSTACK_RETURN_IF_ERROR(InsertStream(ctx.db(), id, stream, now_ms));
        if (ctx.db().Changes() == 0) {
          return {AwsError::kResourceAlreadyExists, "The specified log stream already exists"};
        }
        return Status::Ok();
      },
      std::move(done));
}

void LogStore::DeleteLogStream(const std::string& group, const std::string& stream,
                               StatusDone done) {
  store_.Write(
      [group, stream](storage::WriteContext& ctx) -> Status {
        auto& db = ctx.db();
        STREAMSTACK_ASSIGN_OR_RETURN(auto group_id, FindGroupId(db, group));
        auto& st = db.Prepare(kSelectStream);
        st.Bind(1, group_id);
        st.Bind(2, stream);
        STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
        if (!row) return StreamMissing();
        const int64_t stream_id = st.ColumnInt64(0);
        const int64_t bytes = st.ColumnInt64(6);
        st.Reset();
        STREAMSTACK_RETURN_IF_ERROR(RunWithId(db, kDeleteStreamEvents, stream_id));
        STREAMSTACK_RETURN_IF_ERROR(RunWithId(db, kDeleteStream, stream_id));
        return AddBytes(db, kAddGroupBytes, -bytes, group_id);
      },
      std::move(done));
}

Result<std::vector<LogStream>> LogStore::ListLogStreams(const std::string& group) const {
  return store_.Read([&](storage::Database& db) -> Result<std::vector<LogStream>> {
    STREAMSTACK_ASSIGN_OR_RETURN(auto group_id, FindGroupId(db, group));
    std::vector<LogStream> out;
    auto& st = db.Prepare(kSelectStreams);
    st.Bind(1, group_id);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
      if (!row) break;
      out.push_back(StreamFromRow(st));
    }
    return out;
  });
}

void LogStore::PutLogEvents(const std::string& group, const std::string& stream,
                            std::vector<LogEvent> events, StatusDone done) {
  const int64_t now_ms = clock_.NowMillis();
  store_.Write(
      [group, stream, now_ms, events = std::move(events)](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto group_id, FindGroupId(ctx.db(), group));
        STREAMSTACK_ASSIGN_OR_RETURN(auto stream_id, FindStreamId(ctx.db(), group_id, stream));
        return InsertEvents(ctx.db(), group_id, stream_id, events, now_ms);
      },
      std::move(done));
}

void LogStore::Append(const std::string& log_group, const std::string& log_stream,
                      std::vector<LogEvent> events) {
  int64_t bytes = 0;
  for (const auto& e : events) bytes += static_cast<int64_t>(e.message.size());
  if (pending_bytes_.fetch_add(bytes) + bytes > options_.max_pending_function_log_bytes) {
    pending_bytes_.fetch_sub(bytes);
    if (dropped_bytes_.fetch_add(bytes) == 0) {
      spdlog::warn(
          "logs: function logs arrive faster than they can be stored; dropping some "
          "(first in {} {})",
          log_group, log_stream);
    }
    return;
  }
  const int64_t now_ms = clock_.NowMillis();
  store_.Write(
      [log_group, log_stream, now_ms,
       events = std::move(events)](storage::WriteContext& ctx) -> Status {
        auto& db = ctx.db();
        LogGroup group;
        group.name = log_group;
        group.creation_ms = now_ms;
        STREAMSTACK_RETURN_IF_ERROR(InsertGroup(db, group));  // Lambda creates it when missing
        STREAMSTACK_ASSIGN_OR_RETURN(auto group_id, FindGroupId(db, log_group));
        STREAMSTACK_RETURN_IF_ERROR(InsertStream(db, group_id, log_stream, now_ms));
        STREAMSTACK_ASSIGN_OR_RETURN(auto stream_id, FindStreamId(db, group_id, log_stream));
        return InsertEvents(db, group_id, stream_id, events, now_ms);
      },
      [this, bytes, log_group](Status st) {
        pending_bytes_.fetch_sub(bytes);
        if (!st.ok()) spdlog::warn("logs: storing {}'s log failed: {}", log_group, st.message());
      });
}

Result<EventPage> LogStore::GetLogEvents(const GetEventsRequest& r) const {
  return store_.Read([&](storage::Database& db) -> Result<EventPage> {
    STREAMSTACK_ASSIGN_OR_RETURN(auto group_id, FindGroupId(db, r.log_group));
    STREAMSTACK_ASSIGN_OR_RETURN(auto stream_id, FindStreamId(db, group_id, r.log_stream));
    auto& st = db.Prepare(r.forward ? kForwardEvents : kBackwardEvents);
    EventPosition bound = r.forward ? r.after.value_or(EventPosition{kMin, kMin})
                                    : r.before.value_or(EventPosition{kMax, kMax});
    st.Bind(1, stream_id);
    st.Bind(2, r.start_ms.value_or(kMin));
    st.Bind(3, r.end_ms.value_or(kMax));
    st.Bind(4, bound.timestamp_ms);
    st.Bind(5, bound.id);
    st.Bind(6, r.limit + 1);  // one more tells whether the page is the last
    EventPage page;
    STREAMSTACK_RETURN_IF_ERROR(ReadEvents(st, r.limit, &page));
    if (!r.forward) std::reverse(page.events.begin(), page.events.end());
    return page;
  });
}

Result<EventPage> LogStore::FilterLogEvents(const FilterEventsRequest& r) const {
  return store_.Read([&](storage::Database& db) -> Result<EventPage> {
    STREAMSTACK_ASSIGN_OR_RETURN(auto group_id, FindGroupId(db, r.log_group));
    // The group's streams by id; which of them the request searches.
    std::unordered_map<int64_t, std::string> names;
    std::unordered_set<int64_t> searched;
    const bool all_streams = r.log_streams.empty() && r.log_stream_prefix.empty();
    auto& streams = db.Prepare(kSelectStreams);
    streams.Bind(1, group_id);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, streams.Step());
      if (!row) break;
      std::string name(streams.ColumnText(1));
      int64_t id = streams.ColumnInt64(0);
      bool wanted = r.log_streams.empty() ? name.starts_with(r.log_stream_prefix)
                                          : std::find(r.log_streams.begin(), r.log_streams.end(),
                                                      name) != r.log_streams.end();
      if (wanted) searched.insert(id);
      names.emplace(id, std::move(name));
    }
    EventPage page;
    if (!all_streams && searched.empty()) return page;
    const bool match_all = r.pattern == nullptr || r.pattern->MatchesEverything();
    EventPosition after = r.after.value_or(EventPosition{kMin, kMin});
    auto& st = db.Prepare(kGroupEvents);
    st.Bind(1, group_id);
    st.Bind(2, r.start_ms.value_or(kMin));
    st.Bind(3, r.end_ms.value_or(kMax));
    st.Bind(4, after.timestamp_ms);
    st.Bind(5, after.id);
    int64_t page_bytes = 0;
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
      if (!row) break;
      const int64_t stream_id = st.ColumnInt64(1);
      if (!all_streams && !searched.contains(stream_id)) continue;
      std::string_view message = st.ColumnText(4);
      if (!match_all && !r.pattern->Matches(message)) continue;
      int64_t size = static_cast<int64_t>(message.size()) + kEventOverheadBytes;
      if (static_cast<int>(page.events.size()) >= r.limit ||
          (page_bytes + size > kMaxPageBytes && !page.events.empty())) {
        page.complete = false;
        st.Reset();
        break;
      }
      page_bytes += size;
      StoredEvent e;
      e.position = {st.ColumnInt64(2), st.ColumnInt64(0)};
      e.ingestion_ms = st.ColumnInt64(3);
      e.log_stream = names[stream_id];
      e.message = std::string(message);
      page.events.push_back(std::move(e));
    }
    return page;
  });
}

Result<int64_t> LogStore::EnforceLimits() {
  const int64_t now_ms = clock_.NowMillis();
  int64_t deleted = 0;
  // Retention, group by group, in bounded jobs.
  auto groups =
      store_.Read([&](storage::Database& db) -> Result<std::vector<std::pair<int64_t, int64_t>>> {
        std::vector<std::pair<int64_t, int64_t>> out;  // group id, oldest timestamp kept
        auto& st = db.Prepare(kGroupsWithRetention);
        while (true) {
          STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
          if (!row) break;
          out.emplace_back(st.ColumnInt64(0), now_ms - st.ColumnInt64(1) * 86400000);
        }
        return out;
      });
  if (!groups.ok()) return groups.status();
  for (const auto& [group_id, oldest_kept] : *groups) {
    while (true) {
      auto rows = RunCleanupJob([&, group_id = group_id, oldest_kept = oldest_kept](
                                    storage::Database& db) -> Result<int64_t> {
        auto& del = db.Prepare(kDeleteExpired);
        del.Bind(1, group_id);
        del.Bind(2, oldest_kept);
        del.Bind(3, kDeletesPerJob);
        return DeleteAndAccount(db, del);
      });
      if (!rows.ok()) return rows.status();
      deleted += *rows;
      if (*rows < kDeletesPerJob) break;
    }
  }
  // The cap: oldest events first, down to 90% of it so the next writes do not trip it again.
  if (options_.max_stored_bytes <= 0) return deleted;
  auto total = TotalStoredBytes();
  if (!total.ok()) return total.status();
  if (*total <= options_.max_stored_bytes) return deleted;
  const int64_t target = options_.max_stored_bytes / 10 * 9;
  while (*total > target) {
    const int64_t excess = *total - target;
    auto rows = RunCleanupJob([&](storage::Database& db) -> Result<int64_t> {
      // The oldest events whose bytes cover the excess (at most a job's worth), then them.
      auto& sizes = db.Prepare(kOldestSizes);
      sizes.Bind(1, kDeletesPerJob);
      int64_t covered = 0;
      int64_t last_id = -1;
      while (covered < excess) {
        STREAMSTACK_ASSIGN_OR_RETURN(auto row, sizes.Step());
        if (!row) break;
        last_id = sizes.ColumnInt64(0);
        covered += sizes.ColumnInt64(1);
      }
      sizes.Reset();
      if (last_id < 0) return int64_t{0};
      auto& del = db.Prepare(kDeleteThrough);
      del.Bind(1, last_id);
      return DeleteAndAccount(db, del);
    });
    if (!rows.ok()) return rows.status();
    deleted += *rows;
    if (*rows == 0) break;
    total = TotalStoredBytes();
    if (!total.ok()) return total.status();
  }
  return deleted;
}

Result<int64_t> LogStore::RunCleanupJob(
    const std::function<Result<int64_t>(storage::Database&)>& job) {
  int64_t rows = 0;
  Status st = store_.WriteSync([&](storage::WriteContext& ctx) -> Status {
    STREAMSTACK_ASSIGN_OR_RETURN(auto n, job(ctx.db()));
    rows = n;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return rows;
}

Result<int64_t> LogStore::TotalStoredBytes() const {
  return store_.Read([](storage::Database& db) -> Result<int64_t> {
    auto& st = db.Prepare(kTotalBytes);
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
    int64_t bytes = row ? st.ColumnInt64(0) : 0;
    st.Reset();
    return bytes;
  });
}

}  // namespace streamstack::logs
