#include "streams/shard_iterator.h"

#include <array>
#include <charconv>
#include <cstdio>

#include "streamstack/common/ids.h"

namespace streamstack::streams {
namespace {

// The format's version; bump when the layout changes so old strings fail cleanly.
constexpr std::string_view kVersion = "ssi1";
constexpr char kSeparator = '|';

// FNV-1a, 32 bits: not a MAC (iterators are not secrets on AWS either), only a guard
// against truncated or edited strings being read as another position.
uint32_t Checksum(std::string_view text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

std::string ChecksumHex(std::string_view text) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", Checksum(text));
  return std::string(buf, 8);
}

bool ParseInt(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out >= 0;
}

}  // namespace

std::string EncodeShardIterator(const ShardIteratorPosition& p) {
  std::string body(kVersion);
  for (int64_t v : {p.stream_id, p.shard_rowid, p.after_sequence, p.issued_ms}) {
    body += kSeparator;
    body += std::to_string(v);
  }
  std::string check = ChecksumHex(body);
  body += kSeparator;
  body += check;
  return Base64Encode(body);
}

std::optional<ShardIteratorPosition> DecodeShardIterator(std::string_view text) {
  if (text.empty() || text.size() > 2048) return std::nullopt;
  std::string raw;
  if (!Base64Decode(text, &raw)) return std::nullopt;
  size_t last = raw.rfind(kSeparator);
  if (last == std::string::npos) return std::nullopt;
  std::string_view body(raw.data(), last);
  if (ChecksumHex(body) != std::string_view(raw).substr(last + 1)) return std::nullopt;

  std::array<std::string_view, 5> parts;
  size_t n = 0;
  std::string_view rest = body;
  while (n < parts.size()) {
    size_t sep = rest.find(kSeparator);
    parts[n++] = rest.substr(0, sep);
    if (sep == std::string_view::npos) {
      rest = {};
      break;
    }
    rest.remove_prefix(sep + 1);
    if (n == parts.size()) return std::nullopt;  // too many fields
  }
  if (n != parts.size() || parts[0] != kVersion) return std::nullopt;
  ShardIteratorPosition p;
  if (!ParseInt(parts[1], &p.stream_id) || !ParseInt(parts[2], &p.shard_rowid) ||
      !ParseInt(parts[3], &p.after_sequence) || !ParseInt(parts[4], &p.issued_ms)) {
    return std::nullopt;
  }
  return p;
}

}  // namespace streamstack::streams
