// Secrets: create, describe, list, update, delete (with a recovery window) and restore, tags.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { mergeTags, removeTags, type MergeTagsOptions } from "../../core/tags.js";
import type { SecretsManagerApi, SecretListEntry, Tag } from "./api.generated.js";
import { InvalidParameterException, InvalidRequestException, ResourceExistsException } from "./api.generated.js";
import { attachStages, CURRENT, describe, matches, pageOf, pruneDeprecated, replicationStatus, validateFilters } from "./common.js";
import { sameValue, seal, type Plain } from "./crypto.js";
import type { SecretRec, ValueRec, VersionRec } from "./state.js";
import { find, markedForDeletion, nextSeq, mustFind, mustFindLive, newArn, notFound, purge, sweep, tables, transaction, valueKey } from "./state.js";

const DAY = 86_400_000;

import { INVALID_NAME, NAME_RE } from "./validate.js";

export function checkValue(v: Plain): void {
  if (v.SecretString !== undefined && v.SecretBinary !== undefined) {
    throw new InvalidParameterException("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
}

// AWS's SDKs and CLI always fill ClientRequestToken; a raw request without one is refused.
export function requireToken(token: string | undefined): string {
  if (!token) throw new InvalidRequestException("You must provide a ClientRequestToken value. We recommend a UUID-type value.");
  return token;
}

export const hasValue = (v: Plain) => v.SecretString !== undefined || v.SecretBinary !== undefined;

/**
 * The idempotent part of writing a version: an existing version with this id answers "already done" when its
 * value is the same, and ResourceExistsException when it differs.
 */
export async function existingVersion(ctx: HandlerContext, rec: SecretRec, versionId: string, value: Plain): Promise<VersionRec | undefined> {
  const v = rec.versions.find((o) => o.id === versionId);
  if (!v) return undefined;
  const stored = tables(ctx).values.get(valueKey(rec.name, versionId));
  if (await sameValue(ctx, rec.arn, versionId, stored, value)) return v;
  throw new ResourceExistsException(`You can't modify an existing version, you can only create a new version.`);
}

/** Adds a sealed version to the freshly re-read secret and stores both; synchronous (after the awaits). */
export function addVersion(
  ctx: HandlerContext,
  name: string,
  versionId: string,
  sealed: ValueRec,
  stages: string[] | undefined,
  kmsKeyId: string | undefined,
): SecretRec {
  const t = tables(ctx);
  const rec = t.secrets.get(name);
  if (!rec || rec.deletedDate !== undefined) throw rec ? markedForDeletion() : notFound();
  if (rec.versions.some((v) => v.id === versionId))
    throw new ResourceExistsException("You can't modify an existing version, you can only create a new version.");
  const now = ctx.now();
  const v: VersionRec = { id: versionId, created: now, stages: [], ...(kmsKeyId ? { kmsKeyId } : {}) };
  rec.versions.push(v);
  // The first version of a secret always becomes AWSCURRENT.
  const want = stages ?? [CURRENT];
  attachStages(rec, v, rec.versions.length === 1 || !rec.versions.some((o) => o.stages.includes(CURRENT)) ? [...new Set([...want, CURRENT])] : want);
  const removed = pruneDeprecated(rec, now);
  rec.lastChanged = now;
  transaction(ctx, () => {
    t.values.put(valueKey(name, versionId), sealed);
    for (const id of removed) t.values.delete(valueKey(name, id));
    t.secrets.put(name, rec);
  });
  return rec;
}

const TAGS: MergeTagsOptions<Tag> = {
  key: (t) => t.Key,
  max: 50,
  tooMany: () => new InvalidParameterException("The number of tags exceeds the limit of 50 tags per secret."),
};

function scheduleSweep(ctx: HandlerContext, at: number): void {
  ctx.scheduler.at(at, () => sweep(ctx, ctx.now()));
}

export const secrets = {
  async createSecret(input, ctx) {
    const { Name, ClientRequestToken, Description, KmsKeyId, Tags, AddReplicaRegions, Type } = input;
    const value: Plain = { SecretString: input.SecretString, SecretBinary: input.SecretBinary };
    if (!NAME_RE.test(Name)) {
      throw new ServiceError("ValidationException", INVALID_NAME, 400);
    }
    checkValue(value);
    const token = requireToken(ClientRequestToken);
    for (const r of AddReplicaRegions ?? []) if (r.Region === ctx.region) throw new InvalidParameterException("Invalid replica region.");
    const t = tables(ctx);
    const existing = find(ctx, Name, t);
    if (existing && existing.name === Name) {
      if (existing.deletedDate !== undefined) {
        throw new InvalidRequestException("You can't create this secret because a secret with this name is already scheduled for deletion.");
      }
      // The same request again (same token, same value) is answered as the first time.
      if (hasValue(value) && (await existingVersion(ctx, existing, token, value))) {
        return {
          ARN: existing.arn,
          Name: existing.name,
          VersionId: token,
          ...(existing.replicas.length ? { ReplicationStatus: replicationStatus(existing) } : {}),
        };
      }
      throw new ResourceExistsException(`The operation failed because the secret ${Name} already exists.`);
    }
    const arn = newArn(ctx, Name);
    const sealed = hasValue(value) ? await seal(ctx, arn, token, KmsKeyId, value) : undefined;
    const now = ctx.now();
    const rec: SecretRec = {
      name: Name,
      arn,
      created: now,
      seq: nextSeq(now),
      lastChanged: now,
      ...(Description !== undefined ? { description: Description } : {}),
      ...(KmsKeyId ? { kmsKeyId: KmsKeyId } : {}),
      ...(Type ? { type: Type } : {}),
      tags: mergeTags([], Tags, TAGS),
      replicas: AddReplicaRegions ?? [],
      versions: sealed ? [{ id: token, created: now, stages: [CURRENT], ...(KmsKeyId ? { kmsKeyId: KmsKeyId } : {}) }] : [],
    };
    const inserted = transaction(ctx, () => {
      if (!t.secrets.insert(Name, rec)) return false;
      if (sealed) t.values.put(valueKey(Name, token), sealed);
      return true;
    });
    if (!inserted) throw new ResourceExistsException(`The operation failed because the secret ${Name} already exists.`);
    return { ARN: arn, Name, ...(sealed ? { VersionId: token } : {}), ...(rec.replicas.length ? { ReplicationStatus: replicationStatus(rec) } : {}) };
  },

  describeSecret({ SecretId }, ctx) {
    return describe(mustFind(ctx, SecretId), ctx.region, ctx.now());
  },

  listSecrets({ IncludePlannedDeletion, MaxResults, NextToken, Filters, SortOrder, SortBy }, ctx) {
    validateFilters(Filters);
    const t = tables(ctx);
    const now = ctx.now();
    const all = t.secrets
      .list()
      .map((e) => find(ctx, e.key, t))
      .filter((r): r is SecretRec => !!r && (IncludePlannedDeletion || r.deletedDate === undefined) && matches(r, Filters, ctx.region));
    const key = (r: SecretRec): number | string =>
      SortBy === "name"
        ? r.name
        : SortBy === "last-changed-date"
          ? r.lastChanged
          : SortBy === "last-accessed-date"
            ? (r.lastAccessed ?? 0)
            : (r.seq ?? r.created * 1000);
    const dir = SortOrder === "desc" ? -1 : 1;
    all.sort((a, b) => (key(a) < key(b) ? -dir : key(a) > key(b) ? dir : a.name < b.name ? -1 : 1));
    const page = pageOf("ListSecrets", all, NextToken, MaxResults ?? 100);
    const SecretList: SecretListEntry[] = page.items.map((r) => {
      const { VersionIdsToStages, ReplicationStatus: _r, ...rest } = describe(r, ctx.region, now);
      return { ...rest, SecretVersionsToStages: VersionIdsToStages };
    });
    return { SecretList, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
  },

  async updateSecret(input, ctx) {
    const { SecretId, ClientRequestToken, Description, KmsKeyId, Type } = input;
    const value: Plain = { SecretString: input.SecretString, SecretBinary: input.SecretBinary };
    checkValue(value);
    const rec = mustFindLive(ctx, SecretId);
    let versionId: string | undefined;
    let sealed: ValueRec | undefined;
    if (hasValue(value)) {
      versionId = requireToken(ClientRequestToken);
      if (await existingVersion(ctx, rec, versionId, value)) return { ARN: rec.arn, Name: rec.name, VersionId: versionId };
      sealed = await seal(ctx, rec.arn, versionId, KmsKeyId ?? rec.kmsKeyId, value);
    }
    const t = tables(ctx);
    const fresh = t.secrets.get(rec.name);
    if (!fresh || fresh.deletedDate !== undefined) throw fresh ? markedForDeletion() : notFound();
    const updated: SecretRec = {
      ...fresh,
      ...(Description !== undefined ? { description: Description } : {}),
      ...(KmsKeyId !== undefined ? { kmsKeyId: KmsKeyId || undefined } : {}),
      ...(Type !== undefined ? { type: Type } : {}),
      lastChanged: ctx.now(),
    };
    transaction(ctx, () => {
      t.secrets.put(rec.name, updated);
      if (sealed && versionId) addVersion(ctx, rec.name, versionId, sealed, undefined, updated.kmsKeyId);
    });
    return { ARN: rec.arn, Name: rec.name, ...(versionId ? { VersionId: versionId } : {}) };
  },

  deleteSecret({ SecretId, RecoveryWindowInDays, ForceDeleteWithoutRecovery }, ctx) {
    if (RecoveryWindowInDays !== undefined && ForceDeleteWithoutRecovery) {
      throw new InvalidParameterException("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (RecoveryWindowInDays !== undefined && (RecoveryWindowInDays < 7 || RecoveryWindowInDays > 30)) {
      throw new InvalidParameterException("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    const t = tables(ctx);
    const rec = mustFind(ctx, SecretId, t);
    if (rec.replicas.length) {
      throw new InvalidParameterException(
        `You can't delete secret ${SecretId} that still has replica regions [${rec.replicas.map((r) => r.Region).join(",")}]`,
      );
    }
    const now = ctx.now();
    if (ForceDeleteWithoutRecovery) {
      purge(t, ctx, rec);
      return { ARN: rec.arn, Name: rec.name, DeletionDate: new Date(now) };
    }
    if (rec.deletedDate !== undefined) throw new InvalidRequestException("You tried to perform the operation on a secret that's currently marked deleted.");
    const deletionDate = now + (RecoveryWindowInDays ?? 30) * DAY;
    t.secrets.put(rec.name, { ...rec, deletedDate: now, deletionDate });
    scheduleSweep(ctx, deletionDate);
    return { ARN: rec.arn, Name: rec.name, DeletionDate: new Date(deletionDate) };
  },

  restoreSecret({ SecretId }, ctx) {
    const t = tables(ctx);
    const rec = mustFind(ctx, SecretId, t);
    const { deletedDate: _d, deletionDate: _dd, ...restored } = rec;
    t.secrets.put(rec.name, { ...restored, lastChanged: ctx.now() });
    return { ARN: rec.arn, Name: rec.name };
  },

  // Tagging and untagging a secret scheduled for deletion: InvalidRequestException "You can't perform this operation
  // on the secret because it was marked for deletion." (LocalStack's AWS-recorded
  // tests/aws/services/secretsmanager/test_secretsmanager.snapshot.json, test_tag_untag_resource_on_deleted_secret).
  tagResource({ SecretId, Tags }, ctx) {
    const t = tables(ctx);
    const rec = mustFindLive(ctx, SecretId, t);
    t.secrets.put(rec.name, { ...rec, tags: mergeTags(rec.tags, Tags, TAGS), lastChanged: ctx.now() });
    return {};
  },

  untagResource({ SecretId, TagKeys }, ctx) {
    const t = tables(ctx);
    const rec = mustFindLive(ctx, SecretId, t);
    t.secrets.put(rec.name, { ...rec, tags: removeTags(rec.tags, TagKeys, TAGS.key), lastChanged: ctx.now() });
    return {};
  },
} satisfies Partial<SecretsManagerApi>;
