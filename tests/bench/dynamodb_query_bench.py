#!/usr/bin/env python3
"""Query and Scan figures for StreamStack, side by side with moto's server on the same data.

1. In-process (no HTTP): runs the DISABLED benchmark of unit_dynamodb -- Query p50/p90/p99 of
   one 10,000-item partition in pages of 100 while the table grows 10^4 -> 10^6 items, and
   Scan items/s.
2. Over HTTP, one run, same data, same client: the streamstack binary and
   `python3 -m moto.server` on 127.0.0.1. Each table holds a 10,000-item "hot" partition plus
   100-item filler partitions up to the size; a Query asks for 100 items of the hot partition
   from a random sort key (Limit 100); a Scan reads the whole table page by page (1 MB pages).
   Requests are raw JSON 1.0 over one keep-alive connection, so client overhead is the same
   for both servers. Medians over --queries queries.

Usage: tests/bench/dynamodb_query_bench.py [--binary build/streamstack]
           [--unit build/tests/unit_dynamodb] [--sizes 10000,100000] [--moto-max 100000]
           [--queries 300] [--in-process-max 1000000] [--skip-in-process]
Not part of the test command; run on purpose.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
HOT_ITEMS = 10000
PAGE = 100
FILLER = 100
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


class Client:
    """DynamoDB JSON 1.0 over one keep-alive HTTP connection."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def call(self, op, body):
        data = json.dumps(body).encode()
        self.conn.request("POST", "/", body=data, headers={
            "X-Amz-Target": f"DynamoDB_20120810.{op}",
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Date": "20240101T000000Z", "Authorization": AUTH})
        resp = self.conn.getresponse()
        payload = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{op}: HTTP {resp.status}: {payload[:300]!r}")
        return json.loads(payload)


def item(pk, i):
    return {"pk": {"S": pk}, "sk": {"S": f"item#{i:07d}"}, "n": {"N": str(i)},
            "payload": {"S": "x" * 48}}


def load(client, items):
    batch = []
    for it in items:
        batch.append({"PutRequest": {"Item": it}})
        if len(batch) == 25:
            client.call("BatchWriteItem", {"RequestItems": {"bench": batch}})
            batch = []
    if batch:
        client.call("BatchWriteItem", {"RequestItems": {"bench": batch}})


def fill_to(client, state, size):
    start = time.monotonic()
    before = state["total"]
    while state["total"] < size:
        pk = f"filler#{state['next']:07d}"
        state["next"] += 1
        count = min(FILLER, size - state["total"])
        load(client, (item(pk, i) for i in range(count)))
        state["total"] += count
    loaded = state["total"] - before
    return loaded / (time.monotonic() - start) if loaded else 0.0


def query_p50(client, queries, rng):
    micros = []
    for _ in range(queries):
        start_key = f"item#{rng.randrange(0, HOT_ITEMS - PAGE):07d}"
        t0 = time.perf_counter()
        out = client.call("Query", {
            "TableName": "bench", "KeyConditionExpression": "pk = :p AND sk >= :s",
            "ExpressionAttributeValues": {":p": {"S": "hot"}, ":s": {"S": start_key}},
            "Limit": PAGE})
        micros.append((time.perf_counter() - t0) * 1e6)
        assert out["Count"] == PAGE, out["Count"]
    return statistics.median(micros)


def scan_rate(client):
    body = {"TableName": "bench"}
    items = 0
    t0 = time.perf_counter()
    while True:
        out = client.call("Scan", body)
        items += out["Count"]
        if "LastEvaluatedKey" not in out:
            break
        body["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return items, items / (time.perf_counter() - t0)


def run_in_process(unit, max_items):
    print(f"== in-process ({unit}, up to {max_items} items)", flush=True)
    env = dict(os.environ, STREAMSTACK_BENCH_MAX_ITEMS=str(max_items))
    proc = subprocess.run([unit, "--gtest_also_run_disabled_tests",
                           "--gtest_filter=ReadStoreBench.DISABLED_*"],
                          capture_output=True, text=True, env=env)
    for line in proc.stdout.splitlines():
        if not line.startswith("[") and line.strip():
            print("  " + line)
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "streamstack"))
    ap.add_argument("--unit", default=os.path.join(ROOT, "build", "tests", "unit_dynamodb"))
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--moto-max", type=int, default=100000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--in-process-max", type=int, default=1000000)
    ap.add_argument("--skip-in-process", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    if not args.skip_in_process:
        run_in_process(args.unit, args.in_process_max)

    data_dir = tempfile.mkdtemp(prefix="ss-bench-")
    servers = {}
    procs = []
    try:
        port = free_port()
        procs.append(subprocess.Popen([args.binary, "--port", str(port), "--data-dir", data_dir,
                                       "--log-level", "warn"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        servers["streamstack"] = port
        moto_port = free_port()
        procs.append(subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                       "-p", str(moto_port)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        servers["moto"] = moto_port
        for p in servers.values():
            wait_for_port(p)

        results = {}
        for name, p in servers.items():
            client = Client(p)
            client.call("CreateTable", {
                "TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}]})
            load(client, (item("hot", i) for i in range(HOT_ITEMS)))
            state = {"total": HOT_ITEMS, "next": 0}
            for size in sizes:
                if name == "moto" and size > args.moto_max:
                    continue
                rate = fill_to(client, state, size)
                rng = random.Random(7)
                queries = args.queries
                p50 = query_p50(client, queries, rng)
                scanned, scan_items_s = scan_rate(client)
                results[(name, size)] = (p50, scan_items_s, rate)
                print(f"  {name:12s} {size:>9d} items: Query p50 {p50:9.0f} us   "
                      f"Scan {scan_items_s:10.0f} items/s ({scanned} items)   "
                      f"load {rate:8.0f} items/s", flush=True)

        print("\n== over HTTP, same data, one run (medians)")
        print(f"{'table items':>12s} | {'streamstack Query p50':>22s} | {'moto Query p50':>15s} | "
              f"{'streamstack Scan':>17s} | {'moto Scan':>12s}")
        for size in sizes:
            ss = results.get(("streamstack", size))
            mo = results.get(("moto", size))
            fmt_q = lambda r: f"{r[0] / 1000:.2f} ms" if r else "-"
            fmt_s = lambda r: f"{r[1]:.0f} items/s" if r else "-"
            print(f"{size:>12d} | {fmt_q(ss):>22s} | {fmt_q(mo):>15s} | {fmt_s(ss):>17s} | {fmt_s(mo):>12s}")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
