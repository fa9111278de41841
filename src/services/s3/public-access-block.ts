// S3 Block Public Access at bucket level: Put/Get/DeletePublicAccessBlock, and what each setting does here.
// New buckets have all four settings on, as AWS creates them since April 2023 (LocalStack's
// tests/aws/services/s3/test_s3_api.snapshot.json, TestS3PublicAccessBlock: "get-default-public-access-block").
// - BlockPublicPolicy: PutBucketPolicy refuses a public policy (policy.ts calls checkPolicyNotBlocked).
// - BlockPublicAcls: PutBucketAcl/PutObjectAcl/PutObject/CopyObject/CreateMultipartUpload refuse public ACLs (acl.ts).
// - IgnorePublicAcls: public ACL grants give nobody access (aclGrantsAccess).
// - RestrictPublicBuckets: public policy statements open the bucket to no other account (common.ts's mustBucket asks
//   policyForAccess).
// What "public" means: https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
import { ServiceError } from "../../core/errors.js";
import { statementsOf } from "../../core/policy/evaluate.js";
import type { Grant, PublicAccessBlockConfiguration, S3Api } from "./api.generated.js";
import { bucketArn, mustBucket } from "./common.js";
import { tables, type BucketRec } from "./state.js";

export const ALL_BLOCKED: PublicAccessBlockConfiguration = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/** A grant to everyone or to every AWS account is public (the AWS doc above, "The meaning of public": ACLs). */
export const isPublicGrant = (g: Grant) => g.Grantee?.Type === "Group" && (g.Grantee.URI === ALL_USERS || g.Grantee.URI === AUTHENTICATED_USERS);

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

// Condition keys that pin a statement to fixed values and so make it non-public (the AWS doc above lists them).
const FIXING_KEYS = new Set(
  [
    "aws:SourceIp",
    "aws:SourceArn",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceOwner",
    "aws:SourceAccount",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:userid",
    "aws:username",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:DataAccessPointArn",
    "s3:DataAccessPointAccount",
  ].map((k) => k.toLowerCase()),
);
const WILDCARD_OK_OPERATORS = /^(StringLike|ArnLike|StringEquals|ArnEquals|IpAddress|StringEqualsIgnoreCase)(IfExists)?$/;

/** A statement that allows a wildcard principal without a condition fixing it to known values. */
function publicStatement(s: Record<string, unknown>): boolean {
  if (s.Effect !== "Allow") return false;
  const p = s.Principal;
  const wildcard = p === "*" || asList((p as { AWS?: unknown } | undefined)?.AWS).includes("*");
  if (!wildcard) return false;
  const cond = s.Condition as Record<string, Record<string, unknown>> | undefined;
  if (!cond || typeof cond !== "object") return true;
  for (const [op, entries] of Object.entries(cond)) {
    if (!WILDCARD_OK_OPERATORS.test(op.replace(/^ForAnyValue:|^ForAllValues:/, "")) || !entries || typeof entries !== "object") continue;
    for (const [key, value] of Object.entries(entries)) {
      if (!FIXING_KEYS.has(key.toLowerCase())) continue;
      // A value with a wildcard fixes nothing ("aws:SourceAccount": "*").
      if (asList(value).every((v) => typeof v === "string" && !v.includes("*") && (op.startsWith("IpAddress") ? !/\/0$/.test(v) : true))) return false;
    }
  }
  return true;
}

/** Whether a bucket policy's text is public in AWS's sense. */
export function isPublicPolicy(text: string | undefined): boolean {
  if (!text) return false;
  return (statementsOf(text) ?? []).some((s) => publicStatement(s as Record<string, unknown>));
}

/**
 * PutBucketPolicy under BlockPublicPolicy: AWS's AccessDenied, worded as AWS answers it (recorded in public reports of
 * the error, e.g. `User: arn:aws:iam::…:user/x is not authorized to perform: s3:PutBucketPolicy on resource:
 * "arn:aws:s3:::bucket" because public policies are blocked by the BlockPublicPolicy block public access setting.`).
 */
export function checkPolicyNotBlocked(b: BucketRec, policy: string, callerArn: string): void {
  if (b.publicAccessBlock?.BlockPublicPolicy && isPublicPolicy(policy)) {
    throw new ServiceError(
      "AccessDenied",
      `User: ${callerArn} is not authorized to perform: s3:PutBucketPolicy on resource: "${bucketArn(b.name, b.region)}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
      403,
    );
  }
}

/** The bucket policy as access decisions see it: without its public statements while RestrictPublicBuckets is on. */
export function policyForAccess(b: BucketRec): string | undefined {
  if (!b.publicAccessBlock?.RestrictPublicBuckets || !isPublicPolicy(b.policy)) return b.policy;
  const doc = JSON.parse(b.policy as string) as Record<string, unknown>;
  const kept = (statementsOf(doc) ?? []).filter((s) => !publicStatement(s as Record<string, unknown>));
  return JSON.stringify({ ...doc, Statement: kept });
}

/**
 * Setting a public ACL under BlockPublicAcls: AccessDenied "Access Denied" (403) — the AWS doc above: "PUT Bucket acl and
 * PUT Object acl calls fail if the specified access control list (ACL) is public"; the status and wording are S3's
 * generic AccessDenied (unverified against a recorded response).
 */
export function checkAclNotBlocked(b: BucketRec, grants: Grant[]): void {
  if (b.publicAccessBlock?.BlockPublicAcls && grants.some(isPublicGrant)) throw new ServiceError("AccessDenied", "Access Denied", 403);
}

/** The grants that count when S3 decides access: public ones are dropped under IgnorePublicAcls. */
export const effectiveGrants = (b: BucketRec, grants: Grant[]) => (b.publicAccessBlock?.IgnorePublicAcls ? grants.filter((g) => !isPublicGrant(g)) : grants);

export const publicAccessBlock = {
  putPublicAccessBlock({ Bucket, PublicAccessBlockConfiguration: conf }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    // Settings left out are false (LocalStack's recorded "get-public-access-block" after a put without RestrictPublicBuckets).
    const stored: PublicAccessBlockConfiguration = {
      BlockPublicAcls: conf?.BlockPublicAcls ?? false,
      IgnorePublicAcls: conf?.IgnorePublicAcls ?? false,
      BlockPublicPolicy: conf?.BlockPublicPolicy ?? false,
      RestrictPublicBuckets: conf?.RestrictPublicBuckets ?? false,
    };
    t.buckets.put(Bucket, { ...b, publicAccessBlock: stored });
    return {};
  },

  getPublicAccessBlock({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    if (!b.publicAccessBlock)
      throw new ServiceError("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404, {
        fields: { BucketName: Bucket },
      });
    return { PublicAccessBlockConfiguration: b.publicAccessBlock };
  },

  deletePublicAccessBlock({ Bucket }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    t.buckets.put(Bucket, { ...b, publicAccessBlock: undefined });
    return {};
  },
} satisfies Partial<S3Api>;
