#include "dynamodb/secondary_index.h"

#include <algorithm>

#include "dynamodb/item_key.h"

namespace streamstack::dynamodb {
namespace {

constexpr size_t kMaxIndexNameLength = 255;

const char* ProjectionTypeName(ProjectionType type) {
  switch (type) {
    case ProjectionType::kAll:
      return "ALL";
    case ProjectionType::kKeysOnly:
      return "KEYS_ONLY";
    case ProjectionType::kInclude:
      return "INCLUDE";
  }
  return "ALL";
}

Status ValidateIndexName(const std::string& name, const std::string& member) {
  if (name.size() < 3) {
    return ConstraintError("'" + name + "'", member,
                           "Member must have length greater than or equal to 3");
  }
  if (name.size() > kMaxIndexNameLength) {
    return ConstraintError("'" + name + "'", member,
                           "Member must have length less than or equal to 255");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) {
      return ConstraintError("'" + name + "'", member,
                             "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return Status::Ok();
}

AttributeType DefinedType(const TableDefinition& table, const std::string& name) {
  for (const auto& d : table.attribute_definitions) {
    if (d.name != name) continue;
    if (d.type == "N") return AttributeType::kN;
    if (d.type == "B") return AttributeType::kB;
    return AttributeType::kS;
  }
  return AttributeType::kS;
}

IndexSchema ResolveIndex(const TableDefinition& table, const SecondaryIndex& declared,
                         bool global) {
  IndexSchema schema;
  schema.name = declared.name;
  schema.index_id = declared.index_id;
  schema.global = global;
  schema.backfill = declared.backfill;
  for (const KeySchemaElement& k : declared.key_schema) {
    auto& keys = k.key_type == "RANGE" ? schema.sort_keys : schema.partition_keys;
    keys.push_back({k.name, DefinedType(table, k.name)});
  }
  auto projection = ParseIndexProjection(declared.projection, "projection");
  if (projection.ok()) {
    schema.projection_type = projection->type;
    schema.projected_attributes.insert(projection->non_key_attributes.begin(),
                                       projection->non_key_attributes.end());
  }
  for (const std::string& key : table.KeyNames()) schema.projected_attributes.insert(key);
  for (const std::string& key : schema.KeyNames()) schema.projected_attributes.insert(key);
  return schema;
}

// The encoded key of one part of an index key (its partition or its sort attributes; the
// partition hash-prefixed as the table's), or nullopt when the item does not qualify: every
// attribute present, of its declared type, and not an empty string or binary.
std::optional<std::string> IndexKeyBytes(const Item& item, const std::vector<KeyAttribute>& keys,
                                         bool partition_key) {
  std::vector<const AttributeValue*> values;
  for (const KeyAttribute& attr : keys) {
    auto it = item.find(attr.name);
    if (it == item.end() || it->second.type() != attr.type) return std::nullopt;
    if (attr.type != AttributeType::kN && it->second.s().empty()) return std::nullopt;
    values.push_back(&it->second);
  }
  return partition_key ? EncodeIndexPartitionKey(values) : EncodeCompositeKey(values);
}

// One index key attribute of an item being written. AWS limits each attribute of a
// multi-attribute key as it limits a single one (2048 bytes for a partition attribute, 1024
// for a sort attribute): the per-attribute rule is what this applies; AWS's answer for a
// multi-attribute key over the limits is not recorded.
Status CheckIndexKey(const IndexSchema& index, const KeyAttribute& attr, bool sort_key,
                     const Item& item, IndexKeyWrite write) {
  auto it = item.find(attr.name);
  if (it == item.end()) return Status::Ok();  // sparse: the item is just not in the index
  if (it->second.type() != attr.type) {
    return InvalidParameters(
        "Type mismatch for Index Key " + attr.name + " Expected: " + AttributeTypeName(attr.type) +
        " Actual: " + AttributeTypeName(it->second.type()) + " IndexName: " + index.name);
  }
  if (attr.type != AttributeType::kN && it->second.s().empty()) {
    const char* empty = attr.type == AttributeType::kS ? "string" : "binary";
    if (write == IndexKeyWrite::kUpdate) {
      return ValidationError(
          std::string("One or more parameter values are not valid. The update expression "
                      "attempted to update a secondary index key to a value that is not "
                      "supported. The AttributeValue for a key attribute cannot contain an "
                      "empty ") +
          empty + " value.");
    }
    return ValidationError(
        std::string("One or more parameter values are not valid. A value specified for a "
                    "secondary index key is not supported. The AttributeValue for a key "
                    "attribute cannot contain an empty ") +
        empty + " value. IndexName: " + index.name + ", IndexKey: " + attr.name);
  }
  return CheckKeySize(it->second, sort_key);
}

}  // namespace

Result<IndexProjection> ParseIndexProjection(const nlohmann::json& projection,
                                             const std::string& member) {
  if (!projection.is_object()) return InvalidParameters("Unknown ProjectionType: null");
  auto type_it = projection.find("ProjectionType");
  if (type_it == projection.end() || type_it->is_null()) {
    return InvalidParameters("Unknown ProjectionType: null");
  }
  if (!type_it->is_string()) {
    return Status(AwsError::kSerialization, "Unexpected value type in payload");
  }
  const std::string type = type_it->get<std::string>();
  IndexProjection out;
  if (type == "ALL") {
    out.type = ProjectionType::kAll;
  } else if (type == "KEYS_ONLY") {
    out.type = ProjectionType::kKeysOnly;
  } else if (type == "INCLUDE") {
    out.type = ProjectionType::kInclude;
  } else {
    return ConstraintError("'" + type + "'", member + ".projectionType",
                           "Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]");
  }
  auto nka = projection.find("NonKeyAttributes");
  bool has_nka = nka != projection.end() && !nka->is_null();
  if (has_nka) {
    if (!nka->is_array())
      return Status(AwsError::kSerialization, "Unexpected value type in payload");
    std::set<std::string> seen;
    for (const auto& name : *nka) {
      if (!name.is_string()) {
        return Status(AwsError::kSerialization, "Unexpected value type in payload");
      }
      if (!seen.insert(name.get<std::string>()).second) {
        return InvalidParameters("Duplicate element in NonKeyAttributes: " +
                                 name.get<std::string>());
      }
      out.non_key_attributes.push_back(name.get<std::string>());
    }
    has_nka = !out.non_key_attributes.empty();
  }
  if (out.type == ProjectionType::kInclude && !has_nka) {
    return InvalidParameters("ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
  }
  if (out.type != ProjectionType::kInclude && has_nka) {
    return InvalidParameters(std::string("ProjectionType is ") + ProjectionTypeName(out.type) +
                             ", but NonKeyAttributes is specified");
  }
  return out;
}

Status ValidateIndexDeclaration(const SecondaryIndex& index, bool global, size_t position,
                                const TableDefinition& table, const std::string& billing_mode) {
  const std::string member =
      std::string(global ? "globalSecondaryIndexes." : "localSecondaryIndexes.") +
      std::to_string(position) + ".member";
  STREAMSTACK_RETURN_IF_ERROR(ValidateIndexName(index.name, member + ".indexName"));
  auto projection = ParseIndexProjection(index.projection, member + ".projection");
  if (!projection.ok()) return projection.status();
  if (!global) {
    if (index.key_schema.empty() || index.key_schema[0].name != table.hash_key.name) {
      return InvalidParameters(
          "Index KeySchema does not have the same leading hash key as table KeySchema for "
          "index: " +
          index.name + ". index hash key: " +
          (index.key_schema.empty() ? std::string() : index.key_schema[0].name) +
          ", table hash key: " + table.hash_key.name);
    }
    if (index.key_schema.size() != 2) {
      return InvalidParameters("Index KeySchema does not have a range key for index: " +
                               index.name);
    }
    return Status::Ok();
  }
  if (billing_mode == "PAY_PER_REQUEST" && index.throughput) {
    return InvalidParameters("ProvisionedThroughput should not be specified for index: " +
                             index.name + " when BillingMode is PAY_PER_REQUEST");
  }
  if (billing_mode != "PAY_PER_REQUEST" && !index.throughput) {
    return InvalidParameters("ProvisionedThroughput is not specified for index: " + index.name);
  }
  if (index.throughput) {
    const std::string t = member + ".provisionedThroughput";
    if (index.throughput->read_capacity_units < 1) {
      return ConstraintError("'" + std::to_string(index.throughput->read_capacity_units) + "'",
                             t + ".readCapacityUnits",
                             "Member must have value greater than or equal to 1");
    }
    if (index.throughput->write_capacity_units < 1) {
      return ConstraintError("'" + std::to_string(index.throughput->write_capacity_units) + "'",
                             t + ".writeCapacityUnits",
                             "Member must have value greater than or equal to 1");
    }
  }
  return Status::Ok();
}

Item IndexSchema::Project(const Item& item) const {
  if (projection_type == ProjectionType::kAll) return item;
  Item out;
  for (const auto& [attribute, value] : item) {
    if (projected_attributes.count(attribute) > 0) out.emplace(attribute, value);
  }
  return out;
}

std::vector<std::string> IndexSchema::StartKeyAttributes(const TableDefinition& table) const {
  std::vector<std::string> names = KeyNames();
  for (const std::string& key : table.KeyNames()) {
    if (std::find(names.begin(), names.end(), key) == names.end()) names.push_back(key);
  }
  return names;
}

std::vector<std::string> IndexSchema::KeyNames() const {
  std::vector<std::string> names;
  for (const KeyAttribute& k : partition_keys) names.push_back(k.name);
  for (const KeyAttribute& k : sort_keys) names.push_back(k.name);
  return names;
}

std::vector<IndexSchema> IndexSchemasOf(const TableDefinition& table) {
  std::vector<IndexSchema> out;
  for (const auto& index : table.global_secondary_indexes) {
    out.push_back(ResolveIndex(table, index, true));
  }
  for (const auto& index : table.local_secondary_indexes) {
    out.push_back(ResolveIndex(table, index, false));
  }
  return out;
}

std::vector<IndexKeyAttribute> IndexKeyAttributesOf(const TableDefinition& table) {
  std::vector<IndexKeyAttribute> out;
  for (const auto* indexes : {&table.global_secondary_indexes, &table.local_secondary_indexes}) {
    for (const SecondaryIndex& index : *indexes) {
      for (const KeySchemaElement& k : index.key_schema) {
        out.push_back({index.name, k.name, DefinedType(table, k.name)});
      }
    }
  }
  return out;
}

std::optional<IndexSchema> FindIndexSchema(const TableDefinition& table, const std::string& name) {
  for (const auto& index : table.global_secondary_indexes) {
    if (index.name == name) return ResolveIndex(table, index, true);
  }
  for (const auto& index : table.local_secondary_indexes) {
    if (index.name == name) return ResolveIndex(table, index, false);
  }
  return std::nullopt;
}

std::optional<IndexEntry> IndexEntryOf(const IndexSchema& index, const Item& item) {
  auto pk = IndexKeyBytes(item, index.partition_keys, /*partition_key=*/true);
  if (!pk) return std::nullopt;
  IndexEntry entry;
  entry.pk = std::move(*pk);
  if (!index.sort_keys.empty()) {
    auto sk = IndexKeyBytes(item, index.sort_keys, /*partition_key=*/false);
    if (!sk) return std::nullopt;
    entry.sk = std::move(*sk);
  }
  entry.item = index.Project(item);
  entry.size = static_cast<int64_t>(ItemSizeBytes(entry.item));
  return entry;
}

Status ValidateIndexKeys(const TableDefinition& table, const Item& item, IndexKeyWrite write) {
  if (table.global_secondary_indexes.empty() && table.local_secondary_indexes.empty()) {
    return Status::Ok();
  }
  for (const IndexSchema& index : IndexSchemasOf(table)) {
    for (const KeyAttribute& attr : index.partition_keys) {
      STREAMSTACK_RETURN_IF_ERROR(CheckIndexKey(index, attr, /*sort_key=*/false, item, write));
    }
    for (const KeyAttribute& attr : index.sort_keys) {
      STREAMSTACK_RETURN_IF_ERROR(CheckIndexKey(index, attr, /*sort_key=*/true, item, write));
    }
  }
  return Status::Ok();
}

}  // namespace streamstack::dynamodb
