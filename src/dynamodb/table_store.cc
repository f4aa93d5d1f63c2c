#include "streamstack/dynamodb/table_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <regex>
#include <set>
#include <shared_mutex>

#include "dynamodb/table_codec.h"

namespace streamstack::dynamodb {
namespace {

// --- SQL (storage style: named constants, explicit columns, ORDER BY, placeholders) ----

constexpr storage::Migration kMigrations[] = {
    {1,
     "CREATE TABLE dynamodb_tables ("
     "  table_id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL UNIQUE,"
     "  definition TEXT NOT NULL,"
     "  item_count INTEGER NOT NULL DEFAULT 0,"
     "  size_bytes INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE dynamodb_items ("
     "  table_id INTEGER NOT NULL,"
     "  pk BLOB NOT NULL,"
     "  sk BLOB NOT NULL,"
     "  item TEXT NOT NULL,"
     "  size INTEGER NOT NULL,"
     "  PRIMARY KEY (table_id, pk, sk)) WITHOUT ROWID;"},
};

constexpr char kSelectTables[] =
    "SELECT table_id, definition FROM dynamodb_tables ORDER BY name";
constexpr char kInsertTable[] =
    "INSERT INTO dynamodb_tables (name, definition) VALUES (?, ?)";
constexpr char kUpdateTableDefinition[] =
    "UPDATE dynamodb_tables SET definition = ? WHERE table_id = ?";
constexpr char kDeleteTable[] = "DELETE FROM dynamodb_tables WHERE table_id = ?";
constexpr char kDeleteTableItems[] = "DELETE FROM dynamodb_items WHERE table_id = ?";
constexpr char kSelectTableStats[] =
    "SELECT item_count, size_bytes FROM dynamodb_tables WHERE table_id = ?";
constexpr char kAdjustTableStats[] =
    "UPDATE dynamodb_tables SET item_count = item_count + ?, size_bytes = size_bytes + ? "
    "WHERE table_id = ?";
constexpr char kSelectItem[] =
    "SELECT item, size FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?";
constexpr char kUpsertItem[] =
    "INSERT INTO dynamodb_items (table_id, pk, sk, item, size) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (table_id, pk, sk) DO UPDATE SET item = excluded.item, size = excluded.size";
constexpr char kDeleteItem[] =
    "DELETE FROM dynamodb_items WHERE table_id = ? AND pk = ? AND sk = ?";

constexpr size_t kMaxItemSizeBytes = 400 * 1024;
constexpr size_t kMaxBatchWriteRequests = 25;
constexpr size_t kMaxTransactItems = 100;
constexpr char kConditionFailed[] = "The conditional request failed";

Status NotFound() {
  return Status(AwsError::kResourceNotFound, "Requested resource not found");
}

Status InvalidParameters(const std::string& detail) {
  return ValidationError("One or more parameter values were invalid: " + detail);
}

// "1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: ..."
Status ConstraintError(const std::string& value, const std::string& member,
                       const std::string& constraint) {
  return ValidationError("1 validation error detected: Value " + value + " at '" + member +
                         "' failed to satisfy constraint: " + constraint);
}

Status ValidateTableName(const std::string& name) {
  if (name.size() < 3) {
    return ConstraintError("'" + name + "'", "tableName",
                           "Member must have length greater than or equal to 3");
  }
  if (name.size() > 255) {
    return ConstraintError("'" + name + "'", "tableName",
                           "Member must have length less than or equal to 255");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) {
      return ConstraintError("'" + name + "'", "tableName",
                             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return Status::Ok();
}

std::optional<AttributeType> KeyTypeFromName(const std::string& type) {
  if (type == "S") return AttributeType::kS;
  if (type == "N") return AttributeType::kN;
  if (type == "B") return AttributeType::kB;
  return std::nullopt;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + "]";
}

// The table's key schema checked against its attribute definitions, as CreateTable does.
Status ValidateKeySchema(const std::vector<KeySchemaElement>& key_schema,
                         const std::vector<AttributeDefinition>& definitions,
                         const std::string& member) {
  if (key_schema.empty()) {
    return ConstraintError("[]", member, "Member must have length greater than or equal to 1");
  }
  if (key_schema.size() > 2) {
    return ConstraintError("'" + std::to_string(key_schema.size()) + " elements'", member,
                           "Member must have length less than or equal to 2");
  }
  for (size_t i = 0; i < key_schema.size(); ++i) {
    const std::string& kt = key_schema[i].key_type;
    if (kt != "HASH" && kt != "RANGE") {
      return ConstraintError("'" + kt + "'", member + "." + std::to_string(i + 1) + ".member.keyType",
                             "Member must satisfy enum value set: [HASH, RANGE]");
    }
  }
  if (key_schema[0].key_type != "HASH") {
    return ValidationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (key_schema.size() == 2) {
    if (key_schema[1].key_type != "RANGE") {
      return ValidationError("Too many hash keys specified.  All Dynamo DB tables must have "
                             "exactly one hash key");
    }
    if (key_schema[0].name == key_schema[1].name) {
      return ValidationError(
          "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    }
  }
  std::vector<std::string> missing;
  for (const auto& k : key_schema) {
    bool found = std::any_of(definitions.begin(), definitions.end(),
                             [&](const AttributeDefinition& d) { return d.name == k.name; });
    if (!found) missing.push_back(k.name);
  }
  if (!missing.empty()) {
    std::vector<std::string> defined;
    for (const auto& d : definitions) defined.push_back(d.name);
    return InvalidParameters("Some index key attributes are not defined in AttributeDefinitions. "
                             "Keys: " + JoinNames(missing) + ", AttributeDefinitions: " +
                             JoinNames(defined));
  }
  return Status::Ok();
}

Status ValidateAttributeDefinitions(const std::vector<AttributeDefinition>& definitions) {
  std::set<std::string> seen;
  for (size_t i = 0; i < definitions.size(); ++i) {
    if (!KeyTypeFromName(definitions[i].type)) {
      return ConstraintError("'" + definitions[i].type + "'",
                             "attributeDefinitions." + std::to_string(i + 1) +
                                 ".member.attributeType",
                             "Member must satisfy enum value set: [B, N, S]");
    }
    if (!seen.insert(definitions[i].name).second) {
      return InvalidParameters("Duplicate AttributeName in AttributeDefinitions: " +
                               definitions[i].name);
    }
  }
  return Status::Ok();
}

Status ValidateThroughput(const ProvisionedThroughput& t, const std::string& member) {
  if (t.read_capacity_units < 1) {
    return ConstraintError("'" + std::to_string(t.read_capacity_units) + "'",
                           member + ".readCapacityUnits",
                           "Member must have value greater than or equal to 1");
  }
  if (t.write_capacity_units < 1) {
    return ConstraintError("'" + std::to_string(t.write_capacity_units) + "'",
                           member + ".writeCapacityUnits",
                           "Member must have value greater than or equal to 1");
  }
  return Status::Ok();
}

Result<std::optional<streams::StreamViewType>> ValidateStreamSpecification(
    const StreamSpecification& spec, bool creating) {
  if (!spec.enabled) {
    if (spec.view_type && creating) {
      return InvalidParameters(
          "Table is being created with a stream disabled, UpdateViewType should not be "
          "specified");
    }
    return std::optional<streams::StreamViewType>();
  }
  if (!spec.view_type) {
    return InvalidParameters("StreamViewType is required when StreamEnabled is true");
  }
  auto type = streams::ParseStreamViewType(*spec.view_type);
  if (!type) {
    return ConstraintError("'" + *spec.view_type + "'", "streamSpecification.streamViewType",
                           "Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, "
                           "NEW_AND_OLD_IMAGES, KEYS_ONLY]");
  }
  return std::optional<streams::StreamViewType>(*type);
}

// A key attribute value as the bytes the items table orders by: S and B as their bytes
// (memcmp = DynamoDB's unsigned byte order), N as its order-preserving encoding.
std::string EncodeKeyValue(const AttributeValue& v) {
  return v.type() == AttributeType::kN ? v.n().SortKey() : v.s();
}

struct EncodedKey {
  std::string pk;
  std::string sk;  // empty without a sort key
  Item key;        // the key attributes only
};

// The item's key, checked as PutItem checks an item.
Result<EncodedKey> KeyOfItem(const TableDefinition& table, const Item& item) {
  EncodedKey out;
  auto take = [&](const KeyAttribute& attr, std::string* encoded) -> Status {
    auto it = item.find(attr.name);
    if (it == item.end()) {
      return InvalidParameters("Missing the key " + attr.name + " in the item");
    }
    if (it->second.type() != attr.type) {
      return InvalidParameters("Type mismatch for key " + attr.name + " expected: " +
                               AttributeTypeName(attr.type) + " actual: " +
                               AttributeTypeName(it->second.type()));
    }
    if (attr.type != AttributeType::kN && it->second.s().empty()) {
      return ValidationError(
          std::string("One or more parameter values are not valid. The AttributeValue for a key "
                      "attribute cannot contain an empty ") +
          (attr.type == AttributeType::kS ? "string" : "binary") + " value. Key: " + attr.name);
    }
    *encoded = EncodeKeyValue(it->second);
    out.key.emplace(attr.name, it->second);
    return Status::Ok();
  };
  STREAMSTACK_RETURN_IF_ERROR(take(table.hash_key, &out.pk));
  if (table.range_key) STREAMSTACK_RETURN_IF_ERROR(take(*table.range_key, &out.sk));
  return out;
}

// A Key parameter (GetItem, DeleteItem, UpdateItem): exactly the key attributes.
Result<EncodedKey> KeyOfKeyParameter(const TableDefinition& table, const Item& key) {
  size_t expected = table.range_key ? 2 : 1;
  bool shape_ok = key.size() == expected && key.count(table.hash_key.name) == 1 &&
                  (!table.range_key || key.count(table.range_key->name) == 1);
  if (!shape_ok) return ValidationError("The provided key element does not match the schema");
  for (const auto& [name, value] : key) {
    const KeyAttribute& attr = name == table.hash_key.name ? table.hash_key : *table.range_key;
    if (value.type() != attr.type) {
      return ValidationError("The provided key element does not match the schema");
    }
  }
  return KeyOfItem(table, key);
}

Result<Item> DecodeStoredItem(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status(AwsError::kInternalFailure, "corrupt stored item");
  return ItemFromJson(j);
}

// The parsed expressions of one write request; parsed on the caller's thread so the writer
// thread only evaluates.
struct ParsedWriteExpressions {
  std::optional<ConditionExpression> condition;
  std::optional<UpdateExpression> update;
};

Result<ExpressionContext> MakeContext(const ExpressionInput& in) {
  bool any_expression = in.condition_expression || in.update_expression ||
                        in.projection_expression;
  if (!any_expression) {
    if (in.values) {
      return ValidationError("ExpressionAttributeValues can only be specified when using "
                             "expressions");
    }
    if (in.names) {
      return ValidationError("ExpressionAttributeNames can only be specified when using "
                             "expressions");
    }
  }
  if (in.values && in.values->empty()) {
    return ValidationError("ExpressionAttributeValues must not be empty");
  }
  if (in.names && in.names->empty()) {
    return ValidationError("ExpressionAttributeNames must not be empty");
  }
  return ExpressionContext(in.names.value_or(std::map<std::string, std::string>{}),
                           in.values.value_or(std::map<std::string, AttributeValue>{}));
}

Result<ParsedWriteExpressions> ParseWriteExpressions(const ExpressionInput& in,
                                                     const TableDefinition& table) {
  auto ctx = MakeContext(in);
  if (!ctx.ok()) return ctx.status();
  ParsedWriteExpressions out;
  if (in.update_expression) {
    auto update = UpdateExpression::Parse(*in.update_expression, *ctx, table.KeyNames());
    if (!update.ok()) return update.status();
    out.update.emplace(std::move(update).value());
  }
  if (in.condition_expression) {
    auto cond = ConditionExpression::Parse(*in.condition_expression, ExpressionKind::kCondition,
                                           *ctx);
    if (!cond.ok()) return cond.status();
    out.condition.emplace(std::move(cond).value());
  }
  STREAMSTACK_RETURN_IF_ERROR(ctx->CheckAllUsed());
  return out;
}

Result<std::optional<ProjectionExpression>> ParseProjection(const ExpressionInput& in) {
  auto ctx = MakeContext(in);
  if (!ctx.ok()) return ctx.status();
  std::optional<ProjectionExpression> out;
  if (in.projection_expression) {
    auto p = ProjectionExpression::Parse(*in.projection_expression, *ctx);
    if (!p.ok()) return p.status();
    out.emplace(std::move(p).value());
  }
  STREAMSTACK_RETURN_IF_ERROR(ctx->CheckAllUsed());
  return out;
}

Status ConditionFailed(const std::optional<Item>& old_item, bool return_old) {
  Status s(AwsError::kConditionalCheckFailed, kConditionFailed);
  if (return_old && old_item) s.WithDetails({{"Item", ItemToJson(*old_item)}});
  return s;
}

}  // namespace

std::vector<std::string> TableDefinition::KeyNames() const {
  std::vector<std::string> names = {hash_key.name};
  if (range_key) names.push_back(range_key->name);
  return names;
}

const char* TableStatusName(TableStatus status) {
  switch (status) {
    case TableStatus::kCreating: return "CREATING";
    case TableStatus::kActive: return "ACTIVE";
    case TableStatus::kUpdating: return "UPDATING";
    case TableStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

struct TableStore::Impl {
  storage::Store& store;
  streams::StreamStore& streams;
  const Clock& clock;
  AccountScope scope;

  // Published table definitions by name. Written only on the writer thread, after commit.
  mutable std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<const TableDefinition>> tables;

  Impl(storage::Store& s, streams::StreamStore& st, const Clock& c, AccountScope sc)
      : store(s), streams(st), clock(c), scope(std::move(sc)) {}

  std::shared_ptr<const TableDefinition> Find(const std::string& name) const {
    std::shared_lock lock(mu);
    auto it = tables.find(name);
    return it == tables.end() ? nullptr : it->second;
  }
  void Publish(std::shared_ptr<const TableDefinition> def) {
    std::unique_lock lock(mu);
    tables[def->name] = std::move(def);
  }
  void Unpublish(const std::string& name) {
    std::unique_lock lock(mu);
    tables.erase(name);
  }

  Result<TableDescription> Describe(std::shared_ptr<const TableDefinition> def,
                                    TableStatus status) const {
    TableDescription d;
    d.definition = def;
    d.status = status;
    Status st = store.Read([&](storage::Database& db) -> Status {
      auto& stmt = db.Prepare(kSelectTableStats);
      stmt.Bind(1, def->table_id);
      auto row = stmt.Step();
      if (!row.ok()) return row.status();
      if (*row) {
        d.item_count = stmt.ColumnInt64(0);
        d.size_bytes = stmt.ColumnInt64(1);
      }
      stmt.Reset();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return d;
  }

  // --- The item write path (runs inside a write job) ------------------------------------

  struct StoredItem {
    Item item;
    int64_t size = 0;
  };

  Result<std::optional<StoredItem>> LoadItem(storage::Database& db, const TableDefinition& t,
                                             const EncodedKey& key) const {
    auto& stmt = db.Prepare(kSelectItem);
    stmt.Bind(1, t.table_id);
    stmt.Bind(2, storage::Blob(key.pk));
    stmt.Bind(3, storage::Blob(key.sk));
    auto row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::optional<StoredItem>();
    auto item = DecodeStoredItem(stmt.ColumnText(0));
    int64_t size = stmt.ColumnInt64(1);
    stmt.Reset();
    if (!item.ok()) return item.status();
    return std::optional<StoredItem>(StoredItem{std::move(item).value(), size});
  }

  // Makes `new_item` (nullopt: delete) the item at `key`, adjusts the table's counters and
  // appends the stream record, all in the caller's write job. A write that changes nothing
  // writes nothing and produces no record.
  Status ApplyChange(storage::WriteContext& ctx, const TableDefinition& t, const EncodedKey& key,
                     const std::optional<StoredItem>& old_item, const std::optional<Item>& new_item,
                     bool ttl_expiry = false) {
    if (!old_item && !new_item) return Status::Ok();
    if (old_item && new_item && old_item->item == *new_item) return Status::Ok();
    storage::Database& db = ctx.db();
    int64_t count_delta = 0;
    int64_t size_delta = 0;
    int64_t new_size = 0;
    if (new_item) {
      new_size = static_cast<int64_t>(ItemSizeBytes(*new_item));
      auto& stmt = db.Prepare(kUpsertItem);
      stmt.Bind(1, t.table_id);
      stmt.Bind(2, storage::Blob(key.pk));
      stmt.Bind(3, storage::Blob(key.sk));
      stmt.Bind(4, ItemToJson(*new_item).dump());
      stmt.Bind(5, new_size);
      STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
      size_delta += new_size;
      if (!old_item) count_delta = 1;
    } else {
      auto& stmt = db.Prepare(kDeleteItem);
      stmt.Bind(1, t.table_id);
      stmt.Bind(2, storage::Blob(key.pk));
      stmt.Bind(3, storage::Blob(key.sk));
      STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
      count_delta = -1;
    }
    if (old_item) size_delta -= old_item->size;
    auto& stats = db.Prepare(kAdjustTableStats);
    stats.Bind(1, count_delta);
    stats.Bind(2, size_delta);
    stats.Bind(3, t.table_id);
    STREAMSTACK_RETURN_IF_ERROR(stats.Run());

    if (!t.stream_enabled || t.stream_id == 0) return Status::Ok();
    streams::ChangeRecord record;
    record.event_name = !old_item   ? streams::EventName::kInsert
                        : new_item ? streams::EventName::kModify
                                   : streams::EventName::kRemove;
    record.keys = ItemToJson(key.key);
    record.keys_size_bytes = static_cast<int64_t>(ItemSizeBytes(key.key));
    if (new_item) {
      record.new_image = ItemToJson(*new_item);
      record.new_image_size_bytes = new_size;
    }
    if (old_item) {
      record.old_image = ItemToJson(old_item->item);
      record.old_image_size_bytes = old_item->size;
    }
    record.ttl_expiry = ttl_expiry;
    return streams.Append(ctx, t.stream_id, record);
  }
};

TableStore::TableStore(storage::Store& store, streams::StreamStore& streams, const Clock& clock,
                       AccountScope scope)
    : impl_(std::make_unique<Impl>(store, streams, clock, std::move(scope))) {}

TableStore::~TableStore() = default;

Status TableStore::Open() {
  STREAMSTACK_RETURN_IF_ERROR(impl_->store.Migrate("dynamodb", kMigrations));
  std::vector<std::shared_ptr<const TableDefinition>> loaded;
  Status st = impl_->store.Read([&](storage::Database& db) -> Status {
    auto& stmt = db.Prepare(kSelectTables);
    while (true) {
      auto row = stmt.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      auto def = DecodeTableDefinition(stmt.ColumnText(1));
      if (!def.ok()) return def.status();
      def->table_id = stmt.ColumnInt64(0);
      loaded.push_back(std::make_shared<const TableDefinition>(std::move(def).value()));
    }
    return Status::Ok();
  });
  STREAMSTACK_RETURN_IF_ERROR(st);
  for (auto& def : loaded) impl_->Publish(std::move(def));
  return Status::Ok();
}

std::shared_ptr<const TableDefinition> TableStore::FindTable(const std::string& name) const {
  return impl_->Find(name);
}

Result<TableDescription> TableStore::CreateTable(const CreateTableRequest& request) {
  STREAMSTACK_RETURN_IF_ERROR(ValidateTableName(request.table_name));
  STREAMSTACK_RETURN_IF_ERROR(ValidateAttributeDefinitions(request.attribute_definitions));
  STREAMSTACK_RETURN_IF_ERROR(
      ValidateKeySchema(request.key_schema, request.attribute_definitions, "keySchema"));

  auto def = std::make_shared<TableDefinition>();
  def->name = request.table_name;
  def->table_uuid = NewUuidV4();
  def->arn = arn::Table(impl_->scope, request.table_name);
  def->created_ms = impl_->clock.NowMillis();
  def->attribute_definitions = request.attribute_definitions;
  def->key_schema = request.key_schema;
  auto key_attr = [&](const std::string& name) {
    for (const auto& d : request.attribute_definitions) {
      if (d.name == name) return KeyAttribute{name, *KeyTypeFromName(d.type)};
    }
    return KeyAttribute{name, AttributeType::kS};
  };
  def->hash_key = key_attr(request.key_schema[0].name);
  if (request.key_schema.size() == 2) def->range_key = key_attr(request.key_schema[1].name);

  // Every attribute definition must be used by a key of the table or of an index.
  std::set<std::string> used = {def->hash_key.name};
  if (def->range_key) used.insert(def->range_key->name);
  auto add_index = [&](const std::vector<SecondaryIndex>& indexes, const char* member) -> Status {
    std::set<std::string> names;
    for (const auto& index : indexes) {
      if (!names.insert(index.name).second) {
        return InvalidParameters(std::string("Duplicate index name: ") + index.name);
      }
      STREAMSTACK_RETURN_IF_ERROR(
          ValidateKeySchema(index.key_schema, request.attribute_definitions, member));
      for (const auto& k : index.key_schema) used.insert(k.name);
    }
    return Status::Ok();
  };
  if (request.global_secondary_indexes) {
    if (request.global_secondary_indexes->empty()) {
      return InvalidParameters("List of GlobalSecondaryIndexes is empty");
    }
    STREAMSTACK_RETURN_IF_ERROR(
        add_index(*request.global_secondary_indexes, "globalSecondaryIndexes.keySchema"));
    def->global_secondary_indexes = *request.global_secondary_indexes;
  }
  if (request.local_secondary_indexes) {
    if (request.local_secondary_indexes->empty()) {
      return InvalidParameters("List of LocalSecondaryIndexes is empty");
    }
    if (!def->range_key) {
      return InvalidParameters(
          "Table KeySchema does not have a range key, which is required when specifying a "
          "LocalSecondaryIndex");
    }
    STREAMSTACK_RETURN_IF_ERROR(
        add_index(*request.local_secondary_indexes, "localSecondaryIndexes.keySchema"));
    def->local_secondary_indexes = *request.local_secondary_indexes;
  }
  if (used.size() != request.attribute_definitions.size()) {
    if (request.global_secondary_indexes || request.local_secondary_indexes) {
      return InvalidParameters("Some AttributeDefinitions are not used. AttributeDefinitions: " +
                               [&] {
                                 std::vector<std::string> all;
                                 for (const auto& d : request.attribute_definitions)
                                   all.push_back(d.name);
                                 return JoinNames(all);
                               }() +
                               ", keys used: " +
                               JoinNames(std::vector<std::string>(used.begin(), used.end())));
    }
    return InvalidParameters(
        "Number of attributes in KeySchema does not exactly match number of attributes defined "
        "in AttributeDefinitions");
  }

  std::string billing = request.billing_mode.value_or("PROVISIONED");
  if (billing != "PROVISIONED" && billing != "PAY_PER_REQUEST") {
    return ConstraintError("'" + billing + "'", "billingMode",
                           "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
  }
  def->billing_mode = billing;
  if (billing == "PROVISIONED") {
    if (!request.provisioned_throughput) {
      return ValidationError("No provisioned throughput specified for the table");
    }
    STREAMSTACK_RETURN_IF_ERROR(
        ValidateThroughput(*request.provisioned_throughput, "provisionedThroughput"));
    def->throughput = *request.provisioned_throughput;
  } else if (request.provisioned_throughput) {
    return InvalidParameters(
        "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
        "PAY_PER_REQUEST");
  }
  def->tags = request.tags;
  def->deletion_protection_enabled = request.deletion_protection_enabled;
  if (request.table_class) def->table_class = *request.table_class;

  std::optional<streams::StreamViewType> view_type;
  if (request.stream_specification) {
    auto vt = ValidateStreamSpecification(*request.stream_specification, /*creating=*/true);
    if (!vt.ok()) return vt.status();
    view_type = *vt;
  }

  Impl& impl = *impl_;
  Status st = impl.store.WriteSync([&](storage::WriteContext& ctx) -> Status {
    if (impl.Find(def->name)) {
      return Status(AwsError::kResourceInUse, "Table already exists: " + def->name);
    }
    if (view_type) {
      auto stream = impl.streams.CreateStream(ctx, def->name, *view_type,
                                              KeySchemaJson(def->key_schema));
      if (!stream.ok()) return stream.status();
      def->stream_enabled = true;
      def->stream_view_type = *view_type;
      def->stream_id = stream->stream_id;
      def->latest_stream_arn = stream->stream_arn;
      def->latest_stream_label = stream->stream_label;
    }
    auto& stmt = ctx.db().Prepare(kInsertTable);
    stmt.Bind(1, def->name);
    stmt.Bind(2, EncodeTableDefinition(*def));
    STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
    def->table_id = ctx.db().LastInsertRowId();
    std::shared_ptr<const TableDefinition> published = def;
    ctx.OnCommit([&impl, published] { impl.Publish(published); });
    return Status::Ok();
  });
  if (!st.ok()) return st;
  TableDescription d;
  d.definition = def;
  d.status = TableStatus::kCreating;  // AWS answers CREATING; a local table is ACTIVE at once
  return d;
}

Result<TableDescription> TableStore::DescribeTable(const std::string& table_name) const {
  auto def = impl_->Find(table_name);
  if (!def) return NotFound();
  return impl_->Describe(def, TableStatus::kActive);
}

Result<TableDescription> TableStore::UpdateTable(const UpdateTableRequest& request) {
  Impl& impl = *impl_;
  auto current = impl.Find(request.table_name);
  if (!current) return NotFound();
  auto def = std::make_shared<TableDefinition>(*current);
  bool changed = false;

  if (request.billing_mode) {
    const std::string& billing = *request.billing_mode;
    if (billing != "PROVISIONED" && billing != "PAY_PER_REQUEST") {
      return ConstraintError("'" + billing + "'", "billingMode",
                             "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
    }
    if (billing == "PROVISIONED" && !request.provisioned_throughput &&
        def->billing_mode != "PROVISIONED") {
      return ValidationError("One or more parameter values were invalid: ProvisionedThroughput "
                             "must be specified when BillingMode is PROVISIONED");
    }
    if (billing != def->billing_mode) {
      def->billing_mode = billing;
      def->billing_mode_changed_ms = impl.clock.NowMillis();
      if (billing == "PAY_PER_REQUEST") def->throughput = {};
      changed = true;
    }
  }
  if (request.provisioned_throughput) {
    if (def->billing_mode == "PAY_PER_REQUEST") {
      return InvalidParameters(
          "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
          "PAY_PER_REQUEST");
    }
    STREAMSTACK_RETURN_IF_ERROR(
        ValidateThroughput(*request.provisioned_throughput, "provisionedThroughput"));
    def->throughput = *request.provisioned_throughput;
    changed = true;
  }
  if (request.deletion_protection_enabled) {
    def->deletion_protection_enabled = *request.deletion_protection_enabled;
    changed = true;
  }
  if (request.table_class) {
    def->table_class = *request.table_class;
    changed = true;
  }

  // Streams: enabling a table that has an enabled stream, or disabling one that has none,
  // is a ValidationException; enabling again later creates a new stream with a new label.
  enum class StreamChange { kNone, kEnable, kDisable } stream_change = StreamChange::kNone;
  std::optional<streams::StreamViewType> view_type;
  if (request.stream_specification) {
    const StreamSpecification& spec = *request.stream_specification;
    if (spec.enabled) {
      if (def->stream_enabled) {
        return ValidationError("Table already has an enabled stream: TableName: " + def->name);
      }
      auto vt = ValidateStreamSpecification(spec, /*creating=*/false);
      if (!vt.ok()) return vt.status();
      view_type = *vt;
      stream_change = StreamChange::kEnable;
    } else {
      if (!def->stream_enabled) {
        return ValidationError("Table does not have a stream enabled: TableName: " + def->name);
      }
      stream_change = StreamChange::kDisable;
    }
    changed = true;
  }
  if (!changed && !request.has_global_secondary_index_updates && !request.attribute_definitions) {
    return ValidationError(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
  }

  Status st = impl.store.WriteSync([&](storage::WriteContext& ctx) -> Status {
    if (stream_change == StreamChange::kEnable) {
      auto stream = impl.streams.CreateStream(ctx, def->name, *view_type,
                                              KeySchemaJson(def->key_schema));
      if (!stream.ok()) return stream.status();
      def->stream_enabled = true;
      def->stream_view_type = *view_type;
      def->stream_id = stream->stream_id;
      def->latest_stream_arn = stream->stream_arn;
      def->latest_stream_label = stream->stream_label;
    } else if (stream_change == StreamChange::kDisable) {
      STREAMSTACK_RETURN_IF_ERROR(impl.streams.DisableStream(ctx, def->stream_id));
      def->stream_enabled = false;
    }
    auto& stmt = ctx.db().Prepare(kUpdateTableDefinition);
    stmt.Bind(1, EncodeTableDefinition(*def));
    stmt.Bind(2, def->table_id);
    STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
    std::shared_ptr<const TableDefinition> published = def;
    ctx.OnCommit([&impl, published] { impl.Publish(published); });
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return impl.Describe(def, TableStatus::kUpdating);
}

Result<TableDescription> TableStore::DeleteTable(const std::string& table_name) {
  Impl& impl = *impl_;
  auto def = impl.Find(table_name);
  if (!def) return NotFound();
  if (def->deletion_protection_enabled) {
    return ValidationError("Resource cannot be deleted as it is currently protected against "
                           "deletion. Disable deletion protection first.");
  }
  auto description = impl.Describe(def, TableStatus::kDeleting);
  if (!description.ok()) return description;
  Status st = impl.store.WriteSync([&](storage::WriteContext& ctx) -> Status {
    // AWS: the stream of a deleted table stays readable for 24 hours.
    if (def->stream_enabled) {
      STREAMSTACK_RETURN_IF_ERROR(impl.streams.DisableStream(ctx, def->stream_id));
    }
    auto& items = ctx.db().Prepare(kDeleteTableItems);
    items.Bind(1, def->table_id);
    STREAMSTACK_RETURN_IF_ERROR(items.Run());
    auto& table = ctx.db().Prepare(kDeleteTable);
    table.Bind(1, def->table_id);
    STREAMSTACK_RETURN_IF_ERROR(table.Run());
    std::string name = def->name;
    ctx.OnCommit([&impl, name] { impl.Unpublish(name); });
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return description;
}

Result<ListTablesResult> TableStore::ListTables(const std::optional<std::string>& exclusive_start,
                                                std::optional<int> limit) const {
  if (limit && (*limit < 1 || *limit > 100)) {
    return ConstraintError("'" + std::to_string(*limit) + "'", "limit",
                           *limit < 1 ? "Member must have value greater than or equal to 1"
                                      : "Member must have value less than or equal to 100");
  }
  size_t max = static_cast<size_t>(limit.value_or(100));
  ListTablesResult out;
  std::shared_lock lock(impl_->mu);
  auto it = exclusive_start ? impl_->tables.upper_bound(*exclusive_start)
                            : impl_->tables.begin();
  for (; it != impl_->tables.end(); ++it) {
    if (out.table_names.size() == max) {
      out.last_evaluated_table_name = out.table_names.back();
      break;
    }
    out.table_names.push_back(it->first);
  }
  return out;
}

// --- Items --------------------------------------------------------------------------

namespace {

Status ValidateItemSize(const Item& item, const char* message) {
  if (ItemSizeBytes(item) > kMaxItemSizeBytes) return ValidationError(message);
  return Status::Ok();
}

// What ReturnValues selects from the old and new item of a write.
std::optional<Item> SelectReturnValues(ReturnValues rv, const std::optional<Item>& old_item,
                                       const std::optional<Item>& new_item,
                                       const std::vector<DocumentPath>& updated_paths) {
  switch (rv) {
    case ReturnValues::kNone:
      return std::nullopt;
    case ReturnValues::kAllOld:
      return old_item;
    case ReturnValues::kAllNew:
      return new_item;
    case ReturnValues::kUpdatedOld:
      if (!old_item) return std::nullopt;
      return ProjectPaths(*old_item, updated_paths);
    case ReturnValues::kUpdatedNew:
      if (!new_item) return std::nullopt;
      return ProjectPaths(*new_item, updated_paths);
  }
  return std::nullopt;
}

Result<WriteOutcome> OutcomeOf(std::optional<Item> attributes) {
  WriteOutcome out;
  if (attributes && !attributes->empty()) out.attributes = std::move(attributes);
  return out;
}

}  // namespace

void TableStore::PutItem(PutItemRequest request, WriteDone done) {
  auto table = impl_->Find(request.table_name);
  if (!table) return done(NotFound());
  if (request.return_values != ReturnValues::kNone &&
      request.return_values != ReturnValues::kAllOld) {
    return done(ValidationError("Return values set to invalid value"));
  }
  auto key = KeyOfItem(*table, request.item);
  if (!key.ok()) return done(key.status());
  Status size = ValidateItemSize(request.item, "Item size has exceeded the maximum allowed size");
  if (!size.ok()) return done(size);
  auto parsed = ParseWriteExpressions(request.expressions, *table);
  if (!parsed.ok()) return done(parsed.status());

  auto shared = std::make_shared<std::tuple<PutItemRequest, EncodedKey, ParsedWriteExpressions,
                                            std::optional<Item>>>(
      std::move(request), std::move(key).value(), std::move(parsed).value(), std::nullopt);
  Impl& impl = *impl_;
  impl.store.Write(
      [&impl, table, shared](storage::WriteContext& ctx) -> Status {
        auto& [req, k, expr, result] = *shared;
        auto old = impl.LoadItem(ctx.db(), *table, k);
        if (!old.ok()) return old.status();
        std::optional<Item> old_item;
        if (*old) old_item = (*old)->item;
        if (expr.condition && !expr.condition->Evaluate(old_item.value_or(Item{}))) {
          return ConditionFailed(old_item, req.return_old_on_condition_failure);
        }
        STREAMSTACK_RETURN_IF_ERROR(impl.ApplyChange(ctx, *table, k, *old, req.item));
        if (req.return_values == ReturnValues::kAllOld) result = old_item;
        return Status::Ok();
      },
      [shared, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(OutcomeOf(std::move(std::get<3>(*shared))));
      });
}

void TableStore::UpdateItem(UpdateItemRequest request, WriteDone done) {
  auto table = impl_->Find(request.table_name);
  if (!table) return done(NotFound());
  auto key = KeyOfKeyParameter(*table, request.key);
  if (!key.ok()) return done(key.status());
  auto parsed = ParseWriteExpressions(request.expressions, *table);
  if (!parsed.ok()) return done(parsed.status());

  auto shared = std::make_shared<std::tuple<UpdateItemRequest, EncodedKey,
                                            ParsedWriteExpressions, std::optional<Item>>>(
      std::move(request), std::move(key).value(), std::move(parsed).value(), std::nullopt);
  Impl& impl = *impl_;
  impl.store.Write(
      [&impl, table, shared](storage::WriteContext& ctx) -> Status {
        auto& [req, k, expr, result] = *shared;
        auto old = impl.LoadItem(ctx.db(), *table, k);
        if (!old.ok()) return old.status();
        std::optional<Item> old_item;
        if (*old) old_item = (*old)->item;
        if (expr.condition && !expr.condition->Evaluate(old_item.value_or(Item{}))) {
          return ConditionFailed(old_item, req.return_old_on_condition_failure);
        }
        // UpdateItem creates the item when it does not exist: its key plus the updates.
        Item base = old_item.value_or(k.key);
        std::vector<DocumentPath> updated_paths;
        Item updated = base;
        if (expr.update) {
          auto applied = expr.update->Apply(base);
          if (!applied.ok()) return applied.status();
          updated = std::move(applied->item);
          updated_paths = std::move(applied->updated_paths);
        }
        STREAMSTACK_RETURN_IF_ERROR(ValidateItemSize(
            updated, "Item size to update has exceeded the maximum allowed size"));
        STREAMSTACK_RETURN_IF_ERROR(impl.ApplyChange(ctx, *table, k, *old, updated));
        result = SelectReturnValues(req.return_values, old_item, updated, updated_paths);
        return Status::Ok();
      },
      [shared, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(OutcomeOf(std::move(std::get<3>(*shared))));
      });
}

void TableStore::DeleteItem(DeleteItemRequest request, WriteDone done) {
  auto table = impl_->Find(request.table_name);
  if (!table) return done(NotFound());
  if (request.return_values != ReturnValues::kNone &&
      request.return_values != ReturnValues::kAllOld) {
    return done(ValidationError("Return values set to invalid value"));
  }
  auto key = KeyOfKeyParameter(*table, request.key);
  if (!key.ok()) return done(key.status());
  auto parsed = ParseWriteExpressions(request.expressions, *table);
  if (!parsed.ok()) return done(parsed.status());

  auto shared = std::make_shared<std::tuple<DeleteItemRequest, EncodedKey,
                                            ParsedWriteExpressions, std::optional<Item>>>(
      std::move(request), std::move(key).value(), std::move(parsed).value(), std::nullopt);
  Impl& impl = *impl_;
  impl.store.Write(
      [&impl, table, shared](storage::WriteContext& ctx) -> Status {
        auto& [req, k, expr, result] = *shared;
        auto old = impl.LoadItem(ctx.db(), *table, k);
        if (!old.ok()) return old.status();
        std::optional<Item> old_item;
        if (*old) old_item = (*old)->item;
        if (expr.condition && !expr.condition->Evaluate(old_item.value_or(Item{}))) {
          return ConditionFailed(old_item, req.return_old_on_condition_failure);
        }
        STREAMSTACK_RETURN_IF_ERROR(impl.ApplyChange(ctx, *table, k, *old, std::nullopt));
        if (req.return_values == ReturnValues::kAllOld) result = old_item;
        return Status::Ok();
      },
      [shared, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(OutcomeOf(std::move(std::get<3>(*shared))));
      });
}

void TableStore::BatchWriteItem(BatchWriteRequest request, std::function<void(Status)> done) {
  if (request.entries.empty()) {
    return done(ConstraintError("{}", "requestItems",
                                "Member must have length greater than or equal to 1"));
  }
  if (request.entries.size() > kMaxBatchWriteRequests) {
    return done(ValidationError("Too many items requested for the BatchWriteItem call"));
  }
  struct Prepared {
    std::shared_ptr<const TableDefinition> table;
    EncodedKey key;
    bool is_put;
    Item item;
  };
  auto prepared = std::make_shared<std::vector<Prepared>>();
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (auto& e : request.entries) {
    auto table = impl_->Find(e.table_name);
    if (!table) return done(NotFound());
    auto key = e.is_put ? KeyOfItem(*table, e.item) : KeyOfKeyParameter(*table, e.item);
    if (!key.ok()) return done(key.status());
    if (e.is_put) {
      Status size = ValidateItemSize(e.item, "Item size has exceeded the maximum allowed size");
      if (!size.ok()) return done(size);
    }
    if (!seen.emplace(e.table_name, key->pk, key->sk).second) {
      return done(ValidationError("Provided list of item keys contains duplicates"));
    }
    prepared->push_back({table, std::move(key).value(), e.is_put, std::move(e.item)});
  }
  Impl& impl = *impl_;
  impl.store.Write(
      [&impl, prepared](storage::WriteContext& ctx) -> Status {
        for (auto& p : *prepared) {
          auto old = impl.LoadItem(ctx.db(), *p.table, p.key);
          if (!old.ok()) return old.status();
          std::optional<Item> next;
          if (p.is_put) next = p.item;
          STREAMSTACK_RETURN_IF_ERROR(impl.ApplyChange(ctx, *p.table, p.key, *old, next));
        }
        return Status::Ok();
      },
      std::move(done));
}

void TableStore::TransactWriteItems(TransactWriteRequest request,
                                    std::function<void(Status)> done) {
  using Kind = TransactWriteRequest::Action::Kind;
  if (request.actions.empty()) {
    return done(ConstraintError("[]", "transactItems",
                                "Member must have length greater than or equal to 1"));
  }
  if (request.actions.size() > kMaxTransactItems) {
    return done(ConstraintError("'" + std::to_string(request.actions.size()) + " items'",
                                "transactItems",
                                "Member must have length less than or equal to 100"));
  }
  struct Prepared {
    Kind kind;
    std::shared_ptr<const TableDefinition> table;
    EncodedKey key;
    Item item;
    ParsedWriteExpressions expr;
    bool return_old;
  };
  auto prepared = std::make_shared<std::vector<Prepared>>();
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (auto& a : request.actions) {
    auto table = impl_->Find(a.table_name);
    if (!table) return done(NotFound());
    auto key = a.kind == Kind::kPut ? KeyOfItem(*table, a.item) : KeyOfKeyParameter(*table, a.item);
    if (!key.ok()) return done(key.status());
    if (a.kind == Kind::kPut) {
      Status size = ValidateItemSize(a.item, "Item size has exceeded the maximum allowed size");
      if (!size.ok()) return done(size);
    }
    if (a.kind == Kind::kConditionCheck && !a.expressions.condition_expression) {
      return done(ConstraintError("null", "transactItems.member.conditionCheck.conditionExpression",
                                  "Member must not be null"));
    }
    if (!seen.emplace(a.table_name, key->pk, key->sk).second) {
      return done(ValidationError(
          "Transaction request cannot include multiple operations on one item"));
    }
    auto parsed = ParseWriteExpressions(a.expressions, *table);
    if (!parsed.ok()) return done(parsed.status());
    prepared->push_back({a.kind, table, std::move(key).value(), std::move(a.item),
                         std::move(parsed).value(), a.return_old_on_condition_failure});
  }
  Impl& impl = *impl_;
  impl.store.Write(
      [&impl, prepared](storage::WriteContext& ctx) -> Status {
        // First every condition, against the items as they are before the transaction.
        std::vector<std::optional<Impl::StoredItem>> olds;
        nlohmann::json reasons = nlohmann::json::array();
        bool cancelled = false;
        std::vector<std::string> codes;
        for (auto& p : *prepared) {
          auto old = impl.LoadItem(ctx.db(), *p.table, p.key);
          if (!old.ok()) return old.status();
          olds.push_back(*old);
          std::optional<Item> old_item;
          if (*old) old_item = (*old)->item;
          if (p.expr.condition && !p.expr.condition->Evaluate(old_item.value_or(Item{}))) {
            nlohmann::json reason = {{"Code", "ConditionalCheckFailed"},
                                     {"Message", kConditionFailed}};
            if (p.return_old && old_item) reason["Item"] = ItemToJson(*old_item);
            reasons.push_back(reason);
            codes.push_back("ConditionalCheckFailed");
            cancelled = true;
          } else {
            reasons.push_back({{"Code", "None"}});
            codes.push_back("None");
          }
        }
        if (cancelled) {
          std::string list;
          for (size_t i = 0; i < codes.size(); ++i) list += (i ? ", " : "") + codes[i];
          Status s(AwsError::kTransactionCanceled,
                   "Transaction cancelled, please refer cancellation reasons for specific "
                   "reasons [" + list + "]");
          s.WithDetails({{"CancellationReasons", reasons}});
          return s;
        }
        // Then every write, in the request's order (its stream records keep that order).
        for (size_t i = 0; i < prepared->size(); ++i) {
          auto& p = (*prepared)[i];
          const auto& old = olds[i];
          switch (p.kind) {
            case Kind::kConditionCheck:
              break;
            case Kind::kPut:
              STREAMSTACK_RETURN_IF_ERROR(impl.ApplyChange(ctx, *p.table, p.key, old, p.item));
              break;
            case Kind::kDelete:
              STREAMSTACK_RETURN_IF_ERROR(
                  impl.ApplyChange(ctx, *p.table, p.key, old, std::nullopt));
              break;
            case Kind::kUpdate: {
              Item base = old ? old->item : p.key.key;
              Item updated = base;
              if (p.expr.update) {
                auto applied = p.expr.update->Apply(base);
                if (!applied.ok()) return applied.status();
                updated = std::move(applied->item);
              }
              STREAMSTACK_RETURN_IF_ERROR(ValidateItemSize(
                  updated, "Item size to update has exceeded the maximum allowed size"));
              STREAMSTACK_RETURN_IF_ERROR(impl.ApplyChange(ctx, *p.table, p.key, old, updated));
              break;
            }
          }
        }
        return Status::Ok();
      },
      std::move(done));
}

Result<std::optional<Item>> TableStore::GetItem(const GetItemRequest& request) const {
  auto table = impl_->Find(request.table_name);
  if (!table) return NotFound();
  auto key = KeyOfKeyParameter(*table, request.key);
  if (!key.ok()) return key.status();
  auto projection = ParseProjection(request.expressions);
  if (!projection.ok()) return projection.status();
  auto stored = impl_->store.Read(
      [&](storage::Database& db) { return impl_->LoadItem(db, *table, *key); });
  if (!stored.ok()) return stored.status();
  if (!*stored) return std::optional<Item>();
  Item item = std::move((*stored)->item);
  if (*projection) item = (*projection)->Apply(item);
  return std::optional<Item>(std::move(item));
}

Result<std::vector<std::optional<Item>>> TableStore::TransactGetItems(
    const TransactGetRequest& request) const {
  if (request.gets.empty()) {
    return ConstraintError("[]", "transactItems",
                           "Member must have length greater than or equal to 1");
  }
  if (request.gets.size() > kMaxTransactItems) {
    return ConstraintError("'" + std::to_string(request.gets.size()) + " items'", "transactItems",
                           "Member must have length less than or equal to 100");
  }
  struct Prepared {
    std::shared_ptr<const TableDefinition> table;
    EncodedKey key;
    std::optional<ProjectionExpression> projection;
  };
  std::vector<Prepared> prepared;
  for (const auto& g : request.gets) {
    auto table = impl_->Find(g.table_name);
    if (!table) return NotFound();
    auto key = KeyOfKeyParameter(*table, g.key);
    if (!key.ok()) return key.status();
    auto projection = ParseProjection(g.expressions);
    if (!projection.ok()) return projection.status();
    prepared.push_back({table, std::move(key).value(), std::move(projection).value()});
  }
  return impl_->store.Read(
      [&](storage::Database& db) -> Result<std::vector<std::optional<Item>>> {
        storage::Transaction snapshot(db, storage::Transaction::Kind::kDeferred);
        STREAMSTACK_RETURN_IF_ERROR(snapshot.Begin());
        std::vector<std::optional<Item>> out;
        for (const auto& p : prepared) {
          auto stored = impl_->LoadItem(db, *p.table, p.key);
          if (!stored.ok()) return stored.status();
          if (!*stored) {
            out.emplace_back();
            continue;
          }
          Item item = std::move((*stored)->item);
          if (p.projection) item = p.projection->Apply(item);
          out.emplace_back(std::move(item));
        }
        return out;
      });
}

}  // namespace streamstack::dynamodb
