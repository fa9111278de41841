// S3's records: buckets (one global namespace of names, each owned by an account and a region), objects with
// their versions, and multipart uploads. Object content lives in blobs; records keep only blob ids.
import { defineState, global, regional, STORE, type Located, type StateHolder } from "../../core/state.js";
import type { Store, Table } from "../../core/store/types.js";
import type { PendingEvent } from "./notifications.js";
import type { PendingRestore } from "./storage-class.js";
import type { ChecksumAlgorithm } from "../../core/blobs.js";
import type {
  CORSRule,
  Grant,
  LifecycleRule,
  MetricsConfiguration,
  NotificationConfiguration,
  ObjectLockRule,
  ObjectOwnership,
  PublicAccessBlockConfiguration,
  ServerSideEncryptionRule,
  Tag,
  TransitionDefaultMinimumObjectSize,
  WebsiteConfiguration,
} from "./api.generated.js";

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
  /** The lifecycle configuration's TransitionDefaultMinimumObjectSize, when given; absent = all_storage_classes_128K. */
  lifecycleMinSize?: TransitionDefaultMinimumObjectSize;
  notification?: NotificationConfiguration;
  /** Default encryption (encryption.ts); absent = S3's default rule, SSE-S3. */
  encryption?: ServerSideEncryptionRule;
  /** Block Public Access (public-access-block.ts); absent = none configured (buckets from before it existed, or deleted). */
  publicAccessBlock?: PublicAccessBlockConfiguration;
  /** Object Ownership (ownership.ts); absent = no ownership controls (ObjectWriter behaviour). */
  ownership?: ObjectOwnership;
  /** The bucket ACL's grants (acl.ts); absent = private (the owner's FULL_CONTROL). */
  acl?: Grant[];
  /** Object Lock (object-lock.ts): present once enabled, which is for good; `rule` is the default retention. */
  objectLock?: { rule?: ObjectLockRule };
  /** Static website hosting (website.ts, served by website-serve.ts). */
  website?: WebsiteConfiguration;
}

/** How a version is encrypted at rest (encryption.ts). */
export interface SseRec {
  algorithm: "AES256" | "aws:kms" | "aws:kms:dsse";
  /** SSE-KMS: the key's ARN, the data key KMS generated (its CiphertextBlob, base64), and the context it is bound to. */
  kmsKeyArn?: string;
  dataKey?: string;
  context?: Record<string, string>;
  bucketKeyEnabled?: boolean;
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
  /** A multipart object's parts in order: the number each was uploaded as, its size and checksum (absent on older records). */
  parts?: { n: number; size: number; checksum?: string }[];
  /** The last RestoreObject of an archived version (storage-class.ts), epoch ms on the runtime clock. */
  restore?: { requestedAt: number; readyAt: number; expiresAt: number; days: number; tier: string };
  /** Absent on versions written before encryption was recorded: SSE-S3. */
  sse?: SseRec;
  /** The object ACL's grants (acl.ts); absent = private (the owner's FULL_CONTROL). */
  acl?: Grant[];
  /** Object Lock retention (epoch ms) and legal hold (object-lock.ts). */
  lockMode?: "GOVERNANCE" | "COMPLIANCE";
  lockUntil?: number;
  legalHold?: "ON" | "OFF";
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
  metricsConfigs: Table<MetricsConfiguration>;
}

// Bucket names are global, so every S3 table of records is: a key's bucket prefix ("name/") scopes it. Bucket names
// never contain "/", so "bucket/" + key sorts objects by key in UTF-8 byte order (SQLite's BINARY collation). Event
// notifications waiting for delivery are kept per account and region (stored as s3:pending-events).
export const s3State = defineState("s3", {
  buckets: global<BucketRec>(),
  objects: global<ObjectRec>(),
  uploads: global<UploadRec>(),
  // Request metrics configurations (metrics-config.ts), key "bucket/id": a table of their own, so the buckets that have
  // one are found without reading every bucket, and a bucket record stays small however many it has.
  metricsConfigs: global<MetricsConfiguration>("metrics-configs"),
  pendingEvents: regional<PendingEvent>("pending-events"),
  // Restores whose ObjectRestore:Completed event is still to come (storage-class.ts), in the bucket owner's scope.
  pendingRestores: regional<PendingRestore>("pending-restores"),
});

export const tables = (ctx: Located): Tables => s3State.of(ctx);

/** The same tables outside any request (the lifecycle sweep, the CORS preflight): they are global. */
export const storeTables = (holder: StateHolder | Store): Tables => s3State.at(STORE in holder ? holder : { [STORE]: holder }, "");

/** Runs fn atomically in the store (all of its writes commit together or none). */
export { transaction } from "../../core/state.js";

export const objKey = (bucket: string, key: string) => `${bucket}/${key}`;
