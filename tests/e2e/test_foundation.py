"""The binary's front door: flags, config, health, metrics, bad input, clean stop."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import botocore.exceptions

from harness import BINARY, ServerTestCase, StreamStack


class CommandLineTest(unittest.TestCase):
    def test_help_lists_every_flag(self):
        out = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0)
        for flag in ("--host", "--port", "--data-dir", "--in-memory", "--config", "--region",
                     "--account-id", "--poll-interval-ms", "--ttl-sweep-interval-ms",
                     "--table-status-delay-ms",
                     "--log-level", "--log-format", "--version"):
            self.assertIn(flag, out.stdout)

    def test_version(self):
        out = subprocess.run([BINARY, "--version"], capture_output=True, text=True, timeout=10)
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"streamstack \d+\.\d+\.\d+")

    def test_bad_flag_value_is_rejected(self):
        for args in (["--log-format", "xml"], ["--port", "http"], ["--account-id", "12"],
                     ["--table-status-delay-ms", "-1"], ["--no-such-flag"]):
            out = subprocess.run([BINARY] + args, capture_output=True, text=True, timeout=10)
            self.assertNotEqual(out.returncode, 0, args)

    def test_precedence_flag_over_env_over_config_file(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "streamstack.json")
            with open(cfg, "w") as f:
                json.dump({"region": "eu-west-1", "account_id": "111111111111",
                           "log-format": "json"}, f)
            # config file alone
            with StreamStack("--config", cfg, in_memory=True) as s:
                _, _, body = s.http("GET", "/health")
                health = json.loads(body)
                self.assertEqual(health["region"], "eu-west-1")
                self.assertEqual(health["account_id"], "111111111111")
                # --log-format json from the file: every log line is a JSON object
                first = s.log_lines[0]
                self.assertEqual(json.loads(first)["level"], "info")
            # env beats the file, the flag beats env
            with StreamStack("--config", cfg, in_memory=True,
                             env={"STREAMSTACK_REGION": "ap-south-1",
                                  "STREAMSTACK_ACCOUNT_ID": "222222222222"}) as s:
                health = json.loads(s.http("GET", "/health")[2])
                self.assertEqual(health["region"], "ap-south-1")
                self.assertEqual(health["account_id"], "222222222222")
            with StreamStack("--config", cfg, "--region", "sa-east-1", in_memory=True,
                             env={"STREAMSTACK_REGION": "ap-south-1"}) as s:
                self.assertEqual(json.loads(s.http("GET", "/health")[2])["region"], "sa-east-1")
            # STREAMSTACK_CONFIG names the file too
            with StreamStack(in_memory=True, env={"STREAMSTACK_CONFIG": cfg}) as s:
                self.assertEqual(json.loads(s.http("GET", "/health")[2])["region"], "eu-west-1")

    def test_documented_example_config_starts(self):
        example = os.path.join(os.path.dirname(__file__), "..", "..", "config", "streamstack.json")
        with StreamStack("--config", example, in_memory=True) as s:
            self.assertEqual(s.http("GET", "/health")[0], 200)

    def test_unparseable_config_file_fails_fast(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write("{not json")
            f.flush()
            out = subprocess.run([BINARY, "--config", f.name, "--in-memory", "--port", "0"],
                                 capture_output=True, text=True, timeout=10)
            self.assertNotEqual(out.returncode, 0)


class FrontDoorTest(ServerTestCase):
    def test_health(self):
        status, headers, body = self.server.http("GET", "/health")
        self.assertEqual(status, 200)
        self.assertIn("application/json", headers["Content-Type"])
        health = json.loads(body)
        self.assertEqual(health["status"], "running")
        self.assertRegex(health["version"], r"^\d+\.\d+\.\d+$")
        self.assertIsInstance(health["services"], dict)

    def test_metrics_count_requests_by_service_and_operation(self):
        client = self.server.client("dynamodb")
        with self.assertRaises(botocore.exceptions.ClientError):
            # Global tables are out of scope: UnknownOperation, counted like any request.
            client.list_global_tables()
        status, headers, body = self.server.http("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertIn("text/plain", headers["Content-Type"])
        text = body.decode()
        self.assertIn("# TYPE streamstack_requests_total counter", text)
        self.assertIn("streamstack_request_duration_seconds_bucket", text)

    @staticmethod
    def not_served(operation):
        return (f"StreamStack does not serve the DynamoDB operation {operation} (see the "
                "README's list of what is supported)")

    def test_unknown_operation_through_boto3(self):
        """Out of scope (issue 14): global tables, import and export, Kinesis streaming
        destinations, contributor insights, replica auto scaling. Each of the model's
        operations this server does not serve answers UnknownOperationException naming it."""
        client = self.server.client("dynamodb")
        arn = "arn:aws:dynamodb:us-east-1:000000000000:table/some-table"
        for call, args, operation in (
                (client.list_global_tables, {}, "ListGlobalTables"),
                (client.export_table_to_point_in_time, dict(TableArn=arn, S3Bucket="bucket"),
                 "ExportTableToPointInTime"),
                (client.describe_contributor_insights, dict(TableName="some-table"),
                 "DescribeContributorInsights"),
                (client.enable_kinesis_streaming_destination,
                 dict(TableName="some-table", StreamArn="arn:aws:kinesis:us-east-1:"
                      "000000000000:stream/s"), "EnableKinesisStreamingDestination"),
                (client.describe_table_replica_auto_scaling, dict(TableName="some-table"),
                 "DescribeTableReplicaAutoScaling")):
            with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                call(**args)
            err = ctx.exception.response
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertEqual((err["Error"]["Code"], err["Error"]["Message"]),
                             ("UnknownOperationException", self.not_served(operation)))

    def test_every_operation_not_served_is_named(self):
        # The DynamoDB model's operations (botocore dynamodb 2012-08-10) that are out of scope.
        not_served = [
            "CreateGlobalTable", "DescribeContributorInsights", "DescribeExport",
            "DescribeGlobalTable", "DescribeGlobalTableSettings", "DescribeImport",
            "DescribeKinesisStreamingDestination", "DescribeTableReplicaAutoScaling",
            "DisableKinesisStreamingDestination", "EnableKinesisStreamingDestination",
            "ExportTableToPointInTime", "ImportTable", "ListContributorInsights", "ListExports",
            "ListGlobalTables", "ListImports", "UpdateContributorInsights", "UpdateGlobalTable",
            "UpdateGlobalTableSettings", "UpdateKinesisStreamingDestination",
            "UpdateTableReplicaAutoScaling"]
        for operation in not_served:
            status, _, body = self.server.http("POST", "/", b"{}", {
                "X-Amz-Target": "DynamoDB_20120810." + operation,
                "Content-Type": "application/x-amz-json-1.0"})
            self.assertEqual((status, json.loads(body)), (400, {
                "__type": "com.amazon.coral.service#UnknownOperationException",
                "message": self.not_served(operation)}), operation)
        # A name that is no operation of DynamoDB's keeps AWS's bare answer (dynalite).
        status, _, body = self.server.http("POST", "/", b"{}", {
            "X-Amz-Target": "DynamoDB_20120810.ListTable",
            "Content-Type": "application/x-amz-json-1.0"})
        self.assertEqual((status, json.loads(body)),
                         (400, {"__type": "com.amazon.coral.service#UnknownOperationException"}))

    def test_unknown_operation_through_aws_cli(self):
        code, _, stderr = self.server.aws("dynamodb", "list-global-tables", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("UnknownOperationException", stderr)
        self.assertIn(self.not_served("ListGlobalTables"), stderr)

    def json10(self, target, body, headers=None):
        h = {"Content-Type": "application/x-amz-json-1.0"}
        if target:
            h["X-Amz-Target"] = target
        h.update(headers or {})
        status, hdrs, data = self.server.http("POST", "/", body=body, headers=h)
        return status, hdrs, json.loads(data)

    def test_malformed_json_is_serialization_exception(self):
        status, headers, body = self.json10("DynamoDB_20120810.ListTables", b"{oops")
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "com.amazon.coral.service#SerializationException")
        self.assertTrue(headers.get("x-amzn-RequestId"))

    def test_unknown_target_and_missing_target(self):
        for target in ("DynamoDB_20120810.Explode", "NoSuchService_2020.Op", None):
            status, _, body = self.json10(target, b"{}")
            self.assertEqual(status, 400, target)
            self.assertEqual(body["__type"], "com.amazon.coral.service#UnknownOperationException")

    def test_unknown_path_is_aws_style_404(self):
        # DynamoDB's endpoint answers a method or path it does not serve so (dynalite's
        # test/connection.js records it).
        status, headers, body = self.server.http("GET", "/no/such/path")
        self.assertEqual(status, 404)
        self.assertEqual(body, b"<UnknownOperationException/>\n")

    def test_body_over_the_limit_gets_413_and_a_closed_connection(self):
        head = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
                b"X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                b"Content-Length: 41943040\r\n\r\n")
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(head)
            try:  # the server may answer before we finish sending: that is the point
                chunk = b"x" * 65536
                for _ in range(640):
                    s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            data = b""
            try:
                while True:
                    part = s.recv(65536)
                    if not part:
                        break
                    data += part
            except (ConnectionResetError, socket.timeout):
                pass
        self.assertTrue(data.startswith(b"HTTP/1.1 413"), data[:200])
        self.assertEqual(self.server.http("GET", "/health")[0], 200)

    def test_garbage_bytes_get_400_and_close(self):
        data = self.server.raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n")
        self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 400"), data[:200])
        self.assertEqual(self.server.http("GET", "/health")[0], 200)

    def test_half_sent_request_does_not_block_others(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        try:
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"Tab")
            for _ in range(20):
                self.assertEqual(self.server.http("GET", "/health")[0], 200)
        finally:
            s.close()

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            for _ in range(50):
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                buf = b""
                while b"\r\n\r\n" not in buf:
                    buf += s.recv(4096)
                head, _, rest = buf.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 200"))
                length = int([l for l in head.split(b"\r\n")
                              if l.lower().startswith(b"content-length")][0].split(b":")[1])
                while len(rest) < length:
                    rest += s.recv(4096)

    def test_many_concurrent_clients(self):
        errors = []

        def worker():
            try:
                for _ in range(20):
                    if self.server.http("GET", "/health")[0] != 200:
                        errors.append("status")
            except Exception as e:  # noqa: BLE001 - collected and asserted below
                errors.append(repr(e))

        threads = [threading.Thread(target=worker) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])


class StopTest(unittest.TestCase):
    def test_sigterm_and_sigint_stop_cleanly_with_exit_0(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            s = StreamStack().start()
            try:
                self.assertEqual(s.http("GET", "/health")[0], 200)
                self.assertEqual(s.stop(sig), 0, s.log())
                self.assertIn("stopped cleanly", s.log())
            finally:
                s.__exit__(None, None, None)

    def test_in_memory_leaves_nothing_on_disk(self):
        with tempfile.TemporaryDirectory() as cwd:
            proc = subprocess.Popen([BINARY, "--in-memory", "--port", "0"], cwd=cwd,
                                    stderr=subprocess.PIPE, text=True)
            try:
                line = proc.stderr.readline()
                while "listening" not in line and line:
                    line = proc.stderr.readline()
                self.assertIn("listening", line)
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(10), 0)
            self.assertEqual(os.listdir(cwd), [])

    def test_startup_is_fast(self):
        start = time.monotonic()
        with StreamStack(in_memory=True) as s:
            self.assertEqual(s.http("GET", "/health")[0], 200)
            elapsed = time.monotonic() - start
        self.assertLess(elapsed, 2.0)  # generous for a loaded CI box; the bench measures ms


if __name__ == "__main__":
    unittest.main()
