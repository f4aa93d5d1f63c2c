#!/usr/bin/env python3
"""TransactWriteItems with and without a ClientRequestToken, on one server: what keeping the
token (one small row written in the transaction's commit) costs. One keep-alive connection,
raw JSON 1.0 requests, rounds alternating the two kinds; prints each round's median latency
and the median of the per-round ratios (token / none).

Usage: tests/bench/transact_token_bench.py [--binary build/streamstack] [--rounds 7]
           [--calls 400]
Not part of the test command; run on purpose.
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid

from dynamodb_query_bench import AUTH, ROOT, free_port, wait_for_port


def call(conn, operation, body):
    conn.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": f"DynamoDB_20120810.{operation}", "Authorization": AUTH})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise RuntimeError(f"{operation}: {resp.status} {data[:200]}")
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "streamstack"))
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=400)
    args = ap.parse_args()
    data_dir = tempfile.mkdtemp()
    port = free_port()
    server = subprocess.Popen([args.binary, "--data-dir", data_dir, "--port", str(port),
                               "--log-level", "warn"])
    try:
        wait_for_port(port)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        call(conn, "CreateTable", {
            "TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        ratios = []
        for r in range(args.rounds):
            medians = {}
            for kind in ("none", "token"):
                times = []
                for i in range(args.calls):
                    body = {"TransactItems": [
                        {"Put": {"TableName": "bench",
                                 "Item": {"pk": {"S": f"{kind}-{r}-{i}"}, "v": {"N": str(i)}}}},
                        {"Update": {"TableName": "bench", "Key": {"pk": {"S": "counter"}},
                                    "UpdateExpression": "ADD n :one",
                                    "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}
                    if kind == "token":
                        body["ClientRequestToken"] = str(uuid.uuid4())
                    start = time.perf_counter()
                    call(conn, "TransactWriteItems", body)
                    times.append(time.perf_counter() - start)
                medians[kind] = statistics.median(times) * 1e6
            ratios.append(medians["token"] / medians["none"])
            print(f"round {r + 1}: TransactWriteItems p50 without token {medians['none']:.0f} us, "
                  f"with token {medians['token']:.0f} us, ratio {ratios[-1]:.2f}")
        print(f"median ratio (token / none) over {args.rounds} rounds: "
              f"{statistics.median(ratios):.2f}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
