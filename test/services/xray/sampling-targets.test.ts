// GetSamplingTargets as the SDKs call it every 10 seconds: each rule's reservoir divided among the clients that
// reported for it within the last interval (1, 2, 3 clients, then one going quiet), FixedRate, TTL and Interval,
// LastRuleModification, unknown rules in UnprocessedStatistics; GetSamplingStatisticSummaries per 10-second window.
// On a ManualClock: the test moves time instead of waiting.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateSamplingRuleCommand,
  GetSamplingStatisticSummariesCommand,
  GetSamplingTargetsCommand,
  type GetSamplingTargetsCommandOutput,
  UpdateSamplingRuleCommand,
  XRayClient,
  type SamplingStatisticsDocument,
} from "@aws-sdk/client-xray";
import { ManualClock } from "../../../src/core/clock.js";
import { randomAccount, useServer } from "../../helpers/server.js";
import { pythonMissing, run } from "../../helpers/python.js";

const START = Date.UTC(2026, 5, 1, 12, 0, 3);
const clock = new ManualClock(START);
const server = useServer({ clock });

const A = "a".repeat(24);
const B = "b".repeat(24);
const C = "c".repeat(24);
const doc = (RuleName: string, ClientID: string, RequestCount = 10, SampledCount = 2, BorrowCount = 1): SamplingStatisticsDocument => ({
  RuleName,
  ClientID,
  Timestamp: new Date(clock.now()),
  RequestCount,
  SampledCount,
  BorrowCount,
});

async function newRule(xray: XRayClient, name: string, ReservoirSize: number, FixedRate = 0.25) {
  await xray.send(
    new CreateSamplingRuleCommand({
      SamplingRule: {
        RuleName: name,
        ResourceARN: "*",
        Priority: 10,
        FixedRate,
        ReservoirSize,
        ServiceName: "*",
        ServiceType: "*",
        Host: "*",
        HTTPMethod: "*",
        URLPath: "*",
        Version: 1,
      },
    }),
  );
}

test("the reservoir divided among 1, 2 and 3 clients, and a quiet client's share given back", async () => {
  const xray = server.client(XRayClient, { account: randomAccount() });
  await newRule(xray, "six", 6);
  const created = clock.now();
  const quota = async (client: string) => {
    const r = await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("six", client)] }));
    assert.deepEqual(r.UnprocessedStatistics, []);
    assert.equal(r.LastRuleModification?.getTime(), created);
    const t = r.SamplingTargetDocuments![0];
    assert.equal(t.RuleName, "six");
    assert.equal(t.FixedRate, 0.25);
    assert.equal(t.Interval, 10);
    assert.equal(t.ReservoirQuotaTTL?.getTime(), Math.ceil((clock.now() + 10_000) / 1000) * 1000);
    return t.ReservoirQuota;
  };
  assert.equal(await quota(A), 6);
  clock.advance(2000);
  assert.equal(await quota(B), 3);
  clock.advance(2000);
  assert.equal(await quota(C), 2);
  clock.advance(6000);
  assert.equal(await quota(A), 2);
  // B and C report on (t = 12 s, 14 s); A goes quiet for more than an interval (+1 s of jitter): B and C split it.
  clock.advance(2000);
  assert.equal(await quota(B), 2);
  clock.advance(2000);
  assert.equal(await quota(C), 2);
  clock.advance(8000);
  assert.equal(await quota(B), 3);
  clock.advance(2000);
  assert.equal(await quota(C), 3);
  // Then C goes quiet too: B has the whole reservoir.
  clock.advance(12_000);
  assert.equal(await quota(B), 6);
});

test("a reservoir smaller than the clients: a round's quotas add up to it; one call for several rules; unknown rules", async () => {
  const xray = server.client(XRayClient, { account: randomAccount() });
  await newRule(xray, "one", 1, 0);
  await newRule(xray, "five", 5, 1);
  const r1 = await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("one", A), doc("five", A), doc("ghost", A)] }));
  assert.deepEqual(
    r1.SamplingTargetDocuments?.map((t) => [t.RuleName, t.ReservoirQuota, t.FixedRate]),
    [
      ["one", 1, 0],
      ["five", 5, 1],
    ],
  );
  assert.equal(r1.UnprocessedStatistics?.length, 1);
  assert.equal(r1.UnprocessedStatistics?.[0].RuleName, "ghost");
  assert.ok(r1.UnprocessedStatistics?.[0].ErrorCode);
  const r2 = await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("one", B), doc("five", B)] }));
  const r3 = await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("one", C), doc("five", C)] }));
  const quotas = (rule: string) => [r2, r3].map((r) => r.SamplingTargetDocuments!.find((t) => t.RuleName === rule)!.ReservoirQuota!);
  // A was told 1 and 5 alone; then B and C joined, each answered among 2 and then 3 clients.
  assert.deepEqual(quotas("one"), [0, 0]);
  assert.deepEqual(quotas("five"), [2, 1]);
  // A full round of the three clients: the remainder goes round in turn, the round's quotas add up to the reservoir.
  const round: GetSamplingTargetsCommandOutput[] = [];
  for (const c of [A, B, C]) round.push(await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("one", c), doc("five", c)] })));
  const sum = (rule: string) => round.reduce((n, r) => n + r.SamplingTargetDocuments!.find((t) => t.RuleName === rule)!.ReservoirQuota!, 0);
  assert.equal(sum("one"), 1);
  assert.equal(sum("five"), 5);
  // A rule change moves LastRuleModification and the next answer carries the new FixedRate.
  clock.advance(1000);
  await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: "five", FixedRate: 0.5 } }));
  const r4 = await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("five", A)] }));
  assert.equal(r4.LastRuleModification?.getTime(), clock.now());
  assert.equal(r4.SamplingTargetDocuments?.[0].FixedRate, 0.5);
});

test("statistic summaries: per rule, per 10-second window", async () => {
  const xray = server.client(XRayClient, { account: randomAccount() });
  await newRule(xray, "stats", 2);
  clock.set(Date.UTC(2026, 5, 1, 13, 0, 0) + 1000);
  await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("stats", A, 10, 3, 1)] }));
  clock.advance(4000);
  await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("stats", B, 5, 1, 0), doc("Default", B, 7, 1, 1)] }));
  clock.advance(10_000);
  await xray.send(new GetSamplingTargetsCommand({ SamplingStatisticsDocuments: [doc("stats", A, 2, 2, 0)] }));
  const s = await xray.send(new GetSamplingStatisticSummariesCommand({}));
  const w0 = Date.UTC(2026, 5, 1, 13, 0, 0);
  assert.deepEqual(
    s.SamplingStatisticSummaries?.map((x) => [x.RuleName, x.Timestamp?.getTime(), x.RequestCount, x.SampledCount, x.BorrowCount]),
    [
      ["Default", w0, 7, 1, 1],
      ["stats", w0, 15, 4, 1],
      ["stats", w0 + 10_000, 2, 2, 0],
    ],
  );
});

const BOTO3 = `
import json, sys, boto3, datetime
url, account = sys.argv[1], sys.argv[2]
x = boto3.client("xray", endpoint_url=url, region_name="us-east-1", aws_access_key_id=account, aws_secret_access_key="test")
r = x.get_sampling_targets(SamplingStatisticsDocuments=[{"RuleName": "Default", "ClientID": "d" * 24,
    "Timestamp": datetime.datetime.now(), "RequestCount": 3, "SampledCount": 1, "BorrowCount": 0}])
t = r["SamplingTargetDocuments"][0]
print(json.dumps([t["RuleName"], t["ReservoirQuota"], t["FixedRate"], t["Interval"], r["LastRuleModification"].timestamp()]))
`;
test("boto3: the Default rule's target", { skip: pythonMissing() }, async () => {
  const { stdout } = await run("python3", ["-c", BOTO3, server.url, randomAccount()]);
  assert.deepEqual(JSON.parse(stdout), ["Default", 1, 0.05, 10, 0]);
});
