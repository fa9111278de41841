// IAM policy Condition blocks: every operator family, …IfExists, ForAnyValue:/ForAllValues:, Null,
// and ${…} policy variables, decided against a request context as IAM documents it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).

/** Condition keys (lower-cased, as IAM compares them case-insensitively) → value(s); absent = not in the request. */
export type ConditionContext = Record<string, string | string[] | undefined>;

type PolicyValue = string | number | boolean;

interface Operator {
  /** Negated operators (StringNotEquals…) hold when the value matches none of the policy's values. */
  negated: boolean;
  /** Whether one context value matches one policy value (the positive form). */
  match(contextValue: string, policyValue: string, ctx: ConditionContext): boolean;
}

// Glob match for StringLike / ArnLike: * any run, ? one character; no other specials.
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, "[\\s\\S]*")
      .replace(/\?/g, "[\\s\\S]")}$`,
    ignoreCase ? "i" : "",
  );
  return re.test(value);
}

/** Substitutes ${key} policy variables (and ${*}, ${?}, ${$}); undefined when a variable has no value. */
export function substituteVariables(text: string, ctx: ConditionContext): string | undefined {
  let missing = false;
  const out = text.replace(/\$\{([^}]*)\}/g, (_m, body: string) => {
    if (body === "*" || body === "?" || body === "$") return body;
    const [name, fallback] = body.split(/,\s*/, 2);
    const v = ctx[name.trim().toLowerCase()];
    if (typeof v === "string") return v;
    const d = fallback?.match(/^'(.*)'$/);
    if (d) return d[1];
    missing = true;
    return "";
  });
  return missing ? undefined : out;
}

// ${*} and ${?} stand for literal wildcard characters in a Like pattern.
function likePattern(policyValue: string, ctx: ConditionContext): ((v: string) => boolean) | undefined {
  const parts = policyValue.split(/(\$\{[*?$]\})/);
  const escaped: string[] = [];
  for (const p of parts) {
    if (p === "${*}" || p === "${?}" || p === "${$}") {
      escaped.push(p.charAt(2).replace(/[*?$]/, (c) => `\\${c}`));
      continue;
    }
    const s = substituteVariables(p, ctx);
    if (s === undefined) return undefined;
    escaped.push(
      s
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, "[\\s\\S]*")
        .replace(/\?/g, "[\\s\\S]"),
    );
  }
  const re = new RegExp(`^${escaped.join("")}$`);
  return (v) => re.test(v);
}

const str = (f: (a: string, b: string) => boolean) => (c: string, p: string, ctx: ConditionContext) => {
  const v = substituteVariables(p, ctx);
  return v !== undefined && f(c, v);
};
const like = (c: string, p: string, ctx: ConditionContext) => likePattern(p, ctx)?.(c) ?? false;

const num = (f: (a: number, b: number) => boolean) => (c: string, p: string) => {
  const a = Number(c),
    b = Number(p);
  return c.trim() !== "" && p.trim() !== "" && !Number.isNaN(a) && !Number.isNaN(b) && f(a, b);
};

// Dates are ISO 8601 or epoch seconds, on either side.
function parseDate(s: string): number {
  if (/^\d+$/.test(s.trim())) return Number(s) * 1000;
  return Date.parse(s);
}
const date = (f: (a: number, b: number) => boolean) => (c: string, p: string) => {
  const a = parseDate(c),
    b = parseDate(p);
  return !Number.isNaN(a) && !Number.isNaN(b) && f(a, b);
};

function ipv4ToInt(ip: string): number | undefined {
  const m = ip.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((x) => x > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function ipMatch(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const a = ipv4ToInt(ip),
    b = ipv4ToInt(base);
  if (a === undefined || b === undefined) return ip.toLowerCase() === cidr.toLowerCase();
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

// ARNs compare part by part (the resource part keeps its colons); ArnEquals and ArnLike both take wildcards.
function arnMatch(value: string, pattern: string, ctx: ConditionContext): boolean {
  const p = substituteVariables(pattern, ctx);
  if (p === undefined) return false;
  const split = (a: string) => {
    const parts = a.split(":");
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const vp = split(value),
    pp = split(p);
  if (!vp || !pp) return false;
  return pp.every((seg, i) => globMatch(seg, vp[i]));
}

const OPERATORS: Record<string, Operator> = {
  stringequals: { negated: false, match: str((a, b) => a === b) },
  stringnotequals: { negated: true, match: str((a, b) => a === b) },
  stringequalsignorecase: { negated: false, match: str((a, b) => a.toLowerCase() === b.toLowerCase()) },
  stringnotequalsignorecase: { negated: true, match: str((a, b) => a.toLowerCase() === b.toLowerCase()) },
  stringlike: { negated: false, match: like },
  stringnotlike: { negated: true, match: like },
  numericequals: { negated: false, match: num((a, b) => a === b) },
  numericnotequals: { negated: true, match: num((a, b) => a === b) },
  numericlessthan: { negated: false, match: num((a, b) => a < b) },
  numericlessthanequals: { negated: false, match: num((a, b) => a <= b) },
  numericgreaterthan: { negated: false, match: num((a, b) => a > b) },
  numericgreaterthanequals: { negated: false, match: num((a, b) => a >= b) },
  dateequals: { negated: false, match: date((a, b) => a === b) },
  datenotequals: { negated: true, match: date((a, b) => a === b) },
  datelessthan: { negated: false, match: date((a, b) => a < b) },
  datelessthanequals: { negated: false, match: date((a, b) => a <= b) },
  dategreaterthan: { negated: false, match: date((a, b) => a > b) },
  dategreaterthanequals: { negated: false, match: date((a, b) => a >= b) },
  bool: { negated: false, match: str((a, b) => a.toLowerCase() === b.toLowerCase()) },
  binaryequals: { negated: false, match: (a, b) => a === b },
  ipaddress: { negated: false, match: (a, b) => ipMatch(a, b) },
  notipaddress: { negated: true, match: (a, b) => ipMatch(a, b) },
  arnequals: { negated: false, match: arnMatch },
  arnlike: { negated: false, match: arnMatch },
  arnnotequals: { negated: true, match: arnMatch },
  arnnotlike: { negated: true, match: arnMatch },
};

const asList = (v: unknown): PolicyValue[] => (Array.isArray(v) ? v : [v]) as PolicyValue[];

/** Whether one context value satisfies the operator against the policy's values (OR, or NOR when negated). */
function valueMatches(op: Operator, contextValue: string, policyValues: string[], ctx: ConditionContext): boolean {
  const any = policyValues.some((p) => op.match(contextValue, p, ctx));
  return op.negated ? !any : any;
}

/** Evaluates one `"Operator": { "key": values }` pair. */
export function evaluateOperator(operatorName: string, key: string, rawValues: unknown, ctx: ConditionContext): boolean {
  let name = operatorName;
  let set: "any" | "all" | undefined;
  const lower = name.toLowerCase();
  if (lower.startsWith("foranyvalue:")) (set = "any"), (name = name.slice("ForAnyValue:".length));
  else if (lower.startsWith("forallvalues:")) (set = "all"), (name = name.slice("ForAllValues:".length));
  let opName = name.toLowerCase();
  const policyValues = asList(rawValues).map((v) => String(v));
  const actual = ctx[key.toLowerCase()];
  const present = actual !== undefined && !(Array.isArray(actual) && actual.length === 0);

  if (opName === "null") {
    // "true" means the key must be absent, "false" that it must be present.
    return policyValues.some((p) => (p.toLowerCase() === "true") === !present);
  }
  const ifExists = opName.endsWith("ifexists");
  if (ifExists) opName = opName.slice(0, -"ifexists".length);
  const op = OPERATORS[opName];
  // An operator IAM does not know never matches (IAM rejects such policies when they are saved).
  if (!op) return false;

  const values = actual === undefined ? [] : Array.isArray(actual) ? actual : [actual];
  if (set === "all") return values.every((v) => valueMatches(op, v, policyValues, ctx));
  if (set === "any") return values.some((v) => valueMatches(op, v, policyValues, ctx));
  if (!present) return ifExists || op.negated;
  // A multi-valued key under a single-valued operator: some value must match (none, when negated).
  const hits = values.some((v) => policyValues.some((p) => op.match(v, p, ctx)));
  return op.negated ? !hits : hits;
}

/** A whole Condition element: every operator, and every key under it, must hold. */
export function evaluateCondition(condition: unknown, ctx: ConditionContext): boolean {
  if (condition === undefined || condition === null) return true;
  if (typeof condition !== "object" || Array.isArray(condition)) return false;
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof block !== "object" || block === null || Array.isArray(block)) return false;
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      if (!evaluateOperator(operator, key, values, ctx)) return false;
    }
  }
  return true;
}
