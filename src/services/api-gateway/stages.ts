// Stages: CreateStage/GetStage/GetStages/UpdateStage/DeleteStage, and the cache flushes. UpdateStage takes AWS's
// stage paths: the stage's own fields, /variables/<name>, /accessLogSettings/…, /canarySettings/…, and per-method
// settings "/<resource path>/<VERB>/<group>/<setting>" (the resource path's "/" as "~1", or plain) or
// "/*/*/<group>/<setting>". Method settings are keyed as AWS keys them: "*/*", "test/GET", "items/{id}/GET" (the
// resource path without its leading "/"); a new key starts from the "*/*" settings, or AWS's defaults.
// Wording: AWS's, as recorded in LocalStack's test_apigateway_common and test_apigateway_canary snapshots.
import type { HandlerContext } from "../../core/context.js";
import { BadRequestException, ConflictException } from "./api.generated.js";
import type { ApiGatewayApi, CacheClusterSize, CreateStageRequest, MethodSetting, PatchOperation, Stage } from "./api.generated.js";
import { defined, ofApi, requireApi, stageNotFound } from "./common.js";
import { toBoolean } from "./patch.js";
import { tables, type StageRec } from "./state.js";

export function stageOut(s: StageRec): Stage {
  return defined({
    deploymentId: s.deploymentId,
    clientCertificateId: s.clientCertificateId,
    stageName: s.stageName,
    description: s.description,
    cacheClusterEnabled: s.cacheClusterEnabled,
    cacheClusterSize: s.cacheClusterSize as CacheClusterSize | undefined,
    cacheClusterStatus: s.cacheClusterStatus as Stage["cacheClusterStatus"],
    methodSettings: s.methodSettings,
    variables: s.variables && Object.keys(s.variables).length ? s.variables : undefined,
    documentationVersion: s.documentationVersion,
    accessLogSettings: s.accessLogSettings,
    canarySettings: s.canarySettings,
    tracingEnabled: s.tracingEnabled,
    webAclArn: s.webAclArn,
    tags: Object.keys(s.tags).length ? s.tags : undefined,
    createdDate: new Date(s.createdDate),
    lastUpdatedDate: new Date(s.lastUpdatedDate),
  });
}

const cacheStatus = (enabled: boolean) => (enabled ? "AVAILABLE" : "NOT_AVAILABLE");

/** A new stage's record, with AWS's defaults. */
export function newStage(
  ctx: HandlerContext,
  i: Pick<
    CreateStageRequest,
    | "stageName"
    | "deploymentId"
    | "description"
    | "variables"
    | "cacheClusterEnabled"
    | "cacheClusterSize"
    | "tracingEnabled"
    | "documentationVersion"
    | "canarySettings"
    | "tags"
  >,
): StageRec {
  const now = ctx.now();
  const caching = i.cacheClusterEnabled ?? false;
  return defined({
    stageName: i.stageName,
    deploymentId: i.deploymentId,
    description: i.description,
    cacheClusterEnabled: caching,
    cacheClusterSize: i.cacheClusterSize ?? (caching ? "0.5" : undefined),
    cacheClusterStatus: cacheStatus(caching),
    methodSettings: {},
    variables: i.variables,
    documentationVersion: i.documentationVersion,
    canarySettings: i.canarySettings,
    tracingEnabled: i.tracingEnabled ?? false,
    tags: i.tags ?? {},
    createdDate: now,
    lastUpdatedDate: now,
  });
}

// AWS's own list, with its own punctuation (three entries run together) — recorded in test_apigateway_common.
const STAGE_PATHS =
  "[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]";
const invalidStagePath = (path: string | undefined) =>
  new BadRequestException(`Invalid method setting path: ${path ?? "null"}. Must be one of: ${STAGE_PATHS}`);
const cannotRemove = (what: string) => new BadRequestException(`Cannot remove method setting ${what} because there is no method setting for this method `);
const noDeployment = () => new BadRequestException("Deployment id does not exist");

/** The settings a method-settings path names: "<group>/<name>" → MethodSetting member and kind. */
const SETTINGS: Record<string, [keyof MethodSetting, "boolean" | "integer" | "number" | "string"]> = {
  "metrics/enabled": ["metricsEnabled", "boolean"],
  "logging/dataTrace": ["dataTraceEnabled", "boolean"],
  "logging/loglevel": ["loggingLevel", "string"],
  "throttling/burstLimit": ["throttlingBurstLimit", "integer"],
  "throttling/rateLimit": ["throttlingRateLimit", "number"],
  "caching/ttlInSeconds": ["cacheTtlInSeconds", "integer"],
  "caching/enabled": ["cachingEnabled", "boolean"],
  "caching/dataEncrypted": ["cacheDataEncrypted", "boolean"],
  "caching/requireAuthorizationForCacheControl": ["requireAuthorizationForCacheControl", "boolean"],
  "caching/unauthorizedCacheControlHeaderStrategy": ["unauthorizedCacheControlHeaderStrategy", "string"],
};

/** A method setting as AWS creates it (GetStage answers these for a key no one set more of). */
const DEFAULT_SETTING: MethodSetting = {
  metricsEnabled: false,
  dataTraceEnabled: false,
  throttlingBurstLimit: 5000,
  throttlingRateLimit: 10000,
  cachingEnabled: false,
  cacheTtlInSeconds: 300,
  cacheDataEncrypted: false,
  requireAuthorizationForCacheControl: true,
  unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
};

/** "/~1items~1{id}/GET" or "/items/{id}/GET" or "/*\/*" → "items/{id}/GET", "*\/*". */
function settingKey(rawSegments: string[]): string {
  const verb = rawSegments[rawSegments.length - 1];
  const resource = rawSegments.slice(0, -1).join("/").replace(/~1/g, "/").replace(/~0/g, "~").replace(/^\//, "");
  return `${resource}/${verb === "*" ? "*" : verb.toUpperCase()}`;
}

function settingValue(kind: string, value: string | undefined, path: string): unknown {
  if (kind === "boolean") return toBoolean(value, path);
  if (kind === "string") {
    if (path.endsWith("/logging/loglevel") && !["OFF", "ERROR", "INFO"].includes((value ?? "").toUpperCase()))
      throw new BadRequestException(`Invalid loglevel value ${value ?? "null"}. Must be one of: [OFF, ERROR, INFO]`); // unverified wording
    return path.endsWith("/logging/loglevel") ? value?.toUpperCase() : value;
  }
  const n = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isFinite(n) || (kind === "integer" && !Number.isInteger(n)))
    throw new BadRequestException(`Invalid ${kind} value ${value ?? "null"} for path ${path}`); // unverified wording
  return n;
}

function applyStagePatch(ctx: HandlerContext, apiId: string, stage: StageRec, ops: PatchOperation[]): StageRec {
  const s = structuredClone(stage);
  const t = tables(ctx);
  for (const op of ops) {
    const path = op.path ?? "";
    const raw = path.replace(/^\//, "").split("/");
    const value = op.value;
    const head = raw[0];
    const scalar = raw.length === 1;
    if (op.op === "move" || op.op === "test") throw new BadRequestException(`Invalid ${op.op} operation with path: ${path}`); // unverified wording
    if (scalar && head === "deploymentId") {
      if (op.op === "copy" && op.from === "/canarySettings/deploymentId") {
        // Promoting the canary: the stage takes its deployment.
        if (!s.canarySettings?.deploymentId) throw new BadRequestException("Promotion not available. Canary does not exist.");
        s.deploymentId = s.canarySettings.deploymentId;
        continue;
      }
      if (op.op !== "replace" || !value || !t.deployments.has(`${apiId}/${value}`)) throw noDeployment();
      s.deploymentId = value;
    } else if (scalar && (head === "description" || head === "clientCertificateId" || head === "documentationVersion" || head === "webAclArn")) {
      if (op.op === "remove" || !value) delete s[head];
      else s[head] = value;
    } else if (scalar && head === "cacheClusterEnabled") {
      s.cacheClusterEnabled = toBoolean(value, path);
      s.cacheClusterStatus = cacheStatus(s.cacheClusterEnabled);
      if (s.cacheClusterEnabled) s.cacheClusterSize ??= "0.5";
    } else if (scalar && head === "cacheClusterSize") {
      if (!["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"].includes(value ?? ""))
        throw new BadRequestException(`Invalid cache cluster size ${value ?? "null"}`); // unverified wording
      s.cacheClusterSize = value;
    } else if (scalar && head === "tracingEnabled") {
      s.tracingEnabled = toBoolean(value, path);
    } else if (head === "variables" && raw.length === 2) {
      const name = raw[1].replace(/~1/g, "/").replace(/~0/g, "~");
      if (op.op === "remove") {
        const { [name]: _, ...rest } = s.variables ?? {};
        s.variables = rest;
      } else if (op.op === "copy") {
        throw new BadRequestException(`Invalid copy operation with path: ${path}`); // unverified wording
      } else s.variables = { ...s.variables, [name]: value ?? "" };
    } else if (head === "accessLogSettings") {
      if (scalar && op.op === "remove") delete s.accessLogSettings;
      else if (op.op === "remove") throw cannotRemove(raw.join("/"));
      else if (raw.length !== 2 || (raw[1] !== "destinationArn" && raw[1] !== "format"))
        throw new BadRequestException("Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]");
      else if (!value) throw new BadRequestException("Access Log value must not be empty");
      else s.accessLogSettings = { ...s.accessLogSettings, [raw[1]]: value };
    } else if (head === "canarySettings") {
      applyCanary(ctx, apiId, s, op, raw);
    } else if (raw.length === 2 && op.op === "remove") {
      // "/*/*" or "/<resource>/<VERB>": drop that method's settings.
      const key = settingKey(raw);
      if (!s.methodSettings[key]) throw cannotRemove(key);
      delete s.methodSettings[key];
    } else if (raw.length >= 4 && SETTINGS[raw.slice(-2).join("/")]) {
      const [member, kind] = SETTINGS[raw.slice(-2).join("/")];
      const key = settingKey(raw.slice(0, -2));
      const current: MethodSetting = s.methodSettings[key] ?? { ...DEFAULT_SETTING, ...s.methodSettings["*/*"] };
      if (op.op === "remove") delete current[member];
      else (current as Record<string, unknown>)[member] = settingValue(kind, value, path);
      s.methodSettings = { ...s.methodSettings, [key]: current };
    } else throw invalidStagePath(op.path);
  }
  s.lastUpdatedDate = ctx.now();
  return s;
}

function applyCanary(ctx: HandlerContext, apiId: string, s: StageRec, op: PatchOperation, raw: string[]): void {
  const path = op.path ?? "";
  if (raw.length === 1) {
    if (op.op === "remove") {
      delete s.canarySettings;
      return;
    }
    throw invalidStagePath(path);
  }
  const c = { ...s.canarySettings };
  const field = raw[1];
  if (op.op === "remove") {
    if (field === "stageVariableOverrides" && raw.length === 3 && c.stageVariableOverrides?.[raw[2]] !== undefined) {
      const { [raw[2]]: _, ...rest } = c.stageVariableOverrides;
      c.stageVariableOverrides = rest;
    } else throw cannotRemove(raw.join("/"));
  } else if (field === "deploymentId" && raw.length === 2) {
    if (op.op !== "replace") throw new BadRequestException(`Invalid ${op.op} operation with path: ${path}`);
    if (!op.value || !tables(ctx).deployments.has(`${apiId}/${op.value}`)) throw noDeployment();
    c.deploymentId = op.value;
  } else if (field === "percentTraffic" && raw.length === 2) {
    const n = Number(op.value);
    if (!Number.isFinite(n) || n < 0 || n > 100) throw new BadRequestException(`Invalid percentTraffic value ${op.value ?? "null"}`); // unverified wording
    c.percentTraffic = n;
  } else if (field === "useStageCache" && raw.length === 2) {
    c.useStageCache = toBoolean(op.value, path);
  } else if (field === "stageVariableOverrides" && raw.length === 3) {
    c.stageVariableOverrides = { ...c.stageVariableOverrides, [raw[2]]: op.value ?? "" };
  } else throw invalidStagePath(path);
  s.canarySettings = c;
}

function requireStage(ctx: HandlerContext, apiId: string, name: string): StageRec {
  requireApi(ctx, apiId);
  const s = tables(ctx).stages.get(`${apiId}/${name}`);
  if (!s) throw stageNotFound();
  return s;
}

export const stages = {
  createStage(input, ctx) {
    requireApi(ctx, input.restApiId);
    const t = tables(ctx);
    // unverified wording (AWS's stage names: letters, digits, hyphens and underscores, up to 128)
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(input.stageName)) throw new BadRequestException("Stage name only allows a-zA-Z0-9_-");
    if (!t.deployments.has(`${input.restApiId}/${input.deploymentId}`)) throw noDeployment();
    const key = `${input.restApiId}/${input.stageName}`;
    if (t.stages.has(key)) throw new ConflictException("Stage already exists"); // moto's wording, unverified
    const rec = newStage(ctx, input);
    t.stages.put(key, rec);
    return stageOut(rec);
  },

  getStage(input, ctx) {
    return stageOut(requireStage(ctx, input.restApiId, input.stageName));
  },

  getStages(input, ctx) {
    requireApi(ctx, input.restApiId);
    const all = ofApi(tables(ctx).stages, input.restApiId).filter((s) => !input.deploymentId || s.deploymentId === input.deploymentId);
    return { item: all.map(stageOut) };
  },

  updateStage(input, ctx) {
    const stage = requireStage(ctx, input.restApiId, input.stageName);
    const next = applyStagePatch(ctx, input.restApiId, stage, input.patchOperations ?? []);
    tables(ctx).stages.put(`${input.restApiId}/${input.stageName}`, next);
    return stageOut(next);
  },

  deleteStage(input, ctx) {
    requireStage(ctx, input.restApiId, input.stageName);
    tables(ctx).stages.delete(`${input.restApiId}/${input.stageName}`);
    return {};
  },

  // The stage's response cache: AWS acknowledges the flush (202, no body); Stratus keeps no response cache to flush.
  flushStageCache(input, ctx) {
    requireStage(ctx, input.restApiId, input.stageName);
    return {};
  },

  // The authorizer results cached for the stage: the flush is a time on the stage record, before which the execute-api
  // pipeline's cached results no longer count (StageRec.authorizersFlushedAt).
  flushStageAuthorizersCache(input, ctx) {
    const stage = requireStage(ctx, input.restApiId, input.stageName);
    tables(ctx).stages.put(`${input.restApiId}/${input.stageName}`, { ...stage, authorizersFlushedAt: ctx.now() });
    return {};
  },
} satisfies Partial<ApiGatewayApi>;
