// `stratus status`: asks a running server's /_stratus/health and prints a short summary.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { CliError, flagOrEnv, parseFlags, parsePort } from "./args.js";

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
}

export const REFUSED = "connection refused";

/** Something answered, but not as Stratus's health endpoint does. */
export class NotStratus extends Error {}

/** GET <base>/_stratus/health (3 s timeout): the server's health, or an error saying why not. */
export function getHealth(base: URL): Promise<Health> {
  const request = base.protocol === "https:" ? httpsRequest : httpRequest;
  const host = base.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = base.port || (base.protocol === "https:" ? 443 : 80);
  return new Promise((ok, fail) => {
    const req = request({ host, port, path: "/_stratus/health", method: "GET", timeout: 3000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        try {
          if (res.statusCode !== 200) throw new NotStratus(`its health check answered HTTP ${res.statusCode}`);
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Health;
          if (typeof body.version !== "string") throw new NotStratus("its health check answered something else");
          ok(body);
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
