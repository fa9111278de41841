// What API Gateway's CloudFormation providers share (cloudformation-*.ts, and apigatewayv2/cloudformation.ts):
// tolerant deletes, template values converted to what the API takes, patch operations, an S3 body's text.
import type { Readable } from "node:stream";
import type { HandlerContext } from "../../core/context.js";
import { isServiceError } from "../../core/errors.js";
import { ResourceFailure } from "../../core/resources.js";
import type { PatchOperation } from "./api.generated.js";

export type Props = Record<string, unknown>;

export const gone = (e: unknown) => isServiceError(e) && e.code === "NotFoundException";

/** Runs a delete, an already-deleted resource being no error (CloudFormation's delete is idempotent). */
export async function tolerant(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (e) {
    if (!gone(e)) throw e;
  }
}

/** CloudFormation's list of Key/Value tags as the API's map (undefined for none). */
export const tagMap = (tags: unknown): Record<string, string> | undefined => {
  const list = tags as { Key: string; Value: string }[] | undefined;
  return list?.length ? Object.fromEntries(list.map((t) => [String(t.Key), String(t.Value)])) : undefined;
};

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// The engine hands properties on as the template gave them: an integer or boolean may arrive as text (a
// parameter's value), a string as a number. CloudFormation converts them for the API; so do these.
export const num = (v: unknown): number | undefined => (v === undefined || v === null ? undefined : Number(v));
export const bool = (v: unknown): boolean | undefined => (v === undefined || v === null ? undefined : v === true || v === "true");
export const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
export const strMap = (v: unknown): Record<string, string> | undefined =>
  v === undefined || v === null ? undefined : Object.fromEntries(Object.entries(v as Props).map(([k, x]) => [k, String(x)]));
/** Maps of "true"/"false" (a method's RequestParameters, a method response's ResponseParameters). */
export const boolMap = (v: unknown): Record<string, boolean> | undefined =>
  v === undefined || v === null ? undefined : Object.fromEntries(Object.entries(v as Props).map(([k, x]) => [k, x === true || x === "true"]));
/** A JSON property that may be an object or its text (a policy, a model's schema, a body). */
export const jsonText = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v));

/** A patch path segment: "/" and "~" escaped as JSON Pointer escapes them (RFC 6901, as API Gateway's patch paths). */
export const escapePath = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** Patch operations for a string-keyed map at `prefix` (a stage's /variables): added, changed and removed keys. */
export function mapPatches(prefix: string, before: Record<string, string> | undefined, after: Record<string, string> | undefined): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const b = before ?? {};
  const a = after ?? {};
  for (const k of Object.keys(b)) if (!(k in a)) ops.push({ op: "remove", path: `${prefix}/${escapePath(k)}` });
  for (const [k, v] of Object.entries(a)) if (b[k] !== v) ops.push({ op: "replace", path: `${prefix}/${escapePath(k)}`, value: v });
  return ops;
}

/** Patch operations for a set of strings at `prefix` (binary media types, a key's stages): added and removed. */
export function setPatches(prefix: string, before: string[] | undefined, after: string[] | undefined, escaped = true): PatchOperation[] {
  const b = before ?? [];
  const a = after ?? [];
  const e = escaped ? escapePath : (s: string) => s;
  return [
    ...b.filter((x) => !a.includes(x)).map((x): PatchOperation => ({ op: "remove", path: `${prefix}/${e(x)}` })),
    ...a.filter((x) => !b.includes(x)).map((x): PatchOperation => ({ op: "add", path: `${prefix}/${e(x)}` })),
  ];
}

/** A `{Bucket, Key, Version, ETag}` location's object text, read from Stratus's S3 as the stack's caller. */
export async function readS3Body(ctx: HandlerContext, loc: Props, what: string): Promise<string> {
  const bucket = str(loc.Bucket);
  const key = str(loc.Key);
  if (!bucket || !key) throw new ResourceFailure(`${what} requires Bucket and Key.`); // unverified wording
  try {
    const out = await ctx.client("s3").getObject({ Bucket: bucket, Key: key, ...(loc.Version ? { VersionId: String(loc.Version) } : {}) });
    const body = out.Body as Readable | Uint8Array | undefined;
    if (!body) return "";
    if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks).toString("utf8");
  } catch (e) {
    // As CloudFormation reports an unreadable body location (unverified wording).
    if (isServiceError(e)) throw new ResourceFailure(`Unable to read ${what} s3://${bucket}/${key}: ${e.message}`);
    throw e;
  }
}
