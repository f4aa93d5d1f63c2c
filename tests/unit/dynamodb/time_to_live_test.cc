// Time to live: expiry extraction, UpdateTimeToLive rules, the sweep and its stream records.
#include "dynamodb/time_to_live.h"

#include <gtest/gtest.h>

#include <set>

#include "test_env.h"

namespace streamstack::dynamodb {
namespace {

using test_env::N;
using test_env::ParseItem;
using test_env::S;
using test_env::TablesEnv;

constexpr int64_t kStartSeconds = 1718047576;  // test_env::StartTime(), rounded down

TEST(TimeToLiveTest, ExpiryOfItems) {
  TableDefinition table;
  table.ttl_enabled = true;
  table.ttl_attribute = "expires";
  struct Case {
    const char* item;
    std::optional<int64_t> expiry;
  };
  const Case cases[] = {
      {R"({"expires":{"N":"1700000000"}})", 1700000000},
      {R"({"expires":{"N":"1700000000.9"}})", 1700000000},
      {R"({"expires":{"S":"1700000000"}})", std::nullopt},  // not a number: never expires
      {R"({"other":{"N":"1"}})", std::nullopt},
      {R"({"expires":{"N":"1E+30"}})", std::nullopt},
      {R"({"expires":{"N":"0"}})", 0},
  };
  for (const Case& c : cases) EXPECT_EQ(ExpiryOf(table, ParseItem(c.item)), c.expiry) << c.item;
  table.ttl_enabled = false;
  EXPECT_EQ(ExpiryOf(table, ParseItem(R"({"expires":{"N":"1"}})")), std::nullopt);
}

TEST(TimeToLiveTest, ExpiredRangeIsTheLastFiveYears) {
  auto range = ExpiredRangeAt(1000500);  // 1000.5 s
  EXPECT_EQ(range.before, 1001);         // an expiry of 1000 has passed
  range = ExpiredRangeAt(1000000);       // exactly 1000 s: 1000 has not passed yet
  EXPECT_EQ(range.before, 1000);
  EXPECT_EQ(range.from, 1000 - kIgnoredExpiryAgeSeconds);
}

TEST(TimeToLiveTest, UpdateAndDescribeRules) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("tbl", "S").ok());
  auto d = env.tables().DescribeTimeToLive("tbl");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, "DISABLED");
  EXPECT_EQ(env.tables().UpdateTimeToLive("tbl", {"ttl", false}).status().message(),
            "TimeToLive is already disabled");
  ASSERT_TRUE(env.tables().UpdateTimeToLive("tbl", {"ttl", true}).ok());
  d = env.tables().DescribeTimeToLive("tbl");
  EXPECT_EQ(d->status, "ENABLED");
  EXPECT_EQ(d->attribute_name, "ttl");
  EXPECT_EQ(env.tables().UpdateTimeToLive("tbl", {"ttl", true}).status().message(),
            "TimeToLive is already enabled");
  EXPECT_EQ(env.tables().UpdateTimeToLive("tbl", {"other", true}).status().message(),
            "TimeToLive is active on a different AttributeName: current AttributeName is ttl");
  EXPECT_EQ(env.tables().UpdateTimeToLive("tbl", {"other", false}).status().message(),
            "TimeToLive is active on a different AttributeName: current AttributeName is ttl");
  EXPECT_EQ(env.tables().UpdateTimeToLive("tbl", {"", true}).status().code(),
            AwsError::kValidation);
  EXPECT_EQ(env.tables().UpdateTimeToLive("nope", {"ttl", true}).status().code(),
            AwsError::kResourceNotFound);
  // Another change within the hour is refused; an hour later (on the Clock) it is taken.
  EXPECT_EQ(env.tables().UpdateTimeToLive("tbl", {"ttl", false}).status().message(),
            "Time to live has been modified multiple times within a fixed interval");
  EXPECT_EQ(env.tables().DescribeTimeToLive("tbl")->status, "ENABLED");
  env.clock().Advance(std::chrono::hours(1));
  ASSERT_TRUE(env.tables().UpdateTimeToLive("tbl", {"ttl", false}).ok());
  EXPECT_EQ(env.tables().DescribeTimeToLive("tbl")->status, "DISABLED");
}

TEST(TimeToLiveTest, SweepDeletesExpiredItemsWithTheServiceIdentity) {
  TablesEnv env;
  ASSERT_TRUE(env.Create("tbl", "S", "", /*stream=*/true).ok());
  const int64_t now = kStartSeconds;
  // Written before TTL is enabled: enabling indexes them.
  ASSERT_TRUE(env.Put("tbl", Item{{"pk", S("old")}, {"ttl", N(std::to_string(now - 60))}}).ok());
  ASSERT_TRUE(env.tables().UpdateTimeToLive("tbl", {"ttl", true}).ok());
  ASSERT_TRUE(env.Put("tbl", Item{{"pk", S("past")}, {"ttl", N(std::to_string(now - 1))}}).ok());
  ASSERT_TRUE(
      env.Put("tbl", Item{{"pk", S("future")}, {"ttl", N(std::to_string(now + 100))}}).ok());
  ASSERT_TRUE(env.Put("tbl", Item{{"pk", S("ancient")}, {"ttl", N("162777600")}}).ok());
  ASSERT_TRUE(env.Put("tbl", Item{{"pk", S("string")}, {"ttl", S("1")}}).ok());
  ASSERT_TRUE(env.Put("tbl", Item{{"pk", S("none")}}).ok());
  ASSERT_TRUE(env.Put("tbl", Item{{"pk", S("moved")}, {"ttl", N(std::to_string(now - 5))}}).ok());
  // Moving the expiry into the future before the sweep keeps the item.
  ASSERT_TRUE(env.Update("tbl", Item{{"pk", S("moved")}}, "SET #t = :later", {}).code() ==
              AwsError::kValidation);
  UpdateItemRequest u;
  u.table_name = "tbl";
  u.key = Item{{"pk", S("moved")}};
  u.expressions.update_expression = "SET #t = :later";
  u.expressions.names = std::map<std::string, std::string>{{"#t", "ttl"}};
  u.expressions.values =
      std::map<std::string, AttributeValue>{{":later", N(std::to_string(now + 1000))}};
  std::promise<Status> moved;
  env.tables().UpdateItem(std::move(u),
                          [&](Result<WriteOutcome> r) { moved.set_value(r.status()); });
  ASSERT_TRUE(moved.get_future().get().ok());

  // Expired but not swept: still readable, as on AWS.
  GetItemRequest get;
  get.table_name = "tbl";
  get.key = Item{{"pk", S("past")}};
  EXPECT_TRUE(env.tables().GetItem(get).value());

  auto swept = env.tables().SweepExpiredItems(1);  // bounded: one per job
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  swept = env.tables().SweepExpiredItems(100);
  EXPECT_EQ(*swept, 1);
  EXPECT_EQ(*env.tables().SweepExpiredItems(100), 0);
  EXPECT_FALSE(env.tables().GetItem(get).value());

  ScanRequest scan;
  scan.table_name = "tbl";
  std::set<std::string> left;
  for (const Item& item : env.ScanAll(scan)) left.insert(item.at("pk").s());
  EXPECT_EQ(left, (std::set<std::string>{"future", "ancient", "string", "none", "moved"}));

  env.clock().Advance(std::chrono::seconds(101));
  EXPECT_EQ(*env.tables().SweepExpiredItems(100), 1);  // "future"

  // Every TTL deletion is a REMOVE record with the service identity; user deletes are not.
  ASSERT_TRUE(env.Delete("tbl", Item{{"pk", S("none")}}).ok());
  auto table = env.tables().FindTable("tbl");
  auto shards = env.streams().ListShards(table->latest_stream_arn);
  ASSERT_TRUE(shards.ok());
  int ttl_removes = 0;
  int user_removes = 0;
  for (const auto& shard : *shards) {
    auto records = env.streams().ReadRecords(table->latest_stream_arn, shard.shard_id, 0, 1000);
    ASSERT_TRUE(records.ok());
    for (const auto& r : *records) {
      auto j = nlohmann::json::parse(r.json);
      if (j["eventName"] != "REMOVE") continue;
      if (j.contains("userIdentity")) {
        EXPECT_EQ(j["userIdentity"],
                  (nlohmann::json{{"type", "Service"}, {"principalId", "dynamodb.amazonaws.com"}}));
        EXPECT_TRUE(j["dynamodb"].contains("OldImage"));
        ++ttl_removes;
      } else {
        ++user_removes;
      }
    }
  }
  EXPECT_EQ(ttl_removes, 3);
  EXPECT_EQ(user_removes, 1);

  // Disabling (an hour after enabling: AWS refuses it sooner) stops the sweep.
  ASSERT_TRUE(env.Put("tbl", Item{{"pk", S("late")}, {"ttl", N("1")}}).ok());
  ASSERT_TRUE(env.Put("tbl", Item{{"pk", S("late2")}, {"ttl", N(std::to_string(now))}}).ok());
  env.clock().Advance(std::chrono::hours(1));
  ASSERT_TRUE(env.tables().UpdateTimeToLive("tbl", {"ttl", false}).ok());
  EXPECT_EQ(*env.tables().SweepExpiredItems(100), 0);
}

}  // namespace
}  // namespace streamstack::dynamodb
