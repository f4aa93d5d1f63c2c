// api: the DynamoDB Streams wire adapter (JSON 1.0, X-Amz-Target DynamoDBStreams_20120810.*):
// reads ListStreams, DescribeStream, GetShardIterator and GetRecords through their botocore
// shapes (protocol::InputModel over the generated api/streams_input_model.cc: JSON types, then
// every constraint in one answer), calls the streams::StreamStore, and encodes its results as
// the botocore model shapes them.
// Register before serving; the operations then run on whichever thread the Router calls.
#pragma once

#include "streamstack/protocol/router.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::api {

// Registers the four operations under the service name "dynamodbstreams" and target prefix
// "DynamoDBStreams_20120810". `store` must outlive the router's use of them.
void RegisterStreamsApi(protocol::Router& router, streams::StreamStore& store);

}  // namespace streamstack::api
