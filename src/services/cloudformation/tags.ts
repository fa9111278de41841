// Tags as CloudFormation applies them: every resource it creates whose type takes tags gets the stack's tags
// (CreateStack's and UpdateStack's Tags) and CloudFormation's own aws:cloudformation:stack-name, stack-id and
// logical-id (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html).
// A tag the template sets on the resource wins over a stack tag of the same key (the resource handlers' contract:
// resource-level tags override the desired stack-level ones). Which property holds a type's tags, and whether it is a
// list of Key/Value or a map, is AWS's resource specification (types.ts). The merged tags go to the provider only:
// the resource's record keeps the template's properties, and the stack tags last applied beside them, so an update
// that changes neither sees no change, and one that changes the stack's tags updates them on the resource.
import { isDeepStrictEqual } from "node:util";
import type { ResourceChangeDetail } from "./api.generated.js";
import type { ResourceRec, StackRec } from "./state.js";
import { typeSchema } from "./types.js";

export type StackTag = { Key: string; Value: string };

/** The property holding a type's tags and its shape; undefined for a type that takes none (or a custom resource). */
function tagProperty(type: string): { name: string; map: boolean } | undefined {
  const schema = typeSchema(type);
  if (!schema?.tags || type.startsWith("Custom::")) return undefined;
  const t = schema.props[schema.tags]?.t;
  if (t === "map<string>") return { name: schema.tags, map: true };
  if (t?.startsWith("list<")) return { name: schema.tags, map: false };
  return undefined;
}

/** Whether CloudFormation tags resources of this type. */
export const takesTags = (type: string): boolean => tagProperty(type) !== undefined;

/** CloudFormation's own tags on one resource of a stack. */
export const systemTags = (s: Pick<StackRec, "stackName" | "stackId">, logicalId: string): StackTag[] => [
  { Key: "aws:cloudformation:stack-name", Value: s.stackName },
  { Key: "aws:cloudformation:stack-id", Value: s.stackId },
  { Key: "aws:cloudformation:logical-id", Value: logicalId },
];

/**
 * The properties a provider is given for a resource: the template's, with its tag property holding the template's
 * tags, then the stack's `stackTags` whose keys the template does not set, then CloudFormation's own. A type that
 * takes no tags gets its properties as they are.
 */
export function withStackTags(
  type: string,
  properties: Record<string, unknown>,
  s: Pick<StackRec, "stackName" | "stackId">,
  logicalId: string,
  stackTags: readonly StackTag[] | undefined,
): Record<string, unknown> {
  const prop = tagProperty(type);
  if (!prop) return properties;
  const own = properties[prop.name];
  // A nested stack gets the parent's stack tags; CloudFormation's own tags are its own stack's, not its parent's.
  const added = [...(stackTags ?? []), ...(type === "AWS::CloudFormation::Stack" ? [] : systemTags(s, logicalId))];
  if (prop.map) {
    const template = own && typeof own === "object" && !Array.isArray(own) ? (own as Record<string, unknown>) : {};
    const merged: Record<string, unknown> = { ...template };
    for (const t of added) if (!(t.Key in template) || t.Key.startsWith("aws:cloudformation:")) merged[t.Key] = t.Value;
    return { ...properties, [prop.name]: merged };
  }
  const template = Array.isArray(own) ? (own as { Key?: unknown }[]) : [];
  const keys = new Set(template.map((t) => String(t?.Key)));
  const system = new Set(systemTags(s, logicalId).map((t) => t.Key));
  const merged = [...template.filter((t) => !system.has(String(t?.Key))), ...added.filter((t) => system.has(t.Key) || !keys.has(t.Key))];
  return { ...properties, [prop.name]: merged };
}

/** The properties a provider is given for a resource record as it stands (its template properties, the stack tags it has). */
export const taggedProperties = (s: StackRec, rec: Pick<ResourceRec, "type" | "logicalId" | "stackTags">, properties: Record<string, unknown>) =>
  withStackTags(rec.type, properties, s, rec.logicalId, rec.stackTags);

/** The stack tags to record on a resource made or updated now: the stack's, for a type that takes tags. */
export const appliedStackTags = (type: string, s: StackRec): StackTag[] | undefined => (takesTags(type) && s.tags.length ? [...s.tags] : undefined);

/** Whether an update must apply the stack's tags to a resource whose template properties did not change. */
export const stackTagsChanged = (type: string, rec: Pick<ResourceRec, "stackTags">, s: StackRec): boolean =>
  takesTags(type) && !isDeepStrictEqual(rec.stackTags ?? [], appliedStackTags(type, s) ?? []);

/**
 * A resource's tags as drift detection compares them: "Only resource properties explicitly defined in the stack
 * template are checked for drift" (DetectStackDrift's API reference), so CloudFormation's own tags and the stack's
 * that the template does not set are left out of what the service reports. Changes `actual` in place.
 */
export function templateTagsOf(rec: Pick<ResourceRec, "type" | "stackTags" | "properties">, actual: Record<string, unknown>): void {
  const name = tagProperty(rec.type)?.name ?? "Tags";
  const own = rec.properties[name];
  const template = new Set(Array.isArray(own) ? own.map((t) => String(t?.Key)) : own && typeof own === "object" ? Object.keys(own) : []);
  const stackKeys = new Set((rec.stackTags ?? []).map((t) => t.Key));
  const keep = (key: string) => !key.startsWith("aws:") && (template.has(key) || !stackKeys.has(key));
  const tags = actual[name];
  if (Array.isArray(tags)) actual[name] = tags.filter((t) => !(t && typeof t === "object") || keep(String((t as { Key?: unknown }).Key)));
  else if (tags && typeof tags === "object") actual[name] = Object.fromEntries(Object.entries(tags).filter(([k]) => keep(k)));
}

/**
 * A change set's detail for a resource whose stack tags the update changes: Scope Tags, a static change of the Tags
 * attribute that never recreates it, with no ChangeSource (as AWS reports a tags-only change set: cloudformatious's
 * tests against AWS, tests/it/change_sets.rs changes_tags_only).
 */
export function tagsChange(type: string, rec: Pick<ResourceRec, "stackTags">, s: StackRec): ResourceChangeDetail | undefined {
  if (!stackTagsChanged(type, rec, s)) return undefined;
  return { Target: { Attribute: "Tags", RequiresRecreation: "Never" }, Evaluation: "Static" };
}
