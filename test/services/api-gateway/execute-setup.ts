// Shared set-up for the execute-api tests: an account with API Gateway and Lambda clients, an echo function
// (answers the proxy event it got, or misbehaves on request), a REST API built resource by resource with the SDK
// and deployed, and plain HTTP requests to it by Host (node:http: *.localhost does not resolve everywhere) or by
// the path form.
import { request as httpRequest } from "node:http";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from "@aws-sdk/client-api-gateway";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import type { UsedServer } from "../../helpers/server.js";
import { createFunction, lambdaEnv, type LambdaEnv } from "../lambda/setup.js";

/** The proxy event back as JSON, or: /malformed a non-proxy answer, /throw an error, /slow a 2 s wait, /binary bytes. */
export const ECHO = `
export const handler = async (event) => {
  const p = event.path;
  if (p.endsWith("/malformed")) return { hello: "not a proxy response" };
  if (p.endsWith("/throw")) throw new Error("boom");
  if (p.endsWith("/slow")) { await new Promise((r) => setTimeout(r, 2000)); return { statusCode: 200, body: "late" }; }
  if (p.endsWith("/binary")) return { statusCode: 200, headers: { "Content-Type": "application/octet-stream" }, body: Buffer.from([0, 1, 2, 254, 255]).toString("base64"), isBase64Encoded: true };
  return {
    statusCode: 200,
    headers: { "Content-Type": "application/json", "X-Echo": "yes" },
    multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"] },
    body: JSON.stringify(event),
  };
};`;

export interface ApiEnv extends LambdaEnv {
  apigw: APIGatewayClient;
  fnArn: string;
}

export async function apiEnv(server: UsedServer, fnName = "echo", permit = true): Promise<ApiEnv> {
  const env = await lambdaEnv(server);
  const fn = await createFunction(env, { FunctionName: fnName, code: { "index.mjs": ECHO } });
  const apigw = new APIGatewayClient(server.clientConfig({ account: env.account }));
  const out = { ...env, apigw, fnArn: fn.FunctionArn! };
  if (permit) await permitApiGateway(out, fnName);
  return out;
}

/** The grant the console and the CDK add: apigateway.amazonaws.com may invoke for any of the account's APIs. */
export async function permitApiGateway(env: ApiEnv, fnName: string, sourceArn = `arn:aws:execute-api:us-east-1:${env.account}:*/*/*/*`) {
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: fnName,
      StatementId: "apigw",
      Action: "lambda:InvokeFunction",
      Principal: "apigateway.amazonaws.com",
      SourceArn: sourceArn,
    }),
  );
}

export const lambdaUri = (fnArn: string) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn}/invocations`;

export interface MethodSpec {
  path: string;
  verb: string;
  /** Defaults to the env's function. */
  fnArn?: string;
  timeoutInMillis?: number;
}

/** A REST API with `methods` (resources made along their paths), each an AWS_PROXY to Lambda. */
export async function restApi(env: ApiEnv, methods: MethodSpec[], extra: { binaryMediaTypes?: string[]; policy?: string } = {}) {
  const api = await env.apigw.send(new CreateRestApiCommand({ name: "exec-test", ...extra }));
  const apiId = api.id!;
  const { items } = await env.apigw.send(new GetResourcesCommand({ restApiId: apiId }));
  const ids = new Map<string, string>([["/", items!.find((r) => r.path === "/")!.id!]]);
  const resourceId = async (path: string): Promise<string> => {
    const known = ids.get(path);
    if (known) return known;
    const at = path.lastIndexOf("/");
    const parent = await resourceId(at === 0 ? "/" : path.slice(0, at));
    const r = await env.apigw.send(new CreateResourceCommand({ restApiId: apiId, parentId: parent, pathPart: path.slice(at + 1) }));
    ids.set(path, r.id!);
    return r.id!;
  };
  for (const m of methods) await putProxyMethod(env, apiId, await resourceId(m.path), m);
  return { apiId, ids, resourceId };
}

export async function putProxyMethod(env: ApiEnv, apiId: string, resourceId: string, m: MethodSpec) {
  await env.apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: m.verb, authorizationType: "NONE" }));
  await env.apigw.send(
    new PutIntegrationCommand({
      restApiId: apiId,
      resourceId,
      httpMethod: m.verb,
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      uri: lambdaUri(m.fnArn ?? env.fnArn),
      ...(m.timeoutInMillis ? { timeoutInMillis: m.timeoutInMillis } : {}),
    }),
  );
}

export async function deploy(env: ApiEnv, apiId: string, stageName = "prod", variables?: Record<string, string>) {
  return env.apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName, ...(variables ? { variables } : {}) }));
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json(): unknown;
}

/** A request to `path` on the server with the given Host (default: the API's execute-api host). */
export function send(
  server: UsedServer,
  path: string,
  opts: { host?: string; method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((ok, fail) => {
    const headers: Record<string, string | string[]> = { ...(opts.host ? { host: opts.host } : {}), ...opts.headers };
    const req = httpRequest(`${server.url}${path}`, { method: opts.method ?? "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        ok({ status: res.statusCode!, headers: res.headers, body, text: body.toString("utf8"), json: () => JSON.parse(body.toString("utf8")) });
      });
    });
    req.on("error", fail);
    req.end(opts.body);
  });
}

export const apiHost = (server: UsedServer, apiId: string) => `${apiId}.execute-api.localhost:${new URL(server.url).port}`;

// biome-ignore lint/suspicious/noExplicitAny: a proxy event read back as JSON, walked by the assertions
export type EventJson = Record<string, any>;
