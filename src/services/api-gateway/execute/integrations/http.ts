// HTTP and HTTP_PROXY integrations: a request to any URL. HTTP_PROXY forwards the method request whole (method,
// headers, query string, body) and answers the backend's response as it is; HTTP sends only what the integration
// request maps (requestParameters, the template's body) and its response goes through the integration responses.
// The URI's {name} segments take integration.request.path.<name> (e.g. {proxy} ← method.request.path.proxy).
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Integration } from "../../api.generated.js";
import { GatewayError, INTERNAL, TIMEOUT } from "../errors.js";
import { withStageVariables } from "../lambda.js";
import type { ApiResponse, RestInvocation } from "../types.js";
import { integrationRequest, methodResponse, type IntegrationRequest } from "./mapping.js";

export interface BackendAnswer {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
}

// Not forwarded either way: hop-by-hop headers, and what the gateway sets itself.
const HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host", "content-length", "expect"]);

const encodePath = (v: string) => v.split("/").map(encodeURIComponent).join("/");

/** The integration URI with stage variables and {name} / {name+} path parameters put in. */
export function integrationUrl(inv: RestInvocation, integration: Integration, path: Record<string, string>): URL {
  const uri = withStageVariables(integration.uri ?? "", inv.stageVariables).replace(/\{([^}+]+)\+?\}/g, (_, name: string) =>
    encodePath(path[name] ?? inv.pathParameters[name] ?? ""),
  );
  try {
    return new URL(uri);
  } catch {
    inv.rt.logger.debug(`execute-api: invalid endpoint address ${uri}`);
    throw INTERNAL();
  }
}

/** Sends one request; the signal (the integration timeout) aborts it with 504. */
export function send(
  url: URL,
  method: string,
  headers: Record<string, string | string[]>,
  body: Buffer,
  signal: AbortSignal,
  inv: RestInvocation,
): Promise<BackendAnswer> {
  const requester = url.protocol === "https:" ? httpsRequest : httpRequest;
  // tlsConfig.insecureSkipVerification: an HTTPS backend's certificate is not checked.
  const insecure = inv.method.methodIntegration?.tlsConfig?.insecureSkipVerification === true;
  return new Promise((resolve, reject) => {
    const opts = { method, headers: { ...headers, "content-length": String(body.length) }, signal, ...(insecure ? { rejectUnauthorized: false } : {}) };
    const req = requester(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: rawHeaders(res.rawHeaders), body: Buffer.concat(chunks) }));
      res.on("error", () => reject(signal.aborted ? TIMEOUT() : INTERNAL()));
    });
    req.on("error", (e) => {
      if (signal.aborted) reject(TIMEOUT());
      else {
        inv.rt.logger.debug(`execute-api: HTTP integration ${url.href} failed: ${e.message}`);
        reject(INTERNAL());
      }
    });
    req.end(body);
  });
}

function rawHeaders(raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) (out[raw[i]!] ??= []).push(raw[i + 1]!);
  return out;
}

function queryString(query: Record<string, string[]>, existing: string): string {
  const parts = existing ? [existing] : [];
  for (const [k, vs] of Object.entries(query)) for (const v of vs) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return parts.join("&");
}

function withQuery(url: URL, query: Record<string, string[]>): URL {
  const q = queryString(query, url.search.slice(1));
  url.search = q ? `?${q}` : "";
  return url;
}

/** HTTP_PROXY: the method request forwarded (with requestParameters' additions), the backend's answer as it is. */
export async function httpProxy(inv: RestInvocation, integration: Integration, signal: AbortSignal): Promise<ApiResponse> {
  const mapped = mappedParameters(inv, integration);
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(inv.req.headers)) if (!HOP.has(k.toLowerCase())) headers[k] = v;
  for (const [k, v] of Object.entries(mapped.headers)) {
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
    headers[k] = [v];
  }
  const query: Record<string, string[]> = { ...inv.req.query, ...mapped.query };
  const url = withQuery(integrationUrl(inv, integration, mapped.path), query);
  const method = !integration.httpMethod || integration.httpMethod === "ANY" ? inv.req.method : integration.httpMethod;
  const answer = await send(url, method, headers, inv.req.body, signal, inv);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(answer.headers)) if (!HOP.has(k.toLowerCase())) out[k] = v.length === 1 ? v[0]! : v;
  return { statusCode: answer.status, headers: out, body: answer.body };
}

/** The requestParameters alone (HTTP_PROXY applies no template and no passthrough rules). */
function mappedParameters(inv: RestInvocation, integration: Integration): Pick<IntegrationRequest, "headers" | "query" | "path"> {
  try {
    return integrationRequest(inv, { ...integration, requestTemplates: undefined, passthroughBehavior: "WHEN_NO_MATCH", contentHandling: undefined });
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw INTERNAL();
  }
}

/** HTTP (non-proxy): the integration request as mapped; the answer through the integration responses by status code. */
export async function httpIntegration(inv: RestInvocation, integration: Integration, signal: AbortSignal): Promise<ApiResponse> {
  const ireq = integrationRequest(inv, integration);
  const headers: Record<string, string> = { ...ireq.headers };
  if (ireq.contentType && !Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["Content-Type"] = ireq.contentType;
  const url = withQuery(integrationUrl(inv, integration, ireq.path), ireq.query);
  const method = !integration.httpMethod || integration.httpMethod === "ANY" ? inv.req.method : integration.httpMethod;
  const answer = await send(url, method, headers, ireq.body, signal, inv);
  return methodResponse(inv, integration, { selector: String(answer.status), headers: answer.headers, body: answer.body });
}
