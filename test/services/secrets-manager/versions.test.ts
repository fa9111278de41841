// Versions and staging labels through the real SDK: PutSecretValue, UpdateSecretVersionStage, ListSecretVersionIds, BatchGetSecretValue.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  ListSecretVersionIdsCommand,
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  DeleteSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const client = () => server.client(SecretsManagerClient);

test("PutSecretValue: new version becomes AWSCURRENT, the old one AWSPREVIOUS, the one before loses its label", async () => {
  const sm = client();
  const v1 = (await sm.send(new CreateSecretCommand({ Name: "s", SecretString: "one" }))).VersionId!;
  const v2 = await sm.send(new PutSecretValueCommand({ SecretId: "s", SecretString: "two" }));
  assert.deepEqual(v2.VersionStages, ["AWSCURRENT"]);
  const v3 = await sm.send(new PutSecretValueCommand({ SecretId: "s", SecretString: "three" }));
  const d = await sm.send(new DescribeSecretCommand({ SecretId: "s" }));
  assert.deepEqual(d.VersionIdsToStages, { [v2.VersionId!]: ["AWSPREVIOUS"], [v3.VersionId!]: ["AWSCURRENT"] });
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "s", VersionId: v1 }))).SecretString, "one");
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "s", VersionStage: "AWSPREVIOUS" }))).SecretString, "two");

  const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "s" }));
  assert.deepEqual(
    listed.Versions!.map((v) => v.VersionId),
    [v3.VersionId, v2.VersionId],
  );
  assert.deepEqual(listed.Versions![0].KmsKeyIds, ["DefaultEncryptionKey"]);
  const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "s", IncludeDeprecated: true }));
  assert.deepEqual(
    all.Versions!.map((v) => v.VersionId),
    [v3.VersionId, v2.VersionId, v1],
  );
  assert.equal(all.Versions![2].VersionStages, undefined);
  const p1 = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "s", IncludeDeprecated: true, MaxResults: 2 }));
  assert.equal(p1.Versions!.length, 2);
  const p2 = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "s", IncludeDeprecated: true, MaxResults: 2, NextToken: p1.NextToken }));
  assert.deepEqual(
    p2.Versions!.map((v) => v.VersionId),
    [v1],
  );
  assert.equal(p2.NextToken, undefined);
});

test("explicit VersionStages: AWSPENDING leaves AWSCURRENT alone; version and stage must agree", async () => {
  const sm = client();
  const cur = (await sm.send(new CreateSecretCommand({ Name: "p", SecretString: "cur" }))).VersionId!;
  const pend = await sm.send(new PutSecretValueCommand({ SecretId: "p", SecretString: "next", VersionStages: ["AWSPENDING"] }));
  assert.deepEqual(pend.VersionStages, ["AWSPENDING"]);
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "p" }))).SecretString, "cur");
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "p", VersionStage: "AWSPENDING" }))).SecretString, "next");
  await rejects(
    sm.send(new GetSecretValueCommand({ SecretId: "p", VersionId: cur, VersionStage: "AWSPENDING" })),
    "InvalidRequestException",
    400,
    "You provided a VersionStage that is not associated to the provided VersionId.",
  );
  await rejects(
    sm.send(new GetSecretValueCommand({ SecretId: "p", VersionId: "00000000-0000-0000-0000-000000000000" })),
    "ResourceNotFoundException",
    400,
    "Secrets Manager can't find the specified secret value for VersionId: 00000000-0000-0000-0000-000000000000",
  );
  await rejects(
    sm.send(new GetSecretValueCommand({ SecretId: "p", VersionStage: "CUSTOM" })),
    "ResourceNotFoundException",
    400,
    "Secrets Manager can't find the specified secret value for staging label: CUSTOM",
  );
});

test("PutSecretValue errors and idempotency", async () => {
  const sm = client();
  await sm.send(new CreateSecretCommand({ Name: "q", SecretString: "a" }));
  const token = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
  const first = await sm.send(new PutSecretValueCommand({ SecretId: "q", SecretString: "b", ClientRequestToken: token }));
  const again = await sm.send(new PutSecretValueCommand({ SecretId: "q", SecretString: "b", ClientRequestToken: token }));
  assert.equal(again.VersionId, first.VersionId);
  assert.equal((await sm.send(new ListSecretVersionIdsCommand({ SecretId: "q", IncludeDeprecated: true }))).Versions!.length, 2);
  await rejects(sm.send(new PutSecretValueCommand({ SecretId: "q", SecretString: "c", ClientRequestToken: token })), "ResourceExistsException", 400);
  await rejects(sm.send(new PutSecretValueCommand({ SecretId: "q", SecretString: "c", SecretBinary: Uint8Array.from([1]) })), "InvalidParameterException", 400);
  await rejects(sm.send(new PutSecretValueCommand({ SecretId: "missing", SecretString: "c" })), "ResourceNotFoundException", 400);
});

test("UpdateSecretVersionStage moves labels; AWSCURRENT moving leaves AWSPREVIOUS behind", async () => {
  const sm = client();
  const v1 = (await sm.send(new CreateSecretCommand({ Name: "u", SecretString: "1" }))).VersionId!;
  const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: "u", SecretString: "2" }))).VersionId!;
  // Roll back: AWSCURRENT to v1.
  await rejects(
    sm.send(new UpdateSecretVersionStageCommand({ SecretId: "u", VersionStage: "AWSCURRENT", MoveToVersionId: v1 })),
    "InvalidParameterException",
    400,
    new RegExp(`RemoveFromVersionId can't be empty.*attached to version ${v2}`),
  );
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "u", VersionStage: "AWSCURRENT", MoveToVersionId: v1, RemoveFromVersionId: v2 }));
  let d = await sm.send(new DescribeSecretCommand({ SecretId: "u" }));
  assert.deepEqual(d.VersionIdsToStages, { [v1]: ["AWSCURRENT"], [v2]: ["AWSPREVIOUS"] });
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "u" }))).SecretString, "1");
  // A custom label: attach, then remove.
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "u", VersionStage: "blue", MoveToVersionId: v2 }));
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "u", VersionStage: "blue" }))).SecretString, "2");
  await rejects(
    sm.send(new UpdateSecretVersionStageCommand({ SecretId: "u", VersionStage: "blue", RemoveFromVersionId: v1 })),
    "InvalidParameterException",
    400,
  );
  await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "u", VersionStage: "blue", RemoveFromVersionId: v2 }));
  d = await sm.send(new DescribeSecretCommand({ SecretId: "u" }));
  assert.deepEqual(d.VersionIdsToStages, { [v1]: ["AWSCURRENT"], [v2]: ["AWSPREVIOUS"] });
});

test("versions past 100 without labels are deprecated: hidden by default", async () => {
  const sm = client();
  await sm.send(new CreateSecretCommand({ Name: "many", SecretString: "0" }));
  for (let i = 1; i <= 5; i++) await sm.send(new PutSecretValueCommand({ SecretId: "many", SecretString: String(i) }));
  assert.equal((await sm.send(new ListSecretVersionIdsCommand({ SecretId: "many" }))).Versions!.length, 2);
  assert.equal((await sm.send(new ListSecretVersionIdsCommand({ SecretId: "many", IncludeDeprecated: true }))).Versions!.length, 6);
});

test("BatchGetSecretValue by id list (with per-secret errors) and by filters with paging", async () => {
  const sm = client();
  await sm.send(new CreateSecretCommand({ Name: "b/1", SecretString: "one" }));
  await sm.send(new CreateSecretCommand({ Name: "b/2", SecretString: "two" }));
  await sm.send(new CreateSecretCommand({ Name: "b/3", SecretString: "three" }));
  await sm.send(new CreateSecretCommand({ Name: "b/del", SecretString: "x" }));
  await sm.send(new DeleteSecretCommand({ SecretId: "b/del" }));
  const byIds = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["b/1", "b/missing", "b/del"] }));
  assert.deepEqual(
    byIds.SecretValues!.map((v) => v.SecretString),
    ["one"],
  );
  assert.deepEqual(
    byIds.Errors!.map((e) => [e.SecretId, e.ErrorCode]),
    [
      ["b/missing", "ResourceNotFoundException"],
      ["b/del", "InvalidRequestException"],
    ],
  );

  const got: string[] = [];
  let NextToken: string | undefined;
  do {
    const p = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: "name", Values: ["b/"] }], MaxResults: 2, NextToken }));
    got.push(...p.SecretValues!.map((v) => v.SecretString!));
    NextToken = p.NextToken;
  } while (NextToken);
  assert.deepEqual(got, ["one", "two", "three"]);
  await rejects(
    sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["b/1"], Filters: [{ Key: "name", Values: ["b"] }] })),
    "InvalidParameterException",
    400,
  );
  await rejects(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["b/1"], MaxResults: 5 })), "InvalidParameterException", 400);
});
