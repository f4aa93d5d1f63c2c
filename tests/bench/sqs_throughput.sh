#!/usr/bin/env bash
# SQS SendMessage and ReceiveMessage throughput through the real binary (file storage,
# so every acknowledged send is committed), measured with wrk (2 threads, 32 connections).
# Receive counts messages, not requests: the queue's NotVisible count after the run.
# Usage: tests/bench/sqs_throughput.sh [send seconds=5] [receive seconds=2]
# (receive runs shorter so the queue filled by the send phase is not drained early)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${STREAMSTACK_BINARY:-$here/../../build/streamstack}"
secs="${1:-5}"
rsecs="${2:-2}"
dir=$(mktemp -d)
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$bin" --data-dir "$dir" --port "$port" --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.05; done
sqs() {
  curl -fs "http://127.0.0.1:$port/" -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: AmazonSQS.$1" -d "$2"
}
sqs CreateQueue '{"QueueName":"bench","Attributes":{"VisibilityTimeout":"43200"}}' >/dev/null
url="http://127.0.0.1/000000000000/bench"

echo "client ceiling (GET /health):"
wrk -t2 -c32 -d"${secs}s" -s "$here/health.lua" "http://127.0.0.1:$port/" | grep -E "Requests/sec|Latency"
echo "SendMessage:"
wrk -t2 -c32 -d"${secs}s" -s "$here/sqs_send.lua" "http://127.0.0.1:$port/" | grep -E "Requests/sec|Latency"
sent=$(sqs GetQueueAttributes "{\"QueueUrl\":\"$url\",\"AttributeNames\":[\"ApproximateNumberOfMessages\"]}" |
  python3 -c 'import json,sys;print(json.load(sys.stdin)["Attributes"]["ApproximateNumberOfMessages"])')
echo "  messages in queue: $sent"
echo "ReceiveMessage (MaxNumberOfMessages=10):"
out=$(wrk -t2 -c32 -d"${rsecs}s" -s "$here/sqs_receive.lua" "http://127.0.0.1:$port/")
echo "$out" | grep -E "Requests/sec|Latency"
got=$(sqs GetQueueAttributes "{\"QueueUrl\":\"$url\",\"AttributeNames\":[\"ApproximateNumberOfMessagesNotVisible\"]}" |
  python3 -c 'import json,sys;print(json.load(sys.stdin)["Attributes"]["ApproximateNumberOfMessagesNotVisible"])')
echo "  messages received: $got of $sent in ${rsecs}s = $((got / rsecs)) messages/s"
