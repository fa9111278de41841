// AWS schedule expressions — rate(), 6-field cron() and at() — parsed once for every service that takes
// one (Secrets Manager rotation; EventBridge, Scheduler, Synthetics), with the next fire time on UTC.
// Each service words its own errors: every failure goes through the caller's `fail(reason)`, whose
// returned error is thrown; `reason` is a plain description the caller may use or ignore.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** Turns a reason into the caller's error, which the parser throws. */
export type ScheduleFail = (reason: string) => Error;

export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  /** Day-of-month: numbers, or "L" (last day), or "<n>W" (nearest weekday). */
  dom: { any: boolean; days: Set<number>; last: boolean; weekday?: number };
  months: Set<number>;
  /** Day-of-week 1 (SUN) … 7 (SAT); "<d>#<n>" the n-th such day; "<d>L" the last. */
  dow: { any: boolean; days: Set<number>; nth?: [number, number]; lastOf?: number };
  years: Set<number> | null;
}

export type RateUnit = "minute" | "hour" | "day";

export type Schedule =
  /** `ms` is value × unit; `plural` whether the unit was written with an "s". */
  | { kind: "rate"; value: number; unit: RateUnit; plural: boolean; ms: number }
  | { kind: "cron"; cron: Cron }
  /** Epoch ms of `at(yyyy-mm-ddThh:mm:ss)`, read as UTC. */
  | { kind: "at"; at: number };

export interface ScheduleOptions {
  /** AWS's EventBridge/Scheduler rule: "1 minute", "5 minutes". Default false (either form accepted). */
  strictPlural?: boolean;
}

function field(spec: string, min: number, max: number, names: string[] | undefined, fail: ScheduleFail): Set<number> {
  const out = new Set<number>();
  const num = (s: string) => {
    const i = names?.indexOf(s.toUpperCase()) ?? -1;
    const n = i >= 0 ? i + min : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= min && n <= max)) throw fail(`"${s}" is not a value between ${min} and ${max}`);
    return n;
  };
  for (const part of spec.split(",")) {
    const [range, stepS] = part.split("/");
    const step = stepS === undefined ? 1 : Number(stepS);
    if (!Number.isInteger(step) || step < 1) throw fail(`invalid step in "${part}"`);
    let lo: number, hi: number;
    if (range === "*") [lo, hi] = [min, max];
    else if (range.includes("-")) [lo, hi] = range.split("-").map(num) as [number, number];
    else [lo, hi] = [num(range), stepS === undefined ? num(range) : max];
    if (lo > hi) throw fail(`range "${range}" runs backwards`);
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

/** The inside of `cron(...)`: minutes hours day-of-month month day-of-week year; one of the day fields `?`. */
export function parseCron(body: string, fail: ScheduleFail): Cron {
  const f = body.trim().split(/\s+/);
  if (f.length !== 6) throw fail("a cron expression has 6 fields");
  const [mi, h, dom, mo, dow, y] = f;
  if ((dom === "?") === (dow === "?")) throw fail("exactly one of day-of-month and day-of-week must be ?");
  const cron: Cron = {
    minutes: field(mi, 0, 59, undefined, fail),
    hours: field(h, 0, 23, undefined, fail),
    dom: { any: dom === "?" || dom === "*", days: new Set(), last: false },
    months: field(mo, 1, 12, MONTHS, fail),
    dow: { any: dow === "?" || dow === "*", days: new Set() },
    years: y === "*" ? null : field(y, 1970, 2199, undefined, fail),
  };
  if (!cron.dom.any) {
    if (dom === "L") cron.dom.last = true;
    else if (/^\d+W$/.test(dom)) cron.dom.weekday = [...field(dom.slice(0, -1), 1, 31, undefined, fail)][0];
    else cron.dom.days = field(dom, 1, 31, undefined, fail);
  }
  if (!cron.dow.any) {
    const nth = /^(\w+)#([1-5])$/.exec(dow);
    const last = /^(\w+)L$/.exec(dow);
    if (nth) cron.dow.nth = [[...field(nth[1], 1, 7, DAYS, fail)][0], Number(nth[2])];
    else if (last) cron.dow.lastOf = [...field(last[1], 1, 7, DAYS, fail)][0];
    else cron.dow.days = field(dow, 1, 7, DAYS, fail);
  }
  return cron;
}

function dayMatches(c: Cron, d: Date): boolean {
  const y = d.getUTCFullYear(),
    m = d.getUTCMonth(),
    day = d.getUTCDate(),
    wd = d.getUTCDay() + 1;
  const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  if (c.years && !c.years.has(y)) return false;
  if (!c.months.has(m + 1)) return false;
  if (!c.dom.any) {
    if (c.dom.last) return day === daysInMonth;
    if (c.dom.weekday !== undefined) {
      let target = Math.min(c.dom.weekday, daysInMonth);
      const twd = new Date(Date.UTC(y, m, target)).getUTCDay();
      if (twd === 6) target = target > 1 ? target - 1 : target + 2;
      else if (twd === 0) target = target < daysInMonth ? target + 1 : target - 2;
      return day === target;
    }
    return c.dom.days.has(day);
  }
  if (!c.dow.any) {
    if (c.dow.nth) return wd === c.dow.nth[0] && Math.ceil(day / 7) === c.dow.nth[1];
    if (c.dow.lastOf !== undefined) return wd === c.dow.lastOf && day + 7 > daysInMonth;
    return c.dow.days.has(wd);
  }
  return true;
}

/** The first cron fire time strictly after `after` (epoch ms, UTC), searched up to 5 years ahead. */
export function nextCronTime(c: Cron, after: number): number | undefined {
  const start = new Date(Math.floor(after / DAY) * DAY);
  const hours = [...c.hours].sort((a, b) => a - b),
    minutes = [...c.minutes].sort((a, b) => a - b);
  for (let i = 0; i < 5 * 366; i++) {
    const d = new Date(start.getTime() + i * DAY);
    if (!dayMatches(c, d)) continue;
    for (const h of hours)
      for (const mi of minutes) {
        const t = d.getTime() + h * HOUR + mi * MINUTE;
        if (t > after) return t;
      }
  }
  return undefined;
}

const UNIT_MS: Record<RateUnit, number> = { minute: MINUTE, hour: HOUR, day: DAY };

/** Parses `rate(...)`, `cron(...)` or `at(...)`; anything else, or a malformed body, throws `fail(reason)`. */
export function parseSchedule(expr: string, fail: ScheduleFail, opts: ScheduleOptions = {}): Schedule {
  const rate = /^rate\(\s*(\d+)\s+(minute|hour|day)(s?)\s*\)$/.exec(expr);
  if (rate) {
    const value = Number(rate[1]),
      unit = rate[2] as RateUnit,
      plural = rate[3] === "s";
    if (value < 1) throw fail("a rate must be a positive whole number");
    if (opts.strictPlural && plural !== value > 1) throw fail(`write "${value} ${unit}${value > 1 ? "s" : ""}"`);
    return { kind: "rate", value, unit, plural, ms: value * UNIT_MS[unit] };
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (cron) return { kind: "cron", cron: parseCron(cron[1], fail) };
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expr);
  if (at) {
    const [y, mo, d, h, mi, s] = at.slice(1).map(Number);
    const t = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(t);
    // Date.UTC rolls 2025-02-30 over into March: a round trip catches impossible dates and times.
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
      throw fail("not a valid date and time");
    }
    return { kind: "at", at: t };
  }
  throw fail("expected rate(...), cron(...) or at(...)");
}

/**
 * The first fire time strictly after `after`: a rate fires at `base` + k × interval (k ≥ 1; `base`, e.g. when the
 * schedule was created, defaults to `after`), a cron at its next match, an at() once. Undefined when none is left.
 */
export function nextFireTime(s: Schedule, after: number, base = after): number | undefined {
  switch (s.kind) {
    case "rate": {
      const k = base >= after ? 1 : Math.floor((after - base) / s.ms) + 1;
      return base + k * s.ms;
    }
    case "cron":
      return nextCronTime(s.cron, after);
    case "at":
      return s.at > after ? s.at : undefined;
  }
}
