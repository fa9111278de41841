// Metric math evaluated over time series: a series is its timestamps (ascending) and values; operators between two
// series apply at the timestamps both have, between a series and a scalar at each of the series' timestamps, and a
// result that is not a finite number (division by zero…) leaves no datapoint. The functions' meanings are AWS's:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax
import { ExpressionError, type Node } from "./parse.js";

export interface Series {
  label: string;
  ts: number[];
  vals: number[];
  /** Seconds. */
  period: number;
  /** The metric's properties (MetricName, Namespace, Stat, Period, Dim.<name>…) for dynamic labels, when one metric's. */
  props?: Record<string, string>;
}

export type Value = { k: "num"; v: number } | { k: "str"; v: string } | { k: "kw"; v: string } | { k: "ser"; s: Series } | { k: "arr"; a: Series[] };

export interface MathContext {
  /** The value of another query, by id (undefined: no such query). */
  ref(id: string): Value | undefined;
  /** METRICS() / METRICS("filter"): the MetricStat queries (whose ids contain the filter). */
  metrics(filter?: string): Series[];
  /** SEARCH(expression, stat, period). */
  search(expr: string, stat: string, period: number): Series[];
  /** The query's time grid at a period: every period start in the requested range. */
  grid(period: number): number[];
  /** The period (seconds) a scalar becomes a series at when no series gives one. */
  defaultPeriod: number;
  /** ANOMALY_DETECTION_BAND(id, k): the band's upper and lower series for the MetricStat query `id` (anomaly-band.ts). */
  band?(id: string, k: number): Series[];
}

const num = (v: number): Value => ({ k: "num", v });
const ser = (s: Series): Value => ({ k: "ser", s });

/** Called when an operation's result at a timestamp is not a finite number (the datapoint is dropped). */
type OnDrop = () => void;

function mapSeries(s: Series, f: (v: number, i: number) => number, label = s.label, onDrop?: OnDrop): Series {
  const ts: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < s.ts.length; i++) {
    const r = f(s.vals[i], i);
    if (Number.isFinite(r)) {
      ts.push(s.ts[i]);
      vals.push(r);
    } else onDrop?.();
  }
  return { label, ts, vals, period: s.period };
}

function zipSeries(a: Series, b: Series, f: (x: number, y: number) => number, onDrop?: OnDrop): Series {
  const ts: number[] = [];
  const vals: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.ts.length && j < b.ts.length) {
    if (a.ts[i] < b.ts[j]) i++;
    else if (a.ts[i] > b.ts[j]) j++;
    else {
      const r = f(a.vals[i], b.vals[j]);
      if (Number.isFinite(r)) {
        ts.push(a.ts[i]);
        vals.push(r);
      } else onDrop?.();
      i++;
      j++;
    }
  }
  return { label: a.label, ts, vals, period: a.period };
}

const truthy = (x: number) => (x !== 0 ? 1 : 0);
const BIN: Record<string, (x: number, y: number) => number> = {
  "+": (x, y) => x + y,
  "-": (x, y) => x - y,
  "*": (x, y) => x * y,
  "/": (x, y) => x / y,
  "^": (x, y) => x ** y,
  "<": (x, y) => (x < y ? 1 : 0),
  ">": (x, y) => (x > y ? 1 : 0),
  "<=": (x, y) => (x <= y ? 1 : 0),
  ">=": (x, y) => (x >= y ? 1 : 0),
  "==": (x, y) => (x === y ? 1 : 0),
  "!=": (x, y) => (x !== y ? 1 : 0),
  AND: (x, y) => truthy(x) & truthy(y),
  OR: (x, y) => truthy(x) | truthy(y),
};

function binary(op: string, a: Value, b: Value, onDrop?: OnDrop): Value {
  const f = BIN[op];
  if (a.k === "num" && b.k === "num") return num(f(a.v, b.v));
  if (a.k === "ser" && b.k === "num") return ser(mapSeries(a.s, (x) => f(x, b.v), a.s.label, onDrop));
  if (a.k === "num" && b.k === "ser") return ser(mapSeries(b.s, (y) => f(a.v, y), b.s.label, onDrop));
  if (a.k === "ser" && b.k === "ser") return ser(zipSeries(a.s, b.s, f, onDrop));
  if (a.k === "arr" && (b.k === "num" || b.k === "ser")) return { k: "arr", a: a.a.map((s) => (binary(op, ser(s), b, onDrop) as { s: Series }).s) };
  if (b.k === "arr" && (a.k === "num" || a.k === "ser")) return { k: "arr", a: b.a.map((s) => (binary(op, a, ser(s), onDrop) as { s: Series }).s) };
  throw new ExpressionError(`The operator ${op} cannot be applied to ${kindName(a)} and ${kindName(b)}`); // unverified wording
}

const kindName = (v: Value) => ({ num: "a scalar", str: "a string", kw: "a keyword", ser: "a time series", arr: "an array of time series" })[v.k];

/** A whole series reduced to one number (SUM(m1), AVG(m1)…). */
function reduce(fn: string, vals: number[]): number {
  const n = vals.length;
  if (!n) return Number.NaN;
  let s = 0;
  for (const v of vals) s += v;
  switch (fn) {
    case "SUM":
      return s;
    case "AVG":
      return s / n;
    case "MIN":
    case "MAX": {
      // A loop, not Math.min(...vals): a day of 1-second datapoints is more arguments than a call takes.
      let m = vals[0];
      for (const v of vals) if (fn === "MIN" ? v < m : v > m) m = v;
      return m;
    }
    case "STDDEV": {
      const m = s / n;
      let q = 0;
      for (const v of vals) q += (v - m) ** 2;
      return Math.sqrt(q / n); // unverified: population standard deviation
    }
  }
  throw new ExpressionError(`Unknown function ${fn}`);
}

/** Several series combined timestamp by timestamp (SUM([m1, m2]) …): at each timestamp, over the series that have it. */
function combine(fn: string, arr: Series[], label: string): Series {
  const at = new Map<number, number[]>();
  for (const s of arr) for (let i = 0; i < s.ts.length; i++) (at.get(s.ts[i]) ?? at.set(s.ts[i], []).get(s.ts[i])!).push(s.vals[i]);
  const ts = [...at.keys()].sort((a, b) => a - b);
  const out: Series = { label, ts: [], vals: [], period: arr[0]?.period ?? 60 };
  for (const t of ts) {
    const r = reduce(fn, at.get(t)!);
    if (Number.isFinite(r)) {
      out.ts.push(t);
      out.vals.push(r);
    }
  }
  return out;
}

/** A series' value at a timestamp, or a scalar's value. */
function valueAt(v: Value, t: number, index: Map<number, number> | undefined): number | undefined {
  if (v.k === "num") return v.v;
  return index?.get(t);
}

function indexOf(v: Value): Map<number, number> | undefined {
  if (v.k !== "ser") return undefined;
  const m = new Map<number, number>();
  v.s.ts.forEach((t, i) => m.set(t, v.s.vals[i]));
  return m;
}

export class Evaluator {
  /** Whether a datapoint was dropped for a non-finite result (AWS then adds an ArithmeticError message). */
  arithmeticError = false;
  private readonly dropped = () => {
    this.arithmeticError = true;
  };

  constructor(private readonly ctx: MathContext) {}

  eval(n: Node): Value {
    switch (n.t) {
      case "num":
        return num(n.v);
      case "str":
        return { k: "str", v: n.v };
      case "kw":
        return { k: "kw", v: n.name };
      case "id": {
        const v = this.ctx.ref(n.name);
        if (!v) throw new ExpressionError(`Unknown metric or expression id: ${n.name}`); // unverified wording
        return v;
      }
      case "arr": {
        const a: Series[] = [];
        for (const item of n.items) {
          const v = this.eval(item);
          if (v.k === "ser") a.push(v.s);
          else if (v.k === "arr") a.push(...v.a);
          else throw new ExpressionError("An array may only hold time series"); // unverified wording
        }
        return { k: "arr", a };
      }
      case "neg":
        return binary("*", num(-1), this.eval(n.x), this.dropped);
      case "not":
        return binary("==", this.eval(n.x), num(0), this.dropped);
      case "bin":
        return binary(n.op, this.eval(n.a), this.eval(n.b), this.dropped);
      case "call":
        return this.call(n.fn, n.args);
    }
  }

  private series(v: Value, fn: string): Series {
    if (v.k !== "ser") throw new ExpressionError(`${fn} expects a time series, not ${kindName(v)}`); // unverified wording
    return v.s;
  }

  private array(v: Value, fn: string): Series[] {
    if (v.k === "arr") return v.a;
    if (v.k === "ser") return [v.s];
    throw new ExpressionError(`${fn} expects an array of time series, not ${kindName(v)}`); // unverified wording
  }

  private number(v: Value, fn: string): number {
    if (v.k !== "num") throw new ExpressionError(`${fn} expects a number, not ${kindName(v)}`); // unverified wording
    return v.v;
  }

  private arity(fn: string, args: Node[], min: number, max = min): void {
    if (args.length < min || args.length > max) throw new ExpressionError(`Wrong number of arguments for ${fn}: ${args.length}`); // unverified wording
  }

  /** Applies a per-value function to a scalar, a series or each series of an array. */
  private pointwise(v: Value, f: (x: number) => number): Value {
    if (v.k === "num") return num(f(v.v));
    if (v.k === "ser") return ser(mapSeries(v.s, f, v.s.label, this.dropped));
    if (v.k === "arr") return { k: "arr", a: v.a.map((s) => mapSeries(s, f, s.label, this.dropped)) };
    throw new ExpressionError(`Expected a number or a time series, not ${kindName(v)}`); // unverified wording
  }

  /** Applies a function of a whole series to a series or each series of an array. */
  private perSeries(v: Value, fn: string, f: (s: Series) => Series): Value {
    if (v.k === "ser") return ser(f(v.s));
    if (v.k === "arr") return { k: "arr", a: v.a.map(f) };
    throw new ExpressionError(`${fn} expects a time series, not ${kindName(v)}`); // unverified wording
  }

  private call(fn: string, args: Node[]): Value {
    const ev = (i: number) => this.eval(args[i]);
    switch (fn) {
      case "ABS":
      case "CEIL":
      case "FLOOR": {
        this.arity(fn, args, 1);
        const f = fn === "ABS" ? Math.abs : fn === "CEIL" ? Math.ceil : Math.floor;
        return this.pointwise(ev(0), f);
      }
      case "SUM":
      case "AVG":
      case "MIN":
      case "MAX":
      case "STDDEV": {
        this.arity(fn, args, 1);
        const v = ev(0);
        if (v.k === "ser") return num(reduce(fn, v.s.vals)); // one series: a scalar
        if (v.k === "arr") return ser(combine(fn, v.a, fn)); // an array: one series
        throw new ExpressionError(`${fn} expects a time series or an array of time series, not ${kindName(v)}`); // unverified wording
      }
      case "METRICS": {
        this.arity(fn, args, 0, 1);
        const filter = args.length ? ev(0) : undefined;
        if (filter && filter.k !== "str") throw new ExpressionError("METRICS expects a string"); // unverified wording
        return { k: "arr", a: this.ctx.metrics(filter?.v) };
      }
      case "SEARCH": {
        this.arity(fn, args, 3);
        const [q, stat, period] = [ev(0), ev(1), ev(2)];
        if (q.k !== "str" || stat.k !== "str") throw new ExpressionError("SEARCH expects a search expression and a statistic as strings"); // unverified wording
        return { k: "arr", a: this.ctx.search(q.v, stat.v, this.number(period, fn)) };
      }
      case "RATE":
      case "DIFF":
      case "DIFF_TIME":
      case "RUNNING_SUM": {
        this.arity(fn, args, 1);
        return this.perSeries(ev(0), fn, (s) => {
          if (fn === "RUNNING_SUM") {
            let acc = 0;
            return mapSeries(s, (v) => (acc += v));
          }
          // The first datapoint has no predecessor, so no value.
          return mapSeries(s, (v, i) => {
            if (i === 0) return Number.NaN;
            const dt = (s.ts[i] - s.ts[i - 1]) / 1000;
            const dv = v - s.vals[i - 1];
            return fn === "DIFF" ? dv : fn === "DIFF_TIME" ? dt : dv / dt;
          });
        });
      }
      case "FILL": {
        this.arity(fn, args, 2);
        const how = ev(1);
        return this.perSeries(ev(0), fn, (s) => this.fill(s, how));
      }
      case "IF": {
        this.arity(fn, args, 2, 3);
        const cond = this.series(ev(0), fn);
        const a = ev(1);
        const b = args.length === 3 ? ev(2) : undefined;
        for (const v of [a, b]) if (v && v.k !== "num" && v.k !== "ser") throw new ExpressionError(`IF expects a number or a time series, not ${kindName(v)}`); // unverified wording
        const ia = indexOf(a);
        const ib = b && indexOf(b);
        const out: Series = { label: cond.label, ts: [], vals: [], period: cond.period };
        cond.ts.forEach((t, i) => {
          const r = cond.vals[i] !== 0 ? valueAt(a, t, ia) : b ? valueAt(b, t, ib) : undefined;
          if (r !== undefined && Number.isFinite(r)) {
            out.ts.push(t);
            out.vals.push(r);
          }
        });
        return ser(out);
      }
      case "TIME_SERIES": {
        this.arity(fn, args, 1);
        const v = this.number(ev(0), fn);
        const ts = this.ctx.grid(this.ctx.defaultPeriod);
        return ser({ label: "TIME_SERIES", ts, vals: ts.map(() => v), period: this.ctx.defaultPeriod });
      }
      case "PERIOD":
      case "DATAPOINT_COUNT": {
        this.arity(fn, args, 1);
        const s = this.series(ev(0), fn);
        return num(fn === "PERIOD" ? s.period : s.ts.length);
      }
      case "FIRST":
      case "LAST": {
        this.arity(fn, args, 1);
        const a = this.array(ev(0), fn);
        if (!a.length) return { k: "arr", a: [] };
        return ser(fn === "FIRST" ? a[0] : a[a.length - 1]);
      }
      case "SORT": {
        this.arity(fn, args, 3, 4);
        const a = this.array(ev(0), fn);
        const by = ev(1);
        const order = ev(2);
        if (by.k !== "kw" || !["SUM", "AVG", "MIN", "MAX", "STDDEV"].includes(by.v))
          throw new ExpressionError("SORT's second argument must be one of SUM, AVG, MIN, MAX or STDDEV"); // unverified wording
        if (order.k !== "kw" || (order.v !== "ASC" && order.v !== "DESC")) throw new ExpressionError("SORT's third argument must be ASC or DESC"); // unverified wording
        const limit = args.length === 4 ? this.number(ev(3), fn) : a.length;
        const key = (s: Series) => {
          const r = reduce(by.v, s.vals);
          return Number.isNaN(r) ? Number.NEGATIVE_INFINITY : r;
        };
        const sorted = [...a].sort((x, y) => (order.v === "ASC" ? key(x) - key(y) : key(y) - key(x)));
        return { k: "arr", a: sorted.slice(0, Math.max(0, Math.floor(limit))) };
      }
      case "SLICE": {
        this.arity(fn, args, 2, 3);
        const a = this.array(ev(0), fn);
        const from = this.number(ev(1), fn);
        const to = args.length === 3 ? this.number(ev(2), fn) : undefined;
        return { k: "arr", a: to === undefined ? a.slice(0, from) : a.slice(from, to) };
      }
      case "LOG":
      case "LOG10": {
        this.arity(fn, args, 1);
        return this.pointwise(ev(0), fn === "LOG" ? Math.log : Math.log10);
      }
      case "MINUTE":
      case "HOUR":
      case "DAY":
      case "DATE":
      case "MONTH":
      case "YEAR":
      case "EPOCH": {
        // The datapoints' timestamps (UTC) as values: DAY is the weekday, 1 for Monday to 7 for Sunday.
        this.arity(fn, args, 1);
        const part = (t: number) => {
          const d = new Date(t);
          return {
            MINUTE: d.getUTCMinutes(),
            HOUR: d.getUTCHours(),
            DAY: d.getUTCDay() || 7,
            DATE: d.getUTCDate(),
            MONTH: d.getUTCMonth() + 1,
            YEAR: d.getUTCFullYear(),
            EPOCH: Math.floor(t / 1000),
          }[fn];
        };
        return this.perSeries(ev(0), fn, (s) => mapSeries(s, (_, i) => part(s.ts[i])));
      }
      case "METRIC_COUNT": {
        this.arity(fn, args, 1);
        return num(this.array(ev(0), fn).length);
      }
      case "REMOVE_EMPTY": {
        this.arity(fn, args, 1);
        return { k: "arr", a: this.array(ev(0), fn).filter((s) => s.ts.length > 0) };
      }
      case "ANOMALY_DETECTION_BAND": {
        // ANOMALY_DETECTION_BAND(m1) or (m1, k): k standard deviations, 2 unless given (AWS's default).
        this.arity(fn, args, 1, 2);
        const k = args.length === 2 ? this.number(ev(1), fn) : 2;
        if (args[0].t !== "id" || !this.ctx.band) throw new ExpressionError("ANOMALY_DETECTION_BAND expects the id of a metric as its first argument"); // unverified wording
        return { k: "arr", a: this.ctx.band(args[0].name, k) };
      }
      case "INSIGHT_RULE_METRIC":
      case "LAMBDA":
      case "SERVICE_QUOTA":
      case "DB_PERF_INSIGHTS":
        // AWS functions that need what Stratus does not run (Contributor Insights, Lambda data sources, Service
        // Quotas, Performance Insights): refused by name rather than answered with made-up data.
        throw new ExpressionError(`The function ${fn} is not supported by Stratus`);
      default:
        throw new ExpressionError(`Unsupported function: ${fn}`); // unverified wording
    }
  }

  /** FILL(series, value | REPEAT | LINEAR): every period of the query's range gets a value. */
  private fill(s: Series, how: Value): Series {
    const grid = this.ctx.grid(s.period);
    const have = new Map<number, number>();
    s.ts.forEach((t, i) => have.set(t, s.vals[i]));
    const out: Series = { label: s.label, ts: [], vals: [], period: s.period };
    if (how.k === "num" || how.k === "ser") {
      const idx = indexOf(how);
      for (const t of grid) {
        const v = have.get(t) ?? valueAt(how, t, idx);
        if (v !== undefined) {
          out.ts.push(t);
          out.vals.push(v);
        }
      }
      return out;
    }
    if (how.k !== "kw" || (how.v !== "REPEAT" && how.v !== "LINEAR")) throw new ExpressionError("FILL's second argument must be a number, REPEAT or LINEAR"); // unverified wording
    if (!s.ts.length) return out;
    let k = 0; // index of the next known datapoint at or after t
    for (const t of grid) {
      while (k < s.ts.length && s.ts[k] < t) k++;
      let v: number;
      if (have.has(t)) v = have.get(t)!;
      else if (k === 0)
        v = s.vals[0]; // before the first datapoint: its value
      else if (k >= s.ts.length || how.v === "REPEAT") v = s.vals[k - 1];
      else {
        const [t0, t1, v0, v1] = [s.ts[k - 1], s.ts[k], s.vals[k - 1], s.vals[k]];
        v = v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
      }
      out.ts.push(t);
      out.vals.push(v);
    }
    return out;
  }
}
