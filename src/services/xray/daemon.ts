// The local X-Ray daemon, as the SDKs expect it on 127.0.0.1:2000 (AWS_XRAY_DAEMON_ADDRESS):
// - UDP: each datagram is a header line and a segment document, `{"format": "json", "version": 1}\n{…}` (AWS docs,
//   "Sending segment documents to the X-Ray daemon"); a bad header or document is dropped and counted.
// - TCP: the daemon's HTTP proxy the SDKs use for centralized sampling — unsigned POST /GetSamplingRules,
//   /SamplingTargets and any other X-Ray API path — answered by X-Ray's own operations, in-process.
// Segments and calls are the daemon's account and region: the server's default ones, or STRATUS_XRAY_DAEMON_ACCOUNT /
// STRATUS_XRAY_DAEMON_REGION. Started by the server (server.ts) when its daemon port is set; the counters are served
// at GET /_stratus/xray/daemon (the registry's route, daemon-route.ts).
import { Worker } from "node:worker_threads";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { uuid4 } from "../../core/ids.js";
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { Identity, ServiceHost } from "../../core/service.js";
import { codecFor, type HttpResponse } from "../../protocols/index.js";
import { checkSegment, isAccepted } from "./traces/segments.js";
import type { TraceStore } from "./traces/store.js";

export interface DaemonCounters {
  /** Datagrams received. */
  received: number;
  /** Segments accepted and stored. */
  stored: number;
  /** Datagrams dropped: no `{"format": "json", "version": 1}` header line. */
  badHeader: number;
  /** Datagrams dropped: the segment document failed X-Ray's checks. */
  badSegment: number;
  /** Proxied API calls (TCP). */
  proxied: number;
}

export interface RunningDaemon {
  port: number;
  account: string;
  region: string;
  counters: DaemonCounters;
  close(): Promise<void>;
}

/**
 * The UDP side, run as a worker thread (a CommonJS script): binds, checks each datagram's header line, and hands the
 * documents over in batches (every 5 ms, or 1,000 documents), with how many datagrams came and how many it dropped.
 */
const UDP_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const sock = require("node:dgram").createSocket("udp4");
const HEADERS = new Set(['{"format": "json", "version": 1}', '{"format":"json","version":1}']);
let docs = [], received = 0, badHeader = 0, timer;
const flush = () => {
  timer = undefined;
  parentPort.postMessage({ docs, received, badHeader });
  docs = []; received = 0; badHeader = 0;
};
const headerOk = (h) => {
  if (HEADERS.has(h)) return true;
  try { const j = JSON.parse(h); return !!j && j.format === "json" && j.version === 1; } catch { return false; }
};
sock.on("message", (msg) => {
  received++;
  const nl = msg.indexOf(10);
  if (nl > 0 && headerOk(msg.toString("utf8", 0, nl).trim())) docs.push(msg.toString("utf8", nl + 1));
  else badHeader++;
  if (docs.length >= 1000) { clearTimeout(timer); flush(); }
  else if (!timer) timer = setTimeout(flush, 5);
});
sock.once("error", (e) => parentPort.postMessage({ error: e.code || e.message }));
sock.bind(workerData.port, workerData.host, () => {
  try { sock.setRecvBufferSize(8 * 1024 * 1024); } catch {}
  parentPort.postMessage({ bound: sock.address().port });
});
`;

const running = new WeakMap<object, RunningDaemon>();

/** The daemon the server of `host` runs, if any (the debug route reads its counters). */
export const daemonOf = (host: object): RunningDaemon | undefined => running.get(host);

export async function startDaemon(host: ServiceHost, port: number, bindHost = "127.0.0.1"): Promise<RunningDaemon> {
  const who: Identity = host.rootIdentity(process.env.STRATUS_XRAY_DAEMON_ACCOUNT || undefined, process.env.STRATUS_XRAY_DAEMON_REGION || undefined);
  const counters: DaemonCounters = { received: 0, stored: 0, badHeader: 0, badSegment: 0, proxied: 0 };
  let warned = 0;
  const dropped = (why: string) => {
    const now = Date.now();
    if (now - warned < 10_000) return;
    warned = now;
    host.logger.warn(`X-Ray daemon: dropped a datagram (${why}); so far ${counters.badHeader} with a bad header, ${counters.badSegment} with a bad segment`);
  };

  // Segments wait here while X-Ray starts (its first use loads the service and its trace index).
  let waiting: string[] | undefined;
  const ingest = (text: string) => {
    const store = host.instance<{ traces: TraceStore }>("xray")?.traces;
    if (!store) {
      if (!waiting) {
        waiting = [];
        host.call("xray", "GetGroups", {}, who, { audit: false }).then(
          () => {
            const w = waiting ?? [];
            waiting = undefined;
            for (const t of w) ingest(t);
          },
          (e) => host.logger.error("X-Ray daemon: X-Ray did not start", e),
        );
      }
      waiting.push(text);
      return;
    }
    const r = checkSegment(text, host.clock.now() / 1000);
    if (!isAccepted(r)) {
      counters.badSegment++;
      dropped(`${r.ErrorCode}`);
      return;
    }
    counters.stored++;
    store.add(who.account, who.region, [r], false);
  };

  const http: Server = createServer((req, res) => void proxy(host, who, req, res, counters));
  // TCP first: with port 0 it picks the port, and UDP takes the same number.
  await new Promise<void>((ok, fail) => {
    http.once("error", fail);
    http.listen(port, bindHost, () => {
      http.off("error", fail);
      ok();
    });
  });
  const bound = (http.address() as AddressInfo).port;
  // The UDP socket lives on a thread of its own, so that it drains the kernel's buffer while this thread writes a
  // batch to SQLite (a stalled reader loses datagrams once the socket buffer, net.core.rmem_max, is full).
  const udp = new Worker(UDP_WORKER, { eval: true, workerData: { port: bound, host: bindHost } });
  udp.unref();
  try {
    await new Promise<void>((ok, fail) => {
      udp.once("error", fail);
      udp.once("message", (m: { bound?: number; error?: string }) => (m.bound ? ok() : fail(Object.assign(new Error(m.error), { code: m.error }))));
    });
  } catch (e) {
    void udp.terminate();
    http.close();
    throw e;
  }
  udp.on("message", (m: { docs: string[]; received: number; badHeader: number }) => {
    counters.received += m.received;
    if (m.badHeader) {
      counters.badHeader += m.badHeader;
      dropped("bad header");
    }
    for (const text of m.docs) ingest(text);
  });
  const daemon: RunningDaemon = {
    port: bound,
    account: who.account,
    region: who.region,
    counters,
    close: () =>
      new Promise<void>((done) => {
        running.delete(host);
        void udp.terminate();
        http.close(() => done());
        http.closeAllConnections();
      }),
  };
  running.set(host, daemon);
  return daemon;
}

/** One proxied X-Ray API request: routed, parsed and answered by the rest-json codec, run as the daemon's caller. */
async function proxy(host: ServiceHost, who: Identity, req: IncomingMessage, res: ServerResponse, counters: DaemonCounters): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  const httpReq = {
    method: req.method ?? "POST",
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? "" : url.slice(q + 1),
    headers,
    body: Buffer.concat(chunks),
  };
  const codec = await codecFor("rest-json");
  const model = host.model("xray");
  const meta = { requestId: uuid4() };
  let out: HttpResponse;
  let operation: string | undefined;
  try {
    operation = codec.resolveOperation(httpReq, model);
    const input = codec.parseInput(httpReq, model, operation);
    counters.proxied++;
    out = codec.serializeOutput(await host.call("xray", operation, input, { ...who, requestId: meta.requestId }, { audit: false }), model, operation, meta);
  } catch (e) {
    if (!isServiceError(e)) host.logger.error("X-Ray daemon: a proxied call failed", e);
    const err = isServiceError(e) ? e : new ServiceError("ServiceException", "internal error", 500);
    out = codec.serializeError(err, model, operation, meta);
  }
  res.writeHead(out.status, { ...out.headers, "x-amzn-requestid": meta.requestId });
  res.end(out.body);
}
