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
  // Where the token starts (1-based) and how many characters of the statement it spans: AWS
  // names a place as line:column:length in some messages.
  int line = 1;
  int column = 1;
  size_t length = 0;
};

std::string Position(const Token& t) {
  return std::to_string(t.line) + ":" + std::to_string(t.column) + ":" + std::to_string(t.length);
}

bool IsWordStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  int line = 1;
  size_t line_start = 0;
  size_t token_start = 0;
  // Each token is pushed once its text has been consumed (i is past it).
  auto push = [&](TokenKind kind, std::string token_text) {
    out.push_back({kind, std::move(token_text), line,
                   static_cast<int>(token_start - line_start) + 1, i - token_start});
  };
  while (i < text.size()) {
    char c = text[i];
    token_start = i;
    if (c == '\n') {
      ++i;
      ++line;
      line_start = i;
      continue;
    }
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
      push(TokenKind::kWord, std::string(text.substr(start, i - start)));
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
      push(c == '"' ? TokenKind::kQuoted : TokenKind::kString, std::move(value));
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
      push(TokenKind::kNumber, std::string(text.substr(start, i - start)));
      continue;
    }
    if (c == '?') {
      ++i;
      push(TokenKind::kParam, "?");
      continue;
    }
    static const char* kTwoChar[] = {"<=", ">=", "<>", "!=", "<<", ">>"};
    bool matched = false;
    for (const char* two : kTwoChar) {
      if (text.substr(i, 2) == two) {
        i += 2;
        push(TokenKind::kPunct, two);
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (std::string_view("=<>(),.[]{}:*+-;").find(c) != std::string_view::npos) {
      ++i;
      push(TokenKind::kPunct, std::string(1, c));
      continue;
    }
    return NotWellFormed("");  // '#' comments and anything else the grammar has no place for
  }
  token_start = i;
  push(TokenKind::kEnd, "");
  return out;
}

bool KeywordEquals(const std::string& word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(word[i])) != keyword[i]) return false;
  }
  return true;
}

// Words that cannot name an attribute or a table without double quotes where they stand: the
// clause keywords of the statements DynamoDB runs. (PartiQL reserves many more words; these are
// the ones whose misuse AWS's answers were seen for, and none is a common attribute name.)
bool IsReservedKeyword(const std::string& word) {
  for (std::string_view k : {"SELECT", "FROM", "WHERE", "ORDER", "BY", "SET", "REMOVE", "INSERT",
                             "INTO", "DELETE", "UPDATE", "RETURNING", "AS", "INNER", "JOIN"}) {
    if (KeywordEquals(word, k)) return true;
  }
  return false;
}

// Infix operators spelled as words: where a term should start, AWS answers "Unexpected
// operator" for them.
bool IsOperatorKeyword(const std::string& word) {
  for (std::string_view k : {"AND", "OR", "IS", "IN", "BETWEEN", "LIKE"}) {
    if (KeywordEquals(word, k)) return true;
  }
  return false;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// The DynamoDB type a PartiQL type name in `x IS <type>` tests for, "" for a PartiQL type
// DynamoDB has no test for, nullopt for a word that names no type. Multi-word names are passed
// joined by one space. Only STRING and BOOL are recorded as running as filters and INT4, INT8,
// DOUBLE PRECISION and CHARACTER VARYING as refused ("Unsupported operation: IsType"); the
// other mappings to DynamoDB types are assumed.
std::optional<std::string> TypeTestOf(const std::string& type) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {"BOOL", "BOOL"}, {"BOOLEAN", "BOOL"}, {"STRING", "S"}, {"LIST", "L"},
      {"STRUCT", "M"},  {"TUPLE", "M"},      {"BLOB", "B"},   {"SMALLINT", ""},
      {"INT2", ""},     {"INTEGER2", ""},    {"INT", ""},     {"INTEGER", ""},
      {"INT4", ""},     {"INTEGER4", ""},    {"INT8", ""},    {"INTEGER8", ""},
      {"BIGINT", ""},   {"FLOAT", ""},       {"REAL", ""},    {"DOUBLE PRECISION", ""},
      {"DECIMAL", ""},  {"DEC", ""},         {"NUMERIC", ""}, {"TIMESTAMP", ""},
      {"CHAR", ""},     {"CHARACTER", ""},   {"VARCHAR", ""}, {"CHARACTER VARYING", ""},
      {"SYMBOL", ""},   {"CLOB", ""},        {"SEXP", ""},    {"BAG", ""},
      {"DATE", ""},     {"TIME", ""},        {"ANY", ""},
  };
  for (const auto& [name, dynamodb_type] : kTypes) {
    if (KeywordEquals(type, name)) return std::string(dynamodb_type);
  }
  return std::nullopt;
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
    } else if (PeekKeyword("FROM")) {
      statement = ParseFromFirstUpdate();
    } else if (PeekKeyword("EXISTS") && Peek(1).text == "(" && PeekKeyword("SELECT", 2)) {
      statement = ParseExists();
    } else {
      return ParseExpressionStatement();
    }
    if (!statement.ok()) return statement;
    STREAMSTACK_RETURN_IF_ERROR(ExpectStatementEnd());
    if (!unsupported_.ok()) return unsupported_;
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

  // The end of the statement, after an optional semicolon.
  Status ExpectStatementEnd() {
    if (PeekPunct(";")) Advance();
    if (Peek().kind != TokenKind::kEnd) return NotWellFormed("Unexpected token after expression");
    return Status::Ok();
  }

  bool AtStatementEnd() const { return Peek().kind == TokenKind::kEnd || PeekPunct(";"); }

  // A statement that starts with none of the statement keywords. AWS's parser reads it as an
  // expression: one with a FROM-first clause in it needs a SET or REMOVE there ("Expected data
  // manipulation", as `SLECT * FROM t WHERE ...` answers), a type test is an operation
  // DynamoDB does not run ("Unsupported operation: IsType").
  Result<Statement> ParseExpressionStatement() {
    if (Peek().kind == TokenKind::kWord && !IsReservedKeyword(Peek().text) &&
        !IsOperatorKeyword(Peek().text)) {
      for (size_t i = pos_; i < tokens_.size(); ++i) {
        if (tokens_[i].kind == TokenKind::kWord && KeywordEquals(tokens_[i].text, "FROM")) {
          pos_ = i;
          auto from_first = ParseFromFirstUpdate();
          if (!from_first.ok()) return from_first.status();
          return NotWellFormed("Unexpected keyword");
        }
      }
      auto expression = ParseOr();
      if (!expression.ok()) return expression.status();
      STREAMSTACK_RETURN_IF_ERROR(ExpectStatementEnd());
      if (expression->kind == Expr::Kind::kIsType) {
        return ValidationError("Unsupported operation: IsType");
      }
    }
    return NotWellFormed("Unexpected keyword");
  }

  Result<std::string> ParseIdentifier() {
    const Token& t = Peek();
    if ((t.kind != TokenKind::kWord && t.kind != TokenKind::kQuoted) ||
        (t.kind == TokenKind::kWord && IsReservedKeyword(t.text))) {
      return NotWellFormed("Expected identifier for simple path");
    }
    return Advance().text;
  }

  // Where a term (an operand, a condition) must start: AWS's words for what stands there
  // instead.
  Status ExpectTermStart() {
    if (AtStatementEnd()) return NotWellFormed("Unexpected term");
    const Token& t = Peek();
    if (t.kind == TokenKind::kWord && IsOperatorKeyword(t.text)) {
      return NotWellFormed("Unexpected operator");
    }
    if (t.kind == TokenKind::kWord && IsReservedKeyword(t.text)) {
      return NotWellFormed("Unexpected keyword");
    }
    return Status::Ok();
  }

  // After an infix operator, its right-hand side.
  Status ExpectRightHandSide() {
    if (AtStatementEnd()) {
      return NotWellFormed("Missing right-hand side expression of infix operator");
    }
    return ExpectTermStart();
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
        if (Peek().kind == TokenKind::kWord && IsReservedKeyword(Peek().text)) {
          return NotWellFormed("Invalid path dot component");
        }
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
    if (Peek().kind == TokenKind::kWord && Peek(1).kind == TokenKind::kPunct &&
        Peek(1).text == "(") {
      // A function call where a value must stand (set_add in an INSERT's item).
      return ValidationError("Unsupported data type: " + Lower(Peek().text) + " under key " +
                             where + " at " + Position(Peek()));
    }
    return NotWellFormed("Unexpected term");
  }

  static Result<AttributeValue> MakeSet(const std::vector<AttributeValue>& elements) {
    if (elements.empty()) return ValidationError("Empty bags are not supported");
    AttributeType type = elements[0].type();
    for (const auto& e : elements) {
      if (e.type() != type) return NotWellFormed("Set elements must all be of one type");
    }
    for (size_t i = 0; i < elements.size(); ++i) {
      for (size_t j = i + 1; j < elements.size(); ++j) {
        if (!(elements[i] == elements[j])) continue;
        // AWS lists the members as written, unquoted (recorded for strings; numbers assumed
        // to follow, in their canonical text).
        std::string listing;
        for (const auto& e : elements) {
          listing +=
              (listing.empty() ? "" : ", ") + (type == AttributeType::kN   ? e.n().ToString()
                                               : type == AttributeType::kB ? Base64Encode(e.b())
                                                                           : e.s());
        }
        return ValidationError("One or more parameter values were invalid: Input collection [" +
                               listing + "] contains duplicates.");
      }
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

  // The functions a WHERE condition may call (DynamoDB's condition functions), and those an
  // UPDATE's SET may assign from.
  static bool IsConditionFunction(const std::string& word) {
    for (std::string_view f : {"BEGINS_WITH", "CONTAINS", "ATTRIBUTE_TYPE", "SIZE",
                               "ATTRIBUTE_EXISTS", "ATTRIBUTE_NOT_EXISTS"}) {
      if (KeywordEquals(word, f)) return true;
    }
    return false;
  }
  static bool IsUpdateFunction(const std::string& word) {
    for (std::string_view f : {"LIST_APPEND", "IF_NOT_EXISTS", "SET_ADD", "SET_DELETE", "SIZE"}) {
      if (KeywordEquals(word, f)) return true;
    }
    return false;
  }
  // The condition functions whose value is true or false, not an operand.
  static bool IsBooleanFunction(const std::string& name) {
    return name == "begins_with" || name == "contains" || name == "attribute_type" ||
           name == "attribute_exists" || name == "attribute_not_exists";
  }

  bool PeekCall() const {
    return Peek().kind == TokenKind::kWord && Peek(1).kind == TokenKind::kPunct &&
           Peek(1).text == "(";
  }

  Result<Expr> ParseFunction(bool in_where) {
    const Token name = Peek();
    if (in_where ? !IsConditionFunction(name.text) : !IsUpdateFunction(name.text)) {
      if (in_where) {
        return ValidationError("Unrecognized function: " + Lower(name.text) + " at " +
                               Position(name));
      }
      return NotWellFormed("Unexpected term");
    }
    Advance();
    Expr e;
    e.kind = Expr::Kind::kFunction;
    e.op = Lower(name.text);
    e.position = Position(name);
    STREAMSTACK_RETURN_IF_ERROR(ExpectPunct("("));
    while (!PeekPunct(")")) {
      e.arg_positions.push_back(Position(Peek()));
      auto arg = ParseOperand(in_where);
      if (!arg.ok()) return arg.status();
      e.args.push_back(std::move(arg).value());
      if (PeekPunct(",")) {
        Advance();
        continue;
      }
      if (!PeekPunct(")")) return NotWellFormed("Expected )");
    }
    Advance();
    if (e.op == "attribute_exists" || e.op == "attribute_not_exists") {
      // DynamoDB's own condition-function checks, in its words.
      if (e.args.size() != 1) {
        return ValidationError(
            "Incorrect number of operands for operator or function; operator or function: " + e.op +
            ", number of operands: " + std::to_string(e.args.size()));
      }
      if (e.args[0].kind != Expr::Kind::kPath) {
        return ValidationError(
            "Operator or function requires a document path; operator or function: " + e.op);
      }
    }
    return e;
  }

  Result<Expr> ParseOperand(bool in_where = true) {
    STREAMSTACK_RETURN_IF_ERROR(ExpectTermStart());
    if (PeekValueStart()) {
      auto v = ParseValue("root");
      if (!v.ok()) return v.status();
      Expr e;
      e.kind = Expr::Kind::kValue;
      e.value = std::move(v).value();
      return e;
    }
    if (PeekCall()) return ParseFunction(in_where);
    auto path = ParsePath();
    if (!path.ok()) return path.status();
    Expr e;
    e.kind = Expr::Kind::kPath;
    e.path = std::move(path).value();
    return e;
  }

  // `x IS [NOT] <type>`, after the IS.
  Result<Expr> ParseIsTest(Expr subject) {
    bool negated = false;
    if (PeekKeyword("NOT")) {
      Advance();
      negated = true;
    }
    Expr e;
    e.args.push_back(std::move(subject));
    if (PeekKeyword("MISSING")) {
      e.kind = negated ? Expr::Kind::kIsNotMissing : Expr::Kind::kIsMissing;
      Advance();
      return e;
    }
    if (PeekKeyword("NULL")) {
      e.kind = negated ? Expr::Kind::kIsNotNull : Expr::Kind::kIsNull;
      Advance();
      return e;
    }
    if (Peek().kind != TokenKind::kWord) return NotWellFormed("Expected type name");
    std::string type = Peek().text;
    // The two-word type names.
    if ((KeywordEquals(type, "DOUBLE") && PeekKeyword("PRECISION", 1)) ||
        (KeywordEquals(type, "CHARACTER") && PeekKeyword("VARYING", 1))) {
      Advance();
      type += " " + Peek().text;
    }
    auto tested = TypeTestOf(type);
    if (!tested) return NotWellFormed("Expected type name");
    Advance();
    // A PartiQL type DynamoDB has no test for: refused once the statement has parsed.
    if (tested->empty() && unsupported_.ok()) {
      unsupported_ = ValidationError("Unsupported operation: IsType");
    }
    e.kind = Expr::Kind::kIsType;
    e.op = *tested;
    if (!negated) return e;
    Expr n;
    n.kind = Expr::Kind::kNot;
    n.args.push_back(std::move(e));
    return n;
  }

  Result<Expr> ParsePredicate() {
    STREAMSTACK_RETURN_IF_ERROR(ExpectTermStart());
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
        STREAMSTACK_RETURN_IF_ERROR(ExpectRightHandSide());
        auto right = ParseOperand();
        if (!right.ok()) return right;
        Expr e;
        e.kind = Expr::Kind::kCompare;
        e.op = std::string(op) == "!=" ? "<>" : op;
        e.args = {std::move(left).value(), std::move(right).value()};
        return BooleanComparison(std::move(e));
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
      return ParseIsTest(std::move(left).value());
    }
    if (left->kind == Expr::Kind::kFunction) return left;  // begins_with(...), contains(...)
    return NotWellFormed("Expected a comparison");
  }

  // `attribute_exists(a) = true` is the function itself, `... = false` (or `<> true`) its
  // negation: DynamoDB's expressions compare no truth values.
  static Expr BooleanComparison(Expr e) {
    if (e.op != "=" && e.op != "<>") return e;
    for (size_t i = 0; i < 2; ++i) {
      const Expr& function = e.args[i];
      const Expr& truth = e.args[1 - i];
      if (function.kind != Expr::Kind::kFunction || !IsBooleanFunction(function.op) ||
          truth.kind != Expr::Kind::kValue || truth.value.type() != AttributeType::kBool) {
        continue;
      }
      const bool holds = truth.value.boolean() == (e.op == "=");
      Expr out = function;
      if (holds) return out;
      Expr negation;
      negation.kind = Expr::Kind::kNot;
      negation.args.push_back(std::move(out));
      return negation;
    }
    return e;
  }

  Result<Expr> ParseNot() {
    STREAMSTACK_RETURN_IF_ERROR(ExpectTermStart());
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
      STREAMSTACK_RETURN_IF_ERROR(ExpectRightHandSide());
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
      STREAMSTACK_RETURN_IF_ERROR(ExpectRightHandSide());
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
        if (PeekCall()) {
          // A call parses (COUNT(*) is PartiQL) but names no attribute: refused once the
          // table is known, after AWS's refusals of the table itself.
          if (s.projection_error.ok()) {
            s.projection_error =
                ValidationError("Unexpected path component at " + Position(Peek()));
          }
          Advance();
          int depth = 0;
          do {
            if (PeekPunct("(")) ++depth;
            if (PeekPunct(")")) --depth;
            if (Peek().kind == TokenKind::kEnd) return NotWellFormed("Expected )");
            Advance();
          } while (depth > 0);
          if (!PeekPunct(",")) break;
          Advance();
          continue;
        }
        auto path = ParsePath();
        if (!path.ok()) return path.status();
        s.projection.push_back(std::move(path).value());
        if (!PeekPunct(",")) break;
        Advance();
      }
    }
    STREAMSTACK_RETURN_IF_ERROR(ExpectKeyword("FROM"));
    // SELECT's source is a term; DELETE's and UPDATE's target is a simple path.
    if (AtStatementEnd()) return NotWellFormed("Unexpected term");
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

  // `EXISTS(SELECT ...)`: a condition check, in ExecuteTransaction.
  Result<Statement> ParseExists() {
    Advance();  // EXISTS
    Advance();  // (
    auto select = ParseSelect();
    if (!select.ok()) return select;
    STREAMSTACK_RETURN_IF_ERROR(ExpectPunct(")"));
    select->kind = Statement::Kind::kExists;
    return select;
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

  // SET and REMOVE clauses, as many as follow each other.
  Status ParseUpdateActions(Statement& s) {
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
          STREAMSTACK_RETURN_IF_ERROR(CheckSetFunction(action));
        } else {
          action.kind = UpdateAction::Kind::kRemove;
        }
        s.updates.push_back(std::move(action));
        if (!PeekPunct(",")) break;
        Advance();
      }
    }
    return Status::Ok();
  }

  // set_add / set_delete: AWS's checks, with the place they name.
  static Status CheckSetFunction(const UpdateAction& action) {
    const Expr& v = action.value;
    if (v.kind != Expr::Kind::kFunction || (v.op != "set_add" && v.op != "set_delete")) {
      return Status::Ok();
    }
    const std::string name = Upper(v.op);
    if (v.args.size() != 2) {
      return ValidationError(name + " must have exactly two arguments at " + v.position);
    }
    if (v.args[0].kind != Expr::Kind::kPath || v.args[0].path != action.path) {
      return ValidationError("The first argument to " + name +
                             " must equal the assignment value at " + v.position);
    }
    if (v.args[1].kind != Expr::Kind::kValue || !v.args[1].value.IsSet()) {
      // AWS names the place of the first argument here.
      return ValidationError("The second argument to " + name +
                             " must be a value with type SET at " + v.arg_positions[0]);
    }
    return Status::Ok();
  }

  Result<Statement> ParseUpdate() {
    Advance();  // UPDATE
    Statement s;
    s.kind = Statement::Kind::kUpdate;
    auto table = ParseIdentifier();
    if (!table.ok()) return table.status();
    s.table_name = *table;
    STREAMSTACK_RETURN_IF_ERROR(RejectAlias({"SET", "REMOVE"}));
    STREAMSTACK_RETURN_IF_ERROR(ParseUpdateActions(s));
    if (s.updates.empty()) return NotWellFormed("Expected SET or REMOVE");
    STREAMSTACK_RETURN_IF_ERROR(ParseWhere(s, true));
    STREAMSTACK_RETURN_IF_ERROR(ParseReturning(s));
    return s;
  }

  // The FROM-first UPDATE: `FROM t [WHERE ...] SET ... | REMOVE ... [RETURNING ...]`. Without a
  // WHERE it parses, and is refused where the key is looked for.
  Result<Statement> ParseFromFirstUpdate() {
    Advance();  // FROM
    Statement s;
    s.kind = Statement::Kind::kUpdate;
    auto table = ParseIdentifier();
    if (!table.ok()) return table.status();
    s.table_name = *table;
    STREAMSTACK_RETURN_IF_ERROR(RejectAlias({"WHERE", "SET", "REMOVE"}));
    STREAMSTACK_RETURN_IF_ERROR(ParseWhere(s, false));
    STREAMSTACK_RETURN_IF_ERROR(ParseUpdateActions(s));
    if (s.updates.empty()) return NotWellFormed("Expected data manipulation");
    STREAMSTACK_RETURN_IF_ERROR(ParseReturning(s));
    return s;
  }

  Result<Expr> ParseSetValue() {
    auto left = ParseOperand(/*in_where=*/false);
    if (!left.ok()) return left;
    if (PeekPunct("+") || PeekPunct("-")) {
      Expr e;
      e.kind = Expr::Kind::kArithmetic;
      e.op = Advance().text;
      auto right = ParseOperand(/*in_where=*/false);
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
  // The first construct that parsed but DynamoDB does not run; answered once the whole
  // statement has parsed.
  Status unsupported_ = Status::Ok();
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
    case Expr::Kind::kIsType: {
      std::string subject = Operand(e.args[0]);
      return "attribute_type(" + subject + ", " + Value(AttributeValue::String(e.op)) + ")";
    }
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
