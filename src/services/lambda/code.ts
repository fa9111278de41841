// Function and layer code: a zip given inline (ZipFile) or taken from Stratus's own S3, checked as AWS checks it
// and kept as a blob (GetFunction's Code.Location hands the same bytes back).
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { listZip, ZipError } from "../../core/zip.js";
import { InvalidParameterValueException } from "./api.generated.js";
import type { CodeRef } from "./state.js";

/** AWS's limits: 50 MB zipped when uploaded directly, 250 MB unzipped (function and its layers). */
export const MAX_ZIPPED_DIRECT = 50 * 1024 * 1024;
export const MAX_UNZIPPED = 262_144_000;

export interface CodeSource {
  ZipFile?: Uint8Array;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
}

async function fromS3(ctx: HandlerContext, src: CodeSource): Promise<Buffer> {
  try {
    const out = await ctx
      .client("s3")
      .getObject({ Bucket: src.S3Bucket!, Key: src.S3Key!, ...(src.S3ObjectVersion ? { VersionId: src.S3ObjectVersion } : {}) });
    // A streaming member: S3's handler answers a stream where the model says blob.
    const body = out.Body as Readable | Uint8Array | undefined;
    if (!body) return Buffer.alloc(0);
    if (body instanceof Uint8Array) return Buffer.from(body);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks);
  } catch (e) {
    if (e instanceof ServiceError) {
      throw new InvalidParameterValueException(`Error occurred while GetObject. S3 Error Code: ${e.code}. S3 Error Message: ${e.message}`, { Type: "User" });
    }
    throw e;
  }
}

/** Reads the zip from the request or S3, checks it unzips within the limits, and stores it. */
export async function storeCode(ctx: HandlerContext, src: CodeSource): Promise<CodeRef> {
  let zip: Buffer;
  if (src.ZipFile) zip = Buffer.from(src.ZipFile.buffer, src.ZipFile.byteOffset, src.ZipFile.byteLength);
  else if (src.S3Bucket && src.S3Key) zip = await fromS3(ctx, src);
  else throw new InvalidParameterValueException("Please provide a source for function code.", { Type: "User" });
  checkZip(zip);
  const blob = await ctx.blobs.write(zip);
  return { blobId: blob.id, sha256: createHash("sha256").update(zip).digest("base64"), size: zip.length };
}

export function checkZip(zip: Buffer): void {
  let unzipped = 0;
  try {
    for (const e of listZip(zip)) unzipped += e.size;
  } catch (e) {
    if (e instanceof ZipError)
      throw new InvalidParameterValueException("Could not unzip uploaded file. Please check your file, then try to upload again.", { Type: "User" });
    throw e;
  }
  if (unzipped >= MAX_UNZIPPED) {
    throw new InvalidParameterValueException(`Unzipped size must be smaller than ${MAX_UNZIPPED} bytes`, { Type: "User" });
  }
}
