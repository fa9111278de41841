// Object content in and out: storing a body with its MD5 and the checksum the request names (BadDigest on a
// mismatch), reading it back whole or by range, and a version's content headers as S3 returns them.
import type { Readable } from "node:stream";
import type { HandlerContext } from "../../core/context.js";
import { checksummer, type BlobSource, type ChecksumAlgorithm, type StoredBlob } from "../../core/blobs.js";
import { ServiceError } from "../../core/errors.js";
import { sseOut } from "./encryption.js";
import type { VersionRec } from "./state.js";

export const ALGORITHMS: ChecksumAlgorithm[] = ["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"];
/**
 * The checksum S3 stores for content that comes without one (PutObject, CopyObject, a multipart upload created without
 * an algorithm): a FULL_OBJECT CRC64NVME (AWS-recorded in LocalStack's test_s3.snapshot.json,
 * test_s3_checksum_no_automatic_sdk_calculation: head-obj-no-checksum, copy-obj-default-checksum).
 */
export const DEFAULT_CHECKSUM: ChecksumAlgorithm = "CRC64NVME";
const member = (alg: ChecksumAlgorithm) => `Checksum${alg}` as const;

export interface ChecksumInput {
  ContentMD5?: string;
  ChecksumAlgorithm?: string;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
}

/** Stores the body; verifies Content-MD5 and any x-amz-checksum-* it came with. */
export async function storeBody(ctx: HandlerContext, body: BlobSource | undefined, input: ChecksumInput, defaultAlg?: ChecksumAlgorithm): Promise<StoredBlob> {
  const given = ALGORITHMS.filter((a) => input[member(a)] !== undefined);
  if (given.length > 1) throw new ServiceError("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", 400);
  const named = input.ChecksumAlgorithm?.toUpperCase() as ChecksumAlgorithm | undefined;
  if (named && !ALGORITHMS.includes(named))
    throw new ServiceError(
      "InvalidRequest",
      "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
      400,
    );
  const alg = given[0] ?? named ?? defaultAlg;
  let md5: Buffer | undefined;
  if (input.ContentMD5 !== undefined) {
    md5 = Buffer.from(input.ContentMD5, "base64");
    if (md5.length !== 16 || md5.toString("base64") !== input.ContentMD5.trim())
      // As AWS words it, with the header's value (test_s3.snapshot.json: test_s3_invalid_content_md5).
      throw new ServiceError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400, { fields: { "Content-MD5": input.ContentMD5 } });
  }
  const blob = await ctx.blobs.write(body ?? Buffer.alloc(0), { checksums: alg && checksummer(alg) ? [alg] : [] });
  const fail = (e: ServiceError) => {
    ctx.blobs.delete(blob.id);
    return e;
  };
  if (md5 && md5.toString("hex") !== blob.md5)
    // ExpectedDigest: what the caller sent, in hex; CalculatedDigest: what S3 computed, in base64 (same snapshot).
    throw fail(
      new ServiceError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400, {
        fields: { ExpectedDigest: md5.toString("hex"), CalculatedDigest: Buffer.from(blob.md5, "hex").toString("base64") },
      }),
    );
  if (alg) {
    const provided = input[member(alg)];
    const computed = blob.checksums[alg];
    if (provided !== undefined && computed !== undefined && provided !== computed) {
      throw fail(new ServiceError("BadDigest", `The ${alg} you specified did not match the calculated checksum.`, 400));
    }
    // An algorithm Stratus cannot compute yet keeps the client's value as given.
    if (computed === undefined && provided !== undefined) blob.checksums[alg] = provided;
  }
  return blob;
}

/** Checksum output members (ChecksumSHA256 …) of a version. */
export function checksumOut(v: Pick<VersionRec, "checksums" | "checksumType">): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [alg, value] of Object.entries(v.checksums ?? {})) if (value) out[member(alg as ChecksumAlgorithm)] = value;
  if (Object.keys(out).length) out.ChecksumType = v.checksumType ?? "FULL_OBJECT";
  return out;
}

/** The content headers and metadata GET and HEAD return for a version. */
export function headersOut(v: VersionRec, versioned: boolean) {
  return {
    LastModified: new Date(v.lastModified),
    ContentLength: v.size,
    ETag: v.etag,
    ContentType: v.contentType ?? "binary/octet-stream",
    ContentEncoding: v.contentEncoding,
    ContentDisposition: v.contentDisposition,
    ContentLanguage: v.contentLanguage,
    CacheControl: v.cacheControl,
    Expires: v.expires,
    WebsiteRedirectLocation: v.websiteRedirectLocation,
    Metadata: v.metadata && Object.keys(v.metadata).length ? v.metadata : undefined,
    // S3 leaves out x-amz-storage-class for STANDARD.
    StorageClass: v.storageClass && v.storageClass !== "STANDARD" ? (v.storageClass as never) : undefined,
    // A never-versioned bucket sends no x-amz-version-id; a suspended one says "null".
    VersionId: versioned || v.versionId !== "null" ? v.versionId : undefined,
    TagCount: v.tags?.length ? v.tags.length : undefined,
    AcceptRanges: "bytes",
    ...sseOut(v.sse),
  };
}

/**
 * A version's content, whole or the inclusive byte range, streamed from the blob store. A body file that is gone or
 * shorter than the record says (a power cut under --durability process can keep the record and lose the file) is a
 * 500 saying so, before any header is sent: streamed, it would answer a Content-Length it cannot fill and the client
 * would wait for the missing bytes forever.
 */
export function readContent(ctx: HandlerContext, v: VersionRec, range?: { start: number; end: number }): Readable | Buffer {
  if (!v.blob || v.size === 0) return Buffer.alloc(0);
  let size: number | undefined;
  try {
    size = ctx.blobs.size(v.blob);
  } catch {
    size = undefined;
  }
  if (size !== v.size) {
    // S3's code and status for a fault on its side (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html:
    // InternalError, 500); the message is Stratus's own, saying what it found.
    throw new ServiceError(
      "InternalError",
      `We encountered an internal error: this object's content is ${size === undefined ? "missing" : `${size} of its ${v.size} bytes`} in the data dir (lost by an OS crash or power cut under --durability process, or removed by hand).`,
      500,
    );
  }
  return ctx.blobs.read(v.blob, range);
}
