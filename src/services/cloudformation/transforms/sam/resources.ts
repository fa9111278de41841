// AWS::Serverless::LayerVersion, SimpleTable, Api and HttpApi, and the implicit APIs (ServerlessRestApi,
// ServerlessHttpApi) events make — the shapes of the SAM translator's expected outputs (tests/translator/output/
// basic_layer.json, simpletable.json, implicit_api.json, implicit_http_api.json).
import { copyProps, idHash, invalidEvent, invalidResource, isIntrinsic, isObj, type Obj, pyList, pyRepr, s3Location, sha1, tagList } from "./common.js";
import type { Route, SamContext } from "./context.js";
import { passthrough } from "./function.js";
import { applyHttpOptions } from "./http-options.js";
import { addApiExtras, openApiPostprocess } from "./rest-extras.js";
import { applyRestOptions } from "./rest-options.js";

/** A layer's string properties with Ref to a parameter resolved, as SAM resolves them before hashing the layer. */
export function resolveLayer(r: Obj, params: Record<string, unknown>): Obj {
  if (!isObj(r.Properties)) return r;
  const p: Obj = { ...r.Properties };
  for (const k of ["LayerName", "LicenseInfo", "Description", "RetentionPolicy"]) {
    const v = p[k];
    if (isObj(v) && typeof v.Ref === "string" && Object.keys(v).length === 1 && typeof params[v.Ref] === "string") p[k] = params[v.Ref];
  }
  return { ...r, Properties: p };
}

/** A layer's logical id gains a hash of its SAM definition (to_dict without DeletionPolicy/UpdateReplacePolicy/Metadata). */
export function layerId(id: string, r: Obj): string {
  const { DeletionPolicy: _d, UpdateReplacePolicy: _u, Metadata: _m, IgnoreGlobals: _i, ...hashed } = r;
  return `${id}${idHash({ [id]: hashed })}`;
}

const LAYER_PROPS = new Set([
  "LayerName",
  "Description",
  "ContentUri",
  "CompatibleArchitectures",
  "CompatibleRuntimes",
  "LicenseInfo",
  "RetentionPolicy",
  "PublishLambdaVersion",
]);

export function translateLayer(ctx: SamContext, id: string, given: Obj): void {
  const r = resolveLayer(given, ctx.params);
  const p = (r.Properties ?? {}) as Obj;
  if (!isObj(p)) throw invalidResource(id, "Attribute 'Properties' should be a map.");
  for (const k of Object.keys(p))
    if (!LAYER_PROPS.has(k)) throw invalidResource(id, `property ${k} not defined for resource of type AWS::Serverless::LayerVersion`);
  if (p.ContentUri === undefined) throw invalidResource(id, "Missing required property 'ContentUri'.");
  for (const k of ["CompatibleRuntimes", "CompatibleArchitectures"]) {
    if (p[k] !== undefined && !Array.isArray(p[k]) && !isIntrinsic(p[k])) throw invalidResource(id, `Type of property '${k}' is invalid.`);
  }
  const options = ["Retain", "Delete"];
  let deletion = (r.DeletionPolicy as string | undefined) ?? "Retain";
  const retention = p.RetentionPolicy;
  if (isIntrinsic(retention)) {
    throw invalidResource(id, `'RetentionPolicy' does not accept intrinsic functions, please use one of the following options: ${pyList(options)}`);
  }
  if (retention !== undefined) {
    const match = options.find((o) => typeof retention === "string" && o.toLowerCase() === retention.toLowerCase());
    if (!match) throw invalidResource(id, `'RetentionPolicy' must be one of the following options: ${pyList(options)}.`);
    deletion = match;
  }
  const newId = layerId(id, r);
  const props: Obj = { LayerName: p.LayerName ?? id };
  copyProps(props, p, ["Description"]);
  props.Content = s3Location(p.ContentUri, newId, "ContentUri", ["S3Bucket", "S3Key", "S3ObjectVersion"]);
  copyProps(props, p, ["CompatibleArchitectures", "CompatibleRuntimes", "LicenseInfo"]);
  ctx.add(id, newId, { Type: "AWS::Lambda::LayerVersion", ...passthrough(r), ...copyProps({}, r, ["DependsOn"]), DeletionPolicy: deletion, Properties: props });
}

const ATTRIBUTE_TYPES: Record<string, string> = { String: "S", Number: "N", Binary: "B" };

export function translateTable(ctx: SamContext, id: string, r: Obj): void {
  const p = (r.Properties ?? {}) as Obj;
  if (!isObj(p)) throw invalidResource(id, "Attribute 'Properties' should be a map.");
  const allowed = new Set(["PrimaryKey", "ProvisionedThroughput", "TableName", "Tags", "SSESpecification", "PointInTimeRecoverySpecification"]);
  for (const k of Object.keys(p)) if (!allowed.has(k)) throw invalidResource(id, `property ${k} not defined for resource of type AWS::Serverless::SimpleTable`);
  const key = isObj(p.PrimaryKey) ? p.PrimaryKey : { Name: "id", Type: "String" };
  if (key.Name === undefined) throw invalidResource(id, "'PrimaryKey' is missing required Property 'Name'.");
  if (key.Type === undefined) throw invalidResource(id, "'PrimaryKey' is missing required Property 'Type'.");
  const attrType = ATTRIBUTE_TYPES[String(key.Type)];
  if (!attrType) throw invalidResource(id, `Invalid 'Type' "${String(key.Type)}".`);
  const props: Obj = {
    AttributeDefinitions: [{ AttributeName: key.Name, AttributeType: attrType }],
    KeySchema: [{ AttributeName: key.Name, KeyType: "HASH" }],
  };
  if (p.ProvisionedThroughput !== undefined) props.ProvisionedThroughput = p.ProvisionedThroughput;
  else props.BillingMode = "PAY_PER_REQUEST";
  copyProps(props, p, ["TableName", "SSESpecification", "PointInTimeRecoverySpecification"]);
  if (isObj(p.Tags)) props.Tags = tagList(p.Tags);
  ctx.add(id, id, { Type: "AWS::DynamoDB::Table", ...passthrough(r), ...copyProps({}, r, ["DependsOn"]), Properties: props });
}

const integrationUri = (target: string, partition: string) => ({
  "Fn::Sub": `arn:${partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${target}}/invocations`,
});

/** The swagger 2.0 paths a REST API's Api events make (aws_proxy integrations). */
function restPaths(routes: Route[]): Obj {
  const paths: Obj = {};
  for (const r of routes) {
    const methods = (paths[r.path] ??= {}) as Obj;
    methods[r.method === "any" ? "x-amazon-apigateway-any-method" : r.method] = {
      "x-amazon-apigateway-integration": { type: "aws_proxy", httpMethod: "POST", uri: integrationUri(r.target, "aws") },
      responses: {},
    };
  }
  return paths;
}

/** The OpenAPI 3 paths an HTTP API's HttpApi events make (payload format 2.0 unless given). */
function httpPaths(routes: Route[]): Obj {
  const paths: Obj = {};
  for (const r of routes) {
    const methods = (paths[r.path] ??= {}) as Obj;
    const integration: Obj = {
      type: "aws_proxy",
      httpMethod: "POST",
      uri: integrationUri(r.target, "${AWS::Partition}"),
      payloadFormatVersion: r.payloadFormatVersion ?? "2.0",
    };
    if (r.timeoutInMillis !== undefined) integration.timeoutInMillis = r.timeoutInMillis;
    const op: Obj = { "x-amazon-apigateway-integration": integration, responses: {} };
    if (r.path === "$default") op.isDefaultRoute = true;
    const params = [...r.path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => ({ name: m[1], in: "path", required: true }));
    if (params.length) op.parameters = params;
    methods[r.method === "any" ? "x-amazon-apigateway-any-method" : r.method] = op;
  }
  return paths;
}

/** Generated methods added to a definition's paths: over the definition's method (`over`), else where it has no integration. */
function mergePaths(given: unknown, generated: Obj, over: boolean): Obj {
  const out: Obj = isObj(given) ? { ...given } : {};
  for (const [path, methods] of Object.entries(generated)) {
    const item: Obj = isObj(out[path]) ? { ...(out[path] as Obj) } : {};
    for (const [m, def] of Object.entries(methods as Obj)) {
      const have = item[m];
      if (!isObj(have)) item[m] = def;
      else if (over || !isObj(have["x-amazon-apigateway-integration"])) item[m] = { ...have, ...(def as Obj) };
    }
    out[path] = item;
  }
  return out;
}

/** The API properties this transform translates; any other SAM property is refused, never dropped. */
const REST_PROPS = new Set([
  "StageName",
  "DefinitionBody",
  "DefinitionUri",
  "Name",
  "Description",
  "BinaryMediaTypes",
  "MinimumCompressionSize",
  "Mode",
  "DisableExecuteApiEndpoint",
  "FailOnWarnings",
  "EndpointConfiguration",
  "Variables",
  "MethodSettings",
  "CacheClusterEnabled",
  "CacheClusterSize",
  "TracingEnabled",
  "AccessLogSetting",
  "Tags",
  "Cors",
  "Auth",
  "GatewayResponses",
  "Models",
  "ApiKeySourceType",
  "Policy",
  "OpenApiVersion",
  "CanarySetting",
  "AlwaysDeploy",
  "PropagateTags",
  "MergeDefinitions",
]);
const HTTP_PROPS = new Set([
  "StageName",
  "DefinitionBody",
  "DefinitionUri",
  "Description",
  "FailOnWarnings",
  "DisableExecuteApiEndpoint",
  "StageVariables",
  "AccessLogSettings",
  "DefaultRouteSettings",
  "RouteSettings",
  "Tags",
  "CorsConfiguration",
  "Auth",
  "Name",
  // An HttpApi's tags reach its stage whenever it has an inline definition, PropagateTags or not (SamHttpApi).
  "PropagateTags",
]);
function refuseOthers(id: string, p: Obj, allowed: Set<string>): void {
  for (const k of Object.keys(p)) if (!allowed.has(k)) throw invalidResource(id, `Property '${k}' is not supported by Stratus's SAM transform yet.`); // Stratus's own wording
}

/**
 * A REST API (implicit or AWS::Serverless::Api): RestApi, a Deployment named by a hash of its body, a Stage; the
 * implicit API takes the Globals' Api section (`implicit`), as SAM's implicit API resource does.
 */
export function translateRestApi(ctx: SamContext, id: string, r: Obj | undefined, implicit?: Obj): void {
  const p = (r?.Properties ?? implicit ?? {}) as Obj;
  refuseOthers(id, p, REST_PROPS);
  const routes = ctx.restRoutes.get(id) ?? [];
  if (r && p.StageName === undefined) throw invalidResource(id, "Missing required property 'StageName'.");
  if (p.DefinitionBody !== undefined && p.DefinitionUri !== undefined)
    throw invalidResource(id, "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.");
  if (p.DefinitionUri !== undefined && p.MergeDefinitions) throw invalidResource(id, "Cannot set 'MergeDefinitions' to True when using `DefinitionUri`.");
  const version = p.OpenApiVersion;
  if (version !== undefined && (typeof version !== "string" || !/^[23](\.\d)(\.\d)?$/.test(version))) {
    throw invalidResource(id, "The OpenApiVersion value must be of the format '3.0.0'.");
  }
  const api: Obj = {};
  let body: Obj | undefined;
  if (p.DefinitionUri !== undefined) api.BodyS3Location = s3Location(p.DefinitionUri, id, "DefinitionUri", ["Bucket", "Key", "Version"]);
  else {
    body = isObj(p.DefinitionBody) ? p.DefinitionBody : { swagger: "2.0", info: { version: "1.0", title: { Ref: "AWS::StackName" } }, paths: {} };
    // Events add their methods to the body SAM makes, or to the template's with MergeDefinitions (the generated
    // method's keys over the template's); a template's own DefinitionBody is otherwise left as it is.
    if (p.DefinitionBody === undefined) body = { ...body, paths: restPaths(routes) };
    else if (p.MergeDefinitions === true) body = { ...body, paths: mergePaths(body.paths, restPaths(routes), true) };
    // The body SAM makes takes an OpenAPI 3 version in place of swagger's (GlobalsPlugin.fix_openapi_definitions).
    if (p.DefinitionBody === undefined && typeof version === "string" && version.startsWith("3")) {
      const { swagger: _swagger, ...rest } = body;
      body = { ...rest, openapi: version };
    }
    body = structuredClone(body);
  }
  const stageName = r ? p.StageName : "Prod";
  const suffix = typeof stageName === "string" ? stageName.replace(/[^A-Za-z0-9]/g, "") : "";
  const stageId = `${id}${suffix}Stage`;
  const attrs = r ? passthrough(r) : {};
  // An event's Auth and request settings apply to the methods it adds.
  applyRestOptions(ctx, id, p, body, routes, attrs, () => stageId, p.DefinitionBody === undefined || p.MergeDefinitions === true);
  addApiExtras(id, p, body);
  if (body) {
    openApiPostprocess(body, version);
    api.Body = body;
  }
  copyProps(api, p, [
    "Name",
    "Description",
    "BinaryMediaTypes",
    "MinimumCompressionSize",
    "Mode",
    "DisableExecuteApiEndpoint",
    "FailOnWarnings",
    "ApiKeySourceType",
    "Policy",
  ]);
  if (isObj(p.EndpointConfiguration)) api.EndpointConfiguration = { Types: [p.EndpointConfiguration.Type] };
  else if (typeof p.EndpointConfiguration === "string") api.EndpointConfiguration = { Types: [p.EndpointConfiguration] };
  ctx.add(id, id, { Type: "AWS::ApiGateway::RestApi", ...attrs, Properties: api });
  // The deployment's id hashes the body (and the OpenApiVersion); with an OpenApiVersion, SAM leaves out its extra
  // "Stage" stage (ApiGatewayDeployment.make_auto_deployable, ApiGenerator.remove_extra_stage).
  // AlwaysDeploy: a hash of the time alone, so every transform makes a new deployment.
  const hashed = p.AlwaysDeploy === true ? String(Math.floor(ctx.now() / 1000)) : pyRepr(body ?? api.BodyS3Location) + (version ? `||${String(version)}` : "");
  const digest = sha1(hashed);
  const deploymentId = `${id}Deployment${digest.slice(0, 10)}`;
  ctx.add(id, deploymentId, {
    Type: "AWS::ApiGateway::Deployment",
    ...attrs,
    Properties: { Description: `RestApi deployment id: ${digest}`, RestApiId: { Ref: id }, ...(version ? {} : { StageName: "Stage" }) },
  });
  const stage: Obj = { DeploymentId: { Ref: deploymentId }, RestApiId: { Ref: id }, StageName: stageName };
  copyProps(stage, p, ["Variables", "MethodSettings", "CacheClusterEnabled", "CacheClusterSize", "TracingEnabled", "AccessLogSetting", "CanarySetting"]);
  if (isObj(p.Tags)) stage.Tags = tagList(p.Tags);
  ctx.add(id, stageId, { Type: "AWS::ApiGateway::Stage", ...attrs, Properties: stage });
  // PropagateTags: the API's Tags on every resource it makes that takes tags (SamResourceMacro.propagate_tags).
  if (p.PropagateTags === true && isObj(p.Tags) && Object.keys(p.Tags).length) {
    const tagged = new Set(["AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage", "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::ApiKey"]);
    for (const rid of [id, stageId, `${id}UsagePlan`, `${id}ApiKey`, "ServerlessUsagePlan", "ServerlessApiKey"]) {
      const res = ctx.resources[rid];
      if (res && tagged.has(String(res.Type))) (res.Properties as Obj).Tags = tagList(p.Tags);
    }
  }
}

/** An HTTP API (implicit or AWS::Serverless::HttpApi): ApiGatewayV2 Api with its body, and its stage. */
export function translateHttpApi(ctx: SamContext, id: string, r: Obj | undefined, implicit?: Obj): void {
  const p = (r?.Properties ?? implicit ?? {}) as Obj;
  refuseOthers(id, p, HTTP_PROPS);
  const routes = ctx.httpRoutes.get(id) ?? [];
  const api: Obj = {};
  const attrs = r ? passthrough(r) : {};
  let body: Obj | undefined;
  if (p.DefinitionUri !== undefined) api.BodyS3Location = s3Location(p.DefinitionUri, id, "DefinitionUri", ["Bucket", "Key", "Version"]);
  else {
    const base = isObj(p.DefinitionBody) ? p.DefinitionBody : { openapi: "3.0.1", info: { version: "1.0", title: { Ref: "AWS::StackName" } }, paths: {} };
    // A method the definition already has keeps its own integration (OpenApiEditor.add_lambda_integration).
    body = structuredClone({ ...base, paths: mergePaths(base.paths, httpPaths(routes), false) });
  }
  applyHttpOptions(ctx, id, p, body, routes, attrs);
  if (p.Name) {
    // Name is the definition's title, unless the definition has its own (HttpApiGenerator._add_title).
    if (!body) throw invalidResource(id, "Name works only with inline OpenApi specified in the 'DefinitionBody' property.");
    const info = isObj(body.info) ? body.info : (body.info = {});
    if (JSON.stringify(info.title) !== JSON.stringify({ Ref: "AWS::StackName" })) {
      throw invalidResource(id, "Unable to set Name because it is already defined within inline OpenAPI specified in the 'DefinitionBody' property.");
    }
    info.title = p.Name;
  }
  if (body) {
    // The template's tags, then SAM's own, as the definition's root-level tags: a tag the definition has takes the
    // value, others are appended (HttpApiGenerator._add_tags, OpenApiEditor.add_tags).
    const tags = Array.isArray(body.tags) ? body.tags.map((t) => (isObj(t) ? { ...t } : t)) : [];
    for (const t of [...tagList(p.Tags), { Key: "httpapi:createdBy", Value: "SAM" }]) {
      const have = tags.find((x) => isObj(x) && x.name === t.Key) as Obj | undefined;
      if (have) have["x-amazon-apigateway-tag-value"] = t.Value;
      else tags.push({ name: t.Key, "x-amazon-apigateway-tag-value": t.Value });
    }
    api.Body = { ...body, tags };
  }
  copyProps(api, p, ["Description", "FailOnWarnings", "DisableExecuteApiEndpoint"]);
  ctx.add(id, id, { Type: "AWS::ApiGatewayV2::Api", ...attrs, Properties: api });
  const stageName = p.StageName ?? "$default";
  const stage: Obj = { ApiId: { Ref: id }, StageName: stageName, AutoDeploy: true, Tags: { ...(isObj(p.Tags) ? p.Tags : {}), "httpapi:createdBy": "SAM" } };
  copyProps(stage, p, ["StageVariables", "AccessLogSettings", "DefaultRouteSettings", "RouteSettings"]);
  // Events' RouteSettings merge into the API's, by route (ImplicitHttpApiPlugin._add_route_settings_to_api).
  for (const rt of routes) {
    if (!rt.routeSettings) continue;
    if (!isObj(rt.routeSettings.settings)) throw invalidEvent(rt.fn ?? "", rt.event ?? "", "Property 'RouteSettings' should be a map.");
    const all = isObj(stage.RouteSettings) ? { ...stage.RouteSettings } : {};
    all[rt.routeSettings.route] = { ...(isObj(all[rt.routeSettings.route]) ? (all[rt.routeSettings.route] as Obj) : {}), ...rt.routeSettings.settings };
    stage.RouteSettings = all;
  }
  const stageId = stageName === "$default" ? `${id}ApiGatewayDefaultStage` : `${id}${String(stageName).replace(/[^A-Za-z0-9]/g, "")}Stage`;
  ctx.add(id, stageId, { Type: "AWS::ApiGatewayV2::Stage", ...attrs, Properties: stage });
}
