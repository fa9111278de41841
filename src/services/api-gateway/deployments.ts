// Deployments: CreateDeployment freezes the API (resources and methods, authorizers, validators, models, gateway
// responses, the API's settings) into DeploymentRec.snapshot — a stage serves that, never the live definitions —
// and with a stageName creates or updates that stage; GetDeployment(s) (embed=apisummary), UpdateDeployment,
// DeleteDeployment (refused while a stage or a stage's canary uses it). Stages are in stages.ts.
import type { HandlerContext } from "../../core/context.js";
import { BadRequestException } from "./api.generated.js";
import type { ApiGatewayApi, CreateDeploymentRequest, Deployment, MethodSnapshot } from "./api.generated.js";
import { defined, deploymentNotFound, ofApi, page, requireApi } from "./common.js";
import { applyPatch } from "./patch.js";
import { newStage, stages, stageOut } from "./stages.js";
import { newId, tables, transaction, type ApiSnapshot, type DeploymentRec } from "./state.js";

/** What a deployment freezes: the API as it is now. */
export function snapshotOf(ctx: HandlerContext, apiId: string): ApiSnapshot {
  const t = tables(ctx);
  return {
    api: requireApi(ctx, apiId),
    resources: ofApi(t.resources, apiId),
    authorizers: ofApi(t.authorizers, apiId),
    validators: ofApi(t.validators, apiId),
    models: ofApi(t.models, apiId),
    gatewayResponses: ofApi(t.gatewayResponses, apiId),
  };
}

/** GetDeployment's apiSummary: resource path → verb → what the deployment requires of a caller. */
function apiSummary(s: ApiSnapshot): Record<string, Record<string, MethodSnapshot>> {
  const out: Record<string, Record<string, MethodSnapshot>> = {};
  for (const r of s.resources) {
    const verbs = Object.entries(r.resourceMethods);
    if (!verbs.length) continue;
    out[r.path] = Object.fromEntries(verbs.map(([v, m]) => [v, { authorizationType: m.authorizationType, apiKeyRequired: m.apiKeyRequired ?? false }]));
  }
  return out;
}

export function deploymentOut(d: DeploymentRec, embed?: string[]): Deployment {
  return defined({
    id: d.id,
    description: d.description,
    createdDate: new Date(d.createdDate),
    apiSummary: embed?.some((e) => e.toLowerCase() === "apisummary") ? apiSummary(d.snapshot) : undefined,
  });
}

function createDeployment(input: CreateDeploymentRequest, ctx: HandlerContext): Deployment {
  const snapshot = snapshotOf(ctx, input.restApiId);
  const methods = snapshot.resources.flatMap((r) => Object.values(r.resourceMethods));
  // AWS's refusals of an API that cannot serve (moto's and LocalStack's recorded wording).
  if (!methods.length) throw new BadRequestException("The REST API doesn't contain any methods");
  if (methods.some((m) => !m.methodIntegration)) throw new BadRequestException("No integration defined for method");
  const t = tables(ctx);
  const stageKey = `${input.restApiId}/${input.stageName}`;
  const existing = input.stageName ? t.stages.get(stageKey) : undefined;
  if (input.canarySettings) {
    if (!input.stageName)
      throw new BadRequestException(
        `Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is ${input.stageName ?? "null"}`,
      );
    if (!existing)
      throw new BadRequestException(
        `Invalid deployment content specified.Stage ${input.stageName} must already be created before making a canary release deployment`,
      );
  }
  const now = ctx.now();
  const rec: DeploymentRec = defined({ id: newId(6), description: input.description, createdDate: now, snapshot });
  transaction(ctx, () => {
    t.deployments.put(`${input.restApiId}/${rec.id}`, rec);
    if (!input.stageName) return;
    if (existing && input.canarySettings) {
      const c = input.canarySettings;
      t.stages.put(stageKey, {
        ...existing,
        canarySettings: defined({
          percentTraffic: c.percentTraffic ?? 0,
          deploymentId: rec.id,
          stageVariableOverrides: c.stageVariableOverrides,
          useStageCache: c.useStageCache ?? false,
        }),
        lastUpdatedDate: now,
      });
    } else if (existing) {
      t.stages.put(
        stageKey,
        defined({
          ...existing,
          deploymentId: rec.id,
          description: input.stageDescription ?? existing.description,
          variables: input.variables ? { ...existing.variables, ...input.variables } : existing.variables,
          cacheClusterEnabled: input.cacheClusterEnabled ?? existing.cacheClusterEnabled,
          cacheClusterSize: input.cacheClusterSize ?? existing.cacheClusterSize,
          tracingEnabled: input.tracingEnabled ?? existing.tracingEnabled,
          lastUpdatedDate: now,
        }),
      );
    } else {
      t.stages.put(
        stageKey,
        newStage(ctx, {
          stageName: input.stageName,
          deploymentId: rec.id,
          description: input.stageDescription,
          variables: input.variables,
          cacheClusterEnabled: input.cacheClusterEnabled,
          cacheClusterSize: input.cacheClusterSize,
          tracingEnabled: input.tracingEnabled,
        }),
      );
    }
  });
  return deploymentOut(rec);
}

function requireDeployment(ctx: HandlerContext, apiId: string, id: string): DeploymentRec {
  requireApi(ctx, apiId);
  const d = tables(ctx).deployments.get(`${apiId}/${id}`);
  if (!d) throw deploymentNotFound();
  return d;
}

export const deployments = {
  createDeployment,

  getDeployment(input, ctx) {
    return deploymentOut(requireDeployment(ctx, input.restApiId, input.deploymentId), input.embed);
  },

  getDeployments(input, ctx) {
    requireApi(ctx, input.restApiId);
    const all = ofApi(tables(ctx).deployments, input.restApiId);
    const { items, position } = page("GetDeployments", all, (d) => d.id, input, input.restApiId);
    return { items: items.map((d) => deploymentOut(d)), ...(position ? { position } : {}) };
  },

  updateDeployment(input, ctx) {
    const d = requireDeployment(ctx, input.restApiId, input.deploymentId);
    const next = applyPatch(d, input.patchOperations, { description: { kind: "string", ops: ["replace"] } });
    tables(ctx).deployments.put(`${input.restApiId}/${d.id}`, next);
    return deploymentOut(next);
  },

  deleteDeployment(input, ctx) {
    requireDeployment(ctx, input.restApiId, input.deploymentId);
    const t = tables(ctx);
    const used = ofApi(t.stages, input.restApiId).some((s) => s.deploymentId === input.deploymentId || s.canarySettings?.deploymentId === input.deploymentId);
    if (used) throw new BadRequestException("Active stages pointing to this deployment must be moved or deleted");
    t.deployments.delete(`${input.restApiId}/${input.deploymentId}`);
    return {};
  },

  ...stages,
} satisfies Partial<ApiGatewayApi>;

export { stageOut };
