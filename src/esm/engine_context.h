// esm (private): what every mapping's runtime shares with the engine: the collaborators the
// engine was built with, its io_context and its stop flag, and the engine's options. Built
// once by DeliveryEngine; constant afterwards except `stopped`. Any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <string>

#include "streamstack/common/clock.h"
#include "streamstack/common/destination.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/metrics.h"
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

  asio::io_context io;
  std::atomic<bool> stopped{false};  // nothing posted runs once set
};

}  // namespace streamstack::esm
