// Rows a query works on: an event (its message decoded and its JSON fields discovered only when a command reads
// them, straight from the store's packed chunk), or a row stats made. @ptr points back at the event for GetLogRecord.
import type { ScannedChunk } from "../../../core/store/log-events.js";
import type { Row } from "./compile.js";
import { TimeVal, type Value } from "./values.js";

export interface ScanGroup {
  name: string;
  gid: number;
  /** Stream names by the event store's stream id. */
  streams: Map<number, string>;
  /** Events older than this (the group's retention) are not read. */
  floor: number;
}

/** A pointer to one event (@ptr), opaque to clients; GetLogRecord reads it back. */
export interface EventPointer {
  group: string;
  gid: number;
  sid: number;
  ts: number;
  seq: number;
}

export const encodePtr = (p: EventPointer) => Buffer.from(JSON.stringify([p.group, p.gid, p.sid, p.ts, p.seq])).toString("base64");

export function decodePtr(s: string): EventPointer | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, "base64").toString("utf8"));
    if (!Array.isArray(v) || v.length !== 5 || typeof v[0] !== "string" || !v.slice(1).every((n) => Number.isSafeInteger(n))) return undefined;
    return { group: v[0], gid: v[1], sid: v[2], ts: v[3], seq: v[4] };
  } catch {
    return undefined;
  }
}

/** A JSON message's fields, flattened with dots (arrays by index), as Logs Insights discovers them. */
export function jsonFields(message: string): Map<string, Value> | null {
  let i = 0;
  while (i < message.length && message.charCodeAt(i) <= 32) i++;
  if (message[i] !== "{") return null;
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    return null;
  }
  const out = new Map<string, Value>();
  const walk = (v: unknown, path: string) => {
    if (v === null || v === undefined) return;
    if (typeof v === "object") {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path ? `${path}.${k}` : k);
      return;
    }
    // Booleans are the words JSON wrote.
    out.set(path, typeof v === "boolean" ? String(v) : (v as Value));
  };
  walk(doc, "");
  return out;
}

// Fields Logs Insights discovers in Lambda's log groups (CWL_AnalyzeLogData-discoverable-fields): START, END and
// REPORT lines give @type and @requestId, REPORT lines also @duration, @billedDuration, @initDuration (ms) and
// @memorySize, @maxMemoryUsed (bytes: AWS's sample queries divide them by 1000 twice for MB); the function's own lines
// (`<time>\t<request id>\t<LEVEL>\t…`) give @requestId.
const LAMBDA_FIELDS = new Set(["@type", "@requestId", "@duration", "@billedDuration", "@initDuration", "@memorySize", "@maxMemoryUsed"]);
const LAMBDA_LINE = /^(START|END|REPORT) RequestId: (\S+)/;
const LAMBDA_OUTPUT = /^\d{4}-\d\d-\d\dT[^\t]*\t([0-9a-f-]{36})\t/;
const REPORT_PART: Record<string, [string, number]> = {
  "@duration": ["Duration", 1],
  "@billedDuration": ["Billed Duration", 1],
  "@initDuration": ["Init Duration", 1],
  "@memorySize": ["Memory Size", 1_000_000],
  "@maxMemoryUsed": ["Max Memory Used", 1_000_000],
};

function lambdaField(message: string, name: string): Value {
  const m = LAMBDA_LINE.exec(message);
  if (!m) return name === "@requestId" ? LAMBDA_OUTPUT.exec(message)?.[1] : undefined;
  if (name === "@type") return m[1];
  if (name === "@requestId") return m[2];
  const part = REPORT_PART[name];
  if (m[1] !== "REPORT" || !part) return undefined;
  const at = message.indexOf(`\t${part[0]}: `);
  if (at < 0) return undefined;
  const n = Number.parseFloat(message.slice(at + part[0].length + 3));
  return Number.isFinite(n) ? n * part[1] : undefined;
}

/** A message's JSON object (parsed once per row, read by path), or null when the message is not one. */
function parseJson(message: string): object | null {
  let i = 0;
  while (i < message.length && message.charCodeAt(i) <= 32) i++;
  if (message.charCodeAt(i) !== 0x7b) return null;
  try {
    return JSON.parse(message) as object;
  } catch {
    return null;
  }
}

/** A flattened name's value in a parsed object: `a.b.0` walks keys and indexes (a key may itself hold dots). */
function lookup(o: unknown, name: string): Value {
  if (o === null || typeof o !== "object") return undefined;
  const rec = o as Record<string, unknown>;
  if (Object.hasOwn(rec, name)) return leaf(rec[name]);
  for (let dot = name.indexOf("."); dot > 0; dot = name.indexOf(".", dot + 1)) {
    const head = name.slice(0, dot);
    if (Object.hasOwn(rec, head) && rec[head] !== null && typeof rec[head] === "object") {
      const v = lookup(rec[head], name.slice(dot + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

// Objects and arrays are not fields of their own (their members are); booleans are the words JSON wrote.
const leaf = (v: unknown): Value => (v === null || typeof v === "object" ? undefined : typeof v === "boolean" ? String(v) : (v as Value));

export class EventRow implements Row {
  extra: Map<string, Value> | undefined;
  private json: object | null | undefined;
  private msg: string | undefined;
  constructor(
    /** The message, or the chunk holding it at index `i`. */
    private src: string | ScannedChunk,
    private i: number,
    public at: number,
    public sid: number,
    public seq: number,
    public ingested: number,
    readonly g: ScanGroup,
    readonly account: string,
  ) {}
  /** Points this row at another event of a chunk (a scan whose rows do not outlive the event reuses one). */
  reset(c: ScannedChunk, i: number) {
    this.src = c;
    this.i = i;
    this.at = c.ts[i];
    this.sid = c.sid;
    this.seq = c.seq0 + i;
    this.ingested = c.ingested;
    this.extra?.clear();
    this.json = undefined;
    this.msg = undefined;
  }
  get message(): string {
    if (this.msg === undefined) {
      const c = this.src;
      if (typeof c === "string") this.msg = c;
      else {
        const start = this.i ? c.ends[this.i - 1] : 0;
        this.msg = c.ascii ? c.text.toString("latin1", start, c.ends[this.i]) : c.text.toString("utf8", start, c.ends[this.i]);
      }
    }
    return this.msg;
  }
  get(name: string): Value {
    if (this.extra?.has(name)) return this.extra.get(name);
    switch (name) {
      case "@timestamp":
        return new TimeVal(this.at);
      case "@message":
        return this.message;
      case "@logStream":
        return this.g.streams.get(this.sid);
      case "@log":
        return `${this.account}:${this.g.name}`;
      case "@ingestionTime":
        return new TimeVal(this.ingested);
      case "@ptr":
        return encodePtr({ group: this.g.name, gid: this.g.gid, sid: this.sid, ts: this.at, seq: this.seq });
    }
    if (LAMBDA_FIELDS.has(name) && this.g.name.startsWith("/aws/lambda/")) return lambdaField(this.message, name);
    if (this.json === undefined) this.json = parseJson(this.message);
    return this.json === null ? undefined : lookup(this.json, name);
  }
  set(name: string, v: Value) {
    (this.extra ??= new Map()).set(name, v);
  }
}

export class MapRow implements Row {
  readonly at = 0;
  constructor(readonly m: Map<string, Value>) {}
  get(name: string): Value {
    return this.m.get(name);
  }
  set(name: string, v: Value) {
    this.m.set(name, v);
  }
}
