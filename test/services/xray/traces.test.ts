// X-Ray traces through the real SDK v3 client: PutTraceSegments and its refusals, independent subsegments merged,
// in-progress segments replaced, inferred segments, BatchGetTraces, GetTraceSummaries' fields and paging.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BatchGetTracesCommand, GetTraceSummariesCommand, PutTraceSegmentsCommand, XRayClient } from "@aws-sdk/client-xray";
import { useServer } from "../../helpers/server.js";
import { hex, traceId } from "./segments.js";

const server = useServer();
const xray = (account?: string) => server.client(XRayClient, { account });

test("PutTraceSegments: each bad document comes back with AWS's error code, the good ones are stored", async () => {
  const c = xray();
  const now = Date.now() / 1000;
  const tid = traceId(now);
  const good = { name: "web", id: hex(16), trace_id: tid, start_time: now, end_time: now + 0.1 };
  const old = traceId(now - 31 * 86400);
  const cases: [Record<string, unknown> | string, string][] = [
    [{ ...good, id: undefined }, "MissingId"],
    [{ ...good, id: "xyz" }, "InvalidId"],
    [{ ...good, id: hex(16), name: undefined }, "MissingName"],
    [{ ...good, id: hex(16), name: "bad*name" }, "InvalidName"],
    [{ ...good, id: hex(16), trace_id: "1-abc" }, "InvalidTraceId"],
    [{ ...good, id: hex(16), trace_id: old }, "InvalidTraceId"],
    [{ ...good, id: hex(16), start_time: undefined }, "MissingStartTime"],
    [{ ...good, id: hex(16), end_time: undefined }, "MissingEndTime"],
    [{ ...good, id: hex(16), type: "subsegment" }, "MissingParentId"],
    ["{not json", "ParseError"],
  ];
  const out = await c.send(
    new PutTraceSegmentsCommand({ TraceSegmentDocuments: [JSON.stringify(good), ...cases.map(([d]) => (typeof d === "string" ? d : JSON.stringify(d)))] }),
  );
  assert.deepEqual(
    out.UnprocessedTraceSegments!.map((u) => u.ErrorCode),
    cases.map(([, code]) => code),
  );
  const missing = out.UnprocessedTraceSegments![0];
  assert.equal(missing.Message, "Invalid segment. ErrorCode: MissingId, Cause: null");
  assert.equal(out.UnprocessedTraceSegments![1].Id, "xyz");
  const got = await c.send(new BatchGetTracesCommand({ TraceIds: [tid, traceId()] }));
  assert.equal(got.Traces!.length, 1);
  assert.equal(got.Traces![0].Segments![0].Document, JSON.stringify(good));
  assert.equal(got.UnprocessedTraceIds!.length, 1);
});

test("a trace assembled: independent subsegments merged, in-progress replaced, inferred DynamoDB and remote nodes", async () => {
  const c = xray();
  const now = Date.now() / 1000;
  const tid = traceId(now);
  const root = hex(16);
  const call = hex(16);
  const inProgress = { name: "api", id: root, trace_id: tid, start_time: now, in_progress: true };
  await c.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [JSON.stringify(inProgress)] }));
  let s = await c.send(new GetTraceSummariesCommand({ StartTime: new Date((now - 60) * 1000), EndTime: new Date((now + 60) * 1000) }));
  assert.equal(s.TraceSummaries![0].IsPartial, true);
  const rootDoc = {
    name: "api",
    id: root,
    trace_id: tid,
    start_time: now,
    end_time: now + 0.5,
    http: { request: { url: "https://api.example.com/orders", method: "POST", user_agent: "curl", client_ip: "10.0.0.1" }, response: { status: 502 } },
    fault: true,
    user: "alice",
    annotations: { tier: "gold", size: 3 },
    subsegments: [
      { name: "DynamoDB", id: hex(16), namespace: "aws", start_time: now + 0.1, end_time: now + 0.2, aws: { operation: "GetItem", table_name: "orders" } },
      {
        name: "payments",
        id: call,
        namespace: "remote",
        start_time: now + 0.2,
        end_time: now + 0.45,
        fault: true,
        http: { request: { url: "https://pay.example.com/charge", method: "POST" }, response: { status: 500 } },
      },
    ],
  };
  const independent = {
    type: "subsegment",
    name: "render",
    id: hex(16),
    parent_id: root,
    trace_id: tid,
    start_time: now + 0.45,
    end_time: now + 0.49,
    annotations: { step: "render" },
  };
  // The completed segment, then an in-progress copy that arrives late and must not replace it.
  await c.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [JSON.stringify(rootDoc), JSON.stringify(independent)] }));
  await c.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [JSON.stringify(inProgress)] }));
  const got = await c.send(new BatchGetTracesCommand({ TraceIds: [tid] }));
  const docs = got.Traces![0].Segments!.map((x) => JSON.parse(x.Document!));
  assert.equal(got.Traces![0].Duration, 0.5);
  const api = docs.find((d) => d.name === "api");
  assert.equal(api.in_progress, undefined);
  assert.deepEqual(
    api.subsegments.map((x: { name: string }) => x.name),
    ["DynamoDB", "payments", "render"],
  );
  const inferred = docs.filter((d) => d.inferred);
  assert.deepEqual(inferred.map((d) => d.name).sort(), ["DynamoDB", "pay.example.com"]);

  s = await c.send(new GetTraceSummariesCommand({ StartTime: new Date((now - 60) * 1000), EndTime: new Date((now + 60) * 1000) }));
  const t = s.TraceSummaries![0];
  assert.equal(t.Id, tid);
  assert.equal(t.HasFault, true);
  assert.equal(t.HasError, false);
  assert.equal(t.IsPartial, false);
  assert.equal(t.ResponseTime, 0.5);
  assert.deepEqual(t.Http, { HttpURL: "https://api.example.com/orders", HttpStatus: 502, HttpMethod: "POST", UserAgent: "curl", ClientIp: "10.0.0.1" });
  assert.deepEqual(t.Annotations!.tier, [{ AnnotationValue: { StringValue: "gold" }, ServiceIds: [{ Name: "api", Names: ["api"] }] }]);
  assert.deepEqual(t.Annotations!.size[0].AnnotationValue, { NumberValue: 3 });
  assert.deepEqual(t.Annotations!.step[0].AnnotationValue, { StringValue: "render" });
  assert.deepEqual(t.Users, [{ UserName: "alice", ServiceIds: [{ Name: "api", Names: ["api"] }] }]);
  assert.deepEqual(t.EntryPoint, { Name: "api", Names: ["api"] });
  assert.deepEqual(
    t.ServiceIds!.map((x) => [x.Name, x.Type]),
    [
      ["api", undefined],
      ["DynamoDB", "AWS::DynamoDB"],
      ["pay.example.com", "remote"],
    ],
  );
  const fault = t.FaultRootCauses![0].Services!;
  assert.deepEqual(
    fault.map((x) => x.Name),
    ["api", "pay.example.com"],
  );
  assert.equal(fault[1].Inferred, true);
  assert.equal(t.ResponseTimeRootCauses![0].Services!.at(-1)!.Name, "pay.example.com");
  assert.ok(t.Revision! >= 2);
});

test("GetTraceSummaries pages with NextToken and answers by TimeRangeType", async () => {
  const c = xray();
  const now = Math.floor(Date.now() / 1000);
  const docs = Array.from({ length: 130 }, (_, i) =>
    JSON.stringify({ name: "svc", id: hex(16), trace_id: traceId(now - i), start_time: now - i, end_time: now - i + 0.01 }),
  );
  const out = await c.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: docs }));
  assert.deepEqual(out.UnprocessedTraceSegments, []);
  const window = { StartTime: new Date((now - 3600) * 1000), EndTime: new Date((now + 60) * 1000) };
  const first = await c.send(new GetTraceSummariesCommand(window));
  assert.equal(first.TraceSummaries!.length, 100);
  assert.ok(first.NextToken);
  const second = await c.send(new GetTraceSummariesCommand({ ...window, NextToken: first.NextToken }));
  assert.equal(second.TraceSummaries!.length, 30);
  assert.equal(second.NextToken, undefined);
  const ids = new Set([...first.TraceSummaries!, ...second.TraceSummaries!].map((t) => t.Id));
  assert.equal(ids.size, 130);
  const byEvent = await c.send(new GetTraceSummariesCommand({ ...window, TimeRangeType: "Event" }));
  assert.equal(byEvent.TraceSummaries!.length, 100);
  assert.ok(byEvent.TraceSummaries![0].MatchedEventTime instanceof Date);
  const narrow = await c.send(new GetTraceSummariesCommand({ StartTime: new Date((now - 9) * 1000), EndTime: new Date((now + 1) * 1000) }));
  assert.equal(narrow.TraceSummaries!.length, 10);
});
