// ImportApi / ReimportApi: an HTTP API from an OpenAPI 3 (or 2.0) definition, JSON or YAML, with API Gateway's
// extensions (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html):
// x-amazon-apigateway-integration on operations (or a $ref into components.x-amazon-apigateway-integrations),
// x-amazon-apigateway-any-method (ANY), x-amazon-apigateway-cors, x-amazon-apigateway-authorizer on security
// schemes (request Lambda authorizers, jwt), x-amazon-apigateway-authtype awsSigv4 (AWS_IAM), the "/$default" path.
// ExportApi (export.ts) writes the same form.
import { CORE_SCHEMA, load } from "js-yaml";
import type { HandlerContext } from "../../core/context.js";
import type { Apigatewayv2Api, AuthorizationType, Cors, CreateIntegrationRequest, ImportApiRequest } from "./api.generated.js";
import { apiOf, apiOut, badRequest, defined, redeploy, serverPort } from "./common.js";
import { exportApi } from "./export.js";
import { makeAuthorizer } from "./authorizers.js";
import { makeIntegration } from "./integrations.js";
import { storeApi } from "./apis.js";
import { mergeApiTags } from "./tags.js";
import { checkRouteKey } from "./routes.js";
import type { ApiRec, AuthorizerRec, IntegrationRec, RouteRec } from "./state.js";
import { apiIndex, newId, tables, transaction } from "./state.js";

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Doc) : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

const VERBS = ["get", "post", "put", "patch", "delete", "head", "options"];

/** The definition as an object: JSON, else YAML (1.2 core schema, so dates and versions stay strings). */
function parse(body: string): Doc {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    try {
      doc = load(body, { schema: CORE_SCHEMA });
    } catch (e) {
      throw badRequest(`Invalid OpenAPI input: ${(e as Error).message.split("\n")[0]}`); // unverified wording
    }
  }
  const d = obj(doc);
  if (!d || (!str(d.openapi) && !str(d.swagger))) throw badRequest("Invalid OpenAPI input: the definition has no openapi (or swagger) version"); // unverified wording
  return d;
}

/** What the definition makes: the API's settings and its routes with their integrations and authorizers. */
interface Parsed {
  name: string;
  version?: string;
  description?: string;
  cors?: Cors;
  disableExecuteApiEndpoint?: boolean;
  routes: { key: string; integration?: Omit<CreateIntegrationRequest, "ApiId">; auth?: { scheme: string; scopes: string[] } }[];
  schemes: Record<string, Doc>;
  /** The root-level tags' x-amazon-apigateway-tag-value: the API's tags. */
  tags: Record<string, string>;
  warnings: string[];
}

function corsOf(v: unknown): Cors | undefined {
  const c = obj(v);
  if (!c) return undefined;
  const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : undefined);
  return defined({
    AllowOrigins: list(c.allowOrigins),
    AllowMethods: list(c.allowMethods),
    AllowHeaders: list(c.allowHeaders),
    ExposeHeaders: list(c.exposeHeaders),
    MaxAge: typeof c.maxAge === "number" ? c.maxAge : undefined,
    AllowCredentials: typeof c.allowCredentials === "boolean" ? c.allowCredentials : undefined,
  }) as Cors;
}

/** An operation's x-amazon-apigateway-integration as CreateIntegration's input. */
function integrationOf(doc: Doc, op: Doc, where: string, warnings: string[]): Omit<CreateIntegrationRequest, "ApiId"> | undefined {
  let x = obj(op["x-amazon-apigateway-integration"]);
  const ref = str(x?.$ref);
  if (ref) {
    const name = /^#\/components\/x-amazon-apigateway-integrations\/(.+)$/.exec(ref)?.[1];
    x = name ? obj(obj(obj(doc.components)?.["x-amazon-apigateway-integrations"])?.[name]) : undefined;
    if (!x) throw badRequest(`Unable to resolve integration reference ${ref} at ${where}`); // unverified wording
  }
  if (!x) return undefined;
  const type = str(x.type)?.toUpperCase();
  if (!type) {
    warnings.push(`Integration type is missing at ${where}; the route is imported without an integration`); // unverified wording
    return undefined;
  }
  const params = obj(x.requestParameters);
  const responses = obj(x.responseParameters);
  const tls = obj(x.tlsConfig);
  return defined({
    IntegrationType: type as CreateIntegrationRequest["IntegrationType"],
    IntegrationUri: str(x.uri),
    IntegrationMethod: str(x.httpMethod),
    IntegrationSubtype: str(x.integrationSubtype),
    PayloadFormatVersion: str(x.payloadFormatVersion),
    ConnectionType: str(x.connectionType) as CreateIntegrationRequest["ConnectionType"],
    ConnectionId: str(x.connectionId),
    CredentialsArn: str(x.credentials),
    Description: str(x.description),
    TimeoutInMillis: typeof x.timeoutInMillis === "number" ? x.timeoutInMillis : undefined,
    RequestParameters: params ? (Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) as Record<string, string>) : undefined,
    ResponseParameters: responses as Record<string, Record<string, string>> | undefined,
    TlsConfig: tls ? { ServerNameToVerify: str(tls.serverNameToVerify) } : undefined,
  }) as Omit<CreateIntegrationRequest, "ApiId">;
}

/** The base path the servers' URL (or its basePath variable) gives, for Basepath "prepend" and "split". */
function basePathOf(doc: Doc): string {
  const server = obj(Array.isArray(doc.servers) ? doc.servers[0] : undefined);
  const variable = str(obj(obj(server?.variables)?.basePath)?.default);
  let path = variable ?? (server && str(server.url) ? new URL(str(server.url)!.replace(/\{[^}]+\}/g, "x"), "http://h").pathname : (str(doc.basePath) ?? ""));
  path = path.replace(/\/+$/, "");
  return path && !path.startsWith("/") ? `/${path}` : path;
}

function read(input: { Body: string; Basepath?: string; FailOnWarnings?: boolean }): Parsed {
  const doc = parse(input.Body);
  const info = obj(doc.info) ?? {};
  const name = str(info.title);
  if (!name) throw badRequest("Invalid OpenAPI input: info.title is required"); // unverified wording
  const warnings: string[] = [];
  const mode = input.Basepath ?? "ignore";
  if (!["ignore", "prepend", "split"].includes(mode)) throw badRequest(`Invalid basepath mode ${mode}. Valid values: ignore, prepend, split`); // unverified wording
  let base = mode === "ignore" ? "" : basePathOf(doc);
  if (mode === "split") base = base.split("/").slice(2).join("/") ? `/${base.split("/").slice(2).join("/")}` : "";
  const schemes = { ...(obj(obj(doc.components)?.securitySchemes) ?? {}), ...(obj(doc.securityDefinitions) ?? {}) } as Record<string, Doc>;
  const topSecurity = Array.isArray(doc.security) ? doc.security : undefined;
  const routes: Parsed["routes"] = [];
  for (const [path, item] of Object.entries(obj(doc.paths) ?? {})) {
    const ops = obj(item);
    if (!ops) continue;
    for (const [verb, opv] of Object.entries(ops)) {
      const op = obj(opv);
      const method = verb === "x-amazon-apigateway-any-method" ? "ANY" : VERBS.includes(verb) ? verb.toUpperCase() : undefined;
      if (!op || !method) continue;
      const key = path === "/$default" || path === "$default" ? "$default" : `${method} ${base}${path}`;
      const security = Array.isArray(op.security) ? op.security : topSecurity;
      const first = obj(security?.[0]);
      let scheme = first ? Object.keys(first)[0] : undefined;
      // A requirement naming no scheme of the definition (SAM's "NONE" marker for a route without authorization)
      // leaves the route without authorization, with a warning.
      if (scheme && !obj(schemes[scheme])) {
        warnings.push(`Security scheme ${scheme} of ${verb} ${path} is not defined; the route is imported without authorization`); // unverified wording
        scheme = undefined;
      }
      routes.push({
        key,
        integration: integrationOf(doc, op, `${verb} ${path}`, warnings),
        ...(scheme ? { auth: { scheme, scopes: Array.isArray(first?.[scheme]) ? (first[scheme] as unknown[]).map(String) : [] } } : {}),
      });
      if (security && security.length > 1) warnings.push(`Only the first security requirement of ${verb} ${path} is imported`); // unverified wording
    }
  }
  for (const ext of [
    "x-amazon-apigateway-request-validators",
    "x-amazon-apigateway-gateway-responses",
    "x-amazon-apigateway-binary-media-types",
    "x-amazon-apigateway-policy",
  ]) {
    if (ext in doc) warnings.push(`${ext} is not supported for HTTP APIs and was ignored`); // unverified wording
  }
  if (warnings.length && input.FailOnWarnings) throw badRequest(`Warnings found during import:\n\t${warnings.join("\n\t")}`); // unverified wording
  return {
    name,
    ...defined({ version: str(info.version), description: str(info.description) }),
    ...(doc["x-amazon-apigateway-cors"] ? { cors: corsOf(doc["x-amazon-apigateway-cors"]) } : {}),
    ...(typeof doc["x-amazon-apigateway-disable-default-endpoint"] === "boolean"
      ? { disableExecuteApiEndpoint: doc["x-amazon-apigateway-disable-default-endpoint"] as boolean }
      : {}),
    routes,
    schemes,
    tags: tagsOf(doc),
    warnings,
  };
}

/**
 * The API's tags from the root-level tags (x-amazon-apigateway-tag-value; "If you specify a tag name without the
 * x-amazon-apigateway-tag-value property, API Gateway creates a tag with an empty string for a value" —
 * http-api-open-api.html's extension reference).
 */
function tagsOf(doc: Doc): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of Array.isArray(doc.tags) ? doc.tags : []) {
    const name = str(obj(t)?.name);
    if (name !== undefined) out[name] = str(obj(t)?.["x-amazon-apigateway-tag-value"]) ?? "";
  }
  return out;
}

/** A security scheme as an authorizer (or AWS_IAM for awsSigv4). */
function authOf(api: ApiRec, name: string, scheme: Doc | undefined, made: Map<string, AuthorizerRec>): { type: AuthorizationType; authorizer?: AuthorizerRec } {
  if (!scheme) throw badRequest(`Security scheme ${name} is not defined`); // unverified wording
  if (scheme["x-amazon-apigateway-authtype"] === "awsSigv4") return { type: "AWS_IAM" };
  const x = obj(scheme["x-amazon-apigateway-authorizer"]);
  if (!x) throw badRequest(`Security scheme ${name} has no x-amazon-apigateway-authorizer`); // unverified wording
  const have = made.get(name);
  if (have) return { type: have.authorizerType === "JWT" ? "JWT" : "CUSTOM", authorizer: have };
  const kind = str(x.type)?.toLowerCase();
  const src = Array.isArray(x.identitySource)
    ? x.identitySource.map(String)
    : (str(x.identitySource) ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
  const jwt = obj(x.jwtConfiguration);
  const a = makeAuthorizer(api, {
    Name: name,
    AuthorizerType: kind === "jwt" ? "JWT" : "REQUEST",
    IdentitySource: src,
    ...defined({
      AuthorizerUri: str(x.authorizerUri),
      AuthorizerCredentialsArn: str(x.authorizerCredentials),
      AuthorizerPayloadFormatVersion: str(x.authorizerPayloadFormatVersion),
      EnableSimpleResponses: typeof x.enableSimpleResponses === "boolean" ? x.enableSimpleResponses : undefined,
      AuthorizerResultTtlInSeconds: typeof x.authorizerResultTtlInSeconds === "number" ? x.authorizerResultTtlInSeconds : undefined,
      JwtConfiguration: jwt ? defined({ Issuer: str(jwt.issuer), Audience: Array.isArray(jwt.audience) ? jwt.audience.map(String) : undefined }) : undefined,
    }),
  });
  made.set(name, a);
  return { type: a.authorizerType === "JWT" ? "JWT" : "CUSTOM", authorizer: a };
}

/** Routes, integrations and authorizers the definition makes for `api` (checked before anything is stored). */
function build(api: ApiRec, p: Parsed) {
  const integrations = new Map<string, IntegrationRec>();
  const authorizers = new Map<string, AuthorizerRec>();
  const routes: RouteRec[] = [];
  const keys = new Set<string>();
  for (const r of p.routes) {
    checkRouteKey(api, r.key);
    if (keys.has(r.key)) throw badRequest(`Duplicate route key ${r.key} in the definition`); // unverified wording
    keys.add(r.key);
    let target: string | undefined;
    if (r.integration) {
      // Operations with the same integration share one, as AWS's import does.
      const sig = JSON.stringify(r.integration);
      let integ = integrations.get(sig);
      if (!integ) integrations.set(sig, (integ = makeIntegration(api, r.integration)));
      target = `integrations/${integ.integrationId}`;
    }
    const auth = r.auth ? authOf(api, r.auth.scheme, p.schemes[r.auth.scheme], authorizers) : undefined;
    routes.push({
      routeId: newId(),
      routeKey: r.key,
      authorizationType: auth?.type ?? "NONE",
      apiKeyRequired: false,
      ...(target ? { target } : {}),
      ...(auth?.authorizer ? { authorizerId: auth.authorizer.authorizerId } : {}),
      ...(auth?.type === "JWT" && r.auth?.scopes.length ? { authorizationScopes: r.auth.scopes } : {}),
    });
  }
  return { routes, integrations: [...integrations.values()], authorizers: [...authorizers.values()] };
}

function storeParts(ctx: HandlerContext, apiId: string, parts: ReturnType<typeof build>): void {
  const t = tables(ctx);
  for (const i of parts.integrations) t.integrations.put(`${apiId}/${i.integrationId}`, i);
  for (const a of parts.authorizers) t.authorizers.put(`${apiId}/${a.authorizerId}`, a);
  for (const r of parts.routes) t.routes.put(`${apiId}/${r.routeId}`, r);
}

export const openapi = {
  importApi(input: ImportApiRequest, ctx) {
    const p = read(input);
    let apiId = newId(10);
    while (apiIndex(ctx).has(apiId)) apiId = newId(10);
    const api: ApiRec = {
      apiId,
      name: p.name,
      protocolType: "HTTP",
      apiEndpoint: `http://${apiId}.execute-api.localhost:${serverPort(ctx)}`,
      routeSelectionExpression: "$request.method $request.path",
      apiKeySelectionExpression: "$request.header.x-api-key",
      ...(p.cors ? { corsConfiguration: p.cors } : {}),
      ...defined({ description: p.description, version: p.version }),
      disableExecuteApiEndpoint: p.disableExecuteApiEndpoint ?? false,
      ipAddressType: "ipv4",
      ...(p.warnings.length ? { warnings: p.warnings } : {}),
      tags: mergeApiTags(ctx, {}, p.tags),
      createdDate: ctx.now(),
    };
    const parts = build(api, p);
    transaction(ctx, () => {
      storeApi(ctx, api);
      storeParts(ctx, apiId, parts);
    });
    return apiOut(api);
  },

  reimportApi(input, ctx) {
    const cur = apiOf(ctx, input.ApiId);
    if (cur.protocolType !== "HTTP") throw badRequest("ReimportApi is supported only for HTTP APIs"); // unverified wording
    const p = read(input);
    const next: ApiRec = {
      ...cur,
      tags: mergeApiTags(ctx, cur.tags, p.tags),
      name: p.name,
      ...defined({ description: p.description, version: p.version }),
      ...(p.disableExecuteApiEndpoint !== undefined ? { disableExecuteApiEndpoint: p.disableExecuteApiEndpoint } : {}),
    };
    if (p.cors) next.corsConfiguration = p.cors;
    else delete next.corsConfiguration;
    if (p.warnings.length) next.warnings = p.warnings;
    else delete next.warnings;
    const parts = build(next, p);
    const t = tables(ctx);
    transaction(ctx, () => {
      // The definition replaces the API's routes, integrations and authorizers; stages, deployments and tags stay.
      for (const table of [t.routes, t.routeResponses, t.integrations, t.integrationResponses, t.authorizers]) {
        for (const e of table.list({ prefix: `${cur.apiId}/` })) table.delete(e.key);
      }
      t.apis.put(cur.apiId, next);
      storeParts(ctx, cur.apiId, parts);
      redeploy(ctx, cur.apiId);
    });
    return apiOut(next);
  },

  exportApi(input, ctx) {
    return exportApi(ctx, input);
  },
} satisfies Partial<Apigatewayv2Api>;
