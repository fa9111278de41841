// What the benchmark modules share for running the built server: a free port, and waiting until it answers.
import { createServer } from "node:net";
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
