// How a function's configuration is stored: one JSON record per $LATEST or published
// version (tables lambda_functions and lambda_function_versions). Private to lambda.
#pragma once

#include <nlohmann/json.hpp>

#include "streamstack/common/ids.h"
#include "streamstack/lambda/function.h"
#include "streamstack/storage/database.h"

namespace streamstack::lambda {

nlohmann::json FunctionToRecord(const Function& f);
// A published version's ARN is qualified with its number.
Function FunctionFromRecord(const nlohmann::json& j, const AccountScope& scope);
// True for a non-empty run of digits: a qualifier that names a version, not an alias.
bool IsNumeric(std::string_view s);

// $LATEST's record as the calling connection sees it (inside a write job: with the group's
// uncommitted changes); `found` says whether it exists.
Result<Function> ReadFunctionRow(storage::Database& db, const std::string& name,
                                 const AccountScope& scope, bool* found);

}  // namespace streamstack::lambda
