// api: DynamoDB's legacy (pre-expression) request parameters (KeyConditions, QueryFilter,
// ScanFilter, Expected, ConditionalOperator, AttributesToGet, AttributeUpdates), rewritten
// into the expression parameters the core evaluates. Pure functions of the request JSON:
// no store, no I/O; callable from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/attribute_value.h"

namespace streamstack::api {

using dynamodb::ValueWording;

// The request shapes that carry legacy parameters (botocore: GetItemInput, KeysAndAttributes
// of BatchGetItem, PutItemInput, UpdateItemInput, DeleteItemInput, QueryInput, ScanInput).
enum class LegacyShape {
  kGetItem,
  kKeysAndAttributes,
  kPutItem,
  kUpdateItem,
  kDeleteItem,
  kQuery,
  kScan
};

// Returns `request` with its legacy parameters removed and replaced by the equivalent
// expression parameters: KeyConditions -> KeyConditionExpression, QueryFilter / ScanFilter
// (+ ConditionalOperator) -> FilterExpression, Expected (+ ConditionalOperator) ->
// ConditionExpression, AttributesToGet -> ProjectionExpression, AttributeUpdates ->
// UpdateExpression. Every attribute name and value goes through generated placeholders
// ("#legacyN", ":legacyN") that collide with none of the request's own. A request without
// legacy parameters comes back unchanged.
//
// Errors are AWS's: ValidationException for a legacy parameter mixed with its expression
// counterpart, a bad ComparisonOperator / AttributeValueList, a bad AttributeUpdates action,
// ExpressionAttributeNames/Values without any expression, and so on; SerializationException
// for a member of the wrong JSON type.
// `max_key_conditions`: how many KeyConditions a Query may give (AWS: "Conditions can be of
// length 1 or 2 only"; a GSI with a multi-attribute key takes one per key attribute, up to
// eight, which the caller that knows the index passes).
Result<nlohmann::json> TranslateLegacyParameters(LegacyShape shape, nlohmann::json request,
                                                 size_t max_key_conditions = 2);

// The request-level rules on expression parameters, whether or not legacy ones are present
// (AWS checks them before it looks at the table or the key): a legacy parameter beside its
// expression counterpart, ExpressionAttributeNames without any expression,
// ExpressionAttributeValues without an expression that takes values. TranslateLegacyParameters
// runs it first.
Status CheckExpressionParameters(LegacyShape shape, const nlohmann::json& request);
// The expressions a request (or a transaction's item) sends, each at most 4 KB, as AWS checks
// them (ExtendDB's tests, captured from DynamoDB). CheckExpressionParameters runs it.
Status CheckExpressionSizes(const nlohmann::json& request);
// Query and Scan: the attribute values of the ExclusiveStartKey, checked among the request's
// own checks where AWS checks them (TranslateLegacyParameters runs it after the filter and
// AttributesToGet, before KeyConditions), with AWS's "The provided starting key is invalid: "
// on the errors that carry it; read in `wording`'s layer (Query current, Scan older).
Status CheckStartKeyValues(const nlohmann::json& request, ValueWording wording);
// The layer an operation reads its values in (dynamodb::ValueWording): Scan the older one, the
// other shapes the current one.
ValueWording WordingOf(LegacyShape shape);
// Whether `request` names any legacy member of `shape`, even as null: only such a request
// needs TranslateLegacyParameters (every other one it returns unchanged), so readers that
// hold a const request can skip copying it.
bool MentionsLegacyParameters(LegacyShape shape, const nlohmann::json& request);

}  // namespace streamstack::api
