// Lambda (CUSTOM) authorizers for REST APIs, as API Gateway runs them
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html):
// - TOKEN: the identity source header (method.request.header.Authorization) must be present and, with an
//   identityValidationExpression, match it, else 401 "Unauthorized" without calling the function; the event is
//   { type: "TOKEN", authorizationToken, methodArn }.
// - REQUEST: every identity source (method.request.header.X, method.request.querystring.X, stageVariables.X,
//   context.X) must be present, else 401; the event carries the request (headers, query, path, stage variables,
//   requestContext).
// The function answers { principalId, policyDocument, context?, usageIdentifierKey? }; the policy is evaluated on the
// method ARN (arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>). An explicit deny answers
// 403 "User is not authorized to access this resource with an explicit deny", no allow 403 "User is not authorized
// to access this resource"; the function throwing "Unauthorized" answers 401; any other error or an answer that is
// not a policy answers 500 (AUTHORIZER_CONFIGURATION_ERROR). Policies are cached per authorizer and identity-source
// values for authorizerResultTtlInSeconds (300 by default; 0 turns caching off) or until FlushStageAuthorizersCache.
import { evaluatePolicy, statementsOf, type Statement } from "../../../../core/policy/index.js";
import type { AuthorizerRec } from "../../state.js";
import { GatewayError, UNAUTHORIZED } from "../errors.js";
import { functionArnOf, invokeFunction, withStageVariables } from "../lambda.js";
import type { RestInvocation } from "../types.js";

// AUTHORIZER_CONFIGURATION_ERROR: AWS answers 500 {"message": null} (x-amzn-ErrorType AuthorizerConfigurationException).
const configError = () => new GatewayError("AUTHORIZER_CONFIGURATION_ERROR", 500, "Internal server error", {}, "AuthorizerConfigurationException");
const explicitDeny = () =>
  new GatewayError("ACCESS_DENIED", 403, "User is not authorized to access this resource with an explicit deny", {}, "AccessDeniedException");
const implicitDeny = () => new GatewayError("ACCESS_DENIED", 403, "User is not authorized to access this resource", {}, "AccessDeniedException");

interface AuthorizerResult {
  principalId: string;
  statements: Statement[];
  /** Context values as the integration sees them (REST APIs pass them as strings). */
  context: Record<string, string>;
  usageIdentifierKey?: string;
}

interface CacheEntry {
  /** When it was cached: a FlushStageAuthorizersCache after that makes it stale. */
  at: number;
  expires: number;
  result: AuthorizerResult;
}
const cache = new Map<string, CacheEntry>();
const CACHE_MAX = 10_000;

function header(inv: RestInvocation, lower: string): string[] | undefined {
  for (const name in inv.req.headers) if (name.toLowerCase() === lower) return inv.req.headers[name];
  return undefined;
}

const lastOf = (m: Record<string, string[]>): Record<string, string> | null => {
  const names = Object.keys(m);
  return names.length ? Object.fromEntries(names.map((n) => [n, m[n]![m[n]!.length - 1]!])) : null;
};

/** A dotted path into the request context (context.identity.sourceIp). */
function contextValue(inv: RestInvocation, path: string): unknown {
  let v: unknown = inv.context;
  for (const part of path.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

/** One identity source's value, undefined when absent or empty. */
function sourceValue(inv: RestInvocation, source: string): string | undefined {
  const s = source.trim();
  let v: unknown;
  let m: RegExpExecArray | null;
  if ((m = /^method\.request\.header\.(.+)$/i.exec(s))) v = header(inv, m[1]!.toLowerCase())?.join(",");
  else if ((m = /^method\.request\.querystring\.(.+)$/i.exec(s))) v = inv.req.query[m[1]!]?.join(",");
  else if ((m = /^stageVariables\.(.+)$/.exec(s))) v = inv.stageVariables[m[1]!];
  else if ((m = /^context\.(.+)$/.exec(s))) v = contextValue(inv, m[1]!);
  if (v === undefined || v === null || v === "") return undefined;
  return String(v);
}

/** arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path without its leading slash>. */
export function methodArn(inv: RestInvocation): string {
  const partition = inv.owner.region.startsWith("cn-") ? "aws-cn" : inv.owner.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return `arn:${partition}:execute-api:${inv.owner.region}:${inv.owner.account}:${inv.apiId}/${inv.stage.stageName}/${inv.req.method}/${inv.req.path.replace(/^\//, "")}`;
}

function requestEvent(inv: RestInvocation, arn: string) {
  const { authorizer: _, ...requestContext } = inv.context;
  return {
    type: "REQUEST",
    methodArn: arn,
    resource: inv.resource.path,
    path: inv.req.path,
    httpMethod: inv.req.method,
    headers: lastOf(inv.req.headers),
    multiValueHeaders: Object.keys(inv.req.headers).length ? inv.req.headers : null,
    queryStringParameters: lastOf(inv.req.query),
    multiValueQueryStringParameters: Object.keys(inv.req.query).length ? inv.req.query : null,
    pathParameters: Object.keys(inv.pathParameters).length ? inv.pathParameters : null,
    stageVariables: Object.keys(inv.stageVariables).length ? inv.stageVariables : null,
    requestContext,
  };
}

/** The function's answer as a result, or the refusal AWS answers for it. */
function resultOf(payload: Buffer, functionError: string | undefined): AuthorizerResult {
  let out: unknown;
  try {
    out = JSON.parse(payload.toString("utf8"));
  } catch {
    throw configError();
  }
  if (functionError) {
    const message = out && typeof out === "object" ? (out as { errorMessage?: unknown }).errorMessage : out;
    if (message === "Unauthorized") throw UNAUTHORIZED();
    throw configError();
  }
  if (!out || typeof out !== "object" || Array.isArray(out)) throw configError();
  const o = out as { principalId?: unknown; policyDocument?: unknown; context?: unknown; usageIdentifierKey?: unknown };
  const statements = o.policyDocument && typeof o.policyDocument === "object" ? statementsOf(o.policyDocument) : undefined;
  if (!statements || (o.principalId !== undefined && typeof o.principalId !== "string")) throw configError();
  const context: Record<string, string> = {};
  if (o.context !== undefined && o.context !== null) {
    if (typeof o.context !== "object" || Array.isArray(o.context)) throw configError();
    // Only strings, numbers and booleans may be context values (objects and arrays are a configuration error).
    for (const [k, v] of Object.entries(o.context)) {
      if (v !== null && typeof v === "object") throw configError();
      context[k] = String(v);
    }
  }
  return {
    principalId: (o.principalId as string | undefined) ?? "",
    statements,
    context,
    ...(typeof o.usageIdentifierKey === "string" ? { usageIdentifierKey: o.usageIdentifierKey } : {}),
  };
}

async function callAuthorizer(inv: RestInvocation, a: AuthorizerRec, event: unknown): Promise<AuthorizerResult> {
  const fn = functionArnOf(withStageVariables(a.authorizerUri ?? "", inv.stageVariables));
  if (!fn) throw configError();
  const sourceArn = `arn:aws:execute-api:${inv.owner.region}:${inv.owner.account}:${inv.apiId}/authorizers/${a.id}`;
  let answer: Awaited<ReturnType<typeof invokeFunction>>;
  try {
    answer = await invokeFunction(inv.rt, inv.owner, fn, event, sourceArn, {
      credentials: a.authorizerCredentials,
      requestId: inv.req.requestId,
      sourceIp: inv.req.sourceIp,
      userAgent: inv.req.userAgent,
    });
  } catch {
    // Not allowed to invoke it, or it could not run: the authorizer is misconfigured as API Gateway sees it.
    throw configError();
  }
  return resultOf(answer.payload, answer.functionError);
}

export async function lambdaAuthorize(inv: RestInvocation, setUsageKey: (inv: RestInvocation, key: string) => void): Promise<void> {
  const a = inv.snapshot.authorizers.find((x) => x.id === inv.method.authorizerId);
  if (!a) throw configError();
  if (a.type === "COGNITO_USER_POOLS") {
    throw new GatewayError(
      "AUTHORIZER_CONFIGURATION_ERROR",
      500,
      "COGNITO_USER_POOLS authorizers cannot run here: Stratus has no Amazon Cognito user pools",
      {},
      "AuthorizerConfigurationException",
    );
  }
  const arn = methodArn(inv);
  const sources = (a.identitySource ?? (a.type === "TOKEN" ? "method.request.header.Authorization" : ""))
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const values = sources.map((s) => sourceValue(inv, s));
  if (values.some((v) => v === undefined)) throw UNAUTHORIZED();

  let event: unknown;
  if (a.type === "TOKEN") {
    const token = values[0]!;
    if (a.identityValidationExpression) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(`^(?:${a.identityValidationExpression})$`);
      } catch {
        throw configError();
      }
      if (!re.test(token)) throw UNAUTHORIZED();
    }
    event = { type: "TOKEN", authorizationToken: token, methodArn: arn };
  } else {
    event = requestEvent(inv, arn);
  }

  // Cached per stage and authorizer by the identity sources' values (no sources, as REQUEST allows: no caching).
  const ttl = (a.authorizerResultTtlInSeconds ?? 300) * 1000;
  const now = inv.rt.clock.now();
  const cacheKey =
    ttl > 0 && sources.length ? `${inv.owner.account}/${inv.apiId}/${inv.stage.stageName}/${inv.deployment.id}/${a.id}\n${values.join("\n")}` : undefined;
  let result: AuthorizerResult;
  let latency = 0;
  const hit = cacheKey ? cache.get(cacheKey) : undefined;
  if (hit && hit.expires > now && hit.at > (inv.stage.authorizersFlushedAt ?? -1)) {
    result = hit.result;
  } else {
    const started = Date.now();
    result = await callAuthorizer(inv, a, event);
    latency = Date.now() - started;
    if (cacheKey) {
      if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
      cache.set(cacheKey, { at: now, expires: now + ttl, result });
    }
  }

  const decision = evaluatePolicy(result.statements, { caller: { type: "anonymous" }, action: "execute-api:Invoke", resource: arn }, { identity: true });
  if (decision === "Deny") throw explicitDeny();
  if (decision !== "Allow") throw implicitDeny();
  inv.context.authorizer = { ...result.context, principalId: result.principalId, integrationLatency: latency };
  if (result.usageIdentifierKey) setUsageKey(inv, result.usageIdentifierKey);
}
