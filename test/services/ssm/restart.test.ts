// Parameters (versions, labels, tags) and documents (versions, default version, sharing) survive a restart on the same data directory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SSMClient,
  PutParameterCommand,
  LabelParameterVersionCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  ListTagsForResourceCommand,
  CreateDocumentCommand,
  UpdateDocumentCommand,
  UpdateDocumentDefaultVersionCommand,
  ModifyDocumentPermissionCommand,
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  GetDocumentCommand,
} from "@aws-sdk/client-ssm";
import { randomAccount, startTestServer } from "../../helpers/server.js";

test("versions, labels and tags survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-ssm-"));
  const account = randomAccount();
  try {
    let server = await startTestServer({ dataDir });
    let ssm = new SSMClient(server.clientConfig({ account }));
    await ssm.send(new PutParameterCommand({ Name: "/r/p", Value: "one", Type: "String", Tags: [{ Key: "k", Value: "v" }] }));
    await ssm.send(new PutParameterCommand({ Name: "/r/p", Value: "two", Overwrite: true }));
    await ssm.send(new LabelParameterVersionCommand({ Name: "/r/p", ParameterVersion: 1, Labels: ["first"] }));
    await server.close();

    server = await startTestServer({ dataDir });
    ssm = new SSMClient(server.clientConfig({ account }));
    try {
      assert.equal((await ssm.send(new GetParameterCommand({ Name: "/r/p" }))).Parameter!.Value, "two");
      assert.equal((await ssm.send(new GetParameterCommand({ Name: "/r/p:first" }))).Parameter!.Value, "one");
      const h = await ssm.send(new GetParameterHistoryCommand({ Name: "/r/p" }));
      assert.deepEqual(
        h.Parameters!.map((p) => [p.Version, p.Value, p.Labels]),
        [
          [1, "one", ["first"]],
          [2, "two", []],
        ],
      );
      assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/r/p" }))).TagList, [{ Key: "k", Value: "v" }]);
      assert.equal((await ssm.send(new PutParameterCommand({ Name: "/r/p", Value: "three", Overwrite: true }))).Version, 3);
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("documents, their versions, default version and sharing survive a restart", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "stratus-ssm-"));
  const account = randomAccount();
  const doc = (n: number) =>
    JSON.stringify({ schemaVersion: "2.2", mainSteps: [{ action: "aws:runShellScript", name: "x", inputs: { runCommand: [`echo ${n}`] } }] });
  try {
    let server = await startTestServer({ dataDir });
    let ssm = new SSMClient(server.clientConfig({ account }));
    await ssm.send(new CreateDocumentCommand({ Name: "kept-doc", Content: doc(1) }));
    await ssm.send(new UpdateDocumentCommand({ Name: "kept-doc", Content: doc(2), VersionName: "two" }));
    await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "kept-doc", DocumentVersion: "2" }));
    await ssm.send(new ModifyDocumentPermissionCommand({ Name: "kept-doc", PermissionType: "Share", AccountIdsToAdd: ["111122223333"] }));
    await server.close();

    server = await startTestServer({ dataDir });
    ssm = new SSMClient(server.clientConfig({ account }));
    try {
      const d = (await ssm.send(new DescribeDocumentCommand({ Name: "kept-doc" }))).Document!;
      assert.deepEqual([d.DocumentVersion, d.LatestVersion, d.DefaultVersion, d.VersionName], ["2", "2", "2", "two"]);
      assert.match((await ssm.send(new GetDocumentCommand({ Name: "kept-doc", DocumentVersion: "1" }))).Content!, /echo 1/);
      assert.deepEqual((await ssm.send(new DescribeDocumentPermissionCommand({ Name: "kept-doc", PermissionType: "Share" }))).AccountIds, ["111122223333"]);
      assert.equal((await ssm.send(new UpdateDocumentCommand({ Name: "kept-doc", Content: doc(3) }))).DocumentDescription!.DocumentVersion, "3");
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
