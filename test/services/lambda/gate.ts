// A gate a function's handler waits at until the test opens it: the handler GETs `${gate.url}${step}` and gets
// its answer only once the test has called gate.open(step). It orders what the handler does after what the
// test has seen (write the next chunk only once the previous one arrived), by events rather than by the clock.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Gate {
  /** What the handler fetches, followed by the step it waits for. */
  url: string;
  /** Lets the handler past `step` (now, or as soon as it asks). */
  open(step: number | string): void;
  close(): void;
}

export async function startGate(): Promise<Gate> {
  const opened = new Set<string>();
  const waiting = new Map<string, ServerResponse[]>();
  const server = createServer((req, res) => {
    const step = (req.url ?? "/").slice(1);
    if (opened.has(step)) res.end("open");
    else waiting.set(step, [...(waiting.get(step) ?? []), res]);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    open(step) {
      const key = String(step);
      opened.add(key);
      for (const res of waiting.get(key) ?? []) res.end("open");
      waiting.delete(key);
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
