// ANOMALY_DETECTION_BAND's model. AWS's is proprietary machine learning; Stratus's is a documented, deterministic
// approximation of it, computed for each timestamp t of the metric's series from the metric's own history:
//
// - the history is the metric's datapoints (at the query's statistic and period) in the two weeks before t
//   (AWS: "the model is trained using up to two weeks of metric data"), less any ExcludedTimeRanges of the metric's
//   anomaly detector;
// - seasonality: when that history holds at least SEASONAL_MIN datapoints at t's time of day (the same period of the
//   day, UTC shifted by the detector's MetricTimezone), only those are used (a daily pattern); otherwise all of it
//   (a trailing window);
// - expected value = their mean, spread = their standard deviation (at least 1% of |mean|, so a flat history still
//   has a band), and the band = expected ± k · spread;
// - training: AWS documents that a detector needs history before it produces a band. Stratus's rule: the history must
//   hold at least MIN_TRAINING_POINTS datapoints spanning at least a day; until then the band has no value at t (the
//   band is empty, and an alarm on it is INSUFFICIENT_DATA).
export const TRAINING_WINDOW_MS = 14 * 86_400_000;
export const MIN_TRAINING_POINTS = 10;
export const MIN_TRAINING_SPAN_MS = 86_400_000;
export const SEASONAL_MIN = 5;
const DAY = 86_400_000;

export interface BandOptions {
  k: number;
  /** [start, end) ranges left out of training (the detector's ExcludedTimeRanges). */
  excluded?: { start: number; end: number }[];
  /** The detector's MetricTimezone as minutes east of UTC (time of day is taken there). */
  tzMinutes?: number;
}

/** The band at each of `at` (ascending) from `history` (ascending, reaching back two weeks before the first of `at`). */
export function anomalyBand(history: { ts: number[]; vals: number[] }, at: number[], opts: BandOptions): { ts: number[]; upper: number[]; lower: number[] } {
  const ts: number[] = [];
  const vals: number[] = [];
  history.ts.forEach((t, i) => {
    if (!opts.excluded?.some((r) => t >= r.start && t < r.end)) {
      ts.push(t);
      vals.push(history.vals[i]);
    }
  });
  // Prefix sums over all of the history and over each time-of-day slot: each t's window in O(log n).
  const prefix = sums(vals);
  const tz = (opts.tzMinutes ?? 0) * 60_000;
  const slotOf = (t: number) => (((t + tz) % DAY) + DAY) % DAY;
  const bySlot = new Map<number, { ts: number[]; vals: number[] }>();
  ts.forEach((t, i) => {
    const s = slotOf(t);
    let g = bySlot.get(s);
    if (!g) bySlot.set(s, (g = { ts: [], vals: [] }));
    g.ts.push(t);
    g.vals.push(vals[i]);
  });
  const slotSums = new Map([...bySlot].map(([s, g]) => [s, sums(g.vals)]));
  const out = { ts: [] as number[], upper: [] as number[], lower: [] as number[] };
  for (const t of at) {
    const from = lowerBound(ts, t - TRAINING_WINDOW_MS);
    const to = lowerBound(ts, t);
    const n = to - from;
    if (n < MIN_TRAINING_POINTS || t - ts[from] < MIN_TRAINING_SPAN_MS) continue;
    let stats = window(prefix, from, to);
    const g = bySlot.get(slotOf(t));
    if (g) {
      const a = lowerBound(g.ts, t - TRAINING_WINDOW_MS);
      const b = lowerBound(g.ts, t);
      if (b - a >= SEASONAL_MIN) stats = window(slotSums.get(slotOf(t))!, a, b);
    }
    const spread = Math.max(stats.std, Math.abs(stats.mean) * 0.01);
    out.ts.push(t);
    out.upper.push(stats.mean + opts.k * spread);
    out.lower.push(stats.mean - opts.k * spread);
  }
  return out;
}

function sums(vals: number[]): { s: Float64Array; q: Float64Array } {
  const s = new Float64Array(vals.length + 1);
  const q = new Float64Array(vals.length + 1);
  vals.forEach((v, i) => {
    s[i + 1] = s[i] + v;
    q[i + 1] = q[i] + v * v;
  });
  return { s, q };
}

function window(p: { s: Float64Array; q: Float64Array }, from: number, to: number): { mean: number; std: number } {
  const n = to - from;
  const mean = (p.s[to] - p.s[from]) / n;
  const variance = Math.max(0, (p.q[to] - p.q[from]) / n - mean * mean);
  return { mean, std: Math.sqrt(variance) };
}

/** The first index whose value is ≥ x (a is ascending). */
function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
