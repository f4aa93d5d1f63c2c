#include "streamstack/esm/filter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace streamstack::esm {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------
// Matching: one pattern, one event, the expected answer.

struct MatchCase {
  const char* name;
  const char* pattern;
  const char* event;
  bool matches;
};

std::ostream& operator<<(std::ostream& os, const MatchCase& c) { return os << c.name; }

class FilterMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(FilterMatchTest, Matches) {
  const MatchCase& c = GetParam();
  auto pattern = FilterPattern::Parse(c.pattern);
  ASSERT_TRUE(pattern.ok()) << c.pattern << ": " << pattern.status().message();
  EXPECT_EQ(pattern->Matches(json::parse(c.event)), c.matches)
      << "pattern " << c.pattern << "\nevent   " << c.event;
}

std::string CaseName(const ::testing::TestParamInfo<MatchCase>& info) { return info.param.name; }

// Exact values: strings, numbers, booleans, null, and the OR of a leaf's values.
const MatchCase kEqualityCases[] = {
    {"StringEqual", R"({"a": ["x"]})", R"({"a": "x"})", true},
    {"StringDiffers", R"({"a": ["x"]})", R"({"a": "y"})", false},
    {"StringIsCaseSensitive", R"({"a": ["x"]})", R"({"a": "X"})", false},
    {"StringNotNormalised", R"({"a": ["x"]})", R"({"a": "x "})", false},
    {"EmptyStringMatchesEmpty", R"({"a": [""]})", R"({"a": ""})", true},
    {"EmptyStringNotMissing", R"({"a": [""]})", R"({})", false},
    {"MissingFieldNoMatch", R"({"a": ["x"]})", R"({"b": "x"})", false},
    {"OrWithinLeaf", R"({"a": ["x", "y"]})", R"({"a": "y"})", true},
    {"OrWithinLeafNone", R"({"a": ["x", "y"]})", R"({"a": "z"})", false},
    {"NumberEqual", R"({"a": [5]})", R"({"a": 5})", true},
    {"NumberDiffers", R"({"a": [5]})", R"({"a": 6})", false},
    {"NumberNotString", R"({"a": [5]})", R"({"a": "5"})", false},
    {"StringNotNumber", R"({"a": ["5"]})", R"({"a": 5})", false},
    {"NegativeNumber", R"({"a": [-5]})", R"({"a": -5})", true},
    {"FloatEqual", R"({"a": [1.5]})", R"({"a": 1.5})", true},
    {"IntegerNotFloat", R"({"a": [300]})", R"({"a": 300.0})", false},
    {"FloatNotInteger", R"({"a": [300.0]})", R"({"a": 300})", false},
    {"BigIntegerExact", R"({"a": [9007199254740993]})", R"({"a": 9007199254740993})", true},
    {"BigIntegerNoRounding", R"({"a": [9007199254740993]})", R"({"a": 9007199254740992})", false},
    {"Uint64Max", R"({"a": [18446744073709551615]})", R"({"a": 18446744073709551615})", true},
    {"NegativeVsUnsigned", R"({"a": [-1]})", R"({"a": 18446744073709551615})", false},
    {"TrueEqual", R"({"a": [true]})", R"({"a": true})", true},
    {"TrueNotFalse", R"({"a": [true]})", R"({"a": false})", false},
    {"TrueNotString", R"({"a": [true]})", R"({"a": "true"})", false},
    {"NullMatchesNull", R"({"a": [null]})", R"({"a": null})", true},
    {"NullNotMissing", R"({"a": [null]})", R"({})", false},
    {"NullNotEmptyString", R"({"a": [null]})", R"({"a": ""})", false},
    {"MixedLeafTypes", R"({"a": ["x", 1, true, null]})", R"({"a": null})", true},
    {"LeafNotObject", R"({"a": ["x"]})", R"({"a": {"b": "x"}})", false},
    {"EventNotObject", R"({"a": ["x"]})", R"("x")", false},
};
INSTANTIATE_TEST_SUITE_P(Equality, FilterMatchTest, ::testing::ValuesIn(kEqualityCases), CaseName);

// Structure: nesting, AND of keys, arrays in the event, "$or".
const MatchCase kStructureCases[] = {
    {"NestedField", R"({"a": {"b": ["x"]}})", R"({"a": {"b": "x"}})", true},
    {"NestedFieldDiffers", R"({"a": {"b": ["x"]}})", R"({"a": {"b": "y"}})", false},
    {"NestedParentMissing", R"({"a": {"b": ["x"]}})", R"({"c": 1})", false},
    {"NestedParentScalar", R"({"a": {"b": ["x"]}})", R"({"a": "x"})", false},
    {"DeepNesting", R"({"a": {"b": {"c": {"d": [1]}}}})", R"({"a": {"b": {"c": {"d": 1}}}})", true},
    {"KeysAreAnded", R"({"a": ["x"], "b": ["y"]})", R"({"a": "x", "b": "y"})", true},
    {"KeysAreAndedOneFails", R"({"a": ["x"], "b": ["y"]})", R"({"a": "x", "b": "z"})", false},
    {"KeysAreAndedOneMissing", R"({"a": ["x"], "b": ["y"]})", R"({"a": "x"})", false},
    {"ExtraEventFieldsIgnored", R"({"a": ["x"]})", R"({"a": "x", "z": {"q": 1}})", true},
    {"EventArrayAnyElement", R"({"a": ["x"]})", R"({"a": ["w", "x"]})", true},
    {"EventArrayNoElement", R"({"a": ["x"]})", R"({"a": ["w", "v"]})", false},
    {"EventArrayEmpty", R"({"a": ["x"]})", R"({"a": []})", false},
    {"EventNestedArraysFlattened", R"({"a": [3]})", R"({"a": [[1, 2], [3]]})", true},
    {"EventArrayOfObjects", R"({"a": {"b": ["x"]}})", R"({"a": [{"b": "y"}, {"b": "x"}]})", true},
    {"EventArrayOfObjectsNone", R"({"a": {"b": ["x"]}})", R"({"a": [{"b": "y"}, {"c": "x"}]})",
     false},
    // Fields of one sub-pattern must come from the same array element.
    {"ArrayElementConsistency", R"({"a": {"b": ["x"], "c": ["y"]}})",
     R"({"a": [{"b": "x", "c": "n"}, {"b": "n", "c": "y"}]})", false},
    {"ArrayElementConsistencyMatch", R"({"a": {"b": ["x"], "c": ["y"]}})",
     R"({"a": [{"b": "x", "c": "n"}, {"b": "x", "c": "y"}]})", true},
    {"OrFirst", R"({"$or": [{"a": ["x"]}, {"b": ["y"]}]})", R"({"a": "x"})", true},
    {"OrSecond", R"({"$or": [{"a": ["x"]}, {"b": ["y"]}]})", R"({"b": "y"})", true},
    {"OrNeither", R"({"$or": [{"a": ["x"]}, {"b": ["y"]}]})", R"({"a": "y", "b": "x"})", false},
    {"OrAndedWithFields", R"({"c": [1], "$or": [{"a": ["x"]}, {"b": ["y"]}]})",
     R"({"a": "x", "c": 2})", false},
    {"OrAndedWithFieldsMatch", R"({"c": [1], "$or": [{"a": ["x"]}, {"b": ["y"]}]})",
     R"({"b": "y", "c": 1})", true},
    {"OrNested", R"({"d": {"$or": [{"a": ["x"]}, {"b": [{"numeric": [">", 5]}]}]}})",
     R"({"d": {"b": 7}})", true},
    {"OrOfNestedPatterns", R"({"$or": [{"d": {"a": ["x"]}}, {"e": {"a": ["x"]}}]})",
     R"({"e": {"a": "x"}})", true},
    {"OrInsideOr", R"({"$or": [{"a": ["x"]}, {"$or": [{"b": ["y"]}, {"c": ["z"]}]}]})",
     R"({"c": "z"})", true},
    {"DollarOrObjectIsAField", R"({"$or": {"a": ["x"]}})", R"({"$or": {"a": "x"}})", true},
};
INSTANTIATE_TEST_SUITE_P(Structure, FilterMatchTest, ::testing::ValuesIn(kStructureCases),
                         CaseName);

// Operators on strings: prefix, suffix, equals-ignore-case, wildcard.
const MatchCase kStringOperatorCases[] = {
    {"Prefix", R"({"a": [{"prefix": "us-"}]})", R"({"a": "us-east-1"})", true},
    {"PrefixNot", R"({"a": [{"prefix": "us-"}]})", R"({"a": "eu-west-1"})", false},
    {"PrefixWholeString", R"({"a": [{"prefix": "us-"}]})", R"({"a": "us-"})", true},
    {"PrefixLongerThanValue", R"({"a": [{"prefix": "us-east"}]})", R"({"a": "us"})", false},
    {"PrefixCaseSensitive", R"({"a": [{"prefix": "us-"}]})", R"({"a": "US-east"})", false},
    {"PrefixOnlyStrings", R"({"a": [{"prefix": "1"}]})", R"({"a": 123})", false},
    {"PrefixEmptyMatchesAnyString", R"({"a": [{"prefix": ""}]})", R"({"a": "x"})", true},
    {"PrefixInArray", R"({"a": [{"prefix": "us-"}]})", R"({"a": ["eu-1", "us-2"]})", true},
    {"PrefixIgnoreCase", R"({"a": [{"prefix": {"equals-ignore-case": "EventB"}}]})",
     R"({"a": "eventbridge"})", true},
    {"PrefixIgnoreCaseNot", R"({"a": [{"prefix": {"equals-ignore-case": "EventB"}}]})",
     R"({"a": "lambda"})", false},
    {"Suffix", R"({"a": [{"suffix": ".png"}]})", R"({"a": "dir/image.png"})", true},
    {"SuffixNot", R"({"a": [{"suffix": ".png"}]})", R"({"a": "image.jpg"})", false},
    {"SuffixShortValue", R"({"a": [{"suffix": ".png"}]})", R"({"a": "png"})", false},
    {"SuffixIgnoreCase", R"({"a": [{"suffix": {"equals-ignore-case": ".PNG"}}]})",
     R"({"a": "x.Png"})", true},
    {"IgnoreCase", R"({"a": [{"equals-ignore-case": "alice"}]})", R"({"a": "ALICE"})", true},
    {"IgnoreCaseMixed", R"({"a": [{"equals-ignore-case": "AlIcE"}]})", R"({"a": "aLiCe"})", true},
    {"IgnoreCaseNotPrefix", R"({"a": [{"equals-ignore-case": "alice"}]})", R"({"a": "alices"})",
     false},
    {"IgnoreCaseOnlyStrings", R"({"a": [{"equals-ignore-case": "true"}]})", R"({"a": true})",
     false},
    {"Wildcard", R"({"a": [{"wildcard": "dir/*.png"}]})", R"({"a": "dir/a/b.png"})", true},
    {"WildcardNot", R"({"a": [{"wildcard": "dir/*.png"}]})", R"({"a": "dir/a.jpg"})", false},
    {"WildcardEmptyRun", R"({"a": [{"wildcard": "a*b"}]})", R"({"a": "ab"})", true},
    {"WildcardNoOverlap", R"({"a": [{"wildcard": "ab*ba"}]})", R"({"a": "aba"})", false},
    {"WildcardSeveralStars", R"({"a": [{"wildcard": "*a*b*"}]})", R"({"a": "xxaxxbxx"})", true},
    {"WildcardSeveralStarsOrder", R"({"a": [{"wildcard": "*a*b*"}]})", R"({"a": "xxbxxaxx"})",
     false},
    {"WildcardStarOnly", R"({"a": [{"wildcard": "*"}]})", R"({"a": ""})", true},
    {"WildcardNoStarIsExact", R"({"a": [{"wildcard": "abc"}]})", R"({"a": "abcd"})", false},
    {"WildcardEscapedStar", R"({"a": [{"wildcard": "a\\*b"}]})", R"({"a": "a*b"})", true},
    {"WildcardEscapedStarIsLiteral", R"({"a": [{"wildcard": "a\\*b"}]})", R"({"a": "axb"})", false},
    {"WildcardEscapedBackslash", R"({"a": [{"wildcard": "a\\\\*"}]})", R"({"a": "a\\bc"})", true},
    {"WildcardCaseSensitive", R"({"a": [{"wildcard": "A*"}]})", R"({"a": "abc"})", false},
    {"WildcardOnlyStrings", R"({"a": [{"wildcard": "1*"}]})", R"({"a": 12})", false},
};
INSTANTIATE_TEST_SUITE_P(StringOperators, FilterMatchTest,
                         ::testing::ValuesIn(kStringOperatorCases), CaseName);

// {"numeric": [...]}: JSON numbers only, open and closed bounds.
const MatchCase kNumericCases[] = {
    {"Equals", R"({"a": [{"numeric": ["=", 100]}]})", R"({"a": 100})", true},
    {"EqualsFloatEvent", R"({"a": [{"numeric": ["=", 100]}]})", R"({"a": 100.0})", true},
    {"EqualsNot", R"({"a": [{"numeric": ["=", 100]}]})", R"({"a": 101})", false},
    {"Greater", R"({"a": [{"numeric": [">", 0]}]})", R"({"a": 1})", true},
    {"GreaterExcludesBound", R"({"a": [{"numeric": [">", 0]}]})", R"({"a": 0})", false},
    {"GreaterOrEqualIncludesBound", R"({"a": [{"numeric": [">=", 0]}]})", R"({"a": 0})", true},
    {"Less", R"({"a": [{"numeric": ["<", 10]}]})", R"({"a": -3.5})", true},
    {"LessExcludesBound", R"({"a": [{"numeric": ["<", 10]}]})", R"({"a": 10})", false},
    {"LessOrEqualIncludesBound", R"({"a": [{"numeric": ["<=", 10]}]})", R"({"a": 10})", true},
    {"RangeInside", R"({"a": [{"numeric": [">", 0, "<=", 5]}]})", R"({"a": 5})", true},
    {"RangeBelow", R"({"a": [{"numeric": [">", 0, "<=", 5]}]})", R"({"a": 0})", false},
    {"RangeAbove", R"({"a": [{"numeric": [">", 0, "<=", 5]}]})", R"({"a": 5.0001})", false},
    {"RangeFloats", R"({"a": [{"numeric": [">=", 10.5, "<", 150.5]}]})", R"({"a": 150.49})", true},
    {"RangeUpperFirst", R"({"a": [{"numeric": ["<", 5, ">", 0]}]})", R"({"a": 3})", true},
    {"StringNumberNeverMatches", R"({"a": [{"numeric": [">", 0]}]})", R"({"a": "5"})", false},
    {"BooleanNeverMatches", R"({"a": [{"numeric": [">", 0]}]})", R"({"a": true})", false},
    {"MissingNeverMatches", R"({"a": [{"numeric": ["<", 0]}]})", R"({})", false},
    {"ArrayAnyElement", R"({"a": [{"numeric": [">", 10]}]})", R"({"a": [1, 20]})", true},
    {"EventBeyondLimit", R"({"a": [{"numeric": [">", 0]}]})", R"({"a": 6e9})", false},
    {"EventAtLimit", R"({"a": [{"numeric": [">", 0]}]})", R"({"a": 5000000000})", true},
    {"OrWithExact", R"({"a": [{"numeric": [">", 100]}, 7]})", R"({"a": 7})", true},
};
INSTANTIATE_TEST_SUITE_P(Numeric, FilterMatchTest, ::testing::ValuesIn(kNumericCases), CaseName);

// {"exists": ...}: leaf values only, and an absent key for false.
const MatchCase kExistsCases[] = {
    {"ExistsTrue", R"({"a": [{"exists": true}]})", R"({"a": "x"})", true},
    {"ExistsTrueMissing", R"({"a": [{"exists": true}]})", R"({"b": "x"})", false},
    {"ExistsTrueNull", R"({"a": [{"exists": true}]})", R"({"a": null})", true},
    {"ExistsTrueEmptyString", R"({"a": [{"exists": true}]})", R"({"a": ""})", true},
    // AWS: exists only sees leaf nodes, never an intermediate object.
    {"ExistsTrueIntermediateNode", R"({"a": [{"exists": true}]})", R"({"a": {"b": 1}})", false},
    {"ExistsTrueEmptyArray", R"({"a": [{"exists": true}]})", R"({"a": []})", false},
    {"ExistsTrueArray", R"({"a": [{"exists": true}]})", R"({"a": [1]})", true},
    {"ExistsFalseMissing", R"({"a": [{"exists": false}]})", R"({"b": 1})", true},
    {"ExistsFalsePresent", R"({"a": [{"exists": false}]})", R"({"a": 1})", false},
    {"ExistsFalseNull", R"({"a": [{"exists": false}]})", R"({"a": null})", false},
    {"ExistsFalseIntermediateNode", R"({"a": [{"exists": false}]})", R"({"a": {"b": 1}})", true},
    {"ExistsFalseNestedParentMissing", R"({"a": {"b": [{"exists": false}]}})", R"({})", true},
    {"ExistsFalseNestedParentScalar", R"({"a": {"b": [{"exists": false}]}})", R"({"a": 1})", true},
    {"ExistsFalseNestedPresent", R"({"a": {"b": [{"exists": false}]}})", R"({"a": {"b": 1}})",
     false},
    {"ExistsFalseAndedWithOther", R"({"a": [{"exists": false}], "b": ["x"]})", R"({"b": "x"})",
     true},
    {"ExistsFalseOrValue", R"({"a": ["x", {"exists": false}]})", R"({"a": "y"})", false},
    {"ExistsFalseOrValueMissing", R"({"a": ["x", {"exists": false}]})", R"({})", true},
};
INSTANTIATE_TEST_SUITE_P(Exists, FilterMatchTest, ::testing::ValuesIn(kExistsCases), CaseName);

// {"anything-but": ...}: values, lists and string operators; never a missing key.
const MatchCase kAnythingButCases[] = {
    {"String", R"({"a": [{"anything-but": "x"}]})", R"({"a": "y"})", true},
    {"StringExcluded", R"({"a": [{"anything-but": "x"}]})", R"({"a": "x"})", false},
    {"MissingNeverMatches", R"({"a": [{"anything-but": "x"}]})", R"({})", false},
    {"List", R"({"a": [{"anything-but": ["x", "y"]}]})", R"({"a": "z"})", true},
    {"ListExcluded", R"({"a": [{"anything-but": ["x", "y"]}]})", R"({"a": "y"})", false},
    {"Number", R"({"a": [{"anything-but": 123}]})", R"({"a": 124})", true},
    {"NumberExcluded", R"({"a": [{"anything-but": 123}]})", R"({"a": 123})", false},
    {"NumberList", R"({"a": [{"anything-but": [100, 200]}]})", R"({"a": 200})", false},
    {"NumberVsString", R"({"a": [{"anything-but": [123]}]})", R"({"a": "123"})", true},
    {"OtherTypes", R"({"a": [{"anything-but": "x"}]})", R"({"a": true})", true},
    {"NullIsAValue", R"({"a": [{"anything-but": "x"}]})", R"({"a": null})", true},
    {"ArrayOneOther", R"({"a": [{"anything-but": "x"}]})", R"({"a": ["x", "y"]})", true},
    {"ArrayAllExcluded", R"({"a": [{"anything-but": "x"}]})", R"({"a": ["x", "x"]})", false},
    {"Prefix", R"({"a": [{"anything-but": {"prefix": "init"}}]})", R"({"a": "running"})", true},
    {"PrefixExcluded", R"({"a": [{"anything-but": {"prefix": "init"}}]})",
     R"({"a": "initializing"})", false},
    {"Suffix", R"({"a": [{"anything-but": {"suffix": ".png"}}]})", R"({"a": "a.jpg"})", true},
    {"SuffixExcluded", R"({"a": [{"anything-but": {"suffix": ".png"}}]})", R"({"a": "a.png"})",
     false},
    {"IgnoreCase", R"({"a": [{"anything-but": {"equals-ignore-case": "X"}}]})", R"({"a": "y"})",
     true},
    {"IgnoreCaseExcluded", R"({"a": [{"anything-but": {"equals-ignore-case": "X"}}]})",
     R"({"a": "x"})", false},
    {"IgnoreCaseList", R"({"a": [{"anything-but": {"equals-ignore-case": ["X", "Y"]}}]})",
     R"({"a": "y"})", false},
    {"Wildcard", R"({"a": [{"anything-but": {"wildcard": "*/dir/*"}}]})", R"({"a": "/x/a"})", true},
    {"WildcardExcluded", R"({"a": [{"anything-but": {"wildcard": "*/dir/*"}}]})",
     R"({"a": "/dir/a"})", false},
    {"OrWithExact", R"({"a": [{"anything-but": "x"}, "x"]})", R"({"a": "x"})", true},
};
INSTANTIATE_TEST_SUITE_P(AnythingBut, FilterMatchTest, ::testing::ValuesIn(kAnythingButCases),
                         CaseName);

// DynamoDB stream records as the function receives them (AWS's documentation examples).
constexpr const char* kInsertRecord = R"({
  "eventID": "1", "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
  "awsRegion": "us-east-1",
  "dynamodb": {
    "ApproximateCreationDateTime": 1678831218,
    "Keys": {"CustomerName": {"S": "AnyCompany Industries"}},
    "NewImage": {
      "AccountManager": {"S": "Pat Candella"}, "PaymentTerms": {"S": "60 days"},
      "CustomerName": {"S": "AnyCompany Industries"}, "Balance": {"N": "120"},
      "Active": {"BOOL": true}, "Tags": {"SS": ["gold", "eu"]},
      "Orders": {"L": [{"M": {"Id": {"S": "o-1"}}}, {"M": {"Id": {"S": "o-2"}}}]}
    },
    "SequenceNumber": "111", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"
  },
  "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2024"
})";

const MatchCase kDynamoDbCases[] = {
    {"EventName", R"({"eventName": ["INSERT"]})", kInsertRecord, true},
    {"EventNameOther", R"({"eventName": ["MODIFY", "REMOVE"]})", kInsertRecord, false},
    {"Key", R"({"dynamodb": {"Keys": {"CustomerName": {"S": ["AnyCompany Industries"]}}}})",
     kInsertRecord, true},
    {"NewImageOr",
     R"({"dynamodb": {"NewImage": {"AccountManager": {"S": ["Pat Candella", "Shirley Rodriguez"]}}}})",
     kInsertRecord, true},
    {"NewImageAndEventName",
     R"({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"PaymentTerms": {"S": [{"prefix": "60"}]}}}})",
     kInsertRecord, true},
    // DynamoDB numbers are strings in the record, so numeric matching does not apply to them.
    {"NumberAttributeIsString",
     R"({"dynamodb": {"NewImage": {"Balance": {"N": [{"numeric": [">", 100]}]}}}})", kInsertRecord,
     false},
    {"NumberAttributeExact", R"({"dynamodb": {"NewImage": {"Balance": {"N": ["120"]}}}})",
     kInsertRecord, true},
    {"Bool", R"({"dynamodb": {"NewImage": {"Active": {"BOOL": [true]}}}})", kInsertRecord, true},
    {"StringSetElement", R"({"dynamodb": {"NewImage": {"Tags": {"SS": ["eu"]}}}})", kInsertRecord,
     true},
    {"ListOfMaps",
     R"({"dynamodb": {"NewImage": {"Orders": {"L": {"M": {"Id": {"S": ["o-2"]}}}}}}})",
     kInsertRecord, true},
    {"AttributeExists",
     R"({"dynamodb": {"NewImage": {"PaymentTerms": {"S": [{"exists": true}]}}}})", kInsertRecord,
     true},
    // The attribute itself is an intermediate node ({"S": ...}): exists does not see it.
    {"AttributeExistsIntermediate",
     R"({"dynamodb": {"NewImage": {"PaymentTerms": [{"exists": true}]}}})", kInsertRecord, false},
    {"AttributeMissing", R"({"dynamodb": {"NewImage": {"Discount": {"N": [{"exists": false}]}}}})",
     kInsertRecord, true},
    {"OldImageMissingOnInsert",
     R"({"dynamodb": {"OldImage": {"AccountManager": {"S": [{"anything-but": "x"}]}}}})",
     kInsertRecord, false},
    {"MetadataNumeric", R"({"dynamodb": {"SizeBytes": [{"numeric": [">", 10, "<", 100]}]}})",
     kInsertRecord, true},
    {"OrAcrossImages",
     R"({"$or": [{"eventName": ["REMOVE"]}, {"dynamodb": {"NewImage": {"Active": {"BOOL": [true]}}}}]})",
     kInsertRecord, true},
};
INSTANTIATE_TEST_SUITE_P(DynamoDbRecord, FilterMatchTest, ::testing::ValuesIn(kDynamoDbCases),
                         CaseName);

// ---------------------------------------------------------------------------------------
// Patterns AWS rejects: every one is InvalidParameterValueException with one text.

struct InvalidCase {
  const char* name;
  const char* pattern;
};

std::ostream& operator<<(std::ostream& os, const InvalidCase& c) { return os << c.name; }

class FilterInvalidTest : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(FilterInvalidTest, Rejected) {
  auto pattern = FilterPattern::Parse(GetParam().pattern);
  ASSERT_FALSE(pattern.ok()) << GetParam().pattern;
  EXPECT_EQ(pattern.status().code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(pattern.status().message(), "Invalid filter pattern definition.");
}

const InvalidCase kInvalidCases[] = {
    // Not a pattern object.
    {"EmptyText", ""},
    {"NotJson", "{not json"},
    {"TrailingGarbage", R"({"a": ["x"]} x)"},
    {"TopLevelArray", R"([{"a": ["x"]}])"},
    {"TopLevelString", R"("a")"},
    {"TopLevelNumber", "1"},
    {"TopLevelNull", "null"},
    {"EmptyObject", "{}"},
    {"EmptyNestedObject", R"({"a": {}})"},
    // Leaves.
    {"LeafString", R"({"a": "x"})"},
    {"LeafNumber", R"({"a": 1})"},
    {"LeafNull", R"({"a": null})"},
    {"LeafBool", R"({"a": true})"},
    {"EmptyLeafArray", R"({"a": []})"},
    {"NestedLeafArray", R"({"a": [["x"]]})"},
    {"EmptyMatcherObject", R"({"a": [{}]})"},
    {"UnknownOperator", R"({"a": [{"contains": "x"}]})"},
    {"CidrNotSupported", R"({"a": [{"cidr": "10.0.0.0/24"}]})"},
    {"TwoOperatorsInOneObject", R"({"a": [{"prefix": "x", "suffix": "y"}]})"},
    // String operators.
    {"PrefixNumber", R"({"a": [{"prefix": 1}]})"},
    {"PrefixArray", R"({"a": [{"prefix": ["x"]}]})"},
    {"PrefixUnknownModifier", R"({"a": [{"prefix": {"ignore-case": "x"}}]})"},
    {"PrefixIgnoreCaseNotString", R"({"a": [{"prefix": {"equals-ignore-case": 1}}]})"},
    {"SuffixNull", R"({"a": [{"suffix": null}]})"},
    {"IgnoreCaseNumber", R"({"a": [{"equals-ignore-case": 5}]})"},
    {"IgnoreCaseList", R"({"a": [{"equals-ignore-case": ["x"]}]})"},
    {"WildcardNotString", R"({"a": [{"wildcard": 1}]})"},
    {"WildcardConsecutiveStars", R"({"a": [{"wildcard": "a**b"}]})"},
    {"WildcardBadEscape", R"({"a": [{"wildcard": "a\\b"}]})"},
    {"WildcardTrailingBackslash", R"({"a": [{"wildcard": "a\\"}]})"},
    // exists.
    {"ExistsString", R"({"a": [{"exists": "true"}]})"},
    {"ExistsNumber", R"({"a": [{"exists": 1}]})"},
    // numeric.
    {"NumericNotArray", R"({"a": [{"numeric": 5}]})"},
    {"NumericEmpty", R"({"a": [{"numeric": []}]})"},
    {"NumericOperatorOnly", R"({"a": [{"numeric": [">"]}]})"},
    {"NumericThreeElements", R"({"a": [{"numeric": [">", 0, "<"]}]})"},
    {"NumericSixElements", R"({"a": [{"numeric": [">", 0, "<", 5, "<", 6]}]})"},
    {"NumericUnknownOperator", R"({"a": [{"numeric": ["!=", 5]}]})"},
    {"NumericOperatorNotString", R"({"a": [{"numeric": [1, 5]}]})"},
    {"NumericStringOperand", R"({"a": [{"numeric": [">", "5"]}]})"},
    {"NumericBoolOperand", R"({"a": [{"numeric": [">", true]}]})"},
    {"NumericTwoLowerBounds", R"({"a": [{"numeric": [">", 0, ">=", 5]}]})"},
    {"NumericTwoUpperBounds", R"({"a": [{"numeric": ["<", 0, "<=", 5]}]})"},
    {"NumericEqualsInRange", R"({"a": [{"numeric": ["=", 0, "<", 5]}]})"},
    {"NumericEqualsSecond", R"({"a": [{"numeric": [">", 0, "=", 5]}]})"},
    {"NumericBottomAboveTop", R"({"a": [{"numeric": [">", 10, "<", 5]}]})"},
    {"NumericBottomEqualsTop", R"({"a": [{"numeric": [">=", 5, "<=", 5]}]})"},
    {"NumericBeyondLimit", R"({"a": [{"numeric": [">", 5000000001]}]})"},
    {"NumericEqualsBeyondLimit", R"({"a": [{"numeric": ["=", -6e9]}]})"},
    // anything-but.
    {"AnythingButEmptyList", R"({"a": [{"anything-but": []}]})"},
    {"AnythingButBool", R"({"a": [{"anything-but": true}]})"},
    {"AnythingButNull", R"({"a": [{"anything-but": null}]})"},
    {"AnythingButListWithBool", R"({"a": [{"anything-but": ["x", false]}]})"},
    {"AnythingButListWithObject", R"({"a": [{"anything-but": [{"prefix": "x"}]}]})"},
    {"AnythingButEmptyObject", R"({"a": [{"anything-but": {}}]})"},
    {"AnythingButExists", R"({"a": [{"anything-but": {"exists": true}}]})"},
    {"AnythingButNumeric", R"({"a": [{"anything-but": {"numeric": [">", 1]}}]})"},
    {"AnythingButPrefixNumber", R"({"a": [{"anything-but": {"prefix": 1}}]})"},
    {"AnythingButTwoOperators", R"({"a": [{"anything-but": {"prefix": "a", "suffix": "b"}}]})"},
    {"AnythingButEmptyIgnoreCaseList", R"({"a": [{"anything-but": {"equals-ignore-case": []}}]})"},
    // $or.
    {"OrEmpty", R"({"$or": []})"},
    {"OrOfScalars", R"({"$or": ["x"]})"},
    {"OrWithEmptyPattern", R"({"$or": [{"a": ["x"]}, {}]})"},
    {"OrWithInvalidPattern", R"({"$or": [{"a": ["x"]}, {"b": "y"}]})"},
    // Errors deep inside still reject the whole pattern.
    {"DeepInvalid", R"({"a": {"b": {"c": [{"numeric": [">"]}]}}, "d": ["x"]})"},
};
std::string InvalidName(const ::testing::TestParamInfo<InvalidCase>& info) {
  return info.param.name;
}
INSTANTIATE_TEST_SUITE_P(Invalid, FilterInvalidTest, ::testing::ValuesIn(kInvalidCases),
                         InvalidName);

// ---------------------------------------------------------------------------------------
// Valid edge cases of the syntax.

TEST(FilterPatternTest, AcceptsDocumentedForms) {
  const char* valid[] = {
      R"({"a": [{"numeric": ["=", 5000000000]}]})",
      R"({"a": [{"numeric": [">=", -5e9, "<=", 5e9]}]})",
      R"({"a": [{"prefix": ""}]})",
      R"({"a": [{"wildcard": ""}]})",
      R"({"a": [{"anything-but": [1, "x"]}]})",
      R"({"a": [{"anything-but": {"prefix": ["x", "y"]}}]})",
      R"({"$or": [{"a": ["x"]}]})",
      R"({"a": {"$or": [{"b": ["x"]}, {"c": {"d": [null]}}]}, "e": [{"exists": false}]})",
      R"({"": ["x"]})",
  };
  for (const char* text : valid) {
    EXPECT_TRUE(FilterPattern::Parse(text).ok()) << text;
  }
}

TEST(FilterPatternTest, KeepsTextAndCopiesShareTheTree) {
  auto parsed = FilterPattern::Parse(R"({"a": ["x"]})");
  ASSERT_TRUE(parsed.ok());
  FilterPattern copy = *parsed;
  EXPECT_EQ(copy.text(), R"({"a": ["x"]})");
  EXPECT_TRUE(copy.Matches(json{{"a", "x"}}));
  EXPECT_FALSE(copy.Matches(json{{"a", "y"}}));
}

TEST(FilterPatternTest, MatchesEventsBuiltInCode) {
  // Events assembled by the engine hold signed integers where parsed text holds unsigned.
  auto parsed = FilterPattern::Parse(R"({"n": [7], "s": [{"numeric": [">", 6]}]})");
  ASSERT_TRUE(parsed.ok());
  json event;
  event["n"] = static_cast<int64_t>(7);
  event["s"] = 6.5;
  EXPECT_TRUE(parsed->Matches(event));
  event["n"] = static_cast<int64_t>(-7);
  EXPECT_FALSE(parsed->Matches(event));
}

// ---------------------------------------------------------------------------------------
// FilterSet: the OR of a mapping's filters.

TEST(FilterSetTest, EmptySetKeepsEverything) {
  FilterSet none;
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(none.Matches(json::object()));
  auto parsed = FilterSet::Parse({});
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
  EXPECT_TRUE(parsed->Matches(json{{"anything", 1}}));
}

TEST(FilterSetTest, AnyPatternKeepsTheRecord) {
  auto set = FilterSet::Parse({R"({"eventName": ["INSERT"]})", R"({"eventName": ["REMOVE"]})"});
  ASSERT_TRUE(set.ok());
  EXPECT_FALSE(set->empty());
  EXPECT_EQ(set->patterns().size(), 2u);
  EXPECT_TRUE(set->Matches(json{{"eventName", "INSERT"}}));
  EXPECT_TRUE(set->Matches(json{{"eventName", "REMOVE"}}));
  EXPECT_FALSE(set->Matches(json{{"eventName", "MODIFY"}}));
}

TEST(FilterSetTest, OneInvalidPatternRejectsTheSet) {
  auto set = FilterSet::Parse({R"({"eventName": ["INSERT"]})", R"({"eventName": []})"});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), AwsError::kInvalidParameterValue);
  EXPECT_EQ(set.status().message(), "Invalid filter pattern definition.");
}

}  // namespace
}  // namespace streamstack::esm
