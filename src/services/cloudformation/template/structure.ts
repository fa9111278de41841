// The template's sections and the resources' dependency graph, checked before anything is evaluated.
//
// Wordings: "At least one Resources member must be defined.", "Unresolved resource dependencies [X] in the
// Resources block of the template", "Circular dependency between resources: [A, B]", "Invalid template property
// or properties [X, Y]" and "Invalid template resource property 'X'" are AWS answers recorded in many public
// reports (and in LocalStack's template validations, localstack/services/cloudformation/engine/validations.py,
// which also records "[/Resources/X] Every Resources object must contain a Type member."). Wordings marked
// "unverified" below are best guesses.
import { formatError, isObject, templateError, validationError } from "./errors.js";
import { isKnownParameterType } from "./parameters.js";
import type { Template } from "./types.js";

const SECTIONS = new Set([
  "AWSTemplateFormatVersion",
  "Description",
  "Metadata",
  "Parameters",
  "Rules",
  "Mappings",
  "Conditions",
  "Transform",
  "Resources",
  "Outputs",
  "Hooks",
]);
const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "DependsOn",
  "Condition",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "UpdatePolicy",
  "CreationPolicy",
  "Metadata",
]);
export const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);
const MAX_OUTPUTS = 200;
const MAX_DESCRIPTION = 1024;

const DELETION_POLICIES = new Set(["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"]);
const REPLACE_POLICIES = new Set(["Delete", "Retain", "Snapshot"]);
/** The types that support the Snapshot policy (the DeletionPolicy attribute's reference, "Snapshot"). */
const SNAPSHOT_TYPES = new Set([
  "AWS::DocDB::DBCluster",
  "AWS::EC2::Volume",
  "AWS::ElastiCache::CacheCluster",
  "AWS::ElastiCache::ReplicationGroup",
  "AWS::Neptune::DBCluster",
  "AWS::RDS::DBCluster",
  "AWS::RDS::DBInstance",
  "AWS::Redshift::Cluster",
]);

/**
 * A resource's DeletionPolicy and UpdateReplacePolicy. "Unrecognized DeletionPolicy X for resource Y" is AWS's
 * wording as Eucalyptus's CloudFormation reproduces it (the UpdateReplacePolicy form by analogy); Snapshot on a type
 * that cannot take one is refused in Eucalyptus's words (unverified). A policy given as an intrinsic function
 * (AWS::LanguageExtensions) is left to the transform.
 */
function checkPolicies(id: string, r: Record<string, unknown>): void {
  for (const [attr, allowed] of [
    ["DeletionPolicy", DELETION_POLICIES],
    ["UpdateReplacePolicy", REPLACE_POLICIES],
  ] as const) {
    const v = r[attr];
    if (v === undefined || isObject(v)) continue;
    if (typeof v !== "string" || !allowed.has(v)) throw formatError(`Unrecognized ${attr} ${String(v)} for resource ${id}`);
    if (v === "Snapshot" && !SNAPSHOT_TYPES.has(r.Type as string)) {
      throw templateError(`resource type ${String(r.Type)} does not support ${attr === "DeletionPolicy" ? "deletion" : "update replace"} policy Snapshot`);
    }
  }
}

/** Checks the top-level sections, each resource's attributes, parameters' types, outputs and the dependency graph. */
export function validateTemplate(t: Template): void {
  const unknown = Object.keys(t).filter((k) => !SECTIONS.has(k));
  if (unknown.length) throw formatError(`Invalid template property or properties [${unknown.join(", ")}]`);
  if (t.AWSTemplateFormatVersion !== undefined && String(t.AWSTemplateFormatVersion) !== "2010-09-09") {
    throw formatError(`Unsupported template version ${t.AWSTemplateFormatVersion}`); // unverified
  }
  if (t.Description !== undefined) {
    if (typeof t.Description !== "string") throw formatError("Every Description member must be a string."); // unverified
    if (t.Description.length > MAX_DESCRIPTION) throw formatError(`'Description' length is greater than ${MAX_DESCRIPTION}.`); // unverified
  }
  for (const section of ["Metadata", "Parameters", "Rules", "Mappings", "Conditions", "Outputs", "Hooks"] as const) {
    if (t[section] !== undefined && !isObject(t[section])) throw formatError(`Every ${section} member must be an object.`); // unverified
  }
  if (!isObject(t.Resources) || Object.keys(t.Resources).length === 0) throw formatError("At least one Resources member must be defined.");

  for (const [name, p] of Object.entries(t.Parameters ?? {})) {
    if (!isObject(p)) throw formatError(`[/Parameters/${name}] Every Parameters object must be an object.`); // unverified
    if (typeof p.Type !== "string" || p.Type === "") throw formatError(`[/Parameters/${name}] Every Parameters object must contain a Type member.`);
    if (!isKnownParameterType(p.Type)) throw formatError(`Unrecognized parameter type: ${p.Type}`);
  }

  for (const [id, r] of Object.entries(t.Resources)) {
    if (!isObject(r)) throw formatError(`[/Resources/${id}] Every Resources object must be an object.`); // unverified
    if (typeof r.Type !== "string" || r.Type === "") throw formatError(`[/Resources/${id}] Every Resources object must contain a Type member.`);
    for (const key of Object.keys(r)) if (!RESOURCE_KEYS.has(key)) throw validationError(`Invalid template resource property '${key}'`);
    checkPolicies(id, r);
    if (r.Condition !== undefined && !(typeof r.Condition === "string" && t.Conditions && r.Condition in t.Conditions)) {
      throw formatError(`Unresolved dependencies [${String(r.Condition)}]. Cannot find condition in the Conditions block of the template`); // unverified
    }
  }

  const outputs = Object.entries(t.Outputs ?? {});
  if (outputs.length > MAX_OUTPUTS) throw formatError(`The template contains more than ${MAX_OUTPUTS} Outputs.`); // unverified
  for (const [id, o] of outputs) {
    if (!isObject(o) || !("Value" in o)) throw formatError(`Every Outputs member must contain a Value object`); // unverified
    if (o.Condition !== undefined && !(typeof o.Condition === "string" && t.Conditions && o.Condition in t.Conditions)) {
      throw formatError(`Unresolved dependencies [${String(o.Condition)}]. Cannot find condition in the Conditions block of the template`); // unverified
    }
    if (o.Export !== undefined && !(isObject(o.Export) && "Name" in o.Export))
      throw formatError(`[/Outputs/${id}/Export] Every Export member must contain a Name.`); // unverified
  }

  waves(t, dependencies(t));
  // Outputs may reference resources and parameters, never an unknown name.
  const known = new Set([...Object.keys(t.Resources), ...Object.keys(t.Parameters ?? {})]);
  const missing = new Set<string>();
  for (const [, o] of outputs) for (const name of references(o)) if (!known.has(name)) missing.add(name);
  if (missing.size) throw formatError(`Unresolved resource dependencies [${[...missing].join(", ")}] in the Outputs block of the template`);
}

/** The names a value references: Ref, Fn::GetAtt's resource and Fn::Sub's `${X}` / `${X.Attr}` (not `${!X}`, not
 *  `${AWS::…}`, not its own variable map's names). Pseudo parameters are left out. */
export function references(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) references(v, into);
  } else if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = value[k];
      if (k === "Ref" && typeof arg === "string") {
        if (!PSEUDO_PARAMETERS.has(arg)) into.add(arg);
        return into;
      }
      if (k === "Fn::GetAtt") {
        const target = typeof arg === "string" ? arg.split(".")[0] : Array.isArray(arg) ? arg[0] : undefined;
        if (typeof target === "string") into.add(target);
        if (Array.isArray(arg)) references(arg.slice(1), into);
        return into;
      }
      if (k === "Fn::Sub") {
        const [str, vars] = typeof arg === "string" ? [arg, {}] : Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [undefined, {}];
        const own = isObject(vars) ? vars : {};
        if (typeof str === "string") for (const name of subVariables(str)) if (!(name in own)) into.add(name.split(".")[0]);
        references(Object.values(own), into);
        return into;
      }
    }
    for (const v of Object.values(value)) references(v, into);
  }
  return into;
}

/** The variable names of a Fn::Sub string: `${X}` and `${X.Attr}`, not `${!Literal}`, not `${AWS::…}`. */
export function subVariables(str: string): string[] {
  const names: string[] = [];
  for (const m of str.matchAll(/\$\{([^}]*)\}/g)) {
    const name = m[1].trim();
    if (name.startsWith("!") || name.startsWith("AWS::")) continue;
    names.push(name);
  }
  return names;
}

const dependsOnList = (d: unknown): unknown[] => (d === undefined ? [] : Array.isArray(d) ? d : [d]);

/** Each resource's dependencies on other resources (Ref, Fn::GetAtt, Fn::Sub, DependsOn), by logical id.
 *  Throws AWS's error naming the references that are neither a resource, a parameter nor a pseudo parameter. */
export function dependencies(t: Template): Map<string, Set<string>> {
  const resources = t.Resources;
  const params = new Set(Object.keys(t.Parameters ?? {}));
  const graph = new Map<string, Set<string>>();
  const unresolved = new Set<string>();
  for (const [id, r] of Object.entries(resources)) {
    const deps = new Set<string>();
    const { Type: _type, DependsOn, Condition: _condition, ...rest } = r;
    for (const name of references(rest)) {
      if (name in resources) deps.add(name);
      else if (!params.has(name)) unresolved.add(name);
    }
    for (const d of dependsOnList(DependsOn)) {
      if (typeof d === "string" && d in resources) deps.add(d);
      else unresolved.add(String(d));
    }
    deps.delete(id);
    graph.set(id, deps);
  }
  if (unresolved.size) throw formatError(`Unresolved resource dependencies [${[...unresolved].join(", ")}] in the Resources block of the template`);
  return graph;
}

/** Resources in waves: each wave depends only on earlier waves, so its members can be created in parallel
 *  (deletion runs the waves in reverse). Throws AWS's "Circular dependency between resources: [A, B]", naming
 *  every resource that cannot be ordered (the cycle and what waits on it), as AWS's message does. */
export function waves(t: Template, graph = dependencies(t)): string[][] {
  const remaining = new Map([...graph].map(([id, deps]) => [id, new Set(deps)]));
  const out: string[][] = [];
  while (remaining.size) {
    const wave = [...remaining].filter(([, deps]) => deps.size === 0).map(([id]) => id);
    if (!wave.length) throw validationError(`Circular dependency between resources: [${[...remaining.keys()].join(", ")}]`);
    for (const id of wave) remaining.delete(id);
    for (const deps of remaining.values()) for (const id of wave) deps.delete(id);
    out.push(wave);
  }
  return out;
}

/** Every resource in one creation order (the waves flattened). */
export const creationOrder = (t: Template): string[] => waves(t).flat();
