#include "dynamodb/table_codec.h"

namespace streamstack::dynamodb {
namespace {

nlohmann::json ThroughputJson(const ProvisionedThroughput& t) {
  return {{"ReadCapacityUnits", t.read_capacity_units},
          {"WriteCapacityUnits", t.write_capacity_units}};
}

ProvisionedThroughput ThroughputFrom(const nlohmann::json& j) {
  return {j.value("ReadCapacityUnits", int64_t{0}), j.value("WriteCapacityUnits", int64_t{0})};
}

// Stored in AWS's shape, a member only when it is set.
nlohmann::json OnDemandThroughputJson(const OnDemandThroughput& t) {
  nlohmann::json j = nlohmann::json::object();
  if (t.max_read_request_units) j["MaxReadRequestUnits"] = *t.max_read_request_units;
  if (t.max_write_request_units) j["MaxWriteRequestUnits"] = *t.max_write_request_units;
  return j;
}

OnDemandThroughput OnDemandThroughputFrom(const nlohmann::json& j) {
  OnDemandThroughput t;
  if (!j.is_object()) return t;
  if (j.contains("MaxReadRequestUnits")) t.max_read_request_units = j["MaxReadRequestUnits"];
  if (j.contains("MaxWriteRequestUnits")) t.max_write_request_units = j["MaxWriteRequestUnits"];
  return t;
}

std::vector<KeySchemaElement> KeySchemaFrom(const nlohmann::json& j) {
  std::vector<KeySchemaElement> out;
  for (const auto& e : j) out.push_back({e.at("AttributeName"), e.at("KeyType")});
  return out;
}

nlohmann::json IndexesJson(const std::vector<SecondaryIndex>& indexes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& i : indexes) {
    nlohmann::json j = {{"IndexName", i.name},
                        {"KeySchema", KeySchemaJson(i.key_schema)},
                        {"Projection", i.projection}};
    if (i.throughput) j["ProvisionedThroughput"] = ThroughputJson(*i.throughput);
    if (!i.on_demand_throughput.Empty()) {
      j["OnDemandThroughput"] = OnDemandThroughputJson(i.on_demand_throughput);
    }
    if (i.warm_read_units_per_second)
      j["warm_read_units_per_second"] = *i.warm_read_units_per_second;
    if (i.warm_write_units_per_second) {
      j["warm_write_units_per_second"] = *i.warm_write_units_per_second;
    }
    j["index_id"] = i.index_id;
    if (i.last_capacity_increase_ms != 0) {
      j["last_capacity_increase_ms"] = i.last_capacity_increase_ms;
    }
    if (i.capacity_decreases.count != 0) {
      j["decreases_day_start_ms"] = i.capacity_decreases.day_start_ms;
      j["decreases_today"] = i.capacity_decreases.count;
      j["last_decrease_ms"] = i.capacity_decreases.last_decrease_ms;
    }
    if (i.backfill) {
      j["backfill"] = {{"after_pk", Base64Encode(i.backfill->after_pk)},
                       {"after_sk", Base64Encode(i.backfill->after_sk)}};
    }
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<SecondaryIndex> IndexesFrom(const nlohmann::json& j) {
  std::vector<SecondaryIndex> out;
  for (const auto& e : j) {
    SecondaryIndex i;
    i.name = e.at("IndexName");
    i.key_schema = KeySchemaFrom(e.at("KeySchema"));
    i.projection = e.value("Projection", nlohmann::json::object());
    if (e.contains("ProvisionedThroughput"))
      i.throughput = ThroughputFrom(e["ProvisionedThroughput"]);
    i.on_demand_throughput =
        OnDemandThroughputFrom(e.value("OnDemandThroughput", nlohmann::json()));
    if (auto w = e.find("warm_read_units_per_second"); w != e.end()) {
      i.warm_read_units_per_second = w->get<int64_t>();
    }
    if (auto w = e.find("warm_write_units_per_second"); w != e.end()) {
      i.warm_write_units_per_second = w->get<int64_t>();
    }
    i.index_id = e.value("index_id", int64_t{0});
    i.last_capacity_increase_ms = e.value("last_capacity_increase_ms", int64_t{0});
    i.capacity_decreases.day_start_ms = e.value("decreases_day_start_ms", int64_t{0});
    i.capacity_decreases.count = e.value("decreases_today", int64_t{0});
    i.capacity_decreases.last_decrease_ms = e.value("last_decrease_ms", int64_t{0});
    if (auto b = e.find("backfill"); b != e.end() && b->is_object()) {
      auto pk = Base64Decode(b->value("after_pk", ""));
      auto sk = Base64Decode(b->value("after_sk", ""));
      // Unreadable (never written so): from the start again rather than never complete.
      i.backfill = pk.ok() && sk.ok() ? BackfillPosition{*pk, *sk} : BackfillPosition{};
    }
    out.push_back(std::move(i));
  }
  return out;
}

AttributeType TypeFrom(const std::string& t) {
  if (t == "N") return AttributeType::kN;
  if (t == "B") return AttributeType::kB;
  return AttributeType::kS;
}

}  // namespace

nlohmann::json KeySchemaJson(const std::vector<KeySchemaElement>& key_schema) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& k : key_schema)
    out.push_back({{"AttributeName", k.name}, {"KeyType", k.key_type}});
  return out;
}

std::string EncodeTableDefinition(const TableDefinition& d) {
  nlohmann::json defs = nlohmann::json::array();
  for (const auto& a : d.attribute_definitions) {
    defs.push_back({{"AttributeName", a.name}, {"AttributeType", a.type}});
  }
  nlohmann::json j = {
      {"name", d.name},
      {"table_uuid", d.table_uuid},
      {"arn", d.arn},
      {"created_ms", d.created_ms},
      {"attribute_definitions", defs},
      {"key_schema", KeySchemaJson(d.key_schema)},
      {"billing_mode", d.billing_mode},
      {"throughput", ThroughputJson(d.throughput)},
      {"billing_mode_changed_ms", d.billing_mode_changed_ms},
      {"last_update_to_ppr_ms", d.last_update_to_ppr_ms},
      {"on_demand_throughput", OnDemandThroughputJson(d.on_demand_throughput)},
      {"global_secondary_indexes", IndexesJson(d.global_secondary_indexes)},
      {"local_secondary_indexes", IndexesJson(d.local_secondary_indexes)},
      {"deletion_protection_enabled", d.deletion_protection_enabled},
      {"table_class", d.table_class},
      {"table_class_named", d.table_class_named},
      {"sse_kms_master_key_arn", d.sse_kms_master_key_arn},
      {"sse_window_start_ms", d.sse_changes.window_start_ms},
      {"sse_changes_in_window", d.sse_changes.count},
      {"sse_last_change_ms", d.sse_changes.last_change_ms},
      {"table_class_updates_ms", d.table_class_updates_ms},
      {"last_capacity_increase_ms", d.last_capacity_increase_ms},
      {"decreases_day_start_ms", d.capacity_decreases.day_start_ms},
      {"decreases_today", d.capacity_decreases.count},
      {"last_decrease_ms", d.capacity_decreases.last_decrease_ms},
      {"warm_read_units_per_second", d.warm_read_units_per_second},
      {"warm_write_units_per_second", d.warm_write_units_per_second},
      {"stream_enabled", d.stream_enabled},
      {"stream_view_type", std::string(streams::StreamViewTypeName(d.stream_view_type))},
      {"stream_id", d.stream_id},
      {"latest_stream_arn", d.latest_stream_arn},
      {"latest_stream_label", d.latest_stream_label},
      {"ttl_attribute", d.ttl_attribute},
      {"ttl_enabled", d.ttl_enabled},
      {"ttl_updated_ms", d.ttl_updated_ms},
      {"deletion_protection_changed_ms", d.deletion_protection_changed_ms},
      {"pitr_enabled", d.pitr_enabled},
      {"pitr_recovery_period_days", d.pitr_recovery_period_days},
      {"pitr_enabled_ms", d.pitr_enabled_ms},
      {"restore_source_backup_arn", d.restore_source_backup_arn},
      {"restore_source_table_arn", d.restore_source_table_arn},
      {"restore_ms", d.restore_ms},
  };
  return j.dump();
}

Result<TableDefinition> DecodeTableDefinition(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(AwsError::kInternalFailure, "corrupt table definition");
  }
  try {
    TableDefinition d;
    d.name = j.at("name");
    d.table_uuid = j.at("table_uuid");
    d.arn = j.at("arn");
    d.created_ms = j.at("created_ms");
    for (const auto& a : j.at("attribute_definitions")) {
      d.attribute_definitions.push_back({a.at("AttributeName"), a.at("AttributeType")});
    }
    d.key_schema = KeySchemaFrom(j.at("key_schema"));
    auto type_of = [&](const std::string& name) {
      for (const auto& a : d.attribute_definitions) {
        if (a.name == name) return TypeFrom(a.type);
      }
      return AttributeType::kS;
    };
    d.hash_key = {d.key_schema.at(0).name, type_of(d.key_schema.at(0).name)};
    if (d.key_schema.size() > 1) {
      d.range_key = KeyAttribute{d.key_schema[1].name, type_of(d.key_schema[1].name)};
    }
    d.billing_mode = j.at("billing_mode");
    d.throughput = ThroughputFrom(j.at("throughput"));
    d.billing_mode_changed_ms = j.value("billing_mode_changed_ms", int64_t{0});
    // Kept before the field: an on-demand table became so when it last switched, or was created.
    d.last_update_to_ppr_ms = j.value("last_update_to_ppr_ms",
                                      d.billing_mode != "PAY_PER_REQUEST" ? int64_t{0}
                                      : d.billing_mode_changed_ms != 0 ? d.billing_mode_changed_ms
                                                                       : d.created_ms);
    d.on_demand_throughput =
        OnDemandThroughputFrom(j.value("on_demand_throughput", nlohmann::json()));
    d.global_secondary_indexes = IndexesFrom(j.at("global_secondary_indexes"));
    d.local_secondary_indexes = IndexesFrom(j.at("local_secondary_indexes"));
    // "tags" of definitions stored before schema version 3 is read by that migration only.
    d.deletion_protection_enabled = j.value("deletion_protection_enabled", false);
    d.table_class = j.value("table_class", std::string("STANDARD"));
    // Kept before the flag: a class other than STANDARD was named.
    d.table_class_named = j.value("table_class_named", d.table_class != "STANDARD");
    d.sse_kms_master_key_arn = j.value("sse_kms_master_key_arn", std::string());
    d.sse_changes.window_start_ms = j.value("sse_window_start_ms", int64_t{0});
    d.sse_changes.count = j.value("sse_changes_in_window", int64_t{0});
    d.sse_changes.last_change_ms = j.value("sse_last_change_ms", int64_t{0});
    d.table_class_updates_ms = j.value("table_class_updates_ms", std::array<int64_t, 2>{});
    d.last_capacity_increase_ms = j.value("last_capacity_increase_ms", int64_t{0});
    d.capacity_decreases.day_start_ms = j.value("decreases_day_start_ms", int64_t{0});
    d.capacity_decreases.count = j.value("decreases_today", int64_t{0});
    d.capacity_decreases.last_decrease_ms = j.value("last_decrease_ms", int64_t{0});
    d.warm_read_units_per_second = j.value("warm_read_units_per_second", int64_t{0});
    d.warm_write_units_per_second = j.value("warm_write_units_per_second", int64_t{0});
    d.stream_enabled = j.at("stream_enabled");
    d.stream_view_type = streams::ParseStreamViewType(j.at("stream_view_type").get<std::string>())
                             .value_or(streams::StreamViewType::kNewAndOldImages);
    d.stream_id = j.at("stream_id");
    d.latest_stream_arn = j.at("latest_stream_arn");
    d.latest_stream_label = j.at("latest_stream_label");
    d.ttl_attribute = j.value("ttl_attribute", std::string());
    d.ttl_enabled = j.value("ttl_enabled", false);
    d.ttl_updated_ms = j.value("ttl_updated_ms", int64_t{0});
    d.deletion_protection_changed_ms = j.value("deletion_protection_changed_ms", int64_t{0});
    d.pitr_enabled = j.value("pitr_enabled", false);
    d.pitr_recovery_period_days = j.value("pitr_recovery_period_days", int64_t{35});
    d.pitr_enabled_ms = j.value("pitr_enabled_ms", int64_t{0});
    d.restore_source_backup_arn = j.value("restore_source_backup_arn", std::string());
    d.restore_source_table_arn = j.value("restore_source_table_arn", std::string());
    d.restore_ms = j.value("restore_ms", int64_t{0});
    return d;
  } catch (const nlohmann::json::exception& e) {
    return Status(AwsError::kInternalFailure, std::string("corrupt table definition: ") + e.what());
  }
}

}  // namespace streamstack::dynamodb
