// Key rotation: Enable/Disable/GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations. Old material stays, so old ciphertexts decrypt.
import type { HandlerContext } from "../../core/context.js";
import type { KmsApi } from "./api.generated.js";
import { LimitExceededException, UnsupportedOperationException } from "./api.generated.js";
import { mustBeCustomerManaged } from "./keys.js";
import { newMaterial } from "./material.js";
import type { KeyRec } from "./state.js";
import { currentMaterial, keyArn, mustBeUsable, page, resolveKey, tables } from "./state.js";

const DAY = 86_400_000;
const MAX_ON_DEMAND = 25;

/** Only symmetric encryption keys rotate; AWS refuses asymmetric and HMAC keys. */
function rotatable(ctx: HandlerContext, k: KeyRec): void {
  if (k.keySpec !== "SYMMETRIC_DEFAULT")
    throw new UnsupportedOperationException(`${keyArn(ctx, k.id)} key spec is ${k.keySpec} which is not valid for key rotation.`);
}

export const rotation = {
  enableKeyRotation({ KeyId, RotationPeriodInDays }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustBeUsable(ctx, k);
    mustBeCustomerManaged(ctx, k, "EnableKeyRotation");
    rotatable(ctx, k);
    const periodDays = RotationPeriodInDays ?? 365;
    tables(ctx).keys.put(k.id, { ...k, rotation: { ...k.rotation, enabled: true, periodDays, nextAt: ctx.now() + periodDays * DAY } });
    return {};
  },

  disableKeyRotation({ KeyId }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustBeUsable(ctx, k);
    mustBeCustomerManaged(ctx, k, "DisableKeyRotation");
    rotatable(ctx, k);
    tables(ctx).keys.put(k.id, { ...k, rotation: { periodDays: k.rotation?.periodDays ?? 365, enabled: false } });
    return {};
  },

  getKeyRotationStatus({ KeyId }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    rotatable(ctx, k);
    const r = k.rotation;
    return {
      KeyId: keyArn(ctx, k.id),
      KeyRotationEnabled: !!r?.enabled,
      ...(r?.enabled ? { RotationPeriodInDays: r.periodDays, ...(r.nextAt !== undefined ? { NextRotationDate: new Date(r.nextAt) } : {}) } : {}),
    };
  },

  rotateKeyOnDemand({ KeyId }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustBeUsable(ctx, k);
    mustBeCustomerManaged(ctx, k, "RotateKeyOnDemand");
    rotatable(ctx, k);
    if (k.materials.filter((m) => m.rotationType === "ON_DEMAND").length >= MAX_ON_DEMAND) {
      throw new LimitExceededException(`${keyArn(ctx, k.id)} has reached the maximum number of on-demand rotations.`);
    }
    // AWS rotates asynchronously within seconds; here the new material is current as soon as the call returns.
    tables(ctx).keys.put(k.id, { ...k, materials: [...k.materials, newMaterial(k.keySpec, ctx.now(), "ON_DEMAND")] });
    return { KeyId: k.id };
  },

  listKeyRotations({ KeyId, Limit, Marker }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    rotatable(ctx, k);
    const current = currentMaterial(k).id;
    const rotations = k.materials
      .filter((m) => m.rotationType)
      .map((m) => ({
        KeyId: k.id,
        KeyMaterialId: m.id,
        KeyMaterialState: m.id === current ? ("CURRENT" as const) : ("NON_CURRENT" as const),
        RotationDate: new Date(m.createdAt),
        RotationType: m.rotationType,
      }));
    const p = page("ListKeyRotations", rotations, Marker, Limit, 100);
    return { Rotations: p.items, Truncated: p.Truncated, NextMarker: p.NextMarker };
  },
} satisfies Partial<KmsApi>;
