// AWS/S3's daily storage metrics (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html):
// BucketSizeBytes (Bytes) by BucketName and StorageType — every version's size, current and noncurrent, by its storage
// class, and the parts of incomplete multipart uploads as StandardStorage — and NumberOfObjects (Count) by BucketName
// and StorageType AllStorageTypes — the versions and the incomplete uploads' parts. Computed once a day on the
// runtime's clock and once when S3 starts, stamped at the start of the UTC day as AWS stamps them, by reading the
// objects and uploads tables a page at a time with a turn of the event loop between pages, so requests are served
// while it runs. A bucket with nothing stored publishes nothing, as on AWS.
import type { ServiceHost } from "../../core/service.js";
import { serviceMetrics } from "../../core/service-metrics.js";
import { storeTables } from "./state.js";

const DAY = 86_400_000;
const PAGE = 1000;
const NS = "AWS/S3";

/** Storage class → the StorageType dimension's value. */
const STORAGE_TYPES: Record<string, string> = {
  STANDARD: "StandardStorage",
  STANDARD_IA: "StandardIAStorage",
  ONEZONE_IA: "OneZoneIAStorage",
  REDUCED_REDUNDANCY: "ReducedRedundancyStorage",
  INTELLIGENT_TIERING: "IntelligentTieringFAStorage",
  GLACIER_IR: "GlacierInstantRetrievalStorage",
  GLACIER: "GlacierStorage",
  DEEP_ARCHIVE: "DeepArchiveStorage",
  EXPRESS_ONEZONE: "ExpressOneZoneStorage",
};

interface Usage {
  objects: number;
  bytes: Map<string, number>;
}

const turn = () => new Promise<void>((ok) => setImmediate(ok));

/** Every record of a global table, a page at a time, yielding to the event loop between pages. */
async function eachPage<T>(
  list: (after: string | undefined) => { key: string; value: T }[],
  fn: (key: string, value: T) => void,
  stopped: () => boolean,
): Promise<void> {
  let after: string | undefined;
  while (!stopped()) {
    const page = list(after);
    for (const { key, value } of page) fn(key, value);
    if (page.length < PAGE) return;
    after = page[page.length - 1].key;
    await turn();
  }
}

/** Reads what every bucket stores and records its storage metrics for today. */
export async function measureStorage(host: ServiceHost, stopped: () => boolean): Promise<void> {
  const t = storeTables(host);
  const usage = new Map<string, Usage>();
  const of = (key: string) => {
    const bucket = key.slice(0, key.indexOf("/"));
    let u = usage.get(bucket);
    if (!u) usage.set(bucket, (u = { objects: 0, bytes: new Map() }));
    return u;
  };
  const add = (u: Usage, type: string, size: number) => u.bytes.set(type, (u.bytes.get(type) ?? 0) + size);
  await eachPage(
    (after) => t.objects.list({ after, limit: PAGE }),
    (key, obj) => {
      const u = of(key);
      for (const v of obj.versions) {
        if (v.deleteMarker) continue; // unverified: whether AWS counts delete markers in NumberOfObjects
        u.objects++;
        add(u, STORAGE_TYPES[v.storageClass ?? "STANDARD"] ?? "StandardStorage", v.size);
      }
    },
    stopped,
  );
  if (stopped()) return;
  await eachPage(
    (after) => t.uploads.list({ after, limit: PAGE }),
    (key, upload) => {
      const u = of(key);
      for (const p of Object.values(upload.parts)) {
        u.objects++;
        add(u, "StandardStorage", p.size);
      }
    },
    stopped,
  );
  if (stopped()) return;
  const now = host.clock.now();
  const day = now - (now % DAY);
  const metrics = serviceMetrics(host, "s3");
  for (const [bucket, u] of usage) {
    const b = t.buckets.get(bucket);
    if (!b || !u.objects) continue;
    const name = { Name: "BucketName", Value: bucket };
    for (const [type, bytes] of u.bytes) {
      metrics.record(b.account, b.region, NS, "BucketSizeBytes", [name, { Name: "StorageType", Value: type }], bytes, "Bytes", day);
    }
    metrics.record(b.account, b.region, NS, "NumberOfObjects", [name, { Name: "StorageType", Value: "AllStorageTypes" }], u.objects, "Count", day);
  }
}

/** Measures now (off S3's first request's path) and every day after; returns the stop function. */
export function startStorageMetrics(host: ServiceHost): () => void {
  let stopped = false;
  let running = false;
  const run = () => {
    if (running || stopped) return;
    running = true;
    measureStorage(host, () => stopped)
      .catch((e: unknown) => host.logger.warn(`s3: could not measure the buckets' storage: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        running = false;
      });
  };
  setImmediate(run);
  const cancel = host.scheduler.every(DAY, run);
  return () => {
    stopped = true;
    cancel();
  };
}
