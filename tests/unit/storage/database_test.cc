#include "streamstack/storage/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace streamstack::storage {
namespace {

using ::testing::HasSubstr;

constexpr char kCreateKv[] = "CREATE TABLE kv (k INTEGER PRIMARY KEY, v ANY) STRICT";
constexpr char kInsertKv[] = "INSERT INTO kv (k, v) VALUES (?, ?)";
constexpr char kSelectKv[] = "SELECT v, typeof(v) FROM kv WHERE k = ?";
constexpr char kCountKv[] = "SELECT count(*) FROM kv";

class DatabaseTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    const std::string path = GetParam() ? dir_.File("test.db") : ":memory:";
    auto db = Database::Open(path, OpenOptions{});
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->Execute(kCreateKv).ok());
  }

  int64_t Count() {
    Statement& count = db_->Prepare(kCountKv);
    Result<bool> row = count.Step();
    EXPECT_TRUE(row.ok() && *row);
    return count.ColumnInt64(0);
  }

  test_util::TempDir dir_;
  std::unique_ptr<Database> db_;
};

INSTANTIATE_TEST_SUITE_P(FileAndMemory, DatabaseTest, ::testing::Bool(),
                         [](const auto& param_info) {
                           return param_info.param ? "File" : "Memory";
                         });

TEST_P(DatabaseTest, PragmasAreApplied) {
  struct Case {
    const char* pragma;
    int64_t want;
  };
  // synchronous NORMAL = 1; busy_timeout default 5000 ms.
  for (const Case& c : std::array<Case, 3>{{{"PRAGMA synchronous", 1},
                                            {"PRAGMA foreign_keys", 1},
                                            {"PRAGMA busy_timeout", 5000}}}) {
    Statement& s = db_->Prepare(c.pragma);
    Result<bool> row = s.Step();
    ASSERT_TRUE(row.ok() && *row) << c.pragma;
    EXPECT_EQ(s.ColumnInt64(0), c.want) << c.pragma;
  }
  Statement& mode = db_->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*mode.Step());
  EXPECT_EQ(mode.ColumnText(0), GetParam() ? "wal" : "memory");
}

TEST_P(DatabaseTest, BindingRoundTripsEveryType) {
  const std::string binary("a\0b\xff", 4);
  const std::vector<std::uint8_t> bytes = {0, 1, 2, 254, 255};
  struct Case {
    int64_t key;
    const char* type;
  };
  {
    Statement& insert = db_->Prepare(kInsertKv);
    auto put = [&](int64_t k, auto value) {
      insert.Reset();
      insert.Bind(1, k);
      insert.Bind(2, value);
      ASSERT_TRUE(insert.Run().ok());
    };
    put(1, std::numeric_limits<int64_t>::min());
    put(2, std::numeric_limits<int64_t>::max());
    put(3, 2.5);
    put(4, std::string_view("héllo"));
    put(5, std::string_view());  // empty text, not NULL
    put(6, Blob(binary));
    put(7, Blob(std::span<const std::uint8_t>(bytes)));
    put(8, Blob());  // empty blob, not NULL
    put(9, nullptr);
    put(10, 42);    // int
    put(11, true);  // bool as 1
    put(12, "c-str");
    put(13, std::string("std::string"));
    put(14, static_cast<std::uint16_t>(65535));
  }
  auto get = [&](int64_t k) -> Statement& {
    Statement& select = db_->Prepare(kSelectKv);
    select.Bind(1, k);
    Result<bool> row = select.Step();
    EXPECT_TRUE(row.ok() && *row) << k;
    return select;
  };
  EXPECT_EQ(get(1).ColumnInt64(0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(get(2).ColumnInt64(0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(get(3).ColumnDouble(0), 2.5);
  EXPECT_EQ(get(3).ColumnText(1), "real");
  EXPECT_EQ(get(4).ColumnText(0), "héllo");
  EXPECT_EQ(get(5).ColumnText(1), "text");
  EXPECT_FALSE(get(5).ColumnIsNull(0));
  EXPECT_EQ(get(5).ColumnText(0), "");
  EXPECT_EQ(get(6).ColumnBlob(0).bytes(), binary);
  EXPECT_EQ(get(6).ColumnText(1), "blob");
  EXPECT_EQ(get(7).ColumnBlob(0).bytes(), std::string("\x00\x01\x02\xfe\xff", 5));
  EXPECT_EQ(get(8).ColumnText(1), "blob");
  EXPECT_EQ(get(8).ColumnBlob(0).size(), 0u);
  EXPECT_TRUE(get(9).ColumnIsNull(0));
  EXPECT_EQ(get(9).ColumnText(0), "");
  EXPECT_EQ(get(9).ColumnInt64(0), 0);
  EXPECT_EQ(get(10).ColumnInt(0), 42);
  EXPECT_EQ(get(11).ColumnInt64(0), 1);
  EXPECT_EQ(get(12).ColumnText(0), "c-str");
  EXPECT_EQ(get(13).ColumnText(0), "std::string");
  EXPECT_EQ(get(14).ColumnInt64(0), 65535);
  EXPECT_EQ(get(14).ColumnCount(), 2);
}

TEST_P(DatabaseTest, PrepareReturnsTheCachedStatementResetWithoutBindings) {
  Statement& first = db_->Prepare(kInsertKv);
  first.Bind(1, 1);
  first.Bind(2, 10);
  ASSERT_TRUE(first.Run().ok());
  EXPECT_EQ(db_->LastInsertRowId(), 1);
  EXPECT_EQ(db_->Changes(), 1);

  // Same text through another buffer: same object, bindings cleared (k NULL -> rowid 2,
  // v NULL).
  const std::string same_text(kInsertKv);
  Statement& second = db_->Prepare(same_text.c_str());
  EXPECT_EQ(&first, &second);
  ASSERT_TRUE(second.Run().ok());
  EXPECT_EQ(db_->LastInsertRowId(), 2);
  Statement& select = db_->Prepare(kSelectKv);
  select.Bind(1, 2);
  ASSERT_TRUE(*select.Step());
  EXPECT_TRUE(select.ColumnIsNull(0));

  // A statement left mid-iteration is reset when handed out again.
  ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (3, 3), (4, 4)").ok());
  Statement& all = db_->Prepare("SELECT k FROM kv ORDER BY k");
  ASSERT_TRUE(*all.Step());
  EXPECT_EQ(all.ColumnInt64(0), 1);
  ASSERT_TRUE(*all.Step());
  Statement& again = db_->Prepare("SELECT k FROM kv ORDER BY k");
  ASSERT_TRUE(*again.Step());
  EXPECT_EQ(again.ColumnInt64(0), 1);
}

TEST_P(DatabaseTest, StepWalksRowsThenReportsDone) {
  ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')").ok());
  Statement& select = db_->Prepare("SELECT k, v FROM kv WHERE k >= ? ORDER BY k");
  select.Bind(1, 2);
  std::vector<std::string> seen;
  while (true) {
    Result<bool> row = select.Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    seen.emplace_back(select.ColumnText(1));
  }
  EXPECT_THAT(seen, ::testing::ElementsAre("b", "c"));
  // Done resets but keeps bindings: stepping again walks the same rows.
  Result<bool> again = select.Step();
  ASSERT_TRUE(again.ok() && *again);
  EXPECT_EQ(select.ColumnText(1), "b");
}

TEST_P(DatabaseTest, ErrorsCarrySqliteMessages) {
  // Syntax error at prepare: surfaced by Step/Run, never silently.
  Statement& bad = db_->Prepare("SELEKT 1");
  EXPECT_FALSE(bad.is_valid());
  Result<bool> row = bad.Step();
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.status().code(), AwsError::kInternalFailure);
  EXPECT_THAT(row.status().message(), HasSubstr("syntax error"));

  // Constraint violation at step.
  ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (1, 1)").ok());
  Statement& insert = db_->Prepare(kInsertKv);
  insert.Bind(1, 1);
  insert.Bind(2, 2);
  Status dup = insert.Run();
  EXPECT_EQ(dup.code(), AwsError::kInternalFailure);
  EXPECT_THAT(dup.message(), HasSubstr("UNIQUE constraint failed"));

  // Bind index out of range: reported by the next Step, cleared by Reset.
  Statement& select = db_->Prepare(kSelectKv);
  select.Bind(7, 1);
  Result<bool> out_of_range = select.Step();
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_THAT(out_of_range.status().message(), HasSubstr("bind parameter 7"));
  select.Reset();
  select.Bind(1, 1);
  EXPECT_TRUE(select.Step().ok());

  // Execute reports the failing statement.
  Status exec = db_->Execute("CREATE TABLE kv (x)");
  EXPECT_THAT(exec.message(), HasSubstr("already exists"));
}

TEST_P(DatabaseTest, FailedPrepareIsRetriedOnceTheTableExists) {
  constexpr char kSelectLater[] = "SELECT count(*) FROM later";
  EXPECT_FALSE(db_->Prepare(kSelectLater).Step().ok());
  ASSERT_TRUE(db_->Execute("CREATE TABLE later (x)").ok());
  Statement& select = db_->Prepare(kSelectLater);
  EXPECT_TRUE(select.is_valid());
  Result<bool> row = select.Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(select.ColumnInt64(0), 0);
}

TEST_P(DatabaseTest, TransactionRollsBackOnDestruction) {
  {
    Transaction transaction(*db_);
    ASSERT_TRUE(transaction.Begin().ok());
    EXPECT_TRUE(db_->InTransaction());
    ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (1, 1)").ok());
    EXPECT_EQ(Count(), 1);
  }
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count(), 0);
  {
    Transaction transaction(*db_);
    ASSERT_TRUE(transaction.Begin().ok());
    ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (1, 1)").ok());
    ASSERT_TRUE(transaction.Commit().ok());
    EXPECT_FALSE(transaction.is_open());
  }
  EXPECT_EQ(Count(), 1);
  {
    Transaction transaction(*db_);
    ASSERT_TRUE(transaction.Begin().ok());
    EXPECT_FALSE(transaction.Begin().ok());  // twice is an error, not a nested BEGIN
    ASSERT_TRUE(db_->Execute("DELETE FROM kv").ok());
    transaction.Rollback();
    EXPECT_FALSE(transaction.Commit().ok());
  }
  EXPECT_EQ(Count(), 1);
}

TEST_P(DatabaseTest, FailedCommitRollsBack) {
  ASSERT_TRUE(db_->Execute("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                           "CREATE TABLE child (pid INTEGER REFERENCES parent (id) "
                           "DEFERRABLE INITIALLY DEFERRED)")
                  .ok());
  Transaction transaction(*db_);
  ASSERT_TRUE(transaction.Begin().ok());
  ASSERT_TRUE(db_->Execute("INSERT INTO child (pid) VALUES (99)").ok());
  Status commit = transaction.Commit();
  EXPECT_THAT(commit.message(), HasSubstr("FOREIGN KEY constraint failed"));
  EXPECT_FALSE(db_->InTransaction());
  Statement& count = db_->Prepare("SELECT count(*) FROM child");
  ASSERT_TRUE(*count.Step());
  EXPECT_EQ(count.ColumnInt64(0), 0);
}

TEST_P(DatabaseTest, SavepointsIsolateInsideATransaction) {
  Transaction transaction(*db_);
  ASSERT_TRUE(transaction.Begin().ok());
  {
    Savepoint kept(*db_);
    ASSERT_TRUE(kept.Begin().ok());
    ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (1, 1)").ok());
    ASSERT_TRUE(kept.Release().ok());
  }
  {
    Savepoint dropped(*db_);
    ASSERT_TRUE(dropped.Begin().ok());
    ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (2, 2)").ok());
    {
      Savepoint nested(*db_);
      ASSERT_TRUE(nested.Begin().ok());
      ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (3, 3)").ok());
      ASSERT_TRUE(nested.Release().ok());
    }
    EXPECT_EQ(Count(), 3);
  }  // destroyed unreleased: 2 and 3 go
  {
    Savepoint explicit_rollback(*db_);
    ASSERT_TRUE(explicit_rollback.Begin().ok());
    ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (4, 4)").ok());
    explicit_rollback.Rollback();
    EXPECT_FALSE(explicit_rollback.is_open());
  }
  EXPECT_TRUE(db_->InTransaction());
  EXPECT_EQ(Count(), 1);
  ASSERT_TRUE(transaction.Commit().ok());
  EXPECT_EQ(Count(), 1);
}

TEST_P(DatabaseTest, SavepointWithoutTransactionActsAsOne) {
  {
    Savepoint savepoint(*db_);
    ASSERT_TRUE(savepoint.Begin().ok());
    EXPECT_TRUE(db_->InTransaction());
    ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (1, 1)").ok());
  }
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count(), 0);
  {
    Savepoint savepoint(*db_);
    ASSERT_TRUE(savepoint.Begin().ok());
    ASSERT_TRUE(db_->Execute("INSERT INTO kv (k, v) VALUES (1, 1)").ok());
    ASSERT_TRUE(savepoint.Release().ok());
  }
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count(), 1);
}

TEST(DatabaseFileTest, ReadOnlyConnectionSeesCommitsAndRefusesWrites) {
  test_util::TempDir dir;
  const std::string path = dir.File("ro.db");
  auto writer = Database::Open(path, OpenOptions{});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Execute(kCreateKv).ok());
  OpenOptions read_only;
  read_only.read_only = true;
  auto reader = Database::Open(path, read_only);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_TRUE((*reader)->read_only());

  ASSERT_TRUE((*writer)->Execute("INSERT INTO kv (k, v) VALUES (1, 1)").ok());
  Statement& count = (*reader)->Prepare(kCountKv);
  ASSERT_TRUE(*count.Step());
  EXPECT_EQ(count.ColumnInt64(0), 1);
  count.Reset();

  // A reader's snapshot inside its transaction does not move; WAL lets the writer go on.
  Transaction snapshot(**reader, Transaction::Kind::kDeferred);
  ASSERT_TRUE(snapshot.Begin().ok());
  ASSERT_TRUE(*count.Step());
  count.Reset();
  ASSERT_TRUE((*writer)->Execute("INSERT INTO kv (k, v) VALUES (2, 2)").ok());
  ASSERT_TRUE(*count.Step());
  EXPECT_EQ(count.ColumnInt64(0), 1);
  count.Reset();
  ASSERT_TRUE(snapshot.Commit().ok());
  ASSERT_TRUE(*count.Step());
  EXPECT_EQ(count.ColumnInt64(0), 2);

  Status write = (*reader)->Execute("INSERT INTO kv (k, v) VALUES (3, 3)");
  EXPECT_FALSE(write.ok());
}

TEST(DatabaseFileTest, OpenReportsUnopenablePaths) {
  auto db = Database::Open("/nonexistent-dir/x/y.db", OpenOptions{});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), AwsError::kInternalFailure);
  EXPECT_THAT(db.status().message(), HasSubstr("/nonexistent-dir/x/y.db"));
}

}  // namespace
}  // namespace streamstack::storage
