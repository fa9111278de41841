// Stages and deployments. A deployment is a snapshot of the API (common.ts newDeployment); a stage serves one.
// An auto-deploy stage gets a new deployment after every change to what the API serves (common.ts redeploy) and
// when auto-deploy is turned on; CreateDeployment with StageName points that stage at the new deployment.
import type { HandlerContext } from "../../core/context.js";
import type { Apigatewayv2Api } from "./api.generated.js";
import { ConflictException } from "./api.generated.js";
import { apiOf, badRequest, defined, deployedMessage, deploymentOut, NO_ROUTES, newDeployment, notFound, page, stageOut } from "./common.js";
import type { ApiRec, StageRec } from "./state.js";
import { ofApi, tables, transaction } from "./state.js";
import { mergeApiTags } from "./tags.js";

function stageOf(ctx: HandlerContext, apiId: string, name: string): StageRec {
  const s = tables(ctx).stages.get(`${apiId}/${name}`);
  // AWS's v2 wording for a missing stage. // unverified wording
  if (!s) throw notFound("Stage", name);
  return s;
}

function checkStageName(name: string): void {
  // Letters, digits, hyphens and underscores (128 at most), or "$default" (AWS's stage-name rule for HTTP APIs).
  if (name !== "$default" && !/^[A-Za-z0-9_-]{1,128}$/.test(name)) {
    throw badRequest(`Stage name ${name} is invalid. Stage names can only contain alphanumeric characters, hyphens, and underscores, or be $default.`); // unverified wording
  }
}

function deploymentExists(ctx: HandlerContext, apiId: string, id: string): void {
  if (!tables(ctx).deployments.has(`${apiId}/${id}`)) throw notFound("Deployment", id);
}

/**
 * RouteSettings name routes by key, and AWS refuses a key the API has no route for: "Unable to find Route by key
 * <key> within the provided RouteSettings" (as the Serverless Framework reported it, DianaIonita/serverless-api-gateway-throttling#43).
 */
function checkRouteSettings(ctx: HandlerContext, apiId: string, settings: Record<string, unknown> | undefined): void {
  if (!settings) return;
  const keys = new Set(ofApi(tables(ctx).routes, apiId).map((r) => r.routeKey));
  for (const k of Object.keys(settings)) if (!keys.has(k)) throw badRequest(`Unable to find Route by key ${k} within the provided RouteSettings`);
}

/** Deploys the API to `stage` now (auto-deploy turned on, or a new auto-deploy stage): nothing while it has no routes. */
function deployNow(ctx: HandlerContext, api: ApiRec, stage: StageRec): StageRec {
  const t = tables(ctx);
  if (!t.routes.list({ prefix: `${api.apiId}/`, limit: 1 }).length) return stage;
  const dep = newDeployment(ctx, api, true);
  t.deployments.put(`${api.apiId}/${dep.deploymentId}`, dep);
  return { ...stage, deploymentId: dep.deploymentId, lastDeploymentStatusMessage: deployedMessage(dep.deploymentId) };
}

export const stages = {
  createStage(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    checkStageName(input.StageName);
    checkRouteSettings(ctx, api.apiId, input.RouteSettings);
    if (input.DeploymentId !== undefined) deploymentExists(ctx, api.apiId, input.DeploymentId);
    const now = ctx.now();
    let rec: StageRec = {
      stageName: input.StageName,
      autoDeploy: input.AutoDeploy ?? false,
      defaultRouteSettings: input.DefaultRouteSettings ?? { DetailedMetricsEnabled: false },
      routeSettings: input.RouteSettings ?? {},
      stageVariables: input.StageVariables ?? {},
      tags: mergeApiTags(ctx, {}, input.Tags),
      createdDate: now,
      lastUpdatedDate: now,
      ...defined({
        deploymentId: input.DeploymentId,
        description: input.Description,
        clientCertificateId: input.ClientCertificateId,
        accessLogSettings: input.AccessLogSettings,
      }),
    };
    const t = tables(ctx);
    transaction(ctx, () => {
      if (t.stages.has(`${api.apiId}/${input.StageName}`)) throw new ConflictException(`Stage ${input.StageName} already exists`); // unverified wording
      if (rec.autoDeploy && !rec.deploymentId) rec = deployNow(ctx, api, rec);
      t.stages.put(`${api.apiId}/${rec.stageName}`, rec);
    });
    return stageOut(rec);
  },

  getStage(input, ctx) {
    apiOf(ctx, input.ApiId);
    return stageOut(stageOf(ctx, input.ApiId, input.StageName));
  },

  getStages(input, ctx) {
    apiOf(ctx, input.ApiId);
    return page(ctx, "GetStages", ofApi(tables(ctx).stages, input.ApiId), (s) => s.stageName, input, stageOut, input.ApiId);
  },

  updateStage(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    const cur = stageOf(ctx, api.apiId, input.StageName);
    checkRouteSettings(ctx, api.apiId, input.RouteSettings);
    if (input.DeploymentId !== undefined) deploymentExists(ctx, api.apiId, input.DeploymentId);
    let next: StageRec = {
      ...cur,
      ...defined({
        autoDeploy: input.AutoDeploy,
        deploymentId: input.DeploymentId,
        description: input.Description,
        clientCertificateId: input.ClientCertificateId,
        accessLogSettings: input.AccessLogSettings,
        defaultRouteSettings: input.DefaultRouteSettings,
        routeSettings: input.RouteSettings ? { ...cur.routeSettings, ...input.RouteSettings } : undefined,
        stageVariables: input.StageVariables ? { ...cur.stageVariables, ...input.StageVariables } : undefined,
      }),
      lastUpdatedDate: ctx.now(),
    };
    transaction(ctx, () => {
      if (next.autoDeploy && !cur.autoDeploy && input.DeploymentId === undefined) next = deployNow(ctx, api, next);
      tables(ctx).stages.put(`${api.apiId}/${cur.stageName}`, next);
    });
    return stageOut(next);
  },

  deleteStage(input, ctx) {
    apiOf(ctx, input.ApiId);
    stageOf(ctx, input.ApiId, input.StageName);
    tables(ctx).stages.delete(`${input.ApiId}/${input.StageName}`);
    return {};
  },

  deleteAccessLogSettings(input, ctx) {
    apiOf(ctx, input.ApiId);
    const s = stageOf(ctx, input.ApiId, input.StageName);
    const { accessLogSettings: _, ...rest } = s;
    tables(ctx).stages.put(`${input.ApiId}/${input.StageName}`, { ...rest, lastUpdatedDate: ctx.now() });
    return {};
  },

  deleteRouteSettings(input, ctx) {
    apiOf(ctx, input.ApiId);
    const s = stageOf(ctx, input.ApiId, input.StageName);
    if (!(input.RouteKey in s.routeSettings)) throw notFound("RouteSettings", input.RouteKey); // unverified wording
    const { [input.RouteKey]: _, ...rest } = s.routeSettings;
    tables(ctx).stages.put(`${input.ApiId}/${input.StageName}`, { ...s, routeSettings: rest, lastUpdatedDate: ctx.now() });
    return {};
  },

  resetAuthorizersCache(input, ctx) {
    apiOf(ctx, input.ApiId);
    const s = stageOf(ctx, input.ApiId, input.StageName);
    // The execute-api endpoint drops cached authorizer results older than this (internal.ts).
    tables(ctx).stages.put(`${input.ApiId}/${input.StageName}`, { ...s, authorizersCacheResetAt: ctx.now() });
    return {};
  },

  createDeployment(input, ctx) {
    const api = apiOf(ctx, input.ApiId);
    const t = tables(ctx);
    const stage = input.StageName !== undefined ? stageOf(ctx, api.apiId, input.StageName) : undefined;
    if (!t.routes.list({ prefix: `${api.apiId}/`, limit: 1 }).length) throw badRequest(NO_ROUTES);
    const dep = newDeployment(ctx, api, false, input.Description);
    transaction(ctx, () => {
      t.deployments.put(`${api.apiId}/${dep.deploymentId}`, dep);
      if (stage) t.stages.put(`${api.apiId}/${stage.stageName}`, { ...stage, deploymentId: dep.deploymentId, lastUpdatedDate: ctx.now() });
    });
    return deploymentOut(dep);
  },

  getDeployment(input, ctx) {
    apiOf(ctx, input.ApiId);
    const d = tables(ctx).deployments.get(`${input.ApiId}/${input.DeploymentId}`);
    if (!d) throw notFound("Deployment", input.DeploymentId);
    return deploymentOut(d);
  },

  getDeployments(input, ctx) {
    apiOf(ctx, input.ApiId);
    return page(ctx, "GetDeployments", ofApi(tables(ctx).deployments, input.ApiId), (d) => d.deploymentId, input, deploymentOut, input.ApiId);
  },

  updateDeployment(input, ctx) {
    apiOf(ctx, input.ApiId);
    const t = tables(ctx);
    const d = t.deployments.get(`${input.ApiId}/${input.DeploymentId}`);
    if (!d) throw notFound("Deployment", input.DeploymentId);
    const next = { ...d, ...defined({ description: input.Description }) };
    t.deployments.put(`${input.ApiId}/${input.DeploymentId}`, next);
    return deploymentOut(next);
  },

  deleteDeployment(input, ctx) {
    apiOf(ctx, input.ApiId);
    const t = tables(ctx);
    if (!t.deployments.has(`${input.ApiId}/${input.DeploymentId}`)) throw notFound("Deployment", input.DeploymentId);
    const user = ofApi(t.stages, input.ApiId).find((s) => s.deploymentId === input.DeploymentId);
    // As API Gateway says of REST deployments in use (v2's wording not recorded). // unverified wording
    if (user) throw badRequest("Active stages pointing to this deployment must be moved or deleted");
    t.deployments.delete(`${input.ApiId}/${input.DeploymentId}`);
    return {};
  },
} satisfies Partial<Apigatewayv2Api>;
