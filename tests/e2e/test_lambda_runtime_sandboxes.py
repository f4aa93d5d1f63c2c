"""The life of local function sandboxes (issue 11): the concurrency cap and its throttles (for
direct invokes and for a stream mapping, which retries them as AWS does), reserved
concurrency, idle sandboxes stopping, DeleteFunction stopping them, and StreamStack's own end
(kill -9 or SIGTERM) leaving no runtime process behind; a machine without node/python3.
Function sources: functions/ (zipped at run time, see test_lambda_runtimes.zip_dir)."""
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import unittest

import botocore.exceptions

import harness
from harness import wait_until
from test_lambda_runtimes import (DebugStreamStack, ROLE, RuntimeCase, lambda_client, pid_alive,
                                  printed, wait_active, zip_dir)


def concurrently(n, fn):
    """Runs fn(i) in n threads released together; returns [(result, exception)] in order."""
    out = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        try:
            out[i] = (fn(i), None)
        except Exception as e:  # noqa: BLE001 - returned to the caller
            out[i] = (None, e)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


class ThrottleTest(RuntimeCase):
    server_args = ("--poll-interval-ms", "0", "--function-concurrency", "2",
                   "--sandbox-idle-timeout-ms", "600")

    def assertThrottled(self, error, reason):
        self.assertIsInstance(error, botocore.exceptions.ClientError, repr(error))
        resp = error.response
        self.assertEqual(resp["Error"]["Code"], "TooManyRequestsException")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 429)
        self.assertEqual(resp["Error"]["Message"], "Rate Exceeded.")
        self.assertEqual(resp.get("Reason"), reason)

    # 6. Six at once with --function-concurrency 2: two run, four are throttled.
    def test_invocations_beyond_the_concurrency_are_throttled(self):
        self.create("capped", "python3.12", "python", "app.sleep")
        results = concurrently(6, lambda i: self.invoke("capped", {"ms": 800}))
        ok = [r for r, e in results if e is None]
        errors = [e for r, e in results if e is not None]
        self.assertEqual(len(ok), 2, results)
        for resp, body in ok:
            self.assertSucceeded(resp, body)
        self.assertEqual(len({body["pid"] for _, body in ok}), 2)
        self.assertEqual(len(errors), 4)
        for e in errors:
            self.assertThrottled(e, "ConcurrentInvocationLimitExceeded")
        # Once they are done, the function takes invocations again (on a warm sandbox).
        resp, body = self.invoke("capped", {"ms": 0})
        self.assertSucceeded(resp, body)
        self.assertIn(body["pid"], {b["pid"] for _, b in ok})

    def test_reserved_concurrency(self):
        self.create("reserved", "python3.12", "python", "app.sleep")
        self.lam.put_function_concurrency(FunctionName="reserved",
                                          ReservedConcurrentExecutions=1)
        results = concurrently(3, lambda i: self.invoke("reserved", {"ms": 600}))
        self.assertEqual(sum(1 for r, e in results if e is None), 1, results)
        for _, e in results:
            if e is not None:
                self.assertThrottled(e, "ReservedFunctionConcurrentInvocationLimitExceeded")
        # Reserved concurrency 0: every invocation is throttled (AWS: the function is stopped).
        self.lam.put_function_concurrency(FunctionName="reserved",
                                          ReservedConcurrentExecutions=0)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.invoke("reserved", {"ms": 0})
        self.assertThrottled(ctx.exception, "ReservedFunctionConcurrentInvocationLimitExceeded")

    def test_concurrency_api(self):
        """Put/Get/DeleteFunctionConcurrency and GetAccountSettings as AWS answers them."""
        self.create("conc", "python3.12", "python", "app.sleep")
        before = self.lam.get_account_settings()
        self.assertEqual(before["AccountLimit"]["ConcurrentExecutions"], 1000)
        self.assertEqual(before["AccountLimit"]["CodeSizeUnzipped"], 262144000)
        self.assertGreaterEqual(before["AccountUsage"]["FunctionCount"], 1)
        unreserved = before["AccountLimit"]["UnreservedConcurrentExecutions"]
        self.assertEqual(self.lam.get_function_concurrency(FunctionName="conc").get(
            "ReservedConcurrentExecutions"), None)
        put = self.lam.put_function_concurrency(FunctionName="conc", ReservedConcurrentExecutions=5)
        self.assertEqual(put["ReservedConcurrentExecutions"], 5)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName="conc")[
            "ReservedConcurrentExecutions"], 5)
        self.assertEqual(self.lam.get_function(FunctionName="conc")["Concurrency"],
                         {"ReservedConcurrentExecutions": 5})
        self.assertEqual(self.lam.get_account_settings()["AccountLimit"][
            "UnreservedConcurrentExecutions"], unreserved - 5)
        # AWS keeps at least 100 of the account's 1000 unreserved.
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as ctx:
            self.lam.put_function_concurrency(FunctionName="conc", ReservedConcurrentExecutions=950)
        self.assertEqual(ctx.exception.response["Error"]["Message"],
                         "Specified ReservedConcurrentExecutions for function decreases account's "
                         "UnreservedConcurrentExecution below its minimum value of [100].")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.put_function_concurrency(FunctionName="no-such-fn",
                                              ReservedConcurrentExecutions=1)
        self.lam.delete_function_concurrency(FunctionName="conc")
        self.assertNotIn("ReservedConcurrentExecutions",
                         self.lam.get_function_concurrency(FunctionName="conc"))
        self.assertNotIn("Concurrency", self.lam.get_function(FunctionName="conc"))

    def test_mapping_retries_throttled_batches(self):
        """Both sandboxes busy when the records arrive: the mapping's invoke is throttled, and
        (a throttle being no function error, counted against no retry limit) it is retried
        until the records are delivered, even with MaximumRetryAttempts 0."""
        name = "throttled-consumer"
        self.create(name, "python3.12", "python", "app.mixed", timeout=10)
        table = "throttle-source"
        stream_arn = harness.create_table(self.ddb, table, StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})["TableDescription"][
                "LatestStreamArn"]
        uuid = self.lam.create_event_source_mapping(
            FunctionName=name, EventSourceArn=stream_arn, StartingPosition="LATEST",
            BatchSize=10, MaximumRetryAttempts=0)["UUID"]
        self.assertTrue(wait_until(lambda: self.lam.get_event_source_mapping(
            UUID=uuid)["State"] == "Enabled", timeout=10))
        # Occupy both sandboxes for 1.5 s.
        holders = []
        for _ in range(2):
            t = threading.Thread(target=lambda: holders.append(self.invoke(name, {"ms": 1500})))
            t.start()
            holders.append(t)
        self.assertTrue(wait_until(lambda: printed(self.server, name).count("SLEEPING") == 2,
                                   timeout=5), printed(self.server, name))
        for i in range(5):
            self.ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}})

        def delivered():
            return [line.split()[1] for line in printed(self.server, name)
                    if line.startswith("RECORD ")]
        self.assertTrue(wait_until(lambda: len(delivered()) >= 5, timeout=15),
                        f"delivered: {delivered()}\n{self.server.log()[-3000:]}")
        for t in [h for h in holders if isinstance(h, threading.Thread)]:
            t.join(5)
        for resp, body in [h for h in holders if isinstance(h, tuple)]:
            self.assertSucceeded(resp, body)
        lines = printed(self.server, name)
        self.assertEqual(lines.count("SLEPT"), 2, lines)
        # The records ran only after a holder let its sandbox go: they were throttled first.
        self.assertLess(lines.index("SLEPT"), lines.index(next(
            line for line in lines if line.startswith("RECORD "))))
        self.assertEqual(len(delivered()), 5, "each record exactly once")
        streams = self.server.client("dynamodbstreams")
        shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
        it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(delivered(), [r["eventID"] for r in streams.get_records(
            ShardIterator=it)["Records"]])

    def test_idle_sandboxes_stop(self):
        self.create("idle", "nodejs20.x", "node", "index.sleep")
        _, first = self.invoke("idle", {"ms": 0})
        _, again = self.invoke("idle", {"ms": 0})
        self.assertEqual(again["pid"], first["pid"], "warm")
        # --sandbox-idle-timeout-ms 600: gone soon after, and the next invoke starts a new one.
        self.assertTrue(wait_until(lambda: not pid_alive(first["pid"]), timeout=3))
        resp, later = self.invoke("idle", {"ms": 0})
        self.assertSucceeded(resp, later)
        self.assertNotEqual(later["pid"], first["pid"])

    def test_delete_function_stops_its_sandboxes(self):
        self.create("deleted", "python3.12", "python", "app.sleep")
        results = concurrently(2, lambda i: self.invoke("deleted", {"ms": 300}))
        pids = {r[1]["pid"] for r, e in results}
        self.assertEqual(len(pids), 2)
        self.lam.delete_function(FunctionName="deleted")
        self.assertTrue(wait_until(lambda: not any(map(pid_alive, pids)), timeout=2))
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.invoke("deleted")


class StopTest(unittest.TestCase):
    """10. StreamStack ending, by kill -9 or SIGTERM, takes every sandbox process with it."""

    FUNCTIONS = [
        # name, runtime, code, handler, payload; each answers {"pid": ...}
        ("stop-node", "nodejs20.x", "node", "index.sleep", {"ms": 0}),
        ("stop-python", "python3.12", "python", "app.sleep", {"ms": 0}),
        ("stop-bootstrap", "provided.al2023", "bootstrap_curl", "x.y", {}),
    ]

    def start_with_warm_sandboxes(self):
        server = DebugStreamStack("--function-concurrency", "4").start()
        self.addCleanup(shutil.rmtree, server.data_dir, ignore_errors=True)
        self.addCleanup(server.stop, signal.SIGKILL)
        lam = lambda_client(server)
        pids = {}
        for name, runtime, code, handler, payload in self.FUNCTIONS:
            lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                                Code={"ZipFile": zip_dir(code)}, Timeout=5)
            wait_active(lam, name)
            # Two sandboxes each: two invocations at once.
            payload = dict(payload, ms=300) if payload else {}
            for resp, error in concurrently(2, lambda i: lam.invoke(
                    FunctionName=name, Payload=json.dumps(payload))):
                self.assertIsNone(error)
                body = json.loads(resp["Payload"].read())
                self.assertNotIn("FunctionError", resp, body)
                pids.setdefault(name, set()).add(body["pid"])
        for name in ("stop-node", "stop-python"):  # they sleep 300 ms: two sandboxes each
            self.assertEqual(len(pids[name]), 2, name)
        # The runtime clients and the bootstrap run from under the data directory.
        found = subprocess.run(["pgrep", "-f", server.data_dir], capture_output=True, text=True)
        under_data_dir = {int(p) for p in found.stdout.split()} - {server.proc.pid}
        everything = set().union(*pids.values())
        self.assertLessEqual(everything, under_data_dir)
        return server, lam, everything | under_data_dir

    def test_kill_9_leaves_no_runtime_process(self):
        server, _, pids = self.start_with_warm_sandboxes()
        groups = {os.getpgid(p) for p in pids if pid_alive(p)}
        server.kill()
        self.assertTrue(wait_until(lambda: not [p for p in pids if pid_alive(p)], timeout=2),
                        f"still running after kill -9: {[p for p in pids if pid_alive(p)]}")
        # Nor anything else of their process groups (curl of the shell runtime, ...).
        self.assertTrue(wait_until(lambda: not members_of(groups), timeout=2), members_of(groups))

    def test_kill_9_takes_the_sandboxes_children_too(self):
        """A function's own child process (here `sleep 300`) dies with its sandbox, as when
        AWS tears down an execution environment."""
        server = DebugStreamStack().start()
        self.addCleanup(shutil.rmtree, server.data_dir, ignore_errors=True)
        self.addCleanup(server.stop, signal.SIGKILL)
        lam = lambda_client(server)
        children = []
        self.addCleanup(lambda: [os.kill(c, signal.SIGKILL) for c in children if pid_alive(c)])
        for name, runtime, code, handler in (("child-python", "python3.12", "python",
                                              "app.spawn_child"),
                                             ("child-node", "nodejs20.x", "node",
                                              "index.spawnChild")):
            lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                                Code={"ZipFile": zip_dir(code)})
            wait_active(lam, name)
            body = json.loads(lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read())
            self.assertTrue(pid_alive(body["child"]))
            children.append(body["child"])
        server.kill()
        self.assertTrue(wait_until(lambda: not [c for c in children if pid_alive(c)], timeout=2),
                        "children of sandboxes still running after kill -9: " +
                        ", ".join(f"{c} ({cmdline(c)})" for c in children if pid_alive(c)))

    def test_restart_after_kill_9_runs_the_code_again(self):
        """The data directory keeps functions and their unpacked code across a kill -9; the
        restarted server runs them without anything left over getting in the way."""
        server = DebugStreamStack().start()
        self.addCleanup(shutil.rmtree, server.data_dir, ignore_errors=True)
        self.addCleanup(server.stop, signal.SIGKILL)
        lam = lambda_client(server)
        lam.create_function(FunctionName="survivor", Runtime="python3.12", Role=ROLE,
                            Handler="app.sleep", Code={"ZipFile": zip_dir("python")})
        wait_active(lam, "survivor")
        before = json.loads(lam.invoke(FunctionName="survivor", Payload=b"{}")["Payload"].read())
        server.kill()
        server.start()
        lam = lambda_client(server)
        resp = lam.invoke(FunctionName="survivor", Payload=b"{}")
        after = json.loads(resp["Payload"].read())
        self.assertNotIn("FunctionError", resp, after)
        self.assertNotEqual(after["pid"], before["pid"])
        self.assertFalse(pid_alive(before["pid"]))

    def test_sigterm_stops_fast_and_cleanly(self):
        server, _, pids = self.start_with_warm_sandboxes()
        started = time.monotonic()
        code = server.stop()
        took = time.monotonic() - started
        self.assertEqual(code, 0, server.log()[-2000:])
        self.assertLess(took, 3.0, f"stopping with warm sandboxes took {took:.2f} s")
        self.assertTrue(wait_until(lambda: not [p for p in pids if pid_alive(p)], timeout=1),
                        f"still running after SIGTERM: {[p for p in pids if pid_alive(p)]}")

    def test_sigterm_with_an_invocation_in_flight(self):
        """A stop with an invocation in flight (a sandbox sleeping) is still fast."""
        server = DebugStreamStack().start()
        self.addCleanup(shutil.rmtree, server.data_dir, ignore_errors=True)
        self.addCleanup(server.stop, signal.SIGKILL)
        lam = lambda_client(server)
        lam.create_function(FunctionName="busy", Runtime="python3.12", Role=ROLE,
                            Handler="app.sleep", Code={"ZipFile": zip_dir("python")}, Timeout=30)
        wait_active(lam, "busy")
        outcome = []
        t = threading.Thread(target=lambda: outcome.append(_invoke_catching(
            lam, "busy", {"ms": 20000, "say": "sleeping"})))
        t.start()
        self.assertTrue(wait_until(lambda: "sleeping" in printed(server, "busy"), timeout=5))
        started = time.monotonic()
        self.assertEqual(server.stop(), 0)
        self.assertLess(time.monotonic() - started, 3.0)
        t.join(5)
        self.assertFalse(t.is_alive(), "the in-flight Invoke was left hanging")


def _invoke_catching(lam, name, payload):
    try:
        return lam.invoke(FunctionName=name, Payload=json.dumps(payload))
    except Exception as e:  # noqa: BLE001 - the caller looks at it
        return e


def members_of(groups):
    """Live processes whose process group is one of `groups`."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] not in ("Z", "X") and int(fields[2]) in groups:
            out.append(f"{entry} ({cmdline(int(entry))})")
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


class MissingRuntimeProgramTest(RuntimeCase):
    """11. node and python3 are not on this machine's PATH: Invoke says what to install."""

    server_env = {"PATH": "/nonexistent"}

    def test_missing_node_and_python(self):
        for runtime, code, handler, hint in (
                ("nodejs20.x", "node", "index.sleep", "install Node.js"),
                ("python3.12", "python", "app.sleep", "install Python 3")):
            with self.subTest(runtime=runtime):
                name = "missing-" + runtime.split(".")[0]
                self.create(name, runtime, code, handler)
                with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                    self.invoke(name)
                err = ctx.exception.response
                self.assertEqual(err["Error"]["Code"], "InvalidRuntimeException")
                self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 502)
                self.assertIn(hint, err["Error"]["Message"])
                self.assertIn(f"--runtime-command {runtime}=", err["Error"]["Message"])


if __name__ == "__main__":
    unittest.main()
