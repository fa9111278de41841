// One execution environment: a child process running the function's runtime, and the Lambda Runtime API
// (/2018-06-01/runtime/…) it polls for work, served on its own loopback port. One invocation at a time;
// output lines are attributed to the invocation that is running; a timeout, a crash or running out of
// memory kills the process and ends the invocation with the error AWS reports.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { randomHex } from "../../../core/ids.js";

/** What the process runs and with what environment (see launch.ts). */
export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Node and Python clients write end-of-invocation markers; custom runtimes do not. */
  markers: boolean;
}

export interface InvocationInput {
  requestId: string;
  payload: Buffer;
  invokedArn: string;
  /** Seconds. */
  timeout: number;
  clientContext?: string;
  cognitoIdentity?: string;
  traceId?: string;
  /** A streaming caller (InvokeWithResponseStream, a RESPONSE_STREAM URL): the content type, then each chunk as it comes. */
  onStreamStart?: (contentType: string) => void;
  onChunk?: (chunk: Buffer) => void;
}

export type Outcome =
  | { kind: "response"; payload: Buffer; streamed?: boolean; contentType?: string }
  | { kind: "error"; payload: Buffer; errorType: string }
  /** The platform's own failures: timeout, exit, out of memory, init failure. */
  | { kind: "platform"; errorType: string; errorMessage: string; status: "timeout" | "error"; payload?: Buffer };

export interface InvocationResult {
  outcome: Outcome;
  /** Every output line of the invocation, in order, without the platform lines. */
  lines: { at: number; text: string }[];
  /** Lines written while the runtime initialised (module-level code), on a cold start. */
  initLines: { at: number; text: string }[];
  durationMs: number;
  /** Set on the instance's first invocation. */
  initDurationMs?: number;
  maxMemoryMB: number;
}

interface Running {
  input: InvocationInput;
  startedAt: number;
  lines: { at: number; text: string }[];
  resolve: (r: InvocationResult) => void;
  delivered: boolean;
  outcome?: Outcome;
  markers: number;
  bytes: number;
  timer?: NodeJS.Timeout;
  finishing?: NodeJS.Timeout;
}

export const newInstanceId = () => randomBytes(16).toString("hex");

const MAX_RESPONSE = 6_291_556;
/** Streamed responses may be larger (AWS: 200 MB). */
const MAX_STREAMED = 200 * 1024 * 1024;
const INIT_LIMIT_MS = 10_000;
/** Output kept per invocation (it all goes to CloudWatch Logs and the Tail). */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** CloudWatch Logs' largest event, less its per-event overhead. */
const MAX_EVENT_CHARS = 262_144 - 26;
/** Room for a process's /proc status (about 1.5 KB). */
const STATUS_BUF = Buffer.alloc(16 * 1024);

export class Instance {
  state: "starting" | "idle" | "busy" | "dead" = "starting";
  private proc?: ChildProcess;
  private server?: Server;
  private pendingNext?: ServerResponse;
  private running?: Running;
  private readonly spawnedAt = performance.now();
  private initDuration?: number;
  private initReported = false;
  private initError?: { errorType: string; payload: Buffer };
  /** Lines written before any invocation (module-level logging during init). */
  private initLines: { at: number; text: string }[] = [];
  private initBytes = 0;
  private partial = ["", ""];
  private exitInfo?: string;
  private memTimer?: NodeJS.Timeout;
  private statusFd?: number;
  private oomKilled = false;
  private readonly tmpDir: string;
  /** When the environment last finished an invocation, on the runtime clock (idle recycling reads it). */
  lastUsed: number;
  onIdle?: (i: Instance) => void;
  onDead?: (i: Instance) => void;
  /** Once, when the runtime's init is over (its first /next, or /init/error). */
  onInit?: (i: Instance) => void;

  /**
   * `now` is the runtime clock: log line timestamps and idle time follow it (a test's ManualClock moves them). The
   * function's own process runs in real time, so its timeout, its deadline header and the measured durations are
   * wall time (setTimeout, Date.now, performance.now), whatever the runtime clock says.
   */
  constructor(
    private readonly spec: LaunchSpec,
    private readonly memoryMB: number,
    tmpRoot: string,
    readonly id = newInstanceId(),
    private readonly now: () => number = Date.now,
  ) {
    this.tmpDir = join(tmpRoot, this.id);
    this.lastUsed = now();
  }

  /** Starts the Runtime API listener and the process; resolves once spawned (not once initialised). */
  async start(): Promise<void> {
    const server = createServer((req, res) => this.route(req, res));
    server.keepAliveTimeout = 0;
    this.server = server;
    await new Promise<void>((ok, fail) => server.once("error", fail).listen(0, "127.0.0.1", () => ok()));
    const port = (server.address() as AddressInfo).port;
    mkdirSync(this.tmpDir, { recursive: true });
    const env = { ...this.spec.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`, TMPDIR: this.tmpDir, TMP: this.tmpDir, TEMP: this.tmpDir };
    const proc = spawn(this.spec.command, this.spec.args, { cwd: this.spec.cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.proc = proc;
    proc.stdout!.on("data", (c: Buffer) => this.output(0, c));
    proc.stderr!.on("data", (c: Buffer) => this.output(1, c));
    proc.on("error", (e) => this.died(`Runtime failed to start: ${e.message}`));
    proc.on("exit", (code, signal) =>
      this.died(signal ? `signal: ${signal === "SIGKILL" ? "killed" : signal.replace(/^SIG/, "").toLowerCase()}` : `exit status ${code}`),
    );
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Runs one invocation; the instance must be starting or idle. Never rejects. */
  invoke(input: InvocationInput): Promise<InvocationResult> {
    return new Promise((resolve) => {
      const dead = this.state === "dead";
      if (!dead) this.state = "busy";
      this.running = { input, startedAt: performance.now(), lines: [], resolve, delivered: false, markers: 0, bytes: 0 };
      if (this.initError) return this.finish({ kind: "platform", ...this.initFailure() });
      if (dead) {
        return this.finish({
          kind: "platform",
          status: "error",
          errorType: "Runtime.ExitError",
          errorMessage: `RequestId: ${input.requestId} Error: Runtime exited with error: ${this.exitInfo ?? "unknown"}`,
        });
      }
      const limit = this.initDuration === undefined ? INIT_LIMIT_MS + input.timeout * 1000 : input.timeout * 1000;
      this.running.timer = setTimeout(() => this.timedOut(), limit);
      if (this.pendingNext) this.deliver();
      this.watchMemory();
    });
  }

  kill(): void {
    if (this.state === "dead" && !this.proc) return;
    try {
      if (this.proc?.pid && this.proc.exitCode === null && this.proc.signalCode === null) process.kill(-this.proc.pid, "SIGKILL");
    } catch {
      try {
        this.proc?.kill("SIGKILL");
      } catch {
        /* already gone */
      }
    }
    this.died("signal: killed");
  }

  // ---- Runtime API -------------------------------------------------------------------------------------

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "";
    if (req.method === "GET" && url === "/2018-06-01/runtime/invocation/next") return this.next(res);
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === "POST" && m && m[2] === "response" && String(req.headers["lambda-runtime-function-response-mode"] ?? "").toLowerCase() === "streaming") {
      return this.streamed(decodeURIComponent(m[1]!), req, res);
    }
    if (req.method === "POST" && m)
      return this.readBody(req, res, (body) => this.completed(decodeURIComponent(m[1]!), m[2] as "response" | "error", body, req, res));
    if (req.method === "POST" && url === "/2018-06-01/runtime/init/error") return this.readBody(req, res, (body) => this.initFailed(body, req, res));
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errorMessage: "Unknown Runtime API path", errorType: "InvalidRequest" }));
  }

  private readBody(req: IncomingMessage, res: ServerResponse, then: (b: Buffer) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_RESPONSE + 1) chunks.push(c);
    });
    req.on("end", () => then(Buffer.concat(chunks)));
    req.on("error", () => res.destroy());
  }

  private next(res: ServerResponse): void {
    if (this.initDuration === undefined) {
      this.initDuration = performance.now() - this.spawnedAt;
      this.onInit?.(this);
    }
    this.pendingNext = res;
    res.on("close", () => {
      if (this.pendingNext === res) this.pendingNext = undefined;
    });
    if (this.running && !this.running.delivered) return this.deliver();
    if (this.state === "starting") {
      this.state = "idle";
      this.onIdle?.(this);
    }
  }

  private deliver(): void {
    const r = this.running!;
    const res = this.pendingNext!;
    this.pendingNext = undefined;
    r.delivered = true;
    r.startedAt = performance.now();
    clearTimeout(r.timer);
    r.timer = setTimeout(() => this.timedOut(), r.input.timeout * 1000);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      // Sent with its length, not chunked: less for both sides to frame and parse.
      "content-length": String(r.input.payload.length),
      "lambda-runtime-aws-request-id": r.input.requestId,
      "lambda-runtime-deadline-ms": String(Date.now() + r.input.timeout * 1000),
      "lambda-runtime-invoked-function-arn": r.input.invokedArn,
      "lambda-runtime-trace-id":
        r.input.traceId ?? `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomHex(12)};Parent=${randomHex(8)};Sampled=0;Lineage=1:${randomHex(4)}:0`,
    };
    if (r.input.clientContext) headers["lambda-runtime-client-context"] = r.input.clientContext;
    if (r.input.cognitoIdentity) headers["lambda-runtime-cognito-identity"] = r.input.cognitoIdentity;
    res.writeHead(200, headers).end(r.input.payload);
  }

  private completed(id: string, kind: "response" | "error", body: Buffer, req: IncomingMessage, res: ServerResponse): void {
    const r = this.running;
    if (!r || r.input.requestId !== id || r.outcome) {
      res
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ errorMessage: `Invalid request ID: ${id}`, errorType: "InvalidRequestID" }));
      return;
    }
    if (body.length > MAX_RESPONSE) {
      res.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify({ errorMessage: "Payload too large", errorType: "RequestEntityTooLarge" }));
      r.outcome = {
        kind: "platform",
        status: "error",
        errorType: "Function.ResponseSizeTooLarge",
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE} bytes).`,
        payload: Buffer.from(
          JSON.stringify({
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE} bytes).`,
            errorType: "Function.ResponseSizeTooLarge",
          }),
        ),
      };
    } else {
      res.writeHead(202, { "content-type": "application/json" }).end('{"status":"OK"}');
      r.outcome =
        kind === "response"
          ? { kind: "response", payload: body }
          : { kind: "error", payload: body, errorType: String(req.headers["lambda-runtime-function-error-type"] ?? "Unhandled") };
    }
    this.awaitOutput();
  }

  /**
   * A streamed response (Lambda-Runtime-Function-Response-Mode: streaming): each chunk goes on to the caller as
   * it arrives; the end carries trailers when the handler failed part-way (Lambda-Runtime-Function-Error-Type and
   * a base64 Lambda-Runtime-Function-Error-Body).
   */
  private streamed(id: string, req: IncomingMessage, res: ServerResponse): void {
    const r = this.running;
    if (!r || r.input.requestId !== id || r.outcome) {
      req.resume();
      res
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ errorMessage: `Invalid request ID: ${id}`, errorType: "InvalidRequestID" }));
      return;
    }
    const contentType = String(req.headers["content-type"] ?? "application/octet-stream");
    r.input.onStreamStart?.(contentType);
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (r.input.onChunk) {
        if (size <= MAX_STREAMED) r.input.onChunk(c);
        else over = true;
      }
      // Kept for callers that want the whole answer (Invoke of a streaming function).
      if (size <= MAX_RESPONSE) chunks.push(c);
      else if (!r.input.onChunk) over = true;
    });
    req.on("error", () => res.destroy());
    req.on("end", () => {
      res.writeHead(202, { "content-type": "application/json" }).end('{"status":"OK"}');
      if (r.outcome || this.running !== r) return;
      const errorType = req.trailers["lambda-runtime-function-error-type"];
      const errorBody = req.trailers["lambda-runtime-function-error-body"];
      if (errorType) {
        const payload = errorBody ? Buffer.from(errorBody, "base64") : Buffer.from(JSON.stringify({ errorType, errorMessage: "" }));
        r.outcome = { kind: "error", payload, errorType };
      } else if (over) {
        const limit = r.input.onChunk ? MAX_STREAMED : MAX_RESPONSE;
        const errorMessage = `Response payload size exceeded maximum allowed payload size (${limit} bytes).`;
        r.outcome = {
          kind: "platform",
          status: "error",
          errorType: "Function.ResponseSizeTooLarge",
          errorMessage,
          payload: Buffer.from(JSON.stringify({ errorMessage, errorType: "Function.ResponseSizeTooLarge" })),
        };
      } else {
        r.outcome = { kind: "response", payload: Buffer.concat(chunks), streamed: true, contentType };
      }
      this.awaitOutput();
    });
  }

  private initFailed(body: Buffer, req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(202, { "content-type": "application/json" }).end('{"status":"OK"}');
    if (this.initDuration === undefined) {
      this.initDuration = performance.now() - this.spawnedAt;
      this.onInit?.(this);
    }
    let errorType = String(req.headers["lambda-runtime-function-error-type"] ?? "");
    if (!errorType) {
      try {
        errorType = String((JSON.parse(body.toString("utf8")) as { errorType?: string }).errorType ?? "Runtime.Unknown");
      } catch {
        errorType = "Runtime.Unknown";
      }
    }
    this.initError = { errorType, payload: body };
    if (this.running) {
      clearTimeout(this.running.timer);
      this.running.outcome = { kind: "platform", ...this.initFailure() };
      this.awaitOutput();
    }
  }

  private initFailure() {
    const e = this.initError!;
    return { status: "error" as const, errorType: e.errorType, errorMessage: "", payload: e.payload };
  }

  // ---- output --------------------------------------------------------------------------------------------

  private output(fd: 0 | 1, chunk: Buffer): void {
    const text = this.partial[fd] + chunk.toString("utf8");
    const parts = text.split("\n");
    this.partial[fd] = parts.pop()!;
    const at = this.now();
    for (const line of parts) {
      const marker = line.indexOf("\u001eSTRATUS-");
      if (marker >= 0) {
        if (marker > 0) this.line(at, line.slice(0, marker));
        if (this.running) {
          this.running.markers++;
          if (this.running.outcome && this.running.markers >= 2) this.finish(this.running.outcome);
        }
        continue;
      }
      this.line(at, line);
    }
  }

  private line(at: number, text: string): void {
    // A function that floods its output must not flood the server: past the cap its lines are dropped
    // (one notice says so), and an event longer than CloudWatch Logs takes is cut, as Lambda cuts it.
    // Output before the event was handed over belongs to the init phase.
    const r = this.running?.delivered ? this.running : undefined;
    const used = r ? r.bytes : this.initBytes;
    if (used > MAX_OUTPUT_BYTES) return;
    if (text.length > MAX_EVENT_CHARS) text = text.slice(0, MAX_EVENT_CHARS);
    const total = used + text.length;
    if (r) r.bytes = total;
    else this.initBytes = total;
    // The runtimes write a multi-line message as one line with \r for its line breaks.
    const entry = {
      at,
      text:
        total > MAX_OUTPUT_BYTES
          ? `Stratus: this invocation wrote more than ${MAX_OUTPUT_BYTES} bytes of output; the rest is not kept.`
          : text.replace(/\r/g, "\n"),
    };
    if (r) r.lines.push(entry);
    else this.initLines.push(entry);
  }

  /** After the runtime answered: wait for its end markers (all output arrived), or a moment for custom runtimes. */
  private awaitOutput(): void {
    const r = this.running!;
    if (this.spec.markers && r.markers >= 2) return this.finish(r.outcome!);
    r.finishing = setTimeout(() => this.running === r && this.finish(r.outcome!), this.spec.markers && !this.initError ? 200 : 5);
  }

  private finish(outcome: Outcome): void {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    clearTimeout(r.timer);
    clearTimeout(r.finishing);
    clearInterval(this.memTimer);
    for (const fd of [0, 1] as const) {
      if (this.partial[fd]) {
        r.lines.push({ at: this.now(), text: this.partial[fd].replace(/\r/g, "\n") });
        this.partial[fd] = "";
      }
    }
    const initLines = this.initLines;
    this.initLines = [];
    this.initBytes = 0;
    const initDurationMs = !this.initReported ? this.initDuration : undefined;
    this.initReported = true;
    const result: InvocationResult = {
      outcome,
      lines: r.lines,
      initLines,
      durationMs: performance.now() - r.startedAt,
      initDurationMs,
      maxMemoryMB: this.maxMemoryMB(),
    };
    this.lastUsed = this.now();
    if (this.state !== "dead") {
      if (this.initError || outcome.kind === "platform") this.kill();
      else {
        this.state = "idle";
        queueMicrotask(() => this.state === "idle" && this.onIdle?.(this));
      }
    }
    r.resolve(result);
  }

  private timedOut(): void {
    const r = this.running;
    if (!r || r.outcome) return;
    const seconds = r.input.timeout.toFixed(2);
    r.outcome = {
      kind: "platform",
      status: "timeout",
      errorType: "Sandbox.Timedout",
      errorMessage: `RequestId: ${r.input.requestId} Error: Task timed out after ${seconds} seconds`,
    };
    this.finish(r.outcome);
    this.kill();
  }

  private died(reason: string): void {
    if (this.state === "dead") return;
    const wasRunning = this.running;
    this.state = "dead";
    this.exitInfo = reason;
    clearInterval(this.memTimer);
    this.closeStatus();
    this.pendingNext?.destroy();
    this.pendingNext = undefined;
    this.server?.close();
    this.server?.closeAllConnections?.();
    rmSync(this.tmpDir, { recursive: true, force: true });
    if (wasRunning && !wasRunning.outcome) {
      const oom = this.oomKilled;
      const errorType = oom ? "Runtime.OutOfMemory" : "Runtime.ExitError";
      wasRunning.outcome = {
        kind: "platform",
        status: "error",
        errorType,
        errorMessage: `RequestId: ${wasRunning.input.requestId} Error: Runtime exited with error: ${reason}`,
      };
      // Let the last output arrive before reporting.
      setTimeout(() => this.finish(wasRunning.outcome!), 10);
    } else if (wasRunning?.outcome && !this.running) {
      // finished already
    } else if (wasRunning) {
      setTimeout(() => this.finish(wasRunning.outcome!), 10);
    }
    this.onDead?.(this);
  }

  // ---- memory ---------------------------------------------------------------------------------------------

  /**
   * The process's /proc status. While it runs, the file stays open and is read again from its start (one read, no
   * open and close per invocation); once it is dead, read afresh.
   */
  private status(): string | undefined {
    const pid = this.proc?.pid;
    if (!pid) return undefined;
    try {
      if (this.state === "dead") return readFileSync(`/proc/${pid}/status`, "latin1");
      this.statusFd ??= openSync(`/proc/${pid}/status`, "r");
      const n = readSync(this.statusFd, STATUS_BUF, 0, STATUS_BUF.length, 0);
      return STATUS_BUF.toString("latin1", 0, n);
    } catch {
      return undefined;
    }
  }

  private closeStatus(): void {
    if (this.statusFd === undefined) return;
    try {
      closeSync(this.statusFd);
    } catch {
      /* closed already */
    }
    this.statusFd = undefined;
  }

  private maxMemoryMB(): number {
    const s = this.status();
    const kb = s ? Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) : 0;
    return Math.max(1, Math.round(kb / 1024));
  }

  /** Kills the process when its memory goes over the function's MemorySize (AWS's Runtime.OutOfMemory). */
  private watchMemory(): void {
    clearInterval(this.memTimer);
    this.memTimer = setInterval(() => {
      const s = this.status();
      const kb = s ? Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0) : 0;
      if (kb / 1024 > this.memoryMB) {
        this.oomKilled = true;
        this.kill();
      }
    }, 100);
    this.memTimer.unref();
  }

  describeExit(): string | undefined {
    return this.exitInfo;
  }
}
