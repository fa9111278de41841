// S3's legacy Signature Version 2 (HMAC-SHA1): the presigned query form (AWSAccessKeyId, Signature, Expires) that
// boto3 generates by default, and the `Authorization: AWS key:signature` header form.
import { nodeCrypto } from "../lazy.js";
import type { HttpRequest } from "../http.js";
import type { CredentialRecord } from "../identity.js";
import { ServiceError } from "../errors.js";
import { AuthErrors } from "./errors.js";

export interface SigV2Fields {
  accessKeyId: string;
  signature: string;
  presigned: boolean;
  /** Presigned: the Expires parameter (epoch seconds) as sent. */
  expires?: string;
  sessionToken?: string;
}

// The sub-resources that are part of the canonicalized resource (S3's SigV2 docs, and botocore's list).
const SUB_RESOURCES = new Set([
  "accelerate",
  "acl",
  "analytics",
  "cors",
  "defaultObjectAcl",
  "delete",
  "encryption",
  "intelligent-tiering",
  "inventory",
  "legal-hold",
  "lifecycle",
  "location",
  "logging",
  "metrics",
  "notification",
  "object-lock",
  "ownershipControls",
  "partNumber",
  "policy",
  "publicAccessBlock",
  "replication",
  "requestPayment",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
  "restore",
  "retention",
  "select",
  "select-type",
  "storageClass",
  "tagging",
  "torrent",
  "uploadId",
  "uploads",
  "versionId",
  "versioning",
  "versions",
  "website",
]);

function queryPairs(query: string): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const part of query ? query.split("&") : []) {
    if (!part) continue;
    const eq = part.indexOf("=");
    try {
      out.push(
        eq < 0 ? [decodeURIComponent(part), undefined] : [decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1).replace(/\+/g, " "))],
      );
    } catch {
      out.push([part, undefined]);
    }
  }
  return out;
}

/** The SigV2 fields, or undefined when the request carries no SigV2 signature. */
export function parseSigV2(req: HttpRequest): SigV2Fields | undefined {
  const auth = req.headers["authorization"];
  if (auth?.startsWith("AWS ")) {
    const cred = auth.slice(4).trim();
    const colon = cred.lastIndexOf(":");
    return {
      accessKeyId: colon < 0 ? cred : cred.slice(0, colon),
      signature: colon < 0 ? "" : cred.slice(colon + 1),
      presigned: false,
      sessionToken: req.headers["x-amz-security-token"],
    };
  }
  if (!/(?:^|&)AWSAccessKeyId=/.test(req.query)) return undefined;
  const q = new Map(queryPairs(req.query));
  return {
    accessKeyId: q.get("AWSAccessKeyId") ?? "",
    signature: q.get("Signature") ?? "",
    presigned: true,
    expires: q.get("Expires"),
    sessionToken: q.get("x-amz-security-token") ?? req.headers["x-amz-security-token"],
  };
}

/** The string SigV2 signs: verb, Content-MD5, Content-Type, Date or Expires, x-amz-* headers, the resource. */
export function stringToSignV2(req: HttpRequest, sig: SigV2Fields): string {
  const h = req.headers;
  const query = queryPairs(req.query);
  const amz = new Map<string, string[]>();
  const addAmz = (k: string, v: string) => amz.set(k, [...(amz.get(k) ?? []), v.trim()]);
  for (const [k, v] of Object.entries(h)) if (k.startsWith("x-amz-")) addAmz(k, v);
  // A presigned URL carries the signed x-amz-* headers (and Content-Type/MD5) in its query string.
  let md5 = h["content-md5"] ?? "";
  let type = h["content-type"] ?? "";
  if (sig.presigned) {
    for (const [k, v] of query) {
      const lk = k.toLowerCase();
      if (lk.startsWith("x-amz-") && !h[lk] && v !== undefined) addAmz(lk, v);
      if (lk === "content-md5" && v !== undefined) md5 ||= v;
      if (lk === "content-type" && v !== undefined) type ||= v;
    }
  }
  const date = sig.presigned ? (sig.expires ?? "") : h["x-amz-date"] !== undefined ? "" : (h["date"] ?? "");
  let s = `${req.method.toUpperCase()}\n${md5}\n${type}\n${date}\n`;
  for (const k of [...amz.keys()].sort()) s += `${k}:${amz.get(k)!.join(",")}\n`;
  // The resource names the bucket even for a virtual-hosted request; "/bucket/" for the bucket itself.
  let resource = req.rawPath !== undefined && req.rawPath === "/" ? req.path + "/" : req.path;
  const subs = query.filter(([k]) => SUB_RESOURCES.has(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (subs.length) resource += "?" + subs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join("&");
  return s + resource;
}

export const signV2 = (secret: string, stringToSign: string) => nodeCrypto().createHmac("sha1", secret).update(stringToSign, "utf8").digest("base64");

export interface VerifyV2Options {
  now: number;
  lookup: (accessKeyId: string) => CredentialRecord | undefined;
  /** Checks the session token and expiry of temporary credentials (shared with SigV4). */
  checkSession: (cred: CredentialRecord, token: string | undefined) => void;
}

/** A presigned URL past its Expires, worded as S3 does; checked in every auth mode. */
export function checkV2Expiry(sig: SigV2Fields, now: number): void {
  if (!sig.presigned) return;
  if (sig.expires === undefined || !/^\d+$/.test(sig.expires)) {
    throw new ServiceError("AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters", 403);
  }
  const at = Number(sig.expires) * 1000;
  if (now > at) {
    throw new ServiceError("AccessDenied", "Request has expired", 403, {
      fields: { Expires: iso(at), ServerTime: iso(now) },
    });
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Verifies the SigV2 signature; returns the caller's credentials or throws S3's error. */
export function verifySigV2(req: HttpRequest, sig: SigV2Fields, o: VerifyV2Options): CredentialRecord {
  if (sig.presigned && (!sig.accessKeyId || !sig.signature)) {
    throw new ServiceError("AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters", 403);
  }
  checkV2Expiry(sig, o.now);
  const cred = o.lookup(sig.accessKeyId);
  if (!cred || cred.status === "Inactive") throw AuthErrors.invalidKey("s3", sig.accessKeyId);
  o.checkSession(cred, sig.sessionToken);
  const sts = stringToSignV2(req, sig);
  const expected = signV2(cred.secretAccessKey, sts);
  const a = Buffer.from(expected),
    b = Buffer.from(sig.signature);
  if (a.length !== b.length || !nodeCrypto().timingSafeEqual(a, b)) {
    throw AuthErrors.signatureMismatch("s3", undefined, {
      AWSAccessKeyId: sig.accessKeyId,
      StringToSign: sts,
      SignatureProvided: sig.signature,
      StringToSignBytes: [...Buffer.from(sts, "utf8")].map((c) => c.toString(16).padStart(2, "0")).join(" "),
    });
  }
  return cred;
}
