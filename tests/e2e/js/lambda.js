// Lambda through the JavaScript SDK v3 (client-lambda): functions behind HTTP, where the
// function is a small node http server this script runs on 127.0.0.1 that answers the
// Lambda Invoke contract (the body is the event; a 200 body is the result; a header
// X-Amz-Function-Error marks a function error). CreateFunction with STREAMSTACK_INVOKE_URL,
// the FunctionActiveV2 waiter, GetFunction, Invoke RequestResponse (Payload as a
// Uint8Array both ways), a function error, Invoke Event, ResourceNotFoundException; then a
// table with a stream, CreateEventSourceMapping (TRIM_HORIZON, BatchSize 2) and writes
// through the DocumentClient that the function receives as DynamoDB stream events.
"use strict";

const http = require("node:http");
const {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  waitUntilFunctionActiveV2,
} = require("@aws-sdk/client-lambda");
const { CreateTableCommand, DynamoDBClient } = require("@aws-sdk/client-dynamodb");
const {
  DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand,
} = require("@aws-sdk/lib-dynamodb");
const { assert, clientConfig, expectError, run, uniqueName, waitFor } = require("./common");

const lambda = new LambdaClient(clientConfig);
const ddb = new DynamoDBClient(clientConfig);
const doc = DynamoDBDocumentClient.from(ddb);

const ROLE = "arn:aws:iam::000000000000:role/lambda-role";
const ZIP = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]); // empty zip
const ECHO = uniqueName("echo");
const FAILING = uniqueName("failing");
const CONSUMER = uniqueName("consumer");
const TABLE = uniqueName("orders");
const encode = (value) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

// The function: every request is recorded by path; /echo answers {"echo": event},
// /failing answers a function error, anything else (the consumer) an empty object.
const calls = {};
const functionServer = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    let event;
    try {
      event = JSON.parse(body);
    } catch {
      event = body;
    }
    (calls[req.url] ??= []).push({ method: req.method, headers: req.headers, event });
    const status = 200;
    let out = {};
    const headers = { "Content-Type": "application/json" };
    if (req.url === "/echo") {
      out = { echo: event };
    } else if (req.url === "/failing") {
      headers["X-Amz-Function-Error"] = "Unhandled";
      out = { errorMessage: "boom", errorType: "Error", stackTrace: [] };
    }
    const payload = Buffer.from(JSON.stringify(out));
    headers["Content-Length"] = payload.length;
    res.writeHead(status, headers);
    res.end(payload);
  });
});
const urlOf = (path) => `http://127.0.0.1:${functionServer.address().port}${path}`;

async function createFunction(name, path) {
  const out = await lambda.send(new CreateFunctionCommand({
    FunctionName: name,
    Runtime: "nodejs20.x",
    Role: ROLE,
    Handler: "index.handler",
    Code: { ZipFile: ZIP },
    Timeout: 3,
    Environment: { Variables: { STREAMSTACK_INVOKE_URL: urlOf(path) } },
  }));
  assert.equal(out.$metadata.httpStatusCode, 201);
  return out;
}

let streamArn;
let mappingUuid;
const consumerRecords = () =>
  (calls["/consumer"] ?? []).flatMap((c) => (c.event && c.event.Records) || []);

const steps = [
  ["start the function's http server on 127.0.0.1", async () => {
    await new Promise((resolve, reject) => {
      functionServer.once("error", reject);
      functionServer.listen(0, "127.0.0.1", resolve);
    });
  }],

  ["CreateFunction behind HTTP, waitUntilFunctionActiveV2, GetFunction", async () => {
    const out = await createFunction(ECHO, "/echo");
    assert.equal(out.FunctionName, ECHO);
    assert.equal(out.FunctionArn, `arn:aws:lambda:us-east-1:000000000000:function:${ECHO}`);
    assert.equal(out.Runtime, "nodejs20.x");
    assert.equal(out.Handler, "index.handler");
    assert.equal(out.Timeout, 3);
    assert.equal(out.Environment.Variables.STREAMSTACK_INVOKE_URL, urlOf("/echo"));
    const waited = await waitUntilFunctionActiveV2(
      { client: lambda, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { FunctionName: ECHO });
    assert.equal(waited.state, "SUCCESS");
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: ECHO }));
    assert.equal(got.Configuration.FunctionName, ECHO);
    assert.equal(got.Configuration.State, "Active");
    assert.equal(got.Configuration.Environment.Variables.STREAMSTACK_INVOKE_URL, urlOf("/echo"));
    await createFunction(FAILING, "/failing");
  }],

  ["Invoke RequestResponse: the event in, the result out as a Uint8Array", async () => {
    const event = { hello: "wörld ✓", n: 42, nested: { list: [1, null, true] } };
    const out = await lambda.send(new InvokeCommand({
      FunctionName: ECHO, InvocationType: "RequestResponse", Payload: encode(event),
    }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.ExecutedVersion, "$LATEST");
    assert.ok(out.Payload instanceof Uint8Array, "Payload is not a Uint8Array");
    assert.deepStrictEqual(decode(out.Payload), { echo: event });
    // The function saw exactly the bytes of the event.
    const seen = calls["/echo"].at(-1);
    assert.equal(seen.method, "POST");
    assert.deepStrictEqual(seen.event, event);
    // By ARN, with the payload given as a string.
    const byArn = await lambda.send(new InvokeCommand({
      FunctionName: `arn:aws:lambda:us-east-1:000000000000:function:${ECHO}`,
      Payload: JSON.stringify([1, 2, 3]),
    }));
    assert.deepStrictEqual(decode(byArn.Payload), { echo: [1, 2, 3] });
  }],

  ["Invoke: a function error is a 200 with FunctionError", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: FAILING, Payload: encode({}) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, "Unhandled");
    assert.deepStrictEqual(decode(out.Payload),
      { errorMessage: "boom", errorType: "Error", stackTrace: [] });
  }],

  ["Invoke Event: 202, then the function receives it", async () => {
    const before = calls["/echo"].length;
    const out = await lambda.send(new InvokeCommand({
      FunctionName: ECHO, InvocationType: "Event", Payload: encode({ async: true }),
    }));
    assert.equal(out.StatusCode, 202);
    assert.ok(await waitFor(() => calls["/echo"].length > before), "the Event invoke never arrived");
    assert.deepStrictEqual(calls["/echo"].at(-1).event, { async: true });
  }],

  ["Invoke a missing function: ResourceNotFoundException 404", async () => {
    const err = await expectError(() => lambda.send(new InvokeCommand({
      FunctionName: uniqueName("no-such-function"), Payload: encode({}),
    })), { name: "ResourceNotFoundException", status: 404, type: ResourceNotFoundException });
    assert.match(err.message, /Function not found/);
  }],

  ["a table with a stream and a first write before the mapping", async () => {
    const out = await ddb.send(new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }));
    streamArn = out.TableDescription.LatestStreamArn;
    assert.ok(streamArn);
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: "order-0", amount: 10 } }));
  }],

  ["CreateEventSourceMapping TRIM_HORIZON, BatchSize 2", async () => {
    await createFunction(CONSUMER, "/consumer");
    const out = await lambda.send(new CreateEventSourceMappingCommand({
      FunctionName: CONSUMER, EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON",
      BatchSize: 2, MaximumBatchingWindowInSeconds: 0,
    }));
    assert.equal(out.$metadata.httpStatusCode, 202);
    assert.match(out.UUID, /^[0-9a-f-]{36}$/);
    assert.equal(out.EventSourceArn, streamArn);
    assert.equal(out.FunctionArn, `arn:aws:lambda:us-east-1:000000000000:function:${CONSUMER}`);
    assert.equal(out.BatchSize, 2);
    assert.equal(out.StartingPosition, "TRIM_HORIZON");
    assert.ok(["Creating", "Enabling", "Enabled"].includes(out.State), out.State);
    assert.ok(out.LastModified instanceof Date);
    mappingUuid = out.UUID;
  }],

  ["writes through the DocumentClient reach the function as stream events", async () => {
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: "order-1", amount: 25 } }));
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: "order-2", amount: 7 } }));
    await doc.send(new UpdateCommand({
      TableName: TABLE, Key: { pk: "order-1" }, UpdateExpression: "SET amount = amount + :d",
      ExpressionAttributeValues: { ":d": 5 },
    }));
    await doc.send(new DeleteCommand({ TableName: TABLE, Key: { pk: "order-2" } }));
    const got = await waitFor(() => consumerRecords().length >= 5, 8000);
    assert.ok(got, `the function got ${consumerRecords().length} of 5 records: ` +
      JSON.stringify(calls["/consumer"] ?? []));

    for (const call of calls["/consumer"]) {
      assert.equal(call.method, "POST");
      assert.deepStrictEqual(Object.keys(call.event), ["Records"]);
      assert.ok(call.event.Records.length >= 1 && call.event.Records.length <= 2,
        `a batch of ${call.event.Records.length} with BatchSize 2`);
    }
    const records = consumerRecords();
    assert.deepStrictEqual(records.map((r) => [r.eventName, r.dynamodb.Keys.pk.S]), [
      ["INSERT", "order-0"], ["INSERT", "order-1"], ["INSERT", "order-2"],
      ["MODIFY", "order-1"], ["REMOVE", "order-2"],
    ]);
    for (const r of records) {
      assert.equal(r.eventSource, "aws:dynamodb");
      assert.equal(r.eventSourceARN, streamArn);
      assert.equal(r.awsRegion, "us-east-1");
      assert.equal(r.eventVersion, "1.1");
      assert.equal(typeof r.eventID, "string");
      assert.equal(r.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
      assert.match(r.dynamodb.SequenceNumber, /^\d+$/);
      assert.equal(typeof r.dynamodb.SizeBytes, "number");
      // In the event (JSON), ApproximateCreationDateTime is epoch seconds.
      assert.equal(typeof r.dynamodb.ApproximateCreationDateTime, "number");
      assert.ok(Math.abs(r.dynamodb.ApproximateCreationDateTime - Date.now() / 1000) < 600);
    }
    assert.deepStrictEqual(records[0].dynamodb.Keys, { pk: { S: "order-0" } });
    assert.deepStrictEqual(records[0].dynamodb.NewImage, { pk: { S: "order-0" }, amount: { N: "10" } });
    assert.deepStrictEqual(records[3].dynamodb.OldImage, { pk: { S: "order-1" }, amount: { N: "25" } });
    assert.deepStrictEqual(records[3].dynamodb.NewImage, { pk: { S: "order-1" }, amount: { N: "30" } });
    assert.deepStrictEqual(records[4].dynamodb.OldImage, { pk: { S: "order-2" }, amount: { N: "7" } });
    assert.equal(records[4].dynamodb.NewImage, undefined);
  }],

  ["GetEventSourceMapping, ListEventSourceMappings, DeleteEventSourceMapping", async () => {
    const ok = await waitFor(async () => {
      const m = await lambda.send(new GetEventSourceMappingCommand({ UUID: mappingUuid }));
      return m.State === "Enabled" && m.LastProcessingResult === "OK" && m;
    }, 5000);
    assert.ok(ok, "the mapping never reported Enabled / LastProcessingResult OK");
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: CONSUMER }));
    assert.deepStrictEqual(listed.EventSourceMappings.map((m) => m.UUID), [mappingUuid]);
    await expectError(() => lambda.send(new GetEventSourceMappingCommand({
      UUID: "00000000-0000-4000-8000-000000000000",
    })), { name: "ResourceNotFoundException", status: 404, type: ResourceNotFoundException });
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mappingUuid }));
    assert.equal(deleted.$metadata.httpStatusCode, 202);
    assert.equal(deleted.State, "Deleting");
    const gone = await waitFor(async () => {
      try {
        await lambda.send(new GetEventSourceMappingCommand({ UUID: mappingUuid }));
        return false;
      } catch (err) {
        return err.name === "ResourceNotFoundException";
      }
    }, 5000);
    assert.ok(gone, "the deleted mapping is still there");
  }],

  ["DeleteFunction", async () => {
    for (const name of [ECHO, FAILING, CONSUMER]) {
      const out = await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
      assert.equal(out.$metadata.httpStatusCode, 204);
    }
    await expectError(() => lambda.send(new GetFunctionCommand({ FunctionName: ECHO })),
      { name: "ResourceNotFoundException", status: 404 });
  }],
];

run(steps).finally(() => functionServer.close());
