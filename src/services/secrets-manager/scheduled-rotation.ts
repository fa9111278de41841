// Automatic rotation: a secret whose rotation is enabled with RotationRules is rotated when its schedule falls
// due (AutomaticallyAfterDays, rate() or cron()), by the same four Lambda steps as RotateSecret. Due dates come
// from stored timestamps, so a rotation that fell due while the server was down runs when it starts again.
import { randomUUID } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { ServiceHost } from "../../core/service.js";
import { CURRENT } from "./common.js";
import { runRotation } from "./rotation.js";
import { nextRotationDate } from "./schedule.js";
import type { SecretRec, Tables } from "./state.js";
import { secretsState, versionWith } from "./state.js";

/** This server's rotation clock: part of the running service's instance. */
export interface ScheduledRotations {
  /** Recomputes when the next rotation is due (a schedule changed). */
  rearm(): void;
  stop(): void;
}

/** What Secrets Manager's start hook returns. */
export interface SecretsManagerInstance {
  rotations: ScheduledRotations;
}

/** After RotateSecret / CancelRotateSecret changed a schedule: recompute when the next rotation is due. */
export function rearmRotations(ctx: HandlerContext): void {
  ctx.instance<SecretsManagerInstance | undefined>()?.rotations.rearm();
}

const dueAt = (rec: SecretRec, now: number): number | undefined =>
  rec.rotation?.enabled && rec.rotation.lambdaArn && rec.deletionDate === undefined ? nextRotationDate(rec.rotation, rec.created, now) : undefined;

/** Starts the rotation clock of this server. */
export function startScheduledRotations(runtime: ServiceHost): ScheduledRotations {
  const running = new Set<string>();
  let cancel = () => {};
  let stopped = false;

  const rotate = async (account: string, region: string, t: Tables, rec: SecretRec): Promise<void> => {
    const key = `${account}/${region}/${rec.name}`;
    if (running.has(key)) return;
    running.add(key);
    try {
      const ctx = runtime.context("secrets-manager", "RotateSecret", runtime.rootIdentity(account, region));
      const token = randomUUID();
      let ok = false;
      try {
        ok = await runRotation(ctx, rec, rec.rotation!.lambdaArn!, token, true);
      } catch (e) {
        runtime.logger.warn(`scheduled rotation of ${rec.arn} could not invoke its function: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (stopped) return;
      const fresh = t.secrets.get(rec.name);
      if (!fresh?.rotation) return;
      const now = runtime.clock.now();
      // A failed rotation is tried again at the next due date, not at once.
      const rotated = ok && versionWith(fresh, CURRENT)?.id === token;
      t.secrets.put(rec.name, { ...fresh, rotation: { ...fresh.rotation, ...(rotated ? { lastRotated: now } : { lastAttempt: now }) } });
    } finally {
      running.delete(key);
      arm();
    }
  };

  const arm = (): void => {
    cancel();
    if (stopped) return;
    const now = runtime.clock.now();
    let next: number | undefined;
    for (const { account, region, tables: t } of secretsState.all(runtime, "secrets")) {
      for (const { value } of t.secrets.list()) {
        const due = dueAt(value, now);
        if (due === undefined) continue;
        if (due <= now) void rotate(account, region, t, value);
        else next = next === undefined ? due : Math.min(next, due);
      }
    }
    cancel = next === undefined ? () => {} : runtime.scheduler.at(next, arm);
  };

  arm();
  return {
    rearm: arm,
    stop: () => {
      stopped = true;
      cancel();
    },
  };
}
