// Lambda's own validation facts; the violation wording is common's (violations.h).
// Private to lambda.
#pragma once

#include <string>
#include <vector>

#include "streamstack/common/violations.h"

namespace streamstack::lambda {

// Every runtime the botocore model lists, in its order (the enum message lists them so).
const std::vector<std::string>& KnownRuntimes();

}  // namespace streamstack::lambda
