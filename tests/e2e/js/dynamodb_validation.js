// DynamoDB's request validation through the JS SDK v3 (which checks no constraint itself):
// the model's constraints reported together, request-level checks before the table, and the
// key size limit, each as AWS words it (sources: see tests/e2e/test_dynamodb_validation.py).
"use strict";

const {
  BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient, CreateTableCommand, DeleteItemCommand,
  DescribeContributorInsightsCommand, DescribeEndpointsCommand, DescribeLimitsCommand,
  DescribeTableCommand, ExecuteStatementCommand, ExportTableToPointInTimeCommand,
  GetItemCommand, ListGlobalTablesCommand, PutItemCommand, QueryCommand, ScanCommand,
  TransactWriteItemsCommand, UpdateItemCommand, UpdateTableCommand,
} = require("@aws-sdk/client-dynamodb");
const { assert, clientConfig, endpoint, expectError, run, uniqueName } = require("./common");

const ddb = new DynamoDBClient(clientConfig);
const TABLE = uniqueName("validation");

run([
  ["a table to write to", async () => {
    await ddb.send(new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "a", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
  }],

  ["constraints: one clause, and several together", async () => {
    const one = await expectError(() => ddb.send(new DescribeTableCommand({ TableName: "a;b" })),
      { name: "ValidationException" });
    assert.equal(one.message, "1 validation error detected: Value 'a;b' at 'tableName' failed to " +
      "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    const several = await expectError(
      () => ddb.send(new ScanCommand({ TableName: TABLE, Limit: 0, TotalSegments: 0 })),
      { name: "ValidationException" });
    // Members in Coral's report order (protocol::InputModel's ReportOrder).
    assert.equal(several.message, "2 validation errors detected: Value '0' at 'totalSegments' " +
      "failed to satisfy constraint: Member must have value greater than or equal to 1; Value " +
      "'0' at 'limit' failed to satisfy constraint: Member must have value greater than or " +
      "equal to 1");
  }],

  ["request checks before the table and the key", async () => {
    const err = await expectError(() => ddb.send(new GetItemCommand({
      TableName: "no-such-table", Key: { zz: { S: "x" } },
      ExpressionAttributeNames: { "#a": "a" },
    })), { name: "ValidationException" });
    assert.equal(err.message, "ExpressionAttributeNames can only be specified when using expressions");
  }],

  ["a partition key over 2048 bytes", async () => {
    const err = await expectError(() => ddb.send(new PutItemCommand({
      TableName: TABLE, Item: { a: { S: "x".repeat(2049) } },
    })), { name: "ValidationException" });
    assert.equal(err.message, "One or more parameter values were invalid: Size of hashkey has " +
      "exceeded the maximum size limit of2048 bytes");
  }],

  ["an update against index keys: their declared type, no path inside", async () => {
    const indexed = uniqueName("validation-indexed");
    await ddb.send(new CreateTableCommand({
      TableName: indexed,
      AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" },
        { AttributeName: "c", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "a", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [{ IndexName: "by-c", KeySchema: [{ AttributeName: "c", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" } }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    const update = (expression, values) => ddb.send(new UpdateItemCommand({
      TableName: indexed, Key: { a: { S: "x" } }, UpdateExpression: expression,
      ExpressionAttributeValues: values,
    }));
    const mismatch = await expectError(() => update("ADD c :n", { ":n": { N: "1" } }),
      { name: "ValidationException" });
    assert.equal(mismatch.message, "One or more parameter values were invalid: Type mismatch for " +
      "Index Key c Expected: S Actual: N IndexName: by-c");
    const nested = await expectError(() => update("SET c.b = :n", { ":n": { N: "1" } }),
      { name: "ValidationException" });
    assert.equal(nested.message, "Key attributes must be scalars; list random access '[]' and " +
      "map lookup '.' are not allowed: IndexKey: c");
  }],

  // ack-api-quirks DDB-TABLE-128 (see tests/e2e/test_dynamodb_control_plane.py).
  ["a GSI's WarmThroughput starts at least at on-demand's initial throughput", async () => {
    const err = await expectError(() => ddb.send(new CreateTableCommand({
      TableName: uniqueName("validation-warm"),
      AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" },
        { AttributeName: "g", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "a", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [{ IndexName: "by-g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" }, WarmThroughput: { ReadUnitsPerSecond: 100 } }],
      BillingMode: "PAY_PER_REQUEST",
    })), { name: "ValidationException" });
    assert.equal(err.message, "One or more parameter values were invalid: Requested " +
      "ReadUnitsPerSecond for WarmThroughput for index by-g is lower than initial throughput for " +
      "OnDemand. See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/" +
      "on-demand-capacity-mode.html#on-demand-capacity-mode-initial");
  }],

  // The account's per-table maximum (recorded; see AccountMaximumsTest in
  // tests/e2e/test_dynamodb_control_plane.py).
  ["capacity above the per-table maximum: LimitExceededException", async () => {
    const err = await expectError(() => ddb.send(new CreateTableCommand({
      TableName: uniqueName("validation-max"),
      AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "a", KeyType: "HASH" }],
      ProvisionedThroughput: { ReadCapacityUnits: 70000, WriteCapacityUnits: 5 },
    })), { name: "LimitExceededException" });
    assert.equal(err.message, "The requested ReadCapacityUnits, 70000, is above the per table " +
      "maximum for the account in us-east-1. Per table maximum: 40000. Refer to the Amazon " +
      "DynamoDB Developer Guide for current limits and how to request higher limits.");
  }],

  // ack-api-quirks DDB-TABLE-051/-178/-182 (see tests/e2e/test_dynamodb_control_plane.py).
  ["OnDemandThroughput: merged member by member, -1 clears, 0 refused", async () => {
    const merged = await ddb.send(new UpdateTableCommand({
      TableName: TABLE, OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: 50 },
    }));
    assert.equal(merged.TableDescription.TableStatus, "ACTIVE");
    const cleared = await ddb.send(new UpdateTableCommand({
      TableName: TABLE, OnDemandThroughput: { MaxWriteRequestUnits: -1 },
    }));
    assert.deepEqual(cleared.TableDescription.OnDemandThroughput,
      { MaxReadRequestUnits: 100, MaxWriteRequestUnits: -1 });
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
    assert.deepEqual(Table.OnDemandThroughput, { MaxReadRequestUnits: 100 });
    const err = await expectError(() => ddb.send(new UpdateTableCommand({
      TableName: TABLE, OnDemandThroughput: { MaxReadRequestUnits: 0 },
    })), { name: "ValidationException" });
    assert.equal(err.message, "One or more parameter values were invalid: Requested " +
      "MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range");
  }],

  // ExtendDB's transaction tests, recorded against DynamoDB (see
  // tests/e2e/test_dynamodb_validation.py TransactionExpressionMapsTest).
  ["a transaction's Put without an expression takes and ignores its name map", async () => {
    await ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: {
      TableName: TABLE, Item: { a: { S: "tx-put" } }, ExpressionAttributeNames: { "#n": "foo" },
    } }] }));
    const { Item } = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { a: { S: "tx-put" } } }));
    assert.deepEqual(Item, { a: { S: "tx-put" } });
    const err = await expectError(() => ddb.send(new TransactWriteItemsCommand({ TransactItems: [{
      Put: { TableName: TABLE, Item: { a: { S: "tx-put" } }, ConditionExpression: "attribute_exists(a)",
        ExpressionAttributeNames: { "#n": "foo" } },
    }] })), { name: "ValidationException" });
    assert.equal(err.message,
      "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}");
  }],

  // ExtendDB's tests, captured from DynamoDB (see test_dynamodb_validation.py
  // ExtendDbRecordedTest).
  ["ReturnValues PutItem does not take; an expression over 4 KB", async () => {
    const returns = await expectError(() => ddb.send(new PutItemCommand({
      TableName: TABLE, Item: { a: { S: "rv" } }, ReturnValues: "UPDATED_OLD",
    })), { name: "ValidationException" });
    // Inside the envelope since AWS's current validation layer (ExtendDB recorded it bare).
    assert.equal(returns.message,
      "1 validation error detected: ReturnValues can only be ALL_OLD or NONE");
    const filter = "a" + "z".repeat(4096) + " = :v";
    const big = await expectError(() => ddb.send(new ScanCommand({
      TableName: TABLE, FilterExpression: filter, ExpressionAttributeValues: { ":v": { S: "x" } },
    })), { name: "ValidationException" });
    assert.equal(big.message, "Invalid FilterExpression: Expression size has exceeded the " +
      `maximum allowed size; expression size: ${filter.length}`);
  }],

  // ExtendDB's transaction tests, captured from DynamoDB.
  ["a transaction's key over its size cancels it with a ValidationError reason", async () => {
    const err = await expectError(() => ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: TABLE, Item: { a: { S: "a".repeat(2049) } } } },
    ] })), { name: "TransactionCanceledException" });
    assert.deepEqual(err.CancellationReasons.map((r) => r.Code), ["ValidationError"]);
    assert.equal(err.CancellationReasons[0].Message, "One or more parameter values were " +
      "invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }],

  // A conformance suite's captures from DynamoDB (see test_dynamodb_validation.py
  // ValueLayersTest): the same malformed value in each operation's words.
  // AWS's 2026 validation layer (see test_dynamodb_validation.py RequestLayerTest).
  ["the 2026 validation layer: one fault ahead of the report, by operation", async () => {
    const refused = async (command) =>
      (await expectError(() => ddb.send(command), { name: "ValidationException" })).message;
    const answers = {
      query: await refused(new QueryCommand({ TableName: TABLE, KeyConditionExpression: "a = :v",
        ExpressionAttributeValues: { ":v": { S: "v" } }, Limit: 0 })),
      batchGet: await refused(new BatchGetItemCommand({ RequestItems: {} })),
      put: await refused(new PutItemCommand({ TableName: "", Item: {}, ReturnValues: "INVALID" })),
      update: await refused(new UpdateItemCommand({ TableName: TABLE, Key: { a: { S: "x" } },
        ReturnValues: "INVALID", ReturnConsumedCapacity: "INVALID" })),
      batchWrite: await refused(new BatchWriteItemCommand({ RequestItems: { "bad!name": [
        { PutRequest: { Item: { a: { S: "x" } } } }] }, ReturnConsumedCapacity: "BOGUS" })),
    };
    const EN = "failed to satisfy constraint: Member must";
    assert.deepEqual(answers, {
      query: `1 validation error detected: Value at 'Limit' ${EN} have value greater than or equal to 1`,
      batchGet: `1 validation error detected: Value at 'RequestItems' ${EN} have length greater than or equal to 1`,
      put: `1 validation error detected: Value at 'TableName' ${EN} have length greater than or equal to 1`,
      update: "1 validation error detected: Failed to satisfy constraint: Member must satisfy " +
        "enum value set: [ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATE_NEW, NONE]",
      batchWrite: `1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' ${EN} ` +
        "satisfy enum value set: [INDEXES, TOTAL, NONE]",
    });
  }],

  ["value layers: a bad number and a repeated set member, by operation", async () => {
    const notNumeric = "The parameter cannot be converted to a numeric value";
    const refused = async (command) =>
      (await expectError(() => ddb.send(command), { name: "ValidationException" })).message;
    const numbers = {
      put: await refused(new PutItemCommand({ TableName: TABLE, Item: { a: { S: "vl" }, n: { N: "" } } })),
      update: await refused(new UpdateItemCommand({ TableName: TABLE, Key: { a: { S: "vl" } },
        UpdateExpression: "SET n = :v", ExpressionAttributeValues: { ":v": { N: "1e2147483647" } } })),
      get: await refused(new GetItemCommand({ TableName: TABLE, Key: { a: { N: "abc" } } })),
      batchWrite: await refused(new BatchWriteItemCommand({ RequestItems: { [TABLE]: [
        { PutRequest: { Item: { a: { S: "vl" }, n: { N: "1e2147483647" } } } }] } })),
      scan: await refused(new ScanCommand({ TableName: TABLE, FilterExpression: "n = :v",
        ExpressionAttributeValues: { ":v": { N: "" } } })),
    };
    assert.deepEqual(numbers, {
      put: `1 validation error detected: ${notNumeric}: `,
      update: "1 validation error detected: Number overflow. Attempting to store a number " +
        "with magnitude larger than supported range",
      get: `${notNumeric}: abc`,
      batchWrite: "Number underflow. Attempting to store a number with magnitude smaller " +
        "than supported range",
      scan: `ExpressionAttributeValues contains invalid value: ${notNumeric} for key :v`,
    });
    const sets = {
      delete: await refused(new DeleteItemCommand({ TableName: TABLE, Key: { a: { S: "vl" } },
        ConditionExpression: "s = :t", ExpressionAttributeValues: { ":t": { SS: ["b", "a", "b"] } } })),
      query: await refused(new QueryCommand({ TableName: TABLE, KeyConditionExpression: "a = :t",
        ExpressionAttributeValues: { ":t": { SS: ["b", "a", "b"] } } })),
      transact: await refused(new TransactWriteItemsCommand({ TransactItems: [{ Put: {
        TableName: TABLE, Item: { a: { S: "vl" }, s: { SS: ["b", "a", "b"] } } } }] })),
    };
    const invalid = "One or more parameter values were invalid: ";
    assert.deepEqual(sets, {
      delete: `1 validation error detected: ${invalid}Input collection ["a", "b", "b"] contains duplicates.`,
      query: `${invalid}Input collection ["a", "b", "b"] contains duplicates.`,
      transact: `${invalid}Input collection [b, a, b] contains duplicates.`,
    });
  }],

  // A conformance suite's captures from DynamoDB (see test_dynamodb_validation.py
  // NestingDepthTest).
  ["nesting: 32 levels stored, each surface's words past them", async () => {
    const deep = (wraps) => {
      let v = { S: "leaf" };
      for (let i = 0; i < wraps; i++) v = { M: { n: v } };
      return v;
    };
    const bare = "Nesting Levels have exceeded supported limits: Attributes in the item have " +
      "nested levels beyond supported limit";
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { a: { S: "nest" }, d: deep(31) } }));
    const put = await expectError(() => ddb.send(new PutItemCommand({
      TableName: TABLE, Item: { a: { S: "nest" }, d: deep(32) },
    })), { name: "ValidationException" });
    assert.equal(put.message, "1 validation error detected: " + bare);
    const tooDeep = await expectError(() => ddb.send(new PutItemCommand({
      TableName: TABLE, Item: { a: { S: "nest" }, d: deep(63) },
    })), { name: "ValidationException" });
    assert.equal(tooDeep.message, bare);
    const update = await expectError(() => ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Update: { TableName: TABLE, Key: { a: { S: "nest" } }, UpdateExpression: "SET e = :deep",
        ExpressionAttributeValues: { ":deep": deep(32) } } },
    ] })), { name: "TransactionCanceledException" });
    assert.deepEqual(update.CancellationReasons,
      [{ Code: "ValidationError", Message: "Nesting Levels have exceeded supported limits" }]);
    const check = await expectError(() => ddb.send(new TransactWriteItemsCommand({ TransactItems: [
      { ConditionCheck: { TableName: TABLE, Key: { a: { S: "nest" } }, ConditionExpression: "d = :deep",
        ExpressionAttributeValues: { ":deep": deep(33) } } },
    ] })), { name: "ValidationException" });
    assert.equal(check.message,
      `ExpressionAttributeValues contains invalid value: ${bare} for key :deep`);
  }],

  ["DescribeLimits, DescribeEndpoints, a PartiQL statement's words", async () => {
    const limits = await ddb.send(new DescribeLimitsCommand({}));
    assert.deepEqual([limits.AccountMaxReadCapacityUnits, limits.AccountMaxWriteCapacityUnits,
      limits.TableMaxReadCapacityUnits, limits.TableMaxWriteCapacityUnits],
    [80000, 80000, 40000, 40000]);
    const { Endpoints: endpoints } = await ddb.send(new DescribeEndpointsCommand({}));
    assert.deepEqual(endpoints, [{ Address: new URL(endpoint).host, CachePeriodInMinutes: 1440 }]);
    // Recorded PartiQL texts (see test_dynamodb_partiql.py).
    for (const [statement, message] of [
      [`SELECT * FROM "${TABLE}" WHERE a = 'x' foo`,
        "Statement wasn't well formed, can't be processed: Unexpected token after expression"],
      [`SELECT attribute_exists(b) FROM "${TABLE}" WHERE a = 'x'`,
        "Unexpected path component at 1:8:16"],
    ]) {
      const err = await expectError(() => ddb.send(new ExecuteStatementCommand({ Statement: statement })),
        { name: "ValidationException" });
      assert.equal(err.message, message);
    }
  }],

  ["an operation out of scope is named in UnknownOperationException", async () => {
    for (const [command, operation] of [
      [new ListGlobalTablesCommand({}), "ListGlobalTables"],
      [new DescribeContributorInsightsCommand({ TableName: TABLE }), "DescribeContributorInsights"],
      [new ExportTableToPointInTimeCommand({
        TableArn: "arn:aws:dynamodb:us-east-1:000000000000:table/" + TABLE, S3Bucket: "bucket",
      }), "ExportTableToPointInTime"],
    ]) {
      const err = await expectError(() => ddb.send(command), { name: "UnknownOperationException" });
      assert.equal(err.message, `StreamStack does not serve the DynamoDB operation ${operation} ` +
        "(see the README's list of what is supported)");
      assert.equal(err.$metadata.httpStatusCode, 400);
    }
  }],
]);
