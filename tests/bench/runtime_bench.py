#!/usr/bin/env python3
"""Functions that run their own code in local sandboxes (issue 11), side by side with the same
function behind HTTP (STREAMSTACK_INVOKE_URL to a small keep-alive node server answering the
Invoke contract, runtime_bench/http_function.js) and with a direct call to that server.

Phases (each on a fresh StreamStack; everything on 127.0.0.1):
  cold      --cold N new functions per runtime (unique zips, so unpacking is included), one
            Invoke each, then DeleteFunction (which stops the sandbox). Invoke round trip, and
            from the server's debug line "sandbox N started" (ms resolution, so up to 1 ms
            early; where the server writes it relative to exec is its own business, so for node
            the process's own performance.timeOrigin is given too) to the handler module's
            load (the first /next follows at once) and the handler's call (all three clocks
            are CLOCK_REALTIME). python runs as `python3` from PATH; when that is a script (a
            pyenv shim) the same is repeated with PATH leading to the interpreter itself.
            Then RSS: a node and a python sandbox after their first invocation, StreamStack
            with 0 sandboxes and with 10 warm node sandboxes.
  latency   --function-concurrency 1; one raw keep-alive client (a socket, TCP_NODELAY, each
            request in one write), targets interleaved in blocks: direct to the HTTP server,
            Invoke of the HTTP function, Invoke of the node and python sandbox functions
            (trivial handler that returns the event; it keeps its own time, asked for
            afterwards), and of a provided.al2023 function whose bootstrap is the smallest
            Runtime API loop (runtime_bench/mini: raw socket, no http module): the floor of the
            Runtime API path, so the rest of the node figure is the runtime client's. Run
            twice: as the scheduler places things, and with the client, StreamStack, its
            sandboxes and the HTTP function all pinned to one CPU (no cross-CPU wake-ups,
            which on this VM add 100-200 us per Invoke and make the unpinned figure bimodal).
  tput      wrk (runtime_bench/post.lua) -t1 -c1 with --function-concurrency 1, and -t2 -c4
            with --function-concurrency 4; the five targets in rotated order, --tput-rounds each.
  esm       --poll-interval-ms 0; --records items written to a stream-enabled table first, then
            per round and target a mapping (TRIM_HORIZON, BatchSize 1000) is created and timed
            until the function has seen every record (the function writes the time it did to a
            file); targets: node sandbox, the HTTP server (it parses each event as a runtime
            would), python sandbox. Both functions are warm before their mapping starts.

Usage: tests/bench/runtime_bench.py [--binary build/streamstack] [--cold 15] [--records 100000]
       [--esm-rounds 3] [--tput-seconds 3] [--tput-rounds 2] [--phases cold,latency,tput,esm]
       [--json results.jsonl]
       tests/bench/runtime_bench.py --aggregate results.jsonl
Prints a table of medians (p99 where meaningful) with the load average at start and end;
--json appends the run's figures as one JSON line, --aggregate prints the medians across the
runs of such a file. One run takes about 1.7 minutes; needs node, python3 and wrk.
"""
import argparse
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from datetime import datetime, timezone

import esm_bench_common as common  # puts tests/e2e on sys.path
import harness
from esm_throughput import load

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "runtime_bench")
ROLE = "arn:aws:iam::000000000000:role/bench"
EMPTY_ZIP = b"PK\x05\x06" + b"\x00" * 18
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length:[ \t]*(\d+)")
_STARTED = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z .*runtime: (\S+) sandbox \d+ started \(pid (\d+)")


# -- helpers ---------------------------------------------------------------------------------

def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def med(values):
    return statistics.median(values) if values else float("nan")


class Server(harness.StreamStack):
    """harness.StreamStack that waits for a binary being rebuilt before it starts."""

    def __init__(self, *args, log_level="info", env=None):
        super().__init__(*args, env=env, log_level=log_level)

    def start(self, timeout=10.0):
        wait_for_binary()
        return super().start(timeout)


def wait_for_binary(limit=300):
    """Waits while the binary is missing or being rebuilt (not executable, or changed in the
    last 2 s)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            st = os.stat(harness.BINARY)
            if os.access(harness.BINARY, os.X_OK) and time.time() - st.st_mtime > 2:
                return st.st_mtime
        except FileNotFoundError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{harness.BINARY} is missing or not executable")
        time.sleep(1)


class Raw:
    """One keep-alive connection on a raw socket; POST only. Each request leaves in one write
    (http.client sends the head and the body in two), and nothing but the status and a
    Content-Length body is parsed."""

    def __init__(self, port):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError(f"127.0.0.1:{self.port} closed the connection")
        self.buf += chunk

    def post(self, path, body):
        self.sock.sendall(b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                          b"\r\nContent-Length: %d\r\n\r\n%s" % (path.encode(), len(body), body))
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            self._fill()
        head = self.buf[:end]
        m = _CONTENT_LENGTH.search(head)
        if m is None:
            raise RuntimeError(f"no Content-Length in {head[:300]!r}")
        size = int(m.group(1))
        while len(self.buf) < end + 4 + size:
            self._fill()
        data = self.buf[end + 4:end + 4 + size]
        self.buf = self.buf[end + 4 + size:]
        return int(head[9:12]), data

    def invoke(self, name, event):
        status, data = self.post(f"/2015-03-31/functions/{name}/invocations",
                                 json.dumps(event).encode())
        if status != 200:
            raise RuntimeError(f"Invoke {name}: {status} {data[:300]!r}")
        return json.loads(data) if data else None

    def close(self):
        self.sock.close()


class HttpFunction:
    """runtime_bench/http_function.js in a node process of its own."""

    def __init__(self):
        self.proc = subprocess.Popen(["node", os.path.join(FILES, "http_function.js")],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"http_function.js did not start: {line!r}")
        self.port = int(line.split()[1])

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def zip_of(folder, nonce=None):
    buf = io.BytesIO()
    root = os.path.join(FILES, folder)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(os.listdir(root)):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o100755 if name == "bootstrap" else 0o100644) << 16
            with open(os.path.join(root, name), "rb") as f:
                z.writestr(info, f.read())
        if nonce is not None:  # a CodeSha256 of its own: the first invoke unpacks it
            z.writestr(zipfile.ZipInfo("nonce.txt", date_time=(2024, 1, 1, 0, 0, 0)), str(nonce))
    return buf.getvalue()


RUNTIMES = {"node": ("nodejs20.x", "node", "index"), "python": ("python3.12", "python", "app"),
            "mini": ("provided.al2023", "mini", "unused")}


def create_local(lam, name, kind, handler, nonce=None, env=None):
    runtime, folder, module = RUNTIMES[kind]
    kwargs = {"Environment": {"Variables": env}} if env else {}
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Timeout=30,
                        Handler=f"{module}.{handler}", Code={"ZipFile": zip_of(folder, nonce)},
                        **kwargs)
    wait_active(lam, name)


def create_http(lam, name, url):
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Timeout=30,
                        Handler="index.handler", Code={"ZipFile": EMPTY_ZIP},
                        Environment={"Variables": {"STREAMSTACK_INVOKE_URL": url}})
    wait_active(lam, name)


def wait_active(lam, name, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = lam.get_function_configuration(FunctionName=name)
        if c.get("State", "Active") == "Active" and \
                c.get("LastUpdateStatus", "Successful") == "Successful":
            return
        time.sleep(0.02)
    raise RuntimeError(f"{name} did not become Active")


def python_is_script():
    """True when `python3` on PATH is a script (e.g. a pyenv shim) rather than an interpreter."""
    path = shutil.which("python3")
    if not path:
        return False
    with open(path, "rb") as f:
        return f.read(2) == b"#!"


def log_epoch_ms(ts):
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%f").replace(
        tzinfo=timezone.utc).timestamp() * 1000


# -- phases ----------------------------------------------------------------------------------

def cold_starts(kinds, n, env=None, with_memory=False):
    """Returns {kind: [sample dicts]} and, with_memory, the RSS figures."""
    out = {k: [] for k in kinds}
    mem = {}
    with Server("--function-concurrency", "10", log_level="debug", env=env) as server:
        lam = server.client("lambda")
        names = []
        for i in range(n + 1):  # the first of each kind is a warm-up (node/python page cache)
            for k in kinds:
                name = f"cold-{k}-{i}"
                create_local(lam, name, k, "info", nonce=f"{k}-{i}-{time.time()}")
                names.append((i, k, name))
        time.sleep(0.3)
        if with_memory:
            mem["streamstack_rss_0_mib"] = common.rss_mib(server.proc.pid)
        raw = Raw(server.port)
        sent = {}
        for i, k, name in names:
            t_sent = time.time()
            t0 = time.perf_counter()
            info = raw.invoke(name, {})
            t1 = time.perf_counter()
            t_recv = time.time()
            rss = common.rss_mib(info["pid"])
            lam.delete_function(FunctionName=name)
            if i > 0:
                sent[name] = (k, t_sent, t_recv, (t1 - t0) * 1000, info, rss)
            time.sleep(0.1)  # the stopped sandbox's exit and reaping are not in the next one
        time.sleep(0.2)
        spawned = {}
        for line in list(server.log_lines):
            m = _STARTED.search(line)
            if m:
                spawned[m.group(2)] = log_epoch_ms(m.group(1))
        for name, (k, t_sent, t_recv, invoke_ms, info, rss) in sent.items():
            s = {"invoke_ms": invoke_ms, "rss_mib": rss}
            if "timeOrigin" in info:  # node's own start time, whatever the server logs when
                s["sent_to_node_start_ms"] = info["timeOrigin"] - t_sent * 1000
                s["node_start_to_loaded_ms"] = info["loadedAt"] - info["timeOrigin"]
                s["node_start_to_handler_ms"] = info["calledAt"] - info["timeOrigin"]
            spawn = spawned.get(name)
            if spawn is not None:
                s["sent_to_spawn_ms"] = spawn - t_sent * 1000
                s["spawn_to_loaded_ms"] = info["loadedAt"] - spawn
                s["spawn_to_handler_ms"] = info["calledAt"] - spawn
                if "timeOrigin" in info:
                    s["spawn_to_node_start_ms"] = info["timeOrigin"] - spawn
            s["handler_to_response_ms"] = t_recv * 1000 - info["calledAt"]
            out[k].append(s)
        if with_memory:
            # 10 warm node sandboxes: 10 invocations at once, each on a sandbox of its own.
            create_local(lam, "warm10", "node", "sleep")
            time.sleep(0.3)
            pids, errors = [None] * 10, []
            barrier = threading.Barrier(10)

            def one(j):
                try:
                    c = Raw(server.port)
                    barrier.wait()
                    pids[j] = c.invoke("warm10", {"ms": 800})["pid"]
                    c.close()
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(e)
            ts = [threading.Thread(target=one, args=(j,)) for j in range(10)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(60)
            if errors:
                raise RuntimeError(f"10 warm sandboxes: {errors[0]}")
            time.sleep(0.5)
            mem["warm_sandboxes"] = len(set(pids))
            mem["streamstack_rss_10_mib"] = common.rss_mib(server.proc.pid)
            mem["node_warm_sandbox_rss_mib"] = med([common.rss_mib(p) for p in set(pids)])
        raw.close()
    return out, mem


def latency(targets, rounds=5, block=400, warm=200):
    """targets: {label: (port, path)}; returns {label: [seconds]}."""
    clients = {label: Raw(port) for label, (port, _) in targets.items()}
    body = b'{"k": "v"}'
    times = {label: [] for label in targets}

    def run(label, count, keep):
        c, path = clients[label], targets[label][1]
        for _ in range(count):
            t0 = time.perf_counter()
            status, _ = c.post(path, body)
            dt = time.perf_counter() - t0
            if status != 200:
                raise RuntimeError(f"{label}: {status}")
            if keep:
                times[label].append(dt)
    labels = list(targets)
    for label in labels:
        run(label, warm, False)
    for r in range(rounds):
        order = labels[r % len(labels):] + labels[:r % len(labels)]
        for label in order:
            run(label, block, True)
    for c in clients.values():
        c.close()
    return times


WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_PCT = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url, threads, conns, seconds):
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{max(1, int(round(seconds)))}s",
                          "--latency", "-s", os.path.join(FILES, "post.lua"), url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    m = WRK_RPS.search(out)
    if not m:
        raise RuntimeError(f"wrk: {out}")
    bad = WRK_NON2XX.search(out)
    lat = {}
    for p, v, unit in WRK_PCT.findall(out):
        lat[p] = float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return float(m.group(1)), int(bad.group(1)) if bad else 0, lat


def throughput(server_port, fn_port, conc, seconds, rounds):
    threads = 1 if conc == 1 else 2
    urls = {"direct": f"http://127.0.0.1:{fn_port}/echo"}
    for label, name in (("http", "echo-http"), ("node", "echo-node"), ("python", "echo-py"),
                        ("mini", "echo-mini")):
        urls[label] = f"http://127.0.0.1:{server_port}/2015-03-31/functions/{name}/invocations"
    res = {label: {"rps": [], "non2xx": 0, "p50": [], "p99": []} for label in urls}
    for label, url in urls.items():  # warm-up: starts the sandboxes, opens the connections
        wrk(url, threads, conc, 1)
    labels = list(urls)
    for r in range(rounds):
        order = labels[r % len(labels):] + labels[:r % len(labels)]
        for label in order:
            rps, bad, lat = wrk(urls[label], threads, conc, seconds)
            res[label]["rps"].append(rps)
            res[label]["non2xx"] += bad
            res[label]["p50"].append(lat.get("50", float("nan")))
            res[label]["p99"].append(lat.get("99", float("nan")))
    return {label: {"rps": med(v["rps"]), "non2xx": v["non2xx"], "p50_ms": med(v["p50"]),
                    "p99_ms": med(v["p99"])} for label, v in res.items()}


def set_affinity(pid, cpus):
    """Every thread of `pid` onto `cpus`."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except (ProcessLookupError, PermissionError):
            pass


def phase_latency(fn, pinned):
    """One latency pass on a fresh --function-concurrency 1 server. pinned: the client, the
    server (and so its sandboxes) and the HTTP function all on one CPU: no cross-CPU wake-ups."""
    mask = os.sched_getaffinity(0)
    cpu = {min(mask)}
    if pinned:
        os.sched_setaffinity(0, cpu)  # this thread; the server and its sandboxes inherit it
        set_affinity(fn.proc.pid, cpu)
    try:
        with Server("--function-concurrency", "1") as server:
            lam = server.client("lambda")
            create_local(lam, "echo-node", "node", "echo")
            create_local(lam, "echo-py", "python", "echo")
            create_http(lam, "echo-http", fn.url("/echo"))
            create_local(lam, "echo-mini", "mini", "echo")
            inv = "/2015-03-31/functions/{}/invocations"
            times = latency({
                "direct": (fn.port, "/echo"),
                "http": (server.port, inv.format("echo-http")),
                "node": (server.port, inv.format("echo-node")),
                "python": (server.port, inv.format("echo-py")),
                "mini": (server.port, inv.format("echo-mini")),
            })
            raw = Raw(server.port)
            handler_us = {
                "node": med(raw.invoke("echo-node", {"__stats": True})["handlerNs"]) / 1000,
                "python": med(raw.invoke("echo-py", {"__stats": True})["handlerNs"]) / 1000,
                "direct": 0.0, "http": 0.0, "mini": 0.0}
            raw.close()
    finally:
        if pinned:
            os.sched_setaffinity(0, mask)
            set_affinity(fn.proc.pid, mask)
    return {label: {"p50_us": med(t) * 1e6, "p99_us": pct(t, 99) * 1e6, "n": len(t),
                    "handler_us": handler_us[label]} for label, t in times.items()}


def phase_tput(fn, seconds, rounds):
    """wrk -c1 on a --function-concurrency 1 server, then -c4 on one with 4."""
    out = {}
    for conc in (1, 4):
        with Server("--function-concurrency", str(conc)) as server:
            lam = server.client("lambda")
            create_local(lam, "echo-node", "node", "echo")
            create_local(lam, "echo-py", "python", "echo")
            create_http(lam, "echo-http", fn.url("/echo"))
            create_local(lam, "echo-mini", "mini", "echo")
            out[f"tput_c{conc}"] = throughput(server.port, fn.port, conc, seconds, rounds)
    return out


def phase_esm(fn, records, rounds):
    out = {"node": [], "http": [], "python": []}
    tmp = tempfile.mkdtemp(prefix="ss-runtime-bench-")
    try:
        with Server("--poll-interval-ms", "0") as server:
            ddb, lam = server.client("dynamodb"), server.client("lambda")
            stream = common.create_table(ddb, "tput")
            t0 = time.perf_counter()
            n = load(server.port, "tput", records)
            load_s = time.perf_counter() - t0
            create_local(lam, "rec-node", "node", "records")
            create_local(lam, "rec-py", "python", "records")
            create_http(lam, "rec-http", fn.url("/records"))
            raw = Raw(server.port)
            direct = Raw(fn.port)
            pids = {"http": fn.proc.pid}
            raw.invoke("rec-http", {})  # the emulator's connection to the HTTP function
            labels = ["node", "http", "python"]
            names = {"node": "rec-node", "http": "rec-http", "python": "rec-py"}
            for r in range(rounds):
                order = labels[r % len(labels):] + labels[:r % len(labels)]
                for label in order:
                    path = os.path.join(tmp, f"{label}-{r}.json")
                    reset = {"target": n, "out": path}
                    if label == "http":
                        direct.post("/reset", json.dumps(reset).encode())
                    else:
                        pids[label] = raw.invoke(names[label], {"__reset": reset})["pid"]
                    time.sleep(0.2)
                    scpu0 = common.cpu_seconds(server.proc.pid)
                    fcpu0 = common.cpu_seconds(pids[label])
                    t_start = time.time()
                    uuid = lam.create_event_source_mapping(
                        FunctionName=names[label], EventSourceArn=stream,
                        StartingPosition="TRIM_HORIZON", BatchSize=1000)["UUID"]
                    deadline = time.monotonic() + 120
                    while not os.path.exists(path):
                        if time.monotonic() > deadline:
                            raise RuntimeError(f"esm {label}: not every record arrived")
                        time.sleep(0.005)
                    scpu = common.cpu_seconds(server.proc.pid) - scpu0
                    fcpu = common.cpu_seconds(pids[label]) - fcpu0
                    with open(path) as f:
                        done = json.load(f)
                    lam.delete_event_source_mapping(UUID=uuid)
                    secs = (done["lastAt"] - t_start * 1000) / 1000
                    out[label].append({
                        "rps": n / secs, "first_ms": done["firstAt"] - t_start * 1000,
                        "invokes": done["invokes"], "server_cpu_ms_per_1k": scpu * 1e6 / n,
                        "fn_cpu_ms_per_1k": fcpu * 1e6 / n})
                    time.sleep(0.3)
            raw.close()
            direct.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"records": n, "load_s": load_s,
            **{label: {k: med([s[k] for s in v]) for k in v[0]} for label, v in out.items()}}


# -- report ----------------------------------------------------------------------------------

def summarize_cold(samples):
    keys = ["invoke_ms", "sent_to_spawn_ms", "spawn_to_node_start_ms", "spawn_to_loaded_ms",
            "spawn_to_handler_ms", "handler_to_response_ms", "rss_mib", "sent_to_node_start_ms",
            "node_start_to_loaded_ms", "node_start_to_handler_ms"]
    out = {"n": len(samples)}
    for k in keys:
        vals = [s[k] for s in samples if k in s]
        if vals:
            out[k] = med(vals)
            if k == "invoke_ms":
                out["invoke_p90_ms"] = pct(vals, 90)
    return out


def merge_median(runs):
    """One result whose numbers are the medians of the runs' (load averages: of each field)."""
    first = runs[0]
    if isinstance(first, dict):
        return {k: merge_median([r[k] for r in runs if k in r]) for k in first}
    if isinstance(first, list):
        return [merge_median([r[i] for r in runs]) for i in range(len(first))]
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        return med(runs)
    return first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=None)
    ap.add_argument("--cold", type=int, default=15, help="cold starts per runtime")
    ap.add_argument("--records", type=int, default=100000)
    ap.add_argument("--esm-rounds", type=int, default=3)
    ap.add_argument("--tput-seconds", type=int, default=3)
    ap.add_argument("--tput-rounds", type=int, default=2)
    ap.add_argument("--phases", default="cold,latency,tput,esm")
    ap.add_argument("--json", default=None, help="append this run's figures as one JSON line")
    ap.add_argument("--aggregate", default=None, metavar="JSONL",
                    help="run nothing: print the medians across the runs recorded in JSONL")
    args = ap.parse_args()
    if args.aggregate:
        with open(args.aggregate) as f:
            runs = [json.loads(line) for line in f if line.strip()]
        print(f"medians across {len(runs)} runs; load average (1 min) at start/end of each: "
              + ", ".join(f"{r['load_start'][0]:.1f}/{r['load_end'][0]:.1f}" for r in runs))
        report(merge_median(runs), across_runs=True)
        return
    if args.binary:
        harness.BINARY = os.path.abspath(args.binary)
    phases = set(args.phases.split(","))
    result = {"load_start": os.getloadavg(), "started": time.time(),
              "binary_mtime": wait_for_binary()}
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in result['load_start'])}",
          flush=True)

    if "cold" in phases:
        t = time.perf_counter()
        samples, mem = cold_starts(["node", "python"], args.cold, with_memory=True)
        result["cold"] = {k: summarize_cold(v) for k, v in samples.items()}
        result["memory"] = mem
        if python_is_script():
            real = os.path.realpath(sys.executable)
            bindir = tempfile.mkdtemp(prefix="ss-runtime-bench-bin-")
            os.symlink(real, os.path.join(bindir, "python3"))
            try:
                env = {"PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
                direct, _ = cold_starts(["python"], args.cold, env=env)
                result["cold"]["python_direct"] = summarize_cold(direct["python"])
                result["cold"]["python_direct"]["interpreter"] = real
            finally:
                shutil.rmtree(bindir, ignore_errors=True)
        print(f"[cold phase {time.perf_counter() - t:.0f} s]", flush=True)

    fn = HttpFunction()
    try:
        if "latency" in phases:
            t = time.perf_counter()
            result["latency"] = phase_latency(fn, pinned=False)
            result["latency_1cpu"] = phase_latency(fn, pinned=True)
            print(f"[latency phase {time.perf_counter() - t:.0f} s]", flush=True)
        if "tput" in phases:
            t = time.perf_counter()
            result.update(phase_tput(fn, args.tput_seconds, args.tput_rounds))
            print(f"[tput phase {time.perf_counter() - t:.0f} s]", flush=True)
        if "esm" in phases:
            t = time.perf_counter()
            result["esm"] = phase_esm(fn, args.records, args.esm_rounds)
            print(f"[esm phase {time.perf_counter() - t:.0f} s]", flush=True)
    finally:
        fn.close()
    result["load_end"] = os.getloadavg()
    result["elapsed_s"] = time.time() - result["started"]
    report(result)
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps(result) + "\n")


def report(r, across_runs=False):
    rows = []
    if "cold" in r:
        for k, c in r["cold"].items():
            label = {"python": "python (python3 on PATH)",
                     "python_direct": "python (interpreter itself)"}.get(k, k)
            rows.append((f"cold start {label}: Invoke round trip, n={c['n']:.0f}",
                         f"p50 {c['invoke_ms']:.1f} ms, p90 {c['invoke_p90_ms']:.1f} ms"))
            parts = [f"sent->spawn {c.get('sent_to_spawn_ms', float('nan')):.1f}"]
            if "spawn_to_node_start_ms" in c:
                parts.append(f"spawn->node timeOrigin {c['spawn_to_node_start_ms']:.1f}")
            parts += [f"spawn->handler module loaded {c.get('spawn_to_loaded_ms', float('nan')):.1f}",
                      f"spawn->first handler call {c.get('spawn_to_handler_ms', float('nan')):.1f}",
                      f"handler->response {c['handler_to_response_ms']:.1f} ms"]
            rows.append(("  where (p50, ms)", ", ".join(parts)))
            if "sent_to_node_start_ms" in c:
                rows.append(("  by node's own clock (p50, ms)",
                             f"Invoke sent->node timeOrigin {c['sent_to_node_start_ms']:.1f}, "
                             f"timeOrigin->handler module loaded {c['node_start_to_loaded_ms']:.1f}"
                             f", timeOrigin->first handler call {c['node_start_to_handler_ms']:.1f}"))
            rows.append(("  sandbox RSS after its first invocation", f"{c['rss_mib']:.1f} MiB"))
    if "memory" in r:
        m = r["memory"]
        rows.append(("StreamStack RSS, 0 sandboxes (functions created)",
                     f"{m['streamstack_rss_0_mib']:.1f} MiB"))
        rows.append((f"StreamStack RSS, {m['warm_sandboxes']:.0f} warm node sandboxes",
                     f"{m['streamstack_rss_10_mib']:.1f} MiB (each sandbox "
                     f"{m['node_warm_sandbox_rss_mib']:.1f} MiB)"))
    for key, where in (("latency", ""), ("latency_1cpu", ", all on 1 CPU")):
        if key not in r:
            continue
        lat = r[key]
        d = lat["direct"]["p50_us"]
        for label, text in (("direct", "direct POST to the HTTP function (baseline)"),
                            ("http", "Invoke -> HTTP function"),
                            ("node", "Invoke -> node sandbox"),
                            ("python", "Invoke -> python sandbox"),
                            ("mini", "Invoke -> minimal raw-socket runtime (floor)")):
            v = lat[label]
            extra = ""
            if label != "direct":
                extra = f"; +{v['p50_us'] - d:.0f} us over direct"
            if label in ("node", "python"):
                extra += (f"; handler's own time {v['handler_us']:.1f} us -> RTT minus handler "
                          f"{v['p50_us'] - v['handler_us']:.0f} us")
            rows.append((f"warm round trip{where}, {text}",
                         f"p50 {v['p50_us']:.0f} us, p99 {v['p99_us']:.0f} us{extra}"))
    for conc in (1, 4):
        t = r.get(f"tput_c{conc}")
        if not t:
            continue
        for label in ("direct", "http", "node", "python", "mini"):
            if label not in t:
                continue
            v = t[label]
            bad = f", {v['non2xx']} non-2xx" if v["non2xx"] else ""
            rows.append((f"invokes/s c{conc} ({'wrk -t1 -c1' if conc == 1 else 'wrk -t2 -c4'}) "
                         f"{label}", f"{v['rps']:,.0f}/s (p50 {v['p50_ms']:.2f} ms, "
                         f"p99 {v['p99_ms']:.2f} ms){bad}"))
    if "esm" in r:
        e = r["esm"]
        for label in ("node", "http", "python"):
            v = e[label]
            rows.append((f"stream delivery, BatchSize 1000, {e['records']:,.0f} records, {label}",
                         f"{v['rps']:,.0f} records/s (first batch at {v['first_ms']:.0f} ms; "
                         f"CPU per 1k records: StreamStack {v['server_cpu_ms_per_1k']:.2f} ms, "
                         f"function {v['fn_cpu_ms_per_1k']:.2f} ms; {v['invokes']:.0f} invokes)"))
    width = max(len(a) for a, _ in rows)
    print()
    for a, b in rows:
        print(f"{a:<{width}}  {b}")
    if across_runs:
        return
    print(f"\nload average start {' '.join(f'{x:.2f}' for x in r['load_start'])}, "
          f"end {' '.join(f'{x:.2f}' for x in r['load_end'])}; run took {r['elapsed_s']:.0f} s",
          flush=True)


if __name__ == "__main__":
    main()
