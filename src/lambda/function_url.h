// lambda: function URL settings as JSON, shared by the store (its records) and the REST
// adapter (requests and answers): the Cors object with AWS's member names. Private to lambda.
#pragma once

#include <nlohmann/json.hpp>

#include "streamstack/common/status.h"
#include "streamstack/lambda/function.h"

namespace streamstack::lambda {

// Only the members that are set, in AWS's order.
nlohmann::json FunctionUrlCorsJson(const FunctionUrlCors& cors);
// A Cors object; a member of the wrong JSON type is a DecodeError (rest_wire.h). Requests'
// Cors members are held to the model's constraints by ReadRequest before this reads them.
FunctionUrlCors FunctionUrlCorsFromJson(const nlohmann::json& j);

}  // namespace streamstack::lambda
