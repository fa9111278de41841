// Load generator, run in its own process: replays a pool of pre-built (pre-signed) requests over N keep-alive
// connections to 127.0.0.1 for a warm-up then a fixed duration, and prints one JSON result line.
import { Agent, request } from "node:http";
import { readFileSync } from "node:fs";

export interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadSpec {
  port: number;
  connections: number;
  warmupMs: number;
  durationMs: number;
  requests: PreparedRequest[];
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

let measuring = false;
let stopped = false;
let count = 0;
let errors = 0;
let firstError: string | undefined;
const latencies: number[] = [];

function once(i: number): Promise<void> {
  const r = spec.requests[i % spec.requests.length];
  const body = bodies[i % bodies.length];
  const t0 = performance.now();
  return new Promise((done) => {
    const req = request({ host: HOST, port: spec.port, method: r.method, path: r.path, headers: r.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        if (measuring) {
          count++;
          latencies.push(performance.now() - t0);
          if (res.statusCode !== 200) {
            errors++;
            firstError ??= `HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8").slice(0, 300)}`;
          }
        }
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

async function worker(id: number): Promise<void> {
  for (let i = id; !stopped; i += spec.connections) await once(i);
}

const workers = Array.from({ length: spec.connections }, (_, i) => worker(i));
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
process.stdout.write(JSON.stringify(result) + "\n");
