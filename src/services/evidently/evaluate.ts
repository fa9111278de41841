// EvaluateFeature and BatchEvaluateFeature, in AWS's order (EvaluateFeature's documentation): the entity's
// override (ENTITY_OVERRIDES_MATCH), then a running launch of the feature (LAUNCH_RULE_MATCH: the launch's current
// step, a matching segment override's weights before the step's own), then a running experiment of it
// (EXPERIMENT_RULE_MATCH: within its segment and sampling rate), else the default variation (DEFAULT). A feature
// whose EvaluationStrategy is DEFAULT_VARIATION serves the default variation to everyone ("to all users instead").
// `details` is `{"launch":…,"group":…}` for a launch (the shape a public Evidently fake, http4k-connect, records from
// AWS) and `{"experiment":…,"treatment":…}` for an experiment (unverified).
//
// Assignment is stable: bucket(salt, entity) = the first 6 bytes of SHA-256("<salt>\n<entityId>") as an unsigned
// integer, mod 100,000 — a point in [0, 100000), the unit of every weight. A launch lays its groups' weights end to end
// in group order and the entity falls in the group its point lands in (past the last: not in the launch). An
// experiment takes entities whose point is below its sampling rate, then lays the treatments' weights over
// [0, samplingRate) scaled to it. The salt is the launch's or experiment's RandomizationSalt (default: its name).
import { createHash } from "node:crypto";
import type { HandlerContext } from "../../core/context.js";
import { uuid4 } from "../../core/ids.js";
import { ValidationException, type EvaluationResult, type EvidentlyApi, type VariableValue } from "./api.generated.js";
import { queueDelivery, evaluationLine } from "./delivery.js";
import { TOTAL } from "./launches.js";
import { segmentPattern, segName } from "./segments.js";
import {
  childrenOf,
  eventKey,
  findFeature,
  findProject,
  tables,
  transaction,
  type ExperimentRec,
  type FeatureRec,
  type LaunchRec,
  type ProjectRec,
} from "./state.js";

export function bucket(salt: string, entityId: string): number {
  const h = createHash("sha256").update(`${salt}\n${entityId}`).digest();
  return h.readUIntBE(0, 6) % TOTAL;
}

interface Outcome {
  variation: string;
  reason: "ENTITY_OVERRIDES_MATCH" | "LAUNCH_RULE_MATCH" | "EXPERIMENT_RULE_MATCH" | "DEFAULT";
  details?: Record<string, string>;
}

function parseContext(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationException("evaluationContext is not valid JSON."); // unverified wording
  }
}

const inSegment = (ctx: HandlerContext, ref: string, context: unknown): boolean => {
  const s = tables(ctx).segments.read(segName(ref));
  return !!s && segmentPattern(s.pattern).matches(context);
};

/** The group of a running launch the entity falls in, if any. */
function launchGroup(ctx: HandlerContext, l: LaunchRec, entityId: string, context: unknown, now: number): string | undefined {
  let weights: Record<string, number>;
  if (l.steps?.length) {
    const step = l.steps.filter((s) => s.startTime <= now).pop();
    if (!step) return undefined;
    const override = [...(step.segmentOverrides ?? [])].sort((a, b) => a.evaluationOrder - b.evaluationOrder).find((o) => inSegment(ctx, o.segment, context));
    weights = override?.weights ?? step.groupWeights;
  } else weights = Object.fromEntries(l.groups.map((g, i) => [g.name, Math.floor(TOTAL / l.groups.length) + (i === 0 ? TOTAL % l.groups.length : 0)]));
  const point = bucket(l.randomizationSalt, entityId);
  let end = 0;
  for (const g of l.groups) {
    end += weights[g.name] ?? 0;
    if (point < end) return g.name;
  }
  return undefined;
}

/** The treatment of a running experiment the entity falls in, if any. */
function treatmentOf(ctx: HandlerContext, e: ExperimentRec, entityId: string, context: unknown): string | undefined {
  if (e.segment !== undefined && !inSegment(ctx, e.segment, context)) return undefined;
  const point = bucket(e.randomizationSalt, entityId);
  if (point >= e.samplingRate) return undefined;
  const scaled = Math.floor((point * TOTAL) / e.samplingRate);
  let end = 0;
  for (const t of e.treatments) {
    end += e.treatmentWeights[t.name] ?? 0;
    if (scaled < end) return t.name;
  }
  return undefined;
}

/** What evaluating one feature needs, read once per request: the feature and the running launches and experiments that serve it. */
interface Rules {
  f: FeatureRec;
  launches: LaunchRec[];
  experiments: ExperimentRec[];
}

function rulesFor(ctx: HandlerContext, project: string, feature: string, cache: Map<string, Rules>): Rules {
  let r = cache.get(feature);
  if (!r) {
    const f = findFeature(ctx, project, feature);
    const t = tables(ctx);
    r = {
      f,
      launches: childrenOf(t.launches, project).filter((l) => l.status === "RUNNING" && l.groups.some((g) => g.feature === f.name)),
      experiments: childrenOf(t.experiments, project).filter((e) => e.status === "RUNNING" && e.treatments.some((x) => x.feature === f.name)),
    };
    cache.set(feature, r);
  }
  return r;
}

function decide(ctx: HandlerContext, { f, launches, experiments }: Rules, entityId: string, context: unknown): Outcome {
  if (f.evaluationStrategy === "DEFAULT_VARIATION") return { variation: f.defaultVariation, reason: "DEFAULT" };
  const override = f.entityOverrides[entityId];
  if (override !== undefined) return { variation: override, reason: "ENTITY_OVERRIDES_MATCH" };
  const now = ctx.now();
  for (const l of launches) {
    const group = launchGroup(ctx, l, entityId, context, now);
    const g = group === undefined ? undefined : l.groups.find((x) => x.name === group && x.feature === f.name);
    if (g) return { variation: g.variation, reason: "LAUNCH_RULE_MATCH", details: { launch: l.name, group: g.name } };
  }
  for (const e of experiments) {
    const name = treatmentOf(ctx, e, entityId, context);
    const tr = name === undefined ? undefined : e.treatments.find((x) => x.name === name);
    if (tr) return { variation: tr.variation, reason: "EXPERIMENT_RULE_MATCH", details: { experiment: e.name, treatment: tr.name } };
  }
  return { variation: f.defaultVariation, reason: "DEFAULT" };
}

const variationValue = (f: FeatureRec, variation: string): VariableValue | undefined => f.variations.find((v) => v.name === variation)?.value;

/**
 * Evaluates one request; a launch's or experiment's decision is kept as an evaluation event (for experiment results)
 * and, when the project delivers data, queued for delivery.
 */
function evaluateOne(
  ctx: HandlerContext,
  p: ProjectRec,
  req: { feature: string; entityId: string; evaluationContext?: string },
  lines: string[],
  cache: Map<string, Rules>,
) {
  const rules = rulesFor(ctx, p.name, req.feature, cache);
  const f = rules.f;
  const o = decide(ctx, rules, req.entityId, parseContext(req.evaluationContext));
  const value = variationValue(f, o.variation);
  if (o.details) {
    const now = ctx.now();
    const data = JSON.stringify({ feature: f.name, entityId: req.entityId, variation: o.variation, reason: o.reason, ...o.details });
    tables(ctx).events.put(eventKey(p.name, now, uuid4()), { type: "aws.evidently.evaluation", timestamp: now, data });
    if (p.dataDelivery) lines.push(evaluationLine(ctx, p, now, data));
  }
  return { variation: o.variation, reason: o.reason, ...(value ? { value } : {}), ...(o.details ? { details: JSON.stringify(o.details) } : {}) };
}

export const evaluation = {
  evaluateFeature(input, ctx) {
    const p = findProject(ctx, input.project);
    const lines: string[] = [];
    return transaction(ctx, () => {
      const r = evaluateOne(ctx, p, input, lines, new Map());
      queueDelivery(ctx, p, lines);
      return r;
    });
  },
  batchEvaluateFeature(input, ctx) {
    const p = findProject(ctx, input.project);
    const lines: string[] = [];
    const cache = new Map<string, Rules>();
    // One commit for the request's evaluation events and its delivery.
    return transaction(ctx, () => {
      const results: EvaluationResult[] = input.requests.map((req) => ({
        project: p.arn,
        feature: req.feature,
        entityId: req.entityId,
        ...evaluateOne(ctx, p, req, lines, cache),
      }));
      queueDelivery(ctx, p, lines);
      return { results };
    });
  },
} satisfies Partial<EvidentlyApi>;
