// streams: DynamoDB Streams: streams, shards, stream records, sequence numbers, shard
// roll-over and 24 h retention, shard iterators and the Streams API's operations, and the
// in-memory high-water marks the delivery engine polls. Uses storage and common only: no
// HTTP, no wire formats beyond the record JSON AWS defines.
// Thread safety: every method may be called from any thread. Methods that take a
// storage::WriteContext run inside a storage write job (on the writer thread).
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/storage/store.h"

namespace streamstack::streams {

enum class StreamViewType { kKeysOnly, kNewImage, kOldImage, kNewAndOldImages };
// "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES".
std::string_view StreamViewTypeName(StreamViewType type);
std::optional<StreamViewType> ParseStreamViewType(std::string_view name);

enum class StreamStatus { kEnabling, kEnabled, kDisabling, kDisabled };
std::string_view StreamStatusName(StreamStatus status);

enum class EventName { kInsert, kModify, kRemove };

// One stream of one table (a table re-created or re-enabled gets a new stream).
struct StreamInfo {
  int64_t stream_id = 0;     // internal key
  std::string stream_arn;    // arn:aws:dynamodb:<region>:<account>:table/<t>/stream/<label>
  std::string stream_label;  // "2019-06-10T19:26:16.525" (ISO-8601 UTC, milliseconds)
  std::string table_name;
  StreamViewType view_type = StreamViewType::kNewAndOldImages;
  StreamStatus status = StreamStatus::kEnabled;
  nlohmann::json key_schema;  // [{"AttributeName": "pk", "KeyType": "HASH"}, ...]
  int64_t created_ms = 0;
  int64_t disabled_ms = 0;  // 0 while enabled; readable for 24 h after this
};

// The change one write made to one item, as the table module describes it. The images are
// the complete items (DynamoDB-JSON maps); the stream keeps what its view type says.
struct ChangeRecord {
  EventName event_name = EventName::kInsert;
  nlohmann::json keys;       // DynamoDB-JSON map of the key attributes
  nlohmann::json new_image;  // null for REMOVE
  nlohmann::json old_image;  // null for INSERT
  // AWS's SizeBytes counts attribute-name length plus value length over Keys and the images
  // the view type includes; the table module knows the sizing rules and passes each part.
  int64_t keys_size_bytes = 0;
  int64_t new_image_size_bytes = 0;
  int64_t old_image_size_bytes = 0;
  // TTL expiry: the record carries userIdentity {type Service, principalId dynamodb.amazonaws.com}.
  bool ttl_expiry = false;
};

// Where the newest committed record of a shard is, published after each commit so that an
// idle poller compares numbers instead of querying SQLite.
struct ShardWatermark {
  std::atomic<int64_t> last_sequence{0};  // 0: no record yet
};

struct StreamOptions {
  // AWS closes a shard and opens a child roughly every 4 hours.
  std::chrono::milliseconds shard_rollover{std::chrono::hours(4)};
  // Records (and disabled or deleted streams) stay readable for 24 hours.
  std::chrono::milliseconds retention{std::chrono::hours(24)};
  // Shard iterators expire 15 minutes after GetShardIterator/GetRecords returned them.
  std::chrono::milliseconds iterator_lifetime{std::chrono::minutes(15)};
};

class StreamStore {
 public:
  StreamStore(storage::Store& store, const Clock& clock, AccountScope scope,
              StreamOptions options = {});
  ~StreamStore();
  StreamStore(const StreamStore&) = delete;
  StreamStore& operator=(const StreamStore&) = delete;

  // Creates the schema and loads shard watermarks. Call once at startup.
  Status Open();

  // --- Called by the table module inside its write jobs --------------------------------
  // Opens a new stream (ENABLED, one open shard) for `table_name`, labelled with the
  // current time.
  Result<StreamInfo> CreateStream(storage::WriteContext& ctx, const std::string& table_name,
                                  StreamViewType view_type, const nlohmann::json& key_schema);
  // Marks a stream DISABLED (table update or delete); its shards close; readable for 24 h.
  Status DisableStream(storage::WriteContext& ctx, int64_t stream_id);
  // Appends one record to the stream's open shard (rolling the shard over first when it is
  // older than shard_rollover). Assigns the SequenceNumber, eventID and
  // ApproximateCreationDateTime. Publishes the watermark and notifies listeners on commit.
  // Records of one write job keep their order. kInternalFailure when the stream does not
  // exist or is not ENABLED (the table module must not append to a disabled stream).
  Status Append(storage::WriteContext& ctx, int64_t stream_id, const ChangeRecord& record);

  // One shard, with its sequence number range.
  struct Shard {
    std::string shard_id;
    std::string parent_shard_id;    // empty for the first shard
    std::string starting_sequence;  // first sequence number the shard can hold (decimal)
    std::string ending_sequence;    // empty while the shard is open
    int64_t created_ms = 0;
    std::shared_ptr<const ShardWatermark> watermark;
  };

  // --- The Streams API ----------------------------------------------------------------
  // Typed requests and results; src/api/streams_api.cc decodes and encodes the wire JSON.
  // Each validates as AWS does and returns AWS's errors (ValidationException,
  // ResourceNotFoundException, ExpiredIteratorException, TrimmedDataAccessException).
  struct ListStreamsRequest {
    std::optional<std::string> table_name;
    std::optional<int> limit;  // 1..100, default 100
    std::optional<std::string> exclusive_start_stream_arn;
  };
  struct StreamSummary {
    std::string stream_arn, table_name, stream_label;
  };
  struct ListStreamsResult {
    std::vector<StreamSummary> streams;
    std::optional<std::string> last_evaluated_stream_arn;
  };
  Result<ListStreamsResult> ListStreams(const ListStreamsRequest& request) const;

  struct DescribeStreamRequest {
    std::string stream_arn;
    std::optional<int> limit;  // shards, 1..100, default 100
    std::optional<std::string> exclusive_start_shard_id;
    // ShardFilter {Type: CHILD_SHARDS, ShardId}: only the children of this shard.
    std::optional<std::string> child_shards_of;
  };
  struct StreamDescription {
    StreamInfo info;
    std::vector<Shard> shards;
    std::optional<std::string> last_evaluated_shard_id;
  };
  Result<StreamDescription> DescribeStream(const DescribeStreamRequest& request) const;

  enum class ShardIteratorType { kTrimHorizon, kLatest, kAtSequenceNumber, kAfterSequenceNumber };
  struct GetShardIteratorRequest {
    std::string stream_arn;
    std::string shard_id;
    ShardIteratorType type = ShardIteratorType::kTrimHorizon;
    std::optional<std::string> sequence_number;
  };
  Result<std::string> GetShardIterator(const GetShardIteratorRequest& request) const;

  struct GetRecordsRequest {
    std::string shard_iterator;
    std::optional<int> limit;  // 1..1000
  };
  struct GetRecordsResult {
    std::vector<std::string> records;                // each a serialised record object, as stored
    std::optional<std::string> next_shard_iterator;  // absent once a closed shard is drained
  };
  Result<GetRecordsResult> GetRecords(const GetRecordsRequest& request) const;

  // --- For the table module and the delivery engine ------------------------------------
  Result<StreamInfo> FindStream(const std::string& stream_arn) const;
  // Shards of a stream, parents before children, with their sequence number ranges.
  Result<std::vector<Shard>> ListShards(const std::string& stream_arn) const;
  // Up to `limit` records of a shard with a sequence number above `after_sequence`
  // (0 = from the oldest retained record), in order, as the full record JSON GetRecords
  // returns (without eventSourceARN), plus each record's sequence number and creation time.
  // Errors: kResourceNotFound (no such stream or shard); kTrimmedDataAccess when
  // after_sequence > 0 and records after it were already trimmed (re-read from 0).
  // Costs one index seek however long the shard is.
  struct StoredRecord {
    int64_t sequence = 0;
    int64_t created_ms = 0;
    std::string json;  // the record object, serialised
  };
  Result<std::vector<StoredRecord>> ReadRecords(const std::string& stream_arn,
                                                const std::string& shard_id, int64_t after_sequence,
                                                size_t limit) const;
  // Called (on the writer thread, after commit) whenever a shard of `stream_arn` gets new
  // records or a new shard opens. Must not block. Returns a handle for RemoveListener.
  using Listener = std::function<void(const std::string& stream_arn, const std::string& shard_id)>;
  int AddListener(Listener listener);
  void RemoveListener(int handle);

  // Deletes records past retention, closed shards whose records are all past retention, and
  // streams disabled more than 24 h ago (they then answer ResourceNotFoundException). Runs
  // as one write job and waits for it: never call it from inside a write job. The owner
  // calls this periodically (and tests call it after moving the Clock).
  Status TrimExpired();

  // The decimal SequenceNumber of an internal sequence: "1" followed by the sequence
  // zero-padded to 20 digits (21 digits; numeric and lexical order agree).
  static std::string FormatSequenceNumber(int64_t sequence);
  // The internal sequence of a SequenceNumber this store formatted; nullopt for anything
  // else (not 21 digits, not starting with "1", out of range).
  static std::optional<int64_t> ParseSequenceNumber(std::string_view text);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamstack::streams
