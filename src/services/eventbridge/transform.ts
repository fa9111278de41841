// What a target receives (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html):
// the event, or the target's constant Input, or the part of the event its InputPath selects, or its
// InputTransformer's template with placeholders filled from InputPathsMap (JSONPath into the event) and the
// predefined variables. A placeholder inside a JSON string in the template takes the value's text (a string as is,
// anything else as JSON, escaped for the string); outside one it takes the value as JSON (a string quoted).
import type { InputTransformer, Target } from "./api.generated.js";
import { ValidationException } from "./state.js";

const MAX_PATHS = 100;
const PREDEFINED = ["aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time", "aws.events.event", "aws.events.event.json"];

/** A JSONPath as InputPath and InputPathsMap take it: `$`, `$.a.b`, `$.a[0]`, `$['a b']`; undefined when malformed. */
export function parsePath(path: string): (string | number)[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const out: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return undefined;
    out.push(m[2] !== undefined ? Number(m[2]) : (m[1] ?? m[3] ?? m[4]));
  }
  return out;
}

export function valueAt(doc: unknown, path: (string | number)[]): unknown {
  let v: unknown = doc;
  for (const step of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[step];
  }
  return v;
}

const badPath = (p: string) => new ValidationException(`Parameter InputPath is not valid. Reason: ${p} is not a valid JSON path.`); // unverified wording

/** Checks an InputTransformer at PutTargets: at most 100 paths, each a JSONPath, no key reusing a predefined name. */
export function checkTransformer(t: InputTransformer): void {
  const paths = Object.entries(t.InputPathsMap ?? {});
  if (paths.length > MAX_PATHS)
    throw new ValidationException(`Parameter InputTransformer.InputPathsMap is not valid. Reason: at most ${MAX_PATHS} entries are allowed.`); // unverified wording
  for (const [k, p] of paths) {
    if (PREDEFINED.includes(k) || k.startsWith("aws."))
      throw new ValidationException(`Parameter InputTransformer.InputPathsMap is not valid. Reason: ${k} is a reserved name.`); // unverified wording
    if (!parsePath(p)) throw badPath(p);
  }
}

export function checkInputPath(p: string): void {
  if (!parsePath(p)) throw badPath(p);
}

export interface DeliveryContext {
  event: Record<string, unknown>;
  ruleArn: string;
  ruleName: string;
  ingested: number;
}

/** The text the target receives for this event. */
export function payloadFor(target: Target, d: DeliveryContext): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const v = valueAt(d.event, parsePath(target.InputPath) ?? []);
    return v === undefined ? "" : JSON.stringify(v); // unverified: AWS's answer for a path the event lacks
  }
  if (target.InputTransformer) return fill(target.InputTransformer, d);
  return JSON.stringify(d.event);
}

function fill(t: InputTransformer, d: DeliveryContext): string {
  const values = new Map<string, unknown>([
    ["aws.events.rule-arn", d.ruleArn],
    ["aws.events.rule-name", d.ruleName],
    ["aws.events.event.ingestion-time", new Date(d.ingested).toISOString().replace(/\.\d{3}Z$/, "Z")],
    ["aws.events.event", d.event],
    ["aws.events.event.json", d.event],
  ]);
  for (const [k, p] of Object.entries(t.InputPathsMap ?? {})) values.set(k, valueAt(d.event, parsePath(p) ?? []));
  const tpl = t.InputTemplate;
  let out = "";
  let inString = false;
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i];
    if (c === "\\" && inString) {
      out += c + (tpl[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === "<") {
      const end = tpl.indexOf(">", i);
      const name = end > i ? tpl.slice(i + 1, end) : "";
      if (name && values.has(name)) {
        const v = values.get(name);
        if (inString) out += v === undefined || v === null ? "" : JSON.stringify(typeof v === "string" ? v : JSON.stringify(v)).slice(1, -1);
        else out += v === undefined ? "null" : JSON.stringify(v); // unverified: a path the event lacks
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}
