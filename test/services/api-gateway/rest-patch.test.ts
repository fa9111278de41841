// patch.ts, the PatchOperations helper every Update* operation uses: JSON Pointer escapes, each kind of path, the
// six ops, AWS's refusals; and CreateRestApi's cloneFrom, which copies a whole API through the real SDK client.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  APIGatewayClient,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetMethodCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from "@aws-sdk/client-api-gateway";
import { applyPatch, decodePath, encodeSegment, type PatchSpec } from "../../../src/services/api-gateway/patch.js";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

const SPEC: PatchSpec = {
  name: { kind: "string", ops: ["replace"] },
  enabled: "boolean",
  size: "integer",
  types: "list",
  "nested/rate": "number",
  vars: "map",
  params: "booleanMap",
};

test("paths decode ~1 as / and ~0 as ~; segments encode back", () => {
  assert.deepEqual(decodePath("/binaryMediaTypes/image~1png"), ["binaryMediaTypes", "image/png"]);
  assert.deepEqual(decodePath("/a~0b/c~01"), ["a~b", "c~1"]);
  assert.equal(encodeSegment("a/b~c"), "a~1b~0c");
});

test("applyPatch: each kind, each op, on a copy; AWS's refusals", () => {
  const rec = { name: "a", enabled: false, size: 1, types: ["x"], nested: { rate: 1 }, vars: { a: "1" }, params: {} as Record<string, boolean> };
  const out = applyPatch(
    rec,
    [
      { op: "replace", path: "/name", value: "b" },
      { op: "replace", path: "/enabled", value: "TRUE" },
      { op: "replace", path: "/size", value: "42" },
      { op: "add", path: "/types/image~1png" },
      { op: "replace", path: "/types/x", value: "y" },
      { op: "replace", path: "/nested/rate", value: "2.5" },
      { op: "add", path: "/vars/b", value: "2" },
      { op: "remove", path: "/vars/a" },
      { op: "add", path: "/params/method.request.header.h", value: "true" },
      { op: "copy", from: "/vars/b", path: "/vars/c" },
      { op: "move", from: "/vars/c", path: "/vars/d" },
      { op: "test", path: "/vars/d", value: "2" },
    ],
    SPEC,
  );
  assert.deepEqual(out, {
    name: "b",
    enabled: true,
    size: 42,
    types: ["y", "image/png"],
    nested: { rate: 2.5 },
    vars: { b: "2", d: "2" },
    params: { "method.request.header.h": true },
  });
  assert.equal(rec.name, "a", "the record itself is untouched");
  assert.throws(() => applyPatch(rec, [{ op: "add", path: "/name", value: "x" }], SPEC), {
    name: "BadRequestException",
    message: "Invalid patch operation specified. Must be one of: [replace]",
  });
  assert.throws(() => applyPatch(rec, [{ op: "replace", path: "/nope", value: "x" }], SPEC), { message: "Invalid patch path /nope" });
  assert.throws(() => applyPatch(rec, [{ op: "replace" }], SPEC), { message: "Invalid patch path null" });
  assert.throws(() => applyPatch(rec, [{ op: "add", path: "/types", value: "x" }], SPEC), { message: "Invalid patch path /types" });
  assert.throws(() => applyPatch(rec, [{ op: "replace", path: "/size", value: "x" }], SPEC), { name: "BadRequestException" });
  assert.throws(() => applyPatch(rec, [{ op: "test", path: "/vars/a", value: "2" }], SPEC), { name: "BadRequestException" });
});

test("CreateRestApi with cloneFrom copies resources, methods and integrations under new ids", async () => {
  const apigw = server.client(APIGatewayClient, { account: randomAccount() });
  const src = await apigw.send(new CreateRestApiCommand({ name: "src" }));
  const r = await apigw.send(new CreateResourceCommand({ restApiId: src.id, parentId: src.rootResourceId, pathPart: "a" }));
  await apigw.send(new PutMethodCommand({ restApiId: src.id, resourceId: r.id, httpMethod: "GET", authorizationType: "NONE" }));
  await apigw.send(new PutIntegrationCommand({ restApiId: src.id, resourceId: r.id, httpMethod: "GET", type: "MOCK" }));
  const clone = await apigw.send(new CreateRestApiCommand({ name: "clone", cloneFrom: src.id }));
  const items = (await apigw.send(new GetResourcesCommand({ restApiId: clone.id }))).items!;
  assert.deepEqual(items.map((x) => x.path).sort(), ["/", "/a"]);
  const a = items.find((x) => x.path === "/a")!;
  assert.notEqual(a.id, r.id);
  assert.equal(a.parentId, clone.rootResourceId);
  assert.equal(items.find((x) => x.path === "/")!.id, clone.rootResourceId);
  const m = await apigw.send(new GetMethodCommand({ restApiId: clone.id, resourceId: a.id, httpMethod: "GET" }));
  assert.equal(m.methodIntegration?.type, "MOCK");
  assert.equal(m.methodIntegration?.cacheNamespace, a.id);
});
