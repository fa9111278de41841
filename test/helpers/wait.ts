// Waiting for something the server does in the background, without betting on how fast the machine is: poll
// until it holds, with a deadline of several seconds (a loaded CI machine can be 10-50x slower than a laptop).

/** The default deadline for background work that normally takes milliseconds. */
export const WAIT_MS = 10_000;

/**
 * The deadline for the outcome of a Lambda invocation that starts an environment: Lambda allows its init 10 s and
 * then the function's timeout (3 s by default), so a cold start on a loaded machine may use more than WAIT_MS
 * before the invocation even ends.
 */
export const COLD_START_WAIT_MS = 30_000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `check` until it returns without throwing (assertions inside retry), then returns its result; after
 * `ms` it throws the last failure. For states that, once reached, stay (nothing moves the clock meanwhile).
 */
export async function eventually<T>(check: () => T | Promise<T>, ms = WAIT_MS, every = 20): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await pause(every);
  }
}

/** Polls `cond` until it is true; fails naming `what` after `ms`. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, ms = WAIT_MS, every = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await pause(every);
  }
}
