// lambda: the REST-JSON adapter. Registers every Lambda operation StreamStack serves
// (functions, tags, Invoke, event source mappings) on the router: decode + validate the wire
// request, call Functions / InvokeService / EventSourceMappings, encode AWS's answer.
// Register before serving; handlers then run on the HTTP threads and answer later.
#pragma once

#include "streamstack/common/clock.h"
#include "streamstack/lambda/event_source_mapping.h"
#include "streamstack/lambda/function.h"
#include "streamstack/lambda/invoke.h"
#include "streamstack/lambda/layers.h"
#include "streamstack/protocol/router.h"

namespace streamstack::lambda {

struct LambdaServices {
  Functions& functions;
  InvokeService& invoke;
  EventSourceMappings& mappings;
  Layers& layers;
  Clock& clock;  // function URL events' times
};

void RegisterLambdaApi(protocol::Router& router, LambdaServices services);

// The JSON AWS answers for a function (FunctionConfiguration) and a mapping
// (EventSourceMappingConfiguration). Exposed for tests.
nlohmann::json FunctionConfigurationJson(const Function& fn);
nlohmann::json EventSourceMappingJson(const EventSourceMapping& m);

}  // namespace streamstack::lambda
