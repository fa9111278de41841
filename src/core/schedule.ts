// AWS schedule expressions — rate(), 6-field cron() and at() — parsed once for every service that takes
// one (Secrets Manager rotation; EventBridge rules, EventBridge Scheduler, Synthetics), with the next fire time on
// UTC or, for Scheduler's ScheduleExpressionTimezone, in an IANA time zone (Intl, DST included).
// Each service words its own errors: every failure goes through the caller's `fail(reason)`, whose
// returned error is thrown; `reason` is a plain description the caller may use or ignore.
// The cron grammar is AWS's ("Cron expressions reference", EventBridge User Guide): the wildcards each field allows —
// minutes, hours, month, year `, - * /`; day-of-month `, - * ? / L W`; day-of-week `, - * ? L #` —, `?` in exactly one
// of the day fields, years 1970–2199, named months and days.

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
  /**
   * AWS's EventBridge/Scheduler spelling of rate(): exactly `rate(<value> <unit>)`, one space, none inside the
   * parentheses (AWS refuses `rate( 10 minutes )`: LocalStack's AWS-recorded scheduler snapshot). Default false.
   */
  exactSpacing?: boolean;
}

/** The largest step each field takes (a step past the field's span is refused, e.g. `*\/60` in minutes). */
const MAX_STEP = { minute: 59, hour: 23, dom: 31, month: 12, year: 229 } as const;

function field(spec: string, min: number, max: number, names: string[] | undefined, fail: ScheduleFail, maxStep = max): Set<number> {
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
    if (!/^\d*$/.test(stepS ?? "") || !Number.isInteger(step) || step < 1 || step > maxStep) throw fail(`invalid step in "${part}"`);
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
  // Each field's own wildcards (AWS's table): no `/` in day-of-week, `L`/`W` only in the day fields, `#` only in
  // day-of-week, `?` only in a day field.
  if (dow.includes("/")) throw fail("day-of-week takes no step");
  const cron: Cron = {
    minutes: field(mi, 0, 59, undefined, fail, MAX_STEP.minute),
    hours: field(h, 0, 23, undefined, fail, MAX_STEP.hour),
    dom: { any: dom === "?" || dom === "*", days: new Set(), last: false },
    months: field(mo, 1, 12, MONTHS, fail, MAX_STEP.month),
    dow: { any: dow === "?" || dow === "*", days: new Set() },
    years: y === "*" ? null : field(y, 1970, 2199, undefined, fail, MAX_STEP.year),
  };
  if (!cron.dom.any) {
    if (dom === "L") cron.dom.last = true;
    else if (/^\d+W$/.test(dom)) cron.dom.weekday = [...field(dom.slice(0, -1), 1, 31, undefined, fail)][0];
    else cron.dom.days = field(dom, 1, 31, undefined, fail, MAX_STEP.dom);
  }
  if (!cron.dow.any) {
    const nth = /^(\w+)#([1-5])$/.exec(dow);
    const last = /^(\w+)L$/.exec(dow);
    // `L` alone is the last day of the week, Saturday (AWS: "the last day of the month or week").
    if (dow === "L") cron.dow.days = new Set([7]);
    else if (nth) cron.dow.nth = [[...field(nth[1], 1, 7, DAYS, fail)][0], Number(nth[2])];
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

/**
 * The first cron fire time strictly after `after` (epoch ms), searched up to 5 years ahead — on UTC, or on the wall
 * clock of the IANA `timeZone`. Across a DST change a wall time that does not exist (spring forward) is skipped and
 * one that happens twice (fall back) fires once, at its first occurrence (AWS: "EventBridge Scheduler … daylight
 * saving time", Schedule types in EventBridge Scheduler).
 */
export function nextCronTime(c: Cron, after: number, timeZone?: string): number | undefined {
  const zone = timeZone && timeZone !== "UTC" ? zoneClock(timeZone) : undefined;
  // Days are walked as wall-clock dates (each a UTC midnight carrying the zone's calendar date).
  const localAfter = zone ? after + zone.offset(after) : after;
  const start = new Date(Math.floor(localAfter / DAY) * DAY);
  const hours = [...c.hours].sort((a, b) => a - b),
    minutes = [...c.minutes].sort((a, b) => a - b);
  for (let i = 0; i < 5 * 366; i++) {
    const d = new Date(start.getTime() + i * DAY);
    if (!dayMatches(c, d)) continue;
    for (const h of hours)
      for (const mi of minutes) {
        const wall = d.getTime() + h * HOUR + mi * MINUTE;
        const t = zone ? zone.instant(wall) : wall;
        if (t !== undefined && t > after) return t;
      }
  }
  return undefined;
}

/** A time zone's clock: its offset from UTC at an instant, and the first instant showing a wall time (none in a gap). */
interface ZoneClock {
  offset(t: number): number;
  instant(wall: number): number | undefined;
}
const zones = new Map<string, ZoneClock>();

/** Whether Intl knows the IANA zone name (ScheduleExpressionTimezone). */
export function isTimeZone(name: string): boolean {
  try {
    zoneClock(name);
    return true;
  } catch {
    return false;
  }
}

/** The instant a wall-clock time (epoch ms of its fields read as UTC) shows in `timeZone`; in a DST gap, an hour on. */
export function zoneInstant(wall: number, timeZone: string | undefined): number {
  if (!timeZone || timeZone === "UTC") return wall;
  const z = zoneClock(timeZone);
  return z.instant(wall) ?? wall - z.offset(wall - DAY);
}

function zoneClock(timeZone: string): ZoneClock {
  let z = zones.get(timeZone);
  if (z) return z;
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const offset = (t: number): number => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(t)) if (part.type !== "literal") p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return wall - Math.floor(t / 1000) * 1000;
  };
  const instant = (wall: number): number | undefined => {
    // The zone's offsets a day either side bracket the ones that can apply; the earliest that shows `wall` wins.
    const found = [wall - offset(wall - DAY), wall - offset(wall + DAY)].filter((t) => t + offset(t) === wall).sort((a, b) => a - b);
    return found[0];
  };
  z = { offset, instant };
  zones.set(timeZone, z);
  return z;
}

const UNIT_MS: Record<RateUnit, number> = { minute: MINUTE, hour: HOUR, day: DAY };

/** Parses `rate(...)`, `cron(...)` or `at(...)`; anything else, or a malformed body, throws `fail(reason)`. */
export function parseSchedule(expr: string, fail: ScheduleFail, opts: ScheduleOptions = {}): Schedule {
  const rate = (opts.exactSpacing ? /^rate\(()(\d+) (minute|hour|day)(s?)\)$/ : /^rate\((\s*)(\d+)\s+(minute|hour|day)(s?)\s*\)$/).exec(expr);
  if (rate) {
    const value = Number(rate[2]),
      unit = rate[3] as RateUnit,
      plural = rate[4] === "s";
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
export function nextFireTime(s: Schedule, after: number, base = after, timeZone?: string): number | undefined {
  switch (s.kind) {
    case "rate": {
      const k = base >= after ? 1 : Math.floor((after - base) / s.ms) + 1;
      return base + k * s.ms;
    }
    case "cron":
      return nextCronTime(s.cron, after, timeZone);
    case "at":
      return s.at > after ? s.at : undefined;
  }
}
