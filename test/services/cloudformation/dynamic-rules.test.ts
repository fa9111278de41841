// Dynamic references ({{resolve:ssm|ssm-secure|secretsmanager:…}}) resolved as the stack's caller when a resource is
// created or updated, kept literal in GetTemplate, compared as literals on update; and the Rules section's
// assertions refusing CreateStack, UpdateStack and CreateChangeSet with their AssertDescription. Through the SDK;
// the templates under templates/ are also checked valid by cfn-lint when it is installed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";

let s: TestServer;
let cfn: CloudFormationClient;
let ssm: SSMClient;
let secrets: SecretsManagerClient;
let secretArn: string;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });
const fixture = (name: string) => new URL(`./templates/${name}`, import.meta.url);
const read = (name: string) => readFileSync(fixture(name), "utf8");

before(async () => {
  s = await startTestServer();
  const c = s.clientConfig({ account: randomAccount() });
  cfn = new CloudFormationClient(c);
  ssm = new SSMClient(c);
  secrets = new SecretsManagerClient(c);
  await ssm.send(new PutParameterCommand({ Name: "/dyn/name", Type: "String", Value: "v1" }));
  await ssm.send(new PutParameterCommand({ Name: "/dyn/secure", Type: "SecureString", Value: "s3cret" }));
  secretArn = (await secrets.send(new CreateSecretCommand({ Name: "dyn-creds", SecretString: JSON.stringify({ user: "admin", pass: "pw" }) }))).ARN!;
});
after(() => s.close());

const outputs = async (stack: string) => {
  const [st] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  return Object.fromEntries((st.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
};
const value = async (name: string) => (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;

test("the test templates are valid for cfn-lint", { skip: spawnSync("cfn-lint", ["--version"]).status !== 0 && "cfn-lint is not installed" }, () => {
  const files = ["dynamic-references.yaml", "rules.yaml", "ssm-secure.yaml"].map((f) => fileURLToPath(fixture(f)));
  const r = spawnSync("cfn-lint", files, { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("dynamic references resolve inside property strings, stay literal in GetTemplate, and a changed value alone updates nothing", async () => {
  const params = [{ ParameterKey: "SecretArn", ParameterValue: secretArn }];
  await cfn.send(new CreateStackCommand({ StackName: "dyn", TemplateBody: read("dynamic-references.yaml"), Parameters: params }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "dyn" });
  const out = await outputs("dyn");
  assert.equal(await value(out.CopyName), "v1|v1|admin|pw|a");
  assert.equal(await value(out.WholeName), JSON.stringify({ user: "admin", pass: "pw" }));
  // The CDK's form: built with Fn::Join from the secret's ARN, empty version segments.
  assert.equal(await value(out.JoinedName), "pw");
  const body = (await cfn.send(new GetTemplateCommand({ StackName: "dyn" }))).TemplateBody!;
  assert.match(body, /\{\{resolve:ssm:\/dyn\/name\}\}/);

  // The parameter's value changes; an update whose evaluated properties are the same literals changes nothing.
  await ssm.send(new PutParameterCommand({ Name: "/dyn/name", Type: "String", Value: "v2", Overwrite: true }));
  await cfn.send(
    new UpdateStackCommand({ StackName: "dyn", TemplateBody: read("dynamic-references.yaml").replace("several in one", "several in a"), Parameters: params }),
  );
  await waitUntilStackUpdateComplete(waiter(), { StackName: "dyn" });
  assert.equal(await value(out.CopyName), "v1|v1|admin|pw|a");
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "dyn" }))).StackEvents!;
  assert.ok(!events.some((e) => e.LogicalResourceId === "Copy" && e.ResourceStatus === "UPDATE_IN_PROGRESS"), "Copy was not updated");

  // A changed literal (another parameter value in the string) resolves again: the latest version and version 1.
  await cfn.send(
    new UpdateStackCommand({
      StackName: "dyn",
      TemplateBody: read("dynamic-references.yaml"),
      Parameters: [...params, { ParameterKey: "Suffix", ParameterValue: "b" }],
    }),
  );
  await waitUntilStackUpdateComplete(waiter(), { StackName: "dyn" });
  assert.equal(await value(out.CopyName), "v2|v1|admin|pw|b");
});

test("a Parameter Store reference to a missing parameter, or ssm-secure where AWS does not take it, refuses the call", async () => {
  const template = (v: string) => JSON.stringify({ Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: v } } } });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "dyn-missing", TemplateBody: template("x-{{resolve:ssm:/dyn/none}}") })), {
    name: "ValidationError",
    message: "Parameters: [ssm:/dyn/none] cannot be found.",
  });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "dyn-missing", TemplateBody: template("{{resolve:ssm:/dyn/name:7}}") })), {
    message: "Parameters: [ssm:/dyn/name:7] cannot be found.",
  });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "dyn-secure", TemplateBody: template("{{resolve:ssm-secure:/dyn/secure}}") })), {
    name: "ValidationError",
    message: "SSM Secure reference is not supported in: [AWS::SSM::Parameter/Properties/Value]",
  });
  await assert.rejects(
    cfn.send(
      new CreateChangeSetCommand({ StackName: "dyn-cs", ChangeSetName: "c", ChangeSetType: "CREATE", TemplateBody: template("{{resolve:ssm:/dyn/none}}") }),
    ),
    { message: "Parameters: [ssm:/dyn/none] cannot be found." },
  );
});

test("ssm-secure resolves in a property that takes it (IAM::User LoginProfile Password)", async () => {
  await cfn.send(new CreateStackCommand({ StackName: "dyn-user", TemplateBody: read("ssm-secure.yaml"), Capabilities: ["CAPABILITY_IAM"] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "dyn-user" });
  const [st] = (await cfn.send(new DescribeStacksCommand({ StackName: "dyn-user" }))).Stacks!;
  assert.equal(st.StackStatus, "CREATE_COMPLETE");
});

test("a missing secret or JSON key fails the resource with AWS's reason", async () => {
  const template = (v: string) => JSON.stringify({ Resources: { P: { Type: "AWS::SSM::Parameter", Properties: { Type: "String", Value: v } } } });
  for (const [name, ref, reason] of [
    [
      "dyn-nosecret",
      "{{resolve:secretsmanager:dyn-none}}",
      /^Secrets Manager can't find the specified secret\. \(Service: AWSSecretsManager; Status Code: 400; Error Code: ResourceNotFoundException;/,
    ],
    ["dyn-nokey", "{{resolve:secretsmanager:dyn-creds:SecretString:nope}}", /^Could not find a value associated with JSONKey in SecretString$/],
  ] as const) {
    await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: template(ref), OnFailure: "DO_NOTHING" }));
    await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: name }));
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: name }))).StackEvents!;
    const failed = events.find((e) => e.LogicalResourceId === "P" && e.ResourceStatus === "CREATE_FAILED");
    assert.match(failed?.ResourceStatusReason ?? "", reason);
  }
});

test("Rules: a false assertion refuses CreateStack, CreateChangeSet and UpdateStack with its AssertDescription", async () => {
  const body = read("rules.yaml");
  const p = (env: string, size: string, zones = "a,b") => [
    { ParameterKey: "Environment", ParameterValue: env },
    { ParameterKey: "Size", ParameterValue: size },
    { ParameterKey: "Zones", ParameterValue: zones },
  ];
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "rules", TemplateBody: body, Parameters: p("prod", "small") })), {
    name: "ValidationError",
    message: "For prod, Size must be large or xlarge",
  });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "rules", TemplateBody: body, Parameters: p("dev", "small", "a,d") })), {
    message: "Zones must be among a, b and c",
  });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "rules", TemplateBody: body, Parameters: p("dev", "small", "c,c") })), {
    message: "Zones cannot all be c",
  });
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "rules", TemplateBody: body, Parameters: p("dev", "xlarge") })), {
    message: "dev stacks cannot be xlarge",
  });
  await assert.rejects(
    cfn.send(
      new CreateChangeSetCommand({ StackName: "rules", ChangeSetName: "c", ChangeSetType: "CREATE", TemplateBody: body, Parameters: p("prod", "small") }),
    ),
    { message: "For prod, Size must be large or xlarge" },
  );
  // A rule whose RuleCondition is false is not checked: prod with large passes, dev with small too.
  await cfn.send(new CreateStackCommand({ StackName: "rules", TemplateBody: body, Parameters: p("prod", "large") }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "rules" });
  assert.deepEqual(await outputs("rules"), { Prod: "yes" });
  await assert.rejects(cfn.send(new UpdateStackCommand({ StackName: "rules", TemplateBody: body, Parameters: p("prod", "tiny") })), {
    message: "For prod, Size must be large or xlarge",
  });
  await cfn.send(new UpdateStackCommand({ StackName: "rules", TemplateBody: body, Parameters: p("dev", "small") }));
  await waitUntilStackUpdateComplete(waiter(), { StackName: "rules" });
  assert.deepEqual(await outputs("rules"), { Prod: "no" });
});

test("Rules: the CDK's CheckBootstrapVersion rule over an SSM-typed parameter", async () => {
  const template = JSON.stringify({
    Parameters: { BootstrapVersion: { Type: "AWS::SSM::Parameter::Value<String>", Default: "/cdk-bootstrap/hnb659fds/version" } },
    Rules: {
      CheckBootstrapVersion: {
        Assertions: [
          {
            Assert: { "Fn::Not": [{ "Fn::Contains": [["1", "2", "3", "4", "5"], { Ref: "BootstrapVersion" }] }] },
            AssertDescription: "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
          },
        ],
      },
    },
    Resources: { Q: { Type: "AWS::SQS::Queue" } },
  });
  await ssm.send(new PutParameterCommand({ Name: "/cdk-bootstrap/hnb659fds/version", Type: "String", Value: "3" }));
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "cdk-rule", TemplateBody: template })), {
    name: "ValidationError",
    message: "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
  });
  await ssm.send(new PutParameterCommand({ Name: "/cdk-bootstrap/hnb659fds/version", Type: "String", Value: "21", Overwrite: true }));
  await cfn.send(new CreateStackCommand({ StackName: "cdk-rule", TemplateBody: template }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "cdk-rule" });
  // A rule naming what is not a parameter is the template's error.
  const bad = JSON.parse(template);
  bad.Rules.CheckBootstrapVersion.Assertions[0].Assert = { "Fn::Equals": [{ Ref: "Nope" }, "x"] };
  await assert.rejects(cfn.send(new CreateStackCommand({ StackName: "cdk-rule-bad", TemplateBody: JSON.stringify(bad) })), {
    message: "Template format error: Unresolved resource dependencies [Nope] in the Rules block of the template",
  });
});
