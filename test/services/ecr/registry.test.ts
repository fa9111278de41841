// The registry's credentials through the real SDK v3 client and the AWS CLIs: GetAuthorizationToken's token
// (`AWS:<password>`, base64), its 12-hour expiry and the registry endpoint, one per registry asked for; a fresh
// password on every call; `aws ecr get-login-password` printing the password.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { randomAccount, useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const decode = (token: string | undefined) => {
  const text = Buffer.from(token ?? "", "base64").toString("utf8");
  assert.match(text, /^AWS:[A-Za-z0-9_-]{40,}$/, text);
  return text.slice("AWS:".length);
};

test("GetAuthorizationToken: AWS:<password>, valid for 12 hours, for the caller's registry (or each one asked for); a new password each call", async () => {
  const account = randomAccount();
  const ecr = server.client(ECRClient, { account });
  const before = Date.now();
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  assert.equal(authorizationData?.length, 1);
  const [data] = authorizationData ?? [];
  const password = decode(data.authorizationToken);
  assert.equal(data.proxyEndpoint, `https://${account}.dkr.ecr.us-east-1.amazonaws.com`);
  const ttl = (data.expiresAt?.getTime() ?? 0) - before;
  assert.ok(ttl > 12 * 3600_000 - 60_000 && ttl <= 12 * 3600_000 + 60_000, `expires in ${ttl} ms`);

  // The registry endpoint is the host of the repositories' URIs.
  const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: "app" }));
  assert.equal(repository?.repositoryUri, `${new URL(data.proxyEndpoint ?? "").host}/app`);

  const again = await ecr.send(new GetAuthorizationTokenCommand({}));
  assert.notEqual(decode(again.authorizationData?.[0].authorizationToken), password);

  const other = randomAccount();
  const two = await ecr.send(new GetAuthorizationTokenCommand({ registryIds: [account, other] }));
  assert.deepEqual(
    two.authorizationData?.map((d) => d.proxyEndpoint),
    [`https://${account}.dkr.ecr.us-east-1.amazonaws.com`, `https://${other}.dkr.ecr.us-east-1.amazonaws.com`],
  );
  assert.equal(two.authorizationData?.[0].authorizationToken, two.authorizationData?.[1].authorizationToken);

  // A registry id that is not an account id fails the model's constraint.
  await rejects(ecr.send(new GetAuthorizationTokenCommand({ registryIds: ["not-an-account"] })), "ValidationException", 400);

  // In another partition's region, the registry's host has that partition's DNS suffix.
  const cn = server.client(ECRClient, { account }, { region: "cn-north-1" });
  const [china] = (await cn.send(new GetAuthorizationTokenCommand({}))).authorizationData ?? [];
  assert.equal(china.proxyEndpoint, `https://${account}.dkr.ecr.cn-north-1.amazonaws.com.cn`);
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: ecr get-login-password", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis) {
  test(`${cli.label}: ecr get-login-password prints the registry password; get-authorization-token its token`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const login = await runAws(cli, server.url, ["ecr", "get-login-password"], creds);
    assert.equal(login.status, 0, login.stderr);
    assert.match(login.stdout.trim(), /^[A-Za-z0-9_-]{40,}$/);
    const token = await runAws(cli, server.url, ["ecr", "get-authorization-token"], creds);
    assert.equal(token.status, 0, token.stderr);
    const [data] = JSON.parse(token.stdout).authorizationData;
    decode(data.authorizationToken);
    assert.equal(data.proxyEndpoint, `https://${account}.dkr.ecr.us-east-1.amazonaws.com`);
  });
}
