// dynamodb (private): the rules of a table's tags as AWS checks them on CreateTable,
// TagResource and UntagResource. Pure functions; any thread may call them.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

// AWS: "The maximum number of tags per resource is 50" (Tagging restrictions in DynamoDB).
inline constexpr size_t kMaxTagsPerTable = 50;

// Each tag's key (1-128 characters) and value (0-256), both of letters, numbers, white space
// and + - = . _ : / @; no key with AWS's reserved "aws:" prefix; no key twice. The first
// offence in request order answers, with AWS's ValidationException text ("The Tag Key
// provided is invalid, Key: <key>", "The Tag Value provided is invalid, Value: <value>",
// "Tag Key cannot be prefixed with aws:, Key: <key>", "Duplicate Tag Keys provided as input:
// Duplicate Tag Key found <key>").
Status ValidateTags(const std::vector<Tag>& tags);

// UntagResource's keys: each 1-128 characters ("The Tag Key provided is invalid, Key: <key>"),
// at most 50 of them.
Status ValidateTagKeys(const std::vector<std::string>& keys);

// ValidationException "Number of Tags exceed the current limit for the provided ResourceArn"
// when a table would carry more than 50 tags (AWS counts the set after the change).
Status CheckTagCount(size_t count);

}  // namespace streamstack::dynamodb
