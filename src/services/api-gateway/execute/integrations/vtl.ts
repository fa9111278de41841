// Mapping templates: Velocity (VTL) through velocityjs, with the variables API Gateway gives a template —
// $input (body, json(), path(), params()), $context, $stageVariables and $util — and the Java methods templates
// call on strings, lists and maps (Velocity runs on Java objects: `$s.length()`, `$m.containsKey()`, …), which
// velocityjs does not know. Reference:
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
// AWS's rendering differs from plain velocityjs: a null value and a reference to nothing both render as an empty
// string (velocityjs writes "null" and the reference's text), and $util has exactly AWS's six functions.
import { Compile, parse } from "velocityjs";
import { jsonPath } from "./jsonpath.js";

export interface TemplateParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

export interface TemplateVars {
  /** The payload the template maps (the method request's body, or the integration response's), as text. */
  body: string;
  /** The method request's parameters (in request and response templates alike). */
  params: TemplateParams;
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
}

/** The payload is not JSON, and the template asked for a JSON path of it. */
export class BodyNotJson extends Error {}

type Ast = ReturnType<typeof parse>;
const asts = new Map<string, Ast>();

function parsed(template: string): Ast {
  let ast = asts.get(template);
  if (!ast) {
    ast = parse(template);
    if (asts.size > 500) asts.clear();
    asts.set(template, ast);
  }
  return ast;
}

// --- Java's string escapes as API Gateway's $util functions apply them ---

const hex4 = (c: number) => c.toString(16).toUpperCase().padStart(4, "0");

/** Apache Commons Lang's StringEscapeUtils.escapeJavaScript (what $util.escapeJavaScript is): ' " \ / and controls, non-ASCII as \uXXXX. */
export function escapeJavaScript(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) out += `\\u${hex4(c)}`;
    else if (c < 32) {
      if (c === 8) out += "\\b";
      else if (c === 9) out += "\\t";
      else if (c === 10) out += "\\n";
      else if (c === 12) out += "\\f";
      else if (c === 13) out += "\\r";
      else out += `\\u${hex4(c)}`;
    } else if (c === 0x27) out += "\\'";
    else if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x2f) out += "\\/";
    else out += s[i];
  }
  return out;
}

/** java.net.URLEncoder.encode(s, "UTF-8"): letters, digits and . - * _ kept, space as +, the rest %XX. */
export function urlEncode(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9.\-*_]/.test(ch)) out += ch;
    else if (b === 0x20) out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** java.net.URLDecoder.decode(s, "UTF-8"): + is a space, %XX a byte. */
export function urlDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

const str = (v: unknown): string => (v === null || v === undefined ? "" : typeof v === "string" ? v : String(v));

const util = {
  escapeJavaScript: (s: unknown) => escapeJavaScript(str(s)),
  parseJson: (s: unknown) => {
    try {
      return JSON.parse(str(s)) as unknown;
    } catch {
      return null;
    }
  },
  urlEncode: (s: unknown) => urlEncode(str(s)),
  urlDecode: (s: unknown) => urlDecode(str(s)),
  base64Encode: (s: unknown) => Buffer.from(str(s), "utf8").toString("base64"),
  base64Decode: (s: unknown) => Buffer.from(str(s), "base64").toString("utf8"),
};

// --- Java methods on the values a template holds ---

type Handler = NonNullable<ConstructorParameters<typeof Compile>[1]>["customMethodHandlers"];
const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Maps whose keys are HTTP header names: get() finds a name in any case. */
const caseless = new WeakSet<object>();

type Receiver = "string" | "list" | "map" | "number";
const kindOf = (v: unknown): Receiver | undefined =>
  typeof v === "string" ? "string" : Array.isArray(v) ? "list" : isMap(v) ? "map" : typeof v === "number" ? "number" : undefined;

/** Java's methods by receiver (what velocityjs lacks or answers differently from Java: split and replaceAll take regexes). */
const JAVA: Record<Receiver, Record<string, (self: never, args: unknown[]) => unknown>> = {
  string: {
    length: (s: string) => s.length,
    isEmpty: (s: string) => s.length === 0,
    equals: (s: string, [o]) => s === o,
    equalsIgnoreCase: (s: string, [o]) => typeof o === "string" && s.toLowerCase() === o.toLowerCase(),
    contains: (s: string, [o]) => s.includes(str(o)),
    matches: (s: string, [re]) => new RegExp(`^(?:${str(re)})$`).test(s),
    replaceAll: (s: string, [re, to]) => s.replace(new RegExp(str(re), "g"), str(to)),
    replaceFirst: (s: string, [re, to]) => s.replace(new RegExp(str(re)), str(to)),
    split: (s: string, [re]) => s.split(new RegExp(str(re))),
    compareTo: (s: string, [o]) => (s < str(o) ? -1 : s > str(o) ? 1 : 0),
  },
  list: {
    isEmpty: (l: unknown[]) => l.length === 0,
    contains: (l: unknown[], [o]) => l.includes(o),
    remove: (l: unknown[], [i]) => {
      if (typeof i === "number") return l.splice(i, 1)[0];
      const at = l.indexOf(i);
      if (at >= 0) l.splice(at, 1);
      return at >= 0;
    },
    addAll: (l: unknown[], [o]) => {
      if (!Array.isArray(o)) return false;
      l.push(...o);
      return true;
    },
    equals: (l: unknown[], [o]) => JSON.stringify(l) === JSON.stringify(o),
  },
  map: {
    get: (m: Record<string, unknown>, [k]) => {
      const key = str(k);
      if (Object.hasOwn(m, key)) return m[key];
      if (caseless.has(m)) for (const [name, v] of Object.entries(m)) if (name.toLowerCase() === key.toLowerCase()) return v;
      return null;
    },
    isEmpty: (m: Record<string, unknown>) => Object.keys(m).length === 0,
    containsKey: (m: Record<string, unknown>, [k]) => Object.hasOwn(m, str(k)),
    containsValue: (m: Record<string, unknown>, [v]) => Object.values(m).includes(v),
    values: (m: Record<string, unknown>) => Object.values(m),
    remove: (m: Record<string, unknown>, [k]) => {
      const old = m[str(k)];
      delete m[str(k)];
      return old ?? null;
    },
    equals: (m: Record<string, unknown>, [o]) => JSON.stringify(m) === JSON.stringify(o),
  },
  number: {
    intValue: (n: number) => Math.trunc(n),
    equals: (n: number, [o]) => n === o,
  },
};

const javaMethod = (property: string, context: unknown) => {
  const kind = kindOf(context);
  if (!kind || !Object.hasOwn(JAVA[kind], property)) return undefined;
  // A map's own entry of that name (a JSON key "values") is the template's to call, not Java's.
  if (kind === "map" && Object.hasOwn(context as object, property)) return undefined;
  return JAVA[kind][property];
};

const handlers: Handler = [
  {
    uid: "java",
    match: ({ property, context }) => javaMethod(property, context) !== undefined,
    resolve: ({ property, context, params }) => javaMethod(property, context)!(context as never, params as unknown[]),
  },
];

/** velocityjs with API Gateway's rendering of null (an empty string). */
class AwsCompile extends Compile {
  // biome-ignore lint/suspicious/noExplicitAny: velocityjs's AST type
  override getReferences(ast: any, isVal?: boolean): any {
    // biome-ignore lint/suspicious/noExplicitAny: velocityjs's protected base
    const v = (Compile.prototype as any).getReferences.call(this, ast, isVal);
    return isVal && v === null ? "" : v;
  }

  /** $foreach as Velocity 1.7 has it: velocityjs knows index, count and hasNext; first and last too. */
  // biome-ignore lint/suspicious/noExplicitAny: velocityjs's AST type
  getLocal(ast: any): { value: any; isLocal: boolean } {
    // biome-ignore lint/suspicious/noExplicitAny: velocityjs's protected base
    const local = (Compile.prototype as any).getLocal.call(this, ast) as { value: any; isLocal: boolean };
    const f = local.value;
    if (ast.id === "foreach" && local.isLocal && f && typeof f === "object" && f.first === undefined) {
      f.first = f.index === 0;
      f.last = !f.hasNext;
    }
    return local;
  }
}

function inputOf(vars: TemplateVars) {
  let doc: { value: unknown } | undefined;
  const json = (): unknown => {
    if (!doc) {
      if (vars.body.trim() === "") doc = { value: {} };
      else {
        try {
          doc = { value: JSON.parse(vars.body) };
        } catch (e) {
          throw new BodyNotJson((e as Error).message);
        }
      }
    }
    return doc.value;
  };
  const { path, querystring, header } = vars.params;
  caseless.add(header);
  return {
    body: vars.body,
    json: (p: unknown) => {
      const v = jsonPath(json(), str(p) || "$");
      return v === undefined ? "" : JSON.stringify(v); // unverified: what AWS writes for a path that matches nothing
    },
    path: (p: unknown) => {
      const v = jsonPath(json(), str(p) || "$");
      return v === undefined ? null : v;
    },
    params: (name?: unknown) => {
      if (name === undefined) return { path, querystring, header };
      const n = str(name);
      // AWS's order: path, then query string, then header.
      return path[n] ?? querystring[n] ?? header[n] ?? Object.entries(header).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1] ?? "";
    },
  };
}

/** Renders a mapping template. Throws BodyNotJson when it reads a JSON path of a payload that is not JSON. */
/** A template with no reference or directive: plain text, which renders as itself (the CORS preflight's `{ statusCode: 200 }`). */
export const isPlainTemplate = (template: string): boolean => !template.includes("$") && !template.includes("#");

export function renderTemplate(template: string, vars: TemplateVars): string {
  if (isPlainTemplate(template)) return template;
  const compile = new AwsCompile(parsed(template), { customMethodHandlers: handlers });
  // Silent: a reference to nothing renders as nothing, as API Gateway renders it (plain Velocity writes it back).
  return compile.render({ input: inputOf(vars), context: vars.context, stageVariables: vars.stageVariables, util }, undefined, true);
}
