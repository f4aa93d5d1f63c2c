// SQS through the JavaScript SDK v3 (client-sqs, which speaks the JSON protocol and checks
// the MD5 of every body it sends and receives): CreateQueue, GetQueueUrl, ListQueues,
// GetQueueAttributes, SendMessage with String/Number/Binary message attributes (their MD5
// computed here), ReceiveMessage with every attribute, the message in flight, DeleteMessage,
// a batch send/receive/delete, a receive (and a 1 s long poll) on an empty queue, and
// QueueDoesNotExist for a missing and a deleted queue.
"use strict";

const crypto = require("node:crypto");
const {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} = require("@aws-sdk/client-sqs");
const { assert, clientConfig, endpoint, expectError, run, uniqueName } = require("./common");

const sqs = new SQSClient(clientConfig);
const QUEUE = uniqueName("jobs");
const MISSING = uniqueName("no-such-queue");
const BODY = 'héllo ✓ {"json": true} <xml>&amp;</xml>';
const ATTRIBUTES = {
  color: { DataType: "String", StringValue: "blue" },
  count: { DataType: "Number", StringValue: "42" },
  "raw.bytes": { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1, 2, 254, 255]) },
  custom: { DataType: "String.utf8", StringValue: "ünïcode" },
};
let queueUrl;

const md5 = (data) => crypto.createHash("md5").update(data).digest("hex");

// The MD5 of message attributes as SQS defines it: for each attribute in name order, the
// name, the data type (each with a 4-byte big-endian length), a transport byte (1 string,
// 2 binary) and the value with its length.
function md5OfAttributes(attributes) {
  const parts = [];
  const withLength = (bytes) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, Buffer.from(bytes));
  };
  for (const name of Object.keys(attributes).sort()) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    withLength(Buffer.from(name, "utf8"));
    withLength(Buffer.from(DataType, "utf8"));
    if (BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      withLength(BinaryValue);
    } else {
      parts.push(Buffer.from([1]));
      withLength(Buffer.from(StringValue, "utf8"));
    }
  }
  return md5(Buffer.concat(parts));
}

const receive = (extra = {}) => sqs.send(new ReceiveMessageCommand({
  QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, ...extra,
}));

const steps = [
  ["CreateQueue, GetQueueUrl, ListQueues, GetQueueAttributes", async () => {
    const created = await sqs.send(new CreateQueueCommand({
      QueueName: QUEUE, Attributes: { VisibilityTimeout: "30" },
    }));
    queueUrl = created.QueueUrl;
    assert.ok(queueUrl.endsWith(`/000000000000/${QUEUE}`), queueUrl);
    // The URL names this server, so a client that follows QueueUrl reaches it.
    assert.equal(new URL(queueUrl).port, new URL(endpoint).port, queueUrl);
    const again = await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }));
    assert.equal(again.QueueUrl, queueUrl);
    const got = await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }));
    assert.equal(got.QueueUrl, queueUrl);
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: QUEUE }));
    assert.deepStrictEqual(listed.QueueUrls, [queueUrl]);
    const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: queueUrl, AttributeNames: ["All"],
    }));
    assert.equal(a.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${QUEUE}`);
    assert.equal(a.VisibilityTimeout, "30");
    assert.equal(a.ApproximateNumberOfMessages, "0");
  }],

  ["SendMessage with String, Number and Binary attributes", async () => {
    const out = await sqs.send(new SendMessageCommand({
      QueueUrl: queueUrl, MessageBody: BODY, MessageAttributes: ATTRIBUTES,
    }));
    assert.match(out.MessageId, /^[0-9a-f-]{36}$/);
    assert.equal(out.MD5OfMessageBody, md5(Buffer.from(BODY, "utf8")));
    assert.equal(out.MD5OfMessageAttributes, md5OfAttributes(ATTRIBUTES));
  }],

  ["ReceiveMessage with every attribute, then the message is in flight", async () => {
    const out = await receive({
      MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"],
    });
    assert.equal(out.Messages.length, 1);
    const [m] = out.Messages;
    assert.equal(m.Body, BODY);
    assert.equal(m.MD5OfBody, md5(Buffer.from(BODY, "utf8")));
    assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(ATTRIBUTES));
    assert.deepStrictEqual(m.MessageAttributes, ATTRIBUTES);
    assert.ok(m.MessageAttributes["raw.bytes"].BinaryValue instanceof Uint8Array);
    assert.equal(m.Attributes.ApproximateReceiveCount, "1");
    assert.match(m.Attributes.SentTimestamp, /^\d{13}$/);
    assert.match(m.Attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
    assert.equal(typeof m.Attributes.SenderId, "string");
    assert.equal(typeof m.ReceiptHandle, "string");

    // Only the attributes asked for.
    const none = await receive();
    assert.equal((none.Messages ?? []).length, 0, "an in-flight message was received again");
    const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }));
    assert.deepStrictEqual(a,
      { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1" });

    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    const { Attributes: after } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"],
    }));
    assert.equal(after.ApproximateNumberOfMessagesNotVisible, "0");
  }],

  ["SendMessageBatch, receive a selection of attributes, DeleteMessageBatch", async () => {
    const sent = await sqs.send(new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: [
        { Id: "a", MessageBody: "first", MessageAttributes: { color: ATTRIBUTES.color } },
        { Id: "b", MessageBody: "second", MessageAttributes: { count: ATTRIBUTES.count } },
      ],
    }));
    assert.deepStrictEqual(sent.Successful.map((e) => e.Id).sort(), ["a", "b"]);
    assert.equal((sent.Failed ?? []).length, 0);
    for (const e of sent.Successful) {
      assert.equal(e.MD5OfMessageBody, md5(e.Id === "a" ? "first" : "second"));
    }
    const out = await receive({ MessageAttributeNames: ["color"] });
    assert.deepStrictEqual(out.Messages.map((m) => m.Body).sort(), ["first", "second"]);
    const first = out.Messages.find((m) => m.Body === "first");
    const second = out.Messages.find((m) => m.Body === "second");
    assert.deepStrictEqual(first.MessageAttributes, { color: ATTRIBUTES.color });
    assert.equal(second.MessageAttributes, undefined);
    assert.equal(first.Attributes, undefined);
    const deleted = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: out.Messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
    }));
    assert.equal(deleted.Successful.length, 2);
    assert.equal((deleted.Failed ?? []).length, 0);
  }],

  ["ReceiveMessage on an empty queue, short and 1 s long poll", async () => {
    const short = await receive();
    assert.equal(short.$metadata.httpStatusCode, 200);
    // AWS answers an empty receive with {}: no Messages member at all.
    assert.equal(short.Messages, undefined);
    const started = Date.now();
    const long = await receive({ WaitTimeSeconds: 1 });
    const waited = Date.now() - started;
    assert.equal((long.Messages ?? []).length, 0);
    assert.ok(waited >= 900 && waited < 5000, `a 1 s long poll returned after ${waited} ms`);
  }],

  ["QueueDoesNotExist for a missing and a deleted queue", async () => {
    const err = await expectError(() => sqs.send(new GetQueueUrlCommand({ QueueName: MISSING })),
      { name: "QueueDoesNotExist", type: QueueDoesNotExist });
    // The JSON protocol's x-amzn-query-error header gives the query protocol's code.
    assert.equal(err.Code, "AWS.SimpleQueueService.NonExistentQueue");
    const missingUrl = queueUrl.replace(QUEUE, MISSING);
    await expectError(() => sqs.send(new SendMessageCommand({
      QueueUrl: missingUrl, MessageBody: "x",
    })), { name: "QueueDoesNotExist", type: QueueDoesNotExist });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await expectError(() => receive(), { name: "QueueDoesNotExist", type: QueueDoesNotExist });
  }],
];

run(steps);
