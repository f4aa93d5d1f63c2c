// The botocore model of SNS's results, which QueryResultWriter writes from.
#pragma once

#include <string_view>

namespace streamstack::sns {

// A botocore model subset (see sqs/query_xml.h) of every SNS operation StreamStack serves.
std::string_view SnsQueryResultModel();

}  // namespace streamstack::sns
