// Lambda's plain-HTTP side: function URLs (http://<url-id>.lambda-url.<region>.localhost:<port>/…, the Host
// <url-id>.lambda-url.<region>.on.aws, or /_stratus/lambda/url/<url-id>/… for clients that cannot resolve
// *.localhost) and the code download behind GetFunction's Code.Location (/_stratus/lambda/code/<blob-id>).
// A URL request becomes an API Gateway payload format 2.0 event, runs synchronously, and the function's answer
// becomes the HTTP response the way Lambda maps it (statusCode/headers/cookies/body, or any JSON as a 200).
import { commonLogTime } from "../../core/clock.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { signedCaller } from "../../core/auth/endpoint-sigv4.js";
import { isServiceError } from "../../core/errors.js";
import type { Principal } from "../../core/identity.js";
import { rootPrincipal } from "../../core/identity.js";
import type { HttpRequest } from "../../protocols/types.js";
import type { ServiceHost } from "../../core/service.js";
import { STORE } from "../../core/state.js";
import type { Cors } from "./api.generated.js";
import type { UrlConfigRec } from "./state.js";
import { checkRunnable, runNow } from "./invoke.js";
import { allowsPublic } from "./permissions.js";
import { lambdaState, resolveFunction } from "./state.js";
import { urlIndex, type UrlIndexRec } from "./url-index.js";

const URL_HOST = /^([a-z0-9]{32})\.lambda-url\.([a-z0-9-]+)\.(?:localhost|on\.aws)(?::\d+)?$/i;
const URL_PATH = /^\/_stratus\/lambda\/url\/([a-z0-9]{32})(\/.*)?$/i;
const CODE_PATH = /^\/_stratus\/lambda\/code\/([^/]*)$/;
const BLOB_ID = /^[0-9a-f-]{36}$/;

export default async function lambdaRoute(rt: ServiceHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? "" : url.slice(q + 1);
  const host = req.headers.host ?? "";
  const byHost = URL_HOST.exec(host);
  if (byHost)
    return serveUrl(rt, req, res, {
      urlId: byHost[1]!.toLowerCase(),
      region: byHost[2]!.toLowerCase(),
      domainName: host.replace(/:\d+$/, ""),
      rawPath: path || "/",
      query,
    });
  const byPath = URL_PATH.exec(path);
  if (byPath) return serveUrl(rt, req, res, { urlId: byPath[1]!.toLowerCase(), rawPath: byPath[2] || "/", query });
  const code = CODE_PATH.exec(path);
  if (code) return serveCode(rt, req, res, code[1]!);
  sendJson(res, 404, { error: "NotFound", message: `No Stratus endpoint at ${path}` });
}

// --- code download -------------------------------------------------------------------------------------

function serveCode(rt: ServiceHost, req: IncomingMessage, res: ServerResponse, id: string): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendJson(res, 405, { error: "MethodNotAllowed", message: `${req.method} is not allowed on a code location` });
    return;
  }
  let size: number;
  try {
    if (!BLOB_ID.test(id)) throw new Error("not a blob id");
    size = rt.blobs.size(id);
  } catch {
    sendJson(res, 404, { error: "NotFound", message: `No function or layer code at ${id}` });
    return;
  }
  res.writeHead(200, { "content-type": "application/zip", "content-length": size });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = rt.blobs.read(id);
  stream.on("error", (e) => {
    rt.logger.error("code download failed", e);
    res.destroy();
  });
  stream.pipe(res);
}

// --- function URLs -------------------------------------------------------------------------------------

interface Target {
  urlId: string;
  /** From the Host; absent for the path form. */
  region?: string;
  domainName?: string;
  rawPath: string;
  query: string;
}

interface Found {
  index: UrlIndexRec;
  config: UrlConfigRec;
}

/** The URL's configuration from the global index; a stale index entry (function deleted) is dropped. */
function findUrl(rt: ServiceHost, urlId: string, region: string | undefined): Found | undefined {
  const idx = urlIndex(rt);
  const index = idx.get(urlId);
  if (!index) return undefined;
  const config = lambdaState.at(rt, index.account, index.region).urls.get(`${index.functionName}#${index.qualifier}`);
  if (!config || config.urlId !== urlId) {
    idx.delete(urlId);
    return undefined;
  }
  if (region !== undefined && region !== index.region) return undefined;
  return { index, config };
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on("end", () => ok(over ? undefined : Buffer.concat(chunks)));
    req.on("error", fail);
  });
}

/** Headers as the event carries them: lower-case names, repeated headers joined with commas. */
function eventHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    out[k] = out[k] === undefined ? raw[i + 1]! : `${out[k]},${raw[i + 1]}`;
  }
  return out;
}

function queryParameters(query: string): Record<string, string> | undefined {
  if (!query) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(query)) out[k] = out[k] === undefined ? v : `${out[k]},${v}`;
  return Object.keys(out).length ? out : undefined;
}

/** Text bodies are passed as they are; anything else (or no content type) is base64-encoded. */
function isTextType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const t = contentType.split(";")[0]!.trim().toLowerCase();
  return t.startsWith("text/") || /[/+](json|xml|javascript|ecmascript)$/.test(t) || t === "application/x-javascript";
}

const traceId = (ms: number) =>
  `Root=1-${Math.floor(ms / 1000)
    .toString(16)
    .padStart(8, "0")}-${randomBytes(12).toString("hex")}`;

/**
 * AuthType NONE still goes through the function's resource policy, which must grant the public both
 * lambda:InvokeFunctionUrl (FunctionUrlAuthType NONE) and, for URLs made since October 2025, lambda:InvokeFunction
 * (InvokedViaFunctionUrl): `aws lambda add-permission --principal "*" …`, as the console and the CDK add them.
 */
function publicAccess(rt: ServiceHost, index: UrlIndexRec): boolean {
  const ctx = { [STORE]: rt[STORE], account: index.account, region: index.region };
  const q = index.qualifier || undefined;
  return (
    allowsPublic(ctx, index.functionName, q, "lambda:InvokeFunctionUrl", { "lambda:FunctionUrlAuthType": "NONE" }) &&
    allowsPublic(ctx, index.functionName, q, "lambda:InvokeFunction", { "lambda:InvokedViaFunctionUrl": "true" })
  );
}

function forbidden(res: ServerResponse, requestId: string, message: string | null): void {
  sendJson(res, 403, { Message: message }, { "x-amzn-RequestId": requestId, "x-amzn-ErrorType": "AccessDeniedException" });
}

/**
 * AWS_IAM: the request must carry a SigV4 signature. With --auth sigv4 it is verified as the AWS APIs verify
 * theirs (scope service "lambda"); with --auth none only its presence is required, as the gateway does.
 */
function authenticateIam(rt: ServiceHost, req: IncomingMessage, t: Target, body: Buffer): { principal: Principal; accessKey: string } | { error: string } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const http: HttpRequest = { method: req.method ?? "GET", path: q < 0 ? url : url.slice(0, q), query: t.query, headers, body };
  try {
    const caller = signedCaller(rt, http, "lambda", req.rawHeaders);
    return caller ? { principal: caller.principal, accessKey: caller.accessKeyId } : { error: "Forbidden" };
  } catch (e) {
    if (isServiceError(e)) return { error: e.message };
    throw e;
  }
}

function originAllowed(cors: Cors, origin: string): boolean {
  return (cors.AllowOrigins ?? []).some((o) => o === "*" || o.toLowerCase() === origin.toLowerCase());
}

function allowOriginValue(cors: Cors, origin: string): string {
  return (cors.AllowOrigins ?? []).includes("*") && !cors.AllowCredentials ? "*" : origin;
}

/** Answers a CORS preflight from the URL's Cors configuration (the function is not invoked). */
function preflight(res: ServerResponse, cors: Cors, req: IncomingMessage, requestId: string): void {
  const origin = req.headers.origin!;
  const method = String(req.headers["access-control-request-method"]).toUpperCase();
  const headers: Record<string, string> = { "x-amzn-RequestId": requestId, vary: "Origin" };
  const methods = cors.AllowMethods ?? [];
  const methodOk = methods.some((m) => m === "*" || m.toUpperCase() === method);
  if (originAllowed(cors, origin) && methodOk) {
    headers["access-control-allow-origin"] = allowOriginValue(cors, origin);
    headers["access-control-allow-methods"] = methods.join(",");
    if (cors.AllowHeaders?.length) headers["access-control-allow-headers"] = cors.AllowHeaders.join(",");
    if (cors.ExposeHeaders?.length) headers["access-control-expose-headers"] = cors.ExposeHeaders.join(",");
    if (cors.AllowCredentials) headers["access-control-allow-credentials"] = "true";
    if (cors.MaxAge !== undefined) headers["access-control-max-age"] = String(cors.MaxAge);
  }
  res.writeHead(200, { ...headers, "content-length": 0 });
  res.end();
}

/** The configured CORS headers on an actual response; they take precedence over the function's own. */
function applyCors(headers: Map<string, string[]>, cors: Cors, origin: string | undefined): void {
  for (const k of [...headers.keys()]) if (k.startsWith("access-control-")) headers.delete(k);
  if (!origin || !originAllowed(cors, origin)) return;
  headers.set("access-control-allow-origin", [allowOriginValue(cors, origin)]);
  if (cors.ExposeHeaders?.length) headers.set("access-control-expose-headers", [cors.ExposeHeaders.join(",")]);
  if (cors.AllowCredentials) headers.set("access-control-allow-credentials", ["true"]);
  const vary = headers.get("vary");
  headers.set("vary", [vary ? `${vary.join(",")},Origin` : "Origin"]);
}

interface HttpAnswer {
  status: number;
  headers: Map<string, string[]>;
  body: Buffer;
}

const INTERNAL_ERROR = (): HttpAnswer => ({
  status: 502,
  headers: new Map([["content-type", ["application/json"]]]),
  body: Buffer.from("Internal Server Error"),
});

/** The function's result as Lambda maps it to HTTP (payload format 2.0 response rules). */
export function toHttp(payload: Buffer): HttpAnswer {
  const text = payload.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return INTERNAL_ERROR();
  }
  const headers = new Map<string, string[]>();
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) && "statusCode" in parsed) {
    const r = parsed as { statusCode: unknown; headers?: unknown; cookies?: unknown; body?: unknown; isBase64Encoded?: unknown };
    const status =
      typeof r.statusCode === "number" ? r.statusCode : typeof r.statusCode === "string" && /^\d+$/.test(r.statusCode) ? Number(r.statusCode) : NaN;
    if (!Number.isInteger(status) || status < 100 || status > 599) return INTERNAL_ERROR();
    if (r.headers !== undefined && r.headers !== null) {
      if (typeof r.headers !== "object" || Array.isArray(r.headers)) return INTERNAL_ERROR();
      for (const [k, v] of Object.entries(r.headers as Record<string, unknown>)) {
        if (v === null || v === undefined) continue;
        if (typeof v === "object") return INTERNAL_ERROR();
        headers.set(k.toLowerCase(), [String(v)]);
      }
    }
    if (Array.isArray(r.cookies) && r.cookies.length) headers.set("set-cookie", r.cookies.map(String));
    let body: Buffer;
    if (r.body === undefined || r.body === null) body = Buffer.alloc(0);
    else if (typeof r.body === "string") body = r.isBase64Encoded === true ? Buffer.from(r.body, "base64") : Buffer.from(r.body, "utf8");
    else body = Buffer.from(JSON.stringify(r.body), "utf8");
    if (!headers.has("content-type")) headers.set("content-type", ["application/json"]);
    return { status, headers, body };
  }
  headers.set("content-type", ["application/json"]);
  // A JSON string is the body itself; any other JSON value is sent as the function returned it.
  return { status: 200, headers, body: typeof parsed === "string" ? Buffer.from(parsed, "utf8") : payload };
}

async function serveUrl(rt: ServiceHost, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  const requestId = randomUUID();
  const found = findUrl(rt, t.urlId, t.region);
  if (!found) {
    req.resume();
    return forbidden(res, requestId, null);
  }
  const { index, config } = found;
  const method = (req.method ?? "GET").toUpperCase();
  const origin = req.headers.origin;
  if (config.cors && method === "OPTIONS" && origin && req.headers["access-control-request-method"]) {
    req.resume();
    return preflight(res, config.cors, req, requestId);
  }
  const body = await readBody(req, rt.options.maxBodyBytes);
  if (!body)
    return sendJson(
      res,
      413,
      { Message: "Request must be smaller than 6291456 bytes for the InvokeFunction operation" },
      { "x-amzn-RequestId": requestId, "x-amzn-ErrorType": "RequestTooLargeException" },
    );

  let authorizer: Record<string, unknown> | undefined;
  if (config.authType === "NONE" && !publicAccess(rt, index)) return forbidden(res, requestId, "Forbidden");
  if (config.authType === "AWS_IAM") {
    const who = authenticateIam(rt, req, t, body);
    if ("error" in who) return forbidden(res, requestId, who.error);
    const p = who.principal;
    authorizer = {
      iam: {
        accessKey: who.accessKey,
        accountId: p.accountId,
        callerId: p.principalId,
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: p.arn,
        userId: p.principalId,
      },
    };
  }

  const now = rt.clock.now();
  const sourceIp = (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
  const headers = eventHeaders(req);
  const localPort = String(req.socket.localPort ?? "");
  headers["x-forwarded-for"] ??= sourceIp;
  headers["x-forwarded-proto"] ??= "http";
  headers["x-forwarded-port"] ??= localPort;
  headers["x-amzn-trace-id"] ??= traceId(now);
  const cookies = headers["cookie"]?.split(/;\s*/).filter((c) => c.length > 0);
  const qsp = queryParameters(t.query);
  const text = isTextType(headers["content-type"]);
  const event = {
    version: "2.0",
    routeKey: "$default",
    rawPath: t.rawPath,
    rawQueryString: t.query,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(qsp ? { queryStringParameters: qsp } : {}),
    requestContext: {
      accountId: config.authType === "NONE" ? "anonymous" : index.account,
      apiId: t.urlId,
      ...(authorizer ? { authorizer } : {}),
      domainName: t.domainName ?? `${t.urlId}.lambda-url.${index.region}.localhost`,
      domainPrefix: t.urlId,
      http: { method, path: t.rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers["user-agent"] ?? "" },
      requestId,
      routeKey: "$default",
      stage: "$default",
      time: commonLogTime(now),
      timeEpoch: now,
    },
    ...(body.length ? { body: text ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };

  if (config.invokeMode === "RESPONSE_STREAM") {
    return streamUrl(rt, res, {
      index,
      config,
      event,
      requestId,
      sourceIp,
      userAgent: headers["user-agent"] ?? "",
      origin,
      traceId: headers["x-amzn-trace-id"]!,
      head: method === "HEAD",
    });
  }

  let answer: HttpAnswer;
  try {
    const out = await rt.call(
      "lambda",
      "Invoke",
      { FunctionName: config.functionName, ...(config.qualifier ? { Qualifier: config.qualifier } : {}), Payload: Buffer.from(JSON.stringify(event)) },
      { account: index.account, region: index.region, principal: rootPrincipal(index.account), requestId, sourceIp, userAgent: headers["user-agent"] ?? "" },
      { audit: false },
    );
    answer = out.FunctionError ? INTERNAL_ERROR() : toHttp(Buffer.from((out.Payload as Uint8Array | undefined) ?? []));
  } catch (e) {
    if (isServiceError(e) && e.code === "TooManyRequestsException") {
      return sendJson(res, 429, { Message: "Rate Exceeded." }, { "x-amzn-RequestId": requestId, "x-amzn-ErrorType": "TooManyRequestsException" });
    }
    if (isServiceError(e) && e.code === "RequestTooLargeException") {
      return sendJson(res, 413, { Message: e.message }, { "x-amzn-RequestId": requestId, "x-amzn-ErrorType": "RequestTooLargeException" });
    }
    if (!isServiceError(e)) rt.logger.error("function URL invocation failed", e);
    answer = INTERNAL_ERROR();
  }
  if (config.cors) applyCors(answer.headers, config.cors, origin);
  answer.headers.set("x-amzn-requestid", [requestId]);
  answer.headers.set("x-amzn-trace-id", [headers["x-amzn-trace-id"]!]);
  answer.headers.set("content-length", [String(answer.body.length)]);
  const outHeaders: Record<string, string | string[]> = {};
  for (const [k, v] of answer.headers) outHeaders[k] = v.length === 1 && k !== "set-cookie" ? v[0]! : v;
  res.writeHead(answer.status, outHeaders);
  res.end(method === "HEAD" ? undefined : answer.body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...extra, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER = Buffer.alloc(8);

interface StreamJob {
  index: UrlIndexRec;
  config: UrlConfigRec;
  event: unknown;
  requestId: string;
  sourceIp: string;
  userAgent: string;
  origin: string | undefined;
  traceId: string;
  head: boolean;
}

/**
 * InvokeMode RESPONSE_STREAM: the function's chunks go to the client as they are written. With
 * awslambda.HttpResponseStream.from the stream opens with a JSON prelude (statusCode, headers, cookies) and eight
 * NUL bytes; without, it is a 200 of the stream's content type. A function that does not stream is answered whole.
 */
async function streamUrl(rt: ServiceHost, res: ServerResponse, j: StreamJob): Promise<void> {
  const who = {
    account: j.index.account,
    region: j.index.region,
    principal: rootPrincipal(j.index.account),
    requestId: j.requestId,
    sourceIp: j.sourceIp,
    userAgent: j.userAgent,
  };
  const ctx = rt.context("lambda", "Invoke", who);
  let mode: "prelude" | "body" | undefined;
  let pending = Buffer.alloc(0);
  const open = (status: number, headers: Map<string, string[]>) => {
    if (j.config.cors) applyCors(headers, j.config.cors, j.origin);
    headers.set("x-amzn-requestid", [j.requestId]);
    headers.set("x-amzn-trace-id", [j.traceId]);
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of headers) out[k] = v.length === 1 && k !== "set-cookie" ? v[0]! : v;
    res.writeHead(status, out);
  };
  const write = (c: Buffer) => {
    if (!j.head && c.length) res.write(c);
  };
  try {
    const r = resolveFunction(ctx, j.config.functionName, j.config.qualifier || undefined);
    checkRunnable(r);
    const out = await runNow(ctx, r, Buffer.from(JSON.stringify(j.event)), {
      requestId: j.requestId,
      onStreamStart: (contentType) => {
        if (contentType.startsWith(PRELUDE_TYPE)) mode = "prelude";
        else {
          mode = "body";
          open(200, new Map([["content-type", [contentType]]]));
        }
      },
      onChunk: (c) => {
        if (mode === "body") return write(c);
        pending = Buffer.concat([pending, c]);
        const at = pending.indexOf(DELIMITER);
        if (at < 0) return;
        const headers = new Map<string, string[]>();
        let status = 200;
        try {
          const prelude = JSON.parse(pending.subarray(0, at).toString("utf8")) as { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
          status = prelude.statusCode ?? 200;
          for (const [k, v] of Object.entries(prelude.headers ?? {})) headers.set(k.toLowerCase(), [String(v)]);
          if (prelude.cookies?.length) headers.set("set-cookie", prelude.cookies.map(String));
        } catch {
          status = 502;
        }
        if (!headers.has("content-type")) headers.set("content-type", ["application/octet-stream"]);
        open(status, headers);
        mode = "body";
        write(pending.subarray(at + DELIMITER.length));
        pending = Buffer.alloc(0);
      },
    });
    if (res.headersSent) return void res.end();
    // Nothing streamed (a buffered handler, or an error before the first chunk): answered whole, as BUFFERED.
    const answer = out.functionError
      ? INTERNAL_ERROR()
      : out.streamed
        ? { status: 200, headers: new Map([["content-type", [out.contentType ?? "application/octet-stream"]]]), body: out.payload }
        : toHttp(out.payload);
    answer.headers.set("content-length", [String(answer.body.length)]);
    open(answer.status, answer.headers);
    res.end(j.head ? undefined : answer.body);
  } catch (e) {
    if (res.headersSent) return void res.end();
    if (isServiceError(e) && e.code === "TooManyRequestsException") {
      return sendJson(res, 429, { Message: "Rate Exceeded." }, { "x-amzn-RequestId": j.requestId, "x-amzn-ErrorType": "TooManyRequestsException" });
    }
    if (!isServiceError(e)) rt.logger.error("function URL invocation failed", e);
    const answer = INTERNAL_ERROR();
    open(answer.status, answer.headers);
    res.end(answer.body);
  }
}
