// The REST API pipeline for one request: the stage → its deployment's compiled snapshot → the matched resource and
// method → authorization (access/authorize.ts) → API keys and limits (access/limits.ts) → request validation
// (access/validate.ts) → the integration (AWS_PROXY to Lambda here, the others in integrations/) within the
// integration's timeout. A refusal on the way is rendered through the deployment's gateway responses. The access
// log, execution log and audit event are written after the answer, off its path.
import { recordRequest } from "./metrics.js";
import { commonLogTime } from "../../../core/clock.js";
import { randomHex } from "../../../core/ids.js";
import type { ServiceHost } from "../../../core/service.js";
import { apigwState } from "../state.js";
import { authorize, iamCallerOf } from "./access/authorize.js";
import { methodArn } from "./access/authorizer.js";
import { enforceResourcePolicy } from "./access/resource-policy.js";
import { enforceLimits } from "./access/limits.js";
import { validateRequest } from "./access/validate.js";
import { FORBIDDEN, GatewayError, isGatewayError, MISSING_AUTH_TOKEN } from "./errors.js";
import { renderGatewayError } from "./gateway-responses.js";
import { integrate } from "./integrations/index.js";
import { headerOf, lambdaProxy } from "./lambda-proxy.js";
import { functionArnOf } from "./lambda.js";
import { auditInvoke, ExecutionLog, executionLogging, writeAccessLog, writeExecutionLog, type Outcome } from "./logs.js";
import { compiledFor, match, type CompiledApi } from "./router.js";
import type { ApiRequest, ApiResponse, Owner, RequestContext, RestInvocation } from "./types.js";

/** API Gateway's REST payload limit: 10 MB. */
export const MAX_REST_BODY = 10 * 1024 * 1024;
/** An integration's timeout when it names none (timeoutInMillis): 29 seconds. */
export const DEFAULT_TIMEOUT_MS = 29_000;

const traceId = (ms: number) =>
  `Root=1-${Math.floor(ms / 1000)
    .toString(16)
    .padStart(8, "0")}-${randomHex(12)}`;

/** The identity block of requestContext before any authorizer fills it (every field AWS sends, null when unknown). */
function baseIdentity(req: ApiRequest): Record<string, string | null> {
  return {
    cognitoIdentityPoolId: null,
    accountId: null,
    cognitoIdentityId: null,
    caller: null,
    sourceIp: req.sourceIp,
    principalOrgId: null,
    accessKey: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    userArn: null,
    userAgent: req.userAgent,
    user: null,
  };
}

export interface RestTarget {
  apiId: string;
  owner: Owner;
  stageName: string;
  /** The body was over the 10 MB limit (req.body is then empty). */
  tooLarge: boolean;
  /** The local port the request came in on (X-Forwarded-Port). */
  port: string;
}

/** Serves a request to a REST API; always answers (refusals rendered as gateway responses). */
export async function serveRest(rt: ServiceHost, req: ApiRequest, t: RestTarget): Promise<ApiResponse> {
  const started = performance.now();
  const tables = apigwState.at(rt, t.owner.account, t.owner.region);
  // The shared, cached record (Table.read): read on every request, never changed here.
  const stage = tables.stages.read(`${t.apiId}/${t.stageName}`);
  const context: RequestContext = {
    resourceId: "",
    resourcePath: "",
    httpMethod: req.method,
    extendedRequestId: req.extendedRequestId,
    requestTime: commonLogTime(req.requestTimeEpoch),
    path: `/${t.stageName}${req.path}`,
    accountId: t.owner.account,
    protocol: req.protocol,
    stage: t.stageName,
    domainPrefix: req.domainPrefix,
    requestTimeEpoch: req.requestTimeEpoch,
    requestId: req.requestId,
    identity: baseIdentity(req),
    domainName: req.domainName,
    deploymentId: stage?.deploymentId ?? "",
    apiId: t.apiId,
  };
  // A canary takes its percentTraffic share of the stage's requests: its deployment, its variable overrides.
  const canary = stage?.canarySettings?.deploymentId && Math.random() * 100 < (stage.canarySettings.percentTraffic ?? 0) ? stage.canarySettings : undefined;
  const deploymentId = canary?.deploymentId ?? stage?.deploymentId ?? "";
  context.deploymentId = deploymentId;
  const stageVariables = canary?.stageVariableOverrides ? { ...stage?.variables, ...canary.stageVariableOverrides } : (stage?.variables ?? {});
  let compiled: CompiledApi | undefined;
  let inv: RestInvocation | undefined;
  let log: ExecutionLog | undefined;
  let integrationLatency: number | undefined;
  let integrationStatus: number | undefined;
  const out: Outcome = { status: 0, responseLength: 0, responseLatency: 0 };
  let response: ApiResponse;
  try {
    if (!stage) throw FORBIDDEN();
    compiled = compiledFor(t.apiId, deploymentId, () => tables.deployments.get(`${t.apiId}/${deploymentId}`)?.snapshot);
    // disableExecuteApiEndpoint takes effect with the deployment that carries it, as on AWS.
    if (!compiled || compiled.snapshot.api.disableExecuteApiEndpoint) throw FORBIDDEN();
    if (t.tooLarge) throw new GatewayError("REQUEST_TOO_LARGE", 413, "Request Too Long"); // unverified wording
    const m = match(compiled, req.path, req.method);
    const logging = executionLogging(stage, m?.resource.path, req.method);
    if (logging) {
      log = new ExecutionLog(logging.level, logging.dataTrace, req.requestId, () => rt.clock.now());
      log.info(`Extended Request Id: ${req.extendedRequestId}`);
    }
    if (!m) throw MISSING_AUTH_TOKEN();
    context.resourceId = m.resource.id;
    context.resourcePath = m.resource.path;
    // What the edge adds before API Gateway sees the request (the integration gets them too).
    // Object.assign, not a spread: on Node 20 a spread copy given more properties makes a new map for each, per request.
    const headers = Object.assign({}, req.headers);
    const now = req.requestTimeEpoch;
    if (headerOf(headers, "x-amzn-trace-id") === undefined) headers["X-Amzn-Trace-Id"] = [traceId(now)];
    if (headerOf(headers, "x-forwarded-for") === undefined) headers["X-Forwarded-For"] = [req.sourceIp];
    if (headerOf(headers, "x-forwarded-port") === undefined) headers["X-Forwarded-Port"] = [t.port];
    if (headerOf(headers, "x-forwarded-proto") === undefined) headers["X-Forwarded-Proto"] = ["http"];
    // REST APIs split a query string at ";" too ("Amazon API Gateway important notes for REST APIs").
    const query = req.rawQuery.includes(";") ? splitQuery(req.rawQuery) : req.query;
    inv = {
      rt,
      req: { ...req, headers, query },
      owner: t.owner,
      apiId: t.apiId,
      stage,
      deployment: { id: deploymentId, createdDate: 0, snapshot: compiled.snapshot },
      snapshot: compiled.snapshot,
      resource: m.resource,
      method: m.method,
      methodKey: m.methodKey,
      pathParameters: m.pathParameters,
      stageVariables,
      context,
    };
    log?.info(`Starting execution for request: ${req.requestId}`);
    log?.info(`HTTP Method: ${req.method}, Resource Path: ${req.path}`);
    log?.info(`Method request path: ${javaMap(m.pathParameters)}`);
    log?.info(`Method request query string: ${javaMap(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.join(",")])))}`);
    log?.data(`Method request headers: ${javaMap(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(",")])))}`);
    log?.data(`Method request body before transformations: ${req.body.toString("utf8")}`);
    await authorize(inv);
    enforceResourcePolicy(inv, methodArn(inv), iamCallerOf(inv));
    enforceLimits(inv);
    validateRequest(inv);
    const integration = m.method.methodIntegration;
    if (!integration?.type) throw new GatewayError("API_CONFIGURATION_ERROR", 500, "Internal server error", {}, "InternalServerErrorException");
    const timeoutMs = integration.timeoutInMillis && integration.timeoutInMillis > 0 ? integration.timeoutInMillis : DEFAULT_TIMEOUT_MS;
    const t0 = performance.now();
    const proxyToLambda = integration.type === "AWS_PROXY" && functionArnOf(integration.uri) !== undefined;
    if (!proxyToLambda) log?.info(`Endpoint request URI: ${integration.uri ?? ""}`);
    const invocation = inv;
    const api = compiled;
    // MOCK has no backend to wait for (nothing to time out); a Lambda proxy is not aborted, only answered 504.
    response =
      integration.type === "MOCK"
        ? await integrate(invocation, NOT_ABORTED)
        : await withTimeout(timeoutMs, !proxyToLambda, (signal) => (proxyToLambda ? lambdaProxy(invocation, api, log) : integrate(invocation, signal)));
    integrationLatency = Math.round(performance.now() - t0);
    // For a Lambda proxy, $context.integrationStatus is Lambda's own status (the Invoke's 200), not the function's answer.
    integrationStatus = proxyToLambda ? 200 : response.statusCode;
    log?.info(`Received response. Status: ${response.statusCode}, Integration latency: ${integrationLatency} ms`);
    log?.data(`Method response body after transformations: ${response.body.toString("utf8")}`);
    log?.data(`Method response headers: ${javaMap(Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, String(v)])))}`);
    log?.info("Successfully completed execution");
    log?.info(`Method completed with status: ${response.statusCode}`);
  } catch (e) {
    const err = isGatewayError(e) ? e : unexpected(rt, e);
    if (log) {
      if (err.responseType === "INTEGRATION_TIMEOUT") log.error("Execution failed due to a timeout error");
      else if (err.statusCode >= 500) {
        const detail = (err as { logDetail?: string }).logDetail;
        log.error(detail?.startsWith("Lambda execution failed") ? detail : `Execution failed due to configuration error: ${detail ?? err.message}`);
      } else log.info(`Method completed with status: ${err.statusCode}`);
    }
    out.errorMessage = err.message;
    out.errorType = err.responseType;
    response = renderGatewayError(err, {
      gatewayResponses: compiled?.snapshot.gatewayResponses,
      req,
      context,
      stageVariables,
      pathParameters: inv?.pathParameters,
    });
  }
  response.headers["x-amzn-RequestId"] = req.requestId;
  response.headers["x-amz-apigw-id"] = req.extendedRequestId;
  const trace = inv && headerOf(inv.req.headers, "x-amzn-trace-id");
  if (trace) response.headers["X-Amzn-Trace-Id"] = trace;
  out.status = response.statusCode;
  out.responseLength = response.body.length;
  out.integrationLatency = integrationLatency;
  out.integrationStatus = integrationStatus;
  const owner = t.owner;
  const method = req.method;
  setImmediate(() => {
    out.responseLatency = Math.round(performance.now() - started);
    if (stage) writeAccessLog(rt, stage, context, out);
    if (stage && compiled) {
      recordRequest(rt, owner, "rest", compiled.snapshot.api.name ?? t.apiId, stage.stageName, {
        status: out.status,
        latency: out.responseLatency,
        integrationLatency: out.integrationLatency,
      });
    }
    if (log && stage) writeExecutionLog(rt, owner, t.apiId, stage.stageName, log);
    const path = context.resourcePath || req.path;
    auditInvoke(rt, owner, req, `arn:aws:execute-api:${owner.region}:${owner.account}:${t.apiId}/${t.stageName}/${method}${path}`, out);
  });
  return response;
}

function splitQuery(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of raw.split(";")) for (const [k, v] of new URLSearchParams(part)) (out[k] ??= []).push(v);
  return out;
}

/** {a=1, b=2}: how API Gateway's execution log prints a map (Java's toString). */
function javaMap(m: Record<string, string>): string {
  return `{${Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ")}}`;
}

function unexpected(rt: ServiceHost, e: unknown): GatewayError {
  rt.logger.error("execute-api: the request failed", e);
  return new GatewayError("DEFAULT_5XX", 500, "Internal server error", {}, "InternalServerErrorException");
}

/** The signal of an integration nothing aborts. */
const NOT_ABORTED = new AbortController().signal;

/**
 * Runs the integration; past `ms` the client is answered 504 Endpoint request timed out, and an `abortable` one (an
 * HTTP backend's request) aborted through its signal. Only those get a controller of their own: one per request
 * cost the Lambda proxy path ~2% of its CPU.
 */
async function withTimeout<T>(ms: number, abortable: boolean, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = abortable ? new AbortController() : undefined;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctl?.abort();
      // INTEGRATION_TIMEOUT's body as AWS answers it: {"message": "Endpoint request timed out"}.
      reject(new GatewayError("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out"));
    }, ms);
  });
  try {
    return await Promise.race([run(ctl?.signal ?? NOT_ABORTED), expired]);
  } finally {
    clearTimeout(timer);
  }
}
