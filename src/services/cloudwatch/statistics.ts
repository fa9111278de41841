// CloudWatch's statistics over one period's samples: the five basic ones and the extended ones (pNN, tmNN / TM(a:b),
// wmNN / WM(a:b), tcNN / TC(a:b), tsNN / TS(a:b), IQM, PR(n:m)), computed exactly from the raw values the metric
// store keeps. Shared by GetMetricStatistics and, later, GetMetricData and alarm evaluation.
// The statistics' definitions: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
import type { SampleBlock } from "../../core/store/metrics.js";

export type BasicStatistic = "SampleCount" | "Sum" | "Average" | "Minimum" | "Maximum";

/** A parsed extended statistic. Bounds are ranks in percent (`pct`) or values; missing ones are open. */
export type ExtendedSpec =
  | { kind: "p"; p: number }
  | { kind: "tm" | "wm" | "tc" | "ts"; lo?: number; hi?: number; pct: boolean }
  | { kind: "pr"; lo?: number; hi?: number };

const NUM = "(\\d+(?:\\.\\d+)?)";
const SHORT = new RegExp(`^(p|tm|wm|tc|ts)${NUM}$`, "i");
const RANGE = new RegExp(`^(TM|WM|TC|TS|PR)\\((?:${NUM}(%?))?:(?:${NUM}(%?))?\\)$`, "i");

/** The extended statistic a name denotes, or undefined when CloudWatch would not accept it. */
export function parseExtendedStatistic(name: string): ExtendedSpec | undefined {
  if (name === "IQM") return { kind: "tm", lo: 25, hi: 75, pct: true };
  const s = SHORT.exec(name);
  if (s) {
    const v = Number(s[2]);
    if (!(v >= 0 && v <= 100)) return undefined;
    const kind = s[1].toLowerCase() as "p" | "tm" | "wm" | "tc" | "ts";
    return kind === "p" ? { kind, p: v } : { kind, lo: 0, hi: v, pct: true };
  }
  const r = RANGE.exec(name);
  if (!r) return undefined;
  const kind = r[1].toLowerCase() as "tm" | "wm" | "tc" | "ts" | "pr";
  const lo = r[2] === undefined ? undefined : Number(r[2]);
  const hi = r[4] === undefined ? undefined : Number(r[4]);
  if (lo === undefined && hi === undefined) return undefined;
  const pcts = [r[2] !== undefined ? r[3] : undefined, r[4] !== undefined ? r[5] : undefined].filter((x) => x !== undefined);
  const pct = pcts.length > 0 && pcts.every((x) => x === "%");
  if (pcts.some((x) => x === "%") && !pct) return undefined;
  if (kind === "pr") return pct ? undefined : { kind, lo, hi };
  if (pct && ((lo ?? 0) > 100 || (hi ?? 100) > 100)) return undefined;
  if (lo !== undefined && hi !== undefined && lo > hi) return undefined;
  return { kind, lo, hi, pct };
}

/** Any statistic CloudWatch names in a MetricStat or an alarm: a basic one or an extended one. */
export type StatisticSpec = { kind: "basic"; stat: BasicStatistic } | ExtendedSpec;

const BASIC = new Set<string>(["SampleCount", "Sum", "Average", "Minimum", "Maximum"]);

/** The statistic a name denotes (`Average`, `p99`, `TM(10%:90%)`…), or undefined when CloudWatch would not accept it. */
export function parseStatistic(name: string): StatisticSpec | undefined {
  return BASIC.has(name) ? { kind: "basic", stat: name as BasicStatistic } : parseExtendedStatistic(name);
}

/** One period's samples of one unit: the running basic statistics and, when asked for, every raw value with its weight. */
export class Bucket {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** The raw values (first `len`), with their weights unless every weight is 1. */
  values = new Float64Array(0);
  weights = new Float64Array(0);
  len = 0;
  private unitWeights = true;
  /** False once a statistic set with min < max arrived: its values are unknown, so no value-based statistic is exact. */
  exact = true;
  private sorted = false;

  constructor(readonly keepValues: boolean) {}

  add(b: SampleBlock, i: number): void {
    const c = b.count[i];
    this.count += c;
    this.sum += b.sum[i];
    const mn = b.min[i];
    const mx = b.max[i];
    if (mn < this.min) this.min = mn;
    if (mx > this.max) this.max = mx;
    if (!this.keepValues) return;
    if (mn !== mx) {
      this.exact = false;
      return;
    }
    if (this.len === this.values.length) {
      const size = Math.max(16, this.len * 2);
      const v = new Float64Array(size);
      v.set(this.values);
      this.values = v;
      const w = new Float64Array(size);
      w.set(this.weights);
      this.weights = w;
    }
    this.values[this.len] = mn;
    this.weights[this.len] = c;
    if (c !== 1) this.unitWeights = false;
    this.len++;
  }

  basic(stat: BasicStatistic): number {
    switch (stat) {
      case "SampleCount":
        return this.count;
      case "Sum":
        return this.sum;
      case "Average":
        return this.count ? this.sum / this.count : 0;
      case "Minimum":
        return this.min;
      case "Maximum":
        return this.max;
    }
  }

  private sort(): void {
    if (this.sorted) return;
    this.sorted = true;
    const n = this.len;
    if (this.unitWeights) {
      this.values = this.values.subarray(0, n).sort();
      return;
    }
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.values[a] - this.values[b]);
    const v = new Float64Array(n);
    const w = new Float64Array(n);
    order.forEach((j, i) => {
      v[i] = this.values[j];
      w[i] = this.weights[j];
    });
    this.values = v;
    this.weights = w;
  }

  private weight(i: number): number {
    return this.unitWeights ? 1 : this.weights[i];
  }

  /** The value at rank `r` of the sorted samples (nearest rank: the first whose cumulative count reaches r). */
  private atRank(r: number): number {
    const n = this.len;
    if (this.unitWeights) return this.values[Math.min(n, Math.max(1, Math.ceil(r))) - 1];
    let cum = 0;
    for (let i = 0; i < n; i++) {
      cum += this.weights[i];
      if (cum >= r) return this.values[i];
    }
    return this.values[n - 1];
  }

  /** Any statistic's value (undefined where an extended one cannot be computed exactly from what was stored). */
  value(spec: StatisticSpec): number | undefined {
    return spec.kind === "basic" ? this.basic(spec.stat) : this.extended(spec);
  }

  /** The extended statistic, or undefined when it cannot be computed exactly from what was stored. */
  extended(spec: ExtendedSpec): number | undefined {
    if (!this.exact || !this.len) return undefined;
    this.sort();
    const n = this.count;
    if (spec.kind === "p") return spec.p === 0 ? this.values[0] : this.atRank((spec.p / 100) * n); // unverified: nearest-rank
    if (spec.kind === "pr") {
      // Exclusive on the lower bound, inclusive on the upper one (AWS's definition of percentile rank).
      let inRange = 0;
      for (let i = 0; i < this.len; i++) {
        const v = this.values[i];
        if ((spec.lo === undefined || v > spec.lo) && (spec.hi === undefined || v <= spec.hi)) inRange += this.weight(i);
      }
      return (inRange / n) * 100;
    }
    let tCount = 0;
    let tSum = 0;
    if (spec.pct) {
      // Ranks [lo%, hi%) of the samples in value order; a value straddling a bound counts for the part inside.
      const from = ((spec.lo ?? 0) / 100) * n;
      const to = ((spec.hi ?? 100) / 100) * n;
      if (spec.kind === "wm") {
        const low = this.atRank(Math.max(from, Number.MIN_VALUE));
        const high = this.atRank(to);
        let s = 0;
        for (let i = 0; i < this.len; i++) s += Math.min(high, Math.max(low, this.values[i])) * this.weight(i);
        return s / n;
      }
      let cum = 0;
      for (let i = 0; i < this.len; i++) {
        const w = this.weight(i);
        const part = Math.max(0, Math.min(cum + w, to) - Math.max(cum, from));
        tCount += part;
        tSum += part * this.values[i];
        cum += w;
      }
    } else {
      const lo = spec.lo ?? Number.NEGATIVE_INFINITY;
      const hi = spec.hi ?? Number.POSITIVE_INFINITY;
      if (spec.kind === "wm") {
        let s = 0;
        for (let i = 0; i < this.len; i++) s += Math.min(hi, Math.max(lo, this.values[i])) * this.weight(i);
        return s / n;
      }
      for (let i = 0; i < this.len; i++) {
        const v = this.values[i];
        if (v > lo && v <= hi) {
          tCount += this.weight(i);
          tSum += v * this.weight(i);
        }
      }
    }
    if (spec.kind === "tc") return tCount;
    if (spec.kind === "ts") return tSum;
    return tCount ? tSum / tCount : undefined;
  }
}

/**
 * Every sample of the blocks in [start, end) bucketed by period and unit: `unit` (a code) keeps only that unit.
 * Returns buckets by start time (ms), then by unit code.
 */
export function aggregate(
  blocks: SampleBlock[],
  start: number,
  end: number,
  periodMs: number,
  opts: { unit?: number; keepValues: boolean },
): Map<number, Map<number, Bucket>> {
  const slots: (Map<number, Bucket> | undefined)[] = new Array(Math.ceil((end - start) / periodMs));
  const only = opts.unit;
  for (const b of blocks) {
    const { ts, flags } = b;
    for (let i = 0; i < b.n; i++) {
      const t = ts[i];
      if (t < start || t >= end) continue;
      const unit = flags[i] & 0x7f;
      if (only !== undefined && unit !== only) continue;
      const k = Math.floor((t - start) / periodMs);
      let byUnit = slots[k];
      if (!byUnit) slots[k] = byUnit = new Map();
      let bucket = byUnit.get(unit);
      if (!bucket) byUnit.set(unit, (bucket = new Bucket(opts.keepValues)));
      bucket.add(b, i);
    }
  }
  const out = new Map<number, Map<number, Bucket>>();
  slots.forEach((byUnit, k) => {
    if (byUnit) out.set(start + k * periodMs, byUnit);
  });
  return out;
}
