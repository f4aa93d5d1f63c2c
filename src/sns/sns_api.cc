#include "streamstack/sns/sns_api.h"

#include <nlohmann/json.hpp>

#include <map>

#include "streamstack/protocol/errors.h"

namespace streamstack::sns {
namespace {

using protocol::Params;
using protocol::QueryReply;
using protocol::RequestContext;
using protocol::XmlEscape;

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

Status Missing(const std::string& name) {
  return {AwsError::kInvalidParameter, "Invalid parameter: " + name};
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

std::string Element(const std::string& name, const std::string& text) {
  return "<" + name + ">" + XmlEscape(text) + "</" + name + ">";
}

std::string AttributesXml(const std::map<std::string, std::string>& attrs) {
  std::string out = "<Attributes>";
  for (const auto& [k, v] : attrs) {
    out += "<entry>" + Element("key", k) + Element("value", v) + "</entry>";
  }
  return out + "</Attributes>";
}

std::string SubscriptionXml(const Subscription& s, const std::string& owner) {
  return "<member>" + Element("SubscriptionArn", s.confirmed ? s.arn : "PendingConfirmation") +
         Element("Owner", owner) + Element("Protocol", s.protocol) +
         Element("Endpoint", s.endpoint) + Element("TopicArn", s.topic_arn) + "</member>";
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

  using Op = void (SnsApi::*)(const RequestContext&, const Params&, QueryReply);
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
  static StatusDone Empty(QueryReply reply) {
    return [reply = std::move(reply)](Status s) {
      if (!s.ok()) return reply(s);
      reply(std::string());
    };
  }

  static std::string BaseUrl(const RequestContext& ctx) {
    std::string host;
    if (ctx.http != nullptr) host = std::string(ctx.http->headers.Get("Host"));
    return "http://" + (host.empty() ? std::string("localhost:4566") : host);
  }

  void CreateTopic(const RequestContext& ctx, const Params& p, QueryReply reply) {
    if (!HasParam(p, "Name")) return reply(Missing("Name"));
    topics_.CreateTopic(
        Param(p, "Name"), ctx.region, ParamMap(p, "Attributes.entry", "key", "value"),
        ParamMap(p, "Tags.member", "Key", "Value"), [reply = std::move(reply)](Result<Topic> r) {
          if (!r.ok()) return reply(r.status());
          reply(Element("TopicArn", r->arn));
        });
  }

  void DeleteTopic(const RequestContext&, const Params& p, QueryReply reply) {
    if (!HasParam(p, "TopicArn")) return reply(Missing("TopicArn"));
    topics_.DeleteTopic(Param(p, "TopicArn"), Empty(std::move(reply)));
  }

  void ListTopics(const RequestContext&, const Params& p, QueryReply reply) {
    auto all = topics_.ListTopics();
    auto page = Page(p, all);
    if (!page.ok()) return reply(page.status());
    std::string out = "<Topics>";
    for (size_t i = page->first; i < page->second; ++i) {
      out += "<member>" + Element("TopicArn", all[i].arn) + "</member>";
    }
    out += "</Topics>";
    if (page->second < all.size()) out += Element("NextToken", std::to_string(page->second));
    reply(std::move(out));
  }

  void GetTopicAttributes(const RequestContext&, const Params& p, QueryReply reply) {
    if (!HasParam(p, "TopicArn")) return reply(Missing("TopicArn"));
    auto topic = topics_.GetTopic(Param(p, "TopicArn"));
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
    if (!attrs.count("Policy")) {
      attrs["Policy"] =
          nlohmann::json{
              {"Version", "2008-10-17"},
              {"Id", "__default_policy_ID"},
              {"Statement",
               {{{"Sid", "__default_statement_ID"},
                 {"Effect", "Allow"},
                 {"Principal", {{"AWS", "*"}}},
                 {"Action",
                  {"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                   "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                   "SNS:ListSubscriptionsByTopic", "SNS:Publish"}},
                 {"Resource", topic->arn},
                 {"Condition", {{"StringEquals", {{"AWS:SourceOwner", scope_.account_id}}}}}}}}}
              .dump();
    }
    attrs["EffectiveDeliveryPolicy"] =
        R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
        R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
        R"("backoffFunction":"linear"},"disableSubscriptionOverrides":false,)"
        R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})";
    reply(AttributesXml(attrs));
  }

  void SetTopicAttributes(const RequestContext&, const Params& p, QueryReply reply) {
    if (!HasParam(p, "TopicArn")) return reply(Missing("TopicArn"));
    if (!HasParam(p, "AttributeName")) return reply(Missing("AttributeName"));
    topics_.SetTopicAttribute(Param(p, "TopicArn"), Param(p, "AttributeName"),
                              Param(p, "AttributeValue"), Empty(std::move(reply)));
  }

  void Subscribe(const RequestContext& ctx, const Params& p, QueryReply reply) {
    if (!HasParam(p, "TopicArn")) return reply(Missing("TopicArn"));
    if (!HasParam(p, "Protocol")) return reply(Missing("Protocol"));
    bool return_arn = Param(p, "ReturnSubscriptionArn") == "true";
    topics_.Subscribe(
        Param(p, "TopicArn"), Param(p, "Protocol"), Param(p, "Endpoint"),
        ParamMap(p, "Attributes.entry", "key", "value"), BaseUrl(ctx),
        [reply = std::move(reply), return_arn](Result<Subscription> r) {
          if (!r.ok()) return reply(r.status());
          // AWS: a subscription awaiting confirmation is reported as
          // "pending confirmation" unless ReturnSubscriptionArn is set.
          reply(Element("SubscriptionArn",
                        r->confirmed || return_arn ? r->arn : "pending confirmation"));
        });
  }

  void ConfirmSubscription(const RequestContext&, const Params& p, QueryReply reply) {
    if (!HasParam(p, "TopicArn")) return reply(Missing("TopicArn"));
    if (!HasParam(p, "Token")) return reply(Missing("Token"));
    topics_.ConfirmSubscription(Param(p, "TopicArn"), Param(p, "Token"),
                                [reply = std::move(reply)](Result<Subscription> r) {
                                  if (!r.ok()) return reply(r.status());
                                  reply(Element("SubscriptionArn", r->arn));
                                });
  }

  void Unsubscribe(const RequestContext&, const Params& p, QueryReply reply) {
    if (!HasParam(p, "SubscriptionArn")) return reply(Missing("SubscriptionArn"));
    topics_.Unsubscribe(Param(p, "SubscriptionArn"), Empty(std::move(reply)));
  }

  void ListSubscriptionsOf(const Params& p, const std::optional<std::string>& topic,
                           QueryReply reply) {
    auto subs = topics_.ListSubscriptions(topic);
    if (!subs.ok()) return reply(subs.status());
    auto page = Page(p, *subs);
    if (!page.ok()) return reply(page.status());
    std::string out = "<Subscriptions>";
    for (size_t i = page->first; i < page->second; ++i) {
      out += SubscriptionXml((*subs)[i], scope_.account_id);
    }
    out += "</Subscriptions>";
    if (page->second < subs->size()) out += Element("NextToken", std::to_string(page->second));
    reply(std::move(out));
  }

  void ListSubscriptions(const RequestContext&, const Params& p, QueryReply reply) {
    ListSubscriptionsOf(p, std::nullopt, std::move(reply));
  }

  void ListSubscriptionsByTopic(const RequestContext&, const Params& p, QueryReply reply) {
    if (!HasParam(p, "TopicArn")) return reply(Missing("TopicArn"));
    ListSubscriptionsOf(p, Param(p, "TopicArn"), std::move(reply));
  }

  void GetSubscriptionAttributes(const RequestContext&, const Params& p, QueryReply reply) {
    if (!HasParam(p, "SubscriptionArn")) return reply(Missing("SubscriptionArn"));
    auto sub = topics_.GetSubscription(Param(p, "SubscriptionArn"));
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
    reply(AttributesXml(attrs));
  }

  void SetSubscriptionAttributes(const RequestContext&, const Params& p, QueryReply reply) {
    if (!HasParam(p, "SubscriptionArn")) return reply(Missing("SubscriptionArn"));
    if (!HasParam(p, "AttributeName")) return reply(Missing("AttributeName"));
    topics_.SetSubscriptionAttribute(Param(p, "SubscriptionArn"), Param(p, "AttributeName"),
                                     Param(p, "AttributeValue"), Empty(std::move(reply)));
  }

  void Publish(const RequestContext&, const Params& p, QueryReply reply) {
    std::string topic = Param(p, "TopicArn");
    if (topic.empty()) topic = Param(p, "TargetArn");
    if (topic.empty()) {
      return reply(Status(AwsError::kInvalidParameter,
                          "Invalid parameter: TopicArn or TargetArn Reason: no value for "
                          "required parameter"));
    }
    if (!HasParam(p, "Message")) return reply(Missing("Message"));
    PublishInput in;
    in.message = Param(p, "Message");
    in.subject = Param(p, "Subject");
    if (Param(p, "MessageStructure") == "json") {
      // AWS: with MessageStructure=json the message is a JSON object of per-protocol
      // messages that must include "default"; SQS subscribers get "sqs" when present.
      auto j = nlohmann::json::parse(in.message, nullptr, false);
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
      reply(Element("MessageId", *r));
    });
  }

  void ListTagsForResource(const RequestContext&, const Params& p, QueryReply reply) {
    auto topic = topics_.GetTopic(Param(p, "ResourceArn"));
    if (!topic.ok()) {
      return reply(Status(AwsError::kResourceNotFound, "Resource does not exist"));
    }
    std::string out = "<Tags>";
    for (const auto& [k, v] : topic->tags) {
      out += "<member>" + Element("Key", k) + Element("Value", v) + "</member>";
    }
    reply(out + "</Tags>");
  }

  TopicStore& topics_;
  const AccountScope scope_;
};

}  // namespace

void RegisterSnsApi(protocol::Router& router, TopicStore& topics, const AccountScope& scope) {
  auto api = std::make_shared<SnsApi>(topics, scope);
  std::vector<std::pair<std::string, protocol::QueryOperation>> ops;
  for (auto [name, fn] : api->Operations()) {
    ops.emplace_back(name,
                     [api, fn = fn](const RequestContext& ctx, Params&& params, QueryReply reply) {
                       ((*api).*fn)(ctx, params, std::move(reply));
                     });
  }
  router.AddQueryService("sns",
                         protocol::ServiceWire{protocol::WireProtocol::kQuery, "",
                                               "http://sns.amazonaws.com/doc/2010-03-31/", false},
                         std::move(ops));
}

}  // namespace streamstack::sns
