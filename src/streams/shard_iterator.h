// streams (private): the opaque ShardIterator string. It names a stream, a shard and a
// position ("after this sequence"), and carries its issue time so that GetRecords can
// expire it; a short checksum catches truncated or hand-edited strings.
// Pure functions; any thread may call them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace streamstack::streams {

struct ShardIteratorPosition {
  int64_t stream_id = 0;
  int64_t shard_rowid = 0;
  int64_t after_sequence = 0;  // the next record returned is the first one above this
  int64_t issued_ms = 0;
};

std::string EncodeShardIterator(const ShardIteratorPosition& position);
// nullopt when `text` is not an iterator this module issued.
std::optional<ShardIteratorPosition> DecodeShardIterator(std::string_view text);

}  // namespace streamstack::streams
