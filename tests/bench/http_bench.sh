#!/usr/bin/env bash
# Requests/s of GET /health and of a trivial JSON 1.0 request (ListTables) over keep-alive,
# measured with wrk (2 threads, 64 connections) against an in-memory streamstack.
# Usage: tests/bench/http_bench.sh [runs=3] [seconds=5]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${STREAMSTACK_BINARY:-$here/../../build/streamstack}"
runs="${1:-3}"
secs="${2:-5}"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$bin" --in-memory --port "$port" --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
  local label="$1"; shift
  local results=()
  for _ in $(seq "$runs"); do
    rps=$(wrk -t2 -c64 -d"${secs}s" "$@" "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}')
    results+=("$rps")
  done
  printf '%-28s median %s req/s (runs: %s)\n' "$label" \
    "$(printf '%s\n' "${results[@]}" | median)" "${results[*]}"
}
measure "GET /health" -s "$here/health.lua"
measure "JSON 1.0 ListTables" -s "$here/json10_trivial.lua"
