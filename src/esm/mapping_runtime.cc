#include "esm/mapping_runtime.h"

#include <spdlog/spdlog.h>

#include "esm/lane.h"
#include "esm/shard_worker.h"

namespace streamstack::esm {

MappingRuntime::MappingRuntime(std::shared_ptr<EngineContext> engine, std::string uuid,
                               std::string source_arn)
    : engine_(std::move(engine)),
      uuid_(std::move(uuid)),
      source_arn_(std::move(source_arn)),
      strand_(asio::make_strand(engine_->io)) {}

void MappingRuntime::Configure(std::shared_ptr<const Settings> settings) {
  const bool first = settings_ == nullptr;
  if (!first && !settings_->SameLayout(*settings)) pending_reset_ = true;
  settings_ = std::move(settings);
  running_ = settings_->config.enabled && !deleted_;
  if (first) metrics_.Register(engine_->metrics, uuid_);
  spdlog::info("esm {}: {} ({} -> {}, BatchSize {}, window {} s, lanes {})", uuid_,
               running_ ? "enabled" : "disabled", source_arn_, settings_->config.function_arn,
               settings_->config.batch_size, settings_->config.maximum_batching_window_in_seconds,
               settings_->lanes);
  if (!running_ || pending_reset_) {
    RequestQuiesce();
  } else {
    Resume();
  }
}

void MappingRuntime::Delete() {
  deleted_ = true;
  running_ = false;
  spdlog::info("esm {}: deleted; stopping after the batches in flight", uuid_);
  RequestQuiesce();
}

void MappingRuntime::OnClockAdvanced() {
  for (auto& w : reader_.workers()) {
    for (auto& lane : w->lanes) lane->OnClockAdvanced();
  }
}

void MappingRuntime::StopTimers() {
  reader_.CancelTimer();
  for (auto& w : reader_.workers()) {
    for (auto& lane : w->lanes) lane->CancelTimer();
  }
}

void MappingRuntime::SetResult(const char* result) {
  if (!deleted_) engine_->checkpoints.SetLastProcessingResult(uuid_, result);
}

void MappingRuntime::Resume() {
  reader_.Refresh();
  for (auto& w : reader_.workers()) {
    for (auto& lane : w->lanes) lane->Pump();
  }
}

void MappingRuntime::RequestQuiesce() {
  if (quiesce_posted_) return;
  quiesce_posted_ = true;
  Post([this] {
    quiesce_posted_ = false;
    Quiesce();
  });
}

void MappingRuntime::Quiesce() {
  if (running_ && !pending_reset_) return;
  for (auto& w : reader_.workers()) {
    if (w->Busy()) return;  // the answer's handler calls us again
  }
  for (auto& w : reader_.workers()) reader_.Reset(*w);
  pending_reset_ = false;
  if (deleted_) {
    StopTimers();
    MappingMetrics::Remove(engine_->metrics, uuid_);
    reader_.Clear();
    engine_->Unregister(uuid_, this);
    return;
  }
  if (running_) Resume();
}

}  // namespace streamstack::esm
