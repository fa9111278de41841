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

let lastSplit: string | undefined;
let lastFields: string[] = [];

/** Fields are separated by whitespace; "quoted" and [bracketed] runs are one field each (without their delimiters). */
export function splitFields(message: string): string[] {
  if (message === lastSplit) return lastFields;
  lastFields = split(message);
  lastSplit = message;
  return lastFields;
}

/** `\s` for one UTF-16 code unit, without the regex for the printable ASCII most log lines are made of. */
const isWhitespace = (code: number) => (code > 32 && code < 0xa0 ? false : /\s/.test(String.fromCharCode(code)));

function split(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = message.length;
  while (i < n) {
    const c = message[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const close = c === '"' ? '"' : c === "[" ? "]" : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end >= 0) {
        out.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    let j = i;
    while (j < n && !isWhitespace(message.charCodeAt(j))) j++;
    out.push(message.slice(i, j));
    i = j;
  }
  return out;
}
