// What the data-only areas (documentation, domain names, base path mappings, client certificates, the account)
// share: API Gateway's patch operations on named fields (the wording of the data-only resources, unlike patch.ts's
// field kinds), and paging by `position` / `limit` through the control plane's common.ts.
import { BadRequestException, type Op, type PatchOperation } from "./api.generated.js";
import { page as pageOf } from "./common.js";
import { unsupportedPatchOp } from "./patch.js";

/**
 * Applies patch operations, each to a path `fields` handles (`op` and `value` given); any other path is AWS's
 * BadRequest. The wording "Invalid patch path  '<path>' specified for op '<op>'. Must be one of: [...]" (two spaces
 * as recorded) follows LocalStack's AWS-parity tests.
 */
export function applyPatches(ops: PatchOperation[] | undefined, fields: Record<string, (op: string, value: string | undefined) => void>): void {
  for (const p of ops ?? []) {
    const op = p.op ?? "replace";
    const path = p.path ?? "";
    const handler = Object.hasOwn(fields, path) ? fields[path] : undefined;
    if (!handler) throw new BadRequestException(`Invalid patch path  '${path}' specified for op '${op}'. Must be one of: [${Object.keys(fields).join(", ")}]`);
    handler(op, p.value);
  }
}

/** A replace-only field's handler: the op must be replace. */
export function replaceOnly(path: string, set: (value: string | undefined) => void): (op: string, value: string | undefined) => void {
  return (op, value) => {
    if (op !== "replace") throw unsupportedPatchOp({ op: op as Op, path });
    set(value);
  };
}

/** One page of items in key order, as `{ items, position }` (the control plane's paging, common.ts). */
export function page<T>(
  operation: string,
  items: T[],
  key: (t: T) => string,
  position: string | undefined,
  limit: number | undefined,
): { items: T[]; position?: string } {
  return pageOf(operation, items, key, { position, limit });
}
