// API keys and usage plans enforced on real HTTP requests to a deployed REST API: 403 Forbidden for a missing,
// unknown, disabled or plan-less key, the plan's token bucket (429 Too Many Requests, per-method overrides), its
// quota (429 Limit Exceeded), GetUsage counting the calls, UpdateUsage granting more, stage and method throttling
// from the stage's method settings, and usage counters surviving a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetUsageCommand,
  UpdateApiKeyCommand,
  UpdateStageCommand,
  UpdateUsageCommand,
  UpdateUsagePlanCommand,
  type APIGatewayClient,
} from "@aws-sdk/client-api-gateway";
import { startTestServer, useServer, type UsedServer } from "../../helpers/server.js";
import { accessApi } from "./access-setup.js";
import { apiEnv, apiHost, deploy, type ApiEnv, type EventJson, send } from "./execute-setup.js";

const server = useServer();
const today = () => new Date().toISOString().slice(0, 10);

/** An API whose GET /items needs a key and GET /open does not, deployed to prod; a key in a plan for prod. */
async function keyedApi(
  env: ApiEnv,
  plan: { throttle?: { rateLimit: number; burstLimit: number }; quota?: { limit: number; period: "DAY" | "WEEK" | "MONTH" } } = {},
) {
  const api = await accessApi(env);
  await api.put({ path: "/items", verb: "GET", apiKeyRequired: true });
  await api.put({ path: "/items", verb: "POST", apiKeyRequired: true });
  await api.put({ path: "/open", verb: "GET" });
  await deploy(env, api.apiId, "prod");
  const key = await env.apigw.send(new CreateApiKeyCommand({ name: "caller", enabled: true }));
  const usagePlan = await env.apigw.send(new CreateUsagePlanCommand({ name: "plan", apiStages: [{ apiId: api.apiId, stage: "prod" }], ...plan }));
  await env.apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: usagePlan.id!, keyId: key.id!, keyType: "API_KEY" }));
  return { apiId: api.apiId, key, planId: usagePlan.id! };
}

const get = (s: UsedServer | { url: string }, apiId: string, path: string, key?: string, method = "GET") =>
  send(s as UsedServer, `/prod${path}`, { host: apiHost(s as UsedServer, apiId), method, headers: key ? { "x-api-key": key } : {} });

test("API keys: 403 Forbidden without a valid key in a plan for the stage; the key reaches requestContext.identity", async () => {
  const env = await apiEnv(server);
  const { apiId, key } = await keyedApi(env);

  const open = await get(server, apiId, "/open");
  assert.equal(open.status, 200, open.text);
  for (const k of [undefined, "not-a-key-value-at-all-000"]) {
    const r = await get(server, apiId, "/items", k);
    assert.equal(r.status, 403, r.text);
    assert.deepEqual(r.json(), { message: "Forbidden" });
    assert.equal(r.headers["x-amzn-errortype"], "ForbiddenException");
  }
  const ok = await get(server, apiId, "/items", key.value);
  assert.equal(ok.status, 200, ok.text);
  const e = ok.json() as EventJson;
  assert.equal(e.requestContext.identity.apiKey, key.value);
  assert.equal(e.requestContext.identity.apiKeyId, key.id);
  // The header's name is case-insensitive.
  const upper = await send(server, "/prod/items", { host: apiHost(server, apiId), headers: { "X-API-Key": key.value! } });
  assert.equal(upper.status, 200);

  // Disabled: refused; enabled again: served.
  await env.apigw.send(new UpdateApiKeyCommand({ apiKey: key.id!, patchOperations: [{ op: "replace", path: "/enabled", value: "false" }] }));
  assert.equal((await get(server, apiId, "/items", key.value)).status, 403);
  await env.apigw.send(new UpdateApiKeyCommand({ apiKey: key.id!, patchOperations: [{ op: "replace", path: "/enabled", value: "true" }] }));
  assert.equal((await get(server, apiId, "/items", key.value)).status, 200);

  // A valid, enabled key in no plan for this stage.
  const loose = await env.apigw.send(new CreateApiKeyCommand({ name: "loose", enabled: true }));
  assert.equal((await get(server, apiId, "/items", loose.value)).status, 403);
  // Another account's key is unknown here.
  const other = await apiEnv(server, "echo2");
  const foreign = await other.apigw.send(new CreateApiKeyCommand({ enabled: true }));
  assert.equal((await get(server, apiId, "/items", foreign.value)).status, 403);
});

test("usage plan throttling: a token bucket (burst, then rate) answering 429 Too Many Requests; per-method overrides", async () => {
  const env = await apiEnv(server);
  const { apiId, key, planId } = await keyedApi(env, { throttle: { rateLimit: 1, burstLimit: 2 } });
  // A warm function first (a cold start would let the bucket refill between the calls below).
  assert.equal((await get(server, apiId, "/open")).status, 200);
  const codes: number[] = [];
  for (let i = 0; i < 3; i++) codes.push((await get(server, apiId, "/items", key.value)).status);
  assert.deepEqual(codes, [200, 200, 429]);
  const r = await get(server, apiId, "/items", key.value);
  assert.equal(r.status, 429);
  assert.deepEqual(r.json(), { message: "Too Many Requests" });
  // Unkeyed methods are not the plan's business.
  assert.equal((await get(server, apiId, "/open")).status, 200);
  // A second later the bucket has one token again.
  await new Promise((res) => setTimeout(res, 1100));
  assert.equal((await get(server, apiId, "/items", key.value)).status, 200);

  // POST /items gets its own, roomier bucket.
  await env.apigw.send(
    new UpdateUsagePlanCommand({
      usagePlanId: planId,
      patchOperations: [
        { op: "replace", path: `/apiStages/${apiId}:prod/throttle/~1items/POST/rateLimit`, value: "100" },
        { op: "replace", path: `/apiStages/${apiId}:prod/throttle/~1items/POST/burstLimit`, value: "10" },
      ],
    }),
  );
  const posts: number[] = [];
  for (let i = 0; i < 5; i++) posts.push((await get(server, apiId, "/items", key.value, "POST")).status);
  assert.deepEqual(posts, [200, 200, 200, 200, 200]);
});

test("quotas: 429 Limit Exceeded past the limit; GetUsage counts the calls per day; UpdateUsage grants more", async () => {
  const env = await apiEnv(server);
  const { apiId, key, planId } = await keyedApi(env, { quota: { limit: 3, period: "DAY" } });
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) codes.push((await get(server, apiId, "/items", key.value)).status);
  assert.deepEqual(codes, [200, 200, 200, 429]);
  const r = await get(server, apiId, "/items", key.value);
  assert.deepEqual(r.json(), { message: "Limit Exceeded" });
  assert.equal(r.headers["x-amzn-errortype"], "LimitExceededException");

  const usage = await env.apigw.send(new GetUsageCommand({ usagePlanId: planId, startDate: today(), endDate: today() }));
  assert.deepEqual(usage.items, { [key.id!]: [[3, 0]] });
  const byKey = await env.apigw.send(new GetUsageCommand({ usagePlanId: planId, keyId: key.id!, startDate: today(), endDate: today() }));
  assert.deepEqual(byKey.items, { [key.id!]: [[3, 0]] });

  await env.apigw.send(new UpdateUsageCommand({ usagePlanId: planId, keyId: key.id!, patchOperations: [{ op: "replace", path: "/remaining", value: "2" }] }));
  const more: number[] = [];
  for (let i = 0; i < 3; i++) more.push((await get(server, apiId, "/items", key.value)).status);
  assert.deepEqual(more, [200, 200, 429]);
  const after = await env.apigw.send(new GetUsageCommand({ usagePlanId: planId, startDate: today(), endDate: today() }));
  assert.deepEqual(after.items, { [key.id!]: [[5, 0]] });
});

test("stage and method throttling from the stage's method settings: 429 Too Many Requests, without any key", async () => {
  const env = await apiEnv(server);
  const { apiId } = await keyedApi(env);
  await env.apigw.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: "prod",
      patchOperations: [
        { op: "replace", path: "/*/*/throttling/rateLimit", value: "0.01" },
        { op: "replace", path: "/*/*/throttling/burstLimit", value: "1" },
        { op: "replace", path: "/~1items/POST/throttling/rateLimit", value: "0.01" },
        { op: "replace", path: "/~1items/POST/throttling/burstLimit", value: "3" },
      ],
    }),
  );
  const open = [await get(server, apiId, "/open"), await get(server, apiId, "/open")];
  assert.deepEqual(
    open.map((r) => r.status),
    [200, 429],
  );
  assert.deepEqual(open[1]!.json(), { message: "Too Many Requests" });
  assert.equal(open[1]!.headers["x-amzn-errortype"], "TooManyRequestsException");
  // The method's own setting overrides the stage's.
  const posts: number[] = [];
  for (let i = 0; i < 4; i++) posts.push((await get(server, apiId, "/items", "none", "POST")).status);
  // No key: the throttle passes, the key check refuses (403) — three tokens, then 429 before the key is looked at.
  assert.deepEqual(posts, [403, 403, 403, 429]);
});

test("usage counters survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-apigw-usage-"));
  try {
    let s = await startTestServer({ dataDir });
    const used = s as unknown as UsedServer;
    let env: ApiEnv;
    let ids: { apiId: string; key: { id?: string; value?: string }; planId: string };
    let apigw: APIGatewayClient;
    try {
      env = await apiEnv(used);
      ids = await keyedApi(env, { quota: { limit: 4, period: "MONTH" } });
      apigw = env.apigw;
      for (let i = 0; i < 3; i++) assert.equal((await get(used, ids.apiId, "/items", ids.key.value)).status, 200);
    } finally {
      await s.close();
    }
    s = await startTestServer({ dataDir });
    try {
      const again = s as unknown as UsedServer;
      const client = new (apigw.constructor as typeof APIGatewayClient)(s.clientConfig({ account: env.account }));
      const usage = await client.send(new GetUsageCommand({ usagePlanId: ids.planId, startDate: today(), endDate: today() }));
      assert.deepEqual(usage.items, { [ids.key.id!]: [[3, 1]] });
      assert.equal((await get(again, ids.apiId, "/items", ids.key.value)).status, 200);
      const over = await get(again, ids.apiId, "/items", ids.key.value);
      assert.equal(over.status, 429);
      assert.deepEqual(over.json(), { message: "Limit Exceeded" });
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
