// AWS_IAM methods with the server checking signatures (--auth sigv4): unsigned requests 403 Missing
// Authentication Token, a signature for execute-api verified (path and Host forms) and its caller in
// requestContext.identity (root and an IAM user), a wrong secret or service scope refused with 403.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateAccessKeyCommand, CreateUserCommand } from "@aws-sdk/client-iam";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { useServer } from "../../helpers/server.js";
import { accessApi } from "./access-setup.js";
import { apiEnv, apiHost, deploy, type EventJson, send } from "./execute-setup.js";

const server = useServer({ auth: "sigv4" });

async function iamApi() {
  const env = await apiEnv(server);
  const api = await accessApi(env);
  await api.put({ path: "/iam/{id}", verb: "GET", authorizationType: "AWS_IAM" });
  await deploy(env, api.apiId, "prod");
  return { env, apiId: api.apiId };
}

/** A request signed for `service` and sent by Host (node:http), as the SDK's signer would sign it. */
async function signedByHost(apiId: string, path: string, creds: { accessKeyId: string; secretAccessKey: string }, service = "execute-api") {
  const host = apiHost(server, apiId);
  const signer = new SignatureV4({ service, region: "us-east-1", sha256: Sha256, credentials: creds });
  const signed = await signer.sign(new HttpRequest({ method: "GET", protocol: "http:", hostname: host.split(":")[0], path, headers: { host } }));
  const headers = { ...(signed.headers as Record<string, string>) };
  return send(server, path, { host, headers });
}

test("AWS_IAM: unsigned 403 Missing Authentication Token; signed by the account's keys: served, identity filled", async () => {
  const { env, apiId } = await iamApi();
  const unsigned = await fetch(`${server.url}/restapis/${apiId}/prod/_user_request_/iam/1`);
  assert.equal(unsigned.status, 403);
  assert.deepEqual(await unsigned.json(), { message: "Missing Authentication Token" });

  const signed = await server.signedFetch(`/restapis/${apiId}/prod/_user_request_/iam/1?x=1`, { service: "execute-api", account: env.account });
  assert.equal(signed.status, 200, await signed.clone().text());
  const id = ((await signed.json()) as EventJson).requestContext.identity;
  assert.equal(id.accountId, env.account);
  assert.equal(id.accessKey, env.account);
  assert.equal(id.userArn, `arn:aws:iam::${env.account}:root`);
  assert.equal(id.caller, env.account);
  assert.equal(id.user, env.account);

  const byHost = await signedByHost(apiId, "/prod/iam/2", { accessKeyId: env.account, secretAccessKey: "test" });
  assert.equal(byHost.status, 200, byHost.text);
});

test("AWS_IAM: an IAM user's keys name the user; a wrong secret or another service's scope is refused", async () => {
  const { env, apiId } = await iamApi();
  const { User } = await env.iam.send(new CreateUserCommand({ UserName: "caller" }));
  const { AccessKey } = await env.iam.send(new CreateAccessKeyCommand({ UserName: "caller" }));
  const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const ok = await signedByHost(apiId, "/prod/iam/3", creds);
  assert.equal(ok.status, 200, ok.text);
  const id = (ok.json() as EventJson).requestContext.identity;
  assert.equal(id.userArn, User!.Arn);
  assert.equal(id.user, User!.UserId);
  assert.equal(id.caller, User!.UserId);
  assert.equal(id.accessKey, creds.accessKeyId);
  assert.equal(id.accountId, env.account);

  const wrong = await signedByHost(apiId, "/prod/iam/3", { ...creds, secretAccessKey: "not-the-secret" });
  assert.equal(wrong.status, 403);
  assert.equal(wrong.headers["x-amzn-errortype"], "InvalidSignatureException");
  assert.match(String((wrong.json() as { message: string }).message), /signature/i);

  const scoped = await signedByHost(apiId, "/prod/iam/3", creds, "lambda");
  assert.equal(scoped.status, 403);
  assert.match(scoped.text, /Credential should be scoped to correct service/);
});
