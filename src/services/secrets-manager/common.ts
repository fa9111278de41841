// Shared Secrets Manager helpers: the secret as Describe/List show it, staging-label moves, ListSecrets filters,
// opaque paging tokens.
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import type { Filter, DescribeSecretResponse, Tag } from "./api.generated.js";
import { InvalidNextTokenException, InvalidParameterException } from "./api.generated.js";
import { nextRotationDate } from "./schedule.js";
import type { SecretRec, VersionRec } from "./state.js";

export const CURRENT = "AWSCURRENT";
export const PREVIOUS = "AWSPREVIOUS";
export const PENDING = "AWSPENDING";
const DAY = 86_400_000;

/** AWS reports access dates without time: the day the secret was last read, at midnight UTC. */
export const dayOf = (ms: number) => new Date(Math.floor(ms / DAY) * DAY);

/** Versions with staging labels; versions without are deprecated and not shown. */
export function versionsToStages(rec: SecretRec): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of rec.versions) if (v.stages.length) out[v.id] = [...v.stages];
  return out;
}

export function describe(rec: SecretRec, region: string, now: number): DescribeSecretResponse {
  const rot = rec.rotation;
  const next = rot?.enabled ? nextRotationDate(rot, rec.created, now) : undefined;
  return {
    ARN: rec.arn,
    Name: rec.name,
    ...(rec.type ? { Type: rec.type } : {}),
    ...(rec.description !== undefined ? { Description: rec.description } : {}),
    ...(rec.kmsKeyId ? { KmsKeyId: rec.kmsKeyId } : {}),
    // AWS leaves the rotation fields out until rotation has been configured once.
    ...(rot ? { RotationEnabled: rot.enabled } : {}),
    ...(rot?.lambdaArn ? { RotationLambdaARN: rot.lambdaArn } : {}),
    ...(rot?.rules ? { RotationRules: rot.rules } : {}),
    ...(rot?.lastRotated ? { LastRotatedDate: new Date(rot.lastRotated) } : {}),
    LastChangedDate: new Date(rec.lastChanged),
    ...(rec.lastAccessed ? { LastAccessedDate: dayOf(rec.lastAccessed) } : {}),
    ...(rec.deletedDate !== undefined ? { DeletedDate: new Date(rec.deletedDate) } : {}),
    ...(next !== undefined ? { NextRotationDate: new Date(next) } : {}),
    ...(rec.tags.length ? { Tags: rec.tags } : {}),
    VersionIdsToStages: versionsToStages(rec),
    CreatedDate: new Date(rec.created),
    ...(rec.replicas.length ? { PrimaryRegion: region, ReplicationStatus: replicationStatus(rec) } : {}),
  };
}

// Replica regions are recorded and reported; Stratus does not copy the secret into them (yet).
export const replicationStatus = (rec: SecretRec) =>
  rec.replicas.map((r) => ({
    Region: r.Region,
    KmsKeyId: r.KmsKeyId ?? "alias/aws/secretsmanager",
    Status: "InProgress" as const,
    StatusMessage: "Replication is in progress",
  }));

/**
 * Attaches `stages` to version `v`, taking each label off whichever version had it. When AWSCURRENT moves,
 * the version it left gets AWSPREVIOUS (as AWS does), taken from wherever AWSPREVIOUS was.
 */
export function attachStages(rec: SecretRec, v: VersionRec, stages: string[]): void {
  for (const stage of stages) {
    const holder = rec.versions.find((o) => o !== v && o.stages.includes(stage));
    if (holder) holder.stages = holder.stages.filter((s) => s !== stage);
    if (!v.stages.includes(stage)) v.stages.push(stage);
    if (stage === CURRENT && holder) {
      for (const o of rec.versions) if (o.stages.includes(PREVIOUS)) o.stages = o.stages.filter((s) => s !== PREVIOUS);
      holder.stages.push(PREVIOUS);
    }
  }
}

/** Past 100 versions, the oldest deprecated (unlabeled) ones older than a day are removed, as AWS does. Returns removed ids. */
export function pruneDeprecated(rec: SecretRec, now: number): string[] {
  const removed: string[] = [];
  while (rec.versions.length > 100) {
    const i = rec.versions.findIndex((v) => v.stages.length === 0 && now - v.created > DAY);
    if (i < 0) break;
    removed.push(rec.versions[i].id);
    rec.versions.splice(i, 1);
  }
  return removed;
}

// Paging tokens (core/paging's) are opaque to callers; inside, the offset into the (stably ordered) full result,
// bound to the operation that issued it.
const isOffset = (p: unknown): p is number => typeof p === "number" && Number.isInteger(p) && p >= 0;
export function pageOf<T>(operation: string, items: T[], nextToken: string | undefined, max: number): { items: T[]; NextToken?: string } {
  const start =
    nextToken === undefined
      ? 0
      : decodePageToken(operation, nextToken, () => new InvalidNextTokenException("The NextToken value is invalid."), { valid: isOffset });
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { NextToken: encodePageToken(operation, end) } : {}) };
}

// Filters (API_Filter): values within one filter are alternatives, filters combine with AND, "!" negates.
// name, tag-key, tag-value, primary-region: case-sensitive prefix; description: word prefix, any case;
// all: the value split into words, each word a prefix of some word of any attribute, any case.
const words = (s: string) =>
  s
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/([A-Za-z])([0-9])|([0-9])([A-Za-z])/g, "$1$3 $2$4")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());

function attributeMatch(key: string, value: string, rec: SecretRec, region: string): boolean {
  const tags: Tag[] = rec.tags;
  switch (key) {
    case "name":
      return rec.name.startsWith(value);
    case "tag-key":
      return tags.some((t) => (t.Key ?? "").startsWith(value));
    case "tag-value":
      return tags.some((t) => (t.Value ?? "").startsWith(value));
    case "primary-region":
      return rec.replicas.length > 0 && region.startsWith(value);
    case "owning-service":
      return false; // no secret in Stratus is managed by another service
    case "description": {
      const d = (rec.description ?? "").toLowerCase();
      const v = value.toLowerCase();
      return d.startsWith(v) || words(rec.description ?? "").some((w) => w.startsWith(v));
    }
    case "all": {
      const attrs = [rec.name, rec.description ?? "", ...tags.map((t) => t.Key ?? ""), ...tags.map((t) => t.Value ?? "")].flatMap(words);
      const want = words(value);
      return want.length > 0 && want.every((w) => attrs.some((a) => a.startsWith(w)));
    }
    default:
      return false;
  }
}

export function validateFilters(filters: Filter[] | undefined): void {
  for (const f of filters ?? []) {
    if (!f.Key) throw new InvalidParameterException("Invalid filter key");
    if (!f.Values || f.Values.length === 0) throw new InvalidParameterException("Invalid filter values");
  }
}

export function matches(rec: SecretRec, filters: Filter[] | undefined, region: string): boolean {
  for (const f of filters ?? []) {
    const values = f.Values ?? [];
    const negated = values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
    const positive = values.filter((v) => !v.startsWith("!"));
    if (negated.some((v) => attributeMatch(f.Key!, v, rec, region))) return false;
    if (positive.length && !positive.some((v) => attributeMatch(f.Key!, v, rec, region))) return false;
  }
  return true;
}
