#include "streamstack/streams/stream_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "test_env.h"

namespace streamstack::streams {
namespace {

using test_env::Change;
using test_env::KeySchema;
using test_env::StreamsEnv;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using json = nlohmann::json;
using Type = StreamStore::ShardIteratorType;

class StreamStoreTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { env_ = std::make_unique<StreamsEnv>(GetParam()); }

  StreamStore& streams() { return env_->streams(); }
  OffsetClock& clock() { return env_->clock(); }

  StreamInfo Create(const std::string& table,
                    StreamViewType view = StreamViewType::kNewAndOldImages) {
    StreamInfo info;
    Status s = env_->store().WriteSync([&](storage::WriteContext& ctx) -> Status {
      Result<StreamInfo> r = streams().CreateStream(ctx, table, view, KeySchema());
      if (!r.ok()) return r.status();
      info = *r;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return info;
  }

  Status Append(int64_t stream_id, const ChangeRecord& record, int count = 1) {
    return env_->store().WriteSync([&](storage::WriteContext& ctx) -> Status {
      for (int i = 0; i < count; ++i) {
        STREAMSTACK_RETURN_IF_ERROR(streams().Append(ctx, stream_id, record));
      }
      return Status::Ok();
    });
  }

  Status Disable(int64_t stream_id) {
    return env_->store().WriteSync(
        [&](storage::WriteContext& ctx) { return streams().DisableStream(ctx, stream_id); });
  }

  std::vector<StreamStore::Shard> Shards(const std::string& arn) {
    auto shards = streams().ListShards(arn);
    EXPECT_TRUE(shards.ok()) << shards.status().message();
    return shards.ok() ? *shards : std::vector<StreamStore::Shard>{};
  }

  std::vector<StreamStore::StoredRecord> ReadAll(const std::string& arn,
                                                 const std::string& shard_id) {
    auto records = streams().ReadRecords(arn, shard_id, 0, 1000000);
    EXPECT_TRUE(records.ok()) << records.status().message();
    return records.ok() ? *records : std::vector<StreamStore::StoredRecord>{};
  }

  Result<std::string> Iterator(const StreamInfo& s, const std::string& shard_id, Type type,
                               std::optional<std::string> seq = std::nullopt) {
    return streams().GetShardIterator({s.stream_arn, shard_id, type, seq});
  }

  Result<StreamStore::GetRecordsResult> Get(const std::string& iterator,
                                            std::optional<int> limit = std::nullopt) {
    return streams().GetRecords({iterator, limit});
  }

  static std::vector<int64_t> Sequences(const StreamStore::GetRecordsResult& r) {
    std::vector<int64_t> out;
    for (const auto& text : r.records) {
      json j = json::parse(text);
      out.push_back(
          *StreamStore::ParseSequenceNumber(j["dynamodb"]["SequenceNumber"].get<std::string>()));
    }
    return out;
  }

  std::unique_ptr<StreamsEnv> env_;
};

INSTANTIATE_TEST_SUITE_P(FileAndMemory, StreamStoreTest, ::testing::Values(false, true),
                         [](const auto& param_info) {
                           return param_info.param ? "InMemory" : "File";
                         });

// --- sequence numbers -------------------------------------------------------------------

TEST(SequenceNumberTest, FormatIs21DigitsAndRoundTrips) {
  EXPECT_EQ(StreamStore::FormatSequenceNumber(5), "100000000000000000005");
  EXPECT_EQ(StreamStore::FormatSequenceNumber(0), "100000000000000000000");
  for (int64_t v : {int64_t{1}, int64_t{42}, int64_t{999999}, int64_t{1} << 40}) {
    std::string text = StreamStore::FormatSequenceNumber(v);
    EXPECT_EQ(text.size(), 21u);
    EXPECT_EQ(StreamStore::ParseSequenceNumber(text), v);
  }
  // Lexical order is numeric order.
  EXPECT_LT(StreamStore::FormatSequenceNumber(9), StreamStore::FormatSequenceNumber(10));
}

TEST(SequenceNumberTest, ParseRejectsForeignText) {
  for (const char* bad :
       {"", "1", "111", "200000000000000000005", "10000000000000000000x", "1000000000000000000005",
        " 00000000000000000005", "1-0000000000000000005"}) {
    EXPECT_FALSE(StreamStore::ParseSequenceNumber(bad).has_value()) << bad;
  }
}

TEST(StreamViewTypeTest, NamesRoundTrip) {
  for (auto t : {StreamViewType::kKeysOnly, StreamViewType::kNewImage, StreamViewType::kOldImage,
                 StreamViewType::kNewAndOldImages}) {
    EXPECT_EQ(ParseStreamViewType(StreamViewTypeName(t)), t);
  }
  EXPECT_FALSE(ParseStreamViewType("ALL").has_value());
}

// --- record shape -------------------------------------------------------------------------

struct ShapeCase {
  StreamViewType view;
  EventName event;
  bool has_new, has_old;
  int64_t size_bytes;  // keys 3 + new 100 and/or old 1000 as included
};

TEST_P(StreamStoreTest, RecordShapeForEveryViewTypeAndEvent) {
  const ShapeCase cases[] = {
      {StreamViewType::kKeysOnly, EventName::kInsert, false, false, 3},
      {StreamViewType::kKeysOnly, EventName::kModify, false, false, 3},
      {StreamViewType::kKeysOnly, EventName::kRemove, false, false, 3},
      {StreamViewType::kNewImage, EventName::kInsert, true, false, 103},
      {StreamViewType::kNewImage, EventName::kModify, true, false, 103},
      {StreamViewType::kNewImage, EventName::kRemove, false, false, 3},
      {StreamViewType::kOldImage, EventName::kInsert, false, false, 3},
      {StreamViewType::kOldImage, EventName::kModify, false, true, 1003},
      {StreamViewType::kOldImage, EventName::kRemove, false, true, 1003},
      {StreamViewType::kNewAndOldImages, EventName::kInsert, true, false, 103},
      {StreamViewType::kNewAndOldImages, EventName::kModify, true, true, 1103},
      {StreamViewType::kNewAndOldImages, EventName::kRemove, false, true, 1003},
  };
  const std::regex hex32("[0-9a-f]{32}");
  int n = 0;
  for (const ShapeCase& c : cases) {
    SCOPED_TRACE(std::string(StreamViewTypeName(c.view)) + " case " + std::to_string(n));
    StreamInfo s = Create("table" + std::to_string(n++), c.view);
    ASSERT_TRUE(Append(s.stream_id, Change(c.event, "a")).ok());
    auto shards = Shards(s.stream_arn);
    ASSERT_EQ(shards.size(), 1u);
    auto records = ReadAll(s.stream_arn, shards[0].shard_id);
    ASSERT_EQ(records.size(), 1u);
    json r = json::parse(records[0].json);
    EXPECT_TRUE(std::regex_match(r["eventID"].get<std::string>(), hex32)) << r["eventID"];
    const char* names[] = {"INSERT", "MODIFY", "REMOVE"};
    EXPECT_EQ(r["eventName"], names[static_cast<int>(c.event)]);
    EXPECT_EQ(r["eventVersion"], "1.1");
    EXPECT_EQ(r["eventSource"], "aws:dynamodb");
    EXPECT_EQ(r["awsRegion"], "us-west-2");
    EXPECT_FALSE(r.contains("userIdentity"));
    EXPECT_FALSE(r.contains("eventSourceARN"));
    const json& d = r["dynamodb"];
    // AWS: a floating-point number of epoch seconds (1764085660.0).
    EXPECT_TRUE(d["ApproximateCreationDateTime"].is_number_float());
    EXPECT_EQ(d["ApproximateCreationDateTime"], clock().NowMillis() / 1000);
    EXPECT_EQ(d["Keys"], json::parse(R"({"pk":{"S":"a"}})"));
    EXPECT_EQ(d.contains("NewImage"), c.has_new);
    EXPECT_EQ(d.contains("OldImage"), c.has_old);
    if (c.has_new) {
      EXPECT_EQ(d["NewImage"]["v"]["N"], "2");
    }
    if (c.has_old) {
      EXPECT_EQ(d["OldImage"]["v"]["N"], "1");
    }
    EXPECT_EQ(d["SizeBytes"], c.size_bytes);
    EXPECT_EQ(d["StreamViewType"], StreamViewTypeName(c.view));
    EXPECT_EQ(d["SequenceNumber"], StreamStore::FormatSequenceNumber(records[0].sequence));
    EXPECT_EQ(d["SequenceNumber"].get<std::string>().size(), 21u);
    EXPECT_EQ(records[0].created_ms, clock().NowMillis());
  }
}

TEST_P(StreamStoreTest, TtlExpiryRecordCarriesServiceIdentity) {
  StreamInfo s = Create("ttl", StreamViewType::kKeysOnly);
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kRemove, "a", /*ttl=*/true)).ok());
  auto records = ReadAll(s.stream_arn, Shards(s.stream_arn)[0].shard_id);
  ASSERT_EQ(records.size(), 1u);
  json r = json::parse(records[0].json);
  // The delivery engine's form: Lambda events spell the members in lower camel case.
  EXPECT_EQ(r["userIdentity"], json::parse(R"({"type":"Service",
                                               "principalId":"dynamodb.amazonaws.com"})"));
  // GetRecords answers with the Streams API's Identity shape (botocore: Type, PrincipalId).
  auto it = Iterator(s, Shards(s.stream_arn)[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  auto got = Get(*it);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->records.size(), 1u);
  json api = json::parse(got->records[0]);
  EXPECT_EQ(api["userIdentity"], json::parse(R"({"Type":"Service",
                                                 "PrincipalId":"dynamodb.amazonaws.com"})"));
  api.erase("userIdentity");
  r.erase("userIdentity");
  EXPECT_EQ(api, r);
}

TEST_P(StreamStoreTest, StreamArnLabelAndDescription) {
  StreamInfo s = Create("Music", StreamViewType::kNewImage);
  EXPECT_EQ(s.stream_label, "2024-06-10T19:26:16.525");
  EXPECT_EQ(s.stream_arn,
            "arn:aws:dynamodb:us-west-2:123456789012:table/Music/stream/2024-06-10T19:26:16.525");
  // A second stream of the same table in the same millisecond still gets its own ARN.
  StreamInfo again = Create("Music", StreamViewType::kNewImage);
  EXPECT_NE(again.stream_arn, s.stream_arn);
  auto found = streams().FindStream(s.stream_arn);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->view_type, StreamViewType::kNewImage);
  EXPECT_EQ(found->status, StreamStatus::kEnabled);
  EXPECT_EQ(found->key_schema, KeySchema());
  EXPECT_EQ(found->created_ms, clock().NowMillis());
}

// --- sequence ordering, rollover, lineage -------------------------------------------------

TEST_P(StreamStoreTest, SequenceNumbersStrictlyIncreaseAcrossAppendsAndRollovers) {
  StreamInfo a = Create("a");
  StreamInfo b = Create("b");
  for (int round = 0; round < 10; ++round) {
    ASSERT_TRUE(Append(a.stream_id, Change(EventName::kInsert, "x"), 50).ok());
    ASSERT_TRUE(Append(b.stream_id, Change(EventName::kModify, "y"), 30).ok());
    clock().Advance(std::chrono::minutes(90));  // a rollover every ~3 rounds
  }
  for (const StreamInfo* s : {&a, &b}) {
    auto shards = Shards(s->stream_arn);
    ASSERT_GE(shards.size(), 3u);
    int64_t previous = 0;
    std::string previous_text;
    size_t total = 0;
    for (size_t i = 0; i < shards.size(); ++i) {
      const auto& shard = shards[i];
      if (i > 0) {
        EXPECT_EQ(shard.parent_shard_id, shards[i - 1].shard_id);
        EXPECT_GT(shard.starting_sequence, shards[i - 1].ending_sequence);
      }
      EXPECT_EQ(shard.ending_sequence.empty(), i + 1 == shards.size());
      auto records = ReadAll(s->stream_arn, shard.shard_id);
      for (const auto& r : records) {
        std::string text = StreamStore::FormatSequenceNumber(r.sequence);
        EXPECT_GT(r.sequence, previous);
        EXPECT_GT(text, previous_text);
        EXPECT_GE(text, shard.starting_sequence);
        if (!shard.ending_sequence.empty()) {
          EXPECT_LE(text, shard.ending_sequence);
        }
        previous = r.sequence;
        previous_text = text;
      }
      if (!shard.ending_sequence.empty() && !records.empty()) {
        EXPECT_EQ(shard.ending_sequence,
                  StreamStore::FormatSequenceNumber(records.back().sequence));
      }
      total += records.size();
    }
    EXPECT_EQ(total, s == &a ? 500u : 300u);
  }
}

TEST_P(StreamStoreTest, ShardRollsOverOnTheClockWithLineage) {
  StreamInfo s = Create("t");
  auto first = Shards(s.stream_arn);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(std::regex_match(first[0].shard_id, std::regex("shardId-[0-9]{20}-[0-9a-f]{8}")))
      << first[0].shard_id;
  EXPECT_THAT(first[0].shard_id, HasSubstr(std::to_string(clock().NowMillis())));
  EXPECT_TRUE(first[0].parent_shard_id.empty());
  EXPECT_TRUE(first[0].ending_sequence.empty());

  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a")).ok());
  clock().Advance(std::chrono::hours(4) - std::chrono::milliseconds(1));
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "b")).ok());
  EXPECT_EQ(Shards(s.stream_arn).size(), 1u);
  clock().Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "c")).ok());

  auto shards = Shards(s.stream_arn);
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(shards[0].shard_id, first[0].shard_id);
  EXPECT_FALSE(shards[0].ending_sequence.empty());
  EXPECT_EQ(shards[1].parent_shard_id, shards[0].shard_id);
  EXPECT_TRUE(shards[1].ending_sequence.empty());
  EXPECT_EQ(ReadAll(s.stream_arn, shards[0].shard_id).size(), 2u);
  auto child = ReadAll(s.stream_arn, shards[1].shard_id);
  ASSERT_EQ(child.size(), 1u);
  EXPECT_EQ(shards[1].watermark->last_sequence.load(), child[0].sequence);
  EXPECT_EQ(shards[0].ending_sequence,
            StreamStore::FormatSequenceNumber(shards[0].watermark->last_sequence.load()));
}

TEST_P(StreamStoreTest, DisabledStreamClosesItsShardAndRefusesAppends) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a"), 3).ok());
  ASSERT_TRUE(Disable(s.stream_id).ok());
  ASSERT_TRUE(Disable(s.stream_id).ok());  // idempotent
  auto desc = streams().DescribeStream({s.stream_arn, {}, {}, {}});
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->info.status, StreamStatus::kDisabled);
  ASSERT_EQ(desc->shards.size(), 1u);
  EXPECT_FALSE(desc->shards[0].ending_sequence.empty());
  EXPECT_FALSE(Append(s.stream_id, Change(EventName::kInsert, "b")).ok());

  // Still readable, and the closed shard ends.
  auto it = Iterator(s, desc->shards[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  auto got = Get(*it);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->records.size(), 3u);
  EXPECT_FALSE(got->next_shard_iterator.has_value());
}

TEST_P(StreamStoreTest, EmptyShardClosesWithARangeAndEnds) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Disable(s.stream_id).ok());
  auto shards = Shards(s.stream_arn);
  ASSERT_EQ(shards.size(), 1u);
  EXPECT_EQ(shards[0].ending_sequence, shards[0].starting_sequence);
  auto it = Iterator(s, shards[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  auto got = Get(*it);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->records.empty());
  EXPECT_FALSE(got->next_shard_iterator.has_value());
  // Later records of other streams are numbered above the closed range.
  StreamInfo other = Create("u");
  ASSERT_TRUE(Append(other.stream_id, Change(EventName::kInsert, "a")).ok());
  auto records = ReadAll(other.stream_arn, Shards(other.stream_arn)[0].shard_id);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_GT(StreamStore::FormatSequenceNumber(records[0].sequence), shards[0].ending_sequence);
}

// --- iterators ----------------------------------------------------------------------------

TEST_P(StreamStoreTest, EveryIteratorType) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a"), 5).ok());
  const std::string shard = Shards(s.stream_arn)[0].shard_id;
  auto all = ReadAll(s.stream_arn, shard);
  ASSERT_EQ(all.size(), 5u);
  auto seq = [&](int i) { return StreamStore::FormatSequenceNumber(all[i].sequence); };
  struct Case {
    Type type;
    std::optional<std::string> sequence;
    std::vector<int> expected;  // indexes into `all`
  } cases[] = {
      {Type::kTrimHorizon, std::nullopt, {0, 1, 2, 3, 4}},
      {Type::kLatest, std::nullopt, {}},
      {Type::kAtSequenceNumber, seq(0), {0, 1, 2, 3, 4}},
      {Type::kAtSequenceNumber, seq(2), {2, 3, 4}},
      {Type::kAfterSequenceNumber, seq(2), {3, 4}},
      {Type::kAfterSequenceNumber, seq(4), {}},
      {Type::kAtSequenceNumber, seq(4), {4}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.type));
    auto it = Iterator(s, shard, c.type, c.sequence);
    ASSERT_TRUE(it.ok()) << it.status().message();
    auto got = Get(*it);
    ASSERT_TRUE(got.ok()) << got.status().message();
    std::vector<int64_t> expected;
    for (int i : c.expected) expected.push_back(all[i].sequence);
    EXPECT_EQ(Sequences(*got), expected);
    EXPECT_TRUE(got->next_shard_iterator.has_value());  // the shard is open
  }
  // LATEST then sees what is appended after it was issued.
  auto latest = Iterator(s, shard, Type::kLatest);
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kModify, "a")).ok());
  auto got = Get(*latest);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->records.size(), 1u);
}

TEST_P(StreamStoreTest, GetShardIteratorErrors) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a"), 2).ok());
  const auto shard = Shards(s.stream_arn)[0];
  const int64_t last = shard.watermark->last_sequence.load();
  struct Case {
    std::string arn, shard_id;
    Type type;
    std::optional<std::string> sequence;
    AwsError error;
    std::string message;  // substring
  } cases[] = {
      {s.stream_arn,
       "shardId-00000000000000000000-deadbeef",
       Type::kTrimHorizon,
       {},
       AwsError::kResourceNotFound,
       "Requested resource not found: Shard does not exist"},
      {s.stream_arn + "x",
       shard.shard_id,
       Type::kTrimHorizon,
       {},
       AwsError::kResourceNotFound,
       "Requested resource not found: Stream: " + s.stream_arn + "x not found"},
      {"arn:short",
       shard.shard_id,
       Type::kLatest,
       {},
       AwsError::kValidation,
       "1 validation error detected: Value 'arn:short' at 'streamArn' failed to satisfy "
       "constraint: Member must have length greater than or equal to 37"},
      {s.stream_arn,
       "shardId-1",
       Type::kLatest,
       {},
       AwsError::kValidation,
       "at 'shardId' failed to satisfy constraint: Member must have length greater than or "
       "equal to 28"},
      {s.stream_arn,
       shard.shard_id,
       Type::kAtSequenceNumber,
       {},
       AwsError::kValidation,
       "SequenceNumber"},
      {s.stream_arn, shard.shard_id, Type::kAtSequenceNumber, "123", AwsError::kValidation,
       "Member must have length greater than or equal to 21"},
      {s.stream_arn, shard.shard_id, Type::kAtSequenceNumber, "999999999999999999999",
       AwsError::kValidation, "Invalid SequenceNumber"},
      {s.stream_arn, shard.shard_id, Type::kAfterSequenceNumber,
       StreamStore::FormatSequenceNumber(last + 1), AwsError::kValidation,
       "Invalid SequenceNumber"},
      {s.stream_arn, shard.shard_id, Type::kAtSequenceNumber, StreamStore::FormatSequenceNumber(0),
       AwsError::kValidation, "Invalid SequenceNumber"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    auto it = streams().GetShardIterator({c.arn, c.shard_id, c.type, c.sequence});
    ASSERT_FALSE(it.ok());
    EXPECT_EQ(it.status().code(), c.error);
    EXPECT_THAT(it.status().message(), HasSubstr(c.message));
  }
}

TEST_P(StreamStoreTest, IteratorsExpireFifteenMinutesAfterIssue) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a")).ok());
  auto it = Iterator(s, Shards(s.stream_arn)[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  clock().Advance(std::chrono::minutes(15) - std::chrono::milliseconds(1));
  auto got = Get(*it);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->next_shard_iterator.has_value());
  clock().Advance(std::chrono::milliseconds(1));
  auto expired = Get(*it);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), AwsError::kExpiredIterator);
  EXPECT_THAT(expired.status().message(),
              StartsWith("Iterator expired. The iterator was created at time Mon Jun 10 "
                         "19:26:16 UTC 2024 while right now it is Mon Jun 10 19:41:16 UTC 2024 "
                         "which is further in the future than the tolerated delay of 900000 "
                         "milliseconds."));
  // The NextShardIterator was issued 1 ms before: it lives 15 minutes from then.
  EXPECT_TRUE(Get(*got->next_shard_iterator).ok());
  clock().Advance(std::chrono::minutes(15));
  EXPECT_EQ(Get(*got->next_shard_iterator).status().code(), AwsError::kExpiredIterator);
}

TEST_P(StreamStoreTest, MalformedIteratorsAreValidationErrors) {
  StreamInfo s = Create("t");
  auto it = Iterator(s, Shards(s.stream_arn)[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  std::string tampered = *it;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string("x"), std::string("not base64 !!"), tampered, it->substr(0, it->size() - 4)}) {
    auto got = Get(bad);
    ASSERT_FALSE(got.ok()) << bad;
    EXPECT_EQ(got.status().code(), AwsError::kValidation);
    EXPECT_EQ(got.status().message(), "Invalid ShardIterator");
  }
  auto empty = Get("");
  EXPECT_EQ(empty.status().code(), AwsError::kValidation);
  EXPECT_THAT(empty.status().message(), HasSubstr("at 'shardIterator'"));
}

// --- GetRecords paging and limits ---------------------------------------------------------

TEST_P(StreamStoreTest, GetRecordsPagesAThousandAtATime) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a"), 2500).ok());
  auto it = Iterator(s, Shards(s.stream_arn)[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  std::string iterator = *it;
  std::vector<size_t> pages;
  int64_t previous = 0;
  for (int i = 0; i < 4; ++i) {
    auto got = Get(iterator);
    ASSERT_TRUE(got.ok());
    pages.push_back(got->records.size());
    for (int64_t seq : Sequences(*got)) {
      EXPECT_GT(seq, previous);
      previous = seq;
    }
    ASSERT_TRUE(got->next_shard_iterator.has_value());  // open shard: always one
    iterator = *got->next_shard_iterator;
  }
  EXPECT_EQ(pages, (std::vector<size_t>{1000, 1000, 500, 0}));

  // Limit pages too.
  auto small = Get(*it, 7);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->records.size(), 7u);
}

TEST_P(StreamStoreTest, GetRecordsStopsAtOneMegabyte) {
  StreamInfo s = Create("t", StreamViewType::kNewImage);
  ChangeRecord big = Change(EventName::kInsert, "a");
  big.new_image["blob"] = {{"S", std::string(200 * 1024, 'x')}};
  ASSERT_TRUE(Append(s.stream_id, big, 12).ok());
  auto it = Iterator(s, Shards(s.stream_arn)[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  auto got = Get(*it);
  ASSERT_TRUE(got.ok());
  size_t bytes = 0;
  for (const auto& r : got->records) bytes += r.size();
  EXPECT_EQ(got->records.size(), 5u);
  EXPECT_LE(bytes, 1024u * 1024u);
  auto rest = Get(*got->next_shard_iterator);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->records.size(), 5u);
}

TEST_P(StreamStoreTest, ClosedShardEndsOnceDrained) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a"), 4).ok());
  clock().Advance(std::chrono::hours(5));
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "b")).ok());
  auto shards = Shards(s.stream_arn);
  ASSERT_EQ(shards.size(), 2u);
  const std::string parent = shards[0].shard_id;

  // Limit exactly the remaining count: the reader cannot know yet, so one more call.
  auto it = Iterator(s, parent, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  auto first = Get(*it, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->next_shard_iterator.has_value());
  auto second = Get(*first->next_shard_iterator, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->records.size(), 2u);
  EXPECT_FALSE(second->next_shard_iterator.has_value());  // its last record was the ending one

  auto whole = Get(*it);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->records.size(), 4u);
  EXPECT_FALSE(whole->next_shard_iterator.has_value());

  auto latest = Iterator(s, parent, Type::kLatest);
  ASSERT_TRUE(latest.ok());
  auto none = Get(*latest);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->records.empty());
  EXPECT_FALSE(none->next_shard_iterator.has_value());
}

TEST_P(StreamStoreTest, GetRecordsLimits) {
  StreamInfo s = Create("t");
  auto it = Iterator(s, Shards(s.stream_arn)[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  auto zero = Get(*it, 0);
  EXPECT_EQ(zero.status().code(), AwsError::kValidation);
  EXPECT_EQ(zero.status().message(),
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1");
  auto over = Get(*it, 1001);
  EXPECT_EQ(over.status().code(), AwsError::kLimitExceeded);
  EXPECT_TRUE(Get(*it, 1000).ok());
  EXPECT_TRUE(Get(*it, 1).ok());
}

// --- retention ----------------------------------------------------------------------------

TEST_P(StreamStoreTest, TrimExpiredDeletesOldRecordsAndReportsTrimmedAccess) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "old"), 3).ok());
  const std::string shard = Shards(s.stream_arn)[0].shard_id;
  auto horizon_before = Iterator(s, shard, Type::kTrimHorizon);
  ASSERT_TRUE(horizon_before.ok());
  auto old_records = ReadAll(s.stream_arn, shard);
  ASSERT_EQ(old_records.size(), 3u);
  clock().Advance(std::chrono::hours(3));
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "new"), 2).ok());
  clock().Advance(std::chrono::hours(21));  // the first three are exactly 24 h old
  ASSERT_TRUE(streams().TrimExpired().ok());
  EXPECT_EQ(ReadAll(s.stream_arn, shard).size(), 5u) << "24 h old is not yet past retention";
  clock().Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(streams().TrimExpired().ok());

  auto remaining = ReadAll(s.stream_arn, shard);
  ASSERT_EQ(remaining.size(), 2u);
  EXPECT_GT(remaining[0].sequence, old_records[2].sequence);

  // A fresh TRIM_HORIZON starts at the oldest retained record.
  auto horizon = Iterator(s, shard, Type::kTrimHorizon);
  ASSERT_TRUE(horizon.ok());
  auto got = Get(*horizon);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->records.size(), 2u);

  // An iterator whose position was trimmed (its 15 minutes are long over, so reissue at an
  // old position via AFTER_SEQUENCE_NUMBER of the first record).
  auto trimmed_at = Iterator(s, shard, Type::kAtSequenceNumber,
                             StreamStore::FormatSequenceNumber(old_records[0].sequence));
  EXPECT_EQ(trimmed_at.status().code(), AwsError::kTrimmedDataAccess);
  EXPECT_EQ(trimmed_at.status().message(),
            "The operation attempted to read past the oldest stream record in a shard.");
  auto trimmed_after = Iterator(s, shard, Type::kAfterSequenceNumber,
                                StreamStore::FormatSequenceNumber(old_records[0].sequence));
  EXPECT_EQ(trimmed_after.status().code(), AwsError::kTrimmedDataAccess);
  // AFTER the last trimmed record is fine: nothing after it was lost.
  auto after_last_trimmed = Iterator(s, shard, Type::kAfterSequenceNumber,
                                     StreamStore::FormatSequenceNumber(old_records[2].sequence));
  ASSERT_TRUE(after_last_trimmed.ok()) << after_last_trimmed.status().message();
  EXPECT_EQ(Get(*after_last_trimmed)->records.size(), 2u);

  auto read_trimmed = streams().ReadRecords(s.stream_arn, shard, old_records[0].sequence, 10);
  EXPECT_EQ(read_trimmed.status().code(), AwsError::kTrimmedDataAccess);
  EXPECT_EQ(streams().ReadRecords(s.stream_arn, shard, 0, 10)->size(), 2u);
}

TEST_P(StreamStoreTest, IteratorIssuedBeforeTrimGetsTrimmedDataAccess) {
  StreamOptions options;
  options.iterator_lifetime = std::chrono::hours(48);  // so only the trim can fail it
  env_ = std::make_unique<StreamsEnv>(GetParam(), options);
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a"), 2).ok());
  auto it = Iterator(s, Shards(s.stream_arn)[0].shard_id, Type::kTrimHorizon);
  ASSERT_TRUE(it.ok());
  clock().Advance(std::chrono::hours(25));
  ASSERT_TRUE(streams().TrimExpired().ok());
  auto got = Get(*it);
  EXPECT_EQ(got.status().code(), AwsError::kTrimmedDataAccess);
}

TEST_P(StreamStoreTest, DisabledStreamsAreForgottenAfterADay) {
  StreamInfo gone = Create("gone");
  StreamInfo kept = Create("kept");
  ASSERT_TRUE(Append(gone.stream_id, Change(EventName::kInsert, "a"), 2).ok());
  ASSERT_TRUE(Disable(gone.stream_id).ok());
  clock().Advance(std::chrono::hours(24));
  ASSERT_TRUE(streams().TrimExpired().ok());
  EXPECT_TRUE(streams().FindStream(gone.stream_arn).ok()) << "readable for 24 h";
  clock().Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(streams().TrimExpired().ok());
  auto d = streams().DescribeStream({gone.stream_arn, {}, {}, {}});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), AwsError::kResourceNotFound);
  EXPECT_EQ(d.status().message(),
            "Requested resource not found: Stream: " + gone.stream_arn + " not found");
  auto list = streams().ListStreams({});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->streams.size(), 1u);
  EXPECT_EQ(list->streams[0].stream_arn, kept.stream_arn);
}

TEST_P(StreamStoreTest, ClosedShardsDisappearOnceTheirRecordsExpire) {
  StreamInfo s = Create("t");
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a")).ok());
  clock().Advance(std::chrono::hours(4));
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "b")).ok());
  auto shards = Shards(s.stream_arn);
  ASSERT_EQ(shards.size(), 2u);
  clock().Advance(std::chrono::hours(24) + std::chrono::milliseconds(1));
  ASSERT_TRUE(streams().TrimExpired().ok());
  auto after = Shards(s.stream_arn);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].shard_id, shards[1].shard_id);
  EXPECT_EQ(after[0].parent_shard_id, shards[0].shard_id);  // as AWS: a trimmed parent's id
  EXPECT_TRUE(ReadAll(s.stream_arn, after[0].shard_id).empty());
  EXPECT_EQ(streams().ReadRecords(s.stream_arn, shards[0].shard_id, 0, 10).status().code(),
            AwsError::kResourceNotFound);
}

// --- listing ------------------------------------------------------------------------------

TEST_P(StreamStoreTest, ListStreamsFiltersAndPages) {
  std::vector<std::string> arns;
  for (const char* t : {"alpha", "beta", "gamma"}) {
    arns.push_back(Create(t).stream_arn);
    clock().Advance(std::chrono::milliseconds(5));
    arns.push_back(Create(t).stream_arn);
  }
  std::sort(arns.begin(), arns.end());
  std::vector<std::string> seen;
  StreamStore::ListStreamsRequest request;
  request.limit = 4;
  for (;;) {
    auto page = streams().ListStreams(request);
    ASSERT_TRUE(page.ok());
    for (const auto& s : page->streams) seen.push_back(s.stream_arn);
    if (!page->last_evaluated_stream_arn) break;
    EXPECT_EQ(*page->last_evaluated_stream_arn, page->streams.back().stream_arn);
    request.exclusive_start_stream_arn = page->last_evaluated_stream_arn;
  }
  EXPECT_EQ(seen, arns);

  auto beta = streams().ListStreams({std::string("beta"), {}, {}});
  ASSERT_TRUE(beta.ok());
  ASSERT_EQ(beta->streams.size(), 2u);
  EXPECT_EQ(beta->streams[0].table_name, "beta");
  EXPECT_FALSE(beta->last_evaluated_stream_arn.has_value());

  struct Bad {
    StreamStore::ListStreamsRequest request;
    std::string message;
  } bad[] = {
      {{{}, 0, {}},
       "Value '0' at 'limit' failed to satisfy constraint: Member must have value "
       "greater than or equal to 1"},
      {{{}, 101, {}},
       "Value '101' at 'limit' failed to satisfy constraint: Member must have "
       "value less than or equal to 100"},
      {{std::string("ab"), {}, {}},
       "Value 'ab' at 'tableName' failed to satisfy constraint: "
       "Member must have length greater than or equal to 3"},
      {{std::string("a b c"), {}, {}}, "Member must satisfy regular expression pattern"},
  };
  for (const Bad& b : bad) {
    auto r = streams().ListStreams(b.request);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), AwsError::kValidation);
    EXPECT_THAT(r.status().message(), HasSubstr(b.message));
  }
}

TEST_P(StreamStoreTest, DescribeStreamPagesShardsAndFiltersChildren) {
  StreamInfo s = Create("t");
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a")).ok());
    clock().Advance(std::chrono::hours(4));
  }
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a")).ok());
  auto all = Shards(s.stream_arn);
  ASSERT_EQ(all.size(), 6u);

  std::vector<std::string> seen;
  StreamStore::DescribeStreamRequest request{s.stream_arn, 4, {}, {}};
  for (;;) {
    auto d = streams().DescribeStream(request);
    ASSERT_TRUE(d.ok()) << d.status().message();
    for (const auto& shard : d->shards) seen.push_back(shard.shard_id);
    if (!d->last_evaluated_shard_id) break;
    request.exclusive_start_shard_id = d->last_evaluated_shard_id;
  }
  ASSERT_EQ(seen.size(), 6u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(seen[i], all[i].shard_id);

  auto children = streams().DescribeStream({s.stream_arn, {}, {}, all[2].shard_id});
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children->shards.size(), 1u);
  EXPECT_EQ(children->shards[0].shard_id, all[3].shard_id);

  auto bad = streams().DescribeStream({s.stream_arn, 0, {}, {}});
  EXPECT_EQ(bad.status().code(), AwsError::kValidation);
}

// --- watermarks and listeners -----------------------------------------------------------

TEST_P(StreamStoreTest, WatermarkAndListenersMoveOnlyAfterCommit) {
  StreamInfo s = Create("t");
  const auto shard = Shards(s.stream_arn)[0];
  std::atomic<int> calls{0};
  std::string heard_arn, heard_shard;
  int handle = streams().AddListener([&](const std::string& arn, const std::string& shard_id) {
    heard_arn = arn;
    heard_shard = shard_id;
    calls++;
  });
  EXPECT_EQ(shard.watermark->last_sequence.load(), 0);

  // Inside the job, after Append: nothing is published yet.
  Status s1 = env_->store().WriteSync([&](storage::WriteContext& ctx) -> Status {
    STREAMSTACK_RETURN_IF_ERROR(
        streams().Append(ctx, s.stream_id, Change(EventName::kInsert, "a")));
    EXPECT_EQ(shard.watermark->last_sequence.load(), 0);
    EXPECT_EQ(calls.load(), 0);
    return Status::Ok();
  });
  ASSERT_TRUE(s1.ok());
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(heard_arn, s.stream_arn);
  EXPECT_EQ(heard_shard, shard.shard_id);
  auto records = ReadAll(s.stream_arn, shard.shard_id);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(shard.watermark->last_sequence.load(), records[0].sequence);

  // A failed job publishes nothing and leaves no record.
  Status failed = env_->store().WriteSync([&](storage::WriteContext& ctx) -> Status {
    STREAMSTACK_RETURN_IF_ERROR(
        streams().Append(ctx, s.stream_id, Change(EventName::kInsert, "b")));
    return Status(AwsError::kConditionalCheckFailed, "nope");
  });
  EXPECT_EQ(failed.code(), AwsError::kConditionalCheckFailed);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(shard.watermark->last_sequence.load(), records[0].sequence);
  EXPECT_EQ(ReadAll(s.stream_arn, shard.shard_id).size(), 1u);

  // Later records still number above everything before (a failed job leaves a gap).
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "c")).ok());
  EXPECT_GT(shard.watermark->last_sequence.load(), records[0].sequence);
  EXPECT_EQ(calls.load(), 2);

  streams().RemoveListener(handle);
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "d")).ok());
  EXPECT_EQ(calls.load(), 2);
}

TEST_P(StreamStoreTest, ListenerHearsRolloverOfBothShards) {
  StreamInfo s = Create("t");
  std::vector<std::string> heard;
  streams().AddListener(
      [&](const std::string&, const std::string& shard_id) { heard.push_back(shard_id); });
  clock().Advance(std::chrono::hours(4));
  ASSERT_TRUE(Append(s.stream_id, Change(EventName::kInsert, "a")).ok());
  auto shards = Shards(s.stream_arn);
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(heard,
            (std::vector<std::string>{shards[0].shard_id, shards[1].shard_id, shards[1].shard_id}));
}

TEST(StreamStoreReopenTest, WatermarksAndSequencesSurviveARestart) {
  StreamsEnv env(/*in_memory=*/false);
  StreamInfo info;
  ASSERT_TRUE(env.store()
                  .WriteSync([&](storage::WriteContext& ctx) -> Status {
                    auto r = env.streams().CreateStream(ctx, "t", StreamViewType::kKeysOnly,
                                                        KeySchema());
                    if (!r.ok()) return r.status();
                    info = *r;
                    for (int i = 0; i < 3; ++i) {
                      STREAMSTACK_RETURN_IF_ERROR(env.streams().Append(
                          ctx, info.stream_id, Change(EventName::kInsert, "a")));
                    }
                    return Status::Ok();
                  })
                  .ok());
  int64_t before = env.streams().ListShards(info.stream_arn)->at(0).watermark->last_sequence.load();
  ASSERT_GT(before, 0);
  env.Reopen();
  auto shards = env.streams().ListShards(info.stream_arn);
  ASSERT_TRUE(shards.ok());
  EXPECT_EQ(shards->at(0).watermark->last_sequence.load(), before);
  ASSERT_TRUE(env.store()
                  .WriteSync([&](storage::WriteContext& ctx) {
                    return env.streams().Append(ctx, info.stream_id,
                                                Change(EventName::kInsert, "b"));
                  })
                  .ok());
  EXPECT_GT(shards->at(0).watermark->last_sequence.load(), before);
}

}  // namespace
}  // namespace streamstack::streams
