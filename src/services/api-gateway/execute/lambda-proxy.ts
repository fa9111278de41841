// AWS_PROXY to Lambda for REST APIs: the request as the proxy integration's event (payload format 1.0) and the
// function's answer back as HTTP, as API Gateway maps them. Source: "Input format of a Lambda function for proxy
// integration" and "Output format of a Lambda function for proxy integration",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
import { GatewayError } from "./errors.js";
import { functionArnOf, invokeFunction, withStageVariables } from "./lambda.js";
import type { ExecutionLog } from "./logs.js";
import { isBinaryType, type CompiledApi } from "./router.js";
import type { ApiResponse, RestInvocation } from "./types.js";

/** The event: single-value maps hold each name's last value; the multi-value maps hold them all; null when none. */
export function proxyEvent(inv: RestInvocation, api: CompiledApi): Record<string, unknown> {
  const { req, context } = inv;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    headers[k] = v[v.length - 1]!;
    multiValueHeaders[k] = v;
  }
  let qs: Record<string, string> | null = null;
  let mqs: Record<string, string[]> | null = null;
  for (const [k, v] of Object.entries(req.query)) {
    (qs ??= {})[k] = v[v.length - 1]!;
    (mqs ??= {})[k] = v;
  }
  const hasParams = Object.keys(inv.pathParameters).length > 0;
  const hasVars = Object.keys(inv.stageVariables).length > 0;
  const contentType = headerOf(req.headers, "content-type");
  const binary = isBinaryType(api, contentType);
  return {
    resource: inv.resource.path,
    path: req.path,
    httpMethod: req.method,
    headers: Object.keys(headers).length ? headers : null,
    multiValueHeaders: Object.keys(multiValueHeaders).length ? multiValueHeaders : null,
    queryStringParameters: qs,
    multiValueQueryStringParameters: mqs,
    pathParameters: hasParams ? inv.pathParameters : null,
    stageVariables: hasVars ? inv.stageVariables : null,
    requestContext: context,
    body: req.body.length ? (binary ? req.body.toString("base64") : req.body.toString("utf8")) : null,
    isBase64Encoded: binary && req.body.length > 0,
  };
}

export function headerOf(headers: Record<string, string[]>, lower: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.length === lower.length && k.toLowerCase() === lower) return v[v.length - 1];
  return undefined;
}

/** A 502 Internal server error; `logDetail` is what the execution log says (its words on AWS). */
const malformed = (logDetail = "Malformed Lambda proxy response") =>
  Object.assign(new GatewayError("DEFAULT_5XX", 502, "Internal server error", {}, "InternalServerErrorException"), { logDetail });

const PROXY_MEMBERS = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"]);

/** The function's answer as HTTP; a payload that is not a proxy response is a 502. */
export function proxyResponse(payload: Buffer, api: CompiledApi, accept: string | undefined): ApiResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8"));
  } catch {
    throw malformed();
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw malformed();
  const r = parsed as Record<string, unknown>;
  // Any other member (a payload 2.0 answer's cookies, say) makes the answer malformed.
  for (const k of Object.keys(r)) if (!PROXY_MEMBERS.has(k)) throw malformed();
  const sc = r.statusCode;
  const statusCode = typeof sc === "number" ? sc : typeof sc === "string" && /^\d+$/.test(sc) ? Number(sc) : Number.NaN;
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) throw malformed();
  const out = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: unknown, single = false) => {
    if (value === null || value === undefined) return;
    if (typeof value === "object") throw malformed();
    const key = name.toLowerCase();
    const e = out.get(key);
    // headers and multiValueHeaders merge into one list; a pair given in both is sent once (AWS's rule).
    if (e && !(single && e.values.includes(String(value)))) e.values.push(String(value));
    else if (!e) out.set(key, { name, values: [String(value)] });
  };
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== "object" || Array.isArray(r.multiValueHeaders)) throw malformed();
    for (const [k, vs] of Object.entries(r.multiValueHeaders as Record<string, unknown>)) {
      if (!Array.isArray(vs)) throw malformed();
      for (const v of vs) add(k, v);
    }
  }
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== "object" || Array.isArray(r.headers)) throw malformed();
    for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) add(k, v, true);
  }
  let body: Buffer;
  if (r.body === undefined || r.body === null) body = Buffer.alloc(0);
  else if (typeof r.body !== "string") throw malformed();
  else if (r.isBase64Encoded === true && acceptsBinary(api, accept)) body = Buffer.from(r.body, "base64");
  else body = Buffer.from(r.body, "utf8");
  const headers: Record<string, string | string[]> = {};
  for (const { name, values } of out.values()) headers[name] = values.length === 1 ? values[0]! : values;
  if (!out.has("content-type")) headers["Content-Type"] = "application/json";
  return { statusCode, headers, body };
}

/**
 * A base64 body is decoded to binary only when the request's Accept header (its first type) is one of the API's
 * binaryMediaTypes; otherwise the client gets the base64 text, as on AWS.
 */
function acceptsBinary(api: CompiledApi, accept: string | undefined): boolean {
  const first = accept?.split(",")[0];
  return isBinaryType(api, first);
}

/** The method's execute-api ARN: what a resource-policy grant's SourceArn matches. */
export function methodArn(inv: RestInvocation): string {
  const path = inv.resource.path.replace(/^\//, "");
  // The request's own verb (an ANY method's grant names "*", which matches it), the resource's templated path.
  return `arn:aws:execute-api:${inv.owner.region}:${inv.owner.account}:${inv.apiId}/${inv.stage.stageName}/${inv.req.method}/${path}`;
}

/** Invokes the integration's function with the proxy event; its answer as HTTP. */
export async function lambdaProxy(inv: RestInvocation, api: CompiledApi, log?: ExecutionLog): Promise<ApiResponse> {
  const integration = inv.method.methodIntegration!;
  const fnArn = functionArnOf(withStageVariables(integration.uri ?? "", inv.stageVariables));
  if (!fnArn) throw new GatewayError("API_CONFIGURATION_ERROR", 500, "Internal server error", {}, "InternalServerErrorException");
  const event = proxyEvent(inv, api);
  const endpoint = `https://lambda.${fnArn.split(":")[3] ?? inv.owner.region}.amazonaws.com/2015-03-31/functions/${fnArn}/invocations`;
  log?.info(`Endpoint request URI: ${endpoint}`);
  log?.data(`Endpoint request body after transformations: ${JSON.stringify(event)}`);
  log?.info(`Sending request to ${endpoint}`);
  const answer = await invokeFunction(inv.rt, inv.owner, fnArn, event, methodArn(inv), {
    credentials: integration.credentials,
    requestId: inv.req.requestId,
    sourceIp: inv.req.sourceIp,
    userAgent: inv.req.userAgent,
  });
  log?.data(`Endpoint response body before transformations: ${answer.payload.toString("utf8")}`);
  if (answer.functionError) {
    let message = "";
    try {
      message = String((JSON.parse(answer.payload.toString("utf8")) as { errorMessage?: unknown }).errorMessage ?? "");
    } catch {
      // An error payload that is not JSON: no message.
    }
    throw malformed(`Lambda execution failed with status 200 due to customer function error: ${message}`);
  }
  return proxyResponse(answer.payload, api, headerOf(inv.req.headers, "accept"));
}
