// Usage plans' bookkeeping shared by the control plane (keys.ts: GetUsage, UpdateUsage) and the execute-api
// endpoint (execute/access/limits.ts counts each request): quota periods, the usage records' keys, and a
// generation number the control plane bumps on every key or plan change so the endpoint's lookups (which key
// value belongs to which plan for an API stage) stay cached between changes.
import type { QuotaSettings } from "./api.generated.js";
import type { UsageRec } from "./state.js";

let generation = 0;
/** Bumped by every write to API keys, usage plans and usage plan keys. */
export const keysChanged = (): void => {
  generation++;
};
export const keysGeneration = (): number => generation;

const DAY_MS = 86_400_000;

/** "YYYY-MM-DD" of an epoch-ms time, UTC. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Epoch ms of a "YYYY-MM-DD" day (UTC midnight); NaN when it is not one. */
export function parseDay(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return Number.NaN;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || dayOf(ms) !== day ? Number.NaN : ms;
}

/**
 * The first day of the quota period holding `ms`: UTC days; a WEEK starts on weekday `offset` (0 = Sunday), a
 * MONTH on day `offset + 1` of the month, as the quota's offset is documented ("The day that a time period starts.
 * For example, with a time period of WEEK, an offset of 0 means Sunday, and an offset of 1 means Monday.",
 * AWS::ApiGateway::UsagePlan QuotaSettings). Without a quota, usage is kept per day.
 */
export function periodStart(quota: QuotaSettings | undefined, ms: number): string {
  const d = new Date(ms);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const offset = quota?.offset ?? 0;
  switch (quota?.period) {
    case "WEEK":
      return dayOf(day - ((d.getUTCDay() - offset + 7) % 7) * DAY_MS);
    case "MONTH": {
      const start = offset + 1;
      if (d.getUTCDate() >= start) return dayOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), start));
      return dayOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, start));
    }
    default:
      return dayOf(day);
  }
}

/** The usage table's key: "<usagePlanId>/<keyId>/<period start>". */
export const usageKey = (planId: string, keyId: string, period: string): string => `${planId}/${keyId}/${period}`;

/** What is left of the quota in a period's record (an UpdateUsage override wins over limit − used). */
export function remainingOf(quota: QuotaSettings | undefined, rec: UsageRec | undefined): number {
  if (rec?.remaining !== undefined) return rec.remaining;
  return Math.max(0, (quota?.limit ?? 0) - (rec?.used ?? 0));
}

/** Counts one request in a period's record (a new record when there is none). */
export function countRequest(rec: UsageRec | undefined, ms: number): UsageRec {
  const day = dayOf(ms);
  const out: UsageRec = rec ?? { days: {}, used: 0 };
  out.days[day] = (out.days[day] ?? 0) + 1;
  out.used++;
  if (out.remaining !== undefined) out.remaining = Math.max(0, out.remaining - 1);
  return out;
}

export { DAY_MS };
