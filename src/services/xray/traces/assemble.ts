// A trace from its segment documents: independent subsegments merged into their parents, inferred segments for
// downstream calls no segment of their own answers (an `aws` or `remote` subsegment, as the service map shows them),
// and the trace's record — what GetTraceSummaries, filter expressions and the graphs read, computed once per change
// so that no query parses a document.
import { type SegmentDoc, traceIdEpoch } from "./segments.js";

export interface SvcId {
  Name: string;
  Names: string[];
  Type?: string;
  AccountId?: string;
  /** An inferred node: a downstream call without a segment of its own. */
  Inferred?: boolean;
  /** The service's number in the store's index (graphs aggregate by it instead of by name and type). */
  k?: number;
}

/** One request a service served in the trace (a segment, or an inferred one). Times in epoch seconds. */
export interface RequestRec {
  s: number;
  start: number;
  end: number;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  status?: number;
}

/** A call from one service to another (`f` -1: the client). */
export interface EdgeRec extends Omit<RequestRec, "s" | "status"> {
  f: number;
  t: number;
}

export interface CauseEntity {
  Name: string;
  Exceptions?: { Name?: string; Message?: string }[];
  Remote?: boolean;
  Coverage?: number;
}

/** A root cause: the services from the entry point down to the one at fault, each with its entity path. */
export interface CauseRec {
  kind: "fault" | "error" | "responsetime";
  services: { s: number; path: CauseEntity[] }[];
}

/**
 * A trace's record: what GetTraceSummaries, filter expressions and the graphs read. Every stored trace keeps one in
 * memory for as long as X-Ray keeps the trace, so it is kept small — what many traces share is shared, what a query
 * reads in bulk is packed into numbers (`calls`, `rt`), and what is read rarely is expanded on demand by the helpers
 * below (`requestsOf`, `edgesOf`, `causesOf`, `annotationsOf`). At 25,000 segments/s, a record of ~4 KB of small
 * objects made the young generation's collections copy 100 MB/s of them; the packed record is about a tenth of that.
 */
export interface TraceRec {
  id: string;
  /** The trace id's time (epoch seconds). */
  epoch: number;
  start: number;
  end: number;
  /** When a segment of it last arrived (epoch seconds): TimeRangeType Event. */
  updated: number;
  revision: number;
  duration: number;
  responseTime: number;
  fault: boolean;
  error: boolean;
  throttle: boolean;
  partial: boolean;
  inferred: boolean;
  http?: { url?: string; status?: number; method?: string; ua?: string; ip?: string };
  /** Annotations as triplets: key, value, the services (numbers) that carry it. */
  ann: AnnotationTriplets;
  users: readonly { n: string; s: readonly number[] }[];
  /** Its services; the store replaces the list with one shared by every trace of the same services. */
  services: readonly SvcId[];
  entry: number;
  arns: readonly string[];
  /**
   * Its calls, CALL numbers each: the service called, its caller (-1: the client), start, end, flags (FLAG_*) and HTTP
   * status (NaN: none). Each is a request the callee served (a segment or an inferred one) and the edge to it.
   */
  calls: number[];
  /** The response-time root cause's chain, packed: a service, its coverage, the next service, its coverage… */
  rt: number[];
  /** The fault and error root causes (most traces have none). */
  causes: readonly CauseRec[];
}

export type AnnotationTriplets = readonly (string | number | boolean | readonly number[])[];

export const CALL = 6;
export const FLAG_ERROR = 1;
export const FLAG_FAULT = 2;
export const FLAG_THROTTLE = 4;

const EMPTY: readonly never[] = Object.freeze([]);
// Lists of one service, shared: most annotations and users belong to one service of their trace.
const ONE: (readonly number[])[] = Array.from({ length: 64 }, (_, i) => Object.freeze([i]));
const shared = (list: number[]): readonly number[] => (list.length === 1 && list[0] < ONE.length ? ONE[list[0]] : list);

/** The call at `i` of packed calls: its times and flags as a request or an edge carries them. */
const callAt = (c: number[], i: number) => {
  const f = c[i + 4];
  return { start: c[i + 2], end: c[i + 3], error: (f & FLAG_ERROR) !== 0, fault: (f & FLAG_FAULT) !== 0, throttle: (f & FLAG_THROTTLE) !== 0 };
};

/** The requests of a trace (one per call, to its callee), as filter expressions read them. */
export function requestsOf(t: TraceRec): RequestRec[] {
  const c = t.calls;
  const out: RequestRec[] = [];
  for (let i = 0; i < c.length; i += CALL) {
    const r: RequestRec = { s: c[i], ...callAt(c, i) };
    if (!Number.isNaN(c[i + 5])) r.status = c[i + 5];
    out.push(r);
  }
  return out;
}

/** The edges of a trace (caller → callee, the client's as -1). */
export function edgesOf(t: TraceRec): EdgeRec[] {
  const c = t.calls;
  const out: EdgeRec[] = [];
  for (let i = 0; i < c.length; i += CALL) out.push({ f: c[i + 1], t: c[i], ...callAt(c, i) });
  return out;
}

/** The trace's root causes: fault, error, then response time. */
export function causesOf(t: TraceRec): CauseRec[] {
  const out = [...t.causes];
  if (t.rt.length) {
    const services: CauseRec["services"] = [];
    for (let i = 0; i < t.rt.length; i += 2) {
      const svc = t.services[t.rt[i]];
      services.push({ s: t.rt[i], path: [{ Name: svc.Name, Coverage: t.rt[i + 1], ...(svc.Inferred ? { Remote: true } : {}) }] });
    }
    out.push({ kind: "responsetime", services });
  }
  return out;
}

/** The annotations by key, each value with the services that carry it. */
export function annotationsOf(t: TraceRec): Record<string, { v: string | number | boolean; s: readonly number[] }[]> {
  const out: Record<string, { v: string | number | boolean; s: readonly number[] }[]> = Object.create(null);
  const a = t.ann;
  for (let i = 0; i < a.length; i += 3) (out[a[i] as string] ??= []).push({ v: a[i + 1] as string | number | boolean, s: a[i + 2] as readonly number[] });
  return out;
}

/** The values of annotation `key`, of the trace or (given `s`) of the service numbered s. */
export function annotationValues(t: TraceRec, key: string, s?: number): (string | number | boolean)[] {
  const out: (string | number | boolean)[] = [];
  const a = t.ann;
  for (let i = 0; i < a.length; i += 3) {
    if (a[i] !== key) continue;
    if (s === undefined || (a[i + 2] as readonly number[]).includes(s)) out.push(a[i + 1] as string | number | boolean);
  }
  return out;
}

export interface Assembled {
  /** The trace's segments, independent subsegments merged in, inferred segments added (as BatchGetTraces answers). */
  segments: SegmentDoc[];
  rec: TraceRec;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Every subsegment of a document, depth first, pushed onto `out` (the document itself not included). */
function pushSubsegments(doc: SegmentDoc, out: SegmentDoc[]): SegmentDoc[] {
  const kids = doc.subsegments;
  if (kids)
    for (const s of kids) {
      if (!s || typeof s !== "object") continue;
      out.push(s);
      pushSubsegments(s, out);
    }
  return out;
}

/** Merges independent subsegments into their parents (in place); those whose parent is not there yet stay out. */
function mergeSubsegments(segments: SegmentDoc[], subs: SegmentDoc[]): void {
  const byId = new Map<string, SegmentDoc>();
  const index = (d: SegmentDoc) => {
    byId.set(d.id, d);
    for (const s of pushSubsegments(d, [])) if (typeof s.id === "string") byId.set(s.id, s);
  };
  for (const s of segments) index(s);
  let pending = subs.slice().sort((a, b) => a.start_time - b.start_time);
  for (let progress = true; progress && pending.length; ) {
    progress = false;
    const later: SegmentDoc[] = [];
    for (const sub of pending) {
      const parent = sub.parent_id ? byId.get(sub.parent_id) : undefined;
      if (!parent || parent === sub) {
        later.push(sub);
        continue;
      }
      const { trace_id: _t, parent_id: _p, type: _y, ...inner } = sub;
      const kids = (parent.subsegments ??= []);
      const at = kids.findIndex((k) => k?.id === sub.id);
      if (at >= 0) kids[at] = inner as SegmentDoc;
      else kids.push(inner as SegmentDoc);
      index(inner as SegmentDoc);
      progress = true;
    }
    pending = later;
  }
}

const URL_HOST = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]+)/i;

function inferredOf(sub: SegmentDoc): { name: string; type: string } | undefined {
  if (sub.namespace === "aws" && (sub.aws || sub.http)) return { name: sub.name, type: `AWS::${sub.name}` };
  if (sub.namespace === "remote" && sub.http) {
    const url = str(sub.http.request?.url);
    return { name: (url && URL_HOST.exec(url)?.[1]) || sub.name, type: "remote" };
  }
  return undefined;
}

const flagBits = (d: SegmentDoc) =>
  (d.error === true || d.throttle === true ? FLAG_ERROR : 0) | (d.fault === true ? FLAG_FAULT : 0) | (d.throttle === true ? FLAG_THROTTLE : 0);
const statusOf = (d: SegmentDoc) => num(d.http?.response?.status) ?? Number.NaN;

/** A segment of the trace (independent subsegments merged in) with what assembly learns of it. */
interface Seg {
  doc: SegmentDoc;
  /** Its subsegments, depth first. */
  subs: SegmentDoc[];
  s: number;
  children?: Child[];
}

/** A segment's downstream request: a segment it called, or an inferred one (`via` the subsegment that made the call). */
interface Child {
  doc: SegmentDoc;
  s: number;
  seg?: Seg;
}

/**
 * What gives a trace its service identities: the store's, which hands out one shared object per identity (numbered,
 * `k`), so records share them instead of each holding its own.
 */
export type ServiceIds = (key: string, name: string, type: string | undefined, account: string | undefined, inferred: boolean) => SvcId;

const ownServiceId: ServiceIds = (_key, name, type, account, inferred) => {
  const id: SvcId = { Name: name, Names: [name] };
  if (type) id.Type = type;
  if (account) id.AccountId = account;
  if (inferred) id.Inferred = true;
  return id;
};

/** The trace's record alone (what the store keeps for every trace); `assembleDocuments` adds the merged documents. */
export function assemble(traceId: string, docs: SegmentDoc[], updated: number, revision: number, ids: ServiceIds = ownServiceId): TraceRec {
  return build(traceId, docs, updated, revision, undefined, ids);
}

/** The record and the trace's documents as BatchGetTraces answers them (independent subsegments merged, inferred segments added). */
export function assembleDocuments(traceId: string, docs: SegmentDoc[], updated: number, revision: number): Assembled {
  const out: SegmentDoc[] = [];
  const rec = build(traceId, docs, updated, revision, out, ownServiceId);
  return { segments: out, rec };
}

function build(traceId: string, docs: SegmentDoc[], updated: number, revision: number, documents: SegmentDoc[] | undefined, ids: ServiceIds): TraceRec {
  let segments = docs;
  for (const d of docs)
    if (d.type === "subsegment") {
      segments = docs.filter((x) => x.type !== "subsegment");
      mergeSubsegments(
        segments,
        docs.filter((x) => x.type === "subsegment"),
      );
      break;
    }
  const services: SvcId[] = [];
  const svcIndex = new Map<string, number>();
  const svc = (name: string, type: string | undefined, account: string | undefined, inferred: boolean): number => {
    const key = `${name}\0${type ?? ""}\0${account ?? ""}`;
    let i = svcIndex.get(key);
    if (i === undefined) {
      i = services.push(ids(key, name, type, account, inferred)) - 1;
      svcIndex.set(key, i);
    }
    return i;
  };
  // Which segment holds each id (a segment's own, or one of its subsegments').
  const owner = new Map<string, Seg>();
  const calledBy = new Set<string>();
  const segs: Seg[] = [];
  for (const doc of segments) {
    const seg: Seg = { doc, subs: pushSubsegments(doc, []), s: svc(doc.name, str(doc.origin), str(doc.aws?.account_id), false) };
    segs.push(seg);
    owner.set(doc.id, seg);
    for (const s of seg.subs) if (typeof s.id === "string") owner.set(s.id, seg);
    if (doc.parent_id) calledBy.add(doc.parent_id);
  }
  const calls: number[] = [];
  let inferred = false;
  for (const seg of segs) {
    const d = seg.doc;
    const parent = d.parent_id ? owner.get(d.parent_id) : undefined;
    const caller = parent && parent !== seg ? parent : undefined;
    calls.push(seg.s, caller ? caller.s : -1, d.start_time, num(d.end_time) ?? d.start_time, flagBits(d), statusOf(d));
    if (caller) (caller.children ??= []).push({ doc: d, s: seg.s, seg });
    for (const sub of seg.subs) {
      const inf = typeof sub.id === "string" && !calledBy.has(sub.id) ? inferredOf(sub) : undefined;
      if (!inf || typeof sub.start_time !== "number") continue;
      inferred = true;
      const t = svc(inf.name, inf.type, undefined, true);
      const subEnd = num(sub.end_time) ?? sub.start_time;
      // What the root causes read of the inferred segment (its name, times, flags and cause; it has no subsegments).
      const called: SegmentDoc = {
        id: sub.id,
        name: inf.name,
        trace_id: traceId,
        start_time: sub.start_time,
        end_time: sub.end_time !== undefined ? subEnd : undefined,
        error: sub.error ? true : undefined,
        fault: sub.fault ? true : undefined,
        throttle: sub.throttle ? true : undefined,
        cause: sub.cause,
      };
      calls.push(t, seg.s, sub.start_time, subEnd, flagBits(sub), statusOf(sub));
      (seg.children ??= []).push({ doc: called, s: t });
      if (!documents) continue;
      documents.push({
        id: sub.id,
        name: inf.name,
        start_time: sub.start_time,
        ...(sub.end_time !== undefined ? { end_time: subEnd } : { in_progress: true }),
        parent_id: sub.id,
        inferred: true,
        trace_id: traceId,
        origin: inf.type,
        ...(sub.http ? { http: sub.http } : {}),
        ...(sub.aws ? { aws: sub.aws } : {}),
        ...(sub.error ? { error: true } : {}),
        ...(sub.fault ? { fault: true } : {}),
        ...(sub.throttle ? { throttle: true } : {}),
        ...(sub.cause ? { cause: sub.cause } : {}),
      });
    }
  }
  let root: Seg | undefined;
  for (const seg of segs) {
    const p = seg.doc.parent_id;
    if (p && owner.has(p) && owner.get(p) !== seg) continue;
    if (!root || seg.doc.start_time < root.doc.start_time) root = seg;
  }
  if (!root) for (const seg of segs) if (!root || seg.doc.start_time < root.doc.start_time) root = seg;
  const top = root!;
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  let partial = false;
  let ann: Map<string, { v: string | number | boolean; s: number[] }[]> | undefined;
  let users: Map<string, number[]> | undefined;
  let arns: Set<string> | undefined;
  const visit = (d: SegmentDoc, s: number) => {
    if (typeof d.start_time === "number" && d.start_time < start) start = d.start_time;
    const e = num(d.end_time);
    if (e !== undefined && e > end) end = e;
    if (d.in_progress === true) partial = true;
    const a = d.annotations;
    if (a && typeof a === "object")
      for (const k in a) {
        if (!Object.hasOwn(a, k)) continue;
        const v = a[k];
        if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") continue;
        ann ??= new Map();
        let list = ann.get(k);
        if (!list) ann.set(k, (list = []));
        const hit = list.find((x) => x.v === v);
        if (!hit) list.push({ v, s: [s] });
        else if (!hit.s.includes(s)) hit.s.push(s);
      }
  };
  for (const seg of segs) {
    visit(seg.doc, seg.s);
    for (const sub of seg.subs) visit(sub, seg.s);
    const d = seg.doc;
    if (typeof d.user === "string") {
      users ??= new Map();
      const list = users.get(d.user);
      if (!list) users.set(d.user, [seg.s]);
      else if (!list.includes(seg.s)) list.push(seg.s);
    }
    if (typeof d.resource_arn === "string") (arns ??= new Set()).add(d.resource_arn);
  }
  const rootDoc = top.doc;
  const rootEnd = num(rootDoc.end_time) ?? rootDoc.start_time;
  const req = rootDoc.http?.request;
  const rootFlags = flagBits(rootDoc);
  const annTriplets: (string | number | boolean | readonly number[])[] = [];
  // In the order an object's keys have (integer-like keys first), as the summaries' Annotations map had them.
  if (ann) {
    let keys: Iterable<string> = ann.keys();
    for (const k of ann.keys()) if (INDEX_LIKE.test(k)) keys = Object.keys(Object.fromEntries(ann.entries()));
    for (const k of keys) for (const a of ann.get(k)!) annTriplets.push(k, a.v, shared(a.s));
  }
  const rec: TraceRec = {
    id: traceId,
    epoch: traceIdEpoch(traceId),
    start: Number.isFinite(start) ? start : rootDoc.start_time,
    end: Math.max(end, rootEnd),
    updated,
    revision,
    duration: round3(Math.max(end, rootEnd) - rootDoc.start_time),
    responseTime: round3(rootEnd - rootDoc.start_time),
    error: (rootFlags & FLAG_ERROR) !== 0,
    fault: (rootFlags & FLAG_FAULT) !== 0,
    throttle: (rootFlags & FLAG_THROTTLE) !== 0,
    partial,
    inferred,
    ...(rootDoc.http
      ? {
          http: {
            url: str(req?.url),
            status: num(rootDoc.http.response?.status),
            method: str(req?.method),
            ua: str(req?.user_agent),
            ip: str(req?.client_ip),
          },
        }
      : {}),
    ann: annTriplets.length ? annTriplets : EMPTY,
    users: users ? [...users].map(([n, s]) => ({ n, s: shared(s) })) : EMPTY,
    services,
    entry: top.s,
    arns: arns ? [...arns] : EMPTY,
    // Copied to their length: grown by push, an array keeps room for more (17 numbers for 4), for as long as the trace.
    calls: calls.slice(),
    rt: responseTimeCause(top),
    causes: rootFlags & (FLAG_ERROR | FLAG_FAULT) ? rootCauses(top, services) : EMPTY,
  };
  if (documents) documents.unshift(...segments);
  return rec;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
/** A key an object orders before the others (an array index). */
const INDEX_LIKE = /^(?:0|[1-9]\d{0,9})$/;

/** The entity path inside a segment down to the deepest subsegment marked `flag`, with its exceptions. */
function entityPath(doc: SegmentDoc, flag: "fault" | "error", remote: boolean): CauseEntity[] {
  const path: CauseEntity[] = [{ Name: doc.name, ...(remote ? { Remote: true } : {}) }];
  let at: SegmentDoc | undefined = doc;
  while (at) {
    const next: SegmentDoc | undefined = (at.subsegments ?? []).find((s) => s && (s[flag] === true || (flag === "error" && s.throttle === true)));
    if (!next) break;
    path.push({ Name: next.name, ...(next.namespace === "remote" || next.namespace === "aws" ? { Remote: true } : {}) });
    at = next;
  }
  const cause = at?.cause;
  const exceptions = cause && typeof cause === "object" && Array.isArray(cause.exceptions) ? cause.exceptions : [];
  if (exceptions.length)
    path[path.length - 1].Exceptions = exceptions.map((e) => ({ ...(e.type ? { Name: e.type } : {}), ...(e.message ? { Message: e.message } : {}) }));
  return path;
}

/** The fault and error root causes: from the entry point down the calls marked so, to the deepest. */
function rootCauses(root: Seg, services: SvcId[]): CauseRec[] {
  const out: CauseRec[] = [];
  for (const flag of ["fault", "error"] as const) {
    const has = (d: SegmentDoc) => d[flag] === true || (flag === "error" && d.throttle === true);
    if (!has(root.doc)) continue;
    const chain: { s: number; path: CauseEntity[] }[] = [];
    let at: Child = { doc: root.doc, s: root.s, seg: root };
    for (let guard = 0; guard < 64; guard++) {
      const next = (at.seg?.children ?? []).find((c) => has(c.doc));
      if (!next) break;
      chain.push({ s: at.s, path: [{ Name: at.doc.name }] });
      at = next;
    }
    chain.push({ s: at.s, path: entityPath(at.doc, flag, services[at.s].Inferred === true) });
    out.push({ kind: flag, services: chain });
  }
  return out;
}

/** Response time: the slowest downstream call at each step, with its share of the caller's time (causesOf expands it). */
function responseTimeCause(root: Seg): number[] {
  const total = (num(root.doc.end_time) ?? root.doc.start_time) - root.doc.start_time;
  if (!(total > 0)) return EMPTY as never as number[];
  const out: number[] = [];
  let at: Child = { doc: root.doc, s: root.s, seg: root };
  let coverage = 1;
  for (let guard = 0; guard < 64; guard++) {
    const kids = at.seg?.children ?? [];
    let slowest: Child | undefined;
    for (const k of kids) if (!slowest || span(k.doc) > span(slowest.doc)) slowest = k;
    out.push(at.s, round3(coverage));
    if (!slowest) break;
    coverage = span(slowest.doc) / total;
    at = slowest;
  }
  return out.slice();
}

const span = (d: SegmentDoc) => (num(d.end_time) ?? d.start_time) - d.start_time;
