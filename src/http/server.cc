#include "streamstack/http/server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "http/wire.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/protocol/errors.h"

namespace streamstack::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// Concrete executor types instead of any_io_executor: no type-erased executor copies on
// every operation of the hot path.
using Executor = net::strand<net::io_context::executor_type>;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Timer = net::basic_waitable_timer<std::chrono::steady_clock,
                                        net::wait_traits<std::chrono::steady_clock>, Executor>;
template <typename T>
using Awaitable = net::awaitable<T, Executor>;
constexpr auto kNoThrow = net::as_tuple(net::use_awaitable_t<Executor>{});
constexpr auto kCtlNoThrow = net::as_tuple(net::use_awaitable);
using Clock = std::chrono::steady_clock;
constexpr Clock::rep kNoDeadline = std::numeric_limits<Clock::rep>::max();
// How often the reaper looks for connections whose read or write is overdue. Timeouts are
// enforced this way rather than by a timer per operation (beast::tcp_stream arms and
// cancels one per read and per write: ~13% of the CPU of a trivial request here).
constexpr auto kReapInterval = std::chrono::milliseconds(250);
constexpr size_t kReadSize = 16 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// After an error response, how long unread request bytes are drained before closing, so
// the client reads our 413/400 instead of a connection reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
// After shutdown_grace has cut every connection, how long Run() waits for their coroutines
// before it stops the io_context outright.
constexpr auto kForceStopTime = std::chrono::seconds(2);

class Session;

// Hands one response from a Responder (any thread) to its connection's coroutine without
// a lock: the Responder claims the request's slot with a CAS on `state`, writes
// `response`, then publishes kResponded. Only when the coroutine had already parked does
// the Responder post a wake-up to the connection's strand (the slow path).
struct Exchange {
  enum Phase : uint64_t {
    kPending = 0,        // the handler runs; the coroutine has not parked yet
    kParked = 1,         // the coroutine waits on its timer
    kClaimed = 2,        // a Responder is writing `response` (coroutine not parked)
    kClaimedParked = 3,  // a Responder is writing `response` (coroutine parked)
    kResponded = 4,      // `response` is ready
    kAbandoned = 5,      // the connection gave up (timeout, shutdown); Responders no-op
  };
  static constexpr uint64_t Word(uint64_t generation, Phase phase) {
    return generation << 3 | phase;
  }
  static Phase PhaseOf(uint64_t word) { return static_cast<Phase>(word & 7); }

  // Generation (request number on this connection) << 3 | Phase.
  std::atomic<uint64_t> state{Word(0, kAbandoned)};
  // Written only by the Responder that claimed the slot, read by the coroutine after it
  // observes kResponded (release/acquire through `state`).
  protocol::HttpResponse response;

  Mutex wake_mu;
  Session* session GUARDED_BY(wake_mu) = nullptr;  // null once the session is gone
};

// The Responder's target. Small (shared_ptr + generation), copyable, callable once.
struct ResponderFn {
  std::shared_ptr<Exchange> exchange;
  uint64_t generation;
  void operator()(protocol::HttpResponse response) const;
};

// One listening socket: the main port, or one opened by AddListener. Its accept loop is a
// chain of async_accept completions (each on ServerCore::ctl_), and every call on the
// acceptor is made under `mu`, so RemoveListener and Stop may close it from any thread
// while the loop runs. A connection is registered under `mu` too: either it is registered
// before `closed` is set (and the closer's scan of the sessions finds it) or it is dropped.
// Each of its connections holds it (shared_ptr), so it outlives them.
struct Listener {
  template <typename AcceptorExecutor>
  explicit Listener(const AcceptorExecutor& executor) : acceptor(executor) {}

  uint16_t port = 0;  // the bound port; set before the Listener is shared
  // Set by RemoveListener (before it closes the acceptor): this port's connections dispatch
  // no further requests. Not set by Stop(), whose in-flight requests are still served.
  std::atomic<bool> removed{false};

  Mutex mu;
  tcp::acceptor acceptor GUARDED_BY(mu);
  bool closed GUARDED_BY(mu) = false;
};

// Everything the Server owns; sessions point back here. Lives as long as the Server.
class ServerCore {
 public:
  ServerCore(ServerOptions options, protocol::Handler handler);
  ~ServerCore();

  Status Start();
  uint16_t port() const { return port_.load(); }
  void Run();
  void Stop();
  void StopOnSignals();
  Result<uint16_t> AddListener(const std::string& host, uint16_t port);
  void RemoveListener(uint16_t port);
  size_t open_connections() const { return open_.load(); }

  // For sessions.
  const ServerOptions& options() const { return options_; }
  const protocol::Handler& handler() const { return handler_; }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }
  Counter* requests() const { return requests_; }
  void OnSessionEnd(std::list<Session*>::iterator registry_position);

 private:
  // Resolves, opens, binds and listens; the Listener is not accepting yet.
  Result<std::shared_ptr<Listener>> OpenListener(const std::string& host, uint16_t port);
  // Starts the next async_accept unless the listener is closed. Any thread.
  void AcceptNext(const std::shared_ptr<Listener>& listener);
  void OnAccept(const std::shared_ptr<Listener>& listener, beast::error_code ec, Socket socket);
  // Closes the acceptor (idempotent, any thread). Its connections are the caller's concern.
  static void CloseListener(Listener& listener);
  // Empties the listener table for good (AddListener fails from here on) and returns every
  // listener, the main one included, for the caller to close.
  std::vector<std::shared_ptr<Listener>> TakeAllListeners();
  net::awaitable<void> Reap();  // on ctl_
  void DoStop();                // on ctl_
  void ForceCloseAll();
  std::vector<std::shared_ptr<Session>> LiveSessions();
  void RunLoop();

  const ServerOptions options_;
  const protocol::Handler handler_;
  Counter own_requests_, own_connections_;
  Counter* requests_;
  Counter* connections_;

  net::io_context ioc_;
  // Serialises the accept completions, the signal set and the drain timer. (Acceptors are
  // also touched from other threads, always under their Listener::mu.)
  net::strand<net::io_context::executor_type> ctl_;
  std::optional<net::signal_set> signals_;
  net::steady_timer drain_timer_;
  net::steady_timer reaper_;
  bool forced_ = false;  // on ctl_

  std::atomic<bool> started_{false};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> port_{0};
  std::atomic<size_t> open_{0};

  // Lock order: a Listener::mu before sessions_mu_; listeners_mu_ is never held with either.
  Mutex listeners_mu_;
  std::shared_ptr<Listener> main_listener_ GUARDED_BY(listeners_mu_);  // set by Start()
  // Listeners from AddListener by port (RemoveListener's key); emptied by Stop().
  std::map<uint16_t, std::shared_ptr<Listener>> listeners_ GUARDED_BY(listeners_mu_);
  // Set once Stop() has taken the listeners: AddListener fails.
  bool listeners_closed_ GUARDED_BY(listeners_mu_) = false;

  Mutex sessions_mu_;
  // Sessions whose coroutine is running (they stay alive at least that long).
  std::list<Session*> sessions_ GUARDED_BY(sessions_mu_);

  Mutex run_mu_;
  std::condition_variable run_cv_;
  bool running_ GUARDED_BY(run_mu_) = false;
};

// One client connection: a coroutine on its own strand that reads a request, calls the
// handler, waits for its Responder and writes the response, until the connection closes.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerCore* core, Socket socket, std::shared_ptr<const Listener> listener)
      : core_(core),
        listener_(std::move(listener)),
        local_port_(listener_->port),
        socket_(std::move(socket)),
        wait_timer_(socket_.get_executor()),
        exchange_(std::make_shared<Exchange>()) {
    exchange_->session = this;
    beast::error_code ec;
    auto remote = socket_.remote_endpoint(ec);
    if (!ec) remote_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    out_.reserve(512);
  }
  ~Session() { Detach(); }

  Executor executor() { return socket_.get_executor(); }
  const Listener* listener() const { return listener_.get(); }
  // The read/write deadline, for the reaper (any thread).
  bool Overdue(Clock::time_point now) const {
    return deadline_.load(std::memory_order_relaxed) <= now.time_since_epoch().count();
  }
  void set_registry_position(std::list<Session*>::iterator it) { registry_position_ = it; }

  // The connection's whole life; returns when it is closed.
  Awaitable<void> Serve();
  void Finish() { core_->OnSessionEnd(registry_position_); }

  // On the strand: graceful stop (close now if idle, after the current response if not).
  void OnStop() {
    stopping_ = true;
    beast::error_code ignored;
    if (phase_ == Phase::kIdle) socket_.cancel(ignored);
  }
  // On the strand: shutdown_grace is over, or (listener_removed) RemoveListener closed the
  // port this connection came in on. Closes at once, abandoning an unanswered request.
  void OnForceClose(bool listener_removed = false) {
    stopping_ = true;
    forced_ = true;
    listener_removed_ = listener_removed;
    beast::error_code ignored;
    socket_.close(ignored);
    wait_timer_.cancel();
  }
  // On the strand, posted by the reaper: the pending read or write has run out of time.
  void OnDeadline() {
    if (!Overdue(Clock::now())) return;  // moved on meanwhile
    timed_out_ = true;
    beast::error_code ignored;
    socket_.cancel(ignored);
  }
  // On the strand (from a Responder's wake-up post, under exchange->wake_mu).
  void OnResponded(uint64_t generation) {
    if (parked_generation_ == generation) wait_timer_.cancel();
  }
  // Responders stop touching this session (and its io_context).
  void Detach() {
    MutexLock lock(exchange_->wake_mu);
    exchange_->session = nullptr;
  }

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting };

  Awaitable<bool> AwaitResponse(uint64_t generation);
  Awaitable<void> SendErrorAndClose(protocol::HttpResponse response);
  void Close();
  template <typename Duration>
  void SetDeadline(Duration timeout) {
    deadline_.store((Clock::now() + timeout).time_since_epoch().count(), std::memory_order_relaxed);
  }

  ServerCore* const core_;
  const std::shared_ptr<const Listener> listener_;  // the port this connection came in on
  const uint16_t local_port_;
  Socket socket_;
  beast::flat_buffer buffer_;
  Timer wait_timer_;
  const std::shared_ptr<Exchange> exchange_;
  std::string remote_;
  std::string out_;  // response head, reused
  uint64_t generation_ = 0;
  uint64_t parked_generation_ = 0;
  Phase phase_ = Phase::kIdle;
  bool stopping_ = false;
  bool forced_ = false;
  bool listener_removed_ = false;  // forced_ because RemoveListener closed our port
  bool timed_out_ = false;         // the last operation was cancelled by OnDeadline
  // Steady-clock ticks when the pending read/write times out; kNoDeadline while the
  // handler runs (handler_timeout is wait_timer_'s job).
  std::atomic<Clock::rep> deadline_{kNoDeadline};
  std::list<Session*>::iterator registry_position_;
};

void ResponderFn::operator()(protocol::HttpResponse response) const {
  Exchange& ex = *exchange;
  uint64_t word = ex.state.load(std::memory_order_acquire);
  Exchange::Phase was;
  for (;;) {
    if ((word >> 3) != generation) return;  // a stale copy: that request is long done
    was = Exchange::PhaseOf(word);
    Exchange::Phase claim;
    if (was == Exchange::kPending) {
      claim = Exchange::kClaimed;
    } else if (was == Exchange::kParked) {
      claim = Exchange::kClaimedParked;
    } else {
      return;  // already answered, or the connection gave up on it
    }
    if (ex.state.compare_exchange_weak(word, Exchange::Word(generation, claim),
                                       std::memory_order_acq_rel, std::memory_order_acquire)) {
      break;
    }
  }
  ex.response = std::move(response);
  ex.state.store(Exchange::Word(generation, Exchange::kResponded), std::memory_order_release);
  if (was != Exchange::kParked) return;  // the coroutine will see kResponded itself

  MutexLock lock(ex.wake_mu);
  if (ex.session == nullptr) return;
  net::post(ex.session->executor(), [exchange = exchange, generation = generation] {
    MutexLock wake_lock(exchange->wake_mu);
    if (exchange->session != nullptr) exchange->session->OnResponded(generation);
  });
}

// Waits until the Responder of request `generation` has answered (true) or the request
// is abandoned: handler_timeout, or shutdown past the grace period (false).
Awaitable<bool> Session::AwaitResponse(uint64_t generation) {
  parked_generation_ = generation;
  wait_timer_.expires_after(core_->options().handler_timeout);
  for (;;) {
    uint64_t word = exchange_->state.load(std::memory_order_acquire);
    while (Exchange::PhaseOf(word) == Exchange::kClaimedParked) {
      std::this_thread::yield();  // a Responder is mid-move; nanoseconds
      word = exchange_->state.load(std::memory_order_acquire);
    }
    if (Exchange::PhaseOf(word) == Exchange::kResponded) break;
    auto [ec] = co_await wait_timer_.async_wait(kNoThrow);
    if (ec == net::error::operation_aborted && !forced_) continue;  // woken: look again
    uint64_t expected = Exchange::Word(generation, Exchange::kParked);
    if (exchange_->state.compare_exchange_strong(expected,
                                                 Exchange::Word(generation, Exchange::kAbandoned),
                                                 std::memory_order_acq_rel)) {
      if (listener_removed_) {
        // Expected: a sandbox's long-poll when the sandbox is retired.
        spdlog::debug("http: {} request dropped: port {} was removed", remote_, local_port_);
      } else {
        spdlog::warn("http: {} request abandoned: {}", remote_,
                     forced_ ? "server shut down before the handler answered"
                             : "handler did not answer within handler_timeout");
      }
      parked_generation_ = 0;
      co_return false;
    }
    // A Responder claimed it meanwhile; pick the response up on the next pass.
  }
  parked_generation_ = 0;
  co_return true;
}

Awaitable<void> Session::Serve() {
  const ServerOptions& options = core_->options();
  for (;;) {
    if ((stopping_ || core_->stopping()) && buffer_.size() == 0) break;

    protocol::HttpRequest request;
    request.remote = remote_;
    request.local_port = local_port_;
    RequestParser parser(&request, options.body_limit, options.header_limit);
    parser.eager(true);

    // Read one request: idle_timeout until its first byte, request_timeout from there.
    bool in_request = buffer_.size() > 0;
    phase_ = in_request ? Phase::kReading : Phase::kIdle;
    SetDeadline(in_request ? options.request_timeout : options.idle_timeout);
    bool sent_continue = false;
    beast::error_code ec;
    for (;;) {
      if (buffer_.size() > 0) {
        const size_t used = parser.put(buffer_.data(), ec);
        buffer_.consume(used);
        if (ec == beast::http::error::need_more) {
          ec = {};
        } else if (ec || parser.is_done()) {
          break;
        } else if (used > 0 && buffer_.size() > 0) {
          continue;
        }
        if (parser.is_header_done() && parser.expect_continue() && !sent_continue) {
          sent_continue = true;
          auto [write_ec, n] = co_await net::async_write(socket_, net::buffer(kContinue), kNoThrow);
          if (write_ec) {
            ec = write_ec;
            break;
          }
        }
      }
      auto [read_ec, n] = co_await socket_.async_read_some(buffer_.prepare(kReadSize), kNoThrow);
      if (read_ec) {
        ec = read_ec;
        break;
      }
      buffer_.commit(n);
      if (!in_request) {
        in_request = true;
        phase_ = Phase::kReading;
        SetDeadline(options.request_timeout);
      }
    }
    if (ec) {
      if (ec == beast::http::error::body_limit) {
        co_await SendErrorAndClose(protocol::RequestEntityTooLargeResponse(options.body_limit));
      } else if (ec.category() ==
                 beast::http::make_error_code(beast::http::error::bad_method).category()) {
        co_await SendErrorAndClose(protocol::MalformedHttpResponse());
      }
      // Otherwise: EOF between requests, a client gone mid-request, request_timeout,
      // idle_timeout or shutdown. Nothing to answer.
      if (in_request) {
        spdlog::debug("http: {} closed mid-request: {}", remote_,
                      timed_out_ ? "request_timeout" : ec.message());
      }
      break;
    }

    // A read that completed just before OnForceClose ran, or a request on a port being
    // removed: nobody is listening for the answer (and once the connection is cut, nothing
    // would wake a parked wait before handler_timeout), so the handler never sees it.
    if (forced_ || listener_->removed.load(std::memory_order_acquire)) {
      spdlog::debug("http: {} request on port {} not dispatched: connection cut", remote_,
                    local_port_);
      break;
    }

    // Handle it.
    phase_ = Phase::kHandling;
    deadline_.store(kNoDeadline, std::memory_order_relaxed);
    const int version = parser.version();
    const bool head_request = parser.is_head();
    const bool keep_alive = parser.keep_alive();
    const uint64_t generation = ++generation_;
    exchange_->state.store(Exchange::Word(generation, Exchange::kPending),
                           std::memory_order_release);
    core_->requests()->Add();
    bool handler_threw = false;
    try {
      core_->handler()(std::move(request), ResponderFn{exchange_, generation});
    } catch (const std::exception& e) {
      spdlog::error("http: handler threw for {}: {}", remote_, e.what());
      handler_threw = true;
    }
    if (handler_threw) {
      uint64_t expected = Exchange::Word(generation, Exchange::kPending);
      if (exchange_->state.compare_exchange_strong(
              expected, Exchange::Word(generation, Exchange::kAbandoned))) {
        protocol::HttpResponse failure;
        failure.status = 500;
        co_await SendErrorAndClose(std::move(failure));
        break;
      }
    }
    uint64_t word = Exchange::Word(generation, Exchange::kPending);
    if (exchange_->state.compare_exchange_strong(
            word, Exchange::Word(generation, Exchange::kParked), std::memory_order_acq_rel,
            std::memory_order_acquire)) {
      if (!co_await AwaitResponse(generation)) break;
    } else {
      // Answered synchronously (the common case), or a Responder is finishing right now.
      while (Exchange::PhaseOf(word) == Exchange::kClaimed) {
        std::this_thread::yield();
        word = exchange_->state.load(std::memory_order_acquire);
      }
    }
    protocol::HttpResponse response = std::move(exchange_->response);

    // Write it.
    const bool close = !keep_alive || response.close || stopping_ || core_->stopping();
    out_.clear();
    const bool with_body =
        AppendResponseHead(response, ResponseHeadOptions{version, !close, head_request}, &out_);
    phase_ = Phase::kWriting;
    SetDeadline(options.request_timeout);
    std::array<net::const_buffer, 2> buffers{
        net::buffer(out_), with_body ? net::buffer(response.body) : net::const_buffer()};
    auto [write_ec, n] = co_await net::async_write(socket_, buffers, kNoThrow);
    if (write_ec || close) break;
  }
  Close();
}

// Writes an error response with Connection: close, then drains what the client is still
// sending for a moment, so it reads the response instead of a reset.
Awaitable<void> Session::SendErrorAndClose(protocol::HttpResponse response) {
  phase_ = Phase::kWriting;
  out_.clear();
  const bool with_body = AppendResponseHead(response, ResponseHeadOptions{11, false, false}, &out_);
  SetDeadline(core_->options().request_timeout);
  std::array<net::const_buffer, 2> buffers{
      net::buffer(out_), with_body ? net::buffer(response.body) : net::const_buffer()};
  auto [write_ec, n] = co_await net::async_write(socket_, buffers, kNoThrow);
  if (write_ec) co_return;
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  SetDeadline(kLingerTime);
  std::array<char, 8192> scratch;
  for (;;) {
    auto [read_ec, read] = co_await socket_.async_read_some(net::buffer(scratch), kNoThrow);
    if (read_ec) break;
  }
}

void Session::Close() {
  beast::error_code ignored;
  deadline_.store(kNoDeadline, std::memory_order_relaxed);
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
}

Awaitable<void> RunSession(std::shared_ptr<Session> session) {
  try {
    co_await session->Serve();
  } catch (const std::exception& e) {
    spdlog::error("http: connection failed: {}", e.what());
  }
  session->Finish();
}

// ---- ServerCore ----

ServerCore::ServerCore(ServerOptions options, protocol::Handler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      requests_(&own_requests_),
      connections_(&own_connections_),
      ioc_(std::max(1, options_.io_threads)),
      ctl_(net::make_strand(ioc_)),
      drain_timer_(ctl_),
      reaper_(ctl_) {
  if (options_.metrics != nullptr) {
    requests_ = options_.metrics->GetCounter("streamstack_http_requests_total", {},
                                             "HTTP requests received");
    connections_ = options_.metrics->GetCounter("streamstack_http_connections_total", {},
                                                "HTTP connections accepted");
  }
}

ServerCore::~ServerCore() {
  Stop();
  {
    MutexLock lock(run_mu_);
    lock.Wait(run_cv_, [this]() REQUIRES(run_mu_) { return !running_; });
  }
  // Run() never ran DoStop (it was not running): the ports close here.
  for (auto& listener : TakeAllListeners()) CloseListener(*listener);
  // From here on no Responder may post into ioc_, which is about to go.
  for (auto& session : LiveSessions()) session->Detach();
}

Status ServerCore::Start() {
  if (started_.load()) return Status(AwsError::kInternalFailure, "server already started");
  auto opened = OpenListener(options_.host, options_.port);
  if (!opened.ok()) return std::move(opened).take_status();
  std::shared_ptr<Listener> listener = std::move(opened).value();
  {
    MutexLock lock(listeners_mu_);
    main_listener_ = listener;
  }
  port_ = listener->port;
  started_ = true;
  AcceptNext(listener);
  net::co_spawn(ctl_, Reap(), net::detached);
  return Status::Ok();
}

Result<uint16_t> ServerCore::AddListener(const std::string& host, uint16_t port) {
  if (!started_.load()) return Status(AwsError::kInternalFailure, "server not started");
  if (stop_requested_.load()) return Status(AwsError::kInternalFailure, "server is stopping");
  auto opened = OpenListener(host, port);
  if (!opened.ok()) return std::move(opened).take_status();
  std::shared_ptr<Listener> listener = std::move(opened).value();
  {
    MutexLock lock(listeners_mu_);
    // listeners_closed_ is set under this lock after stop_requested_, so a listener added
    // here is either refused or seen by Stop().
    if (listeners_closed_ || stop_requested_.load()) {
      return Status(AwsError::kInternalFailure, "server is stopping");
    }
    if (listener->port == port_.load() || listeners_.contains(listener->port)) {
      return Status(AwsError::kInternalFailure,
                    "port " + std::to_string(listener->port) + " already has a listener");
    }
    listeners_.emplace(listener->port, listener);
  }
  AcceptNext(listener);
  return listener->port;
}

void ServerCore::RemoveListener(uint16_t port) {
  std::shared_ptr<Listener> listener;
  {
    MutexLock lock(listeners_mu_);
    auto it = listeners_.find(port);
    if (it == listeners_.end()) return;
    listener = std::move(it->second);
    listeners_.erase(it);
  }
  listener->removed.store(true, std::memory_order_release);
  CloseListener(*listener);
  // Every connection of this listener is registered by now (see Listener); later accepts
  // see `closed` and drop their socket.
  std::vector<std::shared_ptr<Session>> doomed;
  {
    MutexLock lock(sessions_mu_);
    for (Session* session : sessions_) {
      if (session->listener() == listener.get()) doomed.push_back(session->shared_from_this());
    }
  }
  spdlog::debug("http: port {} removed; closing {} connections", port, doomed.size());
  for (auto& session : doomed) {
    net::post(session->executor(), [session] { session->OnForceClose(/*listener_removed=*/true); });
  }
}

Result<std::shared_ptr<Listener>> ServerCore::OpenListener(const std::string& host, uint16_t port) {
  beast::error_code ec;
  tcp::endpoint endpoint;
  auto address = net::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, port);
  } else {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return Status(AwsError::kInternalFailure,
                    "cannot resolve listen host '" + host + "': " + ec.message());
    }
    endpoint = results.begin()->endpoint();
  }
  auto fail = [&](const char* what) {
    return Status(AwsError::kInternalFailure, std::string("cannot ") + what + " " + host + ":" +
                                                  std::to_string(port) + ": " + ec.message());
  };
  // Not shared with any other thread until this returns; locked all the same (uncontended)
  // so that every use of the acceptor is visibly under its mutex.
  auto listener = std::make_shared<Listener>(ctl_);
  MutexLock lock(listener->mu);
  tcp::acceptor& acceptor = listener->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  listener->port = acceptor.local_endpoint(ec).port();
  if (ec) return fail("read the bound port of");
  return listener;
}

void ServerCore::AcceptNext(const std::shared_ptr<Listener>& listener) {
  MutexLock lock(listener->mu);
  if (listener->closed) return;
  // The completion runs on ctl_ (the acceptor's executor), never inside this call.
  listener->acceptor.async_accept(net::make_strand(ioc_),
                                  [this, listener](beast::error_code ec, Socket socket) {
                                    OnAccept(listener, ec, std::move(socket));
                                  });
}

void ServerCore::OnAccept(const std::shared_ptr<Listener>& listener, beast::error_code ec,
                          Socket socket) {
  if (stopping_) return;
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    {
      MutexLock lock(listener->mu);
      if (listener->closed || !listener->acceptor.is_open()) return;
    }
    // EMFILE and friends: back off instead of spinning on the error.
    spdlog::warn("http: accept failed on port {}: {}", listener->port, ec.message());
    auto backoff = std::make_shared<net::steady_timer>(ctl_, std::chrono::milliseconds(50));
    backoff->async_wait([this, listener, backoff](beast::error_code) { AcceptNext(listener); });
    return;
  }
  if (open_.load() >= options_.max_connections) {
    beast::error_code ignored;
    socket.close(ignored);
    AcceptNext(listener);
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  std::shared_ptr<Session> session;
  {
    MutexLock lock(listener->mu);
    if (listener->closed) return;  // removed meanwhile: ~Socket closes the connection
    connections_->Add();
    open_.fetch_add(1);
    session = std::make_shared<Session>(this, std::move(socket), listener);
    MutexLock sessions_lock(sessions_mu_);
    session->set_registry_position(sessions_.insert(sessions_.end(), session.get()));
  }
  net::co_spawn(session->executor(), RunSession(session), net::detached);
  AcceptNext(listener);
}

void ServerCore::CloseListener(Listener& listener) {
  MutexLock lock(listener.mu);
  if (listener.closed) return;
  listener.closed = true;
  beast::error_code ignored;
  listener.acceptor.close(ignored);  // a pending async_accept completes with operation_aborted
}

std::vector<std::shared_ptr<Listener>> ServerCore::TakeAllListeners() {
  std::vector<std::shared_ptr<Listener>> all;
  MutexLock lock(listeners_mu_);
  listeners_closed_ = true;
  if (main_listener_) all.push_back(main_listener_);
  for (auto& [port, listener] : listeners_) all.push_back(std::move(listener));
  listeners_.clear();
  return all;
}

net::awaitable<void> ServerCore::Reap() {
  std::vector<std::shared_ptr<Session>> overdue;
  for (;;) {
    reaper_.expires_after(kReapInterval);
    auto [ec] = co_await reaper_.async_wait(kCtlNoThrow);
    // A cancel() that races the timer's expiry is lost (the completion is already queued),
    // so a stopping server with no connections left also ends the loop here; otherwise the
    // re-armed timer would keep the io_context running forever.
    if (ec || (stopping_.load() && open_.load() == 0)) co_return;
    const auto now = Clock::now();
    {
      MutexLock lock(sessions_mu_);
      for (Session* session : sessions_) {
        if (session->Overdue(now)) overdue.push_back(session->shared_from_this());
      }
    }
    for (auto& session : overdue) {
      net::post(session->executor(), [session] { session->OnDeadline(); });
    }
    overdue.clear();
  }
}

void ServerCore::OnSessionEnd(std::list<Session*>::iterator registry_position) {
  {
    MutexLock lock(sessions_mu_);
    sessions_.erase(registry_position);
  }
  if (open_.fetch_sub(1) == 1 && stopping_.load()) {
    net::post(ctl_, [this] {
      if (open_.load() == 0) {
        drain_timer_.cancel();
        reaper_.cancel();
      }
    });
  }
}

std::vector<std::shared_ptr<Session>> ServerCore::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  MutexLock lock(sessions_mu_);
  live.reserve(sessions_.size());
  for (Session* session : sessions_) live.push_back(session->shared_from_this());
  return live;
}

void ServerCore::Run() {
  if (!started_.load()) return;
  {
    MutexLock lock(run_mu_);
    running_ = true;
  }
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { RunLoop(); });
  RunLoop();
  for (auto& thread : threads) thread.join();
  {
    MutexLock lock(run_mu_);
    running_ = false;
  }
  run_cv_.notify_all();
}

void ServerCore::RunLoop() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: uncaught exception on an I/O thread: {}", e.what());
    }
  }
}

void ServerCore::Stop() {
  if (stop_requested_.exchange(true)) return;
  if (options_.on_stop) options_.on_stop();
  net::post(ctl_, [this] { DoStop(); });
}

void ServerCore::DoStop() {
  stopping_ = true;
  // Connections accepted before this are in sessions_ (see Listener) and get OnStop below.
  for (auto& listener : TakeAllListeners()) CloseListener(*listener);
  beast::error_code ignored;
  if (signals_) signals_->cancel(ignored);
  for (auto& session : LiveSessions()) {
    net::post(session->executor(), [session] { session->OnStop(); });
  }
  if (open_.load() == 0) {
    reaper_.cancel();
    return;
  }
  drain_timer_.expires_after(options_.shutdown_grace);
  drain_timer_.async_wait([this](beast::error_code ec) {
    if (!ec && open_.load() > 0) ForceCloseAll();  // a late cancel() can lose the race
  });
}

void ServerCore::ForceCloseAll() {
  if (forced_) {
    spdlog::error("http: {} connections did not close; stopping the I/O loop", open_.load());
    ioc_.stop();
    return;
  }
  forced_ = true;
  spdlog::warn("http: shutdown grace over; closing {} connections", open_.load());
  for (auto& session : LiveSessions()) {
    net::post(session->executor(), [session] { session->OnForceClose(); });
  }
  drain_timer_.expires_after(kForceStopTime);
  drain_timer_.async_wait([this](beast::error_code ec) {
    if (!ec && open_.load() > 0) ForceCloseAll();
  });
}

void ServerCore::StopOnSignals() {
  signals_.emplace(ctl_, SIGINT, SIGTERM);
  signals_->async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("http: signal {} received; stopping", signal);
    Stop();
  });
}

}  // namespace

class Server::Impl : public ServerCore {
 public:
  using ServerCore::ServerCore;
};

Server::Server(ServerOptions options, protocol::Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
uint16_t Server::port() const { return impl_->port(); }
void Server::Run() { impl_->Run(); }
void Server::Stop() { impl_->Stop(); }
void Server::StopOnSignals() { impl_->StopOnSignals(); }
Result<uint16_t> Server::AddListener(const std::string& host, uint16_t port) {
  return impl_->AddListener(host, port);
}
void Server::RemoveListener(uint16_t port) { impl_->RemoveListener(port); }
size_t Server::TEST_open_connections() const { return impl_->open_connections(); }

}  // namespace streamstack::http
