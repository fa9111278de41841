// The non-proxy integrations' mappings, both ways: the integration request (requestParameters, requestTemplates
// chosen by Content-Type, passthrough behaviour, content handling) and the method response (the integration
// response selected by selectionPattern, its responseParameters and responseTemplates chosen by Accept).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
// https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
import type { Integration, IntegrationResponse } from "../../api.generated.js";
import { GatewayError, INTERNAL } from "../errors.js";
import type { ApiResponse, RestInvocation } from "../types.js";
import { jsonPath } from "./jsonpath.js";
import { BodyNotJson, isPlainTemplate, renderTemplate, type TemplateParams } from "./vtl.js";

/** What the integration is sent: named parameters and the body. */
export interface IntegrationRequest {
  headers: Record<string, string>;
  query: Record<string, string[]>;
  path: Record<string, string>;
  body: Buffer;
  /** The body's media type: the template's key, or the method request's Content-Type passed through. */
  contentType?: string;
  /** $context.requestOverride, as the request template set it. */
  override: { header: Record<string, string>; querystring: Record<string, string>; path: Record<string, string> };
}

/** What the integration answered, for the response mapping. */
export interface IntegrationAnswer {
  /** What the integration responses' selectionPattern is matched against: the status code, or a Lambda's errorMessage. */
  selector?: string;
  headers: Record<string, string[]>;
  body: Buffer;
}

const UNSUPPORTED_MEDIA_TYPE = () => new GatewayError("UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type", {}, "UnsupportedMediaTypeException");

/** A header's values by name, case-insensitively. */
export function headerValues(headers: Record<string, string[]>, name: string): string[] | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const last = (v: string[] | undefined) => v?.[v.length - 1];

/** The method request's parameters as templates see them ($input.params()): one value each (the last). */
export function methodParams(inv: RestInvocation): TemplateParams {
  const querystring: Record<string, string> = {};
  for (const [k, v] of Object.entries(inv.req.query)) querystring[k] = last(v) ?? "";
  const header: Record<string, string> = {};
  for (const [k, v] of Object.entries(inv.req.headers)) header[k] = v.join(",");
  return { path: { ...inv.pathParameters }, querystring, header };
}

/** The media type of a Content-Type or Accept entry: lower case, without parameters. */
export const mediaType = (v: string | undefined) => v?.split(";")[0]?.trim().toLowerCase() || undefined;

function readContext(context: Record<string, unknown>, path: string): unknown {
  let v: unknown = context;
  for (const part of path.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

const text = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);

/** A body JSONPath value as a parameter: strings as they are, other values as JSON. */
function bodyValue(body: Buffer, path: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  return text(jsonPath(doc, path));
}

/**
 * One mapping expression's value: 'literal', stageVariables.x, context.x.y, or a method request
 * (method.request.*) / integration response (integration.response.*) source. undefined when it has none.
 */
export function mappingValue(expr: string, inv: RestInvocation, answer?: IntegrationAnswer): string | string[] | undefined {
  const e = expr.trim();
  if (e.length >= 2 && e.startsWith("'") && e.endsWith("'")) return e.slice(1, -1);
  if (e.startsWith("stageVariables.")) return inv.stageVariables[e.slice(15)];
  if (e.startsWith("context.")) return text(readContext(inv.context, e.slice(8)));
  const m = /^(method\.request|integration\.response)\.(path|querystring|multivaluequerystring|header|multivalueheader|body)(?:\.(.+))?$/.exec(e);
  if (!m) return undefined;
  const [, from, where, name] = m as unknown as [string, string, string, string | undefined];
  if (from === "method.request") {
    if (where === "body") return name ? bodyValue(inv.req.body, name) : inv.req.body.toString("utf8");
    if (!name) return undefined;
    if (where === "path") return inv.pathParameters[name];
    if (where === "querystring") return last(inv.req.query[name]);
    if (where === "multivaluequerystring") return inv.req.query[name];
    if (where === "header") return headerValues(inv.req.headers, name)?.join(",");
    if (where === "multivalueheader") return headerValues(inv.req.headers, name);
    return undefined;
  }
  if (!answer) return undefined;
  if (where === "body") return name ? bodyValue(answer.body, name) : answer.body.toString("utf8");
  if (!name) return undefined;
  if (where === "header") return headerValues(answer.headers, name)?.join(",");
  if (where === "multivalueheader") return headerValues(answer.headers, name);
  return undefined;
}

/** Whether a media type is one of the API's binary media types (exact, type/*, or *\/*). */
export function isBinaryType(inv: RestInvocation, type: string | undefined): boolean {
  const list = inv.snapshot.api.binaryMediaTypes;
  if (!type || !list?.length) return false;
  const [major] = type.split("/");
  return list.some((b) => {
    const t = b.replace(/~1/g, "/").toLowerCase();
    return t === type || t === "*/*" || t === `${major}/*`;
  });
}

/** The template context: $context with the overrides a template may set. */
export function templateContext(inv: RestInvocation, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...inv.context,
    ...extra,
    requestOverride: { header: {}, querystring: {}, path: {} },
    responseOverride: { header: {} },
  };
}

function render(template: string, body: string, inv: RestInvocation, context: Record<string, unknown>, requestSide: boolean): string {
  try {
    return renderTemplate(template, { body, params: methodParams(inv), context, stageVariables: inv.stageVariables });
  } catch (e) {
    if (e instanceof BodyNotJson) {
      // unverified wording (AWS's execution log: "Could not parse request body into json")
      if (requestSide) throw new GatewayError("BAD_REQUEST_BODY", 400, `Could not parse request body into json: ${e.message}`, {}, "BadRequestException");
      throw INTERNAL();
    }
    if (e instanceof GatewayError) throw e;
    inv.rt.logger.debug(`execute-api: mapping template failed: ${(e as Error).message}`);
    throw INTERNAL();
  }
}

/** The integration request: requestParameters mapped, the body through its template or passed through. */
export function integrationRequest(inv: RestInvocation, integration: Integration): IntegrationRequest {
  const out: IntegrationRequest = { headers: {}, query: {}, path: {}, body: inv.req.body, override: { header: {}, querystring: {}, path: {} } };
  for (const [target, source] of Object.entries(integration.requestParameters ?? {})) {
    const m = /^integration\.request\.(header|querystring|path)\.(.+)$/.exec(target);
    if (!m) continue;
    const v = mappingValue(source, inv);
    if (v === undefined) continue;
    if (m[1] === "header") out.headers[m[2]!] = Array.isArray(v) ? v.join(",") : v;
    else if (m[1] === "querystring") out.query[m[2]!] = Array.isArray(v) ? v : [v];
    else out.path[m[2]!] = Array.isArray(v) ? v.join(",") : v;
  }

  const requestType = mediaType(last(headerValues(inv.req.headers, "content-type")));
  const type = requestType ?? "application/json"; // AWS takes a request without Content-Type as application/json
  const templates = integration.requestTemplates ?? {};
  const key = Object.keys(templates).find((k) => k.toLowerCase() === type);
  const binary = isBinaryType(inv, requestType);
  let body = inv.req.body;
  if (binary && integration.contentHandling === "CONVERT_TO_TEXT") body = Buffer.from(body.toString("base64"));

  if (key !== undefined && (!binary || integration.contentHandling === "CONVERT_TO_TEXT")) {
    const template = templates[key]!;
    out.contentType = key;
    // Plain text (a MOCK's `{"statusCode": 200}`) is its own output and overrides nothing: no variables to build.
    if (isPlainTemplate(template)) out.body = Buffer.from(template, "utf8");
    else {
      const context = templateContext(inv);
      out.body = Buffer.from(render(template, body.toString("utf8"), inv, context, true), "utf8");
      const o = context.requestOverride as IntegrationRequest["override"];
      out.override = o;
      for (const [k, v] of Object.entries(o.header)) out.headers[k] = String(v);
      for (const [k, v] of Object.entries(o.querystring)) out.query[k] = [String(v)];
      for (const [k, v] of Object.entries(o.path)) out.path[k] = String(v);
    }
  } else {
    const behaviour = integration.passthroughBehavior ?? "WHEN_NO_MATCH";
    if (behaviour === "NEVER" || (behaviour === "WHEN_NO_TEMPLATES" && Object.keys(templates).length > 0)) throw UNSUPPORTED_MEDIA_TYPE();
    out.body = body;
    out.contentType = requestType;
  }
  if (integration.contentHandling === "CONVERT_TO_BINARY" && !binary) out.body = Buffer.from(out.body.toString("utf8"), "base64");
  return out;
}

const patterns = new Map<string, RegExp | null>();
/** A selection pattern as a whole-string regex (compiled once); null when it is no regex JavaScript reads. */
function patternOf(pattern: string): RegExp | null {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
    if (patterns.size > 1000) patterns.clear();
    patterns.set(pattern, re);
  }
  return re;
}

/**
 * The integration response for what the integration answered: the first whose selectionPattern (a Java regex,
 * matched against the whole selector) matches, else the default one (no pattern). None: 500, as AWS answers
 * ("No match for output mapping and no default output mapping configured").
 */
export function selectIntegrationResponse(integration: Integration, selector: string | undefined): IntegrationResponse {
  const responses = Object.values(integration.integrationResponses ?? {});
  if (selector !== undefined) {
    for (const r of responses) {
      if (r.selectionPattern && patternOf(r.selectionPattern)?.test(selector)) return r;
    }
  }
  const fallback = responses.find((r) => !r.selectionPattern);
  if (!fallback) throw INTERNAL();
  return fallback;
}

/** The response template for the request's Accept: its media type, else application/json, else the first. */
function responseTemplate(inv: RestInvocation, templates: Record<string, string>): [string, string] | undefined {
  const keys = Object.keys(templates);
  if (!keys.length) return undefined;
  const accept = (headerValues(inv.req.headers, "accept") ?? []).join(",").split(",").map(mediaType).filter(Boolean) as string[];
  const found =
    accept.map((a) => keys.find((k) => k.toLowerCase() === a)).find((k) => k !== undefined) ??
    keys.find((k) => k.toLowerCase() === "application/json") ??
    keys[0]!;
  return [found, templates[found]!];
}

/** The method response: the selected integration response's status, parameters and template applied. */
export function methodResponse(
  inv: RestInvocation,
  integration: Integration,
  answer: IntegrationAnswer,
  extraContext: Record<string, unknown> = {},
): ApiResponse {
  const chosen = selectIntegrationResponse(integration, answer.selector);
  // The integration response must map onto one of the method's responses; else API Gateway fails the call (500;
  // its execution log: "Output mapping refers to an invalid method response", knowledge-center/api-gateway-internal-server-error).
  if (!inv.method.methodResponses?.[chosen.statusCode ?? "200"]) throw INTERNAL();
  const headers: Record<string, string | string[]> = {};
  let statusCode = Number(chosen.statusCode ?? 200);
  let body = answer.body;
  let contentType = "application/json";
  const template = responseTemplate(inv, chosen.responseTemplates ?? {});
  let override: { status?: unknown; header: Record<string, unknown> } | undefined;
  if (template && isPlainTemplate(template[1]) && template[1].trim() !== "") {
    body = Buffer.from(template[1], "utf8");
    contentType = template[0];
  } else if (template && template[1].trim() !== "") {
    const context = templateContext(inv, extraContext);
    body = Buffer.from(render(template[1], answer.body.toString("utf8"), inv, context, false), "utf8");
    contentType = template[0];
    override = context.responseOverride as { status?: unknown; header: Record<string, unknown> };
  } else if (template) contentType = template[0];
  if (chosen.contentHandling === "CONVERT_TO_TEXT") body = Buffer.from(body.toString("base64"));
  else if (chosen.contentHandling === "CONVERT_TO_BINARY") body = Buffer.from(body.toString("utf8"), "base64");

  for (const [target, source] of Object.entries(chosen.responseParameters ?? {})) {
    const m = /^method\.response\.header\.(.+)$/.exec(target);
    if (!m) continue;
    const v = mappingValue(source, inv, answer);
    if (v !== undefined) headers[m[1]!] = v;
  }
  // $context.responseOverride comes last: it wins over the integration response's status and parameters.
  if (override) {
    if (override.status !== undefined && Number.isInteger(Number(override.status))) statusCode = Number(override.status);
    for (const [k, v] of Object.entries(override.header)) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === k.toLowerCase()) delete headers[name];
      headers[k] = String(v);
    }
  }
  if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["Content-Type"] = contentType;
  return { statusCode, headers, body };
}
