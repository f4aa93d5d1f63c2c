#!/usr/bin/env python3
"""The cost of idle mappings: 1,000 enabled event source mappings (default 4 Hz polling) on
1,000 streams nobody writes to. Reports the emulator's CPU use (% of one core) and RSS with
the tables only, and with the mappings added.

Usage: tests/bench/esm_idle.py [--binary build/streamstack] [--mappings 1000] [--seconds 20]
       [--runs 3]
"""
import argparse
import statistics
import time

import esm_bench_common as common


def cpu_percent(pid, seconds):
    c0, t0 = common.cpu_seconds(pid), time.perf_counter()
    time.sleep(seconds)
    return 100 * (common.cpu_seconds(pid) - c0) / (time.perf_counter() - t0)


def one_run(binary, mappings, seconds):
    server = common.start(binary=binary)
    fn = common.FastFunction(lambda body, t: None)
    try:
        ddb, lam = server.client("dynamodb"), server.client("lambda")
        common.create_function(lam, "idle-fn", fn.url())
        streams = [common.create_table(ddb, f"idle-{i:04d}") for i in range(mappings)]
        time.sleep(1)
        base_cpu = cpu_percent(server.proc.pid, seconds)
        base_rss = common.rss_mib(server.proc.pid)
        for s in streams:
            lam.create_event_source_mapping(FunctionName="idle-fn", EventSourceArn=s,
                                            StartingPosition="LATEST")
        time.sleep(3)
        with_cpu = cpu_percent(server.proc.pid, seconds)
        with_rss = common.rss_mib(server.proc.pid)
        return base_cpu, base_rss, with_cpu, with_rss
    finally:
        fn.close()
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=None)
    ap.add_argument("--mappings", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for run in range(args.runs):
        row = one_run(args.binary, args.mappings, args.seconds)
        rows.append(row)
        print(f"run {run + 1}: tables only {row[0]:.2f}% CPU, {row[1]:.1f} MiB RSS; "
              f"with {args.mappings} mappings {row[2]:.2f}% CPU, {row[3]:.1f} MiB RSS",
              flush=True)
    med = [statistics.median(r[i] for r in rows) for i in range(4)]
    print(f"MEDIAN over {args.runs} runs: tables only {med[0]:.2f}% CPU, {med[1]:.1f} MiB; "
          f"with {args.mappings} mappings {med[2]:.2f}% CPU, {med[3]:.1f} MiB "
          f"(+{med[2] - med[0]:.2f}% CPU, +{med[3] - med[1]:.1f} MiB)", flush=True)


if __name__ == "__main__":
    main()
