// AWS/S3's request metrics (https://docs.aws.amazon.com/AmazonS3/latest/userguide/metrics-dimensions.html): for each
// metrics configuration of a bucket (metrics-config.ts), by BucketName and FilterId (the configuration's Id), at one
// minute: AllRequests, GetRequests, PutRequests, DeleteRequests, HeadRequests, PostRequests, SelectRequests,
// ListRequests (Count), BytesDownloaded and BytesUploaded (Bytes, for a response or request with a body), 4xxErrors
// and 5xxErrors (0 or 1 per request, so Average is the error rate), FirstByteLatency and TotalRequestLatency
// (Milliseconds). A configuration with a filter counts only requests on one object that matches it ("only requests
// that operate on single objects can match the filter": metrics-configurations-filter.html): its key's prefix, the
// object's tags as stored once the request is done, the access point it came through (Stratus serves no access
// points, so such a filter matches nothing). Requests on the bucket itself (listings, Delete Multiple Objects,
// bucket configuration) count only under a configuration without a filter.
//
// Hooked once, in S3's wire quirk before authentication (so refused requests count too): `observe` looks the bucket
// up in a map of the buckets that have a configuration, kept in memory from the store and refreshed when a
// configuration is put or deleted, so a bucket without one costs a map lookup (none at all while no bucket has one).
import type { ServerResponse } from "node:http";
import type { Exchange } from "../../core/exchange.js";
import type { ServiceHost } from "../../core/service.js";
import { type MetricSeries, serviceMetrics } from "../../core/service-metrics.js";
import type { MetricsFilter, Tag } from "./api.generated.js";
import { objKey, storeTables } from "./state.js";

const NS = "AWS/S3";
const LIST_OPERATIONS = new Set(["ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads"]);

/** S3's running instance (what its start hook returns), which the wire quirk reaches through the host. */
export interface S3Running {
  requestMetrics: RequestMetrics;
}

interface WatchedConfig {
  id: string;
  filter?: MetricsFilter;
  series: Map<string, MetricSeries>;
}

interface WatchedBucket {
  account: string;
  region: string;
  configs: WatchedConfig[];
}

interface Observed {
  bucket: string;
  key?: string;
  completeAt?: number;
  firstByteAt?: number;
  /** The response's Content-Length, as its headers went out. */
  length?: number;
}

export class RequestMetrics {
  private readonly buckets = new Map<string, WatchedBucket>();

  constructor(private readonly host: ServiceHost) {
    const names = new Set<string>();
    for (const { key } of storeTables(host).metricsConfigs.list()) names.add(key.slice(0, key.indexOf("/")));
    for (const name of names) this.refresh(name);
  }

  /** Reads a bucket's configurations again (after one was put or deleted, or the bucket deleted). */
  refresh(bucket: string): void {
    const t = storeTables(this.host);
    const configs = t.metricsConfigs.list({ prefix: `${bucket}/` });
    const b = t.buckets.get(bucket);
    if (!configs.length || !b) {
      this.buckets.delete(bucket);
      return;
    }
    this.buckets.set(bucket, {
      account: b.account,
      region: b.region,
      configs: configs.map(({ value: c }) => ({ id: c.Id, ...(hasPredicate(c.Filter) ? { filter: c.Filter } : {}), series: new Map() })),
    });
  }

  /** A request reached S3: when its bucket has a configuration, its metrics are recorded once the response is sent. */
  observe(x: Exchange): void {
    if (!this.buckets.size) return;
    const path = x.req.path;
    const slash = path.indexOf("/", 1);
    const bucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
    const w = this.buckets.get(bucket);
    if (!w) return;
    const clock = this.host.clock;
    const key = slash < 0 || slash === path.length - 1 ? undefined : decode(path.slice(slash + 1));
    const o: Observed = { bucket, key };
    // The request is complete once its body is read (already, unless S3 streams it).
    if (x.raw.complete) o.completeAt = clock.now();
    else x.raw.once("end", () => (o.completeAt = clock.now()));
    // The response starts with its status line and headers.
    const res = x.res;
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      o.firstByteAt ??= clock.now();
      const headers = args.find((a) => typeof a === "object" && a !== null) as Record<string, unknown> | undefined;
      o.length = Number(headers?.["content-length"] ?? this.getHeader("content-length") ?? 0);
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.writeHead;
    res.once("finish", () => {
      try {
        this.record(x, w, o);
      } catch (e) {
        this.host.logger.warn(`s3: could not record the request metrics of ${bucket}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }

  private record(x: Exchange, w: WatchedBucket, o: Observed): void {
    const at = this.host.clock.now();
    const status = x.res.statusCode;
    const kind = requestKind(x.operation, x.req.method, o.key !== undefined);
    const h = x.req.headers;
    const uploaded = x.req.stream ? Number(h["x-amz-decoded-content-length"] ?? h["content-length"] ?? 0) : x.req.body.length;
    const downloaded = x.req.method === "HEAD" ? 0 : (o.length ?? 0);
    const firstByte = (o.firstByteAt ?? at) - (o.completeAt ?? x.receivedAt);
    let tags: Tag[] | undefined;
    const tagsOf = () => (tags ??= o.key === undefined ? [] : (storeTables(this.host).objects.get(objKey(o.bucket, o.key))?.versions[0]?.tags ?? []));
    for (const c of w.configs) {
      if (c.filter && (o.key === undefined || !matches(c.filter, o.key, tagsOf))) continue;
      const add = (name: string, value: number, unit: string) => {
        let s = c.series.get(name);
        if (!s) {
          const dims = [
            { Name: "BucketName", Value: o.bucket },
            { Name: "FilterId", Value: c.id },
          ];
          c.series.set(name, (s = serviceMetrics(this.host, "s3").of(w.account, w.region, NS, name, dims, unit)));
        }
        s.add(value, at);
      };
      add("AllRequests", 1, "Count");
      if (kind) add(kind, 1, "Count");
      if (uploaded > 0) add("BytesUploaded", uploaded, "Bytes");
      if (downloaded > 0) add("BytesDownloaded", downloaded, "Bytes");
      add("4xxErrors", status >= 400 && status < 500 ? 1 : 0, "Count");
      add("5xxErrors", status >= 500 ? 1 : 0, "Count");
      add("FirstByteLatency", Math.max(0, firstByte), "Milliseconds");
      add("TotalRequestLatency", Math.max(0, at - x.receivedAt), "Milliseconds");
    }
  }
}

/**
 * Which of the per-type counts a request adds to, as the metrics page describes each: GET, PUT and DELETE requests
 * "for objects", HEAD and POST requests "to a bucket", Delete Multiple Objects as a DeleteRequest (not a POST), SELECT
 * Object Content as a SelectRequest, and the requests that list a bucket's contents as ListRequests.
 */
function requestKind(operation: string | undefined, method: string, onObject: boolean): string | undefined {
  if (operation === "SelectObjectContent") return "SelectRequests";
  if (operation === "DeleteObjects") return "DeleteRequests";
  if (operation && LIST_OPERATIONS.has(operation)) return "ListRequests";
  if (method === "HEAD") return "HeadRequests";
  if (method === "POST") return "PostRequests";
  if (!onObject) return undefined;
  return method === "GET" ? "GetRequests" : method === "PUT" ? "PutRequests" : method === "DELETE" ? "DeleteRequests" : undefined;
}

const hasPredicate = (f: MetricsFilter | undefined): f is MetricsFilter =>
  !!f && (f.Prefix !== undefined || f.Tag !== undefined || f.AccessPointArn !== undefined || f.And !== undefined);

/** Whether an object (its key, its tags when asked) matches a filter; an access point never does here. */
function matches(f: MetricsFilter, key: string, tagsOf: () => Tag[]): boolean {
  const and = f.And;
  const prefix = and ? and.Prefix : f.Prefix;
  const wanted = and ? (and.Tags ?? []) : f.Tag ? [f.Tag] : [];
  if ((and ? and.AccessPointArn : f.AccessPointArn) !== undefined) return false;
  if (prefix !== undefined && !key.startsWith(prefix)) return false;
  if (!wanted.length) return true;
  const tags = tagsOf();
  return wanted.every((w) => tags.some((t) => t.Key === w.Key && t.Value === w.Value));
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
