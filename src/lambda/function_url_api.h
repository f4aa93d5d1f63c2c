// lambda: function URLs on the wire. The REST-JSON routes of Create/Get/Update/Delete/
// ListFunctionUrlConfigs, and the URLs themselves: a request to /lambda-url/<url-id>/<path>
// (or to any host named <url-id>.lambda-url.<region>.<domain>) invokes the function with the
// payload format 2.0 event and answers with what the function returned. Private to lambda;
// called once by RegisterLambdaApi, before serving.
#pragma once

#include "streamstack/lambda/function.h"
#include "streamstack/lambda/invoke.h"
#include "streamstack/protocol/router.h"

namespace streamstack::lambda {

void RegisterFunctionUrlRoutes(protocol::Router& router, Functions& functions,
                               InvokeService& invoke, Clock& clock);

}  // namespace streamstack::lambda
