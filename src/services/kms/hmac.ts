// HMAC keys: GenerateMac and VerifyMac (an invalid MAC is KMSInvalidMacException, never MacValid: false).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import type { KmsApi, MacAlgorithmSpec } from "./api.generated.js";
import { InvalidKeyUsageException, KMSInvalidMacException } from "./api.generated.js";
import { dryRun } from "./crypto.js";
import { HMAC_ALG } from "./material.js";
import { currentMaterial, keyArn, mustBeUsable, resolveKey } from "./state.js";

const HASH: Record<MacAlgorithmSpec, string> = { HMAC_SHA_224: "sha224", HMAC_SHA_256: "sha256", HMAC_SHA_384: "sha384", HMAC_SHA_512: "sha512" };

function mac(ctx: HandlerContext, keyId: string, alg: MacAlgorithmSpec, message: Uint8Array, op: string) {
  const k = resolveKey(ctx, keyId);
  mustBeUsable(ctx, k);
  if (k.keyUsage !== "GENERATE_VERIFY_MAC") throw new InvalidKeyUsageException(`${keyArn(ctx, k.id)} key usage is ${k.keyUsage} which is not valid for ${op}.`);
  if (HMAC_ALG[k.keySpec] !== alg) throw new InvalidKeyUsageException(`Algorithm ${alg} is incompatible with key spec ${k.keySpec}.`);
  return {
    k,
    value: createHmac(HASH[alg], Buffer.from(currentMaterial(k).secret, "base64"))
      .update(message)
      .digest(),
  };
}

export const hmac = {
  generateMac({ KeyId, MacAlgorithm, Message, DryRun }, ctx) {
    const { k, value } = mac(ctx, KeyId, MacAlgorithm, Message, "GenerateMac");
    dryRun(DryRun);
    return { Mac: value, MacAlgorithm, KeyId: keyArn(ctx, k.id) };
  },

  verifyMac({ KeyId, MacAlgorithm, Message, Mac, DryRun }, ctx) {
    const { k, value } = mac(ctx, KeyId, MacAlgorithm, Message, "VerifyMac");
    dryRun(DryRun);
    const given = Buffer.from(Mac);
    if (given.length !== value.length || !timingSafeEqual(given, value)) throw new KMSInvalidMacException();
    return { KeyId: keyArn(ctx, k.id), MacValid: true, MacAlgorithm };
  },
} satisfies Partial<KmsApi>;
