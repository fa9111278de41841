// The message views filter patterns match against: a log event parsed as JSON (JSON patterns) and split into
// fields (space-delimited patterns). Each keeps its last message: ingestion runs every filter of a group over one event
// before the next (metric-filters.ts), so the filters after the first find it here.
let lastJson: string | undefined;
let lastDoc: { doc: unknown } | undefined;
export function parseLast(message: string): { doc: unknown } | undefined {
  if (message === lastJson) return lastDoc;
  lastJson = message;
  lastDoc = undefined;
  const c = message.trimStart()[0];
  if (c !== "{" && c !== "[") return undefined;
  try {
    lastDoc = { doc: JSON.parse(message) };
  } catch {
    // Not JSON: no JSON pattern matches it.
  }
  return lastDoc;
}

/** Where each field of a message starts and ends (UTF-16 offsets, without a quoted or bracketed field's delimiters). */
export interface FieldSpans {
  n: number;
  start: Int32Array;
  end: Int32Array;
}

let lastSpanned: string | undefined;
const spans: FieldSpans = { n: 0, start: new Int32Array(32), end: new Int32Array(32) };

/** Fields are separated by whitespace; "quoted" and [bracketed] runs are one field each (without their delimiters). */
export function fieldSpans(message: string): FieldSpans {
  if (message === lastSpanned) return spans;
  lastSpanned = undefined;
  let n = 0;
  let i = 0;
  const len = message.length;
  while (i < len) {
    const code = message.charCodeAt(i);
    if (isWhitespace(code)) {
      i++;
      continue;
    }
    let from = i;
    let to: number;
    const close = code === 34 ? '"' : code === 91 ? "]" : undefined;
    const end = close ? message.indexOf(close, i + 1) : -1;
    if (end >= 0) {
      from = i + 1;
      to = end;
      i = end + 1;
    } else {
      let j = i + 1;
      while (j < len && !isWhitespace(message.charCodeAt(j))) j++;
      to = i = j;
    }
    if (n === spans.start.length) {
      const start = new Int32Array(n * 2);
      const ends = new Int32Array(n * 2);
      start.set(spans.start);
      ends.set(spans.end);
      spans.start = start;
      spans.end = ends;
    }
    spans.start[n] = from;
    spans.end[n++] = to;
  }
  spans.n = n;
  lastSpanned = message;
  return spans;
}

/** The fields themselves (fieldSpans' runs). */
export function splitFields(message: string): string[] {
  const f = fieldSpans(message);
  const out = new Array<string>(f.n);
  for (let k = 0; k < f.n; k++) out[k] = message.slice(f.start[k], f.end[k]);
  return out;
}

/** `\s` for one UTF-16 code unit, without the regex for the printable ASCII most log lines are made of. */
const isWhitespace = (code: number) => (code > 32 && code < 0xa0 ? false : code === 32 || /\s/.test(String.fromCharCode(code)));
