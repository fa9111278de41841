// Dynamic references: `{{resolve:ssm:name[:version]}}`, `{{resolve:ssm-secure:name[:version]}}` and
// `{{resolve:secretsmanager:secret-id[:SecretString[:json-key[:version-stage[:version-id]]]]}}` inside a resource's
// property strings (several in one string, among other text), resolved as the stack's caller when the resource is
// created or updated (AWS: "CloudFormation retrieves the value of the specified reference when necessary during
// stack and change set operations"). The template, GetTemplate and the change set's comparison keep the literal
// reference: an update whose evaluated properties are the same literals as last time changes nothing, even if the
// value behind them changed (AWS's documented behaviour: the reference is compared, not the value).
//
// Wordings: "SSM Secure reference is not supported in: [Type/Properties/Path]" and "Parameters: [ssm:name] cannot
// be found." are ValidationErrors AWS answers to CreateStack/CreateChangeSet (both recorded in public reports, e.g.
// aws-samples/data-mesh-datazone-cdk-cloudformation#19); "Could not find a value associated with JSONKey in
// SecretString" is the resource failure AWS reports (cloudformation-coverage-roadmap#1822); Secrets Manager's own
// errors come back as the handler's "(Service: AWSSecretsManager; Status Code: 400; Error Code: …)" text
// (cloudformation-coverage-roadmap#1187). Others are marked unverified.
import { isDeepStrictEqual } from "node:util";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError, ServiceError } from "../../core/errors.js";
import { uuid4 } from "../../core/ids.js";
import { coerceProperties } from "./coerce.js";
import type { ResourceRec } from "./state.js";
import type { Template } from "./template/index.js";

const REFERENCE = /\{\{resolve:([^:}]*):((?:(?!\}\})[\s\S])*)\}\}/g;
const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/**
 * The properties that take an `ssm-secure` reference, as AWS's table "Resources that support dynamic parameter
 * patterns for secure strings" lists them (11 pairs); anywhere else the template is refused.
 */
const SECURE_PROPERTIES: Record<string, string[]> = {
  "AWS::DirectoryService::MicrosoftAD": ["Password"],
  "AWS::DirectoryService::SimpleAD": ["Password"],
  "AWS::ElastiCache::ReplicationGroup": ["AuthToken"],
  "AWS::IAM::User": ["LoginProfile/Password"],
  "AWS::KinesisFirehose::DeliveryStream": ["RedshiftDestinationConfiguration/Password"],
  "AWS::OpsWorks::App": ["Source/Password"],
  "AWS::OpsWorks::Stack": ["CustomCookbooksSource/Password", "RdsDbInstances/DbPassword"],
  "AWS::RDS::DBCluster": ["MasterUserPassword"],
  "AWS::RDS::DBInstance": ["MasterUserPassword"],
  "AWS::Redshift::Cluster": ["MasterUserPassword"],
};

/** Custom resources receive secure references as written (AWS: not supported for secure values there). */
const isCustom = (type: string) => type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource";

export interface DynamicReference {
  service: string;
  key: string;
  /** The whole `{{resolve:…}}` text. */
  text: string;
}

/** The dynamic references in a string, in order. */
export function referencesIn(s: string): DynamicReference[] {
  return [...s.matchAll(REFERENCE)].map((m) => ({ service: m[1], key: m[2], text: m[0] }));
}

/** Parameter Store's name and version from `name[:version]` (a name may be a parameter ARN). */
export function ssmKey(key: string): { name: string; version?: string } {
  const colon = key.lastIndexOf(":");
  const arnColons = key.startsWith("arn:") ? 5 : 0;
  if (colon < 0 || key.slice(0, colon).split(":").length <= arnColons) return { name: key };
  return { name: key.slice(0, colon), version: key.slice(colon + 1) };
}

/** Secrets Manager's parts: the secret id (a name or an ARN, which has 6 colons of its own), then the rest. */
export function secretKey(key: string): { secretId: string; secretString?: string; jsonKey?: string; versionStage?: string; versionId?: string } {
  const parts = key.split(":");
  const idParts = key.startsWith("arn:") ? 7 : 1;
  const [secretString, jsonKey, versionStage, versionId] = parts.slice(idParts).map((p) => (p === "" ? undefined : p));
  return { secretId: parts.slice(0, idParts).join(":"), secretString, jsonKey, versionStage, versionId };
}

function malformed(ref: DynamicReference): string | undefined {
  if (!["ssm", "ssm-secure", "secretsmanager"].includes(ref.service)) return `Dynamic reference service ${ref.service} is not supported.`; // unverified
  if (ref.key === "" || ref.key.endsWith("\\")) return `Incorrect format is used in the following dynamic reference: '${ref.text}'`; // unverified
  if (ref.service === "secretsmanager") {
    const k = secretKey(ref.key);
    if (!k.secretId || (k.secretString !== undefined && k.secretString !== "SecretString") || ref.key.split(":").length > (ref.key.startsWith("arn:") ? 11 : 5))
      return `Incorrect format is used in the following dynamic reference: '${ref.text}'`; // unverified
    if (k.versionStage && k.versionId) return `Version Id and Version Stage cannot both be specified for secretsmanager dynamic reference: '${ref.text}'`; // unverified
  } else {
    const { name, version } = ssmKey(ref.key);
    if (!name || (version !== undefined && !/^\d+$/.test(version))) return `Incorrect format is used in the following dynamic reference: '${ref.text}'`; // unverified
  }
  return undefined;
}

/** Every string in a value with where it sits: as AWS's messages show it (`Prop/Sub`; a list ends the path) and
 *  as the schema names it (`Prop/Sub/Key`, through lists). Intrinsic functions' names are not part of either. */
function* strings(value: unknown, shown: string, full = shown, inList = false): Generator<[string, string, string]> {
  if (typeof value === "string") yield [value, shown, full];
  else if (Array.isArray(value)) for (const v of value) yield* strings(v, shown, full, true);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const fn = k.startsWith("Fn::") || k === "Ref";
      yield* strings(v, inList || fn ? shown : `${shown}/${k}`, fn ? full : `${full}/${k}`, inList);
    }
  }
}

/**
 * What AWS checks when a stack or change set is created or updated: a malformed reference, an `ssm-secure` one
 * outside the properties that take it, and a Parameter Store reference to a parameter that does not exist.
 */
export async function checkDynamicReferences(template: Template, ctx: HandlerContext): Promise<void> {
  const secureMisplaced: string[] = [];
  const lookups = new Map<string, DynamicReference>();
  for (const r of Object.values(template.Resources)) {
    for (const [s, path, full] of strings(r.Properties ?? {}, `${r.Type}/Properties`)) {
      for (const ref of referencesIn(s)) {
        const bad = malformed(ref);
        if (bad) throw validation(bad);
        if (ref.service === "ssm-secure") {
          const prop = full.slice(`${r.Type}/Properties/`.length);
          if (!SECURE_PROPERTIES[r.Type]?.includes(prop)) secureMisplaced.push(path);
        }
        // A literal name can be looked up now; one built from intrinsics (`${…}` in a Sub) when it is evaluated.
        if (ref.service !== "secretsmanager" && !ref.key.includes("${")) lookups.set(`${ref.service}:${ref.key}`, ref);
      }
    }
  }
  if (secureMisplaced.length) throw validation(`SSM Secure reference is not supported in: [${secureMisplaced.join(",")}]`);
  const missing: string[] = [];
  for (const [label, ref] of lookups) {
    try {
      await ctx.client("ssm").getParameter({ Name: ref.key, WithDecryption: ref.service === "ssm-secure" });
    } catch (e) {
      if (isServiceError(e) && /ParameterNotFound|ParameterVersionNotFound/.test(e.code)) missing.push(label);
      else throw e;
    }
  }
  if (missing.length) throw validation(`Parameters: [${missing.join(",")}] cannot be found.`);
}

/** A dynamic reference's failure, as the resource's status reason. */
class ReferenceFailure extends Error {}

async function resolveOne(ref: DynamicReference, ctx: HandlerContext): Promise<string> {
  const bad = malformed(ref);
  if (bad) throw new ReferenceFailure(bad);
  if (ref.service === "secretsmanager") {
    const k = secretKey(ref.key);
    let value: string | undefined;
    try {
      const out = await ctx.client("secrets-manager").getSecretValue({ SecretId: k.secretId, VersionStage: k.versionStage, VersionId: k.versionId });
      value = out.SecretString;
    } catch (e) {
      if (!isServiceError(e)) throw e;
      throw new ReferenceFailure(
        `${e.message} (Service: AWSSecretsManager; Status Code: ${e.status}; Error Code: ${e.code}; Request ID: ${uuid4()}; Proxy: null)`,
      );
    }
    if (value === undefined) throw new ReferenceFailure("Could not find a SecretString in the secret: it holds a SecretBinary."); // unverified
    if (k.jsonKey === undefined) return value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new ReferenceFailure("Could not parse SecretString JSON"); // unverified
    }
    const v = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[k.jsonKey] : undefined;
    if (v === undefined || v === null) throw new ReferenceFailure("Could not find a value associated with JSONKey in SecretString");
    return typeof v === "string" ? v : JSON.stringify(v);
  }
  try {
    const out = await ctx.client("ssm").getParameter({ Name: ref.key, WithDecryption: ref.service === "ssm-secure" });
    return out.Parameter?.Value ?? "";
  } catch (e) {
    if (isServiceError(e) && /ParameterNotFound|ParameterVersionNotFound/.test(e.code)) {
      throw new ReferenceFailure(`Parameters: [${ref.service}:${ref.key}] cannot be found.`);
    }
    throw e;
  }
}

async function resolveValue(value: unknown, ctx: HandlerContext, secure: boolean): Promise<unknown> {
  if (typeof value === "string") {
    const refs = referencesIn(value).filter((r) => secure || r.service === "ssm");
    let out = value;
    for (const ref of refs) out = out.replace(ref.text, await resolveOne(ref, ctx));
    return out;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveValue(v, ctx, secure)));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveValue(v, ctx, secure);
    return out;
  }
  return value;
}

type WithDynamic = ResourceRec & { dynamic?: { unresolved: Record<string, unknown>; resolved: Record<string, unknown> } };

const hasReference = (value: unknown): boolean => {
  for (const [s] of strings(value, "")) if (referencesIn(s).length) return true;
  return false;
};

/**
 * A resource's evaluated properties with their dynamic references resolved as the stack's caller (`ctx`), then
 * converted to the types the resource's schema declares (coerce.ts): what its provider receives. The
 * record keeps the literal form beside the resolved one, so that an update whose literals did not change reuses
 * the values it resolved before and changes nothing. Throws the resource's failure reason.
 */
export async function resolveDynamic(properties: Record<string, unknown>, ctx: HandlerContext, rec: ResourceRec): Promise<Record<string, unknown>> {
  const r = rec as WithDynamic;
  const d = r.dynamic;
  if (d && isDeepStrictEqual(properties, d.unresolved) && isDeepStrictEqual(rec.properties, d.resolved)) return rec.properties;
  if (!hasReference(properties)) {
    r.dynamic = undefined;
    return coerceProperties(rec.type, properties);
  }
  const resolved = coerceProperties(rec.type, (await resolveValue(properties, ctx, !isCustom(rec.type))) as Record<string, unknown>);
  r.dynamic = { unresolved: properties, resolved };
  return resolved;
}

/** The record's resolved properties when `properties` are the literals it last resolved (no SSM call): what
 *  an update and a change set compare; else `properties` converted to the schema's types, as the record holds them. */
export function sameDynamic(properties: Record<string, unknown>, rec: ResourceRec): Record<string, unknown> {
  const d = (rec as WithDynamic).dynamic;
  if (d && isDeepStrictEqual(properties, d.unresolved) && isDeepStrictEqual(rec.properties, d.resolved)) return rec.properties;
  return coerceProperties(rec.type, properties);
}
