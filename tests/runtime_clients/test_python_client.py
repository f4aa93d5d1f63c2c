"""Tests of StreamStack's Python runtime client (src/runtime/clients/python/runtime.py).

Each test runs the real client under the Python running the tests (sys.executable; another one
with STREAMSTACK_TEST_CLIENT_PYTHON=/path/to/python3) against an in-test Runtime API and checks
what it posts, with which headers, what it prints and how it exits, against what AWS's Python
runtime interface client does. Run: python3 tests/runtime_clients/test_python_client.py
"""

import json
import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runtime_api_fixture import PYTHON_CLIENT, ClientProcess, ClientTestMixin  # noqa: E402

CLIENT_PYTHON = os.environ.get("STREAMSTACK_TEST_CLIENT_PYTHON") or sys.executable

LOG_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"

UNHANDLED_EXCEPTION_WARNING_START = "LAMBDA_WARNING: Unhandled exception. The most likely cause"


class PythonClientTest(ClientTestMixin, unittest.TestCase):
    argv = [CLIENT_PYTHON, PYTHON_CLIENT]

    # -- results --------------------------------------------------------------------------------

    # (name, handler module source, expected body bytes, expected content type)
    RESULT_CASES = [
        ("dict", "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n",
         b'{"doubled": 4}', "application/json"),
        ("None -> null", "def handler(event, context):\n    pass\n", b"null", "application/json"),
        ("string", "def handler(event, context):\n    return 'text'\n", b'"text"',
         "application/json"),
        ("list with floats and NaN",
         "def handler(event, context):\n    return [1.5, float('nan'), True, None]\n",
         b"[1.5, NaN, true, null]", "application/json"),
        ("Decimal as a JSON number (boto3 DynamoDB items)",
         "from decimal import Decimal\n"
         "def handler(event, context):\n"
         "    return {'price': Decimal('19.990'), 'big': Decimal('12345678901234567890123'),"
         " 'nan': Decimal('NaN'), 'note': 'Decimal stays a string here'}\n",
         b'{"price": 19.990, "big": 12345678901234567890123, "nan": NaN,'
         b' "note": "Decimal stays a string here"}', "application/json"),
        ("non-ASCII is escaped before python3.12",
         "def handler(event, context):\n    return {'name': 'caf\\u00e9'}\n",
         b'{"name": "caf\\u00e9"}', "application/json"),
        ("bytes are sent as they are",
         "def handler(event, context):\n    return b'\\x89PNG raw'\n", b"\x89PNG raw",
         "application/unknown"),
    ]

    def test_results(self):
        for name, source, expected, content_type in self.RESULT_CASES:
            with self.subTest(name):
                posts, process = self.run_invocations({"app.py": source}, "app.handler",
                                                      [{"n": 2}])
                self.assertEqual(posts[0].kind, "response", self.describe(posts, process))
                self.assertEqual(posts[0].body, expected)
                self.assertEqual(posts[0].headers.get("Content-Type"), content_type)

    def test_non_ascii_as_is_from_python3_12(self):
        posts, _ = self.run_invocations(
            {"app.py": "def handler(event, context):\n    return {'name': 'caf\\u00e9'}\n"},
            "app.handler", [{}], env={"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"})
        self.assertEqual(posts[0].body, '{"name": "café"}'.encode("utf-8"))

    def test_event_types(self):
        source = "def handler(event, context):\n    return [type(event).__name__, event]\n"
        posts, _ = self.run_invocations(
            {"app.py": source}, "app.handler",
            [{"k": [1, 2]},
             {"__invoke__": {"event": None, "raw_body": b'"just a string"'}},
             {"__invoke__": {"event": None, "raw_body": b"42", "content_type": None}}])
        self.assertEqual([self.body(p) for p in posts],
                         [["dict", {"k": [1, 2]}], ["str", "just a string"], ["int", 42]])

    # -- errors ---------------------------------------------------------------------------------

    # (name, source, errorType, errorMessage, first stack frame pattern, or None: no frames)
    ERROR_CASES = [
        ("raises ValueError",
         "def handler(event, context):\n    raise ValueError('bad value')\n",
         "ValueError", "bad value", r'  File ".*/app\.py", line 2, in handler\n'
                                    r"    raise ValueError\('bad value'\)\n"),
        ("raises a custom exception from a helper",
         "class OrderError(Exception):\n    pass\n"
         "def check():\n    raise OrderError('no stock')\n"
         "def handler(event, context):\n    check()\n",
         "OrderError", "no stock", r'  File ".*/app\.py", line 6, in handler\n    check\(\)\n'),
        ("KeyError message is its repr",
         "def handler(event, context):\n    return event['missing']\n",
         "KeyError", "'missing'", r'  File ".*/app\.py", line 2, in handler\n'),
        # AWS drops its own leading frames only up to the first user frame; with none, the
        # runtime's frame stays.
        ("handler is not callable", "handler = 42\n",
         "TypeError", "'int' object is not callable", r'  File ".*runtime\.py", line \d+, in '),
        ("result JSON cannot represent",
         "def handler(event, context):\n    return {1, 2}\n",
         "Runtime.MarshalError",
         "Unable to marshal response: Object of type set is not JSON serializable", None),
    ]

    def test_errors(self):
        for name, source, error_type, message, first_frame in self.ERROR_CASES:
            with self.subTest(name):
                api, process = self.start({"app.py": source}, "app.handler")
                request_ids = [api.invoke({}), api.invoke({})]
                posts = api.wait_for_posts(2)  # the process serves the next one
                process.stop()
                self.assertEqual([p.kind for p in posts], ["error", "error"],
                                 self.describe(posts, process))
                post = posts[0]
                self.assertEqual(post.request_id, request_ids[0])
                self.assertEqual(post.headers.get("Lambda-Runtime-Function-Error-Type"),
                                 error_type)
                body = self.body(post)
                self.assertEqual(list(body),
                                 ["errorMessage", "errorType", "requestId", "stackTrace"])
                self.assertEqual(body["errorType"], error_type)
                self.assertEqual(body["errorMessage"], message)
                self.assertEqual(body["requestId"], request_ids[0])
                if first_frame is None:
                    self.assertEqual(body["stackTrace"], [])
                else:
                    self.assertRegex(body["stackTrace"][0], "^" + first_frame)
                    if "app" in first_frame:
                        # The runtime's own frames before the user's are dropped, as AWS does.
                        self.assertFalse(any("runtime.py" in f for f in body["stackTrace"]))

    def test_invalid_invocation_input(self):
        source = "def handler(event, context):\n    return 'unreachable'\n"
        cases = [
            ({"raw_body": b"{not json"}, "Runtime.UnmarshalError",
             r"Unable to unmarshal input: Expecting property name enclosed in double quotes: "
             r"line 1 column 2 \(char 1\)"),
            ({"headers": {"Lambda-Runtime-Client-Context": "{nope"}},
             "Runtime.LambdaContextUnmarshalError", r"Unable to parse Client Context JSON: .+"),
            ({"headers": {"Lambda-Runtime-Cognito-Identity": "nope"}},
             "Runtime.LambdaContextUnmarshalError", r"Unable to parse Cognito Identity JSON: .+"),
        ]
        events = [{"__invoke__": dict(event=None, **invoke)} for invoke, _, _ in cases]
        posts, _ = self.run_invocations({"app.py": source}, "app.handler", events)
        for post, (_, error_type, message) in zip(posts, cases):
            body = self.body(post)
            self.assertEqual(post.kind, "error")
            self.assertEqual(body["errorType"], error_type)
            self.assertRegex(body["errorMessage"], "^" + message + "$")
            self.assertEqual(body["stackTrace"], [])

    # -- loading the handler --------------------------------------------------------------------

    # (name, files, handler, expected result)
    LOADING_CASES = [
        ("module.fn", {"app.py": "def handler(e, c):\n    return 'top'\n"}, "app.handler", "top"),
        ("dir/module.fn (namespace package)",
         {"src/handlers/orders.py": "def process(e, c):\n    return 'nested'\n"},
         "src/handlers/orders.process", "nested"),
        ("package.module.fn",
         {"pkg/__init__.py": "", "pkg/sub/__init__.py": "",
          "pkg/sub/mod.py": "def handler(e, c):\n    return __name__\n"},
         "pkg.sub.mod.handler", "pkg.sub.mod"),
        ("a user module named like the runtime file",
         {"runtime.py": "def handler(e, c):\n    return 'user runtime module'\n"},
         "runtime.handler", "user runtime module"),
        ("module importing a sibling",
         {"app.py": "import helper\ndef handler(e, c):\n    return helper.VALUE\n",
          "helper.py": "VALUE = 'from helper'\n"}, "app.handler", "from helper"),
    ]

    def test_handler_loading(self):
        for name, files, handler, expected in self.LOADING_CASES:
            with self.subTest(name):
                posts, process = self.run_invocations(files, handler, [{}])
                self.assertEqual(posts[0].kind, "response", self.describe(posts, process))
                self.assertEqual(self.body(posts[0]), expected)

    def test_pythonpath_directories_are_importable(self):
        layer = self.write_code({"layerlib.py": "NAME = 'from a layer'\n"})
        posts, _ = self.run_invocations(
            {"app.py": "import layerlib\ndef handler(e, c):\n    return layerlib.NAME\n"},
            "app.handler", [{}], env={"PYTHONPATH": layer})
        self.assertEqual(self.body(posts[0]), "from a layer")

    def test_boto3_in_the_function_uses_aws_endpoint_url(self):
        """StreamStack's own addition: boto3 in function code reaches AWS_ENDPOINT_URL also when
        the machine's botocore predates it (1.31; Debian bookworm has 1.29). Runs under every
        python3 here that has boto3, so both botocore generations are covered where present."""
        source = ("import boto3, botocore\n"
                  "def handler(e, c):\n"
                  "    s = boto3.session.Session()\n"
                  "    return [botocore.__version__, boto3.client('dynamodb').meta.endpoint_url,\n"
                  "            s.client('sqs', endpoint_url='http://mine:1').meta.endpoint_url]\n")
        env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_DEFAULT_REGION": "us-east-1"}
        pythons = [p for p in dict.fromkeys([CLIENT_PYTHON, "/usr/bin/python3"])
                   if os.path.exists(p) and subprocess.run(
                       [p, "-c", "import boto3"], capture_output=True).returncode == 0]
        if not pythons:
            self.fail("no python3 with boto3: docker/install-deps.sh installs python3-boto3")
        for python in pythons:
            with self.subTest(python=python):
                self.argv = [python, PYTHON_CLIENT]
                posts, process = self.run_invocations({"app.py": source}, "app.handler", [{}],
                                                      env=env)
                self.assertEqual(posts[0].kind, "response", self.describe(posts, process))
                version, default, explicit = self.body(posts[0])
                self.assertEqual(default, "http://127.0.0.1:4566", version)
                self.assertEqual(explicit, "http://mine:1", version)

    # (name, files, handler, errorType, errorMessage pattern, stackTrace check)
    INIT_ERROR_CASES = [
        ("missing module", {"app.py": ""}, "nope.handler", "Runtime.ImportModuleError",
         r"Unable to import module 'nope': No module named 'nope'", []),
        ("missing function", {"app.py": "x = 1\n"}, "app.nope", "Runtime.HandlerNotFound",
         r"Handler 'nope' missing on module 'app'", []),
        ("missing function in dir/module", {"lib/app.py": ""}, "lib/app.nope",
         "Runtime.HandlerNotFound", r"Handler 'nope' missing on module 'lib/app'", []),
        ("module imports a missing dependency",
         {"app.py": "import not_installed_dep\ndef handler(e, c):\n    pass\n"}, "app.handler",
         "Runtime.ImportModuleError",
         r"Unable to import module 'app': No module named 'not_installed_dep'", []),
        ("syntax error", {"app.py": "def handler(e, c):\n    return (\n"}, "app.handler",
         "Runtime.UserCodeSyntaxError", r"Syntax error in module 'app': .+ \(app\.py, line \d\)",
         "syntax"),
        ("no dot in the handler", {"app.py": ""}, "app", "Runtime.MalformedHandlerName",
         r"Bad handler 'app': not enough values to unpack \(expected 2, got 1\)", []),
        ("built-in module name", {"app.py": ""}, "sys.handler", "Runtime.BuiltInModuleConflict",
         r"Cannot use built-in module sys as a handler module", []),
        ("module raises while importing",
         {"app.py": "CONFIG = 1 / 0\ndef handler(e, c):\n    pass\n"}, "app.handler",
         "ZeroDivisionError", r"division by zero", "frames"),
    ]

    def test_init_errors(self):
        for name, files, handler, error_type, message, stack in self.INIT_ERROR_CASES:
            with self.subTest(name):
                post, code, process = self.run_init_error(files, handler)
                self.assertEqual(code, 1)
                self.assertEqual(post.headers.get("Lambda-Runtime-Function-Error-Type"),
                                 error_type)
                body = self.body(post)
                self.assertEqual(list(body),
                                 ["errorMessage", "errorType", "requestId", "stackTrace"])
                self.assertEqual(body["errorType"], error_type)
                self.assertRegex(body["errorMessage"], "^" + message + "$")
                self.assertEqual(body["requestId"], "")
                if stack == "syntax":
                    self.assertEqual(len(body["stackTrace"]), 1)
                    self.assertRegex(body["stackTrace"][0], r'^  File ".*app\.py" Line \d+\n    ')
                elif stack == "frames":
                    self.assertTrue(any('app.py", line 1, in <module>' in frame
                                        for frame in body["stackTrace"]), body)
                    self.assertFalse(any("runtime.py" in f for f in body["stackTrace"]), body)
                else:
                    self.assertEqual(body["stackTrace"], stack)
                # Logged as AWS logs it: the warning, then the one-line error report.
                lines = process.stdout_lines
                self.assertTrue(any(re.match(r"^\[WARNING\]\t" + LOG_TIME + r"\t\t" +
                                             UNHANDLED_EXCEPTION_WARNING_START, line)
                                    for line in lines), lines)
                report = "[ERROR] {}: {}\rTraceback (most recent call last):".format(
                    error_type, body["errorMessage"])
                self.assertTrue(any(line.startswith(report) for line in lines), lines)

    # -- the context object ---------------------------------------------------------------------

    CONTEXT_SOURCE = """
import os

def handler(event, context):
    identity = context.identity
    client_context = context.client_context
    return {
        'function_name': context.function_name,
        'function_version': context.function_version,
        'invoked_function_arn': context.invoked_function_arn,
        'memory_limit_in_mb': context.memory_limit_in_mb,
        'aws_request_id': context.aws_request_id,
        'log_group_name': context.log_group_name,
        'log_stream_name': context.log_stream_name,
        'identity': [identity.cognito_identity_id, identity.cognito_identity_pool_id],
        'client_context': None if client_context is None else {
            'custom': client_context.custom, 'env': client_context.env,
            'installation_id': client_context.client.installation_id,
            'app_title': client_context.client.app_title},
        'remaining': context.get_remaining_time_in_millis(),
        'trace_id': os.environ.get('_X_AMZN_TRACE_ID'),
    }
"""

    def test_context_fields(self):
        deadline = int(time.time() * 1000) + 30_000
        client_context = {"client": {"installation_id": "i-1", "app_title": "shop"},
                          "custom": {"k": "v"}, "env": {"platform": "test"}}
        identity = {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}
        invocations = [
            {"__invoke__": {"event": {}, "request_id": "req-1", "deadline_ms": deadline,
                            "headers": {"Lambda-Runtime-Trace-Id": "Root=1-abc;Sampled=1",
                                        "Lambda-Runtime-Client-Context":
                                            json.dumps(client_context),
                                        "Lambda-Runtime-Cognito-Identity": json.dumps(identity)}}},
            {"__invoke__": {"event": {}, "request_id": "req-2",
                            "deadline_ms": int(time.time() * 1000) - 1000}},
        ]
        posts, _ = self.run_invocations({"app.py": self.CONTEXT_SOURCE}, "app.handler",
                                        invocations)
        first, second = self.body(posts[0]), self.body(posts[1])
        remaining = first.pop("remaining")
        self.assertTrue(20_000 < remaining <= 30_000, remaining)
        self.assertEqual(first, {
            "function_name": "test-fn",
            "function_version": "$LATEST",
            "invoked_function_arn": "arn:aws:lambda:us-east-1:000000000000:function:test-fn",
            "memory_limit_in_mb": "256",
            "aws_request_id": "req-1",
            "log_group_name": "/aws/lambda/test-fn",
            "log_stream_name": "2024/01/01/[$LATEST]0123456789abcdef",
            "identity": ["id-1", "pool-1"],
            "client_context": {"custom": {"k": "v"}, "env": {"platform": "test"},
                               "installation_id": "i-1", "app_title": "shop"},
            "trace_id": "Root=1-abc;Sampled=1",
        })
        self.assertEqual(second["aws_request_id"], "req-2")
        self.assertEqual(second["identity"], [None, None])  # always an object
        self.assertIsNone(second["client_context"])
        self.assertIsNone(second["trace_id"])  # removed when the invocation has none
        self.assertEqual(second["remaining"], 0)  # past the deadline: 0, never negative

    # -- warm reuse -----------------------------------------------------------------------------

    def test_warm_invocations_keep_module_state_and_the_connection(self):
        source = ("CALLS = []\n"
                  "def handler(event, context):\n"
                  "    CALLS.append(context.aws_request_id)\n"
                  "    if event.get('fail'):\n"
                  "        raise RuntimeError('failure')\n"
                  "    return CALLS\n")
        posts, _ = self.run_invocations(
            {"app.py": source}, "app.handler",
            [{"__invoke__": {"event": {}, "request_id": "a"}},
             {"__invoke__": {"event": {"fail": True}, "request_id": "b"}},
             {"__invoke__": {"event": {}, "request_id": "c"}}])
        self.assertEqual([p.kind for p in posts], ["response", "error", "response"])
        self.assertEqual(self.body(posts[2]), ["a", "b", "c"])
        self.assertEqual(len({p.client_port for p in posts}), 1)  # one keep-alive connection

    # -- output and logging ---------------------------------------------------------------------

    LOGGING_SOURCE = """
import logging
import sys

print('loading')
logger = logging.getLogger('orders')

def handler(event, context):
    print('plain print')
    print('two', 'words', sep=' | ')
    sys.stdout.write('no newline yet')
    sys.stdout.write(' ... now\\n')
    sys.stderr.write('to stderr\\n')
    logging.info('info is below the default level')
    logger.warning('warning %s', 1)
    logging.error('multi\\nline')
    context.log('from context.log\\n')
    if event.get('fail'):
        raise ValueError('bad')
    return 'ok'
"""

    def test_output_lines(self):
        # The client is killed (not stopped) before its output is read: only an unbuffered
        # stdout has written every line by then.
        _, process = self.run_invocations(
            {"app.py": self.LOGGING_SOURCE}, "app.handler",
            [{"__invoke__": {"event": {}, "request_id": "req-log"}},
             {"__invoke__": {"event": {"fail": True}, "request_id": "req-fail"}}])
        lines = process.stdout_lines
        for expected in ["loading", "plain print", "two | words", "no newline yet ... now",
                         "from context.log"]:
            self.assertIn(expected, lines)
        self.assertIn("to stderr", process.stderr_lines)
        self.assertFalse(any("info is below" in line for line in lines), lines)
        for pattern in [
            r"\[WARNING\]\t" + LOG_TIME + r"\treq-log\twarning 1",
            r"\[ERROR\]\t" + LOG_TIME + r"\treq-log\tmulti\rline",
        ]:
            self.assertTrue(any(re.fullmatch(pattern, line) for line in lines),
                            "{!r} not in {!r}".format(pattern, lines))
        report = next(line for line in lines if line.startswith("[ERROR] ValueError"))
        self.assertRegex(
            report,
            r"^\[ERROR\] ValueError: bad\rTraceback \(most recent call last\):\r"
            "\u00a0\u00a0" + r'File ".*app\.py", line \d+, in handler\r' +
            "\u00a0\u00a0\u00a0\u00a0" + r"raise ValueError\('bad'\)$")

    def test_log_level_from_the_environment(self):
        source = ("import logging\n"
                  "def handler(event, context):\n"
                  "    logging.debug('debug line')\n"
                  "    logging.info('info line')\n"
                  "    return 1\n")
        _, process = self.run_invocations({"app.py": source}, "app.handler", [{}],
                                          env={"AWS_LAMBDA_LOG_LEVEL": "INFO"})
        self.assertTrue(any(re.fullmatch(r"\[INFO\]\t" + LOG_TIME + r"\t[-0-9a-f]+\tinfo line",
                                         line) for line in process.stdout_lines),
                        process.stdout_lines)
        self.assertFalse(any("debug line" in line for line in process.stdout_lines))

    def test_json_log_format(self):
        source = ("import logging\n"
                  "def handler(event, context):\n"
                  "    logging.getLogger('orders').warning('order %s', 7, extra={'k': 'v'})\n"
                  "    raise ValueError('bad')\n")
        _, process = self.run_invocations(
            {"app.py": source}, "app.handler",
            [{"__invoke__": {"event": {}, "request_id": "req-json"}}],
            env={"AWS_LAMBDA_LOG_FORMAT": "JSON"})
        records = [json.loads(line) for line in process.stdout_lines]
        self.assertRegex(records[0].pop("timestamp"), r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(records[0], {"level": "WARNING", "message": "order 7",
                                      "logger": "orders", "requestId": "req-json", "k": "v"})
        self.assertEqual(records[1]["log_level"], "ERROR")
        self.assertEqual(records[1]["errorType"], "ValueError")
        self.assertEqual(records[1]["requestId"], "req-json")

    # -- the connection -------------------------------------------------------------------------

    def test_exits_when_the_runtime_api_closes_the_connection(self):
        api, process = self.start({"app.py": "def handler(e, c):\n    return 1\n"},
                                  "app.handler")
        api.invoke({})
        self.assertEqual(len(api.wait_for_posts(1)), 1)
        api.close_next_connection()
        code = process.wait_exit()
        self.assertIsNotNone(code, "the client kept running")
        self.assertNotEqual(code, 0)
        self.assertTrue(any("lost the Lambda Runtime API" in line
                            for line in process.stderr_lines), process.stderr_lines)

    def test_exits_when_the_runtime_api_is_unreachable(self):
        code_dir = self.write_code({"app.py": "def handler(e, c):\n    return 1\n"})
        process = ClientProcess(self.argv, code_dir, "127.0.0.1:9", "app.handler")
        self.addCleanup(process.stop)
        code = process.wait_exit()
        self.assertIsNotNone(code)
        self.assertNotEqual(code, 0)


if __name__ == "__main__":
    unittest.main()
