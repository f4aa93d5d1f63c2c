#include "streamstack/runtime/local_runtime.h"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <system_error>
#include <thread>

#include "runtime/process.h"
#include "runtime/sandbox_spec.h"
#include "runtime/zip_archive.h"
#include "streamstack/common/ids.h"

extern char** environ;

namespace streamstack::runtime {

// The runtime clients, compiled in from src/runtime/clients/ (cmake/embed_files.cmake).
extern const std::string_view kNodeRuntimeClient;
extern const std::string_view kPythonRuntimeClient;

namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// An invocation and who waits for its outcome.
struct PendingInvocation {
  Invocation invocation;
  std::function<void(InvokeOutcome)> done;
};

// One sandbox: a process of one function's code and configuration, serving one invocation
// at a time through its own Runtime API port. Lives on the runtime's thread only.
struct Sandbox {
  uint64_t id = 0;
  FunctionTarget function;  // the configuration it was started with
  std::string code_sha256;  // the code it runs
  std::string log_stream_name;
  uint16_t port = 0;
  std::unique_ptr<Process> process;

  bool initialized = false;                     // it asked for its first invocation
  bool stopping = false;                        // killed or exiting: takes no more invocations
  bool retiring = false;                        // stop after the invocation in flight
  std::optional<PendingInvocation> invocation;  // assigned to it
  bool delivered = false;                       // `invocation` was handed out by /next
  SteadyClock::time_point delivered_at;
  LocalRuntime::NextReply parked_next;  // its /next waiting for an invocation
  SteadyClock::time_point idle_since = SteadyClock::now();
  // Init phase: AWS's init error document, posted to /init/error.
  std::optional<std::string> init_error;
  SteadyClock::time_point spawned_at = SteadyClock::now();
  std::chrono::microseconds init_duration{0};  // spawn to first /next; reported once
  // What the sandbox printed since its last invocation ended (while starting, for a cold
  // start), and during the one in flight: the invocation's log.
  std::string init_log;
  std::string log;
  // The same lines as CloudWatch Logs events, with the platform's START/END/REPORT lines,
  // not yet handed to the log sink (flushed at the end of each invocation, at exit, and
  // whenever they grow past kLogFlushBytes).
  std::vector<LogEvent> log_events;
  size_t log_events_bytes = 0;
  bool start_logged = false;                     // the invocation in flight has its START line
  std::unique_ptr<asio::steady_timer> deadline;  // init, then each invocation's Timeout
  uint64_t cold_invocations = 0;                 // 1 for the invocation that started it

  bool Available(const FunctionTarget& f) const {
    return !stopping && !retiring && !invocation && function.revision_id == f.revision_id;
  }
};

// What one invocation's log keeps (Invoke's LogType Tail needs its last 4 KB).
constexpr size_t kMaxInvocationLogBytes = 1 << 20;
// A chatty invocation's lines go to the log sink in pieces of about this size, so memory
// stays bounded however much it prints.
constexpr size_t kLogFlushBytes = 256 * 1024;
// ... and at the latest this long after they were printed.
constexpr std::chrono::milliseconds kLogFlushDelay{200};

std::string HexOfBase64(const std::string& b64) {
  std::string raw;
  if (!Base64Decode(b64, &raw)) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// AWS's answer when the runtime process ends with an invocation in flight.
std::string ExitErrorDocument(const std::string& request_id, const ExitStatus& status) {
  return ErrorDocument(
      "Runtime.ExitError",
      "RequestId: " + request_id + " Error: Runtime exited with error: " + status.ToString());
}

// What the runtime posted to /error, as the invoke's error document. AWS uses the
// Lambda-Runtime-Function-Error-Type header when the body is missing or not readable.
std::string FunctionErrorDocument(const std::string& type, const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) return body;
  return ErrorDocument(type.empty() ? "Runtime.Unknown" : type, body);
}

std::string Throttled(bool reserved, std::string* reason) {
  *reason = reserved ? "ReservedFunctionConcurrentInvocationLimitExceeded"
                     : "ConcurrentInvocationLimitExceeded";
  return "Rate Exceeded.";
}

Status WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (ec || !out) {
    return Status(AwsError::kInternalFailure, "cannot write " + path.string());
  }
  return Status::Ok();
}

std::vector<std::string> OurEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

}  // namespace

class LocalRuntime::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(LocalRuntimeOptions options, CodeSource& code, RuntimeApiListeners& listeners,
       const Clock& clock)
      : options_(std::move(options)),
        code_(code),
        listeners_(listeners),
        clock_(clock),
        work_(asio::make_work_guard(io_)),
        sweep_(io_),
        log_flush_(io_) {
    if (options_.host_environment.empty()) options_.host_environment = OurEnvironment();
  }

  Status Start() {
    std::error_code ec;
    std::filesystem::create_directories(options_.work_dir / "code", ec);
    if (ec) {
      return Status(AwsError::kInternalFailure,
                    "cannot create " + (options_.work_dir / "code").string() + ": " + ec.message());
    }
    // A process killed while unpacking leaves its temporary sibling behind (UnpackZip).
    for (const auto& entry : std::filesystem::directory_iterator(options_.work_dir / "code", ec)) {
      if (entry.path().filename().string().find(".unpack-") != std::string::npos) {
        std::filesystem::remove_all(entry.path(), ec);
      }
    }
    STREAMSTACK_RETURN_IF_ERROR(
        WriteFile(options_.work_dir / "runtimes" / "node" / "runtime.js", kNodeRuntimeClient));
    STREAMSTACK_RETURN_IF_ERROR(
        WriteFile(options_.work_dir / "runtimes" / "python" / "runtime.py", kPythonRuntimeClient));
    // Every sandbox process is forked on this thread, which lives until Stop():
    // PR_SET_PDEATHSIG ties each child's life to the thread that forked it.
    thread_ = std::thread([this] { io_.run(); });
    Post([this] { ScheduleSweep(); });
    return Status::Ok();
  }

  // Takes no more invocations, fails those in flight and kills every sandbox; their exits
  // are cleaned up as they come. Does not wait.
  void BeginStop() {
    if (!thread_.joinable()) return;
    Post([this] {
      if (stopped_) return;
      stopped_ = true;
      sweep_.cancel();
      log_flush_.cancel();
      for (auto& [port, sandbox] : sandboxes_) {
        if (sandbox->invocation) {
          Finish(*sandbox, InvokeOutcome::ServiceError(
                               Status(AwsError::kServiceException, "StreamStack is stopping")));
        }
        Kill(*sandbox);
      }
    });
  }

  void Stop() {
    if (!thread_.joinable()) return;
    BeginStop();
    Post([this] {
      for (auto& [port, sandbox] : sandboxes_) {
        if (sandbox->deadline) sandbox->deadline->cancel();
        sandbox->process.reset();  // kills the group and reaps it before returning
        listeners_.Close(port);
      }
      sandboxes_.clear();
      work_.reset();
    });
    thread_.join();
    if (options_.remove_work_dir_on_stop) {
      std::error_code ec;
      std::filesystem::remove_all(options_.work_dir, ec);
    }
  }

  void Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) {
    Post([this, pending = PendingInvocation{std::move(invocation), std::move(done)}]() mutable {
      Assign(std::move(pending));
    });
  }

  void Retire(const std::string& function_name) {
    Post([this, function_name] {
      for (auto& [port, sandbox] : sandboxes_) {
        if (sandbox->function.function_name != function_name) continue;
        sandbox->retiring = true;
        if (!sandbox->invocation) Kill(*sandbox);
      }
    });
  }

  void RuntimeNext(uint16_t port, NextReply reply) {
    Post([this, port, reply = std::move(reply)]() mutable {
      Sandbox* sandbox = Find(port);
      if (sandbox == nullptr) {
        return reply({RuntimeApiError::kUnknownSandbox, "the sandbox is stopped"}, {});
      }
      if (sandbox->invocation && sandbox->delivered) {
        return reply({RuntimeApiError::kInvalidStateTransition,
                      "State transition from Invoking to Ready failed for runtime. Error: "
                      "the invocation " +
                          sandbox->invocation->invocation.request_id + " has no response yet"},
                     {});
      }
      if (!sandbox->initialized) {
        sandbox->initialized = true;
        sandbox->init_duration = std::chrono::duration_cast<std::chrono::microseconds>(
            SteadyClock::now() - sandbox->spawned_at);
        sandbox->init_log = std::move(sandbox->log);
        sandbox->log.clear();
        if (sandbox->deadline) sandbox->deadline->cancel();
      }
      if (sandbox->parked_next) {
        // A second /next replaces the first (its connection is gone or abandoned).
        sandbox->parked_next({RuntimeApiError::kInvalidStateTransition, "superseded"}, {});
      }
      sandbox->parked_next = std::move(reply);
      if (sandbox->invocation) Deliver(*sandbox);
    });
  }

  void RuntimeResponse(uint16_t port, std::string request_id, std::string body, PostReply reply) {
    Post([this, port, request_id = std::move(request_id), body = std::move(body),
          reply = std::move(reply)]() mutable {
      Sandbox* sandbox = Current(port, request_id, reply);
      if (sandbox == nullptr) return;
      if (body.size() > kMaxResponseBytes) {
        std::string limit = std::to_string(kMaxResponseBytes);
        Finish(*sandbox, InvokeOutcome::FunctionError(ErrorDocument(
                             "Function.ResponseSizeTooLarge",
                             "Response payload size exceeded maximum allowed payload size (" +
                                 limit + " bytes).")));
        return reply({RuntimeApiError::kPayloadTooLarge,
                      "Exceeded maximum allowed payload size (" + limit + " bytes)."});
      }
      Finish(*sandbox, InvokeOutcome::Success(std::move(body)));
      reply({});
    });
  }

  void RuntimeError(uint16_t port, std::string request_id, std::string error_type, std::string body,
                    PostReply reply) {
    Post([this, port, request_id = std::move(request_id), error_type = std::move(error_type),
          body = std::move(body), reply = std::move(reply)]() mutable {
      Sandbox* sandbox = Current(port, request_id, reply);
      if (sandbox == nullptr) return;
      Finish(*sandbox, InvokeOutcome::FunctionError(FunctionErrorDocument(error_type, body)));
      reply({});
    });
  }

  void RuntimeInitError(uint16_t port, std::string error_type, std::string body, PostReply reply) {
    Post([this, port, error_type = std::move(error_type), body = std::move(body),
          reply = std::move(reply)]() mutable {
      Sandbox* sandbox = Find(port);
      if (sandbox == nullptr) {
        return reply({RuntimeApiError::kUnknownSandbox, "the sandbox is stopped"});
      }
      if (sandbox->initialized) {
        return reply({RuntimeApiError::kInvalidStateTransition,
                      "State transition from Ready to InitError failed for runtime. Error: "
                      "State transition is not allowed"});
      }
      // AWS: "Error will be served in response to the first invoke"; the runtime exits.
      sandbox->init_error = FunctionErrorDocument(error_type, body);
      reply({});
      if (sandbox->invocation) {
        Finish(*sandbox, InvokeOutcome::FunctionError(*sandbox->init_error));
      }
      Kill(*sandbox);
    });
  }

  Stats GetStats() const {
    Stats s;
    s.cold_starts = cold_starts_.load();
    s.warm_starts = warm_starts_.load();
    s.throttles = throttles_.load();
    s.timeouts = timeouts_.load();
    s.crashes = crashes_.load();
    s.sandboxes = alive_.load();
    return s;
  }

 private:
  template <typename F>
  void Post(F&& f) {
    asio::post(io_, [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(); });
  }

  Sandbox* Find(uint16_t port) {
    auto it = sandboxes_.find(port);
    return it == sandboxes_.end() || it->second->stopping ? nullptr : it->second.get();
  }

  // The sandbox on `port` if `request_id` is its invocation in flight; else answers `reply`.
  Sandbox* Current(uint16_t port, const std::string& request_id, PostReply& reply) {
    Sandbox* sandbox = Find(port);
    if (sandbox == nullptr) {
      reply({RuntimeApiError::kUnknownSandbox, "the sandbox is stopped"});
      return nullptr;
    }
    if (!sandbox->invocation || !sandbox->delivered ||
        sandbox->invocation->invocation.request_id != request_id) {
      reply({RuntimeApiError::kInvalidRequestId, "Invalid request ID"});
      return nullptr;
    }
    return sandbox;
  }

  // Runs `pending` on a warm sandbox of its function, or a new one within the function's
  // concurrency; throttles beyond it, as AWS does.
  void Assign(PendingInvocation pending) {
    const FunctionTarget& f = pending.invocation.function;
    if (stopped_) {
      return pending.done(InvokeOutcome::ServiceError(
          Status(AwsError::kServiceException, "StreamStack is stopping")));
    }
    // Concurrency is what runs at once: the function's invocations in flight, whichever
    // sandboxes they are on (AWS: reserved concurrency 0 throttles every invocation).
    const bool reserved = f.reserved_concurrency >= 0;
    const int limit = reserved ? f.reserved_concurrency : options_.default_concurrency;
    Sandbox* warm = nullptr;
    int busy = 0;
    for (auto& [port, sandbox] : sandboxes_) {
      if (sandbox->function.function_name != f.function_name || sandbox->stopping) continue;
      if (sandbox->invocation) ++busy;
      if (sandbox->function.revision_id != f.revision_id && !sandbox->retiring) {
        // The function changed since this sandbox started: it takes no more invocations.
        sandbox->retiring = true;
        if (!sandbox->invocation) {
          Kill(*sandbox);
          continue;
        }
      }
      // Prefer a sandbox already waiting in /next over one between its response and /next.
      if (sandbox->Available(f) &&
          (warm == nullptr || (!warm->parked_next && sandbox->parked_next))) {
        warm = sandbox.get();
      }
    }
    if (busy >= limit) {
      throttles_.fetch_add(1);
      std::string reason;
      std::string message = Throttled(reserved, &reason);
      return pending.done(InvokeOutcome::ServiceError(
          Status(AwsError::kTooManyRequests, message).WithDetails({{"Reason", reason}})));
    }
    if (warm != nullptr) {
      warm_starts_.fetch_add(1);
      warm->invocation = std::move(pending);
      if (warm->parked_next) Deliver(*warm);
      return;
    }
    StartSandbox(std::move(pending));
  }

  // The directory of the function's current code, unpacked once per code version.
  // Each layer's unpacked folder, in the function's order. A layer version never changes, so
  // it is unpacked once per content (layers/<sha256 hex>) and remembered by its ARN.
  Result<std::vector<std::filesystem::path>> PrepareLayers(const FunctionTarget& f) {
    std::vector<std::filesystem::path> out;
    for (const auto& arn : f.layers) {
      if (auto known = layer_dirs_.find(arn); known != layer_dirs_.end()) {
        out.push_back(known->second);
        continue;
      }
      STREAMSTACK_ASSIGN_OR_RETURN(auto layer, code_.LoadLayer(arn));
      std::filesystem::path dir = options_.work_dir / "layers" / HexOfBase64(layer.sha256);
      std::error_code ec;
      if (!std::filesystem::is_directory(dir, ec)) {
        STREAMSTACK_RETURN_IF_ERROR(UnpackZip(layer.zip, dir));
      }
      layer_dirs_[arn] = dir;
      out.push_back(dir);
    }
    return out;
  }

  Result<std::pair<std::filesystem::path, std::string>> PrepareCode(const FunctionTarget& f) {
    std::string hex = HexOfBase64(f.code_sha256);
    if (!hex.empty()) {
      std::filesystem::path dir = options_.work_dir / "code" / hex;
      std::error_code ec;
      if (std::filesystem::is_directory(dir, ec)) return std::make_pair(dir, f.code_sha256);
    }
    STREAMSTACK_ASSIGN_OR_RETURN(auto code, code_.LoadCode(f.function_name, f.version));
    hex = HexOfBase64(code.sha256);
    if (hex.empty()) return Status(AwsError::kInternalFailure, "bad CodeSha256 " + code.sha256);
    std::filesystem::path dir = options_.work_dir / "code" / hex;
    STREAMSTACK_RETURN_IF_ERROR(UnpackZip(code.zip, dir));
    return std::make_pair(dir, code.sha256);
  }

  void StartSandbox(PendingInvocation pending) {
    const FunctionTarget& f = pending.invocation.function;
    auto code = PrepareCode(f);
    if (!code.ok()) return pending.done(InvokeOutcome::ServiceError(code.status()));
    auto port = listeners_.Open();
    if (!port.ok()) return pending.done(InvokeOutcome::ServiceError(port.status()));

    auto sandbox = std::make_unique<Sandbox>();
    sandbox->id = ++next_id_;
    sandbox->function = f;
    sandbox->code_sha256 = code->second;
    sandbox->port = *port;
    sandbox->log_stream_name = NewLogStreamName(clock_.NowMillis(), f.version);
    auto layers = PrepareLayers(f);
    if (!layers.ok()) {
      listeners_.Close(*port);
      return pending.done(InvokeOutcome::ServiceError(layers.status()));
    }
    SandboxPaths paths{code->first, options_.work_dir / "runtimes", std::move(layers).value()};
    auto spec = BuildSandboxSpec(f, paths, options_, *port, sandbox->log_stream_name);
    if (!spec.ok()) {
      listeners_.Close(*port);
      return pending.done(InvokeOutcome::ServiceError(spec.status()));
    }
    const uint16_t key = *port;
    auto self = shared_from_this();
    std::string name = f.function_name;
    auto process = Process::Spawn(
        io_.get_executor(), std::move(spec).value(),
        [this, key, name](OutputStream stream, std::string_view line) {
          OnOutput(key, name, stream, line);
        },
        [this, key](const ExitStatus& status) { OnExit(key, status); });
    if (!process.ok()) {
      listeners_.Close(*port);
      return pending.done(SpawnFailure(pending.invocation, process.status()));
    }
    sandbox->process = std::move(process).value();
    sandbox->invocation = std::move(pending);
    sandbox->cold_invocations = 1;
    cold_starts_.fetch_add(1);
    alive_.fetch_add(1);
    // AWS: Init may take 10 s, or the function's Timeout when it is retried at invoke.
    auto init_limit = std::max<std::chrono::milliseconds>(options_.init_timeout,
                                                          std::chrono::seconds(f.timeout_seconds));
    sandbox->deadline = std::make_unique<asio::steady_timer>(io_, init_limit);
    sandbox->deadline->async_wait([this, key, id = sandbox->id](std::error_code ec) {
      if (!ec) OnInitTimeout(key, id);
    });
    spdlog::debug("runtime: {} sandbox {} started (pid {}, Runtime API port {})", name, sandbox->id,
                  sandbox->process->pid(), key);
    sandboxes_[key] = std::move(sandbox);
  }

  // A program that cannot be started: a missing node/python3 is this machine's gap
  // (InvalidRuntime, naming what to install); a missing or unusable bootstrap is the
  // function's, reported as AWS does (Runtime.InvalidEntrypoint).
  InvokeOutcome SpawnFailure(const Invocation& invocation, const Status& why) {
    const FunctionTarget& f = invocation.function;
    if (why.code() == AwsError::kInvalidParameterValue &&
        FamilyOf(f.runtime, options_) == RuntimeFamily::kProvided) {
      return InvokeOutcome::FunctionError(
          ErrorDocument("Runtime.InvalidEntrypoint",
                        "RequestId: " + invocation.request_id + " Error: " + why.message()));
    }
    if (why.code() == AwsError::kInvalidParameterValue) {
      return InvokeOutcome::ServiceError(
          Status(AwsError::kInvalidRuntime, MissingRuntimeMessage(f, why.message())));
    }
    return InvokeOutcome::ServiceError(why);
  }

  void Deliver(Sandbox& sandbox) {
    PendingInvocation& p = *sandbox.invocation;
    const Invocation& inv = p.invocation;
    sandbox.delivered = true;
    sandbox.delivered_at = SteadyClock::now();
    NextInvocation next;
    next.request_id = inv.request_id;
    next.payload = inv.payload;
    next.deadline_ms = clock_.NowMillis() + int64_t{inv.function.timeout_seconds} * 1000;
    next.invoked_function_arn = inv.function.invoked_function_arn.empty()
                                    ? inv.function.function_arn
                                    : inv.function.invoked_function_arn;
    next.trace_id = "Root=1-" + RandomHex(4) + "-" + RandomHex(12) + ";Parent=" + RandomHex(8) +
                    ";Sampled=0;Lineage=1:" + RandomHex(4) + ":0";
    next.client_context = inv.client_context;
    AppendLog(sandbox, StartLine(inv.request_id, inv.function.version));
    sandbox.start_logged = true;
    auto reply = std::move(sandbox.parked_next);
    sandbox.parked_next = nullptr;
    sandbox.deadline = std::make_unique<asio::steady_timer>(
        io_, std::chrono::seconds(inv.function.timeout_seconds));
    sandbox.deadline->async_wait(
        [this, key = sandbox.port, request_id = inv.request_id](std::error_code ec) {
          if (!ec) OnTimeout(key, request_id);
        });
    reply({}, std::move(next));
  }

  // Completes the sandbox's invocation; a retiring sandbox stops after it.
  void Finish(Sandbox& sandbox, InvokeOutcome outcome) {
    if (!sandbox.invocation) return;
    if (sandbox.deadline) sandbox.deadline->cancel();
    // What the code printed just before it answered belongs to this invocation's log.
    if (sandbox.process) sandbox.process->DrainAvailableOutput();
    if (sandbox.delivered) {
      outcome.duration = std::chrono::duration_cast<std::chrono::microseconds>(
          SteadyClock::now() - sandbox.delivered_at);
    }
    outcome.log = std::move(sandbox.log);
    sandbox.log.clear();
    if (sandbox.init_duration.count() > 0) {
      outcome.init_duration = sandbox.init_duration;
      outcome.init_log = std::move(sandbox.init_log);
      sandbox.init_duration = std::chrono::microseconds(0);  // only the cold start has one
    }
    outcome.max_memory_used_mb = PeakMemoryMb(sandbox);
    LogInvocationEnd(sandbox, outcome);
    auto done = std::move(sandbox.invocation->done);
    sandbox.invocation.reset();
    sandbox.delivered = false;
    sandbox.idle_since = SteadyClock::now();
    if (sandbox.retiring) Kill(sandbox);
    done(std::move(outcome));
  }

  // The platform's END and REPORT lines close the invocation's log (with a START first when
  // the invocation never reached the code: init failed or the sandbox died first).
  void LogInvocationEnd(Sandbox& sandbox, const InvokeOutcome& outcome) {
    const Invocation& inv = sandbox.invocation->invocation;
    if (!sandbox.start_logged) AppendLog(sandbox, StartLine(inv.request_id, inv.function.version));
    sandbox.start_logged = false;
    AppendLog(sandbox, EndLine(inv.request_id));
    AppendLog(sandbox,
              ReportLine(inv.request_id, {outcome.duration, inv.function.memory_size_mb,
                                          outcome.max_memory_used_mb, outcome.init_duration}));
    FlushLog(sandbox);
  }

  void AppendLog(Sandbox& sandbox, std::string message) {
    if (options_.log_sink == nullptr) return;
    sandbox.log_events_bytes += message.size();
    sandbox.log_events.push_back({clock_.NowMillis(), std::move(message)});
    if (sandbox.log_events_bytes > kLogFlushBytes) {
      FlushLog(sandbox);
    } else {
      ScheduleLogFlush();
    }
  }

  // What a long invocation prints reaches the log while it runs (as on AWS, where
  // `aws logs tail --follow` shows a running function's lines), not only when it ends.
  void ScheduleLogFlush() {
    if (log_flush_armed_ || stopped_) return;
    log_flush_armed_ = true;
    log_flush_.expires_after(kLogFlushDelay);
    log_flush_.async_wait([this](std::error_code ec) {
      log_flush_armed_ = false;
      if (ec) return;
      for (auto& [port, sandbox] : sandboxes_) FlushLog(*sandbox);
    });
  }

  void FlushLog(Sandbox& sandbox) {
    if (options_.log_sink == nullptr || sandbox.log_events.empty()) return;
    options_.log_sink->Append(FunctionLogGroupName(sandbox.function.function_name),
                              sandbox.log_stream_name, std::move(sandbox.log_events));
    sandbox.log_events.clear();
    sandbox.log_events_bytes = 0;
  }

  // The sandbox's peak resident memory (VmHWM of its process), as AWS's REPORT line's
  // Max Memory Used; 0 when the process is gone.
  static int PeakMemoryMb(const Sandbox& sandbox) {
    if (!sandbox.process) return 0;
    std::ifstream status("/proc/" + std::to_string(sandbox.process->pid()) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.starts_with("VmHWM:")) {
        long kib = std::strtol(line.c_str() + 6, nullptr, 10);
        return static_cast<int>((kib + 1023) / 1024);
      }
    }
    return 0;
  }

  // Stops taking invocations and kills the process group; OnExit cleans up. A /next the
  // sandbox had waiting is answered now: its request then ends instead of holding the
  // server's graceful drain at shutdown.
  void Kill(Sandbox& sandbox) {
    sandbox.stopping = true;
    if (sandbox.parked_next) {
      auto reply = std::move(sandbox.parked_next);
      sandbox.parked_next = nullptr;
      reply({RuntimeApiError::kUnknownSandbox, "the sandbox is stopped"}, {});
    }
    if (sandbox.process) sandbox.process->Kill();
  }

  void OnTimeout(uint16_t key, const std::string& request_id) {
    auto it = sandboxes_.find(key);
    if (it == sandboxes_.end()) return;
    Sandbox& sandbox = *it->second;
    if (!sandbox.invocation || !sandbox.delivered ||
        sandbox.invocation->invocation.request_id != request_id) {
      return;
    }
    timeouts_.fetch_add(1);
    const FunctionTarget& f = sandbox.invocation->invocation.function;
    spdlog::info("runtime: {} request {} timed out after {} s; stopping its sandbox",
                 f.function_name, request_id, f.timeout_seconds);
    const int64_t now_ms = clock_.NowMillis();
    InvokeOutcome outcome =
        InvokeOutcome::FunctionError(TimeoutErrorDocument(now_ms, request_id, f.timeout_seconds));
    // AWS writes the same words into the function's log.
    std::string line = TaskTimedOutText(now_ms, request_id, f.timeout_seconds) + "\n";
    sandbox.log += line;
    AppendLog(sandbox, std::move(line));
    Kill(sandbox);
    Finish(sandbox, std::move(outcome));
  }

  void OnInitTimeout(uint16_t key, uint64_t id) {
    auto it = sandboxes_.find(key);
    if (it == sandboxes_.end() || it->second->id != id || it->second->initialized) return;
    Sandbox& sandbox = *it->second;
    spdlog::warn("runtime: {} sandbox {} did not ask for an invocation in time; stopping it",
                 sandbox.function.function_name, id);
    if (sandbox.invocation) {
      const Invocation& inv = sandbox.invocation->invocation;
      InvokeOutcome outcome = InvokeOutcome::FunctionError(TimeoutErrorDocument(
          clock_.NowMillis(), inv.request_id,
          static_cast<int>(
              std::chrono::duration_cast<std::chrono::seconds>(
                  std::max<std::chrono::milliseconds>(
                      options_.init_timeout, std::chrono::seconds(inv.function.timeout_seconds)))
                  .count())));
      Kill(sandbox);
      Finish(sandbox, std::move(outcome));
    } else {
      Kill(sandbox);
    }
  }

  void OnExit(uint16_t key, const ExitStatus& status) {
    auto it = sandboxes_.find(key);
    if (it == sandboxes_.end()) return;
    std::unique_ptr<Sandbox> sandbox = std::move(it->second);
    sandboxes_.erase(it);
    alive_.fetch_sub(1);
    listeners_.Close(key);
    if (sandbox->deadline) sandbox->deadline->cancel();
    spdlog::debug("runtime: {} sandbox {} exited: {}", sandbox->function.function_name, sandbox->id,
                  status.ToString());
    if (sandbox->invocation && sandbox->initialized && !sandbox->delivered &&
        !sandbox->init_error) {
      // A warm sandbox that exited between two invocations (after its last response; an
      // uncaught error after it, say) never saw this one: it goes to another sandbox, as
      // AWS only hands an invocation to a runtime waiting in /next.
      PendingInvocation pending = std::move(*sandbox->invocation);
      sandbox->invocation.reset();
      Assign(std::move(pending));
    } else if (sandbox->invocation) {
      const std::string request_id = sandbox->invocation->invocation.request_id;
      InvokeOutcome outcome =
          sandbox->init_error ? InvokeOutcome::FunctionError(*sandbox->init_error)
                              : InvokeOutcome::FunctionError(ExitErrorDocument(request_id, status));
      if (!sandbox->init_error) {
        crashes_.fetch_add(1);
        spdlog::info("runtime: {} request {}: runtime exited with error: {}",
                     sandbox->function.function_name, request_id, status.ToString());
      }
      Finish(*sandbox, std::move(outcome));
    }
    FlushLog(*sandbox);  // what it printed after its last invocation, or while failing to start
    // `sandbox` and its reaped Process end here, inside the Process's own exit callback,
    // which Process allows.
  }

  void OnOutput(uint16_t key, const std::string& name, OutputStream stream, std::string_view line) {
    auto it = sandboxes_.find(key);
    std::string request_id;
    if (it != sandboxes_.end()) {
      Sandbox& sandbox = *it->second;
      if (sandbox.invocation) request_id = sandbox.invocation->invocation.request_id;
      // The runtime clients write one log event per line, with '\r' for the newlines
      // inside it (AWS's convention on the runtime's stdout).
      std::string event(line);
      std::replace(event.begin(), event.end(), '\r', '\n');
      event += '\n';
      sandbox.log += event;
      if (sandbox.log.size() > kMaxInvocationLogBytes) {
        sandbox.log.erase(0, sandbox.log.size() - kMaxInvocationLogBytes / 2);  // keep the end
      }
      AppendLog(sandbox, std::move(event));
    }
    spdlog::trace("function {} {} [{}] {}", name, request_id,
                  stream == OutputStream::kStdout ? "stdout" : "stderr", line);
  }

  void ScheduleSweep() {
    if (stopped_) return;
    auto period = std::clamp<std::chrono::milliseconds>(
        options_.idle_timeout / 4, std::chrono::milliseconds(100), std::chrono::seconds(10));
    sweep_.expires_after(period);
    sweep_.async_wait([this](std::error_code ec) {
      if (ec) return;
      StopIdleSandboxes();
      ScheduleSweep();
    });
  }

  void StopIdleSandboxes() {
    const auto cutoff = SteadyClock::now() - options_.idle_timeout;
    for (auto& [port, sandbox] : sandboxes_) {
      if (!sandbox->stopping && !sandbox->invocation && sandbox->idle_since < cutoff) {
        spdlog::debug("runtime: {} sandbox {} idle; stopping it", sandbox->function.function_name,
                      sandbox->id);
        Kill(*sandbox);
      }
    }
  }

  LocalRuntimeOptions options_;
  CodeSource& code_;
  RuntimeApiListeners& listeners_;
  const Clock& clock_;

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;

  // Runtime thread only.
  asio::steady_timer sweep_;
  asio::steady_timer log_flush_;  // armed while some sandbox holds unflushed log lines
  bool log_flush_armed_ = false;
  std::map<uint16_t, std::unique_ptr<Sandbox>> sandboxes_;   // by Runtime API port
  std::map<std::string, std::filesystem::path> layer_dirs_;  // by layer version ARN
  uint64_t next_id_ = 0;
  bool stopped_ = false;

  std::atomic<uint64_t> cold_starts_{0}, warm_starts_{0}, throttles_{0}, timeouts_{0}, crashes_{0};
  std::atomic<size_t> alive_{0};
};

LocalRuntime::LocalRuntime(LocalRuntimeOptions options, CodeSource& code,
                           RuntimeApiListeners& listeners, const Clock& clock)
    : impl_(std::make_shared<Impl>(std::move(options), code, listeners, clock)) {}

LocalRuntime::~LocalRuntime() { Stop(); }

Status LocalRuntime::Start() { return impl_->Start(); }
void LocalRuntime::BeginStop() { impl_->BeginStop(); }
void LocalRuntime::Stop() { impl_->Stop(); }

void LocalRuntime::Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) {
  impl_->Invoke(std::move(invocation), std::move(done));
}

void LocalRuntime::Retire(const std::string& function_name) { impl_->Retire(function_name); }

void LocalRuntime::RuntimeNext(uint16_t port, NextReply reply) {
  impl_->RuntimeNext(port, std::move(reply));
}
void LocalRuntime::RuntimeResponse(uint16_t port, std::string request_id, std::string body,
                                   PostReply reply) {
  impl_->RuntimeResponse(port, std::move(request_id), std::move(body), std::move(reply));
}
void LocalRuntime::RuntimeError(uint16_t port, std::string request_id, std::string error_type,
                                std::string body, PostReply reply) {
  impl_->RuntimeError(port, std::move(request_id), std::move(error_type), std::move(body),
                      std::move(reply));
}
void LocalRuntime::RuntimeInitError(uint16_t port, std::string error_type, std::string body,
                                    PostReply reply) {
  impl_->RuntimeInitError(port, std::move(error_type), std::move(body), std::move(reply));
}

LocalRuntime::Stats LocalRuntime::GetStats() const { return impl_->GetStats(); }

}  // namespace streamstack::runtime
