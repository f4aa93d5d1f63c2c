// GSI multi-attribute keys through the JS SDK v3 and its DocumentClient: a GSI with two
// partition and two sort attributes, its writes (sparse, typed), queries on a prefix of the
// sort attributes, pages with every key attribute in LastEvaluatedKey, and AWS's answers to a
// bad key schema or key condition (sources: tests/e2e/test_dynamodb_indexes.py).
"use strict";

const {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, PutItemCommand, QueryCommand,
} = require("@aws-sdk/client-dynamodb");
const { DynamoDBDocumentClient, PutCommand, QueryCommand: DocQueryCommand, paginateQuery } =
  require("@aws-sdk/lib-dynamodb");
const { assert, clientConfig, expectError, run, uniqueName } = require("./common");

const ddb = new DynamoDBClient(clientConfig);
const doc = DynamoDBDocumentClient.from(ddb);
const TABLE = uniqueName("matches");

const keySchema = (hash, range = []) => [
  ...hash.map((name) => ({ AttributeName: name, KeyType: "HASH" })),
  ...range.map((name) => ({ AttributeName: name, KeyType: "RANGE" })),
];
const INDEX_KEY = keySchema(["tournament", "region"], ["round", "bracket"]);

// Rounds 1..3 and brackets a/b/c of tournament w24 in eu, written in an order unlike the
// index's (round, then bracket, then the table key).
const MATCHES = [];
for (let i = 0; i < 9; i += 1) {
  MATCHES.push({ id: `m${9 - i}`, round: 3 - (i % 3), bracket: "cab"[Math.floor(i / 3)] });
}
const inIndexOrder = (matches) => [...matches].sort((x, y) =>
  x.round - y.round || (x.bracket < y.bracket ? -1 : x.bracket > y.bracket ? 1 : 0) ||
  (x.id < y.id ? -1 : 1)).map((m) => m.id);

const query = (condition, values = {}, extra = {}) => ({
  TableName: TABLE, IndexName: "by_round",
  KeyConditionExpression: `tournament = :t AND #region = :r${condition ? ` AND ${condition}` : ""}`,
  ExpressionAttributeNames: { "#region": "region", ...(condition.includes("#round") ? { "#round": "round" } : {}) },
  ExpressionAttributeValues: { ":t": "w24", ":r": "eu", ...values },
  ...extra,
});

run([
  ["CreateTable with a GSI of two partition and two sort attributes", async () => {
    const out = await ddb.send(new CreateTableCommand({
      TableName: TABLE, BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "id", AttributeType: "S" },
        { AttributeName: "tournament", AttributeType: "S" },
        { AttributeName: "region", AttributeType: "S" },
        { AttributeName: "round", AttributeType: "N" },
        { AttributeName: "bracket", AttributeType: "S" },
      ],
      KeySchema: keySchema(["id"]),
      GlobalSecondaryIndexes: [{
        IndexName: "by_round", KeySchema: INDEX_KEY, Projection: { ProjectionType: "ALL" },
      }],
    }));
    assert.deepEqual(out.TableDescription.GlobalSecondaryIndexes[0].KeySchema, INDEX_KEY);
    const described = await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
    assert.deepEqual(described.Table.GlobalSecondaryIndexes[0].KeySchema, INDEX_KEY);
  }],

  ["DocumentClient writes: sparse, and each key attribute typed", async () => {
    for (const m of MATCHES) {
      await doc.send(new PutCommand({
        TableName: TABLE, Item: { ...m, tournament: "w24", region: "eu" },
      }));
    }
    // No bracket: in the table, not in the index.
    await doc.send(new PutCommand({
      TableName: TABLE, Item: { id: "open", tournament: "w24", region: "eu", round: 1 },
    }));
    const err = await expectError(() => ddb.send(new PutItemCommand({
      TableName: TABLE, Item: { id: { S: "x" }, region: { N: "1" } },
    })), { name: "ValidationException" });
    assert.equal(err.message, "One or more parameter values were invalid: Type mismatch for " +
      "Index Key region Expected: S Actual: N IndexName: by_round");
    const described = await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
    assert.equal(described.Table.GlobalSecondaryIndexes[0].ItemCount, MATCHES.length);
  }],

  ["Query: every partition attribute, a prefix of the sort attributes, a range on the last", async () => {
    const cases = [
      ["", {}, () => true],
      ["#round = :n", { ":n": 2 }, (m) => m.round === 2],
      ["#round >= :n", { ":n": 2 }, (m) => m.round >= 2],
      ["#round = :n AND bracket > :b", { ":n": 3, ":b": "a" }, (m) => m.round === 3 && m.bracket > "a"],
      ["#round = :n AND begins_with(bracket, :b)", { ":n": 1, ":b": "c" },
        (m) => m.round === 1 && m.bracket.startsWith("c")],
    ];
    for (const [condition, values, wanted] of cases) {
      const out = await doc.send(new DocQueryCommand(query(condition, values)));
      assert.deepEqual(out.Items.map((i) => i.id), inIndexOrder(MATCHES.filter(wanted)), condition);
    }
  }],

  ["Query pages backwards: LastEvaluatedKey has every key attribute", async () => {
    const ids = [];
    let keys;
    for await (const page of paginateQuery({ client: doc, pageSize: 2 },
      query("", {}, { ScanIndexForward: false }))) {
      ids.push(...page.Items.map((i) => i.id));
      if (page.LastEvaluatedKey && !keys) keys = Object.keys(page.LastEvaluatedKey).sort();
    }
    assert.deepEqual(ids, inIndexOrder(MATCHES).reverse());
    assert.deepEqual(keys, ["bracket", "id", "region", "round", "tournament"]);
  }],

  ["errors: a skipped sort attribute, a missing partition attribute, key schema limits", async () => {
    const skipped = await expectError(() => doc.send(new DocQueryCommand(
      query("bracket = :b", { ":b": "a" }))), { name: "ValidationException" });
    assert.equal(skipped.message, "RANGE key attributes round must have equality conditions " +
      "specified in the query because a condition is present on key attribute bracket");
    const partial = await expectError(() => ddb.send(new QueryCommand({
      TableName: TABLE, IndexName: "by_round", KeyConditionExpression: "tournament = :t",
      ExpressionAttributeValues: { ":t": { S: "w24" } },
    })), { name: "ValidationException" });
    assert.equal(partial.message, "Query condition missed key schema element: region");
    const five = ["a", "b", "c", "d", "e"];
    const tooMany = await expectError(() => ddb.send(new CreateTableCommand({
      TableName: uniqueName("five"), BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" },
        ...five.map((name) => ({ AttributeName: name, AttributeType: "S" }))],
      KeySchema: keySchema(["id"]),
      GlobalSecondaryIndexes: [{
        IndexName: "gsi", KeySchema: keySchema(five), Projection: { ProjectionType: "ALL" },
      }],
    })), { name: "ValidationException" });
    assert.equal(tooMany.message, "One or more parameter values were invalid: The KeySchema " +
      "exceeds the maximum allowed number of HASH key attributes");
  }],
]);
