#include "streamstack/dynamodb/expression.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

#include "dynamodb/expression_tokenizer.h"
#include "streamstack/common/text.h"

namespace streamstack::dynamodb {

// ---------------------------------------------------------------------------------------------
// Trees (private).

struct Operand {
  enum class Kind { kPath, kValue, kSize, kIfNotExists, kListAppend, kPlus, kMinus };
  Kind kind = Kind::kValue;
  DocumentPath path;           // kPath
  AttributeValue value;        // kValue
  std::vector<Operand> args;   // functions and arithmetic
  bool parenthesized = false;  // written as "(operand)" in a condition
};

enum class ConditionOp { kAnd, kOr, kNot, kCompare, kBetween, kIn, kFunction };
enum class Comparator { kEqual, kNotEqual, kLess, kLessOrEqual, kGreater, kGreaterOrEqual };
enum class ConditionFunction {
  kAttributeExists,
  kAttributeNotExists,
  kAttributeType,
  kBeginsWith,
  kContains
};

struct ConditionNode {
  ConditionOp op = ConditionOp::kAnd;
  Comparator comparator = Comparator::kEqual;
  ConditionFunction function = ConditionFunction::kAttributeExists;
  std::string function_name;
  std::vector<std::unique_ptr<ConditionNode>> children;
  std::vector<Operand> operands;
  bool parenthesized = false;
};

struct UpdateAction {
  enum class Kind { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  DocumentPath path;
  Operand value;  // SET: the value expression; ADD/DELETE: the value
};

namespace {

constexpr char kInvalidParameters[] = "One or more parameter values were invalid: ";

// The type an operand has whatever the item holds (dynalite's parsers' getType, which follow
// DynamoDB's static checks): a value's own, N from size, '+' and '-', L from list_append,
// if_not_exists's fallback; nullopt when it is a path's value.
std::optional<AttributeType> StaticTypeOf(const Operand& operand) {
  switch (operand.kind) {
    case Operand::Kind::kValue:
      return operand.value.type();
    case Operand::Kind::kSize:
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus:
      return AttributeType::kN;
    case Operand::Kind::kListAppend:
      return AttributeType::kL;
    case Operand::Kind::kIfNotExists:
      return operand.args.size() == 2 ? StaticTypeOf(operand.args[1]) : std::nullopt;
    case Operand::Kind::kPath:
      return std::nullopt;
  }
  return std::nullopt;
}
constexpr char kIncorrectDataType[] =
    "An operand in the update expression has an incorrect data type";
constexpr char kInvalidDocumentPath[] =
    "The document path provided in the update expression is invalid for update";
constexpr char kMissingAttribute[] =
    "The provided expression refers to an attribute that does not exist in the item";

const char* ComparatorText(Comparator c) {
  switch (c) {
    case Comparator::kEqual:
      return "=";
    case Comparator::kNotEqual:
      return "<>";
    case Comparator::kLess:
      return "<";
    case Comparator::kLessOrEqual:
      return "<=";
    case Comparator::kGreater:
      return ">";
    case Comparator::kGreaterOrEqual:
      return ">=";
  }
  return "?";
}

// Type names used by the ADD/DELETE operand errors.
const char* LongTypeName(AttributeType t) {
  switch (t) {
    case AttributeType::kS:
      return "STRING";
    case AttributeType::kN:
      return "NUMBER";
    case AttributeType::kB:
      return "BINARY";
    case AttributeType::kSS:
      return "STRING_SET";
    case AttributeType::kNS:
      return "NUMBER_SET";
    case AttributeType::kBS:
      return "BINARY_SET";
    case AttributeType::kM:
      return "MAP";
    case AttributeType::kL:
      return "LIST";
    case AttributeType::kNull:
      return "NULL";
    case AttributeType::kBool:
      return "BOOLEAN";
  }
  return "?";
}

bool IsScalarKeyType(AttributeType t) {
  return t == AttributeType::kS || t == AttributeType::kN || t == AttributeType::kB;
}

// "{N:5}" as AWS prints an operand in BETWEEN errors.
std::string BriefValue(const AttributeValue& v) {
  std::string body;
  switch (v.type()) {
    case AttributeType::kS:
      body = v.s();
      break;
    case AttributeType::kN:
      body = v.n().ToString();
      break;
    case AttributeType::kB:
      body = Base64Encode(v.b());
      break;
    default:
      body = v.ToJson().dump();
      break;
  }
  return std::string("{") + AttributeTypeName(v.type()) + ":" + body + "}";
}

std::optional<AttributeValue> SizeOf(const AttributeValue& v) {
  size_t size = 0;
  switch (v.type()) {
    case AttributeType::kS:
      // A string's length in UTF-16 code units, as AWS's Java counts it: "日本語" is 3, not
      // its 9 UTF-8 bytes (a DynamoDB conformance suite's tier1 query/expressions capture).
      size = Utf16Length(v.s());
      break;
    case AttributeType::kB:
      size = v.b().size();
      break;
    case AttributeType::kSS:
    case AttributeType::kNS:
    case AttributeType::kBS:
      size = v.SetSize();
      break;
    case AttributeType::kM:
      size = v.m().size();
      break;
    case AttributeType::kL:
      size = v.l().size();
      break;
    default:
      return std::nullopt;
  }
  return AttributeValue::Num(Number::FromInt(static_cast<int64_t>(size)));
}

// ---------------------------------------------------------------------------------------------
// Parser shared by every expression kind.

class Parser {
 public:
  Parser(std::string_view text, ExpressionKind kind, ExpressionContext& context)
      : text_(text), kind_(kind), context_(context), tokens_(Tokenize(text)) {}

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Advance() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool AtEnd() const { return Peek().kind == TokenKind::kEnd; }
  bool PeekKeyword(std::string_view keyword) const {
    return Peek().kind == TokenKind::kWord && KeywordEquals(Peek().text, keyword);
  }

  Status Invalid(const std::string& message) const {
    return ValidationError(std::string("Invalid ") + ExpressionKindName(kind_) + ": " + message);
  }

  // AWS: Syntax error; token: "<token>", near: "<previous token .. next token>".
  Status SyntaxError() const {
    // The window runs from the previous token to the next one; at the end of input it runs to
    // the end of the text, trailing blanks included ("SET a = " -> near: "= ").
    const size_t index = pos_;
    const size_t last = tokens_.size() - 1;  // the kEnd token
    size_t begin = index > 0 ? tokens_[index - 1].begin : tokens_[index].begin;
    size_t end = index + 1 < last ? tokens_[index + 1].end : tokens_[index].end;
    return Invalid("Syntax error; token: \"" + tokens_[index].text + "\", near: \"" +
                   std::string(text_.substr(begin, end - begin)) + "\"");
  }

  // The kinds of semantic fault, which AWS ranks (see Rank).
  enum class Fault {
    kRedundantParentheses,
    kUnknownFunction,
    kMisusedFunction,
    kReservedWord,
    kUndefinedName,
    kUndefinedValue,
    kSection,
    kPaths,  // two paths overlap or conflict (updates and projections)
    kUpdateOperandType,
    kOperandCount,
    kDistinct,
    kOther
  };

  // Records a semantic error and lets parsing go on: AWS parses the whole expression first, so
  // a syntax error anywhere is reported ahead of a semantic one, and of the semantic ones it
  // reports the first of the highest rank.
  bool Check(Status status, Fault fault = Fault::kOther) {
    if (status.ok()) return true;
    const int rank = Rank(fault);
    if (predicate_ != nullptr && rank >= kPredicateRank) {
      // Held for the predicate being parsed, which reports it when it ends (Predicate).
      if (predicate_->fault.ok() || rank < predicate_->rank) {
        predicate_->fault = std::move(status);
        predicate_->rank = rank;
      }
      return false;
    }
    Defer(std::move(status), rank);
    return false;
  }

  void Defer(Status status, int rank) {
    if (deferred_.ok() || rank < deferred_rank_) {
      deferred_ = std::move(status);
      deferred_rank_ = rank;
    }
  }

  // In a condition the faults of one comparison or function (undefined names and values,
  // operand counts, distinct operands, operand types) are ranked among themselves, and the
  // first predicate with any reports its best, whatever later predicates hold
  // (conditionParser.pegjs, checkConditionErrors): an RAII scope around each predicate.
  struct PendingFault {
    Status fault;
    int rank = 0;
  };
  class Predicate {
   public:
    explicit Predicate(Parser& parser) : parser_(parser), outer_(parser.predicate_) {
      parser_.predicate_ = &pending_;
    }
    ~Predicate() {
      parser_.predicate_ = outer_;
      // Every predicate's fault has the same rank among the others: the first one wins.
      if (!pending_.fault.ok()) parser_.Defer(std::move(pending_.fault), kPredicateRank);
    }
    Predicate(const Predicate&) = delete;
    Predicate& operator=(const Predicate&) = delete;

   private:
    Parser& parser_;
    PendingFault* outer_;
    PendingFault pending_;
  };

  // AWS's precedence among an expression's faults, by kind before position: dynalite's
  // parsers, recorded against DynamoDB (db/conditionParser.pegjs, updateParser.pegjs and
  // projectionParser.pegjs, checkErrors). Lower is reported first.
  int Rank(Fault fault) const {
    if (kind_ == ExpressionKind::kUpdate) {
      switch (fault) {
        case Fault::kReservedWord:
          return 0;
        case Fault::kUnknownFunction:
        case Fault::kMisusedFunction:
          return 1;
        case Fault::kSection:
          return 2;
        case Fault::kUndefinedName:
          return 3;
        case Fault::kUndefinedValue:
          return 4;
        case Fault::kPaths:
          return 5;
        case Fault::kUpdateOperandType:
          return 6;
        default:
          return 7;
      }
    }
    if (kind_ == ExpressionKind::kProjection) {
      switch (fault) {
        case Fault::kReservedWord:
          return 0;
        case Fault::kUndefinedName:
          return 1;
        case Fault::kPaths:
          return 2;
        default:
          return 3;
      }
    }
    switch (fault) {  // conditions, filters and key conditions
      case Fault::kRedundantParentheses:
        return 0;
      case Fault::kUnknownFunction:
        return 1;
      case Fault::kMisusedFunction:
        return 2;
      case Fault::kReservedWord:
        return 3;
      case Fault::kUndefinedName:
      case Fault::kUndefinedValue:
        return kPredicateRank;
      case Fault::kOperandCount:
        return kPredicateRank + 1;
      case Fault::kDistinct:
        return kPredicateRank + 2;
      default:
        return kPredicateRank + 3;
    }
  }
  static constexpr int kPredicateRank = 4;  // conditions: the faults a Predicate holds

  // Where the parser is, to try one reading of the text and go back for another.
  struct Mark {
    size_t pos;
    Status deferred;
    int deferred_rank;
  };
  Mark Save() const { return {pos_, deferred_, deferred_rank_}; }
  void Restore(Mark mark) {
    pos_ = mark.pos;
    deferred_ = std::move(mark.deferred);
    deferred_rank_ = mark.deferred_rank;
  }
  const Status& deferred() const { return deferred_; }

  Status Expect(TokenKind kind) {
    if (Peek().kind != kind) return SyntaxError();
    Advance();
    return Status::Ok();
  }

  // The words of the expression's own grammar, which can never be a name: a syntax error
  // there, not a reserved word (dynalite's parsers, ReservedWord; "a > between").
  bool IsGrammarKeyword(std::string_view word) const {
    static constexpr std::string_view kUpdateKeywords[] = {"SET", "REMOVE", "ADD", "DELETE"};
    static constexpr std::string_view kConditionKeywords[] = {"BETWEEN", "IN", "AND", "OR", "NOT"};
    const auto is = [&](std::string_view k) { return KeywordEquals(word, k); };
    switch (kind_) {
      case ExpressionKind::kProjection:
        return false;
      case ExpressionKind::kUpdate:
        return std::any_of(std::begin(kUpdateKeywords), std::end(kUpdateKeywords), is);
      default:
        return std::any_of(std::begin(kConditionKeywords), std::end(kConditionKeywords), is);
    }
  }

  Result<std::string> ParseNameElement() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kWord) {
      if (IsGrammarKeyword(t.text)) return SyntaxError();
      if (IsReservedWord(t.text)) {
        Check(Invalid("Attribute name is a reserved keyword; reserved keyword: " + t.text),
              Fault::kReservedWord);
      }
      return Advance().text;
    }
    if (t.kind == TokenKind::kNameRef) {
      auto name = context_.UseName(t.text, kind_);
      Check(name.status(), Fault::kUndefinedName);
      std::string placeholder = Advance().text;
      return name.ok() ? std::move(name).value() : placeholder;
    }
    return SyntaxError();
  }

  Result<DocumentPath> ParsePath() {
    DocumentPath path;
    auto first = ParseNameElement();
    if (!first.ok()) return first.status();
    path.push_back({std::move(first).value(), -1});
    STREAMSTACK_RETURN_IF_ERROR(ParsePathTail(path));
    return path;
  }

  // The ".name" and "[n]" elements after a path's first.
  Status ParsePathTail(DocumentPath& path) {
    while (true) {
      if (Peek().kind == TokenKind::kDot) {
        Advance();
        auto name = ParseNameElement();
        if (!name.ok()) return name.status();
        path.push_back({std::move(name).value(), -1});
      } else if (Peek().kind == TokenKind::kLeftBracket) {
        Advance();
        if (Peek().kind != TokenKind::kNumber || Peek().text.size() > 9) return SyntaxError();
        int64_t index = std::stoll(Advance().text);
        STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kRightBracket));
        path.push_back({"", index});
      } else {
        return Status::Ok();
      }
    }
  }

  Status CheckOperandCount(const std::string& function, const std::vector<Operand>& args,
                           size_t expected) const {
    if (args.size() == expected) return Status::Ok();
    return Invalid(
        "Incorrect number of operands for operator or function; operator or "
        "function: " +
        function + ", number of operands: " + std::to_string(args.size()));
  }

  Status RequirePath(const std::string& function, const Operand& operand) const {
    if (operand.kind == Operand::Kind::kPath) return Status::Ok();
    return Invalid("Operator or function requires a document path; operator or function: " +
                   function);
  }

  Status IncorrectOperandType(const std::string& function, const AttributeValue& v) const {
    return IncorrectOperandType(function, AttributeTypeName(v.type()));
  }
  Status IncorrectOperandType(const std::string& function, const std::string& type) const {
    return Invalid("Incorrect operand type for operator or function; operator or function: " +
                   function + ", operand type: " + type);
  }

  Status CheckDistinct(const std::string& op, const std::vector<Operand>& operands) const {
    if (operands.empty() || operands[0].kind != Operand::Kind::kPath) return Status::Ok();
    for (size_t i = 1; i < operands.size(); ++i) {
      if (operands[i].kind == Operand::Kind::kPath && operands[i].path == operands[0].path) {
        return Invalid(
            "The first operand must be distinct from the remaining operands for this "
            "operator or function; operator: " +
            op + ", first operand: " + FormatPath(operands[0].path));
      }
    }
    return Status::Ok();
  }

  Result<std::vector<Operand>> ParseArguments(bool update) {
    std::vector<Operand> args;
    STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
    if (Peek().kind == TokenKind::kRightParen) {
      Advance();
      return args;
    }
    while (true) {
      auto arg = ParseOperand(update);
      if (!arg.ok()) return arg.status();
      args.push_back(std::move(arg).value());
      if (Peek().kind == TokenKind::kComma) {
        Advance();
        continue;
      }
      STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      return args;
    }
  }

  static bool IsConditionFunction(std::string_view name) {
    return name == "attribute_exists" || name == "attribute_not_exists" ||
           name == "attribute_type" || name == "begins_with" || name == "contains";
  }

  // A SET action's value: term [(+|-) term], where a term is an operand or a parenthesized
  // value. AWS's grammar shows no parentheses there, but AWS accepts them
  // (`SET b.c = ((c[1]) + (b.a))`, issue 14).
  Result<Operand> ParseSetValue() {
    auto lhs = ParseSetTerm();
    if (!lhs.ok()) return lhs.status();
    if (Peek().kind != TokenKind::kPlus && Peek().kind != TokenKind::kMinus) return lhs;
    bool plus = Advance().kind == TokenKind::kPlus;
    auto rhs = ParseSetTerm();
    if (!rhs.ok()) return rhs.status();
    Operand arithmetic;
    arithmetic.kind = plus ? Operand::Kind::kPlus : Operand::Kind::kMinus;
    arithmetic.args.push_back(std::move(lhs).value());
    arithmetic.args.push_back(std::move(rhs).value());
    for (const Operand& arg : arithmetic.args) {
      if (arg.kind == Operand::Kind::kValue && arg.value.type() != AttributeType::kN) {
        Check(IncorrectOperandType(plus ? "+" : "-", arg.value), Fault::kUpdateOperandType);
        break;
      }
    }
    return arithmetic;
  }

  Result<Operand> ParseSetTerm() {
    if (Peek().kind != TokenKind::kLeftParen) return ParseOperand(/*update=*/true);
    Advance();
    auto inner = ParseSetValue();
    if (!inner.ok()) return inner.status();
    STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    return inner;
  }

  // "((x))", around an operand or a condition alike.
  void NoteRedundantParentheses() {
    Check(Invalid("The expression has redundant parentheses;"), Fault::kRedundantParentheses);
  }

  // In a condition, "(operand)": AWS accepts an operand in parentheses, and a path in them
  // followed by more of it ("(a.b).c"); "((operand))" is redundant.
  Result<Operand> ParseParenthesizedOperand() {
    STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
    auto inner = ParseOperand(/*update=*/false);
    if (!inner.ok()) return inner.status();
    STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
    Operand op = std::move(inner).value();
    if (op.parenthesized) NoteRedundantParentheses();
    op.parenthesized = true;
    if (op.kind == Operand::Kind::kPath &&
        (Peek().kind == TokenKind::kDot || Peek().kind == TokenKind::kLeftBracket)) {
      STREAMSTACK_RETURN_IF_ERROR(ParsePathTail(op.path));
      op.parenthesized = false;
    }
    return op;
  }

  // path | :value | size(path) (conditions) | if_not_exists(..) / list_append(..) (updates).
  Result<Operand> ParseOperand(bool update) {
    const Token& t = Peek();
    if (!update && t.kind == TokenKind::kLeftParen) return ParseParenthesizedOperand();
    if (t.kind == TokenKind::kValueRef) {
      auto value = context_.UseValue(t.text, kind_);
      Check(value.status(), Fault::kUndefinedValue);
      Advance();
      Operand op;
      op.kind = Operand::Kind::kValue;
      if (value.ok()) op.value = std::move(value).value();
      return op;
    }
    if (t.kind == TokenKind::kWord && Peek(1).kind == TokenKind::kLeftParen) {
      std::string name = t.text;
      bool allowed = update ? (name == "if_not_exists" || name == "list_append") : name == "size";
      bool known = name == "if_not_exists" || name == "list_append" || name == "size" ||
                   IsConditionFunction(name);
      if (!known) {
        Check(Invalid("Invalid function name; function: " + name), Fault::kUnknownFunction);
      } else if (!allowed) {
        Check(Invalid("The function is not allowed to be used this way in an expression; "
                      "function: " +
                      name),
              Fault::kMisusedFunction);
      }
      Advance();
      auto args = ParseArguments(update);
      if (!args.ok()) return args.status();
      Operand op;
      op.args = std::move(args).value();
      if (!known || !allowed) return op;  // an error is already recorded
      if (name == "size") {
        // A path, or a value with a size: a string, binary, set, list or map (size(:v) is
        // legal; size(size(a)) is a number's size). dynalite's conditionParser, recorded.
        op.kind = Operand::Kind::kSize;
        if (Check(CheckOperandCount(name, op.args, 1), Fault::kOperandCount)) {
          const auto type = StaticTypeOf(op.args[0]);
          if (type == AttributeType::kN || type == AttributeType::kBool ||
              type == AttributeType::kNull) {
            Check(IncorrectOperandType(name, AttributeTypeName(*type)));
          }
        }
      } else if (name == "if_not_exists") {
        op.kind = Operand::Kind::kIfNotExists;
        if (Check(CheckOperandCount(name, op.args, 2), Fault::kOperandCount)) {
          Check(RequirePath(name, op.args[0]));
        }
      } else {
        op.kind = Operand::Kind::kListAppend;
        if (Check(CheckOperandCount(name, op.args, 2), Fault::kOperandCount)) {
          for (const Operand& arg : op.args) {
            if (arg.kind == Operand::Kind::kValue && arg.value.type() != AttributeType::kL) {
              Check(IncorrectOperandType(name, arg.value));
              break;
            }
          }
        }
      }
      return op;
    }
    if (t.kind == TokenKind::kWord || t.kind == TokenKind::kNameRef) {
      auto path = ParsePath();
      if (!path.ok()) return path.status();
      Operand op;
      op.kind = Operand::Kind::kPath;
      op.path = std::move(path).value();
      return op;
    }
    return SyntaxError();
  }

  // ---- conditions ----

  Result<std::unique_ptr<ConditionNode>> ParseOr() {
    auto left = ParseAnd();
    if (!left.ok()) return left;
    while (PeekKeyword("OR")) {
      Advance();
      auto right = ParseAnd();
      if (!right.ok()) return right;
      auto node = std::make_unique<ConditionNode>();
      node->op = ConditionOp::kOr;
      node->children.push_back(std::move(left).value());
      node->children.push_back(std::move(right).value());
      left = std::move(node);
    }
    return left;
  }

  Result<std::unique_ptr<ConditionNode>> ParseAnd() {
    auto left = ParseNot();
    if (!left.ok()) return left;
    while (PeekKeyword("AND")) {
      Advance();
      auto right = ParseNot();
      if (!right.ok()) return right;
      auto node = std::make_unique<ConditionNode>();
      node->op = ConditionOp::kAnd;
      node->children.push_back(std::move(left).value());
      node->children.push_back(std::move(right).value());
      left = std::move(node);
    }
    return left;
  }

  Result<std::unique_ptr<ConditionNode>> ParseNot() {
    if (PeekKeyword("NOT")) {
      Advance();
      auto inner = ParseNot();
      if (!inner.ok()) return inner;
      auto node = std::make_unique<ConditionNode>();
      node->op = ConditionOp::kNot;
      node->children.push_back(std::move(inner).value());
      return node;
    }
    return ParsePredicate();
  }

  Status CheckOrderable(const std::string& op, const std::vector<Operand>& operands) const {
    for (const Operand& o : operands) {
      if (o.kind == Operand::Kind::kValue && !IsScalarKeyType(o.value.type())) {
        return IncorrectOperandType(op, o.value);
      }
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<ConditionNode>> ParsePredicate() {
    if (Peek().kind == TokenKind::kLeftParen) {
      // A "(" opens an operand ("(a) = :v", "(a)between(b)and(c)") or a condition; AWS's
      // grammar tries the comparison first (dynalite's conditionParser.pegjs).
      Mark mark = Save();
      auto comparison = ParseComparison();
      if (comparison.ok()) return comparison;
      Restore(std::move(mark));
      Advance();
      auto inner = ParseOr();
      if (!inner.ok()) return inner;
      STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
      if (inner.value()->parenthesized) NoteRedundantParentheses();
      inner.value()->parenthesized = true;
      return inner;
    }
    if (Peek().kind == TokenKind::kWord && Peek(1).kind == TokenKind::kLeftParen &&
        !CallIsFollowedByComparison()) {
      return ParseFunctionCondition();
    }
    return ParseComparison();
  }

  // operand (comparator operand | BETWEEN operand AND operand | IN (operand, ...)).
  Result<std::unique_ptr<ConditionNode>> ParseComparison() {
    Predicate predicate(*this);
    auto node = std::make_unique<ConditionNode>();
    auto lhs = ParseOperand(/*update=*/false);
    if (!lhs.ok()) return lhs.status();
    node->operands.push_back(std::move(lhs).value());
    TokenKind k = Peek().kind;
    if (k == TokenKind::kEqual || k == TokenKind::kNotEqual || k == TokenKind::kLess ||
        k == TokenKind::kLessOrEqual || k == TokenKind::kGreater ||
        k == TokenKind::kGreaterOrEqual) {
      Advance();
      node->op = ConditionOp::kCompare;
      switch (k) {
        case TokenKind::kEqual:
          node->comparator = Comparator::kEqual;
          break;
        case TokenKind::kNotEqual:
          node->comparator = Comparator::kNotEqual;
          break;
        case TokenKind::kLess:
          node->comparator = Comparator::kLess;
          break;
        case TokenKind::kLessOrEqual:
          node->comparator = Comparator::kLessOrEqual;
          break;
        case TokenKind::kGreater:
          node->comparator = Comparator::kGreater;
          break;
        default:
          node->comparator = Comparator::kGreaterOrEqual;
          break;
      }
      auto rhs = ParseOperand(false);
      if (!rhs.ok()) return rhs.status();
      node->operands.push_back(std::move(rhs).value());
      std::string op = ComparatorText(node->comparator);
      bool orderable = node->comparator == Comparator::kEqual ||
                       node->comparator == Comparator::kNotEqual ||
                       Check(CheckOrderable(op, node->operands));
      if (orderable) Check(CheckDistinct(op, node->operands), Fault::kDistinct);
      return node;
    }
    if (PeekKeyword("BETWEEN")) {
      Advance();
      node->op = ConditionOp::kBetween;
      auto low = ParseOperand(false);
      if (!low.ok()) return low.status();
      node->operands.push_back(std::move(low).value());
      if (!PeekKeyword("AND")) return SyntaxError();
      Advance();
      auto high = ParseOperand(false);
      if (!high.ok()) return high.status();
      node->operands.push_back(std::move(high).value());
      if (!Check(CheckOrderable("BETWEEN", node->operands)) ||
          !Check(CheckDistinct("BETWEEN", node->operands), Fault::kDistinct)) {
        return node;
      }
      const Operand& lo = node->operands[1];
      const Operand& hi = node->operands[2];
      const auto bounds = [&] {
        return "; lower bound operand: AttributeValue: " + BriefValue(lo.value) +
               ", upper bound operand: AttributeValue: " + BriefValue(hi.value);
      };
      if (lo.kind == Operand::Kind::kValue && hi.kind == Operand::Kind::kValue &&
          lo.value.type() != hi.value.type()) {
        // dynalite's query and deleteItem tests, recorded against DynamoDB.
        Check(Invalid("The BETWEEN operator requires same data type for lower and upper bounds" +
                      bounds()));
        return node;
      }
      if (lo.kind == Operand::Kind::kValue && hi.kind == Operand::Kind::kValue &&
          CompareKeyValues(lo.value, hi.value) > 0) {
        Check(Invalid(
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound" +
            bounds()));
      }
      return node;
    }
    if (PeekKeyword("IN")) {
      Advance();
      node->op = ConditionOp::kIn;
      STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kLeftParen));
      while (true) {
        auto candidate = ParseOperand(false);
        if (!candidate.ok()) return candidate.status();
        node->operands.push_back(std::move(candidate).value());
        if (Peek().kind == TokenKind::kComma) {
          Advance();
          continue;
        }
        STREAMSTACK_RETURN_IF_ERROR(Expect(TokenKind::kRightParen));
        break;
      }
      if (node->operands.size() - 1 > 100) {
        Check(Invalid("The IN operator is provided with too many operands; number of operands: " +
                      std::to_string(node->operands.size() - 1)));
        return node;
      }
      Check(CheckDistinct("IN", node->operands), Fault::kDistinct);
      return node;
    }
    return SyntaxError();
  }

  // For "f(...)" at the start of a predicate: whether a comparison follows the call, making it
  // an operand ("size(a) > :v") rather than a condition ("begins_with(a, :v)").
  bool CallIsFollowedByComparison() const {
    int depth = 0;
    for (size_t i = pos_ + 1; i < tokens_.size(); ++i) {
      TokenKind k = tokens_[i].kind;
      if (k == TokenKind::kLeftParen) ++depth;
      if (k == TokenKind::kRightParen && --depth == 0) {
        const Token& next = tokens_[std::min(i + 1, tokens_.size() - 1)];
        switch (next.kind) {
          case TokenKind::kEqual:
          case TokenKind::kNotEqual:
          case TokenKind::kLess:
          case TokenKind::kLessOrEqual:
          case TokenKind::kGreater:
          case TokenKind::kGreaterOrEqual:
            return true;
          default:
            return next.kind == TokenKind::kWord &&
                   (KeywordEquals(next.text, "BETWEEN") || KeywordEquals(next.text, "IN"));
        }
      }
    }
    return false;
  }

  Result<std::unique_ptr<ConditionNode>> ParseFunctionCondition() {
    Predicate predicate(*this);
    auto node = std::make_unique<ConditionNode>();
    node->op = ConditionOp::kFunction;
    node->function_name = Advance().text;
    const std::string& name = node->function_name;
    if (!IsConditionFunction(name)) {
      bool known = name == "size" || name == "if_not_exists" || name == "list_append";
      Check(Invalid(known ? "The function is not allowed to be used this way in an expression; "
                            "function: " +
                                name
                          : "Invalid function name; function: " + name),
            known ? Fault::kMisusedFunction : Fault::kUnknownFunction);
    }
    STREAMSTACK_ASSIGN_OR_RETURN(node->operands, ParseArguments(false));
    const auto& ops = node->operands;
    if (!IsConditionFunction(name)) return node;
    if (name == "attribute_exists" || name == "attribute_not_exists") {
      node->function = name == "attribute_exists" ? ConditionFunction::kAttributeExists
                                                  : ConditionFunction::kAttributeNotExists;
      if (Check(CheckOperandCount(name, ops, 1), Fault::kOperandCount)) {
        Check(RequirePath(name, ops[0]));
      }
    } else if (name == "attribute_type") {
      node->function = ConditionFunction::kAttributeType;
      if (!Check(CheckOperandCount(name, ops, 2), Fault::kOperandCount)) return node;
      // Two equal paths outrank the type checks below (dynalite's conditionParser, recorded:
      // "attribute_type(ab.bc[1].#a, ab.bc[1].a)").
      Check(CheckDistinct(name, ops), Fault::kDistinct);
      if (!Check(RequirePath(name, ops[0]))) return node;
      // The type name must be a string value: a path's type is unknown until evaluation,
      // which AWS names as the set of all types (dynalite's conditionParser, recorded).
      static const char* kTypes[] = {"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"};
      const auto type = StaticTypeOf(ops[1]);
      if (type != AttributeType::kS) {
        Check(IncorrectOperandType(
            name, type ? AttributeTypeName(*type) : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"));
      } else if (ops[1].kind == Operand::Kind::kValue &&
                 std::none_of(std::begin(kTypes), std::end(kTypes),
                              [&](const char* t) { return ops[1].value.s() == t; })) {
        Check(Invalid("Invalid attribute type name found; type: " + ops[1].value.s() +
                      ", valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }"));
      }
    } else if (name == "begins_with") {
      node->function = ConditionFunction::kBeginsWith;
      if (!Check(CheckOperandCount(name, ops, 2), Fault::kOperandCount)) return node;
      for (const Operand& o : ops) {
        const auto type = StaticTypeOf(o);
        if (type && type != AttributeType::kS && type != AttributeType::kB) {
          Check(IncorrectOperandType(name, AttributeTypeName(*type)));
          return node;
        }
      }
      Check(CheckDistinct(name, ops), Fault::kDistinct);
    } else {
      node->function = ConditionFunction::kContains;
      if (Check(CheckOperandCount(name, ops, 2), Fault::kOperandCount)) {
        Check(CheckDistinct(name, ops), Fault::kDistinct);
      }
    }
    return node;
  }

  ExpressionKind kind() const { return kind_; }
  ExpressionContext& context() { return context_; }

 private:
  std::string_view text_;
  ExpressionKind kind_;
  ExpressionContext& context_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  Status deferred_;  // the semantic error to report once the syntax is known good (Check)
  int deferred_rank_ = 0;
  PendingFault* predicate_ = nullptr;  // the predicate being parsed, in a condition
};

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Status EmptyExpression(ExpressionKind kind) {
  return ValidationError(std::string("Invalid ") + ExpressionKindName(kind) +
                         ": The expression can not be empty;");
}

// AWS rejects two paths where one is a prefix of the other ("overlap"), or where they step
// into the same document once as a map and once as a list ("conflict"); an overlap anywhere
// before a conflict (dynalite's getItem.js, recorded against DynamoDB).
Status CheckPathsDisjoint(const std::vector<DocumentPath>& paths, ExpressionKind kind) {
  const std::string prefix = std::string("Invalid ") + ExpressionKindName(kind) + ": ";
  Status conflict;
  for (size_t i = 0; i < paths.size(); ++i) {
    for (size_t j = i + 1; j < paths.size(); ++j) {
      const DocumentPath& a = paths[i];
      const DocumentPath& b = paths[j];
      size_t common = std::min(a.size(), b.size());
      bool diverged = false;
      for (size_t k = 0; k < common && !diverged; ++k) {
        if (a[k] == b[k]) continue;
        diverged = true;
        if (a[k].is_index() != b[k].is_index() && conflict.ok()) {
          conflict = ValidationError(prefix +
                                     "Two document paths conflict with each other; must remove "
                                     "or rewrite one of these paths; path one: " +
                                     FormatPath(a) + ", path two: " + FormatPath(b));
        }
      }
      if (!diverged) {
        return ValidationError(prefix +
                               "Two document paths overlap with each other; must remove or "
                               "rewrite one of these paths; path one: " +
                               FormatPath(a) + ", path two: " + FormatPath(b));
      }
    }
  }
  return conflict;
}

// ---------------------------------------------------------------------------------------------
// Evaluation.

std::optional<AttributeValue> EvaluateOperand(const Operand& op, const Item& item) {
  switch (op.kind) {
    case Operand::Kind::kValue:
      return op.value;
    case Operand::Kind::kPath: {
      const AttributeValue* v = ResolvePath(item, op.path);
      if (!v) return std::nullopt;
      return *v;
    }
    case Operand::Kind::kSize: {
      auto v = EvaluateOperand(op.args[0], item);  // a path's value, or the value itself
      if (!v) return std::nullopt;
      return SizeOf(*v);
    }
    default:
      return std::nullopt;
  }
}

bool Ordered(const std::optional<AttributeValue>& a, const std::optional<AttributeValue>& b) {
  return a && b && a->type() == b->type() && IsScalarKeyType(a->type());
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool EvaluateNode(const ConditionNode& node, const Item& item) {
  switch (node.op) {
    case ConditionOp::kAnd:
      return EvaluateNode(*node.children[0], item) && EvaluateNode(*node.children[1], item);
    case ConditionOp::kOr:
      return EvaluateNode(*node.children[0], item) || EvaluateNode(*node.children[1], item);
    case ConditionOp::kNot:
      return !EvaluateNode(*node.children[0], item);
    case ConditionOp::kCompare: {
      auto a = EvaluateOperand(node.operands[0], item);
      auto b = EvaluateOperand(node.operands[1], item);
      switch (node.comparator) {
        case Comparator::kEqual:
          return a && b && *a == *b;
        case Comparator::kNotEqual:
          return !(a && b && *a == *b);
        default:
          break;
      }
      if (!Ordered(a, b)) return false;
      int c = CompareKeyValues(*a, *b);
      switch (node.comparator) {
        case Comparator::kLess:
          return c < 0;
        case Comparator::kLessOrEqual:
          return c <= 0;
        case Comparator::kGreater:
          return c > 0;
        default:
          return c >= 0;
      }
    }
    case ConditionOp::kBetween: {
      auto x = EvaluateOperand(node.operands[0], item);
      auto lo = EvaluateOperand(node.operands[1], item);
      auto hi = EvaluateOperand(node.operands[2], item);
      if (!Ordered(x, lo) || !Ordered(x, hi)) return false;
      return CompareKeyValues(*lo, *x) <= 0 && CompareKeyValues(*x, *hi) <= 0;
    }
    case ConditionOp::kIn: {
      auto x = EvaluateOperand(node.operands[0], item);
      if (!x) return false;
      for (size_t i = 1; i < node.operands.size(); ++i) {
        auto candidate = EvaluateOperand(node.operands[i], item);
        if (candidate && *candidate == *x) return true;
      }
      return false;
    }
    case ConditionOp::kFunction:
      break;
  }
  switch (node.function) {
    case ConditionFunction::kAttributeExists:
      return ResolvePath(item, node.operands[0].path) != nullptr;
    case ConditionFunction::kAttributeNotExists:
      return ResolvePath(item, node.operands[0].path) == nullptr;
    case ConditionFunction::kAttributeType: {
      auto v = EvaluateOperand(node.operands[0], item);
      auto t = EvaluateOperand(node.operands[1], item);
      return v && t && t->type() == AttributeType::kS && t->s() == AttributeTypeName(v->type());
    }
    case ConditionFunction::kBeginsWith: {
      auto a = EvaluateOperand(node.operands[0], item);
      auto b = EvaluateOperand(node.operands[1], item);
      if (!a || !b || a->type() != b->type()) return false;
      if (a->type() != AttributeType::kS && a->type() != AttributeType::kB) return false;
      return StartsWith(a->s(), b->s());
    }
    case ConditionFunction::kContains: {
      auto a = EvaluateOperand(node.operands[0], item);
      auto b = EvaluateOperand(node.operands[1], item);
      if (!a || !b) return false;
      if ((a->type() == AttributeType::kS && b->type() == AttributeType::kS) ||
          (a->type() == AttributeType::kB && b->type() == AttributeType::kB)) {
        return a->s().find(b->s()) != std::string::npos;
      }
      if (a->IsSet()) return a->SetContains(*b);
      if (a->type() == AttributeType::kL) {
        return std::any_of(a->l().begin(), a->l().end(),
                           [&](const AttributeValue& e) { return e == *b; });
      }
      return false;
    }
  }
  return false;
}

// The value a SET action writes, read from the original item.
Result<AttributeValue> EvaluateUpdateOperand(const Operand& op, const Item& item) {
  switch (op.kind) {
    case Operand::Kind::kValue:
      return op.value;
    case Operand::Kind::kPath: {
      const AttributeValue* v = ResolvePath(item, op.path);
      if (!v) return ValidationError(kMissingAttribute);
      return *v;
    }
    case Operand::Kind::kIfNotExists: {
      const AttributeValue* v = ResolvePath(item, op.args[0].path);
      if (v) return *v;
      return EvaluateUpdateOperand(op.args[1], item);
    }
    case Operand::Kind::kListAppend: {
      auto a = EvaluateUpdateOperand(op.args[0], item);
      if (!a.ok()) return a;
      auto b = EvaluateUpdateOperand(op.args[1], item);
      if (!b.ok()) return b;
      if (a->type() != AttributeType::kL || b->type() != AttributeType::kL) {
        return ValidationError(kIncorrectDataType);
      }
      std::vector<AttributeValue> joined = a->l();
      joined.insert(joined.end(), b->l().begin(), b->l().end());
      return AttributeValue::List(std::move(joined));
    }
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      auto a = EvaluateUpdateOperand(op.args[0], item);
      if (!a.ok()) return a;
      auto b = EvaluateUpdateOperand(op.args[1], item);
      if (!b.ok()) return b;
      if (a->type() != AttributeType::kN || b->type() != AttributeType::kN) {
        return ValidationError(kIncorrectDataType);
      }
      auto n = op.kind == Operand::Kind::kPlus ? a->n().Add(b->n()) : a->n().Subtract(b->n());
      if (!n.ok()) return n.status();
      return AttributeValue::Num(std::move(n).value());
    }
    case Operand::Kind::kSize:
      break;
  }
  return ValidationError(kIncorrectDataType);
}

// Walks to the container that holds the last element of `path`. Returns nullptr with `ok`
// true when a step is missing, nullptr with `ok` false when a step has the wrong type.
AttributeValue* ParentOf(Item& item, const DocumentPath& path, bool& ok) {
  ok = true;
  auto top = item.find(path[0].name);
  if (top == item.end()) return nullptr;
  AttributeValue* current = &top->second;
  for (size_t k = 1; k + 1 < path.size(); ++k) {
    const PathElement& e = path[k];
    if (e.is_index()) {
      if (current->type() != AttributeType::kL) {
        ok = false;
        return nullptr;
      }
      if (static_cast<size_t>(e.index) >= current->l().size()) return nullptr;
      current = &current->mutable_l()[static_cast<size_t>(e.index)];
    } else {
      if (current->type() != AttributeType::kM) {
        ok = false;
        return nullptr;
      }
      auto it = current->mutable_m().find(e.name);
      if (it == current->mutable_m().end()) return nullptr;
      current = &it->second;
    }
  }
  return current;
}

Status WritePath(Item& item, const DocumentPath& path, AttributeValue value) {
  if (path.size() == 1) {
    item[path[0].name] = std::move(value);
    return Status::Ok();
  }
  bool ok = true;
  AttributeValue* parent = ParentOf(item, path, ok);
  if (!parent) return ValidationError(kInvalidDocumentPath);
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (parent->type() != AttributeType::kL) return ValidationError(kInvalidDocumentPath);
    auto& list = parent->mutable_l();
    // AWS: an index past the end appends.
    if (static_cast<size_t>(last.index) < list.size()) {
      list[static_cast<size_t>(last.index)] = std::move(value);
    } else {
      list.push_back(std::move(value));
    }
  } else {
    if (parent->type() != AttributeType::kM) return ValidationError(kInvalidDocumentPath);
    parent->mutable_m()[last.name] = std::move(value);
  }
  return Status::Ok();
}

Status RemovePath(Item& item, const DocumentPath& path) {
  if (path.size() == 1) {
    item.erase(path[0].name);
    return Status::Ok();
  }
  bool ok = true;
  AttributeValue* parent = ParentOf(item, path, ok);
  if (!parent) return ok ? Status::Ok() : ValidationError(kInvalidDocumentPath);
  const PathElement& last = path.back();
  if (last.is_index()) {
    if (parent->type() != AttributeType::kL) return ValidationError(kInvalidDocumentPath);
    auto& list = parent->mutable_l();
    if (static_cast<size_t>(last.index) < list.size()) list.erase(list.begin() + last.index);
  } else {
    if (parent->type() != AttributeType::kM) return ValidationError(kInvalidDocumentPath);
    parent->mutable_m().erase(last.name);
  }
  return Status::Ok();
}

// Descending path order, so that removing a[3] happens before a[1].
bool PathGreater(const DocumentPath& a, const DocumentPath& b) {
  for (size_t k = 0; k < std::min(a.size(), b.size()); ++k) {
    if (a[k] == b[k]) continue;
    if (a[k].is_index() && b[k].is_index()) return a[k].index > b[k].index;
    if (!a[k].is_index() && !b[k].is_index()) return a[k].name > b[k].name;
    return a[k].is_index();
  }
  return a.size() > b.size();
}

Result<std::optional<AttributeValue>> AddToValue(const AttributeValue* existing,
                                                 const AttributeValue& operand) {
  if (!existing) return std::optional<AttributeValue>(operand);
  if (existing->type() != operand.type()) return ValidationError(kIncorrectDataType);
  switch (operand.type()) {
    case AttributeType::kN: {
      auto sum = existing->n().Add(operand.n());
      if (!sum.ok()) return sum.status();
      return std::optional<AttributeValue>(AttributeValue::Num(std::move(sum).value()));
    }
    case AttributeType::kNS: {
      std::vector<Number> values = existing->ns();
      for (const Number& n : operand.ns()) {
        if (std::find(values.begin(), values.end(), n) == values.end()) values.push_back(n);
      }
      return std::optional<AttributeValue>(AttributeValue::NumberSet(std::move(values)));
    }
    case AttributeType::kSS:
    case AttributeType::kBS: {
      std::vector<std::string> values = existing->ss();
      for (const std::string& s : operand.ss()) {
        if (std::find(values.begin(), values.end(), s) == values.end()) values.push_back(s);
      }
      return std::optional<AttributeValue>(operand.type() == AttributeType::kSS
                                               ? AttributeValue::StringSet(std::move(values))
                                               : AttributeValue::BinarySet(std::move(values)));
    }
    default:
      return ValidationError(kIncorrectDataType);
  }
}

// nullopt: the set became empty (the attribute is removed).
Result<std::optional<AttributeValue>> DeleteFromValue(const AttributeValue& existing,
                                                      const AttributeValue& operand) {
  if (existing.type() != operand.type()) return ValidationError(kIncorrectDataType);
  if (operand.type() == AttributeType::kNS) {
    std::vector<Number> values;
    for (const Number& n : existing.ns()) {
      if (std::find(operand.ns().begin(), operand.ns().end(), n) == operand.ns().end()) {
        values.push_back(n);
      }
    }
    if (values.empty()) return std::optional<AttributeValue>();
    return std::optional<AttributeValue>(AttributeValue::NumberSet(std::move(values)));
  }
  std::vector<std::string> values;
  for (const std::string& s : existing.ss()) {
    if (std::find(operand.ss().begin(), operand.ss().end(), s) == operand.ss().end()) {
      values.push_back(s);
    }
  }
  if (values.empty()) return std::optional<AttributeValue>();
  return std::optional<AttributeValue>(operand.type() == AttributeType::kSS
                                           ? AttributeValue::StringSet(std::move(values))
                                           : AttributeValue::BinarySet(std::move(values)));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public functions.

const char* ExpressionKindName(ExpressionKind kind) {
  switch (kind) {
    case ExpressionKind::kCondition:
      return "ConditionExpression";
    case ExpressionKind::kFilter:
      return "FilterExpression";
    case ExpressionKind::kKeyCondition:
      return "KeyConditionExpression";
    case ExpressionKind::kUpdate:
      return "UpdateExpression";
    case ExpressionKind::kProjection:
      return "ProjectionExpression";
  }
  return "Expression";
}

// An expression is at most 4 KB (the developer guide's limits). The condition and filter texts
// give the size, the others do not (ExtendDB's tests, captured from DynamoDB).
Status CheckExpressionSize(std::string_view text, ExpressionKind kind) {
  constexpr size_t kMaxExpressionBytes = 4096;
  if (text.size() <= kMaxExpressionBytes) return Status::Ok();
  std::string message = std::string("Invalid ") + ExpressionKindName(kind) +
                        ": Expression size has exceeded the maximum allowed size;";
  if (kind == ExpressionKind::kCondition || kind == ExpressionKind::kFilter) {
    message += " expression size: " + std::to_string(text.size());
  }
  return ValidationError(message);
}

std::string FormatPath(const DocumentPath& path) {
  std::string out = "[";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i) out += ", ";
    out += path[i].is_index() ? "[" + std::to_string(path[i].index) + "]" : path[i].name;
  }
  return out + "]";
}

const AttributeValue* ResolvePath(const Item& item, const DocumentPath& path) {
  if (path.empty() || path[0].is_index()) return nullptr;
  auto top = item.find(path[0].name);
  if (top == item.end()) return nullptr;
  const AttributeValue* current = &top->second;
  for (size_t k = 1; k < path.size(); ++k) {
    const PathElement& e = path[k];
    if (e.is_index()) {
      if (current->type() != AttributeType::kL ||
          static_cast<size_t>(e.index) >= current->l().size()) {
        return nullptr;
      }
      current = &current->l()[static_cast<size_t>(e.index)];
    } else {
      if (current->type() != AttributeType::kM) return nullptr;
      auto it = current->m().find(e.name);
      if (it == current->m().end()) return nullptr;
      current = &it->second;
    }
  }
  return current;
}

namespace {

// Projection tree: leaves copy a whole value; inner nodes rebuild maps and (compacted) lists.
struct ProjectionNode {
  const AttributeValue* leaf = nullptr;
  std::map<std::string, ProjectionNode> fields;
  std::map<int64_t, ProjectionNode> elements;
  bool is_list = false;
};

AttributeValue BuildProjection(const ProjectionNode& node) {
  if (node.leaf) return *node.leaf;
  if (node.is_list) {
    std::vector<AttributeValue> elements;
    for (const auto& [index, child] : node.elements) elements.push_back(BuildProjection(child));
    return AttributeValue::List(std::move(elements));
  }
  Item fields;
  for (const auto& [name, child] : node.fields) fields.emplace(name, BuildProjection(child));
  return AttributeValue::Map(std::move(fields));
}

}  // namespace

Item ProjectPaths(const Item& item, const std::vector<DocumentPath>& paths) {
  std::map<std::string, ProjectionNode> roots;
  for (const DocumentPath& path : paths) {
    if (!ResolvePath(item, path)) continue;
    ProjectionNode* node = &roots[path[0].name];
    const AttributeValue* current = &item.at(path[0].name);
    for (size_t k = 1; k < path.size(); ++k) {
      if (path[k].is_index()) {
        node->is_list = true;
        node = &node->elements[path[k].index];
        current = &current->l()[static_cast<size_t>(path[k].index)];
      } else {
        node = &node->fields[path[k].name];
        current = &current->m().at(path[k].name);
      }
    }
    node->leaf = current;
  }
  Item out;
  for (const auto& [name, node] : roots) out.emplace(name, BuildProjection(node));
  return out;
}

namespace {
bool IsPlaceholder(const std::string& key, char sigil) {
  if (key.size() < 2 || key[0] != sigil) return false;
  return std::all_of(key.begin() + 1, key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}
}  // namespace

Status CheckPlaceholder(const std::string& key, bool name) {
  constexpr size_t kMaxPlaceholderBytes = 255;
  const std::string map = name ? "ExpressionAttributeNames" : "ExpressionAttributeValues";
  // At most 255 bytes, the prefix included, checked before the syntax; only the names' text
  // gives the size (ExtendDB's tests, captured from DynamoDB).
  if (key.size() > kMaxPlaceholderBytes) {
    return ValidationError(
        map +
        " contains invalid key: The expression attribute map contains a key that is too long;" +
        (name ? " size of key: " + std::to_string(key.size()) : ""));
  }
  if (IsPlaceholder(key, name ? '#' : ':')) return Status::Ok();
  return ValidationError(map + " contains invalid key: Syntax error; key: \"" + key + "\"");
}

Status CheckNameKeys(const std::map<std::string, std::string>& names) {
  if (names.empty()) return ValidationError("ExpressionAttributeNames must not be empty");
  for (const auto& [key, name] : names) {
    STREAMSTACK_RETURN_IF_ERROR(CheckPlaceholder(key, /*name=*/true));
  }
  return Status::Ok();
}

Status CheckAttributeNameValue(const std::string& key, const std::string& name) {
  if (!name.empty()) return Status::Ok();
  return ValidationError(
      "ExpressionAttributeNames contains invalid value: Empty attribute name "
      "for key " +
      key);
}

// The older layer names the placeholder (dynalite's tests, recorded against DynamoDB, and the
// answers users quote: "... contains invalid value: <why> for key :v").
Result<AttributeValue> ExpressionAttributeValueFromJson(const std::string& placeholder,
                                                        const nlohmann::json& value,
                                                        ValueWording wording) {
  auto parsed = AttributeValue::FromJson(value, wording);
  if (parsed.ok() || parsed.status().code() != AwsError::kValidation) return parsed;
  if (wording == ValueWording::kCurrent && !IsReaderFault(parsed.status())) return parsed;
  return ValidationError("ExpressionAttributeValues contains invalid value: " +
                         parsed.status().message() + " for key " + placeholder);
}

Result<ExpressionContext> ExpressionContext::FromJson(const nlohmann::json* names,
                                                      const nlohmann::json* values) {
  ExpressionContext context;
  if (names && !names->is_null()) {
    if (!names->is_object()) {
      return Status(AwsError::kSerialization, "Start of structure or map found where not expected");
    }
    if (names->empty()) return ValidationError("ExpressionAttributeNames must not be empty");
    for (auto it = names->begin(); it != names->end(); ++it) {
      STREAMSTACK_RETURN_IF_ERROR(CheckPlaceholder(it.key(), /*name=*/true));
      if (!it.value().is_string()) {
        return Status(AwsError::kSerialization, "Unexpected value type in payload");
      }
      context.names_[it.key()] = it.value().get<std::string>();
    }
    for (const auto& [key, name] : context.names_) {
      STREAMSTACK_RETURN_IF_ERROR(CheckAttributeNameValue(key, name));
    }
  }
  if (values && !values->is_null()) {
    if (!values->is_object()) {
      return Status(AwsError::kSerialization, "Start of structure or map found where not expected");
    }
    if (values->empty()) return ValidationError("ExpressionAttributeValues must not be empty");
    for (auto it = values->begin(); it != values->end(); ++it) {
      STREAMSTACK_RETURN_IF_ERROR(CheckPlaceholder(it.key(), /*name=*/false));
      STREAMSTACK_ASSIGN_OR_RETURN(AttributeValue value,
                                   ExpressionAttributeValueFromJson(it.key(), it.value()));
      context.values_.emplace(it.key(), std::move(value));
    }
  }
  return context;
}

Result<std::string> ExpressionContext::UseName(const std::string& placeholder,
                                               ExpressionKind kind) {
  auto it = names_.find(placeholder);
  if (it == names_.end()) {
    return ValidationError(std::string("Invalid ") + ExpressionKindName(kind) +
                           ": An expression attribute name used in the document path is not "
                           "defined; attribute name: " +
                           placeholder);
  }
  used_names_.insert(placeholder);
  return it->second;
}

Result<AttributeValue> ExpressionContext::UseValue(const std::string& placeholder,
                                                   ExpressionKind kind) {
  auto it = values_.find(placeholder);
  if (it == values_.end()) {
    return ValidationError(std::string("Invalid ") + ExpressionKindName(kind) +
                           ": An expression attribute value used in expression is not defined; "
                           "attribute value: " +
                           placeholder);
  }
  used_values_.insert(placeholder);
  return it->second;
}

Status ExpressionContext::CheckAllUsed() const {
  auto unused = [](const auto& supplied, const std::set<std::string>& used) {
    std::string keys;
    for (const auto& [key, value] : supplied) {
      if (used.count(key)) continue;
      if (!keys.empty()) keys += ", ";
      keys += key;
    }
    return keys;
  };
  std::string names = unused(names_, used_names_);
  if (!names.empty()) {
    return ValidationError(
        "Value provided in ExpressionAttributeNames unused in expressions: "
        "keys: {" +
        names + "}");
  }
  std::string values = unused(values_, used_values_);
  if (!values.empty()) {
    return ValidationError(
        "Value provided in ExpressionAttributeValues unused in expressions: "
        "keys: {" +
        values + "}");
  }
  return Status::Ok();
}

// ---- ConditionExpression ----

ConditionExpression::ConditionExpression(std::unique_ptr<ConditionNode> root)
    : root_(std::move(root)) {}
ConditionExpression::ConditionExpression(ConditionExpression&&) noexcept = default;
ConditionExpression& ConditionExpression::operator=(ConditionExpression&&) noexcept = default;
ConditionExpression::~ConditionExpression() = default;

namespace {
Result<std::unique_ptr<ConditionNode>> ParseConditionTree(std::string_view text,
                                                          ExpressionKind kind,
                                                          ExpressionContext& context) {
  if (IsBlank(text)) return EmptyExpression(kind);
  Parser parser(text, kind, context);
  auto root = parser.ParseOr();
  if (!root.ok()) return root;
  if (!parser.AtEnd()) return parser.SyntaxError();
  if (!parser.deferred().ok()) return parser.deferred();
  return root;
}
}  // namespace

Result<ConditionExpression> ConditionExpression::Parse(std::string_view text, ExpressionKind kind,
                                                       ExpressionContext& context) {
  auto root = ParseConditionTree(text, kind, context);
  if (!root.ok()) return root.status();
  return ConditionExpression(std::move(root).value());
}

bool ConditionExpression::Evaluate(const Item& item) const { return EvaluateNode(*root_, item); }

namespace {
void CollectOperandPaths(const Operand& operand, std::vector<DocumentPath>& out) {
  if (operand.kind == Operand::Kind::kPath && !operand.path.empty()) out.push_back(operand.path);
  for (const Operand& arg : operand.args) CollectOperandPaths(arg, out);
}

void CollectNodePaths(const ConditionNode& node, std::vector<DocumentPath>& out) {
  for (const Operand& operand : node.operands) CollectOperandPaths(operand, out);
  for (const auto& child : node.children) CollectNodePaths(*child, out);
}
}  // namespace

std::vector<DocumentPath> ConditionExpression::Paths() const {
  std::vector<DocumentPath> out;
  CollectNodePaths(*root_, out);
  return out;
}

std::set<std::string> ConditionExpression::TopLevelAttributes() const {
  std::set<std::string> out;
  for (const DocumentPath& path : Paths()) {
    if (!path[0].is_index()) out.insert(path[0].name);
  }
  return out;
}

// ---- KeyConditionExpression ----

bool SortKeyCondition::Matches(const AttributeValue& sort_value) const {
  if (sort_value.type() != value.type()) return false;
  int c = CompareKeyValues(sort_value, value);
  switch (op) {
    case SortKeyOperator::kEqual:
      return c == 0;
    case SortKeyOperator::kLess:
      return c < 0;
    case SortKeyOperator::kLessOrEqual:
      return c <= 0;
    case SortKeyOperator::kGreater:
      return c > 0;
    case SortKeyOperator::kGreaterOrEqual:
      return c >= 0;
    case SortKeyOperator::kBetween:
      return c >= 0 && CompareKeyValues(sort_value, upper) <= 0;
    case SortKeyOperator::kBeginsWith:
      return StartsWith(sort_value.s(), value.s());
  }
  return false;
}

namespace {

struct KeyClause {
  std::string attribute;
  SortKeyCondition condition;
  bool indexable = true;  // false: a KeyConditions operator no key can use (see below)
};

void FlattenAnd(const ConditionNode& node, std::vector<const ConditionNode*>& out) {
  if (node.op == ConditionOp::kAnd) {
    FlattenAnd(*node.children[0], out);
    FlattenAnd(*node.children[1], out);
  } else {
    out.push_back(&node);
  }
}

Status UnsupportedKeyOperator(const std::string& op) {
  return ValidationError("Invalid operator used in KeyConditionExpression: " + op);
}

Status InvalidKeyCondition(const std::string& why) {
  return ValidationError("Invalid condition in KeyConditionExpression: " + why);
}

// The one key attribute a condition names and where: AWS walks the operands in order, so a
// second attribute is "Multiple attribute names" before the first one's nesting is looked at,
// and a size() before a later attribute is a nested operation (dynalite's query tests,
// recorded against DynamoDB; moto's AWS-verified tests for "Multiple attribute names ...").
struct KeyOperand {
  std::string attribute;
  size_t position = 0;
};
Result<KeyOperand> KeyOperandOf(const std::vector<Operand>& operands) {
  std::optional<KeyOperand> found;
  for (size_t i = 0; i < operands.size(); ++i) {
    const Operand& operand = operands[i];
    if (operand.kind == Operand::Kind::kPath) {
      if (found) return InvalidKeyCondition("Multiple attribute names used in one condition");
      if (operand.path.size() != 1) {
        return ValidationError(
            "Invalid KeyConditionExpression: KeyConditionExpressions cannot have "
            "conditions on nested attributes");
      }
      found = KeyOperand{operand.path[0].name, i};
    } else if (operand.kind != Operand::Kind::kValue) {
      // Assumed with the prefix its siblings carry; dynalite recorded the text without it.
      return ValidationError(
          "Invalid KeyConditionExpression: KeyConditionExpressions cannot contain nested "
          "operations");
    }
  }
  if (!found) return InvalidKeyCondition("No key attribute specified");
  return *found;
}

// BETWEEN and begins_with take the key attribute first, before anything else is looked at.
Status CheckKeyFirst(const std::vector<Operand>& operands, const std::string& op) {
  if (!operands.empty() && operands[0].kind == Operand::Kind::kPath) return Status::Ok();
  return InvalidKeyCondition(op + " operator must have the key attribute as its first operand");
}

// The attribute a condition written from KeyConditions names: its first operand, under a NOT.
std::string KeyConditionsAttribute(const ConditionNode& node) {
  const ConditionNode* n = &node;
  while (n->op == ConditionOp::kNot && !n->children.empty()) n = n->children[0].get();
  for (const Operand& operand : n->operands) {
    if (operand.kind == Operand::Kind::kPath && !operand.path.empty()) return operand.path[0].name;
  }
  return "";
}

bool IsIndexableOperator(const ConditionNode& node) {
  switch (node.op) {
    case ConditionOp::kNot:
    case ConditionOp::kIn:
      return false;
    case ConditionOp::kCompare:
      return node.comparator != Comparator::kNotEqual;
    case ConditionOp::kFunction:
      return node.function == ConditionFunction::kBeginsWith;
    default:
      return true;
  }
}

Result<KeyClause> ToKeyClause(const ConditionNode& node, bool from_key_conditions) {
  KeyClause clause;
  if (from_key_conditions && !IsIndexableOperator(node)) {
    clause.attribute = KeyConditionsAttribute(node);
    clause.indexable = false;
    return clause;
  }
  switch (node.op) {
    case ConditionOp::kOr:
      return UnsupportedKeyOperator("OR");
    case ConditionOp::kNot:
      return UnsupportedKeyOperator("NOT");
    case ConditionOp::kIn:
      return UnsupportedKeyOperator("IN");
    case ConditionOp::kAnd:
      break;
    case ConditionOp::kCompare: {
      if (node.comparator == Comparator::kNotEqual) return UnsupportedKeyOperator("<>");
      STREAMSTACK_ASSIGN_OR_RETURN(KeyOperand key, KeyOperandOf(node.operands));
      Comparator c = node.comparator;
      if (key.position == 1) {
        switch (c) {  // ":v < sk" is "sk > :v"
          case Comparator::kLess:
            c = Comparator::kGreater;
            break;
          case Comparator::kLessOrEqual:
            c = Comparator::kGreaterOrEqual;
            break;
          case Comparator::kGreater:
            c = Comparator::kLess;
            break;
          case Comparator::kGreaterOrEqual:
            c = Comparator::kLessOrEqual;
            break;
          default:
            break;
        }
      }
      clause.attribute = std::move(key.attribute);
      clause.condition.value = node.operands[1 - key.position].value;
      switch (c) {
        case Comparator::kEqual:
          clause.condition.op = SortKeyOperator::kEqual;
          break;
        case Comparator::kLess:
          clause.condition.op = SortKeyOperator::kLess;
          break;
        case Comparator::kLessOrEqual:
          clause.condition.op = SortKeyOperator::kLessOrEqual;
          break;
        case Comparator::kGreater:
          clause.condition.op = SortKeyOperator::kGreater;
          break;
        default:
          clause.condition.op = SortKeyOperator::kGreaterOrEqual;
          break;
      }
      return clause;
    }
    case ConditionOp::kBetween: {
      STREAMSTACK_RETURN_IF_ERROR(CheckKeyFirst(node.operands, "BETWEEN"));
      STREAMSTACK_ASSIGN_OR_RETURN(KeyOperand key, KeyOperandOf(node.operands));
      clause.attribute = std::move(key.attribute);
      clause.condition.op = SortKeyOperator::kBetween;
      clause.condition.value = node.operands[1].value;
      clause.condition.upper = node.operands[2].value;
      return clause;
    }
    case ConditionOp::kFunction: {
      if (node.function != ConditionFunction::kBeginsWith) {
        return UnsupportedKeyOperator(node.function_name);
      }
      STREAMSTACK_RETURN_IF_ERROR(CheckKeyFirst(node.operands, "begins_with"));
      STREAMSTACK_ASSIGN_OR_RETURN(KeyOperand key, KeyOperandOf(node.operands));
      clause.attribute = std::move(key.attribute);
      clause.condition.op = SortKeyOperator::kBeginsWith;
      clause.condition.value = node.operands[1].value;
      return clause;
    }
  }
  return ValidationError("Query key condition not supported");
}

bool ClauseMatchesType(const SortKeyCondition& c, AttributeType type) {
  if (c.value.type() != type) return false;
  if (c.op == SortKeyOperator::kBetween && c.upper.type() != type) return false;
  if (c.op == SortKeyOperator::kBeginsWith && type == AttributeType::kN) return false;
  return true;
}

}  // namespace

KeySchemaInfo::KeySchemaInfo(std::string partition_key, AttributeType partition_type,
                             std::string sort_key, AttributeType sort_type) {
  partition_keys.push_back({std::move(partition_key), partition_type});
  if (!sort_key.empty()) sort_keys.push_back({std::move(sort_key), sort_type});
}

namespace {

const KeyClause* ClauseFor(const std::vector<KeyClause>& clauses, const std::string& attribute) {
  for (const KeyClause& clause : clauses) {
    if (clause.attribute == attribute) return &clause;
  }
  return nullptr;
}

bool IsKeyAttribute(const KeySchemaInfo& schema, const std::string& attribute) {
  for (const auto* keys : {&schema.partition_keys, &schema.sort_keys}) {
    for (const KeySchemaInfo::Key& k : *keys) {
      if (k.name == attribute) return true;
    }
  }
  return false;
}

Status NotIndexable() {
  return ValidationError("Attempted conditional constraint is not an indexable operation");
}

Status KeyTypeMismatch() {
  return ValidationError(std::string(kInvalidParameters) +
                         "Condition parameter type does not match schema type");
}

}  // namespace

Result<KeyCondition> ParseKeyCondition(std::string_view text, const KeySchemaInfo& schema,
                                       ExpressionContext& context,
                                       const KeyConditionChecks& checks) {
  auto root = ParseConditionTree(text, ExpressionKind::kKeyCondition, context);
  if (!root.ok()) return root.status();
  std::vector<const ConditionNode*> nodes;
  FlattenAnd(*root.value(), nodes);
  std::vector<KeyClause> clauses;
  for (const ConditionNode* node : nodes) {
    auto clause = ToKeyClause(*node, checks.from_key_conditions);
    if (!clause.ok()) return clause.status();
    if (ClauseFor(clauses, clause->attribute)) {
      return ValidationError(
          "Invalid KeyConditionExpression: KeyConditionExpressions must only "
          "contain one condition per key");
    }
    clauses.push_back(std::move(clause).value());
  }
  if (checks.before_partition) STREAMSTACK_RETURN_IF_ERROR(checks.before_partition());
  const size_t key_count =
      std::max<size_t>(1, schema.partition_keys.size() + schema.sort_keys.size());
  if (clauses.size() > key_count) {
    return ValidationError("The number of query conditions (" + std::to_string(clauses.size()) +
                           ") exceeds the number of key attributes defined in the schema (" +
                           std::to_string(key_count) + ")");
  }
  KeyCondition result;
  // AWS: the partition key's conditions entirely, then the sort key's. Every partition
  // attribute needs an equality (GSI.html#GSI.MultiAttributeKeys); AWS's order among several
  // partition attributes' faults is not recorded: this takes them attribute by attribute.
  for (const KeySchemaInfo::Key& key : schema.partition_keys) {
    const KeyClause* clause = ClauseFor(clauses, key.name);
    if (!clause) return ValidationError("Query condition missed key schema element: " + key.name);
    if (!clause->indexable) return NotIndexable();
    if (clause->condition.op != SortKeyOperator::kEqual) {
      return ValidationError("Query key condition not supported");
    }
    if (!ClauseMatchesType(clause->condition, key.type)) return KeyTypeMismatch();
    result.partition_values.push_back(clause->condition.value);
  }
  if (checks.before_sort && !schema.sort_keys.empty()) {
    STREAMSTACK_RETURN_IF_ERROR(checks.before_sort());
  }
  // The sort attributes named must be a left prefix of the sort key: a condition on another
  // attribute, or one after a sort attribute left out, is answered with the first sort
  // attribute missing (a multi-attribute key that skips one names it: moto's AWS-verified
  // test_query_error_skip_range_key).
  std::vector<const KeyClause*> sort_clauses;
  for (const KeySchemaInfo::Key& key : schema.sort_keys) {
    sort_clauses.push_back(ClauseFor(clauses, key.name));
  }
  size_t given = 0;
  while (given < sort_clauses.size() && sort_clauses[given]) ++given;
  const size_t named_sort =
      std::count_if(sort_clauses.begin(), sort_clauses.end(), [](auto* c) { return c != nullptr; });
  const bool names_other = std::any_of(clauses.begin(), clauses.end(), [&](const KeyClause& c) {
    return !IsKeyAttribute(schema, c.attribute);
  });
  if (names_other && given < schema.sort_keys.size()) {
    return ValidationError("Query condition missed key schema element: " +
                           schema.sort_keys[given].name);
  }
  // A condition on a sort attribute needs an equality on every sort attribute before it; the
  // first such pair is named (a DynamoDB conformance suite's multiAttributeGsiKey captures: a
  // gap, a range before the last, the first attribute skipped; other emulators' tests agree).
  for (size_t later = 1; later < sort_clauses.size(); ++later) {
    if (!sort_clauses[later]) continue;
    for (size_t prior = 0; prior < later; ++prior) {
      if (sort_clauses[prior] && sort_clauses[prior]->condition.op == SortKeyOperator::kEqual) {
        continue;
      }
      return ValidationError("RANGE key attributes " + schema.sort_keys[prior].name +
                             " must have equality conditions specified in the query because a "
                             "condition is present on key attribute " +
                             schema.sort_keys[later].name);
    }
  }
  if (named_sort > given && given < schema.sort_keys.size()) {
    return ValidationError("Query condition missed key schema element: " +
                           schema.sort_keys[given].name);
  }
  for (size_t i = 0; i < given; ++i) {
    if (!sort_clauses[i]->indexable) return NotIndexable();
    const SortKeyCondition& condition = sort_clauses[i]->condition;
    const bool last = i + 1 == given;
    // Only the last sort attribute given may be a range (GSI.html#GSI.MultiAttributeKeys); the
    // check above answers a range before it, so this is a guard.
    if (!last && condition.op != SortKeyOperator::kEqual) {
      return ValidationError("Query key condition not supported");
    }
    if (!ClauseMatchesType(condition, schema.sort_keys[i].type)) return KeyTypeMismatch();
    if (last) {
      result.sort = condition;
    } else {
      result.sort_prefix.push_back(condition.value);
    }
  }
  return result;
}

// ---- UpdateExpression ----

UpdateExpression::UpdateExpression() = default;
UpdateExpression::UpdateExpression(UpdateExpression&&) noexcept = default;
UpdateExpression& UpdateExpression::operator=(UpdateExpression&&) noexcept = default;
UpdateExpression::~UpdateExpression() = default;

Result<UpdateExpression> UpdateExpression::Parse(std::string_view text,
                                                 ExpressionContext& context) {
  if (IsBlank(text)) return EmptyExpression(ExpressionKind::kUpdate);
  Parser parser(text, ExpressionKind::kUpdate, context);
  UpdateExpression expression;
  std::set<std::string> sections;
  while (!parser.AtEnd()) {
    static const std::pair<const char*, UpdateAction::Kind> kSections[] = {
        {"SET", UpdateAction::Kind::kSet},
        {"REMOVE", UpdateAction::Kind::kRemove},
        {"ADD", UpdateAction::Kind::kAdd},
        {"DELETE", UpdateAction::Kind::kDelete}};
    const char* section = nullptr;
    UpdateAction::Kind kind = UpdateAction::Kind::kSet;
    for (const auto& [word, k] : kSections) {
      if (parser.PeekKeyword(word)) {
        section = word;
        kind = k;
      }
    }
    if (!section) return parser.SyntaxError();
    if (!sections.insert(section).second) {
      parser.Check(parser.Invalid(std::string("The \"") + section +
                                  "\" section can only be used once in an update expression;"),
                   Parser::Fault::kSection);
    }
    parser.Advance();
    while (true) {
      auto action = std::make_unique<UpdateAction>();
      action->kind = kind;
      auto path = parser.ParsePath();
      if (!path.ok()) return path.status();
      action->path = std::move(path).value();
      if (kind == UpdateAction::Kind::kSet) {
        STREAMSTACK_RETURN_IF_ERROR(parser.Expect(TokenKind::kEqual));
        auto value = parser.ParseSetValue();
        if (!value.ok()) return value.status();
        action->value = std::move(value).value();
      } else if (kind == UpdateAction::Kind::kAdd || kind == UpdateAction::Kind::kDelete) {
        if (parser.Peek().kind != TokenKind::kValueRef) return parser.SyntaxError();
        auto value = parser.ParseOperand(true);
        if (!value.ok()) return value.status();
        AttributeType t = value->value.type();
        bool ok = kind == UpdateAction::Kind::kAdd
                      ? (t == AttributeType::kN || value->value.IsSet())
                      : value->value.IsSet();
        if (!ok) {
          parser.Check(
              parser.Invalid(std::string("Incorrect operand type for operator or function; "
                                         "operator: ") +
                             section + ", operand type: " + LongTypeName(t) +
                             ", typeSet: ALLOWED_FOR_" + section + "_OPERAND"),
              Parser::Fault::kUpdateOperandType);
        }
        action->value = std::move(value).value();
      }
      expression.actions_.push_back(std::move(action));
      if (parser.Peek().kind != TokenKind::kComma) break;
      parser.Advance();
    }
  }
  std::vector<DocumentPath> paths;
  for (const auto& action : expression.actions_) paths.push_back(action->path);
  parser.Check(CheckPathsDisjoint(paths, ExpressionKind::kUpdate), Parser::Fault::kPaths);
  if (!parser.deferred().ok()) return parser.deferred();
  return expression;
}

std::vector<UpdateExpression::Target> UpdateExpression::Targets() const {
  std::vector<Target> out;
  for (const auto& action : actions_) {
    Target target{action->path, std::nullopt};
    if (action->kind != UpdateAction::Kind::kRemove)
      target.static_type = StaticTypeOf(action->value);
    out.push_back(std::move(target));
  }
  return out;
}

std::vector<DocumentPath> UpdateExpression::Paths() const {
  std::vector<DocumentPath> out;
  for (const auto& action : actions_) out.push_back(action->path);
  for (const auto& action : actions_) CollectOperandPaths(action->value, out);
  return out;
}

Result<UpdateResult> UpdateExpression::Apply(const Item& item) const {
  UpdateResult result;
  result.item = item;
  // Every operand reads the original item; then the writes happen, removals last and in
  // descending index order so list positions keep referring to the original item.
  std::vector<std::pair<const DocumentPath*, AttributeValue>> writes;
  std::vector<const DocumentPath*> removals;
  for (const auto& action : actions_) {
    result.updated_paths.push_back(action->path);
    result.updated_attributes.insert(action->path[0].name);
    switch (action->kind) {
      case UpdateAction::Kind::kSet: {
        auto value = EvaluateUpdateOperand(action->value, item);
        if (!value.ok()) return value.status();
        writes.emplace_back(&action->path, std::move(value).value());
        break;
      }
      case UpdateAction::Kind::kRemove:
        removals.push_back(&action->path);
        break;
      case UpdateAction::Kind::kAdd: {
        auto value = AddToValue(ResolvePath(item, action->path), action->value.value);
        if (!value.ok()) return value.status();
        writes.emplace_back(&action->path, std::move(*value.value()));
        break;
      }
      case UpdateAction::Kind::kDelete: {
        const AttributeValue* existing = ResolvePath(item, action->path);
        if (!existing) break;
        auto value = DeleteFromValue(*existing, action->value.value);
        if (!value.ok()) return value.status();
        if (value->has_value()) {
          writes.emplace_back(&action->path, std::move(*value.value()));
        } else {
          removals.push_back(&action->path);
        }
        break;
      }
    }
  }
  for (auto& [path, value] : writes) {
    STREAMSTACK_RETURN_IF_ERROR(WritePath(result.item, *path, std::move(value)));
  }
  std::sort(removals.begin(), removals.end(),
            [](const DocumentPath* a, const DocumentPath* b) { return PathGreater(*a, *b); });
  for (const DocumentPath* path : removals) {
    STREAMSTACK_RETURN_IF_ERROR(RemovePath(result.item, *path));
  }
  return result;
}

// ---- ProjectionExpression ----

Result<ProjectionExpression> ProjectionExpression::Parse(std::string_view text,
                                                         ExpressionContext& context) {
  if (IsBlank(text)) return EmptyExpression(ExpressionKind::kProjection);
  Parser parser(text, ExpressionKind::kProjection, context);
  ProjectionExpression projection;
  while (true) {
    auto path = parser.ParsePath();
    if (!path.ok()) return path.status();
    projection.paths_.push_back(std::move(path).value());
    if (parser.Peek().kind == TokenKind::kComma) {
      parser.Advance();
      continue;
    }
    if (!parser.AtEnd()) return parser.SyntaxError();
    break;
  }
  parser.Check(CheckPathsDisjoint(projection.paths_, ExpressionKind::kProjection),
               Parser::Fault::kPaths);
  if (!parser.deferred().ok()) return parser.deferred();
  return projection;
}

}  // namespace streamstack::dynamodb
