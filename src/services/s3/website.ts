// S3 static website hosting: the bucket's website configuration (Put/Get/DeleteBucketWebsite) and its validation.
// website-serve.ts serves it over HTTP.
//
// AWS's wording is the one recorded from AWS in LocalStack's tests/aws/services/s3/test_s3.snapshot.json
// (TestS3StaticWebsiteHosting::test_validate_website_configuration and test_crud_website_configuration).
import { ServiceError } from "../../core/errors.js";
import type { S3Api, WebsiteConfiguration } from "./api.generated.js";
import { invalidArgument, malformedXml, mustBucket } from "./common.js";
import { tables } from "./state.js";

export const noSuchWebsite = (bucket: string) =>
  new ServiceError("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", 404, { fields: { BucketName: bucket } });

function checkWebsite(w: WebsiteConfiguration | undefined): WebsiteConfiguration {
  if (!w) throw malformedXml();
  if (w.RedirectAllRequestsTo) {
    if (w.IndexDocument || w.ErrorDocument || w.RoutingRules)
      throw invalidArgument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.", "RedirectAllRequestsTo", "not null");
    checkProtocol(w.RedirectAllRequestsTo.Protocol);
    return { RedirectAllRequestsTo: w.RedirectAllRequestsTo };
  }
  if (!w.IndexDocument) throw invalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "null");
  const suffix = w.IndexDocument.Suffix;
  if (!suffix || suffix.includes("/")) throw invalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix || undefined);
  if (w.RoutingRules !== undefined) {
    if (!w.RoutingRules.length) throw malformedXml();
    for (const r of w.RoutingRules) {
      if (!r.Redirect) throw malformedXml();
      checkProtocol(r.Redirect.Protocol);
      if (r.Redirect.ReplaceKeyPrefixWith !== undefined && r.Redirect.ReplaceKeyWith !== undefined)
        throw new ServiceError("InvalidRequest", "You can only define ReplaceKeyPrefix or ReplaceKey but not both.", 400);
      if (r.Condition && r.Condition.KeyPrefixEquals === undefined && r.Condition.HttpErrorCodeReturnedEquals === undefined)
        throw new ServiceError(
          "InvalidRequest",
          "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.",
          400,
        );
    }
  }
  return w;
}

function checkProtocol(p: string | undefined): void {
  if (p !== undefined && p !== "http" && p !== "https")
    throw new ServiceError(
      "InvalidRequest",
      "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.",
      400,
    );
}

export const website = {
  putBucketWebsite({ Bucket, WebsiteConfiguration }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    t.buckets.put(Bucket, { ...b, website: checkWebsite(WebsiteConfiguration) });
    return {};
  },

  getBucketWebsite({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    if (!b.website) throw noSuchWebsite(Bucket);
    const { RedirectAllRequestsTo, IndexDocument, ErrorDocument, RoutingRules } = b.website;
    return { RedirectAllRequestsTo, IndexDocument, ErrorDocument, RoutingRules };
  },

  deleteBucketWebsite({ Bucket }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    // 204 whether or not there was one (recorded: del-no-such-website-config).
    if (b.website) t.buckets.put(Bucket, { ...b, website: undefined });
    return {};
  },
} satisfies Partial<S3Api>;
