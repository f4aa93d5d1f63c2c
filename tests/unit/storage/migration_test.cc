#include "streamstack/storage/migration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "temp_dir.h"

namespace streamstack::storage {
namespace {

using ::testing::HasSubstr;

constexpr Migration kV1{1, "CREATE TABLE tables (name TEXT PRIMARY KEY)"};
constexpr Migration kV2{2,
                        "ALTER TABLE tables ADD COLUMN arn TEXT;"
                        "CREATE INDEX tables_by_arn ON tables (arn)"};
constexpr Migration kV3{3, "CREATE TABLE shards (id TEXT PRIMARY KEY)"};

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    auto db = Database::Open(dir_.File("m.db"), OpenOptions{});
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(db).value();
  }
  int Version(std::string_view module) {
    Result<int> version = SchemaVersion(*db_, module);
    EXPECT_TRUE(version.ok()) << version.status().message();
    return version.ok() ? *version : -1;
  }
  bool HasTable(const char* name) {
    Statement& s = db_->Prepare("SELECT count(*) FROM sqlite_schema WHERE name = ?");
    s.Bind(1, name);
    Result<bool> row = s.Step();
    return row.ok() && *row && s.ColumnInt64(0) == 1;
  }

  test_util::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(MigrationTest, FreshDatabaseHasVersionZero) { EXPECT_EQ(Version("dynamodb"), 0); }

TEST_F(MigrationTest, AppliesInOrderAndIsIdempotent) {
  const std::vector<Migration> v1 = {kV1};
  ASSERT_TRUE(Migrate(*db_, "dynamodb", v1).ok());
  EXPECT_EQ(Version("dynamodb"), 1);
  EXPECT_TRUE(HasTable("tables"));
  EXPECT_FALSE(HasTable("tables_by_arn"));

  // A newer build: applies only 2 and 3; survives reopening; a rerun changes nothing.
  Reopen();
  const std::vector<Migration> all = {kV1, kV2, kV3};
  ASSERT_TRUE(Migrate(*db_, "dynamodb", all).ok());
  EXPECT_EQ(Version("dynamodb"), 3);
  EXPECT_TRUE(HasTable("tables_by_arn"));
  EXPECT_TRUE(HasTable("shards"));
  Status again = Migrate(*db_, "dynamodb", all);
  EXPECT_TRUE(again.ok()) << again.message();
  EXPECT_EQ(Version("dynamodb"), 3);
}

TEST_F(MigrationTest, ModulesHaveTheirOwnVersions) {
  const std::vector<Migration> a = {kV1, kV2};
  const std::vector<Migration> b = {{1, "CREATE TABLE queues (url TEXT PRIMARY KEY)"}};
  ASSERT_TRUE(Migrate(*db_, "dynamodb", a).ok());
  ASSERT_TRUE(Migrate(*db_, "sqs", b).ok());
  EXPECT_EQ(Version("dynamodb"), 2);
  EXPECT_EQ(Version("sqs"), 1);
  EXPECT_EQ(Version("sns"), 0);
}

TEST_F(MigrationTest, RefusesVersionsOutOfOrder) {
  struct Case {
    const char* name;
    std::vector<Migration> migrations;
  };
  const std::vector<Case> cases = {
      {"descending", {kV2, kV1}},       {"duplicate", {kV1, kV1}},    {"zero", {{0, "SELECT 1"}}},
      {"negative", {{-1, "SELECT 1"}}}, {"null sql", {{1, nullptr}}},
  };
  for (const Case& c : cases) {
    Status status = Migrate(*db_, "m", c.migrations);
    EXPECT_EQ(status.code(), AwsError::kInternalFailure) << c.name;
    EXPECT_THAT(status.message(), HasSubstr("module m")) << c.name;
    EXPECT_EQ(Version("m"), 0) << c.name;  // nothing applied
  }
}

TEST_F(MigrationTest, RefusesADatabaseNewerThanTheCode) {
  const std::vector<Migration> all = {kV1, kV2, kV3};
  ASSERT_TRUE(Migrate(*db_, "dynamodb", all).ok());
  const std::vector<Migration> old_build = {kV1, kV2};
  Status status = Migrate(*db_, "dynamodb", old_build);
  EXPECT_EQ(status.code(), AwsError::kInternalFailure);
  EXPECT_THAT(status.message(), HasSubstr("newer than this build knows (2)"));
  EXPECT_EQ(Version("dynamodb"), 3);
}

TEST_F(MigrationTest, AFailingMigrationRollsBackAloneAndStopsThere) {
  const std::vector<Migration> migrations = {
      kV1,
      {2, "CREATE TABLE half (x); INSERT INTO no_such_table VALUES (1)"},
      kV3,
  };
  Status status = Migrate(*db_, "dynamodb", migrations);
  EXPECT_THAT(status.message(), HasSubstr("version 2 failed"));
  EXPECT_THAT(status.message(), HasSubstr("no such table"));
  EXPECT_EQ(Version("dynamodb"), 1);
  EXPECT_TRUE(HasTable("tables"));
  EXPECT_FALSE(HasTable("half"));    // rolled back with its migration
  EXPECT_FALSE(HasTable("shards"));  // never reached
  EXPECT_FALSE(db_->InTransaction());
}

TEST_F(MigrationTest, InsideAnOpenTransactionUsesSavepoints) {
  Transaction transaction(*db_);
  ASSERT_TRUE(transaction.Begin().ok());
  const std::vector<Migration> migrations = {kV1, {2, "INSERT INTO nope VALUES (1)"}};
  EXPECT_FALSE(Migrate(*db_, "dynamodb", migrations).ok());
  EXPECT_TRUE(db_->InTransaction());  // the caller's transaction survives
  ASSERT_TRUE(transaction.Commit().ok());
  EXPECT_EQ(Version("dynamodb"), 1);
  EXPECT_TRUE(HasTable("tables"));
}

}  // namespace
}  // namespace streamstack::storage
