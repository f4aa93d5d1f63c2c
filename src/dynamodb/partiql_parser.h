// PartiQL for DynamoDB, the parsing half: the statement text (with its `?` parameters bound)
// into a small tree -- SELECT, INSERT, UPDATE, DELETE -- whose conditions and update actions
// render into DynamoDB's own expression language. Errors are AWS's ValidationException texts
// ("Statement wasn't well formed, can't be processed: ..."). Private to the dynamodb module;
// pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/attribute_value.h"
#include "streamstack/dynamodb/expression.h"

namespace streamstack::dynamodb::partiql {

// A WHERE condition, or an operand of one.
struct Expr {
  enum class Kind {
    kPath,      // path
    kValue,     // value
    kCompare,   // args[0] op args[1]
    kAnd,       // args...
    kOr,        // args...
    kNot,       // args[0]
    kBetween,   // args[0] BETWEEN args[1] AND args[2]
    kIn,        // args[0] IN (args[1..])
    kFunction,  // name(args...): begins_with, contains, attribute_type, size, attribute_exists,
                // attribute_not_exists; list_append, if_not_exists, set_add, set_delete in SET
    kIsMissing,
    kIsNotMissing,
    kIsNull,
    kIsNotNull,
    kIsType,      // args[0] IS <type>; op is the DynamoDB type tested for ("S", "BOOL", ...)
    kArithmetic,  // args[0] op args[1], op "+" or "-" (UPDATE SET only)
  };
  Kind kind = Kind::kValue;
  std::string op;  // comparison/arithmetic operator, or the function name
  DocumentPath path;
  AttributeValue value;
  std::vector<Expr> args;
  // kFunction: where its name and each argument start in the statement ("line:column:length"),
  // for the messages that name a place.
  std::string position;
  std::vector<std::string> arg_positions;
};

// UPDATE's SET and REMOVE clauses, in order.
struct UpdateAction {
  enum class Kind { kSet, kRemove } kind = Kind::kSet;
  DocumentPath path;
  Expr value;  // kSet
};

enum class Returning { kNone, kAllOld, kAllNew, kModifiedOld, kModifiedNew };

struct Statement {
  // kExists: EXISTS(SELECT ...), a condition check in ExecuteTransaction; its fields are the
  // SELECT's.
  enum class Kind { kSelect, kInsert, kUpdate, kDelete, kExists } kind = Kind::kSelect;
  std::string table_name;
  std::optional<std::string> index_name;  // SELECT ... FROM "table"."index"
  std::vector<DocumentPath> projection;   // SELECT a, b.c; empty for *
  // A projection that parsed but names no attribute (a call): refused after the table's checks.
  Status projection_error = Status::Ok();
  std::optional<Expr> where;            // none: a SELECT without one, or a FROM-first UPDATE
  std::optional<std::string> order_by;  // the attribute of ORDER BY
  bool order_descending = false;
  Item insert_item;  // INSERT ... VALUE {...}
  std::vector<UpdateAction> updates;
  Returning returning = Returning::kNone;
};

// Parses one statement, binding `parameters` to its `?` marks in order.
Result<Statement> Parse(std::string_view text, const std::vector<AttributeValue>& parameters);

// Renders conditions and update actions into DynamoDB expressions, collecting the names and
// values they use (#n0, :v0, ...) so the result can go to the ordinary request path.
class ExpressionWriter {
 public:
  std::string Condition(const Expr& expr);
  // "SET #n0 = :v0 REMOVE #n1 ADD ..." for UPDATE's actions.
  Result<std::string> Update(const std::vector<UpdateAction>& actions);
  std::string Path(const DocumentPath& path);
  std::string Value(const AttributeValue& value);

  std::map<std::string, std::string>& names() { return names_; }
  std::map<std::string, AttributeValue>& values() { return values_; }

 private:
  std::string Operand(const Expr& expr);
  std::map<std::string, std::string> names_;
  std::map<std::string, std::string> name_placeholders_;  // attribute name -> #nN
  std::map<std::string, AttributeValue> values_;
};

// The conjuncts of a WHERE (a AND b AND c -> [a, b, c]).
std::vector<const Expr*> Conjuncts(const Expr& where);
// `attribute = value` (either order) with a single-element path: the attribute and value.
std::optional<std::pair<std::string, AttributeValue>> KeyEquality(const Expr& conjunct);
// The single top-level attribute a comparison, BETWEEN or begins_with constrains, if any.
std::optional<std::string> ConstrainedAttribute(const Expr& conjunct);

}  // namespace streamstack::dynamodb::partiql
