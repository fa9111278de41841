// GetExport (a stage's deployed snapshot as OpenAPI 3.0.1 or Swagger 2.0, JSON or YAML, with or without the
// x-amazon-apigateway-* extensions) and its round trip through ImportRestApi; GetSdk refused; the AWS CLI's
// import-rest-api/get-export and boto3's import_rest_api/put_rest_api/get_export.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  GetExportCommand,
  GetResourcesCommand,
  GetSdkCommand,
  GetSdkTypesCommand,
  ImportRestApiCommand,
  PutRestApiCommand,
  type Method,
} from "@aws-sdk/client-api-gateway";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";
import { AUTH_URI, enc, OAS3_YAML, PETS_URI, POLICY, swaggerPetStore } from "./openapi-fixtures.js";

const server = useServer();
// biome-ignore lint/suspicious/noExplicitAny: a parsed definition, navigated freely by the assertions
type Doc = Record<string, any>;

async function deployed(client: APIGatewayClient, body: Uint8Array) {
  const api = await client.send(new ImportRestApiCommand({ body }));
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "dev" }));
  return api;
}

async function exported(client: APIGatewayClient, restApiId: string, exportType: string, parameters?: Record<string, string>, accepts?: string) {
  const out = await client.send(new GetExportCommand({ restApiId, stageName: "dev", exportType, parameters, accepts }));
  const text = new TextDecoder().decode(out.body);
  return { out, text, doc: (accepts === "application/yaml" ? yaml.load(text) : JSON.parse(text)) as Doc };
}

/** A method as the definition describes it (ids aside), for comparing two imports. */
function shape(m: Method) {
  const i = m.methodIntegration;
  return {
    authorizationType: m.authorizationType,
    apiKeyRequired: m.apiKeyRequired,
    requestParameters: m.requestParameters,
    requestModels: m.requestModels,
    validator: !!m.requestValidatorId,
    methodResponses: m.methodResponses,
    integration: i && {
      type: i.type,
      uri: i.uri,
      httpMethod: i.httpMethod,
      requestTemplates: i.requestTemplates,
      integrationResponses: i.integrationResponses,
    },
  };
}

async function methodsByPath(client: APIGatewayClient, restApiId: string) {
  const items = (await client.send(new GetResourcesCommand({ restApiId, embed: ["methods"], limit: 500 }))).items!;
  return Object.fromEntries(items.map((r) => [r.path!, Object.fromEntries(Object.entries(r.resourceMethods ?? {}).map(([verb, m]) => [verb, shape(m)]))]));
}

test("GetExport oas30 with extensions=apigateway: the stage's snapshot, and export → import gives the same API", async () => {
  const client = server.client(APIGatewayClient);
  const api = await deployed(client, enc(swaggerPetStore()));
  const { out, doc } = await exported(client, api.id!, "oas30", { extensions: "apigateway" });
  assert.equal(out.contentType, "application/octet-stream");
  assert.equal(out.contentDisposition, 'attachment; filename="oas30_2024-01-01.json"');
  assert.equal(doc.openapi, "3.0.1");
  assert.deepEqual(doc.info, { title: "PetStore", description: "Pets for sale", version: "2024-01-01" });
  assert.deepEqual(doc.servers, [{ url: `https://${api.id}.execute-api.us-east-1.amazonaws.com/{basePath}`, variables: { basePath: { default: "/dev" } } }]);
  assert.deepEqual(Object.keys(doc.paths).sort(), ["/pets", "/pets/{petId}", "/{proxy+}"]);
  const list = doc.paths["/pets"].get;
  assert.deepEqual(list["x-amazon-apigateway-integration"], {
    type: "aws_proxy",
    httpMethod: "POST",
    uri: PETS_URI,
    passthroughBehavior: "when_no_match",
    cacheNamespace: list["x-amazon-apigateway-integration"].cacheNamespace,
  });
  assert.deepEqual(list.responses["200"].content, { "application/json": { schema: { $ref: "#/components/schemas/Pets" } } });
  assert.equal(list.responses["200"].description, "200 response");
  assert.equal(list["x-amazon-apigateway-request-validator"], "params");
  assert.deepEqual(doc.paths["/pets"].post.requestBody, {
    content: { "application/json": { schema: { $ref: "#/components/schemas/NewPet" } } },
    required: true,
  });
  assert.deepEqual(doc.paths["/pets"].post.security, [{ tokenAuth: [] }]);
  assert.deepEqual(doc.paths["/pets/{petId}"].get.security, [{ api_key: [] }]);
  assert.ok(doc.paths["/{proxy+}"]["x-amazon-apigateway-any-method"]);
  assert.deepEqual(doc.components.schemas.Pets, { type: "array", items: { $ref: "#/components/schemas/Pet" } });
  assert.deepEqual(doc.components.securitySchemes.tokenAuth["x-amazon-apigateway-authorizer"], {
    type: "token",
    authorizerUri: AUTH_URI,
    authorizerResultTtlInSeconds: 60,
  });
  assert.deepEqual(doc["x-amazon-apigateway-request-validators"], {
    all: { validateRequestBody: true, validateRequestParameters: true },
    params: { validateRequestBody: false, validateRequestParameters: true },
  });
  assert.deepEqual(doc["x-amazon-apigateway-gateway-responses"].MISSING_AUTHENTICATION_TOKEN.statusCode, "404");
  assert.deepEqual(doc["x-amazon-apigateway-binary-media-types"], ["image/png"]);
  assert.deepEqual(doc["x-amazon-apigateway-policy"], POLICY);

  const again = await client.send(new ImportRestApiCommand({ body: enc(doc) }));
  assert.deepEqual(again.warnings, undefined);
  assert.deepEqual(await methodsByPath(client, again.id!), await methodsByPath(client, api.id!));
});

test("GetExport swagger as YAML, without extensions, and the snapshot (not the live API)", async () => {
  const client = server.client(APIGatewayClient);
  const api = await deployed(client, enc(OAS3_YAML));
  const { out, doc } = await exported(client, api.id!, "swagger", undefined, "application/yaml");
  assert.equal(out.contentType, "application/octet-stream");
  assert.equal(out.contentDisposition, 'attachment; filename="swagger_1.0.yaml"');
  assert.equal(doc.swagger, "2.0");
  assert.equal(doc.host, `${api.id}.execute-api.us-east-1.amazonaws.com`);
  assert.equal(doc.basePath, "/dev");
  assert.deepEqual(doc.schemes, ["https"]);
  assert.equal(doc.paths["/pets"].post["x-amazon-apigateway-integration"], undefined, "no extensions asked for");
  assert.deepEqual(doc.paths["/pets"].post.parameters, [{ in: "body", name: "Pet", required: true, schema: { $ref: "#/definitions/Pet" } }]);
  assert.deepEqual(doc.definitions.Pet.properties.owner, { $ref: "#/definitions/Owner" });
  assert.equal(doc.securityDefinitions.cognito["x-amazon-apigateway-authorizer"], undefined);
  const withIntegrations = await exported(client, api.id!, "oas30", { extensions: "integrations" });
  assert.equal(withIntegrations.doc.paths["/pets"].options["x-amazon-apigateway-integration"].type, "mock");
  assert.equal(withIntegrations.doc["x-amazon-apigateway-request-validators"], undefined);

  // The stage serves its deployment: a PutRestApi changes the export only once deployed again.
  await client.send(
    new PutRestApiCommand({
      restApiId: api.id,
      mode: "overwrite",
      body: enc({
        swagger: "2.0",
        info: { title: "New" },
        paths: { "/other": { get: { responses: {}, "x-amazon-apigateway-integration": { type: "mock" } } } },
      }),
    }),
  );
  assert.deepEqual(Object.keys((await exported(client, api.id!, "oas30")).doc.paths).sort(), ["/pets", "/pets/{id}"]);
  await client.send(new CreateDeploymentCommand({ restApiId: api.id, stageName: "dev" }));
  const redeployed = (await exported(client, api.id!, "oas30")).doc;
  assert.deepEqual(Object.keys(redeployed.paths), ["/other"]);
  assert.equal(redeployed.info.title, "New");
  assert.match(redeployed.info.version, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "no version: the deployment's time");
});

test("GetExport errors; GetSdk and GetSdkTypes are refused", async () => {
  const client = server.client(APIGatewayClient);
  const api = await deployed(client, enc(swaggerPetStore()));
  await rejects(
    client.send(new GetExportCommand({ restApiId: api.id, stageName: "nope", exportType: "oas30" })),
    "NotFoundException",
    404,
    "Invalid Stage identifier specified",
  );
  await rejects(client.send(new GetExportCommand({ restApiId: "nosuchapi0", stageName: "dev", exportType: "oas30" })), "NotFoundException", 404);
  await rejects(client.send(new GetExportCommand({ restApiId: api.id, stageName: "dev", exportType: "raml" })), "BadRequestException", 400);
  await rejects(
    client.send(new GetExportCommand({ restApiId: api.id, stageName: "dev", exportType: "oas30", accepts: "text/html" })),
    "BadRequestException",
    400,
  );
  await rejects(
    client.send(new GetExportCommand({ restApiId: api.id, stageName: "dev", exportType: "oas30", parameters: { extensions: "everything" } })),
    "BadRequestException",
    400,
  );
  await rejects(
    client.send(new GetSdkCommand({ restApiId: api.id, stageName: "dev", sdkType: "javascript" })),
    "NotImplemented",
    501,
    /does not generate client SDKs/,
  );
  await rejects(client.send(new GetSdkTypesCommand({})), "NotImplemented", 501, /does not generate client SDKs/);
});

const clis = awsClis();
if (!clis.length) test("aws CLI: import-rest-api, get-resources, get-export", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: import-rest-api --body fileb://, put-rest-api, create-deployment, get-export`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "stratus-apigw-cli-"));
    try {
      const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
      const aws = async (args: string[]) => {
        const r = await runAws(cli, server.url, ["apigateway", ...args], creds);
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.trim() ? JSON.parse(r.stdout) : {};
      };
      writeFileSync(join(dir, "spec.json"), JSON.stringify(swaggerPetStore()));
      writeFileSync(
        join(dir, "more.yaml"),
        "swagger: '2.0'\ninfo:\n  title: More\npaths:\n  /owners:\n    get:\n      responses: {}\n      x-amazon-apigateway-integration:\n        type: mock\n",
      );
      const api = await aws(["import-rest-api", "--body", `fileb://${join(dir, "spec.json")}`, "--parameters", "endpointConfigurationTypes=REGIONAL"]);
      assert.equal(api.name, "PetStore");
      assert.deepEqual(api.endpointConfiguration.types, ["REGIONAL"]);
      await aws(["put-rest-api", "--rest-api-id", api.id, "--mode", "merge", "--body", `fileb://${join(dir, "more.yaml")}`]);
      const resources = await aws(["get-resources", "--rest-api-id", api.id]);
      assert.deepEqual(resources.items.map((r: { path: string }) => r.path).sort(), ["/", "/owners", "/pets", "/pets/{petId}", "/{proxy+}"]);
      await aws(["create-deployment", "--rest-api-id", api.id, "--stage-name", "dev"]);
      const outFile = join(dir, "export.json");
      const meta = await aws([
        "get-export",
        "--rest-api-id",
        api.id,
        "--stage-name",
        "dev",
        "--export-type",
        "oas30",
        "--parameters",
        "extensions=integrations",
        outFile,
      ]);
      assert.equal(meta.contentType, "application/octet-stream");
      const doc = JSON.parse(readFileSync(outFile, "utf8"));
      assert.equal(doc.paths["/owners"].get["x-amazon-apigateway-integration"].type, "mock");
      const refused = await runAws(cli, server.url, ["apigateway", "import-rest-api", "--body", "fileb:///dev/null"], creds);
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /\(BadRequestException\)|\(ValidationException\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

const BOTO3 = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account, spec3 = sys.argv[1], sys.argv[2], sys.argv[3]
apigw = boto3.client("apigateway", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
api = apigw.import_rest_api(body=spec3.encode(), parameters={"basepath": "prepend"})
out["name"] = api["name"]
out["paths"] = sorted(r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"])
apigw.put_rest_api(restApiId=api["id"], mode="overwrite", body=json.dumps({"openapi": "3.0.1", "info": {"title": "Over"}, "paths": {"/x": {"get": {"responses": {}, "x-amazon-apigateway-integration": {"type": "mock"}}}}}).encode())
out["after"] = sorted(r["path"] for r in apigw.get_resources(restApiId=api["id"])["items"])
apigw.create_deployment(restApiId=api["id"], stageName="dev")
exp = apigw.get_export(restApiId=api["id"], stageName="dev", exportType="swagger", accepts="application/json")
doc = json.loads(exp["body"].read())
out["export"] = [doc["swagger"], doc["basePath"], sorted(doc["paths"])]
try:
    apigw.import_rest_api(body=b"not: [an api")
except ClientError as e:
    out["invalid"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

test("boto3: import_rest_api (YAML, basepath=prepend), put_rest_api overwrite, get_export", { skip: pythonMissing() }, async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_MAX_ATTEMPTS: "1" };
  const out = JSON.parse((await run("python3", ["-c", BOTO3, server.url, randomAccount(), OAS3_YAML], { env, timeout: 60_000 })).stdout);
  assert.equal(out.name, "PetStore3");
  assert.deepEqual(out.paths, ["/", "/prod", "/prod/api", "/prod/api/pets", "/prod/api/pets/{id}"]);
  assert.deepEqual(out.after, ["/", "/x"]);
  assert.deepEqual(out.export, ["2.0", "/dev", ["/x"]]);
  assert.deepEqual(out.invalid, ["BadRequestException", "Invalid OpenAPI input.", 400]);
});
