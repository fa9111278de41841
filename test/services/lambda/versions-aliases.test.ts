// Versions and aliases through the real SDK v3 client: PublishVersion with its preconditions, ListVersionsByFunction
// paging, alias CRUD and routing checks, weighted routing at Invoke, and state kept across a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { randomAccount, startTestServer, type TestServer, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { waitUntil } from "../../helpers/wait.js";
import { createFunction, json, lambdaEnv, zip, type LambdaEnv } from "./setup.js";

const server = useServer();

const returning = (v: string) => ({ "index.mjs": `export const handler = async () => ${JSON.stringify(v)};` });

async function waitUpdated(env: Pick<LambdaEnv, "lambda">, name: string): Promise<void> {
  await waitUntil(
    async () => (await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).LastUpdateStatus !== "InProgress",
    `the update of ${name} to finish`,
  );
}

/** A function with versions 1 and 2 whose code answers "one" and "two", and $LATEST answering "latest". */
async function twoVersions(env: LambdaEnv, name: string): Promise<void> {
  await createFunction(env, { FunctionName: name, code: returning("one") });
  await env.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await env.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(returning("two")), Publish: true }));
  await waitUpdated(env, name);
  await env.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip(returning("latest")) }));
  await waitUpdated(env, name);
}

test("PublishVersion snapshots $LATEST, answers the newest version when nothing changed, and checks its preconditions", async () => {
  const env = await lambdaEnv(server);
  const created = await createFunction(env, { FunctionName: "pub", Description: "first" });
  const v1 = await env.lambda.send(new PublishVersionCommand({ FunctionName: "pub", Description: "v1 here" }));
  assert.equal(v1.$metadata.httpStatusCode, 201);
  assert.equal(v1.Version, "1");
  assert.equal(v1.FunctionArn, `${created.FunctionArn}:1`);
  assert.equal(v1.Description, "v1 here");
  assert.equal(v1.CodeSha256, created.CodeSha256);
  assert.equal(v1.State, "Active");

  // Nothing changed: the same version again, not a new one.
  const again = await env.lambda.send(new PublishVersionCommand({ FunctionName: "pub" }));
  assert.equal(again.Version, "1");
  assert.equal(again.RevisionId, v1.RevisionId);

  await rejects(
    env.lambda.send(new PublishVersionCommand({ FunctionName: "pub", CodeSha256: "bm90LXRoZS1oYXNo" })),
    "InvalidParameterValueException",
    400,
    `CodeSHA256 (bm90LXRoZS1oYXNo) is different from current CodeSHA256 in $LATEST (${created.CodeSha256}). Please try again.`,
  );
  await rejects(
    env.lambda.send(new PublishVersionCommand({ FunctionName: "pub", RevisionId: "nope" })),
    "PreconditionFailedException",
    412,
    /does not match the latest Revision Id/,
  );
  await rejects(
    env.lambda.send(new PublishVersionCommand({ FunctionName: "missing" })),
    "ResourceNotFoundException",
    404,
    /Function not found: .*:function:missing$/,
  );

  await env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "pub", Timeout: 9 }));
  await waitUpdated(env, "pub");
  const cur = await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "pub" }));
  const v2 = await env.lambda.send(new PublishVersionCommand({ FunctionName: "pub", CodeSha256: created.CodeSha256, RevisionId: cur.RevisionId }));
  assert.equal(v2.Version, "2");
  assert.equal(v2.Timeout, 9);
  assert.equal(v2.Description, "first");
  // Versions are immutable: $LATEST moves on, version 1 does not.
  const got1 = await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "pub", Qualifier: "1" }));
  assert.equal(got1.Timeout, 3);
});

test("ListVersionsByFunction lists $LATEST first then versions ascending, with Marker/MaxItems paging", async () => {
  const env = await lambdaEnv(server);
  await createFunction(env, { FunctionName: "lv" });
  for (let i = 1; i <= 3; i++) {
    await env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "lv", Description: `d${i}`, Timeout: 3 + i }));
    await waitUpdated(env, "lv");
    assert.equal((await env.lambda.send(new PublishVersionCommand({ FunctionName: "lv" }))).Version, String(i));
  }
  const all = await env.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "lv" }));
  assert.deepEqual(
    all.Versions!.map((v) => v.Version),
    ["$LATEST", "1", "2", "3"],
  );
  assert.match(all.Versions![0].FunctionArn!, /:function:lv:\$LATEST$/);
  assert.equal(all.NextMarker, undefined);

  const seen: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const page = await env.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "lv", MaxItems: 3, Marker: marker }));
    seen.push(...page.Versions!.map((v) => v.Version!));
    marker = page.NextMarker;
    pages += 1;
  } while (marker);
  assert.equal(pages, 2);
  assert.deepEqual(seen, ["$LATEST", "1", "2", "3"]);
  await rejects(env.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "nope" })), "ResourceNotFoundException", 404);
});

test("aliases: create, get, update with RevisionId, list with a version filter and paging, delete", async () => {
  const env = await lambdaEnv(server);
  await twoVersions(env, "al");
  const fnArn = (await env.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "al" }))).FunctionArn!;

  const live = await env.lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "live", FunctionVersion: "1", Description: "prod" }));
  assert.equal(live.$metadata.httpStatusCode, 201);
  assert.equal(live.AliasArn, `${fnArn}:live`);
  assert.equal(live.FunctionVersion, "1");
  assert.equal(live.Description, "prod");
  assert.match(live.RevisionId!, /^[0-9a-f-]{36}$/);
  await env.lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "dev", FunctionVersion: "$LATEST" }));
  await env.lambda.send(new CreateAliasCommand({ FunctionName: fnArn, Name: "beta", FunctionVersion: "2" }));

  await rejects(
    env.lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "live", FunctionVersion: "2" })),
    "ResourceConflictException",
    409,
    `Alias already exists: ${fnArn}:live`,
  );
  await rejects(
    env.lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "x", FunctionVersion: "9" })),
    "ResourceNotFoundException",
    404,
    `Function not found: ${fnArn}:9`,
  );
  await rejects(
    env.lambda.send(new CreateAliasCommand({ FunctionName: "al", Name: "123", FunctionVersion: "1" })),
    "ValidationException",
    400,
    /at 'name' failed to satisfy constraint/,
  );
  await rejects(
    env.lambda.send(new GetAliasCommand({ FunctionName: "al", Name: "gone" })),
    "ResourceNotFoundException",
    404,
    `Cannot find alias arn: ${fnArn}:gone`,
  );

  const got = await env.lambda.send(new GetAliasCommand({ FunctionName: "al", Name: "live" }));
  assert.deepEqual({ ...got, $metadata: undefined }, { ...live, $metadata: undefined });

  await rejects(
    env.lambda.send(new UpdateAliasCommand({ FunctionName: "al", Name: "live", FunctionVersion: "2", RevisionId: "stale" })),
    "PreconditionFailedException",
    412,
  );
  const moved = await env.lambda.send(new UpdateAliasCommand({ FunctionName: "al", Name: "live", FunctionVersion: "2", RevisionId: live.RevisionId }));
  assert.equal(moved.FunctionVersion, "2");
  assert.equal(moved.Description, "prod");
  assert.notEqual(moved.RevisionId, live.RevisionId);
  const inv = await env.lambda.send(new InvokeCommand({ FunctionName: "al", Qualifier: "live" }));
  assert.equal(json(inv.Payload), "two");
  assert.equal(inv.ExecutedVersion, "2");
  assert.equal(json((await env.lambda.send(new InvokeCommand({ FunctionName: "al:dev" }))).Payload), "latest");

  const onTwo = await env.lambda.send(new ListAliasesCommand({ FunctionName: "al", FunctionVersion: "2" }));
  assert.deepEqual(onTwo.Aliases!.map((a) => a.Name).sort(), ["beta", "live"]);
  const p1 = await env.lambda.send(new ListAliasesCommand({ FunctionName: "al", MaxItems: 2 }));
  assert.equal(p1.Aliases!.length, 2);
  const p2 = await env.lambda.send(new ListAliasesCommand({ FunctionName: "al", MaxItems: 2, Marker: p1.NextMarker }));
  assert.deepEqual([...p1.Aliases!, ...p2.Aliases!].map((a) => a.Name).sort(), ["beta", "dev", "live"]);
  assert.equal(p2.NextMarker, undefined);

  const del = await env.lambda.send(new DeleteAliasCommand({ FunctionName: "al", Name: "beta" }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejects(env.lambda.send(new GetAliasCommand({ FunctionName: "al", Name: "beta" })), "ResourceNotFoundException", 404);
  // Deleting it again is not an error, as on AWS.
  await env.lambda.send(new DeleteAliasCommand({ FunctionName: "al", Name: "beta" }));
});

test("routing configuration: one extra published version, never the primary, never with $LATEST", async () => {
  const env = await lambdaEnv(server);
  await twoVersions(env, "rt");
  await env.lambda.send(new PublishVersionCommand({ FunctionName: "rt" })); // 3 ("latest")
  const mk = (Name: string, FunctionVersion: string, w: Record<string, number>) =>
    env.lambda.send(new CreateAliasCommand({ FunctionName: "rt", Name, FunctionVersion, RoutingConfig: { AdditionalVersionWeights: w } }));
  await rejects(
    mk("a", "$LATEST", { "1": 0.5 }),
    "InvalidParameterValueException",
    400,
    "$LATEST is not supported for an alias pointing to more than 1 version",
  );
  await rejects(
    mk("a", "1", { "1": 0.5 }),
    "InvalidParameterValueException",
    400,
    "Invalid function version 1. Function version 1 is already included in routing configuration.",
  );
  await rejects(mk("a", "1", { "2": 0.3, "3": 0.3 }), "InvalidParameterValueException", 400);
  await rejects(mk("a", "1", { "7": 0.5 }), "ResourceNotFoundException", 404, /function:rt:7$/);
  await rejects(mk("a", "1", { "2": 1.5 }), "ValidationException", 400);

  const a = await mk("a", "1", { "2": 0.25 });
  assert.deepEqual(a.RoutingConfig, { AdditionalVersionWeights: { "2": 0.25 } });
  // Moving the primary onto the routed version is refused; clearing the routing with an empty map works.
  await rejects(env.lambda.send(new UpdateAliasCommand({ FunctionName: "rt", Name: "a", FunctionVersion: "2" })), "InvalidParameterValueException", 400);
  const cleared = await env.lambda.send(new UpdateAliasCommand({ FunctionName: "rt", Name: "a", RoutingConfig: { AdditionalVersionWeights: {} } }));
  assert.equal(cleared.RoutingConfig, undefined);
  const rerouted = await env.lambda.send(
    new UpdateAliasCommand({ FunctionName: "rt", Name: "a", FunctionVersion: "3", RoutingConfig: { AdditionalVersionWeights: { "1": 0.1 } } }),
  );
  assert.equal(rerouted.FunctionVersion, "3");
  assert.deepEqual(rerouted.RoutingConfig, { AdditionalVersionWeights: { "1": 0.1 } });
});

test("an alias with AdditionalVersionWeights {2: 0.5} runs both versions", async () => {
  const env = await lambdaEnv(server);
  await twoVersions(env, "canary");
  await env.lambda.send(
    new CreateAliasCommand({ FunctionName: "canary", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.5 } } }),
  );
  const seen = new Map<string, Set<string>>();
  for (let i = 0; i < 40; i++) {
    const out = await env.lambda.send(new InvokeCommand({ FunctionName: "canary:live" }));
    assert.equal(out.StatusCode, 200);
    const v = out.ExecutedVersion!;
    if (!seen.has(v)) seen.set(v, new Set());
    seen.get(v)!.add(json(out.Payload));
  }
  assert.deepEqual([...seen.keys()].sort(), ["1", "2"]);
  // Each executed version ran its own code.
  assert.deepEqual([...seen.get("1")!], ["one"]);
  assert.deepEqual([...seen.get("2")!], ["two"]);
});

test("versions and aliases survive a restart on the same data dir", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-lambda-versions-"));
  const account = randomAccount();
  try {
    const first = await startTestServer({ dataDir });
    try {
      const env = await lambdaEnv(first, account);
      await twoVersions(env, "keep");
      await env.lambda.send(new CreateAliasCommand({ FunctionName: "keep", Name: "live", FunctionVersion: "2" }));
    } finally {
      await first.close();
    }
    const second = await startTestServer({ dataDir });
    try {
      const env = await lambdaEnvNoRole(second, account);
      const versions = await env.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "keep" }));
      assert.deepEqual(
        versions.Versions!.map((v) => v.Version),
        ["$LATEST", "1", "2"],
      );
      const alias = await env.lambda.send(new GetAliasCommand({ FunctionName: "keep", Name: "live" }));
      assert.equal(alias.FunctionVersion, "2");
      const out = await env.lambda.send(new InvokeCommand({ FunctionName: "keep", Qualifier: "live" }));
      assert.equal(json(out.Payload), "two");
      // Numbering continues after the restart.
      await env.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "keep", Timeout: 7 }));
      await waitUpdated(env, "keep");
      assert.equal((await env.lambda.send(new PublishVersionCommand({ FunctionName: "keep" }))).Version, "3");
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** A Lambda client for an account whose role already exists (after a restart). */
async function lambdaEnvNoRole(s: TestServer, account: string) {
  return { account, lambda: new LambdaClient(s.clientConfig({ account })) };
}
