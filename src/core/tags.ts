// Resource tags as AWS services keep them: an ordered list of key/value pairs, whatever a service calls
// the fields (Key/Value, TagKey/TagValue). The rules every service shares live here; the limits and the
// errors (each service words them its own way) are the caller's.

/** How to read a tag's key, and the rules of one service's tags. */
export type MergeTagsOptions<T> = {
  /** The tag's key (Key, TagKey, …). Keys compare case-sensitively. */
  key: (t: T) => string | undefined;
  /**
   * A key given more than once in one request: "keep" every entry as sent (the default), "last" keeps one
   * entry per key, where the key first appeared, with the last value; a function is the error to throw.
   */
  duplicates?: "keep" | "last" | (() => Error);
  /**
   * Keys the caller may not set (e.g. AWS's `aws:` prefix); checked before anything else. A system tag (below) is
   * let through when the AWS service that sets it makes the call (`invokedBy`: the handler's `ctx.invokedBy`).
   */
  reserved?: { prefix: string; ignoreCase?: boolean; error: () => Error; invokedBy?: string };
} & (
  | {
      /** At most this many tags on the resource after the merge (duplicates kept count each; system tags do not count). */
      max: number;
      tooMany: () => Error;
    }
  | { max?: undefined; tooMany?: undefined }
);

/**
 * Adds tags to a resource's: an existing tag whose key is added again is dropped from where it was, and the
 * added tags follow the remaining ones in request order. Returns a new list.
 */
export function mergeTags<T>(existing: readonly T[], added: readonly T[] | undefined, opts: MergeTagsOptions<T>): T[] {
  const list = added ?? [];
  const { key, reserved } = opts;
  if (reserved) {
    for (const t of list) if (isReservedFor(key(t) ?? "", reserved, reserved.invokedBy)) throw reserved.error();
  }
  const dup = opts.duplicates ?? "keep";
  let adding: T[];
  if (dup === "last") {
    const byKey = new Map<string | undefined, T>();
    for (const t of list) byKey.set(key(t), t);
    adding = [...byKey.values()];
  } else {
    if (typeof dup === "function") {
      const seen = new Set<string | undefined>();
      for (const t of list) {
        if (seen.has(key(t))) throw dup();
        seen.add(key(t));
      }
    }
    adding = [...list];
  }
  const keys = new Set(list.map(key));
  const out = existing.filter((t) => !keys.has(key(t))).concat(adding);
  if (opts.max !== undefined && countedTags(out, key) > opts.max) throw opts.tooMany();
  return out;
}

/** The tags without those whose key is in `keys` (UntagResource); a new list, order kept. */
export const removeTags = <T>(existing: readonly T[], keys: readonly string[], key: (t: T) => string | undefined): T[] =>
  existing.filter((t) => !keys.includes(key(t) as string));

// System tags: keys under AWS's reserved `aws:` prefix that an AWS service puts on the resources it makes for a user.
// CloudFormation tags every resource it creates with aws:cloudformation:stack-name, aws:cloudformation:stack-id and
// aws:cloudformation:logical-id; "Tags with this prefix don't count toward the number of tags per resource"
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-resource-tags.html).
// A user may not set them: only the service named here, calling in-process (the call's invokedBy).
const SYSTEM_TAGS: readonly { prefix: string; by: string }[] = [{ prefix: "aws:cloudformation:", by: "cloudformation" }];

/** Whether the key is a system tag (any service's), case-insensitively as AWS's `aws:` prefix is. */
export const isSystemTag = (key: string): boolean => SYSTEM_TAGS.some((s) => key.toLowerCase().startsWith(s.prefix));

/**
 * Whether a tag key falls under a reserved prefix for this caller: `invokedBy` is the calling AWS service (a handler's
 * `ctx.invokedBy`), which may set its own system tags; every other key under the prefix is reserved for anyone.
 */
export function isReservedFor(key: string, reserved: { prefix: string; ignoreCase?: boolean }, invokedBy: string | undefined): boolean {
  const k = reserved.ignoreCase ? key.toLowerCase() : key;
  if (!k.startsWith(reserved.ignoreCase ? reserved.prefix.toLowerCase() : reserved.prefix)) return false;
  const lower = key.toLowerCase();
  return !SYSTEM_TAGS.some((s) => s.by === invokedBy && lower.startsWith(s.prefix));
}

/** How many of the tags count toward a resource's limit: system tags do not. */
export const countedTags = <T>(tags: readonly T[], key: (t: T) => string | undefined): number =>
  tags.reduce((n, t) => (isSystemTag(key(t) ?? "") ? n : n + 1), 0);
