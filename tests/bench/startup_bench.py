#!/usr/bin/env python3
"""Start-to-first-/health-200 latency and idle RSS of the streamstack binary.

Usage: tests/bench/startup_bench.py [--runs N] [--binary build/streamstack]
Prints the median, min and max over N runs (in-memory and on-disk data dir).
"""
import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_ok(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.05) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one_run(binary, extra):
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "--port", str(port), "--log-level", "warn"] + extra,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not health_ok(port):
            if proc.poll() is not None:
                raise RuntimeError("streamstack exited")
            time.sleep(0.0005)
        elapsed_ms = (time.perf_counter() - start) * 1000
        time.sleep(1.0)  # idle
        rss = rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
    return elapsed_ms, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--binary", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "build", "streamstack"))
    args = ap.parse_args()
    for label in ("in-memory", "data-dir"):
        times, rss = [], []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as d:
                extra = ["--in-memory"] if label == "in-memory" else ["--data-dir", d]
                t, r = one_run(args.binary, extra)
                times.append(t)
                rss.append(r)
        print(f"{label:10s} start->/health 200: median {statistics.median(times):.1f} ms "
              f"(min {min(times):.1f}, max {max(times):.1f}, n={args.runs}); "
              f"idle RSS median {statistics.median(rss) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
