// S3's CORS on the wire: OPTIONS preflights answered from the bucket's CORS rules, and the CORS headers an actual
// request with an Origin gets. The rule matching is S3 core's (services/s3/cors.ts).
import { ServiceError } from "../../../core/errors.js";
import type { Exchange } from "../../../core/exchange.js";
import type { CORSRule } from "../api.generated.js";
import { matchCorsRule } from "../cors-match.js";
import { storeTables } from "../state.js";

const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

function bucketOf(path: string): string | undefined {
  const seg = path.split("/")[1];
  return seg ? decodeURIComponent(seg) : undefined;
}

/**
 * The bucket's rules, read through S3's own out-of-request accessor: a preflight is anonymous, so there is no
 * caller account to ask GetBucketCors as. Read-only.
 */
function rulesOf(x: Exchange, bucket: string): { exists: boolean; rules?: CORSRule[] } {
  const b = storeTables(x.runtime).buckets.get(bucket);
  return { exists: !!b, rules: b?.cors };
}

function ruleHeaders(rule: CORSRule, origin: string, out: Record<string, string>): void {
  const any = rule.AllowedOrigins.includes("*");
  out["access-control-allow-origin"] = any ? "*" : origin;
  if (!any) out["access-control-allow-credentials"] = "true";
  out["access-control-allow-methods"] = rule.AllowedMethods.join(", ");
  if (rule.ExposeHeaders?.length) out["access-control-expose-headers"] = rule.ExposeHeaders.join(", ");
  if (rule.MaxAgeSeconds !== undefined) out["access-control-max-age"] = String(rule.MaxAgeSeconds);
  out["vary"] = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";
}

/** OPTIONS /bucket[/key]: 200 with the matching rule's headers, else S3's 403 (or 400 for a malformed preflight). */
export function preflight(x: Exchange): void {
  const h = x.req.headers;
  const bucket = bucketOf(x.req.path);
  const resourceType = x.req.path.split("/").filter(Boolean).length > 1 ? "OBJECT" : "BUCKET";
  if (!bucket)
    throw new ServiceError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, {
      fields: { Method: "OPTIONS", ResourceType: "SERVICE" },
    });
  const origin = h["origin"];
  if (!origin) throw new ServiceError("BadRequest", "Insufficient information. Origin request header needed.", 400);
  const method = h["access-control-request-method"];
  if (!method || !/^(GET|PUT|HEAD|POST|DELETE)$/.test(method)) {
    throw new ServiceError("BadRequest", `Invalid Access-Control-Request-Method: ${method ?? "null"}`, 400);
  }
  const { exists, rules } = rulesOf(x, bucket);
  if (!exists) throw new ServiceError("NoSuchBucket", "The specified bucket does not exist", 404, { fields: { BucketName: bucket } });
  if (!rules?.length) {
    throw new ServiceError("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", 403, {
      fields: { Method: method, ResourceType: resourceType },
    });
  }
  const requested = (h["access-control-request-headers"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const rule = matchCorsRule(rules, origin, method, requested);
  if (!rule) throw new ServiceError("AccessForbidden", NOT_ALLOWED, 403, { fields: { Method: method, ResourceType: resourceType } });
  const headers: Record<string, string> = { "x-amz-request-id": x.requestId };
  ruleHeaders(rule, origin, headers);
  if (requested.length) headers["access-control-allow-headers"] = requested.map((s) => s.toLowerCase()).join(", ");
  x.operation = "PreflightRequest";
  x.response = { status: 200, headers, body: "" };
  x.answered = true;
}

/** An actual request with an Origin: the first rule that allows its origin and method adds its headers. */
export function corsHeaders(x: Exchange): void {
  const origin = x.req.headers["origin"];
  const bucket = origin ? bucketOf(x.req.path) : undefined;
  if (!origin || !bucket || !x.response) return;
  const rules = rulesOf(x, bucket).rules;
  const rule = rules && matchCorsRule(rules, origin, x.req.method);
  if (rule) ruleHeaders(rule, origin, x.response.headers);
}
