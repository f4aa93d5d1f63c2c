#include "esm/shard_reader.h"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

#include "esm/checkpointer.h"
#include "esm/lane.h"
#include "esm/mapping_runtime.h"
#include "esm/shard_worker.h"

namespace streamstack::esm {
namespace {

// Records read ahead of the lanes, per lane: enough to keep an invoke's successor ready.
constexpr size_t kMinReadAhead = 200;
constexpr size_t kMaxReadChunk = 10000;
constexpr size_t kReadAheadBytesPerLane = 2 * kMaxPayloadBytes;

}  // namespace

ShardReader::ShardReader(MappingRuntime& mapping)
    : mapping_(mapping), refresh_timer_(mapping.strand()) {}

// --- off the strand ----------------------------------------------------------------------

void ShardReader::Tick() {
  MutexLock lock(index_mu_);
  for (const auto& [id, w] : index_) {
    if (w->pollable.load(std::memory_order_relaxed) &&
        w->watermark->load(std::memory_order_acquire) >
            w->seen_position.load(std::memory_order_relaxed)) {
      WakeLocked(w);
    }
  }
}

void ShardReader::OnWrite(const std::string& shard_id, bool wake) {
  MutexLock lock(index_mu_);
  auto it = index_.find(shard_id);
  if (it == index_.end()) {
    RequestRefresh();  // a new shard (roll-over) or one we have not listed yet
    return;
  }
  const auto& w = it->second;
  // A watermark that has never moved may be a placeholder ListShards handed out before
  // the shard's first commit was published: list again to get the real one.
  if (w->watermark->load(std::memory_order_acquire) == 0) RequestRefresh();
  if (wake && w->pollable.load(std::memory_order_relaxed)) WakeLocked(w);
}

void ShardReader::RequestRefresh() {
  if (refresh_posted_.exchange(true)) return;
  mapping_.Post([this] { Refresh(); });
}

void ShardReader::WakeLocked(const std::shared_ptr<ShardWorker>& w) {
  if (w->poll_posted.exchange(true)) return;
  mapping_.Post([this, w] { Poll(*w, /*force=*/true); });
}

// --- discovery and lineage -----------------------------------------------------------------

void ShardReader::ScheduleRefresh() {
  refresh_timer_.expires_after(mapping_.engine().options.stream_retry);
  refresh_timer_.async_wait(boost::asio::bind_executor(
      mapping_.strand(), [self = mapping_.shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->engine().stopped.load()) return;
        self->reader().RequestRefresh();
      }));
}

void ShardReader::Refresh() {
  refresh_posted_.store(false);
  if (!mapping_.Running() || mapping_.deleted()) return;
  if (!mapping_.checkpointer().Load()) {
    ScheduleRefresh();
    return;
  }
  EngineContext& engine = mapping_.engine();
  auto shards = engine.source.ListShards(mapping_.source_arn());
  if (!shards.ok()) {
    if (!missing_logged_) {
      spdlog::warn("esm {}: stream {} not readable ({}); looking again every {} ms",
                   mapping_.uuid(), mapping_.source_arn(), shards.status().message(),
                   engine.options.stream_retry.count());
      missing_logged_ = true;
    }
    ScheduleRefresh();
    return;
  }
  missing_logged_ = false;
  std::unordered_map<std::string, std::shared_ptr<ShardWorker>> old;
  for (auto& w : workers_) old.emplace(w->shard_id, w);
  std::vector<std::shared_ptr<ShardWorker>> next;
  std::vector<std::pair<std::shared_ptr<ShardWorker>, Watermark>> new_watermarks;
  for (const auto& shard : shards.value()) {
    std::shared_ptr<ShardWorker> w;
    if (auto it = old.find(shard.shard_id); it != old.end()) {
      w = it->second;
      old.erase(it);
      if (w->watermark != shard.watermark) new_watermarks.emplace_back(w, shard.watermark);
    } else {
      w = std::make_shared<ShardWorker>();
      w->shard_id = shard.shard_id;
      w->parent_id = shard.parent_shard_id;
      w->watermark = shard.watermark;
      const int64_t start = mapping_.checkpointer().StartOf(shard.shard_id);
      w->position = w->persisted = start;
      w->checkpoint = CheckpointTracker(start);
      w->seen_position.store(w->position);
      BuildLanes(*w);
    }
    if (shard.ending_position && !w->ending) w->ending = shard.ending_position;
    next.push_back(std::move(w));
  }
  // Shards gone from the source (retention) are forgotten once nothing of them is in flight.
  for (auto& [id, w] : old) {
    if (w->Busy()) next.push_back(w);
  }
  {
    MutexLock lock(index_mu_);
    for (auto& [w, wm] : new_watermarks) w->watermark = wm;
    index_.clear();
    for (auto& w : next) index_.emplace(w->shard_id, w);
  }
  workers_ = std::move(next);
  listed_ = true;
  UpdateParents();
  for (auto& w : workers_) {
    UpdatePollable(*w);
    if (CanRead(*w)) Poll(*w, true);
    CheckDrained(*w);
  }
}

void ShardReader::BuildLanes(ShardWorker& w) {
  w.lanes.clear();
  for (size_t i = 0; i < mapping_.settings().lanes; ++i) {
    w.lanes.push_back(std::make_unique<Lane>(mapping_, w, i));
  }
}

void ShardReader::UpdateParents() {
  std::unordered_map<std::string, ShardWorker*> by_id;
  for (auto& w : workers_) by_id.emplace(w->shard_id, w.get());
  for (auto& w : workers_) {
    bool ready = true;
    if (!w->parent_id.empty()) {
      auto it = by_id.find(w->parent_id);
      ready = it == by_id.end() || it->second->drained;
    }
    if (ready && !w->parent_ready) {
      w->parent_ready = true;
      if (listed_ && w->watermark) {
        auto wp = w;
        mapping_.Post([this, wp] {
          UpdatePollable(*wp);
          if (CanRead(*wp)) Poll(*wp, true);
        });
      }
    }
  }
}

void ShardReader::CheckDrained(ShardWorker& w) {
  if (w.drained || !w.ending || !w.parent_ready) return;
  if (w.position < *w.ending && !w.exhausted) {
    // Read once more: that read tells whether anything is left.
    RequestPoll(w);
    return;
  }
  if (!w.checkpoint.empty()) return;
  for (auto& lane : w.lanes) {
    if (!lane->Idle()) return;
    if (lane->HasWindow()) {
      lane->Pump();  // the shard ended: the window's final invoke comes first
      return;
    }
  }
  w.drained = true;
  UpdatePollable(w);
  spdlog::info("esm {}: shard {} drained", mapping_.uuid(), w.shard_id);
  UpdateParents();
}

// --- reading -------------------------------------------------------------------------------

size_t ShardReader::ReadAheadRecords() const {
  const Settings& s = mapping_.settings();
  return std::max(kMinReadAhead, static_cast<size_t>(2 * s.config.batch_size)) * s.lanes;
}

bool ShardReader::CanRead(const ShardWorker& w) const {
  return mapping_.Accepting() && w.parent_ready && !w.drained && !(w.ending && w.exhausted) &&
         w.buffered < ReadAheadRecords() &&
         w.buffered_bytes < kReadAheadBytesPerLane * mapping_.settings().lanes;
}

void ShardReader::UpdatePollable(ShardWorker& w) {
  w.pollable.store(CanRead(w), std::memory_order_relaxed);
}

void ShardReader::PostPoll(ShardWorker& w) {
  mapping_.Post([this, wp = w.shared_from_this()] {
    if (wp) Poll(*wp, true);
  });
}

void ShardReader::RequestPoll(ShardWorker& w) {
  if (CanRead(w) && !w.poll_posted.exchange(true)) PostPoll(w);
}

void ShardReader::Poll(ShardWorker& w, bool force) {
  w.poll_posted.store(false);
  if (!CanRead(w)) {
    UpdatePollable(w);
    CheckDrained(w);
    return;
  }
  const int64_t watermark = w.watermark->load(std::memory_order_acquire);
  if (!force && watermark <= w.position) {
    CheckDrained(w);
    return;
  }
  const Settings& settings = mapping_.settings();
  EngineContext& engine = mapping_.engine();
  const size_t room = ReadAheadRecords() - w.buffered;
  const size_t limit =
      std::min({room, kMaxReadChunk, std::max<size_t>(settings.config.batch_size, kMinReadAhead)});
  const bool closed_before_read = w.ending.has_value();
  auto read =
      engine.source.Read(mapping_.source_arn(), w.shard_id, w.position, limit, w.lanes.size() > 1);
  if (!read.ok()) {
    if (read.status().code() == AwsError::kTrimmedDataAccess) {
      // AWS: records past retention are gone; continue from the oldest one left.
      spdlog::warn("esm {}: {}: records after {} were trimmed before delivery", mapping_.uuid(),
                   w.shard_id, engine.source.FormatPosition(w.position));
      w.position = kTrimHorizon;
      w.seen_position.store(kTrimHorizon);
      mapping_.Post([this, wp = w.shared_from_this()] { Poll(*wp, true); });
    } else if (read.status().code() == AwsError::kResourceNotFound) {
      RequestRefresh();
    } else {
      spdlog::warn("esm {}: {}: reading failed: {}", mapping_.uuid(), w.shard_id,
                   read.status().message());
    }
    return;
  }
  const int64_t now = mapping_.Now();
  std::vector<SourceRecord> records = std::move(read).value();
  std::vector<bool> touched(w.lanes.size(), false);
  for (SourceRecord& read_record : records) {
    if (!settings.filters.empty()) {
      nlohmann::json event = nlohmann::json::parse(read_record.json, nullptr, false);
      if (event.is_discarded() || !settings.filters.Matches(event)) {
        // AWS: records that match no filter are dropped and checkpointed past.
        w.checkpoint.Read(read_record.position, /*done=*/true);
        mapping_.metrics().filtered->Add();
        continue;
      }
    }
    Record r;
    r.sequence = read_record.position;
    r.created_ms = read_record.created_ms;
    r.read_ms = now;
    r.json = std::move(read_record.json);
    w.checkpoint.Read(r.sequence, /*done=*/false);
    size_t lane = LaneOf(read_record.lane_key, w.lanes.size());
    w.buffered += 1;
    w.buffered_bytes += r.json.size();
    w.lanes[lane]->Enqueue(std::move(r));
    touched[lane] = true;
  }
  if (!records.empty()) w.position = records.back().position;
  if (records.size() < limit) {
    // Every record up to the watermark seen before the read was committed before it.
    w.position = std::max(w.position, watermark);
    if (closed_before_read) w.exhausted = true;
  }
  w.seen_position.store(w.position, std::memory_order_relaxed);
  mapping_.metrics().polled->Add(records.size());
  mapping_.checkpointer().Advance(w);
  for (size_t i = 0; i < w.lanes.size(); ++i) {
    if (touched[i] || w.lanes[i]->HasWindow()) w.lanes[i]->Pump();
  }
  UpdatePollable(w);
  if (records.size() == limit) RequestPoll(w);
  CheckDrained(w);
}

void ShardReader::OnRecordsDone(ShardWorker& w, const std::vector<Record>& records) {
  for (const Record& r : records) {
    w.checkpoint.MarkDone(r.sequence);
    w.buffered -= std::min(w.buffered, size_t{1});
    w.buffered_bytes -= std::min(w.buffered_bytes, r.json.size());
  }
  mapping_.checkpointer().Advance(w);
  // Room again in the read-ahead: read on if the shard has more.
  if (CanRead(w) && w.watermark->load(std::memory_order_acquire) > w.position &&
      !w.poll_posted.exchange(true)) {
    PostPoll(w);
  }
  UpdatePollable(w);
}

// --- reset ---------------------------------------------------------------------------------

void ShardReader::Reset(ShardWorker& w) {
  ++w.epoch;
  for (auto& lane : w.lanes) lane->CancelTimer();
  BuildLanes(w);
  w.checkpoint.Clear();
  w.position = w.checkpoint.committed();
  w.seen_position.store(w.position);
  w.buffered = 0;
  w.buffered_bytes = 0;
  w.exhausted = false;
  UpdatePollable(w);
}

void ShardReader::Clear() {
  {
    MutexLock lock(index_mu_);
    index_.clear();
  }
  workers_.clear();
}

}  // namespace streamstack::esm
