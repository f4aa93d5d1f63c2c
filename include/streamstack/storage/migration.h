// storage: ordered schema migrations per module, recorded in the table
// schema_version(module TEXT PRIMARY KEY, version INTEGER NOT NULL). Depends on common only.
// Called on the thread that owns the Database (at startup: through Store::Migrate).
#pragma once

#include <span>
#include <string_view>

#include "streamstack/common/status.h"
#include "streamstack/storage/database.h"

namespace streamstack::storage {

// One step of a module's schema. Versions start at 1 and strictly increase; a released
// migration is never edited, only followed by a new one.
struct Migration {
  int version;
  const char* sql;  // one or more ;-separated statements (may be empty when `code` is set)
  // A step in code, run after `sql` in the same transaction: for data SQL cannot rewrite
  // (bytes computed by the module). Null for most migrations.
  Status (*code)(Database& db) = nullptr;
};

// Brings `module`'s schema up to the last of `migrations`: applies, in ascending order and
// each in its own transaction, every migration whose version is above the recorded one, and
// records the new version with it. Idempotent: a second call applies nothing.
//
// Inside an open transaction (a Store write job) each migration runs in its own savepoint
// instead, and becomes durable when the enclosing transaction commits.
//
// Errors (kInternalFailure): versions not strictly increasing from >= 1; a database whose
// recorded version is above the last known one (written by a newer build: refusing beats
// corrupting); a failing migration (it is rolled back; the earlier ones stay applied).
[[nodiscard]] Status Migrate(Database& db, std::string_view module,
                             std::span<const Migration> migrations);

// The recorded version of `module`, 0 when it has none (or no schema_version table).
[[nodiscard]] Result<int> SchemaVersion(Database& db, std::string_view module);

}  // namespace streamstack::storage
