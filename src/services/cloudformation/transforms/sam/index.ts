// The AWS::Serverless-2016-10-31 transform (SAM): the Globals section merged into each resource, every
// AWS::Serverless::* resource replaced by the CloudFormation resources the SAM translator makes of it, references to
// renamed ids rewritten; a template SAM finds invalid fails the operation with SAM's message, prefixed as
// CloudFormation prefixes a transform's failure ("Transform AWS::Serverless-2016-10-31 failed with: …").
import type { HandlerContext } from "../../../../core/context.js";
import { ServiceError } from "../../../../core/errors.js";
import type { Template } from "../../template/index.js";
import type { TransformFn } from "../index.js";
import { invalidGlobals, invalidResource, isIntrinsic, isObj, type Obj, pyList, renameRefs, SamError } from "./common.js";
import type { SamContext } from "./context.js";
import { translateFunction } from "./function.js";
import { layerId, resolveLayer, translateHttpApi, translateLayer, translateRestApi, translateTable } from "./resources.js";

export const NAME = "AWS::Serverless-2016-10-31";

/** The properties each Globals section may set (samtranslator/plugins/globals/globals.py). */
const GLOBALS: Record<string, string[]> = {
  Function: [
    "Handler",
    "Runtime",
    "CodeUri",
    "DeadLetterQueue",
    "Description",
    "MemorySize",
    "Timeout",
    "VpcConfig",
    "Environment",
    "Tags",
    "PropagateTags",
    "Tracing",
    "KmsKeyArn",
    "AutoPublishAlias",
    "AutoPublishAliasAllProperties",
    "Layers",
    "DeploymentPreference",
    "RolePath",
    "PermissionsBoundary",
    "ReservedConcurrentExecutions",
    "ProvisionedConcurrencyConfig",
    "AssumeRolePolicyDocument",
    "EventInvokeConfig",
    "FileSystemConfigs",
    "CodeSigningConfigArn",
    "Architectures",
    "SnapStart",
    "EphemeralStorage",
    "FunctionUrlConfig",
    "RuntimeManagementConfig",
    "LoggingConfig",
    "RecursiveLoop",
    "SourceKMSKeyArn",
    "TenancyConfig",
    "DurableConfig",
    "CapacityProviderConfig",
    "FunctionScalingConfig",
    "PublishToLatestPublished",
    "VersionDeletionPolicy",
  ],
  Api: [
    "Auth",
    "Name",
    "DefinitionUri",
    "CacheClusterEnabled",
    "CacheClusterSize",
    "MergeDefinitions",
    "Variables",
    "EndpointConfiguration",
    "MethodSettings",
    "BinaryMediaTypes",
    "MinimumCompressionSize",
    "Cors",
    "GatewayResponses",
    "AccessLogSetting",
    "CanarySetting",
    "TracingEnabled",
    "OpenApiVersion",
    "Domain",
    "AlwaysDeploy",
    "PropagateTags",
    "SecurityPolicy",
    "EndpointAccessMode",
  ],
  HttpApi: [
    "Auth",
    "AccessLogSettings",
    "StageVariables",
    "Tags",
    "CorsConfiguration",
    "DefaultRouteSettings",
    "Domain",
    "RouteSettings",
    "FailOnWarnings",
    "PropagateTags",
  ],
  SimpleTable: ["SSESpecification"],
  StateMachine: ["PropagateTags"],
  LayerVersion: ["PublishLambdaVersion"],
  CapacityProvider: ["VpcConfig", "OperatorRole", "Tags", "InstanceRequirements", "ScalingConfig", "KmsKeyArn", "PropagateTags"],
  WebSocketApi: [
    "AccessLogSettings",
    "ApiKeySelectionExpression",
    "DefaultRouteSettings",
    "DisableExecuteApiEndpoint",
    "DisableSchemaValidation",
    "Domain",
    "FailOnWarnings",
    "IpAddressType",
    "PropagateTags",
    "RouteSelectionExpression",
    "RouteSettings",
    "StageVariables",
    "Tags",
  ],
};

function parseGlobals(globals: unknown): Record<string, Obj> {
  if (globals === undefined) return {};
  if (!isObj(globals)) throw invalidGlobals("It must be a non-empty dictionary");
  for (const [section, props] of Object.entries(globals)) {
    const allowed = GLOBALS[section];
    if (!allowed) throw invalidGlobals(`'${section}' is not supported. Must be one of the following values - ${pyList(Object.keys(GLOBALS).sort())}`);
    if (!isObj(props)) throw invalidGlobals("Value of ${section} must be a dictionary"); // SAM's message, its placeholder unformatted
    for (const k of Object.keys(props)) {
      if (!allowed.includes(k))
        throw invalidGlobals(`'${k}' is not a supported property of '${section}'. Must be one of the following values - ${pyList(allowed)}`);
    }
  }
  return globals as Record<string, Obj>;
}

/** Globals' merge (GlobalProperties): maps merged key by key, lists concatenated (globals first), else the resource's. */
function merge(global: unknown, local: unknown): unknown {
  const kind = (v: unknown) => (Array.isArray(v) ? "list" : isObj(v) && !isIntrinsic(v) ? "map" : "primitive");
  if (kind(global) !== kind(local) || kind(local) === "primitive") return local;
  if (Array.isArray(global)) return [...global, ...(local as unknown[])];
  const out: Obj = { ...(global as Obj) };
  for (const [k, v] of Object.entries(local as Obj)) out[k] = k in out ? merge(out[k], v) : v;
  return out;
}

function withGlobals(id: string, r: Obj, globals: Obj | undefined): Obj {
  if (!globals) return r;
  let g = globals;
  const ignore = r.IgnoreGlobals;
  if (ignore === "*") return r;
  if (Array.isArray(ignore)) {
    g = { ...globals };
    for (const k of ignore) {
      if (!(String(k) in g)) throw invalidResource(id, `Resource ${id} has invalid resource attribute 'IgnoreGlobals' on item '${String(k)}'.`);
      delete g[String(k)];
    }
  } else if (ignore !== undefined) throw invalidResource(id, `Resource ${id} has invalid resource attribute 'IgnoreGlobals'.`);
  const props = r.Properties === undefined ? {} : r.Properties;
  if (!isObj(props)) return r;
  return { ...r, Properties: merge(g, props) };
}

const SUPPORTED = new Set(["Function", "LayerVersion", "SimpleTable", "Api", "HttpApi"]);
/** SAM's other resource types, which this transform does not translate yet. */
const KNOWN_NOT_TRANSLATED = ["StateMachine", "Application", "Connector", "GraphQLApi", "WebSocketApi", "CapacityProvider"];

/** The transform: template in, processed template out (the input is not changed). */
export const samTransform: TransformFn = async (template: Template, hctx: HandlerContext, _parameters, opts = {}) => {
  const given = opts.parameterValues ?? {};
  const errors: SamError[] = [];
  const fail = (causes: SamError[]): never => {
    const unique = [...new Map(causes.map((c) => [c.message, c])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    throw new ServiceError(
      "ValidationError",
      `Transform ${NAME} failed with: Invalid Serverless Application Specification document. Number of errors found: ${unique.length}. ${unique.map((c) => c.message).join(" ")}`,
      400,
    );
  };
  const input = structuredClone(template) as Template & { Globals?: unknown };
  let globals: Record<string, Obj>;
  try {
    globals = parseGlobals(input.Globals);
  } catch (e) {
    if (e instanceof SamError) return fail([e]);
    throw e;
  }
  // Parameters' values as given, else their defaults, and the pseudo parameters SAM knows (its intrinsics resolver's).
  const params: Record<string, unknown> = {
    ...Object.fromEntries(Object.entries(input.Parameters ?? {}).map(([k, d]) => [k, k in given ? given[k] : d.Default])),
    "AWS::Region": hctx.region,
    "AWS::AccountId": hctx.account,
  };
  let policyArns: Map<string, string> | undefined;
  const ctx: SamContext = {
    input,
    resources: {},
    params,
    renames: new Map(),
    restRoutes: new Map(),
    httpRoutes: new Map(),
    now: () => hctx.now(),
    // AWS managed policies by name, from the account's IAM (Stratus's catalog of them), read once.
    arnOf: async (name) => {
      if (name.startsWith("arn:")) return name;
      if (!policyArns) {
        policyArns = new Map();
        let Marker: string | undefined;
        do {
          const page = await hctx.client("iam").listPolicies({ Scope: "AWS", Marker });
          for (const p of page.Policies ?? []) if (p.PolicyName && p.Arn) policyArns.set(p.PolicyName, p.Arn);
          Marker = page.IsTruncated ? page.Marker : undefined;
        } while (Marker);
      }
      return policyArns.get(name);
    },
    add(from, id, resource) {
      if (id in this.resources && this.resources[id] !== resource) {
        throw new SamError(
          from,
          `Transforming resource with id [${from}] attempts to create a new resource with id [${id}] and type "${String(resource.Type)}". A resource with that id already exists within this template. Please use a different id for that resource.`,
        );
      }
      this.resources[id] = resource;
    },
  };

  // Resources that are not SAM's stay as they are (an S3 event may add to a bucket's notifications).
  const sam: [string, Obj][] = [];
  for (const [id, r] of Object.entries(input.Resources ?? {})) {
    const type = isObj(r) ? r.Type : undefined;
    if (typeof type === "string" && type.startsWith("AWS::Serverless::")) sam.push([id, r as unknown as Obj]);
    else ctx.resources[id] = r as unknown as Obj;
  }
  // Layers first: their ids gain a hash, and functions' Layers refer to the new ids.
  for (const [id, r] of sam) {
    if (r.Type === "AWS::Serverless::LayerVersion") ctx.renames.set(id, layerId(id, resolveLayer(withGlobalsSafe(id, r, globals.LayerVersion), params)));
  }
  for (const [id, raw] of sam) {
    try {
      if (!/^[A-Za-z0-9]+$/.test(id)) throw invalidResource(id, "Logical ids must be alphanumeric.");
      const kind = String(raw.Type).slice("AWS::Serverless::".length);
      if (raw.Properties !== undefined && !isObj(raw.Properties)) throw invalidResource(id, "Attribute 'Properties' should be a map.");
      const r = withGlobals(id, raw, globals[kind]);
      if (kind === "Function") await translateFunction(ctx, id, renameRefs(r, (n) => ctx.renames.get(n)) as Obj);
      else if (kind === "LayerVersion") translateLayer(ctx, id, r);
      else if (kind === "SimpleTable") translateTable(ctx, id, r);
      else if (KNOWN_NOT_TRANSLATED.includes(kind)) {
        throw invalidResource(id, `Resource type ${String(raw.Type)} is not supported by Stratus's SAM transform yet.`); // Stratus's own wording
      } else if (!SUPPORTED.has(kind)) {
        // A type SAM does not have stays as it is: CloudFormation then finds it unrecognized, as on AWS.
        ctx.resources[id] = raw;
      }
    } catch (e) {
      if (e instanceof SamError) errors.push(e);
      else throw e;
    }
  }
  // APIs last: the explicit ones and the implicit ones, with the routes the functions' events added.
  for (const [id, raw] of sam) {
    try {
      const kind = String(raw.Type).slice("AWS::Serverless::".length);
      if (kind !== "Api" && kind !== "HttpApi") continue;
      if (!/^[A-Za-z0-9]+$/.test(id)) continue;
      const r = withGlobals(id, raw, globals[kind]);
      if (kind === "Api") translateRestApi(ctx, id, r);
      else translateHttpApi(ctx, id, r);
    } catch (e) {
      if (e instanceof SamError) errors.push(e);
      else throw e;
    }
  }
  try {
    // The implicit APIs take the Globals' Api and HttpApi sections (SAM makes them before it merges the Globals).
    if (ctx.restRoutes.has("ServerlessRestApi")) translateRestApi(ctx, "ServerlessRestApi", undefined, globals.Api);
    if (ctx.httpRoutes.has("ServerlessHttpApi")) translateHttpApi(ctx, "ServerlessHttpApi", undefined, globals.HttpApi);
  } catch (e) {
    if (e instanceof SamError) errors.push(e);
    else throw e;
  }
  if (errors.length) return fail(errors);

  const { Globals: _globals, Resources: _resources, ...rest } = input;
  const rename = (n: string) => ctx.renames.get(n);
  return {
    ...(renameRefs(rest, rename) as Obj),
    Resources: renameRefs(ctx.resources, rename) as Template["Resources"],
  } as Template;
};

/** A layer's definition with Globals merged, for its hashed id; a broken one is reported when it is translated. */
function withGlobalsSafe(id: string, r: Obj, globals: Obj | undefined): Obj {
  try {
    return withGlobals(id, r, globals);
  } catch {
    return r;
  }
}
