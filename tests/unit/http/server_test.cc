#include "streamstack/http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "test_socket.h"

namespace streamstack::http {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::Get;
using testing::Post;
using testing::StatusOf;
using testing::TestSocket;

protocol::HttpResponse Text(unsigned status, std::string body) {
  protocol::HttpResponse response;
  response.status = status;
  response.headers.Add("Content-Type", "application/x-amz-json-1.0");
  response.body = std::move(body);
  return response;
}

// Echoes "METHOD TARGET BODY" synchronously, inside the handler call.
void EchoHandler(protocol::HttpRequest&& request, protocol::Responder respond) {
  respond(Text(200, request.method + " " + request.target + " " + request.body));
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(protocol::Handler handler, ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(options, std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
    run_thread_ = std::thread([this] {
      server_->Run();
      run_returned_ = true;
    });
  }

  void StopServer() {
    if (!server_) return;
    server_->Stop();
    if (run_thread_.joinable()) run_thread_.join();
  }

  void TearDown() override {
    StopServer();
    server_.reset();
    for (auto& thread : workers_) thread.join();
  }

  // Runs `fn` on a thread joined at the end of the test.
  void Later(std::function<void()> fn) {
    std::lock_guard lock(workers_mu_);
    workers_.emplace_back(std::move(fn));
  }

  uint16_t port() const { return server_->port(); }

  std::unique_ptr<Server> server_;
  std::thread run_thread_;
  std::atomic<bool> run_returned_{false};
  std::mutex workers_mu_;
  std::vector<std::thread> workers_;
};

TEST_F(ServerTest, SynchronousHandlerAnswers) {
  StartServer(EchoHandler);
  TestSocket client(port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Post("/a?b=c", "{\"x\":1}")));
  std::string response = client.ReadResponse();
  EXPECT_EQ(StatusOf(response), 200u) << response;
  EXPECT_EQ(BodyOf(response), "POST /a?b=c {\"x\":1}");
  EXPECT_NE(response.find("\r\nServer: StreamStack\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\nx-amzn-RequestId: "), std::string::npos) << response;
  EXPECT_NE(response.find("\r\nContent-Length: 19\r\n"), std::string::npos) << response;
  EXPECT_NE(response.find("\r\nContent-Type: application/x-amz-json-1.0\r\n"), std::string::npos);
}

TEST_F(ServerTest, HandlerSeesHeadersAndRemote) {
  std::promise<protocol::HttpRequest> seen;
  StartServer([&](protocol::HttpRequest&& request, protocol::Responder respond) {
    seen.set_value(request);
    respond(Text(200, ""));
  });
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Post("/", "hi", "X-Amz-Target: DynamoDB_20120810.ListTables\r\n")));
  EXPECT_EQ(StatusOf(client.ReadResponse()), 200u);
  protocol::HttpRequest request = seen.get_future().get();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body, "hi");
  EXPECT_EQ(request.headers.Get("x-amz-target"), "DynamoDB_20120810.ListTables");
  EXPECT_EQ(request.remote.rfind("127.0.0.1:", 0), 0u) << request.remote;
}

TEST_F(ServerTest, ResponderCalledLaterFromAnotherThread) {
  StartServer([this](protocol::HttpRequest&& request, protocol::Responder respond) {
    Later([body = request.body, respond = std::move(respond)] {
      std::this_thread::sleep_for(50ms);
      respond(Text(202, "later:" + body));
    });
  });
  TestSocket client(port());
  for (int i = 0; i < 3; ++i) {  // and the connection stays usable after a parked wait
    ASSERT_TRUE(client.Send(Post("/", std::to_string(i))));
    std::string response = client.ReadResponse();
    EXPECT_EQ(StatusOf(response), 202u) << response;
    EXPECT_EQ(BodyOf(response), "later:" + std::to_string(i));
  }
}

TEST_F(ServerTest, ResponderCalledFromAnotherThreadWhileHandlerRuns) {
  // The Responder may race the handler's return; every interleaving must answer once.
  StartServer([](protocol::HttpRequest&& request, protocol::Responder respond) {
    std::thread([&] { respond(Text(200, request.body)); }).join();
  });
  TestSocket client(port());
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(client.Send(Post("/", std::to_string(i))));
    EXPECT_EQ(BodyOf(client.ReadResponse()), std::to_string(i));
  }
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer(EchoHandler);
  TestSocket client(port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Send(Get("/r" + std::to_string(i))));
    std::string response = client.ReadResponse();
    EXPECT_EQ(BodyOf(response), "GET /r" + std::to_string(i) + " ");
    EXPECT_EQ(response.find("Connection: close"), std::string::npos);
  }
  // Pipelined: two requests in one write, answered in order.
  ASSERT_TRUE(client.Send(Get("/p1") + Post("/p2", "b")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), "GET /p1 ");
  EXPECT_EQ(BodyOf(client.ReadResponse()), "POST /p2 b");
  EXPECT_EQ(server_->TEST_open_connections(), 1u);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer(EchoHandler);
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Get("/", "Connection: close\r\n")));
  std::string response = client.ReadResponse();
  EXPECT_EQ(StatusOf(response), 200u);
  EXPECT_NE(response.find("\r\nConnection: close\r\n"), std::string::npos) << response;
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveAsked) {
  StartServer(EchoHandler);
  {
    TestSocket client(port());
    ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
    std::string response = client.ReadResponse();
    EXPECT_EQ(response.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << response;
    EXPECT_TRUE(client.WaitForClose());
  }
  {
    TestSocket client(port());
    ASSERT_TRUE(client.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    std::string response = client.ReadResponse();
    EXPECT_NE(response.find("\r\nConnection: keep-alive\r\n"), std::string::npos) << response;
    ASSERT_TRUE(client.Send("GET /b HTTP/1.0\r\n\r\n"));
    EXPECT_EQ(BodyOf(client.ReadResponse()), "GET /b ");
    EXPECT_TRUE(client.WaitForClose());
  }
}

TEST_F(ServerTest, ChunkedRequestBody) {
  StartServer(EchoHandler);
  TestSocket client(port());
  ASSERT_TRUE(
      client.Send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  EXPECT_EQ(BodyOf(client.ReadResponse()), "POST /c abcde");
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  StartServer(EchoHandler);
  TestSocket client(port());
  ASSERT_TRUE(client.Send(
      "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(client.ReadResponse(), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.Send("body"));
  EXPECT_EQ(BodyOf(client.ReadResponse()), "POST /e body");
}

TEST_F(ServerTest, HandlerHeadersWinExceptFraming) {
  StartServer([](protocol::HttpRequest&&, protocol::Responder respond) {
    protocol::HttpResponse response = Text(200, "abc");
    response.headers.Add("x-amzn-RequestId", "fixed-id");
    response.headers.Add("Server", "Custom");
    response.headers.Add("Content-Length", "999");  // wrong: ours replaces it
    response.headers.Add("X-Bad", "a\r\nInjected: yes");
    respond(std::move(response));
  });
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Get("/")));
  std::string response = client.ReadResponse();
  EXPECT_NE(response.find("\r\nx-amzn-RequestId: fixed-id\r\n"), std::string::npos);
  EXPECT_EQ(response.find("x-amzn-RequestId", response.find("fixed-id")), std::string::npos);
  EXPECT_NE(response.find("\r\nServer: Custom\r\n"), std::string::npos);
  EXPECT_EQ(response.find("StreamStack"), std::string::npos);
  EXPECT_NE(response.find("\r\nContent-Length: 3\r\n"), std::string::npos) << response;
  EXPECT_EQ(response.find("999"), std::string::npos);
  EXPECT_EQ(response.find("Injected"), std::string::npos);
  EXPECT_EQ(BodyOf(response), "abc");
}

TEST_F(ServerTest, HandlerCloseFlagClosesConnection) {
  StartServer([](protocol::HttpRequest&&, protocol::Responder respond) {
    protocol::HttpResponse response = Text(400, "x");
    response.close = true;
    respond(std::move(response));
  });
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Get("/")));
  EXPECT_NE(client.ReadResponse().find("Connection: close"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerTest, BodyOverLimitGets413AndClose) {
  std::atomic<int> calls{0};
  ServerOptions options;
  options.body_limit = 1024;
  StartServer(
      [&](protocol::HttpRequest&& r, protocol::Responder respond) {
        ++calls;
        EchoHandler(std::move(r), std::move(respond));
      },
      options);
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Post("/", std::string(1024, 'a'))));  // at the limit: fine
  EXPECT_EQ(StatusOf(client.ReadResponse()), 200u);
  ASSERT_TRUE(client.Send(Post("/", std::string(64 * 1024, 'a'))));
  std::string response = client.ReadResponse();
  EXPECT_EQ(StatusOf(response), 413u) << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(ServerTest, ChunkedBodyOverLimitGets413) {
  ServerOptions options;
  options.body_limit = 100;
  StartServer(EchoHandler, options);
  TestSocket client(port());
  std::string chunk(80, 'z');
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" +
                          chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n"));
  EXPECT_EQ(StatusOf(client.ReadResponse()), 413u);
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerTest, GarbageGets400AndCloseWhileOthersAreServed) {
  StartServer(EchoHandler);
  TestSocket bystander(port());
  ASSERT_TRUE(bystander.Send(Get("/before")));
  EXPECT_EQ(StatusOf(bystander.ReadResponse()), 200u);

  TestSocket garbage(port());
  // A TLS ClientHello's first bytes (NULs included), then text: the literal's every byte.
  static constexpr char kGarbage[] =
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n";
  ASSERT_TRUE(garbage.Send(std::string(kGarbage, sizeof kGarbage - 1)));
  std::string response = garbage.ReadResponse();
  EXPECT_EQ(StatusOf(response), 400u) << response;
  EXPECT_TRUE(garbage.WaitForClose());

  TestSocket bad_line(port());
  ASSERT_TRUE(bad_line.Send("HELLO\r\n\r\n"));
  EXPECT_EQ(StatusOf(bad_line.ReadResponse()), 400u);

  TestSocket second(port());
  ASSERT_TRUE(second.Send(Get("/after")));
  EXPECT_EQ(BodyOf(second.ReadResponse()), "GET /after ");
  ASSERT_TRUE(bystander.Send(Get("/again")));
  EXPECT_EQ(BodyOf(bystander.ReadResponse()), "GET /again ");
}

TEST_F(ServerTest, HalfSentRequestIsClosedAtRequestTimeout) {
  ServerOptions options;
  options.request_timeout = 1s;
  StartServer(EchoHandler, options);
  TestSocket client(port());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"));
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(client.Send("de"));  // trickling does not extend the deadline
  EXPECT_TRUE(client.WaitForClose());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
  EXPECT_EQ(client.pending(), "");  // closed without a response
}

TEST_F(ServerTest, IdleKeepAliveConnectionClosedAtIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = 1s;
  StartServer(EchoHandler, options);
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Get("/")));
  EXPECT_EQ(StatusOf(client.ReadResponse()), 200u);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 900ms);
}

TEST_F(ServerTest, ClientLeavingMidResponseDoesNotHurtOthers) {
  StartServer([](protocol::HttpRequest&& request, protocol::Responder respond) {
    respond(Text(200, request.target == "/big" ? std::string(32 << 20, 'x') : "small"));
  });
  for (int i = 0; i < 3; ++i) {
    TestSocket leaver(port());
    ASSERT_TRUE(leaver.Send(Get("/big")));
    char buf[100];
    ASSERT_GT(::recv(leaver.fd(), buf, sizeof(buf), 0), 0);
    // ~TestSocket closes with most of the 32 MiB unread: the server sees a reset.
  }
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Get("/small")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), "small");
}

TEST_F(ServerTest, StopDeliversInFlightResponseThenRunReturns) {
  std::promise<void> entered;
  StartServer([&](protocol::HttpRequest&& request, protocol::Responder respond) {
    if (request.method == "GET") return respond(Text(200, "quick"));
    entered.set_value();
    Later([respond = std::move(respond)] {
      std::this_thread::sleep_for(500ms);
      respond(Text(200, "slow but delivered"));
    });
  });
  TestSocket idle(port());  // an idle keep-alive connection: closed by Stop at once
  ASSERT_TRUE(idle.Send(Get("/")));
  EXPECT_EQ(StatusOf(idle.ReadResponse()), 200u);

  TestSocket busy(port());
  ASSERT_TRUE(busy.Send(Post("/", "work")));
  entered.get_future().wait();
  const auto stop_at = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 400ms);  // before the slow one

  std::string response = busy.ReadResponse();
  EXPECT_EQ(StatusOf(response), 200u) << response;
  EXPECT_EQ(BodyOf(response), "slow but delivered");
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(busy.WaitForClose());
  run_thread_.join();
  EXPECT_TRUE(run_returned_);
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, 3s);
  // No new connections after Stop.
  TestSocket late(port());
  EXPECT_FALSE(late.connected() && late.Send(Get("/")) && !late.ReadResponse().empty());
}

TEST_F(ServerTest, NeverCalledResponderIsCutAfterShutdownGrace) {
  ServerOptions options;
  options.shutdown_grace = 1s;
  std::mutex mu;
  std::vector<protocol::Responder> kept;
  std::promise<void> entered;
  StartServer(
      [&](protocol::HttpRequest&&, protocol::Responder respond) {
        std::lock_guard lock(mu);
        kept.push_back(std::move(respond));  // never called while the server runs
        entered.set_value();
      },
      options);
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Get("/")));
  entered.get_future().wait();
  const auto stop_at = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_TRUE(client.WaitForClose());
  run_thread_.join();
  const auto elapsed = std::chrono::steady_clock::now() - stop_at;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 4s);
  EXPECT_EQ(client.pending(), "");
  server_.reset();
  // A Responder called after its connection (and the server) is gone is a no-op.
  std::lock_guard lock(mu);
  kept.front()(Text(200, "too late"));
}

TEST_F(ServerTest, HandlerTimeoutClosesConnection) {
  ServerOptions options;
  options.handler_timeout = 1s;
  protocol::Responder kept;
  std::mutex mu;
  StartServer(
      [&](protocol::HttpRequest&&, protocol::Responder respond) {
        std::lock_guard lock(mu);
        kept = std::move(respond);
      },
      options);
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Get("/")));
  EXPECT_TRUE(client.WaitForClose());
  std::lock_guard lock(mu);
  kept(Text(200, "too late"));  // no-op, no crash
  TestSocket next(port());
  EXPECT_TRUE(next.connected());
}

TEST(ServerLifecycleTest, StopBeforeRunMakesRunReturn) {
  ServerOptions options;
  options.port = 0;
  Server server(options, EchoHandler);
  ASSERT_TRUE(server.Start().ok());
  server.Stop();
  server.Stop();  // idempotent
  const auto start = std::chrono::steady_clock::now();
  server.Run();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(ServerLifecycleTest, DestroyWithoutRun) {
  ServerOptions options;
  options.port = 0;
  Server server(options, EchoHandler);
  ASSERT_TRUE(server.Start().ok());
  TestSocket client(server.port());  // accepted by the kernel, never served
}

TEST_F(ServerTest, StopFromInsideHandler) {
  StartServer([this](protocol::HttpRequest&&, protocol::Responder respond) {
    server_->Stop();
    respond(Text(200, "bye"));
  });
  TestSocket client(port());
  ASSERT_TRUE(client.Send(Get("/")));
  std::string response = client.ReadResponse();
  EXPECT_EQ(BodyOf(response), "bye");
  EXPECT_TRUE(client.WaitForClose());
  run_thread_.join();
}

TEST_F(ServerTest, StartFailsOnPortInUse) {
  StartServer(EchoHandler);
  ServerOptions options;
  options.port = port();
  Server second(options, EchoHandler);
  Status status = second.Start();
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("bind"), std::string::npos) << status.message();
  second.Run();  // returns at once: not started
}

TEST_F(ServerTest, MaxConnectionsRefusesExtraConnections) {
  ServerOptions options;
  options.max_connections = 1;
  StartServer(EchoHandler, options);
  TestSocket first(port());
  ASSERT_TRUE(first.Send(Get("/")));
  EXPECT_EQ(StatusOf(first.ReadResponse()), 200u);
  TestSocket second(port());
  EXPECT_TRUE(second.WaitForClose());
  ASSERT_TRUE(first.Send(Get("/")));
  EXPECT_EQ(StatusOf(first.ReadResponse()), 200u);
}

TEST_F(ServerTest, ManyConcurrentClientsOnTwoThreads) {
  StartServer([this](protocol::HttpRequest&& request, protocol::Responder respond) {
    if (request.target == "/async") {
      Later([respond = std::move(respond), body = request.body] { respond(Text(200, body)); });
    } else {
      respond(Text(200, request.body));
    }
  });
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      TestSocket client(port());
      for (int i = 0; i < 200; ++i) {
        const std::string body = std::to_string(c) + "-" + std::to_string(i);
        client.Send(Post(i % 20 == 0 ? "/async" : "/", body));
        if (BodyOf(client.ReadResponse()) == body) ++ok;
      }
    });
  }
  for (auto& thread : clients) thread.join();
  EXPECT_EQ(ok.load(), 8 * 200);
}

}  // namespace
}  // namespace streamstack::http
