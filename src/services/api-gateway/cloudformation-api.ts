// AWS::ApiGateway::RestApi, Resource, Method, Deployment and Stage through API Gateway's own operations. Ref and
// GetAtt as the CloudFormation template reference gives them (docs.aws.amazon.com/AWSCloudFormation/latest/
// TemplateReference/aws-resource-apigateway-*.html, "Return values"; attributes from the resource specification):
// - RestApi: Ref the API id; GetAtt RestApiId, RootResourceId. Body (an object or OpenAPI text) or BodyS3Location
//   (read from Stratus's S3) is put over the API CreateRestApi made with the template's settings and tags
//   (PutRestApi, on create and update); the settings given are then set over it. Without Mode "overwrite" the
//   binary media types merge (the definition's, the template's, the API's), as AWS's Mode documentation says.
// - Resource: Ref the resource id; GetAtt ResourceId.
// - Method: Ref a generated id, `mysta-metho-01234b567890example` in AWS's words (the API has no method id);
//   every change of its mutable properties puts the method again (method responses and integration with it).
// - Deployment: Ref the deployment id; GetAtt DeploymentId. StageName (with StageDescription) creates that stage
//   with the deployment, as CreateDeployment does; its delete deletes the stage it made, then the deployment.
// - Stage: Ref the stage name; CanarySetting a canary on it (removed or its settings replaced on update).
import { load as loadYaml } from "js-yaml";
import { isServiceError } from "../../core/errors.js";
import { listAllIds, type ResourceProviders, type ResourceRequest, tagsProperty } from "../../core/resources.js";
import type { ApiKeySourceType, CacheClusterSize, CanarySettings, ContentHandlingStrategy, IntegrationType, PatchOperation, PutMode } from "./api.generated.js";
import {
  bool,
  boolMap,
  escapePath,
  gone,
  jsonText,
  mapPatches,
  num,
  type Props,
  readS3Body,
  same,
  setPatches,
  str,
  strMap,
  tagMap,
  tolerant,
} from "./cloudformation-common.js";

const apigw = (req: { ctx: ResourceRequest["ctx"] }) => req.ctx.client("api-gateway");

/** The API's ARN for TagResource (arn:aws:apigateway:<region>::/restapis/<id>). */
export const restApiArn = (req: { ctx: ResourceRequest["ctx"] }, path: string) => `arn:aws:apigateway:${req.ctx.region}::${path}`;

/** Tags added, changed and removed on a taggable resource. */
export async function retag(req: ResourceRequest, arn: string, before: unknown, after: unknown): Promise<void> {
  const b = tagMap(before) ?? {};
  const a = tagMap(after) ?? {};
  const removed = Object.keys(b).filter((k) => !(k in a));
  if (removed.length) await apigw(req).untagResource({ resourceArn: arn, tagKeys: removed });
  const changed = Object.fromEntries(Object.entries(a).filter(([k, v]) => b[k] !== v));
  if (Object.keys(changed).length) await apigw(req).tagResource({ resourceArn: arn, tags: changed });
}

// ---- AWS::ApiGateway::RestApi -----------------------------------------------------------------------------------

/** The definition a RestApi's Body or BodyS3Location gives, as the bytes ImportRestApi/PutRestApi take. */
async function bodyOf(req: ResourceRequest, p: Props): Promise<Uint8Array | undefined> {
  if (p.Body !== undefined) return Buffer.from(jsonText(p.Body)!, "utf8");
  if (p.BodyS3Location !== undefined) return Buffer.from(await readS3Body(req.ctx, p.BodyS3Location as Props, "BodyS3Location"), "utf8");
  return undefined;
}

/** An OpenAPI document's info.title (JSON or YAML), which names an API the template does not name. */
function titleOf(body: Uint8Array): string | undefined {
  const text = Buffer.from(body).toString("utf8");
  try {
    const doc = (text.trimStart().startsWith("{") ? JSON.parse(text) : loadYaml(text)) as { info?: { title?: unknown } } | undefined;
    return typeof doc?.info?.title === "string" && doc.info.title ? doc.info.title : undefined;
  } catch {
    return undefined; // PutRestApi answers for a document it cannot read
  }
}

const endpointTypes = (p: Props): string[] | undefined => (p.EndpointConfiguration as { Types?: string[] } | undefined)?.Types?.map(String);

/**
 * Patch operations that make the API's settings what the template gives (relative to `before`'s). `keep`: a
 * definition was just put without Mode "overwrite", so binary media types (a container type) are merged — the
 * template's added to what the API has and `keep`'s, none removed (AWS's Mode documentation for APIs made since
 * March 2021).
 */
function restApiPatches(p: Props, before: Props, keep?: string[]): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const scalar = (prop: string, path: string, v: string | undefined) => {
    if (v !== undefined && v !== str(before[prop])) ops.push({ op: "replace", path, value: v });
  };
  scalar("Name", "/name", str(p.Name));
  scalar("Description", "/description", str(p.Description));
  scalar("ApiKeySourceType", "/apiKeySource", str(p.ApiKeySourceType));
  scalar("MinimumCompressionSize", "/minimumCompressionSize", str(p.MinimumCompressionSize));
  scalar("DisableExecuteApiEndpoint", "/disableExecuteApiEndpoint", str(p.DisableExecuteApiEndpoint));
  const policy = jsonText(p.Policy);
  if (policy !== undefined && policy !== jsonText(before.Policy)) ops.push({ op: "replace", path: "/policy", value: policy });
  const had = (before.BinaryMediaTypes ?? []) as string[];
  const wanted = keep ? [...new Set([...had, ...keep, ...((p.BinaryMediaTypes ?? []) as string[])])] : (p.BinaryMediaTypes as string[] | undefined);
  if (!same(wanted ?? [], had)) ops.push(...setPatches("/binaryMediaTypes", had, wanted));
  const [was] = endpointTypes(before) ?? [];
  const [now] = endpointTypes(p) ?? [];
  if (now !== undefined && now !== was) ops.push({ op: "replace", path: `/endpointConfiguration/types/${was ?? "EDGE"}`, value: now });
  return ops;
}

async function restApiResult(req: ResourceRequest, id: string) {
  const api = await apigw(req).getRestApi({ restApiId: id });
  return { physicalId: id, ref: id, attributes: { RestApiId: id, RootResourceId: api.rootResourceId } };
}

const restApi = {
  async create(req) {
    const p = req.properties;
    const body = await bodyOf(req, p);
    // The API is made with the template's settings and tags, then the definition put over it (PutRestApi,
    // "overwrite" unless Mode says otherwise); the settings the template gives are then set again over the
    // definition's. Without Name the definition's title names it.
    const out = await apigw(req).createRestApi({
      // Neither Name nor a titled definition: CreateRestApi refuses the missing name, as AWS's handler reports it.
      name: (str(p.Name) ?? (body ? titleOf(body) : undefined)) as string,
      description: str(p.Description),
      version: str(p.Version),
      cloneFrom: str(p.CloneFrom),
      binaryMediaTypes: p.BinaryMediaTypes as string[] | undefined,
      minimumCompressionSize: num(p.MinimumCompressionSize),
      apiKeySource: p.ApiKeySourceType as ApiKeySourceType | undefined,
      endpointConfiguration: p.EndpointConfiguration
        ? { types: endpointTypes(p) as never, vpcEndpointIds: (p.EndpointConfiguration as { VpcEndpointIds?: string[] }).VpcEndpointIds }
        : undefined,
      policy: jsonText(p.Policy),
      disableExecuteApiEndpoint: bool(p.DisableExecuteApiEndpoint),
      tags: tagMap(p.Tags),
    });
    const id = out.id!;
    try {
      if (body) {
        const put = await apigw(req).putRestApi({
          restApiId: id,
          body,
          mode: ((p.Mode as string | undefined) ?? "overwrite") as PutMode,
          failOnWarnings: bool(p.FailOnWarnings),
          parameters: strMap(p.Parameters),
        });
        const applied: Props = {
          Name: put.name,
          Description: put.description,
          BinaryMediaTypes: put.binaryMediaTypes,
          EndpointConfiguration: { Types: put.endpointConfiguration?.types },
        };
        const ops = restApiPatches(p, applied, p.Mode === "overwrite" ? undefined : []);
        if (ops.length) await apigw(req).updateRestApi({ restApiId: id, patchOperations: ops });
      }
    } catch (e) {
      await tolerant(() => apigw(req).deleteRestApi({ restApiId: id }));
      throw e;
    }
    return restApiResult(req, id);
  },
  async update(req) {
    const p = req.properties;
    const prev = req.previous;
    const id = req.physicalId;
    let before = prev;
    const bodyChanged = !same(p.Body, prev.Body) || !same(p.BodyS3Location, prev.BodyS3Location) || !same(p.Parameters, prev.Parameters);
    const body = bodyChanged || !same(p.Mode, prev.Mode) ? await bodyOf(req, p) : undefined;
    let keep: string[] | undefined;
    if (body) {
      if (p.Mode !== "overwrite") keep = (await apigw(req).getRestApi({ restApiId: id })).binaryMediaTypes ?? [];
      const out = await apigw(req).putRestApi({
        restApiId: id,
        body,
        mode: ((p.Mode as string | undefined) ?? "overwrite") as PutMode,
        failOnWarnings: bool(p.FailOnWarnings),
        parameters: strMap(p.Parameters),
      });
      before = { ...prev, Name: out.name, Description: out.description, BinaryMediaTypes: out.binaryMediaTypes };
    }
    const ops = restApiPatches(p, before, keep);
    if (ops.length) await apigw(req).updateRestApi({ restApiId: id, patchOperations: ops });
    await retag(req, restApiArn(req, `/restapis/${id}`), prev.Tags, p.Tags);
    return restApiResult(req, id);
  },
  async delete(req) {
    await tolerant(() => apigw(req).deleteRestApi({ restApiId: req.physicalId }));
  },
  async read({ ctx, physicalId }) {
    try {
      const api = await ctx.client("api-gateway").getRestApi({ restApiId: physicalId });
      const model: Props = { RestApiId: api.id, RootResourceId: api.rootResourceId, Name: api.name };
      if (api.description !== undefined) model.Description = api.description;
      if (api.binaryMediaTypes?.length) model.BinaryMediaTypes = api.binaryMediaTypes;
      if (api.apiKeySource) model.ApiKeySourceType = api.apiKeySource;
      if (api.endpointConfiguration?.types) model.EndpointConfiguration = { Types: api.endpointConfiguration.types };
      Object.assign(model, tagsProperty(api.tags));
      return model;
    } catch (e) {
      if (gone(e)) return undefined;
      throw e;
    }
  },
  list: (ctx) =>
    listAllIds(async (position) => {
      const page = await ctx.client("api-gateway").getRestApis({ limit: 500, position });
      return { ids: (page.items ?? []).map((a) => a.id), next: page.position };
    }),
  notRead: ["Body", "BodyS3Location", "CloneFrom", "FailOnWarnings", "Mode", "Parameters", "Policy"],
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::Resource ----------------------------------------------------------------------------------

const resource = {
  async create(req) {
    const p = req.properties;
    const out = await apigw(req).createResource({ restApiId: String(p.RestApiId), parentId: String(p.ParentId), pathPart: String(p.PathPart) });
    return { physicalId: out.id!, ref: out.id!, attributes: { ResourceId: out.id } };
  },
  async delete(req) {
    await tolerant(() => apigw(req).deleteResource({ restApiId: String(req.properties.RestApiId), resourceId: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::Method ------------------------------------------------------------------------------------

/** Puts the method, then its responses and integration; a failure after PutMethod deletes the method it made. */
async function putMethod(req: ResourceRequest): Promise<void> {
  const p = req.properties;
  const key = { restApiId: String(p.RestApiId), resourceId: String(p.ResourceId), httpMethod: String(p.HttpMethod).toUpperCase() };
  const api = apigw(req);
  // A method already there (another stack's, or made by hand) is refused by PutMethod and left alone.
  await api.putMethod({
    ...key,
    authorizationType: str(p.AuthorizationType) ?? "NONE",
    authorizerId: str(p.AuthorizerId),
    apiKeyRequired: bool(p.ApiKeyRequired),
    operationName: str(p.OperationName),
    requestParameters: boolMap(p.RequestParameters),
    requestModels: strMap(p.RequestModels),
    requestValidatorId: str(p.RequestValidatorId),
    authorizationScopes: p.AuthorizationScopes as string[] | undefined,
  });
  try {
    await putMethodParts(req, key);
  } catch (e) {
    await deleteMethod(req, p);
    throw e;
  }
}

async function putMethodParts(req: ResourceRequest, key: { restApiId: string; resourceId: string; httpMethod: string }): Promise<void> {
  const p = req.properties;
  const api = apigw(req);
  for (const r of (p.MethodResponses ?? []) as Props[]) {
    await api.putMethodResponse({
      ...key,
      statusCode: String(r.StatusCode),
      responseParameters: boolMap(r.ResponseParameters),
      responseModels: strMap(r.ResponseModels),
    });
  }
  const i = p.Integration as Props | undefined;
  if (!i) return;
  await api.putIntegration({
    ...key,
    type: String(i.Type) as IntegrationType,
    integrationHttpMethod: str(i.IntegrationHttpMethod),
    uri: str(i.Uri),
    connectionType: i.ConnectionType as never,
    connectionId: str(i.ConnectionId),
    credentials: str(i.Credentials),
    requestParameters: strMap(i.RequestParameters),
    requestTemplates: strMap(i.RequestTemplates),
    passthroughBehavior: str(i.PassthroughBehavior),
    cacheNamespace: str(i.CacheNamespace),
    cacheKeyParameters: i.CacheKeyParameters as string[] | undefined,
    contentHandling: i.ContentHandling as ContentHandlingStrategy | undefined,
    timeoutInMillis: num(i.TimeoutInMillis),
    responseTransferMode: i.ResponseTransferMode as never,
    integrationTarget: str(i.IntegrationTarget),
  });
  for (const r of (i.IntegrationResponses ?? []) as Props[]) {
    await api.putIntegrationResponse({
      ...key,
      statusCode: String(r.StatusCode),
      selectionPattern: str(r.SelectionPattern),
      responseParameters: strMap(r.ResponseParameters),
      responseTemplates: strMap(r.ResponseTemplates),
      contentHandling: r.ContentHandling as ContentHandlingStrategy | undefined,
    });
  }
}

const deleteMethod = (req: ResourceRequest, p: Props) =>
  tolerant(() => apigw(req).deleteMethod({ restApiId: String(p.RestApiId), resourceId: String(p.ResourceId), httpMethod: String(p.HttpMethod).toUpperCase() }));

const method = {
  async create(req) {
    const id = req.generateName(24, { lowercase: true });
    await putMethod(req);
    return { physicalId: id, ref: id };
  },
  async update(req) {
    // PutMethod replaces the method; its responses and integration go with it and are put again as given.
    await deleteMethod(req, req.previous);
    await putMethod(req);
    return { physicalId: req.physicalId, ref: req.physicalId };
  },
  async delete(req) {
    await deleteMethod(req, req.properties);
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::Stage (and a Deployment's StageDescription) ----------------------------------------------------

/** A MethodSetting's patch path: /{resourcePath with ~1}/{method}/{setting}; "/*" and "*" mean every resource. */
function settingPath(s: Props): string {
  const rp = str(s.ResourcePath) ?? "/*";
  const path = rp === "/*" || rp === "*" ? "*" : escapePath(rp);
  return `/${path}/${str(s.HttpMethod) ?? "*"}`;
}
const SETTINGS: [string, string][] = [
  ["MetricsEnabled", "metrics/enabled"],
  ["LoggingLevel", "logging/loglevel"],
  ["DataTraceEnabled", "logging/dataTrace"],
  ["ThrottlingBurstLimit", "throttling/burstLimit"],
  ["ThrottlingRateLimit", "throttling/rateLimit"],
  ["CachingEnabled", "caching/enabled"],
  ["CacheTtlInSeconds", "caching/ttlInSeconds"],
  ["CacheDataEncrypted", "caching/dataEncrypted"],
];

function methodSettingPatches(settings: unknown): PatchOperation[] {
  const ops: PatchOperation[] = [];
  for (const s of (settings ?? []) as Props[]) {
    for (const [prop, path] of SETTINGS) if (s[prop] !== undefined) ops.push({ op: "replace", path: `${settingPath(s)}/${path}`, value: String(s[prop]) });
  }
  return ops;
}

/** The settings CreateStage does not take, as patch operations (relative to `before`). */
function stagePatches(p: Props, before: Props): PatchOperation[] {
  const ops: PatchOperation[] = [];
  if (!same(p.MethodSettings, before.MethodSettings)) {
    for (const s of (before.MethodSettings ?? []) as Props[]) ops.push({ op: "remove", path: settingPath(s) });
    ops.push(...methodSettingPatches(p.MethodSettings));
  }
  const log = p.AccessLogSetting as Props | undefined;
  if (!same(log, before.AccessLogSetting)) {
    if (log?.DestinationArn !== undefined) {
      ops.push({ op: "replace", path: "/accessLogSettings/destinationArn", value: String(log.DestinationArn) });
      if (log.Format !== undefined) ops.push({ op: "replace", path: "/accessLogSettings/format", value: String(log.Format) });
    } else if (before.AccessLogSetting !== undefined) ops.push({ op: "remove", path: "/accessLogSettings" });
  }
  if (str(p.ClientCertificateId) !== str(before.ClientCertificateId)) {
    ops.push({ op: "replace", path: "/clientCertificateId", value: str(p.ClientCertificateId) ?? "" });
  }
  return ops;
}

function canaryOf(v: unknown): CanarySettings | undefined {
  if (!v) return undefined;
  const c = v as Props;
  return {
    deploymentId: str(c.DeploymentId),
    percentTraffic: num(c.PercentTraffic),
    stageVariableOverrides: strMap(c.StageVariableOverrides),
    useStageCache: bool(c.UseStageCache),
  };
}

/** A stage's canary changed: removed, or its settings replaced (the overrides key by key). */
function canaryPatches(now: unknown, was: unknown): PatchOperation[] {
  if (same(now, was)) return [];
  if (!now) return [{ op: "remove", path: "/canarySettings" }];
  const c = canaryOf(now)!;
  const b = canaryOf(was);
  const ops: PatchOperation[] = [];
  if (c.deploymentId !== undefined) ops.push({ op: "replace", path: "/canarySettings/deploymentId", value: c.deploymentId });
  if (c.percentTraffic !== undefined) ops.push({ op: "replace", path: "/canarySettings/percentTraffic", value: String(c.percentTraffic) });
  if (c.useStageCache !== undefined) ops.push({ op: "replace", path: "/canarySettings/useStageCache", value: String(c.useStageCache) });
  ops.push(...mapPatches("/canarySettings/stageVariableOverrides", b?.stageVariableOverrides, c.stageVariableOverrides));
  return ops;
}

async function createStage(req: ResourceRequest, restApiId: string, stageName: string, deploymentId: string, p: Props): Promise<void> {
  await apigw(req).createStage({
    restApiId,
    stageName,
    deploymentId,
    description: str(p.Description),
    cacheClusterEnabled: bool(p.CacheClusterEnabled),
    cacheClusterSize: p.CacheClusterSize as CacheClusterSize | undefined,
    variables: strMap(p.Variables),
    documentationVersion: str(p.DocumentationVersion),
    tracingEnabled: bool(p.TracingEnabled),
    canarySettings: canaryOf(p.CanarySetting),
    tags: tagMap(p.Tags),
  });
  const ops = stagePatches(p, {});
  try {
    if (ops.length) await apigw(req).updateStage({ restApiId, stageName, patchOperations: ops });
  } catch (e) {
    await tolerant(() => apigw(req).deleteStage({ restApiId, stageName }));
    throw e;
  }
}

const stage = {
  async create(req) {
    const p = req.properties;
    const restApiId = String(p.RestApiId);
    const name = str(p.StageName) ?? req.generateName(128);
    await createStage(req, restApiId, name, String(p.DeploymentId), p);
    return { physicalId: name, ref: name };
  },
  async update(req) {
    const p = req.properties;
    const prev = req.previous;
    const restApiId = String(p.RestApiId);
    const ops: PatchOperation[] = [];
    // A property left out goes back to the stage's default: "" for text, false for a flag; a size or deployment
    // left out stays as it is (there is no default to go back to).
    const scalar = (prop: string, path: string, unset?: string) => {
      const now = str(p[prop]) ?? unset;
      if (str(p[prop]) !== str(prev[prop]) && now !== undefined) ops.push({ op: "replace", path, value: now });
    };
    scalar("DeploymentId", "/deploymentId");
    scalar("Description", "/description", "");
    scalar("CacheClusterEnabled", "/cacheClusterEnabled", "false");
    scalar("CacheClusterSize", "/cacheClusterSize");
    scalar("TracingEnabled", "/tracingEnabled", "false");
    scalar("DocumentationVersion", "/documentationVersion", "");
    ops.push(
      ...mapPatches("/variables", strMap(prev.Variables), strMap(p.Variables)),
      ...stagePatches(p, prev),
      ...canaryPatches(p.CanarySetting, prev.CanarySetting),
    );
    if (ops.length) await apigw(req).updateStage({ restApiId, stageName: req.physicalId, patchOperations: ops });
    await retag(req, restApiArn(req, `/restapis/${restApiId}/stages/${req.physicalId}`), prev.Tags, p.Tags);
    return { physicalId: req.physicalId, ref: req.physicalId };
  },
  async delete(req) {
    await tolerant(() => apigw(req).deleteStage({ restApiId: String(req.properties.RestApiId), stageName: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::Deployment ----------------------------------------------------------------------------------

/** A StageDescription as the stage's own properties (Stage's names), its method-wide settings as the "*\/*" setting. */
function stageOfDescription(d: Props | undefined): Props {
  if (!d) return {};
  const wide: Props = {};
  for (const [prop] of SETTINGS) if (d[prop] !== undefined) wide[prop] = d[prop];
  const settings = [...(Object.keys(wide).length ? [{ ResourcePath: "/*", HttpMethod: "*", ...wide }] : []), ...((d.MethodSettings ?? []) as Props[])];
  return { ...d, MethodSettings: settings.length ? settings : undefined };
}

/** A deployment, and the stage it named while the stage still serves it (the stage goes with the deployment). */
async function deleteDeployment(req: ResourceRequest, restApiId: string, stageName: string | undefined, deploymentId: string): Promise<void> {
  if (stageName) {
    let current: string | undefined;
    await tolerant(async () => {
      current = (await apigw(req).getStage({ restApiId, stageName })).deploymentId;
    });
    if (current === deploymentId) await tolerant(() => apigw(req).deleteStage({ restApiId, stageName }));
  }
  await tolerant(() => apigw(req).deleteDeployment({ restApiId, deploymentId }));
}

const deployment = {
  async create(req) {
    const p = req.properties;
    const restApiId = String(p.RestApiId);
    const stageName = str(p.StageName);
    const sd = stageOfDescription(p.StageDescription as Props | undefined);
    const canary = p.DeploymentCanarySettings as Props | undefined;
    const out = await apigw(req).createDeployment({
      restApiId,
      description: str(p.Description),
      stageName,
      stageDescription: stageName ? str(sd.Description) : undefined,
      cacheClusterEnabled: stageName ? bool(sd.CacheClusterEnabled) : undefined,
      cacheClusterSize: stageName ? (sd.CacheClusterSize as CacheClusterSize | undefined) : undefined,
      variables: stageName ? strMap(sd.Variables) : undefined,
      tracingEnabled: stageName ? bool(sd.TracingEnabled) : undefined,
      canarySettings: canary
        ? {
            percentTraffic: num(canary.PercentTraffic),
            stageVariableOverrides: strMap(canary.StageVariableOverrides),
            useStageCache: bool(canary.UseStageCache),
          }
        : undefined,
    });
    const id = out.id!;
    if (stageName) {
      try {
        const ops = stagePatches(sd, {});
        if (ops.length) await apigw(req).updateStage({ restApiId, stageName, patchOperations: ops });
        await retag(req, restApiArn(req, `/restapis/${restApiId}/stages/${stageName}`), undefined, sd.Tags);
      } catch (e) {
        // What this create made goes: the stage while it serves this deployment, then the deployment.
        await deleteDeployment(req, restApiId, stageName, id);
        throw e;
      }
    }
    return { physicalId: id, ref: id, attributes: { DeploymentId: id } };
  },
  async update(req) {
    const p = req.properties;
    const prev = req.previous;
    const restApiId = String(p.RestApiId);
    const id = req.physicalId;
    if (str(p.Description) !== str(prev.Description)) {
      await apigw(req).updateDeployment({
        restApiId,
        deploymentId: id,
        patchOperations: [{ op: "replace", path: "/description", value: str(p.Description) ?? "" }],
      });
    }
    const stageName = str(p.StageName);
    const sd = stageOfDescription(p.StageDescription as Props | undefined);
    if (stageName && stageName !== str(prev.StageName)) {
      // The stage the deployment now names: made for it, or moved to it.
      try {
        await createStage(req, restApiId, stageName, id, sd);
      } catch (e) {
        if (!(isServiceError(e) && e.code === "ConflictException")) throw e;
        await apigw(req).updateStage({ restApiId, stageName, patchOperations: [{ op: "replace", path: "/deploymentId", value: id }] });
      }
    } else if (stageName && !same(p.StageDescription, prev.StageDescription)) {
      const before = stageOfDescription(prev.StageDescription as Props | undefined);
      const ops = stagePatches(sd, before);
      if (str(sd.Description) !== str(before.Description)) ops.push({ op: "replace", path: "/description", value: str(sd.Description) ?? "" });
      ops.push(...mapPatches("/variables", strMap(before.Variables), strMap(sd.Variables)));
      if (ops.length) await apigw(req).updateStage({ restApiId, stageName, patchOperations: ops });
    }
    return { physicalId: id, ref: id, attributes: { DeploymentId: id } };
  },
  async delete(req) {
    await deleteDeployment(req, String(req.properties.RestApiId), str(req.properties.StageName), req.physicalId);
  },
} satisfies ResourceProviders[string];

export const apiProviders: ResourceProviders = {
  "AWS::ApiGateway::RestApi": restApi,
  "AWS::ApiGateway::Resource": resource,
  "AWS::ApiGateway::Method": method,
  "AWS::ApiGateway::Deployment": deployment,
  "AWS::ApiGateway::Stage": stage,
};
