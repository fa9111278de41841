// KMS aliases, grants and rotation through the real SDK: naming rules, paging, grant lifecycle, rotation keeping old ciphertexts readable.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KMSClient,
  CreateKeyCommand,
  CreateAliasCommand,
  UpdateAliasCommand,
  DeleteAliasCommand,
  ListAliasesCommand,
  DescribeKeyCommand,
  CreateGrantCommand,
  ListGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ListRetirableGrantsCommand,
  EncryptCommand,
  DecryptCommand,
  EnableKeyRotationCommand,
  DisableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  RotateKeyOnDemandCommand,
  ListKeyRotationsCommand,
} from "@aws-sdk/client-kms";
import { ManualClock } from "../../../src/core/clock.js";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const DAY = 86_400_000;
const clock = new ManualClock(Date.UTC(2025, 5, 1));
const server = useServer({ clock });

const client = () => server.client(KMSClient);
const newKey = async (kms: KMSClient, input = {}) => (await kms.send(new CreateKeyCommand(input))).KeyMetadata!;

test("aliases: create, list by key and paged, update target, delete; naming rules as AWS words them", async () => {
  const kms = client();
  const a = await newKey(kms);
  const b = await newKey(kms);
  await kms.send(new CreateAliasCommand({ AliasName: "alias/one", TargetKeyId: a.KeyId }));
  await kms.send(new CreateAliasCommand({ AliasName: "alias/two", TargetKeyId: a.Arn }));
  await kms.send(new CreateAliasCommand({ AliasName: "alias/three", TargetKeyId: b.KeyId }));
  await rejects(kms.send(new CreateAliasCommand({ AliasName: "alias/one", TargetKeyId: b.KeyId })), "AlreadyExistsException", 400, /already exists/);
  await rejects(
    kms.send(new CreateAliasCommand({ AliasName: "one", TargetKeyId: b.KeyId })),
    "ValidationException",
    400,
    /Alias must start with the prefix "alias\/"/,
  );
  await rejects(kms.send(new CreateAliasCommand({ AliasName: "alias/aws/mine", TargetKeyId: b.KeyId })), "NotAuthorizedException", 400);
  await rejects(kms.send(new CreateAliasCommand({ AliasName: "alias/x", TargetKeyId: "alias/one" })), "NotFoundException", 400);
  await rejects(kms.send(new CreateAliasCommand({ AliasName: "alias/x", TargetKeyId: "00000000-0000-0000-0000-000000000000" })), "NotFoundException", 400);

  const forA = await kms.send(new ListAliasesCommand({ KeyId: a.KeyId }));
  assert.deepEqual(
    forA.Aliases!.map((x) => x.AliasName),
    ["alias/one", "alias/two"],
  );
  const first = forA.Aliases![0];
  assert.equal(first.AliasArn, `arn:aws:kms:us-east-1:${a.AWSAccountId}:alias/one`);
  assert.equal(first.TargetKeyId, a.KeyId);
  assert.ok(first.CreationDate instanceof Date);
  const p1 = await kms.send(new ListAliasesCommand({ Limit: 2 }));
  assert.equal(p1.Aliases!.length, 2);
  assert.equal(p1.Truncated, true);
  const p2 = await kms.send(new ListAliasesCommand({ Limit: 2, Marker: p1.NextMarker }));
  assert.equal(p2.Aliases!.length, 1);
  assert.equal(p2.Truncated, false);

  await kms.send(new UpdateAliasCommand({ AliasName: "alias/one", TargetKeyId: b.KeyId }));
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: "alias/one" }))).KeyMetadata!.KeyId, b.KeyId);
  const signer = await newKey(kms, { KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
  await rejects(kms.send(new UpdateAliasCommand({ AliasName: "alias/one", TargetKeyId: signer.KeyId })), "ValidationException", 400);
  await rejects(kms.send(new UpdateAliasCommand({ AliasName: "alias/missing", TargetKeyId: b.KeyId })), "NotFoundException", 400);
  await kms.send(new DeleteAliasCommand({ AliasName: "alias/one" }));
  await rejects(kms.send(new DeleteAliasCommand({ AliasName: "alias/one" })), "NotFoundException", 400);
  await rejects(kms.send(new DescribeKeyCommand({ KeyId: "alias/one" })), "NotFoundException", 400);
});

test("grants: create (id and token), list with filters, retire by token, revoke by id, list retirable", async () => {
  const kms = client();
  const key = await newKey(kms);
  const acct = key.AWSAccountId!;
  const grantee = `arn:aws:iam::${acct}:role/app`;
  const retirer = `arn:aws:iam::${acct}:role/ops`;
  const g1 = await kms.send(
    new CreateGrantCommand({
      KeyId: key.KeyId,
      GranteePrincipal: grantee,
      RetiringPrincipal: retirer,
      Operations: ["Encrypt", "Decrypt"],
      Name: "g1",
      Constraints: { EncryptionContextSubset: { app: "x" } },
    }),
  );
  assert.match(g1.GrantId!, /^[0-9a-f]{64}$/);
  assert.ok(g1.GrantToken!.length > 64);
  // Same name and parameters: the same grant, as AWS returns for a retried CreateGrant.
  const again = await kms.send(
    new CreateGrantCommand({
      KeyId: key.KeyId,
      GranteePrincipal: grantee,
      RetiringPrincipal: retirer,
      Operations: ["Decrypt", "Encrypt"],
      Name: "g1",
      Constraints: { EncryptionContextSubset: { app: "x" } },
    }),
  );
  assert.equal(again.GrantId, g1.GrantId);
  const g2 = await kms.send(new CreateGrantCommand({ KeyId: key.Arn, GranteePrincipal: `arn:aws:iam::${acct}:role/other`, Operations: ["GenerateDataKey"] }));

  const all = await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }));
  assert.equal(all.Grants!.length, 2);
  const e1 = all.Grants!.find((g) => g.GrantId === g1.GrantId)!;
  assert.equal(e1.KeyId, key.Arn);
  assert.equal(e1.Name, "g1");
  assert.equal(e1.GranteePrincipal, grantee);
  assert.equal(e1.RetiringPrincipal, retirer);
  assert.equal(e1.IssuingAccount, `arn:aws:iam::${acct}:root`);
  assert.deepEqual(e1.Operations, ["Encrypt", "Decrypt"]);
  assert.deepEqual(e1.Constraints, { EncryptionContextSubset: { app: "x" } });
  assert.equal((await kms.send(new ListGrantsCommand({ KeyId: key.KeyId, GranteePrincipal: grantee }))).Grants!.length, 1);
  assert.deepEqual(
    (await kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: retirer }))).Grants!.map((g) => g.GrantId),
    [g1.GrantId],
  );

  await kms.send(new RetireGrantCommand({ GrantToken: g1.GrantToken }));
  await rejects(kms.send(new RetireGrantCommand({ GrantToken: g1.GrantToken })), "InvalidGrantTokenException", 400);
  await kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g2.GrantId }));
  await rejects(kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g2.GrantId })), "NotFoundException", 400);
  await rejects(kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: "nope" })), "InvalidGrantIdException", 400);
  assert.deepEqual((await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants, []);
  await rejects(
    kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ["Decrypt"], DryRun: true })),
    "DryRunOperationException",
    400,
  );
});

test("rotation: enable/status, on-demand and automatic rotation; old ciphertexts keep decrypting", async () => {
  const kms = client();
  const key = await newKey(kms);
  const KeyId = key.KeyId;
  assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled, false);
  const before = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("v1") }));

  await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
  const mid = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from("v2") }));
  await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
  const st = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
  assert.equal(st.KeyRotationEnabled, true);
  assert.equal(st.RotationPeriodInDays, 90);
  assert.equal(st.NextRotationDate!.getTime(), clock.now() + 90 * DAY);
  await rejects(kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 89 })), "ValidationException", 400);

  clock.advance(91 * DAY);
  const rot = await kms.send(new ListKeyRotationsCommand({ KeyId }));
  assert.deepEqual(
    rot.Rotations!.map((r) => r.RotationType),
    ["ON_DEMAND", "AUTOMATIC"],
  );
  assert.deepEqual(
    rot.Rotations!.map((r) => r.KeyMaterialState),
    ["NON_CURRENT", "CURRENT"],
  );
  const d = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
  assert.equal(d.CurrentKeyMaterialId, rot.Rotations![1].KeyMaterialId);

  for (const [blob, want] of [
    [before.CiphertextBlob, "v1"],
    [mid.CiphertextBlob, "v2"],
  ] as const) {
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.equal(Buffer.from(dec.Plaintext!).toString(), want);
  }
  await kms.send(new DisableKeyRotationCommand({ KeyId }));
  assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId }))).KeyRotationEnabled, false);

  const signer = await newKey(kms, { KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" });
  await rejects(kms.send(new EnableKeyRotationCommand({ KeyId: signer.KeyId })), "UnsupportedOperationException", 400);
  await rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: signer.KeyId })), "UnsupportedOperationException", 400);
});
