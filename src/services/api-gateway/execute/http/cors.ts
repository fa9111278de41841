// An HTTP API's CorsConfiguration, as API Gateway applies it ("Configure CORS for HTTP APIs",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html): it answers preflight OPTIONS
// requests itself (no route or integration runs), and on actual responses it sets the configured CORS headers,
// ignoring any CORS headers the integration sent.
import type { Cors } from "../../../apigatewayv2/api.generated.js";
import type { ApiRequest } from "../types.js";

export function header(req: ApiRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === name) return v.join(",");
  return undefined;
}

export function isPreflight(req: ApiRequest): boolean {
  return req.method === "OPTIONS" && header(req, "origin") !== undefined && header(req, "access-control-request-method") !== undefined;
}

function allowedOrigin(cors: Cors, origin: string): string | undefined {
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes("*")) return "*";
  const o = origin.toLowerCase();
  for (const allowed of origins) {
    if (allowed.toLowerCase() === o) return origin;
    // A wildcard subdomain entry, e.g. https://*.example.com.
    const star = allowed.indexOf("*");
    if (star >= 0 && o.startsWith(allowed.slice(0, star).toLowerCase()) && o.endsWith(allowed.slice(star + 1).toLowerCase())) return origin;
  }
  return undefined;
}

const joined = (v: string[] | undefined) => (v?.length ? v.join(",") : undefined);

/** The headers of a preflight's answer (204, no body); empty of CORS headers when the origin or method is not allowed. */
export function preflightHeaders(cors: Cors, req: ApiRequest): Record<string, string> {
  const origin = header(req, "origin")!;
  const method = header(req, "access-control-request-method")!.toUpperCase();
  const out: Record<string, string> = {};
  const allowOrigin = allowedOrigin(cors, origin);
  const methods = cors.AllowMethods ?? [];
  const methodOk = methods.some((m) => m === "*" || m.toUpperCase() === method);
  if (!allowOrigin || !methodOk) return out;
  out["access-control-allow-origin"] = allowOrigin;
  out["access-control-allow-methods"] = methods.includes("*") ? method : methods.join(",");
  const requested = header(req, "access-control-request-headers");
  const headers = cors.AllowHeaders ?? [];
  if (headers.includes("*")) {
    if (requested) out["access-control-allow-headers"] = requested;
  } else if (headers.length) out["access-control-allow-headers"] = headers.map((h) => h.toLowerCase()).join(",");
  const expose = joined(cors.ExposeHeaders);
  if (expose) out["access-control-expose-headers"] = expose;
  if (cors.AllowCredentials) out["access-control-allow-credentials"] = "true";
  if (cors.MaxAge !== undefined && cors.MaxAge !== null) out["access-control-max-age"] = String(cors.MaxAge);
  return out;
}

/** The configured CORS headers on an actual response, replacing the integration's own. */
export function applyCors(headers: Map<string, string[]>, cors: Cors, req: ApiRequest): void {
  for (const k of [...headers.keys()]) if (k.startsWith("access-control-")) headers.delete(k);
  const origin = header(req, "origin");
  if (!origin) return;
  const allowOrigin = allowedOrigin(cors, origin);
  if (!allowOrigin) return;
  headers.set("access-control-allow-origin", [allowOrigin]);
  const expose = joined(cors.ExposeHeaders);
  if (expose) headers.set("access-control-expose-headers", [expose]);
  if (cors.AllowCredentials) headers.set("access-control-allow-credentials", ["true"]);
  if (allowOrigin !== "*") {
    const vary = headers.get("vary");
    headers.set("vary", [vary ? `${vary.join(",")},origin` : "origin"]);
  }
}
