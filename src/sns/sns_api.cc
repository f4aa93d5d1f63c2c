#include "streamstack/sns/sns_api.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>

#include "sns/sns_query_model.h"
#include "streamstack/protocol/errors.h"
#include "streamstack/sqs/query_xml.h"

namespace streamstack::sns {
namespace {

using nlohmann::json;
using protocol::Params;
using protocol::RequestContext;

// One operation's answer in the JSON shape botocore parses its result to; the registration
// writes it as XML by the model.
using Reply = std::function<void(Result<json>)>;

constexpr size_t kPageSize = 100;

std::string Param(const Params& params, const std::string& name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return "";
}

bool HasParam(const Params& params, const std::string& name) {
  for (const auto& [k, v] : params) {
    if (k == name) return true;
  }
  return false;
}

// "<prefix>.N.<key_member>" / "<prefix>.N.<value_member>" pairs as a map.
std::map<std::string, std::string> ParamMap(const Params& params, const std::string& prefix,
                                            const std::string& key_member,
                                            const std::string& value_member) {
  std::map<std::string, std::string> keys, values, out;
  for (const auto& [k, v] : params) {
    if (!k.starts_with(prefix + ".")) continue;
    std::string rest = k.substr(prefix.size() + 1);
    size_t dot = rest.find('.');
    if (dot == std::string::npos) continue;
    std::string index = rest.substr(0, dot), member = rest.substr(dot + 1);
    if (member == key_member)
      keys[index] = v;
    else if (member == value_member)
      values[index] = v;
  }
  for (const auto& [i, k] : keys) out[k] = values[i];
  return out;
}

// AWS: a required parameter that is absent (Unsubscribe without SubscriptionArn).
Status Missing(const std::string& name) {
  return {AwsError::kInvalidParameter,
          "Invalid parameter: " + name + " Reason: no value for required parameter"};
}

size_t ArnElements(const std::string& arn) {
  return static_cast<size_t>(std::count(arn.begin(), arn.end(), ':')) + 1;
}

// AWS checks an ARN's form before looking it up: "Invalid parameter: TopicArn Reason: An ARN
// must have at least 6 elements, not 1".
Status CheckArn(const std::string& parameter, const std::string& arn) {
  size_t elements = ArnElements(arn);
  if (elements >= 6) return Status::Ok();
  return {AwsError::kInvalidParameter, "Invalid parameter: " + parameter +
                                           " Reason: An ARN must have at least 6 elements, not " +
                                           std::to_string(elements)};
}

// A subscription ARN is its topic's ARN and an id: "<topic arn>:<uuid>".
Status CheckSubscriptionArn(const std::string& arn) {
  STREAMSTACK_RETURN_IF_ERROR(CheckArn("SubscriptionArn", arn));
  if (ArnElements(arn) < 7)
    return {AwsError::kInvalidParameter, "Invalid parameter: SubscriptionId"};
  return Status::Ok();
}

// The value of a required ARN parameter, checked for its form.
Result<std::string> RequiredArn(const Params& params, const std::string& name) {
  if (!HasParam(params, name)) return Missing(name);
  std::string arn = Param(params, name);
  STREAMSTACK_RETURN_IF_ERROR(name == "SubscriptionArn" ? CheckSubscriptionArn(arn)
                                                        : CheckArn(name, arn));
  return arn;
}

Result<sqs::MessageAttributes> MessageAttributesOf(const Params& params) {
  std::map<std::string, std::map<std::string, std::string>> by_index;
  const std::string prefix = "MessageAttributes.entry.";
  for (const auto& [k, v] : params) {
    if (!k.starts_with(prefix)) continue;
    std::string rest = k.substr(prefix.size());
    size_t dot = rest.find('.');
    if (dot == std::string::npos) continue;
    by_index[rest.substr(0, dot)][rest.substr(dot + 1)] = v;
  }
  sqs::MessageAttributes out;
  for (auto& [i, m] : by_index) {
    sqs::MessageAttributeValue a;
    a.data_type = m["Value.DataType"];
    if (a.IsBinary()) {
      if (!Base64Decode(m["Value.BinaryValue"], &a.binary_value)) {
        return Status(AwsError::kInvalidParameter,
                      "Invalid parameter: MessageAttributes Reason: invalid binary value");
      }
    } else {
      a.string_value = m["Value.StringValue"];
    }
    out[m["Name"]] = std::move(a);
  }
  return out;
}

json SubscriptionJson(const Subscription& s, const std::string& owner) {
  // AWS lists a subscription awaiting confirmation as "PendingConfirmation".
  return {{"SubscriptionArn", s.confirmed ? s.arn : "PendingConfirmation"},
          {"Owner", owner},
          {"Protocol", s.protocol},
          {"Endpoint", s.endpoint},
          {"TopicArn", s.topic_arn}};
}

// Pages `items` by index: NextToken is the index of the first item of the next page.
template <typename T>
Result<std::pair<size_t, size_t>> Page(const Params& params, const std::vector<T>& items) {
  size_t start = 0;
  std::string token = Param(params, "NextToken");
  if (!token.empty()) {
    try {
      start = std::stoul(token);
    } catch (const std::exception&) {
      return Status(AwsError::kInvalidParameter, "Invalid parameter: NextToken");
    }
    if (start > items.size()) {
      return Status(AwsError::kInvalidParameter, "Invalid parameter: NextToken");
    }
  }
  return std::make_pair(start, std::min(items.size(), start + kPageSize));
}

class SnsApi {
 public:
  SnsApi(TopicStore& topics, AccountScope scope) : topics_(topics), scope_(std::move(scope)) {}

  using Op = void (SnsApi::*)(const RequestContext&, const Params&, Reply);
  std::vector<std::pair<std::string, Op>> Operations() {
    return {{"CreateTopic", &SnsApi::CreateTopic},
            {"DeleteTopic", &SnsApi::DeleteTopic},
            {"ListTopics", &SnsApi::ListTopics},
            {"GetTopicAttributes", &SnsApi::GetTopicAttributes},
            {"SetTopicAttributes", &SnsApi::SetTopicAttributes},
            {"Subscribe", &SnsApi::Subscribe},
            {"ConfirmSubscription", &SnsApi::ConfirmSubscription},
            {"Unsubscribe", &SnsApi::Unsubscribe},
            {"ListSubscriptions", &SnsApi::ListSubscriptions},
            {"ListSubscriptionsByTopic", &SnsApi::ListSubscriptionsByTopic},
            {"GetSubscriptionAttributes", &SnsApi::GetSubscriptionAttributes},
            {"SetSubscriptionAttributes", &SnsApi::SetSubscriptionAttributes},
            {"Publish", &SnsApi::Publish},
            {"ListTagsForResource", &SnsApi::ListTagsForResource}};
  }

 private:
  static StatusDone Empty(Reply reply) {
    return [reply = std::move(reply)](Status s) {
      if (!s.ok()) return reply(s);
      reply(json::object());
    };
  }

  static std::string BaseUrl(const RequestContext& ctx) {
    std::string host;
    if (ctx.http != nullptr) host = std::string(ctx.http->headers.Get("Host"));
    return "http://" + (host.empty() ? std::string("localhost:4566") : host);
  }

  void CreateTopic(const RequestContext& ctx, const Params& p, Reply reply) {
    if (!HasParam(p, "Name")) return reply(Missing("Name"));
    topics_.CreateTopic(
        Param(p, "Name"), ctx.region, ParamMap(p, "Attributes.entry", "key", "value"),
        ParamMap(p, "Tags.member", "Key", "Value"), [reply = std::move(reply)](Result<Topic> r) {
          if (!r.ok()) return reply(r.status());
          reply(json{{"TopicArn", r->arn}});
        });
  }

  void DeleteTopic(const RequestContext&, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "TopicArn");
    if (!arn.ok()) return reply(arn.status());
    topics_.DeleteTopic(*arn, Empty(std::move(reply)));
  }

  void ListTopics(const RequestContext&, const Params& p, Reply reply) {
    auto all = topics_.ListTopics();
    auto page = Page(p, all);
    if (!page.ok()) return reply(page.status());
    json topics = json::array();
    for (size_t i = page->first; i < page->second; ++i) {
      topics.push_back(json{{"TopicArn", all[i].arn}});
    }
    // AWS: the list is there even when empty (<Topics/>); NextToken only when more follow.
    json out = {{"Topics", std::move(topics)}};
    if (page->second < all.size()) out["NextToken"] = std::to_string(page->second);
    reply(std::move(out));
  }

  void GetTopicAttributes(const RequestContext&, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "TopicArn");
    if (!arn.ok()) return reply(arn.status());
    auto topic = topics_.GetTopic(*arn);
    if (!topic.ok()) return reply(topic.status());
    auto subs = topics_.ListSubscriptions(topic->arn);
    size_t confirmed = 0, pending = 0;
    if (subs.ok()) {
      for (const auto& s : *subs) (s.confirmed ? confirmed : pending)++;
    }
    std::map<std::string, std::string> attrs = topic->attributes;
    attrs["TopicArn"] = topic->arn;
    attrs["Owner"] = scope_.account_id;
    attrs["SubscriptionsConfirmed"] = std::to_string(confirmed);
    attrs["SubscriptionsPending"] = std::to_string(pending);
    attrs["SubscriptionsDeleted"] = "0";
    if (!attrs.count("DisplayName")) attrs["DisplayName"] = "";
    if (!attrs.count("Policy")) attrs["Policy"] = DefaultPolicy(topic->arn);
    attrs["EffectiveDeliveryPolicy"] =
        R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
        R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
        R"("backoffFunction":"linear"},"disableSubscriptionOverrides":false,)"
        R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";
    reply(json{{"Attributes", attrs}});
  }

  std::string DefaultPolicy(const std::string& topic_arn) const {
    return json{{"Version", "2008-10-17"},
                {"Id", "__default_policy_ID"},
                {"Statement",
                 {{{"Sid", "__default_statement_ID"},
                   {"Effect", "Allow"},
                   {"Principal", {{"AWS", "*"}}},
                   {"Action",
                    {"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                     "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                     "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
                   {"Resource", topic_arn},
                   {"Condition", {{"StringEquals", {{"AWS:SourceOwner", scope_.account_id}}}}}}}}}
        .dump();
  }

  void SetTopicAttributes(const RequestContext&, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "TopicArn");
    if (!arn.ok()) return reply(arn.status());
    if (!HasParam(p, "AttributeName")) return reply(Missing("AttributeName"));
    topics_.SetTopicAttribute(*arn, Param(p, "AttributeName"), Param(p, "AttributeValue"),
                              Empty(std::move(reply)));
  }

  void Subscribe(const RequestContext& ctx, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "TopicArn");
    if (!arn.ok()) return reply(arn.status());
    if (!HasParam(p, "Protocol")) return reply(Missing("Protocol"));
    bool return_arn = Param(p, "ReturnSubscriptionArn") == "true";
    topics_.Subscribe(*arn, Param(p, "Protocol"), Param(p, "Endpoint"),
                      ParamMap(p, "Attributes.entry", "key", "value"), BaseUrl(ctx),
                      [reply = std::move(reply), return_arn](Result<Subscription> r) {
                        if (!r.ok()) return reply(r.status());
                        // AWS: a subscription awaiting confirmation is reported as
                        // "pending confirmation" unless ReturnSubscriptionArn is set.
                        reply(json{{"SubscriptionArn",
                                    r->confirmed || return_arn ? r->arn : "pending confirmation"}});
                      });
  }

  void ConfirmSubscription(const RequestContext&, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "TopicArn");
    if (!arn.ok()) return reply(arn.status());
    if (!HasParam(p, "Token")) return reply(Missing("Token"));
    topics_.ConfirmSubscription(*arn, Param(p, "Token"),
                                [reply = std::move(reply)](Result<Subscription> r) {
                                  if (!r.ok()) return reply(r.status());
                                  reply(json{{"SubscriptionArn", r->arn}});
                                });
  }

  void Unsubscribe(const RequestContext&, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "SubscriptionArn");
    if (!arn.ok()) return reply(arn.status());
    topics_.Unsubscribe(*arn, Empty(std::move(reply)));
  }

  void ListSubscriptionsOf(const Params& p, const std::optional<std::string>& topic, Reply reply) {
    auto subs = topics_.ListSubscriptions(topic);
    if (!subs.ok()) return reply(subs.status());
    auto page = Page(p, *subs);
    if (!page.ok()) return reply(page.status());
    json list = json::array();
    for (size_t i = page->first; i < page->second; ++i) {
      list.push_back(SubscriptionJson((*subs)[i], scope_.account_id));
    }
    json out = {{"Subscriptions", std::move(list)}};
    if (page->second < subs->size()) out["NextToken"] = std::to_string(page->second);
    reply(std::move(out));
  }

  void ListSubscriptions(const RequestContext&, const Params& p, Reply reply) {
    ListSubscriptionsOf(p, std::nullopt, std::move(reply));
  }

  void ListSubscriptionsByTopic(const RequestContext&, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "TopicArn");
    if (!arn.ok()) return reply(arn.status());
    ListSubscriptionsOf(p, *arn, std::move(reply));
  }

  void GetSubscriptionAttributes(const RequestContext&, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "SubscriptionArn");
    if (!arn.ok()) return reply(arn.status());
    auto sub = topics_.GetSubscription(*arn);
    if (!sub.ok()) return reply(sub.status());
    std::map<std::string, std::string> attrs = sub->attributes;
    attrs["SubscriptionArn"] = sub->arn;
    attrs["TopicArn"] = sub->topic_arn;
    attrs["Protocol"] = sub->protocol;
    attrs["Endpoint"] = sub->endpoint;
    attrs["Owner"] = scope_.account_id;
    attrs["ConfirmationWasAuthenticated"] = sub->protocol == "sqs" ? "true" : "false";
    attrs["PendingConfirmation"] = sub->confirmed ? "false" : "true";
    if (!attrs.count("RawMessageDelivery")) attrs["RawMessageDelivery"] = "false";
    reply(json{{"Attributes", attrs}});
  }

  void SetSubscriptionAttributes(const RequestContext&, const Params& p, Reply reply) {
    auto arn = RequiredArn(p, "SubscriptionArn");
    if (!arn.ok()) return reply(arn.status());
    if (!HasParam(p, "AttributeName")) return reply(Missing("AttributeName"));
    topics_.SetSubscriptionAttribute(*arn, Param(p, "AttributeName"), Param(p, "AttributeValue"),
                                     Empty(std::move(reply)));
  }

  void Publish(const RequestContext&, const Params& p, Reply reply) {
    std::string parameter = HasParam(p, "TopicArn") ? "TopicArn" : "TargetArn";
    std::string topic = Param(p, parameter);
    if (topic.empty()) {
      return reply(Status(AwsError::kInvalidParameter,
                          "Invalid parameter: TopicArn or TargetArn Reason: no value for "
                          "required parameter"));
    }
    if (auto form = CheckArn(parameter, topic); !form.ok()) return reply(form);
    if (!HasParam(p, "Message")) return reply(Missing("Message"));
    PublishInput in;
    in.message = Param(p, "Message");
    in.subject = Param(p, "Subject");
    if (Param(p, "MessageStructure") == "json") {
      // AWS: with MessageStructure=json the message is a JSON object of per-protocol
      // messages that must include "default"; SQS subscribers get "sqs" when present.
      auto j = json::parse(in.message, nullptr, false);
      if (j.is_discarded()) {
        return reply(Status(AwsError::kInvalidParameter,
                            "Invalid parameter: Message Structure - JSON message body failed to "
                            "parse"));
      }
      if (!j.is_object() || !j.contains("default") || !j["default"].is_string()) {
        return reply(Status(AwsError::kInvalidParameter,
                            "Invalid parameter: Message Structure - No default entry in JSON "
                            "message body"));
      }
      in.message = j.contains("sqs") && j["sqs"].is_string() ? j["sqs"].get<std::string>()
                                                             : j["default"].get<std::string>();
    }
    auto attrs = MessageAttributesOf(p);
    if (!attrs.ok()) return reply(attrs.status());
    in.attributes = std::move(attrs).value();
    topics_.Publish(topic, std::move(in), [reply = std::move(reply)](Result<std::string> r) {
      if (!r.ok()) return reply(r.status());
      reply(json{{"MessageId", *r}});
    });
  }

  void ListTagsForResource(const RequestContext&, const Params& p, Reply reply) {
    if (!HasParam(p, "ResourceArn")) return reply(Missing("ResourceArn"));
    auto topic = topics_.GetTopic(Param(p, "ResourceArn"));
    if (!topic.ok()) {
      return reply(Status(AwsError::kResourceNotFound, "Resource does not exist"));
    }
    // AWS: an untagged topic has an empty list (<Tags/>).
    json tags = json::array();
    for (const auto& [k, v] : topic->tags) tags.push_back(json{{"Key", k}, {"Value", v}});
    reply(json{{"Tags", std::move(tags)}});
  }

  TopicStore& topics_;
  const AccountScope scope_;
};

const sqs::QueryResultWriter& SnsResults() {
  // The model is compiled in and the unit tests build it; a writer that cannot be built is a
  // defect of this binary, never of a request.
  static const sqs::QueryResultWriter writer = [] {
    auto built = sqs::QueryResultWriter::FromModel(SnsQueryResultModel());
    if (!built.ok()) {
      SPDLOG_CRITICAL("{}", built.status().message());
      std::abort();
    }
    return std::move(built).value();
  }();
  return writer;
}

}  // namespace

std::string SnsResultXml(const std::string& operation, const json& output) {
  return SnsResults().Write(operation, output);
}

void RegisterSnsApi(protocol::Router& router, TopicStore& topics, const AccountScope& scope) {
  auto api = std::make_shared<SnsApi>(topics, scope);
  std::vector<std::pair<std::string, protocol::QueryOperation>> ops;
  for (auto [name, fn] : api->Operations()) {
    ops.emplace_back(name, [api, fn = fn, name = name](const RequestContext& ctx, Params&& params,
                                                       protocol::QueryReply reply) {
      ((*api).*fn)(ctx, params, [reply = std::move(reply), name](Result<json> r) {
        if (!r.ok()) return reply(r.status());
        reply(SnsResultXml(name, r.value()));
      });
    });
  }
  // The rest of the SNS model (botocore sns 2010-03-31): mobile push, SMS, data protection,
  // permissions, tags and PublishBatch, named in UnknownOperationException.
  for (const char* name : {"AddPermission",
                           "RemovePermission",
                           "TagResource",
                           "UntagResource",
                           "PublishBatch",
                           "CheckIfPhoneNumberIsOptedOut",
                           "CreatePlatformApplication",
                           "CreatePlatformEndpoint",
                           "CreateSMSSandboxPhoneNumber",
                           "DeleteEndpoint",
                           "DeletePlatformApplication",
                           "DeleteSMSSandboxPhoneNumber",
                           "GetDataProtectionPolicy",
                           "GetEndpointAttributes",
                           "GetPlatformApplicationAttributes",
                           "GetSMSAttributes",
                           "GetSMSSandboxAccountStatus",
                           "ListEndpointsByPlatformApplication",
                           "ListOriginationNumbers",
                           "ListPhoneNumbersOptedOut",
                           "ListPlatformApplications",
                           "ListSMSSandboxPhoneNumbers",
                           "OptInPhoneNumber",
                           "PutDataProtectionPolicy",
                           "SetEndpointAttributes",
                           "SetPlatformApplicationAttributes",
                           "SetSMSAttributes",
                           "VerifySMSSandboxPhoneNumber"}) {
    const std::string operation = name;
    ops.emplace_back(
        operation, [operation](const RequestContext&, Params&&, protocol::QueryReply reply) {
          reply(protocol::OperationNotServed("SNS", operation, AwsError::kUnknownOperation));
        });
  }
  router.AddQueryService("sns",
                         protocol::ServiceWire{protocol::WireProtocol::kQuery, "",
                                               "http://sns.amazonaws.com/doc/2010-03-31/", false},
                         std::move(ops));
}

}  // namespace streamstack::sns
