// Logs Insights functions (CWL_QuerySyntax-operations-functions): general, string, numeric and datetime ones over
// evaluated arguments, and the names of the aggregation functions stats takes. A name not listed is refused at compile.
import { BlockList, isIP } from "node:net";
import { present, TimeVal, toNum, toText, type Value } from "./values.js";

type Fn = (args: Value[], at: number) => Value;

const str = (v: Value) => toText(v);
const num = (v: Value) => toNum(v);
const strFn =
  (f: (s: string, args: Value[]) => Value): Fn =>
  (a) => {
    const s = str(a[0]);
    return s === undefined ? undefined : f(s, a);
  };
const numFn =
  (f: (n: number) => number): Fn =>
  (a) => {
    const n = num(a[0]);
    return n === undefined ? undefined : f(n);
  };
const trimChars = (chars: Value) => {
  const c = str(chars);
  return c === undefined ? undefined : new RegExp(`[${c.replace(/[\]\\^-]/g, "\\$&")}]`);
};
// IP address functions: whether a value is an address (of a family), and whether it is in a CIDR subnet.
const ipFamily = (v: Value) => {
  const s = toText(v);
  return s === undefined ? 0 : isIP(s.trim());
};
function inSubnet(ip: Value, cidr: Value, only?: 4 | 6): boolean {
  const a = toText(ip)?.trim();
  const [net, bits] = (toText(cidr) ?? "").trim().split("/");
  const fam = a === undefined ? 0 : isIP(a);
  if (!fam || isIP(net) !== fam || (only && fam !== only)) return false;
  const prefix = Number(bits ?? (fam === 4 ? 32 : 128));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (fam === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  const type = fam === 4 ? "ipv4" : "ipv6";
  list.addSubnet(net, prefix, type);
  return list.check(a!, type);
}

const floorTo = (ms: number, period: number) => Math.floor(ms / period) * period;

export const FUNCTIONS = new Map<string, Fn>([
  // General.
  ["ispresent", (a) => present(a[0])],
  ["isempty", (a) => !present(a[0]) || str(a[0]) === ""],
  ["isblank", (a) => !present(a[0]) || str(a[0])!.trim() === ""],
  ["coalesce", (a) => a.find(present)],
  // Strings.
  ["concat", (a) => a.map((v) => str(v) ?? "").join("")],
  ["strlen", strFn((s) => [...s].length)],
  ["toupper", strFn((s) => s.toUpperCase())],
  ["tolower", strFn((s) => s.toLowerCase())],
  [
    "trim",
    strFn((s, a) => {
      const re = a.length > 1 ? trimChars(a[1]) : undefined;
      if (!re) return s.trim();
      let i = 0;
      let j = s.length;
      while (i < j && re.test(s[i])) i++;
      while (j > i && re.test(s[j - 1])) j--;
      return s.slice(i, j);
    }),
  ],
  [
    "ltrim",
    strFn((s, a) => {
      const re = a.length > 1 ? trimChars(a[1]) : undefined;
      if (!re) return s.trimStart();
      let i = 0;
      while (i < s.length && re.test(s[i])) i++;
      return s.slice(i);
    }),
  ],
  [
    "rtrim",
    strFn((s, a) => {
      const re = a.length > 1 ? trimChars(a[1]) : undefined;
      if (!re) return s.trimEnd();
      let j = s.length;
      while (j > 0 && re.test(s[j - 1])) j--;
      return s.slice(0, j);
    }),
  ],
  [
    "substr",
    strFn((s, a) => {
      const start = num(a[1]) ?? 0;
      const len = a.length > 2 ? num(a[2]) : undefined;
      return len === undefined ? s.slice(start) : s.slice(start, start + len);
    }),
  ],
  [
    "replace",
    strFn((s, a) => {
      const from = str(a[1]);
      return from === undefined ? s : s.split(from).join(str(a[2]) ?? "");
    }),
  ],
  [
    "strcontains",
    strFn((s, a) => {
      const sub = str(a[1]);
      return sub !== undefined && s.includes(sub) ? 1 : 0;
    }),
  ],
  // IP addresses.
  ["isvalidip", (a) => ipFamily(a[0]) !== 0],
  ["isvalidipv4", (a) => ipFamily(a[0]) === 4],
  ["isvalidipv6", (a) => ipFamily(a[0]) === 6],
  ["isipinsubnet", (a) => inSubnet(a[0], a[1])],
  ["isipv4insubnet", (a) => inSubnet(a[0], a[1], 4)],
  ["isipv6insubnet", (a) => inSubnet(a[0], a[1], 6)],
  // Numbers.
  ["abs", numFn(Math.abs)],
  ["ceil", numFn(Math.ceil)],
  ["floor", numFn(Math.floor)],
  ["log", numFn(Math.log)],
  ["sqrt", numFn(Math.sqrt)],
  [
    "greatest",
    (a) => {
      const ns = a.map(num).filter((n): n is number => n !== undefined);
      return ns.length ? Math.max(...ns) : undefined;
    },
  ],
  [
    "least",
    (a) => {
      const ns = a.map(num).filter((n): n is number => n !== undefined);
      return ns.length ? Math.min(...ns) : undefined;
    },
  ],
  // Datetimes: bin(period) is @timestamp floored to the period (its first argument is the row's @timestamp).
  [
    "bin",
    (a, at) => {
      const p = num(a[0]);
      return p ? new TimeVal(floorTo(at, p)) : undefined;
    },
  ],
  [
    "datefloor",
    (a) => {
      const t = num(a[0]);
      const p = num(a[1]);
      return t === undefined || !p ? undefined : new TimeVal(floorTo(t, p));
    },
  ],
  [
    "dateceil",
    (a) => {
      const t = num(a[0]);
      const p = num(a[1]);
      return t === undefined || !p ? undefined : new TimeVal(Math.ceil(t / p) * p);
    },
  ],
  [
    "frommillis",
    (a) => {
      const t = num(a[0]);
      return t === undefined ? undefined : new TimeVal(t);
    },
  ],
  ["tomillis", (a) => num(a[0])],
]);

/** The aggregation functions stats takes. */
export const AGGREGATES = new Set([
  "count",
  "count_distinct",
  "sum",
  "avg",
  "min",
  "max",
  "pct",
  "percentile",
  "stddev",
  "earliest",
  "latest",
  "sortsfirst",
  "sortslast",
]);
