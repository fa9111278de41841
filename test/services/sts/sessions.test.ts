// Issued sessions are durable across a restart and sign like real keys when signatures are checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { createRole, createUserWithKey, keysOf, stsWith, trust } from "./setup.js";

test("an assumed-role session survives a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-sts-"));
  try {
    const account = randomAccount();
    let server = await startTestServer({ dataDir });
    const { keys } = await createUserWithKey(server, account, "persist");
    const role = await createRole(server, account, "durable", trust({ AWS: account }));
    const out = await stsWith(server, keys).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: "before-restart" }));
    await server.close();

    server = await startTestServer({ dataDir });
    try {
      const id = await stsWith(server, keysOf(out.Credentials)).send(new GetCallerIdentityCommand({}));
      assert.equal(id.Arn, `arn:aws:sts::${account}:assumed-role/durable/before-restart`);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("with --auth sigv4, session credentials verify with their own secret and token", async () => {
  const server = await startTestServer({ auth: "sigv4" });
  try {
    const account = randomAccount();
    const { Credentials } = await new STSClient(server.clientConfig({ account })).send(new GetSessionTokenCommand({}));
    const keys = keysOf(Credentials);
    const id = await stsWith(server, keys).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, account);
    await assert.rejects(
      stsWith(server, { ...keys, secretAccessKey: "x".repeat(40) }).send(new GetCallerIdentityCommand({})),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.name, "SignatureDoesNotMatch");
        assert.equal(e.$metadata?.httpStatusCode, 403);
        return true;
      },
    );
  } finally {
    await server.close();
  }
});
