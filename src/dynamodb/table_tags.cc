#include "dynamodb/table_tags.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

namespace streamstack::dynamodb {
namespace {

constexpr size_t kMaxKeyCharacters = 128;
constexpr size_t kMaxValueCharacters = 256;

// The code points of UTF-8 text, or nullopt when it is not UTF-8.
std::optional<std::vector<uint32_t>> CodePoints(std::string_view text) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    int extra = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xE  ? 2
                : (c >> 3) == 0x1E ? 3
                                   : -1;
    if (extra < 0 || i + extra >= text.size()) return std::nullopt;
    uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (next & 0x3F);
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

// AWS's tag pattern is ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$: letters, separators and numbers of
// any script plus _ . : / = + - @. ASCII is decided exactly; beyond it, the blocks of
// punctuation, symbols, emoji, controls and private use are refused and the rest (letters,
// digits and spaces of every script) accepted -- an approximation of the Unicode categories
// without a Unicode database.
bool AllowedInTag(uint32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           cp == ' ' ||
           std::string_view("_.:/=+-@").find(static_cast<char>(cp)) != std::string_view::npos;
  }
  struct Range {
    uint32_t first, last;
  };
  static constexpr Range kRefused[] = {
      {0x0080, 0x009F},  // C1 controls
      {0x00A1, 0x00A9},  // inverted !, currency, section, copyright ...
      {0x00AB, 0x00B1},  // guillemets, not, soft hyphen, registered, degree, plus-minus
      {0x00B4, 0x00B4},    {0x00B6, 0x00B8}, {0x00BB, 0x00BB}, {0x00BF, 0x00BF},
      {0x00D7, 0x00D7},    {0x00F7, 0x00F7},  // multiplication and division signs
      {0x2010, 0x2027},                       // dashes, quotes, bullets, ellipsis
      {0x2030, 0x205E},                       // per mille, primes, other punctuation
      {0x20A0, 0x20CF},                       // currency symbols
      {0x2190, 0x2BFF},  // arrows, math, technical, box drawing, shapes, dingbats
      {0x3001, 0x3004},    {0x3008, 0x3020},  // CJK punctuation
      {0xE000, 0xF8FF},                       // private use
      {0xFE00, 0xFE0F},                       // variation selectors
      {0xFF01, 0xFF0F},    {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65},  // fullwidth
      {0x1F000, 0x1FAFF},   // emoji, pictographs, playing cards
      {0xE0000, 0x10FFFF},  // tags, private use planes
  };
  for (const Range& r : kRefused) {
    if (cp >= r.first && cp <= r.last) return false;
  }
  return true;
}

bool ValidTagText(std::string_view text, size_t min_chars, size_t max_chars) {
  auto cps = CodePoints(text);
  if (!cps || cps->size() < min_chars || cps->size() > max_chars) return false;
  for (uint32_t cp : *cps) {
    if (!AllowedInTag(cp)) return false;
  }
  return true;
}

Status InvalidKey(const std::string& key) {
  return ValidationError("The Tag Key provided is invalid, Key: " + key);
}

}  // namespace

Status ValidateTags(const std::vector<Tag>& tags) {
  std::set<std::string> seen;
  for (const Tag& tag : tags) {
    if (!ValidTagText(tag.key, 1, kMaxKeyCharacters)) return InvalidKey(tag.key);
    if (tag.key.starts_with("aws:")) {
      return ValidationError("Tag Key cannot be prefixed with aws:, Key: " + tag.key);
    }
    if (!ValidTagText(tag.value, 0, kMaxValueCharacters)) {
      return ValidationError("The Tag Value provided is invalid, Value: " + tag.value);
    }
    if (!seen.insert(tag.key).second) {
      return ValidationError("Duplicate Tag Keys provided as input: Duplicate Tag Key found " +
                             tag.key);
    }
  }
  return Status::Ok();
}

Status ValidateTagKeys(const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    auto cps = CodePoints(key);
    if (!cps || cps->empty() || cps->size() > kMaxKeyCharacters) return InvalidKey(key);
  }
  return CheckTagCount(keys.size());
}

Status CheckTagCount(size_t count) {
  if (count <= kMaxTagsPerTable) return Status::Ok();
  return ValidationError("Number of Tags exceed the current limit for the provided ResourceArn");
}

}  // namespace streamstack::dynamodb
