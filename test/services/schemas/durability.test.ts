// kill -9 of the built server: registries, schemas with their versions, a code binding, a discoverer and its state and
// the schemas it discovered are all there after a restart on the same data dir, and the restarted server goes on
// discovering from PutEvents before anyone calls Schemas (it starts with the server once a discoverer exists).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateDiscovererCommand,
  CreateRegistryCommand,
  CreateSchemaCommand,
  DescribeCodeBindingCommand,
  DescribeDiscovererCommand,
  DescribeSchemaCommand,
  GetResourcePolicyCommand,
  ListSchemaVersionsCommand,
  PutCodeBindingCommand,
  PutResourcePolicyCommand,
  SchemasClient,
  StopDiscovererCommand,
  UpdateSchemaCommand,
} from "@aws-sdk/client-schemas";
import { cliClientConfig, killAll, startCli } from "../../cli/spawn.js";
import { randomAccount } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";

after(killAll);

const doc = (props: Record<string, unknown>) =>
  JSON.stringify({
    openapi: "3.0.0",
    info: { version: "1.0.0", title: "Event" },
    paths: {},
    components: { schemas: { Event: { type: "object", properties: props } } },
  });

test("kill -9: registries, schema versions, bindings, discoverers and discovered schemas survive; discovery resumes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "stratus-schemas-kill-"));
  const account = randomAccount();
  const busArn = `arn:aws:events:us-east-1:${account}:event-bus/default`;
  try {
    const first = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    let api = new SchemasClient(cliClientConfig(first.url, account));
    let eb = new EventBridgeClient(cliClientConfig(first.url, account));
    await api.send(new CreateRegistryCommand({ RegistryName: "kept", Tags: { k: "v" } }));
    await api.send(new PutResourcePolicyCommand({ RegistryName: "kept", Policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
    await api.send(new CreateSchemaCommand({ RegistryName: "kept", SchemaName: "S", Type: "OpenApi3", Content: doc({ a: { type: "string" } }) }));
    await api.send(new UpdateSchemaCommand({ RegistryName: "kept", SchemaName: "S", Type: "OpenApi3", Content: doc({ b: { type: "string" } }) }));
    await api.send(new PutCodeBindingCommand({ RegistryName: "kept", SchemaName: "S", Language: "Python36" }));
    const { DiscovererId } = await api.send(new CreateDiscovererCommand({ SourceArn: busArn }));
    await eb.send(new PutEventsCommand({ Entries: [{ Source: "myapp", DetailType: "OrderPlaced", Detail: '{"id":"1"}' }] }));
    await eventually(() => api.send(new DescribeSchemaCommand({ RegistryName: "discovered-schemas", SchemaName: "myapp@OrderPlaced" })));
    assert.equal((await first.stop("SIGKILL")).signal, "SIGKILL");

    const again = await startCli(["--port", "0", "--data-dir", dir, "--log-level", "error"]);
    try {
      api = new SchemasClient(cliClientConfig(again.url, account));
      eb = new EventBridgeClient(cliClientConfig(again.url, account));
      // First PutEvents, then Schemas: the discoverer must already be watching.
      await eb.send(new PutEventsCommand({ Entries: [{ Source: "myapp", DetailType: "OrderPlaced", Detail: '{"id":"1","n":2}' }] }));
      const discovered = await eventually(async () => {
        const s = await api.send(new DescribeSchemaCommand({ RegistryName: "discovered-schemas", SchemaName: "myapp@OrderPlaced" }));
        assert.equal(s.SchemaVersion, "2");
        return s;
      });
      assert.ok(JSON.parse(discovered.Content!).components.schemas.OrderPlaced.properties.n);
      const versions = await api.send(new ListSchemaVersionsCommand({ RegistryName: "kept", SchemaName: "S" }));
      assert.deepEqual(
        versions.SchemaVersions?.map((v) => v.SchemaVersion),
        ["2", "1"],
      );
      assert.ok((await api.send(new GetResourcePolicyCommand({ RegistryName: "kept" }))).RevisionId);
      assert.equal((await api.send(new DescribeCodeBindingCommand({ RegistryName: "kept", SchemaName: "S", Language: "Python36" }))).Status, "CREATE_COMPLETE");
      assert.equal((await api.send(new DescribeDiscovererCommand({ DiscovererId }))).State, "STARTED");
      await api.send(new StopDiscovererCommand({ DiscovererId }));
      assert.equal((await api.send(new DescribeDiscovererCommand({ DiscovererId }))).State, "STOPPED");
    } finally {
      await again.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
