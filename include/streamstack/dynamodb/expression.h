// DynamoDB's expression language: Condition/Filter, KeyCondition, Update and Projection
// expressions, parsed once into a tree (with names and values resolved) and then evaluated
// against Items. Errors are ValidationExceptions with AWS's texts. Parsed expressions are
// immutable and safe to evaluate from several threads; an ExpressionContext is per request.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/attribute_value.h"

namespace streamstack::dynamodb {

// Which request parameter an expression came from; names the "Invalid <Kind>:" prefix.
enum class ExpressionKind { kCondition, kFilter, kKeyCondition, kUpdate, kProjection };
const char* ExpressionKindName(ExpressionKind kind);  // "ConditionExpression", ...
// AWS's refusal of an expression over 4 KB, or Ok. The caller applies it to the expressions a
// request sends, not to those written from legacy parameters (AWS takes a ScanFilter IN of
// thousands of values).
Status CheckExpressionSize(std::string_view text, ExpressionKind kind);

// True if `word` is one of DynamoDB's reserved words (case-insensitive).
bool IsReservedWord(std::string_view word);

// One step of a document path: a map key / attribute name, or a list index.
struct PathElement {
  std::string name;    // when index < 0
  int64_t index = -1;  // list index when >= 0
  bool is_index() const { return index >= 0; }
  friend bool operator==(const PathElement&, const PathElement&) = default;
};
using DocumentPath = std::vector<PathElement>;
// AWS's rendering in error messages: a.b[1] -> "[a, b, [1]]".
std::string FormatPath(const DocumentPath& path);
// The value at `path`, or nullptr.
const AttributeValue* ResolvePath(const Item& item, const DocumentPath& path);
// The parts of `item` named by `paths` (AWS's projection; list elements keep their order and
// are compacted). Paths that do not resolve are skipped. Paths must not overlap.
Item ProjectPaths(const Item& item, const std::vector<DocumentPath>& paths);

// A key of ExpressionAttributeNames (`name`) or ExpressionAttributeValues: at most 255 bytes,
// "#" or ":" and then letters, digits or "_"; else AWS's "... contains invalid key: ...".
Status CheckPlaceholder(const std::string& key, bool name);
// ExpressionAttributeNames' shape before its entries' names: not empty, then every key
// (CheckPlaceholder), in key order.
Status CheckNameKeys(const std::map<std::string, std::string>& names);
// An ExpressionAttributeNames entry's attribute name: not empty.
Status CheckAttributeNameValue(const std::string& key, const std::string& name);

// One ExpressionAttributeValues entry, read in `wording`'s layer: a faulty value is answered as
// AWS does. The older layer names its placeholder ("ExpressionAttributeValues contains invalid
// value: <why> for key :v"); the current one answers the value's fault alone (a DynamoDB
// conformance suite's valueLayers captures: PutItem, UpdateItem, DeleteItem and Query), save a
// fault of the request reader's (IsReaderFault), which names its key in either. Type faults
// stay SerializationException.
Result<AttributeValue> ExpressionAttributeValueFromJson(
    const std::string& placeholder, const nlohmann::json& value,
    ValueWording wording = ValueWording::kOlder);

// ExpressionAttributeNames/Values of one request, shared by all its expressions. Parsing
// records which entries were used; CheckAllUsed() then reports AWS's "unused" error.
class ExpressionContext {
 public:
  ExpressionContext() = default;
  ExpressionContext(std::map<std::string, std::string> names,
                    std::map<std::string, AttributeValue> values)
      : names_(std::move(names)), values_(std::move(values)) {}

  // Decodes the request's ExpressionAttributeNames / ExpressionAttributeValues members
  // (either may be null: not supplied) with AWS's checks: a supplied map must not be empty,
  // keys must look like "#name" / ":value", values must be valid AttributeValues.
  static Result<ExpressionContext> FromJson(const nlohmann::json* names,
                                            const nlohmann::json* values);

  // Lookups used by the parsers; an undefined entry is AWS's "not defined" error.
  Result<std::string> UseName(const std::string& placeholder, ExpressionKind kind);
  Result<AttributeValue> UseValue(const std::string& placeholder, ExpressionKind kind);
  // "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}" (names
  // are checked before values).
  Status CheckAllUsed() const;

 private:
  std::map<std::string, std::string> names_;
  std::map<std::string, AttributeValue> values_;
  std::set<std::string> used_names_;
  std::set<std::string> used_values_;
};

struct ConditionNode;  // private tree

// ConditionExpression / FilterExpression.
class ConditionExpression {
 public:
  static Result<ConditionExpression> Parse(std::string_view text, ExpressionKind kind,
                                           ExpressionContext& context);
  ConditionExpression(ConditionExpression&&) noexcept;
  ConditionExpression& operator=(ConditionExpression&&) noexcept;
  ~ConditionExpression();

  // DynamoDB semantics: a missing attribute or a type mismatch makes a comparison false.
  bool Evaluate(const Item& item) const;
  // The document paths the expression reads, in the order they appear.
  std::vector<DocumentPath> Paths() const;
  // The top-level attribute names the expression reads (Query rejects a filter on a key).
  std::set<std::string> TopLevelAttributes() const;

 private:
  explicit ConditionExpression(std::unique_ptr<ConditionNode> root);
  std::unique_ptr<ConditionNode> root_;
};

// KeyConditionExpression for Query.
struct KeySchemaInfo {
  struct Key {
    std::string name;
    AttributeType type = AttributeType::kS;  // kS, kN or kB
  };
  // The partition key's attributes and the sort key's, in KeySchema order: one and at most one
  // for a table or an LSI, up to four of each for a GSI with a multi-attribute key.
  std::vector<Key> partition_keys;
  std::vector<Key> sort_keys;

  KeySchemaInfo() = default;
  // A key of one partition attribute and at most one sort attribute (`sort_key` empty: none).
  KeySchemaInfo(std::string partition_key, AttributeType partition_type, std::string sort_key = "",
                AttributeType sort_type = AttributeType::kS);
  KeySchemaInfo(std::vector<Key> partition, std::vector<Key> sort)
      : partition_keys(std::move(partition)), sort_keys(std::move(sort)) {}
};

enum class SortKeyOperator {
  kEqual,
  kLess,
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
  kBetween,
  kBeginsWith
};

struct SortKeyCondition {
  SortKeyOperator op = SortKeyOperator::kEqual;
  AttributeValue value;  // the operand; the lower bound for BETWEEN
  AttributeValue upper;  // BETWEEN only
  // Whether a sort key value (of the schema's type) satisfies the condition.
  bool Matches(const AttributeValue& sort_value) const;
};

// A Query's key condition resolved against the key schema. On a multi-attribute sort key the
// conditions name a left prefix of the sort attributes: equalities, then `sort` on the last
// attribute given (the only one that may be a range).
struct KeyCondition {
  std::vector<AttributeValue> partition_values;  // one per partition attribute, schema order
  std::vector<AttributeValue> sort_prefix;       // equalities on the sort attributes before
  std::optional<SortKeyCondition> sort;          // the last sort attribute given, if any
  // How many sort attributes the condition names (sort_prefix and sort).
  size_t SortAttributeCount() const { return sort_prefix.size() + (sort ? 1 : 0); }
};

// AWS checks a Query key attribute by key attribute, each with its part of the
// ExclusiveStartKey (dynalite test/query.js): checks the caller runs between the key
// condition's own. `before_partition` runs once the expression is parsed, before any check
// against the schema; `before_sort` after the partition key's conditions passed, before the
// sort key's are looked at. An error from either is the answer.
struct KeyConditionChecks {
  std::function<Status()> before_partition;
  std::function<Status()> before_sort;
  // The expression was written from legacy KeyConditions. Their operators a key cannot use
  // (NULL, NOT_NULL, NE, CONTAINS, NOT_CONTAINS, IN) are not a malformed expression then:
  // AWS answers "Attempted conditional constraint is not an indexable operation" when it
  // reaches that key attribute, after the table, the index, the ExclusiveStartKey and the
  // conditions missing for earlier key attributes (dynalite test/query.js).
  bool from_key_conditions = false;
};

Result<KeyCondition> ParseKeyCondition(std::string_view text, const KeySchemaInfo& schema,
                                       ExpressionContext& context,
                                       const KeyConditionChecks& checks = {});

// UpdateExpression.
struct UpdateAction;  // private

struct UpdateResult {
  Item item;                                 // the new item
  std::vector<DocumentPath> updated_paths;   // every path an action targeted
  std::set<std::string> updated_attributes;  // their top-level attribute names
};

class UpdateExpression {
 public:
  // The expression alone: its grammar, names, values and paths. What it may not do to the
  // table's keys is the caller's check (item_write.h), from Targets() and Paths().
  static Result<UpdateExpression> Parse(std::string_view text, ExpressionContext& context);
  UpdateExpression(UpdateExpression&&) noexcept;
  UpdateExpression& operator=(UpdateExpression&&) noexcept;
  ~UpdateExpression();

  // Applies every action to `item` (all operands read the original item, as AWS does).
  Result<UpdateResult> Apply(const Item& item) const;

  // An action's target, with the type its value has whatever the item holds (a value, N from
  // '+' and '-', L from list_append, if_not_exists's fallback), if it has one: AWS checks it
  // against an index key's declared type before it reads the item.
  struct Target {
    DocumentPath path;
    std::optional<AttributeType> static_type;
  };
  std::vector<Target> Targets() const;
  // Every document path the expression names, the actions' targets first, then the paths
  // their operands read.
  std::vector<DocumentPath> Paths() const;

 private:
  UpdateExpression();
  std::vector<std::unique_ptr<UpdateAction>> actions_;
};

// ProjectionExpression.
class ProjectionExpression {
 public:
  static Result<ProjectionExpression> Parse(std::string_view text, ExpressionContext& context);
  const std::vector<DocumentPath>& paths() const { return paths_; }
  Item Apply(const Item& item) const { return ProjectPaths(item, paths_); }

 private:
  std::vector<DocumentPath> paths_;
};

}  // namespace streamstack::dynamodb
