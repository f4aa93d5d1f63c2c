// runtime: functions that run their own code. A function without an HTTP target runs its
// zip in local sandbox processes (node for nodejs*, python3 for python3.*, the zip's
// bootstrap for provided*, or a command the configuration maps a runtime to), each talking
// to StreamStack through the Lambda Runtime API (2018-06-01) on a loopback port of its own.
// LocalRuntime is the Invoker for those functions: it unpacks code once per code version,
// keeps warm sandboxes (one invocation at a time each), starts more up to the function's
// concurrency, throttles beyond it, kills a sandbox at the function's Timeout, and never
// leaves a process behind. No HTTP here: the api layer turns Runtime API requests into the
// Runtime* calls below, and the app provides the listeners (RuntimeApiListeners).
// Thread safety: every public method may be called from any thread; callbacks run on the
// runtime's own thread and must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/function_log.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/status.h"

namespace streamstack::runtime {

// Where a function's code comes from: the zip bytes of the function's current code.
// Called on the runtime's thread; may read SQLite.
class CodeSource {
 public:
  virtual ~CodeSource() = default;
  // The zip `version` of `function_name` runs and its CodeSha256 (base64); for $LATEST it
  // may be newer than the one the invocation asked for (the code was updated meanwhile).
  struct Code {
    std::string zip;
    std::string sha256;
  };
  virtual Result<Code> LoadCode(const std::string& function_name,
                                const std::string& version) const = 0;
  // The zip of a layer version (by its ARN) and its CodeSha256.
  virtual Result<Code> LoadLayer(const std::string& layer_version_arn) const = 0;
};

// A loopback listener per sandbox: the Runtime API has no sandbox in its paths, so the port
// a request arrives on says which sandbox sent it. Open() and Close() are called on the
// runtime's thread.
class RuntimeApiListeners {
 public:
  virtual ~RuntimeApiListeners() = default;
  virtual Result<uint16_t> Open() = 0;  // a new listener on 127.0.0.1; its port
  virtual void Close(uint16_t port) = 0;
};

struct LocalRuntimeOptions {
  // Unpacked code (code/<sha256 hex>/) and the runtime clients (runtimes/). With
  // --in-memory, a temporary directory that Stop() removes.
  std::filesystem::path work_dir;
  bool remove_work_dir_on_stop = false;
  std::string region = "us-east-1";
  // AWS_ENDPOINT_URL for function code: StreamStack itself, so an unmodified SDK reaches it.
  std::string endpoint_url;
  // The concurrency of a function without reserved concurrency (sandboxes at once).
  int default_concurrency = 10;
  // A sandbox idle this long is stopped (AWS keeps environments for minutes).
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(5)};
  // A sandbox that has not asked for its first invocation by then has failed to start
  // (AWS: 10 s of Init, then the function's Timeout when Init is retried at invoke).
  std::chrono::milliseconds init_timeout{std::chrono::seconds(10)};
  // Runtime identifier -> shell command (run with /bin/sh -c in the sandbox's environment)
  // for runtimes StreamStack does not run itself (java21, dotnet8, ruby3.3, ...) or to
  // override one it does.
  std::map<std::string, std::string> runtime_commands;
  // Extra module directories for function code (NODE_PATH / PYTHONPATH), e.g. where the
  // AWS SDK for JavaScript v3 is installed, as AWS's managed runtimes provide it.
  std::vector<std::string> node_path;
  std::vector<std::string> python_path;
  // The environment the sandbox commands are looked up with (PATH, ...); default: ours.
  std::vector<std::string> host_environment;
  // Where each sandbox's log goes (CloudWatch Logs: group /aws/lambda/<name>, the sandbox's
  // log stream): what the code prints, one event per line, between the platform's START,
  // END and REPORT lines. Called on the runtime's thread. Null: logs are not kept.
  FunctionLogSink* log_sink = nullptr;
};

// What GET /runtime/invocation/next answers: the event and its headers.
struct NextInvocation {
  std::string request_id;
  std::string payload;
  int64_t deadline_ms = 0;
  std::string invoked_function_arn;
  std::string trace_id;
  std::string client_context;    // JSON text, or empty
  std::string cognito_identity;  // JSON text, or empty
};

// The Runtime API's answers other than success, as AWS's runtime API words them.
enum class RuntimeApiError {
  kNone,
  kInvalidRequestId,        // 400 InvalidRequestID: not the sandbox's current invocation
  kInvalidStateTransition,  // 403 InvalidStateTransition: e.g. init/error after init
  kPayloadTooLarge,         // 413 RequestEntityTooLarge: a response over 6 MB
  kUnknownSandbox,          // 500: the sandbox is gone (killed, retired); exit promptly
};
struct RuntimeApiAnswer {
  RuntimeApiError error = RuntimeApiError::kNone;
  std::string message;
};

class LocalRuntime final : public Invoker {
 public:
  struct Stats {
    uint64_t cold_starts = 0;
    uint64_t warm_starts = 0;
    uint64_t throttles = 0;
    uint64_t timeouts = 0;
    uint64_t crashes = 0;  // sandboxes that exited with an invocation in flight
    size_t sandboxes = 0;  // alive now
  };

  // The references must outlive the runtime. Call Start() before anything else.
  LocalRuntime(LocalRuntimeOptions options, CodeSource& code, RuntimeApiListeners& listeners,
               const Clock& clock);
  ~LocalRuntime() override;  // Stop()s
  LocalRuntime(const LocalRuntime&) = delete;
  LocalRuntime& operator=(const LocalRuntime&) = delete;

  // Creates the work directory, writes the runtime clients, starts the runtime's thread.
  Status Start();
  // Takes no more invocations, fails those in flight (service error) and kills every
  // sandbox, without waiting: for the moment the server begins to stop, so no request
  // waits on a sandbox through the drain. Idempotent.
  void BeginStop();
  // BeginStop(), then waits until every sandbox is reaped, stops the thread and removes a
  // temporary work directory. Idempotent.
  void Stop();

  // Runs `invocation` in a sandbox of its function. Service errors: TooManyRequests (the
  // function's concurrency is in use), InvalidRuntime (the runtime's command is missing
  // here), InvalidParameterValue (the code cannot be unpacked), ServiceException (stopped).
  void Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) override;

  // The function changed (code, configuration) or was deleted: its sandboxes stop once
  // their invocation in flight is done; the next invocation starts fresh ones.
  void Retire(const std::string& function_name);

  // The Runtime API, as the api layer decodes it. `port` is the listener the request came
  // in on. A NextReply may come much later (when an invocation arrives), or never when the
  // sandbox is stopped (its listener closes, which ends the request); an error reply is
  // kInvalidStateTransition (the sandbox has an invocation in flight) or kUnknownSandbox.
  // `invocation` is meaningful when `answer.error` is kNone.
  using NextReply = std::function<void(RuntimeApiAnswer answer, NextInvocation invocation)>;
  using PostReply = std::function<void(RuntimeApiAnswer)>;
  void RuntimeNext(uint16_t port, NextReply reply);
  void RuntimeResponse(uint16_t port, std::string request_id, std::string body, PostReply reply);
  // `error_type` is the Lambda-Runtime-Function-Error-Type header (may be empty); `body` the
  // error document the runtime sent (may be empty or not JSON).
  void RuntimeError(uint16_t port, std::string request_id, std::string error_type, std::string body,
                    PostReply reply);
  void RuntimeInitError(uint16_t port, std::string error_type, std::string body, PostReply reply);

  Stats GetStats() const;

  // AWS's largest synchronous response.
  static constexpr size_t kMaxResponseBytes = 6291456;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace streamstack::runtime
