// With --auth sigv4, a gzip'd request is verified against the bytes the client signed (the compressed body), then read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { useServer } from "../../helpers/server.js";

const server = useServer({ auth: "sigv4" });

test("sigv4: a compressed PutMetricData verifies and is stored; a wrong secret is refused", async () => {
  const c = server.client(CloudWatchClient, { accessKeyId: "test", secretAccessKey: "test" });
  const t = Date.now() - 120_000;
  const t0 = new Date(t - (t % 60_000));
  const data = Array.from({ length: 500 }, (_, i) => ({ MetricName: "signed", Dimensions: [{ Name: "k", Value: "v" }], Timestamp: t0, Value: i }));
  await c.send(new PutMetricDataCommand({ Namespace: "S", MetricData: data }));
  const out = await c.send(
    new GetMetricStatisticsCommand({
      Namespace: "S",
      MetricName: "signed",
      Dimensions: [{ Name: "k", Value: "v" }],
      StartTime: t0,
      EndTime: new Date(t0.getTime() + 60_000),
      Period: 60,
      Statistics: ["SampleCount"],
    }),
  );
  assert.deepEqual(
    out.Datapoints!.map((p) => p.SampleCount),
    [500],
  );
  const wrong = server.client(CloudWatchClient, { accessKeyId: "test", secretAccessKey: "nope" }, { maxAttempts: 1 });
  await assert.rejects(wrong.send(new PutMetricDataCommand({ Namespace: "S", MetricData: data })), (e: Error & { $metadata: { httpStatusCode?: number } }) => {
    // The JSON services' refusal of a bad signature.
    assert.equal(e.name, "InvalidSignatureException");
    assert.equal(e.$metadata.httpStatusCode, 400);
    return true;
  });
});
