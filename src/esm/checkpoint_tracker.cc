#include "esm/checkpoint_tracker.h"

#include <algorithm>

namespace streamstack::esm {

void CheckpointTracker::MarkDone(int64_t sequence) {
  auto it = std::lower_bound(in_flight_.begin(), in_flight_.end(), sequence,
                             [](const Tracked& t, int64_t s) { return t.sequence < s; });
  if (it != in_flight_.end() && it->sequence == sequence) it->done = true;
}

bool CheckpointTracker::Advance(int64_t position) {
  int64_t committed = committed_;
  while (!in_flight_.empty() && in_flight_.front().done) {
    committed = in_flight_.front().sequence;
    in_flight_.pop_front();
  }
  if (in_flight_.empty()) committed = std::max(committed, position);
  if (committed <= committed_) return false;
  committed_ = committed;
  return true;
}

}  // namespace streamstack::esm
