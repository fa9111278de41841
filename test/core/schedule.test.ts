// AWS schedule expressions: rate(), 6-field cron() and at() parsing, refusals worded by the caller, next fire times.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isTimeZone, nextCronTime, nextFireTime, parseCron, parseSchedule, type Schedule, zoneInstant } from "../../src/core/schedule.js";

class Bad extends Error {}
const fail = (reason: string) => new Bad(reason);
const parse = (expr: string, strictPlural = false) => parseSchedule(expr, fail, { strictPlural });
const cron = (body: string) => parseCron(body, fail);
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
/** The next `n` fire times of a cron body after `from`. */
function fires(body: string, from: number, n = 3): (string | undefined)[] {
  const c = cron(body),
    out: (string | undefined)[] = [];
  for (let t: number | undefined = from; out.length < n; ) out.push(iso((t = t === undefined ? undefined : nextCronTime(c, t))));
  return out;
}

test("rate(): minutes, hours, days, singular or plural, whitespace", () => {
  assert.deepEqual(parse("rate(1 minute)"), { kind: "rate", value: 1, unit: "minute", plural: false, ms: 60_000 });
  assert.deepEqual(parse("rate(5 minutes)"), { kind: "rate", value: 5, unit: "minute", plural: true, ms: 300_000 });
  assert.deepEqual(parse("rate(2 hours)"), { kind: "rate", value: 2, unit: "hour", plural: true, ms: 7_200_000 });
  assert.deepEqual(parse("rate( 3  days )"), { kind: "rate", value: 3, unit: "day", plural: true, ms: 3 * 86_400_000 });
  // Either form is accepted unless the caller asks for AWS's EventBridge rule (singular only for 1).
  assert.equal((parse("rate(1 days)") as { ms: number }).ms, 86_400_000);
  assert.equal((parse("rate(5 day)") as { ms: number }).ms, 5 * 86_400_000);
  assert.throws(() => parse("rate(1 days)", true), Bad);
  assert.throws(() => parse("rate(5 day)", true), Bad);
  assert.equal(parse("rate(1 day)", true).kind, "rate");
  assert.equal(parse("rate(5 days)", true).kind, "rate");
  for (const e of [
    "rate(0 minutes)",
    "rate(-1 hours)",
    "rate(1.5 hours)",
    "rate(5 weeks)",
    "rate(5 Hours)",
    "rate(5hours)",
    "rate()",
    "RATE(5 hours)",
    "rate(5 hours) ",
  ]) {
    assert.throws(() => parse(e), Bad, e);
  }
});

test("every refusal is the caller's error, whatever the reason", () => {
  class Mine extends Error {}
  const reasons: string[] = [];
  for (const e of ["every day", "cron(0 0 * * * *)", "cron(61 0 ? * * *)", "cron(0 0 ? * * * *)", "at(2030-02-30T00:00:00)"]) {
    assert.throws(
      () => parseSchedule(e, (r) => (reasons.push(r), new Mine(`Invalid: ${e}`))),
      (err: Error) => err instanceof Mine && err.message === `Invalid: ${e}`,
    );
  }
  assert.equal(reasons.length, 5);
  assert.ok(reasons.every((r) => r.length > 0));
});

test("cron(): six fields, names, lists, ranges, steps", () => {
  const c = cron("0/15 9-17 ? JAN,jun-AUG MON-FRI 2027-2029");
  assert.deepEqual([...c.minutes], [0, 15, 30, 45]);
  assert.deepEqual([...c.hours], [9, 10, 11, 12, 13, 14, 15, 16, 17]);
  assert.deepEqual([...c.months], [1, 6, 7, 8]);
  assert.deepEqual([...c.dow.days], [2, 3, 4, 5, 6]);
  assert.deepEqual([...c.years!], [2027, 2028, 2029]);
  assert.equal(c.dom.any, true);
  assert.deepEqual([...cron("*/20 */8 1,15 * ? *").hours], [0, 8, 16]);
  assert.deepEqual([...cron("5 0 10-20/5 * ? *").dom.days], [10, 15, 20]);
  assert.equal(cron("0 0 1 * ? *").years, null);
  assert.equal(parse("cron(0 12 * * ? *)").kind, "cron");
});

test("cron(): refusals", () => {
  for (const body of [
    "0 0 * * *", // five fields
    "0 0 1 * ? * *", // seven
    "0 0 * * * *", // neither day field is ?
    "0 0 ? * ? *", // both are
    "60 0 ? * * *",
    "0 24 ? * * *",
    "0 0 32 * ? *",
    "0 0 0 * ? *",
    "0 0 ? 13 * *",
    "0 0 ? * 8 *",
    "0 0 ? * 0 *",
    "0 0 1 * ? 1969",
    "0 0 1 * ? 2200",
    "5-1 0 ? * * *", // backwards range
    "*/0 0 ? * * *",
    "0/x 0 ? * * *", // steps
    "0 0 ? FOO * *",
    "0 0 ? * MONDAY *",
    "a 0 ? * * *",
    "1,,2 0 ? * * *",
    "0 0 LW * ? *",
    "0 0 ? * 2/2 *", // no step in day-of-week (AWS's table of wildcards)
    "*/60 * ? * * *", // a step past the field
    "0 0/24 ? * * *",
    "0 0 ? * MON/2 *",
    "0 0 L/2 * ? *",
    "0 0 ? * MON#6 *",
    "0 0 ? * 9#1 *",
    "0 0 32W * ? *",
  ])
    assert.throws(() => cron(body), Bad, body);
  assert.throws(() => parse("cron 0 0 1 * ? *"), Bad);
});

test("cron(): L, W and # in the day fields", () => {
  assert.equal(cron("0 0 L * ? *").dom.last, true);
  assert.equal(cron("0 0 15W * ? *").dom.weekday, 15);
  assert.deepEqual(cron("0 0 ? * MON#2 *").dow.nth, [2, 2]);
  assert.equal(cron("0 0 ? * 6L *").dow.lastOf, 6);
  assert.equal(cron("0 0 ? * FRIL *").dow.lastOf, 6);
});

test("next cron times: within a day, across month and year ends, leap years", () => {
  // Every 15 minutes: strictly after, so a time on the schedule moves to the next one.
  assert.deepEqual(fires("0/15 * * * ? *", utc(2026, 12, 31, 23, 30)), ["2026-12-31T23:45:00.000Z", "2027-01-01T00:00:00.000Z", "2027-01-01T00:15:00.000Z"]);
  // Last day of the month, through February of a leap year and not.
  assert.deepEqual(fires("30 6 L * ? *", utc(2028, 1, 31, 7)), ["2028-02-29T06:30:00.000Z", "2028-03-31T06:30:00.000Z", "2028-04-30T06:30:00.000Z"]);
  assert.deepEqual(fires("0 0 L FEB ? *", utc(2026, 6, 1)), ["2027-02-28T00:00:00.000Z", "2028-02-29T00:00:00.000Z", "2029-02-28T00:00:00.000Z"]);
  // Day 31 skips the short months; a year field ends the schedule.
  assert.deepEqual(fires("0 12 31 * ? 2027", utc(2027, 10, 31, 13)), ["2027-12-31T12:00:00.000Z", undefined, undefined]);
  // Year end, named months and days of week.
  assert.deepEqual(fires("0 9 ? DEC,JAN MON *", utc(2026, 12, 28, 10)), ["2027-01-04T09:00:00.000Z", "2027-01-11T09:00:00.000Z", "2027-01-18T09:00:00.000Z"]);
  assert.deepEqual(fires("0 8,20 1 */6 ? *", utc(2026, 12, 5)), ["2027-01-01T08:00:00.000Z", "2027-01-01T20:00:00.000Z", "2027-07-01T08:00:00.000Z"]);
});

test("next cron times: nearest weekday (W), n-th (#) and last (L) weekday of the month", () => {
  // 2027-05-01 is a Saturday: 1W moves forward to Monday the 3rd (not back into April); 2027-02-15 is a Monday.
  assert.deepEqual(fires("0 0 1W * ? *", utc(2027, 4, 2)), ["2027-05-03T00:00:00.000Z", "2027-06-01T00:00:00.000Z", "2027-07-01T00:00:00.000Z"]);
  // 15W: 2027-08-15 is a Sunday -> Monday 16th; 2027-05-15 a Saturday -> Friday 14th.
  assert.deepEqual(fires("0 0 15W * ? *", utc(2027, 4, 30)), ["2027-05-14T00:00:00.000Z", "2027-06-15T00:00:00.000Z", "2027-07-15T00:00:00.000Z"]);
  assert.equal(iso(nextCronTime(cron("0 0 15W * ? *"), utc(2027, 8, 1))), "2027-08-16T00:00:00.000Z");
  // 31W in a 30-day month aims at the 30th; 2027-10-31 is a Sunday -> Friday 29th.
  assert.equal(iso(nextCronTime(cron("0 0 31W * ? *"), utc(2027, 10, 1))), "2027-10-29T00:00:00.000Z");
  // Second Monday; fifth Friday only in months that have one.
  assert.deepEqual(fires("0 16 ? * MON#2 *", utc(2026, 12, 15)), ["2027-01-11T16:00:00.000Z", "2027-02-08T16:00:00.000Z", "2027-03-08T16:00:00.000Z"]);
  assert.deepEqual(fires("0 0 ? * 6#5 *", utc(2027, 1, 1)), ["2027-01-29T00:00:00.000Z", "2027-04-30T00:00:00.000Z", "2027-07-30T00:00:00.000Z"]);
  // Last Friday of each month, across the year end.
  assert.deepEqual(fires("0 0 ? * 6L *", utc(2026, 12, 26)), ["2027-01-29T00:00:00.000Z", "2027-02-26T00:00:00.000Z", "2027-03-26T00:00:00.000Z"]);
});

test("at(): one time, UTC; impossible dates refused", () => {
  assert.deepEqual(parse("at(2028-02-29T23:59:59)"), { kind: "at", at: utc(2028, 2, 29, 23, 59, 59) });
  for (const e of [
    "at(2027-02-29T00:00:00)",
    "at(2027-13-01T00:00:00)",
    "at(2027-01-01T24:00:00)",
    "at(2027-01-01T00:60:00)",
    "at(2027-01-01)",
    "at(2027-01-01 00:00:00)",
  ]) {
    assert.throws(() => parse(e), Bad, e);
  }
  const s = parse("at(2027-01-01T00:00:00)");
  assert.equal(nextFireTime(s, utc(2026, 12, 31)), utc(2027, 1, 1));
  assert.equal(nextFireTime(s, utc(2027, 1, 1)), undefined);
});

test("nextFireTime(): rates count whole intervals from their base; crons from `after`", () => {
  const hourly = parse("rate(1 hour)");
  const base = utc(2026, 12, 31, 22, 10);
  assert.equal(iso(nextFireTime(hourly, base, base)), "2026-12-31T23:10:00.000Z");
  assert.equal(iso(nextFireTime(hourly, utc(2026, 12, 31, 23, 10), base)), "2027-01-01T00:10:00.000Z");
  assert.equal(iso(nextFireTime(hourly, utc(2027, 1, 1, 5, 0), base)), "2027-01-01T05:10:00.000Z");
  assert.equal(iso(nextFireTime(hourly, utc(2027, 1, 1, 5, 0))), "2027-01-01T06:00:00.000Z");
  const c: Schedule = parse("cron(0 0 1 1 ? *)");
  assert.equal(iso(nextFireTime(c, utc(2026, 12, 31, 23, 59))), "2027-01-01T00:00:00.000Z");
});

test("cron(): L alone in day-of-week is Saturday; AWS's exact rate() spelling", () => {
  assert.deepEqual([...cron("0 0 ? * L *").dow.days], [7]);
  const exact = (e: string) => parseSchedule(e, fail, { strictPlural: true, exactSpacing: true });
  assert.equal(exact("rate(10 minutes)").kind, "rate");
  for (const e of ["rate( 10 minutes )", "rate(10  minutes)", " rate(10 minutes)", "rate(1 minutes)", "rate(2 minute)"]) assert.throws(() => exact(e), Bad, e);
});

test("next cron times in a time zone, through both DST changes (a skipped wall time does not fire, a repeated one fires once)", () => {
  const next = (body: string, from: number, tz: string, n = 3) => {
    const c = cron(body),
      out: (string | undefined)[] = [];
    for (let t: number | undefined = from; out.length < n && t !== undefined; ) out.push(iso((t = nextCronTime(c, t, tz))));
    return out;
  };
  const table: [string, number, string, (string | undefined)[]][] = [
    // 09:00 New York: EST (UTC-5) before 2027-03-14, EDT (UTC-4) after.
    ["0 9 * * ? *", utc(2027, 3, 12, 15), "America/New_York", ["2027-03-13T14:00:00.000Z", "2027-03-14T13:00:00.000Z", "2027-03-15T13:00:00.000Z"]],
    // 02:30 does not exist in New York on 2027-03-14: that day is skipped.
    ["30 2 * * ? *", utc(2027, 3, 13, 12), "America/New_York", ["2027-03-15T06:30:00.000Z", "2027-03-16T06:30:00.000Z", "2027-03-17T06:30:00.000Z"]],
    // 01:30 happens twice on 2027-11-07 (EDT, then EST): once, at the first.
    ["30 1 * * ? *", utc(2027, 11, 6, 12), "America/New_York", ["2027-11-07T05:30:00.000Z", "2027-11-08T06:30:00.000Z", "2027-11-09T06:30:00.000Z"]],
    // Every 30 minutes across Europe/Berlin's spring forward (02:00 → 03:00 on 2027-03-28).
    ["0/30 * * * ? *", utc(2027, 3, 28, 0, 15), "Europe/Berlin", ["2027-03-28T00:30:00.000Z", "2027-03-28T01:00:00.000Z", "2027-03-28T01:30:00.000Z"]],
    // A half-hour zone, and the day boundary in local time: Kolkata midnight is 18:30 UTC the day before.
    ["0 0 1 * ? *", utc(2027, 1, 15), "Asia/Kolkata", ["2027-01-31T18:30:00.000Z", "2027-02-28T18:30:00.000Z", "2027-03-31T18:30:00.000Z"]],
    // Southern hemisphere: Sydney leaves DST on 2027-04-04 (UTC+11 → +10); weekdays are Sydney's.
    ["0 8 ? * MON *", utc(2027, 3, 28), "Australia/Sydney", ["2027-03-28T21:00:00.000Z", "2027-04-04T22:00:00.000Z", "2027-04-11T22:00:00.000Z"]],
    // UTC is the plain computation.
    ["0 12 * * ? *", utc(2027, 1, 1, 13), "UTC", ["2027-01-02T12:00:00.000Z", "2027-01-03T12:00:00.000Z", "2027-01-04T12:00:00.000Z"]],
  ];
  for (const [body, from, tz, want] of table) assert.deepEqual(next(body, from, tz), want, `${body} ${tz}`);
  assert.equal(zoneInstant(utc(2027, 7, 1, 12), "Europe/London"), utc(2027, 7, 1, 11));
  assert.equal(isTimeZone("America/Los_Angeles"), true);
  assert.equal(isTimeZone("Mars/Olympus"), false);
});
