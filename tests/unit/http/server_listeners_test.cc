// http::Server's extra listeners (AddListener / RemoveListener, HttpRequest::local_port):
// one loopback port per Lambda sandbox, served by the same handler, threads and limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "streamstack/http/server.h"
#include "test_socket.h"

namespace streamstack::http {
namespace {

using namespace std::chrono_literals;
using testing::BodyOf;
using testing::Get;
using testing::StatusOf;
using testing::TestSocket;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kNext = "/2018-06-01/runtime/invocation/next";

protocol::HttpResponse Text(unsigned status, std::string body) {
  protocol::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// What every answering handler here says: the port the request arrived on, in a form no
// other server on the machine would send.
std::string PortBody(uint16_t port) { return "local_port=" + std::to_string(port); }

void PortHandler(protocol::HttpRequest&& request, protocol::Responder respond) {
  respond(Text(200, PortBody(request.local_port)));
}

// Runs queued functions on one thread, in order: Responders called off the I/O threads.
class Deferred {
 public:
  Deferred() : thread_([this] { Loop(); }) {}
  ~Deferred() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Post(std::function<void()> fn) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(fn));
    }
    cv_.notify_all();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return done_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto fn = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool done_ = false;                        // guarded by mu_
  std::thread thread_;
};

// Responders a handler kept without answering (a long-poll), for the test to answer later.
class HeldResponders {
 public:
  void Hold(uint16_t port, protocol::Responder respond) {
    {
      std::lock_guard lock(mu_);
      held_.emplace_back(port, std::move(respond));
    }
    cv_.notify_all();
  }
  // Waits until `count` requests are held; false after 5 s.
  bool WaitFor(size_t count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return held_.size() >= count; });
  }
  // Answers (and forgets) every held request.
  void AnswerAll(const std::string& body) {
    std::vector<std::pair<uint16_t, protocol::Responder>> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& [port, respond] : held) respond(Text(200, body));
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<uint16_t, protocol::Responder>> held_;  // guarded by mu_
};

class ServerListenersTest : public ::testing::Test {
 protected:
  void StartServer(protocol::Handler handler, ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(options, std::move(handler));
    ASSERT_TRUE(server_->Start().ok());
    run_thread_ = std::thread([this] { server_->Run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (run_thread_.joinable()) run_thread_.join();
    server_.reset();
  }

  uint16_t Add() {
    Result<uint16_t> port = server_->AddListener("127.0.0.1", 0);
    EXPECT_TRUE(port.ok()) << port.status().message();
    return port.ok() ? *port : 0;
  }

  // The server's count of open connections reaches `count` within 2 s.
  bool OpenConnectionsReach(size_t count) {
    const auto until = SteadyClock::now() + 2s;
    while (server_->TEST_open_connections() != count) {
      if (SteadyClock::now() > until) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  std::unique_ptr<Server> server_;
  std::thread run_thread_;
};

TEST_F(ServerListenersTest, RequestsCarryThePortTheyArrivedOn) {
  StartServer(PortHandler);
  const uint16_t main_port = server_->port();
  const uint16_t first = Add();
  const uint16_t second = Add();
  ASSERT_NE(first, 0);
  ASSERT_NE(second, 0);
  EXPECT_NE(first, main_port);
  EXPECT_NE(first, second);
  for (uint16_t port : {main_port, first, second, first}) {
    TestSocket client(port);
    ASSERT_TRUE(client.connected()) << port;
    for (int i = 0; i < 2; ++i) {  // keep-alive: the second request carries it too
      ASSERT_TRUE(client.Send(Get(kNext)));
      std::string response = client.ReadResponse();
      EXPECT_EQ(StatusOf(response), 200u) << response;
      EXPECT_EQ(BodyOf(response), PortBody(port));
    }
  }
}

TEST_F(ServerListenersTest, RemovedPortRefusesAndCanBeBoundAgain) {
  StartServer(PortHandler);
  const uint16_t port = Add();
  ASSERT_NE(port, 0);
  server_->RemoveListener(port);
  // The listening socket is closed when RemoveListener returns.
  TestSocket refused(port);
  EXPECT_FALSE(refused.connected());
  Result<uint16_t> again = server_->AddListener("127.0.0.1", port);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, port);
  TestSocket client(port);
  ASSERT_TRUE(client.Send(Get("/")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), PortBody(port));
}

TEST_F(ServerListenersTest, AddListenerErrors) {
  ServerOptions options;
  options.port = 0;
  Server not_started(options, PortHandler);
  Result<uint16_t> early = not_started.AddListener("127.0.0.1", 0);
  EXPECT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), AwsError::kInternalFailure);

  StartServer(PortHandler);
  const uint16_t port = Add();
  // The port already has a listener: the main one, or an added one.
  EXPECT_FALSE(server_->AddListener("127.0.0.1", server_->port()).ok());
  Result<uint16_t> taken = server_->AddListener("127.0.0.1", port);
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.status().message().find(std::to_string(port)), std::string::npos)
      << taken.status().message();
  Result<uint16_t> bad_host = server_->AddListener("no-such-host.invalid", 0);
  EXPECT_FALSE(bad_host.ok());
  // None of that disturbed the existing listener.
  TestSocket client(port);
  ASSERT_TRUE(client.Send(Get("/")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), PortBody(port));
}

TEST_F(ServerListenersTest, RemoveListenerIgnoresUnknownAndMainPorts) {
  StartServer(PortHandler);
  const uint16_t port = Add();
  server_->RemoveListener(server_->port());  // the main port: only Stop() closes it
  server_->RemoveListener(1);                // never added
  server_->RemoveListener(port);
  server_->RemoveListener(port);  // twice
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send(Get("/")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), PortBody(server_->port()));
}

TEST_F(ServerListenersTest, AddListenerBeforeRunIsServedOnceRunning) {
  ServerOptions options;
  options.port = 0;
  server_ = std::make_unique<Server>(options, PortHandler);
  ASSERT_TRUE(server_->Start().ok());
  Result<uint16_t> port = server_->AddListener("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  run_thread_ = std::thread([this] { server_->Run(); });
  TestSocket client(*port);
  ASSERT_TRUE(client.Send(Get("/")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), PortBody(*port));
}

TEST_F(ServerListenersTest, RemoveListenerCutsPendingLongPollPromptly) {
  HeldResponders held;
  StartServer([&](protocol::HttpRequest&& request, protocol::Responder respond) {
    if (request.path() == kNext) return held.Hold(request.local_port, std::move(respond));
    PortHandler(std::move(request), std::move(respond));
  });
  const uint16_t doomed = Add();
  const uint16_t neighbour = Add();

  TestSocket long_poll(doomed);
  ASSERT_TRUE(long_poll.Send(Get(kNext)));
  TestSocket idle(doomed);  // a keep-alive connection between requests
  ASSERT_TRUE(idle.Send(Get("/")));
  EXPECT_EQ(BodyOf(idle.ReadResponse()), PortBody(doomed));
  TestSocket other_poll(neighbour);  // another sandbox's long-poll: untouched
  ASSERT_TRUE(other_poll.Send(Get(kNext)));
  ASSERT_TRUE(held.WaitFor(2));

  const auto removed_at = SteadyClock::now();
  server_->RemoveListener(doomed);
  EXPECT_TRUE(long_poll.WaitForClose());
  EXPECT_LT(SteadyClock::now() - removed_at, 1s);
  EXPECT_EQ(long_poll.pending(), "");  // closed without a response
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_LT(SteadyClock::now() - removed_at, 1s);
  ASSERT_TRUE(OpenConnectionsReach(1));  // other_poll

  // The sandbox's invocation arrives after all: its Responder is a no-op; the neighbour's
  // answers its own connection.
  held.AnswerAll("{\"event\":1}");
  std::string response = other_poll.ReadResponse();
  EXPECT_EQ(StatusOf(response), 200u) << response;
  EXPECT_EQ(BodyOf(response), "{\"event\":1}");
  TestSocket main_client(server_->port());
  ASSERT_TRUE(main_client.Send(Get("/")));
  EXPECT_EQ(BodyOf(main_client.ReadResponse()), PortBody(server_->port()));
}

TEST_F(ServerListenersTest, RemoveListenerRacingTheResponder) {
  // The invocation's answer and the sandbox's retirement race (the function finished just
  // as it was killed): the client gets the answer or a closed connection, nothing else.
  HeldResponders held;
  StartServer([&](protocol::HttpRequest&& request, protocol::Responder respond) {
    held.Hold(request.local_port, std::move(respond));
  });
  int answered = 0;
  for (int round = 0; round < 30; ++round) {
    const uint16_t port = Add();
    TestSocket client(port);
    ASSERT_TRUE(client.Send(Get(kNext)));
    ASSERT_TRUE(held.WaitFor(1));
    std::thread answer([&] { held.AnswerAll("done"); });
    server_->RemoveListener(port);
    answer.join();
    std::string response = client.ReadResponse();
    if (!response.empty()) {
      EXPECT_EQ(BodyOf(response), "done");
      ++answered;
    }
    EXPECT_TRUE(client.WaitForClose());
  }
  EXPECT_TRUE(OpenConnectionsReach(0));
  std::printf("answered before the cut: %d of 30\n", answered);
}

TEST_F(ServerListenersTest, RemoveListenerRacingAnArrivingLongPoll) {
  // The sandbox's next long-poll arrives just as the sandbox is retired, and is never
  // answered: whichever wins, the connection must close at once, not at handler_timeout.
  HeldResponders held;
  StartServer([&](protocol::HttpRequest&& request, protocol::Responder respond) {
    held.Hold(request.local_port, std::move(respond));
  });
  for (int round = 0; round < 100; ++round) {
    const uint16_t port = Add();
    TestSocket client(port);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(OpenConnectionsReach(1));  // accepted: the race is the request's, not accept's
    std::thread send([&] { client.Send(Get(kNext)); });
    if (round % 2) std::this_thread::sleep_for(std::chrono::microseconds(round * 3));
    server_->RemoveListener(port);
    send.join();
    EXPECT_TRUE(client.WaitForClose());
    ASSERT_TRUE(OpenConnectionsReach(0)) << "round " << round;
  }
  held.AnswerAll("late");  // every one of them a no-op
}

TEST_F(ServerListenersTest, RemoveListenerFromInsideItsOwnHandler) {
  // A handler may retire the sandbox it is serving (e.g. on /init/error).
  StartServer([&](protocol::HttpRequest&& request, protocol::Responder respond) {
    if (request.path() == "/retire") server_->RemoveListener(request.local_port);
    PortHandler(std::move(request), std::move(respond));
  });
  const uint16_t port = Add();
  TestSocket client(port);
  ASSERT_TRUE(client.Send(Get("/retire")));
  EXPECT_TRUE(client.WaitForClose());  // the answer may or may not make it out first
  TestSocket refused(port);
  EXPECT_FALSE(refused.connected());
  EXPECT_TRUE(OpenConnectionsReach(0));
}

TEST_F(ServerListenersTest, HandlerTimeoutAppliesOnAddedListeners) {
  ServerOptions options;
  options.handler_timeout = 1s;
  HeldResponders held;
  StartServer(
      [&](protocol::HttpRequest&& request, protocol::Responder respond) {
        held.Hold(request.local_port, std::move(respond));
      },
      options);
  TestSocket client(Add());
  const auto start = SteadyClock::now();
  ASSERT_TRUE(client.Send(Get(kNext)));
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_GE(SteadyClock::now() - start, 900ms);
  EXPECT_EQ(client.pending(), "");
  held.AnswerAll("too late");  // no-op
}

TEST_F(ServerListenersTest, FiftyListenersAddedAndRemovedUnderLoad) {
  Deferred deferred;
  HeldResponders held;
  StartServer([&](protocol::HttpRequest&& request, protocol::Responder respond) {
    if (request.path() == kNext) return held.Hold(request.local_port, std::move(respond));
    if (request.path() == "/async") {
      return deferred.Post([respond = std::move(respond), port = request.local_port] {
        respond(Text(200, PortBody(port)));
      });
    }
    PortHandler(std::move(request), std::move(respond));
  });
  const uint16_t main_port = server_->port();

  std::mutex live_mu;
  std::vector<uint16_t> live;  // guarded by live_mu
  std::atomic<bool> done{false};
  std::atomic<int> added{0}, removed{0}, ok_added{0}, ok_main{0}, wrong{0}, cut{0}, refused{0};

  // Clients: a random live port (sometimes the main one), a few keep-alive requests each.
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&, c] {
      std::mt19937 rng(c);
      for (int n = 0; !done.load(); ++n) {
        uint16_t port = main_port;
        {
          std::lock_guard lock(live_mu);
          if (!live.empty() && n % 8 != 0) port = live[rng() % live.size()];
        }
        TestSocket client(port, 3000ms);
        if (!client.connected()) {
          ++refused;  // removed since we picked it
          continue;
        }
        for (int i = 0; i < 4; ++i) {
          // Client 0 long-polls now and then: held until its port is removed.
          const bool poll = c == 0 && port != main_port && i == 0 && n % 4 == 0;
          if (!client.Send(Get(poll ? kNext : (i % 2 ? "/async" : "/sync")))) break;
          std::string response = client.ReadResponse();
          if (response.empty()) {
            ++cut;
            break;
          }
          const std::string body = BodyOf(response);
          if (body.rfind("local_port=", 0) != 0) continue;  // not ours (a reused port)
          if (body != PortBody(port)) {
            ++wrong;
          } else if (port == main_port) {
            ++ok_main;
          } else {
            ++ok_added;
          }
        }
      }
    });
  }

  // Managers: 5 threads x 10 listeners, each added, served for a moment, then a random
  // live one removed: adds and removes interleave across threads.
  std::vector<std::thread> managers;
  for (int m = 0; m < 5; ++m) {
    managers.emplace_back([&, m] {
      std::mt19937 rng(100 + m);
      for (int i = 0; i < 10; ++i) {
        Result<uint16_t> port = server_->AddListener("127.0.0.1", 0);
        if (!port.ok()) {
          ADD_FAILURE() << port.status().message();
          continue;
        }
        ++added;
        {
          std::lock_guard lock(live_mu);
          live.push_back(*port);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10 + rng() % 30));
        uint16_t victim = 0;
        {
          std::lock_guard lock(live_mu);
          if (live.size() > 3) {
            const size_t at = rng() % live.size();
            victim = live[at];
            live.erase(live.begin() + static_cast<std::ptrdiff_t>(at));
          }
        }
        if (victim != 0) {
          server_->RemoveListener(victim);
          ++removed;
        }
      }
    });
  }
  for (auto& thread : managers) thread.join();
  std::this_thread::sleep_for(100ms);  // the last few get some traffic too
  {
    // The rest go concurrently as well.
    std::vector<uint16_t> rest;
    {
      std::lock_guard lock(live_mu);
      rest.swap(live);
    }
    std::vector<std::thread> removers;
    for (size_t r = 0; r < 4; ++r) {
      removers.emplace_back([&, r] {
        for (size_t i = r; i < rest.size(); i += 4) {
          server_->RemoveListener(rest[i]);
          ++removed;
        }
      });
    }
    for (auto& thread : removers) thread.join();
  }
  done = true;
  for (auto& thread : clients) thread.join();

  EXPECT_EQ(added.load(), 50);
  EXPECT_EQ(removed.load(), 50);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(ok_added.load(), 100);
  EXPECT_GT(ok_main.load(), 0);
  std::printf("ok on added ports %d, on main %d; cut %d; refused %d\n", ok_added.load(),
              ok_main.load(), cut.load(), refused.load());
  // Every connection of a removed port is gone; late answers to their long-polls are no-ops.
  EXPECT_TRUE(OpenConnectionsReach(0)) << server_->TEST_open_connections();
  held.AnswerAll("late");
  TestSocket client(main_port);
  ASSERT_TRUE(client.Send(Get("/sync")));
  EXPECT_EQ(BodyOf(client.ReadResponse()), PortBody(main_port));
}

TEST_F(ServerListenersTest, StopClosesEveryListenerPromptly) {
  HeldResponders held;
  Deferred deferred;
  StartServer([&](protocol::HttpRequest&& request, protocol::Responder respond) {
    if (request.path() == "/slow") {
      return deferred.Post([respond = std::move(respond), port = request.local_port] {
        std::this_thread::sleep_for(200ms);
        respond(Text(200, PortBody(port)));
      });
    }
    PortHandler(std::move(request), std::move(respond));
  });
  std::vector<uint16_t> ports;
  std::vector<std::unique_ptr<TestSocket>> idle;
  for (int i = 0; i < 10; ++i) {
    ports.push_back(Add());
    idle.push_back(std::make_unique<TestSocket>(ports.back()));
    ASSERT_TRUE(idle.back()->Send(Get("/")));
    EXPECT_EQ(BodyOf(idle.back()->ReadResponse()), PortBody(ports.back()));
  }
  TestSocket busy(ports.front());  // in flight on an extra port: finishes, as on the main one
  ASSERT_TRUE(busy.Send(Get("/slow")));
  std::this_thread::sleep_for(50ms);

  const auto stop_at = SteadyClock::now();
  server_->Stop();
  for (auto& socket : idle) EXPECT_TRUE(socket->WaitForClose());
  EXPECT_LT(SteadyClock::now() - stop_at, 500ms);
  std::string response = busy.ReadResponse();
  EXPECT_EQ(BodyOf(response), PortBody(ports.front()));
  EXPECT_NE(response.find("Connection: close"), std::string::npos) << response;
  run_thread_.join();
  EXPECT_LT(SteadyClock::now() - stop_at, 1s);
  for (uint16_t port : ports) {
    // Refused. (If it connects, another process on this machine has bound the freed port
    // since: it answers. Our listener, were it still open, could not: Run() has returned.)
    TestSocket late(port, 1000ms);
    if (late.connected()) {
      EXPECT_TRUE(late.Send(Get("/")) && !late.ReadResponse().empty()) << port;
    }
  }
  // After Stop: AddListener fails cleanly, RemoveListener is harmless.
  Result<uint16_t> after = server_->AddListener("127.0.0.1", 0);
  EXPECT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), AwsError::kInternalFailure);
  server_->RemoveListener(ports.back());
}

TEST_F(ServerListenersTest, AddListenerRightAfterStopFails) {
  // Stop() has not run its I/O-side work yet; AddListener must still refuse.
  StartServer(PortHandler);
  server_->Stop();
  Result<uint16_t> port = server_->AddListener("127.0.0.1", 0);
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message().find("stopping"), std::string::npos);
}

TEST(ServerListenersLifecycleTest, DestroyWithListenersWithoutRun) {
  ServerOptions options;
  options.port = 0;
  Server server(options, PortHandler);
  ASSERT_TRUE(server.Start().ok());
  Result<uint16_t> port = server.AddListener("127.0.0.1", 0);
  ASSERT_TRUE(port.ok());
  TestSocket client(*port);  // accepted by the kernel, never served
}

}  // namespace
}  // namespace streamstack::http
