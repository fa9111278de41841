// API keys and usage plans through the control plane: the SDK v3 client, boto3 and the AWS CLI. (Keys and plans
// enforced on real HTTP requests are in access-limits.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsageCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  ImportApiKeysCommand,
  UpdateApiKeyCommand,
  UpdateUsagePlanCommand,
  UpdateUsageCommand,
} from "@aws-sdk/client-api-gateway";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { periodStart } from "../../../src/services/api-gateway/usage.js";

const server = useServer();
const client = (account = randomAccount()) => server.client(APIGatewayClient, { account });

test("API keys: create (generated and given values), get with and without the value, update, list, delete", async () => {
  const gw = client();
  const made = await gw.send(new CreateApiKeyCommand({ name: "alpha", description: "d", customerId: "c1", tags: { team: "x" } }));
  assert.equal(made.value!.length, 40);
  assert.match(made.value!, /^[A-Za-z0-9]{40}$/);
  assert.equal(made.enabled, false);
  assert.equal(made.name, "alpha");
  assert.ok(made.createdDate instanceof Date);
  assert.deepEqual(made.tags, { team: "x" });

  const given = await gw.send(new CreateApiKeyCommand({ name: "beta", value: "b".repeat(24), enabled: true }));
  assert.equal(given.value, "b".repeat(24));
  assert.equal(given.enabled, true);

  await rejects(gw.send(new CreateApiKeyCommand({ value: "short" })), "BadRequestException", 400, "API Key value should be at least 20 characters");
  await rejects(gw.send(new CreateApiKeyCommand({ value: "b".repeat(24) })), "ConflictException", 409, "API Key already exists");

  const got = await gw.send(new GetApiKeyCommand({ apiKey: made.id! }));
  assert.equal(got.value, undefined);
  assert.equal(got.customerId, "c1");
  const withValue = await gw.send(new GetApiKeyCommand({ apiKey: made.id!, includeValue: true }));
  assert.equal(withValue.value, made.value);
  await rejects(gw.send(new GetApiKeyCommand({ apiKey: "nope" })), "NotFoundException", 404, "Invalid API Key identifier specified");

  const updated = await gw.send(
    new UpdateApiKeyCommand({
      apiKey: made.id!,
      patchOperations: [
        { op: "replace", path: "/name", value: "alpha2" },
        { op: "replace", path: "/enabled", value: "true" },
        { op: "replace", path: "/description", value: "new" },
      ],
    }),
  );
  assert.equal(updated.name, "alpha2");
  assert.equal(updated.enabled, true);
  assert.equal(updated.description, "new");
  await rejects(
    gw.send(new UpdateApiKeyCommand({ apiKey: made.id!, patchOperations: [{ op: "replace", path: "/value", value: "x" }] })),
    "BadRequestException",
    400,
  );

  const all = await gw.send(new GetApiKeysCommand({}));
  assert.deepEqual(all.items!.map((k) => k.name).sort(), ["alpha2", "beta"]);
  assert.ok(all.items!.every((k) => k.value === undefined));
  const values = await gw.send(new GetApiKeysCommand({ includeValues: true, nameQuery: "alp" }));
  assert.deepEqual(
    values.items!.map((k) => [k.name, k.value]),
    [["alpha2", made.value]],
  );
  const byCustomer = await gw.send(new GetApiKeysCommand({ customerId: "c1" }));
  assert.deepEqual(
    byCustomer.items!.map((k) => k.id),
    [made.id],
  );
  const page1 = await gw.send(new GetApiKeysCommand({ limit: 1 }));
  assert.equal(page1.items!.length, 1);
  const page2 = await gw.send(new GetApiKeysCommand({ limit: 1, position: page1.position }));
  assert.equal(page2.items!.length, 1);
  assert.notEqual(page2.items![0]!.id, page1.items![0]!.id);
  assert.equal(page2.position, undefined);

  await gw.send(new DeleteApiKeyCommand({ apiKey: made.id! }));
  await rejects(gw.send(new GetApiKeyCommand({ apiKey: made.id! })), "NotFoundException", 404);
  await rejects(gw.send(new DeleteApiKeyCommand({ apiKey: made.id! })), "NotFoundException", 404, "Invalid API Key identifier specified");
  // The value is free again once its key is gone.
  await gw.send(new CreateApiKeyCommand({ value: made.value! }));
});

test("ImportApiKeys: a CSV of keys, with plans, warnings for bad rows", async () => {
  const gw = client();
  const plan = await gw.send(new CreateUsagePlanCommand({ name: "imported" }));
  const csv = `Name,Key,Description,Enabled,UsagePlanIds\nk1,${"1".repeat(20)},first,true,${plan.id}\nk2,${"2".repeat(21)},"second, quoted",false,\nk3,short,bad,true,\n`;
  const out = await gw.send(new ImportApiKeysCommand({ format: "csv", body: Buffer.from(csv) }));
  assert.equal(out.ids!.length, 2);
  assert.equal(out.warnings!.length, 1);
  const k1 = await gw.send(new GetApiKeyCommand({ apiKey: out.ids![0]!, includeValue: true }));
  assert.deepEqual([k1.name, k1.value, k1.enabled, k1.description], ["k1", "1".repeat(20), true, "first"]);
  const k2 = await gw.send(new GetApiKeyCommand({ apiKey: out.ids![1]! }));
  assert.deepEqual([k2.description, k2.enabled], ["second, quoted", false]);
  const planKeys = await gw.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id! }));
  assert.deepEqual(
    planKeys.items!.map((k) => [k.id, k.name, k.type]),
    [[k1.id, "k1", "API_KEY"]],
  );
  await rejects(
    gw.send(new ImportApiKeysCommand({ format: "csv", failOnWarnings: true, body: Buffer.from(`Key\nshort\n`) })),
    "BadRequestException",
    400,
    "API Key value should be at least 20 characters",
  );
});

test("usage plans: create, get, list by key, patch throttle and quota, keys, usage, delete", async () => {
  const gw = client();
  const plan = await gw.send(
    new CreateUsagePlanCommand({ name: "gold", description: "g", throttle: { rateLimit: 10, burstLimit: 5 }, quota: { limit: 100, period: "DAY" } }),
  );
  assert.equal(plan.name, "gold");
  assert.deepEqual(plan.throttle, { rateLimit: 10, burstLimit: 5 });
  assert.deepEqual(plan.quota, { limit: 100, offset: 0, period: "DAY" });
  assert.deepEqual(plan.apiStages, []);
  await rejects(gw.send(new GetUsagePlanCommand({ usagePlanId: "nope" })), "NotFoundException", 404, "Invalid Usage Plan ID specified");
  await rejects(
    gw.send(new CreateUsagePlanCommand({ name: "x", apiStages: [{ apiId: "nope", stage: "prod" }] })),
    "BadRequestException",
    400,
    "Invalid API Stage {api: %s, stage: %s} specified for usageplan %s",
  );

  const patched = await gw.send(
    new UpdateUsagePlanCommand({
      usagePlanId: plan.id!,
      patchOperations: [
        { op: "replace", path: "/throttle/rateLimit", value: "2.5" },
        { op: "replace", path: "/quota/period", value: "WEEK" },
        { op: "replace", path: "/quota/offset", value: "1" },
        { op: "replace", path: "/name", value: "platinum" },
      ],
    }),
  );
  assert.deepEqual(patched.throttle, { rateLimit: 2.5, burstLimit: 5 });
  assert.deepEqual(patched.quota, { limit: 100, offset: 1, period: "WEEK" });
  assert.equal(patched.name, "platinum");
  await rejects(
    gw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id!, patchOperations: [{ op: "replace", path: "/quota/offset", value: "9" }] })),
    "BadRequestException",
    400,
  );
  const removed = await gw.send(new UpdateUsagePlanCommand({ usagePlanId: plan.id!, patchOperations: [{ op: "remove", path: "/throttle" }] }));
  assert.equal(removed.throttle, undefined);

  const key = await gw.send(new CreateApiKeyCommand({ name: "member", enabled: true }));
  const other = await gw.send(new CreateUsagePlanCommand({ name: "other" }));
  const pk = await gw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id!, keyType: "API_KEY" }));
  assert.deepEqual([pk.id, pk.type, pk.name, pk.value], [key.id, "API_KEY", "member", key.value]);
  await rejects(gw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id!, keyType: "API_KEY" })), "ConflictException", 409);
  await rejects(
    gw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: "nope", keyType: "API_KEY" })),
    "NotFoundException",
    404,
    "Invalid API Key identifier specified",
  );
  assert.equal((await gw.send(new GetUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id! }))).id, key.id);
  await rejects(gw.send(new GetUsagePlanKeyCommand({ usagePlanId: other.id!, keyId: key.id! })), "NotFoundException", 404);

  const byKey = await gw.send(new GetUsagePlansCommand({ keyId: key.id! }));
  assert.deepEqual(
    byKey.items!.map((p) => p.id),
    [plan.id],
  );
  const allPlans = await gw.send(new GetUsagePlansCommand({}));
  assert.equal(allPlans.items!.length, 2);

  // No requests yet: every day of the range answers [0, limit].
  const usage = await gw.send(new GetUsageCommand({ usagePlanId: plan.id!, startDate: "2026-01-01", endDate: "2026-01-03" }));
  assert.deepEqual(usage.items, {
    [key.id!]: [
      [0, 100],
      [0, 100],
      [0, 100],
    ],
  });
  assert.equal(usage.startDate, "2026-01-01");
  await rejects(gw.send(new GetUsageCommand({ usagePlanId: plan.id!, startDate: "01/01/2026", endDate: "2026-01-03" })), "BadRequestException", 400);

  const granted = await gw.send(
    new UpdateUsageCommand({ usagePlanId: plan.id!, keyId: key.id!, patchOperations: [{ op: "replace", path: "/remaining", value: "7" }] }),
  );
  const days = granted.items![key.id!]!;
  assert.deepEqual(days.at(-1), [0, 7]);

  await gw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id! }));
  await rejects(gw.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id! })), "NotFoundException", 404);
  await gw.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id! }));
  await rejects(gw.send(new GetUsagePlanCommand({ usagePlanId: plan.id! })), "NotFoundException", 404);
});

test("API keys and usage plans with boto3", { skip: pythonMissing() }, async () => {
  const cfg = server.clientConfig();
  const script = `
import boto3, json, sys
gw = boto3.client("apigateway", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="test")
k = gw.create_api_key(name="py", enabled=True, value="p" * 30)
p = gw.create_usage_plan(name="py-plan", quota={"limit": 5, "period": "MONTH"})
gw.create_usage_plan_key(usagePlanId=p["id"], keyId=k["id"], keyType="API_KEY")
keys = [x["name"] for x in gw.get_paginator("get_api_keys").paginate(includeValues=True).build_full_result()["items"]]
plans = gw.get_usage_plans(keyId=k["id"])["items"]
try:
    gw.get_api_key(apiKey="missing")
    err = None
except gw.exceptions.NotFoundException as e:
    err = e.response["Error"]["Message"]
print(json.dumps({"keys": keys, "plans": [x["name"] for x in plans], "err": err, "quota": plans[0]["quota"]}))
`;
  const { stdout } = await run("python3", ["-c", script, cfg.endpoint, cfg.credentials.accessKeyId]);
  assert.deepEqual(JSON.parse(stdout), {
    keys: ["py"],
    plans: ["py-plan"],
    err: "Invalid API Key identifier specified",
    quota: { limit: 5, offset: 0, period: "MONTH" },
  });
});

test("API keys and usage plans with the AWS CLI", async (t) => {
  const cli = awsClis()[0];
  if (!cli) return t.skip("no AWS CLI");
  const account = randomAccount();
  const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
  const made = await runAws(cli, server.url, ["apigateway", "create-api-key", "--name", "cli", "--enabled", "--output", "json"], creds);
  assert.equal(made.status, 0, made.stderr);
  const key = JSON.parse(made.stdout) as { id: string; enabled: boolean; value: string };
  assert.equal(key.enabled, true);
  const plan = await runAws(
    cli,
    server.url,
    ["apigateway", "create-usage-plan", "--name", "cli-plan", "--throttle", "burstLimit=3,rateLimit=1", "--output", "json"],
    creds,
  );
  assert.equal(plan.status, 0, plan.stderr);
  const planId = (JSON.parse(plan.stdout) as { id: string }).id;
  const linked = await runAws(
    cli,
    server.url,
    ["apigateway", "create-usage-plan-key", "--usage-plan-id", planId, "--key-id", key.id, "--key-type", "API_KEY"],
    creds,
  );
  assert.equal(linked.status, 0, linked.stderr);
  const listed = await runAws(cli, server.url, ["apigateway", "get-usage-plan-keys", "--usage-plan-id", planId, "--output", "json"], creds);
  assert.deepEqual(
    (JSON.parse(listed.stdout) as { items: { id: string }[] }).items.map((i) => i.id),
    [key.id],
  );
  const missing = await runAws(cli, server.url, ["apigateway", "get-usage-plan", "--usage-plan-id", "nope"], creds);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /NotFoundException.*Invalid Usage Plan ID specified/);
});

test("quota periods: DAY, WEEK from its offset's weekday (0 = Sunday), MONTH from day offset + 1", () => {
  const sat = Date.parse("2026-12-05T15:30:00Z"); // a Saturday
  assert.equal(periodStart({ period: "DAY", limit: 1 }, sat), "2026-12-05");
  assert.equal(periodStart({ period: "WEEK", offset: 0, limit: 1 }, sat), "2026-11-29");
  assert.equal(periodStart({ period: "WEEK", offset: 1, limit: 1 }, sat), "2026-11-30");
  assert.equal(periodStart({ period: "WEEK", offset: 6, limit: 1 }, sat), "2026-12-05");
  assert.equal(periodStart({ period: "MONTH", offset: 0, limit: 1 }, sat), "2026-12-01");
  assert.equal(periodStart({ period: "MONTH", offset: 9, limit: 1 }, sat), "2026-11-10");
  assert.equal(periodStart({ period: "MONTH", offset: 9, limit: 1 }, Date.parse("2026-01-03T00:00:00Z")), "2025-12-10");
  assert.equal(periodStart(undefined, sat), "2026-12-05");
});
