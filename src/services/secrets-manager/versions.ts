// Secret versions: read a value (by stage or id), put a new value, move staging labels, list versions, batch reads.
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import type { APIErrorType, SecretsManagerApi, SecretValueEntry } from "./api.generated.js";
import { InvalidParameterException, InvalidRequestException, ResourceNotFoundException } from "./api.generated.js";
import { attachStages, CURRENT, dayOf, matches, pageOf, PREVIOUS, validateFilters } from "./common.js";
import { DEFAULT_KEY, seal, unseal, type Plain } from "./crypto.js";
import { addVersion, checkValue, existingVersion, hasValue, requireToken } from "./secrets.js";
import type { SecretRec, VersionRec } from "./state.js";
import { find, markedForDeletion, mustFind, mustFindLive, tables, valueKey, versionWith } from "./state.js";

function pickVersion(rec: SecretRec, versionId: string | undefined, versionStage: string | undefined): VersionRec {
  if (versionId) {
    const v = rec.versions.find((o) => o.id === versionId);
    if (!v) throw new ResourceNotFoundException(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    if (versionStage && !v.stages.includes(versionStage)) {
      throw new InvalidRequestException("You provided a VersionStage that is not associated to the provided VersionId.");
    }
    return v;
  }
  const stage = versionStage ?? CURRENT;
  const v = versionWith(rec, stage);
  if (!v) throw new ResourceNotFoundException(`Secrets Manager can't find the specified secret value for staging label: ${stage}`);
  return v;
}

/** Reads and decrypts one version, then records the access (the day AWS reports as LastAccessedDate). */
async function readValue(ctx: HandlerContext, secretId: string, versionId?: string, versionStage?: string): Promise<SecretValueEntry> {
  const t = tables(ctx);
  const rec = mustFind(ctx, secretId, t);
  if (rec.deletedDate !== undefined) throw markedForDeletion();
  const v = pickVersion(rec, versionId, versionStage);
  const stored = t.values.get(valueKey(rec.name, v.id));
  if (!stored) throw new ResourceNotFoundException(`Secrets Manager can't find the specified secret value for VersionId: ${v.id}`);
  const plain = await unseal(ctx, rec.arn, v.id, stored);
  const now = ctx.now();
  const fresh = t.secrets.get(rec.name);
  if (fresh) {
    const fv = fresh.versions.find((o) => o.id === v.id);
    if (fv) fv.lastAccessed = now;
    t.secrets.put(rec.name, { ...fresh, lastAccessed: now });
  }
  return { ARN: rec.arn, Name: rec.name, VersionId: v.id, ...plain, VersionStages: [...v.stages], CreatedDate: new Date(v.created) };
}

export const versions = {
  getSecretValue({ SecretId, VersionId, VersionStage }, ctx) {
    return readValue(ctx, SecretId, VersionId, VersionStage);
  },

  async putSecretValue(input, ctx) {
    const { SecretId, ClientRequestToken, VersionStages } = input;
    const value: Plain = { SecretString: input.SecretString, SecretBinary: input.SecretBinary };
    checkValue(value);
    if (!hasValue(value)) throw new InvalidRequestException("You must provide either SecretString or SecretBinary.");
    const token = requireToken(ClientRequestToken);
    const rec = mustFindLive(ctx, SecretId);
    const same = await existingVersion(ctx, rec, token, value);
    if (same) return { ARN: rec.arn, Name: rec.name, VersionId: token, VersionStages: [...same.stages] };
    const sealed = await seal(ctx, rec.arn, token, rec.kmsKeyId, value);
    const after = addVersion(ctx, rec.name, token, sealed, VersionStages, rec.kmsKeyId);
    return { ARN: rec.arn, Name: rec.name, VersionId: token, VersionStages: [...after.versions.find((v) => v.id === token)!.stages] };
  },

  updateSecretVersionStage({ SecretId, VersionStage, RemoveFromVersionId, MoveToVersionId }, ctx) {
    const t = tables(ctx);
    const rec = mustFindLive(ctx, SecretId, t);
    const byId = (id: string) => {
      const v = rec.versions.find((o) => o.id === id);
      if (!v) throw new InvalidParameterException(`Not a valid version: ${id}`);
      return v;
    };
    const from = RemoveFromVersionId ? byId(RemoveFromVersionId) : undefined;
    const to = MoveToVersionId ? byId(MoveToVersionId) : undefined;
    const holder = versionWith(rec, VersionStage);
    if (from && !from.stages.includes(VersionStage)) {
      throw new InvalidParameterException(`The staging label ${VersionStage} is currently not attached to version ${from.id}, so you can't remove it.`);
    }
    // A label attached elsewhere can only move when the caller names where it comes from.
    if (to && holder && holder !== to && holder !== from) {
      throw new InvalidParameterException(
        `The parameter RemoveFromVersionId can't be empty. Staging label ${VersionStage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
    }
    if (VersionStage === CURRENT && from && !to) {
      throw new InvalidParameterException("You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.");
    }
    if (from) from.stages = from.stages.filter((s) => s !== VersionStage);
    if (to && !to.stages.includes(VersionStage)) {
      if (VersionStage === CURRENT) {
        to.stages = to.stages.filter((s) => s !== PREVIOUS);
        to.stages.push(CURRENT);
        if (from && from !== to) {
          for (const o of rec.versions) o.stages = o.stages.filter((s) => s !== PREVIOUS);
          from.stages.push(PREVIOUS);
        }
      } else {
        attachStages(rec, to, [VersionStage]);
      }
    }
    t.secrets.put(rec.name, { ...rec, lastChanged: ctx.now() });
    return { ARN: rec.arn, Name: rec.name };
  },

  listSecretVersionIds({ SecretId, MaxResults, NextToken, IncludeDeprecated }, ctx) {
    const rec = mustFindLive(ctx, SecretId);
    const list = rec.versions
      .filter((v) => IncludeDeprecated || v.stages.length > 0)
      .slice()
      .reverse()
      .map((v) => ({
        VersionId: v.id,
        ...(v.stages.length ? { VersionStages: [...v.stages] } : {}),
        ...(v.lastAccessed ? { LastAccessedDate: dayOf(v.lastAccessed) } : {}),
        CreatedDate: new Date(v.created),
        KmsKeyIds: [v.kmsKeyId && v.kmsKeyId !== DEFAULT_KEY ? v.kmsKeyId : "DefaultEncryptionKey"],
      }));
    const page = pageOf("ListSecretVersionIds", list, NextToken, MaxResults ?? 100);
    return { Versions: page.items, ...(page.NextToken ? { NextToken: page.NextToken } : {}), ARN: rec.arn, Name: rec.name };
  },

  async batchGetSecretValue({ SecretIdList, Filters, MaxResults, NextToken }, ctx) {
    if (SecretIdList && Filters) throw new InvalidParameterException("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    if (!SecretIdList && !Filters) throw new InvalidParameterException("Either 'SecretIdList' or 'Filters' must be provided.");
    if (MaxResults !== undefined && !Filters) {
      throw new InvalidParameterException("'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.");
    }
    let ids: string[];
    let next: string | undefined;
    if (Filters) {
      validateFilters(Filters);
      const t = tables(ctx);
      const matching = t.secrets
        .list()
        .map((e) => find(ctx, e.key, t))
        .filter((r): r is SecretRec => !!r && r.deletedDate === undefined && matches(r, Filters, ctx.region))
        .sort((a, b) => (a.seq ?? a.created * 1000) - (b.seq ?? b.created * 1000));
      const page = pageOf("BatchGetSecretValue", matching, NextToken, MaxResults ?? 20);
      ids = page.items.map((r) => r.name);
      next = page.NextToken;
    } else {
      const page = pageOf("BatchGetSecretValue", SecretIdList!, NextToken, 20);
      ids = page.items;
      next = page.NextToken;
    }
    const SecretValues: SecretValueEntry[] = [];
    const Errors: APIErrorType[] = [];
    for (const id of ids) {
      try {
        SecretValues.push(await readValue(ctx, id));
      } catch (e) {
        if (!isServiceError(e)) throw e;
        Errors.push({ SecretId: id, ErrorCode: e.code, Message: e.message });
      }
    }
    return { SecretValues, Errors, ...(next ? { NextToken: next } : {}) };
  },
} satisfies Partial<SecretsManagerApi>;
