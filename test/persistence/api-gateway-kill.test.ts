// API Gateway through `kill -9` (the built server, a real process): a REST API with a deployed MOCK method behind an
// API key and a usage plan with a quota, and an HTTP API, survive; so does the deployment snapshot (a change made
// after deploying still does not reach the stage) and the usage counted before the kill (the quota goes on from it).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  GetUsageCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from "@aws-sdk/client-apigatewayv2";
import { randomAccount } from "../helpers/server.js";
import { cliClientConfig, killAll, startCli } from "../cli/spawn.js";

after(killAll);

const config = cliClientConfig;

function call(url: string, apiId: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: "127.0.0.1", port: u.port, path, headers: { ...headers, host: `${apiId}.execute-api.localhost:${u.port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode!, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", fail);
    req.end();
  });
}

test("kill -9: REST and HTTP APIs, their deployments, API keys, usage plans and counted usage survive", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-apigw-kill-"));
  const account = randomAccount();
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    const apigw = new APIGatewayClient(config(first.url, account));
    const api = await apigw.send(new CreateRestApiCommand({ name: "durable" }));
    const res = await apigw.send(new CreateResourceCommand({ restApiId: api.id!, parentId: api.rootResourceId!, pathPart: "ping" }));
    const m = { restApiId: api.id!, resourceId: res.id!, httpMethod: "GET" };
    await apigw.send(new PutMethodCommand({ ...m, authorizationType: "NONE", apiKeyRequired: true }));
    await apigw.send(new PutMethodResponseCommand({ ...m, statusCode: "200" }));
    await apigw.send(new PutIntegrationCommand({ ...m, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } }));
    await apigw.send(new PutIntegrationResponseCommand({ ...m, statusCode: "200", responseTemplates: { "application/json": '{"v": 1}' } }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: api.id!, stageName: "prod" }));
    // Changed after deploying: the stage keeps serving the deployment.
    await apigw.send(new PutIntegrationResponseCommand({ ...m, statusCode: "200", responseTemplates: { "application/json": '{"v": 2}' } }));
    const key = await apigw.send(new CreateApiKeyCommand({ name: "k", enabled: true }));
    const plan = await apigw.send(
      new CreateUsagePlanCommand({ name: "p", apiStages: [{ apiId: api.id!, stage: "prod" }], quota: { limit: 5, period: "DAY" } }),
    );
    await apigw.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id!, keyId: key.id!, keyType: "API_KEY" }));
    const withKey = { "x-api-key": key.value! };
    for (let i = 0; i < 3; i++) assert.deepEqual(await call(first.url, api.id!, "/prod/ping", withKey), { status: 200, body: '{"v": 1}' });

    const v2 = new ApiGatewayV2Client(config(first.url, account));
    const http = await v2.send(new CreateApiCommand({ Name: "durable-http", ProtocolType: "HTTP" }));
    const integ = await v2.send(
      new CreateIntegrationCommand({
        ApiId: http.ApiId!,
        IntegrationType: "HTTP_PROXY",
        IntegrationMethod: "GET",
        IntegrationUri: "http://127.0.0.1:9/",
        PayloadFormatVersion: "1.0",
      }),
    );
    await v2.send(new CreateRouteCommand({ ApiId: http.ApiId!, RouteKey: "GET /x", Target: `integrations/${integ.IntegrationId}` }));
    await v2.send(new CreateStageCommand({ ApiId: http.ApiId!, StageName: "$default", AutoDeploy: true }));
    // Unmatched routes answer 404 from the deployed routes: the API is served.
    assert.equal((await call(first.url, http.ApiId!, "/nothing")).status, 404);

    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      // The deployment as it was, the key still required, the quota going on from the 3 calls counted before.
      assert.equal((await call(again.url, api.id!, "/prod/ping")).status, 403);
      for (let i = 0; i < 2; i++) assert.deepEqual(await call(again.url, api.id!, "/prod/ping", withKey), { status: 200, body: '{"v": 1}' });
      const over = await call(again.url, api.id!, "/prod/ping", withKey);
      assert.equal(over.status, 429);
      assert.deepEqual(JSON.parse(over.body), { message: "Limit Exceeded" });
      const today = new Date().toISOString().slice(0, 10);
      const usage = await new APIGatewayClient(config(again.url, account)).send(
        new GetUsageCommand({ usagePlanId: plan.id!, startDate: today, endDate: today }),
      );
      assert.equal(usage.items?.[key.id!]?.[0]?.[0], 5);
      assert.equal((await call(again.url, http.ApiId!, "/nothing")).status, 404);
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
