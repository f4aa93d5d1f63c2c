#include "streamstack/sqs/queue_store.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <set>

#include "streamstack/common/json_text.h"
#include "streamstack/storage/migration.h"

namespace streamstack::sqs {
namespace {

using nlohmann::json;

// Messages live in one table, ordered by rowid; the index serves "the oldest visible
// messages of a queue". A message's visibility is one timestamp: it is delayed or in flight
// while visible_at_ms is in the future (receive_count tells which).
constexpr storage::Migration kMigrations[] = {
    {1,
     "CREATE TABLE sqs_queues ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  region TEXT NOT NULL,"
     "  attributes TEXT NOT NULL,"
     "  tags TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL,"
     "  modified_ms INTEGER NOT NULL,"
     "  purged_ms INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE sqs_messages ("
     "  id INTEGER PRIMARY KEY,"
     "  queue_id INTEGER NOT NULL REFERENCES sqs_queues(id) ON DELETE CASCADE,"
     "  message_id TEXT NOT NULL,"
     "  body TEXT NOT NULL,"
     "  attributes TEXT NOT NULL,"
     "  md5_body TEXT NOT NULL,"
     "  sent_ms INTEGER NOT NULL,"
     "  visible_at_ms INTEGER NOT NULL,"
     "  receive_count INTEGER NOT NULL DEFAULT 0,"
     "  first_receive_ms INTEGER NOT NULL DEFAULT 0,"
     "  receipt_token TEXT NOT NULL DEFAULT '');"
     "CREATE INDEX sqs_messages_by_visibility ON sqs_messages(queue_id, visible_at_ms, id);"},
};

constexpr char kSelectAllQueues[] =
    "SELECT id, name, region, attributes, tags, created_ms, modified_ms, purged_ms "
    "FROM sqs_queues ORDER BY name";
constexpr char kSelectQueueByName[] =
    "SELECT id, name, region, attributes, tags, created_ms, modified_ms, purged_ms "
    "FROM sqs_queues WHERE name = ?";
constexpr char kSelectQueueExists[] = "SELECT 1 FROM sqs_queues WHERE id = ?";
constexpr char kInsertQueue[] =
    "INSERT INTO sqs_queues (name, region, attributes, tags, created_ms, modified_ms) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr char kUpdateQueue[] =
    "UPDATE sqs_queues SET attributes = ?, tags = ?, modified_ms = ?, purged_ms = ? "
    "WHERE id = ?";
constexpr char kDeleteQueue[] = "DELETE FROM sqs_queues WHERE id = ?";
constexpr char kInsertMessage[] =
    "INSERT INTO sqs_messages (queue_id, message_id, body, attributes, md5_body, sent_ms, "
    "visible_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr char kSelectVisible[] =
    "SELECT id, message_id, body, attributes, md5_body, sent_ms, receive_count, "
    "first_receive_ms FROM sqs_messages "
    "WHERE queue_id = ? AND visible_at_ms <= ? AND sent_ms > ? "
    "ORDER BY visible_at_ms, id LIMIT ?";
constexpr char kMarkReceived[] =
    "UPDATE sqs_messages SET receive_count = receive_count + 1, first_receive_ms = ?, "
    "visible_at_ms = ?, receipt_token = ? WHERE id = ?";
constexpr char kMoveToQueue[] =
    "UPDATE sqs_messages SET queue_id = ?, visible_at_ms = ?, receive_count = 0, "
    "first_receive_ms = 0, receipt_token = '' WHERE id = ?";
constexpr char kNextVisible[] =
    "SELECT MIN(visible_at_ms) FROM sqs_messages WHERE queue_id = ? AND visible_at_ms > ?";
constexpr char kDeleteExpired[] = "DELETE FROM sqs_messages WHERE queue_id = ? AND sent_ms <= ?";
constexpr char kPurgeMessages[] = "DELETE FROM sqs_messages WHERE queue_id = ?";
constexpr char kSelectMessageForHandle[] =
    "SELECT queue_id, receipt_token, visible_at_ms FROM sqs_messages WHERE id = ?";
constexpr char kDeleteMessage[] = "DELETE FROM sqs_messages WHERE id = ?";
constexpr char kSetVisibility[] = "UPDATE sqs_messages SET visible_at_ms = ? WHERE id = ?";
constexpr char kCountMessages[] =
    "SELECT COALESCE(SUM(visible_at_ms <= ?), 0), "
    "COALESCE(SUM(visible_at_ms > ? AND receive_count > 0), 0), "
    "COALESCE(SUM(visible_at_ms > ? AND receive_count = 0), 0) "
    "FROM sqs_messages WHERE queue_id = ? AND sent_ms > ?";

// Retention is enforced on read (expired messages are never returned); the rows are
// deleted by a sweep at most this often per queue.
constexpr int64_t kSweepIntervalMs = 10'000;
constexpr int64_t kPurgeIntervalMs = 60'000;

struct AttributeRule {
  const char* name;
  int64_t min;
  int64_t max;
  const char* default_value;  // nullptr: absent unless set
};

// Settable attributes of a standard queue: AWS's ranges and defaults.
constexpr std::array kAttributeRules = {
    AttributeRule{"DelaySeconds", 0, 900, "0"},
    AttributeRule{"MaximumMessageSize", 1024, 1048576, "1048576"},
    AttributeRule{"MessageRetentionPeriod", 60, 1209600, "345600"},
    AttributeRule{"ReceiveMessageWaitTimeSeconds", 0, 20, "0"},
    AttributeRule{"VisibilityTimeout", 0, 43200, "30"},
    AttributeRule{"KmsDataKeyReusePeriodSeconds", 60, 86400, nullptr},
};

const AttributeRule* FindRule(const std::string& name) {
  for (const auto& r : kAttributeRules) {
    if (name == r.name) return &r;
  }
  return nullptr;
}

bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = s[0] == '-' ? -v : v;
  return true;
}

int IntAttribute(const QueueAttributeMap& m, const char* name) {
  auto it = m.find(name);
  int64_t v = 0;
  if (it != m.end() && ParseInt(it->second, &v)) return static_cast<int>(v);
  const AttributeRule* rule = FindRule(name);
  if (rule != nullptr && rule->default_value != nullptr) {
    ParseInt(rule->default_value, &v);
  }
  return static_cast<int>(v);
}

QueueAttributeMap DefaultAttributes() {
  QueueAttributeMap m;
  for (const auto& r : kAttributeRules) {
    if (r.default_value != nullptr) m[r.name] = r.default_value;
  }
  m["SqsManagedSseEnabled"] = "true";
  return m;
}

json AttributesToJson(const MessageAttributes& attrs) {
  json out = json::object();
  for (const auto& [name, v] : attrs) {
    json a = {{"DataType", v.data_type}};
    if (v.IsBinary()) {
      a["BinaryValue"] = Base64Encode(v.binary_value);
    } else {
      a["StringValue"] = v.string_value;
    }
    out[name] = std::move(a);
  }
  return out;
}

MessageAttributes AttributesFromJson(std::string_view text) {
  MessageAttributes out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (auto& [name, a] : j.items()) {
    MessageAttributeValue v;
    v.data_type = a.value("DataType", "");
    if (a.contains("BinaryValue")) {
      Base64Decode(a["BinaryValue"].get<std::string>(), &v.binary_value);
    } else {
      v.string_value = a.value("StringValue", "");
    }
    out.emplace(name, std::move(v));
  }
  return out;
}

Status QueueMissing() {
  return {AwsError::kQueueDoesNotExist, "The specified queue does not exist."};
}

Status InvalidHandle(const std::string& handle) {
  return {AwsError::kReceiptHandleIsInvalid,
          "The input receipt handle \"" + handle + "\" is not a valid receipt handle."};
}

// A receipt handle names the queue, the message row and the receive that produced it.
struct ParsedHandle {
  int64_t queue_id = 0;
  int64_t row_id = 0;
  std::string token;
};

std::string MakeHandle(int64_t queue_id, int64_t row_id, const std::string& token) {
  return Base64Encode("ss1:" + std::to_string(queue_id) + ":" + std::to_string(row_id) + ":" +
                      token);
}

bool ParseHandle(const std::string& handle, ParsedHandle* out) {
  std::string raw;
  if (handle.empty() || !Base64Decode(handle, &raw) || !raw.starts_with("ss1:")) return false;
  std::string_view rest = std::string_view(raw).substr(4);
  size_t a = rest.find(':');
  if (a == std::string_view::npos) return false;
  size_t b = rest.find(':', a + 1);
  if (b == std::string_view::npos) return false;
  int64_t q = 0, r = 0;
  if (!ParseInt(std::string(rest.substr(0, a)), &q) ||
      !ParseInt(std::string(rest.substr(a + 1, b - a - 1)), &r)) {
    return false;
  }
  out->queue_id = q;
  out->row_id = r;
  out->token = std::string(rest.substr(b + 1));
  return !out->token.empty();
}

Result<QueueInfo> ReadQueueRow(storage::Statement& st, const AccountScope& scope) {
  QueueInfo q;
  q.id = st.ColumnInt64(0);
  q.name = std::string(st.ColumnText(1));
  q.region = std::string(st.ColumnText(2));
  q.account_id = scope.account_id;
  q.arn = arn::Queue(AccountScope{q.region, scope.account_id}, q.name);
  q.attributes = StringMapFromJson(st.ColumnText(3));
  q.tags = StringMapFromJson(st.ColumnText(4));
  q.created_ms = st.ColumnInt64(5);
  q.modified_ms = st.ColumnInt64(6);
  q.purged_ms = st.ColumnInt64(7);
  return q;
}

Result<QueueInfo> LoadQueue(storage::Database& db, const std::string& name,
                            const AccountScope& scope) {
  auto& st = db.Prepare(kSelectQueueByName);
  st.Bind(1, name);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
  if (!row) return QueueMissing();
  auto q = ReadQueueRow(st, scope);
  st.Reset();
  return q;
}

Status SaveQueue(storage::Database& db, const QueueInfo& q) {
  auto& st = db.Prepare(kUpdateQueue);
  st.Bind(1, StringMapToJson(q.attributes));
  st.Bind(2, StringMapToJson(q.tags));
  st.Bind(3, q.modified_ms);
  st.Bind(4, q.purged_ms);
  st.Bind(5, q.id);
  return st.Run();
}

// "arn:aws:sqs:<region>:<account>:<name>" -> name (empty when not an SQS queue ARN).
std::string QueueNameFromArn(const std::string& queue_arn, const std::string& account) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = queue_arn.find(':', start);
    if (colon == std::string::npos) return "";
    parts.push_back(queue_arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts[0] != "arn" || parts[2] != "sqs" || parts[4] != account) return "";
  return queue_arn.substr(start);
}

// The redrive policy's target and limit, when the queue has a valid one.
struct Redrive {
  std::string target_arn;
  int max_receive_count = 0;
};

std::optional<Redrive> ParseRedrive(const QueueAttributeMap& attrs) {
  auto it = attrs.find("RedrivePolicy");
  if (it == attrs.end() || it->second.empty()) return std::nullopt;
  json j = json::parse(it->second, nullptr, false);
  if (!j.is_object() || !j.contains("deadLetterTargetArn") || !j.contains("maxReceiveCount")) {
    return std::nullopt;
  }
  Redrive r;
  if (!j["deadLetterTargetArn"].is_string()) return std::nullopt;
  r.target_arn = j["deadLetterTargetArn"].get<std::string>();
  const json& m = j["maxReceiveCount"];
  int64_t v = 0;
  if (m.is_number_integer())
    v = m.get<int64_t>();
  else if (m.is_string() && ParseInt(m.get<std::string>(), &v)) {
  } else
    return std::nullopt;
  r.max_receive_count = static_cast<int>(v);
  return r;
}

}  // namespace

// ---- QueueInfo ----------------------------------------------------------------------

int QueueInfo::VisibilityTimeout() const { return IntAttribute(attributes, "VisibilityTimeout"); }
int QueueInfo::DelaySeconds() const { return IntAttribute(attributes, "DelaySeconds"); }
int QueueInfo::MessageRetentionPeriod() const {
  return IntAttribute(attributes, "MessageRetentionPeriod");
}
int QueueInfo::ReceiveMessageWaitTimeSeconds() const {
  return IntAttribute(attributes, "ReceiveMessageWaitTimeSeconds");
}
int QueueInfo::MaximumMessageSize() const { return IntAttribute(attributes, "MaximumMessageSize"); }

// ---- Long polls ----------------------------------------------------------------------

struct QueueStore::Waiter {
  int64_t queue_id = 0;
  std::string queue_name;
  ReceiveInput input;
  QueueInfo queue;  // attributes at the time of the request
  int64_t deadline_ms = 0;
  Done<std::vector<ReceivedMessage>> done;
  // Filled by each attempt.
  std::vector<ReceivedMessage> found;
  int64_t next_visible_ms = 0;  // 0: nothing invisible is waiting
  // Set while parked.
  uint64_t seen_generation = 0;
  int64_t wake_ms = 0;
};

QueueStore::QueueStore(storage::Store& store, Clock& clock, AccountScope scope)
    : store_(store), clock_(clock), scope_(std::move(scope)) {}

QueueStore::~QueueStore() { Stop(); }

Status QueueStore::Open() {
  STREAMSTACK_RETURN_IF_ERROR(store_.Migrate("sqs", kMigrations));
  auto loaded = store_.Read([this](storage::Database& db) -> Result<std::vector<QueueInfo>> {
    std::vector<QueueInfo> out;
    auto& st = db.Prepare(kSelectAllQueues);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
      if (!row) break;
      auto q = ReadQueueRow(st, scope_);
      out.push_back(std::move(q).value());
    }
    return out;
  });
  if (!loaded.ok()) return loaded.status();
  {
    MutexLock lock(queues_mu_);
    for (auto& q : *loaded) queues_[q.name] = std::move(q);
  }
  MutexLock lock(poll_mu_);
  stopping_ = false;
  poller_ = std::thread([this] { PollerLoop(); });
  return Status::Ok();
}

void QueueStore::Stop() {
  std::vector<std::shared_ptr<Waiter>> parked;
  {
    MutexLock lock(poll_mu_);
    stopping_ = true;
    parked.swap(parked_);
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
  for (auto& w : parked) w->done(std::vector<ReceivedMessage>{});
}

std::string QueueStore::QueueArn(const std::string& region, const std::string& name) const {
  return arn::Queue(AccountScope{region, scope_.account_id}, name);
}

// ---- Queues ----------------------------------------------------------------------------

Status QueueStore::ValidateQueueName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 80;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  if (!ok) {
    return {AwsError::kInvalidParameterValueQuery,
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
            "length"};
  }
  return Status::Ok();
}

Status QueueStore::ValidateQueueAttribute(const std::string& name, const std::string& value) {
  if (name == "FifoQueue" || name == "ContentBasedDeduplication" || name == "DeduplicationScope" ||
      name == "FifoThroughputLimit") {
    if (name == "FifoQueue" && value == "false") return Status::Ok();
    return {AwsError::kUnsupportedOperation,
            "StreamStack emulates standard queues only: FIFO queues (FifoQueue, "
            "ContentBasedDeduplication, DeduplicationScope, FifoThroughputLimit) are not "
            "supported."};
  }
  if (const AttributeRule* rule = FindRule(name)) {
    int64_t v = 0;
    if (!ParseInt(value, &v) || v < rule->min || v > rule->max) {
      return {AwsError::kInvalidAttributeValue, "Invalid value for the parameter " + name + "."};
    }
    return Status::Ok();
  }
  if (name == "SqsManagedSseEnabled") {
    if (value != "true" && value != "false") {
      return {AwsError::kInvalidAttributeValue, "Invalid value for the parameter " + name + "."};
    }
    return Status::Ok();
  }
  if (name == "RedrivePolicy") {
    if (value.empty()) return Status::Ok();  // removes the policy
    json j = json::parse(value, nullptr, false);
    auto r = ParseRedrive({{"RedrivePolicy", value}});
    if (!j.is_object() || !r || r->max_receive_count < 1 || r->max_receive_count > 1000) {
      return {AwsError::kInvalidAttributeValue,
              "Value " + value +
                  " for parameter RedrivePolicy is invalid. Reason: Redrive "
                  "policy is not a valid JSON map with deadLetterTargetArn and maxReceiveCount "
                  "(1 to 1000)."};
    }
    return Status::Ok();
  }
  if (name == "Policy" || name == "RedriveAllowPolicy") {
    if (value.empty()) return Status::Ok();
    json j = json::parse(value, nullptr, false);
    if (!j.is_object()) {
      return {AwsError::kInvalidAttributeValue, "Invalid value for the parameter " + name + "."};
    }
    return Status::Ok();
  }
  if (name == "KmsMasterKeyId") return Status::Ok();
  return {AwsError::kInvalidAttributeName, "Unknown Attribute " + name + "."};
}

void QueueStore::CreateQueue(const std::string& name, const std::string& region,
                             const QueueAttributeMap& attributes, const TagMap& tags,
                             Done<QueueInfo> done) {
  if (name.ends_with(".fifo")) {
    auto fifo = attributes.find("FifoQueue");
    if (fifo != attributes.end() && fifo->second == "true") {
      done(Status(AwsError::kUnsupportedOperation,
                  "StreamStack emulates standard queues only: FIFO queues are not supported."));
      return;
    }
  }
  Status name_ok = ValidateQueueName(name);
  if (!name_ok.ok()) {
    done(name_ok);
    return;
  }
  for (const auto& [k, v] : attributes) {
    Status s = ValidateQueueAttribute(k, v);
    if (!s.ok()) {
      done(s);
      return;
    }
  }
  if (tags.size() > 50) {
    done(Status(AwsError::kInvalidParameterValueQuery,
                "Too many tags added for queue " + name + "."));
    return;
  }
  auto result = std::make_shared<QueueInfo>();
  int64_t now = clock_.NowMillis();
  store_.Write(
      [this, name, region, attributes, tags, now, result](storage::WriteContext& ctx) -> Status {
        auto existing = LoadQueue(ctx.db(), name, scope_);
        if (existing.ok()) {
          // AWS: an existing queue is returned when every given attribute has the same value.
          for (const auto& [k, v] : attributes) {
            if (k == "FifoQueue") continue;
            auto it = existing->attributes.find(k);
            std::string current = it == existing->attributes.end() ? "" : it->second;
            if (current != v) {
              return {AwsError::kQueueNameExists,
                      "A queue already exists with the same name and a different value for "
                      "attribute " +
                          k};
            }
          }
          *result = std::move(existing).value();
          return Status::Ok();
        }
        if (existing.status().code() != AwsError::kQueueDoesNotExist) return existing.status();
        QueueInfo q;
        q.name = name;
        q.region = region.empty() ? scope_.region : region;
        q.account_id = scope_.account_id;
        q.arn = QueueArn(q.region, name);
        q.attributes = DefaultAttributes();
        for (const auto& [k, v] : attributes) {
          if (k == "FifoQueue") continue;
          if (v.empty())
            q.attributes.erase(k);
          else
            q.attributes[k] = v;
        }
        q.tags = tags;
        q.created_ms = now;
        q.modified_ms = now;
        auto& st = ctx.db().Prepare(kInsertQueue);
        st.Bind(1, q.name);
        st.Bind(2, q.region);
        st.Bind(3, StringMapToJson(q.attributes));
        st.Bind(4, StringMapToJson(q.tags));
        st.Bind(5, now / 1000 * 1000);
        st.Bind(6, now / 1000 * 1000);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        q.id = ctx.db().LastInsertRowId();
        q.created_ms = q.modified_ms = now / 1000 * 1000;
        *result = q;
        ctx.OnCommit([this, q]() mutable { ApplyQueue(std::move(q)); });
        return Status::Ok();
      },
      [result, done = std::move(done)](Status s) {
        if (!s.ok()) {
          done(s);
          return;
        }
        done(std::move(*result));
      });
}

void QueueStore::ApplyQueue(QueueInfo info) {
  MutexLock lock(queues_mu_);
  queues_[info.name] = std::move(info);
}

void QueueStore::EraseQueue(int64_t id) {
  MutexLock lock(queues_mu_);
  for (auto it = queues_.begin(); it != queues_.end(); ++it) {
    if (it->second.id == id) {
      queues_.erase(it);
      break;
    }
  }
  last_sweep_ms_.erase(id);
}

Result<QueueInfo> QueueStore::GetQueue(const std::string& name) const {
  MutexLock lock(queues_mu_);
  auto it = queues_.find(name);
  if (it == queues_.end()) return QueueMissing();
  return it->second;
}

Result<QueueInfo> QueueStore::GetQueueByArn(const std::string& queue_arn) const {
  std::string name = QueueNameFromArn(queue_arn, scope_.account_id);
  if (name.empty()) return QueueMissing();
  return GetQueue(name);
}

Result<QueueInfo> QueueStore::LookupById(int64_t id) const {
  MutexLock lock(queues_mu_);
  for (const auto& [name, q] : queues_) {
    if (q.id == id) return q;
  }
  return QueueMissing();
}

std::vector<QueueInfo> QueueStore::ListQueues(const std::string& prefix) const {
  std::vector<QueueInfo> out;
  MutexLock lock(queues_mu_);
  for (auto it = queues_.lower_bound(prefix); it != queues_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    out.push_back(it->second);
  }
  return out;
}

Result<QueueCounts> QueueStore::CountMessages(const std::string& name) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto q, GetQueue(name));
  int64_t now = clock_.NowMillis();
  int64_t oldest = now - int64_t{q.MessageRetentionPeriod()} * 1000;
  return store_.Read([&](storage::Database& db) -> Result<QueueCounts> {
    auto& st = db.Prepare(kCountMessages);
    st.Bind(1, now);
    st.Bind(2, now);
    st.Bind(3, now);
    st.Bind(4, q.id);
    st.Bind(5, oldest);
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
    QueueCounts c;
    if (row) {
      c.visible = st.ColumnInt64(0);
      c.not_visible = st.ColumnInt64(1);
      c.delayed = st.ColumnInt64(2);
    }
    st.Reset();
    return c;
  });
}

void QueueStore::UpdateQueueJson(const std::string& name, std::function<Status(QueueInfo&)> change,
                                 StatusDone done) {
  store_.Write(
      [this, name, change = std::move(change)](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto q, LoadQueue(ctx.db(), name, scope_));
        QueueInfo info = std::move(q);
        STREAMSTACK_RETURN_IF_ERROR(change(info));
        STREAMSTACK_RETURN_IF_ERROR(SaveQueue(ctx.db(), info));
        ctx.OnCommit([this, info]() mutable { ApplyQueue(std::move(info)); });
        return Status::Ok();
      },
      std::move(done));
}

void QueueStore::SetQueueAttributes(const std::string& name, const QueueAttributeMap& attributes,
                                    StatusDone done) {
  for (const auto& [k, v] : attributes) {
    Status s = ValidateQueueAttribute(k, v);
    if (!s.ok()) {
      done(s);
      return;
    }
  }
  int64_t now = clock_.NowMillis();
  UpdateQueueJson(
      name,
      [attributes, now](QueueInfo& q) {
        for (const auto& [k, v] : attributes) {
          if (k == "FifoQueue") continue;
          if (v.empty() && FindRule(k) == nullptr)
            q.attributes.erase(k);
          else
            q.attributes[k] = v;
        }
        q.modified_ms = now / 1000 * 1000;
        return Status::Ok();
      },
      std::move(done));
}

void QueueStore::TagQueue(const std::string& name, const TagMap& tags, StatusDone done) {
  UpdateQueueJson(
      name,
      [tags](QueueInfo& q) {
        for (const auto& [k, v] : tags) q.tags[k] = v;
        if (q.tags.size() > 50) {
          return Status(AwsError::kInvalidParameterValueQuery,
                        "Too many tags added for queue " + q.name + ".");
        }
        return Status::Ok();
      },
      std::move(done));
}

void QueueStore::UntagQueue(const std::string& name, const std::vector<std::string>& keys,
                            StatusDone done) {
  UpdateQueueJson(
      name,
      [keys](QueueInfo& q) {
        for (const auto& k : keys) q.tags.erase(k);
        return Status::Ok();
      },
      std::move(done));
}

void QueueStore::PurgeQueue(const std::string& name, StatusDone done) {
  int64_t now = clock_.NowMillis();
  store_.Write(
      [this, name, now](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto q, LoadQueue(ctx.db(), name, scope_));
        QueueInfo info = std::move(q);
        if (info.purged_ms != 0 && now - info.purged_ms < kPurgeIntervalMs) {
          return {AwsError::kPurgeQueueInProgress,
                  "Only one PurgeQueue operation on " + name + " is allowed every 60 seconds."};
        }
        auto& st = ctx.db().Prepare(kPurgeMessages);
        st.Bind(1, info.id);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        info.purged_ms = now;
        STREAMSTACK_RETURN_IF_ERROR(SaveQueue(ctx.db(), info));
        ctx.OnCommit([this, info]() mutable { ApplyQueue(std::move(info)); });
        return Status::Ok();
      },
      std::move(done));
}

void QueueStore::DeleteQueue(const std::string& name, StatusDone done) {
  store_.Write(
      [this, name](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(auto q, LoadQueue(ctx.db(), name, scope_));
        int64_t id = q.id;
        auto& st = ctx.db().Prepare(kDeleteQueue);  // messages go with it (ON DELETE CASCADE)
        st.Bind(1, id);
        STREAMSTACK_RETURN_IF_ERROR(st.Run());
        ctx.OnCommit([this, id] {
          EraseQueue(id);
          NotifySent(id);  // parked long polls on it answer (empty) at once
        });
        return Status::Ok();
      },
      std::move(done));
}

// ---- Sending -------------------------------------------------------------------------

Status QueueStore::ValidateSend(const QueueInfo& queue, const SendMessageInput& in) {
  if (in.body.empty()) {
    return {AwsError::kMissingParameter, "The request must contain the parameter MessageBody."};
  }
  if (in.delay_seconds && (*in.delay_seconds < 0 || *in.delay_seconds > 900)) {
    return {AwsError::kInvalidParameterValueQuery,
            "Value " + std::to_string(*in.delay_seconds) +
                " for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and "
                "<= 900."};
  }
  if (!IsValidMessageText(in.body)) {
    return {AwsError::kInvalidMessageContents,
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to "
            "#xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"};
  }
  STREAMSTACK_RETURN_IF_ERROR(ValidateMessageAttributes(in.attributes));
  size_t max = static_cast<size_t>(queue.MaximumMessageSize());
  if (in.body.size() + MessageAttributesSize(in.attributes) > max) {
    return {AwsError::kInvalidParameterValueQuery,
            "One or more parameters are invalid. Reason: Message must be shorter than " +
                std::to_string(max) + " bytes."};
  }
  return Status::Ok();
}

Result<SendResult> QueueStore::Enqueue(storage::WriteContext& ctx, const QueueInfo& queue,
                                       const SendMessageInput& input) {
  int64_t now = clock_.NowMillis();
  int delay = input.delay_seconds.value_or(queue.DelaySeconds());
  SendResult r;
  r.message_id = NewUuidV4();
  r.md5_of_body = Md5OfBody(input.body);
  r.md5_of_attributes = Md5OfMessageAttributes(input.attributes);
  auto& st = ctx.db().Prepare(kInsertMessage);
  st.Bind(1, queue.id);
  st.Bind(2, r.message_id);
  st.Bind(3, input.body);
  st.Bind(4,
          input.attributes.empty() ? std::string("{}") : AttributesToJson(input.attributes).dump());
  st.Bind(5, r.md5_of_body);
  st.Bind(6, now);
  st.Bind(7, now + int64_t{delay} * 1000);
  STREAMSTACK_RETURN_IF_ERROR(st.Run());
  int64_t id = queue.id;
  ctx.OnCommit([this, id] { NotifySent(id); });
  return r;
}

void QueueStore::SendMessages(const std::string& queue_name, std::vector<SendMessageInput> inputs,
                              Done<std::vector<SendResult>> done) {
  auto q = GetQueue(queue_name);
  if (!q.ok()) {
    done(q.status());
    return;
  }
  auto results = std::make_shared<std::vector<SendResult>>();
  store_.Write(
      [this, queue = std::move(q).value(), inputs = std::move(inputs),
       results](storage::WriteContext& ctx) -> Status {
        auto& exists = ctx.db().Prepare(kSelectQueueExists);
        exists.Bind(1, queue.id);
        STREAMSTACK_ASSIGN_OR_RETURN(auto row, exists.Step());
        if (!row) return QueueMissing();
        exists.Reset();
        results->clear();
        for (const auto& in : inputs) {
          STREAMSTACK_ASSIGN_OR_RETURN(auto r, Enqueue(ctx, queue, in));
          results->push_back(std::move(r));
        }
        return Status::Ok();
      },
      [results, done = std::move(done)](Status s) {
        if (!s.ok()) {
          done(s);
          return;
        }
        done(std::move(*results));
      });
}

void QueueStore::SendMessage(const std::string& queue_arn, std::string body,
                             MessageAttributes attributes, Done<SendResult> done) {
  auto q = GetQueueByArn(queue_arn);
  if (!q.ok()) {
    done(q.status());
    return;
  }
  SendMessageInput in{std::move(body), std::nullopt, std::move(attributes)};
  Status valid = ValidateSend(*q, in);
  if (!valid.ok()) {
    done(valid);
    return;
  }
  std::vector<SendMessageInput> inputs;
  inputs.push_back(std::move(in));
  SendMessages(q->name, std::move(inputs),
               [done = std::move(done)](Result<std::vector<SendResult>> r) {
                 if (!r.ok()) {
                   done(r.status());
                   return;
                 }
                 done(std::move(r.value().front()));
               });
}

Result<SendResult> QueueStore::SendMessageSync(const std::string& queue_arn, std::string body,
                                               MessageAttributes attributes) {
  std::promise<Result<SendResult>> promise;
  SendMessage(queue_arn, std::move(body), std::move(attributes),
              [&promise](Result<SendResult> r) { promise.set_value(std::move(r)); });
  return promise.get_future().get();
}

Result<SendResult> QueueStore::EnqueueInJob(storage::WriteContext& ctx,
                                            const std::string& queue_arn,
                                            const SendMessageInput& input) {
  STREAMSTACK_ASSIGN_OR_RETURN(auto q, GetQueueByArn(queue_arn));
  STREAMSTACK_RETURN_IF_ERROR(ValidateSend(q, input));
  auto& exists = ctx.db().Prepare(kSelectQueueExists);
  exists.Bind(1, q.id);
  STREAMSTACK_ASSIGN_OR_RETURN(auto row, exists.Step());
  if (!row) return QueueMissing();
  exists.Reset();
  return Enqueue(ctx, q, input);
}

// ---- Receiving -----------------------------------------------------------------------

Status QueueStore::ReceiveInJob(storage::WriteContext& ctx, Waiter& w) {
  storage::Database& db = ctx.db();
  w.found.clear();
  w.next_visible_ms = 0;
  int64_t now = clock_.NowMillis();
  const QueueInfo& q = w.queue;
  int64_t oldest = now - int64_t{q.MessageRetentionPeriod()} * 1000;

  bool sweep = false;
  {
    MutexLock lock(queues_mu_);
    int64_t& last = last_sweep_ms_[q.id];
    if (now - last >= kSweepIntervalMs) {
      last = now;
      sweep = true;
    }
  }
  if (sweep) {
    auto& del = db.Prepare(kDeleteExpired);
    del.Bind(1, q.id);
    del.Bind(2, oldest);
    STREAMSTACK_RETURN_IF_ERROR(del.Run());
  }

  struct Row {
    int64_t id;
    ReceivedMessage m;
    std::string attributes;
  };
  std::vector<Row> rows;
  auto& st = db.Prepare(kSelectVisible);
  st.Bind(1, q.id);
  st.Bind(2, now);
  st.Bind(3, oldest);
  st.Bind(4, w.input.max_messages);
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
    if (!row) break;
    Row r;
    r.id = st.ColumnInt64(0);
    r.m.message_id = std::string(st.ColumnText(1));
    r.m.body = std::string(st.ColumnText(2));
    r.attributes = std::string(st.ColumnText(3));
    r.m.md5_of_body = std::string(st.ColumnText(4));
    r.m.sent_ms = st.ColumnInt64(5);
    r.m.receive_count = st.ColumnInt(6);
    r.m.first_receive_ms = st.ColumnInt64(7);
    rows.push_back(std::move(r));
  }

  std::optional<Redrive> redrive = ParseRedrive(q.attributes);
  std::optional<QueueInfo> dead_letter;
  if (redrive) {
    auto dlq = GetQueueByArn(redrive->target_arn);
    if (dlq.ok() && dlq->id != q.id) dead_letter = std::move(dlq).value();
  }
  int visibility = w.input.visibility_timeout.value_or(q.VisibilityTimeout());
  for (auto& r : rows) {
    if (dead_letter && r.m.receive_count >= redrive->max_receive_count) {
      // AWS: a message received maxReceiveCount times moves to the dead-letter queue
      // instead of being received again.
      auto& mv = db.Prepare(kMoveToQueue);
      mv.Bind(1, dead_letter->id);
      mv.Bind(2, now);
      mv.Bind(3, r.id);
      STREAMSTACK_RETURN_IF_ERROR(mv.Run());
      int64_t dlq_id = dead_letter->id;
      ctx.OnCommit([this, dlq_id] { NotifySent(dlq_id); });
      continue;
    }
    std::string token = RandomHex(12);
    r.m.receive_count += 1;
    if (r.m.first_receive_ms == 0) r.m.first_receive_ms = now;
    r.m.receipt_handle = MakeHandle(q.id, r.id, token);
    r.m.attributes = AttributesFromJson(r.attributes);
    auto& up = db.Prepare(kMarkReceived);
    up.Bind(1, r.m.first_receive_ms);
    up.Bind(2, now + int64_t{visibility} * 1000);
    up.Bind(3, token);
    up.Bind(4, r.id);
    STREAMSTACK_RETURN_IF_ERROR(up.Run());
    w.found.push_back(std::move(r.m));
  }
  if (w.found.empty()) {
    auto& nv = db.Prepare(kNextVisible);
    nv.Bind(1, q.id);
    nv.Bind(2, now);
    STREAMSTACK_ASSIGN_OR_RETURN(auto row, nv.Step());
    if (row && !nv.ColumnIsNull(0)) w.next_visible_ms = nv.ColumnInt64(0);
    nv.Reset();
  }
  return Status::Ok();
}

uint64_t QueueStore::Generation(int64_t queue_id) {
  MutexLock lock(poll_mu_);
  return generation_[queue_id];
}

void QueueStore::NotifySent(int64_t queue_id) {
  // The notify stays under the lock: once it is released, Stop() may answer the parked polls
  // and the owner destroy this store (and poll_cv_) before a later notify ran.
  MutexLock lock(poll_mu_);
  ++generation_[queue_id];
  for (const auto& w : parked_) {
    if (w->queue_id == queue_id) {
      poll_cv_.notify_one();
      break;
    }
  }
}

void QueueStore::ReceiveMessages(const std::string& queue_name, ReceiveInput input,
                                 Done<std::vector<ReceivedMessage>> done) {
  auto q = GetQueue(queue_name);
  if (!q.ok()) {
    done(q.status());
    return;
  }
  auto w = std::make_shared<Waiter>();
  w->queue_id = q->id;
  w->queue_name = queue_name;
  int wait = input.wait_time_seconds.value_or(q->ReceiveMessageWaitTimeSeconds());
  w->input = input;
  w->queue = std::move(q).value();
  w->deadline_ms = clock_.NowMillis() + int64_t{wait} * 1000;
  w->done = std::move(done);
  TryReceive(std::move(w));
}

void QueueStore::TryReceive(std::shared_ptr<Waiter> w) {
  uint64_t generation = Generation(w->queue_id);
  store_.Write([this, w](storage::WriteContext& ctx) { return ReceiveInJob(ctx, *w); },
               [this, w, generation](Status s) {
                 if (!s.ok()) {
                   w->done(s);
                   return;
                 }
                 if (!w->found.empty() || clock_.NowMillis() >= w->deadline_ms) {
                   w->done(std::move(w->found));
                   return;
                 }
                 Park(w, generation);
               });
}

void QueueStore::Park(std::shared_ptr<Waiter> w, uint64_t seen_generation) {
  bool retry = false;
  bool stopped = false;
  {
    MutexLock lock(poll_mu_);
    if (stopping_) {
      stopped = true;
    } else if (generation_[w->queue_id] != seen_generation) {
      retry = true;  // a send committed while this attempt ran
    } else {
      w->seen_generation = seen_generation;
      w->wake_ms = w->deadline_ms;
      if (w->next_visible_ms != 0) w->wake_ms = std::min(w->wake_ms, w->next_visible_ms);
      parked_.push_back(w);
      // Under the lock: once the waiter is parked and the lock released, Stop() may answer it
      // and the owner destroy this store, poll_cv_ with it (ThreadSanitizer caught a notify
      // after that, from StopAnswersParkedLongPolls).
      poll_cv_.notify_one();
    }
  }
  if (stopped) {
    w->done(std::vector<ReceivedMessage>{});
  } else if (retry) {
    TryReceive(std::move(w));
  }
}

void QueueStore::PollerLoop() {
  MutexLock lock(poll_mu_);
  while (!stopping_) {
    int64_t now = clock_.NowMillis();
    std::vector<std::shared_ptr<Waiter>> due;
    int64_t next_wake = INT64_MAX;
    for (auto it = parked_.begin(); it != parked_.end();) {
      auto& w = *it;
      if (wake_all_ || w->wake_ms <= now || generation_[w->queue_id] != w->seen_generation) {
        due.push_back(std::move(w));
        it = parked_.erase(it);
      } else {
        next_wake = std::min(next_wake, w->wake_ms);
        ++it;
      }
    }
    wake_all_ = false;
    if (!due.empty()) {
      lock.Unlock();
      for (auto& w : due) TryReceive(std::move(w));
      lock.Lock();
      continue;
    }
    if (next_wake == INT64_MAX) {
      lock.Wait(poll_cv_);
    } else {
      lock.WaitFor(poll_cv_, std::chrono::milliseconds(std::max<int64_t>(1, next_wake - now)));
    }
  }
}

void QueueStore::TEST_WakeLongPolls() {
  {
    MutexLock lock(poll_mu_);
    wake_all_ = true;
  }
  poll_cv_.notify_all();
}

size_t QueueStore::TEST_ParkedLongPolls() const {
  MutexLock lock(poll_mu_);
  return parked_.size();
}

// ---- Deleting and visibility ------------------------------------------------------------

void QueueStore::DeleteMessages(const std::string& queue_name,
                                std::vector<std::string> receipt_handles,
                                Done<std::vector<Status>> done) {
  auto q = GetQueue(queue_name);
  if (!q.ok()) {
    done(q.status());
    return;
  }
  auto results = std::make_shared<std::vector<Status>>();
  store_.Write(
      [queue_id = q->id, handles = std::move(receipt_handles),
       results](storage::WriteContext& ctx) -> Status {
        results->clear();
        for (const auto& handle : handles) {
          ParsedHandle h;
          if (!ParseHandle(handle, &h) || h.queue_id != queue_id) {
            results->push_back(InvalidHandle(handle));
            continue;
          }
          auto& st = ctx.db().Prepare(kSelectMessageForHandle);
          st.Bind(1, h.row_id);
          STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
          bool matches = row && st.ColumnInt64(0) == queue_id && st.ColumnText(1) == h.token;
          st.Reset();
          // AWS: deleting an already deleted message succeeds; a handle from an earlier
          // receive of a message received again succeeds without deleting it.
          if (matches) {
            auto& del = ctx.db().Prepare(kDeleteMessage);
            del.Bind(1, h.row_id);
            STREAMSTACK_RETURN_IF_ERROR(del.Run());
          }
          results->push_back(Status::Ok());
        }
        return Status::Ok();
      },
      [results, done = std::move(done)](Status s) {
        if (!s.ok()) {
          done(s);
          return;
        }
        done(std::move(*results));
      });
}

void QueueStore::ChangeMessageVisibility(const std::string& queue_name,
                                         std::vector<VisibilityChange> changes,
                                         Done<std::vector<Status>> done) {
  auto q = GetQueue(queue_name);
  if (!q.ok()) {
    done(q.status());
    return;
  }
  auto results = std::make_shared<std::vector<Status>>();
  int64_t now = clock_.NowMillis();
  store_.Write(
      [this, queue_id = q->id, changes = std::move(changes), results,
       now](storage::WriteContext& ctx) -> Status {
        results->clear();
        bool made_visible = false;
        for (const auto& c : changes) {
          ParsedHandle h;
          if (!ParseHandle(c.receipt_handle, &h) || h.queue_id != queue_id) {
            results->push_back(InvalidHandle(c.receipt_handle));
            continue;
          }
          if (c.visibility_timeout < 0 || c.visibility_timeout > 43200) {
            results->push_back(Status(
                AwsError::kInvalidParameterValueQuery,
                "Value " + std::to_string(c.visibility_timeout) +
                    " for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and "
                    "43200, if provided."));
            continue;
          }
          auto& st = ctx.db().Prepare(kSelectMessageForHandle);
          st.Bind(1, h.row_id);
          STREAMSTACK_ASSIGN_OR_RETURN(auto row, st.Step());
          bool exists = row && st.ColumnInt64(0) == queue_id && st.ColumnText(1) == h.token;
          int64_t visible_at = row ? st.ColumnInt64(2) : 0;
          st.Reset();
          if (!exists) {
            results->push_back(Status(
                AwsError::kInvalidParameterValueQuery,
                "Value " + c.receipt_handle +
                    " for parameter ReceiptHandle is invalid. Reason: Message does not exist or "
                    "is not available for visibility timeout change."));
            continue;
          }
          if (visible_at <= now) {
            results->push_back(Status(AwsError::kMessageNotInflight,
                                      "Message does not exist or is not available for "
                                      "visibility timeout change."));
            continue;
          }
          auto& up = ctx.db().Prepare(kSetVisibility);
          up.Bind(1, now + int64_t{c.visibility_timeout} * 1000);
          up.Bind(2, h.row_id);
          STREAMSTACK_RETURN_IF_ERROR(up.Run());
          if (c.visibility_timeout == 0) made_visible = true;
          results->push_back(Status::Ok());
        }
        if (made_visible) ctx.OnCommit([this, queue_id] { NotifySent(queue_id); });
        return Status::Ok();
      },
      [results, done = std::move(done)](Status s) {
        if (!s.ok()) {
          done(s);
          return;
        }
        done(std::move(*results));
      });
}

}  // namespace streamstack::sqs
