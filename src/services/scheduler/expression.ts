// A schedule's timing: ScheduleExpression parsed as Scheduler takes it (at(), rate(), six-field cron() through
// core/schedule.ts), its time zone, StartDate/EndDate, and the next firing — its instant on the schedule and the
// instant it fires, drawn within the flexible window from a hash of the schedule and that instant, so the same
// firing is drawn at the same time after a restart.
import { createHash } from "node:crypto";
import { isTimeZone, nextFireTime, parseSchedule, type Schedule, zoneInstant } from "../../core/schedule.js";
import { type FlexibleTimeWindow, ValidationException } from "./api.generated.js";
import type { ScheduleRec } from "./state.js";

/** `Invalid Schedule Expression <expr>.` — AWS's wording, as LocalStack's AWS-recorded snapshots
 *  (tests/aws/services/scheduler/test_scheduler.snapshot.json) hold it, for any malformed at(), rate() or cron(). */
export function parseScheduleExpression(expr: string): Schedule {
  return parseSchedule(expr, () => new ValidationException(`Invalid Schedule Expression ${expr}.`), { strictPlural: true, exactSpacing: true });
}

export interface Timing {
  expression: string;
  timezone?: string;
  startDate?: number;
  endDate?: number;
  flexible: FlexibleTimeWindow;
}

/** Checks what CreateSchedule/UpdateSchedule take about time; `now` for at() in the past. */
export function checkTiming(t: Timing, now: number): Schedule {
  const s = parseScheduleExpression(t.expression);
  if (t.timezone !== undefined && !isTimeZone(t.timezone)) throw new ValidationException(`Invalid ScheduleExpressionTimezone ${t.timezone}.`); // unverified wording
  if (t.startDate !== undefined && t.endDate !== undefined && t.endDate <= t.startDate)
    throw new ValidationException("The EndDate must be after the StartDate."); // unverified wording
  if (t.endDate !== undefined && t.endDate <= now) throw new ValidationException("The EndDate must be in the future."); // unverified wording
  if (s.kind === "at" && zoneInstant(s.at, t.timezone) <= now)
    // AWS refuses a one-time schedule whose time has passed (DefangLabs/pulumi-defang#425 observes it at create).
    throw new ValidationException(`The schedule expression ${t.expression} is in the past.`); // unverified wording
  const f = t.flexible;
  if (f.Mode === "FLEXIBLE" && f.MaximumWindowInMinutes === undefined)
    throw new ValidationException("MaximumWindowInMinutes must be provided when Mode is FLEXIBLE."); // unverified wording
  if (f.Mode === "OFF" && f.MaximumWindowInMinutes !== undefined)
    throw new ValidationException("MaximumWindowInMinutes must not be provided when Mode is OFF."); // unverified wording
  return s;
}

const MINUTE = 60_000;

/** Where in the flexible window a firing falls: the same offset for the same schedule and instant, every time. */
export function windowOffset(arn: string, nominal: number, f: FlexibleTimeWindow): number {
  if (f.Mode !== "FLEXIBLE" || !f.MaximumWindowInMinutes) return 0;
  const h = createHash("sha256").update(`${arn}|${nominal}`).digest();
  return h.readUIntBE(0, 6) % (f.MaximumWindowInMinutes * MINUTE);
}

/**
 * The schedule's first firing strictly after `after` within StartDate/EndDate — undefined when none is left. A rate()
 * counts from StartDate, else from its creation; cron() and at() read the wall clock of ScheduleExpressionTimezone.
 */
export function nextFiring(rec: ScheduleRec, after: number): ScheduleRec["next"] {
  const s = parseScheduleExpression(rec.expression);
  const from = rec.startDate !== undefined ? Math.max(after, rec.startDate - 1) : after;
  let nominal: number | undefined;
  if (s.kind === "at") {
    const at = zoneInstant(s.at, rec.timezone);
    nominal = at > from ? at : undefined;
  } else nominal = nextFireTime(s, from, rec.startDate ?? rec.created, rec.timezone);
  if (nominal === undefined || (rec.endDate !== undefined && nominal > rec.endDate)) return undefined;
  return { nominal, due: nominal + windowOffset(rec.arn, nominal, rec.flexible) };
}
