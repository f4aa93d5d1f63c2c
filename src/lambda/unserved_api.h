// lambda: routes for the Lambda operations StreamStack does not serve, answering
// UnknownOperationException with the operation's name. Private to lambda; called once by
// RegisterLambdaApi, after every served route.
#pragma once

#include "streamstack/protocol/router.h"

namespace streamstack::lambda {

void RegisterUnservedRoutes(protocol::Router& router);

}  // namespace streamstack::lambda
