// CloudTrail's records: trails (in their home region), the records a logging trail has taken and not yet delivered,
// the log files delivered since the last digest, and each region's digest signing key.
import { defineState, regional } from "../../core/state.js";
import type { AdvancedEventSelector, EventSelector, InsightSelector, Tag } from "./api.generated.js";

export interface TrailStatusRec {
  latestDeliveryTime?: number;
  latestDeliveryError?: string;
  latestDeliveryAttemptTime?: number;
  latestDeliveryAttemptSucceeded?: number;
  latestNotificationTime?: number;
  latestNotificationError?: string;
  latestNotificationAttemptTime?: number;
  latestNotificationAttemptSucceeded?: number;
  latestCloudWatchLogsDeliveryTime?: number;
  latestCloudWatchLogsDeliveryError?: string;
  latestDigestDeliveryTime?: number;
  latestDigestDeliveryError?: string;
}

/** Where a trail's digest chain stands in one region. */
export interface DigestChain {
  /** The end of the last digest (the next one's start). */
  end: number;
  bucket?: string;
  key?: string;
  hash?: string;
  signature?: string;
}

export interface TrailRec {
  name: string;
  arn: string;
  account: string;
  homeRegion: string;
  bucket: string;
  prefix?: string;
  snsTopicName?: string;
  snsTopicArn?: string;
  includeGlobal: boolean;
  multiRegion: boolean;
  validation: boolean;
  logGroupArn?: string;
  roleArn?: string;
  kmsKeyId?: string;
  tags: Tag[];
  logging: boolean;
  startLoggingTime?: number;
  stopLoggingTime?: number;
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
  insightSelectors?: InsightSelector[];
  status: TrailStatusRec;
  /** Per event region. */
  digests: Record<string, DigestChain>;
}

/**
 * Records one audit batch gave a trail for one event region, in order: delivered together in one log file or more.
 * API call records are named by their Event history seqs (their text is Event history's, stored in the same
 * transaction, read back at delivery: a batch costs one small row, whatever its size); Insights records, which have no
 * such row, are kept whole.
 */
export interface PendingChunk {
  trail: string;
  region: string;
  /** Event history seqs as runs: [first, last, first, last, …], ascending. */
  seqs?: number[];
  /** Event ids (chunks queued before seqs were). */
  ids?: string[];
  /** The records' JSON texts (Insights). */
  records?: string[];
  /** Data events' record texts: Event history does not keep data events, so the chunk does. */
  data?: string[];
  /** Event times (epoch ms). */
  oldest: number;
  newest: number;
  /** Insights records go under CloudTrail-Insight/ rather than CloudTrail/. */
  insight?: boolean;
}

/** A log file delivered since the trail's last digest in that region. */
export interface DeliveredFile {
  trail: string;
  region: string;
  bucket: string;
  key: string;
  /** Hex SHA-256 of the uncompressed file. */
  hash: string;
  oldest: number;
  newest: number;
}

export interface SigningKeyRec {
  /** PKCS#8 PEM. */
  privateKey: string;
  /** PKCS#1 DER, base64. */
  publicKey: string;
  fingerprint: string;
  validFrom: number;
  validTo: number;
}

export const ctState = defineState("cloudtrail", {
  trails: regional<TrailRec>(),
  pending: regional<PendingChunk>(),
  delivered: regional<DeliveredFile>(),
  keys: regional<SigningKeyRec>(),
});
