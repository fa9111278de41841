// Evidently's control plane through the SDK: projects (counts, AppConfig resource, data delivery, tags, the
// delete conflict), features (variation types, defaults, overrides, errors), launches and experiments (status
// transitions, evaluation rules), segments (patterns, references, TestSegmentPattern).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateExperimentCommand,
  CreateFeatureCommand,
  CreateLaunchCommand,
  CreateProjectCommand,
  CreateSegmentCommand,
  DeleteExperimentCommand,
  DeleteFeatureCommand,
  DeleteLaunchCommand,
  DeleteProjectCommand,
  DeleteSegmentCommand,
  GetExperimentResultsCommand,
  GetFeatureCommand,
  GetLaunchCommand,
  GetProjectCommand,
  GetSegmentCommand,
  ListFeaturesCommand,
  ListProjectsCommand,
  ListSegmentReferencesCommand,
  ListTagsForResourceCommand,
  StartExperimentCommand,
  StartLaunchCommand,
  StopExperimentCommand,
  StopLaunchCommand,
  TagResourceCommand,
  TestSegmentPatternCommand,
  UntagResourceCommand,
  UpdateFeatureCommand,
  UpdateProjectCommand,
  UpdateProjectDataDeliveryCommand,
} from "@aws-sdk/client-evidently";
import { randomAccount, useServer } from "../../helpers/server.js";
import { evidently, rejects } from "./setup.js";

const server = useServer();

test("projects: create, counts, AppConfig resource, data delivery, list, tags, and the delete conflict", async () => {
  const account = randomAccount();
  const ev = evidently(server, account);
  const { project } = await ev.send(new CreateProjectCommand({ name: "shop", description: "d", tags: { team: "a" } }));
  assert.equal(project!.arn, `arn:aws:evidently:us-east-1:${account}:project/shop`);
  assert.equal(project!.status, "AVAILABLE");
  assert.equal(project!.featureCount, 0);
  await rejects(ev.send(new CreateProjectCommand({ name: "shop" })), "ConflictException", 409);
  await rejects(ev.send(new GetProjectCommand({ project: "nope" })), "ResourceNotFoundException", 404);

  const upd = await ev.send(new UpdateProjectCommand({ project: project!.arn, appConfigResource: { applicationId: "abc1234", environmentId: "env5678" } }));
  assert.equal(upd.project!.appConfigResource!.applicationId, "abc1234");
  const dd = await ev.send(new UpdateProjectDataDeliveryCommand({ project: "shop", s3Destination: { bucket: "my-bucket", prefix: "ev" } }));
  assert.deepEqual(dd.project!.dataDelivery, { s3Destination: { bucket: "my-bucket", prefix: "ev" } });
  const logs = await ev.send(new UpdateProjectDataDeliveryCommand({ project: "shop", cloudWatchLogs: { logGroup: "/ev" } }));
  assert.deepEqual(logs.project!.dataDelivery, { cloudWatchLogs: { logGroup: "/ev" } });

  await ev.send(new TagResourceCommand({ resourceArn: project!.arn, tags: { env: "test" } }));
  await ev.send(new UntagResourceCommand({ resourceArn: project!.arn, tagKeys: ["team"] }));
  assert.deepEqual((await ev.send(new ListTagsForResourceCommand({ resourceArn: project!.arn }))).tags, { env: "test" });

  await ev.send(new CreateFeatureCommand({ project: "shop", name: "f", variations: [{ name: "on", value: { boolValue: true } }] }));
  const listed = await ev.send(new ListProjectsCommand({}));
  assert.equal(listed.projects!.length, 1);
  assert.equal(listed.projects![0]!.featureCount, 1);
  await rejects(ev.send(new DeleteProjectCommand({ project: "shop" })), "ConflictException", 409, /cannot be deleted/);
  await ev.send(new DeleteFeatureCommand({ project: "shop", feature: "f" }));
  await ev.send(new DeleteProjectCommand({ project: "shop" }));
  assert.equal((await ev.send(new ListProjectsCommand({}))).projects!.length, 0);
});

test("features: variations of one type, default, overrides, update, errors", async () => {
  const ev = evidently(server);
  await ev.send(new CreateProjectCommand({ name: "p" }));
  await rejects(
    ev.send(
      new CreateFeatureCommand({
        project: "p",
        name: "mixed",
        variations: [
          { name: "a", value: { stringValue: "x" } },
          { name: "b", value: { longValue: 1 } },
        ],
      }),
    ),
    "ValidationException",
    400,
    /same value type/,
  );
  await rejects(
    ev.send(new CreateFeatureCommand({ project: "nope", name: "f", variations: [{ name: "a", value: { stringValue: "x" } }] })),
    "ResourceNotFoundException",
    404,
  );
  const { feature } = await ev.send(
    new CreateFeatureCommand({
      project: "p",
      name: "color",
      variations: [
        { name: "red", value: { stringValue: "#f00" } },
        { name: "blue", value: { stringValue: "#00f" } },
      ],
      entityOverrides: { alice: "blue" },
    }),
  );
  assert.equal(feature!.valueType, "STRING");
  assert.equal(feature!.defaultVariation, "red"); // the first variation
  assert.equal(feature!.evaluationStrategy, "ALL_RULES");
  assert.match(feature!.arn!, /:project\/p\/feature\/color$/);
  await rejects(ev.send(new UpdateFeatureCommand({ project: "p", feature: "color", removeVariations: ["red"] })), "ValidationException", 400, /default/);
  const upd = await ev.send(
    new UpdateFeatureCommand({
      project: "p",
      feature: "color",
      addOrUpdateVariations: [{ name: "green", value: { stringValue: "#0f0" } }],
      defaultVariation: "green",
    }),
  );
  assert.deepEqual(
    upd.feature!.variations!.map((v) => v.name),
    ["red", "blue", "green"],
  );
  await rejects(
    ev.send(new UpdateFeatureCommand({ project: "p", feature: "color", addOrUpdateVariations: [{ name: "n", value: { longValue: 3 } }] })),
    "ValidationException",
    400,
  );
  const list = await ev.send(new ListFeaturesCommand({ project: "p" }));
  assert.deepEqual(
    list.features!.map((f) => [f.name, f.defaultVariation]),
    [["color", "green"]],
  );
  await rejects(ev.send(new GetFeatureCommand({ project: "p", feature: "nope" })), "ResourceNotFoundException", 404);
});

test("launches and experiments: status transitions, evaluation rules, counts, results before start", async () => {
  const ev = evidently(server);
  await ev.send(new CreateProjectCommand({ name: "p" }));
  await ev.send(
    new CreateFeatureCommand({
      project: "p",
      name: "f",
      variations: [
        { name: "v1", value: { longValue: 1 } },
        { name: "v2", value: { longValue: 2 } },
      ],
    }),
  );
  await rejects(
    ev.send(new CreateLaunchCommand({ project: "p", name: "bad", groups: [{ name: "g", feature: "f", variation: "nope" }] })),
    "ResourceNotFoundException",
    404,
  );
  const { launch } = await ev.send(
    new CreateLaunchCommand({
      project: "p",
      name: "l",
      groups: [
        { name: "g1", feature: "f", variation: "v1" },
        { name: "g2", feature: "f", variation: "v2" },
      ],
      scheduledSplitsConfig: { steps: [{ startTime: new Date(Date.now() - 60_000), groupWeights: { g1: 50_000, g2: 50_000 } }] },
    }),
  );
  assert.equal(launch!.status, "CREATED");
  assert.equal(launch!.randomizationSalt, "l");
  assert.deepEqual(launch!.groups![0]!.featureVariations, { f: "v1" });
  const started = await ev.send(new StartLaunchCommand({ project: "p", launch: "l" }));
  assert.equal(started.launch!.status, "RUNNING");
  assert.ok(started.launch!.execution!.startedTime);
  await rejects(ev.send(new StartLaunchCommand({ project: "p", launch: "l" })), "ConflictException", 409);
  assert.deepEqual((await ev.send(new GetFeatureCommand({ project: "p", feature: "f" }))).feature!.evaluationRules, [
    { name: "l", type: "aws.evidently.splits" },
  ]);
  assert.equal((await ev.send(new GetProjectCommand({ project: "p" }))).project!.activeLaunchCount, 1);
  const stopped = await ev.send(new StopLaunchCommand({ project: "p", launch: "l", desiredState: "CANCELLED", reason: "done" }));
  assert.ok(stopped.endedTime);
  const got = await ev.send(new GetLaunchCommand({ project: "p", launch: "l" }));
  assert.equal(got.launch!.status, "CANCELLED");
  assert.equal(got.launch!.statusReason, "done");

  const metric = { name: "clicks", entityIdKey: "$.user", valueKey: "$.n", eventPattern: JSON.stringify({ kind: ["click"] }) };
  const { experiment } = await ev.send(
    new CreateExperimentCommand({
      project: "p",
      name: "e",
      treatments: [
        { name: "t1", feature: "f", variation: "v1" },
        { name: "t2", feature: "f", variation: "v2" },
      ],
      metricGoals: [{ metricDefinition: metric }],
      samplingRate: 100_000,
    }),
  );
  assert.equal(experiment!.status, "CREATED");
  assert.deepEqual(experiment!.onlineAbDefinition, { controlTreatmentName: "t1", treatmentWeights: { t1: 50_000, t2: 50_000 } });
  await rejects(
    ev.send(new GetExperimentResultsCommand({ project: "p", experiment: "e", metricNames: ["clicks"], treatmentNames: ["t1"] })),
    "ValidationException",
    400,
    /not started/,
  );
  await ev.send(new StartExperimentCommand({ project: "p", experiment: "e", analysisCompleteTime: new Date(Date.now() + 86_400_000) }));
  assert.equal((await ev.send(new GetProjectCommand({ project: "p" }))).project!.activeExperimentCount, 1);
  await rejects(ev.send(new DeleteExperimentCommand({ project: "p", experiment: "e" })), "ConflictException", 409);
  const empty = await ev.send(new GetExperimentResultsCommand({ project: "p", experiment: "e", metricNames: ["clicks"], treatmentNames: ["t1"] }));
  assert.equal(empty.details, "Not enough events to generate results");
  await ev.send(new StopExperimentCommand({ project: "p", experiment: "e" }));
  await ev.send(new DeleteExperimentCommand({ project: "p", experiment: "e" }));
  await ev.send(new DeleteLaunchCommand({ project: "p", launch: "l" }));
  const counts = (await ev.send(new GetProjectCommand({ project: "p" }))).project!;
  assert.deepEqual([counts.launchCount, counts.experimentCount, counts.featureCount], [0, 0, 1]);
});

test("segments: patterns, TestSegmentPattern, references, delete conflict", async () => {
  const ev = evidently(server);
  const pattern = JSON.stringify({ Price: [{ numeric: [">", 10, "<=", 20] }] });
  const { segment } = await ev.send(new CreateSegmentCommand({ name: "mid", pattern }));
  assert.match(segment!.arn!, /:segment\/mid$/);
  await rejects(ev.send(new CreateSegmentCommand({ name: "bad", pattern: '{"a": 1}' })), "ValidationException", 400);
  assert.equal((await ev.send(new TestSegmentPatternCommand({ pattern, payload: '{"Price": 15}' }))).match, true);
  assert.equal((await ev.send(new TestSegmentPatternCommand({ pattern, payload: '{"Price": 25}' }))).match, false);
  await ev.send(new CreateProjectCommand({ name: "p" }));
  await ev.send(new CreateFeatureCommand({ project: "p", name: "f", variations: [{ name: "a", value: { boolValue: false } }] }));
  await ev.send(
    new CreateExperimentCommand({
      project: "p",
      name: "x",
      treatments: [{ name: "t", feature: "f", variation: "a" }],
      metricGoals: [{ metricDefinition: { name: "m", entityIdKey: "$.u", valueKey: "$.v" } }],
      segment: "mid",
    }),
  );
  assert.equal((await ev.send(new GetSegmentCommand({ segment: "mid" }))).segment!.experimentCount, 1);
  const refs = await ev.send(new ListSegmentReferencesCommand({ segment: "mid", type: "EXPERIMENT" }));
  assert.deepEqual(
    refs.referencedBy!.map((r) => [r.name, r.type, r.status]),
    [["x", "aws.evidently.onlineab", "CREATED"]],
  );
  await rejects(ev.send(new DeleteSegmentCommand({ segment: "mid" })), "ConflictException", 409);
  await ev.send(new DeleteExperimentCommand({ project: "p", experiment: "x" }));
  await ev.send(new DeleteSegmentCommand({ segment: segment!.arn }));
  await rejects(ev.send(new GetSegmentCommand({ segment: "mid" })), "ResourceNotFoundException", 404);
});
