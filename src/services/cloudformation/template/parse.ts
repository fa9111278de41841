// Template bodies: JSON, or YAML with CloudFormation's short-form tags turned into their long forms.
//
// Schema choice: YAML 1.2 "core" (the `yaml` package's default). CloudFormation keeps `2010-09-09` and
// `2012-10-17` as strings (unquoted versions are everywhere in real templates), which the YAML 1.1 schema would
// turn into timestamps; core has no timestamp, binary, set or omap types, reads only `true`/`false` as booleans
// (CloudFormation property values are strings to the resource handlers anyway, so `yes` staying a string is
// harmless) and `~`/`null` as null. cfn-lint reads with PyYAML's 1.1 loader but its own constructors map every
// scalar back to str/int/float/bool the same way for these cases. Anchors and aliases are allowed, as on AWS.
import { type CollectionTag, parseDocument, type ScalarTag, type YAMLSeq } from "yaml";
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

// Each tag is declared for scalars, sequences and maps (e.g. `!Sub str` and `!Sub [str, {…}]`). A collection's
// resolve returns an object whose toJSON builds the long form from the collection's own JS value (yaml wraps a
// non-node result in a Scalar and calls toJSON on it), so nested tags and aliases resolve as usual.
type ToJSContext = Parameters<YAMLSeq["toJSON"]>[1];
const customTags: (ScalarTag | CollectionTag)[] = Object.entries(shortForms).flatMap(([tag, wrap]) => [
  { tag, resolve: (source: string) => wrap(source) } satisfies ScalarTag,
  ...(["seq", "map"] as const).map(
    (collection) =>
      ({
        tag,
        collection,
        resolve: (node) => ({ toJSON: (arg?: unknown, ctx?: ToJSContext) => wrap(node.toJSON(arg, ctx)) }),
      }) satisfies CollectionTag,
  ),
]);

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
    const doc = parseDocument(body, { schema: "core", customTags, uniqueKeys: true });
    // An unknown tag (`!Reff`) is only a warning to the yaml package; AWS refuses the template.
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) {
      const pos = problem.linePos?.[0];
      throw formatError(`YAML not well-formed. (line ${pos?.line ?? 1}, column ${pos?.col ?? 1})`);
    }
    // json: the tags' wrappers convert only when scalars are not kept as-is (keep is !json in yaml's toJS).
    value = doc.toJS({ json: true, maxAliasCount: 10_000 });
  }
  // A body that is a bare scalar or list (e.g. "hello"): unverified wording, AWS's answer as commonly reported.
  if (!isObject(value)) throw formatError("unsupported structure.");
  return value as unknown as Template;
}
