// AWS_IAM routes of an HTTP API with Stratus checking signatures (--auth sigv4): an unsigned request and a bad
// signature are refused with 403, a request SigV4-signed for execute-api runs with the caller in
// requestContext.authorizer.iam.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand } from "@aws-sdk/client-apigatewayv2";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { call, env, fn, permit } from "./execute-helpers.js";

const server = useServer({ auth: "sigv4" });

test("AWS_IAM: SigV4 for execute-api, checked against the caller's keys", async () => {
  const e = await env(server);
  const target = await fn(e, "iam-backend", `export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });`);
  const { ApiId: id } = await e.v2.send(new CreateApiCommand({ Name: "iam", ProtocolType: "HTTP" }));
  await permit(e, "iam-backend", id!);
  const integ = await e.v2.send(new CreateIntegrationCommand({ ApiId: id, IntegrationType: "AWS_PROXY", IntegrationUri: target, PayloadFormatVersion: "2.0" }));
  await e.v2.send(
    new CreateRouteCommand({ ApiId: id, RouteKey: "POST /private", Target: `integrations/${integ.IntegrationId}`, AuthorizationType: "AWS_IAM" }),
  );
  await e.v2.send(new CreateStageCommand({ ApiId: id, StageName: "$default", AutoDeploy: true }));

  const host = `${id}.execute-api.localhost:${server.port}`;
  const sign = (secretAccessKey: string) =>
    new SignatureV4({ service: "execute-api", region: "us-east-1", sha256: Sha256, credentials: { accessKeyId: e.account, secretAccessKey } }).sign({
      method: "POST",
      protocol: "http:",
      hostname: `${id}.execute-api.localhost`,
      port: server.port,
      path: "/private",
      query: { q: "1" },
      headers: { host, "content-type": "application/json" },
      body: '{"k":"v"}',
    });

  const unsigned = await eventually(async () => {
    const r = await call(server, id!, "/private?q=1", { method: "POST", body: "{}" });
    assert.equal(r.status, 403);
    return r;
  });
  assert.deepEqual(unsigned.json(), { message: "Forbidden" });

  const good = await sign("test");
  const ok = await call(server, id!, "/private?q=1", { method: "POST", headers: good.headers as Record<string, string>, body: '{"k":"v"}' });
  assert.equal(ok.status, 200);
  const iam = ok.json().requestContext.authorizer.iam;
  assert.equal(iam.accessKey, e.account);
  assert.equal(iam.accountId, e.account);
  assert.equal(iam.userArn, `arn:aws:iam::${e.account}:root`);

  const bad = await sign("wrong-secret");
  const refused = await call(server, id!, "/private?q=1", { method: "POST", headers: bad.headers as Record<string, string>, body: '{"k":"v"}' });
  assert.equal(refused.status, 403);
  assert.match(refused.json().message, /signature we calculated does not match/);
});
