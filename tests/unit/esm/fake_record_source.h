// A RecordSource in memory for the esm unit tests: sources with shards (lineage, closing),
// records appended by the test (each append publishes the watermark and wakes the engine,
// as a commit does), positions in a syntax of its own ("pos-<n>") so a test sees that the
// engine uses the source's syntax, and a "FakeBatchInfo" failure-record section.
#pragma once

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/esm/record_source.h"

namespace streamstack::esm::testing {

class FakeRecordSource final : public RecordSource {
 public:
  static std::string Format(int64_t position) { return "pos-" + std::to_string(position); }
  static std::optional<int64_t> Parse(std::string_view text) {
    constexpr std::string_view kPrefix = "pos-";
    if (text.substr(0, kPrefix.size()) != kPrefix || text.size() == kPrefix.size()) {
      return std::nullopt;
    }
    int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data() + kPrefix.size(), end, value);
    if (ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
    return value;
  }

  // A source with no shards yet (ListShards answers an empty list).
  void AddSource(const std::string& arn) {
    std::lock_guard lock(mu_);
    sources_[arn];
  }
  // Opens a shard of `arn` (creating the source). Positions are unique per source and
  // increase across its shards, so a child's records come after its parent's.
  void AddShard(const std::string& arn, const std::string& shard_id,
                const std::string& parent_id = "") {
    {
      std::lock_guard lock(mu_);
      Shard& s = sources_[arn].shards.emplace_back();
      s.id = shard_id;
      s.parent = parent_id;
    }
    Notify(arn, shard_id);
  }
  // Closes a shard after its last record.
  void CloseShard(const std::string& arn, const std::string& shard_id) {
    std::lock_guard lock(mu_);
    Source& source = sources_[arn];
    Shard& s = Find(source, shard_id);
    s.ending = source.next;
  }
  // Appends a record (`json` as the function receives it; `key` orders it across lanes) and
  // wakes the engine. Returns its position.
  int64_t Append(const std::string& arn, const std::string& shard_id, std::string json,
                 int64_t created_ms, std::string key = "") {
    int64_t position = 0;
    {
      std::lock_guard lock(mu_);
      Source& source = sources_[arn];
      Shard& s = Find(source, shard_id);
      position = ++source.next;
      s.records.push_back({position, created_ms, std::move(json), std::move(key)});
      s.watermark->store(position, std::memory_order_release);
    }
    Notify(arn, shard_id);
    return position;
  }
  // Drops the records of a shard up to `position` (retention).
  void Trim(const std::string& arn, const std::string& shard_id, int64_t position) {
    std::lock_guard lock(mu_);
    Shard& s = Find(sources_[arn], shard_id);
    std::erase_if(s.records, [&](const Stored& r) { return r.position <= position; });
    s.trimmed = std::max(s.trimmed, position);
  }
  // Reads (and shard listings) fail with `status` until cleared with Status::Ok().
  void FailReads(Status status) {
    std::lock_guard lock(mu_);
    read_error_ = std::move(status);
  }

  size_t reads() const {
    std::lock_guard lock(mu_);
    return reads_;
  }
  size_t listeners() const {
    std::lock_guard lock(mu_);
    return listeners_.size();
  }

  // --- RecordSource ------------------------------------------------------------------------
  Result<std::vector<SourceShard>> ListShards(const std::string& arn) const override {
    std::lock_guard lock(mu_);
    auto it = sources_.find(arn);
    if (it == sources_.end()) {
      return Status(AwsError::kResourceNotFound, "no source " + arn);
    }
    std::vector<SourceShard> out;
    for (const Shard& s : it->second.shards) {
      out.push_back({s.id, s.parent, kTrimHorizon, s.ending, s.watermark});
    }
    return out;
  }

  Result<std::vector<SourceRecord>> Read(const std::string& arn, const std::string& shard_id,
                                         int64_t after, size_t limit,
                                         bool lane_keys) const override {
    std::lock_guard lock(mu_);
    ++reads_;
    if (!read_error_.ok()) return read_error_;
    auto it = sources_.find(arn);
    if (it == sources_.end()) return Status(AwsError::kResourceNotFound, "no source " + arn);
    const Shard* shard = nullptr;
    for (const Shard& s : it->second.shards) {
      if (s.id == shard_id) shard = &s;
    }
    if (shard == nullptr) return Status(AwsError::kResourceNotFound, "no shard " + shard_id);
    if (after > kTrimHorizon && after < shard->trimmed) {
      return Status(AwsError::kTrimmedDataAccess, "trimmed");
    }
    std::vector<SourceRecord> out;
    for (const Stored& r : shard->records) {
      if (r.position <= after) continue;
      if (out.size() >= limit) break;
      out.push_back({r.position, r.created_ms, r.json,
                     lane_keys ? LaneKeyHash(r.key.empty() ? r.json : r.key) : 0});
    }
    return out;
  }

  int Subscribe(WriteListener listener) override {
    std::lock_guard lock(mu_);
    listeners_.emplace(++next_handle_, std::make_shared<WriteListener>(std::move(listener)));
    return next_handle_;
  }
  void Unsubscribe(int handle) override {
    std::lock_guard lock(mu_);
    listeners_.erase(handle);
  }

  std::string FormatPosition(int64_t position) const override { return Format(position); }
  std::optional<int64_t> ParsePosition(std::string_view text) const override { return Parse(text); }

  BatchInfo DescribeBatch(const DiscardedBatch& b) const override {
    return {"FakeBatchInfo", nlohmann::ordered_json{{"shardId", b.shard_id},
                                                    {"start", Format(b.first_position)},
                                                    {"end", Format(b.last_position)},
                                                    {"firstCreated", b.first_created_ms},
                                                    {"lastCreated", b.last_created_ms},
                                                    {"batchSize", b.batch_size},
                                                    {"source", b.source_arn}}};
  }

 private:
  struct Stored {
    int64_t position;
    int64_t created_ms;
    std::string json;
    std::string key;
  };
  struct Shard {
    std::string id;
    std::string parent;
    std::optional<int64_t> ending;
    std::shared_ptr<std::atomic<int64_t>> watermark = std::make_shared<std::atomic<int64_t>>(0);
    std::vector<Stored> records;
    int64_t trimmed = 0;
  };
  struct Source {
    std::vector<Shard> shards;
    int64_t next = 0;
  };

  static Shard& Find(Source& source, const std::string& shard_id) {
    for (Shard& s : source.shards) {
      if (s.id == shard_id) return s;
    }
    std::abort();  // a test bug: append to a shard it never added
  }

  // Listeners run outside the lock, as a real source runs them after its commit.
  void Notify(const std::string& arn, const std::string& shard_id) {
    std::vector<std::shared_ptr<WriteListener>> listeners;
    {
      std::lock_guard lock(mu_);
      for (auto& [handle, l] : listeners_) listeners.push_back(l);
    }
    for (auto& l : listeners) (*l)(arn, shard_id);
  }

  mutable std::mutex mu_;
  std::map<std::string, Source> sources_;
  std::map<int, std::shared_ptr<WriteListener>> listeners_;
  int next_handle_ = 0;
  mutable size_t reads_ = 0;
  Status read_error_ = Status::Ok();
};

}  // namespace streamstack::esm::testing
