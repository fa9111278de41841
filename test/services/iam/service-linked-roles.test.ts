// Service-linked roles through the real SDK v3 client and boto3: AWS's names and paths, custom suffixes, the
// protection of the role (only its service changes or deletes it), DeleteServiceLinkedRole and its deletion status.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreateServiceLinkedRoleCommand,
  DeleteServiceLinkedRoleCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  GetRoleCommand,
  DeleteRoleCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  AttachRolePolicyCommand,
  CreateRoleCommand,
} from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { pythonMissing, run } from "../../helpers/python.js";

const server = useServer();

test("CreateServiceLinkedRole names the role as AWS does, under /aws-service-role/<service>/, trusting the service", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const { Role } = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "elasticbeanstalk.amazonaws.com", Description: "beanstalk" }));
  assert.equal(Role!.RoleName, "AWSServiceRoleForElasticBeanstalk");
  assert.equal(Role!.Path, "/aws-service-role/elasticbeanstalk.amazonaws.com/");
  assert.equal(Role!.Arn, `arn:aws:iam::${account}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk`);
  assert.equal(Role!.Description, "beanstalk");
  const trust = JSON.parse(decodeURIComponent(Role!.AssumeRolePolicyDocument!));
  assert.deepEqual(trust.Statement[0].Principal, { Service: ["elasticbeanstalk.amazonaws.com"] });
  assert.deepEqual(trust.Statement[0].Action, ["sts:AssumeRole"]);

  const asg = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "autoscaling.amazonaws.com" }));
  assert.equal(asg.Role!.RoleName, "AWSServiceRoleForAutoScaling");
  // A suffix where the service takes one.
  const suffixed = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "autoscaling.amazonaws.com", CustomSuffix: "fleet" }));
  assert.equal(suffixed.Role!.RoleName, "AWSServiceRoleForAutoScaling_fleet");
  // A service not in Stratus's table: named from its first label.
  const other = await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "ec2-instance-connect.amazonaws.com" }));
  assert.equal(other.Role!.RoleName, "AWSServiceRoleForEc2InstanceConnect");

  const got = await iam.send(new GetRoleCommand({ RoleName: "AWSServiceRoleForElasticBeanstalk" }));
  assert.equal(got.Role!.Path, "/aws-service-role/elasticbeanstalk.amazonaws.com/");
});

test("CreateServiceLinkedRole refusals: a suffix the service does not take, a name already taken", async () => {
  const iam = server.client(IAMClient);
  await rejects(
    iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "elasticbeanstalk.amazonaws.com", CustomSuffix: "x" })),
    "InvalidInputException",
    400,
    "Custom suffix is not allowed for elasticbeanstalk.amazonaws.com",
  );
  await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "ecs.amazonaws.com" }));
  await rejects(
    iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "ecs.amazonaws.com" })),
    "InvalidInputException",
    400,
    "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
  );
  await rejects(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "not a service" })), "ValidationError", 400);
  await rejects(iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "example.com" })), "InvalidInputException", 400);
});

test("a service-linked role is only modifiable by AWS; DeleteServiceLinkedRole deletes it and reports the task", async () => {
  const iam = server.client(IAMClient);
  await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: "rds.amazonaws.com" }));
  const protectedRole = "Cannot perform the operation on the protected role 'AWSServiceRoleForRDS' - this role is only modifiable by AWS";
  await rejects(iam.send(new DeleteRoleCommand({ RoleName: "AWSServiceRoleForRDS" })), "UnmodifiableEntityException", 400, protectedRole);
  await rejects(
    iam.send(
      new PutRolePolicyCommand({
        RoleName: "AWSServiceRoleForRDS",
        PolicyName: "p",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
      }),
    ),
    "UnmodifiableEntityException",
    400,
    protectedRole,
  );
  await rejects(
    iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "AWSServiceRoleForRDS",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }),
      }),
    ),
    "UnmodifiableEntityException",
    400,
    protectedRole,
  );
  await rejects(
    iam.send(new AttachRolePolicyCommand({ RoleName: "AWSServiceRoleForRDS", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })),
    "UnmodifiableEntityException",
    400,
    protectedRole,
  );

  const { DeletionTaskId } = await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: "AWSServiceRoleForRDS" }));
  assert.match(DeletionTaskId!, /^task\/aws-service-role\/rds\.amazonaws\.com\/AWSServiceRoleForRDS\/[0-9a-f-]{36}$/);
  const status = await iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }));
  assert.equal(status.Status, "SUCCEEDED");
  await rejects(
    iam.send(new GetRoleCommand({ RoleName: "AWSServiceRoleForRDS" })),
    "NoSuchEntityException",
    404,
    "The role with name AWSServiceRoleForRDS cannot be found.",
  );
  await rejects(iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: "AWSServiceRoleForRDS" })), "NoSuchEntityException", 404);
  await rejects(iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: "bogus" })), "InvalidInputException", 400);

  // An ordinary role is not deleted through DeleteServiceLinkedRole.
  await iam.send(
    new CreateRoleCommand({
      RoleName: "plain",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
  await rejects(iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: "plain" })), "InvalidInputException", 400);
});

const boto3Missing = pythonMissing();
const BOTO3 = `
import boto3, json, sys
iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="x")
role = iam.create_service_linked_role(AWSServiceName="elasticloadbalancing.amazonaws.com")["Role"]
task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]
print(json.dumps({"name": role["RoleName"], "path": role["Path"], "status": status}))
`;
test("boto3: create, delete and check a service-linked role", { skip: boto3Missing }, async () => {
  const out = JSON.parse((await run("python3", ["-c", BOTO3, server.url, randomAccount()], { timeout: 60_000 })).stdout);
  assert.deepEqual(out, { name: "AWSServiceRoleForElasticLoadBalancing", path: "/aws-service-role/elasticloadbalancing.amazonaws.com/", status: "SUCCEEDED" });
});
