#include "esm/batch.h"

#include "streamstack/common/ids.h"

namespace streamstack::esm {
namespace {

// FNV-1a, 64 bit: fixed, so a key's lane does not change between builds or restarts.
uint64_t Fnv1a(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

void AppendRecords(std::string& out, std::span<const Record> records) {
  out += "{\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) out += ',';
    out += records[i].json;
  }
  out += ']';
}

}  // namespace

std::string WithEventSourceArn(std::string_view record_json, std::string_view quoted_arn) {
  size_t end = record_json.find_last_of('}');
  if (end == std::string_view::npos) return std::string(record_json);
  std::string out;
  out.reserve(end + quoted_arn.size() + 20);
  out.append(record_json.substr(0, end));
  // An empty object gets no leading comma.
  size_t last = record_json.find_last_not_of(" \t\r\n", end == 0 ? 0 : end - 1);
  if (last != std::string_view::npos && record_json[last] != '{') out += ',';
  out += "\"eventSourceARN\":";
  out.append(quoted_arn);
  out += '}';
  return out;
}

size_t TakeCount(const std::deque<Record>& queue, size_t max_count, size_t max_payload,
                 size_t overhead) {
  size_t bytes = overhead;
  size_t n = 0;
  for (const Record& r : queue) {
    if (n >= max_count) break;
    size_t add = r.json.size() + (n > 0 ? 1 : 0);
    if (n > 0 && bytes + add > max_payload) break;
    bytes += add;
    ++n;
  }
  return n;
}

std::string BuildRecordsEvent(std::span<const Record> records) {
  size_t size = kRecordsEventOverhead;
  for (const Record& r : records) size += r.json.size() + 1;
  std::string out;
  out.reserve(size);
  AppendRecords(out, records);
  out += '}';
  return out;
}

std::string BuildWindowEvent(std::span<const Record> records, const WindowEventFields& f) {
  std::string out;
  size_t size = WindowEventOverhead(f);
  for (const Record& r : records) size += r.json.size() + 1;
  out.reserve(size);
  AppendRecords(out, records);
  out += ",\"window\":{\"start\":\"";
  out += FormatIso8601Seconds(f.window_start_ms);
  out += "\",\"end\":\"";
  out += FormatIso8601Seconds(f.window_end_ms);
  out += "\"},\"state\":";
  out.append(f.state_json.empty() ? std::string_view("{}") : f.state_json);
  out += ",\"shardId\":\"";
  out.append(f.shard_id);  // shard ids are [A-Za-z0-9_.-]: nothing to escape
  out += "\",\"eventSourceARN\":";
  out.append(f.quoted_arn);
  out += ",\"isFinalInvokeForWindow\":";
  out += f.is_final ? "true" : "false";
  out += ",\"isWindowTerminatedEarly\":";
  out += f.terminated_early ? "true" : "false";
  out += '}';
  return out;
}

size_t WindowEventOverhead(const WindowEventFields& f) {
  // Everything but the records: the event with an empty Records array.
  return kRecordsEventOverhead + 200 + f.state_json.size() + f.shard_id.size() +
         f.quoted_arn.size();
}

int64_t WindowStart(int64_t created_ms, int64_t window_ms) {
  if (window_ms <= 0) return 0;
  int64_t seconds_ms = created_ms - created_ms % 1000;
  return seconds_ms - seconds_ms % window_ms;
}

std::string_view ItemKeyText(std::string_view json) {
  constexpr std::string_view kKeys = "\"Keys\":";
  size_t p = json.find(kKeys);
  if (p == std::string_view::npos) return {};
  size_t i = p + kKeys.size();
  while (i < json.size() && (json[i] == ' ' || json[i] == '\n' || json[i] == '\t')) ++i;
  if (i >= json.size() || json[i] != '{') return {};
  const size_t start = i;
  int depth = 0;
  bool in_string = false;
  for (; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) return json.substr(start, i - start + 1);
    }
  }
  return {};
}

size_t LaneOf(std::string_view record_json, size_t lanes) {
  if (lanes <= 1) return 0;
  std::string_view key = ItemKeyText(record_json);
  if (key.empty()) key = record_json;
  return static_cast<size_t>(Fnv1a(key) % lanes);
}

}  // namespace streamstack::esm
