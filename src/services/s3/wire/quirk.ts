// S3's deviations from generic rest-xml, in one place: streamed uploads, aws-chunked, SigV2, POST uploads, CORS; and
// the one hook of its request metrics.
import type { Exchange } from "../../../core/exchange.js";
import type { Quirk } from "../../../core/service.js";
import { s3Authenticate } from "./auth.js";
import { afterAuthUpload, openUploadBody } from "./body.js";
import { corsHeaders, preflight } from "./cors.js";
import { isPostUpload, postUpload } from "./post.js";
import { s3ResponseShape } from "./responses.js";
import { looksLikeS3, s3VirtualHost } from "./addressing.js";
import { s3IntegerQuery } from "./query.js";
import type { S3Running } from "../request-metrics.js";

export const s3Quirk: Quirk = {
  claimHost: s3VirtualHost, // <bucket>.s3.<region>.amazonaws.com → path style
  claimUnmarked: looksLikeS3, // SigV2, POST uploads, preflights, unsigned requests
  // Upload bodies stream; a browser POST's form is read by postUpload itself.
  openBody: (x) => isPostUpload(x) || openUploadBody(x),
  beforeAuth(x: Exchange) {
    // AWS/S3 request metrics, for a bucket with a metrics configuration (request-metrics.ts), refused requests too.
    x.runtime.instance<S3Running>("s3")?.requestMetrics.observe(x);
    // A preflight is unauthenticated; a POST upload carries its own signature in the form.
    if (x.req.method === "OPTIONS") return preflight(x);
    if (isPostUpload(x)) return postUpload(x);
    s3Authenticate(x);
  },
  afterAuth(x: Exchange) {
    s3IntegerQuery(x); // max-parts, part-number-marker: empty is absent, bad values in S3's words
    pythonBooleans(x);
    afterAuthUpload(x);
  },
  decorate(x: Exchange) {
    s3ResponseShape(x); // 206 for ranges, GetBucketLocation's bare root
    if (x.req.headers["origin"]) corsHeaders(x);
  },
};

// S3's boolean headers. AWS CLI v2 sends Python's spelling ("x-amz-bucket-object-lock-enabled: True"), which S3
// accepts; after the signature is checked (it covers the header as sent), the value is read as S3 reads it.
const BOOLEAN_HEADERS = ["x-amz-bucket-object-lock-enabled", "x-amz-bypass-governance-retention", "x-amz-server-side-encryption-bucket-key-enabled"];
function pythonBooleans(x: Exchange): void {
  const h = x.req.headers as Record<string, string | string[] | undefined>;
  for (const name of BOOLEAN_HEADERS) {
    const v = h[name];
    if (v === "True" || v === "False") h[name] = v.toLowerCase();
  }
}
