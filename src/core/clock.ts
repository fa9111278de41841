// Time for everything in Stratus: one injectable clock, so tests can move time instead of sleeping.
export interface Clock {
  now(): number;
  /** Called after the clock jumps (ManualClock.advance/set), so the scheduler can run what became due. */
  onJump?(listener: () => void): void;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests control: starts at `start` and moves only when told; moving it runs what became due. */
export class ManualClock implements Clock {
  private listeners: (() => void)[] = [];
  constructor(private t = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
    for (const l of this.listeners) l();
  }
  set(ms: number): void {
    this.t = ms;
    for (const l of this.listeners) l();
  }
  onJump(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/**
 * Monotonic milliseconds for measuring durations (request timings in logs). process.hrtime, not the global
 * `performance`, whose first use loads node:perf_hooks (~1 ms of a cold start's first request).
 */
export function elapsedMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad2 = (n: number) => String(n).padStart(2, "0");
/** A time as the Common Log Format writes it (API Gateway's requestTime, function URLs' time): 05/Dec/2026:19:03:58 +0000. */
export function commonLogTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}
