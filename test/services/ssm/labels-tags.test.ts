// Labels on parameter versions and tags on parameters through the real SDK v3 client.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SSMClient,
  PutParameterCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
  UnlabelParameterVersionCommand,
  AddTagsToResourceCommand,
  RemoveTagsFromResourceCommand,
  ListTagsForResourceCommand,
  DeleteParameterCommand,
} from "@aws-sdk/client-ssm";
import { useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";

const server = useServer();

async function threeVersions() {
  const ssm = server.client(SSMClient);
  for (let i = 1; i <= 3; i++) await ssm.send(new PutParameterCommand({ Name: "/l/p", Value: `v${i}`, Type: "String", Overwrite: i > 1 }));
  return ssm;
}

const labelsByVersion = async (ssm: SSMClient) =>
  (await ssm.send(new GetParameterHistoryCommand({ Name: "/l/p" }))).Parameters!.map((p) => [p.Version, p.Labels]);

test("labels go on the latest version by default and move between versions", async () => {
  const ssm = await threeVersions();
  const r = await ssm.send(new LabelParameterVersionCommand({ Name: "/l/p", Labels: ["live"] }));
  assert.deepEqual([r.ParameterVersion, r.InvalidLabels], [3, []]);
  await ssm.send(new LabelParameterVersionCommand({ Name: "/l/p", ParameterVersion: 1, Labels: ["live", "old"] }));
  assert.deepEqual(await labelsByVersion(ssm), [
    [1, ["live", "old"]],
    [2, []],
    [3, []],
  ]);
  assert.equal((await ssm.send(new GetParameterCommand({ Name: "/l/p:live" }))).Parameter!.Value, "v1");
});

test("invalid labels are reported, valid ones in the same call still apply", async () => {
  const ssm = await threeVersions();
  const r = await ssm.send(
    new LabelParameterVersionCommand({ Name: "/l/p", ParameterVersion: 2, Labels: ["awsx", "SSM1", "1st", "has space", "ok_label-1.0"] }),
  );
  assert.deepEqual(r.InvalidLabels, ["awsx", "SSM1", "1st", "has space"]);
  assert.deepEqual(await labelsByVersion(ssm), [
    [1, []],
    [2, ["ok_label-1.0"]],
    [3, []],
  ]);
  await rejects(ssm.send(new LabelParameterVersionCommand({ Name: "/l/p", Labels: ["x".repeat(101)] })), "ValidationException", 400);
});

test("at most 10 labels per version; unknown parameter or version fail", async () => {
  const ssm = await threeVersions();
  await ssm.send(new LabelParameterVersionCommand({ Name: "/l/p", Labels: Array.from({ length: 10 }, (_, i) => `l${i}`) }));
  await rejects(
    ssm.send(new LabelParameterVersionCommand({ Name: "/l/p", Labels: ["eleventh"] })),
    "ParameterVersionLabelLimitExceeded",
    400,
    /maximum 10 labels/,
  );
  await ssm.send(new LabelParameterVersionCommand({ Name: "/l/p", Labels: ["l0"] })); // already there: no new label
  await rejects(ssm.send(new LabelParameterVersionCommand({ Name: "/l/p", ParameterVersion: 9, Labels: ["x"] })), "ParameterVersionNotFound", 400);
  await rejects(ssm.send(new LabelParameterVersionCommand({ Name: "/l/none", Labels: ["x"] })), "ParameterNotFound", 400);
});

test("UnlabelParameterVersion removes labels and reports the ones not on that version", async () => {
  const ssm = await threeVersions();
  await ssm.send(new LabelParameterVersionCommand({ Name: "/l/p", ParameterVersion: 2, Labels: ["a", "b"] }));
  const r = await ssm.send(new UnlabelParameterVersionCommand({ Name: "/l/p", ParameterVersion: 2, Labels: ["a", "zzz"] }));
  assert.deepEqual([r.RemovedLabels, r.InvalidLabels], [["a"], ["zzz"]]);
  assert.deepEqual(await labelsByVersion(ssm), [
    [1, []],
    [2, ["b"]],
    [3, []],
  ]);
  await rejects(ssm.send(new UnlabelParameterVersionCommand({ Name: "/l/p", ParameterVersion: 7, Labels: ["b"] })), "ParameterVersionNotFound", 400);
});

test("tags: add (replacing a key's value), list, remove; unknown parameters are invalid resource ids", async () => {
  const ssm = server.client(SSMClient);
  await ssm.send(new PutParameterCommand({ Name: "/t/p", Value: "v", Type: "String", Tags: [{ Key: "a", Value: "1" }] }));
  await ssm.send(
    new AddTagsToResourceCommand({
      ResourceType: "Parameter",
      ResourceId: "/t/p",
      Tags: [
        { Key: "a", Value: "2" },
        { Key: "b", Value: "3" },
      ],
    }),
  );
  const list = async () => (await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/t/p" }))).TagList;
  assert.deepEqual(await list(), [
    { Key: "a", Value: "2" },
    { Key: "b", Value: "3" },
  ]);
  await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: "Parameter", ResourceId: "/t/p", TagKeys: ["a"] }));
  assert.deepEqual(await list(), [{ Key: "b", Value: "3" }]);
  const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
  await rejects(ssm.send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: "/t/p", Tags: many })), "TooManyTagsError", 400);
  await rejects(ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/t/none" })), "InvalidResourceId", 400);
  await rejects(ssm.send(new ListTagsForResourceCommand({ ResourceType: "Bogus" as "Parameter", ResourceId: "/t/p" })), "ValidationException", 400);
  await ssm.send(new DeleteParameterCommand({ Name: "/t/p" }));
  await rejects(
    ssm.send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: "/t/p", Tags: [{ Key: "a", Value: "1" }] })),
    "InvalidResourceId",
    400,
  );
});
