// How a TableDefinition is persisted (JSON text in dynamodb_tables.definition). Private to
// the dynamodb module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

std::string EncodeTableDefinition(const TableDefinition& def);
// table_id is not part of the text; the caller sets it.
Result<TableDefinition> DecodeTableDefinition(std::string_view text);
// [{"AttributeName": ..., "KeyType": ...}, ...] as DescribeStream and DescribeTable show it.
nlohmann::json KeySchemaJson(const std::vector<KeySchemaElement>& key_schema);

}  // namespace streamstack::dynamodb
