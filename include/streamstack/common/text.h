// Text measured as AWS's Java services measure it. Pure functions; any thread may call them.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace streamstack {

// Java's String.length() of UTF-8 text: its UTF-16 code units (a four-byte sequence is a
// surrogate pair, two units). What AWS's length constraints and DynamoDB's size() count.
inline size_t Utf16Length(std::string_view utf8) {
  size_t n = 0;
  for (char ch : utf8) {
    auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

// The pieces of `text` between `separator`s, empty ones included ("a::b" is "a", "", "b"; ""
// is one empty piece). They view `text`.
inline std::vector<std::string_view> SplitOn(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  for (size_t start = 0;;) {
    const size_t at = text.find(separator, start);
    pieces.push_back(text.substr(start, at - start));
    if (at == std::string_view::npos) return pieces;
    start = at + 1;
  }
}

}  // namespace streamstack
