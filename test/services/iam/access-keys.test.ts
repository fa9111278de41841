// IAM access keys: quota, status, deletion, last use, and keys that sign requests as their user (STS, AWS CLI).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreateUserCommand,
  CreateAccessKeyCommand,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  DeleteUserCommand,
} from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { randomAccount, useServer } from "../../helpers/server.js";
import { iamCredentialSource } from "../../../src/services/iam/credentials.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();

test("two keys per user, AWS formats, status updates, deletion", async () => {
  const iam = server.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: "kim" }));
  const a = (await iam.send(new CreateAccessKeyCommand({ UserName: "kim" }))).AccessKey!;
  assert.match(a.AccessKeyId!, /^AKIA[A-Z0-9]{16}$/);
  assert.equal(a.SecretAccessKey!.length, 40);
  assert.equal(a.Status, "Active");
  assert.equal(a.UserName, "kim");
  await iam.send(new CreateAccessKeyCommand({ UserName: "kim" }));
  await rejects(iam.send(new CreateAccessKeyCommand({ UserName: "kim" })), "LimitExceededException", 409, "Cannot exceed quota for AccessKeysPerUser: 2");

  await iam.send(new UpdateAccessKeyCommand({ UserName: "kim", AccessKeyId: a.AccessKeyId, Status: "Inactive" }));
  const list = await iam.send(new ListAccessKeysCommand({ UserName: "kim" }));
  assert.equal(list.AccessKeyMetadata!.length, 2);
  assert.equal(list.AccessKeyMetadata!.find((m) => m.AccessKeyId === a.AccessKeyId)!.Status, "Inactive");
  assert.equal(
    list.AccessKeyMetadata!.some((m) => "SecretAccessKey" in m),
    false,
  );

  await rejects(iam.send(new DeleteUserCommand({ UserName: "kim" })), "DeleteConflictException", 409, "Cannot delete entity, must delete access keys first.");
  for (const m of list.AccessKeyMetadata!) await iam.send(new DeleteAccessKeyCommand({ UserName: "kim", AccessKeyId: m.AccessKeyId }));
  await rejects(
    iam.send(new DeleteAccessKeyCommand({ UserName: "kim", AccessKeyId: a.AccessKeyId })),
    "NoSuchEntityException",
    404,
    `The Access Key with id ${a.AccessKeyId} cannot be found.`,
  );
  await iam.send(new DeleteUserCommand({ UserName: "kim" }));
  await rejects(iam.send(new CreateAccessKeyCommand({ UserName: "kim" })), "NoSuchEntityException", 404, "The user with name kim cannot be found.");
});

test("a key created in account A signs as its user in account A (STS GetCallerIdentity)", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const { User } = await iam.send(new CreateUserCommand({ UserName: "deployer", Path: "/ci/" }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "deployer" }))).AccessKey!;
  const sts = server.client(STSClient, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
  const id = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, account);
  assert.equal(id.Arn, `arn:aws:iam::${account}:user/ci/deployer`);
  assert.equal(id.UserId, User!.UserId);

  // Without UserName, key operations act on the calling user.
  const asUser = server.client(IAMClient, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
  const mine = await asUser.send(new ListAccessKeysCommand({}));
  assert.deepEqual(
    mine.AccessKeyMetadata!.map((m) => m.AccessKeyId),
    [key.AccessKeyId],
  );
});

test("GetAccessKeyLastUsed: N/A until used, then the service and region (throttled writes)", async () => {
  const iam = server.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: "u" }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "u" }))).AccessKey!;
  const before = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
  assert.equal(before.UserName, "u");
  assert.deepEqual(before.AccessKeyLastUsed, { ServiceName: "N/A", Region: "N/A" });

  const cred = iamCredentialSource(key.AccessKeyId!, server.runtime.store)!;
  assert.equal(cred.status, "Active");
  assert.equal(cred.secretAccessKey, key.SecretAccessKey);
  const t0 = Date.now();
  cred.markUsed!("s3", "eu-west-1", t0);
  cred.markUsed!("sqs", "us-east-1", t0 + 1000); // within a minute: not written
  const after1 = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
  assert.equal(after1.AccessKeyLastUsed!.ServiceName, "s3");
  assert.equal(after1.AccessKeyLastUsed!.Region, "eu-west-1");
  assert.ok(Math.abs(after1.AccessKeyLastUsed!.LastUsedDate!.getTime() - t0) < 1000);
  cred.markUsed!("sqs", "us-east-1", t0 + 61_000);
  const after2 = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
  assert.equal(after2.AccessKeyLastUsed!.ServiceName, "sqs");

  await iam.send(new UpdateAccessKeyCommand({ UserName: "u", AccessKeyId: key.AccessKeyId, Status: "Inactive" }));
  assert.equal(iamCredentialSource(key.AccessKeyId!, server.runtime.store)!.status, "Inactive");
  assert.equal(iamCredentialSource("AKIAUNKNOWNKEY000000", server.runtime.store), undefined);
});

test("a real request signed with an IAM key records its last use (service and region)", async () => {
  const iam = server.client(IAMClient);
  await iam.send(new CreateUserCommand({ UserName: "worker" }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "worker" }))).AccessKey!;
  const asWorker = new STSClient({
    ...server.clientConfig({ region: "eu-west-2" }),
    credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
  });
  await asWorker.send(new GetCallerIdentityCommand({}));
  const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
  assert.equal(used.AccessKeyLastUsed!.ServiceName, "sts");
  assert.equal(used.AccessKeyLastUsed!.Region, "eu-west-2");
});

const clis = awsClis();
if (!clis.length) test("AWS CLI: create a user and key, then call STS with the new key", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create a user and key, then call STS with the new key`, async () => {
    const account = randomAccount();
    const aws = (args: string[], keyId: string, secret: string) => runAws(cli, server.url, args, { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret });
    const created = await aws(["iam", "create-user", "--user-name", "cli-user"], account, "test");
    assert.equal(created.status, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).User.Arn, `arn:aws:iam::${account}:user/cli-user`);
    const dup = await aws(["iam", "create-user", "--user-name", "cli-user"], account, "test");
    assert.notEqual(dup.status, 0);
    assert.match(dup.stderr, /EntityAlreadyExists.*User with name cli-user already exists\./);
    const key = JSON.parse((await aws(["iam", "create-access-key", "--user-name", "cli-user"], account, "test")).stdout).AccessKey;
    const who = await aws(["sts", "get-caller-identity"], key.AccessKeyId, key.SecretAccessKey);
    assert.equal(who.status, 0, who.stderr);
    assert.equal(JSON.parse(who.stdout).Arn, `arn:aws:iam::${account}:user/cli-user`);
  });
