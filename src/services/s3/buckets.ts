// S3 buckets: create (global names, location constraints), head, list, delete, location and versioning.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { decodePageToken, encodePageToken } from "../../core/paging.js";
import type { Bucket, S3Api } from "./api.generated.js";
import { BucketAlreadyExists, BucketAlreadyOwnedByYou } from "./api.generated.js";
import { bucketAtCreate } from "./acl.js";
import { bucketArn, malformedXml, mustBucket, ownerOf } from "./common.js";
import { deleteMetricsConfigs } from "./metrics-config.js";
import type { S3Running } from "./request-metrics.js";
import { transaction, tables, type BucketRec } from "./state.js";

const invalidBucketName = (name: string) => new ServiceError("InvalidBucketName", "The specified bucket is not valid.", 400, { fields: { BucketName: name } });

/** AWS's general-purpose bucket naming rules. */
export function checkBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !name.includes(".-") &&
    !name.includes("-.") &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  if (!ok) throw invalidBucketName(name);
}

const bucketOut = (b: BucketRec): Bucket => ({
  Name: b.name,
  CreationDate: new Date(b.created),
  BucketRegion: b.region,
  BucketArn: bucketArn(b.name, b.region),
});

// ListBuckets tokens (core/paging's) are opaque: inside, the last bucket name returned.
const decodeToken = (token: string): string =>
  decodePageToken(
    "ListBuckets",
    token,
    () => new ServiceError("InvalidArgument", "The continuation token provided is incorrect", 400, { fields: { ArgumentName: "continuation-token" } }),
  );

export function ownedBuckets(ctx: HandlerContext): BucketRec[] {
  return tables(ctx)
    .buckets.list()
    .map((e) => e.value)
    .filter((b) => b.account === ctx.account);
}

export const buckets = {
  createBucket(i, ctx) {
    const { Bucket: name, CreateBucketConfiguration: conf, ObjectLockEnabledForBucket } = i;
    checkBucketName(name);
    // Object Ownership, ACL and Block Public Access, checked before the bucket exists (acl.ts).
    const settings = bucketAtCreate(ctx, i);
    const t = tables(ctx);
    const lc = conf?.LocationConstraint as string | undefined;
    let region = ctx.region;
    if (lc !== undefined && lc !== "") {
      // The legacy global endpoint (us-east-1) creates the bucket wherever the constraint says; naming
      // us-east-1 itself is refused there, and any other endpoint must be named by its own region.
      if (ctx.region === "us-east-1") {
        if (lc === "us-east-1")
          throw new ServiceError("InvalidLocationConstraint", "The specified location-constraint is not valid", 400, { fields: { LocationConstraint: lc } });
        region = lc === "EU" ? "eu-west-1" : lc;
      } else if (lc !== ctx.region && !(lc === "EU" && ctx.region === "eu-west-1")) {
        throw new ServiceError(
          "IllegalLocationConstraintException",
          `The ${lc} location constraint is incompatible for the region specific endpoint this request was sent to.`,
          400,
        );
      }
    } else if (ctx.region !== "us-east-1") {
      throw new ServiceError(
        "IllegalLocationConstraintException",
        "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
        400,
      );
    }
    const existing = t.buckets.get(name);
    if (existing) {
      if (existing.account !== ctx.account) {
        throw new BucketAlreadyExists(
          "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
          { BucketName: name },
        );
      }
      // us-east-1's legacy behaviour: re-creating your own bucket there succeeds (and only resets its ACL).
      if (existing.region === "us-east-1" && region === "us-east-1") return { Location: `/${name}`, BucketArn: bucketArn(name, region) };
      throw new BucketAlreadyOwnedByYou("Your previous request to create the named bucket succeeded and you already own it.", { BucketName: name });
    }
    // x-amz-bucket-object-lock-enabled: Object Lock from the start, which turns versioning on for good.
    const lock = ObjectLockEnabledForBucket ? ({ versioning: "Enabled", objectLock: {} } as const) : {};
    t.buckets.put(name, { name, account: ctx.account, region, created: ctx.now(), ...settings, ...lock });
    return { Location: region === "us-east-1" ? `/${name}` : `http://${name}.s3.amazonaws.com/`, BucketArn: bucketArn(name, region) };
  },

  headBucket({ Bucket: name }, ctx) {
    const b = mustBucket(ctx, name);
    return { BucketRegion: b.region, AccessPointAlias: false, BucketArn: bucketArn(name, b.region) };
  },

  listBuckets({ MaxBuckets, ContinuationToken, Prefix, BucketRegion }, ctx) {
    let all = ownedBuckets(ctx).filter((b) => (!Prefix || b.name.startsWith(Prefix)) && (!BucketRegion || b.region === BucketRegion));
    if (ContinuationToken) {
      const after = decodeToken(ContinuationToken);
      all = all.filter((b) => b.name > after);
    }
    const max = MaxBuckets ?? 10000;
    const page = all.slice(0, max);
    const more = all.length > max;
    return {
      Buckets: page.map(bucketOut),
      Owner: ownerOf(ctx.account),
      Prefix,
      ContinuationToken: more ? encodePageToken("ListBuckets", page[page.length - 1].name) : undefined,
    };
  },

  deleteBucket({ Bucket: name }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, name, t);
    // A bucket that has had versioning says more (test_s3_api.snapshot.json: test_delete_versioned_bucket_with_objects).
    if (t.objects.count(`${name}/`) > 0)
      throw new ServiceError(
        "BucketNotEmpty",
        `The bucket you tried to delete is not empty${b.versioning ? ". You must delete all versions in the bucket." : ""}`,
        409,
        {
          fields: { BucketName: name },
        },
      );
    const uploads = t.uploads.list({ prefix: `${name}/` });
    const hadMetrics = transaction(ctx, () => {
      for (const u of uploads) t.uploads.delete(u.key);
      t.buckets.delete(name);
      return deleteMetricsConfigs(t, name);
    });
    if (hadMetrics) ctx.instance<S3Running>().requestMetrics.refresh(name);
    for (const u of uploads) for (const p of Object.values(u.value.parts)) ctx.blobs.delete(p.blob);
    return {};
  },

  getBucketLocation({ Bucket: name }, ctx) {
    const b = mustBucket(ctx, name);
    // us-east-1 buckets report no constraint at all (an empty element), as S3 always has.
    return { LocationConstraint: b.region === "us-east-1" ? undefined : (b.region as never) };
  },

  putBucketVersioning({ Bucket: name, VersioningConfiguration: conf }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, name, t);
    const status = conf?.Status;
    // No Status at all is its own error; any other value than the two states is MalformedXML (AWS-recorded in
    // LocalStack's test_s3_api.snapshot.json: TestS3BucketVersioning::test_bucket_versioning_crud, put-versioning-empty).
    if (!status) throw new ServiceError("IllegalVersioningConfigurationException", "The Versioning element must be specified", 400);
    if (status !== "Enabled" && status !== "Suspended") throw malformedXml();
    if (b.objectLock && status !== "Enabled")
      // As recorded from AWS in LocalStack's test_s3_api.snapshot.json (test_disable_versioning_on_locked_bucket).
      throw new ServiceError("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.", 409);
    t.buckets.put(name, { ...b, versioning: status });
    return {};
  },

  getBucketVersioning({ Bucket: name }, ctx) {
    const b = mustBucket(ctx, name);
    return b.versioning ? { Status: b.versioning } : {};
  },
} satisfies Partial<S3Api>;
