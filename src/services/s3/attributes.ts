// GetObjectAttributes: HeadObject and ListParts in one call, as S3 answers it (AWS-recorded responses in LocalStack's
// tests/aws/services/s3/test_s3.snapshot.json — test_get_object_attributes, test_get_object_attributes_versioned,
// test_complete_multipart_parts_checksum_composite — and test_s3_list_operations.snapshot.json,
// test_list_parts_via_object_attrs_pagination): the ETag without quotes; StorageClass always named; the Checksum of a
// multipart object without its "-N"; ObjectParts only for a multipart object, with the parts listed (and paged by
// x-amz-max-parts / x-amz-part-number-marker) only when its checksum is COMPOSITE, else just TotalPartsCount;
// Last-Modified always, x-amz-version-id once the bucket has versioning.
import { ServiceError } from "../../core/errors.js";
import type { ChecksumAlgorithm } from "../../core/blobs.js";
import type { GetObjectAttributesOutput, ObjectPart, S3Api } from "./api.generated.js";
import { bareEtag, mustBucket } from "./common.js";
import { partsPage } from "./multipart.js";
import { readableVersion } from "./objects.js";
import type { VersionRec } from "./state.js";

const ATTRIBUTES = new Set(["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]);

/** Empty or unknown attribute names (Scality cloudserver's functional tests, written against AWS: objectGetAttributes.js). */
export const invalidAttributeName = () => new ServiceError("InvalidArgument", "Invalid attribute name specified.", 400);

export const attributes = {
  getObjectAttributes(i, ctx) {
    const wanted = new Set<string>(i.ObjectAttributes ?? []);
    if (!wanted.size || [...wanted].some((a) => !ATTRIBUTES.has(a))) throw invalidAttributeName();
    const b = mustBucket(ctx, i.Bucket);
    const v = readableVersion(b, i.Key, i.VersionId, ctx);
    const out: GetObjectAttributesOutput = { LastModified: new Date(v.lastModified), VersionId: b.versioning ? v.versionId : undefined };
    if (wanted.has("ETag")) out.ETag = bareEtag(v.etag);
    if (wanted.has("StorageClass")) out.StorageClass = (v.storageClass ?? "STANDARD") as never;
    if (wanted.has("ObjectSize")) out.ObjectSize = v.size;
    const alg = Object.keys(v.checksums ?? {})[0] as ChecksumAlgorithm | undefined;
    if (wanted.has("Checksum") && alg) {
      out.Checksum = { [`Checksum${alg}`]: v.checksums![alg]!.replace(/-\d+$/, ""), ChecksumType: v.checksumType ?? "FULL_OBJECT" };
    }
    if (wanted.has("ObjectParts") && v.partsCount) out.ObjectParts = objectParts(v, alg, i.PartNumberMarker, i.MaxParts);
    return out;
  },
} satisfies Partial<S3Api>;

function objectParts(v: VersionRec, alg: ChecksumAlgorithm | undefined, marker = 0, max = 1000): GetObjectAttributesOutput["ObjectParts"] {
  if (v.checksumType !== "COMPOSITE" || !v.parts) return { TotalPartsCount: v.partsCount };
  const { page, truncated, next } = partsPage(
    v.parts.map((p) => [p.n, p] as const),
    marker,
    max,
  );
  const Parts: ObjectPart[] = page.map(([n, p]) => ({ PartNumber: n, Size: p.size, ...(alg && p.checksum ? { [`Checksum${alg}`]: p.checksum } : {}) }));
  return {
    TotalPartsCount: v.partsCount,
    PartNumberMarker: marker,
    NextPartNumberMarker: next,
    MaxParts: Math.min(max, 1000),
    IsTruncated: truncated,
    Parts: Parts.length ? Parts : undefined,
  };
}
