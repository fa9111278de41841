// Cold start, measured from outside as a user meets it: spawn `node bin/stratus.js start` (the built dist, a fresh
// temp data dir, a free port, the default SQLite driver unless STRATUS_SQLITE says otherwise) and time until the
// first signed GetCallerIdentity is answered. The floor is a bare node:http server spawned the same way and asked
// the same request. The two alternate (in ABBA order), so a slow spell of this shared VM weighs on both alike, and
// the medians are compared. The request is signed before the clock starts, so the parent's cost is not counted.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Backend } from "../src/core/store/driver.js";
import { backendEnv, freePort } from "./server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "stratus.js");
const HOST = "127.0.0.1";
/** How far over the floor the cold start may be (issue 10, point 10). */
export const COLD_TARGET_OVER_FLOOR_MS = 40;

/** A bare node:http server on the port given as argv[1]: the floor any Node server's cold start sits on. */
const BARE = "require('http').createServer((q,s)=>q.resume().on('end',()=>s.end('ok'))).listen(+process.argv[1],'127.0.0.1')";

interface Probe {
  headers: Record<string, string>;
  body: string;
}

/** A GetCallerIdentity signed with the default root keys for this port (SigV4 signs the Host header). */
async function signedProbe(port: number): Promise<Probe> {
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const signer = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service: "sts", sha256: Sha256 });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: HOST,
      port,
      path: "/",
      headers: { host: `${HOST}:${port}`, "content-type": "application/x-www-form-urlencoded; charset=utf-8", "content-length": String(body.length) },
      body,
    }),
  );
  return { headers: signed.headers, body };
}

function send(port: number, p: Probe): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: HOST, port, method: "POST", path: "/", headers: p.headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c));
      res.on("end", () => ok({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", fail);
    req.end(p.body);
  });
}

/**
 * The CPU time a process has used so far, in ms, over all its threads (Linux: /proc/<pid>/task/<tid>/schedstat, in
 * ns); NaN elsewhere. Unlike wall time it hardly moves with what else runs on the machine.
 */
function cpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    return ns / 1e6;
  } catch {
    return Number.NaN;
  }
}

export interface ColdRun {
  /** Spawn → first answer, wall time. */
  ms: number;
  /** The server's CPU time (all threads) by then. */
  cpuMs: number;
}

/**
 * Spawn → first answered GetCallerIdentity: Stratus on `backend` (undefined: the default driver, with STRATUS_SQLITE
 * unset) or, with `bare`, the floor.
 */
export async function coldStartOnce(bare: boolean, backend?: Backend, node = process.execPath): Promise<ColdRun> {
  const port = await freePort();
  const probe = await signedProbe(port);
  const dataDir = bare ? undefined : mkdtempSync(join(tmpdir(), "stratus-cold-"));
  const env = { ...(backend ? backendEnv(backend) : process.env) };
  if (!backend) delete env.STRATUS_SQLITE;
  const args = bare ? ["-e", BARE, String(port)] : [BIN, "start", "--data-dir", dataDir!, "--port", String(port), "--log-level", "warn"];
  const t0 = performance.now();
  const child = spawn(node, args, { stdio: ["ignore", "ignore", "pipe"], env, cwd: ROOT });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c));
  try {
    for (;;) {
      try {
        const r = await send(port, probe);
        if (r.status !== 200 || (!bare && !r.body.includes("<GetCallerIdentityResult>"))) {
          throw new Error(`cold start probe answered ${r.status}: ${r.body.slice(0, 200)}`);
        }
        const ms = performance.now() - t0;
        return { ms, cpuMs: cpuMs(child.pid!) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ECONNREFUSED") throw e;
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${stderr.trim()}`);
        if (performance.now() - t0 > 10_000) throw new Error("the server did not answer within 10 s");
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  } finally {
    await new Promise<void>((done) => {
      if (child.exitCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export interface ColdResult {
  /** Per driver measured (undefined: the default one). */
  servers: { backend: Backend | undefined; runs: ColdRun[] }[];
  floors: ColdRun[];
}

/**
 * `runs` alternating rounds (after one discarded warm-up round that fills the page cache): each round spawns the bare
 * floor and Stratus on each driver, in an order that reverses every round.
 */
export async function coldStart(runs: number, backends: (Backend | undefined)[] = [undefined], node = process.execPath): Promise<ColdResult> {
  const servers = backends.map((backend) => ({ backend, runs: [] as ColdRun[] }));
  const floors: ColdRun[] = [];
  for (let i = -1; i < runs; i++) {
    const order: (() => Promise<void>)[] = [
      async () => {
        const t = await coldStartOnce(true, undefined, node);
        if (i >= 0) floors.push(t);
      },
      ...servers.map((s) => async () => {
        const t = await coldStartOnce(false, s.backend, node);
        if (i >= 0) s.runs.push(t);
      }),
    ];
    if (i % 2) order.reverse();
    for (const step of order) await step();
  }
  return { servers, floors };
}

/**
 * "cold start: X ms (floor Y ms, +Z ms; target ≤ floor + 40 ms): met", judged on wall time, with the CPU time both
 * used beside it (the figure a busy machine skews least).
 */
export function coldVerdict(runs: ColdRun[], floors: ColdRun[]): { line: string; met: boolean; over: number; cpu: string } {
  const x = median(runs.map((r) => r.ms));
  const y = median(floors.map((r) => r.ms));
  const over = x - y;
  const met = over <= COLD_TARGET_OVER_FLOOR_MS;
  const cx = median(runs.map((r) => r.cpuMs));
  const cy = median(floors.map((r) => r.cpuMs));
  const cpu = Number.isNaN(cx) ? "" : `CPU ${cx.toFixed(0)} ms (floor ${cy.toFixed(0)} ms, +${(cx - cy).toFixed(0)} ms)`;
  return {
    line: `cold start: ${x.toFixed(0)} ms (floor ${y.toFixed(0)} ms, +${over.toFixed(0)} ms; target ≤ floor + ${COLD_TARGET_OVER_FLOOR_MS} ms): ${met ? "met" : "NOT met"}${cpu ? `; ${cpu}` : ""}`,
    met,
    over,
    cpu,
  };
}
