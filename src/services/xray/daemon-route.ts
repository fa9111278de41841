// GET /_stratus/xray/daemon: the local X-Ray daemon's counters (datagrams received, segments stored, datagrams
// dropped for a bad header or a bad segment, proxied API calls), as JSON; 404 when the server runs no daemon.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceHost } from "../../core/service.js";
import { daemonOf } from "./daemon.js";

export const DAEMON_ROUTE = "/_stratus/xray/daemon";

export default function daemonRoute(host: ServiceHost, _req: IncomingMessage, res: ServerResponse): void {
  const d = daemonOf(host);
  const body = d ? { port: d.port, account: d.account, region: d.region, ...d.counters } : { message: "This server runs no X-Ray daemon" };
  res.writeHead(d ? 200 : 404, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
