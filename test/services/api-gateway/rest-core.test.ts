// REST APIs through the real SDK v3 client: APIs (defaults, updates by patch, paging, delete), the resource tree
// (AWS's path-part rules, re-parenting, recursive delete), methods, method responses, integrations and integration
// responses, with AWS's error names, statuses and messages.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  APIGatewayClient,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteIntegrationCommand,
  DeleteMethodCommand,
  DeleteResourceCommand,
  DeleteRestApiCommand,
  GetIntegrationCommand,
  GetIntegrationResponseCommand,
  GetMethodCommand,
  GetMethodResponseCommand,
  GetResourceCommand,
  GetResourcesCommand,
  GetRestApiCommand,
  GetRestApisCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateIntegrationCommand,
  UpdateMethodCommand,
  UpdateMethodResponseCommand,
  UpdateResourceCommand,
  UpdateRestApiCommand,
} from "@aws-sdk/client-api-gateway";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

function client(account = randomAccount()) {
  return { apigw: server.client(APIGatewayClient, { account }), account };
}

test("CreateRestApi answers AWS's defaults, with the root resource; Get, Update by patch, Delete", async () => {
  const { apigw, account } = client();
  const api = await apigw.send(new CreateRestApiCommand({ name: "pets", description: "d", tags: { team: "a" } }));
  assert.match(api.id!, /^[a-z0-9]{10}$/);
  assert.equal(api.apiKeySource, "HEADER");
  assert.deepEqual(api.endpointConfiguration, { types: ["EDGE"], ipAddressType: "ipv4" });
  assert.equal(api.disableExecuteApiEndpoint, false);
  assert.deepEqual(api.tags, { team: "a" });
  assert.ok(api.createdDate instanceof Date);
  const { items } = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
  assert.deepEqual(items, [{ id: api.rootResourceId, path: "/" }]);

  const priv = await apigw.send(new CreateRestApiCommand({ name: "p", endpointConfiguration: { types: ["PRIVATE"] } }));
  assert.deepEqual(priv.endpointConfiguration, { types: ["PRIVATE"], ipAddressType: "dualstack" });
  await rejects(apigw.send(new CreateRestApiCommand({ name: "x", description: "" })), "BadRequestException", 400, "Description cannot be an empty string");
  await rejects(
    apigw.send(new CreateRestApiCommand({ name: "x", endpointConfiguration: { types: ["EDGE", "REGIONAL"] } })),
    "BadRequestException",
    400,
    "Cannot create an api with multiple Endpoint Types.",
  );
  await rejects(
    apigw.send(new CreateRestApiCommand({ name: "x", minimumCompressionSize: 10485761 })),
    "BadRequestException",
    400,
    "Invalid minimum compression size, must be between 0 and 10485760",
  );

  const updated = await apigw.send(
    new UpdateRestApiCommand({
      restApiId: api.id,
      patchOperations: [
        { op: "replace", path: "/name", value: "pets2" },
        { op: "add", path: "/binaryMediaTypes/image~1png", value: "" },
        { op: "replace", path: "/minimumCompressionSize", value: "1024" },
        { op: "replace", path: "/endpointConfiguration/types/EDGE", value: "REGIONAL" },
        { op: "replace", path: "/disableExecuteApiEndpoint", value: "true" },
      ],
    }),
  );
  assert.equal(updated.name, "pets2");
  assert.deepEqual(updated.binaryMediaTypes, ["image/png"]);
  assert.equal(updated.minimumCompressionSize, 1024);
  assert.deepEqual(updated.endpointConfiguration?.types, ["REGIONAL"]);
  assert.equal(updated.disableExecuteApiEndpoint, true);
  const got = await apigw.send(new GetRestApiCommand({ restApiId: api.id }));
  assert.deepEqual(got.binaryMediaTypes, ["image/png"]);
  await rejects(
    apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: "add", path: "/binaryMediaTypes", value: "x" }] })),
    "BadRequestException",
    400,
    "Invalid patch path /binaryMediaTypes",
  );
  await rejects(
    apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: "add", path: "/minimumCompressionSize", value: "1" }] })),
    "BadRequestException",
    400,
    "Invalid patch operation specified. Must be one of: [replace]",
  );
  await rejects(
    apigw.send(new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: "replace", path: "/minimumCompressionSize", value: "abc" }] })),
    "BadRequestException",
    400,
    "Invalid minimum compression size, must be between 0 and 10485760",
  );
  await rejects(
    apigw.send(
      new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: "move", path: "/endpointConfiguration/types/REGIONAL", from: "/name" }] }),
    ),
    "BadRequestException",
    400,
    "Invalid patch operation specified. Must be 'add'|'remove'|'replace'",
  );
  await rejects(
    apigw.send(
      new UpdateRestApiCommand({ restApiId: api.id, patchOperations: [{ op: "replace", path: "/endpointConfiguration/types/REGIONAL", value: "WRONG" }] }),
    ),
    "BadRequestException",
    400,
    "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE",
  );
  const removed = await apigw.send(
    new UpdateRestApiCommand({
      restApiId: api.id,
      patchOperations: [
        { op: "remove", path: "/binaryMediaTypes/image~1png" },
        { op: "replace", path: "/minimumCompressionSize", value: "" },
      ],
    }),
  );
  assert.equal(removed.binaryMediaTypes, undefined);
  assert.equal(removed.minimumCompressionSize, undefined);

  await apigw.send(new DeleteRestApiCommand({ restApiId: api.id }));
  await rejects(apigw.send(new GetRestApiCommand({ restApiId: api.id })), "NotFoundException", 404, `Invalid API identifier specified ${account}:${api.id}`);
  await rejects(apigw.send(new GetResourcesCommand({ restApiId: api.id })), "NotFoundException", 404);
  await rejects(apigw.send(new DeleteRestApiCommand({ restApiId: api.id })), "NotFoundException", 404);
  // Another account does not see the API.
  await rejects(client().apigw.send(new GetRestApiCommand({ restApiId: priv.id })), "NotFoundException", 404);
});

test("GetRestApis and GetResources page by position and limit", async () => {
  const { apigw } = client();
  const ids = new Set<string>();
  for (let i = 0; i < 5; i++) ids.add((await apigw.send(new CreateRestApiCommand({ name: `api-${i}` }))).id!);
  const seen: string[] = [];
  let position: string | undefined;
  let pages = 0;
  do {
    const p = await apigw.send(new GetRestApisCommand({ limit: 2, position }));
    assert.ok(p.items!.length <= 2);
    seen.push(...p.items!.map((a) => a.id!));
    position = p.position;
    pages++;
  } while (position);
  assert.equal(pages, 3);
  assert.deepEqual(new Set(seen), ids);
  assert.equal(seen.length, 5);

  const api = (await apigw.send(new GetRestApisCommand({}))).items![0];
  for (let i = 0; i < 3; i++) await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: api.rootResourceId, pathPart: `r${i}` }));
  const first = await apigw.send(new GetResourcesCommand({ restApiId: api.id, limit: 3 }));
  assert.equal(first.items!.length, 3);
  const rest = await apigw.send(new GetResourcesCommand({ restApiId: api.id, limit: 3, position: first.position }));
  assert.equal(rest.items!.length, 1);
  assert.equal(rest.position, undefined);
  await rejects(apigw.send(new GetResourcesCommand({ restApiId: api.id, position: "bogus" })), "BadRequestException", 400);
});

test("resources: AWS's path-part rules, embed=methods, re-parenting moves the subtree, delete removes it", async () => {
  const { apigw } = client();
  const api = await apigw.send(new CreateRestApiCommand({ name: "tree" }));
  const root = api.rootResourceId!;
  const pets = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: "pets" }));
  assert.deepEqual([pets.path, pets.parentId, pets.pathPart], ["/pets", root, "pets"]);
  assert.match(pets.id!, /^[a-z0-9]{6}$/);
  const id = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pets.id, pathPart: "{id}" }));
  assert.equal(id.path, "/pets/{id}");
  const toys = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: id.id, pathPart: "toys" }));
  assert.equal(toys.path, "/pets/{id}/toys");

  await rejects(
    apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: "pets" })),
    "ConflictException",
    409,
    "Another resource with the same parent already has this name: pets",
  );
  await rejects(
    apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: pets.id, pathPart: "{name}" })),
    "BadRequestException",
    400,
    "A sibling ({id}) of this resource already has a variable path part -- only one is allowed",
  );
  const proxy = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: "{proxy+}" }));
  await rejects(
    apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: proxy.id, pathPart: "x" })),
    "BadRequestException",
    400,
    "Cannot create a child of a resource with a greedy path variable: {proxy+}",
  );
  await rejects(
    apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: "nope00", pathPart: "x" })),
    "NotFoundException",
    404,
    "Invalid Resource identifier specified",
  );

  // Re-parent /pets/{id} under a new /animals: its child follows.
  const animals = await apigw.send(new CreateResourceCommand({ restApiId: api.id, parentId: root, pathPart: "animals" }));
  const moved = await apigw.send(
    new UpdateResourceCommand({ restApiId: api.id, resourceId: id.id, patchOperations: [{ op: "replace", path: "/parentId", value: animals.id }] }),
  );
  assert.equal(moved.path, "/animals/{id}");
  assert.equal((await apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: toys.id }))).path, "/animals/{id}/toys");
  await rejects(
    apigw.send(
      new UpdateResourceCommand({ restApiId: api.id, resourceId: animals.id, patchOperations: [{ op: "replace", path: "/parentId", value: toys.id }] }),
    ),
    "BadRequestException",
    400,
    "Resources cannot be cyclical.",
  );
  await rejects(
    apigw.send(
      new UpdateResourceCommand({ restApiId: api.id, resourceId: animals.id, patchOperations: [{ op: "replace", path: "/pathPart", value: "pets" }] }),
    ),
    "ConflictException",
    409,
    "Another resource with the same parent already has this name: pets",
  );
  await rejects(
    apigw.send(new UpdateResourceCommand({ restApiId: api.id, resourceId: root, patchOperations: [{ op: "replace", path: "/pathPart", value: "x" }] })),
    "BadRequestException",
    400,
    "Root resource cannot update its pathPart.",
  );
  await rejects(
    apigw.send(new UpdateResourceCommand({ restApiId: api.id, resourceId: animals.id, patchOperations: [{ op: "remove", path: "/pathPart" }] })),
    "BadRequestException",
    400,
    "Invalid patch path  '/pathPart' specified for op 'remove'. Please choose supported operations",
  );
  await rejects(
    apigw.send(new UpdateResourceCommand({ restApiId: api.id, resourceId: animals.id, patchOperations: [{ op: "replace", path: "/invalid", value: "x" }] })),
    "BadRequestException",
    400,
    "Invalid patch path  '/invalid' specified for op 'replace'. Must be one of: [/parentId, /pathPart]",
  );

  await apigw.send(new PutMethodCommand({ restApiId: api.id, resourceId: toys.id, httpMethod: "GET", authorizationType: "NONE" }));
  const plain = await apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: toys.id }));
  assert.deepEqual(plain.resourceMethods, { GET: {} });
  const embedded = await apigw.send(new GetResourcesCommand({ restApiId: api.id, embed: ["methods"] }));
  const t = embedded.items!.find((r) => r.id === toys.id)!;
  assert.deepEqual(t.resourceMethods?.GET, { httpMethod: "GET", authorizationType: "NONE", apiKeyRequired: false });

  await apigw.send(new DeleteResourceCommand({ restApiId: api.id, resourceId: animals.id }));
  for (const r of [animals, id, toys])
    await rejects(
      apigw.send(new GetResourceCommand({ restApiId: api.id, resourceId: r.id })),
      "NotFoundException",
      404,
      "Invalid Resource identifier specified",
    );
  const left = await apigw.send(new GetResourcesCommand({ restApiId: api.id }));
  assert.deepEqual(left.items!.map((r) => r.path).sort(), ["/", "/pets", "/{proxy+}"]);
});

test("methods, method responses, integrations and integration responses: defaults, validation, patches, deletes", async () => {
  const { apigw } = client();
  const api = await apigw.send(new CreateRestApiCommand({ name: "m" }));
  const k = { restApiId: api.id, resourceId: api.rootResourceId };
  await rejects(
    apigw.send(new PutMethodCommand({ ...k, httpMethod: "FETCH", authorizationType: "NONE" })),
    "BadRequestException",
    400,
    "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY",
  );
  await rejects(
    apigw.send(new PutMethodCommand({ ...k, httpMethod: "GET", authorizationType: "CUSTOM" })),
    "BadRequestException",
    400,
    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.",
  );
  await rejects(
    apigw.send(new PutMethodCommand({ ...k, httpMethod: "GET", authorizationType: "NONE", requestModels: { "application/json": "petModel" } })),
    "BadRequestException",
    400,
    "Invalid model identifier specified: petModel",
  );
  await rejects(
    apigw.send(new PutMethodCommand({ ...k, httpMethod: "GET", authorizationType: "NONE", requestValidatorId: "abc123" })),
    "BadRequestException",
    400,
    "Invalid Request Validator identifier specified",
  );
  await rejects(
    apigw.send(
      new PutMethodCommand({
        ...k,
        httpMethod: "GET",
        authorizationType: "NONE",
        requestParameters: { "method.request.querystring.optional": false, "method.request.header.optional": false },
      }),
    ),
    "BadRequestException",
    400,
    "Parameter names must be unique across querystring, header and path",
  );
  const m = await apigw.send(
    new PutMethodCommand({
      ...k,
      httpMethod: "get",
      authorizationType: "NONE",
      requestParameters: { "method.request.querystring.q": true },
      requestModels: { "application/json": "Empty" },
    }),
  );
  assert.equal(m.httpMethod, "GET");
  assert.equal(m.apiKeyRequired, false);
  await rejects(apigw.send(new GetMethodCommand({ ...k, httpMethod: "POST" })), "NotFoundException", 404, "Invalid Method identifier specified");
  await rejects(
    apigw.send(new PutMethodCommand({ ...k, httpMethod: "GET", authorizationType: "NONE" })),
    "ConflictException",
    409,
    "Method already exists for this resource",
  );
  const um = await apigw.send(
    new UpdateMethodCommand({
      ...k,
      httpMethod: "GET",
      patchOperations: [
        { op: "replace", path: "/apiKeyRequired", value: "true" },
        { op: "add", path: "/requestParameters/method.request.header.x-a", value: "true" },
        { op: "remove", path: "/requestParameters/method.request.querystring.q" },
      ],
    }),
  );
  assert.equal(um.apiKeyRequired, true);
  assert.deepEqual(um.requestParameters, { "method.request.header.x-a": true });
  await rejects(
    apigw.send(new UpdateMethodCommand({ ...k, httpMethod: "GET", patchOperations: [{ op: "add", path: "/apiKeyRequired", value: "true" }] })),
    "BadRequestException",
    400,
    "Invalid patch operation specified. Must be one of: [replace]",
  );
  await rejects(
    apigw.send(new UpdateMethodCommand({ ...k, httpMethod: "GET", patchOperations: [{ op: "replace", path: "/httpMethod", value: "POST" }] })),
    "BadRequestException",
    400,
    "Invalid patch path /httpMethod",
  );

  // Method responses.
  const mr = await apigw.send(new PutMethodResponseCommand({ ...k, httpMethod: "GET", statusCode: "200", responseModels: { "application/json": "Empty" } }));
  assert.deepEqual({ ...mr, $metadata: undefined }, { $metadata: undefined, statusCode: "200", responseModels: { "application/json": "Empty" } });
  const umr = await apigw.send(
    new UpdateMethodResponseCommand({
      ...k,
      httpMethod: "GET",
      statusCode: "200",
      patchOperations: [{ op: "add", path: "/responseParameters/method.response.header.x-b", value: "false" }],
    }),
  );
  assert.deepEqual(umr.responseParameters, { "method.response.header.x-b": false });
  await rejects(
    apigw.send(
      new UpdateMethodResponseCommand({
        ...k,
        httpMethod: "GET",
        statusCode: "200",
        patchOperations: [{ op: "remove", path: "/responseParameters/method.response.header.nope" }],
      }),
    ),
    "NotFoundException",
    404,
    "Invalid parameter name specified",
  );
  await rejects(
    apigw.send(new GetMethodResponseCommand({ ...k, httpMethod: "GET", statusCode: "404" })),
    "NotFoundException",
    404,
    "Invalid Response status code specified",
  );
  await rejects(apigw.send(new GetMethodResponseCommand({ ...k, httpMethod: "GET", statusCode: "wrong" })), "ValidationException", 400);

  // Integrations: AWS's checks and defaults.
  await rejects(apigw.send(new GetIntegrationCommand({ ...k, httpMethod: "GET" })), "NotFoundException", 404, "Invalid Integration identifier specified");
  for (const type of ["HTTP", "HTTP_PROXY", "AWS"] as const)
    await rejects(
      apigw.send(new PutIntegrationCommand({ ...k, httpMethod: "GET", type, uri: "http://example.com" })),
      "BadRequestException",
      400,
      "Enumeration value for HttpMethod must be non-empty",
    );
  await rejects(
    apigw.send(new PutIntegrationCommand({ ...k, httpMethod: "GET", type: "HTTP", uri: "non-valid-http", integrationHttpMethod: "POST" })),
    "BadRequestException",
    400,
    "Invalid HTTP endpoint specified for URI",
  );
  await rejects(
    apigw.send(new PutIntegrationCommand({ ...k, httpMethod: "GET", type: "AWS", uri: "non-valid-arn", integrationHttpMethod: "POST" })),
    "BadRequestException",
    400,
    "Invalid ARN specified in the request",
  );
  await rejects(
    apigw.send(
      new PutIntegrationCommand({ ...k, httpMethod: "GET", type: "AWS", uri: "arn:aws:iam::0000000000:role/service-role/asdf", integrationHttpMethod: "POST" }),
    ),
    "BadRequestException",
    400,
    "AWS ARN for integration must contain path or action",
  );
  await rejects(
    apigw.send(
      new PutIntegrationCommand({ ...k, httpMethod: "GET", type: "AWS_PROXY", uri: "arn:aws:apigateway:us-east-1:s3:path/b/k", integrationHttpMethod: "POST" }),
    ),
    "BadRequestException",
    400,
    "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
  );
  const mock = await apigw.send(
    new PutIntegrationCommand({
      ...k,
      httpMethod: "GET",
      type: "MOCK",
      uri: "http://example.com",
      requestTemplates: { "application/json": '{"statusCode": 200}' },
    }),
  );
  assert.equal(mock.uri, undefined, "MOCK drops the URI, as AWS does");
  assert.equal(mock.passthroughBehavior, "WHEN_NO_MATCH");
  assert.equal(mock.timeoutInMillis, 29000);
  assert.equal(mock.cacheNamespace, api.rootResourceId);
  assert.deepEqual(mock.cacheKeyParameters, []);
  const fn = "arn:aws:lambda:us-east-1:123456789012:function:f";
  const proxy = await apigw.send(
    new PutIntegrationCommand({
      ...k,
      httpMethod: "GET",
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn}/invocations`,
    }),
  );
  assert.equal(proxy.httpMethod, "POST");
  assert.equal(proxy.connectionType, undefined);
  const http = await apigw.send(
    new PutIntegrationCommand({ ...k, httpMethod: "GET", type: "HTTP", integrationHttpMethod: "GET", uri: "https://example.com/x" }),
  );
  assert.equal(http.connectionType, "INTERNET");
  const ui = await apigw.send(
    new UpdateIntegrationCommand({
      ...k,
      httpMethod: "GET",
      patchOperations: [
        { op: "replace", path: "/timeoutInMillis", value: "5000" },
        { op: "add", path: "/requestTemplates/application~1json", value: "{}" },
      ],
    }),
  );
  assert.equal(ui.timeoutInMillis, 5000);
  assert.deepEqual(ui.requestTemplates, { "application/json": "{}" });

  const ir = await apigw.send(
    new PutIntegrationResponseCommand({
      ...k,
      httpMethod: "GET",
      statusCode: "200",
      selectionPattern: "",
      responseTemplates: { "application/json": "$input.body" },
    }),
  );
  assert.equal(ir.statusCode, "200");
  assert.deepEqual((await apigw.send(new GetIntegrationCommand({ ...k, httpMethod: "GET" }))).integrationResponses?.["200"]?.responseTemplates, {
    "application/json": "$input.body",
  });
  await rejects(
    apigw.send(new GetIntegrationResponseCommand({ ...k, httpMethod: "GET", statusCode: "500" })),
    "NotFoundException",
    404,
    "Invalid Response status code specified",
  );
  const full = await apigw.send(new GetMethodCommand({ ...k, httpMethod: "GET" }));
  assert.equal(full.methodIntegration?.type, "HTTP");
  assert.deepEqual(Object.keys(full.methodResponses ?? {}), ["200"]);

  await apigw.send(new DeleteIntegrationCommand({ ...k, httpMethod: "GET" }));
  await rejects(apigw.send(new GetIntegrationCommand({ ...k, httpMethod: "GET" })), "NotFoundException", 404, "Invalid Integration identifier specified");
  await apigw.send(new DeleteMethodCommand({ ...k, httpMethod: "GET" }));
  await rejects(apigw.send(new GetMethodCommand({ ...k, httpMethod: "GET" })), "NotFoundException", 404, "Invalid Method identifier specified");
  await rejects(
    apigw.send(new GetMethodCommand({ restApiId: "nope000000", resourceId: "x", httpMethod: "GET" })),
    "NotFoundException",
    404,
    "Invalid Resource identifier specified",
  );
});
