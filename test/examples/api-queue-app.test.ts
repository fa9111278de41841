// examples/api-queue-app, end to end with the stock CDK CLI: bootstrap, deploy (file assets zipped and published by
// the CLI, the change set executed by CloudFormation), the API called over HTTP, the order followed through the SQS
// queue into the worker function and its CloudWatch Logs, an update in place (the custom resource's update), then
// destroy. Its CDK assertion tests are its own
// (examples/api-queue-app/test), run by scripts/test.sh too.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, useServer } from "../helpers/server.js";
import { eventually } from "../helpers/wait.js";
import { type CdkEnv, cdk, readOutputs, tempDir } from "./cdk.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/api-queue-app/", import.meta.url));
const STACK = "ApiQueueApp";
const server = useServer();
const account = randomAccount();

/** An IAM user with an admin policy, as on AWS: the CLI assumes the bootstrap roles with its keys (a root can't). */
async function deployer(): Promise<CdkEnv> {
  const iam = server.client(IAMClient, { account });
  await iam.send(new CreateUserCommand({ UserName: "cdk-deployer" }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: "cdk-deployer",
      PolicyName: "admin",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
    }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "cdk-deployer" }));
  return { endpoint: server.url, accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

/** GET `path` from the server with a Host header of its own (fetch sends the URL's). */
function getWithHost(server: string, host: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(server);
  return new Promise((resolve, reject) => {
    get({ hostname: u.hostname, port: u.port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    }).on("error", reject);
  });
}

const show = (r: { code: number; stdout: string; stderr: string }) => `exit ${r.code}\n${r.stderr.slice(-6000)}\n${r.stdout.slice(-2000)}`;

test("examples/api-queue-app: cdk bootstrap, deploy, the API called, the order followed to the worker's logs, an update, destroy", async (t) => {
  const home = tempDir("stratus-cdk-home-");
  const work = tempDir("stratus-cdk-work-");
  t.after(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });
  const env = await deployer();
  const opts = { cwd: EXAMPLE, env, home };

  const boot = await cdk(["bootstrap", `aws://${account}/us-east-1`], { ...opts, cwd: work });
  assert.equal(boot.code, 0, show(boot));
  assert.match(boot.stderr, /Environment aws:\/\/\d+\/us-east-1 bootstrapped/);

  const outputsFile = join(work, "outputs.json");
  const deploy = await cdk(["deploy", "--require-approval", "never", "--outputs-file", outputsFile, "--output", join(work, "cdk.out")], opts);
  assert.equal(deploy.code, 0, show(deploy));
  assert.match(deploy.stderr, new RegExp(`✅ {2}${STACK}`));
  // The CLI assumed the bootstrap roles (file publishing, deploy) rather than warning and using the user's keys.
  assert.doesNotMatch(deploy.stderr + deploy.stdout, /could not be used to assume/);
  const outputs = readOutputs(outputsFile)[STACK];
  assert.match(outputs.ApiUrl, /^https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/prod\/$/);

  // The API function's log lines, for a failure's message.
  const apiLogs = async () => {
    await new Promise((r) => setTimeout(r, 1500)); // log delivery is asynchronous
    const found = await server.client(CloudWatchLogsClient, { account }).send(new FilterLogEventsCommand({ logGroupName: outputs.ApiLogGroup }));
    return (found.events ?? []).map((e) => e.message).join("");
  };

  await t.test("the API answers over HTTP with the greeting the custom resource wrote and the config from SSM", async () => {
    const base = `${server.url}/restapis/${outputs.RestApiId}/prod/_user_request_`;
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { greeting: "hello from api-queue-app", config: { maxItems: 10, currency: "EUR" } });

    // The API addressed by its host name: the stage is the path's first segment.
    const byHost = await getWithHost(server.url, `${outputs.RestApiId}.execute-api.localhost`, "/prod/");
    assert.equal(byHost.status, 200);
    assert.equal(JSON.parse(byHost.body).greeting, "hello from api-queue-app");

    const bad = await fetch(`${base}/orders`, { method: "POST", body: JSON.stringify({ items: [] }) });
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { message: "an order has 1 to 10 items" });
  });

  await t.test("an order goes through the queue to the worker, whose log group shows it processed; its event to the audit queue", async () => {
    const res = await fetch(`${server.url}/restapis/${outputs.RestApiId}/prod/_user_request_/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ items: ["tea", "scones"] }),
    });
    assert.equal(res.status, 202, `${await res.clone().text()}\n${await apiLogs()}`);
    const { orderId, messageId } = (await res.json()) as { orderId: string; messageId: string };
    assert.match(orderId, /^[0-9a-f-]{36}$/);
    assert.ok(messageId);

    const logs = server.client(CloudWatchLogsClient, { account });
    const line = await eventually(
      async () => {
        const found = await logs.send(new FilterLogEventsCommand({ logGroupName: outputs.WorkerLogGroup, filterPattern: `"${orderId}"` }));
        const event = found.events?.find((e) => e.message?.includes("order-processed"));
        assert.ok(event, "the worker has not logged the order yet");
        return event.message!;
      },
      20_000,
      250,
    );
    const logged = JSON.parse(line.slice(line.indexOf("{")));
    assert.deepEqual(logged, { event: "order-processed", orderId, items: 2, signed: true });

    // The event the function published reached the topic's subscriber, the audit queue, as published.
    const sqs = server.client(SQSClient, { account });
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: outputs.AuditQueueUrl, WaitTimeSeconds: 5 }));
    assert.deepEqual(JSON.parse(Messages![0].Body!), { type: "OrderReceived", orderId, items: 2 });
  });

  await t.test("the deployed resources carry the template's settings: log retention, the customer key on queue and secret", async () => {
    const { StackResources } = await server.client(CloudFormationClient, { account }).send(new DescribeStackResourcesCommand({ StackName: STACK }));
    const physical = (prefix: string) => StackResources!.find((r) => r.LogicalResourceId!.startsWith(prefix))!.PhysicalResourceId!;
    const keyArn = (await server.client(KMSClient, { account }).send(new DescribeKeyCommand({ KeyId: physical("DataKey") }))).KeyMetadata!.Arn;
    const { logGroups } = await server.client(CloudWatchLogsClient, { account }).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: STACK }));
    assert.deepEqual(logGroups!.map((g) => [g.logGroupName, g.retentionInDays]).sort(), [
      [outputs.ApiLogGroup, 7],
      [outputs.WorkerLogGroup, 7],
    ]);
    const attrs = await server
      .client(SQSClient, { account })
      .send(new GetQueueAttributesCommand({ QueueUrl: outputs.QueueUrl, AttributeNames: ["KmsMasterKeyId", "RedrivePolicy"] }));
    assert.equal(attrs.Attributes!.KmsMasterKeyId, keyArn);
    assert.equal(JSON.parse(attrs.Attributes!.RedrivePolicy!).maxReceiveCount, 3);
    const secret = await server.client(SecretsManagerClient, { account }).send(new DescribeSecretCommand({ SecretId: physical("ApiSecret") }));
    assert.equal(secret.KmsKeyId, keyArn);
  });

  // An update in place: a new greeting changes only the custom resource, whose update call rewrites the parameter.
  const ssm = server.client(SSMClient, { account });
  const update = await cdk(["deploy", "--require-approval", "never", "-c", "greeting=hello again", "--output", join(work, "cdk.out.2")], opts);
  assert.equal(update.code, 0, show(update));
  assert.match(update.stderr, new RegExp(`✅ {2}${STACK}`));
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/api-queue-app/greeting" }))).Parameter!.Value, "hello again");

  const destroy = await cdk(["destroy", "--app", join(work, "cdk.out.2"), "--force"], opts);
  assert.equal(destroy.code, 0, show(destroy));
  const cfn = server.client(CloudFormationClient, { account });
  await assert.rejects(cfn.send(new DescribeStacksCommand({ StackName: STACK })), /does not exist/);
  // The custom resource's delete call ran: the greeting parameter it wrote is gone.
  await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/api-queue-app/greeting" })), { name: "ParameterNotFound" });
});
