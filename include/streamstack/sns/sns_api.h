// sns: the wire adapter. Registers SNS's query-protocol operations (Action=..., XML answers
// in http://sns.amazonaws.com/doc/2010-03-31/) on the router. Called once at startup.
#pragma once

#include "streamstack/protocol/router.h"
#include "streamstack/sns/topic_store.h"

namespace streamstack::sns {

// `topics` must outlive the router's use of it.
void RegisterSnsApi(protocol::Router& router, TopicStore& topics, const AccountScope& scope);

}  // namespace streamstack::sns
