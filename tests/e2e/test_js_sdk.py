"""The AWS SDK for JavaScript v3 against the real binary: each test runs one CommonJS script
of tests/e2e/js/ with Debian's `node`, the SDK resolved through NODE_PATH from the
node_modules that the project's install step made (STREAMSTACK_NODE_MODULES, set by ctest;
default <build>/npm/node_modules beside the binary). A script prints one JSON line per step
({"step", "ok"}) and a final {"done": true, "steps": [...]}; the steps each test expects are
listed here, so a script that stops early or skips a step fails.

  dynamodb.js  tables (CreateTable with a NEW_AND_OLD_IMAGES stream, waiter, DescribeTable,
               ListTables pages), the DocumentClient with native JS values, the table's ARN
               as TableName (its answers keyed by the ARN), the table's tags, the errors the
               SDK decodes, and a DynamoDB Streams read of every write
  lambda.js    a function behind an HTTP server the script runs, Invoke (RequestResponse,
               function error, Event, missing function), an event source mapping whose
               function receives the DocumentClient's writes as stream events
  dynamodb_validation.js  AWS's validation answers (constraints, request checks before the
               table, key size limits) as the SDK decodes them
  dynamodb_capacity.js  ConsumedCapacity exact to the unit: item writes and reads, an index
               key change, a query on an index, a transaction, batches per table
  dynamodb_indexes.js  a GSI with a multi-attribute key (two partition, two sort attributes):
               DescribeTable, sparse and typed writes, queries on a prefix of the sort
               attributes, pages, AWS's answers to a bad key condition or key schema
  sqs.js       queues, messages with attributes and their MD5s, empty receives,
               QueueDoesNotExist
  dynamodb_table_status.js  (a server with --table-status-delay-ms) CREATING, UPDATING and
               DELETING waited out by the SDK's waiters; ResourceNotFoundException and
               ResourceInUseException meanwhile

Missing node or node_modules is a failure, not a skip: the install script guarantees them."""
import json
import os
import shutil
import subprocess
import unittest

from harness import BINARY, ServerTestCase, StreamStack

JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
NODE_MODULES = os.environ.get(
    "STREAMSTACK_NODE_MODULES",
    os.path.join(os.path.dirname(os.path.abspath(BINARY)), "npm", "node_modules"))
SDK_PACKAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docker",
                           "npm", "package.json")
INSTALL_STEP = (
    "./test.sh installs Debian's nodejs and npm (docker/install-deps.sh) and then the SDK "
    "pinned by docker/npm/package-lock.json into <build>/npm (docker/install-deps.sh npm "
    "build/npm, which runs `npm ci` there)")
MIN_NODE = 18  # Debian bookworm's nodejs; the pinned SDK (3.967.0) supports it


NODE = shutil.which("node")


def missing_prerequisites():
    """Why the JS SDK tests cannot run here (a message naming the install step), or None."""
    node = NODE
    if node is None:
        return f"`node` is not on PATH: {INSTALL_STEP}"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    try:
        major = int(version.lstrip("v").split(".")[0])
    except ValueError:
        return f"`{node} --version` answered {version!r}: {INSTALL_STEP}"
    if major < MIN_NODE:
        return f"{node} is {version}, the SDK needs Node {MIN_NODE} or later: {INSTALL_STEP}"
    with open(SDK_PACKAGE) as f:
        wanted = json.load(f)["dependencies"]
    for package, version in sorted(wanted.items()):
        manifest = os.path.join(NODE_MODULES, package, "package.json")
        if not os.path.exists(manifest):
            return (f"{package} is not installed in {NODE_MODULES} "
                    f"(STREAMSTACK_NODE_MODULES): {INSTALL_STEP}")
        with open(manifest) as f:
            installed = json.load(f)["version"]
        if installed != version:
            return (f"{NODE_MODULES} holds {package} {installed}, docker/npm/package.json pins "
                    f"{version}; rerun the install: {INSTALL_STEP}")
    return None


class JsSdkCase(ServerTestCase):
    """Runs the scripts; each subclass is one server (its server_args) and its tests."""

    @classmethod
    def setUpClass(cls):
        cls.missing = missing_prerequisites()
        super().setUpClass()

    def run_script(self, script, expected_steps, timeout=60):
        """Runs tests/e2e/js/<script> against the server; fails with the failing step, the
        script's stderr and the server's log unless every expected step reported ok."""
        if self.missing:
            self.fail(self.missing)
        # Nothing from the caller's AWS setup (profiles, AWS_ENDPOINT_URL, config files)
        # may reach the SDK: the scripts configure their clients completely.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "STREAMSTACK_", "NODE_"))}
        env.update({
            "NODE_PATH": NODE_MODULES,
            "STREAMSTACK_ENDPOINT": self.server.endpoint,
            "STREAMSTACK_JS_PREFIX": f"js-{os.path.splitext(script)[0]}",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        })
        try:
            proc = subprocess.run([NODE, os.path.join(JS_DIR, script)], capture_output=True,
                                  text=True, env=env, cwd=JS_DIR, timeout=timeout)
        except subprocess.TimeoutExpired as err:
            self.fail(f"node {script} ran over {timeout} s\nstdout:\n{err.stdout}\n"
                      f"stderr:\n{err.stderr}\nserver log:\n{self.server.log()[-4000:]}")
        lines = []
        for line in proc.stdout.splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                lines.append({"text": line})
        passed = [line["step"] for line in lines if line.get("ok") is True]
        failed = [line for line in lines if line.get("ok") is False]
        done = [line for line in lines if line.get("done")]
        context = (f"\nnode {script} exited {proc.returncode}\nstdout:\n{proc.stdout}\n"
                   f"stderr:\n{proc.stderr[-6000:]}\nserver log:\n{self.server.log()[-4000:]}")
        if failed:
            self.fail(f"step {failed[0]['step']!r} failed: {failed[0]['error']}{context}")
        self.assertEqual(proc.returncode, 0, context)
        self.assertTrue(done, "the script did not finish" + context)
        self.assertEqual(passed, expected_steps, context)
        self.assertEqual(done[0]["steps"], expected_steps, context)
        return lines



class JsSdkTest(JsSdkCase):
    server_args = ("--poll-interval-ms", "0")

    def test_dynamodb_document_client_and_stream_read(self):
        self.run_script("dynamodb.js", [
            "CreateTable with a NEW_AND_OLD_IMAGES stream",
            "waitUntilTableExists, DescribeTable",
            "ListTables, paginated with Limit 1",
            "DocumentClient put + get with native values",
            "get with a ProjectionExpression and a missing item",
            "an exact 38-digit number through NumberValue",
            "put with a failing condition: ConditionalCheckFailedException with the old item",
            "update with SET/ADD/REMOVE/DELETE, a condition and ALL_NEW",
            "update with UPDATED_OLD and a failing condition",
            "batchWrite puts and deletes, batchGet",
            "the table's ARN as TableName: DescribeTable, put, get, batchGet, delete",
            "tags: TagResource, ListTagsOfResource, UntagResource",
            "resource policy: AWS's kept form, invalid actions, Block Public Access",
            "query: key range backwards, filter + projection, pages",
            "delete with ALL_OLD, scan with Select COUNT",
            "errors: ResourceNotFoundException, ValidationException, ResourceInUseException",
            "streams: ListStreams, DescribeStream",
            "streams: GetShardIterator TRIM_HORIZON, GetRecords sees every write",
            "streams: the images carry the DocumentClient's values in wire form",
            "streams: AFTER_SEQUENCE_NUMBER and AT_SEQUENCE_NUMBER iterators",
        ])
        # What the SDK wrote is what another client reads: boto3 sees the same table.
        ddb = self.server.client("dynamodb")
        self.addCleanup(getattr(ddb, "close", lambda: None))
        item = ddb.get_item(TableName="js-dynamodb-items",
                            Key={"pk": {"S": "exact#1"}, "sk": {"N": "0"}})["Item"]
        self.assertEqual(item["big"], {"N": "12345678901234567890123456789012345678"})

    def test_lambda_function_behind_http_and_event_source_mapping(self):
        self.run_script("lambda.js", [
            "start the function's http server on 127.0.0.1",
            "CreateFunction behind HTTP, waitUntilFunctionActiveV2, GetFunction",
            "Invoke RequestResponse: the event in, the result out as a Uint8Array",
            "Invoke: a function error is a 200 with FunctionError",
            "Invoke Event: 202, then the function receives it",
            "Invoke a missing function: ResourceNotFoundException 404",
            "a table with a stream and a first write before the mapping",
            "CreateEventSourceMapping TRIM_HORIZON, BatchSize 2",
            "writes through the DocumentClient reach the function as stream events",
            "GetEventSourceMapping, ListEventSourceMappings, DeleteEventSourceMapping",
            "DeleteFunction",
        ])

    def test_dynamodb_validation_answers(self):
        self.run_script("dynamodb_validation.js", [
            "a table to write to",
            "constraints: one clause, and several together",
            "request checks before the table and the key",
            "a partition key over 2048 bytes",
            "an update against index keys: their declared type, no path inside",
            "a GSI's WarmThroughput starts at least at on-demand's initial throughput",
            "capacity above the per-table maximum: LimitExceededException",
            "OnDemandThroughput: merged member by member, -1 clears, 0 refused",
            "a transaction's Put without an expression takes and ignores its name map",
            "ReturnValues PutItem does not take; an expression over 4 KB",
            "a transaction's key over its size cancels it with a ValidationError reason",
            "the 2026 validation layer: one fault ahead of the report, by operation",
            "value layers: a bad number and a repeated set member, by operation",
            "nesting: 32 levels stored, each surface's words past them",
            "DescribeLimits, DescribeEndpoints, a PartiQL statement's words",
            "an operation out of scope is named in UnknownOperationException",
        ])

    def test_dynamodb_consumed_capacity(self):
        self.run_script("dynamodb_capacity.js", [
            "tables: a plain one and one with a global secondary index",
            "PutItem: 1 KB is 1 unit, a byte more 2, TOTAL without a read/write split",
            "GetItem: 4 KB units, eventually consistent half, a missing item charged",
            "an index key change under INDEXES: the table, and a delete plus a put in the index",
            "TransactWriteItems: doubled per item, with WriteCapacityUnits",
            "BatchWriteItem and BatchGetItem: one entry per table, each item charged",
        ])

    def test_dynamodb_multi_attribute_index_keys(self):
        self.run_script("dynamodb_indexes.js", [
            "CreateTable with a GSI of two partition and two sort attributes",
            "DocumentClient writes: sparse, and each key attribute typed",
            "Query: every partition attribute, a prefix of the sort attributes, a range on the last",
            "Query pages backwards: LastEvaluatedKey has every key attribute",
            "errors: a skipped sort attribute, a missing partition attribute, key schema limits",
        ])

    def test_sqs_messages_and_errors(self):
        self.run_script("sqs.js", [
            "CreateQueue, GetQueueUrl, ListQueues, GetQueueAttributes",
            "SendMessage with String, Number and Binary attributes",
            "ReceiveMessage with every attribute, then the message is in flight",
            "SendMessageBatch, receive a selection of attributes, DeleteMessageBatch",
            "ReceiveMessage on an empty queue, short and 1 s long poll",
            "QueueDoesNotExist for a missing and a deleted queue",
        ])


class JsSdkTableStatusTest(JsSdkCase):
    """On the test clock: the script moves it past DeletionProtectionEnabled's 15 s."""

    @classmethod
    def setUpClass(cls):
        cls.missing = missing_prerequisites()
        cls.server = StreamStack("--table-status-delay-ms", "1500", in_memory=True,
                                 env={"STREAMSTACK_TEST_CLOCK": "1"}).start()

    def test_waiters_wait_out_creating_updating_and_deleting(self):
        self.run_script("dynamodb_table_status.js", [
            "CreateTable: CREATING, items not found, a change in use",
            "waitUntilTableExists waits for ACTIVE",
            "UpdateTable: UPDATING, items served, another change in use",
            "UpdateTable while a new index is allocated: the stream and DeleteTable refused",
            "DeleteTable: DELETING and listed, then waitUntilTableNotExists",
            "a restore's target while it is restored: TableInUse, BackupInUse, TableNotFound",
            "a table being deleted: its policy still answered, a change ResourceInUse",
        ])


if __name__ == "__main__":
    unittest.main()
