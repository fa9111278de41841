// X-Ray's account settings: the encryption configuration (NONE, then a KMS key checked through KMS, UPDATING then
// ACTIVE), resource policies with revisions and AWS's errors, telemetry records (accepted, readable nowhere), indexing
// rules and the trace segment destination; SDK v3, the AWS CLI and boto3. On a ManualClock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  DeleteResourcePolicyCommand,
  GetEncryptionConfigCommand,
  GetIndexingRulesCommand,
  GetTraceSegmentDestinationCommand,
  ListResourcePoliciesCommand,
  PutEncryptionConfigCommand,
  PutResourcePolicyCommand,
  PutTelemetryRecordsCommand,
  UpdateIndexingRuleCommand,
  UpdateTraceSegmentDestinationCommand,
  XRayClient,
} from "@aws-sdk/client-xray";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
const server = useServer({ clock });

const policy = (action: string | string[], principal: unknown = { Service: "sns.amazonaws.com" }) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Sid: "S", Effect: "Allow", Principal: principal, Action: action, Resource: "*" }],
  });

test("encryption: NONE by default; a KMS key by alias becomes its ARN, UPDATING then ACTIVE; bad keys refused", async () => {
  const account = randomAccount();
  const xray = server.client(XRayClient, { account });
  assert.deepEqual((await xray.send(new GetEncryptionConfigCommand({}))).EncryptionConfig, { Type: "NONE", Status: "ACTIVE" });
  const put = await xray.send(new PutEncryptionConfigCommand({ Type: "KMS", KeyId: "alias/aws/xray" }));
  assert.equal(put.EncryptionConfig?.Type, "KMS");
  assert.equal(put.EncryptionConfig?.Status, "UPDATING");
  assert.match(put.EncryptionConfig?.KeyId ?? "", new RegExp(`^arn:aws:kms:us-east-1:${account}:key/[0-9a-f-]{36}$`));
  assert.equal((await xray.send(new GetEncryptionConfigCommand({}))).EncryptionConfig?.Status, "UPDATING");
  clock.advance(5000);
  assert.deepEqual((await xray.send(new GetEncryptionConfigCommand({}))).EncryptionConfig, { ...put.EncryptionConfig, Status: "ACTIVE" });

  await rejects(xray.send(new PutEncryptionConfigCommand({ Type: "KMS", KeyId: "alias/none" })), "InvalidRequestException", 400);
  await rejects(xray.send(new PutEncryptionConfigCommand({ Type: "KMS" })), "InvalidRequestException", 400);
  const kms = server.client(KMSClient, { account });
  const rsa = await kms.send(new CreateKeyCommand({ KeySpec: "RSA_2048", KeyUsage: "ENCRYPT_DECRYPT" }));
  await rejects(xray.send(new PutEncryptionConfigCommand({ Type: "KMS", KeyId: rsa.KeyMetadata!.KeyId })), "InvalidRequestException", 400, /symmetric/);
  const back = await xray.send(new PutEncryptionConfigCommand({ Type: "NONE" }));
  assert.deepEqual(back.EncryptionConfig, { Type: "NONE", Status: "UPDATING" });
});

test("resource policies: revisions, create-only with revision 0, errors, limits, delete", async () => {
  const xray = server.client(XRayClient, { account: randomAccount() });
  const p1 = await xray.send(new PutResourcePolicyCommand({ PolicyName: "sns", PolicyDocument: policy("xray:PutTraceSegments") }));
  assert.equal(p1.ResourcePolicy?.PolicyRevisionId, "1");
  assert.equal(p1.ResourcePolicy?.LastUpdatedTime?.getTime(), clock.now());
  await rejects(
    xray.send(new PutResourcePolicyCommand({ PolicyName: "sns", PolicyDocument: policy("xray:PutTraceSegments"), PolicyRevisionId: "0" })),
    "InvalidPolicyRevisionIdException",
    400,
  );
  await rejects(
    xray.send(new PutResourcePolicyCommand({ PolicyName: "sns", PolicyDocument: policy("xray:PutTraceSegments"), PolicyRevisionId: "7" })),
    "InvalidPolicyRevisionIdException",
    400,
  );
  const p2 = await xray.send(
    new PutResourcePolicyCommand({ PolicyName: "sns", PolicyDocument: policy(["xray:PutTraceSegments", "xray:GetSamplingRules"]), PolicyRevisionId: "1" }),
  );
  assert.equal(p2.ResourcePolicy?.PolicyRevisionId, "2");

  await rejects(xray.send(new PutResourcePolicyCommand({ PolicyName: "bad", PolicyDocument: "{not json" })), "MalformedPolicyDocumentException", 400);
  await rejects(
    xray.send(new PutResourcePolicyCommand({ PolicyName: "bad", PolicyDocument: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "xray:*" }] }) })),
    "MalformedPolicyDocumentException",
    400,
  );
  await rejects(
    xray.send(new PutResourcePolicyCommand({ PolicyName: "big", PolicyDocument: policy(Array.from({ length: 300 }, (_, i) => `xray:Action${i}`)) })),
    "PolicySizeLimitExceededException",
    400,
  );
  await rejects(
    xray.send(new PutResourcePolicyCommand({ PolicyName: "lock", PolicyDocument: policy("xray:PutResourcePolicy", { AWS: "*" }) })),
    "LockoutPreventionException",
    400,
  );
  const bypassed = await xray.send(
    new PutResourcePolicyCommand({ PolicyName: "lock", PolicyDocument: policy("xray:PutResourcePolicy", { AWS: "*" }), BypassPolicyLockoutCheck: true }),
  );
  assert.equal(bypassed.ResourcePolicy?.PolicyRevisionId, "1");
  for (const n of ["c", "d", "e"]) await xray.send(new PutResourcePolicyCommand({ PolicyName: n, PolicyDocument: policy("xray:PutTraceSegments") }));
  await rejects(
    xray.send(new PutResourcePolicyCommand({ PolicyName: "f", PolicyDocument: policy("xray:PutTraceSegments") })),
    "PolicyCountLimitExceededException",
    400,
  );
  const listed = await xray.send(new ListResourcePoliciesCommand({}));
  assert.deepEqual(
    listed.ResourcePolicies?.map((p) => [p.PolicyName, p.PolicyRevisionId]),
    [
      ["c", "1"],
      ["d", "1"],
      ["e", "1"],
      ["lock", "1"],
      ["sns", "2"],
    ],
  );
  await rejects(xray.send(new DeleteResourcePolicyCommand({ PolicyName: "sns", PolicyRevisionId: "1" })), "InvalidPolicyRevisionIdException", 400);
  await xray.send(new DeleteResourcePolicyCommand({ PolicyName: "sns", PolicyRevisionId: "2" }));
  await xray.send(new DeleteResourcePolicyCommand({ PolicyName: "never-was" }));
  assert.equal((await xray.send(new ListResourcePoliciesCommand({}))).ResourcePolicies?.length, 4);
});

test("telemetry is accepted and readable nowhere; indexing rules; the segment destination stays X-Ray", async () => {
  const xray = server.client(XRayClient, { account: randomAccount() });
  const r = await xray.send(
    new PutTelemetryRecordsCommand({
      Hostname: "host-1",
      EC2InstanceId: "i-0123456789abcdef0",
      TelemetryRecords: [
        {
          Timestamp: new Date(clock.now()),
          SegmentsReceivedCount: 10,
          SegmentsSentCount: 9,
          SegmentsSpilloverCount: 0,
          SegmentsRejectedCount: 1,
          BackendConnectionErrors: { TimeoutCount: 0, ConnectionRefusedCount: 0, HTTPCode4XXCount: 0, HTTPCode5XXCount: 0, UnknownHostCount: 0, OtherCount: 0 },
        },
      ],
    }),
  );
  assert.equal(r.$metadata.httpStatusCode, 200);
  await rejects(xray.send(new PutTelemetryRecordsCommand({ TelemetryRecords: [{} as never] })), "ValidationException", 400);

  const rules = await xray.send(new GetIndexingRulesCommand({}));
  assert.equal(rules.IndexingRules?.[0].Name, "Default");
  assert.equal(rules.IndexingRules?.[0].Rule?.Probabilistic?.DesiredSamplingPercentage, 1);
  const up = await xray.send(new UpdateIndexingRuleCommand({ Name: "Default", Rule: { Probabilistic: { DesiredSamplingPercentage: 40 } } }));
  assert.equal(up.IndexingRule?.Rule?.Probabilistic?.DesiredSamplingPercentage, 40);
  assert.equal((await xray.send(new GetIndexingRulesCommand({}))).IndexingRules?.[0].Rule?.Probabilistic?.DesiredSamplingPercentage, 40);
  await rejects(
    xray.send(new UpdateIndexingRuleCommand({ Name: "Other", Rule: { Probabilistic: { DesiredSamplingPercentage: 1 } } })),
    "ResourceNotFoundException",
    404,
  );
  await rejects(
    xray.send(new UpdateIndexingRuleCommand({ Name: "Default", Rule: { Probabilistic: { DesiredSamplingPercentage: 101 } } })),
    "InvalidRequestException",
    400,
  );

  const dest = await xray.send(new GetTraceSegmentDestinationCommand({}));
  assert.deepEqual([dest.Destination, dest.Status], ["XRay", "ACTIVE"]);
  await rejects(
    xray.send(new UpdateTraceSegmentDestinationCommand({ Destination: "CloudWatchLogs" })),
    "InvalidRequestException",
    400,
    /Stratus does not send trace segments to CloudWatch Logs/,
  );
});

const clis = awsClis();
if (!clis.length) test("aws CLI: put-encryption-config, put-resource-policy", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: put-encryption-config, get-encryption-config, put-resource-policy, list-resource-policies`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["xray", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    assert.equal((await aws(["put-encryption-config", "--type", "KMS", "--key-id", "alias/aws/xray"])).EncryptionConfig.Status, "UPDATING");
    assert.equal((await aws(["get-encryption-config"])).EncryptionConfig.Type, "KMS");
    const put = await aws(["put-resource-policy", "--policy-name", "cli", "--policy-document", policy("xray:PutTraceSegments")]);
    assert.equal(put.ResourcePolicy.PolicyRevisionId, "1");
    assert.deepEqual(
      (await aws(["list-resource-policies"])).ResourcePolicies.map((p: { PolicyName: string }) => p.PolicyName),
      ["cli"],
    );
    const bad = await runAws(cli, server.url, ["xray", "put-resource-policy", "--policy-name", "x", "--policy-document", "nope"], creds);
    assert.match(bad.stderr, /\(MalformedPolicyDocumentException\)/);
  });

const BOTO3 = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account, doc = sys.argv[1], sys.argv[2], sys.argv[3]
x = boto3.client("xray", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {"enc": x.get_encryption_config()["EncryptionConfig"]}
out["rev"] = x.put_resource_policy(PolicyName="py", PolicyDocument=doc)["ResourcePolicy"]["PolicyRevisionId"]
try:
    x.put_resource_policy(PolicyName="py", PolicyDocument=doc, PolicyRevisionId="0")
except ClientError as e:
    out["err"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
x.put_telemetry_records(TelemetryRecords=[{"Timestamp": 0, "SegmentsReceivedCount": 1}], Hostname="py")
print(json.dumps(out))
`;
test("boto3: encryption default, a policy and its revision guard, telemetry", { skip: pythonMissing() }, async () => {
  const { stdout } = await run("python3", ["-c", BOTO3, server.url, randomAccount(), policy("xray:PutTraceSegments")]);
  assert.deepEqual(JSON.parse(stdout), { enc: { Type: "NONE", Status: "ACTIVE" }, rev: "1", err: ["InvalidPolicyRevisionIdException", 400] });
});
