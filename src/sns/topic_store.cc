#include "streamstack/sns/topic_store.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <future>
#include <memory>
#include <set>

#include "streamstack/common/json_text.h"
#include "streamstack/storage/migration.h"

namespace streamstack::sns {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr storage::Migration kMigrations[] = {
    {1,
     "CREATE TABLE sns_topics ("
     "  arn TEXT PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  attributes TEXT NOT NULL,"
     "  tags TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL);"
     "CREATE TABLE sns_subscriptions ("
     "  arn TEXT PRIMARY KEY,"
     "  topic_arn TEXT NOT NULL,"
     "  protocol TEXT NOT NULL,"
     "  endpoint TEXT NOT NULL,"
     "  attributes TEXT NOT NULL,"
     "  confirmed INTEGER NOT NULL,"
     "  token TEXT NOT NULL,"
     "  unsubscribe_base TEXT NOT NULL);"
     "CREATE INDEX sns_subscriptions_by_topic ON sns_subscriptions(topic_arn);"},
};

constexpr char kSelectTopics[] =
    "SELECT arn, name, attributes, tags, created_ms FROM sns_topics ORDER BY arn";
constexpr char kSelectSubscriptions[] =
    "SELECT arn, topic_arn, protocol, endpoint, attributes, confirmed, token, unsubscribe_base "
    "FROM sns_subscriptions ORDER BY arn";
constexpr char kUpsertTopic[] =
    "INSERT OR REPLACE INTO sns_topics (arn, name, attributes, tags, created_ms) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr char kDeleteTopic[] = "DELETE FROM sns_topics WHERE arn = ?";
constexpr char kDeleteTopicSubscriptions[] = "DELETE FROM sns_subscriptions WHERE topic_arn = ?";
constexpr char kUpsertSubscription[] =
    "INSERT OR REPLACE INTO sns_subscriptions (arn, topic_arn, protocol, endpoint, attributes, "
    "confirmed, token, unsubscribe_base) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kDeleteSubscription[] = "DELETE FROM sns_subscriptions WHERE arn = ?";

constexpr size_t kMaxMessageBytes = 262144;

Status TopicMissing() { return {AwsError::kNotFound, "Topic does not exist"}; }
Status SubscriptionMissing() { return {AwsError::kNotFound, "Subscription does not exist"}; }
Status InvalidParameter(const std::string& what) {
  return {AwsError::kInvalidParameter, "Invalid parameter: " + what};
}

bool ValidTopicName(const std::string& name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status SaveTopic(storage::Database& db, const Topic& t) {
  auto& st = db.Prepare(kUpsertTopic);
  st.Bind(1, t.arn);
  st.Bind(2, t.name);
  st.Bind(3, json(t.attributes).dump());
  st.Bind(4, json(t.tags).dump());
  st.Bind(5, t.created_ms);
  return st.Run();
}

bool IsTrue(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it != m.end() && (it->second == "true" || it->second == "True");
}

}  // namespace

TopicStore::TopicStore(storage::Store& store, Clock& clock, AccountScope scope,
                       sqs::QueueStore& queues, HttpCaller& invoker)
    : store_(store), clock_(clock), scope_(std::move(scope)), queues_(queues), invoker_(invoker) {}

Status TopicStore::Open() {
  STREAMSTACK_RETURN_IF_ERROR(store_.Migrate("sns", kMigrations));
  return store_.Read([this](storage::Database& db) -> Status {
    MutexLock lock(mu_);
    auto& t = db.Prepare(kSelectTopics);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, t.Step());
      if (!row) break;
      Topic topic;
      topic.arn = std::string(t.ColumnText(0));
      topic.name = std::string(t.ColumnText(1));
      topic.attributes = StringMapFromJson(t.ColumnText(2));
      topic.tags = StringMapFromJson(t.ColumnText(3));
      topic.created_ms = t.ColumnInt64(4);
      topics_[topic.arn] = std::move(topic);
    }
    auto& s = db.Prepare(kSelectSubscriptions);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, s.Step());
      if (!row) break;
      Subscription sub;
      sub.arn = std::string(s.ColumnText(0));
      sub.topic_arn = std::string(s.ColumnText(1));
      sub.protocol = std::string(s.ColumnText(2));
      sub.endpoint = std::string(s.ColumnText(3));
      sub.attributes = StringMapFromJson(s.ColumnText(4));
      sub.confirmed = s.ColumnInt(5) != 0;
      sub.token = std::string(s.ColumnText(6));
      sub.unsubscribe_base = std::string(s.ColumnText(7));
      subscriptions_[sub.arn] = std::move(sub);
    }
    return Status::Ok();
  });
}

// ---- Topics ---------------------------------------------------------------------------

void TopicStore::CreateTopic(const std::string& name, const std::string& region,
                             const std::map<std::string, std::string>& attributes,
                             const std::map<std::string, std::string>& tags, Done<Topic> done) {
  if (name.ends_with(".fifo") || IsTrue(attributes, "FifoTopic")) {
    done(
        InvalidParameter("StreamStack emulates standard topics only: FIFO topics are not "
                         "supported"));
    return;
  }
  if (!ValidTopicName(name)) {
    done(InvalidParameter("Topic Name"));
    return;
  }
  Topic topic;
  topic.name = name;
  topic.arn =
      arn::Topic(AccountScope{region.empty() ? scope_.region : region, scope_.account_id}, name);
  topic.attributes = attributes;
  topic.tags = tags;
  topic.created_ms = clock_.NowMillis();
  {
    MutexLock lock(mu_);
    auto it = topics_.find(topic.arn);
    if (it != topics_.end()) {
      Topic existing = it->second;
      // AWS: CreateTopic is idempotent; different tags on an existing topic are an error.
      for (const auto& [k, v] : tags) {
        auto t = existing.tags.find(k);
        if (t == existing.tags.end() || t->second != v) {
          done(InvalidParameter("Tags Reason: Topic already exists with different tags"));
          return;
        }
      }
      done(std::move(existing));
      return;
    }
  }
  auto result = std::make_shared<Topic>(topic);
  store_.Write(
      [this, result](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_RETURN_IF_ERROR(SaveTopic(ctx.db(), *result));
        Topic t = *result;
        ctx.OnCommit([this, t]() mutable {
          MutexLock lock(mu_);
          topics_.emplace(t.arn, std::move(t));  // keeps a concurrent create's topic
        });
        return Status::Ok();
      },
      [result, done = std::move(done)](Status s) {
        if (!s.ok()) return done(s);
        done(std::move(*result));
      });
}

Result<Topic> TopicStore::GetTopic(const std::string& topic_arn) const {
  MutexLock lock(mu_);
  auto it = topics_.find(topic_arn);
  if (it == topics_.end()) return TopicMissing();
  return it->second;
}

std::vector<Topic> TopicStore::ListTopics() const {
  MutexLock lock(mu_);
  std::vector<Topic> out;
  for (const auto& [arn, t] : topics_) out.push_back(t);
  return out;
}

void TopicStore::DeleteTopic(const std::string& topic_arn, StatusDone done) {
  store_.Write(
      [this, topic_arn](storage::WriteContext& ctx) -> Status {
        auto& st = ctx.db().Prepare(kDeleteTopic);
        st.Bind(1, topic_arn);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        auto& subs = ctx.db().Prepare(kDeleteTopicSubscriptions);
        subs.Bind(1, topic_arn);
        STREAMSTACK_RETURN_IF_ERROR(subs.Run());
        ctx.OnCommit([this, topic_arn] {
          MutexLock lock(mu_);
          topics_.erase(topic_arn);
          std::erase_if(subscriptions_,
                        [&](const auto& kv) { return kv.second.topic_arn == topic_arn; });
        });
        return Status::Ok();
      },
      std::move(done));
}

void TopicStore::SetTopicAttribute(const std::string& topic_arn, const std::string& name,
                                   const std::string& value, StatusDone done) {
  static const std::set<std::string> kSettable = {"DeliveryPolicy",
                                                  "DisplayName",
                                                  "Policy",
                                                  "TracingConfig",
                                                  "KmsMasterKeyId",
                                                  "SignatureVersion",
                                                  "ContentBasedDeduplication",
                                                  "DataProtectionPolicy"};
  if (kSettable.count(name) == 0) return done(InvalidParameter("AttributeName"));
  auto topic = GetTopic(topic_arn);
  if (!topic.ok()) return done(topic.status());
  store_.Write(
      [this, topic_arn, name, value](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto t, GetTopic(topic_arn));
        Topic updated = std::move(t);
        updated.attributes[name] = value;
        STREAMSTACK_RETURN_IF_ERROR(SaveTopic(ctx.db(), updated));
        ctx.OnCommit([this, updated] {
          MutexLock lock(mu_);
          topics_[updated.arn] = updated;
        });
        return Status::Ok();
      },
      std::move(done));
}

// ---- Subscriptions ----------------------------------------------------------------------

Status TopicStore::Persist(storage::WriteContext& ctx, const Subscription& sub) {
  auto& st = ctx.db().Prepare(kUpsertSubscription);
  st.Bind(1, sub.arn);
  st.Bind(2, sub.topic_arn);
  st.Bind(3, sub.protocol);
  st.Bind(4, sub.endpoint);
  st.Bind(5, json(sub.attributes).dump());
  st.Bind(6, sub.confirmed ? 1 : 0);
  st.Bind(7, sub.token);
  st.Bind(8, sub.unsubscribe_base);
  STREAMSTACK_RETURN_IF_ERROR(st.Run());
  ctx.OnCommit([this, sub] {
    MutexLock lock(mu_);
    subscriptions_[sub.arn] = sub;
  });
  return Status::Ok();
}

void TopicStore::Subscribe(const std::string& topic_arn, const std::string& protocol,
                           const std::string& endpoint,
                           const std::map<std::string, std::string>& attributes,
                           const std::string& self_base_url, Done<Subscription> done) {
  if (protocol != "sqs" && protocol != "http" && protocol != "https") {
    return done(InvalidParameter("Amazon SNS does not support this protocol string: " + protocol));
  }
  auto topic = GetTopic(topic_arn);
  if (!topic.ok()) return done(topic.status());
  if (protocol == "sqs" && !endpoint.starts_with("arn:aws:sqs:")) {
    return done(InvalidParameter("SQS endpoint ARN"));
  }
  if (protocol != "sqs" && !endpoint.starts_with(protocol + "://")) {
    return done(InvalidParameter("Endpoint must match the specified protocol"));
  }
  for (const auto& [k, v] : attributes) {
    if (k != "RawMessageDelivery" && k != "FilterPolicy" && k != "FilterPolicyScope" &&
        k != "DeliveryPolicy" && k != "RedrivePolicy" && k != "SubscriptionRoleArn") {
      return done(InvalidParameter("Attributes Reason: Unknown attribute " + k));
    }
  }
  {
    MutexLock lock(mu_);
    for (const auto& [arn, s] : subscriptions_) {
      if (s.topic_arn == topic_arn && s.protocol == protocol && s.endpoint == endpoint) {
        return done(s);
      }
    }
  }
  Subscription sub;
  sub.arn = topic_arn + ":" + NewUuidV4();
  sub.topic_arn = topic_arn;
  sub.protocol = protocol;
  sub.endpoint = endpoint;
  sub.attributes = attributes;
  sub.confirmed = protocol == "sqs";
  sub.token = sub.confirmed ? "" : RandomHex(64);
  sub.unsubscribe_base = self_base_url;
  store_.Write(
      [this, sub](storage::WriteContext& ctx) { return Persist(ctx, sub); },
      [this, sub, done = std::move(done)](Status s) {
        if (!s.ok()) return done(s);
        if (!sub.confirmed) {
          ordered_json body = {
              {"Type", "SubscriptionConfirmation"},
              {"MessageId", NewUuidV4()},
              {"Token", sub.token},
              {"TopicArn", sub.topic_arn},
              {"Message", "You have chosen to subscribe to the topic " + sub.topic_arn +
                              ".\nTo confirm the subscription, visit the SubscribeURL "
                              "included in this message."},
              {"SubscribeURL", sub.unsubscribe_base + "/?Action=ConfirmSubscription&TopicArn=" +
                                   sub.topic_arn + "&Token=" + sub.token},
              {"Timestamp", FormatIso8601Millis(clock_.NowMillis())},
              {"SignatureVersion", "1"},
              {"Signature", Base64Encode(RandomHex(64))},
              {"SigningCertURL", "https://sns." + scope_.region +
                                     ".amazonaws.com/SimpleNotificationService-streamstack.pem"}};
          DeliverHttp(sub, "SubscriptionConfirmation", body["MessageId"], body.dump(), 1);
        }
        done(sub);
      });
}

void TopicStore::ConfirmSubscription(const std::string& topic_arn, const std::string& token,
                                     Done<Subscription> done) {
  auto topic = GetTopic(topic_arn);
  if (!topic.ok()) return done(topic.status());
  std::optional<Subscription> found;
  {
    MutexLock lock(mu_);
    for (const auto& [arn, s] : subscriptions_) {
      if (s.topic_arn == topic_arn && !s.token.empty() && s.token == token) found = s;
    }
  }
  if (!found) return done(InvalidParameter("Token"));
  if (found->confirmed) return done(*found);
  found->confirmed = true;
  auto sub = std::make_shared<Subscription>(*found);
  store_.Write([this, sub](storage::WriteContext& ctx) { return Persist(ctx, *sub); },
               [sub, done = std::move(done)](Status s) {
                 if (!s.ok()) return done(s);
                 done(*sub);
               });
}

void TopicStore::Unsubscribe(const std::string& subscription_arn, StatusDone done) {
  if (!GetSubscription(subscription_arn).ok()) return done(SubscriptionMissing());
  store_.Write(
      [this, subscription_arn](storage::WriteContext& ctx) -> Status {
        auto& st = ctx.db().Prepare(kDeleteSubscription);
        st.Bind(1, subscription_arn);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        ctx.OnCommit([this, subscription_arn] {
          MutexLock lock(mu_);
          subscriptions_.erase(subscription_arn);
        });
        return Status::Ok();
      },
      std::move(done));
}

Result<Subscription> TopicStore::GetSubscription(const std::string& subscription_arn) const {
  MutexLock lock(mu_);
  auto it = subscriptions_.find(subscription_arn);
  if (it == subscriptions_.end()) return SubscriptionMissing();
  return it->second;
}

void TopicStore::SetSubscriptionAttribute(const std::string& subscription_arn,
                                          const std::string& name, const std::string& value,
                                          StatusDone done) {
  if (name != "RawMessageDelivery" && name != "FilterPolicy" && name != "FilterPolicyScope" &&
      name != "DeliveryPolicy" && name != "RedrivePolicy" && name != "SubscriptionRoleArn") {
    return done(InvalidParameter("AttributeName"));
  }
  auto sub = GetSubscription(subscription_arn);
  if (!sub.ok()) return done(sub.status());
  Subscription updated = std::move(sub).value();
  updated.attributes[name] = value;
  store_.Write([this, updated](storage::WriteContext& ctx) { return Persist(ctx, updated); },
               std::move(done));
}

Result<std::vector<Subscription>> TopicStore::ListSubscriptions(
    const std::optional<std::string>& topic_arn) const {
  MutexLock lock(mu_);
  if (topic_arn && topics_.count(*topic_arn) == 0) return TopicMissing();
  std::vector<Subscription> out;
  for (const auto& [arn, s] : subscriptions_) {
    if (!topic_arn || s.topic_arn == *topic_arn) out.push_back(s);
  }
  return out;
}

// ---- Publish --------------------------------------------------------------------------

std::string TopicStore::NotificationEnvelope(const Subscription& sub, const std::string& message_id,
                                             const PublishInput& input,
                                             int64_t timestamp_ms) const {
  ordered_json env;
  env["Type"] = "Notification";
  env["MessageId"] = message_id;
  env["TopicArn"] = sub.topic_arn;
  if (!input.subject.empty()) env["Subject"] = input.subject;
  env["Message"] = input.message;
  env["Timestamp"] = FormatIso8601Millis(timestamp_ms);
  env["SignatureVersion"] = "1";
  // Not a real signature: nothing here holds AWS's signing key.
  env["Signature"] = Base64Encode(Sha256(message_id + sub.arn));
  env["SigningCertURL"] =
      "https://sns." + scope_.region + ".amazonaws.com/SimpleNotificationService-streamstack.pem";
  env["UnsubscribeURL"] = sub.unsubscribe_base + "/?Action=Unsubscribe&SubscriptionArn=" + sub.arn;
  if (!input.attributes.empty()) {
    ordered_json attrs = ordered_json::object();
    for (const auto& [name, v] : input.attributes) {
      attrs[name] = {{"Type", v.data_type},
                     {"Value", v.IsBinary() ? Base64Encode(v.binary_value) : v.string_value}};
    }
    env["MessageAttributes"] = std::move(attrs);
  }
  return env.dump(-1, ' ', false, json::error_handler_t::replace);
}

void TopicStore::Publish(const std::string& topic_arn, PublishInput input, Done<std::string> done) {
  auto topic = GetTopic(topic_arn);
  if (!topic.ok()) return done(topic.status());
  if (input.message.empty()) return done(InvalidParameter("Empty message"));
  if (input.message.size() > kMaxMessageBytes) {
    return done(InvalidParameter("Message too long"));
  }
  if (input.subject.size() > 100) return done(InvalidParameter("Subject"));
  Status attrs_ok = sqs::ValidateMessageAttributes(input.attributes);
  if (!attrs_ok.ok()) {
    return done(InvalidParameter("MessageAttributes Reason: " + attrs_ok.message()));
  }
  std::vector<Subscription> subs;
  {
    MutexLock lock(mu_);
    for (const auto& [arn, s] : subscriptions_) {
      if (s.topic_arn == topic_arn && s.confirmed) subs.push_back(s);
    }
  }
  std::string message_id = NewUuidV4();
  int64_t now = clock_.NowMillis();
  auto shared = std::make_shared<PublishInput>(std::move(input));
  store_.Write(
      [this, subs, message_id, now, shared](storage::WriteContext& ctx) -> Status {
        for (const auto& sub : subs) {
          if (sub.protocol != "sqs") continue;
          sqs::SendMessageInput send;
          if (IsTrue(sub.attributes, "RawMessageDelivery")) {
            send.body = shared->message;
            send.attributes = shared->attributes;
          } else {
            send.body = NotificationEnvelope(sub, message_id, *shared, now);
          }
          auto r = queues_.EnqueueInJob(ctx, sub.endpoint, send);
          // AWS: a delivery that fails (queue gone) does not fail the publish.
          if (!r.ok()) {
            spdlog::warn("sns: delivery of {} to {} failed: {}", message_id, sub.endpoint,
                         r.status().message());
          }
        }
        return Status::Ok();
      },
      [this, subs, message_id, now, shared, done = std::move(done)](Status s) {
        if (!s.ok()) return done(s);
        for (const auto& sub : subs) {
          if (sub.protocol == "sqs") continue;
          std::string body = IsTrue(sub.attributes, "RawMessageDelivery")
                                 ? shared->message
                                 : NotificationEnvelope(sub, message_id, *shared, now);
          DeliverHttp(sub, "Notification", message_id, std::move(body), 1);
        }
        done(message_id);
      });
}

Result<std::string> TopicStore::PublishSync(const std::string& topic_arn, std::string message,
                                            std::string subject) {
  std::promise<Result<std::string>> promise;
  Publish(topic_arn, PublishInput{std::move(message), std::move(subject), {}},
          [&promise](Result<std::string> r) { promise.set_value(std::move(r)); });
  return promise.get_future().get();
}

void TopicStore::DeliverHttp(const Subscription& sub, std::string type, std::string message_id,
                             std::string body, int attempt) {
  HttpCall req;
  req.url = sub.endpoint;
  req.body = body;
  req.timeout = std::chrono::milliseconds(15000);
  req.headers = {{"Content-Type", "text/plain; charset=UTF-8"},
                 {"x-amz-sns-message-type", type},
                 {"x-amz-sns-message-id", message_id},
                 {"x-amz-sns-topic-arn", sub.topic_arn},
                 {"User-Agent", "Amazon Simple Notification Service Agent"}};
  if (type == "Notification") req.headers.emplace_back("x-amz-sns-subscription-arn", sub.arn);
  if (IsTrue(sub.attributes, "RawMessageDelivery")) {
    req.headers.emplace_back("x-amz-sns-rawdelivery", "true");
  }
  invoker_.Invoke(std::move(req), [this, sub, type, message_id, body,
                                   attempt](HttpCallResult r) mutable {
    bool ok = r.outcome == HttpCallResult::Outcome::kResponse && r.status >= 200 && r.status < 300;
    if (ok) return;
    // AWS retries http deliveries (3 immediate retries in the first phase of its policy).
    if (attempt < 4) {
      DeliverHttp(sub, std::move(type), std::move(message_id), std::move(body), attempt + 1);
      return;
    }
    spdlog::warn("sns: delivery of {} to {} failed after {} attempts: {}", message_id, sub.endpoint,
                 attempt, r.error.empty() ? std::to_string(r.status) : r.error);
  });
}

}  // namespace streamstack::sns
