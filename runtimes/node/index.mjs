// Stratus's runtime interface client for the nodejs18.x … nodejs24.x runtimes. Stratus spawns
// `node <pkg>/runtimes/node/index.mjs` with cwd = LAMBDA_TASK_ROOT and the environment AWS gives a function;
// this file then does what AWS's own aws-lambda-nodejs-runtime-interface-client does: load the handler once,
// then forever GET /next → run the handler → POST /response or /error on AWS_LAMBDA_RUNTIME_API.
//
// Behaviour follows AWS's client (handler resolution, errorType values and messages, the `context` object,
// callback/done/succeed/fail semantics, callbackWaitsForEmptyEventLoop, the console patch and its Text/JSON
// line formats, the "Invoke Error" / "Uncaught Exception" / "Unhandled Promise Rejection" log lines, exit
// statuses 129 (uncaught exception) and 128 (unhandled rejection)). Stratus-specific additions:
//   - before each POST of /response or /error, `\x1eSTRATUS-END <requestId>\n` is written to fd 1 and fd 2,
//     so Stratus knows every byte the invocation logged has arrived;
//   - before POST /init/error, `\x1eSTRATUS-INIT-ERROR\n` is written to both, and the process exits with 1;
//   - for a streaming handler (awslambda.streamifyResponse), the end marker is written once the handler has
//     settled, just before the chunked /response body (and its error trailers, if any) is ended.
// Plain ESM, no dependencies, no build step; it is on the cold-start path, so only node: built-ins that Node
// has already loaded at startup are imported eagerly.
import { Agent, request as httpRequest } from "node:http";
import { connect as netConnect } from "node:net";
import { Writable, finished as streamFinished } from "node:stream";
import { statSync, writeSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";

const RUNTIME_FILE = fileURLToPath(import.meta.url);
const API_PREFIX = "/2018-06-01/runtime";

// ---------------------------------------------------------------------------------------------------------
// Output: synchronous writes, so log lines, markers and Runtime API calls keep their order.

let sleeper;
function writeAll(fd, text) {
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      // A non-blocking pipe whose reader is behind: wait a moment and retry. Anything else (EPIPE: Stratus went
      // away) drops the output, it cannot be delivered anyway.
      if (err && err.code === "EAGAIN") {
        sleeper ??= new Int32Array(new SharedArrayBuffer(4));
        Atomics.wait(sleeper, 0, 0, 1);
      } else return;
    }
  }
}
const writeBoth = (text) => {
  writeAll(1, text);
  writeAll(2, text);
};

// ---------------------------------------------------------------------------------------------------------
// Logging: AWS's console patch. Text: `ts\trequestId\tLEVEL\tmessage` with every \n of the line turned into \r;
// JSON: one object per line. AWS_LAMBDA_LOG_LEVEL filters (AWS only sets it together with the JSON format).

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
const JSON_FORMAT = (process.env.AWS_LAMBDA_LOG_FORMAT || "").toUpperCase() === "JSON";
const MIN_LEVEL = JSON_FORMAT ? (LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || "").toUpperCase()] ?? 1) : 1;
// The request id of the invocation being (or last) run. Like AWS it is not cleared after an invocation, so a
// timer firing later logs with the previous request's id; before the first invocation it is undefined.
let currentRequestId;

// JSON.stringify replacer AWS uses for structured log messages: Errors become {errorType, errorMessage, stackTrace}.
function jsonErrorReplacer(_key, value) {
  if (value instanceof Error) {
    return Object.assign(
      {
        errorType: value?.constructor?.name ?? "UnknownError",
        errorMessage: value.message,
        stackTrace: typeof value.stack === "string" ? value.stack.split("\n") : value.stack,
      },
      value,
    );
  }
  return value;
}

function formatJsonLine(level, args) {
  const entry = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (args.length === 1) {
    // A single argument is kept as a value (an object stays an object in the JSON), as AWS does.
    entry.message = args[0];
    try {
      return JSON.stringify(entry, jsonErrorReplacer);
    } catch {
      entry.message = format(args[0]);
      return JSON.stringify(entry);
    }
  }
  entry.message = format(...args);
  for (const arg of args) {
    if (arg instanceof Error) {
      entry.errorType = arg?.constructor?.name ?? "UnknownError";
      entry.errorMessage = arg.message;
      entry.stackTrace = typeof arg.stack === "string" ? arg.stack.split("\n") : [];
      break;
    }
  }
  return JSON.stringify(entry);
}

function log(level, ...args) {
  if (LEVELS[level] < MIN_LEVEL) return;
  let line;
  if (JSON_FORMAT) line = formatJsonLine(level, args);
  else line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}`.replace(/\n/g, "\r");
  writeAll(1, line + "\n");
}

function patchConsole() {
  console.trace = (...args) => log("TRACE", ...args); // AWS's console.trace logs the message only, no stack
  console.debug = (...args) => log("DEBUG", ...args);
  console.info = (...args) => log("INFO", ...args);
  console.log = (...args) => log("INFO", ...args);
  console.warn = (...args) => log("WARN", ...args);
  console.error = (...args) => log("ERROR", ...args);
  console.fatal = (...args) => log("FATAL", ...args);
}

// AWS's "Invoke Error", "Uncaught Exception" and "Unhandled Promise Rejection" lines. Text: the label, then a tab
// and the error as JSON (errorType, errorMessage, its own enumerable properties, stack as an array of lines).
function withEnumerableProperties(value) {
  if (value instanceof Error) {
    const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
    if (typeof value.stack === "string") out.stack = value.stack.split("\n");
    return out;
  }
  return value;
}
function toFormatted(error) {
  try {
    return "\t" + JSON.stringify(error, (_k, v) => withEnumerableProperties(v));
  } catch {
    return "\t" + JSON.stringify(toRapidResponse(error));
  }
}
function logError(label, error) {
  if (JSON_FORMAT) log("ERROR", label, error);
  else log("ERROR", label, toFormatted(error));
}

// ---------------------------------------------------------------------------------------------------------
// Errors, with AWS's names.

class ExtendedError extends Error {
  constructor(reason) {
    super(reason);
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
function errorClass(name) {
  const cls = class extends ExtendedError {};
  cls.prototype.name = name;
  return cls;
}
const ImportModuleError = errorClass("Runtime.ImportModuleError");
const HandlerNotFound = errorClass("Runtime.HandlerNotFound");
const MalformedHandlerName = errorClass("Runtime.MalformedHandlerName");
const UserCodeSyntaxError = errorClass("Runtime.UserCodeSyntaxError");
const MalformedStreamingHandler = errorClass("Runtime.MalformedStreamingHandler");
const InvalidStreamingOperation = errorClass("Runtime.InvalidStreamingOperation");
class UnhandledPromiseRejection extends ExtendedError {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = "Runtime.UnhandledPromiseRejection";

// The body of /error and /init/error, as AWS builds it. An Error gives its name, message and stack lines; anything
// else thrown or passed to callback(err) gives errorType = its typeof and errorMessage = its toString(), so
// `throw "x"` → {"errorType":"string","errorMessage":"x","trace":[]} and a plain object → "object" / "[object Object]".
function toRapidResponse(error) {
  try {
    const errorLike = error && typeof error.name === "string" && typeof error.message === "string" && typeof error.stack === "string";
    if (error instanceof Error || errorLike) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: typeof error.stack === "string" ? error.stack.split("\n") : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage: "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
      trace: [],
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Runtime API client: HTTP/1.1, one kept-alive connection.

const apiAddress = process.env.AWS_LAMBDA_RUNTIME_API;
if (!apiAddress) {
  writeAll(2, "Stratus Node.js runtime: AWS_LAMBDA_RUNTIME_API is not set\n");
  process.exit(1);
}
const colon = apiAddress.lastIndexOf(":");
const apiHost = (colon > 0 ? apiAddress.slice(0, colon) : apiAddress).replace(/^\[|\]$/g, "");
const apiPort = colon > 0 ? Number(apiAddress.slice(colon + 1)) : 80;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

// ---------------------------------------------------------------------------------------------------------
// Stratus's own URLs over https (the rule is documented at stratusEndpoints in src/services/lambda/engine/launch.ts).
// Code written for AWS rebuilds a URL from its hostname and path alone and sends it with https on port 443 — the
// CDK's custom resource handlers answer a ResponseURL with https.request({ hostname, path, method: "PUT" }) — so a
// URL Stratus hands out (http://<its host>:<port>/_stratus/...) loses its scheme and port. An https request for a
// /_stratus/ path on a host in _STRATUS_ENDPOINTS, on port 443 or the endpoint's own port, is therefore connected
// to that endpoint over plain HTTP, its method, path, headers and body unchanged. Hooked at http.Agent's addRequest
// (https.Agent inherits it), so https.request, https.get, ESM imports of node:https and libraries over them are
// covered without loading https at start-up; every other request, to any other host, port or path, goes out as the
// code asked.

const stratusRoutes = new Map();
for (const base of (process.env._STRATUS_ENDPOINTS || "").split(" ")) {
  if (!base) continue;
  try {
    const u = new URL(base);
    stratusRoutes.set(u.hostname.replace(/^\[|\]$/g, "").toLowerCase(), { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port) || 80 });
  } catch {}
}
if (stratusRoutes.size) {
  const addRequest = Agent.prototype.addRequest;
  let plainAgent;
  Agent.prototype.addRequest = function (req, options) {
    if (this.protocol === "https:" && typeof req.path === "string" && req.path.startsWith("/_stratus/") && options) {
      const to = stratusRoutes.get(String(options.host ?? options.hostname ?? "").toLowerCase());
      const port = Number(options.port) || 443;
      if (to && (port === 443 || port === to.port)) {
        plainAgent ??= new Agent();
        return addRequest.call(plainAgent, req, { ...options, host: to.host, hostname: to.host, port: to.port, protocol: "http:", servername: undefined });
      }
    }
    return addRequest.call(this, req, options);
  };
}

// The Runtime API's calls (/next, /response, /error, /init/error) are made one at a time over one kept-alive
// connection, written and read here as plain HTTP/1.1: node:http's agent, request and response objects cost more
// than a small function's own work on every invocation. (A streamed response goes through node:http, on its own
// connection.) Answers are read by Content-Length, chunked or up to the connection's close.
const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");
const calls = [];
let calling = false;
let conn = null; // { socket, reused, on: the handlers of the call being answered }

function call(method, path, body, headers) {
  return new Promise((resolve, reject) => {
    calls.push({ method, path, body, headers, resolve, reject });
    if (!calling) nextCall();
  });
}

function nextCall() {
  const c = calls.shift();
  if (!c) return;
  calling = true;
  sendCall(c, false);
}

function openConnection() {
  const socket = netConnect(apiPort, apiHost);
  socket.setNoDelay(true);
  const cn = { socket, reused: false, on: null };
  socket.on("data", (d) => cn.on?.data(d));
  socket.on("error", (err) => cn.on?.fail(err));
  socket.on("close", () => {
    if (conn === cn) conn = null;
    cn.on?.closed();
  });
  return cn;
}

function sendCall(c, retried) {
  conn ??= openConnection();
  const cn = conn;
  const reused = cn.reused;
  let head = `${c.method} ${c.path} HTTP/1.1\r\nHost: ${apiAddress}\r\n`;
  for (const k in c.headers) head += `${k}: ${c.headers[k]}\r\n`;
  const body = c.body === undefined ? undefined : Buffer.from(c.body, "utf8");
  if (body) head += `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`;
  head += "\r\n";

  let buf = Buffer.alloc(0);
  let received = false;
  let status = 0;
  let headers = null;
  let mode = null; // "length" | "chunked" | "close"
  let left = 0; // length mode: bytes to come; chunked: bytes of the current chunk to come
  let chunkEnd = false; // chunked: the CRLF after a chunk's data is due
  const parts = [];
  const settle = (err) => {
    cn.on = null;
    // Like node:http's agent: an idle kept-alive connection does not keep the process alive (beforeExit).
    cn.socket.unref();
    calling = false;
    if (err) c.reject(err);
    else c.resolve({ status, headers, body: Buffer.concat(parts).toString("utf8") });
    nextCall();
  };
  const done = () => {
    cn.reused = true;
    if (mode === "close" || /(^|,)\s*close\s*($|,)/i.test(headers.connection ?? "")) {
      cn.socket.destroy();
      if (conn === cn) conn = null;
    }
    settle();
  };
  const chunked = () => {
    for (;;) {
      if (left > 0) {
        if (!buf.length) return;
        const take = Math.min(left, buf.length);
        parts.push(buf.subarray(0, take));
        buf = buf.subarray(take);
        left -= take;
        if (left > 0) return;
        chunkEnd = true;
      }
      if (chunkEnd) {
        if (buf.length < 2) return;
        buf = buf.subarray(2);
        chunkEnd = false;
      }
      const eol = buf.indexOf(CRLF);
      if (eol < 0) return;
      const size = parseInt(buf.subarray(0, eol).toString("latin1"), 16);
      if (Number.isNaN(size)) return fail(new Error("Runtime API: malformed chunked answer"));
      if (size === 0) {
        // The last chunk, then trailers (if any) up to an empty line.
        if (buf.length >= eol + 4 && buf[eol + 2] === 13 && buf[eol + 3] === 10) return done();
        if (buf.indexOf(HEAD_END, eol) >= 0) return done();
        return;
      }
      buf = buf.subarray(eol + 2);
      left = size;
    }
  };
  const fail = (err) => {
    if (!cn.on) return;
    cn.socket.destroy();
    if (conn === cn) conn = null;
    // The kept-alive connection was closed by the server just as it was reused: send once more on a new one.
    if (!received && reused && !retried) {
      cn.on = null;
      return sendCall(c, true);
    }
    settle(err);
  };
  cn.on = {
    data(d) {
      received = true;
      if (!headers) {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        const end = buf.indexOf(HEAD_END);
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
        status = Number(lines[0].split(" ")[1]);
        headers = {};
        for (let i = 1; i < lines.length; i++) {
          const colon = lines[i].indexOf(":");
          if (colon <= 0) continue;
          const name = lines[i].slice(0, colon).trim().toLowerCase();
          const value = lines[i].slice(colon + 1).trim();
          headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
        }
        buf = buf.subarray(end + 4);
        if (/chunked/i.test(headers["transfer-encoding"] ?? "")) mode = "chunked";
        else if (headers["content-length"] !== undefined) {
          mode = "length";
          left = Number(headers["content-length"]);
        } else mode = status === 204 || status === 304 || (status >= 100 && status < 200) ? "length" : "close";
        d = buf;
        buf = Buffer.alloc(0);
        if (mode === "chunked") {
          buf = d;
          return chunked();
        }
      } else if (mode === "chunked") {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        return chunked();
      }
      if (mode === "close") return void (d.length && parts.push(d));
      if (d.length) {
        parts.push(d.length > left ? d.subarray(0, left) : d);
        left -= Math.min(left, d.length);
      }
      if (left === 0) done();
    },
    fail,
    closed() {
      if (headers && mode === "close") return done();
      const err = new Error("socket hang up");
      err.code = "ECONNRESET";
      fail(err);
    },
  };
  cn.socket.ref();
  cn.socket.cork();
  cn.socket.write(head, "latin1");
  if (body) cn.socket.write(body);
  cn.socket.uncork();
}

function fatal(err) {
  writeAll(2, `Stratus Node.js runtime: Runtime API request failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}

// Header values must be plain visible ASCII; an errorType is user-controlled.
const headerSafe = (s) => String(s).replace(/[^\t\x20-\x7e]/g, "");

// ---------------------------------------------------------------------------------------------------------
// Response streaming: the `awslambda` global and the response stream, as AWS's client has them.
//
// Wire format of a streamed response: POST /invocation/{id}/response with headers
//   Lambda-Runtime-Function-Response-Mode: streaming
//   Transfer-Encoding: chunked
//   Content-Type: application/octet-stream (or what setContentType set before the first write)
//   Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body
// each write() going out as it is made; a failure ends the body with the trailers
//   Lambda-Runtime-Function-Error-Type: <errorType>
//   Lambda-Runtime-Function-Error-Body: <base64 of {"errorType","errorMessage","trace"}>

const HANDLER_STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HANDLER_HIGHWATERMARK = Symbol.for("aws.lambda.runtime.handler.streaming.highWaterMark");
const STREAM_RESPONSE = "response";
const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const ERROR_TYPE_TRAILER = "Lambda-Runtime-Function-Error-Type";
const ERROR_BODY_TRAILER = "Lambda-Runtime-Function-Error-Body";

// Implements application/vnd.awslambda.http-integration-response: the JSON prelude and 8 NUL bytes go out just
// before the first write (or at end() when nothing was written).
class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadataPrelude = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadataPrelude);
      write(new Uint8Array(8));
    };
    return underlyingStream;
  }
}

function defineAwsLambdaGlobal() {
  const off = process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (off === "1" || off === "true") return;
  globalThis.awslambda = {
    streamifyResponse(fn, options) {
      fn[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (typeof options?.highWaterMark === "number") fn[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
      return fn;
    },
    HttpResponseStream,
  };
}

function isStreamingHandler(fn) {
  const mode = fn[HANDLER_STREAMING];
  if (mode === undefined || mode === null || mode === false) return false;
  if (mode === STREAM_RESPONSE) return true;
  throw new MalformedStreamingHandler("Only response streaming is supported.");
}

// The stream a streaming handler writes to. Each chunk is handed to the chunked POST as it is written; end() only
// finishes this stream: the POST itself is ended by the runtime once the handler has settled (after the marker).
class ResponseStream extends Writable {
  constructor(req, highWaterMark) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this._req = req;
    this._started = false;
    this._onBeforeFirstWrite = undefined;
  }
  setContentType(contentType) {
    if (this._started) throw new InvalidStreamingOperation("Cannot set content-type, too late.");
    this._req.setHeader("Content-Type", contentType);
  }
  _beforeFirstWrite() {
    if (this._started) return;
    this._started = true;
    const hook = this._onBeforeFirstWrite;
    if (typeof hook === "function") hook((chunk) => super.write(chunk));
  }
  write(chunk, encoding, callback) {
    if (typeof chunk !== "string" && !Buffer.isBuffer(chunk) && chunk?.constructor !== Uint8Array) chunk = JSON.stringify(chunk);
    this._beforeFirstWrite();
    return super.write(chunk, encoding, callback);
  }
  end(chunk, encoding, callback) {
    if (!this.writableEnded && !this.destroyed) this._beforeFirstWrite();
    return super.end(chunk, encoding, callback);
  }
  _write(chunk, _encoding, callback) {
    if (chunk.length === 0) return callback(); // an empty chunk would end a chunked body
    // Handed over at once (so nothing is held here when the invocation fails); only the callback waits for
    // the request to drain, which is what gives pipeline() its backpressure.
    if (this._req.write(chunk)) callback();
    else this._req.once("drain", () => callback());
  }
}

// ---------------------------------------------------------------------------------------------------------
// Handler loading, as AWS does it.

// AWS's runtimes provide the AWS SDK for JavaScript v3 (so bundlers leave it out); Stratus provides the clients of the
// services it runs, plus whatever is installed where it looks (see src/services/lambda/engine/node-sdk.ts). A missing
// @aws-sdk/* or @smithy/* package gets Node's own message (as AWS words ImportModuleError) plus a line saying how to
// provide it.
function withSdkHint(err) {
  const missing = /Cannot find (?:package|module) '((?:@aws-sdk|@smithy)\/[^/']+)/.exec(String(err?.message))?.[1];
  if (!missing) return err;
  return (
    `${err}\nStratus provides the AWS SDK for JavaScript v3 clients of the services it runs; install ${missing} in your project ` +
    `(npm i -D ${missing}, in the directory Stratus runs from) or bundle it with the function.`
  );
}

const isFile = (p) => statSync(p, { throwIfNoEntry: false })?.isFile() === true;

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes("..")) {
    throw new MalformedHandlerName("'../' not allowed in handler name. Relative paths are not supported.");
  }
  const slash = fullHandler.lastIndexOf("/");
  const moduleRoot = fullHandler.slice(0, slash + 1);
  const match = /^([^.]*)\.(.*)$/.exec(fullHandler.slice(slash + 1));
  if (!match) throw new MalformedHandlerName("Bad handler");
  const [, moduleName, handlerPath] = match;

  const base = resolvePath(appRoot, moduleRoot, moduleName);
  defineAwsLambdaGlobal();
  let namespace;
  let esmOnly = false;
  try {
    let file;
    for (const ext of [".js", ".mjs", ".cjs", ""]) {
      if (isFile(base + ext)) {
        file = base + ext;
        esmOnly = ext === ".mjs";
        break;
      }
    }
    if (!file) {
      // Like AWS's last resort, require.resolve(module) from the function's directories (packages in
      // node_modules, NODE_PATH). Its failure is AWS's "Cannot find module '<module>'\nRequire stack:\n- <runtime>".
      const { createRequire } = await import("node:module");
      file = createRequire(RUNTIME_FILE).resolve(moduleName, { paths: [resolvePath(appRoot, moduleRoot), appRoot] });
    }
    namespace = await import(pathToFileURL(file).href);
  } catch (err) {
    if (err instanceof SyntaxError) throw new UserCodeSyntaxError(err);
    if (err && (err.code === "MODULE_NOT_FOUND" || err.code === "ERR_MODULE_NOT_FOUND")) throw new ImportModuleError(withSdkHint(err));
    throw err;
  }

  const lookup = (obj) => handlerPath.split(".").reduce((nested, key) => (nested == null ? undefined : nested[key]), obj);
  let fn = lookup(namespace);
  // CommonJS loaded through import(): named exports are only what Node's static analysis found; the real
  // module.exports is the default export. (An .mjs file gets no such fallback, as on AWS.)
  if (fn === undefined && !esmOnly && namespace.default != null) fn = lookup(namespace.default);
  if (!fn) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof fn !== "function") throw new HandlerNotFound(`${fullHandler} is not a function`);
  return fn;
}

// ---------------------------------------------------------------------------------------------------------
// Invocations.

let handler;
let handlerStreams = false; // wrapped with awslambda.streamifyResponse
let handlerHighWaterMark;
let initializing = true;
let active = null; // the invocation being run: { id, done }
let beforeExitAction = null; // what to do once the event loop is empty (AWS's BeforeExitListener)

process.on("beforeExit", () => {
  const action = beforeExitAction;
  beforeExitAction = null;
  if (action) action();
});

function nextInvocation() {
  call("GET", `${API_PREFIX}/invocation/next`).then(runInvocation, fatal);
}

function finish(inv) {
  inv.done = true;
  if (active === inv) active = null;
  beforeExitAction = null;
  writeBoth(`\x1eSTRATUS-END ${inv.id}\n`);
}

function complete(inv, result) {
  if (inv.done) {
    log("ERROR", "Invocation has already been reported as done. Cannot call complete more than once per invocation.");
    return;
  }
  let body;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch {
    // e.g. a circular result; AWS's client fails the invocation the same way.
    postError(inv, new Error("Unable to stringify response body"));
    return;
  }
  if (body === undefined) body = "null"; // a function or symbol as the result
  finish(inv);
  call("POST", `${API_PREFIX}/invocation/${encodeURIComponent(inv.id)}/response`, body).then(nextInvocation, fatal);
}

function postError(inv, err, then = nextInvocation) {
  if (inv.done) {
    log("ERROR", "Invocation has already been reported as done. Cannot call complete more than once per invocation.");
    return;
  }
  const payload = toRapidResponse(err);
  logError("Invoke Error", err);
  finish(inv);
  call("POST", `${API_PREFIX}/invocation/${encodeURIComponent(inv.id)}/error`, JSON.stringify(payload), {
    "Lambda-Runtime-Function-Error-Type": headerSafe(payload.errorType),
  }).then(then, fatal);
}

function parseJsonHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err}`);
  }
}

function runInvocation(res) {
  if (res.status !== 200) return fatal(new Error(`GET /invocation/next answered ${res.status}: ${res.body}`));
  const h = res.headers;
  const inv = { id: h["lambda-runtime-aws-request-id"], done: false };
  active = inv;
  currentRequestId = inv.id;
  if (h["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = h["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;

  let waitForEmptyEventLoop = true;
  // callback(err, result): an error answers at once; a result waits for the event loop to empty unless
  // context.callbackWaitsForEmptyEventLoop was set to false.
  const callback = (err, result) => {
    if (inv.done) {
      log("ERROR", "Invocation has already been reported as done. Cannot call complete more than once per invocation.");
      return;
    }
    beforeExitAction = null;
    if (err !== undefined && err !== null) postError(inv, err);
    else if (!waitForEmptyEventLoop) complete(inv, result);
    else beforeExitAction = () => setImmediate(() => complete(inv, result));
  };
  // context.done/succeed/fail answer at once.
  const done = (err, result) => {
    if (active === inv) beforeExitAction = null;
    if (err !== undefined && err !== null) postError(inv, err);
    else complete(inv, result);
  };
  const succeed = (result) => done(null, result);
  const fail = (err) => (err === undefined || err === null ? done("handled") : done(err, null));

  try {
    const deadline = Number(h["lambda-runtime-deadline-ms"]);
    const env = process.env;
    const context = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value) {
        waitForEmptyEventLoop = value;
      },
      done,
      succeed,
      fail,
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: parseJsonHeader(h["lambda-runtime-client-context"], "ClientContext"),
      identity: parseJsonHeader(h["lambda-runtime-cognito-identity"], "CognitoIdentity"),
      invokedFunctionArn: h["lambda-runtime-invoked-function-arn"],
      awsRequestId: inv.id,
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    const event = JSON.parse(res.body);
    if (handlerStreams) {
      // AWS's streaming context has no done/succeed/fail.
      delete context.done;
      delete context.succeed;
      delete context.fail;
      beforeExitAction = null;
      return runStreaming(inv, event, context);
    }
    // A handler that neither returns a promise nor answers before the event loop empties answers null.
    beforeExitAction = () => complete(inv, null);
    const result = handler(event, context, callback);
    if (result && typeof result.then === "function") result.then(succeed, fail).then(undefined, fail);
  } catch (err) {
    callback(err);
  }
}

// A streaming invocation: the chunked POST is opened at once and gets the handler's writes as they come; the
// handler is called as handler(event, responseStream, context) and must return a promise. Once it resolves (and
// the stream has ended, which is done for it if needed) the marker is written and the body ended; if it throws or
// rejects, the body is ended with the error trailers instead.
function runStreaming(inv, event, context) {
  const req = httpRequest(
    {
      host: apiHost,
      port: apiPort,
      method: "POST",
      path: `${API_PREFIX}/invocation/${encodeURIComponent(inv.id)}/response`,
      agent,
      headers: {
        "Lambda-Runtime-Function-Response-Mode": "streaming",
        "Transfer-Encoding": "chunked",
        "Content-Type": "application/octet-stream",
        Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
      },
    },
    (res) => {
      res.resume();
      res.on("end", () => {
        if (!inv.exiting) nextInvocation();
      });
      res.on("error", fatal);
    },
  );
  req.on("error", fatal);
  const stream = new ResponseStream(req, handlerHighWaterMark);
  inv.req = req;
  inv.stream = stream;

  let result;
  try {
    result = handler(event, stream, context);
  } catch (err) {
    return failStream(inv, err);
  }
  if (!result || typeof result.then !== "function") return failStream(inv, "Streaming does not support non-async handlers.");
  result
    .then((value) => {
      if (value !== undefined) console.warn("Streaming handlers ignore return values.");
      return endStream(inv);
    })
    .then(undefined, (err) => failStream(inv, err));
}

// Resolves once the response stream has finished (ending it if the handler left it open); rejects if it was
// destroyed instead.
function streamDone(stream) {
  return new Promise((resolve, reject) => {
    if (stream.writableFinished) return resolve();
    if (stream.destroyed) return reject(stream.errored ?? new Error("Response stream is not finished."));
    streamFinished(stream, (err) => (err ? reject(stream.errored ?? err) : resolve()));
    if (!stream.writableEnded) stream.end();
  });
}

async function endStream(inv) {
  if (inv.done || inv.settled) return;
  inv.settled = true;
  await streamDone(inv.stream);
  if (inv.done) return;
  finish(inv);
  inv.req.end();
}

// Ends the streamed response with the error trailers. What the handler wrote before failing is sent first.
async function failStream(inv, err, { logIt = true, then } = {}) {
  if (inv.done) return;
  inv.settled = true;
  const payload = toRapidResponse(err);
  if (logIt) logError("Invoke Error", err);
  if (then) inv.exiting = true;
  else await streamDone(inv.stream).catch(() => {});
  if (inv.done) return;
  finish(inv);
  const req = inv.req;
  req.addTrailers({
    [ERROR_TYPE_TRAILER]: headerSafe(payload.errorType),
    [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(payload)).toString("base64"),
  });
  if (then) req.once("response", (res) => res.once("end", then)).once("error", then);
  req.end();
}

// A crash: report it for the invocation running (or as the init error), then exit like AWS's client.
function crash(err, label, status) {
  logError(label, err);
  if (initializing) return initError(err, status, false);
  const inv = active;
  if (!inv || inv.done) process.exit(status);
  if (inv.stream) {
    // The streamed POST holds the connection: end it with the error trailers, then exit.
    failStream(inv, err, { logIt: false, then: () => process.exit(status) });
    return;
  }
  const payload = toRapidResponse(err);
  finish(inv);
  call("POST", `${API_PREFIX}/invocation/${encodeURIComponent(inv.id)}/error`, JSON.stringify(payload), {
    "Lambda-Runtime-Function-Error-Type": headerSafe(payload.errorType),
  }).then(
    () => process.exit(status),
    () => process.exit(status),
  );
}

process.on("uncaughtException", (err) => crash(err, "Uncaught Exception", 129));
process.on("unhandledRejection", (reason, promise) => crash(new UnhandledPromiseRejection(reason, promise), "Unhandled Promise Rejection", 128));

let initFailed = false;
function initError(err, status, logIt = true) {
  if (initFailed) return;
  initFailed = true;
  if (logIt) logError("Uncaught Exception", err);
  writeBoth("\x1eSTRATUS-INIT-ERROR\n");
  const payload = toRapidResponse(err);
  call("POST", `${API_PREFIX}/init/error`, JSON.stringify(payload), {
    "Lambda-Runtime-Function-Error-Type": headerSafe(payload.errorType),
  }).then(
    () => process.exit(status),
    () => process.exit(status),
  );
}

patchConsole();
try {
  handler = await loadHandler(process.env.LAMBDA_TASK_ROOT || process.cwd(), process.env._HANDLER || "");
  handlerStreams = isStreamingHandler(handler);
  if (handlerStreams) {
    const hwm = parseInt(handler[HANDLER_HIGHWATERMARK]);
    if (!Number.isNaN(hwm)) handlerHighWaterMark = hwm;
  }
  if (!initFailed) {
    initializing = false;
    nextInvocation();
  }
} catch (err) {
  initError(err, 1);
}
