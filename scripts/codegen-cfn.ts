// Imports CloudFormation's resource types from @aws-cdk/aws-service-spec (the CDK team's database of every
// CloudFormation type, built from AWS's registry schemas) into models/cloudformation-types.json: every type
// name AWS has, and full schemas only for the services Stratus runs. Run with `npm run codegen:cfn`; the
// package is a devDependency, never loaded at runtime. The output's keys are sorted, so re-running it with
// the same package version gives no git diff.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import type { Property, PropertyType, Resource, TypeDefinition } from "@aws-cdk/service-spec-types";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "models", "cloudformation-types.json");

// The types Stratus runs: a trailing "*" takes the whole namespace. Extend as services are added.
const FULL_SCHEMAS = [
  "AWS::S3::*",
  "AWS::SQS::*",
  "AWS::SNS::*",
  "AWS::SSM::*",
  "AWS::SecretsManager::*",
  "AWS::KMS::*",
  "AWS::Logs::*",
  "AWS::IAM::*",
  "AWS::Lambda::*",
  "AWS::CloudFormation::*",
  "AWS::ApiGateway::*",
  "AWS::ApiGatewayV2::*",
  "AWS::ECR::Repository",
  "AWS::Events::*",
  "AWS::Scheduler::*",
  "AWS::CloudTrail::Trail",
  "AWS::Synthetics::*",
  "AWS::EventSchemas::*",
  "AWS::CDK::Metadata",
];

// The CDK's own metadata resource is not in the registry (CloudFormation accepts it specially); CDK v2 writes
// Analytics, CDK v1 wrote Modules (aws-cdk-lib's core/lib/private/metadata-resource.ts).
const CDK_METADATA: CfnSchema = {
  attrs: {},
  id: [],
  props: { Analytics: { t: "string" }, Modules: { t: "string" } },
};

/** A property: its type (see typeString), and only the flags that are set. */
interface CfnProperty {
  t: string;
  required?: true;
  /** "yes": changing it replaces the resource (the schema's createOnlyProperties); "maybe": it may. */
  replace?: "yes" | "maybe";
  deprecated?: true;
}
interface CfnSchema {
  props: Record<string, CfnProperty>;
  defs?: Record<string, Record<string, CfnProperty>>;
  attrs: Record<string, string>;
  id: string[];
  tags?: string;
}

const db = loadAwsServiceSpecSync();
const wanted = (type: string) => FULL_SCHEMAS.some((p) => (p.endsWith("*") ? type.startsWith(p.slice(0, -1)) : type === p));

// A property type as a short string: primitives in lowercase (the spec's own names), complex types by their
// PascalCase definition name, "list<T>", "map<T>" and unions "A|B".
function typeString(t: PropertyType, defs: Map<string, TypeDefinition>): string {
  switch (t.type) {
    case "array":
      return `list<${typeString(t.element, defs)}>`;
    case "map":
      return `map<${typeString(t.element, defs)}>`;
    case "union":
      return t.types.map((u) => typeString(u, defs)).join("|");
    case "ref": {
      const def = db.get("typeDefinition", t.reference.$ref);
      if (/^[a-z]/.test(def.name)) throw new Error(`definition ${def.name} would read as a primitive`);
      const seen = defs.get(def.name);
      if (seen && seen.$id !== def.$id) throw new Error(`two definitions named ${def.name}`);
      defs.set(def.name, def);
      return def.name;
    }
    default:
      return t.type;
  }
}

function properties(props: Record<string, Property>, defs: Map<string, TypeDefinition>): Record<string, CfnProperty> {
  const res: Record<string, CfnProperty> = {};
  for (const [name, p] of Object.entries(props)) {
    const prop: CfnProperty = { t: typeString(p.type, defs) };
    if (p.required) prop.required = true;
    if (p.causesReplacement === "yes" || p.causesReplacement === "maybe") prop.replace = p.causesReplacement;
    if (p.deprecated && p.deprecated !== "NONE") prop.deprecated = true;
    res[name] = prop;
  }
  return res;
}

function schema(r: Resource): CfnSchema {
  const defs = new Map<string, TypeDefinition>();
  const s: CfnSchema = {
    props: properties(r.properties, defs),
    attrs: Object.fromEntries(Object.entries(r.attributes).map(([k, a]) => [k, typeString(a.type, defs)])),
    id: r.primaryIdentifier ?? [],
  };
  if (r.tagInformation) s.tags = r.tagInformation.tagPropertyName;
  // Definitions reach others: walk until no new one turns up.
  const done = new Map<string, Record<string, CfnProperty>>();
  for (let added = true; added; ) {
    added = false;
    for (const [name, def] of [...defs]) {
      if (done.has(name)) continue;
      done.set(name, properties(def.properties, defs));
      added = true;
    }
  }
  if (done.size) s.defs = Object.fromEntries(done);
  return s;
}

const types: string[] = [];
const transforms: Record<string, string> = {};
const schemas: Record<string, CfnSchema> = {};
for (const r of db.all("resource")) {
  types.push(r.cloudFormationType);
  // SAM's types exist only under their transform; without it AWS calls them unrecognized.
  if (r.cloudFormationTransform) transforms[r.cloudFormationType] = r.cloudFormationTransform;
  if (wanted(r.cloudFormationType)) schemas[r.cloudFormationType] = schema(r);
}
types.push("AWS::CDK::Metadata");
schemas["AWS::CDK::Metadata"] = CDK_METADATA;

const pkg = createRequire(import.meta.url)("@aws-cdk/aws-service-spec/package.json") as { version: string };

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  return v;
}

// "metadata" like a botocore model's, so code that reads every models/*.json's metadata.protocol finds none.
const json = JSON.stringify(
  sorted({ metadata: { source: `@aws-cdk/aws-service-spec@${pkg.version}` }, schemas, transforms, types: [...new Set(types)].sort() }),
);
writeFileSync(out, `${json}\n`);
console.log(`models/cloudformation-types.json: ${types.length} types, ${Object.keys(schemas).length} full schemas, ${(json.length / 1024).toFixed(0)} KiB`);
