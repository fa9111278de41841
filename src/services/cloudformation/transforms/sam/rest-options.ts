// AWS::Serverless::Api's Cors and Auth as the SAM translator applies them to the swagger body it deploys
// (samtranslator/model/api/api_generator.py _add_cors/_add_auth, swagger/swagger.py, model/apigateway.py
// ApiGatewayAuthorizer; event Auth from eventsources/push.py Api.add_auth_to_swagger): OPTIONS MOCK methods answering
// the CORS headers, securityDefinitions for Lambda (TOKEN/REQUEST), Cognito and AWS_IAM authorizers and the api_key,
// each method's security (the event's, else the API's default), the authorizers' Lambda permissions
// (`<Api><Authorizer>AuthorizerPermission`) and the usage plan Auth.UsagePlan makes.
import { invalidEvent, invalidResource, isIntrinsic, isObj, type Obj } from "./common.js";
import type { Route, SamContext } from "./context.js";
import { addEventExtras } from "./rest-extras.js";

const ANY = "x-amazon-apigateway-any-method";
const INTEGRATION = "x-amazon-apigateway-integration";
const ALL_METHODS = ["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"];
const NOT_METHODS = new Set(["summary", "description", "parameters"]);

/** A method name as the swagger holds it: lower case, ANY as API Gateway's extension. */
const methodKey = (m: string) => (m.toLowerCase() === "any" ? ANY : m.toLowerCase());

/** The methods of a path item that have an API Gateway integration (SwaggerEditor.iter_on_all_methods_for_path). */
function* methodsOf(item: unknown): Generator<[string, Obj]> {
  if (!isObj(item)) return;
  for (const [name, def] of Object.entries(item)) {
    if (NOT_METHODS.has(name) || !isObj(def) || !isObj(def[INTEGRATION])) continue;
    yield [name.toLowerCase() === "any" ? ANY : name.toLowerCase(), def];
  }
}

const pathsOf = (body: Obj): Obj => (isObj(body.paths) ? body.paths : {});
const isSwagger = (body: unknown): body is Obj => isObj(body) && isObj(body.paths) && (body.swagger !== undefined || typeof body.openapi === "string");

function securityOf(id: string, path: string, method: string, def: Obj): Obj[] {
  const s = def.security ?? [];
  if (!Array.isArray(s)) throw invalidResource(id, `Type of security for path ${path} method ${method} must be a list`);
  return s as Obj[];
}

// ---- Cors --------------------------------------------------------------------------------------------------------

const CORS_KEYS = ["AllowMethods", "AllowHeaders", "AllowOrigin", "MaxAge", "AllowCredentials"];

/** The OPTIONS method SAM adds to each path (the console's "Enable CORS" snippet, SwaggerEditor._options_method_response_for_cors). */
function optionsMethod(origin: unknown, headers: unknown, methods: unknown, maxAge: unknown, credentials: boolean): Obj {
  const params: Obj = { "method.response.header.Access-Control-Allow-Origin": origin };
  const responseHeaders: Obj = { "Access-Control-Allow-Origin": { type: "string" } };
  if (headers) {
    params["method.response.header.Access-Control-Allow-Headers"] = headers;
    responseHeaders["Access-Control-Allow-Headers"] = { type: "string" };
  }
  if (methods) {
    params["method.response.header.Access-Control-Allow-Methods"] = methods;
    responseHeaders["Access-Control-Allow-Methods"] = { type: "string" };
  }
  if (maxAge !== undefined && maxAge !== null) {
    params["method.response.header.Access-Control-Max-Age"] = maxAge;
    responseHeaders["Access-Control-Max-Age"] = { type: "integer" };
  }
  if (credentials) {
    params["method.response.header.Access-Control-Allow-Credentials"] = "'true'";
    responseHeaders["Access-Control-Allow-Credentials"] = { type: "string" };
  }
  return {
    summary: "CORS support",
    consumes: ["application/json"],
    produces: ["application/json"],
    [INTEGRATION]: {
      type: "mock",
      requestTemplates: { "application/json": '{\n  "statusCode" : 200\n}\n' },
      responses: { default: { statusCode: "200", responseParameters: params, responseTemplates: { "application/json": "{}\n" } } },
    },
    responses: { "200": { description: "Default response for CORS method", headers: responseHeaders } },
  };
}

export function addCors(id: string, cors: unknown, body: Obj | undefined): void {
  if (!cors) return;
  if (!body) throw invalidResource(id, "Cors works only with inline Swagger specified in 'DefinitionBody' property.");
  let c: Obj;
  if (typeof cors === "string" || isIntrinsic(cors)) c = { AllowOrigin: cors };
  else if (isObj(cors)) {
    for (const k of Object.keys(cors)) if (!CORS_KEYS.includes(k)) throw invalidResource(id, `Invalid key '${k}' for 'Cors' property.`);
    c = cors;
  } else throw invalidResource(id, "Invalid value for 'Cors' property");
  if (!isSwagger(body)) {
    throw invalidResource(id, "Unable to add Cors configuration because 'DefinitionBody' does not contain a valid Swagger definition.");
  }
  const origin = c.AllowOrigin === undefined ? "'*'" : c.AllowOrigin;
  const credentials = c.AllowCredentials === true;
  if (credentials && origin === "'*'") {
    throw invalidResource(id, "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set");
  }
  const done = new Set<string>();
  for (const [path, item] of Object.entries(pathsOf(body))) {
    // API Gateway treats /p and /p/ as one resource: one OPTIONS method for both.
    const normal = path === "/" ? path : path.replace(/\/+$/, "");
    if (done.has(normal)) continue;
    done.add(normal);
    if (!isObj(item) || "options" in item) continue;
    if (!origin) throw invalidResource(id, "Invalid input. Value for AllowedOrigins is required");
    let methods = c.AllowMethods;
    if (!methods) {
      const keys = Object.keys(item);
      const list = keys.includes(ANY) ? ALL_METHODS : [...keys, "options"];
      methods = `'${[...new Set(list.map((m) => m.toUpperCase()))].sort().join(",")}'`;
    }
    item.options = optionsMethod(origin, c.AllowHeaders, methods, c.MaxAge, credentials);
  }
}

// ---- Auth --------------------------------------------------------------------------------------------------------

const AUTH_KEYS = [
  "Authorizers",
  "DefaultAuthorizer",
  "InvokeRole",
  "AddDefaultAuthorizerToCorsPreflight",
  "AddApiKeyRequiredToCorsPreflight",
  "ApiKeyRequired",
  "ResourcePolicy",
  "UsagePlan",
];
const EVENT_AUTH_KEYS = ["Authorizer", "AuthorizationScopes", "ApiKeyRequired", "InvokeRole", "OverrideApiAuth"];
const AWS_IAM_SCHEME = { "x-amazon-apigateway-authtype": "awsSigv4", type: "apiKey", name: "Authorization", in: "header" };
const API_KEY_SCHEME = { type: "apiKey", name: "x-api-key", in: "header" };

function schemes(body: Obj): Obj {
  if (body.securityDefinitions === undefined || body.securityDefinitions === null) body.securityDefinitions = {};
  return body.securityDefinitions as Obj;
}

/** An authorizer's securityDefinitions entry (ApiGatewayAuthorizer.generate_swagger), checked as SAM checks it. */
function authorizerScheme(id: string, name: string, a: Obj): Obj {
  const payload = a.FunctionPayloadType;
  if (payload !== undefined && payload !== "TOKEN" && payload !== "REQUEST") {
    throw invalidResource(id, `${name} Authorizer has invalid 'FunctionPayloadType': ${String(payload)}.`);
  }
  const identity = a.Identity;
  if (identity !== undefined && !isObj(identity)) {
    throw invalidResource(
      id,
      "Auth.Authorizers.<Authorizer>.Identity must be a dict (LambdaTokenAuthorizationIdentity, LambdaRequestAuthorizationIdentity or CognitoAuthorizationIdentity).",
    );
  }
  const ident = (identity ?? {}) as Obj;
  const sources: string[] = [];
  for (const [k, prefix] of [
    ["Headers", "method.request.header."],
    ["QueryStrings", "method.request.querystring."],
    ["StageVariables", "stageVariables."],
    ["Context", "context."],
  ] as const) {
    const v = ident[k];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) throw invalidResource(id, `Property 'Auth.Authorizers.${name}.Identity.${k}' should be a list.`);
    for (const x of v) sources.push(`${prefix}${String(x)}`);
  }
  const ttl = ident.ReauthorizeEvery;
  if (payload === "REQUEST" && !sources.length && (ttl === undefined || Number(ttl) > 0 || Number.isNaN(Number(ttl)))) {
    throw invalidResource(id, `${name} Authorizer must specify Identity with at least one of Headers, QueryStrings, StageVariables, or Context.`);
  }
  const cognito = a.UserPoolArn !== undefined && a.UserPoolArn !== null;
  const request = !cognito && payload === "REQUEST";
  const scheme: Obj = {
    type: "apiKey",
    name: request ? "Unused" : typeof ident.Header === "string" && ident.Header ? ident.Header : "Authorization",
    in: "header",
    "x-amazon-apigateway-authtype": cognito ? "cognito_user_pools" : "custom",
  };
  let x: Obj;
  if (cognito) x = { type: "cognito_user_pools", providerARNs: Array.isArray(a.UserPoolArn) ? a.UserPoolArn : [a.UserPoolArn] };
  else {
    x = {
      type: request ? "request" : "token",
      authorizerUri: {
        "Fn::Sub": ["arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations", { __FunctionArn__: a.FunctionArn }],
      },
    };
    if (ttl !== undefined) x.authorizerResultTtlInSeconds = ttl;
    if (a.FunctionInvokeRole && a.FunctionInvokeRole !== "NONE") x.authorizerCredentials = a.FunctionInvokeRole;
    if (request && sources.length) x.identitySource = sources.join(", ");
  }
  if ((cognito || !request) && ident.ValidationExpression) x.identityValidationExpression = ident.ValidationExpression;
  scheme["x-amazon-apigateway-authorizer"] = x;
  return scheme;
}

/** The API's authorizers by name (AWS_IAM when it is the default), or undefined when it has none (_get_authorizers). */
function authorizersOf(id: string, auth: Obj): Map<string, Obj> | undefined {
  const out = new Map<string, Obj>();
  if (auth.DefaultAuthorizer === "AWS_IAM") out.set("AWS_IAM", { AWS_IAM: true });
  const given = auth.Authorizers;
  if (!given) return out.size ? out : undefined;
  if (!isObj(given)) throw invalidResource(id, "Property 'Auth.Authorizers' should be a map.");
  for (const [name, a] of Object.entries(given)) {
    if (!isObj(a)) throw invalidResource(id, `Property 'Auth.Authorizers.${name}' should be a map.`);
    out.set(name, a);
  }
  return out;
}

const scopesOf = (a: Obj | undefined): unknown[] => (a && Array.isArray(a.AuthorizationScopes) ? a.AuthorizationScopes : []);

/** An Api event's Auth on its method (push.py add_auth_to_swagger, SwaggerEditor.add_auth_to_method). */
function addEventAuth(body: Obj, route: Route, apiAuth: Obj | undefined): void {
  const auth = route.auth;
  const fail = (m: string) => invalidEvent(route.fn ?? "", route.event ?? "", m);
  if (auth === undefined) return;
  if (!isObj(auth)) throw fail("Property 'Auth' should be a map.");
  for (const k of Object.keys(auth)) {
    if (!EVENT_AUTH_KEYS.includes(k)) throw fail(`Property 'Auth.${k}' of an Api event is not supported by Stratus's SAM transform yet.`); // Stratus's own wording
  }
  const { method, path } = route;
  const authorizer = auth.Authorizer;
  const authorizers = apiAuth && isObj(apiAuth.Authorizers) ? apiAuth.Authorizers : undefined;
  if (authorizer && authorizer !== "AWS_IAM") {
    if (authorizer !== "NONE") {
      if (!authorizers) {
        throw fail(
          `Unable to set Authorizer [${String(authorizer)}] on API method [${method}] for path [${path}] because the related API does not define any Authorizers.`,
        );
      }
      if (typeof authorizer !== "string") {
        throw fail(
          `Unable to set Authorizer [${JSON.stringify(authorizer)}] on API method [${method}] for path [${path}]. The method authorizer must be a string with a corresponding dict entry in the api authorizer.`,
        );
      }
      if (!authorizers[authorizer]) {
        throw fail(`Unable to set Authorizer [${authorizer}] on API method [${method}] for path [${path}] because it wasn't defined in the API's Authorizers.`);
      }
    } else if (!apiAuth?.DefaultAuthorizer) {
      throw fail(
        `Unable to set Authorizer on API method [${method}] for path [${path}] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.`,
      );
    }
  }
  if (auth.AuthorizationScopes) {
    if (!Array.isArray(auth.AuthorizationScopes)) throw fail("Property 'Auth.AuthorizationScopes' should be a list.");
    if (!authorizer) throw fail("AuthorizationScopes works only when Authorizer is set");
  }
  const keyRequired = auth.ApiKeyRequired;
  if (keyRequired !== undefined && !keyRequired && !apiAuth?.ApiKeyRequired) {
    throw fail(
      `Unable to set ApiKeyRequired [False] on API method [${method}] for path [${path}] because the related API does not specify any ApiKeyRequired.`,
    );
  }
  const def = (pathsOf(body)[path] as Obj | undefined)?.[methodKey(method)];
  if (!isObj(def)) return;
  if (authorizer) {
    let scopes: unknown[] = [];
    if (authorizer !== "NONE" && authorizers) {
      const a = authorizers[String(authorizer)];
      const s = auth.AuthorizationScopes ?? (isObj(a) ? a.AuthorizationScopes : undefined);
      if (a !== undefined && s !== undefined) scopes = s as unknown[];
    }
    def.security = [...securityOf(route.fn ?? "", path, method, def), { [String(authorizer)]: scopes }];
    if ("AWS_IAM" in (def.security as Obj[])[0]) schemes(body).AWS_IAM ??= { ...AWS_IAM_SCHEME };
  }
  if (keyRequired !== undefined) {
    if (keyRequired) schemes(body).api_key ??= { ...API_KEY_SCHEME };
    def.security = [...securityOf(route.fn ?? "", path, method, def), { [keyRequired ? "api_key" : "api_key_false"]: [] }];
  }
}

/** IAM authorization's integration credentials: the caller's, unless an InvokeRole says otherwise (add_lambda_integration). */
function addIamCredentials(body: Obj, route: Route, apiAuth: Obj | undefined): void {
  const auth = isObj(route.auth) ? route.auth : {};
  const api = apiAuth ?? {};
  if (!(auth.Authorizer === "AWS_IAM" || (api.DefaultAuthorizer === "AWS_IAM" && !Object.keys(auth).length))) return;
  const role = auth.InvokeRole || ("InvokeRole" in auth ? "NONE" : undefined) || api.InvokeRole || ("InvokeRole" in api ? "NONE" : undefined);
  const credentials = role && role !== "CALLER_CREDENTIALS" ? role : "arn:aws:iam::*:user/*";
  const def = (pathsOf(body)[route.path] as Obj | undefined)?.[methodKey(route.method)];
  if (credentials !== "NONE" && isObj(def) && isObj(def[INTEGRATION])) def[INTEGRATION].credentials = credentials;
}

/** The API's default authorizer on every method without its own (SwaggerEditor.set_path_default_authorizer). */
function setDefaultAuthorizer(id: string, body: Obj, authorizers: Map<string, Obj>, name: string, preflight: boolean): void {
  const names = new Set(["AWS_IAM", ...authorizers.keys()]);
  for (const [path, item] of Object.entries(pathsOf(body))) {
    for (const [method, def] of methodsOf(item)) {
      if (!preflight && method === "options") continue;
      const others: Obj[] = [];
      const own: Obj[] = [];
      for (const s of securityOf(id, path, method, def)) {
        if (!isObj(s)) throw invalidResource(id, `${JSON.stringify(s)} in Security for path ${path} method ${method} is not a valid dictionary.`);
        (Object.keys(s).some((k) => names.has(k)) ? own : others).push(s);
      }
      let chosen: Obj[] = [];
      const none = others.findIndex((s) => "NONE" in s);
      if (none >= 0) others.splice(none, 1);
      else if (own.length) chosen = own;
      else chosen = [{ [name]: scopesOf(authorizers.get(name)) }];
      const security = [...others, ...chosen];
      if (security.length) {
        def.security = security;
        if ("AWS_IAM" in security[0]) schemes(body).AWS_IAM ??= { ...AWS_IAM_SCHEME };
      }
    }
  }
}

/** The API key on every method that does not opt out (SwaggerEditor.set_path_default_apikey_required). */
function setDefaultApiKey(id: string, body: Obj, preflight: boolean): void {
  for (const [path, item] of Object.entries(pathsOf(body))) {
    for (const [method, def] of methodsOf(item)) {
      const existing = securityOf(id, path, method, def);
      const others = existing.filter((s) => !isObj(s) || !("api_key" in s || "api_key_false" in s));
      const optedOut = existing.some((s) => isObj(s) && "api_key_false" in s);
      let security = optedOut ? others : [...others, { api_key: [] }];
      if (method === "options" && !preflight) security = others;
      if (JSON.stringify(security) !== JSON.stringify(existing)) def.security = security;
    }
  }
}

/**
 * The event routes' Auth and the API's Cors and Auth on the body (in SAM's order: events, then Cors, then Auth), and
 * the resources Auth makes. `body` is changed in place; undefined for a DefinitionUri API.
 */
export function applyRestOptions(
  ctx: SamContext,
  id: string,
  p: Obj,
  body: Obj | undefined,
  routes: Route[],
  attrs: Obj,
  stageId: () => string,
  addsMethods: boolean,
): void {
  const auth = p.Auth;
  if (auth !== undefined && !isObj(auth)) throw invalidResource(id, "Property 'Auth' should be a map.");
  if (body) {
    if (body.securityDefinitions !== undefined && body.securityDefinitions !== null && !isObj(body.securityDefinitions)) {
      throw invalidResource(id, "securityDefinitions must be a dictionary.");
    }
    if (addsMethods) {
      for (const r of routes) addIamCredentials(body, r, auth);
      for (const r of routes) {
        addEventAuth(body, r, auth);
        addEventExtras(body, r, p);
      }
    } else {
      // The template's own definition: an event's Auth applies to its method only with OverrideApiAuth (push.py).
      for (const r of routes) {
        if (!isObj(r.auth) || !r.auth.OverrideApiAuth) continue;
        if (!(r.auth.Authorizer || r.auth.ApiKeyRequired || r.auth.ResourcePolicy)) {
          throw invalidEvent(
            r.fn ?? "",
            r.event ?? "",
            "Must define one of: Authorizer, ApiKeyRequired or ResourcePolicy when using the OverrideApiAuth property.",
          );
        }
        addEventAuth(body, r, auth);
      }
    }
  }
  addCors(id, p.Cors, body);
  if (!auth) return;
  if (!body) throw invalidResource(id, "Auth works only with inline Swagger specified in 'DefinitionBody' property.");
  if (!Object.keys(auth).every((k) => AUTH_KEYS.includes(k))) throw invalidResource(id, "Invalid value for 'Auth' property");
  if (auth.ResourcePolicy !== undefined) throw invalidResource(id, "Property 'Auth.ResourcePolicy' is not supported by Stratus's SAM transform yet."); // Stratus's own wording
  if (!isSwagger(body)) {
    throw invalidResource(id, "Unable to add Auth configuration because 'DefinitionBody' does not contain a valid Swagger definition.");
  }
  const authorizers = authorizersOf(id, auth);
  if (authorizers) {
    const defs = schemes(body);
    for (const [name, a] of authorizers) defs[name] = a.AWS_IAM === true ? { ...AWS_IAM_SCHEME } : authorizerScheme(id, name, a);
    const dflt = auth.DefaultAuthorizer;
    if (dflt) {
      if (typeof dflt !== "string") throw invalidResource(id, "DefaultAuthorizer is not a string.");
      if (!authorizers.has(dflt) && dflt !== "AWS_IAM") {
        throw invalidResource(id, `Unable to set DefaultAuthorizer because '${dflt}' was not defined in 'Authorizers'.`);
      }
      setDefaultAuthorizer(id, body, authorizers, dflt, auth.AddDefaultAuthorizerToCorsPreflight !== false);
    }
  }
  if (auth.ApiKeyRequired) {
    schemes(body).api_key ??= { ...API_KEY_SCHEME };
    setDefaultApiKey(id, body, auth.AddApiKeyRequiredToCorsPreflight !== false);
  }
  // Lambda authorizers may be invoked by the API (_construct_authorizer_lambda_permission).
  for (const [name, a] of authorizersOf(id, { Authorizers: auth.Authorizers }) ?? []) {
    if (!a.FunctionArn || a.DisableFunctionDefaultPermissions === true) continue;
    ctx.add(id, `${id}${name}AuthorizerPermission`, {
      Type: "AWS::Lambda::Permission",
      ...attrs,
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: a.FunctionArn,
        Principal: "apigateway.amazonaws.com",
        SourceArn: { "Fn::Sub": ["arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*", { __ApiId__: { Ref: id } }] },
      },
    });
  }
  usagePlan(ctx, id, auth.UsagePlan, attrs, stageId());
}

const PLAN_KEYS = ["CreateUsagePlan", "Description", "Quota", "Tags", "Throttle", "UsagePlanName"];

/** Auth.UsagePlan: a plan, an API key and the key's membership, for this API (PER_API) or shared by all (SHARED). */
function usagePlan(ctx: SamContext, id: string, plan: unknown, attrs: Obj, stageId: string): void {
  if (plan === undefined || plan === null) return;
  if (!isObj(plan)) throw invalidResource(id, "'UsagePlan' must be a dictionary");
  if (!Object.keys(plan).every((k) => PLAN_KEYS.includes(k))) throw invalidResource(id, "Invalid property for 'UsagePlan'");
  const create = plan.CreateUsagePlan;
  if (create === undefined) throw invalidResource(id, "'CreateUsagePlan' is a required field for UsagePlan.");
  if (create !== "SHARED" && create !== "PER_API" && create !== "NONE") {
    throw invalidResource(id, "'CreateUsagePlan' accepts one of ['SHARED', 'PER_API', 'NONE'].");
  }
  if (create === "NONE") return;
  const shared = create === "SHARED";
  const planId = shared ? "ServerlessUsagePlan" : `${id}UsagePlan`;
  const keyId = shared ? "ServerlessApiKey" : `${id}ApiKey`;
  const memberId = shared ? "ServerlessUsagePlanKey" : `${id}UsagePlanKey`;
  const apiStage = { ApiId: { Ref: id }, Stage: { Ref: stageId } };
  const stageKey = { RestApiId: { Ref: id }, StageName: { Ref: stageId } };
  const existing = shared ? ctx.resources[planId] : undefined;
  if (existing) {
    // Another API's SHARED plan: this API joins it.
    ((existing.Properties as Obj).ApiStages as unknown[]).push(apiStage);
    (existing.DependsOn as string[]).push(id);
    ((ctx.resources[keyId].Properties as Obj).StageKeys as unknown[]).push(stageKey);
  } else {
    const props: Obj = { ApiStages: [apiStage] };
    for (const k of ["UsagePlanName", "Description", "Quota", "Tags", "Throttle"]) if (plan[k]) props[k] = plan[k];
    ctx.add(id, planId, { Type: "AWS::ApiGateway::UsagePlan", ...attrs, DependsOn: [id], Properties: props });
    ctx.add(id, keyId, { Type: "AWS::ApiGateway::ApiKey", ...attrs, DependsOn: [planId], Properties: { Enabled: true, StageKeys: [stageKey] } });
    ctx.add(id, memberId, {
      Type: "AWS::ApiGateway::UsagePlanKey",
      ...attrs,
      DependsOn: [keyId],
      Properties: { KeyId: { Ref: keyId }, KeyType: "API_KEY", UsagePlanId: { Ref: planId } },
    });
  }
}
