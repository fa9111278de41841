// The CloudTrailEvent records of real IAM and STS calls: who (root, IAM user, assumed role) and
// what was hidden (new access keys' secrets, login-profile passwords), read back through LookupEvents.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudTrailClient, LookupEventsCommand, type Event } from "@aws-sdk/client-cloudtrail";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, CreateLoginProfileCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";

const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";

let account: string;
let ct: CloudTrailClient;
let key: { AccessKeyId: string; SecretAccessKey: string };
let roleId: string;

const server = useServer({}, async (server) => {
  account = randomAccount();
  const iam = server.client(IAMClient, { account });
  ct = server.client(CloudTrailClient, { account });
  await iam.send(new CreateUserCommand({ UserName: "alice" }));
  const created = await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
  key = { AccessKeyId: created.AccessKey!.AccessKeyId!, SecretAccessKey: created.AccessKey!.SecretAccessKey! };
  await iam.send(new CreateLoginProfileCommand({ UserName: "alice", Password: "Corr3ct-Horse-Battery!", PasswordResetRequired: true }));
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole" }] };
  const role = await iam.send(new CreateRoleCommand({ RoleName: "Deployer", AssumeRolePolicyDocument: JSON.stringify(trust) }));
  roleId = role.Role!.RoleId!;
});

async function only(name: string, value: string, key: "EventName" | "Username" | "AccessKeyId" = "EventName"): Promise<{ event: Event; record: any }> {
  const { Events } = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: key, AttributeValue: value }] }));
  const matching = (Events ?? []).filter((e) => key !== "EventName" || e.EventName === name);
  assert.ok(matching.length >= 1, `no ${key}=${value} event`);
  return { event: matching[0], record: JSON.parse(matching[0].CloudTrailEvent!) };
}

test("root's write call: userIdentity, requestParameters, responseElements, resources", async () => {
  const { event, record } = await only("CreateUser", "CreateUser");
  assert.equal(event.ReadOnly, "false");
  assert.deepEqual(event.Resources, [{ ResourceType: "AWS::IAM::User", ResourceName: "alice" }]);
  assert.deepEqual(record.userIdentity, { type: "Root", principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account, accessKeyId: account });
  assert.deepEqual(record.requestParameters, { userName: "alice" });
  assert.equal(record.responseElements.user.userName, "alice");
  assert.equal(record.responseElements.user.arn, `arn:aws:iam::${account}:user/alice`);
  assert.match(record.responseElements.user.createDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(record.readOnly, false);
});

test("CreateAccessKey's secret is hidden in responseElements, the key id kept", async () => {
  const { event, record } = await only("CreateAccessKey", "CreateAccessKey");
  assert.equal(record.responseElements.accessKey.accessKeyId, key.AccessKeyId);
  assert.equal(record.responseElements.accessKey.secretAccessKey, HIDDEN);
  assert.ok(!event.CloudTrailEvent!.includes(key.SecretAccessKey));
  assert.deepEqual(
    [...event.Resources!].sort((a, b) => a.ResourceType!.localeCompare(b.ResourceType!)),
    [
      { ResourceType: "AWS::IAM::AccessKey", ResourceName: key.AccessKeyId },
      { ResourceType: "AWS::IAM::User", ResourceName: "alice" },
    ],
  );
});

test("CreateLoginProfile's password is hidden in requestParameters", async () => {
  const { event, record } = await only("CreateLoginProfile", "CreateLoginProfile");
  assert.deepEqual(record.requestParameters, { userName: "alice", password: HIDDEN, passwordResetRequired: true });
  assert.ok(!event.CloudTrailEvent!.includes("Corr3ct-Horse-Battery!"));
});

test("an IAM user's call names the user, and is found by Username and AccessKeyId", async () => {
  await server.client(STSClient, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }).send(new GetCallerIdentityCommand({}));
  const { event, record } = await only("GetCallerIdentity", "alice", "Username");
  assert.equal(event.EventName, "GetCallerIdentity");
  assert.equal(event.AccessKeyId, key.AccessKeyId);
  assert.equal(record.userIdentity.type, "IAMUser");
  assert.equal(record.userIdentity.userName, "alice");
  assert.equal(record.userIdentity.arn, `arn:aws:iam::${account}:user/alice`);
  assert.equal(record.userIdentity.accountId, account);
  assert.equal(record.userIdentity.accessKeyId, key.AccessKeyId);
  assert.match(record.userIdentity.principalId, /^AIDA/);
  assert.equal((await only("GetCallerIdentity", key.AccessKeyId, "AccessKeyId")).event.EventId, event.EventId);
});

test("an assumed role's call carries the sessionContext; AssumeRole is read-only and leaks no secret", async () => {
  const asAlice = server.client(STSClient, { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey });
  const assumed = await asAlice.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/Deployer`, RoleSessionName: "build-7" }));
  const c = assumed.Credentials!;
  await server
    .client(STSClient, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken })
    .send(new GetCallerIdentityCommand({}));

  const { event, record } = await only("GetCallerIdentity", "build-7", "Username");
  assert.equal(event.AccessKeyId, c.AccessKeyId);
  const id = record.userIdentity;
  assert.equal(id.type, "AssumedRole");
  assert.equal(id.principalId, `${roleId}:build-7`);
  assert.equal(id.arn, `arn:aws:sts::${account}:assumed-role/Deployer/build-7`);
  assert.equal(id.accountId, account);
  assert.equal(id.accessKeyId, c.AccessKeyId);
  assert.deepEqual(id.sessionContext.sessionIssuer, {
    type: "Role",
    principalId: roleId,
    arn: `arn:aws:iam::${account}:role/Deployer`,
    accountId: account,
    userName: "Deployer",
  });
  assert.equal(id.sessionContext.attributes.mfaAuthenticated, "false");
  assert.match(id.sessionContext.attributes.creationDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const assume = await only("AssumeRole", "AssumeRole");
  assert.equal(assume.event.ReadOnly, "true");
  assert.equal(assume.record.userIdentity.userName, "alice");
  assert.deepEqual(assume.record.requestParameters, { roleArn: `arn:aws:iam::${account}:role/Deployer`, roleSessionName: "build-7" });
  assert.deepEqual(assume.event.Resources, [{ ResourceType: "AWS::IAM::Role", ResourceName: `arn:aws:iam::${account}:role/Deployer` }]);
  assert.ok(!assume.event.CloudTrailEvent!.includes(c.SecretAccessKey!));
  assert.ok(!assume.event.CloudTrailEvent!.includes(c.SessionToken!));
});
