// CORS: the bucket configuration (put/get/delete); the rule matcher preflight and actual requests use is in cors-match.ts.
import { ServiceError } from "../../core/errors.js";
import type { CORSRule, S3Api } from "./api.generated.js";
import { mustBucket } from "./common.js";
import { tables } from "./state.js";

export { matchCorsRule } from "./cors-match.js";

const METHODS = new Set(["GET", "PUT", "HEAD", "POST", "DELETE"]);

export const cors = {
  putBucketCors({ Bucket, CORSConfiguration }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    const rules = CORSConfiguration?.CORSRules ?? [];
    if (!rules.length) throw new ServiceError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
    if (rules.length > 100) throw new ServiceError("InvalidRequest", "The number of CORS rules should not exceed allowed limit of 100 rules.", 400);
    for (const r of rules) {
      for (const m of r.AllowedMethods ?? []) {
        if (!METHODS.has(m)) throw new ServiceError("InvalidRequest", `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`, 400);
      }
      for (const o of r.AllowedOrigins ?? []) {
        if (o.split("*").length > 2) throw new ServiceError("InvalidRequest", `AllowedOrigin "${o}" can not have more than one wildcard.`, 400);
      }
    }
    t.buckets.put(Bucket, { ...b, cors: rules });
    return {};
  },

  getBucketCors({ Bucket }, ctx) {
    const b = mustBucket(ctx, Bucket);
    if (!b.cors?.length) throw new ServiceError("NoSuchCORSConfiguration", "The CORS configuration does not exist", 404, { fields: { BucketName: Bucket } });
    return { CORSRules: b.cors };
  },

  deleteBucketCors({ Bucket }, ctx) {
    const t = tables(ctx);
    const b = mustBucket(ctx, Bucket, t);
    t.buckets.put(Bucket, { ...b, cors: undefined });
    return {};
  },
} satisfies Partial<S3Api>;
