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

TEST(SqsJsonToXml, EncodesListsMapsAndEscapes) {
  nlohmann::json out = {
      {"Messages",
       {{{"Body", "a<b>&"},
         {"Attributes", {{"SentTimestamp", "1"}}},
         {"MessageAttributes", {{"k", {{"DataType", "String"}, {"StringValue", "v"}}}}}}}}};
  EXPECT_EQ(SqsJsonToXml(out, "ReceiveMessage"),
            "<Message><Attribute><Name>SentTimestamp</Name><Value>1</Value></Attribute>"
            "<Body>a&lt;b&gt;&amp;</Body><MessageAttribute><Name>k</Name><Value>"
            "<DataType>String</DataType><StringValue>v</StringValue></Value>"
            "</MessageAttribute></Message>");
  nlohmann::json batch = {{"Successful", {{{"Id", "a"}}}},
                          {"Failed", {{{"Id", "b"}, {"SenderFault", true}}}}};
  EXPECT_EQ(SqsJsonToXml(batch, "DeleteMessageBatch"),
            "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault>"
            "</BatchResultErrorEntry><DeleteMessageBatchResultEntry><Id>a</Id>"
            "</DeleteMessageBatchResultEntry>");
}

}  // namespace
}  // namespace streamstack::sqs
