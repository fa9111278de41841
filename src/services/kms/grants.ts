// Grants: create (ids and tokens in AWS's shapes), list by key or retiring principal, retire, revoke. Stored faithfully; enforcement comes with policies.
import { randomBytes } from "node:crypto";
import { globalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import type { GrantListEntry, KmsApi } from "./api.generated.js";
import { InvalidGrantIdException, InvalidGrantTokenException, LimitExceededException, NotFoundException } from "./api.generated.js";
import { dryRun } from "./crypto.js";
import type { GrantRec } from "./state.js";
import { keyArn, mustNotBePendingDeletion, page, resolveKey, tables, validationError } from "./state.js";

const GRANT_ID = /^[0-9a-f]{64}$/;
const MAX_GRANTS_PER_KEY = 50_000;

const grantKey = (keyId: string, grantId: string) => `${keyId}/${grantId}`;

function entry(ctx: HandlerContext, g: GrantRec): GrantListEntry {
  return {
    KeyId: keyArn(ctx, g.keyId),
    GrantId: g.grantId,
    ...(g.name !== undefined ? { Name: g.name } : {}),
    CreationDate: new Date(g.createdAt),
    GranteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    IssuingAccount: g.issuingAccount,
    Operations: g.operations as GrantListEntry["Operations"],
    ...(g.constraints ? { Constraints: g.constraints } : {}),
  };
}

const sameGrant = (g: GrantRec, o: Omit<GrantRec, "grantId" | "token" | "createdAt">) =>
  JSON.stringify([g.granteePrincipal, g.retiringPrincipal, [...g.operations].sort(), g.constraints ?? null]) ===
  JSON.stringify([o.granteePrincipal, o.retiringPrincipal, [...o.operations].sort(), o.constraints ?? null]);

function mustGrant(ctx: HandlerContext, keyId: string, grantId: string): GrantRec {
  if (!GRANT_ID.test(grantId)) throw new InvalidGrantIdException("Invalid grant ID");
  const g = tables(ctx).grants.get(grantKey(keyId, grantId));
  if (!g) throw new NotFoundException(`Grant ID ${grantId} not found`);
  return g;
}

export const grants = {
  createGrant({ KeyId, GranteePrincipal, RetiringPrincipal, Operations, Constraints, Name, DryRun }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustNotBePendingDeletion(ctx, k);
    if (Operations.length === 0)
      throw validationError(
        "1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    if (Constraints?.EncryptionContextEquals && Constraints.EncryptionContextSubset) {
      throw validationError("EncryptionContextEquals and EncryptionContextSubset cannot both be specified.");
    }
    dryRun(DryRun);
    const t = tables(ctx);
    const init = {
      keyId: k.id,
      name: Name,
      granteePrincipal: GranteePrincipal,
      retiringPrincipal: RetiringPrincipal,
      issuingAccount: globalArn(ctx, "iam", "root"),
      operations: [...Operations],
      constraints: Constraints,
    };
    const existing = t.grants.list({ prefix: `${k.id}/` }).map((e) => e.value);
    // A retried CreateGrant with the same name and parameters returns the same grant, as AWS does.
    const same = Name !== undefined ? existing.find((g) => g.name === Name && sameGrant(g, init)) : undefined;
    if (same) return { GrantId: same.grantId, GrantToken: same.token };
    if (existing.length >= MAX_GRANTS_PER_KEY) throw new LimitExceededException(`The number of grants on ${keyArn(ctx, k.id)} exceeds the limit.`);
    const g: GrantRec = { ...init, grantId: randomBytes(32).toString("hex"), token: randomBytes(96).toString("base64url"), createdAt: ctx.now() };
    t.grants.put(grantKey(k.id, g.grantId), g);
    return { GrantId: g.grantId, GrantToken: g.token };
  },

  listGrants({ KeyId, GrantId, GranteePrincipal, Limit, Marker }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    const all = tables(ctx)
      .grants.list({ prefix: `${k.id}/` })
      .map((e) => e.value)
      .filter((g) => (!GrantId || g.grantId === GrantId) && (!GranteePrincipal || g.granteePrincipal === GranteePrincipal))
      .sort((a, b) => a.createdAt - b.createdAt || (a.grantId < b.grantId ? -1 : 1));
    const p = page("ListGrants", all, Marker, Limit, 50);
    return { Grants: p.items.map((g) => entry(ctx, g)), Truncated: p.Truncated, NextMarker: p.NextMarker };
  },

  listRetirableGrants({ RetiringPrincipal, Limit, Marker }, ctx) {
    const all = tables(ctx)
      .grants.list()
      .map((e) => e.value)
      .filter((g) => g.retiringPrincipal === RetiringPrincipal);
    const p = page("ListRetirableGrants", all, Marker, Limit, 50);
    return { Grants: p.items.map((g) => entry(ctx, g)), Truncated: p.Truncated, NextMarker: p.NextMarker };
  },

  retireGrant({ GrantToken, KeyId, GrantId, DryRun }, ctx) {
    const t = tables(ctx);
    let g: GrantRec | undefined;
    if (GrantToken !== undefined) {
      g = t.grants
        .list()
        .map((e) => e.value)
        .find((x) => x.token === GrantToken);
      if (!g) throw new InvalidGrantTokenException("Grant token is invalid or expired.");
      if (KeyId !== undefined && resolveKey(ctx, KeyId, { aliases: false }).id !== g.keyId)
        throw new InvalidGrantTokenException("Grant token does not match the KeyId.");
      if (GrantId !== undefined && GrantId !== g.grantId) throw new InvalidGrantIdException("Grant ID does not match the grant token.");
    } else {
      if (KeyId === undefined || GrantId === undefined) throw validationError("Either GrantToken, or both KeyId and GrantId, must be specified.");
      g = mustGrant(ctx, resolveKey(ctx, KeyId, { aliases: false }).id, GrantId);
    }
    dryRun(DryRun);
    t.grants.delete(grantKey(g.keyId, g.grantId));
    return {};
  },

  revokeGrant({ KeyId, GrantId, DryRun }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    const g = mustGrant(ctx, k.id, GrantId);
    dryRun(DryRun);
    tables(ctx).grants.delete(grantKey(k.id, g.grantId));
    return {};
  },
} satisfies Partial<KmsApi>;
