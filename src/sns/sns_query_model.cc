#include "sns/sns_query_model.h"

namespace streamstack::sns {

// The results of every SNS operation StreamStack serves (SNS speaks only the query protocol).
// Taken from botocore's sns 2010-03-31 model (data/sns/2010-03-31/service-2.json, the same in
// botocore 1.29 and 1.43): each operation's "output" and the shapes it reaches, keeping only
// what decides the XML (type, members, member/key/value, shape, locationName, flattened). The
// query protocol is frozen, so this does not change; the e2e tests check every answer against
// the full model of a botocore that speaks it.
std::string_view SnsQueryResultModel() {
  static constexpr std::string_view kModel = R"json({"operations": {
  "CreateTopic": {"output": {"shape": "CreateTopicResponse",
                             "resultWrapper": "CreateTopicResult"}},
  "DeleteTopic": {},
  "ListTopics": {"output": {"shape": "ListTopicsResponse", "resultWrapper": "ListTopicsResult"}},
  "GetTopicAttributes": {"output": {"shape": "GetTopicAttributesResponse",
                                    "resultWrapper": "GetTopicAttributesResult"}},
  "SetTopicAttributes": {},
  "Subscribe": {"output": {"shape": "SubscribeResponse", "resultWrapper": "SubscribeResult"}},
  "ConfirmSubscription": {"output": {"shape": "ConfirmSubscriptionResponse",
                                     "resultWrapper": "ConfirmSubscriptionResult"}},
  "Unsubscribe": {},
  "ListSubscriptions": {"output": {"shape": "ListSubscriptionsResponse",
                                   "resultWrapper": "ListSubscriptionsResult"}},
  "ListSubscriptionsByTopic": {"output": {"shape": "ListSubscriptionsByTopicResponse",
                                          "resultWrapper": "ListSubscriptionsByTopicResult"}},
  "GetSubscriptionAttributes": {"output": {"shape": "GetSubscriptionAttributesResponse",
                                           "resultWrapper": "GetSubscriptionAttributesResult"}},
  "SetSubscriptionAttributes": {},
  "Publish": {"output": {"shape": "PublishResponse", "resultWrapper": "PublishResult"}},
  "ListTagsForResource": {"output": {"shape": "ListTagsForResourceResponse",
                                     "resultWrapper": "ListTagsForResourceResult"}}
},
"shapes": {
  "CreateTopicResponse": {"type": "structure", "members": {"TopicArn": {"shape": "topicARN"}}},
  "topicARN": {"type": "string"},
  "ListTopicsResponse": {"type": "structure", "members": {
      "Topics": {"shape": "TopicsList"},
      "NextToken": {"shape": "nextToken"}}},
  "TopicsList": {"type": "list", "member": {"shape": "Topic"}},
  "Topic": {"type": "structure", "members": {"TopicArn": {"shape": "topicARN"}}},
  "nextToken": {"type": "string"},
  "GetTopicAttributesResponse": {"type": "structure", "members": {
      "Attributes": {"shape": "TopicAttributesMap"}}},
  "TopicAttributesMap": {
      "type": "map",
      "key": {"shape": "attributeName"},
      "value": {"shape": "attributeValue"}},
  "attributeName": {"type": "string"},
  "attributeValue": {"type": "string"},
  "SubscribeResponse": {"type": "structure", "members": {
      "SubscriptionArn": {"shape": "subscriptionARN"}}},
  "subscriptionARN": {"type": "string"},
  "ConfirmSubscriptionResponse": {"type": "structure", "members": {
      "SubscriptionArn": {"shape": "subscriptionARN"}}},
  "ListSubscriptionsResponse": {"type": "structure", "members": {
      "Subscriptions": {"shape": "SubscriptionsList"},
      "NextToken": {"shape": "nextToken"}}},
  "SubscriptionsList": {"type": "list", "member": {"shape": "Subscription"}},
  "Subscription": {"type": "structure", "members": {
      "SubscriptionArn": {"shape": "subscriptionARN"},
      "Owner": {"shape": "account"},
      "Protocol": {"shape": "protocol"},
      "Endpoint": {"shape": "endpoint"},
      "TopicArn": {"shape": "topicARN"}}},
  "account": {"type": "string"},
  "protocol": {"type": "string"},
  "endpoint": {"type": "string"},
  "ListSubscriptionsByTopicResponse": {"type": "structure", "members": {
      "Subscriptions": {"shape": "SubscriptionsList"},
      "NextToken": {"shape": "nextToken"}}},
  "GetSubscriptionAttributesResponse": {"type": "structure", "members": {
      "Attributes": {"shape": "SubscriptionAttributesMap"}}},
  "SubscriptionAttributesMap": {
      "type": "map",
      "key": {"shape": "attributeName"},
      "value": {"shape": "attributeValue"}},
  "PublishResponse": {"type": "structure", "members": {
      "MessageId": {"shape": "messageId"},
      "SequenceNumber": {"shape": "String"}}},
  "messageId": {"type": "string"},
  "String": {"type": "string"},
  "ListTagsForResourceResponse": {"type": "structure", "members": {"Tags": {"shape": "TagList"}}},
  "TagList": {"type": "list", "member": {"shape": "Tag"}},
  "Tag": {"type": "structure", "members": {
      "Key": {"shape": "TagKey"},
      "Value": {"shape": "TagValue"}}},
  "TagKey": {"type": "string"},
  "TagValue": {"type": "string"}
}}
)json";
  return kModel;
}

}  // namespace streamstack::sns
