// What the API Gateway CloudFormation tests share: a server with a fresh account and its clients, stacks created,
// updated and deleted through the SDK (a failed resource's reason in the assertion), and HTTP calls to a deployed
// API by its execute-api Host (sent to 127.0.0.1: *.localhost does not resolve everywhere).
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

export interface Env {
  s: TestServer;
  account: string;
  cfn: CloudFormationClient;
  apigw: APIGatewayClient;
  v2: ApiGatewayV2Client;
  roleArn: string;
}

export async function startEnv(): Promise<Env> {
  const s = await startTestServer();
  const account = randomAccount();
  const c = s.clientConfig({ account });
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const role = await new IAMClient(c).send(new CreateRoleCommand({ RoleName: "apigw-fn-role", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  return {
    s,
    account,
    cfn: new CloudFormationClient(c),
    apigw: new APIGatewayClient(c),
    v2: new ApiGatewayV2Client(c),
    roleArn: role.Role!.Arn!,
  };
}

const waiter = (cfn: CloudFormationClient) => ({ client: cfn, maxWaitTime: 90, minDelay: 1, maxDelay: 1 });

export async function resources(env: Env, stack: string): Promise<Record<string, { physical: string; type: string; status: string; reason?: string }>> {
  const out = await env.cfn.send(new DescribeStackResourcesCommand({ StackName: stack }));
  return Object.fromEntries(
    out.StackResources!.map((r) => [
      r.LogicalResourceId!,
      { physical: r.PhysicalResourceId!, type: r.ResourceType!, status: r.ResourceStatus!, reason: r.ResourceStatusReason },
    ]),
  );
}

export async function outputs(env: Env, stack: string): Promise<Record<string, string>> {
  const [d] = (await env.cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  return Object.fromEntries((d.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

async function failedReasons(env: Env, stack: string, e: unknown): Promise<never> {
  const failed = Object.entries(await resources(env, stack)).filter(([, r]) => r.status.endsWith("_FAILED"));
  const [d] = (await env.cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  assert.fail(`${stack} ${d.StackStatus}: ${JSON.stringify(failed.map(([id, r]) => [id, r.reason]))} (${e})`);
}

export async function createStack(env: Env, stack: string, body: unknown, capabilities: string[] = []): Promise<Record<string, string>> {
  await env.cfn.send(
    new CreateStackCommand({
      StackName: stack,
      TemplateBody: typeof body === "string" ? body : JSON.stringify(body),
      OnFailure: "DO_NOTHING",
      Capabilities: capabilities as never,
    }),
  );
  try {
    await waitUntilStackCreateComplete(waiter(env.cfn), { StackName: stack });
  } catch (e) {
    await failedReasons(env, stack, e);
  }
  return outputs(env, stack);
}

export async function updateStack(env: Env, stack: string, body: unknown, capabilities: string[] = []): Promise<Record<string, string>> {
  await env.cfn.send(
    new UpdateStackCommand({ StackName: stack, TemplateBody: typeof body === "string" ? body : JSON.stringify(body), Capabilities: capabilities as never }),
  );
  try {
    await waitUntilStackUpdateComplete(waiter(env.cfn), { StackName: stack });
  } catch (e) {
    await failedReasons(env, stack, e);
  }
  return outputs(env, stack);
}

export async function deleteStack(env: Env, stack: string): Promise<void> {
  await env.cfn.send(new DeleteStackCommand({ StackName: stack }));
  await waitUntilStackDeleteComplete(waiter(env.cfn), { StackName: stack });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request to an execute-api URL as AWS gives it (https://<id>.execute-api.<region>.amazonaws.com/…): Stratus answers it by Host. */
export function call(env: Env, url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: env.s.port, path: u.pathname + u.search, method: opts.method ?? "GET", headers: { ...opts.headers, host: u.hostname } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => ok({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", fail);
    req.end(opts.body);
  });
}

/** A Lambda proxy handler answering what it was called with (REST's format 1.0 and HTTP APIs' 2.0 alike). */
export const ECHO = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    version: event.version,
    path: event.path || event.rawPath,
    resource: event.resource,
    routeKey: event.routeKey,
    stage: event.requestContext && event.requestContext.stage,
    proxy: event.pathParameters && (event.pathParameters.proxy || event.pathParameters.id),
  }),
});`;
