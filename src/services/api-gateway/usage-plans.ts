// Usage plans (API stages, throttling with per-method overrides, quotas), their keys, and the usage the
// execute-api endpoint counts (GetUsage per key per day, UpdateUsage's "remaining"). Merged into keys.ts's handlers.
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import {
  type ApiGatewayApi,
  type ApiStage,
  type CreateUsagePlanRequest,
  type PatchOperation,
  type QuotaPeriodType,
  type Usage,
  type UsagePlan,
  type UsagePlanKey,
  BadRequestException,
  ConflictException,
  NotFoundException,
} from "./api.generated.js";
import { decodePath, invalidPatchPath } from "./patch.js";
import { type UsagePlanRec, type UsageRec, newId, tables, transaction } from "./state.js";
import { DAY_MS, dayOf, keysChanged, parseDay, periodStart, usageKey } from "./usage.js";

// Messages as AWS answers them (recorded in moto's and LocalStack's AWS-validated tests).
export const keyNotFound = () => new NotFoundException("Invalid API Key identifier specified");
const planNotFound = () => new NotFoundException("Invalid Usage Plan ID specified");
const planKeyNotFound = () => new NotFoundException("Invalid Usage Plan Key identifier specified"); // unverified wording
const badPosition = () => new BadRequestException("Invalid position parameter"); // unverified wording

/** A path the resource does not take: AWS's "Invalid patch path /x" (patch.ts). */
export const badPatch = (op: PatchOperation): Error => invalidPatchPath(op);

export function numberValue(op: PatchOperation, integer = true): number {
  const n = Number(op.value);
  if (op.value === undefined || op.value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new BadRequestException(`Invalid ${integer ? "integer" : "number"} value '${op.value ?? ""}' specified for ${op.path}`); // unverified wording
  }
  return n;
}

const page = <T>(items: T[], key: (t: T) => string, operation: string, input: { position?: string; limit?: number }, bind?: string) =>
  pageByKey(items, key, { operation, token: input.position, max: Math.min(Math.max(input.limit ?? 25, 1), 500), invalid: badPosition, bind });

function planOut(rec: UsagePlanRec): UsagePlan {
  return {
    id: rec.id,
    name: rec.name,
    description: rec.description,
    apiStages: rec.apiStages,
    throttle: rec.throttle,
    quota: rec.quota,
    productCode: rec.productCode,
    ...(Object.keys(rec.tags).length ? { tags: rec.tags } : {}),
  };
}

function getPlan(ctx: HandlerContext, id: string): UsagePlanRec {
  const rec = tables(ctx).usagePlans.get(id);
  if (!rec) throw planNotFound();
  return rec;
}

/** An API stage a plan may name: the API's stage must exist. */
function checkStage(ctx: HandlerContext, s: ApiStage): ApiStage {
  if (!s.apiId || !s.stage || !tables(ctx).stages.has(`${s.apiId}/${s.stage}`)) {
    // AWS answers this literally, placeholders and all (aws/aws-sdk#354, aws/aws-cdk#6169).
    throw new BadRequestException("Invalid API Stage {api: %s, stage: %s} specified for usageplan %s");
  }
  return { apiId: s.apiId, stage: s.stage, ...(s.throttle && Object.keys(s.throttle).length ? { throttle: s.throttle } : {}) };
}

const PERIODS: QuotaPeriodType[] = ["DAY", "WEEK", "MONTH"];

function checkQuota(q: UsagePlanRec["quota"]): void {
  if (!q) return;
  if (q.period === undefined || !PERIODS.includes(q.period)) throw new BadRequestException("Invalid quota period specified"); // unverified wording
  if (q.limit !== undefined && q.limit < 0) throw new BadRequestException("Invalid quota limit specified"); // unverified wording
  const maxOffset = q.period === "DAY" ? 0 : q.period === "WEEK" ? 6 : 27;
  if ((q.offset ?? 0) < 0 || (q.offset ?? 0) > maxOffset) throw new BadRequestException(`Invalid quota offset specified for period ${q.period}`); // unverified wording
}

function createUsagePlan(input: CreateUsagePlanRequest, ctx: HandlerContext): UsagePlan {
  return transaction(ctx, () => {
    const rec: UsagePlanRec = {
      id: newId(),
      name: input.name,
      description: input.description,
      apiStages: (input.apiStages ?? []).map((s) => checkStage(ctx, s)),
      throttle: input.throttle,
      quota: input.quota ? { offset: 0, ...input.quota } : undefined,
      tags: input.tags ?? {},
    };
    checkQuota(rec.quota);
    tables(ctx).usagePlans.put(rec.id, rec);
    keysChanged();
    return planOut(rec);
  });
}

/** /apiStages/<apiId:stage>/throttle[/<resource path>/<METHOD>[/rateLimit|/burstLimit]] */
function patchStageThrottle(rec: UsagePlanRec, op: PatchOperation): boolean {
  const m = /^\/apiStages\/([^/]+)\/throttle(?:\/(.+?)\/([A-Za-z*]+)(?:\/(rateLimit|burstLimit))?)?$/.exec(op.path ?? "");
  if (!m) return false;
  const [apiId, stage] = decodePath(`/${m[1]!}`)[0]!.split(":");
  const s = rec.apiStages.find((x) => x.apiId === apiId && x.stage === stage);
  if (!s) throw new NotFoundException(`Invalid API Stage ${apiId}:${stage} specified`); // unverified wording
  const kind = op.op ?? "replace";
  if (!m[2]) {
    if (kind !== "remove") throw badPatch(op);
    delete s.throttle;
    return true;
  }
  const methodKey = `${m[2].replace(/~1/g, "/").replace(/~0/g, "~")}/${m[3]!.toUpperCase()}`;
  const throttle = (s.throttle ??= {});
  if (kind === "remove") {
    delete throttle[methodKey];
  } else if (m[4]) {
    throttle[methodKey] = { ...throttle[methodKey], [m[4]]: numberValue(op, m[4] === "burstLimit") };
  } else {
    // add/replace with a whole settings object as JSON: {"rateLimit": 10, "burstLimit": 5}
    try {
      const v = JSON.parse(op.value ?? "") as { rateLimit?: number; burstLimit?: number };
      throttle[methodKey] = { rateLimit: v.rateLimit, burstLimit: v.burstLimit };
    } catch {
      throw badPatch(op);
    }
  }
  if (!Object.keys(throttle).length) delete s.throttle;
  return true;
}

function updateUsagePlan(input: { usagePlanId: string; patchOperations?: PatchOperation[] }, ctx: HandlerContext): UsagePlan {
  return transaction(ctx, () => {
    const rec = structuredClone(getPlan(ctx, input.usagePlanId));
    for (const op of input.patchOperations ?? []) {
      const kind = op.op ?? "replace";
      if (op.path === "/apiStages" && (kind === "add" || kind === "remove")) {
        const [apiId, stage] = (op.value ?? "").split(":");
        if (kind === "add") {
          const s = checkStage(ctx, { apiId, stage });
          if (!rec.apiStages.some((x) => x.apiId === apiId && x.stage === stage)) rec.apiStages.push(s);
        } else {
          if (!rec.apiStages.some((x) => x.apiId === apiId && x.stage === stage)) throw new NotFoundException(`Invalid API Stage ${apiId}:${stage} specified`); // unverified wording
          rec.apiStages = rec.apiStages.filter((x) => !(x.apiId === apiId && x.stage === stage));
        }
        continue;
      }
      if (op.path?.startsWith("/apiStages/") && patchStageThrottle(rec, op)) continue;
      if (kind === "remove" && (op.path === "/throttle" || op.path === "/quota")) {
        delete rec[op.path === "/throttle" ? "throttle" : "quota"];
        continue;
      }
      if (kind !== "replace" && kind !== "add") throw badPatch(op);
      switch (op.path) {
        case "/name":
          if (!op.value) throw new BadRequestException("Usage plan name must be non-empty"); // unverified wording
          rec.name = op.value;
          break;
        case "/description":
          rec.description = op.value;
          break;
        case "/productCode":
          rec.productCode = op.value;
          break;
        case "/throttle/rateLimit":
          rec.throttle = { ...rec.throttle, rateLimit: numberValue(op, false) };
          break;
        case "/throttle/burstLimit":
          rec.throttle = { ...rec.throttle, burstLimit: numberValue(op) };
          break;
        case "/quota/limit":
          rec.quota = { period: "DAY", offset: 0, ...rec.quota, limit: numberValue(op) };
          break;
        case "/quota/offset":
          rec.quota = { period: "DAY", ...rec.quota, offset: numberValue(op) };
          break;
        case "/quota/period":
          rec.quota = { offset: 0, ...rec.quota, period: op.value as QuotaPeriodType };
          break;
        default:
          throw badPatch(op);
      }
    }
    checkQuota(rec.quota);
    tables(ctx).usagePlans.put(rec.id, rec);
    keysChanged();
    return planOut(rec);
  });
}

function deleteUsagePlan(input: { usagePlanId: string }, ctx: HandlerContext): Record<string, never> {
  return transaction(ctx, () => {
    const rec = getPlan(ctx, input.usagePlanId);
    const t = tables(ctx);
    t.usagePlans.delete(rec.id);
    for (const { key } of t.usagePlanKeys.list({ prefix: `${rec.id}/` })) t.usagePlanKeys.delete(key);
    for (const { key } of t.usage.list({ prefix: `${rec.id}/` })) t.usage.delete(key);
    keysChanged();
    return {};
  });
}

function getUsagePlans(input: { position?: string; keyId?: string; limit?: number }, ctx: HandlerContext) {
  const t = tables(ctx);
  const plans = t.usagePlans
    .list()
    .map((e) => e.value)
    .filter((p) => input.keyId === undefined || t.usagePlanKeys.has(`${p.id}/${input.keyId}`));
  const out = page(plans, (p) => p.id, "GetUsagePlans", input, input.keyId ?? "");
  return { items: out.items.map(planOut), ...(out.next ? { position: out.next } : {}) };
}

function planKeyOut(ctx: HandlerContext, keyId: string): UsagePlanKey {
  const key = tables(ctx).apiKeys.get(keyId);
  return { id: keyId, type: "API_KEY", value: key?.value, name: key?.name };
}

function createUsagePlanKey(input: { usagePlanId: string; keyId: string; keyType: string }, ctx: HandlerContext): UsagePlanKey {
  return transaction(ctx, () => {
    const plan = getPlan(ctx, input.usagePlanId);
    if (input.keyType !== "API_KEY") throw new BadRequestException(`Invalid key type specified: ${input.keyType}`); // unverified wording
    const t = tables(ctx);
    if (!t.apiKeys.has(input.keyId)) throw keyNotFound();
    if (t.usagePlanKeys.has(`${plan.id}/${input.keyId}`)) throw new ConflictException("Usage Plan Key already exists"); // unverified wording
    // A key may be in one plan per API stage.
    for (const other of t.usagePlans.list()) {
      if (other.key === plan.id || !t.usagePlanKeys.has(`${other.key}/${input.keyId}`)) continue;
      const shared = other.value.apiStages.find((s) => plan.apiStages.some((x) => x.apiId === s.apiId && x.stage === s.stage));
      if (shared) {
        // unverified wording
        throw new ConflictException(
          `Usage Plan ${plan.id} cannot be added because API Key ${input.keyId} cannot reference multiple Usage Plans with the same API Stage: ${shared.apiId}:${shared.stage}`,
        );
      }
    }
    t.usagePlanKeys.put(`${plan.id}/${input.keyId}`, { id: input.keyId, type: "API_KEY" });
    keysChanged();
    return planKeyOut(ctx, input.keyId);
  });
}

function getUsagePlanKey(input: { usagePlanId: string; keyId: string }, ctx: HandlerContext): UsagePlanKey {
  const plan = getPlan(ctx, input.usagePlanId);
  if (!tables(ctx).usagePlanKeys.has(`${plan.id}/${input.keyId}`)) throw planKeyNotFound();
  return planKeyOut(ctx, input.keyId);
}

function getUsagePlanKeys(input: { usagePlanId: string; position?: string; limit?: number; nameQuery?: string }, ctx: HandlerContext) {
  const plan = getPlan(ctx, input.usagePlanId);
  const items = tables(ctx)
    .usagePlanKeys.list({ prefix: `${plan.id}/` })
    .map((e) => planKeyOut(ctx, e.value.id))
    .filter((k) => input.nameQuery === undefined || (k.name ?? "").startsWith(input.nameQuery));
  const out = page(items, (k) => k.id!, "GetUsagePlanKeys", input, `${plan.id}/${input.nameQuery ?? ""}`);
  return { items: out.items, ...(out.next ? { position: out.next } : {}) };
}

function deleteUsagePlanKey(input: { usagePlanId: string; keyId: string }, ctx: HandlerContext): Record<string, never> {
  return transaction(ctx, () => {
    const plan = getPlan(ctx, input.usagePlanId);
    const t = tables(ctx);
    if (!t.usagePlanKeys.delete(`${plan.id}/${input.keyId}`)) throw planKeyNotFound();
    keysChanged();
    return {};
  });
}

/**
 * Per key, per day from startDate to endDate: [requests that day, quota remaining at the end of it], as GetUsage
 * answers (https://docs.aws.amazon.com/apigateway/latest/api/API_GetUsage.html). Days of a period are counted
 * together: the remaining count falls through the period and starts again at the limit in the next one.
 */
function usageItems(ctx: HandlerContext, plan: UsagePlanRec, keyId: string, from: number, to: number): number[][] {
  const recs = new Map<string, UsageRec>();
  for (const e of tables(ctx).usage.list({ prefix: `${plan.id}/${keyId}/` })) recs.set(e.key.slice(e.key.lastIndexOf("/") + 1), e.value);
  const out: number[][] = [];
  const limit = plan.quota?.limit ?? 0;
  for (let ms = from; ms <= to; ms += DAY_MS) {
    const day = dayOf(ms);
    const period = periodStart(plan.quota, ms);
    const rec = recs.get(period);
    const used = rec?.days[day] ?? 0;
    // Requests in the period up to and including this day.
    let sofar = 0;
    for (const [d, n] of Object.entries(rec?.days ?? {})) if (d <= day) sofar += n;
    const isLast = rec !== undefined && Object.keys(rec.days).every((d) => d <= day);
    const remaining = rec?.remaining !== undefined && isLast ? rec.remaining : Math.max(0, limit - sofar);
    out.push([used, remaining]);
  }
  return out;
}

const MAX_USAGE_DAYS = 90;

function getUsage(
  input: { usagePlanId: string; keyId?: string; startDate: string; endDate: string; position?: string; limit?: number },
  ctx: HandlerContext,
): Usage {
  const plan = getPlan(ctx, input.usagePlanId);
  const from = parseDay(input.startDate);
  const to = parseDay(input.endDate);
  if (Number.isNaN(from) || Number.isNaN(to)) throw new BadRequestException("Invalid date format. Expected format: yyyy-MM-dd"); // unverified wording
  if (to < from) throw new BadRequestException("The end date must be after the start date"); // unverified wording
  if ((to - from) / DAY_MS >= MAX_USAGE_DAYS) throw new BadRequestException(`The usage data can be queried for a maximum of ${MAX_USAGE_DAYS} days`); // unverified wording
  const t = tables(ctx);
  let keyIds = t.usagePlanKeys.list({ prefix: `${plan.id}/` }).map((e) => e.value.id);
  if (input.keyId !== undefined) {
    if (!keyIds.includes(input.keyId)) throw keyNotFound();
    keyIds = [input.keyId];
  }
  const out = page(keyIds, (k) => k, "GetUsage", input, JSON.stringify([plan.id, input.keyId ?? null, input.startDate, input.endDate]));
  const items: Record<string, number[][]> = {};
  for (const k of out.items) items[k] = usageItems(ctx, plan, k, from, to);
  return { usagePlanId: plan.id, startDate: input.startDate, endDate: input.endDate, items, ...(out.next ? { position: out.next } : {}) };
}

/** UpdateUsage: `replace /remaining <n>` grants (or takes away) requests in the key's current quota period. */
function updateUsage(input: { usagePlanId: string; keyId: string; patchOperations?: PatchOperation[] }, ctx: HandlerContext): Usage {
  return transaction(ctx, () => {
    const plan = getPlan(ctx, input.usagePlanId);
    const t = tables(ctx);
    if (!t.usagePlanKeys.has(`${plan.id}/${input.keyId}`)) throw keyNotFound();
    const now = ctx.now();
    const period = periodStart(plan.quota, now);
    const key = usageKey(plan.id, input.keyId, period);
    const rec: UsageRec = t.usage.get(key) ?? { days: {}, used: 0 };
    for (const op of input.patchOperations ?? []) {
      if ((op.op ?? "replace") !== "replace" || op.path !== "/remaining") throw badPatch(op);
      const n = numberValue(op);
      if (n < 0) throw new BadRequestException("Invalid remaining value specified"); // unverified wording
      rec.remaining = n;
    }
    t.usage.put(key, rec);
    keysChanged();
    const today = dayOf(now);
    return {
      usagePlanId: plan.id,
      startDate: period,
      endDate: today,
      items: { [input.keyId]: usageItems(ctx, plan, input.keyId, parseDay(period), parseDay(today)) },
    };
  });
}

export const usagePlans = {
  createUsagePlan,
  getUsagePlan: (input, ctx) => planOut(getPlan(ctx, input.usagePlanId)),
  getUsagePlans,
  updateUsagePlan,
  deleteUsagePlan,
  createUsagePlanKey,
  getUsagePlanKey,
  getUsagePlanKeys,
  deleteUsagePlanKey,
  getUsage,
  updateUsage,
} satisfies Partial<ApiGatewayApi>;
