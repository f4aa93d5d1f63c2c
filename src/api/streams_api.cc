#include "streamstack/api/streams_api.h"

#include <climits>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streamstack/common/violations.h"

namespace streamstack::api {
namespace {

using nlohmann::json;
using streams::StreamStore;

const protocol::ServiceWire kStreamsWire{protocol::WireProtocol::kJson10,
                                         "com.amazonaws.dynamodb.v20120810", "", false};

// Decoding errors: a member of the wrong JSON type is a SerializationException (the request
// could not be read); a missing required member is a ValidationException worded as AWS's
// request validation words it. Collected so that several show up in one message.
class Decoder {
 public:
  explicit Decoder(const json& input) : input_(input) {}

  // `wire_name` is the JSON member, `member` the camelCase name validation messages use.
  std::optional<std::string> String(const char* wire_name, const char* member, bool required) {
    auto it = input_.find(wire_name);
    if (it == input_.end() || it->is_null()) {
      if (required) MissingMember(member);
      return std::nullopt;
    }
    if (!it->is_string()) {
      TypeMismatch(it->is_number() ? "NUMBER_VALUE cannot be converted to String"
                                   : "Unexpected value type in payload");
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::optional<int> Integer(const char* wire_name) {
    auto it = input_.find(wire_name);
    if (it == input_.end() || it->is_null()) return std::nullopt;
    if (it->is_number_integer()) {
      long long v = it->is_number_unsigned() && it->get<unsigned long long>() > LLONG_MAX
                        ? LLONG_MAX
                        : it->get<long long>();
      if (v > INT_MAX) v = INT_MAX;
      if (v < INT_MIN) v = INT_MIN;
      return static_cast<int>(v);
    }
    TypeMismatch(it->is_string() ? "STRING_VALUE can not be converted to an Integer"
                                 : "Unexpected value type in payload");
    return std::nullopt;
  }

  const json* Object(const char* wire_name) {
    auto it = input_.find(wire_name);
    if (it == input_.end() || it->is_null()) return nullptr;
    if (!it->is_object()) {
      TypeMismatch("Unexpected value type in payload");
      return nullptr;
    }
    return &*it;
  }

  void MissingMember(std::string_view member) { validation_.NotNull(false, member); }
  void BadEnum(std::string_view member, const std::string& value,
               std::initializer_list<const char*> values) {
    validation_.Enum(value, member, values);
  }

  // The first decoding error, if any.
  Status status() const {
    if (!serialization_.empty()) return Status(AwsError::kSerialization, serialization_);
    return validation_.ToStatus();
  }

 private:
  void TypeMismatch(std::string message) {
    if (serialization_.empty()) serialization_ = std::move(message);
  }

  const json& input_;
  std::string serialization_;
  Violations validation_;
};

// CreationRequestDateTime: a timestamp, which JSON 1.0 sends as epoch seconds.
json EpochSeconds(int64_t ms) {
  if (ms % 1000 == 0) return ms / 1000;
  return static_cast<double>(ms) / 1000.0;
}

void ListStreams(StreamStore& store, json&& input, protocol::JsonReply reply) {
  Decoder in(input);
  StreamStore::ListStreamsRequest request;
  request.table_name = in.String("TableName", "tableName", false);
  request.limit = in.Integer("Limit");
  request.exclusive_start_stream_arn =
      in.String("ExclusiveStartStreamArn", "exclusiveStartStreamArn", false);
  if (Status s = in.status(); !s.ok()) return reply(std::move(s));

  Result<StreamStore::ListStreamsResult> result = store.ListStreams(request);
  if (!result.ok()) return reply(std::move(result).take_status());
  json out;
  json& list = out["Streams"] = json::array();
  for (const auto& s : result->streams) {
    list.push_back({{"StreamArn", s.stream_arn},
                    {"TableName", s.table_name},
                    {"StreamLabel", s.stream_label}});
  }
  if (result->last_evaluated_stream_arn) {
    out["LastEvaluatedStreamArn"] = *result->last_evaluated_stream_arn;
  }
  reply(std::move(out));
}

void DescribeStream(StreamStore& store, json&& input, protocol::JsonReply reply) {
  Decoder in(input);
  StreamStore::DescribeStreamRequest request;
  request.stream_arn = in.String("StreamArn", "streamArn", true).value_or("");
  request.limit = in.Integer("Limit");
  request.exclusive_start_shard_id =
      in.String("ExclusiveStartShardId", "exclusiveStartShardId", false);
  if (const json* filter = in.Object("ShardFilter")) {
    Decoder f(*filter);
    std::optional<std::string> type = f.String("Type", "shardFilter.type", false);
    std::optional<std::string> shard = f.String("ShardId", "shardFilter.shardId", false);
    if (Status s = f.status(); !s.ok()) return reply(std::move(s));
    if (type && *type != "CHILD_SHARDS") {
      in.BadEnum("shardFilter.type", *type, {"CHILD_SHARDS"});
    } else if (type && shard) {
      request.child_shards_of = shard;
    }
  }
  if (Status s = in.status(); !s.ok()) return reply(std::move(s));

  Result<StreamStore::StreamDescription> result = store.DescribeStream(request);
  if (!result.ok()) return reply(std::move(result).take_status());
  const streams::StreamInfo& info = result->info;
  json d;
  d["StreamArn"] = info.stream_arn;
  d["StreamLabel"] = info.stream_label;
  d["StreamStatus"] = streams::StreamStatusName(info.status);
  d["StreamViewType"] = streams::StreamViewTypeName(info.view_type);
  d["CreationRequestDateTime"] = EpochSeconds(info.created_ms);
  d["TableName"] = info.table_name;
  d["KeySchema"] = info.key_schema;
  json& shards = d["Shards"] = json::array();
  for (const auto& s : result->shards) {
    json shard;
    shard["ShardId"] = s.shard_id;
    json range;
    range["StartingSequenceNumber"] = s.starting_sequence;
    if (!s.ending_sequence.empty()) range["EndingSequenceNumber"] = s.ending_sequence;
    shard["SequenceNumberRange"] = std::move(range);
    if (!s.parent_shard_id.empty()) shard["ParentShardId"] = s.parent_shard_id;
    shards.push_back(std::move(shard));
  }
  if (result->last_evaluated_shard_id) d["LastEvaluatedShardId"] = *result->last_evaluated_shard_id;
  reply(json{{"StreamDescription", std::move(d)}});
}

void GetShardIterator(StreamStore& store, json&& input, protocol::JsonReply reply) {
  Decoder in(input);
  StreamStore::GetShardIteratorRequest request;
  request.stream_arn = in.String("StreamArn", "streamArn", true).value_or("");
  request.shard_id = in.String("ShardId", "shardId", true).value_or("");
  std::optional<std::string> type = in.String("ShardIteratorType", "shardIteratorType", true);
  request.sequence_number = in.String("SequenceNumber", "sequenceNumber", false);
  if (type) {
    using T = StreamStore::ShardIteratorType;
    if (*type == "TRIM_HORIZON")
      request.type = T::kTrimHorizon;
    else if (*type == "LATEST")
      request.type = T::kLatest;
    else if (*type == "AT_SEQUENCE_NUMBER")
      request.type = T::kAtSequenceNumber;
    else if (*type == "AFTER_SEQUENCE_NUMBER")
      request.type = T::kAfterSequenceNumber;
    else
      in.BadEnum("shardIteratorType", *type,
                 {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"});
  }
  if (Status s = in.status(); !s.ok()) return reply(std::move(s));

  Result<std::string> iterator = store.GetShardIterator(request);
  if (!iterator.ok()) return reply(std::move(iterator).take_status());
  reply(json{{"ShardIterator", std::move(*iterator)}});
}

void GetRecords(StreamStore& store, json&& input, protocol::JsonReply reply) {
  Decoder in(input);
  StreamStore::GetRecordsRequest request;
  request.shard_iterator = in.String("ShardIterator", "shardIterator", true).value_or("");
  request.limit = in.Integer("Limit");
  if (Status s = in.status(); !s.ok()) return reply(std::move(s));

  Result<StreamStore::GetRecordsResult> result = store.GetRecords(request);
  if (!result.ok()) return reply(std::move(result).take_status());
  // The records are stored as the JSON text GetRecords returns, so the answer is spliced
  // together from them instead of parsing and re-encoding each one.
  size_t size = 64;
  for (const std::string& text : result->records) size += text.size() + 1;
  std::string body;
  body.reserve(size);
  body += "{\"Records\":[";
  for (size_t i = 0; i < result->records.size(); ++i) {
    if (i > 0) body += ',';
    body += result->records[i];
  }
  body += ']';
  if (result->next_shard_iterator) {
    body += ",\"NextShardIterator\":";
    body += json(*result->next_shard_iterator).dump();
  }
  body += '}';
  reply(protocol::PreEncodedJson(body));
}

}  // namespace

void RegisterStreamsApi(protocol::Router& router, streams::StreamStore& store) {
  using Op = void (*)(StreamStore&, json&&, protocol::JsonReply);
  auto bind = [&store](Op op) -> protocol::JsonOperation {
    return [&store, op](const protocol::RequestContext&, json&& input, protocol::JsonReply reply) {
      op(store, std::move(input), std::move(reply));
    };
  };
  router.AddJsonService("dynamodbstreams", "DynamoDBStreams_20120810", kStreamsWire,
                        {{"ListStreams", bind(&ListStreams)},
                         {"DescribeStream", bind(&DescribeStream)},
                         {"GetShardIterator", bind(&GetShardIterator)},
                         {"GetRecords", bind(&GetRecords)}});
}

}  // namespace streamstack::api
