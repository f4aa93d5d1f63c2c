#include "streamstack/app/application.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "app/wiring.h"
#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/logging.h"
#include "streamstack/common/metrics.h"
#include "streamstack/http/invoker.h"
#include "streamstack/http/server.h"
#include "streamstack/protocol/router.h"
#include "streamstack/storage/store.h"

namespace streamstack::app {

struct Application::State {
  Config config;
  AccountScope scope;
  // Wall time; tests (STREAMSTACK_TEST_CLOCK=1) may move it forward through
  // GET /_streamstack/clock/advance?ms=N instead of sleeping.
  OffsetClock clock;
  MetricsRegistry metrics;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<protocol::Router> router;
  std::unique_ptr<http::HttpInvoker> invoker;
  std::unique_ptr<AppContext> services;  // after store/router/invoker: destroyed before them
  std::unique_ptr<http::Server> server;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

namespace {

protocol::HttpResponse HealthResponse(const protocol::Router& router, const AccountScope& scope) {
  nlohmann::json services = nlohmann::json::object();
  for (const auto& s : router.Services()) services[s.name] = s.state;
  nlohmann::json body = {{"status", "running"},
                         {"version", Version()},
                         {"services", services},
                         {"region", scope.region},
                         {"account_id", scope.account_id}};
  protocol::HttpResponse resp;
  resp.headers.Set("Content-Type", "application/json");
  resp.body = body.dump();
  return resp;
}

protocol::HttpResponse MetricsResponse(const MetricsRegistry& metrics) {
  protocol::HttpResponse resp;
  resp.headers.Set("Content-Type", "text/plain; version=0.0.4");
  resp.body = metrics.RenderPrometheus();
  return resp;
}

}  // namespace

Application::Application(Config config) : state_(std::make_unique<State>()) {
  state_->config = std::move(config);
  state_->scope = {state_->config.region, state_->config.account_id};
}

Application::~Application() = default;

Status Application::Start() {
  Status started = StartServices();
  // A start that failed half way (a taken port, an unusable data directory) stops what it
  // had started, in the same order as a normal stop, so the process exits cleanly.
  if (!started.ok()) StopServices();
  return started;
}

Status Application::StartServices() {
  State& s = *state_;
  storage::StoreOptions store_options;
  store_options.in_memory = s.config.in_memory;
  if (!s.config.in_memory) {
    std::error_code ec;
    std::filesystem::create_directories(s.config.data_dir, ec);
    if (ec) {
      return Status(AwsError::kInternalFailure,
                    "cannot create data directory " + s.config.data_dir + ": " + ec.message());
    }
    store_options.path = (std::filesystem::path(s.config.data_dir) / "streamstack.db").string();
  }
  STREAMSTACK_ASSIGN_OR_RETURN(auto store, storage::Store::Open(store_options));
  s.store = std::move(store);

  s.router = std::make_unique<protocol::Router>(&s.metrics, s.config.region);
  s.router->AddGet(
      "/health", [&s](const protocol::HttpRequest&) { return HealthResponse(*s.router, s.scope); });
  s.router->AddGet("/_localstack/health", [&s](const protocol::HttpRequest&) {
    return HealthResponse(*s.router, s.scope);
  });
  s.router->AddGet("/metrics",
                   [&s](const protocol::HttpRequest&) { return MetricsResponse(s.metrics); });

  if (const char* test_clock = std::getenv("STREAMSTACK_TEST_CLOCK");
      test_clock != nullptr && std::string(test_clock) == "1") {
    spdlog::warn("test clock enabled: GET /_streamstack/clock/advance?ms=N moves time forward");
    s.router->AddGet("/_streamstack/clock/advance", [&s](const protocol::HttpRequest& request) {
      int64_t ms = 0;
      for (const auto& [k, v] : protocol::ParseFormEncoded(request.query())) {
        if (k == "ms") ms = std::strtoll(v.c_str(), nullptr, 10);
      }
      s.clock.Advance(Millis(ms));
      if (s.services) {
        for (const auto& hook : s.services->clock_advanced) hook();
      }
      protocol::HttpResponse resp;
      resp.headers.Set("Content-Type", "application/json");
      resp.body = nlohmann::json{{"now_ms", s.clock.NowMillis()}}.dump();
      return resp;
    });
  }

  // The port is bound before the services are wired: they learn the address they serve on
  // (functions get it as AWS_ENDPOINT_URL), and nothing is served before Run().
  http::ServerOptions server_options;
  server_options.host = s.config.host;
  server_options.port = s.config.port;
  server_options.io_threads = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  server_options.on_stop = [&s] {
    if (s.services) {
      for (const auto& hook : s.services->stopping_hooks) hook();
    }
  };
  protocol::Router* router = s.router.get();
  s.server = std::make_unique<http::Server>(
      server_options, [router](protocol::HttpRequest&& request, protocol::Responder respond) {
        router->Handle(std::move(request), std::move(respond));
      });
  STREAMSTACK_RETURN_IF_ERROR(s.server->Start());

  s.invoker = std::make_unique<http::HttpInvoker>();
  s.services = std::make_unique<AppContext>(AppContext{.config = s.config,
                                                       .scope = s.scope,
                                                       .clock = s.clock,
                                                       .metrics = s.metrics,
                                                       .store = *s.store,
                                                       .router = *s.router,
                                                       .http = *s.invoker,
                                                       .server = *s.server,
                                                       .owned = {},
                                                       .stop_hooks = {}});
  // Services, in dependency order (each Wire* is in src/app/wire_<service>.cc).
  STREAMSTACK_RETURN_IF_ERROR(WireDynamoDb(*s.services));
  STREAMSTACK_RETURN_IF_ERROR(WireSqs(*s.services));
  STREAMSTACK_RETURN_IF_ERROR(WireSns(*s.services));
  STREAMSTACK_RETURN_IF_ERROR(WireLogs(*s.services));
  STREAMSTACK_RETURN_IF_ERROR(WireLambda(*s.services));
  STREAMSTACK_RETURN_IF_ERROR(WireEsm(*s.services));

  return Status::Ok();
}

uint16_t Application::port() const { return state_->server ? state_->server->port() : 0; }

int Application::Run() {
  State& s = *state_;
  s.server->StopOnSignals();
  auto ready_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - s.started)
                      .count();
  spdlog::info("streamstack {} listening on http://{}:{} ({}; region {}, account {}) in {} us",
               Version(), s.config.host, s.server->port(),
               s.config.in_memory ? "in memory" : "data in " + s.config.data_dir, s.config.region,
               s.config.account_id, ready_us);
  s.server->Run();  // returns once stopped and in-flight requests are answered
  if (!StopServices()) return 1;
  spdlog::info("stopped cleanly");
  return 0;
}

bool Application::StopServices() {
  State& s = *state_;
  if (s.services) {
    for (auto it = s.services->stop_hooks.rbegin(); it != s.services->stop_hooks.rend(); ++it) {
      (*it)();
    }
    s.services->stop_hooks.clear();
  }
  if (s.invoker) s.invoker->Stop();
  s.server.reset();
  s.services.reset();  // the services go before the storage they use
  if (!s.store) return true;
  spdlog::info("stopping: closing storage");
  Status closed = s.store->Close();
  if (!closed.ok()) {
    spdlog::error("closing storage failed: {}", closed.message());
    return false;
  }
  return true;
}

void Application::Stop() {
  if (state_->server) state_->server->Stop();
}

}  // namespace streamstack::app
