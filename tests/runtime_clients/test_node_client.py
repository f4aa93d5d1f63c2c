"""Tests of StreamStack's Node.js runtime client (src/runtime/clients/node/runtime.js).

Each test runs the real client under `node` against an in-test Runtime API and checks what it
posts, with which headers, what it prints and how it exits, against what AWS's Node.js runtime
interface client does. Run: python3 tests/runtime_clients/test_node_client.py
"""

import json
import os
import re
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runtime_api_fixture import NODE_CLIENT, ClientTestMixin  # noqa: E402

NODE = shutil.which("node")

ISO_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@unittest.skipIf(NODE is None, "node is not installed")
class NodeClientTest(ClientTestMixin, unittest.TestCase):
    argv = [NODE or "node", NODE_CLIENT]

    # -- handler styles -------------------------------------------------------------------------

    # (name, handler source, expected result); each handler gets the event {"n": 2}.
    SUCCESS_CASES = [
        ("async returns a value",
         "exports.handler = async (event) => ({ doubled: event.n * 2 });", {"doubled": 4}),
        ("async returns undefined -> null",
         "exports.handler = async () => {};", None),
        ("non-async function returning a promise",
         "exports.handler = (event) => Promise.resolve(event.n + 1);", 3),
        ("callback(null, result)",
         "exports.handler = (event, context, callback) => callback(null, 'cb-' + event.n);",
         "cb-2"),
        ("callback from a timer",
         "exports.handler = (e, c, cb) => { setTimeout(() => cb(null, 'later'), 20); };",
         "later"),
        ("context.succeed",
         "exports.handler = (event, context) => { context.succeed({ s: 1 }); };", {"s": 1}),
        ("context.done(null, result)",
         "exports.handler = (event, context) => { context.done(null, 'done'); };", "done"),
        ("only the first callback counts",
         "exports.handler = (e, c, cb) => { cb(null, 'first'); cb(null, 'second');"
         " c.succeed('third'); };", "first"),
        # AWS ignores the return value of a non-async handler that gives no promise: the
        # invocation succeeds with null once the event loop is empty.
        ("sync handler returning a value (arity < 3) -> null",
         "exports.handler = (event) => ({ ignored: true });", None),
        ("sync callback handler that never calls back -> null",
         "exports.handler = (event, context, callback) => { };", None),
        # callbackWaitsForEmptyEventLoop: the result is sent when the loop is empty, so the
        # timer's change is in it; with the flag off it is sent at once.
        ("callback waits for the empty event loop",
         "exports.handler = (e, c, cb) => { const r = { fired: false };"
         " setTimeout(() => { r.fired = true; }, 50); cb(null, r); };", {"fired": True}),
        ("callbackWaitsForEmptyEventLoop = false sends at once",
         "exports.handler = (e, c, cb) => { c.callbackWaitsForEmptyEventLoop = false;"
         " const r = { fired: false }; setTimeout(() => { r.fired = true; }, 50);"
         " cb(null, r); };", {"fired": False}),
        ("async handler resolves before its callback",
         "exports.handler = async (e, c, cb) => 'resolved';", "resolved"),
    ]

    def test_success_styles(self):
        for name, source, expected in self.SUCCESS_CASES:
            with self.subTest(name):
                posts, process = self.run_invocations(
                    {"index.js": source}, "index.handler", [{"n": 2}])
                self.assertEqual(posts[0].kind, "response", self.describe(posts, process))
                self.assertEqual(self.body(posts[0]), expected)
                self.assertEqual(posts[0].headers.get("Content-Type"), "application/json")

    # (name, handler source, errorType, errorMessage, trace starts with, exit code or None)
    ERROR_CASES = [
        ("async throws",
         "exports.handler = async () => { throw new Error('boom'); };",
         "Error", "boom", "Error: boom", None),
        ("sync throws a TypeError",
         "exports.handler = () => { null.x; };",
         "TypeError", "Cannot read properties of null (reading 'x')", "TypeError: ", None),
        ("custom error class",
         "class OrderError extends Error { constructor(m) { super(m); this.name = 'OrderError'; } }"
         "\nexports.handler = async () => { throw new OrderError('no stock'); };",
         "OrderError", "no stock", "OrderError: no stock", None),
        ("callback(error)",
         "exports.handler = (e, c, cb) => cb(new RangeError('too far'));",
         "RangeError", "too far", "RangeError: too far", None),
        ("callback with a string",
         "exports.handler = (e, c, cb) => cb('plain failure');",
         "string", "plain failure", None, None),
        ("rejects with an object",
         "exports.handler = async () => { throw { code: 42 }; };",
         "object", "[object Object]", None, None),
        ("rejects with a number",
         "exports.handler = () => Promise.reject(7);",
         "number", "7", None, None),
        ("context.fail(error)",
         "exports.handler = (e, c) => c.fail(new Error('failed'));",
         "Error", "failed", "Error: failed", None),
        ("context.fail() without an error",
         "exports.handler = (e, c) => c.fail();",
         "string", "handled", None, None),
        ("context.done(error)",
         "exports.handler = (e, c) => c.done(new Error('done badly'));",
         "Error", "done badly", "Error: done badly", None),
        ("error-like object",
         "exports.handler = async () => { throw { name: 'Shaped', message: 'like an error',"
         " stack: 'Shaped: like an error\\n    at somewhere' }; };",
         "Shaped", "like an error", "Shaped: like an error", None),
        ("result JSON cannot represent",
         "exports.handler = async () => { const o = {}; o.self = o; return o; };",
         "Error", "Unable to stringify response body", "Error: Unable to stringify", None),
        ("async handler whose promise never settles",
         "exports.handler = async () => new Promise(() => {});",
         "Runtime.NodeJsExit",
         "The Lambda runtime client detected an unexpected Node.js exit code. This is most "
         "commonly caused by a Promise that was never settled. For more information, see "
         "https://nodejs.org/docs/latest/api/process.html#exit-codes",
         "Runtime.NodeJsExit: ", None),
        ("unhandled promise rejection during an invocation",
         "exports.handler = (e, c, cb) => { Promise.reject(new Error('floating'));"
         " setTimeout(() => cb(null, 'late'), 500); };",
         "Runtime.UnhandledPromiseRejection", "Error: floating",
         "Runtime.UnhandledPromiseRejection: Error: floating", 128),
        ("uncaught exception during an invocation",
         "exports.handler = (e, c, cb) => { setTimeout(() => { throw new Error('async crash'); },"
         " 1); };",
         "Error", "async crash", "Error: async crash", 129),
    ]

    def test_error_styles(self):
        for name, source, error_type, message, trace_start, exit_code in self.ERROR_CASES:
            with self.subTest(name):
                api, process = self.start({"index.js": source}, "index.handler")
                request_id = api.invoke({})
                posts = api.wait_for_posts(1)
                if exit_code is None:
                    # The process lives on: a second invocation is served (and fails alike).
                    api.invoke({})
                    posts = api.wait_for_posts(2)
                    self.assertEqual(len(posts), 2, self.describe(posts, process))
                    self.assertEqual(posts[1].kind, "error")
                    code = None
                else:
                    code = process.wait_exit()
                process.stop()
                post = posts[0]
                self.assertEqual(post.kind, "error", self.describe(posts, process))
                self.assertEqual(post.request_id, request_id)
                self.assertEqual(post.headers.get("Lambda-Runtime-Function-Error-Type"),
                                 error_type)
                body = self.body(post)
                self.assertEqual(set(body), {"errorType", "errorMessage", "trace"})
                self.assertEqual(body["errorType"], error_type)
                self.assertEqual(body["errorMessage"], message)
                if trace_start is None:
                    self.assertEqual(body["trace"], [])
                else:
                    self.assertTrue(body["trace"][0].startswith(trace_start), body["trace"])
                self.assertEqual(code, exit_code, self.describe(posts, process))

    def test_process_survives_handled_errors_and_keeps_state(self):
        source = ("let calls = 0;\n"
                  "exports.handler = async (event) => {\n"
                  "  calls += 1;\n"
                  "  if (event.fail) throw new Error('failure ' + calls);\n"
                  "  return { calls };\n"
                  "};\n")
        posts, process = self.run_invocations(
            {"index.js": source}, "index.handler", [{}, {"fail": True}, {}, {}])
        self.assertEqual([p.kind for p in posts], ["response", "error", "response", "response"])
        self.assertEqual([self.body(p).get("calls") for p in posts], [1, None, 3, 4])
        self.assertEqual(self.body(posts[1])["errorMessage"], "failure 2")
        # One keep-alive connection carried the whole loop.
        self.assertEqual(len({p.client_port for p in posts}), 1)

    def test_never_settling_promise_then_next_invocation(self):
        source = ("exports.handler = async (event) => event.hang ? new Promise(() => {}) :"
                  " 'fine';")
        posts, _ = self.run_invocations({"index.js": source}, "index.handler",
                                        [{"hang": True}, {}])
        self.assertEqual(self.body(posts[0])["errorType"], "Runtime.NodeJsExit")
        self.assertEqual(self.body(posts[1]), "fine")

    # -- loading the handler --------------------------------------------------------------------

    # (name, files, handler, expected result of the event {})
    LOADING_CASES = [
        ("CommonJS .js", {"index.js": "exports.handler = async () => 'cjs';"}, "index.handler",
         "cjs"),
        ("ES module .mjs", {"app.mjs": "export const handler = async () => 'mjs';"},
         "app.handler", "mjs"),
        ("ES module .mjs default export",
         {"app.mjs": "export default { run: async () => 'default' };"}, "app.default.run",
         "default"),
        ('.js under package.json "type": "module"',
         {"package.json": '{"type": "module"}',
          "index.js": "export const handler = async () => 'esm-js';"}, "index.handler",
         "esm-js"),
        ('nearest package.json wins over a parent "type": "module"',
         {"package.json": '{"type": "module"}', "lib/package.json": '{"type": "commonjs"}',
          "lib/index.js": "exports.handler = async () => 'commonjs-below-module';"},
         "lib/index.handler", "commonjs-below-module"),
        (".cjs", {"legacy.cjs": "module.exports.handler = async () => 'cjs-ext';"},
         "legacy.handler", "cjs-ext"),
        ("nested directory", {"src/handlers/orders.js": "exports.process = async () => 'nested';"},
         "src/handlers/orders.process", "nested"),
        ("nested property path",
         {"index.js": "exports.api = { v1: { get: async () => 'deep' } };"}, "index.api.v1.get",
         "deep"),
        ("package from node_modules",
         {"node_modules/my-pkg/package.json": '{"name": "my-pkg", "main": "main.js"}',
          "node_modules/my-pkg/main.js": "exports.handler = async () => 'from-node-modules';"},
         "my-pkg.handler", "from-node-modules"),
        ("ES module importing a sibling",
         {"app.mjs": "import { value } from './lib.mjs';\n"
                     "export const handler = async () => value;",
          "lib.mjs": "export const value = 'imported';"}, "app.handler", "imported"),
        ("awslambda global exists while loading",
         {"index.js": "exports.handler = async () => typeof awslambda.streamifyResponse;"},
         "index.handler", "function"),
    ]

    def test_handler_loading(self):
        for name, files, handler, expected in self.LOADING_CASES:
            with self.subTest(name):
                posts, process = self.run_invocations(files, handler, [{}])
                self.assertEqual(posts[0].kind, "response", self.describe(posts, process))
                self.assertEqual(self.body(posts[0]), expected)

    # (name, files, handler, errorType, errorMessage pattern)
    INIT_ERROR_CASES = [
        ("missing module", {"index.js": ""}, "nope.handler", "Runtime.ImportModuleError",
         r"Error: Cannot find module 'nope'\nRequire stack:\n- .*runtime\.js"),
        ("missing function", {"index.js": "exports.other = () => {};"}, "index.handler",
         "Runtime.HandlerNotFound", r"index\.handler is undefined or not exported"),
        ("export is not a function", {"index.js": "exports.handler = 42;"}, "index.handler",
         "Runtime.HandlerNotFound", r"index\.handler is not a function"),
        ("syntax error (CommonJS)", {"index.js": "exports.handler = async () => {"},
         "index.handler", "Runtime.UserCodeSyntaxError", r"SyntaxError: .+"),
        ("syntax error (ES module)", {"index.mjs": "export const handler = ;"},
         "index.handler", "Runtime.UserCodeSyntaxError", r"SyntaxError: .+"),
        ("no dot in the handler", {"index.js": ""}, "index", "Runtime.MalformedHandlerName",
         r"Bad handler"),
        ("relative path in the handler", {"index.js": ""}, "../index.handler",
         "Runtime.MalformedHandlerName",
         r"'\.\./index\.handler' is not a valid handler name\. Use absolute paths when "
         r"specifying root directories in handler names\."),
        ("module throws while loading", {"index.js": "throw new TypeError('bad config');"},
         "index.handler", "TypeError", r"bad config"),
        ("module requires a missing package",
         {"index.js": "require('not-installed');\nexports.handler = async () => 1;"},
         "index.handler", "Runtime.ImportModuleError",
         r"Error: Cannot find module 'not-installed'\nRequire stack:\n- .*index\.js(\n- .*)*"),
    ]

    def test_init_errors(self):
        for name, files, handler, error_type, message in self.INIT_ERROR_CASES:
            with self.subTest(name):
                post, code, process = self.run_init_error(files, handler)
                self.assertEqual(post.headers.get("Lambda-Runtime-Function-Error-Type"),
                                 error_type)
                body = self.body(post)
                self.assertEqual(body["errorType"], error_type)
                self.assertRegex(body["errorMessage"], "^" + message + "$")
                self.assertTrue(body["trace"][0].startswith(error_type), body["trace"])
                self.assertEqual(code, 129)
                # Logged as AWS logs it, with the request id still 'undefined'.
                self.assertTrue(any(re.match(ISO_TIME + r"\tundefined\tERROR\tUncaught Exception"
                                             r" \t\{\"errorType\":", line)
                                    for line in process.stdout_lines), process.stdout_lines)

    def test_unhandled_rejection_during_init(self):
        post, code, _ = self.run_init_error(
            {"index.js": "Promise.reject(new Error('at load'));\n"
                         "exports.handler = async () => 1;"}, "index.handler")
        self.assertEqual(self.body(post)["errorType"], "Runtime.UnhandledPromiseRejection")
        self.assertEqual(self.body(post)["errorMessage"], "Error: at load")
        self.assertEqual(code, 128)

    # -- the context object ---------------------------------------------------------------------

    CONTEXT_SOURCE = """
exports.handler = async (event, context) => ({
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  awsRequestId: context.awsRequestId,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  identity: context.identity === undefined ? 'undefined' : context.identity,
  clientContext: context.clientContext === undefined ? 'undefined' : context.clientContext,
  callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
  remaining: context.getRemainingTimeInMillis(),
  methods: ['succeed', 'fail', 'done'].map((m) => typeof context[m]),
  traceId: process.env._X_AMZN_TRACE_ID === undefined ? null : process.env._X_AMZN_TRACE_ID,
});
"""

    def test_context_fields(self):
        deadline = int(time.time() * 1000) + 30_000
        client_context = {"client": {"installation_id": "i-1"}, "custom": {"k": "v"}, "env": {}}
        identity = {"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}
        invocations = [
            {"__invoke__": {"event": {}, "request_id": "req-1", "deadline_ms": deadline,
                            "headers": {"Lambda-Runtime-Trace-Id": "Root=1-abc;Sampled=1",
                                        "Lambda-Runtime-Client-Context":
                                            json.dumps(client_context),
                                        "Lambda-Runtime-Cognito-Identity": json.dumps(identity)}}},
            {"__invoke__": {"event": {}, "request_id": "req-2", "deadline_ms": deadline}},
        ]
        posts, _ = self.run_invocations({"index.js": self.CONTEXT_SOURCE}, "index.handler",
                                        invocations)
        first, second = self.body(posts[0]), self.body(posts[1])
        remaining = first.pop("remaining")
        self.assertTrue(20_000 < remaining <= 30_000, remaining)
        self.assertEqual(first, {
            "functionName": "test-fn",
            "functionVersion": "$LATEST",
            "invokedFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:test-fn",
            "memoryLimitInMB": "256",
            "awsRequestId": "req-1",
            "logGroupName": "/aws/lambda/test-fn",
            "logStreamName": "2024/01/01/[$LATEST]0123456789abcdef",
            "identity": identity,
            "clientContext": client_context,
            "callbackWaitsForEmptyEventLoop": True,
            "methods": ["function", "function", "function"],
            "traceId": "Root=1-abc;Sampled=1",
        })
        self.assertEqual(second["awsRequestId"], "req-2")
        self.assertEqual(second["identity"], "undefined")
        self.assertEqual(second["clientContext"], "undefined")
        self.assertIsNone(second["traceId"])  # removed when the invocation has none

    def test_remaining_time_follows_the_deadline(self):
        deadline = int(time.time() * 1000) + 5_000
        posts, _ = self.run_invocations(
            {"index.js": "exports.handler = async (e, c) => {"
                         " const a = c.getRemainingTimeInMillis();"
                         " await new Promise((r) => setTimeout(r, 100));"
                         " return [a, c.getRemainingTimeInMillis()]; };"},
            "index.handler", [{"__invoke__": {"event": {}, "deadline_ms": deadline}}])
        before, after = self.body(posts[0])
        self.assertTrue(0 < before <= 5_000, before)
        self.assertGreaterEqual(before - after, 90)

    def test_malformed_client_context_fails_the_invocation(self):
        posts, _ = self.run_invocations(
            {"index.js": "exports.handler = async () => 'unreachable';"}, "index.handler",
            [{"__invoke__": {"event": {},
                             "headers": {"Lambda-Runtime-Client-Context": "{not json"}}}])
        body = self.body(posts[0])
        self.assertEqual(posts[0].kind, "error")
        self.assertEqual(body["errorType"], "Error")
        self.assertTrue(body["errorMessage"].startswith(
            "Cannot parse ClientContext as json: SyntaxError: "), body)

    def test_event_that_is_not_json_fails_the_invocation(self):
        posts, _ = self.run_invocations(
            {"index.js": "exports.handler = async () => 'unreachable';"}, "index.handler",
            [{"__invoke__": {"event": None, "raw_body": b"{oops"}}])
        self.assertEqual(posts[0].kind, "error")
        self.assertEqual(self.body(posts[0])["errorType"], "SyntaxError")

    # -- logging --------------------------------------------------------------------------------

    LOGGING_SOURCE = """
console.log('loading');
exports.handler = async (event) => {
  console.log('log %s=%d', 'count', 3);
  console.info('info', { a: 1 });
  console.warn('warn');
  console.error('error', new Error('shown'));
  console.debug('debug');
  console.trace('trace');
  console.log('two\\nlines');
  process.stdout.write('raw write\\n');
  if (event.fail) throw new Error('bad');
  return 'ok';
};
"""

    def test_console_lines(self):
        posts, process = self.run_invocations(
            {"index.js": self.LOGGING_SOURCE}, "index.handler",
            [{"__invoke__": {"event": {}, "request_id": "req-log"}},
             {"__invoke__": {"event": {"fail": True}, "request_id": "req-fail"}}])
        lines = process.stdout_lines
        expected = [
            ("undefined", "INFO", "loading"),
            ("req-log", "INFO", "log count=3"),
            ("req-log", "INFO", "info { a: 1 }"),
            ("req-log", "WARN", "warn"),
            ("req-log", "DEBUG", "debug"),
            ("req-log", "TRACE", "trace"),
            ("req-log", "INFO", "two\rlines"),
        ]
        for request_id, level, message in expected:
            pattern = "^" + ISO_TIME + "\t" + re.escape(request_id) + "\t" + level + "\t" + \
                re.escape(message) + "$"
            self.assertTrue(any(re.match(pattern, line) for line in lines),
                            "{!r} not in {!r}".format(pattern, lines))
        # An Error argument is util.format-ted with its stack, '\n' turned into '\r'.
        error_line = next(line for line in lines if "\treq-log\tERROR\t" in line)
        self.assertIn("error Error: shown\r    at ", error_line)
        self.assertIn("raw write", lines)
        # The failed invocation logs 'Invoke Error' with the error as JSON.
        invoke_error = next(line for line in lines if "\treq-fail\tERROR\tInvoke Error" in line)
        logged = json.loads(invoke_error.split("Invoke Error \t", 1)[1])
        self.assertEqual(logged["errorType"], "Error")
        self.assertEqual(logged["errorMessage"], "bad")
        self.assertEqual(logged["stack"][0], "Error: bad")
        self.assertEqual([p.kind for p in posts], ["response", "error"])

    def test_log_level_and_json_format(self):
        source = ("exports.handler = async () => { console.debug('hidden'); console.info('also');"
                  " console.warn('kept', 1); console.error({ k: 'v' }); return 1; };")
        _, process = self.run_invocations(
            {"index.js": source}, "index.handler",
            [{"__invoke__": {"event": {}, "request_id": "req-json"}}],
            env={"AWS_LAMBDA_LOG_LEVEL": "WARN", "AWS_LAMBDA_LOG_FORMAT": "JSON"})
        records = [json.loads(line) for line in process.stdout_lines]
        for record in records:
            self.assertRegex(record.pop("timestamp"), "^" + ISO_TIME + "$")
        self.assertEqual(records, [
            {"level": "WARN", "requestId": "req-json", "message": "kept 1"},
            {"level": "ERROR", "requestId": "req-json", "message": {"k": "v"}},
        ])

    def test_callback_handler_warning(self):
        source = "exports.handler = (e, c, cb) => cb(null, 1);"
        _, process = self.run_invocations({"index.js": source}, "index.handler", [{}])
        self.assertTrue(any("\tundefined\tWARN\tAWS Lambda plans to remove support for "
                            "callback-based function handlers" in line
                            for line in process.stdout_lines), process.stdout_lines)
        _, process = self.run_invocations(
            {"index.js": source}, "index.handler", [{}],
            env={"AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING": "1"})
        self.assertFalse(any("callback-based" in line for line in process.stdout_lines))

    # -- streaming handlers (buffered) ----------------------------------------------------------

    def test_streaming_handler_is_buffered(self):
        source = ("exports.handler = awslambda.streamifyResponse(async (event, stream) => {\n"
                  "  stream.setContentType('text/plain');\n"
                  "  stream.write('hello ');\n"
                  "  stream.end('world');\n"
                  "});\n")
        posts, _ = self.run_invocations({"index.js": source}, "index.handler", [{}])
        self.assertEqual(posts[0].kind, "response")
        self.assertEqual(posts[0].body, b"hello world")
        self.assertEqual(posts[0].headers.get("Content-Type"), "text/plain")

    # -- the connection -------------------------------------------------------------------------

    def test_exits_when_the_runtime_api_closes_the_connection(self):
        api, process = self.start({"index.js": "exports.handler = async () => 1;"},
                                  "index.handler")
        api.invoke({})
        self.assertEqual(len(api.wait_for_posts(1)), 1)
        api.close_next_connection()
        code = process.wait_exit()
        self.assertIsNotNone(code, "the client kept running")
        self.assertNotEqual(code, 0)

    def test_exits_when_the_runtime_api_is_unreachable(self):
        code_dir = self.write_code({"index.js": "exports.handler = async () => 1;"})
        from runtime_api_fixture import ClientProcess
        process = ClientProcess(self.argv, code_dir, "127.0.0.1:9", "index.handler")
        self.addCleanup(process.stop)
        code = process.wait_exit()
        self.assertIsNotNone(code)
        self.assertNotEqual(code, 0)


if __name__ == "__main__":
    unittest.main()
