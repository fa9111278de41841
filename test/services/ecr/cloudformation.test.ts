// AWS::ECR::Repository through CloudFormation (create with every property the CDK bootstrap template uses, an in-place
// update, delete) and Cloud Control; and the repositories surviving a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DetectStackDriftCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CloudControlClient, GetResourceCommand, ListResourcesCommand } from "@aws-sdk/client-cloudcontrol";
import { randomAccount, startTestServer, useServer } from "../../helpers/server.js";
import { ecrCall } from "./helpers.js";

const server = useServer();

const LIFECYCLE = JSON.stringify({
  rules: [
    {
      rulePriority: 1,
      description: "old untagged",
      selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 365 },
      action: { type: "expire" },
    },
  ],
});
const POLICY = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "LambdaPull", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] },
  ],
};

async function detect(cfn: CloudFormationClient, stack: string) {
  const { StackDriftDetectionId } = await cfn.send(new DetectStackDriftCommand({ StackName: stack }));
  for (;;) {
    const st = await cfn.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    if (st.DetectionStatus !== "DETECTION_IN_PROGRESS") return st;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const template = (named: Record<string, unknown>) =>
  JSON.stringify({
    Resources: {
      Named: { Type: "AWS::ECR::Repository", Properties: named },
      Unnamed: { Type: "AWS::ECR::Repository" },
    },
    Outputs: {
      Ref: { Value: { Ref: "Named" } },
      Arn: { Value: { "Fn::GetAtt": ["Named", "Arn"] } },
      Uri: { Value: { "Fn::GetAtt": ["Named", "RepositoryUri"] } },
      UnnamedRef: { Value: { Ref: "Unnamed" } },
    },
  });

test("a stack's repositories: every bootstrap property, Ref and GetAtt, an in-place update, Cloud Control, delete", async () => {
  const account = randomAccount();
  const cfn = new CloudFormationClient(server.clientConfig({ account }));
  const waiter = { client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 };
  const ecr = (op: string, body: unknown) => ecrCall(server, account, op, body);
  const props = {
    RepositoryName: "cdk-assets",
    ImageTagMutability: "IMMUTABLE",
    LifecyclePolicy: { LifecyclePolicyText: LIFECYCLE },
    RepositoryPolicyText: POLICY,
    ImageScanningConfiguration: { ScanOnPush: true },
    EncryptionConfiguration: { EncryptionType: "AES256" },
    Tags: [{ Key: "team", Value: "infra" }],
    EmptyOnDelete: true,
  };
  await cfn.send(new CreateStackCommand({ StackName: "repos", TemplateBody: template(props) }));
  await waitUntilStackCreateComplete(waiter, { StackName: "repos" });
  const outputs = async () =>
    Object.fromEntries(((await cfn.send(new DescribeStacksCommand({ StackName: "repos" }))).Stacks![0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const out = await outputs();
  assert.equal(out.Ref, "cdk-assets");
  assert.equal(out.Arn, `arn:aws:ecr:us-east-1:${account}:repository/cdk-assets`);
  assert.equal(out.Uri, `${account}.dkr.ecr.us-east-1.amazonaws.com/cdk-assets`);
  assert.match(out.UnnamedRef!, /^repos-unnamed-[a-z0-9]{12}$/);

  const repo = (await ecr("DescribeRepositories", { repositoryNames: ["cdk-assets"] })).body.repositories[0];
  assert.equal(repo.imageTagMutability, "IMMUTABLE");
  assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
  assert.deepEqual(repo.encryptionConfiguration, { encryptionType: "AES256" });
  assert.deepEqual(JSON.parse((await ecr("GetRepositoryPolicy", { repositoryName: "cdk-assets" })).body.policyText), POLICY);
  assert.equal((await ecr("GetLifecyclePolicy", { repositoryName: "cdk-assets" })).body.lifecyclePolicyText, LIFECYCLE);
  const tags = (await ecr("ListTagsForResource", { resourceArn: out.Arn })).body.tags as { Key: string; Value: string }[];
  assert.deepEqual(
    tags.filter((t) => !t.Key.startsWith("aws:")),
    [{ Key: "team", Value: "infra" }],
  );

  // Drift detection reads each repository back through ECR: in sync; a change through ECR's own API is drift.
  const firstDetect = await detect(cfn, "repos");
  const d0 = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: "repos" }))).StackResourceDrifts!;
  assert.equal(
    firstDetect.StackDriftStatus,
    "IN_SYNC",
    JSON.stringify(d0.map((d) => [d.LogicalResourceId, d.StackResourceDriftStatus, d.PropertyDifferences])),
  );
  await ecr("PutImageScanningConfiguration", { repositoryName: "cdk-assets", imageScanningConfiguration: { scanOnPush: false } });
  assert.equal((await detect(cfn, "repos")).StackDriftStatus, "DRIFTED");
  const drifts = (await cfn.send(new DescribeStackResourceDriftsCommand({ StackName: "repos", StackResourceDriftStatusFilters: ["MODIFIED"] })))
    .StackResourceDrifts!;
  assert.deepEqual(
    drifts.map((d) => [d.LogicalResourceId, d.PropertyDifferences!.map((p) => p.PropertyPath)]),
    [["Named", ["/ImageScanningConfiguration/ScanOnPush"]]],
  );

  // Cloud Control reads and lists through the same provider.
  const cc = new CloudControlClient(server.clientConfig({ account }));
  const got = await cc.send(new GetResourceCommand({ TypeName: "AWS::ECR::Repository", Identifier: "cdk-assets" }));
  const model = JSON.parse(got.ResourceDescription!.Properties!);
  assert.equal(model.RepositoryUri, out.Uri);
  assert.equal(model.ImageTagMutability, "IMMUTABLE");
  assert.deepEqual(model.LifecyclePolicy.LifecyclePolicyText, LIFECYCLE);
  const listed = await cc.send(new ListResourcesCommand({ TypeName: "AWS::ECR::Repository" }));
  assert.deepEqual(listed.ResourceDescriptions!.map((d) => d.Identifier).sort(), ["cdk-assets", out.UnnamedRef].sort());

  // In place: mutability, scanning, tags and the lifecycle policy change; the repository stays.
  const { LifecyclePolicy: _gone, ...rest } = props;
  await cfn.send(
    new UpdateStackCommand({
      StackName: "repos",
      TemplateBody: template({
        ...rest,
        ImageTagMutability: "MUTABLE",
        ImageScanningConfiguration: { ScanOnPush: false },
        Tags: [{ Key: "owner", Value: "me" }],
      }),
    }),
  );
  await waitUntilStackUpdateComplete(waiter, { StackName: "repos" });
  const updated = (await ecr("DescribeRepositories", { repositoryNames: ["cdk-assets"] })).body.repositories[0];
  assert.equal(updated.createdAt, repo.createdAt);
  assert.equal(updated.imageTagMutability, "MUTABLE");
  assert.deepEqual(updated.imageScanningConfiguration, { scanOnPush: false });
  assert.equal((await ecr("GetLifecyclePolicy", { repositoryName: "cdk-assets" })).body.__type, "LifecyclePolicyNotFoundException");
  const tagsAfter = (await ecr("ListTagsForResource", { resourceArn: out.Arn })).body.tags as { Key: string }[];
  assert.deepEqual(
    tagsAfter.filter((t) => !t.Key.startsWith("aws:")),
    [{ Key: "owner", Value: "me" }],
  );

  await cfn.send(new DeleteStackCommand({ StackName: "repos" }));
  await waitUntilStackDeleteComplete(waiter, { StackName: "repos" });
  assert.deepEqual((await ecr("DescribeRepositories", {})).body.repositories, []);
});

test("a refused repository policy fails the resource with ECR's message, and leaves no repository", async () => {
  const account = randomAccount();
  const cfn = new CloudFormationClient(server.clientConfig({ account }));
  const body = JSON.stringify({
    Resources: {
      Repo: {
        Type: "AWS::ECR::Repository",
        Properties: { RepositoryName: "refused", RepositoryPolicyText: { Statement: [{ Effect: "Allow", Action: "ecr:*" }] } },
      },
    },
  });
  await cfn.send(new CreateStackCommand({ StackName: "bad", TemplateBody: body }));
  await assert.rejects(waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StackName: "bad" }));
  const stack = (await cfn.send(new DescribeStacksCommand({ StackName: "bad" }))).Stacks![0];
  assert.equal(stack.StackStatus, "ROLLBACK_COMPLETE");
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "bad" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "Repo" && e.ResourceStatus === "CREATE_FAILED");
  assert.match(failed!.ResourceStatusReason!, /Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'/);
  assert.deepEqual((await ecrCall(server, account, "DescribeRepositories", {})).body.repositories, []);
});

test("repositories, their settings, policies and tags survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-ecr-"));
  const account = randomAccount();
  try {
    let s = await startTestServer({ dataDir });
    await ecrCall(s, account, "CreateRepository", { repositoryName: "keep", imageTagMutability: "IMMUTABLE", tags: [{ Key: "k", Value: "v" }] });
    await ecrCall(s, account, "SetRepositoryPolicy", { repositoryName: "keep", policyText: JSON.stringify(POLICY) });
    await ecrCall(s, account, "PutLifecyclePolicy", { repositoryName: "keep", lifecyclePolicyText: LIFECYCLE });
    const before = (await ecrCall(s, account, "DescribeRepositories", {})).body.repositories;
    await s.close();

    s = await startTestServer({ dataDir });
    assert.deepEqual((await ecrCall(s, account, "DescribeRepositories", {})).body.repositories, before);
    assert.equal((await ecrCall(s, account, "GetRepositoryPolicy", { repositoryName: "keep" })).body.policyText, JSON.stringify(POLICY));
    assert.equal((await ecrCall(s, account, "GetLifecyclePolicy", { repositoryName: "keep" })).body.lifecyclePolicyText, LIFECYCLE);
    assert.deepEqual((await ecrCall(s, account, "ListTagsForResource", { resourceArn: before[0].repositoryArn })).body.tags, [{ Key: "k", Value: "v" }]);
    await s.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
