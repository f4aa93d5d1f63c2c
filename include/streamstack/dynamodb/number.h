// Number: DynamoDB's exact decimal (up to 38 significant digits, magnitude 1E-130 to
// 9.99...E+125, or zero). Pure value type with no floating point and no dependencies beyond
// common/status.h; immutable after construction, safe to share between threads.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "streamstack/common/status.h"

namespace streamstack::dynamodb {

class Number {
 public:
  static constexpr int kMaxDigits = 38;
  static constexpr int kMaxExponent = 125;   // largest adjusted exponent (9.9..E+125)
  static constexpr int kMinExponent = -130;  // smallest adjusted exponent (1E-130)

  // Zero.
  Number() = default;

  // Parses what DynamoDB accepts for an N value: optional sign, digits with an optional
  // decimal point, optional e/E exponent. Errors are ValidationExceptions with AWS's text
  // (not a number, more than 38 significant digits, overflow, underflow).
  static Result<Number> Parse(std::string_view text);
  // Parses a number where AWS reads it as java.math.BigDecimal first: a PartiQL parameter's N
  // and a number literal in a PartiQL statement. Text whose exponent or scale (fraction digits
  // minus exponent) does not fit 32 bits cannot be converted ("The parameter cannot be converted
  // to a numeric value: <text>", with no colon for empty text); the range check then runs on
  // precision minus scale in 32-bit arithmetic, so "1e2147483647" wraps around to an underflow
  // (a DynamoDB conformance suite, captured from DynamoDB); anything else is Parse's answer.
  static Result<Number> ParseBigDecimal(std::string_view text);
  // Whether java.math.BigDecimal reads `text`; text that is not a number at all answers true
  // (Parse reports it).
  static bool BigDecimalReadable(std::string_view text);
  // For values known to be valid (tests, constants); a parse failure yields zero.
  static Number FromInt(int64_t value);

  // DynamoDB's canonical text: plain decimal, no exponent, no trailing zeros, "-0" -> "0".
  std::string ToString() const;

  bool IsZero() const { return digits_.empty(); }
  bool IsNegative() const { return negative_; }
  // Number of significant digits (leading and trailing zeros trimmed); 0 for zero.
  int SignificantDigits() const { return static_cast<int>(digits_.size()); }
  // Power of ten of the first significant digit (d.ddd x 10^exponent); 0 for zero.
  int AdjustedExponent() const { return exponent_; }
  // Bytes DynamoDB charges for this number in an item's size (measured against AWS, not the
  // developer guide's approximation).
  size_t SizeBytes() const;

  // Numeric total order.
  int Compare(const Number& other) const;
  friend bool operator==(const Number& a, const Number& b) { return a.Compare(b) == 0; }
  friend std::strong_ordering operator<=>(const Number& a, const Number& b) {
    return a.Compare(b) <=> 0;
  }

  // Exact arithmetic; a result that needs more than 38 digits or leaves the range is a
  // ValidationException with the same text Parse would give.
  Result<Number> Add(const Number& other) const;
  Result<Number> Subtract(const Number& other) const;
  Number Negated() const;

  // The bytes DynamoDB hashes a number partition key by: its internal form, base-100 digit
  // pairs aligned at the decimal point. One byte of exponent, one per pair (pair + 1, or
  // 101 - pair when negative), and 102 after a negative number of fewer than 20 pairs; zero is
  // the one byte 0x80. (dynalite's form, whose Scan orders were recorded against DynamoDB.)
  std::string HashBytes() const;

  // Byte string whose memcmp order (shorter-is-smaller on a common prefix) equals numeric
  // order; self-delimiting, so it can be concatenated into composite index keys.
  std::string SortKey() const;
  // The number a SortKey() is of; nullopt for bytes no SortKey() gives.
  static std::optional<Number> FromSortKey(std::string_view key);

 private:
  Number(bool negative, std::string digits, int exponent)
      : negative_(negative), digits_(std::move(digits)), exponent_(exponent) {}
  // Builds a checked Number from an integer digit string times 10^low_exponent.
  static Result<Number> FromDigits(bool negative, std::string_view digits, int64_t low_exponent);

  bool negative_ = false;
  std::string digits_;  // significant digits, first and last non-zero; empty means zero
  int exponent_ = 0;    // adjusted exponent: value = d.ddd x 10^exponent_
};

}  // namespace streamstack::dynamodb
