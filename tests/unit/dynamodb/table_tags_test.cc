// The tag rules of CreateTable, TagResource and UntagResource (texts: ack-api-quirks
// DDB-TABLE-107 and DDB-TABLE-372, AWS's answers recorded in 2026; see
// tests/e2e/test_dynamodb_control_plane.py for the same cases through the wire).
#include "dynamodb/table_tags.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <span>
#include <thread>

#include "dynamodb/table_codec.h"
#include "dynamodb/table_sql.h"
#include "streamstack/dynamodb/table_arn.h"
#include "streamstack/storage/store.h"
#include "streamstack/streams/stream_store.h"
#include "test_env.h"

namespace streamstack::dynamodb {
namespace {

TEST(TableTagsTest, AcceptedTags) {
  const std::vector<Tag> ok = {
      {std::string(128, 'k'), std::string(256, 'v')},
      {"7", " "},
      {" ", "9"},
      {"env", ""},
      {"a+b-c=d.e_f:g/h@i", "a+b-c=d.e_f:g/h@i"},
      {"ключ", "café"},
      {"表", "\xC2\xA0\xE3\x80\x80"},  // NBSP and the ideographic space
      {"user:team", "x"},
  };
  for (const auto& tag : ok) {
    EXPECT_TRUE(ValidateTags({tag}).ok()) << tag.key << "=" << tag.value;
  }
}

TEST(TableTagsTest, RefusedTags) {
  struct Case {
    Tag tag;
    std::string message;
  };
  const Case cases[] = {
      {{std::string(129, 'k'), "v"},
       "The Tag Key provided is invalid, Key: " + std::string(129, 'k')},
      {{"", "v"}, "The Tag Key provided is invalid, Key: "},
      {{"k", std::string(257, 'v')},
       "The Tag Value provided is invalid, Value: " + std::string(257, 'v')},
      {{"aws:zzz", "v"}, "Tag Key cannot be prefixed with aws:, Key: aws:zzz"},
      {{"a#b", "v"}, "The Tag Key provided is invalid, Key: a#b"},
      {{"k", "100%"}, "The Tag Value provided is invalid, Value: 100%"},
      {{"k", "a,b"}, "The Tag Value provided is invalid, Value: a,b"},
      {{"k", "\xF0\x9F\x94\x91"}, "The Tag Value provided is invalid, Value: \xF0\x9F\x94\x91"},
  };
  for (const auto& c : cases) {
    Status st = ValidateTags({{"good", "tag"}, c.tag});
    EXPECT_EQ(st.code(), AwsError::kValidation) << c.tag.key;
    EXPECT_EQ(st.message(), c.message);
  }
  EXPECT_EQ(ValidateTags({{"dup", "1"}, {"dup", "2"}}).message(),
            "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup");
}

TEST(TableTagsTest, Counts) {
  EXPECT_TRUE(CheckTagCount(50).ok());
  EXPECT_EQ(CheckTagCount(51).message(),
            "Number of Tags exceed the current limit for the provided ResourceArn");
  std::vector<std::string> keys(51, "k");
  EXPECT_EQ(ValidateTagKeys(keys).message(),
            "Number of Tags exceed the current limit for the provided ResourceArn");
  EXPECT_EQ(ValidateTagKeys({std::string(129, 'k')}).message(),
            "The Tag Key provided is invalid, Key: " + std::string(129, 'k'));
  EXPECT_EQ(ValidateTagKeys({""}).message(), "The Tag Key provided is invalid, Key: ");
  EXPECT_TRUE(ValidateTagKeys({"aws:anything", "x"}).ok());
}

std::vector<std::string> Keys(const Result<std::vector<Tag>>& tags) {
  std::vector<std::string> keys;
  if (tags.ok()) {
    for (const Tag& t : *tags) keys.push_back(t.key);
  }
  return keys;
}

// TagResource counts the set after the change; a refused request changes nothing; the tags go
// with the table, and a new table of the same name starts with none.
TEST(TableTagsTest, StoreTagsUntagsAndDeletesWithTheTable) {
  test_env::TablesEnv env;
  ASSERT_TRUE(env.Create("tagged", "S").ok());
  const std::string arn = arn::Table(test_env::TablesEnv::Scope(), "tagged");
  std::vector<Tag> forty_nine;
  for (int i = 0; i < 49; ++i) forty_nine.push_back({"k" + std::to_string(100 + i), "v"});
  ASSERT_TRUE(env.tables().TagResource(arn, forty_nine).ok());
  // Replacing a key and adding one: 50 after the change.
  ASSERT_TRUE(env.tables().TagResource(arn, {{"k100", "again"}, {"z", "1"}}).ok());
  auto tags = env.tables().ListTagsOfResource(arn);
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 50u);
  EXPECT_EQ(tags->front().key, "k100");
  EXPECT_EQ(tags->front().value, "again");
  EXPECT_EQ(tags->back().key, "z");
  // A 51st key is refused whole, the good tag beside it included.
  Status refused = env.tables().TagResource(arn, {{"k100", "third"}, {"y", "1"}});
  EXPECT_EQ(refused.code(), AwsError::kValidation);
  EXPECT_EQ(refused.message(),
            "Number of Tags exceed the current limit for the provided ResourceArn");
  refused = env.tables().TagResource(arn, {{"k100", "third"}, {"aws:x", "1"}});
  EXPECT_EQ(refused.message(), "Tag Key cannot be prefixed with aws:, Key: aws:x");
  EXPECT_EQ(env.tables().ListTagsOfResource(arn)->front().value, "again");

  ASSERT_TRUE(env.tables().UntagResource(arn, {"z", "never-set"}).ok());
  EXPECT_EQ(env.tables().ListTagsOfResource(arn)->size(), 49u);
  EXPECT_EQ(env.tables().TagResource(arn, {}).message(),
            "Atleast one Tag needs to be provided as Input.");
  EXPECT_EQ(env.tables().UntagResource(arn, {}).message(),
            "Atleast one Tag Key needs to be provided as Input.");

  ASSERT_TRUE(env.tables().DeleteTable("tagged").ok());
  for (Status st :
       {env.tables().ListTagsOfResource(arn).status(), env.tables().TagResource(arn, {{"a", "b"}}),
        env.tables().UntagResource(arn, {"a"})}) {
    EXPECT_EQ(st.code(), AwsError::kResourceNotFound);
    EXPECT_EQ(st.message(), "Requested resource not found: ResourceArn: " + arn + " not found");
  }
  ASSERT_TRUE(env.Create("tagged", "S").ok());
  EXPECT_EQ(Keys(env.tables().ListTagsOfResource(arn)), std::vector<std::string>{});
}

// With the status delay a tag change holds the tags, and DeleteTable is refused meanwhile
// (recorded, ack-api-quirks DDB-TABLE-172): also a DeleteTable that arrived while the change
// was still queued, judged when its own write runs.
TEST(TableTagsTest, DeleteTableQueuedBehindATagChangeIsRefused) {
  test_env::TablesEnv env(/*status_delay_ms=*/5000);
  ASSERT_TRUE(env.Create("held", "S").ok());
  env.clock().Advance(std::chrono::milliseconds(5000));  // past CREATING
  const std::string arn = arn::Table(test_env::TablesEnv::Scope(), "held");
  std::promise<Status> tagged;
  std::promise<Status> deleted;
  {
    test_env::WriterHold hold(env.store());
    env.tables().TagResource(arn, {{"team", "a"}}, [&](Status st) { tagged.set_value(st); });
    // DeleteTable judges the table before the tag change has run; what it answers then waits
    // for the writer (an in-memory store reads through it), so it runs on a thread of its own.
    std::thread deleting([&] {
      env.tables().DeleteTable("held",
                               [&](Result<TableDescription> r) { deleted.set_value(r.status()); });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    hold.Release();
    deleting.join();
  }
  EXPECT_TRUE(tagged.get_future().get().ok());
  Status refused = deleted.get_future().get();
  EXPECT_EQ(refused.code(), AwsError::kResourceInUse);
  EXPECT_EQ(refused.message(),
            "Attempt to change a resource which is still in use: Table tags are being updated: "
            "held");
  EXPECT_TRUE(env.tables().DescribeTable("held").ok());
  env.clock().Advance(std::chrono::milliseconds(5000));
  EXPECT_TRUE(env.tables().DeleteTable("held").ok());
}

// CreateTable's Tags follow the same rules, and a refused set creates no table.
TEST(TableTagsTest, CreateTableTags) {
  test_env::TablesEnv env;
  CreateTableRequest r;
  r.table_name = "created";
  r.attribute_definitions.push_back({"pk", "S"});
  r.key_schema.push_back({"pk", "HASH"});
  r.billing_mode = "PAY_PER_REQUEST";
  r.tags = {{"dup", "1"}, {"dup", "2"}};
  Status st = env.tables().CreateTable(r).status();
  EXPECT_EQ(st.message(), "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup");
  EXPECT_EQ(env.tables().FindTable("created"), nullptr);
  r.tags = {{"team", "core"}, {"env", "test"}};
  ASSERT_TRUE(env.tables().CreateTable(r).ok());
  EXPECT_EQ(
      Keys(env.tables().ListTagsOfResource(arn::Table(test_env::TablesEnv::Scope(), "created"))),
      (std::vector<std::string>{"env", "team"}));
}

// Schema version 3 moves the tags that CreateTable kept in the definition into dynamodb_tags.
TEST(TableTagsTest, MigrationMovesDefinitionTags) {
  storage::StoreOptions options;
  options.in_memory = true;
  auto store = storage::Store::Open(options);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Migrate("dynamodb", std::span(sql::kMigrations).first(2)).ok());
  TableDefinition def;
  def.name = "old-tagged";
  def.arn = arn::Table(test_env::TablesEnv::Scope(), def.name);
  def.attribute_definitions = {{"pk", "S"}};
  def.key_schema = {{"pk", "HASH"}};
  def.hash_key = {"pk", AttributeType::kS};
  nlohmann::json stored = nlohmann::json::parse(EncodeTableDefinition(def));
  stored["tags"] = {{{"Key", "b"}, {"Value", "2"}},
                    {{"Key", "a"}, {"Value", "1"}},
                    {{"Key", "b"}, {"Value", "3"}}};  // a key twice: the last one stays
  Status inserted = (*store)->WriteSync([&](storage::WriteContext& ctx) {
    auto& insert = ctx.db().Prepare(sql::kInsertTable);
    insert.Bind(1, def.name);
    insert.Bind(2, stored.dump());
    return insert.Run();
  });
  ASSERT_TRUE(inserted.ok()) << inserted.message();

  OffsetClock clock(test_env::StartTime());
  {
    streams::StreamStore streams(**store, clock, test_env::TablesEnv::Scope());
    ASSERT_TRUE(streams.Open().ok());
    TableStore tables(**store, streams, clock, test_env::TablesEnv::Scope());
    Status opened = tables.Open();
    ASSERT_TRUE(opened.ok()) << opened.message();
    auto tags = tables.ListTagsOfResource(def.arn);
    ASSERT_TRUE(tags.ok()) << tags.status().message();
    ASSERT_EQ(tags->size(), 2u);
    EXPECT_EQ((*tags)[0].key, "a");
    EXPECT_EQ((*tags)[1].key, "b");
    EXPECT_EQ((*tags)[1].value, "3");
  }
  EXPECT_TRUE((*store)->Close().ok());
}

}  // namespace
}  // namespace streamstack::dynamodb
