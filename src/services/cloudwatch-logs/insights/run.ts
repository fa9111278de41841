// The Logs Insights engine: a compiled plan of the query's commands, run over the log groups' events in the time range.
// Commands up to the first one that needs every row (stats, sort, limit, dedup) run per event as the store yields them,
// and that one consumes rows as they come (stats aggregates, sort | limit keeps the top N), so a scan holds no more
// than its answer; the commands after it run over that answer. The scan yields to the event loop between batches.
import type { LogEventStore } from "../../../core/store/log-events.js";
import { aggregator, compileExpr, type Acc } from "./compile.js";
import { MAX_LIMIT, type Command } from "./parse.js";
import { EventRow, MapRow } from "./rows.js";
import { requiredTerms, scanOrdered, scanUnordered, type ScanInput, type ScanStats } from "./scan.js";
import { present, sortCompare, TimeVal, toText, type Value } from "./values.js";

export type { ScanInput };

export type QueryStats = ScanStats;

export interface QueryOutput {
  results: { field: string; value: string }[][];
  statistics: QueryStats;
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
      const last = parts.length - 1;
      return (row) => {
        const s = toText(src(row));
        if (s === undefined) return true;
        // Each literal's first occurrence after the previous one: when that matches, it is the regex's own match
        // (leftmost start, shortest captures); only when it does not is the regex asked (it may backtrack).
        let at = s.indexOf(parts[0]);
        const caps: string[] = [];
        for (let k = 1; at >= 0 && k <= last; k++) {
          const from = at + parts[k - 1].length;
          const next = k === last && parts[k] === "" ? s.length : s.indexOf(parts[k], from);
          if (next < 0) at = -1;
          else {
            caps.push(s.slice(from, next));
            at = next;
          }
        }
        if (at >= 0) {
          for (let k = 0; k < names.length; k++) row.set(names[k], caps[k]);
          return true;
        }
        const m = re.exec(s);
        if (m) names.forEach((n, i) => row.set(n, m[i + 1]));
        return true;
      };
    }
    default:
      throw new Error(`not a streaming command: ${c.c}`);
  }
}

// A group's key: its values' text (a datetime by its milliseconds, which print one way), missing values apart.
const groupKey = (v: Value) => (v instanceof TimeVal ? `\u0003${v.ms}` : (toText(v) ?? "\u0000"));

function statsSink(c: Extract<Command, { c: "stats" }>): Sink {
  const by = c.by.map((b) => ({ name: b.name, f: compileExpr(b.expr) }));
  // Every aggregation call of every item gets an accumulator per group; an item reads its calls' results by slot.
  const calls: (() => Acc)[] = [];
  let current: Value[] = [];
  const items = c.aggs.map((a) => ({
    name: a.name,
    f: compileExpr(a.expr, (call) => {
      const k = calls.push(aggregator(call)) - 1;
      return () => current[k];
    }),
  }));
  const groups = new Map<string, { keys: Value[]; accs: Acc[] }>();
  return {
    push(row) {
      const keys = by.map((b) => b.f(row));
      const key = keys.length === 1 ? groupKey(keys[0]) : keys.map(groupKey).join("\u0001");
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { keys, accs: calls.map((make) => make()) }));
      for (const a of g.accs) a.add(row);
    },
    rows() {
      const out: MutableRow[] = [];
      for (const g of groups.values()) {
        const m = new Map<string, Value>();
        by.forEach((b, i) => m.set(b.name, g.keys[i]));
        current = g.accs.map((a) => a.result());
        const row = new MapRow(m);
        // In order: an item may name the ones before it.
        for (const it of items) m.set(it.name, it.f(row));
        out.push(row);
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
  const needles = requiredTerms(first < 0 ? cmds : cmds.slice(0, first));
  // Aggregations (and sort | limit) do not depend on the order events come in: the store's chunks are walked as stored.
  const unordered = first >= 0 && (cmds[first].c === "stats" || (cmds[first].c === "sort" && cmds[first + 1]?.c === "limit"));

  return {
    async run(store, input, cancelled) {
      const stats: QueryStats = { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 };
      const sink = first >= 0 ? sinkFor(cmds, first, cap) : limitSink(cap);
      const visit = (row: EventRow) => {
        for (const s of pre) if (!s(row)) return;
        stats.recordsMatched++;
        if (!sink.full?.()) sink.push(row);
      };
      const scan = unordered ? scanUnordered : scanOrdered;
      // stats keeps values, never rows: one row object serves every event.
      if (!(await scan(store, input, needles, visit, stats, cancelled, first >= 0 && cmds[first].c === "stats"))) return undefined;
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
