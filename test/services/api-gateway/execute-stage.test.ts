// What a stage serves and leaves behind: its deployment's snapshot (a change after deploying shows only after the
// next deployment), gateway responses as deployed, access log lines in the stage's format arriving in CloudWatch
// Logs, execution logs, and Event history without the invocations (data events).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateDeploymentCommand, DeleteMethodCommand, PutGatewayResponseCommand, UpdateRestApiCommand, UpdateStageCommand } from "@aws-sdk/client-api-gateway";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { apiEnv, apiHost, deploy, putProxyMethod, restApi, send } from "./execute-setup.js";

const server = useServer();

test("a stage serves its deployment: a method added or deleted after deploying changes nothing until the next deployment", async () => {
  const env = await apiEnv(server);
  const { apiId, resourceId } = await restApi(env, [{ path: "/a", verb: "GET" }]);
  await deploy(env, apiId, "prod");
  const host = apiHost(server, apiId);
  assert.equal((await send(server, "/prod/a", { host })).status, 200);

  await putProxyMethod(env, apiId, await resourceId("/b"), { path: "/b", verb: "GET" });
  await env.apigw.send(new DeleteMethodCommand({ restApiId: apiId, resourceId: await resourceId("/a"), httpMethod: "GET" }));
  assert.equal((await send(server, "/prod/a", { host })).status, 200, "still deployed");
  assert.equal((await send(server, "/prod/b", { host })).status, 403, "not deployed yet");

  await env.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "prod" }));
  const a = await send(server, "/prod/a", { host });
  assert.equal(a.status, 403);
  assert.deepEqual(a.json(), { message: "Missing Authentication Token" });
  assert.equal((await send(server, "/prod/b", { host })).status, 200);
});

test("gateway responses: a deployed MISSING_AUTHENTICATION_TOKEN response reshapes the miss; DEFAULT_4XX covers the others", async () => {
  const env = await apiEnv(server);
  const { apiId } = await restApi(env, [{ path: "/a", verb: "GET" }]);
  await env.apigw.send(
    new PutGatewayResponseCommand({
      restApiId: apiId,
      responseType: "MISSING_AUTHENTICATION_TOKEN",
      statusCode: "404",
      responseParameters: { "gatewayresponse.header.X-Why": "'no such route'", "gatewayresponse.header.X-Path": "context.resourcePath" },
      responseTemplates: { "application/json": '{"error":$context.error.messageString,"requestId":"$context.requestId"}' },
    }),
  );
  await env.apigw.send(
    new PutGatewayResponseCommand({
      restApiId: apiId,
      responseType: "DEFAULT_4XX",
      responseParameters: { "gatewayresponse.header.Access-Control-Allow-Origin": "'*'" },
    }),
  );
  await deploy(env, apiId);
  const host = apiHost(server, apiId);
  const miss = await send(server, "/prod/zzz", { host });
  assert.equal(miss.status, 404);
  assert.equal(miss.headers["x-why"], "no such route");
  assert.deepEqual(miss.json(), { error: "Missing Authentication Token", requestId: miss.headers["x-amzn-requestid"] });
  assert.equal(miss.headers["access-control-allow-origin"], undefined);
  // The answer to a method the resource lacks is the same type.
  assert.equal((await send(server, "/prod/a", { host, method: "PUT" })).status, 404);
});

test("access logs in the stage's format reach CloudWatch Logs; INFO execution logs too; Event history has the API, not its invocations", async () => {
  const env = await apiEnv(server);
  const logs = new CloudWatchLogsClient(server.clientConfig({ account: env.account }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "api-access" }));
  const { apiId } = await restApi(env, [{ path: "/items/{id}", verb: "GET" }]);
  await deploy(env, apiId);
  await env.apigw.send(
    new UpdateStageCommand({
      restApiId: apiId,
      stageName: "prod",
      patchOperations: [
        { op: "replace", path: "/accessLogSettings/destinationArn", value: `arn:aws:logs:us-east-1:${env.account}:log-group:api-access` },
        {
          op: "replace",
          path: "/accessLogSettings/format",
          value:
            '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod","path":"$context.resourcePath","status":"$context.status","len":"$context.responseLength","time":"$context.requestTime"}',
        },
        { op: "replace", path: "/*/*/logging/loglevel", value: "INFO" },
        { op: "replace", path: "/*/*/logging/dataTrace", value: "true" },
      ],
    }),
  );
  const host = apiHost(server, apiId);
  const ok = await send(server, "/prod/items/7", { host });
  assert.equal(ok.status, 200);
  const miss = await send(server, "/prod/none", { host });
  assert.equal(miss.status, 403);

  const lines = await eventually(async () => {
    const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: "api-access" }));
    assert.equal(events?.length, 2);
    return events!.map((e) => JSON.parse(e.message!));
  });
  const byId = new Map(lines.map((l) => [l.requestId, l]));
  const first = byId.get(ok.headers["x-amzn-requestid"]);
  assert.deepEqual(
    { ...first, time: undefined },
    {
      requestId: ok.headers["x-amzn-requestid"],
      ip: "127.0.0.1",
      method: "GET",
      path: "/items/{id}",
      status: "200",
      len: String(ok.body.length),
      time: undefined,
    },
  );
  assert.match(first.time, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  const second = byId.get(miss.headers["x-amzn-requestid"]);
  assert.equal(second.status, "403");
  assert.equal(second.path, "-");

  const exec = await eventually(async () => {
    const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: `API-Gateway-Execution-Logs_${apiId}/prod` }));
    const mine = (events ?? []).filter((e) => e.message!.startsWith(`(${ok.headers["x-amzn-requestid"]}) `));
    assert.ok(mine.some((e) => e.message!.endsWith("Method completed with status: 200")));
    return mine;
  });
  assert.ok(exec.some((e) => e.message!.includes("Method request path: {id=7}")));
  assert.ok(
    exec.some((e) => e.message!.includes(`Endpoint request URI: https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/${env.fnArn}/invocations`)),
  );
  // dataTraceEnabled: the request and response data, each event cut at 1024 bytes as AWS cuts them.
  const sent = exec.find((e) => e.message!.includes("Endpoint request body after transformations: "));
  assert.ok(sent && Buffer.byteLength(sent.message!) <= 1024);
  assert.ok(exec.some((e) => e.message!.includes("Method response body after transformations: ")));

  // Event history holds management events only (AWS: "The CloudTrail Event history doesn't record data events"): the
  // API's creation is there, its invocations (execute-api's Invoke, a data event) are not.
  const ct = new CloudTrailClient(server.clientConfig({ account: env.account }));
  const lookup = async (source: string) =>
    (await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: "EventSource", AttributeValue: source }] }))).Events ?? [];
  await eventually(async () => assert.ok((await lookup("apigateway.amazonaws.com")).some((e) => e.EventName === "CreateRestApi")));
  assert.deepEqual(await lookup("execute-api.amazonaws.com"), []);
});

test("a canary deployment takes its share of the stage's traffic with its variable overrides; a disabled execute-api endpoint answers 403 once deployed", async () => {
  const env = await apiEnv(server);
  const { apiId, resourceId } = await restApi(env, [{ path: "/a", verb: "GET" }]);
  await deploy(env, apiId, "prod", { color: "blue" });
  const host = apiHost(server, apiId);
  await putProxyMethod(env, apiId, await resourceId("/b"), { path: "/b", verb: "GET" });
  const canary = await env.apigw.send(
    new CreateDeploymentCommand({ restApiId: apiId, stageName: "prod", canarySettings: { percentTraffic: 100, stageVariableOverrides: { color: "green" } } }),
  );
  const b = await send(server, "/prod/b", { host });
  assert.equal(b.status, 200, b.text);
  const e = b.json() as { stageVariables: Record<string, string>; requestContext: { deploymentId: string } };
  assert.deepEqual(e.stageVariables, { color: "green" });
  assert.equal(e.requestContext.deploymentId, canary.id);

  await env.apigw.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: "replace", path: "/disableExecuteApiEndpoint", value: "true" }] }));
  assert.equal((await send(server, "/prod/b", { host })).status, 200, "not until deployed");
  await env.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "prod" }));
  await env.apigw.send(new UpdateStageCommand({ restApiId: apiId, stageName: "prod", patchOperations: [{ op: "remove", path: "/canarySettings" }] }));
  const off = await send(server, "/prod/a", { host });
  assert.equal(off.status, 403);
  assert.deepEqual(off.json(), { message: "Forbidden" });
});
