// A canary's Schedule.Expression: `rate(n minute|minutes|hour|hours)` between 1 minute and 1 hour, `rate(0 minute)`
// (or `rate(0 hour)`) for a canary that runs once when started, or a `cron(...)` (CloudWatch_Synthetics_Canaries_cron,
// the Schedule field of CreateCanary's API reference). Next run times come from core/schedule.ts.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { nextFireTime, parseSchedule, type Schedule } from "../../core/schedule.js";
import { ValidationException } from "./api.generated.js";

export type CanarySchedule = Schedule | { kind: "once" };

export function parseCanarySchedule(expr: string): CanarySchedule {
  if (/^rate\(\s*0\s+(minute|minutes|hour|hours)\s*\)$/.test(expr)) return { kind: "once" };
  const invalid = () => new ValidationException(`Invalid schedule expression: ${expr}`); // unverified wording
  const s = parseSchedule(expr, invalid);
  if (s.kind === "at" || (s.kind === "rate" && (s.unit === "day" || s.ms > 3_600_000))) throw invalid();
  return s;
}

/** When the run after one at `after` is due (rate: counted from `base`, the start), or undefined for a run-once. */
export function nextRun(s: CanarySchedule, after: number, base: number): number | undefined {
  return s.kind === "once" ? undefined : nextFireTime(s, after, base);
}

/** AWS's default TimeoutInSeconds: the schedule's frequency, at most 14 minutes (840 s). */
export function defaultTimeout(s: CanarySchedule): number {
  return s.kind === "rate" ? Math.min(840, s.ms / 1000) : 840;
}

/** A Chromium this machine has: STRATUS_CHROMIUM, else chromium / chromium-browser / google-chrome on the PATH. */
export function findChromium(): string | null {
  const forced = process.env.STRATUS_CHROMIUM;
  if (forced) return existsSync(forced) ? forced : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean))
    for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  return null;
}
