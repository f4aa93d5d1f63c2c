'use strict';
// One export per handler style and behaviour the e2e tests need (CommonJS, nodejs20.x).

const { spawn } = require('child_process');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Handler styles.
exports.asyncHandler = async (event, context) => ({
  style: 'async', event, requestId: context.awsRequestId, pid: process.pid,
});
exports.promiseHandler = (event) =>
  new Promise((resolve) => setTimeout(() => resolve({ style: 'promise', event }), 10));
exports.callbackHandler = (event, context, callback) => {
  callback(null, { style: 'callback', event });
};
exports.callbackError = (event, context, callback) => {
  callback(new Error('callback failed'));
};
exports.succeedHandler = (event, context) => {
  context.succeed({ style: 'succeed', event });
};
exports.failHandler = (event, context) => {
  context.fail(new Error('context failed'));
};
exports.doneHandler = (event, context) => {
  context.done(null, { style: 'done', event });
};
exports.doneError = (event, context) => {
  context.done(new Error('done failed'));
};
// Neither returns a promise nor calls back: AWS answers null once the event loop is empty.
exports.syncNoResult = () => {};
// callbackWaitsForEmptyEventLoop (default true): the answer waits for the pending timer.
exports.waitsForEventLoop = (event, context, callback) => {
  setTimeout(() => {}, event.ms);
  callback(null, 'waited');
};
exports.noWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => {}, event.ms);
  callback(null, 'did not wait');
};

// Failures.
exports.throwError = async () => {
  throw new TypeError('bad thing');
};
exports.exit = async (event) => {
  process.exit(event.code);
};

// An exception thrown outside the handler's promise, and a rejection nobody handles: AWS's
// runtime reports them as the invocation's error, then the process exits.
exports.uncaught = (event, context, callback) => {
  setTimeout(() => {
    throw new RangeError('thrown in a timer');
  }, 10);
};
exports.unhandledRejection = (event, context, callback) => {
  Promise.reject(new Error('nobody catches this'));
};

// Behaviour.
exports.sleep = async (event, context) => {
  if (event.say) console.log(event.say);
  await sleep(event.ms || 0);
  return { pid: process.pid, requestId: context.awsRequestId };
};
exports.env = async (event, context) => ({
  env: process.env,
  cwd: process.cwd(),
  pid: process.pid,
  context: {
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    memoryLimitInMB: context.memoryLimitInMB,
    invokedFunctionArn: context.invokedFunctionArn,
    awsRequestId: context.awsRequestId,
    logGroupName: context.logGroupName,
    logStreamName: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(),
  },
});
// A stream consumer: prints the batch (id, name, key, sequence number) as one line.
exports.records = async (event) => {
  const batch = event.Records.map((r) => ({
    id: r.eventID, name: r.eventName, key: r.dynamodb.Keys.pk.S, seq: r.dynamodb.SequenceNumber,
  }));
  console.log('BATCH ' + JSON.stringify(batch));
  return batch.length;
};
// The AWS SDK for JavaScript v3 as the nodejs runtimes provide it, with no endpoint given:
// AWS_ENDPOINT_URL and AWS_REGION come from the environment.
exports.putItem = async (event) => {
  const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  await client.send(new PutItemCommand({
    TableName: event.table,
    Item: { pk: { S: event.pk }, writer: { S: 'node' } },
  }));
  return 'stored';
};
// Starts a grandchild that would outlive the sandbox if only the runtime were killed.
exports.spawnChild = async () => {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  child.unref();
  return { pid: process.pid, child: child.pid };
};
