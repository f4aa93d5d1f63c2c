#include "streamstack/dynamodb/attribute_value.h"

#include <gtest/gtest.h>

namespace streamstack::dynamodb {
namespace {

using nlohmann::json;

TEST(AttributeValueTest, JsonRoundTrips) {
  const char* cases[] = {
      R"({"S":"hello"})",
      R"({"S":""})",
      R"({"N":"12.5"})",
      R"({"B":"AAEC/w=="})",
      R"({"SS":["b","a",""]})",
      R"({"NS":["3","1","-2.5"]})",
      R"({"BS":["AQ==","Ag=="]})",
      R"({"M":{"a":{"S":"x"},"b":{"L":[{"N":"1"},{"NULL":true},{"BOOL":false}]}}})",
      R"({"L":[]})",
      R"({"M":{}})",
      R"({"NULL":true})",
      R"({"BOOL":true})",
  };
  for (const char* text : cases) {
    auto v = AttributeValue::FromJson(json::parse(text));
    ASSERT_TRUE(v.ok()) << text << ": " << v.status().message();
    EXPECT_EQ(v->ToJson(), json::parse(text)) << text;
  }
}

TEST(AttributeValueTest, NumbersAreNormalisedOnOutput) {
  auto v = AttributeValue::FromJson(json::parse(R"({"NS":["1E+2","0.10","-0"]})"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->ToJson(), json::parse(R"({"NS":["100","0.1","0"]})"));
}

struct ErrorCase {
  const char* json_text;
  AwsError code;
  std::string message;
};

TEST(AttributeValueTest, ValidationMessages) {
  const std::string kInvalid = "One or more parameter values were invalid: ";
  const ErrorCase cases[] = {
      {R"({})", AwsError::kValidation,
       "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"S":null})", AwsError::kValidation,
       "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"S":"a","N":"1"})", AwsError::kValidation,
       "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
       "supported datatypes"},
      {R"({"SS":[]})", AwsError::kValidation, kInvalid + "An string set  may not be empty"},
      {R"({"NS":[]})", AwsError::kValidation, kInvalid + "An number set  may not be empty"},
      {R"({"BS":[]})", AwsError::kValidation, kInvalid + "Binary sets should not be empty"},
      {R"({"SS":["a","a"]})", AwsError::kValidation,
       kInvalid + "Input collection [\"a\", \"a\"] contains duplicates."},
      {R"({"SS":["b","a","b","0"]})", AwsError::kValidation,
       kInvalid + "Input collection [\"a\", \"b\", \"b\", \"0\"] contains duplicates."},
      {R"({"NS":["1","1.0"]})", AwsError::kValidation,
       kInvalid + "Input collection contains duplicates."},
      {R"({"BS":["/w==","AA==","AA=="]})", AwsError::kValidation,
       kInvalid + "Input collection [\"AA==\",\"/w==\",\"AA==\"]of type BS contains duplicates."},
      {R"({"NULL":false})", AwsError::kValidation,
       kInvalid + "Null attribute value types must have the value of true"},
      {R"({"N":"abc"})", AwsError::kValidation,
       "The parameter cannot be converted to a numeric value: abc"},
      // Each member's value before the count (dynalite test/putItem.js).
      {R"({"S":"a","N":"b"})", AwsError::kValidation,
       "The parameter cannot be converted to a numeric value: b"},
      {R"({"NS":["1","b"],"S":"a"})", AwsError::kValidation,
       "The parameter cannot be converted to a numeric value: b"},
      {R"({"NS":[""]})", AwsError::kValidation,
       "The parameter cannot be converted to a numeric value: "},
      {R"({"N":"1E126"})", AwsError::kValidation,
       "Number overflow. Attempting to store a number with magnitude larger than supported range"},
      {R"({"M":{"a":{"N":"123456789012345678901234567890123456789"}}})", AwsError::kValidation,
       "Attempting to store more than 38 significant digits in a Number"},
      {R"({"L":[{}]})", AwsError::kValidation,
       "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {R"({"B":"abc"})", AwsError::kSerialization,
       "Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
      {R"({"S":5})", AwsError::kSerialization, "NUMBER_VALUE can not be converted to String"},
  };
  for (const auto& c : cases) {
    auto v = AttributeValue::FromJson(json::parse(c.json_text));
    ASSERT_FALSE(v.ok()) << c.json_text;
    EXPECT_EQ(v.status().code(), c.code) << c.json_text;
    EXPECT_EQ(v.status().message(), c.message) << c.json_text;
  }
}

// The older layer (ValueWording::kOlder): numbers read as BigDecimal, a repeat listed as sent
// (a DynamoDB conformance suite's valueLayers captures, 2026-10-09).
TEST(AttributeValueTest, OlderLayerWording) {
  const std::string kInvalid = "One or more parameter values were invalid: ";
  // Worded alike in both layers.
  for (const char* same : {R"({"N":"abc"})", R"({"N":"1e126"})"}) {
    EXPECT_EQ(AttributeValue::FromJson(json::parse(same), ValueWording::kOlder).status().message(),
              AttributeValue::FromJson(json::parse(same)).status().message());
  }
  const std::pair<const char*, std::string> cases[] = {
      {R"({"N":""})", "The parameter cannot be converted to a numeric value"},
      {R"({"N":"1e2147483647"})",
       "Number underflow. Attempting to store a number with magnitude smaller than supported "
       "range"},
      {R"({"SS":["b","a","b"]})", kInvalid + "Input collection [b, a, b] contains duplicates."},
      {R"({"BS":["/w==","AA==","AA=="]})",
       kInvalid + "Input collection [/w==, AA==, AA==]of type BS contains duplicates."},
      {R"({"NS":["2","1","2"]})", "Input collection contains duplicates"},
      {R"({"L":[{"NS":["1",""]}]})", "The parameter cannot be converted to a numeric value"},
  };
  for (const auto& [text, message] : cases) {
    auto older = AttributeValue::FromJson(json::parse(text), ValueWording::kOlder);
    ASSERT_FALSE(older.ok()) << text;
    EXPECT_EQ(older.status().message(), message) << text;
    // The current layer words each of them differently.
    auto current = AttributeValue::FromJson(json::parse(text), ValueWording::kCurrent);
    ASSERT_FALSE(current.ok()) << text;
    EXPECT_NE(current.status().message(), message) << text;
  }
  auto key = ItemFromJson(json::parse(R"({"k":{"N":"1e2147483647"}})"), ValueWording::kOlder);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message().rfind("Number underflow.", 0), 0U);
}

TEST(AttributeValueTest, ReaderFaults) {
  EXPECT_TRUE(IsReaderFault(AttributeValue::FromJson(json::parse("{}")).status()));
  EXPECT_TRUE(
      IsReaderFault(AttributeValue::FromJson(json::parse(R"({"S":"a","BOOL":true})")).status()));
  EXPECT_FALSE(IsReaderFault(AttributeValue::FromJson(json::parse(R"({"N":"x"})")).status()));
  EXPECT_FALSE(IsReaderFault(Status::Ok()));
}

json Nested(int wraps) {
  json v = {{"S", "x"}};
  for (int i = 0; i < wraps; ++i) v = {{"M", {{"a", v}}}};
  return v;
}

TEST(AttributeValueTest, NestingLimits) {
  // A request's value is read up to 63 levels (62 map wraps around a scalar); deeper is refused
  // as it is read. A stored item is held to 32 levels (31 wraps) by CheckItemNesting.
  auto deepest_read = AttributeValue::FromJson(Nested(62));
  ASSERT_TRUE(deepest_read.ok()) << deepest_read.status().message();
  EXPECT_EQ(deepest_read->Depth(), 63);
  auto too_deep = AttributeValue::FromJson(Nested(63));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().message(),
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
            "levels beyond supported limit");

  auto stored = AttributeValue::FromJson(Nested(31));
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->Depth(), 32);
  EXPECT_TRUE(CheckItemNesting(Item{{"a", *stored}, {"b", AttributeValue::Null()}}).ok());
  auto deeper = AttributeValue::FromJson(Nested(32));
  ASSERT_TRUE(deeper.ok());
  Status refused = CheckItemNesting(Item{{"a", AttributeValue::Null()}, {"b", *deeper}});
  EXPECT_EQ(refused.code(), AwsError::kValidation);
  EXPECT_EQ(refused.message(), kNestingExceeded);
}

TEST(AttributeValueTest, SetsCompareAsSets) {
  auto a = AttributeValue::FromJson(json::parse(R"({"SS":["a","b"]})"));
  auto b = AttributeValue::FromJson(json::parse(R"({"SS":["b","a"]})"));
  auto c = AttributeValue::FromJson(json::parse(R"({"NS":["1","2"]})"));
  auto d = AttributeValue::FromJson(json::parse(R"({"NS":["2.0","1"]})"));
  EXPECT_EQ(a.value(), b.value());
  EXPECT_EQ(c.value(), d.value());
  EXPECT_FALSE(a.value() == c.value());
  EXPECT_FALSE(AttributeValue::List({AttributeValue::Bool(true)}) ==
               AttributeValue::List({AttributeValue::Bool(false)}));
}

struct SizeCase {
  const char* item_json;
  size_t size;
};

TEST(AttributeValueTest, ItemSize) {
  const SizeCase cases[] = {
      {R"({"ab":{"S":"héllo"}})", 2 + 6},
      {R"({"n":{"N":"12345"}})", 1 + 3 + 1},
      {R"({"n":{"N":"0.001200"}})", 1 + 1 + 1},
      {R"({"n":{"N":"0.012"}})", 1 + 2 + 1},
      {R"({"n":{"N":"-3.14159"}})", 1 + 6},
      {R"({"b":{"B":"AAEC"}})", 1 + 3},
      {R"({"t":{"BOOL":true},"u":{"NULL":true}})", 2 + 2},
      {R"({"s":{"SS":["ab","c"]}})", 1 + 3},
      {R"({"s":{"NS":["1","22","333"]}})", 1 + 2 + 2 + 3},
      {R"({"l":{"L":[]}})", 1 + 3},
      {R"({"l":{"L":[{"S":"ab"},{"BOOL":true}]}})", 1 + 3 + (2 + 1) + (1 + 1)},
      {R"({"m":{"M":{"k":{"S":"v"}}}})", 1 + 3 + (1 + 1 + 1)},
  };
  for (const auto& c : cases) {
    auto item = ItemFromJson(json::parse(c.item_json));
    ASSERT_TRUE(item.ok()) << c.item_json;
    EXPECT_EQ(ItemSizeBytes(item.value()), c.size) << c.item_json;
  }
}

// Items whose sizes AWS itself decided: dynalite's test/putItem.js and test/getItem.js,
// recorded against DynamoDB, put them at exactly 1 KB and 4 KB (one write or read unit) and
// one byte over (two units). The sizes follow the developer guide's "DynamoDB item sizes and
// formats" (names and strings as UTF-8 bytes, binary as raw bytes, a number as 1 byte plus
// 1 per two significant digits, a set as the sum of its members).
TEST(AttributeValueTest, ItemSizeAtAwsRecordedBoundaries) {
  auto item = [](size_t b_length, const char* bs) {
    // "a" is a 10-character key as dynalite's randomString() makes it.
    return ItemFromJson(json::parse(std::string(R"({"a":{"S":"0123456789"},"b":{"S":")") +
                                    std::string(b_length, 'b') +
                                    R"("},"c":{"N":"12.3456"},"d":{"B":"AQI="},"e":{"BS":)" + bs +
                                    "}}"))
        .value();
  };
  // putItem.js "small item": b is 1009 - 10 characters, e three binaries of 2, 1, 1 bytes.
  EXPECT_EQ(ItemSizeBytes(item(1009 - 10, R"(["AQI=","Ag==","AQ=="])")), 1024u);
  // putItem.js "larger item": b 1011 - 10 characters, e two binaries of 2 and 1 bytes.
  EXPECT_EQ(ItemSizeBytes(item(1011 - 10, R"(["AQI=","Ag=="])")), 1025u);
  // getItem.js and batchGetItem.js use b of 4081 - 10 and 4083 - 10 characters: 4 KB and
  // one byte over.
  EXPECT_EQ(ItemSizeBytes(item(4081 - 10, R"(["AQI=","Ag==","AQ=="])")), 4096u);
  EXPECT_EQ(ItemSizeBytes(item(4083 - 10, R"(["AQI=","Ag=="])")), 4097u);
}

TEST(AttributeValueTest, KeyComparison) {
  auto s = [](std::string v) { return AttributeValue::String(std::move(v)); };
  auto n = [](const char* v) { return AttributeValue::Num(Number::Parse(v).value()); };
  EXPECT_LT(CompareKeyValues(s("a"), s("b")), 0);
  EXPECT_LT(CompareKeyValues(s("Z"), s("a")), 0);
  EXPECT_LT(CompareKeyValues(s("a"), s("\xc3\xa9")), 0);  // unsigned bytes
  EXPECT_LT(CompareKeyValues(n("-10"), n("9")), 0);
  EXPECT_EQ(CompareKeyValues(n("1.0"), n("1")), 0);
  EXPECT_LT(CompareKeyValues(AttributeValue::Binary("\x01"), AttributeValue::Binary("\xff")), 0);
}

TEST(AttributeValueTest, Base64) {
  for (std::string raw : {std::string(), std::string("a"), std::string("ab"), std::string("abc"),
                          std::string("\x00\xff\x10", 3)}) {
    auto decoded = Base64Decode(Base64Encode(raw));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded.value(), raw);
  }
  EXPECT_FALSE(Base64Decode("ab!=").ok());
  EXPECT_FALSE(Base64Decode("a=bc").ok());
}

TEST(AttributeValueTest, ItemJson) {
  auto item = ItemFromJson(json::parse(R"({"pk":{"S":"k"},"v":{"N":"007"}})"));
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(ItemToJson(item.value()), json::parse(R"({"pk":{"S":"k"},"v":{"N":"7"}})"));
  EXPECT_FALSE(ItemFromJson(json::parse(R"({"pk":{}})")).ok());
}

}  // namespace
}  // namespace streamstack::dynamodb
