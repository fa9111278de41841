// Deployments and stages through the real SDK v3 client: a deployment is a snapshot (a method changed after
// deploying shows in the next deployment's apiSummary only), stages (create with a deployment, patch their
// variables, method settings, access logs, tracing), and AWS's refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  DeleteDeploymentCommand,
  DeleteStageCommand,
  FlushStageAuthorizersCacheCommand,
  FlushStageCacheCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetStageCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateDeploymentCommand,
  UpdateMethodCommand,
  UpdateStageCommand,
} from "@aws-sdk/client-api-gateway";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();
const client = () => server.client(APIGatewayClient, { account: randomAccount() });

async function apiWithMethod(apigw: APIGatewayClient) {
  const api = await apigw.send(new CreateRestApiCommand({ name: "d" }));
  const items = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: "items" }));
  const k = { restApiId: api.id!, resourceId: items.id!, httpMethod: "GET" };
  await apigw.send(new PutMethodCommand({ ...k, authorizationType: "NONE" }));
  await apigw.send(new PutIntegrationCommand({ ...k, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } }));
  return { api, k };
}

test("a deployment is a snapshot: a method changed after deploying shows only in the next deployment", async () => {
  const apigw = client();
  const api = await apigw.send(new CreateRestApiCommand({ name: "empty" }));
  await rejects(apigw.send(new CreateDeploymentCommand({ restApiId: api.id })), "BadRequestException", 400, "The REST API doesn't contain any methods");
  await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorizationType: "NONE" }));
  await rejects(apigw.send(new CreateDeploymentCommand({ restApiId: api.id })), "BadRequestException", 400, "No integration defined for method");

  const { api: a, k } = await apiWithMethod(apigw);
  const d1 = await apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: "dev", description: "first", variables: { v: "1" } }));
  assert.match(d1.id!, /^[a-z0-9]{6}$/);
  assert.equal(d1.description, "first");
  assert.ok(d1.createdDate instanceof Date);
  assert.equal(d1.apiSummary, undefined);
  await apigw.send(new UpdateMethodCommand({ ...k, patchOperations: [{ op: "replace", path: "/apiKeyRequired", value: "true" }] }));

  const frozen = await apigw.send(new GetDeploymentCommand({ restApiId: a.id, deploymentId: d1.id, embed: ["apisummary"] }));
  assert.deepEqual(frozen.apiSummary, { "/items": { GET: { authorizationType: "NONE", apiKeyRequired: false } } });
  const stage = await apigw.send(new GetStageCommand({ restApiId: a.id, stageName: "dev" }));
  assert.equal(stage.deploymentId, d1.id);
  assert.deepEqual(stage.variables, { v: "1" });

  const d2 = await apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: "dev" }));
  const next = await apigw.send(new GetDeploymentCommand({ restApiId: a.id, deploymentId: d2.id, embed: ["apisummary"] }));
  assert.deepEqual(next.apiSummary, { "/items": { GET: { authorizationType: "NONE", apiKeyRequired: true } } });
  const moved = await apigw.send(new GetStageCommand({ restApiId: a.id, stageName: "dev" }));
  assert.equal(moved.deploymentId, d2.id);
  assert.deepEqual(moved.variables, { v: "1" }, "a redeploy keeps the stage's variables");

  const all = await apigw.send(new GetDeploymentsCommand({ restApiId: a.id }));
  assert.deepEqual(all.items!.map((d) => d.id).sort(), [d1.id, d2.id].sort());
  const upd = await apigw.send(
    new UpdateDeploymentCommand({ restApiId: a.id, deploymentId: d1.id, patchOperations: [{ op: "replace", path: "/description", value: "old" }] }),
  );
  assert.equal(upd.description, "old");

  await rejects(
    apigw.send(new DeleteDeploymentCommand({ restApiId: a.id, deploymentId: d2.id })),
    "BadRequestException",
    400,
    "Active stages pointing to this deployment must be moved or deleted",
  );
  await apigw.send(new DeleteDeploymentCommand({ restApiId: a.id, deploymentId: d1.id }));
  await rejects(
    apigw.send(new GetDeploymentCommand({ restApiId: a.id, deploymentId: d1.id })),
    "NotFoundException",
    404,
    "Invalid Deployment identifier specified",
  );
});

test("stages: create, AWS's defaults, patch variables, method settings, access logs and tracing; delete", async () => {
  const apigw = client();
  const { api } = await apiWithMethod(apigw);
  const d = await apigw.send(new CreateDeploymentCommand({ restApiId: api.id }));
  await rejects(
    apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: "s1", deploymentId: "nope00" })),
    "BadRequestException",
    400,
    "Deployment id does not exist",
  );
  const s = await apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: "s1", deploymentId: d.id, description: "my stage", tags: { a: "b" } }));
  assert.deepEqual(
    { ...s, createdDate: undefined, lastUpdatedDate: undefined, $metadata: undefined },
    {
      $metadata: undefined,
      createdDate: undefined,
      lastUpdatedDate: undefined,
      deploymentId: d.id,
      stageName: "s1",
      description: "my stage",
      cacheClusterEnabled: false,
      cacheClusterStatus: "NOT_AVAILABLE",
      methodSettings: {},
      tracingEnabled: false,
      tags: { a: "b" },
    },
  );
  await rejects(apigw.send(new CreateStageCommand({ restApiId: api.id, stageName: "s1", deploymentId: d.id })), "ConflictException", 409);

  const u = await apigw.send(
    new UpdateStageCommand({
      restApiId: api.id,
      stageName: "s1",
      patchOperations: [
        { op: "replace", path: "/description", value: "stage new" },
        { op: "replace", path: "/variables/var1", value: "test" },
        { op: "replace", path: "/*/*/throttling/burstLimit", value: "123" },
        { op: "replace", path: "/*/*/caching/enabled", value: "true" },
        { op: "replace", path: "/tracingEnabled", value: "true" },
        { op: "replace", path: "/~1items/GET/logging/loglevel", value: "INFO" },
        { op: "replace", path: "/accessLogSettings/destinationArn", value: "arn:aws:logs:us-east-1:123456789012:log-group:g" },
        { op: "replace", path: "/accessLogSettings/format", value: "$context.requestId" },
      ],
    }),
  );
  assert.equal(u.description, "stage new");
  assert.deepEqual(u.variables, { var1: "test" });
  assert.equal(u.tracingEnabled, true);
  assert.deepEqual(u.methodSettings?.["*/*"], {
    metricsEnabled: false,
    dataTraceEnabled: false,
    throttlingBurstLimit: 123,
    throttlingRateLimit: 10000,
    cachingEnabled: true,
    cacheTtlInSeconds: 300,
    cacheDataEncrypted: false,
    requireAuthorizationForCacheControl: true,
    unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
  });
  // A method's settings start from the "*/*" ones.
  assert.equal(u.methodSettings?.["items/GET"]?.loggingLevel, "INFO");
  assert.equal(u.methodSettings?.["items/GET"]?.throttlingBurstLimit, 123);
  assert.deepEqual(u.accessLogSettings, { destinationArn: "arn:aws:logs:us-east-1:123456789012:log-group:g", format: "$context.requestId" });

  const badPath = await apigw
    .send(new UpdateStageCommand({ restApiId: api.id, stageName: "s1", patchOperations: [{ op: "replace", path: "/tags/tag1", value: "v" }] }))
    .catch((e) => e);
  assert.equal(badPath.name, "BadRequestException");
  assert.match(badPath.message, /^Invalid method setting path: \/tags\/tag1\. Must be one of: \[\/deploymentId, \/description, /);
  await rejects(
    apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: "s1", patchOperations: [{ op: "replace", path: "/accessLogSettings/x", value: "v" }] })),
    "BadRequestException",
    400,
    "Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]",
  );
  await rejects(
    apigw.send(
      new UpdateStageCommand({ restApiId: api.id, stageName: "s1", patchOperations: [{ op: "replace", path: "/accessLogSettings/format", value: "" }] }),
    ),
    "BadRequestException",
    400,
    "Access Log value must not be empty",
  );
  const reset = await apigw.send(
    new UpdateStageCommand({
      restApiId: api.id,
      stageName: "s1",
      patchOperations: [
        { op: "remove", path: "/*/*" },
        { op: "remove", path: "/variables/var1" },
        { op: "remove", path: "/accessLogSettings" },
      ],
    }),
  );
  assert.deepEqual(Object.keys(reset.methodSettings ?? {}), ["items/GET"]);
  assert.equal(reset.variables, undefined);
  assert.equal(reset.accessLogSettings, undefined);
  await rejects(
    apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: "s1", patchOperations: [{ op: "remove", path: "/*/*" }] })),
    "BadRequestException",
    400,
    "Cannot remove method setting */* because there is no method setting for this method ",
  );
  await rejects(
    apigw.send(new UpdateStageCommand({ restApiId: api.id, stageName: "s1", patchOperations: [{ op: "replace", path: "/deploymentId", value: "nope00" }] })),
    "BadRequestException",
    400,
    "Deployment id does not exist",
  );

  const stages = await apigw.send(new GetStagesCommand({ restApiId: api.id, deploymentId: d.id }));
  assert.deepEqual(
    stages.item!.map((x) => x.stageName),
    ["s1"],
  );
  await apigw.send(new FlushStageCacheCommand({ restApiId: api.id, stageName: "s1" }));
  await apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.id, stageName: "s1" }));
  assert.equal(Object.hasOwn(await apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "s1" })), "authorizersFlushedAt"), false);
  await rejects(
    apigw.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.id, stageName: "nope" })),
    "NotFoundException",
    404,
    "Invalid Stage identifier specified",
  );
  await apigw.send(new DeleteStageCommand({ restApiId: api.id, stageName: "s1" }));
  await rejects(apigw.send(new GetStageCommand({ restApiId: api.id, stageName: "s1" })), "NotFoundException", 404, "Invalid Stage identifier specified");
  await rejects(apigw.send(new DeleteStageCommand({ restApiId: api.id, stageName: "s1" })), "NotFoundException", 404, "Invalid Stage identifier specified");
  // With no stage left on it, the deployment may go.
  await apigw.send(new DeleteDeploymentCommand({ restApiId: api.id, deploymentId: d.id }));
});
