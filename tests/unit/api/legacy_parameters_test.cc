#include "api/legacy_parameters.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace streamstack::api {
namespace {

using json = nlohmann::json;

struct TranslationCase {
  const char* name;
  LegacyShape shape;
  const char* request;
  const char* expected;  // the rewritten request
};

class TranslationTest : public ::testing::TestWithParam<TranslationCase> {};

TEST_P(TranslationTest, RewritesIntoExpressions) {
  const auto& c = GetParam();
  auto got = TranslateLegacyParameters(c.shape, json::parse(c.request));
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, json::parse(c.expected)) << got->dump();
}

const TranslationCase kTranslations[] = {
    {"NoLegacyUnchanged", LegacyShape::kQuery,
     R"json({"TableName":"t","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}})json",
     R"json({"TableName":"t","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}})json"},
    {"KeyConditionsHashOnly", LegacyShape::kQuery,
     R"json({"TableName":"t","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}})json",
     R"json({"TableName":"t","KeyConditionExpression":"#legacy0 = :legacy0",
         "ExpressionAttributeNames":{"#legacy0":"pk"},"ExpressionAttributeValues":{":legacy0":{"S":"a"}}})json"},
    {"KeyConditionsBeginsWith", LegacyShape::kQuery,
     R"json({"TableName":"t","KeyConditions":{
          "pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},
          "sk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"o#"}]}}})json",
     R"json({"TableName":"t","KeyConditionExpression":"#legacy0 = :legacy0 AND begins_with(#legacy1, :legacy1)",
         "ExpressionAttributeNames":{"#legacy0":"pk","#legacy1":"sk"},
         "ExpressionAttributeValues":{":legacy0":{"S":"a"},":legacy1":{"S":"o#"}}})json"},
    {"KeyConditionsBetween", LegacyShape::kQuery,
     R"json({"TableName":"t","KeyConditions":{
          "pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},
          "n":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"2"},{"N":"10"}]}}})json",
     R"json({"TableName":"t","KeyConditionExpression":"#legacy0 BETWEEN :legacy0 AND :legacy1 AND #legacy1 = :legacy2",
         "ExpressionAttributeNames":{"#legacy0":"n","#legacy1":"pk"},
         "ExpressionAttributeValues":{":legacy0":{"N":"2"},":legacy1":{"N":"10"},":legacy2":{"S":"a"}}})json"},
    {"QueryFilterOrWithReservedWords", LegacyShape::kQuery,
     R"json({"TableName":"t","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
         "QueryFilter":{"status":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"done"}]},
                        "size":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"3"}]}},
         "ConditionalOperator":"OR"})json",
     R"json({"TableName":"t","FilterExpression":"(#legacy0 > :legacy0) OR (#legacy1 <> :legacy1)",
         "KeyConditionExpression":"#legacy2 = :legacy2",
         "ExpressionAttributeNames":{"#legacy0":"size","#legacy1":"status","#legacy2":"pk"},
         "ExpressionAttributeValues":{":legacy0":{"N":"3"},":legacy1":{"S":"done"},":legacy2":{"S":"a"}}})json"},
    {"KeyConditionsBesideFilterExpressionAvoidsCollisions", LegacyShape::kQuery,
     R"json({"TableName":"t","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},
         "FilterExpression":"#legacy0 = :legacy0",
         "ExpressionAttributeNames":{"#legacy0":"x"},"ExpressionAttributeValues":{":legacy0":{"N":"1"}}})json",
     R"json({"TableName":"t","FilterExpression":"#legacy0 = :legacy0","KeyConditionExpression":"#legacy1 = :legacy1",
         "ExpressionAttributeNames":{"#legacy0":"x","#legacy1":"pk"},
         "ExpressionAttributeValues":{":legacy0":{"N":"1"},":legacy1":{"S":"a"}}})json"},
    {"ScanFilterEveryOperator", LegacyShape::kScan,
     R"json({"TableName":"t","ScanFilter":{
          "a":{"ComparisonOperator":"NOT_NULL"},
          "b":{"ComparisonOperator":"NULL"},
          "c":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"x"}]},
          "d":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"N":"1"}]},
          "e":{"ComparisonOperator":"IN","AttributeValueList":[{"S":"p"},{"S":"q"}]},
          "f":{"ComparisonOperator":"LE","AttributeValueList":[{"N":"1"}]},
          "g":{"ComparisonOperator":"LT","AttributeValueList":[{"N":"1"}]},
          "h":{"ComparisonOperator":"GE","AttributeValueList":[{"B":"AQ=="}]},
          "i":{"ComparisonOperator":"EQ","AttributeValueList":[{"SS":["z"]}]}}})json",
     R"json({"TableName":"t","FilterExpression":"(attribute_exists(#legacy0)) AND (attribute_not_exists(#legacy1)) AND (contains(#legacy2, :legacy0)) AND (NOT contains(#legacy3, :legacy1)) AND (#legacy4 IN (:legacy2, :legacy3)) AND (#legacy5 <= :legacy4) AND (#legacy6 < :legacy5) AND (#legacy7 >= :legacy6) AND (#legacy8 = :legacy7)",
         "ExpressionAttributeNames":{"#legacy0":"a","#legacy1":"b","#legacy2":"c","#legacy3":"d","#legacy4":"e",
                                     "#legacy5":"f","#legacy6":"g","#legacy7":"h","#legacy8":"i"},
         "ExpressionAttributeValues":{":legacy0":{"S":"x"},":legacy1":{"N":"1"},":legacy2":{"S":"p"},":legacy3":{"S":"q"},
                                      ":legacy4":{"N":"1"},":legacy5":{"N":"1"},":legacy6":{"B":"AQ=="},":legacy7":{"SS":["z"]}}})json"},
    {"AttributesToGetGetItem", LegacyShape::kGetItem,
     R"json({"TableName":"t","Key":{"pk":{"S":"a"}},"AttributesToGet":["name","a.b"]})json",
     R"json({"TableName":"t","Key":{"pk":{"S":"a"}},"ProjectionExpression":"#legacy0, #legacy1",
         "ExpressionAttributeNames":{"#legacy0":"name","#legacy1":"a.b"}})json"},
    {"AttributesToGetBatchKeys", LegacyShape::kKeysAndAttributes,
     R"json({"Keys":[{"pk":{"S":"a"}}],"AttributesToGet":["x"],"ConsistentRead":true})json",
     R"json({"Keys":[{"pk":{"S":"a"}}],"ProjectionExpression":"#legacy0","ConsistentRead":true,
         "ExpressionAttributeNames":{"#legacy0":"x"}})json"},
    {"ExpectedValueShorthandAndExistsFalse", LegacyShape::kPutItem,
     R"json({"TableName":"t","Item":{"pk":{"S":"a"}},"Expected":{"v":{"Value":{"N":"1"}},"w":{"Exists":false},
         "x":{"Exists":true,"Value":{"S":"y"}}}})json",
     R"json({"TableName":"t","Item":{"pk":{"S":"a"}},
         "ConditionExpression":"(#legacy0 = :legacy0) AND (attribute_not_exists(#legacy1)) AND (#legacy2 = :legacy1)",
         "ExpressionAttributeNames":{"#legacy0":"v","#legacy1":"w","#legacy2":"x"},
         "ExpressionAttributeValues":{":legacy0":{"N":"1"},":legacy1":{"S":"y"}}})json"},
    {"ExpectedComparisonWithValueOr", LegacyShape::kDeleteItem,
     R"json({"TableName":"t","Key":{"pk":{"S":"a"}},"ConditionalOperator":"OR",
         "Expected":{"n":{"ComparisonOperator":"GT","Value":{"N":"5"}},
                     "s":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"S":"a"},{"S":"c"}]}}})json",
     R"json({"TableName":"t","Key":{"pk":{"S":"a"}},
         "ConditionExpression":"(#legacy0 > :legacy0) OR (#legacy1 BETWEEN :legacy1 AND :legacy2)",
         "ExpressionAttributeNames":{"#legacy0":"n","#legacy1":"s"},
         "ExpressionAttributeValues":{":legacy0":{"N":"5"},":legacy1":{"S":"a"},":legacy2":{"S":"c"}}})json"},
    {"EmptyExpectedIsNoCondition", LegacyShape::kPutItem,
     R"json({"TableName":"t","Item":{"pk":{"S":"a"}},"Expected":{}})json",
     R"json({"TableName":"t","Item":{"pk":{"S":"a"}}})json"},
    {"AttributeUpdatesEveryAction", LegacyShape::kUpdateItem,
     R"json({"TableName":"t","Key":{"pk":{"S":"a"}},"AttributeUpdates":{
          "a":{"Value":{"S":"x"}},
          "b":{"Action":"PUT","Value":{"N":"1"}},
          "c":{"Action":"ADD","Value":{"N":"2"}},
          "d":{"Action":"ADD","Value":{"SS":["q"]}},
          "e":{"Action":"ADD","Value":{"L":[{"S":"z"}]}},
          "f":{"Action":"DELETE"},
          "g":{"Action":"DELETE","Value":{"NS":["1"]}}},
         "Expected":{"a":{"ComparisonOperator":"NULL"}}})json",
     R"json({"TableName":"t","Key":{"pk":{"S":"a"}},
         "ConditionExpression":"attribute_not_exists(#legacy0)",
         "UpdateExpression":"SET #legacy0 = :legacy0, #legacy1 = :legacy1, #legacy4 = list_append(if_not_exists(#legacy4, :legacy4), :legacy5) ADD #legacy2 :legacy2, #legacy3 :legacy3 DELETE #legacy6 :legacy6 REMOVE #legacy5",
         "ExpressionAttributeNames":{"#legacy0":"a","#legacy1":"b","#legacy2":"c","#legacy3":"d","#legacy4":"e",
                                     "#legacy5":"f","#legacy6":"g"},
         "ExpressionAttributeValues":{":legacy0":{"S":"x"},":legacy1":{"N":"1"},":legacy2":{"N":"2"},
                                      ":legacy3":{"SS":["q"]},":legacy4":{"L":[]},":legacy5":{"L":[{"S":"z"}]},
                                      ":legacy6":{"NS":["1"]}}})json"},
    {"ExplicitNullsDropped", LegacyShape::kScan,
     R"json({"TableName":"t","ScanFilter":null,"AttributesToGet":null,"FilterExpression":"a = :v",
         "ExpressionAttributeValues":{":v":{"N":"1"}}})json",
     R"json({"TableName":"t","FilterExpression":"a = :v","ExpressionAttributeValues":{":v":{"N":"1"}}})json"},
};

INSTANTIATE_TEST_SUITE_P(Legacy, TranslationTest, ::testing::ValuesIn(kTranslations),
                         [](const auto& test) { return std::string(test.param.name); });

struct ErrorCase {
  const char* name;
  LegacyShape shape;
  const char* request;
  AwsError error;
  const char* message;
};

class ErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ErrorTest, ReturnsAwsError) {
  const auto& c = GetParam();
  auto got = TranslateLegacyParameters(c.shape, json::parse(c.request));
  ASSERT_FALSE(got.ok()) << got->dump();
  EXPECT_EQ(got.status().code(), c.error);
  EXPECT_EQ(got.status().message(), c.message);
}

constexpr AwsError kV = AwsError::kValidation;

const ErrorCase kErrors[] = {
    {"MixUpdateItem", LegacyShape::kUpdateItem,
     R"json({"Key":{},"Expected":{"a":{}},"AttributeUpdates":{},"ConditionExpression":"x","UpdateExpression":"y"})json",
     kV,
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: "
     "{UpdateExpression, ConditionExpression}"},
    {"MixKeyConditions", LegacyShape::kQuery,
     R"json({"KeyConditions":{},"KeyConditionExpression":"a = :b"})json", kV,
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"},
    {"MixProjection", LegacyShape::kGetItem,
     R"json({"AttributesToGet":["a"],"ProjectionExpression":"a"})json", kV,
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"},
    {"MixQueryFilterWithFilterExpression", LegacyShape::kQuery,
     R"json({"KeyConditions":{},"QueryFilter":{},"FilterExpression":"a = :b"})json", kV,
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {QueryFilter} Expression parameters: {FilterExpression}"},
    {"NamesWithoutExpressions", LegacyShape::kScan,
     R"json({"ScanFilter":{},"ExpressionAttributeNames":{"#a":"a"}})json", kV,
     "ExpressionAttributeNames can only be specified when using expressions"},
    // The single-item writes answer in AWS's current validation layer, naming no expression;
    // the reads in the older one, naming those that are null (the API adds the envelope).
    {"ValuesWithoutExpressions", LegacyShape::kUpdateItem,
     R"json({"AttributeUpdates":{},"ExpressionAttributeValues":{":a":{"S":"a"}}})json", kV,
     "ExpressionAttributeValues can only be specified when using expressions"},
    {"ValuesWithoutExpressionsOnAScan", LegacyShape::kScan,
     R"json({"ScanFilter":{},"ExpressionAttributeValues":{":a":{"S":"a"}}})json", kV,
     "ExpressionAttributeValues can only be specified when using expressions: FilterExpression "
     "is null"},
    {"EqWithTwoValues", LegacyShape::kScan,
     R"json({"ScanFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"},{"S":"b"}]}}})json",
     kV,
     "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
     "ComparisonOperator"},
    {"NullWithValue", LegacyShape::kQuery,
     R"json({"QueryFilter":{"a":{"ComparisonOperator":"NULL","AttributeValueList":[{"S":"a"}]}}})json",
     kV,
     "One or more parameter values were invalid: Invalid number of argument(s) for the NULL "
     "ComparisonOperator"},
    {"BetweenWithOneValue", LegacyShape::kPutItem,
     R"json({"Expected":{"a":{"ComparisonOperator":"BETWEEN","Value":{"S":"a"}}}})json", kV,
     "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN "
     "ComparisonOperator"},
    {"InWithNoValues", LegacyShape::kScan,
     R"json({"ScanFilter":{"a":{"ComparisonOperator":"IN","AttributeValueList":[]}}})json", kV,
     "One or more parameter values were invalid: Invalid number of argument(s) for the IN "
     "ComparisonOperator"},
    {"BeginsWithNumber", LegacyShape::kScan,
     R"json({"ScanFilter":{"a":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"N":"1"}]}}})json",
     kV,
     "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N "
     "AttributeValue type"},
    {"LtBool", LegacyShape::kScan,
     R"json({"ScanFilter":{"a":{"ComparisonOperator":"LT","AttributeValueList":[{"BOOL":true}]}}})json",
     kV,
     "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL "
     "AttributeValue type"},
    {"MixedTypes", LegacyShape::kScan,
     R"json({"ScanFilter":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"S":"a"},{"N":"1"}]}}})json",
     kV,
     "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be "
     "of same type"},
    {"BetweenReversed", LegacyShape::kScan,
     R"json({"ScanFilter":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"10"},{"N":"9"}]}}})json",
     kV,
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper "
     "bound"},
    {"UnknownOperator", LegacyShape::kQuery,
     R"json({"KeyConditions":{"pk":{"ComparisonOperator":"LIKE"}}})json", kV,
     "1 validation error detected: Value 'LIKE' at 'keyConditions.pk.member.comparisonOperator' "
     "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
     "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"},
    {"MissingOperator", LegacyShape::kScan, R"json({"ScanFilter":{"a":{}}})json", kV,
     "1 validation error detected: Value null at 'scanFilter.a.member.comparisonOperator' failed "
     "to satisfy constraint: Member must not be null"},
    {"ThreeKeyConditions", LegacyShape::kQuery,
     R"json({"KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},
                          "b":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},
                          "c":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}}})json",
     kV, "Conditions can be of length 1 or 2 only"},
    {"ExpectedValueAndList", LegacyShape::kPutItem,
     R"json({"Expected":{"a":{"Value":{"S":"a"},"AttributeValueList":[{"S":"a"}]}}})json", kV,
     "One or more parameter values were invalid: Value and AttributeValueList cannot be used "
     "together for Attribute: a"},
    {"ExpectedExistsAndOperator", LegacyShape::kPutItem,
     R"json({"Expected":{"a":{"Exists":true,"ComparisonOperator":"NOT_NULL"}}})json", kV,
     "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used "
     "together for Attribute: a"},
    {"ExpectedOperatorWithoutValue", LegacyShape::kDeleteItem,
     R"json({"Expected":{"a":{"ComparisonOperator":"EQ"}}})json", kV,
     "One or more parameter values were invalid: Value or AttributeValueList must be used with "
     "ComparisonOperator: EQ for Attribute: a"},
    {"ExpectedListWithoutOperator", LegacyShape::kDeleteItem,
     R"json({"Expected":{"a":{"AttributeValueList":[{"S":"a"}]}}})json", kV,
     "One or more parameter values were invalid: AttributeValueList can only be used with a "
     "ComparisonOperator for Attribute: a"},
    {"ExpectedExistsTrueWithoutValue", LegacyShape::kUpdateItem,
     R"json({"Expected":{"a":{"Exists":true}}})json", kV,
     "One or more parameter values were invalid: Value must be provided when Exists is true for "
     "Attribute: a"},
    {"ExpectedEmpty", LegacyShape::kUpdateItem, R"json({"Expected":{"a":{}}})json", kV,
     "One or more parameter values were invalid: Value must be provided when Exists is null for "
     "Attribute: a"},
    {"ExpectedExistsFalseWithValue", LegacyShape::kPutItem,
     R"json({"Expected":{"a":{"Exists":false,"Value":{"S":"a"}}}})json", kV,
     "One or more parameter values were invalid: Value cannot be used when Exists is false for "
     "Attribute: a"},
    {"ConditionalOperatorAlone", LegacyShape::kPutItem, R"json({"ConditionalOperator":"AND"})json",
     kV, "ConditionalOperator cannot be used without Filter or Expected"},
    {"ConditionalOperatorOneElement", LegacyShape::kScan,
     R"json({"ConditionalOperator":"OR","ScanFilter":{"a":{"ComparisonOperator":"NULL"}}})json", kV,
     "ConditionalOperator can only be used when Filter or Expected has two or more elements"},
    {"ConditionalOperatorBadEnum", LegacyShape::kScan,
     R"json({"ConditionalOperator":"XOR","ScanFilter":{}})json", kV,
     "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy "
     "constraint: Member must satisfy enum value set: [AND, OR]"},
    {"AttributesToGetDuplicate", LegacyShape::kQuery,
     R"json({"AttributesToGet":["a","b","a"]})json", kV,
     "One or more parameter values were invalid: Duplicate value in attribute name: a"},
    {"AttributesToGetEmpty", LegacyShape::kGetItem, R"json({"AttributesToGet":[]})json", kV,
     "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"},
    {"AttributesToGetWithSelectAll", LegacyShape::kScan,
     R"json({"AttributesToGet":["a"],"Select":"ALL_ATTRIBUTES"})json", kV,
     "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"},
    {"AttributesToGetWithSelectCount", LegacyShape::kQuery,
     R"json({"AttributesToGet":["a"],"Select":"COUNT"})json", kV,
     "Cannot specify the AttributesToGet when choosing to get only the Count"},
    {"PutWithoutValue", LegacyShape::kUpdateItem,
     R"json({"AttributeUpdates":{"a":{"Action":"PUT"}}})json", kV,
     "One or more parameter values were invalid: Only DELETE action is allowed when no "
     "attribute value is specified"},
    {"DeleteScalarValue", LegacyShape::kUpdateItem,
     R"json({"AttributeUpdates":{"a":{"Action":"DELETE","Value":{"S":"x"}}}})json", kV,
     "One or more parameter values were invalid: DELETE action with value is not supported for "
     "the type S"},
    {"AddString", LegacyShape::kUpdateItem,
     R"json({"AttributeUpdates":{"a":{"Action":"ADD","Value":{"S":"x"}}}})json", kV,
     "One or more parameter values were invalid: ADD action is not supported for the type S"},
    {"BadAction", LegacyShape::kUpdateItem,
     R"json({"AttributeUpdates":{"a":{"Action":"SET","Value":{"S":"x"}}}})json", kV,
     "1 validation error detected: Value 'SET' at 'attributeUpdates.a.member.action' failed to "
     "satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"},
    {"ExpectedNotAMap", LegacyShape::kPutItem, R"json({"Expected":[1]})json",
     AwsError::kSerialization, "Unexpected value type in payload for member Expected"},
    // AWS's order (dynalite's validations, recorded against DynamoDB): the key's or item's own
    // values before the legacy parameters; AttributeUpdates before Expected; Scan's
    // AttributesToGet before its ScanFilter, Query's QueryFilter before its AttributesToGet.
    {"GetItemKeyValuesFirst", LegacyShape::kGetItem,
     R"json({"Key":{"a":{"SS":[]}},"AttributesToGet":["a","a"]})json", kV,
     "One or more parameter values were invalid: An string set  may not be empty"},
    {"PutItemItemValuesFirst", LegacyShape::kPutItem,
     R"json({"Item":{"a":{}},"Expected":{"a":{}}})json", kV,
     "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
    {"DeleteItemKeyValuesFirst", LegacyShape::kDeleteItem,
     R"json({"Key":{"a":{"NS":[]}},"Expected":{"a":{}}})json", kV,
     "One or more parameter values were invalid: An number set  may not be empty"},
    {"AttributeUpdatesBeforeExpected", LegacyShape::kUpdateItem,
     R"json({"Key":{"a":{"S":"k"}},"AttributeUpdates":{"b":{"Action":"ADD"}},"Expected":{"a":{}}})json",
     kV,
     "One or more parameter values were invalid: Only DELETE action is allowed when no attribute "
     "value is specified"},
    {"ScanAttributesToGetBeforeFilter", LegacyShape::kScan,
     R"json({"AttributesToGet":["a","a"],"ScanFilter":{"a":{"ComparisonOperator":"EQ"}}})json", kV,
     "One or more parameter values were invalid: Duplicate value in attribute name: a"},
    {"QueryFilterBeforeAttributesToGet", LegacyShape::kQuery,
     R"json({"AttributesToGet":["a","a"],"QueryFilter":{"a":{"ComparisonOperator":"EQ"}}})json", kV,
     "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
     "ComparisonOperator"},
};

INSTANTIATE_TEST_SUITE_P(Legacy, ErrorTest, ::testing::ValuesIn(kErrors),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(LegacyParametersTest, InvalidAttributeValueKeepsItsOwnError) {
  auto got = TranslateLegacyParameters(
      LegacyShape::kScan,
      json::parse(
          R"json({"ScanFilter":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"x"}]}}})json"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), AwsError::kValidation);
}

// A GSI with a multi-attribute key takes one KeyCondition per key attribute (moto's
// AWS-verified test_key_conditions_with_range_keys); the caller that knows the index says how
// many. Past that, AWS's older text.
TEST(LegacyParametersTest, KeyConditionsUpToTheIndexKeyAttributes) {
  json request = {{"TableName", "t"}, {"IndexName", "gsi"}, {"KeyConditions", json::object()}};
  for (const char* attribute : {"a", "b", "c"}) {
    request["KeyConditions"][attribute] = {{"ComparisonOperator", "EQ"},
                                           {"AttributeValueList", {{{"S", "x"}}}}};
  }
  auto three = TranslateLegacyParameters(LegacyShape::kQuery, request, /*max_key_conditions=*/3);
  ASSERT_TRUE(three.ok()) << three.status().message();
  EXPECT_EQ((*three)["KeyConditionExpression"],
            "#legacy0 = :legacy0 AND #legacy1 = :legacy1 AND #legacy2 = :legacy2");
  auto two = TranslateLegacyParameters(LegacyShape::kQuery, request, /*max_key_conditions=*/2);
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().message(), "Conditions can be of length 1 or 2 only");
}

TEST(LegacyParametersTest, NonObjectRequestUnchanged) {
  auto got = TranslateLegacyParameters(LegacyShape::kGetItem, json::array());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, json::array());
}

}  // namespace
}  // namespace streamstack::api
