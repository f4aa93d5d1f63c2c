// esm: what the delivery engine reads from. A RecordSource is an event source (DynamoDB
// Streams today; Kinesis or others later) as the engine sees it: shards with their lineage,
// records read after a position, a published high-water mark per shard and a wake-up on
// each write, the syntax of its positions, and the envelope of its records (the record
// object the function receives, the key that orders them, the failure record's section).
// The engine knows nothing else of a source; app/ adapts each source's module to this
// interface (app/dynamodb_record_source.h).
// Thread safety: every method may be called from any thread and must not wait on another
// thread (the engine calls them on its own threads; one mapping's calls on its strand).
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"

namespace streamstack::esm {

// Positions: a record's place in its shard, positive and increasing in the order the shard
// holds its records. Each source formats them in its own syntax (FormatPosition) for
// checkpoints, logs, batchItemFailures' itemIdentifier and the failure record.
//
// Before a shard's oldest retained record: where TRIM_HORIZON starts, and where a shard
// without a checkpoint is read from (LATEST is recorded as checkpoints when the mapping is
// created, by the lambda module).
inline constexpr int64_t kTrimHorizon = 0;

// How far a shard has been written: the position of its newest committed record
// (kTrimHorizon while it has none). The source stores it after each commit with release
// order; the engine loads it with acquire order, so an idle shard costs a comparison, not
// a read. The shared_ptr keeps whatever object holds the atomic alive (an aliasing pointer
// into the source's own per-shard state is the intended use).
using Watermark = std::shared_ptr<const std::atomic<int64_t>>;

// One shard of a source, with its lineage.
struct SourceShard {
  std::string shard_id;
  // AWS: a child shard is read only after its parent is drained. Empty: no parent (or one
  // no longer listed).
  std::string parent_shard_id;
  int64_t starting_position = kTrimHorizon;  // the first position the shard can hold
  // Set once the shard is closed: it will never hold a record after this position.
  std::optional<int64_t> ending_position;
  Watermark watermark;  // never null
};

// One record, in the envelope the function receives it in.
struct SourceRecord {
  int64_t position = 0;
  // When the source received the record (DynamoDB's ApproximateCreationDateTime): what
  // MaximumRecordAgeInSeconds and tumbling windows count from.
  int64_t created_ms = 0;
  // The record object exactly as the function receives it inside {"Records":[...]}
  // (eventSourceARN included). Filter criteria are matched against it.
  std::string json;
  // LaneKeyHash() of what orders the source's records (DynamoDB: the item key): records
  // with equal keys go to one ParallelizationFactor lane, in order. Filled only when the
  // read asked for it.
  uint64_t lane_key = 0;
};

// What the on-failure record says of a discarded batch (AWS's StreamBatchInfo fields).
struct DiscardedBatch {
  std::string_view source_arn;
  std::string_view shard_id;
  int64_t first_position = 0;
  int64_t last_position = 0;
  int64_t first_created_ms = 0;
  int64_t last_created_ms = 0;
  size_t batch_size = 0;
};

// The failure record's member that describes the batch: its name (DynamoDB:
// "DDBStreamBatchInfo") and value, in the order AWS writes its members.
struct BatchInfo {
  std::string name;
  nlohmann::ordered_json value;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // The shards of the source named by an event source mapping's EventSourceArn, parents
  // before children. Errors: any (kResourceNotFound when the source does not exist yet or
  // any more): the engine logs it and lists again later. May read storage.
  virtual Result<std::vector<SourceShard>> ListShards(const std::string& source_arn) const = 0;

  // Up to `limit` (> 0) records of a shard with a position above `after`, in order, in one
  // call (the engine makes one call per read, never one per record); with `lane_keys`, each
  // with its lane_key. Fewer than `limit` promises that every record up to the watermark
  // loaded before the call was returned. Errors: kTrimmedDataAccess when records after `after` (>
  // 0) were already trimmed (the engine reads again from kTrimHorizon); kResourceNotFound when the
  // source or shard is gone (the engine lists the shards again); any other is logged and the
  // read is tried again on the next wake-up. May read storage.
  virtual Result<std::vector<SourceRecord>> Read(const std::string& source_arn,
                                                 const std::string& shard_id, int64_t after,
                                                 size_t limit, bool lane_keys) const = 0;

  // Wake-ups: `listener` runs after a shard of `source_arn` got records, or a new shard
  // opened (on the source's own thread; it must not block). The engine subscribes once at
  // Start and unsubscribes at Stop; a handle is for Unsubscribe.
  using WriteListener =
      std::function<void(const std::string& source_arn, const std::string& shard_id)>;
  virtual int Subscribe(WriteListener listener) = 0;
  virtual void Unsubscribe(int handle) = 0;

  // A position in the source's syntax (DynamoDB's 21-digit SequenceNumber), and back;
  // nullopt for text the source never formatted.
  virtual std::string FormatPosition(int64_t position) const = 0;
  virtual std::optional<int64_t> ParsePosition(std::string_view text) const = 0;

  // The failure record's section about a batch the engine discarded.
  virtual BatchInfo DescribeBatch(const DiscardedBatch& batch) const = 0;
};

// A stable 64-bit hash (FNV-1a) of a record's lane key text, for SourceRecord::lane_key:
// the same key gets the same lane across builds and restarts.
inline uint64_t LaneKeyHash(std::string_view key) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace streamstack::esm
