// http::HttpInvoker: the HttpCaller that POSTs an event to a function's HTTP endpoint (the
// Lambda Invoke contract behind STREAMSTACK_INVOKE_URL). It owns its own I/O threads and a
// keep-alive connection pool per host:port. Beast/Asio stay in src/http/.
// Invoke() and Stop() may be called from any thread; `done` runs on an invoker thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "streamstack/common/http_call.h"

namespace streamstack::http {

// A parsed http://host[:port][/path] URL. https and anything else is rejected.
struct HttpUrl {
  std::string host;  // without brackets for IPv6 literals
  uint16_t port = 80;
  std::string target;  // path and query, "/" when the URL has none
};
// The URL, or nullopt (with `error` set when given) when it is not a usable http:// URL.
std::optional<HttpUrl> ParseHttpUrl(std::string_view url, std::string* error = nullptr);

struct HttpInvokerOptions {
  int threads = 1;
  // Largest response body read; over it the outcome is kBadResponse.
  size_t response_body_limit = 16u << 20;
  // Idle pooled connections kept per host:port; more are closed when returned.
  size_t max_idle_per_host = 32;
  // A pooled connection idle longer than this is not reused (closed instead).
  std::chrono::seconds max_idle_time{30};
};

// Thread safety: Invoke() and Stop() may be called from any thread. `done` runs exactly
// once, on one of the invoker's threads; the one exception is Invoke() after Stop(), which
// calls `done` inline with kConnectFailed because no invoker thread is left.
class HttpInvoker : public HttpCaller {
 public:
  explicit HttpInvoker(int threads = 1);
  explicit HttpInvoker(HttpInvokerOptions options);
  ~HttpInvoker() override;  // Stop()s.
  HttpInvoker(const HttpInvoker&) = delete;
  HttpInvoker& operator=(const HttpInvoker&) = delete;

  // POSTs request.body to request.url with request.headers plus
  // Content-Type: application/json (unless given). Outcomes: kResponse (any status),
  // kInvalidUrl, kConnectFailed (refused/unresolvable/unreachable), kTimeout (nothing
  // complete within request.timeout, measured over connect + write + read), kBadResponse
  // (not HTTP, closed mid-response, body over the limit). A pooled connection that fails
  // before any response byte arrives is retried once on a fresh connection. Host names are
  // resolved with getaddrinfo, which the timeout does not interrupt (IP literals skip it).
  void Invoke(HttpCall request, std::function<void(HttpCallResult)> done) override;

  // Aborts calls in flight (their `done` gets kConnectFailed, "invoker stopped"), closes
  // pooled connections and joins the threads. Idempotent. Must not be called from `done`.
  void Stop();

  // Connections opened so far (tests use it to see pooling at work).
  uint64_t TEST_connections_opened() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamstack::http
