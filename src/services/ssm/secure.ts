// SecureString values through KMS (Encrypt on put, Decrypt on read); SSM stores only the ciphertext.
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { InvalidKeyId } from "./api.generated.js";
import type { VersionRec } from "./state.js";

export const DEFAULT_KEY = "alias/aws/ssm";

// KMS's refusals about the key itself reach the SSM caller as SSM's InvalidKeyId; others (throttling,
// an unimplemented KMS) pass through unchanged so nothing is hidden.
const KEY_ERRORS = [
  "NotFoundException",
  "DisabledException",
  "KMSInvalidStateException",
  "InvalidKeyUsageException",
  "InvalidCiphertextException",
  "IncorrectKeyException",
];

function keyError(e: unknown, keyId: string): never {
  if (isServiceError(e) && KEY_ERRORS.includes(e.code)) throw new InvalidKeyId(e.message || `Invalid keyId ${keyId}`);
  throw e;
}

const toBuffer = (b: unknown): Buffer =>
  Buffer.isBuffer(b) ? b : b instanceof Uint8Array ? Buffer.from(b) : typeof b === "string" ? Buffer.from(b, "base64") : Buffer.alloc(0);

export async function encrypt(ctx: HandlerContext, keyId: string, plaintext: string, arn: string): Promise<string> {
  try {
    const out = await ctx.client("kms").encrypt({
      KeyId: keyId,
      Plaintext: Buffer.from(plaintext, "utf8"),
      EncryptionContext: { PARAMETER_ARN: arn },
    });
    return toBuffer(out.CiphertextBlob).toString("base64");
  } catch (e) {
    keyError(e, keyId);
  }
}

export async function decrypt(ctx: HandlerContext, v: VersionRec, arn: string): Promise<string> {
  try {
    const out = await ctx.client("kms").decrypt({
      CiphertextBlob: Buffer.from(v.value, "base64"),
      EncryptionContext: { PARAMETER_ARN: arn },
    });
    return toBuffer(out.Plaintext).toString("utf8");
  } catch (e) {
    keyError(e, v.keyId ?? DEFAULT_KEY);
  }
}

/** The value a read returns: SecureStrings in the clear only when asked, else the ciphertext as AWS returns it. */
export async function readValue(ctx: HandlerContext, v: VersionRec, arn: string, withDecryption: boolean | undefined): Promise<string> {
  return v.type === "SecureString" && withDecryption ? decrypt(ctx, v, arn) : v.value;
}
