'use strict';
// The same trivial function behind HTTP (the Lambda Invoke contract: POST body = event,
// 200 body = result), keep-alive. Prints "PORT <n>" once listening on 127.0.0.1.
//   POST /echo      -> the body back
//   POST /records   -> counts event.Records (parsed, as a runtime would); writes
//                      {count, invokes, firstAt, lastAt} to `out` once it has seen `target`
//   POST /reset     -> {"target": n, "out": path} starts the count over
const fs = require('fs');
const http = require('http');
const { performance } = require('perf_hooks');

const nowMs = () => performance.timeOrigin + performance.now();
let rec = { target: 0, out: '', count: 0, invokes: 0, firstAt: 0, written: false };

function answer(res, body) {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (req.url.startsWith('/echo')) return answer(res, body);
    if (req.url.startsWith('/reset')) {
      const r = JSON.parse(body.toString('utf8'));
      rec = { target: r.target, out: r.out, count: 0, invokes: 0, firstAt: 0, written: false };
      return answer(res, Buffer.from(JSON.stringify({ pid: process.pid })));
    }
    if (req.url.startsWith('/records')) {
      const event = JSON.parse(body.toString('utf8'));
      const n = Array.isArray(event.Records) ? event.Records.length : 0;
      if (n > 0) {
        if (!rec.firstAt) rec.firstAt = nowMs();
        rec.count += n;
        rec.invokes += 1;
        if (!rec.written && rec.target && rec.count >= rec.target) {
          rec.written = true;
          fs.writeFileSync(rec.out + '.tmp', JSON.stringify({ count: rec.count,
            invokes: rec.invokes, firstAt: rec.firstAt, lastAt: nowMs() }));
          fs.renameSync(rec.out + '.tmp', rec.out);
        }
      }
      return answer(res, Buffer.from('{}'));
    }
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 0; // keep idle connections open between the bench's phases
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
