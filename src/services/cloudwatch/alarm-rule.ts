// A composite alarm's AlarmRule (PutCompositeAlarm, "AlarmRule"): the functions ALARM(x), OK(x) and
// INSUFFICIENT_DATA(x) — x an alarm's name, quoted or not, or its ARN — the constants TRUE and FALSE, the operators
// AND, OR and NOT (NOT binds tightest, then AND, then OR) and parentheses; and AT_LEAST(M, STATE, (x, y, …)) — TRUE
// when at least M of the listed alarms are in STATE (ALARM, OK, INSUFFICIENT_DATA, or NOT one of them), M a count from
// 1 to the number of alarms or a percentage `M%` from 1 to 100 ("Creating a composite alarm" in the CloudWatch user
// guide; the form the CDK's AlarmRule.atLeast/atLeastNot render). Commas separate AT_LEAST's arguments, so a name
// holding a comma must be quoted. AWS's limits: at most 100 child alarms,
// 500 elements and 10 240 characters. A syntax error is AWS's `Error in AlarmRule [Unsupported token ')' at char 1]`
// (the message CloudFormation relays for an empty rule, aws/aws-cdk#34662: the character index counts from 0).
import { ServiceError } from "../../core/errors.js";
import type { StateValue } from "./api.generated.js";

export type RuleNode =
  | { kind: "const"; value: boolean }
  | { kind: "state"; state: StateValue; ref: string }
  | { kind: "not"; arg: RuleNode }
  | { kind: "atLeast"; threshold: number; percent: boolean; negate: boolean; state: StateValue; refs: string[] }
  | { kind: "and" | "or"; args: RuleNode[] };

export const MAX_RULE_CHARS = 10_240;
export const MAX_RULE_ELEMENTS = 500;
export const MAX_RULE_CHILDREN = 100;

const FUNCTIONS: Record<string, StateValue> = { ALARM: "ALARM", OK: "OK", INSUFFICIENT_DATA: "INSUFFICIENT_DATA" };

/** AWS's error for a rule it cannot read (CloudWatch answers ValidationError). */
export const ruleError = (detail: string): ServiceError => new ServiceError("ValidationError", `Error in AlarmRule [${detail}]`, 400);

interface Token {
  text: string;
  at: number;
  /** A quoted alarm reference: its unquoted text. */
  quoted?: string;
}

function tokenize(rule: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ text: c, at: i++ });
    } else if (c === '"') {
      const end = rule.indexOf('"', i + 1);
      if (end < 0) throw ruleError(`Unterminated quoted string at char ${i}`); // unverified wording
      out.push({ text: rule.slice(i, end + 1), at: i, quoted: rule.slice(i + 1, end) });
      i = end + 1;
    } else {
      const start = i;
      while (i < rule.length && !/[\s()",]/.test(rule[i])) i++;
      out.push({ text: rule.slice(start, i), at: start });
    }
  }
  return out;
}

/** The parsed rule and the alarm references it names (as written: names or ARNs), in order of appearance. */
export interface ParsedRule {
  root: RuleNode;
  refs: string[];
  elements: number;
}

/** Parses a rule or throws AWS's ValidationError. */
export function parseAlarmRule(rule: string): ParsedRule {
  // Its length (at most MAX_RULE_CHARS) is the model's constraint, checked before the handler runs.
  const tokens = tokenize(rule);
  let pos = 0;
  let elements = 0;
  const refs: string[] = [];
  const unexpected = (t: Token | undefined): ServiceError =>
    t ? ruleError(`Unsupported token '${t.text}' at char ${t.at}`) : ruleError(`Unexpected end of rule at char ${rule.length}`); // the second: unverified wording

  const primary = (): RuleNode => {
    const t = tokens[pos];
    if (!t) throw unexpected(t);
    if (t.text === "(") {
      pos++;
      const inner = or();
      if (tokens[pos]?.text !== ")") throw unexpected(tokens[pos]);
      pos++;
      return inner;
    }
    if (t.text === "TRUE" || t.text === "FALSE") {
      pos++;
      elements++;
      return { kind: "const", value: t.text === "TRUE" };
    }
    if (t.text === "AT_LEAST") return atLeast();
    const state = FUNCTIONS[t.text];
    if (!state) throw unexpected(t);
    pos++;
    if (tokens[pos]?.text !== "(") throw unexpected(tokens[pos]);
    pos++;
    const arg = tokens[pos];
    if (!arg || arg.text === "(" || arg.text === ")") throw unexpected(arg);
    const ref = arg.quoted ?? arg.text;
    if (!ref) throw unexpected(arg);
    pos++;
    if (tokens[pos]?.text !== ")") throw unexpected(tokens[pos]);
    pos++;
    elements++;
    refs.push(ref);
    return { kind: "state", state, ref };
  };
  const expect = (text: string): Token => {
    const t = tokens[pos];
    if (t?.text !== text) throw unexpected(t);
    pos++;
    return t;
  };
  const ref = (): string => {
    const arg = tokens[pos];
    if (!arg || arg.text === "(" || arg.text === ")" || arg.text === ",") throw unexpected(arg);
    pos++;
    return arg.quoted ?? arg.text;
  };
  const atLeast = (): RuleNode => {
    pos++;
    expect("(");
    const th = tokens[pos];
    const m = th && /^(\d+)(%?)$/.exec(th.text);
    if (!m) throw unexpected(th);
    pos++;
    expect(",");
    const negate = tokens[pos]?.text === "NOT";
    if (negate) pos++;
    const st = tokens[pos];
    const state = st && FUNCTIONS[st.text];
    if (!state) throw unexpected(st);
    pos++;
    expect(",");
    expect("(");
    const list = [ref()];
    while (tokens[pos]?.text === ",") {
      pos++;
      list.push(ref());
    }
    expect(")");
    expect(")");
    const threshold = Number(m[1]);
    const percent = m[2] === "%";
    // unverified wordings
    if (percent && (threshold < 1 || threshold > 100)) throw ruleError(`AT_LEAST percentage must be between 1% and 100%, got ${th.text} at char ${th.at}`);
    if (!percent && (threshold < 1 || threshold > list.length))
      throw ruleError(`AT_LEAST count must be between 1 and the number of alarms (${list.length}), got ${threshold} at char ${th.at}`);
    elements += 1 + list.length;
    refs.push(...list);
    return { kind: "atLeast", threshold, percent, negate, state, refs: list };
  };
  const unary = (): RuleNode => {
    if (tokens[pos]?.text === "NOT") {
      pos++;
      elements++;
      return { kind: "not", arg: unary() };
    }
    return primary();
  };
  const chain = (op: "AND" | "OR", next: () => RuleNode): RuleNode => {
    const args = [next()];
    while (tokens[pos]?.text === op) {
      pos++;
      elements++;
      args.push(next());
    }
    return args.length === 1 ? args[0] : { kind: op === "AND" ? "and" : "or", args };
  };
  const and = () => chain("AND", unary);
  const or = (): RuleNode => chain("OR", and);

  const root = or();
  if (pos < tokens.length) throw unexpected(tokens[pos]);
  // unverified wordings for the two limits
  if (elements > MAX_RULE_ELEMENTS) throw ruleError(`The alarm rule must not have more than ${MAX_RULE_ELEMENTS} elements, it has ${elements}`);
  const distinct = new Set(refs);
  if (distinct.size > MAX_RULE_CHILDREN)
    throw ruleError(`The alarm rule must not reference more than ${MAX_RULE_CHILDREN} alarms, it references ${distinct.size}`);
  return { root, refs, elements };
}

/**
 * Evaluates the rule with each reference's current state; `used` collects, per reference, whether its function
 * pushed the rule towards TRUE (under an odd number of NOTs, a false function does).
 */
export function evaluateRule(node: RuleNode, stateOf: (ref: string) => StateValue | undefined, used: Map<string, boolean>, negated = false): boolean {
  switch (node.kind) {
    case "const":
      return node.value;
    case "state": {
      const v = stateOf(node.ref) === node.state;
      used.set(node.ref, negated ? !v : v);
      return v;
    }
    case "not":
      return !evaluateRule(node.arg, stateOf, used, !negated);
    case "atLeast": {
      let count = 0;
      for (const ref of node.refs) {
        const v = (stateOf(ref) === node.state) !== node.negate;
        if (v) count++;
        used.set(ref, negated ? !v : v);
      }
      return node.percent ? count * 100 >= node.threshold * node.refs.length : count >= node.threshold;
    }
    case "and":
      return node.args.map((a) => evaluateRule(a, stateOf, used, negated)).every(Boolean);
    case "or":
      return node.args.map((a) => evaluateRule(a, stateOf, used, negated)).some(Boolean);
  }
}
