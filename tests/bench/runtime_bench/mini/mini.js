'use strict';
// The floor of the Runtime API path: a raw keep-alive socket looping GET /next, then POST of
// the event back to /response (no http module, no handler, no JSON parsing). runtime_bench.py
// compares it with the node runtime client (src/runtime/clients/node/runtime.js).
const net = require('net');

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const colon = api.lastIndexOf(':');
const socket = net.connect(Number(api.slice(colon + 1)), api.slice(0, colon));
socket.setNoDelay(true);
let buf = Buffer.alloc(0);
let waiting = 'next';

const next = () => {
  waiting = 'next';
  socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n');
};

socket.on('connect', next);
socket.on('data', (data) => {
  buf = buf.length ? Buffer.concat([buf, data]) : data;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = buf.subarray(0, end).toString('latin1');
    const length = /content-length:\s*(\d+)/i.exec(head);
    const size = length ? Number(length[1]) : 0;
    if (buf.length < end + 4 + size) return;
    const body = buf.subarray(end + 4, end + 4 + size);
    buf = buf.subarray(end + 4 + size);
    if (waiting === 'next') {
      const id = /lambda-runtime-aws-request-id:\s*(\S+)/i.exec(head)[1];
      waiting = 'response';
      socket.write(Buffer.concat([Buffer.from(
        `POST /2018-06-01/runtime/invocation/${id}/response HTTP/1.1\r\nHost: runtime\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    } else {
      next();
    }
  }
});
socket.on('error', () => process.exit(1));
socket.on('close', () => process.exit(1));
