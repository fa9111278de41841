// Bucket policies enforced: the resources each S3 operation acts on, with the IAM action S3 authorizes it as
// (not always the operation's name: ListObjectsV2 is s3:ListBucket, HeadObject is s3:GetObject, a versioned
// GetObject is s3:GetObjectVersion), so the runtime refuses an explicit Deny in the bucket's policy — the bucket
// owner included — with S3's 403 AccessDenied.
// Actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
//          https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
import type { HandlerContext } from "../../core/context.js";
import { explicitDenyMessage, isExplicitlyDenied, type ResourcePolicyGuard, type ResourcePolicyTarget } from "../../core/policy/resource-guard.js";
import { AccessDenied } from "./api.generated.js";
import { bucketArn } from "./common.js";
import { tables, type BucketRec } from "./state.js";

/** Operations whose IAM action is not "s3:<Operation>"; a function when the action depends on the request. */
const ACTIONS: Record<string, string | ((input: Record<string, unknown>) => string)> = {
  HeadBucket: "s3:ListBucket",
  ListObjects: "s3:ListBucket",
  ListObjectsV2: "s3:ListBucket",
  ListObjectVersions: "s3:ListBucketVersions",
  ListMultipartUploads: "s3:ListBucketMultipartUploads",
  ListParts: "s3:ListMultipartUploadParts",
  GetObject: (i) => (i.VersionId ? "s3:GetObjectVersion" : "s3:GetObject"),
  HeadObject: (i) => (i.VersionId ? "s3:GetObjectVersion" : "s3:GetObject"),
  GetObjectAttributes: (i) => (i.VersionId ? "s3:GetObjectVersionAttributes" : "s3:GetObjectAttributes"),
  DeleteObject: (i) => (i.VersionId ? "s3:DeleteObjectVersion" : "s3:DeleteObject"),
  DeleteObjects: "s3:DeleteObject",
  CopyObject: "s3:PutObject",
  CreateMultipartUpload: "s3:PutObject",
  UploadPart: "s3:PutObject",
  UploadPartCopy: "s3:PutObject",
  CompleteMultipartUpload: "s3:PutObject",
  GetObjectTagging: (i) => (i.VersionId ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging"),
  PutObjectTagging: (i) => (i.VersionId ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging"),
  DeleteObjectTagging: (i) => (i.VersionId ? "s3:DeleteObjectVersionTagging" : "s3:DeleteObjectTagging"),
  GetObjectAcl: (i) => (i.VersionId ? "s3:GetObjectVersionAcl" : "s3:GetObjectAcl"),
  PutObjectAcl: (i) => (i.VersionId ? "s3:PutObjectVersionAcl" : "s3:PutObjectAcl"),
  DeleteBucketTagging: "s3:PutBucketTagging",
  GetBucketCors: "s3:GetBucketCORS",
  PutBucketCors: "s3:PutBucketCORS",
  DeleteBucketCors: "s3:PutBucketCORS",
  GetBucketLifecycleConfiguration: "s3:GetLifecycleConfiguration",
  PutBucketLifecycleConfiguration: "s3:PutLifecycleConfiguration",
  DeleteBucketLifecycle: "s3:PutLifecycleConfiguration",
  GetBucketNotificationConfiguration: "s3:GetBucketNotification",
  PutBucketNotificationConfiguration: "s3:PutBucketNotification",
  GetBucketEncryption: "s3:GetEncryptionConfiguration",
  PutBucketEncryption: "s3:PutEncryptionConfiguration",
  DeleteBucketEncryption: "s3:PutEncryptionConfiguration",
  GetPublicAccessBlock: "s3:GetBucketPublicAccessBlock",
  PutPublicAccessBlock: "s3:PutBucketPublicAccessBlock",
  DeletePublicAccessBlock: "s3:PutBucketPublicAccessBlock",
  DeleteBucketOwnershipControls: "s3:PutBucketOwnershipControls",
  GetObjectLockConfiguration: "s3:GetBucketObjectLockConfiguration",
  PutObjectLockConfiguration: "s3:PutBucketObjectLockConfiguration",
  GetBucketWebsite: "s3:GetBucketWebsite",
  DeleteBucketWebsite: "s3:DeleteBucketWebsite",
};

/** Operations that act on the account, not on a bucket. */
const NO_BUCKET = new Set(["ListBuckets", "ListDirectoryBuckets", "CreateBucket"]);

/**
 * "As a security precaution, the root user of the AWS account that owns a bucket can always use this operation,
 * even if the policy explicitly denies the root user the ability to perform this action."
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html (likewise GetBucketPolicy, DeleteBucketPolicy)
 */
const OWNER_ROOT_ALWAYS = new Set(["GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"]);

/** CopyObject's and UploadPartCopy's x-amz-copy-source: "bucket/key" (URL-encoded, optionally "?versionId=…"). */
function copySource(value: unknown): { bucket: string; key: string; versionId?: string } | undefined {
  if (typeof value !== "string") return undefined;
  const [path = "", query] = value.replace(/^\//, "").split("?", 2);
  const slash = path.indexOf("/");
  if (slash <= 0) return undefined;
  try {
    const versionId = query ? (new URLSearchParams(query).get("versionId") ?? undefined) : undefined;
    return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)), versionId };
  } catch {
    return undefined;
  }
}

function actionOf(operation: string, input: Record<string, unknown>): string {
  const a = ACTIONS[operation];
  return typeof a === "function" ? a(input) : (a ?? `s3:${operation}`);
}

export const s3ResourcePolicy: ResourcePolicyGuard = {
  targets(input, ctx) {
    const op = ctx.operation;
    const name = input.Bucket;
    if (NO_BUCKET.has(op) || typeof name !== "string") return undefined;
    const t = tables(ctx);
    const bucket = t.buckets.read(name);
    if (!bucket) return undefined;
    if (OWNER_ROOT_ALWAYS.has(op) && ctx.principal.type === "Root" && ctx.principal.accountId === bucket.account) return undefined;
    const key = typeof input.Key === "string" ? input.Key : undefined;
    const targets: ResourcePolicyTarget[] = [];
    // DeleteObjects authorizes each key as its own DeleteObject and reports a denied key among its Errors
    // (objectDeleteDenied below), as AWS does (moto's tests/test_s3/test_s3_bucket_policy.py, recorded from AWS).
    if (op === "DeleteObjects") return undefined;
    targets.push({
      resource: key === undefined ? bucketArn(name, bucket.region) : `${bucketArn(name, bucket.region)}/${key}`,
      action: actionOf(op, input),
      policy: bucket.policy,
      context: conditionsOf(op, input),
    });
    if (op === "CopyObject" || op === "UploadPartCopy") {
      const src = copySource(input.CopySource);
      const from = src && t.buckets.read(src.bucket);
      if (src && from) {
        targets.push({
          resource: `${bucketArn(src.bucket, from.region)}/${src.key}`,
          action: src.versionId ? "s3:GetObjectVersion" : "s3:GetObject",
          policy: from.policy,
        });
      }
    }
    return targets;
  },
  denied: (ctx, target) => accessDenied(ctx, target),
};

/** S3's refusal: IAM's wording for a caller it can name, "Access Denied" for an anonymous one. */
const accessDenied = (ctx: HandlerContext, target: ResourcePolicyTarget) =>
  new AccessDenied(ctx.principal.type === "Unknown" ? "Access Denied" : explicitDenyMessage(ctx.principal, target, { quoteResource: true }));

/** DeleteObjects' check of one key: the AccessDenied it reports for that key when the bucket policy denies it. */
export function objectDeleteDenied(ctx: HandlerContext, bucket: BucketRec, key: string, versionId: string | undefined): AccessDenied | undefined {
  if (!bucket.policy) return undefined;
  const target = {
    resource: `${bucketArn(bucket.name, bucket.region)}/${key}`,
    action: versionId ? "s3:DeleteObjectVersion" : "s3:DeleteObject",
    policy: bucket.policy,
  };
  return isExplicitlyDenied(ctx, target) ? accessDenied(ctx, target) : undefined;
}

/** S3's own condition keys that listing requests carry (s3:prefix, s3:delimiter, s3:max-keys). */
function conditionsOf(op: string, input: Record<string, unknown>): Record<string, string | undefined> | undefined {
  if (op !== "ListObjects" && op !== "ListObjectsV2" && op !== "ListObjectVersions") return undefined;
  return {
    "s3:prefix": input.Prefix as string | undefined,
    "s3:delimiter": input.Delimiter as string | undefined,
    "s3:max-keys": input.MaxKeys === undefined ? undefined : String(input.MaxKeys),
  };
}
