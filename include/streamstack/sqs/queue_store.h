// sqs: standard queues and their messages (visibility timeouts, delays, retention, receive
// counts, dead-letter redrive, long polling), stored in SQLite through storage::Store. Knows
// no wire format: callers (sqs_api, sns, the esm's on-failure destinations) pass decoded
// values and get Result<T> back. Every public method may be called from any thread; the
// asynchronous ones call `done` exactly once, on the storage writer thread (or, for long
// polls, the store's poller thread) -- `done` must not block.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/common/thread_annotations.h"
#include "streamstack/sqs/message.h"
#include "streamstack/storage/store.h"

namespace streamstack::sqs {

// Settable queue attributes with AWS's defaults ("VisibilityTimeout" -> "30", ...).
using QueueAttributeMap = std::map<std::string, std::string>;
using TagMap = std::map<std::string, std::string>;

// A queue as the store knows it.
struct QueueInfo {
  int64_t id = 0;
  std::string name;
  std::string region;
  std::string account_id;
  std::string arn;               // arn:aws:sqs:<region>:<account>:<name>
  QueueAttributeMap attributes;  // every settable attribute, defaults filled in
  TagMap tags;
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
  int64_t purged_ms = 0;

  int VisibilityTimeout() const;
  int DelaySeconds() const;
  int MessageRetentionPeriod() const;
  int ReceiveMessageWaitTimeSeconds() const;
  int MaximumMessageSize() const;
};

// Live counts for GetQueueAttributes.
struct QueueCounts {
  int64_t visible = 0;      // ApproximateNumberOfMessages
  int64_t not_visible = 0;  // ApproximateNumberOfMessagesNotVisible (in flight)
  int64_t delayed = 0;      // ApproximateNumberOfMessagesDelayed
};

struct SendMessageInput {
  std::string body;
  std::optional<int> delay_seconds;  // unset: the queue's DelaySeconds
  MessageAttributes attributes;
};

struct SendResult {
  std::string message_id;
  std::string md5_of_body;
  std::string md5_of_attributes;  // empty when the message has no attributes
};

struct ReceiveInput {
  int max_messages = 1;                   // 1..10
  std::optional<int> visibility_timeout;  // unset: the queue's VisibilityTimeout
  std::optional<int> wait_time_seconds;   // unset: the queue's ReceiveMessageWaitTimeSeconds
};

struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;
  MessageAttributes attributes;  // all of them; the API filters by MessageAttributeNames
  int64_t sent_ms = 0;           // SentTimestamp
  int receive_count = 0;         // ApproximateReceiveCount (this receive included)
  int64_t first_receive_ms = 0;  // ApproximateFirstReceiveTimestamp
};

// A change of visibility for ChangeMessageVisibility(Batch).
struct VisibilityChange {
  std::string receipt_handle;
  int visibility_timeout = 0;  // 0..43200 seconds from now
};

template <typename T>
using Done = std::function<void(Result<T>)>;
using StatusDone = std::function<void(Status)>;

class QueueStore {
 public:
  // `store` and `clock` must outlive this object. `scope` names the account queue URLs
  // and ARNs carry; a queue's region is the one it was created in.
  QueueStore(storage::Store& store, Clock& clock, AccountScope scope);
  ~QueueStore();  // Stop()
  QueueStore(const QueueStore&) = delete;
  QueueStore& operator=(const QueueStore&) = delete;

  // Creates the schema (store.Migrate("sqs", ...)), loads the queues and starts the long
  // poll thread. Call once before anything else.
  [[nodiscard]] Status Open();
  // Stops the long poll thread and answers every waiting ReceiveMessages with what it has
  // (nothing). Later long polls answer at once. Idempotent.
  void Stop();

  // ---- Queues --------------------------------------------------------------------
  // Creates a standard queue, or returns the existing one when every given attribute
  // matches (AWS's idempotency). Errors: kInvalidParameterValueQuery (bad name),
  // kUnsupportedOperation (FIFO queues), kInvalidAttributeName (unknown attribute),
  // kInvalidAttributeValue (out of range), kQueueNameExists (different attributes).
  void CreateQueue(const std::string& name, const std::string& region,
                   const QueueAttributeMap& attributes, const TagMap& tags, Done<QueueInfo> done);
  // kQueueDoesNotExist when unknown. Reads memory only.
  [[nodiscard]] Result<QueueInfo> GetQueue(const std::string& name) const;
  // By "arn:aws:sqs:<region>:<account>:<name>". kQueueDoesNotExist when unknown.
  [[nodiscard]] Result<QueueInfo> GetQueueByArn(const std::string& arn) const;
  // Queues whose name starts with `prefix`, by name.
  [[nodiscard]] std::vector<QueueInfo> ListQueues(const std::string& prefix) const;
  // Live message counts (a reader connection).
  [[nodiscard]] Result<QueueCounts> CountMessages(const std::string& name) const;
  void SetQueueAttributes(const std::string& name, const QueueAttributeMap& attributes,
                          StatusDone done);
  void DeleteQueue(const std::string& name, StatusDone done);
  // kPurgeQueueInProgress within 60 s of the last purge (by the Clock).
  void PurgeQueue(const std::string& name, StatusDone done);
  void TagQueue(const std::string& name, const TagMap& tags, StatusDone done);
  void UntagQueue(const std::string& name, const std::vector<std::string>& keys, StatusDone done);

  // Checks AWS's rules for one attribute value ("VisibilityTimeout" 0..43200, ...).
  // kInvalidAttributeName for names that are not settable, kInvalidAttributeValue
  // ("Invalid value for the parameter X.") for values out of range.
  [[nodiscard]] static Status ValidateQueueAttribute(const std::string& name,
                                                     const std::string& value);
  // AWS's queue name rule (1-80 of [A-Za-z0-9_-]).
  [[nodiscard]] static Status ValidateQueueName(const std::string& name);

  // ---- Messages ------------------------------------------------------------------
  // Checks one message against the queue's limits (body present, valid characters, size,
  // delay 0..900, attributes). The error is what AWS answers for that entry.
  [[nodiscard]] static Status ValidateSend(const QueueInfo& queue, const SendMessageInput& in);

  // Sends messages to the queue in one transaction. Each input must have passed
  // ValidateSend; the result has one entry per input. done(Ok) only after COMMIT (an
  // acknowledged message survives a killed process). kQueueDoesNotExist if the queue is gone.
  void SendMessages(const std::string& queue_name, std::vector<SendMessageInput> inputs,
                    Done<std::vector<SendResult>> done);
  // The on-failure destination entry point: one message to the queue named by its ARN,
  // validated like SendMessage.
  void SendMessage(const std::string& queue_arn, std::string body, MessageAttributes attributes,
                   Done<SendResult> done);
  // The same, waiting for the commit. Not callable from the storage writer thread.
  [[nodiscard]] Result<SendResult> SendMessageSync(const std::string& queue_arn, std::string body,
                                                   MessageAttributes attributes);
  // Enqueues inside a write job someone else runs (SNS fan-out: a publish and its SQS
  // deliveries commit together). Validates like SendMessage; wakes long polls on commit.
  [[nodiscard]] Result<SendResult> EnqueueInJob(storage::WriteContext& ctx,
                                                const std::string& queue_arn,
                                                const SendMessageInput& input);

  // Receives up to max_messages visible messages, making them invisible for the visibility
  // timeout and counting the receive. With a wait time above 0 and nothing visible, answers
  // when a message becomes available or the wait ends (no thread blocks meanwhile).
  void ReceiveMessages(const std::string& queue_name, ReceiveInput input,
                       Done<std::vector<ReceivedMessage>> done);
  // One Status per receipt handle: Ok (deleted, or a stale handle whose message was received
  // again: AWS succeeds without deleting), kReceiptHandleIsInvalid.
  void DeleteMessages(const std::string& queue_name, std::vector<std::string> receipt_handles,
                      Done<std::vector<Status>> done);
  // One Status per change: Ok, kReceiptHandleIsInvalid, kMessageNotInflight.
  void ChangeMessageVisibility(const std::string& queue_name, std::vector<VisibilityChange> changes,
                               Done<std::vector<Status>> done);

  // Tests: re-examine every long poll now (after moving a test clock).
  void TEST_WakeLongPolls();
  // Tests: how many long polls are parked.
  size_t TEST_ParkedLongPolls() const;

 private:
  struct Waiter;
  struct ReceiveOutcome;

  std::string QueueArn(const std::string& region, const std::string& name) const;
  Result<QueueInfo> LookupById(int64_t id) const;
  void ApplyQueue(QueueInfo info);  // writer thread, OnCommit
  void EraseQueue(int64_t id);      // writer thread, OnCommit
  void UpdateQueueJson(const std::string& name, std::function<Status(QueueInfo&)> change,
                       StatusDone done);
  Result<SendResult> Enqueue(storage::WriteContext& ctx, const QueueInfo& queue,
                             const SendMessageInput& input);
  Status ReceiveInJob(storage::WriteContext& ctx, Waiter& w);
  void TryReceive(std::shared_ptr<Waiter> w);
  void Park(std::shared_ptr<Waiter> w, uint64_t seen_generation);
  void NotifySent(int64_t queue_id);  // writer thread, OnCommit
  uint64_t Generation(int64_t queue_id);
  void PollerLoop();

  // Constant after construction.
  storage::Store& store_;
  Clock& clock_;
  const AccountScope scope_;

  // The queues, by name. Written on the writer thread after COMMIT.
  mutable Mutex queues_mu_;
  std::map<std::string, QueueInfo> queues_ GUARDED_BY(queues_mu_);
  // Retention sweeps, by queue id.
  std::unordered_map<int64_t, int64_t> last_sweep_ms_ GUARDED_BY(queues_mu_);

  // Long polls.
  mutable Mutex poll_mu_;
  std::condition_variable poll_cv_;
  std::vector<std::shared_ptr<Waiter>> parked_ GUARDED_BY(poll_mu_);
  // Bumped by every committed send.
  std::unordered_map<int64_t, uint64_t> generation_ GUARDED_BY(poll_mu_);
  bool stopping_ GUARDED_BY(poll_mu_) = false;
  bool wake_all_ GUARDED_BY(poll_mu_) = false;
  std::thread poller_;
};

}  // namespace streamstack::sqs
