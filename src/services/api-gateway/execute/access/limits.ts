// API keys and limits, on every request (cheap and synchronous): the stage's throttling (methodSettings "*/*" or
// "<path>/<METHOD>"), then for a method with apiKeyRequired the key (x-api-key, or the authorizer's
// usageIdentifierKey when the API's apiKeySource is AUTHORIZER) and its usage plan for this API stage: the plan's
// throttle (a token bucket, rate + burst, per-method overrides in apiStages[].throttle) and quota (DAY, WEEK or
// MONTH). Token buckets live in memory; quota usage is counted in the usage table (GetUsage reads it, it survives
// restarts). Which key value belongs to which plan is cached until the control plane changes a key or plan.
// Refusals as AWS answers them (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html):
// INVALID_API_KEY 403 "Forbidden", THROTTLED 429 "Too Many Requests", QUOTA_EXCEEDED 429 "Limit Exceeded".
import type { MethodSetting, ThrottleSettings } from "../../api.generated.js";
import { type ApiGatewayTables, type ApiKeyRec, type StageRec, type UsagePlanRec, apigwState } from "../../state.js";
import { countRequest, keysGeneration, periodStart, remainingOf, usageKey } from "../../usage.js";
import { GatewayError } from "../errors.js";
import type { Owner, RestInvocation } from "../types.js";
import { usageIdentifierKey } from "./authorize.js";

const invalidKey = () => new GatewayError("INVALID_API_KEY", 403, "Forbidden", {}, "ForbiddenException");
const throttled = () => new GatewayError("THROTTLED", 429, "Too Many Requests", {}, "TooManyRequestsException");
const quotaExceeded = () => new GatewayError("QUOTA_EXCEEDED", 429, "Limit Exceeded", {}, "LimitExceededException");

// ---- token buckets ----------------------------------------------------------------------------------------------

interface Bucket {
  tokens: number;
  last: number;
  rate: number;
  burst: number;
}
const buckets = new Map<string, Bucket>();

/**
 * Takes one token from the bucket named `key` (rate tokens a second, at most burst held; a full bucket to start).
 * False when none is left. A changed rate or burst starts the bucket afresh.
 */
function take(key: string, t: ThrottleSettings, now: number): boolean {
  const rate = t.rateLimit ?? 0;
  // Without a burst, a bucket holds one second's worth (at least one request).
  const burst = t.burstLimit ?? Math.max(1, Math.ceil(rate));
  let b = buckets.get(key);
  if (!b || b.rate !== rate || b.burst !== burst) {
    b = { tokens: burst, last: now, rate, burst };
    buckets.set(key, b);
  } else {
    b.tokens = Math.min(burst, b.tokens + ((now - b.last) / 1000) * rate);
    b.last = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

const limited = (t: ThrottleSettings | undefined): t is ThrottleSettings =>
  t !== undefined && ((t.rateLimit !== undefined && t.rateLimit >= 0) || (t.burstLimit !== undefined && t.burstLimit >= 0));

// ---- stage and method throttling --------------------------------------------------------------------------------

/** The stage's throttle for a method: its own "<path>/<METHOD>" setting, else the stage's "*\/*". */
const stageThrottles = new Map<string, { updated: number; throttle: ThrottleSettings | null }>();

function throttleOf(s: MethodSetting | undefined): ThrottleSettings | undefined {
  if (!s) return undefined;
  const t: ThrottleSettings = {};
  if (s.throttlingRateLimit !== undefined && s.throttlingRateLimit >= 0) t.rateLimit = s.throttlingRateLimit;
  if (s.throttlingBurstLimit !== undefined && s.throttlingBurstLimit >= 0) t.burstLimit = s.throttlingBurstLimit;
  return limited(t) ? t : undefined;
}

function stageThrottle(apiId: string, stage: StageRec, resourcePath: string, method: string): ThrottleSettings | undefined {
  const cacheKey = `${apiId}/${stage.stageName}/${resourcePath}/${method}`;
  const hit = stageThrottles.get(cacheKey);
  if (hit && hit.updated === stage.lastUpdatedDate) return hit.throttle ?? undefined;
  const settings = stage.methodSettings ?? {};
  // Keyed as AWS keys them (state.ts): the resource path without its leading "/", then "/<METHOD>".
  const own = settings[`${resourcePath.replace(/^\//, "")}/${method}`];
  const stageWide = throttleOf(settings["*/*"]);
  const mine = throttleOf(own);
  const throttle = mine ? { ...stageWide, ...mine } : stageWide;
  stageThrottles.set(cacheKey, { updated: stage.lastUpdatedDate, throttle: throttle ?? null });
  return throttle;
}

// ---- keys and plans ---------------------------------------------------------------------------------------------

interface OwnerCache {
  generation: number;
  keyByValue: Map<string, ApiKeyRec | null>;
  /** "<apiId>/<stage>" → keyId → the plan serving that key there. */
  plansByStage: Map<string, Map<string, UsagePlanRec>>;
}
/** Per server (its host) and owner. */
const caches = new WeakMap<object, Map<string, OwnerCache>>();

function ownerCache(host: object, owner: Owner): OwnerCache {
  let byOwner = caches.get(host);
  if (!byOwner) caches.set(host, (byOwner = new Map()));
  const id = `${owner.account}/${owner.region}`;
  let c = byOwner.get(id);
  const gen = keysGeneration();
  if (!c || c.generation !== gen) {
    c = { generation: gen, keyByValue: new Map(), plansByStage: new Map() };
    byOwner.set(id, c);
  }
  return c;
}

function keyByValue(t: ApiGatewayTables, c: OwnerCache, value: string): ApiKeyRec | undefined {
  let rec = c.keyByValue.get(value);
  if (rec === undefined) {
    const id = t.apiKeyValues.get(value);
    rec = (id !== undefined && t.apiKeys.get(id)) || null;
    c.keyByValue.set(value, rec);
  }
  return rec ?? undefined;
}

function plansFor(t: ApiGatewayTables, c: OwnerCache, apiId: string, stage: string): Map<string, UsagePlanRec> {
  const id = `${apiId}/${stage}`;
  let byKey = c.plansByStage.get(id);
  if (!byKey) {
    byKey = new Map();
    for (const { value: plan } of t.usagePlans.list()) {
      if (!plan.apiStages.some((s) => s.apiId === apiId && s.stage === stage)) continue;
      for (const { value: k } of t.usagePlanKeys.list({ prefix: `${plan.id}/` })) if (!byKey.has(k.id)) byKey.set(k.id, plan);
    }
    c.plansByStage.set(id, byKey);
  }
  return byKey;
}

function headerValue(headers: Record<string, string[]>, lower: string): string | undefined {
  for (const name in headers) if (name.length === lower.length && name.toLowerCase() === lower) return headers[name]![0];
  return undefined;
}

export function enforceLimits(inv: RestInvocation): void {
  const now = inv.rt.clock.now();
  const stageLimit = stageThrottle(inv.apiId, inv.stage, inv.resource.path, inv.methodKey);
  if (stageLimit && !take(`stage/${inv.owner.account}/${inv.apiId}/${inv.stage.stageName}/${inv.resource.path}/${inv.methodKey}`, stageLimit, now)) {
    throw throttled();
  }
  if (!inv.method.apiKeyRequired) return;

  const value = inv.snapshot.api.apiKeySource === "AUTHORIZER" ? usageIdentifierKey(inv) : headerValue(inv.req.headers, "x-api-key");
  if (!value) throw invalidKey();
  const t = apigwState.at(inv.rt, inv.owner.account, inv.owner.region);
  const c = ownerCache(inv.rt, inv.owner);
  const key = keyByValue(t, c, value);
  if (!key?.enabled) throw invalidKey();
  const plan = plansFor(t, c, inv.apiId, inv.stage.stageName).get(key.id);
  if (!plan) throw invalidKey();

  // The plan's throttle: a per-method override for this API stage, else the plan's own (one bucket per key).
  const apiStage = plan.apiStages.find((s) => s.apiId === inv.apiId && s.stage === inv.stage.stageName);
  const methodKey = `${inv.resource.path}/${inv.methodKey}`;
  const override = apiStage?.throttle?.[methodKey];
  if (override && limited(override)) {
    if (!take(`plan/${plan.id}/${key.id}/${inv.apiId}/${inv.stage.stageName}/${methodKey}`, override, now)) throw throttled();
  } else if (limited(plan.throttle) && !take(`plan/${plan.id}/${key.id}`, plan.throttle, now)) {
    throw throttled();
  }

  // The quota, counted per key per period (every request a key makes is counted, for GetUsage).
  const rk = usageKey(plan.id, key.id, periodStart(plan.quota, now));
  const rec = t.usage.get(rk);
  if (plan.quota?.limit !== undefined && remainingOf(plan.quota, rec) <= 0) throw quotaExceeded();
  t.usage.put(rk, countRequest(rec, now));

  inv.context.identity.apiKey = key.value;
  inv.context.identity.apiKeyId = key.id;
}
