// Wires the lambda module: functions (and the config file's declared ones), Invoke, the event
// source mapping API, with the streams module as its StreamCatalog. The esm engine plugs in
// here as the MappingObserver (mappings->SetObserver).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "app/wiring.h"
#include "streamstack/api/runtime_api.h"
#include "streamstack/http/function_invoker.h"
#include "streamstack/http/server.h"
#include "streamstack/lambda/event_source_mapping.h"
#include "streamstack/lambda/function.h"
#include "streamstack/lambda/invoke.h"
#include "streamstack/lambda/lambda_api.h"
#include "streamstack/lambda/layers.h"
#include "streamstack/runtime/local_runtime.h"
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
// invoke URL, else its own code in a local sandbox.
class FunctionTargetInvoker final : public Invoker {
 public:
  FunctionTargetInvoker(Invoker& http, Invoker& local) : http_(http), local_(local) {}
  void Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) override {
    Invoker& target = invocation.function.invoke_url.empty() ? local_ : http_;
    target.Invoke(std::move(invocation), std::move(done));
  }

 private:
  Invoker& http_;
  Invoker& local_;
};

// The zip a sandbox runs: the function's stored code.
class FunctionCode final : public runtime::CodeSource {
 public:
  FunctionCode(const lambda::Functions& functions, const lambda::Layers& layers)
      : functions_(functions), layers_(layers) {}
  Result<Code> LoadLayer(const std::string& layer_version_arn) const override {
    STREAMSTACK_ASSIGN_OR_RETURN(auto code, layers_.GetCode(layer_version_arn));
    return Code{std::move(code.zip), std::move(code.sha256)};
  }
  Result<Code> LoadCode(const std::string& function_name,
                        const std::string& version) const override {
    STREAMSTACK_ASSIGN_OR_RETURN(auto code, functions_.GetCode(function_name, version));
    return Code{std::move(code.zip), std::move(code.sha256)};
  }

 private:
  const lambda::Functions& functions_;
  const lambda::Layers& layers_;
};

// A Runtime API port per sandbox, on the one HTTP server.
class ServerListeners final : public runtime::RuntimeApiListeners {
 public:
  explicit ServerListeners(http::Server& server) : server_(server) {}
  Result<uint16_t> Open() override { return server_.AddListener("127.0.0.1", 0); }
  void Close(uint16_t port) override { server_.RemoveListener(port); }

 private:
  http::Server& server_;
};

// Where function code finds the AWS SDK for JavaScript v3, as AWS's nodejs runtimes
// provide it: installed beside the binary (the build tree's npm/ by ./test.sh, the
// image's /usr/local/lib/streamstack by its Dockerfile).
std::vector<std::string> SdkNodePaths() {
  std::vector<std::string> out;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return out;
  for (const auto& dir : {self.parent_path() / "npm" / "node_modules",
                          self.parent_path() / ".." / "lib" / "streamstack" / "node_modules"}) {
    if (std::filesystem::is_directory(dir, ec)) {
      out.push_back(std::filesystem::weakly_canonical(dir, ec).string());
    }
  }
  return out;
}

// Sandboxes keep their code under the data directory; with --in-memory, in a temporary
// directory removed at stop.
Result<std::pair<std::filesystem::path, bool>> RuntimeWorkDir(const Config& config) {
  if (!config.in_memory) {
    return std::make_pair(std::filesystem::path(config.data_dir) / "lambda", false);
  }
  std::error_code ec;
  std::string pattern = (std::filesystem::temp_directory_path(ec) / "streamstack-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status(AwsError::kInternalFailure, "cannot create a temporary directory " + pattern);
  }
  return std::make_pair(std::filesystem::path(pattern), true);
}

Result<runtime::LocalRuntimeOptions> RuntimeOptions(const AppContext& ctx) {
  runtime::LocalRuntimeOptions o;
  STREAMSTACK_ASSIGN_OR_RETURN(auto work, RuntimeWorkDir(ctx.config));
  o.work_dir = work.first;
  o.remove_work_dir_on_stop = work.second;
  o.region = ctx.scope.region;
  std::string host = ctx.config.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  o.endpoint_url = "http://" + host + ":" + std::to_string(ctx.server.port());
  o.default_concurrency = ctx.config.function_concurrency;
  o.idle_timeout = std::chrono::milliseconds(ctx.config.sandbox_idle_timeout_ms);
  for (const auto& mapping : ctx.config.runtime_commands) {
    size_t eq = mapping.find('=');
    o.runtime_commands[mapping.substr(0, eq)] = mapping.substr(eq + 1);
  }
  o.node_path = SdkNodePaths();
  o.log_sink = ctx.function_logs;
  return o;
}

}  // namespace

Status WireLambda(AppContext& ctx) {
  auto* functions = ctx.Own(std::make_shared<lambda::Functions>(ctx.store, ctx.clock, ctx.scope));
  STREAMSTACK_RETURN_IF_ERROR(functions->Open());
  auto* layers = ctx.Own(std::make_shared<lambda::Layers>(ctx.store, ctx.clock, ctx.scope));
  STREAMSTACK_RETURN_IF_ERROR(layers->Open());
  functions->SetLayers(layers);
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
  STREAMSTACK_ASSIGN_OR_RETURN(auto options, RuntimeOptions(ctx));
  auto* code = ctx.Own(std::make_shared<FunctionCode>(*functions, *layers));
  auto* listeners = ctx.Own(std::make_shared<ServerListeners>(ctx.server));
  auto* local = ctx.Own(
      std::make_shared<runtime::LocalRuntime>(std::move(options), *code, *listeners, ctx.clock));
  STREAMSTACK_RETURN_IF_ERROR(local->Start());
  functions->SetChangeListener([local](const std::string& name) { local->Retire(name); });
  ctx.stopping_hooks.push_back([local] { local->BeginStop(); });
  api::RegisterRuntimeApi(ctx.router, *local);
  auto* function_invoker =
      ctx.Own(std::make_shared<FunctionTargetInvoker>(*http_functions, *local));
  ctx.function_invoker = function_invoker;
  auto* invoke =
      ctx.Own(std::make_shared<lambda::InvokeService>(*functions, *function_invoker, ctx.clock));
  if (ctx.streams == nullptr)
    return Status(AwsError::kInternalFailure, "WireLambda needs WireDynamoDb first");
  auto* catalog = ctx.Own(std::make_shared<StreamStoreCatalog>(*ctx.streams));
  auto* mappings = ctx.Own(
      std::make_shared<lambda::EventSourceMappings>(ctx.store, ctx.clock, *functions, *catalog));
  STREAMSTACK_RETURN_IF_ERROR(mappings->Open());
  ctx.functions = functions;
  ctx.mappings = mappings;
  ctx.invoke = invoke;
  lambda::RegisterLambdaApi(
      ctx.router, lambda::LambdaServices{*functions, *invoke, *mappings, *layers, ctx.clock});
  ctx.stop_hooks.push_back([invoke, mappings, local] {
    invoke->Stop();
    mappings->Stop();
    local->Stop();  // after the delivery engine (a later stop hook, run first)
  });
  return Status::Ok();
}

}  // namespace streamstack::app
