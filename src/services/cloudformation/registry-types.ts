// The CloudFormation registry as far as Stratus has one: ListTypes and DescribeType for the public AWS resource
// types Stratus runs (the types its services declare), each described from AWS's resource specification
// (types.ts); and EstimateTemplateCost, which validates like AWS and then says plainly that Stratus has no prices.
import { ServiceError } from "../../core/errors.js";
import { pageByKey } from "../../core/paging.js";
import type { CloudformationApi, TypeSummary } from "./api.generated.js";
import { TypeNotFoundException } from "./api.generated.js";
import type { Engine } from "./engine.js";
import { templateOf } from "./source.js";
import { prepareParameters } from "./preflight.js";
import { type CfnProperty, typeExists, typeSchema } from "./types.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/** AWS's ARN for a public AWS type: `arn:aws:cloudformation:<region>::type/resource/AWS-SQS-Queue`. */
const typeArn = (region: string, type: string) => `arn:aws:cloudformation:${region}::type/resource/${type.replaceAll("::", "-")}`;

/** A spec type string (types.ts: string, integer, list<T>, map<T>, A|B, a definition's name) as JSON Schema. */
function jsonSchemaOf(t: string): Record<string, unknown> {
  if (t.includes("|")) return { anyOf: t.split("|").map(jsonSchemaOf) };
  const inner = /^(list|map)<(.+)>$/.exec(t);
  if (inner) return inner[1] === "list" ? { type: "array", items: jsonSchemaOf(inner[2]) } : { type: "object", additionalProperties: jsonSchemaOf(inner[2]) };
  switch (t) {
    case "string":
    case "integer":
    case "number":
    case "boolean":
      return { type: t };
    case "json":
      return { type: "object" };
    case "date-time":
      return { type: "string", format: "date-time" };
    case "tag":
      return { $ref: "#/definitions/Tag" };
    default:
      return { $ref: `#/definitions/${t}` };
  }
}

const propertiesOf = (props: Record<string, CfnProperty>) => ({
  type: "object",
  additionalProperties: false,
  properties: Object.fromEntries(Object.entries(props).map(([k, p]) => [k, jsonSchemaOf(p.t)])),
  ...(Object.values(props).some((p) => p.required) ? { required: Object.keys(props).filter((k) => props[k].required) } : {}),
});

/** The type's schema in the registry's shape, built from the specification's facts Stratus keeps. */
function registrySchema(type: string): string {
  const s = typeSchema(type)!;
  const definitions: Record<string, unknown> = Object.fromEntries(Object.entries(s.defs ?? {}).map(([name, props]) => [name, propertiesOf(props)]));
  if (Object.values(s.props).some((p) => p.t.includes("tag"))) {
    definitions.Tag = {
      type: "object",
      additionalProperties: false,
      properties: { Key: { type: "string" }, Value: { type: "string" } },
      required: ["Key", "Value"],
    };
  }
  const base = propertiesOf({
    ...s.props,
    ...Object.fromEntries(
      Object.entries(s.attrs)
        .filter(([k]) => !s.props[k])
        .map(([k, t]) => [k, { t }]),
    ),
  });
  return JSON.stringify({
    typeName: type,
    ...(Object.keys(definitions).length ? { definitions } : {}),
    ...base,
    readOnlyProperties: Object.keys(s.attrs).map((a) => `/properties/${a.replaceAll(".", "/")}`),
    createOnlyProperties: Object.keys(s.props)
      .filter((k) => s.props[k].replace === "yes")
      .map((k) => `/properties/${k}`),
    primaryIdentifier: s.id.map((k) => `/properties/${k}`),
    ...(s.tags ? { tagging: { taggable: true, tagProperty: `/properties/${s.tags}` } } : { tagging: { taggable: false } }),
  });
}

/** The public AWS types Stratus runs (a service declares them and AWS's specification has their schema). */
function runTypes(engine: Engine): string[] {
  return engine.host.resourceTypes().filter((t) => t.startsWith("AWS::") && typeSchema(t));
}

export const registryTypes = {
  listTypes(input, ctx) {
    // PRIVATE (the default) lists the account's registered private extensions, of which Stratus has none.
    const visibility = input.Visibility ?? "PRIVATE";
    if (input.Type && input.Type !== "RESOURCE") return { TypeSummaries: [] };
    if (visibility !== "PUBLIC" || (input.DeprecatedStatus ?? "LIVE") !== "LIVE") return { TypeSummaries: [] };
    if (input.Filters?.Category && input.Filters.Category !== "AWS_TYPES") return { TypeSummaries: [] };
    // Every type Stratus runs is fully mutable (it has update handlers, or replaces).
    if (input.ProvisioningType && input.ProvisioningType !== "FULLY_MUTABLE") return { TypeSummaries: [] };
    const prefix = input.Filters?.TypeNamePrefix ?? "";
    const summaries: TypeSummary[] = runTypes(ctx.instance<Engine>())
      .filter((t) => t.startsWith(prefix))
      .map((t) => ({ Type: "RESOURCE", TypeName: t, TypeArn: typeArn(ctx.region, t), IsActivated: true }));
    const page = pageByKey(summaries, (s) => s.TypeName!, {
      operation: "ListTypes",
      token: input.NextToken,
      max: input.MaxResults ?? 100,
      invalid: () => validation("Invalid NextToken"),
    });
    return { TypeSummaries: page.items, NextToken: page.next };
  },

  describeType(input, ctx) {
    if (input.Arn !== undefined && input.TypeName !== undefined) throw validation("Specify either Arn or TypeName, not both."); // unverified wording
    const name = input.TypeName ?? /::type\/resource\/(.+)$/.exec(input.Arn ?? "")?.[1]?.replaceAll("-", "::");
    if (!name) throw validation("Either Arn or TypeName must be specified."); // unverified wording
    if (input.Type !== undefined && input.Type !== "RESOURCE") throw new TypeNotFoundException(`The type '${name}' cannot be found.`);
    if (!runTypes(ctx.instance<Engine>()).includes(name)) {
      // AWS's wording for an unknown type (unverified); one AWS has but Stratus does not run says so.
      throw new TypeNotFoundException(
        typeExists(name) ? `The type '${name}' cannot be found: Stratus does not run it yet.` : `The type '${name}' cannot be found.`,
      );
    }
    return {
      Arn: typeArn(ctx.region, name),
      Type: "RESOURCE",
      TypeName: name,
      IsDefaultVersion: true,
      Schema: registrySchema(name),
      ProvisioningType: "FULLY_MUTABLE",
      DeprecatedStatus: "LIVE",
      Visibility: "PUBLIC",
      IsActivated: true,
    };
  },

  async estimateTemplateCost(input, ctx) {
    // The template and its parameters answer AWS's errors first; a valid one cannot be priced here.
    const { template } = await templateOf(input, ctx);
    await prepareParameters(template, input.Parameters, undefined, ctx, "");
    throw validation("EstimateTemplateCost is not supported by Stratus: estimates come from AWS's Pricing Calculator, which a local cloud does not have.");
  },
} satisfies Partial<CloudformationApi>;
