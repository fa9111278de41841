// JSON Patch (RFC 6902): the RFC's own examples (appendix A) and its error cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyPatch, JsonPatchError, jsonEqual, parsePointer } from "../../src/core/json-patch.js";

const cases: [string, unknown, unknown[], unknown][] = [
  ["A.1 add an object member", { foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }], { baz: "qux", foo: "bar" }],
  ["A.2 add an array element", { foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }], { foo: ["bar", "qux", "baz"] }],
  ["A.3 remove an object member", { baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }], { foo: "bar" }],
  ["A.4 remove an array element", { foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }], { foo: ["bar", "baz"] }],
  ["A.5 replace a value", { baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }], { baz: "boo", foo: "bar" }],
  [
    "A.6 move a value",
    { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
    [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
    { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
  ],
  [
    "A.7 move an array element",
    { foo: ["all", "grass", "cows", "eat"] },
    [{ op: "move", from: "/foo/1", path: "/foo/3" }],
    { foo: ["all", "cows", "eat", "grass"] },
  ],
  [
    "A.8 test a value (success)",
    { baz: "qux", foo: ["a", 2, "c"] },
    [
      { op: "test", path: "/baz", value: "qux" },
      { op: "test", path: "/foo/1", value: 2 },
    ],
    { baz: "qux", foo: ["a", 2, "c"] },
  ],
  ["A.10 add a nested member object", { foo: "bar" }, [{ op: "add", path: "/child", value: { grandchild: {} } }], { foo: "bar", child: { grandchild: {} } }],
  ["A.12 add to a nonexistent target fails", { foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }], JsonPatchError],
  ["A.14 ~ escape ordering", { "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: 10 }], { "/": 9, "~1": 10 }],
  ["A.15 comparing strings and numbers", { "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: "10" }], JsonPatchError],
  ["A.16 add an array value", { foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], { foo: ["bar", ["abc", "def"]] }],
  ["A.9 test a value (error)", { baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }], JsonPatchError],
  ["copy", { a: { b: 1 } }, [{ op: "copy", from: "/a", path: "/c" }], { a: { b: 1 }, c: { b: 1 } }],
  ["remove a missing member fails", { a: 1 }, [{ op: "remove", path: "/b" }], JsonPatchError],
  ["replace a missing member fails", { a: 1 }, [{ op: "replace", path: "/b", value: 2 }], JsonPatchError],
  ["index past the end fails", { a: [1] }, [{ op: "add", path: "/a/2", value: 2 }], JsonPatchError],
  ["leading zero index fails", { a: [1, 2] }, [{ op: "remove", path: "/a/01" }], JsonPatchError],
  ["unknown op fails", { a: 1 }, [{ op: "merge", path: "/a", value: 2 }], JsonPatchError],
  ["add without value fails", { a: 1 }, [{ op: "add", path: "/b" }], JsonPatchError],
  ["move into own child fails", { a: { b: {} } }, [{ op: "move", from: "/a", path: "/a/b/c" }], JsonPatchError],
  ["replace the whole document", { a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }], { b: 2 }],
];

for (const [name, doc, patch, expected] of cases)
  test(`RFC 6902: ${name}`, () => {
    const before = structuredClone(doc);
    if (expected === JsonPatchError) assert.throws(() => applyPatch(doc, patch), JsonPatchError);
    else assert.deepEqual(applyPatch(doc, patch), expected);
    assert.deepEqual(doc, before, "the input document is not modified");
  });

test("a patch that is not an array of operations is refused", () => {
  assert.throws(() => applyPatch({}, { op: "add" }), JsonPatchError);
  assert.throws(() => applyPatch({}, [{ path: "/a" }]), JsonPatchError);
});

test("pointers and equality", () => {
  assert.deepEqual(parsePointer("/a~1b/c~0d/"), ["a/b", "c~d", ""]);
  assert.throws(() => parsePointer("a"), JsonPatchError);
  assert.ok(jsonEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] }));
  assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: undefined }));
});
