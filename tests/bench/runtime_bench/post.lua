-- wrk: POST a small JSON event (runtime_bench.py's throughput phase).
wrk.method = "POST"
wrk.body = '{"k":"v"}'
wrk.headers["Content-Type"] = "application/json"
