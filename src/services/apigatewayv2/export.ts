// ExportApi: an HTTP API as OpenAPI 3.0 (OAS30), JSON or YAML, in the form AWS exports
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-export.html): the live definition, or a
// stage's deployed snapshot with StageName; API Gateway's extensions unless IncludeExtensions is false.
import { dump } from "js-yaml";
import type { HandlerContext } from "../../core/context.js";
import type { ExportApiRequest, ExportApiResponse } from "./api.generated.js";
import { apiOf, badRequest, notFound, snapshotOf } from "./common.js";
import type { AuthorizerRec, HttpApiSnapshot, IntegrationRec } from "./state.js";
import { tables } from "./state.js";

type Doc = Record<string, unknown>;

function integrationDoc(i: IntegrationRec): Doc {
  return Object.fromEntries(
    Object.entries({
      type: i.integrationType.toLowerCase(),
      uri: i.integrationUri,
      httpMethod: i.integrationMethod,
      integrationSubtype: i.integrationSubtype,
      payloadFormatVersion: i.payloadFormatVersion,
      connectionType: i.connectionType,
      connectionId: i.connectionId,
      credentials: i.credentialsArn,
      description: i.description,
      timeoutInMillis: i.timeoutInMillis,
      requestParameters: i.requestParameters,
      responseParameters: i.responseParameters,
      tlsConfig: i.tlsConfig?.ServerNameToVerify ? { serverNameToVerify: i.tlsConfig.ServerNameToVerify } : undefined,
    }).filter(([, v]) => v !== undefined),
  );
}

function schemeDoc(a: AuthorizerRec): Doc {
  const x: Doc = { identitySource: a.identitySource.join(", "), type: a.authorizerType.toLowerCase() };
  if (a.authorizerType === "JWT") {
    x.jwtConfiguration = Object.fromEntries(
      Object.entries({ audience: a.jwtConfiguration?.Audience, issuer: a.jwtConfiguration?.Issuer }).filter(([, v]) => v !== undefined),
    );
    return { type: "oauth2", flows: {}, "x-amazon-apigateway-authorizer": x };
  }
  for (const [k, v] of Object.entries({
    authorizerUri: a.authorizerUri,
    authorizerCredentials: a.authorizerCredentialsArn,
    authorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
    authorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds,
    enableSimpleResponses: a.enableSimpleResponses,
  })) {
    if (v !== undefined) x[k] = v;
  }
  return { type: "apiKey", name: "Unused", in: "header", "x-amazon-apigateway-authorizer": x };
}

/** Drops every x-amazon-apigateway-* member (IncludeExtensions false). */
function stripExtensions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripExtensions);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !k.startsWith("x-amazon-apigateway-"))
        .map(([k, x]) => [k, stripExtensions(x)]),
    );
  }
  return v;
}

/** The OpenAPI document of a snapshot (the live API or a deployment). */
export function openApiDoc(s: HttpApiSnapshot, stageName: string | undefined, createdDate: number): Doc {
  const paths: Record<string, Doc> = {};
  const schemes: Record<string, Doc> = {};
  const sorted = [...s.routes].sort((a, b) => (a.routeKey < b.routeKey ? -1 : a.routeKey > b.routeKey ? 1 : 0));
  for (const r of sorted) {
    const [method, path] = r.routeKey === "$default" ? ["ANY", "/$default"] : (r.routeKey.split(" ", 2) as [string, string]);
    const op: Doc = { responses: { default: { description: `Default response for ${r.routeKey}` } } };
    const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      description: `Generated path parameter for ${m[1]}`,
      required: true,
      schema: { type: "string" },
    }));
    if (params.length) op.parameters = params;
    const integ = r.target ? s.integrations[r.target.replace(/^integrations\//, "")] : undefined;
    if (integ) op["x-amazon-apigateway-integration"] = integrationDoc(integ);
    if (r.authorizationType === "AWS_IAM") {
      schemes.sigv4 = { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "awsSigv4" };
      op.security = [{ sigv4: [] }];
    } else if (r.authorizerId && s.authorizers[r.authorizerId]) {
      const a = s.authorizers[r.authorizerId];
      schemes[a.name] = schemeDoc(a);
      op.security = [{ [a.name]: r.authorizationScopes ?? [] }];
    }
    paths[path] ??= {};
    paths[path][method === "ANY" ? "x-amazon-apigateway-any-method" : method.toLowerCase()] = op;
  }
  const api = s.api;
  const info: Doc = { title: api.name, version: api.version ?? new Date(createdDate).toISOString().replace(/\.\d{3}Z$/, "Z") };
  if (api.description) info.description = api.description;
  const doc: Doc = {
    openapi: "3.0.1",
    info,
    servers: [
      {
        url: `${api.apiEndpoint}/{basePath}`,
        variables: { basePath: { default: stageName && stageName !== "$default" ? stageName : "" } },
      },
    ],
    paths,
  };
  if (Object.keys(schemes).length) doc.components = { securitySchemes: schemes };
  if (api.corsConfiguration) {
    const c = api.corsConfiguration;
    doc["x-amazon-apigateway-cors"] = Object.fromEntries(
      Object.entries({
        allowCredentials: c.AllowCredentials,
        allowHeaders: c.AllowHeaders,
        allowMethods: c.AllowMethods,
        allowOrigins: c.AllowOrigins,
        exposeHeaders: c.ExposeHeaders,
        maxAge: c.MaxAge,
      }).filter(([, v]) => v !== undefined),
    );
  }
  if (api.disableExecuteApiEndpoint) doc["x-amazon-apigateway-disable-default-endpoint"] = true;
  doc["x-amazon-apigateway-importexport-version"] = "1.0";
  return doc;
}

export function exportApi(ctx: HandlerContext, input: ExportApiRequest): ExportApiResponse {
  const api = apiOf(ctx, input.ApiId);
  if (api.protocolType !== "HTTP") throw badRequest("Export is supported only for HTTP APIs"); // unverified wording
  if (input.Specification !== "OAS30") throw badRequest(`Unsupported specification ${input.Specification}`); // unverified wording
  if (input.OutputType !== "JSON" && input.OutputType !== "YAML") throw badRequest(`Unsupported output type ${input.OutputType}`); // unverified wording
  if (input.ExportVersion !== undefined && input.ExportVersion !== "1.0") throw badRequest(`Unsupported export version ${input.ExportVersion}`); // unverified wording
  let snapshot: HttpApiSnapshot;
  if (input.StageName !== undefined) {
    const t = tables(ctx);
    const stage = t.stages.get(`${api.apiId}/${input.StageName}`);
    if (!stage) throw notFound("Stage", input.StageName);
    const dep = stage.deploymentId ? t.deployments.get(`${api.apiId}/${stage.deploymentId}`) : undefined;
    if (!dep) throw badRequest(`Stage ${input.StageName} has no deployment to export`); // unverified wording
    snapshot = dep.snapshot;
  } else {
    snapshot = snapshotOf(ctx, api);
  }
  let doc: unknown = openApiDoc(snapshot, input.StageName, api.createdDate);
  if (input.IncludeExtensions === false) doc = stripExtensions(doc);
  const text = input.OutputType === "YAML" ? dump(doc, { noRefs: true, lineWidth: -1 }) : JSON.stringify(doc);
  return { body: new TextEncoder().encode(text) };
}
