'use strict';
// The function runtime_bench.py runs in node sandboxes (nodejs20.x, CommonJS).
const fs = require('fs');
const { performance } = require('perf_hooks');

const nowMs = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms
const LOADED_AT = nowMs();
let handlerNs = [];
let rec = { target: 0, out: '', count: 0, invokes: 0, firstAt: 0, written: false };

// Trivial: returns the event. Keeps its own time (entry to return) for {"__stats": true}.
exports.echo = async (event) => {
  const t0 = process.hrtime.bigint();
  if (event && event.__stats) {
    const out = { handlerNs };
    handlerNs = [];
    return out;
  }
  const result = event;
  handlerNs.push(Number(process.hrtime.bigint() - t0));
  return result;
};

// Cold start facts: when node started, when this module was loaded, when the handler ran.
exports.info = async () => ({
  pid: process.pid, timeOrigin: performance.timeOrigin, loadedAt: LOADED_AT, calledAt: nowMs(),
});

exports.sleep = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, event.ms || 0));
  return { pid: process.pid };
};

// Counts stream records; writes {count, invokes, firstAt, lastAt} to `out` once it has seen
// `target` of them. {"__reset": {target, out}} starts over.
exports.records = async (event) => {
  if (event.__reset) {
    rec = { target: event.__reset.target, out: event.__reset.out, count: 0, invokes: 0,
      firstAt: 0, written: false };
    return { pid: process.pid };
  }
  const n = Array.isArray(event.Records) ? event.Records.length : 0;
  if (n === 0) return {};
  if (!rec.firstAt) rec.firstAt = nowMs();
  rec.count += n;
  rec.invokes += 1;
  if (!rec.written && rec.target && rec.count >= rec.target) {
    rec.written = true;
    const body = JSON.stringify({ count: rec.count, invokes: rec.invokes, firstAt: rec.firstAt,
      lastAt: nowMs() });
    fs.writeFileSync(rec.out + '.tmp', body);
    fs.renameSync(rec.out + '.tmp', rec.out);
  }
  return {};
};
