// HTTP APIs (apigatewayv2) served at <apiId>.execute-api.localhost[:port]/[<stage>/]<path>: the stage (a named
// one by the path's first segment, else $default), CORS preflight, the route (http/routes.ts, compiled once per
// deployment), stage throttling, the route's authorization, the integration (Lambda proxy payload 2.0/1.0, HTTP
// proxy), CORS headers on the answer and the stage's access log. Answers undefined when no HTTP API has that id
// (route.ts then answers as AWS does for an unknown API). The records are read only through apigatewayv2's
// internal.ts. Stage selection as AWS documents it: "If a request explicitly matches a stage, API Gateway sends the
// request to that stage. If no stage fully matches a request, API Gateway sends the request to the $default stage.
// If there's no $default stage, then the API returns {"message":"Not Found"}"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html).
import { recordRequest } from "./metrics.js";
import type { ServiceHost } from "../../../core/service.js";
import { deployedStage, findHttpApi, type HttpApiDeployed, type RouteRec } from "../../apigatewayv2/internal.js";
import { formatAccessLog, type LogContext, writeHttpAccessLog } from "./http/access-log.js";
import { authorize } from "./http/authorizers.js";
import { applyCors, header, isPreflight, preflightHeaders } from "./http/cors.js";
import { integrate } from "./http/integrate.js";
import { auditInvoke } from "./logs.js";
import { commonLogTime } from "../../../core/clock.js";
import { type HttpCall, integrationHeaders, type ProxyAnswer } from "./http/payload.js";
import { applyResponseParameters } from "./http/response-parameters.js";
import { errorResponse, FORBIDDEN, HttpApiError, INTERNAL, NOT_FOUND, TOO_MANY } from "./http/respond.js";
import { compileRoutes, type RouteTable } from "./http/routes.js";
import { Throttle } from "./http/throttle.js";
import type { ApiRequest, ApiResponse } from "./types.js";

// Per running server: throttling buckets.
interface Host {
  throttle: Throttle;
}
const hosts = new WeakMap<ServiceHost, Host>();
const hostOf = (rt: ServiceHost): Host => {
  let h = hosts.get(rt);
  if (!h) hosts.set(rt, (h = { throttle: new Throttle() }));
  return h;
};

// A deployment's routes are the same array on every call (internal.ts), so their table is compiled once.
const tables = new WeakMap<RouteRec[], RouteTable<RouteRec>>();
function tableOf(routes: RouteRec[]): RouteTable<RouteRec> {
  let t = tables.get(routes);
  if (!t) tables.set(routes, (t = compileRoutes(routes, (r) => r.routeKey)));
  return t;
}

interface Selected {
  deployed: HttpApiDeployed;
  /** "/<stage>" for a named stage, "" for $default. */
  prefix: string;
  /** The path below the stage. */
  path: string;
}

function selectStage(rt: ServiceHost, apiId: string, fullPath: string): Selected | undefined {
  const slash = fullPath.indexOf("/", 1);
  const first = slash < 0 ? fullPath.slice(1) : fullPath.slice(1, slash);
  if (first && first !== "$default") {
    let name = first;
    try {
      name = decodeURIComponent(first);
    } catch {
      // kept as sent
    }
    const named = deployedStage(rt, apiId, name);
    if (named) return { deployed: named, prefix: `/${first}`, path: slash < 0 ? "/" : fullPath.slice(slash) };
  }
  const dflt = deployedStage(rt, apiId, "$default");
  return dflt ? { deployed: dflt, prefix: "", path: fullPath || "/" } : undefined;
}

const portOf = (req: ApiRequest) => /:(\d+)$/.exec(header(req, "host") ?? "")?.[1] ?? "80";

function toResponse(a: ProxyAnswer, requestId: string): ApiResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of a.headers) headers[k] = v.length === 1 && k !== "set-cookie" ? v[0]! : v;
  headers["content-length"] = String(a.body.length);
  headers["apigw-requestid"] = requestId;
  return { statusCode: a.statusCode, headers, body: a.body };
}

export async function serveHttpApi(rt: ServiceHost, req: ApiRequest, apiId: string): Promise<ApiResponse | undefined> {
  const requestId = req.extendedRequestId;
  const sel = selectStage(rt, apiId, req.path);
  if (!sel) {
    // No stage: {"message":"Not Found"}, and no access log (there is no stage to log for).
    const found = findHttpApi(rt, apiId);
    return found?.api.protocolType === "HTTP" ? errorResponse(NOT_FOUND(), requestId) : undefined;
  }
  const { deployed: d } = sel;
  if (d.api.protocolType !== "HTTP") return undefined;
  if (d.api.disableExecuteApiEndpoint) return errorResponse(FORBIDDEN(), requestId);
  const started = Date.now();
  const log: LogContext = {
    accountId: d.account,
    apiId,
    domainName: req.domainName,
    domainPrefix: req.domainPrefix,
    extendedRequestId: requestId,
    httpMethod: req.method,
    "identity.sourceIp": req.sourceIp,
    "identity.userAgent": req.userAgent,
    path: req.path,
    protocol: req.protocol,
    requestId,
    requestTime: commonLogTime(req.requestTimeEpoch),
    requestTimeEpoch: req.requestTimeEpoch,
    stage: d.stage.stageName,
  };
  let res: ApiResponse;
  try {
    res = await handle(rt, req, sel, requestId, log);
  } catch (e) {
    const err = e instanceof HttpApiError ? e : INTERNAL();
    if (!(e instanceof HttpApiError)) rt.logger.error(`execute-api: ${apiId}: request failed`, e);
    log["error.message"] = err.message;
    log["error.messageString"] = JSON.stringify(err.message);
    res = errorResponse(err, requestId);
  }
  const settings = d.stage.accessLogSettings;
  log.status = res.statusCode;
  log.responseLength = res.body.length;
  log.responseLatency = Date.now() - started;
  if (settings?.DestinationArn && settings.Format) {
    writeHttpAccessLog(rt, settings.DestinationArn, apiId, d.stage.stageName, req.requestTimeEpoch, formatAccessLog(settings.Format, log));
  }
  recordRequest(rt, { account: d.account, region: d.region }, "http", apiId, d.stage.stageName, {
    status: res.statusCode,
    latency: Number(log.responseLatency),
    integrationLatency: typeof log["integration.latency"] === "number" ? log["integration.latency"] : undefined,
    bytes: req.body.length + res.body.length,
  });
  // The Invoke data event, named by the route's ARN (the request's path when no route matched).
  const routeKey = log.routeKey === undefined ? undefined : String(log.routeKey);
  const space = routeKey?.indexOf(" ") ?? -1;
  const resourcePath = routeKey === undefined ? sel.path : space < 0 ? `/${routeKey}` : routeKey.slice(space + 1);
  auditInvoke(
    rt,
    { account: d.account, region: d.region },
    { ...req, requestId },
    `arn:aws:execute-api:${d.region}:${d.account}:${apiId}/${d.stage.stageName}/${req.method}${resourcePath}`,
    {
      status: res.statusCode,
      responseLength: res.body.length,
      responseLatency: Number(log.responseLatency),
      ...(res.statusCode >= 400 ? { errorMessage: String(log["error.message"] ?? ""), errorType: String(res.statusCode) } : {}),
    },
  );
  return res;
}

async function handle(rt: ServiceHost, req: ApiRequest, sel: Selected, requestId: string, log: LogContext): Promise<ApiResponse> {
  const { deployed: d } = sel;
  const cors = d.api.corsConfiguration;
  if (cors && isPreflight(req)) {
    const headers = { ...preflightHeaders(cors, req), "content-length": "0", "apigw-requestid": requestId };
    return { statusCode: 204, headers, body: Buffer.alloc(0) };
  }
  const m = tableOf(d.routes).match(req.method, sel.path);
  if (!m) throw NOT_FOUND();
  const route = m.route;
  log.routeKey = route.routeKey;
  if (
    !hostOf(rt).throttle.take(
      `${d.account}/${d.apiId}/${d.stage.stageName}/${route.routeKey}`,
      d.stage.routeSettings[route.routeKey],
      d.stage.defaultRouteSettings,
      rt.clock.now(),
    )
  ) {
    throw TOO_MANY();
  }
  const owner = { account: d.account, region: d.region };
  const call: HttpCall = {
    req,
    accountId: d.account,
    apiId: d.apiId,
    stage: d.stage.stageName,
    routeKey: route.routeKey,
    pathParameters: m.pathParameters,
    stageVariables: d.stage.variables,
    requestId,
    headers: integrationHeaders(req, portOf(req)),
  };
  const space = route.routeKey.indexOf(" ");
  const routePath = space < 0 ? `/${route.routeKey}` : route.routeKey.slice(space + 1);
  const arn = `arn:aws:execute-api:${d.region}:${d.account}:${d.apiId}/${d.stage.stageName}/${req.method}${routePath}`;
  const authorizer = await authorize({ ...call, rt, owner, route, authorizers: d.authorizers, routeArn: arn, deploymentId: d.stage.deploymentId });
  if (authorizer) {
    call.authorizer = authorizer;
    const lambda = authorizer.lambda as Record<string, unknown> | undefined;
    if (authorizer.principalId !== undefined) log["authorizer.principalId"] = String(authorizer.principalId);
    for (const [k, v] of Object.entries(lambda ?? {})) log[`authorizer.${k}`] = typeof v === "object" ? JSON.stringify(v) : String(v);
    const jwt = authorizer.jwt as { claims?: Record<string, string> } | undefined;
    for (const [k, v] of Object.entries(jwt?.claims ?? {})) log[`authorizer.claims.${k}`] = v;
  }
  const integrationId = route.target?.startsWith("integrations/") ? route.target.slice("integrations/".length) : undefined;
  const integration = integrationId ? d.integrations[integrationId] : undefined;
  if (!integration) {
    // unverified wording: a route without an integration target
    rt.logger.debug(`execute-api: ${d.apiId}: route ${route.routeKey} has no integration`);
    throw INTERNAL();
  }
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(log)) if (v !== undefined) context[k] = String(v);
  const began = Date.now();
  let answer: ProxyAnswer;
  try {
    answer = await integrate({ ...call, rt, owner, integration, sourceArn: arn, stagePrefix: sel.prefix, context });
  } catch (e) {
    if (e instanceof HttpApiError) log.integrationErrorMessage = e.message;
    throw e;
  } finally {
    log.integrationLatency = Date.now() - began;
    log["integration.latency"] = log.integrationLatency;
  }
  log.integrationStatus = answer.statusCode;
  log["integration.status"] = answer.statusCode;
  log["integration.integrationStatus"] = answer.statusCode;
  if (integration.responseParameters) answer = applyResponseParameters(answer, integration.responseParameters, call, context);
  if (cors) applyCors(answer.headers, cors, req);
  return toResponse(answer, requestId);
}
