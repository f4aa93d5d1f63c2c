#include "dynamodb/partiql_parser.h"

#include <cctype>
#include <utility>

namespace streamstack::dynamodb::partiql {
namespace {

constexpr char kNotWellFormed[] = "Statement wasn't well formed, can't be processed: ";

Status NotWellFormed(const std::string& detail) { return ValidationError(kNotWellFormed + detail); }

enum class TokenKind { kWord, kQuoted, kString, kNumber, kPunct, kParam, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
};

bool IsWordStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < text.size() && text[i + 1] == '-') {  // -- comment to end of line
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return NotWellFormed("");
      i = end + 2;
      continue;
    }
    if (IsWordStart(c)) {
      size_t start = i;
      while (i < text.size() && IsWordChar(text[i])) ++i;
      out.push_back({TokenKind::kWord, std::string(text.substr(start, i - start))});
      continue;
    }
    if (c == '"' || c == '\'') {
      std::string value;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == c) {
          if (i + 1 < text.size() && text[i + 1] == c) {  // doubled quote: one quote
            value.push_back(c);
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        value.push_back(text[i++]);
      }
      if (!closed) return NotWellFormed("");
      out.push_back({c == '"' ? TokenKind::kQuoted : TokenKind::kString, std::move(value)});
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < text.size() &&
         std::isdigit(static_cast<unsigned char>(text[i + 1])))) {
      size_t start = i;
      while (i < text.size() &&
             (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
        ++i;
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        size_t mark = i++;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
          while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
        } else {
          i = mark;
        }
      }
      out.push_back({TokenKind::kNumber, std::string(text.substr(start, i - start))});
      continue;
    }
    if (c == '?') {
      out.push_back({TokenKind::kParam, "?"});
      ++i;
      continue;
    }
    static const char* kTwoChar[] = {"<=", ">=", "<>", "!=", "<<", ">>"};
    bool matched = false;
    for (const char* two : kTwoChar) {
      if (text.substr(i, 2) == two) {
        out.push_back({TokenKind::kPunct, two});
        i += 2;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (std::string_view("=<>(),.[]{}:*+-").find(c) != std::string_view::npos) {
      out.push_back({TokenKind::kPunct, std::string(1, c)});
      ++i;
      continue;
    }
    return NotWellFormed("");  // '#' comments and anything else the grammar has no place for
  }
  out.push_back({TokenKind::kEnd, ""});
  return out;
}

bool KeywordEquals(const std::string& word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(word[i])) != keyword[i]) return false;
  }
  return true;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::vector<AttributeValue>& parameters)
      : tokens_(std::move(tokens)), parameters_(parameters) {}

  Result<Statement> ParseStatement() {
    Result<Statement> statement = Status(AwsError::kValidation, "");
    if (PeekKeyword("SELECT")) {
      statement = ParseSelect();
    } else if (PeekKeyword("INSERT")) {
      statement = ParseInsert();
    } else if (PeekKeyword("UPDATE")) {
      statement = ParseUpdate();
    } else if (PeekKeyword("DELETE")) {
      statement = ParseDelete();
    } else {
      return NotWellFormed("Unexpected keyword");
    }
    if (!statement.ok()) return statement;
    if (Peek().kind != TokenKind::kEnd) return NotWellFormed("Unexpected token after expression");
    if (next_parameter_ != parameters_.size()) {
      return ValidationError("Number of parameters in request and statement don't match.");
    }
    return statement;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Advance() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  bool PeekKeyword(std::string_view keyword, size_t ahead = 0) const {
    return Peek(ahead).kind == TokenKind::kWord && KeywordEquals(Peek(ahead).text, keyword);
  }
  bool PeekPunct(std::string_view p) const {
    return Peek().kind == TokenKind::kPunct && Peek().text == p;
  }
  Status ExpectKeyword(std::string_view keyword) {
    if (!PeekKeyword(keyword)) return NotWellFormed("Expected " + std::string(keyword));
    Advance();
    return Status::Ok();
  }
  Status ExpectPunct(std::string_view p) {
    if (!PeekPunct(p)) return NotWellFormed("Expected " + std::string(p));
    Advance();
    return Status::Ok();
  }

  Result<std::string> ParseIdentifier() {
    const Token& t = Peek();
    if (t.kind != TokenKind::kWord && t.kind != TokenKind::kQuoted) {
      return NotWellFormed("Expected identifier for simple path");
    }
    return Advance().text;
  }

  // An alias after the table name: AWS refuses it before anything else.
  Status RejectAlias(std::initializer_list<std::string_view> allowed_next) {
    if (PeekKeyword("AS")) return ValidationError("Aliasing is not supported");
    if (Peek().kind == TokenKind::kWord || Peek().kind == TokenKind::kQuoted) {
      for (std::string_view keyword : allowed_next) {
        if (PeekKeyword(keyword)) return Status::Ok();
      }
      return ValidationError("Aliasing is not supported");
    }
    return Status::Ok();
  }

  Result<DocumentPath> ParsePath() {
    DocumentPath path;
    auto first = ParseIdentifier();
    if (!first.ok()) return first.status();
    path.push_back({*first, -1});
    while (true) {
      if (PeekPunct(".")) {
        Advance();
        auto name = ParseIdentifier();
        if (!name.ok()) return name.status();
        path.push_back({*name, -1});
      } else if (PeekPunct("[")) {
        Advance();
        if (Peek().kind != TokenKind::kNumber ||
            Peek().text.find_first_not_of("0123456789") != std::string::npos ||
            Peek().text.size() > 9) {
          return NotWellFormed("Expected a list index");
        }
        path.push_back({"", std::stoll(Advance().text)});
        STREAMSTACK_RETURN_IF_ERROR(ExpectPunct("]"));
      } else {
        return path;
      }
    }
  }

  // A literal or a parameter; `where` names its place in AWS's number messages.
  // `item_level`: the map is an INSERT's item, whose attribute values each start at "root".
  Result<AttributeValue> ParseValue(const std::string& where, bool item_level = false) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kParam) {
      Advance();
      if (next_parameter_ >= parameters_.size()) {
        return ValidationError("Number of parameters in request and statement don't match.");
      }
      return parameters_[next_parameter_++];
    }
    if (t.kind == TokenKind::kString) return AttributeValue::String(Advance().text);
    bool negative = false;
    if (PeekPunct("-") && Peek(1).kind == TokenKind::kNumber) {
      Advance();
      negative = true;
    }
    if (Peek().kind == TokenKind::kNumber) {
      std::string text = (negative ? "-" : "") + Advance().text;
      // AWS's lexer reads a literal as java.math.BigDecimal: one it cannot read is a syntax
      // error with nothing after the colon.
      if (!Number::BigDecimalReadable(text)) return NotWellFormed("");
      auto n = Number::ParseBigDecimal(text);
      if (!n.ok()) return ValidationError(n.status().message() + " under " + where);
      return AttributeValue::Num(*n);
    }
    if (PeekKeyword("TRUE") || PeekKeyword("FALSE")) {
      return AttributeValue::Bool(KeywordEquals(Advance().text, "TRUE"));
    }
    if (PeekKeyword("NULL")) {
      Advance();
      return AttributeValue::Null();
    }
    if (PeekPunct("{")) {
      Advance();
      Item map;
      while (!PeekPunct("}")) {
        if (Peek().kind != TokenKind::kString) return NotWellFormed("Expected a string map key");
        std::string key = Advance().text;
        STREAMSTACK_RETURN_IF_ERROR(ExpectPunct(":"));
        auto value = ParseValue(item_level ? where : where + "." + key);
        if (!value.ok()) return value;
        map[key] = std::move(value).value();
        if (PeekPunct(",")) {
          Advance();
          continue;
        }
        if (!PeekPunct("}")) return NotWellFormed("Expected }");
      }
      Advance();
      return AttributeValue::Map(std::move(map));
    }
    if (PeekPunct("[")) {
      Advance();
      std::vector<AttributeValue> list;
      while (!PeekPunct("]")) {
        auto value = ParseValue(where + "[" + std::to_string(list.size()) + "]");
        if (!value.ok()) return value;
        list.push_back(std::move(value).value());
        if (PeekPunct(",")) {
          Advance();
          continue;
        }
        if (!PeekPunct("]")) return NotWellFormed("Expected ]");
      }
      Advance();
      return AttributeValue::List(std::move(list));
    }
    if (PeekPunct("<<")) {
      Advance();
      std::vector<AttributeValue> elements;
      while (!PeekPunct(">>")) {
        auto value = ParseValue(where);
        if (!value.ok()) return value;
        elements.push_back(std::move(value).value());
        if (PeekPunct(",")) {
          Advance();
          continue;
        }
        if (!PeekPunct(">>")) return NotWellFormed("Expected >>");
      }
      Advance();
      return MakeSet(elements);
    }
    return NotWellFormed("Unexpected term");
  }

  static Result<AttributeValue> MakeSet(const std::vector<AttributeValue>& elements) {
    if (elements.empty())
      return ValidationError(
          "One or more parameter values were invalid: An number set  may not be empty");
    AttributeType type = elements[0].type();
    for (const auto& e : elements) {
      if (e.type() != type) return NotWellFormed("Set elements must all be of one type");
    }
    if (type == AttributeType::kS) {
      std::vector<std::string> v;
      for (const auto& e : elements) v.push_back(e.s());
      return AttributeValue::StringSet(std::move(v));
    }
    if (type == AttributeType::kN) {
      std::vector<Number> v;
      for (const auto& e : elements) v.push_back(e.n());
      return AttributeValue::NumberSet(std::move(v));
    }
    if (type == AttributeType::kB) {
      std::vector<std::string> v;
      for (const auto& e : elements) v.push_back(e.b());
      return AttributeValue::BinarySet(std::move(v));
    }
    return NotWellFormed("Set elements must be strings, numbers or binaries");
  }

  bool PeekValueStart() const {
    const Token& t = Peek();
    return t.kind == TokenKind::kParam || t.kind == TokenKind::kString ||
           t.kind == TokenKind::kNumber || PeekPunct("{") || PeekPunct("[") || PeekPunct("<<") ||
           (PeekPunct("-") && Peek(1).kind == TokenKind::kNumber) || PeekKeyword("TRUE") ||
           PeekKeyword("FALSE") || PeekKeyword("NULL");
  }

  static bool IsFunctionName(const std::string& word) {
    for (std::string_view f : {"BEGINS_WITH", "CONTAINS", "ATTRIBUTE_TYPE", "SIZE", "EXISTS",
                               "LIST_APPEND", "IF_NOT_EXISTS", "SET_ADD", "SET_DELETE"}) {
      if (KeywordEquals(word, f)) return true;
    }
    return false;
  }

  Result<Expr> ParseFunction() {
    Expr e;
    e.kind = Expr::Kind::kFunction;
    e.op = Advance().text;
    for (char& c : e.op) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    STREAMSTACK_RETURN_IF_ERROR(ExpectPunct("("));
    while (!PeekPunct(")")) {
      auto arg = ParseOperand();
      if (!arg.ok()) return arg.status();
      e.args.push_back(std::move(arg).value());
      if (PeekPunct(",")) {
        Advance();
        continue;
      }
      if (!PeekPunct(")")) return NotWellFormed("Expected )");
    }
    Advance();
    return e;
  }

  Result<Expr> ParseOperand() {
    if (PeekValueStart()) {
      auto v = ParseValue("root");
      if (!v.ok()) return v.status();
      Expr e;
      e.kind = Expr::Kind::kValue;
      e.value = std::move(v).value();
      return e;
    }
    if (Peek().kind == TokenKind::kWord && IsFunctionName(Peek().text) && Peek(1).text == "(") {
      return ParseFunction();
    }
    auto path = ParsePath();
    if (!path.ok()) return path.status();
    Expr e;
    e.kind = Expr::Kind::kPath;
    e.path = std::move(path).value();
    return e;
  }

  Result<Expr> ParsePredicate() {
    if (PeekPunct("(")) {
      Advance();
      auto inner = ParseOr();
      if (!inner.ok()) return inner;
      STREAMSTACK_RETURN_IF_ERROR(ExpectPunct(")"));
      return inner;
    }
    auto left = ParseOperand();
    if (!left.ok()) return left;
    static const char* kComparators[] = {"=", "<>", "!=", "<", "<=", ">", ">="};
    for (const char* op : kComparators) {
      if (PeekPunct(op)) {
        Advance();
        auto right = ParseOperand();
        if (!right.ok()) return right;
        Expr e;
        e.kind = Expr::Kind::kCompare;
        e.op = std::string(op) == "!=" ? "<>" : op;
        e.args = {std::move(left).value(), std::move(right).value()};
        return e;
      }
    }
    if (PeekKeyword("BETWEEN")) {
      Advance();
      auto low = ParseOperand();
      if (!low.ok()) return low;
      STREAMSTACK_RETURN_IF_ERROR(ExpectKeyword("AND"));
      auto high = ParseOperand();
      if (!high.ok()) return high;
      Expr e;
      e.kind = Expr::Kind::kBetween;
      e.args = {std::move(left).value(), std::move(low).value(), std::move(high).value()};
      return e;
    }
    if (PeekKeyword("IN")) {
      Advance();
      std::string close = PeekPunct("[") ? "]" : ")";
      if (!PeekPunct("(") && !PeekPunct("[")) return NotWellFormed("Expected (");
      Advance();
      Expr e;
      e.kind = Expr::Kind::kIn;
      e.args.push_back(std::move(left).value());
      while (!PeekPunct(close)) {
        auto item = ParseOperand();
        if (!item.ok()) return item;
        e.args.push_back(std::move(item).value());
        if (PeekPunct(",")) {
          Advance();
          continue;
        }
        if (!PeekPunct(close)) return NotWellFormed("Expected " + close);
      }
      Advance();
      return e;
    }
    if (PeekKeyword("IS")) {
      Advance();
      bool negated = false;
      if (PeekKeyword("NOT")) {
        Advance();
        negated = true;
      }
      Expr e;
      e.args.push_back(std::move(left).value());
      if (PeekKeyword("MISSING")) {
        e.kind = negated ? Expr::Kind::kIsNotMissing : Expr::Kind::kIsMissing;
      } else if (PeekKeyword("NULL")) {
        e.kind = negated ? Expr::Kind::kIsNotNull : Expr::Kind::kIsNull;
      } else {
        return NotWellFormed("Expected MISSING or NULL");
      }
      Advance();
      return e;
    }
    if (left->kind == Expr::Kind::kFunction) return left;  // begins_with(...), contains(...)
    return NotWellFormed("Expected a comparison");
  }

  Result<Expr> ParseNot() {
    if (PeekKeyword("NOT")) {
      Advance();
      auto inner = ParseNot();
      if (!inner.ok()) return inner;
      Expr e;
      e.kind = Expr::Kind::kNot;
      e.args.push_back(std::move(inner).value());
      return e;
    }
    return ParsePredicate();
  }

  Result<Expr> ParseAnd() {
    auto first = ParseNot();
    if (!first.ok()) return first;
    if (!PeekKeyword("AND")) return first;
    Expr e;
    e.kind = Expr::Kind::kAnd;
    e.args.push_back(std::move(first).value());
    while (PeekKeyword("AND")) {
      Advance();
      auto next = ParseNot();
      if (!next.ok()) return next;
      e.args.push_back(std::move(next).value());
    }
    return e;
  }

  Result<Expr> ParseOr() {
    auto first = ParseAnd();
    if (!first.ok()) return first;
    if (!PeekKeyword("OR")) return first;
    Expr e;
    e.kind = Expr::Kind::kOr;
    e.args.push_back(std::move(first).value());
    while (PeekKeyword("OR")) {
      Advance();
      auto next = ParseAnd();
      if (!next.ok()) return next;
      e.args.push_back(std::move(next).value());
    }
    return e;
  }

  Status ParseWhere(Statement& s, bool required) {
    if (!PeekKeyword("WHERE")) {
      if (required) return NotWellFormed("Expected WHERE");
      return Status::Ok();
    }
    Advance();
    STREAMSTACK_ASSIGN_OR_RETURN(s.where, ParseOr());
    return Status::Ok();
  }

  Status ParseReturning(Statement& s) {
    if (!PeekKeyword("RETURNING")) return Status::Ok();
    Advance();
    bool all = PeekKeyword("ALL");
    if (!all && !PeekKeyword("MODIFIED")) return NotWellFormed("Expected ALL or MODIFIED");
    Advance();
    bool old = PeekKeyword("OLD");
    if (!old && !PeekKeyword("NEW")) return NotWellFormed("Expected OLD or NEW");
    Advance();
    STREAMSTACK_RETURN_IF_ERROR(ExpectPunct("*"));
    s.returning = all ? (old ? Returning::kAllOld : Returning::kAllNew)
                      : (old ? Returning::kModifiedOld : Returning::kModifiedNew);
    return Status::Ok();
  }

  Result<Statement> ParseSelect() {
    Advance();  // SELECT
    Statement s;
    s.kind = Statement::Kind::kSelect;
    if (PeekPunct("*")) {
      Advance();
    } else {
      while (true) {
        auto path = ParsePath();
        if (!path.ok()) return path.status();
        s.projection.push_back(std::move(path).value());
        if (!PeekPunct(",")) break;
        Advance();
      }
    }
    STREAMSTACK_RETURN_IF_ERROR(ExpectKeyword("FROM"));
    auto table = ParseIdentifier();
    if (!table.ok()) return table.status();
    s.table_name = *table;
    if (PeekPunct(".")) {
      Advance();
      STREAMSTACK_ASSIGN_OR_RETURN(s.index_name, ParseIdentifier());
    }
    STREAMSTACK_RETURN_IF_ERROR(RejectAlias({"WHERE", "ORDER"}));
    STREAMSTACK_RETURN_IF_ERROR(ParseWhere(s, false));
    if (PeekKeyword("ORDER")) {
      Advance();
      STREAMSTACK_RETURN_IF_ERROR(ExpectKeyword("BY"));
      STREAMSTACK_ASSIGN_OR_RETURN(s.order_by, ParseIdentifier());
      if (PeekKeyword("ASC") || PeekKeyword("DESC")) {
        s.order_descending = KeywordEquals(Advance().text, "DESC");
      }
    }
    return s;
  }

  Result<Statement> ParseInsert() {
    Advance();  // INSERT
    Statement s;
    s.kind = Statement::Kind::kInsert;
    STREAMSTACK_RETURN_IF_ERROR(ExpectKeyword("INTO"));
    auto table = ParseIdentifier();
    if (!table.ok()) return table.status();
    s.table_name = *table;
    if (!PeekKeyword("VALUE")) return NotWellFormed("Unexpected token after expression");
    Advance();
    auto value = ParseValue("root", /*item_level=*/true);
    if (!value.ok()) return value.status();
    if (value->type() != AttributeType::kM) {
      return ValidationError("Unsupported operation: Inserting a non-map value is not supported");
    }
    s.insert_item = value->m();
    return s;
  }

  Result<Statement> ParseUpdate() {
    Advance();  // UPDATE
    Statement s;
    s.kind = Statement::Kind::kUpdate;
    auto table = ParseIdentifier();
    if (!table.ok()) return table.status();
    s.table_name = *table;
    STREAMSTACK_RETURN_IF_ERROR(RejectAlias({"SET", "REMOVE"}));
    while (PeekKeyword("SET") || PeekKeyword("REMOVE")) {
      bool set = KeywordEquals(Advance().text, "SET");
      while (true) {
        auto path = ParsePath();
        if (!path.ok()) return path.status();
        UpdateAction action;
        action.path = std::move(path).value();
        if (set) {
          STREAMSTACK_RETURN_IF_ERROR(ExpectPunct("="));
          auto value = ParseSetValue();
          if (!value.ok()) return value.status();
          action.value = std::move(value).value();
        } else {
          action.kind = UpdateAction::Kind::kRemove;
        }
        s.updates.push_back(std::move(action));
        if (!PeekPunct(",")) break;
        Advance();
      }
    }
    if (s.updates.empty()) return NotWellFormed("Expected SET or REMOVE");
    STREAMSTACK_RETURN_IF_ERROR(ParseWhere(s, true));
    STREAMSTACK_RETURN_IF_ERROR(ParseReturning(s));
    return s;
  }

  Result<Expr> ParseSetValue() {
    auto left = ParseOperand();
    if (!left.ok()) return left;
    if (PeekPunct("+") || PeekPunct("-")) {
      Expr e;
      e.kind = Expr::Kind::kArithmetic;
      e.op = Advance().text;
      auto right = ParseOperand();
      if (!right.ok()) return right;
      e.args = {std::move(left).value(), std::move(right).value()};
      return e;
    }
    return left;
  }

  Result<Statement> ParseDelete() {
    Advance();  // DELETE
    Statement s;
    s.kind = Statement::Kind::kDelete;
    STREAMSTACK_RETURN_IF_ERROR(ExpectKeyword("FROM"));
    STREAMSTACK_ASSIGN_OR_RETURN(s.table_name, ParseIdentifier());
    STREAMSTACK_RETURN_IF_ERROR(RejectAlias({"WHERE"}));
    STREAMSTACK_RETURN_IF_ERROR(ParseWhere(s, true));
    STREAMSTACK_RETURN_IF_ERROR(ParseReturning(s));
    return s;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  const std::vector<AttributeValue>& parameters_;
  size_t next_parameter_ = 0;
};

}  // namespace

Result<Statement> Parse(std::string_view text, const std::vector<AttributeValue>& parameters) {
  auto tokens = Tokenize(text);
  if (!tokens.ok()) return tokens.status();
  Parser parser(std::move(tokens).value(), parameters);
  return parser.ParseStatement();
}

// --- Rendering ---------------------------------------------------------------------------------

std::string ExpressionWriter::Path(const DocumentPath& path) {
  std::string out;
  for (const PathElement& e : path) {
    if (e.is_index()) {
      out += "[" + std::to_string(e.index) + "]";
      continue;
    }
    auto it = name_placeholders_.find(e.name);
    if (it == name_placeholders_.end()) {
      std::string placeholder = "#n" + std::to_string(name_placeholders_.size());
      it = name_placeholders_.emplace(e.name, placeholder).first;
      names_[placeholder] = e.name;
    }
    out += (out.empty() ? "" : ".") + it->second;
  }
  return out;
}

std::string ExpressionWriter::Value(const AttributeValue& value) {
  std::string placeholder = ":v" + std::to_string(values_.size());
  values_[placeholder] = value;
  return placeholder;
}

std::string ExpressionWriter::Operand(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kPath:
      return Path(e.path);
    case Expr::Kind::kValue:
      return Value(e.value);
    case Expr::Kind::kArithmetic: {
      std::string left = Operand(e.args[0]);  // placeholders are numbered left to right
      return left + " " + e.op + " " + Operand(e.args[1]);
    }
    case Expr::Kind::kFunction: {
      std::string out = e.op + "(";
      for (size_t i = 0; i < e.args.size(); ++i) out += (i ? ", " : "") + Operand(e.args[i]);
      return out + ")";
    }
    default:
      return "(" + Condition(e) + ")";
  }
}

std::string ExpressionWriter::Condition(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::kCompare: {
      std::string left = Operand(e.args[0]);  // placeholders are numbered left to right
      return left + " " + e.op + " " + Operand(e.args[1]);
    }
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      std::string out;
      for (size_t i = 0; i < e.args.size(); ++i) {
        out += (i ? (e.kind == Expr::Kind::kAnd ? " AND " : " OR ") : "") + std::string("(") +
               Condition(e.args[i]) + ")";
      }
      return out;
    }
    case Expr::Kind::kNot:
      return "NOT (" + Condition(e.args[0]) + ")";
    case Expr::Kind::kBetween: {
      std::string subject = Operand(e.args[0]);
      std::string low = Operand(e.args[1]);
      return subject + " BETWEEN " + low + " AND " + Operand(e.args[2]);
    }
    case Expr::Kind::kIn: {
      std::string out = Operand(e.args[0]) + " IN (";
      for (size_t i = 1; i < e.args.size(); ++i) out += (i > 1 ? ", " : "") + Operand(e.args[i]);
      return out + ")";
    }
    case Expr::Kind::kIsMissing:
      return "attribute_not_exists(" + Operand(e.args[0]) + ")";
    case Expr::Kind::kIsNotMissing:
      return "attribute_exists(" + Operand(e.args[0]) + ")";
    case Expr::Kind::kIsNull:
    case Expr::Kind::kIsNotNull: {
      std::string subject = Operand(e.args[0]);
      return std::string(e.kind == Expr::Kind::kIsNotNull ? "NOT " : "") + "attribute_type(" +
             subject + ", " + Value(AttributeValue::String("NULL")) + ")";
    }
    default:
      return Operand(e);
  }
}

Result<std::string> ExpressionWriter::Update(const std::vector<UpdateAction>& actions) {
  std::vector<std::string> set, remove, add, del;
  for (const UpdateAction& a : actions) {
    if (a.kind == UpdateAction::Kind::kRemove) {
      remove.push_back(Path(a.path));
      continue;
    }
    const Expr& v = a.value;
    if (v.kind == Expr::Kind::kFunction && (v.op == "set_add" || v.op == "set_delete")) {
      if (v.args.size() != 2 || v.args[1].kind != Expr::Kind::kValue) {
        return NotWellFormed(v.op + " takes a path and a set");
      }
      std::string target = Path(a.path);
      (v.op == "set_add" ? add : del).push_back(target + " " + Value(v.args[1].value));
      continue;
    }
    std::string target = Path(a.path);
    set.push_back(target + " = " + Operand(v));
  }
  std::string out;
  auto clause = [&](const char* keyword, const std::vector<std::string>& parts) {
    if (parts.empty()) return;
    out += (out.empty() ? "" : " ") + std::string(keyword) + " ";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  };
  clause("SET", set);
  clause("REMOVE", remove);
  clause("ADD", add);
  clause("DELETE", del);
  return out;
}

std::vector<const Expr*> Conjuncts(const Expr& where) {
  if (where.kind != Expr::Kind::kAnd) return {&where};
  std::vector<const Expr*> out;
  for (const Expr& e : where.args) {
    auto inner = Conjuncts(e);
    out.insert(out.end(), inner.begin(), inner.end());
  }
  return out;
}

std::optional<std::pair<std::string, AttributeValue>> KeyEquality(const Expr& e) {
  if (e.kind != Expr::Kind::kCompare || e.op != "=") return std::nullopt;
  const Expr* path = &e.args[0];
  const Expr* value = &e.args[1];
  if (path->kind == Expr::Kind::kValue) std::swap(path, value);
  if (path->kind != Expr::Kind::kPath || value->kind != Expr::Kind::kValue) return std::nullopt;
  if (path->path.size() != 1 || path->path[0].is_index()) return std::nullopt;
  return std::make_pair(path->path[0].name, value->value);
}

std::optional<std::string> ConstrainedAttribute(const Expr& e) {
  const Expr* subject = nullptr;
  if (e.kind == Expr::Kind::kCompare) {
    subject = e.args[0].kind == Expr::Kind::kPath ? &e.args[0] : &e.args[1];
    const Expr* other = subject == &e.args[0] ? &e.args[1] : &e.args[0];
    if (other->kind != Expr::Kind::kValue || e.op == "<>") return std::nullopt;
  } else if (e.kind == Expr::Kind::kBetween) {
    subject = &e.args[0];
    if (e.args[1].kind != Expr::Kind::kValue || e.args[2].kind != Expr::Kind::kValue) {
      return std::nullopt;
    }
  } else if (e.kind == Expr::Kind::kFunction && e.op == "begins_with" && e.args.size() == 2) {
    subject = &e.args[0];
    if (e.args[1].kind != Expr::Kind::kValue) return std::nullopt;
  }
  if (!subject || subject->kind != Expr::Kind::kPath || subject->path.size() != 1 ||
      subject->path[0].is_index()) {
    return std::nullopt;
  }
  return subject->path[0].name;
}

}  // namespace streamstack::dynamodb::partiql
