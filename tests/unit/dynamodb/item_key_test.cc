#include "dynamodb/item_key.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "test_env.h"

namespace streamstack::dynamodb {
namespace {

using test_env::B;
using test_env::N;
using test_env::S;

// Encoded keys must sort exactly as DynamoDB sorts key values, by memcmp (SQLite's BLOB
// order). Each list is in ascending DynamoDB order.
struct OrderCase {
  const char* name;
  std::vector<AttributeValue> ascending;
};

std::vector<OrderCase> OrderCases() {
  return {
      {"numbers across signs and magnitudes",
       {N("-1E+125"),
        N("-123456789012345678901234567890123456.78"),
        N("-1000"),
        N("-100.5"),
        N("-100"),
        N("-99.999"),
        N("-10"),
        N("-2"),
        N("-1.5"),
        N("-1.05"),
        N("-1"),
        N("-0.5"),
        N("-1E-130"),
        N("0"),
        N("1E-130"),
        N("0.000001"),
        N("0.5"),
        N("1"),
        N("1.05"),
        N("1.5"),
        N("2"),
        N("9.99"),
        N("10"),
        N("10.01"),
        N("99"),
        N("100"),
        N("1000"),
        N("12345678901234567890123456789012345678"),
        N("9.9999999999999999999999999999999999999E+125")}},
      {"exact decimals past double precision",
       {N("0.10000000000000000000000000000000000001"),
        N("0.10000000000000000000000000000000000002"),
        N("0.1000000000000000000000000000000000001")}},
      {"strings by UTF-8 bytes",
       {S("A"), S("B"), S("Z"), S("a"), S("aa"), S("ab"), S("b"), S("z"), S("\xc3\xa9"),
        S("\xe2\x82\xac"), S("\xf0\x9f\x98\x80")}},
      {"binaries by unsigned bytes",
       {B(std::string("\x00", 1)), B(std::string("\x00\x00", 2)), B(std::string("\x00\x01", 2)),
        B("\x01"), B("\x7f"), B("\x7f\xff"), B("\x80"), B("\xfe\xff\xff"), B("\xff"),
        B(std::string("\xff\x00", 2)), B("\xff\xff")}},
  };
}

TEST(ItemKeyTest, EncodingOrderIsDynamoDbOrder) {
  for (const OrderCase& c : OrderCases()) {
    for (size_t i = 0; i + 1 < c.ascending.size(); ++i) {
      const std::string a = EncodeKeyValue(c.ascending[i]);
      const std::string b = EncodeKeyValue(c.ascending[i + 1]);
      EXPECT_LT(a, b) << c.name << ": element " << i;
      EXPECT_LT(CompareKeyValues(c.ascending[i], c.ascending[i + 1]), 0) << c.name << ": " << i;
    }
  }
}

TEST(ItemKeyTest, EqualNumbersEncodeEqually) {
  const std::vector<std::pair<const char*, const char*>> same = {
      {"1", "1.0"}, {"100", "1E2"}, {"-0", "0"}, {"0.5", "5E-1"}, {"1.50", "1.5"}};
  for (const auto& [a, b] : same) EXPECT_EQ(EncodeKeyValue(N(a)), EncodeKeyValue(N(b))) << a;
}

TEST(ItemKeyTest, RandomNumbersSortNumerically) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> value(-1000000, 1000000);
  std::uniform_int_distribution<int> scale(0, 6);
  std::vector<std::pair<double, std::string>> numbers;
  for (int i = 0; i < 2000; ++i) {
    int64_t v = value(rng);
    int s = scale(rng);
    std::string text = std::to_string(v) + "E-" + std::to_string(s);
    numbers.emplace_back(static_cast<double>(v) / std::pow(10.0, s), text);
  }
  std::sort(numbers.begin(), numbers.end(), [](const auto& a, const auto& b) {
    return EncodeKeyValue(N(a.second)) < EncodeKeyValue(N(b.second));
  });
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    EXPECT_LE(numbers[i].first, numbers[i + 1].first)
        << numbers[i].second << " vs " << numbers[i + 1].second;
  }
}

TEST(ItemKeyTest, SuccessorAndPrefixBounds) {
  EXPECT_EQ(KeySuccessor("ab"), std::string("ab\0", 3));
  EXPECT_LT(std::string("ab"), KeySuccessor("ab"));
  EXPECT_LT(KeySuccessor("ab"), std::string("ab\x01", 3));

  struct PrefixCase {
    std::string prefix;
    std::optional<std::string> bound;
  };
  const PrefixCase cases[] = {
      {"ab", "ac"},     {"a\xff", "b"}, {"a\xff\xff", "b"}, {"\xff\xff", std::nullopt},
      {"\x7f", "\x80"},
  };
  for (const auto& c : cases) EXPECT_EQ(PrefixUpperBound(c.prefix), c.bound) << c.prefix;
  // Everything that starts with the prefix is below the bound; the next string is not.
  for (const std::string s : {"ab", "ab\xff\xff", "abzzz"}) EXPECT_LT(s, *PrefixUpperBound("ab"));
  EXPECT_GE(std::string("ac"), *PrefixUpperBound("ab"));
  EXPECT_LT(EncodeKeyValue(S(std::string(1024, '\xf4'))), AboveEveryKey());
  EXPECT_LT(EncodeKeyValue(B(std::string(1024, '\xff'))), AboveEveryKey());
  EXPECT_LT(EncodeKeyValue(N("9.9999999999999999999999999999999999999E+125")), AboveEveryKey());
}

std::string Composite(const std::vector<AttributeValue>& values) {
  std::vector<const AttributeValue*> pointers;
  for (const AttributeValue& v : values) pointers.push_back(&v);
  return EncodeCompositeKey(pointers);
}

// A multi-attribute GSI key orders its items attribute by attribute, left to right
// (GSI.html#GSI.MultiAttributeKeys: "maintaining hierarchical sort order across multiple sort
// key attributes"; moto's AWS-verified test_sorting_by_composite_key), whatever bytes the values
// hold: every pair of tuples built from each type's ordered values compares as the tuples do.
TEST(ItemKeyTest, CompositeKeysSortAttributeByAttribute) {
  for (const OrderCase& first : OrderCases()) {
    for (const OrderCase& second : OrderCases()) {
      std::vector<std::vector<AttributeValue>> tuples;
      for (const AttributeValue& a : first.ascending) {
        for (const AttributeValue& b : second.ascending) tuples.push_back({a, b});
      }
      for (size_t i = 0; i + 1 < tuples.size(); ++i) {
        EXPECT_LT(Composite(tuples[i]), Composite(tuples[i + 1]))
            << first.name << " x " << second.name << ": tuple " << i;
      }
    }
  }
  // One attribute is stored as it always was.
  EXPECT_EQ(Composite({S("ab")}), EncodeKeyValue(S("ab")));
  // A value is never confused with a longer one that starts with its bytes.
  EXPECT_LT(Composite({S("a"), S("z")}), Composite({S("ab"), S("a")}));
  EXPECT_LT(Composite({B(std::string("a", 1)), B("\xff")}),
            Composite({B(std::string("a\0", 2)), B(std::string("\0", 1))}));
}

// The byte ranges a Query's sort condition becomes rest on two facts: a tuple starting with a
// value has that value's terminated part as a byte prefix, and begins_with on the last value
// given is a byte prefix of its unterminated part.
TEST(ItemKeyTest, CompositeKeyPrefixes) {
  const std::string key = Composite({S("shipped"), N("20"), S("x")});
  EXPECT_TRUE(key.starts_with(CompositeKeyPart(S("shipped"))));
  EXPECT_TRUE(key.starts_with(CompositeKeyPart(S("shipped")) + CompositeKeyPart(N("20"))));
  EXPECT_TRUE(key.starts_with(CompositeKeyPart(S("ship"), /*terminated=*/false)));
  EXPECT_FALSE(key.starts_with(CompositeKeyPart(S("ship"))));
  // Everything after "shipped" and all its tuples is at or above the prefix's upper bound.
  const std::string after = *PrefixUpperBound(CompositeKeyPart(S("shipped")));
  EXPECT_LT(key, after);
  EXPECT_GE(Composite({S("shipped!"), N("0"), S("")}), after);
  EXPECT_GE(Composite({S(std::string("shipped\0", 8)), N("0"), S("")}), after);
}

TEST(ItemKeyTest, SegmentsPartitionKeysWithoutGapOrOverlap) {
  for (int64_t total : {1, 2, 3, 7, 16, 1000}) {
    std::map<int64_t, int> per_segment;
    for (int i = 0; i < 5000; ++i) {
      const std::string pk = EncodePartitionKey(S("user#" + std::to_string(i)));
      int64_t segment = SegmentOfPartition(pk, total);
      ASSERT_GE(segment, 0);
      ASSERT_LT(segment, total);
      per_segment[segment]++;
      // Deterministic: a partition is always in the same segment, and inside its key range.
      ASSERT_EQ(segment, SegmentOfPartition(pk, total));
      const SegmentKeyRange range = SegmentKeys(segment, total);
      ASSERT_FALSE(range.empty);
      ASSERT_GE(pk, range.lower);
      if (range.upper) {
        ASSERT_LT(pk, *range.upper);
      }
    }
    if (total <= 16) {
      // Roughly even: every segment gets a share.
      EXPECT_EQ(static_cast<int64_t>(per_segment.size()), total);
      for (const auto& [segment, count] : per_segment) EXPECT_GT(count, 5000 / total / 3);
    }
  }
}

// Partitions follow each other in DynamoDB's Scan order: dynalite's test/scan.js "should return
// items in string hash order" and "... number hash order", whose expected orders were recorded
// against DynamoDB (they run against it with a remote endpoint).
TEST(ItemKeyTest, PartitionsSortInDynamoDbScanOrder) {
  auto scan_order = [](std::vector<AttributeValue> values) {
    std::sort(values.begin(), values.end(), [](const AttributeValue& a, const AttributeValue& b) {
      return EncodePartitionKey(a) < EncodePartitionKey(b);
    });
    std::vector<std::string> out;
    for (const auto& v : values) {
      out.push_back(v.type() == AttributeType::kN ? v.n().ToString() : v.s());
    }
    return out;
  };
  std::vector<AttributeValue> strings;
  for (const char* s : {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "aardman", "hello",
                        "zapf", "\xc3\xa4\xc3\xa1\xc3\xb6\xc3\xbc"}) {
    strings.push_back(S(s));
  }
  EXPECT_EQ(
      scan_order(strings),
      (std::vector<std::string>{"2", "8", "9", "1", "6", "hello", "0", "5", "4",
                                "\xc3\xa4\xc3\xa1\xc3\xb6\xc3\xbc", "aardman", "7", "3", "zapf"}));
  std::vector<AttributeValue> numbers;
  for (const char* n :
       {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-0.09", "999.9", "0.012345", "-999.9"}) {
    numbers.push_back(N(n));
  }
  EXPECT_EQ(scan_order(numbers),
            (std::vector<std::string>{"7", "999.9", "8", "3", "2", "-999.9", "9", "4", "-0.09", "6",
                                      "1", "0", "0.012345", "5"}));
}

// dynalite's "should return items from correct string/number hash segments" (recorded against
// DynamoDB): with 4096 segments, one bucket each.
TEST(ItemKeyTest, SegmentsAreDynamoDbsHashBuckets) {
  auto segment = [](const AttributeValue& v) {
    return SegmentOfPartition(EncodePartitionKey(v), 4096);
  };
  EXPECT_EQ(segment(S("3635")), 0);
  EXPECT_EQ(segment(S("228")), 0);
  EXPECT_EQ(segment(S("1668")), 1);
  EXPECT_EQ(segment(S("3435")), 4);
  EXPECT_EQ(segment(N("251")), 1);
  EXPECT_EQ(segment(N("2388")), 4095);
  // More segments than buckets: some are empty, and a bucket's partitions are in one segment.
  EXPECT_TRUE(SegmentKeys(1, 8192).empty);
  EXPECT_FALSE(SegmentKeys(2, 8192).empty);
  EXPECT_EQ(SegmentOfPartition(EncodePartitionKey(S("1668")), 8192), 2);
}

TEST(ItemKeyTest, KeyOfItemChecks) {
  TableDefinition table;
  table.hash_key = {"pk", AttributeType::kS};
  table.range_key = KeyAttribute{"sk", AttributeType::kN};
  struct Case {
    std::string item;
    std::string error;  // empty: ok
  };
  const Case cases[] = {
      {R"({"pk":{"S":"a"},"sk":{"N":"1"}})", ""},
      {R"({"pk":{"S":"a"}})",
       "One or more parameter values were invalid: Missing the key sk in the item"},
      {R"({"pk":{"N":"1"},"sk":{"N":"1"}})",
       "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
      {R"({"pk":{"S":""},"sk":{"N":"1"}})",
       "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
       "contain an empty string value. Key: pk"},
  };
  for (const Case& c : cases) {
    auto key = KeyOfItem(table, test_env::ParseItem(c.item));
    if (c.error.empty()) {
      EXPECT_TRUE(key.ok()) << c.item;
    } else {
      ASSERT_FALSE(key.ok()) << c.item;
      EXPECT_EQ(key.status().message(), c.error);
    }
  }
  auto extra = KeyOfKeyParameter(
      table, test_env::ParseItem(R"({"pk":{"S":"a"},"sk":{"N":"1"},"x":{"S":"y"}})"));
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.status().message(), "The provided key element does not match the schema");
}

}  // namespace
}  // namespace streamstack::dynamodb
