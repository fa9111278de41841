// AWS::Evidently::Project, ::Feature, ::Launch, ::Experiment and ::Segment for CloudFormation (core/resources.ts),
// through Evidently's own operations. Each one's physical id and Ref is its ARN (the registry schema's
// primaryIdentifier), GetAtt Arn. The schema's shapes differ from the API's (VariationName/BooleanValue,
// EntityOverrides and GroupWeights as lists, DataDelivery's S3.BucketName or LogGroup); a Launch's ExecutionStatus
// and an Experiment's RunningStatus (Status START or STOP) start and stop them.
import { parseArn } from "../../core/arn.js";
import { isServiceError } from "../../core/errors.js";
import type { ResourceProvider, ResourceProviders, ResourceRequest } from "../../core/resources.js";
import type { MetricDefinitionConfig, ScheduledSplitConfig, VariationConfig } from "./api.generated.js";

type Props = Record<string, unknown>;
const gone = (e: unknown) => isServiceError(e) && e.code === "ResourceNotFoundException";
const tagMap = (p: Props): Record<string, string> | undefined => {
  const list = p.Tags as { Key: string; Value: string }[] | undefined;
  return list?.length ? Object.fromEntries(list.map((t) => [t.Key, t.Value])) : undefined;
};
const weights = (list: unknown, key: string): Record<string, number> =>
  Object.fromEntries(((list as Props[] | undefined) ?? []).map((w) => [w[key] as string, Number(w.SplitWeight)]));
/** `project/<p>/<kind>/<name>` of a child's ARN. */
const child = (arn: string) => {
  const [, project, , name] = (parseArn(arn)?.resource ?? "").split("/");
  return { project: project!, name: name! };
};
const ev = (req: { ctx: ResourceRequest["ctx"] }) => req.ctx.client("evidently");
const result = (arn: string) => ({ physicalId: arn, ref: arn, attributes: { Arn: arn } });

async function syncTags(req: ResourceRequest, arn: string): Promise<void> {
  const now = tagMap(req.properties) ?? {};
  const removed = Object.keys(tagMap(req.previous ?? {}) ?? {}).filter((k) => !(k in now));
  if (removed.length) await ev(req).untagResource({ resourceArn: arn, tagKeys: removed });
  if (Object.keys(now).length) await ev(req).tagResource({ resourceArn: arn, tags: now });
}

/** A delete that ignores a resource already gone. */
const del = (fn: (req: ResourceRequest & { physicalId: string }) => Promise<unknown>) => async (req: ResourceRequest & { physicalId: string }) => {
  try {
    await fn(req);
  } catch (e) {
    if (!gone(e)) throw e;
  }
};

function dataDelivery(p: Props) {
  const d = p.DataDelivery as { S3?: { BucketName: string; Prefix?: string }; LogGroup?: string } | undefined;
  return {
    ...(d?.S3 ? { s3Destination: { bucket: d.S3.BucketName, prefix: d.S3.Prefix } } : {}),
    ...(d?.LogGroup ? { cloudWatchLogs: { logGroup: d.LogGroup } } : {}),
  };
}

const appConfig = (p: Props) => {
  const a = p.AppConfigResource as { ApplicationId: string; EnvironmentId: string } | undefined;
  return a ? { applicationId: a.ApplicationId, environmentId: a.EnvironmentId } : undefined;
};

const variations = (p: Props): VariationConfig[] =>
  ((p.Variations as Props[] | undefined) ?? []).map((v) => ({
    name: v.VariationName as string,
    value:
      v.BooleanValue !== undefined
        ? { boolValue: v.BooleanValue === true || v.BooleanValue === "true" }
        : v.StringValue !== undefined
          ? { stringValue: v.StringValue as string }
          : v.LongValue !== undefined
            ? { longValue: Number(v.LongValue) }
            : { doubleValue: Number(v.DoubleValue) },
  }));
const overrides = (p: Props) =>
  Object.fromEntries(((p.EntityOverrides as Props[] | undefined) ?? []).map((o) => [o.EntityId as string, o.Variation as string]));

const metric = (m: Props): MetricDefinitionConfig => ({
  name: m.MetricName as string,
  entityIdKey: m.EntityIdKey as string,
  valueKey: m.ValueKey as string,
  ...(m.EventPattern !== undefined ? { eventPattern: m.EventPattern as string } : {}),
  ...(m.UnitLabel !== undefined ? { unitLabel: m.UnitLabel as string } : {}),
});
const groups = (p: Props) =>
  ((p.Groups as Props[] | undefined) ?? []).map((g) => ({
    name: g.GroupName as string,
    feature: g.Feature as string,
    variation: g.Variation as string,
    description: g.Description as string | undefined,
  }));
const steps = (p: Props): ScheduledSplitConfig[] =>
  ((p.ScheduledSplitsConfig as Props[] | undefined) ?? []).map((s) => ({
    startTime: new Date(s.StartTime as string),
    groupWeights: weights(s.GroupWeights, "GroupName"),
    segmentOverrides: ((s.SegmentOverrides as Props[] | undefined) ?? []).map((o) => ({
      segment: o.Segment as string,
      evaluationOrder: Number(o.EvaluationOrder),
      weights: weights(o.Weights, "GroupName"),
    })),
  }));
const treatments = (p: Props) =>
  ((p.Treatments as Props[] | undefined) ?? []).map((t) => ({
    name: t.TreatmentName as string,
    feature: t.Feature as string,
    variation: t.Variation as string,
    description: t.Description as string | undefined,
  }));
const goals = (p: Props) =>
  ((p.MetricGoals as Props[] | undefined) ?? []).map((g) => ({ metricDefinition: metric(g), desiredChange: g.DesiredChange as "INCREASE" | "DECREASE" }));
const onlineAb = (p: Props) => {
  const o = p.OnlineAbConfig as Props | undefined;
  if (!o) return undefined;
  const w = o.TreatmentWeights ? weights(o.TreatmentWeights, "Treatment") : undefined;
  return { controlTreatmentName: o.ControlTreatmentName as string | undefined, ...(w ? { treatmentWeights: w } : {}) };
};

/** What CreateLaunch and UpdateLaunch take alike. */
const launchFields = (p: Props) => ({
  description: p.Description as string | undefined,
  groups: groups(p),
  metricMonitors: ((p.MetricMonitors as Props[] | undefined) ?? []).map((m) => ({ metricDefinition: metric(m) })),
  randomizationSalt: p.RandomizationSalt as string | undefined,
  scheduledSplitsConfig: { steps: steps(p) },
});

/** What CreateExperiment and UpdateExperiment take alike. */
const experimentFields = (p: Props) => ({
  description: p.Description as string | undefined,
  treatments: treatments(p),
  metricGoals: goals(p),
  onlineAbConfig: onlineAb(p),
  randomizationSalt: p.RandomizationSalt as string | undefined,
  samplingRate: p.SamplingRate === undefined ? undefined : Number(p.SamplingRate),
});

/** Starts or stops a launch or experiment as its ExecutionStatus / RunningStatus asks (START, STOP), once. */
async function runStatus(req: ResourceRequest, kind: "launch" | "experiment", project: string, name: string): Promise<void> {
  const key = kind === "launch" ? "ExecutionStatus" : "RunningStatus";
  const want = (req.properties[key] as Props | undefined) ?? {};
  const was = (req.previous?.[key] as Props | undefined) ?? {};
  if (want.Status === was.Status) return;
  const c = ev(req);
  if (want.Status === "START") {
    if (kind === "launch") await c.startLaunch({ project, launch: name });
    else
      await c.startExperiment({
        project,
        experiment: name,
        analysisCompleteTime: new Date((want.AnalysisCompleteTime as string | undefined) ?? Date.now() + 86_400_000),
      });
  } else if (want.Status === "STOP") {
    const stop = { project, desiredState: want.DesiredState as "COMPLETED" | "CANCELLED" | undefined, reason: want.Reason as string | undefined };
    if (kind === "launch") await c.stopLaunch({ ...stop, launch: name });
    else await c.stopExperiment({ ...stop, experiment: name });
  }
}

const project: ResourceProvider = {
  async create(req) {
    const p = req.properties;
    const dd = dataDelivery(p);
    const r = await ev(req).createProject({
      name: p.Name as string,
      description: p.Description as string | undefined,
      ...(Object.keys(dd).length ? { dataDelivery: dd } : {}),
      appConfigResource: appConfig(p),
      tags: tagMap(p),
    });
    return result(r.project.arn);
  },
  async update(req) {
    const p = req.properties;
    await ev(req).updateProject({ project: req.physicalId, description: p.Description as string | undefined, appConfigResource: appConfig(p) });
    await ev(req).updateProjectDataDelivery({ project: req.physicalId, ...dataDelivery(p) });
    await syncTags(req, req.physicalId);
    return result(req.physicalId);
  },
  delete: del((req) => ev(req).deleteProject({ project: req.physicalId })),
};

const feature: ResourceProvider = {
  async create(req) {
    const p = req.properties;
    const r = await ev(req).createFeature({
      project: p.Project as string,
      name: p.Name as string,
      description: p.Description as string | undefined,
      variations: variations(p),
      defaultVariation: p.DefaultVariation as string | undefined,
      entityOverrides: overrides(p),
      evaluationStrategy: p.EvaluationStrategy as "ALL_RULES" | "DEFAULT_VARIATION" | undefined,
      tags: tagMap(p),
    });
    return result(r.feature!.arn);
  },
  async update(req) {
    const p = req.properties;
    const { project: proj, name } = child(req.physicalId);
    const keep = new Set(variations(p).map((v) => v.name));
    await ev(req).updateFeature({
      project: proj,
      feature: name,
      description: p.Description as string | undefined,
      addOrUpdateVariations: variations(p),
      removeVariations: variations(req.previous)
        .filter((v) => !keep.has(v.name))
        .map((v) => v.name),
      defaultVariation: p.DefaultVariation as string | undefined,
      entityOverrides: overrides(p),
      evaluationStrategy: p.EvaluationStrategy as "ALL_RULES" | "DEFAULT_VARIATION" | undefined,
    });
    await syncTags(req, req.physicalId);
    return result(req.physicalId);
  },
  delete: del((req) => ev(req).deleteFeature({ project: child(req.physicalId).project, feature: child(req.physicalId).name })),
};

const launch: ResourceProvider = {
  async create(req) {
    const p = req.properties;
    const r = await ev(req).createLaunch({
      project: p.Project as string,
      name: p.Name as string,
      ...launchFields(p),
      tags: tagMap(p),
    });
    const { project: proj, name } = child(r.launch.arn);
    await runStatus(req, "launch", proj, name);
    return result(r.launch.arn);
  },
  async update(req) {
    const p = req.properties;
    const { project: proj, name } = child(req.physicalId);
    const current = (await ev(req).getLaunch({ project: proj, launch: name })).launch!;
    if (current.status === "CREATED" || current.status === "RUNNING")
      await ev(req).updateLaunch({
        project: proj,
        launch: name,
        ...launchFields(p),
      });
    await runStatus(req, "launch", proj, name);
    await syncTags(req, req.physicalId);
    return result(req.physicalId);
  },
  delete: del((req) => ev(req).deleteLaunch({ project: child(req.physicalId).project, launch: child(req.physicalId).name })),
};

const experiment: ResourceProvider = {
  async create(req) {
    const p = req.properties;
    const r = await ev(req).createExperiment({
      project: p.Project as string,
      name: p.Name as string,
      ...experimentFields(p),
      segment: p.Segment as string | undefined,
      tags: tagMap(p),
    });
    const { project: proj, name } = child(r.experiment.arn);
    await runStatus(req, "experiment", proj, name);
    return result(r.experiment.arn);
  },
  async update(req) {
    const p = req.properties;
    const { project: proj, name } = child(req.physicalId);
    const current = (await ev(req).getExperiment({ project: proj, experiment: name })).experiment!;
    if (current.status === "CREATED")
      await ev(req).updateExperiment({
        project: proj,
        experiment: name,
        ...experimentFields(p),
        ...(p.Segment !== undefined ? { segment: p.Segment as string } : { removeSegment: p.RemoveSegment === true || req.previous.Segment !== undefined }),
      });
    await runStatus(req, "experiment", proj, name);
    await syncTags(req, req.physicalId);
    return result(req.physicalId);
  },
  delete: del(async (req) => {
    const { project: proj, name } = child(req.physicalId);
    const e = (await ev(req).getExperiment({ project: proj, experiment: name })).experiment!;
    if (e.status === "RUNNING") await ev(req).stopExperiment({ project: proj, experiment: name, desiredState: "CANCELLED" });
    await ev(req).deleteExperiment({ project: proj, experiment: name });
  }),
};

const segment: ResourceProvider = {
  async create(req) {
    const p = req.properties;
    const r = await ev(req).createSegment({
      name: p.Name as string,
      pattern: (p.Pattern as string | undefined) ?? "{}",
      description: p.Description as string | undefined,
      tags: tagMap(p),
    });
    return result(r.segment.arn);
  },
  async update(req) {
    await syncTags(req, req.physicalId);
    return result(req.physicalId);
  },
  delete: del((req) => ev(req).deleteSegment({ segment: req.physicalId })),
};

export default {
  "AWS::Evidently::Project": project,
  "AWS::Evidently::Feature": feature,
  "AWS::Evidently::Launch": launch,
  "AWS::Evidently::Experiment": experiment,
  "AWS::Evidently::Segment": segment,
} satisfies ResourceProviders;
