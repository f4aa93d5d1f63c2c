#include "streamstack/sns/topic_store.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>

namespace streamstack::sns {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

// Records every request and answers 200 at once.
class RecordingInvoker : public HttpCaller {
 public:
  void Invoke(HttpCall request, std::function<void(HttpCallResult)> done) override {
    {
      std::lock_guard lock(mu);
      requests.push_back(request);
    }
    HttpCallResult r;
    r.status = status;
    done(r);
  }
  std::mutex mu;
  std::vector<HttpCall> requests;
  unsigned status = 200;
};

template <typename T, typename Fn>
T Await(Fn&& fn) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  fn([promise](T value) { promise->set_value(std::move(value)); });
  return future.get();
}

class TopicStoreTest : public ::testing::Test {
 protected:
  TopicStoreTest() : clock_(SystemTime(std::chrono::milliseconds(kStart))) {
    std::string pattern = ::testing::TempDir() + "streamstack_sns_XXXXXX";
    dir_ = mkdtemp(pattern.data());
    Reopen();
  }
  ~TopicStoreTest() override {
    topics_.reset();
    queues_.reset();
    EXPECT_TRUE(store_->Close().ok());
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    topics_.reset();
    queues_.reset();
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
    storage::StoreOptions options;
    options.path = dir_ + "/sns.db";
    store_ = std::move(storage::Store::Open(options)).value();
    queues_ = std::make_unique<sqs::QueueStore>(*store_, clock_, AccountScope{});
    ASSERT_TRUE(queues_->Open().ok());
    topics_ = std::make_unique<TopicStore>(*store_, clock_, AccountScope{}, *queues_, invoker_);
    ASSERT_TRUE(topics_->Open().ok());
  }
  Topic CreateTopic(const std::string& name) {
    return Await<Result<Topic>>([&](auto d) { topics_->CreateTopic(name, "us-east-1", {}, {}, d); })
        .value();
  }
  sqs::QueueInfo CreateQueue(const std::string& name) {
    return Await<Result<sqs::QueueInfo>>(
               [&](auto d) { queues_->CreateQueue(name, "us-east-1", {}, {}, d); })
        .value();
  }
  Result<Subscription> Subscribe(const std::string& topic, const std::string& protocol,
                                 const std::string& endpoint,
                                 std::map<std::string, std::string> attrs = {}) {
    return Await<Result<Subscription>>([&](auto d) {
      topics_->Subscribe(topic, protocol, endpoint, attrs, "http://localhost:4566", d);
    });
  }
  std::vector<sqs::ReceivedMessage> Receive(const std::string& queue) {
    return Await<Result<std::vector<sqs::ReceivedMessage>>>([&](auto d) {
             queues_->ReceiveMessages(queue, sqs::ReceiveInput{10, std::nullopt, 0}, d);
           })
        .value();
  }

  std::string dir_;
  OffsetClock clock_;
  RecordingInvoker invoker_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<sqs::QueueStore> queues_;
  std::unique_ptr<TopicStore> topics_;
};

TEST_F(TopicStoreTest, CreateIsIdempotentAndValidates) {
  Topic t = CreateTopic("alerts");
  EXPECT_EQ(t.arn, "arn:aws:sns:us-east-1:000000000000:alerts");
  EXPECT_EQ(CreateTopic("alerts").arn, t.arn);
  auto bad = Await<Result<Topic>>(
      [&](auto d) { topics_->CreateTopic("bad name", "us-east-1", {}, {}, d); });
  EXPECT_EQ(bad.status().code(), AwsError::kInvalidParameter);
  EXPECT_EQ(bad.status().message(), "Invalid parameter: Topic Name");
  EXPECT_EQ(topics_->GetTopic(t.arn + "x").status().message(), "Topic does not exist");
}

TEST_F(TopicStoreTest, PublishFansOutEnvelopeAndRawToQueues) {
  Topic t = CreateTopic("fan");
  auto q1 = CreateQueue("q1");
  auto q2 = CreateQueue("q2");
  auto s1 = Subscribe(t.arn, "sqs", q1.arn);
  ASSERT_TRUE(s1.ok());
  EXPECT_TRUE(s1->confirmed);
  ASSERT_TRUE(Subscribe(t.arn, "sqs", q2.arn, {{"RawMessageDelivery", "true"}}).ok());
  PublishInput in{"body", "subject", {{"a", {"String", "1", ""}}}};
  auto id = Await<Result<std::string>>([&](auto d) { topics_->Publish(t.arn, in, d); });
  ASSERT_TRUE(id.ok());
  auto m1 = Receive("q1");
  ASSERT_EQ(m1.size(), 1u);
  auto env = nlohmann::json::parse(m1[0].body);
  EXPECT_EQ(env["Type"], "Notification");
  EXPECT_EQ(env["MessageId"], *id);
  EXPECT_EQ(env["TopicArn"], t.arn);
  EXPECT_EQ(env["Subject"], "subject");
  EXPECT_EQ(env["Message"], "body");
  EXPECT_EQ(env["Timestamp"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(env["SignatureVersion"], "1");
  EXPECT_EQ(env["MessageAttributes"]["a"]["Type"], "String");
  EXPECT_EQ(env["UnsubscribeURL"],
            "http://localhost:4566/?Action=Unsubscribe&SubscriptionArn=" + s1->arn);
  auto m2 = Receive("q2");
  ASSERT_EQ(m2.size(), 1u);
  EXPECT_EQ(m2[0].body, "body");
  EXPECT_EQ(m2[0].attributes, in.attributes);
}

TEST_F(TopicStoreTest, HttpSubscriptionNeedsConfirmation) {
  Topic t = CreateTopic("web");
  auto sub = Subscribe(t.arn, "http", "http://127.0.0.1:9/hook");
  ASSERT_TRUE(sub.ok());
  EXPECT_FALSE(sub->confirmed);
  ASSERT_EQ(invoker_.requests.size(), 1u);
  auto confirmation = nlohmann::json::parse(invoker_.requests[0].body);
  EXPECT_EQ(confirmation["Type"], "SubscriptionConfirmation");
  EXPECT_EQ(confirmation["Token"], sub->token);
  // Not confirmed: publish delivers nothing.
  ASSERT_TRUE(topics_->PublishSync(t.arn, "m", "").ok());
  EXPECT_EQ(invoker_.requests.size(), 1u);
  auto wrong =
      Await<Result<Subscription>>([&](auto d) { topics_->ConfirmSubscription(t.arn, "nope", d); });
  EXPECT_EQ(wrong.status().code(), AwsError::kInvalidParameter);
  auto ok = Await<Result<Subscription>>(
      [&](auto d) { topics_->ConfirmSubscription(t.arn, sub->token, d); });
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->confirmed);
  ASSERT_TRUE(topics_->PublishSync(t.arn, "m2", "").ok());
  ASSERT_EQ(invoker_.requests.size(), 2u);
  auto& req = invoker_.requests[1];
  auto header = [&](const std::string& name) {
    for (auto& [k, v] : req.headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(header("x-amz-sns-message-type"), "Notification");
  EXPECT_EQ(header("x-amz-sns-subscription-arn"), sub->arn);
  EXPECT_EQ(nlohmann::json::parse(req.body)["Message"], "m2");
}

TEST_F(TopicStoreTest, HttpDeliveryRetriesThreeTimes) {
  Topic t = CreateTopic("retry");
  auto sub = Subscribe(t.arn, "http", "http://127.0.0.1:9/hook");
  ASSERT_TRUE(Await<Result<Subscription>>([&](auto d) {
                topics_->ConfirmSubscription(t.arn, sub->token, d);
              }).ok());
  invoker_.status = 500;
  ASSERT_TRUE(topics_->PublishSync(t.arn, "m", "").ok());
  EXPECT_EQ(invoker_.requests.size(), 1u + 4u);  // confirmation + first try + 3 retries
}

TEST_F(TopicStoreTest, SubscriptionsSurviveReopenAndDeleteTopicRemovesThem) {
  Topic t = CreateTopic("keep");
  auto q = CreateQueue("kq");
  auto sub = Subscribe(t.arn, "sqs", q.arn);
  Reopen();
  ASSERT_TRUE(topics_->GetSubscription(sub->arn).ok());
  ASSERT_TRUE(topics_->PublishSync(t.arn, "after restart", "").ok());
  EXPECT_EQ(Receive("kq").size(), 1u);
  EXPECT_TRUE(Await<Status>([&](auto d) { topics_->DeleteTopic(t.arn, d); }).ok());
  EXPECT_FALSE(topics_->GetSubscription(sub->arn).ok());
  EXPECT_EQ(topics_->PublishSync(t.arn, "x", "").status().code(), AwsError::kNotFound);
}

TEST_F(TopicStoreTest, SubscribeValidation) {
  Topic t = CreateTopic("v");
  EXPECT_EQ(Subscribe(t.arn, "smtp", "x").status().code(), AwsError::kInvalidParameter);
  EXPECT_EQ(Subscribe(t.arn, "sqs", "not-an-arn").status().code(), AwsError::kInvalidParameter);
  EXPECT_EQ(Subscribe(t.arn, "http", "https://x").status().code(), AwsError::kInvalidParameter);
  EXPECT_EQ(
      Subscribe(t.arn + "nope", "sqs", "arn:aws:sqs:us-east-1:000000000000:q").status().code(),
      AwsError::kNotFound);
  auto q = CreateQueue("dup");
  auto a = Subscribe(t.arn, "sqs", q.arn);
  EXPECT_EQ(Subscribe(t.arn, "sqs", q.arn)->arn, a->arn);
}

}  // namespace
}  // namespace streamstack::sns
