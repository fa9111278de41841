// Bucket policies: stored as the JSON text the caller sent, after S3's structural checks.
import { ServiceError } from "../../core/errors.js";
import type { S3Api } from "./api.generated.js";
import { bucketArn, mustBucket } from "./common.js";
import { checkPolicyNotBlocked } from "./public-access-block.js";
import { tables } from "./state.js";

const malformedPolicy = (message: string) => new ServiceError("MalformedPolicy", message, 400);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function checkPolicy(bucket: string, region: string, text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc) || !text.trimStart().startsWith("{"))
    throw malformedPolicy("Policies must be valid JSON and the first byte must be '{'");
  const d = doc as Record<string, unknown>;
  if (d.Version !== undefined && d.Version !== "2012-10-17" && d.Version !== "2008-10-17") throw malformedPolicy("Invalid policy document version");
  const stmts = asList(d.Statement);
  if (!stmts.length) throw malformedPolicy("Missing required field Statement");
  for (const s of stmts as Record<string, unknown>[]) {
    if (!s || typeof s !== "object") throw malformedPolicy("Missing required field Statement");
    if (s.Effect !== "Allow" && s.Effect !== "Deny")
      throw malformedPolicy(s.Effect === undefined ? "Missing required field Effect" : "Invalid effect: " + String(s.Effect));
    if (s.Principal === undefined && s.NotPrincipal === undefined) throw malformedPolicy("Missing required field Principal");
    if (s.Action === undefined && s.NotAction === undefined) throw malformedPolicy("Missing required field Action");
    const resources = asList(s.Resource ?? s.NotResource);
    if (!resources.length) throw malformedPolicy("Missing required field Resource");
    for (const r of resources) {
      // A bucket policy may only speak of its own bucket and the objects in it.
      if (typeof r !== "string" || !(r === bucketArn(bucket, region) || r.startsWith(`${bucketArn(bucket, region)}/`) || r === "*"))
        throw malformedPolicy("Policy has invalid resource");
    }
    for (const a of asList(s.Action ?? s.NotAction)) {
      if (typeof a !== "string" || !(a === "*" || /^s3(-object-lambda)?:[A-Za-z*?]+$/.test(a))) throw malformedPolicy("Policy has invalid action");
    }
  }
}

export const policy = {
  putBucketPolicy({ Bucket, Policy }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    checkPolicy(Bucket, b.region, Policy);
    checkPolicyNotBlocked(b, Policy, ctx.principal.arn);
    t.buckets.put(Bucket, { ...b, policy: Policy });
    return {};
  },

  getBucketPolicy({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    if (!b.policy) throw new ServiceError("NoSuchBucketPolicy", "The bucket policy does not exist", 404, { fields: { BucketName: Bucket } });
    return { Policy: b.policy };
  },

  deleteBucketPolicy({ Bucket }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    t.buckets.put(Bucket, { ...b, policy: undefined });
    return {};
  },
} satisfies Partial<S3Api>;
