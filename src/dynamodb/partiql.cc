#include "streamstack/dynamodb/partiql.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>

#include "dynamodb/item_key.h"
#include "dynamodb/item_write.h"
#include "dynamodb/partiql_parser.h"
#include "streamstack/common/thread_annotations.h"

namespace streamstack::dynamodb {
namespace {

using partiql::Expr;
using partiql::ExpressionWriter;
using partiql::Returning;
using partiql::Statement;

constexpr size_t kMaxBatchStatements = 25;
constexpr size_t kMaxTransactionStatements = 100;
constexpr char kDuplicateItem[] = "Duplicate primary key exists in table";
constexpr char kMandatoryKey[] =
    "Where clause does not contain a mandatory equality on all key attributes";
constexpr char kMultiAttributeKey[] =
    "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or "
    "multi-attribute RANGE keys.";

// Errors of the expressions a statement is translated into: AWS names no expression the user
// never wrote ("Incorrect operand type ...; operator or function: <, ..." comes bare). The
// FilterExpression case is recorded (a DynamoDB conformance suite, captured from DynamoDB); the
// others are assumed to follow it.
Status WithoutExpressionPrefix(Status st) {
  for (std::string_view prefix : {"Invalid FilterExpression: ", "Invalid KeyConditionExpression: ",
                                  "Invalid ConditionExpression: ", "Invalid UpdateExpression: ",
                                  "Invalid ProjectionExpression: "}) {
    if (st.code() == AwsError::kValidation && st.message().starts_with(prefix)) {
      return ValidationError(st.message().substr(prefix.size()));
    }
  }
  return st;
}

// ExecuteTransaction names the statement a validation error is about.
Status InTransactStatement(size_t index, const Status& st) {
  if (st.code() != AwsError::kValidation) return st;
  return ValidationError("Validation failed in TransactStatements[" + std::to_string(index) +
                         "]: " + st.message());
}

std::string ReturningText(Returning r) {
  switch (r) {
    case Returning::kAllOld:
      return "RETURNING ALL OLD *";
    case Returning::kAllNew:
      return "RETURNING ALL NEW *";
    case Returning::kModifiedOld:
      return "RETURNING MODIFIED OLD *";
    case Returning::kModifiedNew:
      return "RETURNING MODIFIED NEW *";
    case Returning::kNone:
      break;
  }
  return "";
}

std::string EncodeNextToken(const Item& last_evaluated_key) {
  return Base64Encode(ItemToJson(last_evaluated_key).dump());
}

Result<Item> DecodeNextToken(const std::string& token) {
  auto raw = Base64Decode(token);
  if (!raw.ok()) return ValidationError("Invalid NextToken");
  auto json = nlohmann::json::parse(*raw, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return ValidationError("Invalid NextToken");
  auto item = ItemFromJson(json);
  if (!item.ok()) return ValidationError("Invalid NextToken");
  return item;
}

Result<std::shared_ptr<const TableDefinition>> FindTable(const TableStore& tables,
                                                         const std::string& name) {
  auto table = tables.FindTable(name);
  if (!table) return NotFound();
  return table;
}

// The WHERE of a statement that names one item: its key, and every other condition.
struct KeyedWhere {
  Item key;
  std::vector<const Expr*> rest;
};

Result<KeyedWhere> SplitKey(const TableDefinition& table, const Expr& where) {
  KeyedWhere out;
  const std::vector<std::string> key_names = table.KeyNames();
  for (const Expr* conjunct : partiql::Conjuncts(where)) {
    auto equality = partiql::KeyEquality(*conjunct);
    if (equality && out.key.count(equality->first) == 0 &&
        std::find(key_names.begin(), key_names.end(), equality->first) != key_names.end()) {
      out.key.emplace(equality->first, equality->second);
      continue;
    }
    out.rest.push_back(conjunct);
  }
  if (out.key.size() != key_names.size()) return ValidationError(kMandatoryKey);
  return out;
}

// The conditions left after the key, as one ConditionExpression (empty when none).
std::string RestCondition(ExpressionWriter& writer, const std::vector<const Expr*>& rest) {
  std::string out;
  for (const Expr* e : rest)
    out += (out.empty() ? "" : " AND ") + ("(" + writer.Condition(*e) + ")");
  return out;
}

void FillExpressions(ExpressionWriter& writer, ExpressionInput& in) {
  if (!writer.names().empty()) in.names = writer.names();
  if (!writer.values().empty()) in.values = writer.values();
}

ReturnValues ReturnValuesOf(Returning r) {
  switch (r) {
    case Returning::kNone:
      return ReturnValues::kNone;
    case Returning::kAllOld:
      return ReturnValues::kAllOld;
    case Returning::kAllNew:
      return ReturnValues::kAllNew;
    case Returning::kModifiedOld:
      return ReturnValues::kUpdatedOld;
    case Returning::kModifiedNew:
      return ReturnValues::kUpdatedNew;
  }
  return ReturnValues::kNone;
}

// A write statement as the TableStore request it becomes.
struct WritePlan {
  Statement::Kind kind = Statement::Kind::kInsert;
  std::string table_name;
  Item item;  // INSERT: the item; UPDATE / DELETE: the key
  ExpressionInput expressions;
  ReturnValues return_values = ReturnValues::kNone;
};

Result<WritePlan> PlanWrite(const TableStore& tables, const Statement& s) {
  auto table = FindTable(tables, s.table_name);
  if (!table.ok()) return table.status();
  WritePlan plan;
  plan.kind = s.kind;
  plan.table_name = s.table_name;
  ExpressionWriter writer;
  const DocumentPath hash = {{(*table)->hash_key.name, -1}};
  if (s.kind == Statement::Kind::kInsert) {
    plan.item = s.insert_item;
    // AWS: INSERT never overwrites (DuplicateItemException).
    plan.expressions.condition_expression = "attribute_not_exists(" + writer.Path(hash) + ")";
    FillExpressions(writer, plan.expressions);
    return plan;
  }
  if (!s.where) return ValidationError(kMandatoryKey);  // FROM t SET ... with no WHERE
  auto keyed = SplitKey(**table, *s.where);
  if (!keyed.ok()) return keyed.status();
  plan.item = std::move(keyed->key);
  std::string condition = RestCondition(writer, keyed->rest);
  if (s.kind == Statement::Kind::kUpdate) {
    // AWS: UPDATE changes an existing item only.
    condition = "attribute_exists(" + writer.Path(hash) + ")" +
                (condition.empty() ? "" : " AND " + condition);
    STREAMSTACK_ASSIGN_OR_RETURN(plan.expressions.update_expression, writer.Update(s.updates));
  } else if (s.returning != Returning::kNone && s.returning != Returning::kAllOld) {
    return ValidationError("Invalid returning clause: " + ReturningText(s.returning) +
                           ". Only RETURNING ALL OLD * is allowed in DELETE statements.");
  } else if (!condition.empty()) {
    // AWS: a DELETE of an item that is not there is a silent no-op, whatever else its WHERE
    // says; the rest of the WHERE is a condition on an item that is there.
    // (AND binds before OR; DynamoDB refuses redundant parentheses.)
    condition = "attribute_not_exists(" + writer.Path(hash) + ") OR " + condition;
  }
  if (!condition.empty()) plan.expressions.condition_expression = condition;
  plan.return_values = ReturnValuesOf(s.returning);
  FillExpressions(writer, plan.expressions);
  return plan;
}

// PartiQL answers DuplicateItemException where the INSERT's condition failed.
Status ForInsert(Status st) {
  if (st.code() == AwsError::kConditionalCheckFailed) {
    return Status(AwsError::kDuplicateItem, kDuplicateItem);
  }
  return st;
}

void RunWrite(TableStore& tables, WritePlan plan, bool return_old_on_failure,
              std::function<void(Result<PartiqlResult>)> done) {
  auto finish = [table = plan.table_name, kind = plan.kind,
                 done = std::move(done)](Result<WriteOutcome> outcome) {
    if (!outcome.ok()) {
      Status st = WithoutExpressionPrefix(outcome.status());
      return done(kind == Statement::Kind::kInsert ? ForInsert(std::move(st)) : st);
    }
    PartiqlResult result;
    result.table_name = table;
    if (outcome->attributes) result.items.push_back(*outcome->attributes);
    result.consumed = std::move(outcome->consumed);
    done(std::move(result));
  };
  switch (plan.kind) {
    case Statement::Kind::kInsert: {
      PutItemRequest r{plan.table_name, std::move(plan.item), std::move(plan.expressions),
                       ReturnValues::kNone, return_old_on_failure};
      return tables.PutItem(std::move(r), std::move(finish));
    }
    case Statement::Kind::kUpdate: {
      UpdateItemRequest r{plan.table_name, std::move(plan.item), std::move(plan.expressions),
                          plan.return_values, return_old_on_failure};
      return tables.UpdateItem(std::move(r), std::move(finish));
    }
    default: {
      DeleteItemRequest r{plan.table_name, std::move(plan.item), std::move(plan.expressions),
                          plan.return_values, return_old_on_failure};
      return tables.DeleteItem(std::move(r), std::move(finish));
    }
  }
}

// The key attributes a SELECT reads by: the index's or the table's (several of each on a GSI
// with a multi-attribute key, in KeySchema order).
struct SelectSource {
  std::vector<std::string> partition;
  std::vector<std::string> sort;  // empty without a sort key
  bool global_index = false;
  const SecondaryIndex* index = nullptr;
  bool multi_attribute_key() const { return partition.size() > 1 || sort.size() > 1; }
};

Result<SelectSource> SourceOf(const TableDefinition& table,
                              const std::optional<std::string>& index) {
  SelectSource source;
  if (!index) {
    source.partition.push_back(table.hash_key.name);
    if (table.range_key) source.sort.push_back(table.range_key->name);
    return source;
  }
  for (const auto* list : {&table.global_secondary_indexes, &table.local_secondary_indexes}) {
    for (const SecondaryIndex& i : *list) {
      if (i.name != *index) continue;
      for (const KeySchemaElement& k : i.key_schema) {
        (k.key_type == "RANGE" ? source.sort : source.partition).push_back(k.name);
      }
      source.global_index = list == &table.global_secondary_indexes;
      source.index = &i;
      return source;
    }
  }
  // ExecuteStatement's wording leaves the index name out.
  return ValidationError("The table does not have the specified index");
}

// The WHERE conjuncts a Query's key condition takes: an equality on each partition key
// attribute (none unless every one has one), then the sort key attributes left to right while
// each is constrained exactly once -- equalities, and after them at most one other condition,
// as a key condition allows. Everything else stays in the filter.
std::vector<const Expr*> KeyConjuncts(const SelectSource& source,
                                      const std::vector<const Expr*>& conjuncts) {
  std::vector<const Expr*> out;
  for (const std::string& attribute : source.partition) {
    auto eq = std::find_if(conjuncts.begin(), conjuncts.end(), [&](const Expr* c) {
      auto key = partiql::KeyEquality(*c);
      return key && key->first == attribute;
    });
    if (eq == conjuncts.end()) return {};
    out.push_back(*eq);
  }
  for (const std::string& attribute : source.sort) {
    const Expr* only = nullptr;
    int mentions = 0;
    for (const Expr* c : conjuncts) {
      if (partiql::ConstrainedAttribute(*c) == attribute) {
        ++mentions;
        only = c;
      }
    }
    if (mentions != 1) break;
    out.push_back(only);
    if (!partiql::KeyEquality(*only)) break;
  }
  return out;
}

// A SELECT of attributes a GSI does not project: AWS lists them as the statement names them,
// in brackets (a Query's ProjectionExpression gets them sorted, without).
Status CheckGlobalIndexProjects(const TableDefinition& table, const SelectSource& source,
                                const std::vector<DocumentPath>& projection) {
  const nlohmann::json& p = source.index->projection;
  const std::string type = p.value("ProjectionType", "ALL");
  if (type == "ALL") return Status::Ok();
  std::vector<std::string> projected = table.KeyNames();
  for (const KeySchemaElement& k : source.index->key_schema) projected.push_back(k.name);
  if (type == "INCLUDE" && p.contains("NonKeyAttributes") && p["NonKeyAttributes"].is_array()) {
    for (const auto& a : p["NonKeyAttributes"]) {
      if (a.is_string()) projected.push_back(a.get<std::string>());
    }
  }
  std::vector<std::string> missing;
  for (const DocumentPath& path : projection) {
    const std::string& name = path[0].name;
    if (std::find(projected.begin(), projected.end(), name) != projected.end()) continue;
    if (std::find(missing.begin(), missing.end(), name) != missing.end()) continue;
    missing.push_back(name);
  }
  if (missing.empty()) return Status::Ok();
  std::string listing;
  for (const std::string& m : missing) listing += (listing.empty() ? "" : ", ") + m;
  return ValidationError("One or more parameter values were invalid: Global secondary index " +
                         source.index->name + " does not project [" + listing + "]");
}

// A SELECT names each projected path's value by the path's last attribute name
// (`SELECT m.nested` answers {"nested": ...}, a DynamoDB conformance suite, captured from
// DynamoDB). A path that ends in a list index keeps the shape the projection gave it (AWS's
// answer for it is not recorded).
Item ProjectedAsNamed(const Item& projected, const std::vector<DocumentPath>& projection) {
  bool nested = false;
  for (const DocumentPath& path : projection) nested = nested || path.size() > 1;
  if (!nested) return projected;
  Item out;
  for (const DocumentPath& path : projection) {
    if (path.back().is_index()) {
      auto it = projected.find(path[0].name);
      if (it != projected.end()) out[path[0].name] = it->second;
      continue;
    }
    if (const AttributeValue* value = ResolvePath(projected, path)) out[path.back().name] = *value;
  }
  return out;
}

// The top-level attributes a condition mentions.
void MentionedAttributes(const Expr& e, std::vector<std::string>* out) {
  if (e.kind == Expr::Kind::kPath && !e.path.empty() && !e.path[0].is_index()) {
    out->push_back(e.path[0].name);
  }
  for (const Expr& arg : e.args) MentionedAttributes(arg, out);
}

// OR branches of one partition whose sort key ranges overlap, where a branch also filters on
// other attributes: AWS refuses `pk = 'a' AND x = '1' OR pk = 'a' AND sk = '2'` ("Overlapping
// conditions with range keys are not supported in where clause", a DynamoDB conformance suite,
// captured from DynamoDB) but runs OR branches that constrain only key attributes, negated sort
// key conditions included. Recorded is a branch without a sort key condition beside one with
// one; that is the case refused here (other overlaps are not recorded, and run).
Status CheckOverlappingBranches(const SelectSource& source, const Expr& where) {
  if (where.kind != Expr::Kind::kOr || source.partition.size() != 1 || source.sort.size() != 1) {
    return Status::Ok();
  }
  struct Branch {
    AttributeValue partition;
    bool mentions_sort = false;
    bool filters_other = false;
  };
  std::vector<Branch> branches;
  for (const Expr& arm : where.args) {
    Branch branch;
    bool keyed = false;
    for (const Expr* c : partiql::Conjuncts(arm)) {
      auto eq = partiql::KeyEquality(*c);
      if (eq && eq->first == source.partition[0] && !keyed) {
        branch.partition = eq->second;
        keyed = true;
        continue;
      }
      std::vector<std::string> names;
      MentionedAttributes(*c, &names);
      for (const std::string& name : names) {
        if (name == source.sort[0]) {
          branch.mentions_sort = true;
        } else if (name != source.partition[0]) {
          branch.filters_other = true;
        }
      }
    }
    if (!keyed) return Status::Ok();  // a Scan: no key ranges to overlap
    branches.push_back(std::move(branch));
  }
  for (const Branch& whole : branches) {
    if (whole.mentions_sort || !whole.filters_other) continue;
    for (const Branch& ranged : branches) {
      if (ranged.mentions_sort && ranged.partition == whole.partition) {
        return ValidationError(
            "Overlapping conditions with range keys are not supported in where clause");
      }
    }
  }
  return Status::Ok();
}

Result<PartiqlResult> RunSelect(const TableStore& tables, const Statement& s,
                                const PartiqlStatement& request) {
  auto table = FindTable(tables, s.table_name);
  if (!table.ok()) return table.status();
  auto source = SourceOf(**table, s.index_name);
  if (!source.ok()) return source.status();
  // AWS refuses these indexes ahead of every check of the statement against the table.
  if (source->multi_attribute_key()) return ValidationError(kMultiAttributeKey);
  if (!s.projection_error.ok()) return s.projection_error;
  if (source->global_index) {
    STREAMSTACK_RETURN_IF_ERROR(CheckGlobalIndexProjects(**table, *source, s.projection));
  }
  if (request.consistent_read && source->global_index) {
    return ValidationError("Strongly consistent read is not supported on Global Secondary Indexes");
  }
  if (s.where) STREAMSTACK_RETURN_IF_ERROR(CheckOverlappingBranches(*source, *s.where));
  std::optional<Item> start;
  if (request.next_token) {
    STREAMSTACK_ASSIGN_OR_RETURN(start, DecodeNextToken(*request.next_token));
  }

  ExpressionWriter writer;
  // With an equality on every partition key attribute, a Query of that partition (plus the
  // sort key conditions a key condition may carry); otherwise a Scan with the whole WHERE as
  // its filter.
  std::optional<std::string> key_condition;
  std::string filter;
  if (s.where) {
    std::vector<const Expr*> conjuncts = partiql::Conjuncts(*s.where);
    std::vector<const Expr*> key_conjuncts = KeyConjuncts(*source, conjuncts);
    std::vector<const Expr*> rest;
    if (!key_conjuncts.empty()) {
      std::string kc;
      for (const Expr* c : key_conjuncts) kc += (kc.empty() ? "" : " AND ") + writer.Condition(*c);
      key_condition = kc;
      for (const Expr* c : conjuncts) {
        if (std::find(key_conjuncts.begin(), key_conjuncts.end(), c) == key_conjuncts.end()) {
          rest.push_back(c);
        }
      }
    } else {
      rest = conjuncts;
    }
    filter = RestCondition(writer, rest);
  }
  if (s.order_by) {
    if (!s.where) {
      return ValidationError("Must have WHERE clause in the statement when using ORDER BY clause.");
    }
    if (!key_condition || source->sort.empty() || *s.order_by != source->sort.front()) {
      return ValidationError(
          "Must have WHERE clause with equality on the partition key, and ORDER BY on the sort "
          "key of the table or index");
    }
  }
  std::optional<std::string> projection;
  if (!s.projection.empty()) {
    std::string p;
    for (const DocumentPath& path : s.projection) p += (p.empty() ? "" : ", ") + writer.Path(path);
    projection = p;
  }

  Result<ReadPage> page = Status(AwsError::kInternalFailure, "unset");
  if (key_condition) {
    QueryRequest q;
    q.table_name = s.table_name;
    q.index_name = s.index_name;
    q.expressions.key_condition_expression = key_condition;
    if (!filter.empty()) q.expressions.filter_expression = filter;
    q.expressions.projection_expression = projection;
    FillExpressions(writer, q.expressions);
    q.scan_index_forward = !s.order_descending;
    q.limit = request.limit;
    q.exclusive_start_key = start;
    q.consistent_read = request.consistent_read;
    q.allow_key_attributes_in_filter = true;  // a WHERE may constrain the sort key twice
    page = tables.Query(q);
  } else {
    ScanRequest r;
    r.table_name = s.table_name;
    r.index_name = s.index_name;
    if (!filter.empty()) r.expressions.filter_expression = filter;
    r.expressions.projection_expression = projection;
    FillExpressions(writer, r.expressions);
    r.limit = request.limit;
    r.exclusive_start_key = start;
    r.consistent_read = request.consistent_read;
    page = tables.Scan(r);
  }
  if (!page.ok()) return WithoutExpressionPrefix(page.status());
  PartiqlResult result;
  result.table_name = s.table_name;
  result.items = std::move(page->items);
  for (Item& item : result.items) item = ProjectedAsNamed(item, s.projection);
  result.consumed = std::move(page->consumed);
  result.consumed.table_name = s.table_name;
  if (page->last_evaluated_key) {
    result.last_evaluated_key = page->last_evaluated_key;
    result.next_token = EncodeNextToken(*page->last_evaluated_key);
  }
  return result;
}

// A SELECT that names one item by its full key (BatchExecuteStatement, ExecuteTransaction).
struct KeyedRead {
  std::string table_name;
  Item key;
  ExpressionInput expressions;
};

// `operation`: BatchExecuteStatement or ExecuteTransaction, which AWS names when the WHERE is not
// exactly the key.
Result<KeyedRead> PlanKeyedRead(const TableStore& tables, const Statement& s,
                                std::string_view operation) {
  auto table = FindTable(tables, s.table_name);
  if (!table.ok()) return table.status();
  const Status needs_key = ValidationError("Select statements within " + std::string(operation) +
                                           " must specify the primary key in the where clause.");
  if (s.index_name) {
    auto source = SourceOf(**table, s.index_name);
    if (source.ok() && source->multi_attribute_key()) return ValidationError(kMultiAttributeKey);
    return needs_key;
  }
  if (!s.projection_error.ok()) return s.projection_error;
  if (!s.where) return needs_key;
  auto keyed = SplitKey(**table, *s.where);
  if (!keyed.ok() || !keyed->rest.empty()) return needs_key;
  KeyedRead read{s.table_name, std::move(keyed->key), {}};
  if (!s.projection.empty()) {
    ExpressionWriter writer;
    std::string p;
    for (const DocumentPath& path : s.projection) p += (p.empty() ? "" : ", ") + writer.Path(path);
    read.expressions.projection_expression = p;
    FillExpressions(writer, read.expressions);
  }
  return read;
}

bool IsRead(const Statement& s) { return s.kind == Statement::Kind::kSelect; }

// EXISTS(SELECT ...) outside ExecuteTransaction. AWS's text is not recorded; this is assumed.
constexpr char kExistsOutsideTransaction[] = "EXISTS() is only supported within ExecuteTransaction";

// EXISTS(SELECT ... WHERE <key> AND <condition>) in ExecuteTransaction: a ConditionCheck of the
// item with the rest of the WHERE as its condition.
Result<TransactWriteRequest::Action> PlanConditionCheck(const TableStore& tables,
                                                        const Statement& s) {
  auto table = FindTable(tables, s.table_name);
  if (!table.ok()) return table.status();
  const Status single_item_read =
      ValidationError("EXISTS() must contain a single item read with additional condition");
  if (s.index_name || !s.where || !s.projection.empty()) return single_item_read;
  auto keyed = SplitKey(**table, *s.where);
  if (!keyed.ok() || keyed->rest.empty()) return single_item_read;
  ExpressionWriter writer;
  TransactWriteRequest::Action action;
  action.kind = TransactWriteRequest::Action::Kind::kConditionCheck;
  action.table_name = s.table_name;
  action.item = std::move(keyed->key);
  action.expressions.condition_expression = RestCondition(writer, keyed->rest);
  FillExpressions(writer, action.expressions);
  return action;
}

}  // namespace

void PartiqlExecutor::ExecuteStatement(PartiqlStatement statement, StatementDone done) {
  if (!statement.parameter_error.ok()) return done(statement.parameter_error);
  auto parsed = partiql::Parse(statement.statement, statement.parameters);
  if (!parsed.ok()) return done(parsed.status());
  if (parsed->kind == Statement::Kind::kExists) {
    return done(ValidationError(kExistsOutsideTransaction));
  }
  if (IsRead(*parsed)) return done(RunSelect(tables_, *parsed, statement));
  auto plan = PlanWrite(tables_, *parsed);
  if (!plan.ok()) return done(plan.status());
  RunWrite(tables_, std::move(plan).value(), statement.return_old_on_condition_failure,
           std::move(done));
}

void PartiqlExecutor::BatchExecuteStatement(std::vector<PartiqlStatement> statements,
                                            BatchDone done) {
  if (statements.empty()) {
    return done(
        ValidationError("1 validation error detected: Value '[]' at 'statements' failed "
                        "to satisfy constraint: Member must have length greater than or "
                        "equal to 1"));
  }
  if (statements.size() > kMaxBatchStatements) {
    return done(
        ValidationError("1 validation error detected: Value at 'statements' failed to "
                        "satisfy constraint: Member must have length less than or equal "
                        "to 25"));
  }
  std::vector<Result<Statement>> parsed;
  int reads = 0;
  for (const auto& s : statements) {
    // A parameter AWS cannot read fails its own statement, not the batch.
    if (!s.parameter_error.ok()) {
      parsed.push_back(s.parameter_error);
      continue;
    }
    parsed.push_back(partiql::Parse(s.statement, s.parameters));
    if (parsed.back().ok() && parsed.back()->kind == Statement::Kind::kExists) {
      parsed.back() = ValidationError(kExistsOutsideTransaction);
    }
    if (parsed.back().ok() && IsRead(*parsed.back())) ++reads;
  }
  int valid = 0;
  for (const auto& p : parsed) valid += p.ok() ? 1 : 0;
  if (reads != 0 && reads != valid) {
    return done(ValidationError("Batch must contain either only read or only write statements"));
  }
  // Each statement answers on its own; the last one to finish answers the batch.
  struct Shared {
    Shared(size_t n, BatchDone d) : responses(n), remaining(n), done(std::move(d)) {}
    Mutex mu;
    std::vector<PartiqlBatchResponse> responses GUARDED_BY(mu);
    std::atomic<size_t> remaining;
    BatchDone done;
  };
  auto shared = std::make_shared<Shared>(statements.size(), std::move(done));
  auto finish_one = [shared](size_t i, PartiqlBatchResponse response) {
    {
      MutexLock lock(shared->mu);
      shared->responses[i] = std::move(response);
    }
    if (--shared->remaining != 0) return;
    std::vector<PartiqlBatchResponse> responses;
    {
      MutexLock lock(shared->mu);  // uncontended: every other statement has answered
      responses = std::move(shared->responses);
    }
    shared->done(std::move(responses));
  };
  for (size_t i = 0; i < statements.size(); ++i) {
    if (!parsed[i].ok()) {
      finish_one(i, {"", std::nullopt, parsed[i].status(), {}});
      continue;
    }
    const Statement& s = *parsed[i];
    if (IsRead(s)) {
      auto read = PlanKeyedRead(tables_, s, "BatchExecuteStatement");
      if (!read.ok()) {
        finish_one(i, {s.table_name, std::nullopt, read.status(), {}});
        continue;
      }
      GetItemRequest get{read->table_name, read->key, read->expressions,
                         statements[i].consistent_read};
      ConsumedCapacity consumed;
      auto item = tables_.GetItem(get, &consumed);
      if (!item.ok()) {
        finish_one(i, {s.table_name, std::nullopt, item.status(), {}});
      } else {
        finish_one(i, {s.table_name, *item, Status::Ok(), std::move(consumed)});
      }
      continue;
    }
    auto plan = PlanWrite(tables_, s);
    if (!plan.ok()) {
      finish_one(i, {s.table_name, std::nullopt, plan.status(), {}});
      continue;
    }
    RunWrite(tables_, std::move(plan).value(), statements[i].return_old_on_condition_failure,
             [finish_one, i, table = s.table_name](Result<PartiqlResult> r) {
               if (!r.ok()) return finish_one(i, {table, std::nullopt, r.status(), {}});
               // A RETURNING clause's image is the statement's Item.
               std::optional<Item> item;
               if (!r->items.empty()) item = std::move(r->items.front());
               finish_one(i, {table, std::move(item), Status::Ok(), std::move(r->consumed)});
             });
  }
}

void PartiqlExecutor::ExecuteTransaction(std::vector<PartiqlStatement> statements,
                                         TransactionDone done,
                                         std::optional<std::string> client_request_token,
                                         std::string fingerprint) {
  if (statements.empty()) {
    return done(
        ValidationError("1 validation error detected: Value '[]' at 'transactStatements' "
                        "failed to satisfy constraint: Member must have length greater "
                        "than or equal to 1"));
  }
  if (statements.size() > kMaxTransactionStatements) {
    return done(
        ValidationError("1 validation error detected: Value at 'transactStatements' "
                        "failed to satisfy constraint: Member must have length less than "
                        "or equal to 100"));
  }
  std::vector<Statement> parsed;
  for (size_t i = 0; i < statements.size(); ++i) {
    const PartiqlStatement& s = statements[i];
    if (!s.parameter_error.ok()) return done(s.parameter_error);
    auto p = partiql::Parse(s.statement, s.parameters);
    if (!p.ok()) return done(InTransactStatement(i, p.status()));
    if (p->returning != Returning::kNone) {
      return done(InTransactStatement(
          i, ValidationError("RETURNING clause is not supported in ExecuteTransaction.")));
    }
    parsed.push_back(std::move(p).value());
  }
  const bool reads = IsRead(parsed[0]);
  for (const Statement& s : parsed) {
    if (IsRead(s) != reads) {
      return done(
          ValidationError("Transaction must contain either only read or only write statements"));
    }
  }
  if (reads) {
    TransactGetRequest request;
    for (size_t i = 0; i < parsed.size(); ++i) {
      auto read = PlanKeyedRead(tables_, parsed[i], "ExecuteTransaction");
      if (!read.ok()) return done(InTransactStatement(i, read.status()));
      request.gets.push_back(
          {read->table_name, std::move(read->key), std::move(read->expressions)});
    }
    PartiqlTransactionResult result;
    result.reads = true;
    auto items = tables_.TransactGetItems(request, &result.consumed);
    if (!items.ok()) return done(items.status());
    result.items = std::move(items).value();
    return done(std::move(result));
  }
  TransactWriteRequest request;
  request.client_request_token = std::move(client_request_token);
  request.fingerprint = std::move(fingerprint);
  std::vector<bool> inserts;
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (parsed[i].kind == Statement::Kind::kExists) {
      auto check = PlanConditionCheck(tables_, parsed[i]);
      if (!check.ok()) return done(InTransactStatement(i, check.status()));
      check->return_old_on_condition_failure = statements[i].return_old_on_condition_failure;
      request.actions.push_back(std::move(check).value());
      inserts.push_back(false);
      continue;
    }
    auto plan = PlanWrite(tables_, parsed[i]);
    if (!plan.ok()) return done(plan.status());
    using Kind = TransactWriteRequest::Action::Kind;
    TransactWriteRequest::Action action;
    action.kind = plan->kind == Statement::Kind::kInsert   ? Kind::kPut
                  : plan->kind == Statement::Kind::kUpdate ? Kind::kUpdate
                                                           : Kind::kDelete;
    action.table_name = plan->table_name;
    action.item = std::move(plan->item);
    action.expressions = std::move(plan->expressions);
    action.return_old_on_condition_failure = statements[i].return_old_on_condition_failure;
    request.actions.push_back(std::move(action));
    inserts.push_back(plan->kind == Statement::Kind::kInsert);
  }
  tables_.TransactWriteItems(
      std::move(request), [inserts, done = std::move(done)](Result<MultiWriteOutcome> outcome) {
        if (outcome.ok()) {
          PartiqlTransactionResult result;
          result.consumed = std::move(outcome->consumed);
          return done(std::move(result));
        }
        const Status& st = outcome.status();
        if (st.code() != AwsError::kTransactionCanceled) return done(st);
        // An INSERT whose item exists is a DuplicateItem reason, not a failed condition.
        nlohmann::json reasons = st.details().at("CancellationReasons");
        for (size_t i = 0; i < reasons.size(); ++i) {
          if (i < inserts.size() && inserts[i] &&
              reasons[i].value("Code", "") == "ConditionalCheckFailed") {
            reasons[i] = {{"Code", "DuplicateItem"}, {"Message", kDuplicateItem}};
          }
        }
        done(TransactionCanceled(std::move(reasons)));
      });
}

}  // namespace streamstack::dynamodb
