// S3 server-side encryption: the bucket's default encryption (Put/Get/DeleteBucketEncryption) and each object's, as
// PutObject, CopyObject and CreateMultipartUpload settle it and GET/HEAD/copy report it.
// - Every bucket encrypts with SSE-S3 unless told otherwise (AWS since 5 January 2023): GetBucketEncryption on a new
//   bucket answers the AES256 rule, and DeleteBucketEncryption "resets the default encryption for the bucket as
//   server-side encryption with Amazon S3 managed keys (SSE-S3)"
//   (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html).
// - SSE-KMS asks Stratus's KMS for a data key (GenerateDataKey) under the object's key, bound to an encryption context
//   naming the object (or the bucket, with an S3 Bucket Key), and keeps the encrypted data key with the version; every
//   GET or copy of the object has KMS decrypt it, so a disabled, pending-deletion or deleted key makes reads fail as
//   on AWS. S3 passes KMS's error on as `KMS.<code>` with 400 (LocalStack's AWS-recorded
//   tests/aws/services/s3/test_s3.snapshot.json: test_s3_sse_validate_kms_key, test_s3_sse_validate_kms_key_state).
// NOTE: the object's bytes themselves are stored unencrypted in the blob store (the data key is not applied to them).
import type { HandlerContext } from "../../core/context.js";
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { S3Api, ServerSideEncryptionRule } from "./api.generated.js";
import { bucketArn, invalidArgument, malformedXml, mustBucket } from "./common.js";
import { tables, type BucketRec, type SseRec } from "./state.js";

/** S3's default rule (LocalStack's recorded "default-bucket-encryption", TestS3BucketEncryption). */
export const DEFAULT_RULE: ServerSideEncryptionRule = { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false };
const ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];
const MANAGED_KEY = "alias/aws/s3";
const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/.+$/;

const isKms = (alg: string | undefined) => alg === "aws:kms" || alg === "aws:kms:dsse";

/** KMS's refusal as S3 passes it on: `KMS.<code>`, KMS's message, 400. */
function kmsError(e: unknown): unknown {
  return isServiceError(e) ? new ServiceError(`KMS.${e.code}`, e.message, 400) : e;
}

/** Where a key lives: an ARN names its account and region; ids and aliases are the bucket owner's, in the bucket's region. */
function keyHome(b: BucketRec, keyId: string): { account: string; region: string } {
  const m = KMS_ARN.exec(keyId);
  if (!m) return { account: b.account, region: b.region };
  // S3 refuses a key in another region before asking KMS (recorded: "Invalid arn <region>").
  if (m[1] !== b.region) throw new ServiceError("KMS.NotFoundException", `Invalid arn ${m[1]}`, 400);
  return { account: m[2], region: m[1] };
}

export interface SseRequest {
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
}

/** The encryption a new object gets: the request's headers, else the bucket's default; SSE-KMS gets its data key now. */
export async function sseForWrite(ctx: HandlerContext, b: BucketRec, key: string, i: SseRequest): Promise<SseRec> {
  const asked = i.ServerSideEncryption;
  // Wording as moto answers it (unverified against a recorded AWS response).
  if (asked !== undefined && !ALGORITHMS.includes(asked))
    throw invalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", asked);
  if ((i.SSEKMSKeyId !== undefined || i.SSEKMSEncryptionContext !== undefined) && !isKms(asked)) {
    // AWS's wording when a KMS key id comes without x-amz-server-side-encryption: aws:kms (unverified against a recording).
    throw invalidArgument(
      "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
      "x-amz-server-side-encryption-aws-kms-key-id",
      i.SSEKMSKeyId,
    );
  }
  const rule = b.encryption ?? DEFAULT_RULE;
  const byDefault = rule.ApplyServerSideEncryptionByDefault;
  const algorithm = (asked ?? byDefault?.SSEAlgorithm ?? "AES256") as SseRec["algorithm"];
  if (!isKms(algorithm)) return { algorithm: "AES256" };
  // "If you specify x-amz-server-side-encryption:aws:kms, but don't provide x-amz-server-side-encryption-aws-kms-key-id,
  // Amazon S3 uses the AWS managed key (aws/s3)" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
  const keyId = i.SSEKMSKeyId ?? (asked === undefined ? byDefault?.KMSMasterKeyID : undefined) ?? MANAGED_KEY;
  const bucketKeyEnabled = i.BucketKeyEnabled ?? (asked === undefined || isKms(byDefault?.SSEAlgorithm) ? rule.BucketKeyEnabled : undefined) ?? false;
  let userContext: Record<string, string> = {};
  if (i.SSEKMSEncryptionContext !== undefined) {
    try {
      userContext = JSON.parse(Buffer.from(i.SSEKMSEncryptionContext, "base64").toString("utf8")) as Record<string, string>;
      if (!userContext || typeof userContext !== "object" || Array.isArray(userContext)) throw new Error("not an object");
    } catch {
      throw invalidArgument(
        "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map",
      );
    }
  }
  // With an S3 Bucket Key the context names the bucket, otherwise the object
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context).
  const context = { ...userContext, "aws:s3:arn": bucketKeyEnabled ? bucketArn(b.name, b.region) : `${bucketArn(b.name, b.region)}/${key}` };
  const home = keyHome(b, keyId);
  try {
    const out = await ctx.client("kms").generateDataKey({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: context }, home);
    return {
      algorithm,
      kmsKeyArn: out.KeyId,
      dataKey: Buffer.from(out.CiphertextBlob ?? []).toString("base64"),
      context,
      ...(bucketKeyEnabled ? { bucketKeyEnabled: true } : {}),
    };
  } catch (e) {
    throw kmsError(e);
  }
}

/** Reading an SSE-KMS object: KMS must decrypt its data key (which fails while the key is disabled or gone). */
export async function unsealForRead(ctx: HandlerContext, sse: SseRec | undefined): Promise<void> {
  if (!sse || !isKms(sse.algorithm) || !sse.dataKey || !sse.kmsKeyArn) return;
  const m = KMS_ARN.exec(sse.kmsKeyArn);
  try {
    await ctx
      .client("kms")
      .decrypt(
        { CiphertextBlob: Buffer.from(sse.dataKey, "base64"), KeyId: sse.kmsKeyArn, EncryptionContext: sse.context },
        m ? { account: m[2], region: m[1] } : undefined,
      );
  } catch (e) {
    throw kmsError(e);
  }
}

/** The encryption headers of a version (versions written before encryption was recorded are SSE-S3). */
export function sseOut(sse: SseRec | undefined) {
  return {
    ServerSideEncryption: (sse?.algorithm ?? "AES256") as "AES256",
    SSEKMSKeyId: sse?.kmsKeyArn,
    BucketKeyEnabled: sse?.bucketKeyEnabled ? true : undefined,
  };
}

export const encryption = {
  putBucketEncryption({ Bucket, ServerSideEncryptionConfiguration: conf }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    // Exactly one rule with a known algorithm, else MalformedXML (recorded: "put-bucket-encryption-no-rules", "…-two-rules").
    const rules = conf?.Rules ?? [];
    const d = rules[0]?.ApplyServerSideEncryptionByDefault;
    if (rules.length !== 1 || !d?.SSEAlgorithm || !ALGORITHMS.includes(d.SSEAlgorithm)) throw malformedXml();
    if (!isKms(d.SSEAlgorithm) && d.KMSMasterKeyID !== undefined)
      throw invalidArgument(
        "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
        "ApplyServerSideEncryptionByDefault",
      );
    const rule: ServerSideEncryptionRule = {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: d.SSEAlgorithm, ...(d.KMSMasterKeyID !== undefined ? { KMSMasterKeyID: d.KMSMasterKeyID } : {}) },
      BucketKeyEnabled: rules[0].BucketKeyEnabled ?? false,
      ...(rules[0].BlockedEncryptionTypes ? { BlockedEncryptionTypes: rules[0].BlockedEncryptionTypes } : {}),
    };
    t.buckets.put(Bucket, { ...b, encryption: rule });
    return {};
  },

  getBucketEncryption({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    return { ServerSideEncryptionConfiguration: { Rules: [b.encryption ?? DEFAULT_RULE] } };
  },

  deleteBucketEncryption({ Bucket }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    t.buckets.put(Bucket, { ...b, encryption: undefined });
    return {};
  },
} satisfies Partial<S3Api>;
