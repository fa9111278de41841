// CloudWatch metric data behind a typed API (no SQL leaves this file). A metric (account/region, namespace, name,
// dimensions) gets a numeric id; its samples are stored raw, one packed chunk row per metric and PutMetricData call,
// so every statistic computed from them is exact. Reads hand back the chunks overlapping a time range as typed-array
// views (no per-sample objects), which is what lets one metric's million samples be aggregated in a few tens of ms.
import { registerSqliteTypedStore } from "./sqlite.js";
import type { Db } from "./driver.js";
import type { Store } from "./types.js";

/**
 * A run of samples, column by column. A sample is a value seen `count` times (min = max = value, sum = value × count)
 * or a statistic set (count, sum, min, max); a set with min = max is its value seen `count` times, so percentiles over
 * it are exact, as AWS documents for statistic sets. `flags`: the unit's code in the low 7 bits, 0x80 for high resolution.
 */
export interface SampleBlock {
  n: number;
  ts: Float64Array;
  count: Float64Array;
  sum: Float64Array;
  min: Float64Array;
  max: Float64Array;
  flags: Uint8Array;
}

export interface MetricKey {
  /** `<account>/<region>`. */
  scope: string;
  namespace: string;
  name: string;
  /** The dimensions as canonical JSON: [[name, value], …] sorted by name. */
  dims: string;
}

export interface StoredMetric extends MetricKey {
  id: number;
  /** When data was last published to it (epoch ms, to the minute). */
  lastPut: number;
}

export interface MetricListQuery {
  scope: string;
  namespace?: string;
  name?: string;
  /** Only metrics published to at or after this time. */
  since: number;
  /** Ids strictly greater than this (paging). */
  afterId: number;
  limit: number;
}

export interface MetricStore {
  /** The metric's id, created on first use; marks it published to at `now`. */
  touch(key: MetricKey, now: number): number;
  /** The metric's id if it exists. */
  find(key: MetricKey): number | undefined;
  /** Appends samples to a metric (in the caller's transaction, if one is open). */
  append(id: number, block: SampleBlock): void;
  /** The blocks holding samples of the metric in [from, to); a block may also hold samples outside it. */
  read(id: number, from: number, to: number): SampleBlock[];
  /** Metrics in id order. */
  list(q: MetricListQuery): StoredMetric[];
  /**
   * Rolls every chunk whose samples are all older than `before` and finer than `level` up to `bucketMs` intervals per
   * unit (AWS's roll-ups as data ages): each bucket's distinct values with their counts while they are few, else one
   * statistic set; returns how many samples it folded.
   */
  rollUp(before: number, level: number, bucketMs: number): number;
  /** Deletes samples older than `before` and metrics neither published to since nor holding data. */
  expire(before: number): void;
}

/** The store's metric data (an interface a second backend implements; SQLite's is below). */
export function metricStore(store: Store): MetricStore {
  return store.metrics();
}

// A chunk's bytes: one format byte, 7 bytes of padding (so the Float64 columns stay aligned), then the columns.
// FULL: ts, count, sum, min, max, then a flag byte per sample. RAW (every sample a single value, seen once): ts and
// value only, then the flags — 17 bytes a sample instead of 41, which is what PutMetricData's Value/Values mostly send.
const FULL = 0;
const RAW = 1;
const HEADER = 8;

/** Packs samples for append(). */
export function packBlock(b: SampleBlock): Buffer {
  const n = b.n;
  let raw = true;
  for (let i = 0; i < n && raw; i++) raw = b.count[i] === 1 && b.min[i] === b.max[i] && b.sum[i] === b.min[i];
  const cols = raw ? 2 : 5;
  const out = Buffer.alloc(HEADER + n * (cols * 8 + 1));
  out[0] = raw ? RAW : FULL;
  const f = new Float64Array(out.buffer, out.byteOffset + HEADER, n * cols);
  f.set(b.ts.subarray(0, n), 0);
  if (raw) f.set(b.sum.subarray(0, n), n);
  else {
    f.set(b.count.subarray(0, n), n);
    f.set(b.sum.subarray(0, n), 2 * n);
    f.set(b.min.subarray(0, n), 3 * n);
    f.set(b.max.subarray(0, n), 4 * n);
  }
  out.set(b.flags.subarray(0, n), HEADER + n * cols * 8);
  return out;
}

/** A stored chunk as columns (views over its bytes; a raw chunk's value column serves as sum, min and max). */
export function unpackBlock(data: Uint8Array, n: number): SampleBlock {
  // Float64 views need 8-byte alignment; SQLite's buffers usually are, otherwise copy.
  const bytes = data.byteOffset % 8 === 0 ? data : Uint8Array.prototype.slice.call(data);
  const raw = bytes[0] === RAW;
  const cols = raw ? 2 : 5;
  const f = new Float64Array(bytes.buffer, bytes.byteOffset + HEADER, n * cols);
  const flags = new Uint8Array(bytes.buffer, bytes.byteOffset + HEADER + n * cols * 8, n);
  if (raw) {
    const v = f.subarray(n, 2 * n);
    return { n, ts: f.subarray(0, n), count: new Float64Array(n).fill(1), sum: v, min: v, max: v, flags };
  }
  return {
    n,
    ts: f.subarray(0, n),
    count: f.subarray(n, 2 * n),
    sum: f.subarray(2 * n, 3 * n),
    min: f.subarray(3 * n, 4 * n),
    max: f.subarray(4 * n, 5 * n),
    flags,
  };
}

export function emptyBlock(n: number): SampleBlock {
  return {
    n: 0,
    ts: new Float64Array(n),
    count: new Float64Array(n),
    sum: new Float64Array(n),
    min: new Float64Array(n),
    max: new Float64Array(n),
    flags: new Uint8Array(n),
  };
}

/** Bounds of a block's timestamps. */
function span(b: SampleBlock): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < b.n; i++) {
    const t = b.ts[i];
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return [lo, hi];
}

/** A roll-up bucket: its statistic set, and its distinct values with their counts while they are known and few. */
interface Rolled {
  t: number;
  unit: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  values?: Map<number, number>;
}

/** Distinct values a roll-up bucket keeps (so its percentiles stay exact) before it becomes one statistic set. */
const ROLLUP_VALUES = 1000;

// How often a metric's last-published time is rewritten: ListMetrics' RecentlyActive (3 hours) needs no finer.
const TOUCH_EVERY_MS = 60_000;

interface IdRow {
  id: number;
  last_put: number;
}

export class SqliteMetricStore implements MetricStore {
  private readonly ids = new Map<string, { id: number; lastPut: number }>();
  private readonly stmts;

  constructor(private readonly db: Db) {
    this.stmts = {
      find: db.prepare<[string, string, string, string], IdRow>(
        "SELECT id, last_put FROM metric_ids WHERE scope = ? AND namespace = ? AND name = ? AND dims = ?",
      ),
      create: db.prepare("INSERT INTO metric_ids (scope, namespace, name, dims, last_put) VALUES (?, ?, ?, ?, ?)"),
      touch: db.prepare("UPDATE metric_ids SET last_put = ? WHERE id = ?"),
      insert: db.prepare("INSERT INTO metric_chunks (mid, min_ts, max_ts, n, level, data) VALUES (?, ?, ?, ?, ?, ?)"),
      read: db.prepare<[number, number, number], { n: number; data: Uint8Array }>(
        "SELECT n, data FROM metric_chunks WHERE mid = ? AND min_ts < ? AND max_ts >= ?",
      ),
      list: db.prepare<[Record<string, unknown>], StoredMetric & { last_put: number }>(
        `SELECT id, scope, namespace, name, dims, last_put FROM metric_ids
         WHERE scope = @scope AND (@namespace IS NULL OR namespace = @namespace) AND (@name IS NULL OR name = @name)
           AND last_put >= @since AND id > @after ORDER BY id LIMIT @limit`,
      ),
      aging: db.prepare<[number, number], { id: number; mid: number; n: number; level: number; data: Uint8Array }>(
        "SELECT id, mid, n, level, data FROM metric_chunks WHERE max_ts < ? AND level < ? ORDER BY mid LIMIT 2000",
      ),
      delChunk: db.prepare("DELETE FROM metric_chunks WHERE id = ?"),
      expireChunks: db.prepare("DELETE FROM metric_chunks WHERE max_ts < ?"),
      expireIds: db.prepare("DELETE FROM metric_ids WHERE last_put < ? AND NOT EXISTS (SELECT 1 FROM metric_chunks WHERE mid = metric_ids.id)"),
    };
  }

  private static cacheKey(k: MetricKey): string {
    return `${k.scope}\u0000${k.namespace}\u0000${k.name}\u0000${k.dims}`;
  }

  private lookup(k: MetricKey): { id: number; lastPut: number } | undefined {
    const ck = SqliteMetricStore.cacheKey(k);
    let e = this.ids.get(ck);
    if (!e) {
      const row = this.stmts.find.get(k.scope, k.namespace, k.name, k.dims);
      if (!row) return undefined;
      e = { id: row.id, lastPut: row.last_put };
      if (this.ids.size > 100_000) this.ids.clear();
      this.ids.set(ck, e);
    }
    return e;
  }

  touch(k: MetricKey, now: number): number {
    const minute = now - (now % 60_000);
    const e = this.lookup(k);
    if (e) {
      if (now - e.lastPut >= TOUCH_EVERY_MS) {
        this.stmts.touch.run(minute, e.id);
        e.lastPut = minute;
      }
      return e.id;
    }
    // Not cached yet: the caller's transaction may still roll the row back; the next lookup reads it once committed.
    return Number(this.stmts.create.run(k.scope, k.namespace, k.name, k.dims, minute).lastInsertRowid);
  }

  find(k: MetricKey): number | undefined {
    return this.lookup(k)?.id;
  }

  append(id: number, block: SampleBlock, level = 0): void {
    if (!block.n) return;
    const [lo, hi] = span(block);
    this.stmts.insert.run(id, lo, hi, block.n, level, packBlock(block));
  }

  read(id: number, from: number, to: number): SampleBlock[] {
    return this.stmts.read.all(id, to, from).map((r) => unpackBlock(r.data, r.n));
  }

  list(q: MetricListQuery): StoredMetric[] {
    return this.stmts.list
      .all({ scope: q.scope, namespace: q.namespace ?? null, name: q.name ?? null, since: q.since, after: q.afterId, limit: q.limit })
      .map((r) => ({ id: r.id, scope: r.scope, namespace: r.namespace, name: r.name, dims: r.dims, lastPut: r.last_put }));
  }

  rollUp(before: number, level: number, bucketMs: number): number {
    let folded = 0;
    for (;;) {
      const rows = this.stmts.aging.all(before, level);
      if (!rows.length) return folded;
      this.db.transaction(() => {
        // Per metric and (bucket, unit): the distinct values with their counts while there are at most ROLLUP_VALUES of
        // them and no statistic set among the samples (percentiles stay exact), else one statistic set.
        let i = 0;
        while (i < rows.length) {
          const mid = rows[i].mid;
          const acc = new Map<string, Rolled>();
          for (; i < rows.length && rows[i].mid === mid; i++) {
            const b = unpackBlock(rows[i].data, rows[i].n);
            for (let j = 0; j < b.n; j++) {
              const t = b.ts[j] - (((b.ts[j] % bucketMs) + bucketMs) % bucketMs);
              const unit = b.flags[j] & 0x7f;
              const key = `${t}:${unit}`;
              let a = acc.get(key);
              if (!a) acc.set(key, (a = { t, unit, count: 0, sum: 0, min: b.min[j], max: b.max[j], values: new Map() }));
              a.count += b.count[j];
              a.sum += b.sum[j];
              if (b.min[j] < a.min) a.min = b.min[j];
              if (b.max[j] > a.max) a.max = b.max[j];
              if (!a.values) continue;
              if (b.min[j] !== b.max[j]) a.values = undefined;
              else {
                a.values.set(b.min[j], (a.values.get(b.min[j]) ?? 0) + b.count[j]);
                if (a.values.size > ROLLUP_VALUES) a.values = undefined;
              }
            }
            folded += b.n;
            this.stmts.delChunk.run(rows[i].id);
          }
          let size = 0;
          for (const a of acc.values()) size += a.values ? a.values.size : 1;
          const out = emptyBlock(size);
          const push = (t: number, unit: number, count: number, sum: number, min: number, max: number) => {
            const k = out.n++;
            out.ts[k] = t;
            out.flags[k] = unit;
            out.count[k] = count;
            out.sum[k] = sum;
            out.min[k] = min;
            out.max[k] = max;
          };
          for (const a of acc.values()) {
            if (a.values) for (const [v, c] of a.values) push(a.t, a.unit, c, v * c, v, v);
            else push(a.t, a.unit, a.count, a.sum, a.min, a.max);
          }
          this.append(mid, out, level);
        }
      });
    }
  }

  expire(before: number): void {
    this.db.transaction(() => {
      this.stmts.expireChunks.run(before);
      this.stmts.expireIds.run(before);
    });
    this.ids.clear();
  }
}

registerSqliteTypedStore("metrics", (db) => new SqliteMetricStore(db));
