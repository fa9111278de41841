// A route's authorization in an HTTP API: NONE, AWS_IAM (a SigV4 signature, verified against the caller's keys
// when Stratus runs with --auth sigv4), JWT (jwt.ts) and CUSTOM — a Lambda REQUEST authorizer
// ("Use AWS Lambda authorizers for HTTP APIs",
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html): its identity
// sources must all be present (else 401 without calling it), its answer is a simple { isAuthorized, context }
// (payload 2.0 with enableSimpleResponses) or an IAM policy evaluated on the route's ARN, cached for
// authorizerResultTtlInSeconds by the identity sources' values. Throws HttpApiError; returns requestContext.authorizer.
import { type SignedCaller, signedCaller } from "../../../../core/auth/endpoint-sigv4.js";
import { isServiceError } from "../../../../core/errors.js";
import type { HttpRequest } from "../../../../core/http.js";
import { evaluatePolicy } from "../../../../core/policy/index.js";
import type { ServiceHost } from "../../../../core/service.js";
import type { AuthorizerRec, RouteRec } from "../../../apigatewayv2/internal.js";
import { functionArnOf, invokeFunction } from "../lambda.js";
import type { Owner } from "../types.js";
import { header } from "./cors.js";
import { verifyJwt } from "./jwt.js";
import { eventV1, eventV2, type HttpCall } from "./payload.js";
import { FORBIDDEN, HttpApiError, INTERNAL, UNAUTHORIZED } from "./respond.js";

export interface AuthCall extends HttpCall {
  rt: ServiceHost;
  owner: Owner;
  route: RouteRec;
  authorizers: Record<string, AuthorizerRec>;
  /** The route's execute-api ARN (arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>). */
  routeArn: string;
  /** The stage's deployment: cached answers are the stage's and do not outlive a redeployment. */
  deploymentId: string;
}

interface Cached {
  until: number;
  allow: boolean;
  authorizer?: Record<string, unknown>;
  policy?: unknown;
}

// By "<account>/<apiId>/<stage>/<deploymentId>/<authorizerId>/<identity values>"; bounded.
const cache = new Map<string, Cached>();
const CACHE_MAX = 10_000;

/** The requestContext.authorizer for the route's authorization, or a refusal. */
export async function authorize(c: AuthCall): Promise<Record<string, unknown> | undefined> {
  switch (c.route.authorizationType) {
    case "AWS_IAM":
      return iam(c);
    case "JWT":
      return jwt(c);
    case "CUSTOM":
      return lambdaAuthorizer(c);
    default:
      return undefined;
  }
}

/** The value of one identity source ("$request.header.Authorization", "$request.querystring.q", "$context.x", "$stageVariables.x"). */
export function identityValue(c: HttpCall, source: string): string | undefined {
  const s = source.trim();
  let m = /^\$request\.header\.(.+)$/i.exec(s);
  if (m) return header(c.req, m[1]!.toLowerCase());
  m = /^\$request\.querystring\.(.+)$/i.exec(s);
  if (m) return c.req.query[m[1]!]?.join(",");
  m = /^\$stageVariables\.(.+)$/.exec(s);
  if (m) return c.stageVariables[m[1]!];
  m = /^\$context\.(.+)$/.exec(s);
  if (m) {
    const ctx: Record<string, string> = { apiId: c.apiId, stage: c.stage, routeKey: c.routeKey, requestId: c.requestId, "identity.sourceIp": c.req.sourceIp };
    return ctx[m[1]!];
  }
  return undefined;
}

function iam(c: AuthCall): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const rawHeaders: string[] = [];
  for (const [k, vs] of Object.entries(c.req.headers)) {
    headers[k.toLowerCase()] = vs.join(", ");
    for (const v of vs) rawHeaders.push(k, v);
  }
  const http: HttpRequest = { method: c.req.method, path: c.req.path, query: c.req.rawQuery, headers, body: c.req.body };
  let caller: SignedCaller | undefined;
  try {
    caller = signedCaller(c.rt, http, "execute-api", rawHeaders);
  } catch (e) {
    // The signature check's own words, as API Gateway answers a bad signature (403).
    if (isServiceError(e)) throw new HttpApiError(403, e.message);
    throw e;
  }
  if (!caller) throw FORBIDDEN();
  const { principal } = caller;
  return {
    iam: {
      accessKey: caller.accessKeyId,
      accountId: principal.accountId,
      callerId: principal.principalId,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: principal.arn,
      userId: principal.principalId,
    },
  };
}

async function jwt(c: AuthCall): Promise<Record<string, unknown>> {
  const a = c.route.authorizerId ? c.authorizers[c.route.authorizerId] : undefined;
  if (!a?.jwtConfiguration?.Issuer) throw INTERNAL();
  const source = a.identitySource[0] ?? "$request.header.Authorization";
  const token = identityValue(c, source);
  if (!token) throw UNAUTHORIZED();
  const r = await verifyJwt(token, a.jwtConfiguration.Issuer, a.jwtConfiguration.Audience ?? [], c.route.authorizationScopes, c.rt.clock.now());
  return { jwt: { claims: r.claims, scopes: r.scopes } };
}

async function lambdaAuthorizer(c: AuthCall): Promise<Record<string, unknown> | undefined> {
  const a = c.route.authorizerId ? c.authorizers[c.route.authorizerId] : undefined;
  const fn = a ? functionArnOf(a.authorizerUri) : undefined;
  if (!a || !fn) throw INTERNAL();
  const values: string[] = [];
  for (const source of a.identitySource) {
    const v = identityValue(c, source);
    if (v === undefined || v === "") throw UNAUTHORIZED();
    values.push(v);
  }
  const ttl = a.identitySource.length ? (a.authorizerResultTtlInSeconds ?? 0) : 0;
  const key = `${c.accountId}/${c.apiId}/${c.stage}/${c.deploymentId}/${a.authorizerId}/${JSON.stringify(values)}`;
  const now = c.rt.clock.now();
  if (ttl > 0) {
    const hit = cache.get(key);
    if (hit && hit.until > now) return decide(c, hit);
  }
  const v2 = a.authorizerPayloadFormatVersion !== "1.0";
  const event = v2 ? authorizerEventV2(c, values) : authorizerEventV1(c, values);
  let out: Awaited<ReturnType<typeof invokeFunction>>;
  try {
    out = await invokeFunction(c.rt, c.owner, fn, event, `arn:aws:execute-api:${c.owner.region}:${c.owner.account}:${c.apiId}/authorizers/${a.authorizerId}`, {
      ...(a.authorizerCredentialsArn ? { credentials: a.authorizerCredentialsArn } : {}),
      requestId: c.requestId,
      sourceIp: c.req.sourceIp,
      userAgent: c.req.userAgent,
    });
  } catch (_e) {
    throw INTERNAL();
  }
  let answer: Record<string, unknown>;
  try {
    answer = JSON.parse(out.payload.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw INTERNAL();
  }
  if (out.functionError) {
    // A function that fails with "Unauthorized" refuses the caller as a missing identity does.
    if (answer && typeof answer === "object" && answer.errorMessage === "Unauthorized") throw UNAUTHORIZED();
    throw INTERNAL();
  }
  if (!answer || typeof answer !== "object" || Array.isArray(answer)) throw INTERNAL();
  const context =
    answer.context && typeof answer.context === "object" && !Array.isArray(answer.context) ? (answer.context as Record<string, unknown>) : undefined;
  let result: Cached;
  if (v2 && a.enableSimpleResponses) {
    if (typeof answer.isAuthorized !== "boolean") throw INTERNAL();
    result = { until: now + ttl * 1000, allow: answer.isAuthorized, authorizer: { lambda: context ?? {} } };
  } else {
    if (!answer.policyDocument || typeof answer.policyDocument !== "object") throw INTERNAL();
    const principalId = typeof answer.principalId === "string" ? answer.principalId : undefined;
    result = {
      until: now + ttl * 1000,
      allow: false,
      policy: answer.policyDocument,
      authorizer: { lambda: context ?? {}, ...(principalId !== undefined ? { principalId } : {}) },
    };
  }
  if (ttl > 0) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, result);
  }
  return decide(c, result);
}

/** A cached (or fresh) answer for this route: a policy is evaluated on this route's ARN. */
function decide(c: AuthCall, r: Cached): Record<string, unknown> | undefined {
  const allow =
    r.policy !== undefined
      ? evaluatePolicy(r.policy as object, { caller: { type: "anonymous" }, action: "execute-api:Invoke", resource: c.routeArn }, { identity: true }) ===
        "Allow"
      : r.allow;
  if (!allow) throw FORBIDDEN();
  return r.authorizer;
}

function authorizerEventV2(c: AuthCall, identity: string[]): unknown {
  const e = eventV2(c) as Record<string, unknown>;
  const { body: _b, isBase64Encoded: _i, version, ...rest } = e;
  return { version, type: "REQUEST", routeArn: c.routeArn, identitySource: identity, ...rest };
}

function authorizerEventV1(c: AuthCall, identity: string[]): unknown {
  const e = eventV1(c) as Record<string, unknown>;
  const { body: _b, isBase64Encoded: _i, version, ...rest } = e;
  const joined = identity.join(",");
  return { version, type: "REQUEST", methodArn: c.routeArn, identitySource: joined, authorizationToken: joined, ...rest };
}

export { HttpApiError };
