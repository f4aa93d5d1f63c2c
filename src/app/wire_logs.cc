// CloudWatch Logs: one LogStore (groups, streams, events in SQLite), its API, and the
// background pass that enforces retention and the --logs-max-bytes cap. Wired before
// Lambda: functions that run their own code write their logs to it.
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "app/periodic_task.h"
#include "app/wiring.h"
#include "streamstack/logs/log_store.h"
#include "streamstack/logs/logs_api.h"

namespace streamstack::app {

Status WireLogs(AppContext& ctx) {
  logs::LogStoreOptions options;
  options.max_stored_bytes = ctx.config.logs_max_bytes;
  auto* store = ctx.Own(std::make_shared<logs::LogStore>(ctx.store, ctx.clock, ctx.scope, options));
  STREAMSTACK_RETURN_IF_ERROR(store->Open());
  logs::RegisterLogsApi(ctx.router, *store, ctx.clock, ctx.scope);
  ctx.function_logs = store;
  auto* sweeper = ctx.Own(std::make_shared<PeriodicTask>(
      std::chrono::milliseconds(ctx.config.logs_sweep_interval_ms),
      [store](const PeriodicTask::Stopping&) {
        auto deleted = store->EnforceLimits();
        if (!deleted.ok()) {
          spdlog::warn("logs: enforcing retention failed: {}", deleted.status().message());
        } else if (*deleted > 0) {
          spdlog::debug("logs: deleted {} expired log events", *deleted);
        }
      }));
  ctx.stop_hooks.push_back([sweeper] { sweeper->Stop(); });
  return Status::Ok();
}

}  // namespace streamstack::app
