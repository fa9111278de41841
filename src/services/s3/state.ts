// S3's records: buckets (one global namespace of names, each owned by an account and a region), objects with
// their versions, and multipart uploads. Object content lives in blobs; records keep only blob ids.
import type { HandlerContext } from "../../core/context.js";
import type { Store, Table } from "../../core/store/types.js";
import type { ChecksumAlgorithm } from "../../core/blobs.js";
import type { CORSRule, LifecycleRule, NotificationConfiguration, Tag } from "./api.generated.js";

export interface BucketRec {
  name: string;
  account: string;
  region: string;
  created: number;
  versioning?: "Enabled" | "Suspended";
  policy?: string;
  cors?: CORSRule[];
  tags?: Tag[];
  lifecycle?: LifecycleRule[];
  notification?: NotificationConfiguration;
}

/** One version of a key: an object or a delete marker. */
export interface VersionRec {
  versionId: string; // "null" while the bucket is unversioned or suspended
  deleteMarker?: boolean;
  lastModified: number;
  owner: string;
  blob?: string;
  size: number;
  etag: string; // quoted, as S3 sends it
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  websiteRedirectLocation?: string;
  metadata?: Record<string, string>;
  tags?: Tag[];
  storageClass?: string;
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
  checksumType?: "FULL_OBJECT" | "COMPOSITE";
  partsCount?: number;
}

/** Every version of a key, newest first. */
export interface ObjectRec {
  versions: VersionRec[];
}

export interface PartRec {
  blob: string;
  size: number;
  etag: string;
  md5: string;
  lastModified: number;
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface UploadRec {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  owner: string;
  /** What the completed object will carry (content headers, metadata, tags, storage class). */
  attrs: Omit<VersionRec, "versionId" | "lastModified" | "owner" | "size" | "etag" | "blob">;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: "FULL_OBJECT" | "COMPOSITE";
  parts: Record<string, PartRec>;
}

export interface Tables {
  buckets: Table<BucketRec>;
  objects: Table<ObjectRec>;
  uploads: Table<UploadRec>;
}

// Bucket names are global, so every S3 table is: a key's bucket prefix ("name/") scopes it. Bucket names
// never contain "/", so "bucket/" + key sorts objects by key in UTF-8 byte order (SQLite's BINARY collation).
export const tables = (ctx: Pick<HandlerContext, "table">): Tables => ({
  buckets: ctx.table<BucketRec>("buckets", "global"),
  objects: ctx.table<ObjectRec>("objects", "global"),
  uploads: ctx.table<UploadRec>("uploads", "global"),
});

/** The same tables straight from the store (for the lifecycle sweep, which runs outside any request). */
export const storeTables = (store: Store): Tables => ({
  buckets: store.table<BucketRec>("s3:buckets", ""),
  objects: store.table<ObjectRec>("s3:objects", ""),
  uploads: store.table<UploadRec>("s3:uploads", ""),
});

export const objKey = (bucket: string, key: string) => `${bucket}/${key}`;
