// DynamoDB and DynamoDB Streams: one StreamStore and one TableStore, their APIs, the
// background trim of stream records past retention, the TTL sweeper and the pruning of
// point-in-time history.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "app/periodic_task.h"
#include "app/wiring.h"
#include "streamstack/api/dynamodb_api.h"
#include "streamstack/api/streams_api.h"
#include "streamstack/dynamodb/table_store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::app {
namespace {

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
  auto* tables = ctx.Own(std::make_shared<dynamodb::TableStore>(
      ctx.store, *streams, ctx.clock, ctx.scope, ctx.config.table_status_delay_ms));
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
  // Point-in-time history older than every table's recovery window, and SYSTEM backups past
  // their expiry, go once a minute (judged on the injected Clock).
  auto* pruner = ctx.Own(std::make_shared<PeriodicTask>(
      std::chrono::minutes(1), [tables](const PeriodicTask::Stopping&) {
        auto pruned = tables->PruneRecoveryHistory();
        if (!pruned.ok()) {
          spdlog::warn("pruning point-in-time history failed: {}", pruned.status().message());
        }
        auto expired = tables->DeleteExpiredBackups();
        if (!expired.ok()) {
          spdlog::warn("deleting expired system backups failed: {}", expired.status().message());
        }
      }));
  ctx.stop_hooks.push_back([pruner] { pruner->Stop(); });
  return Status::Ok();
}

}  // namespace streamstack::app
