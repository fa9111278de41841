// The scheduler: tasks on the runtime clock, run by real timers or when a ManualClock moves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock, systemClock } from "../../src/core/clock.js";
import { Scheduler } from "../../src/core/scheduler.js";

test("with a ManualClock, tasks run in time order when the clock passes them, not before", () => {
  const clock = new ManualClock(1_000_000);
  const s = new Scheduler(clock);
  const ran: string[] = [];
  s.after(5_000, () => ran.push("b"));
  s.after(1_000, () => ran.push("a"));
  const cancel = s.after(2_000, () => ran.push("cancelled"));
  cancel();
  clock.advance(999);
  assert.deepEqual(ran, []);
  clock.advance(10_000);
  assert.deepEqual(ran, ["a", "b"]);
});

test("every() repeats until cancelled; sleep() resolves when time passes", async () => {
  const clock = new ManualClock(0);
  const s = new Scheduler(clock);
  let n = 0;
  const stop = s.every(100, () => n++);
  for (let i = 0; i < 3; i++) clock.advance(100);
  assert.equal(n, 3);
  stop();
  clock.advance(1000);
  assert.equal(n, 3);
  let woke = false;
  const p = s.sleep(60_000).then(() => (woke = true));
  clock.advance(59_999);
  await Promise.resolve();
  assert.equal(woke, false);
  clock.advance(1);
  await p;
  assert.equal(woke, true);
});

test("with the system clock, tasks run on real timers; a failing task is reported, not thrown", async () => {
  const errors: unknown[] = [];
  const s = new Scheduler(systemClock, (e) => errors.push(e));
  // The scheduler's timers never hold the process open; this one keeps the test alive meanwhile.
  const keepAlive = setTimeout(() => {}, 5_000);
  const t0 = Date.now();
  await new Promise<void>((done) => s.after(30, done));
  assert.ok(Date.now() - t0 >= 25);
  await new Promise<void>((done) => {
    s.after(1, () => {
      throw new Error("boom");
    });
    s.after(10, done);
  });
  assert.equal(errors.length, 1);
  s.stop();
  clearTimeout(keepAlive);
});
