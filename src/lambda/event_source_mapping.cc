#include "streamstack/lambda/event_source_mapping.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "lambda/schema.h"
#include "lambda/timer_queue.h"
#include "streamstack/common/violations.h"
#include "streamstack/esm/filter.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

constexpr const char* kSelectMapping =
    "SELECT record FROM lambda_event_source_mappings WHERE uuid = ?";
constexpr const char* kSelectConflict =
    "SELECT uuid, record FROM lambda_event_source_mappings "
    "WHERE function_arn = ? AND event_source_arn = ? AND uuid <> ? ORDER BY seq";
constexpr const char* kInsertMapping =
    "INSERT INTO lambda_event_source_mappings (uuid, function_arn, event_source_arn, record) "
    "VALUES (?, ?, ?, ?)";
constexpr const char* kUpdateMapping =
    "UPDATE lambda_event_source_mappings SET function_arn = ?, event_source_arn = ?, record = ? "
    "WHERE uuid = ?";
constexpr const char* kDeleteMapping = "DELETE FROM lambda_event_source_mappings WHERE uuid = ?";
constexpr const char* kDeleteCheckpoints =
    "DELETE FROM lambda_esm_checkpoints WHERE mapping_uuid = ?";
constexpr const char* kListMappings =
    "SELECT seq, record FROM lambda_event_source_mappings "
    "WHERE seq > ? AND (? = '' OR function_arn = ?) AND (? = '' OR event_source_arn = ?) "
    "ORDER BY seq LIMIT ?";
constexpr const char* kListAllMappings =
    "SELECT record FROM lambda_event_source_mappings ORDER BY seq";
constexpr const char* kSetLastProcessingResult =
    "UPDATE lambda_event_source_mappings "
    "SET record = json_set(record, '$.last_processing_result', ?) WHERE uuid = ?";
constexpr const char* kUpsertCheckpoint =
    "INSERT INTO lambda_esm_checkpoints (mapping_uuid, shard_id, sequence_number, updated_ms) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (mapping_uuid, shard_id) DO UPDATE SET "
    "sequence_number = excluded.sequence_number, updated_ms = excluded.updated_ms";
constexpr const char* kSelectCheckpoint =
    "SELECT sequence_number FROM lambda_esm_checkpoints WHERE mapping_uuid = ? AND shard_id = ?";
constexpr const char* kListCheckpoints =
    "SELECT shard_id, sequence_number, updated_ms FROM lambda_esm_checkpoints "
    "WHERE mapping_uuid = ? ORDER BY shard_id";

constexpr const char* kNotFoundMessage = "The resource you requested does not exist.";

Status NotFoundError() { return Status(AwsError::kResourceNotFound, kNotFoundMessage); }

MappingState StateFromName(const std::string& s) {
  static const std::pair<const char*, MappingState> kNames[] = {
      {"Creating", MappingState::kCreating}, {"Enabling", MappingState::kEnabling},
      {"Enabled", MappingState::kEnabled},   {"Disabling", MappingState::kDisabling},
      {"Disabled", MappingState::kDisabled}, {"Updating", MappingState::kUpdating},
      {"Deleting", MappingState::kDeleting}};
  for (const auto& [name, state] : kNames) {
    if (s == name) return state;
  }
  return MappingState::kEnabled;
}

json ToRecord(const EventSourceMapping& m) {
  return json{{"uuid", m.uuid},
              {"event_source_arn", m.event_source_arn},
              {"function_arn", m.function_arn},
              {"starting_position", m.starting_position},
              {"batch_size", m.batch_size},
              {"maximum_batching_window_in_seconds", m.maximum_batching_window_in_seconds},
              {"parallelization_factor", m.parallelization_factor},
              {"maximum_record_age_in_seconds", m.maximum_record_age_in_seconds},
              {"maximum_retry_attempts", m.maximum_retry_attempts},
              {"bisect_batch_on_function_error", m.bisect_batch_on_function_error},
              {"tumbling_window_in_seconds", m.tumbling_window_in_seconds},
              {"function_response_types", m.function_response_types},
              {"filter_patterns", m.filter_patterns},
              {"on_failure_destination", m.on_failure_destination},
              {"enabled", m.enabled},
              {"state", MappingStateName(m.state)},
              {"state_transition_reason", m.state_transition_reason},
              {"last_processing_result", m.last_processing_result},
              {"last_modified_ms", m.last_modified_ms},
              {"settles_at_ms", m.settles_at_ms},
              {"tags", m.tags}};
}

EventSourceMapping FromRecord(const json& j, const AccountScope& scope) {
  EventSourceMapping m;
  m.uuid = j.value("uuid", "");
  m.arn = arn::EventSourceMapping(scope, m.uuid);
  m.event_source_arn = j.value("event_source_arn", "");
  m.function_arn = j.value("function_arn", "");
  m.starting_position = j.value("starting_position", "LATEST");
  m.batch_size = j.value("batch_size", 100);
  m.maximum_batching_window_in_seconds = j.value("maximum_batching_window_in_seconds", 0);
  m.parallelization_factor = j.value("parallelization_factor", 1);
  m.maximum_record_age_in_seconds = j.value("maximum_record_age_in_seconds", -1);
  m.maximum_retry_attempts = j.value("maximum_retry_attempts", -1);
  m.bisect_batch_on_function_error = j.value("bisect_batch_on_function_error", false);
  m.tumbling_window_in_seconds = j.value("tumbling_window_in_seconds", 0);
  m.function_response_types = j.value("function_response_types", std::vector<std::string>{});
  m.filter_patterns = j.value("filter_patterns", std::vector<std::string>{});
  m.on_failure_destination = j.value("on_failure_destination", "");
  m.enabled = j.value("enabled", true);
  m.state = StateFromName(j.value("state", "Enabled"));
  m.state_transition_reason = j.value("state_transition_reason", "User action");
  m.last_processing_result = j.value("last_processing_result", kNoRecordsProcessed);
  m.last_modified_ms = j.value("last_modified_ms", int64_t{0});
  m.settles_at_ms = j.value("settles_at_ms", int64_t{0});
  m.tags = j.value("tags", Tags{});
  return m;
}

Result<std::optional<EventSourceMapping>> ReadMapping(storage::Database& db,
                                                      const std::string& uuid,
                                                      const AccountScope& scope) {
  auto& stmt = db.Prepare(kSelectMapping);
  stmt.Bind(1, uuid);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
  if (!row) return std::optional<EventSourceMapping>();
  json j = json::parse(stmt.ColumnText(0), nullptr, false);
  stmt.Reset();
  if (j.is_discarded()) return Status(AwsError::kServiceException, "corrupt mapping record");
  return std::optional<EventSourceMapping>(FromRecord(j, scope));
}

Status WriteMapping(storage::Database& db, const EventSourceMapping& m, bool insert) {
  auto& stmt = db.Prepare(insert ? kInsertMapping : kUpdateMapping);
  std::string record = ToRecord(m).dump();
  if (insert) {
    stmt.Bind(1, m.uuid);
    stmt.Bind(2, m.function_arn);
    stmt.Bind(3, m.event_source_arn);
    stmt.Bind(4, record);
  } else {
    stmt.Bind(1, m.function_arn);
    stmt.Bind(2, m.event_source_arn);
    stmt.Bind(3, record);
    stmt.Bind(4, m.uuid);
  }
  return stmt.Run();
}

// arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)
bool IsWellFormedArn(const std::string& arn) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return false;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  auto alnum_dash = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
    });
  };
  if (parts[0] != "arn" || !parts[1].starts_with("aws") || !alnum_dash(parts[1])) return false;
  if (parts[2].empty() || !alnum_dash(parts[2])) return false;
  if (!parts[4].empty() &&
      (parts[4].size() != 12 || !std::all_of(parts[4].begin(), parts[4].end(),
                                             [](char c) { return c >= '0' && c <= '9'; }))) {
    return false;
  }
  return true;
}

// AWS's own checks of the settings (InvalidParameterValueException), after the model's (the
// request reader's): what the model cannot say.
Status CheckSettingValues(const MappingSettings& s) {
  if (s.maximum_record_age_in_seconds && *s.maximum_record_age_in_seconds != -1 &&
      *s.maximum_record_age_in_seconds < 60) {
    return Status(AwsError::kInvalidParameterValue,
                  "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and "
                  "604800 (inclusive)");
  }
  if (s.on_success_given) {
    return Status(AwsError::kInvalidParameterValue,
                  "Unsupported DestinationConfig parameter for given event source mapping type.");
  }
  if (s.on_failure_destination && !s.on_failure_destination->empty()) {
    const std::string& dest = *s.on_failure_destination;
    std::string service = arn::ServiceOf(dest);
    if (service == "s3") {
      return Status(AwsError::kInvalidParameterValue,
                    "S3 bucket on-failure destinations are not supported by StreamStack yet "
                    "(use an SQS queue or SNS topic ARN): " +
                        dest);
    }
    if (!IsWellFormedArn(dest) || (service != "sqs" && service != "sns")) {
      return Status(AwsError::kInvalidParameterValue,
                    "The provided destination config DestinationConfig(onSuccess=null, "
                    "onFailure=OnFailure(destination=" +
                        dest + ")) is invalid.");
    }
  }
  if (s.filter_patterns) {
    if (s.filter_patterns->size() > 5) {
      return Status(AwsError::kInvalidParameterValue,
                    "Invalid filter criteria. The maximum number of filters is 5.");
    }
    // AWS rejects a mapping whose pattern its filter language does not accept.
    for (const auto& p : *s.filter_patterns) {
      STREAMSTACK_RETURN_IF_ERROR(esm::FilterPattern::Parse(p).status());
    }
  }
  return Status::Ok();
}

void ApplySettings(const MappingSettings& s, EventSourceMapping& m) {
  if (s.enabled) m.enabled = *s.enabled;
  if (s.batch_size) m.batch_size = static_cast<int>(*s.batch_size);
  if (s.maximum_batching_window_in_seconds) {
    m.maximum_batching_window_in_seconds = static_cast<int>(*s.maximum_batching_window_in_seconds);
  }
  if (s.parallelization_factor)
    m.parallelization_factor = static_cast<int>(*s.parallelization_factor);
  if (s.maximum_record_age_in_seconds) {
    m.maximum_record_age_in_seconds = static_cast<int>(*s.maximum_record_age_in_seconds);
  }
  if (s.maximum_retry_attempts)
    m.maximum_retry_attempts = static_cast<int>(*s.maximum_retry_attempts);
  if (s.bisect_batch_on_function_error)
    m.bisect_batch_on_function_error = *s.bisect_batch_on_function_error;
  if (s.tumbling_window_in_seconds) {
    m.tumbling_window_in_seconds = static_cast<int>(*s.tumbling_window_in_seconds);
  }
  if (s.function_response_types) m.function_response_types = *s.function_response_types;
  if (s.filter_patterns) m.filter_patterns = *s.filter_patterns;
  if (s.on_failure_destination) m.on_failure_destination = *s.on_failure_destination;
}

std::string ConflictMessage(const std::string& source_arn, const std::string& function_name,
                            const std::string& uuid) {
  return "The event source arn (\" " + source_arn + " \") and function (\" " + function_name +
         " \") provided mapping already exists. Please update or delete the existing mapping "
         "with UUID " +
         uuid;
}

// The UUID of a live mapping of (function, source) other than `except`, or empty.
Result<std::string> FindConflict(storage::Database& db, const std::string& function_arn,
                                 const std::string& source_arn, const std::string& except) {
  auto& stmt = db.Prepare(kSelectConflict);
  stmt.Bind(1, function_arn);
  stmt.Bind(2, source_arn);
  stmt.Bind(3, except);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
  std::string uuid = row ? std::string(stmt.ColumnText(0)) : std::string();
  stmt.Reset();
  return uuid;
}

}  // namespace

const char* MappingStateName(MappingState state) {
  switch (state) {
    case MappingState::kCreating:
      return "Creating";
    case MappingState::kEnabling:
      return "Enabling";
    case MappingState::kEnabled:
      return "Enabled";
    case MappingState::kDisabling:
      return "Disabling";
    case MappingState::kDisabled:
      return "Disabled";
    case MappingState::kUpdating:
      return "Updating";
    case MappingState::kDeleting:
      return "Deleting";
  }
  return "Enabled";
}

bool IsTransition(MappingState state) {
  return state != MappingState::kEnabled && state != MappingState::kDisabled;
}

MappingState EventSourceMapping::SettledState() const {
  switch (state) {
    case MappingState::kCreating:
    case MappingState::kUpdating:
      return enabled ? MappingState::kEnabled : MappingState::kDisabled;
    case MappingState::kEnabling:
      return MappingState::kEnabled;
    case MappingState::kDisabling:
      return MappingState::kDisabled;
    default:
      return state;
  }
}

bool IsDynamoDbStreamArn(const std::string& arn) {
  if (!IsWellFormedArn(arn) || arn::ServiceOf(arn) != "dynamodb") return false;
  // arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string resource = arn.substr(start);
  if (parts[3].empty() || parts[4].size() != 12) return false;
  if (!resource.starts_with("table/")) return false;
  size_t stream = resource.find("/stream/", 6);
  if (stream == std::string::npos) return false;
  std::string table = resource.substr(6, stream - 6);
  std::string label = resource.substr(stream + 8);
  if (table.size() < 3 || table.size() > 255 || label.empty()) return false;
  return std::all_of(table.begin(), table.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

Status ValidateMappingSettings(const MappingSettings& settings) {
  if (settings.function_name) {  // a plain name past 64 characters: the model cannot say
    STREAMSTACK_RETURN_IF_ERROR(
        ParseFunctionName(*settings.function_name, NameShape::kNamespaced).status());
  }
  return CheckSettingValues(settings);
}

Status ValidateCreateMapping(const CreateMappingInput& input) {
  STREAMSTACK_RETURN_IF_ERROR(
      ParseFunctionName(input.settings.function_name.value_or(""), NameShape::kNamespaced)
          .status());
  // After the model's checks (the request reader's), AWS's own, in its order (answers recorded from
  // AWS in LocalStack's lambda ESM tests): the destination's type, the event source, the starting
  // position, the settings' values; then (in Create) the function, the stream, duplicates.
  if (input.settings.on_success_given) {
    return Status(AwsError::kInvalidParameterValue,
                  "Unsupported DestinationConfig parameter for given event source mapping type.");
  }
  if (!input.event_source_arn) {
    return Status(AwsError::kInvalidParameterValue, "Unrecognized event source.");
  }
  const std::string& source = *input.event_source_arn;
  if (!IsDynamoDbStreamArn(source)) {
    std::string service = arn::ServiceOf(source);
    if (service == "kinesis" || service == "sqs" || service == "kafka" || service == "mq" ||
        service == "rds") {
      return Status(AwsError::kInvalidParameterValue,
                    "StreamStack emulates DynamoDB stream event sources only; unsupported event "
                    "source: " +
                        source);
    }
    return Status(AwsError::kInvalidParameterValue,
                  "Unrecognized event source, must be kinesis, dynamodb stream or sqs. "
                  "Unsupported source arn : " +
                      source);
  }
  if (!input.starting_position) {
    return Status(AwsError::kInvalidParameterValue,
                  "1 validation error detected: Value null at 'startingPosition' failed to "
                  "satisfy constraint: Member must not be null.");
  }
  if (*input.starting_position == "AT_TIMESTAMP") {
    return Status(AwsError::kInvalidParameterValue,
                  "Unsupported starting position for arn type: " + source);
  }
  return CheckSettingValues(input.settings);
}

// The FunctionArn a mapping records: AWS keeps the qualifier it was given ("fn:$LATEST"
// maps to ...:function:fn:$LATEST), and the delivery resolves it at every invoke.
std::string EventSourceMappings::MappedFunctionArn(const FunctionName& name) const {
  std::string arn = functions_.ArnOf(name.name);
  if (!name.qualifier.empty()) arn += ":" + name.qualifier;
  return arn;
}

EventSourceMappings::EventSourceMappings(storage::Store& store, Clock& clock, Functions& functions,
                                         const StreamCatalog& catalog, MappingOptions options)
    : store_(store), clock_(clock), functions_(functions), catalog_(catalog), options_(options) {}

EventSourceMappings::~EventSourceMappings() {
  Stop();
  // Write jobs queued by this object (settles, updates) refer to it: let them finish first.
  // Writes run in order, so once a no-op write is done every earlier one is too.
  (void)store_.WriteSync([](storage::WriteContext&) { return Status::Ok(); });
}

Status EventSourceMappings::Open() {
  STREAMSTACK_RETURN_IF_ERROR(store_.Migrate("lambda", kLambdaMigrations));
  timers_ = std::make_unique<TimerQueue>();
  // Transitions left by the previous run settle now (their delay has passed or nearly so).
  STREAMSTACK_ASSIGN_OR_RETURN(auto raw, ReadStoredMappings());
  for (const auto& m : raw) {
    if (IsTransition(m.state)) ScheduleSettle(m);
  }
  return Status::Ok();
}

void EventSourceMappings::Stop() {
  if (timers_) timers_->Stop();
}

void EventSourceMappings::SetObserver(MappingObserver* observer) {
  MutexLock lock(observer_mu_);
  observer_ = observer;
}

void EventSourceMappings::Notify(const EventSourceMapping& m, bool deleted) {
  MutexLock lock(observer_mu_);
  if (observer_ == nullptr) return;
  if (deleted) {
    observer_->OnMappingDeleted(m.uuid);
  } else {
    observer_->OnMappingChanged(m);
  }
}

EventSourceMapping EventSourceMappings::Resolve(EventSourceMapping m) const {
  if (IsTransition(m.state) && clock_.NowMillis() >= m.settles_at_ms) m.state = m.SettledState();
  return m;
}

void EventSourceMappings::ScheduleSettle(const EventSourceMapping& m) {
  if (!timers_) return;
  int64_t wait = std::max<int64_t>(0, m.settles_at_ms - clock_.NowMillis());
  std::string uuid = m.uuid;
  timers_->Schedule(std::chrono::milliseconds(wait), [this, uuid] { Settle(uuid); });
}

void EventSourceMappings::Settle(const std::string& uuid) {
  auto reschedule = std::make_shared<std::optional<EventSourceMapping>>();
  store_.Write(
      [this, uuid, reschedule](storage::WriteContext& ctx) -> Status {
        auto& db = ctx.db();
        STREAMSTACK_ASSIGN_OR_RETURN(auto loaded, ReadMapping(db, uuid, functions_.scope()));
        if (!loaded) return Status::Ok();
        EventSourceMapping m = std::move(*loaded);
        if (!IsTransition(m.state)) return Status::Ok();
        if (clock_.NowMillis() < m.settles_at_ms) {
          *reschedule = m;
          return Status::Ok();
        }
        if (m.state == MappingState::kDeleting) {
          auto& del = db.Prepare(kDeleteMapping);
          del.Bind(1, uuid);
          STREAMSTACK_RETURN_IF_ERROR(del.Run());
          auto& cps = db.Prepare(kDeleteCheckpoints);
          cps.Bind(1, uuid);
          STREAMSTACK_RETURN_IF_ERROR(cps.Run());
          ctx.OnCommit([this, m] { Notify(m, /*deleted=*/true); });
          return Status::Ok();
        }
        m.state = m.SettledState();
        STREAMSTACK_RETURN_IF_ERROR(WriteMapping(db, m, false));
        ctx.OnCommit([this, m] { Notify(m, false); });
        return Status::Ok();
      },
      [this, reschedule](Status) {
        if (*reschedule) ScheduleSettle(**reschedule);
      });
}

void EventSourceMappings::Create(CreateMappingInput input, Callback<EventSourceMapping> done) {
  if (auto s = ValidateCreateMapping(input); !s.ok()) return done(std::move(s));
  const std::string given_name = *input.settings.function_name;  // ValidateCreateMapping parsed
  auto name = ParseFunctionName(given_name, NameShape::kNamespaced);
  if (!name.ok()) return done(name.status());
  if (!functions_.Get(given_name).ok()) {  // the function, and the version or alias named
    return done(Status(AwsError::kInvalidParameterValue, "Function does not exist"));
  }
  const std::string& source = *input.event_source_arn;
  if (!catalog_.StreamExists(source)) {
    return done(Status(AwsError::kInvalidParameterValue, "Stream not found: " + source));
  }
  auto m = std::make_shared<EventSourceMapping>();
  m->uuid = NewUuidV4();
  m->arn = arn::EventSourceMapping(functions_.scope(), m->uuid);
  m->event_source_arn = source;
  m->function_arn = MappedFunctionArn(*name);
  m->starting_position = *input.starting_position;
  ApplySettings(input.settings, *m);
  if (m->on_failure_destination.empty()) m->on_failure_destination.clear();
  m->state = MappingState::kCreating;
  m->last_modified_ms = clock_.NowMillis();
  m->settles_at_ms = m->last_modified_ms + options_.transition_delay.count();
  m->tags = std::move(input.tags);
  // AWS: LATEST starts after the newest record at the moment the mapping is created. The
  // positions are read now, before the commit, so a record acknowledged after Create returns
  // lies past them.
  std::vector<std::pair<std::string, std::string>> latest;
  if (m->starting_position == "LATEST") latest = catalog_.LatestSequenceNumbers(source);
  store_.Write(
      [this, m, given_name, latest = std::move(latest)](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(
            auto conflict, FindConflict(ctx.db(), m->function_arn, m->event_source_arn, m->uuid));
        if (!conflict.empty()) {
          return Status(AwsError::kResourceConflict,
                        ConflictMessage(m->event_source_arn, given_name, conflict));
        }
        STREAMSTACK_RETURN_IF_ERROR(WriteMapping(ctx.db(), *m, true));
        for (const auto& [shard_id, sequence_number] : latest) {
          auto& stmt = ctx.db().Prepare(kUpsertCheckpoint);
          stmt.Bind(1, m->uuid);
          stmt.Bind(2, shard_id);
          stmt.Bind(3, sequence_number);
          stmt.Bind(4, m->last_modified_ms);
          STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
        }
        ctx.OnCommit([this, m] { Notify(*m, false); });
        return Status::Ok();
      },
      [this, m, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        ScheduleSettle(*m);
        done(EventSourceMapping(*m));
      });
}

Result<EventSourceMapping> EventSourceMappings::Load(storage::Database& db,
                                                     const std::string& uuid) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto loaded, ReadMapping(db, uuid, functions_.scope()));
  if (!loaded) return NotFoundError();
  EventSourceMapping m = Resolve(std::move(*loaded));
  if (m.state == MappingState::kDeleting && clock_.NowMillis() >= m.settles_at_ms) {
    return NotFoundError();
  }
  return m;
}

Result<EventSourceMapping> EventSourceMappings::Get(const std::string& uuid) const {
  return store_.Read([&](storage::Database& db) { return Load(db, uuid); });
}

void EventSourceMappings::Update(const std::string& uuid, MappingSettings settings,
                                 Callback<EventSourceMapping> done) {
  if (auto s = ValidateMappingSettings(settings); !s.ok()) return done(std::move(s));
  std::string new_function_arn;
  std::string given_name;
  if (settings.function_name) {
    given_name = *settings.function_name;
    auto name = ParseFunctionName(given_name, NameShape::kNamespaced);
    if (!name.ok()) return done(name.status());
    if (!functions_.Get(given_name).ok()) {
      return done(Status(AwsError::kInvalidParameterValue, "Function does not exist"));
    }
    new_function_arn = MappedFunctionArn(*name);
  }
  auto result = std::make_shared<EventSourceMapping>();
  store_.Write(
      [this, uuid, settings = std::move(settings), new_function_arn, given_name,
       result](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto loaded, Load(ctx.db(), uuid));
        EventSourceMapping m = std::move(loaded);
        if (m.state == MappingState::kDeleting) return NotFoundError();
        if (!new_function_arn.empty() && new_function_arn != m.function_arn) {
          STREAMSTACK_ASSIGN_OR_RETURN(
              auto conflict, FindConflict(ctx.db(), new_function_arn, m.event_source_arn, m.uuid));
          if (!conflict.empty()) {
            return Status(AwsError::kResourceConflict,
                          ConflictMessage(m.event_source_arn, given_name, conflict));
          }
          m.function_arn = new_function_arn;
        }
        const bool was_enabled = m.enabled;
        ApplySettings(settings, m);
        if (settings.enabled && *settings.enabled != was_enabled) {
          m.state = m.enabled ? MappingState::kEnabling : MappingState::kDisabling;
        } else {
          m.state = MappingState::kUpdating;
        }
        m.state_transition_reason = "User action";
        m.last_modified_ms = clock_.NowMillis();
        m.settles_at_ms = m.last_modified_ms + options_.transition_delay.count();
        STREAMSTACK_RETURN_IF_ERROR(WriteMapping(ctx.db(), m, false));
        *result = m;
        ctx.OnCommit([this, m] { Notify(m, false); });
        return Status::Ok();
      },
      [this, result, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        ScheduleSettle(*result);
        done(EventSourceMapping(*result));
      });
}

void EventSourceMappings::Delete(const std::string& uuid, Callback<EventSourceMapping> done) {
  auto result = std::make_shared<EventSourceMapping>();
  store_.Write(
      [this, uuid, result](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto loaded, Load(ctx.db(), uuid));
        EventSourceMapping m = std::move(loaded);
        m.state = MappingState::kDeleting;
        m.state_transition_reason = "User action";
        m.settles_at_ms = clock_.NowMillis() + options_.transition_delay.count();
        STREAMSTACK_RETURN_IF_ERROR(WriteMapping(ctx.db(), m, false));
        *result = m;
        ctx.OnCommit([this, m] { Notify(m, false); });
        return Status::Ok();
      },
      [this, result, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        ScheduleSettle(*result);
        done(EventSourceMapping(*result));
      });
}

Result<MappingPage> EventSourceMappings::List(const std::string& function_name,
                                              const std::string& event_source_arn,
                                              const std::string& marker, int max_items) const {
  max_items = std::max(max_items, 1);  // the request reader holds MaxItems to 1..10000
  std::string function_arn;
  if (!function_name.empty()) {
    STREAMSTACK_ASSIGN_OR_RETURN(auto name,
                                 ParseFunctionName(function_name, NameShape::kNamespaced));
    function_arn = MappedFunctionArn(name);
  }
  int64_t after = 0;
  if (!marker.empty()) {
    std::string decoded;
    char* end = nullptr;
    if (!Base64Decode(marker, &decoded) || decoded.empty() ||
        (after = std::strtoll(decoded.c_str(), &end, 10), *end != '\0')) {
      return Status(AwsError::kInvalidParameterValue, "Invalid marker: " + marker);
    }
  }
  return store_.Read([&](storage::Database& db) -> Result<MappingPage> {
    MappingPage page;
    auto& stmt = db.Prepare(kListMappings);
    stmt.Bind(1, after);
    stmt.Bind(2, function_arn);
    stmt.Bind(3, function_arn);
    stmt.Bind(4, event_source_arn);
    stmt.Bind(5, event_source_arn);
    stmt.Bind(6, max_items + 1);
    int64_t last_seq = 0;
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
      if (!row) break;
      if (static_cast<int>(page.mappings.size()) == max_items) {
        page.next_marker = Base64Encode(std::to_string(last_seq));
        stmt.Reset();
        break;
      }
      last_seq = stmt.ColumnInt64(0);
      json j = json::parse(stmt.ColumnText(1), nullptr, false);
      if (j.is_discarded()) continue;
      EventSourceMapping m = Resolve(FromRecord(j, functions_.scope()));
      if (m.state == MappingState::kDeleting && clock_.NowMillis() >= m.settles_at_ms) continue;
      page.mappings.push_back(std::move(m));
    }
    return page;
  });
}

std::string EventSourceMappings::UuidOfArn(const std::string& arn) const {
  constexpr std::string_view kMarker = ":event-source-mapping:";
  size_t pos = arn.find(kMarker);
  if (pos == std::string::npos || !arn.starts_with("arn:")) return "";
  return arn.substr(pos + kMarker.size());
}

namespace {
// AWS's answer for a tag operation on a mapping that does not exist (recorded in LocalStack's
// TestLambdaTag::test_tag_exceptions[event_source_mapping]).
Status MappingNotFound(const std::string& arn) {
  return Status(AwsError::kResourceNotFound, "Event source mapping not found: " + arn);
}
}  // namespace

void EventSourceMappings::TagResource(const std::string& arn, Tags tags, Callback<bool> done) {
  ChangeTags(
      arn,
      [tags = std::move(tags)](Tags& stored) {
        for (const auto& [k, v] : tags) stored[k] = v;
      },
      std::move(done));
}

void EventSourceMappings::UntagResource(const std::string& arn, std::vector<std::string> keys,
                                        Callback<bool> done) {
  ChangeTags(
      arn,
      [keys = std::move(keys)](Tags& stored) {
        for (const auto& k : keys) stored.erase(k);
      },
      std::move(done));
}

void EventSourceMappings::ChangeTags(const std::string& arn, std::function<void(Tags&)> change,
                                     Callback<bool> done) {
  std::string uuid = UuidOfArn(arn);
  store_.Write(
      [this, uuid, arn, change = std::move(change)](storage::WriteContext& ctx) -> Status {
        auto loaded = Load(ctx.db(), uuid);
        if (!loaded.ok()) {
          return loaded.status().code() == AwsError::kResourceNotFound ? MappingNotFound(arn)
                                                                       : loaded.status();
        }
        // Keep the stored state (Load answers the settled one).
        STREAMSTACK_ASSIGN_OR_RETURN(auto raw, ReadMapping(ctx.db(), uuid, functions_.scope()));
        EventSourceMapping stored = std::move(*raw);
        change(stored.tags);
        return WriteMapping(ctx.db(), stored, false);
      },
      [done = std::move(done)](Status s) {
        if (!s.ok()) return done(std::move(s));
        done(true);
      });
}

Result<Tags> EventSourceMappings::ListTags(const std::string& arn) const {
  auto m = Get(UuidOfArn(arn));
  if (!m.ok()) {
    return m.status().code() == AwsError::kResourceNotFound ? MappingNotFound(arn) : m.status();
  }
  return m->tags;
}

Result<std::vector<EventSourceMapping>> EventSourceMappings::ReadStoredMappings() const {
  return store_.Read([&](storage::Database& db) -> Result<std::vector<EventSourceMapping>> {
    std::vector<EventSourceMapping> out;
    auto& stmt = db.Prepare(kListAllMappings);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
      if (!row) break;
      json j = json::parse(stmt.ColumnText(0), nullptr, false);
      if (!j.is_discarded()) out.push_back(FromRecord(j, functions_.scope()));
    }
    return out;
  });
}

Result<std::vector<EventSourceMapping>> EventSourceMappings::ListAll() const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto stored, ReadStoredMappings());
  std::vector<EventSourceMapping> out;
  for (auto& record : stored) {
    EventSourceMapping m = Resolve(std::move(record));
    if (m.state == MappingState::kDeleting && clock_.NowMillis() >= m.settles_at_ms) continue;
    out.push_back(std::move(m));
  }
  return out;
}

void EventSourceMappings::SetLastProcessingResult(const std::string& uuid,
                                                  const std::string& result,
                                                  std::function<void(Status)> done) {
  {
    MutexLock lock(results_mu_);
    auto it = last_results_.find(uuid);
    if (it != last_results_.end() && it->second == result) {
      if (done) done(Status::Ok());
      return;
    }
    last_results_[uuid] = result;
  }
  store_.Write(
      [uuid, result](storage::WriteContext& ctx) -> Status {
        auto& stmt = ctx.db().Prepare(kSetLastProcessingResult);
        stmt.Bind(1, result);
        stmt.Bind(2, uuid);
        STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
        if (ctx.db().Changes() == 0) return NotFoundError();
        return Status::Ok();
      },
      [this, uuid, done = std::move(done)](Status s) {
        if (!s.ok()) {
          MutexLock lock(results_mu_);
          last_results_.erase(uuid);
        }
        if (done) done(std::move(s));
      });
}

void EventSourceMappings::PutCheckpoint(const std::string& uuid, const std::string& shard_id,
                                        const std::string& sequence_number,
                                        std::function<void(Status)> done) {
  int64_t now = clock_.NowMillis();
  store_.Write(
      [uuid, shard_id, sequence_number, now](storage::WriteContext& ctx) -> Status {
        auto& stmt = ctx.db().Prepare(kUpsertCheckpoint);
        stmt.Bind(1, uuid);
        stmt.Bind(2, shard_id);
        stmt.Bind(3, sequence_number);
        stmt.Bind(4, now);
        return stmt.Run();
      },
      [done = std::move(done)](Status s) {
        if (done) done(std::move(s));
      });
}

Result<std::optional<std::string>> EventSourceMappings::GetCheckpoint(
    const std::string& uuid, const std::string& shard_id) const {
  return store_.Read([&](storage::Database& db) -> Result<std::optional<std::string>> {
    auto& stmt = db.Prepare(kSelectCheckpoint);
    stmt.Bind(1, uuid);
    stmt.Bind(2, shard_id);
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
    if (!row) return std::optional<std::string>();
    std::optional<std::string> out(std::string(stmt.ColumnText(0)));
    stmt.Reset();
    return out;
  });
}

Result<std::vector<ShardCheckpoint>> EventSourceMappings::ListCheckpoints(
    const std::string& uuid) const {
  return store_.Read([&](storage::Database& db) -> Result<std::vector<ShardCheckpoint>> {
    std::vector<ShardCheckpoint> out;
    auto& stmt = db.Prepare(kListCheckpoints);
    stmt.Bind(1, uuid);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, stmt.Step());
      if (!row) break;
      out.push_back(
          {std::string(stmt.ColumnText(0)), std::string(stmt.ColumnText(1)), stmt.ColumnInt64(2)});
    }
    return out;
  });
}

void EventSourceMappings::TEST_DrainTimers() {
  if (timers_) timers_->Drain();
}

}  // namespace streamstack::lambda
