// AWS::Events::EventBus and AWS::Events::Rule through CloudFormation, from a template the CDK synthesizes
// (aws-cdk-lib in-process): `new events.Rule(...)` with an SQS target (and the queue policy the CDK adds) on a custom
// bus deploys and delivers; an update changes the pattern and the targets; the stack's deletion removes both.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { DescribeArchiveCommand, DescribeEventBusCommand, DescribeRuleCommand, ListTargetsByRuleCommand, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { App, CfnOutput, DefaultStackSynthesizer, Duration, Stack } from "aws-cdk-lib";
import { Archive, CfnEventBusPolicy, EventBus, Rule, RuleTargetInput, EventField } from "aws-cdk-lib/aws-events";
import { SqsQueue } from "aws-cdk-lib/aws-events-targets";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { useServer } from "../../helpers/server.js";
import { clients, receive } from "./setup.js";

const server = useServer();

function synth(source: string, transformed: boolean): string {
  const app = new App({ analyticsReporting: false });
  const stack = new Stack(app, "Events", { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const bus = new EventBus(stack, "Bus", { eventBusName: "cdk-bus" });
  const queue = new Queue(stack, "Queue");
  const rule = new Rule(stack, "Rule", { eventBus: bus, eventPattern: { source: [source] } });
  rule.addTarget(new SqsQueue(queue, transformed ? { message: RuleTargetInput.fromObject({ got: EventField.fromPath("$.detail.n") }) } : {}));
  new CfnOutput(stack, "QueueUrl", { value: queue.queueUrl });
  new CfnOutput(stack, "RuleArn", { value: rule.ruleArn });
  new CfnOutput(stack, "RuleName", { value: rule.ruleName });
  new CfnOutput(stack, "BusArn", { value: bus.eventBusArn });
  return JSON.stringify(app.synth().getStackByName("Events").template);
}

test("the CDK's events.Rule with an SQS target on its own bus deploys and delivers; updated; deleted with the stack", async () => {
  const c = clients(server);
  const cfn = server.client(CloudFormationClient, { account: c.account });
  await cfn.send(new CreateStackCommand({ StackName: "events", TemplateBody: synth("cdk.app", false) }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "events" });
  const outputs = async () =>
    Object.fromEntries(
      ((await cfn.send(new DescribeStacksCommand({ StackName: "events" }))).Stacks![0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
    );
  const out = await outputs();
  assert.equal(out.BusArn, `arn:aws:events:us-east-1:${c.account}:event-bus/cdk-bus`);
  assert.match(out.RuleArn!, new RegExp(`^arn:aws:events:us-east-1:${c.account}:rule/cdk-bus/events-Rule`));
  // Ref of a rule on another bus is `<bus>|<rule>`.
  assert.match(out.RuleName!, /^cdk-bus\|events-Rule/);
  const ruleName = out.RuleName!.split("|")[1];
  assert.equal((await c.eb.send(new DescribeRuleCommand({ Name: ruleName, EventBusName: "cdk-bus" }))).EventPattern, '{"source":["cdk.app"]}');

  await c.eb.send(new PutEventsCommand({ Entries: [{ EventBusName: "cdk-bus", Source: "cdk.app", DetailType: "t", Detail: '{"n":1}' }] }));
  assert.deepEqual(JSON.parse((await receive(c, out.QueueUrl!))[0].Body!).detail, { n: 1 });

  await cfn.send(new UpdateStackCommand({ StackName: "events", TemplateBody: synth("cdk.other", true) }));
  await waitUntilStackUpdateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "events" });
  const targets = (await c.eb.send(new ListTargetsByRuleCommand({ Rule: ruleName, EventBusName: "cdk-bus" }))).Targets!;
  assert.equal(targets.length, 1);
  assert.ok(targets[0].InputTransformer);
  await c.eb.send(new PutEventsCommand({ Entries: [{ EventBusName: "cdk-bus", Source: "cdk.other", DetailType: "t", Detail: '{"n":2}' }] }));
  assert.deepEqual(JSON.parse((await receive(c, out.QueueUrl!))[0].Body!), { got: 2 });

  await cfn.send(new DeleteStackCommand({ StackName: "events" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "events" });
  await assert.rejects(c.eb.send(new DescribeEventBusCommand({ Name: "cdk-bus" })), { name: "ResourceNotFoundException" });
  await assert.rejects(c.eb.send(new DescribeRuleCommand({ Name: ruleName, EventBusName: "cdk-bus" })), { name: "ResourceNotFoundException" });
});

test("the CDK's events.Archive and a CfnEventBusPolicy deploy onto their bus; deleted with the stack", async () => {
  const c = clients(server);
  const cfn = server.client(CloudFormationClient, { account: c.account });
  const app = new App({ analyticsReporting: false });
  const stack = new Stack(app, "Archived", { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const bus = new EventBus(stack, "Bus", { eventBusName: "archived-bus" });
  const archive = new Archive(stack, "Archive", {
    sourceEventBus: bus,
    archiveName: "cdk-archive",
    eventPattern: { source: ["cdk.app"] },
    retention: Duration.days(3),
  });
  new CfnEventBusPolicy(stack, "Policy", { eventBusName: bus.eventBusName, statementId: "partner", action: "events:PutEvents", principal: "111122223333" });
  new CfnOutput(stack, "ArchiveArn", { value: archive.archiveArn });
  const template = JSON.stringify(app.synth().getStackByName("Archived").template);
  await cfn.send(new CreateStackCommand({ StackName: "archived", TemplateBody: template }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "archived" });
  const out = (await cfn.send(new DescribeStacksCommand({ StackName: "archived" }))).Stacks![0].Outputs ?? [];
  assert.equal(out.find((o) => o.OutputKey === "ArchiveArn")?.OutputValue, `arn:aws:events:us-east-1:${c.account}:archive/cdk-archive`);
  const a = await c.eb.send(new DescribeArchiveCommand({ ArchiveName: "cdk-archive" }));
  assert.deepEqual([a.State, a.RetentionDays, a.EventPattern], ["ENABLED", 3, '{"source":["cdk.app"]}']);
  const policy = JSON.parse((await c.eb.send(new DescribeEventBusCommand({ Name: "archived-bus" }))).Policy!);
  assert.deepEqual(policy.Statement[0].Principal, { AWS: "arn:aws:iam::111122223333:root" });
  await c.eb.send(new PutEventsCommand({ Entries: [{ EventBusName: "archived-bus", Source: "cdk.app", DetailType: "t", Detail: "{}" }] }));
  assert.equal((await c.eb.send(new DescribeArchiveCommand({ ArchiveName: "cdk-archive" }))).EventCount, 1);

  await cfn.send(new DeleteStackCommand({ StackName: "archived" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "archived" });
  await assert.rejects(c.eb.send(new DescribeArchiveCommand({ ArchiveName: "cdk-archive" })), { name: "ResourceNotFoundException" });
  await assert.rejects(c.eb.send(new DescribeEventBusCommand({ Name: "archived-bus" })), { name: "ResourceNotFoundException" });
});
