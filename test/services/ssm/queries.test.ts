// GetParametersByPath and DescribeParameters through the real SDK v3 client: hierarchy, filters, paging, filter errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SSMClient,
  PutParameterCommand,
  GetParametersByPathCommand,
  DescribeParametersCommand,
  LabelParameterVersionCommand,
  paginateGetParametersByPath,
  paginateDescribeParameters,
  type DescribeParametersCommandInput,
} from "@aws-sdk/client-ssm";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

async function seeded() {
  const ssm = server.client(SSMClient);
  const put = (Name: string, Type: "String" | "StringList" = "String", extra = {}) =>
    ssm.send(new PutParameterCommand({ Name, Value: `v:${Name}`, Type, ...extra }));
  await put("/app/a");
  await put("/app/b", "StringList");
  await put("/app/sub/c", "String", { Tags: [{ Key: "team", Value: "core" }] });
  await put("/app/sub/deep/d", "String", { Tier: "Advanced" });
  await put("/other/e");
  await put("top");
  return ssm;
}

const names = (ps: { Name?: string }[] | undefined) => (ps ?? []).map((p) => p.Name);

test("GetParametersByPath: one level or recursive, with or without a trailing slash", async () => {
  const ssm = await seeded();
  assert.deepEqual(names((await ssm.send(new GetParametersByPathCommand({ Path: "/app" }))).Parameters), ["/app/a", "/app/b"]);
  assert.deepEqual(names((await ssm.send(new GetParametersByPathCommand({ Path: "/app/", Recursive: true }))).Parameters), [
    "/app/a",
    "/app/b",
    "/app/sub/c",
    "/app/sub/deep/d",
  ]);
  assert.deepEqual(names((await ssm.send(new GetParametersByPathCommand({ Path: "/" }))).Parameters), ["top"]);
  const [p] = (await ssm.send(new GetParametersByPathCommand({ Path: "/app/sub" }))).Parameters!;
  assert.deepEqual([p.Name, p.Value, p.Version, p.Type], ["/app/sub/c", "v:/app/sub/c", 1, "String"]);
  assert.match(p.ARN!, /^arn:aws:ssm:us-east-1:\d{12}:parameter\/app\/sub\/c$/);
  await rejects(ssm.send(new GetParametersByPathCommand({ Path: "app" })), "ValidationException", 400, /must begin with a forward slash/);
});

test("GetParametersByPath pages with MaxResults (at most 10) and opaque tokens", async () => {
  const ssm = server.client(SSMClient);
  for (let i = 0; i < 13; i++) await ssm.send(new PutParameterCommand({ Name: `/pg/p${String(i).padStart(2, "0")}`, Value: "v", Type: "String" }));
  const first = await ssm.send(new GetParametersByPathCommand({ Path: "/pg" }));
  assert.equal(first.Parameters!.length, 10);
  assert.ok(first.NextToken);
  const all: string[] = [];
  for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 4 }, { Path: "/pg" })) all.push(...(names(page.Parameters) as string[]));
  assert.equal(all.length, 13);
  assert.deepEqual(all, [...all].sort());
  await rejects(ssm.send(new GetParametersByPathCommand({ Path: "/pg", MaxResults: 11 })), "ValidationException", 400, /less than or equal to 10/);
  await rejects(ssm.send(new GetParametersByPathCommand({ Path: "/pg", NextToken: "bad" })), "InvalidNextToken", 400);
});

test("GetParametersByPath filters: Type, Label (returns the labelled version); Name is not a valid key there", async () => {
  const ssm = await seeded();
  const lists = await ssm.send(new GetParametersByPathCommand({ Path: "/app", Recursive: true, ParameterFilters: [{ Key: "Type", Values: ["StringList"] }] }));
  assert.deepEqual(names(lists.Parameters), ["/app/b"]);
  await ssm.send(new PutParameterCommand({ Name: "/app/a", Value: "newer", Overwrite: true }));
  await ssm.send(new LabelParameterVersionCommand({ Name: "/app/a", ParameterVersion: 1, Labels: ["stable"] }));
  const stable = await ssm.send(new GetParametersByPathCommand({ Path: "/app", ParameterFilters: [{ Key: "Label", Values: ["stable"], Option: "Equals" }] }));
  assert.deepEqual(
    stable.Parameters!.map((p) => [p.Name, p.Version, p.Value]),
    [["/app/a", 1, "v:/app/a"]],
  );
  await rejects(
    ssm.send(new GetParametersByPathCommand({ Path: "/app", ParameterFilters: [{ Key: "Name", Values: ["x"] }] })),
    "InvalidFilterKey",
    400,
    "The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId, Label].",
  );
  await rejects(ssm.send(new GetParametersByPathCommand({ Path: "/app", ParameterFilters: [{ Key: "Type", Values: ["Text"] }] })), "InvalidFilterValue", 400);
  await rejects(ssm.send(new GetParametersByPathCommand({ Path: "/app", ParameterFilters: [{ Key: "Bogus", Values: ["x"] }] })), "ValidationException", 400);
});

test("DescribeParameters: Name Equals/BeginsWith, Path OneLevel/Recursive, Type, Tier, tag:, legacy Filters", async () => {
  const ssm = await seeded();
  const d = async (ParameterFilters: { Key: string; Option?: string; Values?: string[] }[]) =>
    names((await ssm.send(new DescribeParametersCommand({ ParameterFilters }))).Parameters);
  assert.deepEqual(await d([{ Key: "Name", Values: ["/app/a"] }]), ["/app/a"]);
  assert.deepEqual(await d([{ Key: "Name", Option: "BeginsWith", Values: ["/app/s"] }]), ["/app/sub/c", "/app/sub/deep/d"]);
  assert.deepEqual(await d([{ Key: "Name", Values: ["top"] }]), ["top"]);
  assert.deepEqual(await d([{ Key: "Path", Values: ["/app/sub"] }]), ["/app/sub/c"]);
  assert.deepEqual(await d([{ Key: "Path", Option: "Recursive", Values: ["/app/sub"] }]), ["/app/sub/c", "/app/sub/deep/d"]);
  assert.deepEqual(await d([{ Key: "Type", Values: ["StringList"] }]), ["/app/b"]);
  assert.deepEqual(await d([{ Key: "Tier", Values: ["Advanced"] }]), ["/app/sub/deep/d"]);
  assert.deepEqual(await d([{ Key: "tag:team", Values: ["core"] }]), ["/app/sub/c"]);
  assert.deepEqual(
    await d([
      { Key: "DataType", Values: ["text"] },
      { Key: "Path", Values: ["/other"] },
    ]),
    ["/other/e"],
  );
  const legacy = await ssm.send(new DescribeParametersCommand({ Filters: [{ Key: "Name", Values: ["/other"] }] }));
  assert.deepEqual(names(legacy.Parameters), ["/other/e"]);
  const meta = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/app/b"] }] }))).Parameters![0];
  assert.deepEqual([meta.Type, meta.Version, meta.Tier, meta.DataType], ["StringList", 1, "Standard", "text"]);
  assert.ok(meta.LastModifiedDate instanceof Date);
  assert.match(meta.LastModifiedUser!, /^arn:aws:iam::\d{12}:root$/);
});

test("DescribeParameters errors: both filter kinds, Label key, bad options, duplicates", async () => {
  const ssm = server.client(SSMClient);
  const d = (input: DescribeParametersCommandInput) => ssm.send(new DescribeParametersCommand(input));
  await rejects(
    d({ Filters: [{ Key: "Name", Values: ["a"] }], ParameterFilters: [{ Key: "Name", Values: ["a"] }] }),
    "ValidationException",
    400,
    "You can use either Filters or ParameterFilters in a single request.",
  );
  await rejects(d({ ParameterFilters: [{ Key: "Label", Values: ["a"] }] }), "InvalidFilterKey", 400);
  await rejects(
    d({ ParameterFilters: [{ Key: "Path", Option: "Equals", Values: ["/a"] }] }),
    "InvalidFilterOption",
    400,
    "The following filter option is not valid: Equals. Valid options include: [OneLevel, Recursive].",
  );
  await rejects(
    d({
      ParameterFilters: [
        { Key: "Type", Values: ["String"] },
        { Key: "Type", Values: ["String"] },
      ],
    }),
    "InvalidFilterKey",
    400,
    /duplicated/,
  );
  await rejects(d({ ParameterFilters: [{ Key: "Tier", Values: ["Gold"] }] }), "InvalidFilterValue", 400);
  await rejects(d({ MaxResults: 51 }), "ValidationException", 400);
});

test("DescribeParameters pages through every parameter", async () => {
  const ssm = server.client(SSMClient);
  for (let i = 0; i < 7; i++) await ssm.send(new PutParameterCommand({ Name: `/dp/${i}`, Value: "v", Type: "String" }));
  const all: string[] = [];
  for await (const page of paginateDescribeParameters({ client: ssm, pageSize: 3 }, {})) {
    assert.ok(page.Parameters!.length <= 3);
    all.push(...(names(page.Parameters) as string[]));
  }
  assert.deepEqual(all, ["/dp/0", "/dp/1", "/dp/2", "/dp/3", "/dp/4", "/dp/5", "/dp/6"]);
});
