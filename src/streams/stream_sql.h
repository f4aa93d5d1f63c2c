// streams (private): the schema and every SQL statement of the module, as named constants
// (Chromium sql/ style: explicit columns, ORDER BY on multi-row selects, ? placeholders).
#pragma once

#include "streamstack/storage/migration.h"

namespace streamstack::streams::sql {

// records: PRIMARY KEY (shard_rowid, sequence) WITHOUT ROWID, so every read is a seek into
// the clustered key: the tail of a 1,000,000-record shard costs what a 1,000-record one does.
// shards.ending_sequence is NULL while the shard is open; trimmed_through is the highest
// sequence whose record retention deleted (reading at or before it is TrimmedDataAccess).
// AUTOINCREMENT: ids are never reused, so an old ShardIterator cannot name a newer shard.
inline constexpr storage::Migration kMigrations[] = {
    {1,
     "CREATE TABLE streams ("
     " stream_id INTEGER PRIMARY KEY AUTOINCREMENT,"
     " stream_arn TEXT NOT NULL UNIQUE,"
     " stream_label TEXT NOT NULL,"
     " table_name TEXT NOT NULL,"
     " view_type TEXT NOT NULL,"
     " key_schema TEXT NOT NULL,"
     " status TEXT NOT NULL,"
     " created_ms INTEGER NOT NULL,"
     " disabled_ms INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX streams_by_table ON streams (table_name, stream_arn);"
     "CREATE TABLE shards ("
     " shard_rowid INTEGER PRIMARY KEY AUTOINCREMENT,"
     " stream_id INTEGER NOT NULL REFERENCES streams (stream_id),"
     " shard_id TEXT NOT NULL,"
     " parent_shard_id TEXT NOT NULL DEFAULT '',"
     " starting_sequence INTEGER NOT NULL,"
     " ending_sequence INTEGER,"
     " trimmed_through INTEGER NOT NULL DEFAULT 0,"
     " created_ms INTEGER NOT NULL,"
     " closed_ms INTEGER NOT NULL DEFAULT 0,"
     " UNIQUE (stream_id, shard_id));"
     "CREATE TABLE records ("
     " shard_rowid INTEGER NOT NULL,"
     " sequence INTEGER NOT NULL,"
     " created_ms INTEGER NOT NULL,"
     " record_json TEXT NOT NULL,"
     " PRIMARY KEY (shard_rowid, sequence)) WITHOUT ROWID;"},
};

// --- streams ----------------------------------------------------------------------------
inline constexpr char kInsertStream[] =
    "INSERT INTO streams (stream_arn, stream_label, table_name, view_type, key_schema, status,"
    " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)";
inline constexpr char kStreamArnExists[] = "SELECT 1 FROM streams WHERE stream_arn = ?";
inline constexpr char kSelectStreamByArn[] =
    "SELECT stream_id, stream_arn, stream_label, table_name, view_type, status, key_schema,"
    " created_ms, disabled_ms FROM streams WHERE stream_arn = ?";
inline constexpr char kSelectStreamForAppend[] =
    "SELECT stream_arn, view_type, status FROM streams WHERE stream_id = ?";
inline constexpr char kSelectStreamStatus[] = "SELECT status FROM streams WHERE stream_id = ?";
inline constexpr char kDisableStream[] =
    "UPDATE streams SET status = ?, disabled_ms = ? WHERE stream_id = ?";
inline constexpr char kListStreams[] =
    "SELECT stream_arn, table_name, stream_label FROM streams WHERE stream_arn > ?"
    " ORDER BY stream_arn LIMIT ?";
inline constexpr char kListStreamsOfTable[] =
    "SELECT stream_arn, table_name, stream_label FROM streams"
    " WHERE table_name = ? AND stream_arn > ? ORDER BY stream_arn LIMIT ?";
inline constexpr char kSelectExpiredStreams[] =
    "SELECT stream_id FROM streams WHERE status = ? AND disabled_ms < ? ORDER BY stream_id";
inline constexpr char kDeleteStream[] = "DELETE FROM streams WHERE stream_id = ?";

// --- shards -----------------------------------------------------------------------------
inline constexpr char kInsertShard[] =
    "INSERT INTO shards (stream_id, shard_id, parent_shard_id, starting_sequence, created_ms)"
    " VALUES (?, ?, ?, ?, ?)";
inline constexpr char kSelectOpenShard[] =
    "SELECT shard_rowid, shard_id, starting_sequence, trimmed_through, created_ms FROM shards"
    " WHERE stream_id = ? AND ending_sequence IS NULL ORDER BY shard_rowid DESC LIMIT 1";
inline constexpr char kCloseShard[] =
    "UPDATE shards SET ending_sequence = ?, closed_ms = ? WHERE shard_rowid = ?";
inline constexpr char kSelectShardsOfStream[] =
    "SELECT shard_rowid, shard_id, parent_shard_id, starting_sequence, ending_sequence,"
    " created_ms FROM shards WHERE stream_id = ? ORDER BY shard_rowid";
inline constexpr char kSelectShardById[] =
    "SELECT shard_rowid, starting_sequence, ending_sequence, trimmed_through FROM shards"
    " WHERE stream_id = ? AND shard_id = ?";
inline constexpr char kSelectShardByRowid[] =
    "SELECT stream_id, starting_sequence, ending_sequence, trimmed_through FROM shards"
    " WHERE shard_rowid = ?";
inline constexpr char kSelectShardByArnAndId[] =
    "SELECT sh.shard_rowid, sh.trimmed_through FROM streams st JOIN shards sh"
    " ON sh.stream_id = st.stream_id WHERE st.stream_arn = ? AND sh.shard_id = ?";
inline constexpr char kSelectAllShards[] =
    "SELECT shard_rowid, starting_sequence, ending_sequence, trimmed_through FROM shards"
    " ORDER BY shard_rowid";
inline constexpr char kSelectShardRowidsOfStream[] =
    "SELECT shard_rowid FROM shards WHERE stream_id = ? ORDER BY shard_rowid";
inline constexpr char kSetTrimmedThrough[] =
    "UPDATE shards SET trimmed_through = ? WHERE shard_rowid = ? AND trimmed_through < ?";
inline constexpr char kSelectExpiredClosedShards[] =
    "SELECT shard_rowid FROM shards WHERE ending_sequence IS NOT NULL AND closed_ms < ?"
    " ORDER BY shard_rowid";
inline constexpr char kDeleteShard[] = "DELETE FROM shards WHERE shard_rowid = ?";
inline constexpr char kDeleteShardsOfStream[] = "DELETE FROM shards WHERE stream_id = ?";

// --- records ----------------------------------------------------------------------------
inline constexpr char kInsertRecord[] =
    "INSERT INTO records (shard_rowid, sequence, created_ms, record_json) VALUES (?, ?, ?, ?)";
inline constexpr char kSelectRecordsAfter[] =
    "SELECT sequence, created_ms, record_json FROM records"
    " WHERE shard_rowid = ? AND sequence > ? ORDER BY sequence LIMIT ?";
inline constexpr char kSelectLastSequence[] =
    "SELECT sequence FROM records WHERE shard_rowid = ? ORDER BY sequence DESC LIMIT 1";
inline constexpr char kSelectLastSequenceBefore[] =
    "SELECT sequence FROM records WHERE shard_rowid = ? AND sequence < ?"
    " ORDER BY sequence DESC LIMIT 1";
inline constexpr char kSelectFirstUnexpired[] =
    "SELECT sequence FROM records WHERE shard_rowid = ? AND created_ms >= ?"
    " ORDER BY sequence LIMIT 1";
inline constexpr char kDeleteRecordsBefore[] =
    "DELETE FROM records WHERE shard_rowid = ? AND sequence < ?";
inline constexpr char kDeleteRecordsOfShard[] = "DELETE FROM records WHERE shard_rowid = ?";

}  // namespace streamstack::streams::sql
