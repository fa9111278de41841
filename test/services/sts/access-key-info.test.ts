// sts:GetAccessKeyInfo: the account behind IAM keys, STS session keys, and keys Stratus never issued.
import { test } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetAccessKeyInfoCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { randomAccount, useServer } from "../../helpers/server.js";
import { createUserWithKey } from "./setup.js";

const server = useServer();

const stsFrom = (account: string) => server.client(STSClient, { account });

test("an STS session key names the account that requested it", async () => {
  const owner = randomAccount();
  const { Credentials } = await stsFrom(owner).send(new GetSessionTokenCommand({}));
  const info = await stsFrom(randomAccount()).send(new GetAccessKeyInfoCommand({ AccessKeyId: Credentials!.AccessKeyId! }));
  assert.equal(info.Account, owner);
});

test("keys Stratus never issued are account 000000000000", async () => {
  const sts = stsFrom(randomAccount());
  assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: "1234567890123456" }))).Account, "000000000000");
  assert.equal((await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: "AKIAIOSFODNN7EXAMPLE" }))).Account, "000000000000");
  // A 12-digit key would be its own account, but the model's minimum length (16) refuses it first.
  await assert.rejects(sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: "123456789012" })), (e: Error) => e.name === "ValidationError");
});

test("an IAM user's access key names the user's account", async () => {
  const owner = randomAccount();
  const { keys } = await createUserWithKey(server, owner, "keyholder");
  const info = await stsFrom(randomAccount()).send(new GetAccessKeyInfoCommand({ AccessKeyId: keys.accessKeyId }));
  assert.equal(info.Account, owner);
});
