// Canaries that run: a Node.js canary's executeHttpStep against a local server passes (artifacts in S3 in AWS's
// layout, CloudWatchSynthetics metrics, the success event in an SQS queue through an EventBridge rule), a canary
// that throws fails with its error as the reason, a browser canary fails saying Stratus found no Chromium; the
// function and layer AWS would make are in Lambda; lifecycle states; runtime refusals; errors as AWS words them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { GetFunctionCommand, GetLayerVersionByArnCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { eventsPolicy } from "../eventbridge/setup.js";
import {
  CreateCanaryCommand,
  DeleteCanaryCommand,
  DescribeCanariesCommand,
  DescribeCanariesLastRunCommand,
  DescribeRuntimeVersionsCommand,
  GetCanaryCommand,
  StartCanaryCommand,
  StopCanaryCommand,
  UpdateCanaryCommand,
} from "@aws-sdk/client-synthetics";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { clients, completedRuns, nodeZip, prepare, target, waitForState } from "./setup.js";

const server = useServer();
let web: Awaited<ReturnType<typeof target>>;
const savedChromium = process.env.STRATUS_CHROMIUM;
before(async () => {
  web = await target();
  // No Chromium for these tests, whatever the machine has.
  process.env.STRATUS_CHROMIUM = "/nonexistent/chromium";
});
after(async () => {
  await web.close();
  if (savedChromium === undefined) delete process.env.STRATUS_CHROMIUM;
  else process.env.STRATUS_CHROMIUM = savedChromium;
});

const RUNTIME = "syn-nodejs-puppeteer-15.0";

test("an HTTP canary run once: PASSED with artifacts, metrics and the success event; the function and layer are Lambda's", async () => {
  const c = clients(server);
  const { role, bucket } = await prepare(c);
  const cfg = server.clientConfig({ account: c.account });
  const eb = new EventBridgeClient(cfg);
  const sqs = new SQSClient(cfg);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "canary-events" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  // As on AWS, EventBridge delivers to a queue only when the queue's policy lets events.amazonaws.com send to it.
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: eventsPolicy(Attributes!.QueueArn!) } }));
  await eb.send(
    new PutRuleCommand({
      Name: "runs",
      EventPattern: JSON.stringify({ source: ["aws.synthetics"], "detail-type": ["Synthetics Canary TestRun Successful", "Synthetics Canary Status Change"] }),
    }),
  );
  await eb.send(new PutTargetsCommand({ Rule: "runs", Targets: [{ Id: "q", Arn: Attributes!.QueueArn! }] }));

  const script = `
const synthetics = require('@aws/synthetics-puppeteer');
const log = require('@aws/synthetics-logger');
exports.handler = async () => {
  synthetics.getConfiguration().setConfig({ includeRequestHeaders: true });
  log.info('checking the api');
  await synthetics.executeHttpStep('get-ok', { hostname: '127.0.0.1', port: ${web.port}, path: '/ok', method: 'GET', protocol: 'http:' });
  await synthetics.executeHttpStep('get-missing', { hostname: '127.0.0.1', port: ${web.port}, path: '/missing', method: 'GET', protocol: 'http:' },
    async (res) => { res.resume(); if (res.statusCode !== 404) throw new Error('expected 404'); });
};`;
  const created = await c.syn.send(
    new CreateCanaryCommand({
      Name: "api-check",
      Code: { ZipFile: nodeZip("apiCheck", script), Handler: "apiCheck.handler" },
      ArtifactS3Location: `s3://${bucket}/runs`,
      ExecutionRoleArn: role,
      Schedule: { Expression: "rate(0 minute)" },
      RuntimeVersion: RUNTIME,
      RunConfig: { TimeoutInSeconds: 60 },
      Tags: { team: "web" },
    }),
  );
  assert.equal(created.Canary?.Status?.State, "CREATING");
  assert.equal(created.Canary?.RunConfig?.MemoryInMB, 1000);
  assert.equal(created.Canary?.SuccessRetentionPeriodInDays, 31);
  await waitForState(c, "api-check", "READY");
  const { Canary } = await c.syn.send(new GetCanaryCommand({ Name: "api-check" }));
  assert.match(Canary!.EngineArn!, new RegExp(`^arn:aws:lambda:us-east-1:${c.account}:function:cwsyn-api-check-[0-9a-f-]{36}:1$`));
  assert.match(Canary!.Code!.SourceLocationArn!, /:layer:cwsyn-api-check-[0-9a-f-]{36}:1$/);
  assert.deepEqual(Canary!.Tags, { team: "web" });
  // The function AWS creates in the account, visible to Lambda's API, with the canary's code as a layer.
  const fnName = Canary!.EngineArn!.split(":")[6]!;
  const fns = await c.lambda.send(new ListFunctionsCommand({}));
  assert.ok(fns.Functions?.some((f) => f.FunctionName === fnName));
  const fn = await c.lambda.send(new GetFunctionCommand({ FunctionName: fnName }));
  assert.equal(fn.Configuration?.Runtime, "nodejs22.x");
  assert.equal(fn.Configuration?.Timeout, 60);
  const layer = await c.lambda.send(new GetLayerVersionByArnCommand({ Arn: Canary!.Code!.SourceLocationArn! }));
  assert.ok(layer.Content?.CodeSize);

  await c.syn.send(new StartCanaryCommand({ Name: "api-check" }));
  const [run] = await completedRuns(c, "api-check");
  assert.equal(run!.Status?.State, "PASSED", run!.Status?.StateReason);
  assert.match(
    run!.ArtifactS3Location!,
    new RegExp(`^${bucket}/runs/canary/us-east-1/api-check-[0-9a-f]{3}-[0-9a-f]{12}/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d{2}-\\d{2}-\\d{3}$`),
  );
  assert.ok(run!.Timeline?.Completed);
  assert.deepEqual(
    web.hits.slice(0, 2).map((h) => h.split(" ").slice(0, 2).join(" ")),
    ["GET /ok", "GET /missing"],
  );
  assert.match(web.hits[0]!, /CloudWatchSynthetics/);
  // A run-once canary stops after its run.
  await waitForState(c, "api-check", "STOPPED");

  // Artifacts: the log and the report, in the run's folder.
  const prefix = run!.ArtifactS3Location!.slice(bucket.length + 1);
  const listed = await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!.slice(prefix.length + 1)).sort();
  assert.equal(keys.length, 2, keys.join());
  assert.match(keys[0]!, /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-log\.txt$/);
  assert.equal(keys[1], "SyntheticsReport-PASSED.json");
  const report = JSON.parse(
    await (await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/SyntheticsReport-PASSED.json` }))).Body!.transformToString(),
  );
  assert.equal(report.status, "PASSED");
  assert.deepEqual(
    report.steps.map((s: { stepName: string; status: string; statusCode: number }) => [s.stepName, s.status, s.statusCode]),
    [
      ["get-ok", "PASSED", 200],
      ["get-missing", "PASSED", 404],
    ],
  );
  const log = await (await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}/${keys[0]}` }))).Body!.transformToString();
  assert.match(log, /INFO: checking the api/);

  // The success event and the status changes, through the rule, in the queue.
  const events: { "detail-type": string; source: string; detail: Record<string, unknown> }[] = [];
  const event = await eventually(async () => {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
    events.push(...(r.Messages ?? []).map((m) => JSON.parse(m.Body!)));
    const found = events.find((e) => e["detail-type"] === "Synthetics Canary TestRun Successful");
    assert.ok(
      found && events.some((e) => e.detail["current-state"] === "STOPPED"),
      JSON.stringify(events.map((e) => [e["detail-type"], e.detail["current-state"]])),
    );
    return found as { "detail-type": string; source: string; detail: Record<string, unknown> };
  });
  const changes = events
    .filter((e) => e["detail-type"] === "Synthetics Canary Status Change")
    .map((e) => `${e.detail["previous-state"]}>${e.detail["current-state"]}`);
  for (const t of ["CREATING>READY", "READY>STARTING", "STARTING>RUNNING", "RUNNING>STOPPED"]) assert.ok(changes.includes(t), `${t} in ${changes}`);
  assert.equal(event.source, "aws.synthetics");
  assert.equal(event["detail-type"], "Synthetics Canary TestRun Successful");
  assert.equal(event.detail["canary-name"], "api-check");
  assert.equal(event.detail["canary-id"], Canary!.Id);
  assert.equal(event.detail["canary-run-id"], run!.Id);
  assert.equal(event.detail["artifact-location"], run!.ArtifactS3Location);
  assert.equal(event.detail["test-run-status"], "PASSED");
  assert.equal(event.detail.message, "Test run result is generated successfully");

  // Metrics: SuccessPercent 100, one 2xx and one 4xx, and the step's SuccessPercent.
  const stat = async (MetricName: string, Dimensions = [{ Name: "CanaryName", Value: "api-check" }]) =>
    eventually(async () => {
      const r = await c.cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "CloudWatchSynthetics",
          MetricName,
          Dimensions,
          StartTime: new Date(Date.now() - 3_600_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 3600,
          Statistics: ["Sum", "Average"],
        }),
      );
      assert.ok(r.Datapoints?.length, `${MetricName} has a datapoint`);
      return r.Datapoints[0]!;
    });
  assert.equal((await stat("SuccessPercent")).Average, 100);
  assert.equal((await stat("2xx")).Sum, 1);
  assert.equal((await stat("4xx")).Sum, 1);
  assert.equal((await stat("Failed")).Sum, 0);
  assert.equal((await stat("Failed requests")).Sum, 1);
  assert.equal(
    (
      await stat("SuccessPercent", [
        { Name: "CanaryName", Value: "api-check" },
        { Name: "StepName", Value: "get-ok" },
      ])
    ).Average,
    100,
  );

  const last = await c.syn.send(new DescribeCanariesLastRunCommand({ Names: ["api-check"] }));
  assert.equal(last.CanariesLastRun?.[0]?.LastRun?.Id, run!.Id);
  // DeleteLambda removes the function and its layer.
  await c.syn.send(new DeleteCanaryCommand({ Name: "api-check", DeleteLambda: true }));
  await assert.rejects(c.lambda.send(new GetFunctionCommand({ FunctionName: fnName })), { name: "ResourceNotFoundException" });
});

test("a canary that throws fails with its error, one too slow with the timeout; a browser canary fails saying Stratus found no Chromium", async () => {
  const c = clients(server);
  const { role, bucket } = await prepare(c);
  const base = { ArtifactS3Location: `s3://${bucket}`, ExecutionRoleArn: role, Schedule: { Expression: "rate(0 minute)" }, RuntimeVersion: RUNTIME };
  const { KeyMetadata } = await new KMSClient(server.clientConfig({ account: c.account })).send(new CreateKeyCommand({}));
  await c.syn.send(
    new CreateCanaryCommand({
      ...base,
      Name: "throws",
      ArtifactConfig: { S3Encryption: { EncryptionMode: "SSE_KMS", KmsKeyArn: KeyMetadata!.Arn } },
      Code: { ZipFile: nodeZip("index", "exports.handler = async () => { throw new Error('the page is down'); };"), Handler: "index.handler" },
    }),
  );
  await c.syn.send(
    new CreateCanaryCommand({
      ...base,
      Name: "browser",
      RuntimeVersion: "syn-nodejs-puppeteer-9.1",
      Code: {
        ZipFile: nodeZip(
          "page",
          "const synthetics = require('Synthetics');\nexports.handler = async () => { const page = await synthetics.getPage(); await page.goto('http://127.0.0.1/'); };",
        ),
        Handler: "page.handler",
      },
    }),
  );
  await c.syn.send(
    new CreateCanaryCommand({
      ...base,
      Name: "too-slow",
      RunConfig: { TimeoutInSeconds: 3 },
      Code: { ZipFile: nodeZip("index", "exports.handler = () => new Promise((r) => setTimeout(r, 20000));"), Handler: "index.handler" },
    }),
  );
  for (const name of ["throws", "browser", "too-slow"]) {
    await waitForState(c, name, "READY");
    await c.syn.send(new StartCanaryCommand({ Name: name }));
  }
  const [thrown] = await completedRuns(c, "throws");
  assert.equal(thrown!.Status?.State, "FAILED");
  assert.equal(thrown!.Status?.StateReason, "Error: the page is down");
  assert.equal(thrown!.Status?.StateReasonCode, "CANARY_FAILURE");
  const listed = await c.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${thrown!.ArtifactS3Location!.slice(bucket.length + 1)}/` }));
  const reportKey = listed.Contents?.find((o) => o.Key!.endsWith("/SyntheticsReport-FAILED.json"))?.Key;
  assert.ok(reportKey);
  // ArtifactConfig's SSE_KMS: each artifact encrypted with the canary's key.
  const head = await c.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: reportKey }));
  assert.equal(head.ServerSideEncryption, "aws:kms");
  assert.equal(head.SSEKMSKeyId, KeyMetadata!.Arn);
  const [browser] = await completedRuns(c, "browser");
  assert.equal(browser!.Status?.State, "FAILED");
  assert.match(browser!.Status!.StateReason!, /Stratus found no Chromium on this machine .*browser steps cannot run/);
  // A run longer than TimeoutInSeconds: the function times out, the run fails with Lambda's reason.
  const [slow] = await completedRuns(c, "too-slow");
  assert.equal(slow!.Status?.State, "FAILED");
  assert.match(slow!.Status!.StateReason!, /Task timed out after 3\.00 seconds/);
  const failed = await eventually(async () => {
    const r = await c.cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "CloudWatchSynthetics",
        MetricName: "Failed",
        Dimensions: [{ Name: "CanaryName", Value: "throws" }],
        StartTime: new Date(Date.now() - 3_600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 3600,
        Statistics: ["Sum"],
      }),
    );
    assert.ok(r.Datapoints?.length);
    return r.Datapoints[0]!.Sum;
  });
  assert.equal(failed, 1);
});

test("lifecycle: READY → RUNNING → STOPPED, ERROR when Lambda refuses; conflicts and missing canaries as AWS answers them", async () => {
  const c = clients(server);
  const { role, bucket } = await prepare(c);
  await c.syn.send(
    new CreateCanaryCommand({
      Name: "hourly",
      Code: { ZipFile: nodeZip("index", "exports.handler = async () => {};"), Handler: "index.handler" },
      ArtifactS3Location: `s3://${bucket}`,
      ExecutionRoleArn: role,
      Schedule: { Expression: "rate(1 hour)", DurationInSeconds: 0 },
      RuntimeVersion: RUNTIME,
    }),
  );
  await waitForState(c, "hourly", "READY");
  await c.syn.send(new StartCanaryCommand({ Name: "hourly" }));
  await waitForState(c, "hourly", "RUNNING");
  await completedRuns(c, "hourly");
  await assert.rejects(c.syn.send(new DeleteCanaryCommand({ Name: "hourly" })), (e: Error & { $metadata: { httpStatusCode: number } }) => {
    assert.equal(e.name, "ConflictException");
    assert.equal(e.$metadata.httpStatusCode, 409);
    assert.equal(e.message, "Canary is in a state that can't be deleted: RUNNING");
    return true;
  });
  await c.syn.send(new StopCanaryCommand({ Name: "hourly" }));
  await waitForState(c, "hourly", "STOPPED");
  const got = (await c.syn.send(new GetCanaryCommand({ Name: "hourly" }))).Canary!;
  assert.ok(got.Timeline?.LastStarted && got.Timeline.LastStopped);
  assert.equal(got.RunConfig?.TimeoutInSeconds, 840);
  // UpdateCanary: UPDATING, then back to STOPPED with a new layer version and function version.
  await c.syn.send(
    new UpdateCanaryCommand({
      Name: "hourly",
      Code: { ZipFile: nodeZip("v2", "exports.handler = async () => {};"), Handler: "v2.handler" },
      RunConfig: { TimeoutInSeconds: 30 },
    }),
  );
  await waitForState(c, "hourly", "STOPPED");
  const updated = (await c.syn.send(new GetCanaryCommand({ Name: "hourly" }))).Canary!;
  assert.match(updated.EngineArn!, /:2$/);
  assert.match(updated.Code!.SourceLocationArn!, /:2$/);
  assert.equal(updated.Code?.Handler, "v2.handler");
  assert.equal(updated.RunConfig?.TimeoutInSeconds, 30);
  const all = await c.syn.send(new DescribeCanariesCommand({ Names: ["hourly", "nope"] }));
  assert.deepEqual(
    all.Canaries?.map((x) => x.Name),
    ["hourly"],
  );
  await assert.rejects(c.syn.send(new GetCanaryCommand({ Name: "nope" })), { name: "ResourceNotFoundException" });
  await c.syn.send(new DeleteCanaryCommand({ Name: "hourly" }));
  await assert.rejects(c.syn.send(new GetCanaryCommand({ Name: "hourly" })), { name: "ResourceNotFoundException" });
  // A role Lambda cannot assume: the canary goes to ERROR with Lambda's reason.
  await c.syn.send(
    new CreateCanaryCommand({
      Name: "no-role",
      Code: { ZipFile: nodeZip("index", "exports.handler = async () => {};"), Handler: "index.handler" },
      ArtifactS3Location: `s3://${bucket}`,
      ExecutionRoleArn: `arn:aws:iam::${c.account}:role/missing`,
      Schedule: { Expression: "rate(5 minutes)" },
      RuntimeVersion: RUNTIME,
    }),
  );
  await waitForState(c, "no-role", "ERROR");
  const status = (await c.syn.send(new GetCanaryCommand({ Name: "no-role" }))).Canary!.Status!;
  assert.equal(status.StateReasonCode, "CREATE_FAILED");
  assert.equal(status.StateReason, "The role defined for the function cannot be assumed by Lambda.");
});

test("runtimes: DescribeRuntimeVersions lists current and deprecated ones; CreateCanary refuses deprecated and unknown runtimes", async () => {
  const c = clients(server);
  const { RuntimeVersions } = await c.syn.send(new DescribeRuntimeVersionsCommand({}));
  const byName = new Map(RuntimeVersions!.map((r) => [r.VersionName, r]));
  assert.ok(byName.get("syn-nodejs-puppeteer-15.0")?.ReleaseDate);
  assert.equal(byName.get("syn-nodejs-puppeteer-15.0")?.DeprecationDate, undefined);
  assert.ok(byName.get("syn-nodejs-playwright-5.1"));
  assert.ok(byName.get("syn-python-selenium-14.0"));
  assert.equal(byName.get("syn-nodejs-puppeteer-6.2")?.DeprecationDate?.toISOString(), "2026-01-22T00:00:00.000Z");
  const base = {
    Code: { ZipFile: nodeZip("index", "exports.handler = async () => {};"), Handler: "index.handler" },
    ArtifactS3Location: "s3://b",
    ExecutionRoleArn: `arn:aws:iam::${c.account}:role/r`,
    Schedule: { Expression: "rate(5 minutes)" },
  };
  for (const [RuntimeVersion, message] of [
    ["syn-nodejs-puppeteer-6.2", /deprecated/],
    ["syn-nodejs-2.0-nope", /Invalid runtime version/],
  ] as const)
    await assert.rejects(
      c.syn.send(new CreateCanaryCommand({ ...base, Name: "old", RuntimeVersion })),
      (e: Error & { $metadata: { httpStatusCode: number } }) => {
        assert.equal(e.name, "ValidationException");
        assert.equal(e.$metadata.httpStatusCode, 400);
        assert.match(e.message, message);
        return true;
      },
    );
  await assert.rejects(
    c.syn.send(new CreateCanaryCommand({ ...base, Name: "bad-schedule", RuntimeVersion: RUNTIME, Schedule: { Expression: "rate(2 days)" } })),
    {
      name: "ValidationException",
    },
  );
});
