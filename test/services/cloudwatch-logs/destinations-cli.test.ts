// Logical destinations and account-level subscription policies from the AWS CLI (v1 and v2, where installed):
// put-destination refused with AWS's message, describe-destinations, put/describe/delete-account-policy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { useServer } from "../../helpers/server.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";

const server = useServer();

const clis = awsClis();
if (!clis.length) test("aws CLI: logs destinations and account policies", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: put-destination, describe-destinations, put/describe/delete-account-policy`, async (t) => {
    const env = await lambdaEnv(server);
    const fn = await createFunction(env, { FunctionName: "cli-consumer" });
    await env.lambda.send(
      new AddPermissionCommand({
        FunctionName: "cli-consumer",
        StatementId: "logs",
        Principal: "logs.amazonaws.com",
        Action: "lambda:InvokeFunction",
        SourceArn: `arn:aws:logs:us-east-1:${env.account}:log-group:*`,
      }),
    );
    const creds = { AWS_ACCESS_KEY_ID: env.account, AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = (args: string[]) => runAws(cli, server.url, ["logs", ...args], creds);
    const ok = async (args: string[]) => {
      const r = await aws(args);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };

    const refused = await aws([
      "put-destination",
      "--destination-name",
      "testDestination",
      "--target-arn",
      `arn:aws:kinesis:us-east-1:${env.account}:stream/RootAccess`,
      "--role-arn",
      `arn:aws:iam::${env.account}:role/CWLtoKinesisRole`,
    ]);
    assert.notEqual(refused.status, 0);
    assert.match(
      refused.stderr,
      /\(InvalidParameterException\) when calling the PutDestination operation: Could not deliver test message to specified destination\. Check if the destination is valid\./,
    );
    assert.deepEqual((await ok(["describe-destinations"])).destinations, []);

    const dp = await aws(["put-account-policy", "--policy-name", "dp", "--policy-type", "DATA_PROTECTION_POLICY", "--policy-document", "{}"]);
    assert.notEqual(dp.status, 0);
    if (/Invalid choice/.test(dp.stderr)) {
      // Account policies arrived in the CLI after this version (its model has no put-account-policy).
      t.diagnostic(`${cli.label} has no put-account-policy; account policies are covered by the SDK and the newer CLI`);
      return;
    }
    assert.match(dp.stderr, /InvalidParameterException.*does not apply account policies of type DATA_PROTECTION_POLICY/);

    const document = JSON.stringify({ DestinationArn: fn.FunctionArn, FilterPattern: "ERROR" });
    const put = await ok([
      "put-account-policy",
      "--policy-name",
      "cli-policy",
      "--policy-type",
      "SUBSCRIPTION_FILTER_POLICY",
      "--policy-document",
      document,
      "--selection-criteria",
      'LogGroupName NOT IN ["/aws/lambda/cli-consumer"]',
      "--scope",
      "ALL",
    ]);
    assert.equal(put.accountPolicy.policyName, "cli-policy");
    assert.equal(put.accountPolicy.accountId, env.account);
    const described = await ok(["describe-account-policies", "--policy-type", "SUBSCRIPTION_FILTER_POLICY"]);
    assert.deepEqual(
      described.accountPolicies.map((p: { policyName: string; policyDocument: string; scope: string }) => [p.policyName, p.policyDocument, p.scope]),
      [["cli-policy", document, "ALL"]],
    );
    await ok(["delete-account-policy", "--policy-name", "cli-policy", "--policy-type", "SUBSCRIPTION_FILTER_POLICY"]);
    assert.deepEqual((await ok(["describe-account-policies", "--policy-type", "SUBSCRIPTION_FILTER_POLICY"])).accountPolicies, []);
  });
