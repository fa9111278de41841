// AWS::S3::Bucket and AWS::S3::BucketPolicy for CloudFormation (core/resources.ts), through S3's own operations.
// Return values as the resource reference documents them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucket.html#aws-resource-s3-bucket-return-values):
// Ref is the bucket name; GetAtt Arn (arn:aws:s3:::name), DomainName (name.s3.amazonaws.com), RegionalDomainName
// (name.s3.<region>.amazonaws.com), DualStackDomainName (name.s3.dualstack.<region>.amazonaws.com), WebsiteURL
// (http://name.s3-website<.|->region.amazonaws.com, the dash form in the regions that predate 2014:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html). A bucket the template does not name
// gets `<stack>-<logicalId>-<random>` in lowercase, 63 characters at most. A bucket policy's physical id is its
// bucket's name. Deleting a bucket that still holds objects fails with S3's BucketNotEmpty, as CloudFormation's does.
// Properties Stratus does not apply yet (analytics, inventory, metrics, logging, replication, acceleration, ...)
// fail the resource, saying so, rather than being dropped.
import { partitionOf } from "../../core/arn.js";
import { isServiceError, ServiceError } from "../../core/errors.js";
import type { ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type {
  BucketCannedACL,
  CORSRule,
  Event_,
  GetBucketWebsiteOutput,
  LifecycleRule,
  NotificationConfiguration,
  NotificationConfigurationFilter,
  ObjectLockRetentionMode,
  ObjectOwnership,
  Protocol,
  ServerSideEncryptionRule,
  Tag,
  TransitionDefaultMinimumObjectSize,
  TransitionStorageClass,
} from "./api.generated.js";

type Props = Record<string, unknown>;

/** The properties this provider applies; any other fails the resource. */
const BUCKET_PROPS = new Set([
  "AccessControl",
  "BucketEncryption",
  "BucketName",
  "CorsConfiguration",
  "LifecycleConfiguration",
  "NotificationConfiguration",
  "ObjectLockConfiguration",
  "ObjectLockEnabled",
  "OwnershipControls",
  "PublicAccessBlockConfiguration",
  "Tags",
  "VersioningConfiguration",
  "WebsiteConfiguration",
]);
// biome-ignore lint/suspicious/noExplicitAny: template objects, already checked against the resource specification by the engine
type Obj = Record<string, any>;

/** The regions whose website endpoints are `s3-website-<region>` (S3's website endpoints table); the rest use a dot. */
const DASH_WEBSITE_REGIONS = new Set([
  "us-east-1",
  "us-west-1",
  "us-west-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "eu-west-1",
  "sa-east-1",
  "us-gov-west-1",
]);

function bucketResult(req: ResourceRequest, name: string) {
  return { physicalId: name, ref: name, attributes: bucketAttributes(req.ctx.region, req.stackId.split(":")[1] || partitionOf(req.ctx.region), name) };
}

function bucketAttributes(region: string, partition: string, name: string) {
  const suffix = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  const website = DASH_WEBSITE_REGIONS.has(region) ? `s3-website-${region}` : `s3-website.${region}`;
  return {
    Arn: `arn:${partition}:s3:::${name}`,
    DomainName: `${name}.s3.${suffix}`,
    RegionalDomainName: `${name}.s3.${region}.${suffix}`,
    DualStackDomainName: `${name}.s3.dualstack.${region}.${suffix}`,
    WebsiteURL: `http://${name}.${website}.${suffix}`,
  };
}

/** AccessControl's canned ACL as S3's header spells it (PublicRead → public-read). */
const cannedAcl = (v: unknown): BucketCannedACL | undefined =>
  v === undefined
    ? undefined
    : (String(v)
        .replace(/(?<=[a-z])(?=[A-Z])/g, "-")
        .toLowerCase() as BucketCannedACL);

const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
const bool = (v: unknown): boolean | undefined => (v === undefined ? undefined : v === true || v === "true");
const tagsOf = (props: Props): Tag[] => ((props.Tags as Tag[] | undefined) ?? []).map((t) => ({ Key: t.Key, Value: String(t.Value) }));

function corsRules(conf: Obj): CORSRule[] {
  return ((conf.CorsRules as Obj[] | undefined) ?? []).map((r) => ({
    ID: r.Id,
    AllowedHeaders: r.AllowedHeaders,
    AllowedMethods: r.AllowedMethods,
    AllowedOrigins: r.AllowedOrigins,
    ExposeHeaders: r.ExposedHeaders,
    MaxAgeSeconds: num(r.MaxAge),
  }));
}

function lifecycleRule(r: Obj): LifecycleRule {
  const tags = ((r.TagFilters as Obj[] | undefined) ?? []).map((t) => ({ Key: t.Key, Value: String(t.Value) }));
  const gt = num(r.ObjectSizeGreaterThan);
  const lt = num(r.ObjectSizeLessThan);
  const parts = (r.Prefix !== undefined ? 1 : 0) + tags.length + (gt !== undefined ? 1 : 0) + (lt !== undefined ? 1 : 0);
  const Filter =
    parts > 1
      ? { And: { Prefix: r.Prefix, Tags: tags.length ? tags : undefined, ObjectSizeGreaterThan: gt, ObjectSizeLessThan: lt } }
      : tags.length
        ? { Tag: tags[0] }
        : gt !== undefined
          ? { ObjectSizeGreaterThan: gt }
          : lt !== undefined
            ? { ObjectSizeLessThan: lt }
            : { Prefix: (r.Prefix as string | undefined) ?? "" };
  const transitions = [...((r.Transitions as Obj[] | undefined) ?? []), ...(r.Transition ? [r.Transition as Obj] : [])];
  const noncurrent = [
    ...((r.NoncurrentVersionTransitions as Obj[] | undefined) ?? []),
    ...(r.NoncurrentVersionTransition ? [r.NoncurrentVersionTransition as Obj] : []),
  ];
  const expires = r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined || r.ExpiredObjectDeleteMarker !== undefined;
  const nve = r.NoncurrentVersionExpiration as Obj | undefined;
  return {
    ID: r.Id,
    Status: r.Status,
    Filter,
    Expiration: expires
      ? {
          Days: num(r.ExpirationInDays),
          Date: r.ExpirationDate !== undefined ? new Date(String(r.ExpirationDate)) : undefined,
          ExpiredObjectDeleteMarker: bool(r.ExpiredObjectDeleteMarker),
        }
      : undefined,
    Transitions: transitions.length
      ? transitions.map((t) => ({
          Days: num(t.TransitionInDays),
          Date: t.TransitionDate !== undefined ? new Date(String(t.TransitionDate)) : undefined,
          StorageClass: t.StorageClass as TransitionStorageClass,
        }))
      : undefined,
    NoncurrentVersionTransitions: noncurrent.length
      ? noncurrent.map((t) => ({
          NoncurrentDays: num(t.TransitionInDays),
          StorageClass: t.StorageClass as TransitionStorageClass,
          NewerNoncurrentVersions: num(t.NewerNoncurrentVersions),
        }))
      : undefined,
    NoncurrentVersionExpiration: nve
      ? { NoncurrentDays: num(nve.NoncurrentDays), NewerNoncurrentVersions: num(nve.NewerNoncurrentVersions) }
      : r.NoncurrentVersionExpirationInDays !== undefined
        ? { NoncurrentDays: num(r.NoncurrentVersionExpirationInDays) }
        : undefined,
    AbortIncompleteMultipartUpload: r.AbortIncompleteMultipartUpload
      ? { DaysAfterInitiation: num((r.AbortIncompleteMultipartUpload as Obj).DaysAfterInitiation) }
      : undefined,
  };
}

function encryptionRules(conf: Obj): ServerSideEncryptionRule[] {
  return ((conf.ServerSideEncryptionConfiguration as Obj[] | undefined) ?? []).map((r) => ({
    ApplyServerSideEncryptionByDefault: r.ServerSideEncryptionByDefault
      ? { SSEAlgorithm: r.ServerSideEncryptionByDefault.SSEAlgorithm, KMSMasterKeyID: r.ServerSideEncryptionByDefault.KMSMasterKeyID }
      : undefined,
    BucketKeyEnabled: bool(r.BucketKeyEnabled),
    BlockedEncryptionTypes: r.BlockedEncryptionTypes ? { EncryptionType: r.BlockedEncryptionTypes.EncryptionType } : undefined,
  }));
}

/** CloudFormation's one-event-per-entry notification shape as S3's (Queue → QueueArn, S3Key.Rules → Key.FilterRules). */
function notifications(conf: Obj): NotificationConfiguration {
  const filter = (f: Obj | undefined) => (f ? { Key: { FilterRules: (f.S3Key?.Rules ?? []).map((r: Obj) => ({ Name: r.Name, Value: r.Value })) } } : undefined);
  const list = (k: string) => (conf[k] as Obj[] | undefined) ?? [];
  return {
    QueueConfigurations: list("QueueConfigurations").map((c) => ({ QueueArn: c.Queue, Events: [c.Event as Event_], Filter: filter(c.Filter) })),
    TopicConfigurations: list("TopicConfigurations").map((c) => ({ TopicArn: c.Topic, Events: [c.Event as Event_], Filter: filter(c.Filter) })),
    LambdaFunctionConfigurations: list("LambdaConfigurations").map((c) => ({
      LambdaFunctionArn: c.Function,
      Events: [c.Event as Event_],
      Filter: filter(c.Filter),
    })),
    EventBridgeConfiguration: bool((conf.EventBridgeConfiguration as Obj | undefined)?.EventBridgeEnabled) ? {} : undefined,
  };
}

function website(conf: Obj) {
  const redirectAll = conf.RedirectAllRequestsTo as Obj | undefined;
  return {
    IndexDocument: conf.IndexDocument !== undefined ? { Suffix: String(conf.IndexDocument) } : undefined,
    ErrorDocument: conf.ErrorDocument !== undefined ? { Key: String(conf.ErrorDocument) } : undefined,
    RedirectAllRequestsTo: redirectAll ? { HostName: redirectAll.HostName, Protocol: redirectAll.Protocol as Protocol | undefined } : undefined,
    RoutingRules: (conf.RoutingRules as Obj[] | undefined)?.map((r) => ({
      Condition: r.RoutingRuleCondition
        ? { HttpErrorCodeReturnedEquals: r.RoutingRuleCondition.HttpErrorCodeReturnedEquals, KeyPrefixEquals: r.RoutingRuleCondition.KeyPrefixEquals }
        : undefined,
      Redirect: {
        HostName: r.RedirectRule.HostName,
        HttpRedirectCode: r.RedirectRule.HttpRedirectCode,
        Protocol: r.RedirectRule.Protocol as Protocol | undefined,
        ReplaceKeyPrefixWith: r.RedirectRule.ReplaceKeyPrefixWith,
        ReplaceKeyWith: r.RedirectRule.ReplaceKeyWith,
      },
    })),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// ---- reads: S3's configurations as the template's properties (the inverse of the mappings above) ----------------

/** An object without its undefined members (a read reports only what is set). */
const defined = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const corsRuleModel = (r: CORSRule): Obj =>
  defined({
    Id: r.ID,
    AllowedHeaders: r.AllowedHeaders,
    AllowedMethods: r.AllowedMethods,
    AllowedOrigins: r.AllowedOrigins,
    ExposedHeaders: r.ExposeHeaders,
    MaxAge: r.MaxAgeSeconds,
  });

/** S3's notification configuration as CloudFormation's: one entry per event, filter rule names as the template writes them. */
function notificationModel(n: NotificationConfiguration): Obj | undefined {
  const filter = (f: { Filter?: NotificationConfigurationFilter }) =>
    f.Filter?.Key?.FilterRules?.length
      ? { Filter: { S3Key: { Rules: f.Filter.Key.FilterRules.map((r) => ({ Name: r.Name?.toLowerCase(), Value: r.Value })) } } }
      : {};
  const model: Obj = {};
  const queues = (n.QueueConfigurations ?? []).flatMap((c) => (c.Events ?? []).map((Event) => ({ Event, Queue: c.QueueArn, ...filter(c) })));
  const topics = (n.TopicConfigurations ?? []).flatMap((c) => (c.Events ?? []).map((Event) => ({ Event, Topic: c.TopicArn, ...filter(c) })));
  const fns = (n.LambdaFunctionConfigurations ?? []).flatMap((c) => (c.Events ?? []).map((Event) => ({ Event, Function: c.LambdaFunctionArn, ...filter(c) })));
  if (queues.length) model.QueueConfigurations = queues;
  if (topics.length) model.TopicConfigurations = topics;
  if (fns.length) model.LambdaConfigurations = fns;
  if (n.EventBridgeConfiguration) model.EventBridgeConfiguration = { EventBridgeEnabled: true };
  return Object.keys(model).length ? model : undefined;
}

function websiteModel(w: GetBucketWebsiteOutput): Obj {
  return defined({
    IndexDocument: w.IndexDocument?.Suffix,
    ErrorDocument: w.ErrorDocument?.Key,
    RedirectAllRequestsTo: w.RedirectAllRequestsTo
      ? defined({ HostName: w.RedirectAllRequestsTo.HostName, Protocol: w.RedirectAllRequestsTo.Protocol })
      : undefined,
    RoutingRules: w.RoutingRules?.length
      ? w.RoutingRules.map((r) =>
          defined({
            RoutingRuleCondition: r.Condition
              ? defined({ HttpErrorCodeReturnedEquals: r.Condition.HttpErrorCodeReturnedEquals, KeyPrefixEquals: r.Condition.KeyPrefixEquals })
              : undefined,
            RedirectRule: defined({
              HostName: r.Redirect.HostName,
              HttpRedirectCode: r.Redirect.HttpRedirectCode,
              Protocol: r.Redirect.Protocol,
              ReplaceKeyPrefixWith: r.Redirect.ReplaceKeyPrefixWith,
              ReplaceKeyWith: r.Redirect.ReplaceKeyWith,
            }),
          }),
        )
      : undefined,
  });
}

/**
 * Applies the bucket's configurations: on create every one given; on update those that changed, and a
 * configuration the template dropped is removed (versioning, which cannot be removed, is suspended).
 */
async function configure(req: ResourceRequest, Bucket: string, props: Props, before?: Props): Promise<void> {
  const previous = before ?? {};
  const s3 = req.ctx.client("s3");
  const changed = (k: string) => !same(props[k], previous[k]);
  const removed = (k: string) => props[k] === undefined && previous[k] !== undefined;
  if (changed("OwnershipControls")) {
    const rules = ((props.OwnershipControls as Obj | undefined)?.Rules as Obj[] | undefined) ?? [];
    if (rules.length)
      await s3.putBucketOwnershipControls({
        Bucket,
        OwnershipControls: { Rules: rules.map((r) => ({ ObjectOwnership: r.ObjectOwnership as ObjectOwnership })) },
      });
    else if (removed("OwnershipControls")) await s3.deleteBucketOwnershipControls({ Bucket });
  }
  // At create the ACL went with CreateBucket; an update puts the new one (none: back to private).
  if (before && changed("AccessControl")) await s3.putBucketAcl({ Bucket, ACL: cannedAcl(props.AccessControl) ?? "private" });
  if (changed("PublicAccessBlockConfiguration")) {
    const p = props.PublicAccessBlockConfiguration as Obj | undefined;
    if (p)
      await s3.putPublicAccessBlock({
        Bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: bool(p.BlockPublicAcls),
          BlockPublicPolicy: bool(p.BlockPublicPolicy),
          IgnorePublicAcls: bool(p.IgnorePublicAcls),
          RestrictPublicBuckets: bool(p.RestrictPublicBuckets),
        },
      });
    else await s3.deletePublicAccessBlock({ Bucket });
  }
  if (changed("VersioningConfiguration")) {
    const status = (props.VersioningConfiguration as Obj | undefined)?.Status as "Enabled" | "Suspended" | undefined;
    await s3.putBucketVersioning({ Bucket, VersioningConfiguration: { Status: status ?? "Suspended" } });
  }
  if (changed("BucketEncryption")) {
    const conf = props.BucketEncryption as Obj | undefined;
    if (conf) await s3.putBucketEncryption({ Bucket, ServerSideEncryptionConfiguration: { Rules: encryptionRules(conf) } });
    else await s3.deleteBucketEncryption({ Bucket });
  }
  if (changed("CorsConfiguration")) {
    const conf = props.CorsConfiguration as Obj | undefined;
    if (conf) await s3.putBucketCors({ Bucket, CORSConfiguration: { CORSRules: corsRules(conf) } });
    else await s3.deleteBucketCors({ Bucket });
  }
  if (changed("LifecycleConfiguration")) {
    const conf = props.LifecycleConfiguration as Obj | undefined;
    if (conf)
      await s3.putBucketLifecycleConfiguration({
        Bucket,
        LifecycleConfiguration: { Rules: ((conf.Rules as Obj[]) ?? []).map(lifecycleRule) },
        TransitionDefaultMinimumObjectSize: conf.TransitionDefaultMinimumObjectSize as TransitionDefaultMinimumObjectSize | undefined,
      });
    else await s3.deleteBucketLifecycle({ Bucket });
  }
  if (changed("NotificationConfiguration")) {
    const conf = (props.NotificationConfiguration as Obj | undefined) ?? {};
    await s3.putBucketNotificationConfiguration({ Bucket, NotificationConfiguration: notifications(conf) });
  }
  if (changed("WebsiteConfiguration")) {
    const conf = props.WebsiteConfiguration as Obj | undefined;
    if (conf) await s3.putBucketWebsite({ Bucket, WebsiteConfiguration: website(conf) });
    else await s3.deleteBucketWebsite({ Bucket });
  }
  if (changed("ObjectLockConfiguration") && props.ObjectLockConfiguration) {
    const conf = props.ObjectLockConfiguration as Obj;
    const retention = conf.Rule?.DefaultRetention as Obj | undefined;
    await s3.putObjectLockConfiguration({
      Bucket,
      ObjectLockConfiguration: {
        ObjectLockEnabled: conf.ObjectLockEnabled as "Enabled" | undefined,
        Rule: retention
          ? { DefaultRetention: { Mode: retention.Mode as ObjectLockRetentionMode | undefined, Days: num(retention.Days), Years: num(retention.Years) } }
          : undefined,
      },
    });
  }
  if (changed("Tags")) {
    const tags = tagsOf(props);
    if (tags.length) await s3.putBucketTagging({ Bucket, Tagging: { TagSet: tags } });
    else await s3.deleteBucketTagging({ Bucket });
  }
}

function refuseUnsupported(props: Props): void {
  const extra = Object.keys(props).filter((k) => !BUCKET_PROPS.has(k));
  if (extra.length) throw new ServiceError("InvalidRequest", `Stratus does not implement AWS::S3::Bucket properties ${extra.join(", ")} yet.`, 400);
}

const tolerateMissing = (e: unknown, ...codes: string[]) => {
  if (!(isServiceError(e) && ["NoSuchBucket", ...codes].includes(e.code))) throw e;
};

/** A bucket configuration S3 answers, or undefined where S3 says there is none (its own NotFound-like code). */
async function optional<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (isServiceError(e) && /NotFound|NoSuch/.test(e.code) && e.code !== "NoSuchBucket") return undefined;
    throw e;
  }
}

export default {
  "AWS::S3::Bucket": {
    // What the read below does not cover yet: drift leaves these unchecked.
    notRead: ["AccessControl", "LifecycleConfiguration", "ObjectLockConfiguration", "ObjectLockEnabled"],
    async read({ ctx, physicalId: name }) {
      const s3 = ctx.client("s3");
      try {
        await s3.headBucket({ Bucket: name });
      } catch (e) {
        if (isServiceError(e) && /NoSuchBucket|NotFound/.test(e.code)) return undefined;
        throw e;
      }
      const model: Props = { BucketName: name, ...bucketAttributes(ctx.region, partitionOf(ctx.region), name) };
      const versioning = await s3.getBucketVersioning({ Bucket: name });
      if (versioning.Status) model.VersioningConfiguration = { Status: versioning.Status };
      const tags = await optional(s3.getBucketTagging({ Bucket: name }));
      if (tags?.TagSet?.length) model.Tags = tags.TagSet.map((t) => ({ Key: t.Key, Value: t.Value }));
      const enc = await optional(s3.getBucketEncryption({ Bucket: name }));
      const rules = enc?.ServerSideEncryptionConfiguration?.Rules ?? [];
      if (rules.length)
        model.BucketEncryption = {
          ServerSideEncryptionConfiguration: rules.map((r) => ({
            ...(r.ApplyServerSideEncryptionByDefault
              ? {
                  ServerSideEncryptionByDefault: {
                    SSEAlgorithm: r.ApplyServerSideEncryptionByDefault.SSEAlgorithm,
                    ...(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID ? { KMSMasterKeyID: r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID } : {}),
                  },
                }
              : {}),
            // S3 answers false for a rule that never set it: reported only when on, as a template that leaves it out reads.
            ...(r.BucketKeyEnabled ? { BucketKeyEnabled: true } : {}),
            ...(r.BlockedEncryptionTypes?.EncryptionType?.length
              ? { BlockedEncryptionTypes: { EncryptionType: r.BlockedEncryptionTypes.EncryptionType } }
              : {}),
          })),
        };
      const pab = await optional(s3.getPublicAccessBlock({ Bucket: name }));
      if (pab?.PublicAccessBlockConfiguration) model.PublicAccessBlockConfiguration = pab.PublicAccessBlockConfiguration;
      const own = await optional(s3.getBucketOwnershipControls({ Bucket: name }));
      if (own?.OwnershipControls?.Rules?.length)
        model.OwnershipControls = { Rules: own.OwnershipControls.Rules.map((r) => ({ ObjectOwnership: r.ObjectOwnership })) };
      const cors = await optional(s3.getBucketCors({ Bucket: name }));
      if (cors?.CORSRules?.length) model.CorsConfiguration = { CorsRules: cors.CORSRules.map(corsRuleModel) };
      const notification = notificationModel(await s3.getBucketNotificationConfiguration({ Bucket: name }));
      if (notification) model.NotificationConfiguration = notification;
      const site = await optional(s3.getBucketWebsite({ Bucket: name }));
      if (site) model.WebsiteConfiguration = websiteModel(site);
      return model;
    },
    async list(ctx) {
      return ((await ctx.client("s3").listBuckets({})).Buckets ?? []).flatMap((b) => (b.Name ? [b.Name] : []));
    },
    async create(req) {
      const p = req.properties;
      refuseUnsupported(p);
      const name = (p.BucketName as string | undefined) ?? req.generateName(63, { lowercase: true });
      const region = req.ctx.region;
      const ownership = ((p.OwnershipControls as Obj | undefined)?.Rules as Obj[] | undefined)?.[0]?.ObjectOwnership as ObjectOwnership | undefined;
      await req.ctx.client("s3").createBucket({
        Bucket: name,
        CreateBucketConfiguration: region === "us-east-1" ? undefined : { LocationConstraint: region as never },
        ACL: cannedAcl(p.AccessControl),
        ObjectLockEnabledForBucket: bool(p.ObjectLockEnabled),
        ObjectOwnership: ownership,
      });
      await configure(req, name, p);
      return bucketResult(req, name);
    },
    async update(req) {
      refuseUnsupported(req.properties);
      await configure(req, req.physicalId, req.properties, req.previous);
      return bucketResult(req, req.physicalId);
    },
    async delete(req) {
      try {
        await req.ctx.client("s3").deleteBucket({ Bucket: req.physicalId });
      } catch (e) {
        tolerateMissing(e);
      }
    },
  },
  "AWS::S3::BucketPolicy": {
    async create(req) {
      const Bucket = String(req.properties.Bucket);
      const doc = req.properties.PolicyDocument;
      await req.ctx.client("s3").putBucketPolicy({ Bucket, Policy: typeof doc === "string" ? doc : JSON.stringify(doc) });
      return { physicalId: Bucket, ref: Bucket };
    },
    async update(req) {
      const doc = req.properties.PolicyDocument;
      await req.ctx.client("s3").putBucketPolicy({ Bucket: req.physicalId, Policy: typeof doc === "string" ? doc : JSON.stringify(doc) });
      return { physicalId: req.physicalId, ref: req.physicalId };
    },
    async delete(req) {
      try {
        await req.ctx.client("s3").deleteBucketPolicy({ Bucket: req.physicalId });
      } catch (e) {
        tolerateMissing(e, "NoSuchBucketPolicy");
      }
    },
  },
} satisfies ResourceProviders;
