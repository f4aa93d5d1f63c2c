// Text measured as AWS's Java services measure it. Pure functions; any thread may call them.
#pragma once

#include <cstddef>
#include <string_view>

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

}  // namespace streamstack
