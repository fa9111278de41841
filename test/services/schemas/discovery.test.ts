// Discoverers through SDK v3: a started discoverer on a bus turns PutEvents into myapp@OrderPlaced in
// discovered-schemas, a new version only when the inferred schema changes; stopped, it sees nothing; GetDiscoveredSchema;
// and the AWS CLI (v1, v2 where installed) for discoverers and get-discovered-schema.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutPermissionCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateDiscovererCommand,
  DeleteDiscovererCommand,
  DeleteSchemaCommand,
  DescribeDiscovererCommand,
  DescribeSchemaCommand,
  ExportSchemaCommand,
  GetDiscoveredSchemaCommand,
  ListDiscoverersCommand,
  ListSchemaVersionsCommand,
  SchemasClient,
  StartDiscovererCommand,
  StopDiscovererCommand,
  UpdateDiscovererCommand,
} from "@aws-sdk/client-schemas";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { eventually } from "../../helpers/wait.js";
import { awsClis, runAws } from "../../helpers/aws-cli.js";

const server = useServer();

function clients(account = randomAccount()) {
  return { account, eb: server.client(EventBridgeClient, { account }), api: server.client(SchemasClient, { account }) };
}

type C = ReturnType<typeof clients>;
const put = (c: C, bus: string, entries: [string, string, Record<string, unknown>][]) =>
  c.eb.send(
    new PutEventsCommand({ Entries: entries.map(([Source, DetailType, d]) => ({ EventBusName: bus, Source, DetailType, Detail: JSON.stringify(d) })) }),
  );
const describe = (c: C, name: string) => c.api.send(new DescribeSchemaCommand({ RegistryName: "discovered-schemas", SchemaName: name }));
/** Waits until a marker's schema exists: every event put before it (in the same or an earlier call) has been inferred. */
async function settled(c: C, bus: string, marker: string): Promise<void> {
  await put(c, bus, [["marker", marker, { m: 1 }]]);
  await eventually(() => describe(c, `marker@${marker}`));
}

test("a started discoverer infers myapp@OrderPlaced from PutEvents, a new version only when the schema changes", async () => {
  const c = clients();
  const { EventBusArn } = await c.eb.send(new CreateEventBusCommand({ Name: "orders" }));
  const d = await c.api.send(new CreateDiscovererCommand({ SourceArn: EventBusArn, Description: "orders", Tags: { t: "1" } }));
  assert.equal(d.DiscovererId, "events-event-bus-orders");
  assert.equal(d.DiscovererArn, `arn:aws:schemas:us-east-1:${c.account}:discoverer/events-event-bus-orders`);
  assert.equal(d.State, "STARTED");
  assert.equal(d.CrossAccount, true);
  await rejects(c.api.send(new CreateDiscovererCommand({ SourceArn: EventBusArn })), "ConflictException", 409);

  await put(c, "orders", [
    ["myapp", "OrderPlaced", { id: "o-1", total: 10, placedAt: "2026-12-06T09:00:00Z", customer: { name: "ann" }, items: [{ sku: "a", qty: 1 }] }],
    ["myapp", "OrderPlaced", { id: "o-2", total: 12.5, placedAt: "2026-12-06T09:01:00Z", customer: { name: "bob" }, items: [] }],
  ]);
  const v1 = await eventually(() => describe(c, "myapp@OrderPlaced"));
  assert.equal(v1.SchemaVersion, "1");
  assert.equal(v1.Type, "OpenApi3");
  const doc = JSON.parse(v1.Content!);
  const aws = doc.components.schemas.AWSEvent;
  assert.equal(aws["x-amazon-events-source"], "myapp");
  assert.equal(aws["x-amazon-events-detail-type"], "OrderPlaced");
  assert.deepEqual(aws.properties.detail, { $ref: "#/components/schemas/OrderPlaced" });
  const placed = doc.components.schemas.OrderPlaced;
  assert.deepEqual(placed.required, ["customer", "id", "items", "placedAt", "total"]);
  assert.deepEqual(placed.properties.total, { type: "number", format: "double" }); // 10 and 12.5: a double
  assert.deepEqual(placed.properties.placedAt, { type: "string", format: "date-time" });
  assert.deepEqual(placed.properties.customer, { $ref: "#/components/schemas/Customer" });
  assert.deepEqual(doc.components.schemas.ItemsItem.properties.qty, { type: "number" });

  // AWS's own answers for a discovered schema, byte for byte (DescribeSchema and ExportSchema of
  // discovered-schemas/users@UserCreated, recorded in a public EventBridge tool's test fixtures).
  await put(c, "orders", [["users", "userCreated", { data: { id: "u-1" } }]]);
  const users = await eventually(() => describe(c, "users@UserCreated"));
  assert.equal(
    users.Content,
    '{"openapi":"3.0.0","info":{"version":"1.0.0","title":"UserCreated"},"paths":{},"components":{"schemas":{"AWSEvent":{"type":"object","required":["detail-type","resources","detail","id","source","time","region","version","account"],"x-amazon-events-detail-type":"userCreated","x-amazon-events-source":"users","properties":{"detail":{"$ref":"#/components/schemas/UserCreated"},"account":{"type":"string"},"detail-type":{"type":"string"},"id":{"type":"string"},"region":{"type":"string"},"resources":{"type":"array","items":{"type":"object"}},"source":{"type":"string"},"time":{"type":"string","format":"date-time"},"version":{"type":"string"}}},"UserCreated":{"type":"object","required":["data"],"properties":{"data":{"$ref":"#/components/schemas/Data"}}},"Data":{"type":"object","required":["id"],"properties":{"id":{"type":"string"}}}}}}',
  );
  const exported = await c.api.send(new ExportSchemaCommand({ RegistryName: "discovered-schemas", SchemaName: "users@UserCreated", Type: "JSONSchemaDraft4" }));
  assert.equal(
    exported.Content,
    '{"$schema":"http://json-schema.org/draft-04/schema#","title":"UserCreated","definitions":{"Data":{"properties":{"id":{"type":"string"}},"required":["id"],"type":"object"},"UserCreated":{"properties":{"data":{"$ref":"#/definitions/Data"}},"required":["data"],"type":"object"}},"properties":{"account":{"type":"string"},"detail":{"$ref":"#/definitions/UserCreated"},"detail-type":{"type":"string"},"id":{"type":"string"},"region":{"type":"string"},"resources":{"items":{"type":"object"},"type":"array"},"source":{"type":"string"},"time":{"format":"date-time","type":"string"},"version":{"type":"string"}},"required":["detail-type","resources","detail","id","source","time","region","version","account"],"type":"object","x-amazon-events-detail-type":"userCreated","x-amazon-events-source":"users"}',
  );

  // Deleted, a discovered schema is made again by the next event.
  await c.api.send(new DeleteSchemaCommand({ RegistryName: "discovered-schemas", SchemaName: "users@UserCreated" }));
  await put(c, "orders", [["users", "userCreated", { data: { id: "u-2" } }]]);
  assert.equal((await eventually(() => describe(c, "users@UserCreated"))).SchemaVersion, "1");

  // Same shape, other values: no new version.
  await put(c, "orders", [["myapp", "OrderPlaced", { id: "o-3", total: 1, placedAt: "2026-12-06T09:02:00Z", customer: { name: "c" }, items: [] }]]);
  await settled(c, "orders", "One");
  assert.equal((await describe(c, "myapp@OrderPlaced")).SchemaVersion, "1");

  // A new field, and one left out: version 2, the new field optional... and the missing one no longer required.
  await put(c, "orders", [["myapp", "OrderPlaced", { id: "o-4", total: 2, placedAt: "2026-12-06T09:03:00Z", items: [], coupon: "X" }]]);
  const v2 = await eventually(async () => {
    const s = await describe(c, "myapp@OrderPlaced");
    assert.equal(s.SchemaVersion, "2");
    return s;
  });
  const placed2 = JSON.parse(v2.Content!).components.schemas.OrderPlaced;
  assert.deepEqual(placed2.properties.coupon, { type: "string" });
  assert.deepEqual(placed2.required, ["id", "items", "placedAt", "total"]);
  const versions = await c.api.send(new ListSchemaVersionsCommand({ RegistryName: "discovered-schemas", SchemaName: "myapp@OrderPlaced" }));
  assert.deepEqual(
    versions.SchemaVersions?.map((v) => v.SchemaVersion),
    ["2", "1"],
  );

  // Stopped: nothing is inferred.
  assert.equal((await c.api.send(new StopDiscovererCommand({ DiscovererId: d.DiscovererId }))).State, "STOPPED");
  await put(c, "orders", [["myapp", "OrderCancelled", { id: "o-1" }]]);
  assert.equal((await c.api.send(new StartDiscovererCommand({ DiscovererId: d.DiscovererId }))).State, "STARTED");
  await settled(c, "orders", "Two");
  await rejects(describe(c, "myapp@OrderCancelled"), "NotFoundException", 404);

  const updated = await c.api.send(new UpdateDiscovererCommand({ DiscovererId: d.DiscovererId, CrossAccount: false, Description: "x" }));
  assert.equal(updated.CrossAccount, false);
  const listed = await c.api.send(new ListDiscoverersCommand({ SourceArnPrefix: EventBusArn }));
  assert.deepEqual(
    listed.Discoverers?.map((x) => [x.DiscovererId, x.State, x.CrossAccount]),
    [["events-event-bus-orders", "STARTED", false]],
  );
  await c.api.send(new DeleteDiscovererCommand({ DiscovererId: d.DiscovererId }));
  await rejects(c.api.send(new DescribeDiscovererCommand({ DiscovererId: d.DiscovererId })), "NotFoundException", 404);
  await rejects(c.api.send(new CreateDiscovererCommand({ SourceArn: `arn:aws:events:us-east-1:${c.account}:event-bus/none` })), "BadRequestException", 400);
});

test("CrossAccount: another account's events on the bus are inferred only while the discoverer takes them", async () => {
  const owner = clients();
  const sender = clients();
  const { EventBusArn } = await owner.eb.send(new CreateEventBusCommand({ Name: "shared" }));
  await owner.eb.send(new PutPermissionCommand({ EventBusName: "shared", Action: "events:PutEvents", Principal: sender.account, StatementId: "s" }));
  const d = await owner.api.send(new CreateDiscovererCommand({ SourceArn: EventBusArn, CrossAccount: false }));
  const fromSender = (n: number) =>
    sender.eb.send(new PutEventsCommand({ Entries: [{ EventBusName: EventBusArn, Source: "partner", DetailType: "Shared", Detail: JSON.stringify({ n }) }] }));
  assert.equal((await fromSender(1)).FailedEntryCount, 0);
  await settled(owner, "shared", "Three");
  await rejects(describe(owner, "partner@Shared"), "NotFoundException", 404);
  await owner.api.send(new UpdateDiscovererCommand({ DiscovererId: d.DiscovererId, CrossAccount: true }));
  await fromSender(2);
  assert.equal((await eventually(() => describe(owner, "partner@Shared"))).SchemaVersion, "1");
});

test("GetDiscoveredSchema: events in EventBridge's envelope, any JSON objects, and the JSON Schema draft 4 form", async () => {
  const c = clients();
  const event = {
    version: "0",
    id: "1",
    "detail-type": "Order Shipped",
    source: "shop",
    account: c.account,
    time: "2026-12-06T09:00:00Z",
    region: "us-east-1",
    resources: [],
    detail: { n: 1 },
  };
  const open = await c.api.send(new GetDiscoveredSchemaCommand({ Events: [JSON.stringify(event)], Type: "OpenApi3" }));
  const doc = JSON.parse(open.Content!);
  assert.equal(doc.info.title, "OrderShipped");
  assert.deepEqual(doc.components.schemas.OrderShipped.properties, { n: { type: "number" } });
  const d4 = JSON.parse((await c.api.send(new GetDiscoveredSchemaCommand({ Events: [JSON.stringify(event)], Type: "JSONSchemaDraft4" }))).Content!);
  assert.equal(d4.$schema, "http://json-schema.org/draft-04/schema#");
  assert.deepEqual(d4.properties.detail, { $ref: "#/definitions/OrderShipped" });
  await rejects(c.api.send(new GetDiscoveredSchemaCommand({ Events: ["[1]"], Type: "OpenApi3" })), "BadRequestException", 400);
});

const clis = awsClis();
if (!clis.length) test("aws CLI: schemas", { skip: "aws CLI not installed" }, () => {});
for (const cli of clis)
  test(`${cli.label}: create-registry, describe-registry error, create-discoverer, get-discovered-schema`, async () => {
    const account = randomAccount();
    const creds = { AWS_ACCESS_KEY_ID: account, AWS_SECRET_ACCESS_KEY: "test" };
    const aws = async (args: string[]) => {
      const r = await runAws(cli, server.url, ["schemas", ...args], creds);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const created = await aws(["create-registry", "--registry-name", "example-registry"]);
    assert.deepEqual(created, { RegistryArn: `arn:aws:schemas:us-east-1:${account}:registry/example-registry`, RegistryName: "example-registry", Tags: {} });
    const missing = await runAws(cli, server.url, ["schemas", "describe-registry", "--registry-name", "nope"], creds);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /\(NotFoundException\).*Registry with name nope does not exist\./);
    const d = await aws(["create-discoverer", "--source-arn", `arn:aws:events:us-east-1:${account}:event-bus/default`]);
    assert.deepEqual([d.DiscovererId, d.State], ["events-event-bus-default", "STARTED"]);
    // The AWS CLI's get-discovered-schema example: objects that are not events become one Event schema.
    const got = await aws([
      "get-discovered-schema",
      "--events",
      '{"Source":"com.mycompany.myapp","Detail":"{ \\"key1\\": \\"value1\\", \\"key2\\": \\"value2\\" }","EventBusName":"default","Resources":["resource1","resource2"],"DetailType":"myDetailType"}',
      "--type",
      "OpenApi3",
    ]);
    const schema = JSON.parse(got.Content).components.schemas.Event;
    assert.deepEqual(schema.properties, {
      Detail: { type: "string" },
      DetailType: { type: "string" },
      EventBusName: { type: "string" },
      Resources: { type: "array", items: { type: "string" } },
      Source: { type: "string" },
    });
    assert.deepEqual([...schema.required].sort(), ["Detail", "DetailType", "EventBusName", "Resources", "Source"]);
  });
