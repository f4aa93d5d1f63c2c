// lambda: the event source mapping API (DynamoDB stream sources): validation with AWS's
// answers, the state machine, SQLite persistence (mappings, their state, LastProcessingResult
// and the per-(mapping, shard) checkpoints the esm engine keeps). No HTTP or wire format here.
// Also the two interfaces the streams module and the esm engine implement (StreamCatalog,
// MappingObserver). Thread safety: every public method may be called from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/lambda/function.h"
#include "streamstack/storage/store.h"

namespace streamstack::lambda {

class TimerQueue;

// AWS's mapping states. Creating, Enabling, Updating, Disabling and Deleting are transitions
// that settle (see EventSourceMappings' comment) into Enabled, Disabled or gone.
enum class MappingState {
  kCreating,
  kEnabling,
  kEnabled,
  kDisabling,
  kDisabled,
  kUpdating,
  kDeleting
};
const char* MappingStateName(MappingState state);
bool IsTransition(MappingState state);

inline constexpr const char* kNoRecordsProcessed = "No records processed";
inline constexpr const char* kProcessingOk = "OK";
inline constexpr const char* kProcessingFunctionCallFailed = "PROBLEM: Function call failed";

struct EventSourceMapping {
  std::string uuid;
  std::string arn;  // arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>
  std::string event_source_arn;
  std::string function_arn;
  std::string starting_position;  // TRIM_HORIZON or LATEST
  int batch_size = 100;
  int maximum_batching_window_in_seconds = 0;
  int parallelization_factor = 1;
  int maximum_record_age_in_seconds = -1;
  int maximum_retry_attempts = -1;
  bool bisect_batch_on_function_error = false;
  int tumbling_window_in_seconds = 0;
  std::vector<std::string> function_response_types;  // [] or ["ReportBatchItemFailures"]
  // FilterCriteria.Filters[].Pattern, as given (each a JSON object text). Empty: none.
  std::vector<std::string> filter_patterns;
  std::string on_failure_destination;  // SQS queue or SNS topic ARN; empty: none
  bool enabled = true;                 // what the user asked for
  MappingState state = MappingState::kCreating;
  std::string state_transition_reason = "User action";
  std::string last_processing_result = kNoRecordsProcessed;
  int64_t last_modified_ms = 0;
  // When the current transition settles (Clock millis); meaningless for settled states.
  int64_t settles_at_ms = 0;
  Tags tags;

  // The state a transition settles into (itself for settled states; kDeleting: gone).
  MappingState SettledState() const;
};

// The settings of Create/UpdateEventSourceMapping. Unset: AWS's default (create) or keep
// (update). Integers are 64-bit so out-of-range values reach validation intact.
struct MappingSettings {
  std::optional<std::string> function_name;
  std::optional<bool> enabled;
  std::optional<int64_t> batch_size;
  std::optional<int64_t> maximum_batching_window_in_seconds;
  std::optional<int64_t> parallelization_factor;
  std::optional<int64_t> maximum_record_age_in_seconds;
  std::optional<int64_t> maximum_retry_attempts;
  std::optional<bool> bisect_batch_on_function_error;
  std::optional<int64_t> tumbling_window_in_seconds;
  std::optional<std::vector<std::string>> function_response_types;
  // FilterCriteria given: its patterns (an empty list removes the filters on update).
  std::optional<std::vector<std::string>> filter_patterns;
  // DestinationConfig given: OnFailure.Destination ("" = none) and whether OnSuccess was set.
  std::optional<std::string> on_failure_destination;
  bool on_success_given = false;
};

struct CreateMappingInput {
  std::optional<std::string> event_source_arn;
  std::optional<std::string> starting_position;
  bool starting_position_timestamp_given = false;
  MappingSettings settings;
  Tags tags;
};

struct MappingPage {
  std::vector<EventSourceMapping> mappings;
  std::string next_marker;
};

struct ShardCheckpoint {
  std::string shard_id;
  std::string sequence_number;
  int64_t updated_ms = 0;
};

// Which streams exist, for "Stream not found: <arn>". The streams module implements it;
// main passes it in. Called on API threads; must be thread-safe and must not block long.
class StreamCatalog {
 public:
  virtual ~StreamCatalog() = default;
  virtual bool StreamExists(const std::string& stream_arn) const = 0;
  // For StartingPosition LATEST: each shard of the stream that holds records, with the
  // SequenceNumber of its newest committed record. Create stores them as the mapping's first
  // checkpoints, so records written after Create returns are never skipped (and a shard
  // without a checkpoint is read from its oldest record).
  virtual std::vector<std::pair<std::string, std::string>> LatestSequenceNumbers(
      const std::string& stream_arn) const {
    (void)stream_arn;
    return {};
  }
};

// Told about every committed change of a mapping, so the esm engine can start workers
// (State Enabled) and stop them (any other state, or deleted). Called on the Store's writer
// thread or lambda's timer thread, after the COMMIT, in commit order per mapping; must not
// block and must not call back into EventSourceMappings' write methods synchronously.
class MappingObserver {
 public:
  virtual ~MappingObserver() = default;
  virtual void OnMappingChanged(const EventSourceMapping& mapping) = 0;
  virtual void OnMappingDeleted(const std::string& uuid) = 0;
};

struct MappingOptions {
  // How long a transition (Creating, Updating, Enabling, Disabling, Deleting) lasts before it
  // settles, measured on the Clock. Reads after that instant already show the settled state;
  // a timer then persists it and tells the observer. 0: Create/Update/Delete answer with the
  // transition state (as AWS does) and the very next read shows the settled one.
  std::chrono::milliseconds transition_delay{0};
};

// The event source mapping service.
//
// State machine (AWS's): Create -> Creating -> Enabled (Enabled=false: Disabled); Update of
// an Enabled mapping -> Updating -> Enabled; Enabled=false -> Disabling -> Disabled;
// Enabled=true on a Disabled mapping -> Enabling -> Enabled; Delete -> Deleting -> gone.
// Transitions settle after MappingOptions::transition_delay on the Clock: reads compute the
// settled state from the Clock (so tests move time instead of sleeping), and a timer thread
// persists it and notifies the observer. Mappings survive a restart; transitions that were
// pending settle at Open().
class EventSourceMappings {
 public:
  template <typename T>
  using Callback = std::function<void(Result<T>)>;

  EventSourceMappings(storage::Store& store, Clock& clock, Functions& functions,
                      const StreamCatalog& catalog, MappingOptions options = {});
  ~EventSourceMappings();  // Stop()s
  EventSourceMappings(const EventSourceMappings&) = delete;
  EventSourceMappings& operator=(const EventSourceMappings&) = delete;

  // Creates the schema, settles transitions left by a previous run, starts the timer thread.
  [[nodiscard]] Status Open();
  // Stops the timer thread (pending settles are done by the next Open()). Idempotent.
  void Stop();

  // The engine. Set before serving (main wires it); nullptr: nobody is told.
  void SetObserver(MappingObserver* observer);

  // The API. Its input is a request the lambda module's input model accepted (the REST adapter
  // reads every request through it: types, required members, ranges, enums, lengths,
  // patterns); these check what the model cannot say. Errors are AWS's (see the recorded
  // answers in tests/unit/lambda/).
  void Create(CreateMappingInput input, Callback<EventSourceMapping> done);
  Result<EventSourceMapping> Get(const std::string& uuid) const;
  void Update(const std::string& uuid, MappingSettings settings, Callback<EventSourceMapping> done);
  // Answers the mapping in state Deleting.
  void Delete(const std::string& uuid, Callback<EventSourceMapping> done);
  // Filters: function name in any accepted form (empty: all), event source ARN (empty: all).
  // Ordered by creation. max_items 1..10000 (AWS's default 100; the request reader holds it
  // there, below 1 reads as 1).
  Result<MappingPage> List(const std::string& function_name, const std::string& event_source_arn,
                           const std::string& marker, int max_items) const;

  // Tags by the mapping's ARN. ResourceNotFoundException when there is no such mapping.
  void TagResource(const std::string& arn, Tags tags, Callback<bool> done);
  void UntagResource(const std::string& arn, std::vector<std::string> keys, Callback<bool> done);
  Result<Tags> ListTags(const std::string& arn) const;

  // For the esm engine.
  // Every mapping (settled states computed), ordered by creation.
  Result<std::vector<EventSourceMapping>> ListAll() const;
  // Records "OK" / "PROBLEM: Function call failed" / ...; writes only when it changes.
  // `done` (optional) runs on the writer thread.
  void SetLastProcessingResult(const std::string& uuid, const std::string& result,
                               std::function<void(Status)> done = nullptr);
  // The checkpoint of (mapping, shard): the last sequence number fully processed.
  void PutCheckpoint(const std::string& uuid, const std::string& shard_id,
                     const std::string& sequence_number, std::function<void(Status)> done);
  Result<std::optional<std::string>> GetCheckpoint(const std::string& uuid,
                                                   const std::string& shard_id) const;
  Result<std::vector<ShardCheckpoint>> ListCheckpoints(const std::string& uuid) const;

  // Waits until every settle scheduled so far has run (tests).
  void TEST_DrainTimers();

 private:
  // Every stored mapping as written (transitions not settled), ordered by creation.
  Result<std::vector<EventSourceMapping>> ReadStoredMappings() const;
  std::string MappedFunctionArn(const FunctionName& name) const;
  void ChangeTags(const std::string& arn, std::function<void(Tags&)> change, Callback<bool> done);
  struct Row;
  Result<EventSourceMapping> Load(storage::Database& db, const std::string& uuid) const;
  void ScheduleSettle(const EventSourceMapping& m);
  void Settle(const std::string& uuid);
  void Notify(const EventSourceMapping& m, bool deleted);
  EventSourceMapping Resolve(EventSourceMapping m) const;
  std::string UuidOfArn(const std::string& arn) const;

  // Constant after construction.
  storage::Store& store_;
  Clock& clock_;
  Functions& functions_;
  const StreamCatalog& catalog_;
  const MappingOptions options_;
  std::unique_ptr<TimerQueue> timers_;

  Mutex observer_mu_;
  MappingObserver* observer_ GUARDED_BY(observer_mu_) = nullptr;

  // Last LastProcessingResult written per mapping (skips identical writes).
  Mutex results_mu_;
  std::map<std::string, std::string> last_results_ GUARDED_BY(results_mu_);
};

// What a Create (before any lookup) and an Update's settings are checked for beyond the input
// model, in AWS's order and with its error types and texts: a plain function name past 64
// characters, the destination's kind, the event source, the starting position, the filters,
// MaximumRecordAgeInSeconds below 60. Exposed for table-driven unit tests.
Status ValidateCreateMapping(const CreateMappingInput& input);
Status ValidateMappingSettings(const MappingSettings& settings);

// True for arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>.
bool IsDynamoDbStreamArn(const std::string& arn);

}  // namespace streamstack::lambda
