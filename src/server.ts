// The composition root: opens the store, builds the runtime with the service catalog (services/registry.ts),
// and hands each request of the node:http listener to the gateway.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { uuid4 } from "./core/ids.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openSqliteStore, type SqliteStore } from "./core/store/sqlite.js";
import type { Durability } from "./core/store/durability.js";
import { createLogger, type LogLevel, type Logger } from "./core/log.js";
import type { Clock } from "./core/clock.js";
import type { RootCredential } from "./core/identity.js";
import { Runtime, type AuthMode } from "./runtime.js";
import { handle } from "./gateway/pipeline.js";
import { internalRoute } from "./gateway/internal-routes.js";
import { admission } from "./gateway/admission.js";
import type { Exchange } from "./gateway/exchange.js";
import { createAuditTrail } from "./core/audit.js";
import { keepSpace, SPACE_INTERVAL_MS } from "./core/space-keeper.js";
import { buildEventRow, isDataEvent } from "./services/cloudtrail/record.js";
import { defaultCatalog } from "./services/registry.js";
import type { Catalog } from "./core/catalog.js";

export interface ServerOptions {
  host?: string;
  port?: number;
  /** Called once listening, before the store opens and before any request is answered. */
  onListening?: (where: { host: string; port: number }) => void;
  dataDir?: string;
  ephemeral?: boolean;
  auth?: AuthMode;
  logLevel?: LogLevel;
  rootCredentials?: RootCredential[];
  defaultRegion?: string;
  maxBodyBytes?: number;
  clock?: Clock;
  logger?: Logger;
  /** The user's project: Node.js functions find the AWS SDK in its node_modules first (default: the working directory). */
  projectDir?: string;
  /** The services this server runs (default: every service in services/registry.ts). */
  catalog?: Catalog;
  /**
   * The local X-Ray daemon's port (UDP segments and the TCP sampling proxy on the listen host; 0: any free port).
   * Absent: no daemon (`stratus start` passes 2000 unless told otherwise).
   */
  xrayDaemonPort?: number;
  /** What an acknowledged write survives (core/store/durability.ts): "process" (default) or also "power" loss. */
  durability?: Durability;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  dataDir: string;
  runtime: Runtime;
  server: Server;
  /** The X-Ray daemon's port, when it runs. */
  xrayDaemonPort?: number;
  /** Stops accepting, finishes in-flight requests, closes the store (and removes an ephemeral dir). */
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger(opts.logLevel ?? "info");
  const ephemeral = opts.ephemeral ?? false;
  const dataDir = ephemeral ? mkdtempSync(join(tmpdir(), "stratus-")) : resolve(opts.dataDir ?? ".stratus");

  // Listening comes first: a client's connection and first request then overlap the store's opening and the
  // services' boot, instead of following them (a cold start answers ~5 ms sooner). A request that arrives before
  // the runtime is ready waits for it.
  const early: [IncomingMessage, ServerResponse][] = [];
  let handle = (req: IncomingMessage, res: ServerResponse): void => void early.push([req, res]);
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => handle(req, res));
  const host = opts.host ?? "127.0.0.1";
  try {
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(opts.port ?? 4566, host, () => {
        server.off("error", fail);
        ok();
      });
    });
  } catch (e) {
    // Port in use or not permitted: leave nothing open or behind.
    if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  // Before any request is answered (the CLI's pid file says where the server listens: a second start names it).
  opts.onListening?.({ host, port });

  let store: SqliteStore | undefined;
  let runtime: Runtime | undefined;
  try {
    store = openSqliteStore(dataDir, undefined, opts.durability ?? "process");
    runtime = new Runtime(
      {
        auth: opts.auth ?? "none",
        rootCredentials: opts.rootCredentials ?? [{ accessKeyId: "test", secretAccessKey: "test" }],
        defaultRegion: opts.defaultRegion ?? "us-east-1",
        maxBodyBytes: opts.maxBodyBytes ?? 16 * 1024 * 1024,
        projectDir: resolve(opts.projectDir ?? process.cwd()),
      },
      store,
      logger,
      opts.catalog ?? defaultCatalog(),
      opts.clock,
    );
    runtime.url = url;
    const started = runtime;
    runtime.audit = createAuditTrail(
      store,
      runtime.clock,
      logger,
      buildEventRow,
      isDataEvent,
      () => void Promise.resolve(started.service("cloudtrail")).catch(() => {}),
    );
    if (store.spaceNote) logger.info(`store: ${store.spaceNote}`);
    store.onWarning = (text) => logger.warn(`store: ${text}`);
    keepSpace(store, runtime.scheduler, logger, Number(process.env.STRATUS_SPACE_INTERVAL_MS) || SPACE_INTERVAL_MS);
    // Services with work that must resume after a restart (pending deliveries) start now, not on first call.
    await runtime.bootServices();
  } catch (e) {
    // A data dir it cannot use: whoever connected meanwhile is let go, and nothing is left open or behind.
    server.close();
    server.closeAllConnections();
    runtime?.stop();
    store?.close();
    if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const ready = runtime;
  const opened = store;
  handle = admission((req, res) => onRequest(ready, req, res), {
    commitOpen: () => {
      if (!opened.durable()) return false;
      opened.commitGroup();
      return true;
    },
    failed: (e) => logger.error("a request failed to start", e),
  });
  for (const [req, res] of early.splice(0)) handle(req, res);
  const daemon = opts.xrayDaemonPort === undefined ? undefined : await startXrayDaemon(ready, opts.xrayDaemonPort, host);
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    dataDir,
    runtime: ready,
    server,
    ...(daemon ? { xrayDaemonPort: daemon.port } : {}),
    close: () =>
      (closing ??= new Promise<void>((done) => {
        void daemon?.close();
        // Running functions end now, so a slow invocation does not hold the close for its whole timeout.
        ready.closing();
        // Connections kept alive by clients close as soon as their in-flight request is answered.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(async () => {
          clearInterval(sweep);
          ready.stop();
          await ready.drain();
          store.close();
          if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
          done();
        });
        server.closeIdleConnections();
      })),
  };
}

/** The X-Ray daemon (services/xray/daemon.ts), loaded only when asked for; a port in use is a warning, not a failure. */
async function startXrayDaemon(runtime: Runtime, port: number, host: string): Promise<{ port: number; close(): Promise<void> } | undefined> {
  try {
    const { startDaemon } = await import("./services/xray/daemon.js");
    const bind = host === "0.0.0.0" || host === "::" ? "0.0.0.0" : "127.0.0.1";
    const d = await startDaemon(runtime, port, bind);
    runtime.logger.debug(`X-Ray daemon on ${bind}:${d.port} (UDP and TCP), account ${d.account}, region ${d.region}`);
    return d;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    runtime.logger.warn(`X-Ray daemon not started: ${code === "EADDRINUSE" ? `port ${port} is in use` : e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function onRequest(runtime: Runtime, raw: IncomingMessage, res: ServerResponse): void {
  if (internalRoute(runtime, raw, res)) return;
  const url = raw.url ?? "/";
  const q = url.indexOf("?");
  const headers: Record<string, string> = {};
  const given = raw.headers;
  // for…in, not Object.entries(): no pair array per header on every request.
  for (const k in given) {
    const v = given[k];
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  const x: Exchange = {
    runtime,
    raw,
    res,
    req: { method: raw.method ?? "GET", path: q < 0 ? url : url.slice(0, q), query: q < 0 ? "" : url.slice(q + 1), headers, body: EMPTY },
    requestId: uuid4(),
    receivedAt: runtime.clock.now(),
    sourceIp: (raw.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
    userAgent: headers["user-agent"] ?? "",
    account: "",
    region: runtime.options.defaultRegion,
  };
  handle(x).catch((e) => {
    runtime.logger.error(`request ${x.requestId} failed outside the pipeline`, e);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}

const EMPTY = Buffer.alloc(0);
