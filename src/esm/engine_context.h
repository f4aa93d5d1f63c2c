// esm (private): what every mapping's runtime shares with the engine: the collaborators the
// engine was built with, its io_context and its stop flag, and the engine's options. Built
// once by DeliveryEngine; constant afterwards except `stopped`. Any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <string>
#include <utility>

#include "streamstack/common/clock.h"
#include "streamstack/common/destination.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/metrics.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/esm/engine.h"
#include "streamstack/esm/record_source.h"

namespace streamstack::esm {

namespace asio = boost::asio;
// A mapping's strand: everything of one mapping runs on it, one handler at a time.
using Strand = asio::strand<asio::io_context::executor_type>;

class MappingRuntime;

class EngineContext {
 public:
  EngineContext(RecordSource& s, Invoker& i, CheckpointStore& c, Destination& d,
                FunctionDirectory& f, const Clock& cl, MetricsRegistry& m, EngineOptions o)
      : source(s),
        invoker(i),
        checkpoints(c),
        destination(d),
        functions(f),
        clock(cl),
        metrics(m),
        options(o) {}
  virtual ~EngineContext() = default;
  EngineContext(const EngineContext&) = delete;
  EngineContext& operator=(const EngineContext&) = delete;

  // A deleted mapping's runtime has stopped: the engine forgets it (on its strand).
  virtual void Unregister(const std::string& uuid, const MappingRuntime* runtime) = 0;

  // Constant after construction.
  RecordSource& source;
  Invoker& invoker;
  CheckpointStore& checkpoints;
  Destination& destination;
  FunctionDirectory& functions;
  const Clock& clock;
  MetricsRegistry& metrics;
  const EngineOptions options;

  // Posts `handler` to `strand` (any thread) unless the engine stopped. A queued handler
  // holds its mapping's runtime, which holds the engine: one left in `io` after Stop's last
  // poll would be a reference cycle that never frees the engine. The gate makes "not
  // stopped, so post" one step against Stop's BeginStop.
  template <typename Handler>
  void PostUnlessStopped(const Strand& strand, Handler&& handler) EXCLUDES(post_gate_) {
    MutexLock lock(post_gate_);
    if (stopped.load(std::memory_order_relaxed)) return;
    asio::post(strand, std::forward<Handler>(handler));
  }

  // Sets `stopped`; false if it was already set. After it, PostUnlessStopped queues nothing.
  bool BeginStop() EXCLUDES(post_gate_) {
    MutexLock lock(post_gate_);
    return !stopped.exchange(true);
  }

  asio::io_context io;
  std::atomic<bool> stopped{false};  // nothing posted runs once set

 private:
  Mutex post_gate_;
};

}  // namespace streamstack::esm
