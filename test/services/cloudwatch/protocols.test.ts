// CloudWatch in each protocol its model lists — smithy-rpc-v2-cbor, JSON 1.0 (SDK v3's default) and query — through
// SDK v3 clients configured for each, and gzip'd request bodies (the SDK compresses PutMetricData past 10 KiB).
import { test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { cbor } from "@smithy/core/cbor";
import { CloudWatchClient, GetDashboardCommand, GetMetricStatisticsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { randomAccount, useServer } from "../../helpers/server.js";

const server = useServer();

const protocols = { cbor: AwsSmithyRpcV2CborProtocol, json: undefined, query: AwsQueryProtocol } as const;

for (const [name, protocol] of Object.entries(protocols)) {
  test(`${name}: PutMetricData, GetMetricStatistics and AWS's errors`, async () => {
    const seen: string[] = [];
    const c = server.client(CloudWatchClient, { account: randomAccount() }, protocol ? { protocol } : {});
    c.middlewareStack.add(
      (next) => async (args) => {
        const h = (args.request as { headers: Record<string, string> }).headers;
        seen.push(h["smithy-protocol"] ?? h["x-amz-target"] ?? h["content-type"]);
        return next(args);
      },
      { step: "finalizeRequest" },
    );
    const t = Date.now() - 120_000;
    const t0 = new Date(t - (t % 60_000));
    await c.send(new PutMetricDataCommand({ Namespace: "P", MetricData: [{ MetricName: "m", Timestamp: t0, Values: [1, 2, 3], Unit: "Count" }] }));
    const out = await c.send(
      new GetMetricStatisticsCommand({
        Namespace: "P",
        MetricName: "m",
        StartTime: t0,
        EndTime: new Date(t0.getTime() + 60_000),
        Period: 60,
        Statistics: ["Sum", "Maximum"],
        ExtendedStatistics: undefined,
      }),
    );
    assert.deepEqual(
      out.Datapoints!.map((p) => [p.Timestamp!.getTime(), p.Sum, p.Maximum, p.Unit]),
      [[t0.getTime(), 6, 3, "Count"]],
    );
    await assert.rejects(
      c.send(new PutMetricDataCommand({ Namespace: "P", MetricData: [{ MetricName: "m", Value: 1, Values: [1] }] })),
      (e: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.match(e.name, /^InvalidParameterCombination(Exception)?$/);
        assert.equal(e.message, "The parameters MetricData.member.1.Value and MetricData.member.1.Values are mutually exclusive and you have specified both.");
        assert.equal(e.$metadata.httpStatusCode, 400);
        return true;
      },
    );
    await assert.rejects(c.send(new GetDashboardCommand({ DashboardName: "nope" })), (e: Error) => {
      assert.match(e.name, /^(ResourceNotFound|DashboardNotFoundError)$/);
      return true;
    });
    const expected = { cbor: "rpc-v2-cbor", json: "GraniteServiceVersion20100801.PutMetricData", query: "application/x-www-form-urlencoded" }[name]!;
    assert.equal(seen[0], expected);
  });
}

test("JSON errors carry the full shape id and the query code (x-amzn-query-error)", async () => {
  const res = await server.signedFetch("/", {
    service: "monitoring",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "GraniteServiceVersion20100801.PutMetricData" },
    body: JSON.stringify({ Namespace: "J", MetricData: [{ MetricName: "m", Value: 1, Values: [2] }] }),
  });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get("x-amzn-query-error"), "InvalidParameterCombination;Sender");
  const body = (await res.json()) as { __type: string; message: string };
  assert.equal(body.__type, "com.amazonaws.cloudwatch.v2010_08_01#InvalidParameterCombinationException");
});

test("a plain JSON or CBOR call gets 400 for a modeled 404 (ResourceNotFound); with x-amzn-query-mode: true, 404", async () => {
  for (const queryMode of [false, true]) {
    const extra: Record<string, string> = queryMode ? { "x-amzn-query-mode": "true" } : {};
    const json = await server.signedFetch("/", {
      service: "monitoring",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "GraniteServiceVersion20100801.GetDashboard", ...extra },
      body: JSON.stringify({ DashboardName: "missing" }),
    });
    assert.equal(json.status, queryMode ? 404 : 400);
    assert.equal(json.headers.get("x-amzn-query-error"), "ResourceNotFound;Sender");
    assert.equal(((await json.json()) as { __type: string }).__type, "com.amazonaws.cloudwatch.v2010_08_01#DashboardNotFoundError");
    const viaCbor = await server.signedFetch("/service/GraniteServiceVersion20100801/operation/GetDashboard", {
      service: "monitoring",
      headers: { "content-type": "application/cbor", accept: "application/cbor", "smithy-protocol": "rpc-v2-cbor", ...extra },
      body: cbor.serialize({ DashboardName: "missing" }),
    });
    assert.equal(viaCbor.status, queryMode ? 404 : 400);
    assert.equal(
      (cbor.deserialize(new Uint8Array(await viaCbor.arrayBuffer())) as { __type: string }).__type,
      "com.amazonaws.cloudwatch.v2010_08_01#DashboardNotFoundError",
    );
  }
});

test("gzip: the SDK's compressed PutMetricData (past 10 KiB) is read; a body that is not gzip is a 400", async () => {
  const account = randomAccount();
  const c = server.client(CloudWatchClient, { account });
  const encodings: (string | undefined)[] = [];
  c.middlewareStack.add(
    (next) => async (args) => {
      encodings.push((args.request as { headers: Record<string, string> }).headers["content-encoding"]);
      return next(args);
    },
    { step: "finalizeRequest" },
  );
  const t = Date.now() - 120_000;
  const t0 = new Date(t - (t % 60_000));
  const data = Array.from({ length: 1000 }, (_, i) => ({
    MetricName: "big",
    Dimensions: [{ Name: "shard", Value: `s-${i % 4}` }],
    Timestamp: t0,
    Value: i,
  }));
  await c.send(new PutMetricDataCommand({ Namespace: "G", MetricData: data }));
  assert.equal(encodings[0], "gzip");
  const out = await c.send(
    new GetMetricStatisticsCommand({
      Namespace: "G",
      MetricName: "big",
      Dimensions: [{ Name: "shard", Value: "s-1" }],
      StartTime: t0,
      EndTime: new Date(t0.getTime() + 60_000),
      Period: 60,
      Statistics: ["SampleCount", "Sum"],
    }),
  );
  assert.deepEqual(
    out.Datapoints!.map((p) => [p.SampleCount, p.Sum]),
    [[250, data.filter((_, i) => i % 4 === 1).reduce((s, d) => s + d.Value, 0)]],
  );

  // By hand: a gzip'd query-protocol body, and one that claims gzip but is not.
  const form = new URLSearchParams({
    Action: "PutMetricData",
    Version: "2010-08-01",
    Namespace: "G",
    "MetricData.member.1.MetricName": "q",
    "MetricData.member.1.Value": "7",
    "MetricData.member.1.Timestamp": t0.toISOString(),
  }).toString();
  const headers = { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip" };
  const ok = await server.signedFetch("/", { service: "monitoring", account, headers, body: gzipSync(form) });
  assert.equal(ok.status, 200, await ok.text());
  const bad = await server.signedFetch("/", { service: "monitoring", account, headers, body: "not gzip at all" });
  assert.equal(bad.status, 400);
  const sum = await c.send(
    new GetMetricStatisticsCommand({
      Namespace: "G",
      MetricName: "q",
      StartTime: t0,
      EndTime: new Date(t0.getTime() + 60_000),
      Period: 60,
      Statistics: ["Sum"],
    }),
  );
  assert.equal(sum.Datapoints![0].Sum, 7);
});
