// S3 Object Ownership: Put/Get/DeleteBucketOwnershipControls and CreateBucket's x-amz-object-ownership header.
// New buckets get BucketOwnerEnforced (ACLs disabled), as AWS creates them since April 2023
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html). Errors as AWS recorded them in
// LocalStack's tests/aws/services/s3/test_s3_api.snapshot.json (TestS3BucketOwnershipControls).
import { ServiceError } from "../../core/errors.js";
import type { ObjectOwnership, S3Api } from "./api.generated.js";
import { invalidArgument, malformedXml, mustBucket } from "./common.js";
import { ownerOnly } from "./acl.js";
import { tables, type BucketRec } from "./state.js";

export const OWNERSHIPS: ObjectOwnership[] = ["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"];

/** CreateBucket's x-amz-object-ownership header: absent means BucketOwnerEnforced; anything else unknown is refused. */
export function ownershipAtCreate(header: string | undefined): ObjectOwnership {
  if (header === undefined) return "BucketOwnerEnforced";
  if (!OWNERSHIPS.includes(header as ObjectOwnership)) throw invalidArgument(`Invalid x-amz-object-ownership header: ${header}`, "x-amz-object-ownership");
  return header as ObjectOwnership;
}

/** ACLs are disabled (BucketOwnerEnforced): the bucket owner owns every object. */
export const aclsDisabled = (b: BucketRec) => b.ownership === "BucketOwnerEnforced";

export const ownership = {
  putBucketOwnershipControls({ Bucket, OwnershipControls }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    const rules = OwnershipControls?.Rules ?? [];
    // One rule with a known value, else the document does not match S3's schema (MalformedXML, as recorded).
    if (rules.length !== 1 || !OWNERSHIPS.includes(rules[0].ObjectOwnership)) throw malformedXml();
    const value = rules[0].ObjectOwnership;
    // Disabling ACLs needs a bucket ACL that grants only the owner
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html).
    if (value === "BucketOwnerEnforced" && b.acl && !ownerOnly(b.acl, b.account)) {
      throw new ServiceError("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400);
    }
    t.buckets.put(Bucket, { ...b, ownership: value });
    return {};
  },

  getBucketOwnershipControls({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    if (!b.ownership)
      throw new ServiceError("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", 404, { fields: { BucketName: Bucket } });
    return { OwnershipControls: { Rules: [{ ObjectOwnership: b.ownership }] } };
  },

  deleteBucketOwnershipControls({ Bucket }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    t.buckets.put(Bucket, { ...b, ownership: undefined });
    return {};
  },
} satisfies Partial<S3Api>;
