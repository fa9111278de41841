// Rotation schedules: RotationRules validation (AutomaticallyAfterDays, rate()/cron() ScheduleExpression,
// Duration) and the next rotation date DescribeSecret reports, computed from stored timestamps.
import type { RotationRulesType } from "./api.generated.js";
import { InvalidParameterException } from "./api.generated.js";
import type { RotationRec } from "./state.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  /** Day-of-month: numbers, or "L" (last day), or "<n>W" (nearest weekday). */
  dom: { any: boolean; days: Set<number>; last: boolean; weekday?: number };
  months: Set<number>;
  /** Day-of-week 1 (SUN) … 7 (SAT); "<d>#<n>" the n-th such day; "<d>L" the last. */
  dow: { any: boolean; days: Set<number>; nth?: [number, number]; lastOf?: number };
  years: Set<number> | null;
}

const bad = (expr: string) => new InvalidParameterException(`Invalid ScheduleExpression: ${expr}`);

function field(spec: string, min: number, max: number, names: string[] | undefined, expr: string): Set<number> {
  const out = new Set<number>();
  const num = (s: string) => {
    const i = names?.indexOf(s.toUpperCase()) ?? -1;
    const n = i >= 0 ? i + min : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= min && n <= max)) throw bad(expr);
    return n;
  };
  for (const part of spec.split(",")) {
    const [range, stepS] = part.split("/");
    const step = stepS === undefined ? 1 : Number(stepS);
    if (!Number.isInteger(step) || step < 1) throw bad(expr);
    let lo: number, hi: number;
    if (range === "*") [lo, hi] = [min, max];
    else if (range.includes("-")) [lo, hi] = range.split("-").map(num) as [number, number];
    else [lo, hi] = [num(range), stepS === undefined ? num(range) : max];
    if (lo > hi) throw bad(expr);
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

function parseCron(expr: string, body: string): Cron {
  const f = body.trim().split(/\s+/);
  if (f.length !== 6) throw bad(expr);
  const [mi, h, dom, mo, dow, y] = f;
  if ((dom === "?") === (dow === "?")) throw bad(expr);
  const cron: Cron = {
    minutes: field(mi, 0, 59, undefined, expr),
    hours: field(h, 0, 23, undefined, expr),
    dom: { any: dom === "?" || dom === "*", days: new Set(), last: false },
    months: field(mo, 1, 12, MONTHS, expr),
    dow: { any: dow === "?" || dow === "*", days: new Set() },
    years: y === "*" ? null : field(y, 1970, 2199, undefined, expr),
  };
  if (!cron.dom.any) {
    if (dom === "L") cron.dom.last = true;
    else if (/^\d+W$/.test(dom)) cron.dom.weekday = [...field(dom.slice(0, -1), 1, 31, undefined, expr)][0];
    else cron.dom.days = field(dom, 1, 31, undefined, expr);
  }
  if (!cron.dow.any) {
    const nth = /^(\w+)#([1-5])$/.exec(dow);
    const last = /^(\w+)L$/.exec(dow);
    if (nth) cron.dow.nth = [[...field(nth[1], 1, 7, DAYS, expr)][0], Number(nth[2])];
    else if (last) cron.dow.lastOf = [...field(last[1], 1, 7, DAYS, expr)][0];
    else cron.dow.days = field(dow, 1, 7, DAYS, expr);
  }
  return cron;
}

function dayMatches(c: Cron, d: Date): boolean {
  const y = d.getUTCFullYear(), m = d.getUTCMonth(), day = d.getUTCDate(), wd = d.getUTCDay() + 1;
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

/** The first cron fire time strictly after `after` (epoch ms), searched up to 5 years ahead. */
function nextCron(c: Cron, after: number): number | undefined {
  const start = new Date(Math.floor(after / DAY) * DAY);
  const hours = [...c.hours].sort((a, b) => a - b), minutes = [...c.minutes].sort((a, b) => a - b);
  for (let i = 0; i < 5 * 366; i++) {
    const d = new Date(start.getTime() + i * DAY);
    if (!dayMatches(c, d)) continue;
    for (const h of hours) for (const mi of minutes) {
      const t = d.getTime() + h * HOUR + mi * 60_000;
      if (t > after) return t;
    }
  }
  return undefined;
}

type Parsed = { every: number } | { cron: Cron };

function parseExpression(expr: string): Parsed {
  const rate = /^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    const hours = rate[2].startsWith("hour");
    // Rotation can be scheduled at most every four hours and at least every 1000 days.
    if (hours ? n < 4 || n > 23 : n < 1 || n > 1000) throw bad(expr);
    return { every: n * (hours ? HOUR : DAY) };
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (cron) return { cron: parseCron(expr, cron[1]) };
  throw bad(expr);
}

export function validateRules(rules: RotationRulesType | undefined): void {
  if (!rules) return;
  if (rules.AutomaticallyAfterDays !== undefined && rules.ScheduleExpression !== undefined) {
    throw new InvalidParameterException("You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.");
  }
  if (rules.ScheduleExpression !== undefined) parseExpression(rules.ScheduleExpression);
  if (rules.Duration !== undefined) {
    const hours = Number(/^(\d+)h$/.exec(rules.Duration)?.[1]);
    if (!(hours >= 1 && hours <= 24)) throw new InvalidParameterException(`Invalid Duration: ${rules.Duration}. The rotation window must be between 1h and 24h.`);
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
  return "every" in p ? base + p.every : nextCron(p.cron, Math.max(base, now));
}
