// Automatic rotation: a secret whose rotation is enabled with RotationRules is rotated when its schedule falls
// due (AutomaticallyAfterDays, rate() or cron()), by the same four Lambda steps as RotateSecret. Due dates come
// from stored timestamps, so a rotation that fell due while the server was down runs when it starts again.
import { randomUUID } from "node:crypto";
import type { Store } from "../../core/store/types.js";
import type { ServiceHost } from "../../core/service.js";
import { CURRENT } from "./common.js";
import { runRotation } from "./rotation.js";
import { nextRotationDate } from "./schedule.js";
import type { SecretRec } from "./state.js";
import { SECRETS, tablesIn, versionWith } from "./state.js";

const rearms = new WeakMap<Store, () => void>();

/** After RotateSecret / CancelRotateSecret changed a schedule: recompute when the next rotation is due. */
export function rearmRotations(store: Store): void {
  rearms.get(store)?.();
}

const dueAt = (rec: SecretRec, now: number): number | undefined =>
  rec.rotation?.enabled && rec.rotation.lambdaArn && rec.deletionDate === undefined ? nextRotationDate(rec.rotation, rec.created, now) : undefined;

/** Starts the rotation clock of this server; returns its stop function. */
export function startScheduledRotations(runtime: ServiceHost): () => void {
  const running = new Set<string>();
  let cancel = () => {};
  let stopped = false;

  const rotate = async (scope: string, rec: SecretRec): Promise<void> => {
    const key = `${scope}/${rec.name}`;
    if (running.has(key)) return;
    running.add(key);
    try {
      const [account, region] = scope.split("/") as [string, string];
      const ctx = runtime.context("secrets-manager", "RotateSecret", runtime.rootIdentity(account, region));
      const t = tablesIn(runtime.store, scope);
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
    for (const scope of runtime.store.scopes(`secrets-manager:${SECRETS}`)) {
      for (const { value } of tablesIn(runtime.store, scope).secrets.list()) {
        const due = dueAt(value, now);
        if (due === undefined) continue;
        if (due <= now) void rotate(scope, value);
        else next = next === undefined ? due : Math.min(next, due);
      }
    }
    cancel = next === undefined ? () => {} : runtime.scheduler.at(next, arm);
  };

  rearms.set(runtime.store, arm);
  arm();
  return () => {
    stopped = true;
    cancel();
    rearms.delete(runtime.store);
  };
}
