// A REST API's resource policy, enforced on execute-api calls as deployed: an explicit Deny refuses, a policy that
// allows only some source addresses refuses the others (an implicit deny), "execute-api:/…" resources stand for the
// API's own ARN; the refusal is 403 with AWS's {"Message": "User: anonymous is not authorized …"} body.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UpdateRestApiCommand } from "@aws-sdk/client-api-gateway";
import { useServer } from "../../helpers/server.js";
import { apiEnv, apiHost, deploy, restApi, send } from "./execute-setup.js";

const server = useServer();

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

test("an explicit Deny refuses the method it names; the Allow lets the rest through", async () => {
  const env = await apiEnv(server);
  const { apiId } = await restApi(
    env,
    [
      { path: "/open", verb: "GET" },
      { path: "/secret", verb: "GET" },
    ],
    {
      policy: policy([
        { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*" },
        { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*/GET/secret" },
      ]),
    },
  );
  await deploy(env, apiId);
  const host = apiHost(server, apiId);
  assert.equal((await send(server, "/prod/open", { host })).status, 200);
  const denied = await send(server, "/prod/secret", { host });
  assert.equal(denied.status, 403);
  assert.equal(denied.headers["x-amzn-errortype"], "AccessDeniedException");
  const masked = `********${env.account.slice(-4)}`;
  assert.deepEqual(denied.json(), {
    Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:${masked}:${apiId}/prod/GET/secret with an explicit deny`,
  });
});

test("a policy allowing only other source addresses refuses this caller (implicit deny); the deployed policy is what counts", async () => {
  const env = await apiEnv(server);
  const onlyTen = policy([
    { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
  ]);
  const { apiId } = await restApi(env, [{ path: "/items", verb: "GET" }], { policy: onlyTen });
  await deploy(env, apiId);
  const host = apiHost(server, apiId);
  const refused = await send(server, "/prod/items", { host });
  assert.equal(refused.status, 403);
  assert.match(
    (refused.json() as { Message: string }).Message,
    /^User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:\*{8}\d{4}:[a-z0-9]{10}\/prod\/GET\/items$/,
  );

  // Loopback allowed: refused until the next deployment, then served.
  const loopback = policy([
    { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: { IpAddress: { "aws:SourceIp": "127.0.0.0/8" } } },
  ]);
  await env.apigw.send(new UpdateRestApiCommand({ restApiId: apiId, patchOperations: [{ op: "replace", path: "/policy", value: loopback }] }));
  assert.equal((await send(server, "/prod/items", { host })).status, 403);
  await deploy(env, apiId);
  assert.equal((await send(server, "/prod/items", { host })).status, 200);
});
