// Test helpers for SNS: a real node:http endpoint that records what SNS POSTs to it, and SNS clients for a server.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SNSClient } from "@aws-sdk/client-sns";
import type { TestServer } from "../../helpers/server.js";
import { WAIT_MS } from "../../helpers/wait.js";

export interface Received {
  /** The request path and query, e.g. /hook?attrs */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, string> & { MessageAttributes?: Record<string, { Type: string; Value: string }> };
}

export interface Endpoint {
  url: string;
  received: Received[];
  /** Status codes to answer, in order; once used up, 200. */
  statuses: number[];
  /** Resolves when at least `n` requests have arrived (polls real time; deliveries are immediate). */
  waitFor(n: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startEndpoint(): Promise<Endpoint> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      let json = {} as Received["json"];
      try {
        json = JSON.parse(body);
      } catch {
        /* raw delivery */
      }
      received.push({ url: req.url ?? "", headers: req.headers, body, json });
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    statuses,
    async waitFor(n, ms = WAIT_MS) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} requests at ${url}, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return received;
    },
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

export const snsClient = (server: TestServer, account?: string) => new SNSClient({ ...server.clientConfig({ account }), maxAttempts: 1 });

/**
 * The attempt numbers of the deliveries still pending for an account (us-east-1), sorted: after a failed
 * attempt n, [n + 1] once its retry is scheduled. Wait for it (eventually) before moving a ManualClock past the
 * retry's delay: the delay counts from when SNS handled the failure, which a loaded machine can make late.
 */
export function pendingAttempts(server: TestServer, account: string): number[] {
  return server.runtime.store
    .table<{ attempt: number }>("sns:pending-deliveries", `${account}/us-east-1`)
    .list()
    .map((e) => e.value.attempt)
    .sort();
}

/** A moment for deliveries that should not happen to show up: only for checking that nothing arrives. */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));
