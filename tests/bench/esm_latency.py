#!/usr/bin/env python3
"""Write-to-invoke latency of the delivery engine: the time from sending a PutItem (raw
keep-alive HTTP, no SDK) to the function (a local HTTP endpoint) receiving the record, one
write at a time, with the default 4 Hz polling and with --poll-interval-ms 0.

Usage: tests/bench/esm_latency.py [--binary build/streamstack] [--samples 300] [--runs 3]
Prints p50/p90/p99 per run and the median of each over the runs.
"""
import argparse
import random
import statistics
import threading
import time

import esm_bench_common as common


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def one_run(binary, poll_ms, samples):
    server = common.start("--poll-interval-ms", str(poll_ms), binary=binary, in_memory=False)
    arrived = {}
    cond = threading.Condition()

    def on_event(body, t):
        # One record per event here; find its key without parsing the whole event.
        i = body.find(b'"pk":{"S":"') + 11
        key = body[i:body.find(b'"', i)].decode()
        with cond:
            arrived[key] = t
            cond.notify_all()
    fn = common.FastFunction(on_event)
    try:
        ddb, lam = server.client("dynamodb"), server.client("lambda")
        stream = common.create_table(ddb, "lat")
        common.create_function(lam, "lat-fn", fn.url())
        lam.create_event_source_mapping(FunctionName="lat-fn", EventSourceArn=stream,
                                        StartingPosition="LATEST", BatchSize=1)
        raw = common.RawDynamoDb(server.port)
        for i in range(20):  # warm-up: connections, caches
            raw.put("lat", f"warm-{i}")
        time.sleep(0.6)
        latencies = []
        rnd = random.Random(1)
        for i in range(samples):
            key = f"k{i}"
            t0 = time.perf_counter()
            raw.put("lat", key)
            with cond:
                if not cond.wait_for(lambda: key in arrived, timeout=5):
                    raise RuntimeError(f"{key} never arrived")
                latencies.append((arrived[key] - t0) * 1000)
            if poll_ms:
                time.sleep(rnd.uniform(0, poll_ms / 1000))  # decorrelate from the tick
        return latencies
    finally:
        fn.close()
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=None)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    for poll_ms in (0, 250):
        samples = args.samples if poll_ms == 0 else max(50, args.samples // 3)
        p50s, p90s, p99s = [], [], []
        for run in range(args.runs):
            lat = one_run(args.binary, poll_ms, samples)
            p50s.append(percentile(lat, 50))
            p90s.append(percentile(lat, 90))
            p99s.append(percentile(lat, 99))
            print(f"poll {poll_ms:>3} ms run {run + 1}: n={len(lat)} p50 {p50s[-1]:.2f} ms "
                  f"p90 {p90s[-1]:.2f} ms p99 {p99s[-1]:.2f} ms", flush=True)
        print(f"poll {poll_ms:>3} ms MEDIAN over {args.runs} runs: p50 {statistics.median(p50s):.2f} ms"
              f"  p90 {statistics.median(p90s):.2f} ms  p99 {statistics.median(p99s):.2f} ms",
              flush=True)


if __name__ == "__main__":
    main()
