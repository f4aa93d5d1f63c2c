#include "streamstack/sqs/query_xml.h"

#include <gtest/gtest.h>

namespace streamstack::sqs {
namespace {

using nlohmann::json;

// One of each thing the query protocol's XML can hold, in botocore's model format. Member
// order is deliberately not alphabetical: the writer must follow the model, not the JSON.
constexpr std::string_view kModel = R"json({
  "operations": {
    "Get": {"output": {"shape": "GetResult", "resultWrapper": "GetResult"}},
    "Delete": {}
  },
  "shapes": {
    "GetResult": {"type": "structure", "members": {
        "Zed": {"shape": "String"},
        "Alpha": {"shape": "String", "locationName": "A"},
        "Count": {"shape": "Integer"},
        "Fault": {"shape": "Boolean"},
        "Urls": {"shape": "UrlList"},
        "Items": {"shape": "ItemList"},
        "Named": {"shape": "NamedList"},
        "Flat": {"shape": "Strings", "locationName": "Flat", "flattened": true},
        "Attributes": {"shape": "FlatMap", "locationName": "Attribute"},
        "Plain": {"shape": "PlainMap"},
        "Nested": {"shape": "Item"}}},
    "String": {"type": "string"},
    "Integer": {"type": "integer"},
    "Boolean": {"type": "boolean"},
    "UrlList": {"type": "list", "flattened": true,
                "member": {"shape": "String", "locationName": "Url"}},
    "ItemList": {"type": "list", "member": {"shape": "Item"}},
    "NamedList": {"type": "list", "member": {"shape": "String", "locationName": "Name"}},
    "Strings": {"type": "list", "member": {"shape": "String"}},
    "Item": {"type": "structure",
             "members": {"Id": {"shape": "String"}, "Body": {"shape": "String"}}},
    "FlatMap": {"type": "map", "flattened": true,
                "key": {"shape": "String", "locationName": "Name"},
                "value": {"shape": "Item", "locationName": "Value"}},
    "PlainMap": {"type": "map", "key": {"shape": "String"}, "value": {"shape": "String"}}
  }
})json";

const QueryResultWriter& Writer() {
  static const QueryResultWriter writer = [] {
    auto built = QueryResultWriter::FromModel(kModel);
    EXPECT_TRUE(built.ok()) << built.status().message();
    return std::move(built).value();
  }();
  return writer;
}

struct WriteCase {
  const char* what;
  const char* output;  // JSON
  const char* xml;
};

class QueryResultWriterTest : public ::testing::TestWithParam<WriteCase> {};

TEST_P(QueryResultWriterTest, WritesWhatTheModelSays) {
  const WriteCase& c = GetParam();
  EXPECT_EQ(Writer().Write("Get", json::parse(c.output)), c.xml) << c.what;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, QueryResultWriterTest,
    ::testing::Values(
        WriteCase{"empty output: the empty wrapper botocore needs", "{}", "<GetResult/>"},
        WriteCase{"nothing the model knows", R"({"Other": "x", "Zed": null})", "<GetResult/>"},
        WriteCase{"model order and locationName", R"({"Alpha": "a", "Zed": "z"})",
                  "<GetResult><Zed>z</Zed><A>a</A></GetResult>"},
        WriteCase{"scalars", R"({"Count": 3, "Fault": true})",
                  "<GetResult><Count>3</Count><Fault>true</Fault></GetResult>"},
        WriteCase{"text is escaped", R"({"Zed": "a<b>&\"c'"})",
                  "<GetResult><Zed>a&lt;b&gt;&amp;&quot;c&apos;</Zed></GetResult>"},
        WriteCase{"flattened list: items under their locationName", R"({"Urls": ["u1", "u2"]})",
                  "<GetResult><Url>u1</Url><Url>u2</Url></GetResult>"},
        WriteCase{"empty flattened list: nothing", R"({"Urls": []})", "<GetResult/>"},
        WriteCase{"list: <member> items", R"({"Items": [{"Id": "1"}, {"Body": "b"}]})",
                  "<GetResult><Items><member><Id>1</Id></member><member><Body>b</Body>"
                  "</member></Items></GetResult>"},
        WriteCase{"empty list: the empty element", R"({"Items": []})",
                  "<GetResult><Items/></GetResult>"},
        WriteCase{"list items named by the model", R"({"Named": ["x"]})",
                  "<GetResult><Named><Name>x</Name></Named></GetResult>"},
        WriteCase{"flattened on the member reference", R"({"Flat": ["p", "q"]})",
                  "<GetResult><Flat>p</Flat><Flat>q</Flat></GetResult>"},
        WriteCase{"flattened map of structures",
                  R"({"Attributes": {"k1": {"Id": "1"}, "k2": {"Body": "b"}}})",
                  "<GetResult><Attribute><Name>k1</Name><Value><Id>1</Id></Value></Attribute>"
                  "<Attribute><Name>k2</Name><Value><Body>b</Body></Value></Attribute>"
                  "</GetResult>"},
        WriteCase{"map: entry/key/value", R"({"Plain": {"a": "1", "b&": "2"}})",
                  "<GetResult><Plain><entry><key>a</key><value>1</value></entry><entry>"
                  "<key>b&amp;</key><value>2</value></entry></Plain></GetResult>"},
        WriteCase{"empty map: the empty element", R"({"Plain": {}})",
                  "<GetResult><Plain/></GetResult>"},
        WriteCase{"an entry without a value is left out", R"({"Plain": {"a": null, "b": [1]}})",
                  "<GetResult><Plain/></GetResult>"},
        WriteCase{"nested structure", R"({"Nested": {"Body": "b", "Id": "i"}})",
                  "<GetResult><Nested><Id>i</Id><Body>b</Body></Nested></GetResult>"},
        WriteCase{"values of the wrong JSON type are left out",
                  R"({"Zed": {"x": 1}, "Urls": "u", "Items": {"a": 1}, "Plain": ["a"],
                      "Nested": "n", "Attributes": 5})",
                  "<GetResult/>"},
        WriteCase{"a list item of the wrong type is left out", R"({"Items": ["x", {"Id": "1"}]})",
                  "<GetResult><Items><member><Id>1</Id></member></Items></GetResult>"}));

TEST(QueryResultWriter, OperationsWithoutResultWriteNothing) {
  EXPECT_TRUE(Writer().Knows("Delete"));
  EXPECT_EQ(Writer().Write("Delete", json::object()), "");
  EXPECT_FALSE(Writer().Knows("Unknown"));
  EXPECT_EQ(Writer().Write("Unknown", json{{"Zed", "z"}}), "");
  EXPECT_EQ(Writer().Write("Get", json::array()), "<GetResult/>");
}

TEST(QueryResultWriter, RejectsModelsItCannotWriteFrom) {
  const char* bad[] = {
      "not json",
      "[]",
      R"({"operations": {}})",
      R"({"operations": {"Op": {"output": {"shape": "Missing", "resultWrapper": "R"}}},
          "shapes": {}})",
      R"({"operations": {"Op": {"output": {"shape": "S"}}},
          "shapes": {"S": {"type": "structure", "members": {}}}})",
      R"({"operations": {"Op": {"output": {"shape": "S", "resultWrapper": "R"}}},
          "shapes": {"S": {"type": "string"}}})",
      R"({"operations": {}, "shapes": {"S": {"type": "structure", "members": {"M": {}}}}})",
      R"({"operations": {}, "shapes": {"S": {"type": "structure",
          "members": {"M": {"shape": "Nope"}}}}})",
      R"({"operations": {}, "shapes": {"L": {"type": "list"}}})",
      R"({"operations": {}, "shapes": {"M": {"type": "map", "key": {"shape": "M"}}}})",
      R"({"operations": {}, "shapes": {"T": {"type": "union"}}})",
      R"({"operations": {}, "shapes": {"T": {"type": "list", "flattened": "yes",
          "member": {"shape": "T"}}}})",
      R"({"operations": {}, "shapes": {"S": {"type": "structure",
          "members": {"M": {"shape": "S", "locationName": 5}}}}})",
  };
  for (const char* model : bad) {
    auto built = QueryResultWriter::FromModel(model);
    ASSERT_FALSE(built.ok()) << model;
    EXPECT_EQ(built.status().code(), AwsError::kInternalFailure) << model;
  }
}

}  // namespace
}  // namespace streamstack::sqs
