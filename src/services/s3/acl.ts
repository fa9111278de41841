// S3 ACLs: canned ACLs, x-amz-grant-* headers and AccessControlPolicy documents on CreateBucket, PutObject, CopyObject,
// CreateMultipartUpload and Put/GetBucketAcl, Put/GetObjectAcl; their checks against Object Ownership and Block Public
// Access. Owners are the account's canonical user id (common.ts).
// Sources: canned ACLs — https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl;
// errors — LocalStack's AWS-recorded tests/aws/services/s3/test_s3.snapshot.json (test_s3_bucket_acl,
// test_s3_bucket_acl_exceptions, test_s3_object_acl, test_s3_object_acl_exceptions) and, for ACLs under
// BucketOwnerEnforced, https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-ownership-error-responses.html.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { AccessControlPolicy, Grant, Owner, Permission, S3Api } from "./api.generated.js";
import { canonicalId, getObject, invalidArgument, mustBucket } from "./common.js";
import { readableVersion } from "./objects.js";
import { aclsDisabled, ownershipAtCreate } from "./ownership.js";
import { ALL_BLOCKED, checkAclNotBlocked, effectiveGrants, isPublicGrant } from "./public-access-block.js";
import { objKey, tables, type BucketRec } from "./state.js";
import { notify } from "./notifications.js";

export const GROUPS = {
  AllUsers: "http://acs.amazonaws.com/groups/global/AllUsers",
  AuthenticatedUsers: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
  LogDelivery: "http://acs.amazonaws.com/groups/s3/LogDelivery",
};
const VALID_GROUPS = new Set(Object.values(GROUPS));
const PERMISSIONS: Permission[] = ["FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"];
const BUCKET_CANNED = ["private", "public-read", "public-read-write", "authenticated-read", "log-delivery-write"];
const OBJECT_CANNED = ["private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control"];
const GRANT_HEADERS = [
  ["GrantFullControl", "x-amz-grant-full-control", "FULL_CONTROL"],
  ["GrantRead", "x-amz-grant-read", "READ"],
  ["GrantReadACP", "x-amz-grant-read-acp", "READ_ACP"],
  ["GrantWrite", "x-amz-grant-write", "WRITE"],
  ["GrantWriteACP", "x-amz-grant-write-acp", "WRITE_ACP"],
] as const;

type AclInput = Partial<Record<(typeof GRANT_HEADERS)[number][0], string>> & { ACL?: string; AccessControlPolicy?: AccessControlPolicy };

const malformedAcl = () =>
  new ServiceError("MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema", 400);
const validId = (id: unknown) => typeof id === "string" && /^[0-9a-f]{64}$/.test(id);
const user = (account: string) => ({ ID: canonicalId(account), Type: "CanonicalUser" as const });
const group = (uri: string) => ({ URI: uri, Type: "Group" as const });
/** What ACL reads show as Owner: the canonical id alone (AWS no longer returns DisplayName; see the snapshot above). */
export const aclOwner = (account: string): Owner => ({ ID: canonicalId(account) });
const fullControl = (account: string): Grant => ({ Grantee: user(account), Permission: "FULL_CONTROL" });

/** The grants of a canned ACL, for a resource owned by `owner` in a bucket owned by `bucketOwner`. */
function cannedGrants(acl: string, owner: string, bucketOwner: string): Grant[] {
  const grants = [fullControl(owner)];
  const add = (grantee: Grant["Grantee"], Permission: Permission) => grants.push({ Grantee: grantee, Permission });
  switch (acl) {
    case "public-read":
      add(group(GROUPS.AllUsers), "READ");
      break;
    case "public-read-write":
      add(group(GROUPS.AllUsers), "READ");
      add(group(GROUPS.AllUsers), "WRITE");
      break;
    case "authenticated-read":
      add(group(GROUPS.AuthenticatedUsers), "READ");
      break;
    case "log-delivery-write":
      add(group(GROUPS.LogDelivery), "WRITE");
      add(group(GROUPS.LogDelivery), "READ_ACP");
      break;
    case "bucket-owner-read":
      if (bucketOwner !== owner) add(user(bucketOwner), "READ");
      break;
    case "bucket-owner-full-control":
      if (bucketOwner !== owner) add(user(bucketOwner), "FULL_CONTROL");
      break;
    // "aws-exec-read" also lets EC2 read AMI bundles; Stratus has no EC2 principal to grant, so only the owner's grant
    // is recorded (unverified against AWS's answer).
  }
  return grants;
}

/** One x-amz-grant-* header: `id="…", uri="…", emailAddress="…"`, comma-separated. */
function parseGrantHeader(header: string, value: string, permission: Permission): Grant[] {
  const grants: Grant[] = [];
  for (const part of value.split(",")) {
    const entry = part.trim();
    if (!entry) continue;
    const m = /^([A-Za-z]+)\s*=\s*"?([^"]*)"?$/.exec(entry);
    const key = m?.[1];
    const v = m?.[2] ?? "";
    if (key === "id") {
      if (!validId(v)) throw invalidArgument("Invalid id", "id", v);
      grants.push({ Grantee: { ID: v, Type: "CanonicalUser" }, Permission: permission });
    } else if (key === "uri") {
      if (!VALID_GROUPS.has(v)) throw invalidArgument("Invalid group uri", "uri", v);
      grants.push({ Grantee: group(v), Permission: permission });
    } else if (key === "emailAddress") {
      // Email grantees ended on 1 October 2025 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html);
      // Stratus keeps no e-mail addresses of accounts either.
      throw new ServiceError("UnresolvableGrantByEmailAddress", "The e-mail address you provided does not match any account on record.", 400);
    } else throw invalidArgument("Argument format not recognized", header, entry);
  }
  return grants;
}

/** An AccessControlPolicy document, checked as S3 checks it. */
function grantsFromPolicy(acp: AccessControlPolicy): Grant[] {
  if (!acp.Owner?.ID) throw malformedAcl();
  for (const g of acp.Grants ?? []) if (!g.Permission || !PERMISSIONS.includes(g.Permission)) throw malformedAcl();
  if (!validId(acp.Owner.ID)) throw invalidArgument("Invalid id", "CanonicalUser/ID", acp.Owner.ID);
  return (acp.Grants ?? []).map((g) => {
    const e = g.Grantee;
    if (e?.Type === "CanonicalUser") {
      if (!validId(e.ID)) throw invalidArgument("Invalid id", "CanonicalUser/ID", e.ID);
      return { Grantee: { ID: e.ID, Type: "CanonicalUser" }, Permission: g.Permission };
    }
    if (e?.Type === "Group") {
      if (!e.URI || !VALID_GROUPS.has(e.URI)) throw invalidArgument("Invalid group uri", "Group/URI", e.URI);
      return { Grantee: group(e.URI), Permission: g.Permission };
    }
    if (e?.Type === "AmazonCustomerByEmail")
      throw new ServiceError("UnresolvableGrantByEmailAddress", "The e-mail address you provided does not match any account on record.", 400);
    throw malformedAcl();
  });
}

function checkCanned(acl: string, kind: "bucket" | "object"): void {
  // S3 answers an unknown canned ACL with InvalidArgument and no Message element (as recorded).
  if (!(kind === "bucket" ? BUCKET_CANNED : OBJECT_CANNED).includes(acl)) throw invalidArgument("", "x-amz-acl", acl);
}

/**
 * The ACL a request sets: its canned ACL, its grant headers, or (Put…Acl only) its AccessControlPolicy; undefined
 * when it names none (a new resource is then private).
 */
function requestedGrants(i: AclInput, kind: "bucket" | "object", owner: string, bucketOwner: string, withBody: boolean): Grant[] | undefined {
  const headers = GRANT_HEADERS.filter(([member]) => i[member] !== undefined);
  if (i.ACL !== undefined && headers.length) throw new ServiceError("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed", 400);
  if (withBody && i.AccessControlPolicy !== undefined) {
    if (i.ACL !== undefined || headers.length) throw new ServiceError("UnexpectedContent", "This request does not support content", 400);
    return grantsFromPolicy(i.AccessControlPolicy);
  }
  if (i.ACL !== undefined) {
    checkCanned(i.ACL, kind);
    return cannedGrants(i.ACL, owner, bucketOwner);
  }
  if (headers.length) return headers.flatMap(([member, header, permission]) => parseGrantHeader(header, i[member] as string, permission));
  return undefined;
}

/** Grants nothing beyond the bucket owner's own full control (what a bucket with ACLs disabled accepts). */
export const ownerOnly = (grants: Grant[], account: string) =>
  grants.every((g) => g.Grantee?.Type === "CanonicalUser" && g.Grantee.ID === canonicalId(account) && g.Permission === "FULL_CONTROL");

const aclNotSupported = () => new ServiceError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400);

/** Ownership and Block Public Access checks for an ACL being set on `b` or one of its objects. */
function checkSettable(b: BucketRec, grants: Grant[]): void {
  if (aclsDisabled(b) && !ownerOnly(grants, b.account)) throw aclNotSupported();
  checkAclNotBlocked(b, grants);
}

/**
 * CreateBucket's Object Ownership, ACL and Block Public Access, checked before the bucket exists: an ACL beyond the
 * owner's is refused with ACLs disabled, and a public one while Block Public Access is on (new buckets have it on).
 */
export function bucketAtCreate(ctx: HandlerContext, i: AclInput & { ObjectOwnership?: string }): Pick<BucketRec, "ownership" | "acl" | "publicAccessBlock"> {
  const ownership = ownershipAtCreate(i.ObjectOwnership);
  const grants = requestedGrants(i, "bucket", ctx.account, ctx.account, false);
  if (grants && ownership === "BucketOwnerEnforced" && !ownerOnly(grants, ctx.account))
    throw new ServiceError("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400);
  if (grants?.some(isPublicGrant))
    throw new ServiceError("InvalidBucketAclWithBlockPublicAccessError", "Bucket cannot have public ACLs set with BlockPublicAccess enabled", 400);
  return { ownership, acl: grants && !ownerOnly(grants, ctx.account) ? grants : undefined, publicAccessBlock: { ...ALL_BLOCKED } };
}

/** The ACL a new object gets from PutObject, CopyObject or CreateMultipartUpload (undefined: private). */
export function aclForNewObject(ctx: HandlerContext, b: BucketRec, i: AclInput): Grant[] | undefined {
  const grants = requestedGrants(i, "object", ctx.account, b.account, false);
  if (!grants) return undefined;
  if (aclsDisabled(b)) {
    // bucket-owner-full-control is what a bucket with ACLs disabled expects from every writer.
    if (i.ACL === "bucket-owner-full-control" || ownerOnly(grants, b.account)) return undefined;
    throw aclNotSupported();
  }
  checkAclNotBlocked(b, grants);
  return grants;
}

export const acl = {
  putBucketAcl(i, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, i.Bucket, t);
    const grants = requestedGrants(i, "bucket", b.account, b.account, true);
    if (!grants)
      throw new ServiceError("MissingSecurityHeader", "Your request was missing a required header", 400, { fields: { MissingHeaderName: "x-amz-acl" } });
    checkSettable(b, grants);
    t.buckets.put(b.name, { ...b, acl: grants });
    return {};
  },

  getBucketAcl({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    return { Owner: aclOwner(b.account), Grants: aclsDisabled(b) || !b.acl ? [fullControl(b.account)] : b.acl };
  },

  putObjectAcl(i, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, i.Bucket, t);
    const v = readableVersion(b, i.Key, i.VersionId, ctx);
    const grants = requestedGrants(i, "object", objectOwner(b, v.owner), b.account, true);
    if (!grants)
      throw new ServiceError("MissingSecurityHeader", "Your request was missing a required header", 400, { fields: { MissingHeaderName: "x-amz-acl" } });
    if (aclsDisabled(b) && i.ACL === "bucket-owner-full-control") return {};
    checkSettable(b, grants);
    const k = objKey(b.name, i.Key);
    const obj = getObject(t, b.name, i.Key);
    if (obj) t.objects.put(k, { versions: obj.versions.map((x) => (x.versionId === v.versionId ? { ...x, acl: grants } : x)) });
    notify(ctx, b, "ObjectAcl:Put", { key: i.Key, etag: v.etag, versionId: v.versionId });
    return {};
  },

  getObjectAcl({ Bucket, Key, VersionId }, ctx) {
    const b = mustBucket(ctx, Bucket);
    const v = readableVersion(b, Key, VersionId, ctx);
    const owner = objectOwner(b, v.owner);
    return {
      Owner: aclOwner(owner),
      Grants: aclsDisabled(b) || !v.acl ? [fullControl(owner)] : v.acl,
    };
  },
} satisfies Partial<S3Api>;

/**
 * The bucket ACL permission an operation needs from another account (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#permissions):
 * READ lists the bucket, WRITE creates and deletes its objects, READ_ACP/WRITE_ACP read and write the bucket ACL.
 * Object reads are governed by object ACLs, which Stratus does not evaluate for other accounts; copies (which read a
 * source object too) are therefore not opened by a bucket grant either.
 */
const BUCKET_PERMISSION: Record<string, Permission> = {
  HeadBucket: "READ",
  ListObjects: "READ",
  ListObjectsV2: "READ",
  ListObjectVersions: "READ",
  ListMultipartUploads: "READ",
  PutObject: "WRITE",
  DeleteObject: "WRITE",
  DeleteObjects: "WRITE",
  CreateMultipartUpload: "WRITE",
  UploadPart: "WRITE",
  CompleteMultipartUpload: "WRITE",
  AbortMultipartUpload: "WRITE",
  GetBucketAcl: "READ_ACP",
  PutBucketAcl: "WRITE_ACP",
};

/**
 * Whether the bucket's ACL lets another account do `operation` on it: a grant of the permission it needs (or
 * FULL_CONTROL) to the account's canonical user, to AuthenticatedUsers or to AllUsers — the public ones not while
 * Block Public Access's IgnorePublicAcls is on. ACLs disabled (BucketOwnerEnforced) grant nothing.
 */
export function bucketAclAllows(b: BucketRec, account: string, operation: string): boolean {
  const needed = BUCKET_PERMISSION[operation];
  if (!needed || aclsDisabled(b) || !b.acl) return false;
  const id = canonicalId(account);
  return effectiveGrants(b, b.acl).some(
    (g) =>
      (g.Permission === needed || g.Permission === "FULL_CONTROL") &&
      ((g.Grantee?.Type === "CanonicalUser" && g.Grantee.ID === id) ||
        (g.Grantee?.Type === "Group" && (g.Grantee.URI === GROUPS.AllUsers || g.Grantee.URI === GROUPS.AuthenticatedUsers))),
  );
}

/**
 * Who owns an object another account writes: the bucket owner with ACLs disabled, or under BucketOwnerPreferred when
 * the writer grants it full control (bucket-owner-full-control); otherwise the writer
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
 */
export function ownerForNewObject(b: BucketRec, writer: string, grants: Grant[] | undefined): string {
  if (aclsDisabled(b)) return b.account;
  const ownerFull = grants?.some((g) => g.Permission === "FULL_CONTROL" && g.Grantee?.Type === "CanonicalUser" && g.Grantee.ID === canonicalId(b.account));
  return b.ownership === "BucketOwnerPreferred" && ownerFull ? b.account : writer;
}

/** With ACLs disabled the bucket owner owns every object; otherwise its writer does. */
export const objectOwner = (b: BucketRec, writer: string) => (aclsDisabled(b) ? b.account : writer);
