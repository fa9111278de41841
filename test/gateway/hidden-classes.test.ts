// No request makes new hidden classes. On Node 20's V8 (11.3) an object literal that begins with a spread
// (`{ ...a, b }`, `{ ...a, ...b }`, or `{ ...a }` given more properties later) gets a map of its own, so each
// property after it makes one more map, every time: ~2 µs a call, and maps and descriptor arrays are allocated in the
// old generation, so a request path doing it fills that with garbage (S3 PutObject made 16 maps a request: a
// mark-compact every ~1.2 s, 1.2 page faults a request at ~11 µs each in this VM, 15% of its CPU). Node 22's and 24's V8
// do not. The built server runs here with V8's map log (--log-maps), driven through real SDK clients across the
// protocols and the core services, with a function, a REST API, a rule and a subscription delivering. A property
// transition V8 logs as "prototype" (an uncached map, made anew) in Stratus's own code must not come in half the
// rounds or more: startup makes each such map once. Runs on every Node; it has something to find on Node 20.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, GetMetricStatisticsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from "@aws-sdk/client-api-gateway";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateRoleCommand, CreateUserCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { cliClientConfig, killAll, startCli } from "../cli/spawn.js";
import { zip } from "../services/lambda/setup.js";
import { waitUntil } from "../helpers/wait.js";

after(killAll);

const ROUNDS = 40;

/** Each "prototype" transition in Stratus's code (dist/), as "function: property", with how often it came. */
function uncachedTransitions(log: string): Map<string, number> {
  const code: { start: number; end: number; name: string }[] = [];
  const transitions: { at: number; property: string }[] = [];
  for (const line of log.split("\n")) {
    if (line.startsWith("code-creation,")) {
      // code-creation,<type>,<kind>,<time>,<start>,<size>,<name…>
      const f = line.split(",");
      const start = Number.parseInt(f[4], 16);
      if (Number.isFinite(start)) code.push({ start, end: start + Number(f[5]), name: f.slice(6).join(",") });
    } else if (line.startsWith("map,Transition,")) {
      // map,Transition,<time>,<from>,<to>,<pc>,<line>,<column>,<reason>,<property>
      const f = line.split(",");
      if (f[8] === "prototype") transitions.push({ at: Number.parseInt(f[5], 16), property: f.slice(9).join(",") });
    }
  }
  code.sort((a, b) => a.start - b.start);
  const functionAt = (pc: number): string | undefined => {
    let lo = 0;
    let hi = code.length - 1;
    let found: (typeof code)[number] | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (code[mid].start <= pc) {
        found = code[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found && pc < found.end ? found.name : undefined;
  };
  const counts = new Map<string, number>();
  for (const t of transitions) {
    const fn = functionAt(t.at);
    if (!fn?.includes("/dist/")) continue;
    const key = `${fn.replace(/,0x[0-9a-f]+,[~^*]?$/, "")}: ${t.property}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

test("the core services' calls make no new hidden classes per request (V8's map log of the built server)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-maps-"));
  const logFile = join(dir, "v8.log");
  try {
    // No compile cache: V8 refuses one made under other flags, and this run's would be refused by every other start.
    const server = await startCli(["--port", "0", "--ephemeral", "--xray-daemon-port", "0", "--log-level", "error"], { STRATUS_COMPILE_CACHE: "0" }, [
      "--log-maps",
      "--no-log-maps-details",
      `--logfile=${logFile}`,
      "--no-logfile-per-isolate",
    ]);
    const cfg = cliClientConfig(server.url, "test");
    const s3 = new S3Client({ ...cfg, forcePathStyle: true });
    const sqs = new SQSClient(cfg);
    const sns = new SNSClient(cfg);
    const ssm = new SSMClient(cfg);
    const logs = new CloudWatchLogsClient(cfg);
    const kms = new KMSClient(cfg);
    const sm = new SecretsManagerClient(cfg);
    const cw = new CloudWatchClient(cfg);
    const eb = new EventBridgeClient(cfg);
    const sts = new STSClient(cfg);
    const iam = new IAMClient(cfg);
    const lambda = new LambdaClient(cfg);
    await s3.send(new CreateBucketCommand({ Bucket: "maps" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "maps" }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "maps" }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "maps" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "maps", logStreamName: "s" }));
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    await sm.send(new CreateSecretCommand({ Name: "maps", SecretString: "v" }));
    await eb.send(new PutRuleCommand({ Name: "maps", EventPattern: JSON.stringify({ source: ["app"] }) }));
    await iam.send(new CreateUserCommand({ UserName: "maps" }));
    // A function run synchronously, a REST API with a MOCK integration, a rule and a subscription delivering to a queue.
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "maps", AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "maps",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: Role!.Arn,
        Code: { ZipFile: zip({ "index.mjs": "export const handler = async (e) => ({ ok: true, e });" }) },
      }),
    );
    while ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "maps" }))).State !== "Active") await new Promise((r) => setTimeout(r, 50));
    const apig = new APIGatewayClient(cfg);
    const { id: restApiId } = await apig.send(new CreateRestApiCommand({ name: "maps" }));
    const { items } = await apig.send(new GetResourcesCommand({ restApiId }));
    const api = { restApiId, resourceId: items!.find((r) => r.path === "/")!.id!, httpMethod: "GET" };
    await apig.send(new PutMethodCommand({ ...api, authorizationType: "NONE" }));
    await apig.send(new PutIntegrationCommand({ ...api, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 200}' } }));
    await apig.send(new PutMethodResponseCommand({ ...api, statusCode: "200" }));
    await apig.send(new PutIntegrationResponseCommand({ ...api, statusCode: "200", responseTemplates: { "application/json": '{"ok": true}' } }));
    await apig.send(new CreateDeploymentCommand({ restApiId, stageName: "prod" }));
    const { QueueUrl: targetUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "maps-target" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: targetUrl, AttributeNames: ["QueueArn"] }));
    const senders = { Service: ["events.amazonaws.com", "sns.amazonaws.com"] };
    const Policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: senders, Action: "sqs:SendMessage", Resource: Attributes!.QueueArn }],
    });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: targetUrl, Attributes: { Policy } }));
    await eb.send(new PutTargetsCommand({ Rule: "maps", Targets: [{ Id: "q", Arn: Attributes!.QueueArn }] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
    for (let i = 0; i < ROUNDS; i++) {
      const Key = `k/${i % 5}`;
      await s3.send(new PutObjectCommand({ Bucket: "maps", Key, Body: "x".repeat(1024), Metadata: { a: "1" } }));
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: "maps", Key }))).Body!.transformToString(), "x".repeat(1024));
      await s3.send(new HeadObjectCommand({ Bucket: "maps", Key }));
      await s3.send(new ListObjectsV2Command({ Bucket: "maps", MaxKeys: 2 }));
      await s3.send(new CopyObjectCommand({ Bucket: "maps", Key: `c/${i % 5}`, CopySource: `maps/${Key}` }));
      await s3.send(new DeleteObjectCommand({ Bucket: "maps", Key: `c/${i % 5}` }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m" }));
      for (const m of (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }))).Messages ?? [])
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      await sns.send(new PublishCommand({ TopicArn, Message: "m" }));
      await ssm.send(new PutParameterCommand({ Name: `/maps/${i % 5}`, Value: "v", Type: "String", Overwrite: true }));
      await ssm.send(new GetParameterCommand({ Name: `/maps/${i % 5}` }));
      await logs.send(new PutLogEventsCommand({ logGroupName: "maps", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: `m${i}` }] }));
      await logs.send(new GetLogEventsCommand({ logGroupName: "maps", logStreamName: "s", limit: 2 }));
      const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from("x") }));
      await kms.send(new DecryptCommand({ CiphertextBlob }));
      await sm.send(new GetSecretValueCommand({ SecretId: "maps" }));
      await cw.send(new PutMetricDataCommand({ Namespace: "maps", MetricData: [{ MetricName: "m", Value: i, Dimensions: [{ Name: "d", Value: "v" }] }] }));
      await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "maps",
          MetricName: "m",
          StartTime: new Date(Date.now() - 600_000),
          EndTime: new Date(),
          Period: 60,
          Statistics: ["Sum"],
        }),
      );
      await eb.send(new PutEventsCommand({ Entries: [{ Source: "app", DetailType: "t", Detail: JSON.stringify({ i }) }] }));
      await sts.send(new GetCallerIdentityCommand({}));
      await iam.send(new GetUserCommand({ UserName: "maps" }));
      await lambda.send(new ListFunctionsCommand({}));
      await lambda.send(new InvokeCommand({ FunctionName: "maps", Payload: Buffer.from(JSON.stringify({ i })) }));
      const mock = await fetch(`${server.url}/restapis/${restApiId}/prod/_user_request_/`);
      assert.deepEqual(await mock.json(), { ok: true });
    }
    // The rule's and the subscription's deliveries (one each a round) are done once the target queue holds them all.
    await waitUntil(async () => {
      const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: targetUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
      return Number(a.Attributes!.ApproximateNumberOfMessages) >= 2 * ROUNDS;
    }, "the rule's and the subscription's deliveries");
    await sqs.send(new PurgeQueueCommand({ QueueUrl: targetUrl }));
    // SIGTERM: the server stops cleanly and V8 writes out its log.
    const end = await server.stop();
    assert.equal(end.code, 0, end.stderr);
    const counts = uncachedTransitions(readFileSync(logFile, "latin1"));
    const perRound = [...counts].filter(([, n]) => n >= ROUNDS / 2).map(([where, n]) => `${where} (${n} in ${ROUNDS} rounds)`);
    assert.deepEqual(perRound, [], "property additions that make a new map every round");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
