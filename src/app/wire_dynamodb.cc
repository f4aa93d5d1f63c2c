// DynamoDB and DynamoDB Streams: one StreamStore and one TableStore, their APIs, the
// background trim of stream records past retention and the TTL sweeper.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/wiring.h"
#include "streamstack/api/dynamodb_api.h"
#include "streamstack/api/streams_api.h"
#include "streamstack/dynamodb/table_store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::app {
namespace {

// Calls StreamStore::TrimExpired once a minute until stopped. Waits on a condition
// variable, so a stop is immediate.
class StreamTrimmer {
 public:
  explicit StreamTrimmer(streams::StreamStore& streams)
      : streams_(streams), thread_([this] { Loop(); }) {}
  ~StreamTrimmer() { Stop(); }

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
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::minutes(1), [this] { return stopping_; })) {
      lock.unlock();
      Status st = streams_.TrimExpired();
      if (!st.ok()) spdlog::warn("trimming stream records failed: {}", st.message());
      lock.lock();
    }
  }

  streams::StreamStore& streams_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

// Deletes expired TTL items every `interval` of real time, judging expiry on the injected
// Clock (tests advance it instead of waiting). Each pass deletes in bounded write jobs until
// no expired item is left, so a backlog neither waits a tick per batch nor blocks other
// writers for long.
class TtlSweeper {
 public:
  static constexpr int64_t kItemsPerJob = 500;

  TtlSweeper(dynamodb::TableStore& tables, std::chrono::milliseconds interval)
      : tables_(tables), interval_(interval), thread_([this] { Loop(); }) {}
  ~TtlSweeper() { Stop(); }

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
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      SweepOnce();
      lock.lock();
    }
  }

  void SweepOnce() {
    while (true) {
      auto deleted = tables_.SweepExpiredItems(kItemsPerJob);
      if (!deleted.ok()) {
        spdlog::warn("deleting expired TTL items failed: {}", deleted.status().message());
        return;
      }
      if (*deleted > 0) spdlog::debug("TTL sweep deleted {} expired items", *deleted);
      if (*deleted < kItemsPerJob) return;
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
  }

  dynamodb::TableStore& tables_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after the members it reads
};

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
  auto* trimmer = ctx.Own(std::make_shared<StreamTrimmer>(*streams));
  ctx.stop_hooks.push_back([trimmer] { trimmer->Stop(); });
  auto* sweeper = ctx.Own(std::make_shared<TtlSweeper>(
      *tables, std::chrono::milliseconds(std::max<int64_t>(1, ctx.config.ttl_sweep_interval_ms))));
  ctx.stop_hooks.push_back([sweeper] { sweeper->Stop(); });
  return Status::Ok();
}

}  // namespace streamstack::app
