// X-Ray sampling rules: the Default rule, the lifecycle of the account's own rules with AWS's validation and limits,
// tags (sampling rules by ARN), paging; from SDK v3, the AWS CLI and boto3.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateSamplingRuleCommand,
  DeleteSamplingRuleCommand,
  GetSamplingRulesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSamplingRuleCommand,
  XRayClient,
  type SamplingRule,
} from "@aws-sdk/client-xray";
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
import { ListResourcePoliciesCommand } from "@aws-sdk/client-xray";
import { randomAccount, useServer } from "../../helpers/server.js";
import { userTags } from "../../helpers/cloudformation.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

const rule = (name: string, over: Partial<SamplingRule> = {}): SamplingRule => ({
  RuleName: name,
  ResourceARN: "*",
  Priority: 100,
  FixedRate: 0.1,
  ReservoirSize: 5,
  ServiceName: "svc-*",
  ServiceType: "*",
  Host: "*",
  HTTPMethod: "GET",
  URLPath: "/api/?",
  Version: 1,
  ...over,
});

test("the Default rule: always there, updatable in FixedRate and ReservoirSize only, never deleted", async () => {
  const account = randomAccount();
  const xray = server.client(XRayClient, { account });
  const got = await xray.send(new GetSamplingRulesCommand({}));
  assert.equal(got.SamplingRuleRecords?.length, 1);
  const d = got.SamplingRuleRecords![0];
  assert.deepEqual(d.SamplingRule, {
    RuleName: "Default",
    RuleARN: `arn:aws:xray:us-east-1:${account}:sampling-rule/Default`,
    ResourceARN: "*",
    Priority: 10000,
    FixedRate: 0.05,
    ReservoirSize: 1,
    ServiceName: "*",
    ServiceType: "*",
    Host: "*",
    HTTPMethod: "*",
    URLPath: "*",
    Version: 1,
    Attributes: {},
  });
  assert.equal(d.CreatedAt?.getTime(), 0);
  assert.equal(d.ModifiedAt?.getTime(), 0);

  await rejects(
    xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: "Default", Priority: 5 } })),
    "InvalidRequestException",
    400,
    "Invalid update request for default sampling rule",
  );
  await rejects(xray.send(new DeleteSamplingRuleCommand({ RuleName: "Default" })), "InvalidRequestException", 400);
  const before = Date.now();
  const up = await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: "Default", FixedRate: 0.2, ReservoirSize: 3 } }));
  assert.equal(up.SamplingRuleRecord?.SamplingRule?.FixedRate, 0.2);
  assert.equal(up.SamplingRuleRecord?.SamplingRule?.ReservoirSize, 3);
  assert.equal(up.SamplingRuleRecord?.SamplingRule?.Priority, 10000);
  assert.ok(up.SamplingRuleRecord!.ModifiedAt!.getTime() >= before - 1000);
  assert.equal(up.SamplingRuleRecord?.CreatedAt?.getTime(), 0);
  // By ARN too.
  const byArn = await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleARN: d.SamplingRule!.RuleARN, ReservoirSize: 1 } }));
  assert.equal(byArn.SamplingRuleRecord?.SamplingRule?.ReservoirSize, 1);
});

test("rule lifecycle: create, get in name order, update, delete by name or ARN; validation and limits", async () => {
  const account = randomAccount();
  const xray = server.client(XRayClient, { account });
  const created = await xray.send(
    new CreateSamplingRuleCommand({ SamplingRule: rule("orders", { Attributes: { tier: "gold" } }), Tags: [{ Key: "team", Value: "a" }] }),
  );
  const arn = `arn:aws:xray:us-east-1:${account}:sampling-rule/orders`;
  assert.equal(created.SamplingRuleRecord?.SamplingRule?.RuleARN, arn);
  assert.deepEqual(created.SamplingRuleRecord?.SamplingRule?.Attributes, { tier: "gold" });
  assert.equal(created.SamplingRuleRecord?.CreatedAt?.getTime(), created.SamplingRuleRecord?.ModifiedAt?.getTime());
  const boosted = await xray.send(
    new CreateSamplingRuleCommand({ SamplingRule: rule("api", { SamplingRateBoost: { MaxRate: 0.5, CooldownWindowMinutes: 5 } }) }),
  );
  assert.deepEqual(boosted.SamplingRuleRecord?.SamplingRule?.SamplingRateBoost, { MaxRate: 0.5, CooldownWindowMinutes: 5 });
  const names = (await xray.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords?.map((r) => r.SamplingRule?.RuleName);
  assert.deepEqual(names, ["Default", "api", "orders"]);

  await rejects(xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule("orders") })), "InvalidRequestException", 400, /already exists/);
  await rejects(xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule("v2", { Version: 2 }) })), "InvalidRequestException", 400);
  // The model's ranges (Priority 1–9999, FixedRate 0–1, ReservoirSize ≥ 0) on create.
  await rejects(xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule("p0", { Priority: 0 }) })), "ValidationException", 400);
  await rejects(xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule("r2", { FixedRate: 1.5 }) })), "ValidationException", 400);
  // The update's numbers are unconstrained in the model: X-Ray checks them.
  await rejects(xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: "api", Priority: 10000 } })), "InvalidRequestException", 400);
  await rejects(xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: "api", FixedRate: -0.1 } })), "InvalidRequestException", 400);
  await rejects(xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: "api", ReservoirSize: -1 } })), "InvalidRequestException", 400);
  await rejects(xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: "nope", FixedRate: 0 } })), "InvalidRequestException", 400);
  await rejects(xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { FixedRate: 0 } })), "InvalidRequestException", 400);

  const updated = await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleARN: arn, URLPath: "/orders/*", Priority: 7 } }));
  assert.equal(updated.SamplingRuleRecord?.SamplingRule?.URLPath, "/orders/*");
  assert.equal(updated.SamplingRuleRecord?.SamplingRule?.Priority, 7);
  assert.equal(updated.SamplingRuleRecord?.SamplingRule?.HTTPMethod, "GET");

  // Tags live with the rule, by ARN.
  await xray.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: "env", Value: "dev" }] }));
  await xray.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["team"] }));
  assert.deepEqual((await xray.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: "env", Value: "dev" }]);
  const tooMany = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
  await rejects(xray.send(new TagResourceCommand({ ResourceARN: arn, Tags: tooMany })), "TooManyTagsException", 400);
  await rejects(xray.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: "aws:x", Value: "v" }] })), "InvalidRequestException", 400);

  const deleted = await xray.send(new DeleteSamplingRuleCommand({ RuleARN: arn }));
  assert.equal(deleted.SamplingRuleRecord?.SamplingRule?.RuleName, "orders");
  await xray.send(new DeleteSamplingRuleCommand({ RuleName: "api" }));
  await rejects(xray.send(new DeleteSamplingRuleCommand({ RuleName: "api" })), "InvalidRequestException", 400, "Sampling rule does not exist");
  await rejects(xray.send(new ListTagsForResourceCommand({ ResourceARN: arn })), "ResourceNotFoundException", 404);

  // 25 rules of one's own, then RuleLimitExceededException.
  for (let i = 0; i < 25; i++) await xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule(`r${String(i).padStart(2, "0")}`) }));
  await rejects(xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule("one-more") })), "RuleLimitExceededException", 400);
  assert.equal((await xray.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords?.length, 26);
});

const clis = awsClis();
if (!clis.length) test("aws CLI: create-sampling-rule", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-sampling-rule, get-sampling-rules, update, delete`, async () => {
    const creds = { AWS_ACCESS_KEY_ID: randomAccount(), AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["xray", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const spec = JSON.stringify(rule("cli-rule", { Priority: 9000 }));
    const made = await aws(["create-sampling-rule", "--sampling-rule", spec]);
    assert.equal(made.SamplingRuleRecord.SamplingRule.RuleName, "cli-rule");
    assert.deepEqual(made.SamplingRuleRecord.SamplingRule.Attributes, {});
    const all = await aws(["get-sampling-rules"]);
    assert.deepEqual(
      all.SamplingRuleRecords.map((r: { SamplingRule: { RuleName: string } }) => r.SamplingRule.RuleName),
      ["Default", "cli-rule"],
    );
    const up = await aws(["update-sampling-rule", "--sampling-rule-update", '{"RuleName":"Default","FixedRate":0.01,"ReservoirSize":0}']);
    assert.deepEqual([up.SamplingRuleRecord.SamplingRule.FixedRate, up.SamplingRuleRecord.SamplingRule.ReservoirSize], [0.01, 0]);
    const refused = await runAws(cli, server.url, ["xray", "create-sampling-rule", "--sampling-rule", spec], creds);
    assert.match(refused.stderr, /\(InvalidRequestException\)/);
    assert.equal((await aws(["delete-sampling-rule", "--rule-name", "cli-rule"])).SamplingRuleRecord.SamplingRule.RuleName, "cli-rule");
  });

const BOTO3 = `
import json, sys, boto3
from botocore.exceptions import ClientError
url, account = sys.argv[1], sys.argv[2]
x = boto3.client("xray", endpoint_url=url, region_name="eu-west-1", aws_access_key_id=account, aws_secret_access_key="test")
out = {}
r = x.create_sampling_rule(SamplingRule={"RuleName": "py", "ResourceARN": "*", "Priority": 1, "FixedRate": 1.0, "ReservoirSize": 0,
    "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "Version": 1}, Tags=[{"Key": "k", "Value": "v"}])
out["arn"] = r["SamplingRuleRecord"]["SamplingRule"]["RuleARN"]
out["tags"] = x.list_tags_for_resource(ResourceARN=out["arn"])["Tags"]
out["names"] = [p["SamplingRule"]["RuleName"] for page in x.get_paginator("get_sampling_rules").paginate() for p in page["SamplingRuleRecords"]]
try:
    x.update_sampling_rule(SamplingRuleUpdate={"RuleName": "Default", "URLPath": "/x"})
except ClientError as e:
    out["default"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;
test("boto3: create with tags, paginate, the Default rule's refusal", { skip: pythonMissing() }, async () => {
  const account = randomAccount();
  const { stdout } = await run("python3", ["-c", BOTO3, server.url, account]);
  const out = JSON.parse(stdout);
  assert.equal(out.arn, `arn:aws:xray:eu-west-1:${account}:sampling-rule/py`);
  assert.deepEqual(out.tags, [{ Key: "k", Value: "v" }]);
  assert.deepEqual(out.names, ["Default", "py"]);
  assert.deepEqual(out.default, ["InvalidRequestException", "Invalid update request for default sampling rule", 400]);
});

test("CloudFormation: AWS::XRay::SamplingRule and AWS::XRay::ResourcePolicy created, updated in place, deleted", async () => {
  const account = randomAccount();
  const xray = server.client(XRayClient, { account });
  const cfn = server.client(CloudFormationClient, { account });
  const waiter = { client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 };
  const template = (fixedRate: number, tag: string) =>
    JSON.stringify({
      Resources: {
        Named: {
          Type: "AWS::XRay::SamplingRule",
          Properties: { SamplingRule: rule("cfn-named", { FixedRate: fixedRate }), Tags: [{ Key: "v", Value: tag }] },
        },
        Unnamed: { Type: "AWS::XRay::SamplingRule", Properties: { SamplingRule: { ...rule("x"), RuleName: undefined } } },
        Policy: {
          Type: "AWS::XRay::ResourcePolicy",
          Properties: {
            PolicyName: "cfn-policy",
            PolicyDocument: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "xray:PutTraceSegments", Resource: "*" }],
            },
          },
        },
      },
      Outputs: { Ref: { Value: { Ref: "Named" } }, Arn: { Value: { "Fn::GetAtt": ["Named", "RuleARN"] } }, Policy: { Value: { Ref: "Policy" } } },
    });
  await cfn.send(new CreateStackCommand({ StackName: "xr", TemplateBody: template(0.1, "one") }));
  await waitUntilStackCreateComplete(waiter, { StackName: "xr" });
  const outputs = Object.fromEntries(
    ((await cfn.send(new DescribeStacksCommand({ StackName: "xr" }))).Stacks?.[0].Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]),
  );
  const arn = `arn:aws:xray:us-east-1:${account}:sampling-rule/cfn-named`;
  assert.deepEqual(outputs, { Ref: arn, Arn: arn, Policy: "cfn-policy" });
  const names = () => xray.send(new GetSamplingRulesCommand({})).then((r) => r.SamplingRuleRecords!.map((x) => x.SamplingRule!.RuleName!));
  const made = await names();
  assert.equal(made.length, 3);
  assert.ok(made.includes("cfn-named"));
  assert.deepEqual(userTags((await xray.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags), [{ Key: "v", Value: "one" }]);
  assert.deepEqual(
    (await xray.send(new ListResourcePoliciesCommand({}))).ResourcePolicies?.map((p) => p.PolicyName),
    ["cfn-policy"],
  );

  await cfn.send(new UpdateStackCommand({ StackName: "xr", TemplateBody: template(0.5, "two") }));
  await waitUntilStackUpdateComplete(waiter, { StackName: "xr" });
  const rules = (await xray.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords!;
  assert.equal(rules.find((r) => r.SamplingRule?.RuleName === "cfn-named")?.SamplingRule?.FixedRate, 0.5);
  assert.deepEqual((await names()).sort(), made.sort());
  assert.deepEqual(userTags((await xray.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags), [{ Key: "v", Value: "two" }]);

  await cfn.send(new DeleteStackCommand({ StackName: "xr" }));
  await waitUntilStackDeleteComplete(waiter, { StackName: "xr" });
  assert.deepEqual(await names(), ["Default"]);
  assert.deepEqual((await xray.send(new ListResourcePoliciesCommand({}))).ResourcePolicies, []);
});
