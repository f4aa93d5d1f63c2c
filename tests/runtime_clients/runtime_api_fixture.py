"""A Lambda Runtime API (2018-06-01) on 127.0.0.1 for testing StreamStack's runtime clients.

RuntimeApiFixture serves queued invocations on GET /invocation/next (a long poll, as Lambda's)
and records every response, error and init error the client posts, with its headers and the
client's port (to see that one keep-alive connection carried the loop). ClientProcess runs a real
client (node or python3) against it with AWS's environment, collecting stdout and stderr.

Standard library only.
"""

import collections
import http.server
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NODE_CLIENT = os.path.join(REPO_ROOT, "src", "runtime", "clients", "node", "runtime.js")
PYTHON_CLIENT = os.path.join(REPO_ROOT, "src", "runtime", "clients", "python", "runtime.py")

WAIT_SECONDS = 10.0  # upper bound of every wait; a passing test never comes near it

# What the client posted: kind is 'response', 'error' or 'init_error'.
Post = collections.namedtuple("Post", "kind request_id headers body client_port")

_CLOSE_CONNECTION = object()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client killed by its test resets its connection; that is expected, not news.
        pass


class RuntimeApiFixture:
    """One Runtime API for one client process."""

    def __init__(self):
        self.posts = []
        self.next_ports = []  # client port of each GET /next
        self._invocations = queue.Queue()
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        fixture = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Lambda's Runtime API
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path != "/2018-06-01/runtime/invocation/next":
                    return self._reply(404, {"errorMessage": "unknown path"})
                with fixture._changed:
                    fixture.next_ports.append(self.client_address[1])
                    fixture._changed.notify_all()
                while not fixture._stopping.is_set():
                    try:
                        invocation = fixture._invocations.get(timeout=0.05)
                    except queue.Empty:
                        continue
                    if invocation is _CLOSE_CONNECTION:
                        self.close_connection = True
                        return  # closes the socket without an answer
                    headers, body = invocation
                    self.send_response(200)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.close_connection = True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = self.path.split("/")
                if self.path == "/2018-06-01/runtime/init/error":
                    kind, request_id = "init_error", None
                elif len(parts) == 6 and parts[:4] == ["", "2018-06-01", "runtime", "invocation"]:
                    kind, request_id = {"response": "response", "error": "error"}.get(
                        parts[5]
                    ), parts[4]
                else:
                    kind = None
                if kind is None:
                    return self._reply(404, {"errorMessage": "unknown path"})
                post = Post(kind, request_id, dict(self.headers.items()), body,
                            self.client_address[1])
                with fixture._changed:
                    fixture.posts.append(post)
                    fixture._changed.notify_all()
                self._reply(202, {"status": "OK"})

            def _reply(self, status, document):
                payload = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    @property
    def endpoint(self):
        return "127.0.0.1:{}".format(self._server.server_address[1])

    def invoke(self, event, request_id=None, deadline_ms=None, headers=None, raw_body=None,
               content_type="application/json"):
        """Queues one invocation; returns its request id. headers override the defaults."""
        request_id = request_id or str(uuid.uuid4())
        if deadline_ms is None:
            deadline_ms = int(time.time() * 1000) + 60_000
        all_headers = {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn":
                "arn:aws:lambda:us-east-1:000000000000:function:test-fn",
        }
        if content_type:
            all_headers["Content-Type"] = content_type
        all_headers.update(headers or {})
        all_headers = {k: v for k, v in all_headers.items() if v is not None}
        body = raw_body if raw_body is not None else json.dumps(event).encode()
        self._invocations.put((all_headers, body))
        return request_id

    def close_next_connection(self):
        """The next GET /next is answered by closing its connection."""
        self._invocations.put(_CLOSE_CONNECTION)

    def wait_for_posts(self, count, timeout=WAIT_SECONDS):
        """Waits until `count` posts were recorded; returns them (fewer on timeout)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.posts) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return list(self.posts)

    def wait_for_polls(self, count, timeout=WAIT_SECONDS):
        """Waits until the client has sent `count` GET /next requests."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.next_ports) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def close(self):
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()


class ClientProcess:
    """A runtime client process with AWS's environment, its output collected line by line."""

    def __init__(self, argv, code_dir, endpoint, handler, env=None):
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "AWS_LAMBDA_RUNTIME_API": endpoint,
            "_HANDLER": handler,
            "LAMBDA_TASK_ROOT": code_dir,
            "LAMBDA_RUNTIME_DIR": os.path.dirname(argv[-1]),
            "AWS_LAMBDA_FUNCTION_NAME": "test-fn",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/test-fn",
            "AWS_LAMBDA_LOG_STREAM_NAME": "2024/01/01/[$LATEST]0123456789abcdef",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }
        environment.update(env or {})
        self.stdout_lines = []
        self.stderr_lines = []
        self._proc = subprocess.Popen(
            argv, cwd=code_dir, env=environment, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self._readers = [
            threading.Thread(target=self._drain, args=(self._proc.stdout, self.stdout_lines),
                             daemon=True),
            threading.Thread(target=self._drain, args=(self._proc.stderr, self.stderr_lines),
                             daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _drain(pipe, lines):
        # Lines split on '\n' only: '\r' inside a line is part of one log event.
        for raw in iter(pipe.readline, b""):
            lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
        pipe.close()

    def wait_exit(self, timeout=WAIT_SECONDS):
        """The exit code, or None if the process is still running after `timeout`."""
        try:
            code = self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self._join_readers()
        return code

    def stop(self):
        """Ends the process (if running) and collects the rest of its output."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._join_readers()

    def _join_readers(self):
        for reader in self._readers:
            reader.join(WAIT_SECONDS)


class ClientTestMixin:
    """unittest helpers: write the function's files, run the client, collect what it posted."""

    argv = None  # set by the test class: the command that starts the client

    def write_code(self, files):
        code_dir = tempfile.mkdtemp(prefix="streamstack-fn-")
        self.addCleanup(shutil.rmtree, code_dir, True)
        for name, content in files.items():
            path = os.path.join(code_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
        return code_dir

    def start(self, files, handler, env=None):
        """Starts the client on a fresh fixture; returns (api, process)."""
        code_dir = self.write_code(files)
        api = RuntimeApiFixture()
        self.addCleanup(api.close)
        process = ClientProcess(self.argv, code_dir, api.endpoint, handler, env)
        self.addCleanup(process.stop)
        return api, process

    def run_invocations(self, files, handler, events, env=None, expect_posts=None):
        """Runs the events through one client process (warm); returns (posts, process) with
        the process stopped and its output collected."""
        api, process = self.start(files, handler, env)
        for event in events:
            if isinstance(event, dict) and "__invoke__" in event:
                api.invoke(**event["__invoke__"])
            else:
                api.invoke(event)
        count = len(events) if expect_posts is None else expect_posts
        posts = api.wait_for_posts(count)
        process.stop()
        self.assertEqual(len(posts), count, self.describe(posts, process))
        return posts, process

    def run_init_error(self, files, handler, env=None):
        """Starts a client whose init fails; returns (init error post, exit code, process)."""
        api, process = self.start(files, handler, env)
        posts = api.wait_for_posts(1)
        code = process.wait_exit()
        self.assertEqual(len(posts), 1, self.describe(posts, process))
        self.assertEqual(posts[0].kind, "init_error", self.describe(posts, process))
        return posts[0], code, process

    @staticmethod
    def describe(posts, process):
        return "posts={!r}\nstdout={!r}\nstderr={!r}".format(
            posts, process.stdout_lines, process.stderr_lines
        )

    @staticmethod
    def body(post):
        return json.loads(post.body.decode("utf-8"))
