// HTTP_PROXY integrations of HTTP APIs: the request goes to the integration's URL as it came (method, headers,
// query string, body), the URL's {variables} filled from the route's path parameters — or, for the $default route,
// the request's path appended ("When the $default route receives a request, API Gateway sends the full request
// path to the integration", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html)
// — after the integration's requestParameters mappings (append:/overwrite:/remove: on header., querystring. and
// overwrite:path, https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
// The answer comes back as the backend sent it.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { withStageVariables } from "../lambda.js";
import type { IntegrationCall } from "./integrate.js";
import type { ProxyAnswer } from "./payload.js";
import { INTERNAL, UNAVAILABLE } from "./respond.js";

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 });

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

function lookupJsonPath(body: Buffer, path: string): string | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  for (const part of path.split(".").filter(Boolean)) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
}

/** A mapping's value: static text with $request.…, $context.… and $stageVariables.… references replaced. */
export function mappingValue(c: IntegrationCall, value: string, context: Record<string, string>): string {
  return value.replace(
    /\$(request\.(?:header|querystring|path|body)(?:\.[A-Za-z0-9_\-$.]+)?|request\.path|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)/g,
    (ref: string) => {
      const [kind, ...rest] = ref.slice(1).split(".");
      const name = rest.slice(1).join(".");
      if (kind === "stageVariables") return c.stageVariables[rest.join(".")] ?? "";
      if (kind === "context") return context[rest.join(".")] ?? "";
      switch (rest[0]) {
        case "header":
          return c.headers[name.toLowerCase()] ?? "";
        case "querystring":
          return c.req.query[name]?.join(",") ?? "";
        case "path":
          return name ? (c.pathParameters[name] ?? "") : c.req.path;
        case "body":
          return name ? (lookupJsonPath(c.req.body, name.replace(/^\$\.?/, "")) ?? "") : c.req.body.toString("utf8");
        default:
          return "";
      }
    },
  );
}

interface Outgoing {
  url: URL;
  headers: Record<string, string>;
}

function target(c: IntegrationCall, stagePrefix: string, context: Record<string, string>): Outgoing {
  const uri = withStageVariables(c.integration.integrationUri ?? "", c.stageVariables);
  const url = new URL(uri.replace(/\{([^{}]+?)\+?\}/g, (_, n: string) => encodeURI(c.pathParameters[n.replace(/\+$/, "")] ?? "")));
  if (c.routeKey === "$default") {
    const below = c.req.path.startsWith(stagePrefix) ? c.req.path.slice(stagePrefix.length) || "/" : c.req.path;
    url.pathname = url.pathname.replace(/\/$/, "") + below;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
  const query = new URLSearchParams(c.req.rawQuery);
  for (const [key, value] of Object.entries(c.integration.requestParameters ?? {})) {
    const m = /^(append|overwrite|remove):(header\.(.+)|querystring\.(.+)|path)$/.exec(key);
    if (!m) continue;
    const [, action, , headerName, queryName] = m;
    const v = action === "remove" ? "" : mappingValue(c, value, context);
    if (headerName) {
      const h = headerName.toLowerCase();
      if (action === "remove") delete headers[h];
      else if (action === "append" && headers[h] !== undefined) headers[h] = `${headers[h]},${v}`;
      else headers[h] = v;
    } else if (queryName) {
      if (action === "remove") query.delete(queryName);
      else if (action === "append") query.append(queryName, v);
      else query.set(queryName, v);
    } else if (action === "overwrite") url.pathname = v.startsWith("/") ? v : `/${v}`;
  }
  const q = query.toString();
  url.search = q ? `?${q}` : "";
  return { url, headers };
}

export function proxyHttp(c: IntegrationCall, signal: AbortSignal): Promise<ProxyAnswer> {
  let out: Outgoing;
  try {
    out = target(c, c.stagePrefix, c.context);
  } catch {
    c.rt.logger.debug(`execute-api: ${c.apiId}: integration URI ${c.integration.integrationUri} is not a URL`);
    return Promise.reject(INTERNAL());
  }
  const { url, headers } = out;
  const method = !c.integration.integrationMethod || c.integration.integrationMethod === "ANY" ? c.req.method : c.integration.integrationMethod;
  const https = url.protocol === "https:";
  const send = https ? httpsRequest : httpRequest;
  if (c.req.body.length) headers["content-length"] = String(c.req.body.length);
  return new Promise<ProxyAnswer>((resolve, reject) => {
    const r = send(
      url,
      {
        method,
        headers,
        agent: https ? httpsAgent : httpAgent,
        signal,
        ...(https && c.integration.tlsConfig?.ServerNameToVerify ? { servername: c.integration.tlsConfig.ServerNameToVerify } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (ch: Buffer) => chunks.push(ch));
        res.on("end", () => resolve({ statusCode: res.statusCode ?? 502, headers: answerHeaders(res.headers), body: Buffer.concat(chunks) }));
        res.on("error", () => reject(signal.aborted ? UNAVAILABLE() : INTERNAL()));
      },
    );
    r.on("error", (e) => {
      if (signal.aborted) return reject(UNAVAILABLE());
      c.rt.logger.debug(`execute-api: ${c.apiId}: HTTP_PROXY to ${url.origin} failed: ${e.message}`);
      // unverified wording: an unreachable HTTP backend answered as an integration failure
      reject(INTERNAL());
    });
    r.end(c.req.body.length ? c.req.body : undefined);
  });
}

function answerHeaders(h: IncomingHttpHeaders): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k)) continue;
    out.set(k, Array.isArray(v) ? v : [v]);
  }
  return out;
}
