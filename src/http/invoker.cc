#include "streamstack/http/invoker.h"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>

#include <array>
#include <atomic>
#include <charconv>
#include <list>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/wire.h"
#include "streamstack/common/thread_annotations.h"

namespace streamstack::http {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Outcome = HttpCallResult::Outcome;

constexpr auto kNoThrow = net::as_tuple(net::use_awaitable);
constexpr size_t kReadSize = 16 * 1024;

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool IsStopError(const beast::error_code& ec) { return ec == net::error::operation_aborted; }

}  // namespace

std::optional<HttpUrl> ParseHttpUrl(std::string_view url, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<HttpUrl> {
    if (error != nullptr) *error = std::string(why) + ": '" + std::string(url) + "'";
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "http://";
  if (url.size() < kScheme.size() || !HeaderNameEquals(url.substr(0, kScheme.size()), kScheme)) {
    return fail("only http:// URLs are supported");
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return fail("user info is not supported");

  HttpUrl out;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return fail("bad IPv6 host");
    out.host = std::string(authority.substr(1, close - 1));
    for (char c : out.host) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) {
        return fail("bad IPv6 host");
      }
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("bad authority");
      port_text = after.substr(1);
      if (port_text.empty()) return fail("empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (host.empty()) return fail("missing host");
    for (char c : host) {
      if (!IsHostChar(c)) return fail("bad host");
    }
    out.host = std::string(host);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return fail("empty port");
    }
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return fail("bad port");
    }
    out.port = static_cast<uint16_t>(port);
  }
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  if (target.empty()) {
    out.target = "/";
  } else if (target.front() == '?') {
    out.target = "/" + std::string(target);
  } else {
    out.target = std::string(target);
  }
  for (char c : out.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail("bad character in path");
  }
  return out;
}

namespace {

// A keep-alive connection to one host:port, on its own strand.
struct Connection {
  explicit Connection(net::any_io_executor executor) : stream(std::move(executor)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
};

struct Call {
  HttpCall request;
  HttpUrl url;
  std::string pool_key;
  std::function<void(HttpCallResult)> done;
  net::any_io_executor executor;
  std::unique_ptr<Connection> connection;  // taken from the pool, or opened by the call
  bool reused = false;
  Clock::time_point start;
  Clock::time_point deadline;
  std::optional<tcp::resolver> resolver;
  std::list<std::shared_ptr<Call>>::iterator registry_position;
};

}  // namespace

class HttpInvoker::Impl {
 public:
  explicit Impl(HttpInvokerOptions options)
      : options_(options), ioc_(std::max(1, options.threads)), work_(net::make_work_guard(ioc_)) {
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { RunLoop(); });
    }
  }
  ~Impl() { Stop(); }

  void Invoke(HttpCall request, std::function<void(HttpCallResult)> done);
  void Stop();
  uint64_t connections_opened() const { return connections_opened_.load(); }

 private:
  net::awaitable<void> Run(std::shared_ptr<Call> call);
  // Opens call->connection; fills `result` and returns false on failure.
  net::awaitable<bool> Connect(Call& call, HttpCallResult& result);
  // One request/response on call->connection. Returns the outcome; `got_bytes` tells
  // whether any response byte arrived (a stale pooled connection shows none).
  net::awaitable<bool> Exchange(Call& call, HttpCallResult& result, bool& got_bytes,
                                bool& reusable);
  void Finish(std::shared_ptr<Call>& call, HttpCallResult result);
  std::unique_ptr<Connection> TakePooled(const std::string& key);
  void ReturnToPool(const std::string& key, std::unique_ptr<Connection> connection);
  void RunLoop();

  const HttpInvokerOptions options_;
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> connections_opened_{0};
  // Set by Stop() before it cancels the calls in flight; calls check it on their strand
  // before each operation, so none starts one after its cancellation ran.
  std::atomic<bool> stopping_{false};

  Mutex mu_;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> pool_ GUARDED_BY(mu_);
  std::list<std::shared_ptr<Call>> calls_ GUARDED_BY(mu_);
};

void HttpInvoker::Impl::RunLoop() {
  for (;;) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http invoker: uncaught exception on an I/O thread: {}", e.what());
    }
  }
}

void HttpInvoker::Impl::Invoke(HttpCall request, std::function<void(HttpCallResult)> done) {
  const auto start = Clock::now();
  std::string error;
  auto url = ParseHttpUrl(request.url, &error);
  auto call = std::make_shared<Call>();
  call->start = start;
  call->deadline = start + request.timeout;
  call->done = std::move(done);
  {
    MutexLock lock(mu_);
    if (stopped_) {
      lock.Unlock();
      HttpCallResult result;
      result.outcome = Outcome::kConnectFailed;
      result.error = "invoker stopped";
      call->done(std::move(result));
      return;
    }
    call->registry_position = calls_.insert(calls_.end(), call);
  }
  if (!url) {
    HttpCallResult result;
    result.outcome = Outcome::kInvalidUrl;
    result.error = std::move(error);
    net::post(ioc_, [this, call, result = std::move(result)]() mutable {
      Finish(call, std::move(result));
    });
    return;
  }
  call->request = std::move(request);
  call->url = std::move(*url);
  call->pool_key = call->url.host + ":" + std::to_string(call->url.port);
  call->connection = TakePooled(call->pool_key);
  call->reused = call->connection != nullptr;
  call->executor = call->reused ? call->connection->stream.get_executor()
                                : net::any_io_executor(net::make_strand(ioc_));
  net::co_spawn(call->executor, Run(call), net::detached);
}

std::unique_ptr<Connection> HttpInvoker::Impl::TakePooled(const std::string& key) {
  std::vector<std::unique_ptr<Connection>> expired;
  std::unique_ptr<Connection> found;
  {
    MutexLock lock(mu_);
    auto it = pool_.find(key);
    if (it == pool_.end()) return nullptr;
    auto& idle = it->second;
    const auto now = Clock::now();
    while (!idle.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle.back());
      idle.pop_back();
      if (now - connection->idle_since < options_.max_idle_time) {
        found = std::move(connection);
        break;
      }
      expired.push_back(std::move(connection));
    }
  }
  // Sockets of expired connections close on their destruction; no I/O is pending on them.
  return found;
}

void HttpInvoker::Impl::ReturnToPool(const std::string& key,
                                     std::unique_ptr<Connection> connection) {
  connection->idle_since = Clock::now();
  MutexLock lock(mu_);
  if (stopped_) return;  // closes on destruction
  auto& idle = pool_[key];
  if (idle.size() < options_.max_idle_per_host) idle.push_back(std::move(connection));
}

net::awaitable<void> HttpInvoker::Impl::Run(std::shared_ptr<Call> call) {
  for (int attempt = 0;; ++attempt) {
    HttpCallResult result;
    if (!call->connection) {
      call->reused = false;
      if (!co_await Connect(*call, result)) {
        Finish(call, std::move(result));
        co_return;
      }
    }
    bool got_bytes = false, reusable = false;
    if (co_await Exchange(*call, result, got_bytes, reusable)) {
      if (reusable) {
        ReturnToPool(call->pool_key, std::move(call->connection));
      }
      call->connection.reset();
      Finish(call, std::move(result));
      co_return;
    }
    call->connection.reset();
    // A pooled connection the server has closed meanwhile fails before any byte of a
    // response: that request was not processed, so it is retried once on a new one.
    const bool stale = call->reused && !got_bytes && result.outcome == Outcome::kBadResponse;
    if (!stale || attempt > 0) {
      Finish(call, std::move(result));
      co_return;
    }
  }
}

net::awaitable<bool> HttpInvoker::Impl::Connect(Call& call, HttpCallResult& result) {
  auto fail = [&](Outcome outcome, const beast::error_code& ec, const char* what) {
    result.outcome = outcome;
    result.error = std::string(what) + " " + call.pool_key + ": " + ec.message();
    return false;
  };
  beast::error_code ec;
  if (stopping_.load())
    co_return fail(Outcome::kConnectFailed, net::error::operation_aborted,
                   "invoker stopped before connecting to");
  std::vector<tcp::endpoint> endpoints;
  auto address = net::ip::make_address(call.url.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, call.url.port);
  } else {
    call.resolver.emplace(call.executor);
    auto [resolve_ec, results] = co_await call.resolver->async_resolve(
        call.url.host, std::to_string(call.url.port), kNoThrow);
    call.resolver.reset();
    if (resolve_ec || results.empty()) {
      co_return fail(Outcome::kConnectFailed, resolve_ec, "cannot resolve");
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    if (Clock::now() >= call.deadline) {
      co_return fail(Outcome::kTimeout, beast::error::timeout, "timed out resolving");
    }
  }
  if (stopping_.load())
    co_return fail(Outcome::kConnectFailed, net::error::operation_aborted,
                   "invoker stopped before connecting to");
  call.connection = std::make_unique<Connection>(call.executor);
  connections_opened_.fetch_add(1, std::memory_order_relaxed);
  call.connection->stream.expires_at(call.deadline);
  auto [connect_ec, endpoint] = co_await call.connection->stream.async_connect(endpoints, kNoThrow);
  if (connect_ec) {
    call.connection.reset();
    if (connect_ec == beast::error::timeout) {
      co_return fail(Outcome::kTimeout, connect_ec, "timed out connecting to");
    }
    co_return fail(Outcome::kConnectFailed, connect_ec, "cannot connect to");
  }
  call.connection->stream.socket().set_option(tcp::no_delay(true), ec);
  co_return true;
}

net::awaitable<bool> HttpInvoker::Impl::Exchange(Call& call, HttpCallResult& result,
                                                 bool& got_bytes, bool& reusable) {
  Connection& connection = *call.connection;
  const HttpCall& request = call.request;

  // Request head.
  std::string head;
  head.reserve(256 + request.url.size());
  head.append("POST ").append(call.url.target).append(" HTTP/1.1\r\nHost: ");
  const bool ipv6 = call.url.host.find(':') != std::string::npos;
  if (ipv6) head.push_back('[');
  head.append(call.url.host);
  if (ipv6) head.push_back(']');
  if (call.url.port != 80) head.append(":").append(std::to_string(call.url.port));
  head.append("\r\n");
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    if (HeaderNameEquals(name, "host") || HeaderNameEquals(name, "content-length") ||
        HeaderNameEquals(name, "transfer-encoding") || HeaderNameEquals(name, "connection")) {
      continue;
    }
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos || name.empty()) {
      continue;
    }
    if (HeaderNameEquals(name, "content-type")) has_content_type = true;
    head.append(name).append(": ").append(value).append("\r\n");
  }
  if (!has_content_type) head.append("Content-Type: application/json\r\n");
  head.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n\r\n");

  auto fail = [&](const beast::error_code& ec, const char* what) {
    if (ec == beast::error::timeout) {
      result.outcome = Outcome::kTimeout;
      result.error = std::string("timed out ") + what;
    } else if (IsStopError(ec)) {
      result.outcome = Outcome::kConnectFailed;
      result.error = "invoker stopped";
    } else {
      result.outcome = Outcome::kBadResponse;
      result.error = std::string(what) + ": " + ec.message();
    }
    result.error += " (" + call.pool_key + ")";
    return false;
  };

  if (stopping_.load()) co_return fail(net::error::operation_aborted, "");
  connection.stream.expires_at(call.deadline);
  std::array<net::const_buffer, 2> buffers{net::buffer(head), net::buffer(request.body)};
  auto [write_ec, written] = co_await net::async_write(connection.stream, buffers, kNoThrow);
  if (write_ec) co_return fail(write_ec, "writing the request");

  ResponseParser parser(&result, options_.response_body_limit);
  parser.eager(true);
  beast::flat_buffer& buffer = connection.buffer;
  beast::error_code ec;
  for (;;) {
    if (buffer.size() > 0) {
      got_bytes = true;
      const size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == beast::http::error::need_more) {
        ec = {};
      } else if (ec) {
        co_return fail(ec, "reading the response");
      } else if (parser.is_done()) {
        break;
      } else if (used > 0 && buffer.size() > 0) {
        continue;
      }
    }
    if (stopping_.load()) co_return fail(net::error::operation_aborted, "");
    auto [read_ec, n] =
        co_await connection.stream.async_read_some(buffer.prepare(kReadSize), kNoThrow);
    if (read_ec == net::error::eof && parser.got_some()) {
      parser.put_eof(ec);  // a body delimited by the connection's end
      if (ec) co_return fail(ec, "reading the response");
      break;
    }
    if (read_ec) {
      co_return fail(read_ec, got_bytes ? "reading the response"
                                        : "reading the response (closed before any byte)");
    }
    buffer.commit(n);
  }
  result.outcome = Outcome::kResponse;
  // 1xx interim responses are not expected from a function endpoint: Expect is never sent.
  reusable = parser.keep_alive() && !parser.need_eof() && buffer.size() == 0;
  co_return true;
}

void HttpInvoker::Impl::Finish(std::shared_ptr<Call>& call, HttpCallResult result) {
  result.elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - call->start);
  {
    MutexLock lock(mu_);
    if (call->registry_position != std::list<std::shared_ptr<Call>>::iterator()) {
      calls_.erase(call->registry_position);
      call->registry_position = {};
    }
  }
  auto done = std::move(call->done);
  try {
    done(std::move(result));
  } catch (const std::exception& e) {
    spdlog::error("http invoker: completion threw: {}", e.what());
  }
}

void HttpInvoker::Impl::Stop() {
  std::list<std::shared_ptr<Call>> calls;
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> pool;
  {
    MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    calls = calls_;
    pool.swap(pool_);
  }
  for (auto& call : calls) {
    net::post(call->executor, [call] {
      beast::error_code ignored;
      if (call->connection) call->connection->stream.cancel();
      if (call->resolver) call->resolver->cancel();
    });
  }
  work_.reset();
  for (auto& thread : threads_) {
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }
  // `pool` closes its sockets here, after the threads are gone.
}

HttpInvoker::HttpInvoker(int threads) : HttpInvoker(HttpInvokerOptions{.threads = threads}) {}
HttpInvoker::HttpInvoker(HttpInvokerOptions options) : impl_(std::make_unique<Impl>(options)) {}
HttpInvoker::~HttpInvoker() = default;
void HttpInvoker::Invoke(HttpCall request, std::function<void(HttpCallResult)> done) {
  impl_->Invoke(std::move(request), std::move(done));
}
void HttpInvoker::Stop() { impl_->Stop(); }
uint64_t HttpInvoker::TEST_connections_opened() const { return impl_->connections_opened(); }

}  // namespace streamstack::http
