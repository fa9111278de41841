// The official Node X-Ray SDK's centralized sampling against Stratus, as on AWS: the SDK's sampler polls its
// unsigned `POST /GetSamplingRules` and reports `POST /SamplingTargets` to the daemon address, here Stratus's own
// port (X-Ray's quirk claims those two requests, sampling/daemon-quirk.ts). A rule of ReservoirSize 0 / FixedRate 0
// samples nothing, FixedRate 1 everything, and the Default rule one request a second then 5%.
//
// The SDK's target poller runs every 10 s and exports no way to run it sooner: the test does what its refresh does —
// the SDK's own ServiceConnector.fetchTargets for the rules that matched, then RuleCache.loadTargets.
//
// aws-xray-sdk-core 3.12 reads ReservoirQuotaTTL, which X-Ray answers in epoch seconds (awscli's
// examples/xray/get-sampling-targets.rst), through `new Date(n)` — as milliseconds — so every quota looks long
// expired and the SDK borrows one request a second instead: against AWS as against Stratus, a rule with a reservoir
// samples its first request each second, then FixedRate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { CreateSamplingRuleCommand, GetSamplingStatisticSummariesCommand, XRayClient } from "@aws-sdk/client-xray";
import { useServer } from "../../helpers/server.js";
import { waitUntil } from "../../helpers/wait.js";

const require = createRequire(import.meta.url);
const SAMPLING = "aws-xray-sdk-core/dist/lib/middleware/sampling";

interface SdkRule {
  getName(): string;
  everMatched(): boolean;
  timeToReport(): boolean;
  getReservoir(): { quota: number | null; TTL: number | null };
  getRate(): number;
}
interface SampleRequest {
  host?: string;
  httpMethod?: string;
  urlPath?: string;
  serviceName?: string;
}
const AWSXRay = require("aws-xray-sdk-core") as { setDaemonAddress(a: string): void };
const sampler = require(`${SAMPLING}/default_sampler`) as { start(): void; shouldSample(r: SampleRequest): string | false };
const ruleCache = require(`${SAMPLING}/rule_cache`) as { getRules(): SdkRule[]; loadTargets(m: unknown): void };
const connector = require(`${SAMPLING}/service_connector`) as {
  fetchTargets(rules: SdkRule[], cb: (err: Error | null, targets?: unknown, freshness?: number) => void): void;
};

// The SDK's unsigned calls carry no key: they are the default account's, as a daemon without credentials would be.
const server = useServer({}, async (s) => {
  const xray = s.client(XRayClient, { account: "000000000000" });
  const rule = (RuleName: string, Priority: number, ServiceName: string, FixedRate: number) =>
    xray.send(
      new CreateSamplingRuleCommand({
        SamplingRule: {
          RuleName,
          Priority,
          ServiceName,
          FixedRate,
          ReservoirSize: 0,
          ResourceARN: "*",
          ServiceType: "*",
          Host: "*",
          HTTPMethod: "*",
          URLPath: "*",
          Version: 1,
        },
      }),
    );
  await rule("nothing", 1, "quiet-svc", 0);
  await rule("everything", 2, "loud-svc", 1);
  const port = new URL(s.url).port;
  AWSXRay.setDaemonAddress(`tcp:127.0.0.1:${port} udp:127.0.0.1:${port}`);
});

/** What the SDK's target poller does on each tick. */
function pollTargets(): Promise<void> {
  const candidates = ruleCache.getRules().filter((r) => r.everMatched() && r.timeToReport());
  return new Promise((resolve, reject) =>
    connector.fetchTargets(candidates, (err, targets) => {
      if (err) return reject(err);
      ruleCache.loadTargets(targets);
      resolve();
    }),
  );
}

const decide = (serviceName: string, n: number) => {
  let sampled = 0;
  for (let i = 0; i < n; i++) if (sampler.shouldSample({ serviceName, host: "example.com", httpMethod: "GET", urlPath: "/x" })) sampled++;
  return sampled;
};

test("aws-xray-sdk-core: rules fetched, targets reported; nothing, everything, and the Default rule's 1/s then 5%", async () => {
  sampler.start();
  await waitUntil(() => ruleCache.getRules().length === 3, "the SDK's rule cache to hold the three rules");
  assert.deepEqual(
    ruleCache.getRules().map((r) => r.getName()),
    ["nothing", "everything", "Default"],
  );
  // Before any target the SDK borrows one request a second per rule: one decision each makes the rules "matched".
  decide("quiet-svc", 1);
  decide("loud-svc", 1);
  decide("any-svc", 1);
  await pollTargets();
  const byName = new Map(ruleCache.getRules().map((r) => [r.getName(), r]));
  assert.equal(byName.get("Default")!.getReservoir().quota, 1);
  assert.equal(byName.get("Default")!.getRate(), 0.05);
  assert.equal(byName.get("nothing")!.getRate(), 0);
  assert.equal(byName.get("everything")!.getRate(), 1);

  assert.equal(decide("quiet-svc", 500), 0);
  assert.equal(decide("loud-svc", 500), 500);
  // Default: one request a second (borrowed, see the header), then 5% of the rest (2,000 decisions: mean 100 + 1 or 2, sd ≈ 10).
  const dflt = decide("any-svc", 2000);
  assert.ok(dflt >= 50 && dflt <= 160, `Default sampled ${dflt} of 2000`);

  // The next report carries those counts; X-Ray keeps them per rule and 10-second window.
  await pollTargets();
  const xray = server.client(XRayClient, { account: "000000000000" });
  const s = (await xray.send(new GetSamplingStatisticSummariesCommand({}))).SamplingStatisticSummaries ?? [];
  const total = (rule: string, f: "RequestCount" | "SampledCount") => s.filter((x) => x.RuleName === rule).reduce((n, x) => n + (x[f] ?? 0), 0);
  assert.equal(total("everything", "RequestCount"), 501);
  assert.equal(total("everything", "SampledCount"), 501);
  assert.equal(total("nothing", "RequestCount"), 501);
  assert.ok(total("nothing", "SampledCount") <= 1);
  assert.equal(total("Default", "RequestCount"), 2001);
});
