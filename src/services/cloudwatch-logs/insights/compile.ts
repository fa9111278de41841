// Expressions compiled to closures over a row (faster than walking the tree per event), and stats' aggregators.
import { InsightsSyntaxError } from "./lexer.js";
import { AGGREGATES, FUNCTIONS } from "./functions.js";
import type { Expr } from "./parse.js";
import { compare, present, sortCompare, TimeVal, toNum, toText, truthy, type Value } from "./values.js";

export interface Row {
  get(name: string): Value;
  /** The event's time (ms), for bin(), earliest() and latest(). */
  readonly at: number;
}

export type Eval = (row: Row) => Value;

/**
 * An expression as a closure over a row. In a stats item, `slot` gives each aggregation call's value for the group
 * being output (its accumulator's result); elsewhere aggregation calls never reach here (the parser refuses them).
 */
export function compileExpr(e: Expr, slot?: (call: Extract<Expr, { k: "call" }>) => Eval): Eval {
  const sub = (x: Expr) => compileExpr(x, slot);
  switch (e.k) {
    case "num":
      return () => e.v;
    case "str":
      return () => e.v;
    case "dur":
      return () => e.ms;
    case "re": {
      const re = e.re;
      return () => re.source;
    }
    case "field": {
      const name = e.name;
      return (row) => row.get(name);
    }
    case "star":
      return () => 1;
    case "list":
      throw new InsightsSyntaxError("A list is only allowed after in.", 0, 0); // unverified wording
    case "neg": {
      const f = sub(e.e);
      return (row) => {
        const n = toNum(f(row));
        return n === undefined ? undefined : -n;
      };
    }
    case "not": {
      const f = sub(e.e);
      return (row) => !truthy(f(row));
    }
    case "call": {
      if (slot && AGGREGATES.has(e.fn)) return slot(e);
      if (e.fn === "bin" && e.args.length === 1 && e.args[0].k === "dur" && e.args[0].months) {
        // Calendar units floor to the first of a month, a quarter or a year (UTC).
        const n = e.args[0].months;
        return (row) => {
          const d = new Date(row.at);
          const total = d.getUTCFullYear() * 12 + d.getUTCMonth();
          const floored = total - (((total % n) + n) % n);
          return new TimeVal(Date.UTC(Math.floor(floored / 12), floored % 12, 1));
        };
      }
      if (e.fn === "bin" && e.args.length === 1 && e.args[0].k === "dur" && e.args[0].ms > 0) {
        const p = e.args[0].ms;
        return (row) => new TimeVal(Math.floor(row.at / p) * p);
      }
      const fn = FUNCTIONS.get(e.fn);
      if (!fn) throw new InsightsSyntaxError(`${e.fn} is an aggregation function; it is only allowed in stats.`, 0, 0); // unverified wording
      const args = e.args.map(sub);
      return (row) =>
        fn(
          args.map((a) => a(row)),
          row.at,
        );
    }
    case "bin":
      return compileBinary(e.op, e.l, e.r, sub);
  }
}

function compileBinary(op: string, le: Expr, re: Expr, compile: (x: Expr) => Eval): Eval {
  const l = compile(le);
  if (op === "and") {
    const r = compile(re);
    return (row) => truthy(l(row)) && truthy(r(row));
  }
  if (op === "or") {
    const r = compile(re);
    return (row) => truthy(l(row)) || truthy(r(row));
  }
  if (op === "like") {
    if (re.k === "re") {
      const rx = re.re;
      return (row) => {
        const s = toText(l(row));
        return s !== undefined && rx.test(s);
      };
    }
    // A string after like matches as a substring.
    const r = compile(re);
    return (row) => {
      const s = toText(l(row));
      const t = toText(r(row));
      return s !== undefined && t !== undefined && s.includes(t);
    };
  }
  if (op === "in") {
    if (re.k !== "list") throw new InsightsSyntaxError("in takes a list: field in [value, ...].", 0, 0); // unverified wording
    const items = re.items.map(compile);
    return (row) => {
      const v = l(row);
      return present(v) && items.some((i) => compare(v, i(row)) === 0);
    };
  }
  const r = compile(re);
  switch (op) {
    case "=":
      return (row) => compare(l(row), r(row)) === 0;
    case "!=":
      return (row) => {
        const c = compare(l(row), r(row));
        return c !== undefined && c !== 0;
      };
    case "<":
      return (row) => {
        const c = compare(l(row), r(row));
        return c !== undefined && c < 0;
      };
    case "<=":
      return (row) => {
        const c = compare(l(row), r(row));
        return c !== undefined && c <= 0;
      };
    case ">":
      return (row) => {
        const c = compare(l(row), r(row));
        return c !== undefined && c > 0;
      };
    case ">=":
      return (row) => {
        const c = compare(l(row), r(row));
        return c !== undefined && c >= 0;
      };
  }
  const arith: Record<string, (a: number, b: number) => number> = {
    "+": (a, b) => a + b,
    "-": (a, b) => a - b,
    "*": (a, b) => a * b,
    "/": (a, b) => a / b,
    "%": (a, b) => a % b,
    "^": (a, b) => a ** b,
  };
  const f = arith[op];
  return (row) => {
    const a = toNum(l(row));
    const b = toNum(r(row));
    if (a === undefined || b === undefined) return undefined;
    const v = f(a, b);
    return Number.isFinite(v) ? v : undefined;
  };
}

/** One group's running state of one aggregate. */
export interface Acc {
  add(row: Row): void;
  result(): Value;
}

/** An aggregation call of a stats item (count(*), pct(x, 90) …). */
export interface AggregateCall {
  fn: string;
  args: Expr[];
}

export function aggregator(a: AggregateCall): () => Acc {
  const arg = a.args[0] && a.args[0].k !== "star" ? compileExpr(a.args[0]) : undefined;
  const need = (n: number) => {
    if (a.args.length < n) throw new InsightsSyntaxError(`${a.fn} takes ${n === 1 ? "a field" : `${n} arguments`}.`, 0, 0); // unverified wording
  };
  switch (a.fn) {
    case "count":
      return () => {
        let n = 0;
        return { add: (row) => void (!arg || present(arg(row)) ? n++ : 0), result: () => n };
      };
    case "count_distinct":
      need(1);
      return () => {
        const seen = new Set<string>();
        return {
          add: (row) => {
            const t = toText(arg!(row));
            if (t !== undefined) seen.add(t);
          },
          result: () => seen.size,
        };
      };
    case "sum":
    case "avg":
    case "stddev":
      need(1);
      return () => {
        let n = 0;
        let s = 0;
        let sq = 0;
        return {
          add: (row) => {
            const v = toNum(arg!(row));
            if (v === undefined) return;
            n++;
            s += v;
            sq += v * v;
          },
          result: () => {
            if (!n) return undefined;
            if (a.fn === "sum") return s;
            if (a.fn === "avg") return s / n;
            // Sample standard deviation. // unverified: AWS does not document population or sample
            return n < 2 ? 0 : Math.sqrt(Math.max(0, (sq - (s * s) / n) / (n - 1)));
          },
        };
      };
    case "min":
    case "max": {
      need(1);
      const sign = a.fn === "min" ? -1 : 1;
      return () => {
        let best: Value;
        return {
          add: (row) => {
            const v = arg!(row);
            if (!present(v)) return;
            if (best === undefined || sign * sortCompare(v, best) > 0) best = v;
          },
          result: () => best,
        };
      };
    }
    case "pct": {
      need(2);
      if (a.args[1].k !== "num" || a.args[1].v < 0 || a.args[1].v > 100) {
        throw new InsightsSyntaxError("The percentile of pct must be a number between 0 and 100.", 0, 0); // unverified wording
      }
      const p = a.args[1].v;
      return () => {
        const vs: number[] = [];
        return {
          add: (row) => {
            const v = toNum(arg!(row));
            if (v !== undefined) vs.push(v);
          },
          // Nearest rank over the exact values (AWS approximates; on small sets both agree).
          result: () => {
            if (!vs.length) return undefined;
            vs.sort((x, y) => x - y);
            return vs[Math.min(vs.length - 1, Math.max(0, Math.ceil((p / 100) * vs.length) - 1))];
          },
        };
      };
    }
    case "earliest":
    case "latest":
    case "sortsfirst":
    case "sortslast": {
      need(1);
      const byTime = a.fn === "earliest" || a.fn === "latest";
      const later = a.fn === "latest" || a.fn === "sortslast";
      return () => {
        let at = 0;
        let best: Value;
        let has = false;
        return {
          add: (row) => {
            const v = arg!(row);
            if (!present(v)) return;
            if (byTime) {
              if (!has || (later ? row.at > at : row.at < at)) {
                at = row.at;
                best = v;
                has = true;
              }
              return;
            }
            if (!has || (later ? sortCompare(v, best) > 0 : sortCompare(v, best) < 0)) {
              best = v;
              has = true;
            }
          },
          result: () => best,
        };
      };
    }
  }
  throw new InsightsSyntaxError(`${a.fn} is not an aggregation function.`, 0, 0); // unverified wording
}

export { TimeVal };
