// Filter policies, table-driven: validation wording and evaluation on attributes and on the JSON body.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileFilterPolicy, matchesAttributes, matchesBody, type FilterAttribute } from "../../../src/services/sns/filter-policy.js";

const S = (v: string): FilterAttribute => ({ DataType: "String", StringValue: v });
const N = (v: number): FilterAttribute => ({ DataType: "Number", StringValue: String(v) });
const A = (v: unknown[]): FilterAttribute => ({ DataType: "String.Array", StringValue: JSON.stringify(v) });

const attributeCases: [string, object, Record<string, FilterAttribute>, boolean][] = [
  ["exact string", { color: ["red", "blue"] }, { color: S("red") }, true],
  ["exact string miss", { color: ["red"] }, { color: S("green") }, false],
  ["missing attribute", { color: ["red"] }, {}, false],
  ["string rule does not match a Number attribute", { n: ["5"] }, { n: N(5) }, false],
  ["exact number", { n: [5] }, { n: N(5.0) }, true],
  ["prefix", { s: [{ prefix: "ord" }] }, { s: S("order-1") }, true],
  ["prefix miss", { s: [{ prefix: "ord" }] }, { s: S("xorder") }, false],
  ["suffix", { s: [{ suffix: ".png" }] }, { s: S("a.png") }, true],
  ["equals-ignore-case", { s: [{ "equals-ignore-case": "RED" }] }, { s: S("rEd") }, true],
  ["anything-but value", { s: [{ "anything-but": ["red", "blue"] }] }, { s: S("green") }, true],
  ["anything-but value miss", { s: [{ "anything-but": "red" }] }, { s: S("red") }, false],
  ["anything-but absent attribute", { s: [{ "anything-but": "red" }] }, {}, false],
  ["anything-but number", { n: [{ "anything-but": [1, 2] }] }, { n: N(3) }, true],
  ["anything-but prefix", { s: [{ "anything-but": { prefix: "test" } }] }, { s: S("prod-1") }, true],
  ["anything-but prefix miss", { s: [{ "anything-but": { prefix: "test" } }] }, { s: S("test-1") }, false],
  ["anything-but suffix", { s: [{ "anything-but": { suffix: "-dev" } }] }, { s: S("api-dev") }, false],
  ["numeric =", { n: [{ numeric: ["=", 10] }] }, { n: N(10) }, true],
  ["numeric <", { n: [{ numeric: ["<", 10] }] }, { n: N(10) }, false],
  ["numeric <=", { n: [{ numeric: ["<=", 10] }] }, { n: N(10) }, true],
  ["numeric >", { n: [{ numeric: [">", 0] }] }, { n: N(0.5) }, true],
  ["numeric >=", { n: [{ numeric: [">=", 1] }] }, { n: N(0.5) }, false],
  ["numeric between", { n: [{ numeric: [">", 0, "<=", 150] }] }, { n: N(150) }, true],
  ["numeric between miss", { n: [{ numeric: [">", 0, "<", 150] }] }, { n: N(150) }, false],
  ["numeric on a String attribute", { n: [{ numeric: [">", 0] }] }, { n: S("5") }, false],
  ["exists true", { s: [{ exists: true }] }, { s: S("x") }, true],
  ["exists true miss", { s: [{ exists: true }] }, {}, false],
  ["exists false", { s: [{ exists: false }] }, {}, true],
  ["exists false miss", { s: [{ exists: false }] }, { s: S("x") }, false],
  ["String.Array any element", { tags: ["b"] }, { tags: A(["a", "b"]) }, true],
  ["String.Array no element", { tags: ["c"] }, { tags: A(["a", "b"]) }, false],
  ["String.Array numbers", { tags: [{ numeric: [">", 5] }] }, { tags: A([1, 9]) }, true],
  ["AND across keys", { a: ["1"], b: ["2"] }, { a: S("1"), b: S("3") }, false],
  ["AND across keys ok", { a: ["1"], b: ["2"] }, { a: S("1"), b: S("2") }, true],
  ["$or", { $or: [{ a: ["1"] }, { b: ["2"] }] }, { b: S("2") }, true],
  ["$or none", { $or: [{ a: ["1"] }, { b: ["2"] }] }, { c: S("2") }, false],
  ["$or with a common key", { c: ["x"], $or: [{ a: ["1"] }, { b: ["2"] }] }, { c: S("y"), a: S("1") }, false],
  ["empty policy matches everything", {}, {}, true],
];

for (const [name, policy, attrs, expected] of attributeCases)
  test(`attributes: ${name}`, () => assert.equal(matchesAttributes(compileFilterPolicy(JSON.stringify(policy)), attrs), expected));

const bodyCases: [string, object, unknown, boolean][] = [
  ["top-level key", { kind: ["order"] }, { kind: "order" }, true],
  ["nested key", { order: { status: ["paid"] } }, { order: { status: "paid", total: 3 } }, true],
  ["nested key miss", { order: { status: ["paid"] } }, { order: { status: "open" } }, false],
  ["nested numeric", { order: { total: [{ numeric: [">=", 100] }] } }, { order: { total: 120 } }, true],
  ["array in body", { tags: ["b"] }, { tags: ["a", "b"] }, true],
  ["array of objects", { items: { sku: [{ prefix: "X-" }] } }, { items: [{ sku: "Y-1" }, { sku: "X-2" }] }, true],
  ["boolean and null", { ok: [true], gone: [null] }, { ok: true, gone: null }, true],
  ["exists false nested", { a: { b: [{ exists: false }] } }, { a: { c: 1 } }, true],
  ["$or in body", { $or: [{ a: { b: ["1"] } }, { c: ["2"] }] }, { c: "2" }, true],
  ["body not JSON", { a: ["1"] }, "plain text", false],
];

for (const [name, policy, body, expected] of bodyCases)
  test(`body: ${name}`, () =>
    assert.equal(matchesBody(compileFilterPolicy(JSON.stringify(policy), "MessageBody"), typeof body === "string" ? body : JSON.stringify(body)), expected));

const invalidCases: [string, string, string | RegExp, ("MessageAttributes" | "MessageBody")?][] = [
  ["not JSON", "{nope", "Invalid parameter: FilterPolicy: failed to parse JSON."],
  ["not an object", "[1]", /must be a JSON object/],
  ["value not an array", JSON.stringify({ a: "x" }), 'Invalid parameter: FilterPolicy: "a" must be an object or an array'],
  ["nested in attribute scope", JSON.stringify({ a: { b: ["x"] } }), /MessageAttributes does not support nested filter policy/],
  ["unknown operator", JSON.stringify({ a: [{ regex: "x" }] }), "Invalid parameter: FilterPolicy: Unrecognized match type regex"],
  ["exists not boolean", JSON.stringify({ a: [{ exists: "yes" }] }), "Invalid parameter: FilterPolicy: exists match pattern must be either true or false."],
  ["prefix not string", JSON.stringify({ a: [{ prefix: 1 }] }), "Invalid parameter: FilterPolicy: prefix match pattern must be a string"],
  ["numeric bad operator", JSON.stringify({ a: [{ numeric: ["~", 1] }] }), "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: ~"],
  ["numeric not a number", JSON.stringify({ a: [{ numeric: ["<", "x"] }] }), "Invalid parameter: FilterPolicy: Value of < must be numeric"],
  ["numeric range reversed", JSON.stringify({ a: [{ numeric: [">", 10, "<", 5] }] }), "Invalid parameter: FilterPolicy: Bottom must be less than top"],
  [
    "too many keys",
    JSON.stringify({ a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] }),
    "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys",
  ],
  ["too complex", JSON.stringify({ a: range(10), b: range(10), c: range(2) }), "Invalid parameter: FilterPolicy: Filter policy is too complex"],
  ["empty array", JSON.stringify({ a: [] }), /Empty arrays are not allowed/],
  // SNS checks policies with event-ruler (its recorded refusals carry event-ruler's reasons and Jackson positions:
  // LocalStack's tests/aws/services/sns/test_sns_filter_policy.snapshot.json), whose reason is this one
  // (JsonRuleCompiler.processAnythingButListMatchExpression).
  ["anything-but with null", JSON.stringify({ a: [{ "anything-but": [null] }] }), /Inside anything but list, start\|null\|boolean is not supported/],
  ["$or with one branch", JSON.stringify({ $or: [{ a: ["1"] }] }), /\$or/],
];

function range(n: number) {
  return Array.from({ length: n }, (_, i) => `v${i}`);
}

for (const [name, text, message, scope] of invalidCases)
  test(`invalid: ${name}`, () =>
    assert.throws(
      () => compileFilterPolicy(text, scope),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, "InvalidParameter");
        if (typeof message === "string") assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      },
    ));
