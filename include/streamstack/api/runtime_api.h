// api: the Lambda Runtime API (2018-06-01) that sandbox processes of functions that run
// their own code talk to: GET /2018-06-01/runtime/invocation/next, POST
// .../invocation/{AwsRequestId}/response, .../invocation/{AwsRequestId}/error and
// .../init/error, with AWS's headers and answers. Each sandbox has a loopback port of its
// own; the request's local port tells the runtime::LocalRuntime which sandbox asked.
// Register before serving; the routes then run on whichever thread the Router calls.
#pragma once

#include "streamstack/protocol/router.h"
#include "streamstack/runtime/local_runtime.h"

namespace streamstack::api {

// Registers the four routes under the service name "lambda-runtime". `runtime` must
// outlive the router's use of them.
void RegisterRuntimeApi(protocol::Router& router, runtime::LocalRuntime& runtime);

}  // namespace streamstack::api
