#include "streamstack/dynamodb/number.h"

#include <algorithm>
#include <limits>

namespace streamstack::dynamodb {
namespace {

constexpr char kTooManyDigits[] = "Attempting to store more than 38 significant digits in a Number";
constexpr char kOverflow[] =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
constexpr char kUnderflow[] =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";

Status NotNumeric(std::string_view text) {
  return ValidationError("The parameter cannot be converted to a numeric value: " +
                         std::string(text));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Adds two non-negative integer digit strings.
std::string AddDigits(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// a - b for non-negative integer digit strings of equal length with a >= b.
std::string SubtractDigits(const std::string& a, const std::string& b) {
  std::string out(a.size(), '0');
  int borrow = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = (a[i] - '0') - (b[i] - '0') - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 10;
    out[i] = static_cast<char>('0' + d);
  }
  return out;
}

}  // namespace

Result<Number> Number::FromDigits(bool negative, std::string_view digits, int64_t low_exponent) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string_view::npos) return Number();
  size_t last = digits.find_last_not_of('0');
  int64_t adjusted = low_exponent + static_cast<int64_t>(digits.size() - 1 - first);
  std::string significant(digits.substr(first, last - first + 1));
  if (significant.size() > static_cast<size_t>(kMaxDigits)) return ValidationError(kTooManyDigits);
  if (adjusted > kMaxExponent) return ValidationError(kOverflow);
  if (adjusted < kMinExponent) return ValidationError(kUnderflow);
  return Number(negative, std::move(significant), static_cast<int>(adjusted));
}

Result<Number> Number::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string mantissa;
  int64_t fraction_digits = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (IsDigit(c)) {
      mantissa.push_back(c);
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (mantissa.empty()) return NotNumeric(text);
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size()) return NotNumeric(text);
    // AWS: an exponent beyond a 64-bit integer cannot be converted at all.
    uint64_t magnitude = 0;
    const uint64_t limit = exp_negative
                               ? static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1
                               : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    for (; i < text.size(); ++i) {
      if (!IsDigit(text[i])) return NotNumeric(text);
      uint64_t d = static_cast<uint64_t>(text[i] - '0');
      if (magnitude > (limit - d) / 10) return NotNumeric(text);
      magnitude = magnitude * 10 + d;
    }
    exponent = exp_negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  }
  if (i != text.size()) return NotNumeric(text);
  // Exponents this far out are out of range whatever the digits are; clamping keeps the
  // arithmetic below in range (the mantissa is bounded by the request size).
  constexpr int64_t kClamp = int64_t{1} << 40;
  exponent = std::clamp(exponent, -kClamp, kClamp);
  int64_t low_exponent = exponent - fraction_digits;
  if (mantissa.find_first_not_of('0') == std::string::npos) {
    // AWS range-checks zero by the exponent it is written with ("0e126" overflows).
    if (low_exponent > kMaxExponent) return ValidationError(kOverflow);
    if (low_exponent < kMinExponent) return ValidationError(kUnderflow);
    return Number();
  }
  return FromDigits(negative, mantissa, low_exponent);
}

namespace {

// What java.math.BigDecimal makes of a number's text: its digits' precision and its scale.
struct BigDecimalForm {
  int64_t precision = 1;
  int64_t scale = 0;
};

// kUnreadable: the exponent or the scale leaves 32 bits (BigDecimal's NumberFormatException).
enum class BigDecimalRead { kRead, kUnreadable, kNotANumber };

BigDecimalRead ReadBigDecimal(std::string_view text, BigDecimalForm* out) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::string digits;
  int64_t fraction_digits = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    if (IsDigit(text[i])) {
      digits.push_back(text[i]);
      if (seen_point) ++fraction_digits;
    } else if (text[i] == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits.empty()) return BigDecimalRead::kNotANumber;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    if (i == text.size()) return BigDecimalRead::kNotANumber;
    for (; i < text.size(); ++i) {
      if (!IsDigit(text[i])) return BigDecimalRead::kNotANumber;
      exponent = exponent * 10 + (text[i] - '0');
      // Past 32 bits either way: BigDecimal's "Exponent overflow" (checking the rest of the
      // text for digits first, so that "1e99999999999x" stays a syntax error).
      if (exponent > int64_t{1} << 32) {
        for (; i < text.size(); ++i) {
          if (!IsDigit(text[i])) return BigDecimalRead::kNotANumber;
        }
        return BigDecimalRead::kUnreadable;
      }
    }
    if (negative) exponent = -exponent;
  }
  if (i != text.size()) return BigDecimalRead::kNotANumber;
  constexpr int64_t kIntMin = std::numeric_limits<int32_t>::min();
  constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();
  if (exponent < kIntMin || exponent > kIntMax) return BigDecimalRead::kUnreadable;
  const int64_t scale = fraction_digits - exponent;
  if (scale < kIntMin || scale > kIntMax) return BigDecimalRead::kUnreadable;
  size_t first = digits.find_first_not_of('0');
  out->precision = first == std::string::npos ? 1 : static_cast<int64_t>(digits.size() - first);
  out->scale = scale;
  return BigDecimalRead::kRead;
}

}  // namespace

bool Number::BigDecimalReadable(std::string_view text) {
  BigDecimalForm form;
  return ReadBigDecimal(text, &form) != BigDecimalRead::kUnreadable;
}

Result<Number> Number::ParseBigDecimal(std::string_view text) {
  if (text.empty()) {
    return ValidationError("The parameter cannot be converted to a numeric value");
  }
  BigDecimalForm form;
  BigDecimalRead read = ReadBigDecimal(text, &form);
  if (read == BigDecimalRead::kUnreadable) return NotNumeric(text);
  if (read == BigDecimalRead::kRead) {
    // AWS range-checks precision - scale as a 32-bit int: where that wraps, its sign flips.
    const int64_t magnitude = form.precision - form.scale;
    const int32_t wrapped = static_cast<int32_t>(static_cast<uint32_t>(magnitude));
    if (wrapped != magnitude) return ValidationError(wrapped < 0 ? kUnderflow : kOverflow);
  }
  return Parse(text);
}

Number Number::FromInt(int64_t value) {
  auto parsed = Parse(std::to_string(value));
  return parsed.ok() ? parsed.value() : Number();
}

std::string Number::ToString() const {
  if (IsZero()) return "0";
  std::string out = negative_ ? "-" : "";
  const int n = static_cast<int>(digits_.size());
  if (exponent_ < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent_ - 1), '0');
    out += digits_;
  } else if (exponent_ >= n - 1) {
    out += digits_;
    out.append(static_cast<size_t>(exponent_ - (n - 1)), '0');
  } else {
    out += digits_.substr(0, static_cast<size_t>(exponent_ + 1));
    out += '.';
    out += digits_.substr(static_cast<size_t>(exponent_ + 1));
  }
  return out;
}

int Number::Compare(const Number& other) const {
  auto sign = [](const Number& x) { return x.IsZero() ? 0 : (x.negative_ ? -1 : 1); };
  int sa = sign(*this), sb = sign(other);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int magnitude = 0;
  if (exponent_ != other.exponent_) {
    magnitude = exponent_ < other.exponent_ ? -1 : 1;
  } else {
    // No trailing zeros, so plain lexicographic order is numeric order of the mantissas.
    int c = digits_.compare(other.digits_);
    magnitude = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa > 0 ? magnitude : -magnitude;
}

Number Number::Negated() const {
  if (IsZero()) return *this;
  return Number(!negative_, digits_, exponent_);
}

Result<Number> Number::Add(const Number& other) const {
  if (IsZero()) return other;
  if (other.IsZero()) return *this;
  // Scale both to integers times 10^low.
  int64_t low_a = exponent_ - static_cast<int64_t>(digits_.size()) + 1;
  int64_t low_b = other.exponent_ - static_cast<int64_t>(other.digits_.size()) + 1;
  int64_t low = std::min(low_a, low_b);
  std::string a = digits_ + std::string(static_cast<size_t>(low_a - low), '0');
  std::string b = other.digits_ + std::string(static_cast<size_t>(low_b - low), '0');
  // A result beyond the range is an overflow, whatever its digits (ExtendDB's tests, captured
  // from DynamoDB: 9.9...E+125 + 9.9...E+125 answers the overflow, not the 38 digits).
  const auto result = [low](bool negative, const std::string& digits) -> Result<Number> {
    const size_t first = digits.find_first_not_of('0');
    if (first != std::string::npos &&
        low + static_cast<int64_t>(digits.size() - 1 - first) > kMaxExponent) {
      return ValidationError(kOverflow);
    }
    return FromDigits(negative, digits, low);
  };
  if (negative_ == other.negative_) return result(negative_, AddDigits(a, b));
  size_t width = std::max(a.size(), b.size());
  a.insert(0, width - a.size(), '0');
  b.insert(0, width - b.size(), '0');
  if (a >= b) return result(negative_, SubtractDigits(a, b));
  return result(other.negative_, SubtractDigits(b, a));
}

Result<Number> Number::Subtract(const Number& other) const { return Add(other.Negated()); }

size_t Number::SizeBytes() const {
  // Measured against AWS: one byte, plus one per base-100 digit pair aligned at the decimal
  // point ("1.5" costs a byte more than "15"), plus one for a negative sign. Zero costs 1.
  if (IsZero()) return 1;
  auto floor_half = [](int p) { return p >= 0 ? p / 2 : -((-p + 1) / 2); };
  const int first = exponent_;
  const int last = exponent_ - static_cast<int>(digits_.size()) + 1;
  const int pairs = floor_half(first) - floor_half(last) + 1;
  return static_cast<size_t>(1 + pairs + (negative_ ? 1 : 0));
}

std::optional<Number> Number::FromSortKey(std::string_view key) {
  if (key == std::string_view("\x02", 1)) return Number();
  if (key.size() < 4 || (key[0] != '\x01' && key[0] != '\x03')) return std::nullopt;
  const bool negative = key[0] == '\x01';
  const auto byte = [&](size_t i) { return static_cast<int>(static_cast<unsigned char>(key[i])); };
  if (byte(key.size() - 1) != (negative ? 0xFF : 0x00)) return std::nullopt;
  const int biased = negative ? 255 - byte(1) : byte(1);
  std::string digits;
  for (size_t i = 2; i + 1 < key.size(); ++i) {
    const int digit = negative ? 10 - byte(i) : byte(i) - 1;
    if (digit < 0 || digit > 9) return std::nullopt;
    digits.push_back(static_cast<char>('0' + digit));
  }
  return Number(negative, std::move(digits), biased + kMinExponent);
}

std::string Number::HashBytes() const {
  if (IsZero()) return std::string(1, '\x80');
  // value = 0.d1d2... x 10^power; an odd power gets a leading 0 digit so that the pairs align
  // at the decimal point: value = 0.(p1)(p2)... x 100^(power_of_100).
  const int power = exponent_ + 1;
  const bool lead_zero = power % 2 != 0;
  std::string digits = (lead_zero ? "0" : "") + digits_;
  if (digits.size() % 2 != 0) digits.push_back('0');
  const int power_of_100 = (power + (lead_zero ? 1 : 0)) / 2;
  const size_t pairs = digits.size() / 2;
  std::string out;
  out.reserve(pairs + 2);
  const int exponent_byte = power_of_100 - 64;
  out.push_back(static_cast<char>(negative_ ? ~exponent_byte : exponent_byte));
  for (size_t i = 0; i < pairs; ++i) {
    const int pair = (digits[2 * i] - '0') * 10 + (digits[2 * i + 1] - '0');
    out.push_back(static_cast<char>(negative_ ? 101 - pair : pair + 1));
  }
  if (negative_ && pairs < 20) out.push_back(static_cast<char>(102));
  return out;
}

std::string Number::SortKey() const {
  // Layout: class byte (1 negative, 2 zero, 3 positive), then for non-zero values the
  // adjusted exponent as one byte, then one byte per digit, then a terminator. Negative
  // values have exponent and digits complemented and a terminator above every digit byte,
  // so that a longer mantissa (a more negative number) sorts first.
  std::string key;
  if (IsZero()) {
    key.push_back('\x02');
    return key;
  }
  const int biased = exponent_ - kMinExponent;  // 0..255
  if (!negative_) {
    key.push_back('\x03');
    key.push_back(static_cast<char>(biased));
    for (char c : digits_) key.push_back(static_cast<char>(c - '0' + 1));
    key.push_back('\x00');
  } else {
    key.push_back('\x01');
    key.push_back(static_cast<char>(255 - biased));
    for (char c : digits_) key.push_back(static_cast<char>(10 - (c - '0')));
    key.push_back('\xff');
  }
  return key;
}

}  // namespace streamstack::dynamodb
