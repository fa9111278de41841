// The Rules section: each rule's RuleCondition and Assertions, evaluated against the parameter values before a
// stack or change set is created or updated (AWS: "If a parameter value isn't valid, CloudFormation doesn't create
// or update the stack. If the condition evaluates to false, CloudFormation doesn't check the parameter value").
// A false Assert refuses the call with a ValidationError worded by its AssertDescription.
//
// Rule-specific functions, as AWS's "Rule functions" page lists them: Fn::And, Fn::Contains, Fn::EachMemberEquals,
// Fn::EachMemberIn, Fn::Equals, Fn::If, Fn::Not, Fn::Or, Fn::RefAll, Fn::ValueOf, Fn::ValueOfAll, and Ref.
// Fn::RefAll, Fn::ValueOf and Fn::ValueOfAll read the account's resources of an AWS-specific parameter type (a VPC's
// tags, every subnet id): Stratus refuses them with a clear error instead of answering without looking.
import { isObject, templateError, validationError, formatError } from "./errors.js";
import { type EvalContext, evaluate } from "./intrinsics.js";
import type { Template } from "./types.js";

type Ctx = Omit<EvalContext, "conditions"> & { conditions?: Record<string, boolean> };

/** Every rule of the template, in order: throws the first failed assertion's ValidationError. */
export function checkRules(template: Template, ctx: Ctx): void {
  const rules = template.Rules ?? {};
  for (const [name, rule] of Object.entries(rules)) {
    if (!isObject(rule)) throw formatError(`Every Rules member must be an object.`); // unverified
    if (!Array.isArray(rule.Assertions)) throw formatError(`Every Rules member must contain an Assertions list.`); // unverified
    if (rule.RuleCondition !== undefined && !truth(rule.RuleCondition, ctx, name)) continue;
    for (const a of rule.Assertions) {
      if (!isObject(a) || !("Assert" in a)) throw formatError(`Every Assertions member must contain an Assert.`); // unverified
      if (truth(a.Assert, ctx, name)) continue;
      // AWS's message is the AssertDescription; without one, Stratus's wording (unverified).
      throw validationError(typeof a.AssertDescription === "string" ? a.AssertDescription : `Template error: Assertion failed for rule ${name}`);
    }
  }
}

function truth(v: unknown, ctx: Ctx, rule: string): boolean {
  const r = value(v, ctx);
  if (r === true || r === "true") return true;
  if (r === false || r === "false") return false;
  throw templateError(`Rule ${rule} must evaluate to a boolean value.`); // unverified
}

const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v ?? null));
const list = (v: unknown, fn: string): string[] => {
  if (Array.isArray(v)) return v.map(str);
  throw templateError(`${fn} requires a list of strings as its first argument.`); // unverified
};

/** A rule function's value: booleans from the logical functions, parameter values from Ref, literals as given. */
function value(v: unknown, ctx: Ctx): unknown {
  if (Array.isArray(v)) return v.map((x) => value(x, ctx));
  if (!isObject(v)) return v;
  const keys = Object.keys(v);
  if (keys.length !== 1) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, ctx)]));
  const [fn] = keys;
  const arg = v[fn];
  const args = (n: number): unknown[] => {
    if (!Array.isArray(arg) || arg.length !== n) throw templateError(`${fn} requires a list argument with ${n} elements.`); // unverified
    return arg;
  };
  switch (fn) {
    case "Ref":
      // A name that is neither a parameter nor a pseudo parameter (the pattern of AWS's other sections' wording).
      if (typeof arg === "string" && !arg.startsWith("AWS::") && !(ctx.parameters && arg in ctx.parameters))
        throw formatError(`Unresolved resource dependencies [${arg}] in the Rules block of the template`); // unverified
      return evaluate(v, ctx);
    case "Fn::Equals": {
      const [a, b] = args(2).map((x) => value(x, ctx));
      return str(a) === str(b);
    }
    case "Fn::And":
    case "Fn::Or": {
      if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10)
        throw templateError(`every ${fn} object requires a list of at least 2 and at most 10 boolean parameters.`);
      const all = arg.map((x) => truth(x, ctx, fn));
      return fn === "Fn::And" ? all.every(Boolean) : all.some(Boolean);
    }
    case "Fn::Not":
      return !truth(args(1)[0], ctx, fn);
    case "Fn::If": {
      const [c, yes, no] = args(3);
      const known = typeof c === "string" ? ctx.conditions?.[c] : undefined;
      if (known === undefined) throw templateError(`unresolved condition dependency ${String(c)} in Fn::If`);
      return value(known ? yes : no, ctx);
    }
    case "Fn::Contains": {
      const [l, s] = args(2).map((x) => value(x, ctx));
      return list(l, fn).includes(str(s));
    }
    case "Fn::EachMemberEquals": {
      const [l, s] = args(2).map((x) => value(x, ctx));
      return list(l, fn).every((m) => m === str(s));
    }
    case "Fn::EachMemberIn": {
      const [l, allowed] = args(2).map((x) => value(x, ctx));
      const ok = list(allowed, fn);
      return list(l, fn).every((m) => ok.includes(m));
    }
    case "Fn::RefAll":
    case "Fn::ValueOf":
    case "Fn::ValueOfAll":
      throw validationError(`${fn} in the Rules section is not supported by Stratus yet: it reads the account's resources of a parameter type.`);
    default:
      // unverified wording
      throw formatError(`Following functions are not supported in the Rules block of the template: [${fn}]`);
  }
}
