// Load generator, run in its own process: replays a pool of pre-built (pre-signed) requests over N keep-alive
// connections to 127.0.0.1 for a warm-up then a fixed duration, and prints one JSON result line.
//
// Two clients. "http" is node:http's (an Agent with keep-alive): what the throughput figures and their ceiling have
// always been measured with. "raw" writes each request's pre-serialized bytes to a plain socket and reads only the
// status line and the body's framing: it costs the shared CPUs about half what node:http's client does (~34k
// requests/s against the bare ceiling, node:http's client ~20k, wrk -t1 ~37k on this 2-CPU machine), and it adds less
// of its own queueing to each latency — what the tail figures measure (bench/tail.ts), as wrk would.
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";
import { readFileSync } from "node:fs";

export interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /**
   * A 13-character marker in the body that the client replaces with the time it sends the request (Date.now(), 13
   * digits until the year 2286): a log event stamped as a logging client stamps it, not a fixed time that a pool of
   * requests repeats.
   */
  now?: string;
}

export interface LoadSpec {
  port: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  requests: PreparedRequest[];
  client?: "http" | "raw";
}

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  /** The slowest request measured. */
  maxms: number;
  firstError?: string;
}

const spec = JSON.parse(readFileSync(process.argv[2], "utf8")) as LoadSpec;
// Never aim load anywhere but this machine.
const HOST = "127.0.0.1";
const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
const bodies = spec.requests.map((r) => Buffer.from(r.body));
/** The request's bytes with its `now` marker (at the offsets given) replaced by the current time. */
function stamped(bytes: Buffer, at: readonly number[]): Buffer {
  if (!at.length) return bytes;
  const copy = Buffer.from(bytes);
  const now = String(Date.now());
  for (const i of at) copy.write(now, i, "latin1");
  return copy;
}
function offsetsOf(bytes: Buffer, marker: string | undefined): number[] {
  if (!marker) return [];
  if (marker.length !== 13) throw new Error(`the now marker must be 13 characters: ${marker}`);
  const at: number[] = [];
  for (let i = bytes.indexOf(marker); i >= 0; i = bytes.indexOf(marker, i + marker.length)) at.push(i);
  return at;
}
const bodyNow = spec.requests.map((r, i) => offsetsOf(bodies[i], r.now));

let measuring = false;
let stopped = false;
let count = 0;
let errors = 0;
let firstError: string | undefined;
const latencies: number[] = [];

function once(i: number): Promise<void> {
  const r = spec.requests[i % spec.requests.length];
  const body = stamped(bodies[i % bodies.length], bodyNow[i % bodies.length]);
  const t0 = performance.now();
  return new Promise((done) => {
    const req = request({ host: HOST, port: spec.port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        record(t0, res.statusCode ?? 0, () => Buffer.concat(chunks).toString("utf8"));
        done();
      });
    });
    req.on("error", (e) => {
      if (measuring) {
        errors++;
        firstError ??= e.message;
      }
      done();
    });
    req.end(body);
  });
}

function record(t0: number, status: number, body: () => string): void {
  if (!measuring) return;
  count++;
  latencies.push(performance.now() - t0);
  if (status !== 200) {
    errors++;
    firstError ??= `HTTP ${status}: ${body().slice(0, 300)}`;
  }
}

async function worker(id: number): Promise<void> {
  for (let i = id; !stopped; i += spec.connections) await once(i);
}

// ---- the raw client ----

const raw = spec.requests.map((r, i) => {
  const body = bodies[i];
  const names = new Set(Object.keys(r.headers).map((h) => h.toLowerCase()));
  const lines = [`${r.method} ${r.path} HTTP/1.1`];
  if (!names.has("host")) lines.push(`host: ${HOST}:${spec.port}`);
  for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`);
  // As node:http's client: a body's length, and a zero one for a method that may carry a body.
  if (!names.has("content-length") && (body.length || !/^(GET|HEAD|DELETE|OPTIONS)$/.test(r.method))) lines.push(`content-length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), body]);
});
const rawNow = raw.map((bytes, i) => bodyNow[i].map((at) => bytes.length - bodies[i].length + at));

const EMPTY = Buffer.alloc(0);
const CRLF2 = Buffer.from("\r\n\r\n");
const LENGTH = [Buffer.from("\r\ncontent-length:"), Buffer.from("\r\nContent-Length:")];

/**
 * Where the response that starts `buf` ends, or undefined while incomplete: Content-Length or chunked framing (its
 * chunks skipped, not kept); neither (a 204, or a response to HEAD) ends with the headers. Read from the bytes: no
 * string is made of a response unless it fails or is framed unusually.
 */
function responseEnd(buf: Buffer, head: boolean): { end: number; status: number; headerEnd: number } | undefined {
  const h = buf.indexOf(CRLF2);
  if (h < 0) return undefined;
  const status = (buf[9] - 48) * 100 + (buf[10] - 48) * 10 + (buf[11] - 48);
  let end = h + 4;
  if (head || status === 204 || status === 304) return { end, status, headerEnd: h };
  let at = buf.indexOf(LENGTH[0]);
  if (at < 0 || at > h) at = buf.indexOf(LENGTH[1]);
  if (at >= 0 && at < h) {
    let i = at + LENGTH[0].length;
    while (buf[i] === 32) i++;
    let n = 0;
    for (; buf[i] >= 48 && buf[i] <= 57; i++) n = n * 10 + buf[i] - 48;
    end += n;
    return buf.length >= end ? { end, status, headerEnd: h } : undefined;
  }
  if (/\r\ntransfer-encoding: *chunked/i.test(buf.toString("latin1", 0, h))) {
    for (;;) {
      const line = buf.indexOf("\r\n", end);
      if (line < 0) return undefined;
      const size = Number.parseInt(buf.toString("latin1", end, line), 16);
      end = line + 2 + size + 2;
      if (buf.length < end) return undefined;
      if (size === 0) return { end, status, headerEnd: h };
    }
  }
  return { end, status, headerEnd: h };
}

const CLOSE = [Buffer.from("\r\nconnection: close"), Buffer.from("\r\nConnection: close")];
const closes = (res: Buffer, headerEnd: number) =>
  CLOSE.some((c) => {
    const at = res.indexOf(c);
    return at >= 0 && at < headerEnd;
  });

/** One connection: a request written, its response read, the next written; a new socket when the server closes one. */
function rawConnection(id: number): Promise<void> {
  let i = id;
  let t0 = 0;
  let buf: Buffer = EMPTY;
  let socket: Socket;
  return new Promise((finished) => {
    const next = () => {
      if (stopped) {
        socket.destroy();
        return finished();
      }
      t0 = performance.now();
      socket.write(stamped(raw[i % raw.length], rawNow[i % raw.length]));
    };
    const open = () => {
      buf = EMPTY;
      socket = connect(spec.port, HOST);
      socket.setNoDelay(true);
      socket.on("connect", next);
      socket.on("data", (chunk: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        const r = responseEnd(buf, spec.requests[i % raw.length].method === "HEAD");
        if (!r) return;
        const res = buf;
        record(t0, r.status, () => res.toString("utf8", r.headerEnd + 4, r.end));
        buf = r.end === buf.length ? EMPTY : buf.subarray(r.end);
        i += spec.connections;
        if (closes(res, r.headerEnd)) {
          socket.removeAllListeners("close");
          socket.destroy();
          return stopped ? finished() : open();
        }
        next();
      });
      // Counted once, at the close that follows.
      socket.on("error", (e) => void (measuring && (firstError ??= e.message)));
      socket.on("close", () => {
        if (stopped) return finished();
        // Closed with a request in flight (after an error or not): one failed request, then the connection starts over.
        if (measuring) {
          errors++;
          firstError ??= "the server closed the connection with a request in flight";
        }
        setTimeout(open, 10);
      });
    };
    open();
  });
}

const workers = Array.from({ length: spec.connections }, (_, i) => (spec.client === "raw" ? rawConnection(i) : worker(i)));
await new Promise((r) => setTimeout(r, spec.warmupMs));
measuring = true;
const start = performance.now();
await new Promise((r) => setTimeout(r, spec.durationMs));
measuring = false;
const elapsed = performance.now() - start;
stopped = true;
await Promise.all(workers);
agent.destroy();

latencies.sort((a, b) => a - b);
const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] : 0);
const result: LoadResult = {
  requests: count,
  errors,
  rps: Math.round((count / elapsed) * 1000),
  p50ms: Number(pct(0.5).toFixed(2)),
  p99ms: Number(pct(0.99).toFixed(2)),
  maxms: Number((latencies.length ? latencies[latencies.length - 1] : 0).toFixed(2)),
  ...(firstError ? { firstError } : {}),
};
// BENCH_LOAD_CPU=1: the load generator's own CPU per request (warm-up included) on stderr, to compare clients.
if (process.env.BENCH_LOAD_CPU) {
  const cpu = process.cpuUsage();
  process.stderr.write(`load generator: ${((cpu.user + cpu.system) / (count * (1 + spec.warmupMs / spec.durationMs))).toFixed(1)} µs CPU per request\n`);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
