#include "esm/checkpointer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "esm/mapping_runtime.h"
#include "esm/shard_worker.h"

namespace streamstack::esm {

bool Checkpointer::Load() {
  if (loaded_) return true;
  EngineContext& engine = mapping_.engine();
  auto loaded = engine.checkpoints.Load(mapping_.uuid());
  if (!loaded.ok()) {
    spdlog::warn("esm {}: cannot load checkpoints: {}", mapping_.uuid(), loaded.status().message());
    return false;
  }
  for (const auto& [shard, position] : loaded.value()) {
    if (auto p = engine.source.ParsePosition(position)) committed_[shard] = *p;
  }
  loaded_ = true;
  return true;
}

int64_t Checkpointer::StartOf(const std::string& shard_id) const {
  auto cp = committed_.find(shard_id);
  return cp == committed_.end() ? kTrimHorizon : cp->second;
}

void Checkpointer::Advance(ShardWorker& w) {
  if (!w.checkpoint.Advance(w.position)) return;
  committed_[w.shard_id] = w.checkpoint.committed();
  Persist(w);
}

void Checkpointer::Persist(ShardWorker& w) {
  if (w.persisting || w.checkpoint.committed() <= w.persisted || mapping_.deleted()) return;
  w.persisting = true;
  const int64_t value = w.checkpoint.committed();
  EngineContext& engine = mapping_.engine();
  engine.checkpoints.Save(
      mapping_.uuid(), w.shard_id, engine.source.FormatPosition(value),
      [self = mapping_.shared_from_this(), wp = w.shared_from_this(), value](Status status) {
        self->Post([self, wp, value, status = std::move(status)] {
          if (!wp) return;
          wp->persisting = false;
          if (status.ok()) {
            wp->persisted = std::max(wp->persisted, value);
            self->checkpointer().Persist(*wp);
          } else {
            spdlog::warn("esm {}: checkpoint of {} failed: {}", self->uuid(), wp->shard_id,
                         status.message());
          }
        });
      });
}

}  // namespace streamstack::esm
