// Conditional requests (If-Match & co. on GET/HEAD, copy-source conditions, If-None-Match/If-Match on writes)
// with S3's precedence, and byte ranges.
import { ServiceError } from "../../core/errors.js";
import { noSuchKey, preconditionFailed } from "./common.js";
import type { VersionRec } from "./state.js";

export interface Conditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

const unquote = (s: string) =>
  s
    .trim()
    .replace(/^W\//, "")
    .replace(/^"(.*)"$/, "$1");
/** An If-Match / If-None-Match list ("a", "b" or *) against an object's ETag. */
export function etagMatches(header: string, etag: string): boolean {
  const mine = unquote(etag);
  return header.split(",").some((h) => h.trim() === "*" || unquote(h) === mine);
}

// HTTP dates have whole seconds; Last-Modified is compared at that precision.
const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * GET/HEAD conditions (RFC 7232 as S3 applies it): If-Match wins over If-Unmodified-Since (412),
 * If-None-Match wins over If-Modified-Since (304).
 */
export function checkReadConditions(c: Conditions, v: VersionRec): void {
  const lm = seconds(v.lastModified);
  if (c.IfMatch !== undefined) {
    if (!etagMatches(c.IfMatch, v.etag)) throw preconditionFailed("If-Match");
  } else if (c.IfUnmodifiedSince && lm > seconds(c.IfUnmodifiedSince.getTime())) {
    throw preconditionFailed("If-Unmodified-Since");
  }
  if (c.IfNoneMatch !== undefined) {
    if (etagMatches(c.IfNoneMatch, v.etag)) throw notModified(v);
  } else if (c.IfModifiedSince && lm <= seconds(c.IfModifiedSince.getTime())) {
    throw notModified(v);
  }
}

const notModified = (v: VersionRec) =>
  new ServiceError("NotModified", "Not Modified", 304, { headers: { ETag: v.etag, "Last-Modified": new Date(v.lastModified).toUTCString() } });

/** x-amz-copy-source-if-* : the same rules, but every failure is a 412 naming the header. */
export function checkCopyConditions(c: Conditions, v: VersionRec): void {
  const lm = seconds(v.lastModified);
  const fail = (h: string) => preconditionFailed(`x-amz-copy-source-${h}`);
  if (c.IfMatch !== undefined) {
    if (!etagMatches(c.IfMatch, v.etag)) throw fail("If-Match");
  } else if (c.IfUnmodifiedSince && lm > seconds(c.IfUnmodifiedSince.getTime())) throw fail("If-Unmodified-Since");
  if (c.IfNoneMatch !== undefined) {
    if (etagMatches(c.IfNoneMatch, v.etag)) throw fail("If-None-Match");
  } else if (c.IfModifiedSince && lm <= seconds(c.IfModifiedSince.getTime())) throw fail("If-Modified-Since");
}

/** A header S3 does not take for this request: 501 naming it, with S3's reason when it gives one. */
export const notImplementedHeader = (header: string, additionalMessage?: string) =>
  new ServiceError("NotImplemented", "A header you provided implies functionality that is not implemented", 501, {
    fields: { Header: header, additionalMessage },
  });

/**
 * Conditional writes: If-None-Match: * refuses to overwrite; If-Match needs the current ETag. Both at once, or an
 * If-None-Match other than *, is NotImplemented with S3's additionalMessage (AWS-recorded in LocalStack's
 * test_s3_api.snapshot.json: test_put_object_if_none_match_validation, test_put_object_if_match_and_if_none_match_validation).
 */
export function checkWriteConditions(key: string, c: { IfMatch?: string; IfNoneMatch?: string }, current: VersionRec | undefined): void {
  const live = current && !current.deleteMarker ? current : undefined;
  if (c.IfNoneMatch !== undefined && c.IfMatch !== undefined)
    throw notImplementedHeader("If-Match,If-None-Match", "Multiple conditional request headers present in the request");
  if (c.IfNoneMatch !== undefined) {
    if (c.IfNoneMatch.trim() !== "*") throw notImplementedHeader("If-None-Match", "We don't accept the provided value of If-None-Match header for this API");
    if (live) throw preconditionFailed("If-None-Match");
  }
  if (c.IfMatch !== undefined) {
    if (!live) throw noSuchKey(key);
    if (!etagMatches(c.IfMatch, live.etag)) throw preconditionFailed("If-Match");
  }
}

/** "bytes=a-b" | "bytes=a-" | "bytes=-n" → inclusive [start, end]; undefined for a header S3 ignores. */
export function parseRange(header: string | undefined, size: number, what = "Range"): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // S3 serves the whole object for a Range it cannot parse (multiple ranges included).
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number, end: number;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0) throw invalidRange(header, size);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== "" && Number(m[2]) < start) return undefined;
  }
  if (start >= size || size === 0) throw invalidRange(header, size, what);
  return { start, end };
}

const invalidRange = (header: string, size: number, _what = "Range") =>
  new ServiceError("InvalidRange", "The requested range is not satisfiable", 416, { fields: { RangeRequested: header, ActualObjectSize: String(size) } });
