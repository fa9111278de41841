// Resource policies through the real SDK: account-level ones (put, update, describe as AWS stores them, limit of 10,
// delete) and resource-scoped ones on a log group (revision ids), with AWS's recorded errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteResourcePolicyCommand,
  DescribeResourcePoliciesCommand,
  PutResourcePolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const route53 = (resource: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Route53LogsToCloudWatchLogs",
        Effect: "Allow",
        Principal: { Service: ["route53.amazonaws.com"] },
        Action: "logs:PutLogEvents",
        Resource: resource,
      },
    ],
  });

test("PutResourcePolicy answers the document as sent; DescribeResourcePolicies answers it as AWS stores it", async () => {
  const logs = server.client(CloudWatchLogsClient);
  const before = Date.now();
  const put = await logs.send(new PutResourcePolicyCommand({ policyName: "route53", policyDocument: route53("log_arn") }));
  assert.equal(put.$metadata.httpStatusCode, 200);
  const p = put.resourcePolicy!;
  assert.deepEqual(
    [p.policyName, p.policyDocument, p.policyScope, p.resourceArn, p.revisionId],
    ["route53", route53("log_arn"), "ACCOUNT", undefined, undefined],
  );
  assert.ok(p.lastUpdatedTime! >= before && p.lastUpdatedTime! <= Date.now());
  const described = (await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies!;
  assert.equal(described.length, 1);
  // As recorded from AWS (LocalStack test_logs_resource_policies.snapshot.json): a one-element Service list is a string.
  assert.deepEqual(JSON.parse(described[0].policyDocument!), {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Route53LogsToCloudWatchLogs",
        Effect: "Allow",
        Principal: { Service: "route53.amazonaws.com" },
        Action: "logs:PutLogEvents",
        Resource: "log_arn",
      },
    ],
  });

  // Updating by name replaces the document; a document without Version gets AWS's default, in IAM's element order.
  const update = '{"Statement":[{"Action":"logs:*","Effect":"Allow","Principal":{"Service": ["route53.amazonaws.com"]},"Resource":"*"}]}';
  const again = await logs.send(new PutResourcePolicyCommand({ policyName: "route53", policyDocument: update }));
  assert.equal(again.resourcePolicy!.policyDocument, update);
  const [updated] = (await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies!;
  assert.equal(
    updated.policyDocument,
    '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"route53.amazonaws.com"},"Action":"logs:*","Resource":"*"}]}',
  );
  assert.equal(updated.policyScope, "ACCOUNT");

  await logs.send(new DeleteResourcePolicyCommand({ policyName: "route53" }));
  assert.deepEqual((await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies, []);
  await rejects(
    logs.send(new DeleteResourcePolicyCommand({ policyName: "route53" })),
    "ResourceNotFoundException",
    400,
    "Policy with name [route53] does not exist.",
  );
});

test("at most 10 account policies per region; updating one at the limit still works; paging", async () => {
  const account = randomAccount();
  const logs = server.client(CloudWatchLogsClient, { account });
  for (let i = 0; i < 10; i++) await logs.send(new PutResourcePolicyCommand({ policyName: `p-${i}`, policyDocument: route53("*") }));
  await rejects(
    logs.send(new PutResourcePolicyCommand({ policyName: "p-too-many", policyDocument: route53("*") })),
    "LimitExceededException",
    400,
    "Resource limit exceeded.",
  );
  await logs.send(new PutResourcePolicyCommand({ policyName: "p-1", policyDocument: route53("arn:aws:logs:us-east-1:123456789012:log-group:x:*") }));
  // Another region has its own 10.
  const west = server.client(CloudWatchLogsClient, { account }, { region: "us-west-2" });
  await west.send(new PutResourcePolicyCommand({ policyName: "p-west", policyDocument: route53("*") }));

  const first = await logs.send(new DescribeResourcePoliciesCommand({ limit: 6 }));
  assert.equal(first.resourcePolicies!.length, 6);
  const rest = await logs.send(new DescribeResourcePoliciesCommand({ limit: 6, nextToken: first.nextToken }));
  assert.equal(rest.resourcePolicies!.length, 4);
  assert.equal(rest.nextToken, undefined);
  await rejects(logs.send(new DescribeResourcePoliciesCommand({ nextToken: "bogus" })), "InvalidParameterException", 400);
});

test("documents AWS could not store are refused", async () => {
  const logs = server.client(CloudWatchLogsClient);
  const refused = async (policyDocument: string) =>
    rejects(
      logs.send(new PutResourcePolicyCommand({ policyName: "bad", policyDocument })),
      "InvalidParameterException",
      400,
      "Could not convert to persistable policy.",
    );
  await refused("{not json");
  await refused("[]");
  await refused(JSON.stringify({ Version: "2012-10-17" }));
  await refused(JSON.stringify({ Statement: [{ Effect: "Maybe", Action: "logs:*", Resource: "*" }] }));
  // A service named as an AWS principal (hashicorp/terraform-provider-aws#32260).
  await refused(JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "delivery.logs.amazonaws.com" }, Action: "logs:*", Resource: "*" }] }));
  await rejects(logs.send(new PutResourcePolicyCommand({ policyDocument: route53("*") })), "InvalidParameterException", 400);
  await rejects(logs.send(new PutResourcePolicyCommand({ policyName: "x", policyDocument: "" })), "InvalidParameterException", 400);
  assert.deepEqual((await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies, []);
});

test("resource-scoped policies on a log group: revision ids guard updates and deletes; the policy goes with its group", async () => {
  const account = randomAccount();
  const logs = server.client(CloudWatchLogsClient, { account });
  const arn = `arn:aws:logs:us-east-1:${account}:log-group:/scoped/app`;
  await rejects(
    logs.send(new PutResourcePolicyCommand({ policyName: "g", policyDocument: route53(arn), resourceArn: arn })),
    "ResourceNotFoundException",
    400,
    "The specified log group does not exist.",
  );
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/scoped/app" }));
  const created = await logs.send(new PutResourcePolicyCommand({ policyName: "g", policyDocument: route53(arn), resourceArn: arn }));
  assert.deepEqual([created.resourcePolicy!.policyScope, created.resourcePolicy!.resourceArn], ["RESOURCE", arn]);
  assert.ok(created.revisionId);
  assert.equal(created.resourcePolicy!.revisionId, created.revisionId);

  // The account-level listing does not show it; the resource's does.
  assert.deepEqual((await logs.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies, []);
  const scoped = (await logs.send(new DescribeResourcePoliciesCommand({ resourceArn: arn }))).resourcePolicies!;
  assert.deepEqual(
    scoped.map((p) => [p.policyName, p.policyScope, p.revisionId]),
    [["g", "RESOURCE", created.revisionId]],
  );
  assert.equal((await logs.send(new DescribeResourcePoliciesCommand({ policyScope: "RESOURCE" }))).resourcePolicies!.length, 1);

  await rejects(logs.send(new PutResourcePolicyCommand({ policyName: "g", policyDocument: route53("*"), resourceArn: arn })), "OperationAbortedException", 400);
  await rejects(
    logs.send(new PutResourcePolicyCommand({ policyName: "g", policyDocument: route53("*"), resourceArn: arn, expectedRevisionId: "stale" })),
    "OperationAbortedException",
    400,
  );
  const updated = await logs.send(
    new PutResourcePolicyCommand({ policyName: "g", policyDocument: route53("*"), resourceArn: arn, expectedRevisionId: created.revisionId }),
  );
  assert.notEqual(updated.revisionId, created.revisionId);
  await rejects(logs.send(new DeleteResourcePolicyCommand({ resourceArn: arn, expectedRevisionId: created.revisionId })), "OperationAbortedException", 400);
  await logs.send(new DeleteResourcePolicyCommand({ resourceArn: arn, expectedRevisionId: updated.revisionId }));
  assert.deepEqual((await logs.send(new DescribeResourcePoliciesCommand({ resourceArn: arn }))).resourcePolicies, []);
  await rejects(logs.send(new DeleteResourcePolicyCommand({ resourceArn: arn })), "ResourceNotFoundException", 400);

  await logs.send(new PutResourcePolicyCommand({ policyName: "g", policyDocument: route53(arn), resourceArn: arn }));
  await logs.send(new DeleteLogGroupCommand({ logGroupName: "/scoped/app" }));
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/scoped/app" }));
  assert.deepEqual((await logs.send(new DescribeResourcePoliciesCommand({ resourceArn: arn }))).resourcePolicies, []);
  await rejects(
    logs.send(new DescribeResourcePoliciesCommand({ resourceArn: `arn:aws:logs:us-east-1:${account}:destination:d` })),
    "InvalidParameterException",
    400,
  );
});
