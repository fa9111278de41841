// The local X-Ray daemon of a test server (started on any free port, as only a test that asks gets it): segments
// over UDP from a raw dgram socket and from the official Node SDK (aws-xray-sdk-core), bad datagrams dropped and
// counted, and the TCP side answering X-Ray API calls the way the daemon's proxy does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from "@aws-sdk/client-xray";
import AWSXRay from "aws-xray-sdk-core";
import { useServer } from "../../helpers/server.js";
import { eventually } from "../../helpers/wait.js";
import { hex, traceId } from "./segments.js";

const server = useServer({ xrayDaemonPort: 0 });
// Daemon segments are the server's default account's (000000000000) in its default region.
const xray = () => server.client(XRayClient, { account: "000000000000" });
const HEADER = '{"format": "json", "version": 1}\n';

async function send(datagrams: string[]): Promise<void> {
  const sock = createSocket("udp4");
  for (const d of datagrams) await new Promise<void>((ok, fail) => sock.send(d, server.xrayDaemonPort!, "127.0.0.1", (e) => (e ? fail(e) : ok())));
  sock.close();
}

const counters = async () => (await (await fetch(`${server.url}/_stratus/xray/daemon`)).json()) as Record<string, number>;

test("raw UDP datagrams: good segments stored and visible, bad headers and bad documents dropped and counted", async () => {
  assert.ok(server.xrayDaemonPort! > 0);
  const before = await counters();
  const now = Date.now() / 1000;
  const tid = traceId(now);
  const ids = Array.from({ length: 20 }, () => hex(16));
  await send([
    ...ids.map(
      (id, i) =>
        HEADER +
        JSON.stringify({ name: "udp-app", id, trace_id: tid, start_time: now + i / 100, end_time: now + i / 100 + 0.01, ...(i ? { parent_id: ids[0] } : {}) }),
    ),
    `{"format": "xml", "version": 1}\n${JSON.stringify({ name: "x", id: hex(16), trace_id: tid, start_time: now, end_time: now })}`,
    "no header at all",
    HEADER + JSON.stringify({ name: "x", id: "nothex", trace_id: tid, start_time: now, end_time: now }),
  ]);
  const got = await eventually(async () => {
    const r = await xray().send(new BatchGetTracesCommand({ TraceIds: [tid] }));
    assert.equal(r.Traces?.[0]?.Segments?.length, 20);
    return r;
  });
  assert.equal(got.Traces![0].Id, tid);
  const after = await eventually(async () => {
    const c = await counters();
    assert.equal(c.badHeader - before.badHeader, 2);
    assert.equal(c.badSegment - before.badSegment, 1);
    return c;
  });
  assert.equal(after.stored - before.stored, 20);
  assert.equal(after.received - before.received, 23);
  assert.equal(after.account, "000000000000");
  const s = await xray().send(
    new GetTraceSummariesCommand({ StartTime: new Date((now - 60) * 1000), EndTime: new Date((now + 60) * 1000), FilterExpression: 'service("udp-app")' }),
  );
  assert.ok(s.TraceSummaries!.some((t) => t.Id === tid));
});

test("aws-xray-sdk-core sends its segments and subsegments to the daemon", async () => {
  AWSXRay.setDaemonAddress(`127.0.0.1:${server.xrayDaemonPort}`);
  AWSXRay.setContextMissingStrategy("IGNORE_ERROR");
  const seg = new AWSXRay.Segment("sdk-app");
  seg.addAnnotation("customer", "c-42");
  const sub = seg.addNewSubsegment("compute");
  sub.addAnnotation("step", 1);
  sub.close();
  seg.close();
  const now = Date.now() / 1000;
  const summaries = await eventually(async () => {
    const r = await xray().send(
      new GetTraceSummariesCommand({
        StartTime: new Date((now - 60) * 1000),
        EndTime: new Date((now + 60) * 1000),
        FilterExpression: 'annotation.customer = "c-42"',
      }),
    );
    assert.equal(r.TraceSummaries?.length, 1);
    return r;
  });
  const t = summaries.TraceSummaries![0];
  assert.equal(t.Id, seg.trace_id);
  assert.deepEqual(t.EntryPoint, { Name: "sdk-app", Names: ["sdk-app"] });
  assert.deepEqual(t.Annotations!.step[0].AnnotationValue, { NumberValue: 1 });
  const doc = JSON.parse((await xray().send(new BatchGetTracesCommand({ TraceIds: [seg.trace_id] }))).Traces![0].Segments![0].Document!);
  assert.equal(doc.subsegments[0].name, "compute");
});

test("the TCP side answers unsigned X-Ray API calls as the daemon's proxy does, with X-Ray's own operations", async () => {
  const base = `http://127.0.0.1:${server.xrayDaemonPort}`;
  const groups = await fetch(`${base}/Groups`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
  assert.equal(groups.status, 200);
  const body = (await groups.json()) as { Groups: { GroupName: string; GroupARN: string }[] };
  assert.equal(body.Groups[0].GroupName, "Default");
  assert.match(body.Groups[0].GroupARN, /:000000000000:group\/Default$/);
  // The SDKs' centralized sampling: answered by X-Ray's GetSamplingRules handler through the same dispatch.
  const rules = await fetch(`${base}/GetSamplingRules`, { method: "POST", body: "{}" });
  const text = await rules.text();
  assert.ok(rules.status === 200 ? "SamplingRuleRecords" in JSON.parse(text) : /GetSamplingRules/.test(text), text);
  const unknown = await fetch(`${base}/NoSuchOperation`, { method: "POST", body: "{}" });
  assert.ok(unknown.status >= 400 && unknown.status < 500);
});
