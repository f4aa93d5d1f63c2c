// api: the DynamoDB JSON 1.0 operations: decode and validate the wire request, call
// dynamodb::TableStore, encode the result. Registered once at startup; the router then
// calls the operations from any I/O thread.
#pragma once

#include "streamstack/dynamodb/table_store.h"
#include "streamstack/protocol/router.h"

namespace streamstack::api {

// Registers "DynamoDB_20120810.*" on `router`. `tables` must outlive the router's use.
void RegisterDynamoDbApi(protocol::Router& router, dynamodb::TableStore& tables);

}  // namespace streamstack::api
