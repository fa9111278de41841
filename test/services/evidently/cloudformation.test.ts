// AWS::Evidently::Project, Feature, Segment, Launch and Experiment from one template through CloudFormation: created
// (the launch started by its ExecutionStatus, so evaluation serves it), updated (a feature's default variation, the
// launch stopped), and deleted with the stack.
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
import {
  EvaluateFeatureCommand,
  GetExperimentCommand,
  GetFeatureCommand,
  GetLaunchCommand,
  ListProjectsCommand,
  ListSegmentsCommand,
} from "@aws-sdk/client-evidently";
import { randomAccount, useServer } from "../../helpers/server.js";
import { evidently } from "./setup.js";

const server = useServer();

function template(defaultVariation: string, launchStatus: "START" | "STOP") {
  return JSON.stringify({
    Resources: {
      Project: { Type: "AWS::Evidently::Project", Properties: { Name: "cfn-proj", Description: "from a template", Tags: [{ Key: "k", Value: "v" }] } },
      Feature: {
        Type: "AWS::Evidently::Feature",
        Properties: {
          Project: { Ref: "Project" },
          Name: "banner",
          Variations: [
            { VariationName: "off", BooleanValue: false },
            { VariationName: "on", BooleanValue: true },
          ],
          DefaultVariation: defaultVariation,
          EntityOverrides: [{ EntityId: "tester", Variation: "on" }],
        },
      },
      Segment: { Type: "AWS::Evidently::Segment", Properties: { Name: "cfn-seg", Pattern: JSON.stringify({ country: ["FR"] }) } },
      Launch: {
        Type: "AWS::Evidently::Launch",
        DependsOn: ["Feature", "Segment"],
        Properties: {
          Project: { Ref: "Project" },
          Name: "roll",
          Groups: [{ GroupName: "g-on", Feature: "banner", Variation: "on" }],
          ScheduledSplitsConfig: [
            {
              StartTime: "2020-01-01T00:00:00Z",
              GroupWeights: [{ GroupName: "g-on", SplitWeight: 0 }],
              SegmentOverrides: [{ Segment: { Ref: "Segment" }, EvaluationOrder: 1, Weights: [{ GroupName: "g-on", SplitWeight: 100000 }] }],
            },
          ],
          ExecutionStatus: { Status: launchStatus },
        },
      },
      Experiment: {
        Type: "AWS::Evidently::Experiment",
        DependsOn: "Feature",
        Properties: {
          Project: { Ref: "Project" },
          Name: "exp",
          Treatments: [
            { TreatmentName: "a", Feature: "banner", Variation: "off" },
            { TreatmentName: "b", Feature: "banner", Variation: "on" },
          ],
          MetricGoals: [{ MetricName: "m", EntityIdKey: "$.u", ValueKey: "$.v", DesiredChange: "INCREASE" }],
          OnlineAbConfig: {
            ControlTreatmentName: "a",
            TreatmentWeights: [
              { Treatment: "a", SplitWeight: 60000 },
              { Treatment: "b", SplitWeight: 40000 },
            ],
          },
          SamplingRate: 5000,
        },
      },
    },
    Outputs: { ProjectArn: { Value: { "Fn::GetAtt": ["Project", "Arn"] } }, FeatureArn: { Value: { Ref: "Feature" } } },
  });
}

test("Evidently's five resource types deploy, update and delete with a stack", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  const ev = evidently(server, account);
  await cfn.send(new CreateStackCommand({ StackName: "ev", TemplateBody: template("off", "START") }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "ev" });
  const out = Object.fromEntries(
    ((await cfn.send(new DescribeStacksCommand({ StackName: "ev" }))).Stacks![0]!.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
  );
  assert.equal(out.ProjectArn, `arn:aws:evidently:us-east-1:${account}:project/cfn-proj`);
  assert.equal(out.FeatureArn, `arn:aws:evidently:us-east-1:${account}:project/cfn-proj/feature/banner`);
  assert.equal((await ev.send(new GetLaunchCommand({ project: "cfn-proj", launch: "roll" }))).launch!.status, "RUNNING");
  const exp = (await ev.send(new GetExperimentCommand({ project: "cfn-proj", experiment: "exp" }))).experiment!;
  assert.deepEqual(exp.onlineAbDefinition, { controlTreatmentName: "a", treatmentWeights: { a: 60000, b: 40000 } });
  const fr = await ev.send(new EvaluateFeatureCommand({ project: "cfn-proj", feature: "banner", entityId: "u1", evaluationContext: '{"country":"FR"}' }));
  assert.deepEqual([fr.reason, fr.value?.boolValue], ["LAUNCH_RULE_MATCH", true]);
  assert.equal((await ev.send(new EvaluateFeatureCommand({ project: "cfn-proj", feature: "banner", entityId: "tester" }))).reason, "ENTITY_OVERRIDES_MATCH");

  await cfn.send(new UpdateStackCommand({ StackName: "ev", TemplateBody: template("on", "STOP") }));
  await waitUntilStackUpdateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "ev" });
  assert.equal((await ev.send(new GetFeatureCommand({ project: "cfn-proj", feature: "banner" }))).feature!.defaultVariation, "on");
  assert.equal((await ev.send(new GetLaunchCommand({ project: "cfn-proj", launch: "roll" }))).launch!.status, "COMPLETED");

  await cfn.send(new DeleteStackCommand({ StackName: "ev" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "ev" });
  assert.deepEqual((await ev.send(new ListProjectsCommand({}))).projects, []);
  assert.deepEqual((await ev.send(new ListSegmentsCommand({}))).segments, []);
});
