// Transforms, applied to a template before anything else reads it (source.ts): the names a template's Transform
// section declares, each a function from a template to the processed template. AWS's own transforms are
// registered here by name; any other name is a macro (AWS::CloudFormation::Macro) in the stack's account.
import type { HandlerContext } from "../../../core/context.js";
import { ServiceError } from "../../../core/errors.js";
import type { Template } from "../template/index.js";

/** One transform: the template in, the processed template out (a new object; the input is not changed). */
export type TransformFn = (template: Template, ctx: HandlerContext, parameters?: Record<string, unknown>) => Promise<Template>;

/**
 * A transform that failed: AWS's "Transform <name> failed with: <message>". CreateStack answers it as a
 * ValidationError; CreateChangeSet makes the change set FAILED with it as the StatusReason (changesets.ts).
 */
export class TransformFailure extends ServiceError {
  constructor(name: string, e: unknown) {
    const message = e instanceof Error ? e.message : String(e);
    const prefix = `Transform ${name} failed with`;
    super("ValidationError", message.startsWith(prefix) ? message : `${prefix}: ${message}`, 400);
  }
}

/** AWS's transforms by name, each loaded when a template declares it. */
export const TRANSFORMS: Record<string, () => Promise<TransformFn>> = {
  "AWS::Serverless-2016-10-31": async () => (await import("./sam/index.js")).samTransform,
};

/** The names a Transform section declares, in order (a string, or a list). */
export function declaredTransforms(template: Template): string[] {
  const t = template.Transform;
  if (t === undefined) return [];
  return ([] as unknown[]).concat(t).map((x) => (typeof x === "string" ? x : String((x as { Name?: unknown })?.Name)));
}

/** Applies the template's declared transforms in order; `changed` when there were any. */
export async function applyTransforms(
  template: Template,
  ctx: HandlerContext,
  parameters: Record<string, unknown> = {},
): Promise<{ template: Template; changed: boolean }> {
  const names = declaredTransforms(template);
  if (!names.length) return { template, changed: false };
  let out: Template = template;
  for (const name of names) {
    const load = TRANSFORMS[name];
    if (!load) throw new ServiceError("ValidationError", `Transform ${name} is not supported by Stratus yet.`, 400);
    const run = await load();
    try {
      out = await run(out, ctx, parameters);
    } catch (e) {
      throw new TransformFailure(name, e);
    }
  }
  const { Transform: _declared, ...processed } = out;
  return { template: processed as Template, changed: true };
}
