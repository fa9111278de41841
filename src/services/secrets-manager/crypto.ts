// Secret values at rest: encrypted through KMS (ctx.call, as AWS does), under the secret's key or the AWS managed
// alias/aws/secretsmanager, with an encryption context naming the secret and version.
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { DecryptionFailure, EncryptionFailure } from "./api.generated.js";
import type { ValueRec } from "./state.js";

export const DEFAULT_KEY = "alias/aws/secretsmanager";

export interface Plain {
  SecretString?: string;
  SecretBinary?: Uint8Array;
}

export async function seal(ctx: HandlerContext, arn: string, versionId: string, kmsKeyId: string | undefined, value: Plain): Promise<ValueRec> {
  const kind = value.SecretString !== undefined ? "string" : "binary";
  const plaintext = value.SecretString !== undefined ? Buffer.from(value.SecretString, "utf8") : Buffer.from(value.SecretBinary!);
  try {
    const out = await ctx.client("kms").encrypt({
      KeyId: kmsKeyId ?? DEFAULT_KEY,
      Plaintext: plaintext,
      EncryptionContext: { SecretARN: arn, SecretVersionId: versionId },
    });
    return { kind, data: Buffer.from(out.CiphertextBlob ?? []).toString("base64") };
  } catch (e) {
    if (!isServiceError(e)) throw e;
    throw new EncryptionFailure(
      "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state.",
    );
  }
}

export async function unseal(ctx: HandlerContext, arn: string, versionId: string, rec: ValueRec): Promise<Plain> {
  let bytes: Buffer;
  try {
    const out = await ctx.client("kms").decrypt({
      CiphertextBlob: Buffer.from(rec.data, "base64"),
      EncryptionContext: { SecretARN: arn, SecretVersionId: versionId },
    });
    bytes = Buffer.from(out.Plaintext ?? []);
  } catch (e) {
    if (!isServiceError(e)) throw e;
    throw new DecryptionFailure(
      "Secrets Manager can't decrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state.",
    );
  }
  return rec.kind === "string" ? { SecretString: bytes.toString("utf8") } : { SecretBinary: bytes };
}

/** Same value as stored? (for ClientRequestToken idempotency) */
export async function sameValue(ctx: HandlerContext, arn: string, versionId: string, rec: ValueRec | undefined, value: Plain): Promise<boolean> {
  if (!rec) return false;
  const old = await unseal(ctx, arn, versionId, rec);
  if (value.SecretString !== undefined) return old.SecretString === value.SecretString;
  return old.SecretBinary !== undefined && value.SecretBinary !== undefined && Buffer.from(old.SecretBinary).equals(Buffer.from(value.SecretBinary));
}
