// http::Server: the HTTP/1.1 front door (listener, connections, limits, timeouts, graceful
// shutdown). It turns bytes into protocol::HttpRequest values and protocol::HttpResponse
// values back into bytes; it knows nothing of AWS services. Beast/Asio stay in src/http/.
// Besides its main port it can listen on extra ports (one per Lambda sandbox, whose Runtime
// API has no identity in its paths); every request says which port it arrived on.
// Start/Run/Stop/StopOnSignals, port() and AddListener/RemoveListener may be called from any
// thread (see each method).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
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
  // Optional: called once when Stop() begins (a signal or a caller), on that thread, before
  // the graceful drain; must not block. Lets long-lived work behind in-flight requests (a
  // function's sandbox) end now instead of holding the drain for shutdown_grace.
  std::function<void()> on_stop;
};

// Thread safety: all methods may be called from any thread, concurrently (AddListener and
// RemoveListener too, from several threads while requests are served). Handler is called
// on an I/O thread and must not block; its Responder may be called from any thread, exactly
// once, during or after the Handler call. A Responder called after its connection is gone
// (the client left, handler_timeout, shutdown past the grace period, RemoveListener of its
// port, or after ~Server) is a no-op; one never called is reclaimed when its connection
// closes (handler_timeout at the latest, or Stop() after shutdown_grace).
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
  // Graceful stop, idempotent, any thread (also from inside a Handler): stops accepting on
  // every port (the main one and AddListener's), closes idle keep-alive connections, lets
  // in-flight requests finish and send their responses (with Connection: close) for up to
  // shutdown_grace, then cuts whatever is left; Run() then returns.
  void Stop();
  // SIGINT / SIGTERM -> Stop(). Call after Start(), before Run().
  void StopOnSignals();

  // Opens one more listening socket on host:port (port 0: an ephemeral one), served like the
  // main one (same handler, threads, limits; max_connections counts all ports together).
  // Returns the bound port, which requests arriving on it carry as HttpRequest::local_port.
  // Any thread, after Start() (before or during Run()). Errors (kInternalFailure with the
  // reason): not started, Stop() already called, host:port cannot be bound, or the port
  // already has a listener of this server (two hosts on one port would be ambiguous).
  Result<uint16_t> AddListener(const std::string& host, uint16_t port);
  // Stops accepting on a port opened by AddListener and closes its connections. The
  // listening socket is closed before this returns (the port can be bound again); the
  // connections are closed on their I/O threads right after, without a response, even
  // mid-request: in-flight requests are dropped (their Responders become no-ops) and no
  // further request from that port reaches the Handler, bar one being dispatched at that
  // very moment (whose answer may or may not reach the client before the close). Does not
  // block; may be called from inside a Handler. Any thread. Unknown ports, the main port
  // and ports already removed are ignored.
  void RemoveListener(uint16_t port);

  // Connections currently open (for tests and /health).
  size_t TEST_open_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamstack::http
