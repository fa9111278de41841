// What the benchmark modules share for running the built server: a free port, waiting until it answers, spawning a
// process that prints its port, and the load generator (bench/load.ts) run in its own process.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadResult, LoadSpec, PreparedRequest } from "./load.js";
import { chooseDriver, type Backend } from "../src/core/store/driver.js";

export interface BenchRow {
  metric: string;
  value: string;
  target: string;
  ok: boolean;
}

/** A port nothing listens on right now (the kernel's pick, released again). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Resolves once the server at `url` answers its health check (up to 10 s). */
export async function waitHealthy(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/_stratus/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the server did not come up");
}

/**
 * The SQLite drivers this Node can run, the default first (STRATUS_SQLITE narrows to one): store-bound figures are
 * measured on each, side by side. STRATUS_BETTER_SQLITE3_PATH reaches the servers too (a build for this Node).
 */
export const BACKENDS: Backend[] = (process.env.STRATUS_SQLITE ? [process.env.STRATUS_SQLITE] : [undefined, "node", "better-sqlite3"])
  .flatMap((choice) => {
    try {
      return [chooseDriver(choice).backend];
    } catch {
      return [];
    }
  })
  .filter((b, i, all) => all.indexOf(b) === i);

/** The environment for a server on this driver. */
export const backendEnv = (backend: Backend): NodeJS.ProcessEnv => ({ ...process.env, STRATUS_SQLITE: backend });

/** Rows measured per driver, interleaved so each metric's figures sit together, labelled with their driver. */
export function sideBySide(per: { backend: Backend; rows: BenchRow[] }[]): BenchRow[] {
  const out: BenchRow[] = [];
  const n = Math.max(...per.map((p) => p.rows.length));
  for (let i = 0; i < n; i++) {
    for (const { backend, rows } of per) if (rows[i]) out.push({ ...rows[i], metric: `${rows[i].metric} [${backend}]` });
  }
  return out;
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Replays `requests` over keep-alive connections from a separate process (bench/load.ts); its one result line. */
export function runLoad(
  port: number,
  requests: PreparedRequest[],
  opts: { connections: number; warmupMs: number; durationMs: number; client?: LoadSpec["client"] },
): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "stratus-bench-"));
  const file = join(dir, "spec.json");
  const spec: LoadSpec = { port, ...opts, requests };
  writeFileSync(file, JSON.stringify(spec));
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "bench", "load.ts"), file], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c));
  return new Promise((ok, fail) => {
    const t = setTimeout(() => child.kill("SIGKILL"), opts.warmupMs + opts.durationMs + 30_000);
    child.on("close", (code) => {
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) return fail(new Error(`load generator exited with ${code}`));
      ok(JSON.parse(out.trim().split("\n").pop()!) as LoadResult);
    });
  });
}

export interface Proc {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** Spawns a process and waits for the line that carries its port. */
export function spawnListening(args: string[], portFrom: RegExp, env?: NodeJS.ProcessEnv): Promise<Proc> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], cwd: ROOT, env });
  let out = "";
  return new Promise((ok, fail) => {
    const t = setTimeout(() => (child.kill("SIGKILL"), fail(new Error(`no listening line from ${args.join(" ")}`))), 15_000);
    child.on("exit", (code) => fail(new Error(`${args.join(" ")} exited with ${code}`)));
    child.stdout!.on("data", (c: Buffer) => {
      out += c;
      const m = portFrom.exec(out);
      if (!m) return;
      clearTimeout(t);
      ok({
        child,
        port: Number(m[1]),
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners("exit");
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/**
 * The built server (bin/stratus.js) on a free loopback port with an ephemeral data dir (or `dataDir`, kept), once it
 * answers its health check.
 */
export async function startBuilt(
  env?: NodeJS.ProcessEnv,
  opts: { nodeArgs?: string[]; root?: string; dataDir?: string } = {},
): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await freePort();
  const root = opts.root ?? ROOT;
  const child = spawn(
    process.execPath,
    [
      ...(opts.nodeArgs ?? []),
      join(root, "bin", "stratus.js"),
      "start",
      ...(opts.dataDir ? ["--data-dir", opts.dataDir] : ["--ephemeral"]),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--log-level",
      "error",
    ],
    {
      stdio: process.env.BENCH_SERVER_LOG ? ["ignore", "pipe", "pipe"] : "ignore",
      cwd: root,
      env,
    },
  );
  // BENCH_SERVER_LOG=<prefix>: each server's output (with node flags such as --trace-gc) to <prefix>-<pid>.log.
  if (process.env.BENCH_SERVER_LOG) {
    const out = createWriteStream(`${process.env.BENCH_SERVER_LOG}-${child.pid}.log`);
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
  }
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill(opts.nodeArgs?.length ? "SIGINT" : "SIGTERM");
    await exited;
  };
  try {
    await waitHealthy(url);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid: child.pid!, stop };
}

/**
 * A process's minor page faults so far (minflt from /proc/<pid>/stat, all its threads). Each costs this VM ~11 µs (first
 * touch of a fresh page, measured), so memory a process gives back and touches again shows in its CPU per request.
 */
export function minorFaultsOf(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[7]);
}

/** A process's CPU time so far (utime + stime from /proc/<pid>/stat, in ticks of 10 ms), in milliseconds. */
export function cpuMsOf(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}
