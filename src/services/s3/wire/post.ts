// Browser uploads: POST /bucket with multipart/form-data and a signed policy document (SigV4 or SigV2). The policy's
// expiration and conditions are enforced as S3 words them; the file streams into S3 core's PutObject.
import { nodeCrypto } from "../../../core/lazy.js";
import { Transform, type TransformCallback } from "node:stream";
import { ServiceError } from "../../../core/errors.js";
import { AuthErrors } from "../../../core/auth/errors.js";
import { checkSession, signingKey } from "../../../core/auth/sigv4-verify.js";
import { identityOf, type Exchange } from "../../../core/exchange.js";
import { boundaryOf, MultipartFile, type FormHead } from "./multipart-form.js";
import { setCaller } from "./auth.js";
import { ClientGone } from "../../../core/exchange.js";

const denied = (why: string) => new ServiceError("AccessDenied", `Invalid according to Policy: ${why}`, 403);

/** A POST of a form to a bucket (not ?delete or any other sub-resource): S3's browser upload. */
export function isPostUpload(x: Exchange): boolean {
  return x.req.method === "POST" && (x.req.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data") && /^\/[^/]+\/?$/.test(x.req.path);
}

// Fields that are never matched against the policy's conditions.
const EXEMPT = new Set(["policy", "x-amz-signature", "signature", "awsaccesskeyid", "file", "x-amz-security-token"]);

interface Policy {
  expiration?: string;
  conditions?: unknown[];
}

export async function postUpload(x: Exchange): Promise<void> {
  const bucket = decodeURIComponent(x.req.path.split("/")[1]);
  const boundary = boundaryOf(x.req.headers["content-type"] ?? "");
  if (!boundary) throw new ServiceError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.", 400);
  const form = new MultipartFile(boundary);
  const raw = x.raw;
  raw.pipe(form);
  raw.on("aborted", () => !raw.complete && form.destroy(new ClientGone()));
  form.on("error", () => {
    raw.unpipe(form);
    raw.resume();
  });
  const head = await form.head;
  // Field names are case-insensitive, except that x-amz-meta-* keep their case in the stored metadata.
  const fields = new Map<string, string>();
  for (const [k, v] of head.fields) fields.set(k.toLowerCase(), v);
  const key = (fields.get("key") ?? "").replace(/\$\{filename\}/g, head.filename);
  if (!fields.has("key"))
    throw new ServiceError("InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", 400, {
      fields: { ArgumentName: "key", ArgumentValue: "" },
    });

  const range = authorize(x, fields, bucket, key);
  const body = range ? form.pipe(new LengthRange(range[0], range[1])) : form;
  const meta: Record<string, string> = {};
  for (const [k, v] of head.fields) if (k.toLowerCase().startsWith("x-amz-meta-")) meta[k.slice(11).toLowerCase()] = v;
  const input: Record<string, unknown> = {
    Bucket: bucket,
    Key: key,
    Body: body,
    ContentType: fields.get("content-type") ?? "binary/octet-stream",
    CacheControl: fields.get("cache-control"),
    ContentDisposition: fields.get("content-disposition"),
    ContentEncoding: fields.get("content-encoding"),
    Expires: fields.has("expires") ? new Date(fields.get("expires")!) : undefined,
    ACL: fields.get("acl"),
    StorageClass: fields.get("x-amz-storage-class"),
    ServerSideEncryption: fields.get("x-amz-server-side-encryption"),
    Metadata: Object.keys(meta).length ? meta : undefined,
  };
  for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
  x.operation = "PutObject";
  x.input = input;
  const out = await x.runtime.dispatch("s3", "PutObject", input, identityOf(x));
  x.output = out;
  x.response = postResponse(x, fields, bucket, key, out.ETag as string | undefined, out.VersionId as string | undefined);
  x.answered = true;
}

/** Verifies the policy's signature and conditions; returns the content-length-range, if the policy sets one. */
function authorize(x: Exchange, fields: Map<string, string>, bucket: string, key: string): [number, number] | undefined {
  const policyB64 = fields.get("policy");
  const sigv4 = x.runtime.options.auth === "sigv4";
  const now = x.runtime.clock.now();
  const akid = fields.has("x-amz-credential") ? fields.get("x-amz-credential")!.split("/")[0] : fields.get("awsaccesskeyid");
  if (!policyB64) {
    // An anonymous upload: only a public-write bucket would take it on AWS.
    if (sigv4) throw new ServiceError("AccessDenied", "Access Denied", 403);
    setCaller(x, undefined, akid);
    return undefined;
  }
  let policy: Policy;
  try {
    policy = JSON.parse(Buffer.from(policyB64, "base64").toString("utf8")) as Policy;
  } catch {
    throw new ServiceError("InvalidPolicyDocument", "Invalid Policy: Invalid JSON.", 400);
  }
  if (!policy || typeof policy !== "object" || typeof policy.expiration !== "string") {
    throw new ServiceError("InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.", 400);
  }
  if (!Array.isArray(policy.conditions)) throw new ServiceError("InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.", 400);

  // The signature: SigV4 (x-amz-signature over the base64 policy) or SigV2 (signature, HMAC-SHA1).
  if (sigv4) {
    if (!akid)
      throw new ServiceError(
        "InvalidArgument",
        "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is specified, please check the order of the fields.",
        400,
      );
    const cred = x.runtime.credentials.forSignature(akid);
    if (!cred || cred.status === "Inactive") throw AuthErrors.invalidKey("s3", akid);
    checkSession(cred, fields.get("x-amz-security-token"), "s3", now, cred.principal.type === "Root");
    let expected: string, given: string;
    if (fields.has("x-amz-signature")) {
      const [, date = "", region = "", service = ""] = fields.get("x-amz-credential")!.split("/");
      expected = nodeCrypto()
        .createHmac("sha256", signingKey(cred.secretAccessKey, date, region, service))
        .update(policyB64, "utf8")
        .digest("hex");
      given = fields.get("x-amz-signature")!;
    } else {
      expected = nodeCrypto().createHmac("sha1", cred.secretAccessKey).update(policyB64, "utf8").digest("base64");
      given = fields.get("signature") ?? "";
    }
    const a = Buffer.from(expected),
      b = Buffer.from(given);
    if (a.length !== b.length || !nodeCrypto().timingSafeEqual(a, b)) throw AuthErrors.signatureMismatch("s3");
    setCaller(x, cred, akid);
  } else {
    setCaller(x, akid ? x.runtime.credentials.find(akid) : undefined, akid);
  }

  const expires = Date.parse(policy.expiration);
  if (Number.isNaN(expires)) throw new ServiceError("InvalidPolicyDocument", "Invalid Policy: Invalid 'expiration' value: '" + policy.expiration + "'", 400);
  if (now > expires) throw denied("Policy expired.");

  // Every condition must hold; every field (but the exempt ones) must be covered by one.
  const values = new Map(fields);
  values.set("bucket", bucket);
  values.set("key", key);
  const covered = new Set<string>(["bucket"]);
  let range: [number, number] | undefined;
  for (const c of policy.conditions) {
    if (Array.isArray(c)) {
      const op = String(c[0]).toLowerCase();
      if (op === "content-length-range") {
        range = [Number(c[1]), Number(c[2])];
        continue;
      }
      const field = String(c[1] ?? "")
        .replace(/^\$/, "")
        .toLowerCase();
      const want = String(c[2] ?? "");
      covered.add(field);
      const have = values.get(field) ?? "";
      const ok = op === "eq" ? have === want : op === "starts-with" ? have.startsWith(want) : false;
      if (!ok) throw denied(`Policy Condition failed: ${JSON.stringify(c).replace(/,/g, ", ")}`);
    } else if (c && typeof c === "object") {
      for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
        const field = k.toLowerCase();
        covered.add(field);
        if ((values.get(field) ?? "") !== String(v)) throw denied(`Policy Condition failed: ["eq", "$${k}", ${JSON.stringify(String(v))}]`);
      }
    }
  }
  const extra = [...fields.keys()].filter((k) => !EXEMPT.has(k) && !k.startsWith("x-ignore-") && !covered.has(k));
  if (extra.length) throw denied(`Extra input fields: ${extra.join(", ")}`);
  return range;
}

/** content-length-range: checked as the file streams, so a too-large upload is cut short, not stored. */
class LengthRange extends Transform {
  private n = 0;
  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.n += chunk.length;
    if (this.n > this.max) {
      return cb(
        new ServiceError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400, {
          fields: { ProposedSize: this.n, MaxSizeAllowed: this.max },
        }),
      );
    }
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.n < this.min) {
      return cb(
        new ServiceError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400, {
          fields: { ProposedSize: this.n, MinSizeAllowed: this.min },
        }),
      );
    }
    cb();
  }
}

// Element text: S3 writes the ETag's quotes as they are.
const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** success_action_redirect (303), success_action_status 200/201 (201 with a PostResponse document), else 204. */
function postResponse(x: Exchange, fields: Map<string, string>, bucket: string, key: string, etag?: string, versionId?: string) {
  const host = x.req.headers["host"] ?? "localhost";
  const location = `http://${host}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, "/")}`;
  const headers: Record<string, string> = { "x-amz-request-id": x.requestId, location };
  if (etag) headers["etag"] = etag;
  if (versionId) headers["x-amz-version-id"] = versionId;
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (redirect) {
    try {
      const u = new URL(redirect);
      u.searchParams.set("bucket", bucket);
      u.searchParams.set("key", key);
      if (etag) u.searchParams.set("etag", etag);
      headers["location"] = u.toString();
      return { status: 303, headers, body: "" };
    } catch {
      // Not a URL: S3 ignores it and falls back to the status.
    }
  }
  const status = fields.get("success_action_status");
  if (status === "201") {
    headers["content-type"] = "application/xml";
    const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag ?? "")}</ETag></PostResponse>`;
    return { status: 201, headers, body: doc };
  }
  return { status: status === "200" ? 200 : 204, headers, body: "" };
}

export type { FormHead };
