"""Starts the real streamstack binary on a free loopback port and hands out real clients.

Every e2e test drives the built binary (STREAMSTACK_BINARY, set by ctest) with boto3,
the aws CLI or raw sockets; nothing here mocks the server.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import boto3
import botocore
import botocore.session
from botocore.config import Config

BINARY = os.environ.get(
    "STREAMSTACK_BINARY",
    os.path.join(os.path.dirname(__file__), "..", "..", "build", "streamstack"))
REGION = "us-east-1"
# How much slower than a plain build the binary under test runs (a sanitizer build: the build
# sets it, tests/CMakeLists.txt); wall-clock bounds of performance assertions scale by it.
TIME_SCALE = float(os.environ.get("STREAMSTACK_TIME_SCALE", "1"))
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
_LISTENING = re.compile(r"listening on http://([0-9.]+):(\d+)")
# The aws CLI of the client generation under test (ctest sets it beside the Python that runs
# the tests: Debian's /usr/bin/aws with Debian's python3-boto3, or the newest CLI on PATH).
AWS_CLI = os.environ.get("STREAMSTACK_AWS_CLI", "aws")
_MODELS = {}
_AWS_CLI_MAJOR = {}


def aws_cli_major(cli=None):
    """The major version of an aws CLI (default AWS_CLI; 1 or 2), from its --version line
    (asked once per binary)."""
    cli = cli or AWS_CLI
    if cli not in _AWS_CLI_MAJOR:
        out = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=60)
        m = re.search(r"aws-cli/(\d+)\.", out.stdout + out.stderr)
        _AWS_CLI_MAJOR[cli] = int(m.group(1)) if m else 1
    return _AWS_CLI_MAJOR[cli]


def aws_cli_v2():
    """An aws CLI v2 for what only v2 has (`aws logs tail`): AWS_CLI when it is one, else
    Debian's /usr/bin/aws, which docker/install-deps.sh installs."""
    if aws_cli_major() >= 2:
        return AWS_CLI
    if os.path.exists("/usr/bin/aws") and aws_cli_major("/usr/bin/aws") >= 2:
        return "/usr/bin/aws"
    raise AssertionError("no aws CLI v2 here: run docker/install-deps.sh (Debian's awscli)")


def _service_model(service):
    if service not in _MODELS:
        _MODELS[service] = botocore.session.get_session().get_service_model(service)
    return _MODELS[service]


def botocore_has(service, operation, member=None, optional=None):
    """True when the installed botocore's model of `service` knows `operation` (and, when
    given, its input member `member`, and lets the request leave out `optional`). Older
    clients refuse unknown members, and missing ones their model requires, before sending."""
    model = _service_model(service)
    if operation not in model.operation_names:
        return False
    shape = model.operation_model(operation).input_shape
    if member is not None and (shape is None or member not in shape.members):
        return False
    return optional is None or shape is None or optional not in shape.required_members


def botocore_output_members(service, operation):
    """The response members the installed botocore's model of `operation` parses; an older
    client drops the ones it does not know (record_wire_bodies shows them all)."""
    shape = _service_model(service).operation_model(operation).output_shape
    return set(shape.members) if shape is not None else set()


def requires_botocore(service, operation, member=None, optional=None):
    """Skips a test (with its reason) when the installed botocore is too old to send
    `operation`/`member` (or to leave out `optional`); with requires_botocore_list, the only
    reasons an e2e test may be skipped."""
    what = f"{operation}.{member}" if member else operation
    if optional:
        what += f" without {optional}"
    return unittest.skipUnless(
        botocore_has(service, operation, member, optional),
        f"botocore {botocore.__version__} cannot send {service} {what}")


def botocore_list_allows(service, shape, length):
    """True when the installed botocore's model of `service` lets the list shape `shape` hold
    `length` members; an older model's cap is checked client-side, before anything is sent."""
    cap = _service_model(service).shape_for(shape).metadata.get("max")
    return cap is None or length <= cap


def requires_botocore_list(service, shape, length, why):
    """Skips a test (with its reason) when the installed botocore caps the list `shape` below
    `length` (botocore 1.29's dynamodb model caps KeySchema at 2, from before GSIs took
    multi-attribute keys): such a client cannot send the request at all. `why` says what the
    test needs the longer list for."""
    return unittest.skipUnless(
        botocore_list_allows(service, shape, length),
        f"botocore {botocore.__version__} caps {service} {shape} below {length} members "
        f"client-side ({why})")


def _path_with_this_python(path):
    """PATH with this interpreter's directory first, so python functions run on the Python
    that runs the tests. Debian's /usr/bin/python3 started directly (the e2e_debian tests)
    otherwise finds a version manager's shim first (pyenv's `python3` is a bash script that
    costs ~0.3 s of CPU per start): twenty concurrent cold starts would then measure the shim,
    not StreamStack. A fresh Debian, where python3 is /usr/bin/python3, is unchanged."""
    here = os.path.dirname(sys.executable)
    return os.pathsep.join([here] + [d for d in path.split(os.pathsep) if d and d != here])


class StreamStack:
    """One streamstack process. Use as a context manager or call start()/stop()."""

    def __init__(self, *args, data_dir=None, env=None, in_memory=False, log_level="info"):
        self.args = list(args)
        self.log_level = log_level
        self.own_dir = data_dir is None and not in_memory
        self.data_dir = data_dir or (None if in_memory else tempfile.mkdtemp(prefix="ss-e2e-"))
        self.in_memory = in_memory
        self.env = env or {}
        self.proc = None
        self.port = None
        self.log_lines = []
        self._ready = threading.Event()

    # -- lifecycle -------------------------------------------------------------------
    def start(self, timeout=10.0):
        cmd = [BINARY, "--port", "0", "--log-level", self.log_level]
        cmd += ["--in-memory"] if self.in_memory else ["--data-dir", self.data_dir]
        cmd += self.args
        env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMSTACK_")}
        env["PATH"] = _path_with_this_python(env.get("PATH", ""))
        env.update(self.env)
        self._ready.clear()
        self.log_lines = []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        if not self._ready.wait(timeout):
            self.kill()
            raise RuntimeError("streamstack did not start:\n" + "".join(self.log_lines))
        return self

    def _read_log(self):
        for line in self.proc.stderr:
            self.log_lines.append(line)
            m = _LISTENING.search(line)
            if m and not self._ready.is_set():
                self.port = int(m.group(2))
                self._ready.set()

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Stops the process with `sig` and returns its exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        # The last lines (e.g. "stopped cleanly") may still be in the pipe: read them before
        # anyone looks at log(); the pipe closes when the process is gone.
        self._reader.join(5.0)
        if not self._reader.is_alive():
            self.proc.stderr.close()
        self.proc = None
        self._fail_on_sanitizer_report()
        return code

    # What AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer and ThreadSanitizer
    # print (tools/sanitize.sh builds): a report fails the test even when the process
    # lived on (a leak found at exit, a report without halt_on_error).
    _SANITIZER_REPORT = re.compile(
        r"ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|: runtime error: ")

    def _fail_on_sanitizer_report(self):
        report = [line for line in self.log_lines if self._SANITIZER_REPORT.search(line)]
        if report:
            raise AssertionError("sanitizer report from streamstack:\n" + "".join(self.log_lines))

    def kill(self):
        """kill -9: no chance to flush or close anything."""
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self.own_dir and self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # -- clients ---------------------------------------------------------------------
    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def client(self, service, region=REGION, **config):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                          **config),
                            **CREDENTIALS)

    def resource(self, service, region=REGION):
        return boto3.resource(service, endpoint_url=self.endpoint, region_name=region,
                              config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
                              **CREDENTIALS)

    def aws_env(self, region=REGION):
        """The environment the aws CLI runs with against this server."""
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_DEFAULT_REGION": region, "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                    "AWS_MAX_ATTEMPTS": "1"})
        return env

    def aws_command(self, *args, cli=None):
        """The argv of an aws CLI call against this server (default CLI: AWS_CLI)."""
        cli = cli or AWS_CLI
        cmd = [cli, "--endpoint-url", self.endpoint, "--output", "json"]
        # CLI v1 takes a blob argument (lambda invoke --payload, a {"B": ...} value) as its raw
        # text; v2 expects base64 unless asked otherwise, and v1 does not know that option.
        if aws_cli_major(cli) >= 2:
            cmd += ["--cli-binary-format", "raw-in-base64-out"]
        return cmd + list(args)

    def aws(self, *args, check=True, region=REGION, cli=None):
        """Runs the real aws CLI against this server; returns (exit code, parsed JSON or text, stderr)."""
        cmd = self.aws_command(*args, cli=cli)
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.aws_env(region),
                              timeout=120)
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        out = proc.stdout
        try:
            out = json.loads(out) if out.strip() else None
        except json.JSONDecodeError:
            pass
        return proc.returncode, out, proc.stderr

    def http(self, method, path, body=None, headers=None, timeout=10):
        """A plain HTTP request; returns (status, headers, body bytes)."""
        req = urllib.request.Request(self.endpoint + path, data=body, method=method,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def raw(self, data, read=True, timeout=5.0):
        """Sends raw bytes on a new connection; returns what came back before close/timeout."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.sendall(data)
            if not read:
                return b""
            chunks = []
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except socket.timeout:
                pass
            return b"".join(chunks)

    def log(self):
        return "".join(self.log_lines)


def record_wire_bodies(client):
    """Keeps the JSON body of every response `client` receives in client.wire_bodies[operation]:
    what the server sent, before the installed botocore's model drops the members it does not
    know (an older client parses fewer response members). Returns the client."""
    client.wire_bodies = {}

    def keep(http_response, model, **_):
        if model.has_streaming_output:  # reading it here would consume the caller's stream
            return
        try:
            client.wire_bodies[model.name] = json.loads(http_response.content or b"null")
        except ValueError:
            client.wire_bodies[model.name] = None

    client.meta.events.register(
        "after-call." + client.meta.service_model.service_id.hyphenize(), keep)
    return client


class ServerTestCase(unittest.TestCase):
    """One server for the whole class (fast); tests that restart it make their own."""

    server_args = ()
    in_memory = False

    @classmethod
    def setUpClass(cls):
        cls.server = StreamStack(*cls.server_args, in_memory=cls.in_memory).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if cls.server.own_dir and cls.server.data_dir:
            shutil.rmtree(cls.server.data_dir, ignore_errors=True)
        assert code == 0, f"streamstack exited {code}:\n{cls.server.log()}"


def wait_until(predicate, timeout=10.0, interval=0.01):
    """Polls `predicate` until it returns a truthy value or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


def create_table(ddb, name, hash_key=("pk", "S"), range_key=None, **kwargs):
    """CreateTable through a boto3 client with an on-demand key schema: hash_key and range_key
    are (name, type) pairs; kwargs (StreamSpecification, indexes...) pass through."""
    keys = [(hash_key, "HASH")] + ([(range_key, "RANGE")] if range_key else [])
    return ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for (n, t), _ in keys],
        KeySchema=[{"AttributeName": n, "KeyType": kind} for (n, _), kind in keys],
        BillingMode="PAY_PER_REQUEST", **kwargs)
