// A REST API's parts through the real SDK v3 client: models (default Empty/Error, JSON checks, refusal to delete
// one in use), request validators, authorizers, gateway responses (every type with AWS's defaults, DEFAULT_5XX
// inheritance, put/update/delete) and tags on APIs and stages.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  APIGatewayClient,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateRestApiCommand,
  DeleteAuthorizerCommand,
  DeleteMethodCommand,
  DeleteGatewayResponseCommand,
  DeleteModelCommand,
  DeleteRequestValidatorCommand,
  GetAuthorizerCommand,
  GetAuthorizersCommand,
  GetGatewayResponseCommand,
  GetGatewayResponsesCommand,
  GetModelCommand,
  GetModelsCommand,
  GetRequestValidatorCommand,
  GetRequestValidatorsCommand,
  GetTagsCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAuthorizerCommand,
  UpdateGatewayResponseCommand,
  UpdateModelCommand,
  UpdateRequestValidatorCommand,
} from "@aws-sdk/client-api-gateway";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();
const client = (account = randomAccount()) => ({ apigw: server.client(APIGatewayClient, { account }), account });
const TEMPLATE = '{"message":$context.error.messageString}';

test("models: the default Empty and Error, JSON schemas checked, update by patch, delete refused while a method uses one", async () => {
  const { apigw, account } = client();
  const api = await apigw.send(new CreateRestApiCommand({ name: "models" }));
  const defaults = await apigw.send(new GetModelsCommand({ restApiId: api.id }));
  assert.deepEqual(
    defaults.items!.map((m) => [m.name, m.contentType, m.description]),
    [
      ["Empty", "application/json", "This is a default empty schema model"],
      ["Error", "application/json", "This is a default error schema model"],
    ],
  );
  assert.deepEqual(JSON.parse(defaults.items![1].schema!).properties, { message: { type: "string" } });

  const schema = JSON.stringify({ type: "object", properties: { a: { type: "number" } }, required: ["a"] });
  const m = await apigw.send(new CreateModelCommand({ restApiId: api.id, name: "Calc", contentType: "application/json", schema, description: "" }));
  assert.match(m.id!, /^[a-z0-9]{6}$/);
  assert.equal(m.schema, schema);
  await rejects(
    apigw.send(new CreateModelCommand({ restApiId: api.id, name: "Calc", contentType: "application/json", schema })),
    "ConflictException",
    409,
    "Model name already exists for this REST API",
  );
  await rejects(
    apigw.send(new CreateModelCommand({ restApiId: api.id, name: "E", contentType: "application/json", schema: "" })),
    "BadRequestException",
    400,
    "Model schema must have at least 1 property or array items defined",
  );
  await rejects(
    apigw.send(new CreateModelCommand({ restApiId: api.id, name: "Bad", contentType: "application/json", schema: "{not json" })),
    "BadRequestException",
    400,
  );
  await rejects(
    apigw.send(new CreateModelCommand({ restApiId: "abcde0", name: "X", contentType: "application/json", schema })),
    "NotFoundException",
    404,
    `Invalid API identifier specified ${account}:abcde0`,
  );
  await rejects(
    apigw.send(new GetModelCommand({ restApiId: api.id, modelName: "MySchema" })),
    "NotFoundException",
    404,
    "Invalid model name specified: MySchema",
  );

  const u = await apigw.send(
    new UpdateModelCommand({ restApiId: api.id, modelName: "Calc", patchOperations: [{ op: "replace", path: "/description", value: "calc" }] }),
  );
  assert.equal(u.description, "calc");
  await rejects(
    apigw.send(new UpdateModelCommand({ restApiId: api.id, modelName: "Calc", patchOperations: [{ op: "replace", path: "/name", value: "x" }] })),
    "BadRequestException",
    400,
    "Invalid patch path  '/name' specified for op 'replace'. Must be one of: [/description, /schema]",
  );
  await rejects(
    apigw.send(new UpdateModelCommand({ restApiId: api.id, modelName: "Calc", patchOperations: [{ op: "add", path: "/wrong-path", value: "x" }] })),
    "BadRequestException",
    400,
    "Invalid patch path  '/wrong-path' specified for op 'add'. Please choose supported operations",
  );

  await apigw.send(
    new PutMethodCommand({
      restApiId: api.id,
      resourceId: api.rootResourceId,
      httpMethod: "ANY",
      authorizationType: "NONE",
      requestModels: { "application/json": "Calc" },
    }),
  );
  await rejects(
    apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: "Calc" })),
    "ConflictException",
    409,
    "Cannot delete model 'Calc', is referenced in method request: //ANY",
  );
  await apigw.send(new DeleteModelCommand({ restApiId: api.id, modelName: "Error" }));
  await rejects(apigw.send(new GetModelCommand({ restApiId: api.id, modelName: "Error" })), "NotFoundException", 404);
});

test("request validators and authorizers: CRUD, patches, AWS's refusals", async () => {
  const { apigw, account } = client();
  const api = await apigw.send(new CreateRestApiCommand({ name: "parts" }));
  await rejects(
    apigw.send(new CreateRequestValidatorCommand({ restApiId: "nope", name: "v" })),
    "BadRequestException",
    400,
    "Invalid REST API identifier specified",
  );
  await rejects(
    apigw.send(new GetRequestValidatorsCommand({ restApiId: "nope" })),
    "NotFoundException",
    404,
    `Invalid API identifier specified ${account}:nope`,
  );
  const v = await apigw.send(new CreateRequestValidatorCommand({ restApiId: api.id, name: "body", validateRequestBody: true }));
  assert.deepEqual([v.name, v.validateRequestBody, v.validateRequestParameters], ["body", true, false]);
  const vu = await apigw.send(
    new UpdateRequestValidatorCommand({
      restApiId: api.id,
      requestValidatorId: v.id,
      patchOperations: [{ op: "replace", path: "/validateRequestParameters", value: "true" }],
    }),
  );
  assert.equal(vu.validateRequestParameters, true);
  await rejects(
    apigw.send(
      new UpdateRequestValidatorCommand({
        restApiId: api.id,
        requestValidatorId: v.id,
        patchOperations: [{ op: "replace", path: "/invalidPath", value: "x" }],
      }),
    ),
    "BadRequestException",
    400,
    "Invalid patch path  '/invalidPath' specified for op 'replace'. Must be one of: [/name, /validateRequestParameters, /validateRequestBody]",
  );
  await rejects(
    apigw.send(
      new UpdateRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id, patchOperations: [{ op: "replace", path: "/name", value: "" }] }),
    ),
    "BadRequestException",
    400,
    "Request Validator name cannot be blank",
  );
  await apigw.send(
    new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "POST", authorizationType: "NONE", requestValidatorId: v.id }),
  );
  await apigw.send(new DeleteRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id }));
  await rejects(
    apigw.send(new GetRequestValidatorCommand({ restApiId: api.id, requestValidatorId: v.id })),
    "NotFoundException",
    404,
    "Invalid Request Validator identifier specified",
  );

  await rejects(
    apigw.send(new CreateAuthorizerCommand({ restApiId: "nope", name: "a", type: "TOKEN", authorizerUri: "x" })),
    "ConflictException",
    409,
    "Unable to complete operation due to concurrent modification. Please try again later.",
  );
  const uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations";
  const a = await apigw.send(
    new CreateAuthorizerCommand({ restApiId: api.id, name: "tok", type: "TOKEN", authorizerUri: uri, identitySource: "method.request.header.Authorization" }),
  );
  assert.equal(a.authorizerResultTtlInSeconds, 300);
  await rejects(apigw.send(new CreateAuthorizerCommand({ restApiId: api.id, name: "nouri", type: "REQUEST" })), "BadRequestException", 400);
  const au = await apigw.send(
    new UpdateAuthorizerCommand({
      restApiId: api.id,
      authorizerId: a.id,
      patchOperations: [{ op: "replace", path: "/authorizerResultTtlInSeconds", value: "0" }],
    }),
  );
  assert.equal(au.authorizerResultTtlInSeconds, 0);
  assert.equal((await apigw.send(new GetAuthorizersCommand({ restApiId: api.id }))).items!.length, 1);
  await apigw.send(
    new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorizationType: "CUSTOM", authorizerId: a.id }),
  );
  await rejects(apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: a.id })), "ConflictException", 409);
  await apigw.send(new DeleteMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET" }));
  await apigw.send(new DeleteAuthorizerCommand({ restApiId: api.id, authorizerId: a.id }));
  await rejects(apigw.send(new GetAuthorizerCommand({ restApiId: api.id, authorizerId: a.id })), "NotFoundException", 404);
});

test("gateway responses: every type with AWS's defaults, DEFAULT_5XX inherited, put, update, delete", async () => {
  const { apigw } = client();
  const api = await apigw.send(new CreateRestApiCommand({ name: "gr" }));
  const all = await apigw.send(new GetGatewayResponsesCommand({ restApiId: api.id }));
  assert.equal(all.items!.length, 21);
  const byType = Object.fromEntries(all.items!.map((g) => [g.responseType, g]));
  assert.deepEqual(byType.MISSING_AUTHENTICATION_TOKEN, {
    defaultResponse: true,
    responseParameters: {},
    responseTemplates: { "application/json": TEMPLATE },
    responseType: "MISSING_AUTHENTICATION_TOKEN",
    statusCode: "403",
  });
  assert.equal(byType.DEFAULT_4XX.statusCode, undefined);
  assert.equal(byType.THROTTLED.statusCode, "429");

  const put = await apigw.send(
    new PutGatewayResponseCommand({
      restApiId: api.id,
      responseType: "DEFAULT_5XX",
      statusCode: "599",
      responseParameters: { "gatewayresponse.header.x-a": "'b'" },
    }),
  );
  assert.deepEqual([put.defaultResponse, put.statusCode, put.responseTemplates], [false, "599", { "application/json": TEMPLATE }]);
  const inherited = await apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: "INTEGRATION_TIMEOUT" }));
  assert.deepEqual([inherited.defaultResponse, inherited.statusCode, inherited.responseParameters], [true, "599", { "gatewayresponse.header.x-a": "'b'" }]);
  const own = await apigw.send(
    new PutGatewayResponseCommand({ restApiId: api.id, responseType: "AUTHORIZER_FAILURE", responseParameters: { "gatewayresponse.header.foo": "'bar'" } }),
  );
  assert.equal(own.statusCode, "500", "a type's own default status, not its family's");

  const up = await apigw.send(
    new UpdateGatewayResponseCommand({
      restApiId: api.id,
      responseType: "DEFAULT_4XX",
      patchOperations: [
        { op: "replace", path: "/statusCode", value: "444" },
        { op: "add", path: "/responseTemplates/application~1xml", value: "<m>$context.error.messageString</m>" },
      ],
    }),
  );
  assert.deepEqual([up.defaultResponse, up.statusCode, Object.keys(up.responseTemplates!).sort()], [false, "444", ["application/json", "application/xml"]]);
  await rejects(
    apigw.send(
      new UpdateGatewayResponseCommand({ restApiId: api.id, responseType: "DEFAULT_4XX", patchOperations: [{ op: "add", path: "/statusCode", value: "400" }] }),
    ),
    "BadRequestException",
    400,
    "Invalid patch path /statusCode",
  );
  await rejects(
    apigw.send(
      new UpdateGatewayResponseCommand({
        restApiId: api.id,
        responseType: "DEFAULT_4XX",
        patchOperations: [{ op: "replace", path: "/responseParameters/nope", value: "'x'" }],
      }),
    ),
    "NotFoundException",
    404,
    "Invalid parameter name specified",
  );
  await apigw.send(new DeleteGatewayResponseCommand({ restApiId: api.id, responseType: "DEFAULT_5XX" }));
  assert.equal((await apigw.send(new GetGatewayResponseCommand({ restApiId: api.id, responseType: "INTEGRATION_TIMEOUT" }))).statusCode, "504");
  await rejects(
    apigw.send(new DeleteGatewayResponseCommand({ restApiId: api.id, responseType: "DEFAULT_5XX" })),
    "NotFoundException",
    404,
    "Gateway response type not defined on api",
  );
});

test("tags on a REST API and a stage, by ARN", async () => {
  const { apigw } = client();
  const api = await apigw.send(new CreateRestApiCommand({ name: "t", tags: { a: "1" } }));
  await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", authorizationType: "NONE" }));
  await apigw.send(new PutIntegrationCommand({ restApiId: api.id, resourceId: api.rootResourceId, httpMethod: "GET", type: "MOCK" }));
  await apigw.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "dev" }));
  const apiArn = `arn:aws:apigateway:us-east-1::/restapis/${api.id}`;
  const stageArn = `${apiArn}/stages/dev`;
  assert.deepEqual((await apigw.send(new GetTagsCommand({ resourceArn: apiArn }))).tags, { a: "1" });
  await apigw.send(new TagResourceCommand({ resourceArn: apiArn, tags: { b: "2", a: "3" } }));
  await apigw.send(new TagResourceCommand({ resourceArn: stageArn, tags: { env: "dev" } }));
  await apigw.send(new UntagResourceCommand({ resourceArn: apiArn, tagKeys: ["b"] }));
  assert.deepEqual((await apigw.send(new GetTagsCommand({ resourceArn: apiArn }))).tags, { a: "3" });
  assert.deepEqual((await apigw.send(new GetTagsCommand({ resourceArn: stageArn }))).tags, { env: "dev" });
  await rejects(apigw.send(new GetTagsCommand({ resourceArn: `${apiArn}/stages/nope` })), "NotFoundException", 404);
  await rejects(apigw.send(new TagResourceCommand({ resourceArn: "arn:aws:s3:::bucket", tags: { a: "b" } })), "BadRequestException", 400);
});
