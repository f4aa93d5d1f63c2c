// esm (private): one shard of a mapping's source as the mapping's runtime tracks it: its
// lineage, how far it was read and what of that is done (CheckpointTracker), the checkpoint
// the store holds, the read-ahead, and its lanes. State of the mapping's strand, except the
// atomics the poll tick and the source's write listener read, and `watermark`, which
// ShardReader replaces only under its index lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "esm/checkpoint_tracker.h"
#include "esm/lane.h"
#include "streamstack/esm/record_source.h"

namespace streamstack::esm {

struct ShardWorker : std::enable_shared_from_this<ShardWorker> {
  std::string shard_id;
  std::string parent_id;
  Watermark watermark;
  std::optional<int64_t> ending;  // set once the shard is closed
  int64_t position = 0;           // highest position read into the lanes
  int64_t persisted = 0;          // the checkpoint the CheckpointStore holds
  bool persisting = false;
  CheckpointTracker checkpoint;  // the records in flight; every record up to committed() is done
  std::vector<std::unique_ptr<Lane>> lanes;
  uint64_t epoch = 0;  // bumped by each reset: stale callbacks are ignored
  size_t buffered = 0;
  size_t buffered_bytes = 0;
  bool exhausted = false;  // a read after the shard closed found nothing more
  bool drained = false;
  bool parent_ready = false;
  // Read by the tick and the listener without the strand.
  std::atomic<int64_t> seen_position{0};
  std::atomic<bool> pollable{false};
  std::atomic<bool> poll_posted{false};

  // An invoke or an on-failure description is in flight on one of its lanes: a reset waits.
  bool Busy() const {
    for (const auto& lane : lanes) {
      if (lane->Busy()) return true;
    }
    return false;
  }
};

}  // namespace streamstack::esm
