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

#include "logs/logs_input_model.h"
#include "streamstack/protocol/input_model.h"

namespace streamstack::logs {
namespace {

using nlohmann::json;
using protocol::BoolMember;
using protocol::IntMember;
using protocol::LongMember;
using protocol::RequestContext;
using protocol::StringMember;
using Reply = protocol::JsonReply;

constexpr size_t kMaxNameLength = 512;
constexpr int64_t kDayMs = 86400000;
constexpr int64_t kHourMs = 3600000;

Status Invalid(std::string message) {
  return {AwsError::kInvalidParameterException, std::move(message)};
}
Status InvalidToken() { return Invalid("The specified nextToken is invalid."); }

const protocol::InputModel& LogsModel() {
  static const protocol::InputModel model(LogsInputModel(), "com.amazonaws.logs.v20140328");
  return model;
}

// What AWS answers before its model's constraints, in this order; the model cannot say these.
// [S] and [G]: AWS's answers recorded in LocalStack's test_logs_{streams,groups} snapshots (the
// e2e test_logs names them so and pins each).
Status CheckBeforeModel(const json& in) {
  // [S] error-both-name-and-identifier: either names the group, never both.
  if (in.contains("logGroupName") && in.contains("logGroupIdentifier")) {
    return Status(AwsError::kValidation,
                  "LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  // [G] error-invalid-name-length: an over-long group or stream name (by its bytes) gets these
  // words of its own, not the model's length clause among the request's other violations.
  for (const char* member : {"logGroupName", "logStreamName"}) {
    auto name = StringMember(in, member);
    if (name && name->size() > kMaxNameLength) {
      return Invalid(
          "Invalid LogGroup or LogStream, both must have length less than or equal to 512.");
    }
  }
  // [G] error-prefix-and-pattern (DescribeLogGroups).
  if (in.contains("logGroupNamePrefix") && in.contains("logGroupNamePattern")) {
    return Invalid(
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  }
  return Status::Ok();
}

// Reads a request as AWS does: its JSON types (SerializationException), the checks above, then
// every constraint of the model at once. Logs answers the model's violations as
// InvalidParameterException ("1 validation error detected: ..."), not ValidationException.
Status ReadRequest(std::string_view operation, json& in) {
  STREAMSTACK_RETURN_IF_ERROR(LogsModel().CheckTypes(operation, in));
  STREAMSTACK_RETURN_IF_ERROR(CheckBeforeModel(in));
  Status st = LogsModel().CheckConstraints(operation, in);
  if (!st.ok()) return Invalid(st.message());
  return st;
}

// A string list or string map member of a request ReadRequest accepted.
std::optional<std::vector<std::string>> StringList(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end()) return std::nullopt;
  return it->get<std::vector<std::string>>();
}
std::map<std::string, std::string> StringMap(const json& in, const char* member) {
  auto it = in.find(member);
  if (it == in.end()) return {};
  return it->get<std::map<std::string, std::string>>();
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

// The group a request names by logGroupName or logGroupIdentifier (a name or an ARN); the
// model requires one of them (its "requiredUnless").
std::string RequestedGroup(const json& in) {
  if (auto identifier = StringMember(in, "logGroupIdentifier")) {
    auto from_arn = GroupOfArn(*identifier);
    return from_arn ? *from_arn : *identifier;
  }
  return StringMember(in, "logGroupName").value_or("");
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
  void CreateLogGroup(const json& in, Reply reply) {
    LogGroup g;
    g.name = *StringMember(in, "logGroupName");
    g.tags = StringMap(in, "tags");
    g.kms_key_id = StringMember(in, "kmsKeyId").value_or("");
    g.log_group_class = StringMember(in, "logGroupClass").value_or("STANDARD");
    g.deletion_protection = BoolMember(in, "deletionProtectionEnabled").value_or(false);
    logs_.CreateLogGroup(std::move(g), ReplyEmpty(std::move(reply)));
  }

  void DeleteLogGroup(const json& in, Reply reply) {
    const std::string name = *StringMember(in, "logGroupName");
    auto group = logs_.GetLogGroup(name);
    if (!group.ok()) return reply(group.status());
    if (group->deletion_protection) {
      return reply(Status(AwsError::kOperationAborted,
                          "Log group " + name + " has deletion protection enabled."));
    }
    logs_.DeleteLogGroup(name, ReplyEmpty(std::move(reply)));
  }

  void DescribeLogGroups(const json& in, Reply reply) {
    auto prefix = StringMember(in, "logGroupNamePrefix");
    auto pattern = StringMember(in, "logGroupNamePattern");
    auto limit = IntMember(in, "limit");
    auto token = StringMember(in, "nextToken");
    auto group_class = StringMember(in, "logGroupClass");
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
    logs_.CreateLogStream(*StringMember(in, "logGroupName"), *StringMember(in, "logStreamName"),
                          ReplyEmpty(std::move(reply)));
  }

  void DeleteLogStream(const json& in, Reply reply) {
    logs_.DeleteLogStream(*StringMember(in, "logGroupName"), *StringMember(in, "logStreamName"),
                          ReplyEmpty(std::move(reply)));
  }

  void DescribeLogStreams(const json& in, Reply reply) {
    const std::string group = RequestedGroup(in);
    auto prefix = StringMember(in, "logStreamNamePrefix");
    auto order_by = StringMember(in, "orderBy");
    auto descending = BoolMember(in, "descending");
    auto limit = IntMember(in, "limit");
    auto token = StringMember(in, "nextToken");
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
    auto streams = logs_.ListLogStreams(group);
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
      page.push_back(StreamJson(chosen[i], group, scope_));
    }
    json out = {{"logStreams", std::move(page)}};
    if (offset + max < chosen.size()) out["nextToken"] = OpaqueToken(std::to_string(offset + max));
    reply(std::move(out));
  }

  // sequenceToken is ignored, as AWS ignores it now.
  void PutLogEvents(const json& in, Reply reply) {
    const std::string group = *StringMember(in, "logGroupName");
    const std::string stream = *StringMember(in, "logStreamName");
    std::vector<LogEvent> batch;
    for (const json& e : in.at("logEvents")) {
      batch.push_back({*LongMember(e, "timestamp"), *StringMember(e, "message")});
    }
    if (Status st = CheckBatch(batch); !st.ok()) return reply(st);

    auto log_group = logs_.GetLogGroup(group);
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
        group, stream, std::move(accepted),
        [this, reply = std::move(reply), rejected = std::move(rejected)](Status st) {
          if (!st.ok()) return reply(st);
          json out = {{"nextSequenceToken", PositionDigits({clock_.NowMillis(), ++sequence_})}};
          if (!rejected.empty()) out["rejectedLogEventsInfo"] = rejected;
          reply(std::move(out));
        });
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
    auto token = StringMember(in, "nextToken");
    GetEventsRequest r;
    r.log_group = RequestedGroup(in);
    r.log_stream = *StringMember(in, "logStreamName");
    r.start_ms = LongMember(in, "startTime");
    r.end_ms = LongMember(in, "endTime");
    r.limit = IntMember(in, "limit").value_or(10000);
    std::optional<ParsedToken> parsed;
    if (token) {
      parsed = ParseToken(*token);
      if (!parsed) return reply(InvalidToken());
      r.forward = parsed->forward;
      (parsed->forward ? r.after : r.before) = parsed->position;
    } else {
      r.forward = BoolMember(in, "startFromHead").value_or(false);
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
    auto streams = StringList(in, "logStreamNames");
    auto prefix = StringMember(in, "logStreamNamePrefix");
    auto pattern_text = StringMember(in, "filterPattern");
    auto token = StringMember(in, "nextToken");
    auto limit = IntMember(in, "limit");
    // After the model's violations, as this server has always answered (no recorded order).
    if (streams && prefix) {
      return reply(
          Invalid("logStreamNames and logStreamNamePrefix are mutually exclusive "
                  "parameters."));
    }
    auto pattern = FilterPattern::Parse(pattern_text.value_or(""));
    if (!pattern.ok()) return reply(pattern.status());

    FilterEventsRequest r;
    r.log_group = RequestedGroup(in);
    r.log_streams = streams.value_or(std::vector<std::string>{});
    r.log_stream_prefix = prefix.value_or("");
    r.start_ms = LongMember(in, "startTime");
    r.end_ms = LongMember(in, "endTime");
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
    logs_.PutRetentionPolicy(*StringMember(in, "logGroupName"), *IntMember(in, "retentionInDays"),
                             ReplyEmpty(std::move(reply)));
  }

  void DeleteRetentionPolicy(const json& in, Reply reply) {
    logs_.PutRetentionPolicy(*StringMember(in, "logGroupName"), std::nullopt,
                             ReplyEmpty(std::move(reply)));
  }

  void TagLogGroup(const json& in, Reply reply) {
    logs_.TagLogGroup(*StringMember(in, "logGroupName"), StringMap(in, "tags"),
                      ReplyEmpty(std::move(reply)));
  }

  void UntagLogGroup(const json& in, Reply reply) {
    logs_.UntagLogGroup(*StringMember(in, "logGroupName"), *StringList(in, "tags"),
                        ReplyEmpty(std::move(reply)));
  }

  void ListTagsLogGroup(const json& in, Reply reply) {
    ReplyTags(*StringMember(in, "logGroupName"), std::move(reply));
  }

  void ReplyTags(const std::string& group, Reply reply) {
    auto g = logs_.GetLogGroup(group);
    if (!g.ok()) return reply(g.status());
    reply(json{{"tags", g->tags}});
  }

  // The log group a TagResource-family ARN names, once the model held it to its constraints.
  // AWS takes the ARN without ":*" (its logGroupArn); the ":*" form is refused as users report
  // it.
  static Result<std::string> GroupOfResourceArn(const json& in) {
    const std::string arn = *StringMember(in, "resourceArn");
    auto group = GroupOfArn(arn);
    if (!group || arn.ends_with(":*")) {
      return Status(AwsError::kValidation, "Invalid resourceArn");
    }
    return *group;
  }

  void TagResource(const json& in, Reply reply) {
    auto group = GroupOfResourceArn(in);
    if (!group.ok()) return reply(group.status());
    logs_.TagLogGroup(*group, StringMap(in, "tags"), ReplyEmpty(std::move(reply)));
  }

  void UntagResource(const json& in, Reply reply) {
    auto group = GroupOfResourceArn(in);
    if (!group.ok()) return reply(group.status());
    logs_.UntagLogGroup(*group, *StringList(in, "tagKeys"), ReplyEmpty(std::move(reply)));
  }

  void ListTagsForResource(const json& in, Reply reply) {
    auto group = GroupOfResourceArn(in);
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
    ops.emplace_back(name,
                     [api, op = op, name = name](const RequestContext&, json&& in, Reply reply) {
                       if (Status st = ReadRequest(name, in); !st.ok()) return reply(std::move(st));
                       ((*api).*op)(in, std::move(reply));
                     });
  }
  // Metric and subscription filters, Insights queries, deliveries, ... (the README's list).
  protocol::AddOperationsNotServed(LogsModel(), "CloudWatch Logs", ops);
  protocol::ServiceWire wire{protocol::WireProtocol::kJson10, "", "", false,
                             "application/x-amz-json-1.1"};
  router.AddJsonService("logs", "Logs_20140328", wire, std::move(ops));
}

}  // namespace streamstack::logs
