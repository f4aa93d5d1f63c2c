#include "esm/batch.h"

#include "streamstack/common/ids.h"

namespace streamstack::esm {
namespace {

void AppendRecords(std::string& out, std::span<const Record> records) {
  out += "{\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) out += ',';
    out += records[i].json;
  }
  out += ']';
}

}  // namespace

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

}  // namespace streamstack::esm
