// S3's deviations from generic rest-xml, in one place: streamed uploads, aws-chunked, SigV2, POST uploads, CORS.
import type { Exchange } from "../../gateway/exchange.js";
import type { Quirk } from "./index.js";
import { s3Authenticate } from "./s3-auth.js";
import { afterAuthUpload, openUploadBody } from "./s3-body.js";
import { corsHeaders, preflight } from "./s3-cors.js";
import { isPostUpload, postUpload } from "./s3-post.js";
import { s3ResponseShape, s3Validate } from "./s3-responses.js";

export const s3Quirk: Quirk = {
  // Upload bodies stream; a browser POST's form is read by postUpload itself.
  openBody: (x) => isPostUpload(x) || openUploadBody(x),
  beforeAuth(x: Exchange) {
    // A preflight is unauthenticated; a POST upload carries its own signature in the form.
    if (x.req.method === "OPTIONS") return preflight(x);
    if (isPostUpload(x)) return postUpload(x);
    s3Authenticate(x);
  },
  afterAuth: afterAuthUpload,
  validate: s3Validate,
  decorate(x: Exchange) {
    s3ResponseShape(x); // 206 for ranges, GetBucketLocation's bare root
    if (x.req.headers["origin"]) corsHeaders(x);
  },
};
