// Feature evaluation in AWS's order — entity override, running launch (with a segment override), running
// experiment, default — over many entity ids: the launch's split within tolerance of its weights and the same answer
// every time; experiment results from PutProjectEvents; the project's events delivered to S3.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BatchEvaluateFeatureCommand,
  CreateExperimentCommand,
  CreateFeatureCommand,
  CreateLaunchCommand,
  CreateProjectCommand,
  CreateSegmentCommand,
  EvaluateFeatureCommand,
  type EvaluationResult,
  GetExperimentResultsCommand,
  PutProjectEventsCommand,
  StartExperimentCommand,
  StartLaunchCommand,
  StopExperimentCommand,
  UpdateFeatureCommand,
} from "@aws-sdk/client-evidently";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { randomAccount, useServer } from "../../helpers/server.js";
import { evidently, rejects } from "./setup.js";

const server = useServer();

const ids = Array.from({ length: 1000 }, (_, i) => `user-${i}`);

async function evaluateAll(ev: ReturnType<typeof evidently>, context?: string, n = ids.length): Promise<EvaluationResult[]> {
  const out: EvaluationResult[] = [];
  for (let i = 0; i < n; i += 20) {
    const r = await ev.send(
      new BatchEvaluateFeatureCommand({
        project: "shop",
        requests: ids.slice(i, i + 20).map((entityId) => ({ feature: "color", entityId, evaluationContext: context })),
      }),
    );
    out.push(...r.results!);
  }
  return out;
}

const share = (rs: EvaluationResult[], reason: string, variation: string) =>
  rs.filter((r) => r.reason === reason && r.variation === variation).length / rs.length;

test("evaluation order: override, launch split (and its segment override), experiment, default; results; S3 delivery", async () => {
  const account = randomAccount();
  const ev = evidently(server, account);
  const s3 = new S3Client({ ...server.clientConfig({ account }), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "ev-data" }));
  await ev.send(new CreateProjectCommand({ name: "shop", dataDelivery: { s3Destination: { bucket: "ev-data", prefix: "ev" } } }));
  await ev.send(
    new CreateFeatureCommand({
      project: "shop",
      name: "color",
      variations: [
        { name: "red", value: { stringValue: "#f00" } },
        { name: "green", value: { stringValue: "#0f0" } },
        { name: "blue", value: { stringValue: "#00f" } },
      ],
      defaultVariation: "red",
      entityOverrides: { vip: "blue" },
    }),
  );
  await ev.send(new CreateSegmentCommand({ name: "beta", pattern: JSON.stringify({ beta: [true] }) }));
  await ev.send(
    new CreateLaunchCommand({
      project: "shop",
      name: "rollout",
      groups: [
        { name: "g-green", feature: "color", variation: "green" },
        { name: "g-blue", feature: "color", variation: "blue" },
      ],
      scheduledSplitsConfig: {
        steps: [
          {
            startTime: new Date(Date.now() - 60_000),
            groupWeights: { "g-green": 30_000, "g-blue": 20_000 },
            segmentOverrides: [{ segment: "beta", evaluationOrder: 1, weights: { "g-blue": 100_000 } }],
          },
        ],
      },
    }),
  );
  await ev.send(
    new CreateExperimentCommand({
      project: "shop",
      name: "exp",
      treatments: [
        { name: "control", feature: "color", variation: "red" },
        { name: "treat", feature: "color", variation: "green" },
      ],
      metricGoals: [{ metricDefinition: { name: "spend", entityIdKey: "$.user", valueKey: "$.amount", eventPattern: JSON.stringify({ kind: ["buy"] }) } }],
      samplingRate: 100_000,
    }),
  );

  // Nothing running: the default for everyone but the override.
  const vip = await ev.send(new EvaluateFeatureCommand({ project: "shop", feature: "color", entityId: "vip" }));
  assert.deepEqual([vip.reason, vip.variation, vip.value?.stringValue], ["ENTITY_OVERRIDES_MATCH", "blue", "#00f"]);
  const plain = await ev.send(new EvaluateFeatureCommand({ project: "shop", feature: "color", entityId: "someone" }));
  assert.deepEqual([plain.reason, plain.variation, plain.details], ["DEFAULT", "red", undefined]);

  await ev.send(new StartLaunchCommand({ project: "shop", launch: "rollout" }));
  await ev.send(new StartExperimentCommand({ project: "shop", experiment: "exp", analysisCompleteTime: new Date(Date.now() + 86_400_000) }));
  assert.equal((await ev.send(new EvaluateFeatureCommand({ project: "shop", feature: "color", entityId: "vip" }))).reason, "ENTITY_OVERRIDES_MATCH");

  const first = await evaluateAll(ev);
  // The launch takes 30% + 20% of the audience; the experiment (sampling everyone) the other half, split evenly.
  assert.ok(Math.abs(share(first, "LAUNCH_RULE_MATCH", "green") - 0.3) < 0.045, `green ${share(first, "LAUNCH_RULE_MATCH", "green")}`);
  assert.ok(Math.abs(share(first, "LAUNCH_RULE_MATCH", "blue") - 0.2) < 0.045, `blue ${share(first, "LAUNCH_RULE_MATCH", "blue")}`);
  assert.ok(Math.abs(share(first, "EXPERIMENT_RULE_MATCH", "red") - 0.25) < 0.045);
  assert.ok(Math.abs(share(first, "EXPERIMENT_RULE_MATCH", "green") - 0.25) < 0.045);
  assert.equal(first.filter((r) => r.reason === "DEFAULT").length, 0);
  const launched = first.find((r) => r.reason === "LAUNCH_RULE_MATCH")!;
  assert.deepEqual(JSON.parse(launched.details!), { launch: "rollout", group: launched.variation === "green" ? "g-green" : "g-blue" });
  assert.equal(launched.project, `arn:aws:evidently:us-east-1:${account}:project/shop`);
  // The same entity gets the same variation every time.
  assert.deepEqual(
    (await evaluateAll(ev)).map((r) => r.variation),
    first.map((r) => r.variation),
  );

  // The segment override: every beta entity is in the launch's blue group.
  const beta = await evaluateAll(ev, JSON.stringify({ beta: true }), 200);
  assert.ok(beta.every((r) => r.reason === "LAUNCH_RULE_MATCH" && r.variation === "blue"));

  // Experiment results: control spends 1, treat 3.
  const inExp = first.filter((r) => r.reason === "EXPERIMENT_RULE_MATCH").slice(0, 40);
  const events = inExp.map((r) => ({
    type: "aws.evidently.custom" as const,
    timestamp: new Date(),
    data: JSON.stringify({ kind: "buy", user: r.entityId, amount: r.variation === "red" ? 1 : 3 }),
  }));
  const put = await ev.send(
    new PutProjectEventsCommand({ project: "shop", events: [...events, { type: "aws.evidently.custom", timestamp: new Date(), data: "[1]" }] }),
  );
  assert.equal(put.failedEventCount, 1);
  assert.equal(put.eventResults!.length, 41);
  const results = await ev.send(
    new GetExperimentResultsCommand({
      project: "shop",
      experiment: "exp",
      metricNames: ["spend"],
      treatmentNames: ["control", "treat"],
      resultStats: ["BaseStat", "PValue"],
    }),
  );
  assert.deepEqual(
    results.resultsData!.map((d) => [d.treatmentName, d.resultStat, d.values]),
    [
      ["control", "Mean", [1]],
      ["treat", "Mean", [3]],
    ],
  );
  assert.match(results.details!, /not computed: PValue/);
  await rejects(
    ev.send(new GetExperimentResultsCommand({ project: "shop", experiment: "exp", metricNames: ["nope"], treatmentNames: ["control"] })),
    "ValidationException",
    400,
  );

  // Stopped experiment: those entities fall back to the default.
  await ev.send(new StopExperimentCommand({ project: "shop", experiment: "exp" }));
  const after = await evaluateAll(ev);
  assert.ok(Math.abs(after.filter((r) => r.reason === "DEFAULT").length / after.length - 0.5) < 0.045);
  // DEFAULT_VARIATION: everyone the default.
  await ev.send(new UpdateFeatureCommand({ project: "shop", feature: "color", evaluationStrategy: "DEFAULT_VARIATION" }));
  assert.ok((await evaluateAll(ev, undefined, 200)).every((r) => r.reason === "DEFAULT" && r.variation === "red"));
  await rejects(ev.send(new EvaluateFeatureCommand({ project: "shop", feature: "nope", entityId: "x" })), "ResourceNotFoundException", 404);

  // Data delivery: the custom events (and the evaluations launches and experiments decided) in the bucket.
  let lines: { event_type: string; event_details: Record<string, unknown> }[] = [];
  for (let i = 0; i < 100 && !lines.some((l) => l.event_type === "aws.evidently.custom"); i++) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "ev-data", Prefix: `ev/evidently-events/${account}/us-east-1/shop/` }));
    lines = [];
    for (const o of listed.Contents ?? []) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: "ev-data", Key: o.Key }))).Body!.transformToString();
      lines.push(
        ...body
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l)),
      );
    }
    if (!lines.some((l) => l.event_type === "aws.evidently.custom")) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(lines.filter((l) => l.event_type === "aws.evidently.custom").length, 40);
  assert.ok(lines.some((l) => l.event_type === "aws.evidently.evaluation" && l.event_details.launch === "rollout"));
});
