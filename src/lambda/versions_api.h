// lambda: the REST-JSON routes of versions and aliases (PublishVersion,
// ListVersionsByFunction, Create/Get/Update/Delete/ListAliases). Private to lambda; called
// once by RegisterLambdaApi.
#pragma once

#include "streamstack/lambda/function.h"
#include "streamstack/protocol/router.h"

namespace streamstack::lambda {

void RegisterVersionRoutes(protocol::Router& router, Functions& functions);

}  // namespace streamstack::lambda
