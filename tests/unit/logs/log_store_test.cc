#include "streamstack/logs/log_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>

namespace streamstack::logs {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr int64_t kDayMs = 86'400'000;

Status Await(const std::function<void(StatusDone)>& fn) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  fn([promise](Status st) { promise->set_value(std::move(st)); });
  return future.get();
}

class LogStoreTest : public ::testing::Test {
 protected:
  explicit LogStoreTest(LogStoreOptions options = {})
      : clock_(SystemTime(std::chrono::milliseconds(kStart))) {
    storage::StoreOptions store_options;
    store_options.in_memory = true;
    store_ = std::move(storage::Store::Open(store_options)).value();
    logs_ = std::make_unique<LogStore>(*store_, clock_, AccountScope{}, options);
    EXPECT_TRUE(logs_->Open().ok());
  }
  ~LogStoreTest() override {
    logs_.reset();
    EXPECT_TRUE(store_->Close().ok());
  }

  void Group(const std::string& name) {
    LogGroup g;
    g.name = name;
    ASSERT_TRUE(Await([&](StatusDone d) { logs_->CreateLogGroup(g, d); }).ok());
  }
  void Stream(const std::string& group, const std::string& name) {
    ASSERT_TRUE(Await([&](StatusDone d) { logs_->CreateLogStream(group, name, d); }).ok());
  }
  Status Put(const std::string& group, const std::string& stream, std::vector<LogEvent> events) {
    return Await([&](StatusDone d) { logs_->PutLogEvents(group, stream, events, d); });
  }
  static GetEventsRequest Get(const std::string& group, const std::string& stream,
                              bool forward = false, int limit = 10000) {
    GetEventsRequest r;
    r.log_group = group;
    r.log_stream = stream;
    r.forward = forward;
    r.limit = limit;
    return r;
  }
  static FilterEventsRequest Filter(const std::string& group, int limit = 10000,
                                    const FilterPattern* pattern = nullptr) {
    FilterEventsRequest r;
    r.log_group = group;
    r.limit = limit;
    r.pattern = pattern;
    return r;
  }
  static std::vector<std::string> Messages(const EventPage& page) {
    std::vector<std::string> out;
    for (const auto& e : page.events) out.push_back(e.message);
    return out;
  }

  OffsetClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<LogStore> logs_;
};

TEST_F(LogStoreTest, GroupsAndStreamsAndTheirErrors) {
  Group("/a");
  Status dup = Await([&](StatusDone d) {
    LogGroup g;
    g.name = "/a";
    logs_->CreateLogGroup(g, d);
  });
  EXPECT_EQ(dup.code(), AwsError::kResourceAlreadyExists);
  EXPECT_EQ(dup.message(), "The specified log group already exists");
  Stream("/a", "s");
  Status dup_stream = Await([&](StatusDone d) { logs_->CreateLogStream("/a", "s", d); });
  EXPECT_EQ(dup_stream.message(), "The specified log stream already exists");
  Status no_group = Await([&](StatusDone d) { logs_->CreateLogStream("/b", "s", d); });
  EXPECT_EQ(no_group.code(), AwsError::kResourceNotFound);
  EXPECT_EQ(no_group.message(), "The specified log group does not exist.");
  Status no_stream = Put("/a", "t", {{kStart, "x"}});
  EXPECT_EQ(no_stream.message(), "The specified log stream does not exist.");
  auto groups = logs_->ListLogGroups("/");
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ(groups->front().creation_ms, kStart);
}

TEST_F(LogStoreTest, EventsAreOrderedByTimestampThenArrival) {
  Group("/g");
  Stream("/g", "s");
  ASSERT_TRUE(Put("/g", "s", {{kStart + 5, "b1"}, {kStart + 5, "b2"}}).ok());
  ASSERT_TRUE(Put("/g", "s", {{kStart + 1, "a"}, {kStart + 9, "c"}}).ok());
  GetEventsRequest r = Get("/g", "s", true);
  auto page = logs_->GetLogEvents(r);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Messages(*page), (std::vector<std::string>{"a", "b1", "b2", "c"}));
  EXPECT_TRUE(page->complete);
  // Forward after "b1", two at a time: "b2", "c"; then nothing.
  r.after = page->events[1].position;
  r.limit = 2;
  page = logs_->GetLogEvents(r);
  EXPECT_EQ(Messages(*page), (std::vector<std::string>{"b2", "c"}));
  // Backward from the end: the last two, ascending; incomplete (older ones remain).
  GetEventsRequest back = Get("/g", "s", false, 2);
  page = logs_->GetLogEvents(back);
  EXPECT_EQ(Messages(*page), (std::vector<std::string>{"b2", "c"}));
  EXPECT_FALSE(page->complete);
  back.before = page->events.front().position;
  page = logs_->GetLogEvents(back);
  EXPECT_EQ(Messages(*page), (std::vector<std::string>{"a", "b1"}));
  // Stream figures.
  auto streams = logs_->ListLogStreams("/g");
  ASSERT_TRUE(streams.ok());
  EXPECT_EQ(streams->front().first_event_ms, kStart + 1);
  EXPECT_EQ(streams->front().last_event_ms, kStart + 9);
  EXPECT_EQ(streams->front().stored_bytes, 6);
  EXPECT_EQ(logs_->GetLogGroup("/g")->stored_bytes, 6);
}

TEST_F(LogStoreTest, FilterAcrossStreamsWithPatternAndPages) {
  Group("/g");
  Stream("/g", "one");
  Stream("/g", "two");
  ASSERT_TRUE(Put("/g", "one", {{kStart + 1, "ERROR x"}, {kStart + 3, "ok"}}).ok());
  ASSERT_TRUE(Put("/g", "two", {{kStart + 2, "ERROR y"}, {kStart + 4, "ERROR z"}}).ok());
  auto pattern = FilterPattern::Parse("ERROR");
  ASSERT_TRUE(pattern.ok());
  FilterEventsRequest r = Filter("/g", 2, &*pattern);
  auto page = logs_->FilterLogEvents(r);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Messages(*page), (std::vector<std::string>{"ERROR x", "ERROR y"}));
  EXPECT_EQ(page->events[1].log_stream, "two");
  EXPECT_FALSE(page->complete);
  r.after = page->events.back().position;
  page = logs_->FilterLogEvents(r);
  EXPECT_EQ(Messages(*page), (std::vector<std::string>{"ERROR z"}));
  EXPECT_TRUE(page->complete);
  FilterEventsRequest only_one = Filter("/g");
  only_one.log_streams = {"one"};
  EXPECT_EQ(Messages(*logs_->FilterLogEvents(only_one)),
            (std::vector<std::string>{"ERROR x", "ok"}));
  FilterEventsRequest window = Filter("/g");
  window.start_ms = kStart + 2;
  window.end_ms = kStart + 4;
  EXPECT_EQ(Messages(*logs_->FilterLogEvents(window)), (std::vector<std::string>{"ERROR y", "ok"}));
}

TEST_F(LogStoreTest, RetentionFollowsTheClock) {
  Group("/kept");
  Group("/forever");
  Stream("/kept", "s");
  Stream("/forever", "s");
  ASSERT_TRUE(Put("/kept", "s", {{kStart, "old"}}).ok());
  ASSERT_TRUE(Put("/forever", "s", {{kStart, "old"}}).ok());
  ASSERT_TRUE(Await([&](StatusDone d) { logs_->PutRetentionPolicy("/kept", 1, d); }).ok());
  EXPECT_EQ(*logs_->EnforceLimits(), 0);  // not a day old yet
  clock_.Advance(std::chrono::milliseconds(kDayMs + 1));
  EXPECT_EQ(*logs_->EnforceLimits(), 1);
  EXPECT_TRUE(logs_->GetLogEvents(Get("/kept", "s"))->events.empty());
  EXPECT_EQ(logs_->GetLogGroup("/kept")->stored_bytes, 0);
  EXPECT_EQ(logs_->GetLogEvents(Get("/forever", "s"))->events.size(), 1u);
}

class CappedLogStoreTest : public LogStoreTest {
 protected:
  CappedLogStoreTest() : LogStoreTest(CapOf(1000)) {}
  static LogStoreOptions CapOf(int64_t bytes) {
    LogStoreOptions o;
    o.max_stored_bytes = bytes;
    return o;
  }
};

TEST_F(CappedLogStoreTest, TheCapDeletesOldestFirst) {
  Group("/g");
  Stream("/g", "s");
  std::vector<LogEvent> events;
  for (int i = 0; i < 30; ++i) events.push_back({kStart + i, std::string(100, 'a' + i % 26)});
  ASSERT_TRUE(Put("/g", "s", events).ok());
  EXPECT_EQ(*logs_->TotalStoredBytes(), 3000);
  EXPECT_GT(*logs_->EnforceLimits(), 0);
  EXPECT_LE(*logs_->TotalStoredBytes(), 900);
  auto left = logs_->GetLogEvents(Get("/g", "s", true));
  ASSERT_FALSE(left->events.empty());
  EXPECT_EQ(left->events.back().position.timestamp_ms, kStart + 29);  // the newest stayed
}

TEST_F(LogStoreTest, FunctionLogsCreateTheirGroupAndStream) {
  logs_->Append("/aws/lambda/f", "2024/01/01/[$LATEST]abc", {{kStart, "START\n"}, {kStart, "x\n"}});
  logs_->Append("/aws/lambda/f", "2024/01/01/[$LATEST]abc", {{kStart + 1, "END\n"}});
  // Appends are queued; a later write waits behind them.
  Group("/sync");
  auto page = logs_->GetLogEvents(Get("/aws/lambda/f", "2024/01/01/[$LATEST]abc", true));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Messages(*page), (std::vector<std::string>{"START\n", "x\n", "END\n"}));
  EXPECT_EQ(logs_->DroppedFunctionLogBytes(), 0);
}

}  // namespace
}  // namespace streamstack::logs
