// Metric math expressions parsed to a tree: numbers, strings, query ids (lowercase first letter), function calls
// (uppercase names), [a, b] arrays, arithmetic (+ - * / ^), comparisons (< > <= >= == !=) and logic (AND/&&, OR/||,
// NOT/!). Grammar and precedence as AWS's "Metric math syntax and functions" documents them:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax

export type Node =
  | { t: "num"; v: number }
  | { t: "str"; v: string }
  | { t: "id"; name: string }
  | { t: "kw"; name: string }
  | { t: "call"; fn: string; args: Node[] }
  | { t: "arr"; items: Node[] }
  | { t: "neg"; x: Node }
  | { t: "not"; x: Node }
  | { t: "bin"; op: string; a: Node; b: Node };

/** A malformed expression: the reason, worded for the caller. */
export class ExpressionError extends Error {}

interface Tok {
  k: "num" | "str" | "name" | "op" | "end";
  v: string;
  at: number;
}

const OPS = ["<=", ">=", "==", "!=", "&&", "||", "+", "-", "*", "/", "^", "<", ">", "(", ")", "[", "]", ",", "!"];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ k: "num", v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) j++;
        s += src[j++];
      }
      if (j >= src.length) throw new ExpressionError(`Unterminated string at position ${i + 1}`);
      out.push({ k: "str", v: s, at: i });
      i = j + 1;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ k: "name", v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`Unexpected character '${c}' at position ${i + 1}`);
    out.push({ k: "op", v: op, at: i });
    i += op.length;
  }
  out.push({ k: "end", v: "", at: src.length });
  return out;
}

const CMP = new Set(["<", ">", "<=", ">=", "==", "!="]);

export function parseExpression(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => toks[p].k === "op" && toks[p].v === v;
  const isWord = (v: string) => toks[p].k === "name" && toks[p].v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`Expected '${v}' at position ${toks[p].at + 1}`);
    p++;
  };

  const or = (): Node => {
    let a = and();
    while (isOp("||") || isWord("OR")) {
      p++;
      a = { t: "bin", op: "OR", a, b: and() };
    }
    return a;
  };
  const and = (): Node => {
    let a = not();
    while (isOp("&&") || isWord("AND")) {
      p++;
      a = { t: "bin", op: "AND", a, b: not() };
    }
    return a;
  };
  const not = (): Node => {
    if (isOp("!") || isWord("NOT")) {
      p++;
      return { t: "not", x: not() };
    }
    return cmp();
  };
  const cmp = (): Node => {
    const a = add();
    if (peek().k === "op" && CMP.has(peek().v)) {
      const op = toks[p++].v;
      return { t: "bin", op, a, b: add() };
    }
    return a;
  };
  const add = (): Node => {
    let a = mul();
    while (isOp("+") || isOp("-")) {
      const op = toks[p++].v;
      a = { t: "bin", op, a, b: mul() };
    }
    return a;
  };
  const mul = (): Node => {
    let a = unary();
    while (isOp("*") || isOp("/")) {
      const op = toks[p++].v;
      a = { t: "bin", op, a, b: unary() };
    }
    return a;
  };
  const unary = (): Node => {
    if (isOp("-")) {
      p++;
      return { t: "neg", x: unary() };
    }
    if (isOp("+")) {
      p++;
      return unary();
    }
    return pow();
  };
  const pow = (): Node => {
    const a = primary();
    if (isOp("^")) {
      p++;
      return { t: "bin", op: "^", a, b: unary() };
    }
    return a;
  };
  const list = (close: string): Node[] => {
    const items: Node[] = [];
    if (isOp(close)) {
      p++;
      return items;
    }
    for (;;) {
      items.push(or());
      if (isOp(",")) {
        p++;
        continue;
      }
      expect(close);
      return items;
    }
  };
  const primary = (): Node => {
    const tok = toks[p];
    if (tok.k === "num") {
      p++;
      return { t: "num", v: Number(tok.v) };
    }
    if (tok.k === "str") {
      p++;
      return { t: "str", v: tok.v };
    }
    if (isOp("(")) {
      p++;
      const e = or();
      expect(")");
      return e;
    }
    if (isOp("[")) {
      p++;
      return { t: "arr", items: list("]") };
    }
    if (tok.k === "name") {
      p++;
      if (isOp("(")) {
        p++;
        return { t: "call", fn: tok.v, args: list(")") };
      }
      return /^[a-z]/.test(tok.v) ? { t: "id", name: tok.v } : { t: "kw", name: tok.v };
    }
    throw new ExpressionError(tok.k === "end" ? "Unexpected end of expression" : `Unexpected '${tok.v}' at position ${tok.at + 1}`);
  };

  const root = or();
  if (peek().k !== "end") throw new ExpressionError(`Unexpected '${peek().v}' at position ${peek().at + 1}`);
  return root;
}

/** The query ids an expression reads (for ordering and cycle checks). */
export function referencedIds(n: Node, out = new Set<string>()): Set<string> {
  switch (n.t) {
    case "id":
      out.add(n.name);
      break;
    case "call":
    case "arr":
      for (const a of n.t === "call" ? n.args : n.items) referencedIds(a, out);
      break;
    case "neg":
    case "not":
      referencedIds(n.x, out);
      break;
    case "bin":
      referencedIds(n.a, out);
      referencedIds(n.b, out);
      break;
  }
  return out;
}

/** Whether the expression calls METRICS() (which reads every MetricStat query). */
export function callsMetrics(n: Node): boolean {
  switch (n.t) {
    case "call":
      return n.fn === "METRICS" || n.args.some(callsMetrics);
    case "arr":
      return n.items.some(callsMetrics);
    case "neg":
    case "not":
      return callsMetrics(n.x);
    case "bin":
      return callsMetrics(n.a) || callsMetrics(n.b);
    default:
      return false;
  }
}
