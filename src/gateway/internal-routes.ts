// Endpoints beside the AWS APIs: the routes services declare in the registry (function URLs, SNS's
// certificate), loaded on first use like the services themselves; and Stratus's health (also at LocalStack's
// path, for tools written for it) and what its data dir holds (/_stratus/usage).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayHost } from "./exchange.js";
import type { HttpRoute } from "../core/service.js";
import { VERSION } from "../version.js";

type RouteHandler = Awaited<ReturnType<HttpRoute["load"]>>["default"];

/**
 * A route's response ends only once what was written before it is committed (group commit: core/store/sqlite.ts), as
 * the AWS API's do (pipeline.ts): end() waits for the store's pending commit, if any. A failed commit — the pending
 * one, or any group that failed since the route began (it may have held the route's earlier writes) — ends the
 * response with a 500 when nothing has been sent yet, else cuts the connection, never acknowledging what it lost.
 */
export function answerWhenDurable(rt: Pick<GatewayHost, "store" | "logger">, res: ServerResponse): void {
  const failures = rt.store.commitFailures;
  const end = res.end as (...a: unknown[]) => ServerResponse;
  const failed = (r: ServerResponse, e: unknown) => {
    rt.logger.error("a commit failed: the response is not sent", e);
    if (!r.headersSent) {
      r.writeHead(500);
      end.call(r);
    } else r.destroy();
  };
  const finish = (r: ServerResponse, args: unknown[]) => {
    if (rt.store.commitFailures !== failures) failed(r, new Error("a commit failed while this route ran: its writes may be undone"));
    else end.apply(r, args);
  };
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    const durable = rt.store.durable();
    if (!durable) finish(this, args);
    else
      durable.then(
        () => finish(this, args),
        (e) => failed(this, e),
      );
    return this;
  } as typeof res.end;
}
const loaded = new WeakMap<HttpRoute, RouteHandler>();

export function internalRoute(rt: GatewayHost, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? "";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const host = req.headers.host ?? "";
  for (const route of rt.catalog.routes) {
    if (!route.matches(host, path)) continue;
    answerWhenDurable(rt, res);
    const failed = (e: unknown) => {
      rt.logger.error(`the route for ${path} failed`, e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    };
    // Loaded once, then called directly: a load per request cost the execute-api endpoint ~2% of its CPU.
    const handler = loaded.get(route);
    if (handler) {
      try {
        Promise.resolve(handler(rt, req, res)).catch(failed);
      } catch (e) {
        failed(e);
      }
      return true;
    }
    route
      .load()
      .then((m) => {
        loaded.set(route, m.default);
        return m.default(rt, req, res);
      })
      .catch(failed);
    return true;
  }
  if (!url.startsWith("/_stratus/") && !url.startsWith("/_localstack/")) return false;
  if (path === "/_stratus/health" || path === "/_localstack/health") {
    const implemented = new Set(rt.catalog.implemented);
    const services: Record<string, string> = {};
    for (const s of rt.catalog.services) services[s.name] = implemented.has(s.name) ? "running" : "not_implemented";
    json(res, 200, {
      status: "ok",
      version: VERSION,
      edition: "stratus",
      uptime: Math.round((rt.clock.now() - rt.startedAt) / 1000),
      dataDir: rt.store.dataDir,
      store: rt.store.engine,
      durability: rt.store.durability,
      auth: rt.options.auth,
      services,
    });
    return true;
  }
  if (path === "/_stratus/usage") {
    // What the data dir holds, by service (core/store/space.ts): for `stratus status`; a walk of the database's pages.
    rt.store.spaceUsage().then(
      (usage) => json(res, 200, usage),
      (e: unknown) => json(res, 500, { error: "InternalFailure", message: e instanceof Error ? e.message : String(e) }),
    );
    return true;
  }
  json(res, 404, { error: "NotFound", message: `No Stratus endpoint at ${path}` });
  return true;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
