// Wires the lambda module: functions (and the config file's declared ones), Invoke, the event
// source mapping API, with the streams module as its StreamCatalog. The esm engine plugs in
// here as the MappingObserver (mappings->SetObserver).
#include <spdlog/spdlog.h>

#include <memory>

#include "app/wiring.h"
#include "streamstack/http/function_invoker.h"
#include "streamstack/lambda/event_source_mapping.h"
#include "streamstack/lambda/function.h"
#include "streamstack/lambda/invoke.h"
#include "streamstack/lambda/lambda_api.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::app {
namespace {

// The streams this process holds, for CreateEventSourceMapping's "Stream not found". A
// stream of a deleted table stays readable for 24 h, and so stays a valid source, as on AWS.
class StreamStoreCatalog final : public lambda::StreamCatalog {
 public:
  explicit StreamStoreCatalog(const streams::StreamStore& streams) : streams_(streams) {}
  bool StreamExists(const std::string& stream_arn) const override {
    return lambda::IsDynamoDbStreamArn(stream_arn) && streams_.FindStream(stream_arn).ok();
  }
  // The published high-water marks: what is committed, without a query per shard.
  std::vector<std::pair<std::string, std::string>> LatestSequenceNumbers(
      const std::string& stream_arn) const override {
    std::vector<std::pair<std::string, std::string>> out;
    auto shards = streams_.ListShards(stream_arn);
    if (!shards.ok()) return out;
    for (const auto& shard : shards.value()) {
      int64_t last = shard.watermark ? shard.watermark->last_sequence.load() : 0;
      if (last > 0) {
        out.emplace_back(shard.shard_id, streams::StreamStore::FormatSequenceNumber(last));
      }
    }
    return out;
  }

 private:
  const streams::StreamStore& streams_;
};

// Runs each invocation on the function's own target: its HTTP endpoint when it has an
// invoke URL, else its own code.
class FunctionTargetInvoker final : public Invoker {
 public:
  explicit FunctionTargetInvoker(Invoker& http) : http_(http) {}
  void Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) override {
    if (!invocation.function.invoke_url.empty()) {
      return http_.Invoke(std::move(invocation), std::move(done));
    }
    done(InvokeOutcome::ServiceError(Status(
        AwsError::kInvalidParameterValue,
        "Function " + invocation.function.function_name +
            " has no invoke target: set the STREAMSTACK_INVOKE_URL environment variable with "
            "UpdateFunctionConfiguration or declare invoke_url for it in the config file")));
  }

 private:
  Invoker& http_;
};

}  // namespace

Status WireLambda(AppContext& ctx) {
  auto* functions = ctx.Own(std::make_shared<lambda::Functions>(ctx.store, ctx.clock, ctx.scope));
  STREAMSTACK_RETURN_IF_ERROR(functions->Open());
  for (const auto& decl : ctx.config.functions) {
    Status declared =
        functions->Declare(decl.name, decl.runtime, decl.handler, decl.timeout_seconds,
                           decl.memory_size_mb, decl.invoke_url);
    if (!declared.ok()) {
      return Status(declared.code(),
                    "config file function '" + decl.name + "': " + declared.message());
    }
    spdlog::info("lambda: function {} declared by the config file -> {}", decl.name,
                 decl.invoke_url);
  }
  auto* http_functions = ctx.Own(std::make_shared<http::HttpFunctionInvoker>(ctx.http, ctx.clock));
  auto* function_invoker = ctx.Own(std::make_shared<FunctionTargetInvoker>(*http_functions));
  ctx.function_invoker = function_invoker;
  auto* invoke =
      ctx.Own(std::make_shared<lambda::InvokeService>(*functions, *function_invoker, ctx.clock));
  if (ctx.streams == nullptr) return Status(AwsError::kInternalFailure, "WireLambda needs WireDynamoDb first");
  auto* catalog = ctx.Own(std::make_shared<StreamStoreCatalog>(*ctx.streams));
  auto* mappings = ctx.Own(
      std::make_shared<lambda::EventSourceMappings>(ctx.store, ctx.clock, *functions, *catalog));
  STREAMSTACK_RETURN_IF_ERROR(mappings->Open());
  ctx.functions = functions;
  ctx.mappings = mappings;
  lambda::RegisterLambdaApi(ctx.router, lambda::LambdaServices{*functions, *invoke, *mappings});
  ctx.stop_hooks.push_back([invoke, mappings] {
    invoke->Stop();
    mappings->Stop();
  });
  return Status::Ok();
}

}  // namespace streamstack::app
