// The filter-pattern language, table-driven: each row is a pattern, a message, and whether it matches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileFilterPattern, FilterPatternError } from "../../../src/services/cloudwatch-logs/filter-pattern.js";

const json = (o: unknown) => JSON.stringify(o);
const access = '127.0.0.1 frank admin [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';

const CASES: [pattern: string, message: string, match: boolean][] = [
  // empty and terms
  ["", "anything", true],
  ["ERROR", "2024 ERROR disk full", true],
  ["ERROR", "2024 error disk full", false],
  ["ERROR", "[ERROR]", true],
  ["ERROR disk", "ERROR: disk full", true],
  ["ERROR disk", "ERROR: memory", false],
  ['"disk full"', "ERROR: disk full now", true],
  ['"disk full"', "ERROR: disk is full", false],
  ["ERROR -timeout", "ERROR disk", true],
  ["ERROR -timeout", "ERROR timeout", false],
  ['-"not found"', "user not found", false],
  ['-"not found"', "user found", true],
  ["?ERROR ?WARN", "WARN low disk", true],
  ["?ERROR ?WARN", "ERROR low disk", true],
  ["?ERROR ?WARN", "INFO ok", false],
  ['?"disk full" ?OOM', "OOM killer", true],
  ["%ERR[0-9]+%", "code ERR42 raised", true],
  ["%ERR[0-9]+%", "code ERRx raised", false],
  ["%^INFO%", "INFO start", true],
  ["%^INFO%", "x INFO start", false],
  // JSON
  ['{ $.level = "ERROR" }', json({ level: "ERROR" }), true],
  ['{ $.level = "ERROR" }', json({ level: "error" }), false],
  ['{ $.level = "ERROR" }', "level=ERROR not json", false],
  ["{ $.level = ERROR }", json({ level: "ERROR" }), true],
  ['{ $.level != "ERROR" }', json({ level: "INFO" }), true],
  ['{ $.level != "ERROR" }', json({ other: 1 }), false],
  ['{ $.level = "ERR*" }', json({ level: "ERROR" }), true],
  ['{ $.level = "*OR" }', json({ level: "ERROR" }), true],
  ['{ $.level = "*X*" }', json({ level: "ERROR" }), false],
  ["{ $.latency > 100 }", json({ latency: 150 }), true],
  ["{ $.latency > 100 }", json({ latency: 100 }), false],
  ["{ $.latency >= 100 }", json({ latency: 100 }), true],
  ["{ $.latency < 100 }", json({ latency: 99.5 }), true],
  ["{ $.latency <= 100 }", json({ latency: 101 }), false],
  ["{ $.latency = 100 }", json({ latency: 100.0 }), true],
  ["{ $.latency != 100 }", json({ latency: 5 }), true],
  ["{ $.latency > 100 }", json({ latency: "150" }), false],
  ['{ $.level = "ERROR" && $.latency > 100 }', json({ level: "ERROR", latency: 150 }), true],
  ['{ $.level = "ERROR" && $.latency > 100 }', json({ level: "ERROR", latency: 50 }), false],
  ['{ $.level = "ERROR" || $.latency > 100 }', json({ level: "INFO", latency: 150 }), true],
  ["{ ($.a = 1 || $.b = 2) && $.c = 3 }", json({ a: 1, c: 3 }), true],
  ["{ ($.a = 1 || $.b = 2) && $.c = 3 }", json({ a: 1, c: 4 }), false],
  ["{ $.a = 1 || $.b = 2 && $.c = 3 }", json({ a: 1 }), true],
  ['{ $.user.name = "bob" }', json({ user: { name: "bob" } }), true],
  ['{ $.items[0] = "x" }', json({ items: ["x", "y"] }), true],
  ['{ $.items[1] = "x" }', json({ items: ["x", "y"] }), false],
  ["{ $.items[1].id = 7 }", json({ items: [{ id: 1 }, { id: 7 }] }), true],
  ["{ $.items[*].id = 7 }", json({ items: [{ id: 1 }, { id: 7 }] }), true],
  ["{ $.err IS NULL }", json({ err: null }), true],
  ["{ $.err IS NULL }", json({}), false],
  ["{ $.err NOT EXISTS }", json({}), true],
  ["{ $.err NOT EXISTS }", json({ err: null }), false],
  ["{ $.err EXISTS }", json({ err: 0 }), true],
  ["{ $.ok IS TRUE }", json({ ok: true }), true],
  ["{ $.ok IS FALSE }", json({ ok: true }), false],
  ["{ $.ok = true }", json({ ok: true }), true],
  ['{ $.msg = "a b" }', json({ msg: "a b" }), true],
  // space-delimited
  ["[ip, user, username, timestamp, request, status, size]", access, true],
  ["[ip, user, username, timestamp, request, status]", access, false],
  ["[ip, user, username, timestamp, request, status = 404, size]", access, true],
  ["[ip, user, username, timestamp, request, status = 4*, size]", access, true],
  ["[ip, user, username, timestamp, request, status = 5*, size]", access, false],
  ["[ip, user, username, timestamp, request, status != 404, size]", access, false],
  ["[ip, user, username, timestamp, request, status, size > 1000]", access, true],
  ["[ip, user, username, timestamp, request, status, size > 2000]", access, false],
  ['[ip, user, username, timestamp, request = "GET *", status, size]', access, true],
  ['[ip, user, username, timestamp = "10/Oct/2000*", ...]', access, true],
  ["[..., status = 404, size]", access, true],
  ["[ip = 127.0.0.1, ...]", access, true],
  ["[ip = 10.*, ...]", access, false],
  ["[ip, ..., size >= 1534]", access, true],
  ["[..., status = 4* || status = 5*, size]", access, true],
  ["[..., status = 4* && size < 1000]", "a b 404 999", false],
  ["[a, b]", "one two", true],
  ["[a, b]", "one two three", false],
  ["[...]", "any thing", true],
  // any whitespace separates fields (form feeds, vertical tabs and no-break spaces once hung the field splitter)
  ["[a, b]", "one\ftwo", true],
  ["[a, b]", "one \u00a0two", true],
  ["[a, b, c]", "\vone\u2003two\fthree ", true],
  ["[a, ..., c]", "one\ftwo", true],
  // numbers read straight from the field, as NUMBER's grammar reads them
  ["[a, b = 10]", "x 1e1", true],
  ["[a, b = 10]", "x 010", true],
  ["[a, b = 0]", "x -0", true],
  ["[a, b > 5]", "x 5.", false],
  ["[a, b > 5]", "x 5.5", true],
  ["[a, b > 5]", "x +6", false],
  ["[a, b > 5]", "x 6x", false],
  ["[a, b < 0]", "x -12345678901234567", true],
  ["[a, b >= 12345678901234567]", "x 12345678901234568", true],
  ["[a, b != 5]", "x five", false],
  ['[a, b = "q q"]', 'x "q q"', true],
  ['[a, b != "q q"]', 'x "q r"', true],
];

test("filter patterns match as CloudWatch Logs does", () => {
  for (const [pattern, message, expected] of CASES) {
    assert.equal(compileFilterPattern(pattern).matches(message), expected, `${pattern}  vs  ${message}`);
  }
});

test("a reader of selectors gives what extraction gives, for every pattern and message", () => {
  const selectors = ["$ip", "$size", "$status", "$b", "$a", "$.level", "$.n", "$.a.b", "$nope", "$.nope", "size"];
  for (const [pattern, message, expected] of CASES) {
    const m = compileFilterPattern(pattern);
    const ex = m.extract(message);
    assert.equal(ex !== undefined, expected, `${pattern}  vs  ${message}`);
    const got = m.reader(selectors)(message);
    assert.deepEqual(got && [...got], ex && selectors.map((s) => ex.get(s)), `${pattern}  vs  ${message}`);
  }
});

test("required substrings never exclude a message the pattern matches", () => {
  for (const [pattern, message, expected] of CASES) {
    const m = compileFilterPattern(pattern);
    if (expected) for (const s of m.requiredSubstrings) assert.ok(message.includes(s), `${pattern}: '${s}' not in ${message}`);
  }
  assert.deepEqual(compileFilterPattern("ERROR disk -x ?y").requiredSubstrings, ["ERROR", "disk"]);
  assert.deepEqual(compileFilterPattern('{ $.level = "ERR*" && $.n > 1 }').requiredSubstrings, ["ERR"]);
  assert.deepEqual(compileFilterPattern('{ $.level = "ERROR" || $.n > 1 }').requiredSubstrings, []);
});

test("malformed patterns are refused", () => {
  for (const bad of ['{ $.a = "x" ', "{ $.a > }", "{ a = 1 }", '{ $.a > "x" }', "[a, , b]", '"unterminated', "%abc", "{ $.a IS MAYBE }"]) {
    assert.throws(() => compileFilterPattern(bad), FilterPatternError, bad);
  }
});
