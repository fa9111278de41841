// What the benchmark modules share for running the built server: a free port, and waiting until it answers.
import { createServer } from "node:net";

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
