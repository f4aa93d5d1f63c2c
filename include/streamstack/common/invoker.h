// Invoker: how the core calls a function's HTTP endpoint without knowing HTTP. The http
// module implements it (HttpInvoker); lambda's Invoke API and esm's delivery engine use it.
// Invoke() may be called from any thread; `done` runs on one of the invoker's threads,
// exactly once, and must not block.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace streamstack {

struct InvokeRequest {
  std::string url;  // http://host:port/path (https is not supported: functions are local)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{3000};  // the whole exchange: connect, write, read
};

struct InvokeResult {
  enum class Outcome {
    kResponse,        // an HTTP response arrived (any status); see status/body
    kConnectFailed,   // refused, unresolvable, unreachable: the request never reached it
    kTimeout,         // no complete response within the timeout
    kBadResponse,     // the peer answered something that is not HTTP, or closed mid-response
    kInvalidUrl,      // the URL cannot be used (scheme, host, port)
  };
  Outcome outcome = Outcome::kResponse;
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string error;  // human-readable reason when outcome != kResponse
  std::chrono::microseconds elapsed{0};

  // The value of header `lower_name`, or nullptr.
  const std::string* Header(const std::string& lower_name) const {
    for (const auto& [k, v] : headers) {
      if (k == lower_name) return &v;
    }
    return nullptr;
  }
};

class Invoker {
 public:
  virtual ~Invoker() = default;
  virtual void Invoke(InvokeRequest request, std::function<void(InvokeResult)> done) = 0;
};

}  // namespace streamstack
