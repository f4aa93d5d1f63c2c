#!/usr/bin/env python3
"""Sustained delivery with BatchSize 1000 to a local HTTP function.

Default (backlog): N records already in a stream, then a mapping (TRIM_HORIZON) delivers
them; records/s from Create to the last record's arrival, and the emulator's CPU time per
1,000 records over the delivery.
--live: the mapping exists first and 4 writers load the records (BatchWriteItem) while it
delivers; records/s over the whole run, and how long after the last write the last record
arrived (delivery keeping pace with the writes shows as a lag near the poll interval).

Usage: tests/bench/esm_throughput.py [--binary build/streamstack] [--records 200000]
       [--runs 3] [--poll-ms 250] [--live]
"""
import argparse
import statistics
import threading
import time

import esm_bench_common as common


def load(port, table, records, threads=4):
    per = records // threads

    def writer(t):
        raw = common.RawDynamoDb(port)
        for start in range(0, per, 25):
            items = [{"PutRequest": {"Item": {
                "pk": {"S": f"t{t}-{i}"}, "n": {"N": str(i)},
                "payload": {"S": "0123456789abcdef" * 4}}}}
                for i in range(start, min(start + 25, per))]
            raw.call("BatchWriteItem", {"RequestItems": {table: items}})
    ts = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return per * threads


def one_run(binary, records, poll_ms, live=False):
    server = common.start("--poll-interval-ms", str(poll_ms), binary=binary)
    lock = threading.Lock()
    state = {"count": 0, "first": None, "last": None, "invokes": 0}
    done = threading.Event()

    def on_event(body, t):
        n = body.count(b'"eventID"')
        with lock:
            state["first"] = state["first"] or t
            state["count"] += n
            state["invokes"] += 1
            if state["count"] >= state["target"]:
                state["last"] = time.perf_counter()
                done.set()
    fn = common.FastFunction(on_event)
    try:
        ddb, lam = server.client("dynamodb"), server.client("lambda")
        stream = common.create_table(ddb, "tput")
        common.create_function(lam, "tp-fn", fn.url())
        if live:
            state["target"] = (records // 4) * 4
            lam.create_event_source_mapping(FunctionName="tp-fn", EventSourceArn=stream,
                                            StartingPosition="TRIM_HORIZON", BatchSize=1000)
            time.sleep(0.5)
            cpu0 = common.cpu_seconds(server.proc.pid)
            start = time.perf_counter()
            load(server.port, "tput", records)
            load_s = time.perf_counter() - start
        else:
            t0 = time.perf_counter()
            state["target"] = load(server.port, "tput", records)
            load_s = time.perf_counter() - t0
            time.sleep(0.5)
            cpu0 = common.cpu_seconds(server.proc.pid)
            start = time.perf_counter()
            lam.create_event_source_mapping(FunctionName="tp-fn", EventSourceArn=stream,
                                            StartingPosition="TRIM_HORIZON", BatchSize=1000)
        if not done.wait(300):
            raise RuntimeError(f"only {state['count']} of {state['target']} delivered")
        cpu = common.cpu_seconds(server.proc.pid) - cpu0
        elapsed = state["last"] - start
        rate = state["target"] / elapsed
        lag_ms = (state["last"] - start - load_s) * 1000 if live else 0.0
        return rate, cpu * 1000 / (state["target"] / 1000), state["invokes"], load_s, lag_ms
    finally:
        fn.close()
        server.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=None)
    ap.add_argument("--records", type=int, default=200000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--poll-ms", type=int, default=250)
    ap.add_argument("--live", action="store_true")
    args = ap.parse_args()
    rates, cpus = [], []
    for run in range(args.runs):
        rate, cpu_ms, invokes, load_s, lag_ms = one_run(args.binary, args.records, args.poll_ms,
                                                        args.live)
        rates.append(rate)
        cpus.append(cpu_ms)
        print(f"run {run + 1}: {rate:,.0f} records/s, {cpu_ms:.2f} ms CPU per 1,000 records "
              f"({invokes} invokes; loading took {load_s:.1f} s"
              + (f"; last record {lag_ms:.0f} ms after the last write" if args.live else "")
              + ")", flush=True)
    print(f"MEDIAN over {args.runs} runs: {statistics.median(rates):,.0f} records/s, "
          f"{statistics.median(cpus):.2f} ms CPU per 1,000 records", flush=True)


if __name__ == "__main__":
    main()
