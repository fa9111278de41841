// AWS::Scheduler::ScheduleGroup and AWS::Scheduler::Schedule through CloudFormation, from a template the CDK
// synthesizes (aws-cdk-lib's CfnScheduleGroup and CfnSchedule, in-process): the group with its tags and a schedule in
// it delivering to an SQS queue deploy, then the stack's deletion removes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import { GetScheduleCommand, GetScheduleGroupCommand, ListTagsForResourceCommand } from "@aws-sdk/client-scheduler";
import { App, CfnOutput, DefaultStackSynthesizer, Stack } from "aws-cdk-lib";
import { CfnSchedule, CfnScheduleGroup } from "aws-cdk-lib/aws-scheduler";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { rejects } from "../../helpers/errors.js";
import { ManualClock } from "../../../src/core/clock.js";
import { useServer } from "../../helpers/server.js";
import { atExpr, clients, receive } from "./setup.js";

// A ManualClock: the schedule's instant does not race the deployment on a busy machine.
const clock = new ManualClock(Date.UTC(2027, 5, 1, 0, 0, 0));
const server = useServer({ clock });

function synth(account: string, at: number): string {
  const app = new App({ analyticsReporting: false });
  const stack = new Stack(app, "Sched", { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const queue = new Queue(stack, "Queue");
  const group = new CfnScheduleGroup(stack, "Group", { name: "cdk-group", tags: [{ key: "team", value: "a" }] });
  const schedule = new CfnSchedule(stack, "Schedule", {
    groupName: group.ref,
    scheduleExpression: atExpr(at),
    flexibleTimeWindow: { mode: "OFF" },
    target: { arn: queue.queueArn, roleArn: `arn:aws:iam::${account}:role/scheduler`, input: "from cfn" },
  });
  new CfnOutput(stack, "QueueUrl", { value: queue.queueUrl });
  new CfnOutput(stack, "ScheduleArn", { value: schedule.attrArn });
  new CfnOutput(stack, "ScheduleName", { value: schedule.ref });
  new CfnOutput(stack, "GroupArn", { value: group.attrArn });
  return JSON.stringify(app.synth().getStackByName("Sched").template);
}

test("the CDK's CfnScheduleGroup and CfnSchedule deploy, fire on time, and go with the stack", async () => {
  const c = clients(server);
  const cfn = server.client(CloudFormationClient, { account: c.account });
  const at = clock.now() + 60_000;
  await cfn.send(new CreateStackCommand({ StackName: "sched", TemplateBody: synth(c.account, at) }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "sched" });
  const out = Object.fromEntries(
    ((await cfn.send(new DescribeStacksCommand({ StackName: "sched" }))).Stacks![0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
  );
  assert.equal(out.GroupArn, `arn:aws:scheduler:us-east-1:${c.account}:schedule-group/cdk-group`);
  assert.match(out.ScheduleArn!, new RegExp(`^arn:aws:scheduler:us-east-1:${c.account}:schedule/cdk-group/sched-Schedule-`));
  const s = await c.sch.send(new GetScheduleCommand({ Name: out.ScheduleName, GroupName: "cdk-group" }));
  assert.equal(s.Target?.Input, "from cfn");
  const tags = (await c.sch.send(new ListTagsForResourceCommand({ ResourceArn: out.GroupArn }))).Tags ?? [];
  assert.deepEqual(
    tags.filter((t) => !t.Key?.startsWith("aws:")),
    [{ Key: "team", Value: "a" }],
  );
  clock.advance(60_000);
  assert.equal((await receive(c, out.QueueUrl!, 1, false, 0))[0].Body, "from cfn");

  await cfn.send(new DeleteStackCommand({ StackName: "sched" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "sched" });
  await rejects(c.sch.send(new GetScheduleCommand({ Name: out.ScheduleName, GroupName: "cdk-group" })), "ResourceNotFoundException", 404);
  clock.advance(1_000); // the group is DELETING for a second, then gone
  await rejects(c.sch.send(new GetScheduleGroupCommand({ Name: "cdk-group" })), "ResourceNotFoundException", 404);
});
