// sqs: the wire adapter. Registers every SQS operation twice on the router: the JSON
// protocol (X-Amz-Target: AmazonSQS.<Op>, what current SDKs send) and the query protocol
// (Action=<Op>, form-encoded, XML answers, what older SDKs and CLIs send). Both decode into
// one JSON shape, call the QueueStore and encode its Result. Called once at startup.
#pragma once

#include "streamstack/common/ids.h"
#include "streamstack/protocol/router.h"
#include "streamstack/sqs/queue_store.h"

namespace streamstack::sqs {

// `queues` must outlive the router's use of it.
void RegisterSqsApi(protocol::Router& router, QueueStore& queues, const AccountScope& scope);

// The JSON input a query-protocol SQS request decodes to ("Attribute.1.Name" ->
// "Attributes", "SendMessageBatchRequestEntry.2.Id" -> "Entries"[1]["Id"], ...). Exposed
// for tests.
nlohmann::json SqsQueryToJson(const protocol::Params& params);

// What the query protocol answers inside <OperationResponse> for an SQS JSON output object:
// the <OperationResult> element, written by botocore's query model of SQS (query_xml.h), or
// nothing for operations without a result. Exposed for tests.
std::string SqsResultXml(const std::string& operation, const nlohmann::json& output);

}  // namespace streamstack::sqs
