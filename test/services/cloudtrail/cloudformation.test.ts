// AWS::CloudTrail::Trail through CloudFormation, from a template the CDK synthesizes (aws-cdk-lib in-process): the
// CDK's cloudtrail.Trail makes its own bucket and bucket policy, an S3 data event selector and Insights; it deploys,
// logs, and goes with the stack.
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
import { CloudTrailClient, GetEventSelectorsCommand, GetInsightSelectorsCommand, GetTrailCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { App, CfnOutput, DefaultStackSynthesizer, Stack } from "aws-cdk-lib";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { InsightType, ReadWriteType, Trail } from "aws-cdk-lib/aws-cloudtrail";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

function synth(): string {
  const app = new App({ analyticsReporting: false });
  const stack = new Stack(app, "Audit", { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const trail = new Trail(stack, "Trail", { insightTypes: [InsightType.API_CALL_RATE] });
  trail.addS3EventSelector([{ bucket: Bucket.fromBucketName(stack, "Watched", "watched"), objectPrefix: "in/" }], {
    readWriteType: ReadWriteType.WRITE_ONLY,
  });
  new CfnOutput(stack, "TrailArn", { value: trail.trailArn });
  new CfnOutput(stack, "Bucket", { value: (trail.node.findChild("S3") as Bucket).bucketName });
  return JSON.stringify(app.synth().getStackByName("Audit").template);
}

test("the CDK's cloudtrail.Trail (its own bucket and policy, an S3 data selector, Insights) deploys, logs, and is deleted with the stack", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  const ct = server.client(CloudTrailClient, { account });
  await cfn.send(new CreateStackCommand({ StackName: "audit", TemplateBody: synth() }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "audit" });
  const outputs = Object.fromEntries(
    ((await cfn.send(new DescribeStacksCommand({ StackName: "audit" }))).Stacks![0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
  );
  const arn = outputs.TrailArn!;
  assert.match(arn, new RegExp(`^arn:aws:cloudtrail:us-east-1:${account}:trail/audit-Trail`));
  const { Trail: t } = await ct.send(new GetTrailCommand({ Name: arn }));
  assert.equal(t?.IsMultiRegionTrail, true);
  assert.equal(t?.LogFileValidationEnabled, true);
  assert.equal(t?.S3BucketName, outputs.Bucket);
  assert.equal((await ct.send(new GetTrailStatusCommand({ Name: arn }))).IsLogging, true);
  const sel = await ct.send(new GetEventSelectorsCommand({ TrailName: arn }));
  assert.deepEqual(sel.EventSelectors?.[0].DataResources, [{ Type: "AWS::S3::Object", Values: ["arn:aws:s3:::watched/in/"] }]);
  assert.equal(sel.EventSelectors?.[0].ReadWriteType, "WriteOnly");
  assert.deepEqual((await ct.send(new GetInsightSelectorsCommand({ TrailName: arn }))).InsightSelectors, [{ InsightType: "ApiCallRateInsight" }]);

  await cfn.send(new DeleteStackCommand({ StackName: "audit" }));
  await waitUntilStackDeleteComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: "audit" });
  await assert.rejects(ct.send(new GetTrailCommand({ Name: arn })), { name: "TrailNotFoundException" });
});
