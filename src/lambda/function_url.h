// lambda: function URL settings as JSON, shared by the store (its records) and the REST
// adapter (requests and answers): the Cors object with AWS's member names. Private to lambda.
#pragma once

#include <nlohmann/json.hpp>

#include "streamstack/common/status.h"
#include "streamstack/common/violations.h"
#include "streamstack/lambda/function.h"

namespace streamstack::lambda {

// Only the members that are set, in AWS's order.
nlohmann::json FunctionUrlCorsJson(const FunctionUrlCors& cors);
// A Cors object; a member of the wrong JSON type is a DecodeError (rest_wire.h).
FunctionUrlCors FunctionUrlCorsFromJson(const nlohmann::json& j);
// The model's constraints on Cors (list sizes, item lengths, MaxAge), added to `v` with AWS's
// member paths ("cors.maxAge").
void CheckFunctionUrlCors(const FunctionUrlCors& cors, Violations& v);

}  // namespace streamstack::lambda
