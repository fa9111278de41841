// The shared test helpers themselves: useServer()'s hooks and client factory, signedFetch against a server that
// checks signatures, scopeAuth's header, and the AWS CLI batch runner giving what a spawned `aws` gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { randomAccount, scopeAuth, useServer } from "./server.js";
import { awsClis, runAws, runAwsProcess } from "./aws-cli.js";

const server = useServer({ auth: "sigv4" });

test("useServer: the running server's fields, and SDK clients for it", async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(server.url, `http://${server.host}:${server.port}`);
  const account = randomAccount();
  const id = await server.client(STSClient, { account }).send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, account);
  const eu = server.client(STSClient, { account, region: "eu-west-1" }, { maxAttempts: 1 });
  assert.equal(await eu.config.region(), "eu-west-1");
  assert.equal(await eu.config.maxAttempts(), 1);
});

test("signedFetch: a SigV4-signed request the server verifies; a wrong secret is refused", async () => {
  const account = randomAccount();
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const ok = await server.signedFetch("/", { service: "sts", account, body, headers });
  const xml = await ok.text();
  assert.equal(ok.status, 200, xml);
  assert.match(xml, new RegExp(`<Account>${account}</Account>`));
  const bad = await server.signedFetch("/", { service: "sts", account, secretAccessKey: "wrong", body, headers });
  assert.equal(bad.status, 403);
  assert.match(await bad.text(), /SignatureDoesNotMatch/);
});

test("scopeAuth: an unsigned SigV4-shaped header naming the service and region", () => {
  assert.equal(scopeAuth("sqs"), "AWS4-HMAC-SHA256 Credential=123456789012/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00");
  assert.equal(
    scopeAuth("s3", { accessKeyId: "AKID", region: "eu-west-1", signature: "0" }),
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=0",
  );
});

const clis = awsClis();
for (const cli of clis) {
  test(`runAws ${cli.label}: the batch runner answers as a spawned aws does (output, errors, usage, exit status)`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const id = await runAws(cli, server.url, ["sts", "get-caller-identity"], creds);
    assert.equal(id.status, 0, id.stderr);
    assert.equal(JSON.parse(id.stdout).Account, account);
    // Each call has only its own environment: another account's keys, then none at all.
    const other = randomAccount();
    assert.equal(JSON.parse((await runAws(cli, server.url, ["sts", "get-caller-identity"], { ...creds, AWS_ACCESS_KEY_ID: other })).stdout).Account, other);
    const none = await runAws(cli, server.url, ["sts", "get-caller-identity"], { AWS_EC2_METADATA_DISABLED: "true" });
    assert.equal(none.status, cli.label.startsWith("aws-cli/1") ? 255 : 253);
    assert.match(none.stderr, /Unable to locate credentials/);
    const denied = await runAws(cli, server.url, ["sts", "get-caller-identity"], { ...creds, AWS_SECRET_ACCESS_KEY: "wrong" });
    assert.equal(denied.status, cli.label.startsWith("aws-cli/1") ? 255 : 254);
    assert.match(denied.stderr, /\(SignatureDoesNotMatch\)/);
    const usage = await runAws(cli, server.url, ["sts", "no-such-operation"], creds);
    assert.equal(usage.status, cli.label.startsWith("aws-cli/1") ? 2 : 252);
    assert.match(usage.stderr, /usage: aws \[options\] <command> <subcommand>/);
    assert.equal(usage.stdout, "");
    // The same command lines in an `aws` process of their own: the same status, output and errors.
    const lines: [string[], Record<string, string>][] = [
      [["sts", "get-caller-identity"], creds],
      [["sts", "get-caller-identity"], { ...creds, AWS_SECRET_ACCESS_KEY: "wrong" }],
      [["sts", "no-such-operation"], creds],
      [["sts", "get-access-key-info"], creds],
      [["sts", "get-access-key-info", "--access-key-id", account, "--query", "Account", "--output", "text"], creds],
      [["kms", "encrypt", "--key-id", "alias/x", "--plaintext", "fileb:///nonexistent/file"], creds],
    ];
    for (const [args, env] of lines)
      assert.deepEqual(await runAws(cli, server.url, args, env), await runAwsProcess(cli, server.url, args, env), args.join(" "));
  });
}
