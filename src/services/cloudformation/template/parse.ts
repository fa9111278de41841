// Template bodies: JSON, or YAML with CloudFormation's short-form tags turned into their long forms.
//
// Schema choice: YAML 1.2 "core" (js-yaml's CORE_SCHEMA). CloudFormation keeps `2010-09-09` and `2012-10-17` as
// strings (unquoted versions are everywhere in real templates), which the YAML 1.1 schema would turn into
// timestamps; core has no timestamp, binary, set or omap types, reads only true/false (any case) as booleans
// (CloudFormation property values are strings to the resource handlers anyway, so `yes` staying a string is
// harmless) and `~`/`null` as null. cfn-lint reads with PyYAML's 1.1 loader but its own constructors map every
// scalar back to str/int/float/bool the same way for these cases. Anchors and aliases are allowed, as on AWS.
// js-yaml rather than the `yaml` package: it parses a 500-resource template several times faster (no document
// model is built), which issue 11's parse-and-validate target needs.
import { CORE_SCHEMA, load, Type, YAMLException } from "js-yaml";
import { formatError, isObject } from "./errors.js";
import type { Template } from "./types.js";

type Wrap = (value: unknown) => unknown;

/** `!GetAtt a.b.c` splits at the first dot only: the attribute may itself hold dots (e.g. Endpoint.Address). */
const getAtt: Wrap = (v) => {
  if (typeof v === "string") {
    const dot = v.indexOf(".");
    return { "Fn::GetAtt": dot < 0 ? [v] : [v.slice(0, dot), v.slice(dot + 1)] };
  }
  return { "Fn::GetAtt": v };
};

const fn =
  (name: string): Wrap =>
  (v) => ({ [name]: v });

// Every short form AWS documents (intrinsic function reference, "YAML short form" of each function).
const shortForms: Record<string, Wrap> = {
  "!Ref": (v) => ({ Ref: v }),
  "!Condition": (v) => ({ Condition: v }),
  "!GetAtt": getAtt,
  ...Object.fromEntries(
    [
      "Sub",
      "Join",
      "Select",
      "Split",
      "If",
      "Equals",
      "And",
      "Or",
      "Not",
      "FindInMap",
      "Base64",
      "Cidr",
      "GetAZs",
      "ImportValue",
      "Transform",
      "Length",
      "ToJsonString",
      // The Rules section's functions (rules-section-structure: "Rule functions", written in short form there).
      "Contains",
      "EachMemberEquals",
      "EachMemberIn",
      "RefAll",
      "ValueOf",
      "ValueOfAll",
    ].map((n) => [`!${n}`, fn(`Fn::${n}`)]),
  ),
};

// Each tag is declared for scalars, sequences and maps (e.g. `!Sub str` and `!Sub [str, {…}]`); a bare tag with no
// value (`!GetAZs ''` written as `!GetAZs`) is the empty string, as AWS reads it. An unknown tag is an error.
const SCHEMA = CORE_SCHEMA.extend(
  Object.entries(shortForms).flatMap(([tag, wrap]) =>
    (["scalar", "sequence", "mapping"] as const).map(
      (kind) => new Type(tag, { kind, construct: (data: unknown) => wrap(kind === "scalar" ? (data ?? "") : data) }),
    ),
  ),
);

/** Nodes a YAML body may expand to through its aliases (a "billion laughs" body is refused, not expanded). */
const MAX_EXPANDED_NODES = 5_000_000;

/** The number of nodes `value` expands to, each shared object counted once per reference (memoized, so linear). */
function expandedSize(value: unknown, seen = new Map<object, number>()): number {
  if (value === null || typeof value !== "object") return 1;
  const known = seen.get(value);
  if (known !== undefined) return known;
  seen.set(value, 1); // js-yaml builds no cycles, but a guard costs nothing
  let n = 1;
  for (const v of Array.isArray(value) ? value : Object.values(value)) {
    n += expandedSize(v, seen);
    if (n > MAX_EXPANDED_NODES) break;
  }
  seen.set(value, n);
  return n;
}

// "Template format error: JSON not well-formed. (line L, column C)" and the YAML form are the wordings AWS
// answers (recorded in public reports, e.g. awsdocs/aws-cloudformation-user-guide#855 for YAML). The position is
// that of the first unexpected character (1-based), found by a small scanner since V8's messages do not always
// carry one; AWS's exact column for each kind of mistake is unverified.
function jsonError(body: string): never {
  const at = jsonErrorOffset(body);
  let line = 1;
  let column = 1;
  for (let i = 0; i < at; i++) {
    if (body[i] === "\n") {
      line++;
      column = 1;
    } else column++;
  }
  throw formatError(`JSON not well-formed. (line ${line}, column ${column})`);
}

/** The offset of the first JSON syntax error in a body JSON.parse refused. */
function jsonErrorOffset(s: string): number {
  let i = 0;
  const ws = () => {
    while (i < s.length && " \t\n\r".includes(s[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const expect = (c: string) => (s[i] === c ? i++ : fail());
  const str = () => {
    expect('"');
    while (i < s.length && s[i] !== '"') {
      if (s[i] < " ") fail();
      i += s[i] === "\\" ? 2 : 1;
    }
    expect('"');
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === "{") {
      i++;
      ws();
      if (s[i] === "}") return void i++;
      for (;;) {
        ws();
        str();
        ws();
        expect(":");
        value();
        ws();
        if (s[i] === ",") i++;
        else return void expect("}");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (s[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (s[i] === ",") i++;
        else return void expect("]");
      }
    }
    if (c === '"') return str();
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(s.slice(i, i + 400));
    if (!lit) fail();
    i += lit![0].length;
  };
  try {
    value();
    ws();
    if (i < s.length) fail();
  } catch (e) {
    if (typeof e === "number") return e;
    throw e;
  }
  return i;
}

/** Parses a template body (JSON or YAML) into its JSON form; structure is checked by validateTemplate. */
export function parseTemplate(body: string): Template {
  let value: unknown;
  if (/^\s*\{/.test(body)) {
    try {
      value = JSON.parse(body);
    } catch {
      jsonError(body);
    }
  } else {
    try {
      value = load(body, { schema: SCHEMA, json: false });
    } catch (e) {
      if (!(e instanceof YAMLException)) throw e;
      const mark = (e as YAMLException & { mark?: { line: number; column: number } }).mark;
      let column = mark?.column ?? 0;
      // An unknown tag is reported where the tag starts (a YAML loader's node start), not where its value ends.
      const tag = /unknown tag !<([^>]*)>/.exec(e.reason)?.[1];
      if (tag && mark) {
        const at = body.split("\n")[mark.line]?.lastIndexOf(tag, column);
        if (at !== undefined && at >= 0) column = at;
      }
      throw formatError(`YAML not well-formed. (line ${(mark?.line ?? 0) + 1}, column ${column + 1})`);
    }
    // Aliases share one object each; a body whose aliases would expand past any real template is refused.
    if (body.includes("*") && expandedSize(value) > MAX_EXPANDED_NODES) throw formatError("YAML not well-formed. (too many alias expansions)");
  }
  // A body that is a bare scalar or list (e.g. "hello"): unverified wording, AWS's answer as commonly reported.
  if (!isObject(value)) throw formatError("unsupported structure.");
  return value as unknown as Template;
}
