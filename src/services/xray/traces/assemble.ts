// A trace from its segment documents: independent subsegments merged into their parents, inferred segments for
// downstream calls no segment of their own answers (an `aws` or `remote` subsegment, as the service map shows them),
// and the trace's record — what GetTraceSummaries, filter expressions and the graphs read, computed once per change
// so that no query parses a document.
import { type SegmentDoc, subsegmentsOf, traceIdEpoch } from "./segments.js";

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
  ann: Record<string, { v: string | number | boolean; s: number[] }[]>;
  /** The annotations' values alone, for filter expressions. */
  annv: Record<string, (string | number | boolean)[]>;
  users: { n: string; s: number[] }[];
  services: SvcId[];
  entry: number;
  arns: string[];
  reqs: RequestRec[];
  edges: EdgeRec[];
  causes: CauseRec[];
}

export interface Assembled {
  /** The trace's segments, independent subsegments merged in, inferred segments added (as BatchGetTraces answers). */
  segments: SegmentDoc[];
  rec: TraceRec;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Merges independent subsegments into their parents (in place); those whose parent is not there yet stay out. */
function mergeSubsegments(segments: SegmentDoc[], subs: SegmentDoc[]): Map<string, SegmentDoc> {
  const byId = new Map<string, SegmentDoc>();
  const index = (d: SegmentDoc) => {
    byId.set(d.id, d);
    for (const s of subsegmentsOf(d)) if (typeof s.id === "string") byId.set(s.id, s);
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
  return byId;
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

const flags = (d: SegmentDoc) => ({ error: d.error === true || d.throttle === true, fault: d.fault === true, throttle: d.throttle === true });

export function assemble(traceId: string, docs: SegmentDoc[], updated: number, revision: number): Assembled {
  const segments = docs.filter((d) => d.type !== "subsegment");
  mergeSubsegments(
    segments,
    docs.filter((d) => d.type === "subsegment"),
  );
  const services: SvcId[] = [];
  const svcIndex = new Map<string, number>();
  const svc = (name: string, type: string | undefined, account: string | undefined, inferred: boolean): number => {
    const key = `${name}\0${type ?? ""}\0${account ?? ""}`;
    let i = svcIndex.get(key);
    if (i === undefined) {
      i =
        services.push({
          Name: name,
          Names: [name],
          ...(type ? { Type: type } : {}),
          ...(account ? { AccountId: account } : {}),
          ...(inferred ? { Inferred: true } : {}),
        }) - 1;
      svcIndex.set(key, i);
    }
    return i;
  };
  // Which segment holds each id (a segment's own, or one of its subsegments').
  const owner = new Map<string, SegmentDoc>();
  const calledBy = new Set<string>();
  const subs = new Map<SegmentDoc, SegmentDoc[]>();
  for (const seg of segments) {
    const list = [...subsegmentsOf(seg)];
    subs.set(seg, list);
    owner.set(seg.id, seg);
    for (const s of list) if (typeof s.id === "string") owner.set(s.id, seg);
    if (seg.parent_id) calledBy.add(seg.parent_id);
  }
  const segSvc = new Map<SegmentDoc, number>();
  const reqs: RequestRec[] = [];
  const edges: EdgeRec[] = [];
  const inferredDocs: SegmentDoc[] = [];
  const children = new Map<SegmentDoc, { doc: SegmentDoc; s: number; via?: SegmentDoc }[]>();
  for (const seg of segments) {
    const s = svc(seg.name, str(seg.origin), str(seg.aws?.account_id), false);
    segSvc.set(seg, s);
    const end = num(seg.end_time) ?? seg.start_time;
    reqs.push({ s, start: seg.start_time, end, ...flags(seg), status: num(seg.http?.response?.status) });
  }
  for (const seg of segments) {
    const s = segSvc.get(seg)!;
    const end = num(seg.end_time) ?? seg.start_time;
    const parent = seg.parent_id ? owner.get(seg.parent_id) : undefined;
    const edge = { t: s, start: seg.start_time, end, ...flags(seg) };
    if (parent && parent !== seg) {
      edges.push({ f: segSvc.get(parent)!, ...edge });
      (children.get(parent) ?? children.set(parent, []).get(parent)!).push({ doc: seg, s });
    } else edges.push({ f: -1, ...edge });
    for (const sub of subs.get(seg)!) {
      const inf = typeof sub.id === "string" && !calledBy.has(sub.id) ? inferredOf(sub) : undefined;
      if (!inf || typeof sub.start_time !== "number") continue;
      const t = svc(inf.name, inf.type, undefined, true);
      const subEnd = num(sub.end_time) ?? sub.start_time;
      const doc: SegmentDoc = {
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
      };
      inferredDocs.push(doc);
      reqs.push({ s: t, start: sub.start_time, end: subEnd, ...flags(sub), status: num(sub.http?.response?.status) });
      edges.push({ f: s, t, start: sub.start_time, end: subEnd, ...flags(sub) });
      (children.get(seg) ?? children.set(seg, []).get(seg)!).push({ doc, s: t, via: sub });
    }
  }
  const roots = segments.filter((d) => !d.parent_id || !owner.has(d.parent_id) || owner.get(d.parent_id) === d);
  const root = (roots.length ? roots : segments).reduce((a, b) => (b.start_time < a.start_time ? b : a));
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  let partial = false;
  const ann: TraceRec["ann"] = {};
  const users = new Map<string, Set<number>>();
  const arns = new Set<string>();
  for (const seg of segments) {
    const s = segSvc.get(seg)!;
    for (const d of [seg, ...subs.get(seg)!]) {
      if (typeof d.start_time === "number") start = Math.min(start, d.start_time);
      const e = num(d.end_time);
      if (e !== undefined) end = Math.max(end, e);
      if (d.in_progress === true) partial = true;
      if (d.annotations && typeof d.annotations === "object") {
        for (const [k, v] of Object.entries(d.annotations)) {
          if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") continue;
          const list = (ann[k] ??= []);
          const hit = list.find((x) => x.v === v);
          if (!hit) list.push({ v, s: [s] });
          else if (!hit.s.includes(s)) hit.s.push(s);
        }
      }
    }
    if (typeof seg.user === "string") (users.get(seg.user) ?? users.set(seg.user, new Set()).get(seg.user)!).add(s);
    if (typeof seg.resource_arn === "string") arns.add(seg.resource_arn);
  }
  const rootEnd = num(root.end_time) ?? root.start_time;
  const req = root.http?.request;
  const rec: TraceRec = {
    id: traceId,
    epoch: traceIdEpoch(traceId),
    start: Number.isFinite(start) ? start : root.start_time,
    end: Math.max(end, rootEnd),
    updated,
    revision,
    duration: round3(Math.max(end, rootEnd) - root.start_time),
    responseTime: round3(rootEnd - root.start_time),
    ...flags(root),
    partial,
    inferred: inferredDocs.length > 0,
    ...(root.http
      ? {
          http: {
            url: str(req?.url),
            status: num(root.http.response?.status),
            method: str(req?.method),
            ua: str(req?.user_agent),
            ip: str(req?.client_ip),
          },
        }
      : {}),
    ann,
    annv: Object.fromEntries(Object.entries(ann).map(([k, list]) => [k, list.map((a) => a.v)])),
    users: [...users].map(([n, s]) => ({ n, s: [...s] })),
    services,
    entry: segSvc.get(root)!,
    arns: [...arns],
    reqs,
    edges,
    causes: rootCauses(root, segSvc, children, services),
  };
  return { segments: [...segments, ...inferredDocs], rec };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

type Children = Map<SegmentDoc, { doc: SegmentDoc; s: number; via?: SegmentDoc }[]>;

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

function rootCauses(root: SegmentDoc, segSvc: Map<SegmentDoc, number>, children: Children, services: SvcId[]): CauseRec[] {
  const out: CauseRec[] = [];
  for (const flag of ["fault", "error"] as const) {
    const has = (d: SegmentDoc) => d[flag] === true || (flag === "error" && d.throttle === true);
    if (!has(root)) continue;
    const chain: { s: number; path: CauseEntity[] }[] = [];
    let at: { doc: SegmentDoc; s: number } = { doc: root, s: segSvc.get(root)! };
    for (let guard = 0; guard < 64; guard++) {
      const next = (children.get(at.doc) ?? []).find((c) => has(c.doc));
      if (!next) break;
      chain.push({ s: at.s, path: [{ Name: at.doc.name }] });
      at = next;
    }
    chain.push({ s: at.s, path: entityPath(at.doc, flag, services[at.s].Inferred === true) });
    out.push({ kind: flag, services: chain });
  }
  // Response time: the slowest downstream call at each step, with its share of the caller's time.
  const total = (num(root.end_time) ?? root.start_time) - root.start_time;
  if (total > 0) {
    const chain: { s: number; path: CauseEntity[] }[] = [];
    let at: { doc: SegmentDoc; s: number } = { doc: root, s: segSvc.get(root)! };
    let coverage = 1;
    for (let guard = 0; guard < 64; guard++) {
      const kids = children.get(at.doc) ?? [];
      const slowest = kids.reduce<(typeof kids)[number] | undefined>((a, b) => (!a || span(b.doc) > span(a.doc) ? b : a), undefined);
      chain.push({ s: at.s, path: [{ Name: at.doc.name, Coverage: round3(coverage), ...(services[at.s].Inferred ? { Remote: true } : {}) }] });
      if (!slowest) break;
      coverage = span(slowest.doc) / total;
      at = slowest;
    }
    out.push({ kind: "responsetime", services: chain });
  }
  return out;
}

const span = (d: SegmentDoc) => (num(d.end_time) ?? d.start_time) - d.start_time;
