// Listing a bucket: ListObjects (v1 markers), ListObjectsV2 (opaque continuation tokens) and ListObjectVersions,
// with prefix, delimiter → CommonPrefixes, max-keys and encoding-type=url, in UTF-8 byte order of keys.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import type { DeleteMarkerEntry, S3Api, Object_, ObjectVersion } from "./api.generated.js";
import { mustBucket, ownerOf, urlEncode } from "./common.js";
import { tables, type ObjectRec, type VersionRec } from "./state.js";
import { restoreStatus } from "./storage-class.js";

// Past every key that starts with a common prefix (U+10FFFF sorts after any other character in UTF-8).
const PAST = "\u{10FFFF}";
const BATCH = 500;

type Item<T> = { key: string; value: T } | { prefix: string };

/**
 * Walks the bucket's keys after `after` (exclusive), rolling keys up at the delimiter, until `max` items;
 * `expand` turns one key's record into zero or more items (current object, or each version).
 */
function walk<T>(
  ctx: HandlerContext,
  bucket: string,
  prefix: string,
  delimiter: string | undefined,
  after: string | undefined,
  max: number,
  expand: (key: string, rec: ObjectRec) => T[],
): { items: Item<T>[]; truncated: boolean } {
  const t = tables(ctx);
  const base = `${bucket}/`;
  const items: Item<T>[] = [];
  let cursor = after !== undefined ? base + after : undefined;
  for (;;) {
    const batch = t.objects.list({ prefix: base + prefix, after: cursor, limit: BATCH });
    let skipped = false;
    for (const e of batch) {
      cursor = e.key;
      const key = e.key.slice(base.length);
      const found = expand(key, e.value);
      if (!found.length) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut >= 0) {
        if (items.length >= max) return { items, truncated: true };
        const cp = key.slice(0, cut + delimiter!.length);
        items.push({ prefix: cp });
        cursor = base + cp + PAST;
        skipped = true;
        break;
      }
      for (const value of found) {
        if (items.length >= max) return { items, truncated: true };
        items.push({ key, value });
      }
    }
    if (!skipped && batch.length < BATCH) return { items, truncated: false };
  }
}

const encoder = (type: string | undefined) => (s: string | undefined) => (s === undefined ? undefined : type === "url" ? urlEncode(s) : s);

function maxKeys(n: number | undefined): number {
  if (n !== undefined && n < 0)
    throw new ServiceError("InvalidArgument", "maxKeys should be non-negative", 400, { fields: { ArgumentName: "maxKeys", ArgumentValue: String(n) } });
  return Math.min(n ?? 1000, 1000);
}

function checkEncoding(type: string | undefined): void {
  if (type !== undefined && type !== "url")
    throw new ServiceError("InvalidArgument", "Invalid Encoding Method specified in Request", 400, {
      fields: { ArgumentName: "encoding-type", ArgumentValue: type },
    });
}

const current = (_key: string, rec: ObjectRec): VersionRec[] => (rec.versions[0] && !rec.versions[0].deleteMarker ? [rec.versions[0]] : []);

function objectOut(key: string, v: VersionRec, enc: (s: string) => string | undefined, owner: boolean): Object_ {
  return {
    Key: enc(key),
    LastModified: new Date(v.lastModified),
    ETag: v.etag,
    Size: v.size,
    StorageClass: (v.storageClass ?? "STANDARD") as never,
    ...(owner ? { Owner: ownerOf(v.owner) } : {}),
    ...(v.checksums && Object.keys(v.checksums).length
      ? { ChecksumAlgorithm: Object.keys(v.checksums) as never, ChecksumType: v.checksumType ?? "FULL_OBJECT" }
      : {}),
  };
}

/** x-amz-optional-object-attributes: RestoreStatus — an archived object's restore, when it has one (storage-class.ts). */
const withRestore = (o: Object_, v: VersionRec, wanted: string[] | undefined, now: number): Object_ =>
  wanted?.includes("RestoreStatus") ? { ...o, RestoreStatus: restoreStatus(v, now) } : o;

// V2 tokens (core/paging's) are opaque: inside, the position to continue after.
const decodeToken = (token: string): string =>
  decodePageToken(
    "ListObjectsV2",
    token,
    () =>
      new ServiceError("InvalidArgument", "The continuation token provided is incorrect", 400, {
        fields: { ArgumentName: "continuation-token", ArgumentValue: token },
      }),
  );

const lastPosition = <T>(items: Item<T>[]) => {
  const last = items[items.length - 1];
  return "prefix" in last ? last.prefix + PAST : last.key;
};

export const listing = {
  listObjectsV2({ Bucket, Prefix = "", Delimiter, MaxKeys, ContinuationToken, StartAfter, EncodingType, FetchOwner, OptionalObjectAttributes }, ctx) {
    mustBucket(ctx, Bucket);
    checkEncoding(EncodingType);
    const max = maxKeys(MaxKeys);
    const after = ContinuationToken !== undefined ? decodeToken(ContinuationToken) : StartAfter;
    const { items, truncated } = max === 0 ? { items: [], truncated: false } : walk(ctx, Bucket, Prefix, Delimiter || undefined, after, max, current);
    const enc = encoder(EncodingType);
    return {
      Name: Bucket,
      Prefix: enc(Prefix),
      Delimiter: enc(Delimiter),
      MaxKeys: MaxKeys ?? 1000,
      KeyCount: items.length,
      IsTruncated: truncated,
      Contents: items.flatMap((i) =>
        "key" in i ? [withRestore(objectOut(i.key, i.value, enc as never, !!FetchOwner), i.value, OptionalObjectAttributes, ctx.now())] : [],
      ),
      CommonPrefixes: items.flatMap((i) => ("prefix" in i ? [{ Prefix: enc(i.prefix) }] : [])),
      ContinuationToken,
      NextContinuationToken: truncated ? encodePageToken("ListObjectsV2", lastPosition(items)) : undefined,
      StartAfter: enc(StartAfter),
      EncodingType,
    };
  },

  listObjects({ Bucket, Prefix = "", Delimiter, MaxKeys, Marker, EncodingType, OptionalObjectAttributes }, ctx) {
    mustBucket(ctx, Bucket);
    checkEncoding(EncodingType);
    const max = maxKeys(MaxKeys);
    const { items, truncated } =
      max === 0 ? { items: [], truncated: false } : walk(ctx, Bucket, Prefix, Delimiter || undefined, Marker || undefined, max, current);
    const enc = encoder(EncodingType);
    const last = items[items.length - 1];
    return {
      Name: Bucket,
      Prefix: enc(Prefix),
      Delimiter: enc(Delimiter),
      Marker: enc(Marker ?? ""),
      MaxKeys: MaxKeys ?? 1000,
      IsTruncated: truncated,
      Contents: items.flatMap((i) =>
        "key" in i ? [withRestore(objectOut(i.key, i.value, enc as never, true), i.value, OptionalObjectAttributes, ctx.now())] : [],
      ),
      CommonPrefixes: items.flatMap((i) => ("prefix" in i ? [{ Prefix: enc(i.prefix) }] : [])),
      // S3 sends NextMarker only with a delimiter; without one, clients continue from the last key.
      NextMarker: truncated && Delimiter ? enc("prefix" in last ? last.prefix : last.key) : undefined,
      EncodingType,
    };
  },

  listObjectVersions({ Bucket, Prefix = "", Delimiter, MaxKeys, KeyMarker, VersionIdMarker, EncodingType }, ctx) {
    mustBucket(ctx, Bucket);
    checkEncoding(EncodingType);
    if (VersionIdMarker && !KeyMarker)
      throw new ServiceError("InvalidArgument", "A version-id marker cannot be specified without a key marker.", 400, {
        fields: { ArgumentName: "version-id-marker", ArgumentValue: VersionIdMarker },
      });
    const max = maxKeys(MaxKeys);
    type V = { v: VersionRec; latest: boolean };
    const all = (key: string, rec: ObjectRec): V[] => {
      if (KeyMarker && VersionIdMarker && Buffer.compare(Buffer.from(key), Buffer.from(KeyMarker)) < 0) return [];
      let vs = rec.versions.map((v, n) => ({ v, latest: n === 0 }));
      // Resuming inside a key: only the versions after the marker's version.
      if (key === KeyMarker && VersionIdMarker) {
        const at = vs.findIndex((x) => x.v.versionId === VersionIdMarker);
        vs = at >= 0 ? vs.slice(at + 1) : [];
      }
      return vs;
    };
    // With a version-id marker the marker's own key is walked again (from after that version).
    const after = KeyMarker && VersionIdMarker ? keyBefore(KeyMarker) : KeyMarker || undefined;
    const { items, truncated } = max === 0 ? { items: [], truncated: false } : walk(ctx, Bucket, Prefix, Delimiter || undefined, after, max, all);
    const enc = encoder(EncodingType);
    const Versions: ObjectVersion[] = [];
    const DeleteMarkers: DeleteMarkerEntry[] = [];
    for (const i of items) {
      if (!("key" in i)) continue;
      const { v, latest } = i.value;
      const common = { Key: enc(i.key), VersionId: v.versionId, IsLatest: latest, LastModified: new Date(v.lastModified), Owner: ownerOf(v.owner) };
      if (v.deleteMarker) DeleteMarkers.push(common);
      else Versions.push({ ...common, ETag: v.etag, Size: v.size, StorageClass: (v.storageClass ?? "STANDARD") as never });
    }
    const last = items[items.length - 1];
    return {
      Name: Bucket,
      Prefix: enc(Prefix),
      Delimiter: enc(Delimiter),
      KeyMarker: enc(KeyMarker ?? ""),
      VersionIdMarker: VersionIdMarker ?? "",
      MaxKeys: MaxKeys ?? 1000,
      IsTruncated: truncated,
      Versions: Versions.length ? Versions : undefined,
      DeleteMarkers: DeleteMarkers.length ? DeleteMarkers : undefined,
      CommonPrefixes: items.flatMap((i) => ("prefix" in i ? [{ Prefix: enc(i.prefix) }] : [])),
      NextKeyMarker: truncated ? enc("prefix" in last ? last.prefix : last.key) : undefined,
      NextVersionIdMarker: truncated && "key" in last ? last.value.v.versionId : undefined,
      EncodingType,
    };
  },
} satisfies Partial<S3Api>;

/** The greatest string sorting before `key` that a walk can start after so that `key` itself is visited. */
function keyBefore(key: string): string | undefined {
  // Dropping the last character gives a string sorting before key; `expand` skips the keys in between.
  return key.length ? key.slice(0, -1) : undefined;
}
