// AWS::Include: a snippet read from S3 (its Location, an s3:// or https URL, read as the caller) inserted where the
// transform stands — at the top level of the template or in a section through `Fn::Transform`. The snippet's keys
// join the fragment's own (the resources, outputs … beside the `Fn::Transform`); a snippet that is not a map
// replaces the fragment.
import type { HandlerContext } from "../../../core/context.js";
import { ServiceError } from "../../../core/errors.js";
import { readS3Template, readTemplateUrl } from "../source.js";
import { parseTemplate, type Template } from "../template/index.js";
import type { TransformFn } from "./index.js";

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

async function read(location: string, ctx: HandlerContext): Promise<string> {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  return s3 ? readS3Template({ bucket: s3[1], key: s3[2] }, ctx) : readTemplateUrl(location, ctx);
}

export const include: TransformFn = async (fragment, ctx, parameters) => {
  const location = parameters?.Location;
  if (typeof location !== "string") {
    throw new ServiceError("ValidationError", "Transform AWS::Include failed with: Location parameter must be a string.", 400); // unverified wording
  }
  const snippet: unknown = parseTemplate(await read(location, ctx));
  if (!isMap(snippet) || !isMap(fragment)) return snippet as Template;
  return { ...fragment, ...snippet } as Template;
};
