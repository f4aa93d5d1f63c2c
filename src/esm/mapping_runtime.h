// esm (private): one event source mapping at work. Owns the mapping's strand, its settings and
// metrics, and the parts that do the work, one job each: the ShardReader (shards, lineage,
// reading, wake-ups), one Lane per (shard, ParallelizationFactor slot) (batches, invokes,
// retries), the Checkpointer and the FailureSender. The runtime itself only runs the
// mapping's life: configure, enable and disable, re-layout when the settings change what
// the lanes are, and delete, each waiting for the invokes and sends in flight (quiesce).
// Every method runs on the strand except Post, Tick and OnWrite, and what is constant.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "esm/checkpointer.h"
#include "esm/engine_context.h"
#include "esm/failure_sender.h"
#include "esm/mapping_settings.h"
#include "esm/shard_reader.h"

namespace streamstack::esm {

class MappingRuntime : public std::enable_shared_from_this<MappingRuntime> {
 public:
  MappingRuntime(std::shared_ptr<EngineContext> engine, std::string uuid, std::string source_arn);
  MappingRuntime(const MappingRuntime&) = delete;
  MappingRuntime& operator=(const MappingRuntime&) = delete;

  // Constant.
  const std::string& uuid() const { return uuid_; }
  const std::string& source_arn() const { return source_arn_; }
  const Strand& strand() const { return strand_; }
  EngineContext& engine() const { return *engine_; }

  // Posts `fn` to the strand (any thread); it is not queued once the engine stopped, and
  // does not run if the engine stops before it. The handler keeps the runtime alive.
  template <typename F>
  void Post(F&& fn) {
    engine_->PostUnlessStopped(strand_,
                               [self = shared_from_this(), fn = std::forward<F>(fn)]() mutable {
                                 if (self->engine_->stopped.load(std::memory_order_relaxed)) return;
                                 fn();
                               });
  }

  // --- called off the strand -------------------------------------------------------------
  void Tick() { reader_.Tick(); }
  void OnWrite(const std::string& shard_id, bool wake) { reader_.OnWrite(shard_id, wake); }

  // --- the engine, on the strand -------------------------------------------------------------
  // New settings (the first, or a change): applied to the next batch; a change of layout
  // (lanes, filters, tumbling window, function) rebuilds the lanes once nothing is in flight.
  void Configure(std::shared_ptr<const Settings> settings);
  // The mapping was deleted: it stops after the batches in flight, then unregisters.
  void Delete();
  // The Clock moved forward: deadlines on it are looked at again.
  void OnClockAdvanced();
  // The engine stops: every timer is cancelled (single-threaded, after the threads joined).
  void StopTimers();

  // --- the parts, on the strand ----------------------------------------------------------------
  const Settings& settings() const { return *settings_; }
  const MappingConfig& config() const { return settings_->config; }
  MappingMetrics& metrics() { return metrics_; }
  int64_t Now() const { return engine_->clock.NowMillis(); }
  // Enabled and not deleted.
  bool Running() const { return running_; }
  // Running, and no re-layout waits: lanes may start batches and shards may be read.
  bool Accepting() const { return running_ && !pending_reset_; }
  bool deleted() const { return deleted_; }
  // Asks for a quiesce (posted, once): what stopping, a re-layout or a delete waits for.
  void RequestQuiesce();
  // The mapping's LastProcessingResult ("OK" / "PROBLEM: Function call failed").
  void SetResult(const char* result);

  ShardReader& reader() { return reader_; }
  Checkpointer& checkpointer() { return checkpointer_; }
  FailureSender& sender() { return sender_; }

 private:
  // Lists the shards again (one may have appeared while the mapping was stopped), reads
  // and pumps every lane.
  void Resume();
  // Once no invoke or destination send is in flight, drops what was read but not done (it is
  // read again from the checkpoint) and rebuilds the lanes; then resumes, stays stopped, or
  // (deleted) forgets everything.
  void Quiesce();

  // Constant after construction.
  const std::shared_ptr<EngineContext> engine_;
  const std::string uuid_;
  const std::string source_arn_;
  Strand strand_;

  // Strand state.
  std::shared_ptr<const Settings> settings_;
  MappingMetrics metrics_;
  bool running_ = false;
  bool deleted_ = false;
  bool pending_reset_ = false;
  bool quiesce_posted_ = false;

  // The parts (they refer back to this runtime).
  Checkpointer checkpointer_{*this};
  FailureSender sender_{*this};
  ShardReader reader_{*this};
};

}  // namespace streamstack::esm
