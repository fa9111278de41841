// Request metrics configurations: Put/Get/List/DeleteBucketMetricsConfiguration
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketMetricsConfiguration.html). Up to 1,000 per bucket,
// each an Id and an optional filter (a Prefix, a Tag, an AccessPointArn, or an And of them); listed 100 at a time in
// Id order. What each configuration publishes is request-metrics.ts's. Errors: TooManyConfigurations as the
// PutBucketMetricsConfiguration page describes it (400; "You are attempting to create a new configuration but have
// already reached the 1,000-configuration limit."); NoSuchConfiguration 404 for an unknown Id as S3 answers it for its
// other id-keyed configurations (LocalStack's analytics configurations, localstack#8351); a body whose Id is not the
// query's id is MalformedXML (floci#3213, checked against AWS for the sibling configurations).
import { ServiceError } from "../../core/errors.js";
import type { MetricsConfiguration, MetricsFilter, S3Api } from "./api.generated.js";
import { invalidArgument, malformedXml, mustBucket } from "./common.js";
import type { S3Running } from "./request-metrics.js";
import { tables, transaction } from "./state.js";

const MAX_CONFIGURATIONS = 1000;
const PAGE = 100;

const configKey = (bucket: string, id: string) => `${bucket}/${id}`;

const noSuchConfiguration = () => new ServiceError("NoSuchConfiguration", "The specified configuration does not exist.", 404);

/** One predicate in a filter (Prefix, Tag, AccessPointArn or And), as S3's schema has it. */
function checkFilter(f: MetricsFilter | undefined): void {
  if (!f) return;
  const set = [f.Prefix, f.Tag, f.AccessPointArn, f.And].filter((v) => v !== undefined).length;
  if (set > 1) throw malformedXml();
}

/** The configuration as stored and answered: its Id and filter, nothing else the body may have carried. */
function normalized(c: MetricsConfiguration): MetricsConfiguration {
  const f = c.Filter;
  if (!f) return { Id: c.Id };
  const filter: MetricsFilter = {};
  if (f.Prefix !== undefined) filter.Prefix = f.Prefix;
  if (f.Tag) filter.Tag = { Key: f.Tag.Key, Value: f.Tag.Value };
  if (f.AccessPointArn !== undefined) filter.AccessPointArn = f.AccessPointArn;
  if (f.And) {
    filter.And = {
      ...(f.And.Prefix !== undefined ? { Prefix: f.And.Prefix } : {}),
      ...(f.And.Tags?.length ? { Tags: f.And.Tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {}),
      ...(f.And.AccessPointArn !== undefined ? { AccessPointArn: f.And.AccessPointArn } : {}),
    };
  }
  return { Id: c.Id, Filter: filter };
}

export const metricsConfig = {
  putBucketMetricsConfiguration({ Bucket, Id, MetricsConfiguration: config }, ctx) {
    const t = tables(ctx);
    mustBucket(ctx, Bucket, t);
    if (config.Id !== Id) throw malformedXml();
    checkFilter(config.Filter);
    transaction(ctx, () => {
      if (!t.metricsConfigs.has(configKey(Bucket, Id)) && t.metricsConfigs.count(`${Bucket}/`) >= MAX_CONFIGURATIONS) {
        throw new ServiceError(
          "TooManyConfigurations",
          "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.",
          400,
        );
      }
      t.metricsConfigs.put(configKey(Bucket, Id), normalized(config));
    });
    // Requests are counted from the next one on, and after a restart.
    ctx.startAtBoot();
    ctx.instance<S3Running>().requestMetrics.refresh(Bucket);
    return {};
  },

  getBucketMetricsConfiguration({ Bucket, Id }, ctx) {
    const t = tables(ctx);
    mustBucket(ctx, Bucket, t);
    const c = t.metricsConfigs.get(configKey(Bucket, Id));
    if (!c) throw noSuchConfiguration();
    return { MetricsConfiguration: c };
  },

  listBucketMetricsConfigurations({ Bucket, ContinuationToken }, ctx) {
    const t = tables(ctx);
    mustBucket(ctx, Bucket, t);
    // The token is the Id the next page starts at.
    const from = ContinuationToken === undefined ? undefined : Buffer.from(ContinuationToken, "base64url").toString("utf8");
    if (ContinuationToken !== undefined && !from)
      throw invalidArgument("The continuation token provided is incorrect", "continuation-token", ContinuationToken);
    const all = t.metricsConfigs.list({ prefix: `${Bucket}/` }).map((r) => r.value);
    all.sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
    const start = from === undefined ? 0 : all.findIndex((c) => c.Id >= from);
    const page = start < 0 ? [] : all.slice(start, start + PAGE);
    const next = start >= 0 ? all[start + PAGE] : undefined;
    return {
      IsTruncated: next !== undefined,
      ...(ContinuationToken !== undefined ? { ContinuationToken } : {}),
      ...(next ? { NextContinuationToken: Buffer.from(next.Id, "utf8").toString("base64url") } : {}),
      ...(page.length ? { MetricsConfigurationList: page } : {}),
    };
  },

  deleteBucketMetricsConfiguration({ Bucket, Id }, ctx) {
    const t = tables(ctx);
    mustBucket(ctx, Bucket, t);
    if (!t.metricsConfigs.has(configKey(Bucket, Id))) throw noSuchConfiguration();
    t.metricsConfigs.delete(configKey(Bucket, Id));
    ctx.instance<S3Running>().requestMetrics.refresh(Bucket);
    return {};
  },
} satisfies Partial<S3Api>;

/** A deleted bucket's configurations go with it (DeleteBucket, in its transaction). */
export function deleteMetricsConfigs(t: ReturnType<typeof tables>, bucket: string): boolean {
  const configs = t.metricsConfigs.list({ prefix: `${bucket}/` });
  for (const c of configs) t.metricsConfigs.delete(c.key);
  return configs.length > 0;
}
