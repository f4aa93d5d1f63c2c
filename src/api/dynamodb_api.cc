#include "streamstack/api/dynamodb_api.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "api/dynamodb_input_model.h"
#include "api/legacy_parameters.h"
#include "streamstack/common/text.h"
#include "streamstack/common/violations.h"
#include "streamstack/dynamodb/partiql.h"
#include "streamstack/dynamodb/table_arn.h"
#include "streamstack/protocol/input_model.h"

namespace streamstack::api {
namespace {

using dynamodb::AttributeValue;
using dynamodb::Item;
using dynamodb::ValueWording;
using nlohmann::json;
using protocol::JsonReply;
using protocol::RequestContext;

const protocol::ServiceWire kDynamoDbWire{protocol::WireProtocol::kJson10,
                                          "com.amazonaws.dynamodb.v20120810", "", false};

// --- Decoding --------------------------------------------------------------------------

const protocol::InputModel& DynamoDbModel() {
  static const protocol::InputModel model(DynamoDbInputModel(), "com.amazonaws.dynamodb.v20120810");
  return model;
}

// CreateTable, DeleteTable, DescribeTable, DescribeTimeToLive and UpdateTable answer a missing
// TableName before the model's constraints, in words of their own (dynalite's validations,
// recorded against DynamoDB; a DynamoDB conformance suite's CreateTable capture, 2026). A name
// of the wrong length or characters is the model's constraint list today (that suite's
// CreateTable "ab" and ack-api-quirks' DescribeTable "" captures, 2026-10), where dynalite
// recorded "TableName must be at least 3 characters long and at most 255 characters long".
Status CheckTableNameFirst(const json& in) {
  auto it = in.find("TableName");
  if (it == in.end() || it->is_null()) {
    return ValidationError(
        "The parameter 'TableName' is required but was not present in the "
        "request");
  }
  return Status::Ok();
}

// RestoreTableFromBackup answers a TargetTableName of the wrong length before the model's
// constraints, in the older words (recorded, ack-api-quirks DDB-TABLE-457: "", us-west-2,
// 2026-10-09); a name of the right length with other characters is the model's.
Status CheckTargetTableNameLength(const json& in) {
  auto it = in.find("TargetTableName");
  if (it == in.end() || !it->is_string()) return Status::Ok();
  const size_t length = Utf16Length(it->get<std::string>());
  if (length >= 3 && length <= 255) return Status::Ok();
  return ValidationError(
      "TableName must be at least 3 characters long and at most 255 characters long");
}

Status NullMember(const std::string& member) {
  return ValidationError("1 validation error detected: Value null at '" + member +
                         "' failed to satisfy constraint: Member must not be null");
}

Status WrongType(const std::string& member) {
  return Status(AwsError::kSerialization, "Unexpected value type in payload for member " + member);
}

// The lowerCamel name AWS uses for a member in validation messages ("TableName" -> "tableName").
std::string WireMember(std::string name) {
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(name[0]));
  return name;
}

Result<std::string> RequiredString(const json& in, const char* name) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return NullMember(WireMember(name));
  if (!it->is_string()) return WrongType(name);
  return it->get<std::string>();
}

Result<std::optional<std::string>> OptionalString(const json& in, const char* name) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return WrongType(name);
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::optional<int64_t>> OptionalInt(const json& in, const char* name) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return WrongType(name);
  return std::optional<int64_t>(it->get<int64_t>());
}

Result<std::optional<bool>> OptionalBool(const json& in, const char* name) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return WrongType(name);
  return std::optional<bool>(it->get<bool>());
}

Result<Item> RequiredItem(const json& in, const char* name, ValueWording wording) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return NullMember(WireMember(name));
  if (!it->is_object()) return WrongType(name);
  return dynamodb::ItemFromJson(*it, wording);
}

// A TableName member: the table it names, a table ARN resolved to its name (table_arn.h).
Result<std::string> RequiredTableName(const dynamodb::TableStore& tables, const json& in) {
  auto name = RequiredString(in, "TableName");
  if (!name.ok()) return name.status();
  return dynamodb::ResolveTableName(tables.scope(), *name);
}

// The TableName as the request spelled it: AWS echoes a table ARN where it answers with the
// table (ConsumedCapacity.TableName). Call after RequiredTableName succeeded.
std::string RequestedTableName(const json& in) { return in.at("TableName").get<std::string>(); }

// An ExpressionAttributeValues entry that is no attribute value. AWS checks the maps' shape
// first: ExpressionAttributeNames' emptiness and keys, then every ExpressionAttributeValues key
// (dynalite validations/index.js, recorded against DynamoDB); the value's fault comes after.
Status InvalidExpressionValue(const std::optional<std::map<std::string, std::string>>& names,
                              const json& values, Status invalid_value) {
  if (names) STREAMSTACK_RETURN_IF_ERROR(dynamodb::CheckNameKeys(*names));
  for (const auto& [key, value] : values.items()) {
    STREAMSTACK_RETURN_IF_ERROR(dynamodb::CheckPlaceholder(key, /*name=*/false));
  }
  return invalid_value;
}

// The Responses of a read transaction (TransactGetItems, ExecuteTransaction's reads): one entry
// per item asked for; no Item for a missing one, nor for one the projection leaves nothing of
// (ExtendDB's transaction tests, captured from DynamoDB).
json TransactGetResponses(const std::vector<std::optional<dynamodb::Item>>& items) {
  json responses = json::array();
  for (const auto& item : items) {
    responses.push_back(item && !item->empty() ? json{{"Item", dynamodb::ItemToJson(*item)}}
                                               : json::object());
  }
  return responses;
}

Status DecodeExpressions(const json& in, ValueWording wording, dynamodb::ExpressionInput* out) {
  for (auto [member, slot] : {std::pair{"ConditionExpression", &out->condition_expression},
                              std::pair{"UpdateExpression", &out->update_expression},
                              std::pair{"ProjectionExpression", &out->projection_expression},
                              std::pair{"KeyConditionExpression", &out->key_condition_expression},
                              std::pair{"FilterExpression", &out->filter_expression}}) {
    auto v = OptionalString(in, member);
    if (!v.ok()) return v.status();
    *slot = *v;
  }
  if (auto it = in.find("ExpressionAttributeNames"); it != in.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("ExpressionAttributeNames");
    std::map<std::string, std::string> names;
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return WrongType("ExpressionAttributeNames");
      names[k] = v.get<std::string>();
    }
    out->names = std::move(names);
  }
  if (auto it = in.find("ExpressionAttributeValues"); it != in.end() && !it->is_null()) {
    if (!it->is_object()) return WrongType("ExpressionAttributeValues");
    std::map<std::string, AttributeValue> values;
    for (const auto& [k, v] : it->items()) {
      auto value = dynamodb::ExpressionAttributeValueFromJson(k, v, wording);
      if (!value.ok()) return InvalidExpressionValue(out->names, *it, value.status());
      values.emplace(k, std::move(value).value());
    }
    out->values = std::move(values);
  }
  return Status::Ok();
}

Result<dynamodb::ReturnValues> DecodeReturnValues(const json& in) {
  auto v = OptionalString(in, "ReturnValues");
  if (!v.ok()) return v.status();
  if (!*v || **v == "NONE") return dynamodb::ReturnValues::kNone;
  if (**v == "ALL_OLD") return dynamodb::ReturnValues::kAllOld;
  if (**v == "ALL_NEW") return dynamodb::ReturnValues::kAllNew;
  if (**v == "UPDATED_OLD") return dynamodb::ReturnValues::kUpdatedOld;
  return dynamodb::ReturnValues::kUpdatedNew;  // the model's enum (input_model.h) holds no other
}

Result<bool> DecodeReturnOnConditionFailure(const json& in) {
  auto v = OptionalString(in, "ReturnValuesOnConditionCheckFailure");
  if (!v.ok()) return v.status();
  return *v && **v == "ALL_OLD";  // the model's enum (input_model.h) holds no other
}

// ReturnItemCollectionMetrics SIZE.
Result<bool> WantsItemCollectionMetrics(const json& in) {
  auto metrics = OptionalString(in, "ReturnItemCollectionMetrics");
  if (!metrics.ok()) return metrics.status();
  return *metrics && **metrics == "SIZE";
}

// ReturnValues, ReturnValuesOnConditionCheckFailure and ReturnItemCollectionMetrics, which
// PutItem, UpdateItem and DeleteItem share (their requests name the members alike).
template <typename WriteRequest>
Status DecodeReturnSettings(const json& in, WriteRequest* req) {
  STREAMSTACK_ASSIGN_OR_RETURN(req->return_values, DecodeReturnValues(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req->return_old_on_condition_failure,
                               DecodeReturnOnConditionFailure(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req->return_item_collection_metrics, WantsItemCollectionMetrics(in));
  return Status::Ok();
}

// How much of ConsumedCapacity a request asked for (ReturnConsumedCapacity).
enum class CapacityDetail { kNone, kTotal, kIndexes };

CapacityDetail RequestedCapacityDetail(const json& in) {
  auto it = in.find("ReturnConsumedCapacity");
  if (it == in.end() || !it->is_string()) return CapacityDetail::kNone;
  if (*it == "TOTAL") return CapacityDetail::kTotal;
  if (*it == "INDEXES") return CapacityDetail::kIndexes;
  return CapacityDetail::kNone;
}

// Real DynamoDB reports the ReadCapacityUnits/WriteCapacityUnits split only on transactional
// operations (TransactGetItems, TransactWriteItems, ExecuteTransaction); every other one
// answers CapacityUnits alone (characterised against AWS by the dynamodb-conformance suite,
// github.com/paritysuite/dynamodb-conformance issues 27 and 69; dynalite's recorded answers
// for the single-item and batch operations agree).
enum class CapacitySplit { kAggregate, kReadWrite };

json CapacityUnitsJson(const dynamodb::CapacityUnits& units, CapacitySplit split) {
  json out = {{"CapacityUnits", units.Total()}};
  if (split == CapacitySplit::kReadWrite) {
    if (units.read > 0) out["ReadCapacityUnits"] = units.read;
    if (units.write > 0) out["WriteCapacityUnits"] = units.write;
  }
  return out;
}

// One ConsumedCapacity: TOTAL is the table name and the units of the table and its indexes
// together; INDEXES adds the table's own share (Table, present even at 0 for an index read)
// and each index's (GlobalSecondaryIndexes / LocalSecondaryIndexes, the ones charged).
json ConsumedCapacityJson(const dynamodb::ConsumedCapacity& c, const std::string& table_name,
                          CapacityDetail detail, CapacitySplit split) {
  json out = CapacityUnitsJson(c.Total(), split);
  out["TableName"] = table_name;
  if (detail != CapacityDetail::kIndexes) return out;
  out["Table"] = CapacityUnitsJson(c.table, split);
  for (auto [member, by_name] : {std::pair{"GlobalSecondaryIndexes", &c.global_secondary_indexes},
                                 std::pair{"LocalSecondaryIndexes", &c.local_secondary_indexes}}) {
    if (by_name->empty()) continue;
    json indexes = json::object();
    for (const auto& [name, units] : *by_name) indexes[name] = CapacityUnitsJson(units, split);
    out[member] = std::move(indexes);
  }
  return out;
}

// ConsumedCapacity of a one-table operation, when the request asked for it.
void AddConsumedCapacity(CapacityDetail detail, const dynamodb::ConsumedCapacity& c,
                         const std::string& table_name, json* out,
                         CapacitySplit split = CapacitySplit::kAggregate) {
  if (detail == CapacityDetail::kNone) return;
  (*out)["ConsumedCapacity"] = ConsumedCapacityJson(c, table_name, detail, split);
}

// ConsumedCapacity of a batch or transaction: one entry per table, named as the request
// named it (`requested_as`: resolved name -> the request's spelling, a table ARN stays one).
void AddConsumedCapacityList(CapacityDetail detail,
                             const std::vector<dynamodb::ConsumedCapacity>& list,
                             const std::map<std::string, std::string>& requested_as, json* out,
                             CapacitySplit split = CapacitySplit::kAggregate) {
  if (detail == CapacityDetail::kNone) return;
  json entries = json::array();
  for (const auto& c : list) {
    auto it = requested_as.find(c.table_name);
    entries.push_back(ConsumedCapacityJson(c, it != requested_as.end() ? it->second : c.table_name,
                                           detail, split));
  }
  (*out)["ConsumedCapacity"] = std::move(entries);
}

template <typename T, typename F>
Status DecodeList(const json& in, const char* name, bool required, std::vector<T>* out, F decode) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return required ? NullMember(WireMember(name)) : Status();
  if (!it->is_array()) return WrongType(name);
  for (const auto& e : *it) {
    if (!e.is_object()) return WrongType(name);
    auto v = decode(e);
    if (!v.ok()) return v.status();
    out->push_back(std::move(v).value());
  }
  return Status::Ok();
}

Result<dynamodb::KeySchemaElement> DecodeKeySchemaElement(const json& e) {
  auto name = RequiredString(e, "AttributeName");
  if (!name.ok()) return name.status();
  auto type = RequiredString(e, "KeyType");
  if (!type.ok()) return type.status();
  return dynamodb::KeySchemaElement{*name, *type};
}

Result<dynamodb::ProvisionedThroughput> DecodeThroughput(const json& e) {
  auto r = OptionalInt(e, "ReadCapacityUnits");
  if (!r.ok()) return r.status();
  auto w = OptionalInt(e, "WriteCapacityUnits");
  if (!w.ok()) return w.status();
  if (!*r) return NullMember("provisionedThroughput.readCapacityUnits");
  if (!*w) return NullMember("provisionedThroughput.writeCapacityUnits");
  return dynamodb::ProvisionedThroughput{**r, **w};
}

Result<std::optional<dynamodb::ProvisionedThroughput>> OptionalThroughput(const json& in) {
  auto it = in.find("ProvisionedThroughput");
  if (it == in.end() || it->is_null()) return std::optional<dynamodb::ProvisionedThroughput>();
  if (!it->is_object()) return WrongType("ProvisionedThroughput");
  auto t = DecodeThroughput(*it);
  if (!t.ok()) return t.status();
  return std::optional<dynamodb::ProvisionedThroughput>(*t);
}

// OnDemandThroughput of CreateTable, UpdateTable and an index of either.
Result<dynamodb::OnDemandThroughput> DecodeOnDemandThroughput(const json& in) {
  dynamodb::OnDemandThroughput limits;
  STREAMSTACK_ASSIGN_OR_RETURN(limits.max_read_request_units,
                               OptionalInt(in, "MaxReadRequestUnits"));
  STREAMSTACK_ASSIGN_OR_RETURN(limits.max_write_request_units,
                               OptionalInt(in, "MaxWriteRequestUnits"));
  return limits;
}

// `member`: OnDemandThroughput, or a restore's OnDemandThroughputOverride.
Result<std::optional<dynamodb::OnDemandThroughput>> OptionalOnDemandThroughput(
    const json& in, const char* member = "OnDemandThroughput") {
  auto it = in.find(member);
  if (it == in.end() || it->is_null()) return std::optional<dynamodb::OnDemandThroughput>();
  if (!it->is_object()) return WrongType(member);
  STREAMSTACK_ASSIGN_OR_RETURN(dynamodb::OnDemandThroughput limits, DecodeOnDemandThroughput(*it));
  return std::optional<dynamodb::OnDemandThroughput>(limits);
}

Result<std::optional<dynamodb::WarmThroughput>> DecodeWarmThroughput(const json& in) {
  auto it = in.find("WarmThroughput");
  if (it == in.end() || it->is_null()) return std::optional<dynamodb::WarmThroughput>();
  if (!it->is_object()) return WrongType("WarmThroughput");
  dynamodb::WarmThroughput warm;
  STREAMSTACK_ASSIGN_OR_RETURN(warm.read_units_per_second, OptionalInt(*it, "ReadUnitsPerSecond"));
  STREAMSTACK_ASSIGN_OR_RETURN(warm.write_units_per_second,
                               OptionalInt(*it, "WriteUnitsPerSecond"));
  return std::optional<dynamodb::WarmThroughput>(warm);
}

Result<dynamodb::SecondaryIndex> DecodeIndex(const json& e) {
  dynamodb::SecondaryIndex index;
  STREAMSTACK_ASSIGN_OR_RETURN(index.name, RequiredString(e, "IndexName"));
  STREAMSTACK_RETURN_IF_ERROR(
      DecodeList(e, "KeySchema", true, &index.key_schema, DecodeKeySchemaElement));
  index.projection = e.value("Projection", json::object());
  STREAMSTACK_ASSIGN_OR_RETURN(index.throughput, OptionalThroughput(e));
  STREAMSTACK_ASSIGN_OR_RETURN(std::optional<dynamodb::OnDemandThroughput> limits,
                               OptionalOnDemandThroughput(e));
  index.on_demand_throughput = limits.value_or(dynamodb::OnDemandThroughput{});
  STREAMSTACK_ASSIGN_OR_RETURN(std::optional<dynamodb::WarmThroughput> warm,
                               DecodeWarmThroughput(e));
  if (warm) {
    index.warm_read_units_per_second = warm->read_units_per_second;
    index.warm_write_units_per_second = warm->write_units_per_second;
  }
  return index;
}

// One Tag of CreateTable or TagResource. AWS names a missing Key or Value in its tag texts
// (ack-api-quirks DDB-TABLE-107/457), not with the generic "must not be null".
Result<dynamodb::Tag> DecodeTag(const json& e) {
  auto key = OptionalString(e, "Key");
  if (!key.ok()) return key.status();
  if (!*key) return ValidationError("The Tag Key provided is invalid, Key: null");
  auto value = OptionalString(e, "Value");
  if (!value.ok()) return value.status();
  if (!*value) return ValidationError("The Tag Value provided is invalid, Value: null");
  return dynamodb::Tag{**key, **value};
}

Result<dynamodb::AttributeDefinition> DecodeAttributeDefinition(const json& e) {
  auto n = RequiredString(e, "AttributeName");
  if (!n.ok()) return n.status();
  auto t = RequiredString(e, "AttributeType");
  if (!t.ok()) return t.status();
  return dynamodb::AttributeDefinition{*n, *t};
}

// One GlobalSecondaryIndexUpdate: exactly one of Create, Update, Delete.
Result<dynamodb::GlobalSecondaryIndexUpdate> DecodeIndexUpdate(const json& e) {
  using Action = dynamodb::GlobalSecondaryIndexUpdate::Action;
  std::vector<std::pair<const char*, Action>> present;
  for (auto [name, action] :
       {std::pair{"Create", Action::kCreate}, std::pair{"Update", Action::kUpdate},
        std::pair{"Delete", Action::kDelete}}) {
    auto it = e.find(name);
    if (it != e.end() && !it->is_null()) present.emplace_back(name, action);
  }
  if (present.empty()) {
    return ValidationError(
        "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, "
        "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null");
  }
  if (present.size() > 1) {
    return ValidationError(
        "One or more parameter values were invalid: Only one global secondary index action is "
        "allowed per GlobalSecondaryIndexUpdate object");
  }
  const json& body = e[present[0].first];
  if (!body.is_object()) return WrongType(present[0].first);
  dynamodb::GlobalSecondaryIndexUpdate update;
  update.action = present[0].second;
  if (update.action == Action::kCreate) {
    auto index = DecodeIndex(body);
    if (!index.ok()) return index.status();
    update.index = std::move(index).value();
    return update;
  }
  STREAMSTACK_ASSIGN_OR_RETURN(update.index.name, RequiredString(body, "IndexName"));
  if (update.action == Action::kUpdate) {
    STREAMSTACK_ASSIGN_OR_RETURN(update.index.throughput, OptionalThroughput(body));
    STREAMSTACK_ASSIGN_OR_RETURN(update.on_demand_throughput, OptionalOnDemandThroughput(body));
    STREAMSTACK_ASSIGN_OR_RETURN(update.warm_throughput, DecodeWarmThroughput(body));
  }
  return update;
}

Result<std::optional<dynamodb::StreamSpecification>> DecodeStreamSpecification(const json& in) {
  auto it = in.find("StreamSpecification");
  if (it == in.end() || it->is_null()) return std::optional<dynamodb::StreamSpecification>();
  if (!it->is_object()) return WrongType("StreamSpecification");
  dynamodb::StreamSpecification spec;
  auto enabled = OptionalBool(*it, "StreamEnabled");
  if (!enabled.ok()) return enabled.status();
  if (!*enabled) return NullMember("streamSpecification.streamEnabled");
  spec.enabled = **enabled;
  STREAMSTACK_ASSIGN_OR_RETURN(spec.view_type, OptionalString(*it, "StreamViewType"));
  return std::optional<dynamodb::StreamSpecification>(spec);
}

// SSESpecification: its members' types and SSEType's enum, as the model has them.
// `member`: SSESpecification, or a restore's SSESpecificationOverride.
Result<std::optional<dynamodb::SseSpecification>> DecodeSseSpecification(
    const json& in, const char* member = "SSESpecification") {
  auto it = in.find(member);
  if (it == in.end() || it->is_null()) return std::optional<dynamodb::SseSpecification>();
  if (!it->is_object()) return WrongType(member);
  dynamodb::SseSpecification spec;
  STREAMSTACK_ASSIGN_OR_RETURN(spec.enabled, OptionalBool(*it, "Enabled"));
  auto type = OptionalString(*it, "SSEType");
  if (!type.ok()) return type.status();
  if (*type && **type != "AES256" && **type != "KMS") {
    return ValidationError("1 validation error detected: Value '" + **type +
                           "' at 'sSESpecification.sSEType' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [AES256, KMS]");
  }
  spec.sse_type = *type;
  STREAMSTACK_ASSIGN_OR_RETURN(spec.kms_master_key_id, OptionalString(*it, "KMSMasterKeyId"));
  return std::optional<dynamodb::SseSpecification>(spec);
}

// --- Encoding --------------------------------------------------------------------------

double EpochSeconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

json EncodeKeySchema(const std::vector<dynamodb::KeySchemaElement>& ks) {
  json out = json::array();
  for (const auto& k : ks) out.push_back({{"AttributeName", k.name}, {"KeyType", k.key_type}});
  return out;
}

json EncodeThroughput(const dynamodb::ProvisionedThroughput& t, int64_t decreases_today = 0) {
  return {{"NumberOfDecreasesToday", decreases_today},
          {"ReadCapacityUnits", t.read_capacity_units},
          {"WriteCapacityUnits", t.write_capacity_units}};
}

// A table's or a global secondary index's ProvisionedThroughputDescription: the day's
// decreases, and the times of the last increase and decrease once there were any (as AWS's
// API reference describes them).
json EncodeThroughputDescription(const dynamodb::ProvisionedThroughput& t, int64_t decreases_today,
                                 int64_t last_increase_ms,
                                 const dynamodb::CapacityDecreases& decreases) {
  json out = EncodeThroughput(t, decreases_today);
  if (last_increase_ms != 0) out["LastIncreaseDateTime"] = EpochSeconds(last_increase_ms);
  if (decreases.last_decrease_ms != 0) {
    out["LastDecreaseDateTime"] = EpochSeconds(decreases.last_decrease_ms);
  }
  return out;
}

// While a capacity change is under way (and in UpdateTable's answer) AWS shows the units and
// the day's decreases before it, with the change's own time (recorded, DDB-TABLE-060, -184).
json EncodeTableThroughput(const dynamodb::TableDescription& d) {
  const dynamodb::TableDefinition& t = *d.definition;
  if (const auto& before = d.before_change.capacity) {
    return EncodeThroughputDescription(before->units, before->decreases_today,
                                       t.last_capacity_increase_ms, t.capacity_decreases);
  }
  return EncodeThroughputDescription(t.throughput, d.decreases_today, t.last_capacity_increase_ms,
                                     t.capacity_decreases);
}

// Only the members that are set; AWS leaves OnDemandThroughput out when neither is.
json EncodeOnDemandThroughput(const dynamodb::OnDemandThroughput& t) {
  json out = json::object();
  if (t.max_read_request_units) out["MaxReadRequestUnits"] = *t.max_read_request_units;
  if (t.max_write_request_units) out["MaxWriteRequestUnits"] = *t.max_write_request_units;
  return out;
}

json EncodeTableDescription(const dynamodb::TableDescription& d) {
  const dynamodb::TableDefinition& t = *d.definition;
  json defs = json::array();
  for (const auto& a : t.attribute_definitions) {
    defs.push_back({{"AttributeName", a.name}, {"AttributeType", a.type}});
  }
  json out = {
      {"AttributeDefinitions", defs},
      {"TableName", t.name},
      {"KeySchema", EncodeKeySchema(t.key_schema)},
      {"TableStatus", dynamodb::TableStatusName(d.status)},
      {"CreationDateTime", EpochSeconds(t.created_ms)},
      {"ProvisionedThroughput", EncodeTableThroughput(d)},
      {"TableSizeBytes", d.size_bytes},
      {"ItemCount", d.item_count},
      {"TableArn", t.arn},
      {"TableId", t.table_uuid},
      {"DeletionProtectionEnabled", t.deletion_protection_enabled},
  };
  // The time the table last became on demand, also once it is PROVISIONED again, but not in
  // the answer that makes it so (recorded, ack-api-quirks DDB-TABLE-033, -064, -055, -183).
  if (t.billing_mode == "PAY_PER_REQUEST" || t.billing_mode_changed_ms != 0) {
    json summary = {{"BillingMode", t.billing_mode}};
    if (t.last_update_to_ppr_ms != 0 && !d.becoming_pay_per_request) {
      summary["LastUpdateToPayPerRequestDateTime"] = EpochSeconds(t.last_update_to_ppr_ms);
    }
    out["BillingModeSummary"] = summary;
  }
  // While a class change is under way (and in UpdateTable's answer) AWS shows the summary
  // before it (recorded, ack-api-quirks DDB-TABLE-284).
  const std::optional<dynamodb::TableClassSummary> class_summary =
      d.before_change.table_class ? *d.before_change.table_class : dynamodb::TableClassSummaryOf(t);
  if (class_summary) {
    out["TableClassSummary"] = {{"TableClass", class_summary->table_class}};
    if (class_summary->last_update_ms != 0) {
      out["TableClassSummary"]["LastUpdateDateTime"] = EpochSeconds(class_summary->last_update_ms);
    }
  }
  const dynamodb::OnDemandThroughput& limits = d.on_demand_answer.value_or(t.on_demand_throughput);
  if (!limits.Empty()) out["OnDemandThroughput"] = EncodeOnDemandThroughput(limits);
  // AWS describes encryption with a KMS key only; the AWS owned key has no SSEDescription.
  // While a change is under way AWS describes the key before it, UPDATING.
  if (const auto& key_before = d.before_change.sse_kms_master_key_arn) {
    out["SSEDescription"] = {{"Status", "UPDATING"}};
    if (!key_before->empty()) {
      out["SSEDescription"]["SSEType"] = "KMS";
      out["SSEDescription"]["KMSMasterKeyArn"] = *key_before;
    }
  } else if (!t.sse_kms_master_key_arn.empty()) {
    out["SSEDescription"] = {
        {"Status", "ENABLED"}, {"SSEType", "KMS"}, {"KMSMasterKeyArn", t.sse_kms_master_key_arn}};
  }
  // Warm throughput (LocalStack's recorded AWS answers): a table's own WarmThroughput, else its
  // provisioned capacity, else on demand 12000 reads and 4000 writes per second, ACTIVE.
  // CreateTable's answer shows it only when the request asked for it (UPDATING), and an index's
  // not at all; DeleteTable's answer shows neither.
  const bool table_creating = d.status == dynamodb::TableStatus::kCreating;
  const bool describe_warm = !table_creating && d.status != dynamodb::TableStatus::kDeleting;
  const bool warm_asked = t.warm_read_units_per_second != 0 || t.warm_write_units_per_second != 0;
  if (describe_warm || (table_creating && warm_asked)) {
    // An increase under way: AWS describes the values before it, UPDATING.
    const dynamodb::WarmThroughputValues warm =
        d.before_change.warm_throughput.value_or(dynamodb::WarmThroughputOf(t));
    const bool updating = table_creating || d.before_change.warm_throughput.has_value();
    out["WarmThroughput"] = {{"ReadUnitsPerSecond", warm.read_units_per_second},
                             {"WriteUnitsPerSecond", warm.write_units_per_second},
                             {"Status", updating ? "UPDATING" : "ACTIVE"}};
  }
  auto encode_index = [&](const dynamodb::SecondaryIndex& i, bool global, const char* status) {
    auto stats = d.index_stats.find(i.name);
    dynamodb::IndexStats counts =
        stats == d.index_stats.end() ? dynamodb::IndexStats{} : stats->second;
    json j = {{"IndexName", i.name},
              {"KeySchema", EncodeKeySchema(i.key_schema)},
              {"Projection", i.projection},
              {"IndexSizeBytes", counts.size_bytes},
              {"ItemCount", counts.item_count},
              {"IndexArn", t.arn + "/index/" + i.name}};
    if (global) {
      if (status != nullptr) j["IndexStatus"] = status;
      dynamodb::ProvisionedThroughput throughput =
          i.throughput.value_or(dynamodb::ProvisionedThroughput{});
      int64_t decreases_today = counts.decreases_today;
      // An update of the index's own capacity or limits under way: UPDATING, the capacity
      // before it (recorded, DDB-TABLE-135, -148).
      const auto& index_capacity = d.before_change.index_capacity;
      if (auto updating = index_capacity.find(i.name); updating != index_capacity.end()) {
        j["IndexStatus"] = "UPDATING";
        if (updating->second) {
          throughput = updating->second->units;
          decreases_today = updating->second->decreases_today;
        }
      }
      j["ProvisionedThroughput"] = EncodeThroughputDescription(
          throughput, decreases_today, i.last_capacity_increase_ms, i.capacity_decreases);
      if (!i.on_demand_throughput.Empty()) {
        j["OnDemandThroughput"] = EncodeOnDemandThroughput(i.on_demand_throughput);
      }
      if (describe_warm) {  // its own, else on demand 12000/4000, else its capacity
        dynamodb::WarmThroughputValues warm = dynamodb::WarmThroughputOf(i, t.billing_mode);
        std::string warm_status = status != nullptr ? status : "ACTIVE";
        // A raise under way: the values before it, UPDATING (recorded, DDB-TABLE-155).
        const auto& index_warm = d.before_change.index_warm_throughput;
        if (auto raising = index_warm.find(i.name); raising != index_warm.end()) {
          warm = raising->second;
          warm_status = "UPDATING";
        }
        j["WarmThroughput"] = {{"ReadUnitsPerSecond", warm.read_units_per_second},
                               {"WriteUnitsPerSecond", warm.write_units_per_second},
                               {"Status", warm_status}};
      }
    }
    return j;
  };
  const bool restoring = t.restore_ms != 0 && table_creating;
  auto encode_indexes = [&](const std::vector<dynamodb::SecondaryIndex>& indexes, bool global) {
    json arr = json::array();
    for (const auto& i : indexes) {
      // A table's indexes are CREATING with it; later only the one UpdateTable creates: first
      // in resource allocation (the table UPDATING, Backfilling false), then backfilling (the
      // table ACTIVE again, Backfilling true) until every item is indexed (ack-api-quirks
      // DDB-TABLE-148). Backfilling is left out for a table's own indexes, as AWS leaves it.
      const bool allocating = d.creating_index && *d.creating_index == i.name;
      const bool creating = global && (table_creating || allocating || i.backfill);
      // A restore's target lists its indexes without IndexStatus until it is ACTIVE
      // (recorded, ack-api-quirks DDB-TABLE-282).
      const char* status = restoring ? nullptr : creating ? "CREATING" : "ACTIVE";
      json j = encode_index(i, global, status);
      if (creating && !table_creating) j["Backfilling"] = !allocating;
      arr.push_back(std::move(j));
    }
    return arr;
  };
  if (!t.global_secondary_indexes.empty() || d.deleting_index) {
    json gsis = encode_indexes(t.global_secondary_indexes, true);
    if (d.deleting_index) gsis.push_back(encode_index(*d.deleting_index, true, "DELETING"));
    out["GlobalSecondaryIndexes"] = std::move(gsis);
  }
  if (!t.local_secondary_indexes.empty()) {
    out["LocalSecondaryIndexes"] = encode_indexes(t.local_secondary_indexes, false);
  }
  if (t.stream_enabled) {
    out["StreamSpecification"] = {
        {"StreamEnabled", true},
        {"StreamViewType", std::string(streams::StreamViewTypeName(t.stream_view_type))}};
  }
  if (!t.latest_stream_arn.empty()) {
    out["LatestStreamLabel"] = t.latest_stream_label;
    out["LatestStreamArn"] = t.latest_stream_arn;
  }
  // Only while the restore is under way: AWS leaves RestoreSummary out of the restored table
  // once it is ACTIVE (recorded, ack-api-quirks DDB-TABLE-216: from the first ACTIVE poll on).
  if (restoring) {
    json summary = json::object();
    if (!t.restore_source_backup_arn.empty()) {
      summary["SourceBackupArn"] = t.restore_source_backup_arn;
    }
    summary["SourceTableArn"] = t.restore_source_table_arn;
    summary["RestoreDateTime"] = EpochSeconds(t.restore_ms);
    summary["RestoreInProgress"] = true;
    out["RestoreSummary"] = std::move(summary);
  }
  return out;
}

// --- Operations ------------------------------------------------------------------------

using Op = std::function<void(const RequestContext&, json&&, JsonReply)>;

// Runs a synchronous operation body and replies with its result.
template <typename F>
Op Sync(F body) {
  return [body](const RequestContext&, json&& in, JsonReply reply) { reply(body(in)); };
}

// The reply of CreateTable, UpdateTable and DeleteTable: the table's description under
// `member`, encoded where the write completes (the storage completion thread).
dynamodb::TableStore::DescriptionDone DescriptionReply(JsonReply reply) {
  return [reply = std::move(reply)](Result<dynamodb::TableDescription> d) {
    if (!d.ok()) return reply(d.status());
    reply(json{{"TableDescription", EncodeTableDescription(*d)}});
  };
}

Result<dynamodb::CreateTableRequest> DecodeCreateTable(const dynamodb::TableStore& tables,
                                                       const json& in) {
  dynamodb::CreateTableRequest req;
  STREAMSTACK_ASSIGN_OR_RETURN(req.table_name, RequiredTableName(tables, in));
  STREAMSTACK_RETURN_IF_ERROR(DecodeList(in, "AttributeDefinitions", true,
                                         &req.attribute_definitions, DecodeAttributeDefinition));
  STREAMSTACK_RETURN_IF_ERROR(
      DecodeList(in, "KeySchema", true, &req.key_schema, DecodeKeySchemaElement));
  STREAMSTACK_ASSIGN_OR_RETURN(req.billing_mode, OptionalString(in, "BillingMode"));
  STREAMSTACK_ASSIGN_OR_RETURN(req.provisioned_throughput, OptionalThroughput(in));
  if (in.contains("GlobalSecondaryIndexes")) {
    req.global_secondary_indexes.emplace();
    STREAMSTACK_RETURN_IF_ERROR(DecodeList(in, "GlobalSecondaryIndexes", false,
                                           &*req.global_secondary_indexes, DecodeIndex));
  }
  if (in.contains("LocalSecondaryIndexes")) {
    req.local_secondary_indexes.emplace();
    STREAMSTACK_RETURN_IF_ERROR(
        DecodeList(in, "LocalSecondaryIndexes", false, &*req.local_secondary_indexes, DecodeIndex));
  }
  STREAMSTACK_ASSIGN_OR_RETURN(req.stream_specification, DecodeStreamSpecification(in));
  STREAMSTACK_RETURN_IF_ERROR(DecodeList(in, "Tags", false, &req.tags, DecodeTag));
  STREAMSTACK_ASSIGN_OR_RETURN(std::optional<bool> protection,
                               OptionalBool(in, "DeletionProtectionEnabled"));
  req.deletion_protection_enabled = protection.value_or(false);
  STREAMSTACK_ASSIGN_OR_RETURN(req.table_class, OptionalString(in, "TableClass"));
  STREAMSTACK_ASSIGN_OR_RETURN(req.sse_specification, DecodeSseSpecification(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.warm_throughput, DecodeWarmThroughput(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.on_demand_throughput, OptionalOnDemandThroughput(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.resource_policy, OptionalString(in, "ResourcePolicy"));
  return req;
}

void CreateTable(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto req = DecodeCreateTable(tables, in);
  if (!req.ok()) return reply(req.status());
  tables.CreateTable(std::move(req).value(), DescriptionReply(std::move(reply)));
}

Result<dynamodb::UpdateTableRequest> DecodeUpdateTable(const dynamodb::TableStore& tables,
                                                       const json& in) {
  dynamodb::UpdateTableRequest req;
  STREAMSTACK_ASSIGN_OR_RETURN(req.table_name, RequiredTableName(tables, in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.billing_mode, OptionalString(in, "BillingMode"));
  STREAMSTACK_ASSIGN_OR_RETURN(req.provisioned_throughput, OptionalThroughput(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.stream_specification, DecodeStreamSpecification(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.deletion_protection_enabled,
                               OptionalBool(in, "DeletionProtectionEnabled"));
  STREAMSTACK_ASSIGN_OR_RETURN(req.table_class, OptionalString(in, "TableClass"));
  STREAMSTACK_ASSIGN_OR_RETURN(req.sse_specification, DecodeSseSpecification(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.warm_throughput, DecodeWarmThroughput(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.on_demand_throughput, OptionalOnDemandThroughput(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.multi_region_consistency,
                               OptionalString(in, "MultiRegionConsistency"));
  if (in.contains("AttributeDefinitions")) {
    req.attribute_definitions.emplace();
    STREAMSTACK_RETURN_IF_ERROR(DecodeList(in, "AttributeDefinitions", false,
                                           &*req.attribute_definitions, DecodeAttributeDefinition));
  }
  if (in.contains("GlobalSecondaryIndexUpdates")) {
    req.global_secondary_index_updates.emplace();
    STREAMSTACK_RETURN_IF_ERROR(DecodeList(in, "GlobalSecondaryIndexUpdates", false,
                                           &*req.global_secondary_index_updates,
                                           DecodeIndexUpdate));
  }
  return req;
}

void UpdateTable(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto req = DecodeUpdateTable(tables, in);
  if (!req.ok()) return reply(req.status());
  tables.UpdateTable(std::move(req).value(), DescriptionReply(std::move(reply)));
}

Result<json> DescribeTable(dynamodb::TableStore& tables, const json& in) {
  STREAMSTACK_ASSIGN_OR_RETURN(std::string name, RequiredTableName(tables, in));
  STREAMSTACK_ASSIGN_OR_RETURN(dynamodb::TableDescription d, tables.DescribeTable(name));
  return json{{"Table", EncodeTableDescription(d)}};
}

void DeleteTable(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto name = RequiredTableName(tables, in);
  if (!name.ok()) return reply(name.status());
  tables.DeleteTable(std::move(name).value(), DescriptionReply(std::move(reply)));
}

Result<json> ListTables(dynamodb::TableStore& tables, const json& in) {
  auto start = OptionalString(in, "ExclusiveStartTableName");
  if (!start.ok()) return start.status();
  auto limit = OptionalInt(in, "Limit");
  if (!limit.ok()) return limit.status();
  std::optional<int> lim;
  if (*limit) lim = static_cast<int>(std::clamp<int64_t>(**limit, -1, 1000));
  auto r = tables.ListTables(*start, lim);
  if (!r.ok()) return r.status();
  json out = {{"TableNames", r->table_names}};
  if (r->last_evaluated_table_name) out["LastEvaluatedTableName"] = *r->last_evaluated_table_name;
  return out;
}

// A write's reply: {} or {"Attributes": ...}, plus ConsumedCapacity when asked.
json ItemCollectionMetricsJson(const dynamodb::ItemCollectionMetrics& metrics) {
  return {{"ItemCollectionKey", dynamodb::ItemToJson(metrics.key)},
          {"SizeEstimateRangeGB", {metrics.size_low_gb, metrics.size_high_gb}}};
}

// A batch's or transaction's ItemCollectionMetrics, under the keys the request used, when asked.
void AddItemCollectionMetrics(const dynamodb::MultiWriteOutcome& outcome,
                              const std::map<std::string, std::string>& requested_as, json* out) {
  if (outcome.item_collection_metrics.empty()) return;
  json by_table = json::object();
  for (const auto& [table, collections] : outcome.item_collection_metrics) {
    json list = json::array();
    for (const auto& metrics : collections) list.push_back(ItemCollectionMetricsJson(metrics));
    auto it = requested_as.find(table);
    by_table[it != requested_as.end() ? it->second : table] = std::move(list);
  }
  (*out)["ItemCollectionMetrics"] = std::move(by_table);
}

// A fault PutItem, UpdateItem or DeleteItem finds in reading its request, as AWS's current
// validation layer answers it: inside the envelope (a DynamoDB conformance suite's captures,
// 2026-10-09: malformed numbers and repeated set members anywhere in the request, a malformed
// Expected, names or values without an expression, empty maps), save the faults AWS's request
// reader answers bare before that layer runs (dynamodb::IsReaderFault).
Status SingleItemWriteFault(Status fault) {
  if (dynamodb::IsReaderFault(fault)) return fault;
  return InValidationEnvelope(std::move(fault));
}

// PutItem's and DeleteItem's fault in reading a value: one nested past what the reader takes
// is answered by AWS's older layer, which checks their ReturnValues first, bare (a DynamoDB
// conformance suite's deepRequests captures, eu-west-2 and us-east-1: DeleteItem's UPDATED_NEW
// ahead of a 100-level condition value); the rest as SingleItemWriteFault.
Status OldOnlyReturnValuesWriteFault(const json& in, Status fault) {
  if (fault.message().find(dynamodb::kNestingExceeded) != std::string::npos) {
    // The model's enum check has already run: every ReturnValues reaching here decodes.
    auto return_values = DecodeReturnValues(in);
    if (return_values.ok()) {
      STREAMSTACK_RETURN_IF_ERROR(dynamodb::CheckOldOnlyReturnValues(*return_values));
    }
  }
  return SingleItemWriteFault(std::move(fault));
}

dynamodb::TableStore::WriteDone WriteReply(const json& in, std::string table, JsonReply reply) {
  return [detail = RequestedCapacityDetail(in), table = std::move(table),
          reply = std::move(reply)](Result<dynamodb::WriteOutcome> r) {
    if (!r.ok()) return reply(r.status());
    json out = json::object();
    if (r->attributes) out["Attributes"] = dynamodb::ItemToJson(*r->attributes);
    AddConsumedCapacity(detail, r->consumed, table, &out);
    if (const auto& metrics = r->item_collection_metrics) {
      out["ItemCollectionMetrics"] = ItemCollectionMetricsJson(*metrics);
    }
    reply(std::move(out));
  };
}

void PutItem(dynamodb::TableStore& tables, json&& request, JsonReply reply) {
  // Legacy parameters (Expected, ...) become the expressions they stand for.
  auto translated = TranslateLegacyParameters(LegacyShape::kPutItem, std::move(request));
  if (!translated.ok()) return reply(SingleItemWriteFault(translated.status()));
  const json in = std::move(translated).value();
  dynamodb::PutItemRequest req;
  auto name = RequiredTableName(tables, in);
  if (!name.ok()) return reply(name.status());
  req.table_name = *name;
  auto item = RequiredItem(in, "Item", ValueWording::kCurrent);
  if (!item.ok()) return reply(OldOnlyReturnValuesWriteFault(in, item.status()));
  req.item = std::move(item).value();
  Status st = DecodeExpressions(in, ValueWording::kCurrent, &req.expressions);
  if (!st.ok()) return reply(OldOnlyReturnValuesWriteFault(in, st));
  if (req.expressions.update_expression || req.expressions.projection_expression) {
    return reply(Status(AwsError::kSerialization, "Unexpected member in PutItem request"));
  }
  st = DecodeReturnSettings(in, &req);
  if (!st.ok()) return reply(st);
  tables.PutItem(std::move(req), WriteReply(in, RequestedTableName(in), std::move(reply)));
}

void UpdateItem(dynamodb::TableStore& tables, json&& request, JsonReply reply) {
  // Legacy parameters (Expected, ...) become the expressions they stand for.
  auto translated = TranslateLegacyParameters(LegacyShape::kUpdateItem, std::move(request));
  if (!translated.ok()) return reply(SingleItemWriteFault(translated.status()));
  const json in = std::move(translated).value();
  dynamodb::UpdateItemRequest req;
  auto name = RequiredTableName(tables, in);
  if (!name.ok()) return reply(name.status());
  req.table_name = *name;
  auto key = RequiredItem(in, "Key", ValueWording::kCurrent);
  if (!key.ok()) return reply(SingleItemWriteFault(key.status()));
  req.key = std::move(key).value();
  Status st = DecodeExpressions(in, ValueWording::kCurrent, &req.expressions);
  if (!st.ok()) return reply(SingleItemWriteFault(st));
  st = DecodeReturnSettings(in, &req);
  if (!st.ok()) return reply(st);
  tables.UpdateItem(std::move(req), WriteReply(in, RequestedTableName(in), std::move(reply)));
}

void DeleteItem(dynamodb::TableStore& tables, json&& request, JsonReply reply) {
  // Legacy parameters (Expected, ...) become the expressions they stand for.
  auto translated = TranslateLegacyParameters(LegacyShape::kDeleteItem, std::move(request));
  if (!translated.ok()) return reply(SingleItemWriteFault(translated.status()));
  const json in = std::move(translated).value();
  dynamodb::DeleteItemRequest req;
  auto name = RequiredTableName(tables, in);
  if (!name.ok()) return reply(name.status());
  req.table_name = *name;
  auto key = RequiredItem(in, "Key", ValueWording::kCurrent);
  if (!key.ok()) return reply(OldOnlyReturnValuesWriteFault(in, key.status()));
  req.key = std::move(key).value();
  Status st = DecodeExpressions(in, ValueWording::kCurrent, &req.expressions);
  if (!st.ok()) return reply(OldOnlyReturnValuesWriteFault(in, st));
  st = DecodeReturnSettings(in, &req);
  if (!st.ok()) return reply(st);
  tables.DeleteItem(std::move(req), WriteReply(in, RequestedTableName(in), std::move(reply)));
}

// `request` with its legacy parameters turned into expressions (held in *storage), or the
// request itself, not copied, when it names none: every current SDK's read.
Result<const json*> WithExpressions(LegacyShape shape, const json& request, json* storage,
                                    size_t max_key_conditions = 2) {
  if (!MentionsLegacyParameters(shape, request)) {
    STREAMSTACK_RETURN_IF_ERROR(CheckExpressionParameters(shape, request));
    if (shape == LegacyShape::kQuery || shape == LegacyShape::kScan) {
      STREAMSTACK_RETURN_IF_ERROR(CheckStartKeyValues(request, WordingOf(shape)));
    }
    return &request;
  }
  auto translated = TranslateLegacyParameters(shape, request, max_key_conditions);
  if (!translated.ok()) return translated.status();
  *storage = std::move(translated).value();
  return storage;
}

Result<json> GetItem(dynamodb::TableStore& tables, const json& request) {
  json storage;
  auto translated = WithExpressions(LegacyShape::kGetItem, request, &storage);
  if (!translated.ok()) return translated.status();
  const json& in = **translated;
  dynamodb::GetItemRequest req;
  STREAMSTACK_ASSIGN_OR_RETURN(req.table_name, RequiredTableName(tables, in));
  STREAMSTACK_ASSIGN_OR_RETURN(req.key, RequiredItem(in, "Key", ValueWording::kCurrent));
  STREAMSTACK_RETURN_IF_ERROR(DecodeExpressions(in, ValueWording::kCurrent, &req.expressions));
  auto consistent = OptionalBool(in, "ConsistentRead");  // every read here is consistent
  if (!consistent.ok()) return consistent.status();
  req.consistent_read = consistent->value_or(false);  // but the charge follows the request
  dynamodb::ConsumedCapacity consumed;
  auto item = tables.GetItem(req, &consumed);
  if (!item.ok()) return item.status();
  json out = json::object();
  if (*item) out["Item"] = dynamodb::ItemToJson(**item);
  AddConsumedCapacity(RequestedCapacityDetail(in), consumed, RequestedTableName(in), &out);
  return out;
}

Result<json> BatchGetItem(dynamodb::TableStore& tables, const json& in) {
  auto it = in.find("RequestItems");
  if (it == in.end() || it->is_null()) return NullMember("requestItems");
  if (!it->is_object()) return WrongType("RequestItems");
  dynamodb::BatchGetRequest req;
  // The expression and non-expression parameters may not mix across tables either
  // (ExtendDB's batch tests, captured from DynamoDB); within one table the translation checks.
  bool projection = false;
  bool attributes_to_get = false;
  for (const auto& [table, spec] : it->items()) {
    if (!spec.is_object()) continue;
    projection |= spec.contains("ProjectionExpression") && !spec["ProjectionExpression"].is_null();
    attributes_to_get |= spec.contains("AttributesToGet") && !spec["AttributesToGet"].is_null();
  }
  if (projection && attributes_to_get) {
    return ValidationError(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}");
  }
  // AWS answers under the key the request used: a table's ARN stays its ARN. One table named
  // both by its ARN and by its name is one entry (ExtendDB's test_table_arn_as_name, recorded
  // from DynamoDB: one response entry, the item once). Which of the two AWS keeps is not
  // recorded; the name's entry is kept here.
  std::map<std::string, std::string> requested_as;
  for (const auto& [table, spec] : it->items()) {
    if (!spec.is_object()) return WrongType("RequestItems");
    auto name = dynamodb::ResolveTableName(tables.scope(), table);
    if (!name.ok()) return name.status();
    auto [kept, inserted] = requested_as.emplace(*name, table);
    if (!inserted && table == *name) kept->second = table;
  }
  for (const auto& [name, table] : requested_as) {
    const json& spec = (*it)[table];
    dynamodb::BatchGetRequest::TableKeys entry;
    entry.table_name = name;
    auto keys = spec.find("Keys");
    if (keys == spec.end() || keys->is_null()) {
      return NullMember("requestItems." + table + ".member.keys");
    }
    if (!keys->is_array()) return WrongType("Keys");
    for (const auto& k : *keys) {
      if (!k.is_object()) return WrongType("Keys");
      auto key = dynamodb::ItemFromJson(k, ValueWording::kCurrent);
      if (!key.ok()) return key.status();
      entry.keys.push_back(std::move(key).value());
    }
    json storage;
    auto translated = WithExpressions(LegacyShape::kKeysAndAttributes, spec, &storage);
    if (!translated.ok()) return translated.status();
    STREAMSTACK_RETURN_IF_ERROR(
        DecodeExpressions(**translated, ValueWording::kCurrent, &entry.expressions));
    auto consistent = OptionalBool(spec, "ConsistentRead");
    if (!consistent.ok()) return consistent.status();
    entry.consistent_read = consistent->value_or(false);
    req.tables.push_back(std::move(entry));
  }
  auto result = tables.BatchGetItem(req);
  if (!result.ok()) return result.status();
  json responses = json::object();
  for (const auto& [table, items] : result->responses) {
    json arr = json::array();
    for (const auto& item : items) arr.push_back(dynamodb::ItemToJson(item));
    responses[requested_as[table]] = std::move(arr);
  }
  json unprocessed = json::object();
  for (const auto& [table, keys] : result->unprocessed_keys) {
    // The retry carries the table's original projection and consistency with the keys left.
    json spec = (*it)[requested_as[table]];
    spec["Keys"] = json::array();
    for (const auto& key : keys) spec["Keys"].push_back(dynamodb::ItemToJson(key));
    unprocessed[requested_as[table]] = std::move(spec);
  }
  json out = {{"Responses", responses}, {"UnprocessedKeys", unprocessed}};
  AddConsumedCapacityList(RequestedCapacityDetail(in), result->consumed, requested_as, &out);
  return out;
}

// --- Query and Scan --------------------------------------------------------------------------

Result<std::optional<dynamodb::Select>> DecodeSelect(const json& in) {
  auto v = OptionalString(in, "Select");
  if (!v.ok()) return v.status();
  if (!*v) return std::optional<dynamodb::Select>();
  if (**v == "ALL_ATTRIBUTES") return std::optional(dynamodb::Select::kAllAttributes);
  if (**v == "ALL_PROJECTED_ATTRIBUTES") {
    return std::optional(dynamodb::Select::kAllProjectedAttributes);
  }
  if (**v == "SPECIFIC_ATTRIBUTES") return std::optional(dynamodb::Select::kSpecificAttributes);
  return std::optional(dynamodb::Select::kCount);  // the model's enum holds no other
}

Result<std::optional<Item>> OptionalItem(const json& in, const char* name, ValueWording wording) {
  auto it = in.find(name);
  if (it == in.end() || it->is_null()) return std::optional<Item>();
  if (!it->is_object()) return WrongType(name);
  auto item = dynamodb::ItemFromJson(*it, wording);
  if (!item.ok()) return item.status();
  return std::optional<Item>(std::move(item).value());
}

// The members Query and Scan share; Query reads its values in the current layer, Scan in the
// older one (ValueWording).
template <typename Request>
Status DecodeReadCommon(const dynamodb::TableStore& tables, const json& in, ValueWording wording,
                        Request* req) {
  STREAMSTACK_ASSIGN_OR_RETURN(req->table_name, RequiredTableName(tables, in));
  STREAMSTACK_ASSIGN_OR_RETURN(req->select, DecodeSelect(in));
  STREAMSTACK_ASSIGN_OR_RETURN(req->index_name, OptionalString(in, "IndexName"));
  STREAMSTACK_ASSIGN_OR_RETURN(req->limit, OptionalInt(in, "Limit"));
  auto consistent = OptionalBool(in, "ConsistentRead");
  if (!consistent.ok()) return consistent.status();
  req->consistent_read = consistent->value_or(false);
  STREAMSTACK_ASSIGN_OR_RETURN(req->exclusive_start_key,
                               OptionalItem(in, "ExclusiveStartKey", wording));
  return DecodeExpressions(in, wording, &req->expressions);
}

json EncodeReadPage(const json& in, const std::string& table, const dynamodb::ReadPage& page) {
  json out = json::object();
  if (!page.count_only) {
    json items = json::array();
    for (const auto& item : page.items) items.push_back(dynamodb::ItemToJson(item));
    out["Items"] = std::move(items);
  }
  out["Count"] = page.count;
  out["ScannedCount"] = page.scanned_count;
  if (page.last_evaluated_key) {
    out["LastEvaluatedKey"] = dynamodb::ItemToJson(*page.last_evaluated_key);
  }
  AddConsumedCapacity(RequestedCapacityDetail(in), page.consumed, table, &out);
  return out;
}

// How many KeyConditions a Query may give: two, or the key attributes of the GSI it names
// when that GSI has a multi-attribute key. Anything this cannot resolve keeps two (the
// request's own checks answer it later).
size_t MaxKeyConditions(const dynamodb::TableStore& tables, const json& request) {
  auto index = request.find("IndexName");
  auto table = request.find("TableName");
  if (!request.contains("KeyConditions") || index == request.end() || !index->is_string() ||
      table == request.end() || !table->is_string()) {
    return 2;
  }
  auto name = dynamodb::ResolveTableName(tables.scope(), table->get<std::string>());
  if (!name.ok()) return 2;
  auto definition = tables.FindTable(*name);
  if (!definition) return 2;
  for (const dynamodb::SecondaryIndex& gsi : definition->global_secondary_indexes) {
    if (gsi.name == index->get<std::string>()) return gsi.key_schema.size();
  }
  return 2;
}

Result<json> Query(dynamodb::TableStore& tables, const json& request) {
  json storage;
  auto translated =
      WithExpressions(LegacyShape::kQuery, request, &storage, MaxKeyConditions(tables, request));
  if (!translated.ok()) return translated.status();
  const json& in = **translated;
  dynamodb::QueryRequest req;
  STREAMSTACK_RETURN_IF_ERROR(DecodeReadCommon(tables, in, ValueWording::kCurrent, &req));
  auto key_conditions = request.find("KeyConditions");
  req.expressions.from_key_conditions =
      key_conditions != request.end() && !key_conditions->is_null();
  auto forward = OptionalBool(in, "ScanIndexForward");
  if (!forward.ok()) return forward.status();
  req.scan_index_forward = forward->value_or(true);
  auto page = tables.Query(req);
  if (!page.ok()) return page.status();
  return EncodeReadPage(in, RequestedTableName(in), *page);
}

Result<json> Scan(dynamodb::TableStore& tables, const json& request) {
  json storage;
  auto translated = WithExpressions(LegacyShape::kScan, request, &storage);
  if (!translated.ok()) return translated.status();
  const json& in = **translated;
  dynamodb::ScanRequest req;
  STREAMSTACK_RETURN_IF_ERROR(DecodeReadCommon(tables, in, ValueWording::kOlder, &req));
  STREAMSTACK_ASSIGN_OR_RETURN(req.segment, OptionalInt(in, "Segment"));
  STREAMSTACK_ASSIGN_OR_RETURN(req.total_segments, OptionalInt(in, "TotalSegments"));
  auto page = tables.Scan(req);
  if (!page.ok()) return page.status();
  return EncodeReadPage(in, RequestedTableName(in), *page);
}

// --- Time to live ----------------------------------------------------------------------------

Result<dynamodb::TimeToLiveSpecification> DecodeTimeToLiveSpecification(const json& in) {
  auto it = in.find("TimeToLiveSpecification");
  if (it == in.end() || it->is_null()) return NullMember("timeToLiveSpecification");
  if (!it->is_object()) return WrongType("TimeToLiveSpecification");
  STREAMSTACK_ASSIGN_OR_RETURN(std::optional<bool> enabled, OptionalBool(*it, "Enabled"));
  STREAMSTACK_ASSIGN_OR_RETURN(std::optional<std::string> attribute,
                               OptionalString(*it, "AttributeName"));
  if (!attribute) return NullMember("timeToLiveSpecification.attributeName");
  if (!enabled) return NullMember("timeToLiveSpecification.enabled");
  return dynamodb::TimeToLiveSpecification{*attribute, *enabled};
}

void UpdateTimeToLive(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto name = RequiredTableName(tables, in);
  if (!name.ok()) return reply(name.status());
  auto spec = DecodeTimeToLiveSpecification(in);
  if (!spec.ok()) return reply(spec.status());
  tables.UpdateTimeToLive(
      std::move(name).value(), std::move(spec).value(),
      [reply = std::move(reply)](Result<dynamodb::TimeToLiveSpecification> r) {
        if (!r.ok()) return reply(r.status());
        reply(json{{"TimeToLiveSpecification",
                    {{"Enabled", r->enabled}, {"AttributeName", r->attribute_name}}}});
      });
}

Result<json> DescribeTimeToLive(dynamodb::TableStore& tables, const json& in) {
  STREAMSTACK_ASSIGN_OR_RETURN(std::string name, RequiredTableName(tables, in));
  STREAMSTACK_ASSIGN_OR_RETURN(dynamodb::TimeToLiveDescription d, tables.DescribeTimeToLive(name));
  json description = {{"TimeToLiveStatus", d.status}};
  if (!d.attribute_name.empty()) description["AttributeName"] = d.attribute_name;
  return json{{"TimeToLiveDescription", description}};
}

void BatchWriteItem(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto it = in.find("RequestItems");
  if (it == in.end() || it->is_null()) return reply(NullMember("requestItems"));
  if (!it->is_object()) return reply(WrongType("RequestItems"));
  dynamodb::BatchWriteRequest req;
  auto metrics = WantsItemCollectionMetrics(in);
  if (!metrics.ok()) return reply(metrics.status());
  req.return_item_collection_metrics = *metrics;
  std::map<std::string, std::string> requested_as;
  for (const auto& [requested, writes] : it->items()) {
    if (!writes.is_array()) return reply(WrongType("RequestItems"));
    auto table = dynamodb::ResolveTableName(tables.scope(), requested);
    if (!table.ok()) return reply(table.status());
    requested_as.emplace(*table, requested);
    for (const auto& w : writes) {
      bool put = w.contains("PutRequest");
      bool del = w.contains("DeleteRequest");
      if (put == del) {
        return reply(ValidationError(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"));
      }
      const json& body = put ? w["PutRequest"] : w["DeleteRequest"];
      auto item = RequiredItem(body, put ? "Item" : "Key", ValueWording::kOlder);
      if (!item.ok()) return reply(item.status());
      req.entries.push_back({*table, put, std::move(item).value()});
    }
  }
  tables.BatchWriteItem(
      std::move(req), [detail = RequestedCapacityDetail(in), requested_as = std::move(requested_as),
                       reply = std::move(reply)](Result<dynamodb::MultiWriteOutcome> r) {
        if (!r.ok()) return reply(r.status());
        json out = {{"UnprocessedItems", json::object()}};
        AddConsumedCapacityList(detail, r->consumed, requested_as, &out);
        AddItemCollectionMetrics(*r, requested_as, &out);
        reply(std::move(out));
      });
}

void TransactWriteItems(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  using Kind = dynamodb::TransactWriteRequest::Action::Kind;
  auto it = in.find("TransactItems");
  if (it == in.end() || it->is_null()) return reply(NullMember("transactItems"));
  if (!it->is_array()) return reply(WrongType("TransactItems"));
  dynamodb::TransactWriteRequest req;
  auto metrics = WantsItemCollectionMetrics(in);
  if (!metrics.ok()) return reply(metrics.status());
  req.return_item_collection_metrics = *metrics;
  std::map<std::string, std::string> requested_as;
  for (const auto& entry : *it) {
    if (entry.is_object() && entry.empty()) {
      // An action naming no operation (a DynamoDB conformance suite's tier3 transactWriteItems
      // capture; us-east-1's validation layer words it so, others "Invalid Request: ...").
      return reply(ValidationError(
          "1 validation error detected: Value '' at 'transactItems' failed to satisfy "
          "constraint: TransactWriteRequest should contain Delete or Put or Update or "
          "ConditionCheck"));
    }
    if (!entry.is_object() || entry.size() != 1) {
      return reply(
          ValidationError("TransactItems can only contain one of Check, Put, Update or Delete"));
    }
    const std::string kind_name = entry.begin().key();
    const json& body = entry.begin().value();
    dynamodb::TransactWriteRequest::Action action;
    if (kind_name == "Put")
      action.kind = Kind::kPut;
    else if (kind_name == "Update")
      action.kind = Kind::kUpdate;
    else if (kind_name == "Delete")
      action.kind = Kind::kDelete;
    else if (kind_name == "ConditionCheck")
      action.kind = Kind::kConditionCheck;
    else
      return reply(WrongType("TransactItems"));
    auto name = RequiredTableName(tables, body);
    if (!name.ok()) return reply(name.status());
    action.table_name = *name;
    requested_as.emplace(*name, RequestedTableName(body));
    // A fault in reading the action's values or the size of its expressions is the action's,
    // answered in the actions' order (TransactWriteRequest::Action); a JSON type fault is the
    // request's, at once.
    const char* item_member = action.kind == Kind::kPut ? "Item" : "Key";
    auto item = RequiredItem(body, item_member, ValueWording::kOlder);
    if (item.ok()) {
      action.item = std::move(item).value();
    } else if (item.status().code() == AwsError::kValidation && body.contains(item_member)) {
      action.unread_item = item.status();
    } else {
      return reply(item.status());
    }
    if (auto sent = body.find(item_member); sent != body.end() && sent->is_object()) {
      action.item_has_empty_name = sent->contains("");
    }
    Status st = CheckExpressionSizes(body);
    if (st.ok()) st = DecodeExpressions(body, ValueWording::kOlder, &action.expressions);
    if (st.code() == AwsError::kValidation) {
      action.unread_expressions = st;
    } else if (!st.ok()) {
      return reply(st);
    }
    auto on_fail = DecodeReturnOnConditionFailure(body);
    if (!on_fail.ok()) return reply(on_fail.status());
    action.return_old_on_condition_failure = *on_fail;
    req.actions.push_back(std::move(action));
  }
  auto token = OptionalString(in, "ClientRequestToken");
  if (!token.ok()) return reply(token.status());
  if (*token) {
    req.client_request_token = **token;
    req.fingerprint = it->dump();  // keys sorted: the same actions, the same text
  }
  tables.TransactWriteItems(
      std::move(req), [detail = RequestedCapacityDetail(in), requested_as = std::move(requested_as),
                       reply = std::move(reply)](Result<dynamodb::MultiWriteOutcome> r) {
        if (!r.ok()) return reply(r.status());
        json out = json::object();
        AddConsumedCapacityList(detail, r->consumed, requested_as, &out, CapacitySplit::kReadWrite);
        AddItemCollectionMetrics(*r, requested_as, &out);
        reply(std::move(out));
      });
}

Result<json> TransactGetItems(dynamodb::TableStore& tables, const json& in) {
  auto it = in.find("TransactItems");
  if (it == in.end() || it->is_null()) return NullMember("transactItems");
  if (!it->is_array()) return WrongType("TransactItems");
  dynamodb::TransactGetRequest req;
  std::map<std::string, std::string> requested_as;
  for (const auto& entry : *it) {
    auto get = entry.find("Get");
    if (get == entry.end() || !get->is_object()) return NullMember("transactItems.member.get");
    auto name = RequiredTableName(tables, *get);
    if (!name.ok()) return name.status();
    requested_as.emplace(*name, RequestedTableName(*get));
    auto key = RequiredItem(*get, "Key", ValueWording::kOlder);
    if (!key.ok()) return key.status();
    dynamodb::TransactGetRequest::Get g{*name, std::move(key).value(), {}};
    STREAMSTACK_RETURN_IF_ERROR(CheckExpressionSizes(*get));
    STREAMSTACK_RETURN_IF_ERROR(DecodeExpressions(*get, ValueWording::kOlder, &g.expressions));
    req.gets.push_back(std::move(g));
  }
  std::vector<dynamodb::ConsumedCapacity> consumed;
  auto items = tables.TransactGetItems(req, &consumed);
  if (!items.ok()) return items.status();
  json out = {{"Responses", TransactGetResponses(*items)}};
  AddConsumedCapacityList(RequestedCapacityDetail(in), consumed, requested_as, &out,
                          CapacitySplit::kReadWrite);
  return out;
}

// --- Tags -------------------------------------------------------------------------------------

// ResourceArn of the tagging operations. AWS: "Invalid TableArn" when it is absent (dynalite's
// tests record it for TagResource, UntagResource and ListTagsOfResource).
Result<std::string> RequiredResourceArn(const json& in) {
  auto arn = OptionalString(in, "ResourceArn");
  if (!arn.ok()) return arn.status();
  if (!*arn) return ValidationError("Invalid TableArn");
  return **arn;
}

// The empty answer of TagResource and UntagResource once their write completed.
dynamodb::TableStore::StatusDone EmptyReply(JsonReply reply) {
  return [reply = std::move(reply)](Status st) {
    if (!st.ok()) return reply(st);
    reply(json::object());
  };
}

void TagResource(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto arn = RequiredResourceArn(in);
  if (!arn.ok()) return reply(arn.status());
  std::vector<dynamodb::Tag> tags;
  Status st = DecodeList(in, "Tags", true, &tags, DecodeTag);
  if (!st.ok()) return reply(st);
  tables.TagResource(std::move(arn).value(), std::move(tags), EmptyReply(std::move(reply)));
}

Result<std::vector<std::string>> DecodeTagKeys(const json& in) {
  auto it = in.find("TagKeys");
  if (it == in.end() || it->is_null()) return NullMember("tagKeys");
  if (!it->is_array()) return WrongType("TagKeys");
  std::vector<std::string> keys;
  for (const auto& k : *it) {
    if (!k.is_string()) return WrongType("TagKeys");
    keys.push_back(k.get<std::string>());
  }
  return keys;
}

void UntagResource(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto arn = RequiredResourceArn(in);
  if (!arn.ok()) return reply(arn.status());
  auto keys = DecodeTagKeys(in);
  if (!keys.ok()) return reply(keys.status());
  tables.UntagResource(std::move(arn).value(), std::move(keys).value(),
                       EmptyReply(std::move(reply)));
}

// AWS answers every tag at once and never a NextToken: "ListTagsOfResource does not support
// pagination at the API level [...] Tags are limited to 50 per resource" (the DynamoDB team
// in aws/aws-sdk#583). A NextToken in the request is accepted and changes nothing.
Result<json> ListTagsOfResource(dynamodb::TableStore& tables, const json& in) {
  auto arn = RequiredResourceArn(in);
  if (!arn.ok()) return arn.status();
  auto token = OptionalString(in, "NextToken");
  if (!token.ok()) return token.status();
  auto tags = tables.ListTagsOfResource(*arn);
  if (!tags.ok()) return tags.status();
  json out = json::array();
  for (const auto& t : *tags) out.push_back({{"Key", t.key}, {"Value", t.value}});
  return json{{"Tags", out}};
}

// --- Resource policies -------------------------------------------------------------------------
// The model checked every member (ResourceArn and Policy present, lengths); the store checks
// the ARN, the document and the revision.

dynamodb::TableStore::RevisionDone RevisionReply(JsonReply reply) {
  return [reply = std::move(reply)](Result<std::string> revision) {
    if (!revision.ok()) return reply(revision.status());
    json out = json::object();
    if (!revision->empty()) out["RevisionId"] = *revision;
    reply(std::move(out));
  };
}

void PutResourcePolicy(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  tables.PutResourcePolicy(protocol::StringMember(in, "ResourceArn").value_or(""),
                           protocol::StringMember(in, "Policy").value_or(""),
                           protocol::StringMember(in, "ExpectedRevisionId"),
                           RevisionReply(std::move(reply)));
}

void DeleteResourcePolicy(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  tables.DeleteResourcePolicy(protocol::StringMember(in, "ResourceArn").value_or(""),
                              protocol::StringMember(in, "ExpectedRevisionId"),
                              RevisionReply(std::move(reply)));
}

Result<json> GetResourcePolicy(dynamodb::TableStore& tables, const json& in) {
  auto policy = tables.GetResourcePolicy(protocol::StringMember(in, "ResourceArn").value_or(""));
  if (!policy.ok()) return policy.status();
  return json{{"Policy", policy->policy}, {"RevisionId", policy->revision_id}};
}

// --- Backups and point-in-time recovery --------------------------------------------------------
// The model checked every member's type and constraints (BackupName's pattern, Limit 1..100,
// RecoveryPeriodInDays 1..35, the enums); what is left is AWS's own rules.

int64_t TimestampMillis(const json& seconds) {
  return static_cast<int64_t>(std::llround(seconds.get<double>() * 1000.0));
}

json EncodeBackupDetails(const dynamodb::Backup& b) {
  json out = {{"BackupArn", b.backup_arn},
              {"BackupName", b.backup_name},
              {"BackupSizeBytes", b.size_bytes},
              {"BackupStatus", b.deleted ? "DELETED" : "AVAILABLE"},
              {"BackupType", dynamodb::BackupTypeName(b.backup_type)},
              {"BackupCreationDateTime", EpochSeconds(b.created_ms)}};
  if (b.expiry_ms) out["BackupExpiryDateTime"] = EpochSeconds(*b.expiry_ms);
  return out;
}

json EncodeBackupSummary(const dynamodb::Backup& b) {
  const dynamodb::TableDefinition& t = *b.source;
  json out = {{"TableName", t.name},
              {"TableId", t.table_uuid},
              {"TableArn", t.arn},
              {"BackupArn", b.backup_arn},
              {"BackupName", b.backup_name},
              {"BackupCreationDateTime", EpochSeconds(b.created_ms)},
              {"BackupStatus", b.deleted ? "DELETED" : "AVAILABLE"},
              {"BackupType", dynamodb::BackupTypeName(b.backup_type)},
              {"BackupSizeBytes", b.size_bytes}};
  if (b.expiry_ms) out["BackupExpiryDateTime"] = EpochSeconds(*b.expiry_ms);
  return out;
}

// BackupDescription: the backup, the table it was taken of (SourceTableDetails) and the
// table's indexes, stream, TTL and SSE as they were (SourceTableFeatureDetails).
json EncodeBackupDescription(const dynamodb::Backup& b) {
  const dynamodb::TableDefinition& t = *b.source;
  json source = {{"TableName", t.name},
                 {"TableId", t.table_uuid},
                 {"TableArn", t.arn},
                 {"TableSizeBytes", b.size_bytes},
                 {"KeySchema", EncodeKeySchema(t.key_schema)},
                 {"TableCreationDateTime", EpochSeconds(t.created_ms)},
                 {"ProvisionedThroughput",
                  {{"ReadCapacityUnits", t.throughput.read_capacity_units},
                   {"WriteCapacityUnits", t.throughput.write_capacity_units}}},
                 {"ItemCount", b.item_count},
                 {"BillingMode", t.billing_mode}};
  // The table's on-demand limits as they were (recorded, ack-api-quirks DDB-BACKUP-009, -017).
  if (!t.on_demand_throughput.Empty()) {
    source["OnDemandThroughput"] = EncodeOnDemandThroughput(t.on_demand_throughput);
  }
  json features = json::object();
  if (!t.local_secondary_indexes.empty()) {
    json lsis = json::array();
    for (const auto& i : t.local_secondary_indexes) {
      lsis.push_back({{"IndexName", i.name},
                      {"KeySchema", EncodeKeySchema(i.key_schema)},
                      {"Projection", i.projection}});
    }
    features["LocalSecondaryIndexes"] = std::move(lsis);
  }
  if (!t.global_secondary_indexes.empty()) {
    json gsis = json::array();
    for (const auto& i : t.global_secondary_indexes) {
      json g = {{"IndexName", i.name},
                {"KeySchema", EncodeKeySchema(i.key_schema)},
                {"Projection", i.projection}};
      dynamodb::ProvisionedThroughput pt = i.throughput.value_or(dynamodb::ProvisionedThroughput{});
      g["ProvisionedThroughput"] = {{"ReadCapacityUnits", pt.read_capacity_units},
                                    {"WriteCapacityUnits", pt.write_capacity_units}};
      gsis.push_back(std::move(g));
    }
    features["GlobalSecondaryIndexes"] = std::move(gsis);
  }
  if (t.stream_enabled) {
    features["StreamDescription"] = {
        {"StreamEnabled", true},
        {"StreamViewType", std::string(streams::StreamViewTypeName(t.stream_view_type))}};
  }
  if (t.ttl_enabled) {
    features["TimeToLiveDescription"] = {{"TimeToLiveStatus", "ENABLED"},
                                         {"AttributeName", t.ttl_attribute}};
  }
  if (!t.sse_kms_master_key_arn.empty()) {
    features["SSEDescription"] = {
        {"Status", "ENABLED"}, {"SSEType", "KMS"}, {"KMSMasterKeyArn", t.sse_kms_master_key_arn}};
  }
  return {{"BackupDetails", EncodeBackupDetails(b)},
          {"SourceTableDetails", std::move(source)},
          {"SourceTableFeatureDetails", std::move(features)}};
}

json EncodeContinuousBackups(const dynamodb::ContinuousBackupsDescription& d) {
  json pitr = {{"PointInTimeRecoveryStatus", d.pitr_enabled ? "ENABLED" : "DISABLED"}};
  if (d.pitr_enabled) {
    pitr["RecoveryPeriodInDays"] = d.recovery_period_in_days;
    pitr["EarliestRestorableDateTime"] = EpochSeconds(d.earliest_restorable_ms);
    pitr["LatestRestorableDateTime"] = EpochSeconds(d.latest_restorable_ms);
  }
  // AWS's steady state for every table (right after CreateTable it has been seen to answer
  // DISABLED for a few seconds: ScyllaDB's alternator test_backup.py).
  return {{"ContinuousBackupsDescription",
           {{"ContinuousBackupsStatus", "ENABLED"}, {"PointInTimeRecoveryDescription", pitr}}}};
}

void CreateBackup(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto name = RequiredTableName(tables, in);
  if (!name.ok()) return reply(name.status());
  tables.CreateBackup(std::move(name).value(),
                      protocol::StringMember(in, "BackupName").value_or(""),
                      [reply = std::move(reply)](Result<dynamodb::Backup> b) {
                        if (!b.ok()) return reply(b.status());
                        // CreateBackup answers CREATING, though DescribeBackup answers the
                        // backup AVAILABLE at once (recorded, ack-api-quirks DDB-BACKUP-003,
                        // -019, -024).
                        json details = EncodeBackupDetails(*b);
                        details["BackupStatus"] = "CREATING";
                        reply(json{{"BackupDetails", std::move(details)}});
                      });
}

Result<json> DescribeBackup(dynamodb::TableStore& tables, const json& in) {
  STREAMSTACK_ASSIGN_OR_RETURN(
      dynamodb::Backup b,
      tables.DescribeBackup(protocol::StringMember(in, "BackupArn").value_or("")));
  return json{{"BackupDescription", EncodeBackupDescription(b)}};
}

void DeleteBackup(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  tables.DeleteBackup(protocol::StringMember(in, "BackupArn").value_or(""),
                      [reply = std::move(reply)](Result<dynamodb::Backup> b) {
                        if (!b.ok()) return reply(b.status());
                        reply(json{{"BackupDescription", EncodeBackupDescription(*b)}});
                      });
}

Result<json> ListBackups(dynamodb::TableStore& tables, const json& in) {
  dynamodb::ListBackupsRequest req;
  if (auto name = protocol::StringMember(in, "TableName")) {
    STREAMSTACK_ASSIGN_OR_RETURN(req.table_name, dynamodb::ResolveTableName(tables.scope(), *name));
  }
  if (auto it = in.find("TimeRangeLowerBound"); it != in.end() && it->is_number()) {
    req.lower_ms = TimestampMillis(*it);
  }
  if (auto it = in.find("TimeRangeUpperBound"); it != in.end() && it->is_number()) {
    req.upper_ms = TimestampMillis(*it);
  }
  req.backup_type = protocol::StringMember(in, "BackupType");
  if (auto limit = protocol::IntMember(in, "Limit")) req.limit = *limit;
  req.exclusive_start_backup_arn = protocol::StringMember(in, "ExclusiveStartBackupArn");
  STREAMSTACK_ASSIGN_OR_RETURN(dynamodb::ListBackupsResult r, tables.ListBackups(req));
  json summaries = json::array();
  for (const auto& b : r.backups) summaries.push_back(EncodeBackupSummary(b));
  json out = {{"BackupSummaries", std::move(summaries)}};
  if (r.last_evaluated_backup_arn) out["LastEvaluatedBackupArn"] = *r.last_evaluated_backup_arn;
  return out;
}

// The ...Override members of both restores.
Result<dynamodb::RestoreOverrides> DecodeRestoreOverrides(const json& in) {
  dynamodb::RestoreOverrides o;
  for (auto [member, slot] :
       {std::pair{"GlobalSecondaryIndexOverride", &o.global_secondary_indexes},
        std::pair{"LocalSecondaryIndexOverride", &o.local_secondary_indexes}}) {
    if (!in.contains(member) || in[member].is_null()) continue;
    std::vector<dynamodb::SecondaryIndex> indexes;
    STREAMSTACK_RETURN_IF_ERROR(DecodeList(in, member, false, &indexes, DecodeIndex));
    *slot = std::move(indexes);
  }
  o.billing_mode = protocol::StringMember(in, "BillingModeOverride");
  if (auto it = in.find("ProvisionedThroughputOverride"); it != in.end() && it->is_object()) {
    STREAMSTACK_ASSIGN_OR_RETURN(o.provisioned_throughput, DecodeThroughput(*it));
  }
  STREAMSTACK_ASSIGN_OR_RETURN(o.on_demand_throughput,
                               OptionalOnDemandThroughput(in, "OnDemandThroughputOverride"));
  STREAMSTACK_ASSIGN_OR_RETURN(o.sse_specification,
                               DecodeSseSpecification(in, "SSESpecificationOverride"));
  return o;
}

void RestoreTableFromBackup(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  dynamodb::RestoreTableFromBackupRequest req;
  req.target_table_name = protocol::StringMember(in, "TargetTableName").value_or("");
  req.backup_arn = protocol::StringMember(in, "BackupArn").value_or("");
  auto overrides = DecodeRestoreOverrides(in);
  if (!overrides.ok()) return reply(overrides.status());
  req.overrides = std::move(overrides).value();
  tables.RestoreTableFromBackup(std::move(req), DescriptionReply(std::move(reply)));
}

void RestoreTableToPointInTime(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  dynamodb::RestoreTableToPointInTimeRequest req;
  req.source_table_arn = protocol::StringMember(in, "SourceTableArn");
  req.source_table_name = protocol::StringMember(in, "SourceTableName");
  req.target_table_name = protocol::StringMember(in, "TargetTableName").value_or("");
  if (auto it = in.find("UseLatestRestorableTime"); it != in.end() && it->is_boolean()) {
    req.use_latest_restorable_time = it->get<bool>();
  }
  if (auto it = in.find("RestoreDateTime"); it != in.end() && it->is_number()) {
    req.restore_ms = TimestampMillis(*it);
  }
  auto overrides = DecodeRestoreOverrides(in);
  if (!overrides.ok()) return reply(overrides.status());
  req.overrides = std::move(overrides).value();
  tables.RestoreTableToPointInTime(std::move(req), DescriptionReply(std::move(reply)));
}

void UpdateContinuousBackups(dynamodb::TableStore& tables, json&& in, JsonReply reply) {
  auto name = RequiredTableName(tables, in);
  if (!name.ok()) return reply(name.status());
  dynamodb::PointInTimeRecoverySpecification spec;
  if (const json* s = protocol::StructureMember(in, "PointInTimeRecoverySpecification")) {
    if (auto it = s->find("PointInTimeRecoveryEnabled"); it != s->end() && it->is_boolean()) {
      spec.enabled = it->get<bool>();
    }
    if (auto days = protocol::IntMember(*s, "RecoveryPeriodInDays")) {
      spec.recovery_period_in_days = *days;
    }
  }
  tables.UpdateContinuousBackups(
      std::move(name).value(), spec,
      [reply = std::move(reply)](Result<dynamodb::ContinuousBackupsDescription> d) {
        if (!d.ok()) return reply(d.status());
        reply(EncodeContinuousBackups(*d));
      });
}

Result<json> DescribeContinuousBackups(dynamodb::TableStore& tables, const json& in) {
  STREAMSTACK_ASSIGN_OR_RETURN(std::string name, RequiredTableName(tables, in));
  STREAMSTACK_ASSIGN_OR_RETURN(dynamodb::ContinuousBackupsDescription d,
                               tables.DescribeContinuousBackups(name));
  return EncodeContinuousBackups(d);
}

// --- Limits and endpoints --------------------------------------------------------------------

// A new account's default quotas, as AWS answers DescribeLimits (the aws CLI's documented
// example, awscli/examples/dynamodb/describe-limits.rst). Nothing here enforces them.
Result<json> DescribeLimits(dynamodb::TableStore&, const json&) {
  return json{{"AccountMaxReadCapacityUnits", 80000},
              {"AccountMaxWriteCapacityUnits", 80000},
              {"TableMaxReadCapacityUnits", 40000},
              {"TableMaxWriteCapacityUnits", 40000}};
}

// AWS answers its regional endpoint, dynamodb.<region>.amazonaws.com, cached for 1440 minutes
// (awscli/examples/dynamodb/describe-endpoints.rst). An SDK with endpoint discovery turned on
// sends its later requests to the address it is given, so a local emulator answers with the
// address the client reached it at (the request's Host), and the regional name only when a
// request carries no Host.
void DescribeEndpoints(const RequestContext& ctx, json&&, JsonReply reply) {
  std::string address;
  if (ctx.http) address = std::string(ctx.http->headers.Get("Host"));
  if (address.empty()) address = "dynamodb." + ctx.region + ".amazonaws.com";
  reply(json{{"Endpoints", json::array({{{"Address", address}, {"CachePeriodInMinutes", 1440}}})}});
}

// --- PartiQL ----------------------------------------------------------------------------------

// The request body with its objects' members in the order they were sent (json sorts them),
// read again only when asked: when a PartiQL parameter is refused, as AWS reports the first
// problem in the order sent. Used while the request is decoded, on its thread.
using OrderedJson = nlohmann::ordered_json;
class SentBody {
 public:
  explicit SentBody(const RequestContext& ctx) : ctx_(ctx) {}

  // The body (`name` null), or its member `name`'s i-th element; null when there is no body
  // to read (in-process callers), it is not one JSON object, or it has no such element.
  const OrderedJson* Get(const char* name = nullptr, size_t i = 0) {
    if (!read_) {
      read_ = true;
      if (ctx_.http) body_ = OrderedJson::parse(ctx_.http->body, nullptr, false);
    }
    if (!body_ || !body_->is_object()) return nullptr;
    if (name == nullptr) return &*body_;
    auto it = body_->find(name);
    if (it == body_->end() || !it->is_array() || i >= it->size()) return nullptr;
    return &(*it)[i];
  }

 private:
  const RequestContext& ctx_;
  bool read_ = false;
  std::optional<OrderedJson> body_;
};

// The first problem of a PartiQL parameter in document order, of the two AWS finds as it reads
// one: nesting past an item's depth and a number it cannot convert. AWS reports whichever
// comes first as sent (a DynamoDB conformance suite, github paritysuite/dynamodb-conformance,
// tests/tier3/error-messages/partiqlParameterNumbers.test.ts, captured from DynamoDB:
// {"M": {"d": <41 levels>, "bad": {"N": "abc"}}} is the nesting error). Everything else is
// left to AttributeValue::FromPartiqlParameterJson, which reads members in sorted order.
Status FirstParameterProblem(const OrderedJson& value, int depth) {
  if (!value.is_object()) return Status::Ok();
  for (auto m = value.begin(); m != value.end(); ++m) {
    const std::string& type = m.key();
    const OrderedJson& member = m.value();
    if (member.is_null()) continue;
    if (depth > AttributeValue::kMaxNestingDepth) {
      return ValidationError(dynamodb::kNestingExceeded);
    }
    if (type == "N" && member.is_string()) {
      auto n = dynamodb::Number::ParseBigDecimal(member.get<std::string>());
      if (!n.ok()) return n.status();
    } else if (type == "NS" && member.is_array()) {
      for (const auto& e : member) {
        if (!e.is_string()) continue;
        auto n = dynamodb::Number::ParseBigDecimal(e.get<std::string>());
        if (!n.ok()) return n.status();
      }
    } else if (type == "M" && member.is_object()) {
      for (const auto& child : member) {
        STREAMSTACK_RETURN_IF_ERROR(FirstParameterProblem(child, depth + 1));
      }
    } else if (type == "L" && member.is_array()) {
      for (const auto& child : member) {
        STREAMSTACK_RETURN_IF_ERROR(FirstParameterProblem(child, depth + 1));
      }
    }
  }
  return Status::Ok();
}

// One statement with its parameters and options, as ExecuteStatement, each BatchStatementRequest
// and each ParameterizedStatement carry them; `sent` gives the same object as sent, when known.
Result<dynamodb::PartiqlStatement> DecodePartiqlStatement(
    const json& in, const std::function<const OrderedJson*()>& sent) {
  dynamodb::PartiqlStatement out;
  STREAMSTACK_ASSIGN_OR_RETURN(out.statement, RequiredString(in, "Statement"));
  if (auto it = in.find("Parameters"); it != in.end() && !it->is_null()) {
    if (!it->is_array()) return WrongType("Parameters");
    for (size_t i = 0; i < it->size(); ++i) {
      auto value = AttributeValue::FromPartiqlParameterJson((*it)[i]);
      if (value.ok()) {
        out.parameters.push_back(std::move(value).value());
        continue;
      }
      // The sorted read found a fault; the first nesting or number problem in the order sent
      // comes before it (none exists when the read succeeds: it finds both kinds).
      const OrderedJson* statement = sent();
      const OrderedJson* parameters = nullptr;
      if (statement) {
        auto o = statement->find("Parameters");
        if (o != statement->end() && o->is_array() && o->size() == it->size()) parameters = &*o;
      }
      Status first = parameters ? FirstParameterProblem((*parameters)[i], 1) : Status::Ok();
      if (first.ok() && value.status().code() != AwsError::kValidation) return value.status();
      out.parameter_error = first.ok() ? value.status() : first;
      break;
    }
  }
  auto consistent = OptionalBool(in, "ConsistentRead");
  if (!consistent.ok()) return consistent.status();
  out.consistent_read = consistent->value_or(false);
  STREAMSTACK_ASSIGN_OR_RETURN(out.return_old_on_condition_failure,
                               DecodeReturnOnConditionFailure(in));
  return out;
}

json ItemsJson(const std::vector<Item>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(dynamodb::ItemToJson(item));
  return out;
}

void ExecuteStatement(dynamodb::PartiqlExecutor& partiql, json&& in, SentBody& sent,
                      JsonReply reply) {
  auto statement = DecodePartiqlStatement(in, [&sent] { return sent.Get(); });
  if (!statement.ok()) return reply(statement.status());
  auto limit = OptionalInt(in, "Limit");
  if (!limit.ok()) return reply(limit.status());
  statement->limit = *limit;
  auto token = OptionalString(in, "NextToken");
  if (!token.ok()) return reply(token.status());
  statement->next_token = *token;
  auto encode = [detail = RequestedCapacityDetail(in),
                 reply = std::move(reply)](Result<dynamodb::PartiqlResult> r) {
    if (!r.ok()) return reply(r.status());
    json out = {{"Items", ItemsJson(r->items)}};
    if (r->next_token) out["NextToken"] = *r->next_token;
    if (r->last_evaluated_key) {
      out["LastEvaluatedKey"] = dynamodb::ItemToJson(*r->last_evaluated_key);
    }
    // A statement is charged as the Query, Scan, GetItem or item write it ran.
    AddConsumedCapacity(detail, r->consumed, r->table_name, &out);
    reply(std::move(out));
  };
  partiql.ExecuteStatement(std::move(statement).value(), std::move(encode));
}

// BatchStatementError.Code for a statement's failure.
const char* BatchErrorCode(AwsError code) {
  switch (code) {
    case AwsError::kConditionalCheckFailed:
      return "ConditionalCheckFailed";
    case AwsError::kDuplicateItem:
      return "DuplicateItem";
    case AwsError::kResourceNotFound:
      return "ResourceNotFound";
    case AwsError::kTransactionConflict:
      return "TransactionConflict";
    case AwsError::kItemCollectionSizeLimitExceeded:
      return "ItemCollectionSizeLimitExceeded";
    case AwsError::kProvisionedThroughputExceeded:
      return "ProvisionedThroughputExceeded";
    case AwsError::kThrottling:
      return "ThrottlingError";
    case AwsError::kInternalFailure:
      return "InternalServerError";
    default:
      return "ValidationError";
  }
}

void BatchExecuteStatement(dynamodb::PartiqlExecutor& partiql, json&& in, SentBody& sent,
                           JsonReply reply) {
  std::vector<dynamodb::PartiqlStatement> statements;
  auto it = in.find("Statements");
  if (it == in.end() || it->is_null()) return reply(NullMember("statements"));
  if (!it->is_array()) return reply(WrongType("Statements"));
  for (size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    if (!entry.is_object()) return reply(WrongType("Statements"));
    auto statement =
        DecodePartiqlStatement(entry, [&sent, i] { return sent.Get("Statements", i); });
    if (!statement.ok()) return reply(statement.status());
    statements.push_back(std::move(statement).value());
  }
  partiql.BatchExecuteStatement(
      std::move(statements), [detail = RequestedCapacityDetail(in), reply = std::move(reply)](
                                 Result<std::vector<dynamodb::PartiqlBatchResponse>> r) {
        if (!r.ok()) return reply(r.status());
        json responses = json::array();
        // Each statement is charged as its own GetItem or item write, summed per table.
        std::vector<dynamodb::ConsumedCapacity> consumed;
        for (const auto& entry : *r) {
          if (entry.error.ok()) dynamodb::AddPerTable(&consumed, entry.consumed);
        }
        for (const auto& entry : *r) {
          json e = json::object();
          if (!entry.table_name.empty()) e["TableName"] = entry.table_name;
          if (!entry.error.ok()) {
            json error = {{"Code", BatchErrorCode(entry.error.code())},
                          {"Message", entry.error.message()}};
            if (entry.error.details().is_object() && entry.error.details().contains("Item")) {
              error["Item"] = entry.error.details()["Item"];
            }
            e["Error"] = std::move(error);
          } else if (entry.item) {
            e["Item"] = dynamodb::ItemToJson(*entry.item);
          }
          responses.push_back(std::move(e));
        }
        json out = {{"Responses", responses}};
        AddConsumedCapacityList(detail, consumed, {}, &out);
        reply(std::move(out));
      });
}

void ExecuteTransaction(dynamodb::PartiqlExecutor& partiql, json&& in, SentBody& sent,
                        JsonReply reply) {
  std::vector<dynamodb::PartiqlStatement> statements;
  auto it = in.find("TransactStatements");
  if (it == in.end() || it->is_null()) return reply(NullMember("transactStatements"));
  if (!it->is_array()) return reply(WrongType("TransactStatements"));
  for (size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    if (!entry.is_object()) return reply(WrongType("TransactStatements"));
    auto statement =
        DecodePartiqlStatement(entry, [&sent, i] { return sent.Get("TransactStatements", i); });
    if (!statement.ok()) return reply(statement.status());
    statements.push_back(std::move(statement).value());
  }
  auto token = OptionalString(in, "ClientRequestToken");
  if (!token.ok()) return reply(token.status());
  // The statements as sent, keys sorted: the same statements, the same text.
  std::string fingerprint = *token ? it->dump() : std::string();
  partiql.ExecuteTransaction(
      std::move(statements),
      [detail = RequestedCapacityDetail(in),
       reply = std::move(reply)](Result<dynamodb::PartiqlTransactionResult> r) {
        if (!r.ok()) return reply(r.status());
        json out = {{"Responses", TransactGetResponses(r->items)}};
        // Charged as the TransactGetItems or TransactWriteItems it ran.
        AddConsumedCapacityList(detail, r->consumed, {}, &out, CapacitySplit::kReadWrite);
        reply(std::move(out));
      },
      *token, std::move(fingerprint));
}

}  // namespace

void RegisterDynamoDbApi(protocol::Router& router, dynamodb::TableStore& tables) {
  auto t = &tables;
  // Lives as long as the router's operations that use it.
  auto partiql = std::make_shared<dynamodb::PartiqlExecutor>(tables);
  auto pq = [partiql](void (*fn)(dynamodb::PartiqlExecutor&, json&&, SentBody&, JsonReply)) -> Op {
    return [partiql, fn](const RequestContext& ctx, json&& in, JsonReply reply) {
      SentBody sent(ctx);
      fn(*partiql, std::move(in), sent, std::move(reply));
    };
  };
  auto async = [t](void (*fn)(dynamodb::TableStore&, json&&, JsonReply)) -> Op {
    return [t, fn](const RequestContext&, json&& in, JsonReply reply) {
      fn(*t, std::move(in), std::move(reply));
    };
  };
  auto sync = [t](Result<json> (*fn)(dynamodb::TableStore&, const json&)) -> Op {
    return Sync([t, fn](const json& in) { return fn(*t, in); });
  };
  std::vector<std::pair<std::string, Op>> operations = {
      // The control plane's writes are asynchronous like the item writes: an I/O thread
      // never waits for the writer (an UpdateTable's index backfill may take a while).
      {"CreateTable", async(CreateTable)},
      {"DescribeTable", sync(DescribeTable)},
      {"UpdateTable", async(UpdateTable)},
      {"DeleteTable", async(DeleteTable)},
      {"ListTables", sync(ListTables)},
      {"PutItem", async(PutItem)},
      {"UpdateItem", async(UpdateItem)},
      {"DeleteItem", async(DeleteItem)},
      {"GetItem", sync(GetItem)},
      {"BatchGetItem", sync(BatchGetItem)},
      {"BatchWriteItem", async(BatchWriteItem)},
      {"TransactWriteItems", async(TransactWriteItems)},
      {"TransactGetItems", sync(TransactGetItems)},
      {"Query", sync(Query)},
      {"Scan", sync(Scan)},
      {"UpdateTimeToLive", async(UpdateTimeToLive)},
      {"DescribeTimeToLive", sync(DescribeTimeToLive)},
      {"TagResource", async(TagResource)},
      {"UntagResource", async(UntagResource)},
      {"ListTagsOfResource", sync(ListTagsOfResource)},
      {"PutResourcePolicy", async(PutResourcePolicy)},
      {"GetResourcePolicy", sync(GetResourcePolicy)},
      {"DeleteResourcePolicy", async(DeleteResourcePolicy)},
      {"CreateBackup", async(CreateBackup)},
      {"DescribeBackup", sync(DescribeBackup)},
      {"ListBackups", sync(ListBackups)},
      {"DeleteBackup", async(DeleteBackup)},
      {"RestoreTableFromBackup", async(RestoreTableFromBackup)},
      {"RestoreTableToPointInTime", async(RestoreTableToPointInTime)},
      {"UpdateContinuousBackups", async(UpdateContinuousBackups)},
      {"DescribeContinuousBackups", sync(DescribeContinuousBackups)},
      {"DescribeLimits", sync(DescribeLimits)},
      {"DescribeEndpoints", DescribeEndpoints},
      {"ExecuteStatement", pq(ExecuteStatement)},
      {"BatchExecuteStatement", pq(BatchExecuteStatement)},
      {"ExecuteTransaction", pq(ExecuteTransaction)},
  };
  // AWS checks a request's JSON types, then every constraint of its model, before anything
  // else looks at it (protocol/input_model.h). The tagging operations are the exception:
  // past the types, they answer their members' faults in their own words ("Invalid
  // TableArn", "The Tag Key provided is invalid, Key: ..."; dynalite and the ack probes of
  // AWS record these), which dynamodb/table_tags.cc gives.
  const std::set<std::string, std::less<>> own_constraint_checks = {"TagResource", "UntagResource",
                                                                    "ListTagsOfResource"};
  const std::set<std::string, std::less<>> table_name_first = {
      "CreateTable", "DeleteTable", "DescribeTable", "DescribeTimeToLive", "UpdateTable"};
  for (auto& entry : operations) {
    const bool types_only = own_constraint_checks.contains(entry.first);
    const bool name_first = table_name_first.contains(entry.first);
    entry.second = [name = entry.first, types_only, name_first, inner = std::move(entry.second)](
                       const RequestContext& ctx, json&& in, JsonReply reply) {
      Status st = DynamoDbModel().CheckTypes(name, in);
      if (st.ok() && name_first) st = CheckTableNameFirst(in);
      if (st.ok() && name == "RestoreTableFromBackup") st = CheckTargetTableNameLength(in);
      if (st.ok() && !types_only) st = DynamoDbModel().CheckConstraints(name, in);
      if (!st.ok()) return reply(st);
      inner(ctx, std::move(in), std::move(reply));
    };
  }
  // The rest of AWS's API is out of scope (global tables, import and export, Kinesis streaming
  // destinations, contributor insights, replica auto scaling): named in the answer.
  protocol::AddOperationsNotServed(DynamoDbModel(), "DynamoDB", operations);
  router.AddJsonService("dynamodb", "DynamoDB_20120810", kDynamoDbWire, std::move(operations));
}

}  // namespace streamstack::api
