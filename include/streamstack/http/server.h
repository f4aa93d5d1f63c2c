// http::Server: the HTTP/1.1 front door (listener, connections, limits, timeouts, graceful
// shutdown). It turns bytes into protocol::HttpRequest values and protocol::HttpResponse
// values back into bytes; it knows nothing of AWS services. Beast/Asio stay in src/http/.
// Start/Run/Stop/StopOnSignals and port() may be called from any thread (see each method).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "streamstack/common/metrics.h"
#include "streamstack/common/status.h"
#include "streamstack/protocol/message.h"

namespace streamstack::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;  // 0 = an ephemeral port; read it back with Server::port()
  int io_threads = 2;
  // Largest request body accepted. AWS's largest request is Lambda Invoke's 6 MB payload
  // (base64 in some SDK paths), so 16 MiB leaves headroom. Over it: 413 and close.
  size_t body_limit = 16u << 20;
  // Largest request line + header block; over it: 400 and close.
  size_t header_limit = 64u << 10;
  // Timeouts below are checked every 250 ms, so they fire up to that much late.
  // A keep-alive connection with no request in progress is closed after this.
  std::chrono::seconds idle_timeout{60};
  // From the first byte of a request to its last; a client too slow to send its request
  // is closed without a response. Also bounds writing the response.
  std::chrono::seconds request_timeout{30};
  // How long a request may wait for its handler's Responder. Lambda's RequestResponse
  // Invoke may legitimately wait for a 900 s function; after this the connection is closed
  // without a response and a late Responder call is dropped.
  std::chrono::seconds handler_timeout{960};
  // Stop(): how long in-flight requests get to finish before their connections are cut.
  std::chrono::seconds shutdown_grace{10};
  // Connections over this are accepted and closed at once.
  size_t max_connections = 10000;
  // Optional: streamstack_http_requests_total and streamstack_http_connections_total are
  // registered here (must outlive the Server).
  MetricsRegistry* metrics = nullptr;
};

// Thread safety: all methods may be called from any thread. Handler is called on an I/O
// thread and must not block; its Responder may be called from any thread, exactly once,
// during or after the Handler call. A Responder called after its connection is gone (the
// client left, handler_timeout, shutdown past the grace period, or after ~Server) is a
// no-op; one never called is reclaimed when its connection closes (handler_timeout at
// the latest, or Stop() after shutdown_grace).
class Server {
 public:
  Server(ServerOptions options, protocol::Handler handler);
  ~Server();  // Stop()s, waits for Run() to return if it is running on another thread.
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Resolves host, binds and listens. Returns an error Status (kInternalFailure with the
  // reason) when the address cannot be bound. Call once, before Run().
  Status Start();
  // The bound port (the ephemeral one when options.port was 0); 0 before Start().
  uint16_t port() const;
  // Runs the I/O loop on options.io_threads threads (the caller is one of them) and blocks
  // until Stop() has finished. Returns at once if Start() did not succeed.
  void Run();
  // Graceful stop, idempotent, any thread (also from inside a Handler): stops accepting,
  // closes idle keep-alive connections, lets in-flight requests finish and send their
  // responses (with Connection: close) for up to shutdown_grace, then cuts whatever is
  // left; Run() then returns.
  void Stop();
  // SIGINT / SIGTERM -> Stop(). Call after Start(), before Run().
  void StopOnSignals();

  // Connections currently open (for tests and /health).
  size_t TEST_open_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamstack::http
