#include "app/dynamodb_record_source.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <set>
#include <string>
#include <vector>

#include "streams/test_env.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::app {
namespace {

using json = nlohmann::json;
using streams::StreamStore;
using streams::test_env::Change;
using streams::test_env::KeySchema;
using streams::test_env::StreamsEnv;

class DynamoDbRecordSourceTest : public ::testing::Test {
 protected:
  StreamsEnv env_{/*in_memory=*/true};
  DynamoDbRecordSource source_{env_.streams()};

  streams::StreamInfo Create(const std::string& table) {
    streams::StreamInfo info;
    Status s = env_.store().WriteSync([&](storage::WriteContext& ctx) -> Status {
      auto r = env_.streams().CreateStream(ctx, table, streams::StreamViewType::kNewAndOldImages,
                                           KeySchema());
      if (!r.ok()) return r.status();
      info = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return info;
  }

  void Append(int64_t stream_id, const std::string& key) {
    Status s = env_.store().WriteSync([&](storage::WriteContext& ctx) {
      return env_.streams().Append(ctx, stream_id, Change(streams::EventName::kInsert, key));
    });
    EXPECT_TRUE(s.ok()) << s.message();
  }
};

TEST_F(DynamoDbRecordSourceTest, ShardsCarryLineageAndTheStreamsOwnWatermark) {
  auto info = Create("t");
  Append(info.stream_id, "a");
  auto shards = source_.ListShards(info.stream_arn);
  ASSERT_TRUE(shards.ok()) << shards.status().message();
  ASSERT_EQ(shards->size(), 1u);
  const esm::SourceShard shard = (*shards)[0];  // a copy: `shards` is listed again below
  auto stored = env_.streams().ListShards(info.stream_arn);
  ASSERT_TRUE(stored.ok());
  const StreamStore::Shard& original = (*stored)[0];
  EXPECT_EQ(shard.shard_id, original.shard_id);
  EXPECT_EQ(shard.parent_shard_id, "");
  EXPECT_EQ(source_.FormatPosition(shard.starting_position), original.starting_sequence);
  EXPECT_FALSE(shard.ending_position.has_value());
  // The very atomic the stream publishes: no copy, no call per poll.
  ASSERT_TRUE(shard.watermark);
  EXPECT_EQ(shard.watermark.get(), &original.watermark->last_sequence);
  EXPECT_EQ(shard.watermark->load(), original.watermark->last_sequence.load());
  EXPECT_GT(shard.watermark->load(), 0);

  // Disabling closes the shard: it gets its ending position.
  Status s = env_.store().WriteSync([&](storage::WriteContext& ctx) {
    return env_.streams().DisableStream(ctx, info.stream_id);
  });
  ASSERT_TRUE(s.ok()) << s.message();
  shards = source_.ListShards(info.stream_arn);
  ASSERT_TRUE(shards.ok());
  ASSERT_TRUE((*shards)[0].ending_position.has_value());
  EXPECT_GE(*(*shards)[0].ending_position, shard.watermark->load());

  EXPECT_EQ(source_.ListShards(info.stream_arn + "x").status().code(), AwsError::kResourceNotFound);
}

TEST_F(DynamoDbRecordSourceTest, ReadsRecordsInTheEnvelopeFunctionsReceive) {
  auto info = Create("t");
  for (const char* key : {"a", "b", "a"}) Append(info.stream_id, key);
  auto shards = source_.ListShards(info.stream_arn);
  ASSERT_TRUE(shards.ok());
  const std::string shard_id = (*shards)[0].shard_id;

  auto read = source_.Read(info.stream_arn, shard_id, esm::kTrimHorizon, 10, true);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->size(), 3u);
  auto stored = env_.streams().ReadRecords(info.stream_arn, shard_id, 0, 10);
  ASSERT_TRUE(stored.ok());
  for (size_t i = 0; i < 3; ++i) {
    const esm::SourceRecord& r = (*read)[i];
    EXPECT_EQ(r.position, (*stored)[i].sequence);
    EXPECT_EQ(r.created_ms, (*stored)[i].created_ms);
    json j = json::parse(r.json);
    EXPECT_EQ(j["eventSourceARN"], info.stream_arn);
    EXPECT_EQ(source_.ParsePosition(j["dynamodb"]["SequenceNumber"].get<std::string>()),
              r.position);
    // The lane key is the item key.
    EXPECT_EQ(r.lane_key, esm::LaneKeyHash(j["dynamodb"]["Keys"].dump()));
  }
  EXPECT_EQ((*read)[0].lane_key, (*read)[2].lane_key);
  EXPECT_NE((*read)[0].lane_key, (*read)[1].lane_key);

  // After a position, with a limit; no lane keys unless asked.
  read = source_.Read(info.stream_arn, shard_id, (*stored)[0].sequence, 1, false);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].position, (*stored)[1].sequence);
  EXPECT_EQ((*read)[0].lane_key, 0u);

  EXPECT_EQ(source_.Read(info.stream_arn, "shardId-nope", 0, 1, false).status().code(),
            AwsError::kResourceNotFound);
}

TEST_F(DynamoDbRecordSourceTest, WritesWakeSubscribers) {
  auto info = Create("t");
  std::atomic<int> woken{0};
  std::string woken_arn;
  int handle = source_.Subscribe([&](const std::string& arn, const std::string&) {
    woken_arn = arn;
    ++woken;
  });
  Append(info.stream_id, "a");
  EXPECT_GE(woken.load(), 1);
  EXPECT_EQ(woken_arn, info.stream_arn);
  source_.Unsubscribe(handle);
  const int before = woken.load();
  Append(info.stream_id, "b");
  EXPECT_EQ(woken.load(), before);
}

TEST_F(DynamoDbRecordSourceTest, PositionsAreSequenceNumbers) {
  EXPECT_EQ(source_.FormatPosition(5), StreamStore::FormatSequenceNumber(5));
  EXPECT_EQ(source_.ParsePosition(StreamStore::FormatSequenceNumber(42)), 42);
  EXPECT_FALSE(source_.ParsePosition("42").has_value());
  EXPECT_FALSE(source_.ParsePosition("").has_value());
}

TEST_F(DynamoDbRecordSourceTest, DescribesADiscardedBatchAsDDBStreamBatchInfo) {
  // The seeds' "Example Invocation Record".
  const std::string arn =
      "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388";
  esm::DiscardedBatch batch;
  batch.source_arn = arn;
  batch.shard_id = "shardId-00000001573689847184-864758bb";
  batch.first_position = 5;
  batch.last_position = 9;
  batch.first_created_ms = 1573690399000;  // 2019-11-14T00:13:19Z
  batch.last_created_ms = 1573690399400;
  batch.batch_size = 3;
  esm::BatchInfo info = source_.DescribeBatch(batch);
  EXPECT_EQ(info.name, "DDBStreamBatchInfo");
  // AWS's member order.
  EXPECT_EQ(info.value.dump(), R"({"shardId":"shardId-00000001573689847184-864758bb",)"
                               R"("startSequenceNumber":"100000000000000000005",)"
                               R"("endSequenceNumber":"100000000000000000009",)"
                               R"("approximateArrivalOfFirstRecord":"2019-11-14T00:13:19Z",)"
                               R"("approximateArrivalOfLastRecord":"2019-11-14T00:13:19Z",)"
                               R"("batchSize":3,"streamArn":")" +
                                   arn + R"("})");
}

TEST(WithEventSourceArnTest, AppendsTheMemberToTheRecord) {
  std::string out = WithEventSourceArn(R"({"eventID":"1","dynamodb":{"Keys":{}}})",
                                       R"("arn:aws:dynamodb:r:1:table/t/stream/x")");
  json j = json::parse(out);
  EXPECT_EQ(j["eventSourceARN"], "arn:aws:dynamodb:r:1:table/t/stream/x");
  EXPECT_EQ(j["eventID"], "1");
  EXPECT_TRUE(j["dynamodb"]["Keys"].is_object());
}

TEST(WithEventSourceArnTest, EmptyObjectGetsNoComma) {
  EXPECT_EQ(WithEventSourceArn("{}", R"("a")"), R"({"eventSourceARN":"a"})");
  EXPECT_EQ(WithEventSourceArn("{ }", R"("a")"), R"({ "eventSourceARN":"a"})");
}

TEST(ItemKeyTextTest, FindsTheKeysObject) {
  std::string rec =
      R"({"eventID":"e","eventName":"MODIFY","dynamodb":{"ApproximateCreationDateTime":1,)"
      R"("Keys":{"pk":{"S":"a}\"b"},"sk":{"N":"1"}},"NewImage":{"Keys":{"S":"x"}}}})";
  EXPECT_EQ(ItemKeyText(rec), R"({"pk":{"S":"a}\"b"},"sk":{"N":"1"}})");
  EXPECT_EQ(ItemKeyText(R"({"eventID":"e"})"), "");
}

}  // namespace
}  // namespace streamstack::app
