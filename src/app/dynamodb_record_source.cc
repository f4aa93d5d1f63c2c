#include "app/dynamodb_record_source.h"

#include <nlohmann/json.hpp>

#include <utility>

#include "streamstack/common/ids.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::app {

using streams::StreamStore;

Result<std::vector<esm::SourceShard>> DynamoDbRecordSource::ListShards(
    const std::string& stream_arn) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto shards, streams_.ListShards(stream_arn));
  std::vector<esm::SourceShard> out;
  out.reserve(shards.size());
  for (auto& shard : shards) {
    esm::SourceShard s;
    s.shard_id = std::move(shard.shard_id);
    s.parent_shard_id = std::move(shard.parent_shard_id);
    s.starting_position =
        StreamStore::ParseSequenceNumber(shard.starting_sequence).value_or(esm::kTrimHorizon);
    if (!shard.ending_sequence.empty()) {
      s.ending_position = StreamStore::ParseSequenceNumber(shard.ending_sequence);
    }
    // An aliasing pointer: the engine holds the shard's own published atomic (and keeps the
    // watermark object alive), so an idle poll stays two atomic loads.
    if (shard.watermark) {
      const std::atomic<int64_t>* last = &shard.watermark->last_sequence;
      s.watermark = esm::Watermark(std::move(shard.watermark), last);
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<esm::SourceRecord>> DynamoDbRecordSource::Read(const std::string& stream_arn,
                                                                  const std::string& shard_id,
                                                                  int64_t after, size_t limit,
                                                                  bool lane_keys) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto stored,
                               streams_.ReadRecords(stream_arn, shard_id, after, limit));
  std::vector<esm::SourceRecord> out;
  if (stored.empty()) return out;
  out.reserve(stored.size());
  const std::string quoted_arn = nlohmann::json(stream_arn).dump();
  for (const auto& record : stored) {
    esm::SourceRecord& r = out.emplace_back();
    r.position = record.sequence;
    r.created_ms = record.created_ms;
    r.json = WithEventSourceArn(record.json, quoted_arn);
    if (lane_keys) {
      // The item key (partition and sort key), so the records of one item keep their order.
      std::string_view key = ItemKeyText(r.json);
      r.lane_key = esm::LaneKeyHash(key.empty() ? std::string_view(r.json) : key);
    }
  }
  return out;
}

int DynamoDbRecordSource::Subscribe(WriteListener listener) {
  return streams_.AddListener(std::move(listener));
}

void DynamoDbRecordSource::Unsubscribe(int handle) { streams_.RemoveListener(handle); }

std::string DynamoDbRecordSource::FormatPosition(int64_t position) const {
  return StreamStore::FormatSequenceNumber(position);
}

std::optional<int64_t> DynamoDbRecordSource::ParsePosition(std::string_view text) const {
  return StreamStore::ParseSequenceNumber(text);
}

esm::BatchInfo DynamoDbRecordSource::DescribeBatch(const esm::DiscardedBatch& b) const {
  return {"DDBStreamBatchInfo",
          nlohmann::ordered_json{
              {"shardId", b.shard_id},
              {"startSequenceNumber", StreamStore::FormatSequenceNumber(b.first_position)},
              {"endSequenceNumber", StreamStore::FormatSequenceNumber(b.last_position)},
              {"approximateArrivalOfFirstRecord", FormatIso8601Seconds(b.first_created_ms)},
              {"approximateArrivalOfLastRecord", FormatIso8601Seconds(b.last_created_ms)},
              {"batchSize", static_cast<int>(b.batch_size)},
              {"streamArn", b.source_arn}}};
}

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

}  // namespace streamstack::app
