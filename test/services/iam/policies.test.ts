// Managed policies with versions, attachments, inline policies and the account summary, through the real SDK v3 client.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreatePolicyCommand,
  GetPolicyCommand,
  ListPoliciesCommand,
  CreatePolicyVersionCommand,
  GetPolicyVersionCommand,
  ListPolicyVersionsCommand,
  SetDefaultPolicyVersionCommand,
  DeletePolicyVersionCommand,
  DeletePolicyCommand,
  CreateUserCommand,
  CreateGroupCommand,
  CreateRoleCommand,
  AttachUserPolicyCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  DetachUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  ListAttachedUserPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  PutUserPolicyCommand,
  GetUserPolicyCommand,
  ListUserPoliciesCommand,
  DeleteUserPolicyCommand,
  PutGroupPolicyCommand,
  GetGroupPolicyCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  ListRolePoliciesCommand,
  DeleteUserCommand,
  TagPolicyCommand,
  ListPolicyTagsCommand,
  UntagPolicyCommand,
  GetAccountSummaryCommand,
  CreateAccessKeyCommand,
  AddUserToGroupCommand,
  CreateInstanceProfileCommand,
  CreateVirtualMFADeviceCommand,
} from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const policyDoc = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

test("managed policy versions: create, default switching, 5-version limit, deletion rules", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const { Policy } = await iam.send(
    new CreatePolicyCommand({
      PolicyName: "s3-read",
      Path: "/app/",
      PolicyDocument: policyDoc("s3:GetObject"),
      Description: "read",
      Tags: [{ Key: "a", Value: "b" }],
    }),
  );
  assert.equal(Policy!.Arn, `arn:aws:iam::${account}:policy/app/s3-read`);
  assert.match(Policy!.PolicyId!, /^ANPA[A-Z0-9]{17}$/);
  assert.equal(Policy!.DefaultVersionId, "v1");
  assert.equal(Policy!.AttachmentCount, 0);
  assert.equal(Policy!.IsAttachable, true);
  const arn = Policy!.Arn!;
  await rejects(
    iam.send(new CreatePolicyCommand({ PolicyName: "s3-read", PolicyDocument: policyDoc("s3:GetObject") })),
    "EntityAlreadyExistsException",
    409,
    "A policy called s3-read already exists. Duplicate names are not allowed.",
  );

  const v2 = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyDoc("s3:*"), SetAsDefault: true }));
  assert.equal(v2.PolicyVersion!.VersionId, "v2");
  assert.equal(v2.PolicyVersion!.IsDefaultVersion, true);
  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId, "v2");
  const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
  assert.equal(got.PolicyVersion!.Document, encodeURIComponent(policyDoc("s3:*")));
  for (const a of ["s3:A", "s3:B", "s3:C"]) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyDoc(a) }));
  await rejects(
    iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyDoc("s3:D") })),
    "LimitExceededException",
    409,
    "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
  );
  const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
  assert.deepEqual(
    versions.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion]),
    [
      ["v5", false],
      ["v4", false],
      ["v3", false],
      ["v2", true],
      ["v1", false],
    ],
  );

  await rejects(
    iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" })),
    "DeleteConflictException",
    409,
    "Cannot delete the default version of a policy.",
  );
  await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }));
  await rejects(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v9" })), "NoSuchEntityException", 404);
  await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), "DeleteConflictException", 409);
  for (const v of ["v1", "v2", "v3", "v4"]) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
  // Version ids are never reused.
  assert.equal((await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyDoc("s3:E") }))).PolicyVersion!.VersionId, "v6");
  await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v6" }));

  await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: "c", Value: "d" }] }));
  await iam.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ["a"] }));
  assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [{ Key: "c", Value: "d" }]);

  await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  await rejects(iam.send(new GetPolicyCommand({ PolicyArn: arn })), "NoSuchEntityException", 404, `Policy ${arn} was not found.`);
});

test("managed policies are checked against the grammar", async () => {
  const iam = server.client(IAMClient);
  const bad = (doc: string, message: string) =>
    rejects(iam.send(new CreatePolicyCommand({ PolicyName: "p", PolicyDocument: doc })), "MalformedPolicyDocumentException", 400, message);
  await bad("nope", "Syntax errors in policy.");
  await bad(
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }] }),
    "Policy document should not specify a principal.",
  );
  await bad(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*" }] }), "Policy statement must contain resources.");
});

test("attachments to users, groups and roles; AttachmentCount; ListEntitiesForPolicy; ListPolicies scopes", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: "p", PolicyDocument: policyDoc("sqs:*") }))).Policy!.Arn!;
  const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
  await iam.send(new CreateUserCommand({ UserName: "u" }));
  await iam.send(new CreateGroupCommand({ GroupName: "g" }));
  await iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: trust }));
  await iam.send(new AttachUserPolicyCommand({ UserName: "u", PolicyArn: arn }));
  await iam.send(new AttachGroupPolicyCommand({ GroupName: "g", PolicyArn: arn }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: "r", PolicyArn: arn }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: "r", PolicyArn: admin }));
  await rejects(
    iam.send(new AttachRolePolicyCommand({ RoleName: "r", PolicyArn: "arn:aws:iam::aws:policy/Nope" })),
    "NoSuchEntityException",
    404,
    "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.",
  );
  await rejects(
    iam.send(new AttachRolePolicyCommand({ RoleName: "missing", PolicyArn: arn })),
    "NoSuchEntityException",
    404,
    "The role with name missing cannot be found.",
  );

  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount, 3);
  assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: admin }))).Policy!.AttachmentCount, 1);
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "r" }));
  assert.deepEqual(attached.AttachedPolicies!.map((p) => p.PolicyName).sort(), ["AdministratorAccess", "p"]);

  const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
  assert.deepEqual(
    entities.PolicyUsers!.map((e) => e.UserName),
    ["u"],
  );
  assert.deepEqual(
    entities.PolicyGroups!.map((e) => e.GroupName),
    ["g"],
  );
  assert.deepEqual(
    entities.PolicyRoles!.map((e) => e.RoleName),
    ["r"],
  );
  const onlyRoles = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, EntityFilter: "Role" }));
  assert.deepEqual([onlyRoles.PolicyUsers, onlyRoles.PolicyGroups, onlyRoles.PolicyRoles!.length], [[], [], 1]);

  const local = await iam.send(new ListPoliciesCommand({ Scope: "Local" }));
  assert.deepEqual(
    local.Policies!.map((p) => p.Arn),
    [arn],
  );
  const attachedOnly = await iam.send(new ListPoliciesCommand({ OnlyAttached: true }));
  assert.deepEqual(attachedOnly.Policies!.map((p) => p.PolicyName).sort(), ["AdministratorAccess", "p"]);
  const awsPage = await iam.send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 1 }));
  assert.equal(awsPage.Policies!.length, 1);
  assert.equal(awsPage.IsTruncated, true);
  const next = await iam.send(new ListPoliciesCommand({ Scope: "AWS", MaxItems: 1, Marker: awsPage.Marker }));
  assert.notEqual(next.Policies![0].Arn, awsPage.Policies![0].Arn);
  const lambdaBasic = await iam.send(new ListPoliciesCommand({ Scope: "AWS", PathPrefix: "/service-role/" }));
  assert.ok(lambdaBasic.Policies!.some((p) => p.Arn === "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"));
  // The CDK's RestApi CloudWatch role attaches AmazonAPIGatewayPushToCloudWatchLogs.
  const pushLogs = await iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs" }));
  assert.equal(pushLogs.Policy!.Path, "/service-role/");

  await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), "DeleteConflictException", 409, "Cannot delete a policy attached to entities.");
  await rejects(iam.send(new DeleteUserCommand({ UserName: "u" })), "DeleteConflictException", 409, "Cannot delete entity, must detach all policies first.");
  await iam.send(new DetachUserPolicyCommand({ UserName: "u", PolicyArn: arn }));
  await iam.send(new DetachGroupPolicyCommand({ GroupName: "g", PolicyArn: arn }));
  await iam.send(new DetachRolePolicyCommand({ RoleName: "r", PolicyArn: arn }));
  await rejects(iam.send(new DetachRolePolicyCommand({ RoleName: "r", PolicyArn: arn })), "NoSuchEntityException", 404, `Policy ${arn} was not found.`);
  assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "u" }))).AttachedPolicies, []);
  await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
});

test("inline policies on users, groups and roles", async () => {
  const iam = server.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: "u" }));
  await iam.send(new CreateGroupCommand({ GroupName: "g" }));
  await iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: trust }));
  const doc = policyDoc("dynamodb:GetItem");
  await iam.send(new PutUserPolicyCommand({ UserName: "u", PolicyName: "b", PolicyDocument: doc }));
  await iam.send(new PutUserPolicyCommand({ UserName: "u", PolicyName: "a", PolicyDocument: doc }));
  await iam.send(new PutGroupPolicyCommand({ GroupName: "g", PolicyName: "gp", PolicyDocument: doc }));
  await iam.send(new PutRolePolicyCommand({ RoleName: "r", PolicyName: "rp", PolicyDocument: doc }));

  const got = await iam.send(new GetUserPolicyCommand({ UserName: "u", PolicyName: "a" }));
  assert.deepEqual([got.UserName, got.PolicyName, got.PolicyDocument], ["u", "a", encodeURIComponent(doc)]);
  assert.equal((await iam.send(new GetGroupPolicyCommand({ GroupName: "g", PolicyName: "gp" }))).GroupName, "g");
  assert.equal(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: "r", PolicyName: "rp" }))).PolicyDocument!), doc);
  assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: "u" }))).PolicyNames, ["a", "b"]);
  const p1 = await iam.send(new ListUserPoliciesCommand({ UserName: "u", MaxItems: 1 }));
  assert.deepEqual([p1.PolicyNames, p1.IsTruncated], [["a"], true]);
  assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: "r" }))).PolicyNames, ["rp"]);

  await rejects(
    iam.send(new GetUserPolicyCommand({ UserName: "u", PolicyName: "zz" })),
    "NoSuchEntityException",
    404,
    "The user policy with name zz cannot be found.",
  );
  await rejects(
    iam.send(
      new PutUserPolicyCommand({
        UserName: "u",
        PolicyName: "bad",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }),
      }),
    ),
    "MalformedPolicyDocumentException",
    400,
    "Policy statement must contain actions.",
  );
  await rejects(iam.send(new DeleteUserCommand({ UserName: "u" })), "DeleteConflictException", 409, "Cannot delete entity, must delete policies first.");
  await iam.send(new DeleteUserPolicyCommand({ UserName: "u", PolicyName: "a" }));
  await iam.send(new DeleteUserPolicyCommand({ UserName: "u", PolicyName: "b" }));
  await iam.send(new DeleteUserCommand({ UserName: "u" }));
});

test("GetAccountSummary counts the account's entities with AWS's quotas", async () => {
  const iam = server.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: "u1" }));
  await iam.send(new CreateUserCommand({ UserName: "u2" }));
  await iam.send(new CreateGroupCommand({ GroupName: "g" }));
  await iam.send(new AddUserToGroupCommand({ GroupName: "g", UserName: "u1" }));
  await iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: trust }));
  await iam.send(new CreatePolicyCommand({ PolicyName: "p", PolicyDocument: policyDoc("s3:*") }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "ip" }));
  await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "m" }));
  await iam.send(new CreateAccessKeyCommand({ UserName: "u1" }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: "r", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }));
  const { SummaryMap: s } = await iam.send(new GetAccountSummaryCommand({}));
  assert.equal(s!.Users, 2);
  assert.equal(s!.Groups, 1);
  assert.equal(s!.Roles, 1);
  assert.equal(s!.Policies, 1);
  assert.equal(s!.InstanceProfiles, 1);
  assert.equal(s!.MFADevices, 1);
  assert.equal(s!.MFADevicesInUse, 0);
  assert.equal(s!.PolicyVersionsInUse, 1);
  assert.equal(s!.UsersQuota, 5000);
  assert.equal(s!.AccessKeysPerUserQuota, 2);
  assert.equal(s!.VersionsPerPolicyQuota, 5);
  assert.equal(s!.AttachedPoliciesPerRoleQuota, 10);
});

test("a policy name where an ARN is expected: ValidationError 'Invalid ARN:  Could not be parsed!' before any lookup", async () => {
  const iam = server.client(IAMClient, { account: randomAccount() });
  const message = "Invalid ARN:  Could not be parsed!";
  // Shorter than the model's 20-character minimum too: the ARN check comes first. The user and role do not exist:
  // validation comes before the lookup.
  for (const PolicyArn of ["ReadOnlyAccess", "AdministratorAccessForEverything"]) {
    await rejects(iam.send(new AttachUserPolicyCommand({ UserName: "nobody", PolicyArn })), "ValidationError", 400, message);
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: "nobody", PolicyArn })), "ValidationError", 400, message);
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn })), "ValidationError", 400, message);
  }
  // A well-formed ARN of a policy that is not there is still NoSuchEntity.
  const missing = "arn:aws:iam::aws:policy/NoSuchPolicyHere";
  await iam.send(new CreateUserCommand({ UserName: "u" }));
  await rejects(iam.send(new AttachUserPolicyCommand({ UserName: "u", PolicyArn: missing })), "NoSuchEntityException", 404);
});

test("AWSCloudFormationReadOnlyAccess, which the CDK bootstrap template's DeploymentActionRole attaches, exists", async () => {
  const iam = server.client(IAMClient, { account: randomAccount() });
  const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/AWSCloudFormationReadOnlyAccess" }));
  assert.deepEqual([Policy!.PolicyName, Policy!.Path, Policy!.IsAttachable], ["AWSCloudFormationReadOnlyAccess", "/", true]);
  await iam.send(new CreateRoleCommand({ RoleName: "cfn-read", AssumeRolePolicyDocument: trust }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: "cfn-read", PolicyArn: Policy!.Arn }));
});
