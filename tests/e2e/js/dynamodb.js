// DynamoDB and DynamoDB Streams through the JavaScript SDK v3: CreateTable with a
// NEW_AND_OLD_IMAGES stream, the table waiter, DescribeTable, ListTables (paginated);
// items through the DocumentClient (lib-dynamodb) with native values (numbers, an exact
// 38-digit NumberValue, string/number/binary sets, nested maps and lists, binary, booleans,
// null): put, get, update with an expression, query (ranges, order, filter, projection,
// pages), batchWrite, batchGet, delete, scan; the table's ARN as TableName; the table's tags
// (TagResource, ListTagsOfResource, UntagResource); a resource policy as AWS keeps it and
// what it refuses (PutResourcePolicy, GetResourcePolicy); the errors the SDK must decode
// (ConditionalCheckFailedException with the old item, ResourceNotFoundException,
// ValidationException, ResourceInUseException); then a stream read (ListStreams,
// DescribeStream, GetShardIterator TRIM_HORIZON and AFTER_SEQUENCE_NUMBER, GetRecords)
// that must show every write above with its eventName, keys and images.
"use strict";

const {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetResourcePolicyCommand,
  ListTagsOfResourceCommand,
  PutResourcePolicyCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  paginateListTables,
  waitUntilTableExists,
} = require("@aws-sdk/client-dynamodb");
const {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  paginateQuery,
} = require("@aws-sdk/lib-dynamodb");
const {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} = require("@aws-sdk/client-dynamodb-streams");
const { assert, clientConfig, expectError, run, uniqueName } = require("./common");

const ddb = new DynamoDBClient(clientConfig);
const doc = DynamoDBDocumentClient.from(ddb, {
  marshallOptions: { removeUndefinedValues: true },
});
// Reads numbers as NumberValue (exact strings), for the number beyond a double's precision.
// Its own DynamoDBClient: DynamoDBDocumentClient.from() stores its translateConfig on the
// client's config, so two document clients over one client would share one.
const exactDoc = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig),
  { unmarshallOptions: { wrapNumbers: true } });
const streams = new DynamoDBStreamsClient(clientConfig);

const TABLE = uniqueName("items");
const MISSING = uniqueName("no-such-table");
const EXACT = "12345678901234567890123456789012345678"; // 38 digits: DynamoDB's precision
const AVATAR = Uint8Array.from([0, 1, 2, 127, 128, 253, 254, 255]);

// Every write that must reach the stream, in the order issued: [eventName, pk, sk].
const expectedEvents = [];
let streamArn;
const records = [];
const shardOf = new Map(); // eventID -> ShardId

const ada = () => ({
  pk: "user#1",
  sk: 1,
  name: "Ada",
  age: 36,
  score: 3.25,
  negative: -17,
  active: true,
  nothing: null,
  dropped: undefined, // removeUndefinedValues: never sent
  tags: new Set(["admin", "ops"]),
  primes: new Set([2, 3, 5]),
  blobs: new Set([Uint8Array.of(1), Uint8Array.of(2, 3)]),
  avatar: AVATAR,
  profile: {
    address: { city: "Paris", zip: "75001" },
    langs: ["en", "fr"],
    visits: [1, "two", { deep: true }, [null]],
  },
  empty: {},
});

const key = (pk, sk) => ({ pk, sk });
const sortedSet = (set) => [...set].sort();

const steps = [
  ["CreateTable with a NEW_AND_OLD_IMAGES stream", async () => {
    const out = await ddb.send(new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }));
    const table = out.TableDescription;
    assert.equal(table.TableName, TABLE);
    assert.ok(["CREATING", "ACTIVE"].includes(table.TableStatus), table.TableStatus);
    assert.equal(table.TableArn, `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`);
    assert.deepEqual(table.StreamSpecification,
      { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
    assert.ok(table.CreationDateTime instanceof Date, "CreationDateTime is not a Date");
    assert.match(table.LatestStreamArn, new RegExp(
      `^arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}/stream/\\S+$`));
    assert.equal(table.LatestStreamArn.endsWith(`/stream/${table.LatestStreamLabel}`), true);
    streamArn = table.LatestStreamArn;
    assert.equal(out.$metadata.httpStatusCode, 200);
  }],

  ["waitUntilTableExists, DescribeTable", async () => {
    const waited = await waitUntilTableExists(
      { client: ddb, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: TABLE });
    assert.equal(waited.state, "SUCCESS");
    const { Table: table } = await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
    assert.equal(table.TableStatus, "ACTIVE");
    assert.deepEqual(table.KeySchema, [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    assert.deepEqual(
      [...table.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
      [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }]);
    assert.equal(table.BillingModeSummary.BillingMode, "PAY_PER_REQUEST");
    assert.equal(table.ItemCount, 0);
    assert.equal(table.TableSizeBytes, 0);
    assert.equal(table.LatestStreamArn, streamArn);
    assert.ok(table.CreationDateTime instanceof Date);
  }],

  ["ListTables, paginated with Limit 1", async () => {
    const names = [];
    let pages = 0;
    for await (const page of paginateListTables({ client: ddb, pageSize: 1 }, {})) {
      pages += 1;
      names.push(...page.TableNames);
      assert.ok(page.TableNames.length <= 1, `page of ${page.TableNames.length}`);
    }
    assert.ok(names.includes(TABLE), `${TABLE} not in ${names}`);
    assert.ok(pages >= names.length, `${pages} pages for ${names.length} tables`);
    assert.deepEqual(names, [...names].sort(), "ListTables is not in name order");
  }],

  ["DocumentClient put + get with native values", async () => {
    const put = await doc.send(new PutCommand({ TableName: TABLE, Item: ada() }));
    assert.equal(put.Attributes, undefined);
    expectedEvents.push(["INSERT", "user#1", 1]);
    const { Item } = await doc.send(new GetCommand({
      TableName: TABLE, Key: key("user#1", 1), ConsistentRead: true,
    }));
    const expected = ada();
    delete expected.dropped;
    assert.deepStrictEqual(Item, expected);
    assert.ok(Item.avatar instanceof Uint8Array, "binary did not come back as Uint8Array");
    assert.ok(Item.tags instanceof Set && Item.primes instanceof Set && Item.blobs instanceof Set);
  }],

  ["get with a ProjectionExpression and a missing item", async () => {
    const { Item } = await doc.send(new GetCommand({
      TableName: TABLE, Key: key("user#1", 1),
      ProjectionExpression: "#n, profile.address.city, profile.visits[2]",
      ExpressionAttributeNames: { "#n": "name" },
    }));
    assert.deepStrictEqual(Item,
      { name: "Ada", profile: { address: { city: "Paris" }, visits: [{ deep: true }] } });
    const missing = await doc.send(new GetCommand({ TableName: TABLE, Key: key("nobody", 0) }));
    assert.equal(missing.Item, undefined);
  }],

  ["an exact 38-digit number through NumberValue", async () => {
    await doc.send(new PutCommand({
      TableName: TABLE,
      Item: { pk: "exact#1", sk: 0, big: NumberValue.from(EXACT), tiny: NumberValue.from("-1E-130") },
    }));
    expectedEvents.push(["INSERT", "exact#1", 0]);
    const { Item } = await exactDoc.send(new GetCommand({
      TableName: TABLE, Key: key("exact#1", 0), ConsistentRead: true,
    }));
    assert.ok(Item.big instanceof NumberValue, "wrapNumbers did not give a NumberValue");
    assert.equal(Item.big.toString(), EXACT);
    assert.equal(Number(Item.tiny.toString()), -1e-130);
    // The default DocumentClient turns an integer beyond 2^53 into a BigInt, exactly.
    const plain = await doc.send(new GetCommand({ TableName: TABLE, Key: key("exact#1", 0) }));
    assert.equal(plain.Item.big, BigInt(EXACT));
  }],

  ["put with a failing condition: ConditionalCheckFailedException with the old item", async () => {
    const err = await expectError(() => doc.send(new PutCommand({
      TableName: TABLE, Item: { pk: "user#1", sk: 1, name: "Impostor" },
      ConditionExpression: "attribute_not_exists(pk)",
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    })), { name: "ConditionalCheckFailedException", type: ConditionalCheckFailedException });
    assert.equal(err.message, "The conditional request failed");
    // The DocumentClient does not unmarshall errors: the old item is in wire form.
    assert.ok(err.Item, "no Item on the exception (ReturnValuesOnConditionCheckFailure)");
    assert.deepStrictEqual(err.Item.pk, { S: "user#1" });
    assert.deepStrictEqual(err.Item.name, { S: "Ada" });
  }],

  ["update with SET/ADD/REMOVE/DELETE, a condition and ALL_NEW", async () => {
    const out = await doc.send(new UpdateCommand({
      TableName: TABLE,
      Key: key("user#1", 1),
      UpdateExpression:
        "SET #n = :name, age = age + :one, profile.address.city = :city, " +
        "profile.langs = list_append(profile.langs, :more), score = if_not_exists(never_set, :zero) " +
        "ADD tags :newTags, visits_count :one REMOVE nothing, profile.visits[3] DELETE primes :two",
      ConditionExpression: "attribute_exists(pk) AND age >= :min AND contains(tags, :admin)",
      ExpressionAttributeNames: { "#n": "name" },
      ExpressionAttributeValues: {
        ":name": "Ada L.", ":one": 1, ":city": "Lyon", ":more": ["de"], ":zero": 0,
        ":newTags": new Set(["dev"]), ":two": new Set([2]), ":min": 18, ":admin": "admin",
      },
      ReturnValues: "ALL_NEW",
    }));
    expectedEvents.push(["MODIFY", "user#1", 1]);
    const a = out.Attributes;
    assert.equal(a.name, "Ada L.");
    assert.equal(a.age, 37);
    assert.equal(a.score, 0);
    assert.equal(a.visits_count, 1);
    assert.equal("nothing" in a, false);
    assert.deepStrictEqual(a.profile, {
      address: { city: "Lyon", zip: "75001" }, langs: ["en", "fr", "de"],
      visits: [1, "two", { deep: true }],
    });
    assert.deepStrictEqual(sortedSet(a.tags), ["admin", "dev", "ops"]);
    assert.deepStrictEqual(sortedSet(a.primes), [3, 5]);
  }],

  ["update with UPDATED_OLD and a failing condition", async () => {
    const out = await doc.send(new UpdateCommand({
      TableName: TABLE, Key: key("user#1", 1),
      UpdateExpression: "SET age = :age", ExpressionAttributeValues: { ":age": 38 },
      ReturnValues: "UPDATED_OLD",
    }));
    expectedEvents.push(["MODIFY", "user#1", 1]);
    assert.deepStrictEqual(out.Attributes, { age: 37 });
    await expectError(() => doc.send(new UpdateCommand({
      TableName: TABLE, Key: key("user#1", 1),
      UpdateExpression: "SET age = :age", ConditionExpression: "age < :age",
      ExpressionAttributeValues: { ":age": 10 },
    })), { name: "ConditionalCheckFailedException", type: ConditionalCheckFailedException });
  }],

  ["batchWrite puts and deletes, batchGet", async () => {
    const puts = [2, 3, 4, 5].map((sk) => ({
      PutRequest: { Item: { pk: "user#1", sk, rank: sk * 10, label: `item ${sk}` } },
    }));
    puts.push({ PutRequest: { Item: { pk: "user#2", sk: 1, ratio: 0.5 } } });
    const first = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: puts } }));
    assert.deepStrictEqual(first.UnprocessedItems ?? {}, {});
    for (const sk of [2, 3, 4, 5]) expectedEvents.push(["INSERT", "user#1", sk]);
    expectedEvents.push(["INSERT", "user#2", 1]);

    const second = await doc.send(new BatchWriteCommand({
      RequestItems: {
        [TABLE]: [
          { DeleteRequest: { Key: key("user#2", 1) } },
          { PutRequest: { Item: { pk: "user#3", sk: 1, list: [new Set(["x"]), AVATAR] } } },
        ],
      },
    }));
    assert.deepStrictEqual(second.UnprocessedItems ?? {}, {});
    expectedEvents.push(["REMOVE", "user#2", 1], ["INSERT", "user#3", 1]);

    const got = await doc.send(new BatchGetCommand({
      RequestItems: {
        [TABLE]: { Keys: [key("user#1", 2), key("user#2", 1), key("user#3", 1)], ConsistentRead: true },
      },
    }));
    const items = got.Responses[TABLE].sort((x, y) => x.pk.localeCompare(y.pk));
    assert.deepStrictEqual(items, [
      { pk: "user#1", sk: 2, rank: 20, label: "item 2" },
      { pk: "user#3", sk: 1, list: [new Set(["x"]), AVATAR] },
    ]);
    assert.deepStrictEqual(got.UnprocessedKeys ?? {}, {});
  }],

  // AWS accepts a table's ARN wherever it takes a TableName, and answers under the name the
  // request used (botocore's model: TableName is a TableArn shape; RequestItems keys too).
  ["the table's ARN as TableName: DescribeTable, put, get, batchGet, delete", async () => {
    const arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`;
    const { Table: table } = await ddb.send(new DescribeTableCommand({ TableName: arn }));
    assert.equal(table.TableName, TABLE);
    assert.equal(table.TableArn, arn);
    const put = await doc.send(new PutCommand({
      TableName: arn, Item: { pk: "arn#1", sk: 1, via: "arn" }, ReturnConsumedCapacity: "TOTAL",
    }));
    assert.equal(put.ConsumedCapacity.TableName, arn);
    expectedEvents.push(["INSERT", "arn#1", 1]);
    const { Item } = await doc.send(new GetCommand({ TableName: arn, Key: key("arn#1", 1) }));
    assert.deepStrictEqual(Item, { pk: "arn#1", sk: 1, via: "arn" });
    const got = await doc.send(new BatchGetCommand({
      RequestItems: { [arn]: { Keys: [key("arn#1", 1)] } },
    }));
    assert.deepStrictEqual(Object.keys(got.Responses), [arn]);
    assert.deepStrictEqual(got.Responses[arn], [{ pk: "arn#1", sk: 1, via: "arn" }]);
    await doc.send(new DeleteCommand({ TableName: arn, Key: key("arn#1", 1) }));
    expectedEvents.push(["REMOVE", "arn#1", 1]);
    const other = `arn:aws:dynamodb:eu-west-1:000000000000:table/${TABLE}`;
    const err = await expectError(
      () => ddb.send(new DescribeTableCommand({ TableName: other })),
      { name: "ValidationException" });
    assert.equal(err.message, `1 validation error detected: Invalid AWS region in '${other}'`);
  }],

  // Tags by the table's ARN; AWS answers every tag in one page, in no documented order
  // (aws/aws-sdk#583: "ListTagsOfResource does not support pagination at the API level").
  ["tags: TagResource, ListTagsOfResource, UntagResource", async () => {
    const arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`;
    await ddb.send(new TagResourceCommand({
      ResourceArn: arn, Tags: [{ Key: "team", Value: "js" }, { Key: "env", Value: "" }],
    }));
    const listed = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
    assert.deepStrictEqual(
      listed.Tags.sort((x, y) => x.Key.localeCompare(y.Key)),
      [{ Key: "env", Value: "" }, { Key: "team", Value: "js" }]);
    assert.equal(listed.NextToken, undefined);
    await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["env", "team"] }));
    const after = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
    assert.deepStrictEqual(after.Tags, []);
    const missing = `arn:aws:dynamodb:us-east-1:000000000000:table/${MISSING}`;
    const err = await expectError(
      () => ddb.send(new ListTagsOfResourceCommand({ ResourceArn: missing })),
      { name: "ResourceNotFoundException" });
    assert.equal(err.message, `Requested resource not found: ResourceArn: ${missing} not found`);
  }],

  // Recorded, ack-api-quirks DDB-TABLE-208/-351/-353/-355 (the kept form), -211 (invalid
  // action names), -356 (Block Public Access).
  ["resource policy: AWS's kept form, invalid actions, Block Public Access", async () => {
    const arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`;
    const statement = {
      Resource: [arn], Action: ["dynamodb:GetItem"], Principal: { AWS: "000000000000" },
      Effect: "allow",
    };
    const put = (s) => ddb.send(new PutResourcePolicyCommand({
      ResourceArn: arn, Policy: JSON.stringify({ Version: "2012-10-17", Statement: s }, null, 2),
    }));
    const refused = async (s, message) => {
      const err = await expectError(() => put(s), { name: "ValidationException" });
      assert.equal(err.message, message);
    };
    await refused([{ ...statement, Action: ["dynamodb:GetRecords"] }],
      "One or more parameter values were invalid: Invalid policy document: The following " +
      'action names are invalid: "dynamodb:GetRecords"');
    await refused([{ ...statement, Principal: { AWS: "*" } }],
      "Resource-based policy grants unbounded access in one or more elements. Please revise " +
      "the policy to ensure least-privilege form of access");
    const { RevisionId } = await put(statement);
    const got = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: arn }));
    assert.equal(got.RevisionId, RevisionId);
    assert.equal(got.Policy, JSON.stringify({
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" },
        Action: "dynamodb:GetItem", Resource: arn,
      }],
    }));
  }],

  ["query: key range backwards, filter + projection, pages", async () => {
    const range = await doc.send(new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: "pk = :pk AND sk BETWEEN :lo AND :hi",
      ExpressionAttributeValues: { ":pk": "user#1", ":lo": 2, ":hi": 4 },
      ScanIndexForward: false,
    }));
    assert.deepStrictEqual(range.Items.map((i) => i.sk), [4, 3, 2]);
    assert.equal(range.Count, 3);
    assert.equal(range.ScannedCount, 3);
    assert.equal(range.LastEvaluatedKey, undefined);

    const filtered = await doc.send(new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: "pk = :pk",
      // RANK and NAME are reserved words: only through ExpressionAttributeNames.
      FilterExpression: "#r > :r OR attribute_exists(#n)",
      ProjectionExpression: "sk, #r, #n",
      ExpressionAttributeNames: { "#n": "name", "#r": "rank" },
      ExpressionAttributeValues: { ":pk": "user#1", ":r": 30 },
    }));
    assert.deepStrictEqual(filtered.Items,
      [{ sk: 1, name: "Ada L." }, { sk: 4, rank: 40 }, { sk: 5, rank: 50 }]);
    assert.equal(filtered.Count, 3);
    assert.equal(filtered.ScannedCount, 5);

    const pages = [];
    for await (const page of paginateQuery({ client: doc, pageSize: 2 }, {
      TableName: TABLE, KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": "user#1" }, ProjectionExpression: "pk, sk",
    })) {
      pages.push(page.Items.map((i) => i.sk));
      if (page.LastEvaluatedKey) {
        // The DocumentClient unmarshalls the key too.
        assert.deepStrictEqual(page.LastEvaluatedKey, key("user#1", page.Items.at(-1).sk));
      }
    }
    assert.deepStrictEqual(pages.flat(), [1, 2, 3, 4, 5]);
    assert.deepStrictEqual(pages.slice(0, 3), [[1, 2], [3, 4], [5]]);
  }],

  ["delete with ALL_OLD, scan with Select COUNT", async () => {
    const out = await doc.send(new DeleteCommand({
      TableName: TABLE, Key: key("user#1", 5), ReturnValues: "ALL_OLD",
      ConditionExpression: "#r = :r", ExpressionAttributeNames: { "#r": "rank" },
      ExpressionAttributeValues: { ":r": 50 },
    }));
    expectedEvents.push(["REMOVE", "user#1", 5]);
    assert.deepStrictEqual(out.Attributes, { pk: "user#1", sk: 5, rank: 50, label: "item 5" });
    const gone = await doc.send(new DeleteCommand({
      TableName: TABLE, Key: key("user#1", 5), ReturnValues: "ALL_OLD",
    }));
    assert.equal(gone.Attributes, undefined);
    const count = await doc.send(new ScanCommand({ TableName: TABLE, Select: "COUNT" }));
    // user#1 sk 1-4, exact#1, user#3
    assert.equal(count.Count, 6);
    assert.equal(count.Items, undefined);
  }],

  ["errors: ResourceNotFoundException, ValidationException, ResourceInUseException", async () => {
    const missing = await expectError(
      () => doc.send(new GetCommand({ TableName: MISSING, Key: key("a", 1) })),
      { name: "ResourceNotFoundException", type: ResourceNotFoundException });
    assert.match(missing.message, /Requested resource not found|not found/);
    await expectError(() => ddb.send(new DescribeTableCommand({ TableName: MISSING })),
      { name: "ResourceNotFoundException", type: ResourceNotFoundException });
    const invalid = await expectError(
      () => doc.send(new PutCommand({ TableName: TABLE, Item: { pk: "user#9", sk: "not a number" } })),
      { name: "ValidationException" });
    assert.match(invalid.message, /key|type/i);
    await expectError(() => ddb.send(new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    })), { name: "ResourceInUseException", type: ResourceInUseException });
  }],

  ["streams: ListStreams, DescribeStream", async () => {
    const listed = await streams.send(new ListStreamsCommand({ TableName: TABLE }));
    assert.deepStrictEqual(listed.Streams.map((s) => s.StreamArn), [streamArn]);
    assert.equal(listed.Streams[0].TableName, TABLE);
    const { StreamDescription: d } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }));
    assert.equal(d.StreamArn, streamArn);
    assert.equal(d.StreamStatus, "ENABLED");
    assert.equal(d.StreamViewType, "NEW_AND_OLD_IMAGES");
    assert.equal(d.TableName, TABLE);
    assert.deepStrictEqual(d.KeySchema, [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    assert.ok(d.CreationRequestDateTime instanceof Date);
    assert.ok(d.Shards.length >= 1);
    for (const shard of d.Shards) {
      assert.match(shard.ShardId, /^shardId-/);
      assert.match(shard.SequenceNumberRange.StartingSequenceNumber, /^\d+$/);
    }
  }],

  ["streams: GetShardIterator TRIM_HORIZON, GetRecords sees every write", async () => {
    const { StreamDescription: d } = await streams.send(
      new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of d.Shards) {
      let { ShardIterator: iterator } = await streams.send(new GetShardIteratorCommand({
        StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON",
      }));
      // An open shard always hands out a next iterator: read until a page comes back empty.
      for (let calls = 0; iterator && calls < 50; calls += 1) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 4 }));
        assert.ok(page.Records.length <= 4, `Limit 4 gave ${page.Records.length} records`);
        records.push(...page.Records);
        for (const r of page.Records) shardOf.set(r.eventID, shard.ShardId);
        if (page.Records.length === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    records.sort((a, b) => (BigInt(a.dynamodb.SequenceNumber) < BigInt(b.dynamodb.SequenceNumber) ? -1 : 1));
    const summary = records.map((r) =>
      [r.eventName, r.dynamodb.Keys.pk.S, Number(r.dynamodb.Keys.sk.N)]);
    assert.equal(summary.length, expectedEvents.length,
      `stream: ${JSON.stringify(summary)}\nexpected: ${JSON.stringify(expectedEvents)}`);
    // Per item, records come in write order (what DynamoDB Streams guarantees).
    const perKey = (events) => {
      const map = {};
      for (const [name, pk, sk] of events) (map[`${pk}/${sk}`] ??= []).push(name);
      return map;
    };
    assert.deepStrictEqual(perKey(summary), perKey(expectedEvents));
    for (const r of records) {
      assert.equal(r.eventSource, "aws:dynamodb");
      assert.equal(r.awsRegion, "us-east-1");
      assert.equal(r.eventVersion, "1.1");
      assert.equal(typeof r.eventID, "string");
      assert.equal(r.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
      assert.ok(r.dynamodb.ApproximateCreationDateTime instanceof Date);
      assert.ok(r.dynamodb.SizeBytes > 0);
      assert.equal("OldImage" in r.dynamodb, r.eventName !== "INSERT", `${r.eventName} OldImage`);
      assert.equal("NewImage" in r.dynamodb, r.eventName !== "REMOVE", `${r.eventName} NewImage`);
    }
    assert.equal(new Set(records.map((r) => r.eventID)).size, records.length, "eventIDs repeat");
  }],

  ["streams: the images carry the DocumentClient's values in wire form", async () => {
    const of = (name, pk, sk, nth = 0) => records.filter((r) => r.eventName === name &&
      r.dynamodb.Keys.pk.S === pk && r.dynamodb.Keys.sk.N === String(sk))[nth].dynamodb;
    const insert = of("INSERT", "user#1", 1).NewImage;
    assert.deepStrictEqual(insert.name, { S: "Ada" });
    assert.deepStrictEqual(insert.score, { N: "3.25" });
    assert.deepStrictEqual(insert.negative, { N: "-17" });
    assert.deepStrictEqual(insert.active, { BOOL: true });
    assert.deepStrictEqual(insert.nothing, { NULL: true });
    assert.deepStrictEqual(insert.avatar, { B: AVATAR });
    assert.deepStrictEqual(insert.tags.SS.sort(), ["admin", "ops"]);
    assert.deepStrictEqual(insert.primes.NS.sort(), ["2", "3", "5"]);
    assert.deepStrictEqual(insert.blobs.BS.map((b) => [...b]).sort(), [[1], [2, 3]]);
    assert.deepStrictEqual(insert.profile.M.address, { M: { city: { S: "Paris" }, zip: { S: "75001" } } });
    assert.deepStrictEqual(insert.profile.M.visits.L[2], { M: { deep: { BOOL: true } } });
    assert.deepStrictEqual(insert.empty, { M: {} });
    assert.equal("dropped" in insert, false);

    assert.deepStrictEqual(of("INSERT", "exact#1", 0).NewImage.big, { N: EXACT });

    const modify = of("MODIFY", "user#1", 1);
    assert.deepStrictEqual(modify.OldImage.age, { N: "36" });
    assert.deepStrictEqual(modify.NewImage.age, { N: "37" });
    assert.deepStrictEqual(modify.OldImage.profile.M.address.M.city, { S: "Paris" });
    assert.deepStrictEqual(modify.NewImage.profile.M.address.M.city, { S: "Lyon" });
    assert.deepStrictEqual(modify.OldImage.nothing, { NULL: true });
    assert.equal("nothing" in modify.NewImage, false);
    assert.deepStrictEqual(of("MODIFY", "user#1", 1, 1).NewImage.age, { N: "38" });

    const removed = of("REMOVE", "user#1", 5);
    assert.deepStrictEqual(removed.Keys, { pk: { S: "user#1" }, sk: { N: "5" } });
    assert.deepStrictEqual(removed.OldImage,
      { pk: { S: "user#1" }, sk: { N: "5" }, rank: { N: "50" }, label: { S: "item 5" } });
  }],

  ["streams: AFTER_SEQUENCE_NUMBER and AT_SEQUENCE_NUMBER iterators", async () => {
    const shardId = shardOf.get(records[0].eventID);
    const [first, second] = records.filter((r) => shardOf.get(r.eventID) === shardId);
    const read = async (type) => {
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({
        StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type,
        SequenceNumber: first.dynamodb.SequenceNumber,
      }));
      const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1 }));
      return page.Records[0].dynamodb.SequenceNumber;
    };
    assert.equal(await read("AT_SEQUENCE_NUMBER"), first.dynamodb.SequenceNumber);
    assert.equal(await read("AFTER_SEQUENCE_NUMBER"), second.dynamodb.SequenceNumber);
    await expectError(() => streams.send(new DescribeStreamCommand({
      StreamArn: `${streamArn.split("/stream/")[0].replace(TABLE, MISSING)}/stream/2020-01-01T00:00:00.000`,
    })), { name: "ResourceNotFoundException" });
  }],
];

run(steps);
