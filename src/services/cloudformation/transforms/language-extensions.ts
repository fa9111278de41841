// The AWS::LanguageExtensions transform: Fn::ForEach loops expanded (in Resources, Outputs, Conditions and any
// object below them, resource properties included; nested loops; `${Identifier}` and `&{Identifier}` — the value
// with its non-alphanumeric characters removed — in the loop's keys, `Ref: Identifier` and `${Identifier}` in
// Fn::Sub in the values), and DeletionPolicy / UpdateReplacePolicy given as an intrinsic function resolved to its string from
// the parameters. Fn::Length, Fn::ToJsonString and Fn::FindInMap's DefaultValue need no rewriting here: the
// evaluator (template/intrinsics.ts) runs them when the processed template is evaluated.
//
// Wordings: AWS prefixes a failure of this transform with "Transform AWS::LanguageExtensions failed with: " (as
// public reports quote it, e.g. aws-cloudformation/cfn-language-discussion#156); the texts after it are unverified.
import type { HandlerContext } from "../../../core/context.js";
import { ServiceError } from "../../../core/errors.js";
import { evaluate, evaluateConditions, type EvalContext, type Template } from "../template/index.js";
import type { TransformOptions } from "./index.js";

const failed = (message: string) => new ServiceError("ValidationError", `Transform AWS::LanguageExtensions failed with: ${message}`, 400);
const FOR_EACH = "Fn::ForEach::";
const POLICIES = new Set(["Delete", "Retain", "Snapshot", "RetainExceptOnCreate"]);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Given parameter values (ParameterKey → ParameterValue), as the stack operation passes them. */
export type GivenValues = Record<string, unknown>;

export async function languageExtensions(
  template: Template,
  ctx: HandlerContext,
  _parameters?: Record<string, unknown>,
  opts: TransformOptions = {},
): Promise<Template> {
  const given: GivenValues = opts.given ?? {};
  const env = context(template, ctx, given);
  const out: Template = { ...template };
  for (const section of ["Resources", "Outputs", "Conditions"] as const) {
    const s = template[section];
    if (isObject(s)) (out as unknown as Record<string, unknown>)[section] = expandObject(s, new Map(), env, section);
  }
  for (const [id, r] of Object.entries(out.Resources ?? {})) {
    if (!isObject(r)) continue;
    for (const attr of ["DeletionPolicy", "UpdateReplacePolicy"] as const) {
      const p = r[attr];
      if (p === undefined || typeof p === "string") continue;
      let v: unknown;
      try {
        v = evaluate(p, env());
      } catch (e) {
        throw failed(`${attr} of resource ${id} could not be resolved: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (typeof v !== "string" || !POLICIES.has(v)) throw failed(`${attr} of resource ${id} must resolve to one of ${[...POLICIES].join(", ")}`);
      out.Resources[id] = { ...out.Resources[id], [attr]: v };
    }
  }
  return out;
}

/** What a loop's collection and a policy may read: parameters (given or default), pseudo parameters, mappings,
 *  conditions. Built on first use, once. */
function context(template: Template, ctx: HandlerContext, given: GivenValues): () => EvalContext {
  let built: EvalContext | undefined;
  return () => {
    if (built) return built;
    const parameters: Record<string, string | string[]> = {};
    for (const [name, d] of Object.entries(template.Parameters ?? {})) {
      const raw = given[name] ?? (Array.isArray(d?.Default) ? d.Default.join(",") : d?.Default);
      if (raw === undefined || raw === null) continue;
      const list = d.Type === "CommaDelimitedList" || /^List<|<List<|CommaDelimitedList>/.test(d.Type);
      parameters[name] = list
        ? String(raw) === ""
          ? []
          : String(raw)
              .split(",")
              .map((x) => x.trim())
        : String(raw);
    }
    const base = {
      pseudo: { accountId: ctx.account, region: ctx.region, stackName: "", stackId: "" },
      parameters,
      mappings: template.Mappings,
      resources: new Set<string>(),
    };
    let conditions: Record<string, boolean> = {};
    try {
      conditions = evaluateConditions(template, base);
    } catch {
      // Conditions that need what a loop makes are evaluated later, by the engine.
    }
    built = { ...base, conditions };
    return built;
  };
}

/** An object with its Fn::ForEach keys expanded and its values walked. */
function expandObject(obj: Record<string, unknown>, vars: Map<string, string>, env: () => EvalContext, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => {
    if (k in out) throw failed(`${where} has duplicate key ${k} after Fn::ForEach is expanded`);
    out[k] = v;
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith(FOR_EACH)) for (const [ek, ev] of forEach(k, v, vars, env, where)) put(ek, ev);
    // Only a loop's own keys (its fragment's) take the identifier; keys nested below them stay as written.
    else put(k, walk(v, vars, env, `${where}/${k}`));
  }
  return out;
}

function forEach(key: string, v: unknown, vars: Map<string, string>, env: () => EvalContext, where: string): [string, unknown][] {
  const loop = key.slice(FOR_EACH.length);
  if (!/^[A-Za-z0-9]+$/.test(loop)) throw failed(`Fn::ForEach loop name ${loop} must be alphanumeric`);
  if (!Array.isArray(v) || v.length !== 3) throw failed(`Fn::ForEach::${loop} layout is incorrect`);
  const [identifier, collection, fragment] = v;
  if (typeof identifier !== "string" || !/^[A-Za-z0-9]+$/.test(identifier)) throw failed(`Fn::ForEach::${loop} identifier must be an alphanumeric string`);
  if (vars.has(identifier)) throw failed(`Fn::ForEach::${loop} identifier ${identifier} is already used by an enclosing loop`);
  if (!isObject(fragment)) throw failed(`Fn::ForEach::${loop} layout is incorrect: its third element must be an object`);
  const items = values(walk(collection, vars, env, where), env, loop);
  const out: [string, unknown][] = [];
  for (const item of items) {
    const inner = new Map(vars).set(identifier, item);
    for (const [k, tv] of Object.entries(fragment)) {
      if (k.startsWith(FOR_EACH)) out.push(...forEach(k, tv, inner, env, where));
      else out.push([substituteKey(k, inner), walk(tv, inner, env, `${where}/${k}`)]);
    }
  }
  return out;
}

/** A loop's collection: a list (of strings, or functions that give strings), or a function that gives a list. */
function values(collection: unknown, env: () => EvalContext, loop: string): string[] {
  let v: unknown;
  try {
    v = evaluate(collection, env());
  } catch (e) {
    throw failed(`Fn::ForEach::${loop} collection could not be resolved: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string" || typeof x === "number" || typeof x === "boolean")) {
    throw failed(`Fn::ForEach::${loop} collection must be a list of strings`);
  }
  return v.map(String);
}

const substituteKey = (k: string, vars: Map<string, string>): string =>
  vars.size
    ? k.replace(/([$&])\{([A-Za-z0-9]+)\}/g, (whole, sigil: string, name: string) => {
        const value = vars.get(name);
        if (value === undefined) return whole;
        return sigil === "&" ? value.replace(/[^A-Za-z0-9]/g, "") : value;
      })
    : k;

// Only `${X}` in a Fn::Sub string: `&{X}` there, and `${X}` in a plain string, stay literal (as measured on AWS and
// recorded in ministackorg/ministack#1739).
const substituteSub = (s: string, vars: Map<string, string>, own: Record<string, unknown>): string =>
  s.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => (vars.has(name) && !(name in own) ? vars.get(name)! : whole));

/** A logical id written as a Fn::Sub the loop made literal (`Ref: !Sub "Queue${X}"`): the plain string. */
const literalSub = (v: unknown): unknown => {
  if (!isObject(v) || Object.keys(v).length !== 1 || !("Fn::Sub" in v)) return v;
  const arg = v["Fn::Sub"];
  return typeof arg === "string" && !/\$\{/.test(arg) ? arg : v;
};

/** A value with the loop identifiers replaced: `Ref: X`, `${X}` in Fn::Sub; nested objects expanded in turn. */
function walk(v: unknown, vars: Map<string, string>, env: () => EvalContext, where: string): unknown {
  if (Array.isArray(v)) return v.map((x) => walk(x, vars, env, where));
  if (!isObject(v)) return v;
  const keys = Object.keys(v);
  // Fn::Length is resolved here when its list is known from parameters and literals (the processed template shows
  // the number, as AWS's does); over a resource's values it is left to the evaluator.
  if (keys.length === 1 && keys[0] === "Fn::Length") {
    const walked = { "Fn::Length": walk(v["Fn::Length"], vars, env, where) };
    try {
      return evaluate(walked, env());
    } catch {
      return walked;
    }
  }
  if (keys.length === 1 && vars.size) {
    const [k] = keys;
    const arg = v[k];
    if (k === "Ref" && typeof arg === "string" && vars.has(arg)) return vars.get(arg);
    if (k === "Ref" && isObject(arg)) return { Ref: literalSub(walk(arg, vars, env, where)) };
    if (k === "Fn::GetAtt" && Array.isArray(arg)) {
      const [target, ...rest] = arg.map((x) => walk(x, vars, env, where));
      return { "Fn::GetAtt": [literalSub(target), ...rest] };
    }
    if (k === "Fn::Sub") {
      if (typeof arg === "string") return { "Fn::Sub": substituteSub(arg, vars, {}) };
      if (Array.isArray(arg) && typeof arg[0] === "string") {
        const own = isObject(arg[1]) ? arg[1] : {};
        return { "Fn::Sub": [substituteSub(arg[0], vars, own), ...arg.slice(1).map((x) => walk(x, vars, env, where))] };
      }
    }
  }
  return expandObject(v, vars, env, where);
}
