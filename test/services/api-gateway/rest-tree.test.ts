// The resource tree through every writer of resources (SDK v3): a parent's children are what CreateResource and
// UpdateResource check names against after creates, moves, renames, subtree deletes, CreateRestApi's cloneFrom and
// PutRestApi merge/overwrite; an API from a data dir made before the tree's index is indexed on first use.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APIGatewayClient,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  GetResourcesCommand,
  PutRestApiCommand,
  UpdateResourceCommand,
} from "@aws-sdk/client-api-gateway";
import { openSqliteStore } from "../../../src/core/store/sqlite.js";
import { apigwState } from "../../../src/services/api-gateway/state.js";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";

const server = useServer();

async function rejects(p: Promise<unknown>, name: string, message?: string): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

const taken = (part: string) => `Another resource with the same parent already has this name: ${part}`;

function helpers(client: APIGatewayClient, restApiId: string) {
  const create = async (parentId: string, pathPart: string) => (await client.send(new CreateResourceCommand({ restApiId, parentId, pathPart }))).id!;
  const paths = async () => {
    const items = (await client.send(new GetResourcesCommand({ restApiId, limit: 500 }))).items!;
    return Object.fromEntries(items.map((r) => [r.path!, r.id!]));
  };
  const patch = (resourceId: string, path: "/parentId" | "/pathPart", value: string) =>
    client.send(new UpdateResourceCommand({ restApiId, resourceId, patchOperations: [{ op: "replace", path, value }] }));
  return { create, paths, patch };
}

test("names under a parent follow creates, renames, moves and subtree deletes", async () => {
  const client = server.client(APIGatewayClient);
  const api = await client.send(new CreateRestApiCommand({ name: "tree" }));
  const { create, paths, patch } = helpers(client, api.id!);
  const root = api.rootResourceId!;
  const pets = await create(root, "pets");
  const id = await create(pets, "{id}");
  const toys = await create(id, "toys");
  await create(toys, "{toyId}");
  const users = await create(root, "users");
  await rejects(create(root, "pets"), "ConflictException", taken("pets"));
  await rejects(create(pets, "{other}"), "BadRequestException", "A sibling ({id}) of this resource already has a variable path part -- only one is allowed");
  // Renaming a variable part: its own old name is no sibling.
  await patch(id, "/pathPart", "{petId}");
  await rejects(create(pets, "{x}"), "BadRequestException", "A sibling ({petId}) of this resource already has a variable path part -- only one is allowed");
  // Renaming frees the old name and takes the new one.
  await patch(pets, "/pathPart", "animals");
  await create(root, "pets");
  await rejects(create(root, "animals"), "ConflictException", taken("animals"));
  // Moving a subtree: the name is free where it was and taken where it went; paths below follow.
  await patch(id, "/parentId", users);
  await create(pets, "{again}");
  await rejects(create(users, "{petId}"), "ConflictException", taken("{petId}"));
  await rejects(patch(users, "/parentId", toys), "BadRequestException", "Resources cannot be cyclical.");
  assert.deepEqual(Object.keys(await paths()).sort(), [
    "/",
    "/animals",
    "/animals/{again}",
    "/pets",
    "/users",
    "/users/{petId}",
    "/users/{petId}/toys",
    "/users/{petId}/toys/{toyId}",
  ]);
  // Deleting a subtree frees every name in it.
  await client.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: id }));
  const again = await create(users, "{petId}");
  assert.equal(await create(again, "toys").then(() => "made"), "made");
  assert.deepEqual(Object.keys(await paths()).sort(), ["/", "/animals", "/animals/{again}", "/pets", "/users", "/users/{petId}", "/users/{petId}/toys"]);
});

test("a clone's tree is its own; PutRestApi merge adds to the tree, overwrite replaces it", async () => {
  const client = server.client(APIGatewayClient);
  const src = await client.send(new CreateRestApiCommand({ name: "src" }));
  const s = helpers(client, src.id!);
  const a = await s.create(src.rootResourceId!, "a");
  await s.create(a, "{b}");
  const clone = await client.send(new CreateRestApiCommand({ name: "clone", cloneFrom: src.id }));
  const c = helpers(client, clone.id!);
  const cloned = await c.paths();
  assert.deepEqual(Object.keys(cloned).sort(), ["/", "/a", "/a/{b}"]);
  await rejects(c.create(clone.rootResourceId!, "a"), "ConflictException", taken("a"));
  await rejects(c.create(cloned["/a"], "{c}"), "BadRequestException");
  // The source's tree is untouched by the clone's changes.
  await c.patch(cloned["/a"], "/pathPart", "renamed");
  await rejects(s.create(src.rootResourceId!, "a"), "ConflictException", taken("a"));
  await s.create(src.rootResourceId!, "renamed");

  const spec = (paths: string[]) =>
    new TextEncoder().encode(
      JSON.stringify({
        openapi: "3.0.1",
        info: { title: "t", version: "1" },
        paths: Object.fromEntries(paths.map((p) => [p, { get: { "x-amazon-apigateway-integration": { type: "mock" } } }])),
      }),
    );
  await client.send(new PutRestApiCommand({ restApiId: src.id, mode: "merge", body: spec(["/m/{n}"]) }));
  const merged = await s.paths();
  await rejects(s.create(src.rootResourceId!, "m"), "ConflictException", taken("m"));
  await rejects(s.create(merged["/m"], "{o}"), "BadRequestException");
  await rejects(s.create(src.rootResourceId!, "a"), "ConflictException", taken("a"));
  await client.send(new PutRestApiCommand({ restApiId: src.id, mode: "overwrite", body: spec(["/o"]) }));
  assert.deepEqual(Object.keys(await s.paths()).sort(), ["/", "/o"]);
  await s.create(src.rootResourceId!, "a");
  await s.create(src.rootResourceId!, "m");
  await rejects(s.create(src.rootResourceId!, "o"), "ConflictException", taken("o"));
  await client.send(new DeleteRestApiCommand({ restApiId: src.id }));
  await client.send(new DeleteRestApiCommand({ restApiId: clone.id }));
});

test("an API from a data dir without the tree's index is indexed on first use", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-apigw-tree-"));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir });
    let client = new APIGatewayClient(s.clientConfig({ account }));
    const api = await client.send(new CreateRestApiCommand({ name: "old" }));
    let h = helpers(client, api.id!);
    const a = await h.create(api.rootResourceId!, "a");
    const b = await h.create(a, "{b}");
    await h.create(b, "c");
    await s.close();
    // As a data dir written before the index existed: the resources alone.
    const store = openSqliteStore(dataDir);
    store.db.prepare("DELETE FROM records WHERE ns = ?").run(apigwState.namespace("resourceChildren"));
    store.close();
    s = await startTestServer({ dataDir });
    try {
      client = new APIGatewayClient(s.clientConfig({ account }));
      h = helpers(client, api.id!);
      await rejects(h.create(api.rootResourceId!, "a"), "ConflictException", taken("a"));
      await rejects(h.create(a, "{x}"), "BadRequestException");
      await h.patch(b, "/pathPart", "{renamed}");
      assert.equal((await h.paths())["/a/{renamed}/c"] !== undefined, true);
      await client.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: a }));
      assert.deepEqual(Object.keys(await h.paths()), ["/"]);
      await h.create(api.rootResourceId!, "a");
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
