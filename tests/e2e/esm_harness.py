"""Shared pieces of the esm e2e tests: a real function behind HTTP (a python http.server on
127.0.0.1 in a thread) whose answers each test programs, and helpers to create tables with
streams, functions and mappings through boto3 against the real binary."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import wait_until

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT = "000000000000"
ZIP = (b"PK\x05\x06" + b"\x00" * 18)  # an empty zip archive: the code is never run here


class Reply:
    """A programmed answer: HTTP status, body (dict/list/str/bytes) and headers."""

    def __init__(self, status=200, body=b"", headers=None, delay=0.0, raw=None):
        self.status, self.body, self.headers, self.delay, self.raw = (
            status, body, headers or {}, delay, raw)


class FunctionServer:
    """One local function endpoint per path. `handlers[path](event, n)` returns a Reply, a
    dict/list (a 200 JSON answer) or None (200, empty body); n counts that path's calls.
    Every event is recorded with its arrival time (time.monotonic())."""

    def __init__(self, port=0):
        self.lock = threading.Lock()
        self.calls = {}      # path -> [(monotonic time, event)]
        self.handlers = {}   # path -> fn(event, n)
        self.in_flight = {}  # path -> current concurrent calls
        self.max_in_flight = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                now = time.monotonic()
                path = self.path
                try:
                    event = json.loads(body)
                except ValueError:
                    event = body
                with owner.lock:
                    calls = owner.calls.setdefault(path, [])
                    calls.append((now, event))
                    n = len(calls)
                    handler = owner.handlers.get(path)
                    owner.in_flight[path] = owner.in_flight.get(path, 0) + 1
                    owner.max_in_flight[path] = max(owner.max_in_flight.get(path, 0),
                                                    owner.in_flight[path])
                try:
                    reply = handler(event, n) if handler else None
                    if not isinstance(reply, Reply):
                        reply = Reply(200, reply if reply is not None else b"")
                    if reply.delay:
                        time.sleep(reply.delay)
                    if reply.raw is not None:
                        self.wfile.write(reply.raw)
                        self.close_connection = True
                        return
                    out = reply.body
                    if isinstance(out, (dict, list)):
                        out = json.dumps(out).encode()
                    elif isinstance(out, str):
                        out = out.encode()
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the emulator gave up (the function's Timeout)
                finally:
                    with owner.lock:
                        owner.in_flight[path] -= 1

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        # The emulator dropping a connection (a kill -9, its Timeout) is part of the tests.
        self.httpd.handle_error = lambda request, client_address: None
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def on(self, path, handler):
        with self.lock:
            self.handlers[path] = handler

    def events(self, path):
        with self.lock:
            return [e for _, e in self.calls.get(path, [])]

    def timed_events(self, path):
        with self.lock:
            return list(self.calls.get(path, []))

    def records(self, path):
        """Every record of every invocation, in arrival order (retries included)."""
        return [r for e in self.events(path) if isinstance(e, dict) for r in e.get("Records", [])]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def key_of(record):
    return record["dynamodb"]["Keys"]["pk"]["S"]


def seq_of(record):
    return int(record["dynamodb"]["SequenceNumber"])


def make_table(ddb, name, view="NEW_AND_OLD_IMAGES", sort_key=False):
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
    resp = ddb.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=attrs,
                            BillingMode="PAY_PER_REQUEST",
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return resp["TableDescription"]["LatestStreamArn"]


def put(ddb, table, pk, **attrs):
    item = {"pk": {"S": pk}}
    for k, v in attrs.items():
        item[k] = {"N": str(v)} if isinstance(v, int) else {"S": str(v)}
    ddb.put_item(TableName=table, Item=item)


def create_function(lam, name, url, timeout=3):
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="index.handler", Code={"ZipFile": ZIP}, Timeout=timeout,
                        Environment={"Variables": {"STREAMSTACK_INVOKE_URL": url}})


def wait_for(predicate, timeout=10.0):
    return wait_until(predicate, timeout=timeout, interval=0.01)


def advance(server, ms):
    status, _, body = server.http("GET", f"/_streamstack/clock/advance?ms={int(ms)}")
    assert status == 200, body
    return json.loads(body)["now_ms"]


def metric(server, name, uuid):
    """The value of metric `name` for mapping `uuid` in /metrics (None when absent)."""
    _, _, body = server.http("GET", "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(name + "{") and f'uuid="{uuid}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return None
