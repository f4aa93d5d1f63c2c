#!/usr/bin/env python3
"""The single-item and transactional write paths of two builds side by side: PutItem and
UpdateItem with a condition, TransactWriteItems of two conditional actions. One server per
build, one keep-alive connection each; rounds alternate the builds (A B A B ...) so a drift of
the shared machine moves both; prints each round's median latency per operation and build and,
per operation, the median of the per-round ratios (A / B).

Usage: tests/bench/write_path_bench.py --binary build/streamstack --base OTHER/streamstack
           [--rounds 7] [--calls 300]
Not part of the test command; run on purpose.
"""
import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from dynamodb_query_bench import ROOT, free_port, wait_for_port
from transact_token_bench import call

OPERATIONS = ("PutItem", "UpdateItem", "TransactWriteItems")


def request(operation, tag, i):
    """The `i`th request of `operation` in round `tag`: each writes keys of its own."""
    key = {"pk": {"S": f"{operation}-{tag}-{i}"}}
    if operation == "PutItem":
        return {"TableName": "bench", "Item": dict(key, v={"N": str(i)}),
                "ConditionExpression": "attribute_not_exists(pk) OR v < :v",
                "ExpressionAttributeValues": {":v": {"N": str(i)}}}
    if operation == "UpdateItem":
        return {"TableName": "bench", "Key": key,
                "UpdateExpression": "SET v = :v, #n = if_not_exists(#n, :zero) ADD c :one",
                "ConditionExpression": "attribute_not_exists(v) OR v < :v",
                "ExpressionAttributeNames": {"#n": "name"},
                "ExpressionAttributeValues": {":v": {"N": str(i)}, ":zero": {"N": "0"},
                                              ":one": {"N": "1"}}}
    return {"TransactItems": [
        {"Put": {"TableName": "bench", "Item": dict(key, v={"N": str(i)}),
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": "bench", "Key": {"pk": {"S": f"{operation}-{tag}-{i}-b"}},
                    "UpdateExpression": "SET v = :v ADD c :one",
                    "ConditionExpression": "attribute_not_exists(v) OR v < :v",
                    "ExpressionAttributeValues": {":v": {"N": str(i)}, ":one": {"N": "1"}}}}]}


class Server:
    def __init__(self, binary):
        self.data_dir = tempfile.mkdtemp()
        port = free_port()
        self.process = subprocess.Popen([binary, "--data-dir", self.data_dir, "--port",
                                         str(port), "--log-level", "warn"])
        wait_for_port(port)
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        call(self.conn, "CreateTable", {
            "TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})

    def median_us(self, operation, tag, calls):
        times = []
        for i in range(calls):
            body = request(operation, tag, i)
            start = time.perf_counter()
            call(self.conn, operation, body)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1e6

    def stop(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "streamstack"))
    ap.add_argument("--base", required=True, help="the build to compare with (B)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args()
    servers = {"A": Server(args.binary), "B": Server(args.base)}
    try:
        ratios = {op: [] for op in OPERATIONS}
        for r in range(args.rounds):
            line = []
            for op in OPERATIONS:
                medians = {name: s.median_us(op, f"{name}{r}", args.calls)
                           for name, s in servers.items()}
                ratios[op].append(medians["A"] / medians["B"])
                line.append(f"{op} A {medians['A']:.0f} us B {medians['B']:.0f} us")
            print(f"round {r + 1}: " + "; ".join(line), flush=True)
        for op in OPERATIONS:
            print(f"{op}: median of per-round ratios A/B {statistics.median(ratios[op]):.2f} "
                  f"(rounds: {', '.join(f'{x:.2f}' for x in ratios[op])})")
    finally:
        for s in servers.values():
            s.stop()


if __name__ == "__main__":
    main()
