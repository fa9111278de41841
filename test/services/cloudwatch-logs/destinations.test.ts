// Logical destinations and account-level subscription policies through the real SDK v3: destinations whose target
// Stratus cannot reach (Kinesis, Firehose) are refused with AWS's answer and never stored; an account-level
// SUBSCRIPTION_FILTER_POLICY delivers every selected group's matching events to a real Node function, which decodes
// the awslogs payload itself; the other policy types are refused, never stored and ignored. A destination record put
// in the store (as one created when Kinesis exists would be) shows the access policy deciding cross-account subscribers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { SQSClient, CreateQueueCommand } from "@aws-sdk/client-sqs";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteAccountPolicyCommand,
  DeleteDestinationCommand,
  DescribeAccountPoliciesCommand,
  DescribeDestinationsCommand,
  FilterLogEventsCommand,
  PutAccountPolicyCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import { nextMessage } from "./subscription-helpers.js";
import type { DestinationRec } from "../../../src/services/cloudwatch-logs/state.js";

const server = useServer();

const CANNOT_DELIVER = "Could not deliver test message to specified destination. Check if the destination is valid.";

// Decodes the subscription payload inside the function (as a real consumer does) and reports what it decoded.
const NODE_DECODER = `
import { gunzipSync } from "node:zlib";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  const decoded = JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8"));
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.RESULTS, MessageBody: JSON.stringify(decoded) }));
  return {};
};
`;

test("destinations: a Kinesis or Firehose target is refused as AWS refuses an unreachable one; nothing is stored", async () => {
  const account = randomAccount();
  const logs = server.client(CloudWatchLogsClient, { account });
  const role = `arn:aws:iam::${account}:role/CWLtoKinesisRole`;
  for (const targetArn of [`arn:aws:kinesis:us-east-1:${account}:stream/RootAccess`, `arn:aws:firehose:us-east-1:${account}:deliverystream/d`]) {
    await rejects(
      logs.send(new PutDestinationCommand({ destinationName: "testDestination", targetArn, roleArn: role })),
      "InvalidParameterException",
      400,
      CANNOT_DELIVER,
    );
  }
  assert.deepEqual((await logs.send(new DescribeDestinationsCommand({}))).destinations, []);
  assert.deepEqual((await logs.send(new DescribeDestinationsCommand({ DestinationNamePrefix: "test" }))).destinations, []);
  await rejects(
    logs.send(new DeleteDestinationCommand({ destinationName: "testDestination" })),
    "ResourceNotFoundException",
    400,
    "The specified destination does not exist.",
  );
  await rejects(
    logs.send(new PutDestinationPolicyCommand({ destinationName: "testDestination", accessPolicy: JSON.stringify({ Statement: [] }) })),
    "ResourceNotFoundException",
    400,
    "The specified destination does not exist.",
  );
  // The model's constraints on the name (no ':' or '*').
  await rejects(
    logs.send(new PutDestinationCommand({ destinationName: "bad:name", targetArn: `arn:aws:kinesis:us-east-1:${account}:stream/s`, roleArn: role })),
    "InvalidParameterException",
    400,
  );
  // A subscription to another account's destination that does not exist cannot get its test message through.
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/dest/sender" }));
  await rejects(
    logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: "/dest/sender",
        filterName: "cross",
        filterPattern: "",
        destinationArn: "arn:aws:logs:us-east-1:222222222222:destination:testDestination",
      }),
    ),
    "InvalidParameterException",
    400,
    CANNOT_DELIVER,
  );
});

test("account policies: a subscription policy delivers every selected group's matching events to a Node function", async () => {
  const env = await lambdaEnv(server);
  const logs = server.client(CloudWatchLogsClient, { account: env.account });
  const sqs = server.client(SQSClient, { account: env.account });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "account-policy-results" }));
  const fn = await createFunction(env, {
    FunctionName: "account-decoder",
    code: { "index.mjs": NODE_DECODER },
    Environment: { Variables: { RESULTS: QueueUrl! } },
    Timeout: 15,
  });
  const policyDocument = JSON.stringify({ DestinationArn: fn.FunctionArn, FilterPattern: "ERROR", Distribution: "Random" });
  const put = (policyName: string, selectionCriteria?: string) =>
    logs.send(new PutAccountPolicyCommand({ policyName, policyType: "SUBSCRIPTION_FILTER_POLICY", policyDocument, selectionCriteria, scope: "ALL" }));

  // Policy types Stratus does not apply are refused, never stored.
  for (const policyType of ["DATA_PROTECTION_POLICY", "FIELD_INDEX_POLICY", "TRANSFORMER_POLICY", "METRIC_EXTRACTION_POLICY"] as const) {
    await rejects(
      logs.send(new PutAccountPolicyCommand({ policyName: "p", policyType, policyDocument: "{}" })),
      "InvalidParameterException",
      400,
      new RegExp(`does not apply account policies of type ${policyType}`),
    );
    assert.deepEqual((await logs.send(new DescribeAccountPoliciesCommand({ policyType }))).accountPolicies, []);
  }
  // Without a grant to CloudWatch Logs the function cannot be the policy's destination.
  await rejects(
    put("everything"),
    "InvalidParameterException",
    400,
    "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
  );
  await rejects(
    logs.send(
      new PutAccountPolicyCommand({ policyName: "p", policyType: "SUBSCRIPTION_FILTER_POLICY", policyDocument: JSON.stringify({ FilterPattern: "" }) }),
    ),
    "InvalidParameterException",
    400,
  );
  await rejects(put("everything", 'LogGroupName IN ["x"]'), "InvalidParameterException", 400);
  await env.lambda.send(
    new AddPermissionCommand({
      FunctionName: "account-decoder",
      StatementId: "logs-account",
      Principal: "logs.amazonaws.com",
      Action: "lambda:InvokeFunction",
      SourceArn: `arn:aws:logs:us-east-1:${env.account}:log-group:*`,
      SourceAccount: env.account,
    }),
  );
  // The function's own log group is excluded too, or its logs (ERROR lines included) would feed it in a loop — why
  // AWS offers selectionCriteria.
  const criteria = 'LogGroupName NOT IN ["/acct/excluded", "/aws/lambda/account-decoder"]';
  const created = (await put("everything", criteria)).accountPolicy!;
  assert.deepEqual(
    { ...created, lastUpdatedTime: typeof created.lastUpdatedTime },
    {
      policyName: "everything",
      policyDocument,
      policyType: "SUBSCRIPTION_FILTER_POLICY",
      scope: "ALL",
      selectionCriteria: criteria,
      accountId: env.account,
      lastUpdatedTime: "number",
    },
  );
  // One subscription policy per account and region; the same name updates it.
  await rejects(put("another"), "LimitExceededException", 400, "Resource limit exceeded.");
  await put("everything", criteria);
  const described = (await logs.send(new DescribeAccountPoliciesCommand({ policyType: "SUBSCRIPTION_FILTER_POLICY" }))).accountPolicies!;
  assert.deepEqual(
    described.map((p) => [p.policyName, p.selectionCriteria, p.policyDocument]),
    [["everything", criteria, policyDocument]],
  );

  // Groups created after the policy are covered too; the excluded one is not.
  for (const group of ["/acct/app", "/acct/excluded"]) {
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s" }));
  }
  const now = Date.now();
  const events = [
    { timestamp: now - 1, message: "ERROR boom" },
    { timestamp: now, message: "INFO fine" },
  ];
  await logs.send(new PutLogEventsCommand({ logGroupName: "/acct/excluded", logStreamName: "s", logEvents: events }));
  await logs.send(new PutLogEventsCommand({ logGroupName: "/acct/app", logStreamName: "s", logEvents: events }));
  const decoded = await nextMessage(sqs, QueueUrl!);
  const ids = (await logs.send(new FilterLogEventsCommand({ logGroupName: "/acct/app", filterPattern: "ERROR" }))).events!.map((e) => e.eventId);
  // AWS's documented key order.
  assert.deepEqual(Object.keys(decoded), ["owner", "logGroup", "logStream", "subscriptionFilters", "messageType", "logEvents"]);
  assert.deepEqual(decoded, {
    messageType: "DATA_MESSAGE",
    owner: env.account,
    logGroup: "/acct/app",
    logStream: "s",
    subscriptionFilters: ["everything"],
    logEvents: [{ id: ids[0], timestamp: now - 1, message: "ERROR boom" }],
  });
  assert.equal(typeof decoded.logEvents[0].id, "string");
  // Nothing came from the excluded group.
  await assert.rejects(nextMessage(sqs, QueueUrl!, 2_000), /nothing arrived/);

  await logs.send(new DeleteAccountPolicyCommand({ policyName: "everything", policyType: "SUBSCRIPTION_FILTER_POLICY" }));
  await rejects(
    logs.send(new DeleteAccountPolicyCommand({ policyName: "everything", policyType: "SUBSCRIPTION_FILTER_POLICY" })),
    "ResourceNotFoundException",
    400,
    "Policy with name [everything] does not exist.",
  );
  await logs.send(new PutLogEventsCommand({ logGroupName: "/acct/app", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "ERROR after" }] }));
  await assert.rejects(nextMessage(sqs, QueueUrl!, 2_000), /nothing arrived/);
});

test("a destination held in the store (as Kinesis would let one be created): describe, its policy decides who may subscribe", async () => {
  const receiver = randomAccount();
  const sender = randomAccount();
  const owner = server.client(CloudWatchLogsClient, { account: receiver });
  const logs = server.client(CloudWatchLogsClient, { account: sender });
  // Stratus cannot create one (no Kinesis), so the record is put where PutDestination would keep it.
  const rec: DestinationRec = {
    name: "shared",
    targetArn: `arn:aws:kinesis:us-east-1:${receiver}:stream/RecipientStream`,
    roleArn: `arn:aws:iam::${receiver}:role/CWLtoKinesisRole`,
    creationTime: 1_700_000_000_000,
    tags: {},
  };
  server.runtime.store.table<DestinationRec>("cloudwatch-logs:destinations", `${receiver}/us-east-1`).put("shared", rec);
  const arn = `arn:aws:logs:us-east-1:${receiver}:destination:shared`;
  assert.deepEqual((await owner.send(new DescribeDestinationsCommand({ DestinationNamePrefix: "sh" }))).destinations, [
    { destinationName: "shared", targetArn: rec.targetArn, roleArn: rec.roleArn, arn, creationTime: rec.creationTime },
  ]);
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/cross/app" }));
  const subscribe = () =>
    logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/cross/app", filterName: "to-receiver", filterPattern: "", destinationArn: arn }));
  // No access policy: the sender may not subscribe.
  await rejects(subscribe(), "AccessDeniedException", 400, new RegExp(`accountId: ${sender} is not authorized to perform: logs:PutSubscriptionFilter`));
  await rejects(
    owner.send(new PutDestinationPolicyCommand({ destinationName: "shared", accessPolicy: "not json" })),
    "InvalidParameterException",
    400,
    "Could not convert to persistable policy.",
  );
  const policy = (account: string) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: account }, Action: "logs:PutSubscriptionFilter", Resource: arn }],
    });
  await owner.send(new PutDestinationPolicyCommand({ destinationName: "shared", accessPolicy: policy("111111111111") }));
  await rejects(subscribe(), "AccessDeniedException", 400);
  await owner.send(new PutDestinationPolicyCommand({ destinationName: "shared", accessPolicy: policy(sender) }));
  assert.equal((await owner.send(new DescribeDestinationsCommand({}))).destinations![0].accessPolicy, policy(sender));
  // Admitted by the policy, the test message still cannot reach a Kinesis stream here.
  await rejects(subscribe(), "InvalidParameterException", 400, CANNOT_DELIVER);
  await owner.send(new DeleteDestinationCommand({ destinationName: "shared" }));
  assert.deepEqual((await owner.send(new DescribeDestinationsCommand({}))).destinations, []);
});
