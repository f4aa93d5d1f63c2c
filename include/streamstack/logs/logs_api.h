// logs: the wire adapter of CloudWatch Logs. Registers the Logs_20140328.* operations (JSON
// 1.1) on the router: read every request through the InputModel generated from botocore's logs
// model, as AWS does (InvalidParameterException for the model's constraints), call the
// LogStore, encode AWS's answer (ARNs, 56-digit event ids, GetLogEvents' f/ and b/ tokens).
// Called once at startup; the operations then run on HTTP threads.
#pragma once

#include "streamstack/common/ids.h"
#include "streamstack/logs/log_store.h"
#include "streamstack/protocol/router.h"

namespace streamstack::logs {

// `logs` and `clock` must outlive the router's use of them.
void RegisterLogsApi(protocol::Router& router, LogStore& logs, Clock& clock,
                     const AccountScope& scope);

}  // namespace streamstack::logs
