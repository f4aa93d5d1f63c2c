// The one table from AwsError to the wire: error code, HTTP status, and body shape for
// each protocol (JSON 1.0, REST-JSON, query/XML). Pure functions; any thread may call.
#pragma once

#include <string>
#include <string_view>

#include "streamstack/common/status.h"
#include "streamstack/protocol/message.h"

namespace streamstack::protocol {

enum class WireProtocol {
  kJson10,    // DynamoDB, DynamoDB Streams, SQS (JSON): {"__type": ..., "message": ...}
  kRestJson,  // Lambda: X-Amzn-ErrorType header, {"Type": "User", "Message": ...}
  kQuery,     // SNS, SQS (query): <ErrorResponse><Error><Type/><Code/><Message/>...
};

// How one service speaks: its protocol and the namespaces its errors carry.
struct ServiceWire {
  WireProtocol protocol = WireProtocol::kJson10;
  // JSON 1.0 __type namespace of the service's own errors ("com.amazonaws.dynamodb.v20120810").
  std::string json_namespace;
  // Query protocol: the XML namespace of responses ("http://queue.amazonaws.com/doc/2012-11-05/").
  std::string xml_namespace;
  // SQS's JSON protocol also sends the legacy query error code in x-amzn-query-error.
  bool query_compatible = false;
  // JSON protocol services answer in their model's jsonVersion: 1.0 (DynamoDB, SQS) or 1.1
  // (CloudWatch Logs).
  const char* json_content_type = "application/x-amz-json-1.0";
};

// The AWS error code ("ValidationException", "AWS.SimpleQueueService.NonExistentQueue", ...)
// for `error` as `protocol` names it.
std::string_view ErrorCode(AwsError error, WireProtocol protocol);
// The HTTP status AWS answers `error` with over `protocol`.
unsigned ErrorHttpStatus(AwsError error, WireProtocol protocol);

// An operation of AWS's API that StreamStack does not serve (out of scope, or not yet):
// UnknownOperationException naming it, so a program that stops there learns which call it
// made. `service`: as users name it ("DynamoDB", "Lambda"); `error`: kUnknownOperation (the
// JSON and query protocols, HTTP 400) or kNotFoundPath (REST, 404).
Status OperationNotServed(std::string_view service, std::string_view operation, AwsError error);

// A complete error response for `status` (which must be an error).
HttpResponse MakeErrorResponse(const Status& status, const ServiceWire& wire,
                               std::string_view request_id);

// Answers for requests that never reach a service: the http module sends these when the
// body is over the limit (413, connection closed) or the bytes are not HTTP (400, closed).
HttpResponse RequestEntityTooLargeResponse(size_t limit_bytes);
HttpResponse MalformedHttpResponse();

// XML text escaping for query-protocol bodies.
std::string XmlEscape(std::string_view text);

}  // namespace streamstack::protocol
