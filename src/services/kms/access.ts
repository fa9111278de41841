// Key policies enforced: the key each KMS operation acts on, so the runtime refuses an explicit Deny in its key
// policy with KMS's AccessDeniedException (400), worded as IAM words an explicit deny
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html). A key policy is the primary
// control of a key (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html); here only its Deny
// statements are decided, as identity policies are not enforced yet.
// Actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
import { ServiceError } from "../../core/errors.js";
import { explicitDenyMessage, type ResourcePolicyGuard, type ResourcePolicyTarget } from "../../core/policy/resource-guard.js";
import type { HandlerContext } from "../../core/context.js";
import { parseBlob } from "./material.js";
import { getKey, keyArn, resolveKey, type KeyRec } from "./state.js";

/** The key a KeyId (id, ARN, alias name or ARN) names; undefined when it names none (the handler answers). */
function keyOf(ctx: HandlerContext, keyId: unknown): KeyRec | undefined {
  if (typeof keyId !== "string") return undefined;
  try {
    return resolveKey(ctx, keyId);
  } catch {
    return undefined;
  }
}

/** The key a ciphertext blob was made with, when it is one of this caller's account and region. */
function blobKey(ctx: HandlerContext, blob: unknown): KeyRec | undefined {
  if (!(blob instanceof Uint8Array)) return undefined;
  const h = parseBlob(Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength));
  return h && h.account === ctx.account && h.region === ctx.region ? getKey(ctx, h.keyId) : undefined;
}

const target = (ctx: HandlerContext, k: KeyRec | undefined, action: string): ResourcePolicyTarget[] =>
  k ? [{ resource: keyArn(ctx, k.id), action, policy: k.policy }] : [];

export const kmsResourcePolicy: ResourcePolicyGuard = {
  targets(input, ctx) {
    switch (ctx.operation) {
      case "Decrypt":
        return target(ctx, input.KeyId !== undefined ? keyOf(ctx, input.KeyId) : blobKey(ctx, input.CiphertextBlob), "kms:Decrypt");
      case "ReEncrypt":
        return [
          ...target(ctx, input.SourceKeyId !== undefined ? keyOf(ctx, input.SourceKeyId) : blobKey(ctx, input.CiphertextBlob), "kms:ReEncryptFrom"),
          ...target(ctx, keyOf(ctx, input.DestinationKeyId), "kms:ReEncryptTo"),
        ];
      case "CreateAlias":
      case "UpdateAlias":
        return target(ctx, keyOf(ctx, input.TargetKeyId), `kms:${ctx.operation}`);
      default:
        return target(ctx, keyOf(ctx, input.KeyId), `kms:${ctx.operation}`);
    }
  },
  denied: (ctx, t) => new ServiceError("AccessDeniedException", explicitDenyMessage(ctx.principal, t), 400),
};
