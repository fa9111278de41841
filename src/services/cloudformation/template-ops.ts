// What the engine needs of the template language: parse, the resources' dependencies, and evaluation of
// intrinsic functions. (A first cut: the full language — every intrinsic, parameter constraints, conditions with
// AWS's wordings — is template/'s, which this delegates to as it lands.)
import { parse as parseYaml, type Tags } from "yaml";
import { ServiceError } from "../../core/errors.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface ResourceDecl {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Json;
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, { Type: string; Default?: Json; NoEcho?: boolean | string; Description?: string; AllowedValues?: Json[] }>;
  Mappings?: Record<string, Record<string, Record<string, Json>>>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, ResourceDecl>;
  Outputs?: Record<string, { Value: Json; Description?: string; Export?: { Name: Json }; Condition?: string }>;
}

export const formatError = (message: string) => new ServiceError("ValidationError", `Template format error: ${message}`, 400);

// CloudFormation's YAML short forms, each the long form's one-key object (!GetAtt a.b is ["a", "b"]).
const FN = [
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "If",
  "Equals",
  "And",
  "Or",
  "Not",
  "Length",
  "ToJsonString",
  "Transform",
];
const customTags: Tags = [
  ...FN.flatMap((f) =>
    (["scalar", "seq", "map"] as const).map((collection) => ({
      tag: `!${f}`,
      collection: collection === "scalar" ? undefined : collection,
      resolve: (v: unknown) => ({ [`Fn::${f}`]: toJs(v) }),
    })),
  ),
  { tag: "!Ref", resolve: (v: unknown) => ({ Ref: String(v) }) },
  { tag: "!Condition", resolve: (v: unknown) => ({ Condition: String(v) }) },
  { tag: "!GetAtt", resolve: (v: unknown) => ({ "Fn::GetAtt": splitAtt(String(v)) }) },
  { tag: "!GetAtt", collection: "seq", resolve: (v: unknown) => ({ "Fn::GetAtt": toJs(v) }) },
] as Tags;

function toJs(v: unknown): unknown {
  return v && typeof v === "object" && "toJSON" in v && typeof (v as { toJSON: unknown }).toJSON === "function" ? (v as { toJSON(): unknown }).toJSON() : v;
}
const splitAtt = (s: string) => {
  const i = s.indexOf(".");
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
};

export function parseTemplate(body: string): Template {
  let t: unknown;
  const trimmed = body.trimStart();
  try {
    t = trimmed.startsWith("{") ? JSON.parse(body) : parseYaml(body, { customTags, schema: "core", uniqueKeys: true });
  } catch (e) {
    throw formatError(trimmed.startsWith("{") ? "JSON not well-formed." : `YAML not well-formed. ${(e as Error).message.split("\n")[0]}`);
  }
  if (!t || typeof t !== "object" || Array.isArray(t)) throw formatError("unsupported structure.");
  const tpl = t as Template;
  if (!tpl.Resources || typeof tpl.Resources !== "object" || Object.keys(tpl.Resources).length === 0) {
    throw formatError("At least one Resources member must be defined.");
  }
  return tpl;
}

/** The logical ids a value refers to (Ref, GetAtt, ${X} in Sub), pseudo parameters and parameters left out. */
function refsIn(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "Ref" && typeof x === "string") out.add(x);
      else if (k === "Fn::GetAtt") out.add(Array.isArray(x) ? String(x[0]) : String(x).split(".")[0]);
      else if (k === "Fn::Sub") {
        const text = Array.isArray(x) ? x[0] : x;
        if (typeof text === "string") for (const m of text.matchAll(/\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g)) out.add(m[1]);
        if (Array.isArray(x)) refsIn(x[1], out);
      } else refsIn(x, out);
    }
  }
}

/** Each resource's dependencies on other resources (refs and DependsOn); AWS's errors for missing ones and cycles. */
export function dependencies(t: Template): Map<string, Set<string>> {
  const ids = new Set(Object.keys(t.Resources));
  const deps = new Map<string, Set<string>>();
  const unresolved = new Set<string>();
  const params = new Set(Object.keys(t.Parameters ?? {}));
  for (const [id, r] of Object.entries(t.Resources)) {
    const refs = new Set<string>();
    refsIn(r.Properties, refs);
    const on = r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    const mine = new Set<string>();
    for (const x of [...refs, ...on]) {
      if (x.startsWith("AWS::") || params.has(x)) continue;
      if (!ids.has(x)) unresolved.add(x);
      else mine.add(x);
    }
    deps.set(id, mine);
  }
  if (unresolved.size) throw formatError(`Unresolved resource dependencies [${[...unresolved].join(", ")}] in the Resources block of the template`);
  return deps;
}

/** Resources in waves: each wave's resources depend only on earlier waves (created in parallel within one). */
export function waves(deps: Map<string, Set<string>>): string[][] {
  const done = new Set<string>();
  const out: string[][] = [];
  while (done.size < deps.size) {
    const wave = [...deps].filter(([id, d]) => !done.has(id) && [...d].every((x) => done.has(x))).map(([id]) => id);
    if (wave.length === 0) {
      const left = [...deps.keys()].filter((id) => !done.has(id));
      throw new ServiceError("ValidationError", `Circular dependency between resources: [${left.join(", ")}]`, 400);
    }
    for (const id of wave) done.add(id);
    out.push(wave);
  }
  return out;
}

export interface EvalEnv {
  refs: (name: string) => Json | undefined;
  getAtt: (logicalId: string, attribute: string) => Json | undefined;
  mappings: Template["Mappings"];
  conditions: Record<string, boolean>;
  region: string;
}

/** The value with its intrinsic functions evaluated; AWS::NoValue (and Fn::If choosing it) removes the key. */
export function evaluate(v: Json | undefined, env: EvalEnv): Json | undefined {
  if (Array.isArray(v)) return v.map((x) => evaluate(x, env)).filter((x) => x !== undefined) as Json[];
  if (!v || typeof v !== "object") return v;
  const keys = Object.keys(v);
  if (keys.length === 1) {
    const [k] = keys;
    const arg = v[k];
    switch (k) {
      case "Ref": {
        if (arg === "AWS::NoValue") return undefined;
        const r = env.refs(String(arg));
        if (r === undefined) throw formatError(`Unresolved resource dependencies [${arg}] in the Resources block of the template`);
        return r;
      }
      case "Fn::GetAtt": {
        const [id, attr] = Array.isArray(arg) ? arg.map(String) : splitAtt(String(arg));
        return env.getAtt(id, attr);
      }
      case "Fn::Join": {
        const [sep, list] = arg as [string, Json];
        return ((evaluate(list, env) as Json[]) ?? []).map(String).join(sep);
      }
      case "Fn::Select": {
        const [i, list] = arg as [Json, Json];
        return (evaluate(list, env) as Json[])[Number(evaluate(i, env))];
      }
      case "Fn::Split": {
        const [sep, s] = arg as [string, Json];
        return String(evaluate(s, env)).split(sep);
      }
      case "Fn::Base64":
        return Buffer.from(String(evaluate(arg, env))).toString("base64");
      case "Fn::GetAZs":
        return ["a", "b", "c"].map((z) => `${(evaluate(arg, env) as string) || env.region}${z}`);
      case "Fn::FindInMap": {
        const [m, a, b] = (arg as Json[]).map((x) => String(evaluate(x, env)));
        return env.mappings?.[m]?.[a]?.[b];
      }
      case "Fn::If": {
        const [cond, yes, no] = arg as [string, Json, Json];
        return evaluate(env.conditions[cond] ? yes : no, env);
      }
      case "Fn::Sub": {
        const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, Json>];
        const local = Object.fromEntries(Object.entries(vars ?? {}).map(([n, x]) => [n, evaluate(x, env)]));
        return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
          if (name.startsWith("!")) return `\${${name.slice(1)}}`;
          if (name in local) return String(local[name]);
          const dot = name.indexOf(".");
          const value = dot > 0 && !name.startsWith("AWS::") ? env.getAtt(name.slice(0, dot), name.slice(dot + 1)) : env.refs(name);
          if (value === undefined) return whole;
          return String(value);
        });
      }
    }
  }
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) {
    const e = evaluate(x, env);
    if (e !== undefined) out[k] = e;
  }
  return out;
}
