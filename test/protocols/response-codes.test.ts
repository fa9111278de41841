// Success status codes come from the model for every REST service: an operation answers its http.responseCode
// (Lambda's 201 CreateFunction, 202 CreateEventSourceMapping, 204 TagResource…), 200 where the model has none, and
// a member bound to the status code (Lambda's Invoke, DeleteFunction) overrides it — the codecs name no service.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel, modelsDir } from "../../src/core/model.js";
import { loadCodec } from "../../src/protocols/index.js";

// The REST codecs load on first use (protocols/index.ts).
const codecs = { "rest-json": await loadCodec("rest-json"), "rest-xml": await loadCodec("rest-xml") };

// The service models are those models/index.json lists (the folder also holds data such as CloudFormation's types).
const services = Object.keys(JSON.parse(readFileSync(join(modelsDir, "index.json"), "utf8")) as Record<string, unknown>);
const restModels = services
  .map((name) => ({ name, model: loadModel(name) }))
  .filter(({ model }) => model.metadata.protocol === "rest-json" || model.metadata.protocol === "rest-xml");

test("every REST operation answers its model's success code with an empty output", () => {
  assert.ok(restModels.some((m) => m.name === "lambda"));
  let checked = 0;
  for (const { name, model } of restModels) {
    const codec = codecs[model.metadata.protocol as "rest-json" | "rest-xml"];
    for (const [op, def] of Object.entries(model.operations)) {
      const res = codec.serializeOutput({}, model, op, { requestId: "r" });
      assert.equal(res.status, def.http?.responseCode ?? model.wire?.responseCodes?.[op] ?? 200, `${name} ${op}`);
      checked++;
    }
  }
  assert.ok(checked > 100, `${checked} operations checked`);
});

test("a status-code member overrides the model's code (Lambda's Invoke: 202 for Event, 204 for DryRun)", () => {
  const lambda = loadModel("lambda");
  assert.equal(codecs["rest-json"].serializeOutput({ StatusCode: 202 }, lambda, "Invoke", { requestId: "r" }).status, 202);
  assert.equal(codecs["rest-json"].serializeOutput({ StatusCode: 204 }, lambda, "DeleteFunction", { requestId: "r" }).status, 204);
  assert.equal(codecs["rest-json"].serializeOutput({}, lambda, "CreateEventSourceMapping", { requestId: "r" }).status, 202);
});
