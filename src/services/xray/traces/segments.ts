// Segment documents as X-Ray takes them in (PutTraceSegments and the daemon): each checked as AWS checks it, the
// bad ones answered as UnprocessedTraceSegments. Required fields per AWS's segment document schema
// (https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html): name, id (16 hex digits),
// trace_id (1-<8 hex>-<24 hex>), start_time, and end_time or in_progress; an independent subsegment also has
// type "subsegment" and parent_id.
import type { UnprocessedTraceSegment } from "../api.generated.js";

export interface SegmentDoc {
  name: string;
  id: string;
  trace_id: string;
  parent_id?: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  type?: string;
  origin?: string;
  namespace?: string;
  user?: string;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  inferred?: boolean;
  resource_arn?: string;
  http?: { request?: Record<string, unknown>; response?: Record<string, unknown> };
  aws?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  cause?: { exceptions?: { message?: string; type?: string; remote?: boolean }[] } | string;
  subsegments?: SegmentDoc[];
  [k: string]: unknown;
}

/** A checked document: its parsed form, and its text kept as sent (BatchGetTraces answers it as stored). */
export interface AcceptedSegment {
  doc: SegmentDoc;
  text: string;
}

/** How long X-Ray keeps a trace, and how old a trace id's time may be when a segment arrives: 30 days. */
export const RETENTION_SECONDS = 30 * 24 * 3600;

const HEX16 = /^[0-9a-f]{16}$/;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
// "A unicode string of up to 200 characters. Letters, numbers, and whitespace, and the following symbols:
// _, ., :, /, %, &, #, =, +, \, -, @" (the segment document schema's `name`).
const NAME = /^[\p{L}\p{N}\s_.:/%&#=+\\\-@]{1,200}$/u;

/** The time a trace id carries (epoch seconds), from its second field. */
export const traceIdEpoch = (traceId: string): number => Number.parseInt(traceId.slice(2, 10), 16);

/**
 * The document checked, or AWS's refusal. The codes and the message's form are those X-Ray answers
 * (`Invalid segment. ErrorCode: MissingId` — humanmade/aws-xray#29; `Invalid subsegment. ErrorCode: InvalidName,
 * Cause: null` — aws/aws-xray-daemon#184); the codes beyond MissingId and InvalidName follow their pattern.
 * // unverified wording (codes other than MissingId, InvalidName)
 */
export function checkSegment(text: string, nowSeconds: number): AcceptedSegment | UnprocessedTraceSegment {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return refusal(undefined, "segment", "ParseError");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return refusal(undefined, "segment", "MissingId");
  const d = doc as Record<string, unknown>;
  const kind = d.type === "subsegment" ? "subsegment" : "segment";
  const id = typeof d.id === "string" ? d.id : undefined;
  const fail = (code: string) => refusal(id, kind, code);
  if (d.id === undefined) return fail("MissingId");
  if (!id || !HEX16.test(id)) return fail("InvalidId");
  if (d.name === undefined) return fail("MissingName");
  if (typeof d.name !== "string" || !NAME.test(d.name)) return fail("InvalidName");
  if (d.trace_id === undefined) return fail("MissingTraceId");
  if (typeof d.trace_id !== "string" || !TRACE_ID.test(d.trace_id)) return fail("InvalidTraceId");
  if (traceIdEpoch(d.trace_id) < nowSeconds - RETENTION_SECONDS) return fail("InvalidTraceId");
  if (d.start_time === undefined) return fail("MissingStartTime");
  if (typeof d.start_time !== "number" || !Number.isFinite(d.start_time) || d.start_time < 0) return fail("InvalidStartTime");
  if (d.end_time === undefined && d.in_progress !== true) return fail("MissingEndTime");
  if (d.end_time !== undefined && (typeof d.end_time !== "number" || !Number.isFinite(d.end_time) || d.end_time < d.start_time)) return fail("InvalidEndTime");
  if (d.type !== undefined && d.type !== "subsegment") return fail("InvalidType");
  if (kind === "subsegment") {
    if (d.parent_id === undefined) return fail("MissingParentId");
    if (typeof d.parent_id !== "string" || !HEX16.test(d.parent_id)) return fail("InvalidParentId");
  } else if (d.parent_id !== undefined && (typeof d.parent_id !== "string" || !HEX16.test(d.parent_id))) {
    return fail("InvalidParentId");
  }
  return { doc: d as SegmentDoc, text };
}

function refusal(id: string | undefined, kind: string, code: string): UnprocessedTraceSegment {
  return Object.assign(id ? { Id: id } : {}, { ErrorCode: code, Message: `Invalid ${kind}. ErrorCode: ${code}, Cause: null` });
}

export const isAccepted = (r: AcceptedSegment | UnprocessedTraceSegment): r is AcceptedSegment => "doc" in r;

/** Every subsegment of a document, depth first (the document itself not included). */
export function* subsegmentsOf(doc: SegmentDoc): Generator<SegmentDoc> {
  for (const s of doc.subsegments ?? []) {
    if (!s || typeof s !== "object") continue;
    yield s;
    yield* subsegmentsOf(s);
  }
}
