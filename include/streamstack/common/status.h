// Status and Result<T>: how every module reports success or an AWS error.
// Owns the AwsError enum (every error any emulated service can return); protocol/ maps it
// to the wire. No dependencies beyond nlohmann::json. Values; safe to use from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace streamstack {

// One entry per error *kind*; the wire name and HTTP status per protocol live in
// protocol/errors.cc, the single table that turns these into responses.
enum class AwsError {
  kOk = 0,
  // Shared by several services.
  kValidation,                  // ValidationException
  kSerialization,               // SerializationException (malformed JSON body)
  kUnknownOperation,            // UnknownOperationException (unknown X-Amz-Target)
  kMissingAuthenticationToken,  // MissingAuthenticationTokenException
  kInternalFailure,             // InternalFailure / InternalServerError (500)
  kRequestEntityTooLarge,       // body over the limit (413)
  kNotFoundPath,                // no route for the path (404 UnknownOperationException)
  kResourceNotFound,            // ResourceNotFoundException (400 DynamoDB, 404 Lambda)
  kResourceInUse,               // ResourceInUseException
  kLimitExceeded,               // LimitExceededException
  kThrottling,                  // ThrottlingException
  // DynamoDB.
  kConditionalCheckFailed,       // ConditionalCheckFailedException
  kTransactionCanceled,          // TransactionCanceledException
  kTransactionConflict,          // TransactionConflictException
  kIdempotentParameterMismatch,  // IdempotentParameterMismatchException
  kItemCollectionSizeLimitExceeded,
  kProvisionedThroughputExceeded,
  kDuplicateItem,   // DuplicateItemException (PartiQL INSERT of an existing key)
  kAccessDenied,    // AccessDeniedException (a table ARN of another account)
  kPolicyNotFound,  // PolicyNotFoundException (no resource policy, or another RevisionId)
  // DynamoDB backups and point-in-time recovery.
  kTableNotFound,                   // TableNotFoundException
  kTableAlreadyExists,              // TableAlreadyExistsException (a restore's target)
  kTableInUse,                      // TableInUseException (a restore's target being restored)
  kBackupInUse,                     // BackupInUseException (a backup feeding a restore)
  kBackupNotFound,                  // BackupNotFoundException
  kPointInTimeRecoveryUnavailable,  // PointInTimeRecoveryUnavailableException
  kContinuousBackupsUnavailable,    // ContinuousBackupsUnavailableException
  kInvalidRestoreTime,              // InvalidRestoreTimeException
  // DynamoDB Streams.
  kExpiredIterator,    // ExpiredIteratorException
  kTrimmedDataAccess,  // TrimmedDataAccessException
  // Lambda.
  kInvalidParameterValue,  // InvalidParameterValueException
  kResourceConflict,       // ResourceConflictException (409)
  kServiceException,       // ServiceException (500)
  kTooManyRequests,        // TooManyRequestsException (429)
  kInvalidRequestContent,  // InvalidRequestContentException
  kRequestTooLarge,        // RequestTooLargeException (413)
  kResourceNotReady,       // ResourceNotReadyException (502)
  kInvalidRuntime,         // InvalidRuntimeException (502): the runtime cannot run here
  kPreconditionFailed,     // PreconditionFailedException (412): another RevisionId
  kProvisionedConcurrencyConfigNotFound,  // ProvisionedConcurrencyConfigNotFoundException (404)
  // SQS.
  kQueueDoesNotExist,           // QueueDoesNotExist / AWS.SimpleQueueService.NonExistentQueue
  kQueueNameExists,             // QueueAlreadyExists
  kInvalidAttributeName,        // InvalidAttributeName
  kReceiptHandleIsInvalid,      // ReceiptHandleIsInvalid
  kMissingParameter,            // MissingParameter
  kInvalidParameterValueQuery,  // InvalidParameterValue (query-protocol wording)
  kEmptyBatchRequest,           // EmptyBatchRequest
  kTooManyEntriesInBatchRequest,
  kBatchEntryIdsNotDistinct,
  kInvalidBatchEntryId,
  kPurgeQueueInProgress,
  kInvalidAction,           // InvalidAction (query protocol: unknown Action)
  kInvalidAttributeValue,   // InvalidAttributeValue (SQS queue attribute out of range)
  kMessageNotInflight,      // MessageNotInflight / AWS.SimpleQueueService.MessageNotInflight
  kInvalidMessageContents,  // InvalidMessageContents (characters SQS does not accept)
  kBatchRequestTooLong,     // BatchRequestTooLong / AWS.SimpleQueueService.BatchRequestTooLong
  kUnsupportedOperation,    // UnsupportedOperation / AWS.SimpleQueueService.UnsupportedOperation
  // SNS.
  kNotFound,          // NotFound (SNS topic/subscription)
  kInvalidParameter,  // InvalidParameter (SNS)
  // CloudWatch Logs.
  kInvalidParameterException,  // InvalidParameterException (also Logs' model validation)
  kResourceAlreadyExists,      // ResourceAlreadyExistsException
  kOperationAborted,           // OperationAbortedException
  kTooManyTags,                // TooManyTagsException
};

// Success, or an AwsError with AWS's message text. `details` carries extra members that
// some errors put in their body (CancellationReasons, Item).
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(AwsError code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == AwsError::kOk; }
  AwsError code() const { return code_; }
  const std::string& message() const { return message_; }
  const nlohmann::json& details() const { return details_; }
  Status& WithDetails(nlohmann::json details) {
    details_ = std::move(details);
    return *this;
  }

 private:
  AwsError code_ = AwsError::kOk;
  std::string message_;
  nlohmann::json details_;
};

inline Status ValidationError(std::string message) {
  return {AwsError::kValidation, std::move(message)};
}

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "a Result's Status must be an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  Status take_status() && { return ok() ? Status() : std::move(std::get<Status>(v_)); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace streamstack

// Returns the Status of an expression that yields a Status, when it is an error.
#define STREAMSTACK_RETURN_IF_ERROR(expr)                      \
  do {                                                         \
    ::streamstack::Status streamstack_status_ = (expr);        \
    if (!streamstack_status_.ok()) return streamstack_status_; \
  } while (0)

// Declares (or assigns) `lhs` from an expression that yields a Result, or returns the
// Result's Status when it is an error:
//   STREAMSTACK_ASSIGN_OR_RETURN(auto group, LoadGroup(db, name));
//   STREAMSTACK_ASSIGN_OR_RETURN(bool found, st.Step());
// For functions that return a Status or a Result; `lhs` may not contain unparenthesized
// commas.
#define STREAMSTACK_ASSIGN_OR_RETURN(lhs, expr) \
  STREAMSTACK_ASSIGN_OR_RETURN_IMPL_(STREAMSTACK_CONCAT_(streamstack_result_, __LINE__), lhs, expr)
#define STREAMSTACK_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                       \
  if (!result.ok()) return std::move(result).take_status();   \
  lhs = std::move(result).value()
#define STREAMSTACK_CONCAT_(a, b) STREAMSTACK_CONCAT_INNER_(a, b)
#define STREAMSTACK_CONCAT_INNER_(a, b) a##b
