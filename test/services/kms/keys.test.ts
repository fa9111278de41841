// KMS keys through the real SDK: create/describe/list, states, scheduled deletion on a ManualClock, tags, descriptions, key policies.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KMSClient,
  CreateKeyCommand,
  DescribeKeyCommand,
  ListKeysCommand,
  EnableKeyCommand,
  DisableKeyCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
  UpdateKeyDescriptionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListResourceTagsCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  ListKeyPoliciesCommand,
  CreateAliasCommand,
  ListAliasesCommand,
  EncryptCommand,
} from "@aws-sdk/client-kms";
import { ManualClock } from "../../../src/core/clock.js";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const DAY = 86_400_000;
const clock = new ManualClock(Date.UTC(2025, 0, 1));
const server = useServer({ clock });

const client = (account?: string) => server.client(KMSClient, { account });

test("CreateKey returns AWS's KeyMetadata; DescribeKey answers by id, ARN, alias name and alias ARN", async () => {
  const kms = client();
  const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ Description: "mine", Tags: [{ TagKey: "team", TagValue: "core" }] }));
  assert.match(m!.KeyId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(m!.Arn, `arn:aws:kms:us-east-1:${m!.AWSAccountId}:key/${m!.KeyId}`);
  assert.equal(m!.KeyState, "Enabled");
  assert.equal(m!.Enabled, true);
  assert.equal(m!.KeyUsage, "ENCRYPT_DECRYPT");
  assert.equal(m!.KeySpec, "SYMMETRIC_DEFAULT");
  assert.equal(m!.KeyManager, "CUSTOMER");
  assert.equal(m!.Origin, "AWS_KMS");
  assert.equal(m!.MultiRegion, false);
  assert.deepEqual(m!.EncryptionAlgorithms, ["SYMMETRIC_DEFAULT"]);
  assert.equal(m!.CreationDate!.getTime(), clock.now());
  await kms.send(new CreateAliasCommand({ AliasName: "alias/mine", TargetKeyId: m!.KeyId }));
  for (const id of [m!.KeyId, m!.Arn!, "alias/mine", `arn:aws:kms:us-east-1:${m!.AWSAccountId}:alias/mine`]) {
    const d = await kms.send(new DescribeKeyCommand({ KeyId: id }));
    assert.equal(d.KeyMetadata!.KeyId, m!.KeyId, id);
    assert.equal(d.KeyMetadata!.Description, "mine");
  }
  await rejects(kms.send(new DescribeKeyCommand({ KeyId: "alias/none" })), "NotFoundException", 400);
  await rejects(kms.send(new DescribeKeyCommand({ KeyId: "00000000-0000-0000-0000-000000000000" })), "NotFoundException", 400);
  // Another account's key is not this account's.
  await rejects(client().send(new DescribeKeyCommand({ KeyId: m!.KeyId })), "NotFoundException", 400);
});

test("multi-Region keys get mrk- ids and a PRIMARY configuration", async () => {
  const kms = client();
  const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ MultiRegion: true }));
  assert.match(m!.KeyId!, /^mrk-[0-9a-f]{32}$/);
  assert.equal(m!.MultiRegion, true);
  assert.equal(m!.MultiRegionConfiguration!.MultiRegionKeyType, "PRIMARY");
  const enc = await kms.send(new EncryptCommand({ KeyId: m!.KeyId, Plaintext: Buffer.from("x") }));
  assert.equal(enc.KeyId, m!.Arn);
});

test("ListKeys pages with Limit and NextMarker", async () => {
  const kms = client();
  const ids = new Set<string>();
  for (let i = 0; i < 3; i++) ids.add((await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
  const seen: string[] = [];
  let Marker: string | undefined;
  do {
    const p = await kms.send(new ListKeysCommand({ Limit: 2, Marker }));
    seen.push(...p.Keys!.map((k) => k.KeyId!));
    for (const k of p.Keys!) assert.match(k.KeyArn!, /^arn:aws:kms:us-east-1:\d{12}:key\//);
    Marker = p.Truncated ? p.NextMarker : undefined;
  } while (Marker);
  assert.deepEqual(new Set(seen), ids);
  await rejects(kms.send(new ListKeysCommand({ Marker: "bogus" })), "InvalidMarkerException", 400);
});

test("Disable/Enable, and ScheduleKeyDeletion → PendingDeletion → Cancel (Disabled) → deleted when the window passes", async () => {
  const kms = client();
  const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({}));
  const KeyId = m!.KeyId;
  await kms.send(new DisableKeyCommand({ KeyId }));
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.KeyState, "Disabled");
  await kms.send(new EnableKeyCommand({ KeyId }));
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.Enabled, true);

  await rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 6 })), "ValidationException", 400);
  await rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 31 })), "ValidationException", 400);
  await rejects(kms.send(new CancelKeyDeletionCommand({ KeyId })), "KMSInvalidStateException", 400);
  const s = await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
  assert.equal(s.KeyId, m!.Arn);
  assert.equal(s.KeyState, "PendingDeletion");
  assert.equal(s.PendingWindowInDays, 7);
  assert.equal(s.DeletionDate!.getTime(), clock.now() + 7 * DAY);
  const d = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
  assert.equal(d.KeyState, "PendingDeletion");
  assert.equal(d.DeletionDate!.getTime(), s.DeletionDate!.getTime());
  await rejects(kms.send(new EnableKeyCommand({ KeyId })), "KMSInvalidStateException", 400);
  await rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId })), "KMSInvalidStateException", 400);
  const c = await kms.send(new CancelKeyDeletionCommand({ KeyId }));
  assert.equal(c.KeyId, m!.Arn);
  const after = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
  assert.equal(after.KeyState, "Disabled");
  assert.equal(after.DeletionDate, undefined);

  await kms.send(new CreateAliasCommand({ AliasName: "alias/doomed", TargetKeyId: KeyId }));
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
  clock.advance(7 * DAY - 1000);
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.KeyState, "PendingDeletion");
  clock.advance(2000);
  await rejects(kms.send(new DescribeKeyCommand({ KeyId })), "NotFoundException", 400);
  assert.ok(!(await kms.send(new ListKeysCommand({}))).Keys!.some((k) => k.KeyId === KeyId));
  assert.deepEqual((await kms.send(new ListAliasesCommand({}))).Aliases, []);
});

test("UpdateKeyDescription and tags (aws: reserved; Untag; ListResourceTags)", async () => {
  const kms = client();
  const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ Tags: [{ TagKey: "a", TagValue: "1" }] }));
  const KeyId = m!.KeyId;
  await kms.send(new UpdateKeyDescriptionCommand({ KeyId, Description: "new words" }));
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.Description, "new words");
  await kms.send(
    new TagResourceCommand({
      KeyId,
      Tags: [
        { TagKey: "a", TagValue: "2" },
        { TagKey: "b", TagValue: "3" },
      ],
    }),
  );
  assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId }))).Tags, [
    { TagKey: "a", TagValue: "2" },
    { TagKey: "b", TagValue: "3" },
  ]);
  await kms.send(new UntagResourceCommand({ KeyId, TagKeys: ["a"] }));
  const t = await kms.send(new ListResourceTagsCommand({ KeyId }));
  assert.deepEqual(t.Tags, [{ TagKey: "b", TagValue: "3" }]);
  assert.equal(t.Truncated, false);
  await rejects(kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: "aws:x", TagValue: "1" }] })), "TagException", 400);
  await rejects(kms.send(new TagResourceCommand({ KeyId: "alias/x", Tags: [{ TagKey: "k", TagValue: "1" }] })), "NotFoundException", 400);
});

test("key policies: the default policy names the account root; PutKeyPolicy validates JSON; only 'default' exists", async () => {
  const kms = client();
  const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({}));
  const KeyId = m!.KeyId;
  const p = await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: "default" }));
  const doc = JSON.parse(p.Policy!);
  assert.equal(doc.Statement[0].Principal.AWS, `arn:aws:iam::${m!.AWSAccountId}:root`);
  assert.equal(doc.Statement[0].Action, "kms:*");
  assert.deepEqual((await kms.send(new ListKeyPoliciesCommand({ KeyId }))).PolicyNames, ["default"]);
  const mine = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }] });
  await kms.send(new PutKeyPolicyCommand({ KeyId, PolicyName: "default", Policy: mine }));
  assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId }))).Policy, mine);
  await rejects(kms.send(new PutKeyPolicyCommand({ KeyId, Policy: "{not json" })), "MalformedPolicyDocumentException", 400);
  await rejects(
    kms.send(new PutKeyPolicyCommand({ KeyId, Policy: JSON.stringify({ Statement: [{ Effect: "Maybe", Action: "*" }] }) })),
    "MalformedPolicyDocumentException",
    400,
  );
  await rejects(kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: "other" })), "ValidationException", 400);
  await rejects(kms.send(new CreateKeyCommand({ Policy: "[]" })), "MalformedPolicyDocumentException", 400);
  const created = await kms.send(new CreateKeyCommand({ Policy: mine }));
  assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: created.KeyMetadata!.KeyId }))).Policy, mine);
});
