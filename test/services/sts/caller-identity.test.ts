// sts:GetCallerIdentity through the real SDK v3 client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { useServer } from "../../helpers/server.js";

const server = useServer();

test("a 12-digit access key is its own account's root", async () => {
  const sts = server.client(STSClient, { account: "123456789012" });
  const id = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, "123456789012");
  assert.equal(id.Arn, "arn:aws:iam::123456789012:root");
});

test("any other key is account 000000000000", async () => {
  const sts = server.client(STSClient, { accessKeyId: "test" });
  const id = await sts.send(new GetCallerIdentityCommand({}));
  assert.equal(id.Account, "000000000000");
});
