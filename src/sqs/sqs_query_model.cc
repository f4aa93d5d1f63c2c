#include "sqs/sqs_query_model.h"

namespace streamstack::sqs {

// The results of every SQS operation StreamStack serves, as the query protocol writes them.
// Taken from botocore's sqs 2012-11-05 query model (data/sqs/2012-11-05/service-2.json of
// botocore 1.29, Debian bookworm's python3-botocore): each operation's "output" and the shapes
// it reaches, keeping only what decides the XML (type, members, member/key/value, shape,
// locationName, flattened). The query protocol is frozen, so this does not change; the e2e
// tests check every answer against the full model of a botocore that speaks it.
std::string_view SqsQueryResultModel() {
  static constexpr std::string_view kModel = R"json({"operations": {
  "CreateQueue": {"output": {"shape": "CreateQueueResult", "resultWrapper": "CreateQueueResult"}},
  "GetQueueUrl": {"output": {"shape": "GetQueueUrlResult", "resultWrapper": "GetQueueUrlResult"}},
  "GetQueueAttributes": {"output": {"shape": "GetQueueAttributesResult",
                                    "resultWrapper": "GetQueueAttributesResult"}},
  "SetQueueAttributes": {},
  "ListQueues": {"output": {"shape": "ListQueuesResult", "resultWrapper": "ListQueuesResult"}},
  "DeleteQueue": {},
  "PurgeQueue": {},
  "TagQueue": {},
  "UntagQueue": {},
  "ListQueueTags": {"output": {"shape": "ListQueueTagsResult",
                               "resultWrapper": "ListQueueTagsResult"}},
  "SendMessage": {"output": {"shape": "SendMessageResult", "resultWrapper": "SendMessageResult"}},
  "SendMessageBatch": {"output": {"shape": "SendMessageBatchResult",
                                  "resultWrapper": "SendMessageBatchResult"}},
  "ReceiveMessage": {"output": {"shape": "ReceiveMessageResult",
                                "resultWrapper": "ReceiveMessageResult"}},
  "DeleteMessage": {},
  "DeleteMessageBatch": {"output": {"shape": "DeleteMessageBatchResult",
                                    "resultWrapper": "DeleteMessageBatchResult"}},
  "ChangeMessageVisibility": {},
  "ChangeMessageVisibilityBatch": {"output": {
      "shape": "ChangeMessageVisibilityBatchResult",
      "resultWrapper": "ChangeMessageVisibilityBatchResult"}}
},
"shapes": {
  "CreateQueueResult": {"type": "structure", "members": {"QueueUrl": {"shape": "String"}}},
  "String": {"type": "string"},
  "GetQueueUrlResult": {"type": "structure", "members": {"QueueUrl": {"shape": "String"}}},
  "GetQueueAttributesResult": {"type": "structure", "members": {
      "Attributes": {"shape": "QueueAttributeMap", "locationName": "Attribute"}}},
  "QueueAttributeMap": {
      "type": "map",
      "flattened": true,
      "key": {"shape": "QueueAttributeName", "locationName": "Name"},
      "value": {"shape": "String", "locationName": "Value"}},
  "QueueAttributeName": {"type": "string"},
  "ListQueuesResult": {"type": "structure", "members": {
      "QueueUrls": {"shape": "QueueUrlList"},
      "NextToken": {"shape": "Token"}}},
  "QueueUrlList": {
      "type": "list",
      "flattened": true,
      "member": {"shape": "String", "locationName": "QueueUrl"}},
  "Token": {"type": "string"},
  "ListQueueTagsResult": {"type": "structure", "members": {
      "Tags": {"shape": "TagMap", "locationName": "Tag"}}},
  "TagMap": {
      "type": "map",
      "flattened": true,
      "key": {"shape": "TagKey", "locationName": "Key"},
      "value": {"shape": "TagValue", "locationName": "Value"}},
  "TagKey": {"type": "string"},
  "TagValue": {"type": "string"},
  "SendMessageResult": {"type": "structure", "members": {
      "MD5OfMessageBody": {"shape": "String"},
      "MD5OfMessageAttributes": {"shape": "String"},
      "MD5OfMessageSystemAttributes": {"shape": "String"},
      "MessageId": {"shape": "String"},
      "SequenceNumber": {"shape": "String"}}},
  "SendMessageBatchResult": {"type": "structure", "members": {
      "Successful": {"shape": "SendMessageBatchResultEntryList"},
      "Failed": {"shape": "BatchResultErrorEntryList"}}},
  "SendMessageBatchResultEntryList": {
      "type": "list",
      "flattened": true,
      "member": {"shape": "SendMessageBatchResultEntry",
                 "locationName": "SendMessageBatchResultEntry"}},
  "SendMessageBatchResultEntry": {"type": "structure", "members": {
      "Id": {"shape": "String"},
      "MessageId": {"shape": "String"},
      "MD5OfMessageBody": {"shape": "String"},
      "MD5OfMessageAttributes": {"shape": "String"},
      "MD5OfMessageSystemAttributes": {"shape": "String"},
      "SequenceNumber": {"shape": "String"}}},
  "BatchResultErrorEntryList": {
      "type": "list",
      "flattened": true,
      "member": {"shape": "BatchResultErrorEntry", "locationName": "BatchResultErrorEntry"}},
  "BatchResultErrorEntry": {"type": "structure", "members": {
      "Id": {"shape": "String"},
      "SenderFault": {"shape": "Boolean"},
      "Code": {"shape": "String"},
      "Message": {"shape": "String"}}},
  "Boolean": {"type": "boolean"},
  "ReceiveMessageResult": {"type": "structure", "members": {"Messages": {"shape": "MessageList"}}},
  "MessageList": {
      "type": "list",
      "flattened": true,
      "member": {"shape": "Message", "locationName": "Message"}},
  "Message": {"type": "structure", "members": {
      "MessageId": {"shape": "String"},
      "ReceiptHandle": {"shape": "String"},
      "MD5OfBody": {"shape": "String"},
      "Body": {"shape": "String"},
      "Attributes": {"shape": "MessageSystemAttributeMap", "locationName": "Attribute"},
      "MD5OfMessageAttributes": {"shape": "String"},
      "MessageAttributes": {"shape": "MessageBodyAttributeMap",
                            "locationName": "MessageAttribute"}}},
  "MessageSystemAttributeMap": {
      "type": "map",
      "flattened": true,
      "key": {"shape": "MessageSystemAttributeName", "locationName": "Name"},
      "value": {"shape": "String", "locationName": "Value"}},
  "MessageSystemAttributeName": {"type": "string"},
  "MessageBodyAttributeMap": {
      "type": "map",
      "flattened": true,
      "key": {"shape": "String", "locationName": "Name"},
      "value": {"shape": "MessageAttributeValue", "locationName": "Value"}},
  "MessageAttributeValue": {"type": "structure", "members": {
      "StringValue": {"shape": "String"},
      "BinaryValue": {"shape": "Binary"},
      "StringListValues": {"shape": "StringList",
                           "locationName": "StringListValue", "flattened": true},
      "BinaryListValues": {"shape": "BinaryList",
                           "locationName": "BinaryListValue", "flattened": true},
      "DataType": {"shape": "String"}}},
  "Binary": {"type": "blob"},
  "StringList": {"type": "list", "member": {"shape": "String", "locationName": "StringListValue"}},
  "BinaryList": {"type": "list", "member": {"shape": "Binary", "locationName": "BinaryListValue"}},
  "DeleteMessageBatchResult": {"type": "structure", "members": {
      "Successful": {"shape": "DeleteMessageBatchResultEntryList"},
      "Failed": {"shape": "BatchResultErrorEntryList"}}},
  "DeleteMessageBatchResultEntryList": {
      "type": "list",
      "flattened": true,
      "member": {"shape": "DeleteMessageBatchResultEntry",
                 "locationName": "DeleteMessageBatchResultEntry"}},
  "DeleteMessageBatchResultEntry": {"type": "structure", "members": {"Id": {"shape": "String"}}},
  "ChangeMessageVisibilityBatchResult": {"type": "structure", "members": {
      "Successful": {"shape": "ChangeMessageVisibilityBatchResultEntryList"},
      "Failed": {"shape": "BatchResultErrorEntryList"}}},
  "ChangeMessageVisibilityBatchResultEntryList": {
      "type": "list",
      "flattened": true,
      "member": {"shape": "ChangeMessageVisibilityBatchResultEntry",
                 "locationName": "ChangeMessageVisibilityBatchResultEntry"}},
  "ChangeMessageVisibilityBatchResultEntry": {"type": "structure", "members": {
      "Id": {"shape": "String"}}}
}}
)json";
  return kModel;
}

}  // namespace streamstack::sqs
