// lambda: the REST-JSON routes of layers. Private to lambda; called once by RegisterLambdaApi.
#pragma once

#include "streamstack/common/ids.h"
#include "streamstack/lambda/layers.h"
#include "streamstack/protocol/router.h"

namespace streamstack::lambda {

void RegisterLayerRoutes(protocol::Router& router, Layers& layers, const AccountScope& scope);

}  // namespace streamstack::lambda
