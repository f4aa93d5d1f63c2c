// Shared fixture pieces for the dynamodb unit tests: an in-memory Store, a StreamStore and a
// TableStore over a fixed OffsetClock, with synchronous wrappers for the asynchronous writes.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/dynamodb/table_store.h"
#include "streamstack/storage/store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::dynamodb::test_env {

// 2024-06-10T19:26:16.525Z
inline SystemTime StartTime() { return SystemTime(std::chrono::milliseconds(1718047576525)); }

inline Item ParseItem(const std::string& text) {
  auto item = ItemFromJson(nlohmann::json::parse(text));
  EXPECT_TRUE(item.ok()) << text << ": " << item.status().message();
  return item.ok() ? item.value() : Item();
}

inline AttributeValue S(const std::string& s) { return AttributeValue::String(s); }
inline AttributeValue N(const std::string& n) {
  auto parsed = Number::Parse(n);
  EXPECT_TRUE(parsed.ok()) << n;
  return AttributeValue::Num(parsed.ok() ? parsed.value() : Number());
}
inline AttributeValue B(const std::string& raw) { return AttributeValue::Binary(raw); }

// Every item of a Query or Scan (`read` runs one page), following LastEvaluatedKey.
template <typename Request, typename Read>
std::vector<Item> ReadAll(Request r, Read read) {
  std::vector<Item> out;
  for (int page = 0; page < 10000; ++page) {
    auto result = read(r);
    EXPECT_TRUE(result.ok()) << result.status().message();
    if (!result.ok()) break;
    out.insert(out.end(), result->items.begin(), result->items.end());
    if (!result->last_evaluated_key) break;
    r.exclusive_start_key = result->last_evaluated_key;
  }
  return out;
}

// Whether global secondary index `index` of `table` is still backfilling (false when it or the
// table is gone).
inline bool Backfilling(const TableStore& tables, const std::string& table,
                        const std::string& index) {
  auto def = tables.FindTable(table);
  if (!def) return false;
  for (const SecondaryIndex& i : def->global_secondary_indexes) {
    if (i.name == index) return i.backfill.has_value();
  }
  return false;
}
// Waits (up to 20 s) for the background backfill of `index` to complete; false if it did not.
inline bool WaitForBackfill(const TableStore& tables, const std::string& table,
                            const std::string& index) {
  for (int i = 0; i < 20000 && Backfilling(tables, table, index); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return !Backfilling(tables, table, index);
}

// Holds the storage writer thread from construction until Release(): a write job that waits,
// so jobs queued meanwhile (a backfill's next chunk, item writes) run only after it.
class WriterHold {
 public:
  explicit WriterHold(storage::Store& store) {
    std::shared_future<void> released = release_.get_future().share();
    std::promise<void> holding;
    std::future<void> held = holding.get_future();
    store.Write(
        [released, holding = std::make_shared<std::promise<void>>(std::move(holding))](
            storage::WriteContext&) {
          holding->set_value();
          released.wait();
          return Status::Ok();
        },
        [](Status) {});
    held.wait();
  }
  ~WriterHold() { Release(); }
  void Release() {
    if (!released_) release_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> release_;
  bool released_ = false;
};

class TablesEnv {
 public:
  // `status_delay_ms`: --table-status-delay-ms (0: ACTIVE as soon as written).
  explicit TablesEnv(int64_t status_delay_ms = 0) {
    storage::StoreOptions options;
    options.in_memory = true;
    auto store = storage::Store::Open(options);
    EXPECT_TRUE(store.ok());
    store_ = std::move(store).value();
    streams_ = std::make_unique<streams::StreamStore>(*store_, clock_, Scope());
    EXPECT_TRUE(streams_->Open().ok());
    tables_ = std::make_unique<TableStore>(*store_, *streams_, clock_, Scope(), status_delay_ms);
    Status opened = tables_->Open();
    EXPECT_TRUE(opened.ok()) << opened.message();
  }
  ~TablesEnv() {
    tables_.reset();
    streams_.reset();
    Status ignored = store_->Close();
    (void)ignored;
  }

  static AccountScope Scope() { return AccountScope{"us-east-1", "000000000000"}; }

  OffsetClock& clock() { return clock_; }
  TableStore& tables() { return *tables_; }
  streams::StreamStore& streams() { return *streams_; }
  storage::Store& store() { return *store_; }

  // A PAY_PER_REQUEST table; `range_type` empty for a hash-only key.
  Status Create(const std::string& name, const std::string& hash_type,
                const std::string& range_type = "", bool stream = false) {
    CreateTableRequest r;
    r.table_name = name;
    r.attribute_definitions.push_back({"pk", hash_type});
    r.key_schema.push_back({"pk", "HASH"});
    if (!range_type.empty()) {
      r.attribute_definitions.push_back({"sk", range_type});
      r.key_schema.push_back({"sk", "RANGE"});
    }
    r.billing_mode = "PAY_PER_REQUEST";
    if (stream) r.stream_specification = StreamSpecification{true, "NEW_AND_OLD_IMAGES"};
    return tables_->CreateTable(r).status();
  }

  Status Put(const std::string& table, Item item) {
    PutItemRequest r;
    r.table_name = table;
    r.item = std::move(item);
    std::promise<Status> done;
    tables_->PutItem(std::move(r), [&](Result<WriteOutcome> out) { done.set_value(out.status()); });
    return done.get_future().get();
  }
  Status Put(const std::string& table, const std::string& json) {
    return Put(table, ParseItem(json));
  }

  Status Update(const std::string& table, Item key, const std::string& expression,
                std::map<std::string, AttributeValue> values = {}) {
    UpdateItemRequest r;
    r.table_name = table;
    r.key = std::move(key);
    r.expressions.update_expression = expression;
    if (!values.empty()) r.expressions.values = std::move(values);
    std::promise<Status> done;
    tables_->UpdateItem(std::move(r),
                        [&](Result<WriteOutcome> out) { done.set_value(out.status()); });
    return done.get_future().get();
  }

  Status Delete(const std::string& table, Item key) {
    DeleteItemRequest r;
    r.table_name = table;
    r.key = std::move(key);
    std::promise<Status> done;
    tables_->DeleteItem(std::move(r),
                        [&](Result<WriteOutcome> out) { done.set_value(out.status()); });
    return done.get_future().get();
  }

  // Every item of a Query or Scan, following LastEvaluatedKey.
  std::vector<Item> QueryAll(QueryRequest r) {
    return ReadAll(std::move(r), [&](const QueryRequest& q) { return tables_->Query(q); });
  }
  std::vector<Item> ScanAll(ScanRequest r) {
    return ReadAll(std::move(r), [&](const ScanRequest& q) { return tables_->Scan(q); });
  }

 private:
  OffsetClock clock_{StartTime()};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<streams::StreamStore> streams_;
  std::unique_ptr<TableStore> tables_;
};

// A database file in a fresh directory, opened again and again as a restart would: each
// Open(body) opens the store, StreamStore and TableStore on it, runs body(tables, store) and
// closes them. The directory goes with the object.
class FileTables {
 public:
  explicit FileTables(const std::string& label)
      : dir_(std::filesystem::temp_directory_path() /
             ("ss-" + label + "-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::rand()))) {
    std::filesystem::create_directories(dir_);
  }
  ~FileTables() { std::filesystem::remove_all(dir_); }
  FileTables(const FileTables&) = delete;
  FileTables& operator=(const FileTables&) = delete;

  OffsetClock& clock() { return clock_; }

  template <typename Body>
  void Open(Body&& body) {
    storage::StoreOptions options;
    options.path = (dir_ / "streamstack.db").string();
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok());
    {
      const AccountScope scope = TablesEnv::Scope();
      streams::StreamStore streams(**store, clock_, scope);
      ASSERT_TRUE(streams.Open().ok());
      TableStore tables(**store, streams, clock_, scope);
      Status opened = tables.Open();
      ASSERT_TRUE(opened.ok()) << opened.message();
      body(tables, **store);
    }
    ASSERT_TRUE((*store)->Close().ok());
  }

 private:
  std::filesystem::path dir_;
  OffsetClock clock_{StartTime()};
};

}  // namespace streamstack::dynamodb::test_env
