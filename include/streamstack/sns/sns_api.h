// sns: the wire adapter. Registers SNS's query-protocol operations (Action=..., XML answers
// in http://sns.amazonaws.com/doc/2010-03-31/) on the router. Called once at startup.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "streamstack/protocol/router.h"
#include "streamstack/sns/topic_store.h"

namespace streamstack::sns {

// `topics` must outlive the router's use of it.
void RegisterSnsApi(protocol::Router& router, TopicStore& topics, const AccountScope& scope);

// What the query protocol answers inside <OperationResponse> for an operation's output in the
// JSON shape botocore parses it to: the <OperationResult> element, written by botocore's model
// of SNS (sqs/query_xml.h), or nothing for operations without a result. Exposed for tests.
std::string SnsResultXml(const std::string& operation, const nlohmann::json& output);

}  // namespace streamstack::sns
