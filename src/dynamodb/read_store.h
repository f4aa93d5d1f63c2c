// Query, Scan and BatchGetItem: request validation with AWS's texts, then a walk over the
// items table (or an index's entries) through SQLite's clustered primary key -- a Query is
// one seek plus a range walk of at most Limit rows, never a table scan. Private to the
// dynamodb module. Functions run on the caller's thread with a reader connection.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "streamstack/dynamodb/expression.h"
#include "streamstack/dynamodb/table_store.h"
#include "streamstack/storage/store.h"

namespace streamstack::dynamodb {

// DynamoDB's limit on the data one Query or Scan page reads.
inline constexpr int64_t kMaxPageBytes = 1024 * 1024;
// DynamoDB's limit on a BatchGetItem response.
inline constexpr int64_t kMaxBatchGetResponseBytes = 16 * 1024 * 1024;

// ExpressionAttributeNames/Values of a request checked as every operation checks them (not
// empty; only with an expression), as a parse context.
Result<ExpressionContext> MakeExpressionContext(const ExpressionInput& in);

// Whether the request carries any expression its ExpressionAttributeNames/Values could serve.
bool HasExpression(const ExpressionInput& in);

// A transaction's action (TransactWriteItems' Put and Delete, TransactGetItems' Get) with no
// expression: AWS takes ExpressionAttributeNames and ExpressionAttributeValues with it and
// ignores them, where the single-item operations refuse them (ExtendDB's transaction tests,
// recorded against DynamoDB). Drops them so; an action with an expression keeps them, and
// unused ones are refused as anywhere.
void IgnoreMapsWithoutExpression(ExpressionInput& in);

// AWS parses a request's expressions before it looks for the table: the answer for a table
// that does not exist when the expressions are at fault (empty, syntax, unused
// ExpressionAttributeNames/Values; dynalite test/*.js), else Ok. The expressions are parsed
// in AWS's order: key condition, update, condition, filter, projection.
Status CheckExpressionsWithoutTable(const ExpressionInput& in);

// A projection, filter or update may not look inside a key attribute of the table
// ("Key: <name>") or of one of its indexes ("IndexKey: <name>"), as AWS answers it (dynalite's
// getItem, query, scan and updateItem tests, recorded against DynamoDB).
Status CheckKeyAttributesScalar(const TableDefinition& table,
                                const std::vector<DocumentPath>& paths);

// A Scan's Segment and TotalSegments as AWS checks them: each in range, both or neither, and
// Segment below TotalSegments. The request's own, so also answered for a missing table.
Status CheckSegments(const ScanRequest& request);

Result<ReadPage> RunQuery(storage::Store& store, const TableDefinition& table,
                          const QueryRequest& request);
Result<ReadPage> RunScan(storage::Store& store, const TableDefinition& table,
                         const ScanRequest& request);

using TableLookup = std::function<std::shared_ptr<const TableDefinition>(const std::string&)>;
Result<BatchGetResult> RunBatchGet(storage::Store& store, const TableLookup& find_table,
                                   const BatchGetRequest& request);

}  // namespace streamstack::dynamodb
