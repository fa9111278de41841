// Everything that happens later (visibility timeouts, delays, retention sweeps, schedules) goes through
// here, on the runtime's clock: real timers for the system clock, and due tasks run when a test's
// ManualClock is moved — so tests advance time instead of sleeping.
import type { Clock } from "./clock.js";

interface Task {
  at: number;
  fn: () => void;
  timer?: NodeJS.Timeout;
  done: boolean;
}

export type Cancel = () => void;

export class Scheduler {
  private readonly tasks = new Set<Task>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (e: unknown) => void = () => {},
  ) {
    clock.onJump?.(() => this.runDue());
  }

  /** Runs fn at epoch ms `at` (by the runtime clock). Timers never keep the process alive. */
  at(at: number, fn: () => void): Cancel {
    const task: Task = { at, fn, done: false };
    if (this.stopped) return () => {};
    this.tasks.add(task);
    this.arm(task);
    return () => this.cancel(task);
  }

  after(ms: number, fn: () => void): Cancel {
    return this.at(this.clock.now() + ms, fn);
  }

  /** Runs fn every `ms` until cancelled. */
  every(ms: number, fn: () => void): Cancel {
    let cancel: Cancel = () => {};
    const tick = () => {
      cancel = this.after(ms, tick);
      fn();
    };
    cancel = this.after(ms, tick);
    return () => cancel();
  }

  /** Resolves after `ms` of runtime-clock time (or when the scheduler stops). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Cancels everything; pending sleeps resolve. */
  stop(): void {
    this.stopped = true;
    for (const t of [...this.tasks]) {
      this.cancel(t);
    }
  }

  private arm(task: Task): void {
    const delay = task.at - this.clock.now();
    if (delay <= 0) {
      task.timer = setTimeout(() => this.run(task), 0);
    } else if (!this.clock.onJump) {
      // Node timers cap at ~24.8 days; a longer task re-arms itself when that fires.
      task.timer = setTimeout(() => (task.at <= this.clock.now() ? this.run(task) : this.arm(task)), Math.min(delay, 2 ** 31 - 1));
    }
    task.timer?.unref();
  }

  private run(task: Task): void {
    if (task.done) return;
    this.cancel(task);
    try {
      task.fn();
    } catch (e) {
      this.onError(e);
    }
  }

  private cancel(task: Task): void {
    task.done = true;
    if (task.timer) clearTimeout(task.timer);
    this.tasks.delete(task);
  }

  private runDue(): void {
    const due = [...this.tasks].filter((t) => t.at <= this.clock.now()).sort((a, b) => a.at - b.at);
    for (const t of due) this.run(t);
  }
}
