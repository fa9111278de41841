// Where a stack's template comes from and what the engine runs: the body given (TemplateBody) or read from a URL
// (TemplateURL), then its transforms (transforms/index.ts) applied — the processed template, which GetTemplate's
// "Processed" stage shows and every later step (validation, evaluation, the engine) reads.
import type { HandlerContext } from "../../core/context.js";
import { ServiceError } from "../../core/errors.js";
import { cfnState } from "./state.js";
import { parseTemplate, type Template, validateTemplate } from "./template/index.js";
import { applyTransforms } from "./transforms/index.js";
import { typeExists } from "./types.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/** A template as given (`body`) and as processed (`template`; `processedBody` when a transform changed it). */
export interface TemplateSource {
  body: string;
  template: Template;
  /** The processed template as JSON, when the template declares transforms; absent when it is the body. */
  processedBody?: string;
}

/** The template a record runs: the processed one when transforms made one, else its body. */
export const runTemplate = (r: { templateBody: string; processedBody?: string }): Template => parseTemplate(r.processedBody ?? r.templateBody);

/** The template an operation names, read, transformed and validated; AWS's errors when it cannot be. */
export async function templateOf(
  input: {
    TemplateBody?: string;
    TemplateURL?: string;
    StackName?: string;
    Parameters?: { ParameterKey?: string; ParameterValue?: string; UsePreviousValue?: boolean }[];
  },
  ctx: HandlerContext,
): Promise<TemplateSource> {
  if (input.TemplateBody === undefined && input.TemplateURL === undefined) throw validation("Either Template URL or Template Body must be specified.");
  if (input.TemplateBody !== undefined && input.TemplateURL !== undefined) {
    throw validation("You cannot specify both TemplateURL and TemplateBody"); // unverified wording
  }
  const body = input.TemplateBody ?? (await readTemplateUrl(input.TemplateURL!, ctx));
  const parsed = parseTemplate(body);
  const { template, changed } = await applyTransforms(parsed, ctx, givenValues(input, ctx));
  validateTemplate(template);
  // A type AWS does not have is the template's error; one AWS has that Stratus does not run fails its resource.
  const unknown = [...new Set(Object.values(template.Resources).map((r) => r.Type))].filter((t) => typeof t !== "string" || !typeExists(t));
  if (unknown.length) throw validation(`Template format error: Unrecognized resource types: [${unknown.join(", ")}]`);
  return { body, template, processedBody: changed ? JSON.stringify(template) : undefined };
}

/** The parameter values an operation gives, by key, for transforms that read them (AWS::LanguageExtensions'
 *  Fn::ForEach over a list parameter): a UsePreviousValue one is the live stack's current value. */
function givenValues(input: Parameters<typeof templateOf>[0], ctx: HandlerContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of input.Parameters ?? []) {
    if (!p.ParameterKey) continue;
    if (p.UsePreviousValue) {
      const t = cfnState.of(ctx);
      const id = input.StackName?.startsWith("arn:") ? input.StackName : input.StackName && t.names.get(input.StackName);
      const previous = id ? t.stacks.get(id)?.parameters[p.ParameterKey]?.value : undefined;
      if (previous !== undefined) out[p.ParameterKey] = previous;
    } else if (p.ParameterValue !== undefined) out[p.ParameterKey] = p.ParameterValue;
  }
  return out;
}

/** A template's text from its URL: an object in Stratus's S3. */
export async function readTemplateUrl(url: string, _ctx: HandlerContext): Promise<string> {
  throw validation(`TemplateURL is not supported by Stratus yet: pass TemplateBody. (${url})`);
}
