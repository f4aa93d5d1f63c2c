#include "dynamodb/read_store.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "dynamodb/capacity.h"
#include "dynamodb/item_key.h"
#include "dynamodb/secondary_index.h"
#include "dynamodb/table_sql.h"

namespace streamstack::dynamodb {
namespace {

constexpr size_t kMaxBatchGetKeys = 100;
constexpr int64_t kMaxTotalSegments = 1000000;

const char* SelectName(Select select) {
  switch (select) {
    case Select::kAllAttributes:
      return "ALL_ATTRIBUTES";
    case Select::kAllProjectedAttributes:
      return "ALL_PROJECTED_ATTRIBUTES";
    case Select::kSpecificAttributes:
      return "SPECIFIC_ATTRIBUTES";
    case Select::kCount:
      return "COUNT";
  }
  return "ALL_ATTRIBUTES";
}

// AWS's answers to an ExclusiveStartKey that does not fit the table or the index read
// (dynalite test/query.js and test/scan.js, recorded against DynamoDB).
constexpr char kStartKeyInvalid[] = "The provided starting key is invalid";
constexpr char kKeyElementMismatch[] = "The provided key element does not match the schema";

Status InvalidStartKey() {
  return ValidationError(std::string(kStartKeyInvalid) + ": " + kKeyElementMismatch);
}

Result<Item> DecodeItemText(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status(AwsError::kInternalFailure, "corrupt stored item");
  return ItemFromJson(j);
}

// What a read walks: the table's items or one index's entries.
struct ReadSource {
  const TableDefinition& table;
  std::optional<IndexSchema> index;

  // The partition key's attributes and the sort key's: the index's (several on a GSI with a
  // multi-attribute key), or the table's one and at most one.
  std::vector<KeyAttribute> partition_keys() const {
    return index ? index->partition_keys : std::vector<KeyAttribute>{table.hash_key};
  }
  std::vector<KeyAttribute> sort_keys() const {
    if (index) return index->sort_keys;
    return table.range_key ? std::vector<KeyAttribute>{*table.range_key}
                           : std::vector<KeyAttribute>{};
  }
  bool global_index() const { return index && index->global; }
  // The attributes of its LastEvaluatedKey / ExclusiveStartKey.
  std::vector<std::string> StartKeyAttributes() const {
    return index ? index->StartKeyAttributes(table) : table.KeyNames();
  }
};

Result<ReadSource> ResolveSource(const TableDefinition& table,
                                 const std::optional<std::string>& index_name,
                                 bool consistent_read) {
  ReadSource source{table, std::nullopt};
  if (!index_name) return source;
  source.index = FindIndexSchema(table, *index_name);
  if (!source.index) {
    return ValidationError("The table does not have the specified index: " + *index_name);
  }
  if (consistent_read && source.index->global) {
    return ValidationError("Consistent reads are not supported on global secondary indexes");
  }
  return source;
}

// A position in a partition's walk order: (sort key, table key) -- the table key breaks ties
// between index entries; items of the table itself use the sort key alone.
struct SortPosition {
  std::string sk;
  std::string table_pk;
  std::string table_sk;
  friend bool operator<(const SortPosition& a, const SortPosition& b) {
    return std::tie(a.sk, a.table_pk, a.table_sk) < std::tie(b.sk, b.table_pk, b.table_sk);
  }
};

// The item an ExclusiveStartKey names, as a walk position.
struct StartKey {
  std::string pk;
  SortPosition position;
  Item key;
};

Result<StartKey> DecodeStartKey(const ReadSource& source, const Item& esk) {
  StartKey out;
  out.key = esk;
  if (!source.index) {
    auto key = KeyOfKeyParameter(source.table, esk);
    if (!key.ok()) return InvalidStartKey();
    out.pk = key->pk;
    out.position.sk = key->sk;
    return out;
  }
  const std::vector<std::string> names = source.StartKeyAttributes();
  if (esk.size() != names.size()) return InvalidStartKey();
  // The bytes of a part of the key (item_key.h's EncodeCompositeKey; a partition with its hash
  // prefix), as the entries store it.
  auto encoded = [&](const std::vector<KeyAttribute>& attrs,
                     bool partition_key) -> Result<std::string> {
    std::vector<const AttributeValue*> values;
    for (const KeyAttribute& attr : attrs) {
      auto it = esk.find(attr.name);
      if (it == esk.end() || it->second.type() != attr.type) return InvalidStartKey();
      if (attr.type != AttributeType::kN && it->second.s().empty()) return InvalidStartKey();
      values.push_back(&it->second);
    }
    if (values.empty()) return std::string();
    return partition_key ? EncodeIndexPartitionKey(values) : EncodeCompositeKey(values);
  };
  STREAMSTACK_ASSIGN_OR_RETURN(out.pk, encoded(source.index->partition_keys, true));
  STREAMSTACK_ASSIGN_OR_RETURN(out.position.sk, encoded(source.index->sort_keys, false));
  STREAMSTACK_ASSIGN_OR_RETURN(out.position.table_pk, encoded({source.table.hash_key}, true));
  if (source.table.range_key) {
    STREAMSTACK_ASSIGN_OR_RETURN(out.position.table_sk, encoded({*source.table.range_key}, false));
  }
  return out;
}

// An ExclusiveStartKey checked as AWS checks it, in AWS's order: its size (the table's key
// attributes plus the index's), then each key attribute of the table or index read, beside
// that attribute's key condition on a Query (ParseKeyCondition's checks), then the table's own
// key within it.
Status CheckStartKeySize(const ReadSource& source, const Item& esk, bool scan) {
  if (esk.size() == source.StartKeyAttributes().size()) return Status::Ok();
  // AWS: a Scan of the table itself says which check failed; every other read does not.
  if (scan && !source.index) return InvalidStartKey();
  return ValidationError(kStartKeyInvalid);
}

// One key attribute of the table or index read, as present in the ExclusiveStartKey.
Status CheckStartKeyPart(const Item& esk, const KeyAttribute& attr, bool sort_key) {
  auto it = esk.find(attr.name);
  if (it == esk.end()) return ValidationError(kStartKeyInvalid);
  if (it->second.type() != attr.type) return ValidationError(kKeyElementMismatch);
  if (attr.type != AttributeType::kN && it->second.s().empty()) {
    return ValidationError(
        std::string("One or more parameter values are not valid. The AttributeValue for a key "
                    "attribute cannot contain an empty ") +
        (attr.type == AttributeType::kS ? "string" : "binary") + " value. Key: " + attr.name);
  }
  return CheckKeySize(it->second, sort_key);
}

// The table's key within the ExclusiveStartKey, checked last: AWS prefixes every error.
Status CheckStartKeyTableKey(const TableDefinition& table, const Item& esk) {
  auto check = [&](const KeyAttribute& attr, bool sort_key) -> Status {
    if (esk.count(attr.name) == 0) return InvalidStartKey();
    Status st = CheckStartKeyPart(esk, attr, sort_key);
    if (st.ok()) return st;
    return ValidationError(std::string(kStartKeyInvalid) + ": " + st.message());
  };
  STREAMSTACK_RETURN_IF_ERROR(check(table.hash_key, false));
  if (table.range_key) STREAMSTACK_RETURN_IF_ERROR(check(*table.range_key, true));
  return Status::Ok();
}

// Whether the ExclusiveStartKey's sort attributes satisfy the key condition's: the equalities
// on the leading ones and the last condition (AWS checks the range key predicate).
bool StartKeyMatchesSortCondition(const Item& esk, const std::vector<KeyAttribute>& sort_keys,
                                  const KeyCondition& c) {
  for (size_t i = 0; i < c.sort_prefix.size(); ++i) {
    SortKeyCondition equal;
    equal.value = c.sort_prefix[i];
    if (!equal.Matches(esk.at(sort_keys[i].name))) return false;
  }
  return !c.sort || c.sort->Matches(esk.at(sort_keys[c.sort_prefix.size()].name));
}

// The first position after `p` in walk order.
SortPosition PositionAfter(const ReadSource& source, const SortPosition& p) {
  if (!source.index) return {KeySuccessor(p.sk), "", ""};
  return {p.sk, p.table_pk, KeySuccessor(p.table_sk)};
}

// [lower, upper) of the sort key a key condition allows.
std::pair<std::string, std::string> SortKeyRange(const std::optional<SortKeyCondition>& c) {
  if (!c) return {"", AboveEveryKey()};
  const std::string v = EncodeKeyValue(c->value);
  switch (c->op) {
    case SortKeyOperator::kEqual:
      return {v, KeySuccessor(v)};
    case SortKeyOperator::kLess:
      return {"", v};
    case SortKeyOperator::kLessOrEqual:
      return {"", KeySuccessor(v)};
    case SortKeyOperator::kGreater:
      return {KeySuccessor(v), AboveEveryKey()};
    case SortKeyOperator::kGreaterOrEqual:
      return {v, AboveEveryKey()};
    case SortKeyOperator::kBetween:
      return {v, KeySuccessor(EncodeKeyValue(c->upper))};
    case SortKeyOperator::kBeginsWith:
      return {v, PrefixUpperBound(v).value_or(AboveEveryKey())};
  }
  return {"", AboveEveryKey()};
}

// The same over a multi-attribute sort key (item_key.h's composite bytes): the sort
// attributes the condition names are a left prefix, equalities then `sort` on the last one,
// so the keys it allows are one byte range: those that start with the equalities' bytes, cut
// by the last condition. Every tuple that starts with a value's terminated bytes has that
// value there, so "above v" starts past every key that starts with v's bytes.
std::pair<std::string, std::string> CompositeSortKeyRange(const KeyCondition& c) {
  std::string prefix;
  for (const AttributeValue& value : c.sort_prefix) prefix += CompositeKeyPart(value);
  auto after = [](const std::string& bytes) {
    return PrefixUpperBound(bytes).value_or(AboveEveryKey());
  };
  const std::string all_end = prefix.empty() ? AboveEveryKey() : after(prefix);
  if (!c.sort) return {prefix, all_end};
  const std::string v = prefix + CompositeKeyPart(c.sort->value);
  switch (c.sort->op) {
    case SortKeyOperator::kEqual:
      return {v, after(v)};
    case SortKeyOperator::kLess:
      return {prefix, v};
    case SortKeyOperator::kLessOrEqual:
      return {prefix, after(v)};
    case SortKeyOperator::kGreater:
      return {after(v), all_end};
    case SortKeyOperator::kGreaterOrEqual:
      return {v, all_end};
    case SortKeyOperator::kBetween:
      return {v, after(prefix + CompositeKeyPart(c.sort->upper))};
    case SortKeyOperator::kBeginsWith: {
      const std::string start = prefix + CompositeKeyPart(c.sort->value, /*terminated=*/false);
      return {start, after(start)};
    }
  }
  return {prefix, all_end};
}

// --- Select, projection and filter ---------------------------------------------------------

struct ReadShape {
  Select select = Select::kAllAttributes;
  std::optional<ConditionExpression> filter;
  std::optional<ProjectionExpression> projection;
  // A local secondary index asked for attributes it does not store: AWS fetches them from the
  // table, and so does this.
  bool fetch_table_item = false;
};

std::string JoinSorted(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Status CheckSelect(const ReadSource& source, const std::optional<Select>& select,
                   bool has_projection, bool query) {
  if (has_projection && select && *select != Select::kSpecificAttributes) {
    // Query's answer carries the prefix, Scan's does not (ExtendDB's wording tests, captured
    // from DynamoDB).
    return ValidationError(std::string(query ? "1 validation error detected: " : "") +
                           "Cannot specify the ProjectionExpression when choosing to get " +
                           (*select == Select::kCount ? "only the Count" : SelectName(*select)));
  }
  if (select == Select::kAllProjectedAttributes && !source.index) {
    return ValidationError(
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }
  if (select == Select::kSpecificAttributes && !has_projection) {
    // Query's carries the prefix too, Scan's not (a DynamoDB conformance suite's query and
    // scan captures).
    return ValidationError(std::string(query ? "1 validation error detected: " : "") +
                           "Must specify the AttributesToGet or ProjectionExpression when "
                           "choosing to get SPECIFIC_ATTRIBUTES");
  }
  if (select == Select::kAllAttributes && source.global_index() &&
      source.index->projection_type != ProjectionType::kAll) {
    return InvalidParameters(
        "Select type ALL_ATTRIBUTES is not supported for global secondary "
        "index " +
        source.index->name + " because its projection type is not ALL");
  }
  return Status::Ok();
}

// Parses the filter and projection, applies the Select rules and the index's projection
// rules. `ctx` has already seen the key condition (Query), so CheckAllUsed covers it too.
Result<ReadShape> PrepareShape(const ReadSource& source, const std::optional<Select>& select,
                               const ExpressionInput& in, ExpressionContext& ctx, bool query,
                               bool reject_key_filter) {
  STREAMSTACK_RETURN_IF_ERROR(
      CheckSelect(source, select, in.projection_expression.has_value(), query));
  ReadShape shape;
  if (in.filter_expression) {
    auto filter = ConditionExpression::Parse(*in.filter_expression, ExpressionKind::kFilter, ctx);
    if (!filter.ok()) return filter.status();
    shape.filter.emplace(std::move(filter).value());
  }
  if (in.projection_expression) {
    auto projection = ProjectionExpression::Parse(*in.projection_expression, ctx);
    if (!projection.ok()) return projection.status();
    shape.projection.emplace(std::move(projection).value());
  }
  STREAMSTACK_RETURN_IF_ERROR(ctx.CheckAllUsed());
  if (reject_key_filter && shape.filter) {
    // AWS: a Query's key attributes belong in the key condition, not the filter.
    std::vector<std::string> keys;
    for (const KeyAttribute& k : source.partition_keys()) keys.push_back(k.name);
    for (const KeyAttribute& k : source.sort_keys()) keys.push_back(k.name);
    std::set<std::string> used = shape.filter->TopLevelAttributes();
    for (const auto& key : keys) {
      if (used.count(key) > 0) {
        return ValidationError(
            "Filter Expression can only contain non-primary key attributes: Primary key "
            "attribute: " +
            key);
      }
    }
  }
  // After the Query's own key-filter rule, which answers a filter on a table key first
  // (dynalite's query tests).
  if (shape.filter) {
    STREAMSTACK_RETURN_IF_ERROR(CheckKeyAttributesScalar(source.table, shape.filter->Paths()));
  }
  if (shape.projection) {
    STREAMSTACK_RETURN_IF_ERROR(CheckKeyAttributesScalar(source.table, shape.projection->paths()));
  }
  shape.select = select.value_or(shape.projection ? Select::kSpecificAttributes
                                 : source.index   ? Select::kAllProjectedAttributes
                                                  : Select::kAllAttributes);
  if (!source.index || source.index->projection_type == ProjectionType::kAll) return shape;
  std::set<std::string> unprojected;
  if (shape.projection) {
    for (const DocumentPath& path : shape.projection->paths()) {
      if (!source.index->Projects(path[0].name)) unprojected.insert(path[0].name);
    }
  }
  if (source.index->global) {
    if (!unprojected.empty()) {
      return InvalidParameters("Global secondary index " + source.index->name +
                               " does not project " + JoinSorted(unprojected));
    }
    return shape;
  }
  if (shape.filter) {
    for (const auto& name : shape.filter->TopLevelAttributes()) {
      if (!source.index->Projects(name)) unprojected.insert(name);
    }
  }
  shape.fetch_table_item = shape.select == Select::kAllAttributes || !unprojected.empty();
  return shape;
}

// --- The page walk --------------------------------------------------------------------------

struct RowView {
  std::string_view pk;
  std::string_view sk;
  std::string_view table_pk;  // index entries only
  std::string_view table_sk;
  std::string_view item;
  int64_t size = 0;
};

// Accumulates one page: counts, filters, projects, and decides when the page is full
// (Limit items read, or 1 MB read) -- the rules AWS applies before the filter.
class PageBuilder {
 public:
  PageBuilder(const ReadSource& source, const ReadShape& shape, std::optional<int64_t> limit,
              bool consistent)
      : source_(source), shape_(shape), limit_(limit), consistent_(consistent) {
    page_.count_only = shape.select == Select::kCount;
  }

  // Takes one row; false when the page is full and the walk must stop.
  Result<bool> Add(storage::Database& db, const RowView& row) {
    page_.scanned_count += 1;
    bytes_ += row.size;
    const bool needs_item = shape_.filter || !page_.count_only;
    last_text_.assign(row.item);
    last_decoded_.reset();
    if (needs_item) {
      auto item = DecodeItemText(row.item);
      if (!item.ok()) return item.status();
      Item subject = std::move(item).value();
      if (shape_.fetch_table_item) {
        auto full = LoadTableItem(db, row);
        if (!full.ok()) return full.status();
        if (*full) {
          // LSI.html: attributes the index does not project are fetched from the table, and
          // each fetch is a read of the whole table item, charged to the table (recorded
          // against AWS in dynalite test/query.js "should return all attributes when
          // specified for secondary indexes": Table 3 units for three 4 KB items).
          table_fetch_units_ += ReadUnits((*full)->size, ReadConsistencyOf(consistent_));
          subject = std::move((*full)->item);
        }
      }
      if (!shape_.filter || shape_.filter->Evaluate(subject)) {
        page_.count += 1;
        if (!page_.count_only) page_.items.push_back(Output(subject));
      }
      last_decoded_ = std::move(subject);
    } else {
      page_.count += 1;
    }
    full_ = (limit_ && page_.scanned_count >= *limit_) || bytes_ >= kMaxPageBytes;
    return !full_;
  }

  // The page; LastEvaluatedKey when it stopped full.
  Result<ReadPage> Finish() {
    if (full_) {
      Item last;
      if (last_decoded_) {
        last = std::move(*last_decoded_);
      } else {
        STREAMSTACK_ASSIGN_OR_RETURN(last, DecodeItemText(last_text_));
      }
      Item key;
      for (const std::string& name : source_.StartKeyAttributes()) {
        auto it = last.find(name);
        if (it != last.end()) key.emplace(name, it->second);
      }
      page_.last_evaluated_key = std::move(key);
    }
    // read-write-operations.html: a Query or Scan page is one read of everything it read
    // before the filter, rounded up to 4 KB once; an index read is charged to the index.
    const double units = ReadUnits(bytes_, ReadConsistencyOf(consistent_));
    if (!source_.index) {
      page_.consumed.table.read = units;
    } else {
      auto& by_name = source_.index->global ? page_.consumed.global_secondary_indexes
                                            : page_.consumed.local_secondary_indexes;
      by_name[source_.index->name].read = units;
      page_.consumed.table.read = table_fetch_units_;
    }
    return std::move(page_);
  }

 private:
  Item Output(const Item& subject) const {
    if (shape_.projection) return shape_.projection->Apply(subject);
    return subject;
  }

  struct FetchedItem {
    Item item;
    int64_t size = 0;
  };
  Result<std::optional<FetchedItem>> LoadTableItem(storage::Database& db,
                                                   const RowView& row) const {
    auto& stmt = db.Prepare(sql::kSelectItem);
    stmt.Bind(1, source_.table.table_id);
    stmt.Bind(2, storage::Blob(row.table_pk));
    stmt.Bind(3, storage::Blob(row.table_sk));
    auto found = stmt.Step();
    if (!found.ok()) return found.status();
    if (!*found) return std::optional<FetchedItem>();
    auto item = DecodeItemText(stmt.ColumnText(0));
    const int64_t size = stmt.ColumnInt64(1);
    stmt.Reset();
    if (!item.ok()) return item.status();
    return std::optional<FetchedItem>(FetchedItem{std::move(item).value(), size});
  }

  const ReadSource& source_;
  const ReadShape& shape_;
  const std::optional<int64_t> limit_;
  const bool consistent_;
  ReadPage page_;
  int64_t bytes_ = 0;
  double table_fetch_units_ = 0;  // LSI reads that fetched table items
  bool full_ = false;
  std::string last_text_;
  std::optional<Item> last_decoded_;
};

RowView TableRow(const storage::Statement& stmt) {
  RowView row;
  row.pk = stmt.ColumnBlob(0).bytes();
  row.sk = stmt.ColumnBlob(1).bytes();
  row.table_pk = row.pk;
  row.table_sk = row.sk;
  row.item = stmt.ColumnText(2);
  row.size = stmt.ColumnInt64(3);
  return row;
}

RowView IndexRow(const storage::Statement& stmt) {
  RowView row;
  row.pk = stmt.ColumnBlob(0).bytes();
  row.sk = stmt.ColumnBlob(1).bytes();
  row.table_pk = stmt.ColumnBlob(2).bytes();
  row.table_sk = stmt.ColumnBlob(3).bytes();
  row.item = stmt.ColumnText(4);
  row.size = stmt.ColumnInt64(5);
  return row;
}

// Steps `stmt` into the builder until the rows end, `past_end` says a row is past the range
// (a parallel scan's segment), or the page is full.
template <typename PastEnd>
Status Walk(storage::Database& db, storage::Statement& stmt, bool index, PageBuilder& builder,
            PastEnd past_end) {
  while (true) {
    auto row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    RowView view = index ? IndexRow(stmt) : TableRow(stmt);
    if (past_end(view)) {
      stmt.Reset();
      return Status::Ok();
    }
    auto more = builder.Add(db, view);
    if (!more.ok()) return more.status();
    if (!*more) {
      stmt.Reset();
      return Status::Ok();
    }
  }
}

Status CheckLimit(const std::optional<int64_t>& limit) {
  if (limit && *limit < 1) {
    return ConstraintError("'" + std::to_string(*limit) + "'", "Limit",
                           "Member must have value greater than or equal to 1");
  }
  return Status::Ok();
}

KeySchemaInfo KeySchemaOf(const ReadSource& source) {
  KeySchemaInfo info;
  for (const KeyAttribute& k : source.partition_keys())
    info.partition_keys.push_back({k.name, k.type});
  for (const KeyAttribute& k : source.sort_keys()) info.sort_keys.push_back({k.name, k.type});
  return info;
}

}  // namespace

Status CheckSegments(const ScanRequest& r) {
  if (r.total_segments) {
    if (*r.total_segments < 1) {
      return ConstraintError("'" + std::to_string(*r.total_segments) + "'", "totalSegments",
                             "Member must have value greater than or equal to 1");
    }
    if (*r.total_segments > kMaxTotalSegments) {
      return ConstraintError("'" + std::to_string(*r.total_segments) + "'", "totalSegments",
                             "Member must have value less than or equal to 1000000");
    }
  }
  if (r.segment) {
    if (*r.segment < 0) {
      return ConstraintError("'" + std::to_string(*r.segment) + "'", "segment",
                             "Member must have value greater than or equal to 0");
    }
    if (*r.segment > kMaxTotalSegments - 1) {
      return ConstraintError("'" + std::to_string(*r.segment) + "'", "segment",
                             "Member must have value less than or equal to 999999");
    }
  }
  if (r.segment && !r.total_segments) {
    return ValidationError(
        "The TotalSegments parameter is required but was not present in the request when "
        "Segment parameter is present");
  }
  if (r.total_segments && !r.segment) {
    return ValidationError(
        "The Segment parameter is required but was not present in the request when parameter "
        "TotalSegments is present");
  }
  if (r.segment && *r.segment >= *r.total_segments) {
    return ValidationError(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: " +
        std::to_string(*r.segment) +
        " is not less than TotalSegments: " + std::to_string(*r.total_segments));
  }
  return Status::Ok();
}

Status CheckKeyAttributesScalar(const TableDefinition& table,
                                const std::vector<DocumentPath>& paths) {
  std::set<std::string, std::less<>> nested;  // attributes some path looks inside
  for (const DocumentPath& path : paths) {
    if (path.size() >= 2 && !path[0].is_index()) nested.insert(path[0].name);
  }
  if (nested.empty()) return Status::Ok();
  const auto not_scalar = [](const char* kind, const std::string& name) {
    return ValidationError(
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
        "allowed: " +
        std::string(kind) + name);
  };
  // Key by key, the table's in schema order, then each index's (dynalite db/index.js
  // validateKeyPaths), whatever order the paths come in.
  for (const std::string& key : table.KeyNames()) {
    if (nested.contains(key)) return not_scalar("Key: ", key);
  }
  for (const IndexKeyAttribute& key : IndexKeyAttributesOf(table)) {
    if (nested.contains(key.name)) return not_scalar("IndexKey: ", std::string(key.name));
  }
  return Status::Ok();
}

bool HasExpression(const ExpressionInput& in) {
  return in.condition_expression || in.update_expression || in.projection_expression ||
         in.key_condition_expression || in.filter_expression;
}

void IgnoreMapsWithoutExpression(ExpressionInput& in) {
  if (HasExpression(in)) return;
  in.names.reset();
  in.values.reset();
}

Result<ExpressionContext> MakeExpressionContext(const ExpressionInput& in) {
  if (!HasExpression(in)) {
    if (in.values) {
      return ValidationError(
          "ExpressionAttributeValues can only be specified when using "
          "expressions");
    }
    if (in.names) {
      return ValidationError(
          "ExpressionAttributeNames can only be specified when using "
          "expressions");
    }
  }
  // Names before values, each map's emptiness before its keys (dynalite's recorded tests).
  if (in.names) {
    STREAMSTACK_RETURN_IF_ERROR(CheckNameKeys(*in.names));
    for (const auto& [key, name] : *in.names) {
      STREAMSTACK_RETURN_IF_ERROR(CheckAttributeNameValue(key, name));
    }
  }
  if (in.values) {
    if (in.values->empty()) return ValidationError("ExpressionAttributeValues must not be empty");
    for (const auto& [key, value] : *in.values) {
      STREAMSTACK_RETURN_IF_ERROR(CheckPlaceholder(key, /*name=*/false));
    }
  }
  return ExpressionContext(in.names.value_or(std::map<std::string, std::string>{}),
                           in.values.value_or(std::map<std::string, AttributeValue>{}));
}

Status CheckExpressionsWithoutTable(const ExpressionInput& in) {
  auto ctx = MakeExpressionContext(in);
  if (!ctx.ok()) return ctx.status();  // empty or invalid names and values come first too
  if (in.key_condition_expression) {
    auto tree = ConditionExpression::Parse(*in.key_condition_expression,
                                           ExpressionKind::kKeyCondition, *ctx);
    if (!tree.ok()) return tree.status();
  }
  if (in.update_expression) {
    auto update = UpdateExpression::Parse(*in.update_expression, *ctx);
    if (!update.ok()) return update.status();
  }
  for (const auto& [text, kind] : {std::pair{&in.condition_expression, ExpressionKind::kCondition},
                                   std::pair{&in.filter_expression, ExpressionKind::kFilter}}) {
    if (!*text) continue;
    auto cond = ConditionExpression::Parse(**text, kind, *ctx);
    if (!cond.ok()) return cond.status();
  }
  if (in.projection_expression) {
    auto projection = ProjectionExpression::Parse(*in.projection_expression, *ctx);
    if (!projection.ok()) return projection.status();
  }
  // One written from KeyConditions has the right shape by construction; an operator no key
  // can use is answered against the key (KeyConditionChecks::from_key_conditions).
  if (in.key_condition_expression && !in.from_key_conditions) {
    // The key condition's own shape (its operators, one attribute per condition and one
    // condition per key) needs no schema; what the schema decides waits for the table.
    auto key_ctx = MakeExpressionContext(in);
    auto parsed = ParseKeyCondition(*in.key_condition_expression, KeySchemaInfo{}, *key_ctx);
    if (!parsed.ok()) {
      const std::string& message = parsed.status().message();
      for (const char* schema_free :
           {"Invalid KeyConditionExpression:", "Invalid condition in KeyConditionExpression:",
            "Invalid operator used in KeyConditionExpression:"}) {
        if (message.rfind(schema_free, 0) == 0) return parsed.status();
      }
    }
  }
  return ctx->CheckAllUsed();
}

Result<ReadPage> RunQuery(storage::Store& store, const TableDefinition& table,
                          const QueryRequest& request) {
  STREAMSTACK_RETURN_IF_ERROR(CheckLimit(request.limit));
  auto source = ResolveSource(table, request.index_name, request.consistent_read);
  if (!source.ok()) return source.status();
  auto ctx = MakeExpressionContext(request.expressions);
  if (!ctx.ok()) return ctx.status();
  if (!request.expressions.key_condition_expression) {
    return ValidationError(
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
        "request.");
  }
  const std::optional<Item>& esk = request.exclusive_start_key;
  KeyConditionChecks start_key_checks;
  start_key_checks.from_key_conditions = request.expressions.from_key_conditions;
  if (esk) {
    start_key_checks.before_partition = [&]() -> Status {
      STREAMSTACK_RETURN_IF_ERROR(CheckStartKeySize(*source, *esk, /*scan=*/false));
      for (const KeyAttribute& k : source->partition_keys()) {
        STREAMSTACK_RETURN_IF_ERROR(CheckStartKeyPart(*esk, k, /*sort_key=*/false));
      }
      return Status::Ok();
    };
    if (!source->sort_keys().empty()) {
      start_key_checks.before_sort = [&]() -> Status {
        for (const KeyAttribute& k : source->sort_keys()) {
          STREAMSTACK_RETURN_IF_ERROR(CheckStartKeyPart(*esk, k, /*sort_key=*/true));
        }
        return Status::Ok();
      };
    }
  }
  auto condition = ParseKeyCondition(*request.expressions.key_condition_expression,
                                     KeySchemaOf(*source), *ctx, start_key_checks);
  if (!condition.ok()) return condition.status();

  std::vector<const AttributeValue*> partition_values;
  for (const AttributeValue& v : condition->partition_values) partition_values.push_back(&v);
  const std::string pk = EncodeIndexPartitionKey(partition_values);
  const std::vector<KeyAttribute> sort_keys = source->sort_keys();
  auto [sort_lower, sort_upper] =
      sort_keys.size() > 1 ? CompositeSortKeyRange(*condition) : SortKeyRange(condition->sort);
  SortPosition lower{sort_lower, "", ""};
  SortPosition upper{sort_upper, "", ""};
  if (esk) {
    STREAMSTACK_RETURN_IF_ERROR(CheckStartKeyTableKey(table, *esk));
    auto start = DecodeStartKey(*source, *esk);
    if (!start.ok()) return start.status();
    // AWS: without a sort key condition the partition decides; with one, the sort key is
    // compared first, and a start key of another partition means the query names one row.
    if (condition->SortAttributeCount() == 0) {
      if (start->pk != pk) {
        return ValidationError(
            "The provided starting key is outside query boundaries based on provided "
            "conditions");
      }
    } else {
      if (!StartKeyMatchesSortCondition(*esk, sort_keys, *condition)) {
        return ValidationError("The provided starting key does not match the range key predicate");
      }
      if (start->pk != pk) {
        return ValidationError("The query can return at most one row and cannot be restarted");
      }
    }
    if (request.scan_index_forward) {
      lower = std::max(lower, PositionAfter(*source, start->position));
    } else {
      upper = std::min(upper, start->position);
    }
  }
  auto shape = PrepareShape(*source, request.select, request.expressions, *ctx, /*query=*/true,
                            /*reject_key_filter=*/!request.allow_key_attributes_in_filter);
  if (!shape.ok()) return shape.status();

  PageBuilder builder(*source, *shape, request.limit, request.consistent_read);
  const bool forward = request.scan_index_forward;
  const int64_t sql_limit = request.limit.value_or(-1);
  Status walked = store.Read([&](storage::Database& db) -> Status {
    auto never = [](const RowView&) { return false; };
    if (!source->index) {
      auto& stmt = db.Prepare(forward ? sql::kQueryItemsForward : sql::kQueryItemsBackward);
      stmt.Bind(1, table.table_id);
      stmt.Bind(2, storage::Blob(pk));
      stmt.Bind(3, storage::Blob(lower.sk));
      stmt.Bind(4, storage::Blob(upper.sk));
      stmt.Bind(5, sql_limit);
      return Walk(db, stmt, false, builder, never);
    }
    auto& stmt = db.Prepare(forward ? sql::kQueryIndexForward : sql::kQueryIndexBackward);
    stmt.Bind(1, source->index->index_id);
    stmt.Bind(2, storage::Blob(pk));
    stmt.Bind(3, storage::Blob(lower.sk));
    stmt.Bind(4, storage::Blob(lower.table_pk));
    stmt.Bind(5, storage::Blob(lower.table_sk));
    stmt.Bind(6, storage::Blob(upper.sk));
    stmt.Bind(7, storage::Blob(upper.table_pk));
    stmt.Bind(8, storage::Blob(upper.table_sk));
    stmt.Bind(9, sql_limit);
    return Walk(db, stmt, true, builder, never);
  });
  if (!walked.ok()) return walked;
  return builder.Finish();
}

Result<ReadPage> RunScan(storage::Store& store, const TableDefinition& table,
                         const ScanRequest& request) {
  STREAMSTACK_RETURN_IF_ERROR(CheckLimit(request.limit));
  STREAMSTACK_RETURN_IF_ERROR(CheckSegments(request));
  auto source = ResolveSource(table, request.index_name, request.consistent_read);
  if (!source.ok()) return source.status();
  auto ctx = MakeExpressionContext(request.expressions);
  if (!ctx.ok()) return ctx.status();
  const bool segmented = request.total_segments && *request.total_segments > 1;
  StartKey start;
  if (request.exclusive_start_key) {
    const Item& esk = *request.exclusive_start_key;
    // AWS: the index's key attributes, then the index's Select, then the table's key.
    STREAMSTACK_RETURN_IF_ERROR(CheckStartKeySize(*source, esk, /*scan=*/true));
    if (source->index) {
      for (const KeyAttribute& k : source->partition_keys()) {
        STREAMSTACK_RETURN_IF_ERROR(CheckStartKeyPart(esk, k, /*sort_key=*/false));
      }
      for (const KeyAttribute& k : source->sort_keys()) {
        STREAMSTACK_RETURN_IF_ERROR(CheckStartKeyPart(esk, k, /*sort_key=*/true));
      }
      STREAMSTACK_RETURN_IF_ERROR(CheckSelect(*source, request.select,
                                              request.expressions.projection_expression.has_value(),
                                              /*query=*/false));
    }
    STREAMSTACK_RETURN_IF_ERROR(CheckStartKeyTableKey(table, esk));
    auto decoded = DecodeStartKey(*source, esk);
    if (!decoded.ok()) return decoded.status();
    start = std::move(decoded).value();
    if (segmented && SegmentOfPartition(start.pk, *request.total_segments) != *request.segment) {
      return ValidationError(
          "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
          "ExclusiveStartKey with correct Segment. TotalSegments: " +
          std::to_string(*request.total_segments) +
          " Segment: " + std::to_string(*request.segment));
    }
  }
  auto shape = PrepareShape(*source, request.select, request.expressions, *ctx, /*query=*/false,
                            /*reject_key_filter=*/false);
  if (!shape.ok()) return shape.status();

  PageBuilder builder(*source, *shape, request.limit, request.consistent_read);
  // A segment is one range of the stored partition keys (they begin with the partition hash):
  // the walk starts at its lower end and stops at its upper one.
  std::optional<std::string> segment_end;
  if (segmented) {
    const SegmentKeyRange range = SegmentKeys(*request.segment, *request.total_segments);
    if (range.empty) return builder.Finish();
    if (start.pk < range.lower) {
      start.pk = range.lower;
      start.position = {};
    }
    segment_end = range.upper;
  }
  auto past_segment = [&](const RowView& row) { return segment_end && row.pk >= *segment_end; };
  const int64_t sql_limit = request.limit.value_or(-1);
  Status walked = store.Read([&](storage::Database& db) -> Status {
    if (!source->index) {
      auto& stmt = db.Prepare(sql::kScanItems);
      stmt.Bind(1, table.table_id);
      stmt.Bind(2, storage::Blob(start.pk));
      stmt.Bind(3, storage::Blob(start.position.sk));
      stmt.Bind(4, sql_limit);
      return Walk(db, stmt, false, builder, past_segment);
    }
    auto& stmt = db.Prepare(sql::kScanIndex);
    stmt.Bind(1, source->index->index_id);
    stmt.Bind(2, storage::Blob(start.pk));
    stmt.Bind(3, storage::Blob(start.position.sk));
    stmt.Bind(4, storage::Blob(start.position.table_pk));
    stmt.Bind(5, storage::Blob(start.position.table_sk));
    stmt.Bind(6, sql_limit);
    return Walk(db, stmt, true, builder, past_segment);
  });
  if (!walked.ok()) return walked;
  return builder.Finish();
}

Result<BatchGetResult> RunBatchGet(storage::Store& store, const TableLookup& find_table,
                                   const BatchGetRequest& request) {
  if (request.tables.empty()) {
    return ValidationError(
        "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1");
  }
  struct Prepared {
    std::shared_ptr<const TableDefinition> table;
    std::vector<EncodedKey> keys;
    std::optional<ProjectionExpression> projection;
    bool consistent = false;
  };
  std::vector<Prepared> prepared;
  size_t total = 0;
  for (const auto& t : request.tables) {
    const std::string member = "RequestItems." + t.table_name + ".member.Keys";
    if (t.keys.empty()) {
      return ValidationError("1 validation error detected: Value at '" + member +
                             "' failed to satisfy constraint: Member must have length greater "
                             "than or equal to 1");
    }
    if (t.keys.size() > kMaxBatchGetKeys) {
      return ValidationError("1 validation error detected: Value at '" + member +
                             "' failed to satisfy constraint: Member must have length less "
                             "than or equal to 100");
    }
    total += t.keys.size();
  }
  if (total > kMaxBatchGetKeys) {
    return ValidationError("Too many items requested for the BatchGetItem call");
  }
  for (const auto& t : request.tables) {
    Prepared p;
    p.table = find_table(t.table_name);
    if (!p.table) {
      // AWS parses every table's expressions, and finds keys given twice, before it looks
      // for any table (dynalite's batchGetItem tests, recorded against DynamoDB).
      for (const auto& other : request.tables) {
        STREAMSTACK_RETURN_IF_ERROR(CheckExpressionsWithoutTable(other.expressions));
      }
      for (const auto& other : request.tables) {
        std::set<std::string> given;
        for (const Item& k : other.keys) {
          if (!given.insert(ItemToJson(k).dump()).second) {
            return ValidationError("Provided list of item keys contains duplicates");
          }
        }
      }
      return NotFound();
    }
    p.consistent = t.consistent_read;
    auto ctx = MakeExpressionContext(t.expressions);
    if (!ctx.ok()) return ctx.status();
    if (t.expressions.projection_expression) {
      auto projection = ProjectionExpression::Parse(*t.expressions.projection_expression, *ctx);
      if (!projection.ok()) return projection.status();
      STREAMSTACK_RETURN_IF_ERROR(CheckKeyAttributesScalar(*p.table, projection->paths()));
      p.projection.emplace(std::move(projection).value());
    }
    STREAMSTACK_RETURN_IF_ERROR(ctx->CheckAllUsed());
    std::set<std::pair<std::string, std::string>> seen;
    for (const Item& k : t.keys) {
      auto key = KeyOfKeyParameter(*p.table, k);
      if (!key.ok()) return key.status();
      if (!seen.emplace(key->pk, key->sk).second) {
        return ValidationError("Provided list of item keys contains duplicates");
      }
      p.keys.push_back(std::move(key).value());
    }
    prepared.push_back(std::move(p));
  }

  BatchGetResult result;
  Status read = store.Read([&](storage::Database& db) -> Status {
    int64_t response_bytes = 0;
    for (const Prepared& p : prepared) {
      const std::string& name = p.table->name;
      auto& items = result.responses[name];
      // read-write-operations.html: BatchGetItem reads each item as its own GetItem (each
      // rounded up to 4 KB, a missing one charged too), summed per table.
      ConsumedCapacity consumed;
      consumed.table_name = name;
      const ReadConsistency consistency = ReadConsistencyOf(p.consistent);
      for (const EncodedKey& key : p.keys) {
        // AWS: past 16 MB of response the remaining keys come back as UnprocessedKeys.
        if (response_bytes >= kMaxBatchGetResponseBytes) {
          result.unprocessed_keys[name].push_back(key.key);
          continue;
        }
        auto& stmt = db.Prepare(sql::kSelectItem);
        stmt.Bind(1, p.table->table_id);
        stmt.Bind(2, storage::Blob(key.pk));
        stmt.Bind(3, storage::Blob(key.sk));
        auto found = stmt.Step();
        if (!found.ok()) return found.status();
        if (!*found) {
          consumed.table.read += ReadUnits(0, consistency);
          continue;
        }
        auto item = DecodeItemText(stmt.ColumnText(0));
        int64_t size = stmt.ColumnInt64(1);
        stmt.Reset();
        if (!item.ok()) return item.status();
        consumed.table.read += ReadUnits(size, consistency);
        Item out = p.projection ? p.projection->Apply(*item) : std::move(item).value();
        response_bytes += static_cast<int64_t>(ItemSizeBytes(out));
        items.push_back(std::move(out));
      }
      result.consumed.push_back(std::move(consumed));
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return result;
}

}  // namespace streamstack::dynamodb
