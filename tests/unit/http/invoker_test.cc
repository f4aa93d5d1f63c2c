#include "streamstack/http/invoker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "streamstack/common/metrics.h"
#include "streamstack/http/server.h"
#include "test_socket.h"

namespace streamstack::http {
namespace {

using namespace std::chrono_literals;
using Outcome = HttpCallResult::Outcome;
using testing::RawServer;

struct Done {
  HttpCallResult result;
  std::thread::id thread;
};

Done InvokeAndWait(HttpInvoker& invoker, HttpCall request) {
  std::promise<Done> promise;
  invoker.Invoke(std::move(request), [&promise](HttpCallResult result) {
    promise.set_value(Done{std::move(result), std::this_thread::get_id()});
  });
  return promise.get_future().get();
}

HttpCall Request(const std::string& url, std::string body = "{}",
                 std::chrono::milliseconds timeout = 3000ms) {
  HttpCall request;
  request.url = url;
  request.body = std::move(body);
  request.timeout = timeout;
  return request;
}

uint16_t UnusedPort() {
  RawServer probe([](int) {});
  return probe.port();  // closed when probe goes: nothing listens there afterwards
}

// A function endpoint served by our own Server: echoes the request as JSON-ish text and
// honours a few knobs in the target.
class FunctionServer {
 public:
  explicit FunctionServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.metrics = &metrics_;
    server_ = std::make_unique<Server>(options, [](protocol::HttpRequest&& request,
                                                   protocol::Responder respond) {
      protocol::HttpResponse response;
      if (request.target == "/error") {
        response.status = 502;
        response.headers.Add("X-Amz-Function-Error", "Unhandled");
      } else if (request.target == "/close") {
        response.close = true;
      }
      response.headers.Add("X-Echo-Content-Type", std::string(request.headers.Get("content-type")));
      response.headers.Add("X-Echo-Custom", std::string(request.headers.Get("x-custom")));
      response.body = request.method + " " + request.target + " " + request.body;
      respond(std::move(response));
    });
    EXPECT_TRUE(server_->Start().ok());
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~FunctionServer() {
    server_->Stop();
    thread_.join();
  }
  std::string Url(const std::string& path = "/2015-03-31/functions/function/invocations") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  uint64_t connections_accepted() {
    return metrics_.GetCounter("streamstack_http_connections_total", {})->value();
  }

 private:
  MetricsRegistry metrics_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

TEST(ParseHttpUrlTest, AcceptsHttpUrls) {
  struct Case {
    const char* url;
    const char* host;
    uint16_t port;
    const char* target;
  } cases[] = {
      {"http://127.0.0.1:9000/2015-03-31/functions/function/invocations", "127.0.0.1", 9000,
       "/2015-03-31/functions/function/invocations"},
      {"http://localhost", "localhost", 80, "/"},
      {"HTTP://Fn.Local:8080", "Fn.Local", 8080, "/"},
      {"http://h/p?x=1#frag", "h", 80, "/p?x=1"},
      {"http://h?x=1", "h", 80, "/?x=1"},
      {"http://[::1]:3000/x", "::1", 3000, "/x"},
      {"http://host.docker.internal:9000/", "host.docker.internal", 9000, "/"},
  };
  for (const auto& c : cases) {
    auto url = ParseHttpUrl(c.url);
    ASSERT_TRUE(url.has_value()) << c.url;
    EXPECT_EQ(url->host, c.host) << c.url;
    EXPECT_EQ(url->port, c.port) << c.url;
    EXPECT_EQ(url->target, c.target) << c.url;
  }
}

TEST(ParseHttpUrlTest, RejectsEverythingElse) {
  for (const char* url :
       {"https://127.0.0.1:9000/", "ftp://h/", "http://", "http:///x", "http://:80/", "h:80/",
        "http://h:0/", "http://h:65536/", "http://h:/", "http://h:12x/", "http://user@h/",
        "http://h h/", "http://[::1/", "http://[]/", "http://h/a b", "", "http//h/"}) {
    std::string error;
    EXPECT_FALSE(ParseHttpUrl(url, &error).has_value()) << url;
    EXPECT_FALSE(error.empty()) << url;
  }
}

TEST(HttpInvokerTest, PostsAndReturnsResponse) {
  FunctionServer function;
  HttpInvoker invoker;
  HttpCall request = Request(function.Url(), R"({"Records":[]})");
  request.headers.emplace_back("X-Custom", "42");
  Done done = InvokeAndWait(invoker, std::move(request));
  const HttpCallResult& result = done.result;
  ASSERT_EQ(result.outcome, Outcome::kResponse) << result.error;
  EXPECT_EQ(result.status, 200u);
  EXPECT_EQ(result.body, R"(POST /2015-03-31/functions/function/invocations {"Records":[]})");
  ASSERT_NE(result.Header("x-echo-content-type"), nullptr);  // lower-cased names
  EXPECT_EQ(*result.Header("x-echo-content-type"), "application/json");
  EXPECT_EQ(*result.Header("x-echo-custom"), "42");
  EXPECT_NE(result.Header("x-amzn-requestid"), nullptr);
  EXPECT_GT(result.elapsed.count(), 0);
  EXPECT_NE(done.thread, std::this_thread::get_id());
}

TEST(HttpInvokerTest, NonSuccessStatusIsPassedThrough) {
  FunctionServer function;
  HttpInvoker invoker;
  HttpCallResult result = InvokeAndWait(invoker, Request(function.Url("/error"))).result;
  ASSERT_EQ(result.outcome, Outcome::kResponse) << result.error;
  EXPECT_EQ(result.status, 502u);
  ASSERT_NE(result.Header("x-amz-function-error"), nullptr);
  EXPECT_EQ(*result.Header("x-amz-function-error"), "Unhandled");
}

TEST(HttpInvokerTest, RefusedPortIsConnectFailed) {
  HttpInvoker invoker;
  HttpCallResult result =
      InvokeAndWait(invoker, Request("http://127.0.0.1:" + std::to_string(UnusedPort()) + "/"))
          .result;
  EXPECT_EQ(result.outcome, Outcome::kConnectFailed) << result.error;
  EXPECT_FALSE(result.error.empty());
}

TEST(HttpInvokerTest, UnresolvableHostIsConnectFailed) {
  HttpInvoker invoker;
  HttpCallResult result = InvokeAndWait(invoker, Request("http://no-such-host.invalid/")).result;
  EXPECT_EQ(result.outcome, Outcome::kConnectFailed) << result.error;
}

TEST(HttpInvokerTest, ServerThatNeverAnswersIsTimeout) {
  RawServer silent([](int fd) { RawServer::WaitForPeerClose(fd); });
  HttpInvoker invoker;
  const auto start = std::chrono::steady_clock::now();
  HttpCallResult result =
      InvokeAndWait(invoker,
                    Request("http://127.0.0.1:" + std::to_string(silent.port()) + "/", "{}", 300ms))
          .result;
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.outcome, Outcome::kTimeout) << result.error;
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 1500ms);
  EXPECT_GE(result.elapsed, 290ms);
}

TEST(HttpInvokerTest, GarbageResponseIsBadResponse) {
  RawServer garbage([](int fd) {
    RawServer::ReadHead(fd);
    RawServer::SendAll(fd, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
    RawServer::WaitForPeerClose(fd);
  });
  HttpInvoker invoker;
  HttpCallResult result =
      InvokeAndWait(invoker, Request("http://127.0.0.1:" + std::to_string(garbage.port()))).result;
  EXPECT_EQ(result.outcome, Outcome::kBadResponse) << result.error;
}

TEST(HttpInvokerTest, ClosedMidResponseIsBadResponse) {
  RawServer truncating([](int fd) {
    RawServer::ReadHead(fd);
    RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
  });
  HttpInvoker invoker;
  HttpCallResult result =
      InvokeAndWait(invoker, Request("http://127.0.0.1:" + std::to_string(truncating.port())))
          .result;
  EXPECT_EQ(result.outcome, Outcome::kBadResponse) << result.error;
}

TEST(HttpInvokerTest, ClosedBeforeAnyByteOnFreshConnectionIsNotRetried) {
  RawServer closer([](int fd) { RawServer::ReadHead(fd); });
  HttpInvoker invoker;
  HttpCallResult result =
      InvokeAndWait(invoker, Request("http://127.0.0.1:" + std::to_string(closer.port()))).result;
  EXPECT_EQ(result.outcome, Outcome::kBadResponse) << result.error;
  EXPECT_EQ(closer.accepted(), 1);
}

TEST(HttpInvokerTest, ChunkedAndCloseDelimitedResponses) {
  RawServer chunked([](int fd) {
    RawServer::ReadHead(fd);
    RawServer::SendAll(fd,
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n");
    RawServer::WaitForPeerClose(fd);
  });
  RawServer close_delimited([](int fd) {
    RawServer::ReadHead(fd);
    RawServer::SendAll(fd, "HTTP/1.0 200 OK\r\n\r\nuntil close");
  });
  HttpInvoker invoker;
  HttpCallResult a =
      InvokeAndWait(invoker, Request("http://127.0.0.1:" + std::to_string(chunked.port()))).result;
  ASSERT_EQ(a.outcome, Outcome::kResponse) << a.error;
  EXPECT_EQ(a.body, "hello!");
  HttpCallResult b =
      InvokeAndWait(invoker, Request("http://127.0.0.1:" + std::to_string(close_delimited.port())))
          .result;
  ASSERT_EQ(b.outcome, Outcome::kResponse) << b.error;
  EXPECT_EQ(b.body, "until close");
}

TEST(HttpInvokerTest, ResponseBodyOverLimitIsBadResponse) {
  RawServer big([](int fd) {
    RawServer::ReadHead(fd);
    RawServer::SendAll(fd,
                       "HTTP/1.1 200 OK\r\nContent-Length: 2048\r\n\r\n" + std::string(2048, 'x'));
    RawServer::WaitForPeerClose(fd);
  });
  HttpInvoker invoker(HttpInvokerOptions{.threads = 1, .response_body_limit = 1024});
  HttpCallResult result =
      InvokeAndWait(invoker, Request("http://127.0.0.1:" + std::to_string(big.port()))).result;
  EXPECT_EQ(result.outcome, Outcome::kBadResponse) << result.error;
}

TEST(HttpInvokerTest, SendsHostAndContentTypeUnlessGiven) {
  std::promise<std::string> head;
  RawServer echo([&](int fd) {
    head.set_value(RawServer::ReadHead(fd));
    RawServer::SendAll(fd, "HTTP/1.1 204 No Content\r\n\r\n");
    RawServer::WaitForPeerClose(fd);
  });
  HttpInvoker invoker;
  HttpCall request = Request("http://127.0.0.1:" + std::to_string(echo.port()) + "/fn");
  request.headers.emplace_back("Content-Type", "text/plain");
  request.headers.emplace_back("X-Amz-Client-Context", "e30=");
  HttpCallResult result = InvokeAndWait(invoker, std::move(request)).result;
  ASSERT_EQ(result.outcome, Outcome::kResponse) << result.error;
  EXPECT_EQ(result.status, 204u);
  std::string sent = head.get_future().get();
  EXPECT_EQ(sent.rfind("POST /fn HTTP/1.1\r\n", 0), 0u) << sent;
  EXPECT_NE(sent.find("\r\nHost: 127.0.0.1:" + std::to_string(echo.port()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(sent.find("\r\nContent-Type: text/plain\r\n"), std::string::npos);
  EXPECT_EQ(sent.find("application/json"), std::string::npos);
  EXPECT_NE(sent.find("\r\nX-Amz-Client-Context: e30=\r\n"), std::string::npos);
  EXPECT_NE(sent.find("\r\nContent-Length: 2\r\n"), std::string::npos);
}

TEST(HttpInvokerTest, ReusesPooledConnection) {
  FunctionServer function;
  HttpInvoker invoker;
  for (int i = 0; i < 20; ++i) {
    HttpCallResult result =
        InvokeAndWait(invoker, Request(function.Url(), std::to_string(i))).result;
    ASSERT_EQ(result.outcome, Outcome::kResponse) << result.error;
  }
  EXPECT_EQ(invoker.TEST_connections_opened(), 1u);
  EXPECT_EQ(function.connections_accepted(), 1u);
}

TEST(HttpInvokerTest, ConnectionCloseIsNotPooled) {
  FunctionServer function;
  HttpInvoker invoker;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(InvokeAndWait(invoker, Request(function.Url("/close"))).result.outcome,
              Outcome::kResponse);
  }
  EXPECT_EQ(invoker.TEST_connections_opened(), 3u);
}

TEST(HttpInvokerTest, StalePooledConnectionIsRetriedOnAFreshOne) {
  ServerOptions options;
  options.idle_timeout = std::chrono::seconds(1);
  FunctionServer function(options);
  HttpInvoker invoker;
  ASSERT_EQ(InvokeAndWait(invoker, Request(function.Url())).result.outcome, Outcome::kResponse);
  std::this_thread::sleep_for(1500ms);  // the server has closed the pooled connection
  HttpCallResult result = InvokeAndWait(invoker, Request(function.Url(), "again")).result;
  ASSERT_EQ(result.outcome, Outcome::kResponse) << result.error;
  EXPECT_NE(result.body.find("again"), std::string::npos);
  EXPECT_EQ(invoker.TEST_connections_opened(), 2u);
}

TEST(HttpInvokerTest, InvalidUrlsAreReported) {
  HttpInvoker invoker;
  for (const char* url : {"https://127.0.0.1:9000/", "http://", "not a url", "http://h:0/"}) {
    Done done = InvokeAndWait(invoker, Request(url));
    EXPECT_EQ(done.result.outcome, Outcome::kInvalidUrl) << url;
    EXPECT_NE(done.thread, std::this_thread::get_id());
  }
}

TEST(HttpInvokerTest, ConcurrentInvokesOnSeveralThreads) {
  FunctionServer function;
  HttpInvoker invoker(2);
  constexpr int kCalls = 200;
  std::atomic<int> ok{0}, finished{0};
  std::promise<void> all;
  for (int i = 0; i < kCalls; ++i) {
    invoker.Invoke(Request(function.Url(), std::to_string(i)), [&, i](HttpCallResult result) {
      if (result.outcome == Outcome::kResponse && result.body.ends_with(" " + std::to_string(i))) {
        ++ok;
      }
      if (++finished == kCalls) all.set_value();
    });
  }
  all.get_future().wait();
  EXPECT_EQ(ok.load(), kCalls);
  EXPECT_LE(invoker.TEST_connections_opened(), static_cast<uint64_t>(kCalls));
}

TEST(HttpInvokerTest, StopFailsCallsInFlightAndAfter) {
  RawServer silent([](int fd) { RawServer::WaitForPeerClose(fd); });
  HttpInvoker invoker;
  std::promise<HttpCallResult> in_flight;
  invoker.Invoke(Request("http://127.0.0.1:" + std::to_string(silent.port()), "{}", 10000ms),
                 [&](HttpCallResult result) { in_flight.set_value(std::move(result)); });
  std::this_thread::sleep_for(100ms);
  const auto start = std::chrono::steady_clock::now();
  invoker.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  auto future = in_flight.get_future();
  ASSERT_EQ(future.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(future.get().outcome, Outcome::kConnectFailed);

  bool called = false;
  invoker.Invoke(Request("http://127.0.0.1:1/"), [&](HttpCallResult result) {
    called = true;
    EXPECT_EQ(result.outcome, Outcome::kConnectFailed);
  });
  EXPECT_TRUE(called);
}

// Figures for the report, not a test: median round trip through a pooled connection vs
// one fresh connection per call. Run with --gtest_also_run_disabled_tests.
TEST(HttpInvokerTest, DISABLED_RoundTripLatency) {
  FunctionServer function;
  HttpInvoker invoker;
  auto median = [&](const std::string& url) {
    std::vector<int64_t> samples;
    for (int i = 0; i < 3000; ++i) {
      HttpCallResult result = InvokeAndWait(invoker, Request(url, R"({"Records":[]})")).result;
      EXPECT_EQ(result.outcome, Outcome::kResponse);
      samples.push_back(result.elapsed.count());
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
  };
  median(function.Url());  // warm-up
  const int64_t pooled = median(function.Url());
  const int64_t fresh = median(function.Url("/close"));
  std::printf("invoke round trip median: pooled %lld us, fresh connection %lld us\n",
              static_cast<long long>(pooled), static_cast<long long>(fresh));
}

}  // namespace
}  // namespace streamstack::http
