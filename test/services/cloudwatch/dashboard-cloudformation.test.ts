// AWS::CloudWatch::Dashboard through CloudFormation: created (Ref its name, the body from the template, an Fn::Sub in
// it resolved), in sync under drift detection, its body changed in place by an update, deleted with the stack.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudWatchClient, GetDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const body = (title: string) => ({
  "Fn::Sub": JSON.stringify({
    widgets: [
      {
        type: "metric",
        x: 0,
        y: 0,
        width: 12,
        height: 6,
        properties: { title, region: "${AWS::Region}", metrics: [["AWS/Lambda", "Errors"]], stat: "Sum", period: 300 },
      },
    ],
  }),
});
const template = (title: string) =>
  JSON.stringify({
    Resources: { Board: { Type: "AWS::CloudWatch::Dashboard", Properties: { DashboardBody: body(title) } } },
    Outputs: { Name: { Value: { Ref: "Board" } } },
  });

test("AWS::CloudWatch::Dashboard: created with its Ref the name, in sync, updated in place, deleted with the stack", async () => {
  const c = server.clientConfig({ account: randomAccount() });
  const cfn = new CloudFormationClient(c);
  const cw = new CloudWatchClient(c);
  const wait = { client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 };
  await cfn.send(new CreateStackCommand({ StackName: "boards", TemplateBody: template("Errors") }));
  await waitUntilStackCreateComplete(wait, { StackName: "boards" });
  const name = (await cfn.send(new DescribeStacksCommand({ StackName: "boards" }))).Stacks![0].Outputs![0].OutputValue!;
  assert.match(name, /^boards-Board-[A-Z0-9]{12}$/);
  const d = await cw.send(new GetDashboardCommand({ DashboardName: name }));
  const widget = JSON.parse(d.DashboardBody!).widgets[0];
  assert.equal(widget.properties.title, "Errors");
  assert.equal(widget.properties.region, "us-east-1");
  assert.equal(d.DashboardArn, `arn:aws:cloudwatch::${c.credentials.accessKeyId}:dashboard/${name}`);

  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: "boards" }));
  let status = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
  for (let i = 0; i < 100 && status.DetectionStatus === "DETECTION_IN_PROGRESS"; i++) {
    await new Promise((r) => setTimeout(r, 20));
    status = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
  }
  assert.equal(status.StackDriftStatus, "IN_SYNC");

  await cfn.send(new UpdateStackCommand({ StackName: "boards", TemplateBody: template("Errors by function") }));
  await waitUntilStackUpdateComplete(wait, { StackName: "boards" });
  const updated = await cw.send(new GetDashboardCommand({ DashboardName: name }));
  assert.equal(JSON.parse(updated.DashboardBody!).widgets[0].properties.title, "Errors by function");

  await cfn.send(new DeleteStackCommand({ StackName: "boards" }));
  await waitUntilStackDeleteComplete(wait, { StackName: "boards" });
  await rejects(cw.send(new GetDashboardCommand({ DashboardName: name })), "ResourceNotFound", 404);
});
