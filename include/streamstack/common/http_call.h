// HttpCaller: one outbound HTTP POST (a function's invoke URL, an SNS HTTP subscription)
// for modules that must not see HTTP libraries. The http module implements it
// (http::HttpInvoker). It reports what happened on the wire, nothing more: what an answer
// means for a Lambda invocation is decided once, by http::HttpFunctionInvoker.
// Invoke() may be called from any thread; `done` runs on one of the caller's threads,
// exactly once, and must not block.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace streamstack {

struct HttpCall {
  std::string url;  // http://host:port/path (https is not supported: functions are local)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{3000};  // the whole exchange: connect, write, read
};

struct HttpCallResult {
  enum class Outcome {
    kResponse,       // an HTTP response arrived (any status); see status/body
    kConnectFailed,  // refused, unresolvable, unreachable: the request never reached it
    kTimeout,        // no complete response within the timeout
    kBadResponse,    // the peer answered something that is not HTTP, or closed mid-response
    kInvalidUrl,     // the URL cannot be used (scheme, host, port)
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

class HttpCaller {
 public:
  virtual ~HttpCaller() = default;
  virtual void Invoke(HttpCall request, std::function<void(HttpCallResult)> done) = 0;
};

}  // namespace streamstack
