// esm (private): a mapping's shards and the reading of them. Discovery: lists the source's
// shards (again when a write names a shard it does not know, and every stream_retry while
// the source cannot be listed) and keeps a ShardWorker per shard. Lineage: a child shard is
// read only once its parent is drained. Reading: records after the worker's position, a
// batch per read, filtered, into the lanes by lane key, within the read-ahead; read on as
// lanes free room. Wake-ups: the engine's poll tick and the source's write listener compare
// published watermarks with the workers' positions off the strand (under index_mu_) and
// post a read. Everything else runs on the mapping's strand.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "esm/batch.h"
#include "streamstack/common/thread_annotations.h"

namespace streamstack::esm {

class MappingRuntime;
struct ShardWorker;

class ShardReader {
 public:
  // `mapping` must outlive it (the mapping owns it).
  explicit ShardReader(MappingRuntime& mapping);

  // --- off the strand --------------------------------------------------------------------
  // The poll tick: wakes the workers whose shard has records past their position.
  void Tick();
  // A write committed to `shard_id` of the mapping's source (the source's thread); `wake`:
  // read it now (no poll tick).
  void OnWrite(const std::string& shard_id, bool wake);
  // Lists the shards again (posted; once however often asked before it runs).
  void RequestRefresh();

  // --- on the strand -----------------------------------------------------------------------
  // Lists the shards: new workers start after their checkpoint, closed shards learn their
  // end, shards gone from the source are forgotten once nothing of them is in flight; then
  // reads every shard that may be read.
  void Refresh();
  // Reads what the worker may read now (`force`: even if the watermark says nothing is new).
  void Poll(ShardWorker& w, bool force);
  // Posts a read of the worker unless one is posted or it may not read now.
  void RequestPoll(ShardWorker& w);
  // Records read from the worker are done (delivered or discarded): they leave the
  // read-ahead, the checkpoint moves, and the worker reads on if it has room.
  void OnRecordsDone(ShardWorker& w, const std::vector<Record>& records);
  // Marks a closed shard drained once everything of it is done (children may start).
  void CheckDrained(ShardWorker& w);
  // Forgets what the worker read but did not finish (it is read again from the checkpoint)
  // and rebuilds its lanes for the current settings. Only while !w.Busy().
  void Reset(ShardWorker& w);
  // The mapping was deleted: forgets every shard.
  void Clear();
  void CancelTimer() { refresh_timer_.cancel(); }

  const std::vector<std::shared_ptr<ShardWorker>>& workers() const { return workers_; }

 private:
  void ScheduleRefresh();
  void BuildLanes(ShardWorker& w);
  // AWS: a child shard is processed only after its parent is drained.
  void UpdateParents();
  void WakeLocked(const std::shared_ptr<ShardWorker>& w) REQUIRES(index_mu_);
  void PostPoll(ShardWorker& w);
  size_t ReadAheadRecords() const;
  bool CanRead(const ShardWorker& w) const;
  void UpdatePollable(ShardWorker& w);

  MappingRuntime& mapping_;

  // Strand state.
  bool listed_ = false;
  bool missing_logged_ = false;
  std::vector<std::shared_ptr<ShardWorker>> workers_;  // parents before children
  boost::asio::steady_timer refresh_timer_;

  std::atomic<bool> refresh_posted_{false};
  // Also guards each worker's watermark pointer (written under it on the strand, so the
  // strand reads it without; the analysis cannot express that, hence a comment).
  Mutex index_mu_;
  std::unordered_map<std::string, std::shared_ptr<ShardWorker>> index_ GUARDED_BY(index_mu_);
};

}  // namespace streamstack::esm
