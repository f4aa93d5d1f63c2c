"""Functions that run their own zip code (issue 11): no STREAMSTACK_INVOKE_URL, so StreamStack
starts `node`, `python3` or the zip's `bootstrap` as sandbox processes speaking the Lambda
Runtime API. The function sources live in functions/ and are zipped at run time.

Covered here: AWS's DynamoDB-streams tutorial verbatim through the aws CLI (and its Python
twin), a shell+curl custom runtime, every handler style, init errors, thrown errors, timeouts,
runtime exits, concurrency, code and configuration updates, the environment, the AWS SDKs
inside functions, stream mappings delivering to local code, and runtimes this machine lacks.
test_lambda_runtime_sandboxes.py covers throttling, idle sandboxes and stopping StreamStack.
"""
import base64
import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest
import zipfile
from datetime import datetime, timedelta, timezone

import boto3
import botocore.exceptions
from botocore.config import Config

import harness
from harness import ServerTestCase, StreamStack, wait_until

FUNCTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "functions")
ROLE = "arn:aws:iam::000000000000:role/lambda-role"
REQUEST_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# -- helpers shared with test_lambda_runtime_sandboxes.py ------------------------------------

def zip_dir(name, mode_overrides=None):
    """The zip of functions/<name>, as `zip -r` makes it: paths relative to the folder, each
    file's Unix mode kept (a custom runtime's bootstrap is 0755 whatever the checkout says)."""
    root = os.path.join(FUNCTIONS, name)
    overrides = {"bootstrap": 0o755}
    overrides.update(mode_overrides or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(".pyc"):
                    continue
                path = os.path.join(folder, f)
                arcname = os.path.relpath(path, root).replace(os.sep, "/")
                mode = overrides.get(arcname, os.stat(path).st_mode & 0o777)
                info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as src:
                    z.writestr(info, src.read())
    return buf.getvalue()


class DebugStreamStack(StreamStack):
    """StreamStack at --log-level debug, where sandboxes starting and stopping are logged."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, log_level="debug", **kwargs)


_PLATFORM_LINE = re.compile(r"^(START|END|REPORT) RequestId: (\S+)")
_NODE_PREFIX = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z\t\S+\t[A-Z]+\t(.*)$", re.S)


def printed(server, function, request_id=None):
    """What `function` printed (stdout and stderr), one entry per log event, in order, as
    CloudWatch Logs holds it (log group /aws/lambda/<function>, read with FilterLogEvents):
    the platform's START/END/REPORT lines are left out, and a Node.js console line
    `<time>\\t<request id>\\t<LEVEL>\\t<message>` keeps only its message. With `request_id`,
    only what was printed between that invocation's START and END."""
    logs = server.client("logs")
    try:
        pages = logs.get_paginator("filter_log_events").paginate(
            logGroupName="/aws/lambda/" + function)
        events = [e for page in pages for e in page["events"]]
    except logs.exceptions.ResourceNotFoundException:
        return []
    current = {}  # log stream -> the request id between its START and END
    out = []
    for e in events:
        text = e["message"][:-1] if e["message"].endswith("\n") else e["message"]
        platform = _PLATFORM_LINE.match(text)
        if platform:
            current[e["logStreamName"]] = platform.group(2) if platform.group(1) == "START" else None
            continue
        if request_id is not None and current.get(e["logStreamName"]) != request_id:
            continue
        node = _NODE_PREFIX.match(text)
        out.append(node.group(1) if node else text)
    return out


def wait_printed(server, function, check, request_id=None, timeout=5.0):
    """Waits until what `function` printed satisfies `check` (a line it must contain, or a
    predicate over the lines): output reaches the log asynchronously, possibly after Invoke
    answered, as on AWS. Returns the lines."""
    test = (lambda lines: check in lines) if isinstance(check, str) else check
    wait_until(lambda: test(printed(server, function, request_id)), timeout=timeout)
    return printed(server, function, request_id)


def pid_alive(pid):
    """True while `pid` is a live process (a zombie waiting for its reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def lambda_client(server):
    """A Lambda client that never retries: in botocore's retry config `max_attempts` (what
    server.client() sets to 1) counts retries, so a throttled Invoke would be sent twice;
    `total_max_attempts` 1 is the one request. Pooled for 20 concurrent invokes."""
    return boto3.client("lambda", endpoint_url=server.endpoint, region_name=harness.REGION,
                        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                      max_pool_connections=32),
                        **harness.CREDENTIALS)


def wait_active(lam, name, timeout=10):
    """Waits, as AWS's function_active/function_updated waiters do, until the function is
    Active and its last update Successful; returns the configuration."""
    def ready():
        c = lam.get_function_configuration(FunctionName=name)
        return c if c.get("State", "Active") == "Active" and \
            c.get("LastUpdateStatus", "Successful") == "Successful" else None
    config = wait_until(ready, timeout=timeout, interval=0.02)
    assert config, f"{name} did not become Active/Successful"
    return config


class RuntimeCase(ServerTestCase):
    """One debug-level server per class; helpers to create and invoke functions."""

    server_args = ("--poll-interval-ms", "0")
    in_memory = True
    server_env = {}

    @classmethod
    def setUpClass(cls):
        cls.server = DebugStreamStack(*cls.server_args, in_memory=cls.in_memory,
                                      env=dict(cls.server_env)).start()
        cls.lam = lambda_client(cls.server)
        cls.ddb = cls.server.client("dynamodb")

    def create(self, name, runtime, code, handler, timeout=5, env=None, memory=None,
               zip_bytes=None, **kwargs):
        args = dict(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                    Code={"ZipFile": zip_bytes if zip_bytes is not None else zip_dir(code)},
                    Timeout=timeout, Environment={"Variables": env or {}}, **kwargs)
        if memory:
            args["MemorySize"] = memory
        self.lam.create_function(**args)
        wait_active(self.lam, name)

    def map_new_table(self, function, table):
        """The tutorial's table (key `id`, a NEW_AND_OLD_IMAGES stream) mapped to `function`
        (BatchSize 100, LATEST); returns the stream ARN once the mapping is Enabled."""
        stream_arn = harness.create_table(
            self.ddb, table, hash_key=("id", "S"), StreamSpecification={
                "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})[
                    "TableDescription"]["LatestStreamArn"]
        uuid = self.lam.create_event_source_mapping(
            FunctionName=function, EventSourceArn=stream_arn, BatchSize=100,
            StartingPosition="LATEST")["UUID"]
        assert wait_until(lambda: self.lam.get_event_source_mapping(
            UUID=uuid)["State"] == "Enabled", timeout=10), "the mapping never became Enabled"
        return stream_arn

    def invoke(self, name, payload=None, **kwargs):
        """Invoke (RequestResponse); returns (response, parsed payload or raw bytes)."""
        resp = self.lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}), **kwargs)
        body = resp["Payload"].read()
        try:
            return resp, json.loads(body)
        except ValueError:
            return resp, body

    def assertSucceeded(self, resp, body=None):
        self.assertEqual(resp["StatusCode"], 200)
        self.assertNotIn("FunctionError", resp, f"function error: {body}")

    def assertFunctionError(self, resp):
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp.get("FunctionError"), "Unhandled")


# -- the tests ---------------------------------------------------------------------------------

class LambdaRuntimeTest(RuntimeCase):
    server_args = (
        "--poll-interval-ms", "0", "--function-concurrency", "20",
        # java21 runs the shell custom runtime through /bin/sh (test_runtime_command_mapping).
        "--runtime-command", 'java21=exec /bin/sh "$LAMBDA_TASK_ROOT/bootstrap"')
    # Something only StreamStack's own environment has: a sandbox must not see it.
    server_env = {"SS_HOST_ONLY_MARKER": "leaked"}

    # 1. AWS's tutorial "Using AWS Lambda with Amazon DynamoDB Streams", verbatim, via the CLI.
    def test_tutorial_nodejs_through_the_aws_cli(self):
        aws = self.server.aws
        # The tutorial's names: it creates "ProcessDynamoDBRecord" but invokes and maps
        # "ProcessDynamoDBStream"; one function needs one name, so the latter is used throughout.
        name = "ProcessDynamoDBStream"
        with tempfile.TemporaryDirectory() as d:
            for f in ("index.js", "input.txt"):
                shutil.copy(os.path.join(FUNCTIONS, "tutorial", f), d)
            # $ zip function.zip index.js
            if shutil.which("zip"):
                subprocess.run(["zip", "function.zip", "index.js"], cwd=d, check=True,
                               capture_output=True)
            else:
                with zipfile.ZipFile(os.path.join(d, "function.zip"), "w") as z:
                    z.write(os.path.join(d, "index.js"), "index.js")
            # The tutorial says --runtime nodejs8.10, which AWS retired long ago (CreateFunction
            # refuses it there); nodejs20.x is the same code on a runtime AWS still offers.
            _, created, _ = aws("lambda", "create-function", "--function-name", name,
                                "--zip-file", "fileb://" + os.path.join(d, "function.zip"),
                                "--handler", "index.handler", "--runtime", "nodejs20.x",
                                "--role", "arn:aws:iam::000000000000:role/lambda-dynamodb-role")
            self.assertEqual(created["Runtime"], "nodejs20.x")
            wait_active(self.lam, name)
            # $ aws lambda invoke ... --payload file://input.txt outputfile.txt
            out = os.path.join(d, "outputfile.txt")
            _, meta, _ = aws("lambda", "invoke", "--function-name", name,
                             "--invocation-type", "RequestResponse",
                             "--payload", "file://" + os.path.join(d, "input.txt"), out)
            self.assertEqual(meta["StatusCode"], 200)
            self.assertNotIn("FunctionError", meta)
            with open(out) as f:
                self.assertEqual(json.load(f), "message")
        # What it logged: 'Loading function' at init, then each sample record's id and name.
        lines = wait_printed(self.server, name, lambda lines: "3" in lines and
                             lines.index("3") + 2 < len(lines))
        self.assertIn("Loading function", lines)
        for event_id, event_name in (("1", "INSERT"), ("2", "MODIFY"), ("3", "REMOVE")):
            i = lines.index(event_id)
            self.assertEqual(lines[i + 1], event_name)
            self.assertTrue(lines[i + 2].startswith("DynamoDB Record: {"), lines[i + 2])

        # The table with a stream (the tutorial's console steps, as CLI commands).
        _, table, _ = aws("dynamodb", "create-table", "--table-name", "lambda-dynamodb-stream",
                          "--attribute-definitions", "AttributeName=id,AttributeType=S",
                          "--key-schema", "AttributeName=id,KeyType=HASH",
                          "--billing-mode", "PAY_PER_REQUEST", "--stream-specification",
                          "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES")
        stream_arn = table["TableDescription"]["LatestStreamArn"]
        _, mapping, _ = aws("lambda", "create-event-source-mapping", "--function-name", name,
                            "--event-source", stream_arn, "--batch-size", "100",
                            "--starting-position", "LATEST")
        self.assertTrue(wait_until(lambda: self.lam.get_event_source_mapping(
            UUID=mapping["UUID"])["State"] == "Enabled", timeout=10))
        # "add, update, delete items to the table"
        aws("dynamodb", "put-item", "--table-name", "lambda-dynamodb-stream",
            "--item", '{"id": {"S": "101"}, "Message": {"S": "New item!"}}')
        aws("dynamodb", "update-item", "--table-name", "lambda-dynamodb-stream",
            "--key", '{"id": {"S": "101"}}', "--update-expression", "SET Message = :m",
            "--expression-attribute-values", '{":m": {"S": "This item has changed"}}')
        aws("dynamodb", "delete-item", "--table-name", "lambda-dynamodb-stream",
            "--key", '{"id": {"S": "101"}}')
        records = self.stream_records(stream_arn)
        self.assertEqual([r["eventName"] for r in records], ["INSERT", "MODIFY", "REMOVE"])

        def saw_every_record():
            lines = printed(self.server, name)
            return all(r["eventID"] in lines and
                       lines[lines.index(r["eventID"]) + 1] == r["eventName"] for r in records)
        self.assertTrue(wait_until(saw_every_record, timeout=10),
                        "the function did not print every record:\n" +
                        "\n".join(printed(self.server, name)))
        # $ aws lambda list-event-source-mappings --function-name ... --event-source ...
        def last_result():
            _, listed, _ = aws("lambda", "list-event-source-mappings", "--function-name", name,
                               "--event-source", stream_arn)
            return listed["EventSourceMappings"][0]["LastProcessingResult"] == "OK"
        self.assertTrue(wait_until(last_result, timeout=10, interval=0.2))

    def stream_records(self, stream_arn):
        streams = self.server.client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        out = []
        for shard in shards:
            it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            out += streams.get_records(ShardIterator=it)["Records"]
        return out

    # 2. The same with a Python function (boto3 this time).
    def test_tutorial_python(self):
        name = "ProcessDynamoDBStreamPython"
        self.create(name, "python3.12", "python_records", "lambda_function.lambda_handler")
        with open(os.path.join(FUNCTIONS, "tutorial", "input.txt"), "rb") as f:
            resp = self.lam.invoke(FunctionName=name, Payload=f.read())
        body = json.loads(resp["Payload"].read())
        self.assertSucceeded(resp, body)
        self.assertEqual(body, "Successfully processed 3 records.")
        lines = wait_printed(self.server, name, lambda lines: "3" in lines and
                             lines.index("3") + 2 < len(lines))
        self.assertEqual(lines[lines.index("1"):lines.index("1") + 3], ["1", "INSERT",
                         'DynamoDB Record: {"Keys": {"Id": {"N": "101"}}, "NewImage": '
                         '{"Message": {"S": "New item!"}, "Id": {"N": "101"}}, "SequenceNumber": '
                         '"111", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"}'])

        table = "python-tutorial-stream"
        stream_arn = self.map_new_table(name, table)
        self.ddb.put_item(TableName=table, Item={"id": {"S": "1"}, "m": {"S": "a"}})
        self.ddb.update_item(TableName=table, Key={"id": {"S": "1"}},
                             UpdateExpression="SET m = :m",
                             ExpressionAttributeValues={":m": {"S": "b"}})
        self.ddb.delete_item(TableName=table, Key={"id": {"S": "1"}})
        records = self.stream_records(stream_arn)
        self.assertEqual(len(records), 3)

        def saw_every_record():
            lines = printed(self.server, name)
            return all(r["eventID"] in lines and
                       lines[lines.index(r["eventID"]) + 1] == r["eventName"] for r in records)
        self.assertTrue(wait_until(saw_every_record, timeout=10),
                        "\n".join(printed(self.server, name)))

    # 3. A custom runtime: a shell `bootstrap` speaking the Runtime API with curl.
    def test_custom_runtime_bootstrap_with_curl(self):
        self.assertTrue(shutil.which("curl"),
                        "curl is missing (docker/install-deps.sh installs it)")
        for runtime in ("provided.al2023", "provided.al2", "provided"):
            with self.subTest(runtime=runtime):
                name = "curl-" + runtime.replace(".", "-")
                self.create(name, runtime, "bootstrap_curl", "function.handler")
                resp, body = self.invoke(name, {"hello": runtime})
                self.assertSucceeded(resp, body)
                self.assertEqual(body["echo"], {"hello": runtime})
                self.assertEqual(body["handler"], "function.handler")
                self.assertEqual(body["requestId"], resp["ResponseMetadata"]["RequestId"])
                self.assertIn(f"handling {body['requestId']}",
                              wait_printed(self.server, name, f"handling {body['requestId']}"))
                # Warm: the same process serves the next one.
                resp, again = self.invoke(name, {"n": 2})
                self.assertEqual(again["pid"], body["pid"])
                # An error posted to /invocation/{id}/error comes back as the function error.
                resp, err = self.invoke(name, {"fail": True})
                self.assertFunctionError(resp)
                self.assertEqual(err, {"errorMessage": "asked to fail",
                                       "errorType": "Custom.Failure"})

    def test_bootstrap_that_is_not_executable(self):
        # AWS: {"errorType": "Runtime.InvalidEntrypoint", "errorMessage": "RequestId: <id>
        # Error: fork/exec /var/task/bootstrap: permission denied"}, FunctionError Unhandled.
        self.create("curl-not-executable", "provided.al2023", "bootstrap_curl", "x.y",
                    zip_bytes=zip_dir("bootstrap_curl", {"bootstrap": 0o644}))
        resp, body = self.invoke("curl-not-executable")
        self.assertFunctionError(resp)
        self.assertEqual(body["errorType"], "Runtime.InvalidEntrypoint")
        self.assertRegex(body["errorMessage"],
                         r"^RequestId: [0-9a-f-]{36} Error: fork/exec .*/bootstrap: "
                         r"permission denied$")

    # 4. Handler styles.
    HANDLER_STYLES = [
        # runtime, code folder, handler, expected result (the event is {"in": 1})
        ("nodejs20.x", "node", "index.asyncHandler", {"style": "async", "event": {"in": 1}}),
        ("nodejs20.x", "node", "index.promiseHandler", {"style": "promise", "event": {"in": 1}}),
        ("nodejs20.x", "node", "index.callbackHandler", {"style": "callback", "event": {"in": 1}}),
        ("nodejs20.x", "node", "index.succeedHandler", {"style": "succeed", "event": {"in": 1}}),
        ("nodejs20.x", "node", "index.doneHandler", {"style": "done", "event": {"in": 1}}),
        ("nodejs20.x", "node", "index.syncNoResult", None),
        ("nodejs20.x", "node", "esm.handler", {"style": "mjs", "event": {"in": 1},
                                               "loadedAt": "init"}),
        ("nodejs20.x", "node_module", "index.handler",
         {"style": "package.json type module", "event": {"in": 1}, "platform": "linux"}),
        ("nodejs20.x", "node", "dir/file.fn", {"style": "dir/file.fn", "event": {"in": 1}}),
        ("nodejs18.x", "node", "index.callbackHandler", {"style": "callback", "event": {"in": 1}}),
        ("nodejs22.x", "node", "esm.handler", {"style": "mjs", "event": {"in": 1},
                                               "loadedAt": "init"}),
        ("python3.12", "python", "app.handler", {"style": "file.fn", "event": {"in": 1}}),
        ("python3.12", "python", "dir/file.fn", {"style": "dir/file.fn", "event": {"in": 1}}),
        ("python3.9", "python", "app.handler", {"style": "file.fn", "event": {"in": 1}}),
        ("python3.13", "python", "dir/file.fn", {"style": "dir/file.fn", "event": {"in": 1}}),
    ]

    def test_handler_styles(self):
        for i, (runtime, code, handler, expected) in enumerate(self.HANDLER_STYLES):
            with self.subTest(runtime=runtime, handler=handler):
                name = f"style-{i}"
                self.create(name, runtime, code, handler)
                resp, body = self.invoke(name, {"in": 1})
                self.assertSucceeded(resp, body)
                if isinstance(body, dict) and "requestId" in body:
                    # What the test cannot know in advance (pid, request id) is checked apart.
                    self.assertEqual(body.pop("requestId"), resp["ResponseMetadata"]["RequestId"])
                    self.assertIsInstance(body.pop("pid"), int)
                self.assertEqual(body, expected)

    def test_node_callback_and_context_errors(self):
        # AWS's Node.js error document: errorType (the error's name), errorMessage, trace.
        for handler, message in (("index.callbackError", "callback failed"),
                                 ("index.failHandler", "context failed"),
                                 ("index.doneError", "done failed")):
            with self.subTest(handler=handler):
                name = "node-" + handler.split(".")[1]
                self.create(name, "nodejs20.x", "node", handler)
                resp, body = self.invoke(name)
                self.assertFunctionError(resp)
                self.assertEqual(body["errorType"], "Error")
                self.assertEqual(body["errorMessage"], message)
                self.assertEqual(body["trace"][0], "Error: " + message)

    def test_callback_waits_for_empty_event_loop(self):
        # AWS: callback(null, r) answers once the event loop is empty (a 600 ms timer here)
        # unless context.callbackWaitsForEmptyEventLoop = false.
        self.create("node-waits", "nodejs20.x", "node", "index.waitsForEventLoop")
        self.create("node-nowait", "nodejs20.x", "node", "index.noWait")
        self.invoke("node-waits", {"ms": 0})
        self.invoke("node-nowait", {"ms": 0})  # both warm now
        started = time.monotonic()
        resp, body = self.invoke("node-waits", {"ms": 600})
        self.assertEqual(body, "waited")
        self.assertGreaterEqual(time.monotonic() - started, 0.55)
        started = time.monotonic()
        resp, body = self.invoke("node-nowait", {"ms": 5000})
        self.assertEqual(body, "did not wait")
        self.assertLess(time.monotonic() - started, 0.5)

    # 5. Init errors, thrown errors, timeouts, exits.
    INIT_ERRORS = [
        # runtime, code folder, handler, errorType, errorMessage (regex)
        ("nodejs20.x", "node", "missing.handler", "Runtime.ImportModuleError",
         r"^Error: Cannot find module 'missing'"),
        ("nodejs20.x", "node", "index.missing", "Runtime.HandlerNotFound",
         r"^index\.missing is undefined or not exported$"),
        ("nodejs20.x", "node_syntax", "index.handler", "Runtime.UserCodeSyntaxError",
         r"^SyntaxError: Unexpected token"),
        ("nodejs20.x", "node", "index", "Runtime.MalformedHandlerName", r"^Bad handler$"),
        ("python3.12", "python", "missing.handler", "Runtime.ImportModuleError",
         r"^Unable to import module 'missing': No module named 'missing'$"),
        ("python3.12", "python", "app.missing", "Runtime.HandlerNotFound",
         r"^Handler 'missing' missing on module 'app'$"),
        ("python3.12", "python_syntax", "app.handler", "Runtime.UserCodeSyntaxError",
         r"^Syntax error in module 'app': (invalid syntax|expected ':') \(app\.py, line 2\)$"),
        ("python3.12", "python", "app", "Runtime.MalformedHandlerName",
         r"^Bad handler 'app': not enough values to unpack \(expected 2, got 1\)$"),
    ]

    def test_init_errors(self):
        for i, (runtime, code, handler, error_type, message) in enumerate(self.INIT_ERRORS):
            with self.subTest(runtime=runtime, handler=handler, error_type=error_type):
                name = f"init-error-{i}"
                self.create(name, runtime, code, handler)
                # AWS re-runs Init for the next invocation, which fails the same way.
                for attempt in range(2):
                    started = time.monotonic()
                    resp, body = self.invoke(name, {"attempt": attempt})
                    self.assertLess(time.monotonic() - started, 4)
                    self.assertFunctionError(resp)
                    self.assertEqual(body["errorType"], error_type)
                    self.assertRegex(body["errorMessage"], message)
                    if runtime.startswith("python"):
                        # AWS's Python init error document has requestId "" and a stackTrace.
                        self.assertEqual(body["requestId"], "")
                        self.assertIsInstance(body["stackTrace"], list)
                    else:
                        self.assertIsInstance(body["trace"], list)

    def test_thrown_errors(self):
        self.create("node-throw", "nodejs20.x", "node", "index.throwError")
        resp, body = self.invoke("node-throw")
        self.assertFunctionError(resp)
        self.assertEqual(sorted(body), ["errorMessage", "errorType", "trace"])
        self.assertEqual(body["errorType"], "TypeError")
        self.assertEqual(body["errorMessage"], "bad thing")
        self.assertEqual(body["trace"][0], "TypeError: bad thing")
        self.assertTrue(any("index.js" in line for line in body["trace"]), body["trace"])

        self.create("python-throw", "python3.12", "python", "app.throw")
        resp, body = self.invoke("python-throw")
        self.assertFunctionError(resp)
        self.assertEqual(sorted(body), ["errorMessage", "errorType", "requestId", "stackTrace"])
        self.assertEqual(body["errorType"], "ValueError")
        self.assertEqual(body["errorMessage"], "bad thing")
        self.assertEqual(body["requestId"], resp["ResponseMetadata"]["RequestId"])
        self.assertEqual(len(body["stackTrace"]), 1, body["stackTrace"])
        self.assertRegex(body["stackTrace"][0],
                         r'^  File "[^"]*/app\.py", line \d+, in throw\n    raise ValueError')
        # AWS logs it as "[ERROR] ValueError: bad thing" with the traceback on the same line.
        def error_logged(lines):
            return any(line.startswith("[ERROR] ValueError: bad thing") for line in lines)
        lines = wait_printed(self.server, "python-throw", error_logged,
                             resp["ResponseMetadata"]["RequestId"])
        self.assertTrue(error_logged(lines), lines)
        # A handled error does not cost the sandbox: the next invocation is warm (AWS keeps
        # the execution environment).
        for name in ("node-throw", "python-throw"):
            self.assertFunctionError(self.invoke(name)[0])
            started = re.findall(r"runtime: " + name + r" sandbox \d+ started", self.server.log())
            self.assertEqual(len(started), 1, f"{name}: {started}")

    # runtime, code folder, handler, payload, errorType, errorMessage (regex); the sandbox
    # process exits after the first three (AWS's clients exit on them).
    ESCAPED_ERRORS = [
        ("nodejs20.x", "node", "index.uncaught", {}, "RangeError", r"^thrown in a timer$"),
        ("nodejs20.x", "node", "index.unhandledRejection", {}, "Runtime.UnhandledPromiseRejection",
         r"^Error: nobody catches this$"),
        ("python3.12", "python", "app.big", {"bytes": 7000000}, "Function.ResponseSizeTooLarge",
         r"^Response payload size exceeded maximum allowed payload size \(\d+ bytes\)\.$"),
        ("python3.12", "python", "app.unserializable", {}, "Runtime.MarshalError",
         r"^Unable to marshal response: Object of type set is not JSON serializable$"),
    ]

    def test_errors_outside_the_handler_result(self):
        for i, (runtime, code, handler, payload, error_type, message) in enumerate(
                self.ESCAPED_ERRORS):
            with self.subTest(handler=handler):
                name = f"escaped-{i}"
                self.create(name, runtime, code, handler)
                for attempt in range(2):  # the second one runs on a working sandbox again
                    started = time.monotonic()
                    resp, body = self.invoke(name, payload)
                    self.assertLess(time.monotonic() - started, 3)
                    self.assertFunctionError(resp)
                    self.assertEqual(body["errorType"], error_type, body)
                    self.assertRegex(body["errorMessage"], message)

    def test_custom_runtime_init_failures(self):
        # /init/error: AWS answers the invocation with the document the runtime posted.
        self.create("curl-init-error", "provided.al2023", "bootstrap_curl", "x.y",
                    env={"INIT_MODE": "error"})
        resp, body = self.invoke("curl-init-error")
        self.assertFunctionError(resp)
        self.assertEqual(body, {"errorMessage": "cannot start", "errorType": "Custom.InitFailed"})
        # A runtime that exits before asking for its first invocation.
        self.create("curl-init-exit", "provided.al2023", "bootstrap_curl", "x.y",
                    env={"INIT_MODE": "exit"})
        started = time.monotonic()
        resp, body = self.invoke("curl-init-exit")
        self.assertLess(time.monotonic() - started, 3)
        self.assertFunctionError(resp)
        request_id = resp["ResponseMetadata"]["RequestId"]
        self.assertEqual(body, {"errorType": "Runtime.ExitError", "errorMessage":
                                f"RequestId: {request_id} Error: Runtime exited with error: "
                                "exit status 2"})
        self.assertIn("exiting during init",
                      wait_printed(self.server, "curl-init-exit", "exiting during init"))

    def test_events_and_client_context_reach_the_handler(self):
        self.create("echo-python", "python3.12", "python", "app.echo")
        for event in ("a string", 42, [1, "two", None], {"unicode": "h\u00e9llo \u2603 \U0001f600"},
                      None):
            with self.subTest(event=event):
                resp = self.lam.invoke(FunctionName="echo-python", Payload=json.dumps(event))
                body = json.loads(resp["Payload"].read())
                self.assertSucceeded(resp, body)
                self.assertEqual(body, {"event": event, "custom": None})
        context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
        resp, body = self.invoke("echo-python", {"x": 1}, ClientContext=context)
        self.assertEqual(body, {"event": {"x": 1}, "custom": {"k": "v"}})

    def test_stdout_and_stderr_are_the_function_log(self):
        self.create("stderr-fn", "python3.12", "python", "app.stderr")
        resp, _ = self.invoke("stderr-fn")
        request_id = resp["ResponseMetadata"]["RequestId"]
        lines = wait_printed(self.server, "stderr-fn",
                             lambda lines: {"to stderr", "to stdout"} <= set(lines),
                             request_id=request_id)
        self.assertIn("to stderr", lines)
        self.assertIn("to stdout", lines)

    def test_event_invocation_runs_the_code(self):
        self.create("async-fn", "python3.12", "python", "app.sleep")
        resp = self.lam.invoke(FunctionName="async-fn", InvocationType="Event",
                               Payload=json.dumps({"say": "ran asynchronously"}))
        self.assertEqual(resp["StatusCode"], 202)
        self.assertTrue(wait_until(lambda: "ran asynchronously" in printed(self.server, "async-fn"),
                                   timeout=5))

    def test_timeout_then_fresh_sandbox(self):
        for runtime, code, handler in (("nodejs20.x", "node", "index.sleep"),
                                       ("python3.12", "python", "app.sleep")):
            with self.subTest(runtime=runtime):
                name = "timeout-" + runtime.split(".")[0]
                self.create(name, runtime, code, handler, timeout=1)
                _, first = self.invoke(name, {"ms": 0})
                started = time.monotonic()
                resp, body = self.invoke(name, {"ms": 5000, "say": "going to sleep"})
                elapsed = time.monotonic() - started
                self.assertGreaterEqual(elapsed, 0.95)
                self.assertLess(elapsed, 2.0)
                self.assertFunctionError(resp)
                request_id = resp["ResponseMetadata"]["RequestId"]
                self.assertEqual(body, {"errorMessage": body["errorMessage"]})
                self.assertRegex(body["errorMessage"],
                                 r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z " +
                                 re.escape(request_id) + r" Task timed out after 1\.00 seconds$")
                # The timed-out sandbox is gone; the next invocation gets a fresh one.
                self.assertTrue(wait_until(lambda: not pid_alive(first["pid"]), timeout=2))
                resp, after = self.invoke(name, {"ms": 0})
                self.assertSucceeded(resp, after)
                self.assertNotEqual(after["pid"], first["pid"])

    def test_timeout_kills_what_the_function_started(self):
        """AWS resets the whole execution environment at a timeout: processes the handler
        started (here `sleep 300`) end with it."""
        self.create("timeout-child", "python3.12", "python", "app.spawn_child", timeout=1)
        resp, _ = self.invoke("timeout-child", {"ms": 5000})
        self.assertFunctionError(resp)
        lines = wait_printed(self.server, "timeout-child",
                             lambda lines: any(line.startswith("CHILD ") for line in lines))
        child = int(next(line for line in lines if line.startswith("CHILD ")).split()[1])
        try:
            self.assertTrue(wait_until(lambda: not pid_alive(child), timeout=2),
                            f"the function's child {child} outlived its timed-out sandbox")
        finally:
            if pid_alive(child):
                os.kill(child, signal.SIGKILL)

    def test_runtime_exit_then_fresh_sandbox(self):
        cases = [
            ("nodejs20.x", "node", "index.exit", {"code": 3}, "exit status 3"),
            ("python3.12", "python", "app.exit", {"code": 4}, "exit status 4"),
            ("python3.12", "python", "app.exit", {"signal": True}, "signal: killed"),
        ]
        for i, (runtime, code, handler, payload, how) in enumerate(cases):
            with self.subTest(runtime=runtime, how=how):
                name = f"exit-{i}"
                self.create(name, runtime, code, handler)
                resp, body = self.invoke(name, payload)
                self.assertFunctionError(resp)
                request_id = resp["ResponseMetadata"]["RequestId"]
                self.assertEqual(body, {
                    "errorType": "Runtime.ExitError",
                    "errorMessage":
                        f"RequestId: {request_id} Error: Runtime exited with error: {how}"})
                # Then the function works again (its handler exits each time; a sandbox must
                # start again rather than the invoke hang or fail for another reason).
                resp, again = self.invoke(name, payload)
                self.assertFunctionError(resp)
                self.assertEqual(again["errorType"], "Runtime.ExitError")
        # And one that exits only when asked: the invocation after the exit succeeds.
        self.create("exit-then-ok", "python3.12", "python", "app.exit")
        resp, _ = self.invoke("exit-then-ok", {"code": 0})
        self.assertFunctionError(resp)
        self.lam.update_function_configuration(FunctionName="exit-then-ok", Handler="app.sleep")
        wait_active(self.lam, "exit-then-ok")
        resp, body = self.invoke("exit-then-ok", {"ms": 0})
        self.assertSucceeded(resp, body)

    # 6. Concurrency: 20 invocations at once run in 20 sandboxes, in parallel.
    def test_twenty_concurrent_invocations_run_in_parallel(self):
        self.create("parallel", "python3.12", "python", "app.sleep", timeout=10)
        # Cold starts of 20 interpreters on a loaded 2-core CI box spread over a second or
        # more, so the cold round's handlers sleep longer: what is measured is whether the
        # sandboxes run side by side, not how fast 20 interpreters start.
        for round_name, sleep_ms in (("cold", 1500), ("warm", 300)):
            results, errors = [], []
            barrier = threading.Barrier(20)

            def call():
                barrier.wait()
                try:
                    results.append(self.invoke("parallel", {"ms": sleep_ms}))
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(e)
            threads = [threading.Thread(target=call) for _ in range(20)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            wall = time.monotonic() - started
            with self.subTest(round=round_name):
                self.assertEqual(errors, [])
                self.assertEqual(len(results), 20)
                for resp, body in results:
                    self.assertSucceeded(resp, body)
                pids = {body["pid"] for _, body in results}
                self.assertEqual(len(pids), 20, "one sandbox per concurrent invocation")
                # How many handlers were inside their sleep at one moment (their own clocks):
                # serially that is 1.
                spans = [(body["start"], body["end"]) for _, body in results]
                overlap = max(sum(1 for s, e in spans if s <= moment < e) for moment, _ in spans)
                self.assertGreaterEqual(overlap, 15, f"{round_name}: at most {overlap} at once")
                # Serially they take 20 x the sleep (30 s cold, 6 s warm).
                self.assertLess(wall, (7.5 if round_name == "cold" else 2.5) * harness.TIME_SCALE,
                                f"{round_name} round took {wall:.2f} s")

    # 7. Updates change what runs.
    def test_update_function_code_and_configuration(self):
        self.create("updated", "nodejs20.x", "version_v1", "index.handler")
        _, v1 = self.invoke("updated")
        self.assertEqual(v1["version"], 1)
        # An invocation in flight during the update finishes on the code it started with.
        slow = {}
        t = threading.Thread(
            target=lambda: slow.update(body=self.invoke("updated", {"ms": 700})[1]))
        t.start()
        time.sleep(0.2)
        self.lam.update_function_code(FunctionName="updated", ZipFile=zip_dir("version_v2"))
        wait_active(self.lam, "updated")
        resp, v2 = self.invoke("updated")
        self.assertSucceeded(resp, v2)
        self.assertEqual(v2["version"], 2)
        t.join(5)
        self.assertEqual(slow["body"]["version"], 1)
        self.assertTrue(wait_until(lambda: not pid_alive(v1["pid"]), timeout=2),
                        "the sandbox of the old code is still running")
        self.assertIsNone(v2["greeting"])
        self.lam.update_function_configuration(FunctionName="updated",
                                               Environment={"Variables": {"GREETING": "hello"}})
        wait_active(self.lam, "updated")
        resp, configured = self.invoke("updated")
        self.assertEqual(configured, {"version": 2, "pid": configured["pid"], "greeting": "hello"})
        self.assertNotEqual(configured["pid"], v2["pid"])
        self.assertTrue(wait_until(lambda: not pid_alive(v2["pid"]), timeout=2))

    # 8. The environment.
    def test_environment(self):
        today = datetime.now(timezone.utc)
        for runtime, code, handler in (("nodejs20.x", "node", "index.env"),
                                       ("python3.12", "python", "app.env"),
                                       ("python3.11", "python", "app.env")):
            with self.subTest(runtime=runtime):
                name = "env-" + runtime.replace(".", "-")
                self.create(name, runtime, code, handler, timeout=7, memory=256,
                            env={"MY_VAR": "my value", "WITH_EQUALS": "a=b c"})
                resp, body = self.invoke(name)
                self.assertSucceeded(resp, body)
                env = body["env"]
                expected = {
                    "MY_VAR": "my value",
                    "WITH_EQUALS": "a=b c",
                    "AWS_LAMBDA_FUNCTION_NAME": name,
                    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
                    "AWS_REGION": "us-east-1",
                    "AWS_DEFAULT_REGION": "us-east-1",
                    "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
                    "_HANDLER": handler,
                    "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
                    "TZ": ":UTC",
                    "AWS_ENDPOINT_URL": self.server.endpoint,
                    "LAMBDA_TASK_ROOT": body["cwd"],
                }
                self.assertEqual({k: env.get(k) for k in expected}, expected)
                self.assertTrue(os.path.isabs(env["LAMBDA_TASK_ROOT"]))
                stream = env["AWS_LAMBDA_LOG_STREAM_NAME"]
                self.assertRegex(stream, r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
                self.assertIn(stream[:10], {today.strftime("%Y/%m/%d"),
                                            (today + timedelta(minutes=5)).strftime("%Y/%m/%d")})
                self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
                for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                    self.assertTrue(env.get(key), key)
                self.assertNotIn("SS_HOST_ONLY_MARKER", env, "StreamStack's environment leaked")
                # The context object.
                ctx = body["context"]
                self.assertEqual(ctx["functionName"], name)
                self.assertEqual(ctx["functionVersion"], "$LATEST")
                self.assertEqual(str(ctx["memoryLimitInMB"]), "256")
                self.assertEqual(ctx["invokedFunctionArn"],
                                 f"arn:aws:lambda:us-east-1:000000000000:function:{name}")
                self.assertEqual(ctx["awsRequestId"], resp["ResponseMetadata"]["RequestId"])
                self.assertRegex(ctx["awsRequestId"], REQUEST_ID)
                self.assertEqual(ctx["logGroupName"], f"/aws/lambda/{name}")
                self.assertEqual(ctx["logStreamName"], stream)
                self.assertGreater(ctx["remaining"], 5000)
                self.assertLessEqual(ctx["remaining"], 7000)

    def test_sdks_inside_functions_reach_streamstack(self):
        harness.create_table(self.ddb, "sdk-writes")
        self.create("sdk-python", "python3.12", "python", "app.put_item", timeout=15)
        self.create("sdk-node", "nodejs20.x", "node", "index.putItem", timeout=15)
        for name, pk, writer in (("sdk-python", "from-python", "python"),
                                 ("sdk-node", "from-node", "node")):
            with self.subTest(function=name):
                resp, body = self.invoke(name, {"table": "sdk-writes", "pk": pk})
                self.assertSucceeded(resp, body)
                item = self.ddb.get_item(TableName="sdk-writes", Key={"pk": {"S": pk}}).get("Item")
                self.assertEqual(item, {"pk": {"S": pk}, "writer": {"S": writer}})

    # 9. Stream mappings delivering to local code.
    def test_stream_mappings_to_node_and_python(self):
        table = "runtime-stream-source"
        stream_arn = harness.create_table(self.ddb, table, StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"][
                "LatestStreamArn"]
        # 4 keys x 3 versions, written before the mappings exist (TRIM_HORIZON reads them all,
        # so batches fill up to BatchSize).
        for version in range(3):
            for key in ("a", "b", "c", "d"):
                self.ddb.put_item(TableName=table,
                                  Item={"pk": {"S": key}, "v": {"N": str(version)}})
        self.create("stream-node", "nodejs20.x", "node", "index.records")
        self.create("stream-python", "python3.12", "python", "app.records")
        for name, batch_size in (("stream-node", 3), ("stream-python", 2)):
            self.lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn,
                                                 BatchSize=batch_size,
                                                 StartingPosition="TRIM_HORIZON")
        expected = self.stream_records(stream_arn)
        self.assertEqual(len(expected), 12)

        for name, batch_size in (("stream-node", 3), ("stream-python", 2)):
            with self.subTest(function=name):
                def batches():
                    return [json.loads(line[len("BATCH "):])
                            for line in printed(self.server, name) if line.startswith("BATCH ")]
                self.assertTrue(wait_until(lambda: sum(map(len, batches())) >= 12, timeout=10),
                                f"{name} got {batches()}")
                got = batches()
                records = [r for b in got for r in b]
                self.assertEqual([r["id"] for r in records], [r["eventID"] for r in expected])
                self.assertEqual([r["seq"] for r in records],
                                 [r["dynamodb"]["SequenceNumber"] for r in expected])
                self.assertTrue(all(1 <= len(b) <= batch_size for b in got), got)
                self.assertEqual(len(got[0]), batch_size, got)
                for key in ("a", "b", "c", "d"):
                    seqs = [int(r["seq"]) for r in records if r["key"] == key]
                    self.assertEqual(len(seqs), 3)
                    self.assertEqual(seqs, sorted(seqs))
                    self.assertEqual([r["name"] for r in records if r["key"] == key],
                                     ["INSERT", "MODIFY", "MODIFY"])

    # 11. Runtimes this machine does not run, and --runtime-command.
    def test_runtime_not_on_this_machine(self):
        self.create("ruby-fn", "ruby3.3", "python", "app.handler")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke(FunctionName="ruby-fn", Payload=b"{}")
        err = ctx.exception.response
        self.assertEqual(err["Error"]["Code"], "InvalidRuntimeException")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 502)
        message = err["Error"]["Message"]
        self.assertIn("ruby3.3", message)
        self.assertIn("--runtime-command ruby3.3=", message)
        self.assertIn("STREAMSTACK_INVOKE_URL", message)

    def test_runtime_command_mapping(self):
        # java21 -> /bin/sh "$LAMBDA_TASK_ROOT/bootstrap" (the class's --runtime-command).
        self.create("java-fn", "java21", "bootstrap_curl", "example.Handler::handleRequest")
        resp, body = self.invoke("java-fn", {"lang": "java"})
        self.assertSucceeded(resp, body)
        self.assertEqual(body["echo"], {"lang": "java"})
        self.assertEqual(body["handler"], "example.Handler::handleRequest")

    def test_log_type_tail(self):
        # AWS: LogType Tail returns the last 4 KB of the invocation's log, base64: what the
        # function printed between START and END/REPORT lines.
        self.create("tail-fn", "python3.12", "python", "app.sleep")
        resp, _ = self.invoke("tail-fn", {"say": "tail me"}, LogType="Tail")
        self.assertIn("LogResult", resp)
        log = base64.b64decode(resp["LogResult"]).decode()
        request_id = resp["ResponseMetadata"]["RequestId"]
        self.assertIn("tail me", log)
        self.assertIn(f"START RequestId: {request_id}", log)
        self.assertIn(f"END RequestId: {request_id}", log)
        self.assertIn(f"REPORT RequestId: {request_id}", log)


if __name__ == "__main__":
    unittest.main()
