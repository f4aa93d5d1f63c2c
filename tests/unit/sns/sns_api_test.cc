#include "streamstack/sns/sns_api.h"

#include <gtest/gtest.h>

namespace streamstack::sns {
namespace {

// Every SNS operation's result, as botocore's model of SNS writes it
// (data/sns/2010-03-31/service-2.json): non-flattened lists of <member>, maps of
// <entry><key/><value/></entry>, and no result at all for the actions that have none.
struct ResultCase {
  const char* operation;
  const char* output;  // the JSON shape botocore parses the result to
  const char* xml;
};

class SnsResultXmlTest : public ::testing::TestWithParam<ResultCase> {};

TEST_P(SnsResultXmlTest, MatchesTheModel) {
  const ResultCase& c = GetParam();
  EXPECT_EQ(SnsResultXml(c.operation, nlohmann::json::parse(c.output)), c.xml) << c.operation;
}

INSTANTIATE_TEST_SUITE_P(
    EveryOperation, SnsResultXmlTest,
    ::testing::Values(
        ResultCase{"CreateTopic", R"({"TopicArn": "arn:t"})",
                   "<CreateTopicResult><TopicArn>arn:t</TopicArn></CreateTopicResult>"},
        ResultCase{"DeleteTopic", "{}", ""},
        ResultCase{"ListTopics", R"({"Topics": []})",
                   "<ListTopicsResult><Topics/></ListTopicsResult>"},
        ResultCase{"ListTopics", R"({"Topics": [{"TopicArn": "arn:a"}], "NextToken": "1"})",
                   "<ListTopicsResult><Topics><member><TopicArn>arn:a</TopicArn></member>"
                   "</Topics><NextToken>1</NextToken></ListTopicsResult>"},
        ResultCase{"GetTopicAttributes", R"({"Attributes": {"Owner": "0", "Policy": "{\"a\":1}"}})",
                   "<GetTopicAttributesResult><Attributes><entry><key>Owner</key><value>0</value>"
                   "</entry><entry><key>Policy</key><value>{&quot;a&quot;:1}</value></entry>"
                   "</Attributes></GetTopicAttributesResult>"},
        ResultCase{"SetTopicAttributes", "{}", ""},
        ResultCase{"Subscribe", R"({"SubscriptionArn": "pending confirmation"})",
                   "<SubscribeResult><SubscriptionArn>pending confirmation</SubscriptionArn>"
                   "</SubscribeResult>"},
        ResultCase{"ConfirmSubscription", R"({"SubscriptionArn": "arn:s"})",
                   "<ConfirmSubscriptionResult><SubscriptionArn>arn:s</SubscriptionArn>"
                   "</ConfirmSubscriptionResult>"},
        ResultCase{"Unsubscribe", "{}", ""},
        ResultCase{"ListSubscriptions", R"({"Subscriptions": []})",
                   "<ListSubscriptionsResult><Subscriptions/></ListSubscriptionsResult>"},
        ResultCase{"ListSubscriptionsByTopic",
                   R"({"Subscriptions": [{"TopicArn": "t", "Endpoint": "e", "Protocol": "sqs",
                       "Owner": "0", "SubscriptionArn": "s"}], "NextToken": "100"})",
                   "<ListSubscriptionsByTopicResult><Subscriptions><member><SubscriptionArn>s"
                   "</SubscriptionArn><Owner>0</Owner><Protocol>sqs</Protocol><Endpoint>e"
                   "</Endpoint><TopicArn>t</TopicArn></member></Subscriptions><NextToken>100"
                   "</NextToken></ListSubscriptionsByTopicResult>"},
        ResultCase{"GetSubscriptionAttributes", R"({"Attributes": {}})",
                   "<GetSubscriptionAttributesResult><Attributes/>"
                   "</GetSubscriptionAttributesResult>"},
        ResultCase{"SetSubscriptionAttributes", "{}", ""},
        ResultCase{"Publish", R"({"MessageId": "m"})",
                   "<PublishResult><MessageId>m</MessageId></PublishResult>"},
        ResultCase{"ListTagsForResource", R"({"Tags": []})",
                   "<ListTagsForResourceResult><Tags/></ListTagsForResourceResult>"},
        ResultCase{"ListTagsForResource", R"({"Tags": [{"Value": "v", "Key": "k"}]})",
                   "<ListTagsForResourceResult><Tags><member><Key>k</Key><Value>v</Value>"
                   "</member></Tags></ListTagsForResourceResult>"}));

}  // namespace
}  // namespace streamstack::sns
