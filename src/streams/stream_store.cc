#include "streamstack/streams/stream_store.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <unordered_map>
#include <utility>

#include "streams/shard_iterator.h"
#include "streams/stream_sql.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/common/violations.h"

namespace streamstack::streams {
namespace {

using storage::Database;
using storage::Statement;
using storage::Transaction;
using storage::WriteContext;

// AWS: "GetRecords can retrieve a maximum of 1 MB of data or 1000 stream records".
constexpr size_t kMaxResponseBytes = 1024 * 1024;
constexpr int kMaxGetRecordsLimit = 1000;
constexpr int kMaxListLimit = 100;
constexpr std::string_view kEventVersion = "1.1";

// Shape constraints from the botocore model (dynamodbstreams 2012-08-10).
constexpr size_t kStreamArnMin = 37, kStreamArnMax = 1024;
constexpr size_t kShardIdMin = 28, kShardIdMax = 65;
constexpr size_t kSequenceNumberMin = 21, kSequenceNumberMax = 40;
constexpr size_t kShardIteratorMin = 1, kShardIteratorMax = 2048;
constexpr size_t kTableNameMin = 3, kTableNameMax = 255;

std::string_view EventNameText(EventName name) {
  switch (name) {
    case EventName::kInsert:
      return "INSERT";
    case EventName::kModify:
      return "MODIFY";
    case EventName::kRemove:
      return "REMOVE";
  }
  return "INSERT";
}

std::optional<StreamStatus> ParseStreamStatus(std::string_view text) {
  for (StreamStatus s : {StreamStatus::kEnabling, StreamStatus::kEnabled, StreamStatus::kDisabling,
                         StreamStatus::kDisabled}) {
    if (StreamStatusName(s) == text) return s;
  }
  return std::nullopt;
}

bool IncludesNewImage(StreamViewType t) {
  return t == StreamViewType::kNewImage || t == StreamViewType::kNewAndOldImages;
}
bool IncludesOldImage(StreamViewType t) {
  return t == StreamViewType::kOldImage || t == StreamViewType::kNewAndOldImages;
}

bool ValidTableName(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

std::string StreamNotFound(std::string_view arn) {
  return "Requested resource not found: Stream: " + std::string(arn) + " not found";
}
constexpr char kShardNotFound[] = "Requested resource not found: Shard does not exist";
constexpr char kTrimmedMessage[] =
    "The operation attempted to read past the oldest stream record in a shard.";

// Java's Date.toString() in UTC, as AWS's ExpiredIteratorException message prints times.
std::string JavaDate(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
  return std::string(buf, n);
}

// "shardId-<20 digits: creation epoch millis>-<8 hex>", as AWS's shard ids look.
std::string NewShardId(int64_t created_ms) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(created_ms));
  return "shardId-" + std::string(digits) + "-" + RandomHex(4);
}

// The stream label: ISO-8601 UTC with milliseconds, without the zone letter.
std::string StreamLabel(int64_t ms) {
  std::string label = FormatIso8601Millis(ms);
  if (!label.empty() && label.back() == 'Z') label.pop_back();
  return label;
}

// A TTL deletion's record names its deleter. Lambda's event spells the members in lower
// camel case (as the seeds show); the Streams API's Identity shape (botocore) capitalises
// them. Records are stored in Lambda's form, last member of the object, and GetRecords
// rewrites that suffix.
constexpr std::string_view kTtlIdentityForLambda =
    R"(,"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}})";
constexpr std::string_view kTtlIdentityForStreamsApi =
    R"(,"userIdentity":{"Type":"Service","PrincipalId":"dynamodb.amazonaws.com"}})";

// The record as the Streams API returns it.
std::string ForStreamsApi(std::string_view stored) {
  if (!stored.ends_with(kTtlIdentityForLambda)) return std::string(stored);
  std::string out(stored.substr(0, stored.size() - kTtlIdentityForLambda.size()));
  out += kTtlIdentityForStreamsApi;
  return out;
}

std::string DumpJson(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The record object exactly as GetRecords returns it (and Lambda's event, less
// eventSourceARN), written once at Append time in AWS's member order.
std::string BuildRecordJson(std::string_view event_id, const ChangeRecord& record,
                            std::string_view region, int64_t created_ms, int64_t sequence,
                            StreamViewType view_type) {
  const bool new_image = IncludesNewImage(view_type) && record.new_image.is_object();
  const bool old_image = IncludesOldImage(view_type) && record.old_image.is_object();
  int64_t size = record.keys_size_bytes;
  if (new_image) size += record.new_image_size_bytes;
  if (old_image) size += record.old_image_size_bytes;

  std::string out;
  out.reserve(256);
  out += R"({"eventID":")";
  out += event_id;
  out += R"(","eventName":")";
  out += EventNameText(record.event_name);
  out += R"(","eventVersion":")";
  out += kEventVersion;
  out += R"(","eventSource":"aws:dynamodb","awsRegion":)";
  out += DumpJson(std::string(region));
  // AWS: rounded down to the second, an epoch-seconds floating-point number on the JSON
  // wire (1764085660.0), in GetRecords and in Lambda's events alike.
  out += R"(,"dynamodb":{"ApproximateCreationDateTime":)";
  out += std::to_string(created_ms / 1000);
  out += ".0";
  out += R"(,"Keys":)";
  out += record.keys.is_object() ? DumpJson(record.keys) : "{}";
  if (new_image) {
    out += R"(,"NewImage":)";
    out += DumpJson(record.new_image);
  }
  if (old_image) {
    out += R"(,"OldImage":)";
    out += DumpJson(record.old_image);
  }
  out += R"(,"SequenceNumber":")";
  out += StreamStore::FormatSequenceNumber(sequence);
  out += R"(","SizeBytes":)";
  out += std::to_string(size);
  out += R"(,"StreamViewType":")";
  out += StreamViewTypeName(view_type);
  out += R"("})";
  if (record.ttl_expiry) {
    out += kTtlIdentityForLambda;  // closes the record too
  } else {
    out += '}';
  }
  return out;
}

// Steps `st` once; *has_row tells whether a row is available.
Status StepRow(Statement& st, bool* has_row) {
  Result<bool> row = st.Step();
  if (!row.ok()) return std::move(row).take_status();
  *has_row = *row;
  return Status::Ok();
}

Result<StreamInfo> ReadStreamRow(Statement& st) {
  StreamInfo info;
  info.stream_id = st.ColumnInt64(0);
  info.stream_arn = std::string(st.ColumnText(1));
  info.stream_label = std::string(st.ColumnText(2));
  info.table_name = std::string(st.ColumnText(3));
  auto view = ParseStreamViewType(st.ColumnText(4));
  auto status = ParseStreamStatus(st.ColumnText(5));
  if (!view || !status) {
    return Status(AwsError::kInternalFailure, "corrupt stream row " + info.stream_arn);
  }
  info.view_type = *view;
  info.status = *status;
  info.key_schema = nlohmann::json::parse(st.ColumnText(6), nullptr, false);
  if (info.key_schema.is_discarded()) info.key_schema = nlohmann::json::array();
  info.created_ms = st.ColumnInt64(7);
  info.disabled_ms = st.ColumnInt64(8);
  return info;
}

// The stream named by `arn`, or ResourceNotFoundException as AWS words it.
Result<StreamInfo> LoadStream(Database& db, const std::string& arn) {
  Statement& st = db.Prepare(sql::kSelectStreamByArn);
  st.Bind(1, arn);
  bool has_row = false;
  STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
  if (!has_row) return Status(AwsError::kResourceNotFound, StreamNotFound(arn));
  Result<StreamInfo> info = ReadStreamRow(st);
  st.Reset();
  return info;
}

Result<int64_t> LastSequenceOfShard(Database& db, int64_t shard_rowid) {
  Statement& st = db.Prepare(sql::kSelectLastSequence);
  st.Bind(1, shard_rowid);
  bool has_row = false;
  STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
  int64_t last = has_row ? st.ColumnInt64(0) : 0;
  st.Reset();
  return last;
}

// One shard as a reader sees it, for the iterator operations.
struct ShardRow {
  int64_t rowid = 0;
  int64_t stream_id = 0;
  int64_t starting = 0;
  std::optional<int64_t> ending;  // nullopt while open
  int64_t trimmed_through = 0;
};

}  // namespace

std::string_view StreamViewTypeName(StreamViewType type) {
  switch (type) {
    case StreamViewType::kKeysOnly:
      return "KEYS_ONLY";
    case StreamViewType::kNewImage:
      return "NEW_IMAGE";
    case StreamViewType::kOldImage:
      return "OLD_IMAGE";
    case StreamViewType::kNewAndOldImages:
      return "NEW_AND_OLD_IMAGES";
  }
  return "KEYS_ONLY";
}

std::optional<StreamViewType> ParseStreamViewType(std::string_view name) {
  for (StreamViewType t : {StreamViewType::kKeysOnly, StreamViewType::kNewImage,
                           StreamViewType::kOldImage, StreamViewType::kNewAndOldImages}) {
    if (StreamViewTypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view StreamStatusName(StreamStatus status) {
  switch (status) {
    case StreamStatus::kEnabling:
      return "ENABLING";
    case StreamStatus::kEnabled:
      return "ENABLED";
    case StreamStatus::kDisabling:
      return "DISABLING";
    case StreamStatus::kDisabled:
      return "DISABLED";
  }
  return "ENABLED";
}

std::string StreamStore::FormatSequenceNumber(int64_t sequence) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "1%020lld", static_cast<long long>(sequence));
  return buf;
}

std::optional<int64_t> StreamStore::ParseSequenceNumber(std::string_view text) {
  if (text.size() != 21 || text[0] != '1') return std::nullopt;
  int64_t value = 0;
  std::string_view digits = text.substr(1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// ---------------------------------------------------------------------------------------
struct StreamStore::Impl {
  Impl(storage::Store& s, const Clock& c, AccountScope sc, StreamOptions o)
      : store(s), clock(c), scope(std::move(sc)), options(o) {}

  // Constant after construction.
  storage::Store& store;
  const Clock& clock;
  const AccountScope scope;
  const StreamOptions options;

  // Only the writer thread touches this (every method taking a WriteContext, and
  // TrimExpired's job); Open() sets it before any write. A failed job leaves a gap, which
  // keeps sequence numbers strictly increasing.
  int64_t next_sequence = 1;

  // High-water marks by shard rowid. Entries appear and change only in OnCommit callbacks,
  // so they never show an uncommitted record.
  mutable Mutex watermarks_mu;
  std::unordered_map<int64_t, std::shared_ptr<ShardWatermark>> watermarks GUARDED_BY(watermarks_mu);

  // Copy-on-write, so a listener may add or remove listeners while being called.
  using ListenerList = std::vector<std::pair<int, Listener>>;
  mutable Mutex listeners_mu;
  std::shared_ptr<const ListenerList> listeners GUARDED_BY(listeners_mu) =
      std::make_shared<ListenerList>();
  int next_listener GUARDED_BY(listeners_mu) = 1;

  std::shared_ptr<ShardWatermark> WatermarkFor(int64_t shard_rowid) {
    MutexLock lock(watermarks_mu);
    auto& slot = watermarks[shard_rowid];
    if (!slot) slot = std::make_shared<ShardWatermark>();
    return slot;
  }
  std::shared_ptr<const ShardWatermark> FindWatermark(int64_t shard_rowid) const {
    MutexLock lock(watermarks_mu);
    auto it = watermarks.find(shard_rowid);
    return it == watermarks.end() ? nullptr : it->second;
  }

  void Notify(const std::string& arn, const std::string& shard_id) const {
    std::shared_ptr<const ListenerList> snapshot;
    {
      MutexLock lock(listeners_mu);
      snapshot = listeners;
    }
    for (const auto& [handle, listener] : *snapshot) listener(arn, shard_id);
  }

  struct OpenShard {
    int64_t rowid = 0;
    std::string shard_id;
    int64_t starting = 0;
    int64_t trimmed_through = 0;
    int64_t created_ms = 0;
  };

  // Opens a shard of `stream_id` (writer thread). Its watermark and listeners hear of it
  // on commit.
  Result<OpenShard> CreateShard(WriteContext& ctx, int64_t stream_id, const std::string& arn,
                                const std::string& parent_shard_id, int64_t now_ms) {
    OpenShard shard;
    shard.shard_id = NewShardId(now_ms);
    shard.starting = next_sequence;  // the first number the shard can hold; not consumed
    shard.created_ms = now_ms;
    Statement& insert = ctx.db().Prepare(sql::kInsertShard);
    insert.Bind(1, stream_id);
    insert.Bind(2, shard.shard_id);
    insert.Bind(3, parent_shard_id);
    insert.Bind(4, shard.starting);
    insert.Bind(5, now_ms);
    STREAMSTACK_RETURN_IF_ERROR(insert.Run());
    shard.rowid = ctx.db().LastInsertRowId();
    ctx.OnCommit([this, rowid = shard.rowid, arn, shard_id = shard.shard_id] {
      WatermarkFor(rowid);
      Notify(arn, shard_id);
    });
    return shard;
  }

  // Closes `shard` (writer thread): its EndingSequenceNumber is its last record's, or, for a
  // shard that never got one, its starting number (consumed, so the child starts above).
  Status CloseShard(WriteContext& ctx, const OpenShard& shard, const std::string& arn,
                    int64_t now_ms) {
    Result<int64_t> last = LastSequenceOfShard(ctx.db(), shard.rowid);
    if (!last.ok()) return std::move(last).take_status();
    int64_t ending = std::max(*last, shard.trimmed_through);
    if (ending < shard.starting) {
      ending = shard.starting;
      next_sequence = std::max(next_sequence, shard.starting + 1);
    }
    Statement& close = ctx.db().Prepare(sql::kCloseShard);
    close.Bind(1, ending);
    close.Bind(2, now_ms);
    close.Bind(3, shard.rowid);
    STREAMSTACK_RETURN_IF_ERROR(close.Run());
    ctx.OnCommit([this, arn, shard_id = shard.shard_id] { Notify(arn, shard_id); });
    return Status::Ok();
  }

  // The open shard of a stream (writer connection: sees this group's changes).
  Result<std::optional<OpenShard>> FindOpenShard(Database& db, int64_t stream_id) {
    Statement& st = db.Prepare(sql::kSelectOpenShard);
    st.Bind(1, stream_id);
    bool has_row = false;
    STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
    if (!has_row) return std::optional<OpenShard>();
    OpenShard shard;
    shard.rowid = st.ColumnInt64(0);
    shard.shard_id = std::string(st.ColumnText(1));
    shard.starting = st.ColumnInt64(2);
    shard.trimmed_through = st.ColumnInt64(3);
    shard.created_ms = st.ColumnInt64(4);
    st.Reset();
    return std::optional<OpenShard>(std::move(shard));
  }

  Result<ShardRow> LoadShardByRowid(Database& db, int64_t rowid) const {
    Statement& st = db.Prepare(sql::kSelectShardByRowid);
    st.Bind(1, rowid);
    bool has_row = false;
    STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
    if (!has_row) return Status(AwsError::kResourceNotFound, kShardNotFound);
    ShardRow row;
    row.rowid = rowid;
    row.stream_id = st.ColumnInt64(0);
    row.starting = st.ColumnInt64(1);
    if (!st.ColumnIsNull(2)) row.ending = st.ColumnInt64(2);
    row.trimmed_through = st.ColumnInt64(3);
    st.Reset();
    return row;
  }

  Result<ShardRow> LoadShard(Database& db, int64_t stream_id, const std::string& shard_id) const {
    Statement& st = db.Prepare(sql::kSelectShardById);
    st.Bind(1, stream_id);
    st.Bind(2, shard_id);
    bool has_row = false;
    STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
    if (!has_row) return Status(AwsError::kResourceNotFound, kShardNotFound);
    ShardRow row;
    row.rowid = st.ColumnInt64(0);
    row.stream_id = stream_id;
    row.starting = st.ColumnInt64(1);
    if (!st.ColumnIsNull(2)) row.ending = st.ColumnInt64(2);
    row.trimmed_through = st.ColumnInt64(3);
    st.Reset();
    return row;
  }

  Status Trim(WriteContext& ctx, int64_t now_ms, std::vector<int64_t>* forgotten_shards);

  // The shards of a stream, parents before children, with their published watermarks.
  Result<std::vector<Shard>> LoadShards(Database& db, int64_t stream_id) const {
    Statement& st = db.Prepare(sql::kSelectShardsOfStream);
    st.Bind(1, stream_id);
    std::vector<Shard> shards;
    for (;;) {
      bool has_row = false;
      STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
      if (!has_row) break;
      Shard s;
      int64_t rowid = st.ColumnInt64(0);
      s.shard_id = std::string(st.ColumnText(1));
      s.parent_shard_id = std::string(st.ColumnText(2));
      s.starting_sequence = FormatSequenceNumber(st.ColumnInt64(3));
      if (!st.ColumnIsNull(4)) s.ending_sequence = FormatSequenceNumber(st.ColumnInt64(4));
      s.created_ms = st.ColumnInt64(5);
      s.watermark = FindWatermark(rowid);
      // Committed, but its OnCommit callbacks have not run yet: nothing published so far.
      if (!s.watermark) s.watermark = std::make_shared<const ShardWatermark>();
      shards.push_back(std::move(s));
    }
    return shards;
  }
};

StreamStore::StreamStore(storage::Store& store, const Clock& clock, AccountScope scope,
                         StreamOptions options)
    : impl_(std::make_unique<Impl>(store, clock, std::move(scope), options)) {}

StreamStore::~StreamStore() = default;

Status StreamStore::Open() {
  STREAMSTACK_RETURN_IF_ERROR(impl_->store.Migrate("streams", sql::kMigrations));
  struct Loaded {
    int64_t rowid, last;
  };
  std::vector<Loaded> loaded;
  int64_t next = 1;
  Status status = impl_->store.Read([&](Database& db) -> Status {
    Transaction snapshot(db, Transaction::Kind::kDeferred);
    STREAMSTACK_RETURN_IF_ERROR(snapshot.Begin());
    std::vector<ShardRow> shards;
    Statement& st = db.Prepare(sql::kSelectAllShards);
    for (;;) {
      bool has_row = false;
      STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
      if (!has_row) break;
      ShardRow row;
      row.rowid = st.ColumnInt64(0);
      row.starting = st.ColumnInt64(1);
      if (!st.ColumnIsNull(2)) row.ending = st.ColumnInt64(2);
      row.trimmed_through = st.ColumnInt64(3);
      shards.push_back(row);
    }
    for (const ShardRow& row : shards) {
      Result<int64_t> last = LastSequenceOfShard(db, row.rowid);
      if (!last.ok()) return std::move(last).take_status();
      int64_t high = std::max(*last, row.trimmed_through);
      loaded.push_back({row.rowid, high});
      next = std::max(
          {next, high + 1, row.ending.value_or(0) + 1, row.ending ? int64_t{0} : row.starting});
    }
    return snapshot.Commit();
  });
  STREAMSTACK_RETURN_IF_ERROR(status);
  {
    MutexLock lock(impl_->watermarks_mu);
    for (const Loaded& l : loaded) {
      auto wm = std::make_shared<ShardWatermark>();
      wm->last_sequence.store(l.last, std::memory_order_relaxed);
      impl_->watermarks[l.rowid] = std::move(wm);
    }
  }
  // Published to the writer thread by the store's queue (a job runs after this returns).
  impl_->next_sequence = next;
  return Status::Ok();
}

// --- write side ------------------------------------------------------------------------

Result<StreamInfo> StreamStore::CreateStream(storage::WriteContext& ctx,
                                             const std::string& table_name,
                                             StreamViewType view_type,
                                             const nlohmann::json& key_schema) {
  Database& db = ctx.db();
  const int64_t now = impl_->clock.NowMillis();
  StreamInfo info;
  info.table_name = table_name;
  info.view_type = view_type;
  info.status = StreamStatus::kEnabled;
  info.key_schema = key_schema.is_array() ? key_schema : nlohmann::json::array();
  info.created_ms = now;
  // Labels are the creation time; a second stream of the same table within the same
  // millisecond takes the next free one, so every ARN stays unique.
  for (int64_t label_ms = now;; ++label_ms) {
    info.stream_label = StreamLabel(label_ms);
    info.stream_arn = arn::Stream(impl_->scope, table_name, info.stream_label);
    Statement& exists = db.Prepare(sql::kStreamArnExists);
    exists.Bind(1, info.stream_arn);
    bool has_row = false;
    STREAMSTACK_RETURN_IF_ERROR(StepRow(exists, &has_row));
    if (!has_row) break;
    exists.Reset();
  }
  Statement& insert = db.Prepare(sql::kInsertStream);
  insert.Bind(1, info.stream_arn);
  insert.Bind(2, info.stream_label);
  insert.Bind(3, table_name);
  insert.Bind(4, StreamViewTypeName(view_type));
  insert.Bind(5, DumpJson(info.key_schema));
  insert.Bind(6, StreamStatusName(info.status));
  insert.Bind(7, now);
  STREAMSTACK_RETURN_IF_ERROR(insert.Run());
  info.stream_id = db.LastInsertRowId();
  Result<Impl::OpenShard> shard = impl_->CreateShard(ctx, info.stream_id, info.stream_arn, "", now);
  if (!shard.ok()) return std::move(shard).take_status();
  return info;
}

Status StreamStore::DisableStream(storage::WriteContext& ctx, int64_t stream_id) {
  Database& db = ctx.db();
  const int64_t now = impl_->clock.NowMillis();
  Statement& st = db.Prepare(sql::kSelectStreamForAppend);
  st.Bind(1, stream_id);
  bool has_row = false;
  STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
  if (!has_row) {
    return Status(AwsError::kResourceNotFound,
                  "stream " + std::to_string(stream_id) + " not found");
  }
  std::string arn(st.ColumnText(0));
  bool already_disabled = st.ColumnText(2) == StreamStatusName(StreamStatus::kDisabled);
  st.Reset();
  if (already_disabled) return Status::Ok();

  Statement& update = db.Prepare(sql::kDisableStream);
  update.Bind(1, StreamStatusName(StreamStatus::kDisabled));
  update.Bind(2, now);
  update.Bind(3, stream_id);
  STREAMSTACK_RETURN_IF_ERROR(update.Run());
  Result<std::optional<Impl::OpenShard>> open = impl_->FindOpenShard(db, stream_id);
  if (!open.ok()) return std::move(open).take_status();
  if (open->has_value()) {
    STREAMSTACK_RETURN_IF_ERROR(impl_->CloseShard(ctx, **open, arn, now));
  }
  return Status::Ok();
}

Status StreamStore::Append(storage::WriteContext& ctx, int64_t stream_id,
                           const ChangeRecord& record) {
  Database& db = ctx.db();
  const int64_t now = impl_->clock.NowMillis();

  Statement& st = db.Prepare(sql::kSelectStreamForAppend);
  st.Bind(1, stream_id);
  bool has_row = false;
  STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
  if (!has_row) {
    return Status(AwsError::kInternalFailure,
                  "Append: stream " + std::to_string(stream_id) + " does not exist");
  }
  std::string arn(st.ColumnText(0));
  std::optional<StreamViewType> view_type = ParseStreamViewType(st.ColumnText(1));
  bool enabled = st.ColumnText(2) == StreamStatusName(StreamStatus::kEnabled);
  st.Reset();
  if (!view_type || !enabled) {
    return Status(AwsError::kInternalFailure, "Append: stream " + arn + " is not enabled");
  }

  Result<std::optional<Impl::OpenShard>> open = impl_->FindOpenShard(db, stream_id);
  if (!open.ok()) return std::move(open).take_status();
  if (!open->has_value()) {
    return Status(AwsError::kInternalFailure, "Append: stream " + arn + " has no open shard");
  }
  Impl::OpenShard shard = std::move(**open);
  // AWS closes a shard and opens a child about every 4 hours; here on the injected Clock.
  if (now - shard.created_ms >= impl_->options.shard_rollover.count()) {
    STREAMSTACK_RETURN_IF_ERROR(impl_->CloseShard(ctx, shard, arn, now));
    Result<Impl::OpenShard> child = impl_->CreateShard(ctx, stream_id, arn, shard.shard_id, now);
    if (!child.ok()) return std::move(child).take_status();
    shard = std::move(*child);
  }

  const int64_t sequence = impl_->next_sequence++;
  std::string json =
      BuildRecordJson(RandomHex(16), record, impl_->scope.region, now, sequence, *view_type);
  Statement& insert = db.Prepare(sql::kInsertRecord);
  insert.Bind(1, shard.rowid);
  insert.Bind(2, sequence);
  insert.Bind(3, now);
  insert.Bind(4, json);
  STREAMSTACK_RETURN_IF_ERROR(insert.Run());

  ctx.OnCommit([impl = impl_.get(), rowid = shard.rowid, sequence, arn = std::move(arn),
                shard_id = std::move(shard.shard_id)] {
    std::shared_ptr<ShardWatermark> wm = impl->WatermarkFor(rowid);
    int64_t seen = wm->last_sequence.load(std::memory_order_relaxed);
    while (seen < sequence &&
           !wm->last_sequence.compare_exchange_weak(seen, sequence, std::memory_order_release,
                                                    std::memory_order_relaxed)) {
    }
    impl->Notify(arn, shard_id);
  });
  return Status::Ok();
}

// --- the Streams API --------------------------------------------------------------------

Result<StreamStore::ListStreamsResult> StreamStore::ListStreams(
    const ListStreamsRequest& request) const {
  Violations errors;
  if (request.table_name) {
    errors.Length(request.table_name, "tableName", kTableNameMin, kTableNameMax);
    errors.Pattern(request.table_name, "tableName", "[a-zA-Z0-9_.-]+",
                   ValidTableName(*request.table_name));
  }
  if (request.limit) errors.Range(*request.limit, "limit", 1, kMaxListLimit);
  if (request.exclusive_start_stream_arn) {
    errors.Length(request.exclusive_start_stream_arn, "exclusiveStartStreamArn", kStreamArnMin,
                  kStreamArnMax);
  }
  STREAMSTACK_RETURN_IF_ERROR(errors.ToStatus());

  const int limit = request.limit.value_or(kMaxListLimit);
  const std::string start = request.exclusive_start_stream_arn.value_or("");
  return impl_->store.Read([&](Database& db) -> Result<ListStreamsResult> {
    Statement& st = db.Prepare(request.table_name ? sql::kListStreamsOfTable : sql::kListStreams);
    int i = 1;
    if (request.table_name) st.Bind(i++, *request.table_name);
    st.Bind(i++, start);
    st.Bind(i++, limit + 1);  // one more tells whether a next page exists
    ListStreamsResult result;
    for (;;) {
      bool has_row = false;
      STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
      if (!has_row) break;
      if (static_cast<int>(result.streams.size()) == limit) {
        result.last_evaluated_stream_arn = result.streams.back().stream_arn;
        st.Reset();
        break;
      }
      result.streams.push_back({std::string(st.ColumnText(0)), std::string(st.ColumnText(1)),
                                std::string(st.ColumnText(2))});
    }
    return result;
  });
}

Result<StreamStore::StreamDescription> StreamStore::DescribeStream(
    const DescribeStreamRequest& request) const {
  Violations errors;
  errors.Length(request.stream_arn, "streamArn", kStreamArnMin, kStreamArnMax);
  if (request.limit) errors.Range(*request.limit, "limit", 1, kMaxListLimit);
  if (request.exclusive_start_shard_id) {
    errors.Length(request.exclusive_start_shard_id, "exclusiveStartShardId", kShardIdMin,
                  kShardIdMax);
  }
  if (request.child_shards_of) {
    errors.Length(request.child_shards_of, "shardFilter.shardId", kShardIdMin, kShardIdMax);
  }
  STREAMSTACK_RETURN_IF_ERROR(errors.ToStatus());

  Result<StreamDescription> described =
      impl_->store.Read([&](Database& db) -> Result<StreamDescription> {
        Transaction snapshot(db, Transaction::Kind::kDeferred);
        STREAMSTACK_RETURN_IF_ERROR(snapshot.Begin());
        Result<StreamInfo> info = LoadStream(db, request.stream_arn);
        if (!info.ok()) return std::move(info).take_status();
        Result<std::vector<Shard>> shards = impl_->LoadShards(db, info->stream_id);
        if (!shards.ok()) return std::move(shards).take_status();
        STREAMSTACK_RETURN_IF_ERROR(snapshot.Commit());
        StreamDescription d;
        d.info = std::move(*info);
        d.shards = std::move(*shards);
        return d;
      });
  if (!described.ok()) return described;
  StreamDescription& d = *described;

  std::vector<Shard> all = std::move(d.shards);
  if (request.child_shards_of) {
    std::erase_if(all,
                  [&](const Shard& s) { return s.parent_shard_id != *request.child_shards_of; });
  }
  size_t begin = 0;
  if (request.exclusive_start_shard_id) {
    const std::string& start = *request.exclusive_start_shard_id;
    auto it =
        std::find_if(all.begin(), all.end(), [&](const Shard& s) { return s.shard_id == start; });
    if (it != all.end()) {
      begin = static_cast<size_t>(it - all.begin()) + 1;
    } else {
      // A shard no longer listed (trimmed): ids start with the creation time, so the ones
      // after it are those that sort after it.
      while (begin < all.size() && all[begin].shard_id <= start) ++begin;
    }
  }
  const size_t limit = static_cast<size_t>(request.limit.value_or(kMaxListLimit));
  d.shards.clear();
  for (size_t i = begin; i < all.size() && d.shards.size() < limit; ++i) {
    d.shards.push_back(std::move(all[i]));
  }
  if (begin + d.shards.size() < all.size()) d.last_evaluated_shard_id = d.shards.back().shard_id;
  return described;
}

Result<std::string> StreamStore::GetShardIterator(const GetShardIteratorRequest& request) const {
  Violations errors;
  errors.Length(request.stream_arn, "streamArn", kStreamArnMin, kStreamArnMax);
  errors.Length(request.shard_id, "shardId", kShardIdMin, kShardIdMax);
  const bool needs_sequence = request.type == ShardIteratorType::kAtSequenceNumber ||
                              request.type == ShardIteratorType::kAfterSequenceNumber;
  if (needs_sequence && request.sequence_number) {
    errors.Length(request.sequence_number, "sequenceNumber", kSequenceNumberMin,
                  kSequenceNumberMax);
  }
  STREAMSTACK_RETURN_IF_ERROR(errors.ToStatus());
  if (needs_sequence && !request.sequence_number) {
    return ValidationError(
        "Must provide a SequenceNumber for ShardIteratorType AT_SEQUENCE_NUMBER or "
        "AFTER_SEQUENCE_NUMBER");
  }

  const int64_t now = impl_->clock.NowMillis();
  return impl_->store.Read([&](Database& db) -> Result<std::string> {
    Transaction snapshot(db, Transaction::Kind::kDeferred);
    STREAMSTACK_RETURN_IF_ERROR(snapshot.Begin());
    Result<StreamInfo> info = LoadStream(db, request.stream_arn);
    if (!info.ok()) return std::move(info).take_status();
    Result<ShardRow> shard = impl_->LoadShard(db, info->stream_id, request.shard_id);
    if (!shard.ok()) return std::move(shard).take_status();

    int64_t after = 0;
    switch (request.type) {
      case ShardIteratorType::kTrimHorizon:
        after = std::max(shard->starting - 1, shard->trimmed_through);
        break;
      case ShardIteratorType::kLatest: {
        if (shard->ending) {
          after = *shard->ending;
        } else {
          Result<int64_t> last = LastSequenceOfShard(db, shard->rowid);
          if (!last.ok()) return std::move(last).take_status();
          after = std::max({*last, shard->trimmed_through, shard->starting - 1});
        }
        break;
      }
      case ShardIteratorType::kAtSequenceNumber:
      case ShardIteratorType::kAfterSequenceNumber: {
        const std::string& text = *request.sequence_number;
        std::optional<int64_t> sequence = ParseSequenceNumber(text);
        int64_t upper = 0;
        if (shard->ending) {
          upper = *shard->ending;
        } else {
          Result<int64_t> last = LastSequenceOfShard(db, shard->rowid);
          if (!last.ok()) return std::move(last).take_status();
          upper = std::max(*last, shard->trimmed_through);
        }
        if (!sequence || *sequence < shard->starting || *sequence > upper) {
          return ValidationError("Invalid SequenceNumber " + text + " for shard " +
                                 request.shard_id + ": it is not in the shard's range");
        }
        const bool at = request.type == ShardIteratorType::kAtSequenceNumber;
        // AWS: a sequence number older than the trim point is TrimmedDataAccessException.
        if (at ? *sequence <= shard->trimmed_through : *sequence < shard->trimmed_through) {
          return Status(AwsError::kTrimmedDataAccess, kTrimmedMessage);
        }
        after = at ? *sequence - 1 : *sequence;
        break;
      }
    }
    STREAMSTACK_RETURN_IF_ERROR(snapshot.Commit());
    return EncodeShardIterator({info->stream_id, shard->rowid, after, now});
  });
}

Result<StreamStore::GetRecordsResult> StreamStore::GetRecords(
    const GetRecordsRequest& request) const {
  Violations errors;
  errors.Length(request.shard_iterator, "shardIterator", kShardIteratorMin, kShardIteratorMax);
  if (request.limit && *request.limit < 1) errors.Range(*request.limit, "limit", 1, INT32_MAX);
  STREAMSTACK_RETURN_IF_ERROR(errors.ToStatus());
  // AWS documents LimitExceededException for "GetRecords was called with a value of more
  // than 1000 for the limit request parameter".
  if (request.limit && *request.limit > kMaxGetRecordsLimit) {
    return Status(AwsError::kLimitExceeded,
                  "1 validation error detected: Value '" + std::to_string(*request.limit) +
                      "' at 'limit' failed to satisfy constraint: Member must have value less "
                      "than or equal to 1000");
  }
  std::optional<ShardIteratorPosition> position = DecodeShardIterator(request.shard_iterator);
  if (!position) return ValidationError("Invalid ShardIterator");

  const int64_t now = impl_->clock.NowMillis();
  const int64_t lifetime = impl_->options.iterator_lifetime.count();
  if (now - position->issued_ms >= lifetime) {
    return Status(AwsError::kExpiredIterator,
                  "Iterator expired. The iterator was created at time " +
                      JavaDate(position->issued_ms) + " while right now it is " + JavaDate(now) +
                      " which is further in the future than the tolerated delay of " +
                      std::to_string(lifetime) + " milliseconds.");
  }
  const int limit = request.limit.value_or(kMaxGetRecordsLimit);

  return impl_->store.Read([&](Database& db) -> Result<GetRecordsResult> {
    Transaction snapshot(db, Transaction::Kind::kDeferred);
    STREAMSTACK_RETURN_IF_ERROR(snapshot.Begin());
    Result<ShardRow> shard = impl_->LoadShardByRowid(db, position->shard_rowid);
    if (!shard.ok()) return std::move(shard).take_status();
    if (shard->stream_id != position->stream_id) {
      return Status(AwsError::kResourceNotFound, kShardNotFound);
    }
    // The records after the iterator's position were deleted by retention.
    if (position->after_sequence < shard->trimmed_through) {
      return Status(AwsError::kTrimmedDataAccess, kTrimmedMessage);
    }
    GetRecordsResult result;
    Statement& st = db.Prepare(sql::kSelectRecordsAfter);
    st.Bind(1, shard->rowid);
    st.Bind(2, position->after_sequence);
    st.Bind(3, limit);
    int64_t after = position->after_sequence;
    size_t bytes = 0;
    bool truncated = false;
    for (;;) {
      bool has_row = false;
      STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
      if (!has_row) break;
      std::string_view json = st.ColumnText(2);
      if (!result.records.empty() && bytes + json.size() > kMaxResponseBytes) {
        truncated = true;
        st.Reset();
        break;
      }
      bytes += json.size();
      after = st.ColumnInt64(0);
      result.records.push_back(ForStreamsApi(json));
    }
    STREAMSTACK_RETURN_IF_ERROR(snapshot.Commit());
    // AWS: no NextShardIterator once a closed shard has nothing more to read.
    const bool drained =
        shard->ending && (after >= *shard->ending ||
                          (!truncated && static_cast<int>(result.records.size()) < limit));
    if (!drained) {
      result.next_shard_iterator =
          EncodeShardIterator({position->stream_id, shard->rowid, after, now});
    }
    return result;
  });
}

// --- for the table module and the delivery engine ------------------------------------

Result<StreamInfo> StreamStore::FindStream(const std::string& stream_arn) const {
  return impl_->store.Read(
      [&](Database& db) -> Result<StreamInfo> { return LoadStream(db, stream_arn); });
}

Result<std::vector<StreamStore::Shard>> StreamStore::ListShards(
    const std::string& stream_arn) const {
  return impl_->store.Read([&](Database& db) -> Result<std::vector<Shard>> {
    Result<StreamInfo> info = LoadStream(db, stream_arn);
    if (!info.ok()) return std::move(info).take_status();
    return impl_->LoadShards(db, info->stream_id);
  });
}

Result<std::vector<StreamStore::StoredRecord>> StreamStore::ReadRecords(
    const std::string& stream_arn, const std::string& shard_id, int64_t after_sequence,
    size_t limit) const {
  return impl_->store.Read([&](Database& db) -> Result<std::vector<StoredRecord>> {
    Transaction snapshot(db, Transaction::Kind::kDeferred);
    STREAMSTACK_RETURN_IF_ERROR(snapshot.Begin());
    Statement& find = db.Prepare(sql::kSelectShardByArnAndId);
    find.Bind(1, stream_arn);
    find.Bind(2, shard_id);
    bool has_row = false;
    STREAMSTACK_RETURN_IF_ERROR(StepRow(find, &has_row));
    if (!has_row) return Status(AwsError::kResourceNotFound, kShardNotFound);
    const int64_t rowid = find.ColumnInt64(0);
    const int64_t trimmed_through = find.ColumnInt64(1);
    find.Reset();
    if (after_sequence > 0 && after_sequence < trimmed_through) {
      return Status(AwsError::kTrimmedDataAccess, kTrimmedMessage);
    }
    std::vector<StoredRecord> records;
    Statement& st = db.Prepare(sql::kSelectRecordsAfter);
    st.Bind(1, rowid);
    st.Bind(2, after_sequence);
    st.Bind(3, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
    records.reserve(std::min<size_t>(limit, 1024));
    for (;;) {
      STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
      if (!has_row) break;
      records.push_back({st.ColumnInt64(0), st.ColumnInt64(1), std::string(st.ColumnText(2))});
    }
    STREAMSTACK_RETURN_IF_ERROR(snapshot.Commit());
    return records;
  });
}

int StreamStore::AddListener(Listener listener) {
  MutexLock lock(impl_->listeners_mu);
  auto next = std::make_shared<Impl::ListenerList>(*impl_->listeners);
  int handle = impl_->next_listener++;
  next->emplace_back(handle, std::move(listener));
  impl_->listeners = std::move(next);
  return handle;
}

void StreamStore::RemoveListener(int handle) {
  MutexLock lock(impl_->listeners_mu);
  auto next = std::make_shared<Impl::ListenerList>(*impl_->listeners);
  std::erase_if(*next, [&](const auto& entry) { return entry.first == handle; });
  impl_->listeners = std::move(next);
}

// --- retention ---------------------------------------------------------------------------

Status StreamStore::Impl::Trim(WriteContext& ctx, int64_t now_ms,
                               std::vector<int64_t>* forgotten_shards) {
  Database& db = ctx.db();
  const int64_t cutoff = now_ms - options.retention.count();
  auto collect = [&](const char* query, int64_t param, std::vector<int64_t>* out) -> Status {
    Statement& st = db.Prepare(query);
    st.Bind(1, param);
    for (;;) {
      bool has_row = false;
      STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
      if (!has_row) return Status::Ok();
      out->push_back(st.ColumnInt64(0));
    }
  };
  auto run = [&](const char* query, int64_t param) -> Status {
    Statement& st = db.Prepare(query);
    st.Bind(1, param);
    return st.Run();
  };

  // Streams disabled (tables updated or deleted) more than 24 h ago are forgotten.
  std::vector<int64_t> streams;
  {
    Statement& st = db.Prepare(sql::kSelectExpiredStreams);
    st.Bind(1, StreamStatusName(StreamStatus::kDisabled));
    st.Bind(2, cutoff);
    for (;;) {
      bool has_row = false;
      STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
      if (!has_row) break;
      streams.push_back(st.ColumnInt64(0));
    }
  }
  for (int64_t stream_id : streams) {
    std::vector<int64_t> shards;
    STREAMSTACK_RETURN_IF_ERROR(collect(sql::kSelectShardRowidsOfStream, stream_id, &shards));
    for (int64_t rowid : shards) {
      STREAMSTACK_RETURN_IF_ERROR(run(sql::kDeleteRecordsOfShard, rowid));
      forgotten_shards->push_back(rowid);
    }
    STREAMSTACK_RETURN_IF_ERROR(run(sql::kDeleteShardsOfStream, stream_id));
    STREAMSTACK_RETURN_IF_ERROR(run(sql::kDeleteStream, stream_id));
  }

  // Shards closed more than 24 h ago hold only expired records: they disappear entirely.
  std::vector<int64_t> closed;
  STREAMSTACK_RETURN_IF_ERROR(collect(sql::kSelectExpiredClosedShards, cutoff, &closed));
  for (int64_t rowid : closed) {
    STREAMSTACK_RETURN_IF_ERROR(run(sql::kDeleteRecordsOfShard, rowid));
    STREAMSTACK_RETURN_IF_ERROR(run(sql::kDeleteShard, rowid));
    forgotten_shards->push_back(rowid);
  }

  // Every other shard loses its records older than 24 h, from the head: the cost is the
  // number of records deleted, not the shard's length.
  std::vector<int64_t> shards;
  {
    Statement& st = db.Prepare(sql::kSelectAllShards);
    for (;;) {
      bool has_row = false;
      STREAMSTACK_RETURN_IF_ERROR(StepRow(st, &has_row));
      if (!has_row) break;
      shards.push_back(st.ColumnInt64(0));
    }
  }
  for (int64_t rowid : shards) {
    Statement& first = db.Prepare(sql::kSelectFirstUnexpired);
    first.Bind(1, rowid);
    first.Bind(2, cutoff);
    bool has_row = false;
    STREAMSTACK_RETURN_IF_ERROR(StepRow(first, &has_row));
    int64_t boundary = has_row ? first.ColumnInt64(0) : INT64_MAX;
    first.Reset();
    // The highest sequence about to be deleted becomes the shard's trim point.
    int64_t trimmed = 0;
    if (boundary == INT64_MAX) {
      Result<int64_t> last = LastSequenceOfShard(db, rowid);
      if (!last.ok()) return std::move(last).take_status();
      trimmed = *last;
    } else {
      Statement& before = db.Prepare(sql::kSelectLastSequenceBefore);
      before.Bind(1, rowid);
      before.Bind(2, boundary);
      STREAMSTACK_RETURN_IF_ERROR(StepRow(before, &has_row));
      trimmed = has_row ? before.ColumnInt64(0) : 0;
      before.Reset();
    }
    if (trimmed == 0) continue;
    Statement& del = db.Prepare(sql::kDeleteRecordsBefore);
    del.Bind(1, rowid);
    del.Bind(2, trimmed + 1);
    STREAMSTACK_RETURN_IF_ERROR(del.Run());
    Statement& mark = db.Prepare(sql::kSetTrimmedThrough);
    mark.Bind(1, trimmed);
    mark.Bind(2, rowid);
    mark.Bind(3, trimmed);
    STREAMSTACK_RETURN_IF_ERROR(mark.Run());
  }
  return Status::Ok();
}

Status StreamStore::TrimExpired() {
  const int64_t now = impl_->clock.NowMillis();
  return impl_->store.WriteSync([this, now](WriteContext& ctx) -> Status {
    auto forgotten = std::make_shared<std::vector<int64_t>>();
    STREAMSTACK_RETURN_IF_ERROR(impl_->Trim(ctx, now, forgotten.get()));
    ctx.OnCommit([impl = impl_.get(), forgotten] {
      MutexLock lock(impl->watermarks_mu);
      for (int64_t rowid : *forgotten) impl->watermarks.erase(rowid);
    });
    return Status::Ok();
  });
}

}  // namespace streamstack::streams
