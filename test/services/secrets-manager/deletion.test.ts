// DeleteSecret's recovery window on a ManualClock, RestoreSecret, force deletion, and state surviving a restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  GetSecretValueCommand,
  DeleteSecretCommand,
  RestoreSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
} from "@aws-sdk/client-secrets-manager";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, startTestServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const DAY = 86_400_000;

test("DeleteSecret: window checks, DeletionDate, restore, and removal when the window passes", async () => {
  const clock = new ManualClock(Date.UTC(2025, 2, 1, 12));
  const server = await startTestServer({ clock });
  try {
    const sm = new SecretsManagerClient(server.clientConfig());
    await sm.send(new CreateSecretCommand({ Name: "d", SecretString: "x" }));
    await rejects(
      sm.send(new DeleteSecretCommand({ SecretId: "d", RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
      "InvalidParameterException",
      400,
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
    await rejects(
      sm.send(new DeleteSecretCommand({ SecretId: "d", RecoveryWindowInDays: 6 })),
      "InvalidParameterException",
      400,
      "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
    );
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: "d", RecoveryWindowInDays: 31 })), "InvalidParameterException", 400);

    const del = await sm.send(new DeleteSecretCommand({ SecretId: "d" }));
    assert.equal(del.DeletionDate!.getTime(), clock.now() + 30 * DAY);
    const desc = await sm.send(new DescribeSecretCommand({ SecretId: "d" }));
    assert.equal(desc.DeletedDate!.getTime(), clock.now());
    await rejects(sm.send(new DeleteSecretCommand({ SecretId: "d" })), "InvalidRequestException", 400);

    await sm.send(new RestoreSecretCommand({ SecretId: "d" }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "d" }))).SecretString, "x");
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "d" }))).DeletedDate, undefined);

    await sm.send(new DeleteSecretCommand({ SecretId: "d", RecoveryWindowInDays: 7 }));
    clock.advance(7 * DAY - 1000);
    assert.ok((await sm.send(new DescribeSecretCommand({ SecretId: "d" }))).DeletedDate);
    clock.advance(2000);
    await rejects(sm.send(new DescribeSecretCommand({ SecretId: "d" })), "ResourceNotFoundException", 400);
    assert.deepEqual((await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true }))).SecretList, []);
    // The name is free again.
    await sm.send(new CreateSecretCommand({ Name: "d", SecretString: "new" }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "d" }))).SecretString, "new");

    const forced = await sm.send(new DeleteSecretCommand({ SecretId: "d", ForceDeleteWithoutRecovery: true }));
    assert.equal(forced.DeletionDate!.getTime(), clock.now());
    await rejects(sm.send(new GetSecretValueCommand({ SecretId: "d" })), "ResourceNotFoundException", 400);
  } finally {
    await server.close();
  }
});

test("restart: versions, stages and values survive; a window that ran out while down is honoured", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-sm-"));
  const clock = new ManualClock(Date.UTC(2025, 5, 1));
  const account = randomAccount();
  try {
    let server = await startTestServer({ dataDir, clock });
    let sm = new SecretsManagerClient(server.clientConfig({ account }));
    const v1 = (await sm.send(new CreateSecretCommand({ Name: "keep", SecretString: "first" }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: "keep", SecretBinary: Buffer.from("second") }))).VersionId!;
    await sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "x" }));
    await sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7 }));
    await server.close();

    clock.advance(8 * DAY);
    server = await startTestServer({ dataDir, clock });
    sm = new SecretsManagerClient(server.clientConfig({ account }));
    const cur = await sm.send(new GetSecretValueCommand({ SecretId: "keep" }));
    assert.equal(Buffer.from(cur.SecretBinary!).toString(), "second");
    assert.equal(cur.VersionId, v2);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "keep", VersionStage: "AWSPREVIOUS" }))).SecretString, "first");
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "keep" }));
    assert.deepEqual(
      versions.Versions!.map((v) => [v.VersionId, v.VersionStages]),
      [
        [v2, ["AWSCURRENT"]],
        [v1, ["AWSPREVIOUS"]],
      ],
    );
    await rejects(sm.send(new DescribeSecretCommand({ SecretId: "doomed" })), "ResourceNotFoundException", 400);
    await server.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
