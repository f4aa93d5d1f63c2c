// The delivery engine. One MappingRuntime per mapping, with its own strand on the engine's
// io_context; one ShardWorker per shard of the mapping's stream; one Lane per
// ParallelizationFactor slot of a shard. All state of a mapping is touched only on its
// strand, except what the poll tick and the stream listener read (atomics, and the shard
// index under index_mu_).
//
// A worker reads records past its position into its lanes (by item key), a lane builds a
// batch (BatchSize, batching window, 6 MB, tumbling window), invokes, and on the answer
// marks records done, retries, bisects or discards (retry_policy.h decides which, the lane
// carries it out). The shard's checkpoint is the highest sequence below which every read
// record is done (checkpoint_tracker.h keeps it); it is written after each completed batch.
#include "streamstack/esm/engine.h"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "esm/batch.h"
#include "esm/checkpoint_tracker.h"
#include "esm/failure_record.h"
#include "esm/response.h"
#include "esm/retry_policy.h"
#include "streamstack/common/ids.h"
#include "streamstack/esm/filter.h"
#include "streamstack/esm/record_source.h"

namespace streamstack::esm {
namespace {

namespace asio = boost::asio;
using Strand = asio::strand<asio::io_context::executor_type>;

constexpr const char* kProcessingOk = "OK";
constexpr const char* kFunctionCallFailed = "PROBLEM: Function call failed";
// Attempts at handing a discarded batch's description to its destination.
constexpr int kDestinationAttempts = 3;
constexpr std::chrono::milliseconds kDestinationRetry{500};
// Records read ahead of the lanes, per lane: enough to keep an invoke's successor ready.
constexpr size_t kMinReadAhead = 200;
constexpr size_t kMaxReadChunk = 10000;
constexpr size_t kReadAheadBytesPerLane = 2 * kMaxPayloadBytes;

std::string Quote(const std::string& s) { return nlohmann::json(s).dump(); }

// A MappingConfig with what the engine derives from it. Immutable once built.
struct Settings {
  MappingConfig config;
  FilterSet filters;
  std::string quoted_source_arn;
  ResponseRules response;  // ReportBatchItemFailures, tumbling windows, the source's positions
  RetryRules retry;  // MaximumRetryAttempts, the record age limit, bisect, back-off
  size_t lanes = 1;

  bool SameLayout(const Settings& other) const {
    return lanes == other.lanes && config.filter_patterns == other.config.filter_patterns &&
           config.tumbling_window_in_seconds == other.config.tumbling_window_in_seconds &&
           config.function_arn == other.config.function_arn;
  }
};

struct Metrics {
  Gauge* iterator_age = nullptr;
  Counter* polled = nullptr;
  Counter* filtered = nullptr;
  Counter* invoked = nullptr;
  Counter* invocations = nullptr;
  Counter* failed = nullptr;
  Counter* dropped = nullptr;
  Counter* on_failure = nullptr;
};

constexpr const char* kMetricNames[] = {
    "streamstack_esm_iterator_age_milliseconds", "streamstack_esm_records_polled_total",
    "streamstack_esm_records_filtered_total",    "streamstack_esm_records_invoked_total",
    "streamstack_esm_invocations_total",         "streamstack_esm_records_failed_total",
    "streamstack_esm_records_dropped_total",     "streamstack_esm_records_on_failure_total"};

// One batch of a lane: formed from its queue, then retried, split or discarded as a unit.
struct Batch {
  std::vector<Record> records;  // empty: the final invoke of a tumbling window
  bool window_final = false;
  int function_errors = 0;  // counted attempts (MaximumRetryAttempts)
  int service_errors = 0;   // consecutive uncounted ones (back-off only)
  int invokes = 0;          // invocations of exactly these records
  std::string last_request_id;
  std::string last_version;  // the function version the last invocation ran
  unsigned last_status = 0;
  std::string last_function_error;

  BatchAttempts Attempts() const {
    return {records.size(), function_errors, service_errors, window_final};
  }

  std::vector<int64_t> Sequences() const {
    std::vector<int64_t> out;
    out.reserve(records.size());
    for (const Record& r : records) out.push_back(r.sequence);
    return out;
  }
};

// A tumbling window open on a lane.
struct Window {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string state = "{}";
  bool terminate_early = false;  // the state grew over 1 MB: the next invoke is final
};

enum class LaneState {
  kIdle,
  kWindow,    // gathering a batch (batching window) or waiting for a tumbling window's end
  kBackoff,   // waiting to retry
  kInvoking,  // an invoke is in flight
  kSending,   // a discarded batch is on its way to the on-failure destination
};

struct Lane {
  explicit Lane(const Strand& strand) : timer(strand) {}
  std::deque<Record> queue;
  std::deque<Batch> batches;  // front: the current one; bisect puts halves here
  LaneState state = LaneState::kIdle;
  asio::steady_timer timer;
  int64_t deadline_ms = 0;
  uint64_t timer_token = 0;
  std::optional<Window> window;
};

struct ShardWorker : std::enable_shared_from_this<ShardWorker> {
  std::string shard_id;
  std::string parent_id;
  // Replaced only on the strand with index_mu_ held; read by the tick under index_mu_.
  Watermark watermark;
  std::optional<int64_t> ending;  // set once the shard is closed
  int64_t position = 0;           // highest sequence read into the lanes
  int64_t persisted = 0;          // the checkpoint SQLite holds
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
};

}  // namespace

class DeliveryEngine::Core : public std::enable_shared_from_this<DeliveryEngine::Core> {
 public:
  class MappingRuntime;

  Core(RecordSource& s, Invoker& i, CheckpointStore& c, Destination& d,
       FunctionDirectory& f, const Clock& cl, MetricsRegistry& m, EngineOptions o)
      : source(s),
        invoker(i),
        checkpoints(c),
        destination(d),
        functions(f),
        clock(cl),
        metrics(m),
        options(o) {}

  void Start();
  void Stop();
  void Apply(MappingConfig config);
  void Remove(const std::string& uuid);
  void ClockAdvanced();
  size_t Active() const {
    std::lock_guard lock(mu);
    return mappings.size();
  }
  void Unregister(const std::string& uuid, const MappingRuntime* rt);
  void Barrier();

  // Constant after construction.
  RecordSource& source;
  Invoker& invoker;
  CheckpointStore& checkpoints;
  Destination& destination;
  FunctionDirectory& functions;
  const Clock& clock;
  MetricsRegistry& metrics;
  const EngineOptions options;

  asio::io_context io;
  std::atomic<bool> stopped{false};

 private:
  void Tick();
  void OnStreamWrite(const std::string& stream_arn, const std::string& shard_id);

  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  std::unique_ptr<asio::steady_timer> tick_;
  int listener_ = 0;
  bool started_ = false;

  mutable std::mutex mu;  // guards the two maps below
  std::unordered_map<std::string, std::shared_ptr<MappingRuntime>> mappings;
  std::unordered_map<std::string, std::vector<std::shared_ptr<MappingRuntime>>> by_stream;
};

// ---------------------------------------------------------------------------------------
// MappingRuntime: one mapping's workers. Every method without "Locked"/"Tick"/"OnWrite" in
// its name runs on strand_.
class DeliveryEngine::Core::MappingRuntime
    : public std::enable_shared_from_this<DeliveryEngine::Core::MappingRuntime> {
 public:
  MappingRuntime(std::shared_ptr<Core> core, std::string uuid, std::string stream_arn)
      : core_(std::move(core)),
        uuid_(std::move(uuid)),
        stream_arn_(std::move(stream_arn)),
        strand_(asio::make_strand(core_->io)),
        refresh_timer_(strand_) {}

  const std::string& stream_arn() const { return stream_arn_; }
  const Strand& strand() const { return strand_; }

  // Posts `fn` to the strand; it does not run once the engine stopped.
  template <typename F>
  void Post(F&& fn) {
    asio::post(strand_, [self = shared_from_this(), fn = std::forward<F>(fn)]() mutable {
      if (self->core_->stopped.load(std::memory_order_relaxed)) return;
      fn();
    });
  }

  // --- called off the strand -------------------------------------------------------------
  // The poll tick: wakes the workers whose shard has records past their position.
  void Tick() {
    std::lock_guard lock(index_mu_);
    for (const auto& [id, w] : index_) {
      if (w->pollable.load(std::memory_order_relaxed) &&
          w->watermark->load(std::memory_order_acquire) >
              w->seen_position.load(std::memory_order_relaxed)) {
        WakeLocked(w);
      }
    }
  }
  // A write committed to `shard_id` of this mapping's stream (the writer thread).
  void OnWrite(const std::string& shard_id, bool wake) {
    std::lock_guard lock(index_mu_);
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
  void RequestRefresh() {
    if (refresh_posted_.exchange(true)) return;
    Post([this] { Refresh(); });
  }

  // --- on the strand -----------------------------------------------------------------------
  void Configure(std::shared_ptr<const Settings> settings) {
    const bool first = settings_ == nullptr;
    if (!first && !settings_->SameLayout(*settings)) pending_reset_ = true;
    settings_ = std::move(settings);
    running_ = settings_->config.enabled && !deleted_;
    if (first) RegisterMetrics();
    spdlog::info("esm {}: {} ({} -> {}, BatchSize {}, window {} s, lanes {})", uuid_,
                 running_ ? "enabled" : "disabled", stream_arn_, settings_->config.function_arn,
                 settings_->config.batch_size, settings_->config.maximum_batching_window_in_seconds,
                 settings_->lanes);
    if (!running_ || pending_reset_) {
      RequestQuiesce();
    } else {
      Resume();
    }
  }

  void Delete() {
    deleted_ = true;
    running_ = false;
    spdlog::info("esm {}: deleted; stopping after the batches in flight", uuid_);
    RequestQuiesce();
  }

  void OnClockAdvanced() {
    for (auto& w : workers_) {
      for (auto& lane : w->lanes) {
        if (lane->state == LaneState::kWindow || lane->state == LaneState::kBackoff) {
          lane->timer.cancel();  // its handler re-checks the deadline on the Clock
        }
      }
    }
  }

  void StopTimers() {
    refresh_timer_.cancel();
    for (auto& w : workers_) {
      for (auto& lane : w->lanes) lane->timer.cancel();
    }
  }

 private:
  const MappingConfig& cfg() const { return settings_->config; }
  int64_t Now() const { return core_->clock.NowMillis(); }

  void WakeLocked(const std::shared_ptr<ShardWorker>& w) {
    if (w->poll_posted.exchange(true)) return;
    Post([this, w] { Poll(*w, /*force=*/true); });
  }

  void RegisterMetrics() {
    MetricLabels labels{{"uuid", uuid_}};
    MetricsRegistry& m = core_->metrics;
    metrics_.iterator_age = m.GetGauge(
        kMetricNames[0], labels, "Age in ms of the last record of the last batch, at its end");
    metrics_.polled = m.GetCounter(kMetricNames[1], labels, "Stream records read");
    metrics_.filtered = m.GetCounter(kMetricNames[2], labels, "Records matching no filter");
    metrics_.invoked = m.GetCounter(kMetricNames[3], labels, "Records sent in invocations");
    metrics_.invocations = m.GetCounter(kMetricNames[4], labels, "Invocations");
    metrics_.failed = m.GetCounter(kMetricNames[5], labels, "Records of failed invocations");
    metrics_.dropped = m.GetCounter(kMetricNames[6], labels, "Records discarded");
    metrics_.on_failure =
        m.GetCounter(kMetricNames[7], labels, "Discarded records described to the destination");
  }

  size_t ReadAheadRecords() const {
    return std::max(kMinReadAhead, static_cast<size_t>(2 * cfg().batch_size)) * settings_->lanes;
  }

  bool CanRead(const ShardWorker& w) const {
    return running_ && !pending_reset_ && w.parent_ready && !w.drained &&
           !(w.ending && w.exhausted) && w.buffered < ReadAheadRecords() &&
           w.buffered_bytes < kReadAheadBytesPerLane * settings_->lanes;
  }
  void UpdatePollable(ShardWorker& w) { w.pollable.store(CanRead(w), std::memory_order_relaxed); }

  // --- shards ------------------------------------------------------------------------------
  // Lists the shards again (one may have appeared while the mapping was stopped), reads
  // and pumps every lane.
  void Resume() {
    Refresh();
    for (auto& w : workers_) {
      for (size_t i = 0; i < w->lanes.size(); ++i) Pump(*w, i);
    }
  }

  void SetResult(const char* result) {
    if (!deleted_) core_->checkpoints.SetLastProcessingResult(uuid_, result);
  }

  void ScheduleRefresh() {
    refresh_timer_.expires_after(core_->options.stream_retry);
    refresh_timer_.async_wait(asio::bind_executor(
        strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
          if (ec || self->core_->stopped.load()) return;
          self->RequestRefresh();
        }));
  }

  void Refresh() {
    refresh_posted_.store(false);
    if (!running_ || deleted_) return;
    if (!checkpoints_loaded_) {
      auto loaded = core_->checkpoints.Load(uuid_);
      if (!loaded.ok()) {
        spdlog::warn("esm {}: cannot load checkpoints: {}", uuid_, loaded.status().message());
        ScheduleRefresh();
        return;
      }
      for (const auto& [shard, sequence] : loaded.value()) {
        if (auto s = core_->source.ParsePosition(sequence)) committed_[shard] = *s;
      }
      checkpoints_loaded_ = true;
    }
    auto shards = core_->source.ListShards(stream_arn_);
    if (!shards.ok()) {
      if (!missing_logged_) {
        spdlog::warn("esm {}: stream {} not readable ({}); looking again every {} ms", uuid_,
                     stream_arn_, shards.status().message(), core_->options.stream_retry.count());
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
        auto cp = committed_.find(shard.shard_id);
        // No checkpoint: a shard that appeared after the mapping (LATEST recorded the
        // shards that existed at Create) or a TRIM_HORIZON mapping: from the oldest record.
        const int64_t start = cp == committed_.end() ? kTrimHorizon : cp->second;
        w->position = w->persisted = start;
        w->checkpoint = CheckpointTracker(start);
        w->seen_position.store(w->position);
        BuildLanes(*w);
      }
      if (shard.ending_position && !w->ending) w->ending = shard.ending_position;
      next.push_back(std::move(w));
    }
    // Shards gone from the stream (retention) are forgotten once nothing of them is in flight.
    for (auto& [id, w] : old) {
      if (Busy(*w)) next.push_back(w);
    }
    {
      std::lock_guard lock(index_mu_);
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

  void BuildLanes(ShardWorker& w) {
    w.lanes.clear();
    for (size_t i = 0; i < settings_->lanes; ++i)
      w.lanes.push_back(std::make_unique<Lane>(strand_));
  }

  // AWS: a child shard is processed only after its parent is drained.
  void UpdateParents() {
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
          Post([this, wp] {
            UpdatePollable(*wp);
            if (CanRead(*wp)) Poll(*wp, true);
          });
        }
      }
    }
  }

  static bool Busy(const ShardWorker& w) {
    for (const auto& lane : w.lanes) {
      if (lane->state == LaneState::kInvoking || lane->state == LaneState::kSending) return true;
    }
    return false;
  }

  // --- reading -----------------------------------------------------------------------------
  void Poll(ShardWorker& w, bool force) {
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
    const size_t room = ReadAheadRecords() - w.buffered;
    const size_t limit =
        std::min({room, kMaxReadChunk, std::max<size_t>(cfg().batch_size, kMinReadAhead)});
    const bool closed_before_read = w.ending.has_value();
    auto read =
        core_->source.Read(stream_arn_, w.shard_id, w.position, limit, w.lanes.size() > 1);
    if (!read.ok()) {
      if (read.status().code() == AwsError::kTrimmedDataAccess) {
        // AWS: records past retention are gone; continue from the oldest one left.
        spdlog::warn("esm {}: {}: records after {} were trimmed before delivery", uuid_, w.shard_id,
                     core_->source.FormatPosition(w.position));
        w.position = kTrimHorizon;
        w.seen_position.store(kTrimHorizon);
        Post([this, wp = w.shared_from_this()] { Poll(*wp, true); });
      } else if (read.status().code() == AwsError::kResourceNotFound) {
        RequestRefresh();
      } else {
        spdlog::warn("esm {}: {}: reading failed: {}", uuid_, w.shard_id, read.status().message());
      }
      return;
    }
    const int64_t now = Now();
    std::vector<SourceRecord> records = std::move(read).value();
    std::vector<bool> touched(w.lanes.size(), false);
    for (SourceRecord& read_record : records) {
      if (!settings_->filters.empty()) {
        nlohmann::json event = nlohmann::json::parse(read_record.json, nullptr, false);
        if (event.is_discarded() || !settings_->filters.Matches(event)) {
          // AWS: records that match no filter are dropped and checkpointed past.
          w.checkpoint.Read(read_record.position, /*done=*/true);
          metrics_.filtered->Add();
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
      w.lanes[lane]->queue.push_back(std::move(r));
      touched[lane] = true;
    }
    if (!records.empty()) w.position = records.back().position;
    if (records.size() < limit) {
      // Every record up to the watermark seen before the read was committed before it.
      w.position = std::max(w.position, watermark);
      if (closed_before_read) w.exhausted = true;
    }
    w.seen_position.store(w.position, std::memory_order_relaxed);
    metrics_.polled->Add(records.size());
    Advance(w);
    for (size_t i = 0; i < w.lanes.size(); ++i) {
      if (touched[i] || w.lanes[i]->window) Pump(w, i);
    }
    UpdatePollable(w);
    if (records.size() == limit && CanRead(w) && !w.poll_posted.exchange(true)) {
      Post([this, wp = w.shared_from_this()] {
        if (wp) Poll(*wp, true);
      });
    }
    CheckDrained(w);
  }

  // --- batches -----------------------------------------------------------------------------
  void Pump(ShardWorker& w, size_t li) {
    if (li >= w.lanes.size()) return;
    Lane& lane = *w.lanes[li];
    if (lane.state == LaneState::kInvoking || lane.state == LaneState::kSending ||
        lane.state == LaneState::kBackoff) {
      return;
    }
    if (lane.state == LaneState::kWindow) {
      lane.state = LaneState::kIdle;
      ++lane.timer_token;
      lane.timer.cancel();
    }
    if (!running_ || pending_reset_) {
      RequestQuiesce();
      return;
    }
    const MappingConfig& c = cfg();
    const int64_t now = Now();
    const int64_t tumbling_ms = int64_t{c.tumbling_window_in_seconds} * 1000;
    if (lane.batches.empty() && tumbling_ms > 0 && lane.window) {
      bool close = lane.window->terminate_early;
      if (!close && !lane.queue.empty()) {
        close = WindowStart(lane.queue.front().created_ms, tumbling_ms) != lane.window->start_ms;
      } else if (!close) {
        const bool shard_ended = w.ending && w.exhausted;
        if (shard_ended) {
          close = true;  // AWS: when the shard ends, the window is closed
        } else if (now >= lane.window->end_ms) {
          // Records of the window may still be unread: catch up first.
          if (w.watermark->load(std::memory_order_acquire) > w.position) {
            if (CanRead(w) && !w.poll_posted.exchange(true)) {
              Post([this, wp = w.shared_from_this()] {
                if (wp) Poll(*wp, true);
              });
            }
            return;
          }
          close = true;
        } else {
          lane.state = LaneState::kWindow;
          ArmTimer(w, li, lane.window->end_ms);
          return;
        }
      }
      if (close) {
        Batch final_batch;
        final_batch.window_final = true;
        lane.batches.push_back(std::move(final_batch));
      }
    }
    if (lane.batches.empty()) {
      if (lane.queue.empty()) {
        CheckDrained(w);
        return;
      }
      size_t available = lane.queue.size();
      size_t overhead = kRecordsEventOverhead;
      if (tumbling_ms > 0) {
        int64_t start = WindowStart(lane.queue.front().created_ms, tumbling_ms);
        available = 0;
        for (const Record& r : lane.queue) {
          if (WindowStart(r.created_ms, tumbling_ms) != start) break;
          ++available;
        }
        overhead = WindowEventOverhead(WindowFields(w, lane, false));
      }
      const size_t batch_size = static_cast<size_t>(c.batch_size);
      size_t n = TakeCount(lane.queue, std::min(available, batch_size), kMaxPayloadBytes, overhead);
      // Full: BatchSize reached, the payload cap or the window's end cut it.
      const bool full = n == batch_size || n < available;
      if (!full && c.maximum_batching_window_in_seconds > 0) {
        int64_t deadline =
            lane.queue.front().read_ms + int64_t{c.maximum_batching_window_in_seconds} * 1000;
        if (now < deadline) {
          lane.state = LaneState::kWindow;
          ArmTimer(w, li, deadline);
          return;
        }
      }
      Batch batch;
      batch.records.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.records.push_back(std::move(lane.queue.front()));
        lane.queue.pop_front();
      }
      if (tumbling_ms > 0 && !lane.window) {
        int64_t start = WindowStart(batch.records.front().created_ms, tumbling_ms);
        lane.window = Window{start, start + tumbling_ms, "{}", false};
      }
      lane.batches.push_back(std::move(batch));
    }
    Batch& batch = lane.batches.front();
    const Step before =
        StepBeforeInvoke(batch.records, batch.window_final, Now(), settings_->retry);
    if (before.kind == StepKind::kDiscard) {
      DiscardFront(w, li, before.count, before.condition);
      return;
    }
    Invoke(w, li);
  }

  WindowEventFields WindowFields(const ShardWorker& w, const Lane& lane, bool is_final) const {
    WindowEventFields f;
    if (lane.window) {
      f.window_start_ms = lane.window->start_ms;
      f.window_end_ms = lane.window->end_ms;
      f.state_json = lane.window->state;
      f.terminated_early = lane.window->terminate_early;
    }
    f.shard_id = w.shard_id;
    f.quoted_arn = settings_->quoted_source_arn;
    f.is_final = is_final;
    return f;
  }

  void Invoke(ShardWorker& w, size_t li) {
    Lane& lane = *w.lanes[li];
    Batch& batch = lane.batches.front();
    auto target = core_->functions.Resolve(cfg().function_arn);
    if (!target.ok()) {
      spdlog::warn("esm {}: {}: cannot invoke {}: {}", uuid_, w.shard_id, cfg().function_arn,
                   target.status().message());
      SetResult(kFunctionCallFailed);
      Classification unreachable;  // retried like a service error
      unreachable.verdict = Verdict::kServiceError;
      CarryOut(w, li, NextStep(batch.Attempts(), unreachable, settings_->retry));
      return;
    }
    Invocation invocation;
    invocation.function = std::move(target).value();
    if (cfg().tumbling_window_in_seconds > 0) {
      invocation.payload =
          BuildWindowEvent(batch.records, WindowFields(w, lane, batch.window_final));
    } else {
      invocation.payload = BuildRecordsEvent(batch.records);
    }
    batch.last_request_id = NewUuidV4();
    batch.last_version = invocation.function.version;
    invocation.request_id = batch.last_request_id;
    ++batch.invokes;
    lane.state = LaneState::kInvoking;
    metrics_.invocations->Add();
    metrics_.invoked->Add(batch.records.size());
    if (!batch.records.empty()) {
      spdlog::debug("esm {}: invoking {} with {} records of {} ({}..{}), attempt {}", uuid_,
                    cfg().function_arn, batch.records.size(), w.shard_id,
                    batch.records.front().sequence, batch.records.back().sequence, batch.invokes);
    } else {
      spdlog::debug("esm {}: final invoke of {} for window {} of {}", uuid_, cfg().function_arn,
                    FormatIso8601Seconds(lane.window ? lane.window->start_ms : 0), w.shard_id);
    }
    core_->invoker.Invoke(std::move(invocation),
                          [self = shared_from_this(), wp = w.shared_from_this(), li,
                           epoch = w.epoch](InvokeOutcome outcome) {
                            self->Post([self, wp, li, epoch, outcome = std::move(outcome)]() mutable {
                              if (wp && wp->epoch == epoch) {
                                self->OnInvoked(*wp, li, std::move(outcome));
                              }
                            });
                          });
  }

  void OnInvoked(ShardWorker& w, size_t li, InvokeOutcome outcome) {
    Lane& lane = *w.lanes[li];
    lane.state = LaneState::kIdle;
    Batch& batch = lane.batches.front();
    std::vector<int64_t> sequences = batch.Sequences();
    Classification verdict = ClassifyResponse(outcome, settings_->response, sequences);
    batch.last_status = verdict.status_code;
    batch.last_function_error = verdict.function_error;
    const Step step = NextStep(batch.Attempts(), verdict, settings_->retry);
    Report(w, lane, batch, verdict, step);
    CarryOut(w, li, step);
  }

  // What an answer tells the mapping's LastProcessingResult, metrics, logs and tumbling
  // window, before the lane acts on it.
  void Report(const ShardWorker& w, Lane& lane, const Batch& batch, const Classification& verdict,
              const Step& step) {
    const MappingConfig& c = cfg();
    const bool tumbling = c.tumbling_window_in_seconds > 0;
    switch (verdict.verdict) {
      case Verdict::kSuccess:
        SetResult(kProcessingOk);
        if (tumbling) AcceptState(lane, batch.window_final, verdict.state);
        if (!batch.records.empty()) {
          metrics_.iterator_age->Set(Now() - batch.records.back().created_ms);
        }
        return;
      case Verdict::kPartialFailure: {
        SetResult(kFunctionCallFailed);
        if (tumbling) AcceptState(lane, false, verdict.state);
        const size_t k = verdict.first_failed;
        metrics_.failed->Add(batch.records.size() - k);
        spdlog::info("esm {}: {}: {} reported {} failed records from {}", uuid_, w.shard_id,
                     c.function_arn, batch.records.size() - k, batch.records[k].sequence);
        return;
      }
      case Verdict::kFunctionError:
        SetResult(kFunctionCallFailed);
        metrics_.failed->Add(batch.records.size());
        if (step.kind == StepKind::kBisect) {
          spdlog::info("esm {}: {}: {} failed ({}); bisecting into {} + {} records", uuid_,
                       w.shard_id, c.function_arn, verdict.reason, step.count,
                       batch.records.size() - step.count);
        } else if (step.kind == StepKind::kRetry) {
          spdlog::info("esm {}: {}: {} failed ({}); retry {}{}", uuid_, w.shard_id, c.function_arn,
                       verdict.reason, step.function_errors,
                       c.maximum_retry_attempts >= 0
                           ? " of " + std::to_string(c.maximum_retry_attempts)
                           : std::string());
        } else {
          spdlog::warn("esm {}: {}: {} failed ({}); retries exhausted", uuid_, w.shard_id,
                       c.function_arn, verdict.reason);
        }
        return;
      case Verdict::kServiceError:
        SetResult(kFunctionCallFailed);
        spdlog::info("esm {}: {}: {} not reached ({}); retrying (not counted)", uuid_, w.shard_id,
                     c.function_arn, verdict.reason);
        return;
    }
  }

  // Carries out the retry policy's step for the lane's front batch (retry_policy.h says what
  // each step means); then the lane goes on, unless a back-off or a discard took it over.
  void CarryOut(ShardWorker& w, size_t li, const Step& step) {
    Lane& lane = *w.lanes[li];
    Batch& batch = lane.batches.front();
    switch (step.kind) {
      case StepKind::kInvoke:
        Invoke(w, li);
        return;
      case StepKind::kDone: {
        Batch done = std::move(batch);
        lane.batches.pop_front();
        MarkDone(w, done.records);
        break;
      }
      case StepKind::kRetryFrom: {
        const size_t k = step.count;
        std::vector<Record> succeeded(std::make_move_iterator(batch.records.begin()),
                                      std::make_move_iterator(batch.records.begin() + k));
        Batch rest;
        rest.records.assign(std::make_move_iterator(batch.records.begin() + k),
                            std::make_move_iterator(batch.records.end()));
        batch = std::move(rest);
        metrics_.iterator_age->Set(Now() - succeeded.back().created_ms);
        MarkDone(w, succeeded);
        if (step.refill) Refill(w, lane, batch);
        if (!step.delay_ms) break;
        Backoff(w, li, *step.delay_ms);
        return;
      }
      case StepKind::kRetry:
        batch.function_errors = step.function_errors;
        batch.service_errors = step.service_errors;
        if (step.refill) Refill(w, lane, batch);
        Backoff(w, li, step.delay_ms.value_or(0));
        return;
      case StepKind::kBisect: {
        Batch second;
        second.function_errors = step.function_errors;
        second.records.assign(std::make_move_iterator(batch.records.begin() + step.count),
                              std::make_move_iterator(batch.records.end()));
        batch.records.resize(step.count);
        batch.invokes = 0;
        batch.function_errors = step.function_errors;
        batch.service_errors = step.service_errors;
        lane.batches.insert(lane.batches.begin() + 1, std::move(second));
        break;
      }
      case StepKind::kDiscard:
        DiscardFront(w, li, step.count, step.condition);
        return;
      case StepKind::kDropWindow:
        lane.window.reset();
        lane.batches.pop_front();
        break;
    }
    if (!running_ || pending_reset_) {
      RequestQuiesce();
      return;
    }
    Pump(w, li);
  }

  void AcceptState(Lane& lane, bool was_final, const std::string& state) {
    if (!lane.window) return;
    if (was_final) {
      lane.window.reset();  // AWS: after the final invoke the state is dropped
      return;
    }
    lane.window->state = state;
    if (state.size() > kMaxWindowStateBytes) lane.window->terminate_early = true;
  }

  // Tops a batch that keeps failing partway up with the records that follow it (AWS retries
  // "all records starting from that checkpoint").
  void Refill(const ShardWorker& w, Lane& lane, Batch& batch) {
    const MappingConfig& c = cfg();
    const int64_t tumbling_ms = int64_t{c.tumbling_window_in_seconds} * 1000;
    size_t bytes = kRecordsEventOverhead;
    for (const Record& r : batch.records) bytes += r.json.size() + 1;
    if (tumbling_ms > 0) bytes += WindowEventOverhead(WindowFields(w, lane, false));
    while (!lane.queue.empty() && batch.records.size() < static_cast<size_t>(c.batch_size)) {
      const Record& next = lane.queue.front();
      if (bytes + next.json.size() + 1 > kMaxPayloadBytes) break;
      if (tumbling_ms > 0 && lane.window &&
          WindowStart(next.created_ms, tumbling_ms) != lane.window->start_ms) {
        break;
      }
      bytes += next.json.size() + 1;
      batch.records.push_back(std::move(lane.queue.front()));
      lane.queue.pop_front();
    }
  }

  void Backoff(ShardWorker& w, size_t li, int64_t delay_ms) {
    Lane& lane = *w.lanes[li];
    if (!running_ || pending_reset_) {
      RequestQuiesce();
      return;
    }
    lane.state = LaneState::kBackoff;
    ArmTimer(w, li, Now() + delay_ms);
  }

  void ArmTimer(ShardWorker& w, size_t li, int64_t deadline_ms) {
    Lane& lane = *w.lanes[li];
    lane.deadline_ms = deadline_ms;
    const uint64_t token = ++lane.timer_token;
    lane.timer.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, deadline_ms - Now())));
    lane.timer.async_wait(
        asio::bind_executor(strand_, [self = shared_from_this(), wp = w.shared_from_this(), li,
                                      epoch = w.epoch, token](const boost::system::error_code&) {
          if (self->core_->stopped.load(std::memory_order_relaxed) || !wp) return;
          if (wp->epoch != epoch) return;
          self->OnTimer(*wp, li, token);
        }));
  }

  void OnTimer(ShardWorker& w, size_t li, uint64_t token) {
    if (li >= w.lanes.size()) return;
    Lane& lane = *w.lanes[li];
    if (token != lane.timer_token) return;
    if (lane.state != LaneState::kWindow && lane.state != LaneState::kBackoff) return;
    if (Now() < lane.deadline_ms) {
      ArmTimer(w, li, lane.deadline_ms);
      return;
    }
    lane.state = LaneState::kIdle;
    Pump(w, li);
  }

  // --- discarding --------------------------------------------------------------------------
  // Discards the first `count` records of the lane's front batch (all of them, or the ones
  // over the age limit); what remains of the batch stays at the front.
  void DiscardFront(ShardWorker& w, size_t li, size_t count, FailureCondition condition) {
    Lane& lane = *w.lanes[li];
    Batch& batch = lane.batches.front();
    if (count >= batch.records.size()) {
      Batch gone = std::move(batch);
      lane.batches.pop_front();
      Discard(w, li, std::move(gone), condition);
      return;
    }
    Batch gone;
    gone.invokes = batch.invokes;
    gone.last_request_id = batch.last_request_id;
    gone.last_version = batch.last_version;
    gone.last_status = batch.last_status;
    gone.last_function_error = batch.last_function_error;
    gone.records.assign(std::make_move_iterator(batch.records.begin()),
                        std::make_move_iterator(batch.records.begin() + count));
    batch.records.erase(batch.records.begin(), batch.records.begin() + count);
    Discard(w, li, std::move(gone), condition);
  }

  // AWS: the batch is discarded and its description goes to the on-failure destination;
  // then processing continues. The records count as done only once the destination has
  // the description, so a crash in between delivers them again rather than losing them.
  void Discard(ShardWorker& w, size_t li, Batch gone, FailureCondition condition) {
    Lane& lane = *w.lanes[li];
    const MappingConfig& c = cfg();
    metrics_.dropped->Add(gone.records.size());
    spdlog::warn(
        "esm {}: {}: discarding {} records ({}..{}): {}{}", uuid_, w.shard_id, gone.records.size(),
        gone.records.front().sequence, gone.records.back().sequence,
        FailureConditionName(condition),
        c.on_failure_destination.empty() ? "" : "; described to " + c.on_failure_destination);
    if (c.on_failure_destination.empty()) {
      MarkDone(w, gone.records);
      // Posted, not called: a long run of expired batches must not recurse.
      Post([this, wp = w.shared_from_this(), li, epoch = w.epoch] {
        if (wp->epoch == epoch) Pump(*wp, li);
      });
      return;
    }
    FailureRecord f = Describe(w, gone, condition);
    lane.state = LaneState::kSending;
    auto pending = std::make_shared<Batch>(std::move(gone));
    SendDescription(w, li, pending, c.on_failure_destination, BuildFailureRecord(f), 1);
  }

  FailureRecord Describe(const ShardWorker& w, const Batch& gone, FailureCondition condition) {
    FailureRecord f;
    f.request_id = gone.last_request_id.empty() ? NewUuidV4() : gone.last_request_id;
    f.function_arn = cfg().function_arn;
    f.condition = condition;
    f.invokes = gone.invokes;
    if (gone.invokes > 0 && gone.last_status != 0) {
      FailureResponse response;
      response.status_code = gone.last_status;
      if (!gone.last_version.empty()) response.executed_version = gone.last_version;
      if (!gone.last_function_error.empty()) response.function_error = gone.last_function_error;
      f.response = std::move(response);
    }
    f.timestamp_ms = Now();
    DiscardedBatch batch;
    batch.source_arn = stream_arn_;
    batch.shard_id = w.shard_id;
    batch.first_position = gone.records.front().sequence;
    batch.last_position = gone.records.back().sequence;
    batch.first_created_ms = gone.records.front().created_ms;
    batch.last_created_ms = gone.records.back().created_ms;
    batch.batch_size = gone.records.size();
    f.batch_info = core_->source.DescribeBatch(batch);
    return f;
  }

  void SendDescription(ShardWorker& w, size_t li, std::shared_ptr<Batch> gone,
                       std::string destination, std::string message, int attempt) {
    std::string copy = message;
    core_->destination.Send(
        destination, std::move(copy),
        [self = shared_from_this(), wp = w.shared_from_this(), li, epoch = w.epoch, gone,
         destination, message = std::move(message), attempt](Status status) mutable {
          self->Post([self, wp, li, epoch, gone, destination = std::move(destination),
                      message = std::move(message), attempt, status = std::move(status)]() mutable {
            if (!wp || wp->epoch != epoch) return;
            self->OnDescriptionSent(*wp, li, gone, std::move(destination), std::move(message),
                                    attempt, status);
          });
        });
  }

  void OnDescriptionSent(ShardWorker& w, size_t li, std::shared_ptr<Batch> gone,
                         std::string destination, std::string message, int attempt,
                         const Status& status) {
    if (!status.ok() && attempt < kDestinationAttempts) {
      spdlog::warn("esm {}: on-failure destination {} refused ({}); retrying", uuid_, destination,
                   status.message());
      auto timer = std::make_shared<asio::steady_timer>(strand_, kDestinationRetry);
      timer->async_wait(asio::bind_executor(
          strand_, [self = shared_from_this(), wp = w.shared_from_this(), li, epoch = w.epoch, gone,
                    timer, destination = std::move(destination), message = std::move(message),
                    attempt](const boost::system::error_code&) mutable {
            if (self->core_->stopped.load() || !wp || wp->epoch != epoch) return;
            self->SendDescription(*wp, li, gone, std::move(destination), std::move(message),
                                  attempt + 1);
          }));
      return;
    }
    if (status.ok()) {
      metrics_.on_failure->Add(gone->records.size());
    } else {
      spdlog::error(
          "esm {}: on-failure destination {} refused the description of records "
          "{}..{} of {}: {}; they are lost",
          uuid_, destination, gone->records.front().sequence, gone->records.back().sequence,
          w.shard_id, status.message());
    }
    if (li >= w.lanes.size()) return;
    w.lanes[li]->state = LaneState::kIdle;
    MarkDone(w, gone->records);
    if (!running_ || pending_reset_) {
      RequestQuiesce();
      return;
    }
    Pump(w, li);
  }

  // --- progress ----------------------------------------------------------------------------
  void MarkDone(ShardWorker& w, const std::vector<Record>& records) {
    for (const Record& r : records) {
      w.checkpoint.MarkDone(r.sequence);
      w.buffered -= std::min(w.buffered, size_t{1});
      w.buffered_bytes -= std::min(w.buffered_bytes, r.json.size());
    }
    Advance(w);
    // Room again in the read-ahead: read on if the shard has more.
    if (CanRead(w) && w.watermark->load(std::memory_order_acquire) > w.position &&
        !w.poll_posted.exchange(true)) {
      Post([this, wp = w.shared_from_this()] {
        if (wp) Poll(*wp, true);
      });
    }
    UpdatePollable(w);
  }

  void Advance(ShardWorker& w) {
    if (!w.checkpoint.Advance(w.position)) return;
    committed_[w.shard_id] = w.checkpoint.committed();
    Persist(w);
  }

  void Persist(ShardWorker& w) {
    if (w.persisting || w.checkpoint.committed() <= w.persisted || deleted_) return;
    w.persisting = true;
    const int64_t value = w.checkpoint.committed();
    core_->checkpoints.Save(
        uuid_, w.shard_id, core_->source.FormatPosition(value),
        [self = shared_from_this(), wp = w.shared_from_this(), value](Status status) {
          self->Post([self, wp, value, status = std::move(status)] {
            if (!wp) return;
            wp->persisting = false;
            if (status.ok()) {
              wp->persisted = std::max(wp->persisted, value);
              self->Persist(*wp);
            } else {
              spdlog::warn("esm {}: checkpoint of {} failed: {}", self->uuid_, wp->shard_id,
                           status.message());
            }
          });
        });
  }

  void CheckDrained(ShardWorker& w) {
    if (w.drained || !w.ending || !w.parent_ready) return;
    if (w.position < *w.ending && !w.exhausted) {
      // Read once more: that read tells whether anything is left.
      if (CanRead(w) && !w.poll_posted.exchange(true)) {
        Post([this, wp = w.shared_from_this()] {
          if (wp) Poll(*wp, true);
        });
      }
      return;
    }
    if (!w.checkpoint.empty()) return;
    for (size_t i = 0; i < w.lanes.size(); ++i) {
      Lane& lane = *w.lanes[i];
      if (!lane.queue.empty() || !lane.batches.empty() || lane.state != LaneState::kIdle) return;
      if (lane.window) {
        Pump(w, i);  // the shard ended: the window's final invoke comes first
        return;
      }
    }
    w.drained = true;
    UpdatePollable(w);
    spdlog::info("esm {}: shard {} drained", uuid_, w.shard_id);
    UpdateParents();
  }

  // --- stop, disable, re-layout ------------------------------------------------------------
  void RequestQuiesce() {
    if (quiesce_posted_) return;
    quiesce_posted_ = true;
    Post([this] {
      quiesce_posted_ = false;
      Quiesce();
    });
  }

  // Once no invoke or destination send is in flight, drops what was read but not done (it is
  // read again from the checkpoint) and rebuilds the lanes.
  void Quiesce() {
    if (running_ && !pending_reset_) return;
    for (auto& w : workers_) {
      if (Busy(*w)) return;  // the answer's handler calls us again
    }
    for (auto& w : workers_) ResetWorker(*w);
    pending_reset_ = false;
    if (deleted_) {
      StopTimers();
      for (const char* name : kMetricNames) core_->metrics.Remove(name, "uuid", uuid_);
      {
        std::lock_guard lock(index_mu_);
        index_.clear();
      }
      workers_.clear();
      core_->Unregister(uuid_, this);
      return;
    }
    if (running_) Resume();
  }

  void ResetWorker(ShardWorker& w) {
    ++w.epoch;
    for (auto& lane : w.lanes) lane->timer.cancel();
    BuildLanes(w);
    w.checkpoint.Clear();
    w.position = w.checkpoint.committed();
    w.seen_position.store(w.position);
    w.buffered = 0;
    w.buffered_bytes = 0;
    w.exhausted = false;
    UpdatePollable(w);
  }

  // Constant after construction.
  const std::shared_ptr<Core> core_;
  const std::string uuid_;
  const std::string stream_arn_;
  Strand strand_;

  // Strand state.
  std::shared_ptr<const Settings> settings_;
  Metrics metrics_;
  bool running_ = false;
  bool deleted_ = false;
  bool pending_reset_ = false;
  bool quiesce_posted_ = false;
  bool listed_ = false;
  bool checkpoints_loaded_ = false;
  bool missing_logged_ = false;
  std::map<std::string, int64_t> committed_;  // shard -> checkpoint (memory is authoritative)
  std::vector<std::shared_ptr<ShardWorker>> workers_;  // parents before children
  asio::steady_timer refresh_timer_;

  std::atomic<bool> refresh_posted_{false};
  std::mutex index_mu_;  // guards index_ and each worker's watermark pointer
  std::unordered_map<std::string, std::shared_ptr<ShardWorker>> index_;
};

// ---------------------------------------------------------------------------------------

void DeliveryEngine::Core::Start() {
  if (started_) return;
  started_ = true;
  work_.emplace(asio::make_work_guard(io));
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    threads_.emplace_back([this] { io.run(); });
  }
  std::weak_ptr<Core> weak = shared_from_this();
  listener_ = source.Subscribe([weak](const std::string& arn, const std::string& shard) {
    if (auto core = weak.lock()) core->OnStreamWrite(arn, shard);
  });
  if (options.poll_interval.count() > 0) {
    tick_ = std::make_unique<asio::steady_timer>(io);
    Tick();
  }
  spdlog::info("esm: delivery engine started ({} threads, {})", threads_.size(),
               options.poll_interval.count() > 0
                   ? "polling every " + std::to_string(options.poll_interval.count()) + " ms"
                   : std::string("woken by every write"));
}

void DeliveryEngine::Core::Tick() {
  tick_->expires_after(options.poll_interval);
  tick_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped.load()) return;
    self->Tick();
  });
  std::lock_guard lock(mu);
  for (auto& [uuid, rt] : mappings) rt->Tick();
}

void DeliveryEngine::Core::OnStreamWrite(const std::string& stream_arn,
                                         const std::string& shard_id) {
  if (stopped.load(std::memory_order_relaxed)) return;
  const bool wake = options.poll_interval.count() == 0;
  std::lock_guard lock(mu);
  auto it = by_stream.find(stream_arn);
  if (it == by_stream.end()) return;
  for (auto& rt : it->second) rt->OnWrite(shard_id, wake);
}

void DeliveryEngine::Core::Stop() {
  if (stopped.exchange(true)) return;
  if (started_) {
    source.Unsubscribe(listener_);
    work_.reset();
    io.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
  // Single-threaded from here: cancel every timer and let the cancelled handlers (which all
  // return at once now) run, so nothing refers to the mappings any more.
  std::vector<std::shared_ptr<MappingRuntime>> all;
  {
    std::lock_guard lock(mu);
    for (auto& [uuid, rt] : mappings) all.push_back(rt);
    mappings.clear();
    by_stream.clear();
  }
  if (tick_) tick_->cancel();
  for (auto& rt : all) rt->StopTimers();
  io.restart();
  io.poll();
  spdlog::info("esm: delivery engine stopped");
}

void DeliveryEngine::Core::Apply(MappingConfig config) {
  if (stopped.load()) return;
  auto settings = std::make_shared<Settings>();
  auto filters = FilterSet::Parse(config.filter_patterns);
  if (filters.ok()) {
    settings->filters = std::move(filters).value();
  } else {
    // The API validated them; a pattern this build cannot parse keeps every record.
    spdlog::error("esm {}: filter criteria not understood ({}); delivering every record",
                  config.uuid, filters.status().message());
  }
  settings->quoted_source_arn = Quote(config.event_source_arn);
  settings->response.report_batch_item_failures = config.report_batch_item_failures;
  settings->response.tumbling_window = config.tumbling_window_in_seconds > 0;
  settings->response.parse_position = [src = &source](std::string_view text) {
    return src->ParsePosition(text);
  };
  settings->retry.maximum_retry_attempts = config.maximum_retry_attempts;
  settings->retry.maximum_record_age_ms =
      config.maximum_record_age_in_seconds < 0
          ? options.record_retention.count()
          : int64_t{config.maximum_record_age_in_seconds} * 1000;
  settings->retry.bisect_batch_on_function_error = config.bisect_batch_on_function_error;
  settings->retry.backoff_base_ms = options.retry_backoff_base.count();
  settings->retry.backoff_max_ms = options.retry_backoff_max.count();
  settings->lanes = static_cast<size_t>(std::clamp(config.parallelization_factor, 1, 10));
  config.batch_size = std::max(1, config.batch_size);
  settings->config = std::move(config);

  std::shared_ptr<MappingRuntime> rt;
  {
    std::lock_guard lock(mu);
    auto it = mappings.find(settings->config.uuid);
    if (it == mappings.end()) {
      if (!settings->config.enabled) return;  // nothing runs for it yet
      rt = std::make_shared<MappingRuntime>(shared_from_this(), settings->config.uuid,
                                            settings->config.event_source_arn);
      mappings.emplace(settings->config.uuid, rt);
      by_stream[settings->config.event_source_arn].push_back(rt);
    } else {
      rt = it->second;
    }
  }
  rt->Post([rt, settings = std::shared_ptr<const Settings>(std::move(settings))]() mutable {
    rt->Configure(std::move(settings));
  });
}

void DeliveryEngine::Core::Remove(const std::string& uuid) {
  std::shared_ptr<MappingRuntime> rt;
  {
    std::lock_guard lock(mu);
    auto it = mappings.find(uuid);
    if (it == mappings.end()) return;
    rt = it->second;
  }
  rt->Post([rt] { rt->Delete(); });
}

void DeliveryEngine::Core::Unregister(const std::string& uuid, const MappingRuntime* rt) {
  std::lock_guard lock(mu);
  auto it = mappings.find(uuid);
  if (it == mappings.end() || it->second.get() != rt) return;
  auto& list = by_stream[rt->stream_arn()];
  std::erase_if(list, [rt](const auto& p) { return p.get() == rt; });
  if (list.empty()) by_stream.erase(rt->stream_arn());
  mappings.erase(it);
}

void DeliveryEngine::Core::Barrier() {
  std::vector<std::shared_ptr<MappingRuntime>> all;
  {
    std::lock_guard lock(mu);
    for (auto& [uuid, rt] : mappings) all.push_back(rt);
  }
  for (auto& rt : all) {
    auto reached = std::make_shared<std::promise<void>>();
    std::future<void> done = reached->get_future();
    asio::post(rt->strand(), [reached] { reached->set_value(); });
    done.wait_for(std::chrono::seconds(5));
  }
}

void DeliveryEngine::Core::ClockAdvanced() {
  std::lock_guard lock(mu);
  for (auto& [uuid, rt] : mappings) {
    rt->Post([rt = rt] { rt->OnClockAdvanced(); });
  }
}

// ---------------------------------------------------------------------------------------

DeliveryEngine::DeliveryEngine(RecordSource& source, Invoker& invoker,
                               CheckpointStore& checkpoints, Destination& destination,
                               FunctionDirectory& functions, const Clock& clock,
                               MetricsRegistry& metrics, EngineOptions options)
    : core_(std::make_shared<Core>(source, invoker, checkpoints, destination, functions, clock,
                                   metrics, options)) {}

DeliveryEngine::~DeliveryEngine() { Stop(); }

void DeliveryEngine::Start() { core_->Start(); }
void DeliveryEngine::Stop() { core_->Stop(); }
void DeliveryEngine::Apply(MappingConfig config) { core_->Apply(std::move(config)); }
void DeliveryEngine::Remove(const std::string& uuid) { core_->Remove(uuid); }
void DeliveryEngine::ClockAdvanced() { core_->ClockAdvanced(); }
size_t DeliveryEngine::ActiveMappings() const { return core_->Active(); }

void DeliveryEngine::TEST_Barrier() { core_->Barrier(); }

}  // namespace streamstack::esm
