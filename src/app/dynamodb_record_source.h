// app (private): DynamoDB Streams as the delivery engine's RecordSource. The streams
// module's shards, records, watermarks and listener, its SequenceNumber syntax, and the
// envelope of a DynamoDB stream record as a function receives it: the stored record with
// eventSourceARN appended, lanes by item key (dynamodb.Keys), the failure record's
// DDBStreamBatchInfo. Thread safety: as RecordSource (StreamStore is thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/esm/record_source.h"

namespace streamstack::streams {
class StreamStore;
}

namespace streamstack::app {

class DynamoDbRecordSource final : public esm::RecordSource {
 public:
  // `streams` must outlive this object.
  explicit DynamoDbRecordSource(streams::StreamStore& streams) : streams_(streams) {}

  Result<std::vector<esm::SourceShard>> ListShards(const std::string& stream_arn) const override;
  Result<std::vector<esm::SourceRecord>> Read(const std::string& stream_arn,
                                              const std::string& shard_id, int64_t after,
                                              size_t limit, bool lane_keys) const override;
  int Subscribe(WriteListener listener) override;
  void Unsubscribe(int handle) override;
  std::string FormatPosition(int64_t position) const override;
  std::optional<int64_t> ParsePosition(std::string_view text) const override;
  esm::BatchInfo DescribeBatch(const esm::DiscardedBatch& batch) const override;

 private:
  streams::StreamStore& streams_;
};

// The stored record JSON (an object) with "eventSourceARN" appended as its last member.
// `quoted_arn` is the ARN as a JSON string literal (quotes included).
std::string WithEventSourceArn(std::string_view record_json, std::string_view quoted_arn);
// The text of the record's dynamodb.Keys object ("" when absent): what decides its lane.
std::string_view ItemKeyText(std::string_view record_json);

}  // namespace streamstack::app
