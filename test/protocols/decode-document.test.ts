// decodeDocument returns the wire object itself only when a copy would be identical: these are the cases where it must not.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadModel } from "../../src/core/model.js";
import { jsonFormat } from "../../src/protocols/json.js";
import { decodeDocument } from "../../src/protocols/shared.js";

const logs = loadModel("cloudwatch-logs");
const decode = (doc: unknown) => decodeDocument(logs, { shape: "PutLogEventsRequest" }, doc, jsonFormat) as Record<string, unknown>;

test("members only, in model order, none null: the same objects and arrays, unchanged", () => {
  const doc = { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: 1, message: "a" }] };
  const out = decode(doc);
  assert.equal(out, doc);
  assert.equal(out.logEvents, doc.logEvents);
  assert.deepEqual(out, { logGroupName: "g", logStreamName: "s", logEvents: [{ timestamp: 1, message: "a" }] });
});

test("unknown keys, null members and out-of-order keys give a copy with the model's members, in its order", () => {
  const event = { message: "a", timestamp: 1, extra: true };
  const doc = { logStreamName: "s", logGroupName: "g", sequenceToken: null, logEvents: [{ timestamp: 2, message: "b" }, event], __proto__x: 1 };
  const out = decode(doc);
  assert.notEqual(out, doc);
  assert.deepEqual(Object.keys(out), ["logGroupName", "logStreamName", "logEvents"]);
  const events = out.logEvents as Record<string, unknown>[];
  assert.notEqual(events, doc.logEvents);
  assert.equal(events[0], doc.logEvents[0]);
  assert.deepEqual(Object.keys(events[1]), ["timestamp", "message"]);
  // The wire document is left as it was.
  assert.deepEqual(Object.keys(event), ["message", "timestamp", "extra"]);
  assert.equal((doc.logEvents as unknown[])[1], event);
});

test("a JSON __proto__ key is not a member: dropped, the wire object not returned", () => {
  const doc = JSON.parse('{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"a","__proto__":{"x":1}}]}');
  const out = decode(doc);
  const e = (out.logEvents as Record<string, unknown>[])[0];
  assert.notEqual(e, doc.logEvents[0]);
  assert.deepEqual(Object.keys(e), ["timestamp", "message"]);
  assert.equal(Object.getPrototypeOf(e), Object.prototype);
});

test("a wrong type in a member still fails as before, in the model's member order", () => {
  // logStreamName comes first on the wire but after logGroupName in the model: logGroupName's error is the one.
  assert.throws(() => decode({ logStreamName: 5, logGroupName: [] }), /Start of list found where not expected/);
  assert.throws(() => decode({ logGroupName: "g", logEvents: [{ timestamp: "x", message: "a" }] }), /can not be converted to a Long/);
});
