// IAM OpenID Connect providers through the real SDK v3 client and the AWS CLI: create, get, list, client ids,
// thumbprints, tags, delete, and the errors as AWS words them (LocalStack's AWS-recorded
// tests/aws/services/iam/test_iam_oidc.snapshot.json).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  IAMClient,
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  DeleteOpenIDConnectProviderCommand,
  AddClientIDToOpenIDConnectProviderCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
  TagOpenIDConnectProviderCommand,
  UntagOpenIDConnectProviderCommand,
  ListOpenIDConnectProviderTagsCommand,
  GetAccountSummaryCommand,
} from "@aws-sdk/client-iam";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();
const A = "a".repeat(40);
const B = "b".repeat(40);

test("create, get, list, update and delete an OIDC provider", async () => {
  const account = randomAccount();
  const iam = server.client(IAMClient, { account });
  const created = await iam.send(
    new CreateOpenIDConnectProviderCommand({ Url: "https://oidc.example.com/tenant", ThumbprintList: [A], ClientIDList: ["app-1"] }),
  );
  const arn = created.OpenIDConnectProviderArn!;
  assert.equal(arn, `arn:aws:iam::${account}:oidc-provider/oidc.example.com/tenant`);

  const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  assert.equal(got.Url, "oidc.example.com/tenant");
  assert.deepEqual(got.ClientIDList, ["app-1"]);
  assert.deepEqual(got.ThumbprintList, [A]);
  assert.deepEqual(got.Tags, []);
  assert.ok(got.CreateDate instanceof Date);

  await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "app-2" }));
  await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "app-2" }));
  await iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "app-1" }));
  await iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: [B, A] }));
  const updated = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  assert.deepEqual(updated.ClientIDList, ["app-2"]);
  assert.deepEqual(updated.ThumbprintList, [B, A]);

  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: "https://other.example.com", ThumbprintList: [A] }));
  const list = await iam.send(new ListOpenIDConnectProvidersCommand({}));
  assert.deepEqual(list.OpenIDConnectProviderList!.map((p) => p.Arn).sort(), [arn, `arn:aws:iam::${account}:oidc-provider/other.example.com`].sort());
  const summary = await iam.send(new GetAccountSummaryCommand({}));
  assert.equal(summary.SummaryMap!.Providers, 2);

  const del = await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  assert.equal(del.$metadata.httpStatusCode, 200);
  await rejects(
    iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    "NoSuchEntityException",
    404,
    `OpenIDConnect Provider not found for arn ${arn}`,
  );
  // Not idempotent: a second delete is NoSuchEntity, worded differently.
  await rejects(
    iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
    "NoSuchEntityException",
    404,
    `OpenId connect Provider ${arn} cannot be found.`,
  );
});

test("creation errors: no https URL, duplicates, too many thumbprints or client ids, malformed thumbprints", async () => {
  const iam = server.client(IAMClient);
  await rejects(
    iam.send(new CreateOpenIDConnectProviderCommand({ Url: "example.org", ThumbprintList: [A] })),
    "ValidationError",
    400,
    "Invalid Open ID Connect Provider URL",
  );
  await iam.send(new CreateOpenIDConnectProviderCommand({ Url: "https://dup.example.com", ThumbprintList: [A] }));
  await rejects(
    iam.send(new CreateOpenIDConnectProviderCommand({ Url: "https://dup.example.com", ThumbprintList: [A] })),
    "EntityAlreadyExistsException",
    409,
    "Provider with url https://dup.example.com already exists.",
  );
  await rejects(
    iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: "https://thumbs.example.com", ThumbprintList: ["a", "b", "c", "d", "e", "f"].map((c) => c.repeat(40)) }),
    ),
    "InvalidInputException",
    400,
    "Thumbprint list must contain fewer than 5 entries.",
  );
  await rejects(
    iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: "https://clients.example.com",
        ThumbprintList: [A],
        ClientIDList: Array.from({ length: 101 }, (_, i) => `${i}`),
      }),
    ),
    "LimitExceededException",
    409,
    "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100",
  );
  await rejects(
    iam.send(new CreateOpenIDConnectProviderCommand({ Url: "https://hex.example.com", ThumbprintList: ["z".repeat(40)] })),
    "InvalidInputException",
    400,
  );
  await rejects(iam.send(new CreateOpenIDConnectProviderCommand({ Url: "https://len.example.com", ThumbprintList: ["a".repeat(41)] })), "ValidationError", 400);
});

test("tags: on create, tag, untag, paged listing, the 50-tag limit", async () => {
  const iam = server.client(IAMClient);
  const tags = Array.from({ length: 10 }, (_, i) => ({ Key: `k${String(i).padStart(2, "0")}`, Value: `v${i}` }));
  const created = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: "https://tags.example.com", ThumbprintList: [A], Tags: tags }));
  const arn = created.OpenIDConnectProviderArn!;
  const first = await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn, MaxItems: 4 }));
  assert.equal(first.Tags!.length, 4);
  assert.equal(first.IsTruncated, true);
  const second = await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn, MaxItems: 4, Marker: first.Marker }));
  const third = await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn, Marker: second.Marker }));
  assert.equal(third.Tags!.length, 2);
  assert.equal(third.IsTruncated, false);
  assert.equal(third.Marker, undefined);

  await iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: tags.map((t) => t.Key) }));
  await iam.send(
    new TagOpenIDConnectProviderCommand({
      OpenIDConnectProviderArn: arn,
      Tags: [
        { Key: "k1", Value: "v1" },
        { Key: "k2", Value: "v2" },
      ],
    }),
  );
  await iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ["k2"] }));
  const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
  assert.deepEqual(got.Tags, [{ Key: "k1", Value: "v1" }]);

  const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `t${i}`, Value: "x" }));
  await rejects(
    iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: fifty })),
    "LimitExceededException",
    409,
    "The number of tags has reached the maximum limit.",
  );
  await rejects(
    iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn.replace("tags.", "nope."), Tags: [{ Key: "a", Value: "b" }] })),
    "NoSuchEntityException",
    404,
  );
});

const clis = awsClis();
if (!clis.length) test("aws CLI: OIDC providers", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-open-id-connect-provider, get, list, delete`, async () => {
    const account = randomAccount();
    const env = { AWS_DEFAULT_REGION: "us-east-1", AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, args, env);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout ? JSON.parse(r.stdout) : {};
    };
    const { OpenIDConnectProviderArn: arn } = await aws([
      "iam",
      "create-open-id-connect-provider",
      "--url",
      "https://token.actions.example.com",
      "--client-id-list",
      "sts.amazonaws.com",
      "--thumbprint-list",
      A,
    ]);
    assert.equal(arn, `arn:aws:iam::${account}:oidc-provider/token.actions.example.com`);
    const got = await aws(["iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn]);
    assert.equal(got.Url, "token.actions.example.com");
    assert.deepEqual(got.ClientIDList, ["sts.amazonaws.com"]);
    const list = await aws(["iam", "list-open-id-connect-providers"]);
    assert.deepEqual(list.OpenIDConnectProviderList, [{ Arn: arn }]);
    await aws(["iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn", arn]);
    const r = await runAws(cli, server.url, ["iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn], env);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /NoSuchEntity/);
  });
