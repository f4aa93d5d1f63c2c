// Wires the esm delivery engine: it becomes the event source mappings' observer, and
// DynamoDB Streams (its record source, app/dynamodb_record_source.h), the lambda module
// (checkpoints, LastProcessingResult, functions) and the SQS/SNS stores (on-failure
// destinations) are adapted to the interfaces the engine defines.
#include <spdlog/spdlog.h>

#include <memory>

#include "app/dynamodb_record_source.h"
#include "app/wiring.h"
#include "streamstack/esm/engine.h"
#include "streamstack/lambda/event_source_mapping.h"
#include "streamstack/lambda/function.h"
#include "streamstack/lambda/invoke.h"
#include "streamstack/sns/topic_store.h"
#include "streamstack/sqs/queue_store.h"

namespace streamstack::app {
namespace {

class MappingCheckpoints final : public esm::CheckpointStore {
 public:
  explicit MappingCheckpoints(lambda::EventSourceMappings& mappings) : mappings_(mappings) {}

  Result<std::map<std::string, std::string>> Load(const std::string& uuid) const override {
    STREAMSTACK_ASSIGN_OR_RETURN(auto list, mappings_.ListCheckpoints(uuid));
    std::map<std::string, std::string> out;
    for (const auto& cp : list) out[cp.shard_id] = cp.sequence_number;
    return out;
  }
  void Save(const std::string& uuid, const std::string& shard_id,
            const std::string& sequence_number, std::function<void(Status)> done) override {
    mappings_.PutCheckpoint(uuid, shard_id, sequence_number, std::move(done));
  }
  void SetLastProcessingResult(const std::string& uuid, const std::string& result) override {
    mappings_.SetLastProcessingResult(uuid, result);
  }

 private:
  lambda::EventSourceMappings& mappings_;
};

// Where records of outcomes go: stream mappings' on-failure destinations (SQS SendMessage,
// SNS Publish) and asynchronous invocations' OnSuccess / OnFailure (also a function: an
// Event invoke with the record as its event).
class FailureDestinations final : public Destination {
 public:
  FailureDestinations(sqs::QueueStore* queues, sns::TopicStore* topics,
                      lambda::InvokeService* invoke)
      : queues_(queues), topics_(topics), invoke_(invoke) {}

  void Send(const std::string& arn, std::string message,
            std::function<void(Status)> done) override {
    const std::string service = arn::ServiceOf(arn);
    if (service == "sqs" && queues_ != nullptr) {
      queues_->SendMessage(arn, std::move(message), {},
                           [done = std::move(done)](Result<sqs::SendResult> r) {
                             done(r.ok() ? Status::Ok() : std::move(r).take_status());
                           });
      return;
    }
    if (service == "sns" && topics_ != nullptr) {
      sns::PublishInput input;
      input.message = std::move(message);
      topics_->Publish(arn, std::move(input), [done = std::move(done)](Result<std::string> r) {
        done(r.ok() ? Status::Ok() : std::move(r).take_status());
      });
      return;
    }
    if (service == "lambda" && invoke_ != nullptr) {
      invoke_->Invoke(arn, lambda::InvocationType::kEvent, std::move(message), NewUuidV4(),
                      [done = std::move(done)](Result<lambda::InvokeOutput> r) {
                        done(r.ok() ? Status::Ok() : std::move(r).take_status());
                      });
      return;
    }
    done(Status(AwsError::kInvalidParameterValue, "unsupported destination " + arn));
  }

 private:
  sqs::QueueStore* queues_;
  sns::TopicStore* topics_;
  lambda::InvokeService* invoke_;
};

class FunctionTargets final : public esm::FunctionDirectory {
 public:
  explicit FunctionTargets(const lambda::Functions& functions) : functions_(functions) {}
  Result<FunctionTarget> Resolve(const std::string& function_arn) const override {
    return functions_.ResolveInvokeTarget(function_arn);
  }

 private:
  const lambda::Functions& functions_;
};

esm::MappingConfig ToConfig(const lambda::EventSourceMapping& m) {
  esm::MappingConfig c;
  c.uuid = m.uuid;
  c.function_arn = m.function_arn;
  c.event_source_arn = m.event_source_arn;
  c.batch_size = m.batch_size;
  c.maximum_batching_window_in_seconds = m.maximum_batching_window_in_seconds;
  c.parallelization_factor = m.parallelization_factor;
  c.maximum_record_age_in_seconds = m.maximum_record_age_in_seconds;
  c.maximum_retry_attempts = m.maximum_retry_attempts;
  c.bisect_batch_on_function_error = m.bisect_batch_on_function_error;
  c.tumbling_window_in_seconds = m.tumbling_window_in_seconds;
  for (const auto& t : m.function_response_types) {
    if (t == "ReportBatchItemFailures") c.report_batch_item_failures = true;
  }
  c.filter_patterns = m.filter_patterns;
  c.on_failure_destination = m.on_failure_destination;
  // Creating, Updating and Enabling settle into Enabled: the workers run meanwhile.
  c.enabled = m.state != lambda::MappingState::kDeleting &&
              m.SettledState() == lambda::MappingState::kEnabled;
  return c;
}

class EngineObserver final : public lambda::MappingObserver {
 public:
  explicit EngineObserver(esm::DeliveryEngine& engine) : engine_(engine) {}
  void OnMappingChanged(const lambda::EventSourceMapping& m) override {
    if (m.state == lambda::MappingState::kDeleting) {
      engine_.Remove(m.uuid);
    } else {
      engine_.Apply(ToConfig(m));
    }
  }
  void OnMappingDeleted(const std::string& uuid) override { engine_.Remove(uuid); }

 private:
  esm::DeliveryEngine& engine_;
};

}  // namespace

Status WireEsm(AppContext& ctx) {
  if (ctx.streams == nullptr || ctx.mappings == nullptr || ctx.functions == nullptr ||
      ctx.function_invoker == nullptr) {
    return Status(AwsError::kInternalFailure, "WireEsm needs WireDynamoDb and WireLambda first");
  }
  auto* checkpoints = ctx.Own(std::make_shared<MappingCheckpoints>(*ctx.mappings));
  auto* destinations =
      ctx.Own(std::make_shared<FailureDestinations>(ctx.queues, ctx.topics, ctx.invoke));
  if (ctx.invoke != nullptr) ctx.invoke->SetDestinations(destinations);
  auto* targets = ctx.Own(std::make_shared<FunctionTargets>(*ctx.functions));
  auto* source = ctx.Own(std::make_shared<DynamoDbRecordSource>(*ctx.streams));
  esm::EngineOptions options;
  options.poll_interval =
      std::chrono::milliseconds(std::max<int64_t>(0, ctx.config.poll_interval_ms));
  auto* engine = ctx.Own(std::make_shared<esm::DeliveryEngine>(
      *source, *ctx.function_invoker, *checkpoints, *destinations, *targets, ctx.clock, ctx.metrics,
      options));
  auto* observer = ctx.Own(std::make_shared<EngineObserver>(*engine));
  engine->Start();
  // Observer first, then the mappings that exist: a change in between is applied twice at
  // worst, never missed.
  lambda::EventSourceMappings* mappings = ctx.mappings;
  mappings->SetObserver(observer);
  STREAMSTACK_ASSIGN_OR_RETURN(auto all, mappings->ListAll());
  for (const auto& m : all) observer->OnMappingChanged(m);
  ctx.clock_advanced.push_back([engine] { engine->ClockAdvanced(); });
  ctx.stop_hooks.push_back([engine, mappings] {
    mappings->SetObserver(nullptr);
    engine->Stop();
  });
  return Status::Ok();
}

}  // namespace streamstack::app
