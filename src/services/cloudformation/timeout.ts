// A stack's TimeoutInMinutes (CreateStack): the create must finish within it, counted from when it started. The
// deadline is stored on the stack (timeoutAt), so a server restarted mid-create still knows it. When it passes, the
// resources still being created are cancelled (their providers see the request's AbortSignal; a resource event
// reads "Resource creation cancelled"), no further resource is started, and the stack fails as AWS words it —
// "Stack creation time exceeded the specified timeout. Rollback requested by user." (or "Delete requested by
// user." for OnFailure DELETE, as AWS's events read, e.g. github.com/flynn/flynn/issues/3200) — then rolls back
// per OnFailure. The deadline runs on the runtime's clock and scheduler, so tests move a ManualClock.
import type { ServiceHost } from "../../core/service.js";
import type { StackRec } from "./state.js";

/** A resource being created when the stack timed out (AWS's event reason). */
export const CANCELLED = "Resource creation cancelled";
/** The stack's reason when its create timed out, before what happens next ("Rollback requested by user."). */
export const TIMED_OUT = "Stack creation time exceeded the specified timeout.";

/** The deadline a create with TimeoutInMinutes starting at `start` has. */
export const deadlineOf = (start: number, minutes: number | undefined): number | undefined => (minutes === undefined ? undefined : start + minutes * 60_000);

export interface CreateGuard {
  /** Aborted when the deadline passes: resource requests carry it. */
  readonly signal: AbortSignal | undefined;
  /** Whether the deadline has passed. */
  expired(): boolean;
  /** Stops watching (the create finished). */
  dispose(): void;
}

/** Watches a create's stored deadline on the runtime's clock; a stack without one never times out. */
export function guardCreate(host: ServiceHost, s: StackRec): CreateGuard {
  if (s.timeoutAt === undefined) return { signal: undefined, expired: () => false, dispose: () => {} };
  const at = s.timeoutAt;
  const controller = new AbortController();
  const fire = () => controller.abort(new Error(CANCELLED));
  let cancel = () => {};
  if (at <= host.clock.now()) fire();
  else cancel = host.scheduler.at(at, fire);
  return {
    signal: controller.signal,
    expired: () => controller.signal.aborted || host.clock.now() >= at,
    dispose: cancel,
  };
}

/** What the stack's event says when a failed create is rolled back or deleted (OnFailure). */
export const requested = (s: StackRec): string => (s.onFailure === "DELETE" ? "Delete requested by user." : "Rollback requested by user.");
