"""Shared pieces of the esm benchmarks: start the binary, a raw keep-alive DynamoDB client
(no SDK overhead in the measurement), a minimal fast function endpoint, CPU and RSS of the
emulator from /proc."""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from harness import StreamStack  # noqa: E402

AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0")
TICKS = os.sysconf("SC_CLK_TCK")


class RawDynamoDb:
    """One keep-alive connection speaking DynamoDB JSON 1.0."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def call(self, action, body):
        self.conn.request("POST", "/", body=json.dumps(body).encode(), headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"DynamoDB_20120810.{action}", "Authorization": AUTH})
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{action}: {resp.status} {data[:300]}")
        return json.loads(data) if data else {}

    def put(self, table, pk, **attrs):
        item = {"pk": {"S": pk}}
        item.update({k: {"S": str(v)} for k, v in attrs.items()})
        self.call("PutItem", {"TableName": table, "Item": item})


class FastFunction:
    """A function endpoint that answers 200 {} at once and calls on_event(body bytes, t)
    with the arrival time (time.perf_counter(), taken before the body is read)."""

    def __init__(self, on_event):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                t = time.perf_counter()
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                on_event(body, t)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/fn"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def start(*args, binary=None, in_memory=False):
    if binary:
        os.environ["STREAMSTACK_BINARY"] = binary
        import harness
        harness.BINARY = binary
    server = StreamStack(*args, in_memory=in_memory)
    server.start()
    return server


def create_table(ddb, name):
    return ddb.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]


def create_function(lam, name, url):
    lam.create_function(FunctionName=name, Runtime="python3.12",
                        Role="arn:aws:iam::000000000000:role/r", Handler="index.handler",
                        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
                        Environment={"Variables": {"STREAMSTACK_INVOKE_URL": url}})


def tmpdir():
    return tempfile.mkdtemp(prefix="ss-esm-bench-")
