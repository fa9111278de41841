// KMS keys: create, describe, list, enable/disable, scheduled deletion and its cancellation, description; the KeyMetadata AWS returns.
import type { HandlerContext } from "../../core/context.js";
import type { KeyMetadata, KmsApi } from "./api.generated.js";
import { KMSInvalidStateException, UnsupportedOperationException } from "./api.generated.js";
import { checkSpecUsage, encryptionAlgorithms, HMAC_ALG, newMaterial, signingAlgorithms } from "./material.js";
import { checkPolicy, defaultKeyPolicy } from "./policies.js";
import type { KeyRec } from "./state.js";
import { allKeys, currentMaterial, getKey, keyArn, mustNotBePendingDeletion, newKeyId, page, resolveKey, tables, validationError } from "./state.js";
import { initialTags } from "./tags.js";

const DAY = 86_400_000;

export function keyMetadata(ctx: HandlerContext, k: KeyRec): KeyMetadata {
  const arn = keyArn(ctx, k.id);
  const mac = HMAC_ALG[k.keySpec];
  return {
    AWSAccountId: ctx.account,
    KeyId: k.id,
    Arn: arn,
    CreationDate: new Date(k.createdAt),
    Enabled: k.state === "Enabled",
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.state,
    ...(k.deletionDate !== undefined ? { DeletionDate: new Date(k.deletionDate) } : {}),
    Origin: "AWS_KMS",
    KeyManager: k.keyManager,
    CustomerMasterKeySpec: k.keySpec as KeyMetadata["CustomerMasterKeySpec"],
    KeySpec: k.keySpec,
    ...(encryptionAlgorithms(k.keySpec, k.keyUsage) ? { EncryptionAlgorithms: encryptionAlgorithms(k.keySpec, k.keyUsage) } : {}),
    ...(signingAlgorithms(k.keySpec, k.keyUsage) ? { SigningAlgorithms: signingAlgorithms(k.keySpec, k.keyUsage) } : {}),
    ...(k.keyUsage === "KEY_AGREEMENT" ? { KeyAgreementAlgorithms: ["ECDH" as const] } : {}),
    ...(mac ? { MacAlgorithms: [mac] } : {}),
    MultiRegion: k.multiRegion,
    ...(k.multiRegion
      ? { MultiRegionConfiguration: { MultiRegionKeyType: "PRIMARY" as const, PrimaryKey: { Arn: arn, Region: ctx.region }, ReplicaKeys: [] } }
      : {}),
    ...(k.pendingWindowDays !== undefined && k.state === "PendingDeletion" ? { PendingDeletionWindowInDays: k.pendingWindowDays } : {}),
    ...(k.keySpec === "SYMMETRIC_DEFAULT" ? { CurrentKeyMaterialId: currentMaterial(k).id } : {}),
  };
}

/** Builds (does not store) a new key record. */
export function newKey(ctx: HandlerContext, init: Partial<KeyRec> & Pick<KeyRec, "keySpec" | "keyUsage">): KeyRec {
  const now = ctx.now();
  return {
    id: newKeyId(init.multiRegion),
    createdAt: now,
    description: "",
    keyManager: "CUSTOMER",
    state: "Enabled",
    multiRegion: false,
    policy: defaultKeyPolicy(ctx.account, ctx.region),
    tags: [],
    materials: [newMaterial(init.keySpec, now)],
    ...init,
  };
}

/** AWS managed keys refuse the management operations customers have on their own keys. */
export function mustBeCustomerManaged(ctx: HandlerContext, k: KeyRec, op: string): void {
  if (k.keyManager === "AWS")
    throw new UnsupportedOperationException(`${keyArn(ctx, k.id)} is an AWS managed key. ${op} is not supported for AWS managed keys.`);
}

export const keys = {
  createKey({ Policy, Description, KeyUsage, KeySpec, CustomerMasterKeySpec, Origin, CustomKeyStoreId, Tags, MultiRegion, XksKeyId }, ctx) {
    if (KeySpec && CustomerMasterKeySpec)
      throw validationError("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
    if (Origin && Origin !== "AWS_KMS") throw new UnsupportedOperationException(`Origin ${Origin} is not supported by Stratus.`);
    if (CustomKeyStoreId || XksKeyId) throw new UnsupportedOperationException("Custom key stores are not supported by Stratus.");
    const spec = KeySpec ?? CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    const usage = checkSpecUsage(spec, KeyUsage);
    if (Policy !== undefined) checkPolicy(Policy);
    const k = newKey(ctx, {
      keySpec: spec,
      keyUsage: usage,
      description: Description ?? "",
      multiRegion: MultiRegion ?? false,
      tags: initialTags(ctx, Tags),
      ...(Policy !== undefined ? { policy: Policy } : {}),
    });
    tables(ctx).keys.put(k.id, k);
    return { KeyMetadata: keyMetadata(ctx, k) };
  },

  describeKey({ KeyId }, ctx) {
    return { KeyMetadata: keyMetadata(ctx, resolveKey(ctx, KeyId)) };
  },

  listKeys({ Limit, Marker }, ctx) {
    const p = page("ListKeys", allKeys(ctx), Marker, Limit, 100);
    return { Keys: p.items.map((k) => ({ KeyId: k.id, KeyArn: keyArn(ctx, k.id) })), Truncated: p.Truncated, NextMarker: p.NextMarker };
  },

  enableKey({ KeyId }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustBeCustomerManaged(ctx, k, "EnableKey");
    mustNotBePendingDeletion(ctx, k);
    tables(ctx).keys.put(k.id, { ...k, state: "Enabled" });
    return {};
  },

  disableKey({ KeyId }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustBeCustomerManaged(ctx, k, "DisableKey");
    mustNotBePendingDeletion(ctx, k);
    tables(ctx).keys.put(k.id, { ...k, state: "Disabled" });
    return {};
  },

  scheduleKeyDeletion({ KeyId, PendingWindowInDays }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustBeCustomerManaged(ctx, k, "ScheduleKeyDeletion");
    mustNotBePendingDeletion(ctx, k);
    const days = PendingWindowInDays ?? 30;
    // The model allows 1-365; KMS itself accepts only 7-30 days.
    if (days < 7 || days > 30)
      throw validationError(
        "1 validation error detected: Value at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30 and greater than or equal to 7",
      );
    const deletionDate = ctx.now() + days * DAY;
    tables(ctx).keys.put(k.id, { ...k, state: "PendingDeletion", deletionDate, pendingWindowDays: days });
    // The key is gone once its date passes: lookups purge it (surviving restarts); this timer purges it on time too.
    ctx.scheduler.at(deletionDate, () => void getKey(ctx, k.id));
    return { KeyId: keyArn(ctx, k.id), DeletionDate: new Date(deletionDate), KeyState: "PendingDeletion", PendingWindowInDays: days };
  },

  cancelKeyDeletion({ KeyId }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    if (k.state !== "PendingDeletion") throw new KMSInvalidStateException(`${keyArn(ctx, k.id)} is not pending deletion.`);
    // AWS leaves a key whose deletion was cancelled Disabled, so nothing uses it by surprise.
    tables(ctx).keys.put(k.id, { ...k, state: "Disabled", deletionDate: undefined, pendingWindowDays: undefined });
    return { KeyId: keyArn(ctx, k.id) };
  },

  updateKeyDescription({ KeyId, Description }, ctx) {
    const k = resolveKey(ctx, KeyId, { aliases: false });
    mustBeCustomerManaged(ctx, k, "UpdateKeyDescription");
    mustNotBePendingDeletion(ctx, k);
    tables(ctx).keys.put(k.id, { ...k, description: Description });
    return {};
  },
} satisfies Partial<KmsApi>;
