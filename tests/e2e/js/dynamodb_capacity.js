// ConsumedCapacity as the JS SDK v3 decodes it, exact to the unit (the rules and their
// sources: tests/e2e/test_dynamodb_capacity.py). Item sizes are AWS's: attribute names and
// strings count their UTF-8 bytes.
"use strict";

const {
  DynamoDBClient, CreateTableCommand, PutItemCommand, GetItemCommand, UpdateItemCommand,
  BatchWriteItemCommand, BatchGetItemCommand, TransactWriteItemsCommand, QueryCommand,
  waitUntilTableExists,
} = require("@aws-sdk/client-dynamodb");
const { assert, clientConfig, run, uniqueName } = require("./common");

const ddb = new DynamoDBClient(clientConfig);
const TABLE = uniqueName("capacity");
const INDEXED = uniqueName("capacity-indexed");

// A low-level item of exactly `size` bytes: "pk" + key, "b" + padding.
const itemOfSize = (pk, size) => ({
  pk: { S: pk }, b: { S: "b".repeat(size - 2 - Buffer.byteLength(pk) - 1) },
});

run([
  ["tables: a plain one and one with a global secondary index", async () => {
    await ddb.send(new CreateTableCommand({
      TableName: TABLE, BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    }));
    await ddb.send(new CreateTableCommand({
      TableName: INDEXED, BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "g", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      GlobalSecondaryIndexes: [{
        IndexName: "by_g", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }],
        Projection: { ProjectionType: "KEYS_ONLY" },
      }],
    }));
    for (const name of [TABLE, INDEXED]) {
      await waitUntilTableExists(
        { client: ddb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: name });
    }
  }],

  ["PutItem: 1 KB is 1 unit, a byte more 2, TOTAL without a read/write split", async () => {
    const small = await ddb.send(new PutItemCommand({
      TableName: TABLE, Item: itemOfSize("one-kb", 1024), ReturnConsumedCapacity: "TOTAL",
    }));
    assert.deepEqual(small.ConsumedCapacity, { TableName: TABLE, CapacityUnits: 1 });
    const large = await ddb.send(new PutItemCommand({
      TableName: TABLE, Item: itemOfSize("four-kb-plus", 4097), ReturnConsumedCapacity: "INDEXES",
    }));
    assert.deepEqual(large.ConsumedCapacity,
      { TableName: TABLE, CapacityUnits: 5, Table: { CapacityUnits: 5 } });
    const none = await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: "x" } } }));
    assert.equal(none.ConsumedCapacity, undefined);
  }],

  ["GetItem: 4 KB units, eventually consistent half, a missing item charged", async () => {
    const cases = [["four-kb-plus", false, 1], ["four-kb-plus", true, 2], ["missing", false, 0.5]];
    for (const [pk, consistent, units] of cases) {
      const out = await ddb.send(new GetItemCommand({
        TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: consistent,
        ReturnConsumedCapacity: "TOTAL",
      }));
      assert.deepEqual(out.ConsumedCapacity, { TableName: TABLE, CapacityUnits: units },
        `${pk} consistent=${consistent}`);
    }
  }],

  ["an index key change under INDEXES: the table, and a delete plus a put in the index", async () => {
    await ddb.send(new PutItemCommand({
      TableName: INDEXED, Item: { pk: { S: "k" }, g: { S: "one" } },
    }));
    const out = await ddb.send(new UpdateItemCommand({
      TableName: INDEXED, Key: { pk: { S: "k" } }, UpdateExpression: "SET g = :g",
      ExpressionAttributeValues: { ":g": { S: "two" } }, ReturnConsumedCapacity: "INDEXES",
    }));
    assert.deepEqual(out.ConsumedCapacity, {
      TableName: INDEXED, CapacityUnits: 3, Table: { CapacityUnits: 1 },
      GlobalSecondaryIndexes: { by_g: { CapacityUnits: 2 } },
    });
    const query = await ddb.send(new QueryCommand({
      TableName: INDEXED, IndexName: "by_g", KeyConditionExpression: "g = :g",
      ExpressionAttributeValues: { ":g": { S: "two" } }, ReturnConsumedCapacity: "INDEXES",
    }));
    assert.deepEqual(query.ConsumedCapacity, {
      TableName: INDEXED, CapacityUnits: 0.5, Table: { CapacityUnits: 0 },
      GlobalSecondaryIndexes: { by_g: { CapacityUnits: 0.5 } },
    });
  }],

  ["TransactWriteItems: doubled per item, with WriteCapacityUnits", async () => {
    const out = await ddb.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: TABLE, Item: { pk: { S: "tx" } } } },
        { Put: { TableName: INDEXED, Item: { pk: { S: "tx" }, g: { S: "tx" } } } },
      ],
      ReturnConsumedCapacity: "TOTAL",
    }));
    assert.deepEqual(out.ConsumedCapacity, [
      { TableName: TABLE, CapacityUnits: 2, WriteCapacityUnits: 2 },
      { TableName: INDEXED, CapacityUnits: 3, WriteCapacityUnits: 3 },
    ]);
  }],

  ["BatchWriteItem and BatchGetItem: one entry per table, each item charged", async () => {
    const written = await ddb.send(new BatchWriteItemCommand({
      RequestItems: {
        [TABLE]: [{ PutRequest: { Item: itemOfSize("bw-1", 1025) } },
          { PutRequest: { Item: { pk: { S: "bw-2" } } } }],
        [INDEXED]: [{ PutRequest: { Item: { pk: { S: "bw-3" } } } }],
      },
      ReturnConsumedCapacity: "TOTAL",
    }));
    const byTable = (list) => Object.fromEntries(list.map((c) => [c.TableName, c]));
    assert.deepEqual(byTable(written.ConsumedCapacity), {
      [TABLE]: { TableName: TABLE, CapacityUnits: 3 },
      [INDEXED]: { TableName: INDEXED, CapacityUnits: 1 },
    });
    const read = await ddb.send(new BatchGetItemCommand({
      RequestItems: {
        [TABLE]: { Keys: [{ pk: { S: "bw-1" } }, { pk: { S: "four-kb-plus" } },
          { pk: { S: "missing" } }], ConsistentRead: true },
      },
      ReturnConsumedCapacity: "TOTAL",
    }));
    assert.deepEqual(read.ConsumedCapacity, [{ TableName: TABLE, CapacityUnits: 1 + 2 + 1 }]);
  }],
]);
