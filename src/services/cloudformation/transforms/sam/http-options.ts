// AWS::Serverless::HttpApi's CorsConfiguration and Auth as the SAM translator applies them to the OpenAPI body it
// deploys (samtranslator/model/api/http_api_generator.py _add_cors/_add_auth, open_api/open_api.py, model/apigatewayv2.py
// ApiGatewayV2Authorizer; event Auth from eventsources/push.py HttpApi._add_auth_to_openapi_integration):
// x-amazon-apigateway-cors, components.securitySchemes for Lambda (REQUEST), JWT and IAM authorizers, each route's
// security (the event's, else the API's default), and `<Api><Authorizer>AuthorizerPermission` for a Lambda authorizer
// that asks for it (EnableFunctionDefaultPermissions: HTTP APIs get none by default).
import { invalidEvent, invalidResource, isIntrinsic, isObj, type Obj } from "./common.js";
import type { Route, SamContext } from "./context.js";

const ANY = "x-amazon-apigateway-any-method";
const INTEGRATION = "x-amazon-apigateway-integration";
const AUTHORIZER = "x-amazon-apigateway-authorizer";
const isOpenApi3 = (body: unknown): body is Obj =>
  isObj(body) && isObj(body.paths) && typeof body.openapi === "string" && /^3(\.\d)(\.\d)?$/.test(body.openapi);

// ---- CorsConfiguration -----------------------------------------------------------------------------------------------

const CORS_KEYS = ["AllowMethods", "AllowHeaders", "AllowOrigins", "MaxAge", "ExposeHeaders", "AllowCredentials"];

function addCors(id: string, cors: unknown, body: Obj | undefined): void {
  if (!cors) return;
  if (!body) throw invalidResource(id, "Cors works only with inline OpenApi specified in 'DefinitionBody' property.");
  let c: Obj;
  if (typeof cors === "boolean") c = { AllowOrigins: ["*"] };
  else if (isIntrinsic(cors)) c = { AllowOrigins: cors };
  else if (isObj(cors)) {
    for (const k of Object.keys(cors)) if (!CORS_KEYS.includes(k)) throw invalidResource(id, `Invalid key '${k}' for 'Cors' property.`);
    c = cors;
  } else throw invalidResource(id, "Invalid value for 'Cors' property.");
  if (!isOpenApi3(body)) {
    throw invalidResource(id, "Unable to add Cors configuration because 'DefinitionBody' does not contain a valid OpenApi definition.");
  }
  if (c.AllowCredentials === true && JSON.stringify(c.AllowOrigins) === '["*"]') {
    throw invalidResource(id, "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set.");
  }
  const existing = body["x-amazon-apigateway-cors"] ?? {};
  if (!isObj(existing)) throw invalidResource(id, "Value of 'x-amazon-apigateway-cors' must be a dictionary according to Swagger spec.");
  const out: Obj = { ...existing };
  if (isIntrinsic(c.AllowOrigins)) {
    // An intrinsic (Fn::If of whole configurations) is passed on with its keys in the extension's camel case.
    let text = JSON.stringify(c.AllowOrigins);
    for (const k of CORS_KEYS) text = text.split(k).join(k[0].toLowerCase() + k.slice(1));
    Object.assign(out, JSON.parse(text));
  } else {
    if (c.AllowOrigins) out.allowOrigins = c.AllowOrigins;
    if (c.AllowHeaders) out.allowHeaders = c.AllowHeaders;
    if (c.AllowMethods) out.allowMethods = c.AllowMethods;
    if (c.ExposeHeaders) out.exposeHeaders = c.ExposeHeaders;
    if (c.MaxAge !== undefined && c.MaxAge !== null) out.maxAge = c.MaxAge;
    if (c.AllowCredentials === true) out.allowCredentials = true;
  }
  body["x-amazon-apigateway-cors"] = out;
}

// ---- Auth --------------------------------------------------------------------------------------------------------

const AUTH_KEYS = ["Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"];
const PROPS: Record<string, [kind: "JWT" | "REQUEST", hint: string]> = {
  AuthorizationScopes: ["JWT", "OAuth2 Authorizer"],
  JwtConfiguration: ["JWT", "OAuth2 Authorizer"],
  IdentitySource: ["JWT", "OAuth2 Authorizer. For Lambda Authorizer, use the 'Identity' property instead"],
  FunctionArn: ["REQUEST", "Lambda Authorizer"],
  FunctionInvokeRole: ["REQUEST", "Lambda Authorizer"],
  Identity: ["REQUEST", "Lambda Authorizer"],
  AuthorizerPayloadFormatVersion: ["REQUEST", "Lambda Authorizer"],
  EnableSimpleResponses: ["REQUEST", "Lambda Authorizer"],
  EnableFunctionDefaultPermissions: ["REQUEST", "Lambda Authorizer"],
};

/** An authorizer's securitySchemes entry (ApiGatewayV2Authorizer.generate_openapi), checked as SAM checks it. */
function scheme(id: string, name: string, a: Obj): Obj {
  if ("OpenIdConnectUrl" in a) {
    throw invalidResource(id, `'OpenIdConnectUrl' is no longer a supported property for authorizer '${name}'. Please refer to the AWS SAM documentation.`);
  }
  if (a.JwtConfiguration !== undefined && a.JwtConfiguration !== null && !isObj(a.JwtConfiguration)) {
    throw invalidResource(id, "Property 'JwtConfiguration' should be a map.");
  }
  const kind = a.JwtConfiguration ? "JWT" : "REQUEST";
  if (a.AuthorizationScopes !== undefined && a.AuthorizationScopes !== null && !Array.isArray(a.AuthorizationScopes)) {
    throw invalidResource(id, "AuthorizationScopes must be a list.");
  }
  for (const [k, [allowed, hint]] of Object.entries(PROPS)) {
    if (a[k] !== undefined && a[k] !== null && allowed !== kind) throw invalidResource(id, `${k} is only supported for ${hint}.`);
  }
  if (kind === "JWT") {
    if (!a.IdentitySource) throw invalidResource(id, `${name} OAuth2 Authorizer must define 'IdentitySource'.`);
    // The extension's keys are lower case, whichever case the template gives (issuer, audience).
    const jwt = Object.fromEntries(Object.entries(a.JwtConfiguration as Obj).map(([k, v]) => [k.toLowerCase(), v]));
    return { type: "oauth2", [AUTHORIZER]: { jwtConfiguration: jwt, identitySource: a.IdentitySource, type: "jwt" } };
  }
  if (!a.FunctionArn) throw invalidResource(id, `${name} Lambda Authorizer must define 'FunctionArn'.`);
  if (!a.AuthorizerPayloadFormatVersion) throw invalidResource(id, `${name} Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'.`);
  if (a.EnableFunctionDefaultPermissions !== undefined && typeof a.EnableFunctionDefaultPermissions !== "boolean") {
    throw invalidResource(id, `Property 'Authorizers.${name}.EnableFunctionDefaultPermissions' should be a boolean.`);
  }
  const x: Obj = {
    type: "request",
    authorizerUri: {
      "Fn::Sub": [
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
        { __FunctionArn__: a.FunctionArn },
      ],
    },
  };
  if (a.FunctionInvokeRole && a.FunctionInvokeRole !== "NONE") x.authorizerCredentials = a.FunctionInvokeRole;
  if (a.Identity) {
    if (!isObj(a.Identity)) throw invalidResource(id, `Property 'Auth.Authorizers.${name}.Identity' should be a map.`);
    if (a.Identity.ReauthorizeEvery !== undefined && a.Identity.ReauthorizeEvery !== null) x.authorizerResultTtlInSeconds = a.Identity.ReauthorizeEvery;
    const sources: string[] = [];
    for (const [prefix, k] of [
      ["$request.header.", "Headers"],
      ["$request.querystring.", "QueryStrings"],
      ["$stageVariables.", "StageVariables"],
      ["$context.", "Context"],
    ] as const) {
      const v = a.Identity[k];
      if (!v) continue;
      if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
        throw invalidResource(id, `Property 'Authorizers.${name}.Identity.${k}' should be a list of string.`);
      }
      sources.push(...v.map((s) => prefix + s));
    }
    x.identitySource = sources;
  }
  x.authorizerPayloadFormatVersion = a.AuthorizerPayloadFormatVersion;
  if (a.EnableSimpleResponses) x.enableSimpleResponses = a.EnableSimpleResponses;
  return { type: "apiKey", name: "Unused", in: "header", [AUTHORIZER]: x };
}

/** The API's authorizers by name (AWS_IAM with EnableIamAuthorizer). */
function authorizersOf(id: string, auth: Obj): Map<string, Obj> {
  const out = new Map<string, Obj>();
  if (auth.EnableIamAuthorizer === true) out.set("AWS_IAM", { AWS_IAM: true });
  const given = auth.Authorizers;
  if (!given) return out;
  if (!isObj(given)) throw invalidResource(id, "Property 'Auth.Authorizers' should be a map.");
  for (const [name, a] of Object.entries(given)) {
    if (!isObj(a)) throw invalidResource(id, `Property 'Auth.Authorizers.${name}' should be a map.`);
    out.set(name, a);
  }
  return out;
}

/** An HttpApi event's Auth on its route (HttpApi._add_auth_to_openapi_integration, OpenApiEditor._set_method_authorizer). */
function addEventAuth(body: Obj, route: Route, apiAuth: Obj): void {
  const auth = route.auth;
  if (auth === undefined) return;
  const fail = (m: string) => invalidEvent(route.fn ?? "", route.event ?? "", m);
  if (!isObj(auth)) throw fail("Property 'Auth' should be a map.");
  for (const k of Object.keys(auth)) {
    if (k !== "Authorizer" && k !== "AuthorizationScopes")
      throw fail(`Property 'Auth.${k}' of an HttpApi event is not supported by Stratus's SAM transform yet.`); // Stratus's own wording
  }
  const { method, path } = route;
  let authorizer = auth.Authorizer;
  if (!authorizer) {
    if (!apiAuth.DefaultAuthorizer) {
      throw fail("'Auth' section requires either an explicit 'Authorizer' set or a 'DefaultAuthorizer' configured on the HttpApi.");
    }
    authorizer = apiAuth.DefaultAuthorizer;
  }
  const authorizers = isObj(apiAuth.Authorizers) ? apiAuth.Authorizers : undefined;
  const iam = apiAuth.EnableIamAuthorizer === true;
  if (authorizer !== "NONE" && !(authorizer === "AWS_IAM" && iam) && (typeof authorizer !== "string" || (authorizers && !isObj(authorizers)))) {
    throw fail(
      `Unable to set Authorizer [${JSON.stringify(authorizer)}] on API method [${method}] for path [${path}]. The method authorizer must be a string with a corresponding dict entry in the api authorizer.`,
    );
  }
  if (authorizer === "NONE") {
    if (!apiAuth.DefaultAuthorizer) {
      throw fail(
        `Unable to set Authorizer on API method [${method}] for path [${path}] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.`,
      );
    }
  } else if (!(authorizer === "AWS_IAM" && iam)) {
    if (!authorizers) {
      throw fail(
        `Unable to set Authorizer [${String(authorizer)}] on API method [${method}] for path [${path}] because the related API does not define any Authorizers.`,
      );
    }
    if (!authorizers[String(authorizer)]) {
      throw fail(
        `Unable to set Authorizer [${String(authorizer)}] on API method [${method}] for path [${path}] because it wasn't defined in the API's Authorizers.`,
      );
    }
  }
  if (auth.AuthorizationScopes && !Array.isArray(auth.AuthorizationScopes)) {
    throw fail(`Unable to set Authorizer on API method [${method}] for path [${path}] because 'AuthorizationScopes' must be a list of strings.`);
  }
  const item = (body.paths as Obj)[path];
  const def = isObj(item) ? item[method === "any" ? ANY : method] : undefined;
  if (!isObj(def)) return;
  const name = String(authorizer);
  let scopes: unknown = [];
  if (name !== "NONE" && name !== "AWS_IAM" && authorizers) {
    const a = authorizers[name];
    const given = Array.isArray(auth.AuthorizationScopes) && auth.AuthorizationScopes.length ? auth.AuthorizationScopes : undefined;
    const s = given ?? (isObj(a) ? a.AuthorizationScopes : undefined);
    if (a && Array.isArray(s) && s.length) scopes = s;
  }
  const existing = def.security ?? [];
  if (!Array.isArray(existing)) throw fail(`Type of security for path ${path} method ${method} must be a list`);
  def.security = [...existing, { [name]: scopes }];
}

/** The event routes' Auth and the API's CorsConfiguration and Auth on the body (`body` changed in place). */
export function applyHttpOptions(ctx: SamContext, id: string, p: Obj, body: Obj | undefined, routes: Route[], attrs: Obj): void {
  const auth = p.Auth;
  if (auth !== undefined && !isObj(auth)) throw invalidResource(id, "Property 'Auth' should be a map.");
  if (body) for (const r of routes) addEventAuth(body, r, auth ?? {});
  addCors(id, p.CorsConfiguration, body);
  if (!auth) return;
  if (!body) throw invalidResource(id, "Auth works only with inline OpenApi specified in the 'DefinitionBody' property.");
  if (!Object.keys(auth).every((k) => AUTH_KEYS.includes(k))) throw invalidResource(id, "Invalid value for 'Auth' property");
  if (!isOpenApi3(body)) {
    throw invalidResource(id, "Unable to add Auth configuration because 'DefinitionBody' does not contain a valid OpenApi definition.");
  }
  const authorizers = authorizersOf(id, auth);
  if (authorizers.size) {
    const components = isObj(body.components) ? body.components : (body.components = {});
    const schemes = isObj(components.securitySchemes) ? components.securitySchemes : (components.securitySchemes = {});
    for (const [name, a] of authorizers) {
      schemes[name] =
        a.AWS_IAM === true ? { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "awsSigv4" } : scheme(id, name, a);
    }
  }
  const dflt = auth.DefaultAuthorizer;
  if (dflt && !(isObj(dflt) && "Ref" in dflt && dflt.Ref === "AWS::NoValue")) {
    if (typeof dflt !== "string") throw invalidResource(id, "Property 'Auth.DefaultAuthorizer' should be a string.");
    if (!authorizers.has(dflt)) throw invalidResource(id, `Unable to set DefaultAuthorizer because '${dflt}' was not defined in 'Authorizers'.`);
    const a = authorizers.get(dflt)!;
    const scopes = Array.isArray(a.AuthorizationScopes) ? a.AuthorizationScopes : [];
    for (const item of Object.values(body.paths as Obj)) {
      if (!isObj(item)) continue;
      for (const [method, def] of Object.entries(item)) {
        if (method === "parameters" || method === "options" || !isObj(def) || !isObj(def[INTEGRATION])) continue;
        // A route with its own security keeps it (an empty list is none, as Python's truthiness has it).
        if (Array.isArray(def.security) ? def.security.length : def.security) continue;
        def.security = [{ [dflt]: scopes }];
      }
    }
  }
  // A Lambda authorizer's permission, only when asked for (HTTP APIs get none by default).
  for (const [name, a] of authorizers) {
    if (!a.FunctionArn || a.EnableFunctionDefaultPermissions !== true) continue;
    ctx.add(id, `${id}${name}AuthorizerPermission`, {
      Type: "AWS::Lambda::Permission",
      ...attrs,
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: a.FunctionArn,
        Principal: "apigateway.amazonaws.com",
        SourceArn: { "Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*", { __ApiId__: { Ref: id } }] },
      },
    });
  }
}
