// A SAM resource's `Policies`: AWS managed policy names (to ARNs), policy ARNs, inline statements and SAM's policy
// templates, whose documents are SAM's own (models/sam-policy-templates.json, from the translator's
// policy_templates.json) — and the execution role SAM builds from them (role_utils/role_constructor.py's shape).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { modelsDir } from "../../../../core/paths.js";
import { invalidResource, isIntrinsic, isObj, type Obj, pyList } from "./common.js";

interface PolicyTemplate {
  Parameters: string[];
  Definition: Obj;
}
let templates: Record<string, PolicyTemplate> | undefined;
const policyTemplates = () =>
  (templates ??= (JSON.parse(readFileSync(join(modelsDir, "sam-policy-templates.json"), "utf8")) as { Templates: Record<string, PolicyTemplate> }).Templates);

/** Replaces `{"Ref": <template parameter>}` by the value given for it. */
function substitute(v: unknown, values: Obj): unknown {
  if (Array.isArray(v)) return v.map((x) => substitute(x, values));
  if (!isObj(v)) return v;
  if (typeof v.Ref === "string" && Object.keys(v).length === 1 && v.Ref in values) return values[v.Ref];
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substitute(x, values)]));
}

/** One policy template's statements for its parameter values (policy_template_processor's checks and wording). */
function expandTemplate(id: string, name: string, values: unknown): Obj {
  const t = policyTemplates()[name];
  if (!isObj(values)) throw invalidResource(id, `Must specify valid parameter values for policy template '${name}'`);
  const missing = t.Parameters.filter((p) => !(p in values));
  if (missing.length) throw invalidResource(id, `Following required parameters of template '${name}' don't have values: ${pyList(missing)}`);
  return substitute(t.Definition, values) as Obj;
}

/** AWS managed policies by name, from Stratus's IAM (SAM maps names to ARNs from its bundled list). */
export type ManagedPolicyArn = (name: string) => Promise<string | undefined>;

export interface RoleInput {
  /** The SAM resource's logical id: the role is `<id>Role`, its inline policies `<id>RolePolicy<index>`. */
  id: string;
  policies: unknown;
  /** ARNs SAM puts first (AWSLambdaBasicExecutionRole, X-Ray, VPC), then the event sources' ones (appended after). */
  managed: unknown[];
  extraManaged?: unknown[];
  /** Inline policies SAM adds before the Policies' own (a dead-letter queue's). */
  documents?: Obj[];
  assumeRolePolicyDocument: unknown;
  tags?: unknown[];
  path?: unknown;
  permissionsBoundary?: unknown;
  attributes?: Obj;
}

/** The policies' kinds as SAM tells them apart (resource_policies.py). */
function kindOf(p: unknown): "managed" | "statement" | "template" | "if" | "invalid" {
  if (typeof p === "string") return "managed";
  if (isObj(p) && Object.keys(p).length === 1 && "Fn::If" in p) return "if";
  if (isIntrinsic(p)) return "managed";
  if (isObj(p) && "Statement" in p) return "statement";
  if (isObj(p) && Object.keys(p).length === 1 && Object.keys(p)[0] in policyTemplates()) return "template";
  return "invalid";
}

/** The execution role: an AWS::IAM::Role resource for the Policies given. */
export async function executionRole(input: RoleInput, arnOf: ManagedPolicyArn): Promise<Obj> {
  const roleId = `${input.id}Role`;
  const list = input.policies === undefined ? [] : Array.isArray(input.policies) ? input.policies : [input.policies];
  const managed: unknown[] = [...input.managed];
  const documents: Obj[] = [...(input.documents ?? [])];
  const addManaged = (arn: unknown) => {
    if (!managed.some((m) => JSON.stringify(m) === JSON.stringify(arn))) managed.push(arn);
  };
  const toArn = async (name: unknown) => (typeof name === "string" ? ((await arnOf(name)) ?? name) : name);
  for (const [index, p] of list.entries()) {
    const kind = kindOf(p);
    if (kind === "managed") addManaged(await toArn(p));
    else if (kind === "statement") documents.push({ PolicyName: `${roleId}Policy${index}`, PolicyDocument: p });
    else if (kind === "template") {
      const [name, values] = Object.entries(p as Obj)[0];
      documents.push({ PolicyName: `${roleId}Policy${index}`, PolicyDocument: expandTemplate(input.id, name, values) });
    } else if (kind === "if") {
      // Fn::If: [condition, a, b] of managed policies or of statements/templates, each branch converted alike.
      const [cond, a, b] = (p as { "Fn::If": unknown[] })["Fn::If"];
      const branch = async (x: unknown) => {
        if (isObj(x) && x.Ref === "AWS::NoValue") return x;
        const k = kindOf(x);
        if (k === "managed") return toArn(x);
        if (k === "template") {
          const [name, values] = Object.entries(x as Obj)[0];
          return { PolicyName: `${roleId}Policy${index}`, PolicyDocument: expandTemplate(input.id, name, values) };
        }
        return { PolicyName: `${roleId}Policy${index}`, PolicyDocument: x };
      };
      const first = isObj(a) && a.Ref === "AWS::NoValue" ? b : a;
      const converted = { "Fn::If": [cond, await branch(a), await branch(b)] };
      if (kindOf(first) === "managed") addManaged(converted);
      else documents.push(converted);
    } else {
      throw invalidResource(input.id, `Policy at index ${index} in the 'Policies' property is not valid`);
    }
  }
  for (const arn of input.extraManaged ?? []) addManaged(arn);
  const Properties: Obj = { AssumeRolePolicyDocument: input.assumeRolePolicyDocument, ManagedPolicyArns: managed };
  if (documents.length) Properties.Policies = documents;
  if (input.path !== undefined) Properties.Path = input.path;
  if (input.permissionsBoundary !== undefined) Properties.PermissionsBoundary = input.permissionsBoundary;
  if (input.tags?.length) Properties.Tags = input.tags;
  return { Type: "AWS::IAM::Role", ...input.attributes, Properties };
}

/** The trust policy of a role a service assumes (IAMRolePolicies' shape). */
export const assumeRoleBy = (service: string) => ({
  Version: "2012-10-17",
  Statement: [{ Action: ["sts:AssumeRole"], Effect: "Allow", Principal: { Service: [service] } }],
});
