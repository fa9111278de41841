// What Lambda's CloudFormation providers share (cloudformation.ts, cloudformation-layers.ts): tolerant deletes and
// the conversions of template values to what Lambda's API takes.
import { isServiceError } from "../../core/errors.js";

export type Props = Record<string, unknown>;

export const gone = (e: unknown) => isServiceError(e) && e.code === "ResourceNotFoundException";

/** Runs a delete, an already-deleted resource being no error (CloudFormation's delete is idempotent). */
export async function tolerant(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (e) {
    if (!gone(e)) throw e;
  }
}

export const tagMap = (tags: unknown): Record<string, string> | undefined => {
  const list = tags as { Key: string; Value: string }[] | undefined;
  return list?.length ? Object.fromEntries(list.map((t) => [t.Key, t.Value])) : undefined;
};

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// The engine checks properties against the specification but hands them on as the template gave them: an integer
// or boolean may arrive as text (a parameter's value, a quoted YAML scalar), a string as a number. CloudFormation
// converts them for the API; so do these.
export const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));
export const bool = (v: unknown): boolean | undefined => (v === undefined ? undefined : v === true || v === "true");
export const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));
