// dynamodb (private): the control plane's checks and plans, decided before anything is
// written: a CreateTable request turned into the definition it creates, an UpdateTable
// request applied to a copy of the table's definition, each with AWS's errors and texts.
// No SQL here (table_control.cc writes what these plan). Pure functions, any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/common/ids.h"
#include "streamstack/common/status.h"
#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

inline constexpr size_t kMaxGlobalSecondaryIndexes = 20;
inline constexpr size_t kMaxLocalSecondaryIndexes = 5;

// TableName: 3-255 characters of [a-zA-Z0-9_.-] (constraint errors on "tableName").
Status ValidateTableName(const std::string& name);
// AttributeDefinitions: types S, N or B; no name twice.
Status ValidateAttributeDefinitions(const std::vector<AttributeDefinition>& definitions);
// A global secondary index's key may have up to four partition (HASH) and four sort (RANGE)
// attributes (multi-attribute keys); a table's and an LSI's keep one of each.
inline constexpr size_t kMaxIndexKeyAttributes = 4;

// A table's or an LSI's key schema (`member` names it in constraint errors): one HASH, then at
// most one RANGE, checked against the attribute definitions as CreateTable checks it.
Status ValidateKeySchema(const std::vector<KeySchemaElement>& key_schema,
                         const std::vector<AttributeDefinition>& definitions,
                         const std::string& member);
// A GSI's key schema: one to four HASH elements, then up to four RANGE elements, no attribute
// twice, each defined (CreateTable, and UpdateTable's Create).
Status ValidateGlobalIndexKeySchema(const std::vector<KeySchemaElement>& key_schema,
                                    const std::vector<AttributeDefinition>& definitions,
                                    const std::string& member);
// Both capacity units at least 1 (`member` names the throughput in constraint errors).
Status ValidateThroughput(const ProvisionedThroughput& t, const std::string& member);
// The view type a StreamSpecification enables, nullopt when it disables the stream.
Result<std::optional<streams::StreamViewType>> ValidateStreamSpecification(
    const StreamSpecification& spec, bool creating);

// The ARN of the KMS key an SSESpecification names: the account's AWS managed key
// (alias/aws/dynamodb, a stable id derived from the account and region) when it names none.
std::string KmsMasterKeyArn(const AccountScope& scope, const std::optional<std::string>& id);

// What CreateTable creates: the complete definition (no table_id, stream or index ids yet:
// the write job assigns them) and the stream to open with it.
struct CreateTablePlan {
  std::shared_ptr<TableDefinition> definition;
  std::optional<streams::StreamViewType> stream_view_type;  // nullopt: no stream
};
// Every check of CreateTable in AWS's order; the first fault answers.
Result<CreateTablePlan> PlanCreateTable(const CreateTableRequest& request,
                                        const AccountScope& scope, int64_t now_ms);

// The provisioned capacity a table reserves of its account's: its own and its global
// secondary indexes' (none on demand).
ProvisionedThroughput ReservedCapacity(const TableDefinition& def);
// A table's capacity `requested` within the account's 80000 read and write units (AWS's
// default quota, as DescribeLimits answers it) beside the capacity `reserved` by the tables
// there are: LimitExceededException "This request would have caused the ReadCapacityUnits
// limit to be exceeded for the account in <region>. Current ReadCapacityUnits reserved by the
// account: <n>. Limit: 80000. Requested: <m>. Refer to ..." (recorded for CreateTable,
// ack-api-quirks DDB-TABLE-171 and -443). A new table (CreateTable, a restore) requests its
// ReservedCapacity, an UpdateTable its CapacityIncrease: DescribeLimits' reference holds every
// table to the account's quotas ("the aggregate provisioned capacity over all your tables and
// GSIs cannot exceed either of the per-account quotas"); that AWS words an update's refusal
// as a new table's, and counts its increase as "Requested", is assumed.
Status CheckAccountCapacity(const ProvisionedThroughput& reserved,
                            const ProvisionedThroughput& requested, const std::string& region);
// What `after` reserves beyond `before` (each of reads and writes, none for a decrease).
ProvisionedThroughput CapacityIncrease(const TableDefinition& before, const TableDefinition& after);

// What UpdateTable changes: `definition` is the table's definition with the request applied
// (index ids of a created index still 0).
struct UpdateTablePlan {
  enum class StreamChange { kNone, kEnable, kDisable };
  std::shared_ptr<TableDefinition> definition;
  StreamChange stream_change = StreamChange::kNone;
  std::optional<streams::StreamViewType> stream_view_type;  // kEnable's
  std::optional<SecondaryIndex> created_index;              // backfilled by the write job
  std::optional<SecondaryIndex> deleted_index;
  // The table's status while the update runs: ACTIVE when it only changes deletion
  // protection, encryption, warm throughput or on-demand throughput.
  TableStatus status = TableStatus::kUpdating;
  ValuesBeforeChange before_change;       // shown until the change is done
  bool becoming_pay_per_request = false;  // switches the table to PAY_PER_REQUEST
  // BillingMode PAY_PER_REQUEST again and nothing else that updates the table: answered
  // UPDATING, but the table stays ACTIVE (recorded, ack-api-quirks DDB-TABLE-156, -410).
  bool updating_in_answer_only = false;
  std::optional<OnDemandThroughput> on_demand_answer;  // with -1 for a cleared member
};
// UpdateTable's checks of the request alone, answered before the table is looked up (as AWS
// does): something to change, capacity with BillingMode PROVISIONED and within bounds, one
// index update per index.
Status CheckUpdateTableRequest(const UpdateTableRequest& request);
// Every check of UpdateTable against the table as it is now, in AWS's order. `warm_described`:
// while a warm throughput increase is under way, the values it still describes.
Result<UpdateTablePlan> PlanUpdateTable(
    const TableDefinition& current, const UpdateTableRequest& request, const AccountScope& scope,
    int64_t now_ms, const std::optional<WarmThroughputValues>& warm_described = std::nullopt);

}  // namespace streamstack::dynamodb
