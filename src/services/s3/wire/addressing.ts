// S3 addressing: virtual-hosted buckets in the Host are moved into the path, so the rest-xml router only ever
// sees path style; and the unsigned or SigV2 requests that can only be S3's.
import type { HttpRequest } from "../../../core/http.js";

// <bucket>.s3[.<region>|-<region>].(amazonaws.com | localhost.localstack.cloud | localhost). Bucket names may hold dots.
const VIRTUAL_HOST =
  /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3(?:[.-]([a-z]{2}(?:-[a-z]+)+-\d+))?\.(?:amazonaws\.com(?:\.cn)?|localhost\.localstack\.cloud|localhost)$/;

/** A virtual-hosted S3 request: rewrites the path to path style (the signed path is kept as rawPath). */
export function s3VirtualHost(req: HttpRequest): { region?: string } | undefined {
  const host = req.headers["host"];
  if (!host || !host.includes(".s3")) return undefined;
  const m = VIRTUAL_HOST.exec(host.replace(/:\d+$/, "").toLowerCase());
  if (!m) return undefined;
  req.rawPath = req.path;
  req.path = `/${m[1]}${req.path === "/" ? "" : req.path}`;
  return { region: m[2] };
}

/**
 * Requests no other service could have sent: SigV2 (header or presigned query), browser POST uploads, CORS
 * preflights, and unsigned GET/HEAD/PUT/DELETE that name no Action. LocalStack answers these as S3 too.
 */
export function looksLikeS3(req: HttpRequest): boolean {
  const h = req.headers;
  if (h["authorization"]?.startsWith("AWS ")) return true;
  if (/(?:^|&)AWSAccessKeyId=/.test(req.query)) return true;
  const m = req.method;
  if (m === "OPTIONS") return true;
  if (m === "POST") return (h["content-type"] ?? "").startsWith("multipart/form-data");
  if (/(?:^|&)Action=/.test(req.query)) return false;
  return m === "GET" || m === "HEAD" || m === "PUT" || m === "DELETE";
}
