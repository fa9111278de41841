// An OpenAPI definition (2.0 or 3.0) turned into what API Gateway builds from it: the API's settings, the resource
// paths with their methods, models, request validators, authorizers and gateway responses, plus AWS's warnings for
// what it skips. Nothing here touches state: apply.ts writes the result. Authorizers and validators are named here
// (the method's `authorizerName`, `validatorName`) and given ids when written.
import { createHash } from "node:crypto";
import type { EndpointConfiguration, EndpointType, GatewayResponseType, Integration, IntegrationResponse, Method, MethodResponse } from "../api.generated.js";
import { BadRequestException } from "../api.generated.js";
import type { AuthorizerRec, GatewayResponseRec } from "../state.js";
import { deref, INVALID_INPUT, isObj, type Json, type OpenApiDoc, refName } from "./read.js";

export const VERBS = ["get", "put", "post", "delete", "options", "head", "patch"] as const;

export interface DefinedMethod extends Method {
  authorizerName?: string;
  validatorName?: string;
}

export interface DefinedResource {
  /** "/" or "/a/{b}". */
  path: string;
  methods: Record<string, DefinedMethod>;
}

export interface DefinedModel {
  name: string;
  description?: string;
  /** The schema with $refs still as model names (apply.ts rewrites them to the API's model URLs). */
  schema: Json;
  contentType: string;
}

export interface Definition {
  name?: string;
  description?: string;
  version?: string;
  binaryMediaTypes?: string[];
  apiKeySource?: "HEADER" | "AUTHORIZER";
  policy?: string;
  minimumCompressionSize?: number;
  endpointConfiguration?: EndpointConfiguration;
  disableExecuteApiEndpoint?: boolean;
  resources: DefinedResource[];
  models: DefinedModel[];
  validators: { name: string; validateRequestBody: boolean; validateRequestParameters: boolean }[];
  authorizers: Omit<AuthorizerRec, "id">[];
  gatewayResponses: GatewayResponseRec[];
  warnings: string[];
  /** What keeps the definition from being imported at all ("Errors found during import"), whatever failOnWarnings says. */
  errors: string[];
  /** x-amazon-apigateway-documentation's parts, as written (documentation.ts checks them). */
  documentationParts: unknown[];
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);
const strMap = (v: unknown): Record<string, string> | undefined => {
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (str(x) !== undefined) out[k] = str(x) as string;
  return out;
};

/** The base path the definition declares: Swagger's `basePath`, or the path of OpenAPI 3's first server URL. */
function basePathOf(d: OpenApiDoc): string {
  if (d.version === 2) return typeof d.doc.basePath === "string" ? d.doc.basePath : "";
  const server = Array.isArray(d.doc.servers) ? d.doc.servers[0] : undefined;
  if (!isObj(server) || typeof server.url !== "string") return "";
  let url = server.url;
  if (isObj(server.variables))
    url = url.replace(/\{([^}]+)\}/g, (m, name: string) => {
      const v = (server.variables as Json)[name];
      return isObj(v) && typeof v.default === "string" ? v.default : m;
    });
  const path = url.replace(/^[a-z]+:\/\/[^/]*/i, "").replace(/\/{2,}/g, "/");
  return path.startsWith("/") ? path : "";
}

/** How the base path applies to the paths: `basepath=ignore` (the default), `prepend` or `split`. */
function pathPrefix(d: OpenApiDoc, mode: string | undefined): string {
  const base = basePathOf(d).replace(/\/+$/, "");
  if (!base || !mode || mode === "ignore") return "";
  if (mode === "prepend") return base;
  if (mode === "split") return base.replace(/^\/[^/]*/, "");
  throw new BadRequestException(`Invalid basepath parameter value: ${mode}`); // unverified wording
}

/** The definition's security schemes: Swagger's securityDefinitions or OpenAPI 3's components.securitySchemes. */
function schemesOf(d: OpenApiDoc): Json {
  const s = d.version === 2 ? d.doc.securityDefinitions : isObj(d.doc.components) ? d.doc.components.securitySchemes : undefined;
  return isObj(s) ? s : {};
}

function authorizerOf(name: string, scheme: Json): Omit<AuthorizerRec, "id"> | undefined {
  const a = scheme["x-amazon-apigateway-authorizer"];
  if (!isObj(a)) return undefined;
  const type = String(a.type ?? "token").toUpperCase() as AuthorizerRec["type"];
  const identitySource =
    str(a.identitySource) ?? (type === "TOKEN" || type === "COGNITO_USER_POOLS" ? `method.request.header.${str(scheme.name) ?? "Authorization"}` : undefined);
  return {
    name,
    type,
    ...(Array.isArray(a.providerARNs) ? { providerARNs: a.providerARNs.map(String) } : {}),
    ...(str(scheme["x-amazon-apigateway-authtype"]) ? { authType: str(scheme["x-amazon-apigateway-authtype"]) } : {}),
    ...(str(a.authorizerUri) ? { authorizerUri: str(a.authorizerUri) } : {}),
    ...(str(a.authorizerCredentials) ? { authorizerCredentials: str(a.authorizerCredentials) } : {}),
    ...(identitySource ? { identitySource } : {}),
    ...(str(a.identityValidationExpression) ? { identityValidationExpression: str(a.identityValidationExpression) } : {}),
    authorizerResultTtlInSeconds: typeof a.authorizerResultTtlInSeconds === "number" ? a.authorizerResultTtlInSeconds : 300,
  };
}

function integrationOf(x: Json): Integration {
  const responses: Record<string, IntegrationResponse> = {};
  if (isObj(x.responses))
    for (const [pattern, r] of Object.entries(x.responses)) {
      if (!isObj(r)) continue;
      const statusCode = str(r.statusCode) ?? "200";
      responses[statusCode] = {
        statusCode,
        ...(pattern !== "default" ? { selectionPattern: pattern } : {}),
        ...(strMap(r.responseParameters) ? { responseParameters: strMap(r.responseParameters) } : {}),
        ...(strMap(r.responseTemplates) ? { responseTemplates: strMap(r.responseTemplates) } : {}),
        ...(str(r.contentHandling) ? { contentHandling: str(r.contentHandling)?.toUpperCase() as IntegrationResponse["contentHandling"] } : {}),
      };
    }
  const type = String(x.type ?? "").toUpperCase() as Integration["type"];
  return {
    type,
    ...(str(x.httpMethod) ? { httpMethod: str(x.httpMethod)?.toUpperCase() } : {}),
    ...(str(x.uri) ? { uri: str(x.uri) } : {}),
    ...(str(x.connectionType) || type === "HTTP" || type === "HTTP_PROXY"
      ? { connectionType: (str(x.connectionType)?.toUpperCase() ?? "INTERNET") as Integration["connectionType"] }
      : {}),
    ...(str(x.connectionId) ? { connectionId: str(x.connectionId) } : {}),
    ...(str(x.credentials) ? { credentials: str(x.credentials) } : {}),
    ...(strMap(x.requestParameters) ? { requestParameters: strMap(x.requestParameters) } : {}),
    ...(strMap(x.requestTemplates) ? { requestTemplates: strMap(x.requestTemplates) } : {}),
    passthroughBehavior: (str(x.passthroughBehavior) ?? "when_no_match").toUpperCase(),
    ...(str(x.contentHandling) ? { contentHandling: str(x.contentHandling)?.toUpperCase() as Integration["contentHandling"] } : {}),
    timeoutInMillis: typeof x.timeoutInMillis === "number" ? x.timeoutInMillis : 29000,
    ...(str(x.cacheNamespace) ? { cacheNamespace: str(x.cacheNamespace) } : {}),
    cacheKeyParameters: Array.isArray(x.cacheKeyParameters) ? x.cacheKeyParameters.map(String) : [],
    ...(Object.keys(responses).length ? { integrationResponses: responses } : {}),
    ...(isObj(x.tlsConfig) ? { tlsConfig: x.tlsConfig } : {}),
  };
}

/** A path part CreateResource accepts (resources.ts's rule). */
const PATH_PART = /^(\{[a-zA-Z0-9._-]+\+?\}|[a-zA-Z0-9._:-]+)$/;
const AUTHORIZER_TYPES = new Set(["TOKEN", "REQUEST", "COGNITO_USER_POOLS"]);
// The model's GatewayResponseType values.
const GATEWAY_RESPONSE_TYPES = new Set([
  "DEFAULT_4XX",
  "DEFAULT_5XX",
  "RESOURCE_NOT_FOUND",
  "UNAUTHORIZED",
  "INVALID_API_KEY",
  "ACCESS_DENIED",
  "AUTHORIZER_FAILURE",
  "AUTHORIZER_CONFIGURATION_ERROR",
  "INVALID_SIGNATURE",
  "EXPIRED_TOKEN",
  "MISSING_AUTHENTICATION_TOKEN",
  "INTEGRATION_FAILURE",
  "INTEGRATION_TIMEOUT",
  "API_CONFIGURATION_ERROR",
  "UNSUPPORTED_MEDIA_TYPE",
  "BAD_REQUEST_PARAMETERS",
  "BAD_REQUEST_BODY",
  "REQUEST_TOO_LARGE",
  "THROTTLED",
  "QUOTA_EXCEEDED",
  "WAF_FILTERED",
]);
const INTEGRATION_TYPES = new Set(["HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"]);

/**
 * What PutIntegration would refuse in an integration (an unknown type, no HTTP method where one is needed, an AWS
 * integration's URI that is no API Gateway service ARN, a timeout out of range); integrations.ts's checkIntegration
 * has the full set for PutIntegration.
 */
function integrationProblem(i: Integration): string | undefined {
  if (!INTEGRATION_TYPES.has(i.type as string)) return `Invalid integration type specified: ${i.type || "null"}`; // unverified wording
  if (i.type !== "MOCK" && !i.httpMethod) return "Enumeration value for HttpMethod must be non-empty"; // as integrations.ts words it
  // Both as AWS's imports answer them (recorded in CloudFormation errors of imported definitions).
  if ((i.type === "AWS" || i.type === "AWS_PROXY") && !/^arn:[^:]+:apigateway:[^:]*:[^:]+:(path|action)\/./.test(i.uri ?? ""))
    return "AWS ARN for integration must contain path or action";
  const timeout = i.timeoutInMillis ?? 29000;
  if (!Number.isInteger(timeout) || timeout < 50 || timeout > 29000) return "Timeout should be between 50 ms and 29000 ms";
  return undefined;
}

const PARAM_PLACE: Record<string, string> = { path: "path", query: "querystring", header: "header" };

interface Ctx {
  d: OpenApiDoc;
  schemes: Json;
  warnings: string[];
  errors: string[];
  /** Models named by the definition (a $ref to another is a warning). */
  modelNames: Set<string>;
  /** The definition's models, which inline schemas add to. */
  models: DefinedModel[];
  defaultValidator?: string;
}

function methodOf(c: Ctx, verb: string, path: string, rawPath: string, op: Json, pathParams: unknown[]): DefinedMethod {
  const { d } = c;
  const at = `paths.'${rawPath}'(${verb === "ANY" ? "x-amazon-apigateway-any-method" : verb.toLowerCase()})`;
  const m: DefinedMethod = { httpMethod: verb, authorizationType: "NONE", apiKeyRequired: false };
  if (str(op.operationId)) m.operationName = str(op.operationId);
  // Security: the operation's own, else the definition's.
  const security = Array.isArray(op.security) ? op.security : Array.isArray(c.d.doc.security) ? c.d.doc.security : [];
  for (const req of security) {
    if (!isObj(req)) continue;
    for (const [name, scopes] of Object.entries(req)) {
      const scheme = c.schemes[name];
      if (!isObj(scheme)) {
        c.warnings.push(`Unable to put method '${verb}' on resource at path '${path}': Invalid authorizer definition: ${name} is not defined`); // unverified wording
        continue;
      }
      const authorizer = scheme["x-amazon-apigateway-authorizer"];
      if (isObj(authorizer)) {
        m.authorizationType = String(authorizer.type ?? "").toLowerCase() === "cognito_user_pools" ? "COGNITO_USER_POOLS" : "CUSTOM";
        m.authorizerName = name;
        if (Array.isArray(scopes) && scopes.length) m.authorizationScopes = scopes.map(String);
      } else if (String(scheme["x-amazon-apigateway-authtype"] ?? "").toLowerCase() === "awssigv4") m.authorizationType = "AWS_IAM";
      else if (scheme.type === "apiKey" && String(scheme.name ?? "").toLowerCase() === "x-api-key") m.apiKeyRequired = true;
    }
  }
  // x-amazon-apigateway-auth: an operation's own authorization type (NONE or AWS_IAM), over its security.
  const auth = op["x-amazon-apigateway-auth"];
  const authType = isObj(auth) ? str(auth.type)?.toUpperCase() : undefined;
  if (authType === "NONE" || authType === "AWS_IAM") {
    m.authorizationType = authType;
    delete m.authorizerName;
    delete m.authorizationScopes;
  }
  // Parameters: the path item's, overridden by the operation's.
  const params = new Map<string, Json>();
  for (const p of [...pathParams, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
    const r = deref(d.doc, p);
    if (isObj(r) && typeof r.name === "string" && typeof r.in === "string") params.set(`${r.in}:${r.name}`, r);
  }
  const consumes = Array.isArray(op.consumes) ? op.consumes : Array.isArray(d.doc.consumes) ? d.doc.consumes : ["application/json"];
  const requestParameters: Record<string, boolean> = {};
  const requestModels: Record<string, string> = {};
  for (const p of params.values()) {
    const place = PARAM_PLACE[p.in as string];
    if (place) requestParameters[`method.request.${place}.${p.name}`] = p.in === "path" ? true : p.required === true;
    else if (p.in === "body" && isObj(p.schema)) {
      const model = modelRef(c, p.schema, `${at}.parameters.${p.name}.schema`);
      if (model) for (const ct of consumes) requestModels[String(ct)] = model;
    }
  }
  const body = deref(d.doc, op.requestBody);
  if (isObj(body) && isObj(body.content))
    for (const [ct, media] of Object.entries(body.content)) {
      const model = isObj(media) && isObj(media.schema) ? modelRef(c, media.schema, `${at}.requestBody.content.schema`) : undefined;
      if (model) requestModels[ct] = model;
    }
  if (Object.keys(requestParameters).length) m.requestParameters = requestParameters;
  if (Object.keys(requestModels).length) m.requestModels = requestModels;
  const validator = str(op["x-amazon-apigateway-request-validator"]) ?? c.defaultValidator;
  if (validator) m.validatorName = validator;
  // Responses.
  const produces = Array.isArray(op.produces) ? op.produces : Array.isArray(d.doc.produces) ? d.doc.produces : ["application/json"];
  const methodResponses: Record<string, MethodResponse> = {};
  if (isObj(op.responses))
    for (const [code, raw] of Object.entries(op.responses)) {
      if (!/^\d{3}$/.test(code)) continue;
      const r = deref(d.doc, raw);
      const mr: MethodResponse = { statusCode: code };
      if (isObj(r) && isObj(r.headers)) mr.responseParameters = Object.fromEntries(Object.keys(r.headers).map((h) => [`method.response.header.${h}`, false]));
      const models: Record<string, string> = {};
      if (isObj(r) && isObj(r.schema)) {
        const model = modelRef(c, r.schema, `${at}.responses.${code}.schema`);
        if (model) for (const ct of produces) models[String(ct)] = model;
      }
      if (isObj(r) && isObj(r.content))
        for (const [ct, media] of Object.entries(r.content)) {
          const model = isObj(media) && isObj(media.schema) ? modelRef(c, media.schema, `${at}.responses.${code}.content.schema`) : undefined;
          if (model) models[ct] = model;
        }
      if (Object.keys(models).length) mr.responseModels = models;
      methodResponses[code] = mr;
    }
  if (Object.keys(methodResponses).length) m.methodResponses = methodResponses;
  const x = op["x-amazon-apigateway-integration"];
  if (isObj(x)) {
    const integration = integrationOf(x);
    const problem = integrationProblem(integration);
    // AWS's wording: "Unable to put integration on 'GET' for resource at path '/tags': <PutIntegration's refusal>".
    if (problem) c.errors.push(`Unable to put integration on '${verb}' for resource at path '${path}': ${problem}`);
    else m.methodIntegration = integration;
  }
  return m;
}

/**
 * An inline schema's model: AWS makes one named "MODEL" and six hex digits (aws/aws-sdk#468 shows MODELd2a00d); the
 * digits here are a hash of the schema, so the same schema shares one model.
 */
function inlineModel(c: Ctx, schema: Json): string {
  const name = `MODEL${createHash("sha256").update(JSON.stringify(schema)).digest("hex").slice(0, 6)}`;
  if (!c.modelNames.has(name)) {
    c.modelNames.add(name);
    c.models.push({ name, schema, contentType: "application/json" });
  }
  return name;
}

/** The model a schema names ($ref), or the one made for an inline schema. */
function modelRef(c: Ctx, schema: Json, attr: string): string | undefined {
  const name = refName(schema.$ref);
  if (!name) return schema.$ref === undefined && Object.keys(schema).length ? inlineModel(c, schema) : undefined;
  if (!c.modelNames.has(name)) {
    // AWS's wording for a $ref to a missing schema (recorded in moto's apigatewayv2 reimport test, the same importer).
    c.warnings.push(`Parse issue: attribute ${attr}.${schema.$ref} is missing`);
    return undefined;
  }
  return name;
}

/** Builds the definition; `parameters` are the operation's (`basepath`, `endpointConfigurationTypes`). */
export function define(d: OpenApiDoc, parameters: Record<string, string> = {}): Definition {
  const { doc } = d;
  const info = isObj(doc.info) ? doc.info : {};
  const warnings: string[] = [];
  const schemas = d.version === 2 ? doc.definitions : isObj(doc.components) ? doc.components.schemas : undefined;
  const models: DefinedModel[] = [];
  if (isObj(schemas))
    for (const [name, schema] of Object.entries(schemas)) {
      if (!/^[a-zA-Z0-9]+$/.test(name)) {
        warnings.push(`Unable to create model for '${name}': Model name must be alphanumeric: ${name}`); // unverified wording
        continue;
      }
      if (isObj(schema))
        models.push({ name, schema, contentType: "application/json", ...(str(schema.description) ? { description: str(schema.description) } : {}) });
    }
  const validators: Definition["validators"] = [];
  const vx = doc["x-amazon-apigateway-request-validators"];
  if (isObj(vx))
    for (const [name, v] of Object.entries(vx))
      if (isObj(v))
        validators.push({ name, validateRequestBody: v.validateRequestBody === true, validateRequestParameters: v.validateRequestParameters === true });
  const schemes = schemesOf(d);
  const authorizers: Definition["authorizers"] = [];
  for (const [name, scheme] of Object.entries(schemes)) {
    const a = isObj(scheme) ? authorizerOf(name, scheme) : undefined;
    if (a && !AUTHORIZER_TYPES.has(a.type))
      warnings.push(`Unable to create authorizer '${name}': Invalid authorizer type specified: ${a.type}`); // unverified wording
    else if (a) authorizers.push(a);
  }
  const gatewayResponses: GatewayResponseRec[] = [];
  const gx = doc["x-amazon-apigateway-gateway-responses"];
  if (isObj(gx))
    for (const [type, r] of Object.entries(gx))
      if (!GATEWAY_RESPONSE_TYPES.has(type))
        warnings.push(`Unable to put gateway response '${type}': Invalid gateway response type specified`); // unverified wording
      else if (isObj(r))
        gatewayResponses.push({
          responseType: type as GatewayResponseType,
          ...(str(r.statusCode) ? { statusCode: str(r.statusCode) } : {}),
          ...(strMap(r.responseParameters) ? { responseParameters: strMap(r.responseParameters) } : {}),
          ...(strMap(r.responseTemplates) ? { responseTemplates: strMap(r.responseTemplates) } : {}),
        });
  const errors: string[] = [];
  const c: Ctx = {
    d,
    schemes,
    warnings,
    errors,
    modelNames: new Set(models.map((m) => m.name)),
    models,
    defaultValidator: str(doc["x-amazon-apigateway-request-validator"]),
  };
  const prefix = pathPrefix(d, parameters.basepath);
  const byPath = new Map<string, DefinedResource>();
  if (!isObj(doc.paths)) throw new BadRequestException(INVALID_INPUT);
  for (const [rawPath, rawItem] of Object.entries(doc.paths)) {
    const item = deref(doc, rawItem);
    if (!isObj(item)) continue;
    const path = `${prefix}${rawPath}`.replace(/\/+$/, "") || "/";
    if (!path.startsWith("/")) {
      warnings.push(`Unable to create resource at path '${rawPath}': Resource paths must start with '/'`); // unverified wording
      continue;
    }
    const badPart =
      path === "/"
        ? undefined
        : path
            .slice(1)
            .split("/")
            .find((part) => !PATH_PART.test(part));
    if (badPart !== undefined) {
      // CreateResource's refusal (moto's wording, as resources.ts has it), in the import's error form (unverified).
      errors.push(
        `Unable to create resource at path '${path}': Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.`,
      );
      continue;
    }
    const res = byPath.get(path) ?? { path, methods: {} };
    byPath.set(path, res);
    const pathParams = Array.isArray(item.parameters) ? item.parameters : [];
    for (const verb of VERBS)
      if (isObj(item[verb])) res.methods[verb.toUpperCase()] = methodOf(c, verb.toUpperCase(), path, rawPath, item[verb] as Json, pathParams);
    const any = item["x-amazon-apigateway-any-method"];
    if (isObj(any)) res.methods.ANY = methodOf(c, "ANY", path, rawPath, any, pathParams);
  }
  for (const r of byPath.values())
    for (const m of Object.values(r.methods)) {
      if (m.authorizerName && !authorizers.some((a) => a.name === m.authorizerName)) {
        // Its authorizer was not created (a warning already says why): the method is left without authorization.
        delete m.authorizerName;
        delete m.authorizationScopes;
        m.authorizationType = "NONE";
      }
      if (m.validatorName && !validators.some((v) => v.name === m.validatorName)) {
        warnings.push(`Unable to put method '${m.httpMethod}' on resource at path '${r.path}': Invalid Request Validator identifier specified`); // unverified wording
        delete m.validatorName;
      }
    }
  const ec = doc["x-amazon-apigateway-endpoint-configuration"];
  const typesParam = parameters.endpointConfigurationTypes;
  let endpointConfiguration: EndpointConfiguration | undefined;
  if (typesParam) endpointConfiguration = { types: typesParam.split(",").map((t) => t.trim().toUpperCase() as EndpointType) };
  if (isObj(ec) && Array.isArray(ec.vpcEndpointIds))
    endpointConfiguration = { ...(endpointConfiguration ?? {}), vpcEndpointIds: ec.vpcEndpointIds.map(String) };
  const policy = doc["x-amazon-apigateway-policy"];
  const binary = doc["x-amazon-apigateway-binary-media-types"];
  const keySource = str(doc["x-amazon-apigateway-api-key-source"])?.toUpperCase();
  const minimum = doc["x-amazon-apigateway-minimum-compression-size"];
  return {
    ...(str(info.title) ? { name: str(info.title) } : {}),
    ...(str(info.description) ? { description: str(info.description) } : {}),
    ...(str(info.version) ? { version: str(info.version) } : {}),
    ...(Array.isArray(binary) ? { binaryMediaTypes: binary.map(String) } : {}),
    ...(keySource === "HEADER" || keySource === "AUTHORIZER" ? { apiKeySource: keySource } : {}),
    ...(policy !== undefined ? { policy: typeof policy === "string" ? policy : JSON.stringify(policy) } : {}),
    ...(typeof minimum === "number" ? { minimumCompressionSize: minimum } : {}),
    ...(endpointConfiguration ? { endpointConfiguration } : {}),
    ...(isObj(ec) && typeof ec.disableExecuteApiEndpoint === "boolean" ? { disableExecuteApiEndpoint: ec.disableExecuteApiEndpoint } : {}),
    resources: [...byPath.values()],
    models,
    validators,
    authorizers,
    gatewayResponses,
    warnings,
    errors,
    documentationParts:
      isObj(doc["x-amazon-apigateway-documentation"]) && Array.isArray(doc["x-amazon-apigateway-documentation"].documentationParts)
        ? doc["x-amazon-apigateway-documentation"].documentationParts
        : [],
  };
}
