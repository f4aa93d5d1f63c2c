#include "streamstack/sqs/queue_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "test_util.h"

namespace streamstack::sqs {
namespace {

using test_util::Await;
using Messages = Result<std::vector<ReceivedMessage>>;
using Statuses = Result<std::vector<Status>>;

constexpr int64_t kStart = 1'700'000'000'000;

class QueueStoreTest : public ::testing::Test {
 protected:
  QueueStoreTest() : clock_(SystemTime(std::chrono::milliseconds(kStart))) { Reopen(); }
  ~QueueStoreTest() override {
    queues_.reset();
    EXPECT_TRUE(store_->Close().ok());
  }

  void Reopen() {
    queues_.reset();
    if (store_) {
      EXPECT_TRUE(store_->Close().ok());
    }
    store_ = test_util::OpenStore(dir_.File("sqs.db"));
    queues_ = std::make_unique<QueueStore>(*store_, clock_, AccountScope{});
    ASSERT_TRUE(queues_->Open().ok());
  }

  Result<QueueInfo> Create(const std::string& name, QueueAttributeMap attrs = {}) {
    return Await<Result<QueueInfo>>(
        [&](auto done) { queues_->CreateQueue(name, "us-east-1", attrs, {}, done); });
  }
  Result<std::vector<SendResult>> Send(const std::string& name, std::string body,
                                       std::optional<int> delay = std::nullopt) {
    return Await<Result<std::vector<SendResult>>>([&](auto done) {
      queues_->SendMessages(name, {SendMessageInput{std::move(body), delay, {}}}, done);
    });
  }
  Messages Receive(const std::string& name, ReceiveInput in = {}) {
    return Await<Messages>([&](auto done) { queues_->ReceiveMessages(name, in, done); });
  }
  Statuses Delete(const std::string& name, std::string handle) {
    return Await<Statuses>([&](auto done) { queues_->DeleteMessages(name, {handle}, done); });
  }
  Statuses ChangeVisibility(const std::string& name, std::string handle, int timeout) {
    return Await<Statuses>([&](auto done) {
      queues_->ChangeMessageVisibility(name, {VisibilityChange{handle, timeout}}, done);
    });
  }
  QueueCounts Counts(const std::string& name) { return queues_->CountMessages(name).value(); }
  void Advance(int64_t ms) { clock_.Advance(std::chrono::milliseconds(ms)); }

  test_util::TempDir dir_;
  OffsetClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<QueueStore> queues_;
};

TEST_F(QueueStoreTest, CreateIsIdempotentOnlyWithSameAttributes) {
  auto q = Create("q", {{"VisibilityTimeout", "10"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->arn, "arn:aws:sqs:us-east-1:000000000000:q");
  EXPECT_EQ(q->VisibilityTimeout(), 10);
  EXPECT_EQ(q->MessageRetentionPeriod(), 345600);
  EXPECT_EQ(Create("q", {{"VisibilityTimeout", "10"}})->id, q->id);
  EXPECT_EQ(Create("q")->id, q->id);
  EXPECT_EQ(Create("q", {{"VisibilityTimeout", "11"}}).status().code(), AwsError::kQueueNameExists);
  EXPECT_EQ(Create("bad.name").status().code(), AwsError::kInvalidParameterValueQuery);
  EXPECT_EQ(Create("f.fifo", {{"FifoQueue", "true"}}).status().code(),
            AwsError::kUnsupportedOperation);
  EXPECT_EQ(Create("r", {{"DelaySeconds", "901"}}).status().code(),
            AwsError::kInvalidAttributeValue);
  EXPECT_EQ(Create("r", {{"Nope", "1"}}).status().code(), AwsError::kInvalidAttributeName);
  EXPECT_EQ(queues_->GetQueueByArn("arn:aws:sqs:eu-west-1:000000000000:q")->id, q->id);
  EXPECT_FALSE(queues_->GetQueueByArn("arn:aws:sqs:us-east-1:111111111111:q").ok());
}

TEST_F(QueueStoreTest, VisibilityTimeoutHidesAndReturnsMessages) {
  ASSERT_TRUE(Create("q", {{"VisibilityTimeout", "30"}}).ok());
  auto sent = Send("q", "hello");
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->front().md5_of_body, "5d41402abc4b2a76b9719d911017c592");
  auto first = Receive("q");
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().receive_count, 1);
  EXPECT_EQ(first->front().sent_ms, kStart);
  EXPECT_EQ(first->front().first_receive_ms, kStart);
  EXPECT_EQ(Counts("q").not_visible, 1);
  EXPECT_TRUE(Receive("q")->empty());
  Advance(29'999);
  EXPECT_TRUE(Receive("q")->empty());
  Advance(1);
  auto second = Receive("q", ReceiveInput{1, 5, std::nullopt});
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ(second->front().receive_count, 2);
  EXPECT_EQ(second->front().first_receive_ms, kStart);
  EXPECT_NE(second->front().receipt_handle, first->front().receipt_handle);
  // A stale handle: ok, but the message stays.
  EXPECT_TRUE(Delete("q", first->front().receipt_handle)->front().ok());
  EXPECT_EQ(Counts("q").not_visible, 1);
  Advance(5'000);  // the per-receive VisibilityTimeout of 5 s
  auto third = Receive("q");
  ASSERT_EQ(third->size(), 1u);
  EXPECT_EQ(third->front().receive_count, 3);
  EXPECT_TRUE(Delete("q", third->front().receipt_handle)->front().ok());
  EXPECT_EQ(Counts("q").not_visible, 0);
  EXPECT_EQ(Counts("q").visible, 0);
  EXPECT_EQ(Delete("q", "garbage")->front().code(), AwsError::kReceiptHandleIsInvalid);
}

TEST_F(QueueStoreTest, ChangeMessageVisibility) {
  ASSERT_TRUE(Create("q").ok());
  ASSERT_TRUE(Send("q", "m").ok());
  auto m = Receive("q")->front();
  EXPECT_TRUE(ChangeVisibility("q", m.receipt_handle, 100)->front().ok());
  Advance(99'000);
  EXPECT_TRUE(Receive("q")->empty());
  Advance(1'000);
  EXPECT_EQ(ChangeVisibility("q", m.receipt_handle, 10)->front().code(),
            AwsError::kMessageNotInflight);
  auto again = Receive("q")->front();
  EXPECT_TRUE(ChangeVisibility("q", again.receipt_handle, 0)->front().ok());
  EXPECT_EQ(Receive("q")->size(), 1u);
  EXPECT_EQ(ChangeVisibility("q", m.receipt_handle, 10)->front().code(),
            AwsError::kInvalidParameterValueQuery);  // stale handle
}

TEST_F(QueueStoreTest, DelaysFromQueueAndMessage) {
  ASSERT_TRUE(Create("q", {{"DelaySeconds", "10"}}).ok());
  ASSERT_TRUE(Send("q", "queue-delay").ok());
  ASSERT_TRUE(Send("q", "no-delay", 0).ok());
  ASSERT_TRUE(Send("q", "long-delay", 20).ok());
  EXPECT_EQ(Counts("q").delayed, 2);
  auto now = Receive("q", ReceiveInput{10, std::nullopt, std::nullopt});
  ASSERT_EQ(now->size(), 1u);
  EXPECT_EQ(now->front().body, "no-delay");
  Advance(10'000);
  auto later = Receive("q", ReceiveInput{10, std::nullopt, std::nullopt});
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(later->front().body, "queue-delay");
  Advance(10'000);
  EXPECT_EQ(Receive("q", ReceiveInput{10, std::nullopt, std::nullopt})->front().body, "long-delay");
}

TEST_F(QueueStoreTest, RetentionExpiresMessages) {
  ASSERT_TRUE(Create("q", {{"MessageRetentionPeriod", "60"}}).ok());
  ASSERT_TRUE(Send("q", "old").ok());
  Advance(30'000);
  ASSERT_TRUE(Send("q", "new").ok());
  Advance(30'000);
  EXPECT_EQ(Counts("q").visible, 1);
  auto got = Receive("q", ReceiveInput{10, std::nullopt, std::nullopt});
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().body, "new");
}

TEST_F(QueueStoreTest, PurgeOncePerMinute) {
  ASSERT_TRUE(Create("q").ok());
  ASSERT_TRUE(Send("q", "a").ok());
  auto purge = [&] { return Await<Status>([&](auto d) { queues_->PurgeQueue("q", d); }); };
  EXPECT_TRUE(purge().ok());
  EXPECT_EQ(Counts("q").visible, 0);
  EXPECT_EQ(purge().code(), AwsError::kPurgeQueueInProgress);
  Advance(60'000);
  EXPECT_TRUE(purge().ok());
}

TEST_F(QueueStoreTest, RedriveToDeadLetterQueue) {
  auto dlq = Create("dlq");
  ASSERT_TRUE(Create("src", {{"VisibilityTimeout", "0"},
                             {"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + dlq->arn +
                                                   "\",\"maxReceiveCount\":\"2\"}"}})
                  .ok());
  ASSERT_TRUE(Send("src", "poison").ok());
  EXPECT_EQ(Receive("src")->size(), 1u);
  EXPECT_EQ(Receive("src")->size(), 1u);
  EXPECT_TRUE(Receive("src")->empty());
  auto moved = Receive("dlq");
  ASSERT_EQ(moved->size(), 1u);
  EXPECT_EQ(moved->front().body, "poison");
  EXPECT_EQ(moved->front().receive_count, 1);
}

TEST_F(QueueStoreTest, LongPollAnswersWhenAMessageArrives) {
  ASSERT_TRUE(Create("q").ok());
  std::promise<Messages> got;
  queues_->ReceiveMessages("q", ReceiveInput{1, std::nullopt, 20},
                           [&](Messages m) { got.set_value(std::move(m)); });
  auto future = got.get_future();
  for (int i = 0; i < 500 && queues_->TEST_ParkedLongPolls() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(queues_->TEST_ParkedLongPolls(), 1u);
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  ASSERT_TRUE(Send("q", "wake").ok());
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto m = future.get();
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ(m->front().body, "wake");
}

TEST_F(QueueStoreTest, LongPollEndsAtItsDeadlineByTheClock) {
  ASSERT_TRUE(Create("q").ok());
  std::promise<Messages> got;
  queues_->ReceiveMessages("q", ReceiveInput{1, std::nullopt, 20},
                           [&](Messages m) { got.set_value(std::move(m)); });
  auto future = got.get_future();
  for (int i = 0; i < 500 && queues_->TEST_ParkedLongPolls() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  Advance(20'000);
  queues_->TEST_WakeLongPolls();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(future.get()->empty());
}

TEST_F(QueueStoreTest, StopAnswersParkedLongPolls) {
  ASSERT_TRUE(Create("q").ok());
  std::promise<Messages> got;
  queues_->ReceiveMessages("q", ReceiveInput{1, std::nullopt, 20},
                           [&](Messages m) { got.set_value(std::move(m)); });
  for (int i = 0; i < 500 && queues_->TEST_ParkedLongPolls() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  queues_->Stop();
  auto future = got.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(future.get()->empty());
}

TEST_F(QueueStoreTest, MessagesAndQueuesSurviveReopen) {
  auto q = Create("q", {{"VisibilityTimeout", "7"}});
  MessageAttributes attrs{{"k", {"String", "v", ""}}};
  auto sent = queues_->SendMessageSync(q->arn, "durable", attrs);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->md5_of_attributes, Md5OfMessageAttributes(attrs));
  Reopen();
  EXPECT_EQ(queues_->GetQueue("q")->VisibilityTimeout(), 7);
  auto got = Receive("q");
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().message_id, sent->message_id);
  EXPECT_EQ(got->front().attributes, attrs);
}

TEST_F(QueueStoreTest, DestinationApiByArn) {
  EXPECT_EQ(
      queues_->SendMessageSync("arn:aws:sqs:us-east-1:000000000000:none", "x", {}).status().code(),
      AwsError::kQueueDoesNotExist);
  auto q = Create("dest");
  EXPECT_EQ(queues_->SendMessageSync(q->arn, "", {}).status().code(), AwsError::kMissingParameter);
  auto r = Await<Result<SendResult>>(
      [&](auto done) { queues_->SendMessage(q->arn, "{\"failed\":true}", {}, done); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Receive("dest")->front().body, "{\"failed\":true}");
}

TEST_F(QueueStoreTest, DeleteQueueRemovesMessages) {
  ASSERT_TRUE(Create("q").ok());
  ASSERT_TRUE(Send("q", "m").ok());
  EXPECT_TRUE(Await<Status>([&](auto d) { queues_->DeleteQueue("q", d); }).ok());
  EXPECT_EQ(queues_->GetQueue("q").status().code(), AwsError::kQueueDoesNotExist);
  ASSERT_TRUE(Create("q").ok());
  EXPECT_TRUE(Receive("q")->empty());
}

}  // namespace
}  // namespace streamstack::sqs
