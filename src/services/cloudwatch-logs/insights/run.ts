// The Logs Insights engine: a compiled plan of the query's commands, run over the log groups' events in the time range.
// Commands up to the first one that needs every row (stats, sort, limit, dedup) run per event as the store yields them,
// and that one consumes rows as they come (stats aggregates, sort | limit keeps the top N), so a scan holds no more
// than its answer; the commands after it run over that answer. The scan yields to the event loop between batches.
import type { LogEventStore, LogPosition, StoredLogEvent } from "../../../core/store/log-events.js";
import { aggregator, compileExpr, type Acc, type Row } from "./compile.js";
import { MAX_LIMIT, type Command } from "./parse.js";
import { present, sortCompare, TimeVal, toText, type Value } from "./values.js";

export interface ScanGroup {
  name: string;
  gid: number;
  /** Stream names by the event store's stream id. */
  streams: Map<number, string>;
  /** Events older than this (the group's retention) are not read. */
  floor: number;
}

export interface ScanInput {
  account: string;
  groups: ScanGroup[];
  /** Inclusive, epoch ms. */
  start: number;
  end: number;
}

export interface QueryStats {
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

export interface QueryOutput {
  results: { field: string; value: string }[][];
  statistics: QueryStats;
}

/** A pointer to one event (@ptr), opaque to clients; GetLogRecord reads it back. */
export interface EventPointer {
  group: string;
  gid: number;
  sid: number;
  ts: number;
  seq: number;
}

export const encodePtr = (p: EventPointer) => Buffer.from(JSON.stringify([p.group, p.gid, p.sid, p.ts, p.seq])).toString("base64");

export function decodePtr(s: string): EventPointer | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, "base64").toString("utf8"));
    if (!Array.isArray(v) || v.length !== 5 || typeof v[0] !== "string" || !v.slice(1).every((n) => Number.isSafeInteger(n))) return undefined;
    return { group: v[0], gid: v[1], sid: v[2], ts: v[3], seq: v[4] };
  } catch {
    return undefined;
  }
}

/** A JSON message's fields, flattened with dots (arrays by index), as Logs Insights discovers them. */
export function jsonFields(message: string): Map<string, Value> | null {
  let i = 0;
  while (i < message.length && message.charCodeAt(i) <= 32) i++;
  if (message[i] !== "{") return null;
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    return null;
  }
  const out = new Map<string, Value>();
  const walk = (v: unknown, path: string) => {
    if (v === null || v === undefined) return;
    if (typeof v === "object") {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path ? `${path}.${k}` : k);
      return;
    }
    out.set(path, v as Value);
  };
  walk(doc, "");
  return out;
}

class EventRow implements Row {
  extra: Map<string, Value> | undefined;
  private json: Map<string, Value> | null | undefined;
  constructor(
    readonly ev: StoredLogEvent,
    readonly g: ScanGroup,
    readonly account: string,
  ) {}
  get at() {
    return this.ev.timestamp;
  }
  get(name: string): Value {
    if (this.extra?.has(name)) return this.extra.get(name);
    switch (name) {
      case "@timestamp":
        return new TimeVal(this.ev.timestamp);
      case "@message":
        return this.ev.message;
      case "@logStream":
        return this.g.streams.get(this.ev.sid);
      case "@log":
        return `${this.account}:${this.g.name}`;
      case "@ingestionTime":
        return new TimeVal(this.ev.ingestionTime);
      case "@ptr":
        return encodePtr({ group: this.g.name, gid: this.g.gid, sid: this.ev.sid, ts: this.ev.timestamp, seq: this.ev.seq });
    }
    if (this.json === undefined) this.json = jsonFields(this.ev.message);
    return this.json?.get(name);
  }
  set(name: string, v: Value) {
    (this.extra ??= new Map()).set(name, v);
  }
}

class MapRow implements Row {
  readonly at = 0;
  constructor(readonly m: Map<string, Value>) {}
  get(name: string): Value {
    return this.m.get(name);
  }
  set(name: string, v: Value) {
    this.m.set(name, v);
  }
}

type MutableRow = EventRow | MapRow;

/** A streaming step: changes the row, or drops it (false). */
type Step = (row: MutableRow) => boolean;

/** A step that needs every row: consumes them one by one, then hands back its answer. */
interface Sink {
  push(row: MutableRow): void;
  /** Whether further rows would change nothing (limit reached): the scan then only counts. */
  full?(): boolean;
  rows(): MutableRow[];
}

const BLOCKING = new Set(["stats", "sort", "limit", "dedup"]);

function step(c: Command): Step {
  switch (c.c) {
    case "fields": {
      const items = c.items.map((i) => ({ name: i.name, f: i.expr.k === "field" && i.expr.name === i.name ? undefined : compileExpr(i.expr) }));
      return (row) => {
        for (const { name, f } of items) if (f) row.set(name, f(row));
        return true;
      };
    }
    case "display":
      return () => true;
    case "filter": {
      const f = compileExpr(c.expr);
      return (row) => {
        const v = f(row);
        return v === true || (v !== false && present(v) && v !== 0 && v !== "");
      };
    }
    case "parse": {
      const src = compileExpr(c.source);
      if (c.re) {
        const { re, names } = c.re;
        return (row) => {
          const s = toText(src(row));
          const m = s === undefined ? null : re.exec(s);
          if (m?.groups) names.forEach((n, i) => row.set(n, m.groups![`g${i}`]));
          return true;
        };
      }
      const { parts, names } = c.glob!;
      // Each '*' matches as little as possible between the literal pieces around it, as a lazy regex would.
      const re = new RegExp(parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("(.*?)") + (parts[parts.length - 1] === "" ? "$" : ""), "s");
      return (row) => {
        const s = toText(src(row));
        const m = s === undefined ? null : re.exec(s);
        if (m) names.forEach((n, i) => row.set(n, m[i + 1]));
        return true;
      };
    }
    default:
      throw new Error(`not a streaming command: ${c.c}`);
  }
}

function statsSink(c: Extract<Command, { c: "stats" }>): Sink {
  const by = c.by.map((b) => ({ name: b.name, f: compileExpr(b.expr) }));
  const aggs = c.aggs.map((a) => ({ name: a.name, make: aggregator(a) }));
  const groups = new Map<string, { keys: Value[]; accs: Acc[] }>();
  return {
    push(row) {
      const keys = by.map((b) => b.f(row));
      const key = keys.length === 1 ? (toText(keys[0]) ?? "\u0000") : keys.map((k) => toText(k) ?? "\u0000").join("\u0001");
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { keys, accs: aggs.map((a) => a.make()) }));
      for (const a of g.accs) a.add(row);
    },
    rows() {
      const out: MutableRow[] = [];
      for (const g of groups.values()) {
        const m = new Map<string, Value>();
        by.forEach((b, i) => m.set(b.name, g.keys[i]));
        aggs.forEach((a, i) => m.set(a.name, g.accs[i].result()));
        out.push(new MapRow(m));
      }
      return out;
    },
  };
}

function sorter(c: Extract<Command, { c: "sort" }>) {
  const keys = c.keys.map((k) => ({ f: compileExpr(k.expr), sign: k.desc ? -1 : 1 }));
  return (a: { v: Value[] }, b: { v: Value[] }) => {
    for (let i = 0; i < keys.length; i++) {
      const d = sortCompare(a.v[i], b.v[i]);
      if (d) return keys[i].sign * d;
    }
    return 0;
  };
}

/** sort, keeping only the first `top` rows when a limit follows (a bounded buffer, trimmed as it fills). */
function sortSink(c: Extract<Command, { c: "sort" }>, top: number): Sink {
  const keys = c.keys.map((k) => compileExpr(k.expr));
  const cmp = sorter(c);
  let buf: { row: MutableRow; v: Value[]; n: number }[] = [];
  let n = 0;
  const byOrder = (a: { v: Value[]; n: number }, b: { v: Value[]; n: number }) => cmp(a, b) || a.n - b.n;
  return {
    push(row) {
      buf.push({ row, v: keys.map((k) => k(row)), n: n++ });
      if (buf.length >= Math.max(2 * top, 1024)) buf = buf.sort(byOrder).slice(0, top);
    },
    rows: () =>
      buf
        .sort(byOrder)
        .slice(0, top)
        .map((x) => x.row),
  };
}

function limitSink(n: number): Sink {
  const out: MutableRow[] = [];
  return { push: (row) => void (out.length < n && out.push(row)), full: () => out.length >= n, rows: () => out };
}

function dedupSink(names: string[]): Sink {
  const seen = new Map<string, MutableRow>();
  return {
    push(row) {
      const vals = names.map((n) => row.get(n));
      // Rows missing a dedup field are all kept. // unverified: AWS documents dedup of rows with null values as kept
      const key = vals.some((v) => !present(v)) ? `\u0002${seen.size}` : vals.map((v) => toText(v)).join("\u0001");
      if (!seen.has(key)) seen.set(key, row);
    },
    rows: () => [...seen.values()],
  };
}

function sinkFor(cmds: Command[], at: number, cap: number): Sink {
  const c = cmds[at];
  switch (c.c) {
    case "stats":
      return statsSink(c);
    case "sort": {
      const next = cmds[at + 1];
      const onlyDisplay = cmds.slice(at + 1).every((x) => x.c === "display" || x.c === "fields");
      return sortSink(c, next?.c === "limit" ? next.n : onlyDisplay ? cap : Number.MAX_SAFE_INTEGER);
    }
    case "limit":
      return limitSink(c.n);
    case "dedup":
      return dedupSink(c.names);
    default:
      throw new Error(`not a blocking command: ${c.c}`);
  }
}

/** The query's output columns: what fields/parse add, display sets, stats replaces; @timestamp and @message by default. */
function columns(cmds: Command[]): { cols: string[]; aggregated: boolean } {
  let cols: string[] = [];
  let aggregated = false;
  const add = (n: string) => {
    if (!cols.includes(n)) cols.push(n);
  };
  for (const c of cmds) {
    if (c.c === "fields") c.items.forEach((i) => add(i.name));
    else if (c.c === "parse") (c.glob?.names ?? c.re!.names).forEach(add);
    else if (c.c === "display") cols = [...c.names];
    else if (c.c === "stats") {
      cols = [...c.by.map((b) => b.name), ...c.aggs.map((a) => a.name)];
      aggregated = true;
    }
  }
  // With no fields named, results show @timestamp and @message. // unverified: AWS's default columns over the API
  if (!aggregated && !cols.length) cols = ["@timestamp", "@message"];
  return { cols, aggregated };
}

export interface Plan {
  run(store: LogEventStore, input: ScanInput, cancelled: () => boolean): Promise<QueryOutput | undefined>;
}

// Events read per store call; the scan yields to other requests between calls.
const BATCH = 10_000;

/** Compiles the commands (any error is thrown now, as a compile error); `limit` is StartQuery's, used when the query has none. */
export function compilePlan(cmds: Command[], limit: number | undefined): Plan {
  const first = cmds.findIndex((c) => BLOCKING.has(c.c));
  const pre = (first < 0 ? cmds : cmds.slice(0, first)).map(step);
  const hasLimit = cmds.some((c) => c.c === "limit");
  const cap = hasLimit ? MAX_LIMIT : Math.min(limit ?? MAX_LIMIT, MAX_LIMIT);
  const rest = first < 0 ? [] : cmds.slice(first + 1);
  // Build once now so aggregate and expression errors surface at StartQuery.
  if (first >= 0) sinkFor(cmds, first, cap);
  const restSteps = rest.map((c) => (BLOCKING.has(c.c) ? undefined : step(c)));
  rest.forEach((_, i) => BLOCKING.has(rest[i].c) && sinkFor(rest, i, cap));
  const { cols, aggregated } = columns(cmds);

  return {
    async run(store, input, cancelled) {
      const stats: QueryStats = { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
      const sink = first >= 0 ? sinkFor(cmds, first, cap) : limitSink(cap);
      for (const g of input.groups) {
        let after: LogPosition | undefined;
        for (;;) {
          const evs = store.queryGroup({ gid: g.gid, start: Math.max(input.start, g.floor), end: input.end, after, limit: BATCH });
          for (const ev of evs) {
            stats.recordsScanned++;
            stats.bytesScanned += Buffer.byteLength(ev.message, "utf8");
            const row = new EventRow(ev, g, input.account);
            let keep = true;
            for (const s of pre)
              if (!s(row)) {
                keep = false;
                break;
              }
            if (!keep) continue;
            stats.recordsMatched++;
            if (!sink.full?.()) sink.push(row);
          }
          if (evs.length < BATCH) break;
          const last = evs[evs.length - 1];
          after = { ts: last.timestamp, seq: last.seq };
          await new Promise((r) => setImmediate(r));
          if (cancelled()) return undefined;
        }
      }
      let rows = sink.rows();
      for (let i = 0; i < rest.length; i++) {
        const s = restSteps[i];
        if (s) {
          rows = rows.filter(s);
          continue;
        }
        const k = sinkFor(rest, i, cap);
        for (const r of rows) k.push(r);
        rows = k.rows();
      }
      const results = rows.slice(0, cap).map((row) => {
        const out: { field: string; value: string }[] = [];
        for (const f of cols) {
          const v = toText(row.get(f));
          if (v !== undefined) out.push({ field: f, value: v });
        }
        if (!aggregated && row instanceof EventRow && !cols.includes("@ptr")) out.push({ field: "@ptr", value: toText(row.get("@ptr"))! });
        return out;
      });
      return { results, statistics: stats };
    },
  };
}
