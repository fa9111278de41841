// Rotation schedules: RotationRules validation (AutomaticallyAfterDays, rate()/cron() ScheduleExpression,
// Duration) and the next rotation date DescribeSecret reports, computed from stored timestamps.
import { type Cron, nextCronTime, parseSchedule } from "../../core/schedule.js";
import type { RotationRulesType } from "./api.generated.js";
import { InvalidParameterException } from "./api.generated.js";
import type { RotationRec } from "./state.js";

const DAY = 24 * 3_600_000;

const bad = (expr: string) => new InvalidParameterException(`Invalid ScheduleExpression: ${expr}`);

/** Rotation takes rate() in hours or days and cron(); every refusal has the one message. */
function parseExpression(expr: string): { every: number } | { cron: Cron } {
  const p = parseSchedule(expr, () => bad(expr));
  if (p.kind === "cron") return { cron: p.cron };
  // Rotation can be scheduled at most every four hours and at least every 1000 days.
  if (p.kind !== "rate" || p.unit === "minute" || (p.unit === "hour" ? p.value < 4 || p.value > 23 : p.value > 1000)) throw bad(expr);
  return { every: p.ms };
}

export function validateRules(rules: RotationRulesType | undefined): void {
  if (!rules) return;
  if (rules.AutomaticallyAfterDays !== undefined && rules.ScheduleExpression !== undefined) {
    throw new InvalidParameterException("You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.");
  }
  if (rules.ScheduleExpression !== undefined) parseExpression(rules.ScheduleExpression);
  if (rules.Duration !== undefined) {
    const hours = Number(/^(\d+)h$/.exec(rules.Duration)?.[1]);
    if (!(hours >= 1 && hours <= 24))
      throw new InvalidParameterException(`Invalid Duration: ${rules.Duration}. The rotation window must be between 1h and 24h.`);
  }
}

/** When the next automatic rotation falls due: from the last rotation (or configuration) plus the interval, or the next cron time. */
export function nextRotationDate(rot: RotationRec, created: number, now: number): number | undefined {
  const rules = rot.rules;
  if (!rules) return undefined;
  const base = Math.max(rot.lastRotated ?? rot.configuredAt ?? created, rot.lastAttempt ?? 0);
  if (rules.AutomaticallyAfterDays !== undefined) return base + rules.AutomaticallyAfterDays * DAY;
  if (rules.ScheduleExpression === undefined) return undefined;
  const p = parseExpression(rules.ScheduleExpression);
  return "every" in p ? base + p.every : nextCronTime(p.cron, Math.max(base, now));
}
