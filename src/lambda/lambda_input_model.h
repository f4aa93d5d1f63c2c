// Lambda's request shapes for protocol::InputModel, generated from botocore's model by
// `tools/gen_input_model.py lambda` into lambda_input_model.cc (checked in; rerun the script
// when a newer botocore's model adds members or constraints). Private to lambda.
#pragma once

#include <string>
#include <string_view>

namespace streamstack::lambda {

// The model as JSON text (see protocol/input_model.h for its form).
std::string_view LambdaInputModel();

}  // namespace streamstack::lambda
