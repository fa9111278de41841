// An operation's parameters, resolved once its template is known (AWS::SSM::Parameter::Value<…> ones read from
// Parameter Store as the caller), and what CreateStack, UpdateStack and the change sets check then, before anything
// runs: the Rules section's assertions (template/rules.ts) and the template's dynamic references (dynamic.ts). Each
// failure is the call's ValidationError, as AWS answers it.
import type { HandlerContext } from "../../core/context.js";
import { checkDynamicReferences } from "./dynamic.js";
import type { Parameter } from "./api.generated.js";
import { evaluateConditions, type ResolvedParameter, resolveParameters, type Template } from "./template/index.js";
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

/**
 * The parameters an operation gives, resolved against its template (`previous`: the stack's, for UsePreviousValue),
 * then the template's Rules and dynamic references checked with them.
 */
export async function prepareParameters(
  template: Template,
  given: Parameter[] | undefined,
  previous: Record<string, ResolvedParameter> | undefined,
  ctx: HandlerContext,
  stackName: string,
): Promise<Record<string, ResolvedParameter>> {
  const previousValues = Object.fromEntries(Object.entries(previous ?? {}).map(([k, p]) => [k, p.value]));
  const parameters = await resolveParameters(template, given, previousValues, {
    resolveSsm: async (name) => (await ctx.client("ssm").getParameter({ Name: name })).Parameter?.Value ?? "",
  });
  await preflight(template, parameters, ctx, stackName);
  return parameters;
}
