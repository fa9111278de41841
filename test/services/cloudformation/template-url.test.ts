// TemplateURL: the template read from Stratus's own S3, as the caller, for every URL form the AWS CLI and the CDK
// write (path-style and virtual-hosted, regional and legacy, Stratus's endpoint), URL-encoded keys and versionId;
// AWS's errors for a missing object or bucket, a URL that is not S3, and templates over the size limits.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  GetTemplateSummaryCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateBucketCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let s3: S3Client;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });

const template = (description: string) =>
  JSON.stringify({
    Description: description,
    Parameters: { Value: { Type: "String", Default: "d" } },
    Resources: { Q: { Type: "AWS::SQS::Queue" } },
    Outputs: { Name: { Value: { "Fn::GetAtt": ["Q", "QueueName"] } } },
  });

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  s3 = new S3Client({ ...c, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "tpl-bucket" }));
  await s3.send(new PutObjectCommand({ Bucket: "tpl-bucket", Key: "dir/my template+1.json", Body: template("encoded key") }));
  await s3.send(new PutObjectCommand({ Bucket: "tpl-bucket", Key: "t.json", Body: template("plain") }));
});
after(() => s.close());

test("every S3 URL form reads the same object; keys are URL-decoded", async () => {
  const port = new URL(s.url).port;
  const urls = [
    "https://s3.amazonaws.com/tpl-bucket/t.json",
    "https://s3.us-east-1.amazonaws.com/tpl-bucket/t.json",
    "https://s3-us-east-1.amazonaws.com/tpl-bucket/t.json",
    "https://tpl-bucket.s3.amazonaws.com/t.json",
    "https://tpl-bucket.s3.us-east-1.amazonaws.com/t.json",
    `http://localhost:${port}/tpl-bucket/t.json`,
    `http://127.0.0.1:${port}/tpl-bucket/t.json`,
    `http://tpl-bucket.s3.localhost.localstack.cloud:${port}/t.json`,
    `http://s3.localhost.localstack.cloud:${port}/tpl-bucket/t.json`,
  ];
  for (const TemplateURL of urls) {
    const out = await cfn.send(new ValidateTemplateCommand({ TemplateURL }));
    assert.equal(out.Description, "plain", TemplateURL);
  }
  const encoded = await cfn.send(new GetTemplateSummaryCommand({ TemplateURL: "https://tpl-bucket.s3.amazonaws.com/dir/my%20template%2B1.json" }));
  assert.equal(encoded.Description, "encoded key");
  assert.deepEqual(encoded.ResourceTypes, ["AWS::SQS::Queue"]);
});

test("CreateStack and UpdateStack from a TemplateURL; a versionId picks the object's version", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "tpl-versions" }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: "tpl-versions", VersioningConfiguration: { Status: "Enabled" } }));
  const v1 = await s3.send(new PutObjectCommand({ Bucket: "tpl-versions", Key: "stack.json", Body: template("version one") }));
  await s3.send(new PutObjectCommand({ Bucket: "tpl-versions", Key: "stack.json", Body: template("version two") }));

  await cfn.send(
    new CreateStackCommand({
      StackName: "from-url",
      TemplateURL: `https://s3.amazonaws.com/tpl-versions/stack.json?versionId=${encodeURIComponent(v1.VersionId!)}`,
    }),
  );
  await waitUntilStackCreateComplete(waiter(), { StackName: "from-url" });
  let [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "from-url" }))).Stacks!;
  assert.equal(stack.StackStatus, "CREATE_COMPLETE");
  assert.equal(stack.Description, "version one");
  assert.match(stack.Outputs![0].OutputValue!, /^from-url-Q-/);
  // The template as read is what GetTemplate gives back.
  assert.equal((await cfn.send(new GetTemplateCommand({ StackName: "from-url" }))).TemplateBody, template("version one"));

  await cfn.send(new UpdateStackCommand({ StackName: "from-url", TemplateURL: "https://tpl-versions.s3.us-east-1.amazonaws.com/stack.json" }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "from-url" });
  [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "from-url" }))).Stacks!;
  assert.equal(stack.Description, "version two");
});

test("AWS's errors: a missing key or bucket, a URL that is not S3, templates over the limits", async () => {
  const rejects = (input: { TemplateURL?: string; TemplateBody?: string }, message: RegExp) =>
    assert.rejects(cfn.send(new ValidateTemplateCommand(input)), (e: Error & { name: string; $metadata: { httpStatusCode?: number } }) => {
      assert.equal(e.name, "ValidationError");
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.match(e.message, message);
      return true;
    });
  await rejects({ TemplateURL: "https://s3.amazonaws.com/tpl-bucket/missing.json" }, /^S3 error: The specified key does not exist\.\n/);
  await rejects({ TemplateURL: "https://no-such-tpl-bucket.s3.amazonaws.com/t.json" }, /^S3 error: The specified bucket does not exist\n/);
  await rejects({ TemplateURL: "https://raw.githubusercontent.com/a/b/main/t.json" }, /^TemplateURL must be a supported URL\.$/);
  await rejects({ TemplateURL: "s3://tpl-bucket/t.json" }, /^TemplateURL must be a supported URL\.$/);
  await rejects({ TemplateURL: "https://s3.amazonaws.com/tpl-bucket" }, /^TemplateURL must be a supported URL\.$/);

  const padded = (size: number) => {
    const base = template("big");
    const body = `${base.slice(0, -1)},"Metadata":{"Pad":"${"x".repeat(size - base.length - 22)}"}}`;
    assert.equal(body.length, size);
    return body;
  };
  await rejects({ TemplateBody: padded(51_201) }, /at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200$/);
  // Up to 51,200 bytes in the request and up to 1 MB from S3 are fine.
  await cfn.send(new ValidateTemplateCommand({ TemplateBody: padded(51_200) }));
  await s3.send(new PutObjectCommand({ Bucket: "tpl-bucket", Key: "big.json", Body: padded(1_048_576) }));
  await cfn.send(new ValidateTemplateCommand({ TemplateURL: "https://s3.amazonaws.com/tpl-bucket/big.json" }));
  await s3.send(new PutObjectCommand({ Bucket: "tpl-bucket", Key: "bigger.json", Body: padded(1_048_577) }));
  await rejects({ TemplateURL: "https://s3.amazonaws.com/tpl-bucket/bigger.json" }, /^Template may not exceed 1048576 bytes in size\.$/);
});
