// IAM roles with trust policies, and instance profiles, through the real SDK v3 client and boto3.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  IAMClient,
  CreateRoleCommand,
  GetRoleCommand,
  ListRolesCommand,
  UpdateRoleCommand,
  UpdateAssumeRolePolicyCommand,
  DeleteRoleCommand,
  TagRoleCommand,
  ListRoleTagsCommand,
  UntagRoleCommand,
  PutRolePolicyCommand,
  DeleteRolePolicyCommand,
  CreateInstanceProfileCommand,
  GetInstanceProfileCommand,
  AddRoleToInstanceProfileCommand,
  RemoveRoleFromInstanceProfileCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfilesCommand,
  DeleteInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";
import { findRoleByArn, recordRoleUsed } from "../../../src/services/iam/internal.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing } from "../../helpers/python.js";

const server = useServer();

const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

test("create, get, update and delete a role; the trust policy comes back URL-encoded", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: "fn", Path: "/service/", AssumeRolePolicyDocument: trust, Description: "d", Tags: [{ Key: "k", Value: "v" }] }),
  );
  assert.match(Role!.RoleId!, /^AROA[A-Z0-9]{17}$/);
  assert.equal(Role!.Arn, `arn:aws:iam::${account}:role/service/fn`);
  assert.equal(Role!.MaxSessionDuration, 3600);
  assert.equal(Role!.AssumeRolePolicyDocument, encodeURIComponent(trust));
  assert.equal(decodeURIComponent(Role!.AssumeRolePolicyDocument!), trust);

  await iam.send(new UpdateRoleCommand({ RoleName: "fn", MaxSessionDuration: 7200, Description: "new" }));
  const got = (await iam.send(new GetRoleCommand({ RoleName: "fn" }))).Role!;
  assert.equal(got.MaxSessionDuration, 7200);
  assert.equal(got.Description, "new");
  assert.deepEqual(got.Tags, [{ Key: "k", Value: "v" }]);
  assert.deepEqual(got.RoleLastUsed, {});

  const ec2Trust = trust.replace("lambda", "ec2");
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "fn", PolicyDocument: ec2Trust }));
  assert.equal(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: "fn" }))).Role!.AssumeRolePolicyDocument!), ec2Trust);

  // What STS sees through IAM's internal contract.
  const info = findRoleByArn(server.runtime.store, account, `arn:aws:iam::${account}:role/service/fn`)!;
  assert.equal(info.assumeRolePolicyDocument, ec2Trust);
  assert.equal(info.maxSessionDuration, 7200);
  assert.equal(findRoleByArn(server.runtime.store, account, `arn:aws:iam::${account}:role/fn`), undefined);
  recordRoleUsed(server.runtime.store, account, "fn", "eu-central-1", Date.now());
  assert.equal((await iam.send(new GetRoleCommand({ RoleName: "fn" }))).Role!.RoleLastUsed!.Region, "eu-central-1");

  await rejects(iam.send(new UpdateRoleCommand({ RoleName: "fn", MaxSessionDuration: 60 })), "ValidationError", 400);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: "fn",
      PolicyName: "p",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
    }),
  );
  await rejects(iam.send(new DeleteRoleCommand({ RoleName: "fn" })), "DeleteConflictException", 409, "Cannot delete entity, must delete policies first.");
  await iam.send(new DeleteRolePolicyCommand({ RoleName: "fn", PolicyName: "p" }));
  await iam.send(new DeleteRoleCommand({ RoleName: "fn" }));
  await rejects(iam.send(new GetRoleCommand({ RoleName: "fn" })), "NoSuchEntityException", 404, "The role with name fn cannot be found.");
});

test("trust policies are held to the grammar", async () => {
  const iam = server.client(IAMClient);
  const bad = async (doc: string, message: string) =>
    rejects(iam.send(new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: doc })), "MalformedPolicyDocumentException", 400, message);
  // AWS-recorded for CreateRole (LocalStack tests/aws/services/iam/test_iam.snapshot.json): JSON that does not parse.
  await bad("{not json", "This policy contains invalid Json");
  await bad(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] }), "Missing required field Principal");
  await bad(
    JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Resource: "*" }] }),
    "Has prohibited field Resource",
  );
  await rejects(iam.send(new GetRoleCommand({ RoleName: "r" })), "NoSuchEntityException", 404);
});

test("ListRoles pages and filters; tags on roles", async () => {
  const iam = server.client(IAMClient);
  for (const n of ["a", "b", "c"]) await iam.send(new CreateRoleCommand({ RoleName: n, Path: n === "b" ? "/app/" : "/", AssumeRolePolicyDocument: trust }));
  await rejects(
    iam.send(new CreateRoleCommand({ RoleName: "A", AssumeRolePolicyDocument: trust })),
    "EntityAlreadyExistsException",
    409,
    "Role with name A already exists.",
  );
  const first = await iam.send(new ListRolesCommand({ MaxItems: 2 }));
  assert.deepEqual(
    first.Roles!.map((r) => r.RoleName),
    ["a", "b"],
  );
  assert.equal(first.IsTruncated, true);
  const rest = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker: first.Marker }));
  assert.deepEqual(
    rest.Roles!.map((r) => r.RoleName),
    ["c"],
  );
  assert.equal(rest.IsTruncated, false);
  assert.deepEqual(
    (await iam.send(new ListRolesCommand({ PathPrefix: "/app/" }))).Roles!.map((r) => r.RoleName),
    ["b"],
  );

  await iam.send(
    new TagRoleCommand({
      RoleName: "a",
      Tags: [
        { Key: "env", Value: "dev" },
        { Key: "x", Value: "y" },
      ],
    }),
  );
  await iam.send(new UntagRoleCommand({ RoleName: "a", TagKeys: ["x"] }));
  assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: "a" }))).Tags, [{ Key: "env", Value: "dev" }]);
});

test("instance profiles hold one role; deletion order is enforced", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  await iam.send(new CreateRoleCommand({ RoleName: "web", AssumeRolePolicyDocument: trust }));
  await iam.send(new CreateRoleCommand({ RoleName: "other", AssumeRolePolicyDocument: trust }));
  const { InstanceProfile } = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "web-ip" }));
  assert.match(InstanceProfile!.InstanceProfileId!, /^AIPA[A-Z0-9]{17}$/);
  assert.equal(InstanceProfile!.Arn, `arn:aws:iam::${account}:instance-profile/web-ip`);
  assert.deepEqual(InstanceProfile!.Roles, []);
  await rejects(iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "web-ip" })), "EntityAlreadyExistsException", 409);

  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web-ip", RoleName: "web" }));
  await rejects(
    iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web-ip", RoleName: "other" })),
    "LimitExceededException",
    409,
    "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
  );
  const got = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "web-ip" }))).InstanceProfile!;
  assert.deepEqual(
    got.Roles!.map((r) => r.RoleName),
    ["web"],
  );
  const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "web" }));
  assert.deepEqual(
    forRole.InstanceProfiles!.map((p) => p.InstanceProfileName),
    ["web-ip"],
  );

  await rejects(
    iam.send(new DeleteRoleCommand({ RoleName: "web" })),
    "DeleteConflictException",
    409,
    "Cannot delete entity, must remove roles from instance profile first.",
  );
  await rejects(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "web-ip" })), "DeleteConflictException", 409);
  await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "web-ip", RoleName: "web" }));
  await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "web-ip" }));
  await iam.send(new DeleteRoleCommand({ RoleName: "web" }));
  assert.deepEqual((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles, []);
  await rejects(
    iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "web-ip" })),
    "NoSuchEntityException",
    404,
    "Instance Profile web-ip cannot be found.",
  );
});

const noBoto3 = pythonMissing();

test("boto3: role with trust policy, paging with a paginator, NoSuchEntity", { skip: noBoto3 }, async () => {
  const account = randomAccount();
  const script = `
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="test")
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
for i in range(3):
    iam.create_role(RoleName=f"py{i}", AssumeRolePolicyDocument=json.dumps(trust))
role = iam.get_role(RoleName="py1")["Role"]
names = [r["RoleName"] for p in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 1}) for r in p["Roles"]]
try:
    iam.get_role(RoleName="nope")
    err = None
except iam.exceptions.NoSuchEntityException as e:
    err = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({"arn": role["Arn"], "trust": role["AssumeRolePolicyDocument"], "names": names, "err": err}))
`;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn("python3", ["-c", script, server.url, account]);
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(stderr))));
  });
  const r = JSON.parse(out);
  assert.equal(r.arn, `arn:aws:iam::${account}:role/py1`);
  // boto3 decodes the URL-encoded document into a dict.
  assert.deepEqual(r.trust.Statement[0].Principal, { Service: "ec2.amazonaws.com" });
  assert.deepEqual(r.names, ["py0", "py1", "py2"]);
  assert.deepEqual(r.err, ["NoSuchEntity", "The role with name nope cannot be found.", 404]);
});
