// Shared fixture pieces for the streams unit tests: a temp directory, a Store on a real
// SQLite file or in memory, a fixed OffsetClock, and a StreamStore over them.
#pragma once

#include <gtest/gtest.h>

#include "support/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "streamstack/common/clock.h"
#include "streamstack/storage/store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::streams::test_env {

using test_support::TempDir;

// 2024-06-10T19:26:16.525Z
inline SystemTime StartTime() { return SystemTime(std::chrono::milliseconds(1718047576525)); }

inline AccountScope TestScope() { return AccountScope{"us-west-2", "123456789012"}; }

// Owns a Store and a StreamStore; reopen() simulates a restart (file mode).
class StreamsEnv {
 public:
  explicit StreamsEnv(bool in_memory, StreamOptions options = {})
      : in_memory_(in_memory), options_(options) {
    Open();
  }
  ~StreamsEnv() { Close(); }

  void Open() {
    storage::StoreOptions so;
    so.in_memory = in_memory_;
    so.path = dir_.File("streams.db");
    auto store = storage::Store::Open(so);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    streams_ = std::make_unique<StreamStore>(*store_, clock_, TestScope(), options_);
    Status s = streams_->Open();
    ASSERT_TRUE(s.ok()) << s.message();
  }
  void Close() {
    streams_.reset();
    if (store_) {
      Status ignored = store_->Close();
      (void)ignored;
      store_.reset();
    }
  }
  void Reopen() {
    Close();
    Open();
  }

  OffsetClock& clock() { return clock_; }
  storage::Store& store() { return *store_; }
  StreamStore& streams() { return *streams_; }

 private:
  const bool in_memory_;
  const StreamOptions options_;
  TempDir dir_;
  OffsetClock clock_{StartTime()};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<StreamStore> streams_;
};

inline nlohmann::json KeySchema() {
  return nlohmann::json::array({{{"AttributeName", "pk"}, {"KeyType", "HASH"}}});
}

// A change to item pk=<key> of the given kind, with sizes that tell the parts apart.
inline ChangeRecord Change(EventName event, const std::string& key, bool ttl = false) {
  ChangeRecord r;
  r.event_name = event;
  r.keys = {{"pk", {{"S", key}}}};
  r.keys_size_bytes = 2 + static_cast<int64_t>(key.size());
  if (event != EventName::kRemove) {
    r.new_image = {{"pk", {{"S", key}}}, {"v", {{"N", "2"}}}};
    r.new_image_size_bytes = 100;
  }
  if (event != EventName::kInsert) {
    r.old_image = {{"pk", {{"S", key}}}, {"v", {{"N", "1"}}}};
    r.old_image_size_bytes = 1000;
  }
  r.ttl_expiry = ttl;
  return r;
}

}  // namespace streamstack::streams::test_env
