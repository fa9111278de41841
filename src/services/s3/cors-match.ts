// The CORS rule matcher S3's wire layer uses on every cross-origin request, apart from the bucket-configuration
// handlers (cors.ts): the gateway loads the wire layer at start, and it must not load S3's handlers with it.
import type { CORSRule } from "./api.generated.js";

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
