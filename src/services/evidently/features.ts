// Features: Create/Get/List/Update/DeleteFeature. Variations hold one value each (bool, string, long or double) and
// all of one type, the feature's valueType; without a DefaultVariation the first variation is the default (as AWS's
// CreateFeature documents); EntityOverrides name variations. EvaluationRules are the launches and experiments of the
// project that serve the feature while they run (`aws.evidently.splits` / `aws.evidently.onlineab`).
import type { HandlerContext } from "../../core/context.js";
import { ConflictException, ValidationException, type EvidentlyApi, type Feature, type VariableValue, type VariationConfig } from "./api.generated.js";
import { page } from "./projects.js";
import { checkTagMap } from "./tags.js";
import { childArn, childKey, childrenOf, findFeature, findProject, projectArn, tables, type FeatureRec, type ValueType, insertNew } from "./state.js";

const TYPES: [keyof VariableValue, ValueType][] = [
  ["boolValue", "BOOLEAN"],
  ["stringValue", "STRING"],
  ["longValue", "LONG"],
  ["doubleValue", "DOUBLE"],
];

function typeOf(v: VariationConfig): ValueType {
  const set = TYPES.filter(([k]) => v.value?.[k] !== undefined);
  if (set.length !== 1) throw new ValidationException(`Variation ${v.name} must have exactly one of boolValue, stringValue, longValue or doubleValue.`); // unverified wording
  return set[0]![1];
}

/** The variations' common type; AWS refuses a feature whose variations differ in type. */
function valueTypeOf(variations: VariationConfig[]): ValueType {
  const types = new Set(variations.map(typeOf));
  if (types.size > 1) throw new ValidationException("All variations of a feature must have the same value type."); // unverified wording
  return [...types][0]!;
}

function checkNames(f: Pick<FeatureRec, "variations" | "defaultVariation" | "entityOverrides">): void {
  const names = new Set(f.variations.map((v) => v.name));
  if (names.size !== f.variations.length) throw new ValidationException("Variation names must be unique."); // unverified wording
  if (!names.has(f.defaultVariation)) throw new ValidationException(`Default variation ${f.defaultVariation} is not one of the feature's variations.`); // unverified wording
  for (const [entity, v] of Object.entries(f.entityOverrides))
    if (!names.has(v)) throw new ValidationException(`Entity override for ${entity} names variation ${v}, which the feature does not have.`); // unverified wording
}

/** The running launches and experiments that serve this feature, as EvaluationRules. */
export function rulesOf(ctx: HandlerContext, f: FeatureRec): { name: string; type: string }[] {
  const t = tables(ctx);
  const launches = childrenOf(t.launches, f.project).filter((l) => l.status === "RUNNING" && l.groups.some((g) => g.feature === f.name));
  const experiments = childrenOf(t.experiments, f.project).filter((e) => e.status === "RUNNING" && e.treatments.some((x) => x.feature === f.name));
  return [
    ...launches.map((l) => ({ name: l.name, type: "aws.evidently.splits" })),
    ...experiments.map((e) => ({ name: e.name, type: "aws.evidently.onlineab" })),
  ];
}

function featureOut(ctx: HandlerContext, f: FeatureRec): Feature {
  return {
    arn: f.arn,
    name: f.name,
    project: projectArn(ctx, f.project),
    status: "AVAILABLE",
    createdTime: new Date(f.created),
    lastUpdatedTime: new Date(f.modified),
    ...(f.description !== undefined ? { description: f.description } : {}),
    valueType: f.valueType,
    variations: f.variations,
    defaultVariation: f.defaultVariation,
    evaluationStrategy: f.evaluationStrategy,
    evaluationRules: rulesOf(ctx, f),
    entityOverrides: f.entityOverrides,
    ...(Object.keys(f.tags).length ? { tags: f.tags } : {}),
  };
}

/** A launch or experiment that is not finished and uses the feature (it cannot be deleted meanwhile). */
function inUse(ctx: HandlerContext, f: FeatureRec, variation?: string): string | undefined {
  const t = tables(ctx);
  const live = (s: string) => s === "CREATED" || s === "RUNNING" || s === "UPDATING";
  const uses = (xs: { feature: string; variation: string }[]) => xs.some((x) => x.feature === f.name && (variation === undefined || x.variation === variation));
  return (
    childrenOf(t.launches, f.project).find((l) => live(l.status) && uses(l.groups))?.name ??
    childrenOf(t.experiments, f.project).find((e) => live(e.status) && uses(e.treatments))?.name
  );
}

export const features = {
  createFeature(input, ctx) {
    const p = findProject(ctx, input.project);
    checkTagMap(input.tags);
    const now = ctx.now();
    const rec: FeatureRec = {
      project: p.name,
      name: input.name,
      arn: childArn(ctx, p.name, "feature", input.name),
      ...(input.description !== undefined ? { description: input.description } : {}),
      valueType: valueTypeOf(input.variations),
      variations: input.variations.map((v) => ({ name: v.name, value: v.value })),
      defaultVariation: input.defaultVariation ?? input.variations[0]!.name,
      entityOverrides: input.entityOverrides ?? {},
      evaluationStrategy: input.evaluationStrategy ?? "ALL_RULES",
      tags: input.tags ?? {},
      created: now,
      modified: now,
    };
    checkNames(rec);
    insertNew(tables(ctx).features, childKey(p.name, input.name), rec, "feature", input.name, p.name);
    return { feature: featureOut(ctx, rec) };
  },
  getFeature(input, ctx) {
    const p = findProject(ctx, input.project);
    return { feature: featureOut(ctx, findFeature(ctx, p.name, input.feature)) };
  },
  listFeatures(input, ctx) {
    const p = findProject(ctx, input.project);
    const r = page("ListFeatures", childrenOf(tables(ctx).features, p.name), (f) => f.name, input, p.name);
    return {
      features: r.items.map((f) => {
        const { variations: _v, valueType: _t, entityOverrides: _o, description: _d, ...summary } = featureOut(ctx, f);
        return summary;
      }),
      ...(r.next ? { nextToken: r.next } : {}),
    };
  },
  updateFeature(input, ctx) {
    const p = findProject(ctx, input.project);
    const f = findFeature(ctx, p.name, input.feature);
    for (const name of input.removeVariations ?? []) {
      if (name === (input.defaultVariation ?? f.defaultVariation))
        throw new ValidationException(`Variation ${name} is the default variation and cannot be removed.`); // unverified wording
      const user = inUse(ctx, f, name);
      if (user) throw new ConflictException(`Variation ${name} is used by ${user} and cannot be removed.`, { resourceId: f.name, resourceType: "feature" }); // unverified wording
    }
    const removed = new Set(input.removeVariations ?? []);
    const variations = f.variations.filter((v) => !removed.has(v.name));
    for (const v of input.addOrUpdateVariations ?? []) {
      const i = variations.findIndex((x) => x.name === v.name);
      if (i >= 0) variations[i] = { name: v.name, value: v.value };
      else variations.push({ name: v.name, value: v.value });
    }
    if (!variations.length) throw new ValidationException("A feature must have at least one variation."); // unverified wording
    f.valueType = valueTypeOf(variations);
    f.variations = variations;
    if (input.defaultVariation !== undefined) f.defaultVariation = input.defaultVariation;
    if (input.entityOverrides !== undefined) f.entityOverrides = input.entityOverrides;
    if (input.evaluationStrategy !== undefined) f.evaluationStrategy = input.evaluationStrategy;
    if (input.description !== undefined) f.description = input.description;
    checkNames(f);
    f.modified = ctx.now();
    tables(ctx).features.put(childKey(p.name, f.name), f);
    return { feature: featureOut(ctx, f) };
  },
  deleteFeature(input, ctx) {
    const p = findProject(ctx, input.project);
    const f = findFeature(ctx, p.name, input.feature);
    const user = inUse(ctx, f);
    if (user) throw new ConflictException(`Feature ${f.name} is used by ${user} and cannot be deleted.`, { resourceId: f.name, resourceType: "feature" }); // unverified wording
    tables(ctx).features.delete(childKey(p.name, f.name));
    return {};
  },
} satisfies Partial<EvidentlyApi>;
