#include "streamstack/storage/database.h"

#include <sqlite3.h>

#include <string>
#include <utility>

namespace streamstack::storage {
namespace {

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string message(context);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += " (sqlite code ";
  message += std::to_string(rc);
  message += ")";
  return {AwsError::kInternalFailure, std::move(message)};
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Statement

Statement::Statement(sqlite3* db, std::string sql) : db_(db), sql_(std::move(sql)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::PrepareIfNeeded() {
  if (stmt_ != nullptr) return Status::Ok();
  // PERSISTENT: the statement lives in the cache for the connection's lifetime.
  const int rc = sqlite3_prepare_v3(db_, sql_.c_str(), static_cast<int>(sql_.size() + 1),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    return SqliteError(db_, rc, "prepare [" + sql_ + "]");
  }
  if (stmt_ == nullptr) {  // only whitespace or a comment
    return {AwsError::kInternalFailure, "prepare [" + sql_ + "]: empty statement"};
  }
  return Status::Ok();
}

void Statement::RecordBindResult(int rc, int index) {
  if (rc == SQLITE_OK || !error_.ok()) return;
  error_ = SqliteError(db_, rc, "bind parameter " + std::to_string(index) + " of [" + sql_ + "]");
}

void Statement::BindInt64(int index, std::int64_t value) {
  if (stmt_ == nullptr) return;
  RecordBindResult(sqlite3_bind_int64(stmt_, index, value), index);
}

void Statement::Bind(int index, double value) {
  if (stmt_ == nullptr) return;
  RecordBindResult(sqlite3_bind_double(stmt_, index, value), index);
}

void Statement::Bind(int index, std::string_view text) {
  if (stmt_ == nullptr) return;
  // A null data pointer would bind NULL; an empty view means ''.
  const char* data = text.data() != nullptr ? text.data() : "";
  RecordBindResult(
      sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

void Statement::Bind(int index, Blob blob) {
  if (stmt_ == nullptr) return;
  if (blob.size() == 0) {  // sqlite3_bind_blob with a null pointer would bind NULL
    RecordBindResult(sqlite3_bind_zeroblob(stmt_, index, 0), index);
    return;
  }
  RecordBindResult(sqlite3_bind_blob64(stmt_, index, blob.data(), blob.size(), SQLITE_TRANSIENT),
                   index);
}

void Statement::Bind(int index, std::nullptr_t) {
  if (stmt_ == nullptr) return;
  RecordBindResult(sqlite3_bind_null(stmt_, index), index);
}

Result<bool> Statement::Step() {
  if (!error_.ok()) return error_;
  if (stmt_ == nullptr) return Status(AwsError::kInternalFailure, "statement not prepared");
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  Status status = SqliteError(db_, rc, "step [" + sql_ + "]");
  sqlite3_reset(stmt_);
  return status;
}

Status Statement::Run() {
  while (true) {
    Result<bool> row = Step();
    if (!row.ok()) return std::move(row).take_status();
    if (!*row) return Status::Ok();
  }
}

int Statement::ColumnCount() const { return stmt_ ? sqlite3_column_count(stmt_) : 0; }

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

int Statement::ColumnInt(int column) const { return sqlite3_column_int(stmt_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string_view Statement::ColumnText(int column) const {
  // sqlite3_column_text before sqlite3_column_bytes: the documented safe order.
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

Blob Statement::ColumnBlob(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  if (data == nullptr) return {};
  return Blob(
      std::string_view(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))));
}

void Statement::Reset() {
  error_ = Status::Ok();
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

// ---------------------------------------------------------------------------------------
// Database

Database::Database(sqlite3* db, std::string path, bool read_only)
    : db_(db), path_(std::move(path)), read_only_(read_only) {}

Database::~Database() {
  statements_.clear();  // finalize before close, or sqlite3_close would fail with BUSY
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const OpenOptions& options) {
  if (sqlite3_threadsafe() == 0) {
    return Status(AwsError::kInternalFailure, "SQLite was built without thread support");
  }
  // NOMUTEX: a connection is used by one thread at a time (the Store guarantees it), so
  // SQLite's per-connection mutex is pure overhead.
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = SqliteError(raw, rc, "open " + path);
    sqlite3_close_v2(raw);
    return status;
  }
  std::unique_ptr<Database> db(new Database(raw, path, options.read_only));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));

  if (!options.read_only) {
    // WAL lets readers run beside the writer; an in-memory database answers "memory".
    // Switching a brand-new file to WAL rewrites its header through a rollback journal with
    // several fsyncs (tens of ms on a busy disk: most of a first start). Only a new, still
    // empty file ever switches (ours are WAL from then on), so a power loss in that instant
    // loses nothing: the switch runs with synchronous=OFF, and NORMAL is set right after.
    STREAMSTACK_RETURN_IF_ERROR(db->Execute("PRAGMA synchronous=OFF"));
    Statement& mode = db->Prepare("PRAGMA journal_mode=WAL");
    Result<bool> row = mode.Step();
    if (!row.ok()) return std::move(row).take_status();
    const std::string journal(*row ? mode.ColumnText(0) : "");
    mode.Reset();
    if (journal != "wal" && journal != "memory") {
      return Status(AwsError::kInternalFailure,
                    "open " + path + ": cannot switch to WAL (journal_mode=" + journal + ")");
    }
  }
  // synchronous=NORMAL in WAL: a commit is in the OS once COMMIT returns (survives a killed
  // process); only a power loss can take back the last commits.
  std::string pragmas =
      "PRAGMA synchronous=NORMAL;"
      "PRAGMA foreign_keys=ON;"
      "PRAGMA temp_store=MEMORY;"
      "PRAGMA cache_size=-" +
      std::to_string(options.cache_size_kib) + ";";
  if (options.read_only) pragmas += "PRAGMA query_only=ON;";
  STREAMSTACK_RETURN_IF_ERROR(db->Execute(pragmas));
  return db;
}

Status Database::Execute(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec needs a terminating NUL
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = "execute [" + text + "]: " + (error ? error : sqlite3_errstr(rc)) +
                        " (sqlite code " + std::to_string(rc) + ")";
  sqlite3_free(error);
  return {AwsError::kInternalFailure, std::move(message)};
}

Result<WalCheckpoint> Database::Checkpoint(CheckpointMode mode) {
  WalCheckpoint done;
  const int rc = sqlite3_wal_checkpoint_v2(
      db_, nullptr,
      mode == CheckpointMode::kPassive ? SQLITE_CHECKPOINT_PASSIVE : SQLITE_CHECKPOINT_TRUNCATE,
      &done.wal_frames, &done.checkpointed_frames);
  if (rc == SQLITE_BUSY) {
    done.busy = true;
    return done;
  }
  if (rc != SQLITE_OK) return LastError("wal checkpoint");
  return done;
}

Statement& Database::Prepare(const char* sql) {
  auto it = statements_.find(std::string_view(sql));
  if (it == statements_.end()) {
    it = statements_.emplace(std::string(sql), std::unique_ptr<Statement>(new Statement(db_, sql)))
             .first;
  } else {
    it->second->Reset();
  }
  Statement& statement = *it->second;
  // A statement that failed to prepare (say, its table did not exist yet) is retried each
  // time it is handed out; until it prepares, Step() reports the error.
  Status prepared = statement.PrepareIfNeeded();
  if (!prepared.ok()) statement.error_ = std::move(prepared);
  return statement;
}

std::int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int Database::Changes() const { return sqlite3_changes(db_); }

bool Database::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Database::ResetActiveStatements() {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr;
       s = sqlite3_next_stmt(db_, s)) {
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
  }
}

Status Database::LastError(std::string_view context) const {
  return SqliteError(db_, sqlite3_extended_errcode(db_), context);
}

// ---------------------------------------------------------------------------------------
// Transaction

Transaction::~Transaction() {
  if (begun_ && !finished_) Rollback();
}

Status Transaction::Begin() {
  if (begun_) return {AwsError::kInternalFailure, "transaction already begun"};
  STREAMSTACK_RETURN_IF_ERROR(
      db_.Execute(kind_ == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  begun_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  if (!is_open()) return {AwsError::kInternalFailure, "commit without an open transaction"};
  Status status = db_.Execute("COMMIT");
  if (!status.ok()) {
    Rollback();
    return status;
  }
  finished_ = true;
  return Status::Ok();
}

void Transaction::Rollback() {
  if (!is_open()) return;
  finished_ = true;
  // SQLite may already have rolled back on its own (an I/O error, SQLITE_FULL, ...).
  if (!db_.InTransaction()) return;
  db_.ResetActiveStatements();
  (void)db_.Execute("ROLLBACK");
}

// ---------------------------------------------------------------------------------------
// Savepoint

Savepoint::~Savepoint() {
  if (is_open()) Rollback();
}

Status Savepoint::Begin() {
  if (is_open()) return {AwsError::kInternalFailure, "savepoint already begun"};
  std::string name = "sp" + std::to_string(db_.savepoint_depth_ + 1);
  STREAMSTACK_RETURN_IF_ERROR(db_.Execute("SAVEPOINT " + name));
  ++db_.savepoint_depth_;
  name_ = std::move(name);
  return Status::Ok();
}

Status Savepoint::Release() {
  if (!is_open()) return {AwsError::kInternalFailure, "release without an open savepoint"};
  Status status = db_.Execute("RELEASE " + name_);
  if (!status.ok()) {
    Rollback();
    return status;
  }
  --db_.savepoint_depth_;
  name_.clear();
  return Status::Ok();
}

void Savepoint::Rollback() {
  if (!is_open()) return;
  // ROLLBACK TO keeps the savepoint on the stack; RELEASE then pops it. Skipped when SQLite
  // already rolled back the whole transaction on its own.
  if (db_.InTransaction()) {
    (void)db_.Execute("ROLLBACK TO " + name_);
    (void)db_.Execute("RELEASE " + name_);
  }
  --db_.savepoint_depth_;
  name_.clear();
}

}  // namespace streamstack::storage
