// The delivery engine: its io_context and threads, the poll tick, the source's write
// listener, and the mappings it runs (one MappingRuntime each, mapping_runtime.h, with its
// own strand). Apply, Remove and ClockAdvanced post to a mapping's strand; the tick and the
// listener read only what a mapping publishes for them (ShardReader's index and atomics).
#include "streamstack/esm/engine.h"

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "esm/engine_context.h"
#include "esm/mapping_runtime.h"
#include "esm/mapping_settings.h"
#include "streamstack/common/thread_annotations.h"

namespace streamstack::esm {

class DeliveryEngine::Core : public EngineContext,
                             public std::enable_shared_from_this<DeliveryEngine::Core> {
 public:
  using EngineContext::EngineContext;

  void Start();
  void Stop();
  void Apply(MappingConfig config);
  void Remove(const std::string& uuid);
  void ClockAdvanced();
  size_t Active() const {
    MutexLock lock(mu);
    return mappings.size();
  }
  void Unregister(const std::string& uuid, const MappingRuntime* rt) override;
  void Barrier();

 private:
  void Tick();
  void OnStreamWrite(const std::string& stream_arn, const std::string& shard_id);
  std::vector<std::shared_ptr<MappingRuntime>> Snapshot() const EXCLUDES(mu);

  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::unique_ptr<asio::steady_timer> tick_;
  int listener_ = 0;
  bool started_ = false;

  mutable Mutex mu;
  std::unordered_map<std::string, std::shared_ptr<MappingRuntime>> mappings GUARDED_BY(mu);
  std::unordered_map<std::string, std::vector<std::shared_ptr<MappingRuntime>>> by_stream
      GUARDED_BY(mu);
};

void DeliveryEngine::Core::Start() {
  if (started_) return;
  started_ = true;
  work_.emplace(asio::make_work_guard(io));
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    threads_.emplace_back([this] { io.run(); });
  }
  std::weak_ptr<Core> weak = shared_from_this();
  listener_ = source.Subscribe([weak](const std::string& arn, const std::string& shard) {
    if (auto core = weak.lock()) core->OnStreamWrite(arn, shard);
  });
  if (options.poll_interval.count() > 0) {
    tick_ = std::make_unique<asio::steady_timer>(io);
    Tick();
  }
  spdlog::info("esm: delivery engine started ({} threads, {})", threads_.size(),
               options.poll_interval.count() > 0
                   ? "polling every " + std::to_string(options.poll_interval.count()) + " ms"
                   : std::string("woken by every write"));
}

void DeliveryEngine::Core::Tick() {
  tick_->expires_after(options.poll_interval);
  tick_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped.load()) return;
    self->Tick();
  });
  // The mappings are ticked without the registry lock, which the writer thread's
  // OnStreamWrite takes: a tick over many mappings never holds up a commit.
  for (auto& rt : Snapshot()) rt->Tick();
}

std::vector<std::shared_ptr<MappingRuntime>> DeliveryEngine::Core::Snapshot() const {
  std::vector<std::shared_ptr<MappingRuntime>> all;
  MutexLock lock(mu);
  all.reserve(mappings.size());
  for (const auto& [uuid, rt] : mappings) all.push_back(rt);
  return all;
}

void DeliveryEngine::Core::OnStreamWrite(const std::string& stream_arn,
                                         const std::string& shard_id) {
  if (stopped.load(std::memory_order_relaxed)) return;
  const bool wake = options.poll_interval.count() == 0;
  // Runs on the source's writer thread, inside its commit callback: the registry lock is
  // held only for the lookup, never while the mappings look at their shards.
  std::vector<std::shared_ptr<MappingRuntime>> readers;
  {
    MutexLock lock(mu);
    auto it = by_stream.find(stream_arn);
    if (it == by_stream.end()) return;
    readers = it->second;
  }
  for (auto& rt : readers) rt->OnWrite(shard_id, wake);
}

void DeliveryEngine::Core::Stop() {
  if (!BeginStop()) return;
  if (started_) {
    source.Unsubscribe(listener_);
    work_.reset();
    io.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  // Single-threaded from here: cancel every timer and let the cancelled handlers (which all
  // return at once now) run, so nothing refers to the mappings any more.
  std::vector<std::shared_ptr<MappingRuntime>> all;
  {
    MutexLock lock(mu);
    for (auto& [uuid, rt] : mappings) all.push_back(rt);
    mappings.clear();
    by_stream.clear();
  }
  if (tick_) tick_->cancel();
  for (auto& rt : all) rt->StopTimers();
  io.restart();
  io.poll();
  spdlog::info("esm: delivery engine stopped");
}

void DeliveryEngine::Core::Apply(MappingConfig config) {
  if (stopped.load()) return;
  std::shared_ptr<const Settings> settings = MakeSettings(std::move(config), options, source);
  std::shared_ptr<MappingRuntime> rt;
  {
    MutexLock lock(mu);
    // Looked at again under the lock: Stop sets `stopped` before it clears `mappings`, so a
    // runtime added after the clear (it would never be freed) is never added.
    if (stopped.load()) return;
    auto it = mappings.find(settings->config.uuid);
    if (it == mappings.end()) {
      if (!settings->config.enabled) return;  // nothing runs for it yet
      rt = std::make_shared<MappingRuntime>(shared_from_this(), settings->config.uuid,
                                            settings->config.event_source_arn);
      mappings.emplace(settings->config.uuid, rt);
      by_stream[settings->config.event_source_arn].push_back(rt);
    } else {
      rt = it->second;
    }
  }
  rt->Post([rt, settings = std::shared_ptr<const Settings>(std::move(settings))]() mutable {
    rt->Configure(std::move(settings));
  });
}

void DeliveryEngine::Core::Remove(const std::string& uuid) {
  std::shared_ptr<MappingRuntime> rt;
  {
    MutexLock lock(mu);
    auto it = mappings.find(uuid);
    if (it == mappings.end()) return;
    rt = it->second;
  }
  rt->Post([rt] { rt->Delete(); });
}

void DeliveryEngine::Core::Unregister(const std::string& uuid, const MappingRuntime* rt) {
  MutexLock lock(mu);
  auto it = mappings.find(uuid);
  if (it == mappings.end() || it->second.get() != rt) return;
  auto& list = by_stream[rt->source_arn()];
  std::erase_if(list, [rt](const auto& p) { return p.get() == rt; });
  if (list.empty()) by_stream.erase(rt->source_arn());
  mappings.erase(it);
}

void DeliveryEngine::Core::Barrier() {
  for (auto& rt : Snapshot()) {
    auto reached = std::make_shared<std::promise<void>>();
    std::future<void> done = reached->get_future();
    asio::post(rt->strand(), [reached] { reached->set_value(); });
    done.wait_for(std::chrono::seconds(5));
  }
}

void DeliveryEngine::Core::ClockAdvanced() {
  MutexLock lock(mu);
  for (auto& [uuid, rt] : mappings) {
    rt->Post([rt = rt] { rt->OnClockAdvanced(); });
  }
}

// ---------------------------------------------------------------------------------------

DeliveryEngine::DeliveryEngine(RecordSource& source, Invoker& invoker, CheckpointStore& checkpoints,
                               Destination& destination, FunctionDirectory& functions,
                               const Clock& clock, MetricsRegistry& metrics, EngineOptions options)
    : core_(std::make_shared<Core>(source, invoker, checkpoints, destination, functions, clock,
                                   metrics, options)) {}

DeliveryEngine::~DeliveryEngine() { Stop(); }

void DeliveryEngine::Start() { core_->Start(); }
void DeliveryEngine::Stop() { core_->Stop(); }
void DeliveryEngine::Apply(MappingConfig config) { core_->Apply(std::move(config)); }
void DeliveryEngine::Remove(const std::string& uuid) { core_->Remove(uuid); }
void DeliveryEngine::ClockAdvanced() { core_->ClockAdvanced(); }
size_t DeliveryEngine::ActiveMappings() const { return core_->Active(); }

void DeliveryEngine::TEST_Barrier() { core_->Barrier(); }
std::weak_ptr<const void> DeliveryEngine::TEST_Lifetime() const { return core_; }

}  // namespace streamstack::esm
