// dynamodb: TableStore, the tables of one account and region: their definitions (control
// plane) and their items (data plane). Every item change and its stream record are written
// in one storage write job, so one never exists without the other. Uses storage, streams
// and the data model (attribute_value.h, expression.h); knows nothing of HTTP.
// Thread safety: every method may be called from any thread. Item writes complete
// asynchronously on the storage writer thread (group commit); `done` runs there.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/dynamodb/attribute_value.h"
#include "streamstack/dynamodb/expression.h"
#include "streamstack/storage/store.h"
#include "streamstack/streams/stream_store.h"

namespace streamstack::dynamodb {

// --- Table definitions ----------------------------------------------------------------

struct AttributeDefinition {
  std::string name;
  std::string type;  // "S", "N", "B"
};
struct KeySchemaElement {
  std::string name;
  std::string key_type;  // "HASH", "RANGE"
};
struct ProvisionedThroughput {
  int64_t read_capacity_units = 0;
  int64_t write_capacity_units = 0;
};
struct StreamSpecification {
  bool enabled = false;
  std::optional<std::string> view_type;  // "NEW_IMAGE", ...
};
// A secondary index as declared (maintained by the reads issue; stored and described here).
struct SecondaryIndex {
  std::string name;
  std::vector<KeySchemaElement> key_schema;
  nlohmann::json projection;  // {"ProjectionType": ..., "NonKeyAttributes": [...]}
  std::optional<ProvisionedThroughput> throughput;
};
struct Tag {
  std::string key;
  std::string value;
};

struct CreateTableRequest {
  std::string table_name;
  std::vector<AttributeDefinition> attribute_definitions;
  std::vector<KeySchemaElement> key_schema;
  std::optional<std::string> billing_mode;  // PROVISIONED (default) or PAY_PER_REQUEST
  std::optional<ProvisionedThroughput> provisioned_throughput;
  std::optional<std::vector<SecondaryIndex>> global_secondary_indexes;
  std::optional<std::vector<SecondaryIndex>> local_secondary_indexes;
  std::optional<StreamSpecification> stream_specification;
  std::vector<Tag> tags;
  bool deletion_protection_enabled = false;
  std::optional<std::string> table_class;
};

struct UpdateTableRequest {
  std::string table_name;
  std::optional<std::vector<AttributeDefinition>> attribute_definitions;
  std::optional<std::string> billing_mode;
  std::optional<ProvisionedThroughput> provisioned_throughput;
  std::optional<StreamSpecification> stream_specification;
  std::optional<bool> deletion_protection_enabled;
  std::optional<std::string> table_class;
  bool has_global_secondary_index_updates = false;  // accepted, applied by the reads issue
};

// The key of a table in the form the data plane needs.
struct KeyAttribute {
  std::string name;
  AttributeType type = AttributeType::kS;  // kS, kN or kB
};

// Everything a table is, as stored. Immutable once published (shared between threads).
struct TableDefinition {
  int64_t table_id = 0;  // internal key
  std::string name;
  std::string table_uuid;  // TableId
  std::string arn;
  int64_t created_ms = 0;
  std::vector<AttributeDefinition> attribute_definitions;
  std::vector<KeySchemaElement> key_schema;
  KeyAttribute hash_key;
  std::optional<KeyAttribute> range_key;
  std::string billing_mode = "PROVISIONED";
  ProvisionedThroughput throughput;
  int64_t billing_mode_changed_ms = 0;
  std::vector<SecondaryIndex> global_secondary_indexes;
  std::vector<SecondaryIndex> local_secondary_indexes;
  std::vector<Tag> tags;
  bool deletion_protection_enabled = false;
  std::string table_class = "STANDARD";
  // The latest stream (enabled or not); stream_id 0 when the table never had one.
  bool stream_enabled = false;
  streams::StreamViewType stream_view_type = streams::StreamViewType::kNewAndOldImages;
  int64_t stream_id = 0;
  std::string latest_stream_arn;
  std::string latest_stream_label;
  // Time to live (UpdateTimeToLive).
  std::string ttl_attribute;
  bool ttl_enabled = false;

  std::vector<std::string> KeyNames() const;
};

enum class TableStatus { kCreating, kActive, kUpdating, kDeleting };
const char* TableStatusName(TableStatus status);

struct TableDescription {
  std::shared_ptr<const TableDefinition> definition;
  TableStatus status = TableStatus::kActive;
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

struct ListTablesResult {
  std::vector<std::string> table_names;
  std::optional<std::string> last_evaluated_table_name;
};

// --- Items -----------------------------------------------------------------------------

enum class ReturnValues { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

// The expressions of one item request with their names and values. Parsed before the
// request reaches the writer thread.
struct ExpressionInput {
  std::optional<std::string> condition_expression;
  std::optional<std::string> update_expression;     // UpdateItem
  std::optional<std::string> projection_expression;  // GetItem / TransactGet
  std::optional<std::map<std::string, std::string>> names;
  std::optional<std::map<std::string, AttributeValue>> values;
};

struct PutItemRequest {
  std::string table_name;
  Item item;
  ExpressionInput expressions;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
};
struct UpdateItemRequest {
  std::string table_name;
  Item key;
  ExpressionInput expressions;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
};
struct DeleteItemRequest {
  std::string table_name;
  Item key;
  ExpressionInput expressions;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
};
struct GetItemRequest {
  std::string table_name;
  Item key;
  ExpressionInput expressions;  // projection only
};

// What a write returns: the attributes ReturnValues asked for (absent when none).
struct WriteOutcome {
  std::optional<Item> attributes;
};

struct BatchWriteRequest {
  struct Entry {
    std::string table_name;
    bool is_put = true;
    Item item;  // the item to put, or the key to delete
  };
  std::vector<Entry> entries;
};

struct TransactWriteRequest {
  struct Action {
    enum class Kind { kPut, kUpdate, kDelete, kConditionCheck } kind = Kind::kPut;
    std::string table_name;
    Item item;  // Put: the item; others: the key
    ExpressionInput expressions;
    bool return_old_on_condition_failure = false;
  };
  std::vector<Action> actions;
};

struct TransactGetRequest {
  struct Get {
    std::string table_name;
    Item key;
    ExpressionInput expressions;  // projection only
  };
  std::vector<Get> gets;
};

class TableStore {
 public:
  TableStore(storage::Store& store, streams::StreamStore& streams, const Clock& clock,
             AccountScope scope);
  ~TableStore();
  TableStore(const TableStore&) = delete;
  TableStore& operator=(const TableStore&) = delete;

  // Creates the schema and loads the table definitions. Call once at startup.
  Status Open();

  // Control plane. Validates as AWS does; answers with AWS's errors.
  Result<TableDescription> CreateTable(const CreateTableRequest& request);
  Result<TableDescription> DescribeTable(const std::string& table_name) const;
  Result<TableDescription> UpdateTable(const UpdateTableRequest& request);
  Result<TableDescription> DeleteTable(const std::string& table_name);
  Result<ListTablesResult> ListTables(const std::optional<std::string>& exclusive_start,
                                      std::optional<int> limit) const;
  // The published definition of a table, or nullptr.
  std::shared_ptr<const TableDefinition> FindTable(const std::string& table_name) const;

  // Data plane. Writes complete on the storage writer thread after their group commits.
  using WriteDone = std::function<void(Result<WriteOutcome>)>;
  void PutItem(PutItemRequest request, WriteDone done);
  void UpdateItem(UpdateItemRequest request, WriteDone done);
  void DeleteItem(DeleteItemRequest request, WriteDone done);
  // Runs every put and delete in one write job. (AWS may leave some unprocessed under
  // throttling; a local table never does, so UnprocessedItems is always empty.)
  void BatchWriteItem(BatchWriteRequest request, std::function<void(Status)> done);
  // All or nothing: TransactionCanceledException with one CancellationReason per action.
  void TransactWriteItems(TransactWriteRequest request, std::function<void(Status)> done);

  // Reads run on the caller's thread with a reader connection. The item, or nullopt.
  Result<std::optional<Item>> GetItem(const GetItemRequest& request) const;
  // One snapshot for all gets; a missing item is nullopt.
  Result<std::vector<std::optional<Item>>> TransactGetItems(
      const TransactGetRequest& request) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamstack::dynamodb
