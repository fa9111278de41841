// CORS: the bucket configuration (put/get/delete) and the rule matcher preflight and actual requests use.
import { ServiceError } from "../../core/errors.js";
import type { CORSRule, S3Api } from "./api.generated.js";
import { mustBucket } from "./common.js";
import { tables } from "./state.js";

const METHODS = new Set(["GET", "PUT", "HEAD", "POST", "DELETE"]);

/** An AllowedOrigin / AllowedHeader pattern: case-insensitive for headers, with at most one "*" wildcard. */
function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const star = p.indexOf("*");
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

/**
 * The first of a bucket's CORS rules that allows `origin` to make a `method` request with `requestHeaders`
 * (Access-Control-Request-Headers, for a preflight), as S3 picks it; undefined when none does.
 */
export function matchCorsRule(rules: CORSRule[] | undefined, origin: string, method: string, requestHeaders: string[] = []): CORSRule | undefined {
  return (rules ?? []).find(
    (r) =>
      r.AllowedOrigins.some((o) => wildcard(o, origin, false)) &&
      r.AllowedMethods.includes(method.toUpperCase()) &&
      requestHeaders.every((h) => !h.trim() || (r.AllowedHeaders ?? []).some((a) => wildcard(a, h.trim(), true))),
  );
}

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
