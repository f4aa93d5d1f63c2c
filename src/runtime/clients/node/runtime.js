/**
 * StreamStack's runtime client for `nodejs*` Lambda functions.
 *
 * StreamStack starts it as `node <dir>/runtime.js`, with the working directory at the unpacked
 * code and AWS's environment (AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT, ...). It loads
 * the handler named by _HANDLER (CommonJS through require(), ES modules through import()), then
 * serves invocations from the Lambda Runtime API (2018-06-01) until the process is stopped.
 *
 * Behaviour follows AWS's Node.js runtime interface client, aws/aws-lambda-nodejs-runtime-
 * interface-client ("the RIC" below; file names given as RIC src/<file>): handler resolution,
 * error types and bodies, the context object, callback / promise / context.succeed semantics,
 * callbackWaitsForEmptyEventLoop through the process's 'beforeExit' event, and the log line
 * format of the patched console.
 *
 * One self-contained CommonJS file: Node.js built-in modules only, no API newer than Node.js 18.
 * The protocol is spoken over HTTP (keep-alive), never over stdout, so nothing the function
 * prints can corrupt it. Losing the Runtime API (refused, reset or closed connection, or an
 * unexpected status on /next) ends the process with a non-zero exit code.
 */

'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const stream = require('stream');
const url = require('url');
const util = require('util');

const RUNTIME_API_PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const USER_AGENT = `streamstack-runtime-nodejs/${process.version}`;

// Exit codes of AWS's client (RIC src/index.mjs): an uncaught exception ends the process with
// 129, an unhandled promise rejection with 128. A lost Runtime API is ours: 1.
const EXIT_UNCAUGHT_EXCEPTION = 129;
const EXIT_UNHANDLED_REJECTION = 128;
const EXIT_RUNTIME_API_LOST = 1;

// ---------------------------------------------------------------------------------------------
// Errors (RIC src/Errors.js)
// ---------------------------------------------------------------------------------------------

/**
 * Makes an Error subclass whose instances are named `Runtime.<name>`, as the errors the RIC
 * raises itself are (the name is what becomes the error document's errorType).
 */
function defineRuntimeError(name, fixedMessage) {
  const cls = class extends Error {
    constructor(message) {
      super(fixedMessage === undefined ? message : fixedMessage);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  cls.prototype.name = `Runtime.${name}`;
  return cls;
}

const ImportModuleError = defineRuntimeError('ImportModuleError');
const HandlerNotFound = defineRuntimeError('HandlerNotFound');
const MalformedHandlerName = defineRuntimeError('MalformedHandlerName');
const UserCodeSyntaxError = defineRuntimeError('UserCodeSyntaxError');
const MalformedStreamingHandler = defineRuntimeError('MalformedStreamingHandler');
const InvalidStreamingOperation = defineRuntimeError('InvalidStreamingOperation');
// AWS: reported when an async handler's promise never settles and the event loop runs dry.
const NodeJsExit = defineRuntimeError(
  'NodeJsExit',
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly ' +
    'caused by a Promise that was never settled. For more information, see ' +
    'https://nodejs.org/docs/latest/api/process.html#exit-codes',
);

/** AWS: the message of an unhandled rejection is the reason as a string ("Error: boom"). */
class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

/** True for an object that looks like an Error: non-empty string name, message and stack. */
function isErrorLike(value) {
  return Boolean(
    value &&
      value.name &&
      value.message &&
      value.stack &&
      typeof value.name === 'string' &&
      typeof value.message === 'string' &&
      typeof value.stack === 'string',
  );
}

function intoError(value) {
  return value instanceof Error ? value : new Error(value);
}

/**
 * The error document posted to /invocation/{id}/error and /init/error.
 * AWS: errors give {errorType: name, errorMessage: message, trace: stack lines}; any other value
 * gives {errorType: typeof value, errorMessage: String(value), trace: []}; DEL characters are
 * escaped as %7F; a value whose fields cannot be read gives the fixed 'handled' document.
 */
function toErrorDocument(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name?.replaceAll('\x7F', '%7F'),
        errorMessage: error.message?.replaceAll('\x7F', '%7F'),
        trace: error.stack.replaceAll('\x7F', '%7F').split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_) {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or ' +
        'more of its message, name, and stack',
    };
  }
}

/**
 * An error as the text log shows it: a tab, then JSON with errorType, errorMessage, code, the
 * error's own enumerable properties and its stack as an array of lines (AWS's toFormatted).
 */
function formatErrorForLog(error) {
  const withErrorFields = (_key, value) => {
    if (!(value instanceof Error)) return value;
    const fields = Object.assign(
      { errorType: value.name, errorMessage: value.message, code: value.code },
      value,
    );
    if (typeof value.stack === 'string') fields.stack = value.stack.split('\n');
    return fields;
  };
  try {
    return '\t' + JSON.stringify(error, withErrorFields);
  } catch (_) {
    return '\t' + JSON.stringify(toErrorDocument(error));
  }
}

// ---------------------------------------------------------------------------------------------
// Logging (RIC src/LogPatch.js)
// ---------------------------------------------------------------------------------------------

// The current request id and tenant id live on the global object under the RIC's symbols, so
// that code which reads them there finds them.
const REQUEST_ID_SYMBOL = Symbol.for('aws.lambda.runtime.requestId');
const TENANT_ID_SYMBOL = Symbol.for('aws.lambda.runtime.tenantId');

function setCurrentRequestId(id) {
  global[REQUEST_ID_SYMBOL] = id;
}

function setCurrentTenantId(id) {
  global[TENANT_ID_SYMBOL] = id;
}

const LOG_LEVELS = Object.freeze({
  TRACE: { name: 'TRACE', priority: 1 },
  DEBUG: { name: 'DEBUG', priority: 2 },
  INFO: { name: 'INFO', priority: 3 },
  WARN: { name: 'WARN', priority: 4 },
  ERROR: { name: 'ERROR', priority: 5 },
  FATAL: { name: 'FATAL', priority: 6 },
});

/**
 * One text log line: `<ISO time>\t<request id>\t<LEVEL>\t<util.format(args)>`. Before the first
 * invocation the request id is `undefined`, as AWS writes it. AWS's client, when it writes to
 * stdout rather than its telemetry fd, replaces every '\n' of the message with '\r' so that one
 * console call stays one line, hence one log event.
 */
function writeTextLog(level, message, ...params) {
  const line =
    `${new Date().toISOString()}\t${global[REQUEST_ID_SYMBOL]}\t${level.name}\t` +
    util.format(message, ...params);
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

/** AWS_LAMBDA_LOG_FORMAT=JSON: errors inside a logged value become their fields. */
function jsonErrorReplacer(_key, value) {
  if (!(value instanceof Error)) return value;
  return Object.assign(
    {
      errorType: value?.constructor?.name ?? 'UnknownError',
      errorMessage: value.message,
      stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    },
    value,
  );
}

/**
 * One JSON log line (AWS's formatJsonMessage): timestamp, level, requestId, tenantId when set,
 * message (a single argument is kept as a value; several are util.format-ted, and the first
 * Error among them adds errorType, errorMessage and stackTrace).
 */
function writeJsonLog(level, message, ...params) {
  const record = {
    timestamp: new Date().toISOString(),
    level: level.name,
    requestId: global[REQUEST_ID_SYMBOL],
  };
  const tenantId = global[TENANT_ID_SYMBOL];
  if (tenantId !== undefined && tenantId !== null) record.tenantId = tenantId;

  let line;
  if (params.length === 0) {
    record.message = message;
    try {
      line = JSON.stringify(record, jsonErrorReplacer);
    } catch (_) {
      record.message = util.format(record.message);
      line = JSON.stringify(record);
    }
  } else {
    record.message = util.format(message, ...params);
    const error = [message, ...params].find((param) => param instanceof Error);
    if (error) {
      record.errorType = error?.constructor?.name ?? 'UnknownError';
      record.errorMessage = error.message;
      record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
    }
    line = JSON.stringify(record);
  }
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

/** Logs an error the runtime reports ('Invoke Error', 'Uncaught Exception', ...). */
let logRuntimeError = () => {};

/**
 * Replaces console.trace/debug/info/log/warn/error (and adds console.fatal) with writers of
 * AWS's format, dropping levels below AWS_LAMBDA_LOG_LEVEL (default: everything is written).
 * Like AWS's client, console.trace is a plain TRACE-level line (no stack), console.log is INFO,
 * and console.fatal is never filtered. Other console methods are left as Node has them.
 */
function patchConsole() {
  const json = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const write = json ? writeJsonLog : writeTextLog;
  const threshold = LOG_LEVELS[process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase()] ?? LOG_LEVELS.TRACE;
  const writerFor = (level) =>
    level.priority >= threshold.priority
      ? (msg, ...params) => write(level, msg, ...params)
      : () => {};

  console.trace = writerFor(LOG_LEVELS.TRACE);
  console.debug = writerFor(LOG_LEVELS.DEBUG);
  console.info = writerFor(LOG_LEVELS.INFO);
  console.log = console.info;
  console.warn = writerFor(LOG_LEVELS.WARN);
  console.error = writerFor(LOG_LEVELS.ERROR);
  console.fatal = (msg, ...params) => write(LOG_LEVELS.FATAL, msg, ...params);

  logRuntimeError = json
    ? (_label, error) => console.error(intoError(error))
    : (label, error) => console.error(label, formatErrorForLog(intoError(error)));
}

// ---------------------------------------------------------------------------------------------
// Runtime API client (RIC src/RAPIDClient.js)
// ---------------------------------------------------------------------------------------------

/** Ends the process because the Runtime API is gone or answered what no runtime expects. */
function exitRuntimeApiLost(error) {
  process.stderr.write(`streamstack runtime: lost the Lambda Runtime API: ${error}\n`);
  process.exit(EXIT_RUNTIME_API_LOST);
}

/**
 * AWS: a result is sent as JSON, undefined as null; a result JSON cannot represent (a cycle, a
 * BigInt) fails with this Error, which the caller reports as the invocation's error.
 */
function serializeResult(result) {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch (_) {
    throw new Error('Unable to stringify response body');
  }
}

class RuntimeApiClient {
  /** @param {string} endpoint AWS_LAMBDA_RUNTIME_API, `host:port` (`[v6]:port` allowed). */
  constructor(endpoint) {
    const colon = endpoint.lastIndexOf(':');
    this.hostname = endpoint.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    this.port = parseInt(endpoint.slice(colon + 1), 10);
    // One keep-alive connection serves the whole loop; the agent unrefs it while idle, so it
    // never keeps the event loop from running dry (callbackWaitsForEmptyEventLoop relies on it).
    this.agent = new http.Agent({ keepAlive: true });
  }

  /**
   * One HTTP exchange. Resolves {statusCode, headers, body: Buffer}; rejects on a transport
   * failure (refused, reset, closed before the whole response arrived).
   */
  request(method, requestPath, body, headers) {
    const incomplete = () =>
      new Error(`connection closed during the response to ${method} ${requestPath}`);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          hostname: this.hostname,
          port: this.port,
          method,
          path: RUNTIME_API_PREFIX + requestPath,
          agent: this.agent,
          headers: Object.assign(
            { 'User-Agent': USER_AGENT },
            body === undefined ? {} : { 'Content-Length': body.length },
            headers,
          ),
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => {
            if (!res.complete) {
              reject(incomplete());
              return;
            }
            const received = Buffer.concat(chunks);
            resolve({ statusCode: res.statusCode, headers: res.headers, body: received });
          });
          res.on('error', reject);
          res.on('close', () => {
            if (!res.complete) reject(incomplete());
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Posts and then runs `done`; a transport failure ends the process. */
  post(requestPath, body, contentType, extraHeaders, done) {
    const headers = Object.assign({ 'Content-Type': contentType }, extraHeaders);
    this.request('POST', requestPath, body, headers).then(() => done && done(), exitRuntimeApiLost);
  }

  /**
   * Long-polls GET /invocation/next (no timeout: it may block for minutes). Resolves the raw
   * body and the (lower-cased) headers; anything but 200 rejects, as AWS's client fails then.
   */
  async nextInvocation() {
    const res = await this.request('GET', '/invocation/next');
    if (res.statusCode !== 200) {
      throw new Error(`Failed to get next invocation, HTTP status ${res.statusCode}`);
    }
    return { bodyJson: res.body.toString('utf8'), headers: res.headers };
  }

  /** Throws (synchronously) when the result cannot be serialised; see serializeResult. */
  postInvocationResponse(result, requestId, done) {
    const body = Buffer.from(serializeResult(result), 'utf8');
    const requestPath = `/invocation/${encodeURIComponent(requestId)}/response`;
    this.post(requestPath, body, 'application/json', {}, done);
  }

  /** A buffered response of a streaming handler: raw bytes with the stream's content type. */
  postStreamedResponse(body, contentType, requestId, done) {
    this.post(`/invocation/${encodeURIComponent(requestId)}/response`, body, contentType, {}, done);
  }

  postInvocationError(error, requestId, done) {
    const document = toErrorDocument(error);
    this.post(
      `/invocation/${encodeURIComponent(requestId)}/error`,
      Buffer.from(JSON.stringify(document), 'utf8'),
      'application/json',
      errorTypeHeader(document),
      done,
    );
  }

  postInitError(error, done) {
    const document = toErrorDocument(error);
    this.post(
      '/init/error',
      Buffer.from(JSON.stringify(document), 'utf8'),
      'application/json',
      errorTypeHeader(document),
      done,
    );
  }
}

/**
 * AWS's client names the error type in this header on /init/error. StreamStack also sends it on
 * /invocation/{id}/error (the Runtime API defines it there too; AWS's native client leaves it
 * out). Characters a header cannot carry are dropped.
 */
function errorTypeHeader(document) {
  const type = String(document.errorType ?? '').replace(/[^\x20-\x7E]/g, '');
  return type ? { [ERROR_TYPE_HEADER]: type } : {};
}

// ---------------------------------------------------------------------------------------------
// Loading the handler (RIC src/UserFunction.js)
// ---------------------------------------------------------------------------------------------

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/**
 * AWS: the `awslambda` global (streamifyResponse, HttpResponseStream) exists while user code
 * loads, unless AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA is '1' or 'true'.
 */
function installAwsLambdaGlobal() {
  const disabled = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (disabled === '1' || disabled === 'true') return;
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === 'number') {
        handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark, 10);
      }
      return handler;
    },
    HttpResponseStream: {
      /** A JSON prelude, then 8 NUL bytes, before the body (AWS's http-integration format). */
      from(responseStream, prelude) {
        responseStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
        const metadata = JSON.stringify(prelude);
        responseStream._onBeforeFirstWrite = (write) => {
          write(metadata);
          write(new Uint8Array(8));
        };
        return responseStream;
      },
    },
  };
}

/**
 * AWS: a `.js` file is an ES module when the nearest package.json above it says
 * "type": "module"; the search stops (false) at a folder named node_modules or at '/'; an
 * unreadable package.json is ignored with a warning.
 */
function packageJsonSaysModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const packageJson = path.join(folder, 'package.json');
  if (fs.existsSync(packageJson)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(packageJson));
      if (pkg) return pkg.type === 'module';
    } catch (e) {
      console.warn(
        `${packageJson} cannot be read, it will be ignored for ES module detection purposes.`,
        e,
      );
      return false;
    }
  }
  if (folder === '/') return false;
  return packageJsonSaysModule(path.resolve(folder, '..'));
}

/**
 * Loads the user's module the way AWS's client does, trying in order:
 *  1. the path itself, extensionless (also a directory with index.js), through require();
 *  2. `<path>.js` through require(), unless package.json makes it an ES module;
 *  3. `<path>.js` through import() when package.json makes it an ES module, then
 *     `<path>.mjs` through import(), then `<path>.cjs` through require();
 *  4. Node's own resolution of the bare name from the task root and the handler's directory
 *     (a package in node_modules, NODE_PATH), through require().
 * A step whose module exports a falsy value falls through to the next, as in AWS's client.
 */
async function loadUserModule(appRoot, moduleRoot, moduleName) {
  const basePath = path.resolve(appRoot, moduleRoot, moduleName);
  const requireIfPresent = (file) => (fs.existsSync(file) ? require(file) : undefined);
  const importIfPresent = async (file) =>
    fs.existsSync(file) ? import(url.pathToFileURL(file).href) : undefined;

  const extensionless = requireIfPresent(basePath);
  if (extensionless) return extensionless;

  const jsIsModule =
    fs.existsSync(basePath + '.js') && packageJsonSaysModule(path.dirname(basePath + '.js'));
  if (!jsIsModule) {
    const commonJs = requireIfPresent(basePath + '.js');
    if (commonJs) return commonJs;
  }

  const loaded =
    (jsIsModule && (await importIfPresent(basePath + '.js'))) ||
    (await importIfPresent(basePath + '.mjs')) ||
    requireIfPresent(basePath + '.cjs');
  if (loaded) return loaded;

  return require(require.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
}

/**
 * Resolves _HANDLER to the handler function.
 * `[dir/]module.path.to.fn`: the module is the part of the last path segment before its first
 * '.', the rest is a property path into the module's exports. Errors, as AWS words them:
 * '..' anywhere or no '.' -> Runtime.MalformedHandlerName; module not found ->
 * Runtime.ImportModuleError; a syntax error -> Runtime.UserCodeSyntaxError; no such export or
 * not a function -> Runtime.HandlerNotFound; anything else the module throws, as it is.
 */
async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root ` +
        'directories in handler names.',
    );
  }
  const handlerString = path.basename(fullHandler);
  // AWS takes the directory part as everything before the first occurrence of the basename.
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, propertyPath] = match;

  installAwsLambdaGlobal();
  let userModule;
  try {
    userModule = await loadUserModule(appRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && e.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }

  const handler = propertyPath.split('.').reduce((value, key) => value && value[key], userModule);
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler;
}

/** What the loop needs to know about the handler (AWS's getHandlerMetadata). */
function describeHandler(handler) {
  const streaming = handler[HANDLER_STREAMING];
  const marked = streaming !== undefined && streaming !== null && streaming !== false;
  if (marked && streaming !== STREAM_RESPONSE) {
    throw new MalformedStreamingHandler('Only response streaming is supported.');
  }
  return {
    streaming: streaming === STREAM_RESPONSE,
    isAsync: handler?.constructor?.name === 'AsyncFunction',
    argsNum: handler.length,
  };
}

/** AWS (RIC src/WarningForCallbackHandlers.js): a sync 3-argument handler gets this warning. */
function warnAboutCallbackHandler(metadata) {
  if (
    process.env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined &&
    metadata.argsNum === 3 &&
    !metadata.isAsync &&
    !metadata.streaming
  ) {
    console.warn(
      'AWS Lambda plans to remove support for callback-based function handlers starting with ' +
        'Node.js 24. You will need to update this function to use an async handler to use ' +
        'Node.js 24 or later. For more information and to provide feedback on this change, see ' +
        'https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To ' +
        'disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment ' +
        'variable.',
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The context object (RIC src/InvokeContext.js, src/CallbackContext.js)
// ---------------------------------------------------------------------------------------------

/**
 * The 'beforeExit' action. Node emits 'beforeExit' when the event loop has nothing left to do;
 * AWS's client uses it to finish an invocation whose handler is "done" only once the loop is
 * empty (callback with callbackWaitsForEmptyEventLoop, a sync handler that never calls back, an
 * async handler whose promise never settles). Scheduling work from it keeps the process alive.
 */
let beforeExitAction = () => {};
const beforeExit = {
  set(action) {
    beforeExitAction = action;
  },
  reset() {
    beforeExitAction = () => {};
  },
};

function parseJsonHeader(value, name) {
  if (value === undefined || value === '') return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

/**
 * Adds the invocation's data to the context, as AWS's InvokeContext does: the environment's
 * function name, version, memory size (a string, as AWS gives it) and log names; the headers'
 * ARN, request id, client context and identity (parsed JSON, undefined when absent), tenant id;
 * getRemainingTimeInMillis() against Lambda-Runtime-Deadline-Ms (not clamped at 0, as AWS).
 * Also sets _X_AMZN_TRACE_ID from Lambda-Runtime-Trace-Id, or removes it when there is none.
 * Throws when a JSON header cannot be parsed (the invocation then fails with that error).
 */
function attachInvocationData(context, headers) {
  const traceId = headers['lambda-runtime-trace-id'];
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;

  const deadlineMs = Number(headers['lambda-runtime-deadline-ms']) || 0;
  return Object.assign(
    context,
    {
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    },
    {
      clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
      identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
      invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
      awsRequestId: headers['lambda-runtime-aws-request-id'],
      tenantId: headers['lambda-runtime-aws-tenant-id'],
      getRemainingTimeInMillis: () => deadlineMs - Date.now(),
    },
  );
}

/**
 * The handler's callback and the context's succeed/fail/done and
 * callbackWaitsForEmptyEventLoop, with AWS's semantics:
 *  - only the first call of any of callback/succeed/fail/done counts;
 *  - callback(err) and done(err)/fail(err) report the error at once; fail() without an error
 *    reports the string 'handled';
 *  - succeed/done(null, r) report r at once; callback(null, r) reports r at once when
 *    callbackWaitsForEmptyEventLoop is false, else when the event loop has run dry;
 *  - a result is reported at most once per invocation.
 * `markCompleted` lets the loop's own 'beforeExit' report block any later result.
 */
function createCallbackContext(client, requestId, scheduleNext) {
  let waitsForEmptyEventLoop = true;
  let reported = false;
  let firstCallMade = false;

  const reportError = (err, then) => {
    logRuntimeError('Invoke Error', err);
    client.postInvocationError(err, requestId, then);
  };
  const reportResult = (result, then) => {
    if (reported) {
      console.error(
        'Invocation has already been reported as done. ' +
          'Cannot call complete more than once per invocation.',
      );
      return;
    }
    reported = true;
    client.postInvocationResponse(result, requestId, then);
  };

  const callback = (err, result) => {
    beforeExit.reset();
    if (err !== undefined && err !== null) {
      reportError(err, scheduleNext);
    } else if (!waitsForEmptyEventLoop) {
      reportResult(result, scheduleNext);
    } else {
      beforeExit.set(() => setImmediate(() => reportResult(result, scheduleNext)));
    }
  };
  const done = (err, result) => {
    beforeExit.reset();
    if (err !== undefined && err !== null) reportError(err, scheduleNext);
    else reportResult(result, scheduleNext);
  };
  const succeed = (result) => done(null, result);
  const fail = (err) => (err === undefined || err === null ? done('handled') : done(err, null));

  // The flag is set after the call returns: a call that throws (e.g. an unserialisable result)
  // leaves the next call free to report that error, as in AWS's client.
  const firstCallOnly = (fn) =>
    function (...args) {
      if (firstCallMade) return;
      fn(...args);
      firstCallMade = true;
    };

  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitsForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitsForEmptyEventLoop = value;
    },
    succeed: firstCallOnly(succeed),
    fail: firstCallOnly(fail),
    done: firstCallOnly(done),
  };
  return {
    callback: firstCallOnly(callback),
    context,
    markCompleted: () => {
      reported = true;
    },
  };
}

function isPromise(value) {
  return Boolean(value && value.then && typeof value.then === 'function');
}

// ---------------------------------------------------------------------------------------------
// The invocation loop (RIC src/Runtime.js, src/index.mjs)
// ---------------------------------------------------------------------------------------------

class Runtime {
  constructor(client) {
    this.client = client;
    this.handler = undefined; // set by start()
    this.metadata = undefined;
    // Where an uncaught exception or unhandled rejection is reported: /init/error until the
    // first invocation, then the current (or last) invocation's /error.
    this.currentRequestId = undefined;
    this.exiting = false;
  }

  /** Installs the process-wide listeners; called before the handler is loaded. */
  installProcessListeners() {
    process.on('uncaughtException', (error) => {
      logRuntimeError('Uncaught Exception', error);
      this.reportFatal(error, EXIT_UNCAUGHT_EXCEPTION);
    });
    process.on('unhandledRejection', (reason, promise) => {
      const error = new UnhandledPromiseRejection(reason, promise);
      logRuntimeError('Unhandled Promise Rejection', error);
      this.reportFatal(error, EXIT_UNHANDLED_REJECTION);
    });
    beforeExit.reset();
    process.on('beforeExit', () => beforeExitAction());
  }

  /**
   * AWS: an error that escapes the handler's control is posted as the init error (before the
   * first invocation) or as the current invocation's error, then the process exits.
   */
  reportFatal(error, exitCode) {
    if (this.exiting) return;
    this.exiting = true;
    const exit = () => process.exit(exitCode);
    if (this.currentRequestId === undefined) this.client.postInitError(error, exit);
    else this.client.postInvocationError(error, this.currentRequestId, exit);
  }

  /** Starts serving invocations with the loaded handler. */
  start(handler, metadata) {
    this.handler = handler;
    this.metadata = metadata;
    this.scheduleIteration();
  }

  /** Starts the next iteration on a fresh turn of the event loop. */
  scheduleIteration() {
    if (this.exiting) return;
    setImmediate(() => {
      const once = this.metadata.streaming ? this.handleOnceStreaming() : this.handleOnce();
      once.catch((err) => {
        // Only a lost Runtime API (or a runtime bug) gets here.
        console.log(`Unexpected Top Level Error: ${err}`);
        exitRuntimeApiLost(err);
      });
    });
  }

  /** Waits for the next invocation and sets the per-invocation state. */
  async nextInvocation() {
    const { bodyJson, headers } = await this.client.nextInvocation();
    const requestId = headers['lambda-runtime-aws-request-id'];
    if (!requestId) throw new Error('invocation id is missing or invalid');
    setCurrentRequestId(requestId);
    setCurrentTenantId(headers['lambda-runtime-aws-tenant-id']);
    this.currentRequestId = requestId;
    return { bodyJson, headers, requestId };
  }

  async handleOnce() {
    const { bodyJson, headers, requestId } = await this.nextInvocation();
    const { callback, context, markCompleted } = createCallbackContext(
      this.client,
      requestId,
      () => this.scheduleIteration(),
    );
    try {
      this.setDefaultExitAction(requestId, markCompleted);
      const event = JSON.parse(bodyJson);
      const result = this.handler(event, attachInvocationData(context, headers), callback);
      // AWS: a returned promise settles the invocation; any other return value is ignored
      // (the invocation then ends by callback, context.done/succeed/fail, or an empty loop).
      if (isPromise(result)) {
        result.then(context.succeed, context.fail).catch(context.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  /**
   * AWS: when the event loop runs dry before the handler reported anything, an async handler's
   * invocation fails with Runtime.NodeJsExit, any other handler's succeeds with null.
   */
  setDefaultExitAction(requestId, markCompleted) {
    beforeExit.set(() => {
      markCompleted();
      const next = () => this.scheduleIteration();
      if (this.metadata.isAsync) {
        const error = new NodeJsExit();
        logRuntimeError('Invoke Error', error);
        this.client.postInvocationError(error, requestId, next);
      } else {
        this.client.postInvocationResponse(null, requestId, next);
      }
    });
  }

  /**
   * A handler wrapped with awslambda.streamifyResponse(), called as (event, responseStream,
   * context). SIMPLIFICATION: AWS streams the body to the Runtime API as it is written (chunked
   * POST with Lambda-Runtime-Function-Response-Mode: streaming); this client buffers it and posts
   * it whole once the handler's promise resolves and the stream has ended, which is what a
   * caller of the plain Invoke API receives anyway. The errors are AWS's: a handler that does
   * not return a promise, or returns before ending the stream, fails the invocation.
   */
  async handleOnceStreaming() {
    const { bodyJson, headers, requestId } = await this.nextInvocation();
    let waitsForEmptyEventLoop = true;
    let settled = false;
    const scheduleNext = () => {
      if (!waitsForEmptyEventLoop) this.scheduleIteration();
      else beforeExit.set(() => setImmediate(() => this.scheduleIteration()));
    };
    const finish = (report) => {
      if (settled) return;
      settled = true;
      beforeExit.reset();
      report(scheduleNext);
    };
    const fail = (err) =>
      finish((then) => {
        logRuntimeError('Invoke Error', err);
        this.client.postInvocationError(err, requestId, then);
      });

    const response = createBufferedResponseStream();
    // A promise that never settles must not leave StreamStack waiting: report it as AWS does
    // for async handlers.
    beforeExit.set(() => fail(new NodeJsExit()));
    try {
      const context = attachInvocationData(
        {
          get callbackWaitsForEmptyEventLoop() {
            return waitsForEmptyEventLoop;
          },
          set callbackWaitsForEmptyEventLoop(value) {
            waitsForEmptyEventLoop = value;
          },
        },
        headers,
      );
      const returned = this.handler(JSON.parse(bodyJson), response.stream, context);
      if (!isPromise(returned)) {
        fail('Streaming does not support non-async handlers.');
        return;
      }
      const value = await returned;
      if (value !== undefined) console.warn('Streaming handlers ignore return values.');
      await response.ended();
      if (!response.stream.writableFinished) {
        fail('Response stream is not finished.');
        return;
      }
      finish((then) =>
        this.client.postStreamedResponse(response.body(), response.contentType(), requestId, then),
      );
    } catch (err) {
      fail(err);
    }
  }
}

/**
 * The responseStream a streaming handler writes to, collecting the body in memory. It has the
 * methods AWS's stream adds: setContentType() (until the first write) and the hook that
 * HttpResponseStream.from() uses to put its prelude in front of the body.
 */
function createBufferedResponseStream() {
  const chunks = [];
  let contentType = 'application/octet-stream';
  let started = false;
  let writable;
  // Runs once, before the first chunk of the body (also when nothing is ever written).
  const startBody = () => {
    if (started) return;
    started = true;
    if (typeof writable._onBeforeFirstWrite === 'function') {
      writable._onBeforeFirstWrite((chunk) => chunks.push(Buffer.from(chunk)));
    }
  };
  writable = new stream.Writable({
    write(chunk, _encoding, done) {
      startBody();
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  writable.setContentType = (type) => {
    if (started) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    contentType = type;
  };
  return {
    stream: writable,
    contentType: () => contentType,
    body: () => {
      startBody();
      return Buffer.concat(chunks);
    },
    /** Resolves once an ended stream has flushed ('finish'); at once if it was not ended. */
    ended: () =>
      writable.writableEnded && !writable.writableFinished
        ? new Promise((resolve) => {
            writable.once('finish', resolve);
            writable.once('error', resolve);
          })
        : Promise.resolve(),
  };
}

// ---------------------------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------------------------

async function main() {
  patchConsole();
  const endpoint = process.env.AWS_LAMBDA_RUNTIME_API;
  if (!endpoint) {
    process.stderr.write('streamstack runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
    process.exit(EXIT_RUNTIME_API_LOST);
  }
  const client = new RuntimeApiClient(endpoint);
  const runtime = new Runtime(client);
  runtime.installProcessListeners();

  let handler;
  let metadata;
  try {
    const appRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
    handler = await loadHandler(appRoot, process.env._HANDLER || '');
    metadata = describeHandler(handler);
  } catch (error) {
    // AWS: an init failure surfaces as an uncaught exception: logged as 'Uncaught Exception',
    // posted to /init/error, exit 129.
    logRuntimeError('Uncaught Exception', error);
    runtime.reportFatal(error, EXIT_UNCAUGHT_EXCEPTION);
    return;
  }
  warnAboutCallbackHandler(metadata);
  runtime.start(handler, metadata);
}

main();
