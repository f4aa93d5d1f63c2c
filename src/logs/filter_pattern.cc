// CloudWatch Logs filter patterns: parsed once per request, matched once per event.
// The three pattern families (unstructured terms, JSON, space-delimited) share one value model,
// Comparison, so that "=", "!=", "*" and numbers mean the same thing after a JSON selector and
// after a space-delimited field name.
//
// Sources for the behaviour below: AWS's "Filter pattern syntax for metric filters,
// subscription filters, filter log events, and Live Tail" (current and the archived
// awsdocs/amazon-cloudwatch-logs-user-guide copy), and answers AWS's TestMetricFilter gave to a
// third-party JSON-filter test suite ("recorded" below). Where neither says, the choice is
// noted as ours.

#include "streamstack/logs/filter_pattern.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace streamstack::logs {

// One subclass per pattern family; immutable after Parse(), so Matches() needs no locking.
struct FilterPattern::Node {
  virtual ~Node() = default;
  virtual bool Matches(std::string_view message) const = 0;
};

namespace {

using nlohmann::json;
using NodePtr = std::shared_ptr<const FilterPattern::Node>;

// AWS: "There is a limit of 2 regex for each filter pattern when creating a delimited or JSON
// filter pattern ... or when filtering log events or Live Tail."
constexpr int kMaxRegexesPerStructuredPattern = 2;
// Parentheses deeper than this are refused rather than risking the parser's stack on a
// hostile pattern; no real pattern comes close.
constexpr int kMaxNesting = 32;

// ---------------------------------------------------------------------------------------
// Errors. AWS's words where they are on record: "Invalid character(s) in term '...'" (quoting
// the first offending character of an unstructured term or regex, the whole offending value of
// a comparison, or a selector up to its first bad character) and the brace message; "Invalid
// filter pattern" otherwise.

Status InvalidPattern() { return {AwsError::kInvalidParameterException, "Invalid filter pattern"}; }

Status InvalidTerm(std::string_view term) {
  return {AwsError::kInvalidParameterException,
          "Invalid character(s) in term '" + std::string(term) + "'"};
}

// AWS's wording for '{'; the '[' form is ours, by analogy.
Status UnclosedPattern(char open, char close) {
  return {AwsError::kInvalidParameterException, std::string("If a filter pattern starts with '") +
                                                    open + "' it must end with '" + close + "'"};
}

// ---------------------------------------------------------------------------------------
// Characters.

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAsciiAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool IsNonAscii(char c) { return static_cast<unsigned char>(c) >= 0x80; }

bool IsOneOf(char c, std::string_view set) { return set.find(c) != std::string_view::npos; }

// The character starting at s[i], whole: error messages quote it, and a message cut inside a
// UTF-8 sequence could not be written out as JSON.
std::string_view CharAt(std::string_view s, std::size_t i) {
  std::size_t end = i + 1;
  while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
  return s.substr(i, end - i);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

// ---------------------------------------------------------------------------------------
// Numbers. AWS's NUMBER: "an integer or a decimal with an optional + or - sign, optionally
// followed by e and an integer with an optional sign". Integers compare exactly, anything else
// as doubles.

struct Number {
  double value = 0;
  std::optional<std::int64_t> integer;
};

std::size_t SkipDigits(std::string_view s, std::size_t i) {
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i;
}

bool LooksLikeNumber(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  std::size_t end = SkipDigits(s, i);
  if (end < s.size() && s[end] == '.') end = SkipDigits(s, end + 1);
  if (end == i || (end == i + 1 && s[i] == '.')) return false;  // no digits at all
  if (end < s.size() && (s[end] == 'e' || s[end] == 'E')) {
    std::size_t exp = end + 1;
    if (exp < s.size() && (s[exp] == '+' || s[exp] == '-')) ++exp;
    end = SkipDigits(s, exp);
    if (end == exp) return false;
  }
  return end == s.size();
}

std::optional<Number> ParseNumber(std::string_view s) {
  if (!LooksLikeNumber(s)) return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);  // from_chars takes no '+'
  Number n;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n.value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;  // e.g. 1e999
  if (s.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t i = 0;
    const auto [iend, iec] = std::from_chars(s.data(), s.data() + s.size(), i);
    if (iec == std::errc() && iend == s.data() + s.size()) n.integer = i;
  }
  return n;
}

Number NumberOf(const json& v) {
  Number n;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    n.value = static_cast<double>(u);
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      n.integer = static_cast<std::int64_t>(u);
    }
  } else if (v.is_number_integer()) {
    n.integer = v.get<std::int64_t>();
    n.value = static_cast<double>(*n.integer);
  } else {
    n.value = v.get<double>();
  }
  return n;
}

int CompareNumbers(const Number& a, const Number& b) {
  if (a.integer && b.integer) return (*a.integer > *b.integer) - (*a.integer < *b.integer);
  return (a.value > b.value) - (a.value < b.value);
}

// The text a JSON number is matched as by "*" wildcards and regexes. A float keeps its ".0":
// recorded, { $.f != "12" } matches {"f": 12.0}.
std::string_view JsonNumberText(const json& v, std::array<char, 64>& buf) {
  char* const first = buf.data();
  char* last = buf.data() + buf.size();
  std::to_chars_result r{};
  if (v.is_number_unsigned()) {
    r = std::to_chars(first, last, v.get<std::uint64_t>());
  } else if (v.is_number_integer()) {
    r = std::to_chars(first, last, v.get<std::int64_t>());
  } else {
    r = std::to_chars(first, last - 2, v.get<double>());
    if (std::string_view(first, r.ptr - first).find_first_of(".eEn") == std::string_view::npos) {
      *r.ptr++ = '.';
      *r.ptr++ = '0';
    }
  }
  return {first, static_cast<std::size_t>(r.ptr - first)};
}

// ---------------------------------------------------------------------------------------
// Pattern strings.

// The text between a pattern's double quotes. \" and \\ stand for the quote and the backslash;
// other escapes stay as written. With `split_at_stars`, every unescaped '*' ends a piece (a
// wildcard) and \* is a literal star; without it there is exactly one piece.
std::vector<std::string> DecodeQuoted(std::string_view body, bool split_at_stars) {
  std::vector<std::string> pieces(1);
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    const char next = i + 1 < body.size() ? body[i + 1] : '\0';
    if (c == '\\' && (next == '"' || next == '\\' || (split_at_stars && next == '*'))) {
      pieces.back() += next;
      ++i;
    } else if (c == '*' && split_at_stars) {
      pieces.emplace_back();
    } else {
      pieces.back() += c;
    }
  }
  return pieces;
}

std::vector<std::string> SplitAtStars(std::string_view text) {
  std::vector<std::string> pieces(1);
  for (char c : text) {
    if (c == '*') {
      pieces.emplace_back();
    } else {
      pieces.back() += c;
    }
  }
  return pieces;
}

// A string value with '*' wildcards (= and != in JSON and space-delimited patterns).
class Wildcard {
 public:
  // `pieces` is the literal text between the stars; a single piece means no wildcard.
  explicit Wildcard(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}

  bool Matches(std::string_view text) const {
    if (pieces_.size() == 1) return text == pieces_.front();
    if (!text.starts_with(pieces_.front())) return false;
    std::size_t pos = pieces_.front().size();
    for (std::size_t i = 1; i + 1 < pieces_.size(); ++i) {
      const std::size_t at = text.find(pieces_[i], pos);
      if (at == std::string_view::npos) return false;
      pos = at + pieces_[i].size();
    }
    const std::string& last = pieces_.back();
    if (last.empty()) return true;
    // AWS takes the first occurrence of the last piece and does not look further: recorded,
    // "111.111.111.111" matches "*.111.111.111" but neither "*111.111.111" nor "111*111".
    const std::size_t at = text.find(last, pos);
    return at != std::string_view::npos && at + last.size() == text.size();
  }

 private:
  std::vector<std::string> pieces_;
};

// ---------------------------------------------------------------------------------------
// Regular expressions: %...%, AWS's restricted syntax, searched for anywhere in the text.

// libstdc++'s default (backtracking) executor recurses once per input character, about 260
// bytes of stack each: a 4,000-byte event against %a.*b% overflows a 1 MiB stack. Its
// polynomial executor does not recurse per character but is about 4x slower (1.1 vs 4.6 us on
// a 110-byte event). Events up to kBacktrackingLimit bytes take the fast one; AWS regexes
// have no groups, so both give the same answers.
constexpr std::size_t kBacktrackingLimit = 1024;
#if defined(__GLIBCXX__)
constexpr std::regex::flag_type kLongTextFlags =
    std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
constexpr std::regex::flag_type kLongTextFlags = std::regex::ECMAScript;
#endif

// AWS allows alphanumerics, the symbols : _ # = @ / ; , - and the operators
// ^ $ ? [ ] { } | \ * + . -- no parentheses, no spaces, no multi-byte characters.
bool IsRegexChar(char c) { return IsAsciiAlnum(c) || IsOneOf(c, ":_#=@/;,-^$?[]{}|\\*+."); }

class Regex {
 public:
  // `written` is the pattern text with its enclosing '%'s.
  static Result<Regex> Compile(std::string_view written) {
    const std::string_view body = written.substr(1, written.size() - 2);
    if (body.empty()) return InvalidPattern();
    const auto bad = std::find_if_not(body.begin(), body.end(), IsRegexChar);
    if (bad != body.end()) return InvalidTerm(CharAt(body, bad - body.begin()));
    try {
      return Regex(std::regex(body.begin(), body.end(), std::regex::ECMAScript),
                   std::regex(body.begin(), body.end(), kLongTextFlags));
    } catch (const std::regex_error&) {
      return InvalidPattern();  // e.g. %[a-% or %a{2,1}%
    }
  }

  bool FoundIn(std::string_view text) const {
    return std::regex_search(text.begin(), text.end(),
                             text.size() <= kBacktrackingLimit ? short_text_ : long_text_);
  }

 private:
  Regex(std::regex short_text, std::regex long_text)
      : short_text_(std::move(short_text)), long_text_(std::move(long_text)) {}

  std::regex short_text_;
  std::regex long_text_;
};

// ---------------------------------------------------------------------------------------
// Comparison: "op value" after a JSON selector or a space-delimited field name.

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

bool IsOrdering(CompareOp op) { return op != CompareOp::kEq && op != CompareOp::kNe; }

class Comparison {
 public:
  using Operand = std::variant<Number, Wildcard, Regex>;
  Comparison(CompareOp op, Operand operand) : op_(op), operand_(std::move(operand)) {}

  // A space-delimited field, or a JSON string. Text that reads as a number compares as one
  // against a bare number ({"code": "404"} matches code = 404, as field 404 does in a
  // space-delimited event); this is our choice, AWS's answer is not on record.
  bool OnText(std::string_view text) const {
    if (std::holds_alternative<Number>(operand_)) return Holds(text, ParseNumber(text));
    return Holds(text, std::nullopt);
  }

  // Booleans, null, objects and arrays never compare, not even with "!=". AWS: "both
  // {$.users = 1} and {$.users != 1} will fail to match" an array; recorded, the same for
  // objects. Booleans and null are ours by analogy (IS TRUE / IS NULL test those).
  bool OnJson(const json& v) const {
    if (v.is_string()) return OnText(v.get_ref<const std::string&>());
    if (!v.is_number()) return false;
    if (std::holds_alternative<Number>(operand_)) return Holds({}, NumberOf(v));
    std::array<char, 64> buf;
    return Holds(JsonNumberText(v, buf), NumberOf(v));
  }

 private:
  // `number` is `text` read as a number, when it is one.
  bool Holds(std::string_view text, const std::optional<Number>& number) const {
    if (const Number* expected = std::get_if<Number>(&operand_)) {
      // Recorded: { $.s != 111 } matches a non-numeric string, { $.s > 123 } does not.
      if (!number) return op_ == CompareOp::kNe;
      return Ordered(CompareNumbers(*number, *expected));
    }
    const bool equal = std::holds_alternative<Wildcard>(operand_)
                           ? std::get<Wildcard>(operand_).Matches(text)
                           : std::get<Regex>(operand_).FoundIn(text);
    return op_ == CompareOp::kEq ? equal : !equal;
  }

  bool Ordered(int cmp) const {
    switch (op_) {
      case CompareOp::kEq:
        return cmp == 0;
      case CompareOp::kNe:
        return cmp != 0;
      case CompareOp::kLt:
        return cmp < 0;
      case CompareOp::kLe:
        return cmp <= 0;
      case CompareOp::kGt:
        return cmp > 0;
      case CompareOp::kGe:
        return cmp >= 0;
    }
    return false;
  }

  CompareOp op_;
  Operand operand_;
};

// ---------------------------------------------------------------------------------------
// Logic: && and || over leaves, "()" > "&&" > "||" (AWS: "standard order of operations").

template <typename Leaf>
class Logic {
 public:
  enum class Kind { kLeaf, kAll, kAny };

  static Logic Of(Leaf leaf) { return Logic(Kind::kLeaf, std::move(leaf), {}); }
  static Logic Combine(Kind kind, std::vector<Logic> children) {
    return Logic(kind, std::nullopt, std::move(children));
  }

  template <typename Eval>
  bool Evaluate(const Eval& eval) const {
    switch (kind_) {
      case Kind::kLeaf:
        return eval(*leaf_);
      case Kind::kAll:
        return std::all_of(children_.begin(), children_.end(),
                           [&](const Logic& c) { return c.Evaluate(eval); });
      case Kind::kAny:
        return std::any_of(children_.begin(), children_.end(),
                           [&](const Logic& c) { return c.Evaluate(eval); });
    }
    return false;
  }

 private:
  Logic(Kind kind, std::optional<Leaf> leaf, std::vector<Logic> children)
      : kind_(kind), leaf_(std::move(leaf)), children_(std::move(children)) {}

  Kind kind_;
  std::optional<Leaf> leaf_;
  std::vector<Logic> children_;
};

// ---------------------------------------------------------------------------------------
// Tokens of JSON and space-delimited pattern bodies.

enum class TokenKind {
  kLParen,
  kRParen,
  kAnd,
  kOr,
  kComma,
  kCompare,
  kQuoted,
  kRegex,
  kSelector,
  kWord
};

struct Token {
  TokenKind kind;
  std::string_view text;  // as written, quotes and '%'s included
  CompareOp op = CompareOp::kEq;
};

// Characters that end a bare word (and a selector): they start the next token.
constexpr std::string_view kWordBreaks = "()&|,=!<>\"%";

// Length of the quoted string at the start of `s` (s[0] == '"'), or 0 when unterminated.
std::size_t ScanQuoted(std::string_view s) {
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return 0;
}

std::size_t ScanRegex(std::string_view s) {
  const std::size_t close = s.find('%', 1);
  return close == std::string_view::npos ? 0 : close + 1;
}

// A selector runs to a space or an operator; a quoted member name (['a b']) may hold either.
// A '"' does not end it, so that Selector::Parse can refuse $."name" the way AWS does.
std::size_t ScanSelector(std::string_view s) {
  std::size_t i = 1;
  while (i < s.size() && !IsSpace(s[i]) && !IsOneOf(s[i], "()&|,=!<>%")) {
    if (s[i] == '\'' && s[i - 1] == '[') {
      const std::size_t close = s.find('\'', i + 1);
      i = close == std::string_view::npos ? s.size() : close + 1;
    } else {
      ++i;
    }
  }
  return i;
}

std::size_t ScanWord(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && !IsSpace(s[i]) && !IsOneOf(s[i], kWordBreaks)) ++i;
  return i;
}

std::optional<Token> ScanCompare(std::string_view s) {
  const bool eq_next = s.size() > 1 && s[1] == '=';
  switch (s[0]) {
    case '=':
      return Token{TokenKind::kCompare, s.substr(0, 1), CompareOp::kEq};
    case '!':
      if (!eq_next) return std::nullopt;
      return Token{TokenKind::kCompare, s.substr(0, 2), CompareOp::kNe};
    case '<':
      return Token{TokenKind::kCompare, s.substr(0, eq_next ? 2 : 1),
                   eq_next ? CompareOp::kLe : CompareOp::kLt};
    case '>':
      return Token{TokenKind::kCompare, s.substr(0, eq_next ? 2 : 1),
                   eq_next ? CompareOp::kGe : CompareOp::kGt};
    default:
      return std::nullopt;
  }
}

std::optional<Token> ScanPair(std::string_view s, char c, TokenKind kind) {
  if (s.size() < 2 || s[1] != c) return std::nullopt;
  return Token{kind, s.substr(0, 2)};
}

std::optional<Token> ScanLength(std::string_view s, std::size_t length, TokenKind kind) {
  if (length == 0) return std::nullopt;
  return Token{kind, s.substr(0, length)};
}

// The token at the start of `s` (non-empty, no leading space), or nullopt when malformed.
std::optional<Token> NextToken(std::string_view s) {
  switch (s[0]) {
    case '(':
      return Token{TokenKind::kLParen, s.substr(0, 1)};
    case ')':
      return Token{TokenKind::kRParen, s.substr(0, 1)};
    case ',':
      return Token{TokenKind::kComma, s.substr(0, 1)};
    case '&':
      return ScanPair(s, '&', TokenKind::kAnd);
    case '|':
      return ScanPair(s, '|', TokenKind::kOr);
    case '=':
    case '!':
    case '<':
    case '>':
      return ScanCompare(s);
    case '"':
      return ScanLength(s, ScanQuoted(s), TokenKind::kQuoted);
    case '%':
      return ScanLength(s, ScanRegex(s), TokenKind::kRegex);
    case '$':
      return ScanLength(s, ScanSelector(s), TokenKind::kSelector);
    default:
      return ScanLength(s, ScanWord(s), TokenKind::kWord);
  }
}

Result<std::vector<Token>> Tokenize(std::string_view body) {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  while (true) {
    while (pos < body.size() && IsSpace(body[pos])) ++pos;
    if (pos == body.size()) return tokens;
    const std::optional<Token> token = NextToken(body.substr(pos));
    if (!token) return InvalidPattern();  // unterminated quote or regex, lone '&', '|' or '!'
    tokens.push_back(*token);
    pos += token->text.size();
  }
}

class TokenStream {
 public:
  explicit TokenStream(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  bool AtEnd() const { return next_ == tokens_.size(); }
  bool NextIs(TokenKind kind) const { return !AtEnd() && tokens_[next_].kind == kind; }
  bool AfterNextIs(TokenKind kind) const {
    return next_ + 1 < tokens_.size() && tokens_[next_ + 1].kind == kind;
  }
  const Token* Peek() const { return AtEnd() ? nullptr : &tokens_[next_]; }
  const Token* Take() { return AtEnd() ? nullptr : &tokens_[next_++]; }
  bool TakeIf(TokenKind kind) {
    if (!NextIs(kind)) return false;
    ++next_;
    return true;
  }

 private:
  std::vector<Token> tokens_;
  std::size_t next_ = 0;
};

// Recursive descent over && / || / parentheses; `parse_leaf` reads one condition.
template <typename Leaf>
class LogicParser {
 public:
  using LeafParser = std::function<Result<Leaf>(TokenStream&)>;
  LogicParser(TokenStream& tokens, LeafParser parse_leaf)
      : tokens_(tokens), parse_leaf_(std::move(parse_leaf)) {}

  Result<Logic<Leaf>> Parse() { return ParseList(TokenKind::kOr, 0); }

 private:
  // A list of operands joined by `joiner` (|| joins &&-lists, && joins units).
  Result<Logic<Leaf>> ParseList(TokenKind joiner, int depth) {
    std::vector<Logic<Leaf>> items;
    do {
      Result<Logic<Leaf>> item =
          joiner == TokenKind::kOr ? ParseList(TokenKind::kAnd, depth) : ParseUnit(depth);
      if (!item) return item;
      items.push_back(std::move(item).value());
    } while (tokens_.TakeIf(joiner));
    if (items.size() == 1) return std::move(items.front());
    const auto kind = joiner == TokenKind::kOr ? Logic<Leaf>::Kind::kAny : Logic<Leaf>::Kind::kAll;
    return Logic<Leaf>::Combine(kind, std::move(items));
  }

  Result<Logic<Leaf>> ParseUnit(int depth) {
    if (!tokens_.TakeIf(TokenKind::kLParen)) {
      Result<Leaf> leaf = parse_leaf_(tokens_);
      if (!leaf) return std::move(leaf).take_status();
      return Logic<Leaf>::Of(std::move(leaf).value());
    }
    if (depth >= kMaxNesting) return InvalidPattern();
    Result<Logic<Leaf>> inner = ParseList(TokenKind::kOr, depth + 1);
    if (inner && !tokens_.TakeIf(TokenKind::kRParen)) return InvalidPattern();
    return inner;
  }

  TokenStream& tokens_;
  LeafParser parse_leaf_;
};

// ---------------------------------------------------------------------------------------
// Values after an operator, shared by JSON and space-delimited patterns.

// AWS: unquoted strings may not hold "unicode and other characters such as '@', '$', '\'";
// we also refuse the brackets and the backtick, and allow the rest ('.', '-', ':', '*' ...).
bool IsBareValueChar(char c) { return !IsNonAscii(c) && !IsOneOf(c, "@$\\`[]{}'"); }

Result<Comparison::Operand> ParseOperand(CompareOp op, const Token& value, int* regexes) {
  switch (value.kind) {
    case TokenKind::kRegex: {
      // Regexes, quoted strings and wildcards only compare with = and != (recorded:
      // { $.n >= "123" } is refused with the value quoted in the message).
      if (IsOrdering(op)) return InvalidTerm(value.text);
      if (++*regexes > kMaxRegexesPerStructuredPattern) return InvalidPattern();
      Result<Regex> regex = Regex::Compile(value.text);
      if (!regex) return std::move(regex).take_status();
      return Comparison::Operand(std::move(regex).value());
    }
    case TokenKind::kQuoted:
      // Quoted text is always a string: recorded, { $.n = "123" } compares 123's text.
      if (IsOrdering(op)) return InvalidTerm(value.text);
      return Comparison::Operand(
          Wildcard(DecodeQuoted(value.text.substr(1, value.text.size() - 2), true)));
    case TokenKind::kWord: {
      if (!std::all_of(value.text.begin(), value.text.end(), IsBareValueChar)) {
        return InvalidTerm(value.text);
      }
      if (std::optional<Number> number = ParseNumber(value.text))
        return Comparison::Operand(*number);
      if (IsOrdering(op)) return InvalidTerm(value.text);
      return Comparison::Operand(Wildcard(SplitAtStars(value.text)));
    }
    default:
      return InvalidPattern();
  }
}

// "op value" at the head of `tokens`.
Result<Comparison> ParseComparison(TokenStream& tokens, int* regexes) {
  const Token* op = tokens.Take();
  const Token* value = tokens.Take();
  if (op == nullptr || op->kind != TokenKind::kCompare || value == nullptr) {
    return InvalidPattern();  // an operator without operands, or a value without an operator
  }
  Result<Comparison::Operand> operand = ParseOperand(op->op, *value, regexes);
  if (!operand) return std::move(operand).take_status();
  return Comparison(op->op, std::move(operand).value());
}

// ---------------------------------------------------------------------------------------
// Unstructured patterns: terms, "phrases", %regex%, with ? (any of) and - (none of).

// One term of an unstructured pattern: a phrase found as a case-sensitive substring, or a
// regex. Phrases use string_view::find (memchr for the first byte): on 110-byte events it is
// 5x faster than libstdc++'s boyer_moore_horspool_searcher (19 vs 95 ns for three terms).
class Term {
 public:
  explicit Term(std::variant<std::string, Regex> what) : what_(std::move(what)) {}

  bool FoundIn(std::string_view text) const {
    if (const std::string* phrase = std::get_if<std::string>(&what_)) {
      return text.find(*phrase) != std::string_view::npos;
    }
    return std::get<Regex>(what_).FoundIn(text);
  }

 private:
  std::variant<std::string, Regex> what_;
};

enum class TermRole { kRequired, kOptional, kExcluded };

// AWS documents ERROR WARN (all), ?ERROR ?WARN (any) and ERROR -WARN (not) separately. When
// they are mixed we read the pattern as: every plain term, at least one '?' term (if there are
// any), and none of the '-' terms.
class UnstructuredPattern final : public FilterPattern::Node {
 public:
  void Add(TermRole role, Term term) { Terms(role).push_back(std::move(term)); }

  bool Matches(std::string_view message) const override {
    auto found = [message](const Term& term) { return term.FoundIn(message); };
    return std::all_of(required_.begin(), required_.end(), found) &&
           std::none_of(excluded_.begin(), excluded_.end(), found) &&
           (optional_.empty() || std::any_of(optional_.begin(), optional_.end(), found));
  }

 private:
  using TermList = std::vector<Term>;
  TermList& Terms(TermRole role) {
    return role == TermRole::kRequired ? required_
                                       : (role == TermRole::kOptional ? optional_ : excluded_);
  }

  TermList required_;
  TermList optional_;
  TermList excluded_;
};

// AWS: "terms that include characters other than alphanumeric or underscore must be placed
// inside double quotes". On record as refused, each reported as "Invalid character(s) in term
// 'c'" with the first such character alone: : , @ * ? ( [ \ ` ; with them we refuse the other
// brackets and the characters that open quotes, regexes and selectors. Other punctuation
// ('.', '-', '/', '=' ...) and non-ASCII letters are not on record, and we keep accepting them.
bool IsBareTermChar(char c) { return !IsOneOf(c, ":,@*?()[]{}\\`\"$%"); }

// The term at the start of `s` (non-empty): its length, or an error.
Result<std::size_t> ScanTerm(std::string_view s) {
  std::size_t length = 0;
  if (s[0] == '"') {
    length = ScanQuoted(s);
  } else if (s[0] == '%') {
    length = ScanRegex(s);
  } else {
    length = std::find_if(s.begin(), s.end(), IsSpace) - s.begin();
    const std::string_view word = s.substr(0, length);
    const auto bad = std::find_if_not(word.begin(), word.end(), IsBareTermChar);
    if (bad != word.end()) return InvalidTerm(std::string_view(&*bad, 1));
  }
  if (length == 0) return InvalidPattern();  // unterminated quote or regex
  return length;
}

// `written` is the term as scanned: "phrase", %regex% or a bare word.
Result<Term> MakeTerm(std::string_view written) {
  if (written[0] == '%') {
    Result<Regex> regex = Regex::Compile(written);
    if (!regex) return std::move(regex).take_status();
    return Term(std::move(regex).value());
  }
  if (written[0] == '"') {
    return Term(std::move(DecodeQuoted(written.substr(1, written.size() - 2), false)[0]));
  }
  return Term(std::string(written));
}

Result<NodePtr> ParseUnstructured(std::string_view text) {
  auto pattern = std::make_shared<UnstructuredPattern>();
  std::size_t pos = 0;
  while (true) {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
    if (pos == text.size()) return NodePtr(std::move(pattern));
    TermRole role = TermRole::kRequired;
    if (text[pos] == '?' || text[pos] == '-') {
      role = text[pos] == '?' ? TermRole::kOptional : TermRole::kExcluded;
      ++pos;
      // AWS's own example writes "ERROR" - "Exiting": a space may follow the '-'.
      while (role == TermRole::kExcluded && pos < text.size() && IsSpace(text[pos])) ++pos;
      if (pos == text.size() || IsSpace(text[pos])) return InvalidPattern();
    }
    Result<std::size_t> length = ScanTerm(text.substr(pos));
    if (!length) return std::move(length).take_status();
    Result<Term> term = MakeTerm(text.substr(pos, *length));
    if (!term) return std::move(term).take_status();
    pattern->Add(role, std::move(term).value());
    pos += *length;
  }
}

// ---------------------------------------------------------------------------------------
// JSON patterns: { $.a.b[0] = "x" && ($.n > 1 || $.f IS TRUE) }.

// $.a.b, $.a[0], $.a[*], $.*, $.['dotted.name']: the path from the event's root object.
class Selector {
 public:
  static Result<Selector> Parse(std::string_view text) {
    Selector selector;
    std::size_t pos = 1;  // past '$'
    while (pos < text.size()) {
      const std::size_t step_start = pos;
      const bool ok = text[pos] == '.' ? selector.ParseMember(text, &pos)
                                       : text[pos] == '[' && selector.ParseBracket(text, &pos);
      // Recorded: $."sc-status" is refused as "Invalid character(s) in term '$."'".
      if (!ok) {
        const std::size_t bad = std::min(std::max(pos, step_start), text.size() - 1);
        return InvalidTerm(text.substr(0, bad + CharAt(text, bad).size()));
      }
    }
    return selector;
  }

  // True when `pred` holds for a value the selector reaches ('*' steps reach several).
  template <typename Pred>
  bool AnyOf(const json& root, const Pred& pred) const {
    return AnyOfFrom(root, 0, pred);
  }

 private:
  struct Step {
    enum class Kind { kMember, kIndex, kAny } kind;
    std::string member;
    std::size_t index = 0;
  };

  // AWS: names are "alphanumeric strings that also support '-' and '_'"; we also take '@' and
  // ':' (common in log keys), and any name inside ['...'].
  static bool IsNameChar(char c) { return IsAsciiAlnum(c) || IsOneOf(c, "_-@:"); }

  bool ParseMember(std::string_view text, std::size_t* pos) {
    ++*pos;  // '.'
    if (*pos < text.size() && text[*pos] == '*') {
      steps_.push_back({Step::Kind::kAny, {}, 0});
      ++*pos;
      return true;
    }
    if (*pos < text.size() && text[*pos] == '[') return ParseBracket(text, pos);
    const std::size_t start = *pos;
    while (*pos < text.size() && IsNameChar(text[*pos])) ++*pos;
    if (*pos == start) return false;
    steps_.push_back({Step::Kind::kMember, std::string(text.substr(start, *pos - start)), 0});
    return true;
  }

  bool ParseBracket(std::string_view text, std::size_t* pos) {
    const std::size_t start = ++*pos;  // past '['
    if (*pos < text.size() && text[*pos] == '*') {
      steps_.push_back({Step::Kind::kAny, {}, 0});
      ++*pos;
    } else if (*pos < text.size() && text[*pos] == '\'') {
      const std::size_t close = text.find('\'', start + 1);
      if (close == std::string_view::npos) return false;
      steps_.push_back(
          {Step::Kind::kMember, std::string(text.substr(start + 1, close - start - 1)), 0});
      *pos = close + 1;
    } else {
      *pos = SkipDigits(text, start);
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(text.data() + start, text.data() + *pos, index);
      if (*pos == start || ec != std::errc()) return false;
      steps_.push_back({Step::Kind::kIndex, {}, index});
    }
    if (*pos >= text.size() || text[*pos] != ']') return false;
    ++*pos;
    return true;
  }

  template <typename Pred>
  bool AnyOfFrom(const json& node, std::size_t step, const Pred& pred) const {
    if (step == steps_.size()) return pred(node);
    const Step& s = steps_[step];
    switch (s.kind) {
      case Step::Kind::kMember: {
        if (!node.is_object()) return false;
        const auto it = node.find(s.member);
        return it != node.end() && AnyOfFrom(*it, step + 1, pred);
      }
      case Step::Kind::kIndex:
        return node.is_array() && s.index < node.size() && AnyOfFrom(node[s.index], step + 1, pred);
      case Step::Kind::kAny:
        return node.is_structured() &&
               std::any_of(node.begin(), node.end(),
                           [&](const json& child) { return AnyOfFrom(child, step + 1, pred); });
    }
    return false;
  }

  std::vector<Step> steps_;
};

enum class JsonTest { kCompare, kIsTrue, kIsFalse, kIsNull, kNotExists };

class JsonCondition {
 public:
  JsonCondition(Selector selector, JsonTest test, std::optional<Comparison> comparison)
      : selector_(std::move(selector)), test_(test), comparison_(std::move(comparison)) {}

  // A selector that reaches nothing makes every test false except NOT EXISTS: "!=" is not
  // "missing or different" (AWS: a comparison only applies to a value node).
  bool Holds(const json& root) const {
    if (test_ == JsonTest::kNotExists) {
      return !selector_.AnyOf(root, [](const json&) { return true; });
    }
    return selector_.AnyOf(root, [this](const json& v) { return Test(v); });
  }

 private:
  bool Test(const json& v) const {
    switch (test_) {
      case JsonTest::kCompare:
        return comparison_->OnJson(v);
      case JsonTest::kIsTrue:
        return v.is_boolean() && v.get<bool>();
      case JsonTest::kIsFalse:
        return v.is_boolean() && !v.get<bool>();
      case JsonTest::kIsNull:
        return v.is_null();
      case JsonTest::kNotExists:
        return false;
    }
    return false;
  }

  Selector selector_;
  JsonTest test_;
  std::optional<Comparison> comparison_;
};

// IS TRUE, IS FALSE, IS NULL, NOT EXISTS (keywords in any case).
std::optional<JsonTest> ParseKeywordTest(TokenStream& tokens) {
  const Token* first = tokens.Take();
  const Token* second = tokens.Take();
  if (first == nullptr || second == nullptr || first->kind != TokenKind::kWord ||
      second->kind != TokenKind::kWord) {
    return std::nullopt;
  }
  if (EqualsIgnoreCase(first->text, "NOT")) {
    return EqualsIgnoreCase(second->text, "EXISTS") ? std::optional(JsonTest::kNotExists)
                                                    : std::nullopt;
  }
  if (!EqualsIgnoreCase(first->text, "IS")) return std::nullopt;
  if (EqualsIgnoreCase(second->text, "TRUE")) return JsonTest::kIsTrue;
  if (EqualsIgnoreCase(second->text, "FALSE")) return JsonTest::kIsFalse;
  if (EqualsIgnoreCase(second->text, "NULL")) return JsonTest::kIsNull;
  return std::nullopt;
}

Result<JsonCondition> ParseJsonCondition(TokenStream& tokens, int* regexes) {
  const Token* selector_token = tokens.Take();
  if (selector_token == nullptr || selector_token->kind != TokenKind::kSelector) {
    return InvalidPattern();
  }
  Result<Selector> selector = Selector::Parse(selector_token->text);
  if (!selector) return std::move(selector).take_status();
  if (tokens.NextIs(TokenKind::kWord)) {
    const std::optional<JsonTest> test = ParseKeywordTest(tokens);
    if (!test) return InvalidPattern();
    return JsonCondition(std::move(selector).value(), *test, std::nullopt);
  }
  Result<Comparison> comparison = ParseComparison(tokens, regexes);
  if (!comparison) return std::move(comparison).take_status();
  return JsonCondition(std::move(selector).value(), JsonTest::kCompare,
                       std::move(comparison).value());
}

class JsonPattern final : public FilterPattern::Node {
 public:
  explicit JsonPattern(Logic<JsonCondition> logic) : logic_(std::move(logic)) {}

  // Only events that are a JSON object are considered; the cheap '{' test keeps plain-text
  // events away from the JSON parser.
  bool Matches(std::string_view message) const override {
    const std::string_view text = Trim(message);
    if (text.empty() || text.front() != '{') return false;
    const json event = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) return false;
    return logic_.Evaluate([&event](const JsonCondition& c) { return c.Holds(event); });
  }

 private:
  Logic<JsonCondition> logic_;
};

Result<NodePtr> ParseJson(std::string_view text) {
  if (text.back() != '}') return UnclosedPattern('{', '}');
  Result<std::vector<Token>> tokens = Tokenize(text.substr(1, text.size() - 2));
  if (!tokens) return std::move(tokens).take_status();
  TokenStream stream(std::move(tokens).value());
  int regexes = 0;
  LogicParser<JsonCondition> parser(
      stream, [&regexes](TokenStream& t) { return ParseJsonCondition(t, &regexes); });
  Result<Logic<JsonCondition>> logic = parser.Parse();
  if (!logic) return std::move(logic).take_status();
  if (!stream.AtEnd()) return InvalidPattern();  // e.g. a stray ')'
  return NodePtr(std::make_shared<JsonPattern>(std::move(logic).value()));
}

// ---------------------------------------------------------------------------------------
// Space-delimited patterns: [ip, user, ..., status_code = 4* || status_code = 5*, bytes > 1000].

// Splits an event into fields at runs of whitespace. AWS: "The characters between a pair of
// square brackets [] or two double quotes ("") are treated as a single field"; the brackets and
// quotes are not part of the field (AWS's extracted $request has no quotes). An unterminated
// quote or bracket is an ordinary character.
void SplitFields(std::string_view message, std::vector<std::string_view>* fields) {
  fields->clear();
  std::size_t i = 0;
  while (true) {
    while (i < message.size() && IsSpace(message[i])) ++i;
    if (i == message.size()) return;
    const char open = message[i];
    if (open == '"' || open == '[') {
      const std::size_t close = message.find(open == '"' ? '"' : ']', i + 1);
      if (close != std::string_view::npos) {
        fields->push_back(message.substr(i + 1, close - i - 1));
        i = close + 1;
        continue;
      }
    }
    std::size_t end = i;
    while (end < message.size() && !IsSpace(message[end])) ++end;
    fields->push_back(message.substr(i, end - i));
    i = end;
  }
}

class Slot {
 public:
  enum class Kind { kAnyField, kAnyFields, kCondition };  // name, '...', name op value

  static Slot AnyField() { return Slot(Kind::kAnyField, std::nullopt); }
  static Slot AnyFields() { return Slot(Kind::kAnyFields, std::nullopt); }
  static Slot Condition(Logic<Comparison> logic) {
    return Slot(Kind::kCondition, std::move(logic));
  }

  bool IsAnyFields() const { return kind_ == Kind::kAnyFields; }
  bool Matches(std::string_view field) const {
    return kind_ != Kind::kCondition ||
           condition_->Evaluate([field](const Comparison& c) { return c.OnText(field); });
  }

 private:
  Slot(Kind kind, std::optional<Logic<Comparison>> condition)
      : kind_(kind), condition_(std::move(condition)) {}

  Kind kind_;
  std::optional<Logic<Comparison>> condition_;
};

class SpaceDelimitedPattern final : public FilterPattern::Node {
 public:
  explicit SpaceDelimitedPattern(std::vector<Slot> slots) : slots_(std::move(slots)) {}

  bool Matches(std::string_view message) const override {
    // Reused per thread so that matching a million events does not allocate a million times;
    // released after an unusually wide event so that it does not stay pinned to the thread.
    constexpr std::size_t kRetainedFields = 4096;
    thread_local std::vector<std::string_view> fields;
    SplitFields(message, &fields);
    const bool matched = MatchSlots(fields);
    if (fields.capacity() > kRetainedFields) fields = {};
    return matched;
  }

 private:
  // Wildcard matching with '...' as the star: on a mismatch, let the latest '...' swallow one
  // more field and retry from there. Linear in practice, no recursion, no allocation.
  bool MatchSlots(const std::vector<std::string_view>& fields) const {
    std::size_t s = 0;
    std::size_t f = 0;
    std::size_t star_slot = std::string_view::npos;
    std::size_t star_field = 0;
    while (f < fields.size()) {
      if (s < slots_.size() && slots_[s].IsAnyFields()) {
        star_slot = s++;
        star_field = f;
      } else if (s < slots_.size() && slots_[s].Matches(fields[f])) {
        ++s;
        ++f;
      } else if (star_slot != std::string_view::npos) {
        s = star_slot + 1;
        f = ++star_field;
      } else {
        return false;
      }
    }
    while (s < slots_.size() && slots_[s].IsAnyFields()) ++s;
    return s == slots_.size();
  }

  std::vector<Slot> slots_;
};

// Field names are words; "...fields" is refused as "Invalid character(s) in term '...fields'"
// (on record). '-' is ours.
bool IsFieldName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return IsAsciiAlnum(c) || c == '_' || c == '-';
  });
}

// One condition of a slot: "name op value". Every condition of a slot names the same field:
// AWS refuses AWS's own old example "status_code = 4* && bytes > 1000" (awsdocs issue 21).
Result<Comparison> ParseFieldCondition(TokenStream& tokens, std::string* slot_name, int* regexes) {
  const Token* name = tokens.Take();
  if (name == nullptr || name->kind != TokenKind::kWord) return InvalidPattern();
  if (!IsFieldName(name->text)) return InvalidTerm(name->text);
  if (slot_name->empty()) *slot_name = std::string(name->text);
  if (*slot_name != name->text) return InvalidPattern();
  return ParseComparison(tokens, regexes);
}

Result<Slot> ParseSlot(TokenStream& tokens, int* regexes) {
  const Token* next = tokens.Peek();
  // An empty slot (AWS's own example ends "status_code=4*,]") stands for one unnamed field.
  if (next == nullptr || next->kind == TokenKind::kComma) return Slot::AnyField();
  if (next->kind == TokenKind::kWord && next->text == "...") {
    tokens.Take();
    return Slot::AnyFields();
  }
  if (next->kind == TokenKind::kWord && !tokens.AfterNextIs(TokenKind::kCompare)) {
    tokens.Take();
    if (!IsFieldName(next->text)) return InvalidTerm(next->text);
    return Slot::AnyField();
  }
  std::string slot_name;
  LogicParser<Comparison> parser(tokens, [&slot_name, regexes](TokenStream& t) {
    return ParseFieldCondition(t, &slot_name, regexes);
  });
  Result<Logic<Comparison>> logic = parser.Parse();
  if (!logic) return std::move(logic).take_status();
  return Slot::Condition(std::move(logic).value());
}

Result<NodePtr> ParseSpaceDelimited(std::string_view text) {
  if (text.back() != ']') return UnclosedPattern('[', ']');
  const std::string_view body = Trim(text.substr(1, text.size() - 2));
  if (body.empty()) return InvalidPattern();
  Result<std::vector<Token>> tokens = Tokenize(body);
  if (!tokens) return std::move(tokens).take_status();
  TokenStream stream(std::move(tokens).value());
  std::vector<Slot> slots;
  int regexes = 0;
  do {
    Result<Slot> slot = ParseSlot(stream, &regexes);
    if (!slot) return std::move(slot).take_status();
    slots.push_back(std::move(slot).value());
  } while (stream.TakeIf(TokenKind::kComma));
  if (!stream.AtEnd()) return InvalidPattern();
  return NodePtr(std::make_shared<SpaceDelimitedPattern>(std::move(slots)));
}

// ---------------------------------------------------------------------------------------

// `" "` and `""`: AWS documents the quoted blank as "match everything".
bool IsQuotedBlank(std::string_view text) {
  return text.size() >= 2 && text.front() == '"' && text.back() == '"' &&
         std::all_of(text.begin() + 1, text.end() - 1, IsSpace);
}

}  // namespace

Result<FilterPattern> FilterPattern::Parse(std::string_view pattern) {
  const std::string_view text = Trim(pattern);
  if (text.empty() || IsQuotedBlank(text)) return FilterPattern(nullptr);
  Result<NodePtr> root = text.front() == '{'   ? ParseJson(text)
                         : text.front() == '[' ? ParseSpaceDelimited(text)
                                               : ParseUnstructured(text);
  if (!root) return std::move(root).take_status();
  return FilterPattern(std::move(root).value());
}

bool FilterPattern::Matches(std::string_view message) const {
  return root_ == nullptr || root_->Matches(message);
}

bool FilterPattern::MatchesEverything() const { return root_ == nullptr; }

FilterPattern::FilterPattern(std::shared_ptr<const Node> root) : root_(std::move(root)) {}

FilterPattern::~FilterPattern() = default;

}  // namespace streamstack::logs
