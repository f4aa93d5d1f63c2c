#!/usr/bin/env python3
"""CloudWatch Logs (issue 12): how fast a function's output is stored, and FilterLogEvents
over a large group. Everything on 127.0.0.1, one fresh StreamStack (data dir) per phase.

Phases:
  lines   a python3.12 and a nodejs20.x function print --lines lines (about 50 bytes each) in
          one invocation, --rounds times each, alternating with the same function writing
          the same lines to /dev/null instead of stdout. Reported per runtime: the handler's
          own time for both (does logging slow the invocation?), and the time from Invoke to
          the last line being readable through FilterLogEvents (lines/s stored). Warm
          sandboxes (one warm-up invocation first).
  filter  --events events (--batch per PutLogEvents, 5 streams, about 80 bytes each, 1 in
          1,000 with the word "needle", 1 in 100 JSON) stored through boto3, then each
          FilterLogEvents query --queries times; p50/p90 of the client-side round trip:
          every event (first page of 10,000), a rare term over all of them, a JSON pattern,
          a 1% time window, one stream by name.

Usage: tests/bench/logs_bench.py [--binary build/streamstack] [--lines 100000] [--rounds 5]
       [--events 1000000] [--batch 10000] [--queries 7] [--phases lines,filter]
"""
import argparse
import io
import json
import os
import statistics
import sys
import time
import zipfile

import esm_bench_common  # noqa: F401 - puts tests/e2e on sys.path
import harness

# The /dev/null variants write the same bytes with the same calls as the runtime clients
# (python: the client's flush-on-every-write stdout wrapper; node: console.log's line with
# its time and request id prefix, one synchronous write per line), so the difference is
# what the pipe to StreamStack costs the function.
PY_FUNCTION = '''
import sys, time
def handler(event, context):
    n = event["lines"]
    out = type(sys.stdout)(open("/dev/null", "w")) if event.get("to") == "null" else sys.stdout
    start = time.perf_counter()
    for i in range(n):
        print(f"line {i} of a chatty function, with some text", file=out)
    out.flush()
    return (time.perf_counter() - start) * 1000
'''
NODE_FUNCTION = '''
const fs = require('fs');
const util = require('util');
exports.handler = async (event, context) => {
  const n = event.lines;
  const start = process.hrtime.bigint();
  if (event.to === 'null') {
    const fd = fs.openSync('/dev/null', 'w');
    for (let i = 0; i < n; i++) {
      const line = `${new Date().toISOString()}\\t${context.awsRequestId}\\tINFO\\t` +
        util.format(`line ${i} of a chatty function, with some text`);
      fs.writeSync(fd, line.replace(/\\n/g, '\\r') + '\\n');
    }
    fs.closeSync(fd);
  } else {
    for (let i = 0; i < n; i++) console.log(`line ${i} of a chatty function, with some text`);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
};
'''


def zipped(name, text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, text)
    return buf.getvalue()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def lines_phase(args):
    out = {}
    with harness.StreamStack("--function-concurrency", "1") as server:
        lam = server.client("lambda", read_timeout=300)
        logs = server.client("logs")
        for runtime, code, handler in (("python3.12", PY_FUNCTION, "app.handler"),
                                       ("nodejs20.x", NODE_FUNCTION, "index.handler")):
            name = "chatty-" + runtime.split(".")[0].replace("3", "")
            filename = "app.py" if runtime.startswith("python") else "index.js"
            lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Timeout=300,
                                Role="arn:aws:iam::000000000000:role/r",
                                Code={"ZipFile": zipped(filename, code)})
            harness.wait_until(lambda: lam.get_function_configuration(
                FunctionName=name)["State"] == "Active")
            lam.invoke(FunctionName=name, Payload=json.dumps({"lines": 10}))  # warm
            logged, silent, stored = [], [], []
            for r in range(args.rounds):
                for to in ("null", "stdout") if r % 2 else ("stdout", "null"):
                    started = time.monotonic()
                    resp = lam.invoke(FunctionName=name,
                                      Payload=json.dumps({"lines": args.lines, "to": to}))
                    handler_ms = json.loads(resp["Payload"].read())
                    if to == "null":
                        silent.append(handler_ms)
                        continue
                    logged.append(handler_ms)
                    request_id = resp["ResponseMetadata"]["RequestId"]

                    # END follows the last line in the stream: once it is readable, all is.
                    def last_line_stored():
                        events = logs.filter_log_events(logGroupName="/aws/lambda/" + name,
                                                        filterPattern=f'"END RequestId: {request_id}"',
                                                        startTime=int(time.time() * 1000) - 600000)
                        return events["events"]
                    harness.wait_until(last_line_stored, timeout=120, interval=0.02)
                    stored.append(time.monotonic() - started)
            out[runtime] = {
                "handler_ms_stdout_p50": statistics.median(logged),
                "handler_ms_devnull_p50": statistics.median(silent),
                "slowdown": statistics.median(logged) / statistics.median(silent),
                "stored_lines_per_s_p50": args.lines / statistics.median(stored),
                "invoke_to_stored_s_p50": statistics.median(stored),
            }
            print(f"{runtime}: {args.lines} lines: handler p50 {out[runtime]['handler_ms_stdout_p50']:.0f} ms "
                  f"to stdout vs {out[runtime]['handler_ms_devnull_p50']:.0f} ms to /dev/null "
                  f"(x{out[runtime]['slowdown']:.2f}); Invoke to last line stored p50 "
                  f"{out[runtime]['invoke_to_stored_s_p50']:.2f} s = "
                  f"{out[runtime]['stored_lines_per_s_p50']:,.0f} lines/s", flush=True)
    return out


def filter_phase(args):
    out = {}
    with harness.StreamStack() as server:
        logs = server.client("logs")
        group = "/bench/big"
        logs.create_log_group(logGroupName=group)
        streams = [f"stream-{i}" for i in range(5)]
        for s in streams:
            logs.create_log_stream(logGroupName=group, logStreamName=s)
        base = int(time.time() * 1000) - 3600 * 1000
        loaded = time.monotonic()
        n = 0
        while n < args.events:
            stream = streams[(n // args.batch) % len(streams)]
            events = []
            for i in range(n, min(n + args.batch, args.events)):
                if i % 100 == 0:
                    msg = json.dumps({"level": "ERROR" if i % 200 == 0 else "INFO", "n": i,
                                      "latency": i % 1000})
                else:
                    msg = f"2026-12-04T10:00:00Z request {i:08d} handled in {i % 997} ms by worker"
                    if i % 1000 == 1:
                        msg += " needle"
                events.append({"timestamp": base + i * 3, "message": msg})
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
            n += len(events)
        load_s = time.monotonic() - loaded
        print(f"stored {args.events:,} events in {load_s:.1f} s "
              f"({args.events / load_s:,.0f} events/s through boto3)", flush=True)
        out["put_events_per_s"] = args.events / load_s
        span = args.events * 3
        queries = {
            "first page, no pattern": {},
            "rare term (needle)": {"filterPattern": "needle"},
            "JSON { $.level = \"ERROR\" }": {"filterPattern": '{ $.level = "ERROR" }'},
            "1% time window": {"startTime": base + span // 2, "endTime": base + span // 2 + span // 100},
            "one stream, first page": {"logStreamNames": ["stream-3"]},
        }
        for label, kwargs in queries.items():
            times, count = [], 0
            for _ in range(args.queries):
                started = time.monotonic()
                resp = logs.filter_log_events(logGroupName=group, **kwargs)
                times.append((time.monotonic() - started) * 1000)
                count = len(resp["events"])
            out[label] = {"p50_ms": statistics.median(times), "p90_ms": pct(times, 90),
                          "events": count}
            print(f"FilterLogEvents {label}: p50 {out[label]['p50_ms']:.0f} ms, p90 "
                  f"{out[label]['p90_ms']:.0f} ms ({count} events in the page)", flush=True)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                    "build", "streamstack"))
    p.add_argument("--lines", type=int, default=100000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--events", type=int, default=1000000)
    p.add_argument("--batch", type=int, default=10000)
    p.add_argument("--queries", type=int, default=7)
    p.add_argument("--phases", default="lines,filter")
    args = p.parse_args()
    harness.BINARY = os.path.abspath(args.binary)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    results = {}
    if "lines" in args.phases:
        results["lines"] = lines_phase(args)
    if "filter" in args.phases:
        results["filter"] = filter_phase(args)
    print(f"load average at end: {os.getloadavg()}")
    json.dump(results, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
