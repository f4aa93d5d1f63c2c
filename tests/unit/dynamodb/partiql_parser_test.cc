#include "dynamodb/partiql_parser.h"

#include <gtest/gtest.h>

#include <random>

#include "test_env.h"

namespace streamstack::dynamodb::partiql {
namespace {

using test_env::N;
using test_env::ParseItem;
using test_env::S;

TEST(PartiqlParserTest, ParsesEachStatementKind) {
  auto select =
      Parse(R"(SELECT a, "b".c[2] FROM "Orders"."by_status" WHERE pk = 'x' ORDER BY sk DESC)", {});
  ASSERT_TRUE(select.ok()) << select.status().message();
  EXPECT_EQ(select->kind, Statement::Kind::kSelect);
  EXPECT_EQ(select->table_name, "Orders");
  EXPECT_EQ(select->index_name, "by_status");
  ASSERT_EQ(select->projection.size(), 2u);
  EXPECT_EQ(FormatPath(select->projection[1]), "[b, c, [2]]");
  EXPECT_EQ(select->order_by, "sk");
  EXPECT_TRUE(select->order_descending);

  auto insert = Parse(
      "INSERT INTO t VALUE {'pk': ?, 'n': -1.5, 'm': {'l': [TRUE, NULL, 'x']}, "
      "'ss': <<'a', 'b'>>, 'ns': <<1, 2>>}",
      {S("key")});
  ASSERT_TRUE(insert.ok()) << insert.status().message();
  EXPECT_EQ(insert->insert_item,
            ParseItem(R"({"pk":{"S":"key"},"n":{"N":"-1.5"},"m":{"M":{"l":{"L":[{"BOOL":true},
                {"NULL":true},{"S":"x"}]}}},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]}})"));

  auto update = Parse(
      "UPDATE t SET a = a + 1, b = 'x' REMOVE c SET d = set_add(d, <<'z'>>) "
      "WHERE pk = 'k' AND sk = 3 RETURNING MODIFIED NEW *",
      {});
  ASSERT_TRUE(update.ok()) << update.status().message();
  EXPECT_EQ(update->updates.size(), 4u);
  EXPECT_EQ(update->returning, Returning::kModifiedNew);
  ExpressionWriter writer;
  auto text = writer.Update(update->updates);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "SET #n0 = #n0 + :v0, #n1 = :v1 REMOVE #n2 ADD #n3 :v2");

  auto del = Parse("DELETE FROM t WHERE pk = 'k' RETURNING ALL OLD *", {});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->returning, Returning::kAllOld);
}

TEST(PartiqlParserTest, RendersConditionsIntoDynamoDbExpressions) {
  struct Case {
    const char* where;
    const char* expression;
  };
  const Case cases[] = {
      {"a = 1", "#n0 = :v0"},
      {"a <> 1 AND b != 'x'", "(#n0 <> :v0) AND (#n1 <> :v1)"},
      {"a BETWEEN 1 AND 5 OR NOT b < 2", "(#n0 BETWEEN :v0 AND :v1) OR (NOT (#n1 < :v2))"},
      {"a IN (1, 2, 3)", "#n0 IN (:v0, :v1, :v2)"},
      {"begins_with(s, 'ab')", "begins_with(#n0, :v0)"},
      {"a IS MISSING AND b IS NOT MISSING",
       "(attribute_not_exists(#n0)) AND (attribute_exists(#n1))"},
      {"size(l) > 2", "size(#n0) > :v0"},
      {"m.x[1] = 'y'", "#n0.#n1[1] = :v0"},
      {"attribute_exists(a) AND ATTRIBUTE_NOT_EXISTS(\"b\".c)",
       "(attribute_exists(#n0)) AND (attribute_not_exists(#n1.#n2))"},
      {"attribute_exists(a) = true", "attribute_exists(#n0)"},
      {"attribute_exists(a) = false", "NOT (attribute_exists(#n0))"},
      {"a IS STRING AND b IS NOT BOOL",
       "(attribute_type(#n0, :v0)) AND (NOT (attribute_type(#n1, :v1)))"},
  };
  for (const Case& c : cases) {
    auto parsed = Parse(std::string("SELECT * FROM t WHERE ") + c.where, {});
    ASSERT_TRUE(parsed.ok()) << c.where << ": " << parsed.status().message();
    ExpressionWriter writer;
    const std::string rendered = writer.Condition(*parsed->where);
    EXPECT_EQ(rendered, c.expression) << c.where;
    // The rendering is valid DynamoDB: it parses as a ConditionExpression.
    ExpressionContext context(writer.names(), writer.values());
    auto condition = ConditionExpression::Parse(rendered, ExpressionKind::kCondition, context);
    EXPECT_TRUE(condition.ok()) << c.where << ": " << condition.status().message();
  }
}

TEST(PartiqlParserTest, ParsesFromFirstUpdate) {
  auto update = Parse("from t where pk = 'k' set a = 1 remove b returning all new *", {});
  ASSERT_TRUE(update.ok()) << update.status().message();
  EXPECT_EQ(update->kind, Statement::Kind::kUpdate);
  EXPECT_EQ(update->table_name, "t");
  ASSERT_TRUE(update->where);
  EXPECT_EQ(update->updates.size(), 2u);
  EXPECT_EQ(update->returning, Returning::kAllNew);
  // With no WHERE it parses; the key rule refuses it once the table is known.
  auto bare = Parse("FROM t SET a = 1", {});
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_FALSE(bare->where);
}

TEST(PartiqlParserTest, ErrorsUseAwsTexts) {
  const std::string kNotWellFormed = "Statement wasn't well formed, can't be processed: ";
  struct Case {
    const char* statement;
    std::string error;
    std::vector<AttributeValue> parameters = {};
  };
  const Case cases[] = {
      {"SELECT * FROM t WHERE pk = 1 foo", kNotWellFormed + "Unexpected token after expression"},
      {"SELECT * FROM t WHERE pk = 1)", kNotWellFormed + "Unexpected token after expression"},
      {"DELETE FROM t WHERE pk = 1 ORDER BY pk",
       kNotWellFormed + "Unexpected token after expression"},
      {"SELECT * FROM t ORDER BY pk WHERE pk = 1",
       kNotWellFormed + "Unexpected token after expression"},
      {"INSERT INTO t alias VALUE {'pk': 1}", kNotWellFormed + "Unexpected token after expression"},
      {"SELECT * FROM t WHERE pk = 1 # note", kNotWellFormed},
      {"SELECT * FROM t WHERE pk = 1 /* note", kNotWellFormed},
      {"SELECT * FROM t x WHERE pk = 'x'", "Aliasing is not supported"},
      {"SELECT * FROM t AS x WHERE pk = 'x'", "Aliasing is not supported"},
      {"UPDATE t x SET a = 3 WHERE pk = 'x'", "Aliasing is not supported"},
      {"DELETE FROM t x WHERE pk = 'x'", "Aliasing is not supported"},
      {"SELECT * FROM t WHERE pk = 1e126",
       "Number overflow. Attempting to store a number with magnitude larger than supported range "
       "under root"},
      {"INSERT INTO t VALUE {'pk': 1, 'm': {'x': 1e-131}}",
       "Number underflow. Attempting to store a number with magnitude smaller than supported "
       "range under root.x"},
      {"INSERT INTO t VALUE {'pk': 1, 'l': [1, 123456789012345678901234567890123456789]}",
       "Attempting to store more than 38 significant digits in a Number under root[1]"},
      {"SELECT * FROM t WHERE pk = ?",
       "Number of parameters in request and statement don't match."},
      {"SELECT * FROM t WHERE pk = 'a'",
       "Number of parameters in request and statement don't match.",
       {S("extra")}},
      // A DynamoDB conformance suite (github paritysuite/dynamodb-conformance,
      // tests/tier3/error-messages/partiqlGrammar.test.ts and partiqlFunctions.test.ts),
      // captured from DynamoDB.
      {"SELECT * FROM t WHERE pk = 1e2147483648", kNotWellFormed},
      {"SELECT * FROM t WHERE pk = 1e99999999999", kNotWellFormed},
      {"SELECT * FROM t WHERE pk = 1.5e-2147483647", kNotWellFormed},
      {"SELECT * FROM t WHERE", kNotWellFormed + "Unexpected term"},
      {"SELECT * FROM t WHERE;", kNotWellFormed + "Unexpected term"},
      {"SELECT * FROM t WHERE NOT", kNotWellFormed + "Unexpected term"},
      {"SELECT * FROM t WHERE (", kNotWellFormed + "Unexpected term"},
      {"UPDATE t SET a = 1 WHERE", kNotWellFormed + "Unexpected term"},
      {"SELECT * FROM", kNotWellFormed + "Unexpected term"},
      {"SELECT * FROM t WHERE pk = 'p1' AND",
       kNotWellFormed + "Missing right-hand side expression of infix operator"},
      {"SELECT * FROM t WHERE pk = 'p1' OR",
       kNotWellFormed + "Missing right-hand side expression of infix operator"},
      {"SELECT * FROM t WHERE ORDER BY pk", kNotWellFormed + "Unexpected keyword"},
      {"SELECT * FROM t WHERE IS NULL", kNotWellFormed + "Unexpected operator"},
      {"SELECT * FROM t WHERE pk = LIKE", kNotWellFormed + "Unexpected operator"},
      {"SELECT * FROM t WHERE pk = 'a' AND x IS FOO", kNotWellFormed + "Expected type name"},
      {"x IS INT4", "Unsupported operation: IsType"},
      {"x IS DOUBLE PRECISION", "Unsupported operation: IsType"},
      {"x IS CHARACTER VARYING", "Unsupported operation: IsType"},
      {"DELETE FROM", kNotWellFormed + "Expected identifier for simple path"},
      {"DELETE FROM;", kNotWellFormed + "Expected identifier for simple path"},
      {"DELETE FROM WHERE pk = 'a'", kNotWellFormed + "Expected identifier for simple path"},
      {"SLECT * FROM t WHERE pk = 'a'", kNotWellFormed + "Expected data manipulation"},
      {"FROM t SET c = 1 WHERE pk = 'a'", kNotWellFormed + "Unexpected token after expression"},
      {"SELECT * FROM t WHERE pk = 'a' AND attribute_exists('ss')",
       "Operator or function requires a document path; operator or function: attribute_exists"},
      {"SELECT * FROM t WHERE pk = 'a' AND attribute_exists()",
       "Incorrect number of operands for operator or function; operator or function: "
       "attribute_exists, number of operands: 0"},
      {"SELECT * FROM t WHERE pk = 'a' AND EXISTS(ss)", "Unrecognized function: exists at 1:36:6"},
      {"SELECT * FROM t WHERE pk = 'a' AND attribute_exists(m.inner)",
       kNotWellFormed + "Invalid path dot component"},
      {"UPDATE t SET t = set_add(ss, <<'x'>>) WHERE pk = 'a'",
       "The first argument to SET_ADD must equal the assignment value at 1:18:7"},
      {"UPDATE t SET ss = set_delete(ss, 'x') WHERE pk = 'a'",
       "The second argument to SET_DELETE must be a value with type SET at 1:30:2"},
      {"UPDATE t SET ss = set_add(ss) WHERE pk = 'a'",
       "SET_ADD must have exactly two arguments at 1:19:7"},
      {"UPDATE t SET ss = set_add(ss, <<'x', 'x'>>) WHERE pk = 'a'",
       "One or more parameter values were invalid: Input collection [x, x] contains duplicates."},
      {"UPDATE t SET ss = set_add(ss, <<>>) WHERE pk = 'a'", "Empty bags are not supported"},
      {"INSERT INTO t VALUE {'pk': 'a', 'ss': set_add(<<'a'>>, <<'b'>>)}",
       "Unsupported data type: set_add under key root at 1:39:7"},
  };
  for (const Case& c : cases) {
    auto parsed = Parse(c.statement, c.parameters);
    ASSERT_FALSE(parsed.ok()) << c.statement;
    EXPECT_EQ(parsed.status().code(), AwsError::kValidation) << c.statement;
    EXPECT_EQ(parsed.status().message(), c.error) << c.statement;
  }
}

TEST(PartiqlParserTest, KeyHelpers) {
  auto parsed =
      Parse("SELECT * FROM t WHERE 'x' = pk AND sk > 3 AND begins_with(s, 'a') AND n <> 2", {});
  ASSERT_TRUE(parsed.ok());
  auto conjuncts = Conjuncts(*parsed->where);
  ASSERT_EQ(conjuncts.size(), 4u);
  auto eq = KeyEquality(*conjuncts[0]);
  ASSERT_TRUE(eq);
  EXPECT_EQ(eq->first, "pk");
  EXPECT_EQ(eq->second, S("x"));
  EXPECT_EQ(ConstrainedAttribute(*conjuncts[1]), "sk");
  EXPECT_EQ(ConstrainedAttribute(*conjuncts[2]), "s");
  EXPECT_EQ(ConstrainedAttribute(*conjuncts[3]), std::nullopt);
  EXPECT_FALSE(KeyEquality(*conjuncts[1]));
  (void)N;
}

TEST(PartiqlParserTest, RandomInputsNeverCrash) {
  const std::string alphabet =
      "SELECT*FROM WHERE=<>()'\"{}[]<<>>,.?-1e9 AND OR NOT pk INSERT VALUE";
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int length = static_cast<int>(rng() % 40);
    for (int j = 0; j < length; ++j) text.push_back(alphabet[rng() % alphabet.size()]);
    (void)Parse(text, {S("p")});
    (void)Parse("SELECT * FROM t WHERE " + text, {});
  }
}

}  // namespace
}  // namespace streamstack::dynamodb::partiql
