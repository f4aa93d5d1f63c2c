#!/usr/bin/env bash
# PutItem on a stream-enabled table over keep-alive HTTP: ops/s and p50/p99 latency, for
# streamstack (on a data dir: real SQLite files) and moto's server, side by side in one run,
# plus the load client's own ceiling (wrk against GET /health).
# Usage: tests/bench/putitem_bench.sh [runs=3] [seconds=5] [connections=8]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${STREAMSTACK_BINARY:-$here/../../build/streamstack}"
runs="${1:-3}"; secs="${2:-5}"; conns="${3:-8}"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
data="$(mktemp -d)"
ss_port=$(free_port); moto_port=$(free_port)
"$bin" --data-dir "$data" --port "$ss_port" --log-level warn &
ss_pid=$!
python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >/dev/null 2>&1 &
moto_pid=$!
trap 'kill $ss_pid $moto_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$data"' EXIT
wait_up() { for _ in $(seq 200); do curl -fs -o /dev/null "$1" && return 0; sleep 0.05; done; echo "not up: $1" >&2; exit 1; }
wait_up "http://127.0.0.1:$ss_port/health"
wait_up "http://127.0.0.1:$moto_port/moto-api/"
for port in "$ss_port" "$moto_port"; do
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 \
  aws --endpoint-url "http://127.0.0.1:$port" dynamodb create-table --table-name bench \
    --key-schema AttributeName=pk,KeyType=HASH --attribute-definitions AttributeName=pk,AttributeType=S \
    --billing-mode PAY_PER_REQUEST \
    --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES >/dev/null
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.3f\n", v}'; }
measure() {
  local label="$1" url="$2"; shift 2
  local rps=() p50=() p99=()
  for _ in $(seq "$runs"); do
    out=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" "$url")
    rps+=("$(awk '/Requests\/sec/ {print $2}' <<<"$out")")
    p50+=("$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)")
    p99+=("$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)")
  done
  printf '%-34s median %8s ops/s  p50 %s ms  p99 %s ms  (ops/s runs: %s)\n' "$label" \
    "$(printf '%s\n' "${rps[@]}" | median)" "$(printf '%s\n' "${p50[@]}" | median)" \
    "$(printf '%s\n' "${p99[@]}" | median)" "${rps[*]}"
}
echo "PutItem, stream enabled, $conns connections, wrk -t2, ${secs}s x $runs runs"
measure "client ceiling (GET /health)" "http://127.0.0.1:$ss_port/health"
measure "streamstack PutItem" "http://127.0.0.1:$ss_port/" -s "$here/putitem.lua"
measure "moto.server PutItem" "http://127.0.0.1:$moto_port/" -s "$here/putitem.lua"
