// esm (private): the pure parts of building a batch: the record as the engine holds it,
// how many queued records make the next batch (BatchSize, the 6 MB payload cap), the invoke
// payloads (plain and tumbling-window events), bisecting, parallelization lanes and window
// boundaries. No I/O, no state; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>

namespace streamstack::esm {

// AWS: the synchronous invoke payload limit, 6 MB.
inline constexpr size_t kMaxPayloadBytes = 6291456;
// AWS: tumbling window state over 1 MB terminates the window early.
inline constexpr size_t kMaxWindowStateBytes = 1024 * 1024;

// One stream record as the engine holds it.
struct Record {
  int64_t sequence = 0;
  int64_t created_ms = 0;  // when the stream record was written (ApproximateCreationDateTime)
  int64_t read_ms = 0;     // when the engine read it (the batching window counts from here)
  std::string json;        // the record object exactly as the function receives it
};

// Bytes of {"Records":[]} around the records.
inline constexpr size_t kRecordsEventOverhead = 14;

// How many records from the front of `queue` form the next batch: at most `max_count`, and
// no more than fit in `max_payload` bytes given `overhead` bytes of event around them (plus
// one comma between records). Always at least one when the queue and max_count allow any,
// even if that record alone is larger than the cap.
size_t TakeCount(const std::deque<Record>& queue, size_t max_count, size_t max_payload,
                 size_t overhead);

// {"Records":[r1,r2,...]}
std::string BuildRecordsEvent(std::span<const Record> records);

// The fields a tumbling-window invoke carries besides its records.
struct WindowEventFields {
  int64_t window_start_ms = 0;
  int64_t window_end_ms = 0;
  std::string_view state_json = "{}";  // the previous response's state
  std::string_view shard_id;
  std::string_view quoted_arn;  // eventSourceARN as a JSON string literal
  bool is_final = false;
  bool terminated_early = false;
};
// {"Records":[...],"window":{"start":..,"end":..},"state":..,"shardId":..,
//  "eventSourceARN":..,"isFinalInvokeForWindow":..,"isWindowTerminatedEarly":..}
std::string BuildWindowEvent(std::span<const Record> records, const WindowEventFields& fields);
// Bytes of a window event without records (its overhead for TakeCount).
size_t WindowEventOverhead(const WindowEventFields& fields);

// The start of the tumbling window a record written at `created_ms` belongs to: windows are
// aligned on multiples of their length since the epoch, on the record's creation second.
int64_t WindowStart(int64_t created_ms, int64_t window_ms);

// BisectBatchOnFunctionError: the size of the first half when a batch of `n` (> 1) splits.
inline size_t BisectPoint(size_t n) { return (n + 1) / 2; }

// The lane (0..lanes-1) of a record with the source's lane key hash (SourceRecord::lane_key:
// DynamoDB's item key), so the records of one key keep their order. Stable across restarts.
inline size_t LaneOf(uint64_t lane_key, size_t lanes) {
  return lanes <= 1 ? 0 : static_cast<size_t>(lane_key % lanes);
}

}  // namespace streamstack::esm
