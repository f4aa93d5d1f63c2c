// Invoker: runs one invocation of a Lambda function on whatever target the function has (its
// HTTP endpoint, or its own code in a local sandbox) and reports a typed InvokeOutcome. The
// outcome is decided once, by the target that ran the invocation; lambda's Invoke API and
// esm's delivery engine act on the outcome and never look at how the target answered.
// Invoke() may be called from any thread; `done` runs exactly once, on a thread of the
// target (or the caller's, for an outcome known without running anything), must not block.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "streamstack/common/status.h"

namespace streamstack {

// The function as it is configured at the moment of the invocation (the lambda module's
// configuration, resolved at every invoke so an update applies to the next one).
struct FunctionTarget {
  std::string function_name;
  std::string function_arn;  // unqualified
  // The ARN the caller named (qualified by a version or alias when it was): the runtime's
  // Lambda-Runtime-Invoked-Function-Arn. Empty: function_arn.
  std::string invoked_function_arn;
  std::string version = "$LATEST";  // the version that runs ("$LATEST", "1", ...)
  // The HTTP target (STREAMSTACK_INVOKE_URL or the config file's invoke_url); empty: the
  // function runs its own code.
  std::string invoke_url;
  std::string runtime;      // "nodejs20.x", "python3.12", "provided.al2023", ...
  std::string handler;      // "index.handler"
  std::string code_sha256;  // base64 SHA-256 of the zip: which code version runs
  std::string revision_id;  // changes with every code or configuration update
  int timeout_seconds = 3;
  int memory_size_mb = 128;
  std::map<std::string, std::string> environment;  // the function's own Variables
  // Reserved concurrency (PutFunctionConcurrency); -1: none, the account's pool applies.
  int reserved_concurrency = -1;
  // Layer version ARNs, in the order the function names them (later ones win, as in /opt).
  std::vector<std::string> layers;
};

struct Invocation {
  FunctionTarget function;
  std::string payload;         // the event, JSON text ("{}" when the caller sent nothing)
  std::string request_id;      // AWS's request id of this invocation
  bool asynchronous = false;   // an Event invoke (or a retry of one)
  std::string client_context;  // ClientContext JSON (base64-decoded), or empty
};

struct InvokeOutcome {
  enum class Kind {
    kSuccess,        // the function ran and returned `payload`
    kFunctionError,  // the function ran and failed (threw, timed out, crashed): `payload`
                     // is its error document, `function_error` AWS's header value
    kServiceError,   // the function did not run: throttled, unreachable, not startable;
                     // `service_error` is the error Invoke answers with
  };
  Kind kind = Kind::kSuccess;
  std::string payload;
  std::string function_error;  // "Unhandled" for kFunctionError
  Status service_error;        // for kServiceError
  std::chrono::microseconds duration{0};
  // Functions that run their own code (empty or 0 for HTTP targets, whose logs are theirs):
  // what the code printed during the invocation, and for a cold start what it printed
  // while starting, one log line per '\n'; how long the start took; the sandbox's peak
  // memory.
  std::string log;
  std::string init_log;
  std::chrono::microseconds init_duration{0};
  int max_memory_used_mb = 0;

  static InvokeOutcome Success(std::string payload) {
    InvokeOutcome o;
    o.payload = std::move(payload);
    return o;
  }
  static InvokeOutcome FunctionError(std::string error_document, std::string type = "Unhandled") {
    InvokeOutcome o;
    o.kind = Kind::kFunctionError;
    o.payload = std::move(error_document);
    o.function_error = std::move(type);
    return o;
  }
  static InvokeOutcome ServiceError(Status why) {
    InvokeOutcome o;
    o.kind = Kind::kServiceError;
    o.service_error = std::move(why);
    return o;
  }
  bool ok() const { return kind == Kind::kSuccess; }
};

class Invoker {
 public:
  virtual ~Invoker() = default;
  virtual void Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) = 0;
};

// AWS's error document for an invocation that ran past the function's Timeout:
// {"errorMessage": "<ISO time> <request id> Task timed out after 3.00 seconds"}.
std::string TimeoutErrorDocument(int64_t now_ms, const std::string& request_id,
                                 int timeout_seconds);
// {"errorMessage": message, "errorType": type}: the error document of a failure the
// function's code did not describe itself.
std::string ErrorDocument(const std::string& type, const std::string& message);

}  // namespace streamstack
