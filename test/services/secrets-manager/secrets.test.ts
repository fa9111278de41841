// Secrets through the real SDK v3 client: create, read by name/ARN/partial ARN, idempotency, update, describe, list, tags.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SecretsManagerClient,
  CreateSecretCommand,
  GetSecretValueCommand,
  DescribeSecretCommand,
  UpdateSecretCommand,
  ListSecretsCommand,
  TagResourceCommand,
  type ListSecretsCommandInput,
  UntagResourceCommand,
  DeleteSecretCommand,
} from "@aws-sdk/client-secrets-manager";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const client = (account?: string) => server.client(SecretsManagerClient, { account });

test("create a secret and read it back by name, full ARN and partial ARN", async () => {
  const sm = client();
  const created = await sm.send(
    new CreateSecretCommand({ Name: "app/db", SecretString: '{"pw":"s3cret"}', Description: "db creds", Tags: [{ Key: "team", Value: "core" }] }),
  );
  assert.match(created.ARN!, /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:app\/db-[A-Za-z0-9]{6}$/);
  assert.match(created.VersionId!, /^[0-9a-f-]{36}$/);
  for (const id of ["app/db", created.ARN!, created.ARN!.slice(0, -7)]) {
    const got = await sm.send(new GetSecretValueCommand({ SecretId: id }));
    assert.equal(got.SecretString, '{"pw":"s3cret"}');
    assert.equal(got.ARN, created.ARN);
    assert.equal(got.VersionId, created.VersionId);
    assert.deepEqual(got.VersionStages, ["AWSCURRENT"]);
    assert.ok(got.CreatedDate instanceof Date);
  }
  const d = await sm.send(new DescribeSecretCommand({ SecretId: "app/db" }));
  assert.equal(d.Description, "db creds");
  assert.deepEqual(d.Tags, [{ Key: "team", Value: "core" }]);
  assert.deepEqual(d.VersionIdsToStages, { [created.VersionId!]: ["AWSCURRENT"] });
  assert.ok(d.CreatedDate instanceof Date && d.LastChangedDate instanceof Date);
  assert.ok(d.LastAccessedDate instanceof Date);
  assert.equal(d.RotationEnabled, undefined);
});

test("binary secrets round-trip as bytes", async () => {
  const sm = client();
  const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
  await sm.send(new CreateSecretCommand({ Name: "bin", SecretBinary: bytes }));
  const got = await sm.send(new GetSecretValueCommand({ SecretId: "bin" }));
  assert.deepEqual(Buffer.from(got.SecretBinary!), Buffer.from(bytes));
  assert.equal(got.SecretString, undefined);
});

test("create errors: both values, bad name, existing name; not found", async () => {
  const sm = client();
  await rejects(
    sm.send(new CreateSecretCommand({ Name: "x", SecretString: "a", SecretBinary: Uint8Array.from([1]) })),
    "InvalidParameterException",
    400,
    "You can't specify both a binary secret value and a string secret value in the same secret.",
  );
  await rejects(sm.send(new CreateSecretCommand({ Name: "bad name!", SecretString: "a" })), "ValidationException", 400, /Invalid name/);
  await sm.send(new CreateSecretCommand({ Name: "dup", SecretString: "a" }));
  await rejects(
    sm.send(new CreateSecretCommand({ Name: "dup", SecretString: "a" })),
    "ResourceExistsException",
    400,
    "The operation failed because the secret dup already exists.",
  );
  await rejects(sm.send(new GetSecretValueCommand({ SecretId: "nope" })), "ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret.");
  await rejects(
    sm.send(new DescribeSecretCommand({ SecretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dup-abcdef" })),
    "ResourceNotFoundException",
    400,
  );
});

test("ClientRequestToken: same token and value is idempotent, a different value conflicts", async () => {
  const sm = client();
  const token = "11111111-2222-3333-4444-555555555555";
  const a = await sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1", ClientRequestToken: token }));
  assert.equal(a.VersionId, token);
  const b = await sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1", ClientRequestToken: token }));
  assert.equal(b.VersionId, token);
  assert.equal(b.ARN, a.ARN);
  await rejects(sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v2", ClientRequestToken: token })), "ResourceExistsException", 400);
});

test("a secret without a value has no AWSCURRENT to read", async () => {
  const sm = client();
  const c = await sm.send(new CreateSecretCommand({ Name: "empty" }));
  assert.equal(c.VersionId, undefined);
  await rejects(
    sm.send(new GetSecretValueCommand({ SecretId: "empty" })),
    "ResourceNotFoundException",
    400,
    "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
  );
});

test("UpdateSecret: a value makes a new version, description and KMS key change in place", async () => {
  const sm = client();
  const c = await sm.send(new CreateSecretCommand({ Name: "upd", SecretString: "one" }));
  const u = await sm.send(new UpdateSecretCommand({ SecretId: "upd", SecretString: "two", Description: "new" }));
  assert.notEqual(u.VersionId, c.VersionId);
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "upd" }))).SecretString, "two");
  assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "upd", VersionStage: "AWSPREVIOUS" }))).SecretString, "one");
  const onlyDesc = await sm.send(new UpdateSecretCommand({ SecretId: "upd", Description: "again" }));
  assert.equal(onlyDesc.VersionId, undefined);
  const d = await sm.send(new DescribeSecretCommand({ SecretId: "upd" }));
  assert.equal(d.Description, "again");
  assert.deepEqual(d.VersionIdsToStages, { [c.VersionId!]: ["AWSPREVIOUS"], [u.VersionId!]: ["AWSCURRENT"] });
});

test("a secret scheduled for deletion refuses reads and updates", async () => {
  const sm = client();
  await sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "x" }));
  await sm.send(new DeleteSecretCommand({ SecretId: "gone" }));
  const msg = "You can't perform this operation on the secret because it was marked for deletion.";
  await rejects(sm.send(new GetSecretValueCommand({ SecretId: "gone" })), "InvalidRequestException", 400, msg);
  await rejects(sm.send(new UpdateSecretCommand({ SecretId: "gone", SecretString: "y" })), "InvalidRequestException", 400, msg);
  await rejects(sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "y" })), "InvalidRequestException", 400, /already scheduled for deletion/);
});

test("ListSecrets: filters, negation, planned deletion, sort order and paging", async () => {
  const sm = client();
  await sm.send(new CreateSecretCommand({ Name: "prod/api", Description: "Payment API key", SecretString: "1", Tags: [{ Key: "env", Value: "prod" }] }));
  await sm.send(
    new CreateSecretCommand({
      Name: "prod/db",
      Description: "database",
      SecretString: "2",
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "tier", Value: "data" },
      ],
    }),
  );
  await sm.send(new CreateSecretCommand({ Name: "dev/api", Description: "dev key", SecretString: "3", Tags: [{ Key: "env", Value: "dev" }] }));
  await sm.send(new CreateSecretCommand({ Name: "old", SecretString: "4" }));
  await sm.send(new DeleteSecretCommand({ SecretId: "old" }));
  const names = async (input: ListSecretsCommandInput) => ((await sm.send(new ListSecretsCommand(input))).SecretList ?? []).map((s) => s.Name);
  assert.deepEqual(await names({}), ["prod/api", "prod/db", "dev/api"]);
  assert.deepEqual(await names({ IncludePlannedDeletion: true }), ["prod/api", "prod/db", "dev/api", "old"]);
  assert.deepEqual(await names({ Filters: [{ Key: "name", Values: ["prod"] }] }), ["prod/api", "prod/db"]);
  assert.deepEqual(await names({ Filters: [{ Key: "name", Values: ["Prod"] }] }), []);
  assert.deepEqual(await names({ Filters: [{ Key: "description", Values: ["PAYMENT"] }] }), ["prod/api"]);
  assert.deepEqual(await names({ Filters: [{ Key: "tag-key", Values: ["tier"] }] }), ["prod/db"]);
  assert.deepEqual(
    await names({
      Filters: [
        { Key: "tag-value", Values: ["prod"] },
        { Key: "name", Values: ["!prod/db"] },
      ],
    }),
    ["prod/api"],
  );
  assert.deepEqual(await names({ Filters: [{ Key: "all", Values: ["api"] }] }), ["prod/api", "dev/api"]);
  assert.deepEqual(await names({ Filters: [{ Key: "primary-region", Values: ["us-east-1"] }] }), []);
  assert.deepEqual(await names({ SortOrder: "desc" }), ["dev/api", "prod/db", "prod/api"]);
  const entry = (await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["dev/api"] }] }))).SecretList![0];
  assert.equal(Object.values(entry.SecretVersionsToStages!)[0][0], "AWSCURRENT");

  const seen: string[] = [];
  let NextToken: string | undefined;
  do {
    const p = await sm.send(new ListSecretsCommand({ MaxResults: 2, NextToken }));
    seen.push(...p.SecretList!.map((s) => s.Name!));
    NextToken = p.NextToken;
  } while (NextToken);
  assert.deepEqual(seen, ["prod/api", "prod/db", "dev/api"]);
  await rejects(sm.send(new ListSecretsCommand({ NextToken: "garbage" })), "InvalidNextTokenException", 400);
});

test("TagResource merges by key, UntagResource removes", async () => {
  const sm = client();
  await sm.send(new CreateSecretCommand({ Name: "tagged", SecretString: "x", Tags: [{ Key: "a", Value: "1" }] }));
  await sm.send(
    new TagResourceCommand({
      SecretId: "tagged",
      Tags: [
        { Key: "a", Value: "2" },
        { Key: "b", Value: "3" },
      ],
    }),
  );
  assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: "tagged" }))).Tags, [
    { Key: "a", Value: "2" },
    { Key: "b", Value: "3" },
  ]);
  await sm.send(new UntagResourceCommand({ SecretId: "tagged", TagKeys: ["a"] }));
  assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: "tagged" }))).Tags, [{ Key: "b", Value: "3" }]);
  await rejects(sm.send(new TagResourceCommand({ SecretId: "missing", Tags: [{ Key: "a", Value: "1" }] })), "ResourceNotFoundException", 400);
});
