// Lambda's own validation facts; the violation wording is protocol's (violations.h).
// Private to lambda.
#pragma once

#include <string>
#include <vector>

#include "streamstack/protocol/violations.h"

namespace streamstack::lambda {

using protocol::QuoteValue;
using protocol::Violations;

// Every runtime the botocore model lists, in its order (the enum message lists them so).
const std::vector<std::string>& KnownRuntimes();

}  // namespace streamstack::lambda
