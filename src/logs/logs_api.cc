#include "streamstack/logs/logs_api.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streamstack/common/violations.h"

namespace streamstack::logs {
namespace {

using nlohmann::json;
using protocol::RequestContext;
using Reply = protocol::JsonReply;

// The model's patterns, as its validation messages print them.
constexpr char kGroupNamePattern[] = "[\\.\\-_/#A-Za-z0-9]+";
constexpr char kStreamNamePattern[] = "[^:*]*";
constexpr size_t kMaxNameLength = 512;
constexpr int64_t kDayMs = 86400000;
constexpr int64_t kHourMs = 3600000;

// PutRetentionPolicy's accepted values (the Days shape's documentation; AWS answers others
// with an enum violation).
const std::vector<std::string>& RetentionDays() {
  static const std::vector<std::string> kDays = {
      "1",   "3",   "5",   "7",   "14",   "30",   "60",   "90",   "120",  "150",  "180",
      "365", "400", "545", "731", "1096", "1827", "2192", "2557", "2922", "3288", "3653"};
  return kDays;
}

Status Invalid(std::string message) {
  return {AwsError::kInvalidParameterException, std::move(message)};
}
Status InvalidToken() { return Invalid("The specified nextToken is invalid."); }

std::string JsonKindName(const json& j) {
  if (j.is_string()) return "STRING_VALUE";
  if (j.is_number()) return "NUMBER_VALUE";
  if (j.is_boolean()) return j.get<bool>() ? "TRUE_VALUE" : "FALSE_VALUE";
  if (j.is_array()) return "START_ARRAY";
  if (j.is_object()) return "START_OBJECT";
  return "VALUE_NULL";
}

// Reads the request's members. A member of the wrong JSON type makes the request
// unreadable: SerializationException, as AWS's JSON protocol answers it.
class Members {
 public:
  explicit Members(const json& input) : input_(input) {}

  std::optional<std::string> String(const char* name) {
    const json* v = Find(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) return WrongType(*v, "String");
    return v->get<std::string>();
  }
  std::optional<int64_t> Integer(const char* name) {
    const json* v = Find(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) return WrongType(*v, "Long");
    return v->is_number_unsigned()
               ? static_cast<int64_t>(std::min<uint64_t>(v->get<uint64_t>(), uint64_t{INT64_MAX}))
               : v->get<int64_t>();
  }
  std::optional<bool> Boolean(const char* name) {
    const json* v = Find(name);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) return WrongType(*v, "Boolean");
    return v->get<bool>();
  }
  const json* Array(const char* name) { return Typed(name, &json::is_array, "List"); }
  const json* Object(const char* name) { return Typed(name, &json::is_object, "Map"); }

  // A string->string map member (tags).
  std::optional<std::map<std::string, std::string>> StringMap(const char* name) {
    const json* v = Object(name);
    if (v == nullptr) return std::nullopt;
    std::map<std::string, std::string> out;
    for (const auto& [k, val] : v->items()) {
      if (!val.is_string()) {
        WrongType(val, "String");
        return std::nullopt;
      }
      out[k] = val.get<std::string>();
    }
    return out;
  }
  std::optional<std::vector<std::string>> StringList(const char* name) {
    const json* v = Array(name);
    if (v == nullptr) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& item : *v) {
      if (!item.is_string()) {
        WrongType(item, "String");
        return std::nullopt;
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  const Status& status() const { return error_; }

 private:
  const json* Find(const char* name) const {
    auto it = input_.find(name);
    if (it == input_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  const json* Typed(const char* name, bool (json::*is)() const noexcept, const char* expected) {
    const json* v = Find(name);
    if (v == nullptr) return nullptr;
    if (!(v->*is)()) {
      WrongType(*v, expected);
      return nullptr;
    }
    return v;
  }
  std::nullopt_t WrongType(const json& v, const char* expected) {
    if (error_.ok()) {
      error_ = Status(AwsError::kSerialization,
                      JsonKindName(v) + " can not be converted to " + expected);
    }
    return std::nullopt;
  }

  const json& input_;
  Status error_;
};

bool ValidGroupName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_' || c == '/' || c == '#';
  });
}
bool ValidStreamName(std::string_view name) {
  return name.find_first_of(":*") == std::string_view::npos;
}

// AWS answers an over-long group or stream name with its own words, before the model's
// other checks.
Status CheckNameLengths(const std::optional<std::string>& group,
                        const std::optional<std::string>& stream) {
  if ((group && group->size() > kMaxNameLength) || (stream && stream->size() > kMaxNameLength)) {
    return Invalid(
        "Invalid LogGroup or LogStream, both must have length less than or equal to "
        "512.");
  }
  return Status::Ok();
}

void CheckGroupName(Violations& v, const std::optional<std::string>& name, const char* member,
                    bool required) {
  if (!name) {
    if (required) v.NotNull(false, member);
    return;
  }
  v.Length(name, member, 1, kMaxNameLength);
  if (!name->empty()) v.Pattern(name, member, kGroupNamePattern, ValidGroupName(*name));
}

void CheckStreamName(Violations& v, const std::optional<std::string>& name, const char* member,
                     bool required) {
  if (!name) {
    if (required) v.NotNull(false, member);
    return;
  }
  v.Length(name, member, 1, kMaxNameLength);
  v.Pattern(name, member, kStreamNamePattern, ValidStreamName(*name));
}

// The group named by a log group ARN ("arn:aws:logs:<region>:<account>:log-group:<name>",
// as logGroupIdentifier and TagResource take it); nullopt when it is not one.
std::optional<std::string> GroupOfArn(std::string_view arn) {
  constexpr std::string_view kMarker = ":log-group:";
  if (!arn.starts_with("arn:")) return std::nullopt;
  size_t at = arn.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view name = arn.substr(at + kMarker.size());
  if (name.empty()) return std::nullopt;
  return std::string(name);
}

// The group a request names by logGroupName or logGroupIdentifier (a name or an ARN).
Result<std::string> RequestedGroup(Members& m, Violations& v) {
  auto name = m.String("logGroupName");
  auto identifier = m.String("logGroupIdentifier");
  if (name && identifier) {
    return Status(AwsError::kValidation,
                  "LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  STREAMSTACK_RETURN_IF_ERROR(CheckNameLengths(name, std::nullopt));
  CheckGroupName(v, name, "logGroupName", false);
  if (identifier) {
    v.Length(identifier, "logGroupIdentifier", 1, 2048);
    auto from_arn = GroupOfArn(*identifier);
    return from_arn ? *from_arn : *identifier;
  }
  if (!name) {
    v.NotNull(false, "logGroupName");
    return std::string();
  }
  return *name;
}

// 56 digits, as AWS's event ids and tokens are: the timestamp then the id.
std::string PositionDigits(const EventPosition& p) {
  char text[64];
  std::snprintf(text, sizeof(text), "%020lld%036lld",
                static_cast<long long>(std::max<int64_t>(p.timestamp_ms, 0)),
                static_cast<long long>(std::max<int64_t>(p.id, 0)));
  return text;
}

std::optional<EventPosition> ParsePositionDigits(std::string_view digits) {
  if (digits.size() != 56) return std::nullopt;
  long long ts = 0;
  long long id = 0;
  auto [p1, e1] = std::from_chars(digits.data(), digits.data() + 20, ts);
  auto [p2, e2] = std::from_chars(digits.data() + 20, digits.data() + 56, id);
  if (e1 != std::errc() || e2 != std::errc() || p1 != digits.data() + 20 ||
      p2 != digits.data() + 56) {
    return std::nullopt;
  }
  return EventPosition{ts, id};
}

// GetLogEvents' tokens: "f/<56 digits>/s" (read forward after that event) and
// "b/<56 digits>/s" (read backward before it), as AWS writes them.
std::string Token(char direction, const EventPosition& p) {
  return std::string(1, direction) + "/" + PositionDigits(p) + "/s";
}

struct ParsedToken {
  bool forward = true;
  EventPosition position;
};

std::optional<ParsedToken> ParseToken(std::string_view token) {
  if (token.size() < 2 || (token[0] != 'f' && token[0] != 'b') || token[1] != '/') {
    return std::nullopt;
  }
  std::string_view digits = token.substr(2);
  if (digits.ends_with("/s")) digits.remove_suffix(2);
  auto p = ParsePositionDigits(digits);
  if (!p) return std::nullopt;
  return ParsedToken{token[0] == 'f', *p};
}

// Opaque continuation tokens of the Describe and Filter operations.
std::string OpaqueToken(std::string_view state) { return Base64Encode(state); }
std::optional<std::string> OpenToken(std::string_view token) {
  std::string state;
  if (!Base64Decode(token, &state)) return std::nullopt;
  return state;
}

json GroupJson(const LogGroup& g, const AccountScope& scope) {
  const std::string arn = arn::LogGroup(scope, g.name);
  json out = {{"logGroupName", g.name}, {"creationTime", g.creation_ms}};
  if (g.retention_days) out["retentionInDays"] = *g.retention_days;
  out["metricFilterCount"] = 0;
  out["arn"] = arn + ":*";
  out["storedBytes"] = g.stored_bytes;
  if (!g.kms_key_id.empty()) out["kmsKeyId"] = g.kms_key_id;
  out["logGroupClass"] = g.log_group_class;
  out["logGroupArn"] = arn;
  out["deletionProtectionEnabled"] = g.deletion_protection;
  return out;
}

json StreamJson(const LogStream& s, const std::string& group, const AccountScope& scope) {
  json out = {{"logStreamName", s.name}, {"creationTime", s.creation_ms}};
  if (s.first_event_ms) out["firstEventTimestamp"] = *s.first_event_ms;
  if (s.last_event_ms) out["lastEventTimestamp"] = *s.last_event_ms;
  if (s.last_ingestion_ms) out["lastIngestionTime"] = *s.last_ingestion_ms;
  out["arn"] = arn::LogGroup(scope, group) + ":log-stream:" + s.name;
  out["storedBytes"] = 0;  // AWS: always 0 for streams since 2019 (the group has the figure)
  return out;
}

// Replies {} once a write committed, or its error.
std::function<void(Status)> ReplyEmpty(Reply reply) {
  return [reply = std::move(reply)](Status st) {
    if (!st.ok()) return reply(st);
    reply(json::object());
  };
}

class LogsApi {
 public:
  LogsApi(LogStore& logs, Clock& clock, AccountScope scope)
      : logs_(logs), clock_(clock), scope_(std::move(scope)) {}

  using Op = void (LogsApi::*)(const json&, Reply);
  static std::vector<std::pair<std::string, Op>> Operations() {
    return {{"CreateLogGroup", &LogsApi::CreateLogGroup},
            {"DeleteLogGroup", &LogsApi::DeleteLogGroup},
            {"DescribeLogGroups", &LogsApi::DescribeLogGroups},
            {"CreateLogStream", &LogsApi::CreateLogStream},
            {"DeleteLogStream", &LogsApi::DeleteLogStream},
            {"DescribeLogStreams", &LogsApi::DescribeLogStreams},
            {"PutLogEvents", &LogsApi::PutLogEvents},
            {"GetLogEvents", &LogsApi::GetLogEvents},
            {"FilterLogEvents", &LogsApi::FilterLogEvents},
            {"PutRetentionPolicy", &LogsApi::PutRetentionPolicy},
            {"DeleteRetentionPolicy", &LogsApi::DeleteRetentionPolicy},
            {"TagLogGroup", &LogsApi::TagLogGroup},
            {"UntagLogGroup", &LogsApi::UntagLogGroup},
            {"ListTagsLogGroup", &LogsApi::ListTagsLogGroup},
            {"TagResource", &LogsApi::TagResource},
            {"UntagResource", &LogsApi::UntagResource},
            {"ListTagsForResource", &LogsApi::ListTagsForResource}};
  }

 private:
  // The group a request names by logGroupName alone, checked as the model says.
  static Result<std::string> GroupName(Members& m) {
    auto name = m.String("logGroupName");
    STREAMSTACK_RETURN_IF_ERROR(m.status());
    STREAMSTACK_RETURN_IF_ERROR(CheckNameLengths(name, std::nullopt));
    Violations v;
    CheckGroupName(v, name, "logGroupName", true);
    STREAMSTACK_RETURN_IF_ERROR(v.ToStatus(AwsError::kInvalidParameterException));
    return *name;
  }

  static void CheckTags(Violations& v,
                        const std::optional<std::map<std::string, std::string>>& tags,
                        const char* member) {
    if (!tags) return;
    if (tags->empty() || tags->size() > 50) {
      v.Add("Value '" + json(*tags).dump() + "'", member,
            tags->empty() ? "Member must have length greater than or equal to 1"
                          : "Member must have length less than or equal to 50");
    }
  }

  void CreateLogGroup(const json& in, Reply reply) {
    Members m(in);
    auto name = m.String("logGroupName");
    auto tags = m.StringMap("tags");
    auto kms = m.String("kmsKeyId");
    auto group_class = m.String("logGroupClass");
    auto protection = m.Boolean("deletionProtectionEnabled");
    if (!m.status().ok()) return reply(m.status());
    if (Status st = CheckNameLengths(name, std::nullopt); !st.ok()) return reply(st);
    Violations v;
    CheckGroupName(v, name, "logGroupName", true);
    v.Length(kms, "kmsKeyId", 0, 256);
    v.Enum(group_class, "logGroupClass", {"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"});
    CheckTags(v, tags, "tags");
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    LogGroup g;
    g.name = *name;
    g.tags = tags.value_or(std::map<std::string, std::string>{});
    g.kms_key_id = kms.value_or("");
    g.log_group_class = group_class.value_or("STANDARD");
    g.deletion_protection = protection.value_or(false);
    logs_.CreateLogGroup(std::move(g), ReplyEmpty(std::move(reply)));
  }

  void DeleteLogGroup(const json& in, Reply reply) {
    Members m(in);
    auto name = GroupName(m);
    if (!name.ok()) return reply(name.status());
    auto group = logs_.GetLogGroup(*name);
    if (!group.ok()) return reply(group.status());
    if (group->deletion_protection) {
      return reply(Status(AwsError::kOperationAborted,
                          "Log group " + *name + " has deletion protection enabled."));
    }
    logs_.DeleteLogGroup(*name, ReplyEmpty(std::move(reply)));
  }

  void DescribeLogGroups(const json& in, Reply reply) {
    Members m(in);
    auto prefix = m.String("logGroupNamePrefix");
    auto pattern = m.String("logGroupNamePattern");
    auto limit = m.Integer("limit");
    auto token = m.String("nextToken");
    auto group_class = m.String("logGroupClass");
    if (!m.status().ok()) return reply(m.status());
    if (prefix && pattern) {
      return reply(Invalid(
          "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."));
    }
    Violations v;
    CheckGroupName(v, prefix, "logGroupNamePrefix", false);
    v.Length(pattern, "logGroupNamePattern", 0, kMaxNameLength);
    v.Range(limit, "limit", 1, 50);
    v.Length(token, "nextToken", 1, SIZE_MAX);
    v.Enum(group_class, "logGroupClass", {"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"});
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    std::optional<std::string> after;
    if (token) {
      after = OpenToken(*token);
      if (!after) return reply(InvalidToken());
    }
    auto groups = logs_.ListLogGroups(prefix.value_or(""));
    if (!groups.ok()) return reply(groups.status());
    json page = json::array();
    const size_t max = static_cast<size_t>(limit.value_or(50));
    std::string last;
    bool more = false;
    for (const LogGroup& g : *groups) {
      if (after && g.name <= *after) continue;
      if (pattern && g.name.find(*pattern) == std::string::npos) continue;
      if (group_class && g.log_group_class != *group_class) continue;
      if (page.size() == max) {
        more = true;
        break;
      }
      page.push_back(GroupJson(g, scope_));
      last = g.name;
    }
    json out = {{"logGroups", std::move(page)}};
    if (more) out["nextToken"] = OpaqueToken(last);
    reply(std::move(out));
  }

  void CreateLogStream(const json& in, Reply reply) {
    auto names = GroupAndStream(in);
    if (!names.ok()) return reply(names.status());
    logs_.CreateLogStream(names->first, names->second, ReplyEmpty(std::move(reply)));
  }

  void DeleteLogStream(const json& in, Reply reply) {
    auto names = GroupAndStream(in);
    if (!names.ok()) return reply(names.status());
    logs_.DeleteLogStream(names->first, names->second, ReplyEmpty(std::move(reply)));
  }

  static Result<std::pair<std::string, std::string>> GroupAndStream(const json& in) {
    Members m(in);
    auto group = m.String("logGroupName");
    auto stream = m.String("logStreamName");
    STREAMSTACK_RETURN_IF_ERROR(m.status());
    STREAMSTACK_RETURN_IF_ERROR(CheckNameLengths(group, stream));
    Violations v;
    CheckGroupName(v, group, "logGroupName", true);
    CheckStreamName(v, stream, "logStreamName", true);
    STREAMSTACK_RETURN_IF_ERROR(v.ToStatus(AwsError::kInvalidParameterException));
    return std::make_pair(*group, *stream);
  }

  void DescribeLogStreams(const json& in, Reply reply) {
    Members m(in);
    Violations v;
    auto group = RequestedGroup(m, v);
    auto prefix = m.String("logStreamNamePrefix");
    auto order_by = m.String("orderBy");
    auto descending = m.Boolean("descending");
    auto limit = m.Integer("limit");
    auto token = m.String("nextToken");
    if (!m.status().ok()) return reply(m.status());
    if (!group.ok()) return reply(group.status());
    CheckStreamName(v, prefix, "logStreamNamePrefix", false);
    v.Enum(order_by, "orderBy", {"LogStreamName", "LastEventTime"});
    v.Range(limit, "limit", 1, 50);
    v.Length(token, "nextToken", 1, SIZE_MAX);
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    const bool by_time = order_by.value_or("LogStreamName") == "LastEventTime";
    if (by_time && prefix) {
      return reply(Invalid("Cannot order by LastEventTime with a logStreamNamePrefix."));
    }
    size_t offset = 0;
    if (token) {
      auto state = OpenToken(*token);
      auto [end, ec] = state ? std::from_chars(state->data(), state->data() + state->size(), offset)
                             : std::from_chars_result{nullptr, std::errc::invalid_argument};
      if (!state || ec != std::errc() || end != state->data() + state->size()) {
        return reply(InvalidToken());
      }
    }
    auto streams = logs_.ListLogStreams(*group);
    if (!streams.ok()) return reply(streams.status());
    std::vector<LogStream> chosen;
    for (auto& s : *streams) {
      if (!prefix || s.name.starts_with(*prefix)) chosen.push_back(std::move(s));
    }
    if (by_time) {
      // Streams without events have no last event time: they come first, by name.
      std::stable_sort(chosen.begin(), chosen.end(), [](const LogStream& a, const LogStream& b) {
        return a.last_event_ms.value_or(0) < b.last_event_ms.value_or(0);
      });
    }
    if (descending.value_or(false)) std::reverse(chosen.begin(), chosen.end());
    const size_t max = static_cast<size_t>(limit.value_or(50));
    json page = json::array();
    for (size_t i = offset; i < chosen.size() && page.size() < max; ++i) {
      page.push_back(StreamJson(chosen[i], *group, scope_));
    }
    json out = {{"logStreams", std::move(page)}};
    if (offset + max < chosen.size()) out["nextToken"] = OpaqueToken(std::to_string(offset + max));
    reply(std::move(out));
  }

  void PutLogEvents(const json& in, Reply reply) {
    Members m(in);
    auto group = m.String("logGroupName");
    auto stream = m.String("logStreamName");
    const json* events = m.Array("logEvents");
    (void)m.String("sequenceToken");  // ignored, as AWS ignores it now
    if (!m.status().ok()) return reply(m.status());
    if (Status st = CheckNameLengths(group, stream); !st.ok()) return reply(st);
    Violations v;
    CheckGroupName(v, group, "logGroupName", true);
    CheckStreamName(v, stream, "logStreamName", true);
    std::vector<LogEvent> batch;
    if (events == nullptr) {
      v.NotNull(false, "logEvents");
    } else if (events->empty() || events->size() > 10000) {
      v.Add("Value '" + events->dump() + "'", "logEvents",
            events->empty() ? "Member must have length greater than or equal to 1"
                            : "Member must have length less than or equal to 10000");
    } else {
      auto decoded = DecodeEvents(*events, v);
      if (!decoded.ok()) return reply(decoded.status());
      batch = std::move(decoded).value();
    }
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    if (Status st = CheckBatch(batch); !st.ok()) return reply(st);

    auto log_group = logs_.GetLogGroup(*group);
    if (!log_group.ok()) return reply(log_group.status());
    json rejected = json::object();
    std::vector<LogEvent> accepted = AcceptedEvents(std::move(batch), *log_group, &rejected);
    if (!accepted.empty() &&
        accepted.back().timestamp_ms - accepted.front().timestamp_ms > kDayMs) {
      return reply(
          Invalid("The batch of log events in a single PutLogEvents request cannot span "
                  "more than 24 hours."));
    }
    logs_.PutLogEvents(
        *group, *stream, std::move(accepted),
        [this, reply = std::move(reply), rejected = std::move(rejected)](Status st) {
          if (!st.ok()) return reply(st);
          json out = {{"nextSequenceToken", PositionDigits({clock_.NowMillis(), ++sequence_})}};
          if (!rejected.empty()) out["rejectedLogEventsInfo"] = rejected;
          reply(std::move(out));
        });
  }

  // The events of a PutLogEvents request; each needs a timestamp and a non-empty message.
  static Result<std::vector<LogEvent>> DecodeEvents(const json& events, Violations& v) {
    std::vector<LogEvent> out;
    out.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      const json& e = events[i];
      if (!e.is_object()) {
        return Status(AwsError::kSerialization,
                      JsonKindName(e) + " can not be converted to InputLogEvent");
      }
      Members fields(e);
      auto timestamp = fields.Integer("timestamp");
      auto message = fields.String("message");
      STREAMSTACK_RETURN_IF_ERROR(fields.status());
      const std::string at = "logEvents." + std::to_string(i + 1) + ".member.";
      v.NotNull(timestamp.has_value(), at + "timestamp");
      v.NotNull(message.has_value(), at + "message");
      v.Range(timestamp, at + "timestamp", 0, INT64_MAX);
      v.Length(message, at + "message", 1, SIZE_MAX);
      out.push_back({timestamp.value_or(0), message.value_or("")});
    }
    return out;
  }

  // AWS's batch rules: chronological order and 1 MB (messages plus 26 bytes per event).
  static Status CheckBatch(const std::vector<LogEvent>& batch) {
    int64_t bytes = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (i > 0 && batch[i].timestamp_ms < batch[i - 1].timestamp_ms) {
        return Invalid(
            "Log events in a single PutLogEvents request must be in chronological order.");
      }
      bytes += static_cast<int64_t>(batch[i].message.size()) + LogStore::kEventOverheadBytes;
    }
    if (bytes > LogStore::kMaxPageBytes) {
      return Invalid("Upload too large: " + std::to_string(bytes) + " bytes exceeds limit of " +
                     std::to_string(LogStore::kMaxPageBytes));
    }
    return Status::Ok();
  }

  // The events AWS keeps: not older than 14 days or the group's retention, not more than
  // two hours ahead. The others are reported by index, as rejectedLogEventsInfo words it
  // (tooNew... inclusive start; tooOld... and expired... exclusive ends).
  std::vector<LogEvent> AcceptedEvents(std::vector<LogEvent> batch, const LogGroup& group,
                                       json* rejected) const {
    const int64_t now = clock_.NowMillis();
    const int64_t too_old_before = now - 14 * kDayMs;
    const int64_t expired_before =
        group.retention_days ? now - int64_t{*group.retention_days} * kDayMs : INT64_MIN;
    const int64_t too_new_after = now + 2 * kHourMs;
    std::vector<LogEvent> accepted;
    for (size_t i = 0; i < batch.size(); ++i) {
      const int64_t ts = batch[i].timestamp_ms;
      const auto index = static_cast<int64_t>(i);
      if (ts < too_old_before) {
        (*rejected)["tooOldLogEventEndIndex"] = index + 1;
      } else if (ts < expired_before) {
        (*rejected)["expiredLogEventEndIndex"] = index + 1;
      } else if (ts > too_new_after) {
        if (!rejected->contains("tooNewLogEventStartIndex")) {
          (*rejected)["tooNewLogEventStartIndex"] = index;
        }
      } else {
        accepted.push_back(std::move(batch[i]));
      }
    }
    return accepted;
  }

  void GetLogEvents(const json& in, Reply reply) {
    Members m(in);
    Violations v;
    auto group = RequestedGroup(m, v);
    auto stream = m.String("logStreamName");
    auto start = m.Integer("startTime");
    auto end = m.Integer("endTime");
    auto token = m.String("nextToken");
    auto limit = m.Integer("limit");
    auto from_head = m.Boolean("startFromHead");
    (void)m.Boolean("unmask");
    if (!m.status().ok()) return reply(m.status());
    if (!group.ok()) return reply(group.status());
    if (Status st = CheckNameLengths(std::nullopt, stream); !st.ok()) return reply(st);
    CheckStreamName(v, stream, "logStreamName", true);
    v.Range(start, "startTime", 0, INT64_MAX);
    v.Range(end, "endTime", 0, INT64_MAX);
    v.Range(limit, "limit", 1, 10000);
    v.Length(token, "nextToken", 1, SIZE_MAX);
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));

    GetEventsRequest r;
    r.log_group = *group;
    r.log_stream = *stream;
    r.start_ms = start;
    r.end_ms = end;
    r.limit = static_cast<int>(limit.value_or(10000));
    std::optional<ParsedToken> parsed;
    if (token) {
      parsed = ParseToken(*token);
      if (!parsed) return reply(InvalidToken());
      r.forward = parsed->forward;
      (parsed->forward ? r.after : r.before) = parsed->position;
    } else {
      r.forward = from_head.value_or(false);
    }
    auto page = logs_.GetLogEvents(r);
    if (!page.ok()) return reply(page.status());
    json events = json::array();
    for (const StoredEvent& e : page->events) {
      events.push_back({{"timestamp", e.position.timestamp_ms},
                        {"message", e.message},
                        {"ingestionTime", e.ingestion_ms}});
    }
    // At the end of the stream AWS hands back the token it was given.
    EventPosition first = parsed ? parsed->position : EventPosition{};
    EventPosition last = first;
    if (!page->events.empty()) {
      first = page->events.front().position;
      last = page->events.back().position;
    }
    reply(json{{"events", std::move(events)},
               {"nextForwardToken", Token('f', last)},
               {"nextBackwardToken", Token('b', first)}});
  }

  void FilterLogEvents(const json& in, Reply reply) {
    Members m(in);
    Violations v;
    auto group = RequestedGroup(m, v);
    auto streams = m.StringList("logStreamNames");
    auto prefix = m.String("logStreamNamePrefix");
    auto start = m.Integer("startTime");
    auto end = m.Integer("endTime");
    auto pattern_text = m.String("filterPattern");
    auto token = m.String("nextToken");
    auto limit = m.Integer("limit");
    (void)m.Boolean("interleaved");
    (void)m.Boolean("unmask");
    if (!m.status().ok()) return reply(m.status());
    if (!group.ok()) return reply(group.status());
    if (streams && (streams->empty() || streams->size() > 100)) {
      v.Add("Value '[" + std::to_string(streams->size()) + " names]'", "logStreamNames",
            streams->empty() ? "Member must have length greater than or equal to 1"
                             : "Member must have length less than or equal to 100");
    }
    CheckStreamName(v, prefix, "logStreamNamePrefix", false);
    v.Range(start, "startTime", 0, INT64_MAX);
    v.Range(end, "endTime", 0, INT64_MAX);
    v.Length(pattern_text, "filterPattern", 0, 1024);
    v.Range(limit, "limit", 1, 10000);
    v.Length(token, "nextToken", 1, SIZE_MAX);
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    if (streams && prefix) {
      return reply(
          Invalid("logStreamNames and logStreamNamePrefix are mutually exclusive "
                  "parameters."));
    }
    auto pattern = FilterPattern::Parse(pattern_text.value_or(""));
    if (!pattern.ok()) return reply(pattern.status());

    FilterEventsRequest r;
    r.log_group = *group;
    r.log_streams = streams.value_or(std::vector<std::string>{});
    r.log_stream_prefix = prefix.value_or("");
    r.start_ms = start;
    r.end_ms = end;
    r.limit = static_cast<int>(limit.value_or(10000));
    r.pattern = &*pattern;
    if (token) {
      auto state = OpenToken(*token);
      auto position = state ? ParsePositionDigits(*state) : std::nullopt;
      if (!position) return reply(InvalidToken());
      r.after = position;
    }
    auto page = logs_.FilterLogEvents(r);
    if (!page.ok()) return reply(page.status());
    json events = json::array();
    for (const StoredEvent& e : page->events) {
      events.push_back({{"logStreamName", e.log_stream},
                        {"timestamp", e.position.timestamp_ms},
                        {"message", e.message},
                        {"ingestionTime", e.ingestion_ms},
                        {"eventId", PositionDigits(e.position)}});
    }
    json out = {{"events", std::move(events)}, {"searchedLogStreams", json::array()}};
    if (!page->complete && !page->events.empty()) {
      out["nextToken"] = OpaqueToken(PositionDigits(page->events.back().position));
    }
    reply(std::move(out));
  }

  void PutRetentionPolicy(const json& in, Reply reply) {
    Members m(in);
    auto name = GroupName(m);
    auto days = m.Integer("retentionInDays");
    if (!m.status().ok()) return reply(m.status());
    if (!name.ok()) return reply(name.status());
    Violations v;
    v.NotNull(days.has_value(), "retentionInDays");
    if (days) v.Enum(std::to_string(*days), "retentionInDays", RetentionDays());
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    logs_.PutRetentionPolicy(*name, static_cast<int>(*days), ReplyEmpty(std::move(reply)));
  }

  void DeleteRetentionPolicy(const json& in, Reply reply) {
    Members m(in);
    auto name = GroupName(m);
    if (!name.ok()) return reply(name.status());
    logs_.PutRetentionPolicy(*name, std::nullopt, ReplyEmpty(std::move(reply)));
  }

  void TagLogGroup(const json& in, Reply reply) {
    Members m(in);
    auto name = GroupName(m);
    auto tags = m.StringMap("tags");
    if (!m.status().ok()) return reply(m.status());
    if (!name.ok()) return reply(name.status());
    Violations v;
    v.NotNull(tags.has_value(), "tags");
    CheckTags(v, tags, "tags");
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    logs_.TagLogGroup(*name, std::move(*tags), ReplyEmpty(std::move(reply)));
  }

  void UntagLogGroup(const json& in, Reply reply) {
    Members m(in);
    auto name = GroupName(m);
    auto keys = m.StringList("tags");
    if (!m.status().ok()) return reply(m.status());
    if (!name.ok()) return reply(name.status());
    Violations v;
    v.NotNull(keys.has_value(), "tags");
    if (keys && keys->empty()) {
      v.Add("Value '[]'", "tags", "Member must have length greater than or equal to 1");
    }
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    logs_.UntagLogGroup(*name, std::move(*keys), ReplyEmpty(std::move(reply)));
  }

  void ListTagsLogGroup(const json& in, Reply reply) {
    Members m(in);
    auto name = GroupName(m);
    if (!name.ok()) return reply(name.status());
    ReplyTags(*name, std::move(reply));
  }

  void ReplyTags(const std::string& group, Reply reply) {
    auto g = logs_.GetLogGroup(group);
    if (!g.ok()) return reply(g.status());
    reply(json{{"tags", g->tags}});
  }

  // The log group a TagResource-family ARN names. AWS takes the ARN without ":*" (its
  // logGroupArn); the ":*" form is refused as users report it.
  static Result<std::string> GroupOfResourceArn(Members& m) {
    auto arn = m.String("resourceArn");
    STREAMSTACK_RETURN_IF_ERROR(m.status());
    Violations v;
    v.NotNull(arn.has_value(), "resourceArn");
    v.Length(arn, "resourceArn", 1, 1011);
    STREAMSTACK_RETURN_IF_ERROR(v.ToStatus(AwsError::kInvalidParameterException));
    auto group = GroupOfArn(*arn);
    if (!group || arn->ends_with(":*")) {
      return Status(AwsError::kValidation, "Invalid resourceArn");
    }
    return *group;
  }

  void TagResource(const json& in, Reply reply) {
    Members m(in);
    auto group = GroupOfResourceArn(m);
    auto tags = m.StringMap("tags");
    if (!m.status().ok()) return reply(m.status());
    if (!group.ok()) return reply(group.status());
    Violations v;
    v.NotNull(tags.has_value(), "tags");
    CheckTags(v, tags, "tags");
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    logs_.TagLogGroup(*group, std::move(*tags), ReplyEmpty(std::move(reply)));
  }

  void UntagResource(const json& in, Reply reply) {
    Members m(in);
    auto group = GroupOfResourceArn(m);
    auto keys = m.StringList("tagKeys");
    if (!m.status().ok()) return reply(m.status());
    if (!group.ok()) return reply(group.status());
    Violations v;
    v.NotNull(keys.has_value(), "tagKeys");
    if (!v.empty()) return reply(v.ToStatus(AwsError::kInvalidParameterException));
    logs_.UntagLogGroup(*group, std::move(*keys), ReplyEmpty(std::move(reply)));
  }

  void ListTagsForResource(const json& in, Reply reply) {
    Members m(in);
    auto group = GroupOfResourceArn(m);
    if (!group.ok()) return reply(group.status());
    ReplyTags(*group, std::move(reply));
  }

  LogStore& logs_;
  Clock& clock_;
  const AccountScope scope_;
  std::atomic<int64_t> sequence_{0};  // nextSequenceToken's tail
};

}  // namespace

void RegisterLogsApi(protocol::Router& router, LogStore& logs, Clock& clock,
                     const AccountScope& scope) {
  auto api = std::make_shared<LogsApi>(logs, clock, scope);
  std::vector<std::pair<std::string, protocol::JsonOperation>> ops;
  for (auto& [name, op] : LogsApi::Operations()) {
    ops.emplace_back(name, [api, op = op](const RequestContext&, json&& in, Reply reply) {
      ((*api).*op)(in, std::move(reply));
    });
  }
  protocol::ServiceWire wire{protocol::WireProtocol::kJson10, "", "", false,
                             "application/x-amz-json-1.1"};
  router.AddJsonService("logs", "Logs_20140328", wire, std::move(ops));
}

}  // namespace streamstack::logs
