"""Invoke through the emulator to a REAL local HTTP function (a python http.server handler
on 127.0.0.1): success, function error, timeout, unreachable, Event with retries, DryRun,
payload limits, a function without a target; boto3 and the aws CLI. Set
STREAMSTACK_BENCH=1 to also measure the round-trip overhead (p50 over 2,000 calls)."""
import http.client
import io
import json
import os
import socket
import statistics
import tempfile
import threading
import time
import unittest
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.exceptions

from harness import ServerTestCase, StreamStack, wait_until

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


class FunctionServer:
    """A local function speaking the Lambda Invoke contract. The path picks the behaviour:
    /ok echoes the event, /error answers X-Amz-Function-Error, /crash answers 500,
    /slow sleeps 2 s, /throttle answers 429. Every request is recorded."""

    def __init__(self):
        self.calls = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with owner.lock:
                    owner.calls.append((self.path, body, dict(self.headers)))
                headers = {}
                if self.path.startswith("/ok"):
                    status, out = 200, json.dumps({"echo": json.loads(body)}).encode()
                elif self.path.startswith("/error"):
                    status, out = 200, json.dumps({"errorMessage": "boom", "errorType": "Exception"}).encode()
                    headers["X-Amz-Function-Error"] = "Unhandled"
                elif self.path.startswith("/crash"):
                    status, out = 500, b"internal"
                elif self.path.startswith("/slow"):
                    time.sleep(2)
                    status, out = 200, b"{}"
                elif self.path.startswith("/throttle"):
                    status, out = 429, b""
                else:
                    status, out = 404, b""
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                try:
                    self.wfile.write(out)
                except BrokenPipeError:
                    pass  # the emulator gave up on a slow function (its Timeout)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def calls_to(self, prefix):
        with self.lock:
            return [c for c in self.calls if c[0].startswith(prefix)]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def make_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return e\n")
    return buf.getvalue()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class InvokeTest(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fn = FunctionServer()
        cls.lam = cls.server.client("lambda")

    @classmethod
    def tearDownClass(cls):
        cls.fn.close()
        super().tearDownClass()

    def create(self, name, url=None, timeout=3):
        env = {"Variables": {"STREAMSTACK_INVOKE_URL": url}} if url else {"Variables": {}}
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                                 Handler="index.handler", Code={"ZipFile": make_zip()},
                                 Timeout=timeout, Environment=env)

    def test_request_response(self):
        self.create("ok-fn", self.fn.url("/ok"))
        resp = self.lam.invoke(FunctionName="ok-fn", Payload=json.dumps({"n": 1}))
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(json.loads(resp["Payload"].read()), {"echo": {"n": 1}})
        # By ARN too, and with LogType Tail.
        resp = self.lam.invoke(FunctionName="arn:aws:lambda:us-east-1:000000000000:function:ok-fn",
                               Payload=b"{}", LogType="Tail")
        self.assertIn("LogResult", resp)

    def test_function_error(self):
        self.create("err-fn", self.fn.url("/error"))
        resp = self.lam.invoke(FunctionName="err-fn", Payload=b"{}")
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(resp["Payload"].read())["errorMessage"], "boom")
        self.create("crash-fn", self.fn.url("/crash"))
        resp = self.lam.invoke(FunctionName="crash-fn", Payload=b"{}")
        self.assertEqual(resp["FunctionError"], "Unhandled")
        self.assertIn("HTTP 500", json.loads(resp["Payload"].read())["errorMessage"])

    def test_timeout(self):
        self.create("slow-fn", self.fn.url("/slow"), timeout=1)
        started = time.monotonic()
        resp = self.lam.invoke(FunctionName="slow-fn", Payload=b"{}")
        self.assertLess(time.monotonic() - started, 1.9)
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp["FunctionError"], "Unhandled")
        message = json.loads(resp["Payload"].read())["errorMessage"]
        self.assertRegex(message, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9a-f-]{36} "
                                  r"Task timed out after 1\.00 seconds$")

    def test_unreachable_is_a_service_error_not_a_hang(self):
        self.create("down-fn", f"http://127.0.0.1:{closed_port()}/")
        started = time.monotonic()
        with self.assertRaises(self.lam.exceptions.ResourceNotReadyException) as ctx:
            self.lam.invoke(FunctionName="down-fn", Payload=b"{}")
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 502)
        self.assertIn("is not reachable", ctx.exception.response["Error"]["Message"])

    def test_throttled_target(self):
        self.create("throttle-fn", self.fn.url("/throttle"))
        with self.assertRaises(self.lam.exceptions.TooManyRequestsException):
            self.lam.invoke(FunctionName="throttle-fn", Payload=b"{}")

    def test_without_a_target_the_function_runs_its_own_code(self):
        # No STREAMSTACK_INVOKE_URL: the zip's index.handler runs in a local python3 sandbox.
        self.create("bare-fn")
        resp = self.lam.invoke(FunctionName="bare-fn", Payload=json.dumps({"own": "code"}))
        self.assertEqual(resp["StatusCode"], 200)
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(json.loads(resp["Payload"].read()), {"own": "code"})
        # Setting the variable moves the function behind HTTP.
        self.lam.update_function_configuration(
            FunctionName="bare-fn", Environment={"Variables": {"STREAMSTACK_INVOKE_URL": self.fn.url("/ok/bare")}})
        resp = self.lam.invoke(FunctionName="bare-fn", Payload=json.dumps({"n": 2}))
        self.assertEqual(json.loads(resp["Payload"].read()), {"echo": {"n": 2}})

    def test_not_found(self):
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as ctx:
            self.lam.invoke(FunctionName="nope", Payload=b"{}")
        # AWS's Invoke names the $LATEST it would have run (recorded in LocalStack's
        # TestLambdaFeatures::test_invoke_exceptions, November 2025).
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "Function not found: arn:aws:lambda:us-east-1:000000000000:function:"
                         "nope:$LATEST")

    def test_event_is_delivered(self):
        self.create("event-fn", self.fn.url("/ok/event"))
        resp = self.lam.invoke(FunctionName="event-fn", InvocationType="Event", Payload=b'{"e": 7}')
        self.assertEqual(resp["StatusCode"], 202)
        self.assertEqual(resp["Payload"].read(), b"")
        self.assertTrue(wait_until(lambda: self.fn.calls_to("/ok/event"), timeout=5))
        self.assertEqual(json.loads(self.fn.calls_to("/ok/event")[0][1]), {"e": 7})

    def test_event_retried_twice_on_function_error(self):
        self.create("event-err-fn", self.fn.url("/error/event"))
        resp = self.lam.invoke(FunctionName="event-err-fn", InvocationType="Event", Payload=b"{}")
        self.assertEqual(resp["StatusCode"], 202)
        self.assertTrue(wait_until(lambda: len(self.fn.calls_to("/error/event")) >= 3, timeout=10))
        time.sleep(3.5)  # longer than the retry back-off: no fourth attempt comes
        self.assertEqual(len(self.fn.calls_to("/error/event")), 3)

    def test_dry_run(self):
        self.create("dry-fn", self.fn.url("/ok/dry"))
        resp = self.lam.invoke(FunctionName="dry-fn", InvocationType="DryRun")
        self.assertEqual(resp["StatusCode"], 204)
        self.assertEqual(self.fn.calls_to("/ok/dry"), [])

    def test_payload_too_large(self):
        self.create("big-fn", self.fn.url("/ok/big"))
        payload = b'"' + b"x" * (6291456 - 1) + b'"'  # 6291457 bytes
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.invoke(FunctionName="big-fn", Payload=payload)
        err = ctx.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 413)
        self.assertEqual(err["Error"]["Code"], "RequestEntityTooLargeException")
        self.assertEqual(err["Error"]["Message"],
                         "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
        # Exactly at the limit is accepted.
        ok = b'"' + b"x" * (6291456 - 2) + b'"'
        self.assertEqual(self.lam.invoke(FunctionName="big-fn", Payload=ok)["StatusCode"], 200)

    def test_invalid_payload_and_invocation_type(self):
        self.create("json-fn", self.fn.url("/ok/json"))
        with self.assertRaises(self.lam.exceptions.InvalidRequestContentException):
            self.lam.invoke(FunctionName="json-fn", Payload=b"not json")
        status, headers, body = self.server.http(
            "POST", "/2015-03-31/functions/json-fn/invocations", body=b"{}",
            headers={"X-Amz-Invocation-Type": "Later", "Content-Type": "application/json"})
        self.assertEqual(status, 400)
        lower = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(lower.get("x-amzn-errortype"), "ValidationException")
        self.assertIn(b"Member must satisfy enum value set: [Event, RequestResponse, DryRun]", body)

    def test_aws_cli(self):
        self.create("cli-invoke-fn", self.fn.url("/ok/cli"))
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.json")
            _, meta, _ = self.server.aws("lambda", "invoke", "--function-name", "cli-invoke-fn",
                                         "--payload", '{"cli": true}', out)
            self.assertEqual(meta["StatusCode"], 200)
            with open(out) as f:
                self.assertEqual(json.load(f), {"echo": {"cli": True}})

    def bench_overhead(self):
        """A benchmark, not a test (so the suite neither runs nor skips it); run it on purpose:
        python3 -m unittest -v test_lambda_invoke.InvokeTest.bench_overhead"""
        self.create("bench-fn", self.fn.url("/ok/bench"))
        body = b'{"k": "v"}'

        def measure(host, port, path, n=2000):
            conn = http.client.HTTPConnection(host, port)
            times = []
            for i in range(n + 200):
                t0 = time.perf_counter()
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                if i >= 200:
                    times.append(time.perf_counter() - t0)
            conn.close()
            return statistics.median(times) * 1e6, statistics.quantiles(times, n=100)[98] * 1e6

        direct = measure("127.0.0.1", self.fn.port, "/ok/bench")
        via = measure("127.0.0.1", self.server.port, "/2015-03-31/functions/bench-fn/invocations")
        print(f"\nInvoke p50: direct {direct[0]:.0f} us, via emulator {via[0]:.0f} us, "
              f"overhead {via[0] - direct[0]:.0f} us (p99 {direct[1]:.0f} / {via[1]:.0f} us)")


class DeclaredFunctionTest(unittest.TestCase):
    def test_config_file_function_is_invokable(self):
        fn = FunctionServer()
        try:
            with tempfile.TemporaryDirectory() as d:
                cfg = os.path.join(d, "streamstack.json")
                with open(cfg, "w") as f:
                    json.dump({"functions": [{"name": "declared", "invoke_url": fn.url("/ok/declared")}]}, f)
                with StreamStack("--config", cfg, in_memory=True) as server:
                    lam = server.client("lambda")
                    resp = lam.invoke(FunctionName="declared", Payload=b'{"d": 1}')
                    self.assertEqual(json.loads(resp["Payload"].read()), {"echo": {"d": 1}})
        finally:
            fn.close()


if __name__ == "__main__":
    unittest.main()
