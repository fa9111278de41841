// Lambda records and tables (per account+region): functions with their $LATEST configuration, published
// versions, aliases, layers, permissions, event invoke configs, URLs, event source mappings; function-name
// and qualifier resolution the way AWS reads FunctionName (name, ARN, partial ARN, name:qualifier).
import { regionalArn } from "../../core/arn.js";
import type { HandlerContext } from "../../core/context.js";
import { STORE, defineState, global, regional, type Located, type StateHolder, type TablesOf } from "../../core/state.js";
import type { Table } from "../../core/store/types.js";
import type { AsyncEventRec } from "./async.js";
import type { EsmRec } from "./esm-poller.js";
import type { UrlIndexRec } from "./url-index.js";
import type { AliasRoutingConfiguration, FunctionConfiguration, FunctionEventInvokeConfig, Cors, FunctionUrlAuthType, InvokeMode } from "./api.generated.js";
import { ServiceError } from "../../core/errors.js";
import { InvalidParameterValueException, ResourceNotFoundException } from "./api.generated.js";

/** A function's code as stored: the uploaded zip as a blob (GetFunction hands it back as is). */
export interface CodeRef {
  blobId: string;
  /** Base64 SHA-256 of the zip, as CodeSha256. */
  sha256: string;
  size: number;
}

/** One version's configuration ($LATEST or a published number) and the code it runs. */
export interface VersionRec {
  /** Exactly what GetFunctionConfiguration answers for this version. */
  config: FunctionConfiguration;
  /** Zip packages; absent for container images (PackageType Image), which cannot run here. */
  code?: CodeRef;
  imageUri?: string;
}

export interface FunctionRec {
  name: string;
  /** Unqualified ARN. */
  arn: string;
  createdAt: number;
  latest: VersionRec;
  /** The number the next PublishVersion takes. */
  nextVersion: number;
  tags: Record<string, string>;
  /** PutFunctionConcurrency; undefined = unreserved. */
  reservedConcurrency?: number;
  recursiveLoop?: "Allow" | "Terminate";
  /** PutProvisionedConcurrencyConfig, by qualifier (version or alias). */
  provisionedConcurrency?: Record<string, { requested: number; lastModified: string }>;
}

export interface AliasRec {
  name: string;
  functionName: string;
  arn: string;
  functionVersion: string;
  description: string;
  routingConfig?: AliasRoutingConfiguration;
  revisionId: string;
}

/** One statement of a function's (or alias's/version's) resource policy, as AddPermission made it. */
export interface PermissionRec {
  sid: string;
  statement: Record<string, unknown>;
  revisionId: string;
}

export interface LayerVersionRec {
  layerName: string;
  layerArn: string;
  version: number;
  description: string;
  createdDate: string;
  code: CodeRef;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
  policy: PermissionRec[];
  /** The layer version policy's revision (changes with each Add/RemoveLayerVersionPermission). */
  policyRevisionId?: string;
  /**
   * DeleteLayerVersion: the version is gone for the API (Get/List answer not found, new functions cannot use it)
   * but functions already configured with it keep running it, as on AWS, and its number is never reused.
   */
  deleted?: boolean;
}

export interface EventInvokeConfigRec extends FunctionEventInvokeConfig {
  qualifier: string;
}

export interface UrlConfigRec {
  functionName: string;
  qualifier: string;
  urlId: string;
  functionUrl: string;
  functionArn: string;
  authType: FunctionUrlAuthType;
  cors?: Cors;
  invokeMode: InvokeMode;
  creationTime: string;
  lastModifiedTime: string;
}

export const LATEST = "$LATEST";
const VERSION_WIDTH = 10;
/** Versions sort numerically in their table. */
export const versionKey = (fn: string, version: string) => `${fn}#${version.padStart(VERSION_WIDTH, "0")}`;

/** Lambda's tables; the stored names (`lambda:<name>`) and scopes are those of data directories made before. */
const specs = {
  functions: regional<FunctionRec>(),
  versions: regional<VersionRec>(),
  aliases: regional<AliasRec>(),
  /** key `${function}#${qualifier}` (qualifier "" for the unqualified function). */
  permissions: regional<PermissionRec[]>(),
  layers: regional<LayerVersionRec>(),
  /** key `${function}#${qualifier}`. */
  invokeConfigs: regional<EventInvokeConfigRec>("invoke-configs"),
  /** key `${function}#${qualifier}`. */
  urls: regional<UrlConfigRec>(),
  /** Queued asynchronous events (async.ts), key time-ordered. */
  asyncEvents: regional<AsyncEventRec>("async-events"),
  /** Event source mappings (esm-poller.ts), key = UUID. */
  eventSourceMappings: regional<EsmRec>("event-source-mappings"),
  /** Function URL id → owner, across accounts (url-index.ts). */
  urlIndex: global<UrlIndexRec>("url-index"),
};
export const lambdaState = defineState("lambda", specs);
export type LambdaTables = TablesOf<typeof specs>;

/** The caller's tables (its account and region). */
export const tables = (ctx: Located): LambdaTables => lambdaState.of(ctx);

/** Runs `fn` as one store transaction (what a handler changes in several tables at once). */
export { transaction } from "../../core/state.js";

export const functionArn = (ctx: Pick<HandlerContext, "account" | "region">, name: string, qualifier?: string) =>
  regionalArn(ctx, "lambda", `function:${name}${qualifier ? `:${qualifier}` : ""}`);

// name | name:qualifier | account:function:name[:qualifier] | arn:aws:lambda:region:account:function:name[:qualifier]
// Names take dots where the model's NamespacedFunctionName does (GetFunction, Invoke…): such a name is looked up
// (and not found) rather than refused; CreateFunction's FunctionName pattern refuses them before a handler runs.
const FULL_ARN = /^arn:aws[\w-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9$_.-]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9$_.-]+))?$/;
const NAME = /^([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9$_.-]+))?$/;
// The model's FunctionName pattern (models/lambda.json), as AWS quotes it in the ValidationException.
const FUNCTION_NAME_PATTERN =
  "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";

export interface FunctionRef {
  name: string;
  /** From the ARN or name:qualifier form, or the Qualifier parameter. */
  qualifier?: string;
}

/**
 * Reads FunctionName as AWS does. A qualifier both in the name and in Qualifier must agree. An ARN of another
 * region is out of reach from this one ("Functions from 'eu-central-1' are not reachable in this region
 * ('us-east-1')", ResourceNotFoundException 404, as LocalStack's AWS-recorded
 * tests/aws/services/lambda_/test_lambda_api.snapshot.json has it: test_get_function_wrong_region for GetFunction,
 * GetFunctionConfiguration, DeleteFunction, Invoke…, and test_function_arns for CreateFunction, recorded 2025-11-25);
 * another account's names a function this caller cannot see here (not found).
 */
export function parseFunctionName(ctx: Pick<HandlerContext, "account" | "region">, functionName: string, qualifier?: string): FunctionRef {
  let name: string;
  let q: string | undefined;
  let m = FULL_ARN.exec(functionName);
  if (m) {
    if (m[1] !== ctx.region) {
      throw new ResourceNotFoundException(`Functions from '${m[1]}' are not reachable in this region ('${ctx.region}')`, { Type: "User" });
    }
    if (m[2] !== ctx.account) throw new ResourceNotFoundException(`Function not found: ${functionName}`, { Type: "User" });
    name = m[3]!;
    q = m[4];
  } else if ((m = PARTIAL_ARN.exec(functionName))) {
    if (m[1] !== ctx.account) throw new ResourceNotFoundException(`Function not found: ${functionArn(ctx, m[2]!, m[3])}`, { Type: "User" });
    name = m[2]!;
    q = m[3];
  } else if ((m = NAME.exec(functionName))) {
    name = m[1]!;
    q = m[2];
  } else {
    // What the model's constraint check lets through but names no function form (a caller inside Stratus, e.g. a
    // trigger's stored ARN): refused as the model check would refuse it.
    throw new ServiceError(
      "ValidationException",
      `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`,
      400,
    );
  }
  if (name.length > 64)
    throw new InvalidParameterValueException(
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  if (q !== undefined && qualifier !== undefined && q !== qualifier) {
    throw new InvalidParameterValueException("The derived qualifier from the function name does not match the specified qualifier.", { Type: "User" });
  }
  return { name, qualifier: q ?? qualifier };
}

export const notFound = (ctx: Pick<HandlerContext, "account" | "region">, name: string, qualifier?: string) =>
  new ResourceNotFoundException(`Function not found: ${functionArn(ctx, name, qualifier)}`, { Type: "User" });

export function mustGetFunction(ctx: Located, name: string): FunctionRec {
  const rec = tables(ctx).functions.get(name);
  if (!rec) throw notFound(ctx, name);
  return rec;
}

export interface Resolved {
  fn: FunctionRec;
  /** The version that runs: $LATEST or a number. */
  version: VersionRec;
  /** The qualifier as asked (alias name, version, $LATEST or undefined). */
  qualifier?: string;
  alias?: AliasRec;
}

/**
 * The function and version a (FunctionName, Qualifier) pair names. An alias resolves to its primary version
 * (weighted routing is Invoke's business: `pickVersion`).
 */
export function resolveFunction(ctx: Located, functionName: string, qualifier?: string, opts: { shared?: boolean } = {}): Resolved {
  const ref = parseFunctionName(ctx, functionName, qualifier);
  const t = tables(ctx);
  // shared: the records as Table.read keeps them (frozen, never to change): for Invoke, which only reads them.
  const read = <T>(table: Table<T>, key: string): T | undefined => (opts.shared ? (table.read(key) as T | undefined) : table.get(key));
  const fn = read(t.functions, ref.name);
  if (!fn) throw notFound(ctx, ref.name, ref.qualifier);
  const q = ref.qualifier;
  if (q === undefined || q === LATEST) return { fn, version: fn.latest, qualifier: q };
  if (/^\d+$/.test(q)) {
    const v = read(t.versions, versionKey(fn.name, q));
    if (!v) throw notFound(ctx, fn.name, q);
    return { fn, version: v, qualifier: q };
  }
  const alias = read(t.aliases, `${fn.name}#${q}`);
  if (!alias) throw notFound(ctx, fn.name, q);
  const version = alias.functionVersion === LATEST ? fn.latest : read(t.versions, versionKey(fn.name, alias.functionVersion));
  if (!version) throw notFound(ctx, fn.name, q);
  return { fn, version, qualifier: q, alias };
}

/** A version for one invocation of an alias with weighted routing (AdditionalVersionWeights). */
export function pickVersion(ctx: Located, r: Resolved, random = Math.random): VersionRec {
  const weights = r.alias?.routingConfig?.AdditionalVersionWeights;
  if (!weights) return r.version;
  let x = random();
  for (const [v, w] of Object.entries(weights)) {
    if (x < w) return tables(ctx).versions.get(versionKey(r.fn.name, v)) ?? r.version;
    x -= w;
  }
  return r.version;
}

/** ISO-8601 as Lambda writes LastModified: 2024-01-01T00:00:00.000+0000. */
export const lastModified = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");
