// AWS::ApiGateway::Account, ApiKey, UsagePlan, UsagePlanKey, Authorizer, Model, RequestValidator, GatewayResponse
// and BasePathMapping through API Gateway's own operations. Ref and GetAtt as the CloudFormation template reference
// gives them (docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-*.html,
// "Return values"; attributes from the resource specification):
// - Account: Ref (and GetAtt Id) a generated id, `mysta-accou-01234b567890example` in AWS's words; its delete
//   leaves the account's settings as they are (they are the region's, not the stack's).
// - ApiKey: Ref (and GetAtt APIKeyId) the key id; an unnamed key is `<stack>-<logicalId>-<RANDOM>`.
// - UsagePlan: Ref (and GetAtt Id) the plan id. UsagePlanKey: Ref (and GetAtt Id) "the ID of the key and ID of the
//   usage plan combined with a ':'" (its template reference).
// - Authorizer: Ref (and GetAtt AuthorizerId) the authorizer id. RequestValidator: Ref (and GetAtt
//   RequestValidatorId) the validator id. Model: Ref the model's name (an unnamed model gets a generated
//   alphanumeric one). GatewayResponse: Ref (and GetAtt Id) a generated id (unverified: AWS documents no example);
//   its delete resets the response to the default, as AWS's does. BasePathMapping: a generated id (no Ref documented).
import { listAllIds, type ResourceProviders, type ResourceRequest, tagsProperty } from "../../core/resources.js";
import type { AuthorizerType, GatewayResponseType, PatchOperation, QuotaPeriodType, ThrottleSettings } from "./api.generated.js";
import { restApiArn, retag } from "./cloudformation-api.js";
import { bool, gone, jsonText, num, type Props, same, setPatches, str, strMap, tagMap, tolerant } from "./cloudformation-common.js";

const apigw = (req: { ctx: ResourceRequest["ctx"] }) => req.ctx.client("api-gateway");

/** A generated id as CloudFormation makes one for a resource the API gives none: `mysta-metho-01234b567890example`. */
const generatedId = (req: ResourceRequest) => req.generateName(24, { lowercase: true });

// ---- AWS::ApiGateway::Account ---------------------------------------------------------------------------------------

async function setAccount(req: ResourceRequest): Promise<void> {
  const arn = str(req.properties.CloudWatchRoleArn);
  if (arn === undefined) return;
  await apigw(req).updateAccount({ patchOperations: [{ op: "replace", path: "/cloudwatchRoleArn", value: arn }] });
}

const account = {
  async create(req) {
    const id = generatedId(req);
    await setAccount(req);
    return { physicalId: id, ref: id, attributes: { Id: id } };
  },
  async update(req) {
    await setAccount(req);
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { Id: req.physicalId } };
  },
  async delete() {},
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::ApiKey ------------------------------------------------------------------------------------------

const stageKeysOf = (v: unknown): string[] => ((v ?? []) as Props[]).map((k) => `${String(k.RestApiId)}/${String(k.StageName)}`);

const apiKey = {
  async create(req) {
    const p = req.properties;
    const out = await apigw(req).createApiKey({
      name: str(p.Name) ?? req.generateName(128),
      description: str(p.Description),
      enabled: bool(p.Enabled) ?? false,
      generateDistinctId: bool(p.GenerateDistinctId),
      value: str(p.Value),
      customerId: str(p.CustomerId),
      stageKeys: ((p.StageKeys ?? []) as Props[]).map((k) => ({ restApiId: str(k.RestApiId), stageName: str(k.StageName) })),
      tags: tagMap(p.Tags),
    });
    return { physicalId: out.id!, ref: out.id!, attributes: { APIKeyId: out.id } };
  },
  async update(req) {
    const p = req.properties;
    const prev = req.previous;
    const ops: PatchOperation[] = [];
    if (str(p.Description) !== str(prev.Description)) ops.push({ op: "replace", path: "/description", value: str(p.Description) ?? "" });
    if (bool(p.Enabled) !== bool(prev.Enabled)) ops.push({ op: "replace", path: "/enabled", value: String(bool(p.Enabled) ?? false) });
    if (str(p.CustomerId) !== str(prev.CustomerId)) ops.push({ op: "replace", path: "/customerId", value: str(p.CustomerId) ?? "" });
    // A key's stages are patched at /stages with the "<restApiId>/<stage>" as the value.
    const before = stageKeysOf(prev.StageKeys);
    const after = stageKeysOf(p.StageKeys);
    for (const s of before) if (!after.includes(s)) ops.push({ op: "remove", path: "/stages", value: s });
    for (const s of after) if (!before.includes(s)) ops.push({ op: "add", path: "/stages", value: s });
    if (ops.length) await apigw(req).updateApiKey({ apiKey: req.physicalId, patchOperations: ops });
    await retag(req, restApiArn(req, `/apikeys/${req.physicalId}`), prev.Tags, p.Tags);
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { APIKeyId: req.physicalId } };
  },
  async delete(req) {
    await tolerant(() => apigw(req).deleteApiKey({ apiKey: req.physicalId }));
  },
  async read({ ctx, physicalId }) {
    try {
      const k = await ctx.client("api-gateway").getApiKey({ apiKey: physicalId, includeValue: true });
      const model: Props = { APIKeyId: k.id, Name: k.name, Enabled: k.enabled ?? false, Value: k.value };
      if (k.description !== undefined) model.Description = k.description;
      if (k.customerId !== undefined) model.CustomerId = k.customerId;
      if (k.stageKeys?.length) {
        model.StageKeys = k.stageKeys.map((s) => ({ RestApiId: s.slice(0, s.indexOf("/")), StageName: s.slice(s.indexOf("/") + 1) }));
      }
      Object.assign(model, tagsProperty(k.tags));
      return model;
    } catch (e) {
      if (gone(e)) return undefined;
      throw e;
    }
  },
  list: (ctx) =>
    listAllIds(async (position) => {
      const page = await ctx.client("api-gateway").getApiKeys({ limit: 500, position });
      return { ids: (page.items ?? []).map((k) => k.id), next: page.position };
    }),
  notRead: ["GenerateDistinctId"],
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::UsagePlan -----------------------------------------------------------------------------------------

const throttleOf = (t: unknown): ThrottleSettings | undefined =>
  t ? { burstLimit: num((t as Props).BurstLimit), rateLimit: num((t as Props).RateLimit) } : undefined;

const apiStagesOf = (v: unknown) =>
  ((v ?? []) as Props[]).map((s) => ({
    apiId: str(s.ApiId),
    stage: str(s.Stage),
    throttle: s.Throttle ? Object.fromEntries(Object.entries(s.Throttle as Props).map(([k, t]) => [k, throttleOf(t)!])) : undefined,
  }));

function planPatches(p: Props, prev: Props): PatchOperation[] {
  const ops: PatchOperation[] = [];
  if (str(p.UsagePlanName) !== str(prev.UsagePlanName) && p.UsagePlanName !== undefined)
    ops.push({ op: "replace", path: "/name", value: String(p.UsagePlanName) });
  if (str(p.Description) !== str(prev.Description)) ops.push({ op: "replace", path: "/description", value: str(p.Description) ?? "" });
  for (const [prop, prefix, fields] of [
    [
      "Throttle",
      "/throttle",
      [
        ["BurstLimit", "burstLimit"],
        ["RateLimit", "rateLimit"],
      ],
    ],
    [
      "Quota",
      "/quota",
      [
        ["Limit", "limit"],
        ["Offset", "offset"],
        ["Period", "period"],
      ],
    ],
  ] as const) {
    const now = p[prop] as Props | undefined;
    const was = prev[prop] as Props | undefined;
    if (same(now, was)) continue;
    if (!now) {
      ops.push({ op: "remove", path: prefix });
      continue;
    }
    for (const [f, path] of fields) if (now[f] !== undefined) ops.push({ op: "replace", path: `${prefix}/${path}`, value: String(now[f]) });
  }
  // Stages are patched at /apiStages with "<apiId>:<stage>" as the value; their throttles by path.
  const key = (s: { apiId?: string; stage?: string }) => `${s.apiId}:${s.stage}`;
  const before = apiStagesOf(prev.ApiStages);
  const after = apiStagesOf(p.ApiStages);
  ops.push(...setPatches("/apiStages", before.map(key), after.map(key), false).map((o) => ({ op: o.op, path: "/apiStages", value: o.path!.slice(11) })));
  for (const s of after) {
    const old = before.find((b) => key(b) === key(s));
    if (!s.throttle || same(s.throttle, old?.throttle)) continue;
    for (const [m, t] of Object.entries(s.throttle)) {
      for (const [f, v] of Object.entries(t)) {
        if (v !== undefined) ops.push({ op: "replace", path: `/apiStages/${key(s)}/throttle/${m.replace(/\//g, "~1")}/${f}`, value: String(v) });
      }
    }
  }
  return ops;
}

const usagePlan = {
  async create(req) {
    const p = req.properties;
    const q = p.Quota as Props | undefined;
    const out = await apigw(req).createUsagePlan({
      name: str(p.UsagePlanName) ?? req.generateName(128),
      description: str(p.Description),
      apiStages: apiStagesOf(p.ApiStages),
      throttle: throttleOf(p.Throttle),
      quota: q ? { limit: num(q.Limit), offset: num(q.Offset), period: q.Period as QuotaPeriodType | undefined } : undefined,
      tags: tagMap(p.Tags),
    });
    return { physicalId: out.id!, ref: out.id!, attributes: { Id: out.id } };
  },
  async update(req) {
    const ops = planPatches(req.properties, req.previous);
    if (ops.length) await apigw(req).updateUsagePlan({ usagePlanId: req.physicalId, patchOperations: ops });
    await retag(req, restApiArn(req, `/usageplans/${req.physicalId}`), req.previous.Tags, req.properties.Tags);
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { Id: req.physicalId } };
  },
  async delete(req) {
    // A plan with stages cannot be deleted: they are removed first, as CloudFormation's handler does.
    const stages = apiStagesOf(req.properties.ApiStages);
    if (stages.length) {
      await tolerant(() =>
        apigw(req).updateUsagePlan({
          usagePlanId: req.physicalId,
          patchOperations: stages.map((s) => ({ op: "remove", path: "/apiStages", value: `${s.apiId}:${s.stage}` })),
        }),
      );
    }
    await tolerant(() => apigw(req).deleteUsagePlan({ usagePlanId: req.physicalId }));
  },
  async read({ ctx, physicalId }) {
    try {
      const u = await ctx.client("api-gateway").getUsagePlan({ usagePlanId: physicalId });
      const model: Props = { Id: u.id, UsagePlanName: u.name };
      if (u.description !== undefined) model.Description = u.description;
      if (u.apiStages?.length) {
        model.ApiStages = u.apiStages.map((s) => ({
          ApiId: s.apiId,
          Stage: s.stage,
          ...(s.throttle
            ? { Throttle: Object.fromEntries(Object.entries(s.throttle).map(([k, t]) => [k, { BurstLimit: t.burstLimit, RateLimit: t.rateLimit }])) }
            : {}),
        }));
      }
      if (u.throttle) model.Throttle = { BurstLimit: u.throttle.burstLimit, RateLimit: u.throttle.rateLimit };
      if (u.quota) model.Quota = { Limit: u.quota.limit, Offset: u.quota.offset, Period: u.quota.period };
      Object.assign(model, tagsProperty(u.tags));
      return model;
    } catch (e) {
      if (gone(e)) return undefined;
      throw e;
    }
  },
  list: (ctx) =>
    listAllIds(async (position) => {
      const page = await ctx.client("api-gateway").getUsagePlans({ limit: 500, position });
      return { ids: (page.items ?? []).map((u) => u.id), next: page.position };
    }),
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::UsagePlanKey ----------------------------------------------------------------------------------------

const usagePlanKey = {
  async create(req) {
    const p = req.properties;
    const out = await apigw(req).createUsagePlanKey({ usagePlanId: String(p.UsagePlanId), keyId: String(p.KeyId), keyType: String(p.KeyType) });
    const id = `${out.id}:${String(p.UsagePlanId)}`;
    return { physicalId: id, ref: id, attributes: { Id: id } };
  },
  async delete(req) {
    const p = req.properties;
    await tolerant(() => apigw(req).deleteUsagePlanKey({ usagePlanId: String(p.UsagePlanId), keyId: String(p.KeyId) }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::Authorizer --------------------------------------------------------------------------------------------

const AUTHORIZER_FIELDS: [string, string][] = [
  ["Name", "/name"],
  ["Type", "/type"],
  ["AuthType", "/authType"],
  ["AuthorizerUri", "/authorizerUri"],
  ["AuthorizerCredentials", "/authorizerCredentials"],
  ["IdentitySource", "/identitySource"],
  ["IdentityValidationExpression", "/identityValidationExpression"],
  ["AuthorizerResultTtlInSeconds", "/authorizerResultTtlInSeconds"],
];

const authorizer = {
  async create(req) {
    const p = req.properties;
    const out = await apigw(req).createAuthorizer({
      restApiId: String(p.RestApiId),
      name: String(p.Name),
      type: String(p.Type) as AuthorizerType,
      providerARNs: p.ProviderARNs as string[] | undefined,
      authType: str(p.AuthType),
      authorizerUri: str(p.AuthorizerUri),
      authorizerCredentials: str(p.AuthorizerCredentials),
      identitySource: str(p.IdentitySource),
      identityValidationExpression: str(p.IdentityValidationExpression),
      authorizerResultTtlInSeconds: num(p.AuthorizerResultTtlInSeconds),
    });
    return { physicalId: out.id!, ref: out.id!, attributes: { AuthorizerId: out.id } };
  },
  async update(req) {
    const p = req.properties;
    const prev = req.previous;
    const ops: PatchOperation[] = [];
    for (const [prop, path] of AUTHORIZER_FIELDS) if (str(p[prop]) !== str(prev[prop])) ops.push({ op: "replace", path, value: str(p[prop]) ?? "" });
    ops.push(
      ...setPatches("/providerARNs", prev.ProviderARNs as string[] | undefined, p.ProviderARNs as string[] | undefined, false).map((o) => ({
        op: o.op,
        path: "/providerARNs",
        value: o.path!.slice(14),
      })),
    );
    if (ops.length) await apigw(req).updateAuthorizer({ restApiId: String(p.RestApiId), authorizerId: req.physicalId, patchOperations: ops });
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { AuthorizerId: req.physicalId } };
  },
  async delete(req) {
    await tolerant(() => apigw(req).deleteAuthorizer({ restApiId: String(req.properties.RestApiId), authorizerId: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::Model ----------------------------------------------------------------------------------------------------

const model = {
  async create(req) {
    const p = req.properties;
    // Model names are alphanumeric: a generated one drops the dashes (unverified: AWS's generated model names).
    const name = str(p.Name) ?? req.generateName(64).replace(/[^A-Za-z0-9]/g, "");
    await apigw(req).createModel({
      restApiId: String(p.RestApiId),
      name,
      description: str(p.Description),
      schema: jsonText(p.Schema),
      contentType: str(p.ContentType) ?? "application/json",
    });
    return { physicalId: name, ref: name };
  },
  async update(req) {
    const p = req.properties;
    const prev = req.previous;
    const ops: PatchOperation[] = [];
    if (str(p.Description) !== str(prev.Description)) ops.push({ op: "replace", path: "/description", value: str(p.Description) ?? "" });
    if (jsonText(p.Schema) !== jsonText(prev.Schema)) ops.push({ op: "replace", path: "/schema", value: jsonText(p.Schema) ?? "" });
    if (ops.length) await apigw(req).updateModel({ restApiId: String(p.RestApiId), modelName: req.physicalId, patchOperations: ops });
    return { physicalId: req.physicalId, ref: req.physicalId };
  },
  async delete(req) {
    await tolerant(() => apigw(req).deleteModel({ restApiId: String(req.properties.RestApiId), modelName: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::RequestValidator -------------------------------------------------------------------------------------

const requestValidator = {
  async create(req) {
    const p = req.properties;
    const out = await apigw(req).createRequestValidator({
      restApiId: String(p.RestApiId),
      name: str(p.Name) ?? req.generateName(128),
      validateRequestBody: bool(p.ValidateRequestBody),
      validateRequestParameters: bool(p.ValidateRequestParameters),
    });
    return { physicalId: out.id!, ref: out.id!, attributes: { RequestValidatorId: out.id } };
  },
  async update(req) {
    const p = req.properties;
    const ops: PatchOperation[] = [
      { op: "replace", path: "/validateRequestBody", value: String(bool(p.ValidateRequestBody) ?? false) },
      { op: "replace", path: "/validateRequestParameters", value: String(bool(p.ValidateRequestParameters) ?? false) },
    ];
    await apigw(req).updateRequestValidator({ restApiId: String(p.RestApiId), requestValidatorId: req.physicalId, patchOperations: ops });
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { RequestValidatorId: req.physicalId } };
  },
  async delete(req) {
    await tolerant(() => apigw(req).deleteRequestValidator({ restApiId: String(req.properties.RestApiId), requestValidatorId: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::GatewayResponse -------------------------------------------------------------------------------------------

const putGatewayResponse = (req: ResourceRequest) => {
  const p = req.properties;
  return apigw(req).putGatewayResponse({
    restApiId: String(p.RestApiId),
    responseType: String(p.ResponseType) as GatewayResponseType,
    statusCode: str(p.StatusCode),
    responseParameters: strMap(p.ResponseParameters),
    responseTemplates: strMap(p.ResponseTemplates),
  });
};

const gatewayResponse = {
  async create(req) {
    const id = generatedId(req);
    await putGatewayResponse(req);
    return { physicalId: id, ref: id, attributes: { Id: id } };
  },
  async update(req) {
    await putGatewayResponse(req);
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { Id: req.physicalId } };
  },
  async delete(req) {
    const p = req.properties;
    await tolerant(() => apigw(req).deleteGatewayResponse({ restApiId: String(p.RestApiId), responseType: String(p.ResponseType) as GatewayResponseType }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGateway::BasePathMapping ----------------------------------------------------------------------------------------------

// An empty base path is "(none)" in the API's paths (GetBasePathMapping's documentation).
const basePathOf = (p: Props) => str(p.BasePath) || "(none)";

const basePathMapping = {
  async create(req) {
    const p = req.properties;
    const id = generatedId(req);
    await apigw(req).createBasePathMapping({
      domainName: String(p.DomainName),
      basePath: str(p.BasePath),
      restApiId: String(p.RestApiId),
      stage: str(p.Stage),
    });
    return { physicalId: id, ref: id };
  },
  async update(req) {
    const p = req.properties;
    const prev = req.previous;
    const ops: PatchOperation[] = [];
    if (str(p.RestApiId) !== str(prev.RestApiId)) ops.push({ op: "replace", path: "/restapiId", value: String(p.RestApiId) });
    if (str(p.Stage) !== str(prev.Stage)) ops.push({ op: "replace", path: "/stage", value: str(p.Stage) ?? "" });
    if (ops.length) await apigw(req).updateBasePathMapping({ domainName: String(p.DomainName), basePath: basePathOf(p), patchOperations: ops });
    return { physicalId: req.physicalId, ref: req.physicalId };
  },
  async delete(req) {
    const p = req.properties;
    await tolerant(() => apigw(req).deleteBasePathMapping({ domainName: String(p.DomainName), basePath: basePathOf(p) }));
  },
} satisfies ResourceProviders[string];

export const partProviders: ResourceProviders = {
  "AWS::ApiGateway::Account": account,
  "AWS::ApiGateway::ApiKey": apiKey,
  "AWS::ApiGateway::UsagePlan": usagePlan,
  "AWS::ApiGateway::UsagePlanKey": usagePlanKey,
  "AWS::ApiGateway::Authorizer": authorizer,
  "AWS::ApiGateway::Model": model,
  "AWS::ApiGateway::RequestValidator": requestValidator,
  "AWS::ApiGateway::GatewayResponse": gatewayResponse,
  "AWS::ApiGateway::BasePathMapping": basePathMapping,
};
