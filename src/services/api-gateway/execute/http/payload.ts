// The Lambda proxy payloads of HTTP APIs, as AWS documents them ("Create AWS Lambda proxy integrations for HTTP
// APIs", https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):
// format 2.0 (the default: cookies apart, repeated headers and query parameters joined with commas, a response
// inferred from a plain return value) and format 1.0 (the REST proxy event's shape, with version "1.0").
import { commonLogTime } from "../../../../core/clock.js";
import { randomHex } from "../../../../core/ids.js";
import type { ApiRequest } from "../types.js";

/** What the request looks like once its stage and route are known. */
export interface HttpCall {
  req: ApiRequest;
  accountId: string;
  apiId: string;
  stage: string;
  routeKey: string;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  /** The requestContext.authorizer: { lambda: context } | { jwt: {claims, scopes} } | { iam: … }. */
  authorizer?: Record<string, unknown>;
  /** The request id HTTP APIs give (also the apigw-requestid header). */
  requestId: string;
  /** Headers as the integration sees them (lower-case names, repeated ones joined), forwarding headers added. */
  headers: Record<string, string>;
}

/** Lower-case names, repeated headers joined with commas; the forwarding headers API Gateway adds. */
export function integrationHeaders(req: ApiRequest, localPort: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headers)) {
    const k = name.toLowerCase();
    const v = values.join(",");
    out[k] = out[k] === undefined ? v : `${out[k]},${v}`;
  }
  out["x-forwarded-for"] = out["x-forwarded-for"] ? `${out["x-forwarded-for"]}, ${req.sourceIp}` : req.sourceIp;
  out["x-forwarded-proto"] ??= "http";
  out["x-forwarded-port"] ??= localPort;
  out["x-amzn-trace-id"] ??= `Root=1-${Math.floor(req.requestTimeEpoch / 1000)
    .toString(16)
    .padStart(8, "0")}-${randomHex(12)}`;
  return out;
}

/** Text bodies are passed as they are; anything else (or no content type) is base64-encoded. */
function isTextType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const t = contentType.split(";")[0]!.trim().toLowerCase();
  return t.startsWith("text/") || /[/+](json|xml|javascript|ecmascript|x-www-form-urlencoded)$/.test(t);
}

function bodyOf(req: ApiRequest, headers: Record<string, string>): { body?: string; isBase64Encoded: boolean } {
  if (!req.body.length) return { isBase64Encoded: false };
  const text = isTextType(headers["content-type"]);
  return { body: text ? req.body.toString("utf8") : req.body.toString("base64"), isBase64Encoded: !text };
}

/** The path the client asked for, query excluded: the stage's segment included, as rawPath carries it. */
const rawPathOf = (req: ApiRequest) => req.path;

export function eventV2(c: HttpCall): unknown {
  const { req } = c;
  const headers = { ...c.headers };
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const cookies = cookieHeader
    ?.split(/[;,]\s*/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const qsp: Record<string, string> = {};
  for (const [k, vs] of Object.entries(req.query)) qsp[k] = vs.join(",");
  return {
    version: "2.0",
    routeKey: c.routeKey,
    rawPath: rawPathOf(req),
    rawQueryString: req.rawQuery,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(qsp).length ? { queryStringParameters: qsp } : {}),
    requestContext: {
      accountId: c.accountId,
      apiId: c.apiId,
      ...(c.authorizer ? { authorizer: c.authorizer } : {}),
      domainName: req.domainName,
      domainPrefix: req.domainPrefix,
      http: { method: req.method, path: rawPathOf(req), protocol: req.protocol, sourceIp: req.sourceIp, userAgent: req.userAgent },
      requestId: c.requestId,
      routeKey: c.routeKey,
      stage: c.stage,
      time: commonLogTime(req.requestTimeEpoch),
      timeEpoch: req.requestTimeEpoch,
    },
    ...(Object.keys(c.pathParameters).length ? { pathParameters: c.pathParameters } : {}),
    ...(Object.keys(c.stageVariables).length ? { stageVariables: c.stageVariables } : {}),
    ...bodyOf(req, c.headers),
  };
}

/** Format 1.0: REST's proxy event (single- and multi-value headers and query parameters), version "1.0". */
export function eventV1(c: HttpCall): unknown {
  const { req } = c;
  const multiValueHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headers)) {
    (multiValueHeaders[name] ??= []).push(...values);
    headers[name] = values[values.length - 1]!;
  }
  for (const k of ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-port", "x-amzn-trace-id"]) {
    if (!Object.keys(headers).some((h) => h.toLowerCase() === k)) {
      const name = k.replace(/(^|-)([a-z])/g, (_, d: string, ch: string) => d + ch.toUpperCase());
      headers[name] = c.headers[k]!;
      multiValueHeaders[name] = [c.headers[k]!];
    }
  }
  const hasQuery = Object.keys(req.query).length > 0;
  const qsp: Record<string, string> = {};
  for (const [k, vs] of Object.entries(req.query)) qsp[k] = vs[vs.length - 1]!;
  const space = c.routeKey.indexOf(" ");
  const resource = space < 0 ? c.routeKey : c.routeKey.slice(space + 1);
  const identity = {
    accessKey: null,
    accountId: null,
    caller: null,
    cognitoAmr: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: req.sourceIp,
    user: null,
    userAgent: req.userAgent,
    userArn: null,
  };
  return {
    version: "1.0",
    resource,
    path: rawPathOf(req),
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? qsp : null,
    multiValueQueryStringParameters: hasQuery ? req.query : null,
    requestContext: {
      accountId: c.accountId,
      apiId: c.apiId,
      authorizer: c.authorizer ? flattenAuthorizerV1(c.authorizer) : { claims: null, scopes: null },
      domainName: req.domainName,
      domainPrefix: req.domainPrefix,
      extendedRequestId: c.requestId,
      httpMethod: req.method,
      identity,
      path: rawPathOf(req),
      protocol: req.protocol,
      requestId: c.requestId,
      requestTime: commonLogTime(req.requestTimeEpoch),
      requestTimeEpoch: req.requestTimeEpoch,
      resourceId: c.routeKey,
      resourcePath: resource,
      routeKey: c.routeKey,
      stage: c.stage,
    },
    pathParameters: Object.keys(c.pathParameters).length ? c.pathParameters : null,
    stageVariables: Object.keys(c.stageVariables).length ? c.stageVariables : null,
    body: null,
    ...bodyOf(req, c.headers),
  };
}

/** In format 1.0 a Lambda authorizer's context is the authorizer object itself (with principalId when given). */
function flattenAuthorizerV1(a: Record<string, unknown>): Record<string, unknown> {
  if (a.lambda && typeof a.lambda === "object") return { ...(a.lambda as Record<string, unknown>), ...(a.principalId ? { principalId: a.principalId } : {}) };
  if (a.jwt && typeof a.jwt === "object") return { ...(a.jwt as Record<string, unknown>) };
  return a;
}

export interface ProxyAnswer {
  statusCode: number;
  headers: Map<string, string[]>;
  body: Buffer;
}

/** A malformed answer: HTTP APIs answer 500 {"message":"Internal Server Error"} (their execution log says so). */
export class MalformedResponse extends Error {}

const statusOf = (v: unknown): number => {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 100 || n > 599) throw new MalformedResponse(`invalid statusCode ${JSON.stringify(v)}`);
  return n;
};

function bodyBytes(body: unknown, base64: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === "string") return base64 === true ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
  return Buffer.from(JSON.stringify(body), "utf8");
}

function singleHeaders(out: Map<string, string[]>, h: unknown): void {
  if (h === undefined || h === null) return;
  if (typeof h !== "object" || Array.isArray(h)) throw new MalformedResponse("headers must be an object");
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (typeof v === "object") throw new MalformedResponse(`header ${k} is not a string`);
    out.set(k.toLowerCase(), [String(v)]);
  }
}

/**
 * Format 2.0's response: an object with statusCode is read as such (headers, cookies, body, isBase64Encoded);
 * any other valid JSON is a 200 application/json whose body is that JSON (a JSON string is the body's text).
 */
export function responseV2(payload: Buffer): ProxyAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8"));
  } catch {
    throw new MalformedResponse("the function's answer is not JSON");
  }
  const headers = new Map<string, string[]>();
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) && "statusCode" in parsed) {
    const r = parsed as Record<string, unknown>;
    const statusCode = statusOf(r.statusCode);
    singleHeaders(headers, r.headers);
    if (r.cookies !== undefined && r.cookies !== null) {
      if (!Array.isArray(r.cookies)) throw new MalformedResponse("cookies must be an array");
      if (r.cookies.length) headers.set("set-cookie", r.cookies.map(String));
    }
    const body = bodyBytes(r.body, r.isBase64Encoded);
    if (!headers.has("content-type")) headers.set("content-type", ["application/json"]);
    return { statusCode, headers, body };
  }
  headers.set("content-type", ["application/json"]);
  return { statusCode: 200, headers, body: typeof parsed === "string" ? Buffer.from(parsed, "utf8") : payload };
}

/** Format 1.0's response: statusCode required; headers and multiValueHeaders merged; body; isBase64Encoded. */
export function responseV1(payload: Buffer): ProxyAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8"));
  } catch {
    throw new MalformedResponse("the function's answer is not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new MalformedResponse("the answer is not an object");
  const r = parsed as Record<string, unknown>;
  const statusCode = statusOf(r.statusCode);
  const headers = new Map<string, string[]>();
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== "object" || Array.isArray(r.multiValueHeaders)) throw new MalformedResponse("multiValueHeaders must be an object");
    for (const [k, v] of Object.entries(r.multiValueHeaders as Record<string, unknown>)) {
      if (!Array.isArray(v)) throw new MalformedResponse(`multiValueHeaders.${k} must be an array`);
      headers.set(k.toLowerCase(), v.map(String));
    }
  }
  const single = new Map<string, string[]>();
  singleHeaders(single, r.headers);
  for (const [k, v] of single) if (!headers.has(k)) headers.set(k, v);
  const body = bodyBytes(r.body, r.isBase64Encoded);
  if (!headers.has("content-type")) headers.set("content-type", ["application/json"]);
  return { statusCode, headers, body };
}
