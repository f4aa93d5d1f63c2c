#include "streamstack/api/streams_api.h"

#include <string>
#include <utility>

#include "api/streams_input_model.h"
#include "streamstack/protocol/input_model.h"

namespace streamstack::api {
namespace {

using nlohmann::json;
using streams::StreamStore;

const protocol::ServiceWire kStreamsWire{protocol::WireProtocol::kJson10,
                                         "com.amazonaws.dynamodb.v20120810", "", false};

const protocol::InputModel& StreamsModel() {
  static const protocol::InputModel model(StreamsInputModel(), kStreamsWire.json_namespace);
  return model;
}

using protocol::IntMember;
using protocol::StringMember;

// CreationRequestDateTime: a timestamp, which JSON 1.0 sends as epoch seconds.
json EpochSeconds(int64_t ms) {
  if (ms % 1000 == 0) return ms / 1000;
  return static_cast<double>(ms) / 1000.0;
}

void ListStreams(StreamStore& store, json&& input, protocol::JsonReply reply) {
  StreamStore::ListStreamsRequest request;
  request.table_name = StringMember(input, "TableName");
  request.limit = IntMember(input, "Limit");
  request.exclusive_start_stream_arn = StringMember(input, "ExclusiveStartStreamArn");

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
  StreamStore::DescribeStreamRequest request;
  request.stream_arn = StringMember(input, "StreamArn").value_or("");
  request.limit = IntMember(input, "Limit");
  request.exclusive_start_shard_id = StringMember(input, "ExclusiveStartShardId");
  // The model's enum holds one Type, CHILD_SHARDS; a filter without it filters nothing.
  if (const json* filter = protocol::StructureMember(input, "ShardFilter")) {
    if (StringMember(*filter, "Type")) request.child_shards_of = StringMember(*filter, "ShardId");
  }

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

// One of the model's enum values (the model checked it).
StreamStore::ShardIteratorType IteratorType(const std::string& name) {
  using T = StreamStore::ShardIteratorType;
  if (name == "LATEST") return T::kLatest;
  if (name == "AT_SEQUENCE_NUMBER") return T::kAtSequenceNumber;
  if (name == "AFTER_SEQUENCE_NUMBER") return T::kAfterSequenceNumber;
  return T::kTrimHorizon;
}

void GetShardIterator(StreamStore& store, json&& input, protocol::JsonReply reply) {
  StreamStore::GetShardIteratorRequest request;
  request.stream_arn = StringMember(input, "StreamArn").value_or("");
  request.shard_id = StringMember(input, "ShardId").value_or("");
  request.type = IteratorType(StringMember(input, "ShardIteratorType").value_or(""));
  request.sequence_number = StringMember(input, "SequenceNumber");

  Result<std::string> iterator = store.GetShardIterator(request);
  if (!iterator.ok()) return reply(std::move(iterator).take_status());
  reply(json{{"ShardIterator", std::move(*iterator)}});
}

void GetRecords(StreamStore& store, json&& input, protocol::JsonReply reply) {
  StreamStore::GetRecordsRequest request;
  request.shard_iterator = StringMember(input, "ShardIterator").value_or("");
  request.limit = IntMember(input, "Limit");

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
  // AWS reads a request's JSON types, then every constraint of its model, before the
  // operation looks at it (protocol/input_model.h); the store checks what the model cannot.
  auto bind = [&store](const char* name, Op op) -> protocol::JsonOperation {
    return [&store, name, op](const protocol::RequestContext&, json&& input,
                              protocol::JsonReply reply) {
      if (Status st = StreamsModel().Validate(name, input); !st.ok()) return reply(std::move(st));
      op(store, std::move(input), std::move(reply));
    };
  };
  router.AddJsonService("dynamodbstreams", "DynamoDBStreams_20120810", kStreamsWire,
                        {{"ListStreams", bind("ListStreams", &ListStreams)},
                         {"DescribeStream", bind("DescribeStream", &DescribeStream)},
                         {"GetShardIterator", bind("GetShardIterator", &GetShardIterator)},
                         {"GetRecords", bind("GetRecords", &GetRecords)}});
}

}  // namespace streamstack::api
