// What the apigatewayv2 handlers share: AWS's refusals, finding an API, paging, the answers' shapes, and
// deploying (a deployment is a snapshot; auto-deploy stages get a new one after every change to what they serve).
import type { HandlerContext } from "../../core/context.js";
import { pageByKey } from "../../core/paging.js";
import type { Api, Authorizer, Deployment, Integration, Model, Route, Stage } from "./api.generated.js";
import { BadRequestException, NotFoundException } from "./api.generated.js";
import type { ApiRec, AuthorizerRec, DeploymentRec, HttpApiSnapshot, IntegrationRec, ModelRec, RouteRec, StageRec } from "./state.js";
import { newId, ofApi, tables } from "./state.js";

// NotFoundException: AWS's v2 messages name the account and the API ("Invalid API identifier specified
// <account-id>:<api-id>", aws/aws-sdk-js#2458, aws/aws-sam-cli#7030) and carry ResourceType.
export const apiNotFound = (ctx: HandlerContext, apiId: string) =>
  new NotFoundException(`Invalid API identifier specified ${ctx.account}:${apiId}`, { ResourceType: "Api" });
// The other resources' messages: moto's recorded form "Invalid <Type> identifier specified <id>" // unverified wording
export const notFound = (type: string, id: string) => new NotFoundException(`Invalid ${type} identifier specified ${id}`, { ResourceType: type });
export const badRequest = (message: string) => new BadRequestException(message);

/** The API, or AWS's NotFoundException. */
export function apiOf(ctx: HandlerContext, apiId: string): ApiRec {
  const api = tables(ctx).apis.get(apiId);
  if (!api) throw apiNotFound(ctx, apiId);
  return api;
}

/** MaxResults (a string in this API) as a number: 1–500 (unverified wording of the refusal); all by default. */
export function maxResults(v: string | undefined): number {
  if (v === undefined) return 500;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw badRequest("MaxResults must be a positive integer"); // unverified wording
  return Math.min(n, 500);
}

/** One page of `items` sorted by `key`, as every Get…s operation answers (Items, NextToken). */
export function page<T, O>(
  ctx: HandlerContext,
  op: string,
  items: T[],
  key: (t: T) => string,
  input: { MaxResults?: string; NextToken?: string },
  out: (t: T) => O,
  bind = "",
) {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const p = pageByKey(sorted, key, {
    operation: op,
    token: input.NextToken,
    max: maxResults(input.MaxResults),
    invalid: () => badRequest("The NextToken is not valid"), // unverified wording
    bind: `${ctx.account}/${ctx.region}/${bind}`,
  });
  return { Items: p.items.map(out), ...(p.next ? { NextToken: p.next } : {}) };
}

/** What the service keeps beside its handlers: the server's URL once it listens. */
export interface V2Instance {
  url(): string | undefined;
}

/** The port clients reach this server on: the one they addressed, else the one it listens on (as src/services/lambda/urls.ts). */
export function serverPort(ctx: HandlerContext): string {
  const fromHost = ctx.host ? /:(\d+)$/.exec(ctx.host)?.[1] : undefined;
  if (fromHost) return fromHost;
  const base = ctx.instance<V2Instance | undefined>()?.url();
  return (base ? new URL(base).port : "") || "4566";
}

const when = <T>(v: T | undefined, k: string) => (v === undefined ? {} : { [k]: v });

export function apiOut(a: ApiRec): Api {
  return {
    ApiEndpoint: a.apiEndpoint,
    ApiId: a.apiId,
    ApiKeySelectionExpression: a.apiKeySelectionExpression,
    ...when(a.corsConfiguration, "CorsConfiguration"),
    CreatedDate: new Date(a.createdDate),
    ...when(a.description, "Description"),
    ...when(a.disableSchemaValidation, "DisableSchemaValidation"),
    DisableExecuteApiEndpoint: a.disableExecuteApiEndpoint,
    ...when(a.importInfo, "ImportInfo"),
    IpAddressType: a.ipAddressType,
    Name: a.name,
    ProtocolType: a.protocolType,
    RouteSelectionExpression: a.routeSelectionExpression,
    Tags: a.tags,
    ...when(a.version, "Version"),
    ...when(a.warnings, "Warnings"),
  };
}

export function routeOut(r: RouteRec): Route {
  return {
    ...when(r.apiGatewayManaged, "ApiGatewayManaged"),
    ApiKeyRequired: r.apiKeyRequired,
    ...when(r.authorizationScopes, "AuthorizationScopes"),
    AuthorizationType: r.authorizationType,
    ...when(r.authorizerId, "AuthorizerId"),
    ...when(r.modelSelectionExpression, "ModelSelectionExpression"),
    ...when(r.operationName, "OperationName"),
    ...when(r.requestModels, "RequestModels"),
    ...when(r.requestParameters, "RequestParameters"),
    RouteId: r.routeId,
    RouteKey: r.routeKey,
    ...when(r.routeResponseSelectionExpression, "RouteResponseSelectionExpression"),
    ...when(r.target, "Target"),
  };
}

export function integrationOut(i: IntegrationRec): Integration {
  return {
    ...when(i.apiGatewayManaged, "ApiGatewayManaged"),
    ...when(i.connectionId, "ConnectionId"),
    ConnectionType: i.connectionType,
    ...when(i.contentHandlingStrategy, "ContentHandlingStrategy"),
    ...when(i.credentialsArn, "CredentialsArn"),
    ...when(i.description, "Description"),
    IntegrationId: i.integrationId,
    ...when(i.integrationMethod, "IntegrationMethod"),
    ...when(i.integrationResponseSelectionExpression, "IntegrationResponseSelectionExpression"),
    ...when(i.integrationSubtype, "IntegrationSubtype"),
    IntegrationType: i.integrationType,
    ...when(i.integrationUri, "IntegrationUri"),
    ...when(i.passthroughBehavior, "PassthroughBehavior"),
    ...when(i.payloadFormatVersion, "PayloadFormatVersion"),
    ...when(i.requestParameters, "RequestParameters"),
    ...when(i.requestTemplates, "RequestTemplates"),
    ...when(i.responseParameters, "ResponseParameters"),
    ...when(i.templateSelectionExpression, "TemplateSelectionExpression"),
    TimeoutInMillis: i.timeoutInMillis,
    ...when(i.tlsConfig, "TlsConfig"),
  };
}

export function authorizerOut(a: AuthorizerRec): Authorizer {
  return {
    ...when(a.authorizerCredentialsArn, "AuthorizerCredentialsArn"),
    AuthorizerId: a.authorizerId,
    ...when(a.authorizerPayloadFormatVersion, "AuthorizerPayloadFormatVersion"),
    ...when(a.authorizerResultTtlInSeconds, "AuthorizerResultTtlInSeconds"),
    AuthorizerType: a.authorizerType,
    ...when(a.authorizerUri, "AuthorizerUri"),
    ...when(a.enableSimpleResponses, "EnableSimpleResponses"),
    IdentitySource: a.identitySource,
    ...when(a.identityValidationExpression, "IdentityValidationExpression"),
    ...when(a.jwtConfiguration, "JwtConfiguration"),
    Name: a.name,
  };
}

export function modelOut(m: ModelRec): Model {
  return { ...when(m.contentType, "ContentType"), ...when(m.description, "Description"), ModelId: m.modelId, Name: m.name, Schema: m.schema };
}

export function stageOut(s: StageRec): Stage {
  return {
    ...when(s.accessLogSettings, "AccessLogSettings"),
    ...when(s.apiGatewayManaged, "ApiGatewayManaged"),
    AutoDeploy: s.autoDeploy,
    ...when(s.clientCertificateId, "ClientCertificateId"),
    CreatedDate: new Date(s.createdDate),
    DefaultRouteSettings: s.defaultRouteSettings,
    ...when(s.deploymentId, "DeploymentId"),
    ...when(s.description, "Description"),
    ...when(s.lastDeploymentStatusMessage, "LastDeploymentStatusMessage"),
    LastUpdatedDate: new Date(s.lastUpdatedDate),
    RouteSettings: s.routeSettings,
    StageName: s.stageName,
    StageVariables: s.stageVariables,
    Tags: s.tags,
  };
}

export function deploymentOut(d: DeploymentRec): Deployment {
  return {
    AutoDeployed: d.autoDeployed,
    CreatedDate: new Date(d.createdDate),
    DeploymentId: d.deploymentId,
    DeploymentStatus: d.deploymentStatus,
    ...when(d.deploymentStatusMessage, "DeploymentStatusMessage"),
    ...when(d.description, "Description"),
  };
}

/** The API as it is now: what a deployment freezes. */
export function snapshotOf(ctx: HandlerContext, api: ApiRec): HttpApiSnapshot {
  const t = tables(ctx);
  const integrations: Record<string, IntegrationRec> = {};
  for (const i of ofApi(t.integrations, api.apiId)) integrations[i.integrationId] = i;
  const authorizers: Record<string, AuthorizerRec> = {};
  for (const a of ofApi(t.authorizers, api.apiId)) authorizers[a.authorizerId] = a;
  return { api, routes: ofApi(t.routes, api.apiId), integrations, authorizers };
}

// AWS's words on deploying an API without routes, as Terraform reported CreateDeployment's refusal (mach-composer/mach-composer-cli#42).
export const NO_ROUTES = "Unable to deploy API because no routes exist in this API";

/** A new deployment of the API as it is now (the caller stores it inside its transaction). */
export function newDeployment(ctx: HandlerContext, api: ApiRec, autoDeployed: boolean, description?: string): DeploymentRec {
  return {
    deploymentId: newId(6),
    ...(description !== undefined ? { description } : {}),
    autoDeployed,
    deploymentStatus: "DEPLOYED",
    createdDate: ctx.now(),
    snapshot: snapshotOf(ctx, api),
  };
}

/** What an auto-deploy stage says after deploying (AWS's LastDeploymentStatusMessage). */
export const deployedMessage = (deploymentId: string) => `Successfully deployed stage with deployment ID '${deploymentId}'`;

/**
 * After a change to what the API serves (routes, integrations, authorizers, the API's CORS and settings): every
 * auto-deploy stage gets a new deployment of the API as it now is. Call inside the change's transaction, after it.
 */
export function redeploy(ctx: HandlerContext, apiId: string): void {
  const t = tables(ctx);
  const stages = ofApi(t.stages, apiId).filter((s) => s.autoDeploy);
  if (!stages.length) return;
  const api = t.apis.get(apiId);
  if (!api) return;
  if (!t.routes.list({ prefix: `${apiId}/`, limit: 1 }).length) return;
  const dep = newDeployment(ctx, api, true);
  t.deployments.put(`${apiId}/${dep.deploymentId}`, dep);
  const now = ctx.now();
  for (const s of stages) {
    t.stages.put(`${apiId}/${s.stageName}`, {
      ...s,
      deploymentId: dep.deploymentId,
      lastDeploymentStatusMessage: deployedMessage(dep.deploymentId),
      lastUpdatedDate: now,
    });
  }
}

/** Drops undefined members (what Update operations did not give). */
export const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
