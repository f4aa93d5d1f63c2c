#!/usr/bin/env bash
# Invoke round trip through the emulator to a local HTTP function, p50 overhead over a
# direct call (same client, same function, keep-alive), repeated `runs` times.
# The measurement is tests/e2e/test_lambda_invoke.py's bench_overhead, which the test suite
# does not run. Usage: tests/bench/invoke_overhead.sh [runs=3]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export STREAMSTACK_BINARY="${STREAMSTACK_BINARY:-$here/../../build/streamstack}"
cd "$here/../e2e"
for _ in $(seq "${1:-3}"); do
  python3 -m unittest test_lambda_invoke.InvokeTest.bench_overhead 2>&1 |
    grep "Invoke p50"
done
