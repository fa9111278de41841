// The shared event-pattern grammar (src/core/event-pattern.ts): every operator, $or, arrays, numeric ranges,
// exists, the anything-but forms, the dialect options and the caller's error. Patterns and events are the
// examples of AWS's "Content filtering in Amazon EventBridge event patterns"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html) and
// "Comparison operators for use in event patterns" (…/userguide/eb-create-pattern-operators.html).
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileEventPattern, fieldValues, parseEventPattern, type PatternDialect, type PatternProblem } from "../../src/core/event-pattern.js";

class PatternFailure extends Error {
  constructor(
    message: string,
    readonly problem: PatternProblem,
  ) {
    super(message);
  }
}
const fail = (message: string, problem: PatternProblem) => new PatternFailure(message, problem);
const compile = (pattern: unknown, dialect: PatternDialect = {}) => compileEventPattern(pattern, dialect, fail);
const match = (pattern: unknown, event: unknown, dialect?: PatternDialect) => compile(pattern, dialect).matches(event);

/** The EventBridge user guide's example event (trimmed to the fields its patterns use). */
const ec2Event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

test("exact values: strings, numbers, booleans, null and the empty string; a list matches when any value does", () => {
  assert.equal(match({ source: ["aws.ec2"] }, ec2Event), true);
  assert.equal(match({ source: ["aws.s3", "aws.ec2"] }, ec2Event), true);
  assert.equal(match({ source: ["aws.s3"] }, ec2Event), false);
  assert.equal(match({ detail: { eventVersion: [""], responseElements: [null] } }, { detail: { eventVersion: "", responseElements: null } }), true);
  assert.equal(match({ detail: { eventVersion: [""] } }, { detail: { eventVersion: "1" } }), false);
  assert.equal(match({ n: [5] }, { n: 5.0 }), true);
  assert.equal(match({ n: ["5"] }, { n: 5 }), false, "a string value does not match a number");
  assert.equal(match({ ok: [true] }, { ok: true }), true);
  assert.equal(match({ ok: [true] }, { ok: "true" }), false);
});

test("every key must match (AND), nested objects follow the event's structure", () => {
  const p = { source: ["aws.ec2"], detail: { state: ["terminated"] } };
  assert.equal(match(p, ec2Event), true);
  assert.equal(match(p, { ...ec2Event, detail: { state: "running" } }), false);
  assert.equal(match({ detail: { state: ["terminated"], missing: ["x"] } }, ec2Event), false);
  assert.equal(match({}, ec2Event, { allowEmpty: true }), true, "an allowed empty pattern matches everything");
  // event-ruler (JsonRuleCompiler.parseObject) refuses an empty object, the pattern's root included.
  assert.equal(failure({}), 'value: Empty objects are not allowed\n at [Source: (String)"{}"; line: 1, column: 3]');
});

test("prefix and suffix, also ignoring case", () => {
  assert.equal(match({ time: [{ prefix: "2017-12-22" }] }, ec2Event), true);
  assert.equal(match({ time: [{ prefix: "2017-10-02" }] }, ec2Event), false);
  assert.equal(match({ detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } }, { detail: { service: "eventbridge" } }), true);
  assert.equal(match({ FileName: [{ suffix: ".png" }] }, { FileName: "image.png" }), true);
  assert.equal(match({ FileName: [{ suffix: ".png" }] }, { FileName: "image.PNG" }), false);
  assert.equal(match({ detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } }, { detail: { FileName: "image.PNG" } }), true);
  assert.equal(match({ n: [{ prefix: "1" }] }, { n: 12 }), false, "prefix matches strings only");
});

test("equals-ignore-case", () => {
  assert.equal(match({ "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }] }, ec2Event), true);
  assert.equal(match({ "detail-type": [{ "equals-ignore-case": "ec2 instance" }] }, ec2Event), false);
});

test("wildcard: * stands for any run of characters, everything else is literal", () => {
  const p = { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] };
  assert.equal(match(p, { EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/default" }), true);
  assert.equal(match(p, { EventBusArn: "arn:aws:events:us-west-2:123456789012:event-bus/default" }), false);
  assert.equal(match({ f: [{ wildcard: "a.c" }] }, { f: "abc" }), false, "a dot is not a regex wildcard");
  assert.equal(match({ f: [{ wildcard: "*" }] }, { f: "" }), true);
});

test("cidr: IPv4 addresses inside a block", () => {
  const p = { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } };
  assert.equal(match(p, { detail: { sourceIPAddress: "10.0.0.255" } }), true);
  assert.equal(match(p, { detail: { sourceIPAddress: "10.0.1.1" } }), false);
  assert.equal(match(p, { detail: { sourceIPAddress: "not an ip" } }), false);
});

test("numeric: single comparisons, ranges and equality on numbers only", () => {
  const p = { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }], "d-count": [{ numeric: ["<", 10] }], "x-limit": [{ numeric: ["=", 3.018e2] }] } };
  assert.equal(match(p, { detail: { "c-count": 5, "d-count": 7, "x-limit": 301.8 } }), true);
  assert.equal(match(p, { detail: { "c-count": 0, "d-count": 7, "x-limit": 301.8 } }), false, "c-count > 0");
  assert.equal(match(p, { detail: { "c-count": 5, "d-count": 10, "x-limit": 301.8 } }), false, "d-count < 10");
  assert.equal(match(p, { detail: { "c-count": "5", "d-count": 7, "x-limit": 301.8 } }), false, "a numeric string is not a number");
  for (const [expr, v, want] of [
    [[">=", 1], 1, true],
    [[">", 1], 1, false],
    [["<=", 1], 1, true],
    [[">=", 0, "<", 1], 0.999, true],
    [[">=", 0, "<", 1], 1, false],
  ] as const)
    assert.equal(match({ n: [{ numeric: expr }] }, { n: v }), want, `${JSON.stringify(expr)} on ${v}`);
});

test("exists: true for a present leaf, false for a missing key; intermediate nodes and empty arrays do not exist", () => {
  assert.equal(match({ detail: { state: [{ exists: true }] } }, ec2Event), true);
  assert.equal(match({ detail: { state: [{ exists: false }] } }, ec2Event), false);
  assert.equal(match({ detail: { "c-count": [{ exists: false }] } }, ec2Event), true);
  assert.equal(match({ detail: { "c-count": [{ exists: true }] } }, ec2Event), false);
  assert.equal(match({ a: { b: [{ exists: false }] } }, {}), true, "a missing parent: the leaf is missing too");
  assert.equal(match({ detail: [{ exists: true }] }, ec2Event), false, "exists works on leaf nodes only");
  assert.equal(match({ a: [{ exists: true }] }, { a: [] }), false);
  assert.equal(match({ a: [{ exists: true }] }, { a: null }), true, "null is a value");
  assert.equal(match({ constructor: [{ exists: true }] }, {}), false, "inherited names are not fields");
});

test("anything-but: a value, a list, prefix, suffix, equals-ignore-case and wildcard", () => {
  const state = (rule: unknown, v: unknown) => match({ detail: { state: [rule] } }, { detail: { state: v } });
  assert.equal(state({ "anything-but": "initializing" }, "running"), true);
  assert.equal(state({ "anything-but": "initializing" }, "initializing"), false);
  assert.equal(match({ detail: { "x-limit": [{ "anything-but": 123 }] } }, { detail: { "x-limit": 456 } }), true);
  assert.equal(match({ detail: { "x-limit": [{ "anything-but": 123 }] } }, { detail: { "x-limit": 123 } }), false);
  assert.equal(state({ "anything-but": ["stopped", "overloaded"] }, "running"), true);
  assert.equal(state({ "anything-but": ["stopped", "overloaded"] }, "stopped"), false);
  assert.equal(match({ detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } }, { detail: { "x-limit": 200 } }), false);
  assert.equal(state({ "anything-but": { prefix: "init" } }, "running"), true);
  assert.equal(state({ "anything-but": { prefix: "init" } }, "initializing"), false);
  assert.equal(match({ detail: { path: [{ "anything-but": { suffix: ".txt" } }] } }, { detail: { path: "/var/log/a.txt" } }), false);
  assert.equal(match({ detail: { path: [{ "anything-but": { suffix: ".txt" } }] } }, { detail: { path: "/var/log/a.log" } }), true);
  assert.equal(state({ "anything-but": { "equals-ignore-case": ["Stopped", "OverLoaded"] } }, "STOPPED"), false);
  assert.equal(state({ "anything-but": { "equals-ignore-case": ["Stopped", "OverLoaded"] } }, "running"), true);
  assert.equal(state({ "anything-but": { "equals-ignore-case": "initializing" } }, "INITIALIZING"), false);
  assert.equal(match({ FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }, { FilePath: "/usr/lib/x.so" }), false);
  assert.equal(match({ FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] }, { FilePath: "/usr/bin/x" }), true);
  assert.equal(state({ "anything-but": "initializing" }, undefined), false, "a missing field matches no anything-but");
  // A value of another type never starts with the prefix, so it is not excluded: LocalStack's AWS-validated
  // content_anything_prefix_int_value and content_anything_prefix_null (tests/aws/services/events/event_pattern_templates).
  assert.equal(state({ "anything-but": { prefix: "init" } }, 5), true, "prefix forms exclude strings only");
  assert.equal(state({ "anything-but": { prefix: "init" } }, null), true);
});

test("$or: alternatives, also nested and beside other keys", () => {
  const p = {
    detail: { $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }, { "x-limit": [{ numeric: ["=", 3.018e2] }] }] },
  };
  assert.equal(match(p, { detail: { "d-count": 3 } }), true);
  assert.equal(match(p, { detail: { "x-limit": 301.8 } }), true);
  assert.equal(match(p, { detail: { "c-count": 9, "d-count": 10 } }), false);
  const top = { source: ["aws.ec2"], $or: [{ "detail-type": ["EC2 Instance State-change Notification"] }, { region: ["eu-west-1"] }] };
  assert.equal(match(top, ec2Event), true);
  assert.equal(match(top, { ...ec2Event, source: "aws.s3" }), false);
  assert.equal(compile(top).alternatives.length, 2);
});

test("arrays in the event: any element matches, arrays of objects are walked into", () => {
  const p = { resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0", "arn:aws:ec2:us-west-1:123456789012:instance/i-other"] };
  assert.equal(match(p, ec2Event), true);
  assert.equal(match({ resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-other"] }, ec2Event), false);
  assert.equal(match({ items: { sku: [{ prefix: "X-" }] } }, { items: [{ sku: "Y-1" }, { sku: "X-2" }] }), true);
  assert.equal(match({ n: [{ numeric: [">", 5] }] }, { n: [1, [2, 9]] }), true, "nested arrays are flattened");
  assert.deepEqual(fieldValues({ a: [{ b: 1 }, { b: [2, { c: 3 }] }, { d: 4 }] }, ["a", "b"]), { present: true, values: [1, 2] });
});

test("matchesFields: a caller's own field lookup (SNS message attributes)", () => {
  const p = compile({ store: [{ exists: true }], price: [{ numeric: [">", 10] }] });
  const fields: Record<string, { present: boolean; values: (string | number)[] }> = {
    store: { present: true, values: [] },
    price: { present: true, values: [12] },
  };
  assert.equal(
    p.matchesFields((path) => fields[path[0]] ?? { present: false, values: [] }),
    true,
  );
  assert.equal(
    p.matchesFields(() => ({ present: false, values: [] })),
    false,
  );
});

/** Runs `pattern` and returns the caller-built error (problem and message), or "ok". */
function failure(pattern: unknown, dialect: PatternDialect = {}): string {
  try {
    typeof pattern === "string" ? parseEventPattern(pattern, dialect, fail) : compile(pattern, dialect);
    return "ok";
  } catch (e) {
    assert.ok(e instanceof PatternFailure, "the thrown error is the one the callback built");
    return `${e.problem}: ${e.message}`;
  }
}

// Reasons as event-ruler words them (JsonRuleCompiler.java, CIDR.java, WildcardParser.java), here without the
// position suffix (`locations: false`); the suffixed forms AWS answers are in event-pattern-aws.test.ts.
test("errors go through the caller's callback with the problem and event-ruler's wording", () => {
  const bare = (pattern: unknown) => failure(pattern, { locations: false });
  assert.equal(bare("{nope"), "json: Unexpected character ('n' (code 110)): was expecting double-quote to start field name");
  assert.equal(bare([1]), "not-object: Filter is not an object");
  assert.equal(bare({ a: "x" }), 'value: "a" must be an object or an array');
  assert.equal(bare({ a: [] }), "value: Empty arrays are not allowed");
  assert.equal(bare({ a: {} }), "value: Empty objects are not allowed");
  assert.equal(bare({ $or: [{ a: ["1"] }] }), "or: There must have at least 2 Objects in $or relationship.");
  assert.equal(bare({ $or: { a: ["1"] } }), "or: It must be an Array followed with $or.");
  assert.equal(bare({ $or: [{ a: ["1"] }, ["b"]] }), "or: Only JSON object is allowed in array of $or relationship.");
  assert.equal(bare({ $or: [{ a: ["1"] }, { prefix: ["b"] }] }), "or: prefix is Ruler reserved fieldName which cannot be used inside $or.");
  assert.equal(bare({ a: [[1]] }), "rule: Match value must be String, number, true, false, or null");
  assert.equal(bare({ a: [{ prefix: "x", suffix: "y" }] }), "rule: Only one key allowed in match expression");
  assert.equal(bare({ a: [{ regex: "x" }] }), "rule: Unrecognized match type regex");
  assert.equal(bare({ a: [{ exists: "yes" }] }), "rule: exists match pattern must be either true or false.");
  assert.equal(bare({ a: [{ prefix: 1 }] }), "rule: prefix match pattern must be a string");
  assert.equal(bare({ a: [{ prefix: { other: "x" } }] }), "rule: Unsupported prefix pattern: other");
  assert.equal(bare({ a: [{ wildcard: 1 }] }), "rule: wildcard match pattern must be a string");
  assert.equal(bare({ a: [{ wildcard: "a**" }] }), "rule: Consecutive wildcard characters at pos 2");
  assert.equal(bare({ a: [{ wildcard: "a\\b" }] }), "rule: Invalid escape character at pos 2");
  assert.equal(bare({ a: [{ numeric: 1 }] }), "rule: Value of numeric must be an array.");
  assert.equal(bare({ a: [{ numeric: [] }] }), "rule: Invalid member in numeric match: ]");
  assert.equal(bare({ a: [{ numeric: ["~", 1] }] }), "rule: Unrecognized numeric range operator: ~");
  assert.equal(bare({ a: [{ numeric: ["<"] }] }), "rule: Value of < must be numeric");
  assert.equal(bare({ a: [{ numeric: ["=", "1"] }] }), "rule: Value of equals must be numeric");
  assert.equal(bare({ a: [{ numeric: [">", 10, "<", 5] }] }), "rule: Bottom must be less than top");
  assert.equal(bare({ a: [{ numeric: [">", 5, "<=", 5] }] }), "rule: Bottom must be less than top");
  assert.equal(bare({ a: [{ numeric: ["<", 10, ">", 5] }] }), "rule: Too many elements in numeric expression");
  assert.equal(bare({ a: [{ numeric: [">", 1, ">", 5] }] }), "rule: Bad numeric range operator: >");
  assert.equal(bare({ a: [{ numeric: [">", 1, 5] }] }), "rule: Bad value in numeric range: 5");
  assert.equal(bare({ a: [{ numeric: [">", 1, "<", 5, "=", 3] }] }), "rule: Too many terms in numeric range expression");
  assert.equal(bare('{"a": [{"numeric": [">", 1e400]}]}'), "rule: Cannot compare number : 1e400");
  assert.equal(bare('{"a": [{"numeric": ["<", 1.00000000000000000001]}]}'), "rule: Cannot compare number : 1.00000000000000000001");
  assert.equal(bare({ a: [{ "anything-but": [null] }] }), "rule: Inside anything but list, start|null|boolean is not supported.");
  assert.equal(
    bare({ a: [{ "anything-but": ["a", 1] }] }),
    "rule: Inside anything but list, either all values are number or string, mixed type is not supported",
  );
  assert.equal(bare({ a: [{ "anything-but": [] }] }), "rule: Inside anything but list, either all values are number or string, mixed type is not supported");
  assert.equal(bare({ a: [{ "anything-but": { contains: "x" } }] }), "rule: Unsupported anything-but pattern: contains");
  assert.equal(bare({ a: [{ "anything-but": true }] }), "rule: Value of anything-but must be an array or single string/number value.");
  assert.equal(bare({ a: [{ "anything-but": { prefix: "" } }] }), "rule: Null prefix/suffix not allowed");
  assert.equal(bare({ a: [{ cidr: "10.0.0.0" }] }), "rule: Malformed CIDR, one '/' required");
  assert.equal(bare({ a: [{ cidr: "10.0.0.0/x" }] }), "rule: Malformed CIDR, mask bits must be an integer");
  assert.equal(bare({ a: [{ cidr: "10.0.0.0/-1" }] }), "rule: Malformed CIDR, mask bits must not be negative");
  assert.equal(bare({ a: [{ cidr: "10.0.0.0/32" }] }), "rule: IPv4 mask bits must be < 32");
  assert.equal(bare({ a: [{ cidr: "2001:db8::/128" }] }), "rule: IPv6 mask bits must be < 128");
  assert.equal(bare({ a: [{ cidr: "host/8" }] }), "rule: Nonstandard IP address: host");
});

test("dialect options: operators, $or, nesting, limits, numeric and anything-but strictness, ignore-case modifiers", () => {
  // SNS-like: fewer operators, no ignore-case modifiers, limits, flat in the attribute scope.
  const sns: PatternDialect = {
    operators: ["prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists"],
    ignoreCaseModifiers: false,
    maxKeys: 5,
    maxCombinations: 150,
    maxNumber: 1e9,
    locations: false,
    allowEmpty: true,
  };
  assert.equal(failure({ a: [{ wildcard: "x*" }] }, sns), "rule: Unrecognized match type wildcard");
  assert.equal(failure({ a: [{ cidr: "10.0.0.0/8" }] }, sns), "rule: Unrecognized match type cidr");
  assert.equal(failure({ a: [{ prefix: { "equals-ignore-case": "x" } }] }, sns), "rule: prefix match pattern must be a string");
  assert.equal(failure({ a: [{ "anything-but": { "equals-ignore-case": "x" } }] }, sns), "rule: Unsupported anything-but pattern: equals-ignore-case");
  assert.equal(failure({ a: [{ "anything-but": { wildcard: "x*" } }] }, sns), "rule: Unsupported anything-but pattern: wildcard");
  assert.equal(failure({ a: [1e9] }, sns), "rule: Value of = must be numeric and within ±10^9");
  assert.equal(failure({ a: [1e9] }), "ok");
  assert.equal(failure({ a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] }, sns), "too-many-keys: Pattern can not have more than 5 keys");
  assert.equal(
    failure({ a: { b: { c: ["1"] } }, d: ["1"], e: ["1"], f: ["1"], g: ["1"], h: ["1"] }, sns),
    "too-many-keys: Pattern can not have more than 5 keys",
  );
  const ten = Array.from({ length: 10 }, (_, i) => `v${i}`);
  assert.equal(failure({ a: ten, b: ten, c: ["x", "y"] }, sns), "too-complex: Pattern is too complex");
  assert.equal(failure({ a: ten, b: ten, c: ["x", "y"] }), "ok");
  assert.equal(failure({ $or: [{ a: ten, b: ten }, { c: ["1"] }] }, sns), "ok", "combinations add up across $or alternatives: 100 + 1");
  assert.equal(failure({ a: { b: ["x"] } }, { ...sns, nested: false }), "nested: Nested patterns are not supported");
  assert.equal(failure({ $or: [{ a: ["1"] }, { b: ["2"] }] }, { ...sns, nested: false }), "ok", "$or is not nesting");

  // Lambda-like: no $or, lenient numeric ranges and anything-but.
  const lambda: PatternDialect = { or: false, strictNumeric: false, strictAnythingBut: false, locations: false };
  assert.equal(failure({ $or: [{ a: ["1"] }, { b: ["2"] }] }, lambda), "rule: Unrecognized match type a", "$or is then a key, and its list holds rules");
  assert.equal(match({ $or: { a: ["1"] } }, { $or: { a: "1" } }, lambda), true);
  assert.equal(failure({ a: [{ numeric: [">", 10, "<", 5] }] }, lambda), "ok");
  assert.equal(failure({ a: [{ numeric: [">", 1, "<", 5, "=", 3] }] }, lambda), "ok");
  assert.equal(failure({ a: [{ numeric: [">", 1, "<"] }] }, lambda), "rule: Value of < must be numeric");
  assert.equal(failure({ a: [{ "anything-but": { contains: "x" } }] }, lambda), "ok");
  assert.equal(match({ a: [{ "anything-but": { contains: "x" } }] }, { a: "x" }, lambda), true, "an unchecked, meaningless form excludes nothing");
  assert.equal(match({ a: [{ "anything-but": null }] }, { a: null }, lambda), false);
});

// event-ruler's README, "JSON Array Matching" (github.com/aws/event-ruler): arrays are crushed out of the pattern,
// also multi-level ones, but two fields of one alternative must not come from different elements of one array
// (rulesForJSONEvent, which EventBridge's answers follow).
test("arrays of objects: any element matches, but an alternative's fields come from one element", () => {
  const flat = {
    employees: [
      { firstName: "John", lastName: "Doe" },
      { firstName: "Anna", lastName: "Smith" },
      { firstName: "Peter", lastName: "Jones" },
    ],
  };
  const nested = { employees: [[flat.employees[0], flat.employees[1]], [flat.employees[2]]] };
  for (const event of [flat, nested]) {
    assert.equal(match({ employees: { firstName: ["Anna"] } }, event), true);
    assert.equal(match({ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event), false, "Anna and Jones are different elements");
    assert.equal(match({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event), true);
    assert.equal(match({ $or: [{ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, { employees: { firstName: ["Peter"] } }] }, event), true);
  }
  assert.equal(match({ employees: { firstName: ["Anna"] }, tags: ["x"] }, { ...flat, tags: ["y", "x"] }), true, "arrays of scalars do not tie");
});

// event-ruler's README, "Caveat: Compiled rules and JSON keys with dots", and LocalStack's AWS-validated
// dot_joining_pattern / dot_joining_event templates: a field is its dotted path, however the pattern or event nests it.
test("dotted keys name the same field as nesting, in patterns and events", () => {
  assert.equal(match({ detail: { "state.status": ["running"] } }, { detail: { state: { status: "running" } } }), true);
  assert.equal(match({ detail: { state: { status: ["running"] } } }, { detail: { "state.status": "running" } }), true);
  assert.equal(match({ Detail: { state: ["running"] } }, { detail: { state: "running" } }), false, "keys are case-sensitive");
});

// JsonRuleCompiler.writeRules: numbers compare as doubles (Patterns.numericEquals), a rule string that is an IP
// address as an address (CIDR.ipToRangeIfPossible); cidr covers IPv6 (CIDR.cidr).
test("numbers as doubles, IP strings as addresses, IPv6 CIDR blocks", () => {
  assert.equal(match({ n: [300] }, { n: 3.0e2 }), true);
  assert.equal(match({ n: [{ numeric: ["=", 3.018e2] }] }, { n: 301.8 }), true);
  assert.equal(match({ n: [{ "anything-but": [100, 500] }] }, { n: [100, 50] }), true, "an array matches when any element does");
  assert.equal(match({ ip: ["2001:db8::1"] }, { ip: "2001:0DB8:0:0:0:0:0:1" }), true);
  assert.equal(match({ ip: [{ cidr: "2001:db8::/32" }] }, { ip: "2001:db8:ffff::9" }), true);
  assert.equal(match({ ip: [{ cidr: "2001:db8::/32" }] }, { ip: "2001:db9::1" }), false);
  assert.equal(match({ ip: [{ cidr: "10.0.0.0/8" }] }, { ip: "2001:db8::1" }), false, "families do not mix");
  assert.equal(match({ s: [{ "anything-but": "x" }] }, { s: null }), true, "anything-but matches null");
  assert.equal(match({ s: [{ "anything-but": "x" }] }, {}), false, "but not a missing field");
});
