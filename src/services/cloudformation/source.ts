// Where a stack's template comes from and what the engine runs: the body given (TemplateBody) or read from a URL
// (TemplateURL), then its transforms (transforms/index.ts) applied — the processed template, which GetTemplate's
// "Processed" stage shows and every later step (validation, evaluation, the engine) reads.
import type { HandlerContext } from "../../core/context.js";
import type { Readable } from "node:stream";
import { isServiceError, ServiceError } from "../../core/errors.js";
import { cfnState } from "./state.js";
import { parseTemplate, type Template, validateTemplate } from "./template/index.js";
import { applyTransforms, declaredTransforms, TransformFailure, usesTransforms } from "./transforms/index.js";
import { InsufficientCapabilitiesException } from "./api.generated.js";
import { typeExists } from "./types.js";

const validation = (message: string) => new ServiceError("ValidationError", message, 400);

/** A template as given (`body`) and as processed (`template`; `processedBody` when a transform changed it). */
export interface TemplateSource {
  body: string;
  template: Template;
  /** The processed template as JSON, when the template declares transforms; absent when it is the body. */
  processedBody?: string;
  /** The transforms its Transform section declares (GetTemplateSummary's DeclaredTransforms). */
  transforms: string[];
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
  opts: { requireCapabilities?: readonly string[]; previousBody?: string } = {},
): Promise<TemplateSource> {
  // UsePreviousTemplate: the stack's template as given, processed again (its macros run again, as on AWS).
  if (opts.previousBody !== undefined) return processed(opts.previousBody, input, ctx, opts);
  if (input.TemplateBody === undefined && input.TemplateURL === undefined) throw validation("Either Template URL or Template Body must be specified.");
  if (input.TemplateBody !== undefined && input.TemplateURL !== undefined) {
    throw validation("You cannot specify both TemplateURL and TemplateBody"); // unverified wording
  }
  if (input.TemplateBody !== undefined && Buffer.byteLength(input.TemplateBody) > MAX_BODY) {
    // The service's own constraint, worded as its model constraints are (users' reports of AWS's answer).
    throw validation(
      `1 validation error detected: Value '${input.TemplateBody}' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_BODY}`,
    );
  }
  const body = input.TemplateBody ?? (await readTemplateUrl(input.TemplateURL!, ctx));
  return processed(body, input, ctx, opts);
}

/** A template's text parsed, transformed (if the caller acknowledged transforms) and validated. */
async function processed(
  body: string,
  input: { Parameters?: { ParameterKey?: string; ParameterValue?: string }[] },
  ctx: HandlerContext,
  opts: { requireCapabilities?: readonly string[] },
): Promise<TemplateSource> {
  const parsed = parseTemplate(body);
  // CreateStack and UpdateStack run a template's transforms only when the caller acknowledges them (change sets show
  // the processed template for review and need no acknowledgement).
  if (opts.requireCapabilities && usesTransforms(parsed) && !opts.requireCapabilities.includes("CAPABILITY_AUTO_EXPAND")) {
    throw new InsufficientCapabilitiesException("Requires capabilities : [CAPABILITY_AUTO_EXPAND]");
  }
  const given = givenValues(input, ctx);
  const { template, changed } = await applyTransforms(parsed, ctx, { parameterValues: parameterValues(parsed, given), given }).catch((e) => {
    if (e instanceof TransformFailure) e.body = body;
    throw e;
  });
  validateTemplate(template);
  // A type AWS does not have is the template's error; one AWS has that Stratus does not run fails its resource.
  const unknown = [...new Set(Object.values(template.Resources).map((r) => r.Type))].filter((t) => typeof t !== "string" || !typeExists(t));
  if (unknown.length) throw validation(`Template format error: Unrecognized resource types: [${unknown.join(", ")}]`);
  return { body, template, processedBody: changed ? JSON.stringify(template) : undefined, transforms: declaredTransforms(parsed) };
}

/**
 * The parameter values an operation gives, by key, as given (AWS::LanguageExtensions' Fn::ForEach over a list
 * parameter reads them): a UsePreviousValue one is the live stack's current value.
 */
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

/** The template's parameters as a macro sees them (templateParameterValues): given, else default; lists split. */
function parameterValues(template: Template, given: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, decl] of Object.entries(template.Parameters ?? {})) {
    const value = given[name] ?? decl.Default;
    if (value === undefined) continue;
    const list = decl.Type === "CommaDelimitedList" || /^List</.test(decl.Type ?? "");
    out[name] = list && typeof value === "string" ? value.split(",") : value;
  }
  return out;
}

// AWS's limits (CloudFormation User Guide, "Quotas"): a body in the request is at most 51,200 bytes, one read from S3
// at most 1 MB.
const MAX_BODY = 51_200;
const MAX_URL_TEMPLATE = 1_048_576;
// The suffix AWS adds to an S3 error it met reading a template ("S3 error: Access Denied For more information check
// http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html", as users report the console showing it).
const S3_ERROR_HELP = "For more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html";
const UNSUPPORTED_URL = "TemplateURL must be a supported URL.";

/** The bucket, key and version an S3 object URL names: every form the AWS CLI, the CDK and Stratus's endpoint use. */
export function parseS3Url(url: string): { bucket: string; key: string; versionId?: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
  const host = u.hostname.toLowerCase();
  const segments = u.pathname.split("/").slice(1);
  let bucket: string | undefined;
  let keyParts: string[];
  // Virtual-hosted: <bucket>.s3[.-<region>].amazonaws.com[.cn], <bucket>.s3[.<region>].localhost[.localstack.cloud].
  const virtual =
    /^(.+)\.s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.exec(host) ??
    /^(.+)\.s3(?:\.[a-z0-9-]+)?\.localhost(?:\.localstack\.cloud)?$/.exec(host);
  // Path-style: s3.amazonaws.com, s3.<region>.amazonaws.com, s3-<region>.amazonaws.com, Stratus's own endpoint.
  const pathStyle =
    /^s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$/.test(host) ||
    /^(?:s3(?:\.[a-z0-9-]+)?\.)?localhost(?:\.localstack\.cloud)?$/.test(host) ||
    host === "127.0.0.1" ||
    host === "[::1]";
  if (virtual) {
    bucket = virtual[1];
    keyParts = segments;
  } else if (pathStyle) {
    bucket = segments[0];
    keyParts = segments.slice(1);
  } else return undefined;
  let key: string;
  try {
    key = keyParts.map(decodeURIComponent).join("/");
  } catch {
    return undefined;
  }
  if (!bucket || !key) return undefined;
  const versionId = u.searchParams.get("versionId") ?? undefined;
  return { bucket, key, versionId };
}

/** A template's text from its URL: an object in Stratus's S3, read as the caller (their access decides). */
export async function readTemplateUrl(url: string, ctx: HandlerContext): Promise<string> {
  const where = parseS3Url(url);
  if (!where) throw validation(UNSUPPORTED_URL);
  return readS3Template(where, ctx);
}

/** An S3 object's text (a template or a snippet), within the 1 MB limit; AWS's errors when S3 refuses it. */
export async function readS3Template(where: { bucket: string; key: string; versionId?: string }, ctx: HandlerContext): Promise<string> {
  let body: Buffer;
  try {
    const out = await ctx.client("s3").getObject({ Bucket: where.bucket, Key: where.key, ...(where.versionId ? { VersionId: where.versionId } : {}) });
    // A streaming member: S3's handler answers a stream where the model says blob.
    const stream = out.Body as Readable | Uint8Array | undefined;
    if (!stream) body = Buffer.alloc(0);
    else if (stream instanceof Uint8Array) body = Buffer.from(stream);
    else {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of stream) {
        chunks.push(Buffer.from(c as Uint8Array));
        size += c.length;
        if (size > MAX_URL_TEMPLATE) break;
      }
      body = Buffer.concat(chunks);
      if (size > MAX_URL_TEMPLATE) stream.destroy();
    }
  } catch (e) {
    if (isServiceError(e)) throw validation(`S3 error: ${e.message}\n${S3_ERROR_HELP}`);
    throw e;
  }
  // Wording as AWS's "Template may not exceed 460800 bytes in size." when that was the limit (users' reports).
  if (body.length > MAX_URL_TEMPLATE) throw validation(`Template may not exceed ${MAX_URL_TEMPLATE} bytes in size.`);
  return body.toString("utf8");
}
