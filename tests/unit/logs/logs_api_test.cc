// CloudWatch Logs' wire adapter through the real router, without sockets: every request is read
// through the InputModel generated from botocore's logs model (types, then the checks AWS makes
// before its model's, then every constraint at once, as InvalidParameterException).
#include "streamstack/logs/logs_api.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "logs/logs_input_model.h"
#include "streamstack/common/metrics.h"
#include "streamstack/protocol/input_model.h"
#include "support/json_reply.h"

namespace streamstack::logs {
namespace {

using json = nlohmann::json;

constexpr char kArn[] = "arn:aws:logs:us-east-1:000000000000:log-group:";

using Reply = test_support::JsonReply;

struct Case {
  const char* operation;
  json body;
  std::string answer;
};

class LogsApiTest : public ::testing::Test {
 protected:
  LogsApiTest() {
    storage::StoreOptions options;
    options.in_memory = true;
    store_ = std::move(storage::Store::Open(options)).value();
    logs_ = std::make_unique<LogStore>(*store_, clock_, AccountScope{});
    EXPECT_TRUE(logs_->Open().ok());
    RegisterLogsApi(router_, *logs_, clock_, AccountScope{});
  }
  ~LogsApiTest() override {
    logs_.reset();
    EXPECT_TRUE(store_->Close().ok());
  }

  // Writes answer from the store's threads: wait for the answer.
  Reply Call(const std::string& operation, const json& body) {
    protocol::HttpRequest req = test_support::JsonRequest(
        "Logs_20140328." + operation, "application/x-amz-json-1.1", body.dump());
    auto answer = std::make_shared<std::promise<protocol::HttpResponse>>();
    auto future = answer->get_future();
    router_.Handle(std::move(req),
                   [answer](protocol::HttpResponse r) { answer->set_value(std::move(r)); });
    EXPECT_EQ(future.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return test_support::ReadJsonReply(future.get());
  }

  // The answer to a request that fails: "<short type>: <message>".
  std::string Fault(const std::string& operation, const json& body) {
    Reply r = Call(operation, body);
    EXPECT_EQ(r.status, 400u) << operation << " " << body.dump();
    std::string type = r.type();
    type = type.substr(type.find('#') == std::string::npos ? 0 : type.find('#') + 1);
    return type + ": " + r.message();
  }

  void ExpectAnswers(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      EXPECT_EQ(Fault(c.operation, c.body), c.answer) << c.operation << " " << c.body.dump();
    }
  }

  OffsetClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<LogStore> logs_;
  MetricsRegistry metrics_;
  protocol::Router router_{&metrics_, "us-east-1"};
};

const std::string kLong(513, 'x');

// The wording this server has always given a member of the wrong JSON type: the JSON token and
// the type it cannot become, for the first such member; nothing is converted.
TEST_F(LogsApiTest, WrongTypesAreSerializationErrorsInLogsWords) {
  const std::string s = "SerializationException: ";
  const std::vector<Case> cases = {
      {"CreateLogGroup", {{"logGroupName", true}}, s + "TRUE_VALUE can not be converted to String"},
      {"CreateLogGroup", {{"logGroupName", 5}}, s + "NUMBER_VALUE can not be converted to String"},
      {"CreateLogGroup",
       {{"logGroupName", 1.5}},
       s + "NUMBER_VALUE can not be converted to String"},
      {"CreateLogGroup",
       {{"logGroupName", json::array()}},
       s + "START_ARRAY can not be converted to String"},
      {"CreateLogGroup",
       {{"logGroupName", json::object()}},
       s + "START_OBJECT can not be converted to String"},
      {"CreateLogGroup",
       {{"logGroupName", "g"}, {"tags", json::array()}},
       s + "START_ARRAY can not be converted to Map"},
      {"CreateLogGroup",
       {{"logGroupName", "g"}, {"tags", {{"a", 1}}}},
       s + "NUMBER_VALUE can not be converted to String"},
      {"CreateLogGroup",
       {{"logGroupName", "g"}, {"tags", {{"a", nullptr}}}},
       s + "VALUE_NULL can not be converted to String"},
      {"CreateLogGroup",
       {{"logGroupName", "g"}, {"deletionProtectionEnabled", "true"}},
       s + "STRING_VALUE can not be converted to Boolean"},
      {"DescribeLogGroups", {{"limit", "5"}}, s + "STRING_VALUE can not be converted to Long"},
      {"DescribeLogGroups", {{"limit", 1.5}}, s + "NUMBER_VALUE can not be converted to Long"},
      {"PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", "x"}},
       s + "STRING_VALUE can not be converted to List"},
      {"PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", {"x"}}},
       s + "STRING_VALUE can not be converted to InputLogEvent"},
      {"PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", json::array({nullptr})}},
       s + "VALUE_NULL can not be converted to InputLogEvent"},
      {"PutLogEvents",
       {{"logGroupName", "g"},
        {"logStreamName", "s"},
        {"logEvents", {{{"timestamp", "1"}, {"message", "m"}}}}},
       s + "STRING_VALUE can not be converted to Long"},
      {"GetLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "s"}, {"startFromHead", 1}},
       s + "NUMBER_VALUE can not be converted to Boolean"},
      {"FilterLogEvents",
       {{"logGroupName", "g"}, {"logStreamNames", {1}}},
       s + "NUMBER_VALUE can not be converted to String"},
      {"UntagLogGroup",
       {{"logGroupName", "g"}, {"tags", json::array({nullptr})}},
       s + "VALUE_NULL can not be converted to String"},
      // Types come before everything else, the name's length too.
      {"CreateLogGroup",
       {{"logGroupName", kLong}, {"tags", 5}},
       s + "NUMBER_VALUE can not be converted to Map"},
  };
  ExpectAnswers(cases);
}

// What AWS answers before its model's constraints, each over the violations a request also has.
TEST_F(LogsApiTest, ChecksBeforeTheModel) {
  const std::string too_long =
      "InvalidParameterException: Invalid LogGroup or LogStream, both must have length less "
      "than or equal to 512.";
  const std::vector<Case> cases = {
      {"CreateLogGroup", {{"logGroupName", kLong}, {"logGroupClass", "X"}}, too_long},
      {"PutLogEvents",
       {{"logGroupName", "a:b"}, {"logStreamName", kLong}, {"logEvents", json::array()}},
       too_long},
      {"GetLogEvents", {{"logGroupName", "g"}, {"logStreamName", kLong}}, too_long},
      {"GetLogEvents",
       {{"logGroupName", kLong}, {"logGroupIdentifier", "g"}, {"logStreamName", "s"}},
       "ValidationException: LogGroup name and LogGroup ARN are mutually exclusive parameters."},
      {"DescribeLogGroups",
       {{"logGroupNamePrefix", "a"}, {"logGroupNamePattern", "b"}, {"limit", 99}},
       "InvalidParameterException: LogGroup name prefix and LogGroup name pattern are mutually "
       "exclusive parameters."},
  };
  ExpectAnswers(cases);
}

// Every violation of a request in one InvalidParameterException, in the model's member order.
TEST_F(LogsApiTest, EveryViolationTogetherInModelOrder) {
  const std::string v = "InvalidParameterException: ";
  const std::vector<Case> cases = {
      {"CreateLogGroup",
       {{"logGroupName", "bad:name"}, {"kmsKeyId", std::string(257, 'k')}, {"logGroupClass", "X"}},
       v +
           "3 validation errors detected: Value 'bad:name' at 'logGroupName' failed to satisfy "
           "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; "
           "Value '" +
           std::string(257, 'k') +
           "' at 'kmsKeyId' failed to satisfy constraint: Member must have length less than or "
           "equal to 256; Value 'X' at 'logGroupClass' failed to satisfy constraint: Member must "
           "satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]"},
      // The name and the days together (the name's violations alone before the model).
      {"PutRetentionPolicy",
       {{"logGroupName", "a:b"}, {"retentionInDays", 2}},
       v + "2 validation errors detected: Value 'a:b' at 'logGroupName' failed to satisfy "
           "constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; "
           "Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy "
           "enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, "
           "1096, 1827, 2192, 2557, 2922, 3288, 3653]"},
      {"PutRetentionPolicy",
       {{"logGroupName", "g"}},
       v + "1 validation error detected: Value null at 'retentionInDays' failed to satisfy "
           "constraint: Member must not be null"},
      {"GetLogEvents",
       {{"logGroupName", "g"},
        {"logStreamName", "s"},
        {"startTime", -1},
        {"endTime", -2},
        {"limit", 0},
        {"nextToken", ""}},
       v + "4 validation errors detected: Value '-1' at 'startTime' failed to satisfy "
           "constraint: Member must have value greater than or equal to 0; Value '-2' at "
           "'endTime' failed to satisfy constraint: Member must have value greater than or "
           "equal to 0; Value '' at 'nextToken' failed to satisfy constraint: Member must have "
           "length greater than or equal to 1; Value '0' at 'limit' failed to satisfy "
           "constraint: Member must have value greater than or equal to 1"},
      // An event's members in the model's order: timestamp, then message.
      {"PutLogEvents",
       {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", {{{"timestamp", -1}}}}},
       v + "2 validation errors detected: Value '-1' at 'logEvents.1.member.timestamp' failed "
           "to satisfy constraint: Member must have value greater than or equal to 0; Value null "
           "at 'logEvents.1.member.message' failed to satisfy constraint: Member must not be "
           "null"},
      {"TagLogGroup",
       {{"logGroupName", "g"}},
       v + "1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
           "Member must not be null"},
  };
  ExpectAnswers(cases);
}

// DescribeLogStreams, GetLogEvents and FilterLogEvents take the group by name or identifier:
// without either, the name is the member missing.
TEST_F(LogsApiTest, GroupByNameOrIdentifier) {
  EXPECT_EQ(Fault("DescribeLogStreams", json::object()),
            "InvalidParameterException: 1 validation error detected: Value null at "
            "'logGroupName' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(Fault("GetLogEvents", json::object()),
            "InvalidParameterException: 2 validation errors detected: Value null at "
            "'logGroupName' failed to satisfy constraint: Member must not be null; Value null at "
            "'logStreamName' failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(Fault("FilterLogEvents", {{"limit", 0}}),
            "InvalidParameterException: 2 validation errors detected: Value null at "
            "'logGroupName' failed to satisfy constraint: Member must not be null; Value '0' at "
            "'limit' failed to satisfy constraint: Member must have value greater than or equal "
            "to 1");
  EXPECT_EQ(Fault("GetLogEvents",
                  {{"logGroupIdentifier", std::string(kArn) + "g"}, {"logStreamName", "s"}}),
            "ResourceNotFoundException: The specified log group does not exist.");
}

// Members the hand-written reader never held to their model, now held to it as AWS's front end
// holds every member (Coral's wording: a pattern before a length, maps and lists rendered as
// Java prints them, a map's keys and values once with every constraint).
TEST_F(LogsApiTest, EveryMemberIsHeldToItsModel) {
  const std::string v = "InvalidParameterException: 1 validation error detected: ";
  const std::string two = "InvalidParameterException: 2 validation errors detected: ";
  json many_tags = json::object();
  json many_keys = json::array();
  std::string rendered_tags;
  std::string rendered_keys;
  for (int i = 0; i < 51; ++i) {
    std::string k = (i < 10 ? "k0" : "k") + std::to_string(i);
    many_tags[k] = "v";
    many_keys.push_back(k);
    rendered_tags += (i ? ", " : "") + k + "=v";
    rendered_keys += (i ? ", " : "") + k;
  }
  const std::string long_key(129, 'k');
  const std::string arn = std::string(kArn) + "g";
  const std::vector<Case> cases = {
      {"CreateLogGroup",
       {{"logGroupName", ""}},
       two + "Value '' at 'logGroupName' failed to satisfy constraint: Member must satisfy "
             "regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; Value '' at 'logGroupName' "
             "failed to satisfy constraint: Member must have length greater than or equal to 1"},
      {"CreateLogGroup",
       {{"logGroupName", "g"}, {"tags", many_tags}},
       v + "Value '{" + rendered_tags +
           "}' at 'tags' failed to satisfy constraint: Member must have length less than or "
           "equal to 50"},
      {"TagLogGroup",
       {{"logGroupName", "g"}, {"tags", {{long_key, "v"}}}},
       v + "Value '{" + long_key +
           "=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: "
           "[Member must have length less than or equal to 128, Member must have length greater "
           "than or equal to 1, Member must satisfy regular expression pattern: "
           "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]"},
      {"TagResource",
       {{"resourceArn", arn}, {"tags", {{"k", std::string(257, 'v')}}}},
       v + "Value '{k=" + std::string(257, 'v') +
           "}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: "
           "[Member must have length less than or equal to 256, Member must satisfy regular "
           "expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$]"},
      {"UntagResource",
       {{"resourceArn", arn}, {"tagKeys", many_keys}},
       v + "Value '[" + rendered_keys +
           "]' at 'tagKeys' failed to satisfy constraint: Member must have length less than or "
           "equal to 50"},
      {"UntagLogGroup",
       {{"logGroupName", "g"}, {"tags", {""}}},
       v + "Value '' at 'tags.1.member' failed to satisfy constraint: Member must have length "
           "greater than or equal to 1"},
      // A member StreamStack does not act on is held to its model all the same.
      {"DescribeLogGroups",
       {{"accountIdentifiers", {"1"}}},
       two + "Value '1' at 'accountIdentifiers.1.member' failed to satisfy constraint: Member "
             "must satisfy regular expression pattern: ^\\d{12}$; Value '1' at "
             "'accountIdentifiers.1.member' failed to satisfy constraint: Member must have "
             "length greater than or equal to 12"},
      {"DescribeLogGroups",
       {{"logGroupNamePattern", "a b"}},
       v + "Value 'a b' at 'logGroupNamePattern' failed to satisfy constraint: Member must "
           "satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]*"},
      {"DescribeLogStreams",
       {{"logGroupIdentifier", "a b"}},
       v + "Value 'a b' at 'logGroupIdentifier' failed to satisfy constraint: Member must "
           "satisfy regular expression pattern: [\\w#+=/:,.@-]*"},
      {"PutLogEvents",
       {{"logGroupName", "g"},
        {"logStreamName", "s"},
        {"logEvents", {{{"timestamp", 1}, {"message", "m"}}}},
        {"sequenceToken", ""}},
       v + "Value '' at 'sequenceToken' failed to satisfy constraint: Member must have length "
           "greater than or equal to 1"},
      {"FilterLogEvents",
       {{"logGroupName", "g"}, {"logStreamNames", json::array()}},
       v + "Value '[]' at 'logStreamNames' failed to satisfy constraint: Member must have "
           "length greater than or equal to 1"},
      {"FilterLogEvents",
       {{"logGroupName", "g"}, {"logStreamNames", {"a:b"}}},
       v + "Value 'a:b' at 'logStreamNames.1.member' failed to satisfy constraint: Member must "
           "satisfy regular expression pattern: [^:*]*"},
  };
  ExpectAnswers(cases);
}

// A resource ARN is held to its length alone (AWS answers the ":*" form with its own words, which
// the model's pattern would refuse first); what it names is checked after the model's
// constraints.
TEST_F(LogsApiTest, ResourceArnsAfterTheModel) {
  const std::string arn = std::string(kArn) + "g";
  EXPECT_EQ(Fault("TagResource", {{"resourceArn", arn + ":*"}, {"tags", {{"a", "b"}}}}),
            "ValidationException: Invalid resourceArn");
  EXPECT_EQ(Fault("ListTagsForResource", {{"resourceArn", "not an arn"}}),
            "ValidationException: Invalid resourceArn");
  EXPECT_EQ(Fault("TagResource", {{"resourceArn", "notarn"}, {"tags", json::object()}}),
            "InvalidParameterException: 1 validation error detected: Value '{}' at 'tags' failed "
            "to satisfy constraint: Member must have length greater than or equal to 1");
  EXPECT_EQ(Fault("UntagResource", {{"resourceArn", ""}}),
            "InvalidParameterException: 2 validation errors detected: Value '' at 'resourceArn' "
            "failed to satisfy constraint: Member must have length greater than or equal to 1; "
            "Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
}

// AWS lists at most ten violations.
TEST_F(LogsApiTest, AtMostTenViolations) {
  json events = json::array();
  for (int i = 0; i < 12; ++i) events.push_back({{"timestamp", 1}});
  std::string answer =
      Fault("PutLogEvents", {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", events}});
  EXPECT_EQ(answer.rfind("InvalidParameterException: 10 validation errors detected: ", 0), 0u)
      << answer;
  EXPECT_NE(answer.find("logEvents.10.member.message"), std::string::npos);
  EXPECT_EQ(answer.find("logEvents.11.member.message"), std::string::npos);
}

// A request the model accepted reaches the store with what it said.
TEST_F(LogsApiTest, AcceptedRequestsReachTheStore) {
  ASSERT_EQ(Call("CreateLogGroup", {{"logGroupName", "/g"},
                                    {"tags", {{"env", "test"}}},
                                    {"unknownMember", {1, 2}},
                                    {"kmsKeyId", nullptr}})
                .status,
            200u);
  Reply tags = Call("ListTagsForResource", {{"resourceArn", std::string(kArn) + "/g"}});
  EXPECT_EQ(tags.body, json({{"tags", {{"env", "test"}}}}));
  ASSERT_EQ(Call("CreateLogStream", {{"logGroupName", "/g"}, {"logStreamName", "s"}}).status, 200u);
  const int64_t now = clock_.NowMillis();
  ASSERT_EQ(Call("PutLogEvents", {{"logGroupName", "/g"},
                                  {"logStreamName", "s"},
                                  {"logEvents", {{{"timestamp", now}, {"message", "hello"}}}}})
                .status,
            200u);
  Reply got = Call("GetLogEvents", {{"logGroupIdentifier", std::string(kArn) + "/g"},
                                    {"logStreamName", "s"},
                                    {"startFromHead", true}});
  ASSERT_EQ(got.status, 200u) << got.body.dump();
  ASSERT_EQ(got.body["events"].size(), 1u);
  EXPECT_EQ(got.body["events"][0]["message"], "hello");
  EXPECT_EQ(got.body["events"][0]["timestamp"], now);
}

// The generated model parses and knows every operation the adapter serves.
TEST(LogsInputModel, KnowsTheServedOperations) {
  protocol::InputModel model(LogsInputModel(), "com.amazonaws.logs.v20140328");
  for (const char* op :
       {"CreateLogGroup", "DeleteLogGroup", "DescribeLogGroups", "CreateLogStream",
        "DeleteLogStream", "DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents",
        "PutRetentionPolicy", "DeleteRetentionPolicy", "TagLogGroup", "UntagLogGroup",
        "ListTagsLogGroup", "TagResource", "UntagResource", "ListTagsForResource"}) {
    EXPECT_TRUE(model.HasOperation(op)) << op;
  }
}

}  // namespace
}  // namespace streamstack::logs
