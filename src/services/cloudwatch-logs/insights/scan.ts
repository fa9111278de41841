// Reading a query's events from the store. Terms every matching event must contain are found in the filters first:
// `@message like 'x'` (and a regex that is plain text) must occur in the message, so chunks and events without it are
// skipped unread; a JSON field compared with plain text (`level = 'ERROR'`) must occur in the message too, unless the
// message escapes characters (\u), which is the only way JSON could spell those characters otherwise. Aggregations
// walk the store's packed chunks in any order, decoding only the candidates; the rest walk events in time order.
import { firstWhere, type LogEventStore, type LogPosition, type ScannedChunk } from "../../../core/store/log-events.js";
import type { Command, Expr } from "./parse.js";
import { EventRow, type ScanGroup } from "./rows.js";

export interface ScanInput {
  account: string;
  groups: ScanGroup[];
  /** Inclusive, epoch ms. */
  start: number;
  end: number;
}

export interface ScanStats {
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

export interface Needles {
  /** Must occur in the message as written. */
  exact: Buffer[];
  /** Must occur in the message, or the message holds a \u escape. */
  json: Buffer[];
}

const PLAIN_REGEX = /^[^\\^$.|?*+()[\]{}]+$/;
// Characters JSON must or may escape other than by \u: a needle holding none of them is written as is, or with \u.
const JSON_PLAIN = /^[^"\\/\u0000-\u001f]+$/;
const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const BACKSLASH_U = Buffer.from("\\u");

/** The terms the filters among `cmds` (the per-event ones, before any aggregation) require of every event. */
export function requiredTerms(cmds: Command[]): Needles {
  const out: Needles = { exact: [], json: [] };
  const assigned = new Set<string>();
  const isRaw = (e: Expr, name?: string): e is Extract<Expr, { k: "field" }> =>
    e.k === "field" && !assigned.has(e.name) && (name === undefined || e.name === name);
  const jsonField = (e: Expr) => isRaw(e) && !e.name.startsWith("@");
  const conjuncts = (e: Expr): Expr[] => (e.k === "bin" && e.op === "and" ? [...conjuncts(e.l), ...conjuncts(e.r)] : [e]);
  for (const c of cmds) {
    if (c.c === "fields") c.items.forEach((i) => assigned.add(i.name));
    else if (c.c === "parse") (c.glob?.names ?? c.re?.names ?? []).forEach((n) => assigned.add(n));
    if (c.c !== "filter") continue;
    for (const e of conjuncts(c.expr)) {
      if (e.k !== "bin") continue;
      if (e.op === "like" && isRaw(e.l, "@message")) {
        if (e.r.k === "str" && e.r.v) out.exact.push(Buffer.from(e.r.v));
        else if (e.r.k === "re" && !e.r.re.flags.includes("i") && PLAIN_REGEX.test(e.r.re.source)) out.exact.push(Buffer.from(e.r.re.source));
        continue;
      }
      if (e.op !== "=" && e.op !== "like") continue;
      const [f, lit] = jsonField(e.l) ? [e.l, e.r] : e.op === "=" && jsonField(e.r) ? [e.r, e.l] : [undefined, undefined];
      if (!f || lit?.k !== "str" || !lit.v || NUMERIC.test(lit.v) || !JSON_PLAIN.test(lit.v)) continue;
      out.json.push(Buffer.from(lit.v));
    }
  }
  return out;
}

/** Event indexes in [a, b) of the chunk whose message contains `needle` (ascending). */
function hits(c: ScannedChunk, a: number, b: number, needle: Buffer): number[] {
  const { ends, text } = c;
  const out: number[] = [];
  const stop = ends[b - 1];
  let i = a;
  let pos = a ? ends[a - 1] : 0;
  while (pos < stop) {
    const at = text.indexOf(needle, pos);
    if (at < 0 || at >= stop) break;
    while (ends[i] <= at) i++;
    if (at + needle.length <= ends[i]) out.push(i);
    pos = ends[i];
    i++;
  }
  return out;
}

// Chunks (up to 10,000 events each) read per store call; the scan yields to other requests between calls.
const CHUNKS = 4;

const tick = () => new Promise((r) => setImmediate(r));

/** Every event of the groups in the range, chunk by chunk in no particular order; false if cancelled. */
export async function scanUnordered(
  store: LogEventStore,
  input: ScanInput,
  needles: Needles,
  visit: ((row: EventRow) => void) | undefined,
  stats: ScanStats,
  cancelled: () => boolean,
  /** The visitor keeps no row: one row object is pointed at each event in turn. */
  reuse = false,
): Promise<boolean> {
  const { exact, json } = needles;
  for (const g of input.groups) {
    const lo = Math.max(input.start, g.floor);
    let afterId = 0;
    for (;;) {
      const chunks = store.scanChunks(g.gid, lo, input.end, afterId, CHUNKS);
      for (const c of chunks) {
        afterId = c.id;
        const { ts } = c;
        const a = firstWhere(ts.length, (i) => ts[i] >= lo);
        const b = firstWhere(ts.length, (i) => ts[i] > input.end);
        if (a >= b) continue;
        stats.recordsScanned += b - a;
        stats.bytesScanned += c.ends[b - 1] - (a ? c.ends[a - 1] : 0);
        if (!visit) continue;
        let candidates: ArrayLike<number> | undefined;
        if (exact.length || json.length) {
          // Count, per event, the terms it satisfies; candidates satisfy them all.
          const need = exact.length + json.length;
          const got = new Uint8Array(b - a);
          for (const n of exact) for (const i of hits(c, a, b, n)) got[i - a]++;
          if (json.length) {
            const escaped = new Uint8Array(b - a);
            for (const i of hits(c, a, b, BACKSLASH_U)) escaped[i - a] = 1;
            for (const n of json) {
              const has = new Uint8Array(b - a);
              for (const i of hits(c, a, b, n)) has[i - a] = 1;
              for (let k = 0; k < has.length; k++) if (has[k] || escaped[k]) got[k]++;
            }
          }
          const list: number[] = [];
          for (let k = 0; k < got.length; k++) if (got[k] === need) list.push(a + k);
          candidates = list;
        }
        const shared = reuse ? new EventRow(c, a, ts[a], c.sid, c.seq0 + a, c.ingested, g, input.account) : undefined;
        const each = (i: number) => {
          if (shared) {
            shared.reset(c, i);
            visit(shared);
          } else visit(new EventRow(c, i, ts[i], c.sid, c.seq0 + i, c.ingested, g, input.account));
        };
        if (candidates) for (let k = 0; k < candidates.length; k++) each(candidates[k]);
        else for (let i = a; i < b; i++) each(i);
      }
      if (chunks.length < CHUNKS) break;
      await tick();
      if (cancelled()) return false;
    }
  }
  return true;
}

// Events read per store call in time order; the scan yields to other requests between calls.
const BATCH = 10_000;

/** Every event of the groups in the range, each group's in (timestamp, ingestion) order; false if cancelled. */
export async function scanOrdered(
  store: LogEventStore,
  input: ScanInput,
  needles: Needles,
  visit: (row: EventRow) => void,
  stats: ScanStats,
  cancelled: () => boolean,
  _reuse = false,
): Promise<boolean> {
  const substrings = needles.exact.map((b) => b.toString("utf8"));
  const json = needles.json.map((b) => b.toString("utf8"));
  for (const g of input.groups) {
    let after: LogPosition | undefined;
    for (;;) {
      // recordsScanned counts the range's events: with a prefilter the store skips some unread, so they are counted apart.
      const evs = store.queryGroup({ gid: g.gid, start: Math.max(input.start, g.floor), end: input.end, after, limit: BATCH, substrings });
      for (const ev of evs) {
        if (json.length && !json.every((n) => ev.message.includes(n)) && !ev.message.includes("\\u")) continue;
        visit(new EventRow(ev.message, 0, ev.timestamp, ev.sid, ev.seq, ev.ingestionTime, g, input.account));
      }
      if (evs.length < BATCH) break;
      const last = evs[evs.length - 1];
      after = { ts: last.timestamp, seq: last.seq };
      await tick();
      if (cancelled()) return false;
    }
  }
  // The range's totals, for the statistics (the prefilter skipped events unread).
  return countRange(store, input, stats, cancelled);
}

async function countRange(store: LogEventStore, input: ScanInput, stats: ScanStats, cancelled: () => boolean): Promise<boolean> {
  return scanUnordered(store, input, { exact: [], json: [] }, undefined, stats, cancelled);
}
