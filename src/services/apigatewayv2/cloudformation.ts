// API Gateway V2's CloudFormation types (core/resources.ts) through its own operations. Ref and GetAtt as the
// CloudFormation template reference gives them (docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
// aws-resource-apigatewayv2-*.html, "Return values"; attributes from the resource specification):
// - Api: Ref the API id; GetAtt ApiId, ApiEndpoint (what the API answers), ExecuteApiArn. Body (an object or
//   OpenAPI text) or BodyS3Location (read from Stratus's S3) imports the definition (ImportApi; ReimportApi when
//   it changes); otherwise CreateApi, with quick create (Target, RouteKey, CredentialsArn) as CreateApi does it.
// - Route: Ref (and GetAtt RouteId) the route id. Integration: Ref (and GetAtt IntegrationId) the integration id.
// - Stage: Ref the stage name. Authorizer: Ref (and GetAtt AuthorizerId) the authorizer id.
// - Deployment: Ref (and GetAtt DeploymentId) the deployment id.
import type { Readable } from "node:stream";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { listAllIds, ResourceFailure, type ResourceProviders, type ResourceRequest } from "../../core/resources.js";
import type {
  Apigatewayv2Api,
  AuthorizationType,
  AuthorizerType,
  ConnectionType,
  ContentHandlingStrategy,
  Cors,
  CreateStageRequest,
  IntegrationType,
  JWTConfiguration,
  ParameterConstraints,
  PassthroughBehavior,
  ProtocolType,
  RouteSettings,
} from "./api.generated.js";

type Props = Record<string, unknown>;

/** Runs a delete, an already-deleted resource being no error (CloudFormation's delete is idempotent). */
async function tolerant(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (e) {
    if (!(isServiceError(e) && e.code === "NotFoundException")) throw e;
  }
}

// Template values as the API takes them (a parameter's value arrives as text).
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
const bool = (v: unknown): boolean | undefined => (v === undefined || v === null ? undefined : v === true || v === "true");
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const strMap = (v: unknown): Record<string, string> | undefined =>
  v === undefined || v === null ? undefined : Object.fromEntries(Object.entries(v as Props).map(([k, x]) => [k, String(x)]));
const jsonText = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v));

/** A BodyS3Location's object text ({Bucket, Key, Version, Etag}), read from Stratus's S3 as the stack's caller. */
async function readS3Body(ctx: HandlerContext, loc: Props): Promise<string> {
  const bucket = str(loc.Bucket);
  const key = str(loc.Key);
  if (!bucket || !key) throw new ResourceFailure("BodyS3Location requires Bucket and Key."); // unverified wording
  try {
    const out = await ctx.client("s3").getObject({ Bucket: bucket, Key: key, ...(loc.Version ? { VersionId: String(loc.Version) } : {}) });
    const body = out.Body as Readable | Uint8Array | undefined;
    if (!body) return "";
    if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks).toString("utf8");
  } catch (e) {
    if (isServiceError(e)) throw new ResourceFailure(`Unable to read BodyS3Location s3://${bucket}/${key}: ${e.message}`); // unverified wording
    throw e;
  }
}

const v2 = (req: { ctx: ResourceRequest["ctx"] }) => req.ctx.client("apigatewayv2");
const apiArn = (req: { ctx: ResourceRequest["ctx"] }, path: string) => `arn:aws:apigateway:${req.ctx.region}::${path}`;

// The template's tags with CloudFormation's own aws:cloudformation:* ones, which TagResource takes from CloudFormation
// (the call's invokedBy) as CreateApi and CreateStage do.
const userTags = (v: unknown) => strMap(v) ?? {};

async function retag(req: ResourceRequest, arn: string, before: unknown, after: unknown): Promise<void> {
  const b = userTags(before);
  const a = userTags(after);
  const removed = Object.keys(b).filter((k) => !(k in a));
  if (removed.length) await v2(req).untagResource({ ResourceArn: arn, TagKeys: removed });
  const changed = Object.fromEntries(Object.entries(a).filter(([k, v]) => b[k] !== v));
  if (Object.keys(changed).length) await v2(req).tagResource({ ResourceArn: arn, Tags: changed });
}

// ---- AWS::ApiGatewayV2::Api ----------------------------------------------------------------------------------------------

function corsOf(v: unknown): Cors | undefined {
  if (!v) return undefined;
  const c = v as Props;
  return {
    AllowCredentials: bool(c.AllowCredentials),
    AllowHeaders: c.AllowHeaders as string[] | undefined,
    AllowMethods: c.AllowMethods as string[] | undefined,
    AllowOrigins: c.AllowOrigins as string[] | undefined,
    ExposeHeaders: c.ExposeHeaders as string[] | undefined,
    MaxAge: num(c.MaxAge),
  };
}

async function bodyOf(req: ResourceRequest, p: Props): Promise<string | undefined> {
  if (p.Body !== undefined) return jsonText(p.Body);
  if (p.BodyS3Location !== undefined) return readS3Body(req.ctx, p.BodyS3Location as Props);
  return undefined;
}

/** The settings UpdateApi takes, as the template gives them (those it leaves out stay as they are). */
const apiSettings = (p: Props) => ({
  ApiKeySelectionExpression: str(p.ApiKeySelectionExpression),
  Description: str(p.Description),
  DisableSchemaValidation: bool(p.DisableSchemaValidation),
  DisableExecuteApiEndpoint: bool(p.DisableExecuteApiEndpoint),
  RouteSelectionExpression: str(p.RouteSelectionExpression),
  Version: str(p.Version),
});

async function apiResult(req: ResourceRequest, id: string) {
  const api = await v2(req).getApi({ ApiId: id });
  const executeApiArn = `arn:aws:execute-api:${req.ctx.region}:${req.ctx.account}:${id}`;
  return { physicalId: id, ref: id, attributes: { ApiId: id, ApiEndpoint: api.ApiEndpoint, ExecuteApiArn: executeApiArn } };
}

const api = {
  async create(req) {
    const p = req.properties;
    const body = await bodyOf(req, p);
    let id: string;
    if (body !== undefined) {
      const out = await v2(req).importApi({ Body: body, Basepath: str(p.BasePath), FailOnWarnings: bool(p.FailOnWarnings) });
      id = out.ApiId!;
      try {
        const settings = { ...apiSettings(p), Name: str(p.Name), CorsConfiguration: corsOf(p.CorsConfiguration) };
        if (Object.values(settings).some((v) => v !== undefined)) await v2(req).updateApi({ ApiId: id, ...settings });
        await retag(req, apiArn(req, `/apis/${id}`), undefined, p.Tags);
      } catch (e) {
        await tolerant(() => v2(req).deleteApi({ ApiId: id }));
        throw e;
      }
    } else {
      const out = await v2(req).createApi({
        ...apiSettings(p),
        Name: str(p.Name) as string, // without a Body, CreateApi refuses a missing Name
        ProtocolType: (str(p.ProtocolType) ?? "HTTP") as ProtocolType,
        CorsConfiguration: corsOf(p.CorsConfiguration),
        CredentialsArn: str(p.CredentialsArn),
        RouteKey: str(p.RouteKey),
        Target: str(p.Target),
        Tags: strMap(p.Tags),
        IpAddressType: p.IpAddressType as never,
      });
      id = out.ApiId!;
    }
    return apiResult(req, id);
  },
  async update(req) {
    const p = req.properties;
    const prev = req.previous;
    const id = req.physicalId;
    if (!same(p.Body, prev.Body) || !same(p.BodyS3Location, prev.BodyS3Location)) {
      const body = await bodyOf(req, p);
      if (body !== undefined) await v2(req).reimportApi({ ApiId: id, Body: body, Basepath: str(p.BasePath), FailOnWarnings: bool(p.FailOnWarnings) });
    }
    await v2(req).updateApi({
      ApiId: id,
      ...apiSettings(p),
      Name: str(p.Name),
      CorsConfiguration: corsOf(p.CorsConfiguration),
      CredentialsArn: str(p.CredentialsArn),
      RouteKey: str(p.RouteKey),
      Target: str(p.Target),
    });
    if (p.CorsConfiguration === undefined && prev.CorsConfiguration !== undefined) await tolerant(() => v2(req).deleteCorsConfiguration({ ApiId: id }));
    await retag(req, apiArn(req, `/apis/${id}`), prev.Tags, p.Tags);
    return apiResult(req, id);
  },
  async delete(req) {
    await tolerant(() => v2(req).deleteApi({ ApiId: req.physicalId }));
  },
  async read({ ctx, physicalId }) {
    let a: Awaited<ReturnType<Apigatewayv2Api["getApi"]>>;
    try {
      a = await ctx.client("apigatewayv2").getApi({ ApiId: physicalId });
    } catch (e) {
      if (isServiceError(e) && e.code === "NotFoundException") return undefined;
      throw e;
    }
    const model: Props = { ApiId: a.ApiId, ApiEndpoint: a.ApiEndpoint, Name: a.Name, ProtocolType: a.ProtocolType };
    for (const k of [
      "Description",
      "ApiKeySelectionExpression",
      "RouteSelectionExpression",
      "Version",
      "DisableExecuteApiEndpoint",
      "DisableSchemaValidation",
    ] as const) {
      if (a[k] !== undefined) model[k] = a[k];
    }
    if (a.CorsConfiguration) model.CorsConfiguration = a.CorsConfiguration;
    if (a.Tags && Object.keys(a.Tags).length) model.Tags = a.Tags;
    return model;
  },
  list: (ctx) =>
    listAllIds(async (NextToken) => {
      const page = await ctx.client("apigatewayv2").getApis({ MaxResults: "500", NextToken });
      return { ids: (page.Items ?? []).map((a) => a.ApiId), next: page.NextToken };
    }),
  notRead: ["Body", "BodyS3Location", "BasePath", "FailOnWarnings", "CredentialsArn", "RouteKey", "Target"],
} satisfies ResourceProviders[string];

// ---- AWS::ApiGatewayV2::Route ------------------------------------------------------------------------------------------------

const routeSettings = (p: Props) => ({
  ApiKeyRequired: bool(p.ApiKeyRequired),
  AuthorizationScopes: p.AuthorizationScopes as string[] | undefined,
  AuthorizationType: p.AuthorizationType as AuthorizationType | undefined,
  AuthorizerId: str(p.AuthorizerId),
  ModelSelectionExpression: str(p.ModelSelectionExpression),
  OperationName: str(p.OperationName),
  RequestModels: strMap(p.RequestModels),
  RequestParameters: p.RequestParameters as Record<string, ParameterConstraints> | undefined,
  RouteResponseSelectionExpression: str(p.RouteResponseSelectionExpression),
  Target: str(p.Target),
});

const route = {
  async create(req) {
    const p = req.properties;
    const out = await v2(req).createRoute({ ApiId: String(p.ApiId), RouteKey: String(p.RouteKey), ...routeSettings(p) });
    return { physicalId: out.RouteId!, ref: out.RouteId!, attributes: { RouteId: out.RouteId } };
  },
  async update(req) {
    const p = req.properties;
    await v2(req).updateRoute({ ApiId: String(p.ApiId), RouteId: req.physicalId, RouteKey: String(p.RouteKey), ...routeSettings(p) });
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { RouteId: req.physicalId } };
  },
  async delete(req) {
    await tolerant(() => v2(req).deleteRoute({ ApiId: String(req.properties.ApiId), RouteId: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGatewayV2::Integration ------------------------------------------------------------------------------------------

/** CloudFormation's ResponseParameters ({status: {ResponseParameters: [{Destination, Source}]}}) as the API's map. */
function responseParametersOf(v: unknown): Record<string, Record<string, string>> | undefined {
  if (!v) return undefined;
  return Object.fromEntries(
    Object.entries(v as Record<string, { ResponseParameters?: { Destination: string; Source: string }[] }>).map(([status, m]) => [
      status,
      Object.fromEntries((m.ResponseParameters ?? []).map((x) => [String(x.Destination), String(x.Source)])),
    ]),
  );
}

const integrationSettings = (p: Props) => ({
  ConnectionId: str(p.ConnectionId),
  ConnectionType: p.ConnectionType as ConnectionType | undefined,
  ContentHandlingStrategy: p.ContentHandlingStrategy as ContentHandlingStrategy | undefined,
  CredentialsArn: str(p.CredentialsArn),
  Description: str(p.Description),
  IntegrationMethod: str(p.IntegrationMethod),
  IntegrationSubtype: str(p.IntegrationSubtype),
  IntegrationType: String(p.IntegrationType) as IntegrationType,
  IntegrationUri: str(p.IntegrationUri),
  PassthroughBehavior: p.PassthroughBehavior as PassthroughBehavior | undefined,
  PayloadFormatVersion: str(p.PayloadFormatVersion),
  RequestParameters: strMap(p.RequestParameters),
  RequestTemplates: strMap(p.RequestTemplates),
  ResponseParameters: responseParametersOf(p.ResponseParameters),
  TemplateSelectionExpression: str(p.TemplateSelectionExpression),
  TimeoutInMillis: num(p.TimeoutInMillis),
  TlsConfig: p.TlsConfig ? { ServerNameToVerify: str((p.TlsConfig as Props).ServerNameToVerify) } : undefined,
});

const integration = {
  async create(req) {
    const p = req.properties;
    const out = await v2(req).createIntegration({ ApiId: String(p.ApiId), ...integrationSettings(p) });
    return { physicalId: out.IntegrationId!, ref: out.IntegrationId!, attributes: { IntegrationId: out.IntegrationId } };
  },
  async update(req) {
    const p = req.properties;
    await v2(req).updateIntegration({ ApiId: String(p.ApiId), IntegrationId: req.physicalId, ...integrationSettings(p) });
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { IntegrationId: req.physicalId } };
  },
  async delete(req) {
    await tolerant(() => v2(req).deleteIntegration({ ApiId: String(req.properties.ApiId), IntegrationId: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGatewayV2::Stage -----------------------------------------------------------------------------------------------

const routeSettingsOf = (v: unknown): RouteSettings | undefined => {
  if (!v) return undefined;
  const s = v as Props;
  return {
    DataTraceEnabled: bool(s.DataTraceEnabled),
    DetailedMetricsEnabled: bool(s.DetailedMetricsEnabled),
    LoggingLevel: s.LoggingLevel as RouteSettings["LoggingLevel"],
    ThrottlingBurstLimit: num(s.ThrottlingBurstLimit),
    ThrottlingRateLimit: num(s.ThrottlingRateLimit),
  };
};

const stageSettings = (p: Props): Omit<CreateStageRequest, "ApiId" | "StageName"> => ({
  AccessLogSettings: p.AccessLogSettings as CreateStageRequest["AccessLogSettings"],
  AutoDeploy: bool(p.AutoDeploy),
  ClientCertificateId: str(p.ClientCertificateId),
  DefaultRouteSettings: routeSettingsOf(p.DefaultRouteSettings),
  DeploymentId: str(p.DeploymentId),
  Description: str(p.Description),
  RouteSettings: p.RouteSettings ? Object.fromEntries(Object.entries(p.RouteSettings as Props).map(([k, s]) => [k, routeSettingsOf(s)!])) : undefined,
  StageVariables: strMap(p.StageVariables),
});

const stage = {
  async create(req) {
    const p = req.properties;
    const name = String(p.StageName);
    await v2(req).createStage({ ApiId: String(p.ApiId), StageName: name, ...stageSettings(p), Tags: strMap(p.Tags) });
    return { physicalId: name, ref: name };
  },
  async update(req) {
    const p = req.properties;
    const apiId = String(p.ApiId);
    await v2(req).updateStage({ ApiId: apiId, StageName: req.physicalId, ...stageSettings(p) });
    await retag(req, apiArn(req, `/apis/${apiId}/stages/${req.physicalId}`), req.previous.Tags, p.Tags);
    return { physicalId: req.physicalId, ref: req.physicalId };
  },
  async delete(req) {
    await tolerant(() => v2(req).deleteStage({ ApiId: String(req.properties.ApiId), StageName: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGatewayV2::Authorizer -------------------------------------------------------------------------------------------

const authorizerSettings = (p: Props) => ({
  AuthorizerCredentialsArn: str(p.AuthorizerCredentialsArn),
  AuthorizerPayloadFormatVersion: str(p.AuthorizerPayloadFormatVersion),
  AuthorizerResultTtlInSeconds: num(p.AuthorizerResultTtlInSeconds),
  AuthorizerType: String(p.AuthorizerType) as AuthorizerType,
  AuthorizerUri: str(p.AuthorizerUri),
  EnableSimpleResponses: bool(p.EnableSimpleResponses),
  IdentitySource: ((p.IdentitySource ?? []) as unknown[]).map(String),
  IdentityValidationExpression: str(p.IdentityValidationExpression),
  JwtConfiguration: p.JwtConfiguration as JWTConfiguration | undefined,
  Name: String(p.Name),
});

const authorizer = {
  async create(req) {
    const p = req.properties;
    const out = await v2(req).createAuthorizer({ ApiId: String(p.ApiId), ...authorizerSettings(p) });
    return { physicalId: out.AuthorizerId!, ref: out.AuthorizerId!, attributes: { AuthorizerId: out.AuthorizerId } };
  },
  async update(req) {
    const p = req.properties;
    await v2(req).updateAuthorizer({ ApiId: String(p.ApiId), AuthorizerId: req.physicalId, ...authorizerSettings(p) });
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { AuthorizerId: req.physicalId } };
  },
  async delete(req) {
    await tolerant(() => v2(req).deleteAuthorizer({ ApiId: String(req.properties.ApiId), AuthorizerId: req.physicalId }));
  },
} satisfies ResourceProviders[string];

// ---- AWS::ApiGatewayV2::Deployment -------------------------------------------------------------------------------------------

const deployment = {
  async create(req) {
    const p = req.properties;
    const out = await v2(req).createDeployment({ ApiId: String(p.ApiId), Description: str(p.Description), StageName: str(p.StageName) });
    return { physicalId: out.DeploymentId!, ref: out.DeploymentId!, attributes: { DeploymentId: out.DeploymentId } };
  },
  async update(req) {
    const p = req.properties;
    const apiId = String(p.ApiId);
    if (str(p.Description) !== str(req.previous.Description)) {
      await v2(req).updateDeployment({ ApiId: apiId, DeploymentId: req.physicalId, Description: str(p.Description) ?? "" });
    }
    // A stage the deployment now names serves it, as CreateDeployment's StageName does.
    if (str(p.StageName) && str(p.StageName) !== str(req.previous.StageName)) {
      await v2(req).updateStage({ ApiId: apiId, StageName: String(p.StageName), DeploymentId: req.physicalId });
    }
    return { physicalId: req.physicalId, ref: req.physicalId, attributes: { DeploymentId: req.physicalId } };
  },
  async delete(req) {
    await tolerant(() => v2(req).deleteDeployment({ ApiId: String(req.properties.ApiId), DeploymentId: req.physicalId }));
  },
} satisfies ResourceProviders[string];

export default {
  "AWS::ApiGatewayV2::Api": api,
  "AWS::ApiGatewayV2::Route": route,
  "AWS::ApiGatewayV2::Integration": integration,
  "AWS::ApiGatewayV2::Stage": stage,
  "AWS::ApiGatewayV2::Authorizer": authorizer,
  "AWS::ApiGatewayV2::Deployment": deployment,
} satisfies ResourceProviders;
