// lambda: the REST-JSON routes of what deployments add around a function: versions and
// aliases (PublishVersion, ListVersionsByFunction, Create/Get/Update/Delete/ListAliases),
// resource policies (AddPermission, RemovePermission, GetPolicy) and asynchronous invocation
// settings (Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s)). Private to lambda;
// called once by RegisterLambdaApi.
#pragma once

#include "streamstack/lambda/function.h"
#include "streamstack/protocol/router.h"

namespace streamstack::lambda {

void RegisterVersionRoutes(protocol::Router& router, Functions& functions);

}  // namespace streamstack::lambda
