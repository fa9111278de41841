// Shared S3 helpers: bucket lookups and access as AWS answers them, owners, version ids, ETags, tag sets, errors.
import { createHash, randomBytes } from "node:crypto";
import { formatArn, partitionOf } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { statementsOf } from "../../core/policy/evaluate.js";
import { countedTags, isReservedFor } from "../../core/tags.js";
import { AccessDenied, NoSuchBucket, NoSuchKey, NoSuchUpload } from "./api.generated.js";
import type { Owner, Tag } from "./api.generated.js";
import { bucketAclAllows } from "./acl.js";
import { policyForAccess } from "./public-access-block.js";
import { objKey, tables, type BucketRec, type ObjectRec, type Tables, type VersionRec } from "./state.js";

export const S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

/** S3's canonical user id for an account: 64 hex characters, stable per account. */
export const canonicalId = (account: string) => createHash("sha256").update(`stratus-s3-owner:${account}`).digest("hex");
export const ownerOf = (account: string): Owner => ({ ID: canonicalId(account), DisplayName: `account-${account}` });

/**
 * Version ids: 32 URL-safe characters, as S3's look, and like S3's self-checking: 21 random bytes and 3 of their hash.
 * S3 tells an id it could have issued from one it could not (a tampered id is InvalidArgument where an unknown
 * well-formed one is NoSuchVersion); the check bytes let Stratus make the same distinction.
 */
// Version ids are 32 characters of base64url with "." for "-", as S3's own use "." and "_" and never begin with "-"
// (an id starting with "-" reads as an option to the AWS CLI's --version-id).
export const newVersionId = () => {
  const r = randomBytes(21);
  return Buffer.concat([r, versionCheck(r)])
    .toString("base64url")
    .replace(/-/g, ".");
};
const versionCheck = (r: Buffer) => createHash("sha256").update("stratus-s3-version:").update(r).digest().subarray(0, 3);
/** Whether S3 could have issued this version id ("null", the id of the unversioned version, included). */
export function isWellFormedVersionId(id: string): boolean {
  if (id === "null") return true;
  if (!/^[A-Za-z0-9_.]{32}$/.test(id)) return false;
  const b = Buffer.from(id.replace(/\./g, "-"), "base64url");
  return b.length === 24 && b.subarray(21).equals(versionCheck(b.subarray(0, 21)));
}
export const invalidVersionId = (versionId: string) => invalidArgument("Invalid version id specified", "versionId", versionId);

export const quotedMd5 = (hex: string) => `"${hex}"`;
/** An ETag as S3 writes it inside error details (InvalidPart, EntityTooSmall): without its quotes. */
export const bareEtag = (etag: string | undefined) => (etag ?? "").replace(/"/g, "");

// Errors S3 words this way everywhere, with the detail elements AWS sends beside Code and Message (the rest-xml codec
// writes every field, modeled or not). Wording and details as recorded from AWS in LocalStack's S3 snapshots
// (github.com/localstack/localstack tests/aws/services/s3/test_s3.snapshot.json, test_s3_api.snapshot.json).
export const noSuchBucket = (name: string) => new NoSuchBucket("The specified bucket does not exist", { BucketName: name });
export const noSuchKey = (key: string) => new NoSuchKey("The specified key does not exist.", { Key: key });
export const noSuchVersion = (key: string, versionId: string) =>
  new ServiceError("NoSuchVersion", "The specified version does not exist.", 404, { fields: { Key: key, VersionId: versionId } });
export const malformedXml = () =>
  new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
export const invalidArgument = (message: string, name?: string, value?: string) =>
  new ServiceError("InvalidArgument", message, 400, { fields: name ? { ArgumentName: name, ArgumentValue: value } : undefined });
export const preconditionFailed = (condition: string) =>
  new ServiceError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, { fields: { Condition: condition } });

/**
 * The bucket, if the caller may use it. Buckets are global by name; another account's bucket is AccessDenied
 * unless its bucket policy allows that account (Principal "*" or the account) — Stratus evaluates no more of it.
 */
export function mustBucket(ctx: HandlerContext, name: string, t: Tables = tables(ctx)): Readonly<BucketRec> {
  // read(): one frozen copy until the bucket is written (every request reads its bucket; changes put a new record).
  const b = t.buckets.read(name);
  if (!b) throw noSuchBucket(name);
  // Under Block Public Access's RestrictPublicBuckets, public statements open the bucket to no other account; a
  // bucket ACL grant opens what its permission covers (acl.ts).
  if (b.account !== ctx.account && !policyAllowsAccount(policyForAccess(b), ctx.account) && !bucketAclAllows(b, ctx.account, ctx.operation))
    throw new AccessDenied("Access Denied");
  return b;
}

function policyAllowsAccount(policy: string | undefined, account: string): boolean {
  if (!policy) return false;
  return (statementsOf(policy) ?? []).some((s) => {
    if (s?.Effect !== "Allow") return false;
    const p = s.Principal;
    if (p === "*") return true;
    const aws = (p as { AWS?: unknown })?.AWS;
    const list = Array.isArray(aws) ? aws : [aws];
    return list.some(
      // The account, its root or any of its principals, in any partition's form.
      (a) => a === "*" || a === account || (typeof a === "string" && new RegExp(`^arn:[\\w-]+:iam::${account}:`).test(a)),
    );
  });
}

/**
 * The version a GET/HEAD (or copy source, tagging call) addresses: the current one, or `versionId` ("null" included).
 * A bucket that never had versioning knows no version id but "null": any other is InvalidArgument "Invalid version id
 * specified" (AWS-recorded: LocalStack's test_s3_api.snapshot.json, test_get_object_with_version_unversioned_bucket,
 * a well-formed id). With versioning, an unknown id S3 could have issued is NoSuchVersion (same file,
 * test_delete_object_versioned: get-deleted-object-with-version); one it could not is InvalidArgument, as for a
 * tampered id on DeleteObject there (delete-with-bad-version) — for GET that last case is unverified.
 */
export function findVersion(b: BucketRec, obj: ObjectRec | undefined, key: string, versionId?: string): VersionRec {
  if (versionId === undefined) {
    const cur = obj?.versions[0];
    if (!cur) throw noSuchKey(key);
    return cur;
  }
  if (!b.versioning && versionId !== "null") throw invalidVersionId(versionId);
  const v = obj?.versions.find((x) => x.versionId === versionId);
  if (!v) {
    if (!isWellFormedVersionId(versionId)) throw invalidVersionId(versionId);
    if (!b.versioning) throw noSuchKey(key);
    throw noSuchVersion(key, versionId);
  }
  return v;
}

export const getObject = (t: Tables, bucket: string, key: string) => t.objects.get(objKey(bucket, key));
/** The object's record frozen, parsed once until the key is written (read-only uses: conditions, a write's next record). */
export const readObject = (t: Tables, bucket: string, key: string) => t.objects.read(objKey(bucket, key));

// Tag sets: at most 10 per object, 50 per bucket; keys ≤128, values ≤256 characters; no duplicate keys. The aws:
// prefix is the system's: CloudFormation's aws:cloudformation:* tags go through when it makes the call (`invokedBy`,
// core/tags.ts), and do not count toward the limit.
export function checkTags(tags: Tag[], max: number, invokedBy?: string): Tag[] {
  if (countedTags(tags, (t) => t.Key) > max) throw new ServiceError("BadRequest", `Object tags cannot be greater than ${max}`, 400);
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.Key)) throw new ServiceError("InvalidTag", "Cannot provide multiple Tags with the same key", 400, { fields: { TagKey: t.Key } });
    seen.add(t.Key);
    if (t.Key.length === 0 || t.Key.length > 128)
      throw new ServiceError("InvalidTag", "The TagKey you have provided is invalid", 400, { fields: { TagKey: t.Key } });
    if ((t.Value ?? "").length > 256)
      throw new ServiceError("InvalidTag", "The TagValue you have provided is invalid", 400, { fields: { TagKey: t.Key, TagValue: t.Value } });
    if (isReservedFor(t.Key, { prefix: "aws:" }, invokedBy)) throw new ServiceError("InvalidTag", "System tags cannot be added/updated by requester", 400);
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value ?? "" }));
}

/** The x-amz-tagging header: a URL query string ("k1=v1&k2=v2"). */
export function parseTaggingHeader(header: string | undefined): Tag[] {
  if (!header) return [];
  const tags: Tag[] = [];
  for (const [Key, Value] of new URLSearchParams(header)) tags.push({ Key, Value });
  return checkTags(tags, 10);
}

/** A bucket's ARN, in the partition of the bucket's region (arn:aws-cn:s3:::name for a bucket in cn-north-1). */
export const bucketArn = (name: string, region = "") =>
  formatArn({ partition: region ? partitionOf(region) : "aws", service: "s3", region: "", account: "", resource: name });

/** S3's url encoding-type: percent-encoding like Python's quote(), which leaves "/" as it is. */
export const urlEncode = (s: string) =>
  encodeURIComponent(s)
    .replace(/%2F/g, "/")
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

// Multipart errors (test_s3.snapshot.json: test_multipart_and_list_parts, test_multipart_complete_multipart_wrong_part,
// test_multipart_complete_multipart_too_small, test_complete_multipart_parts_order): ETags unquoted in the details.
export const noSuchUpload = (uploadId: string) =>
  new NoSuchUpload("The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", {
    UploadId: uploadId,
  });
export const invalidPart = (uploadId: string, partNumber: number, etag: string | undefined) =>
  new ServiceError(
    "InvalidPart",
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    400,
    { fields: { UploadId: uploadId, PartNumber: String(partNumber), ETag: bareEtag(etag) } },
  );
export const invalidPartOrder = (uploadId: string) =>
  new ServiceError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", 400, {
    fields: { UploadId: uploadId },
  });
export const entityTooSmall = (size: number, min: number, partNumber: number, etag: string) =>
  new ServiceError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400, {
    fields: { ProposedSize: String(size), MinSizeAllowed: String(min), PartNumber: String(partNumber), ETag: bareEtag(etag) },
  });
export const invalidPartNumber = (requested: number, actual: number) =>
  new ServiceError("InvalidPartNumber", "The requested partnumber is not satisfiable", 416, {
    fields: { PartNumberRequested: String(requested), ActualPartCount: String(actual) },
  });

/**
 * A negative max-parts, part-number-marker or max-uploads: S3 refuses it after the bucket lookup (wire/query.ts has the
 * sources; the max-parts wording also as AWS answered a proxy in versity/versitygw#329).
 */
export function negativeArgument(name: string, value: number | string | undefined): void {
  if (value !== undefined && Number(value) < 0) throw invalidArgument(`Argument ${name} must be an integer between 0 and 2147483647`, name, String(value));
}
