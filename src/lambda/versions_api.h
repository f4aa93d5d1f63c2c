// lambda: the REST-JSON routes of versions, aliases and resource policies (PublishVersion,
// ListVersionsByFunction, Create/Get/Update/Delete/ListAliases, AddPermission,
// RemovePermission, GetPolicy). Private to lambda; called once by RegisterLambdaApi.
#pragma once

#include "streamstack/lambda/function.h"
#include "streamstack/protocol/router.h"

namespace streamstack::lambda {

void RegisterVersionRoutes(protocol::Router& router, Functions& functions);

}  // namespace streamstack::lambda
