// Logs Insights QL tokens: identifiers (dotted, @-prefixed, `backquoted`), numbers, durations (5m), quoted strings,
// /regex/ literals, operators; '#' starts a comment, '|' separates commands. Offsets are kept for queryCompileError.

export type TokKind = "ident" | "num" | "dur" | "str" | "re" | "op" | "pipe" | "eof";

export interface Token {
  kind: TokKind;
  text: string;
  /** The value: a string's unescaped text, a regex's source, a number's value, a duration's milliseconds. */
  value: string | number;
  /** A regex's flags ("i" for (?i)). */
  flags?: string;
  /** A duration in calendar months (months, quarters, years), which bin() floors by the calendar. */
  months?: number;
  start: number;
  end: number;
  /** Was the identifier `backquoted` (never a keyword then). */
  quoted?: boolean;
}

/** A compile error with the query's character range, for MalformedQueryException's queryCompileError. */
export class InsightsSyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

const UNITS: Record<string, number> = {
  ms: 1,
  msec: 1,
  millisecond: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  // Calendar units as their usual lengths (bin() floors to them by epoch time).
  mo: 2_592_000_000,
  mon: 2_592_000_000,
  month: 2_592_000_000,
  q: 7_776_000_000,
  qtr: 7_776_000_000,
  quarter: 7_776_000_000,
  y: 31_536_000_000,
  yr: 31_536_000_000,
  year: 31_536_000_000,
};

/** Months in a calendar unit (month, quarter, year and their abbreviations); undefined for fixed-length units. */
function calendarMonths(unit: string): number | undefined {
  const u = unit.toLowerCase().replace(/s$/, "");
  return ["mo", "mon", "month"].includes(u) ? 1 : ["q", "qtr", "quarter"].includes(u) ? 3 : ["y", "yr", "year"].includes(u) ? 12 : undefined;
}

/** Milliseconds of a duration unit (plural forms accepted, as AWS documents for bin()); undefined if none. */
export function unitMs(unit: string): number | undefined {
  const u = unit.toLowerCase();
  return UNITS[u] ?? (u.length > 2 && u.endsWith("s") ? UNITS[u.slice(0, -1)] : undefined);
}

// Words after which a '/' starts a regex rather than dividing.
const OPERAND_WORDS = new Set(["like", "and", "or", "not", "in", "filter", "as", "by"]);
const OPS = ["!=", "<=", ">=", "=~", "==", "=", "<", ">", "+", "-", "*", "/", "%", "^", "(", ")", "[", "]", ","];

/** Line and 1-based column of an offset, for messages. */
export function lineCol(src: string, at: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at && i < src.length; i++)
    if (src[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  return { line, col: at - lineStart + 1 };
}

export function unexpected(src: string, t: Token): InsightsSyntaxError {
  const { line, col } = lineCol(src, t.start);
  const what = t.kind === "eof" ? "<EOF>" : t.text;
  // The shape of AWS's compile message, as CLI output shows it: "unexpected symbol found ( at line 1 and position 115".
  // unverified: whether AWS counts the position from 0 or 1 (Stratus counts columns from 1)
  return new InsightsSyntaxError(`unexpected symbol found ${what} at line ${line} and position ${col}`, t.start, Math.max(t.start, t.end - 1));
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  const regexAllowed = () => {
    const p = out[out.length - 1];
    if (!p || p.kind === "pipe") return true;
    if (p.kind === "op") return p.text !== ")" && p.text !== "]";
    if (p.kind === "ident" && !p.quoted) {
      if (OPERAND_WORDS.has(p.text.toLowerCase())) return true;
      // `parse @message /re/`: the field right after the parse command.
      const pp = out[out.length - 2];
      return !!pp && pp.kind === "ident" && pp.text.toLowerCase() === "parse";
    }
    return false;
  };
  while (i < n) {
    const c = src[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < n && src[i] !== "\n") i++;
      continue;
    }
    const start = i;
    if (c === "|") {
      out.push({ kind: "pipe", text: "|", value: "|", start, end: ++i });
      continue;
    }
    if (c === '"' || c === "'") {
      let v = "";
      i++;
      while (i < n && src[i] !== c) {
        if (src[i] === "\\" && i + 1 < n) {
          const e = src[i + 1];
          v += e === "n" ? "\n" : e === "t" ? "\t" : e === c || e === "\\" ? e : `\\${e}`;
          i += 2;
          continue;
        }
        v += src[i++];
      }
      if (i >= n)
        throw new InsightsSyntaxError(`unterminated string literal at line ${lineCol(src, start).line} and position ${lineCol(src, start).col}`, start, n - 1); // unverified wording
      i++;
      out.push({ kind: "str", text: src.slice(start, i), value: v, start, end: i });
      continue;
    }
    if (c === "`") {
      const close = src.indexOf("`", i + 1);
      if (close < 0)
        throw new InsightsSyntaxError(`unterminated field name at line ${lineCol(src, start).line} and position ${lineCol(src, start).col}`, start, n - 1); // unverified wording
      i = close + 1;
      out.push({ kind: "ident", text: src.slice(start, i), value: src.slice(start + 1, close), start, end: i, quoted: true });
      continue;
    }
    if (c === "/" && regexAllowed()) {
      let j = i + 1;
      let cls = false;
      while (j < n) {
        const d = src[j];
        if (d === "\\") {
          j += 2;
          continue;
        }
        if (d === "[") cls = true;
        else if (d === "]") cls = false;
        else if (d === "/" && !cls) break;
        j++;
      }
      if (j >= n)
        throw new InsightsSyntaxError(
          `unterminated regular expression at line ${lineCol(src, start).line} and position ${lineCol(src, start).col}`,
          start,
          n - 1,
        ); // unverified wording
      let body = src.slice(i + 1, j);
      let flags = "";
      // AWS's case-insensitive form is the inline (?i) prefix; JavaScript takes it as a flag.
      if (body.startsWith("(?i)")) {
        body = body.slice(4);
        flags = "i";
      }
      i = j + 1;
      out.push({ kind: "re", text: src.slice(start, i), value: body, flags, start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i))!;
      i += m[0].length;
      const unit = /^[a-zA-Z]+/.exec(src.slice(i));
      if (unit) {
        const ms = unitMs(unit[0]);
        if (ms === undefined) throw unexpected(src, { kind: "ident", text: unit[0], value: unit[0], start: i, end: i + unit[0].length });
        i += unit[0].length;
        const months = calendarMonths(unit[0]);
        out.push({ kind: "dur", text: src.slice(start, i), value: Number(m[0]) * ms, start, end: i, ...(months ? { months: Number(m[0]) * months } : {}) });
        continue;
      }
      out.push({ kind: "num", text: m[0], value: Number(m[0]), start, end: i });
      continue;
    }
    if (/[A-Za-z_@$]/.test(c)) {
      // Other characters in a field name need backquotes, as AWS documents.
      const m = /^[A-Za-z_@$][\w@$.]*/.exec(src.slice(i))!;
      let word = m[0];
      while (word.length > 1 && word.endsWith(".")) word = word.slice(0, -1);
      i += word.length;
      out.push({ kind: "ident", text: word, value: word, start, end: i });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw unexpected(src, { kind: "op", text: c, value: c, start, end: i + 1 });
    i += op.length;
    out.push({ kind: "op", text: op === "==" ? "=" : op, value: op, start, end: i });
  }
  out.push({ kind: "eof", text: "", value: "", start: n, end: n });
  return out;
}
