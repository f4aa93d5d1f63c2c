// sns: topics, subscriptions and Publish's fan-out, stored in SQLite through storage::Store.
// A publish's deliveries to SQS subscribers commit in one transaction before Publish
// answers (nothing acknowledged is lost); http/https subscribers
// get it POSTed through the HttpCaller after that commit (best effort, 3 attempts, not
// persisted across restarts). Knows no wire format. Every public method may be called from
// any thread; asynchronous ones call `done` exactly once, on the storage writer thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/http_call.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/sqs/message.h"
#include "streamstack/sqs/queue_store.h"
#include "streamstack/storage/store.h"

namespace streamstack::sns {

struct Topic {
  std::string arn;  // arn:aws:sns:<region>:<account>:<name>
  std::string name;
  std::map<std::string, std::string> attributes;  // DisplayName, Policy, ... (settable ones)
  std::map<std::string, std::string> tags;
  int64_t created_ms = 0;
};

struct Subscription {
  std::string arn;  // <topic arn>:<uuid>
  std::string topic_arn;
  std::string protocol;                           // "sqs", "http", "https"
  std::string endpoint;                           // queue ARN or URL
  std::map<std::string, std::string> attributes;  // RawMessageDelivery, FilterPolicy, ...
  bool confirmed = false;
  std::string token;             // confirmation token (http/https)
  std::string unsubscribe_base;  // "http://host:port" the emulator was reached at
};

struct PublishInput {
  std::string message;
  std::string subject;  // empty: none
  sqs::MessageAttributes attributes;
};

template <typename T>
using Done = std::function<void(Result<T>)>;
using StatusDone = std::function<void(Status)>;

class TopicStore {
 public:
  // `queues` delivers to SQS subscribers and `invoker` to http(s) ones; both, like `store`
  // and `clock`, must outlive this object.
  TopicStore(storage::Store& store, Clock& clock, AccountScope scope, sqs::QueueStore& queues,
             HttpCaller& invoker);

  // Creates the schema (store.Migrate("sns", ...)) and loads topics and subscriptions.
  [[nodiscard]] Status Open();

  // Idempotent: an existing topic of that name (in that region) is returned.
  // kInvalidParameter for a bad name ("Invalid parameter: Topic Name").
  void CreateTopic(const std::string& name, const std::string& region,
                   const std::map<std::string, std::string>& attributes,
                   const std::map<std::string, std::string>& tags, Done<Topic> done);
  // kNotFound "Topic does not exist".
  [[nodiscard]] Result<Topic> GetTopic(const std::string& topic_arn) const;
  [[nodiscard]] std::vector<Topic> ListTopics() const;  // by ARN
  // Deletes the topic and its subscriptions. Deleting a missing topic succeeds (as AWS).
  void DeleteTopic(const std::string& topic_arn, StatusDone done);
  void SetTopicAttribute(const std::string& topic_arn, const std::string& name,
                         const std::string& value, StatusDone done);

  // sqs: the endpoint must be a queue ARN; the subscription is confirmed at once.
  // http/https: pending until ConfirmSubscription with the token POSTed to the endpoint in a
  // SubscriptionConfirmation message (whose SubscribeURL points at `self_base_url`).
  // Subscribing the same endpoint twice returns the existing subscription.
  void Subscribe(const std::string& topic_arn, const std::string& protocol,
                 const std::string& endpoint, const std::map<std::string, std::string>& attributes,
                 const std::string& self_base_url, Done<Subscription> done);
  // kNotFound for an unknown topic, kInvalidParameter for a wrong token.
  void ConfirmSubscription(const std::string& topic_arn, const std::string& token,
                           Done<Subscription> done);
  void Unsubscribe(const std::string& subscription_arn, StatusDone done);
  [[nodiscard]] Result<Subscription> GetSubscription(const std::string& subscription_arn) const;
  void SetSubscriptionAttribute(const std::string& subscription_arn, const std::string& name,
                                const std::string& value, StatusDone done);
  // All subscriptions, or those of one topic (kNotFound if it does not exist), by ARN.
  [[nodiscard]] Result<std::vector<Subscription>> ListSubscriptions(
      const std::optional<std::string>& topic_arn) const;

  // Publishes to every confirmed subscription; done(message id) after the SQS deliveries
  // committed. kNotFound for an unknown topic; kInvalidParameter for an empty message or
  // bad attributes. The on-failure destination entry point.
  void Publish(const std::string& topic_arn, PublishInput input, Done<std::string> done);
  // The same, waiting. Not callable from the storage writer thread.
  [[nodiscard]] Result<std::string> PublishSync(const std::string& topic_arn, std::string message,
                                                std::string subject);

  // The JSON body SNS delivers (to SQS without raw delivery, and to http endpoints).
  [[nodiscard]] std::string NotificationEnvelope(const Subscription& sub,
                                                 const std::string& message_id,
                                                 const PublishInput& input,
                                                 int64_t timestamp_ms) const;

 private:
  void DeliverHttp(const Subscription& sub, std::string type, std::string message_id,
                   std::string body, int attempt);
  Status Persist(storage::WriteContext& ctx, const Subscription& sub);

  // Constant after construction.
  storage::Store& store_;
  Clock& clock_;
  const AccountScope scope_;
  sqs::QueueStore& queues_;
  HttpCaller& invoker_;

  // Written after COMMIT (on the writer thread).
  mutable Mutex mu_;
  std::map<std::string, Topic> topics_ GUARDED_BY(mu_);
  std::map<std::string, Subscription> subscriptions_ GUARDED_BY(mu_);
};

}  // namespace streamstack::sns
