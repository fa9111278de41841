// An HTTP API keeps serving after a restart: its routes, integrations, stages and the function's permission are
// durable records, and the served deployment is read back from them (nothing about serving lives only in memory).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from "@aws-sdk/client-apigatewayv2";
import { startTestServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { call, env, fn, permit } from "./execute-helpers.js";

test("an HTTP API answers the same after the server restarts", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-httpapi-restart-"));
  try {
    let s = await startTestServer({ dataDir });
    let id: string;
    try {
      const e = await env(s);
      const target = await fn(
        e,
        "durable",
        `export const handler = async (event) => ({ route: event.routeKey, id: event.pathParameters?.id, stage: event.requestContext.stage });`,
      );
      ({ ApiId: id } = (await e.v2.send(new CreateApiCommand({ Name: "durable", ProtocolType: "HTTP" }))) as { ApiId: string });
      await permit(e, "durable", id);
      const integ = await e.v2.send(
        new CreateIntegrationCommand({ ApiId: id, IntegrationType: "AWS_PROXY", IntegrationUri: target, PayloadFormatVersion: "2.0" }),
      );
      await e.v2.send(new CreateRouteCommand({ ApiId: id, RouteKey: "GET /items/{id}", Target: `integrations/${integ.IntegrationId}` }));
      await e.v2.send(new CreateStageCommand({ ApiId: id, StageName: "v1", AutoDeploy: true }));
      const before = await eventually(async () => {
        const r = await call(s, id, "/v1/items/9");
        assert.equal(r.status, 200);
        return r.json();
      });
      assert.deepEqual(before, { route: "GET /items/{id}", id: "9", stage: "v1" });
    } finally {
      await s.close();
    }
    s = await startTestServer({ dataDir });
    try {
      const after = await call(s, id, "/v1/items/10");
      assert.equal(after.status, 200);
      assert.deepEqual(after.json(), { route: "GET /items/{id}", id: "10", stage: "v1" });
      const miss = await call(s, id, "/v1/nothing");
      assert.equal(miss.status, 404);
      assert.deepEqual(miss.json(), { message: "Not Found" });
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
