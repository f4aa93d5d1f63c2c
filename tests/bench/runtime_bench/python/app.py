"""The function runtime_bench.py runs in python sandboxes (python3.12)."""
import json
import os
import time

LOADED_AT = time.time() * 1000  # epoch ms
_handler_ns = []
_rec = {"target": 0, "out": "", "count": 0, "invokes": 0, "firstAt": 0, "written": False}


def echo(event, context):
    """Trivial: returns the event. Keeps its own time (entry to return) for {"__stats": true}."""
    global _handler_ns
    t0 = time.perf_counter_ns()
    if isinstance(event, dict) and event.get("__stats"):
        out = {"handlerNs": _handler_ns}
        _handler_ns = []
        return out
    result = event
    _handler_ns.append(time.perf_counter_ns() - t0)
    return result


def info(event, context):
    return {"pid": os.getpid(), "loadedAt": LOADED_AT, "calledAt": time.time() * 1000}


def sleep(event, context):
    time.sleep(event.get("ms", 0) / 1000)
    return {"pid": os.getpid()}


def records(event, context):
    global _rec
    if "__reset" in event:
        r = event["__reset"]
        _rec = {"target": r["target"], "out": r["out"], "count": 0, "invokes": 0, "firstAt": 0,
                "written": False}
        return {"pid": os.getpid()}
    n = len(event.get("Records") or [])
    if n == 0:
        return {}
    if not _rec["firstAt"]:
        _rec["firstAt"] = time.time() * 1000
    _rec["count"] += n
    _rec["invokes"] += 1
    if not _rec["written"] and _rec["target"] and _rec["count"] >= _rec["target"]:
        _rec["written"] = True
        body = {k: _rec[k] for k in ("count", "invokes", "firstAt")}
        body["lastAt"] = time.time() * 1000
        with open(_rec["out"] + ".tmp", "w") as f:
            json.dump(body, f)
        os.replace(_rec["out"] + ".tmp", _rec["out"])
    return {}
