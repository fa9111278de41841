// Transforms, applied to a template before anything else reads it (source.ts): the names a template's Transform
// section declares, each a function from a template to the processed template. AWS's own transforms are
// registered here by name; any other name is a macro (AWS::CloudFormation::Macro) in the stack's account.
import type { HandlerContext } from "../../../core/context.js";
import { ServiceError } from "../../../core/errors.js";
import type { Template } from "../template/index.js";

/** One transform: the template in, the processed template out (a new object; the input is not changed). */
export type TransformFn = (template: Template, ctx: HandlerContext, parameters?: Record<string, unknown>) => Promise<Template>;

/** AWS's transforms by name, each loaded when a template declares it. */
export const TRANSFORMS: Record<string, () => Promise<TransformFn>> = {
  "AWS::LanguageExtensions": async () => (await import("./language-extensions.js")).languageExtensions,
};

/** The names a Transform section declares, in order (a string, or a list). */
export function declaredTransforms(template: Template): string[] {
  const t = template.Transform;
  if (t === undefined) return [];
  return ([] as unknown[]).concat(t).map((x) => (typeof x === "string" ? x : String((x as { Name?: unknown })?.Name)));
}

/** Applies the template's declared transforms in order (`parameters`: the values the operation gives, by key);
 *  `changed` when there were any. */
export async function applyTransforms(
  template: Template,
  ctx: HandlerContext,
  parameters?: Record<string, unknown>,
): Promise<{ template: Template; changed: boolean }> {
  const names = declaredTransforms(template);
  if (!names.length) return { template, changed: false };
  let out: Template = template;
  for (const name of names) {
    const load = TRANSFORMS[name];
    if (!load) throw new ServiceError("ValidationError", `Transform ${name} is not supported by Stratus yet.`, 400);
    out = await (await load())(out, ctx, parameters);
  }
  const { Transform: _declared, ...processed } = out;
  return { template: processed as Template, changed: true };
}
