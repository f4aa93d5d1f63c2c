// DynamoDB and DynamoDB Streams: one StreamStore and one TableStore, their APIs, and the
// background trim of stream records past retention.
#include <spdlog/spdlog.h>

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
  return Status::Ok();
}

}  // namespace streamstack::app
