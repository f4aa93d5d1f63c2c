#include "streamstack/protocol/errors.h"

#include <nlohmann/json.hpp>

#include <array>

#include "streamstack/common/ids.h"

namespace streamstack::protocol {
namespace {

// Where the JSON 1.0 __type of an error comes from: the service's own namespace, or the
// Coral framework's (which is what AWS answers for request-level failures).
enum class JsonNamespace { kService, kCoralValidate, kCoralService };

struct ErrorWire {
  AwsError error;
  const char* json_code;   // JSON 1.0 and REST-JSON name
  const char* query_code;  // query protocol <Code> (also SQS's x-amzn-query-error)
  unsigned json_status;    // JSON 1.0 and query
  unsigned rest_status;    // REST-JSON (Lambda)
  bool sender_fault;
  JsonNamespace ns;
};

constexpr JsonNamespace kSvc = JsonNamespace::kService;

// The single table. Statuses and codes from the botocore models and AWS's answers.
constexpr std::array kErrors = {
    ErrorWire{AwsError::kValidation, "ValidationException", "ValidationError", 400, 400, true,
              JsonNamespace::kCoralValidate},
    ErrorWire{AwsError::kSerialization, "SerializationException", "MalformedInput", 400, 400, true,
              JsonNamespace::kCoralService},
    ErrorWire{AwsError::kUnknownOperation, "UnknownOperationException", "InvalidAction", 400, 404,
              true, JsonNamespace::kCoralService},
    ErrorWire{AwsError::kMissingAuthenticationToken, "MissingAuthenticationTokenException",
              "MissingAuthenticationToken", 400, 403, true, JsonNamespace::kCoralService},
    ErrorWire{AwsError::kInternalFailure, "InternalServerError", "InternalFailure", 500, 500, false,
              kSvc},
    ErrorWire{AwsError::kRequestEntityTooLarge, "RequestEntityTooLarge", "RequestEntityTooLarge",
              413, 413, true, JsonNamespace::kCoralService},
    ErrorWire{AwsError::kNotFoundPath, "UnknownOperationException", "InvalidAction", 404, 404, true,
              JsonNamespace::kCoralService},
    ErrorWire{AwsError::kResourceNotFound, "ResourceNotFoundException", "ResourceNotFound", 400,
              404, true, kSvc},
    ErrorWire{AwsError::kResourceInUse, "ResourceInUseException", "ResourceInUse", 400, 400, true,
              kSvc},
    ErrorWire{AwsError::kPolicyNotFound, "PolicyNotFoundException", "PolicyNotFound", 400, 400,
              true, kSvc},
    ErrorWire{AwsError::kTableNotFound, "TableNotFoundException", "TableNotFound", 400, 400, true,
              kSvc},
    ErrorWire{AwsError::kTableAlreadyExists, "TableAlreadyExistsException", "TableAlreadyExists",
              400, 400, true, kSvc},
    ErrorWire{AwsError::kTableInUse, "TableInUseException", "TableInUse", 400, 400, true, kSvc},
    ErrorWire{AwsError::kBackupInUse, "BackupInUseException", "BackupInUse", 400, 400, true, kSvc},
    ErrorWire{AwsError::kBackupNotFound, "BackupNotFoundException", "BackupNotFound", 400, 400,
              true, kSvc},
    ErrorWire{AwsError::kPointInTimeRecoveryUnavailable, "PointInTimeRecoveryUnavailableException",
              "PointInTimeRecoveryUnavailable", 400, 400, true, kSvc},
    ErrorWire{AwsError::kContinuousBackupsUnavailable, "ContinuousBackupsUnavailableException",
              "ContinuousBackupsUnavailable", 400, 400, true, kSvc},
    ErrorWire{AwsError::kInvalidRestoreTime, "InvalidRestoreTimeException", "InvalidRestoreTime",
              400, 400, true, kSvc},
    ErrorWire{AwsError::kLimitExceeded, "LimitExceededException", "LimitExceeded", 400, 400, true,
              kSvc},
    ErrorWire{AwsError::kThrottling, "ThrottlingException", "Throttling", 400, 429, true, kSvc},
    ErrorWire{AwsError::kConditionalCheckFailed, "ConditionalCheckFailedException",
              "ConditionalCheckFailed", 400, 400, true, kSvc},
    ErrorWire{AwsError::kTransactionCanceled, "TransactionCanceledException", "TransactionCanceled",
              400, 400, true, kSvc},
    ErrorWire{AwsError::kTransactionConflict, "TransactionConflictException", "TransactionConflict",
              400, 400, true, kSvc},
    ErrorWire{AwsError::kIdempotentParameterMismatch, "IdempotentParameterMismatchException",
              "IdempotentParameterMismatch", 400, 400, true, kSvc},
    ErrorWire{AwsError::kItemCollectionSizeLimitExceeded,
              "ItemCollectionSizeLimitExceededException", "ItemCollectionSizeLimitExceeded", 400,
              400, true, kSvc},
    ErrorWire{AwsError::kProvisionedThroughputExceeded, "ProvisionedThroughputExceededException",
              "ProvisionedThroughputExceeded", 400, 400, true, kSvc},
    ErrorWire{AwsError::kDuplicateItem, "DuplicateItemException", "DuplicateItem", 400, 400, true,
              kSvc},
    // AWS answers AccessDeniedException in the Coral framework's namespace (dynalite's tests
    // record the body).
    ErrorWire{AwsError::kAccessDenied, "AccessDeniedException", "AccessDenied", 400, 403, true,
              JsonNamespace::kCoralService},
    ErrorWire{AwsError::kExpiredIterator, "ExpiredIteratorException", "ExpiredIterator", 400, 400,
              true, kSvc},
    ErrorWire{AwsError::kTrimmedDataAccess, "TrimmedDataAccessException", "TrimmedDataAccess", 400,
              400, true, kSvc},
    ErrorWire{AwsError::kInvalidParameterValue, "InvalidParameterValueException",
              "InvalidParameterValue", 400, 400, true, kSvc},
    ErrorWire{AwsError::kResourceConflict, "ResourceConflictException", "ResourceConflict", 409,
              409, true, kSvc},
    ErrorWire{AwsError::kServiceException, "ServiceException", "ServiceException", 500, 500, false,
              kSvc},
    ErrorWire{AwsError::kTooManyRequests, "TooManyRequestsException", "TooManyRequests", 429, 429,
              true, kSvc},
    ErrorWire{AwsError::kInvalidRequestContent, "InvalidRequestContentException",
              "InvalidRequestContent", 400, 400, true, kSvc},
    ErrorWire{AwsError::kRequestTooLarge, "RequestTooLargeException", "RequestTooLarge", 413, 413,
              true, kSvc},
    ErrorWire{AwsError::kResourceNotReady, "ResourceNotReadyException", "ResourceNotReady", 502,
              502, false, kSvc},
    ErrorWire{AwsError::kInvalidRuntime, "InvalidRuntimeException", "InvalidRuntime", 502, 502,
              false, kSvc},
    ErrorWire{AwsError::kPreconditionFailed, "PreconditionFailedException", "PreconditionFailed",
              412, 412, true, kSvc},
    ErrorWire{AwsError::kProvisionedConcurrencyConfigNotFound,
              "ProvisionedConcurrencyConfigNotFoundException",
              "ProvisionedConcurrencyConfigNotFound", 404, 404, true, kSvc},
    ErrorWire{AwsError::kQueueDoesNotExist, "QueueDoesNotExist",
              "AWS.SimpleQueueService.NonExistentQueue", 400, 400, true, kSvc},
    ErrorWire{AwsError::kQueueNameExists, "QueueNameExists", "QueueAlreadyExists", 400, 400, true,
              kSvc},
    ErrorWire{AwsError::kInvalidAttributeName, "InvalidAttributeName", "InvalidAttributeName", 400,
              400, true, kSvc},
    ErrorWire{AwsError::kReceiptHandleIsInvalid, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
              400, 400, true, kSvc},
    // SQS's JSON protocol names these two differently from their query code (AWS's answers).
    ErrorWire{AwsError::kMissingParameter, "MissingRequiredParameterException", "MissingParameter",
              400, 400, true, kSvc},
    ErrorWire{AwsError::kInvalidParameterValueQuery, "InvalidParameterValueException",
              "InvalidParameterValue", 400, 400, true, kSvc},
    ErrorWire{AwsError::kEmptyBatchRequest, "EmptyBatchRequest",
              "AWS.SimpleQueueService.EmptyBatchRequest", 400, 400, true, kSvc},
    ErrorWire{AwsError::kTooManyEntriesInBatchRequest, "TooManyEntriesInBatchRequest",
              "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, 400, true, kSvc},
    ErrorWire{AwsError::kBatchEntryIdsNotDistinct, "BatchEntryIdsNotDistinct",
              "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, 400, true, kSvc},
    ErrorWire{AwsError::kInvalidBatchEntryId, "InvalidBatchEntryId",
              "AWS.SimpleQueueService.InvalidBatchEntryId", 400, 400, true, kSvc},
    ErrorWire{AwsError::kPurgeQueueInProgress, "PurgeQueueInProgress",
              "AWS.SimpleQueueService.PurgeQueueInProgress", 403, 403, true, kSvc},
    ErrorWire{AwsError::kInvalidAction, "InvalidAction", "InvalidAction", 400, 400, true, kSvc},
    ErrorWire{AwsError::kInvalidAttributeValue, "InvalidAttributeValue", "InvalidAttributeValue",
              400, 400, true, kSvc},
    ErrorWire{AwsError::kMessageNotInflight, "MessageNotInflight",
              "AWS.SimpleQueueService.MessageNotInflight", 400, 400, true, kSvc},
    ErrorWire{AwsError::kInvalidMessageContents, "InvalidMessageContents", "InvalidMessageContents",
              400, 400, true, kSvc},
    ErrorWire{AwsError::kBatchRequestTooLong, "BatchRequestTooLong",
              "AWS.SimpleQueueService.BatchRequestTooLong", 400, 400, true, kSvc},
    ErrorWire{AwsError::kUnsupportedOperation, "UnsupportedOperation",
              "AWS.SimpleQueueService.UnsupportedOperation", 400, 400, true, kSvc},
    ErrorWire{AwsError::kNotFound, "NotFound", "NotFound", 404, 404, true, kSvc},
    ErrorWire{AwsError::kInvalidParameter, "InvalidParameter", "InvalidParameter", 400, 400, true,
              kSvc},
    ErrorWire{AwsError::kInvalidParameterException, "InvalidParameterException",
              "InvalidParameterException", 400, 400, true, kSvc},
    ErrorWire{AwsError::kResourceAlreadyExists, "ResourceAlreadyExistsException",
              "ResourceAlreadyExistsException", 400, 400, true, kSvc},
    ErrorWire{AwsError::kOperationAborted, "OperationAbortedException", "OperationAbortedException",
              400, 400, true, kSvc},
    ErrorWire{AwsError::kTooManyTags, "TooManyTagsException", "TooManyTagsException", 400, 400,
              true, kSvc},
};

const ErrorWire& Lookup(AwsError error) {
  for (const auto& e : kErrors) {
    if (e.error == error) return e;
  }
  static constexpr ErrorWire kFallback{
      AwsError::kInternalFailure, "InternalServerError", "InternalFailure", 500, 500, false, kSvc};
  return kFallback;
}

std::string JsonType(const ErrorWire& e, const ServiceWire& wire) {
  switch (e.ns) {
    case JsonNamespace::kCoralValidate:
      return std::string("com.amazon.coral.validate#") + e.json_code;
    case JsonNamespace::kCoralService:
      return std::string("com.amazon.coral.service#") + e.json_code;
    case JsonNamespace::kService:
      break;
  }
  if (wire.json_namespace.empty()) return e.json_code;
  return wire.json_namespace + "#" + e.json_code;
}

void MergeDetails(nlohmann::json& body, const Status& status) {
  if (!status.details().is_object()) return;
  for (const auto& [k, v] : status.details().items()) body[k] = v;
}

// The query protocol answers with the JSON 1.0 status, except ResourceNotFound: SNS sends it as
// 404 (its model's httpStatusCode), DynamoDB's JSON as 400.
unsigned QueryStatus(const ErrorWire& e) {
  return e.error == AwsError::kResourceNotFound ? 404 : e.json_status;
}

// Lambda's error shapes name their message "message" or "Message", one by one (botocore's
// lambda model); SDKs read exactly that member.
const char* RestMessageMember(const ErrorWire& e) {
  switch (e.error) {
    case AwsError::kInvalidParameterValue:
    case AwsError::kInvalidRequestContent:
    case AwsError::kPreconditionFailed:
    case AwsError::kProvisionedConcurrencyConfigNotFound:
    case AwsError::kRequestTooLarge:
    case AwsError::kResourceConflict:
    case AwsError::kResourceNotReady:
    case AwsError::kTooManyRequests:
      return "message";
    default:
      return "Message";
  }
}

}  // namespace

std::string_view ErrorCode(AwsError error, WireProtocol protocol) {
  const ErrorWire& e = Lookup(error);
  return protocol == WireProtocol::kQuery ? e.query_code : e.json_code;
}

unsigned ErrorHttpStatus(AwsError error, WireProtocol protocol) {
  const ErrorWire& e = Lookup(error);
  if (protocol == WireProtocol::kQuery) return QueryStatus(e);
  return protocol == WireProtocol::kRestJson ? e.rest_status : e.json_status;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

HttpResponse MakeErrorResponse(const Status& status, const ServiceWire& wire,
                               std::string_view request_id) {
  const ErrorWire& e = Lookup(status.code());
  HttpResponse resp;
  std::string rid = request_id.empty() ? NewUuidV4() : std::string(request_id);
  resp.headers.Set("x-amzn-RequestId", rid);
  switch (wire.protocol) {
    case WireProtocol::kJson10: {
      resp.status = e.json_status;
      // AWS's JSON 1.0 services name the message "message", except in a
      // SerializationException ("Message"); framework errors that carry no text (a body that
      // is not JSON, an unknown operation) send the __type alone (dynalite's recorded answers).
      nlohmann::json body = {{"__type", JsonType(e, wire)}};
      if (!status.message().empty() || e.ns != JsonNamespace::kCoralService) {
        body[e.error == AwsError::kSerialization ? "Message" : "message"] = status.message();
      }
      MergeDetails(body, status);
      resp.headers.Set("Content-Type", wire.json_content_type);
      if (wire.query_compatible) {
        resp.headers.Set("x-amzn-query-error",
                         std::string(e.query_code) + (e.sender_fault ? ";Sender" : ";Receiver"));
      }
      resp.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      break;
    }
    case WireProtocol::kRestJson: {
      resp.status = e.rest_status;
      // Lambda: the code travels in x-amzn-ErrorType; the body says who is at fault, and
      // the message under the member name the error's shape has in AWS's model.
      nlohmann::json body = {{"Type", e.sender_fault ? "User" : "Service"},
                             {RestMessageMember(e), status.message()}};
      MergeDetails(body, status);
      resp.headers.Set("x-amzn-ErrorType", e.json_code);
      resp.headers.Set("Content-Type", "application/json");
      resp.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      break;
    }
    case WireProtocol::kQuery: {
      resp.status = QueryStatus(e);
      resp.headers.Set("Content-Type", "text/xml");
      std::string ns = wire.xml_namespace.empty()
                           ? std::string()
                           : " xmlns=\"" + XmlEscape(wire.xml_namespace) + "\"";
      resp.body = "<?xml version=\"1.0\"?><ErrorResponse" + ns + "><Error><Type>" +
                  (e.sender_fault ? "Sender" : "Receiver") + "</Type><Code>" + e.query_code +
                  "</Code><Message>" + XmlEscape(status.message()) +
                  "</Message><Detail/></Error><RequestId>" + rid + "</RequestId></ErrorResponse>";
      break;
    }
  }
  return resp;
}

HttpResponse RequestEntityTooLargeResponse(size_t limit_bytes) {
  Status s(AwsError::kRequestEntityTooLarge,
           "Request body is larger than the limit of " + std::to_string(limit_bytes) + " bytes");
  HttpResponse resp = MakeErrorResponse(s, ServiceWire{}, "");
  resp.close = true;
  return resp;
}

HttpResponse MalformedHttpResponse() {
  Status s(AwsError::kSerialization, "The request is not a valid HTTP/1.1 request");
  HttpResponse resp = MakeErrorResponse(s, ServiceWire{}, "");
  resp.close = true;
  return resp;
}

Status OperationNotServed(std::string_view service, std::string_view operation, AwsError error) {
  return Status(error, "StreamStack does not serve the " + std::string(service) + " operation " +
                           std::string(operation) +
                           " (see the README's list of what is supported)");
}

}  // namespace streamstack::protocol
