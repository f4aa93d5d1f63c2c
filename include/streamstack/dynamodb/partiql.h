// dynamodb: PartiQL for DynamoDB -- ExecuteStatement, BatchExecuteStatement and
// ExecuteTransaction for SELECT, INSERT, UPDATE and DELETE. A statement is parsed and then
// translated into TableStore's own requests (Query / Scan / GetItem, PutItem / UpdateItem /
// DeleteItem, TransactWriteItems / TransactGetItems), so PartiQL writes take the one write
// path and produce the same stream records as any other write. No HTTP here.
// Thread safety: as TableStore. Writes complete on the storage writer thread (`done` runs
// there); reads complete on the caller's thread before the call returns.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/attribute_value.h"
#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

struct PartiqlStatement {
  std::string statement;
  std::vector<AttributeValue> parameters;
  bool consistent_read = false;
  std::optional<int64_t> limit;           // SELECT: items to evaluate
  std::optional<std::string> next_token;  // SELECT: where the previous page stopped
  bool return_old_on_condition_failure = false;
  // Not ok: a parameter that could not be read as an AttributeValue
  // (AttributeValue::FromPartiqlParameterJson's error). The statement answers it:
  // BatchExecuteStatement in the statement's own entry, the others for the whole request.
  Status parameter_error = Status::Ok();
};

struct PartiqlResult {
  std::string table_name;
  std::vector<Item> items;  // SELECT's items, or a write's RETURNING image
  std::optional<std::string> next_token;
  std::optional<Item> last_evaluated_key;
  ConsumedCapacity consumed;  // as the Query, Scan or item write it ran consumed
};

// One entry of BatchExecuteStatement's answer: an item, nothing, or an error.
struct PartiqlBatchResponse {
  std::string table_name;
  std::optional<Item> item;
  Status error;               // ok unless this statement failed
  ConsumedCapacity consumed;  // what a statement that succeeded consumed
};

// ExecuteTransaction's answer: one entry per statement for reads (nullopt: no such item),
// none for writes, and the capacity per table of the TransactGetItems or TransactWriteItems
// it ran.
struct PartiqlTransactionResult {
  std::vector<std::optional<Item>> items;
  bool reads = false;
  std::vector<ConsumedCapacity> consumed;
};

class PartiqlExecutor {
 public:
  explicit PartiqlExecutor(TableStore& tables) : tables_(tables) {}

  using StatementDone = std::function<void(Result<PartiqlResult>)>;
  void ExecuteStatement(PartiqlStatement statement, StatementDone done);

  // Up to 25 statements, all reads (SELECT naming one item by its full key) or all writes;
  // each succeeds or fails on its own.
  using BatchDone = std::function<void(Result<std::vector<PartiqlBatchResponse>>)>;
  void BatchExecuteStatement(std::vector<PartiqlStatement> statements, BatchDone done);

  // Up to 100 statements, all reads (one snapshot) or all writes (all or nothing,
  // TransactionCanceledException with one reason per statement). Writes answer an empty list,
  // reads one entry per statement (nullopt: no such item), as AWS does.
  using TransactionDone = std::function<void(Result<PartiqlTransactionResult>)>;
  // `client_request_token` and `fingerprint` (the statements, canonically written) make a write
  // transaction idempotent as TransactWriteRequest's do.
  void ExecuteTransaction(std::vector<PartiqlStatement> statements, TransactionDone done,
                          std::optional<std::string> client_request_token = std::nullopt,
                          std::string fingerprint = {});

 private:
  TableStore& tables_;
};

}  // namespace streamstack::dynamodb
