// CloudWatch dashboards through SDK v3: the global ARN, body validation with AWS's message and list, names, listing
// by prefix, all-or-nothing DeleteDashboards.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DeleteDashboardsCommand,
  GetDashboardCommand,
  ListDashboardsCommand,
  PutDashboardCommand,
  type DashboardInvalidInputError,
} from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

const body = JSON.stringify({
  widgets: [
    {
      type: "metric",
      x: 0,
      y: 0,
      width: 6,
      height: 6,
      properties: { metrics: [["AWS/EC2", "CPUUtilization", "InstanceId", "i-12345678"]], region: "us-east-1", view: "timeSeries", stacked: false },
    },
  ],
});

test("dashboards: put, get with the global ARN, list by prefix with size, delete", async () => {
  const account = randomAccount();
  const c = server.client(CloudWatchClient, { account, region: "eu-west-1" });
  const put = await c.send(new PutDashboardCommand({ DashboardName: "ops-main", DashboardBody: body }));
  assert.deepEqual(put.DashboardValidationMessages, []);
  await c.send(new PutDashboardCommand({ DashboardName: "dev_1", DashboardBody: JSON.stringify({ widgets: [] }) }));
  const got = await c.send(new GetDashboardCommand({ DashboardName: "ops-main" }));
  assert.equal(got.DashboardArn, `arn:aws:cloudwatch::${account}:dashboard/ops-main`);
  assert.equal(got.DashboardBody, body);
  // Dashboards are global: another region of the account sees them.
  const other = server.client(CloudWatchClient, { account, region: "us-west-2" });
  assert.equal((await other.send(new GetDashboardCommand({ DashboardName: "dev_1" }))).DashboardName, "dev_1");

  const all = await c.send(new ListDashboardsCommand({}));
  assert.deepEqual(
    all.DashboardEntries!.map((d) => [d.DashboardName, d.DashboardArn, d.Size, d.LastModified instanceof Date]),
    [
      ["dev_1", `arn:aws:cloudwatch::${account}:dashboard/dev_1`, 14, true],
      ["ops-main", `arn:aws:cloudwatch::${account}:dashboard/ops-main`, Buffer.byteLength(body), true],
    ],
  );
  assert.deepEqual(
    (await c.send(new ListDashboardsCommand({ DashboardNamePrefix: "ops" }))).DashboardEntries!.map((d) => d.DashboardName),
    ["ops-main"],
  );
  assert.deepEqual((await c.send(new ListDashboardsCommand({ DashboardNamePrefix: "zz" }))).DashboardEntries, []);

  // A missing name fails the whole delete.
  await assert.rejects(
    c.send(new DeleteDashboardsCommand({ DashboardNames: ["ops-main", "ghost"] })),
    (e: Error & { $metadata: { httpStatusCode?: number } }) => {
      // The SDK names it by its query code when the query-compatible header says so.
      assert.match(e.name, /^(DashboardNotFoundError|ResourceNotFound)$/);
      assert.match(e.message, /ghost/);
      assert.equal(e.$metadata.httpStatusCode, 404);
      return true;
    },
  );
  await c.send(new DeleteDashboardsCommand({ DashboardNames: ["ops-main", "dev_1"] }));
  assert.deepEqual((await c.send(new ListDashboardsCommand({}))).DashboardEntries, []);
  await assert.rejects(c.send(new GetDashboardCommand({ DashboardName: "ops-main" })), { name: /^(DashboardNotFoundError|ResourceNotFound)$/ });
});

test("dashboards: AWS's name error and body validation messages", async () => {
  const c = server.client(CloudWatchClient, { account: randomAccount() });
  await assert.rejects(c.send(new PutDashboardCommand({ DashboardName: "bad name!", DashboardBody: body })), (e: Error) => {
    assert.equal(e.name, "InvalidParameterValueException");
    assert.equal(e.message, "The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).\n");
    return true;
  });
  const bad = JSON.stringify({
    widgets: [{ type: "metric", properties: { metrics: [["AWS/EC2", "CPUUtilization", { InstanceId: "i-1" }, "x"]] } }, { type: "nope" }],
  });
  await assert.rejects(c.send(new PutDashboardCommand({ DashboardName: "d", DashboardBody: bad })), (e: DashboardInvalidInputError) => {
    assert.equal(e.name, "DashboardInvalidInputError");
    assert.equal(
      e.message,
      `The dashboard body is invalid, there are 2 validation errors:\n${JSON.stringify(
        [
          { dataPath: "/widgets/0/properties/metrics/0/2", message: 'Invalid metric field type, only "String" type is allowed' },
          { dataPath: "/widgets/1/type", message: "Should be equal to one of the allowed values" },
        ],
        null,
        2,
      )}`,
    );
    assert.deepEqual(e.dashboardValidationMessages, [
      { DataPath: "/widgets/0/properties/metrics/0/2", Message: 'Invalid metric field type, only "String" type is allowed' },
      { DataPath: "/widgets/1/type", Message: "Should be equal to one of the allowed values" },
    ]);
    return true;
  });
  await assert.rejects(c.send(new PutDashboardCommand({ DashboardName: "d", DashboardBody: "{}" })), (e: Error) => {
    assert.equal(e.name, "DashboardInvalidInputError");
    assert.match(e.message, /there are 1 validation errors:[\s\S]*Should have required property 'widgets'/);
    return true;
  });
  await assert.rejects(c.send(new PutDashboardCommand({ DashboardName: "d", DashboardBody: "{not json" })), { name: "DashboardInvalidInputError" });
  assert.deepEqual((await c.send(new ListDashboardsCommand({}))).DashboardEntries, []);
});
