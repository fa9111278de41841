// A refusal (GatewayError) rendered through the deployment's gateway responses, as API Gateway does: the type's
// own response if PutGatewayResponse set one, else its DEFAULT_4XX / DEFAULT_5XX family's, else the built-in default
// ({"message": …} as application/json) — resolved as the control plane answers GetGatewayResponse
// (../gateway-response-defaults.ts). A set status code wins; responseParameters `gatewayresponse.header.<name>` take 'literals' or method.request.*,
// stageVariables.* and context.* references; responseTemplates are Velocity with $context (error.message,
// error.messageString, error.responseType, error.validationErrorString, …) and $stageVariables.
import velocity from "velocityjs";
import type { GatewayResponseType } from "../api.generated.js";
import { DEFAULT_GATEWAY_TEMPLATE, familyOf, resolveGatewayResponse } from "../gateway-response-defaults.js";
import type { GatewayResponseRec } from "../state.js";
import type { GatewayError } from "./errors.js";
import type { ApiRequest, ApiResponse, RequestContext } from "./types.js";

export interface ErrorScope {
  /** The deployment's gateway responses (none known before the stage is found). */
  gatewayResponses?: GatewayResponseRec[];
  req: ApiRequest;
  /** As far as the pipeline got (the stage, resource and authorizer output once known). */
  context?: Partial<RequestContext>;
  stageVariables?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

export function renderGatewayError(err: GatewayError, scope: ErrorScope): ApiResponse {
  const all = scope.gatewayResponses ?? [];
  const set = (t: GatewayResponseType) => (all.length ? all.find((g) => g.responseType === t) : undefined);
  const family = familyOf(err.responseType);
  const customized = set(err.responseType) !== undefined || (family !== undefined && set(family) !== undefined);
  const chosen = customized ? resolveGatewayResponse(err.responseType, set) : undefined;
  // Untouched defaults answer the refusal's own status (a DEFAULT_5XX refusal may be a 500 or a 502).
  const statusText = chosen?.statusCode;
  const statusCode = statusText && /^[1-5]\d\d$/.test(statusText) ? Number(statusText) : err.statusCode;

  const errorVars = {
    message: err.message,
    messageString: JSON.stringify(err.message),
    responseType: err.responseType,
    validationErrorString: JSON.stringify(err.message),
  };
  const headers: Record<string, string | string[]> = {};
  const templates = chosen?.responseTemplates && Object.keys(chosen.responseTemplates).length ? chosen.responseTemplates : undefined;
  const contentType = templates ? pickTemplate(templates, header(scope.req, "accept")) : "application/json";
  const template = templates ? templates[contentType]! : DEFAULT_GATEWAY_TEMPLATE;
  let body: string;
  if (template === DEFAULT_GATEWAY_TEMPLATE) body = `{"message":${errorVars.messageString}}`;
  else {
    try {
      body = velocity.render(template, {
        context: { ...scope.context, error: errorVars },
        stageVariables: scope.stageVariables ?? {},
      });
    } catch {
      body = `{"message":${errorVars.messageString}}`;
    }
  }
  headers["content-type"] = contentType;
  for (const [name, expr] of Object.entries(chosen?.responseParameters ?? {})) {
    const m = /^gatewayresponse\.header\.(.+)$/.exec(name);
    if (!m) continue;
    const value = parameterValue(expr, scope, errorVars);
    if (value !== undefined) headers[m[1]!] = value;
  }
  for (const [k, v] of Object.entries(err.headers)) headers[k] = v;
  if (err.errorType) headers["x-amzn-ErrorType"] = err.errorType;
  return { statusCode, headers, body: Buffer.from(body, "utf8") };
}

/** The template for the request's Accept type, else application/json, else the first one. */
function pickTemplate(templates: Record<string, string>, accept: string | undefined): string {
  const first = accept?.split(",")[0]?.split(";")[0]?.trim().toLowerCase();
  if (first && templates[first] !== undefined) return first;
  if (templates["application/json"] !== undefined) return "application/json";
  return Object.keys(templates)[0]!;
}

function header(req: ApiRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === name) return v[v.length - 1];
  return undefined;
}

/** A response parameter's value: 'literal', method.request.{header,querystring,path}.X, stageVariables.X, context.a.b. */
function parameterValue(expr: string, scope: ErrorScope, error: Record<string, string>): string | undefined {
  const lit = /^'(.*)'$/s.exec(expr);
  if (lit) return lit[1];
  let m = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(expr);
  if (m) {
    const name = m[2]!;
    if (m[1] === "header") return header(scope.req, name.toLowerCase());
    if (m[1] === "querystring") return scope.req.query[name]?.at(-1);
    return scope.pathParameters?.[name];
  }
  m = /^stageVariables\.(.+)$/.exec(expr);
  if (m) return scope.stageVariables?.[m[1]!];
  m = /^context\.(.+)$/.exec(expr);
  if (m) {
    let v: unknown = { ...scope.context, error };
    for (const part of m[1]!.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
    return v === undefined || v === null ? undefined : String(v);
  }
  return undefined;
}
