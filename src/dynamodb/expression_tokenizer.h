// Tokenizer shared by all expression parsers (private to the dynamodb module).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace streamstack::dynamodb {

enum class TokenKind {
  kWord,      // bare identifier or keyword: [A-Za-z_][A-Za-z0-9_]*
  kNameRef,   // #name
  kValueRef,  // :value
  kNumber,    // digits (list indexes)
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kComma,
  kDot,
  kEqual,
  kNotEqual,
  kLess,
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
  kPlus,
  kMinus,
  kInvalid,  // any other character (reported as a syntax error by the parser)
  kEnd,
};

struct Token {
  TokenKind kind;
  std::string text;
  size_t begin;  // byte offsets into the expression
  size_t end;
};

// Never fails: unknown characters become kInvalid tokens; the last token is kEnd.
std::vector<Token> Tokenize(std::string_view text);

// True if `word` equals `keyword` ignoring ASCII case.
bool KeywordEquals(std::string_view word, std::string_view keyword);

}  // namespace streamstack::dynamodb
