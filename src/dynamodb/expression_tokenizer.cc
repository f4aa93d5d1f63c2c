#include "dynamodb/expression_tokenizer.h"

#include <cctype>

namespace streamstack::dynamodb {
namespace {

bool IsWordStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool KeywordEquals(std::string_view word, std::string_view keyword) {
  if (word.size() != keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(word[i])) !=
        std::toupper(static_cast<unsigned char>(keyword[i]))) {
      return false;
    }
  }
  return true;
}

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto push = [&](TokenKind kind, size_t begin, size_t end) {
    tokens.push_back({kind, std::string(text.substr(begin, end - begin)), begin, end});
  };
  while (i < text.size()) {
    char c = text[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    size_t begin = i;
    if (IsWordStart(c)) {
      while (i < text.size() && IsWordChar(text[i])) ++i;
      push(TokenKind::kWord, begin, i);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      push(TokenKind::kNumber, begin, i);
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < text.size() && IsWordChar(text[i])) ++i;
      TokenKind kind = c == '#' ? TokenKind::kNameRef : TokenKind::kValueRef;
      push(i - begin > 1 ? kind : TokenKind::kInvalid, begin, i);
    } else if (c == '<' && i + 1 < text.size() && text[i + 1] == '>') {
      i += 2;
      push(TokenKind::kNotEqual, begin, i);
    } else if (c == '<' && i + 1 < text.size() && text[i + 1] == '=') {
      i += 2;
      push(TokenKind::kLessOrEqual, begin, i);
    } else if (c == '>' && i + 1 < text.size() && text[i + 1] == '=') {
      i += 2;
      push(TokenKind::kGreaterOrEqual, begin, i);
    } else {
      ++i;
      TokenKind kind = TokenKind::kInvalid;
      switch (c) {
        case '(':
          kind = TokenKind::kLeftParen;
          break;
        case ')':
          kind = TokenKind::kRightParen;
          break;
        case '[':
          kind = TokenKind::kLeftBracket;
          break;
        case ']':
          kind = TokenKind::kRightBracket;
          break;
        case ',':
          kind = TokenKind::kComma;
          break;
        case '.':
          kind = TokenKind::kDot;
          break;
        case '=':
          kind = TokenKind::kEqual;
          break;
        case '<':
          kind = TokenKind::kLess;
          break;
        case '>':
          kind = TokenKind::kGreater;
          break;
        case '+':
          kind = TokenKind::kPlus;
          break;
        case '-':
          kind = TokenKind::kMinus;
          break;
        default:
          break;
      }
      push(kind, begin, i);
    }
  }
  tokens.push_back({TokenKind::kEnd, "<EOF>", text.size(), text.size()});
  return tokens;
}

}  // namespace streamstack::dynamodb
