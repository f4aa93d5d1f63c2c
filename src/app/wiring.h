// The wiring of each service into a running process. application.cc builds an AppContext,
// then calls every Wire* function below in order; each opens its schema (migrations),
// builds its service objects, registers its operations on the router and, if it runs
// background work, adds a stop hook. Private to the app module. Called on main's thread.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "streamstack/app/config.h"
#include "streamstack/common/clock.h"
#include "streamstack/common/function_log.h"
#include "streamstack/common/http_call.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/metrics.h"
#include "streamstack/common/status.h"
#include "streamstack/protocol/router.h"
#include "streamstack/storage/store.h"

namespace streamstack::dynamodb {
class TableStore;
}
namespace streamstack::http {
class Server;
}
namespace streamstack::streams {
class StreamStore;
}
namespace streamstack::sqs {
class QueueStore;
}
namespace streamstack::sns {
class TopicStore;
}
namespace streamstack::lambda {
class Functions;
class EventSourceMappings;
class InvokeService;
}  // namespace streamstack::lambda

namespace streamstack::app {

struct AppContext {
  const Config& config;
  AccountScope scope;
  Clock& clock;
  MetricsRegistry& metrics;
  storage::Store& store;
  protocol::Router& router;
  // Outbound HTTP POSTs (SNS HTTP subscriptions, functions behind HTTP).
  HttpCaller& http;
  // The HTTP server, bound (its port is known) but not yet serving.
  http::Server& server;
  // Service objects live as long as the process; owned here and destroyed last-made
  // first by ~AppContext (a later service may call an earlier one while it stops, e.g. the
  // delivery engine removes its listeners from the StreamStore).
  std::vector<std::shared_ptr<void>> owned;
  // Published by WireDynamoDb for the services wired after it (lambda, esm).
  streams::StreamStore* streams = nullptr;
  dynamodb::TableStore* tables = nullptr;
  // Run in reverse order on shutdown, after the HTTP server stopped, before storage closes.
  std::vector<std::function<void()>> stop_hooks;
  // Run when the HTTP server begins to stop, before it drains in-flight requests (on the
  // thread that asked it to stop); must not block.
  std::vector<std::function<void()>> stopping_hooks = {};

  // Set by WireLogs: where functions that run their own code write their logs.
  FunctionLogSink* function_logs = nullptr;

  // Set by WireSqs / WireSns: the on-failure destinations other services deliver to.
  sqs::QueueStore* queues = nullptr;
  sns::TopicStore* topics = nullptr;

  // Set by WireLambda: what the esm engine delivers for, and the Invoker that runs a
  // function on its target (HTTP or its own code).
  lambda::Functions* functions = nullptr;
  lambda::EventSourceMappings* mappings = nullptr;
  lambda::InvokeService* invoke = nullptr;
  Invoker* function_invoker = nullptr;

  // Called (on an HTTP thread) after the test clock moved forward, so services waiting on
  // Clock deadlines (batching windows, back-offs) look at them again. Must not block.
  std::vector<std::function<void()>> clock_advanced = {};

  ~AppContext() {
    while (!owned.empty()) owned.pop_back();
  }

  template <typename T>
  T* Own(std::shared_ptr<T> object) {
    owned.push_back(object);
    return object.get();
  }
};

// One per service, each in its own src/app/wire_<service>.cc.
// (Add yours here and call it from Application::Start.)
Status WireDynamoDb(AppContext& ctx);  // DynamoDB + DynamoDB Streams
Status WireSqs(AppContext& ctx);       // SQS (JSON + query protocols); sets ctx.queues
Status WireSns(AppContext& ctx);       // SNS; after WireSqs (delivers to its queues)
Status WireLogs(AppContext& ctx);      // CloudWatch Logs; sets ctx.function_logs
Status WireLambda(AppContext& ctx);    // Lambda: functions, Invoke, event source mappings;
                                       // after WireLogs (function logs go there)
Status WireEsm(AppContext& ctx);       // the delivery engine; after WireLambda, WireSqs, WireSns

}  // namespace streamstack::app
