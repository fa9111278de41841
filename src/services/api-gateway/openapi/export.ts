// GetExport: a stage's deployed snapshot as an OpenAPI 3.0.1 or Swagger 2.0 definition, as API Gateway exports it
// (servers/host naming the stage, info.version the deployment's time when the API has no version, response
// descriptions "<code> response", extension values in lower case). `extensions` chooses the x-amazon-apigateway-*
// parts: integrations, authorizers, or apigateway (all of them); postman is the plain definition.
import type { Integration, Method } from "../api.generated.js";
import type { ApiSnapshot, AuthorizerRec } from "../state.js";
import { isObj, type Json } from "./read.js";

export interface ExportOptions {
  version: 2 | 3;
  stageName: string;
  region: string;
  /** Epoch ms of the deployment (info.version when the API has none). */
  deployedAt: number;
  integrations: boolean;
  authorizers: boolean;
  apigateway: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const PLACE: Record<string, string> = { path: "path", querystring: "query", header: "header" };

function exportIntegration(i: Integration): Json {
  const responses: Json = {};
  for (const r of Object.values(i.integrationResponses ?? {}))
    responses[r.selectionPattern ?? "default"] = {
      statusCode: r.statusCode,
      ...(r.responseParameters ? { responseParameters: r.responseParameters } : {}),
      ...(r.responseTemplates ? { responseTemplates: r.responseTemplates } : {}),
      ...(r.contentHandling ? { contentHandling: r.contentHandling } : {}),
    };
  return {
    type: i.type?.toLowerCase(),
    ...(i.httpMethod ? { httpMethod: i.httpMethod } : {}),
    ...(i.uri ? { uri: i.uri } : {}),
    ...(i.credentials ? { credentials: i.credentials } : {}),
    ...(i.connectionType ? { connectionType: i.connectionType } : {}),
    ...(i.connectionId ? { connectionId: i.connectionId } : {}),
    ...(Object.keys(responses).length ? { responses } : {}),
    ...(i.requestParameters ? { requestParameters: i.requestParameters } : {}),
    ...(i.requestTemplates ? { requestTemplates: i.requestTemplates } : {}),
    ...(i.passthroughBehavior ? { passthroughBehavior: i.passthroughBehavior.toLowerCase() } : {}),
    ...(i.contentHandling ? { contentHandling: i.contentHandling } : {}),
    ...(i.timeoutInMillis !== undefined && i.timeoutInMillis !== 29000 ? { timeoutInMillis: i.timeoutInMillis } : {}),
    ...(i.cacheNamespace ? { cacheNamespace: i.cacheNamespace } : {}),
    ...(i.cacheKeyParameters?.length ? { cacheKeyParameters: i.cacheKeyParameters } : {}),
  };
}

function securityScheme(a: AuthorizerRec, withAuthorizer: boolean): Json {
  const header = /^method\.request\.header\.(.+)$/.exec(a.identitySource ?? "")?.[1] ?? "Unused";
  return {
    type: "apiKey",
    name: header,
    in: "header",
    "x-amazon-apigateway-authtype": a.authType ?? (a.type === "COGNITO_USER_POOLS" ? "cognito_user_pools" : "custom"),
    ...(withAuthorizer
      ? {
          "x-amazon-apigateway-authorizer": {
            type: a.type.toLowerCase(),
            ...(a.authorizerUri ? { authorizerUri: a.authorizerUri } : {}),
            ...(a.authorizerCredentials ? { authorizerCredentials: a.authorizerCredentials } : {}),
            ...(a.providerARNs ? { providerARNs: a.providerARNs } : {}),
            ...(a.type === "REQUEST" && a.identitySource ? { identitySource: a.identitySource } : {}),
            ...(a.identityValidationExpression ? { identityValidationExpression: a.identityValidationExpression } : {}),
            ...(a.authorizerResultTtlInSeconds !== undefined ? { authorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds } : {}),
          },
        }
      : {}),
  };
}

/** The definition for a snapshot. */
export function exportDefinition(s: ApiSnapshot, o: ExportOptions): Json {
  const v3 = o.version === 3;
  const ref = (model: string) => ({ $ref: v3 ? `#/components/schemas/${model}` : `#/definitions/${model}` });
  const withIntegrations = o.integrations || o.apigateway;
  const withAuthorizers = o.authorizers || o.apigateway;
  const validatorNames = new Map(s.validators.map((v) => [v.id, v.name ?? v.id]));
  const authorizerById = new Map(s.authorizers.map((a) => [a.id, a]));
  const schemes: Json = {};
  const paths: Json = {};
  const sorted = [...s.resources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const r of sorted) {
    const verbs = Object.keys(r.resourceMethods);
    if (!verbs.length) continue;
    const item: Json = {};
    for (const verb of verbs.sort()) {
      const m = r.resourceMethods[verb] as Method;
      const op: Json = {};
      if (m.operationName) op.operationId = m.operationName;
      const parameters: Json[] = [];
      for (const [key, required] of Object.entries(m.requestParameters ?? {})) {
        const p = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(key);
        if (!p) continue;
        parameters.push({
          name: p[2],
          in: PLACE[p[1]],
          required: p[1] === "path" ? true : required,
          ...(v3 ? { schema: { type: "string" } } : { type: "string" }),
        });
      }
      const models = Object.entries(m.requestModels ?? {});
      if (!v3 && models.length) {
        op.consumes = models.map(([ct]) => ct);
        parameters.push({ in: "body", name: models[0][1], required: true, schema: ref(models[0][1]) });
      }
      if (parameters.length) op.parameters = parameters;
      if (v3 && models.length) op.requestBody = { content: Object.fromEntries(models.map(([ct, model]) => [ct, { schema: ref(model) }])), required: true };
      const responses: Json = {};
      const produces = new Set<string>();
      for (const mr of Object.values(m.methodResponses ?? {})) {
        const code = mr.statusCode ?? "200";
        const resp: Json = { description: `${code} response` };
        const headers = Object.keys(mr.responseParameters ?? {})
          .map((k) => /^method\.response\.header\.(.+)$/.exec(k)?.[1])
          .filter((h): h is string => !!h);
        if (headers.length) resp.headers = Object.fromEntries(headers.map((h) => [h, v3 ? { schema: { type: "string" } } : { type: "string" }]));
        const rm = Object.entries(mr.responseModels ?? {});
        if (v3 && rm.length) resp.content = Object.fromEntries(rm.map(([ct, model]) => [ct, { schema: ref(model) }]));
        if (!v3 && rm.length) {
          resp.schema = ref(rm[0][1]);
          for (const [ct] of rm) produces.add(ct);
        }
        responses[code] = resp;
      }
      if (!v3 && produces.size) op.produces = [...produces];
      op.responses = responses;
      const security: Json[] = [];
      if ((m.authorizationType === "CUSTOM" || m.authorizationType === "COGNITO_USER_POOLS") && m.authorizerId) {
        const a = authorizerById.get(m.authorizerId);
        if (a) {
          security.push({ [a.name]: m.authorizationScopes ?? [] });
          schemes[a.name] = securityScheme(a, withAuthorizers);
        }
      }
      if (m.authorizationType === "AWS_IAM") {
        security.push({ sigv4: [] });
        schemes.sigv4 = { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "awsSigv4" };
      }
      if (m.apiKeyRequired) {
        security.push({ api_key: [] });
        schemes.api_key = { type: "apiKey", name: "x-api-key", in: "header" };
      }
      if (security.length) op.security = security;
      if (o.apigateway && m.requestValidatorId && validatorNames.has(m.requestValidatorId))
        op["x-amazon-apigateway-request-validator"] = validatorNames.get(m.requestValidatorId);
      if (withIntegrations && m.methodIntegration) op["x-amazon-apigateway-integration"] = exportIntegration(m.methodIntegration);
      item[verb === "ANY" ? "x-amazon-apigateway-any-method" : verb.toLowerCase()] = op;
    }
    paths[r.path] = item;
  }
  const schemas: Json = {};
  for (const model of [...s.models].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    let schema: unknown = {};
    try {
      schema = JSON.parse(model.schema ?? "{}");
    } catch {
      schema = {};
    }
    schemas[model.name] = unref(schema, s.api.id, ref);
  }
  const { api } = s;
  const info = { title: api.name, ...(api.description ? { description: api.description } : {}), version: api.version ?? iso(o.deployedAt) };
  const host = `${api.id}.execute-api.${o.region}.amazonaws.com`;
  const out: Json = v3
    ? { openapi: "3.0.1", info, servers: [{ url: `https://${host}/{basePath}`, variables: { basePath: { default: `/${o.stageName}` } } }], paths }
    : { swagger: "2.0", info, host, basePath: `/${o.stageName}`, schemes: ["https"], paths };
  if (v3) {
    const components: Json = {};
    if (Object.keys(schemas).length) components.schemas = schemas;
    if (Object.keys(schemes).length) components.securitySchemes = schemes;
    if (Object.keys(components).length) out.components = components;
  } else {
    if (Object.keys(schemes).length) out.securityDefinitions = schemes;
    if (Object.keys(schemas).length) out.definitions = schemas;
  }
  if (o.apigateway) {
    if (s.validators.length)
      out["x-amazon-apigateway-request-validators"] = Object.fromEntries(
        s.validators.map((v) => [v.name ?? v.id, { validateRequestBody: v.validateRequestBody, validateRequestParameters: v.validateRequestParameters }]),
      );
    if (s.gatewayResponses.length)
      out["x-amazon-apigateway-gateway-responses"] = Object.fromEntries(
        s.gatewayResponses.map((g) => [
          g.responseType,
          {
            ...(g.statusCode ? { statusCode: g.statusCode } : {}),
            ...(g.responseParameters ? { responseParameters: g.responseParameters } : {}),
            ...(g.responseTemplates ? { responseTemplates: g.responseTemplates } : {}),
          },
        ]),
      );
    if (api.binaryMediaTypes?.length) out["x-amazon-apigateway-binary-media-types"] = api.binaryMediaTypes;
    if (api.apiKeySource && api.apiKeySource !== "HEADER") out["x-amazon-apigateway-api-key-source"] = api.apiKeySource;
    if (api.minimumCompressionSize !== undefined) out["x-amazon-apigateway-minimum-compression-size"] = api.minimumCompressionSize;
    if (api.policy) {
      try {
        out["x-amazon-apigateway-policy"] = JSON.parse(api.policy);
      } catch {
        out["x-amazon-apigateway-policy"] = api.policy;
      }
    }
  }
  return out;
}

/** A stored model schema with its model URLs turned back into the definition's $refs. */
function unref(v: unknown, apiId: string, ref: (m: string) => Json): unknown {
  if (Array.isArray(v)) return v.map((x) => unref(x, apiId, ref));
  if (!isObj(v)) return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    const m = k === "$ref" && typeof x === "string" ? /\/restapis\/[^/]+\/models\/([^/]+)$/.exec(x) : null;
    out[k] = m ? ref(m[1]).$ref : unref(x, apiId, ref);
  }
  return out;
}
