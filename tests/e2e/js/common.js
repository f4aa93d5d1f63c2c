// Shared pieces of the JavaScript SDK v3 e2e scripts that tests/e2e/test_js_sdk.py runs
// with `node`: the client configuration for the server under test, a step runner whose
// report the python side checks, and small helpers. CommonJS, so that NODE_PATH (the
// node_modules the project's install step made in BUILD_DIR/npm) resolves the SDK.
"use strict";

const assert = require("node:assert/strict");

const endpoint = process.env.STREAMSTACK_ENDPOINT;
if (!endpoint) {
  console.error("STREAMSTACK_ENDPOINT is not set: run this through tests/e2e/test_js_sdk.py");
  process.exit(2);
}

// What every client gets: the server's one port, fixed test credentials (no provider chain,
// no ~/.aws), and a single attempt so that a server error is seen, not retried away.
const clientConfig = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};

// A name no other run of the same server shares (the python side passes its own prefix).
const prefix = process.env.STREAMSTACK_JS_PREFIX || `js-${process.pid}`;
const uniqueName = (name) => `${prefix}-${name}`;

const report = [];

// Runs the steps in order. Each passed step prints one JSON line {"step", "ok": true}; the
// first failure prints {"step", "ok": false, "error"} plus the error's details on stderr and
// ends the process with exit code 1. At the end a {"done": true, "steps": [...]} line.
async function run(steps) {
  for (const [name, fn] of steps) {
    const started = Date.now();
    try {
      await fn();
    } catch (err) {
      const error = describeError(err);
      const short = error.replace(/\s+/g, " ").slice(0, 400);
      console.log(JSON.stringify({ step: name, ok: false, error: short }));
      console.error(`step "${name}" failed: ${error}`);
      if (err && err.stack) console.error(err.stack);
      if (err && err.$metadata) console.error("$metadata:", JSON.stringify(err.$metadata));
      process.exitCode = 1;
      return;
    }
    report.push(name);
    console.log(JSON.stringify({ step: name, ok: true, ms: Date.now() - started }));
  }
  console.log(JSON.stringify({ done: true, steps: report }));
}

function describeError(err) {
  if (!(err instanceof Error)) return String(err);
  const parts = [`${err.name}: ${err.message}`];
  if (err.$metadata && err.$metadata.httpStatusCode) {
    parts.push(`(HTTP ${err.$metadata.httpStatusCode})`);
  }
  return parts.join(" ");
}

// Runs `fn`, which must throw; checks the error's name (the SDK's modeled exception), its
// class when given, and that the SDK saw HTTP `status`. Returns the error for more checks.
async function expectError(fn, { name, status = 400, type } = {}) {
  let caught;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected ${name}, but the call succeeded`);
  assert.equal(caught.name, name, `expected ${name}, got ${describeError(caught)}`);
  if (type) assert.ok(caught instanceof type, `${caught.name} is not an instance of ${type.name}`);
  assert.equal(caught.$fault, status >= 500 ? "server" : "client");
  assert.ok(caught.$metadata, `${name} has no $metadata`);
  assert.equal(caught.$metadata.httpStatusCode, status,
    `${name}: HTTP ${caught.$metadata.httpStatusCode}, expected ${status}`);
  assert.equal(typeof caught.message, "string");
  assert.ok(caught.message.length > 0, `${name} has an empty message`);
  return caught;
}

// Polls `predicate` (sync or async) until it returns a truthy value or `timeoutMs` passes;
// returns the last value.
async function waitFor(predicate, timeoutMs = 5000, intervalMs = 10) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

module.exports = { assert, clientConfig, endpoint, expectError, run, uniqueName, waitFor };
