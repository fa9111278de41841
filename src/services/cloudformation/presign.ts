// The presigned URLs CloudFormation hands out and Stratus serves itself (responses.ts): a custom resource's
// ResponseURL and a wait condition handle. AWS's are presigned S3 URLs of its own buckets,
//   https://cloudformation-custom-resource-response-<region>.s3.amazonaws.com/<stack arn>%7C<logicalId>%7C<requestId>?X-Amz-…
//   https://cloudformation-waitcondition-<region>.s3.amazonaws.com/<stack arn>/<logicalId>?AWSAccessKeyId=…&Expires=…&Signature=…
// (SigV4 query parameters for the first, SigV2's for the second: the Content-Type is part of a SigV2 signature,
// which is why AWS's user guide says to signal a handle with an empty Content-Type). Here the same shapes point at
// Stratus's own endpoint under /_stratus/cloudformation/, signed with an HMAC-SHA256 key kept per data dir.
// The records behind them: custom resource requests awaiting their response, and the signals a handle received.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { amzDate } from "../../core/auth/sigv4-verify.js";
import type { StateHolder } from "../../core/state.js";
import { defineState, global, regional } from "../../core/state.js";

/** A request sent to a custom resource provider that awaits its response (durable: a restart keeps waiting). */
export interface CustomRequestRec {
  requestId: string;
  stackId: string;
  logicalId: string;
  requestType: "Create" | "Update" | "Delete";
  physicalId?: string;
  /** A hash of the request's properties (and old properties): only the same request is waited for again. */
  fingerprint?: string;
  /** Epoch ms after which the request has timed out. */
  deadline: number;
  /** The raw body of the first response PUT to the ResponseURL. */
  response?: string;
}

/** One signal a wait condition handle received. */
export interface SignalRec {
  Status?: unknown;
  Reason?: unknown;
  UniqueId?: unknown;
  Data?: unknown;
  /** Set when the body was not a signal (not JSON, or no valid Status / UniqueId). */
  unparsable?: true;
}

export interface HandleRec {
  url: string;
  /** By UniqueId (a repeated UniqueId replaces the earlier signal, as an S3 object would be overwritten). */
  signals: Record<string, SignalRec>;
  unparsable?: number;
}

export const signalState = defineState("cloudformation", {
  presignKey: global<string>("presign-key"),
  /** `<stackId>\0<logicalId>\0<requestId>` → a request awaiting its response. */
  customRequests: regional<CustomRequestRec>("custom-requests"),
  /** `<stackId>/<handle logicalId>` → the handle's signals. */
  handles: regional<HandleRec>("wait-handles"),
});

export const ROUTE_PREFIX = "/_stratus/cloudformation/";
/** A custom resource's ResponseURL stays valid two hours (AWS's presigned URLs: X-Amz-Expires=7200). */
const RESPONSE_URL_SECONDS = 7200;
/** A handle's URL stays valid for a day, beyond any wait condition's 12-hour maximum (unverified against AWS). */
const HANDLE_URL_SECONDS = 86_400;

function key(holder: StateHolder): Buffer {
  const t = signalState.at(holder, "");
  let k = t.presignKey.get("key");
  if (!k) t.presignKey.put("key", (k = randomBytes(32).toString("base64")));
  return Buffer.from(k, "base64");
}

const hmac = (holder: StateHolder, text: string) => createHmac("sha256", key(holder)).update(text).digest();
const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
/** An ARN in a URL path as AWS writes it: percent-escaped, its slashes kept. */
const escapeArn = (arn: string) => encodeURIComponent(arn).replace(/%2F/g, "/");
const fromAmzDate = (s: string) =>
  /^\d{8}T\d{6}Z$/.test(s) ? Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(9, 11), +s.slice(11, 13), +s.slice(13, 15)) : Number.NaN;

/** A custom resource request's ResponseURL. */
export function responseUrl(holder: StateHolder, base: string, now: number, stackId: string, logicalId: string, requestId: string): string {
  const region = stackId.split(":")[3] ?? "us-east-1";
  const path = `${ROUTE_PREFIX}cloudformation-custom-resource-response-${region.replace(/-/g, "")}/${escapeArn(stackId)}%7C${encodeURIComponent(logicalId)}%7C${requestId}`;
  const date = amzDate(now);
  const signature = hmac(holder, `PUT\n${decodeURIComponent(path)}\n${date}\n${RESPONSE_URL_SECONDS}`).toString("hex");
  return `${base}${path}?X-Amz-Date=${date}&X-Amz-Expires=${RESPONSE_URL_SECONDS}&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}`;
}

/** A wait condition handle's URL (what Ref returns). */
export function handleUrl(holder: StateHolder, base: string, now: number, stackId: string, logicalId: string): string {
  const region = stackId.split(":")[3] ?? "us-east-1";
  const path = `${ROUTE_PREFIX}cloudformation-waitcondition-${region}/${escapeArn(`${stackId}/${logicalId}`)}`;
  const expires = Math.floor(now / 1000) + HANDLE_URL_SECONDS;
  const signature = hmac(holder, sigV2Text(decodeURIComponent(path), "", expires)).toString("base64");
  return `${base}${path}?AWSAccessKeyId=STRATUS&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
}

// SigV2's string to sign for a query-signed PUT: verb, Content-MD5, Content-Type, Expires, resource.
const sigV2Text = (path: string, contentType: string, expires: number) => `PUT\n\n${contentType}\n${expires}\n${path}`;

/** What a PUT to one of these URLs addresses, once its signature and expiry are checked. */
export type Verified =
  | { kind: "response"; stackId: string; logicalId: string; requestId: string }
  | { kind: "handle"; stackId: string; logicalId: string }
  | { kind: "denied"; code: "AccessDenied" | "SignatureDoesNotMatch"; message: string; expired?: { expires: Date; now: Date } };

const DENIED = { kind: "denied", code: "AccessDenied", message: "Access Denied" } as const;
const MISMATCH = {
  kind: "denied",
  code: "SignatureDoesNotMatch",
  message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
} as const;

/** Checks a request to a presigned URL (path still escaped, query, Content-Type) at `now`. */
export function verify(holder: StateHolder, path: string, query: URLSearchParams, contentType: string, now: number): Verified {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return DENIED;
  }
  const rest = decoded.slice(ROUTE_PREFIX.length);
  const slash = rest.indexOf("/");
  const bucket = rest.slice(0, slash);
  const objectKey = rest.slice(slash + 1);
  if (slash < 0) return DENIED;
  if (bucket.startsWith("cloudformation-custom-resource-response-")) {
    const date = query.get("X-Amz-Date");
    const seconds = Number(query.get("X-Amz-Expires"));
    const signature = query.get("X-Amz-Signature");
    if (!date || !signature || !Number.isInteger(seconds)) return DENIED;
    if (!sameBytes(Buffer.from(signature, "hex"), hmac(holder, `PUT\n${decoded}\n${date}\n${seconds}`))) return MISMATCH;
    const expires = fromAmzDate(date) + seconds * 1000;
    if (!(now <= expires)) return { ...DENIED, message: "Request has expired", expired: { expires: new Date(expires), now: new Date(now) } };
    const [stackId, logicalId, requestId] = objectKey.split("|");
    if (!stackId || !logicalId || !requestId) return DENIED;
    return { kind: "response", stackId, logicalId, requestId };
  }
  if (bucket.startsWith("cloudformation-waitcondition-")) {
    const expires = Number(query.get("Expires"));
    const signature = query.get("Signature");
    if (!signature || !query.get("AWSAccessKeyId") || !Number.isInteger(expires)) return DENIED;
    if (!sameBytes(Buffer.from(signature, "base64"), hmac(holder, sigV2Text(decoded, contentType, expires)))) return MISMATCH;
    if (now > expires * 1000) return { ...DENIED, message: "Request has expired", expired: { expires: new Date(expires * 1000), now: new Date(now) } };
    const cut = objectKey.lastIndexOf("/");
    return { kind: "handle", stackId: objectKey.slice(0, cut), logicalId: objectKey.slice(cut + 1) };
  }
  return DENIED;
}

/** The handle a wait condition's Handle property names: its stack and logical id, if it is one of ours. */
export function parseHandleUrl(url: string): { stackId: string; logicalId: string; account: string; region: string } | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  const m = /\/_stratus\/cloudformation\/cloudformation-waitcondition-[^/]+\/(arn:[^:]+:cloudformation:([^:]+):(\d{12}):stack\/[^/]+\/[^/]+)\/([^/]+)$/.exec(
    path,
  );
  return m ? { stackId: m[1], region: m[2], account: m[3], logicalId: m[4] } : undefined;
}
