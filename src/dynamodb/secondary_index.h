// Secondary indexes, the pure part: how a declared index is checked (as CreateTable and
// UpdateTable check it), which items it holds (sparse: only items that carry every index key
// attribute with the declared type), and what it projects. No SQL here (index_store.h writes
// the entries). Private to the dynamodb module; values, safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/attribute_value.h"
#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

enum class ProjectionType { kAll, kKeysOnly, kInclude };

struct IndexProjection {
  ProjectionType type = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // INCLUDE only
};

// Decodes and checks an index's Projection as CreateTable does ("Unknown ProjectionType: null",
// INCLUDE without NonKeyAttributes, duplicates, ...). `member` names it in constraint errors
// ("globalSecondaryIndexes.1.member.projection").
Result<IndexProjection> ParseIndexProjection(const nlohmann::json& projection,
                                             const std::string& member);

// Everything about a declared index that is not its key schema against the attribute
// definitions (the caller checks that): the name, the projection, an LSI's key rules, the
// throughput rules of the billing mode. `position` is 1-based, for constraint messages.
Status ValidateIndexDeclaration(const SecondaryIndex& index, bool global, size_t position,
                                const TableDefinition& table, const std::string& billing_mode);

// A declared index resolved against its table: key types, projection, the attributes it holds.
struct IndexSchema {
  std::string name;
  int64_t index_id = 0;
  bool global = true;
  // The partition key's attributes and the sort key's, in KeySchema order: one HASH and at most
  // one RANGE, or on a GSI with a multi-attribute key up to four of each.
  std::vector<KeyAttribute> partition_keys;
  std::vector<KeyAttribute> sort_keys;
  ProjectionType projection_type = ProjectionType::kAll;
  // Key attributes of the table and of the index (always projected), plus NonKeyAttributes.
  std::set<std::string> projected_attributes;
  // A GSI still backfilling: item writes maintain its entries only for table keys up to this
  // position (the backfill indexes the later ones as it reaches them).
  std::optional<BackfillPosition> backfill;

  // Whether an item write at table key (pk, sk) leaves this index to the backfill.
  bool LeftToBackfill(const std::string& pk, const std::string& sk) const {
    return backfill && std::tie(pk, sk) > std::tie(backfill->after_pk, backfill->after_sk);
  }

  bool Projects(const std::string& attribute) const {
    return projection_type == ProjectionType::kAll || projected_attributes.count(attribute) > 0;
  }
  // The part of a table item this index stores.
  Item Project(const Item& item) const;
  // The attributes of a LastEvaluatedKey: the index key and the table key.
  std::vector<std::string> StartKeyAttributes(const TableDefinition& table) const;
  // The index's key attributes, partition key first.
  std::vector<std::string> KeyNames() const;
};

// Every index of the table (global ones first, in declaration order).
std::vector<IndexSchema> IndexSchemasOf(const TableDefinition& table);
std::optional<IndexSchema> FindIndexSchema(const TableDefinition& table, const std::string& name);

// One key attribute of a secondary index. Views into the TableDefinition it came from, which
// must outlive it.
struct IndexKeyAttribute {
  std::string_view index_name;
  std::string_view name;
  AttributeType type;  // as AttributeDefinitions declare it
};

// The key attributes of every index, in the order DynamoDB checks a request against them
// (dynalite db/index.js, recorded): global indexes, then local ones, in declaration order, each
// in KeySchema order. Cheaper than IndexSchemasOf: no projections are resolved.
std::vector<IndexKeyAttribute> IndexKeyAttributesOf(const TableDefinition& table);

// An item's entry in one index.
struct IndexEntry {
  std::string pk;  // encoded index key (item_key.h's EncodeCompositeKey)
  std::string sk;  // empty when the index has no sort key
  Item item;       // the projected item
  int64_t size = 0;
};
// The entry, or nullopt when the item is not in the index: any index key attribute is absent,
// of another type or empty (AWS: an item missing any attribute of a multi-attribute key is not
// indexed) (a backfill skips such items; a write rejects the last two first,
// see ValidateIndexKeys).
std::optional<IndexEntry> IndexEntryOf(const IndexSchema& index, const Item& item);

// What a write checks before it stores `item` in a table with indexes: an index key attribute
// that is present must have the declared type and must not be an empty string or binary. An
// update's new image (`update`) is refused an empty value in the words AWS gives an update
// expression (a DynamoDB conformance suite's indexKeyValues captures).
enum class IndexKeyWrite { kItem, kUpdate };
Status ValidateIndexKeys(const TableDefinition& table, const Item& item,
                         IndexKeyWrite write = IndexKeyWrite::kItem);

}  // namespace streamstack::dynamodb
