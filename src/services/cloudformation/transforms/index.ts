// Transforms, applied to a template before anything else reads it (source.ts): the names a template's Transform
// section declares and the `Fn::Transform` snippets in its sections, each a function from a fragment to the processed
// fragment. AWS's own transforms are registered here by name; any other name is a macro (AWS::CloudFormation::Macro,
// macros.ts) in the stack's account and region.
//
// Order, as AWS's User Guide ("Macro evaluation order") gives it: from the most deeply nested outward to the most
// general — every `Fn::Transform` snippet, innermost first, then the template-level transforms in the order listed.
import type { HandlerContext } from "../../../core/context.js";
import { isServiceError, ServiceError } from "../../../core/errors.js";
import type { Template } from "../template/index.js";

/**
 * One transform: the template (or a snippet) in, the processed one out (a new object; the input is not changed).
 * `parameters` are the transform's own (its declaration's Parameters); `opts` what the operation gives.
 */
export type TransformFn = (template: Template, ctx: HandlerContext, parameters?: Record<string, unknown>, opts?: TransformOptions) => Promise<Template>;

/** AWS's transforms by name, each loaded when a template declares it. */
export const TRANSFORMS: Record<string, () => Promise<TransformFn>> = {
  "AWS::Include": async () => (await import("./include.js")).include,
  "AWS::Serverless-2016-10-31": async () => (await import("./sam/index.js")).samTransform,
  "AWS::LanguageExtensions": async () => (await import("./language-extensions.js")).languageExtensions,
};

/** What the operation gives a transform: the stack's parameter values (a macro's templateParameterValues; SAM's Refs). */
export interface TransformOptions {
  /** Each parameter's value: given (or the previous one, UsePreviousValue), else its default; lists split. */
  parameterValues?: Record<string, unknown>;
  /** Only the values the operation gives (or keeps, UsePreviousValue), as given. */
  given?: Record<string, string>;
}

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/**
 * A transform's failure (an unknown transform, a macro that failed or answered badly): CreateStack and UpdateStack
 * answer it as the error; a change set is created FAILED with it as its StatusReason, as AWS's are. `body` is the
 * template as given, which the failed change set keeps.
 */
export class TransformFailure extends ServiceError {
  body = "";
  constructor(e: ServiceError) {
    super(e.code, e.message, e.status);
  }
}

/** One declared transform: its name and parameters. */
interface Declared {
  name: string;
  parameters?: Record<string, unknown>;
}

function declared(entry: unknown): Declared {
  if (typeof entry === "string") return { name: entry };
  const e = entry as { Name?: unknown; Parameters?: unknown } | null;
  // AWS's wording (cfn-language-discussion#112, a Ref as Name).
  if (typeof e?.Name !== "string") throw validation("Key Name of transform definition must be a string.");
  return { name: e.Name, parameters: e.Parameters && typeof e.Parameters === "object" ? (e.Parameters as Record<string, unknown>) : undefined };
}

/** The names a Transform section declares, in order (a string, or a list). */
export function declaredTransforms(template: Template): string[] {
  const t = template.Transform;
  if (t === undefined) return [];
  return ([] as unknown[]).concat(t).map((x) => (typeof x === "string" ? x : String((x as { Name?: unknown })?.Name)));
}

/** Whether the template uses a transform anywhere: its Transform section or an `Fn::Transform` snippet. */
export function usesTransforms(template: Template): boolean {
  if (template.Transform !== undefined) return true;
  const walk = (v: unknown): boolean =>
    Array.isArray(v) ? v.some(walk) : typeof v === "object" && v !== null ? Object.entries(v).some(([k, x]) => k === "Fn::Transform" || walk(x)) : false;
  return walk({ ...template, Transform: undefined });
}

/** Runs one transform by name: AWS's own from the registry, else the account's macro of that name. */
async function run(name: string, fragment: unknown, parameters: Record<string, unknown> | undefined, ctx: HandlerContext, opts: TransformOptions) {
  try {
    const load = TRANSFORMS[name];
    if (load) return await (await load())(fragment as Template, ctx, parameters, opts);
    const { runMacro } = await import("../macros.js");
    return await runMacro(name, fragment, parameters, ctx, opts);
  } catch (e) {
    throw isServiceError(e) && !(e instanceof TransformFailure) ? new TransformFailure(e) : e;
  }
}

/** Replaces every `Fn::Transform` in the value (innermost first) with what its transforms make of its siblings. */
async function snippets(value: unknown, ctx: HandlerContext, opts: TransformOptions): Promise<unknown> {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await snippets(v, ctx, opts));
    return out;
  }
  if (typeof value !== "object" || value === null) return value;
  const node: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) node[k] = k === "Fn::Transform" ? v : await snippets(v, ctx, opts);
  if (!("Fn::Transform" in node)) return node;
  const { "Fn::Transform": spec, ...siblings } = node;
  let fragment: unknown = siblings;
  for (const entry of ([] as unknown[]).concat(spec)) {
    const d = declared(entry);
    fragment = await run(d.name, fragment, d.parameters, ctx, opts);
  }
  return fragment;
}

/** Applies the template's snippets, then its declared transforms in order; `changed` when there were any. */
export async function applyTransforms(template: Template, ctx: HandlerContext, opts: TransformOptions = {}): Promise<{ template: Template; changed: boolean }> {
  if (!usesTransforms(template)) return { template, changed: false };
  const { Transform: section, ...rest } = template;
  let out = (await snippets(rest, ctx, opts)) as Template;
  for (const entry of section === undefined ? [] : ([] as unknown[]).concat(section)) {
    const d = declared(entry);
    out = (await run(d.name, out, d.parameters, ctx, opts)) as Template;
  }
  const { Transform: _left, ...processed } = out;
  return { template: processed as Template, changed: true };
}
