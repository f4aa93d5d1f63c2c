// esm (private): a mapping's checkpoints. Loads them from the CheckpointStore once, keeps them
// in memory (memory is authoritative from then on), moves a shard's checkpoint past the
// records that are done (its CheckpointTracker) and persists it, one write in flight per
// shard, positions in the source's syntax. Runs on its mapping's strand only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace streamstack::esm {

class MappingRuntime;
struct ShardWorker;

class Checkpointer {
 public:
  // `mapping` must outlive it (the mapping owns it).
  explicit Checkpointer(MappingRuntime& mapping) : mapping_(mapping) {}

  // Loads the stored checkpoints unless they were loaded already. False (logged) when the
  // store could not: the caller tries again later.
  bool Load();
  // Where reading a shard starts: after its checkpoint, or at TRIM_HORIZON without one (a
  // shard that appeared after the mapping, or a TRIM_HORIZON mapping; LATEST was recorded
  // as checkpoints of the shards that existed at Create).
  int64_t StartOf(const std::string& shard_id) const;
  // Moves the shard's checkpoint as far as its done records allow and persists it.
  void Advance(ShardWorker& w);
  // Writes the shard's checkpoint unless a write is in flight (its answer writes again if
  // the checkpoint moved meanwhile) or the mapping was deleted.
  void Persist(ShardWorker& w);

 private:
  MappingRuntime& mapping_;
  bool loaded_ = false;
  std::map<std::string, int64_t> committed_;  // shard -> checkpoint
};

}  // namespace streamstack::esm
