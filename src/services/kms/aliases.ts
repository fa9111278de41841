// Aliases: create, point elsewhere, delete, list (by key, paged); alias/aws/ is reserved for AWS managed keys.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { KmsApi } from "./api.generated.js";
import { AlreadyExistsException, NotFoundException } from "./api.generated.js";
import type { AliasRec } from "./state.js";
import { aliasArn, keyArn, mustNotBePendingDeletion, page, resolveKey, tables, validationError } from "./state.js";

const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;

function checkAliasName(ctx: HandlerContext, name: string): void {
  if (!name.startsWith("alias/")) {
    throw validationError('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (!ALIAS.test(name)) {
    throw validationError(
      `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$`,
    );
  }
  if (name.startsWith("alias/aws/"))
    throw new ServiceError("NotAuthorizedException", `${aliasArn(ctx, name)}: alias/aws/ is reserved for AWS managed keys.`, 400);
}

function mustAlias(ctx: HandlerContext, name: string): AliasRec {
  const a = tables(ctx).aliases.get(name);
  if (!a) throw new NotFoundException(`Alias ${aliasArn(ctx, name)} is not found.`);
  return a;
}

/** Alias targets are named by key id or key ARN only, never by another alias. */
function target(ctx: HandlerContext, keyId: string) {
  const k = resolveKey(ctx, keyId, { aliases: false });
  mustNotBePendingDeletion(ctx, k);
  return k;
}

export const aliases = {
  createAlias({ AliasName, TargetKeyId }, ctx) {
    checkAliasName(ctx, AliasName);
    const k = target(ctx, TargetKeyId);
    const now = ctx.now();
    if (!tables(ctx).aliases.insert(AliasName, { name: AliasName, targetKeyId: k.id, createdAt: now, updatedAt: now })) {
      throw new AlreadyExistsException(`An alias with the name ${aliasArn(ctx, AliasName)} already exists`);
    }
    return {};
  },

  updateAlias({ AliasName, TargetKeyId }, ctx) {
    checkAliasName(ctx, AliasName);
    const a = mustAlias(ctx, AliasName);
    const k = target(ctx, TargetKeyId);
    const old = resolveKey(ctx, a.targetKeyId, { aliases: false });
    // AWS only lets an alias move between keys of the same type and usage, so callers never get a surprise algorithm.
    if (old.keyUsage !== k.keyUsage || (old.keySpec === "SYMMETRIC_DEFAULT") !== (k.keySpec === "SYMMETRIC_DEFAULT")) {
      throw validationError(`${keyArn(ctx, k.id)} is not the same key type or key usage as the current target of ${AliasName}.`);
    }
    tables(ctx).aliases.put(AliasName, { ...a, targetKeyId: k.id, updatedAt: ctx.now() });
    return {};
  },

  deleteAlias({ AliasName }, ctx) {
    checkAliasName(ctx, AliasName);
    mustAlias(ctx, AliasName);
    tables(ctx).aliases.delete(AliasName);
    return {};
  },

  listAliases({ KeyId, Limit, Marker }, ctx) {
    const keyId = KeyId === undefined ? undefined : resolveKey(ctx, KeyId, { aliases: false }).id;
    const all = tables(ctx)
      .aliases.list()
      .map((e) => e.value)
      .filter((a) => !keyId || a.targetKeyId === keyId);
    const p = page("ListAliases", all, Marker, Limit, 50);
    return {
      Aliases: p.items.map((a) => ({
        AliasName: a.name,
        AliasArn: aliasArn(ctx, a.name),
        TargetKeyId: a.targetKeyId,
        CreationDate: new Date(a.createdAt),
        LastUpdatedDate: new Date(a.updatedAt),
      })),
      Truncated: p.Truncated,
      NextMarker: p.NextMarker,
    };
  },
} satisfies Partial<KmsApi>;
