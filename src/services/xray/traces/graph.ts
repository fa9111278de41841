// Service graphs from trace records: a node per service (the client, the traced services, the inferred ones) with
// its requests' statistics and histograms, and an edge per caller → callee with the calls' statistics. GetServiceGraph
// over a time window (a group's filter applied), GetTraceGraph over given traces, GetTimeSeriesServiceStatistics
// per period for a selected service or edge.
import type { EdgeStatistics, HistogramEntry, Service, ServiceStatistics, TimeSeriesServiceStatistics } from "../api.generated.js";
import { InvalidRequestException } from "../api.generated.js";
import { CALL, FLAG_ERROR, FLAG_FAULT, FLAG_THROTTLE, type TraceRec } from "./assemble.js";

interface Stats {
  ok: number;
  error: number;
  throttle: number;
  fault: number;
  total: number;
  time: number;
  rt: Map<number, number>;
}

interface Node {
  ref: number;
  name?: string;
  type?: string;
  account?: string;
  root: boolean;
  start: number;
  end: number;
  /** Its requests; their response times are its duration histogram too (both are end - start). */
  stats: Stats;
  edges: Map<number, { start: number; end: number; stats: Stats }>;
}

const newStats = (): Stats => ({ ok: 0, error: 0, throttle: 0, fault: 0, total: 0, time: 0, rt: new Map() });
const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** Counts a call of `start`..`end` with its FLAG_* bits; response times are kept in whole milliseconds (integer keys hash fast). */
function count(s: Stats, start: number, end: number, flags: number): void {
  const ms = Math.round((end - start) * 1000);
  s.total++;
  s.time += ms;
  if (flags & FLAG_FAULT) s.fault++;
  else if (flags & FLAG_THROTTLE) s.throttle++;
  else if (flags & FLAG_ERROR) s.error++;
  else s.ok++;
  s.rt.set(ms, (s.rt.get(ms) ?? 0) + 1);
}

const histogram = (m: Map<number, number>): HistogramEntry[] => [...m].sort((a, b) => a[0] - b[0]).map(([ms, Count]) => ({ Value: ms / 1000, Count }));

function statsOut(s: Stats): ServiceStatistics & EdgeStatistics {
  return {
    OkCount: s.ok,
    ErrorStatistics: { ThrottleCount: s.throttle, OtherCount: s.error, TotalCount: s.error + s.throttle },
    FaultStatistics: { OtherCount: s.fault, TotalCount: s.fault },
    TotalCount: s.total,
    TotalResponseTime: r3(s.time / 1000),
  };
}

/**
 * The service graph of the given traces. The hot loop of GetServiceGraph (every trace of the window): nodes found by
 * the number the store gave each service (`SvcId.k`) in an array, one scratch array of a trace's nodes reused.
 */
export function serviceGraph(traces: Iterable<TraceRec>): Service[] {
  const nodes: Node[] = [];
  const byK: Node[] = [];
  const byName = new Map<string, Node>();
  const make = (name: string | undefined, type: string | undefined, account: string | undefined): Node => {
    const n: Node = { ref: nodes.length, name, type, account, root: false, start: Number.POSITIVE_INFINITY, end: 0, stats: newStats(), edges: new Map() };
    nodes.push(n);
    return n;
  };
  let client: Node | undefined;
  const ids: Node[] = [];
  for (const t of traces) {
    const svcs = t.services;
    for (let i = 0; i < svcs.length; i++) {
      const s = svcs[i];
      let n: Node | undefined;
      if (s.k !== undefined) {
        n = byK[s.k];
        if (!n) byK[s.k] = n = make(s.Name, s.Type, s.AccountId);
      } else {
        const key = `${s.Name}\0${s.Type ?? ""}\0${s.AccountId ?? ""}`;
        n = byName.get(key);
        if (!n) byName.set(key, (n = make(s.Name, s.Type, s.AccountId)));
      }
      ids[i] = n;
    }
    ids[t.entry].root = true;
    const c = t.calls;
    for (let i = 0; i < c.length; i += CALL) {
      const n = ids[c[i]];
      const start = c[i + 2];
      const end = c[i + 3];
      const flags = c[i + 4];
      if (start < n.start) n.start = start;
      if (end > n.end) n.end = end;
      count(n.stats, start, end, flags);
      const f = c[i + 1];
      const from = f < 0 ? (client ??= make(undefined, "client", undefined)) : ids[f];
      let edge = from.edges.get(n.ref);
      if (!edge) from.edges.set(n.ref, (edge = { start, end, stats: newStats() }));
      if (start < edge.start) edge.start = start;
      if (end > edge.end) edge.end = end;
      count(edge.stats, start, end, flags);
      if (f < 0) {
        if (start < from.start) from.start = start;
        if (end > from.end) from.end = end;
      }
    }
  }
  return nodes.map((n) => {
    const client = n.type === "client";
    return {
      ReferenceId: n.ref,
      ...(n.name !== undefined ? { Name: n.name, Names: [n.name] } : { Names: [] }),
      ...(client ? {} : { Root: n.root }),
      ...(n.account ? { AccountId: n.account } : {}),
      ...(n.type ? { Type: n.type } : {}),
      State: client ? "unknown" : "active",
      StartTime: new Date(n.start * 1000),
      EndTime: new Date(n.end * 1000),
      Edges: [...n.edges].map(([ref, e]) => ({
        ReferenceId: ref,
        StartTime: new Date(e.start * 1000),
        EndTime: new Date(e.end * 1000),
        SummaryStatistics: statsOut(e.stats),
        ResponseTimeHistogram: histogram(e.stats.rt),
        Aliases: [],
      })),
      ...(client ? {} : { SummaryStatistics: statsOut(n.stats), DurationHistogram: histogram(n.stats.rt), ResponseTimeHistogram: histogram(n.stats.rt) }),
    };
  });
}

interface Selector {
  kind: "service" | "edge";
  a?: { name?: string; type?: string };
  b?: { name?: string; type?: string };
}

const ID_ARGS = /^id\(\s*(.*?)\s*\)$/;
function selectorEnd(text: string): { name?: string; type?: string } {
  const t = text.trim();
  const q = /^["'](.*)["']$/.exec(t);
  if (q) return { name: q[1] };
  const id = ID_ARGS.exec(t);
  if (!id) throw bad();
  const out: { name?: string; type?: string } = {};
  for (const m of id[1].matchAll(/(name|type)\s*:\s*["']([^"']*)["']/g)) out[m[1] as "name" | "type"] = m[2];
  return out;
}
// unverified wording
const bad = () => new InvalidRequestException('Invalid EntitySelectorExpression: use service("name"), id(name: "…", type: "…") or edge("a", "b")');

/** EntitySelectorExpression: service("x"), service(id(…)), id(…), or edge(a, b); none selects the client edges. */
export function parseSelector(expr: string | undefined): Selector | undefined {
  if (expr === undefined || !expr.trim()) return undefined;
  const t = expr.trim();
  const svc = /^service\(\s*(.*)\s*\)$/.exec(t);
  if (svc) return { kind: "service", a: selectorEnd(svc[1]) };
  if (ID_ARGS.test(t)) return { kind: "service", a: selectorEnd(t) };
  const edge = /^edge\(\s*(.+?)\s*,\s*(.+?)\s*\)$/.exec(t);
  if (edge) return { kind: "edge", a: selectorEnd(edge[1]), b: selectorEnd(edge[2]) };
  throw bad();
}

const matches = (t: TraceRec, s: number, m: { name?: string; type?: string } | undefined) =>
  !m || ((m.name === undefined || t.services[s]?.Name === m.name) && (m.type === undefined || t.services[s]?.Type === m.type));

/** Statistics per period (seconds) for the selected service or edge, over the given traces' calls in [from, to). */
export function timeSeries(traces: Iterable<TraceRec>, sel: Selector | undefined, period: number, from: number, to: number): TimeSeriesServiceStatistics[] {
  const buckets = new Map<number, Stats>();
  const add = (start: number, end: number, flags: number) => {
    if (start < from || start >= to) return;
    const at = Math.floor(start / period) * period;
    let s = buckets.get(at);
    if (!s) buckets.set(at, (s = newStats()));
    count(s, start, end, flags);
  };
  for (const t of traces) {
    const c = t.calls;
    for (let i = 0; i < c.length; i += CALL) {
      const callee = c[i];
      const caller = c[i + 1];
      const take =
        sel?.kind === "service" ? matches(t, callee, sel.a) : sel ? caller >= 0 && matches(t, caller, sel.a) && matches(t, callee, sel.b) : caller < 0;
      if (take) add(c[i + 2], c[i + 3], c[i + 4]);
    }
  }
  return [...buckets]
    .sort((a, b) => a[0] - b[0])
    .map(([at, s]) => ({
      Timestamp: new Date(at * 1000),
      ...(sel?.kind === "service" ? { ServiceSummaryStatistics: statsOut(s) } : { EdgeSummaryStatistics: statsOut(s) }),
      ResponseTimeHistogram: histogram(s.rt),
    }));
}
