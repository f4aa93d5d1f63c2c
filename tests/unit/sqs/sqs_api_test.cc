#include "streamstack/sqs/sqs_api.h"

#include <gtest/gtest.h>

namespace streamstack::sqs {
namespace {

TEST(SqsQueryToJson, FlattenedMembersBecomeJsonShapes) {
  protocol::Params params = {
      {"Action", "SendMessageBatch"},
      {"QueueUrl", "http://h/000000000000/q"},
      {"SendMessageBatchRequestEntry.2.Id", "b"},
      {"SendMessageBatchRequestEntry.1.Id", "a"},
      {"SendMessageBatchRequestEntry.1.MessageBody", "one"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name", "k"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType", "String"},
      {"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue", "v"},
      {"SendMessageBatchRequestEntry.2.MessageBody", "two"},
      {"Attribute.1.Name", "VisibilityTimeout"},
      {"Attribute.1.Value", "5"},
      {"AttributeName.1", "All"},
      {"Tag.1.Key", "t"},
      {"Tag.1.Value", "v"},
  };
  nlohmann::json j = SqsQueryToJson(params);
  EXPECT_EQ(j["QueueUrl"], "http://h/000000000000/q");
  EXPECT_FALSE(j.contains("Action"));
  ASSERT_EQ(j["Entries"].size(), 2u);
  EXPECT_EQ(j["Entries"][0]["Id"], "a");
  EXPECT_EQ(j["Entries"][0]["MessageAttributes"]["k"]["StringValue"], "v");
  EXPECT_EQ(j["Entries"][1]["MessageBody"], "two");
  EXPECT_EQ(j["Attributes"]["VisibilityTimeout"], "5");
  EXPECT_EQ(j["AttributeNames"], nlohmann::json::array({"All"}));
  EXPECT_EQ(j["Tags"]["t"], "v");
}

// Every SQS operation's query-protocol result, as botocore's query model of SQS writes it
// (data/sqs/2012-11-05/service-2.json): wrappers, flattened lists and maps, member order.
struct ResultCase {
  const char* operation;
  const char* output;  // the JSON protocol's output object
  const char* xml;
};

class SqsResultXmlTest : public ::testing::TestWithParam<ResultCase> {};

TEST_P(SqsResultXmlTest, MatchesTheQueryModel) {
  const ResultCase& c = GetParam();
  EXPECT_EQ(SqsResultXml(c.operation, nlohmann::json::parse(c.output)), c.xml) << c.operation;
}

INSTANTIATE_TEST_SUITE_P(
    EveryOperation, SqsResultXmlTest,
    ::testing::Values(
        ResultCase{"CreateQueue", R"({"QueueUrl": "http://h/0/q"})",
                   "<CreateQueueResult><QueueUrl>http://h/0/q</QueueUrl></CreateQueueResult>"},
        ResultCase{"GetQueueUrl", R"({"QueueUrl": "http://h/0/q"})",
                   "<GetQueueUrlResult><QueueUrl>http://h/0/q</QueueUrl></GetQueueUrlResult>"},
        ResultCase{"GetQueueAttributes", "{}", "<GetQueueAttributesResult/>"},
        ResultCase{"GetQueueAttributes",
                   R"({"Attributes": {"DelaySeconds": "0", "QueueArn": "arn:q"}})",
                   "<GetQueueAttributesResult><Attribute><Name>DelaySeconds</Name><Value>0"
                   "</Value></Attribute><Attribute><Name>QueueArn</Name><Value>arn:q</Value>"
                   "</Attribute></GetQueueAttributesResult>"},
        ResultCase{"SetQueueAttributes", "{}", ""},
        ResultCase{"ListQueues", "{}", "<ListQueuesResult/>"},
        ResultCase{"ListQueues", R"({"QueueUrls": ["u1", "u2"], "NextToken": "t"})",
                   "<ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl>"
                   "<NextToken>t</NextToken></ListQueuesResult>"},
        ResultCase{"DeleteQueue", "{}", ""}, ResultCase{"PurgeQueue", "{}", ""},
        ResultCase{"TagQueue", "{}", ""}, ResultCase{"UntagQueue", "{}", ""},
        ResultCase{"ListQueueTags", "{}", "<ListQueueTagsResult/>"},
        ResultCase{"ListQueueTags", R"({"Tags": {"env": "ci"}})",
                   "<ListQueueTagsResult><Tag><Key>env</Key><Value>ci</Value></Tag>"
                   "</ListQueueTagsResult>"},
        ResultCase{"SendMessage",
                   R"({"MessageId": "m", "MD5OfMessageBody": "b", "MD5OfMessageAttributes": "a"})",
                   "<SendMessageResult><MD5OfMessageBody>b</MD5OfMessageBody>"
                   "<MD5OfMessageAttributes>a</MD5OfMessageAttributes><MessageId>m</MessageId>"
                   "</SendMessageResult>"},
        ResultCase{"SendMessageBatch", R"({"Successful": [], "Failed": []})",
                   "<SendMessageBatchResult/>"},
        ResultCase{"SendMessageBatch",
                   R"({"Successful": [{"Id": "a", "MessageId": "m", "MD5OfMessageBody": "b"}],
                       "Failed": [{"Id": "z", "SenderFault": true, "Code": "InvalidParameterValue",
                                   "Message": "<bad>"}]})",
                   "<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id><MessageId>m"
                   "</MessageId><MD5OfMessageBody>b</MD5OfMessageBody>"
                   "</SendMessageBatchResultEntry><BatchResultErrorEntry><Id>z</Id><SenderFault>"
                   "true</SenderFault><Code>InvalidParameterValue</Code><Message>&lt;bad&gt;"
                   "</Message></BatchResultErrorEntry></SendMessageBatchResult>"},
        ResultCase{"ReceiveMessage", "{}", "<ReceiveMessageResult/>"},
        ResultCase{"ReceiveMessage",
                   R"({"Messages": [{"MessageId": "m", "ReceiptHandle": "r", "MD5OfBody": "b",
                       "Body": "a<b>&", "Attributes": {"SentTimestamp": "1"},
                       "MD5OfMessageAttributes": "a",
                       "MessageAttributes": {"k": {"DataType": "Binary",
                                                   "BinaryValue": "AQ=="}}}]})",
                   "<ReceiveMessageResult><Message><MessageId>m</MessageId><ReceiptHandle>r"
                   "</ReceiptHandle><MD5OfBody>b</MD5OfBody><Body>a&lt;b&gt;&amp;</Body>"
                   "<Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>"
                   "<MD5OfMessageAttributes>a</MD5OfMessageAttributes><MessageAttribute><Name>k"
                   "</Name><Value><BinaryValue>AQ==</BinaryValue><DataType>Binary</DataType>"
                   "</Value></MessageAttribute></Message></ReceiveMessageResult>"},
        ResultCase{"DeleteMessage", "{}", ""},
        ResultCase{"DeleteMessageBatch", R"({"Successful": [{"Id": "a"}], "Failed": []})",
                   "<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a</Id>"
                   "</DeleteMessageBatchResultEntry></DeleteMessageBatchResult>"},
        ResultCase{"ChangeMessageVisibility", "{}", ""},
        ResultCase{"ChangeMessageVisibilityBatch",
                   R"({"Successful": [], "Failed": [{"Id": "a", "SenderFault": true,
                       "Code": "ReceiptHandleIsInvalid", "Message": "m"}]})",
                   "<ChangeMessageVisibilityBatchResult><BatchResultErrorEntry><Id>a</Id>"
                   "<SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code><Message>m"
                   "</Message></BatchResultErrorEntry></ChangeMessageVisibilityBatchResult>"}));

}  // namespace
}  // namespace streamstack::sqs
