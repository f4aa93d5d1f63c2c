#include "streamstack/common/ids.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <random>
#include <stdexcept>

namespace streamstack {
namespace {

// Ids need to be unique, not secret: a per-thread generator seeded once from the OS is
// far cheaper than a syscall per id.
std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }());
  return rng;
}

void FillRandom(unsigned char* out, size_t n) {
  auto& rng = Rng();
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j)
      out[i + j] = static_cast<unsigned char>(v >> (8 * j));
  }
}

constexpr char kHex[] = "0123456789abcdef";

std::tm UtcTm(int64_t epoch_millis) {
  time_t secs = static_cast<time_t>(epoch_millis / 1000);
  if (epoch_millis < 0 && epoch_millis % 1000 != 0) --secs;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

int MillisPart(int64_t epoch_millis) {
  int64_t m = epoch_millis % 1000;
  return static_cast<int>(m < 0 ? m + 1000 : m);
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 0xf];
  }
  return out;
}

std::string RandomHex(size_t n_bytes) {
  std::string raw(n_bytes, '\0');
  FillRandom(reinterpret_cast<unsigned char*>(raw.data()), n_bytes);
  return HexEncode(raw);
}

std::string NewUuidV4() {
  std::array<unsigned char, 16> b{};
  FillRandom(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xf]);
  }
  return out;
}

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string Md5(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Md5Hex(std::string_view data) { return HexEncode(Md5(data)); }

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i + 2 >= text.size());
    if (!ok) return false;
  }
  std::string buf(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  buf.resize(static_cast<size_t>(n) - pad);
  *out = std::move(buf);
  return true;
}

std::string FormatIso8601Millis(int64_t epoch_millis) {
  std::tm tm = UtcTm(epoch_millis);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                MillisPart(epoch_millis));
  return buf;
}

std::string FormatIso8601Seconds(int64_t epoch_millis) {
  std::tm tm = UtcTm(epoch_millis);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatLambdaTimestamp(int64_t epoch_millis) {
  std::tm tm = UtcTm(epoch_millis);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                MillisPart(epoch_millis));
  return buf;
}

namespace arn {
namespace {
std::string Build(std::string_view service, const AccountScope& s, std::string_view resource) {
  std::string out = "arn:aws:";
  out.append(service).append(":").append(s.region).append(":").append(s.account_id);
  out.append(":").append(resource);
  return out;
}
}  // namespace

std::string Table(const AccountScope& s, std::string_view table) {
  return Build("dynamodb", s, "table/" + std::string(table));
}
std::string Stream(const AccountScope& s, std::string_view table, std::string_view label) {
  return Table(s, table) + "/stream/" + std::string(label);
}
std::string Function(const AccountScope& s, std::string_view name) {
  return Build("lambda", s, "function:" + std::string(name));
}
std::string EventSourceMapping(const AccountScope& s, std::string_view uuid) {
  return Build("lambda", s, "event-source-mapping:" + std::string(uuid));
}
std::string Queue(const AccountScope& s, std::string_view name) { return Build("sqs", s, name); }
std::string Topic(const AccountScope& s, std::string_view name) { return Build("sns", s, name); }
std::string ServiceOf(std::string_view arn) {
  size_t a = arn.find(':');
  if (a == std::string_view::npos) return "";
  a = arn.find(':', a + 1);
  if (a == std::string_view::npos) return "";
  size_t b = arn.find(':', a + 1);
  return b == std::string_view::npos ? "" : std::string(arn.substr(a + 1, b - a - 1));
}

std::string LogGroup(const AccountScope& s, std::string_view name) {
  return Build("logs", s, "log-group:" + std::string(name));
}
}  // namespace arn

}  // namespace streamstack
