#include "streamstack/storage/migration.h"

#include <string>
#include <utility>

namespace streamstack::storage {
namespace {

constexpr char kCreateSchemaVersion[] =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "module TEXT PRIMARY KEY, version INTEGER NOT NULL)";
constexpr char kTableExists[] =
    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'";
constexpr char kSelectVersion[] = "SELECT version FROM schema_version WHERE module = ?";
constexpr char kUpsertVersion[] =
    "INSERT INTO schema_version (module, version) VALUES (?, ?) "
    "ON CONFLICT (module) DO UPDATE SET version = excluded.version";

Status MigrationError(std::string_view module, std::string message) {
  return {AwsError::kInternalFailure,
          "schema migration of module " + std::string(module) + ": " + std::move(message)};
}

Status ApplyOne(Database& db, std::string_view module, const Migration& migration) {
  STREAMSTACK_RETURN_IF_ERROR(db.Execute(migration.sql));
  if (migration.code != nullptr) STREAMSTACK_RETURN_IF_ERROR(migration.code(db));
  Statement& upsert = db.Prepare(kUpsertVersion);
  upsert.Bind(1, module);
  upsert.Bind(2, migration.version);
  return upsert.Run();
}

// One migration, atomically: its own transaction, or a savepoint inside the caller's.
Status ApplyAtomically(Database& db, std::string_view module, const Migration& migration) {
  if (db.InTransaction()) {
    Savepoint savepoint(db);
    STREAMSTACK_RETURN_IF_ERROR(savepoint.Begin());
    STREAMSTACK_RETURN_IF_ERROR(ApplyOne(db, module, migration));
    return savepoint.Release();
  }
  Transaction transaction(db);
  STREAMSTACK_RETURN_IF_ERROR(transaction.Begin());
  STREAMSTACK_RETURN_IF_ERROR(ApplyOne(db, module, migration));
  return transaction.Commit();
}

}  // namespace

Result<int> SchemaVersion(Database& db, std::string_view module) {
  Statement& exists = db.Prepare(kTableExists);
  Result<bool> has_table = exists.Step();
  if (!has_table.ok()) return std::move(has_table).take_status();
  exists.Reset();
  if (!*has_table) return 0;
  Statement& select = db.Prepare(kSelectVersion);
  select.Bind(1, module);
  Result<bool> row = select.Step();
  if (!row.ok()) return std::move(row).take_status();
  const int version = *row ? select.ColumnInt(0) : 0;
  select.Reset();
  return version;
}

Status Migrate(Database& db, std::string_view module, std::span<const Migration> migrations) {
  int previous = 0;
  for (const Migration& migration : migrations) {
    if (migration.version <= previous) {
      return MigrationError(module, "version " + std::to_string(migration.version) +
                                        " follows version " + std::to_string(previous) +
                                        " (versions must start at 1 and strictly increase)");
    }
    if (migration.sql == nullptr) {
      return MigrationError(module, "version " + std::to_string(migration.version) + " has no SQL");
    }
    previous = migration.version;
  }
  const int latest = previous;

  STREAMSTACK_RETURN_IF_ERROR(db.Execute(kCreateSchemaVersion));
  Result<int> current = SchemaVersion(db, module);
  if (!current.ok()) return std::move(current).take_status();
  if (*current > latest) {
    return MigrationError(module, "the database is at version " + std::to_string(*current) +
                                      ", newer than this build knows (" + std::to_string(latest) +
                                      ")");
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    Status status = ApplyAtomically(db, module, migration);
    if (!status.ok()) {
      return MigrationError(
          module, "version " + std::to_string(migration.version) + " failed: " + status.message());
    }
  }
  return Status::Ok();
}

}  // namespace streamstack::storage
