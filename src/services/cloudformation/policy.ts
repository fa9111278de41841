// Stack policies (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html): which
// update actions (Update:Modify, Update:Replace, Update:Delete) an update may take on which resources
// (LogicalResourceId/<id>), checked when set and decided during every update, change set executions included. The
// decision is core/policy's evaluator (statementApplies: Action/NotAction, Resource/NotResource, Principal "*",
// StringEquals/StringLike on ResourceType); this module adds the grammar a stack policy allows and AWS's wording.
import { ServiceError } from "../../core/errors.js";
import { type Statement, statementApplies, statementsOf } from "../../core/policy/index.js";
import type { Template } from "./template/index.js";

export type UpdateAction = "Update:Modify" | "Update:Replace" | "Update:Delete";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);
/** AWS's answer to any malformed stack policy (recorded: LocalStack's tests/aws/services/cloudformation/api/test_stack_policies.snapshot.json). */
const INVALID = "Error validating stack policy: Invalid stack policy";
const ACTIONS = new Set(["Update:Modify", "Update:Replace", "Update:Delete", "Update:*"]);
const KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Principal", "Resource", "NotResource", "Condition"]);

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const strings = (v: unknown) => v !== undefined && list(v).length > 0 && list(v).every((x) => typeof x === "string");

/**
 * The stack policy a call gives (body or URL), checked against `template`; undefined when it gives none. Errors as
 * AWS's: both given, or a document that is not a stack policy.
 */
export function stackPolicyOf(body: string | undefined, url: string | undefined, template: Template, what = "StackPolicy"): string | undefined {
  if (body !== undefined && url !== undefined) throw validation(`You cannot specify both ${what}URL and ${what}Body`); // recorded for SetStackPolicy (LocalStack's snapshot)
  if (url !== undefined) throw validation(`${what}URL is not supported by Stratus yet: pass ${what}Body.`);
  if (body === undefined) return undefined;
  checkStackPolicy(body, template);
  return body;
}

function checkStackPolicy(body: string, template: Template): void {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw validation(INVALID);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw validation(INVALID);
  // "{}" is a valid (empty) policy: GetStackPolicy answers it back (recorded, as above).
  if (!("Statement" in doc)) return;
  const statements = list((doc as { Statement: unknown }).Statement);
  for (const s of statements) {
    if (typeof s !== "object" || s === null || Array.isArray(s)) throw validation(INVALID);
    const st = s as Record<string, unknown>;
    if (Object.keys(st).some((k) => !KEYS.has(k))) throw validation(INVALID);
    if (st.Effect !== "Allow" && st.Effect !== "Deny") throw validation(INVALID);
    // The Principal element is required and "only supports the wildcard (*)" (the stack policy reference).
    if (st.Principal !== "*") throw validation(INVALID);
    if ("Action" in st === "NotAction" in st) throw validation(INVALID);
    const actions = st.Action ?? st.NotAction;
    if (!strings(actions) || !list(actions).every((a) => ACTIONS.has(a as string))) throw validation(INVALID);
    if ("Resource" in st === "NotResource" in st) throw validation(INVALID);
    const resources = st.Resource ?? st.NotResource;
    if (!strings(resources)) throw validation(INVALID);
    if (st.Condition !== undefined) {
      if (typeof st.Condition !== "object" || st.Condition === null || Array.isArray(st.Condition)) throw validation(INVALID);
      for (const [op, block] of Object.entries(st.Condition)) {
        if (op !== "StringEquals" && op !== "StringLike") throw validation(INVALID);
        if (typeof block !== "object" || block === null || Array.isArray(block)) throw validation(INVALID);
        for (const [key, v] of Object.entries(block)) if (key !== "ResourceType" || !strings(v)) throw validation(INVALID);
      }
    }
    // A logical id (no wildcard) the template does not have: AWS's wording as a user's report records it
    // (sparkleformation/sfn issue #238), "{}" included.
    for (const r of list(resources) as string[]) {
      const id = /^LogicalResourceId\/([^*?]+)$/.exec(r)?.[1];
      if (id !== undefined && !(id in template.Resources)) {
        throw validation(
          `Error validating stack policy: Unknown logical id '${r}' in statement {} - stack policies can only be applied to logical ids referenced in the template`,
        );
      }
    }
  }
}

/**
 * Whether `policy` lets an update take `action` on resource `logicalId` of `type`: undefined when it does, else the
 * resource's failure reason. An explicit Deny wins; with a policy set, what no statement allows is denied.
 */
export function policyDenies(policy: string | undefined, action: UpdateAction, logicalId: string, type: string): string | undefined {
  if (policy === undefined) return undefined;
  const statements: Statement[] = statementsOf(policy) ?? [];
  const resource = `LogicalResourceId/${logicalId}`;
  const req = { caller: { type: "anonymous" as const }, action, resource, context: { resourcetype: type } };
  let allowed = false;
  for (const [i, s] of statements.entries()) {
    if (!statementApplies(s, req)) continue;
    // As AWS's stack event reads (recorded in a user's walkthrough: the index counts statements from 0).
    if (s.Effect === "Deny") return `Action denied by stack policy: Statement [#${i}] does not allow [${action}] for resource [${resource}];`;
    if (s.Effect === "Allow") allowed = true;
  }
  return allowed ? undefined : `Action not allowed by stack policy: No statement allows [${action}] for resource [${resource}];`; // unverified wording
}
