// Experiments: Create/Get/List/Update/Delete/Start/StopExperiment. Treatments each serve a variation of the one
// feature the experiment tests; OnlineAbConfig names the control treatment (default: the first) and the treatment
// weights (thousandths of a percent; default: an equal split); SamplingRate is the share of the audience in the
// experiment (thousandths of a percent; default 10% — unverified), Segment limits it to a segment's entities.
// Status CREATED → RUNNING (StartExperiment, with its AnalysisCompleteTime) → COMPLETED or CANCELLED.
import type { HandlerContext } from "../../core/context.js";
import { ConflictException, ValidationException, type EvidentlyApi, type Experiment, type OnlineAbConfig, type TreatmentConfig } from "./api.generated.js";
import { checkMetrics, checkVariation, execution, TOTAL } from "./launches.js";
import { page } from "./projects.js";
import { checkTagMap } from "./tags.js";
import { childArn, childKey, childrenOf, findProject, findSegment, notFound, projectArn, segmentArn, tables, type ExperimentRec, insertNew } from "./state.js";

function treatmentsOf(ctx: HandlerContext, project: string, treatments: TreatmentConfig[]): ExperimentRec["treatments"] {
  const names = new Set(treatments.map((t) => t.name));
  if (names.size !== treatments.length) throw new ValidationException("Treatment names must be unique."); // unverified wording
  if (new Set(treatments.map((t) => t.feature)).size > 1) throw new ValidationException("All treatments of an experiment must use the same feature."); // unverified wording
  for (const t of treatments) checkVariation(ctx, project, t);
  return treatments.map((t) => ({
    name: t.name,
    feature: t.feature,
    variation: t.variation,
    ...(t.description !== undefined ? { description: t.description } : {}),
  }));
}

function onlineAb(treatments: ExperimentRec["treatments"], cfg: OnlineAbConfig | undefined, old?: ExperimentRec) {
  const names = treatments.map((t) => t.name);
  const control = cfg?.controlTreatmentName ?? (old && names.includes(old.controlTreatmentName) ? old.controlTreatmentName : names[0]!);
  if (!names.includes(control)) throw new ValidationException(`Control treatment ${control} is not a treatment of the experiment.`); // unverified wording
  let weights = cfg?.treatmentWeights ?? old?.treatmentWeights;
  if (!weights || Object.keys(weights).some((k) => !names.includes(k))) {
    if (cfg?.treatmentWeights) throw new ValidationException("treatmentWeights names a treatment the experiment does not have."); // unverified wording
    const share = Math.floor(TOTAL / names.length);
    weights = Object.fromEntries(names.map((n, i) => [n, i === 0 ? TOTAL - share * (names.length - 1) : share]));
  }
  if (Object.values(weights).reduce((a, b) => a + b, 0) > TOTAL) throw new ValidationException("The sum of the treatment weights must not exceed 100000."); // unverified wording
  return { controlTreatmentName: control, treatmentWeights: weights };
}

export function experimentOut(ctx: HandlerContext, e: ExperimentRec): Experiment {
  return {
    arn: e.arn,
    name: e.name,
    project: projectArn(ctx, e.project),
    status: e.status,
    ...(e.statusReason !== undefined ? { statusReason: e.statusReason } : {}),
    ...(e.description !== undefined ? { description: e.description } : {}),
    createdTime: new Date(e.created),
    lastUpdatedTime: new Date(e.modified),
    ...(execution(e) ? { execution: execution(e) } : {}),
    ...(e.analysisCompleteTime !== undefined ? { schedule: { analysisCompleteTime: new Date(e.analysisCompleteTime) } } : {}),
    treatments: e.treatments.map((t) => ({
      name: t.name,
      featureVariations: { [t.feature]: t.variation },
      ...(t.description !== undefined ? { description: t.description } : {}),
    })),
    metricGoals: e.metricGoals.map((g) => ({ metricDefinition: g.metricDefinition, desiredChange: g.desiredChange ?? "INCREASE" })),
    onlineAbDefinition: { controlTreatmentName: e.controlTreatmentName, treatmentWeights: e.treatmentWeights },
    randomizationSalt: e.randomizationSalt,
    samplingRate: e.samplingRate,
    ...(e.segment !== undefined ? { segment: segmentArn(ctx, e.segment) } : {}),
    type: "aws.evidently.onlineab",
    ...(Object.keys(e.tags).length ? { tags: e.tags } : {}),
  };
}

export function findExperiment(ctx: HandlerContext, project: string, name: string): ExperimentRec {
  const e = tables(ctx).experiments.get(childKey(project, name));
  if (!e) throw notFound("experiment", name);
  return e;
}

const conflict = (e: ExperimentRec, what: string) =>
  new ConflictException(`Experiment ${e.name} is ${e.status} and cannot be ${what}.`, { resourceId: e.name, resourceType: "experiment" }); // unverified wording

function save(ctx: HandlerContext, e: ExperimentRec): void {
  e.modified = ctx.now();
  tables(ctx).experiments.put(childKey(e.project, e.name), e);
}

export const experiments = {
  createExperiment(input, ctx) {
    const p = findProject(ctx, input.project);
    checkTagMap(input.tags);
    const treatments = treatmentsOf(ctx, p.name, input.treatments);
    const now = ctx.now();
    const rec: ExperimentRec = {
      project: p.name,
      name: input.name,
      arn: childArn(ctx, p.name, "experiment", input.name),
      ...(input.description !== undefined ? { description: input.description } : {}),
      treatments,
      metricGoals: checkMetrics(input.metricGoals.map((g) => g.metricDefinition)).map((metricDefinition, i) => ({
        metricDefinition,
        ...(input.metricGoals[i]!.desiredChange ? { desiredChange: input.metricGoals[i]!.desiredChange } : {}),
      })),
      ...onlineAb(treatments, input.onlineAbConfig),
      randomizationSalt: input.randomizationSalt ?? input.name,
      samplingRate: input.samplingRate ?? 10_000,
      ...(input.segment !== undefined ? { segment: findSegment(ctx, input.segment).name } : {}),
      status: "CREATED",
      tags: input.tags ?? {},
      created: now,
      modified: now,
    };
    insertNew(tables(ctx).experiments, childKey(p.name, input.name), rec, "experiment", input.name, p.name);
    return { experiment: experimentOut(ctx, rec) };
  },
  getExperiment(input, ctx) {
    const p = findProject(ctx, input.project);
    return { experiment: experimentOut(ctx, findExperiment(ctx, p.name, input.experiment)) };
  },
  listExperiments(input, ctx) {
    const p = findProject(ctx, input.project);
    const all = childrenOf(tables(ctx).experiments, p.name).filter((e) => !input.status || e.status === input.status);
    const r = page("ListExperiments", all, (e) => e.name, input, `${p.name}|${input.status ?? ""}`);
    return { experiments: r.items.map((e) => experimentOut(ctx, e)), ...(r.next ? { nextToken: r.next } : {}) };
  },
  updateExperiment(input, ctx) {
    const p = findProject(ctx, input.project);
    const e = findExperiment(ctx, p.name, input.experiment);
    if (e.status !== "CREATED") throw conflict(e, "updated");
    if (input.treatments) e.treatments = treatmentsOf(ctx, p.name, input.treatments);
    Object.assign(e, onlineAb(e.treatments, input.onlineAbConfig, e));
    if (input.metricGoals)
      e.metricGoals = checkMetrics(input.metricGoals.map((g) => g.metricDefinition)).map((metricDefinition, i) => ({
        metricDefinition,
        ...(input.metricGoals![i]!.desiredChange ? { desiredChange: input.metricGoals![i]!.desiredChange } : {}),
      }));
    if (input.randomizationSalt !== undefined) e.randomizationSalt = input.randomizationSalt;
    if (input.samplingRate !== undefined) e.samplingRate = input.samplingRate;
    if (input.removeSegment) delete e.segment;
    else if (input.segment !== undefined) e.segment = findSegment(ctx, input.segment).name;
    if (input.description !== undefined) e.description = input.description;
    save(ctx, e);
    return { experiment: experimentOut(ctx, e) };
  },
  deleteExperiment(input, ctx) {
    const p = findProject(ctx, input.project);
    const e = findExperiment(ctx, p.name, input.experiment);
    if (e.status === "RUNNING") throw conflict(e, "deleted");
    tables(ctx).experiments.delete(childKey(p.name, e.name));
    return {};
  },
  startExperiment(input, ctx) {
    const p = findProject(ctx, input.project);
    const e = findExperiment(ctx, p.name, input.experiment);
    if (e.status !== "CREATED") throw conflict(e, "started");
    e.status = "RUNNING";
    e.started = ctx.now();
    e.analysisCompleteTime = input.analysisCompleteTime.getTime();
    save(ctx, e);
    return { startedTime: new Date(e.started) };
  },
  stopExperiment(input, ctx) {
    const p = findProject(ctx, input.project);
    const e = findExperiment(ctx, p.name, input.experiment);
    if (e.status !== "RUNNING") throw conflict(e, "stopped");
    e.status = input.desiredState ?? "COMPLETED";
    if (input.reason !== undefined) e.statusReason = input.reason;
    e.ended = ctx.now();
    save(ctx, e);
    return { endedTime: new Date(e.ended) };
  },
} satisfies Partial<EvidentlyApi>;
