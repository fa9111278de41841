// Shared by the HTTP API data-plane tests: SDK clients for a fresh account, Lambda functions made from inline code
// with API Gateway's permission to invoke them, and requests sent over real HTTP to
// http://<apiId>.execute-api.localhost:<port>/… (sent to 127.0.0.1 with that Host header: *.localhost does not
// resolve on every machine).
import { request as httpRequest } from "node:http";
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { randomAccount, type TestServer } from "../../helpers/server.js";
import { createFunction, lambdaEnv, type LambdaEnv } from "../lambda/setup.js";

export interface Env extends LambdaEnv {
  v2: ApiGatewayV2Client;
}

export async function env(server: TestServer): Promise<Env> {
  const account = randomAccount();
  const l = await lambdaEnv(server, account);
  return { ...l, v2: new ApiGatewayV2Client(server.clientConfig({ account })) };
}

export const fnArn = (e: Env, name: string) => `arn:aws:lambda:us-east-1:${e.account}:function:${name}`;

/** A Node.js function from inline code (index.mjs). */
export async function fn(e: Env, name: string, code: string): Promise<string> {
  await createFunction(e, { FunctionName: name, code: { "index.mjs": code }, Timeout: 10 });
  return fnArn(e, name);
}

/** Lets API Gateway invoke `name` for any route of `apiId` (as `aws lambda add-permission` does for an HTTP API). */
export async function permit(e: Env, name: string, apiId: string, sid = `apigw-${apiId}`): Promise<void> {
  await e.lambda.send(
    new AddPermissionCommand({
      FunctionName: name,
      StatementId: sid,
      Action: "lambda:InvokeFunction",
      Principal: "apigateway.amazonaws.com",
      SourceArn: `arn:aws:execute-api:us-east-1:${e.account}:${apiId}/*`,
    }),
  );
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the tests read the answers' JSON freely
  json: () => any;
}

export function call(
  server: TestServer,
  apiId: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: server.port,
        path,
        method: opts.method ?? "GET",
        headers: { host: `${apiId}.execute-api.localhost:${server.port}`, ...opts.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          const text = body.toString("utf8");
          ok({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) });
        });
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end(opts.body);
  });
}
