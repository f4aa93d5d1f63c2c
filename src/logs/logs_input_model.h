// CloudWatch Logs' request shapes for protocol::InputModel, generated from botocore's model by
// `tools/gen_input_model.py logs` into logs_input_model.cc (checked in; rerun the script when
// a newer botocore's model adds members or constraints). Private to logs.
#pragma once

#include <string>
#include <string_view>

namespace streamstack::logs {

// The model as JSON text (see protocol/input_model.h for its form).
std::string_view LogsInputModel();

}  // namespace streamstack::logs
