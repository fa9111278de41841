// SSM parameters through the real SDK v3 client: put rules (names, overwrite, tags, tiers, policies, patterns), reads, history, deletes.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SSMClient,
  PutParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  GetParameterHistoryCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ssm";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

const client = (account?: string) => server.client(SSMClient, { account });

test("put, overwrite and get a String parameter: versions, ARN, data type, last-modified user", async () => {
  const account = "123412341234";
  const ssm = client(account);
  const first = await ssm.send(new PutParameterCommand({ Name: "/app/db/host", Value: "a", Type: "String", Description: "db" }));
  assert.deepEqual([first.Version, first.Tier], [1, "Standard"]);
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "/app/db/host", Value: "b", Type: "String" })),
    "ParameterAlreadyExists",
    400,
    "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
  );
  const second = await ssm.send(new PutParameterCommand({ Name: "/app/db/host", Value: "b", Overwrite: true }));
  assert.equal(second.Version, 2);
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: "/app/db/host" }));
  assert.equal(Parameter!.Value, "b");
  assert.equal(Parameter!.Version, 2);
  assert.equal(Parameter!.Type, "String");
  assert.equal(Parameter!.DataType, "text");
  assert.equal(Parameter!.ARN, `arn:aws:ssm:us-east-1:${account}:parameter/app/db/host`);
  assert.ok(Parameter!.LastModifiedDate instanceof Date);
  const byArn = await ssm.send(new GetParameterCommand({ Name: Parameter!.ARN }));
  assert.equal(byArn.Parameter!.Value, "b");

  const d = await ssm.send(new DescribeParametersCommand({}));
  assert.equal(d.Parameters!.length, 1);
  assert.equal(d.Parameters![0].Description, "db", "an overwrite without Description keeps it");
  assert.equal(d.Parameters![0].LastModifiedUser, `arn:aws:iam::${account}:root`);
});

test("a new parameter needs a Type; a type may change with Overwrite; StringList keeps its commas", async () => {
  const ssm = client();
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "p", Value: "x" })),
    "ValidationException",
    400,
    "A parameter type is required when you create a parameter.",
  );
  await ssm.send(new PutParameterCommand({ Name: "p", Value: "a,b,c", Type: "StringList" }));
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "p" }))).Parameter!.Value, "a,b,c");
  await ssm.send(new PutParameterCommand({ Name: "p", Value: "x", Type: "String", Overwrite: true }));
  const p = (await ssm.send(new GetParameterCommand({ Name: "p" }))).Parameter!;
  assert.deepEqual([p.Type, p.Version], ["String", 2]);
});

test("name rules: reserved prefixes, characters, fully qualified paths, 15 levels", async () => {
  const ssm = client();
  const put = (Name: string) => ssm.send(new PutParameterCommand({ Name, Value: "v", Type: "String" }));
  await rejects(put("awsthing"), "ValidationException", 400, `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive).`);
  await rejects(put("SSM-x"), "ValidationException", 400, /can't be prefixed with "aws" or "ssm"/);
  await rejects(put("/ssm/x"), "ValidationException", 400, /can't be prefixed with "ssm"/);
  await rejects(put("/aws/x"), "AccessDeniedException", 400, "No access to reserved parameter name: /aws/x.");
  await rejects(put("bad name!"), "ValidationException", 400, /sub-paths divided by slash symbol/);
  await rejects(put("a/b"), "ValidationException", 400, "Parameter name must be a fully qualified name.");
  await rejects(put("/a//b"), "ValidationException", 400, "Parameter name must be a fully qualified name.");
  const deep = "/" + Array.from({ length: 16 }, (_, i) => `l${i}`).join("/");
  await rejects(put(deep), "HierarchyLevelLimitExceededException", 400, /maximum of 15 levels/);
  await put("/" + Array.from({ length: 15 }, (_, i) => `l${i}`).join("/"));
  await rejects(put("/" + "x".repeat(1000)), "ValidationException", 400, /1011 characters/);
  await rejects(
    ssm.send(new GetParameterCommand({ Name: "x".repeat(2049) })),
    "ValidationException",
    400,
    /Member must have length less than or equal to 2048/,
  );
});

test("tags only on create: with Overwrite they are refused", async () => {
  const ssm = client();
  await ssm.send(new PutParameterCommand({ Name: "/t/a", Value: "1", Type: "String", Tags: [{ Key: "env", Value: "dev" }] }));
  assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/t/a" }))).TagList, [{ Key: "env", Value: "dev" }]);
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "/t/a", Value: "2", Overwrite: true, Tags: [{ Key: "x", Value: "y" }] })),
    "ValidationException",
    400,
    /^Invalid request: tags and overwrite can't be used together\./,
  );
});

test("AllowedPattern is enforced on the value, and kept for later overwrites", async () => {
  const ssm = client();
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "n", Value: "abc", Type: "String", AllowedPattern: "^\\d+$" })),
    "ParameterPatternMismatchException",
    400,
    "Parameter value, cannot be validated against allowedPattern: ^\\d+$",
  );
  await ssm.send(new PutParameterCommand({ Name: "n", Value: "42", Type: "String", AllowedPattern: "^\\d+$" }));
  await rejects(ssm.send(new PutParameterCommand({ Name: "n", Value: "x", Overwrite: true })), "ParameterPatternMismatchException", 400);
  await rejects(ssm.send(new PutParameterCommand({ Name: "m", Value: "x", Type: "String", AllowedPattern: "([" })), "InvalidAllowedPatternException", 400);
});

test("tiers: 4 KB standard limit, Advanced up to 8 KB, Intelligent-Tiering promotes, no downgrade", async () => {
  const ssm = client();
  const big = "x".repeat(4097);
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "big", Value: big, Type: "String" })),
    "ValidationException",
    400,
    /^Standard tier parameters support a maximum parameter value of 4096 characters/,
  );
  assert.equal((await ssm.send(new PutParameterCommand({ Name: "big", Value: big, Type: "String", Tier: "Intelligent-Tiering" }))).Tier, "Advanced");
  await rejects(ssm.send(new PutParameterCommand({ Name: "big", Value: "x".repeat(8193), Overwrite: true })), "ValidationException", 400, /8192/);
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "big", Value: "small", Overwrite: true, Tier: "Standard" })),
    "ValidationException",
    400,
    /can't downgrade/,
  );
  assert.equal((await ssm.send(new PutParameterCommand({ Name: "small", Value: "s", Type: "String", Tier: "Intelligent-Tiering" }))).Tier, "Standard");
  assert.equal((await ssm.send(new PutParameterCommand({ Name: "adv", Value: "s", Type: "String", Tier: "Advanced" }))).Tier, "Advanced");
});

test("policies: stored on Advanced parameters, refused on Standard, validated", async () => {
  const ssm = client();
  const policies = JSON.stringify([
    { Type: "Expiration", Version: "1.0", Attributes: { Timestamp: "2030-12-02T21:34:33.000Z" } },
    { Type: "ExpirationNotification", Version: "1.0", Attributes: { Before: "15", Unit: "Days" } },
    { Type: "NoChangeNotification", Version: "1.0", Attributes: { After: "20", Unit: "Days" } },
  ]);
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "pol", Value: "v", Type: "String", Tier: "Standard", Policies: policies })),
    "ValidationException",
    400,
  );
  await ssm.send(new PutParameterCommand({ Name: "pol", Value: "v", Type: "String", Tier: "Advanced", Policies: policies }));
  const [meta] = (await ssm.send(new DescribeParametersCommand({}))).Parameters!;
  assert.deepEqual(
    meta.Policies!.map((p) => [p.PolicyType, p.PolicyStatus]),
    [
      ["Expiration", "Pending"],
      ["ExpirationNotification", "Pending"],
      ["NoChangeNotification", "Pending"],
    ],
  );
  assert.equal(meta.Tier, "Advanced");
  const put = (Policies: string) => ssm.send(new PutParameterCommand({ Name: "pol2", Value: "v", Type: "String", Tier: "Advanced", Policies }));
  await rejects(put('[{"Type":"Bogus","Attributes":{}}]'), "InvalidPolicyTypeException", 400);
  await rejects(put('[{"Type":"Expiration","Attributes":{"Timestamp":"soon"}}]'), "InvalidPolicyAttributeException", 400);
  await rejects(
    put('[{"Type":"Expiration","Attributes":{"Timestamp":"2030-01-01T00:00:00Z"}},{"Type":"Expiration","Attributes":{"Timestamp":"2031-01-01T00:00:00Z"}}]'),
    "IncompatiblePolicyException",
    400,
  );
  await rejects(put("not json"), "InvalidPolicyAttributeException", 400);
});

test("DataType: text by default, aws:ec2:image checked for an AMI id, others refused", async () => {
  const ssm = client();
  await ssm.send(new PutParameterCommand({ Name: "ami", Value: "ami-0123456789abcdef0", Type: "String", DataType: "aws:ec2:image" }));
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "ami" }))).Parameter!.DataType, "aws:ec2:image");
  await rejects(ssm.send(new PutParameterCommand({ Name: "ami2", Value: "nope", Type: "String", DataType: "aws:ec2:image" })), "ValidationException", 400);
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "t", Value: "v", Type: "String", DataType: "Text" })),
    "ValidationException",
    400,
    "The following data type is not supported: Text (Data type names are all lowercase.)",
  );
});

test("selectors name:version and name:label; missing ones fail as AWS fails", async () => {
  const ssm = client();
  for (const v of ["one", "two", "three"]) await ssm.send(new PutParameterCommand({ Name: "/s/p", Value: v, Type: "String", Overwrite: v !== "one" }));
  await ssm.send(new LabelParameterVersionCommand({ Name: "/s/p", ParameterVersion: 1, Labels: ["prod"] }));
  const v2 = (await ssm.send(new GetParameterCommand({ Name: "/s/p:2" }))).Parameter!;
  assert.deepEqual([v2.Value, v2.Version, v2.Selector], ["two", 2, ":2"]);
  const prod = (await ssm.send(new GetParameterCommand({ Name: "/s/p:prod" }))).Parameter!;
  assert.deepEqual([prod.Value, prod.Version, prod.Selector], ["one", 1, ":prod"]);
  await rejects(
    ssm.send(new GetParameterCommand({ Name: "/s/p:9" })),
    "ParameterVersionNotFound",
    400,
    "Systems Manager could not find version 9 of /s/p. Verify the version and try again.",
  );
  await rejects(ssm.send(new GetParameterCommand({ Name: "/s/p:nolabel" })), "ParameterVersionNotFound", 400);
  await rejects(ssm.send(new GetParameterCommand({ Name: "/s/missing" })), "ParameterNotFound", 400);
});

test("GetParameters returns the found ones and lists the invalid names; more than 10 names is a validation error", async () => {
  const ssm = client();
  await ssm.send(new PutParameterCommand({ Name: "a", Value: "1", Type: "String" }));
  await ssm.send(new PutParameterCommand({ Name: "b", Value: "2", Type: "String" }));
  const r = await ssm.send(new GetParametersCommand({ Names: ["a", "b:1", "nope", "a:7"] }));
  assert.deepEqual(
    r.Parameters!.map((p) => [p.Name, p.Value]),
    [
      ["a", "1"],
      ["b", "2"],
    ],
  );
  assert.deepEqual(r.InvalidParameters, ["nope", "a:7"]);
  await rejects(
    ssm.send(new GetParametersCommand({ Names: Array.from({ length: 11 }, (_, i) => `n${i}`) })),
    "ValidationException",
    400,
    /less than or equal to 10/,
  );
});

test("GetParameterHistory lists every version with labels, paged", async () => {
  const ssm = client();
  for (let i = 1; i <= 5; i++) await ssm.send(new PutParameterCommand({ Name: "h", Value: `v${i}`, Type: "String", Overwrite: i > 1 }));
  await ssm.send(new LabelParameterVersionCommand({ Name: "h", ParameterVersion: 3, Labels: ["mid"] }));
  const seen: [number, string, string[]][] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new GetParameterHistoryCommand({ Name: "h", MaxResults: 2, NextToken }));
    assert.ok(page.Parameters!.length <= 2);
    for (const p of page.Parameters!) seen.push([p.Version!, p.Value!, p.Labels!]);
    NextToken = page.NextToken;
  } while (NextToken);
  assert.deepEqual(seen, [
    [1, "v1", []],
    [2, "v2", []],
    [3, "v3", ["mid"]],
    [4, "v4", []],
    [5, "v5", []],
  ]);
  await rejects(ssm.send(new GetParameterHistoryCommand({ Name: "h", NextToken: "garbage" })), "InvalidNextToken", 400);
  await rejects(ssm.send(new GetParameterHistoryCommand({ Name: "zz" })), "ParameterNotFound", 400);
});

test("the 100-version limit drops the oldest, unless it carries a label", async () => {
  const ssm = client();
  for (let i = 1; i <= 100; i++) await ssm.send(new PutParameterCommand({ Name: "many", Value: `v${i}`, Type: "String", Overwrite: i > 1 }));
  await ssm.send(new LabelParameterVersionCommand({ Name: "many", ParameterVersion: 1, Labels: ["keep"] }));
  await rejects(
    ssm.send(new PutParameterCommand({ Name: "many", Value: "v101", Overwrite: true })),
    "ParameterMaxVersionLimitExceeded",
    400,
    /Version 1, the oldest version, can't be deleted because it has a label associated with it/,
  );
  await ssm.send(new LabelParameterVersionCommand({ Name: "many", ParameterVersion: 2, Labels: ["keep"] }));
  assert.equal((await ssm.send(new PutParameterCommand({ Name: "many", Value: "v101", Overwrite: true }))).Version, 101);
  await rejects(ssm.send(new GetParameterCommand({ Name: "many:1" })), "ParameterVersionNotFound", 400);
  const all: number[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(new GetParameterHistoryCommand({ Name: "many", NextToken }));
    all.push(...page.Parameters!.map((p) => p.Version!));
    NextToken = page.NextToken;
  } while (NextToken);
  assert.equal(all.length, 100);
  assert.equal(all[0], 2);
});

test("DeleteParameter and DeleteParameters; a deleted name starts again at version 1", async () => {
  const ssm = client();
  for (const n of ["d1", "d2", "d3"]) await ssm.send(new PutParameterCommand({ Name: n, Value: "v", Type: "String" }));
  await ssm.send(new PutParameterCommand({ Name: "d1", Value: "v2", Overwrite: true }));
  await ssm.send(new DeleteParameterCommand({ Name: "d1" }));
  await rejects(ssm.send(new DeleteParameterCommand({ Name: "d1" })), "ParameterNotFound", 400);
  const r = await ssm.send(new DeleteParametersCommand({ Names: ["d2", "d3", "nope"] }));
  assert.deepEqual(r.DeletedParameters, ["d2", "d3"]);
  assert.deepEqual(r.InvalidParameters, ["nope"]);
  assert.equal((await ssm.send(new PutParameterCommand({ Name: "d1", Value: "again", Type: "String" }))).Version, 1);
});

test("parameters are per account and per region", async () => {
  const account = "555566667777";
  await client(account).send(new PutParameterCommand({ Name: "iso", Value: "v", Type: "String" }));
  await rejects(client().send(new GetParameterCommand({ Name: "iso" })), "ParameterNotFound", 400);
  const west = server.client(SSMClient, { account, region: "eu-west-1" });
  await rejects(west.send(new GetParameterCommand({ Name: "iso" })), "ParameterNotFound", 400);
});
