// Durability of what subscriptions keep: an account-level subscription policy and a delivery awaiting its retry
// survive a restart on the same data directory; after it the policy still delivers and the retry is sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { AddPermissionCommand } from "@aws-sdk/client-lambda";
import { SQSClient, CreateQueueCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeAccountPoliciesCommand,
  PutAccountPolicyCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { createFunction, lambdaEnv } from "../lambda/setup.js";
import { nextMessage } from "./subscription-helpers.js";
import type { DeliveryRetryRec } from "../../../src/services/cloudwatch-logs/state.js";

const DECODER = `
import { gunzipSync } from "node:zlib";
import { SQSClient, GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  // By name: a queue URL names the server's port, which a restart changes.
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: process.env.RESULTS }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: gunzipSync(Buffer.from(event.awslogs.data, "base64")).toString("utf8") }));
  return {};
};
`;

test("an account subscription policy and a pending retry survive a restart", async () => {
  // The retry is due only when this clock moves, after the restart (a real clock could let the first server send it).
  const clock = new ManualClock();
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-logs-sub-"));
  const account = randomAccount();
  const criteria = 'LogGroupName NOT IN ["/aws/lambda/restart-decoder"]';
  const retried = { messageType: "DATA_MESSAGE", owner: account, logGroup: "/before", logStream: "s", subscriptionFilters: ["kept"], logEvents: [] };
  try {
    const first = await startTestServer({ dataDir, clock });
    try {
      const env = await lambdaEnv(first, account);
      const sqs = new SQSClient(first.clientConfig({ account }));
      await sqs.send(new CreateQueueCommand({ QueueName: "restart-results" }));
      const fn = await createFunction(env, {
        FunctionName: "restart-decoder",
        code: { "index.mjs": DECODER },
        Environment: { Variables: { RESULTS: "restart-results" } },
        Timeout: 15,
      });
      await env.lambda.send(
        new AddPermissionCommand({
          FunctionName: "restart-decoder",
          StatementId: "logs",
          Principal: "logs.amazonaws.com",
          Action: "lambda:InvokeFunction",
          SourceArn: `arn:aws:logs:us-east-1:${account}:log-group:*`,
        }),
      );
      const logs = new CloudWatchLogsClient(first.clientConfig({ account }));
      await logs.send(
        new PutAccountPolicyCommand({
          policyName: "kept",
          policyType: "SUBSCRIPTION_FILTER_POLICY",
          policyDocument: JSON.stringify({ DestinationArn: fn.FunctionArn, FilterPattern: "" }),
          selectionCriteria: criteria,
        }),
      );
      // A delivery that failed retryably just before the server went away, due a minute later.
      const payload = JSON.stringify({ awslogs: { data: gzipSync(JSON.stringify(retried)).toString("base64") } });
      const now = clock.now();
      first.runtime.store
        .table<DeliveryRetryRec>("cloudwatch-logs:delivery-retries", `${account}/us-east-1`)
        .put("000000000000001-before", { destinationArn: fn.FunctionArn!, payload, firstAttempt: now, attempts: 1, nextAttempt: now + 1_500 });
    } finally {
      await first.close();
    }

    const second = await startTestServer({ dataDir, clock });
    try {
      const logs = new CloudWatchLogsClient(second.clientConfig({ account }));
      const sqs = new SQSClient(second.clientConfig({ account }));
      const { QueueUrl: queueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "restart-results" }));
      const [policy] = (await logs.send(new DescribeAccountPoliciesCommand({ policyType: "SUBSCRIPTION_FILTER_POLICY" }))).accountPolicies!;
      assert.deepEqual([policy.policyName, policy.selectionCriteria], ["kept", criteria]);
      // The retry loop is running again: the stored delivery arrives.
      clock.advance(2_000);
      assert.deepEqual(await nextMessage(sqs, queueUrl!), retried);
      // The policy still applies to groups created after the restart.
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/after" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/after", logStreamName: "s" }));
      const ts = clock.now();
      await logs.send(new PutLogEventsCommand({ logGroupName: "/after", logStreamName: "s", logEvents: [{ timestamp: ts, message: "after restart" }] }));
      const got = await nextMessage(sqs, queueUrl!);
      assert.deepEqual(
        [got.logGroup, got.subscriptionFilters, got.logEvents.map((e: { message: string }) => e.message)],
        ["/after", ["kept"], ["after restart"]],
      );
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
