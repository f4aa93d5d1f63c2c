#include "streamstack/sqs/sqs_api.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <set>

#include "sqs/sqs_query_model.h"
#include "streamstack/protocol/errors.h"
#include "streamstack/sqs/query_xml.h"

namespace streamstack::sqs {
namespace {

using nlohmann::json;
using protocol::RequestContext;

// One operation, protocol-free: JSON input (the JSON protocol's shape), JSON output.
using Reply = std::function<void(Result<json>)>;
using Operation = std::function<void(const RequestContext&, const json&, Reply)>;

Status Invalid(std::string message) {
  return {AwsError::kInvalidParameterValueQuery, std::move(message)};
}

Status Missing(const std::string& name) {
  return {AwsError::kMissingParameter, "The request must contain the parameter " + name + "."};
}

// ---- Input helpers (the query protocol gives every scalar as a string) ----------------
//
// SQS keeps this small reader of its own rather than protocol::InputModel, the reader of the
// other JSON services (DynamoDB, Streams, Lambda, CloudWatch Logs):
//  - one reader serves both of SQS's protocols: the query protocol hands every operation the
//    same JSON, with every scalar as text ("MaxNumberOfMessages": "5"), which the model's
//    types refuse; a JSON request's "5" is taken too, as the query protocol's;
//  - SQS answers one fault at a time in the query protocol's words, in both protocols
//    (tests/e2e/test_sqs_wire.py): MissingParameter "The request must contain the parameter
//    MessageBody." (an empty MessageBody too), InvalidParameterValue "Value many for parameter
//    MaxNumberOfMessages is invalid. Reason: must be an integer.", never a SerializationException
//    or "N validation errors detected";
//  - its limits are the service's own checks with their own words ("Reason: Must be between 1
//    and 10, if provided."), not the model's constraints: botocore's sqs model has no length,
//    range or pattern, and its enums (attribute names) SQS answers as InvalidAttributeName
//    "Unknown Attribute Nope.", not as an enum violation.
// Fitting these to the model's reader would mean a fourth front end that reads no types,
// reports no aggregated violations and rewords every message: nothing of it would be shared.

bool Has(const json& in, const char* key) { return in.contains(key) && !in[key].is_null(); }

Result<std::string> RequiredString(const json& in, const char* key) {
  if (!Has(in, key)) return Missing(key);
  if (!in[key].is_string())
    return Invalid("Value for parameter " + std::string(key) +
                   " is invalid. Reason: must be a string.");
  return in[key].get<std::string>();
}

std::string OptionalString(const json& in, const char* key) {
  if (Has(in, key) && in[key].is_string()) return in[key].get<std::string>();
  return "";
}

// An integer member; std::nullopt when absent. A value that is not an integer is AWS's
// InvalidParameterValue.
Result<std::optional<int64_t>> OptionalInt(const json& in, const char* key) {
  if (!Has(in, key)) return std::optional<int64_t>();
  const json& v = in[key];
  if (v.is_number_integer()) return std::optional<int64_t>(v.get<int64_t>());
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    try {
      size_t used = 0;
      long long n = std::stoll(s, &used);
      if (used == s.size()) return std::optional<int64_t>(n);
    } catch (const std::exception&) {
    }
    return Invalid("Value " + s + " for parameter " + key +
                   " is invalid. Reason: must be an "
                   "integer.");
  }
  return Invalid("Value for parameter " + std::string(key) +
                 " is invalid. Reason: must be an "
                 "integer.");
}

std::vector<std::string> StringList(const json& in, const char* key) {
  std::vector<std::string> out;
  if (!Has(in, key) || !in[key].is_array()) return out;
  for (const auto& v : in[key]) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> StringMap(const json& in, const char* key) {
  std::map<std::string, std::string> out;
  if (!Has(in, key) || !in[key].is_object()) return out;
  for (const auto& [k, v] : in[key].items()) {
    if (v.is_string())
      out[k] = v.get<std::string>();
    else if (v.is_number_integer())
      out[k] = std::to_string(v.get<int64_t>());
    else if (v.is_boolean())
      out[k] = v.get<bool>() ? "true" : "false";
  }
  return out;
}

Result<MessageAttributes> DecodeMessageAttributes(const json& in) {
  MessageAttributes out;
  if (!Has(in, "MessageAttributes")) return out;
  if (!in["MessageAttributes"].is_object()) return Invalid("MessageAttributes must be a map.");
  for (const auto& [name, v] : in["MessageAttributes"].items()) {
    MessageAttributeValue a;
    if (!v.is_object()) return Invalid("The message attribute '" + name + "' is invalid.");
    a.data_type = OptionalString(v, "DataType");
    if (a.IsBinary()) {
      std::string b64 = OptionalString(v, "BinaryValue");
      if (!Base64Decode(b64, &a.binary_value)) {
        return Invalid("The message attribute '" + name + "' has an invalid binary value.");
      }
    } else {
      a.string_value = OptionalString(v, "StringValue");
    }
    out.emplace(name, std::move(a));
  }
  return out;
}

json EncodeMessageAttributes(const MessageAttributes& attrs) {
  json out = json::object();
  for (const auto& [name, v] : attrs) {
    json a = {{"DataType", v.data_type}};
    if (v.IsBinary())
      a["BinaryValue"] = Base64Encode(v.binary_value);
    else
      a["StringValue"] = v.string_value;
    out[name] = std::move(a);
  }
  return out;
}

// ---- Queue URLs --------------------------------------------------------------------

std::string HostOf(const RequestContext& ctx) {
  std::string host;
  if (ctx.http != nullptr) host = std::string(ctx.http->headers.Get("Host"));
  if (host.empty()) host = "localhost:4566";
  return host;
}

std::string QueueUrl(const RequestContext& ctx, const AccountScope& scope,
                     const std::string& name) {
  return "http://" + HostOf(ctx) + "/" + scope.account_id + "/" + name;
}

// The queue name a QueueUrl names (any host): ".../<account>/<name>". A bare name is
// accepted too. kQueueDoesNotExist for another account.
Result<std::string> QueueNameFromUrl(const std::string& url, const AccountScope& scope) {
  std::string path = url;
  size_t scheme = path.find("://");
  if (scheme != std::string::npos) {
    size_t slash = path.find('/', scheme + 3);
    path = slash == std::string::npos ? "" : path.substr(slash);
  }
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (parts.empty()) {
    return Status(AwsError::kQueueDoesNotExist, "The specified queue does not exist.");
  }
  if (parts.size() >= 2 && parts[parts.size() - 2] != scope.account_id) {
    return Status(AwsError::kQueueDoesNotExist, "The specified queue does not exist.");
  }
  return parts.back();
}

Result<std::string> QueueNameOf(const json& in, const AccountScope& scope) {
  STREAMSTACK_ASSIGN_OR_RETURN(auto url, RequiredString(in, "QueueUrl"));
  return QueueNameFromUrl(url, scope);
}

// ---- Batches -----------------------------------------------------------------------

bool ValidBatchId(const std::string& id) {
  if (id.empty() || id.size() > 80) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

// AWS's checks on a batch's entries, before any entry is looked at on its own.
Result<std::vector<json>> BatchEntries(const json& in, const std::string& entry_shape) {
  std::vector<json> entries;
  if (Has(in, "Entries") && in["Entries"].is_array()) {
    for (const auto& e : in["Entries"]) entries.push_back(e.is_object() ? e : json::object());
  }
  if (entries.empty()) {
    return Status(AwsError::kEmptyBatchRequest,
                  "There should be at least one " + entry_shape + " in the request.");
  }
  if (entries.size() > 10) {
    return Status(AwsError::kTooManyEntriesInBatchRequest,
                  "Maximum number of entries per request are 10. You have sent " +
                      std::to_string(entries.size()) + ".");
  }
  std::set<std::string> seen;
  for (const auto& e : entries) {
    std::string id = OptionalString(e, "Id");
    if (!ValidBatchId(id)) {
      return Status(AwsError::kInvalidBatchEntryId,
                    "A batch entry id can only contain alphanumeric characters, hyphens and "
                    "underscores. It can be at most 80 letters long.");
    }
    if (!seen.insert(id).second) {
      return Status(AwsError::kBatchEntryIdsNotDistinct, "Id " + id + " repeated.");
    }
  }
  return entries;
}

json FailedEntry(const std::string& id, const Status& s) {
  return {{"Id", id},
          {"SenderFault", true},
          // The entry's Code is the query protocol's name in both protocols (AWS: a JSON
          // answer's entry says "InvalidParameterValue", not "InvalidParameterValueException").
          {"Code", std::string(protocol::ErrorCode(s.code(), protocol::WireProtocol::kQuery))},
          {"Message", s.message()}};
}

// ---- Operations --------------------------------------------------------------------

class SqsApi {
 public:
  SqsApi(QueueStore& queues, AccountScope scope) : queues_(queues), scope_(std::move(scope)) {}

  std::vector<std::pair<std::string, Operation>> Operations() {
    using namespace std::placeholders;
    auto bind = [this](void (SqsApi::*fn)(const RequestContext&, const json&, Reply)) {
      return Operation([this, fn](const RequestContext& c, const json& in, Reply r) {
        (this->*fn)(c, in, std::move(r));
      });
    };
    return {
        {"CreateQueue", bind(&SqsApi::CreateQueue)},
        {"GetQueueUrl", bind(&SqsApi::GetQueueUrl)},
        {"GetQueueAttributes", bind(&SqsApi::GetQueueAttributes)},
        {"SetQueueAttributes", bind(&SqsApi::SetQueueAttributes)},
        {"ListQueues", bind(&SqsApi::ListQueues)},
        {"DeleteQueue", bind(&SqsApi::DeleteQueue)},
        {"PurgeQueue", bind(&SqsApi::PurgeQueue)},
        {"TagQueue", bind(&SqsApi::TagQueue)},
        {"UntagQueue", bind(&SqsApi::UntagQueue)},
        {"ListQueueTags", bind(&SqsApi::ListQueueTags)},
        {"SendMessage", bind(&SqsApi::SendMessage)},
        {"SendMessageBatch", bind(&SqsApi::SendMessageBatch)},
        {"ReceiveMessage", bind(&SqsApi::ReceiveMessage)},
        {"DeleteMessage", bind(&SqsApi::DeleteMessage)},
        {"DeleteMessageBatch", bind(&SqsApi::DeleteMessageBatch)},
        {"ChangeMessageVisibility", bind(&SqsApi::ChangeMessageVisibility)},
        {"ChangeMessageVisibilityBatch", bind(&SqsApi::ChangeMessageVisibilityBatch)},
    };
  }

 private:
  static StatusDone EmptyReply(Reply reply) {
    return [reply = std::move(reply)](Status s) {
      if (!s.ok())
        reply(s);
      else
        reply(json::object());
    };
  }

  void CreateQueue(const RequestContext& ctx, const json& in, Reply reply) {
    auto name = RequiredString(in, "QueueName");
    if (!name.ok()) return reply(name.status());
    std::string url = QueueUrl(ctx, scope_, *name);
    auto tags = StringMap(in, "tags");  // JSON: "tags"; query: Tag.N.Key -> "Tags"
    for (auto& [k, v] : StringMap(in, "Tags")) tags[k] = v;
    queues_.CreateQueue(*name, ctx.region, StringMap(in, "Attributes"), tags,
                        [reply = std::move(reply), url](Result<QueueInfo> r) {
                          if (!r.ok()) return reply(r.status());
                          reply(json{{"QueueUrl", url}});
                        });
  }

  void GetQueueUrl(const RequestContext& ctx, const json& in, Reply reply) {
    auto name = RequiredString(in, "QueueName");
    if (!name.ok()) return reply(name.status());
    auto q = queues_.GetQueue(*name);
    if (!q.ok()) return reply(q.status());
    reply(json{{"QueueUrl", QueueUrl(ctx, scope_, *name)}});
  }

  void GetQueueAttributes(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    auto q = queues_.GetQueue(*name);
    if (!q.ok()) return reply(q.status());
    static const std::set<std::string> kComputed = {"QueueArn",
                                                    "ApproximateNumberOfMessages",
                                                    "ApproximateNumberOfMessagesNotVisible",
                                                    "ApproximateNumberOfMessagesDelayed",
                                                    "CreatedTimestamp",
                                                    "LastModifiedTimestamp"};
    static const std::set<std::string> kKnown = {"All",
                                                 "Policy",
                                                 "VisibilityTimeout",
                                                 "MaximumMessageSize",
                                                 "MessageRetentionPeriod",
                                                 "DelaySeconds",
                                                 "ReceiveMessageWaitTimeSeconds",
                                                 "RedrivePolicy",
                                                 "FifoQueue",
                                                 "ContentBasedDeduplication",
                                                 "KmsMasterKeyId",
                                                 "KmsDataKeyReusePeriodSeconds",
                                                 "DeduplicationScope",
                                                 "FifoThroughputLimit",
                                                 "RedriveAllowPolicy",
                                                 "SqsManagedSseEnabled"};
    std::set<std::string> wanted;
    bool all = false;
    for (const auto& n : StringList(in, "AttributeNames")) {
      if (kComputed.count(n) == 0 && kKnown.count(n) == 0) {
        return reply(Status(AwsError::kInvalidAttributeName, "Unknown Attribute " + n + "."));
      }
      if (n == "All") all = true;
      wanted.insert(n);
    }
    auto want = [&](const std::string& n) { return all || wanted.count(n) != 0; };
    json attrs = json::object();
    if (want("QueueArn")) attrs["QueueArn"] = q->arn;
    if (want("CreatedTimestamp")) attrs["CreatedTimestamp"] = std::to_string(q->created_ms / 1000);
    if (want("LastModifiedTimestamp")) {
      attrs["LastModifiedTimestamp"] = std::to_string(q->modified_ms / 1000);
    }
    if (want("ApproximateNumberOfMessages") || want("ApproximateNumberOfMessagesNotVisible") ||
        want("ApproximateNumberOfMessagesDelayed")) {
      auto counts = queues_.CountMessages(*name);
      if (!counts.ok()) return reply(counts.status());
      if (want("ApproximateNumberOfMessages")) {
        attrs["ApproximateNumberOfMessages"] = std::to_string(counts->visible);
      }
      if (want("ApproximateNumberOfMessagesNotVisible")) {
        attrs["ApproximateNumberOfMessagesNotVisible"] = std::to_string(counts->not_visible);
      }
      if (want("ApproximateNumberOfMessagesDelayed")) {
        attrs["ApproximateNumberOfMessagesDelayed"] = std::to_string(counts->delayed);
      }
    }
    for (const auto& [k, v] : q->attributes) {
      if (want(k)) attrs[k] = v;
    }
    json out = json::object();
    if (!attrs.empty()) out["Attributes"] = std::move(attrs);
    reply(std::move(out));
  }

  void SetQueueAttributes(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    if (!Has(in, "Attributes")) return reply(Missing("Attribute.1.Name"));
    queues_.SetQueueAttributes(*name, StringMap(in, "Attributes"), EmptyReply(std::move(reply)));
  }

  void ListQueues(const RequestContext& ctx, const json& in, Reply reply) {
    auto max = OptionalInt(in, "MaxResults");
    if (!max.ok()) return reply(max.status());
    if (*max && (**max < 1 || **max > 1000)) {
      return reply(Invalid("Value " + std::to_string(**max) +
                           " for parameter MaxResults is invalid. Reason: MaxResults must be an "
                           "integer between 1 and 1000."));
    }
    std::string after;
    std::string token = OptionalString(in, "NextToken");
    if (!token.empty() && !Base64Decode(token, &after)) {
      return reply(Invalid("Invalid NextToken value."));
    }
    auto queues = queues_.ListQueues(OptionalString(in, "QueueNamePrefix"));
    size_t limit = *max ? static_cast<size_t>(**max) : 1000;
    json urls = json::array();
    std::string last;
    bool more = false;
    for (const auto& q : queues) {
      if (!after.empty() && q.name <= after) continue;
      if (urls.size() == limit) {
        more = true;
        break;
      }
      urls.push_back(QueueUrl(ctx, scope_, q.name));
      last = q.name;
    }
    json out = json::object();
    if (!urls.empty()) out["QueueUrls"] = std::move(urls);
    if (more && *max) out["NextToken"] = Base64Encode(last);
    reply(std::move(out));
  }

  void DeleteQueue(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    queues_.DeleteQueue(*name, EmptyReply(std::move(reply)));
  }

  void PurgeQueue(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    queues_.PurgeQueue(*name, EmptyReply(std::move(reply)));
  }

  void TagQueue(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    if (!Has(in, "Tags")) return reply(Missing("Tags"));
    queues_.TagQueue(*name, StringMap(in, "Tags"), EmptyReply(std::move(reply)));
  }

  void UntagQueue(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    if (!Has(in, "TagKeys")) return reply(Missing("TagKeys"));
    queues_.UntagQueue(*name, StringList(in, "TagKeys"), EmptyReply(std::move(reply)));
  }

  void ListQueueTags(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    auto q = queues_.GetQueue(*name);
    if (!q.ok()) return reply(q.status());
    json out = json::object();
    if (!q->tags.empty()) out["Tags"] = q->tags;
    reply(std::move(out));
  }

  // Decodes and validates one SendMessage(BatchRequestEntry).
  static Result<SendMessageInput> DecodeSend(const QueueInfo& queue, const json& in) {
    SendMessageInput send;
    if (!Has(in, "MessageBody")) return Missing("MessageBody");
    STREAMSTACK_ASSIGN_OR_RETURN(auto body, RequiredString(in, "MessageBody"));
    send.body = std::move(body);
    auto delay = OptionalInt(in, "DelaySeconds");
    if (!delay.ok()) return delay.status();
    if (*delay) send.delay_seconds = static_cast<int>(std::clamp<int64_t>(**delay, -1, 100000));
    STREAMSTACK_ASSIGN_OR_RETURN(auto attrs, DecodeMessageAttributes(in));
    send.attributes = std::move(attrs);
    STREAMSTACK_RETURN_IF_ERROR(QueueStore::ValidateSend(queue, send));
    return send;
  }

  static json SendResultJson(const SendResult& r) {
    json out = {{"MessageId", r.message_id}, {"MD5OfMessageBody", r.md5_of_body}};
    if (!r.md5_of_attributes.empty()) out["MD5OfMessageAttributes"] = r.md5_of_attributes;
    return out;
  }

  void SendMessage(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    auto q = queues_.GetQueue(*name);
    if (!q.ok()) return reply(q.status());
    auto send = DecodeSend(*q, in);
    if (!send.ok()) return reply(send.status());
    std::vector<SendMessageInput> inputs;
    inputs.push_back(std::move(send).value());
    queues_.SendMessages(*name, std::move(inputs),
                         [reply = std::move(reply)](Result<std::vector<SendResult>> r) {
                           if (!r.ok()) return reply(r.status());
                           reply(SendResultJson(r->front()));
                         });
  }

  void SendMessageBatch(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    auto q = queues_.GetQueue(*name);
    if (!q.ok()) return reply(q.status());
    auto entries = BatchEntries(in, "SendMessageBatchRequestEntry");
    if (!entries.ok()) return reply(entries.status());
    size_t total = 0;
    auto failed = std::make_shared<json>(json::array());
    std::vector<std::string> ids;
    std::vector<SendMessageInput> inputs;
    for (const auto& e : *entries) {
      std::string id = OptionalString(e, "Id");
      auto send = DecodeSend(*q, e);
      if (!send.ok()) {
        failed->push_back(FailedEntry(id, send.status()));
        continue;
      }
      total += send->body.size() + MessageAttributesSize(send->attributes);
      ids.push_back(id);
      inputs.push_back(std::move(send).value());
    }
    auto max = static_cast<size_t>(q->MaximumMessageSize());
    if (total > max) {
      return reply(Status(AwsError::kBatchRequestTooLong,
                          "Batch requests cannot be longer than " + std::to_string(max) +
                              " bytes. You have sent " + std::to_string(total) + " bytes."));
    }
    auto finish = [failed, ids, reply](Result<std::vector<SendResult>> r) {
      if (!r.ok()) return reply(r.status());
      json ok = json::array();
      for (size_t i = 0; i < r->size(); ++i) {
        json e = SendResultJson((*r)[i]);
        e["Id"] = ids[i];
        ok.push_back(std::move(e));
      }
      reply(json{{"Successful", std::move(ok)}, {"Failed", std::move(*failed)}});
    };
    if (inputs.empty()) return finish(std::vector<SendResult>{});
    queues_.SendMessages(*name, std::move(inputs), std::move(finish));
  }

  void ReceiveMessage(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    auto q = queues_.GetQueue(*name);
    if (!q.ok()) return reply(q.status());
    ReceiveInput input;
    auto max = OptionalInt(in, "MaxNumberOfMessages");
    if (!max.ok()) return reply(max.status());
    if (*max) {
      if (**max < 1 || **max > 10) {
        return reply(Invalid("Value " + std::to_string(**max) +
                             " for parameter MaxNumberOfMessages is invalid. Reason: Must be "
                             "between 1 and 10, if provided."));
      }
      input.max_messages = static_cast<int>(**max);
    }
    auto vis = OptionalInt(in, "VisibilityTimeout");
    if (!vis.ok()) return reply(vis.status());
    if (*vis) {
      if (**vis < 0 || **vis > 43200) {
        return reply(Invalid("Value " + std::to_string(**vis) +
                             " for parameter VisibilityTimeout is invalid. Reason: Must be "
                             "between 0 and 43200, if provided."));
      }
      input.visibility_timeout = static_cast<int>(**vis);
    }
    auto wait = OptionalInt(in, "WaitTimeSeconds");
    if (!wait.ok()) return reply(wait.status());
    if (*wait) {
      if (**wait < 0 || **wait > 20) {
        return reply(Invalid("Value " + std::to_string(**wait) +
                             " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 "
                             "and <= 20, if provided."));
      }
      input.wait_time_seconds = static_cast<int>(**wait);
    }
    std::set<std::string> system;
    for (const char* key : {"AttributeNames", "MessageSystemAttributeNames"}) {
      for (auto& n : StringList(in, key)) system.insert(n);
    }
    std::vector<std::string> attr_names = StringList(in, "MessageAttributeNames");
    std::string sender = scope_.account_id;
    queues_.ReceiveMessages(
        *name, input,
        [reply = std::move(reply), system, attr_names,
         sender](Result<std::vector<ReceivedMessage>> r) {
          if (!r.ok()) return reply(r.status());
          json out = json::object();
          if (r->empty()) return reply(std::move(out));
          bool all = system.count("All") != 0;
          json messages = json::array();
          for (const auto& m : *r) {
            json j = {{"MessageId", m.message_id},
                      {"ReceiptHandle", m.receipt_handle},
                      {"MD5OfBody", m.md5_of_body},
                      {"Body", m.body}};
            json attrs = json::object();
            if (all || system.count("SenderId")) attrs["SenderId"] = sender;
            if (all || system.count("SentTimestamp")) {
              attrs["SentTimestamp"] = std::to_string(m.sent_ms);
            }
            if (all || system.count("ApproximateReceiveCount")) {
              attrs["ApproximateReceiveCount"] = std::to_string(m.receive_count);
            }
            if (all || system.count("ApproximateFirstReceiveTimestamp")) {
              attrs["ApproximateFirstReceiveTimestamp"] = std::to_string(m.first_receive_ms);
            }
            if (!attrs.empty()) j["Attributes"] = std::move(attrs);
            MessageAttributes selected;
            for (const auto& [k, v] : m.attributes) {
              for (const auto& want : attr_names) {
                bool match =
                    want == "All" || want == ".*" || want == k ||
                    (want.ends_with(".*") && k.starts_with(want.substr(0, want.size() - 1)));
                if (match) {
                  selected.emplace(k, v);
                  break;
                }
              }
            }
            if (!selected.empty()) {
              j["MessageAttributes"] = EncodeMessageAttributes(selected);
              j["MD5OfMessageAttributes"] = Md5OfMessageAttributes(selected);
            }
            messages.push_back(std::move(j));
          }
          out["Messages"] = std::move(messages);
          reply(std::move(out));
        });
  }

  void DeleteMessage(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    auto handle = RequiredString(in, "ReceiptHandle");
    if (!handle.ok()) return reply(handle.status());
    queues_.DeleteMessages(*name, {*handle},
                           [reply = std::move(reply)](Result<std::vector<Status>> r) {
                             if (!r.ok()) return reply(r.status());
                             if (!r->front().ok()) return reply(r->front());
                             reply(json::object());
                           });
  }

  void DeleteMessageBatch(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    if (!queues_.GetQueue(*name).ok()) return reply(queues_.GetQueue(*name).status());
    auto entries = BatchEntries(in, "DeleteMessageBatchRequestEntry");
    if (!entries.ok()) return reply(entries.status());
    std::vector<std::string> ids, handles;
    for (const auto& e : *entries) {
      ids.push_back(OptionalString(e, "Id"));
      handles.push_back(OptionalString(e, "ReceiptHandle"));
    }
    queues_.DeleteMessages(*name, std::move(handles),
                           [reply = std::move(reply), ids](Result<std::vector<Status>> r) {
                             if (!r.ok()) return reply(r.status());
                             reply(BatchOutcome(ids, *r));
                           });
  }

  void ChangeMessageVisibility(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    auto handle = RequiredString(in, "ReceiptHandle");
    if (!handle.ok()) return reply(handle.status());
    auto vis = OptionalInt(in, "VisibilityTimeout");
    if (!vis.ok()) return reply(vis.status());
    if (!*vis) return reply(Missing("VisibilityTimeout"));
    int timeout = static_cast<int>(std::clamp<int64_t>(**vis, -1, 100000));
    queues_.ChangeMessageVisibility(*name, {VisibilityChange{*handle, timeout}},
                                    [reply = std::move(reply)](Result<std::vector<Status>> r) {
                                      if (!r.ok()) return reply(r.status());
                                      if (!r->front().ok()) return reply(r->front());
                                      reply(json::object());
                                    });
  }

  void ChangeMessageVisibilityBatch(const RequestContext&, const json& in, Reply reply) {
    auto name = QueueNameOf(in, scope_);
    if (!name.ok()) return reply(name.status());
    if (!queues_.GetQueue(*name).ok()) return reply(queues_.GetQueue(*name).status());
    auto entries = BatchEntries(in, "ChangeMessageVisibilityBatchRequestEntry");
    if (!entries.ok()) return reply(entries.status());
    std::vector<std::string> ids;
    std::vector<VisibilityChange> changes;
    for (const auto& e : *entries) {
      ids.push_back(OptionalString(e, "Id"));
      auto vis = OptionalInt(e, "VisibilityTimeout");
      int timeout = vis.ok() && *vis ? static_cast<int>(std::clamp<int64_t>(**vis, -1, 100000)) : 0;
      changes.push_back(VisibilityChange{OptionalString(e, "ReceiptHandle"), timeout});
    }
    queues_.ChangeMessageVisibility(*name, std::move(changes),
                                    [reply = std::move(reply), ids](Result<std::vector<Status>> r) {
                                      if (!r.ok()) return reply(r.status());
                                      reply(BatchOutcome(ids, *r));
                                    });
  }

  static json BatchOutcome(const std::vector<std::string>& ids,
                           const std::vector<Status>& statuses) {
    json ok = json::array(), failed = json::array();
    for (size_t i = 0; i < ids.size() && i < statuses.size(); ++i) {
      if (statuses[i].ok())
        ok.push_back(json{{"Id", ids[i]}});
      else
        failed.push_back(FailedEntry(ids[i], statuses[i]));
    }
    return json{{"Successful", std::move(ok)}, {"Failed", std::move(failed)}};
  }

  QueueStore& queues_;
  const AccountScope scope_;
};

// ---- Query protocol <-> JSON -------------------------------------------------------

constexpr std::ptrdiff_t kMaxQueryKeyParts = 8;

bool IsIndex(const std::string& s) {
  return !s.empty() && s.size() < 6 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Objects whose keys are all "1", "2", ... become arrays in index order.
json Arrayify(json node) {
  if (!node.is_object()) return node;
  bool all_index = !node.empty();
  for (auto& [k, v] : node.items()) {
    v = Arrayify(std::move(v));
    all_index = all_index && IsIndex(k);
  }
  if (!all_index) return node;
  std::vector<std::pair<int, json>> items;
  for (auto& [k, v] : node.items()) items.emplace_back(std::stoi(k), std::move(v));
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json arr = json::array();
  for (auto& [i, v] : items) arr.push_back(std::move(v));
  return arr;
}

json AsArray(const json& v) {
  if (v.is_array()) return v;
  return json::array({v});
}

// How the query protocol flattens SQS's input members (botocore's sqs query model): a map as
// "<Name>.N.<key>" / "<Name>.N.<value>", a list as "<Name>.N", batch entries as "<Entry>.N.*".
enum class Flattening { kMap, kList, kEntries };

struct QueryMember {
  std::string_view query_name;
  std::string_view json_name;
  Flattening flattening;
  std::string_view key = {};      // kMap: the member that holds an entry's key
  bool structure_values = false;  // kMap: values are structures (message attributes)
};

constexpr QueryMember kQueryMembers[] = {
    {"Attribute", "Attributes", Flattening::kMap, "Name"},
    {"MessageAttribute", "MessageAttributes", Flattening::kMap, "Name", true},
    {"MessageSystemAttribute", "MessageSystemAttributes", Flattening::kMap, "Name", true},
    {"Tag", "Tags", Flattening::kMap, "Key"},
    {"AttributeName", "AttributeNames", Flattening::kList},
    {"MessageAttributeName", "MessageAttributeNames", Flattening::kList},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames", Flattening::kList},
    {"TagKey", "TagKeys", Flattening::kList},
    {"SendMessageBatchRequestEntry", "Entries", Flattening::kEntries},
    {"DeleteMessageBatchRequestEntry", "Entries", Flattening::kEntries},
    {"ChangeMessageVisibilityBatchRequestEntry", "Entries", Flattening::kEntries},
};

const QueryMember* FindQueryMember(const std::string& name) {
  for (const auto& m : kQueryMembers) {
    if (m.query_name == name) return &m;
  }
  return nullptr;
}

// A flattened map's entries as a JSON map. An entry whose key is not text is left out: it
// can only come from parameters no SDK sends ("Attribute.1.Name.2=x").
json MapOf(const json& entries, const QueryMember& member) {
  json out = json::object();
  for (const auto& e : AsArray(entries)) {
    if (!e.is_object()) continue;
    auto key = e.find(std::string(member.key));
    if (key == e.end() || !key->is_string()) continue;
    auto value = e.find("Value");
    json missing = member.structure_values ? json::object() : json("");
    out[key->get<std::string>()] = value == e.end() ? missing : *value;
  }
  return out;
}

json Normalize(const json& node);

json Renamed(const json& value, const QueryMember& member) {
  switch (member.flattening) {
    case Flattening::kMap:
      return MapOf(value, member);
    case Flattening::kList:
      return AsArray(value);
    case Flattening::kEntries: {
      json entries = json::array();
      for (const auto& e : AsArray(value)) entries.push_back(Normalize(e));
      return entries;
    }
  }
  return value;
}

// Renames the query protocol's flattened members to the JSON protocol's.
json Normalize(const json& node) {
  if (!node.is_object()) return node;
  json out = json::object();
  for (const auto& [k, v] : node.items()) {
    const QueryMember* member = FindQueryMember(k);
    if (member == nullptr) {
      out[k] = v;
    } else {
      out[std::string(member->json_name)] = Renamed(v, *member);
    }
  }
  return out;
}

const QueryResultWriter& SqsResults() {
  // The model is compiled in and the unit tests build it; a writer that cannot be built is a
  // defect of this binary, never of a request.
  static const QueryResultWriter writer = [] {
    auto built = QueryResultWriter::FromModel(SqsQueryResultModel());
    if (!built.ok()) {
      SPDLOG_CRITICAL("{}", built.status().message());
      std::abort();
    }
    return std::move(built).value();
  }();
  return writer;
}

// "/<account>/<queue>" when the request was sent to a queue's own URL, else "".
std::string QueuePathOf(const RequestContext& ctx, const std::string& account) {
  if (ctx.http == nullptr) return "";
  std::string_view path = ctx.http->path();
  if (path.starts_with("/" + account + "/") && path.size() > account.size() + 2) {
    return std::string(path);
  }
  return "";
}

// AWS: a queue's own URL serves the actions on a queue (and GetQueueUrl); CreateQueue and
// ListQueues sent there are InvalidAction.
bool ServedAtQueueUrl(const std::string& action) {
  return action != "CreateQueue" && action != "ListQueues";
}

// The query protocol words some errors differently from the JSON protocol (AWS's answers).
Status QueryWording(Status status) {
  if (status.code() == AwsError::kQueueDoesNotExist) {
    return {AwsError::kQueueDoesNotExist,
            "The specified queue does not exist for this wsdl version."};
  }
  return status;
}

}  // namespace

json SqsQueryToJson(const protocol::Params& params) {
  json root = json::object();
  for (const auto& [key, value] : params) {
    if (key == "Action" || key == "Version" || key.starts_with("X-Amz-") ||
        key == "AWSAccessKeyId" || key.starts_with("Signature") || key == "Timestamp" ||
        key == "Expires") {
      continue;
    }
    // SQS's deepest member has 7 parts (a batch entry's message attribute's list value);
    // deeper keys are no member of any operation and would only nest the input as deep as
    // the body is long.
    if (std::count(key.begin(), key.end(), '.') + 1 > kMaxQueryKeyParts) continue;
    json* node = &root;
    size_t start = 0;
    while (true) {
      size_t dot = key.find('.', start);
      std::string seg =
          key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (dot == std::string::npos) {
        if (node->is_object()) (*node)[seg] = value;
        break;
      }
      json& child = (*node)[seg];
      if (!child.is_object()) child = json::object();
      node = &child;
      start = dot + 1;
    }
  }
  return Normalize(Arrayify(std::move(root)));
}

std::string SqsResultXml(const std::string& operation, const json& output) {
  return SqsResults().Write(operation, output);
}

void RegisterSqsApi(protocol::Router& router, QueueStore& queues, const AccountScope& scope) {
  auto api = std::make_shared<SqsApi>(queues, scope);
  std::vector<std::pair<std::string, protocol::JsonOperation>> json_ops;
  std::vector<std::pair<std::string, protocol::QueryOperation>> query_ops;
  for (auto& [name, op] : api->Operations()) {
    json_ops.emplace_back(
        name, [api, op = op](const RequestContext& ctx, json&& in, protocol::JsonReply reply) {
          op(ctx, in, [reply = std::move(reply)](Result<json> r) { reply(std::move(r)); });
        });
    query_ops.emplace_back(name, [api, op = op, name = name, account = scope.account_id](
                                     const RequestContext& ctx, protocol::Params&& params,
                                     protocol::QueryReply reply) {
      json in = SqsQueryToJson(params);
      // Query requests may be sent to the queue's own URL instead of naming it.
      std::string queue_path = QueuePathOf(ctx, account);
      if (!queue_path.empty()) {
        if (!ServedAtQueueUrl(name)) {
          return reply(Status(AwsError::kInvalidAction,
                              "The action " + name + " is not valid for this endpoint."));
        }
        if (!in.contains("QueueUrl")) in["QueueUrl"] = queue_path;
      }
      op(ctx, in, [reply = std::move(reply), name](Result<json> r) {
        if (!r.ok()) return reply(QueryWording(r.status()));
        reply(SqsResultXml(name, r.value()));
      });
    });
  }
  // The rest of the SQS model (botocore sqs 2012-11-05): named in UnknownOperationException.
  for (const char* name :
       {"AddPermission", "RemovePermission", "ListDeadLetterSourceQueues", "StartMessageMoveTask",
        "CancelMessageMoveTask", "ListMessageMoveTasks"}) {
    const std::string operation = name;
    json_ops.emplace_back(
        operation, [operation](const RequestContext&, json&&, protocol::JsonReply reply) {
          reply(protocol::OperationNotServed("SQS", operation, AwsError::kUnknownOperation));
        });
    query_ops.emplace_back(operation, [operation](const RequestContext&, protocol::Params&&,
                                                  protocol::QueryReply reply) {
      reply(protocol::OperationNotServed("SQS", operation, AwsError::kUnknownOperation));
    });
  }
  protocol::ServiceWire json_wire{protocol::WireProtocol::kJson10, "com.amazonaws.sqs", "", true};
  protocol::ServiceWire query_wire{protocol::WireProtocol::kQuery, "",
                                   "http://queue.amazonaws.com/doc/2012-11-05/", false};
  router.AddJsonService("sqs", "AmazonSQS", json_wire, std::move(json_ops));
  router.AddQueryService("sqs", query_wire, std::move(query_ops));
}

}  // namespace streamstack::sqs
