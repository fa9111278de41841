// The Conditions section: each condition's truth, with conditions referring to one another (Condition, Fn::If).
//
// Wordings: the Fn::Equals, Fn::And, Fn::Or and Fn::Not texts and "Cannot reference resources in the Conditions
// block of the template" are AWS's as Eucalyptus's CloudFormation recorded them (IntrinsicFunctions.java,
// TemplateParser.java); the circular-condition text is unverified.
import { formatError, isObject, templateError } from "./errors.js";
import { type EvalContext, evaluate } from "./intrinsics.js";
import { PSEUDO_PARAMETERS } from "./structure.js";
import type { Template } from "./types.js";

const AND_ERR = (f: string) => `every ${f} object requires a list of at least 2 and at most 10 boolean parameters.`;

/** Evaluates every condition of the template (parameters, pseudo parameters and mappings come from ctx). */
export function evaluateConditions(template: Template, ctx: Omit<EvalContext, "conditions">): Record<string, boolean> {
  const decls = template.Conditions ?? {};
  // Conditions are evaluated before any resource exists: a Ref to a resource is refused up front.
  const params = new Set(Object.keys(template.Parameters ?? {}));
  const resourceRefs = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      if (typeof v.Ref === "string" && Object.keys(v).length === 1) {
        if (!params.has(v.Ref) && !PSEUDO_PARAMETERS.has(v.Ref)) resourceRefs.add(v.Ref);
      } else if ("Fn::GetAtt" in v && Object.keys(v).length === 1) {
        const a = v["Fn::GetAtt"];
        resourceRefs.add(String(Array.isArray(a) ? a[0] : String(a).split(".")[0]));
      } else Object.values(v).forEach(walk);
    }
  };
  walk(decls);
  if (resourceRefs.size) {
    throw formatError(`Unresolved dependencies [${[...resourceRefs].join(", ")}]. Cannot reference resources in the Conditions block of the template`);
  }

  const done: Record<string, boolean> = {};
  const visiting = new Set<string>();
  const evalCtx: EvalContext = { ...ctx, conditions: done };
  const named = (name: unknown): boolean => {
    if (typeof name !== "string") throw templateError("All Conditions must be of type string");
    if (name in done) return done[name];
    if (!(name in decls)) throw templateError(`unresolved condition dependency ${name} in the Conditions block of the template`); // unverified
    if (visiting.has(name)) throw templateError(`Found circular condition dependency: ${[...visiting, name].join(" -> ")}`); // unverified
    visiting.add(name);
    const result = truth(decls[name]);
    visiting.delete(name);
    done[name] = result;
    return result;
  };
  // A condition function: its arguments are other condition functions, except Fn::Equals's two values.
  const truth = (v: unknown): boolean => {
    if (!isObject(v) || Object.keys(v).length !== 1) throw templateError("Conditions can only be boolean operations on parameters and other conditions"); // unverified
    const [k] = Object.keys(v);
    const arg = v[k];
    switch (k) {
      case "Condition":
        return named(arg);
      case "Fn::Equals": {
        if (!Array.isArray(arg) || arg.length !== 2) throw templateError("Fn::Equals requires a list argument with two elements");
        // Fn::If inside a condition's value refers to other conditions: evaluate those first.
        for (const c of conditionNames(arg)) named(c);
        const [a, b] = arg.map((x) => canonical(evaluate(x, evalCtx)));
        return a === b;
      }
      case "Fn::And":
      case "Fn::Or": {
        if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) throw templateError(AND_ERR(k));
        const values = arg.map(truth);
        return k === "Fn::And" ? values.every(Boolean) : values.some(Boolean);
      }
      case "Fn::Not":
        if (!Array.isArray(arg) || arg.length !== 1) throw templateError("Fn::Not requires a list argument with one element");
        if (!isObject(arg[0])) throw templateError("Fn::Not requires a list argument with one function token");
        return !truth(arg[0]);
      default:
        throw templateError("Conditions can only be boolean operations on parameters and other conditions"); // unverified
    }
  };
  // Declaration order in the result, whatever order references made them evaluate in.
  return Object.fromEntries(Object.keys(decls).map((name) => [name, named(name)]));
}

/** Values compare as CloudFormation compares them: as strings (a Number parameter's "1" equals the literal 1). */
const canonical = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v ?? null));

function conditionNames(v: unknown, into: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) conditionNames(x, into);
  else if (isObject(v)) {
    const f = v["Fn::If"];
    if (Array.isArray(f) && typeof f[0] === "string" && Object.keys(v).length === 1) into.push(f[0]);
    for (const x of Object.values(v)) conditionNames(x, into);
  }
  return into;
}
