// The execute-api endpoint: http://<apiId>.execute-api.localhost:<port>/<stage>/<path> (also the Hosts
// <apiId>.execute-api.<region>.amazonaws.com and <apiId>.execute-api.localhost.localstack.cloud) and LocalStack's
// path form http://localhost:<port>/restapis/<apiId>/<stage>/_user_request_/<path>. The request is read whole
// (10 MB at most, as API Gateway's payload limit), then served by the REST pipeline (rest.ts) when the id is a REST
// API's, else by the HTTP APIs (http-api.ts); an id that is neither is answered 403 Forbidden, as AWS answers.
import { randomUUID } from "node:crypto";
import { randomBase64 } from "../../../core/ids.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceHost } from "../../../core/service.js";
import { apiIndex } from "../state.js";
import { FORBIDDEN } from "./errors.js";
import { renderGatewayError } from "./gateway-responses.js";
import { serveHttpApi } from "./http-api.js";
import { MAX_REST_BODY, serveRest } from "./rest.js";
import type { ApiRequest, ApiResponse } from "./types.js";

const HOST_FORM = /^([a-z0-9]{10})\.execute-api\.(?:([a-z]{2}(?:-[a-z]+)+-\d)\.)?(?:localhost|localhost\.localstack\.cloud|amazonaws\.com)(?::\d+)?$/i;
const PATH_FORM = /^\/restapis\/([a-z0-9]{10})\/([^/]+)\/_user_request_(\/.*)?$/i;

interface Target {
  apiId: string;
  /** The region the Host names, if it names one. */
  region?: string;
  /** The path after the host, stage segment included (what an HTTP API routes on). */
  fullPath: string;
}

/** The API id and full path a request addresses; undefined when it is not an execute-api request. */
export function parseTarget(host: string, rawPath: string): Target | undefined {
  const byHost = HOST_FORM.exec(host);
  if (byHost) return { apiId: byHost[1]!.toLowerCase(), region: byHost[2]?.toLowerCase(), fullPath: rawPath || "/" };
  const byPath = PATH_FORM.exec(rawPath);
  if (byPath) return { apiId: byPath[1]!.toLowerCase(), fullPath: `/${byPath[2]}${byPath[3] ?? "/"}` };
  return undefined;
}

/** "/prod/items/1" → stage "prod", path "/items/1"; "/" → no stage. */
export function splitStage(fullPath: string): { stage: string; path: string } {
  const i = fullPath.indexOf("/", 1);
  const first = i < 0 ? fullPath.slice(1) : fullPath.slice(1, i);
  let stage = first;
  try {
    stage = decodeURIComponent(first);
  } catch {
    // A stage segment that does not decode names no stage.
  }
  return { stage, path: i < 0 ? "/" : fullPath.slice(i) };
}

function parseQuery(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!raw) return out;
  for (const [k, v] of new URLSearchParams(raw)) (out[k] ??= []).push(v);
  return out;
}

function groupHeaders(raw: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const names = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    let name = names.get(lower);
    if (!name) names.set(lower, (name = raw[i]!));
    (out[name] ??= []).push(raw[i + 1]!);
  }
  return out;
}

/** The body, or undefined past `limit` (the rest is read and dropped). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on("end", () => ok(size > limit ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", fail);
  });
}

export default async function executeApiRoute(rt: ServiceHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? "" : url.slice(q + 1);
  const host = req.headers.host ?? "";
  const target = parseTarget(host, rawPath);
  let body: Buffer | undefined;
  try {
    body = await readBody(req, MAX_REST_BODY);
  } catch {
    res.destroy();
    return;
  }
  const domainName = host.replace(/:\d+$/, "");
  const headers = groupHeaders(req.rawHeaders);
  const apiReq: ApiRequest = {
    method: (req.method ?? "GET").toUpperCase(),
    path: target?.fullPath ?? rawPath,
    rawQuery,
    query: parseQuery(rawQuery),
    headers,
    body: body ?? Buffer.alloc(0),
    sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
    userAgent: req.headers["user-agent"] ?? "",
    domainName,
    domainPrefix: domainName.split(".")[0] ?? "",
    requestTimeEpoch: rt.clock.now(),
    requestId: randomUUID(),
    extendedRequestId: randomBase64(11),
    protocol: `HTTP/${req.httpVersion}`,
  };
  let answer: ApiResponse;
  try {
    answer = await serve(rt, apiReq, target, body === undefined, String(req.socket.localPort ?? ""));
  } catch (e) {
    rt.logger.error("execute-api: the request failed", e);
    answer = withIds(
      {
        statusCode: 500,
        headers: { "content-type": "application/json", "x-amzn-ErrorType": "InternalServerErrorException" },
        body: Buffer.from('{"message":"Internal server error"}'),
      },
      apiReq,
    );
  }
  write(res, answer, apiReq.method === "HEAD");
}

async function serve(rt: ServiceHost, req: ApiRequest, target: Target | undefined, tooLarge: boolean, port: string): Promise<ApiResponse> {
  const forbidden = () => withIds(renderGatewayError(FORBIDDEN(), { req }), req);
  if (!target) return forbidden();
  const owner = apiIndex(rt).read(target.apiId);
  if (owner && (!target.region || target.region === owner.region)) {
    const { stage, path } = splitStage(target.fullPath);
    return serveRest(rt, { ...req, path }, { apiId: target.apiId, owner, stageName: stage, tooLarge, port });
  }
  if (tooLarge)
    return withIds({ statusCode: 413, headers: { "content-type": "application/json" }, body: Buffer.from('{"message":"Request Entity Too Large"}') }, req); // unverified wording
  const http = await serveHttpApi(rt, req, target.apiId);
  return http ?? forbidden();
}

/** The request ids a REST API's answers carry (an HTTP API's answers carry their own, apigw-requestid). */
function withIds(answer: ApiResponse, req: ApiRequest): ApiResponse {
  answer.headers["x-amzn-RequestId"] = req.requestId;
  answer.headers["x-amz-apigw-id"] = req.extendedRequestId;
  return answer;
}

/** The answer with its length (whatever length header the integration sent is replaced). */
function write(res: ServerResponse, answer: ApiResponse, head: boolean): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(answer.headers)) {
    const lower = k.toLowerCase();
    if (lower !== "content-length" && lower !== "transfer-encoding") headers[k] = v;
  }
  headers["Content-Length"] = String(answer.body.length);
  res.writeHead(answer.statusCode, headers);
  res.end(head ? undefined : answer.body);
}
