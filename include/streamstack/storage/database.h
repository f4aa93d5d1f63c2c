// storage: RAII over one SQLite connection (Database), its cached prepared statements
// (Statement) and its transactions (Transaction, Savepoint). Depends on common only; no
// sqlite3 type leaks out of this header. A Database and everything it hands out belong to
// one thread at a time (the Store's writer thread, or a reader holding a lease).
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "streamstack/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace streamstack::storage {

// How a connection is opened. The defaults are the writer's.
struct OpenOptions {
  // Opens with SQLITE_OPEN_READONLY and `PRAGMA query_only`; never creates the file and
  // never changes the journal mode (a WAL database stays WAL: the mode is in the file).
  bool read_only = false;
  // How long a statement waits for a lock held by another connection before SQLITE_BUSY.
  std::chrono::milliseconds busy_timeout{5000};
  // Page cache of this connection (`PRAGMA cache_size = -cache_size_kib`).
  int cache_size_kib = 16 * 1024;
};

// A read-only view of bytes, so a blob cannot be confused with text when binding.
// Reading (Statement::ColumnBlob) it is valid until the statement steps or resets.
class Blob {
 public:
  Blob() = default;
  explicit Blob(std::string_view bytes) : data_(bytes.data()), size_(bytes.size()) {}
  explicit Blob(std::span<const std::uint8_t> bytes)
      : data_(reinterpret_cast<const char*>(bytes.data())), size_(bytes.size()) {}
  explicit Blob(std::span<const std::byte> bytes)
      : data_(reinterpret_cast<const char*>(bytes.data())), size_(bytes.size()) {}

  const void* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

// A prepared statement, owned and cached by its Database (see Database::Prepare).
//
// Errors are never lost: a statement that failed to prepare, or a Bind that failed (index
// out of range, value too big), makes the next Step()/Run() return that error. Text and
// blobs are copied when bound, so the caller's buffers may die right after Bind.
// Parameter indexes start at 1, column indexes at 0 (SQLite's convention).
class Statement {
 public:
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Integers of any width (and bool, as 0/1). A uint64_t above INT64_MAX wraps: store such
  // values as text.
  template <std::integral T>
  void Bind(int index, T value) {
    BindInt64(index, static_cast<std::int64_t>(value));
  }
  void Bind(int index, double value);
  void Bind(int index, std::string_view text);  // TEXT; an empty view binds '' (not NULL)
  void Bind(int index, const char* text) { Bind(index, std::string_view(text)); }
  void Bind(int index, const std::string& text) { Bind(index, std::string_view(text)); }
  void Bind(int index, Blob blob);       // BLOB; an empty blob binds x'' (not NULL)
  void Bind(int index, std::nullptr_t);  // NULL
  void BindInt64(int index, std::int64_t value);

  // Runs the statement one step. Returns true when a row is available through the Column
  // accessors, false when the statement is done (it is then reset, so its read snapshot is
  // released; bindings are kept). On error: kInternalFailure with SQLite's message; the
  // statement is reset.
  [[nodiscard]] Result<bool> Step();
  // Steps until done, discarding rows (INSERT/UPDATE/DELETE, DDL, RETURNING ignored).
  [[nodiscard]] Status Run();

  // Column accessors, valid only after Step() returned true. A NULL reads as 0, 0.0 or an
  // empty view. Views are valid until the next Step(), Reset() or Database::Prepare of this
  // same SQL.
  [[nodiscard]] int ColumnCount() const;
  [[nodiscard]] bool ColumnIsNull(int column) const;
  [[nodiscard]] std::int64_t ColumnInt64(int column) const;
  [[nodiscard]] int ColumnInt(int column) const;
  [[nodiscard]] double ColumnDouble(int column) const;
  [[nodiscard]] std::string_view ColumnText(int column) const;
  [[nodiscard]] Blob ColumnBlob(int column) const;

  // Resets the statement and clears every binding (and a pending bind error).
  void Reset();

  // False when the SQL failed to prepare; Step()/Run() then return that error.
  [[nodiscard]] bool is_valid() const { return stmt_ != nullptr; }
  [[nodiscard]] const std::string& sql() const { return sql_; }

 private:
  friend class Database;
  Statement(sqlite3* db, std::string sql);
  Status PrepareIfNeeded();
  void RecordBindResult(int rc, int index);

  sqlite3* const db_;
  const std::string sql_;
  sqlite3_stmt* stmt_ = nullptr;  // null when preparation failed
  Status error_;                  // the first prepare/bind error since the last Reset
};

// What one WAL checkpoint found and did (sqlite3_wal_checkpoint_v2).
struct WalCheckpoint {
  bool busy = false;   // another connection was checkpointing, or (not PASSIVE) a lock was held
  int wal_frames = 0;  // frames in the WAL when the checkpoint began
  int checkpointed_frames = 0;  // of those, how many are now copied back (earlier ones too)
};

enum class CheckpointMode { kPassive, kTruncate };

// One SQLite connection: WAL, synchronous=NORMAL, foreign keys on, a busy timeout and a
// page cache. Not thread-safe: one thread at a time.
class Database {
 public:
  // Opens (and, unless read_only, creates) the database at `path` (":memory:" for a private
  // in-memory database). kInternalFailure with SQLite's message when the file cannot be
  // opened or configured.
  [[nodiscard]] static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                              const OpenOptions& options);
  ~Database();  // finalizes every cached statement, then closes the connection
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more ;-separated statements without parameters (DDL, PRAGMA, migrations).
  [[nodiscard]] Status Execute(std::string_view sql);

  // Returns the cached statement for this SQL text, preparing it on first use. A statement
  // handed out again is reset and its bindings cleared, so a caller must finish with one
  // statement before preparing the same SQL again (e.g. not inside its own row loop). The
  // reference stays valid as long as the Database. Keep SQL in named constants.
  [[nodiscard]] Statement& Prepare(const char* sql);

  // Checkpoints the WAL (see SQLite's sqlite3_wal_checkpoint_v2 for the modes). PASSIVE copies
  // what no reader still needs and never waits; TRUNCATE waits (busy timeout) for the writer
  // and readers and empties the WAL file.
  [[nodiscard]] Result<WalCheckpoint> Checkpoint(CheckpointMode mode);

  // Rowid of the last successful INSERT on this connection.
  [[nodiscard]] std::int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  [[nodiscard]] int Changes() const;
  // True inside BEGIN ... COMMIT/ROLLBACK (or an outermost SAVEPOINT).
  [[nodiscard]] bool InTransaction() const;
  [[nodiscard]] bool read_only() const { return read_only_; }
  [[nodiscard]] const std::string& path() const { return path_; }

  // Resets every statement of this connection that is mid-iteration, so no read snapshot or
  // statement journal is left open (the Store calls it when a job or a lease ends).
  void ResetActiveStatements();

  // The error of the last failed call on this connection, as a Status.
  [[nodiscard]] Status LastError(std::string_view context) const;

 private:
  friend class Savepoint;
  Database(sqlite3* db, std::string path, bool read_only);

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  sqlite3* db_;
  const std::string path_;
  const bool read_only_;
  int savepoint_depth_ = 0;  // names nested savepoints sp1, sp2, ...
  std::unordered_map<std::string, std::unique_ptr<Statement>, StringHash, std::equal_to<>>
      statements_;
};

// BEGIN ... COMMIT with rollback in the destructor unless committed. The Store's writer
// uses kImmediate (take the write lock up front: no deadlock upgrading a read lock); a
// reader may use kDeferred to run several SELECTs on one snapshot.
class Transaction {
 public:
  enum class Kind { kDeferred, kImmediate };

  explicit Transaction(Database& db, Kind kind = Kind::kImmediate) : db_(db), kind_(kind) {}
  ~Transaction();  // rolls back if begun and not committed
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  [[nodiscard]] Status Begin();
  // On failure the transaction is rolled back (now or by the destructor).
  [[nodiscard]] Status Commit();
  void Rollback();

  [[nodiscard]] bool is_open() const { return begun_ && !finished_; }

 private:
  Database& db_;
  const Kind kind_;
  bool begun_ = false;
  bool finished_ = false;
};

// SAVEPOINT ... RELEASE inside a transaction (or as a deferred transaction of its own when
// none is open), rolled back to in the destructor unless released. Used by the Store for
// per-job isolation inside a group commit. Savepoints nest; each must end before the one
// that encloses it.
class Savepoint {
 public:
  explicit Savepoint(Database& db) : db_(db) {}
  ~Savepoint();  // ROLLBACK TO + RELEASE if begun and not released
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  [[nodiscard]] Status Begin();
  // Keeps the changes (they commit with the enclosing transaction). On failure the
  // savepoint is rolled back.
  [[nodiscard]] Status Release();
  // Undoes every change since Begin() and ends the savepoint.
  void Rollback();

  [[nodiscard]] bool is_open() const { return !name_.empty(); }

 private:
  Database& db_;
  std::string name_;  // empty unless open
};

}  // namespace streamstack::storage
