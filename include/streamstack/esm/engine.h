// esm: the delivery engine. Reads the shards of each enabled event source mapping's source
// and invokes its function with batches of records exactly as AWS Lambda does (batching
// window, 6 MB cap, filters, retries, bisect, ReportBatchItemFailures, on-failure
// destinations, parallelization lanes, tumbling windows, checkpoints, shard lineage).
// Uses a RecordSource (record_source.h), an Invoker and the interfaces below; knows nothing
// of any source's storage or record format, of HTTP wire formats, SQS/SNS or the lambda
// module's classes (src/app adapts them).
// Thread safety: every public method of DeliveryEngine may be called from any thread and
// never blocks on I/O; the engine runs on its own io_context and threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/destination.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/metrics.h"
#include "streamstack/common/status.h"
#include "streamstack/esm/record_source.h"

namespace streamstack::esm {

// What the engine needs of one event source mapping (the lambda module's EventSourceMapping,
// translated by the app). A mapping's starting position is not here: the lambda module
// records LATEST as checkpoints at Create, and a shard without a checkpoint is read from its
// oldest retained record.
struct MappingConfig {
  std::string uuid;
  std::string function_arn;
  std::string event_source_arn;  // the RecordSource's name for it (a DynamoDB stream ARN)
  int batch_size = 100;
  int maximum_batching_window_in_seconds = 0;
  int parallelization_factor = 1;
  int maximum_record_age_in_seconds = -1;  // -1: until the record is trimmed (24 h)
  int maximum_retry_attempts = -1;         // -1: until the record expires
  bool bisect_batch_on_function_error = false;
  int tumbling_window_in_seconds = 0;       // 0: no tumbling windows
  bool report_batch_item_failures = false;  // FunctionResponseTypes has ReportBatchItemFailures
  std::vector<std::string> filter_patterns;
  std::string on_failure_destination;  // SQS queue or SNS topic ARN; empty: none
  bool enabled = true;                 // false: stop after the batch in flight

  bool operator==(const MappingConfig&) const = default;
};

// Where the engine keeps its progress: per (mapping, shard) checkpoints and the mapping's
// LastProcessingResult. Implemented over the lambda module's SQLite tables by the app.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // shard id -> position (RecordSource::FormatPosition) of the last record fully processed. Called
  // on an engine thread; may read SQLite.
  virtual Result<std::map<std::string, std::string>> Load(const std::string& uuid) const = 0;
  // Durably records a checkpoint; `done` runs once (any thread, must not block) after commit.
  virtual void Save(const std::string& uuid, const std::string& shard_id,
                    const std::string& sequence_number, std::function<void(Status)> done) = 0;
  // "OK" / "PROBLEM: Function call failed". Must not block.
  virtual void SetLastProcessingResult(const std::string& uuid, const std::string& result) = 0;
};

// The on-failure destination: an SQS queue or SNS topic ARN and the JSON document AWS sends
// about a discarded batch (common/destination.h).
using Destination = streamstack::Destination;

// The function of a mapping as it is configured now. Resolved at every invoke, so
// UpdateFunctionConfiguration applies to the next batch.
class FunctionDirectory {
 public:
  virtual ~FunctionDirectory() = default;
  // An error (function deleted) is retried like a service error.
  virtual Result<FunctionTarget> Resolve(const std::string& function_arn) const = 0;
};

struct EngineOptions {
  // How often each shard's high-water mark is compared with the workers' positions (AWS's
  // 4 Hz). 0: a committed write wakes the workers of its shard at once.
  std::chrono::milliseconds poll_interval{250};
  int threads = 2;
  // Retries back off exponentially from base to max (on the Clock; never blocking a thread).
  std::chrono::milliseconds retry_backoff_base{100};
  std::chrono::milliseconds retry_backoff_max{3000};
  // A mapping whose stream is not (yet) found looks again this often (real time).
  std::chrono::milliseconds stream_retry{2000};
  // A refused on-failure description is handed over again this long after (real time), up
  // to three attempts in all.
  std::chrono::milliseconds destination_retry{500};
  // MaximumRecordAgeInSeconds -1 means "until the record expires": the stream's retention.
  std::chrono::milliseconds record_retention{std::chrono::hours(24)};
};

class DeliveryEngine {
 public:
  // Every reference must outlive the engine (and, for `invoker`, every invoke it started:
  // stop the invoker before destroying the engine).
  DeliveryEngine(RecordSource& source, Invoker& invoker, CheckpointStore& checkpoints,
                 Destination& destination, FunctionDirectory& functions, const Clock& clock,
                 MetricsRegistry& metrics, EngineOptions options = {});
  ~DeliveryEngine();  // Stop()s
  DeliveryEngine(const DeliveryEngine&) = delete;
  DeliveryEngine& operator=(const DeliveryEngine&) = delete;

  // Starts the threads, the poll timer and the source's write listener. Call once.
  void Start();
  // Stops every worker (invokes in flight are abandoned; their records are delivered again
  // after a restart), the timers and the threads. Idempotent.
  void Stop();

  // A mapping was created or changed (settings apply to the next batch; Enabled false stops
  // its workers after the batch in flight). Non-blocking; applied in call order per mapping.
  void Apply(MappingConfig config);
  // A mapping was deleted: its workers stop after the batch in flight.
  void Remove(const std::string& uuid);
  // The Clock moved forward (tests): batching windows, back-offs and tumbling windows whose
  // deadline has passed fire now.
  void ClockAdvanced();

  // Mappings the engine currently runs (tests, /health).
  size_t ActiveMappings() const;

  // Tests: returns once every mapping's strand has run what was posted to it before the
  // call (the wake-ups of writes made before it, for instance); at most 5 s.
  void TEST_Barrier();
  // Tests: expires once the engine's shared state is freed (nothing queued keeps it alive).
  std::weak_ptr<const void> TEST_Lifetime() const;

 private:
  class Core;
  std::shared_ptr<Core> core_;
};

}  // namespace streamstack::esm
