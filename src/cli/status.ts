// `stratus status`: asks a running server's /_stratus/health and prints a short summary, then what its data dir holds by
// service (/_stratus/usage).
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { CliError, flagOrEnv, parseFlags, parsePort } from "./args.js";
import type { SpaceUsage } from "../core/store/space.js";

export interface Health {
  status: string;
  version: string;
  uptime: number;
  dataDir: string;
  auth: string;
  /** Absent from servers older than the option. */
  durability?: string;
  services: Record<string, string>;
}

export async function status(argv: readonly string[]): Promise<void> {
  const p = parseFlags("status", argv, { values: ["host", "port"], switches: [] });
  const host = flagOrEnv(p, "host", "STRATUS_HOST")?.value ?? "127.0.0.1";
  const portArg = flagOrEnv(p, "port", "STRATUS_PORT");
  const port = portArg ? parsePort(portArg.what, portArg.value) : 4566;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const h = await getHealth(new URL(url)).catch((e: unknown) => {
    // Nothing listening, or something that is not Stratus: say which, in one line, and how to get a server.
    if (e instanceof NotStratus) throw new CliError(`the server at ${url} is not Stratus (${e.message})`);
    const why = e instanceof Error && e.message !== REFUSED ? `${e.message}; ` : "";
    const startCmd = ["npx stratus start", host !== "127.0.0.1" ? ` --host ${host}` : "", port !== 4566 ? ` --port ${port}` : ""].join("");
    throw new CliError(`no server answering at ${url} (${why}start one with: ${startCmd})`);
  });
  const running = Object.values(h.services ?? {}).filter((v) => v === "running").length;
  const total = Object.keys(h.services ?? {}).length;
  process.stdout.write(
    `Stratus ${h.version} at ${url}: ${h.status}, up ${duration(h.uptime)}, auth ${h.auth}, ${h.durability ? `durability ${h.durability}, ` : ""}data ${h.dataDir}, ` +
      `${running} of ${total} services running\n`,
  );
  // A server older than /_stratus/usage answers 404: the summary above is all there is.
  const usage = await getJson<SpaceUsage>(new URL(url), "/_stratus/usage", 30_000).catch(() => undefined);
  if (usage?.files) process.stdout.write(formatUsage(usage));
}

/** The data dir's size, then by service (database pages and the service's directory), largest first. */
export function formatUsage(u: SpaceUsage): string {
  const lines = [
    `data dir ${size(u.files.total)}: database ${size(u.files.database)} (${size(u.pages.free * u.pages.size)} free, ` +
      `vacuum ${u.pages.autoVacuum}), WAL ${size(u.files.wal)}, files ${size(u.files.other)}`,
  ];
  const services = new Map(Object.entries(u.byService));
  // Blobs are S3's objects (and function code): the small ones rows in the database ("blobs (inline)"), the rest
  // files in blobs/; Lambda's unpacked code lives in lambda/.
  const dirService: Record<string, string> = { blobs: "blobs", lambda: "lambda" };
  for (const [dir, bytes] of Object.entries(u.directories)) {
    const svc = dirService[dir] ?? dir;
    services.set(svc, (services.get(svc) ?? 0) + bytes);
  }
  const stores = Object.entries(u.byStore);
  for (const [svc, bytes] of [...services].sort((a, b) => b[1] - a[1])) {
    const parts = stores
      .filter(([store]) => storeService(store) === svc)
      .sort((a, b) => b[1] - a[1])
      .map(([store, b]) => `${store} ${size(b)}`);
    if (u.directories[svc] !== undefined) parts.push(`${svc}/ ${size(u.directories[svc])}`);
    lines.push(`  ${svc.padEnd(16)} ${size(bytes).padStart(9)}${parts.length ? `  ${parts.join(", ")}` : ""}`);
  }
  if (u.method !== "dbstat") lines.push(`  (${u.method})`);
  return `${lines.join("\n")}\n`;
}

const STORE_SERVICE: Record<string, string> = {
  "audit events": "cloudtrail",
  "log events": "logs",
  metrics: "cloudwatch",
  schema: "stratus",
  "blobs (inline)": "blobs",
};

function storeService(store: string): string {
  const m = /^(?:records|documents) ([^:]+):/.exec(store);
  return m ? m[1] : (STORE_SERVICE[store] ?? "other");
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1048576) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1073741824) return `${(bytes / 1048576).toFixed(1)} MB`;
  return `${(bytes / 1073741824).toFixed(2)} GB`;
}

export const REFUSED = "connection refused";

/** Something answered, but not as Stratus's health endpoint does. */
export class NotStratus extends Error {}

/** GET <base>/_stratus/health (3 s timeout): the server's health, or an error saying why not. */
export async function getHealth(base: URL): Promise<Health> {
  const body = await getJson<Health>(base, "/_stratus/health", 3000);
  if (typeof body.version !== "string") throw new NotStratus("its health check answered something else");
  return body;
}

/** GET <base><path> answered with JSON (HTTP 200), or an error saying why not. */
function getJson<T>(base: URL, path: string, timeout: number): Promise<T> {
  const request = base.protocol === "https:" ? httpsRequest : httpRequest;
  const host = base.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = base.port || (base.protocol === "https:" ? 443 : 80);
  return new Promise((ok, fail) => {
    const req = request({ host, port, path, method: "GET", timeout }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        try {
          if (res.statusCode !== 200) throw new NotStratus(`its health check answered HTTP ${res.statusCode}`);
          ok(JSON.parse(Buffer.concat(chunks).toString("utf8")) as T);
        } catch (e) {
          fail(e instanceof SyntaxError ? new NotStratus("its health check answered something else") : e);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (e: NodeJS.ErrnoException) => fail(new Error(e.code === "ECONNREFUSED" ? REFUSED : e.message)));
    req.end();
  });
}

function duration(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
