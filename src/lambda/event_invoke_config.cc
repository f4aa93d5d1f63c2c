// Functions: asynchronous invocation settings
// (Put/Update/Get/Delete/ListFunctionEventInvokeConfig). Answers follow AWS's recordings kept by
// LocalStack (TestLambdaEventInvokeConfig).
#include <nlohmann/json.hpp>

#include "lambda/qualified_settings.h"
#include "streamstack/lambda/function.h"

namespace streamstack::lambda {
namespace {

using nlohmann::json;

constexpr const char* kSelectAll =
    "SELECT record FROM lambda_event_invoke_configs ORDER BY name, qualifier";
constexpr const char* kUpsert =
    "INSERT INTO lambda_event_invoke_configs (name, qualifier, record) VALUES (?, ?, ?) "
    "ON CONFLICT (name, qualifier) DO UPDATE SET record = excluded.record";
constexpr const char* kDelete =
    "DELETE FROM lambda_event_invoke_configs WHERE name = ? AND qualifier = ?";

json ToRecord(const EventInvokeConfig& c) {
  json j = {{"name", c.function_name},
            {"qualifier", c.qualifier},
            {"on_success", c.on_success},
            {"on_failure", c.on_failure},
            {"last_modified_ms", c.last_modified_ms}};
  if (c.maximum_retry_attempts) j["retries"] = *c.maximum_retry_attempts;
  if (c.maximum_event_age_seconds) j["max_age"] = *c.maximum_event_age_seconds;
  return j;
}

EventInvokeConfig FromRecord(const json& j) {
  EventInvokeConfig c;
  c.function_name = j.value("name", "");
  c.qualifier = j.value("qualifier", "$LATEST");
  c.on_success = j.value("on_success", "");
  c.on_failure = j.value("on_failure", "");
  c.last_modified_ms = j.value("last_modified_ms", int64_t{0});
  if (j.contains("retries")) c.maximum_retry_attempts = j["retries"].get<int64_t>();
  if (j.contains("max_age")) c.maximum_event_age_seconds = j["max_age"].get<int64_t>();
  return c;
}

Status FunctionMissing() {
  return Status(AwsError::kResourceNotFound, "The function doesn't exist.");
}

// Unqualified names stand for $LATEST; AWS answers one message for a missing function,
// version or alias alike.
QualifierRules InvokeConfigRules() {
  return QualifierRules{.unqualified_as = "$LATEST",
                        .function_missing = FunctionMissing(),
                        .version_missing = FunctionMissing(),
                        .alias_missing = FunctionMissing()};
}

Status NoEventInvokeConfig(const std::string& function_arn, const std::string& qualifier) {
  return Status(AwsError::kResourceNotFound, "The function " + function_arn + ":" + qualifier +
                                                 " doesn't have an EventInvokeConfig");
}

}  // namespace

Status Functions::LoadEventInvokeConfigs()
    NO_THREAD_SAFETY_ANALYSIS {  // the qualified_settings helper takes mu_ itself
  return LoadQualified(store_, kSelectAll, mu_, invoke_configs_,
                       [](storage::Statement& st) -> std::optional<EventInvokeConfig> {
                         json j = json::parse(st.ColumnText(0), nullptr, false);
                         if (j.is_discarded()) return std::nullopt;
                         return FromRecord(j);
                       });
}

void Functions::PutEventInvokeConfig(const std::string& function_name, EventInvokeConfig config,
                                     bool merge, Callback<EventInvokeConfig> done) {
  auto name = ParseFunctionName(function_name, NameShape::kNamespaced);
  if (!name.ok()) return done(name.status());
  if (!merge && !config.maximum_retry_attempts && !config.maximum_event_age_seconds &&
      config.on_success.empty() && config.on_failure.empty()) {
    return done(Status(AwsError::kInvalidParameterValue,
                       "You must specify at least one of error handling or destination setting."));
  }
  auto resolved = ResolveQualifier(*name, InvokeConfigRules());
  if (!resolved.ok()) return done(resolved.status());
  const std::string own = ArnOf(name->name);
  for (const std::string* dest : {&config.on_success, &config.on_failure}) {
    if (dest->empty()) continue;
    const std::string service = arn::ServiceOf(*dest);
    if (service == "lambda") {
      auto target = ParseFunctionName(*dest, NameShape::kNamespaced);
      if (target.ok() && target->name == name->name) {
        return done(Status(AwsError::kInvalidParameterValue,
                           "You can't specify the function as a destination for itself."));
      }
      if (!target.ok() || !Exists(target->name)) {
        return done(Status(AwsError::kInvalidParameterValue,
                           "The destination ARN " + *dest + " is invalid."));
      }
    } else if (service != "sqs" && service != "sns" && service != "events" && service != "s3") {
      auto side = [&](const std::string& d, const char* kind) {
        return d.empty() ? std::string("null") : std::string(kind) + "(destination=" + d + ")";
      };
      return done(Status(AwsError::kInvalidParameterValue,
                         "The provided destination config DestinationConfig(onSuccess=" +
                             side(config.on_success, "OnSuccess") + ", onFailure=" +
                             side(config.on_failure, "OnFailure") + ") is invalid."));
    }
  }
  config.function_name = resolved->name;
  config.qualifier = resolved->qualifier;
  config.last_modified_ms = clock_.NowMillis();
  auto result = std::make_shared<EventInvokeConfig>(std::move(config));
  store_.Write(
      [this, result, merge, own](storage::WriteContext& ctx) -> Status {
        EventInvokeConfig& c = *result;
        if (merge) {
          std::optional<EventInvokeConfig> current;
          {
            ReaderLock lock(mu_);
            current = FindQualified(invoke_configs_, c.function_name, c.qualifier);
          }
          if (!current) return NoEventInvokeConfig(own, c.qualifier);
          if (!c.maximum_retry_attempts) c.maximum_retry_attempts = current->maximum_retry_attempts;
          if (!c.maximum_event_age_seconds) {
            c.maximum_event_age_seconds = current->maximum_event_age_seconds;
          }
          if (c.on_success.empty()) c.on_success = current->on_success;
          if (c.on_failure.empty()) c.on_failure = current->on_failure;
        }
        auto& st = ctx.db().Prepare(kUpsert);
        st.Bind(1, c.function_name);
        st.Bind(2, c.qualifier);
        st.Bind(3, ToRecord(c).dump());
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        EventInvokeConfig cached = c;
        ctx.OnCommit([this, cached] {
          WriterLock lock(mu_);
          invoke_configs_[cached.function_name][cached.qualifier] = cached;
        });
        return Status::Ok();
      },
      [result, done = std::move(done)](Status status) {
        if (!status.ok()) return done(std::move(status));
        done(*result);
      });
}

Result<EventInvokeConfig> Functions::GetEventInvokeConfig(const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  // No existence check: AWS answers a missing function as one without a config.
  const std::string qualifier = StoredQualifier(name, InvokeConfigRules());
  {
    ReaderLock lock(mu_);
    if (auto c = FindQualified(invoke_configs_, name.name, qualifier)) return *c;
  }
  return NoEventInvokeConfig(ArnOf(name.name), qualifier);
}

std::optional<EventInvokeConfig> Functions::EventInvokeConfigFor(
    const std::string& function_name) const {
  auto config = GetEventInvokeConfig(function_name);
  if (!config.ok()) return std::nullopt;
  return *config;
}

void Functions::DeleteEventInvokeConfig(const std::string& function_name, Callback<bool> done)
    NO_THREAD_SAFETY_ANALYSIS {  // the qualified_settings helper takes mu_ itself
  auto config = GetEventInvokeConfig(function_name);
  if (!config.ok()) return done(config.status());
  DeleteQualifiedSetting(store_, kDelete, mu_, invoke_configs_,
                         {config->function_name, config->qualifier}, std::move(done));
}

Result<std::vector<EventInvokeConfig>> Functions::ListEventInvokeConfigs(
    const std::string& function_name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  if (!Exists(name.name)) return FunctionMissing();
  ReaderLock lock(mu_);
  return ListQualified(invoke_configs_, name.name);
}

}  // namespace streamstack::lambda
