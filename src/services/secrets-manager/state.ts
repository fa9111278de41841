// Secrets Manager's records and tables (per account+region), SecretId resolution (name, ARN, partial ARN),
// and the purge of secrets whose recovery window has passed.
import { randomInt } from "node:crypto";
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { defineState, regional, STORE, type StateHolder, type TablesOf } from "../../core/state.js";
import type { Table } from "../../core/store/types.js";
import type { ReplicaRegionType, RotationRulesType, Tag } from "./api.generated.js";
import { InvalidRequestException, ResourceNotFoundException } from "./api.generated.js";

export interface VersionRec {
  id: string;
  created: number;
  stages: string[];
  /** The KMS key the value was encrypted under, as the secret named it when this version was written. */
  kmsKeyId?: string;
  lastAccessed?: number;
}

export interface RotationRec {
  enabled: boolean;
  lambdaArn?: string;
  rules?: RotationRulesType;
  lastRotated?: number;
  /** When automatic rotation was (re)configured: the base the next rotation date is computed from. */
  configuredAt?: number;
  /** The last scheduled rotation that failed: the next one is due a full interval later. */
  lastAttempt?: number;
}

export interface SecretRec {
  name: string;
  arn: string;
  created: number;
  /** Creation order (created ms × 1000 + a counter), so secrets created in the same millisecond list stably. */
  seq?: number;
  lastChanged: number;
  lastAccessed?: number;
  description?: string;
  kmsKeyId?: string;
  type?: string;
  tags: Tag[];
  policy?: string;
  /** Set while scheduled for deletion (epoch ms of DeleteSecret, and of the planned removal). */
  deletedDate?: number;
  deletionDate?: number;
  rotation?: RotationRec;
  replicas: ReplicaRegionType[];
  /** Versions in creation order. */
  versions: VersionRec[];
}

/** The encrypted value of one version, kept apart so the secret record stays small. */
export interface ValueRec {
  kind: "string" | "binary";
  /** base64 of KMS's CiphertextBlob; the plaintext is never stored. */
  data: string;
}

export const SECRETS = "secrets";
export const VALUES = "values";

/** Secrets Manager's tables, per account and region (stored as secrets-manager:secrets and secrets-manager:values). */
const specs = {
  secrets: regional<SecretRec>(SECRETS),
  values: regional<ValueRec>(VALUES),
};
export const secretsState = defineState("secrets-manager", specs);

export type Tables = TablesOf<typeof specs>;

export const tables = (ctx: HandlerContext): Tables => secretsState.of(ctx);

/** Runs fn atomically in the store (all of its writes commit together or none). */
import { transaction } from "../../core/state.js";
export { transaction };

export const valueKey = (name: string, versionId: string) => `${name}\u0000${versionId}`;

const SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export function newArn(ctx: HandlerContext, name: string): string {
  let suffix = "";
  for (let i = 0; i < 6; i++) suffix += SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)];
  return regionalArn(ctx, "secretsmanager", `secret:${name}-${suffix}`);
}

let counter = 0;
export const nextSeq = (now: number) => now * 1000 + (counter++ % 1000);

export const notFound = () => new ResourceNotFoundException("Secrets Manager can't find the specified secret.");
export const markedForDeletion = () => new InvalidRequestException("You can't perform this operation on the secret because it was marked for deletion.");

/** Removes a secret and all its version values now. */
export function purge(t: Tables, holder: StateHolder, rec: SecretRec): void {
  transaction(holder, () => {
    for (const v of rec.versions) t.values.delete(valueKey(rec.name, v.id));
    t.secrets.delete(rec.name);
  });
}

/** A secret whose recovery window has passed is gone, whether or not the sweep already ran. */
function live(ctx: HandlerContext, t: Tables, rec: SecretRec | undefined): SecretRec | undefined {
  if (rec?.deletionDate !== undefined && rec.deletionDate <= ctx.now()) {
    purge(t, ctx, rec);
    return undefined;
  }
  return rec;
}

/** Resolves a SecretId given as a name, a full ARN, or a partial ARN (without the 6-character suffix). */
export function find(ctx: HandlerContext, id: string, t: Tables = tables(ctx)): SecretRec | undefined {
  const byName = live(ctx, t, t.secrets.get(id));
  if (byName) return byName;
  const m = /^arn:aws[\w-]*:secretsmanager:([^:]*):(\d{12}):secret:(.+)$/.exec(id);
  if (!m || m[1] !== ctx.region || m[2] !== ctx.account) return undefined;
  const rest = m[3];
  const full = rest.length > 7 ? live(ctx, t, t.secrets.get(rest.slice(0, -7))) : undefined;
  if (full && full.arn === id) return full;
  return live(ctx, t, t.secrets.get(rest));
}

export function mustFind(ctx: HandlerContext, id: string, t?: Tables): SecretRec {
  const rec = find(ctx, id, t);
  if (!rec) throw notFound();
  return rec;
}

/** For operations AWS refuses on a secret scheduled for deletion. */
export function mustFindLive(ctx: HandlerContext, id: string, t?: Tables): SecretRec {
  const rec = mustFind(ctx, id, t);
  if (rec.deletedDate !== undefined) throw markedForDeletion();
  return rec;
}

export const versionWith = (rec: SecretRec, stage: string) => rec.versions.find((v) => v.stages.includes(stage));

/** Sweeps every scope for secrets whose recovery window has passed (run at start and on schedule). */
export function sweep(holder: StateHolder, now: number): number | undefined {
  let next: number | undefined;
  for (const { tables: t } of secretsState.all(holder, "secrets")) {
    for (const { value } of t.secrets.list()) {
      if (value.deletionDate === undefined) continue;
      if (value.deletionDate <= now) purge(t, holder, value);
      else next = next === undefined ? value.deletionDate : Math.min(next, value.deletionDate);
    }
  }
  return next;
}

export type SecretTable = Table<SecretRec>;
