// CloudFormation's IAM and Secrets Manager resource types through the SDKs: a stack makes real roles, users,
// groups, policies, keys, instance profiles and secrets (checked with each service's own client), Ref and GetAtt
// answer as AWS documents them, and DeleteStack undoes attachments before deleting the entities.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
} from "@aws-sdk/client-cloudformation";
import {
  DeleteGroupCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetInstanceProfileCommand,
  GetLoginProfileCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  GetPolicyVersionCommand,
  ListGroupsForUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRoleTagsCommand,
} from "@aws-sdk/client-iam";
import { DescribeSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { ResourceProvider, ResourceRequest } from "../../../src/core/resources.js";
import iamProviders from "../../../src/services/iam/cloudformation.js";
import secretProviders from "../../../src/services/secrets-manager/cloudformation.js";
import { randomAccount, startTestServer, type TestServer } from "../../helpers/server.js";
import { userTags } from "../../helpers/cloudformation.js";

let s: TestServer;
let cfn: CloudFormationClient;
let iam: IAMClient;
let secrets: SecretsManagerClient;
let account: string;
const waiter = () => ({ client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });

before(async () => {
  s = await startTestServer();
  account = randomAccount();
  const c = s.clientConfig({ account });
  cfn = new CloudFormationClient(c);
  iam = new IAMClient(c);
  secrets = new SecretsManagerClient(c);
});
after(() => s.close());

async function outputsOf(stack: string): Promise<Record<string, string>> {
  const [st] = (await cfn.send(new DescribeStacksCommand({ StackName: stack }))).Stacks!;
  assert.equal(st.StackStatus, "CREATE_COMPLETE", st.StackStatusReason);
  return Object.fromEntries(st.Outputs!.map((o) => [o.OutputKey!, o.OutputValue!]));
}

const allow = (action: string) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });

const IAM_TEMPLATE = JSON.stringify({
  Resources: {
    Role: {
      Type: "AWS::IAM::Role",
      Properties: {
        Path: "/svc/",
        Description: "made by a stack",
        MaxSessionDuration: 7200,
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        },
        ManagedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        Policies: [{ PolicyName: "logs", PolicyDocument: allow("logs:*") }],
        Tags: [{ Key: "team", Value: "core" }],
      },
    },
    Managed: {
      Type: "AWS::IAM::ManagedPolicy",
      Properties: { ManagedPolicyName: "iam-stack-managed", Description: "managed", PolicyDocument: allow("s3:GetObject"), Roles: [{ Ref: "Role" }] },
    },
    Group: { Type: "AWS::IAM::Group", Properties: { Policies: [{ PolicyName: "grp", PolicyDocument: allow("sqs:*") }] } },
    User: {
      Type: "AWS::IAM::User",
      Properties: {
        UserName: "iam-stack-user",
        Groups: [{ Ref: "Group" }],
        LoginProfile: { Password: "Str0ng-Passw0rd!", PasswordResetRequired: false },
        Tags: [{ Key: "k", Value: "v" }],
      },
    },
    Other: { Type: "AWS::IAM::User", Properties: {} },
    Addition: { Type: "AWS::IAM::UserToGroupAddition", Properties: { GroupName: { Ref: "Group" }, Users: [{ Ref: "Other" }] } },
    Inline: {
      Type: "AWS::IAM::Policy",
      Properties: {
        PolicyName: "extra",
        PolicyDocument: allow("sns:Publish"),
        Roles: [{ Ref: "Role" }],
        Users: [{ Ref: "User" }],
        Groups: [{ Ref: "Group" }],
      },
    },
    Key: { Type: "AWS::IAM::AccessKey", Properties: { UserName: { Ref: "User" } } },
    Profile: { Type: "AWS::IAM::InstanceProfile", Properties: { Roles: [{ Ref: "Role" }] } },
  },
  Outputs: {
    RoleRef: { Value: { Ref: "Role" } },
    RoleArn: { Value: { "Fn::GetAtt": ["Role", "Arn"] } },
    RoleId: { Value: { "Fn::GetAtt": ["Role", "RoleId"] } },
    ManagedRef: { Value: { Ref: "Managed" } },
    ManagedId: { Value: { "Fn::GetAtt": ["Managed", "PolicyId"] } },
    GroupRef: { Value: { Ref: "Group" } },
    GroupArn: { Value: { "Fn::GetAtt": ["Group", "Arn"] } },
    UserRef: { Value: { Ref: "User" } },
    UserArn: { Value: { "Fn::GetAtt": ["User", "Arn"] } },
    OtherRef: { Value: { Ref: "Other" } },
    InlineRef: { Value: { Ref: "Inline" } },
    AdditionRef: { Value: { Ref: "Addition" } },
    KeyRef: { Value: { Ref: "Key" } },
    KeySecret: { Value: { "Fn::GetAtt": ["Key", "SecretAccessKey"] } },
    ProfileRef: { Value: { Ref: "Profile" } },
    ProfileArn: { Value: { "Fn::GetAtt": ["Profile", "Arn"] } },
  },
});

test("IAM types: roles, policies, users, groups, keys and instance profiles are real; Ref/GetAtt are AWS's; DeleteStack undoes them", async () => {
  const { StackId } = await cfn.send(new CreateStackCommand({ StackName: "iam-stack", TemplateBody: IAM_TEMPLATE, Capabilities: ["CAPABILITY_NAMED_IAM"] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "iam-stack" });
  const out = await outputsOf("iam-stack");

  // Role: Ref is the (generated) name, GetAtt Arn and RoleId.
  assert.match(out.RoleRef, /^iam-stack-Role-[A-Z0-9]{12}$/);
  assert.equal(out.RoleArn, `arn:aws:iam::${account}:role/svc/${out.RoleRef}`);
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: out.RoleRef }));
  assert.equal(Role!.RoleId, out.RoleId);
  assert.equal(Role!.Description, "made by a stack");
  assert.equal(Role!.MaxSessionDuration, 7200);
  assert.match(decodeURIComponent(Role!.AssumeRolePolicyDocument!), /lambda\.amazonaws\.com/);
  assert.deepEqual(userTags((await iam.send(new ListRoleTagsCommand({ RoleName: out.RoleRef }))).Tags), [{ Key: "team", Value: "core" }]);
  const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: out.RoleRef }))).AttachedPolicies!.map((p) => p.PolicyArn).sort();
  assert.deepEqual(attached, [`arn:aws:iam::${account}:policy/iam-stack-managed`, "arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: out.RoleRef }))).PolicyNames!.sort(), ["extra", "logs"]);

  // ManagedPolicy: Ref is the ARN.
  assert.equal(out.ManagedRef, `arn:aws:iam::${account}:policy/iam-stack-managed`);
  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: out.ManagedRef }))).Policy!.PolicyId, out.ManagedId);

  // Group, users, the addition and the inline Policy resource.
  assert.match(out.GroupRef, /^iam-stack-Group-[A-Z0-9]{12}$/);
  assert.equal(out.GroupArn, `arn:aws:iam::${account}:group/${out.GroupRef}`);
  const members = (await iam.send(new GetGroupCommand({ GroupName: out.GroupRef }))).Users!.map((u) => u.UserName).sort();
  assert.deepEqual(members, [out.UserRef, out.OtherRef].sort());
  assert.equal((await iam.send(new GetGroupPolicyCommand({ GroupName: out.GroupRef, PolicyName: "grp" }))).PolicyName, "grp");
  assert.equal((await iam.send(new GetGroupPolicyCommand({ GroupName: out.GroupRef, PolicyName: "extra" }))).PolicyName, "extra");
  assert.equal(out.UserRef, "iam-stack-user");
  assert.equal(out.UserArn, `arn:aws:iam::${account}:user/iam-stack-user`);
  assert.match(out.OtherRef, /^iam-stack-Other-[A-Z0-9]{12}$/);
  assert.equal((await iam.send(new GetUserPolicyCommand({ UserName: "iam-stack-user", PolicyName: "extra" }))).PolicyName, "extra");
  assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: "iam-stack-user" }))).LoginProfile!.UserName, "iam-stack-user");
  assert.match(out.InlineRef, /^iam-stack-Inline-[A-Z0-9]{12}$/);
  assert.match(out.AdditionRef, /^iam-stack-Addition-[A-Z0-9]{12}$/);

  // AccessKey: Ref is the key id, GetAtt SecretAccessKey its secret, and the pair signs requests as the user.
  const keys = (await iam.send(new ListAccessKeysCommand({ UserName: "iam-stack-user" }))).AccessKeyMetadata!;
  assert.deepEqual(
    keys.map((k) => [k.AccessKeyId, k.Status]),
    [[out.KeyRef, "Active"]],
  );
  const asUser = new IAMClient(s.clientConfig({ accessKeyId: out.KeyRef, secretAccessKey: out.KeySecret }));
  assert.equal((await asUser.send(new GetUserCommand({}))).User!.UserName, "iam-stack-user");

  // InstanceProfile: Ref is the name, GetAtt Arn.
  const { InstanceProfile } = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: out.ProfileRef }));
  assert.equal(InstanceProfile!.Arn, out.ProfileArn);
  assert.deepEqual(
    InstanceProfile!.Roles!.map((r) => r.RoleName),
    [out.RoleRef],
  );

  await cfn.send(new DeleteStackCommand({ StackName: "iam-stack" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId });
  await assert.rejects(iam.send(new GetRoleCommand({ RoleName: out.RoleRef })), { name: "NoSuchEntityException" });
  await assert.rejects(iam.send(new GetPolicyCommand({ PolicyArn: out.ManagedRef })), { name: "NoSuchEntityException" });
  await assert.rejects(iam.send(new GetUserCommand({ UserName: "iam-stack-user" })), { name: "NoSuchEntityException" });
  await assert.rejects(iam.send(new GetUserCommand({ UserName: out.OtherRef })), { name: "NoSuchEntityException" });
  await assert.rejects(iam.send(new GetGroupCommand({ GroupName: out.GroupRef })), { name: "NoSuchEntityException" });
  await assert.rejects(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: out.ProfileRef })), { name: "NoSuchEntityException" });
});

test("deleting a stack whose IAM entity was already deleted succeeds", async () => {
  const template = JSON.stringify({ Resources: { G: { Type: "AWS::IAM::Group", Properties: { GroupName: "gone-group" } } } });
  const { StackId } = await cfn.send(new CreateStackCommand({ StackName: "iam-gone", TemplateBody: template, Capabilities: ["CAPABILITY_NAMED_IAM"] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "iam-gone" });
  await iam.send(new DeleteGroupCommand({ GroupName: "gone-group" }));
  await cfn.send(new DeleteStackCommand({ StackName: "iam-gone" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId });
});

const SECRETS_TEMPLATE = `
Resources:
  Generated:
    Type: AWS::SecretsManager::Secret
    Properties:
      Description: generated credentials
      GenerateSecretString:
        SecretStringTemplate: '{"username": "saanvi"}'
        GenerateStringKey: password
        PasswordLength: 20
        ExcludeCharacters: '"@/\\'
      Tags:
        - Key: app
          Value: web
  Plain:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: !Sub "\${AWS::StackName}/plain"
      SecretString: hunter2
  Policy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: !Ref Plain
      BlockPublicPolicy: true
      ResourcePolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal:
              AWS: !Sub "arn:aws:iam::\${AWS::AccountId}:root"
            Action: secretsmanager:DeleteSecret
            Resource: "*"
Outputs:
  GeneratedRef:
    Value: !Ref Generated
  GeneratedId:
    Value: !GetAtt Generated.Id
  PlainRef:
    Value: !Ref Plain
  PolicyRef:
    Value: !Ref Policy
  PolicyId:
    Value: !GetAtt Policy.Id
`;

test("Secrets Manager types: a generated secret, a plain one and its resource policy are real; Ref/GetAtt are the ARN; DeleteStack removes them", async () => {
  const { StackId } = await cfn.send(new CreateStackCommand({ StackName: "sec-stack", TemplateBody: SECRETS_TEMPLATE }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "sec-stack" });
  const out = await outputsOf("sec-stack");

  // An unnamed secret is <logicalId>-<RANDOM>; Ref and GetAtt Id are its ARN.
  assert.match(out.GeneratedRef, new RegExp(`^arn:aws:secretsmanager:us-east-1:${account}:secret:Generated-[A-Za-z0-9]{12}-[A-Za-z0-9]{6}$`));
  assert.equal(out.GeneratedId, out.GeneratedRef);
  const described = await secrets.send(new DescribeSecretCommand({ SecretId: out.GeneratedRef }));
  assert.equal(described.Description, "generated credentials");
  assert.deepEqual(userTags(described.Tags), [{ Key: "app", Value: "web" }]);
  const value = JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: out.GeneratedRef }))).SecretString!);
  assert.equal(value.username, "saanvi");
  assert.equal(value.password.length, 20);
  assert.doesNotMatch(value.password, /["@/\\]/);

  assert.match(out.PlainRef, /:secret:sec-stack\/plain-[A-Za-z0-9]{6}$/);
  assert.equal((await secrets.send(new GetSecretValueCommand({ SecretId: "sec-stack/plain" }))).SecretString, "hunter2");
  // ResourcePolicy: Ref and GetAtt Id are the secret's ARN.
  assert.equal(out.PolicyRef, out.PlainRef);
  assert.equal(out.PolicyId, out.PlainRef);
  const policy = JSON.parse((await secrets.send(new GetResourcePolicyCommand({ SecretId: out.PlainRef }))).ResourcePolicy!);
  assert.equal(policy.Statement[0].Action, "secretsmanager:DeleteSecret");

  await cfn.send(new DeleteStackCommand({ StackName: "sec-stack" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId });
  // Deleted at once, not scheduled: the names are gone.
  await assert.rejects(secrets.send(new DescribeSecretCommand({ SecretId: out.GeneratedRef })), { name: "ResourceNotFoundException" });
  await assert.rejects(secrets.send(new DescribeSecretCommand({ SecretId: "sec-stack/plain" })), { name: "ResourceNotFoundException" });
});

test("a secret with neither SecretString nor GenerateSecretString gets a generated password; a half GenerateSecretString fails the resource", async () => {
  const ok = JSON.stringify({ Resources: { S: { Type: "AWS::SecretsManager::Secret", Properties: { Name: "defaulted" } } } });
  await cfn.send(new CreateStackCommand({ StackName: "sec-default", TemplateBody: ok }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "sec-default" });
  assert.equal((await secrets.send(new GetSecretValueCommand({ SecretId: "defaulted" }))).SecretString!.length, 32);

  const bad = JSON.stringify({
    Resources: { S: { Type: "AWS::SecretsManager::Secret", Properties: { GenerateSecretString: { GenerateStringKey: "password" } } } },
  });
  await cfn.send(new CreateStackCommand({ StackName: "sec-bad", TemplateBody: bad }));
  await assert.rejects(waitUntilStackCreateComplete(waiter(), { StackName: "sec-bad" }));
  const [st] = (await cfn.send(new DescribeStacksCommand({ StackName: "sec-bad" }))).Stacks!;
  assert.equal(st.StackStatus, "ROLLBACK_COMPLETE");
  const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: "sec-bad" }))).StackEvents!;
  const failed = events.find((e) => e.LogicalResourceId === "S" && e.ResourceStatus === "CREATE_FAILED");
  assert.match(failed!.ResourceStatusReason!, /SecretStringTemplate and GenerateStringKey must both be specified.*HandlerErrorCode: InvalidRequest/);
});

// The engine has no UpdateStack yet: the providers' in-place updates, called as the engine will call them.
async function update(
  provider: ResourceProvider,
  logicalId: string,
  physicalId: string,
  previous: Record<string, unknown>,
  properties: Record<string, unknown>,
) {
  const ctx = s.runtime.context("cloudformation", "UpdateStack", s.runtime.rootIdentity(account));
  const req: ResourceRequest & { physicalId: string; previous: Record<string, unknown> } = {
    ctx,
    stackName: "upd",
    stackId: "upd",
    logicalId,
    properties,
    previous,
    physicalId,
    generateName: () => physicalId,
  };
  return provider.update!(req);
}

test("in-place updates: a role's description, policies and tags, a user's groups, a managed policy's document and attachments, a secret's value", async () => {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const role0 = {
    RoleName: "upd-role",
    AssumeRolePolicyDocument: trust,
    Description: "v1",
    ManagedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
    Policies: [{ PolicyName: "a", PolicyDocument: allow("s3:*") }],
    Tags: [{ Key: "x", Value: "1" }],
  };
  const template = JSON.stringify({
    Resources: {
      Role: { Type: "AWS::IAM::Role", Properties: role0 },
      G1: { Type: "AWS::IAM::Group", Properties: { GroupName: "upd-g1" } },
      G2: { Type: "AWS::IAM::Group", Properties: { GroupName: "upd-g2" } },
      User: { Type: "AWS::IAM::User", Properties: { UserName: "upd-user", Groups: ["upd-g1"] }, DependsOn: ["G1", "G2"] },
      Managed: { Type: "AWS::IAM::ManagedPolicy", Properties: { PolicyDocument: allow("sqs:*"), Roles: [{ Ref: "Role" }] } },
      Key: { Type: "AWS::IAM::AccessKey", Properties: { UserName: { Ref: "User" } } },
      Secret: { Type: "AWS::SecretsManager::Secret", Properties: { Name: "upd-secret", SecretString: "one", Description: "d1" } },
    },
    Outputs: { Managed: { Value: { Ref: "Managed" } }, Key: { Value: { Ref: "Key" } }, Secret: { Value: { Ref: "Secret" } } },
  });
  const { StackId } = await cfn.send(new CreateStackCommand({ StackName: "upd", TemplateBody: template, Capabilities: ["CAPABILITY_NAMED_IAM"] }));
  await waitUntilStackCreateComplete(waiter(), { StackName: "upd" });
  const out = await outputsOf("upd");

  const role1 = {
    ...role0,
    Description: "v2",
    ManagedPolicyArns: [],
    Policies: [{ PolicyName: "b", PolicyDocument: allow("sns:*") }],
    Tags: [{ Key: "y", Value: "2" }],
  };
  const r = await update(iamProviders["AWS::IAM::Role"], "Role", "upd-role", role0, role1);
  assert.equal(r.ref, "upd-role");
  assert.equal((await iam.send(new GetRoleCommand({ RoleName: "upd-role" }))).Role!.Description, "v2");
  assert.deepEqual(
    (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "upd-role" }))).AttachedPolicies!.map((p) => p.PolicyArn),
    [out.Managed],
  );
  assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: "upd-role" }))).PolicyNames, ["b"]);
  assert.deepEqual(userTags((await iam.send(new ListRoleTagsCommand({ RoleName: "upd-role" }))).Tags), [{ Key: "y", Value: "2" }]);

  await update(iamProviders["AWS::IAM::User"], "User", "upd-user", { UserName: "upd-user", Groups: ["upd-g1"] }, { UserName: "upd-user", Groups: ["upd-g2"] });
  assert.deepEqual(
    (await iam.send(new ListGroupsForUserCommand({ UserName: "upd-user" }))).Groups!.map((g) => g.GroupName),
    ["upd-g2"],
  );

  const m = await update(
    iamProviders["AWS::IAM::ManagedPolicy"],
    "Managed",
    out.Managed,
    { PolicyDocument: allow("sqs:*"), Roles: ["upd-role"] },
    { PolicyDocument: allow("sqs:SendMessage"), Roles: [] },
  );
  assert.equal(m.attributes?.DefaultVersionId, "v2");
  assert.equal(m.attributes?.AttachmentCount, 0);
  const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: out.Managed, VersionId: "v2" }));
  assert.match(decodeURIComponent(version.PolicyVersion!.Document!), /sqs:SendMessage/);

  await update(iamProviders["AWS::IAM::AccessKey"], "Key", out.Key, { UserName: "upd-user" }, { UserName: "upd-user", Status: "Inactive" });
  assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: "upd-user" }))).AccessKeyMetadata![0].Status, "Inactive");

  await update(
    secretProviders["AWS::SecretsManager::Secret"],
    "Secret",
    out.Secret,
    { Name: "upd-secret", SecretString: "one", Description: "d1" },
    { Name: "upd-secret", SecretString: "two", Description: "d2", Tags: [{ Key: "t", Value: "v" }] },
  );
  assert.equal((await secrets.send(new GetSecretValueCommand({ SecretId: "upd-secret" }))).SecretString, "two");
  const d = await secrets.send(new DescribeSecretCommand({ SecretId: "upd-secret" }));
  assert.equal(d.Description, "d2");
  assert.deepEqual(userTags(d.Tags), [{ Key: "t", Value: "v" }]);

  // DeleteStack still removes everything (its recorded properties are the create's; deletes read the live state).
  await cfn.send(new DeleteStackCommand({ StackName: "upd" }));
  await waitUntilStackDeleteComplete(waiter(), { StackName: StackId });
  const [st] = (await cfn.send(new DescribeStacksCommand({ StackName: StackId }))).Stacks!;
  assert.equal(st.StackStatus, "DELETE_COMPLETE");
  await assert.rejects(iam.send(new GetUserCommand({ UserName: "upd-user" })), { name: "NoSuchEntityException" });
  await assert.rejects(iam.send(new GetRoleCommand({ RoleName: "upd-role" })), { name: "NoSuchEntityException" });
});
