// S3 objects: put, get and head (ranges, conditions, response overrides), delete (one, many), copy.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import type { BlobSource } from "../../core/blobs.js";
import type { DeletedObject, GetObjectRequest, S3Api, Error_ } from "./api.generated.js";
import { objectDeleteDenied } from "./access.js";
import {
  findVersion,
  getObject,
  readObject,
  invalidArgument,
  invalidPartNumber,
  invalidVersionId,
  isWellFormedVersionId,
  mustBucket,
  noSuchKey,
  noSuchVersion,
  parseTaggingHeader,
  quotedMd5,
} from "./common.js";
import { aclForNewObject, ownerForNewObject } from "./acl.js";
import { checkCopyConditions, checkReadConditions, checkWriteConditions, notImplementedHeader, parseRange } from "./conditions.js";
import { checksumOut, DEFAULT_CHECKSUM, headersOut, readContent, storeBody } from "./content.js";
import { sseForWrite, sseOut, unsealForRead } from "./encryption.js";
import { notify } from "./notifications.js";
import { tables, type BucketRec, type VersionRec } from "./state.js";
import { checkBypassHeader, checkDeletable, lockForWrite, lockHeaders } from "./object-lock.js";
import { ARCHIVED, checkCopyable, checkReadable, checkStorageClass, restoreHeader } from "./storage-class.js";
import { commit, deleteCurrent, deleteVersion, putVersion } from "./versions.js";

/** The content attributes a write request sets (PutObject, CopyObject with REPLACE, CreateMultipartUpload). */
export function attrsFrom(i: {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  Expires?: string;
  WebsiteRedirectLocation?: string;
  Metadata?: Record<string, string>;
  StorageClass?: string;
}) {
  return {
    contentType: i.ContentType,
    contentEncoding: i.ContentEncoding,
    contentDisposition: i.ContentDisposition,
    contentLanguage: i.ContentLanguage,
    cacheControl: i.CacheControl,
    expires: i.Expires,
    websiteRedirectLocation: i.WebsiteRedirectLocation,
    metadata: i.Metadata ?? {},
    storageClass: checkStorageClass(i.StorageClass) ?? "STANDARD",
  };
}

/** A version for GET/HEAD: delete markers answer 404 (current) or 405 (asked for by id) with x-amz-delete-marker. */
export function readableVersion(b: BucketRec, key: string, versionId: string | undefined, ctx: HandlerContext): VersionRec {
  const v = findVersion(b, getObject(tables(ctx), b.name, key), key, versionId);
  if (v.deleteMarker) {
    const headers: Record<string, string> = {
      "x-amz-delete-marker": "true",
      "x-amz-version-id": v.versionId,
      "last-modified": new Date(v.lastModified).toUTCString(),
    };
    if (versionId === undefined) throw Object.assign(noSuchKey(key), { headers });
    // Allow: DELETE, the one method a delete marker takes (LocalStack's test_s3_api.py, test_delete_object_versioned,
    // asserts it on AWS's answer).
    throw new ServiceError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, {
      headers: { ...headers, allow: "DELETE" },
      fields: { Method: ctx.operation === "HeadObject" ? "HEAD" : "GET", ResourceType: "DeleteMarker" },
    });
  }
  return v;
}

// Response header overrides (response-content-type …) S3 honours on GET.
function overrides(
  i: Pick<
    GetObjectRequest,
    "ResponseCacheControl" | "ResponseContentDisposition" | "ResponseContentEncoding" | "ResponseContentLanguage" | "ResponseContentType" | "ResponseExpires"
  >,
) {
  const o: Record<string, unknown> = {};
  if (i.ResponseCacheControl) o.CacheControl = i.ResponseCacheControl;
  if (i.ResponseContentDisposition) o.ContentDisposition = i.ResponseContentDisposition;
  if (i.ResponseContentEncoding) o.ContentEncoding = i.ResponseContentEncoding;
  if (i.ResponseContentLanguage) o.ContentLanguage = i.ResponseContentLanguage;
  if (i.ResponseContentType) o.ContentType = i.ResponseContentType;
  if (i.ResponseExpires) o.Expires = i.ResponseExpires.toUTCString();
  return o;
}

function headOrGet(i: Parameters<S3Api["getObject"]>[0], ctx: HandlerContext) {
  const b = mustBucket(ctx, i.Bucket);
  const v = readableVersion(b, i.Key, i.VersionId, ctx);
  checkReadConditions(i, v);
  const part = i.PartNumber === undefined ? undefined : partOf(v, i.PartNumber, i.Range);
  const range = part ?? parseRange(i.Range, v.size);
  // Object.assign rather than spreads (see rest-bindings.ts writeResponse): one map for every GET and HEAD.
  const out: Record<string, unknown> = Object.assign({}, headersOut(v, !!b.versioning), lockHeaders(v), overrides(i), { Restore: restoreHeader(v, ctx.now()) });
  // x-amz-mp-parts-count only answers a partNumber request, and only for a multipart object.
  if (i.PartNumber !== undefined && v.partsCount) out.PartsCount = v.partsCount;
  if (range) {
    out.ContentRange = `bytes ${range.start}-${range.end}/${v.size}`;
    out.ContentLength = range.end - range.start + 1;
  }
  if (i.ChecksumMode === "ENABLED") Object.assign(out, rangeChecksum(v, range, part?.checksum));
  return { v, range, out };
}

/**
 * GET/HEAD ?partNumber=N: the part's bytes, answered 206 with Content-Range. An object uploaded in one piece is its own
 * part 1; a number past the parts is InvalidPartNumber 416; a Range with it is InvalidRequest (AWS-recorded in
 * LocalStack's test_s3.snapshot.json, test_get_object_part: head-object-part, part-doesnt-exist, part-with-range,
 * part-no-multipart, get-obj-no-multipart).
 */
function partOf(v: VersionRec, n: number, rangeHeader: string | undefined): { start: number; end: number; checksum?: string } | undefined {
  if (rangeHeader) throw new ServiceError("InvalidRequest", "Cannot specify both Range header and partNumber query parameter", 400);
  if (!Number.isInteger(n) || n < 1 || n > 10000)
    throw invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", String(n));
  if (!v.partsCount) {
    if (n !== 1) throw invalidPartNumber(n, 1);
    return v.size ? { start: 0, end: v.size - 1 } : undefined;
  }
  if (!v.parts) {
    // Completed before part boundaries were recorded: the object reads whole, its parts cannot be told apart.
    if (v.partsCount === 1 && n === 1) return v.size ? { start: 0, end: v.size - 1 } : undefined;
    throw new ServiceError(
      "NotImplemented",
      "This object's part boundaries were not recorded (it was completed by an older Stratus); read it whole or by Range.",
      501,
    );
  }
  let start = 0;
  for (const p of v.parts) {
    if (p.n === n) return p.size ? { start, end: start + p.size - 1, checksum: p.checksum } : undefined;
    start += p.size;
  }
  throw invalidPartNumber(n, v.parts.length);
}

/**
 * Checksums on GET/HEAD with x-amz-checksum-mode: ENABLED, when the object has one: the whole object's for a full
 * read, or a range or part that spans it all; a COMPOSITE object's part its own part checksum; nothing for any other
 * slice (AWS-recorded in LocalStack's test_s3.snapshot.json: test_get_object_part, test_get_object_part_checksum).
 */
function rangeChecksum(v: VersionRec, range: { start: number; end: number } | undefined, partChecksum: string | undefined) {
  if (v.checksumType === "COMPOSITE" && partChecksum) {
    const alg = Object.keys(v.checksums ?? {})[0];
    return alg ? { [`Checksum${alg}`]: partChecksum, ChecksumType: "COMPOSITE" } : {};
  }
  return !range || range.end - range.start + 1 === v.size ? checksumOut(v) : {};
}

export const objects = {
  async putObject(i, ctx) {
    const b0 = mustBucket(ctx, i.Bucket);
    checkStorageClass(i.StorageClass);
    const hasDigest = !!(
      i.ContentMD5 ||
      i.ChecksumAlgorithm ||
      i.ChecksumCRC32 ||
      i.ChecksumCRC32C ||
      i.ChecksumCRC64NVME ||
      i.ChecksumSHA1 ||
      i.ChecksumSHA256
    );
    const lock = lockForWrite(b0, i, ctx.now(), hasDigest);
    checkWriteConditions(i.Key, i, readObject(tables(ctx), b0.name, i.Key)?.versions[0]);
    const tags = parseTaggingHeader(i.Tagging);
    const acl = aclForNewObject(ctx, b0, i);
    const sse = await sseForWrite(ctx, b0, i.Key, i);
    const blob = await storeBody(ctx, i.Body as BlobSource | undefined, i, DEFAULT_CHECKSUM);
    // Re-read after the await: the bucket may have changed (or gone) while the body streamed in.
    const t = tables(ctx);
    let b: BucketRec;
    try {
      b = mustBucket(ctx, i.Bucket, t);
      checkWriteConditions(i.Key, i, readObject(t, b.name, i.Key)?.versions[0]);
    } catch (e) {
      ctx.blobs.delete(blob.id);
      throw e;
    }
    const etag = quotedMd5(blob.md5);
    // Object.assign rather than spreads (see rest-bindings.ts writeResponse): one map for every version record.
    const v = Object.assign({}, attrsFrom(i), lock, {
      lastModified: ctx.now(),
      owner: ownerForNewObject(b, ctx.account, acl),
      blob: blob.id,
      size: blob.size,
      etag,
      tags,
      checksums: blob.checksums,
      sse,
      acl,
    });
    const c = commit(ctx, ctx.blobs, () => putVersion(t, b, i.Key, v));
    notify(ctx, b, "ObjectCreated:Put", { key: i.Key, size: blob.size, etag, versionId: c.versionId });
    return { ETag: etag, VersionId: b.versioning ? c.versionId : undefined, Size: blob.size, ...sseOut(sse), ...checksumOut(v) };
  },

  async getObject(i, ctx) {
    const { v, range, out } = headOrGet(i, ctx);
    checkReadable(v, ctx.now());
    // An SSE-KMS object is read only if KMS decrypts its data key (encryption.ts).
    await unsealForRead(ctx, v.sse);
    // A Readable: the gateway streams it (the generated type says Uint8Array, which the codec also accepts).
    return Object.assign(out, { Body: readContent(ctx, v, range) as unknown as Uint8Array });
  },

  headObject(i, ctx) {
    return headOrGet(i, ctx).out;
  },

  deleteObject({ Bucket, Key, VersionId, IfMatch, IfMatchLastModifiedTime, IfMatchSize, BypassGovernanceRetention }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    checkBypassHeader(b, BypassGovernanceRetention);
    // Directory buckets' conditions; a general purpose bucket takes only If-Match (AWS-recorded in LocalStack's
    // test_s3_api.snapshot.json, TestS3DeletePrecondition: the last-modified time is named first when both are sent).
    if (IfMatchLastModifiedTime !== undefined) throw notImplementedHeader("x-amz-if-match-last-modified-time");
    if (IfMatchSize !== undefined) throw notImplementedHeader("x-amz-if-match-size");
    if (IfMatch !== undefined) checkWriteConditions(Key, { IfMatch }, getObject(t, Bucket, Key)?.versions[0]);
    return deleteOne(ctx, b, Key, VersionId, false, !!BypassGovernanceRetention);
  },

  deleteObjects({ Bucket, Delete, BypassGovernanceRetention }, ctx) {
    const b = mustBucket(ctx, Bucket);
    checkBypassHeader(b, BypassGovernanceRetention);
    const items = Delete?.Objects ?? [];
    if (items.length === 0 || items.length > 1000)
      throw new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
    const Deleted: DeletedObject[] = [];
    const Errors: Error_[] = [];
    for (const o of items) {
      try {
        const denied = objectDeleteDenied(ctx, b, o.Key, o.VersionId);
        if (denied) throw denied;
        const r = deleteOne(ctx, b, o.Key, o.VersionId, true, !!BypassGovernanceRetention);
        if (!Delete.Quiet) {
          Deleted.push(
            o.VersionId
              ? { Key: o.Key, VersionId: o.VersionId, ...(r.DeleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: o.VersionId } : {}) }
              : { Key: o.Key, ...(r.DeleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: r.VersionId } : {}) },
          );
        }
      } catch (e) {
        if (!(e instanceof ServiceError)) throw e;
        Errors.push({ Key: o.Key, VersionId: o.VersionId, Code: e.code, Message: e.message });
      }
    }
    return { Deleted: Deleted.length ? Deleted : undefined, Errors: Errors.length ? Errors : undefined };
  },

  async copyObject(i, ctx) {
    const src = parseCopySource(i.CopySource);
    const t0 = tables(ctx);
    const dst0 = mustBucket(ctx, i.Bucket, t0);
    const srcBucket = mustBucket(ctx, src.bucket, t0);
    const sv = copySourceVersion(ctx, srcBucket, src.key, src.versionId);
    checkCopyConditions(
      {
        IfMatch: i.CopySourceIfMatch,
        IfNoneMatch: i.CopySourceIfNoneMatch,
        IfModifiedSince: i.CopySourceIfModifiedSince,
        IfUnmodifiedSince: i.CopySourceIfUnmodifiedSince,
      },
      sv,
    );
    checkStorageClass(i.StorageClass);
    const replaceMeta = i.MetadataDirective === "REPLACE";
    const replaceTags = i.TaggingDirective === "REPLACE";
    if (i.MetadataDirective && !["COPY", "REPLACE"].includes(i.MetadataDirective))
      throw invalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", i.MetadataDirective);
    if (i.TaggingDirective && !["COPY", "REPLACE"].includes(i.TaggingDirective))
      throw invalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", i.TaggingDirective);
    const sameObject =
      src.bucket === i.Bucket && src.key === i.Key && (src.versionId === undefined || src.versionId === getObject(t0, i.Bucket, i.Key)?.versions[0]?.versionId);
    // A restored archived object may be copied onto itself (how it leaves the archive for good).
    // (copySourceVersion has refused an archived source that is not restored)
    const restored = ARCHIVED.has(sv.storageClass ?? "");
    if (
      sameObject &&
      !replaceMeta &&
      !i.StorageClass &&
      !restored &&
      !i.WebsiteRedirectLocation &&
      !i.ServerSideEncryption &&
      !i.SSEKMSKeyId &&
      !dst0.versioning
    ) {
      throw new ServiceError(
        "InvalidRequest",
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        400,
      );
    }
    checkWriteConditions(i.Key, i, getObject(t0, i.Bucket, i.Key)?.versions[0]);
    // The copy's lock comes from this request or the bucket's default retention, never from the source (recorded:
    // test_s3_copy_object_retention_lock, test_s3_copy_object_legal_hold).
    const lock = lockForWrite(dst0, i, ctx.now());
    const tags = replaceTags ? parseTaggingHeader(i.Tagging) : (sv.tags ?? []);
    // The copy gets the request's ACL and encryption (or the destination bucket's default), never the source's.
    const acl = aclForNewObject(ctx, dst0, i);
    await unsealForRead(ctx, sv.sse);
    const sse = await sseForWrite(ctx, dst0, i.Key, i);
    const alg = (i.ChecksumAlgorithm as never) ?? Object.keys(sv.checksums ?? {})[0] ?? DEFAULT_CHECKSUM;
    const blob = await ctx.blobs.write(sv.blob ? ctx.blobs.read(sv.blob) : Buffer.alloc(0), { checksums: alg ? [alg] : [] });
    const t = tables(ctx);
    let dst: BucketRec;
    try {
      dst = mustBucket(ctx, i.Bucket, t);
    } catch (e) {
      ctx.blobs.delete(blob.id);
      throw e;
    }
    const attrs = replaceMeta
      ? attrsFrom(i)
      : Object.assign({}, pickAttrs(sv), {
          storageClass: i.StorageClass ?? "STANDARD",
          websiteRedirectLocation: i.WebsiteRedirectLocation ?? sv.websiteRedirectLocation,
        });
    const etag = quotedMd5(blob.md5);
    const now = ctx.now();
    const checksums = Object.keys(blob.checksums).length ? blob.checksums : undefined;
    const v = Object.assign({}, attrs, lock, {
      lastModified: now,
      owner: ownerForNewObject(dst, ctx.account, acl),
      blob: blob.id,
      size: blob.size,
      etag,
      tags,
      checksums,
      sse,
      acl,
    });
    const c = commit(ctx, ctx.blobs, () => putVersion(t, dst, i.Key, v));
    notify(ctx, dst, "ObjectCreated:Copy", { key: i.Key, size: blob.size, etag, versionId: c.versionId });
    return {
      CopyObjectResult: { ETag: etag, LastModified: new Date(now), ...checksumOut({ checksums }) },
      VersionId: dst.versioning ? c.versionId : undefined,
      CopySourceVersionId: srcBucket.versioning ? sv.versionId : undefined,
      ...sseOut(sse),
    };
  },
} satisfies Partial<S3Api>;

function pickAttrs(v: VersionRec) {
  const { contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, expires, metadata } = v;
  return { contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, expires, metadata };
}

/**
 * One delete (with or without a version id), its notification, and DeleteObject's answer. A version id that names no
 * version: DeleteObjects reports NoSuchVersion for it, whatever its form and the bucket's state; DeleteObject refuses it
 * with InvalidArgument on a bucket that never had versioning, or when S3 could not have issued it (AWS-recorded in
 * LocalStack's test_s3_api.snapshot.json: test_delete_objects, test_delete_objects_versioned, test_delete_object,
 * test_delete_object_versioned), and answers 204 for a well-formed one (unverified: S3's deletes are idempotent).
 */
function deleteOne(ctx: HandlerContext, b: BucketRec, key: string, versionId: string | undefined, multi = false, bypassGovernance = false) {
  const t = tables(ctx);
  if (versionId !== undefined) {
    const known = getObject(t, b.name, key)?.versions.some((x) => x.versionId === versionId);
    if (!known) {
      if (multi && (b.versioning || versionId !== "null")) throw noSuchVersion(key, versionId);
      if (!multi && ((!b.versioning && versionId !== "null") || !isWellFormedVersionId(versionId))) throw invalidVersionId(versionId);
    }
    // Object Lock: a version under legal hold or unexpired retention stays (a delete marker is always allowed).
    checkDeletable(t, b, key, versionId, ctx.now(), bypassGovernance);
    const r = commit(ctx, ctx.blobs, () => deleteVersion(t, b, key, versionId));
    if (r.removed) notify(ctx, b, "ObjectRemoved:Delete", { key, versionId });
    return { VersionId: versionId, DeleteMarker: r.removed?.deleteMarker ? true : undefined };
  }
  const existed = !!getObject(t, b.name, key);
  const r = commit(ctx, ctx.blobs, () => deleteCurrent(t, b, key, ctx.now(), ctx.account));
  if (r.deleteMarker) {
    notify(ctx, b, "ObjectRemoved:DeleteMarkerCreated", { key, versionId: r.versionId });
    return { DeleteMarker: true, VersionId: r.versionId };
  }
  if (existed) notify(ctx, b, "ObjectRemoved:Delete", { key });
  return {};
}

/** x-amz-copy-source: "bucket/key[?versionId=…]", URL-encoded, with or without a leading slash. */
export function parseCopySource(raw: string): { bucket: string; key: string; versionId?: string } {
  let s = raw.startsWith("/") ? raw.slice(1) : raw;
  let versionId: string | undefined;
  const q = s.indexOf("?");
  if (q >= 0) {
    versionId = new URLSearchParams(s.slice(q + 1)).get("versionId") ?? undefined;
    s = s.slice(0, q);
  }
  const slash = s.indexOf("/");
  let key = "";
  try {
    key = slash > 0 ? decodeURIComponent(s.slice(slash + 1)) : "";
  } catch {
    key = "";
  }
  if (slash <= 0 || !key) throw invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", raw);
  return { bucket: decodeURIComponent(s.slice(0, slash)), key, versionId };
}

/** The version a copy reads: a delete marker is NoSuchKey, or a 400 when named by its version id. */
export function copySourceVersion(ctx: HandlerContext, b: BucketRec, key: string, versionId?: string): VersionRec {
  const v = findVersion(b, getObject(tables(ctx), b.name, key), key, versionId);
  if (v.deleteMarker) {
    if (versionId) throw new ServiceError("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.", 400);
    throw noSuchKey(key);
  }
  checkCopyable(v, ctx.now());
  return v;
}
