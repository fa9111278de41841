// A stand-in for Stratus's Lambda Runtime API (node:http on 127.0.0.1) and a helper that starts a runtime
// client against it in a fresh code directory: shared by the Node.js and Python runtime client tests.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";

export const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn";

/** What the runtime posted for one invocation. */
export interface Outcome {
  id: string;
  kind: "response" | "error";
  body: any;
  raw: string;
  headers: IncomingMessage["headers"];
  errorTypeHeader?: string;
  /** Set when the /response was streamed (Lambda-Runtime-Function-Response-Mode: streaming); body is then undefined. */
  streamed?: StreamedResponse;
}

/** A streamed /response as it arrived. */
export interface StreamedResponse {
  responseMode: string;
  contentType?: string;
  transferEncoding?: string;
  trailerHeader?: string;
  /** Each piece of the body as it was read, with performance.now() at its arrival. */
  chunks: { data: Buffer; at: number }[];
  body: Buffer;
  trailers: Record<string, string>;
}

/** What the runtime posted to /init/error. */
export interface InitErrorPost {
  body: any;
  raw: string;
  headers: IncomingMessage["headers"];
  errorTypeHeader?: string;
}

const OK = '{"status":"OK"}';

/** Queues events for /next and records what the runtime posts back to /response, /error and /init/error. */
export class RuntimeApiStandIn {
  private server: Server;
  private queue: { id: string; event: string; headers: Record<string, string> }[] = [];
  private parked: ServerResponse[] = [];
  private pending = new Map<string, { ok: (o: Outcome) => void; fail: (e: Error) => void }>();
  port = 0;
  nextRequests = 0;
  /** performance.now() at the first /next. */
  firstNextAt?: number;
  private firstNextResolve!: (t: number) => void;
  readonly firstNext = new Promise<number>((ok) => (this.firstNextResolve = ok));
  initErrors: InitErrorPost[] = [];
  private initErrorResolve!: (p: InitErrorPost) => void;
  /** Resolves with the first /init/error post. */
  readonly initErrorPosted = new Promise<InitErrorPost>((ok) => (this.initErrorResolve = ok));
  /** Hears each piece of a request body as it is read (a streamed /response's chunks, as they come). */
  onData?: (url: string, data: Buffer) => void;

  constructor() {
    this.server = createServer((req, res) => this.route(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((ok) => this.server.listen(0, "127.0.0.1", ok));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): void {
    for (const res of this.parked) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
  }

  /** Fails every invocation still waiting (the runtime exited). */
  failPending(why: string): void {
    for (const { fail } of this.pending.values()) fail(new Error(why));
    this.pending.clear();
  }

  /** Queues an event; resolves with what the runtime posts for it. Header names are case-insensitive overrides. */
  invoke(event: unknown, headers: Record<string, string> = {}, id: string = randomUUID()): Promise<Outcome> {
    const all: Record<string, string> = {
      "lambda-runtime-aws-request-id": id,
      "lambda-runtime-deadline-ms": String(Date.now() + 30_000),
      "lambda-runtime-invoked-function-arn": FUNCTION_ARN,
    };
    for (const [k, v] of Object.entries(headers)) all[k.toLowerCase()] = v;
    const done = new Promise<Outcome>((ok, fail) => this.pending.set(id, { ok, fail }));
    this.queue.push({ id, event: JSON.stringify(event), headers: all });
    this.dispatch();
    return done;
  }

  private dispatch(): void {
    while (this.queue.length && this.parked.length) {
      const { event, headers } = this.queue.shift()!;
      const res = this.parked.shift()!;
      res.writeHead(200, { "content-type": "application/json", ...headers });
      res.end(event);
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    const arrivals: { data: Buffer; at: number }[] = [];
    req.on("data", (c: Buffer) => {
      chunks.push(c);
      arrivals.push({ data: c, at: performance.now() });
      this.onData?.(req.url ?? "", c);
    });
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = req.url ?? "";
      const errorTypeHeader = req.headers["lambda-runtime-function-error-type"] as string | undefined;
      if (req.method === "GET" && url === "/2018-06-01/runtime/invocation/next") {
        this.nextRequests++;
        if (this.firstNextAt === undefined) this.firstNextResolve((this.firstNextAt = performance.now()));
        this.parked.push(res);
        this.dispatch();
        return;
      }
      const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method === "POST" && m) {
        const id = decodeURIComponent(m[1]);
        res.writeHead(202, { "content-type": "application/json" }).end(OK);
        const waiter = this.pending.get(id);
        this.pending.delete(id);
        const responseMode = req.headers["lambda-runtime-function-response-mode"] as string | undefined;
        if (responseMode === "streaming") {
          const streamed: StreamedResponse = {
            responseMode,
            contentType: req.headers["content-type"],
            transferEncoding: req.headers["transfer-encoding"],
            trailerHeader: req.headers["trailer"] as string | undefined,
            chunks: arrivals,
            body: Buffer.concat(chunks),
            trailers: { ...(req.trailers as Record<string, string>) },
          };
          waiter?.ok({ id, kind: m[2] as Outcome["kind"], raw, body: undefined, headers: req.headers, errorTypeHeader, streamed });
          return;
        }
        waiter?.ok({ id, kind: m[2] as Outcome["kind"], raw, body: JSON.parse(raw), headers: req.headers, errorTypeHeader });
        return;
      }
      if (req.method === "POST" && url === "/2018-06-01/runtime/init/error") {
        const posted = { raw, body: JSON.parse(raw), headers: req.headers, errorTypeHeader };
        this.initErrors.push(posted);
        res.writeHead(202, { "content-type": "application/json" }).end(OK);
        this.initErrorResolve(posted);
        return;
      }
      res.writeHead(404).end();
    });
  }
}

export interface Runtime {
  api: RuntimeApiStandIn;
  child: ChildProcess;
  dir: string;
  /** performance.now() just before the spawn (compare with api.firstNextAt). */
  spawnedAt: number;
  stdout: () => string;
  stderr: () => string;
  /** The exit code, once the process has exited and its streams have closed. */
  exited: Promise<number | null>;
  invoke: RuntimeApiStandIn["invoke"];
  /** Resolves once both streams hold the text (the marker is written before the POST, read maybe after). */
  waitForBoth: (text: string) => Promise<void>;
  /** Kills the process if it still runs, stops the API and removes the code directory. Safe to call twice. */
  close: () => void;
}

export interface StartOptions {
  command: string;
  args: string[];
  /** The function's code: path within the code directory → content. */
  files: Record<string, string>;
  /** The _HANDLER setting. */
  handler: string;
  /** Added over the standard Lambda environment; a function gets the code directory. */
  env?: NodeJS.ProcessEnv | ((dir: string) => NodeJS.ProcessEnv);
  /** The temp dir's name prefix. */
  prefix?: string;
}

/** Writes the function's files into a fresh temp dir and starts the runtime there, as Stratus does. */
export async function startRuntime({ command, args, files, handler, env = {}, prefix = "stratus-rt-" }: StartOptions): Promise<Runtime> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const api = await new RuntimeApiStandIn().start();
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      AWS_LAMBDA_FUNCTION_NAME: "fn",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/fn",
      AWS_REGION: "us-east-1",
      AWS_SECRET_ACCESS_KEY: "secret",
      ...(typeof env === "function" ? env(dir) : env),
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${api.port}`,
      _HANDLER: handler,
      LAMBDA_TASK_ROOT: dir,
    },
  });
  let out = "";
  let err = "";
  const waiters: (() => void)[] = [];
  const poke = () => waiters.splice(0).forEach((w) => w());
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    poke();
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    err += d;
    poke();
  });
  const exited = new Promise<number | null>((ok) =>
    child.on("close", (code) => {
      api.failPending(`runtime exited with ${code}; stdout=${JSON.stringify(out)} stderr=${JSON.stringify(err)}`);
      ok(code);
    }),
  );
  const waitForBoth = async (text: string) => {
    const deadline = Date.now() + 10_000;
    while (!(out.includes(text) && err.includes(text))) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${JSON.stringify(text)}; stdout=${JSON.stringify(out)} stderr=${JSON.stringify(err)}`);
      await new Promise<void>((ok) => {
        waiters.push(ok);
        setTimeout(ok, 100);
      });
    }
  };
  return {
    api,
    child,
    dir,
    spawnedAt,
    stdout: () => out,
    stderr: () => err,
    exited,
    invoke: (event, headers, id) => api.invoke(event, headers, id),
    waitForBoth,
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
