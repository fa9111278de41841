// Projects: Create/Get/List/Update/DeleteProject, UpdateProjectDataDelivery. A project's counts (features,
// launches, experiments, and the running ones) are counted from its records when it is read, so they are always
// true. AppConfigResource is accepted and returned (AWS adds the configuration profile it creates); Stratus does not
// serve feature configurations through AppConfig — evaluation is EvaluateFeature's alone.
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import {
  ConflictException,
  ValidationException,
  type EvidentlyApi,
  type Project,
  type ProjectAppConfigResourceConfig,
  type ProjectDataDeliveryConfig,
} from "./api.generated.js";
import { childrenOf, findProject, projectArn, tables, type ProjectRec, insertNew } from "./state.js";
import { checkTagMap } from "./tags.js";

export const invalidToken = () => new ValidationException("Invalid nextToken"); // unverified wording

/** One page of records in key order, as every List operation of Evidently pages them (default and most: 100 — unverified). */
export function page<T>(operation: string, items: T[], key: (t: T) => string, input: { maxResults?: number; nextToken?: string }, bind?: string) {
  return pageByKey(items, key, { operation, token: input.nextToken, max: input.maxResults ?? 100, invalid: invalidToken, bind });
}

function deliveryOf(
  cfg: { s3Destination?: ProjectDataDeliveryConfig["s3Destination"]; cloudWatchLogs?: ProjectDataDeliveryConfig["cloudWatchLogs"] } | undefined,
) {
  if (!cfg) return undefined;
  if (cfg.s3Destination && cfg.cloudWatchLogs) throw new ValidationException("Only one of s3Destination or cloudWatchLogs can be specified for data delivery."); // unverified wording
  if (cfg.s3Destination) {
    if (!cfg.s3Destination.bucket) throw new ValidationException("s3Destination.bucket is required."); // unverified wording
    return { s3Destination: { bucket: cfg.s3Destination.bucket, ...(cfg.s3Destination.prefix ? { prefix: cfg.s3Destination.prefix } : {}) } };
  }
  if (cfg.cloudWatchLogs) {
    if (!cfg.cloudWatchLogs.logGroup) throw new ValidationException("cloudWatchLogs.logGroup is required."); // unverified wording
    return { cloudWatchLogs: { logGroup: cfg.cloudWatchLogs.logGroup } };
  }
  return undefined;
}

function appConfigOf(cfg: ProjectAppConfigResourceConfig | undefined, existing?: ProjectRec["appConfigResource"]) {
  if (!cfg) return existing;
  if (!cfg.applicationId || !cfg.environmentId) throw new ValidationException("appConfigResource requires both applicationId and environmentId."); // unverified wording
  // AWS creates a configuration profile in the application for the project; Stratus names one it does not create.
  return { applicationId: cfg.applicationId, environmentId: cfg.environmentId, configurationProfileId: existing?.configurationProfileId ?? "evidently" };
}

/** The project as AWS returns it, its counts read from its records. */
export function projectOut(ctx: HandlerContext, p: ProjectRec): Project {
  const t = tables(ctx);
  const launches = childrenOf(t.launches, p.name);
  const experiments = childrenOf(t.experiments, p.name);
  return {
    arn: p.arn,
    name: p.name,
    status: "AVAILABLE",
    createdTime: new Date(p.created),
    lastUpdatedTime: new Date(p.modified),
    ...(p.description !== undefined ? { description: p.description } : {}),
    featureCount: t.features.count(`${p.name}|`),
    launchCount: launches.length,
    activeLaunchCount: launches.filter((l) => l.status === "RUNNING").length,
    experimentCount: experiments.length,
    activeExperimentCount: experiments.filter((e) => e.status === "RUNNING").length,
    ...(p.dataDelivery ? { dataDelivery: p.dataDelivery } : {}),
    ...(p.appConfigResource ? { appConfigResource: p.appConfigResource } : {}),
    ...(Object.keys(p.tags).length ? { tags: p.tags } : {}),
  };
}

export const projects = {
  createProject(input, ctx) {
    const t = tables(ctx);
    checkTagMap(input.tags);
    const now = ctx.now();
    const rec: ProjectRec = {
      name: input.name,
      arn: projectArn(ctx, input.name),
      ...(input.description !== undefined ? { description: input.description } : {}),
      dataDelivery: deliveryOf(input.dataDelivery),
      appConfigResource: appConfigOf(input.appConfigResource),
      tags: input.tags ?? {},
      created: now,
      modified: now,
    };
    insertNew(t.projects, input.name, rec, "project", input.name);
    return { project: projectOut(ctx, rec) };
  },
  getProject(input, ctx) {
    return { project: projectOut(ctx, findProject(ctx, input.project)) };
  },
  listProjects(input, ctx) {
    const all = tables(ctx)
      .projects.list()
      .map((e) => e.value);
    const r = page("ListProjects", all, (p) => p.name, input);
    return {
      projects: r.items.map((p) => {
        const { dataDelivery: _d, appConfigResource: _a, ...summary } = projectOut(ctx, p);
        return summary;
      }),
      ...(r.next ? { nextToken: r.next } : {}),
    };
  },
  updateProject(input, ctx) {
    const p = findProject(ctx, input.project);
    if (input.description !== undefined) p.description = input.description;
    p.appConfigResource = appConfigOf(input.appConfigResource, p.appConfigResource);
    p.modified = ctx.now();
    tables(ctx).projects.put(p.name, p);
    return { project: projectOut(ctx, p) };
  },
  updateProjectDataDelivery(input, ctx) {
    const p = findProject(ctx, input.project);
    p.dataDelivery = deliveryOf({ s3Destination: input.s3Destination, cloudWatchLogs: input.cloudWatchLogs });
    if (!p.dataDelivery) delete p.dataDelivery;
    p.modified = ctx.now();
    tables(ctx).projects.put(p.name, p);
    return { project: projectOut(ctx, p) };
  },
  deleteProject(input, ctx) {
    const p = findProject(ctx, input.project);
    const t = tables(ctx);
    const prefix = `${p.name}|`;
    if (t.features.count(prefix) || t.launches.count(prefix) || t.experiments.count(prefix))
      // unverified wording
      throw new ConflictException(`Project ${p.name} cannot be deleted because it still contains features, launches or experiments.`, {
        resourceId: p.name,
        resourceType: "project",
      });
    t.projects.delete(p.name);
    for (const e of t.events.list({ prefix })) t.events.delete(e.key);
    return {};
  },
} satisfies Partial<EvidentlyApi>;
