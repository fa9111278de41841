// What CreateStack, UpdateStack and CreateChangeSet check once the parameters are resolved, before anything runs:
// the Rules section's assertions (template/rules.ts) and the template's dynamic references (dynamic.ts). Each
// failure is the call's ValidationError, as AWS answers it.
import type { HandlerContext } from "../../core/context.js";
import { checkDynamicReferences } from "./dynamic.js";
import { evaluateConditions, type ResolvedParameter, type Template } from "./template/index.js";
import { checkRules } from "./template/rules.js";

export async function preflight(template: Template, parameters: Record<string, ResolvedParameter>, ctx: HandlerContext, stackName: string): Promise<void> {
  if (template.Rules && Object.keys(template.Rules).length) {
    const base = {
      pseudo: { accountId: ctx.account, region: ctx.region, stackName, stackId: "" },
      parameters: Object.fromEntries(Object.entries(parameters).map(([k, p]) => [k, p.ref])),
      mappings: template.Mappings,
      resources: new Set<string>(),
    };
    checkRules(template, { ...base, conditions: template.Conditions ? evaluateConditions(template, base) : {} });
  }
  await checkDynamicReferences(template, ctx);
}
