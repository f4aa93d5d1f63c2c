// esm (private): one shard worker's checkpoint bookkeeping: which records read from the shard
// are done (delivered, discarded, or filtered out) and which are still in flight, and the
// checkpoint, the highest sequence below which every read record is done. A value with no
// I/O (the worker persists the checkpoint); used on its mapping's strand only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace streamstack::esm {

class CheckpointTracker {
 public:
  // Starts at `checkpoint` (0: nothing done yet), nothing in flight.
  explicit CheckpointTracker(int64_t checkpoint = 0) : committed_(checkpoint) {}

  // A record read from the shard; reads arrive in sequence order, above every tracked one.
  // `done`: it needs no delivery (AWS: records that match no filter are checkpointed past).
  void Read(int64_t sequence, bool done) { in_flight_.push_back({sequence, done}); }

  // The record at `sequence` is done. A sequence not in flight (never read, or read before a
  // reset) is ignored.
  void MarkDone(int64_t sequence);

  // Moves the checkpoint past the leading done records; with none left in flight, up to
  // `position` (the highest sequence read, past the last record when a read found the shard
  // had no more). True when the checkpoint moved; it never moves back.
  bool Advance(int64_t position);

  // Forgets the records in flight: they will be read again from the checkpoint.
  void Clear() { in_flight_.clear(); }

  int64_t committed() const { return committed_; }
  // True when every record read is done and below the checkpoint.
  bool empty() const { return in_flight_.empty(); }
  size_t in_flight() const { return in_flight_.size(); }

 private:
  struct Tracked {
    int64_t sequence;
    bool done;
  };
  int64_t committed_;
  std::deque<Tracked> in_flight_;  // read, not yet below the checkpoint, in sequence order
};

}  // namespace streamstack::esm
