// The botocore model of SQS's query-protocol results, which QueryResultWriter writes from.
#pragma once

#include <string_view>

namespace streamstack::sqs {

// A botocore model subset (see query_xml.h) of every SQS operation StreamStack serves.
std::string_view SqsQueryResultModel();

}  // namespace streamstack::sqs
