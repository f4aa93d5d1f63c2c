#include "streamstack/dynamodb/number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace streamstack::dynamodb {
namespace {

Number N(const std::string& text) {
  auto parsed = Number::Parse(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().message();
  return parsed.ok() ? parsed.value() : Number();
}

struct NormaliseCase {
  std::string input;
  std::string expected;
};

TEST(NumberTest, ParseAndNormalise) {
  const NormaliseCase cases[] = {
      {"0", "0"},
      {"-0", "0"},
      {"+0.000", "0"},
      {"1E+2", "100"},
      {"1e2", "100"},
      {"0.10", "0.1"},
      {"00012.500", "12.5"},
      {"-12.500", "-12.5"},
      {".5", "0.5"},
      {"5.", "5"},
      {"+7", "7"},
      {"123.456e-2", "1.23456"},
      {"123.456E5", "12345600"},
      {"1E-130", "0." + std::string(129, '0') + "1"},
      {"1E125", "1" + std::string(125, '0')},
      {"99999999999999999999999999999999999999", "99999999999999999999999999999999999999"},
      {"1000000000000000000000000000000000000000000",
       "1000000000000000000000000000000000000000000"},
      {"0e125", "0"},
      {"-1.5e-3", "-0.0015"},
  };
  for (const auto& c : cases) {
    auto parsed = Number::Parse(c.input);
    ASSERT_TRUE(parsed.ok()) << c.input << ": " << parsed.status().message();
    EXPECT_EQ(parsed->ToString(), c.expected) << c.input;
  }
}

struct ErrorCase {
  std::string input;
  std::string message;
};

TEST(NumberTest, ParseErrors) {
  const std::string kDigits = "Attempting to store more than 38 significant digits in a Number";
  const std::string kOverflow =
      "Number overflow. Attempting to store a number with magnitude larger than supported range";
  const std::string kUnderflow =
      "Number underflow. Attempting to store a number with magnitude smaller than supported "
      "range";
  const ErrorCase cases[] = {
      {"abc", "The parameter cannot be converted to a numeric value: abc"},
      {"", "The parameter cannot be converted to a numeric value: "},
      {"1e", "The parameter cannot be converted to a numeric value: 1e"},
      {"1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3"},
      {" 1", "The parameter cannot be converted to a numeric value:  1"},
      {"NaN", "The parameter cannot be converted to a numeric value: NaN"},
      {"Infinity", "The parameter cannot be converted to a numeric value: Infinity"},
      {"--1", "The parameter cannot be converted to a numeric value: --1"},
      {"1e9223372036854775808",
       "The parameter cannot be converted to a numeric value: 1e9223372036854775808"},
      {"123456789012345678901234567890123456789", kDigits},
      {"1.23456789012345678901234567890123456789", kDigits},
      {"1E126", kOverflow},
      {"9.99E125", ""},
      {"10E125", kOverflow},
      {"1e99999999999", kOverflow},
      {"1e2147483648", kOverflow},
      {"-1E126", kOverflow},
      {"1E-131", kUnderflow},
      {"0.1E-130", kUnderflow},
      {"1e-99999999999", kUnderflow},
      {"0e126", kOverflow},
      {"0e-131", kUnderflow},
  };
  for (const auto& c : cases) {
    auto parsed = Number::Parse(c.input);
    if (c.message.empty()) {
      EXPECT_TRUE(parsed.ok()) << c.input;
      continue;
    }
    ASSERT_FALSE(parsed.ok()) << c.input;
    EXPECT_EQ(parsed.status().code(), AwsError::kValidation);
    EXPECT_EQ(parsed.status().message(), c.message) << c.input;
  }
}

// Where PartiQL reads a number (a parameter's N, a literal), AWS reads it as BigDecimal first
// (a DynamoDB conformance suite, github paritysuite/dynamodb-conformance,
// tests/tier3/error-messages/partiqlParameterNumbers.test.ts, captured from DynamoDB).
TEST(NumberTest, ParseBigDecimalErrors) {
  const std::string kNotNumeric = "The parameter cannot be converted to a numeric value";
  const std::string kOverflow =
      "Number overflow. Attempting to store a number with magnitude larger than supported range";
  const std::string kUnderflow =
      "Number underflow. Attempting to store a number with magnitude smaller than supported "
      "range";
  const ErrorCase cases[] = {
      {"", kNotNumeric},
      {"abc", kNotNumeric + ": abc"},
      {"1e99999999999", kNotNumeric + ": 1e99999999999"},
      {"-1e99999999999", kNotNumeric + ": -1e99999999999"},
      {"1e-99999999999", kNotNumeric + ": 1e-99999999999"},
      {"1e2147483648", kNotNumeric + ": 1e2147483648"},
      {"1e-2147483648", kNotNumeric + ": 1e-2147483648"},      // scale 2^31
      {"1.5e-2147483647", kNotNumeric + ": 1.5e-2147483647"},  // scale 2^31
      {"1e2147483647", kUnderflow},                            // precision - scale wraps around
      {"1e-2147483647", kUnderflow},
      {"1e126", kOverflow},
      {"1e-131", kUnderflow},
      {"9.99E125", ""},
      {"12.5", ""},
  };
  for (const auto& c : cases) {
    auto parsed = Number::ParseBigDecimal(c.input);
    EXPECT_EQ(Number::BigDecimalReadable(c.input),
              c.message.find(kNotNumeric + ": 1") == std::string::npos &&
                  c.message.find(kNotNumeric + ": -1") == std::string::npos)
        << c.input;
    if (c.message.empty()) {
      EXPECT_TRUE(parsed.ok()) << c.input;
      continue;
    }
    ASSERT_FALSE(parsed.ok()) << c.input;
    EXPECT_EQ(parsed.status().message(), c.message) << c.input;
  }
}

TEST(NumberTest, CompareOrdersNumerically) {
  const char* ascending[] = {"-1E125", "-100",    "-12.5", "-12",    "-1.5",  "-1",
                             "-0.001", "-1E-130", "0",     "1E-130", "0.001", "0.0011",
                             "1",      "1.5",     "12",    "12.5",   "100",   "9.9E125"};
  for (size_t i = 0; i < std::size(ascending); ++i) {
    for (size_t j = 0; j < std::size(ascending); ++j) {
      int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(N(ascending[i]).Compare(N(ascending[j])), expected)
          << ascending[i] << " vs " << ascending[j];
    }
  }
  EXPECT_EQ(N("1.0"), N("1"));
  EXPECT_EQ(N("100"), N("1e2"));
}

struct ArithmeticCase {
  const char* a;
  const char* b;
  const char* sum;
  const char* difference;
};

TEST(NumberTest, AddAndSubtractAreExact) {
  const ArithmeticCase cases[] = {
      {"1", "2", "3", "-1"},
      {"0.1", "0.2", "0.3", "-0.1"},
      {"-5", "5", "0", "-10"},
      {"99999999999999999999999999999999999999", "-1", "99999999999999999999999999999999999998",
       "100000000000000000000000000000000000000"},
      {"1E100", "1E100",
       "20000000000000000000000000000000000000000000000000000000000000000000"
       "000000000000000000000000000000000",
       "0"},
      {"12.5", "-0.5", "12", "13"},
      {"0", "-3.25", "-3.25", "3.25"},
  };
  for (const auto& c : cases) {
    auto sum = N(c.a).Add(N(c.b));
    ASSERT_TRUE(sum.ok()) << sum.status().message();
    EXPECT_EQ(sum->ToString(), c.sum) << c.a << " + " << c.b;
    auto difference = N(c.a).Subtract(N(c.b));
    ASSERT_TRUE(difference.ok()) << difference.status().message();
    EXPECT_EQ(difference->ToString(), c.difference) << c.a << " - " << c.b;
  }
}

TEST(NumberTest, ArithmeticOutOfPrecisionOrRange) {
  auto too_precise = N("1E20").Add(N("1E-20"));
  ASSERT_FALSE(too_precise.ok());
  EXPECT_EQ(too_precise.status().message(),
            "Attempting to store more than 38 significant digits in a Number");
  auto overflow = N("9.9E125").Add(N("9.9E125"));
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().message(),
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range");
}

TEST(NumberTest, SizeBytesMatchesAwsMeasurements) {
  // Literals and byte costs measured against DynamoDB at the 400 KB item-size gate.
  const std::pair<const char*, size_t> cases[] = {
      {"0", 1},         {"1", 2},     {"12", 2},
      {"123", 3},       {"1234", 3},  {"12345678901234567890123456789012345678", 20},
      {"0042", 2},      {"100", 2},   {"1010", 3},
      {"0.0000001", 2}, {"1E125", 2}, {"1E-100", 2},
      {"1.5", 3},       {"15", 2},    {"1.2", 3},
      {"1.200", 3},     {"1.234", 4}, {"3.14159", 5},
      {"123456", 4},    {"100.5", 4}, {"0.15", 2},
      {"-42", 3},       {"-0", 1},
  };
  for (const auto& [literal, bytes] : cases) EXPECT_EQ(N(literal).SizeBytes(), bytes) << literal;
}

// The bytes a number partition key is hashed by: base-100 pairs with an exponent byte, as
// Oracle's NUMBER (1 is C1 02, -1 is 3E 64 66); dynalite's form, whose hash orders were
// recorded against DynamoDB (see item_key_test.cc).
TEST(NumberTest, HashBytesAreTheBase100Form) {
  auto hex = [](const std::string& bytes) {
    std::string out;
    char buf[3];
    for (unsigned char c : bytes) {
      std::snprintf(buf, sizeof buf, "%02x", c);
      out += buf;
    }
    return out;
  };
  EXPECT_EQ(hex(N("0").HashBytes()), "80");
  EXPECT_EQ(hex(N("1").HashBytes()), "c102");
  EXPECT_EQ(hex(N("-1").HashBytes()), "3e6466");
  EXPECT_EQ(hex(N("100").HashBytes()), "c202");
  EXPECT_EQ(hex(N("123.45").HashBytes()), "c202182e");  // 01 23 . 45
  EXPECT_EQ(hex(N("0.05").HashBytes()), "c006");
  EXPECT_EQ(hex(N("-999.9").HashBytes()), "3d5c020b66");  // 09 99 . 90, negated
}

TEST(NumberTest, FromSortKeyInvertsSortKey) {
  for (const char* text :
       {"0", "1", "-1", "10", "-0.09", "999.9", "0.012345", "1E125", "-1E-130",
        "9.9999999999999999999999999999999999999E125", "-12345678901234567890"}) {
    const Number n = N(text);
    auto back = Number::FromSortKey(n.SortKey());
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->ToString(), n.ToString()) << text;
  }
  EXPECT_FALSE(Number::FromSortKey("").has_value());
  EXPECT_FALSE(Number::FromSortKey("\x03\x80\x0b\x00").has_value());  // digit byte 11
}

TEST(NumberTest, SortKeyOrderMatchesCompare) {
  std::mt19937_64 rng(12345);
  std::vector<Number> values;
  for (const char* fixed : {"0", "1", "-1", "10", "-10", "1.1", "-1.1", "1E125", "-1E125", "1E-130",
                            "-1E-130", "9.9999999999999999999999999999999999999E125"}) {
    values.push_back(N(fixed));
  }
  for (int i = 0; i < 3000; ++i) {
    int ndigits = 1 + static_cast<int>(rng() % 38);
    std::string text = (rng() % 2) ? "-" : "";
    for (int d = 0; d < ndigits; ++d) text.push_back(static_cast<char>('0' + rng() % 10));
    int exp = static_cast<int>(rng() % 60) - 30;
    if (rng() % 10 == 0) exp = static_cast<int>(rng() % 200) - 100;
    text += "e" + std::to_string(exp);
    auto parsed = Number::Parse(text);
    if (parsed.ok()) values.push_back(parsed.value());
  }
  auto key_less = [](const std::string& a, const std::string& b) {
    int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    return c != 0 ? c < 0 : a.size() < b.size();
  };
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    const Number& a = values[i];
    const Number& b = values[i + 1];
    std::string ka = a.SortKey(), kb = b.SortKey();
    int cmp = a.Compare(b);
    EXPECT_EQ(key_less(ka, kb), cmp < 0) << a.ToString() << " vs " << b.ToString();
    EXPECT_EQ(key_less(kb, ka), cmp > 0) << a.ToString() << " vs " << b.ToString();
    EXPECT_EQ(ka == kb, cmp == 0);
  }
  std::vector<Number> by_compare = values;
  std::sort(by_compare.begin(), by_compare.end());
  std::vector<Number> by_key = values;
  std::sort(by_key.begin(), by_key.end(),
            [&](const Number& a, const Number& b) { return key_less(a.SortKey(), b.SortKey()); });
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(by_compare[i], by_key[i]);
}

}  // namespace
}  // namespace streamstack::dynamodb
