// X-Ray's service graph (client node, edges, statistics, histograms), trace graph and time series; groups and their
// filter applied to the graph and to filter expressions; summaries filtered through the SDK; AWS::XRay::Group.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateGroupCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  GetGroupsCommand,
  GetServiceGraphCommand,
  GetTimeSeriesServiceStatisticsCommand,
  GetTraceGraphCommand,
  GetTraceSummariesCommand,
  PutTraceSegmentsCommand,
  UpdateGroupCommand,
  XRayClient,
} from "@aws-sdk/client-xray";
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from "@aws-sdk/client-cloudformation";
import { randomAccount, useServer } from "../../helpers/server.js";
import { rejects } from "../../helpers/errors.js";
import { hex, traceId } from "./segments.js";

const server = useServer();
const xray = (account?: string) => server.client(XRayClient, { account });

/** front → back (a segment of its own) → S3 (inferred); `fault` on back when asked. */
function callChain(now: number, fault: boolean, ms: number) {
  const tid = traceId(now);
  const call = hex(16);
  return {
    tid,
    docs: [
      {
        name: "front",
        id: hex(16),
        trace_id: tid,
        start_time: now,
        end_time: now + ms / 1000,
        origin: "AWS::EC2::Instance",
        annotations: { env: fault ? "canary" : "prod" },
        ...(fault ? { fault: true } : {}),
        subsegments: [
          {
            name: "back",
            id: call,
            namespace: "remote",
            start_time: now + 0.001,
            end_time: now + ms / 1000 - 0.001,
            http: { request: { url: "http://back/x" } },
          },
        ],
      },
      {
        name: "back",
        id: hex(16),
        parent_id: call,
        trace_id: tid,
        start_time: now + 0.002,
        end_time: now + ms / 1000 - 0.002,
        ...(fault ? { fault: true } : {}),
        subsegments: [{ name: "S3", id: hex(16), namespace: "aws", start_time: now + 0.003, end_time: now + 0.004, aws: { operation: "GetObject" } }],
      },
    ].map((d) => JSON.stringify(d)),
  };
}

test("GetServiceGraph: client node, services with edges and statistics; GetTraceGraph; time series", async () => {
  const c = xray();
  const now = Math.floor(Date.now() / 1000) - 30;
  const a = callChain(now, false, 100);
  const b = callChain(now + 1, true, 300);
  await c.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [...a.docs, ...b.docs] }));
  const window = { StartTime: new Date((now - 60) * 1000), EndTime: new Date((now + 60) * 1000) };
  const g = await c.send(new GetServiceGraphCommand(window));
  assert.equal(g.ContainsOldGroupVersions, false);
  const by = new Map(g.Services!.map((s) => [s.Name ?? s.Type, s]));
  const client = by.get("client")!;
  const front = by.get("front")!;
  const back = by.get("back")!;
  const s3 = by.get("S3")!;
  assert.equal(client.Type, "client");
  assert.deepEqual(
    client.Edges!.map((e) => e.ReferenceId),
    [front.ReferenceId],
  );
  assert.equal(front.Root, true);
  assert.equal(front.Type, "AWS::EC2::Instance");
  assert.deepEqual(front.SummaryStatistics, {
    OkCount: 1,
    ErrorStatistics: { ThrottleCount: 0, OtherCount: 0, TotalCount: 0 },
    FaultStatistics: { OtherCount: 1, TotalCount: 1 },
    TotalCount: 2,
    TotalResponseTime: 0.4,
  });
  assert.deepEqual(front.ResponseTimeHistogram, [
    { Value: 0.1, Count: 1 },
    { Value: 0.3, Count: 1 },
  ]);
  assert.equal(front.DurationHistogram!.length, 2);
  assert.deepEqual(
    front.Edges!.map((e) => e.ReferenceId),
    [back.ReferenceId],
  );
  assert.equal(front.Edges![0].SummaryStatistics!.TotalCount, 2);
  assert.equal(front.Edges![0].SummaryStatistics!.FaultStatistics!.TotalCount, 1);
  assert.deepEqual(
    back.Edges!.map((e) => e.ReferenceId),
    [s3.ReferenceId],
  );
  assert.equal(s3.Type, "AWS::S3");
  assert.equal(back.Root, false);

  const tg = await c.send(new GetTraceGraphCommand({ TraceIds: [a.tid] }));
  assert.deepEqual(tg.Services!.map((s) => s.Name ?? s.Type).sort(), ["S3", "back", "client", "front"]);
  assert.equal(tg.Services!.find((s) => s.Name === "front")!.SummaryStatistics!.TotalCount, 1);

  const ts = await c.send(new GetTimeSeriesServiceStatisticsCommand({ ...window, EntitySelectorExpression: 'service("back")', Period: 60 }));
  const total = ts.TimeSeriesServiceStatistics!.reduce((n, p) => n + p.ServiceSummaryStatistics!.TotalCount!, 0);
  assert.equal(total, 2);
  const edges = await c.send(new GetTimeSeriesServiceStatisticsCommand({ ...window, EntitySelectorExpression: 'edge("front", "back")' }));
  assert.equal(
    edges.TimeSeriesServiceStatistics!.reduce((n, p) => n + p.EdgeSummaryStatistics!.TotalCount!, 0),
    2,
  );
  await rejects(c.send(new GetTimeSeriesServiceStatisticsCommand({ ...window, Period: 120 })), "InvalidRequestException", 400);

  // Groups: a filter applied to the graph, and by group.name in a filter expression.
  const { Group } = await c.send(
    new CreateGroupCommand({
      GroupName: "faults",
      FilterExpression: "fault",
      InsightsConfiguration: { InsightsEnabled: true },
      Tags: [{ Key: "team", Value: "ops" }],
    }),
  );
  assert.match(Group!.GroupARN!, /^arn:aws:xray:us-east-1:\d{12}:group\/faults\/[A-Z0-9]+$/);
  // A group's tags: given at creation, then through TagResource and ListTagsForResource like a sampling rule's.
  await c.send(new TagResourceCommand({ ResourceARN: Group!.GroupARN!, Tags: [{ Key: "tier", Value: "1" }] }));
  assert.deepEqual((await c.send(new ListTagsForResourceCommand({ ResourceARN: Group!.GroupARN! }))).Tags, [
    { Key: "team", Value: "ops" },
    { Key: "tier", Value: "1" },
  ]);
  assert.deepEqual(Group!.InsightsConfiguration, { InsightsEnabled: true, NotificationsEnabled: false });
  const fg = await c.send(new GetServiceGraphCommand({ ...window, GroupName: "faults" }));
  assert.equal(fg.Services!.find((s) => s.Name === "front")!.SummaryStatistics!.TotalCount, 1);
  const fs = await c.send(new GetTraceSummariesCommand({ ...window, FilterExpression: 'group.name = "faults"' }));
  assert.deepEqual(
    fs.TraceSummaries!.map((t) => t.Id),
    [b.tid],
  );
  const canary = await c.send(new GetTraceSummariesCommand({ ...window, FilterExpression: 'annotation.env = "canary" AND service("back") { fault }' }));
  assert.deepEqual(
    canary.TraceSummaries!.map((t) => t.Id),
    [b.tid],
  );
  await rejects(
    c.send(new GetTraceSummariesCommand({ ...window, FilterExpression: "responsetime >" })),
    "InvalidRequestException",
    400,
    /^Invalid filter expression/,
  );
});

test("groups: create, get by name and ARN, list with Default, update, delete; bad filters refused", async () => {
  const c = xray();
  const { Group } = await c.send(new CreateGroupCommand({ GroupName: "slow", FilterExpression: "responsetime > 5" }));
  await rejects(c.send(new CreateGroupCommand({ GroupName: "slow" })), "InvalidRequestException", 400);
  await rejects(
    c.send(new CreateGroupCommand({ GroupName: "bad", FilterExpression: "responsetime >" })),
    "InvalidRequestException",
    400,
    /^Invalid filter expression/,
  );
  assert.deepEqual((await c.send(new GetGroupCommand({ GroupARN: Group!.GroupARN }))).Group, Group);
  assert.deepEqual((await c.send(new GetGroupCommand({ GroupName: "slow" }))).Group, Group);
  const list = await c.send(new GetGroupsCommand({}));
  assert.deepEqual(
    list.Groups!.map((g) => g.GroupName),
    ["Default", "slow"],
  );
  const up = await c.send(
    new UpdateGroupCommand({
      GroupName: "slow",
      FilterExpression: "responsetime > 9",
      InsightsConfiguration: { InsightsEnabled: true, NotificationsEnabled: true },
    }),
  );
  assert.equal(up.Group!.FilterExpression, "responsetime > 9");
  assert.deepEqual(up.Group!.InsightsConfiguration, { InsightsEnabled: true, NotificationsEnabled: true });
  await rejects(c.send(new UpdateGroupCommand({ GroupName: "slow", FilterExpression: "(" })), "InvalidRequestException", 400);
  await c.send(new DeleteGroupCommand({ GroupName: "slow" }));
  await rejects(c.send(new GetGroupCommand({ GroupName: "slow" })), "InvalidRequestException", 400);
  await rejects(c.send(new GetServiceGraphCommand({ StartTime: new Date(), EndTime: new Date(), GroupName: "slow" })), "InvalidRequestException", 400);
});

test("AWS::XRay::Group through CloudFormation: created with Ref/GetAtt, updated in place, deleted with the stack", async () => {
  const account = randomAccount();
  const cfn = server.client(CloudFormationClient, { account });
  const c = xray(account);
  const waiter = { client: cfn, maxWaitTime: 30, minDelay: 1, maxDelay: 1 };
  const template = (filter: string) =>
    JSON.stringify({
      Resources: {
        G: { Type: "AWS::XRay::Group", Properties: { GroupName: "cfn-group", FilterExpression: filter, InsightsConfiguration: { InsightsEnabled: true } } },
      },
      Outputs: { Ref: { Value: { Ref: "G" } }, Arn: { Value: { "Fn::GetAtt": ["G", "GroupARN"] } } },
    });
  await cfn.send(new CreateStackCommand({ StackName: "xray-group", TemplateBody: template("fault") }));
  await waitUntilStackCreateComplete(waiter, { StackName: "xray-group" });
  const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: "xray-group" }))).Stacks![0].Outputs!;
  const arn = outputs.find((o) => o.OutputKey === "Arn")!.OutputValue!;
  assert.equal(outputs.find((o) => o.OutputKey === "Ref")!.OutputValue, arn);
  assert.deepEqual((await c.send(new GetGroupCommand({ GroupARN: arn }))).Group!.FilterExpression, "fault");
  await cfn.send(new UpdateStackCommand({ StackName: "xray-group", TemplateBody: template("error") }));
  await waitUntilStackUpdateComplete(waiter, { StackName: "xray-group" });
  assert.equal((await c.send(new GetGroupCommand({ GroupName: "cfn-group" }))).Group!.GroupARN, arn);
  assert.equal((await c.send(new GetGroupCommand({ GroupName: "cfn-group" }))).Group!.FilterExpression, "error");
  await cfn.send(new DeleteStackCommand({ StackName: "xray-group" }));
  await waitUntilStackDeleteComplete(waiter, { StackName: "xray-group" });
  await rejects(c.send(new GetGroupCommand({ GroupName: "cfn-group" })), "InvalidRequestException", 400);
});
