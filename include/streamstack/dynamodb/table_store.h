// dynamodb: TableStore, the tables of one account and region: their definitions (control
// plane) and their items (data plane). Every item change, its secondary index entries, its
// TTL expiry and its stream record are written in one storage write job, so none exists
// without the others. Reads seek SQLite's clustered keys (a Query never scans). Uses
// storage, streams and the data model (attribute_value.h, expression.h); knows nothing of HTTP.
// Thread safety: every method may be called from any thread. Writes (items, and tables,
// tags and TTL settings through the methods that take a `done`) complete asynchronously
// after their group commit; `done` runs on the storage completion thread (never on the
// writer thread, which only writes), or at once on the caller's thread for a request
// refused before it reached storage. Nothing waits for the writer except the synchronous
// control-plane forms, meant for startup and tests.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
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
// OnDemandThroughput: the most read and write request units an on-demand table (or index) may
// use; a member left out is unlimited. UpdateTable merges member by member, -1 clearing one.
struct OnDemandThroughput {
  std::optional<int64_t> max_read_request_units;
  std::optional<int64_t> max_write_request_units;
  bool Empty() const { return !max_read_request_units && !max_write_request_units; }
  bool operator==(const OnDemandThroughput&) const = default;
};
struct StreamSpecification {
  bool enabled = false;
  std::optional<std::string> view_type;  // "NEW_IMAGE", ...
};
// How far the backfill of a global secondary index UpdateTable created has come: the table
// key (as stored, key order) of the last item it has indexed.
struct BackfillPosition {
  std::string after_pk;
  std::string after_sk;
};
// WarmThroughput of CreateTable and UpdateTable, a table's or an index's.
struct WarmThroughput {
  std::optional<int64_t> read_units_per_second;
  std::optional<int64_t> write_units_per_second;
  bool Empty() const { return !read_units_per_second && !write_units_per_second; }
};
// The provisioned capacity decreases of a table or of a global secondary index in the current
// UTC day: AWS takes 4, then one an hour (Service Quotas: "Decreasing provisioned capacity"),
// each index on a budget of its own (recorded, ack-api-quirks' GSI decrease budget finding).
struct CapacityDecreases {
  int64_t day_start_ms = 0;  // 00:00 UTC of the day counted
  int64_t count = 0;
  int64_t last_decrease_ms = 0;
  // 00:00 UTC of the day `ms` is in.
  static int64_t DayStart(int64_t ms) { return ms - ms % (int64_t{24} * 60 * 60 * 1000); }
  // The decreases of the day `now_ms` is in (0 once the counted day is over).
  int64_t Today(int64_t now_ms) const { return day_start_ms == DayStart(now_ms) ? count : 0; }
};
// TableClassSummary as DescribeTable shows it.
struct TableClassSummary {
  std::string table_class;
  int64_t last_update_ms = 0;  // 0: never updated (no LastUpdateDateTime)
};
// A secondary index as declared. Its entries live beside the items and are written in the
// same transaction as the item they come from.
struct SecondaryIndex {
  std::string name;
  std::vector<KeySchemaElement> key_schema;
  nlohmann::json projection;  // {"ProjectionType": ..., "NonKeyAttributes": [...]}
  std::optional<ProvisionedThroughput> throughput;
  OnDemandThroughput on_demand_throughput;  // stored and described, not enforced
  int64_t index_id = 0;  // internal key of its entries and counters (0 until stored)
  // WarmThroughput as CreateTable or an index Update asked for it; nullopt: the index's default
  // (on demand 12000 reads and 4000 writes per second, else its provisioned capacity).
  std::optional<int64_t> warm_read_units_per_second;
  std::optional<int64_t> warm_write_units_per_second;
  // Set while the index is backfilling (IndexStatus CREATING, Backfilling true): item writes
  // keep its entries up to this position, the backfill writes the rest. Unset once complete.
  std::optional<BackfillPosition> backfill;
  // A global secondary index's own provisioned capacity changes: when UpdateTable last raised
  // it (0: never), and its decreases of the day.
  int64_t last_capacity_increase_ms = 0;
  CapacityDecreases capacity_decreases;
};

// One entry of UpdateTable's GlobalSecondaryIndexUpdates.
struct GlobalSecondaryIndexUpdate {
  enum class Action { kCreate, kUpdate, kDelete } action = Action::kCreate;
  SecondaryIndex index;  // Create: all of it; Update: name + throughput; Delete: name
  // Update: the index's on-demand limits (merged as UpdateTable merges the table's) and warm
  // throughput (raised only), when the request names them.
  std::optional<OnDemandThroughput> on_demand_throughput = std::nullopt;
  std::optional<WarmThroughput> warm_throughput = std::nullopt;
};
struct Tag {
  std::string key;
  std::string value;
};

// SSESpecification of CreateTable. Enabled true is encryption with a KMS key: the account's AWS
// managed key (alias/aws/dynamodb) unless KMSMasterKeyId names another.
struct SseSpecification {
  std::optional<bool> enabled;
  std::optional<std::string> sse_type;  // AES256 or KMS
  std::optional<std::string> kms_master_key_id;
};

// A table's warm throughput as DescribeTable shows it.
struct WarmThroughputValues {
  int64_t read_units_per_second = 0;
  int64_t write_units_per_second = 0;
  bool operator==(const WarmThroughputValues&) const = default;
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
  std::optional<SseSpecification> sse_specification;
  std::optional<WarmThroughput> warm_throughput;
  std::optional<OnDemandThroughput> on_demand_throughput;
  // A resource-based policy attached as the table is created (as PutResourcePolicy would).
  std::optional<std::string> resource_policy;
};

struct UpdateTableRequest {
  std::string table_name;
  std::optional<std::vector<AttributeDefinition>> attribute_definitions;
  std::optional<std::string> billing_mode;
  std::optional<ProvisionedThroughput> provisioned_throughput;
  std::optional<StreamSpecification> stream_specification;
  std::optional<bool> deletion_protection_enabled;
  std::optional<std::string> table_class;
  std::optional<std::vector<GlobalSecondaryIndexUpdate>> global_secondary_index_updates;
  std::optional<SseSpecification> sse_specification;
  std::optional<WarmThroughput> warm_throughput;
  std::optional<OnDemandThroughput> on_demand_throughput;
  // A global table's consistency mode: read only for the answer to a request that has nothing
  // else (this server keeps no replicas).
  std::optional<std::string> multi_region_consistency;
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
  // When the table last became PAY_PER_REQUEST (created so, or switched to it; 0: never), which
  // AWS keeps describing after a switch back to PROVISIONED (recorded, ack-api-quirks
  // DDB-TABLE-055, -183).
  int64_t last_update_to_ppr_ms = 0;
  // Limits of an on-demand table (stored and described; StreamStack does not throttle).
  OnDemandThroughput on_demand_throughput;
  std::vector<SecondaryIndex> global_secondary_indexes;
  std::vector<SecondaryIndex> local_secondary_indexes;
  bool deletion_protection_enabled = false;
  std::string table_class = "STANDARD";
  // Whether CreateTable named the class (then DescribeTable shows TableClassSummary, even for
  // STANDARD; recorded, ack-api-quirks DDB-TABLE-026).
  bool table_class_named = false;
  // The KMS key of SSE (SSEDescription.KMSMasterKeyArn); empty for the AWS owned key, which
  // DescribeTable does not describe.
  std::string sse_kms_master_key_arn;
  // The encryption changes (UpdateTable SSESpecification) of the current 24-hour window, which
  // opens at the first change: AWS takes 4, then one per 6 hours until the window ends.
  struct EncryptionChanges {
    int64_t window_start_ms = 0;  // 0: no window open
    int64_t count = 0;
    int64_t last_change_ms = 0;
  } sse_changes;
  // When UpdateTable last changed the TableClass, the latest first (0: not): AWS takes 2 in 30
  // days; the latest is TableClassSummary's LastUpdateDateTime.
  std::array<int64_t, 2> table_class_updates_ms{};
  // When UpdateTable last raised the table's provisioned capacity (0: never).
  int64_t last_capacity_increase_ms = 0;
  CapacityDecreases capacity_decreases;
  // WarmThroughput as CreateTable asked for it; 0 when it did not (the table's default then:
  // its provisioned capacity, or 12000 reads and 4000 writes per second on demand).
  int64_t warm_read_units_per_second = 0;
  int64_t warm_write_units_per_second = 0;
  // The latest stream (enabled or not); stream_id 0 when the table never had one.
  bool stream_enabled = false;
  streams::StreamViewType stream_view_type = streams::StreamViewType::kNewAndOldImages;
  int64_t stream_id = 0;
  std::string latest_stream_arn;
  std::string latest_stream_label;
  // Time to live (UpdateTimeToLive).
  std::string ttl_attribute;
  bool ttl_enabled = false;
  int64_t ttl_updated_ms = 0;  // when UpdateTimeToLive last changed it (0: never)
  // When UpdateTable last changed DeletionProtectionEnabled (0: never).
  int64_t deletion_protection_changed_ms = 0;
  // Point-in-time recovery (UpdateContinuousBackups). While enabled, every item change also
  // records the item as it was before, in the same transaction (the table's history), so a
  // restore can undo the changes after any instant of the window.
  bool pitr_enabled = false;
  int64_t pitr_recovery_period_days = 35;
  int64_t pitr_enabled_ms = 0;  // when it was (last) enabled: the window never starts before
  // RestoreSummary of a table that a restore created (restore_ms 0 for any other table).
  std::string restore_source_backup_arn;  // RestoreTableFromBackup
  std::string restore_source_table_arn;
  int64_t restore_ms = 0;  // RestoreDateTime: the instant of the source the items come from

  std::vector<std::string> KeyNames() const;
};

// The table's warm throughput: what CreateTable or UpdateTable asked for or the table had
// before a change (it only rises), at least on demand's 12000 reads and 4000 writes per second,
// else its provisioned capacity (as AWS describes it; recorded answers in LocalStack's tests
// and ack-api-quirks').
WarmThroughputValues WarmThroughputOf(const TableDefinition& t);
// An index's, likewise: its own, else on demand 12000/4000, else its provisioned capacity.
WarmThroughputValues WarmThroughputOf(const SecondaryIndex& index, const std::string& billing_mode);

enum class TableStatus { kCreating, kActive, kUpdating, kDeleting };
const char* TableStatusName(TableStatus status);

// ItemCount and IndexSizeBytes of one secondary index, and (a global one's)
// ProvisionedThroughput.NumberOfDecreasesToday.
struct IndexStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
  int64_t decreases_today = 0;
};

// The TableClassSummary of `def`: none for a table whose class was never named nor changed
// (AWS leaves it out: STANDARD), else its class and when UpdateTable last changed it.
std::optional<TableClassSummary> TableClassSummaryOf(const TableDefinition& def);

// The values AWS still describes while an UpdateTable change is under way, until it is done,
// and in UpdateTable's answer: those before the change. Each member is set by the change it
// names; an unset one describes the table as it is. A value; copied from the plan to the
// answer and to the table's transition.
struct ValuesBeforeChange {
  struct Capacity {
    ProvisionedThroughput units;
    int64_t decreases_today = 0;
  };
  // An encryption change (SSEDescription UPDATING): the key before it, empty for the AWS
  // owned key.
  std::optional<std::string> sse_kms_master_key_arn;
  // A change of the table's provisioned capacity: the units and the day's decreases (recorded,
  // ack-api-quirks DDB-TABLE-060, -184: the old units and counter, the new
  // LastIncrease/LastDecreaseDateTime).
  std::optional<Capacity> capacity;
  // Global secondary indexes an UpdateTable of their own capacity or on-demand limits is
  // updating: IndexStatus UPDATING, with the capacity before it (nullopt: on-demand limits,
  // described new at once), while the table stays ACTIVE (recorded, ack-api-quirks
  // DDB-TABLE-135, -148, -159).
  std::map<std::string, std::optional<Capacity>> index_capacity;
  // Global secondary indexes whose warm throughput is being raised: the values before it,
  // described with Status UPDATING while the index stays ACTIVE (recorded, DDB-TABLE-155).
  std::map<std::string, WarmThroughputValues> index_warm_throughput;
  // A table class change: the summary before it (the inner nullopt: none; recorded,
  // DDB-TABLE-284).
  std::optional<std::optional<TableClassSummary>> table_class;
  // A warm throughput increase (WarmThroughput UPDATING): the values before it.
  std::optional<WarmThroughputValues> warm_throughput;

  // Whether a change AWS applies without making the table UPDATING is still shown under way
  // (an encryption change, a warm throughput increase, an index's own update).
  bool ShowsIndexOrSettingUpdating() const {
    return sse_kms_master_key_arn || warm_throughput || !index_capacity.empty() ||
           !index_warm_throughput.empty();
  }
  // Adds what a later change shows: where both show a value, the earlier one's (what the
  // table had before either) stays.
  void MergeLater(const ValuesBeforeChange& later);
};

struct TableDescription {
  std::shared_ptr<const TableDefinition> definition;
  TableStatus status = TableStatus::kActive;
  int64_t item_count = 0;
  int64_t size_bytes = 0;
  std::map<std::string, IndexStats> index_stats;  // by index name
  // ProvisionedThroughput.NumberOfDecreasesToday: the table's decreases of this UTC day.
  int64_t decreases_today = 0;
  // UpdateTable's answer: the index it creates shows CREATING, the one it deletes (no longer
  // in the definition) DELETING; every other index is ACTIVE.
  std::optional<std::string> creating_index;
  std::optional<SecondaryIndex> deleting_index;
  // What changes under way still show until they are done, and UpdateTable's answer shows.
  ValuesBeforeChange before_change;
  // CreateTable's or UpdateTable's answer making the table PAY_PER_REQUEST: AWS's
  // BillingModeSummary there has no LastUpdateToPayPerRequestDateTime yet (recorded,
  // ack-api-quirks DDB-TABLE-033, -064).
  bool becoming_pay_per_request = false;
  // UpdateTable's answer to an OnDemandThroughput change: the limits with -1 for a member it
  // cleared, as AWS echoes them (DescribeTable then leaves the member out).
  std::optional<OnDemandThroughput> on_demand_answer;
};

struct ListTablesResult {
  std::vector<std::string> table_names;
  std::optional<std::string> last_evaluated_table_name;
};

// --- Items -----------------------------------------------------------------------------

enum class ReturnValues { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };

// PutItem and DeleteItem take ReturnValues NONE or ALL_OLD only: AWS's ValidationException
// otherwise (without the validation envelope; callers add it where AWS does). Any thread.
Status CheckOldOnlyReturnValues(ReturnValues return_values);

// The expressions of one item request with their names and values. Parsed before the
// request reaches the writer thread.
struct ExpressionInput {
  std::optional<std::string> condition_expression;
  std::optional<std::string> update_expression;         // UpdateItem
  std::optional<std::string> projection_expression;     // reads
  std::optional<std::string> key_condition_expression;  // Query
  std::optional<std::string> filter_expression;         // Query / Scan
  std::optional<std::map<std::string, std::string>> names;
  std::optional<std::map<std::string, AttributeValue>> values;
  // Query: key_condition_expression was written from legacy KeyConditions (see
  // KeyConditionChecks::from_key_conditions).
  bool from_key_conditions = false;
};

struct PutItemRequest {
  std::string table_name;
  Item item;
  ExpressionInput expressions;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
  bool return_item_collection_metrics = false;  // ReturnItemCollectionMetrics SIZE
};
struct UpdateItemRequest {
  std::string table_name;
  Item key;
  ExpressionInput expressions;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
  bool return_item_collection_metrics = false;  // ReturnItemCollectionMetrics SIZE
};
struct DeleteItemRequest {
  std::string table_name;
  Item key;
  ExpressionInput expressions;
  ReturnValues return_values = ReturnValues::kNone;
  bool return_old_on_condition_failure = false;
  bool return_item_collection_metrics = false;  // ReturnItemCollectionMetrics SIZE
};
struct GetItemRequest {
  std::string table_name;
  Item key;
  ExpressionInput expressions;   // projection only
  bool consistent_read = false;  // every read here is consistent; this sets the charge
};

// Capacity units one request consumed on one table, split as AWS's ConsumedCapacity reports
// them (the api decides which members a response shows). Values; capacity rules live in
// src/dynamodb/capacity.h.
struct CapacityUnits {
  double read = 0;
  double write = 0;
  double Total() const { return read + write; }
  CapacityUnits& operator+=(const CapacityUnits& o) {
    read += o.read;
    write += o.write;
    return *this;
  }
};
struct ConsumedCapacity {
  std::string table_name;
  CapacityUnits table;                                            // the table's own share
  std::map<std::string, CapacityUnits> global_secondary_indexes;  // by index name
  std::map<std::string, CapacityUnits> local_secondary_indexes;
  // The table's and every index's units together (ConsumedCapacity.CapacityUnits).
  CapacityUnits Total() const {
    CapacityUnits sum = table;
    for (const auto& [name, units] : global_secondary_indexes) sum += units;
    for (const auto& [name, units] : local_secondary_indexes) sum += units;
    return sum;
  }
  ConsumedCapacity& operator+=(const ConsumedCapacity& o) {
    table += o.table;
    for (const auto& [name, units] : o.global_secondary_indexes) {
      global_secondary_indexes[name] += units;
    }
    for (const auto& [name, units] : o.local_secondary_indexes) {
      local_secondary_indexes[name] += units;
    }
    return *this;
  }
};

// Adds `entry` to the entry of its table in `list`, or appends it: batch and transaction
// answers carry one ConsumedCapacity per table, in the order tables first appear.
inline void AddPerTable(std::vector<ConsumedCapacity>* list, const ConsumedCapacity& entry) {
  for (ConsumedCapacity& existing : *list) {
    if (existing.table_name == entry.table_name) {
      existing += entry;
      return;
    }
  }
  list->push_back(entry);
}

// What a write returns: the attributes ReturnValues asked for (absent when none), and the
// capacity it consumed.
// ItemCollectionMetrics: the written item's collection (its partition key value; the items
// of that partition and their local secondary index entries) and its size as AWS gives it, a
// range of whole gigabytes around the estimate.
struct ItemCollectionMetrics {
  Item key;  // the partition key attribute alone
  double size_low_gb = 0;
  double size_high_gb = 1;
};

struct WriteOutcome {
  std::optional<Item> attributes;
  ConsumedCapacity consumed;
  // With ReturnItemCollectionMetrics SIZE, on a table with local secondary indexes (AWS
  // returns it for no other table).
  std::optional<ItemCollectionMetrics> item_collection_metrics;
};

// BatchWriteItem's and TransactWriteItems' answer: one entry per table, in the order the
// tables first appear in the request.
struct MultiWriteOutcome {
  std::vector<ConsumedCapacity> consumed;
  // With ReturnItemCollectionMetrics SIZE: per table with local secondary indexes, the
  // collection of each item written, once per collection, in the order first written.
  std::map<std::string, std::vector<ItemCollectionMetrics>> item_collection_metrics;
};

struct BatchWriteRequest {
  struct Entry {
    std::string table_name;
    bool is_put = true;
    Item item;  // the item to put, or the key to delete
  };
  std::vector<Entry> entries;
  bool return_item_collection_metrics = false;  // ReturnItemCollectionMetrics SIZE
};

struct TransactWriteRequest {
  struct Action {
    enum class Kind { kPut, kUpdate, kDelete, kConditionCheck } kind = Kind::kPut;
    std::string table_name;
    Item item;  // Put: the item; others: the key
    ExpressionInput expressions;
    bool return_old_on_condition_failure = false;
    // What of the action could not be read, answered where AWS reaches it, after the earlier
    // actions' checks (AWS checks the actions one at a time, in order, whatever the fault):
    // a Put item's attribute named "", then a fault of its expressions (`unread_expressions`:
    // their size or a value) in place of their parse, then `unread_item` (a value of the item
    // or key), then the depths.
    bool item_has_empty_name = false;
    Status unread_expressions;
    Status unread_item;
  };
  std::vector<Action> actions;
  // ClientRequestToken: a repeat within 10 minutes of the first success with the same
  // `fingerprint` (the request's actions, canonically written) changes nothing and answers
  // success; with another fingerprint it is IdempotentParameterMismatchException.
  std::optional<std::string> client_request_token;
  std::string fingerprint;
  bool return_item_collection_metrics = false;  // ReturnItemCollectionMetrics SIZE
};

struct TransactGetRequest {
  struct Get {
    std::string table_name;
    Item key;
    ExpressionInput expressions;  // projection only
  };
  std::vector<Get> gets;
};

// --- Reads (Query, Scan, BatchGetItem) ----------------------------------------------------

enum class Select { kAllAttributes, kAllProjectedAttributes, kSpecificAttributes, kCount };

struct QueryRequest {
  std::string table_name;
  std::optional<std::string> index_name;
  ExpressionInput expressions;  // key condition (required), filter, projection
  std::optional<Select> select;
  bool scan_index_forward = true;
  std::optional<int64_t> limit;
  std::optional<Item> exclusive_start_key;
  bool consistent_read = false;
  // PartiQL's WHERE may constrain a key attribute twice (sk > 1 AND sk < 9); the filter then
  // carries the second, which a Query request itself may not (AWS rejects it there).
  bool allow_key_attributes_in_filter = false;
};

struct ScanRequest {
  std::string table_name;
  std::optional<std::string> index_name;
  ExpressionInput expressions;  // filter, projection
  std::optional<Select> select;
  std::optional<int64_t> limit;
  std::optional<Item> exclusive_start_key;
  bool consistent_read = false;
  std::optional<int64_t> segment;  // parallel scan: Segment of TotalSegments
  std::optional<int64_t> total_segments;
};

// One page of a Query or Scan.
struct ReadPage {
  std::vector<Item> items;    // empty for Select COUNT
  bool count_only = false;    // Select COUNT: the response has no Items
  int64_t count = 0;          // items after the filter
  int64_t scanned_count = 0;  // items read before the filter
  std::optional<Item> last_evaluated_key;
  ConsumedCapacity consumed;  // read capacity the page consumed (table_name left empty)
};

struct BatchGetRequest {
  struct TableKeys {
    std::string table_name;
    std::vector<Item> keys;
    ExpressionInput expressions;  // projection only
    bool consistent_read = false;
  };
  std::vector<TableKeys> tables;
};

struct BatchGetResult {
  std::map<std::string, std::vector<Item>> responses;  // every requested table, maybe empty
  // Keys left for a retry because the response reached AWS's 16 MB limit.
  std::map<std::string, std::vector<Item>> unprocessed_keys;
  std::vector<ConsumedCapacity> consumed;  // one per requested table, in request order
};

// --- Time to live ----------------------------------------------------------------------------

struct TimeToLiveSpecification {
  std::string attribute_name;
  bool enabled = false;
};
struct TimeToLiveDescription {
  std::string status = "DISABLED";  // "ENABLED" or "DISABLED" (a local change is immediate)
  std::string attribute_name;       // empty when disabled
};

// --- Backups and point-in-time recovery ------------------------------------------------------

// One on-demand backup (CreateBackup): the table's definition and items at one instant of its
// history. BackupType is always USER and BackupStatus AVAILABLE (DELETED in DeleteBackup's
// answer).
// BackupType USER: CreateBackup's. SYSTEM: the one DeleteTable takes of a table with
// point-in-time recovery enabled, named "<table>$DeletedTableBackup", which DeleteBackup
// refuses and which goes by itself 35 days later (BackupExpiryDateTime).
enum class BackupType { kUser, kSystem };
const char* BackupTypeName(BackupType type);

struct Backup {
  std::string backup_arn;
  std::string backup_name;
  BackupType backup_type = BackupType::kUser;
  std::optional<int64_t> expiry_ms;  // SYSTEM only
  int64_t created_ms = 0;
  int64_t size_bytes = 0;  // BackupSizeBytes: the table's TableSizeBytes when it was taken
  int64_t item_count = 0;
  bool deleted = false;
  // The source table as it was backed up (its name, ARN, TableId, keys, indexes, stream, TTL).
  std::shared_ptr<const TableDefinition> source;
};

struct ListBackupsRequest {
  std::optional<std::string> table_name;   // only this table's backups (a deleted one's too)
  std::optional<int64_t> lower_ms;         // TimeRangeLowerBound, inclusive
  std::optional<int64_t> upper_ms;         // TimeRangeUpperBound, exclusive
  std::optional<std::string> backup_type;  // USER (the default), SYSTEM, AWS_BACKUP or ALL
  std::optional<int64_t> limit;            // 1..100 (the model checks it)
  std::optional<std::string> exclusive_start_backup_arn;
};
struct ListBackupsResult {
  std::vector<Backup> backups;  // oldest first
  std::optional<std::string> last_evaluated_backup_arn;
};

// What a restore may change in the table it creates (the ...Override members); nullopt keeps
// the source's.
struct RestoreOverrides {
  std::optional<std::vector<SecondaryIndex>> global_secondary_indexes;
  std::optional<std::vector<SecondaryIndex>> local_secondary_indexes;
  std::optional<std::string> billing_mode;
  std::optional<ProvisionedThroughput> provisioned_throughput;
  std::optional<OnDemandThroughput> on_demand_throughput;
  std::optional<SseSpecification> sse_specification;
};
struct RestoreTableFromBackupRequest {
  std::string target_table_name;
  std::string backup_arn;
  RestoreOverrides overrides;
};
struct RestoreTableToPointInTimeRequest {
  std::optional<std::string> source_table_name;  // one of the two names the source
  std::optional<std::string> source_table_arn;
  std::string target_table_name;
  bool use_latest_restorable_time = false;
  std::optional<int64_t> restore_ms;  // RestoreDateTime
  RestoreOverrides overrides;
};

struct PointInTimeRecoverySpecification {
  bool enabled = false;
  std::optional<int64_t> recovery_period_in_days;  // 1..35; default 35
};
// DescribeContinuousBackups' answer. ContinuousBackupsStatus is always ENABLED (AWS's steady
// state for every table); the rest describes point-in-time recovery.
struct ContinuousBackupsDescription {
  bool pitr_enabled = false;
  int64_t recovery_period_in_days = 0;
  int64_t earliest_restorable_ms = 0;
  int64_t latest_restorable_ms = 0;
};

class TableStore {
 public:
  // `status_delay_ms` (--table-status-delay-ms): how long a table stays CREATING, UPDATING or
  // DELETING (and a new index CREATING) after its write, for programs that test their waiters;
  // item operations on a CREATING or DELETING table answer ResourceNotFoundException, and a
  // second change meanwhile ResourceInUseException, as on AWS. 0: ACTIVE as soon as written.
  TableStore(storage::Store& store, streams::StreamStore& streams, const Clock& clock,
             AccountScope scope, int64_t status_delay_ms = 0);
  ~TableStore();
  TableStore(const TableStore&) = delete;
  TableStore& operator=(const TableStore&) = delete;

  // Creates the schema and loads the table definitions. Call once at startup.
  Status Open();

  // Control plane. Validates as AWS does; answers with AWS's errors. CreateTable, UpdateTable
  // (with its index backfill) and DeleteTable are one write job each; `done` gets the
  // table's description (AWS's CREATING, UPDATING or DELETING status).
  using DescriptionDone = std::function<void(Result<TableDescription>)>;
  void CreateTable(CreateTableRequest request, DescriptionDone done);
  void UpdateTable(UpdateTableRequest request, DescriptionDone done);
  void DeleteTable(std::string table_name, DescriptionDone done);
  // The same, waiting for the write (startup and tests; never on the writer thread).
  Result<TableDescription> CreateTable(const CreateTableRequest& request);
  Result<TableDescription> UpdateTable(const UpdateTableRequest& request);
  Result<TableDescription> DeleteTable(const std::string& table_name);
  // Reads on the caller's thread.
  Result<TableDescription> DescribeTable(const std::string& table_name) const;
  Result<ListTablesResult> ListTables(const std::optional<std::string>& exclusive_start,
                                      std::optional<int> limit) const;
  // The published definition of a table, or nullptr.
  std::shared_ptr<const TableDefinition> FindTable(const std::string& table_name) const;
  // The account and region every table's ARN carries (table_arn.h resolves ARNs against it).
  const AccountScope& scope() const;

  // Data plane. Writes complete on the storage completion thread after their group commits.
  using WriteDone = std::function<void(Result<WriteOutcome>)>;
  void PutItem(PutItemRequest request, WriteDone done);
  void UpdateItem(UpdateItemRequest request, WriteDone done);
  void DeleteItem(DeleteItemRequest request, WriteDone done);
  // Runs every put and delete in one write job. (AWS may leave some unprocessed under
  // throttling; a local table never does, so UnprocessedItems is always empty.)
  using MultiWriteDone = std::function<void(Result<MultiWriteOutcome>)>;
  void BatchWriteItem(BatchWriteRequest request, MultiWriteDone done);
  // All or nothing: TransactionCanceledException with one CancellationReason per action.
  void TransactWriteItems(TransactWriteRequest request, MultiWriteDone done);

  // Reads run on the caller's thread with a reader connection. The item, or nullopt;
  // `consumed` (optional) receives the read capacity it took.
  Result<std::optional<Item>> GetItem(const GetItemRequest& request,
                                      ConsumedCapacity* consumed = nullptr) const;
  // One snapshot for all gets; a missing item is nullopt. `consumed` (optional) receives one
  // entry per table, in the order tables first appear.
  Result<std::vector<std::optional<Item>>> TransactGetItems(
      const TransactGetRequest& request, std::vector<ConsumedCapacity>* consumed = nullptr) const;

  // Query: one partition of the table or of a secondary index, in sort key order, seeking
  // through SQLite's primary-key index (never a scan). Errors: ResourceNotFoundException for
  // an unknown table; ValidationException with AWS's text for everything else.
  Result<ReadPage> Query(const QueryRequest& request) const;
  // Scan: the whole table or index in key order, or one parallel-scan segment of it.
  Result<ReadPage> Scan(const ScanRequest& request) const;
  // Up to 100 keys over any tables; items past AWS's 16 MB response size come back as
  // unprocessed keys.
  Result<BatchGetResult> BatchGetItem(const BatchGetRequest& request) const;

  // Tags (TagResource, UntagResource, ListTagsOfResource), stored beside the table and
  // deleted with it. `resource_arn` is read as table_arn.h's ResolveResourceArn reads it; tag
  // rules and their errors are AWS's (Tags or TagKeys empty: "Atleast one Tag needs to be
  // provided as Input." / "Atleast one Tag Key needs to be provided as Input."; then each tag,
  // then more than 50 after the change, all ValidationException and nothing applied). A table
  // that does not exist, or a stream's ARN, is ResourceNotFoundException "Requested resource
  // not found: ResourceArn: <arn> not found". Tagging a key again replaces its value;
  // untagging a key the table lacks is no error.
  using StatusDone = std::function<void(Status)>;
  void TagResource(std::string resource_arn, std::vector<Tag> tags, StatusDone done);
  void UntagResource(std::string resource_arn, std::vector<std::string> keys, StatusDone done);
  // The same, waiting for the write (tests).
  Status TagResource(const std::string& resource_arn, const std::vector<Tag>& tags);
  Status UntagResource(const std::string& resource_arn, const std::vector<std::string>& keys);
  // Every tag of the table in key order (at most 50: AWS answers them in one page).
  Result<std::vector<Tag>> ListTagsOfResource(const std::string& resource_arn) const;

  // Resource-based policies of a table or of one of its streams (PutResourcePolicy,
  // GetResourcePolicy, DeleteResourcePolicy): stored and answered as AWS does, not enforced.
  // The ARN is resolved as table_arn.h's ResolveResourceArn says; a table (or stream) that
  // does not exist is ResourceNotFoundException. The RevisionId is a string of digits; putting
  // the same document again keeps it. `expected_revision_id` makes a change conditional (the
  // current policy's RevisionId, or "NO_POLICY" for none): otherwise PolicyNotFoundException.
  // One write job each; `done` gets the RevisionId (Delete: empty when there was no policy).
  using RevisionDone = std::function<void(Result<std::string>)>;
  void PutResourcePolicy(std::string resource_arn, std::string policy,
                         std::optional<std::string> expected_revision_id, RevisionDone done);
  void DeleteResourcePolicy(std::string resource_arn,
                            std::optional<std::string> expected_revision_id, RevisionDone done);
  struct ResourcePolicy {
    std::string policy;
    std::string revision_id;
  };
  // PolicyNotFoundException when none is attached.
  Result<ResourcePolicy> GetResourcePolicy(const std::string& resource_arn) const;

  // Time to live. Enabling indexes every item's expiry time, so the sweep seeks instead of
  // scanning; the change is immediate (AWS shows ENABLED at once too). One write job.
  using TimeToLiveDone = std::function<void(Result<TimeToLiveSpecification>)>;
  void UpdateTimeToLive(std::string table_name, TimeToLiveSpecification spec, TimeToLiveDone done);
  // The same, waiting for the write (tests).
  Result<TimeToLiveSpecification> UpdateTimeToLive(const std::string& table_name,
                                                   const TimeToLiveSpecification& spec);
  Result<TimeToLiveDescription> DescribeTimeToLive(const std::string& table_name) const;
  // Deletes at most `max_items` items whose TTL attribute (epoch seconds) is before the
  // Clock's now -- but not more than five years before it, which AWS ignores -- each with a
  // REMOVE stream record carrying the TTL service identity. One write job; returns how many
  // it deleted, so a caller can go on while a backlog remains.
  Result<int64_t> SweepExpiredItems(int64_t max_items);

  // On-demand backups. CreateBackup copies the table's definition and items in one write job,
  // so the backup is one instant of the table's history; backups outlive their table (as on
  // AWS). TableNotFoundException "Table not found: <name>" for a table that does not exist;
  // BackupNotFoundException "Backup not found: <arn>" for a backup that does not.
  using BackupDone = std::function<void(Result<Backup>)>;
  void CreateBackup(std::string table_name, std::string backup_name, BackupDone done);
  // DeleteBackup answers the backup as it was, with `deleted` set.
  void DeleteBackup(std::string backup_arn, BackupDone done);
  Result<Backup> DescribeBackup(const std::string& backup_arn) const;
  Result<ListBackupsResult> ListBackups(const ListBackupsRequest& request) const;
  // Restores create a new table (TableAlreadyExistsException when the name is taken) with the
  // source's keys, attribute definitions, indexes, billing, SSE and table class (or the
  // overrides), and its items, in one write job; streams, TTL, tags, point-in-time recovery
  // and deletion protection are not carried over, as on AWS. `done` gets the new table's
  // description (CREATING, with its RestoreSummary).
  void RestoreTableFromBackup(RestoreTableFromBackupRequest request, DescriptionDone done);
  // The items as they were at RestoreDateTime (or LatestRestorableDateTime): the source's
  // current items with every change after that instant undone from its history.
  // PointInTimeRecoveryUnavailableException when point-in-time recovery is not enabled;
  // InvalidRestoreTimeException for an instant outside the window.
  void RestoreTableToPointInTime(RestoreTableToPointInTimeRequest request, DescriptionDone done);
  // Point-in-time recovery. Enabling starts the history (the window begins now); disabling
  // drops it. One write job.
  using ContinuousBackupsDone = std::function<void(Result<ContinuousBackupsDescription>)>;
  void UpdateContinuousBackups(std::string table_name, PointInTimeRecoverySpecification spec,
                               ContinuousBackupsDone done);
  Result<ContinuousBackupsDescription> DescribeContinuousBackups(
      const std::string& table_name) const;
  // Deletes the history entries that fell out of every table's recovery window. One write
  // job; returns how many it deleted.
  Result<int64_t> PruneRecoveryHistory();
  // Deletes the SYSTEM backups past their BackupExpiryDateTime (judged on the Clock). One
  // write job; returns how many it deleted.
  Result<int64_t> DeleteExpiredBackups();
  // The same, waiting for the write (tests).
  Result<Backup> CreateBackup(const std::string& table_name, const std::string& backup_name);
  Result<Backup> DeleteBackup(const std::string& backup_arn);
  Result<TableDescription> RestoreTableFromBackup(const RestoreTableFromBackupRequest& request);
  Result<TableDescription> RestoreTableToPointInTime(
      const RestoreTableToPointInTimeRequest& request);
  Result<ContinuousBackupsDescription> UpdateContinuousBackups(
      const std::string& table_name, const PointInTimeRecoverySpecification& spec);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace streamstack::dynamodb
