// DynamoDB and DynamoDB Streams: one StreamStore and one TableStore, their APIs, the
// background trim of stream records past retention and the TTL sweeper.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "app/wiring.h"
#include "streamstack/api/dynamodb_api.h"
#include "streamstack/api/streams_api.h"
#include "streamstack/dynamodb/table_store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::app {
namespace {

// Runs `pass` every `interval` of real time on its own thread until Stop(). Waits on a
// condition variable, so a stop is immediate; `pass` gets a `stopping` predicate so a long
// pass can end early too.
class PeriodicTask {
 public:
  using Stopping = std::function<bool()>;
  using Pass = std::function<void(const Stopping& stopping)>;

  PeriodicTask(std::chrono::milliseconds interval, Pass pass)
      : interval_(interval), pass_(std::move(pass)), thread_([this] { Loop(); }) {}
  ~PeriodicTask() { Stop(); }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    const Stopping stopping = [this] {
      std::lock_guard lock(mu_);
      return stopping_;
    };
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      pass_(stopping);
      lock.lock();
    }
  }

  const std::chrono::milliseconds interval_;
  const Pass pass_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after the members it reads
};

// Deletes expired TTL items (expiry judged on the injected Clock, so tests advance it
// instead of waiting) in bounded write jobs until none is left, so a backlog neither waits
// a tick per batch nor blocks other writers for long.
void SweepExpiredItems(dynamodb::TableStore& tables, const PeriodicTask::Stopping& stopping) {
  constexpr int64_t kItemsPerJob = 500;
  while (!stopping()) {
    auto deleted = tables.SweepExpiredItems(kItemsPerJob);
    if (!deleted.ok()) {
      spdlog::warn("deleting expired TTL items failed: {}", deleted.status().message());
      return;
    }
    if (*deleted > 0) spdlog::debug("TTL sweep deleted {} expired items", *deleted);
    if (*deleted < kItemsPerJob) return;
  }
}

}  // namespace

Status WireDynamoDb(AppContext& ctx) {
  auto* streams = ctx.Own(std::make_shared<streams::StreamStore>(ctx.store, ctx.clock, ctx.scope));
  STREAMSTACK_RETURN_IF_ERROR(streams->Open());
  auto* tables = ctx.Own(
      std::make_shared<dynamodb::TableStore>(ctx.store, *streams, ctx.clock, ctx.scope));
  STREAMSTACK_RETURN_IF_ERROR(tables->Open());
  api::RegisterDynamoDbApi(ctx.router, *tables);
  api::RegisterStreamsApi(ctx.router, *streams);
  ctx.streams = streams;
  ctx.tables = tables;
  // Stream records past retention go once a minute.
  auto* trimmer = ctx.Own(std::make_shared<PeriodicTask>(
      std::chrono::minutes(1), [streams](const PeriodicTask::Stopping&) {
        Status st = streams->TrimExpired();
        if (!st.ok()) spdlog::warn("trimming stream records failed: {}", st.message());
      }));
  ctx.stop_hooks.push_back([trimmer] { trimmer->Stop(); });
  auto* sweeper = ctx.Own(std::make_shared<PeriodicTask>(
      std::chrono::milliseconds(std::max<int64_t>(1, ctx.config.ttl_sweep_interval_ms)),
      [tables](const PeriodicTask::Stopping& stopping) { SweepExpiredItems(*tables, stopping); }));
  ctx.stop_hooks.push_back([sweeper] { sweeper->Stop(); });
  return Status::Ok();
}

}  // namespace streamstack::app
